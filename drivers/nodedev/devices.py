"""From device records to libvirt's node devices: which are kept, their names and parents.

Names follow libvirt's udev driver: ``<subsystem>_<sysname>`` with every character that is
not a letter or digit turned into ``_``; a network device adds its MAC address, a disk its
serial. The parent is the nearest ancestor that is itself a node device, else "computer".
"""

from __future__ import annotations

import re

from .sources import DeviceRecord

# Subsystems libvirt's udev driver does not look at.
IGNORED_SUBSYSTEMS = {"acpi", "tty", "vc", "i2c"}


class NodeDevice:
    __slots__ = ("capability", "extra_caps", "name", "parent", "record", "sys_path")

    def __init__(
        self,
        name: str,
        sys_path: str | None,
        parent: str | None,
        capability: str,  # the first capability type, e.g. "net", "pci"
        record: DeviceRecord | None = None,
        extra_caps: list[str] | None = None,
    ) -> None:
        self.name = name
        self.sys_path = sys_path
        self.parent = parent
        self.capability = capability
        self.record = record
        self.extra_caps = [] if extra_caps is None else extra_caps

    @property
    def caps(self) -> list[str]:
        return [self.capability, *self.extra_caps]


def clean(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", text)


# Every subsystem capability_of can keep a device of: enumeration scans only these.
KEPT_SUBSYSTEMS = ("pci", "usb", "net", "scsi", "block", "scsi_generic", "drm", "mdev", "ccw", "css", "ap", "vdpa")


def capability_of(record: DeviceRecord) -> str | None:
    """The libvirt capability of a record, or None when libvirt does not keep it."""
    subsystem, devtype = record.subsystem, record.devtype
    if subsystem in IGNORED_SUBSYSTEMS:
        return None
    if subsystem == "pci":
        # a configuration space libvirt fails to read (an unknown header type) loses the device
        return None if "pci-dropped" in record.attributes else "pci"
    if subsystem == "usb":
        return {"usb_device": "usb_device", "usb_interface": "usb"}.get(devtype or "")
    if subsystem == "net":
        return "net"
    if subsystem == "scsi":
        return {"scsi_host": "scsi_host", "scsi_target": "scsi_target", "scsi_device": "scsi"}.get(devtype or "")
    if subsystem == "block" and devtype == "disk":
        # libvirt keeps only disks whose drive type it can tell (loop and zram devices it cannot)
        return "storage" if drive_type(record) else None
    if subsystem == "scsi_generic":
        return "scsi_generic"
    if subsystem == "drm" and devtype == "drm_minor":
        return "drm"
    if subsystem == "mdev":
        return "mdev"
    if subsystem in ("ccw", "css", "ap", "vdpa"):
        return {"ccw": "ccw", "css": "css", "ap": "ap_queue", "vdpa": "vdpa"}[subsystem]
    return None


def drive_type(record: DeviceRecord) -> str | None:
    """The storage drive type as libvirt's udev driver finds it: udev's ID_TYPE, or the
    kernel name for virtio disks, which udev does not type."""
    kind = record.properties.get("ID_TYPE")
    if kind:
        return {"cd": "cdrom", "floppy": "floppy", "sd": "sd"}.get(kind, kind)
    if record.sys_name.startswith("vd"):
        return "disk"
    return None


def device_name(record: DeviceRecord, capability: str) -> str:
    base = f"{record.subsystem}_{record.sys_name}"
    if capability == "net":
        address = record.attributes.get("address", "")
        return clean(f"net_{record.sys_name}_{address}") if address else clean(base)
    if capability == "storage":
        serial = record.properties.get("ID_SERIAL_SHORT") or record.properties.get("ID_SERIAL")
        return clean(f"block_{record.sys_name}" + (f"_{serial}" if serial else ""))
    if capability == "scsi_host":
        return clean(f"scsi_{record.sys_name}")
    return clean(base)


def build_devices(records: list[DeviceRecord]) -> dict[str, NodeDevice]:
    """The node devices of a set of records, by name, "computer" first."""
    kept: dict[str, tuple[DeviceRecord, str, str]] = {}  # sys_path -> (record, capability, name)
    for record in records:
        capability = capability_of(record)
        if capability is not None:
            kept[record.sys_path] = (record, capability, device_name(record, capability))
    devices = {"computer": NodeDevice("computer", None, None, "system")}
    for sys_path, (record, capability, name) in sorted(kept.items()):
        parent = "computer"
        ancestor = sys_path.rsplit("/", 1)[0]
        while ancestor.startswith("/sys/devices") and ancestor != "/sys/devices":
            if ancestor in kept:
                parent = kept[ancestor][2]
                break
            ancestor = ancestor.rsplit("/", 1)[0]
        devices[name] = NodeDevice(name, sys_path, parent, capability, record, extra_caps_of(record))
    return devices


def extra_caps_of(record: DeviceRecord) -> list[str]:
    """Capabilities nested in the first one that libvirt lists too: a PCI device's mediated
    device types, as last read (at enumeration, a udev change, or the device's last dumpxml)."""
    return ["mdev_types"] if record.attributes.get("mdev-types") else []
