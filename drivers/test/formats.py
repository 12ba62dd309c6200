"""XML documents of the test driver, formatted exactly as libvirt formats them."""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape

from .domain_definition import TOP_LEVEL_RANK, format_element, format_metadata, vcpu_element
from .state import Domain, HostInfo, Interface, Network, Pool


def domain_xml(domain: Domain, inactive: bool = False) -> str:
    live = domain.active and not inactive
    definition = domain.definition
    if domain.active and inactive and domain.next_definition is not None:
        definition = domain.next_definition
    id_attribute = f" id='{domain.id}'" if live else ""
    vcpus = domain.vcpus if live else domain.defined_vcpus
    parts: list[tuple[str, list[str]]] = [
        ("name", [f"  <name>{escape(domain.name)}</name>"]),
        ("uuid", [f"  <uuid>{domain.uuid_text}</uuid>"]),
        ("metadata", format_metadata(domain.metadata, 1)),
        ("memory", [f"  <memory unit='KiB'>{domain.max_memory}</memory>"]),
        ("currentMemory", [f"  <currentMemory unit='KiB'>{domain.memory}</currentMemory>"]),
    ]
    if domain.title is not None:
        parts.append(("title", [f"  <title>{escape(domain.title)}</title>"]))
    if domain.description is not None:
        parts.append(("description", [f"  <description>{escape(domain.description)}</description>"]))
    for element in definition:
        if element.tag == "vcpu":  # the count is the Domain's; placement and cpuset are the definition's
            element = vcpu_element(element, domain.max_vcpus, vcpus)
        parts.append((element.tag, list(format_element(element, 1))))
    lines = [f"<domain type='test'{id_attribute}>"]
    for _, part in sorted(parts, key=lambda part: TOP_LEVEL_RANK.get(part[0], len(TOP_LEVEL_RANK))):
        lines += part
    lines.append("</domain>")
    return "\n".join(lines) + "\n"


def network_xml(network: Network) -> str:
    lines = ["<network>", f"  <name>{escape(network.name)}</name>", f"  <uuid>{uuid.UUID(bytes=network.uuid)}</uuid>"]
    if network.forward_mode is not None:
        if network.forward_dev:
            lines += [
                f"  <forward dev='{network.forward_dev}' mode='{network.forward_mode}'>",
                f"    <interface dev='{network.forward_dev}'/>",
                "  </forward>",
            ]
        else:
            lines.append(f"  <forward mode='{network.forward_mode}'/>")
    lines.append(f"  <bridge name='{escape(network.bridge)}' stp='on' delay='0'/>")
    if network.ip_address:
        lines.append(f"  <ip address='{network.ip_address}' netmask='{network.netmask}'>")
        if network.dhcp_ranges:
            lines.append("    <dhcp>")
            lines += [f"      <range start='{start}' end='{end}'/>" for start, end in network.dhcp_ranges]
            lines.append("    </dhcp>")
        lines.append("  </ip>")
    lines.append("</network>")
    return "\n".join(lines) + "\n"


def pool_xml(pool: Pool) -> str:
    lines = [
        "<pool type='dir'>",
        f"  <name>{escape(pool.name)}</name>",
        f"  <uuid>{uuid.UUID(bytes=pool.uuid)}</uuid>",
        f"  <capacity unit='bytes'>{pool.capacity}</capacity>",
        f"  <allocation unit='bytes'>{pool.allocation}</allocation>",
        f"  <available unit='bytes'>{pool.available}</available>",
        "  <source>",
        "  </source>",
        "  <target>",
        f"    <path>{escape(pool.path)}</path>",
    ]
    if pool.permissions is not None:
        mode, owner, group = pool.permissions
        lines += ["    <permissions>", f"      <mode>{mode}</mode>", f"      <owner>{owner}</owner>",
                  f"      <group>{group}</group>", "    </permissions>"]  # fmt: skip
    lines += ["  </target>", "</pool>"]
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
    lines = [f"<interface type='ethernet' name='{escape(interface.name)}'>", "  <start mode='onboot'/>"]
    if interface.name == "eth1":  # test:///default's interface, with its address
        lines += [
            "  <mtu size='1492'/>",
            "  <protocol family='ipv4'>",
            "    <ip address='192.168.0.5' prefix='24'/>",
            "    <route gateway='192.168.0.1'/>",
            "  </protocol>",
        ]
    lines += [f"  <mac address='{interface.mac}'/>", "</interface>"]
    return "\n".join(lines) + "\n"
