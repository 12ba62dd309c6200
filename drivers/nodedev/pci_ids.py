"""PCI vendor and device names from the pci.ids database, as libpciaccess reads them.

libvirt's udev driver takes these names from udev's hardware database, and where udev has
none (no udev daemon) from libpciaccess, which reads pci.ids: so do we.
"""

from __future__ import annotations

import functools
from pathlib import Path

DATABASES = (Path("/usr/share/misc/pci.ids"), Path("/usr/share/hwdata/pci.ids"))


@functools.cache
def _database() -> tuple[dict[int, str], dict[tuple[int, int], str]]:
    vendors: dict[int, str] = {}
    devices: dict[tuple[int, int], str] = {}
    path = next((p for p in DATABASES if p.is_file()), None)
    if path is None:
        return vendors, devices
    vendor = None
    for line in path.read_text(errors="replace").splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("C "):  # the device class section ends the vendor list
            break
        if not line.startswith("\t"):
            identifier, _, name = line.partition("  ")
            vendor = int(identifier, 16)
            vendors[vendor] = name.strip()
        elif not line.startswith("\t\t") and vendor is not None:
            identifier, _, name = line.strip().partition("  ")
            devices[(vendor, int(identifier, 16))] = name.strip()
    return vendors, devices


def vendor_name(vendor: int) -> str | None:
    return _database()[0].get(vendor)


def device_name(vendor: int, device: int) -> str | None:
    return _database()[1].get((vendor, device))
