"""Lifecycle events of revertToSnapshot, seen by libvirt-python on virtrio and on libvirtd:
the same events, each naming the domain by the same id (a transient domain reverted to a
running snapshot is stopped under the id it ran with, as testDomainShutdownState leaves it)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .side_by_side import started_side_by_side

SCRIPT = """
import json, sys, threading, time
import libvirt

libvirt.virEventRegisterDefaultImpl()

def pump() -> None:
    while True:
        libvirt.virEventRunDefaultImpl()

threading.Thread(target=pump, daemon=True).start()
conn = libvirt.open(sys.argv[1])
seen = []
conn.domainEventRegisterAny(
    None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lambda c, d, e, x, o: seen.append([d.name(), d.ID(), e, x]), None
)
xml = "<domain type='test'><name>{}</name><memory>1024</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>"
transient = conn.createXML(xml.format("transient"), 0)
running = transient.snapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>", 0)
for flags in (0, libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED, libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING):
    transient.revertToSnapshot(running, flags)
transient.destroy()
kept = conn.defineXML(xml.format("persistent"))
kept.create()
up = kept.snapshotCreateXML("<domainsnapshot><name>up</name></domainsnapshot>", 0)
kept.destroy()
down = kept.snapshotCreateXML("<domainsnapshot><name>down</name></domainsnapshot>", 0)
kept.create()
for snapshot in (down, up, down):
    kept.revertToSnapshot(snapshot, 0)
deadline = time.monotonic() + 10
while len(seen) < 16 and time.monotonic() < deadline:
    time.sleep(0.05)
time.sleep(0.3)  # and nothing more
print(json.dumps(seen))
"""


def test_revert_events_name_the_domain_as_libvirtd(tmp_path: Path) -> None:
    events = {}
    with started_side_by_side(tmp_path) as daemons:
        for name, daemon in daemons.items():
            result = subprocess.run(
                ["/usr/bin/python3", "-c", SCRIPT, daemon.uri()], capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 0, (name, result.stderr)
            events[name] = json.loads(result.stdout)
    assert events["virtrio"] == events["libvirtd"]
    stopped, from_snapshot = 5, 6  # VIR_DOMAIN_EVENT_STOPPED, _FROM_SNAPSHOT
    first_stop = next(event for event in events["libvirtd"] if event[2:] == [stopped, from_snapshot])
    assert first_stop[:2] == ["transient", 2]  # still the id it ran with
    assert len(events["libvirtd"]) == 16
