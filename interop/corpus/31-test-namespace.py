# uri: test:///default
# Domain XML beyond libvirt's schema: the test driver's own test: elements are checked on
# every parse (defineXML, createXML) and never written back; elements libvirt does not
# know, in any namespace, are dropped.
import sys

import libvirt

conn = libvirt.open(sys.argv[1])
NS = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'"
CASES = [
    ("unknown", "<foo/><bar x='1'>t</bar><devices><gizmo/><disk type='file'><target dev='vda'/></disk></devices>", ""),
    ("otherns", "<o:thing xmlns:o='urn:x'>v</o:thing>", ""),
    ("managedsave-running", "<test:runstate>3</test:runstate><test:hasmanagedsave/>", NS),
    ("transient-shutoff", "<test:runstate>5</test:runstate><test:transient/>", NS),
    ("out-of-range", "<test:runstate>99</test:runstate>", NS),
    ("not-a-number", "<test:runstate>abc</test:runstate>", NS),
    ("negative", "<test:runstate>-1</test:runstate>", NS),
    (
        "accepted",
        "<test:runstate>3</test:runstate><test:transient/>"
        "<test:domainsnapshot><domainsnapshot><name>s</name></domainsnapshot></test:domainsnapshot>",
        NS,
    ),
    ("managedsave-shutoff", "<test:runstate>5</test:runstate><test:hasmanagedsave/>", NS),
]
for number, (name, extra, namespace) in enumerate(CASES):
    for way in ("define", "create"):
        uuid = f"5a0e1c2d-3b4f-4c5d-8e6f-7a8b9c0d{number:02d}{0 if way == 'define' else 1:02d}"
        xml = (
            f"<domain type='test' {namespace}><name>{name}-{way}</name><uuid>{uuid}</uuid><memory>1024</memory>"
            f"<os><type>hvm</type></os>{extra}</domain>"
        )
        try:
            domain = conn.defineXML(xml) if way == "define" else conn.createXML(xml, 0)
            print(
                way, name, domain.info()[0], domain.isPersistent(), domain.hasManagedSaveImage(0), domain.snapshotNum(0)
            )
            print(domain.XMLDesc(0))
        except libvirt.libvirtError as error:
            print(way, name, "error", error.get_error_code(), error.get_error_domain(), error)

# Disks libvirt refuses after parsing: bus, name and source checks.
DISKS = [
    "<disk type='file' device='floppy'><source file='/f'/><target dev='fda' bus='ide'/></disk>",
    "<disk type='file'><source file='/f'/><target dev='hda' bus='fdc'/></disk>",
    "<disk type='file'><source file='/f'/><target dev='xyz' bus='virtio'/></disk>",
    "<disk type='file' device='floppy'><source file='/f'/><target dev='hdb'/></disk>",
    "<disk type='file' device='cdrom'><target dev='hdc'/></disk>",
    "<disk type='block'><source/><target dev='vdb'/></disk>",
    "<disk type='dir'><source dir='/d'/><target dev='vdc'/></disk>",
    "<disk type='file' device='lun'><source file='/f'/><target dev='fdz' bus='scsi'/></disk>",
]
for number, disk in enumerate(DISKS):
    xml = (
        f"<domain type='test'><name>disk{number}</name><uuid>6b1f2d3e-4c5a-4d6b-9f7c-8b9c0d1e2f{number:02d}</uuid>"
        f"<memory>1024</memory><os><type>hvm</type></os><devices>{disk}</devices></domain>"
    )
    try:
        print(number, conn.defineXML(xml).XMLDesc(0))
    except libvirt.libvirtError as error:
        print(number, "error", error.get_error_code(), error.get_error_domain(), error)

# Children libvirt does not know, inside elements it does: dropped (a <cpu> or <pm> left
# with nothing is not written at all); an unknown feature is refused.
INSIDE = [
    "<os><type>hvm</type><foo/></os><clock offset='utc'><timer name='rtc' tickpolicy='catchup'/><foo/></clock>"
    "<devices><disk type='file'><source file='/x'/><target dev='vda'/><foo/></disk>"
    "<interface type='network'><mac address='52:54:00:11:22:33'/><source network='default'/><foo/></interface>"
    "<video><foo/></video><serial type='pty'><foo/></serial></devices>",
    "<os><type>hvm</type></os><cpu/><pm><foo/></pm>",
    "<os><type>hvm</type></os><cpu><foo/></cpu><pm><suspend-to-mem enabled='no'/><foo/></pm>",
    "<os><type>hvm</type></os><cpu match='exact'/>",
    "<os><type>hvm</type></os><cpu><topology sockets='1' dies='1' cores='1' threads='1'/><foo/></cpu>",
    "<os><type>hvm</type></os><features><acpi/><foo/></features>",
    "<os><type>hvm</type></os><features><async-teardown enabled='yes'/></features>",
]
for number, inside in enumerate(INSIDE):
    xml = (
        f"<domain type='test'><name>inside{number}</name><uuid>7c2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f{number:02d}</uuid>"
        f"<memory>1024</memory>{inside}</domain>"
    )
    try:
        print(number, conn.defineXML(xml).XMLDesc(0))
    except libvirt.libvirtError as error:
        print(number, "error", error.get_error_code(), error.get_error_domain(), error)
