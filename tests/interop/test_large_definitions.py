"""Small documents that ask for large definitions (listed vCPU states, per-vCPU schedulers,
implied controllers, IOThreads, bitmap ranges), which virtrio reads, copies at a start, writes
and snapshots in worker threads: stock libvirt-python gets from virtrio what it gets from
libvirtd, the answers of the offloaded paths and their refusals alike."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .side_by_side import large_domain_answers, started_side_by_side

BODIES = {
    "listed vCPUs": "<vcpu>4096</vcpu><vcpus><vcpu id='7' enabled='yes' order='2'/></vcpus>",
    "vCPU schedulers": "<vcpu>2048</vcpu><cputune><vcpusched vcpus='0-2047' scheduler='fifo' priority='1'/></cputune>",
    "IOThreads and their schedulers": "<vcpu>1</vcpu><iothreads>700</iothreads>"
    "<cputune><iothreadsched iothreads='1-600' scheduler='batch'/></cputune>",
    "implied controllers": "<vcpu>1</vcpu><devices><disk type='file' device='disk'><source file='/x'/>"
    "<target dev='sda' bus='sata'/><address type='drive' controller='700' bus='0' target='0' unit='0'/></disk>"
    "</devices>",
    "order past INT_MAX": "<vcpu>4096</vcpu><vcpus><vcpu id='0' enabled='yes' order='4294967295'/></vcpus>",
    "vcpu out of range": "<vcpu>4096</vcpu><vcpus><vcpu id='4096' enabled='yes'/></vcpus>",
}

SCRIPT = """
import json, sys
import libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
conn = libvirt.open(sys.argv[1])

def attempt(function):
    try:
        return function()
    except libvirt.libvirtError as error:
        return [error.get_error_code(), error.get_error_domain(), error.get_error_message()]

answers = {}
for label, text in json.loads(sys.argv[2]).items():
    steps = answers[label] = []
    dom = attempt(lambda: conn.defineXML(text))
    if isinstance(dom, list):
        steps.append(dom)
        continue
    steps.append(dom.XMLDesc(0))
    steps.append(attempt(dom.create))
    if dom.isActive():
        steps += [attempt(lambda: dom.XMLDesc(flags)) for flags in (0, libvirt.VIR_DOMAIN_XML_INACTIVE)]
        steps.append(dom.vcpusFlags(0))
        snapshot = attempt(lambda: dom.snapshotCreateXML("<domainsnapshot><name>s</name></domainsnapshot>", 0))
        if isinstance(snapshot, list):
            steps.append(snapshot)
        else:
            kept = snapshot.getXMLDesc(0)
            steps.append(kept[kept.index("<domain "):kept.index("</domain>")])
        dom.destroy()
        if not isinstance(snapshot, list):
            steps.append(attempt(lambda: dom.revertToSnapshot(snapshot, 0)))
            steps.append(dom.isActive())
            if dom.isActive():
                dom.destroy()
            snapshot.delete(0)
    dom.undefine()
print(json.dumps(answers))
"""


def test_large_definitions_answer_as_libvirtd_answers(tmp_path: Path) -> None:
    large_domain_answers(tmp_path, SCRIPT, BODIES, timeout=300)


IOTHREADS_SCRIPT = """
import json, sys
import libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
conn = libvirt.open(sys.argv[1])
answers = []
for count in (16384, 16385):
    dom = conn.defineXML(
        "<domain type='test'><name>d</name><memory>1024</memory><vcpu>2</vcpu>"
        f"<iothreads>{count}</iothreads><os><type>hvm</type></os></domain>"
    )
    try:
        answers.append(len(dom.ioThreadInfo(0)))
    except libvirt.libvirtError as error:
        answers.append([error.get_error_code(), error.get_error_domain(), error.get_error_message()])
    dom.undefine()
print(json.dumps(answers))
"""


def test_iothread_info_past_the_protocol_limit_is_refused_as_by_libvirtd(tmp_path: Path) -> None:
    """REMOTE_IOTHREAD_INFO_MAX: libvirtd's dispatcher refuses more, before encoding anything."""
    answers = {}
    with started_side_by_side(tmp_path) as daemons:
        for name, daemon in daemons.items():
            result = subprocess.run(
                ["/usr/bin/python3", "-c", IOTHREADS_SCRIPT, daemon.uri()], capture_output=True, text=True, timeout=300
            )
            assert result.returncode == 0, (name, result.stderr[-2000:])
            answers[name] = json.loads(result.stdout)
    assert answers["virtrio"] == answers["libvirtd"]
    assert answers["libvirtd"][0] == 16384
