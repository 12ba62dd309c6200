"""A host interface's definition as libvirt keeps it (interface_conf.c's virInterfaceDef), read
from XML with libvirt's checks and messages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from virtrio.drivers.libvirt_rules import missing_attribute, strtol_whole
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, cause_unknown, report

from .parse import parse_document, validate_against_schema

FROM_INTERFACE = api.VIR_FROM_INTERFACE
TYPES = ("ethernet", "bridge", "bond", "vlan")
START_MODES = ("onboot", "hotplug", "none")
BOND_MODES = ("balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb")
LINK_STATES = ("unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up")


@dataclass
class InterfaceIP:
    """An <ip> of a host interface's protocol (virInterfaceIPDef)."""

    address: str
    prefix: int = 0


@dataclass
class InterfaceProtocol:
    """A host interface's <protocol> of one family (virInterfaceProtocolDef)."""

    family: str
    autoconf: bool = False
    dhcp: bool = False
    peerdns: bool | None = None
    ips: list[InterfaceIP] = field(default_factory=list)
    gateway: str | None = None


@dataclass
class Bond:
    """A bond interface's <bond> settings (virInterfaceBondDef)."""

    mode: str | None = None
    monitor: str | None = None  # "miimon" or "arpmon"
    frequency: int = 0
    downdelay: int = 0
    updelay: int = 0
    carrier: str | None = None
    interval: int = 0
    target: str | None = None
    validate: str | None = None


@dataclass
class InterfaceDefinition:
    """Never changed in place once an interface holds it (a define puts a new one in its place):
    a worker thread may write it out while the event loop goes on."""

    type: str
    name: str
    start_mode: str | None = None
    mtu: int = 0
    protocols: list[InterfaceProtocol] = field(default_factory=list)
    link_speed: int = 0
    link_state: str | None = None
    mac: str | None = None  # as written
    stp: bool | None = None  # bridge
    delay: str | None = None  # bridge
    bond: Bond | None = None
    vlan_tag: str | None = None
    vlan_device: str | None = None
    members: list[InterfaceDefinition] = field(default_factory=list)  # of a bridge or bond

    def part_counts(self) -> Iterator[int]:
        """Its members, protocols and addresses, and its members' (large_documents.more_than)."""
        yield len(self.members) + len(self.protocols)
        for protocol in self.protocols:
            yield len(protocol.ips)
        for member in self.members:
            yield from member.part_counts()


def _xml_error(detail: str) -> LibvirtError:
    return report(api.VIR_ERR_XML_ERROR, FROM_INTERFACE, detail)


def _attribute_error(element: etree._Element, name: str, detail: str) -> LibvirtError:
    value = element.get(name)
    text = f"Invalid value for attribute '{name}' in element '{element.tag}': '{value}'.{detail}"
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, text)


def _xpath_int(element: etree._Element | None, name: str) -> tuple[int, int]:
    """virXPathInt of an attribute: (-1 absent, -2 invalid, 0 read), value."""
    text = element.get(name) if element is not None else None
    if not text:
        return -1, 0
    value = strtol_whole(text)
    return (-2, 0) if value is None else (0, value)


def parse_interface_xml(text: str, validate: bool = False) -> InterfaceDefinition:
    """virInterfaceDefParseString."""
    if validate:
        validate_against_schema(text, "interface.rng", "interface")
    root = parse_document(text, "interface")
    return _parse(root, None)


def _parse(node: etree._Element, parent_type: str | None) -> InterfaceDefinition:
    kind = node.get("type")
    if kind is None:
        raise missing_attribute(node.tag, "type")
    if kind not in TYPES:
        raise _attribute_error(node, "type", "")
    if (
        (parent_type == "bond" and kind != "ethernet")
        or (parent_type == "bridge" and kind not in ("ethernet", "bond", "vlan"))
        or parent_type in ("ethernet", "vlan")
    ):
        raise _xml_error(f"interface has unsupported type '{kind}'")
    name = node.get("name")
    if name is None:
        raise _xml_error("interface has no name")
    definition = InterfaceDefinition(kind, name)
    if parent_type is None:  # start mode, MTU and addresses belong to the top-level interface
        start = node.find("start")
        mode = (start.get("mode") if start is not None else None) or None
        if mode is not None and mode not in START_MODES:
            raise _xml_error(f"unknown interface startmode {mode}")
        definition.start_mode = mode
        mtu = node.find("mtu")
        size = mtu.get("size") if mtu is not None else None
        if size:
            value = strtol_whole(size)  # virXPathUInt: negative numbers are refused too
            if value is None or value < 0:
                raise cause_unknown()
            if value > 100000:
                raise _xml_error("value of the 'size' attribute of 'mtu' element must be at most 100000")
            definition.mtu = value
        definition.protocols = [_parse_protocol(protocol) for protocol in node.findall("protocol")]
    if kind != "bridge":
        link = node.find("link")
        if link is not None:
            state = link.get("state")
            if state is not None and state not in ("", *LINK_STATES):
                raise _attribute_error(link, "state", "")
            speed = link.get("speed")
            if speed is not None:
                if not speed.strip().isdigit() or int(speed) > 0xFFFFFFFF:
                    raise _attribute_error(link, "speed", " Expected non-negative integer value")
                definition.link_speed = int(speed)
            definition.link_state = state or None
    if kind == "ethernet":
        mac = node.find("mac")
        definition.mac = mac.get("address") if mac is not None else None
    elif kind == "bridge":
        bridge = node.find("bridge")
        if bridge is None:
            raise _xml_error("bridge interface misses the bridge element")
        stp = bridge.get("stp")
        if stp is not None and stp not in ("on", "off"):
            # libvirt reports this, yet defines the interface: without the bridge's delay and members
            return definition
        definition.stp = {"on": True, "off": False}.get(stp)
        definition.delay = bridge.get("delay")
        definition.members = [_parse(member, "bridge") for member in bridge.findall("interface")]
    elif kind == "bond":
        bond = node.find("bond")
        if bond is None:
            raise _xml_error("bond interface misses the bond element")
        definition.bond = _parse_bond(bond)
        definition.members = [_parse(member, "bond") for member in bond.findall("interface")]
        _parse_bond_monitor(bond, definition.bond)
    else:
        vlan = node.find("vlan")
        if vlan is None:
            raise _xml_error("vlan interface misses the vlan element")
        definition.vlan_tag = vlan.get("tag") or None
        if definition.vlan_tag is None:
            raise _xml_error("vlan interface misses the tag attribute")
        device = vlan.find("interface")
        definition.vlan_device = (device.get("name") if device is not None else None) or None
        if definition.vlan_device is None:
            raise _xml_error("vlan interface misses name attribute")
    return definition


def _parse_protocol(node: etree._Element) -> InterfaceProtocol:
    family = node.get("family")
    if family is None:
        raise _xml_error("protocol misses the family attribute")
    if family not in ("ipv4", "ipv6"):
        raise _xml_error(f"unsupported protocol family '{family}'")
    route = node.find("route")
    protocol = InterfaceProtocol(family, gateway=(route.get("gateway") if route is not None else None) or None)
    if family == "ipv6" and node.find("autoconf") is not None:
        protocol.autoconf = True
    dhcp = node.find("dhcp")
    if dhcp is not None:
        protocol.dhcp = True
        peerdns = dhcp.get("peerdns")
        if peerdns is not None:
            if peerdns not in ("yes", "no"):
                raise _attribute_error(dhcp, "peerdns", "")
            protocol.peerdns = peerdns == "yes"
    for ip in node.findall("ip"):
        address = ip.get("address")
        if address is None:
            continue
        prefix = ip.get("prefix")
        value = 0
        if prefix is not None:
            value = strtol_whole(prefix, 0)
            if value is None:
                raise _attribute_error(ip, "prefix", " Expected integer value")
        protocol.ips.append(InterfaceIP(address, value))
    return protocol


def _parse_bond(node: etree._Element) -> Bond:
    mode = node.get("mode") or None
    if mode is not None and mode not in BOND_MODES:
        raise _xml_error(f"unknown bonding mode {mode}")
    return Bond(mode)


def _parse_bond_monitor(node: etree._Element, bond: Bond) -> None:
    miimon, arpmon = node.find("miimon"), node.find("arpmon")
    if miimon is not None:
        bond.monitor = "miimon"
        status, bond.frequency = _xpath_int(miimon, "freq")
        if status < 0:
            raise _xml_error("bond interface miimon freq missing or invalid")
        status, bond.downdelay = _xpath_int(miimon, "downdelay")
        if status == -2:
            raise _xml_error("bond interface miimon downdelay invalid")
        status, bond.updelay = _xpath_int(miimon, "updelay")
        if status == -2:
            raise _xml_error("bond interface miimon updelay invalid")
        carrier = miimon.get("carrier") or None
        if carrier is not None and carrier not in ("ioctl", "netif"):
            raise _xml_error(f"unknown mii bonding carrier {carrier}")
        bond.carrier = carrier
    elif arpmon is not None:
        bond.monitor = "arpmon"
        status, bond.interval = _xpath_int(arpmon, "interval")
        if status < 0:
            raise _xml_error("bond interface arpmon interval missing or invalid")
        bond.target = arpmon.get("target") or None
        if bond.target is None:
            raise _xml_error("bond interface arpmon target missing")
        validate = arpmon.get("validate") or None
        if validate is not None and validate not in ("active", "backup", "all"):
            raise _xml_error(f"unknown arp bonding validate {validate}")
        bond.validate = validate
