"""Network filters and their bindings on a test:/// connection: beyond libvirt's test driver,
which has none; they behave as libvirt 9.0's nwfilter driver does in a privileged daemon.

Filters are read as virNWFilterDefParseXML reads them (each protocol attribute tried as each
of its data types in turn, the last bad one named in the error) and written back as
virNWFilterDefFormat writes them: default rule priority 500, values normalised (addresses,
masks as prefix lengths, hex kept hex, names for protocol numbers), and a protocol element
split where its attributes change between matching and not matching.

A binding's filters are instantiated only when its port device exists, as in libvirt; here
the devices that exist are the test node's active host interfaces and the host-side devices
of its running domains' interfaces (testnet0, ...). Only then does a binding need its filters
and variables, and only then does it keep a filter in use.
"""

from __future__ import annotations

import functools
import re
import socket
import uuid
from dataclasses import dataclass, field

from lxml import etree

from virtrio.drivers.libvirt_rules import C_SPACE, strtol_whole
from virtrio.drivers.libvirt_rules import mac_text as _mac_text
from virtrio.drivers.libvirt_rules import parse_mac as _mac
from virtrio.drivers.libvirt_rules import parse_uuid as _uuid
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError, check_flags, report

from .common import TestProcedures
from .domain_definition import format_element
from .large_documents import read_then
from .parse import parse_document, validate_against_schema

FROM_NWFILTER = api.VIR_FROM_NWFILTER

# --- numbers, addresses and names as libvirt's helpers read them ------------------------

UINT_MAX = 0xFFFFFFFF
ULONG_MAX = (1 << 64) - 1


def _strtoul(text: str, base: int) -> tuple[int | None, int, bool]:
    """C's strtoul: (the unsigned long, negatives wrapped; None without digits or on
    overflow), where the number ends, and whether it had a minus sign."""
    i = 0
    while i < len(text) and text[i] in C_SPACE:
        i += 1
    negative = False
    if i < len(text) and text[i] in "+-":
        negative = text[i] == "-"
        i += 1
    digits = "0123456789" if base == 10 else "0123456789abcdefABCDEF"
    if base == 16 and text[i : i + 2] in ("0x", "0X") and text[i + 2 : i + 3] and text[i + 2] in digits:
        i += 2
    start = i
    while i < len(text) and text[i] in digits:
        i += 1
    if i == start:
        return None, 0, False
    value = int(text[start:i], base)
    if value > ULONG_MAX:
        return None, i, negative
    return (-value) % (1 << 64) if negative else value, i, negative


def _uint(text: str, base: int = 10, whole: bool = True) -> tuple[int | None, int]:
    """virStrToLong_ui: an unsigned int ("-1" is UINT_MAX), and where it ended."""
    value, end, negative = _strtoul(text, base)
    if value is None or (whole and end != len(text)):
        return None, end
    if negative:
        magnitude = (-value) % (1 << 64)
        if magnitude > UINT_MAX:
            return None, end
        value &= UINT_MAX
    elif value > UINT_MAX:
        return None, end
    return value, end


def _ipv4(text: str) -> str | None:
    """virSocketAddrParseIPv4 and virSocketAddrFormat: inet_aton's forms, dotted quad back."""
    if not text or any(c in C_SPACE or c == "\0" for c in text):
        return None
    try:
        return socket.inet_ntoa(socket.inet_aton(text))
    except (OSError, ValueError):
        return None


def _ipv6(text: str) -> str | None:
    try:
        return socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, text))
    except (OSError, ValueError):
        return None


def _prefix_length(packed: bytes) -> int | None:
    """virSocketAddrGetNumNetmaskBits: the leading ones of a mask, None if not contiguous."""
    bits = int.from_bytes(packed, "big")
    width = len(packed) * 8
    ones = width - (bits ^ ((1 << width) - 1)).bit_length()
    return ones if bits == ((1 << ones) - 1) << (width - ones) else None


def _xpath_string(element: etree._Element | None) -> str | None:
    """virXPathString of string(...): all the text inside; None when empty or absent."""
    if element is None:
        return None
    return "".join(element.itertext()) or None


def _local_name(node: etree._Element) -> str | None:
    return etree.QName(node).localname if isinstance(node.tag, str) else None


def _unknown_error() -> LibvirtError:
    """What a client gets when libvirt fails without saying why (virErrorGenericFailure)."""
    return LibvirtError(
        api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_NONE, "An error occurred, but the cause is unknown", int1=0, int2=0
    )


def _error(code: int, detail: str) -> LibvirtError:
    return report(code, FROM_NWFILTER, detail)


# --- documents ----------------------------------------------------------------------------


def _document(text: str, root_tag: str, schema: str | None) -> etree._Element:
    """virXMLParse: the parsed document, or libvirt's errors for malformed XML, another root
    element, or (with a VALIDATE flag) a document its RelaxNG schema refuses."""
    if schema is not None:
        validate_against_schema(text, schema, root_tag)
    return parse_document(text, root_tag)


# --- variables ----------------------------------------------------------------------------

VAR_NAME = re.compile(r"[A-Za-z0-9_]*")
VAR_VALUE = re.compile(r"[A-Za-z0-9_.:]+")
MAX_ITERATOR_ID = 1000


@dataclass(frozen=True)
class VarAccess:
    """$NAME, $NAME[index] (an element) or $NAME[@id] (an iterator; $NAME is NAME[@0])."""

    name: str
    element: bool
    index: int

    def __str__(self) -> str:
        if self.element:
            return f"{self.name}[{self.index}]"
        return f"{self.name}[@{self.index}]" if self.index else self.name

    def available(self, variables: dict[str, list[str]]) -> bool:
        values = variables.get(self.name)
        return values is not None and (not self.element or self.index < len(values))


def _var_access(text: str) -> VarAccess | None:
    """virNWFilterVarAccessParse (whatever follows the closing bracket is ignored)."""
    end = VAR_NAME.match(text).end()
    if end == len(text):
        return VarAccess(text, False, 0)
    if text[end] != "[":
        return None
    rest = text[end + 1 :].lstrip(C_SPACE)
    element = not rest.startswith("@")
    if not element:
        rest = rest[1:]
    value, stop = _uint(rest, 10, whole=False)
    if value is None or not rest[stop:].lstrip(C_SPACE).startswith("]"):
        return None
    if not element and value > MAX_ITERATOR_ID:
        return None
    return VarAccess(text[:end], element, value)


def _parameters(element: etree._Element) -> dict[str, list[str]]:
    """virNWFilterParseParamAttributes: <parameter name value/>; a repeated name is a list."""
    table: dict[str, list[str]] = {}
    for child in element:
        if _local_name(child) != "parameter":
            continue
        name, value = child.get("name"), child.get("value")
        if name is None or not VAR_NAME.fullmatch(name) or value is None or not VAR_VALUE.fullmatch(value):
            continue
        table.setdefault(name, []).append(value)
    return table


def _filterref_element(filter_name: str, parameters: dict[str, list[str]]) -> etree._Element:
    """virNWFilterFormatParamAttributes: parameters by name, a list's values in order."""
    element = etree.Element("filterref", filter=filter_name)
    for name in sorted(parameters):
        for value in parameters[name]:
            etree.SubElement(element, "parameter", name=name, value=value)
    return element


# --- rule attributes (virAttr and its tables) ---------------------------------------------

U16, U8, U16_HEX, U8_HEX = 1 << 0, 1 << 1, 1 << 2, 1 << 3
MAC, MAC_MASK, IP, IP_MASK, STRING = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
IPV6, IPV6_MASK, STRING_COPY, BOOLEAN = 1 << 9, 1 << 10, 1 << 11, 1 << 12
U32, U32_HEX, IPSET_NAME, IPSET_FLAGS = 1 << 13, 1 << 14, 1 << 15, 1 << 16
DATATYPES = [1 << bit for bit in range(17)]  # tried in this order

MAX_COMMENT_LENGTH = 256
MAX_IPSET_NAME_LENGTH = 32
IPSET_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-+ ")

ETHER_TYPES = [(0x0806, "arp"), (0x8035, "rarp"), (0x0800, "ipv4"), (0x86DD, "ipv6"), (0x8100, "vlan")]
ARP_OPCODES = [
    (1, "Request"),
    (2, "Reply"),
    (3, "Request_Reverse"),
    (4, "Reply_Reverse"),
    (5, "DRARP_Request"),
    (6, "DRARP_Reply"),
    (7, "DRARP_Error"),
    (8, "InARP_Request"),
    (9, "ARP_NAK"),
]
IP_PROTOCOLS = [
    (6, "tcp"),
    (17, "udp"),
    (136, "udplite"),
    (50, "esp"),
    (51, "ah"),
    (1, "icmp"),
    (2, "igmp"),
    (132, "sctp"),
    (58, "icmpv6"),
]
STATES = [(1 << 1, "NEW"), (1 << 2, "ESTABLISHED"), (1 << 3, "RELATED"), (1 << 4, "INVALID"), (1 << 5, "NONE")]
STATE_NONE = 1 << 5
TCP_FLAGS = [
    (0x1, "FIN"),
    (0x2, "SYN"),
    (0x4, "RST"),
    (0x8, "PSH"),
    (0x10, "ACK"),
    (0x20, "URG"),
    (0x3F, "ALL"),
    (0x0, "NONE"),
]


@dataclass(frozen=True)
class Attribute:
    name: str
    types: int
    special: str | None = None  # the validator and formatter libvirt gives it


def _attributes(spec: str, types: int, special: str | None = None) -> list[Attribute]:
    return [Attribute(name, types, special) for name in spec.split()]


NUMBER16 = U16 | U16_HEX
NUMBER8 = U8 | U8_HEX
COMMENT = Attribute("comment", STRING_COPY)
COMMON_MAC = [
    Attribute("srcmacaddr", MAC),
    Attribute("srcmacmask", MAC_MASK),
    Attribute("dstmacaddr", MAC),
    Attribute("dstmacmask", MAC_MASK),
]
PORTS = _attributes("srcportstart srcportend dstportstart dstportend", NUMBER16)


def _common_ip(address: int, mask: int) -> list[Attribute]:
    return [
        Attribute("srcmacaddr", MAC),
        *_attributes("srcipaddr", address),
        *_attributes("srcipmask", mask),
        *_attributes("dstipaddr", address),
        *_attributes("dstipmask", mask),
        *_attributes("srcipfrom srcipto dstipfrom", address),
        Attribute("dstipto", IP),  # IPv4 even in the IPv6 protocols, as libvirt has it
        Attribute("dscp", NUMBER8, "dscp"),
        Attribute("connlimit-above", U16),
        Attribute("state", STRING, "state"),
        Attribute("ipset", IPSET_NAME, "ipset"),
        Attribute("ipsetflags", IPSET_FLAGS, "ipsetflags"),
    ]


IP4 = _common_ip(IP, IP_MASK)
IP6 = _common_ip(IPV6, IPV6_MASK)
ICMP_TYPE = _attributes("type code", NUMBER8)
ARP_ATTRIBUTES = [
    *COMMON_MAC,
    *_attributes("hwtype protocoltype", NUMBER16),
    Attribute("opcode", NUMBER16 | STRING, "arpop"),
    *_attributes("arpsrcmacaddr arpdstmacaddr", MAC),
    Attribute("arpsrcipaddr", IP),
    Attribute("arpsrcipmask", IP_MASK),
    Attribute("arpdstipaddr", IP),
    Attribute("arpdstipmask", IP_MASK),
    Attribute("gratuitous", BOOLEAN),
    COMMENT,
]


def _ip_header(address: int, mask: int) -> list[Attribute]:
    return [
        *COMMON_MAC,
        *_attributes("srcipaddr", address),
        *_attributes("srcipmask", mask),
        *_attributes("dstipaddr", address),
        *_attributes("dstipmask", mask),
        Attribute("protocol", STRING | NUMBER8, "ipproto"),
        *PORTS,
    ]


STP_TIMES = "port port-hi age age-hi max-age max-age-hi hello-time hello-time-hi forward-delay forward-delay-hi"
PROTOCOLS: dict[str, list[Attribute]] = {
    "arp": ARP_ATTRIBUTES,
    "rarp": ARP_ATTRIBUTES,
    "mac": [*COMMON_MAC, Attribute("protocolid", NUMBER16 | STRING, "macproto"), COMMENT],
    "vlan": [
        *COMMON_MAC,
        Attribute("vlanid", NUMBER16, "vlanid"),
        Attribute("encap-protocol", NUMBER16 | STRING, "vlanproto"),
        COMMENT,
    ],
    "stp": [
        Attribute("srcmacaddr", MAC),
        Attribute("srcmacmask", MAC_MASK),
        *_attributes("type flags", NUMBER8),
        *_attributes("root-priority root-priority-hi", NUMBER16),
        Attribute("root-address", MAC),
        Attribute("root-address-mask", MAC_MASK),
        *_attributes("root-cost root-cost-hi", U32 | U32_HEX),
        *_attributes("sender-priority sender-priority-hi", NUMBER16),
        Attribute("sender-address", MAC),
        Attribute("sender-address-mask", MAC_MASK),
        *_attributes(STP_TIMES, NUMBER16),
        COMMENT,
    ],
    "ip": [*_ip_header(IP, IP_MASK), Attribute("dscp", NUMBER8, "dscp"), COMMENT],
    "ipv6": [*_ip_header(IPV6, IPV6_MASK), *_attributes("type typeend code codeend", NUMBER8), COMMENT],
    "tcp": [*IP4, *PORTS, Attribute("option", NUMBER8), Attribute("flags", STRING, "tcpflags"), COMMENT],
    "udp": [*IP4, *PORTS, COMMENT],
    "udplite": [*IP4, COMMENT],
    "esp": [*IP4, COMMENT],
    "ah": [*IP4, COMMENT],
    "sctp": [*IP4, *PORTS, COMMENT],
    "icmp": [*IP4, *ICMP_TYPE, COMMENT],
    "all": [*IP4, COMMENT],
    "igmp": [*IP4, COMMENT],
    "tcp-ipv6": [*IP6, *PORTS, Attribute("option", NUMBER8), COMMENT],
    "udp-ipv6": [*IP6, *PORTS, COMMENT],
    "udplite-ipv6": [*IP6, COMMENT],
    "esp-ipv6": [*IP6, COMMENT],
    "ah-ipv6": [*IP6, COMMENT],
    "sctp-ipv6": [*IP6, *PORTS, COMMENT],
    "icmpv6": [*IP6, *ICMP_TYPE, COMMENT],
    "all-ipv6": [*IP6, COMMENT],
}

# virNWFilterRuleDefFixup: each (attribute, attribute whose match='no' it takes on)
MAC_PAIRS = [("srcmacmask", "srcmacaddr"), ("dstmacmask", "dstmacaddr")]
IP_PAIRS = [("srcipmask", "srcipaddr"), ("dstipmask", "dstipaddr")]
RANGE_PAIRS = [*IP_PAIRS, ("srcipto", "srcipfrom"), ("dstipto", "dstipfrom")]
PORT_PAIRS = [("srcportend", "srcportstart"), ("dstportstart", "srcportstart"), ("dstportend", "srcportstart")]
STP_RANGES = "root-priority root-cost sender-priority port age max-age hello-time forward-delay"
STP_PAIRS = [
    ("srcmacmask", "srcmacaddr"),
    ("root-address-mask", "root-address"),
    ("sender-address-mask", "sender-address"),
] + [(f"{name}-hi", name) for name in STP_RANGES.split()]
NEGATION_PAIRS: dict[str, list[tuple[str, str]]] = {
    "mac": MAC_PAIRS,
    "vlan": MAC_PAIRS,
    "stp": STP_PAIRS,
    "ip": IP_PAIRS,
    "ipv6": [*IP_PAIRS, ("typeend", "type"), ("code", "type"), ("codeend", "type")],
}
for _base in ("tcp", "udp", "sctp"):
    NEGATION_PAIRS[_base] = NEGATION_PAIRS[f"{_base}-ipv6"] = RANGE_PAIRS + PORT_PAIRS
for _base in ("udplite", "esp", "ah", "all"):
    NEGATION_PAIRS[_base] = NEGATION_PAIRS[f"{_base}-ipv6"] = RANGE_PAIRS
NEGATION_PAIRS["igmp"] = RANGE_PAIRS
NEGATION_PAIRS["icmp"] = NEGATION_PAIRS["icmpv6"] = [*RANGE_PAIRS, ("code", "type")]
# the protocols whose ipset and ipsetflags virNWFilterRuleDefFixupIPSet settles
IPSET_FIXED = set(PROTOCOLS) - {"arp", "rarp", "mac", "vlan", "stp", "all", "all-ipv6"}


@dataclass
class Item:
    """One attribute of a rule's protocol element, as libvirt will write it."""

    text: str
    negated: bool
    number: int | None = None  # the value, where a rule check needs it


def _string_items(entries: list[tuple[int, str]], text: str, separator: str) -> int | None:
    """parseStringItems: names from the list, any case, split by spaces or the separator."""
    flags, i = 0, 0
    while i < len(text):
        while i < len(text) and (text[i] in C_SPACE or text[i] == separator):
            i += 1
        if i >= len(text):
            break
        for bit, name in entries:
            if text[i : i + len(name)].lower() == name.lower():
                flags |= bit
                i += len(name)
                break
        else:
            return None
    return flags


def _print_string_items(entries: list[tuple[int, str]], flags: int) -> str:
    return ",".join(name for bit in range(32) if flags & (1 << bit) for value, name in entries if value == 1 << bit)


def _tcp_flags_text(flags: int) -> str:
    return "NONE" if flags == 0 else "ALL" if flags == 0x3F else _print_string_items(TCP_FLAGS, flags)


def _lookup(entries: list[tuple[int, str]], name: str) -> int | None:
    return next((value for value, known in entries if known.lower() == name.lower()), None)


def _name_of(entries: list[tuple[int, str]], value: int) -> str | None:
    return next((known for number, known in entries if number == value), None)


def _parse_as(datatype: int, text: str) -> object | None:
    """One attempt of virNWFilterRuleDetailsParse: the value, or None if it is not one."""
    if datatype in (U8, U8_HEX, U16, U16_HEX, U32, U32_HEX):
        value, _ = _uint(text, 16 if datatype in (U8_HEX, U16_HEX, U32_HEX) else 10)
        limit = 0xFF if datatype in (U8, U8_HEX) else 0xFFFF if datatype in (U16, U16_HEX) else UINT_MAX
        return value if value is not None and value <= limit else None
    if datatype in (IP, IPV6):
        return (_ipv4 if datatype == IP else _ipv6)(text)
    if datatype in (IP_MASK, IPV6_MASK):
        width = 32 if datatype == IP_MASK else 128
        value, _ = _uint(text)
        if value is not None:
            return value if value <= width else None
        address = _ipv4(text) if datatype == IP_MASK else _ipv6(text)
        if address is None:
            return None
        return _prefix_length(socket.inet_pton(socket.AF_INET if datatype == IP_MASK else socket.AF_INET6, address))
    if datatype in (MAC, MAC_MASK):
        return _mac(text)
    if datatype in (STRING, IPSET_NAME, IPSET_FLAGS):
        return text
    if datatype == STRING_COPY:
        return text.encode("utf-8", "surrogateescape")[:MAX_COMMENT_LENGTH].decode("utf-8", "ignore")
    if datatype == BOOLEAN:
        return text in ("true", "1", "yes")
    return None


def _default_text(datatype: int, value: object) -> str:
    if datatype in (U8_HEX, U16_HEX, U32_HEX):
        return f"0x{value:x}"
    if datatype in (MAC, MAC_MASK):
        return _mac_text(value)
    if datatype == BOOLEAN:
        return "true" if value else "false"
    return str(value)


def _ether_type(datatype: int, value: object, minimum: int) -> Item | None:
    """checkMacProtocolID / checkVlanProtocolID with their formatter."""
    if datatype == STRING:
        number = _lookup(ETHER_TYPES, value)
        datatype = U16
    else:
        number = value if value >= minimum else None
    if number is None:
        return None
    name = _name_of(ETHER_TYPES, number)
    return Item(name or (str(number) if datatype == U16 else f"0x{number:x}"), False, number)


def _ipset_flags(text: str) -> str | None:
    count, flags, i = 0, 0, 0
    while count < 6:
        word = text[i : i + 3].lower()
        if word == "src":
            flags |= 1 << count
        elif word != "dst":
            return None
        count += 1
        i += 3
        if text[i : i + 1] != ",":
            break
        i += 1
    if i != len(text):
        return None
    return ",".join("src" if flags & (1 << n) else "dst" for n in range(count))


def _validated(attribute: Attribute, datatype: int, value: object) -> Item | None:
    """The attribute's validator and formatter, or the default format for its data type."""
    special = attribute.special
    if datatype == MAC_MASK:
        mask = int.from_bytes(value, "big")
        ones = 48 - (mask ^ ((1 << 48) - 1)).bit_length()
        if mask != ((1 << ones) - 1) << (48 - ones):
            return None
    if special == "macproto":
        return _ether_type(datatype, value, 0x600)
    if special == "vlanproto":
        return _ether_type(datatype, value, 0x3C)
    if special == "vlanid" and value > 4095:
        return None
    if special == "dscp" and value > 63:
        return None
    if special == "arpop":
        number = _lookup(ARP_OPCODES, value) if datatype == STRING else value
        if number is None:
            return None
        return Item(_name_of(ARP_OPCODES, number) or str(number), False, number)
    if special == "ipproto":
        if datatype == STRING:
            number, datatype = _lookup(IP_PROTOCOLS, value), U8_HEX
        else:
            number = value
        if number is None:
            return None
        name = _name_of(IP_PROTOCOLS, number)
        return Item(name or (str(number) if datatype == U8 else f"0x{number:x}"), False, number)
    if special == "state":
        flags = _string_items(STATES, value, ",")
        if flags is None:
            return None
        return Item(_print_string_items(STATES, STATE_NONE if flags & STATE_NONE else flags), False)
    if special == "tcpflags":
        mask_text, slash, flags_text = value.partition("/")
        mask, flags = _string_items(TCP_FLAGS, mask_text, ","), _string_items(TCP_FLAGS, flags_text, ",")
        if not slash or mask is None or flags is None:
            return None
        return Item(f"{_tcp_flags_text(mask & 0x3F)}/{_tcp_flags_text(flags & 0x3F)}", False)
    if special == "ipset":
        if len(value.encode()) >= MAX_IPSET_NAME_LENGTH or not set(value) <= IPSET_NAME_CHARACTERS:
            return None
        return Item(value, False)
    if special == "ipsetflags":
        text = _ipset_flags(value)
        return None if text is None else Item(text, False)
    return Item(_default_text(datatype, value), False, value if isinstance(value, int) else None)


def _parse_item(attribute: Attribute, text: str, rule: Rule) -> Item | None:
    """One attribute's value: a variable, or the first of its data types it reads as."""
    if text.startswith("$"):
        access = _var_access(text[1:])
        if access is None:
            return None
        if access not in rule.variables:
            rule.variables.append(access)
        return Item(f"${access}", False)
    for datatype in DATATYPES:
        if attribute.types & datatype:
            value = _parse_as(datatype, text)
            if value is not None:
                return _validated(attribute, datatype, value)
    return None


# --- filters ------------------------------------------------------------------------------

ACTIONS = ("drop", "accept", "reject", "return", "continue")
DIRECTIONS = ("in", "out", "inout")
CHAIN_PREFIXES = ("root", "mac", "vlan", "stp", "arp", "rarp", "ipv4", "ipv6")
CHAIN_PRIORITIES = {"root": 0, "mac": -800, "vlan": -750, "ipv4": -700, "ipv6": -600, "arp": -500, "rarp": -400}
CHAIN_NAME = re.compile(r"[A-Za-z0-9_.:-]*")
MAX_CHAIN_SUFFIX = 12
MIN_PRIORITY, MAX_PRIORITY = -1000, 1000
PORT_PROTOCOLS = {6, 17, 33, 132}  # tcp, udp, dccp, sctp


@dataclass
class Rule:
    action: str
    direction: str
    priority: int = 500
    no_statematch: bool = False
    protocol: str | None = None
    items: dict[str, Item] = field(default_factory=dict)
    variables: list[VarAccess] = field(default_factory=list)

    def element(self) -> etree._Element:
        rule = etree.Element("rule", action=self.action, direction=self.direction, priority=str(self.priority))
        if self.no_statematch:
            rule.set("statematch", "false")
        if self.protocol is not None:
            for attributes in self._protocol_elements():
                etree.SubElement(rule, self.protocol).attrib.update(attributes)
        return rule

    def _protocol_elements(self) -> list[dict[str, str]]:
        """virNWFilterRuleDefDetailsFormat: a new element wherever match='no' starts or stops."""
        elements: list[dict[str, str]] = []
        current: dict[str, str] | None = None
        shown: bool | None = None  # whether the open element says match='no'
        table = PROTOCOLS[self.protocol]
        i = 0
        while i < len(table):
            item = self.items.get(table[i].name)
            if item is not None:
                if current is None:
                    current = {}
                    elements.append(current)
                if shown is not None and shown != item.negated:
                    current, shown = None, None
                    continue  # the same attribute again, in a new element
                if shown is None and item.negated:
                    current["match"] = "no"
                shown = item.negated
                current[table[i].name] = item.text
            i += 1
        return elements or [{}]


@dataclass
class Include:
    filter: str
    parameters: dict[str, list[str]]


@dataclass
class Nwfilter:
    name: str
    uuid: bytes
    chain: str = "root"
    priority: int = 0  # the chain's; 0 is not written
    entries: list[Rule | Include] = field(default_factory=list)

    @property
    def uuid_text(self) -> str:
        return str(uuid.UUID(bytes=self.uuid))

    def includes(self) -> list[Include]:
        return [entry for entry in self.entries if isinstance(entry, Include)]

    def xml(self) -> str:
        root = etree.Element("filter", name=self.name, chain=self.chain)
        if self.priority:
            root.set("priority", str(self.priority))
        etree.SubElement(root, "uuid").text = self.uuid_text
        for entry in self.entries:
            if isinstance(entry, Rule):
                root.append(entry.element())
            else:
                root.append(_filterref_element(entry.filter, entry.parameters))
        return "\n".join(format_element(root, 0)) + "\n"


def _chain(chain: str) -> str | None:
    """virNWFilterIsAllowedChain: the prefix the chain's name has, or an error."""
    if len(chain.encode()) > MAX_CHAIN_SUFFIX:
        raise _error(api.VIR_ERR_INVALID_ARG, f"Name of chain is longer than {MAX_CHAIN_SUFFIX} characters")
    if not CHAIN_NAME.fullmatch(chain):
        raise _error(api.VIR_ERR_INVALID_ARG, "Chain name contains invalid characters")
    for prefix in CHAIN_PREFIXES:
        if prefix == "root":
            if chain == "root":
                return prefix
            if chain.startswith("root"):
                raise _unknown_error()  # libvirt fails here without reporting anything
        if chain.startswith(prefix):
            return prefix
    others = ", ".join(CHAIN_PREFIXES[1:])
    raise _error(
        api.VIR_ERR_INVALID_ARG,
        f"Invalid chain name '{chain}'. Please use a chain name called 'root' "
        f"or any of the following prefixes: {others}",
    )


def _rule(node: etree._Element) -> Rule:
    """virNWFilterRuleParse."""
    action, direction = node.get("action"), node.get("direction")
    if action is None:
        raise _error(api.VIR_ERR_INTERNAL_ERROR, "rule node requires action attribute")
    if action not in ACTIONS:
        raise _error(api.VIR_ERR_CONFIG_UNSUPPORTED, "unknown rule action attribute value")
    if direction is None:
        raise _error(api.VIR_ERR_INTERNAL_ERROR, "rule node requires direction attribute")
    if direction not in DIRECTIONS:
        raise _error(api.VIR_ERR_CONFIG_UNSUPPORTED, "unknown rule direction attribute value")
    rule = Rule(action, direction)
    priority = strtol_whole(node.get("priority") or "x")
    if priority is not None and MIN_PRIORITY <= priority <= MAX_PRIORITY:
        rule.priority = priority
    statematch = node.get("statematch")
    rule.no_statematch = statematch is not None and (statematch == "0" or statematch.lower() == "false")
    for child in node:
        name = _local_name(child)
        if name not in PROTOCOLS or rule.protocol not in (None, name):
            continue  # after the first protocol element, only more of the same count
        rule.protocol = name
        negated = child.get("match") == "no"
        failure = None
        for attribute in PROTOCOLS[name]:
            text = child.get(attribute.name)
            if text is None:
                continue
            item = _parse_item(attribute, text, rule)
            if item is None:
                failure = f"{attribute.name} has illegal value {text}"  # the last one is reported
                continue
            item.negated = negated
            rule.items[attribute.name] = item
        if failure is not None:
            raise _error(api.VIR_ERR_INTERNAL_ERROR, failure)
        _check_ports(rule)
    if rule.protocol is not None:
        _fix_up(rule)
    return rule


def _check_ports(rule: Rule) -> None:
    """virNWFilterRuleValidate: ports in an ip or ipv6 rule need a protocol that has them."""
    if rule.protocol not in ("ip", "ipv6") or not any(a.name in rule.items for a in PORTS):
        return
    protocol = rule.items.get("protocol")
    if protocol is None or (protocol.number or 0) not in PORT_PROTOCOLS:
        label = "IP" if rule.protocol == "ip" else "IPv6"
        detail = (
            f"{label} rule with port specification requires protocol specification with protocol to be "
            "either one of tcp(6), udp(17), dccp(33), or sctp(132)"
        )
        raise _error(api.VIR_ERR_INTERNAL_ERROR, detail)


def _fix_up(rule: Rule) -> None:
    """virNWFilterRuleDefFixup: masks and range ends match as their address or start does;
    an ipset without flags gets 'src', and ipset flags without an ipset (or with) go."""
    items = rule.items
    for target, source in NEGATION_PAIRS.get(rule.protocol, []):  # no source is also a target
        if target in items:
            items[target].negated = source in items and items[source].negated
    if rule.protocol in IPSET_FIXED:
        if "ipset" in rule.items and "ipsetflags" not in rule.items:
            rule.items["ipsetflags"] = Item("src", False)
        else:
            rule.items.pop("ipset", None)
            rule.items.pop("ipsetflags", None)


def parse_nwfilter(root: etree._Element) -> Nwfilter:
    """virNWFilterDefParseXML."""
    name = root.get("name")
    if not name:
        raise _error(api.VIR_ERR_INTERNAL_ERROR, "filter has no name")
    priority_text = root.get("priority") or None
    priority = 0
    if priority_text is not None:
        parsed = strtol_whole(priority_text)
        if parsed is None:
            raise _error(api.VIR_ERR_INVALID_ARG, f"Could not parse chain priority '{priority_text}'")
        if not MIN_PRIORITY <= parsed <= MAX_PRIORITY:
            detail = f"Priority '{parsed}' is outside valid range of [{MIN_PRIORITY},{MAX_PRIORITY}]"
            raise _error(api.VIR_ERR_INVALID_ARG, detail)
        priority = parsed
    chain = root.get("chain") or None
    if chain is None:
        chain, priority = "root", 0  # a priority without a chain is ignored
    else:
        prefix = _chain(chain)
        if priority_text is None:
            priority = CHAIN_PRIORITIES.get(prefix, 0)
    uuid_text = _xpath_string(root.find("uuid"))
    if uuid_text is None:
        raw = uuid.uuid4().bytes
    else:
        raw = _uuid(uuid_text)
        if raw is None:
            raise _error(api.VIR_ERR_XML_ERROR, "malformed uuid element")
    nwfilter = Nwfilter(name, raw, chain, priority)
    for child in root:
        kind = _local_name(child)
        if kind == "rule":
            nwfilter.entries.append(_rule(child))
        elif kind == "filterref":
            target = child.get("filter")
            if target is None:
                raise _error(api.VIR_ERR_INTERNAL_ERROR, "rule node requires action attribute")  # sic
            nwfilter.entries.append(Include(target, _parameters(child)))
    return nwfilter


# --- bindings -----------------------------------------------------------------------------


@dataclass
class NwfilterBinding:
    owner_name: str
    owner_uuid: bytes
    portdev: str
    mac: bytes
    filter: str
    parameters: dict[str, list[str]] = field(default_factory=dict)
    linkdev: str | None = None

    def xml(self) -> str:
        root = etree.Element("filterbinding")
        owner = etree.SubElement(root, "owner")
        etree.SubElement(owner, "name").text = self.owner_name
        etree.SubElement(owner, "uuid").text = str(uuid.UUID(bytes=self.owner_uuid))
        etree.SubElement(root, "portdev", name=self.portdev)
        if self.linkdev is not None:
            etree.SubElement(root, "linkdev", name=self.linkdev)
        etree.SubElement(root, "mac", address=_mac_text(self.mac))
        root.append(_filterref_element(self.filter, self.parameters))
        return "\n".join(format_element(root, 0)) + "\n"


def parse_nwfilter_binding(root: etree._Element) -> NwfilterBinding:
    """virNWFilterBindingDefParseXML."""

    def required(path: str, what: str) -> str:
        """string(./path) of XPath: an attribute, or an element's text; missing when empty."""
        element_path, _, attribute = path.partition("/@")
        if attribute:
            element = root.find(f"{element_path}[@{attribute}]")
            value = element.get(attribute) or None if element is not None else None
        else:
            value = _xpath_string(root.find(path))
        if value is None:
            raise _error(api.VIR_ERR_INTERNAL_ERROR, f"filter binding has no {what}")
        return value

    portdev = required("portdev/@name", "port dev name")
    linkdev = required("linkdev/@name", "link dev name") if root.find("linkdev") is not None else None
    owner_name = required("owner/name", "owner name")
    owner_uuid_text = required("owner/uuid", "owner UUID")
    owner_uuid = _uuid(owner_uuid_text)
    if owner_uuid is None:
        raise _error(api.VIR_ERR_INTERNAL_ERROR, f"Unable to parse UUID '{owner_uuid_text}'")
    mac_text = required("mac/@address", "MAC address")
    mac = _mac(mac_text)
    if mac is None:
        raise _error(api.VIR_ERR_INTERNAL_ERROR, f"Unable to parse MAC '{mac_text}'")
    filter_name = required("filterref/@filter", "filter reference")
    parameters = _parameters(root.find("filterref"))
    return NwfilterBinding(owner_name, owner_uuid, portdev, mac, filter_name, parameters, linkdev)


# --- procedures ---------------------------------------------------------------------------


class NwfilterProcedures(TestProcedures):
    # ------------------------------------------------------------------ lookups
    def _nwfilter_with_uuid(self, raw: bytes) -> Nwfilter | None:
        return next((f for f in self.state.nwfilters.values() if f.uuid == raw), None)

    def _nwfilter(self, raw: bytes) -> Nwfilter:
        nwfilter = self._nwfilter_with_uuid(raw)
        if nwfilter is None:
            detail = f"no nwfilter with matching uuid '{uuid.UUID(bytes=raw)}'"
            raise _error(api.VIR_ERR_NO_NWFILTER, detail)
        return nwfilter

    def _binding(self, portdev: str) -> NwfilterBinding:
        binding = self.state.nwfilter_bindings.get(portdev)
        if binding is None:
            raise _error(api.VIR_ERR_NO_NWFILTER_BINDING, f"no nwfilter binding for port dev '{portdev}'")
        return binding

    @staticmethod
    def _ref(nwfilter: Nwfilter) -> remote.remote_nonnull_nwfilter:
        return remote.remote_nonnull_nwfilter(nwfilter.name, nwfilter.uuid)

    @staticmethod
    def _binding_ref(binding: NwfilterBinding) -> remote.remote_nonnull_nwfilter_binding:
        return remote.remote_nonnull_nwfilter_binding(binding.portdev, binding.filter)

    # ------------------------------------------------------------------ filters
    def connect_num_of_nwfilters(self) -> remote.remote_connect_num_of_nwfilters_ret:
        return remote.remote_connect_num_of_nwfilters_ret(len(self.state.nwfilters))

    def connect_list_nwfilters(self, args: remote.remote_connect_list_nwfilters_args):
        names = list(self.state.nwfilters)[: max(args.maxnames, 0)]
        return remote.remote_connect_list_nwfilters_ret(names)

    def connect_list_all_nwfilters(self, args: remote.remote_connect_list_all_nwfilters_args):
        check_flags(args.flags, 0, FROM_NWFILTER, "nwfilterConnectListAllNWFilters")
        filters = list(self.state.nwfilters.values())
        refs = [self._ref(f) for f in filters] if args.need_results else []
        return remote.remote_connect_list_all_nwfilters_ret(refs, len(filters))

    def nwfilter_lookup_by_name(self, args: remote.remote_nwfilter_lookup_by_name_args):
        nwfilter = self.state.nwfilters.get(args.name)
        if nwfilter is None:
            raise _error(api.VIR_ERR_NO_NWFILTER, f"no nwfilter with matching name '{args.name}'")
        return remote.remote_nwfilter_lookup_by_name_ret(self._ref(nwfilter))

    def nwfilter_lookup_by_uuid(self, args: remote.remote_nwfilter_lookup_by_uuid_args):
        return remote.remote_nwfilter_lookup_by_uuid_ret(self._ref(self._nwfilter(args.uuid)))

    def nwfilter_get_xml_desc(self, args: remote.remote_nwfilter_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_NWFILTER, "nwfilterGetXMLDesc")
        return remote.remote_nwfilter_get_xml_desc_ret(self._nwfilter(args.nwfilter.uuid).xml())

    def nwfilter_define_xml(self, args: remote.remote_nwfilter_define_xml_args):
        return read_then(
            args.xml,
            functools.partial(_read_nwfilter, args.xml, 0),
            lambda new: remote.remote_nwfilter_define_xml_ret(self._ref(self._define_nwfilter(new))),
        )

    def nwfilter_define_xml_flags(self, args: remote.remote_nwfilter_define_xml_flags_args):
        check_flags(args.flags, api.VIR_NWFILTER_DEFINE_VALIDATE, FROM_NWFILTER, "nwfilterDefineXMLFlags")
        return read_then(
            args.xml,
            functools.partial(_read_nwfilter, args.xml, args.flags),
            lambda new: remote.remote_nwfilter_define_xml_flags_ret(self._ref(self._define_nwfilter(new))),
        )

    def _define_nwfilter(self, new: Nwfilter) -> Nwfilter:
        """virNWFilterObjListAssignDef: the filter read (_read_nwfilter) defined."""
        filters = self.state.nwfilters
        same_uuid = self._nwfilter_with_uuid(new.uuid)
        if same_uuid is not None and same_uuid.name != new.name:
            detail = f"filter with same UUID but different name ('{same_uuid.name}') already exists"
            raise _error(api.VIR_ERR_OPERATION_FAILED, detail)
        existing = filters.get(new.name)
        if same_uuid is None and existing is not None:
            detail = f"filter '{new.name}' already exists with uuid {existing.uuid_text}"
            raise _error(api.VIR_ERR_OPERATION_FAILED, detail)
        if self._introduces_loop(new, new.name, set()):
            raise _error(api.VIR_ERR_OPERATION_FAILED, "filter would introduce a loop")
        if existing is not None and existing.xml() != new.xml():
            self._rebuild_all({new.name: new})  # the ports using it take the new rules, or it fails
        filters[new.name] = new
        return new

    def _introduces_loop(self, nwfilter: Nwfilter, name: str, seen: set[str]) -> bool:
        """_virNWFilterObjListDefLoopDetect: does a filter it references, at any depth, name it?"""
        for include in nwfilter.includes():
            if include.filter == name:
                return True
            referenced = self.state.nwfilters.get(include.filter)
            if referenced is not None and include.filter not in seen:
                seen.add(include.filter)
                if self._introduces_loop(referenced, name, seen):
                    return True
        return False

    def nwfilter_undefine(self, args: remote.remote_nwfilter_undefine_args) -> None:
        nwfilter = self._nwfilter(args.nwfilter.uuid)
        try:
            self._rebuild_all({}, removed=nwfilter.name)
        except LibvirtError:
            raise _error(api.VIR_ERR_OPERATION_INVALID, "nwfilter is in use") from None
        del self.state.nwfilters[nwfilter.name]

    # ----------------------------------------------------------------- bindings
    def _port_exists(self, portdev: str) -> bool:
        """virNetDevExists on the test node: its active host interfaces, and the host side of
        its running domains' interfaces."""
        interface = self.state.interfaces.get(portdev)
        if interface is not None and interface.active:
            return True
        for domain in self.state.domains.values():
            if not domain.active:
                continue
            try:
                if any(i.target == portdev for i in domain.interfaces):
                    return True
            except (AttributeError, TypeError):  # an interface without a target or MAC
                continue
        return False

    def _rebuild_all(self, new: dict[str, Nwfilter], removed: str | None = None) -> None:
        """virNWFilterBuildAll after a filter changes or before one goes: every binding's
        filters instantiated again; the last failure is the one reported."""
        failure = None
        for binding in list(self.state.nwfilter_bindings.values()):
            try:
                self._instantiate(binding, new, removed)
            except LibvirtError as error:
                failure = error
        if failure is not None:
            raise failure

    def _instantiate(self, binding: NwfilterBinding, new: dict[str, Nwfilter], removed: str | None = None) -> None:
        """virNWFilterInstantiateFilterUpdate and virNWFilterDoInstantiate, up to the rules
        (which are not applied anywhere): the filters must exist and the variables resolve."""
        if not self._port_exists(binding.portdev):
            return  # the port is gone, or not there yet: nothing to do, and no error
        root = self._instantiable(binding.filter, new, removed)
        binding.parameters.setdefault("MAC", [_mac_text(binding.mac)])  # libvirt adds it to the binding
        missing: dict[str, None] = {}
        self._missing_variables(root, binding.parameters, missing, new, removed, 0)
        learning = (binding.parameters.get("CTRL_IP_LEARNING") or ["any"])[0]
        report_ip = False
        if len(missing) == 1 and "IP" in missing:
            if learning.lower() in ("any", "dhcp"):
                return  # libvirt starts learning the address
            if learning.lower() != "none":
                detail = f"filter '{root.name}' learning value '{learning}' invalid."
                raise _error(api.VIR_ERR_PARSE_FAILED, detail)
            report_ip = True
        elif not missing:
            return
        names = [name for name in missing if not (name == "IP" and not report_ip) and name != "MAC"]
        if not names:
            raise _unknown_error()
        detail = "Cannot instantiate filter due to unresolvable variables or unavailable list elements: "
        raise _error(api.VIR_ERR_INTERNAL_ERROR, detail + ", ".join(names))

    def _instantiable(self, name: str, new: dict[str, Nwfilter], removed: str | None) -> Nwfilter:
        """virNWFilterObjListFindInstantiateFilter, following a definition being made."""
        nwfilter = self.state.nwfilters.get(name)
        if nwfilter is None:
            raise _error(api.VIR_ERR_INTERNAL_ERROR, f"referenced filter '{name}' is missing")
        if name == removed:
            raise _error(api.VIR_ERR_NO_NWFILTER, f"Filter '{name}' is in use.")
        return new.get(name, nwfilter)

    def _missing_variables(
        self,
        nwfilter: Nwfilter,
        variables: dict[str, list[str]],
        missing: dict[str, None],
        new: dict[str, Nwfilter],
        removed: str | None,
        depth: int,
    ) -> None:
        """virNWFilterDetermineMissingVarsRec: a referenced filter sees its parameters, overridden
        by the variables of the filter referencing it."""
        if depth > 100:  # loops are refused when filters are defined; this is only a guard
            return
        for entry in nwfilter.entries:
            if isinstance(entry, Rule):
                for access in entry.variables:
                    if not access.available(variables):
                        missing[str(access)] = None
            else:
                child = self._instantiable(entry.filter, new, removed)
                self._missing_variables(child, {**entry.parameters, **variables}, missing, new, removed, depth + 1)

    def connect_list_all_nwfilter_bindings(self, args: remote.remote_connect_list_all_nwfilter_bindings_args):
        check_flags(args.flags, 0, FROM_NWFILTER, "nwfilterConnectListAllNWFilterBindings")
        bindings = list(self.state.nwfilter_bindings.values())
        refs = [self._binding_ref(b) for b in bindings] if args.need_results else []
        return remote.remote_connect_list_all_nwfilter_bindings_ret(refs, len(bindings))

    def nwfilter_binding_lookup_by_port_dev(self, args: remote.remote_nwfilter_binding_lookup_by_port_dev_args):
        binding = self._binding(args.name)
        return remote.remote_nwfilter_binding_lookup_by_port_dev_ret(self._binding_ref(binding))

    def nwfilter_binding_get_xml_desc(self, args: remote.remote_nwfilter_binding_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_NWFILTER, "nwfilterBindingGetXMLDesc")
        return remote.remote_nwfilter_binding_get_xml_desc_ret(self._binding(args.nwfilter.portdev).xml())

    def nwfilter_binding_create_xml(self, args: remote.remote_nwfilter_binding_create_xml_args):
        check_flags(args.flags, api.VIR_NWFILTER_BINDING_CREATE_VALIDATE, FROM_NWFILTER, "nwfilterBindingCreateXML")
        schema = "nwfilterbinding.rng" if args.flags & api.VIR_NWFILTER_BINDING_CREATE_VALIDATE else None
        read = functools.partial(_read_binding, args.xml, schema)
        return read_then(args.xml, read, self._created_binding)

    def _created_binding(self, binding: NwfilterBinding) -> remote.remote_nwfilter_binding_create_xml_ret:
        bindings = self.state.nwfilter_bindings
        if binding.portdev in bindings:
            raise _error(api.VIR_ERR_OPERATION_FAILED, f"binding '{binding.portdev}' already exists")
        bindings[binding.portdev] = binding
        try:
            self._instantiate(binding, {})
        except LibvirtError:
            del bindings[binding.portdev]
            raise
        return remote.remote_nwfilter_binding_create_xml_ret(self._binding_ref(binding))

    def nwfilter_binding_delete(self, args: remote.remote_nwfilter_binding_delete_args) -> None:
        binding = self._binding(args.nwfilter.portdev)
        del self.state.nwfilter_bindings[binding.portdev]


def _read_binding(text: str, schema: str | None) -> NwfilterBinding:
    """nwfilterBindingCreateXML's read of the document: uses nothing but the text (large_documents)."""
    return parse_nwfilter_binding(_document(text, "filterbinding", schema))


def _read_nwfilter(text: str, flags: int) -> Nwfilter:
    """nwfilterDefineXMLFlags' read of the document: uses nothing but the text (large_documents)."""
    schema = "nwfilter.rng" if flags & api.VIR_NWFILTER_DEFINE_VALIDATE else None
    return parse_nwfilter(_document(text, "filter", schema))
