"""A network's definition as libvirt keeps it (network_conf.c's virNetworkDef): read from XML
with libvirt's checks and messages, and the pieces virNetworkUpdate adds, changes and removes.

Addresses are kept as libvirt formats them (getnameinfo's numeric form); the rarely used
elements (vlan, bandwidth, virtualport, route, port) are kept as parsed elements.
"""

from __future__ import annotations

import copy
import ipaddress
import socket
import uuid as uuid_module
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from virtrio.drivers import libvirt_rules
from virtrio.drivers.libvirt_rules import (
    ULLONG_MAX,
    mac_text,
    missing_attribute,
    parse_uuid,
    prop_uint,
    strtoul_whole,
    strtoul_wrapping,
)
from virtrio.drivers.libvirt_rules import parse_mac as parse_mac_bytes
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, report

FROM_NETWORK = api.VIR_FROM_NETWORK
FORWARD_MODES = ("nat", "route", "bridge", "private", "vepa", "passthrough", "hostdev", "open")
L3_MODES = ("nat", "route", "open")  # modes with a bridge of their own, like an isolated network
LEASE_UNITS = ("seconds", "minutes", "hours")
TRISTATE = ("yes", "no")
PROTOCOL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-+/")
SERVICE_CHARS = PROTOCOL_CHARS | frozenset("_*")
DNS_RECORD_LENGTH_SRV = 512 - 30  # minus the length of the domain it sits in


def network_error(code: int, detail: str) -> Exception:
    return report(code, FROM_NETWORK, detail)


def xml_error(detail: str) -> Exception:
    return libvirt_rules.xml_error(FROM_NETWORK, detail)


def xml_detail(detail: str) -> Exception:
    return network_error(api.VIR_ERR_XML_DETAIL, detail)


# ----------------------------------------------------------------- addresses
def parse_address(text: str | None, family: int = socket.AF_UNSPEC) -> str:
    """virSocketAddrParse: a numeric address as getaddrinfo reads it, in getnameinfo's form."""
    if text is None:
        raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_NONE, "Missing address")
    try:
        found = socket.getaddrinfo(text, None, family, 0, 0, socket.AI_NUMERICHOST)
    except socket.gaierror as error:
        detail = f"Cannot parse socket address '{text}': {error.strerror}"
        raise report(api.VIR_ERR_SYSTEM_ERROR, api.VIR_FROM_NONE, detail) from None
    return socket.getnameinfo(found[0][4], socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)[0]


def address_family(address: str | None) -> int:
    if not address:
        return socket.AF_UNSPEC
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _value(address: str) -> int:
    return int(ipaddress.ip_address(address.split("%")[0]))


def _bits(family: int) -> int:
    return 32 if family == socket.AF_INET else 128


def ip_prefix(address: str | None, netmask: str | None, prefix: int) -> int:
    """virSocketAddrGetIPPrefix: the prefix given, the netmask's, or the address class's."""
    if prefix > 0:
        return prefix
    if netmask:
        value, bits = _value(netmask), _bits(address_family(netmask))
        ones = bin(value).count("1")
        return ones if value == ((1 << ones) - 1) << (bits - ones) else -1
    family = address_family(address)
    if family == socket.AF_INET:
        value = _value(address)
        if value == 0:
            return 0
        octet = value >> 24
        if not octet & 0x80:
            return 8
        if octet & 0xC0 == 0x80:
            return 16
        if octet & 0xE0 == 0xC0:
            return 24
        return -1
    if family == socket.AF_INET6:
        return 0 if _value(address) == 0 else 64
    return 0


def check_range(start: str, end: str, network: str | None, prefix: int) -> None:
    """virSocketAddrGetRange's sanity checks of a range, within a network when one is given."""

    def internal(detail: str) -> Exception:
        return report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_NONE, detail)

    family = address_family(start)
    if family != address_family(end):
        raise internal(f"mismatch of address family in range {start} - {end}")
    if network is not None:
        if family != address_family(network):
            raise internal(f"mismatch of address family in range {start} - {end} for network {network}")
        bits = _bits(family)
        if prefix < 0 or prefix > bits:
            raise internal(f"bad prefix {prefix} for network {network} when  checking range {start} - {end}")
        mask = ((1 << prefix) - 1) << (bits - prefix)
        net = _value(network) & mask
        if _value(start) & mask != net or _value(end) & mask != net:
            raise internal(f"range {start} - {end} is not entirely within network {network}/{prefix}")
        if family == socket.AF_INET:
            if _value(start) == net:
                raise internal(f"start of range {start} - {end} in network {network}/{prefix} is the network address")
            if _value(end) == net | (~mask & 0xFFFFFFFF):
                detail = f"end of range {start} - {end} in network {network}/{prefix} is the broadcast address"
                raise internal(detail)
    first, last = _value(start), _value(end)
    if first >> 16 != last >> 16:  # all but the last two bytes must be the same
        raise internal(f"range {start} - {end} is too large (> 65535)")
    if last < first:
        if family == socket.AF_INET:
            raise internal(f"range {start} - {end} is reversed ")
        raise internal(f"range {start} - {end} start larger than end")


def parse_mac(text: str) -> str | None:
    """virMacAddrParse then virMacAddrFormat: the address as libvirt writes it, or None."""
    raw = parse_mac_bytes(text)
    return None if raw is None else mac_text(raw)


def is_multicast(mac: str) -> bool:
    return bool(int(mac[:2], 16) & 1)


# ---------------------------------------------------------------- definition
@dataclass
class Lease:
    """A DHCP lease time (virNetworkDHCPLeaseTimeDef): how long, in which unit."""

    expiry: int
    unit: str = "minutes"


@dataclass
class DhcpRange:
    """A <range> of addresses DHCP hands out (virNetworkDHCPRangeDef)."""

    start: str
    end: str
    lease: Lease | None = None


@dataclass
class DhcpHost:
    """A static DHCP <host> (virNetworkDHCPHostDef)."""

    mac: str | None = None  # as written in the XML
    id: str | None = None
    name: str | None = None
    ip: str | None = None
    lease: Lease | None = None


@dataclass
class NetworkIP:
    """An <ip> of the network, with its DHCP ranges and hosts (virNetworkIPDef)."""

    address: str
    family: str | None = None
    netmask: str | None = None
    prefix: int = 0
    local_ptr: str | None = None
    tftp_root: str | None = None
    ranges: list[DhcpRange] = field(default_factory=list)
    hosts: list[DhcpHost] = field(default_factory=list)
    bootp_file: str | None = None
    bootp_server: str | None = None

    @property
    def address_family(self) -> int:
        return address_family(self.address)

    @property
    def effective_prefix(self) -> int:
        return ip_prefix(self.address, self.netmask, self.prefix)

    def guest_address(self, offset: int) -> tuple[int, str]:
        """(VIR_IP_ADDR_TYPE_*, address) testDomainInterfaceAddressFromNet makes up for a guest:
        the first DHCP range's start, or else this address, plus offset. Its family comes from
        the family attribute; an IPv6 one only has the offset added to its last byte (no carry)."""
        start = self.ranges[0].start if self.ranges else self.address
        bare, scope, zone = start.partition("%")
        if self.family == "ipv6":
            raw = bytearray(ipaddress.IPv6Address(bare).packed)
            raw[15] = (raw[15] + offset) & 0xFF
            return api.VIR_IP_ADDR_TYPE_IPV6, socket.inet_ntop(socket.AF_INET6, bytes(raw)) + scope + zone
        moved = (int(ipaddress.IPv4Address(bare)) + offset) & 0xFFFFFFFF
        return api.VIR_IP_ADDR_TYPE_IPV4, str(ipaddress.IPv4Address(moved))


@dataclass
class DnsHost:
    """A DNS <host>: an address and its names (virNetworkDNSHostDef)."""

    ip: str | None = None
    names: list[str] = field(default_factory=list)


@dataclass
class DnsTxt:
    """A DNS <txt> record (virNetworkDNSTxtDef)."""

    name: str
    value: str | None = None


@dataclass
class DnsSrv:
    """A DNS <srv> record (virNetworkDNSSrvDef)."""

    service: str | None = None
    protocol: str | None = None
    domain: str | None = None
    target: str | None = None
    port: int = 0
    priority: int = 0
    weight: int = 0


@dataclass
class Dns:
    """The network's <dns> (virNetworkDNSDef)."""

    enable: str | None = None
    forward_plain_names: str | None = None
    forwarders: list[tuple[str | None, str | None]] = field(default_factory=list)  # (domain, addr)
    txts: list[DnsTxt] = field(default_factory=list)
    srvs: list[DnsSrv] = field(default_factory=list)
    hosts: list[DnsHost] = field(default_factory=list)


@dataclass
class PortGroup:
    """A <portgroup> (virPortGroupDef); its vlan, virtualport and bandwidth kept as parsed elements."""

    name: str
    default: bool = False
    trust_guest_rx_filters: str | None = None
    vlan: etree._Element | None = None
    virtualport: etree._Element | None = None
    bandwidth: etree._Element | None = None


@dataclass
class Forward:
    """The network's <forward> (virNetworkForwardDef)."""

    mode: str | None = None  # None: no <forward>, an isolated network
    managed: bool = False
    driver: str | None = None
    nat_ipv6: str | None = None
    nat_start: str | None = None
    nat_end: str | None = None
    port_start: int = 0
    port_end: int = 0
    pf: str | None = None
    interfaces: list[str] = field(default_factory=list)  # netdev names
    addresses: list[etree._Element] = field(default_factory=list)  # PCI devices of a hostdev pool


@dataclass
class NetworkDefinition:
    """Once a network holds it, a definition is never changed in place (network-update changes a
    copy and puts that in its place): a worker thread may write it out, or copy it, while the
    event loop goes on."""

    name: str
    uuid: bytes
    ipv6: bool = False
    trust_guest_rx_filters: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    forward: Forward = field(default_factory=Forward)
    bridge: str | None = None
    bridge_zone: str | None = None
    stp: bool = True
    delay: int = 0
    mac_table_manager: str | None = None
    mtu: int = 0
    mac: str | None = None
    domain: str | None = None
    domain_local_only: str | None = None
    dns: Dns = field(default_factory=Dns)
    vlan: etree._Element | None = None
    bandwidth: etree._Element | None = None
    port_isolated: str | None = None
    ips: list[NetworkIP] = field(default_factory=list)
    routes: list[etree._Element] = field(default_factory=list)
    virtualport: etree._Element | None = None
    portgroups: list[PortGroup] = field(default_factory=list)

    def copy(self) -> NetworkDefinition:
        return copy.deepcopy(self)

    def part_counts(self) -> Iterator[int]:
        """How many elements its lists write (DHCP hosts and ranges, DNS records, routes, VLAN
        tags, ...), list by list: what makes writing it long (large_documents.more_than)."""
        dns, forward = self.dns, self.forward
        yield len(self.ips) + len(self.routes) + len(self.portgroups) + len(forward.interfaces) + len(forward.addresses)
        yield len(dns.forwarders) + len(dns.txts) + len(dns.srvs) + len(dns.hosts)
        yield sum(map(len, self.metadata.values())) // 64  # (metadata is read again to be written)
        yield len(self.vlan) if self.vlan is not None else 0
        for ip in self.ips:
            yield len(ip.hosts) + len(ip.ranges)
        for host in dns.hosts:
            yield len(host.names)
        for portgroup in self.portgroups:
            yield len(portgroup.vlan) if portgroup.vlan is not None else 0

    def ip_by_index(self, family: int, n: int) -> NetworkIP | None:
        """virNetworkDefGetIPByIndex: the nth <ip>, or the nth of one family."""
        if n >= len(self.ips):
            return None
        if family == socket.AF_UNSPEC:
            return self.ips[n]
        of_family = [ip for ip in self.ips if ip.address_family == family]
        return of_family[n] if n < len(of_family) else None


def default_definition(name: str, raw_uuid: bytes, bridge: str) -> NetworkDefinition:
    """test:///default's network: NAT on virbr0 over 192.168.122.0/24."""
    ip = NetworkIP("192.168.122.1", netmask="255.255.255.0", ranges=[DhcpRange("192.168.122.2", "192.168.122.254")])
    return NetworkDefinition(name, raw_uuid, forward=Forward("nat"), bridge=bridge, ips=[ip])


# ------------------------------------------------------------------- parsing
def _tristate(element: etree._Element | None, name: str) -> str | None:
    if element is None:
        return None
    value = element.get(name)
    if value is not None and value not in TRISTATE:
        detail = f"Invalid value for attribute '{name}' in element '{element.tag}': '{value}'."
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return value


def _unsigned(element: etree._Element, name: str) -> int | None:
    """virXMLPropUInt (base 10): None when absent."""
    value = element.get(name)
    if value is None:
        return None
    text = value.strip()
    if not text.isdigit() or int(text) > 0xFFFFFFFF:
        detail = (
            f"Invalid value for attribute '{name}' in element '{element.tag}': '{value}'. "
            "Expected non-negative integer value"
        )
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return int(text)


def _xpath_uint(text: str | None) -> tuple[int, int]:
    """virXPathUInt on an attribute: (-1 absent, -2 not a number, 0 read), value."""
    if text is None or text == "":
        return -1, 0
    stripped = text.strip()
    if not stripped.isdigit() or int(stripped) > 0xFFFFFFFF:
        return -2, 0
    return 0, int(stripped)


def parse_lease(element: etree._Element) -> Lease | None:
    expiry = element.get("expiry")
    if expiry is None:
        return None
    if strtoul_whole(expiry, 0, (1 << 64) - 1) is None:  # virXMLPropULongLong, base 0
        detail = (
            f"Invalid value for attribute 'expiry' in element 'lease': '{expiry}'. Expected non-negative integer value"
        )
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    unit = element.get("unit", "minutes")
    if unit not in LEASE_UNITS:
        detail = f"Invalid value for attribute 'unit' in element 'lease': '{unit}'."
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    value = strtoul_whole(expiry, 0, (1 << 64) - 1) or 0
    if value > 0 and ((unit == "seconds" and value < 120) or (unit == "minutes" and value < 2)):
        raise network_error(api.VIR_ERR_CONFIG_UNSUPPORTED, "The minimum lease time should be greater than 2 minutes")
    return Lease(value, unit)


def _leases(element: etree._Element) -> Lease | None:
    lease = None
    for child in element.iterchildren("lease"):
        lease = parse_lease(child) or lease
    return lease


def parse_dhcp_range(network: str, ip: NetworkIP, element: etree._Element) -> DhcpRange:
    start = element.get("start")
    if start is None:
        raise xml_error(f"Missing 'start' attribute in dhcp range for network '{network}'")
    start = parse_address(start)
    end = element.get("end")
    if end is None:
        raise xml_error(f"Missing 'end' attribute in dhcp range for network '{network}'")
    end = parse_address(end)
    check_range(start, end, ip.address, ip.effective_prefix)
    return DhcpRange(start, end, _leases(element))


def parse_dhcp_host(network: str, ip: NetworkIP, element: etree._Element, partial: bool) -> DhcpHost:
    mac = element.get("mac")
    if mac is not None:
        if ip.address_family == socket.AF_INET6:
            detail = f"Invalid to specify MAC address '{mac}' in network '{network}' IPv6 static host definition"
            raise xml_error(detail)
        parsed = parse_mac(mac)
        if parsed is None:
            raise xml_error(f"Cannot parse MAC address '{mac}' in network '{network}'")
        if is_multicast(parsed):
            raise xml_error(f"expected unicast mac address, found multicast '{mac}' in network '{network}'")
    host_id = element.get("id")
    if host_id is not None:
        bad = next((c for c in host_id if c not in "0123456789abcdefABCDEF:"), None)
        if bad is not None:
            raise xml_error(f"Invalid character '{bad}' in id '{host_id}' of network '{network}'")
    name = element.get("name")
    if name is not None and not (name[:1].isascii() and name[:1].isalnum()):
        raise xml_error(f"Cannot use host name '{name}' in network '{network}'")
    address = element.get("ip")
    if address is not None:
        try:
            address = parse_address(address)
        except Exception:
            raise xml_error(f"Invalid IP address in static host definition for network '{network}'") from None
    if partial:
        if not (mac or name or address):
            raise xml_error(
                "At least one of name, mac, or ip attribute must be specified for static host definition "
                f"in network '{network}' "
            )
    else:
        if ip.address_family == socket.AF_INET6:
            if host_id is None and name is None:  # (an empty id will do)
                raise xml_error(f"Static host definition in IPv6 network '{network}' must have id or name attribute")
        elif not (mac or name):
            raise xml_error(f"Static host definition in IPv4 network '{network}' must have mac or name attribute")
        if address is None:
            raise xml_error(f"Missing IP address in static host definition for network '{network}'")
    return DhcpHost(mac, host_id, name, address, _leases(element))


def parse_dns_host(network: str, element: etree._Element, partial: bool) -> DnsHost:
    address = element.get("ip")
    if address is None and not partial:
        raise xml_detail(f"Missing IP address in network '{network}' DNS HOST record")
    if address is not None:
        try:
            address = parse_address(address)
        except Exception:
            raise xml_detail(f"Invalid IP address in network '{network}' DNS HOST record") from None
    names = []
    for child in element.iterchildren("hostname"):
        if len(child) or child.text is not None:
            text = "".join(child.itertext())
            if not text:
                raise xml_detail(f"Missing hostname in network '{network}' DNS HOST record")
            names.append(text)
    if not names and not partial:
        raise xml_detail(f"Missing hostname in network '{network}' DNS HOST record")
    if address is None and not names:
        raise xml_detail(f"Missing ip and hostname in network '{network}' DNS HOST record")
    return DnsHost(address, names)


def parse_dns_txt(network: str, element: etree._Element, partial: bool) -> DnsTxt:
    name = element.get("name")
    if name is None:
        raise xml_detail(f"missing required name attribute in DNS TXT record of network {network}")
    if " " in name or "," in name:
        raise xml_detail(f"prohibited character in DNS TXT record name '{name}' of network {network}")
    value = element.get("value")
    if value is None and not partial:
        raise xml_detail(f"missing required value attribute in DNS TXT record named '{name}' of network {network}")
    return DnsTxt(name, value)


def parse_dns_srv(network: str, element: etree._Element, partial: bool) -> DnsSrv:
    srv = DnsSrv(service=element.get("service"))
    if srv.service is None and not partial:
        raise xml_detail(f"missing required service attribute in DNS SRV record of network '{network}'")
    if srv.service is not None:
        if len(srv.service.encode()) > DNS_RECORD_LENGTH_SRV:
            raise xml_detail(
                f"service attribute '{srv.service}' in network '{network}' is too long, "
                f"limit is {DNS_RECORD_LENGTH_SRV} bytes"
            )
        if not set(srv.service) <= SERVICE_CHARS:
            raise xml_detail(
                f"invalid character in service attribute '{srv.service}' in DNS SRV record of network '{network}'"
            )
    srv.protocol = element.get("protocol")
    if srv.protocol is None and not partial:
        raise xml_detail(
            f"missing required protocol attribute in DNS SRV record '{srv.service}' of network '{network}'"
        )
    if srv.protocol is not None and not set(srv.protocol) <= PROTOCOL_CHARS:
        raise xml_detail(
            f"invalid character in protocol attribute '{srv.protocol}' in DNS SRV record of network '{network}'"
        )
    srv.domain, srv.target = element.get("domain"), element.get("target")
    limits = (("port", 1, "invalid"), ("priority", 0, "Invalid"), ("weight", 0, "invalid"))
    for name, lowest, invalid in limits:
        status, value = _xpath_uint(element.get(name))
        if status >= 0 and srv.target is None:
            raise xml_detail(
                f"DNS SRV {name} attribute not permitted without target for service "
                f"'{srv.service}' in network '{network}'"
            )
        if status == -2 or (status >= 0 and not lowest <= value <= 65535):
            raise xml_detail(f"{invalid} DNS SRV {name} attribute for service '{srv.service}' in network '{network}'")
        setattr(srv, name, value)
    return srv


# Attributes libvirt reads with virXPathString ("x or None" below) count as absent when empty.
def parse_portgroup(element: etree._Element) -> PortGroup:
    name = element.get("name") or None
    if name is None:
        raise xml_error("Missing required name attribute in portgroup")
    default = element.get("default") or None
    return PortGroup(
        name,
        default=default is not None and default.lower() == "yes",
        trust_guest_rx_filters=_tristate(element, "trustGuestRxFilters"),
        vlan=parse_vlan(element.find("vlan")),
        virtualport=parse_virtualport(element.find("virtualport"), require_type=False),
        bandwidth=_bandwidth(element.find("bandwidth")),
    )


def _parse_dns(network: str, element: etree._Element) -> Dns:
    dns = Dns(_tristate(element, "enable"), _tristate(element, "forwardPlainNames"))
    for forwarder in element.iterchildren("forwarder"):
        address = forwarder.get("addr")
        if address is not None:
            try:
                address = parse_address(address)
            except Exception:
                raise xml_error(
                    f"Invalid forwarder IP address '{forwarder.get('addr')}' in network '{network}'"
                ) from None
        domain = forwarder.get("domain")
        if address is None and domain is None:
            raise xml_error("Invalid forwarder element, must contain at least one of addr or domain")
        dns.forwarders.append((domain, address))
    dns.hosts = [parse_dns_host(network, host, False) for host in element.iterchildren("host")]
    dns.srvs = [parse_dns_srv(network, srv, False) for srv in element.iterchildren("srv")]
    dns.txts = [parse_dns_txt(network, txt, False) for txt in element.iterchildren("txt")]
    if dns.enable == "no" and (dns.forwarders or dns.hosts or dns.srvs or dns.txts):
        raise xml_error(f"Extra data in disabled network '{network}'")
    return dns


def _parse_ip(network: str, element: etree._Element) -> NetworkIP:
    family = element.get("family") or None
    address = element.get("address") or None
    if address is None:
        raise xml_error(f"Missing required address attribute in network '{network}'")
    try:
        parsed = parse_address(address)
    except Exception:
        raise xml_error(f"Invalid address '{address}' in network '{network}'") from None
    netmask = element.get("netmask") or None
    parsed_mask = None
    if netmask is not None:
        try:
            parsed_mask = parse_address(netmask)
        except Exception:
            raise xml_error(f"Invalid netmask '{netmask}' in network '{network}'") from None
    prefix = _unsigned(element, "prefix") or 0
    ip = NetworkIP(parsed, family, parsed_mask, prefix, _tristate(element, "localPtr"))
    unsupported = api.VIR_ERR_CONFIG_UNSUPPORTED
    if family is None or family == "ipv4":
        if ip.address_family != socket.AF_INET:
            raise network_error(
                unsupported,
                f"{family or 'no'} family specified for non-IPv4 address '{address}' in network '{network}'",
            )
        if netmask is not None:
            if address_family(parsed_mask) != socket.AF_INET:
                raise network_error(
                    unsupported,
                    f"Invalid netmask '{netmask}' for address '{address}' in network '{network}' (both must be IPv4)",
                )
            if prefix > 0:
                raise network_error(
                    unsupported, f"Network '{network}' IP address cannot have both a prefix and a netmask"
                )
        elif prefix > 32:
            raise network_error(unsupported, f"Invalid IPv4 prefix '{prefix}' in network '{network}'")
    elif family == "ipv6":
        if ip.address_family != socket.AF_INET6:
            raise network_error(
                unsupported, f"Family 'ipv6' specified for non-IPv6 address '{address}' in network '{network}'"
            )
        if netmask is not None:
            raise network_error(unsupported, f"netmask not allowed for IPv6 address '{address}' in network '{network}'")
        if prefix > 128:
            raise network_error(unsupported, f"Invalid IPv6 prefix '{prefix}' in network '{network}'")
    else:
        raise xml_error(f"Unrecognized family '{family}' in network '{network}'")
    dhcp = element.find("dhcp")
    if dhcp is not None:
        for child in dhcp:
            if child.tag == "range":
                ip.ranges.append(parse_dhcp_range(network, ip, child))
            elif child.tag == "host":
                ip.hosts.append(parse_dhcp_host(network, ip, child, False))
            elif child.tag == "bootp" and ip.address_family == socket.AF_INET and child.get("file") is not None:
                server = child.get("server")
                # virXMLPropString: an empty server is given, and fails to parse
                ip.bootp_file = child.get("file")
                ip.bootp_server = parse_address(server) if server is not None else None
    tftp = element.find("tftp")
    if tftp is not None:
        if ip.address_family != socket.AF_INET:
            raise network_error(unsupported, f"Unsupported <tftp> element in an IPv6 element in network '{network}'")
        ip.tftp_root = tftp.get("root") or None
    return ip


def _parse_forward(network: str, element: etree._Element) -> Forward:
    mode = element.get("mode") or None
    if mode is not None and mode not in FORWARD_MODES:
        raise network_error(api.VIR_ERR_CONFIG_UNSUPPORTED, f"unknown forwarding type '{mode}'")
    forward = Forward(mode or "nat", managed=((element.get("managed") or None) or "").lower() == "yes")
    driver = element.find("driver")
    if driver is not None and driver.get("name"):
        if driver.get("name") not in ("kvm", "vfio"):
            detail = f"Unknown forward <driver name='{driver.get('name')}'/> in network {network}"
            raise network_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
        forward.driver = driver.get("name")
    interfaces = element.findall("interface")
    addresses = element.findall("address")
    pfs = element.findall("pf")
    nats = element.findall("nat")
    if len(nats) > 1:
        raise xml_error(f"Only one <nat> element is allowed in <forward> of network {network}")
    if nats:
        _parse_nat(network, nats[0], forward)
    dev = element.get("dev") or None
    if dev is not None and (addresses or pfs):
        raise xml_error(
            "the <forward> 'dev' attribute cannot be used when <address> or <pf> sub-elements are present in network %s"
        )
    if interfaces or dev is not None:
        if dev is not None:
            forward.interfaces.append(dev)
        for index, interface in enumerate(interfaces):
            name = interface.get("dev")
            if name is None:
                raise xml_error(f"Missing required dev attribute in <forward> <interface> element of network {network}")
            if index == 0 and dev is not None:
                if name != dev:
                    raise xml_error(
                        f"<forward dev='{dev}'> must match first <interface dev='{name}'/> in network {network}"
                    )
                continue
            if name in forward.interfaces[:index]:
                raise xml_error(f"interface '{name}' can only be listed once in network {network}")
            forward.interfaces.append(name)
    elif addresses:
        seen: list[tuple[int, int, int, int]] = []
        for address in addresses:
            kind = address.get("type")
            if kind is None:
                raise xml_error(f"missing address type in network {network}")
            if kind != "pci":
                if kind in ("none", "netdev"):
                    raise xml_error(f"unsupported address type '{kind}' in network {network}")
                detail = f"unknown address type '{kind}' in network {network}"
                raise network_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
            pci = _pci_address(address)
            if pci in seen:
                where = f"{pci[0]:04x}:{pci[1]:02x}:{pci[2]:02x}.{pci[3]:x}"
                raise xml_error(f"PCI device '{where}' can only be listed once in network {network}")
            seen.append(pci)
            # kept as libvirt writes it back (virPCIDeviceAddressFormat: 'function' is 0x%d)
            written = etree.Element("address", type="pci", domain=f"0x{pci[0]:04x}", bus=f"0x{pci[1]:02x}")
            written.set("slot", f"0x{pci[2]:02x}")
            written.set("function", f"0x{pci[3]}")
            forward.addresses.append(written)
    elif len(pfs) > 1:
        raise xml_error(f"Only one <pf> element is allowed in <forward> of network {network}")
    elif pfs:
        forward.pf = pfs[0].get("dev")
        if forward.pf is None:
            raise xml_error(f"Missing required dev attribute in <pf> element of network '{network}'")
    return forward


def _bandwidth(element: etree._Element | None, allow_floor: bool = False) -> etree._Element | None:
    """virNetDevBandwidthParse for a network or portgroup (no classID, no floor; an inbound
    floor where allow_floor says so: a domain's interface on a network), kept as
    virNetDevBandwidthFormat writes it back; None when it has neither direction."""
    if element is None:
        return None

    def detail(code: int, text: str) -> Exception:
        return report(code, api.VIR_FROM_NONE, text)

    if element.get("classID") is not None:
        raise detail(api.VIR_ERR_XML_DETAIL, "classID attribute not supported on <bandwidth> in this usage context")
    directions: dict[str, etree._Element] = {}
    for child in element:
        if child.tag in ("inbound", "outbound"):
            if child.tag in directions:
                raise detail(api.VIR_ERR_XML_DETAIL, f"Only one child <{child.tag}> element allowed")
            directions[child.tag] = child
    written = etree.Element("bandwidth")
    for name in ("inbound", "outbound"):
        rate = directions.get(name)
        if rate is None:
            continue
        values: dict[str, int] = {}
        average, floor = rate.get("average"), rate.get("floor")
        if average is None and floor is None:
            raise detail(api.VIR_ERR_XML_DETAIL, "Missing mandatory average or floor attributes")
        if average is None and (rate.get("peak") is not None or rate.get("burst") is not None):
            raise detail(api.VIR_ERR_CONFIG_UNSUPPORTED, "'peak' and 'burst' require 'average' attribute")
        for attribute in ("average", "peak", "burst", "floor"):
            text = rate.get(attribute)
            if text is None:
                continue
            value = strtoul_whole(text, 10, ULLONG_MAX)
            if value is None:
                raise detail(api.VIR_ERR_CONFIG_UNSUPPORTED, f"could not convert bandwidth {attribute} value '{text}'")
            values[attribute] = value
        if values.get("floor") and (name == "outbound" or not allow_floor):
            problem = (
                "floor attribute is not supported for this config"
                if name == "inbound"
                else "'floor' attribute allowed only in <inbound> element"
            )
            raise detail(api.VIR_ERR_CONFIG_UNSUPPORTED, problem)
        if values.get("average"):
            line = etree.SubElement(written, name)
            for attribute in ("average", "peak", "floor", "burst"):
                if values.get(attribute):
                    line.set(attribute, str(values[attribute]))
    return written if directions else None


def checked_bandwidth(element: etree._Element, allow_floor: bool) -> bool:
    """A domain interface's <bandwidth> through virNetDevBandwidthParse's refusals, each rate
    then as virNetDevBandwidthRateFormat writes it: its non-zero values in its order, nothing
    when it has neither an average nor a floor. False when it has no rate at all (libvirt
    then keeps no bandwidth)."""
    _bandwidth(element, allow_floor)
    rates = [child for child in element if child.tag in ("inbound", "outbound")]
    for rate in rates:
        values = {name: rate.get(name) for name in RATE_ORDER if rate.get(name) not in (None, "0")}
        if list(rate.items()) == list(values.items()):
            continue  # (most are written so already)
        if "average" in values or "floor" in values:
            rate.attrib.clear()
            rate.attrib.update((name, str(strtoul_whole(value, 10, ULLONG_MAX))) for name, value in values.items())
        else:
            element.remove(rate)
    return bool(rates)


RATE_ORDER = ("average", "peak", "floor", "burst")


def _route_uint(element: etree._Element, name: str, nonzero: bool) -> int | None:
    """virXMLPropUInt, base 10: None when absent."""
    return prop_uint(element, name, nonzero=nonzero)


def parse_route(network: str, element: etree._Element) -> etree._Element:
    """virNetDevIPRouteParseXML and its checks, kept as virNetDevIPRouteFormat writes it
    (network: the name its errors start with: a network's, or a domain's part)."""
    prefix = _route_uint(element, "prefix", False)
    metric = _route_uint(element, "metric", True)
    family, address, netmask, gateway = (element.get(name) for name in ("family", "address", "netmask", "gateway"))
    if address is None:
        raise xml_error(f"{network}: Missing required address attribute in route definition")
    if gateway is None:
        raise xml_error(f"{network}: Missing required gateway attribute in route definition")
    parsed: dict[str, str] = {}
    for name, text, what in (("address", address, "network"), ("gateway", gateway, "gateway")):
        try:
            parsed[name] = parse_address(text)
        except LibvirtError:
            raise xml_error(f"{network}: Bad {what} address '{text}' in route definition") from None
    is_v4 = {name: address_family(value) == socket.AF_INET for name, value in parsed.items()}
    if family is None or family == "ipv4":
        which = "No family specified for" if family is None else "IPv4 family specified for"
        if not is_v4["address"]:
            raise xml_error(f"{network}: {which} non-IPv4 address '{address}' in route definition")
        if not is_v4["gateway"]:  # libvirt names the address here, not the gateway
            raise xml_error(f"{network}: {which} non-IPv4 gateway '{address}' in route definition")
        if netmask is not None:
            try:
                parsed["netmask"] = parse_address(netmask)
            except LibvirtError:
                raise xml_error(f"{network}: Bad netmask address '{netmask}' in route definition") from None
            if address_family(parsed["netmask"]) != socket.AF_INET:
                raise xml_error(f"{network}: Invalid netmask '{netmask}' for address '{address}' (both must be IPv4)")
            if prefix is not None:
                raise xml_error(f"{network}: Route definition cannot have both a prefix and a netmask")
        if (prefix or 0) > 32:
            raise xml_error(f"{network}: Invalid prefix {prefix} specified in route definition, must be 0 - 32")
    elif family == "ipv6":
        if is_v4["address"]:
            raise xml_error(f"{network}: ipv6 family specified for non-IPv6 address '{address}' in route definition")
        if netmask is not None:
            raise xml_error(f"{network}: Specifying netmask invalid for IPv6 address '{address}' in route definition")
        if is_v4["gateway"]:
            raise xml_error(f"{network}: ipv6 specified for non-IPv6 gateway address '{gateway}' in route definition")
        if (prefix or 0) > 128:
            raise xml_error(f"{network}: Invalid prefix {prefix} specified in route definition, must be 0 - 128")
    else:
        raise xml_error(f"{network}: Unrecognized family '{family}' in route definition")
    bits = 32 if is_v4["address"] else 128
    value = _value(parsed["address"])
    if "netmask" in parsed:
        masked = value & _value(parsed["netmask"])
    else:
        masked = value & (((1 << bits) - 1) ^ ((1 << (bits - (prefix or 0))) - 1))
    if masked != value:
        raise xml_error(f"{network}: Address '{address}' in route definition is not a network address")
    written = etree.Element("route")
    if family is not None:
        written.set("family", family)
    written.set("address", parsed["address"])
    if "netmask" in parsed:
        written.set("netmask", parsed["netmask"])
    if prefix is not None:
        written.set("prefix", str(prefix))
    written.set("gateway", parsed["gateway"])
    if metric:
        written.set("metric", str(metric))
    return written


def _check_route_gateways(definition: NetworkDefinition) -> None:
    """Each static route's gateway must be on one of the network's own IP networks."""
    for route in definition.routes:
        gateway = route.get("gateway")
        family = address_family(gateway)
        reachable = False
        for ip in definition.ips:
            if address_family(ip.address) != family:
                continue
            prefix = ip_prefix(ip.address, ip.netmask, ip.prefix)
            bits = _bits(family)
            if prefix < 0 or prefix > bits:
                continue
            mask = ((1 << bits) - 1) ^ ((1 << (bits - prefix)) - 1)
            if _value(ip.address) & mask == _value(gateway) & mask:
                reachable = True
                break
        if not reachable:
            detail = f"unreachable static route gateway '{gateway}' specified for network '{definition.name}'"
            raise network_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)


VPORT_TYPES = ("802.1Qbg", "802.1Qbh", "openvswitch", "midonet")  # 'none' is the enum's zero: refused
# virNetDevVPortProfileFormat: which parameters each type writes, in its order
VPORT_WRITTEN = {
    "managerid": ("802.1Qbg", None),
    "typeid": ("802.1Qbg", None),
    "typeidversion": ("802.1Qbg", None),
    "instanceid": ("802.1Qbg", None),
    "interfaceid": ("midonet", "openvswitch", None),
    "profileid": ("openvswitch", "802.1Qbh", None),
}
# virNetDevVPortProfileCheckComplete: what each type must have, in the order it is looked for
VPORT_REQUIRED = {
    "802.1Qbg": ("managerid", "typeid", "typeidversion", "instanceid"),
    "802.1Qbh": ("profileid",),
    "openvswitch": ("interfaceid",),
    "midonet": ("interfaceid",),
}
# virNetDevVPortProfileCheckNoExtras: the first parameter each type refuses
VPORT_EXTRAS = {
    "802.1Qbg": ("profileid", "interfaceid"),
    "802.1Qbh": ("managerid", "typeid", "typeidversion", "instanceid", "interfaceid"),
    "openvswitch": ("managerid", "typeid", "typeidversion", "instanceid"),
}


def parse_virtualport(
    element: etree._Element | None, require_type: bool, *, generate_missing: bool = False, complete: bool = False
) -> etree._Element | None:
    """virNetDevVPortProfileParse (the network's own requires a type, a portgroup's not; an
    interface's has its missing ids made up, and a bridge, direct or hostdev one's must be
    complete), kept as virNetDevVPortProfileFormat writes it back; None when nothing is written."""
    if element is None:
        return None
    kind = element.get("type")
    if kind is not None and kind not in VPORT_TYPES:
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_NONE, f"unknown virtualport type {kind}")
    if kind is None and require_type:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, "missing required virtualport type")
    parameters = element.find("parameters")
    given = {} if parameters is None else dict(parameters.attrib)
    values: dict[str, str] = {}

    def refuse(detail: str) -> Exception:
        return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, detail)

    for name, limit, out_of_range in (
        ("managerid", 0xFF, "value of managerid out of range"),
        ("typeid", 0xFFFFFF, "value for typeid out of range"),
        ("typeidversion", 0xFF, "value of typeidversion out of range"),
    ):
        if name in given:
            number = strtoul_wrapping(given[name])
            if number is None:
                raise refuse(f"cannot parse value of {name} parameter")
            if number > limit:
                raise refuse(out_of_range)
            values[name] = str(number)
    if "instanceid" in given:
        raw = parse_uuid(given["instanceid"])
        if raw is None:
            raise refuse("cannot parse instanceid parameter as a uuid")
        values["instanceid"] = str(uuid_module.UUID(bytes=raw))
    if given.get("profileid"):
        if len(given["profileid"].encode()) >= 40:
            raise refuse("profileid parameter too long")
        values["profileid"] = given["profileid"]
    if "interfaceid" in given:
        raw = parse_uuid(given["interfaceid"])
        if raw is None:
            raise refuse("cannot parse interfaceid parameter as a uuid")
        values["interfaceid"] = str(uuid_module.UUID(bytes=raw))
    if generate_missing:  # (a typeless one gets both)
        if kind in ("802.1Qbg", None) and "instanceid" not in values:
            values["instanceid"] = str(uuid_module.uuid4())
        if kind in ("openvswitch", None) and "interfaceid" not in values:
            values["interfaceid"] = str(uuid_module.uuid4())
    for required in VPORT_REQUIRED.get(kind or "", ()) if complete else ():  # virNetDevVPortProfileCheckComplete
        if required not in values:
            detail = f"missing {required} in <virtualport type='{kind}'>"
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NET, detail)
    for extra in VPORT_EXTRAS.get(kind or "", ()):
        if extra in values:
            detail = f"extra {extra} unsupported in <virtualport type='{kind}'>"
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NET, detail)
    if kind is None and not values:
        return None
    written = etree.Element("virtualport")
    if kind is not None:
        written.set("type", kind)
    if values:
        line = etree.SubElement(written, "parameters")
        for name, types in VPORT_WRITTEN.items():
            if name in values and kind in types:
                line.set(name, values[name])
    return written


def parse_vlan(element: etree._Element | None) -> etree._Element | None:
    """virNetDevVlanParse, kept as virNetDevVlanFormat writes it back."""
    if element is None:
        return None
    tags = element.findall("tag")
    if not tags:
        raise report(
            api.VIR_ERR_XML_ERROR,
            api.VIR_FROM_NONE,
            "missing tag id - each <vlan> must have at least one <tag id='n'/> subelement",
        )
    ids: list[int] = []
    native: tuple[str, int] | None = None
    for tag in tags:
        text = tag.get("id")
        if text is None:
            raise missing_attribute(tag.tag, "id")
        value = strtoul_whole(text, 10)
        if value is None:
            detail = (
                f"Invalid value for attribute 'id' in element '{tag.tag}': '{text}'. "
                "Expected non-negative integer value"
            )
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
        if value > 4095:
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, f"vlan tag id {value} too large (maximum 4095)")
        ids.append(value)
        mode = tag.get("nativeMode")
        if mode is not None:
            if mode not in ("tagged", "untagged"):  # 'default' is the enum's zero: refused
                detail = f"Invalid value for attribute 'nativeMode' in element '{tag.tag}': '{mode}'."
                raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
            if native is not None:
                raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, "duplicate native vlan setting")
            native = (mode, value)
    trunk = len(ids) > 1
    given = element.get("trunk") or None  # virXPathString: empty is absent
    if given is not None:
        trunk = given.lower() == "yes"
        problem = None
        if not trunk and len(ids) > 1:
            problem = f"invalid \"trunk='{given}'\" in <vlan> - trunk='yes' is required for more than one vlan tag"
        elif not trunk and native is not None:
            problem = "invalid configuration in <vlan> - \"trunk='no'\" is not allowed with a native vlan id"
        elif not trunk and given.lower() != "no":
            problem = f"invalid \"trunk='{given}'\" in <vlan> - must be yes or no"
        if problem:
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, problem)
    written = etree.Element("vlan")
    if trunk:
        written.set("trunk", "yes")
    for value in ids:
        tag = etree.SubElement(written, "tag", id=str(value))
        # the native mode is written on every tag with the native tag's number, as libvirt does
        if native is not None and native[1] == value:
            tag.set("nativeMode", native[0])
    return written


def _pci_address(element: etree._Element) -> tuple[int, int, int, int]:
    """virPCIDeviceAddressParseXML: domain, bus, slot, function, with its checks."""
    values = []
    for name in ("domain", "bus", "slot", "function"):
        text = element.get(name)
        value = 0 if text is None else strtoul_whole(text)
        if value is None:
            detail = (
                f"Invalid value for attribute '{name}' in element '{element.tag}': '{text}'. "
                "Expected non-negative integer value"
            )
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
        values.append(value)
    multifunction = element.get("multifunction")
    if multifunction is not None and multifunction not in ("on", "off"):
        detail = f"Invalid value for attribute 'multifunction' in element '{element.tag}': '{multifunction}'."
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    domain, bus, slot, function = values
    # virPCIDeviceAddressIsValid (util, so no error domain) checks only a non-empty address
    problem = None
    if domain or bus or slot:
        if bus > 0xFF:
            problem = f"Invalid PCI address bus='0x{bus:x}', must be <= 0xFF"
        elif slot > 0x1F:
            problem = f"Invalid PCI address slot='0x{slot:x}', must be <= 0x1F"
        elif function > 7:
            problem = f"Invalid PCI address function=0x{function:x}, must be <= 7"
    if problem:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, problem)
    return domain, bus, slot, function


def _parse_nat(network: str, element: etree._Element, forward: Forward) -> None:
    if forward.mode != "nat":
        raise xml_error(f"The <nat> element can only be used when <forward> 'mode' is 'nat' in network {network}")
    forward.nat_ipv6 = _tristate(element, "ipv6")
    addresses = element.findall("address")
    if len(addresses) > 1:
        raise xml_error(f"Only one <address> element is allowed in <nat> in <forward> in network {network}")
    if addresses:
        start, end = addresses[0].get("start"), addresses[0].get("end")
        if start is None:
            raise xml_error(
                f"missing 'start' attribute in <address> element in <nat> in <forward> in network {network}"
            )
        if end is None:
            raise xml_error(f"missing 'end' attribute in <address> element in <nat> in <forward> in network {network}")
        for text, which in ((start, "start"), (end, "end")):
            try:
                parsed = parse_address(text, socket.AF_INET)
            except Exception:
                raise xml_error(
                    f"Bad ipv4 {which} address '{text}' in <nat> in <forward> in network '{network}'"
                ) from None
            setattr(forward, f"nat_{which}", parsed)
        check_range(forward.nat_start, forward.nat_end, None, 0)
    ports = element.findall("port")
    if len(ports) > 1:
        raise xml_error(f"Only one <port> element is allowed in <nat> in <forward> in network {network}")
    if ports:
        status, forward.port_start = _xpath_uint(ports[0].get("start"))
        if status < 0 or forward.port_start > 65535:
            raise xml_detail(
                f"Missing or invalid 'start' attribute in <port> in <nat> in <forward> in network {network}"
            )
        status, forward.port_end = _xpath_uint(ports[0].get("end"))
        if status < 0 or forward.port_end > 65535 or forward.port_end < forward.port_start:
            raise xml_detail(f"Missing or invalid 'end' attribute in <port> in <nat> in <forward> in network {network}")


def parse_definition(root: etree._Element) -> NetworkDefinition:
    """virNetworkDefParseXML: the definition a <network> element describes, or libvirt's error."""
    name = root.findtext("name")
    if name is None:
        raise report(api.VIR_ERR_NO_NAME, FROM_NETWORK)
    if "/" in name:
        raise xml_detail("invalid char in name: /")
    raw_uuid = root.findtext("uuid")
    if not raw_uuid:  # virXPathString: an empty <uuid/> is as good as none
        network_uuid = uuid_module.uuid4().bytes
    else:
        parsed_uuid = parse_uuid(raw_uuid)
        if parsed_uuid is None:
            raise network_error(api.VIR_ERR_INTERNAL_ERROR, "malformed uuid element")
        network_uuid = parsed_uuid
    definition = NetworkDefinition(name, network_uuid)
    ipv6 = root.get("ipv6") or None
    if ipv6 is not None:
        if ipv6 not in ("yes", "no"):
            raise xml_error(f"Invalid ipv6 setting '{ipv6}' in network '{name}'")
        definition.ipv6 = ipv6 == "yes"
    definition.trust_guest_rx_filters = _tristate(root, "trustGuestRxFilters")
    domain = root.find("domain")
    if domain is not None:
        definition.domain = domain.get("name")
        definition.domain_local_only = _tristate(domain, "localOnly")
    definition.bandwidth = _bandwidth(root.find("bandwidth"))
    definition.vlan = parse_vlan(root.find("vlan"))
    definition.port_isolated = _tristate(root.find("port"), "isolated")
    bridge = root.find("bridge")
    stp = None
    if bridge is not None:
        definition.bridge = bridge.get("name") or None
        definition.bridge_zone = bridge.get("zone") or None
        stp = bridge.get("stp") or None
        definition.stp = stp != "off"
        delay = bridge.get("delay") or None
        if delay is not None:
            if not delay.strip().isdigit():
                raise xml_error(f"Invalid delay value in network '{name}'")
            definition.delay = int(delay)
        manager = bridge.get("macTableManager") or None
        if manager is not None:
            if manager not in ("kernel", "libvirt"):
                raise xml_error(f"Invalid macTableManager setting '{manager}' in network '{name}'")
            definition.mac_table_manager = manager
    mac = root.find("mac")
    if mac is not None and mac.get("address"):  # virXPathString: empty is absent
        parsed = parse_mac(mac.get("address"))
        if parsed is None:
            raise xml_error(f"Invalid bridge mac address '{mac.get('address')}' in network '{name}'")
        if is_multicast(parsed):
            raise xml_error(f"Invalid multicast bridge mac address '{mac.get('address')}' in network '{name}'")
        definition.mac = parsed
    mtu = root.find("mtu")
    if mtu is not None and (mtu.get("size") or None) is not None:
        size = strtoul_wrapping(mtu.get("size"), 10)
        if size is None:
            raise xml_error(f"Invalid mtu size '{mtu.get('size')}' in network '{name}'")
        definition.mtu = size
    dns = root.find("dns")
    if dns is not None:
        definition.dns = _parse_dns(name, dns)
    definition.virtualport = parse_virtualport(root.find("virtualport"), require_type=True)
    definition.portgroups = [parse_portgroup(portgroup) for portgroup in root.findall("portgroup")]
    definition.ips = [_parse_ip(name, ip) for ip in root.findall("ip")]
    definition.routes = [parse_route(name, route) for route in root.findall("route")]
    _check_route_gateways(definition)
    forward = root.find("forward")
    if forward is not None:
        definition.forward = _parse_forward(name, forward)
    _check_forward_mode(definition, stp)
    metadata = root.find("metadata")
    if metadata is not None:
        for entry in metadata:
            namespace = etree.QName(entry).namespace if isinstance(entry.tag, str) else None
            if namespace and namespace not in definition.metadata:
                # a copy (xmlCopyNode): not the namespaces declared above the entry that it does not use
                definition.metadata[namespace] = etree.tostring(
                    copy.deepcopy(entry), encoding="unicode", with_tail=False
                )
    return definition


def _check_forward_mode(definition: NetworkDefinition, stp: str | None) -> None:
    forward, name = definition.forward, definition.name
    if forward.mode is None:
        return
    mode = forward.mode
    if mode in L3_MODES:
        if not definition.ips:
            raise xml_error(f"{mode} forwarding requested, but no IP address provided for network '{name}'")
        if len(forward.interfaces) + len(forward.addresses) > 1:
            raise xml_error(f"multiple forwarding interfaces specified for network '{name}', only one is supported")
        if mode == "open" and (forward.interfaces or forward.addresses):
            raise xml_error(f"forward dev not allowed for network '{name}' with forward mode='{mode}'")
    else:
        if mode != "bridge":
            if definition.bridge:
                raise xml_error(f"bridge name not allowed in {mode} mode (network '{name}')")
            if definition.bridge_zone:
                raise xml_error(f"bridge zone not allowed in {mode} mode (network '{name}')")
            if definition.mac_table_manager:
                raise xml_error(f"bridge macTableManager setting not allowed in {mode} mode (network '{name}')")
        if definition.delay or stp or definition.bridge_zone:
            raise xml_error(
                f"bridge delay/stp/zone options only allowed in route, nat, and isolated mode, "
                f"not in {mode} (network '{name}')"
            )
        if definition.bridge and (forward.interfaces or forward.addresses or forward.pf is not None):
            raise xml_error(
                f"A network with forward mode='{mode}' can specify a bridge name or a forward dev, "
                f"but not both (network '{name}')"
            )
    if definition.mtu and mode not in L3_MODES:
        raise xml_error(
            f"mtu size only allowed in open, route, nat, and isolated mode, not in {mode} (network '{name}')"
        )
