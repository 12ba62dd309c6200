"""Reboot and shutdown follow the domain's on_reboot and on_poweroff actions, a paused domain
shuts down, and the host answers (guest host name, CPU model names per architecture, storage
pool source discovery) are libvirtd's, through stock libvirt-python."""

from __future__ import annotations

from pathlib import Path

from .side_by_side import assert_answered_alike, script_answers

SCRIPT = r"""
import json, sys, libvirt
libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])
texts = json.loads(sys.argv[2])

def answer(step):
    try:
        return ["ok", step()]
    except libvirt.libvirtError as error:
        return ["error", error.get_error_code(), error.get_error_domain(), error.get_error_message()]

out = {}
for label, xml in texts.items():
    dom = conn.defineXML(xml)
    dom.create()
    steps = [answer(lambda: dom.state())]
    if label.startswith("paused"):
        dom.suspend()
    steps.append(answer(lambda: dom.reboot(0) if "reboot" in label else dom.shutdown()))
    steps.append(answer(lambda: dom.state()))
    steps.append(answer(lambda: dom.hostname()))
    steps.append(answer(lambda: dom.reboot(1 << 30)))
    out[label] = steps
    if dom.isActive():
        dom.destroy()
    dom.undefine()
for arch in ("x86_64", "aarch64", "armv7l", "s390x", "mips", "riscv64", "none", "foo"):
    out["models " + arch] = answer(lambda: conn.getCPUModelNames(arch)[:3])
print(json.dumps(out))
"""


def domain(name: str, actions: str) -> str:
    return f"<domain type='test'><name>{name}</name><memory>65536</memory><os><type>hvm</type></os>{actions}</domain>"


def test_lifecycle_actions_host_names_and_cpu_models_as_libvirtd(tmp_path: Path) -> None:
    texts = {
        "reboot restart": domain("guest1", ""),
        "reboot destroy": domain("guest2", "<on_reboot>destroy</on_reboot>"),
        "reboot preserve": domain("guest3", "<on_reboot>preserve</on_reboot>"),
        "shutdown destroy": domain("guest4", ""),
        "shutdown restart": domain("guest5", "<on_poweroff>restart</on_poweroff>"),
        "paused shutdown": domain("guest6", ""),
        "paused reboot": domain("guest7", ""),
    }
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert_answered_alike(answers, answers["libvirtd"])
    assert answers["virtrio"]["reboot destroy"][2] == ["ok", [5, 1]]  # shut off, shutdown
    assert answers["virtrio"]["paused shutdown"][1] == ["ok", 0]
    assert answers["virtrio"]["reboot restart"][3] == ["ok", "guest1host"]


SOURCES_SCRIPT = r"""
import json, sys, libvirt
libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])
out = {}
for label, (kind, spec) in json.loads(sys.argv[2]).items():
    try:
        out[label] = ["ok", conn.findStoragePoolSources(kind, spec, 0)]
    except libvirt.libvirtError as error:
        out[label] = ["error", error.get_error_code(), error.get_error_domain(), error.get_error_message()]
print(json.dumps(out))
"""


def test_pool_source_discovery_reads_the_source_as_the_pool_type_does(tmp_path: Path) -> None:
    """find-storage-pool-sources reads its source specification as the pool type's <source>
    (libvirt's errors for it, and for a type libvirt does not know)."""
    texts = {
        "unknown type": ["test", "<source><host name='h'/></source>"],
        "netfs": ["netfs", "<source><host name='h'/></source>"],
        "netfs bad format": ["netfs", "<source><host name='h'/><format type='bogus'/></source>"],
        "host without name": ["netfs", "<source><host/></source>"],
        "rbd without name": ["rbd", "<source><host name='h'/></source>"],
        "not a source": ["logical", "<pool/>"],
        "iscsi": ["iscsi", "<source><host name='h'/></source>"],
    }
    answers = script_answers(tmp_path, SOURCES_SCRIPT, texts)
    assert_answered_alike(answers, texts)
    assert answers["virtrio"]["unknown type"][3] == "internal error: missing backend for pool type -1"
