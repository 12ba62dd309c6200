import sys
import threading
import time

import libvirt

libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
uri = sys.argv[1]
watcher = libvirt.open(uri)
seen = []
watcher.domainEventRegisterAny(
    None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lambda c, d, e, x, o: seen.append(("lifecycle", d.name(), e, x)), None
)
watcher.networkEventRegisterAny(
    None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, lambda c, n, e, x, o: seen.append(("network", n.name(), e, x)), None
)
actor = libvirt.open(uri)
dom = actor.lookupByName("test")
dom.suspend()
dom.resume()
dom.destroy()
dom.create()
net = actor.networkLookupByName("default")
net.destroy()
net.create()
deadline = time.time() + 5
while len(seen) < 6 and time.time() < deadline:
    time.sleep(0.05)
for item in seen:
    print(item)
