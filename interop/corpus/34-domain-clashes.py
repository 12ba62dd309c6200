# Defining and starting domains whose name or UUID another domain already has (libvirt looks
# the UUID up first, then the name), and a domain type other than the test driver's own.
import sys

import libvirt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])
XML = "<domain type='{kind}'><name>{name}</name>{uuid}<memory>65536</memory><os><type>hvm</type></os></domain>"
FIRST = "<uuid>11111111-2222-3333-4444-555555555555</uuid>"
SECOND = "<uuid>11111111-2222-3333-4444-555555555556</uuid>"
TEST = "<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"
conn.defineXML(XML.format(kind="test", name="clash", uuid=FIRST))
for label, kind, name, uuid in [
    ("same name and uuid", "test", "clash", FIRST),
    ("same name, other uuid", "test", "clash", SECOND),
    ("other name, same uuid", "test", "other", FIRST),
    ("the running domain's name", "test", "test", ""),
    ("the running domain's uuid", "test", "another", TEST),
    ("a kvm domain", "kvm", "kvm-guest", SECOND),
    ("an unknown type", "bogus", "bogus-guest", ""),
]:
    for action in ("createXML", "defineXML"):
        try:
            dom = getattr(conn, action)(XML.format(kind=kind, name=name, uuid=uuid))
            print(label, action, "->", dom.name(), dom.isPersistent(), dom.isActive())
            print(dom.XMLDesc(0))
            if dom.isActive():
                dom.destroy()
        except libvirt.libvirtError as error:
            print(label, action, "->", error.get_error_code(), error.get_error_domain(), error.get_error_message())
for name in ("clash", "kvm-guest"):
    try:
        conn.lookupByName(name).undefine()
    except libvirt.libvirtError as error:
        print(name, error.get_error_message())
