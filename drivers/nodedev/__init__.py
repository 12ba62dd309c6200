"""Real host node devices from udev, behind a gate that opens when enumeration is done."""
