"""Changes of one IOThread or one pin in a large domain (thousands of IOThreads libvirt filled
in, thousands of vCPU pins), which virtrio makes in place or in a worker thread: stock
libvirt-python gets from virtrio what it gets from libvirtd, the resulting XML and refusals alike."""

from __future__ import annotations

from pathlib import Path

from .side_by_side import large_domain_answers

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


def test_large_changes_are_libvirtds(tmp_path: Path) -> None:
    large_domain_answers(tmp_path, SCRIPT, BODIES)
