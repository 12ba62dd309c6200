# uri: test:///default
# virNetworkUpdate on networks with several IPs (IPv4 and IPv6, with and without DHCP) and
# forward devices: which <ip> a parent index picks, what an IPv6 host or range needs, and the
# sections whose answers depend on what the network already has.
import sys

import libvirt
from steps import attempt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])


S = libvirt
HOST, RANGE = S.VIR_NETWORK_SECTION_IP_DHCP_HOST, S.VIR_NETWORK_SECTION_IP_DHCP_RANGE
DNS_HOST, SRV, TXT = S.VIR_NETWORK_SECTION_DNS_HOST, S.VIR_NETWORK_SECTION_DNS_SRV, S.VIR_NETWORK_SECTION_DNS_TXT
PORTGROUP, FORWARD_IF = S.VIR_NETWORK_SECTION_PORTGROUP, S.VIR_NETWORK_SECTION_FORWARD_INTERFACE
IP, FORWARD = S.VIR_NETWORK_SECTION_IP, S.VIR_NETWORK_SECTION_FORWARD
ADD_LAST, ADD_FIRST = S.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, S.VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST
MODIFY, DELETE = S.VIR_NETWORK_UPDATE_COMMAND_MODIFY, S.VIR_NETWORK_UPDATE_COMMAND_DELETE
multi = conn.networkDefineXML(
    "<network><name>multi</name><bridge name='virbr60'/><forward mode='nat'/>"
    "<dns><host ip='10.60.0.9'><hostname>nine</hostname></host><srv service='s' protocol='tcp'/></dns>"
    "<ip address='10.60.0.1' prefix='24'/>"
    "<ip address='10.61.0.1' prefix='24'><dhcp><range start='10.61.0.10' end='10.61.0.20'/>"
    "<host mac='52:54:00:61:00:01' ip='10.61.0.11'/></dhcp></ip>"
    "<ip family='ipv6' address='fd60::1' prefix='64'><dhcp><range start='fd60::10' end='fd60::20'/></dhcp></ip>"
    "<portgroup name='pg' default='yes'/></network>"
)
devices = conn.networkDefineXML(
    "<network><name>devs</name><forward mode='passthrough'><interface dev='eth1'/><interface dev='eth2'/>"
    "</forward></network>"
)
changes = [
    (ADD_LAST, HOST, 0, "<host mac='52:54:00:60:00:01' ip='10.60.0.11'/>"),
    (ADD_LAST, HOST, 1, "<host mac='52:54:00:60:00:02' ip='10.61.0.12'/>"),
    (ADD_LAST, HOST, -1, "<host mac='52:54:00:60:00:03' ip='10.61.0.13'/>"),
    (ADD_LAST, HOST, 2, "<host id='0:3:0:1:52:54:0:0:0:1' ip='fd60::11'/>"),
    (ADD_LAST, HOST, 2, "<host mac='52:54:00:60:00:04' ip='fd60::12'/>"),
    (ADD_LAST, HOST, 2, "<host name='six' ip='fd60::13'/>"),
    (ADD_LAST, HOST, 3, "<host mac='52:54:00:60:00:05' ip='10.60.0.14'/>"),
    (ADD_LAST, HOST, -1, "<host mac='52:54:00:60:00:06' ip='10.99.0.1'/>"),
    (ADD_LAST, HOST, -1, "<host mac='52:54:00:60:00:07' ip='fd60::14'/>"),
    (MODIFY, HOST, 1, "<host mac='52:54:00:61:00:01' ip='10.61.0.15'/>"),
    (MODIFY, HOST, 1, "<host mac='52:54:00:61:00:99' ip='10.61.0.16'/>"),
    (DELETE, HOST, 1, "<host mac='52:54:00:61:00:01' ip='10.61.0.11'/>"),
    (ADD_LAST, RANGE, 0, "<range start='10.60.0.100' end='10.60.0.110'/>"),
    (ADD_LAST, RANGE, 2, "<range start='fd60::100' end='fd60::1ff'/>"),
    (ADD_LAST, RANGE, 2, "<range start='10.60.0.100' end='10.60.0.110'/>"),
    (ADD_LAST, RANGE, 1, "<range start='fd60::100' end='fd60::1ff'/>"),
    (ADD_FIRST, RANGE, -1, "<range start='10.61.0.30' end='10.61.0.40'/>"),
    (ADD_LAST, RANGE, -1, "<range start='fd60::300' end='fd60::3ff'/>"),
    (DELETE, RANGE, 2, "<range start='fd60::10' end='fd60::20'/>"),
    (MODIFY, RANGE, 1, "<range start='10.61.0.10' end='10.61.0.20'/>"),
    (ADD_LAST, IP, -1, "<ip address='10.62.0.1' prefix='24'/>"),
    (ADD_LAST, FORWARD, -1, "<forward mode='route'/>"),
    (MODIFY, DNS_HOST, -1, "<host ip='10.60.0.9'><hostname>nine</hostname></host>"),
    (ADD_LAST, DNS_HOST, -1, "<host ip='10.60.0.9'><hostname>again</hostname></host>"),
    (DELETE, DNS_HOST, -1, "<host ip='10.60.0.9'/>"),
    (DELETE, SRV, -1, "<srv service='s' protocol='tcp'/>"),
    (DELETE, SRV, -1, "<srv service='s' protocol='tcp'/>"),
    (MODIFY, PORTGROUP, -1, "<portgroup name='pg'><bandwidth><inbound average='10'/></bandwidth></portgroup>"),
    (MODIFY, PORTGROUP, -1, "<portgroup name='nosuch'/>"),
    (ADD_LAST, PORTGROUP, -1, "<portgroup name='second' default='yes'/>"),
    (MODIFY, TXT, -1, "<txt name='t' value='v'/>"),
    (ADD_LAST, FORWARD_IF, -1, "<interface dev='eth9'/>"),
]
for command, section, parent, xml in changes:
    attempt(f"multi {command} {section} {parent} {xml}", lambda c=(command, section, parent, xml): multi.update(*c, 0))
attempt("multi xml", lambda: multi.XMLDesc(0))
for command, dev in ((ADD_LAST, "eth3"), (ADD_FIRST, "eth0"), (ADD_LAST, "eth1"), (DELETE, "eth2"), (MODIFY, "eth1")):
    xml = f"<interface dev='{dev}'/>"
    attempt(f"devs {command} {dev}", lambda c=command, x=xml: devices.update(c, FORWARD_IF, -1, x, 0))
USED = "<interface dev='eth3' connections='1'/>"
attempt("devs delete a used one", lambda: devices.update(DELETE, FORWARD_IF, -1, USED, 0))
attempt("devs xml", lambda: devices.XMLDesc(0))
devices.undefine()
multi.undefine()
