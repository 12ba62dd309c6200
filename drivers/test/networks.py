"""Network procedures of the test driver."""

from __future__ import annotations

import functools
import operator
import socket
from collections.abc import Callable
from typing import Any

from lxml import etree

from virtrio.drivers.base import Event, EventFamily, Offload, release_after_reply
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import check_flags, report

from .common import (
    FROM_TEST,
    TestProcedures,
    _selected,
    check_name_and_uuid,
)
from .formats import network_definition_xml
from .large_documents import large_object, large_text, read_then, write_then
from .network_definition import (
    DhcpHost,
    NetworkDefinition,
    NetworkIP,
    parse_definition,
    parse_dhcp_host,
    parse_dhcp_range,
    parse_dns_host,
    parse_dns_srv,
    parse_dns_txt,
    parse_mac,
    parse_portgroup,
)
from .parse import parse_network_xml, parse_xml, validate_against_schema
from .state import Network, TestState


def assign_network(state: TestState, network: Network, live: bool, on_loop: bool = True) -> Network:
    """virNetworkObjAssignDef: a new network, or a new definition for the one of this name and
    UUID (also what a node file's networks go through: on_loop False, as a node file is read
    in a worker thread, where definitions replaced are simply dropped)."""
    check_name_and_uuid("network", state.networks, network.name, network.uuid, api.VIR_FROM_NETWORK)
    existing = state.networks.get(network.name)
    if existing is not None:  # (of the same UUID)
        if live and existing.active:
            detail = f"network is already active as '{existing.name}'"
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_NETWORK, detail)
        _assign_definition(existing, network.definition, live, on_loop)
        return existing
    network.active, network.persistent = False, not live
    state.networks[network.name] = network
    return network


def _assign_definition(network: Network, definition: NetworkDefinition, live: bool, on_loop: bool) -> None:
    """virNetworkObjUpdateAssignDef."""
    if on_loop:  # (release_after_reply's list is the event loop's alone)
        release_after_reply((network.definition, network.new_definition))  # those replaced, freed after the reply
    if live:
        if network.persistent and network.new_definition is None:
            network.new_definition = network.definition
        network.definition = definition
    else:
        if network.active:
            network.new_definition = definition
        else:
            network.new_definition, network.definition = None, definition
        network.persistent = True


class NetworkProcedures(TestProcedures):
    # ----------------------------------------------------------------- networks
    def connect_list_all_networks(self, args: remote.remote_connect_list_all_networks_args):
        check_flags(args.flags, (1 << 6) - 1, FROM_TEST, "testConnectListAllNetworks")
        networks = [
            n
            for n in self.state.networks.values()
            if _selected(
                args.flags,
                api.VIR_CONNECT_LIST_NETWORKS_INACTIVE,
                api.VIR_CONNECT_LIST_NETWORKS_ACTIVE,
                api.VIR_CONNECT_LIST_NETWORKS_PERSISTENT,
                api.VIR_CONNECT_LIST_NETWORKS_TRANSIENT,
                api.VIR_CONNECT_LIST_NETWORKS_AUTOSTART,
                api.VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART,
                n,
            )
        ]
        refs = [remote.remote_nonnull_network(n.name, n.uuid) for n in networks] if args.need_results else []
        return remote.remote_connect_list_all_networks_ret(refs, len(networks))

    def network_lookup_by_name(self, args: remote.remote_network_lookup_by_name_args):
        network = self._network_named(args.name)
        return remote.remote_network_lookup_by_name_ret(remote.remote_nonnull_network(network.name, network.uuid))

    def network_lookup_by_uuid(self, args: remote.remote_network_lookup_by_uuid_args):
        network = self._network_by_uuid(args.uuid)
        return remote.remote_network_lookup_by_uuid_ret(remote.remote_nonnull_network(network.name, network.uuid))

    def network_set_autostart(self, args: remote.remote_network_set_autostart_args) -> None:
        self._network(args.net).autostart = bool(args.autostart)

    def network_get_xml_desc(self, args: remote.remote_network_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_TEST, "testNetworkGetXMLDesc")
        # (a definition is never changed in place: a worker thread may write this one)
        definition = self._network(args.net).definition
        large = large_object(definition.part_counts())
        write = functools.partial(network_definition_xml, definition)
        return write_then(large, write, remote.remote_network_get_xml_desc_ret)

    def network_get_autostart(self, args: remote.remote_network_get_autostart_args):
        return remote.remote_network_get_autostart_ret(int(self._network(args.net).autostart))

    def network_is_active(self, args: remote.remote_network_is_active_args):
        return remote.remote_network_is_active_ret(int(self._network_by_uuid(args.net.uuid).active))

    def network_is_persistent(self, args: remote.remote_network_is_persistent_args):
        return remote.remote_network_is_persistent_ret(int(self._network_by_uuid(args.net.uuid).persistent))

    def network_get_bridge_name(self, args: remote.remote_network_get_bridge_name_args):
        network = self._network(args.net)
        if network.definition.bridge is None:
            detail = f"network '{network.name}' does not have a bridge name."
            raise report(api.VIR_ERR_INTERNAL_ERROR, FROM_TEST, detail)
        return remote.remote_network_get_bridge_name_ret(network.definition.bridge)

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

    def network_define_xml(self, args: remote.remote_network_define_xml_args):
        return read_then(args.xml, functools.partial(_read_network, args.xml, False), self._defined_network)

    def network_define_xml_flags(self, args: remote.remote_network_define_xml_flags_args):
        flag = api.VIR_NETWORK_DEFINE_VALIDATE
        defined = self._read_validated(args.xml, args.flags, flag, "testNetworkDefineXMLFlags")
        return defined(lambda network: remote.remote_network_define_xml_flags_ret(self._defined_network(network).net))

    def _read_validated(self, xml: str, flags: int, validate_flag: int, function: str) -> Callable[[Callable], Any]:
        """The *XMLFlags calls: their flags checked, then what is given the network read
        (validated when asked), large or not (read_then)."""
        check_flags(flags, validate_flag, FROM_TEST, function)
        return functools.partial(read_then, xml, functools.partial(_read_network, xml, bool(flags & validate_flag)))

    def _defined_network(self, parsed: Network) -> remote.remote_network_define_xml_ret:
        network = assign_network(self.state, parsed, live=False)
        self._emit_network(network, api.VIR_NETWORK_EVENT_DEFINED)
        return remote.remote_network_define_xml_ret(remote.remote_nonnull_network(network.name, network.uuid))

    def network_create_xml(self, args: remote.remote_network_create_xml_args):
        return read_then(args.xml, functools.partial(_read_network, args.xml, False), self._created_network)

    def network_create_xml_flags(self, args: remote.remote_network_create_xml_flags_args):
        flag = api.VIR_NETWORK_CREATE_VALIDATE
        created = self._read_validated(args.xml, args.flags, flag, "testNetworkCreateXMLFlags")
        return created(lambda network: remote.remote_network_create_xml_flags_ret(self._created_network(network).net))

    def _created_network(self, parsed: Network) -> remote.remote_network_create_xml_ret:
        network = assign_network(self.state, parsed, live=True)
        network.active = True
        self._emit_network(network, api.VIR_NETWORK_EVENT_STARTED)
        return remote.remote_network_create_xml_ret(remote.remote_nonnull_network(network.name, network.uuid))

    def network_undefine(self, args: remote.remote_network_undefine_args) -> None:
        network = self._network(args.net)
        if network.active:
            detail = f"Network '{network.name}' is still running"
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, detail)  # testNetworkUndefine's own
        del self.state.networks[network.name]
        release_after_reply(network)  # (a large definition's many objects freed after the reply)
        self._emit_network(network, api.VIR_NETWORK_EVENT_UNDEFINED)

    def _emit_network(self, network: Network, event: int) -> None:
        fields = (remote.remote_nonnull_network(network.name, network.uuid), event, 0)
        self.state.events.emit(Event(EventFamily.NETWORK, api.VIR_NETWORK_EVENT_ID_LIFECYCLE, network.uuid, fields))

    def network_destroy(self, args: remote.remote_network_destroy_args) -> None:
        network = self._network(args.net)
        network.active = False  # libvirt's test driver stops a network whether it runs or not
        self._emit_network(network, api.VIR_NETWORK_EVENT_STOPPED)
        if not network.persistent:  # a transient network is gone once stopped
            del self.state.networks[network.name]
            release_after_reply(network)

    # ------------------------------------------------------------ network update
    def network_update(self, args: remote.remote_network_update_args) -> Offload | None:
        """testNetworkUpdate. The change is made to copies of the definitions, which then take
        their places; for a large network (or a large change) the copies are made, changed and
        checked in a worker thread, and put in place on the loop if nothing else changed the
        network meanwhile (otherwise the change is made again after the other one: in a worker
        thread again, so that no client's timing puts a large copy on the loop)."""
        live_flag, config_flag = api.VIR_NETWORK_UPDATE_AFFECT_LIVE, api.VIR_NETWORK_UPDATE_AFFECT_CONFIG
        check_flags(args.flags, live_flag | config_flag, FROM_TEST, "testNetworkUpdate")
        network = self._network_by_uuid(args.net.uuid)
        flags = args.flags
        if not flags & (live_flag | config_flag):  # AFFECT_CURRENT
            flags |= live_flag if network.active else config_flag
        # virNetworkObjConfigChangeSetup
        if not network.active and flags & live_flag:
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_NETWORK, "network is not running")
        if flags & config_flag:
            if not network.persistent:
                detail = "cannot change persistent config of a transient network"
                raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_NETWORK, detail)
            if network.active and network.new_definition is None:  # virNetworkObjSetDefTransient
                network.new_definition = network.definition  # (shared: neither is changed in place)
        live = network.definition if flags & live_flag else None
        config = network.persistent_definition if flags & config_flag else None
        change = functools.partial(_updated_copies, live, config, args)
        large = large_text(args.xml) or any(
            large_object(definition.part_counts()) for definition in (live, config) if definition
        )
        if not large:
            self._put_updated(network, *change())
            return None
        seen = (network.definition, network.new_definition, network.active, network.persistent)

        def then(updated: tuple[NetworkDefinition | None, NetworkDefinition | None]) -> Offload | None:
            now = (network.definition, network.new_definition, network.active, network.persistent)
            if self._network_with_uuid(network.uuid) is network and all(map(operator.is_, now, seen)):
                self._put_updated(network, *updated)
                return None
            return self.network_update(args)  # another client's change came first: on top of it

        return Offload(change, then)

    @staticmethod
    def _put_updated(network: Network, live: NetworkDefinition | None, config: NetworkDefinition | None) -> None:
        release_after_reply((network.definition, network.new_definition))  # those replaced, freed after the reply
        if config is not None:  # virNetworkObjReplacePersistentDef
            if network.active:
                network.new_definition = config
            else:
                network.definition = config
        if live is not None:
            network.definition = live


def _updated_copies(
    live: NetworkDefinition | None, config: NetworkDefinition | None, args: remote.remote_network_update_args
) -> tuple[NetworkDefinition | None, NetworkDefinition | None]:
    """Copies of the live and persistent definitions (those given) with the change made and
    checked (virNetworkDefCopy's write and read): reads nothing else (see network_update)."""
    updated = []
    for definition in (live, config):
        if definition is not None:
            definition = definition.copy()
            update_section(definition, args.command, args.section, args.parentIndex, args.xml)
            _checked_copy(definition)
        updated.append(definition)
    return updated[0], updated[1]


def _checked_copy(definition: NetworkDefinition) -> NetworkDefinition:
    """virNetworkDefCopy: the definition written out and read back in, with the reader's checks."""
    return parse_definition(etree.fromstring(network_definition_xml(definition).encode()))


def network_failure(code: int, detail: str) -> Exception:
    return report(code, api.VIR_FROM_NETWORK, detail)


def _invalid(detail: str) -> Exception:
    return network_failure(api.VIR_ERR_OPERATION_INVALID, detail)


def _unknown_command(command: int) -> Exception:
    return network_failure(api.VIR_ERR_OPERATION_UNSUPPORTED, f"unrecognized network update command code {command}")


def _check_element(definition: NetworkDefinition, node: etree._Element, section: str) -> None:
    if node.tag != section:
        detail = f"unexpected element <{node.tag}>, expecting <{section}>, while updating network '{definition.name}'"
        raise network_failure(api.VIR_ERR_XML_ERROR, detail)


def _insert(items: list, item, command: int) -> None:
    items.insert(0 if command == api.VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST else len(items), item)


ADDING = (api.VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST, api.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST)
MODIFY = api.VIR_NETWORK_UPDATE_COMMAND_MODIFY
DELETE = api.VIR_NETWORK_UPDATE_COMMAND_DELETE
SECTIONS_WITHOUT_UPDATE = {
    api.VIR_NETWORK_SECTION_BRIDGE: "bridge",
    api.VIR_NETWORK_SECTION_DOMAIN: "domain",
    api.VIR_NETWORK_SECTION_IP: "ip",
    api.VIR_NETWORK_SECTION_FORWARD: "forward",
    api.VIR_NETWORK_SECTION_FORWARD_PF: "forward pf",
}


def update_section(definition: NetworkDefinition, command: int, section: int, parent_index: int, xml: str) -> None:
    """virNetworkDefUpdateSection: one change to one section of the definition, in place."""
    node = parse_xml(xml, "network_update_xml", api.VIR_FROM_NETWORK)  # any element will do
    if section in SECTIONS_WITHOUT_UPDATE:
        detail = f"can't update '{SECTIONS_WITHOUT_UPDATE[section]}' section of network '{definition.name}'"
        raise network_failure(api.VIR_ERR_OPERATION_UNSUPPORTED, detail)
    handler = SECTION_UPDATES.get(section)
    if handler is None:
        raise network_failure(api.VIR_ERR_OPERATION_UNSUPPORTED, "can't update unrecognized section of network")
    handler(definition, command, parent_index, node)


def _ip_for_dhcp(definition: NetworkDefinition, parent_index: int) -> tuple[NetworkIP | None, Exception | None]:
    """virNetworkIPDefByIndex: the <ip> at the index, or the one with DHCP, or the first IPv4 or IPv6 one."""
    if parent_index >= 0:
        ip = definition.ip_by_index(socket.AF_UNSPEC, parent_index)
        if ip is None:
            return None, _invalid(
                f"couldn't update dhcp host entry - no <ip> element found at index "
                f"{parent_index} in network '{definition.name}'"
            )
        return ip, None
    ip = next((ip for ip in definition.ips if ip.ranges or ip.hosts), None)
    ip = ip or definition.ip_by_index(socket.AF_INET, 0) or definition.ip_by_index(socket.AF_INET6, 0)
    if ip is None:
        return None, _invalid(f"couldn't update dhcp host entry - no <ip> element found in network '{definition.name}'")
    return ip, None


def _check_single_dhcp(definition: NetworkDefinition, ip: NetworkIP) -> None:
    family = ip.address_family
    for other in definition.ips:
        if other is not ip and other.address_family == family and (other.ranges or other.hosts):
            kind = "IPv4" if family == socket.AF_INET else "IPv6"
            raise _invalid(f"dhcp is supported only for a single {kind} address on each network")


def _same_mac(first: str | None, second: str | None) -> bool:
    return first is not None and second is not None and parse_mac(first) == parse_mac(second)


def _update_dhcp_host(definition: NetworkDefinition, command: int, parent_index: int, node: etree._Element) -> None:
    ip, missing = _ip_for_dhcp(definition, parent_index)
    partial = command == DELETE
    _check_element(definition, node, "host")
    if ip is None:
        raise missing
    host = parse_dhcp_host(definition.name, ip, node, partial)
    if not partial and ip.address_family != network_family(host.ip):
        raise _invalid(
            "the address family of a host entry IP must match the address family of the dhcp element's parent"
        )
    if command == MODIFY:
        index = next(
            (
                i
                for i, old in enumerate(ip.hosts)
                if _same_mac(host.mac, old.mac)
                or (host.ip is not None and host.ip == old.ip)
                or (host.name is not None and host.name == old.name)
            ),
            None,
        )
        if index is None:
            raise _invalid(
                f"couldn't locate an existing dhcp host entry with \"mac='{host.mac or 'unknown'}'\" "
                f"\"name='{_c_string(host.name)}'\" \"ip='{host.ip or 'unknown'}'\" "
                f"in network '{definition.name}'"
            )
        ip.hosts[index] = host
    elif command in ADDING:
        _check_single_dhcp(definition, ip)
        for old in ip.hosts:
            if (
                _same_mac(host.mac, old.mac)
                or (host.name is not None and host.name == old.name)
                or (host.ip is not None and host.ip == old.ip)
            ):
                raise _invalid(
                    f"there is an existing dhcp host entry in network '{definition.name}' that matches "
                    f"\"<host mac='{host.mac or 'unknown'}' name='{_c_string(host.name)}' "
                    f"ip='{host.ip or 'unknown'}'/>\""
                )
        _insert(ip.hosts, host, command)
    elif command == DELETE:
        index = next((i for i, old in enumerate(ip.hosts) if _matches_partially(host, old)), None)
        if index is None:
            raise _invalid(f"couldn't locate a matching dhcp host entry in network '{definition.name}'")
        del ip.hosts[index]
    else:
        raise _unknown_command(command)


def _matches_partially(wanted: DhcpHost, host: DhcpHost) -> bool:
    """All the attributes given match (a MAC matches any host that has none)."""
    return (
        (wanted.mac is None or host.mac is None or parse_mac(wanted.mac) == parse_mac(host.mac))
        and (wanted.name is None or wanted.name == host.name)
        and (wanted.ip is None or wanted.ip == host.ip)
    )


def _c_string(text: str | None) -> str:
    """What glibc's printf writes for a string that may be NULL."""
    return "(null)" if text is None else text


def network_family(address: str | None) -> int:
    if address is None:
        return socket.AF_UNSPEC
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _update_dhcp_range(definition: NetworkDefinition, command: int, parent_index: int, node: etree._Element) -> None:
    ip, missing = _ip_for_dhcp(definition, parent_index)
    _check_element(definition, node, "range")
    if ip is None:
        raise missing
    if command == MODIFY:
        detail = "dhcp ranges cannot be modified, only added or deleted"
        raise network_failure(api.VIR_ERR_OPERATION_UNSUPPORTED, detail)
    dhcp_range = parse_dhcp_range(definition.name, ip, node)
    if ip.address_family != network_family(dhcp_range.start):
        raise _invalid("the address family of a dhcp range must match the address family of the dhcp element's parent")
    index = next(
        (i for i, old in enumerate(ip.ranges) if (old.start, old.end) == (dhcp_range.start, dhcp_range.end)), None
    )
    if command in ADDING:
        _check_single_dhcp(definition, ip)
        if index is not None:
            raise _invalid(
                f"there is an existing dhcp range entry in network '{definition.name}' that matches "
                f"\"<range start='{dhcp_range.start}' end='{dhcp_range.end}'/>\""
            )
        _insert(ip.ranges, dhcp_range, command)
    elif command == DELETE:
        if index is None:
            raise _invalid(f"couldn't locate a matching dhcp range entry in network '{definition.name}'")
        del ip.ranges[index]
    else:
        raise _unknown_command(command)


def _update_forward_interface(
    definition: NetworkDefinition, command: int, parent_index: int, node: etree._Element
) -> None:
    _check_element(definition, node, "interface")
    if command == MODIFY:
        detail = "forward interface entries cannot be modified, only added or deleted"
        raise network_failure(api.VIR_ERR_OPERATION_UNSUPPORTED, detail)
    dev = node.get("dev")
    if dev is None:
        raise network_failure(api.VIR_ERR_XML_ERROR, "missing dev attribute in <interface> element")
    interfaces = definition.forward.interfaces
    if command in ADDING:
        if dev in interfaces:
            raise _invalid(
                f"there is an existing interface entry in network '{definition.name}' that matches "
                f"\"<interface dev='{dev}'>\""
            )
        _insert(interfaces, dev, command)
    elif command == DELETE:
        if dev not in interfaces:
            raise _invalid(
                f"couldn't find an interface entry in network '{definition.name}' matching <interface dev='{dev}'>"
            )
        interfaces.remove(dev)
    else:
        raise _unknown_command(command)


def _update_portgroup(definition: NetworkDefinition, command: int, parent_index: int, node: etree._Element) -> None:
    _check_element(definition, node, "portgroup")
    portgroup = parse_portgroup(node)
    found = next((i for i, old in enumerate(definition.portgroups) if old.name == portgroup.name), None)
    default = next((i for i, old in reversed(list(enumerate(definition.portgroups))) if old.default), None)
    if found is None and command in (MODIFY, DELETE):
        raise _invalid(
            f"couldn't find a portgroup entry in network '{definition.name}' matching "
            f"<portgroup name='{portgroup.name}'>"
        )
    if found is not None and command in ADDING:
        raise _invalid(
            f"there is an existing portgroup entry in network '{definition.name}' that matches "
            f"\"<portgroup name='{portgroup.name}'>\""
        )
    if command != DELETE and portgroup.default and default is not None and default != found:
        raise _invalid(
            f"a different portgroup entry in network '{definition.name}' is already set as the "
            "default. Only one default is allowed."
        )
    if command == MODIFY:
        definition.portgroups[found] = portgroup
    elif command in ADDING:
        _insert(definition.portgroups, portgroup, command)
    elif command == DELETE:
        del definition.portgroups[found]
    else:
        raise _unknown_command(command)


def _update_dns_host(definition: NetworkDefinition, command: int, parent_index: int, node: etree._Element) -> None:
    adding = command in ADDING
    if command == MODIFY:
        detail = "DNS HOST records cannot be modified, only added or deleted"
        raise network_failure(api.VIR_ERR_OPERATION_UNSUPPORTED, detail)
    _check_element(definition, node, "host")
    host = parse_dns_host(definition.name, node, not adding)
    hosts = definition.dns.hosts
    # adding looks only for the address: several addresses may share a name
    found = [i for i, old in enumerate(hosts) if host.ip == old.ip or (not adding and set(host.names) & set(old.names))]
    if adding:
        if found:
            raise _invalid(
                f"there is already at least one DNS HOST record with a matching field in network {definition.name}"
            )
        _insert(hosts, host, command)
    elif command == DELETE:
        if not found:
            raise _invalid(f"couldn't locate a matching DNS HOST record in network {definition.name}")
        if len(found) > 1:
            raise _invalid(f"multiple matching DNS HOST records were found in network {definition.name}")
        del hosts[found[0]]
    else:
        raise _unknown_command(command)


def _update_dns_txt(definition: NetworkDefinition, command: int, parent_index: int, node: etree._Element) -> None:
    adding = command in ADDING
    if command == MODIFY:
        detail = "DNS TXT records cannot be modified, only added or deleted"
        raise network_failure(api.VIR_ERR_OPERATION_UNSUPPORTED, detail)
    _check_element(definition, node, "txt")
    txt = parse_dns_txt(definition.name, node, not adding)
    txts = definition.dns.txts
    index = next((i for i, old in enumerate(txts) if old.name == txt.name), None)
    if adding:
        if index is not None:
            raise _invalid(f"there is already a DNS TXT record with name '{txt.name}' in network {definition.name}")
        _insert(txts, txt, command)
    elif command == DELETE:
        if index is None:
            raise _invalid(f"couldn't locate a matching DNS TXT record in network {definition.name}")
        del txts[index]
    else:
        raise _unknown_command(command)


def _update_dns_srv(definition: NetworkDefinition, command: int, parent_index: int, node: etree._Element) -> None:
    adding = command in ADDING
    if command == MODIFY:
        detail = "DNS SRV records cannot be modified, only added or deleted"
        raise network_failure(api.VIR_ERR_OPERATION_UNSUPPORTED, detail)
    _check_element(definition, node, "srv")
    srv = parse_dns_srv(definition.name, node, not adding)
    srvs = definition.dns.srvs
    fields = ("domain", "service", "protocol", "target")
    found = [
        i
        for i, old in enumerate(srvs)
        if all(getattr(srv, name) is None or getattr(srv, name) == getattr(old, name) for name in fields)
    ]
    if adding:
        if found:
            raise _invalid(
                f"there is already at least one DNS SRV record matching all specified fields in network "
                f"{definition.name}"
            )
        _insert(srvs, srv, command)
    elif command == DELETE:
        if not found:
            raise _invalid(f"couldn't locate a matching DNS SRV record in network {definition.name}")
        if len(found) > 1:
            raise _invalid(
                f"multiple DNS SRV records matching all specified fields were found in network {definition.name}"
            )
        del srvs[found[-1]]
    else:
        raise _unknown_command(command)


SECTION_UPDATES = {
    api.VIR_NETWORK_SECTION_IP_DHCP_HOST: _update_dhcp_host,
    api.VIR_NETWORK_SECTION_IP_DHCP_RANGE: _update_dhcp_range,
    api.VIR_NETWORK_SECTION_FORWARD_INTERFACE: _update_forward_interface,
    api.VIR_NETWORK_SECTION_PORTGROUP: _update_portgroup,
    api.VIR_NETWORK_SECTION_DNS_HOST: _update_dns_host,
    api.VIR_NETWORK_SECTION_DNS_TXT: _update_dns_txt,
    api.VIR_NETWORK_SECTION_DNS_SRV: _update_dns_srv,
}


def _read_network(text: str, validate: bool) -> Network:
    """The network a document defines, checked against libvirt's schema first when asked
    (the *_VALIDATE flags): uses nothing but the text (large_documents)."""
    if validate:
        validate_against_schema(text, "network.rng", "network")
    return parse_network_xml(text)
