"""Where device records come from: real udev through pyudev, or a synthesized tree.

A record is what the rest of the driver needs of one sysfs device; both sources make
the same records, so CI can run deterministic trees on any machine and real udev is
used wherever /sys is readable.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from . import pci_sysfs

log = logging.getLogger("virtrio.drivers.nodedev")


# A record's fields in order: its constructor's arguments and a recorded tree's rows.
RECORD_FIELDS = ("sys_path", "subsystem", "sys_name", "devtype", "driver", "devnode", "properties", "attributes")


class DeviceRecord:
    """Plain slotted classes, not dataclasses: a dataclass costs about a millisecond to
    create, on the path of a socket-activated daemon's first answer."""

    __slots__ = RECORD_FIELDS

    def __init__(
        self,
        sys_path: str,
        subsystem: str,
        sys_name: str,
        devtype: str | None = None,
        driver: str | None = None,
        devnode: str | None = None,
        properties: dict[str, str] | None = None,
        attributes: dict[str, str] | None = None,
    ) -> None:
        self.sys_path = sys_path
        self.subsystem = subsystem
        self.sys_name = sys_name
        self.devtype = devtype
        self.driver = driver
        self.devnode = devnode
        self.properties = {} if properties is None else properties
        self.attributes = {} if attributes is None else attributes

    def fields(self) -> tuple:
        return tuple(getattr(self, name) for name in RECORD_FIELDS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeviceRecord) and self.fields() == other.fields()

    __hash__ = None  # type: ignore[assignment]  # mutable dicts inside: not hashable

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={value!r}" for name, value in zip(RECORD_FIELDS, self.fields(), strict=True))
        return f"DeviceRecord({values})"


class DeviceChange:
    __slots__ = ("action", "record")

    def __init__(self, action: str, record: DeviceRecord) -> None:
        self.action = action  # add, remove, change, move
        self.record = record


# Attributes the classifier reads, per subsystem (reading every sysfs file would be slow).
WANTED_ATTRIBUTES = {
    "pci": ("vendor", "device", "class", "subsystem_vendor", "subsystem_device", "numa_node"),
    "usb": (
        "idVendor",
        "idProduct",
        "busnum",
        "devnum",
        "bInterfaceNumber",
        "bInterfaceClass",
        "bInterfaceSubClass",
        "bInterfaceProtocol",
        "product",
        "manufacturer",
    ),
    "net": ("address", "operstate", "speed", "type"),
    "block": ("size", "removable", "queue/logical_block_size", "partition", "device/vendor", "device/model"),
    "scsi": ("type", "vendor", "model"),
}


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip()
    return str(value).strip()


def pci_config_attributes(sys_path: str, attributes: dict[str, str]) -> None:
    """What a privileged libvirtd reads from a PCI device's configuration space, as record
    attributes: "pci-header" (a bridge's header type), "pci-express" (ExpressInfo.encode),
    or "pci-dropped" where libvirt keeps no node device for it."""
    try:
        header_type, express = pci_sysfs.config_facts(sys_path)
    except pci_sysfs.InvalidHeaderType as error:
        attributes["pci-dropped"] = f"Unknown PCI header type '{error.args[0]}'"
        return
    except OSError as error:
        attributes["pci-dropped"] = f"Failed to open config space file: {error.strerror}"
        return
    if header_type:
        attributes["pci-header"] = pci_sysfs.HEADER_TYPES[header_type]
    if express is not None:
        attributes["pci-express"] = express.encode()


def record_from_pyudev(device, privileged: bool | None = None, removed: bool = False) -> DeviceRecord:
    """A record of a pyudev device. A removed one's sysfs folder is gone: its configuration
    space is not read (unreadable, it would mark the device as one libvirt drops, and the
    removal would be ignored)."""
    attributes = {}
    for name in WANTED_ATTRIBUTES.get(device.subsystem or "", ()):
        try:
            value = device.attributes.get(name)
        except (OSError, KeyError, UnicodeDecodeError):
            value = None
        if value is not None:
            attributes[name] = _text(value)
    if privileged is None:
        privileged = os.geteuid() == 0
    if device.subsystem == "pci" and not removed:
        numa = attributes.get("numa_node")
        if numa is not None and not pci_sysfs.is_int(numa):
            attributes["pci-dropped"] = f"Failed to convert '{numa}' to int"
        # libvirt reads configuration space only as root: a user may read just its first 64 bytes
        if privileged:
            pci_config_attributes(device.sys_path, attributes)
        if pci_sysfs.has_mdev_types(device.sys_path):
            attributes["mdev-types"] = "yes"
    if device.subsystem == "net":
        from . import ethtool  # the enumerating process's only

        # offload features come from the interface itself, as libvirt reads them
        attributes["features"] = ",".join(ethtool.features(device.sys_name))
    return DeviceRecord(
        device.sys_path,
        device.subsystem or "",
        device.sys_name,
        device.device_type,
        device.driver,
        device.device_node,
        {k: _text(v) for k, v in device.properties.items()},
        attributes,
    )


class UdevSource:
    """The host's devices. Without a udev daemon (containers, build machines), hotplug comes
    from the kernel's own uevents, which libvirtd does not listen to."""

    def __init__(self) -> None:
        import pyudev

        self._pyudev = pyudev
        self.context = pyudev.Context()
        self.kernel_events = not os.path.exists("/run/udev/control")

    def enumerate(
        self, keep: Callable[[DeviceRecord], bool] = lambda record: True, subsystems: Iterable[str] = ()
    ) -> list[DeviceRecord]:
        """Records of the devices keep() accepts; it sees only subsystem, name and type,
        so the many devices libvirt ignores cost no reading of properties and attributes.
        subsystems (if any) limits libudev's own scan: a few folders of /sys instead of all,
        about a sixth of the time of a whole scan."""
        records = []
        devices = self.context.list_devices()
        for subsystem in subsystems:
            devices.match_subsystem(subsystem)  # libudev ORs subsystem matches
        for device in devices:
            outline = DeviceRecord(device.sys_path, device.subsystem or "", device.sys_name, device.device_type)
            if keep(outline):
                records.append(record_from_pyudev(device))
        return records

    def monitor(self):
        source = "kernel" if self.kernel_events else "udev"
        if self.kernel_events:
            log.info("no udev daemon here: listening to kernel uevents for hotplug")
        monitor = self._pyudev.Monitor.from_netlink(self.context, source=source)
        monitor.start()
        return monitor

    def changes(self, monitor) -> Iterator[DeviceChange]:
        """The changes the monitor has ready, without blocking."""
        while True:
            device = monitor.poll(timeout=0)
            if device is None:
                return
            action = device.action or "change"
            yield DeviceChange(action, record_from_pyudev(device, removed=action == "remove"))


class SyntheticSource:
    """A device tree from a JSON file: a list of DeviceRecord fields. No hotplug."""

    kernel_events = False

    def __init__(self, path: Path) -> None:
        self.path = path

    def enumerate(
        self, keep: Callable[[DeviceRecord], bool] = lambda record: True, subsystems: Iterable[str] = ()
    ) -> list[DeviceRecord]:
        import json  # only here: a udev daemon's start does without it

        del subsystems  # a recorded tree is small: keep() alone filters it
        return [r for r in (DeviceRecord(**entry) for entry in json.loads(self.path.read_text())) if keep(r)]

    def monitor(self) -> None:
        return None

    def changes(self, monitor) -> Iterator[DeviceChange]:
        return iter(())
