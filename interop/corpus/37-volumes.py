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
attempt("create with PREALLOC_METADATA", lambda: dir_pool.createXML(vol("pm"), 1))
attempt("clone with REFLINK", lambda: dir_pool.createXMLFrom(vol("rl"), source, 2))
attempt("create VALIDATE bad", lambda: dir_pool.createXML("<volume><name>v</name><bogus/></volume>", 4))
attempt("create VALIDATE good", lambda: dir_pool.createXML(vol("vg"), 4).name())
pools["disk"].destroy()
attempt("VALIDATE in a stopped pool", lambda: pools["disk"].createXML("<volume><bogus/></volume>", 4))
attempt("clone of a volume in a stopped pool", lambda: dir_pool.createXMLFrom(vol("c3"), source).name())
stale = pools["logical"].storageVolLookupByName("plain")
attempt("clone into a pool without the name", lambda: pools["rbd"].createXMLFrom(vol("c4"), stale).XMLDesc(0))
for kind in ("dir", "logical", "rbd", "netfs"):
    attempt(f"{kind}: at the end", lambda kind=kind: sorted(pools[kind].listVolumes()))
    pools[kind].destroy()
# Edge cases of the volume parser, each a fresh volume in a dir pool.
edge_pool = conn.storagePoolCreateXML(POOLS["dir"].replace("pd", "pe"))
EDGES = {
    "compat one number": "<target><compat>1</compat></target>",
    "compat letters": "<target><compat>a.b</compat></target>",
    "compat three parts": "<target><compat>1.1.1</compat></target>",
    "compat with sign": "<target><compat>-1.+1</compat></target>",
    "nocow": "<target><nocow/><format type='qcow2'/></target>",
    "cluster size": "<target><clusterSize unit='KiB'>64</clusterSize></target>",
    "cluster size bad": "<target><clusterSize>x</clusterSize></target>",
    "cluster size zero": "<target><clusterSize>0</clusterSize></target>",
    "cluster size bad unit": "<target><clusterSize unit='Q'>1</clusterSize></target>",
    "encryption qcow": "<target><encryption format='qcow'><secret type='passphrase' "
    "uuid='e78d4b51-a2af-485f-b0f5-afca709a80f4'/></encryption></target>",
    "encryption luks cipher": "<target><encryption format='luks'><secret type='passphrase' "
    "usage='vol'/><cipher name='aes' size='256' mode='cbc' hash='sha256'/>"
    "<ivgen name='plain64' hash='sha256'/></encryption></target>",
    "encryption bogus": "<target><encryption format='bogus'/></target>",
    "encryption no format": "<target><encryption/></target>",
    "mode bad": "<target><permissions><mode>999</mode></permissions></target>",
    "mode octal": "<target><permissions><mode>755</mode></permissions></target>",
    "owner negative": "<target><permissions><owner>-1</owner><group>-2</group></permissions></target>",
    "owner bad": "<target><permissions><owner>root</owner></permissions></target>",
    "label only": "<target><permissions><label>a&amp;b</label></permissions></target>",
    "empty permissions": "<target><permissions/></target>",
    "backing format only": "<backingStore><format type='qcow2'/></backingStore>",
    "backing bad format": "<backingStore><path>/b</path><format type='nope'/></backingStore>",
    "backing default format": "<backingStore><path>/b</path></backingStore>",
    "key and path given": "<key>mykey</key><target><path>/else/where</path></target>",
    "source extents": "<source><device path='/dev/sda'><extent start='0' end='1'/></device></source>",
    "physical": "<physical unit='K'>4</physical>",
    "features empty names": "<target><features><lazy_refcounts/><extended_l2/></features></target>",
    "features with compat": "<target><compat>0.10</compat><features><lazy_refcounts/></features></target>",
    "engine qemu": "<target><encryption format='luks' engine='qemu'/></target>",
    "engine default": "<target><encryption format='luks' engine='default'/></target>",
    "engine bogus": "<target><encryption format='luks' engine='x'/></target>",
    "luks2 with cipher": "<target><encryption format='luks2'><cipher name='aes' size='1'/></encryption></target>",
    "secret no type": "<target><encryption format='qcow'><secret usage='u'/></encryption></target>",
    "secret bad type": "<target><encryption format='qcow'><secret type='x' usage='u'/></encryption></target>",
    "secret bad uuid": "<target><encryption format='qcow'><secret type='passphrase' uuid='z'/></encryption></target>",
    "secret both": "<target><encryption format='qcow'><secret type='passphrase' uuid='"
    "e78d4b51a2af485fb0f5afca709a80f4' usage='u'/></encryption></target>",
    "secret neither": "<target><encryption format='qcow'><secret type='passphrase'/></encryption></target>",
    "secret uuid short form": "<target><encryption format='qcow'><secret type='passphrase' uuid='"
    "e78d4b51a2af485fb0f5afca709a80f4'/><secret type='passphrase' usage='a&apos;b'/></encryption></target>",
    "cipher no name": "<target><encryption format='luks'><cipher size='1'/></encryption></target>",
    "cipher no size": "<target><encryption format='luks'><cipher name='a'/></encryption></target>",
    "cipher bad size": "<target><encryption format='luks'><cipher name='a' size='-1'/></encryption></target>",
    "ivgen alone": "<target><encryption format='luks'><ivgen name='plain'/></encryption></target>",
    "ivgen no name": "<target><encryption format='luks'><cipher name='a' size='2'/><ivgen/></encryption></target>",
    "format empty": "<target><format type=''/></target>",
    "compat empty": "<target><compat></compat></target>",
    "compat spaces": "<target><compat> 1. 2</compat></target>",
}
for number, (label, body) in enumerate(EDGES.items()):
    xml = f"<volume><name>e{number}</name><capacity>1024</capacity>{body}</volume>"
    attempt(label, lambda xml=xml: edge_pool.createXML(xml).XMLDesc(0))
SIZES = {
    "capacity KiB": "<capacity unit='KiB'>3</capacity>",
    "capacity bad unit": "<capacity unit='Q'>3</capacity>",
    "capacity negative": "<capacity>-1</capacity>",
    "capacity overflow": "<capacity unit='E'>9</capacity>",
    "capacity spaces": "<capacity> 12 </capacity>",
    "capacity empty": "<capacity></capacity>",
    "allocation over capacity": "<capacity>10</capacity><allocation>20</allocation>",
    "allocation bad": "<capacity>10</capacity><allocation>z</allocation>",
    "allocation unit": "<capacity>10</capacity><allocation unit='b'>2</allocation>",
}
for number, (label, body) in enumerate(SIZES.items()):
    xml = f"<volume><name>s{number}</name>{body}</volume>"
    attempt(label, lambda xml=xml: edge_pool.createXML(xml).XMLDesc(0))
attempt("empty name", lambda: edge_pool.createXML("<volume><name></name><capacity>1</capacity></volume>"))
attempt("name with slash", lambda: edge_pool.createXML("<volume><name>a/b</name><capacity>1</capacity></volume>").key())
attempt("wrong root", lambda: edge_pool.createXML("<pool><name>x</name></pool>"))
attempt("edge pool info", edge_pool.info)
edge_pool.destroy()
# A node file's volumes: a key or path given is kept, the type and format follow the pool's type.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

NODE = """<node>
  <pool type='dir'><name>np</name><target><path>/np</path></target>
    <volume><name>a</name><key>key-of-a</key><capacity>10</capacity>
      <target><format type='qcow2'/><permissions><mode>0600</mode></permissions></target></volume>
    <volume><name>b</name><capacity>20</capacity><target><path>/else/b</path></target></volume>
    <volume type='block'><name>c</name><capacity unit='KiB'>1</capacity>
      <backingStore><path>/np/a</path><format type='qcow2'/></backingStore></volume>
  </pool>
  <pool type='logical'><name>nl</name><source><name>vg</name></source>
    <volume><name>lv</name><capacity>1</capacity><target><format type='bogus'/></target></volume>
  </pool>
</node>
"""
socket_part = sys.argv[1].split("?", 1)[1]
with tempfile.TemporaryDirectory() as folder:
    (Path(folder) / "node.xml").write_text(NODE)
    node = libvirt.open(f"test+unix://{folder}/node.xml?{socket_part}")
    for pool_name in ("np", "nl"):
        node_pool = node.storagePoolLookupByName(pool_name)
        for volume in sorted(node_pool.listAllVolumes(), key=lambda v: v.name()):
            print(pool_name, volume.name(), volume.key(), volume.path(), volume.info())
            print(volume.XMLDesc(0))
    attempt("by key", lambda: node.storageVolLookupByKey("key-of-a").name())
    attempt("by path of a keyed volume", lambda: node.storageVolLookupByPath("/np/a").name())
    attempt("by key that is a path", lambda: node.storageVolLookupByKey("/np/a").name())
    attempt("by given path", lambda: node.storageVolLookupByPath("/else/b").key())
