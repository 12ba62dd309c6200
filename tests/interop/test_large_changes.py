"""Changes of one IOThread or one pin in a large domain (thousands of IOThreads libvirt filled
in, thousands of vCPU pins), which virtrio makes in place or in a worker thread: stock
libvirt-python gets from virtrio what it gets from libvirtd, the resulting XML and refusals alike."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .side_by_side import started_side_by_side

UUID = "4dea22b3-1d52-d8f3-2516-782e98ab3fa0"
DISK = "<devices><disk type='file'><source file='/i/a.img'/><target dev='vda'/></disk></devices>"
BODIES = {
    "autofilled IOThreads": "<vcpu>4</vcpu><iothreads>3000</iothreads>" + DISK,
    "listed IOThreads": "<vcpu>4</vcpu><iothreads>2000</iothreads><iothreadids>"
    + "".join(f"<iothread id='{thread}'/>" for thread in range(5, 1500, 3))
    + "</iothreadids><cputune>"
    + "".join(f"<iothreadpin iothread='{thread}' cpuset='{thread % 4}'/>" for thread in range(5, 1500, 9))
    + "</cputune>"
    + DISK,
    "pinned vCPUs": "<vcpu>2048</vcpu><iothreads>2</iothreads><cputune>"
    + "".join(f"<vcpupin vcpu='{vcpu}' cpuset='{vcpu % 8}'/>" for vcpu in range(0, 2048, 3))
    + "<iothreadpin iothread='2' cpuset='1'/></cputune>"
    + DISK,
}

SCRIPT = """
import json, sys
import libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
conn = libvirt.open(sys.argv[1])

def attempt(function):
    try:
        result = function()
        return result if result is None or isinstance(result, (int, list)) else str(result)
    except libvirt.libvirtError as error:
        return [error.get_error_code(), error.get_error_domain(), error.get_error_message()]

config = libvirt.VIR_DOMAIN_AFFECT_CONFIG
answers = {}
for label, text in json.loads(sys.argv[2]).items():
    steps = answers[label] = []
    dom = conn.defineXML(text)
    dom.create()
    for flags in (0, config):
        steps.append(attempt(lambda: dom.pinIOThread(100, (True, False, True, False), flags)))
        steps.append(attempt(lambda: dom.pinIOThread(9999, (True,), flags)))
        steps.append(attempt(lambda: dom.addIOThread(100, flags)))
        steps.append(attempt(lambda: dom.addIOThread(6000, flags)))
        steps.append(attempt(lambda: dom.delIOThread(7, flags)))
        steps.append(attempt(lambda: dom.delIOThread(9999, flags)))
        steps.append(attempt(lambda: dom.pinIOThread(8, (False, True), flags)))
        steps.append(attempt(lambda: dom.pinIOThread(6000, (False, True), flags)))
        steps.append(attempt(lambda: dom.delIOThread(1, flags)))
        steps.append(attempt(lambda: dom.pinEmulator((True, True), flags)))
        steps.append(attempt(lambda: dom.ioThreadInfo(flags)))
    steps.append(attempt(lambda: dom.pinVcpuFlags(5, (False, True), 0)))
    steps.append(attempt(lambda: dom.pinVcpuFlags(2047, (True,), 0)))
    steps.append(attempt(lambda: dom.pinVcpuFlags(3, (True, True, True), 0)))
    steps.append(attempt(lambda: dom.vcpuPinInfo(0)))
    steps.append(dom.XMLDesc(0))
    steps.append(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    dom.destroy()
    dom.undefine()
print(json.dumps(answers))
"""


def _short(step: object) -> object:
    """A step's answer for a failure's message: a text or a list by its length."""
    return len(step) if isinstance(step, str | list) and len(step) > 8 else step


def test_large_changes_are_libvirtds(tmp_path: Path) -> None:
    texts = {
        label: f"<domain type='test'><name>big</name><uuid>{UUID}</uuid><memory>1024</memory>"
        f"<os><type>hvm</type></os>{body}</domain>"
        for label, body in BODIES.items()
    }
    answers = {}
    with started_side_by_side(tmp_path) as daemons:
        for name, daemon in daemons.items():
            result = subprocess.run(
                ["/usr/bin/python3", "-c", SCRIPT, daemon.uri(), json.dumps(texts)],
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert result.returncode == 0, (name, result.stderr[-2000:])
            answers[name] = json.loads(result.stdout)
    for label in BODIES:
        mine, theirs = answers["virtrio"][label], answers["libvirtd"][label]
        brief = [[_short(step) for step in side] for side in (mine, theirs)]
        assert mine == theirs, (label, brief)
