"""nodedev:///system: the host's node devices, from udev, behind an init-complete gate.

The daemon starts ``run`` in its nursery: it starts the hotplug monitor first, then
enumerates, then opens the gate; listeners are open all along. Every node-device call
waits for the gate (without holding any of the client's call capacity), for at most
``nodedev_wait_timeout`` seconds, so a first ``nodedev-list`` never gets a partial list.
If enumeration fails, waiting and later calls fail at once with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import trio

from virtrio.drivers.base import ConnectionContext, DriverConnection, Event, EventFamily, EventSource, Offload
from virtrio.drivers.libvirt_rules import host_name
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError, check_flags, internal_error, report

from . import prefetch
from .devices import KEPT_SUBSYSTEMS, NodeDevice, build_devices, capability_of, device_name, extra_caps_of
from .sources import DeviceChange, DeviceRecord, SyntheticSource, UdevSource

log = logging.getLogger("virtrio.drivers.nodedev")
FROM_NODEDEV = api.VIR_FROM_NODEDEV
CAPABILITY_FLAGS = {
    name.removeprefix("VIR_CONNECT_LIST_NODE_DEVICES_CAP_").lower(): value
    for name, value in api.ENUM_TYPES["virConnectListAllNodeDeviceFlags"].items()
    if "_CAP_" in name
}
CAPABILITY_FLAGS |= {
    "usb": CAPABILITY_FLAGS.pop("usb_interface"),
    "pci": CAPABILITY_FLAGS.pop("pci_dev"),
    "usb_device": CAPABILITY_FLAGS.pop("usb_dev"),
}
ACTIVE_FLAGS = api.VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE | api.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE


class ReadinessGate:
    """Opens once; waiters get a clear libvirt error on failure or after the timeout."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.event = trio.Event()
        self.error: LibvirtError | None = None

    @property
    def is_open(self) -> bool:
        return self.event.is_set() and self.error is None

    def open(self) -> None:
        self.event.set()

    def fail(self, error: LibvirtError) -> None:
        self.error = error
        self.event.set()

    async def wait(self) -> None:
        with trio.move_on_after(self.timeout):
            await self.event.wait()
        if not self.event.is_set():
            raise internal_error(
                FROM_NODEDEV, f"node device enumeration did not finish within {self.timeout:g} seconds"
            )
        if self.error is not None:
            raise self.error


def _ready_changes(source: Any, monitor: Any) -> list[DeviceChange]:
    """The changes the monitor has ready, their records made (in a worker thread)."""
    return list(source.changes(monitor))


class NodeDeviceDriver:
    name = "nodedev"

    def __init__(self, source: str = "udev", enumeration_delay: float = 0.0, wait_timeout: float = 30.0) -> None:
        self.source_spec = source
        self.enumeration_delay = enumeration_delay
        self.gate = ReadinessGate(wait_timeout)
        self.devices: dict[str, NodeDevice] = {}
        self.events = EventSource()
        # where dumpxml re-reads a PCI device's SR-IOV, IOMMU group and mdev types; a recorded
        # tree's paths are not this machine's, so it has none
        self.sysfs_root: str | None = "/sys" if source == "udev" else None

    def accepts(self, uri: str) -> bool:
        parts = urlsplit(uri)
        return parts.scheme == "nodedev" and parts.path in ("/system", "/session")

    def open(self, context: ConnectionContext) -> NodeDeviceConnection:
        return NodeDeviceConnection(context, self)

    def _source(self):
        if self.source_spec.startswith("synthetic:"):
            from pathlib import Path

            return SyntheticSource(Path(self.source_spec.removeprefix("synthetic:")))
        return UdevSource()

    async def run(self) -> None:
        """Monitor, then enumerate, then open the gate; then follow hotplug."""
        helper = prefetch.take() if self.source_spec == "udev" else None
        if helper is not None:
            await self._run_with_helper(helper)
            return
        try:
            # pyudev's import and the reading of sysfs happen off the event loop.
            source = await trio.to_thread.run_sync(self._source)
            monitor = await trio.to_thread.run_sync(source.monitor)  # listening before enumeration
            if self.enumeration_delay:
                log.warning("node device enumeration slowed down by %s s (debug setting)", self.enumeration_delay)
                await trio.sleep(self.enumeration_delay)
            records = await trio.to_thread.run_sync(
                source.enumerate, lambda r: capability_of(r) is not None, KEPT_SUBSYSTEMS
            )
            self.devices = build_devices(records)
        except Exception as error:
            self._failed(str(error))
            return
        log.info("node device enumeration done: %d devices", len(self.devices))
        self.gate.open()
        if monitor is None:
            return
        try:
            while True:
                await trio.lowlevel.wait_readable(monitor.fileno())
                # each change's record reads sysfs (attributes, PCI configuration space, mdev
                # types) and may ask the interface (ethtool): never on the event loop
                changes = await trio.to_thread.run_sync(_ready_changes, source, monitor)
                for change in changes:
                    self.apply(change)
        finally:
            trio.lowlevel.notify_closing(monitor.fileno())

    def _failed(self, reason: str) -> None:
        log.error("node device enumeration failed: %s", reason)
        self.gate.fail(internal_error(FROM_NODEDEV, f"node device enumeration failed: {reason}"))

    async def _run_with_helper(self, helper: prefetch.EnumerationHelper) -> None:
        """The same steps, done by the helper process the command line forked (prefetch.py)."""
        try:
            if self.enumeration_delay:
                log.warning("node device enumeration slowed down by %s s (debug setting)", self.enumeration_delay)
            try:
                self.devices = build_devices(await helper.records())
            except (prefetch.HelperError, ValueError, TypeError, KeyError, EOFError) as error:
                self._failed(str(error))
                return
            if helper.kernel_events:
                log.info("no udev daemon here: listening to kernel uevents for hotplug")
            log.info("node device enumeration done: %d devices", len(self.devices))
            self.gate.open()
            try:
                async for change in helper.changes():
                    self.apply(change)
            except (prefetch.HelperError, ValueError, TypeError, KeyError, EOFError) as error:
                log.error("node device hotplug monitoring stopped: %s", error)
        finally:
            with trio.CancelScope(shield=True):
                await helper.stop()

    def apply(self, change: DeviceChange) -> None:
        """One hotplug event: the list updated and subscribers told in the same step."""
        record: DeviceRecord = change.record
        capability = capability_of(record)
        if capability is None:
            return
        existing = next((d for d in self.devices.values() if d.sys_path == record.sys_path), None)
        if change.action == "remove":
            if existing is not None:
                del self.devices[existing.name]
                self._emit(existing.name, api.VIR_NODE_DEVICE_EVENT_DELETED)
            return
        if existing is not None:  # a duplicate of what enumeration saw, or a change
            existing.record = record
            existing.extra_caps = extra_caps_of(record)
            if change.action == "change":
                self.events.emit(
                    Event(
                        EventFamily.NODEDEV,
                        api.VIR_NODE_DEVICE_EVENT_ID_UPDATE,
                        existing.name,
                        (remote.remote_nonnull_node_device(existing.name),),
                    )
                )
            return
        rebuilt = build_devices([d.record for d in self.devices.values() if d.record is not None] + [record])
        name = device_name(record, capability)
        if name in rebuilt:
            self.devices[name] = rebuilt[name]
            self._emit(name, api.VIR_NODE_DEVICE_EVENT_CREATED)

    def _emit(self, name: str, event: int) -> None:
        fields = (remote.remote_nonnull_node_device(name), event, 0)
        self.events.emit(Event(EventFamily.NODEDEV, api.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, name, fields))


class NodeDeviceConnection(DriverConnection):
    def __init__(self, context: ConnectionContext, driver: NodeDeviceDriver) -> None:
        super().__init__(context)
        self.driver = driver
        self.gate = driver.gate  # the server waits on it before any of this connection's calls

    def events(self) -> EventSource:
        return self.driver.events

    def connect_get_type(self) -> remote.remote_connect_get_type_ret:
        return remote.remote_connect_get_type_ret("nodedev")

    def connect_get_hostname(self) -> Offload:
        # a name lookup (getaddrinfo) can wait seconds for a resolver: never on the event loop
        return Offload(host_name, remote.remote_connect_get_hostname_ret)

    def _device(self, name: str) -> NodeDevice:
        device = self.driver.devices.get(name)
        if device is None:
            raise report(api.VIR_ERR_NO_NODE_DEVICE, FROM_NODEDEV, f"no node device with matching name '{name}'")
        return device

    def _matching(self, flags: int) -> list[NodeDevice]:
        wanted = flags & ~ACTIVE_FLAGS
        if flags & ACTIVE_FLAGS == api.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE:
            return []  # udev devices are all active
        devices = self.driver.devices.values()
        if not wanted:
            return list(devices)
        return [d for d in devices if any(CAPABILITY_FLAGS.get(cap, 0) & wanted for cap in d.caps)]

    def connect_list_all_node_devices(self, args: remote.remote_connect_list_all_node_devices_args):
        root = self.driver.sysfs_root
        if root is None or not args.flags & api.VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES:
            return self._list_all(args, set())
        # libvirt refreshes each device's dynamic capabilities before matching it (a device whose
        # refresh fails is left out); of what that changes, only a listing by mdev types shows,
        # so only that listing pays for the sysfs reads, in a worker thread
        targets = [(d, d.record, d.sys_path) for d in self.driver.devices.values() if self._sysfs_root(d) is not None]

        def work() -> list[tuple[NodeDevice, DeviceRecord, bool | None]]:
            from . import pci_sysfs

            results: list[tuple[NodeDevice, DeviceRecord, bool | None]] = []
            for device, record, sys_path in targets:
                assert record is not None and sys_path is not None
                try:
                    offered = bool(pci_sysfs.dynamic_caps(sys_path, record.sys_name, root).mdev_types)
                except (pci_sysfs.SysfsError, OSError):
                    offered = None
                results.append((device, record, offered))
            return results

        def then(results: list[tuple[NodeDevice, DeviceRecord, bool | None]]):
            failed = set()
            for device, record, offered in results:
                if offered is None:
                    failed.add(device.name)
                else:
                    self._note_mdev_types(device, record, offered)
            return self._list_all(args, failed)

        return Offload(work, then)

    def _list_all(self, args: remote.remote_connect_list_all_node_devices_args, left_out: set[str]):
        devices = [d for d in self._matching(args.flags) if d.name not in left_out]
        refs = [remote.remote_nonnull_node_device(d.name) for d in devices] if args.need_results else []
        return remote.remote_connect_list_all_node_devices_ret(refs, len(devices))

    def node_num_of_devices(self, args: remote.remote_node_num_of_devices_args):
        check_flags(args.flags, 0, FROM_NODEDEV, "nodeNumOfDevices")
        devices = [d for d in self.driver.devices.values() if args.cap is None or args.cap in d.caps]
        return remote.remote_node_num_of_devices_ret(len(devices))

    def node_list_devices(self, args: remote.remote_node_list_devices_args):
        check_flags(args.flags, 0, FROM_NODEDEV, "nodeListDevices")
        names = [d.name for d in self.driver.devices.values() if args.cap is None or args.cap in d.caps]
        return remote.remote_node_list_devices_ret(names[: args.maxnames])

    def node_device_lookup_by_name(self, args: remote.remote_node_device_lookup_by_name_args):
        return remote.remote_node_device_lookup_by_name_ret(
            remote.remote_nonnull_node_device(self._device(args.name).name)
        )

    def node_device_get_xml_desc(self, args: remote.remote_node_device_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_NODEDEV, "nodeDeviceGetXMLDesc")
        from .formats import device_xml  # on first use: a cold start's nodedev-list needs no XML

        device = self._device(args.name)
        if self._sysfs_root(device) is None:
            return remote.remote_node_device_get_xml_desc_ret(device_xml(device))
        return self._with_dynamic_caps(
            device, lambda dynamic: device_xml(device, dynamic), remote.remote_node_device_get_xml_desc_ret
        )

    def _sysfs_root(self, device: NodeDevice) -> str | None:
        """Where a PCI device's dynamic capabilities are re-read, or None for no re-reading."""
        if device.capability != "pci" or device.record is None or device.sys_path is None:
            return None
        return self.driver.sysfs_root

    def _with_dynamic_caps(
        self, device: NodeDevice, use: Callable[[Any], Any], answer: Callable[[Any], Any]
    ) -> Offload:
        """libvirt re-reads a PCI device's SR-IOV functions, IOMMU group and mdev types on every
        dumpxml and capability listing (they change with no event from udev): the sysfs reads
        in a worker thread, never on the event loop; the device's listed capabilities then
        follow what was read, as libvirt's cached flags do."""
        root, record, sys_path = self._sysfs_root(device), device.record, device.sys_path
        assert root is not None and record is not None and sys_path is not None

        def work() -> tuple[bool, Any]:
            from . import pci_sysfs

            try:
                dynamic = pci_sysfs.dynamic_caps(sys_path, record.sys_name, root)
            except pci_sysfs.SysfsError as error:
                raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_NONE, str(error)) from None
            except OSError as error:
                raise report(api.VIR_ERR_SYSTEM_ERROR, api.VIR_FROM_NONE, str(error)) from None
            return bool(dynamic.mdev_types), use(dynamic)

        def then(result: tuple[bool, Any]) -> Any:
            has_mdev_types, value = result
            self._note_mdev_types(device, record, has_mdev_types)
            return answer(value)

        return Offload(work, then)

    @staticmethod
    def _note_mdev_types(device: NodeDevice, record: DeviceRecord, offered: bool) -> None:
        """What a re-reading found, kept for listings by capability (libvirt's cached flag)."""
        if device.record is not record:  # replaced by a udev change meanwhile: that one counts
            return
        if offered:
            record.attributes["mdev-types"] = "yes"
        else:
            record.attributes.pop("mdev-types", None)
        device.extra_caps = extra_caps_of(record)

    def node_device_get_parent(self, args: remote.remote_node_device_get_parent_args):
        return remote.remote_node_device_get_parent_ret(self._device(args.name).parent)

    def node_device_num_of_caps(self, args: remote.remote_node_device_num_of_caps_args):
        device = self._device(args.name)
        if self._sysfs_root(device) is None:
            return remote.remote_node_device_num_of_caps_ret(len(device.caps))
        return self._with_dynamic_caps(
            device, lambda _: None, lambda _: remote.remote_node_device_num_of_caps_ret(len(device.caps))
        )

    def node_device_list_caps(self, args: remote.remote_node_device_list_caps_args):
        device = self._device(args.name)
        if self._sysfs_root(device) is None:
            return remote.remote_node_device_list_caps_ret(device.caps[: args.maxnames])
        return self._with_dynamic_caps(
            device, lambda _: None, lambda _: remote.remote_node_device_list_caps_ret(device.caps[: args.maxnames])
        )

    def node_device_is_active(self, args: remote.remote_node_device_is_active_args):
        self._device(args.name)
        return remote.remote_node_device_is_active_ret(1)

    def node_device_is_persistent(self, args: remote.remote_node_device_is_persistent_args):
        self._device(args.name)
        return remote.remote_node_device_is_persistent_ret(0)
