# uri: test:///default
# A node file of richer objects than the examples: networks, interfaces of each type, pools of
# several types with volumes that give their own path and key, node devices of many
# capabilities (some held inside another: mdev_types in a PCI, CSS or AP matrix device, vpd,
# fc_host and vport_ops in a SCSI host), and NUMA cells; every getter and list over them.
import tempfile
from pathlib import Path

import libvirt
from steps import NODE_DEVICE_CAPABILITIES, attempt, node_file_uri

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
NODE = """<node>
  <cpu><mhz>2400</mhz><model>i686</model><active>12</active><nodes>2</nodes><sockets>1</sockets>
    <cores>4</cores><threads>2</threads></cpu>
  <memory>4194304</memory>
  <network><name>n-nat</name><uuid>1b1b1b1b-2c2c-3d3d-4e4e-5f5f5f5f5f5f</uuid><forward mode='nat'/>
    <bridge name='virbr20'/><mac address='52:54:00:20:20:20'/>
    <ip address='10.20.0.1' prefix='24'><dhcp><range start='10.20.0.10' end='10.20.0.20'/>
      <host mac='52:54:00:20:20:21' ip='10.20.0.11' name='a'/></dhcp></ip>
    <ip family='ipv6' address='fd20::1' prefix='64'/></network>
  <network><name>n-bridge</name><forward mode='bridge'/><bridge name='br20'/>
    <portgroup name='p' default='yes'/></network>
  <network><name>n-hostdev</name><forward mode='hostdev'><address type='pci' domain='0' bus='2' slot='16' function='7'/>
    </forward></network>
  <interface type='ethernet' name='eth20'><mac address='52:54:00:aa:20:20'/></interface>
  <interface type='bridge' name='br21'><bridge><interface type='ethernet' name='eth21'/></bridge></interface>
  <interface type='bond' name='bond20'><bond mode='802.3ad'><interface type='ethernet' name='eth22'/>
    <interface type='ethernet' name='eth23'/></bond></interface>
  <interface type='vlan' name='eth20.5'><vlan tag='5'><interface name='eth20'/></vlan></interface>
  <pool type='dir'><name>n-dir</name><uuid>2c2c2c2c-3d3d-4e4e-5f5f-606060606060</uuid>
    <target><path>/n/dir</path></target>
    <volume><name>plain</name><capacity>1000</capacity><allocation>10</allocation><target/></volume>
    <volume><name>own</name><key>key-of-own</key><capacity unit='KiB'>4</capacity>
      <target><path>/elsewhere/own.qcow2</path><format type='qcow2'/></target></volume>
  </pool>
  <pool type='logical'><name>n-lvm</name><source><name>vg20</name></source><target><path>/dev/vg20</path></target>
    <volume><name>lv</name><capacity unit='GiB'>1</capacity><allocation unit='GiB'>1</allocation><target/></volume>
  </pool>
  <pool type='rbd'><name>n-rbd</name><source><name>r20</name><host name='mon20.example'/></source>
    <volume><name>img</name><capacity>5</capacity><target/></volume>
  </pool>
  <device><name>computer</name><capability type='system'><hardware><vendor>V</vendor>
    <uuid>11111111-2222-3333-4444-555555555555</uuid></hardware></capability></device>
  <device><name>pci_0000_02_10_7</name><parent>computer</parent><capability type='pci'><class>0xffffff</class>
    <domain>0</domain><bus>2</bus><slot>16</slot><function>7</function><product id='0x10ca'>VF</product>
    <vendor id='0x8086'>Intel</vendor><capability type='mdev_types'><type id='foo1'><name>bar1</name>
    <deviceAPI>vfio-pci</deviceAPI><availableInstances>1</availableInstances></type></capability>
    <iommuGroup number='31'><address domain='0x0000' bus='0x02' slot='0x10' function='0x7'/></iommuGroup>
  </capability></device>
  <device><name>pci_0000_42_00_0</name><parent>computer</parent><capability type='pci'><class>0x020000</class>
    <domain>0</domain><bus>66</bus><slot>0</slot><function>0</function><product id='0xa2d6'>NIC</product>
    <vendor id='0x15b3'>Mellanox</vendor><capability type='virt_functions' maxCount='16'/>
    <capability type='vpd'><name>Card</name><fields access='readonly'><part_number>P1</part_number>
    </fields></capability></capability></device>
  <device><name>net_eth0</name><parent>pci_0000_42_00_0</parent><capability type='net'><interface>eth0</interface>
    <address>00:13:02:b9:f9:d3</address><feature name='rx'/><capability type='80211'/></capability></device>
  <device><name>scsi_host30</name><parent>pci_0000_42_00_0</parent><capability type='scsi_host'><host>30</host>
    <unique_id>30</unique_id><capability type='fc_host'><wwnn>2000f4e9d4eb0230</wwnn><wwpn>2001f4e9d4eb0230</wwpn>
    <fabric_wwn>2001547feebe7930</fabric_wwn></capability><capability type='vport_ops'><max_vports>254</max_vports>
    <vports>0</vports></capability></capability></device>
  <device><name>scsi_host31</name><parent>scsi_host30</parent><capability type='scsi_host'><host>31</host>
    <capability type='fc_host'><wwnn>2000f4e9d4eb0231</wwnn><wwpn>2001f4e9d4eb0231</wwpn></capability>
    </capability></device>
  <device><name>scsi_target30</name><parent>scsi_host30</parent><capability type='scsi_target'>
    <target>target30:0:0</target></capability></device>
  <device><name>storage_dvd</name><parent>scsi_target30</parent><capability type='storage'><block>/dev/sr0</block>
    <bus>scsi</bus><drive_type>cdrom</drive_type><capability type='removable'><media_available>1</media_available>
    <media_size>12345678</media_size></capability></capability></device>
  <device><name>usb_if0</name><parent>computer</parent><capability type='usb'><number>0</number><class>9</class>
    <subclass>0</subclass><protocol>0</protocol></capability></device>
  <device><name>css_0_0_fffe</name><parent>computer</parent><capability type='css'><cssid>0x0</cssid>
    <ssid>0x0</ssid><devno>0xfffe</devno><capability type='mdev_types'><type id='vfio_ccw-io'><name>IO</name>
    <deviceAPI>vfio-ccw</deviceAPI><availableInstances>1</availableInstances></type></capability></capability>
  </device>
  <device><name>ap_matrix</name><parent>computer</parent><capability type='ap_matrix'>
    <capability type='mdev_types'><type id='vfio_ap-passthrough'><deviceAPI>vfio-ap</deviceAPI>
    <availableInstances>65536</availableInstances></type></capability></capability></device>
  <device><name>mdev_1</name><parent>pci_0000_02_10_7</parent><capability type='mdev'><type id='mtty-1'/>
    <iommuGroup number='12'/></capability></device>
  <device><name>drm_renderD129</name><parent>computer</parent><capability type='drm'><type>render</type>
    </capability></device>
  <device><name>orphan</name><capability type='system'><hardware><uuid>11111111-2222-3333-4444-555555555556</uuid>
    </hardware></capability></device>
</node>
"""


with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "rich.xml"
    path.write_text(NODE)
    conn = libvirt.open(node_file_uri(path))

attempt("info", conn.getInfo)
attempt("max vcpus", lambda: conn.getMaxVcpus(None))
attempt("free memory", conn.getFreeMemory)
attempt("cells free", lambda: conn.getCellsFreeMemory(0, 4))
attempt("cells free 1", lambda: conn.getCellsFreeMemory(1, 4))
attempt("cells free 2", lambda: conn.getCellsFreeMemory(2, 1))
attempt("cpu map", lambda: conn.getCPUMap(0))
for cpu in (-1, 0, 11, 12, 16):
    attempt(f"cpu stats {cpu}", lambda cpu=cpu: sorted(conn.getCPUStats(cpu, 0).items()))
for cell in (-1, 0, 1, 2):
    attempt(f"memory stats {cell}", lambda cell=cell: sorted(conn.getMemoryStats(cell, 0).items()))
attempt("free pages", lambda: conn.getFreePages([4, 2048], 0, 2, 0))
attempt("free pages cell 1", lambda: conn.getFreePages([4, 2048], 1, 1, 0))
attempt("free pages cell 2", lambda: conn.getFreePages([4], 2, 1, 0))
attempt("capabilities", conn.getCapabilities)
attempt("sysinfo", lambda: conn.getSysinfo(0))

for name in sorted(conn.listNetworks() + conn.listDefinedNetworks()):
    net = conn.networkLookupByName(name)
    attempt(f"{name} xml", lambda net=net: net.XMLDesc(0))
    attempt(f"{name} inactive xml", lambda net=net: net.XMLDesc(1))
    attempt(f"{name} bridge", net.bridgeName)
    attempt(f"{name} state", lambda net=net: (net.isActive(), net.isPersistent(), net.autostart()))
    attempt(f"{name} leases", lambda net=net: net.DHCPLeases(None, 0))
    attempt(f"{name} ports", lambda net=net: net.listAllPorts(0))
    attempt(f"{name} destroy", net.destroy)
    attempt(f"{name} state after", lambda net=net: (net.isActive(), net.isPersistent()))
    attempt(f"{name} create", lambda net=net: net.create())
for bit in range(0, 6):
    attempt(f"networks {1 << bit:#x}", lambda bit=bit: sorted(n.name() for n in conn.listAllNetworks(1 << bit)))

for name in sorted(conn.listInterfaces() + conn.listDefinedInterfaces()):
    iface = conn.interfaceLookupByName(name)
    attempt(f"{name} xml", lambda iface=iface: iface.XMLDesc(0))
    attempt(f"{name} state", lambda iface=iface: (iface.MACString(), iface.isActive()))
    attempt(f"{name} by mac", lambda iface=iface: conn.interfaceLookupByMACString(iface.MACString()).name())
    attempt(f"{name} destroy", lambda iface=iface: iface.destroy(0))
for bit in range(0, 3):
    attempt(f"interfaces {1 << bit:#x}", lambda bit=bit: sorted(i.name() for i in conn.listAllInterfaces(1 << bit)))
attempt("begin", lambda: conn.changeBegin(0))
attempt("eth20 create", lambda: conn.interfaceLookupByName("eth20").create(0))
attempt("rollback", lambda: conn.changeRollback(0))
attempt("after rollback", lambda: sorted((i.name(), i.isActive()) for i in conn.listAllInterfaces(0)))

for name in sorted(conn.listStoragePools() + conn.listDefinedStoragePools()):
    pool = conn.storagePoolLookupByName(name)
    attempt(f"{name} info", pool.info)
    attempt(f"{name} xml", lambda pool=pool: pool.XMLDesc(0))
    attempt(f"{name} state", lambda pool=pool: (pool.isActive(), pool.isPersistent(), pool.autostart()))
    attempt(f"{name} volumes", lambda pool=pool: (pool.numOfVolumes(), sorted(pool.listVolumes())))
    for vol in sorted(pool.listAllVolumes(0), key=lambda v: v.name()):
        label = f"{name}/{vol.name()}"
        attempt(f"{label} info", vol.info)
        attempt(f"{label} xml", lambda vol=vol: vol.XMLDesc(0))
        attempt(f"{label} path key", lambda vol=vol: (vol.path(), vol.key()))
        attempt(f"{label} by key", lambda vol=vol: conn.storageVolLookupByKey(vol.key()).name())
        attempt(f"{label} by path", lambda vol=vol: conn.storageVolLookupByPath(vol.path()).name())
        attempt(f"{label} pool", lambda vol=vol: vol.storagePoolLookupByVolume().name())
    attempt(
        f"{name} new volume",
        lambda pool=pool: pool.createXML(
            "<volume><name>new</name><capacity>1</capacity><allocation>1</allocation></volume>", 0
        ).key(),
    )
    attempt(
        f"{name} clone",
        lambda pool=pool: pool.createXMLFrom(
            "<volume><name>copy</name><capacity>1</capacity></volume>",
            pool.storageVolLookupByName(sorted(pool.listVolumes())[0]),
            0,
        ).key(),
    )
    attempt(f"{name} info after", pool.info)
    attempt(f"{name} destroy", pool.destroy)
    attempt(f"{name} state after", lambda pool=pool: (pool.isActive(), pool.isPersistent()))
    attempt(f"{name} create", lambda pool=pool: pool.create(0))
    attempt(f"{name} volumes again", lambda pool=pool: sorted(pool.listVolumes()))
attempt("by key key-of-own", lambda: conn.storageVolLookupByKey("key-of-own").path())
attempt("by path of own", lambda: conn.storageVolLookupByPath("/elsewhere/own.qcow2").key())
attempt("by path /n/dir/own", lambda: conn.storageVolLookupByPath("/n/dir/own").key())

CAPS = (*NODE_DEVICE_CAPABILITIES, "80211", "80203", "removable", "vport_ops")
for cap in CAPS:
    attempt(f"devices {cap}", lambda cap=cap: (conn.numOfDevices(cap, 0), sorted(conn.listDevices(cap, 0))))
for bit in range(0, 23):
    attempt(f"all devices {1 << bit:#x}", lambda bit=bit: sorted(d.name() for d in conn.listAllDevices(1 << bit)))
for name in sorted(conn.listDevices(None, 0)):
    dev = conn.nodeDeviceLookupByName(name)
    attempt(f"{name} xml", lambda dev=dev: dev.XMLDesc(0))
    attempt(f"{name} parent", dev.parent)
    attempt(f"{name} caps", lambda dev=dev: (dev.numOfCaps(), dev.listCaps()))
VHBA = (
    "<device><parent{parent}</parent><capability type='scsi_host'><capability type='fc_host'>"
    "<wwnn>2000000012340001</wwnn><wwpn>1000000012340001</wwpn></capability></capability></device>"
)
for parent in (
    ">scsi_host30",
    ">scsi_host31",
    ">pci_0000_42_00_0",
    " wwnn='2000f4e9d4eb0230' wwpn='2001f4e9d4eb0230'>",
    " fabric_wwn='2001547feebe7930'>",
):
    attempt(f"vhba on {parent}", lambda parent=parent: conn.nodeDeviceCreateXML(VHBA.format(parent=parent), 0).name())
attempt("vhba without parent", lambda: conn.nodeDeviceCreateXML(VHBA.replace("<parent{parent}</parent>", ""), 0).name())
for name in ("scsi_host31", "scsi_host30", "orphan"):
    attempt(f"destroy {name}", lambda name=name: conn.nodeDeviceLookupByName(name).destroy())
    attempt(f"{name} after", lambda name=name: conn.nodeDeviceLookupByName(name).name())
