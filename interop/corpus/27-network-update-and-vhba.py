# uri: test:///default
# virNetworkUpdate section by section (live, config, current), virInterfaceDefineXML, and
# vHBA node devices created on an fc_host parent and destroyed, with their lifecycle events.
import sys
import threading
import time

import libvirt

libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
uri = sys.argv[1]
conn = libvirt.open(uri)
seen = []
conn.nodeDeviceEventRegisterAny(
    None, libvirt.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, lambda c, d, e, x, o: seen.append((d.name(), e, x)), None
)
HOST, RANGE = libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, libvirt.VIR_NETWORK_SECTION_IP_DHCP_RANGE
DNS_HOST, TXT = libvirt.VIR_NETWORK_SECTION_DNS_HOST, libvirt.VIR_NETWORK_SECTION_DNS_TXT
SRV = libvirt.VIR_NETWORK_SECTION_DNS_SRV
PORTGROUP, FORWARD_IF = libvirt.VIR_NETWORK_SECTION_PORTGROUP, libvirt.VIR_NETWORK_SECTION_FORWARD_INTERFACE
ADD_LAST, ADD_FIRST = libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST
MODIFY, DELETE = libvirt.VIR_NETWORK_UPDATE_COMMAND_MODIFY, libvirt.VIR_NETWORK_UPDATE_COMMAND_DELETE
LIVE, CONFIG = libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE, libvirt.VIR_NETWORK_UPDATE_AFFECT_CONFIG


def attempt(label, call, *arguments):
    try:
        print(label, "->", call(*arguments))
    except libvirt.libvirtError as error:
        print(label, "!!", error.get_error_code(), error.get_error_domain(), error.get_error_message())


net = conn.networkLookupByName("default")
updates = [
    (ADD_LAST, HOST, -1, "<host mac='52:54:00:aa:00:01' name='a' ip='192.168.122.40'/>", 0),
    (ADD_FIRST, HOST, 0, "<host mac='52:54:00:AA:00:02' ip='192.168.122.41'><lease expiry='30'/></host>", LIVE),
    (ADD_LAST, HOST, -1, "<host mac='52:54:00:aa:00:02' ip='192.168.122.42'/>", 0),
    (ADD_LAST, HOST, -1, "<host name='-x' ip='192.168.122.43'/>", 0),
    (ADD_LAST, HOST, -1, "<host id='0:1:zz' ip='192.168.122.43'/>", 0),
    (MODIFY, HOST, -1, "<host name='a' ip='192.168.122.44'/>", 0),
    (DELETE, HOST, -1, "<host ip='192.168.122.41'/>", 0),
    (DELETE, HOST, 3, "<host ip='192.168.122.41'/>", 0),
    (0, HOST, -1, "<host name='z' ip='192.168.122.45'/>", 0),
    (ADD_LAST, RANGE, -1, "<range start='192.168.122.2' end='192.168.122.254'/>", 0),
    (DELETE, RANGE, -1, "<range start='192.168.122.2' end='192.168.122.254'/>", CONFIG),
    (ADD_LAST, RANGE, -1, "<range start='192.168.122.2' end='192.168.123.254'/>", 0),
    (MODIFY, RANGE, -1, "<range start='192.168.122.2' end='192.168.122.3'/>", 0),
    (ADD_LAST, DNS_HOST, -1, "<host ip='10.0.0.1'><hostname>gw</hostname></host>", 0),
    (ADD_FIRST, DNS_HOST, -1, "<host ip='10.0.0.2'><hostname>gw</hostname></host>", 0),
    (DELETE, DNS_HOST, -1, "<host><hostname>gw</hostname></host>", 0),
    (MODIFY, DNS_HOST, -1, "<host ip='10.0.0.1'/>", 0),
    (ADD_LAST, DNS_HOST, -1, "<host ip='10.0.0.3'><hostname></hostname></host>", 0),
    (ADD_LAST, TXT, -1, "<txt name='a b' value='x'/>", 0),
    (ADD_LAST, TXT, -1, "<txt name='info' value='x &amp; y'/>", 0),
    (DELETE, TXT, -1, "<txt name='nosuch'/>", 0),
    (ADD_LAST, SRV, -1, "<srv service='ldap' protocol='tcp' port='389'/>", 0),
    (ADD_LAST, SRV, -1, "<srv service='ldap' protocol='tcp' target='dc' port='389' weight='5'/>", 0),
    (ADD_LAST, PORTGROUP, -1, "<portgroup name='eng' default='yes' trustGuestRxFilters='no'/>", 0),
    (ADD_LAST, PORTGROUP, -1, "<portgroup name='ops' default='yes'/>", 0),
    (ADD_LAST, PORTGROUP, -1, "<portgroup name='ops' trustGuestRxFilters='maybe'/>", 0),
    (DELETE, PORTGROUP, -1, "<portgroup name='none'/>", 0),
    (ADD_LAST, FORWARD_IF, -1, "<interface dev='eth0'/>", 0),
    (ADD_LAST, FORWARD_IF, -1, "<interface dev='eth1'/>", 0),
    (ADD_LAST, libvirt.VIR_NETWORK_SECTION_BRIDGE, -1, "<bridge name='virbr9'/>", 0),
    (ADD_LAST, 99, -1, "<bridge name='virbr9'/>", 0),
    (ADD_LAST, TXT, -1, "<txt", 0),
    (ADD_LAST, TXT, -1, "<srv/>", 0),
    (ADD_LAST, TXT, -1, "<txt name='t' value='v'/>", 4),
]
for change in updates:
    attempt(f"update {change}", net.update, *change)
print(net.XMLDesc(0))
net.destroy()
attempt("live update of a stopped network", lambda: net.update(ADD_LAST, TXT, -1, "<txt name='t' value='v'/>", LIVE))
attempt(
    "config update of a stopped network", lambda: net.update(ADD_LAST, TXT, -1, "<txt name='t' value='v'/>", CONFIG)
)
net.create()
print(net.XMLDesc(0))
isolated = conn.networkCreateXML(
    "<network><name>iso</name><ip address='10.1.0.1' prefix='16'><dhcp><range start='10.1.0.10' end='10.1.0.20'/>"
    "</dhcp></ip><ip family='ipv6' address='fd00::1' prefix='64'/></network>"
)
attempt("bridge of a network without one", isolated.bridgeName)
for command, section, index, xml, flags in [
    (ADD_LAST, HOST, 1, "<host id='0:1:2' name='six' ip='fd00::10'/>", 0),
    (ADD_LAST, HOST, 1, "<host mac='52:54:00:00:00:01' ip='fd00::11'/>", 0),
    (ADD_LAST, RANGE, 1, "<range start='fd00::100' end='fd00::1ff'/>", 0),
    (ADD_LAST, HOST, -1, "<host name='four' ip='10.1.2.3'/>", 0),
    (ADD_LAST, FORWARD_IF, -1, "<interface dev='eth0'/>", 0),
    (ADD_LAST, DNS_HOST, -1, "<host ip='10.1.0.1'><hostname>r</hostname></host>", CONFIG),
]:
    attempt(f"update {command} {section} {index} {xml} {flags}", isolated.update, command, section, index, xml, flags)
print(isolated.XMLDesc(0))
isolated.destroy()

for xml in [
    "<interface type='ethernet' name='eth9'><start mode='hotplug'/><mac address='52:54:00:99:99:99'/></interface>",
    "<interface type='bridge' name='br1'><bridge stp='maybe'><interface type='ethernet' name='eth9'/></bridge>"
    "</interface>",
    "<interface type='bond' name='bond1'><bond><interface type='bridge' name='x'/></bond></interface>",
    "<interface type='vlan' name='v'><vlan tag='5'/></interface>",
    "<interface type='wifi' name='w'/>",
    "<interface type='ethernet'/>",
    "<interface type='ethernet' name='big'><mtu size='100001'/></interface>",
    "<interface type='ethernet' name='eth9'><start mode='onboot'/><mac address='52:54:00:99:99:98'/></interface>",
    "<domain/>",
]:
    attempt(
        "define", lambda text: (lambda i: (i.name(), i.MACString(), i.isActive()))(conn.interfaceDefineXML(text)), xml
    )
print(conn.interfaceLookupByName("eth9").XMLDesc(0), conn.interfaceLookupByName("br1").XMLDesc(0))
attempt("define with a bad flag", lambda: conn.interfaceDefineXML("<interface/>", 2))
attempt("lookup by a MAC", lambda: conn.interfaceLookupByMACString("52:54:00:99:99:98").name())

VHBA = """<device>
  <parent{parent}</parent>
  <capability type='scsi_host'>
    <capability type='fc_host'>
      <wwnn>{wwnn}</wwnn>
      <wwpn>{wwpn}</wwpn>
    </capability>
  </capability>
</device>"""
PARENTS = [
    (">scsi_host1", "2000000098769876"),
    (" wwnn='2000000056785678' wwpn='1000000056785678'>", "2000000011112222"),
    (" fabric_wwn='2000000043214321'>", "2000000033334444"),
    (">scsi_host11", "2000000098769876"),
    (" wwnn='2000000056785678'>", "2000000098769876"),
]
for parent, wwnn in PARENTS:
    xml = VHBA.format(parent=parent, wwnn=wwnn, wwpn="1" + wwnn[1:])
    attempt(f"create on {parent}", lambda text: conn.nodeDeviceCreateXML(text).name(), xml)
dev = conn.nodeDeviceLookupByName("scsi_host12")
print(dev.parent(), dev.XMLDesc(0), sorted(conn.listDevices(None, 0)), conn.numOfDevices("fc_host", 0))
for name in ("computer", "scsi_host1", "scsi_host11", "scsi_host12"):
    device = conn.nodeDeviceLookupByName(name)
    print(name, device.numOfCaps(), device.listCaps())
print(
    conn.numOfDevices("fc_host", 0),
    sorted(conn.listDevices("vports", 0)),
    conn.numOfDevices("bogus", 0),
    sorted(d.name() for d in conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST)),
)
attempt("lookup by WWNs", lambda: conn.nodeDeviceLookupSCSIHostByWWN("2000000098769876", "1000000098769876", 0))
attempt("create with a bad flag", lambda: conn.nodeDeviceCreateXML(VHBA, 4))
attempt("destroy scsi_host12", dev.destroy)
attempt("destroy scsi_host12 again", dev.destroy)
attempt("destroy computer", conn.nodeDeviceLookupByName("computer").destroy)
print(sorted(conn.listDevices(None, 0)))
deadline = time.time() + 5
while len(seen) < 4 and time.time() < deadline:
    time.sleep(0.05)
for item in seen:
    print(item)
