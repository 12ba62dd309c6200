"""Node device procedures of the test driver."""

from __future__ import annotations

from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import check_flags, report

from .common import (
    FROM_TEST,
    TestProcedures,
)


class NodeDeviceProcedures(TestProcedures):
    # ------------------------------------------------------------ node devices
    def _node_device(self, name: str):
        device = self.state.node_devices.get(name)
        if device is None:
            raise report(api.VIR_ERR_NO_NODE_DEVICE, FROM_TEST, f"no node device with matching name '{name}'")
        return device

    def connect_list_all_node_devices(self, args: remote.remote_connect_list_all_node_devices_args):
        # libvirt's test driver rejects the flags virsh 9.0 sends; virtrio answers (a documented difference).
        wanted = args.flags & ~(api.VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE | api.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE)
        if args.flags & api.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE and not (
            args.flags & api.VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE
        ):
            devices = []
        else:
            flags = {"system": api.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM,
                     "scsi_host": api.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST,
                     "fc_host": api.VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST,
                     "vport_ops": api.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS}  # fmt: skip
            devices = [d for d in self.state.node_devices.values()
                       if not wanted or any(flags.get(cap, 0) & wanted for cap in d.caps)]  # fmt: skip
        refs = [remote.remote_nonnull_node_device(d.name) for d in devices] if args.need_results else []
        return remote.remote_connect_list_all_node_devices_ret(refs, len(devices))

    def node_num_of_devices(self, args: remote.remote_node_num_of_devices_args):
        check_flags(args.flags, 0, FROM_TEST, "testNodeNumOfDevices")
        devices = [d for d in self.state.node_devices.values() if args.cap is None or args.cap in d.caps]
        return remote.remote_node_num_of_devices_ret(len(devices))

    def node_list_devices(self, args: remote.remote_node_list_devices_args):
        check_flags(args.flags, 0, FROM_TEST, "testNodeListDevices")
        names = [d.name for d in self.state.node_devices.values() if args.cap is None or args.cap in d.caps]
        return remote.remote_node_list_devices_ret(names[: args.maxnames])

    def node_device_lookup_by_name(self, args: remote.remote_node_device_lookup_by_name_args):
        device = self._node_device(args.name)
        return remote.remote_node_device_lookup_by_name_ret(remote.remote_nonnull_node_device(device.name))

    def node_device_lookup_scsi_host_by_wwn(self, args: remote.remote_node_device_lookup_scsi_host_by_wwn_args):
        check_flags(args.flags, 0, FROM_TEST, "testNodeDeviceLookupSCSIHostByWWN")
        for device in self.state.node_devices.values():
            if device.wwnn == args.wwnn and device.wwpn == args.wwpn:
                ref = remote.remote_nonnull_node_device(device.name)
                return remote.remote_node_device_lookup_scsi_host_by_wwn_ret(ref)
        raise report(api.VIR_ERR_NO_NODE_DEVICE, FROM_TEST, None)

    def node_device_get_xml_desc(self, args: remote.remote_node_device_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_TEST, "testNodeDeviceGetXMLDesc")
        return remote.remote_node_device_get_xml_desc_ret(self._node_device(args.name).xml)

    def node_device_get_parent(self, args: remote.remote_node_device_get_parent_args):
        return remote.remote_node_device_get_parent_ret(self._node_device(args.name).parent)

    def node_device_num_of_caps(self, args: remote.remote_node_device_num_of_caps_args):
        return remote.remote_node_device_num_of_caps_ret(len(self._node_device(args.name).caps))

    def node_device_list_caps(self, args: remote.remote_node_device_list_caps_args):
        return remote.remote_node_device_list_caps_ret(list(self._node_device(args.name).caps)[: args.maxnames])

    def node_device_is_active(self, args: remote.remote_node_device_is_active_args):
        self._node_device(args.name)
        return remote.remote_node_device_is_active_ret(1)

    def node_device_is_persistent(self, args: remote.remote_node_device_is_persistent_args):
        self._node_device(args.name)
        return remote.remote_node_device_is_persistent_ret(1)
