"""XML documents of the test driver, formatted exactly as libvirt formats them."""

from __future__ import annotations

import re
import uuid
from operator import itemgetter
from typing import TYPE_CHECKING

from ..xml_text import escape_text
from .domain_definition import (
    ATTRIBUTE_ORDER,
    TOP_LEVEL_RANK,
    format_element,
    format_element_text,
    format_metadata,
    leaf_line,
    vcpu_element,
)
from .interface_definition import InterfaceDefinition, InterfaceIP, InterfaceProtocol
from .network_definition import L3_MODES, Dns, Forward, Lease, NetworkDefinition, NetworkIP, PortGroup
from .state import Domain, HostInfo, Interface, Pool
from .xml_tree import LIVE_ONLY, LIVE_ONLY_VALUE, rank_of

if TYPE_CHECKING:
    from lxml import etree

_PASSWORD = re.compile(r"(<graphics\b[^>]*?) passwd='[^']*'")
_COOKIES = re.compile(r"\n *<cookies>\n(?:.*\n)*? *</cookies>(?=\n)")
_LIVE_ONLY_ATTRIBUTE = f" {LIVE_ONLY}='yes'"
_LIVE_ONLY_VALUES = re.compile(f" [\\w:.-]+='{LIVE_ONLY_VALUE}[^']*'")


def without_secrets(xml: str) -> str:
    """A domain's XML as libvirt writes it without VIR_DOMAIN_XML_SECURE: no graphics
    passwords, no network disks' cookies (also inside snapshot and checkpoint XML)."""
    if "passwd='" in xml:
        xml = _PASSWORD.sub(r"\1", xml)
    if "<cookies>" in xml:
        xml = _COOKIES.sub("", xml)
    return xml


def _without_live_only(xml: str) -> str:
    """The XML less its live-only lines; a parent left with no children closes itself, as
    virXMLFormatElement writes an element without content."""
    lines = xml.split("\n")
    kept: list[str] = []
    position = 0
    while position < len(lines):
        if _LIVE_ONLY_ATTRIBUTE not in lines[position]:
            kept.append(lines[position])
            position += 1
            continue
        while position < len(lines) and _LIVE_ONLY_ATTRIBUTE in lines[position]:
            position += 1
        opening = kept[-1] if kept else ""
        tag = opening.strip()[1:].split(" ")[0].rstrip(">")
        if opening.endswith(">") and not opening.endswith("/>") and lines[position].strip() == f"</{tag}>":
            kept[-1] = opening[:-1] + "/>"
            position += 1
    return "\n".join(kept)


def _uuid_text(raw: bytes) -> str:
    """str(uuid.UUID(bytes=raw)) without building the object."""
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _vcpu_line(template: etree._Element, maximum: int, current: int) -> str:
    """The <vcpu> line (vcpu_element's, formatted) written straight from the definition's
    attributes and the Domain's counts."""
    if len(template):  # not a definition's canonical <vcpu>: through the general path
        return format_element_text(vcpu_element(template, maximum, current), 1)
    items = template.items()  # (read once)
    if current == maximum and len(items) == 1 and items[0][0] == "placement":  # most definitions: nothing to sort
        return f"  <vcpu placement='{escape_text(items[0][1])}'>{maximum}</vcpu>\n"
    attributes = dict(items)
    if current != maximum:
        attributes["current"] = str(current)
    rank = rank_of(ATTRIBUTE_ORDER["vcpu"])
    last = len(rank)
    names = sorted(attributes, key=lambda name: rank.get(name, last))  # stable: unknown ones keep their order
    written = "".join([f" {name}='{escape_text(attributes[name])}'" for name in names])
    return f"  <vcpu{written}>{maximum}</vcpu>\n"


def domain_xml(domain: Domain, inactive: bool = False, secure: bool = True, *, running: bool = False) -> str:
    """The domain's XML; secure=False leaves out what only VIR_DOMAIN_XML_SECURE shows;
    running with inactive: the running definition written as an inactive one (what a snapshot
    or checkpoint of a running domain keeps), not the definition it returns to once stopped."""
    if not secure:
        return without_secrets(domain_xml(domain, inactive, running=running))
    if domain.active and inactive and domain.next is not None and not running:
        return domain_xml(domain.next, True)
    live = domain.active and not inactive
    definition = domain.definition
    id_attribute = f" id='{domain.id}'" if live else ""
    vcpus = domain.vcpus if live or running else domain.defined_vcpus
    rank, last = TOP_LEVEL_RANK.get, len(TOP_LEVEL_RANK)
    # (rank, newline-terminated text): one string per element, joined once
    body: list[tuple[int, str]] = []
    dump_core = None
    for element in definition:
        tag = element.tag
        if tag == "vcpu":  # the count is the Domain's; placement and cpuset are the definition's
            body.append((rank("vcpu", last), _vcpu_line(element, domain.max_vcpus, vcpus)))
        elif tag != "memory":
            # (a leaf, most of them, written here: one call fewer)
            text = leaf_line(element, "  ") + "\n" if not len(element) else format_element_text(element, 1)
            body.append((rank(tag, last), text))
        elif dump_core is None:  # the first <memory> holds its dumpCore only: the size is the Domain's
            dump_core = f" dumpCore='{element.get('dumpCore')}'"
    parts = [
        (rank("name", last), f"  <name>{escape_text(domain.name)}</name>\n"),
        (rank("uuid", last), f"  <uuid>{_uuid_text(domain.uuid)}</uuid>\n"),
        (rank("memory", last), f"  <memory{dump_core or ''} unit='KiB'>{domain.max_memory}</memory>\n"),
        (rank("currentMemory", last), f"  <currentMemory unit='KiB'>{domain.memory}</currentMemory>\n"),
    ]
    if domain.metadata:
        parts.append((rank("metadata", last), "\n".join(format_metadata(domain.metadata, 1)) + "\n"))
    elif domain.metadata_element:
        parts.append((rank("metadata", last), "  <metadata/>\n"))
    if domain.title is not None:
        parts.append((rank("title", last), f"  <title>{escape_text(domain.title)}</title>\n"))
    if domain.description is not None:
        parts.append((rank("description", last), f"  <description>{escape_text(domain.description)}</description>\n"))
    parts += body
    parts.sort(key=itemgetter(0))  # stable: elements of one rank (seclabels, sysinfos) keep their order
    xml = "".join([f"<domain type='{domain.virt_type}'{id_attribute}>\n", *[text for _, text in parts], "</domain>\n"])
    if LIVE_ONLY not in xml:  # (both markers below contain it: most definitions have neither)
        return xml
    if _LIVE_ONLY_ATTRIBUTE in xml:  # written for a running domain only
        xml = xml.replace(_LIVE_ONLY_ATTRIBUTE, "") if live else _without_live_only(xml)
    if LIVE_ONLY_VALUE in xml:  # attributes written for a running domain only
        xml = xml.replace(LIVE_ONLY_VALUE, "") if live else _LIVE_ONLY_VALUES.sub("", xml)
    return xml


def _lease_lines(tag: str, opening: str, lease: Lease | None) -> list[str]:
    if lease is None:
        return [f"{opening}/>"]
    inner = "<lease expiry='0'/>" if not lease.expiry else f"<lease expiry='{lease.expiry}' unit='{lease.unit}'/>"
    return [f"{opening}>", f"  {inner}", f"</{tag}>"]


def _network_ip_lines(ip: NetworkIP) -> list[str]:
    opening = "<ip"
    if ip.family:
        opening += f" family='{ip.family}'"
    opening += f" address='{ip.address}'"
    if ip.netmask:
        opening += f" netmask='{ip.netmask}'"
    if ip.prefix > 0:
        opening += f" prefix='{ip.prefix}'"
    if ip.local_ptr:
        opening += f" localPtr='{ip.local_ptr}'"
    lines = [opening + ">"]
    if ip.tftp_root is not None:
        lines.append(f"  <tftp root='{escape_text(ip.tftp_root)}'/>")
    if ip.ranges or ip.hosts:
        dhcp = []
        for dhcp_range in ip.ranges:
            dhcp += _lease_lines("range", f"<range start='{dhcp_range.start}' end='{dhcp_range.end}'", dhcp_range.lease)
        for host in ip.hosts:
            attributes = "".join(
                f" {name}='{value}'"
                for name, value in (("mac", host.mac), ("id", host.id), ("name", host.name), ("ip", host.ip))
                if value is not None  # (an empty id is written: the others cannot be empty)
            )
            dhcp += _lease_lines("host", f"<host{attributes}", host.lease)
        if ip.bootp_file is not None:
            server = f" server='{escape_text(ip.bootp_server)}'" if ip.bootp_server else ""
            dhcp.append(f"<bootp file='{escape_text(ip.bootp_file)}'{server}/>")
        lines += ["  <dhcp>", *(f"    {line}" for line in dhcp), "  </dhcp>"]
    lines.append("</ip>")
    return lines


def _network_dns_lines(dns: Dns) -> list[str]:
    if not (dns.enable or dns.forward_plain_names or dns.forwarders or dns.hosts or dns.srvs or dns.txts):
        return []
    opening = "<dns"
    if dns.enable:
        opening += f" enable='{dns.enable}'"
    if dns.forward_plain_names:
        opening += f" forwardPlainNames='{dns.forward_plain_names}'"
    if not (dns.forwarders or dns.hosts or dns.srvs or dns.txts):
        return [opening + "/>"]
    lines = [opening + ">"]
    for domain, address in dns.forwarders:
        lines.append(
            "  <forwarder"
            + (f" domain='{escape_text(domain)}'" if domain is not None else "")
            + (f" addr='{address}'" if address else "")
            + "/>"
        )
    lines += [f"  <txt name='{escape_text(txt.name)}' value='{escape_text(txt.value or '')}'/>" for txt in dns.txts]
    for srv in dns.srvs:
        if srv.service is not None and srv.protocol is not None:  # (empty ones are written)
            line = f"  <srv service='{escape_text(srv.service)}' protocol='{escape_text(srv.protocol)}'"
            line += f" domain='{escape_text(srv.domain)}'" if srv.domain is not None else ""
            line += f" target='{escape_text(srv.target)}'" if srv.target is not None else ""
            line += "".join(
                f" {name}='{getattr(srv, name)}'" for name in ("port", "priority", "weight") if getattr(srv, name)
            )
            lines.append(line + "/>")
    for host in dns.hosts:
        lines.append(f"  <host ip='{host.ip}'>")
        lines += [f"    <hostname>{escape_text(name)}</hostname>" for name in host.names]
        lines.append("  </host>")
    lines.append("</dns>")
    return lines


def _network_forward_lines(forward: Forward) -> list[str]:
    dev = forward.interfaces[0] if forward.interfaces and forward.pf is None else None
    opening = "<forward" + (f" dev='{escape_text(dev)}'" if dev is not None else "") + f" mode='{forward.mode}'"
    if forward.mode == "hostdev":
        opening += " managed='yes'" if forward.managed else " managed='no'"
    nat = []
    if forward.mode == "nat" and (
        forward.nat_start or forward.nat_end or forward.port_start or forward.port_end or forward.nat_ipv6
    ):
        nat_opening = "<nat" + (f" ipv6='{forward.nat_ipv6}'" if forward.nat_ipv6 else "")
        inner = []
        if forward.nat_start:
            inner.append(
                f"<address start='{forward.nat_start}'"
                + (f" end='{forward.nat_end}'" if forward.nat_end else "")
                + "/>"
            )
        if forward.port_start or forward.port_end:
            inner.append(
                f"<port start='{forward.port_start}'"
                + (f" end='{forward.port_end}'" if forward.port_end else "")
                + "/>"
            )
        nat = [nat_opening + "/>"] if not inner else [nat_opening + ">", *(f"  {line}" for line in inner), "</nat>"]
    short = not (
        forward.interfaces
        or forward.addresses
        or forward.pf is not None
        or forward.nat_start
        or forward.nat_end
        or forward.port_start
        or forward.port_end
        or forward.driver
        or forward.nat_ipv6
    )
    if short:
        return [opening + "/>"]
    lines = [opening + ">"]
    if forward.driver:
        lines.append(f"  <driver name='{forward.driver}'/>")
    lines += [f"  {line}" for line in nat]
    if forward.pf is not None:  # (an empty one too)
        lines.append(f"  <pf dev='{escape_text(forward.pf)}'/>")
    lines += [f"  <interface dev='{escape_text(name)}'/>" for name in forward.interfaces]
    for address in forward.addresses:
        lines += format_element(address, 1)
    lines.append("</forward>")
    return lines


def _portgroup_lines(portgroup: PortGroup) -> list[str]:
    opening = f"<portgroup name='{portgroup.name}'"
    if portgroup.default:
        opening += " default='yes'"
    if portgroup.trust_guest_rx_filters:
        opening += f" trustGuestRxFilters='{portgroup.trust_guest_rx_filters}'"
    lines = [opening + ">"]
    for element in (portgroup.vlan, portgroup.virtualport, portgroup.bandwidth):
        if element is not None:
            lines += format_element(element, 1)
    lines.append("</portgroup>")
    return lines


def network_definition_xml(definition: NetworkDefinition) -> str:
    opening = "<network"
    if definition.ipv6:
        opening += " ipv6='yes'"
    if definition.trust_guest_rx_filters:
        opening += f" trustGuestRxFilters='{definition.trust_guest_rx_filters}'"
    body = [f"<name>{escape_text(definition.name)}</name>", f"<uuid>{uuid.UUID(bytes=definition.uuid)}</uuid>"]
    body += [line[2:] for line in format_metadata(definition.metadata, 1)]
    forward = definition.forward
    if forward.mode is not None:
        body += _network_forward_lines(forward)
    has_bridge = forward.mode is None or forward.mode in L3_MODES
    if has_bridge or definition.bridge or definition.mac_table_manager:
        line = "<bridge"
        if definition.bridge is not None:
            line += f" name='{escape_text(definition.bridge)}'"
        if definition.bridge_zone is not None:
            line += f" zone='{escape_text(definition.bridge_zone)}'"
        if has_bridge:
            line += f" stp='{'on' if definition.stp else 'off'}' delay='{definition.delay}'"
        if definition.mac_table_manager:
            line += f" macTableManager='{definition.mac_table_manager}'"
        body.append(line + "/>")
    if definition.mtu:
        body.append(f"<mtu size='{definition.mtu}'/>")
    if definition.mac:
        body.append(f"<mac address='{definition.mac}'/>")
    if definition.domain is not None:
        local = f" localOnly='{definition.domain_local_only}'" if definition.domain_local_only else ""
        body.append(f"<domain name='{definition.domain}'{local}/>")
    body += _network_dns_lines(definition.dns)
    for element in (definition.vlan, definition.bandwidth):
        if element is not None:
            body += format_element(element, 0)
    if definition.port_isolated:
        body.append(f"<port isolated='{definition.port_isolated}'/>")
    for ip in definition.ips:
        body += _network_ip_lines(ip)
    for route in definition.routes:
        body += format_element(route, 0)
    if definition.virtualport is not None:
        body += format_element(definition.virtualport, 0)
    for portgroup in definition.portgroups:
        body += _portgroup_lines(portgroup)
    return "\n".join([opening + ">", *(f"  {line}" for line in body), "</network>"]) + "\n"


def pool_xml(pool: Pool) -> str:
    definition = pool.definition
    lines = [
        f"<pool type='{definition.type if definition is not None else 'dir'}'>",
        f"  <name>{escape_text(pool.name)}</name>",
        f"  <uuid>{uuid.UUID(bytes=pool.uuid)}</uuid>",
        f"  <capacity unit='bytes'>{pool.capacity}</capacity>",
        f"  <allocation unit='bytes'>{pool.allocation}</allocation>",
        f"  <available unit='bytes'>{pool.available}</available>",
    ]
    if definition is not None:
        lines += definition.lines()
    else:
        lines += ["  <source>", "  </source>", "  <target>", f"    <path>{escape_text(pool.path)}</path>"]
        if pool.permissions is not None:
            mode, owner, group = pool.permissions
            lines += [
                "    <permissions>",
                f"      <mode>{mode}</mode>",
                f"      <owner>{owner}</owner>",
                f"      <group>{group}</group>",
                "    </permissions>",
            ]
        lines.append("  </target>")
    lines.append("</pool>")
    return "\n".join(lines) + "\n"


HOST_ARCH = "i686"  # the test hypervisor's architecture, whatever CPU model a node file names
PAGE_SIZES = (4, 8, 2048, 1048576)  # KiB


def capabilities_xml(host: HostInfo) -> str:
    cells = len(host.cell_memory)
    cpus_per_cell = host.cpus // cells if cells else 0
    lines = [
        "<capabilities>",
        "",
        "  <host>",
        "    <cpu>",
        f"      <arch>{HOST_ARCH}</arch>",
        "      <features>",
        "        <pae/>",
        "        <nonpae/>",
        "      </features>",
    ]
    lines += [f"      <pages unit='KiB' size='{size}'/>" for size in PAGE_SIZES]
    lines += ["    </cpu>", "    <power_management/>", "    <iommu support='no'/>", "    <topology>"]
    lines.append(f"      <cells num='{cells}'>")
    for cell in range(cells):
        memory = host.cell_memory[cell]
        page = host.cell_page_size[cell]
        lines += [
            f"        <cell id='{cell}'>",
            f"          <memory unit='KiB'>{memory}</memory>",
            f"          <pages unit='KiB' size='{page}'>{memory // page}</pages>",
            "          <pages unit='KiB' size='2048'>0</pages>",
            "          <pages unit='KiB' size='1048576'>0</pages>",
            f"          <cpus num='{cpus_per_cell}'>",
        ]
        for core in range(cpus_per_cell):
            cpu = cell * cpus_per_cell + core
            lines.append(
                f"            <cpu id='{cpu}' socket_id='{cell}' die_id='0' core_id='{core}' siblings='{cpu}'/>"
            )
        lines += ["          </cpus>", "        </cell>"]
    lines += [
        "      </cells>",
        "    </topology>",
        "    <secmodel>",
        "      <model>testSecurity</model>",
        "      <doi></doi>",
        "    </secmodel>",
        "  </host>",
        "",
    ]
    for os_type in ("hvm", "xen"):
        lines += [
            "  <guest>",
            f"    <os_type>{os_type}</os_type>",
            f"    <arch name='{HOST_ARCH}'>",
            "      <wordsize>32</wordsize>",
            "      <emulator>/usr/bin/test-hv</emulator>",
            "      <domain type='test'/>",
            "    </arch>",
            "    <features>",
            "      <pae/>",
            "      <nonpae/>",
            "    </features>",
            "  </guest>",
            "",
        ]
    lines.append("</capabilities>")
    return "\n".join(lines) + "\n"


SYSINFO_XML = """<sysinfo type='smbios'>
  <bios>
    <entry name='vendor'>LENOVO</entry>
    <entry name='version'>G4ETA1WW (2.61 )</entry>
    <entry name='date'>05/07/2014</entry>
    <entry name='release'>2.61</entry>
  </bios>
</sysinfo>
"""


def interface_xml(interface: Interface) -> str:
    """virInterfaceDefFormat."""
    definition = interface.definition
    if definition is None:  # an interface known by name and MAC only
        definition = InterfaceDefinition("ethernet", interface.name, start_mode="onboot", mac=interface.mac)
        if interface.name == "eth1":  # test:///default's interface, with its address
            address = InterfaceProtocol("ipv4", ips=[InterfaceIP("192.168.0.5", 24)], gateway="192.168.0.1")
            definition.mtu, definition.protocols = 1492, [address]
    return "\n".join(_interface_lines(definition, top_level=True)) + "\n"


def _interface_lines(definition: InterfaceDefinition, top_level: bool) -> list[str]:
    body = []
    if top_level:
        if definition.start_mode:
            body.append(f"<start mode='{definition.start_mode}'/>")
        if definition.mtu:
            body.append(f"<mtu size='{definition.mtu}'/>")
        for protocol in definition.protocols:
            body.append(f"<protocol family='{protocol.family}'>")
            if protocol.autoconf:
                body.append("  <autoconf/>")
            if protocol.dhcp:
                peerdns = {None: "", True: " peerdns='yes'", False: " peerdns='no'"}[protocol.peerdns]
                body.append(f"  <dhcp{peerdns}/>")
            for ip in protocol.ips:
                body.append(f"  <ip address='{ip.address}'" + (f" prefix='{ip.prefix}'" if ip.prefix else "") + "/>")
            if protocol.gateway is not None:
                body.append(f"  <route gateway='{protocol.gateway}'/>")
            body.append("</protocol>")
    if definition.type != "bridge" and (definition.link_speed or definition.link_state):
        body.append(
            "<link"
            + (f" speed='{definition.link_speed}'" if definition.link_speed else "")
            + (f" state='{definition.link_state}'" if definition.link_state else "")
            + "/>"
        )
    if definition.type == "ethernet":
        if definition.mac:
            body.append(f"<mac address='{definition.mac}'/>")
    elif definition.type == "bridge":
        stp = {None: "", True: " stp='on'", False: " stp='off'"}[definition.stp]
        delay = f" delay='{definition.delay}'" if definition.delay is not None else ""
        body.append(f"<bridge{stp}{delay}>")
        for member in definition.members:
            body += [f"  {line}" for line in _interface_lines(member, top_level=False)]
        body.append("</bridge>")
    elif definition.type == "bond":
        bond = definition.bond
        body.append("<bond" + (f" mode='{bond.mode}'" if bond.mode else "") + ">")
        if bond.monitor == "miimon":
            line = f"  <miimon freq='{bond.frequency}'"
            line += f" downdelay='{bond.downdelay}'" if bond.downdelay > 0 else ""
            line += f" updelay='{bond.updelay}'" if bond.updelay > 0 else ""
            line += f" carrier='{bond.carrier}'" if bond.carrier else ""
            body.append(line + "/>")
        elif bond.monitor == "arpmon":
            validate = f" validate='{bond.validate}'" if bond.validate else ""
            body.append(f"  <arpmon interval='{bond.interval}' target='{bond.target}'{validate}/>")
        for member in definition.members:
            body += [f"  {line}" for line in _interface_lines(member, top_level=False)]
        body.append("</bond>")
    else:
        body += [f"<vlan tag='{definition.vlan_tag}'>", f"  <interface name='{definition.vlan_device}'/>", "</vlan>"]
    opening = f"<interface type='{definition.type}' name='{escape_text(definition.name)}'>"
    return [opening, *(f"  {line}" for line in body), "</interface>"]
