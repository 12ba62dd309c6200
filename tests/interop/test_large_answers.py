"""Answers virtrio makes in worker threads for large domains (getVcpus, getVcpuPinInfo and
getIOThreadInfo of thousands of vCPUs, pins or IOThreads; the disks of a snapshot or checkpoint
of a large definition, aligned where the definition is copied): stock libvirt-python gets from
virtrio what it gets from libvirtd, answers and refusals alike."""

from __future__ import annotations

from pathlib import Path

from .side_by_side import large_domain_answers

DISKS = (
    "<devices>"
    + "".join(
        f"<disk type='file'><driver type='qcow2'/><source file='/images/{n}.img'/>"
        f"<target dev='vd{chr(97 + n)}'/></disk>"
        for n in range(3)
    )
    + "</devices>"
)
BODIES = {
    "pinned vCPUs": "<vcpu cpuset='1-3'>2048</vcpu><cputune>"
    + "".join(f"<vcpupin vcpu='{vcpu}' cpuset='{vcpu % 8},{(vcpu * 3) % 8}'/>" for vcpu in range(0, 2048, 3))
    + "</cputune>"
    + DISKS,
    "listed vCPUs": "<vcpu>600</vcpu><vcpus>"
    + "".join(
        f"<vcpu id='{vcpu}' enabled='{'no' if vcpu % 5 == 1 else 'yes'}' "
        f"hotpluggable='{'no' if vcpu == 0 else 'yes'}'/>"
        for vcpu in range(600)
    )
    + "</vcpus>"
    + DISKS,
    "many vCPUs": "<vcpu>4000</vcpu>" + DISKS,
    "pinned IOThreads": "<vcpu>4</vcpu><iothreads>3000</iothreads><cputune>"
    + "".join(f"<iothreadpin iothread='{thread}' cpuset='{thread % 4}'/>" for thread in range(1, 3000, 7))
    + "</cputune>"
    + DISKS,
    "many IOThreads": "<vcpu>4</vcpu><iothreads>16384</iothreads>" + DISKS,
}

SCRIPT = """
import json, re, sys
import libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
conn = libvirt.open(sys.argv[1])

def attempt(function):
    try:
        return function()
    except libvirt.libvirtError as error:
        return [error.get_error_code(), error.get_error_domain(), error.get_error_message()]

def timeless(xml):
    # a moment's creation time is the daemon's clock
    return re.sub(r"<creationTime>[0-9]+</creationTime>", "", xml) if isinstance(xml, str) else xml

config = libvirt.VIR_DOMAIN_AFFECT_CONFIG
answers = {}
for label, text in json.loads(sys.argv[2]).items():
    steps = answers[label] = []
    dom = attempt(lambda: conn.defineXML(text))
    if isinstance(dom, list):
        steps.append(dom)
        continue
    steps.append(attempt(dom.create))
    vcpus = attempt(dom.vcpus)
    if not isinstance(vcpus[0], int):  # the running time is the daemon's clock
        vcpus = [[[number, state, cpu] for number, state, _, cpu in vcpus[0]], vcpus[1]]
    steps.append(vcpus)
    steps.append(attempt(lambda: dom.vcpuPinInfo(0)))
    steps.append(attempt(lambda: dom.vcpuPinInfo(config)))
    steps.append(attempt(lambda: dom.ioThreadInfo(0)))
    steps.append(attempt(lambda: dom.ioThreadInfo(config)))
    steps.append(attempt(lambda: dom.emulatorPinInfo(0)))
    named = "<domainsnapshot><name>s</name><disks><disk name='/images/1.img'/></disks></domainsnapshot>"
    steps.append(attempt(lambda: dom.snapshotCreateXML(named.replace("/images/1.img", "vdz"), 0)))
    snapshot = attempt(lambda: dom.snapshotCreateXML(named, 0))
    if isinstance(snapshot, list):
        steps.append(snapshot)
    else:
        kept = snapshot.getXMLDesc(0)
        steps.append(timeless(kept))
        again = attempt(lambda: dom.snapshotCreateXML(kept, libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE))
        steps.append(again if isinstance(again, list) else timeless(again.getXMLDesc(0)))
        snapshot.delete(0)
    checkpoint = attempt(lambda: dom.checkpointCreateXML("<domaincheckpoint><name>c</name></domaincheckpoint>", 0))
    if isinstance(checkpoint, list):
        steps.append(checkpoint)
    else:
        steps.append(timeless(checkpoint.getXMLDesc(0)))
        checkpoint.delete(0)
    if dom.isActive():
        dom.destroy()
    dom.undefine()
print(json.dumps(answers))
"""


def test_large_answers_are_libvirtds(tmp_path: Path) -> None:
    large_domain_answers(tmp_path, SCRIPT, BODIES)
