# uri: test:///default
# The addresses libvirt's test driver makes up for a running domain's interfaces: from the
# first IP of the network an interface names (its first DHCP range's start, or its address),
# one block of 20 per domain ID; IPv4 and IPv6, prefixes from a netmask or an address class.
import sys

import libvirt
from steps import attempt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])


NETWORKS = {
    "ranged": "<ip address='10.1.0.1' prefix='16'><dhcp><range start='10.1.250.250' end='10.1.255.254'/></dhcp></ip>",
    "plain": "<ip address='10.2.0.1' netmask='255.255.255.128'/>",
    "classful": "<ip address='172.16.5.1'/>",
    "high": "<ip address='10.3.255.250' prefix='8'/>",
    "six": "<ip family='ipv6' address='fd00::ff' prefix='120'><dhcp><range start='fd00::f0' end='fd00::fe'/></dhcp>"
    "</ip><ip address='10.4.0.1' prefix='24'/>",
    "six plain": "<ip family='ipv6' address='fd01::1:fffe' prefix='64'/>",
    "second ip": "<ip address='10.5.0.1' prefix='24'/><ip address='10.6.0.1' prefix='24'>"
    "<dhcp><range start='10.6.0.50' end='10.6.0.60'/></dhcp></ip>",
}
for index, (name, ips) in enumerate(NETWORKS.items()):
    xml = f"<network><name>{name.replace(' ', '-')}</name><bridge name='vbr{index}'/>{ips}</network>"
    attempt(f"network {name}", lambda xml=xml: conn.networkCreateXML(xml).name())

DOMAIN = (
    "<domain type='test'><name>{name}</name><memory>65536</memory><os><type>hvm</type></os><devices>{nics}"
    "</devices></domain>"
)
NIC = "<interface type='network'><source network='{}'/><mac address='52:54:00:00:{:02x}:{:02x}'/></interface>"
OTHER = "<interface type='bridge'><source bridge='br0'/><mac address='52:54:00:01:00:{:02x}'/></interface>"
groups = [
    ["ranged", "plain", "classful", "high"],
    ["six", "six-plain", "second-ip", "default"],
    ["ranged", "bridge", "six", "ranged"],
]
for number, networks in enumerate(groups):
    nics = "".join(
        OTHER.format(position) if net == "bridge" else NIC.format(net, number, position)
        for position, net in enumerate(networks)
    )
    xml = DOMAIN.format(name=f"addr{number}", nics=nics)
    attempt(f"domain {number}", lambda xml=xml: conn.createXML(xml, 0).ID())
for number in range(len(groups)):
    dom = conn.lookupByName(f"addr{number}")
    for source in (0, 1, 2, 3):
        attempt(f"domain {number} source {source}", lambda dom=dom, source=source: dom.interfaceAddresses(source, 0))
    attempt(f"domain {number} bad flag", lambda dom=dom: dom.interfaceAddresses(0, 1))
test = conn.lookupByName("test")
attempt("test", lambda: test.interfaceAddresses(0, 0))
missing = DOMAIN.format(name="gone", nics=NIC.format("nosuch", 9, 9))
attempt("a network that is not there", lambda: conn.createXML(missing, 0).interfaceAddresses(0, 0))
for number in range(len(groups)):
    attempt(f"stop {number}", lambda number=number: conn.lookupByName(f"addr{number}").destroy())
# IDs go on growing: a later domain gets a later block of 20
for number in range(2):
    xml = DOMAIN.format(name=f"late{number}", nics=NIC.format("ranged", 7, number))
    attempt(f"late {number}", lambda xml=xml: (lambda d: (d.ID(), d.interfaceAddresses(0, 0)))(conn.createXML(xml, 0)))
