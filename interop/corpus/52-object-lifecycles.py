# uri: test:///default
# Networks, pools and interfaces through the orders of define, create, redefine, undefine and
# destroy that turn a persistent object transient or give a running one a new definition,
# with the lifecycle events each step sends (one watching connection, another acting).
import sys
import threading
import time

import libvirt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
watcher = libvirt.open(sys.argv[1])
seen = []
watcher.networkEventRegisterAny(
    None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, lambda c, n, e, x, o: seen.append(("net", n.name(), e, x)), None
)
watcher.storagePoolEventRegisterAny(
    None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, lambda c, p, e, x, o: seen.append(("pool", p.name(), e, x)), None
)
watcher.storagePoolEventRegisterAny(
    None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH, lambda c, p, o: seen.append(("refresh", p.name())), None
)
conn = libvirt.open(sys.argv[1])


def attempt(label, step):
    try:
        print(label, "->", step())
    except libvirt.libvirtError as error:
        print(label, "!!", error.get_error_code(), error.get_error_domain(), error.get_error_message())
    # the events this step sent, once they have come
    deadline = time.time() + 0.3
    while time.time() < deadline:
        time.sleep(0.02)
    while seen:
        print("   event", seen.pop(0))


NET = "<network><name>life</name><uuid>33333333-4444-5555-6666-777777777777</uuid><bridge name='virbr50'/>{}</network>"
net_state = lambda: (lambda n: (n.isActive(), n.isPersistent(), n.autostart()))(conn.networkLookupByName("life"))  # noqa: E731
attempt("net define", lambda: conn.networkDefineXML(NET.format("")).name())
attempt("net state", net_state)
attempt("net start", lambda: conn.networkLookupByName("life").create())
attempt("net redefine running", lambda: conn.networkDefineXML(NET.format("<domain name='new.test'/>")).name())
attempt("net live xml", lambda: conn.networkLookupByName("life").XMLDesc(0))
attempt("net next xml", lambda: conn.networkLookupByName("life").XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE))
attempt("net undefine running", lambda: conn.networkLookupByName("life").undefine())
attempt("net state", net_state)
attempt("net inactive xml of a transient", lambda: conn.networkLookupByName("life").XMLDesc(1))
attempt("net define again", lambda: conn.networkDefineXML(NET.format("<domain name='third.test'/>")).name())
attempt("net state", net_state)
attempt("net stop", lambda: conn.networkLookupByName("life").destroy())
attempt("net xml after stop", lambda: conn.networkLookupByName("life").XMLDesc(0))
attempt("net create over defined", lambda: conn.networkCreateXML(NET.format("<domain name='fourth.test'/>")).name())
attempt("net state", net_state)
attempt("net xml", lambda: conn.networkLookupByName("life").XMLDesc(0))
attempt("net inactive xml", lambda: conn.networkLookupByName("life").XMLDesc(1))
attempt("net create over running", lambda: conn.networkCreateXML(NET.format("")).name())
attempt("net other uuid", lambda: conn.networkDefineXML(NET.format("").replace("33333333", "33333334")).name())
attempt("net stop", lambda: conn.networkLookupByName("life").destroy())
attempt("net state", net_state)
attempt("net undefine", lambda: conn.networkLookupByName("life").undefine())
attempt("net gone", net_state)
attempt("net transient", lambda: conn.networkCreateXML(NET.format("")).name())
attempt("net transient undefine", lambda: conn.networkLookupByName("life").undefine())
attempt("net transient stop", lambda: conn.networkLookupByName("life").destroy())
attempt("net transient gone", net_state)

POOL = (
    "<pool type='dir'><name>plife</name><uuid>44444444-5555-6666-7777-888888888888</uuid>"
    "<target><path>{}</path></target></pool>"
)
pool_state = lambda: (lambda p: (p.isActive(), p.isPersistent(), p.autostart(), p.info()))(  # noqa: E731
    conn.storagePoolLookupByName("plife")
)
attempt("pool define", lambda: conn.storagePoolDefineXML(POOL.format("/a"), 0).name())
attempt("pool start", lambda: conn.storagePoolLookupByName("plife").create(0))
attempt(
    "pool volume",
    lambda: (
        conn.storagePoolLookupByName("plife")
        .createXML("<volume><name>v</name><capacity>10</capacity><allocation>10</allocation></volume>", 0)
        .name()
    ),
)
attempt("pool redefine running", lambda: conn.storagePoolDefineXML(POOL.format("/b"), 0).name())
attempt("pool xml", lambda: conn.storagePoolLookupByName("plife").XMLDesc(0))
attempt("pool inactive xml", lambda: conn.storagePoolLookupByName("plife").XMLDesc(1))
attempt("pool state", pool_state)
attempt("pool volumes", lambda: conn.storagePoolLookupByName("plife").listVolumes())
attempt("pool refresh", lambda: conn.storagePoolLookupByName("plife").refresh(0))
attempt("pool stop", lambda: conn.storagePoolLookupByName("plife").destroy())
attempt("pool xml stopped", lambda: conn.storagePoolLookupByName("plife").XMLDesc(0))
attempt("pool build", lambda: conn.storagePoolLookupByName("plife").build(0))
attempt("pool delete", lambda: conn.storagePoolLookupByName("plife").delete(0))
attempt("pool start again", lambda: conn.storagePoolLookupByName("plife").create(0))
attempt("pool volumes again", lambda: conn.storagePoolLookupByName("plife").listVolumes())
attempt("pool state", pool_state)
attempt("pool stop", lambda: conn.storagePoolLookupByName("plife").destroy())
attempt("pool create over defined", lambda: conn.storagePoolCreateXML(POOL.format("/c"), 0).name())
attempt("pool state", pool_state)
attempt("pool stop", lambda: conn.storagePoolLookupByName("plife").destroy())
attempt("pool gone", pool_state)
OTHER_UUID = POOL.format("/d").replace("44444444", "44444445")
attempt("pool other uuid", lambda: conn.storagePoolDefineXML(OTHER_UUID, 0).name())
attempt(
    "pool same target",
    lambda: conn.storagePoolDefineXML(
        "<pool type='dir'><name>twin</name><target><path>/default-pool</path></target></pool>", 0
    ).name(),
)
attempt(
    "pool same source",
    lambda: conn.storagePoolCreateXML(
        "<pool type='logical'><name>lv1</name><source><name>vgx</name></source></pool>", 0
    ).name(),
)
attempt(
    "pool same source twice",
    lambda: conn.storagePoolCreateXML(
        "<pool type='logical'><name>lv2</name><source><name>vgx</name></source></pool>", 0
    ).name(),
)
attempt("pool names", lambda: sorted(conn.listStoragePools() + conn.listDefinedStoragePools()))

IFACE = "<interface type='ethernet' name='ilife'><mac address='52:54:00:50:50:{}'/></interface>"
iface_state = lambda: (lambda i: (i.isActive(), i.MACString()))(conn.interfaceLookupByName("ilife"))  # noqa: E731
attempt("iface define", lambda: conn.interfaceDefineXML(IFACE.format("01"), 0).name())
attempt("iface start", lambda: conn.interfaceLookupByName("ilife").create(0))
attempt("iface redefine running", lambda: conn.interfaceDefineXML(IFACE.format("02"), 0).MACString())
attempt("iface state", iface_state)
attempt("iface by old mac", lambda: conn.interfaceLookupByMACString("52:54:00:50:50:01").name())
attempt("iface by new mac", lambda: conn.interfaceLookupByMACString("52:54:00:50:50:02").name())
attempt("iface undefine running", lambda: conn.interfaceLookupByName("ilife").undefine())
attempt("iface gone", iface_state)
attempt(
    "iface same mac twice",
    lambda: [conn.interfaceDefineXML(IFACE.format("03").replace("ilife", n), 0).name() for n in ("i1", "i2")],
)
attempt("iface by shared mac", lambda: conn.interfaceLookupByMACString("52:54:00:50:50:03").name())
attempt("iface no mac", lambda: conn.interfaceDefineXML("<interface type='ethernet' name='nomac'/>", 0).MACString())
attempt("iface by empty mac", lambda: conn.interfaceLookupByMACString("").name())

# Pools on an fc_host adapter: the vHBA each makes and removes, with the node device events.
watcher.nodeDeviceEventRegisterAny(
    None, libvirt.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, lambda c, d, e, x, o: seen.append(("dev", d.name(), e, x)), None
)
FC_POOL = (
    "<pool type='scsi'><name>{}</name><source><adapter type='fc_host' parent='scsi_host1' wwnn='{}' "
    "wwpn='{}'/></source><target><path>/dev/disk/by-path</path></target></pool>"
)
FCD = FC_POOL.format("fcd", "2000000000000aa1", "1000000000000aa1")
attempt("fc define", lambda: conn.storagePoolDefineXML(FCD, 0).name())
attempt("fc start defined", lambda: conn.storagePoolLookupByName("fcd").create(0))
attempt("fc devices", lambda: sorted(conn.listDevices("fc_host", 0)))
attempt("fc stop defined", lambda: conn.storagePoolLookupByName("fcd").destroy())
FCC = FC_POOL.format("fcc", "2000000000000aa2", "1000000000000aa2")
attempt("fc create", lambda: conn.storagePoolCreateXML(FCC, 0).name())
attempt("fc vhba", lambda: conn.nodeDeviceLookupByName("scsi_host12").XMLDesc(0))
attempt("fc vhba destroyed under the pool", lambda: conn.nodeDeviceLookupByName("scsi_host12").destroy())
attempt("fc stop created", lambda: conn.storagePoolLookupByName("fcc").destroy())
attempt("fc created after", lambda: conn.storagePoolLookupByName("fcc").info())
attempt("fc sources", lambda: conn.findStoragePoolSources("netfs", "<source><host name='a&amp;b&lt;c'/></source>", 0))
