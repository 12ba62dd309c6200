# uri: test:///default
# Node files whose networks, interfaces, pools and volumes clash or stretch what libvirt reads
# of them: given twice, with or without UUIDs, keys, paths and sizes; what the lists, lookups
# and getters then answer.
import tempfile
from pathlib import Path

import libvirt
from steps import attempt, node_file_uri

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
NET = "<network><name>{}</name>{}<bridge name='{}'/></network>"
POOL = "<pool type='dir'><name>{}</name>{}<target><path>{}</path></target>{}</pool>"
VOL = "<volume><name>{}</name>{}<capacity>{}</capacity><allocation>{}</allocation><target>{}</target></volume>"
UUID = "<uuid>55555555-6666-7777-8888-999999999999</uuid>"
NODES = {
    "network twice": NET.format("n", "", "br1") + NET.format("n", "", "br2"),
    "network twice same uuid": NET.format("n", UUID, "br1") + NET.format("n", UUID, "br2"),
    "networks sharing a uuid": NET.format("n1", UUID, "br1") + NET.format("n2", UUID, "br2"),
    "networks sharing a bridge": NET.format("n1", "", "br1") + NET.format("n2", "", "br1"),
    "interface twice": "<interface type='ethernet' name='e'><mac address='52:54:00:00:00:01'/></interface>"
    "<interface type='ethernet' name='e'><mac address='52:54:00:00:00:02'/></interface>",
    "interfaces sharing a mac": "<interface type='ethernet' name='e1'><mac address='52:54:00:00:00:01'/></interface>"
    "<interface type='ethernet' name='e2'><mac address='52:54:00:00:00:01'/></interface>",
    "pool twice": POOL.format("p", "", "/p1", "") + POOL.format("p", "", "/p2", ""),
    "pool twice same uuid": POOL.format("p", UUID, "/p1", VOL.format("v1", "", 10, 1, ""))
    + POOL.format("p", UUID, "/p2", VOL.format("v2", "", 20, 2, "")),
    "pools sharing a target": POOL.format("p1", "", "/p", "") + POOL.format("p2", "", "/p", ""),
    "pools sharing a uuid": POOL.format("p1", UUID, "/p1", "") + POOL.format("p2", UUID, "/p2", ""),
    "volume twice": POOL.format("p", "", "/p", VOL.format("v", "", 10, 1, "") + VOL.format("v", "", 20, 2, "")),
    "volumes sharing a key": POOL.format(
        "p", "", "/p", VOL.format("v1", "<key>k</key>", 10, 1, "") + VOL.format("v2", "<key>k</key>", 20, 2, "")
    ),
    "volumes sharing a path": POOL.format(
        "p",
        "",
        "/p",
        VOL.format("v1", "", 10, 1, "<path>/x</path>") + VOL.format("v2", "", 20, 2, "<path>/x</path>"),
    ),
    "volume bigger than the pool": POOL.format("p", "", "/p", VOL.format("v", "", 2**50, 2**48, "")),
    "volume allocation over capacity": POOL.format("p", "", "/p", VOL.format("v", "", 10, 20, "")),
    "volume without allocation": POOL.format(
        "p", "", "/p", "<volume><name>v</name><capacity>10</capacity><target/></volume>"
    ),
    "volume with units": POOL.format(
        "p",
        "",
        "/p",
        "<volume><name>v</name><capacity unit='G'>1</capacity><allocation unit='M'>5</allocation><target/></volume>",
    ),
    "volume without capacity": POOL.format("p", "", "/p", "<volume><name>v</name><target/></volume>"),
    "volume without name": POOL.format("p", "", "/p", "<volume><capacity>1</capacity><target/></volume>"),
    "pool capacity given": "<pool type='dir'><name>p</name><capacity>5</capacity><allocation>2</allocation>"
    "<available>3</available><target><path>/p</path></target></pool>",
}


with tempfile.TemporaryDirectory() as folder:
    for name, body in NODES.items():
        path = Path(folder) / "objects.xml"
        path.write_text(f"<node>{body}</node>")
        try:
            conn = libvirt.open(node_file_uri(path))
        except libvirt.libvirtError as error:
            print(name, "open !!", error.get_error_code(), error.get_error_domain(), error.get_error_message())
            continue
        for net in sorted(conn.listAllNetworks(0), key=lambda n: n.name()):
            attempt(f"{name}: network {net.name()}", lambda net=net: (net.XMLDesc(0), net.isActive(), net.bridgeName()))
            attempt(f"{name}: network {net.name()} persistent", lambda net=net: (net.isPersistent(), net.autostart()))
        for iface in sorted(conn.listAllInterfaces(0), key=lambda i: i.name()):
            attempt(f"{name}: interface {iface.name()}", lambda iface=iface: (iface.XMLDesc(0), iface.isActive()))
        attempt(f"{name}: by mac", lambda conn=conn: conn.interfaceLookupByMACString("52:54:00:00:00:01").name())
        for pool in sorted(conn.listAllStoragePools(0), key=lambda p: p.name()):
            attempt(f"{name}: pool {pool.name()}", lambda pool=pool: (pool.XMLDesc(0), pool.info()))
            for vol in sorted(pool.listAllVolumes(0), key=lambda v: v.name()):
                label = f"{name}: volume {vol.name()}"
                attempt(label, lambda vol=vol: (vol.XMLDesc(0), vol.info(), vol.key(), vol.path()))
        attempt(f"{name}: by key", lambda conn=conn: conn.storageVolLookupByKey("k").name())
        attempt(f"{name}: by path", lambda conn=conn: conn.storageVolLookupByPath("/x").name())
        conn.close()
