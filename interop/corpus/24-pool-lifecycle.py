# uri: test:///default
# Storage pool lifecycle with its events, build and delete, and source discovery.
import sys
import threading

import libvirt

libvirt.virEventRegisterDefaultImpl()
conn = libvirt.open(sys.argv[1])
seen = []


def lifecycle(conn, pool, event, detail, opaque):
    seen.append(("lifecycle", pool.name(), event, detail))


def refresh(conn, pool, opaque):
    seen.append(("refresh", pool.name()))


conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, lifecycle, None)
conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH, refresh, None)
running = True


def loop():
    while running:
        libvirt.virEventRunDefaultImpl()


threading.Thread(target=loop, daemon=True).start()
XML = "<pool type='dir'><name>{}</name><target><path>/p/{}</path></target></pool>"
steps = [
    ("define", lambda: conn.storagePoolDefineXML(XML.format("p1", "p1"), 0).name()),
    ("build", lambda: conn.storagePoolLookupByName("p1").build(0)),
    ("start", lambda: conn.storagePoolLookupByName("p1").create(0)),
    ("build active", lambda: conn.storagePoolLookupByName("p1").build(0)),
    ("refresh", lambda: conn.storagePoolLookupByName("p1").refresh(0)),
    ("destroy", lambda: conn.storagePoolLookupByName("p1").destroy()),
    ("refresh inactive", lambda: conn.storagePoolLookupByName("p1").refresh(0)),
    ("delete", lambda: conn.storagePoolLookupByName("p1").delete(0)),
    ("still there", lambda: sorted(p.name() for p in conn.listAllStoragePools())),
    ("undefine", lambda: conn.storagePoolLookupByName("p1").undefine()),
    ("create transient", lambda: conn.storagePoolCreateXML(XML.format("p2", "p2"), 0).name()),
    ("destroy transient", lambda: conn.storagePoolLookupByName("p2").destroy()),
    ("gone", lambda: sorted(p.name() for p in conn.listAllStoragePools())),
    ("sources logical", lambda: conn.findStoragePoolSources("logical", None, 0)),
    ("sources netfs", lambda: conn.findStoragePoolSources("netfs", "<source><host name='nfs.example'/></source>", 0)),
    ("sources netfs no host", lambda: conn.findStoragePoolSources("netfs", None, 0)),
    ("sources dir", lambda: conn.findStoragePoolSources("dir", None, 0)),
    ("sources bogus", lambda: conn.findStoragePoolSources("bogus", None, 0)),
    ("sources bad spec", lambda: conn.findStoragePoolSources("netfs", "<source><host", 0)),
]
for name, call in steps:
    try:
        print(name, "->", call())
    except libvirt.libvirtError as error:
        print(name, "!!", error.get_error_code(), error.get_error_domain(), repr(error.get_error_message()))
conn.storagePoolLookupByName("default-pool").refresh(0)  # the last event: all before it have arrived
for _ in range(100):
    if seen and seen[-1] == ("refresh", "default-pool"):
        break
    threading.Event().wait(0.05)
running = False
print(seen)
