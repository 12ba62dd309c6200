"""A client that reads back each definition it makes gets its XML written ahead, after the
define's reply (drivers/test/domains.py, _reads_back): what it reads must be what XMLDesc
writes at the time it asks, whatever another call, of this client or another, changed between."""

from __future__ import annotations

import textwrap

from .daemon_process import DaemonProcess, python_libvirt

SCRIPT = """
import sys, libvirt
uri = sys.argv[1]
reader, other = libvirt.open(uri), libvirt.open(uri)
XML = ("<domain type='test'><name>{name}</name><memory>65536</memory><vcpu>1</vcpu>"
       "<os><type>hvm</type></os><devices><graphics type='vnc' passwd='secret'/></devices></domain>")
NS = "http://example.org/note"

def define(name):
    return reader.defineXML(XML.format(name=name))

# the pattern that has the daemon write ahead: define, then read back at once
for index in range(3):
    dom = define(f"learn{index}")
    first = dom.XMLDesc(0)
    print("same when asked again", first == dom.XMLDesc(0), "passwd" in first)

dom = define("changed-by-other")
note = "<note>other</note>"
other.lookupByName("changed-by-other").setMetadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, note, "n", NS, 0)
print("another client's change", "<n:note xmlns:n" in dom.XMLDesc(0))

dom = define("changed-by-self")
dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_TITLE, "a title", None, None, 0)
print("its own change", "<title>a title</title>" in dom.XMLDesc(0))

dom = define("started")
other.lookupByName("started").create()
print("started by another", "id='" in dom.XMLDesc(0).split("\\n", 1)[0])

dom = define("secure")
print("secure asked", "passwd='secret'" in dom.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE))

dom = define("undefined")
other.lookupByName("undefined").undefine()
try:
    dom.XMLDesc(0)
    print("undefined by another", "still answered")
except libvirt.libvirtError as error:
    print("undefined by another", error.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN)

dom = define("after")
print("read back again", "<name>after</name>" in dom.XMLDesc(0))
"""


def test_a_definition_read_back_is_what_xmldesc_writes_then(daemon: DaemonProcess) -> None:
    result = python_libvirt(textwrap.dedent(SCRIPT), daemon.uri())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "same when asked again True False",
        "same when asked again True False",
        "same when asked again True False",
        "another client's change True",
        "its own change True",
        "started by another True",
        "secure asked True",
        "undefined by another True",
        "read back again True",
    ]
