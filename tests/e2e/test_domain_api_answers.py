"""Domain API answers libvirt 9.0.0's test driver makes from a domain's definition, as
libvirtd gives them (found by interop/corpus/48-domain-api-sweep.py): the flags each call
takes, the guests' addresses made from their networks' definitions, disks and interfaces
found as virDomainDiskByName and virDomainNetFind find them (a snapshot's disks too),
metadata types, the snapshot of a read-only disk, which vCPUs can be pinned, and what a
renamed domain keeps."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from .daemon_process import DaemonProcess, python_libvirt

# A node of its own (a fresh state for each connection): the domains' ids, which the guests'
# addresses are made from, are the same on every run.
NODE = """<node>
  <network><name>v6</name><ip family='ipv6' address='2001:db8::1' prefix='64'>
    <dhcp><range start='2001:db8::f0' end='2001:db8::ff'/></dhcp></ip></network>
  <network><name>norange</name><ip address='10.20.30.254' netmask='255.255.0.0'/></network>
  <network><name>classb</name><ip address='172.16.255.250'/></network>
</node>
"""

SCRIPT = """
import json, sys
import libvirt
libvirt.registerErrorHandler(lambda context, error: None, None)
conn = libvirt.open(sys.argv[1])

def attempt(call, *args):
    try:
        return call(*args)
    except libvirt.libvirtError as error:
        return [error.get_error_code(), error.get_error_domain(), error.get_error_message()]

def interfaces(*networks):
    return "".join(
        f"<interface type='network'><mac address='52:54:00:00:49:{i:02x}'/><source network='{n}'/></interface>"
        for i, n in enumerate(networks))

DOMAIN = '''<domain type='test'><name>%s</name><memory>65536</memory><vcpu>2</vcpu>
<os><type>hvm</type></os><devices>%s</devices></domain>'''
DISKS = '''
<disk type='file' device='cdrom'><source file='/var/lib/shared.iso'/><target dev='hda' bus='ide'/></disk>
<disk type='file' device='cdrom'><source file='/var/lib/shared.iso'/><target dev='hdb' bus='ide'/></disk>
<disk type='block' device='cdrom'><target dev='sda' bus='sata'/></disk>
<disk type='file' device='disk'><source file='relative.img'/><target dev='vdc'/></disk>
<disk type='file' device='disk'><source file='/var/lib/a.img'/><target dev='vda'/></disk>
<interface type='bridge'><mac address='52:54:00:00:48:0a'/><source bridge='br0'/></interface>'''
result = {}
nets = conn.createXML(DOMAIN % ("nets", interfaces("v6", "norange", "classb", "v6")), 0)
result["addresses"] = {
    name: [value["hwaddr"], value["addrs"]] for name, value in nets.interfaceAddresses(0, 0).items()}
result["unknown source"] = attempt(nets.interfaceAddresses, 3, 0)
lost = conn.createXML(DOMAIN % ("lost", interfaces("v6", "nosuch")), 0)
result["missing network"] = attempt(lost.interfaceAddresses, 0, 0)

dom = conn.createXML(DOMAIN % ("disks", DISKS), 0)
for name in ("/var/lib/shared.iso", "sda", "vda", "/var/lib/a.img", "relative.img"):
    result["block info " + name] = attempt(dom.blockInfo, name, 0)
    result["block stats " + name] = attempt(lambda name: len(dom.blockStats(name)), name)
for name in ("52:54:00:00:48:0A", "52:54:0:0:48:a", "52:54:00:00:48:0a x"):
    result["interface stats " + name] = attempt(lambda name: len(dom.interfaceStats(name)), name)
snapshot = dom.snapshotCreateXML("<domainsnapshot><name>s</name></domainsnapshot>", 0)
result["snapshot disks"] = [
    line.strip() for line in snapshot.getXMLDesc(0).split("<domain ")[0].splitlines() if "<disk " in line]
for number, name in enumerate(("/var/lib/shared.iso", "relative.img", "/var/lib/a.img")):
    xml = f"<name>n{number}</name><disks><disk name='{name}' snapshot='internal'/></disks>"
    create = lambda xml: dom.snapshotCreateXML(f"<domainsnapshot>{xml}</domainsnapshot>", 0).getName()
    result["snapshot of " + name] = attempt(create, xml)

result["guest vcpus flag"] = attempt(dom.vcpusFlags, libvirt.VIR_DOMAIN_VCPU_GUEST)
result["pins with an unknown flag"] = attempt(dom.vcpuPinInfo, 1 << 9)
for kind in (7, -1):
    result[f"get metadata {kind}"] = attempt(dom.metadata, kind, None, 0)
    result[f"set metadata {kind}"] = attempt(dom.setMetadata, kind, "x", None, None, 0)
dom.destroy()
VCPUS = '''<vcpu current='3'>4</vcpu><vcpus><vcpu id='0' enabled='yes' hotpluggable='no'/>
<vcpu id='1' enabled='no' hotpluggable='yes'/><vcpu id='2' enabled='yes' hotpluggable='yes'/>
<vcpu id='3' enabled='yes' hotpluggable='yes'/></vcpus>'''
pinned = conn.createXML((DOMAIN % ("pinned", "")).replace("<vcpu>2</vcpu>", VCPUS), 0)
result["pins"] = [attempt(pinned.pinVcpuFlags, vcpu, (True, False), 0) for vcpu in range(5)]
DISK = "<disk type='file'><source file='/var/lib/k.img'/><target dev='vda'/></disk>"
checked, snapped = conn.defineXML(DOMAIN % ("checked", DISK)), conn.defineXML(DOMAIN % ("snapped", DISK))
checked.create()
checked.checkpointCreateXML("<domaincheckpoint><name>c1</name></domaincheckpoint>", 0)
checked.destroy()
snapped.snapshotCreateXML("<domainsnapshot><name>p1</name></domainsnapshot>", 0)
checked.rename("checked2", 0)
snapped.rename("snapped2", 0)
result["renamed"] = [
    [checked.name(), [c.getName() for c in checked.listAllCheckpoints(0)]],
    [snapped.name(), [s.getName() for s in snapped.listAllSnapshots(0)]],
]
inactive = conn.defineXML(DOMAIN % ("inactive", ""))
result["vcpus inactive"] = attempt(inactive.vcpus)
print(json.dumps(result))
"""

NOT_VALID, INVALID_ARG, NO_NETWORK, ARGUMENT_UNSUPPORTED, NO_METADATA, UNSUPPORTED = 55, 8, 43, 74, 80, 67
FROM_DOMAIN, FROM_TEST, FROM_SNAPSHOT = 20, 12, 35
UNSUPPORTED_TEXT = "unsupported configuration: "


@pytest.fixture(scope="module")
def answers(shared_daemon: DaemonProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    node = tmp_path_factory.mktemp("node") / "node.xml"
    node.write_text(NODE)
    ran = python_libvirt(textwrap.dedent(SCRIPT), shared_daemon.uri(path=str(Path(node))))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result: dict[str, Any] = json.loads(ran.stdout)
    return result


def test_guest_addresses_come_from_each_network_definition(answers: dict[str, Any]) -> None:
    # the first DHCP range's start (or the network's address) plus 20 per domain id and the
    # interface's place; IPv6 adds to the last byte alone; the prefix as the network gives it
    assert answers["addresses"] == {
        "testnet0": ["52:54:00:00:49:00", [{"type": 1, "addr": "2001:db8::f1", "prefix": 64}]],
        "testnet1": ["52:54:00:00:49:01", [{"type": 0, "addr": "10.20.31.0", "prefix": 16}]],
        "testnet2": ["52:54:00:00:49:02", [{"type": 0, "addr": "172.16.255.253", "prefix": 16}]],
        "testnet3": ["52:54:00:00:49:03", [{"type": 1, "addr": "2001:db8::f4", "prefix": 64}]],
    }
    assert answers["unknown source"] == [
        ARGUMENT_UNSUPPORTED,
        FROM_TEST,
        "argument unsupported: Unknown IP address data source 3",
    ]
    assert answers["missing network"] == [
        NO_NETWORK,
        FROM_TEST,
        "Network not found: no network with matching name 'nosuch'",
    ]


def test_disks_and_interfaces_are_found_as_libvirt_finds_them(answers: dict[str, Any]) -> None:
    capacity = [1099506450432, 1099511627776, 1099511627776]
    # a path two disks share names neither
    assert answers["block info /var/lib/shared.iso"] == [
        INVALID_ARG,
        FROM_TEST,
        "invalid argument: invalid path /var/lib/shared.iso not assigned to domain",
    ]
    assert answers["block stats /var/lib/shared.iso"] == [
        INVALID_ARG,
        FROM_TEST,
        "invalid argument: invalid path: /var/lib/shared.iso",
    ]
    assert answers["block info sda"] == [
        INVALID_ARG,
        FROM_TEST,
        "invalid argument: disk 'sda' does not currently have a source assigned",
    ]
    assert answers["block stats sda"] == 5
    assert answers["block info vda"] == answers["block info /var/lib/a.img"] == capacity
    # a name without a leading slash is a target only
    assert answers["block info relative.img"] == [
        INVALID_ARG,
        FROM_TEST,
        "invalid argument: invalid path relative.img not assigned to domain",
    ]
    # a MAC in capitals, in short parts, or followed by a space and more
    assert answers["interface stats 52:54:00:00:48:0A"] == 8
    assert answers["interface stats 52:54:0:0:48:a"] == 8
    assert answers["interface stats 52:54:00:00:48:0a x"] == 8


def test_snapshot_disks(answers: dict[str, Any]) -> None:
    assert answers["snapshot disks"] == [
        "<disk name='hda' snapshot='no'/>",
        "<disk name='hdb' snapshot='no'/>",
        "<disk name='sda' snapshot='no'/>",
        "<disk name='vda' snapshot='internal'/>",
        "<disk name='vdc' snapshot='internal'/>",
    ]
    # a snapshot's disks are named as virDomainDiskByName finds them, ambiguity refused
    for name in ("/var/lib/shared.iso", "relative.img"):
        assert answers["snapshot of " + name] == [
            UNSUPPORTED,
            FROM_SNAPSHOT,
            f"{UNSUPPORTED_TEXT}no disk named '{name}'",
        ]
    assert answers["snapshot of /var/lib/a.img"] == "n2"


def test_only_online_vcpus_are_pinned(answers: dict[str, Any]) -> None:
    def absent(vcpu: int) -> list[Any]:
        return [INVALID_ARG, FROM_TEST, f"invalid argument: requested vcpu '{vcpu}' is not present in the domain"]

    # vCPU 1 is offline though three of four are online
    assert answers["pins"] == [0, absent(1), 0, 0, absent(4)]


def test_a_renamed_domain_keeps_its_checkpoints_and_snapshots(answers: dict[str, Any]) -> None:
    assert answers["renamed"] == [["checked2", ["c1"]], ["snapped2", ["p1"]]]


def test_flags_and_types_each_call_takes(answers: dict[str, Any]) -> None:
    assert answers["guest vcpus flag"] == [
        INVALID_ARG,
        FROM_TEST,
        "unsupported flags (0x8) in function testDomainGetVcpusFlags",
    ]
    assert answers["pins with an unknown flag"] == [[True] * 8, [True] * 8]
    assert answers["get metadata 7"] == [INVALID_ARG, FROM_DOMAIN, "invalid argument: unknown metadata type '7'"]
    assert answers["set metadata 7"] == [INVALID_ARG, FROM_DOMAIN, "invalid argument: unknown metadata type '7'"]
    assert answers["get metadata -1"] == [
        NO_METADATA,
        FROM_DOMAIN,
        "metadata not found: Requested metadata element is not present",
    ]
    assert answers["set metadata -1"] == 0
    assert answers["vcpus inactive"] == [
        NOT_VALID,
        FROM_TEST,
        "Requested operation is not valid: cannot list vcpus for an inactive domain",
    ]
