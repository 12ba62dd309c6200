# uri: test:///default
# Volumes as libvirt formats them in pools of several types, and the test driver's create and
# create-from rules (where the source volume of a clone is looked up, which errors come first).
import sys

import libvirt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])
POOLS = {
    "dir": "<pool type='dir'><name>pd</name><target><path>/pd</path></target></pool>",
    "disk": "<pool type='disk'><name>pk</name><source><device path='/dev/sdz'/></source>"
    "<target><path>/dev</path></target></pool>",
    "logical": "<pool type='logical'><name>pl</name><source><name>vg</name></source></pool>",
    "rbd": "<pool type='rbd'><name>pr</name><source><name>rbdpool</name><host name='ceph.example'/></source></pool>",
    "netfs": "<pool type='netfs'><name>pn</name><source><host name='nfs.example'/><dir path='/export'/></source>"
    "<target><path>/mnt/n</path></target></pool>",
}


def attempt(label, step):
    try:
        print(label, "->", step())
    except libvirt.libvirtError as error:
        print(label, "->", error.get_error_code(), error.get_error_domain(), error.get_error_message())


def vol(name, target="", extra="", type_attr=""):
    return (
        f"<volume{type_attr}><name>{name}</name><capacity unit='M'>8</capacity><allocation>4096</allocation>"
        f"<target>{target}</target>{extra}</volume>"
    )


pools = {kind: conn.storagePoolCreateXML(xml) for kind, xml in POOLS.items()}
FULL = vol(
    "full",
    "<format type='qcow2'/><permissions><mode>0640</mode><owner>107</owner><group>107</group>"
    "<label>virt_image_t</label></permissions><compat>1.1</compat><features><lazy_refcounts/></features>",
    "<backingStore><path>/pd/base</path><format type='raw'/><permissions><mode>0444</mode></permissions>"
    "</backingStore>",
)
PARTITION = vol("part", "<format type='linux-lvm'/>")
for kind, pool in pools.items():
    attempt(f"{kind}: plain", lambda pool=pool: pool.createXML(vol("plain")).XMLDesc(0))
    attempt(f"{kind}: info", lambda pool=pool: pool.storageVolLookupByName("plain").info())
    attempt(f"{kind}: full", lambda pool=pool: pool.createXML(FULL).XMLDesc(0))
    attempt(f"{kind}: partition type", lambda pool=pool: pool.createXML(PARTITION).name())
    attempt(f"{kind}: bogus format", lambda pool=pool: pool.createXML(vol("bogus", "<format type='bogus'/>")).name())
    attempt(f"{kind}: block type", lambda pool=pool: pool.createXML(vol("blk", "", "", " type='block'")).XMLDesc(0))
    attempt(f"{kind}: pool's volumes", lambda pool=pool: sorted(pool.listVolumes()))
dir_pool = pools["dir"]
attempt("bad type", lambda: dir_pool.createXML(vol("t", "", "", " type='tape'")))
attempt("bad feature", lambda: dir_pool.createXML(vol("f", "<features><bogus/></features>")))
attempt("features without compat", lambda: dir_pool.createXML(vol("f2", "<features/>")).XMLDesc(0))
attempt("twice", lambda: dir_pool.createXML(vol("plain")))
attempt("no name", lambda: dir_pool.createXML("<volume><capacity>1</capacity></volume>"))
attempt("no capacity", lambda: dir_pool.createXML("<volume><name>nc</name></volume>"))
attempt("bad capacity", lambda: dir_pool.createXML("<volume><name>bc</name><capacity>x</capacity></volume>"))
big = "<volume><name>huge</name><capacity unit='T'>1</capacity></volume>"
attempt("too big", lambda: dir_pool.createXML(big))
# A clone: its source is looked up by name in the pool the clone goes into.
source = dir_pool.storageVolLookupByName("full")
attempt("clone", lambda: dir_pool.createXMLFrom(vol("copy"), source).XMLDesc(0))
only = dir_pool.createXML(vol("only-here"))
attempt("clone into another pool", lambda: pools["netfs"].createXMLFrom(vol("copy"), only).XMLDesc(0))
attempt("clone of a name both pools have", lambda: pools["netfs"].createXMLFrom(vol("c2"), source).XMLDesc(0))
attempt("clone over an existing name", lambda: dir_pool.createXMLFrom(vol("plain"), source))
attempt("clone with bad XML", lambda: dir_pool.createXMLFrom("<volume>", source))
pools["disk"].destroy()
attempt("clone of a volume in a stopped pool", lambda: dir_pool.createXMLFrom(vol("c3"), source).name())
stale = pools["logical"].storageVolLookupByName("plain")
attempt("clone into a pool without the name", lambda: pools["rbd"].createXMLFrom(vol("c4"), stale).XMLDesc(0))
for kind in ("dir", "logical", "rbd", "netfs"):
    attempt(f"{kind}: at the end", lambda kind=kind: sorted(pools[kind].listVolumes()))
    pools[kind].destroy()
