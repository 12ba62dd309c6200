# uri: test:///default
# Event registrations for one network, one pool or one node device (and for all), and their
# removal: which callbacks each step reaches, and the events' details.
import sys
import threading
import time

import libvirt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
watcher = libvirt.open(sys.argv[1])
actor = libvirt.open(sys.argv[1])
seen = []


def attempt(label, step):
    try:
        print(label, "->", step())
    except libvirt.libvirtError as error:
        print(label, "!!", error.get_error_code(), error.get_error_domain(), error.get_error_message())
    time.sleep(0.3)
    print("   events", sorted(seen))
    seen.clear()


actor.networkDefineXML("<network><name>one</name><bridge name='vbr70'/></network>")
actor.networkDefineXML("<network><name>two</name><bridge name='vbr71'/></network>")
actor.storagePoolDefineXML("<pool type='dir'><name>p-one</name><target><path>/p1</path></target></pool>", 0)
actor.storagePoolDefineXML("<pool type='dir'><name>p-two</name><target><path>/p2</path></target></pool>", 0)
ids = {
    "net one": watcher.networkEventRegisterAny(
        watcher.networkLookupByName("one"),
        libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE,
        lambda c, n, e, x, o: seen.append(("net one", n.name(), e, x)),
        None,
    ),
    "net all": watcher.networkEventRegisterAny(
        None,
        libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE,
        lambda c, n, e, x, o: seen.append(("net all", n.name(), e, x)),
        None,
    ),
    "pool one": watcher.storagePoolEventRegisterAny(
        watcher.storagePoolLookupByName("p-one"),
        libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
        lambda c, p, e, x, o: seen.append(("pool one", p.name(), e, x)),
        None,
    ),
    "pool refresh one": watcher.storagePoolEventRegisterAny(
        watcher.storagePoolLookupByName("p-one"),
        libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH,
        lambda c, p, o: seen.append(("refresh one", p.name())),
        None,
    ),
    "pool refresh all": watcher.storagePoolEventRegisterAny(
        None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH, lambda c, p, o: seen.append(("refresh all", p.name())), None
    ),
    "device host1": watcher.nodeDeviceEventRegisterAny(
        watcher.nodeDeviceLookupByName("scsi_host1"),
        libvirt.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
        lambda c, d, e, x, o: seen.append(("device host1", d.name(), e, x)),
        None,
    ),
    "device update": watcher.nodeDeviceEventRegisterAny(
        None, libvirt.VIR_NODE_DEVICE_EVENT_ID_UPDATE, lambda c, d, o: seen.append(("device update", d.name())), None
    ),
}
print(sorted((name, callback_id > 0) for name, callback_id in ids.items()))
attempt("start one", lambda: actor.networkLookupByName("one").create())
attempt("start two", lambda: actor.networkLookupByName("two").create())
attempt("stop one", lambda: actor.networkLookupByName("one").destroy())
attempt("stop two", lambda: actor.networkLookupByName("two").destroy())
attempt("start p-one", lambda: actor.storagePoolLookupByName("p-one").create(0))
attempt("start p-two", lambda: actor.storagePoolLookupByName("p-two").create(0))
attempt("refresh p-one", lambda: actor.storagePoolLookupByName("p-one").refresh(0))
attempt("refresh p-two", lambda: actor.storagePoolLookupByName("p-two").refresh(0))
VHBA = (
    "<device><parent>scsi_host1</parent><capability type='scsi_host'><capability type='fc_host'>"
    "<wwnn>2000000000000bb1</wwnn><wwpn>1000000000000bb1</wwpn></capability></capability></device>"
)
attempt("vhba", lambda: actor.nodeDeviceCreateXML(VHBA, 0).name())
attempt("vhba destroy", lambda: actor.nodeDeviceLookupByName("scsi_host12").destroy())
attempt("net one removed", lambda: watcher.networkEventDeregisterAny(ids["net one"]))
attempt("net one removed again", lambda: watcher.networkEventDeregisterAny(ids["net one"]))
attempt("pool removed with the network call", lambda: watcher.networkEventDeregisterAny(ids["pool one"]))
attempt("start one again", lambda: actor.networkLookupByName("one").create())
attempt("pool one removed", lambda: watcher.storagePoolEventDeregisterAny(ids["pool one"]))
attempt("stop p-one", lambda: actor.storagePoolLookupByName("p-one").destroy())
attempt("undefine p-one", lambda: actor.storagePoolLookupByName("p-one").undefine())
attempt("undefine one while running", lambda: actor.networkLookupByName("one").undefine())
