"""A guest CPU's model attributes (fallback: empty as if absent, else allow or forbid; vendor_id:
12 characters without a comma, written after the fallback, or alone without a model name) and
the OS type's architecture (empty: the default) as libvirt reads and writes them.
libvirt-python defines each on virtrio and on libvirtd side by side."""

from __future__ import annotations

from pathlib import Path

from .side_by_side import assert_answered_alike, script_answers
from .test_missing_parts import SCRIPT, UUID

BODIES = {
    "arch empty": "<os><type arch='' machine='pc'>hvm</type></os>",
    "arch empty alone": "<os><type arch=''>hvm</type></os>",
    "machine empty": "<os><type arch='x86_64' machine=''>hvm</type></os>",
    "fallback empty": "<os><type>hvm</type></os><cpu mode='custom'><model fallback=''>qemu64</model></cpu>",
    "fallback x": "<os><type>hvm</type></os><cpu mode='custom'><model fallback='x'>qemu64</model></cpu>",
    "fallback x, host-passthrough": "<os><type>hvm</type></os><cpu mode='host-passthrough'>"
    "<model fallback='x'>qemu64</model></cpu>",
    "fallback forbid, host-model": "<os><type>hvm</type></os><cpu mode='host-model'><model fallback='forbid'/></cpu>",
    "fallback x before a topology fault": "<os><type>hvm</type></os><cpu mode='custom'>"
    "<model fallback='x'>qemu64</model><topology sockets='x' cores='1' threads='1'/></cpu>",
    "vendor_id short": "<os><type>hvm</type></os><cpu mode='custom'><model vendor_id='abc'>qemu64</model></cpu>",
    "vendor_id with a comma": "<os><type>hvm</type></os><cpu mode='custom'>"
    "<model vendor_id='GenuineIntl,'>qemu64</model></cpu>",
    "vendor_id": "<os><type>hvm</type></os><cpu mode='custom'><model vendor_id='GenuineIntel'>qemu64</model></cpu>",
    "vendor_id empty": "<os><type>hvm</type></os><cpu mode='custom'><model vendor_id=''>qemu64</model></cpu>",
    "vendor_id without a model name": "<os><type>hvm</type></os><cpu mode='custom'>"
    "<model vendor_id='GenuineIntel'/></cpu>",
}


def domain(body: str) -> str:
    return f"<domain type='test'><name>d</name><uuid>{UUID}</uuid><memory>1024</memory>{body}<devices/></domain>"


def test_cpu_models_and_os_types_are_read_and_written_as_by_libvirtd(tmp_path: Path) -> None:
    texts = {label: domain(body) for label, body in BODIES.items()}
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert_answered_alike(answers, texts)
