"""Node device procedures of the test driver."""

from __future__ import annotations

import functools

from virtrio.drivers.base import Event, EventFamily
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import cause_unknown, check_flags, report

from .common import (
    FROM_TEST,
    TestProcedures,
)
from .large_documents import read_then
from .nodedevs import CAPABILITY_TYPES, NEW_DEVICE, NewDevice, TestNodeDevice, parse_new_device, vhba_copy

VHBA_TEMPLATE = "scsi_host11"  # the vHBA libvirt's test driver copies to make one
VHBA_NAME = "scsi_host12"  # the name each vHBA it makes gets
CAPABILITY_FILTERS = (1 << len(CAPABILITY_TYPES)) - 1  # VIR_CONNECT_LIST_NODE_DEVICES_FILTERS_CAP


class NodeDeviceProcedures(TestProcedures):
    # ------------------------------------------------------------ node devices
    def _node_device(self, name: str):
        device = self.state.node_devices.get(name)
        if device is None:
            raise report(api.VIR_ERR_NO_NODE_DEVICE, FROM_TEST, f"no node device with matching name '{name}'")
        return device

    def connect_list_all_node_devices(self, args: remote.remote_connect_list_all_node_devices_args):
        # libvirt's test driver rejects the flags virsh 9.0 sends (ACTIVE); virtrio answers them
        # (a documented difference) and rejects the other unknown bits as libvirt does.
        by_state = api.VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE | api.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE
        if args.flags & ~(CAPABILITY_FILTERS | by_state):
            check_flags(args.flags, CAPABILITY_FILTERS, FROM_TEST, "testConnectListAllNodeDevices")
        wanted = args.flags & CAPABILITY_FILTERS
        if args.flags & api.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE and not (
            args.flags & api.VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE
        ):
            devices = []
        else:
            # VIR_CONNECT_LIST_NODE_DEVICES_CAP_* follow virNodeDevCapType's order, as CAPABILITY_TYPES does
            devices = [
                d
                for d in self.state.node_devices.values()
                if not wanted
                or any(wanted & 1 << bit and d.has_capability(cap) for bit, cap in enumerate(CAPABILITY_TYPES))
            ]
        refs = [remote.remote_nonnull_node_device(d.name) for d in devices] if args.need_results else []
        return remote.remote_connect_list_all_node_devices_ret(refs, len(devices))

    def node_num_of_devices(self, args: remote.remote_node_num_of_devices_args):
        check_flags(args.flags, 0, FROM_TEST, "testNodeNumOfDevices")
        devices = [d for d in self.state.node_devices.values() if args.cap is None or d.has_capability(args.cap)]
        return remote.remote_node_num_of_devices_ret(len(devices))

    def node_list_devices(self, args: remote.remote_node_list_devices_args):
        check_flags(args.flags, 0, FROM_TEST, "testNodeListDevices")
        names = [d.name for d in self.state.node_devices.values() if args.cap is None or d.has_capability(args.cap)]
        return remote.remote_node_list_devices_ret(names[: args.maxnames])

    def node_device_lookup_by_name(self, args: remote.remote_node_device_lookup_by_name_args):
        device = self._node_device(args.name)
        return remote.remote_node_device_lookup_by_name_ret(remote.remote_nonnull_node_device(device.name))

    def node_device_get_xml_desc(self, args: remote.remote_node_device_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_TEST, "testNodeDeviceGetXMLDesc")
        return remote.remote_node_device_get_xml_desc_ret(self._node_device(args.name).xml)

    def node_device_get_parent(self, args: remote.remote_node_device_get_parent_args):
        return remote.remote_node_device_get_parent_ret(self._node_device(args.name).parent)

    def node_device_num_of_caps(self, args: remote.remote_node_device_num_of_caps_args):
        return remote.remote_node_device_num_of_caps_ret(len(self._node_device(args.name).caps))

    def node_device_list_caps(self, args: remote.remote_node_device_list_caps_args):
        return remote.remote_node_device_list_caps_ret(list(self._node_device(args.name).caps)[: args.maxnames])

    # ------------------------------------------------------- creating vHBAs
    def node_device_create_xml(self, args: remote.remote_node_device_create_xml_args):
        check_flags(args.flags, api.VIR_NODE_DEVICE_CREATE_XML_VALIDATE, FROM_TEST, "testNodeDeviceCreateXML")
        validate = bool(args.flags & api.VIR_NODE_DEVICE_CREATE_XML_VALIDATE)
        read = functools.partial(parse_new_device, args.xml_desc, validate)
        return read_then(args.xml_desc, read, self._created_device)

    def _created_device(self, new: NewDevice) -> remote.remote_node_device_create_xml_ret:
        if new.fc_wwns is None:
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_NODEDEV, "Device is not a fibre channel HBA")
        self._vport_parent(new)
        device = self._mock_create_vport(*new.fc_wwns)
        return remote.remote_node_device_create_xml_ret(remote.remote_nonnull_node_device(device.name))

    def _mock_create_vport(self, wwnn: str, wwpn: str) -> TestNodeDevice:
        """testNodeDeviceMockCreateVport: a copy of scsi_host11 with the WWNs asked for (also
        what a transient fc_host storage pool makes)."""
        template = self.state.node_devices.get(VHBA_TEMPLATE)
        if template is None:
            raise cause_unknown()
        device = vhba_copy(template, VHBA_NAME, wwnn, wwpn)
        self.state.node_devices[device.name] = device
        self._emit_node_device(device.name, api.VIR_NODE_DEVICE_EVENT_CREATED)
        return device

    def _mock_destroy_vport(self) -> None:
        """testDestroyVport: whatever the WWNs, the vHBA the mock made (scsi_host12) goes."""
        if VHBA_NAME not in self.state.node_devices:
            raise report(api.VIR_ERR_NO_NODE_DEVICE, FROM_TEST, f"no node device with matching name '{VHBA_NAME}'")
        del self.state.node_devices[VHBA_NAME]
        self._emit_node_device(VHBA_NAME, api.VIR_NODE_DEVICE_EVENT_DELETED)

    def _vport_parent(self, new: NewDevice) -> TestNodeDevice:
        """virNodeDeviceObjListGetParentHost: the vport capable SCSI host to make the vHBA on."""
        devices = self.state.node_devices.values()
        if new.parent is not None:
            parent = self.state.node_devices.get(new.parent)
        elif new.parent_wwnn and new.parent_wwpn:
            parent = next(
                (
                    d
                    for d in devices
                    if d.has_capability("vports")
                    and d.has_capability("fc_host")
                    and (d.wwnn, d.wwpn) == (new.parent_wwnn, new.parent_wwpn)
                ),
                None,
            )
        elif new.parent_fabric_wwn:
            parent = next(
                (
                    d
                    for d in devices
                    if d.has_capability("vports")
                    and d.has_capability("fc_host")
                    and d.fabric_wwn == new.parent_fabric_wwn
                ),
                None,
            )
        else:
            parent = next((d for d in devices if d.has_capability("vports")), None)
            if parent is None:
                detail = "Could not find any vport capable device"
                raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_NODEDEV, detail)
        if parent is None:
            detail = f"Could not find parent device for '{NEW_DEVICE}'"
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_NODEDEV, detail)
        if not parent.has_capability("vports"):
            detail = f"Parent device {parent.name} is not capable of vport operations"
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_NODEDEV, detail)
        return parent

    def node_device_destroy(self, args: remote.remote_node_device_destroy_args) -> None:
        device = self._node_device(args.name)
        # libvirt's test driver reports these two failures, yet tells the caller it succeeded
        if not device.has_capability("fc_host"):
            return
        if device.parent not in self.state.node_devices:
            return
        del self.state.node_devices[device.name]
        self._emit_node_device(device.name, api.VIR_NODE_DEVICE_EVENT_DELETED)

    def _emit_node_device(self, name: str, event: int) -> None:
        fields = (remote.remote_nonnull_node_device(name), event, 0)
        self.state.events.emit(Event(EventFamily.NODEDEV, api.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, name, fields))
