# uri: test:///default
# Domain XML details issue 12 names, each defined, read back (inactive, and running where it
# starts: live-only parts) and undefined: virt types, vsock CIDs, rng rates, a Xen guest with a
# bootloader, security labels (defaults, order, refusals), CPU modes, disk sources and
# controllers as libvirt fills them in.
import sys

import libvirt

conn = libvirt.open(sys.argv[1])
UUID = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def domain(devices: str = "", extra: str = "", virt: str = "qemu", os: str = "<type>hvm</type>") -> str:
    return (
        f"<domain type='{virt}'><name>details</name><uuid>{UUID}</uuid><memory>1024</memory>"
        f"<os>{os}</os>{extra}<devices>{devices}</devices></domain>"
    )


CASES = [
    ("kvm", domain(virt="kvm")),
    ("vsock auto", domain("<vsock model='virtio'/>")),
    ("vsock address", domain("<vsock model='virtio'><cid address='5'/></vsock>")),
    ("rng rate", domain("<rng model='virtio'><rate period='2000' bytes='1234'/><backend model='random'/></rng>")),
    (
        "xen bootloader",
        domain(virt="xen", os="<type>xen</type><boot dev='hd'/>", extra="<bootloader>/bin/pygrub</bootloader>"),
    ),
    ("seclabel defaults", domain(extra="<seclabel model='selinux'/><seclabel type='none' model='dac'/>")),
    ("seclabel static", domain(extra="<seclabel model='selinux' type='static'><label>a:b:c</label></seclabel>")),
    ("seclabel bad type", domain(extra="<seclabel type='bogus' model='selinux'/>")),
    ("seclabel no relabel", domain(extra="<seclabel type='dynamic' model='selinux' relabel='no'/>")),
    ("seclabel two without model", domain(extra="<seclabel model='selinux'/><seclabel type='none'/>")),
    ("cpu mode", domain(extra="<cpu mode='bogus'/>")),
    (
        "disk label skipped",
        domain(
            "<disk type='file'><source file='/tmp/d.img'><seclabel model='selinux' labelskip='yes'/></source>"
            "<target dev='vda'/></disk>"
        ),
    ),
    (
        "network disk",
        domain(
            "<disk type='network'><source protocol='iscsi' name='iqn.2013-07.com.example:pool' index='4'>"
            "<host name='example.org'/></source><target dev='sda' bus='scsi'/></disk>"
        ),
    ),
    (
        "usb2 companions",
        domain("".join(f"<controller type='usb' model='ich9-{m}'/>" for m in ("ehci1", "uhci1", "uhci2"))),
    ),
    ("pci address", domain("<memballoon model='virtio'><address type='pci' bus='0x100' slot='1'/></memballoon>")),
]

for label, xml in CASES:
    try:
        made = conn.defineXML(xml)
    except libvirt.libvirtError as error:
        print(label, "!!", error.get_error_code(), error.get_error_domain(), repr(error.get_error_message()))
        continue
    print(label, "inactive")
    print(made.XMLDesc(0))
    try:
        made.create()
    except libvirt.libvirtError as error:
        print(label, "start !!", error.get_error_code(), error.get_error_domain(), repr(error.get_error_message()))
    else:
        print(label, "running")
        print(made.XMLDesc(0))
        print(made.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        made.destroy()
    made.undefine()
