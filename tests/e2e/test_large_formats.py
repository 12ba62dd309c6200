"""Stock libvirt-python against the daemon: a large network's XML, written in a worker thread,
is whole whatever another client changes meanwhile, and that client's updates (made in a
worker thread too) all land."""

from __future__ import annotations

import textwrap

from .daemon_process import DaemonProcess, python_libvirt

SCRIPT = """
import sys, threading, libvirt
uri = sys.argv[1]
hosts = "".join(
    f"<host mac='52:54:00:00:{i >> 8:02x}:{i & 255:02x}' name='h{i}' ip='10.1.{i >> 8}.{i & 255 or 1}'/>"
    for i in range(4000)
)
reader = libvirt.open(uri)
writer = libvirt.open(uri)
reader.networkDefineXML(
    "<network><name>large</name><bridge name='virbr7'/><ip address='10.1.0.1' netmask='255.255.0.0'>"
    f"<dhcp><range start='10.1.0.2' end='10.1.0.254'/>{hosts}</dhcp></ip></network>"
).create()
counts = []

def read():
    net = reader.networkLookupByName("large")
    for _ in range(15):
        xml = net.XMLDesc(0)
        assert xml.endswith("</network>\\n"), xml[-200:]
        counts.append(xml.count("<host "))

thread = threading.Thread(target=read)
thread.start()
net = writer.networkLookupByName("large")
add = libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST
section = libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST
for n in range(15):
    net.update(add, section, -1, f"<host mac='52:54:00:aa:00:{n:02x}' name='new{n}' ip='10.1.200.{n + 1}'/>", 0)
thread.join()
final = net.XMLDesc(0)
in_order = counts == sorted(counts) and 4000 <= counts[0] and counts[-1] <= 4015  # (only additions)
print(len(counts), in_order, final.count("<host "), final.count("name='new"))
"""


def test_a_large_network_read_while_another_client_updates_it(daemon: DaemonProcess) -> None:
    result = python_libvirt(textwrap.dedent(SCRIPT), daemon.uri())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == ["15", "True", "4015", "15"]


TWO_WRITERS = """
import sys, threading, libvirt
uri = sys.argv[1]
hosts = "".join(
    f"<host mac='52:54:00:00:{i >> 8:02x}:{i & 255:02x}' name='h{i}' ip='10.1.{i >> 8}.{i & 255 or 1}'/>"
    for i in range(4000)
)
first = libvirt.open(uri)  # (kept open: test:///default's state lasts while a connection does)
first.networkDefineXML(
    "<network><name>large</name><bridge name='virbr7'/><ip address='10.1.0.1' netmask='255.255.0.0'>"
    f"<dhcp><range start='10.1.0.2' end='10.1.0.254'/>{hosts}</dhcp></ip></network>"
).create()
add = libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST
section = libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST

def write(writer):
    net = libvirt.open(uri).networkLookupByName("large")
    for n in range(8):
        host = f"<host mac='52:54:00:aa:{writer:02x}:{n:02x}' name='w{writer}n{n}' ip='10.1.{200 + writer}.{n + 1}'/>"
        net.update(add, section, -1, host, 0)

threads = [threading.Thread(target=write, args=(writer,)) for writer in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
final = first.networkLookupByName("large").XMLDesc(0)
print(final.count("<host "), final.count("name='w0n"), final.count("name='w1n"))
"""


def test_a_large_network_updated_by_two_clients_at_once_keeps_every_update(daemon: DaemonProcess) -> None:
    # (an update that ends after the other client's is made again on top of it)
    result = python_libvirt(textwrap.dedent(TWO_WRITERS), daemon.uri())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == ["4016", "8", "8"]
