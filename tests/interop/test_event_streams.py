"""The events a client receives through a run of domain, network and pool calls, in order,
are libvirtd's: each lifecycle event with its detail (a start after a managed save is a boot; a
rename undefines the old name and defines the new one), and the other domain events."""

from __future__ import annotations

import json
from pathlib import Path

from .side_by_side import script_answers

SCRIPT = r"""
import json, sys, threading, time, libvirt
libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
conn = libvirt.open(sys.argv[1])
given = json.loads(sys.argv[2])
steps = [step.replace("FOLDER", given["folder"]) for step in given["steps"]]
events = []

def plain(value):
    return value if isinstance(value, (int, str, float, list, dict)) or value is None else repr(type(value).__name__)

def domain_event(event_id):
    return lambda _conn, dom, *rest: events.append([event_id, dom.name(), *map(plain, rest[:-1])])

for event_id in range(libvirt.VIR_DOMAIN_EVENT_ID_LAST if hasattr(libvirt, "VIR_DOMAIN_EVENT_ID_LAST") else 27):
    try:
        conn.domainEventRegisterAny(None, event_id, domain_event(event_id), None)
    except libvirt.libvirtError as error:
        events.append(["register", event_id, error.get_error_message()])
def object_event(label):
    return lambda _conn, target, *rest: events.append([label, target.name(), *rest[:-1]])

conn.networkEventRegisterAny(None, 0, object_event("net"), None)
conn.storagePoolEventRegisterAny(None, 0, object_event("pool"), None)
conn.storagePoolEventRegisterAny(None, 1, object_event("pool-refresh"), None)
results = []
for step in steps:
    try:
        exec(step)
        results.append("ok")
    except libvirt.libvirtError as error:
        results.append(error.get_error_message())
# the marker's own undefine event ends the run: every event before it has come
MARKER = "<domain type='test'><name>marker</name><memory>1024</memory><os><type>hvm</type></os></domain>"
conn.defineXML(MARKER).undefine()
deadline = time.monotonic() + 60
while [0, "marker", 1, 0] not in events and time.monotonic() < deadline:
    time.sleep(0.01)
print(json.dumps({"results": results, "events": events}))
"""

DOMAIN = (
    "<domain type='test'><name>ev</name><memory>65536</memory><os><type>hvm</type></os><devices>"
    "<disk type='file' device='disk'><source file='/tmp/x.img'/><target dev='vda'/></disk></devices></domain>"
)
DISK = "<disk type='file' device='disk'><source file='/tmp/y.img'/><target dev='vdb'/></disk>"
STEPS = [
    f"d = conn.defineXML({DOMAIN!r})",
    "d.create()",
    "d.suspend()",
    "d.resume()",
    "d.reboot()",
    "d.shutdown()",
    "d.create()",
    "d.setMemory(32768)",
    "d.managedSave()",
    "d.create()",
    "d.destroy()",
    "d.snapshotCreateXML('<domainsnapshot><name>s1</name></domainsnapshot>')",
    "d.create()",
    "d.revertToSnapshot(d.snapshotLookupByName('s1'))",
    "d.snapshotLookupByName('s1').delete()",
    "d.setMetadata(libvirt.VIR_DOMAIN_METADATA_TITLE, 'hello', None, None)",
    f"d.attachDeviceFlags({DISK!r}, libvirt.VIR_DOMAIN_AFFECT_LIVE)",
    f"d.detachDeviceFlags({DISK!r}, libvirt.VIR_DOMAIN_AFFECT_LIVE)",
    "d.setBlockIoTune('vda', {'total_bytes_sec': 1000}, 1)",
    "d.pMSuspendForDuration(0, 0, 0)",
    "d.pMWakeup(0)",
    "d.rename('ev2')",
    "d.destroy()",
    "d.rename('ev2')",
    "conn.lookupByName('ev2').undefine()",
    "n = conn.networkLookupByName('default'); n.destroy(); n.create()",
    "p = conn.storagePoolLookupByName('default-pool'); p.refresh(); p.destroy(); p.create()",
    # saves, dumps and power management; lifecycle actions changed live
    f"d = conn.defineXML({DOMAIN!r}); d.create()",
    "d.save('FOLDER/ev.save')",
    "conn.restore('FOLDER/ev.save')",
    "d = conn.lookupByName('ev'); d.coreDump('FOLDER/ev.core', libvirt.VIR_DUMP_CRASH)",
    "d.create(); d.injectNMI(); d.suspend(); d.shutdown()",
    "d.create()",
    "d.setLifecycleAction(libvirt.VIR_DOMAIN_LIFECYCLE_REBOOT, libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY, 1)",
    "d.reboot()",
    "d.create(); d.checkpointCreateXML('<domaincheckpoint><name>c1</name></domaincheckpoint>')",
    "d.checkpointLookupByName('c1').delete(); d.destroy(); d.undefine()",
    f"conn.createXML({DOMAIN.replace('ev', 'tr')!r}, 0).destroy()",
    # a network and a pool of their own, defined, changed and removed
    "n = conn.networkDefineXML(\"<network><name>n2</name><ip address='192.168.9.1' prefix='24'/></network>\")",
    "n.create()",
    "n.update(4, 4, -1, \"<host mac='00:11:22:33:44:55' ip='192.168.9.5'/>\", 0)",
    "n.destroy(); n.undefine()",
    "p = conn.storagePoolDefineXML(\"<pool type='dir'><name>p2</name><target><path>/p2</path></target></pool>\")",
    'p.build(); p.create(); p.createXML("<volume><name>v1</name><capacity>1024</capacity></volume>").delete()',
    "p.refresh(); p.destroy(); p.delete(); p.undefine()",
]


def test_event_streams_as_libvirtd(tmp_path: Path) -> None:
    answers = script_answers(tmp_path, SCRIPT, {"steps": STEPS, "folder": str(tmp_path)})
    mine, theirs = answers["virtrio"], answers["libvirtd"]
    assert mine["results"] == theirs["results"]
    assert mine["events"] == theirs["events"], json.dumps({"libvirtd": theirs["events"], "virtrio": mine["events"]})
    assert [0, "ev2", 0, 2] in theirs["events"]  # the rename's DEFINED_RENAMED
    assert [0, "ev", 2, 2] in theirs["events"]  # the restore's STARTED_RESTORED
    assert theirs["results"].count("ok") > 30  # most steps do something (some fail alike: rename while running, ...)
