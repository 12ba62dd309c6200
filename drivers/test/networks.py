"""Network procedures of the test driver."""

from __future__ import annotations

import uuid

from virtrio.drivers.base import Event
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import check_flags, report

from .common import (
    FROM_TEST,
    TestProcedures,
    _selected,
)
from .formats import network_xml
from .parse import parse_network_xml, validate_against_schema
from .state import Network


class NetworkProcedures(TestProcedures):
    # ----------------------------------------------------------------- networks
    def connect_list_all_networks(self, args: remote.remote_connect_list_all_networks_args):
        check_flags(args.flags, (1 << 6) - 1, FROM_TEST, "testConnectListAllNetworks")
        networks = [
            n for n in self.state.networks.values()
            if _selected(args.flags, api.VIR_CONNECT_LIST_NETWORKS_INACTIVE, api.VIR_CONNECT_LIST_NETWORKS_ACTIVE,
                         api.VIR_CONNECT_LIST_NETWORKS_PERSISTENT, api.VIR_CONNECT_LIST_NETWORKS_TRANSIENT,
                         api.VIR_CONNECT_LIST_NETWORKS_AUTOSTART, api.VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART, n)
        ]  # fmt: skip
        refs = [remote.remote_nonnull_network(n.name, n.uuid) for n in networks] if args.need_results else []
        return remote.remote_connect_list_all_networks_ret(refs, len(networks))

    def network_lookup_by_name(self, args: remote.remote_network_lookup_by_name_args):
        network = self.state.networks.get(args.name)
        if network is None:
            raise report(api.VIR_ERR_NO_NETWORK, FROM_TEST, f"no network with matching name '{args.name}'")
        return remote.remote_network_lookup_by_name_ret(remote.remote_nonnull_network(network.name, network.uuid))

    def network_lookup_by_uuid(self, args: remote.remote_network_lookup_by_uuid_args):
        network = self._network_with_uuid(args.uuid)
        if network is None:
            detail = f"no network with matching uuid '{uuid.UUID(bytes=args.uuid)}'"
            raise report(api.VIR_ERR_NO_NETWORK, FROM_TEST, detail)
        return remote.remote_network_lookup_by_uuid_ret(remote.remote_nonnull_network(network.name, network.uuid))

    def network_set_autostart(self, args: remote.remote_network_set_autostart_args) -> None:
        self._network(args.net).autostart = bool(args.autostart)

    def network_get_xml_desc(self, args: remote.remote_network_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_TEST, "testNetworkGetXMLDesc")
        return remote.remote_network_get_xml_desc_ret(network_xml(self._network(args.net)))

    def network_get_autostart(self, args: remote.remote_network_get_autostart_args):
        return remote.remote_network_get_autostart_ret(int(self._network(args.net).autostart))

    def network_is_active(self, args: remote.remote_network_is_active_args):
        return remote.remote_network_is_active_ret(int(self._network(args.net).active))

    def network_is_persistent(self, args: remote.remote_network_is_persistent_args):
        return remote.remote_network_is_persistent_ret(int(self._network(args.net).persistent))

    def network_get_bridge_name(self, args: remote.remote_network_get_bridge_name_args):
        return remote.remote_network_get_bridge_name_ret(self._network(args.net).bridge)

    def network_create(self, args: remote.remote_network_create_args) -> None:
        network = self._network(args.net)
        if network.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, f"Network '{network.name}' is already running")
        network.active = True
        self._emit_network(network, api.VIR_NETWORK_EVENT_STARTED)

    def _network_names(self, active: bool) -> list[str]:
        return [n.name for n in self.state.networks.values() if n.active == active]

    def connect_num_of_networks(self) -> remote.remote_connect_num_of_networks_ret:
        return remote.remote_connect_num_of_networks_ret(len(self._network_names(True)))

    def connect_list_networks(self, args: remote.remote_connect_list_networks_args):
        return remote.remote_connect_list_networks_ret(self._network_names(True)[: args.maxnames])

    def connect_num_of_defined_networks(self) -> remote.remote_connect_num_of_defined_networks_ret:
        return remote.remote_connect_num_of_defined_networks_ret(len(self._network_names(False)))

    def connect_list_defined_networks(self, args: remote.remote_connect_list_defined_networks_args):
        return remote.remote_connect_list_defined_networks_ret(self._network_names(False)[: args.maxnames])

    def _new_network(self, xml: str) -> Network:
        network = parse_network_xml(xml)
        for existing in self.state.networks.values():
            if existing.name == network.name or existing.uuid == network.uuid:
                detail = f"network '{existing.name}' already exists with uuid {uuid.UUID(bytes=existing.uuid)}"
                raise report(api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_NETWORK, detail)
        self.state.networks[network.name] = network
        return network

    def network_define_xml(self, args: remote.remote_network_define_xml_args):
        network = self._new_network(args.xml)
        network.active = False
        self._emit_network(network, api.VIR_NETWORK_EVENT_DEFINED)
        return remote.remote_network_define_xml_ret(remote.remote_nonnull_network(network.name, network.uuid))

    def network_define_xml_flags(self, args: remote.remote_network_define_xml_flags_args):
        check_flags(args.flags, api.VIR_NETWORK_DEFINE_VALIDATE, FROM_TEST, "testNetworkDefineXMLFlags")
        if args.flags & api.VIR_NETWORK_DEFINE_VALIDATE:
            validate_against_schema(args.xml, "network.rng", "network")
        ret = self.network_define_xml(remote.remote_network_define_xml_args(args.xml))
        return remote.remote_network_define_xml_flags_ret(ret.net)

    def network_create_xml(self, args: remote.remote_network_create_xml_args):
        network = self._new_network(args.xml)
        network.persistent = False
        self._emit_network(network, api.VIR_NETWORK_EVENT_STARTED)
        return remote.remote_network_create_xml_ret(remote.remote_nonnull_network(network.name, network.uuid))

    def network_create_xml_flags(self, args: remote.remote_network_create_xml_flags_args):
        check_flags(args.flags, api.VIR_NETWORK_CREATE_VALIDATE, FROM_TEST, "testNetworkCreateXMLFlags")
        if args.flags & api.VIR_NETWORK_CREATE_VALIDATE:
            validate_against_schema(args.xml, "network.rng", "network")
        ret = self.network_create_xml(remote.remote_network_create_xml_args(args.xml))
        return remote.remote_network_create_xml_flags_ret(ret.net)

    def network_undefine(self, args: remote.remote_network_undefine_args) -> None:
        network = self._network(args.net)
        if network.active:
            detail = f"Network '{network.name}' is still running"
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_NETWORK, detail)
        del self.state.networks[network.name]
        self._emit_network(network, api.VIR_NETWORK_EVENT_UNDEFINED)

    def _emit_network(self, network: Network, event: int) -> None:
        fields = (remote.remote_nonnull_network(network.name, network.uuid), event, 0)
        self.state.events.emit(Event("network", api.VIR_NETWORK_EVENT_ID_LIFECYCLE, network.uuid, fields))

    def network_destroy(self, args: remote.remote_network_destroy_args) -> None:
        network = self._network(args.net)
        network.active = False  # libvirt's test driver stops a network whether it runs or not
        self._emit_network(network, api.VIR_NETWORK_EVENT_STOPPED)
        if not network.persistent:  # a transient network is gone once stopped
            del self.state.networks[network.name]
