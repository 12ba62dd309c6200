"""Answers of libvirt 9.0.0's test driver about pools, node devices and the host that depend
on the object or the node file: the texts of its errors, the capability filters and lookups
over capabilities held inside another, and a node file's host without NUMA cells."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from .daemon_process import DaemonProcess, python_libvirt

PRELUDE = """
import json, sys
import libvirt
libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])
result = {}
def attempt(label, step):
    try:
        result[label] = step()
    except libvirt.libvirtError as error:
        result[label] = [error.get_error_code(), error.get_error_domain(), error.get_error_message()]
"""

DEFAULT_SCRIPT = """
pool = conn.storagePoolDefineXML("<pool type='dir'><name>answers-p</name><target><path>/ap</path></target></pool>")
attempt("count", pool.numOfVolumes)
attempt("names", pool.listVolumes)
attempt("all", lambda: pool.listAllVolumes(0))
pool.undefine()
transient = conn.storagePoolCreateXML("<pool type='dir'><name>answers-t</name><target><path>/at</path></target></pool>")
attempt("transient set autostart", lambda: transient.setAutostart(1))
kept = conn.storagePoolDefineXML("<pool type='dir'><name>answers-k</name><target><path>/ak</path></target></pool>")
kept.setAutostart(1)
conn.storagePoolCreateXML("<pool type='dir'><name>answers-k</name><uuid>%s</uuid><target><path>/ak2</path></target>"
                          "</pool>" % kept.UUIDString())
attempt("taken over autostart", kept.autostart)
transient.destroy()
kept.destroy()
attempt("cells from 2", lambda: conn.getCellsFreeMemory(2, 1))
attempt("bit 22", lambda: conn.listAllDevices(1 << 22))
attempt("bit 29", lambda: conn.listAllDevices(1 << 29))
attempt("fc_host", lambda: sorted(d.name() for d in conn.listAllDevices(1 << 9)))
attempt("active", lambda: sorted(d.name() for d in conn.listAllDevices(1 << 31)))
print(json.dumps(result))
"""

NODE = """<node>
  <pool type='dir'><name>p</name><target><path>/p</path></target></pool>
  <device><name>computer</name><capability type='system'><hardware><vendor>V</vendor>
    <uuid>11111111222233334444555555555555</uuid></hardware></capability></device>
  <device><name>pci_0000_02_10_7</name><parent>computer</parent><capability type='pci'>
    <domain>0</domain><bus>2</bus><slot>16</slot><function>7</function><product id='0x10ca'/>
    <vendor id='0x8086'/><capability type='mdev_types'><type id='foo1'><deviceAPI>vfio-pci</deviceAPI>
    <availableInstances>1</availableInstances></type></capability></capability></device>
  <device><name>pci_0000_42_00_0</name><parent>computer</parent><capability type='pci'>
    <domain>0</domain><bus>66</bus><slot>0</slot><function>0</function><product id='0xa2d6'/>
    <vendor id='0x15b3'/><capability type='vpd'><name>Card</name></capability></capability></device>
  <device><name>ap_matrix</name><parent>computer</parent><capability type='ap_matrix'>
    <capability type='mdev_types'><type id='vfio_ap-passthrough'><deviceAPI>vfio-ap</deviceAPI>
    <availableInstances>65536</availableInstances></type></capability></capability></device>
  <device><name>scsi_host30</name><parent>computer</parent><capability type='scsi_host'><host>30</host>
    <capability type='fc_host'><wwnn>2000f4e9d4eb0230</wwnn><wwpn>2001f4e9d4eb0230</wwpn>
    <fabric_wwn>2001547feebe7930</fabric_wwn></capability><capability type='vport_ops'/></capability></device>
  <device><name>scsi_host31</name><parent>scsi_host30</parent><capability type='scsi_host'><host>31</host>
    <capability type='fc_host'><wwnn>2000f4e9d4eb0231</wwnn><wwpn>2001f4e9d4eb0231</wwpn></capability>
    </capability></device>
</node>
"""

NODE_SCRIPT = """
attempt("free memory", conn.getFreeMemory)
attempt("cells", lambda: conn.getCellsFreeMemory(0, 2))
for cap in ("fc_host", "vports", "mdev_types", "vpd"):
    attempt(cap, lambda: sorted(conn.listDevices(cap, 0)))
attempt("mdev_types flag", lambda: sorted(d.name() for d in conn.listAllDevices(1 << 13)))
attempt("computer", lambda: conn.nodeDeviceLookupByName("computer").XMLDesc(0))
VHBA = ("<device><parent{}</parent><capability type='scsi_host'><capability type='fc_host'>"
        "<wwnn>2000000012340001</wwnn><wwpn>1000000012340001</wwpn></capability></capability></device>")
attempt("vhba on a vport capable parent", lambda: conn.nodeDeviceCreateXML(VHBA.format(">scsi_host30"), 0).name())
attempt("vhba on a parent's WWNs",
        lambda: conn.nodeDeviceCreateXML(VHBA.format(" wwnn='2000f4e9d4eb0230' wwpn='2001f4e9d4eb0230'>"), 0))
attempt("destroy", lambda: conn.nodeDeviceLookupByName("scsi_host31").destroy())
attempt("after destroy", lambda: sorted(conn.listDevices(None, 0)))
print(json.dumps(result))
"""

UNKNOWN = [1, 0, "An error occurred, but the cause is unknown"]


def run(script: str, uri: str) -> dict:
    ran = python_libvirt(textwrap.dedent(PRELUDE + script), uri)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return json.loads(ran.stdout)


def test_pool_and_device_list_answers(shared_daemon: DaemonProcess) -> None:
    result = run(DEFAULT_SCRIPT, shared_daemon.uri())
    # testStoragePoolNumOfVolumes and ListVolumes name the pool; ListAllVolumes does not
    assert result["count"] == [55, 12, "Requested operation is not valid: storage pool 'answers-p' is not active"]
    assert result["names"] == [55, 12, "Requested operation is not valid: storage pool 'answers-p' is not active"]
    assert result["all"] == [55, 12, "Requested operation is not valid: storage pool is not active"]
    # a transient pool has no config file in libvirt's test driver, nor one createXML took over
    assert result["transient set autostart"] == [8, 12, "invalid argument: pool has no config file"]
    assert result["taken over autostart"] == 0
    assert result["cells from 2"] == [8, 12, "invalid argument: Range exceeds available cells"]
    for bit in (22, 29):
        detail = f"unsupported flags ({1 << bit:#x}) in function testConnectListAllNodeDevices"
        assert result[f"bit {bit}"] == [8, 12, detail]
    assert result["fc_host"] == ["scsi_host1", "scsi_host11", "scsi_host2"]
    assert result["active"] == ["computer", "scsi_host1", "scsi_host11", "scsi_host2"]  # (README: deliberate)


def test_node_file_devices_and_host(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    path = tmp_path / "node.xml"
    path.write_text(NODE)
    result = run(NODE_SCRIPT, shared_daemon.uri(path=str(path)))
    # no NUMA cells in a node file: no free memory (an error without a cause) and no cell
    assert result["free memory"] == 0
    assert result["cells"] == [8, 12, "invalid argument: Range exceeds available cells"]
    # capabilities a SCSI host, a PCI device or an AP matrix holds count as the device's own
    assert result["fc_host"] == ["scsi_host30", "scsi_host31"]
    assert result["vports"] == ["scsi_host30"]
    assert result["mdev_types"] == ["ap_matrix", "pci_0000_02_10_7"]
    assert result["vpd"] == ["pci_0000_42_00_0"]
    assert result["mdev_types flag"] == ["ap_matrix", "pci_0000_02_10_7"]
    assert "</hardware>\n    <firmware>\n    </firmware>\n" in result["computer"]
    assert "<uuid>11111111-2222-3333-4444-555555555555</uuid>" in result["computer"]
    # the parent is found, but the node has no scsi_host11 to copy a vHBA from
    assert result["vhba on a vport capable parent"] == UNKNOWN
    assert result["vhba on a parent's WWNs"] == UNKNOWN
    assert result["destroy"] == 0
    assert "scsi_host31" not in result["after destroy"]


HOST_SCRIPT = """
import os
folder = sys.argv[2]
for name, body in (
    ("small", "<cpu><nodes>1</nodes><sockets>1</sockets><cores>1</cores><threads>1</threads></cpu>"),
    ("partial", "<cpu><sockets>3</sockets></cpu>"),
    ("active", "<cpu><active>3</active></cpu><memory> 4096</memory>"),
    ("bad sockets", "<cpu><sockets>x</sockets></cpu>"),
    ("negative cores", "<cpu><cores>-1</cores></cpu>"),
    ("spaced nodes", "<cpu><nodes> 2 </nodes></cpu>"),
    ("bad memory", "<memory>lots</memory>"),
    ("long model", "<cpu><model>" + "m" * 32 + "</model></cpu>"),
):
    path = os.path.join(folder, "host.xml")
    with open(path, "w") as file:
        file.write("<node>" + body + "</node>")
    def step():
        node = libvirt.open(sys.argv[1].replace("/default?", path + "?"))
        return [node.getInfo(), node.getCPUMap(0)]
    attempt(name, step)
print(json.dumps(result))
"""


def test_node_file_host(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    ran = python_libvirt(textwrap.dedent(PRELUDE + HOST_SCRIPT), shared_daemon.uri(), str(tmp_path))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(ran.stdout)
    cpu_map = [8, [True, False, True, False, True, False, False, False], 3]  # testNodeGetCPUMap's, always
    # testParseNodeInfo: the CPUs are nodes x sockets x cores x threads, at most <active>
    assert result["small"] == [["i686", 3072, 1, 1400, 1, 1, 1, 1], cpu_map]
    assert result["partial"] == [["i686", 3072, 24, 1400, 2, 3, 2, 2], cpu_map]
    assert result["active"] == [["i686", 4, 3, 1400, 2, 2, 2, 2], cpu_map]
    assert result["bad sockets"] == [27, 12, "XML error: invalid node cpu sockets value"]
    assert result["negative cores"] == [27, 12, "XML error: invalid node cpu cores value"]
    assert result["spaced nodes"] == [27, 12, "XML error: invalid node cpu nodes value"]
    assert result["bad memory"] == [27, 12, "XML error: invalid node memory value"]
    assert result["long model"] == [1, 12, f"internal error: Model {'m' * 32} too big for destination"]


DEVICES_NODE = """<node>
  <device><name>two</name><capability type='scsi_host'><host>4294967295</host><unique_id>-1</unique_id>
    <capability type='fc_host'><wwnn>2000000000000001</wwnn><wwpn>1000000000000001</wwpn>
    <fabric_wwn>2000000000000009</fabric_wwn></capability>
    <capability type='fc_host'><wwnn>2000000000000002</wwnn><wwpn>1000000000000002</wwpn></capability>
    <capability type='vport_ops'/></capability></device>
  <device><name>css</name><capability type='css'><cssid>0x0</cssid><ssid>0</ssid><devno>1</devno>
    <capability type='vpd'/><capability type='mdev_types'/></capability></device>
</node>
"""

DEVICES_SCRIPT = """
for name in ("two", "css"):
    attempt(name, lambda: conn.nodeDeviceLookupByName(name).XMLDesc(0))
for cap in ("vports", "mdev_types", "vpd"):
    attempt(cap, lambda: conn.listDevices(cap, 0))
attempt("by WWNs", lambda: conn.nodeDeviceCreateXML(
    "<device><parent wwnn='2000000000000002' wwpn='1000000000000002'/><capability type='scsi_host'>"
    "<capability type='fc_host'><wwnn>2000000000000005</wwnn><wwpn>1000000000000005</wwpn></capability>"
    "</capability></device>", 0))
bad, bad_uri = sys.argv[2], sys.argv[1].replace("devices.xml", "bad.xml")
for name, host in (
    ("no host", ""),
    ("bad host", "<host>x</host>"),
    ("bad unique id", "<host>1</host><unique_id>y</unique_id>"),
):
    with open(bad, "w") as file:
        file.write("<node><device><name>h</name><capability type='scsi_host'>" + host + "</capability></device></node>")
    attempt(name, lambda: libvirt.open(bad_uri))
print(json.dumps(result))
"""


def test_node_file_devices_read_as_existing(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    path = tmp_path / "devices.xml"
    path.write_text(DEVICES_NODE)
    script = textwrap.dedent(PRELUDE + DEVICES_SCRIPT)
    ran = python_libvirt(script, shared_daemon.uri(path=str(path)), str(tmp_path / "bad.xml"))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(ran.stdout)
    # one fc_host, the last one's WWNs (a fabric WWN from the one that had it), vport counts
    # of 0, the host number as a C int
    assert result["two"] == (
        "<device>\n  <name>two</name>\n  <capability type='scsi_host'>\n    <host>-1</host>\n"
        "    <capability type='fc_host'>\n      <wwnn>2000000000000002</wwnn>\n      <wwpn>1000000000000002</wwpn>\n"
        "      <fabric_wwn>2000000000000009</fabric_wwn>\n    </capability>\n"
        "    <capability type='vport_ops'>\n      <max_vports>0</max_vports>\n      <vports>0</vports>\n"
        "    </capability>\n  </capability>\n</device>\n"
    )
    # a CSS device keeps its address (as 0x%x, 0x%x, 0x%04x) and mdev types, even none
    assert result["css"] == (
        "<device>\n  <name>css</name>\n  <capability type='css'>\n    <cssid>0x0</cssid>\n    <ssid>0x0</ssid>\n"
        "    <devno>0x0001</devno>\n  </capability>\n</device>\n"
    )
    assert result["vports"] == ["two"]
    assert result["mdev_types"] == ["css"]
    assert result["vpd"] == []
    # the node has no scsi_host11 to copy a vHBA from: the parent was found by its WWNs
    assert result["by WWNs"] == UNKNOWN
    assert result["no host"] == [1, 22, "internal error: no SCSI host ID supplied for 'h'"]
    assert result["bad host"] == [1, 22, "internal error: invalid SCSI host ID supplied for 'h'"]
    assert result["bad unique id"] == [1, 22, "internal error: invalid unique_id supplied for 'h'"]


TEMPLATE_NODE = """<node>
  <device><name>scsi_host5</name><capability type='scsi_host'><host>5</host><capability type='fc_host'>
    <wwnn>2000000000000005</wwnn><wwpn>1000000000000005</wwpn></capability><capability type='vport_ops'/>
    </capability></device>
  <device><name>scsi_host11</name><parent>scsi_host5</parent><capability type='scsi_host'><host>11</host>
    <capability type='fc_host'><wwnn>2000000000000011</wwnn><wwpn>1000000000000011</wwpn></capability>
    <capability type='vport_ops'/></capability></device>
</node>
"""

TEMPLATE_SCRIPT = """
attempt("create", lambda: conn.nodeDeviceCreateXML(
    "<device><parent>scsi_host5</parent><capability type='scsi_host'><capability type='fc_host'>"
    "<wwnn>2000000000000777</wwnn><wwpn>1000000000000777</wwpn></capability></capability></device>", 0).name())
attempt("xml", lambda: conn.nodeDeviceLookupByName("scsi_host12").XMLDesc(0))
attempt("vports", lambda: sorted(conn.listDevices("vports", 0)))
print(json.dumps(result))
"""


def test_node_file_vhba_copies_its_scsi_host11(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    path = tmp_path / "template.xml"
    path.write_text(TEMPLATE_NODE)
    result = run(TEMPLATE_SCRIPT, shared_daemon.uri(path=str(path)))
    assert result["create"] == "scsi_host12"
    # testNodeDeviceMockCreateVport: scsi_host11 as the node file has it, with the new WWNs
    assert result["xml"] == (
        "<device>\n  <name>scsi_host12</name>\n  <parent>scsi_host5</parent>\n  <capability type='scsi_host'>\n"
        "    <host>11</host>\n    <capability type='fc_host'>\n      <wwnn>2000000000000777</wwnn>\n"
        "      <wwpn>1000000000000777</wwpn>\n    </capability>\n    <capability type='vport_ops'>\n"
        "      <max_vports>0</max_vports>\n      <vports>0</vports>\n    </capability>\n  </capability>\n</device>\n"
    )
    assert result["vports"] == ["scsi_host11", "scsi_host12", "scsi_host5"]


TWICE_NODE = """<node>
  <network><name>n</name><uuid>55555555-6666-7777-8888-999999999999</uuid><bridge name='br1'/></network>
  <network><name>n</name><uuid>55555555-6666-7777-8888-999999999999</uuid><bridge name='br2'/></network>
  <pool type='dir'><name>p</name><uuid>55555555-6666-7777-8888-999999999999</uuid><target><path>/p1</path></target>
    <volume><name>v1</name><capacity>10</capacity><allocation>1</allocation><target/></volume></pool>
  <pool type='dir'><name>p</name><uuid>55555555-6666-7777-8888-999999999999</uuid><target><path>/p2</path></target>
    <volume><name>v2</name><capacity>20</capacity><allocation>2</allocation><target/></volume></pool>
</node>
"""

TWICE_SCRIPT = """
net = conn.networkLookupByName("n")
attempt("bridge", net.bridgeName)
attempt("bridge after a restart", lambda: (net.destroy(), net.create(), net.bridgeName())[2])
pool = conn.storagePoolLookupByName("p")
attempt("pool path", lambda: "/p1" in pool.XMLDesc(0))
attempt("pool", pool.info)
attempt("volumes", lambda: sorted(v.path() for v in pool.listAllVolumes(0)))
conflict = sys.argv[2]
with open(conflict, "w") as file:
    file.write("<node><pool type='dir'><name>p1</name><target><path>/p</path></target></pool>"
               "<pool type='dir'><name>p2</name><target><path>/p</path></target></pool></node>")
attempt("pools on one path", lambda: libvirt.open(sys.argv[1].replace("twice.xml", "conflict.xml")))
print(json.dumps(result))
"""


def test_node_file_objects_given_twice(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    path = tmp_path / "twice.xml"
    path.write_text(TWICE_NODE)
    script = textwrap.dedent(PRELUDE + TWICE_SCRIPT)
    ran = python_libvirt(script, shared_daemon.uri(path=str(path)), str(tmp_path / "conflict.xml"))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(ran.stdout)
    # the second network of a name and UUID is the running one's next definition, which
    # libvirt's test driver never puts in place
    assert result["bridge"] == "br1"
    assert result["bridge after a restart"] == "br1"
    # the second pool's definition is set apart, its figures reset, its volumes added
    assert result["pool path"] is True
    assert result["pool"] == [2, 107374182400, 2, 107374182398]
    assert result["volumes"] == ["/p1/v1", "/p1/v2"]
    assert result["pools on one path"] == [9, 18, "operation failed: Storage source conflict with pool: 'p1'"]


ADDRESS_SCRIPT = """
for name, ips in (
    ("answers-ranged", "<ip address='10.1.0.1' prefix='16'><dhcp><range start='10.1.250.250' end='10.1.255.254'/>"
                       "</dhcp></ip>"),
    ("answers-mask", "<ip address='10.2.0.1' netmask='255.255.255.128'/>"),
    ("answers-six", "<ip family='ipv6' address='fd00::ff' prefix='120'><dhcp><range start='fd00::f0' end='fd00::fe'/>"
                    "</dhcp></ip>"),
):
    conn.networkCreateXML("<network><name>%s</name>%s</network>" % (name, ips))
nics = "".join("<interface type='network'><source network='%s'/></interface>" % name
               for name in ("answers-ranged", "answers-mask", "answers-six"))
dom = conn.createXML("<domain type='test'><name>answers-addr</name><memory>65536</memory><os><type>hvm</type></os>"
                     "<devices>%s</devices></domain>" % nics, 0)
result["id"] = dom.ID()
attempt("addresses", lambda: [v["addrs"][0] for _, v in sorted(dom.interfaceAddresses(0, 0).items())])
attempt("source 3", lambda: dom.interfaceAddresses(3, 0))
dom.destroy()
print(json.dumps(result))
"""


def test_addresses_come_from_the_interfaces_networks(shared_daemon: DaemonProcess) -> None:
    result = run(ADDRESS_SCRIPT, shared_daemon.uri())
    base = 20 * (result["id"] - 1)  # a block of 20 per domain ID
    # testDomainInterfaceAddressFromNet: each network's first DHCP range start (or its
    # address) moved on, with the network's prefix (or its netmask's)
    assert result["addresses"] == [
        {"addr": f"10.1.{250 + (250 + base + 1) // 256}.{(250 + base + 1) % 256}", "prefix": 16, "type": 0},
        {"addr": f"10.2.0.{1 + base + 2}", "prefix": 25, "type": 0},
        {"addr": f"fd00::{(0xF0 + base + 3) % 256:x}", "prefix": 120, "type": 1},
    ]
    assert result["source 3"] == [74, 12, "argument unsupported: Unknown IP address data source 3"]
