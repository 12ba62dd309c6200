"""Network filters and their bindings through stock virsh and libvirt-python.

The expected texts are those libvirt 9.0's nwfilter driver gives for the same documents
(checked against a reference libvirtd with the nwfilter module; the tests do not need it).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from .daemon_process import DaemonProcess, python_libvirt, start_daemon, virsh

NO_SPOOF = """<filter name='no-spoof' chain='root'>
  <uuid>d217f2d7-5a04-0e01-8b98-ec2743436b74</uuid>
  <rule action='drop' direction='out'>
    <mac match='no' srcmacaddr='$MAC'/>
  </rule>
  <rule action='accept' direction='inout' priority='100'>
    <tcp srcipaddr='10.0.0.1' dstportstart='22' dstportend='23' state='NEW,ESTABLISHED'/>
  </rule>
  <filterref filter='clean-traffic'>
    <parameter name='IP' value='10.0.0.1'/>
  </filterref>
  <rule action='return' direction='in' statematch='false'>
    <ip protocol='udp' srcportstart='53' comment='dns'/>
  </rule>
  <rule action='drop' direction='in'>
    <all/>
  </rule>
</filter>
"""

NO_SPOOF_DUMP = """<filter name='no-spoof' chain='root'>
  <uuid>d217f2d7-5a04-0e01-8b98-ec2743436b74</uuid>
  <rule action='drop' direction='out' priority='500'>
    <mac match='no' srcmacaddr='$MAC'/>
  </rule>
  <rule action='accept' direction='inout' priority='100'>
    <tcp srcipaddr='10.0.0.1' state='NEW,ESTABLISHED' dstportstart='22' dstportend='23'/>
  </rule>
  <filterref filter='clean-traffic'>
    <parameter name='IP' value='10.0.0.1'/>
  </filterref>
  <rule action='return' direction='in' priority='500' statematch='false'>
    <ip protocol='udp' srcportstart='53' comment='dns'/>
  </rule>
  <rule action='drop' direction='in' priority='500'>
    <all/>
  </rule>
</filter>

"""

# libvirt's normalisation: addresses and masks, hex kept hex, names for protocol numbers,
# an element split where match='no' stops applying, ipset flags defaulted, bad priorities
# replaced by the default
NORMALISED = """<filter name='misc' chain='ipv4-x' priority='-50'>
  <uuid>0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</uuid>
  <rule action='accept' direction='in' priority='1001'>
    <tcp match='no' srcipaddr='10.1' srcipmask='255.255.0.0' dstportstart='22'/>
  </rule>
  <rule action='accept' direction='in' priority='-1000'>
    <udp match='no' srcipaddr='10.0.0.1' ipset='myset'/>
    <udp dstipaddr='10.0.0.2' srcportstart='0x10' dscp='0x3f'/>
  </rule>
  <rule action='continue' direction='inout'>
    <mac protocolid='0x800' dstmacaddr='1:2:3:4:5:6' comment='a &lt;b&gt;'/>
  </rule>
  <rule action='reject' direction='out'>
    <arp opcode='0x10' gratuitous='yes' arpsrcipaddr='$IP[1]' arpsrcmacaddr='$MAC[@0]'/>
  </rule>
  <rule action='drop' direction='in'>
    <ipv6 srcipaddr='2001:DB8:0:0::1' srcipmask='ffff:ffff::' protocol='icmpv6' type='1'/>
  </rule>
  <rule action='drop' direction='in'><tcp flags='SYN,ACK/syn' state='none,NEW'/></rule>
  <rule action='drop' direction='in'><rarp/></rule>
  <rule action='drop' direction='in'/>
  <foo/>
</filter>
"""

NORMALISED_DUMP = """<filter name='misc' chain='ipv4-x' priority='-50'>
  <uuid>0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</uuid>
  <rule action='accept' direction='in' priority='500'>
    <tcp match='no' srcipaddr='10.0.0.1' srcipmask='16'/>
    <tcp dstportstart='22'/>
  </rule>
  <rule action='accept' direction='in' priority='-1000'>
    <udp match='no' srcipaddr='10.0.0.1'/>
    <udp dstipaddr='10.0.0.2' dscp='0x3f'/>
    <udp match='no' ipset='myset'/>
    <udp ipsetflags='src' srcportstart='0x10'/>
  </rule>
  <rule action='continue' direction='inout' priority='500'>
    <mac dstmacaddr='01:02:03:04:05:06' protocolid='ipv4' comment='a &lt;b&gt;'/>
  </rule>
  <rule action='reject' direction='out' priority='500'>
    <arp opcode='16' arpsrcmacaddr='$MAC' arpsrcipaddr='$IP[1]' gratuitous='true'/>
  </rule>
  <rule action='drop' direction='in' priority='500'>
    <ipv6 srcipaddr='2001:db8::1' srcipmask='32' protocol='icmpv6' type='1'/>
  </rule>
  <rule action='drop' direction='in' priority='500'>
    <tcp state='NONE' flags='SYN,ACK/SYN'/>
  </rule>
  <rule action='drop' direction='in' priority='500'>
    <rarp/>
  </rule>
  <rule action='drop' direction='in' priority='500'/>
</filter>

"""

BINDING = """<filterbinding>
  <owner>
    <name>demo</name>
    <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  </owner>
  <portdev name='vnet7'/>
  <mac address='52:54:00:AA:bb:cc'/>
  <filterref filter='nosuchfilter'>
    <parameter name='IP' value='10.0.0.2'/>
    <parameter name='A' value='1'/>
    <parameter name='IP' value='10.0.0.1'/>
  </filterref>
</filterbinding>
"""

BINDING_DUMP = """<filterbinding>
  <owner>
    <name>demo</name>
    <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  </owner>
  <portdev name='vnet7'/>
  <mac address='52:54:00:aa:bb:cc'/>
  <filterref filter='nosuchfilter'>
    <parameter name='A' value='1'/>
    <parameter name='IP' value='10.0.0.2'/>
    <parameter name='IP' value='10.0.0.1'/>
  </filterref>
</filterbinding>

"""


@pytest.fixture
def node(tmp_path: Path) -> Iterator[DaemonProcess]:
    """A daemon whose test:///default keeps its filters between virsh runs."""
    process = start_daemon(tmp_path / "run", "--test-default-persistent")
    yield process
    assert process.stop() == 0, process.log()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def ok(daemon: DaemonProcess, *arguments: str) -> str:
    result = virsh(daemon, *arguments)
    assert result.returncode == 0, (arguments, result.stderr)
    return result.stdout


def fails(daemon: DaemonProcess, *arguments: str) -> str:
    result = virsh(daemon, *arguments)
    assert result.returncode == 1, (arguments, result.stdout)
    return result.stderr


def test_define_list_dumpxml_undefine(node: DaemonProcess, tmp_path: Path) -> None:
    path = write(tmp_path, "no-spoof.xml", NO_SPOOF)
    assert ok(node, "nwfilter-define", path) == f"Network filter no-spoof defined from {path}\n\n"
    assert ok(node, "nwfilter-list") == (
        " UUID                                   Name\n"
        "--------------------------------------------------\n"
        " d217f2d7-5a04-0e01-8b98-ec2743436b74   no-spoof\n\n"
    )
    assert ok(node, "nwfilter-dumpxml", "no-spoof") == NO_SPOOF_DUMP
    assert ok(node, "nwfilter-dumpxml", "d217f2d7-5a04-0e01-8b98-ec2743436b74") == NO_SPOOF_DUMP
    # the same filter again updates it; another name with its UUID, or its name without it, do not
    assert ok(node, "nwfilter-define", path).startswith("Network filter no-spoof defined")
    other_xml = "<filter name='other'><uuid>d217f2d7-5a04-0e01-8b98-ec2743436b74</uuid></filter>"
    other = write(tmp_path, "other.xml", other_xml)
    assert fails(node, "nwfilter-define", other) == (
        f"error: Failed to define network filter from {other}\n"
        "error: operation failed: filter with same UUID but different name ('no-spoof') already exists\n"
    )
    again = write(tmp_path, "again.xml", "<filter name='no-spoof'/>")
    assert fails(node, "nwfilter-define", again).endswith(
        "error: operation failed: filter 'no-spoof' already exists with uuid d217f2d7-5a04-0e01-8b98-ec2743436b74\n"
    )
    assert ok(node, "nwfilter-undefine", "no-spoof") == "Network filter no-spoof undefined\n\n"
    assert ok(node, "nwfilter-list") == " UUID   Name\n--------------\n\n"


def test_libvirts_normalisation(node: DaemonProcess, tmp_path: Path) -> None:
    ok(node, "nwfilter-define", write(tmp_path, "misc.xml", NORMALISED))
    assert ok(node, "nwfilter-dumpxml", "misc") == NORMALISED_DUMP


def test_errors_read_as_libvirts(node: DaemonProcess, tmp_path: Path) -> None:
    assert fails(node, "nwfilter-dumpxml", "nosuch") == (
        "error: failed to get nwfilter 'nosuch'\n"
        "error: Network filter not found: no nwfilter with matching name 'nosuch'\n"
    )
    assert fails(node, "nwfilter-undefine", "nosuch") == (
        "error: failed to get nwfilter 'nosuch'\n"
        "error: Network filter not found: no nwfilter with matching name 'nosuch'\n"
    )
    assert fails(node, "nwfilter-binding-dumpxml", "vnet0") == (
        "error: failed to get nwfilter binding 'vnet0'\n"
        "error: Network filter binding not found: no nwfilter binding for port dev 'vnet0'\n"
    )
    assert fails(node, "nwfilter-binding-delete", "vnet0") == (
        "error: failed to get nwfilter binding 'vnet0'\n"
        "error: Network filter binding not found: no nwfilter binding for port dev 'vnet0'\n"
    )
    cases = {
        "<filter name='x'><rule></filter>": "error: (nwfilter_definition):1: Opening and ending tag mismatch: "
        "rule line 1 and filter\n<filter name='x'><rule></filter>\n--------------------------------^\n",
        "<filterx name='x'/>": "error: XML error: expecting root element of 'filter', not 'filterx'\n",
        "<filter/>": "error: internal error: filter has no name\n",
        "<filter name='x'><uuid>zzz</uuid></filter>": "error: XML error: malformed uuid element\n",
        "<filter name='x'><rule action='foo' direction='in'/></filter>": (
            "error: unsupported configuration: unknown rule action attribute value\n"
        ),
        "<filter name='x'><rule direction='in'/></filter>": (
            "error: internal error: rule node requires action attribute\n"
        ),
        # every bad attribute is reported; the last one in libvirt's order is what remains
        "<filter name='x'><rule action='drop' direction='in'>"
        "<tcp srcipaddr='1.2.3' dstportstart='x' srcipmask='1.2.3.4'/></rule></filter>": (
            "error: internal error: dstportstart has illegal value x\n"
        ),
        "<filter name='x' chain='foo'/>": "error: invalid argument: Invalid chain name 'foo'. Please use a chain "
        "name called 'root' or any of the following prefixes: mac, vlan, stp, arp, rarp, ipv4, ipv6\n",
        "<filter name='x' chain='mac' priority='2000'/>": (
            "error: invalid argument: Priority '2000' is outside valid range of [-1000,1000]\n"
        ),
    }
    for number, (document, expected) in enumerate(cases.items()):
        path = write(tmp_path, f"bad{number}.xml", document)
        heading = f"error: Failed to define network filter from {path}\n"
        assert fails(node, "nwfilter-define", path) == heading + expected
    assert ok(node, "nwfilter-list") == " UUID   Name\n--------------\n\n"


def test_schema_validation(node: DaemonProcess, tmp_path: Path) -> None:
    path = write(tmp_path, "bogus.xml", "<filter name='val'><rule action='drop' direction='in' bogus='1'/></filter>")
    assert fails(node, "nwfilter-define", "--validate", path) == (
        f"error: Failed to define network filter from {path}\n"
        "error: XML document failed to validate against schema: Unable to validate doc against "
        "/usr/share/libvirt/schemas/nwfilter.rng\nInvalid attribute bogus for element rule\n"
        "Extra element rule in interleave\nElement filter failed to validate content\n\n"
    )
    assert ok(node, "nwfilter-define", path).startswith("Network filter val defined")  # without --validate


def test_references_cannot_loop(node: DaemonProcess, tmp_path: Path) -> None:
    ok(node, "nwfilter-define", write(tmp_path, "a.xml", "<filter name='a'><filterref filter='b'/></filter>"))
    path = write(tmp_path, "b.xml", "<filter name='b'><filterref filter='a'/></filter>")
    assert fails(node, "nwfilter-define", path).endswith("error: operation failed: filter would introduce a loop\n")
    path = write(tmp_path, "c.xml", "<filter name='c'><filterref filter='c'/></filter>")
    assert fails(node, "nwfilter-define", path).endswith("error: operation failed: filter would introduce a loop\n")


def test_binding_create_list_dumpxml_delete(node: DaemonProcess, tmp_path: Path) -> None:
    path = write(tmp_path, "binding.xml", BINDING)
    # vnet7 is no device of the test node: libvirt keeps the binding and instantiates nothing
    assert ok(node, "nwfilter-binding-create", path) == f"Network filter binding on vnet7 created from {path}\n\n"
    assert ok(node, "nwfilter-binding-list") == (
        " Port Dev   Filter\n--------------------------\n vnet7      nosuchfilter\n\n"
    )
    assert ok(node, "nwfilter-binding-dumpxml", "vnet7") == BINDING_DUMP
    assert fails(node, "nwfilter-binding-create", path) == (
        f"error: Failed to create network filter from {path}\nerror: operation failed: binding 'vnet7' already exists\n"
    )
    assert ok(node, "nwfilter-binding-delete", "vnet7") == "Network filter binding on vnet7 deleted\n\n"
    assert ok(node, "nwfilter-binding-list") == " Port Dev   Filter\n--------------------\n\n"
    incomplete = write(tmp_path, "incomplete.xml", "<filterbinding><portdev name='x'/></filterbinding>")
    assert fails(node, "nwfilter-binding-create", incomplete) == (
        f"error: Failed to create network filter from {incomplete}\n"
        "error: internal error: filter binding has no owner name\n"
    )


def test_a_binding_on_a_running_domains_port_keeps_its_filters_in_use(node: DaemonProcess, tmp_path: Path) -> None:
    ok(
        node,
        "nwfilter-define",
        write(
            tmp_path,
            "leaf.xml",
            "<filter name='leaf'><rule action='drop' direction='in'><ip srcipaddr='$SRC'/></rule></filter>",
        ),
    )
    ok(node, "nwfilter-define", write(tmp_path, "top.xml", "<filter name='top'><filterref filter='leaf'/></filter>"))
    ok(node, "nwfilter-define", write(tmp_path, "spare.xml", "<filter name='spare'/>"))
    # testnet0 is the host side of the running domain test's interface: it exists
    binding = BINDING.replace("vnet7", "testnet0").replace("nosuchfilter", "top")
    path = write(tmp_path, "unresolved.xml", binding)
    assert fails(node, "nwfilter-binding-create", path).endswith(
        "error: internal error: Cannot instantiate filter due to unresolvable variables or unavailable list "
        "elements: SRC\n"
    )
    path = write(tmp_path, "missing.xml", binding.replace("'top'", "'gone'"))
    missing = "error: internal error: referenced filter 'gone' is missing\n"
    assert fails(node, "nwfilter-binding-create", path).endswith(missing)
    path = write(tmp_path, "binding.xml", binding.replace("<parameter name='A'", "<parameter name='SRC'"))
    ok(node, "nwfilter-binding-create", path)
    for name in ("leaf", "top"):
        assert fails(node, "nwfilter-undefine", name) == (
            f"error: Failed to undefine network filter {name}\n"
            "error: Requested operation is not valid: nwfilter is in use\n"
        )
    assert ok(node, "nwfilter-undefine", "spare") == "Network filter spare undefined\n\n"
    # libvirt adds the port's MAC address to the binding's variables
    assert "    <parameter name='MAC' value='52:54:00:aa:bb:cc'/>\n" in ok(node, "nwfilter-binding-dumpxml", "testnet0")
    ok(node, "nwfilter-binding-delete", "testnet0")
    assert ok(node, "nwfilter-undefine", "leaf") == "Network filter leaf undefined\n\n"


def test_libvirt_python(node: DaemonProcess, tmp_path: Path) -> None:
    ok(node, "nwfilter-define", write(tmp_path, "no-spoof.xml", NO_SPOOF))
    ok(node, "nwfilter-binding-create", write(tmp_path, "binding.xml", BINDING))
    script = """
        import sys, libvirt
        libvirt.registerErrorHandler(lambda *args: None, None)
        conn = libvirt.open(sys.argv[1])
        print([(f.name(), f.UUIDString()) for f in conn.listAllNWFilters()])
        print(conn.numOfNWFilters(), conn.listNWFilters())
        print(conn.nwfilterLookupByUUIDString("d217f2d7-5a04-0e01-8b98-ec2743436b74").name())
        print([(b.portDev(), b.filterName()) for b in conn.listAllNWFilterBindings()])
        print(conn.nwfilterBindingLookupByPortDev("vnet7").filterName())
        for call in (lambda: conn.listAllNWFilters(1), lambda: conn.nwfilterLookupByName("nosuch"),
                     lambda: conn.nwfilterLookupByUUIDString("d217f2d7-5a04-0e01-8b98-ec2743436b75"),
                     lambda: conn.nwfilterDefineXMLFlags("<filter name='y'/>", 2),
                     lambda: conn.nwfilterDefineXMLFlags("<filter name='y' bogus='1'/>", 1),
                     lambda: conn.nwfilterBindingLookupByPortDev("nosuch")):
            try:
                call()
            except libvirt.libvirtError as error:
                print(error.get_error_code(), error.get_error_domain(), error.get_error_message().splitlines()[0])
        f = conn.nwfilterDefineXMLFlags("<filter name='y'><rule action='drop' direction='in'/></filter>", 1)
        print(f.XMLDesc(0).splitlines()[2])
        f.undefine()
        print(conn.listNWFilters())
    """
    result = python_libvirt(textwrap.dedent(script), node.uri())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "[('no-spoof', 'd217f2d7-5a04-0e01-8b98-ec2743436b74')]",
        "1 ['no-spoof']",
        "no-spoof",
        "[('vnet7', 'nosuchfilter')]",
        "nosuchfilter",
        "8 33 unsupported flags (0x1) in function nwfilterConnectListAllNWFilters",
        "62 33 Network filter not found: no nwfilter with matching name 'nosuch'",
        "62 33 Network filter not found: no nwfilter with matching uuid 'd217f2d7-5a04-0e01-8b98-ec2743436b75'",
        "8 33 unsupported flags (0x2) in function nwfilterDefineXMLFlags",
        "92 5 XML document failed to validate against schema: Unable to validate doc against "
        "/usr/share/libvirt/schemas/nwfilter.rng",
        "101 33 Network filter binding not found: no nwfilter binding for port dev 'nosuch'",
        "  <rule action='drop' direction='in' priority='500'/>",
        "['no-spoof']",
    ]
