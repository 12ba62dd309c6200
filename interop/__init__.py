"""Stock clients against virtrio and a real libvirtd 9.0.0, side by side."""
