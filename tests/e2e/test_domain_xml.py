"""Domain XML read and written back as libvirt does: stock virsh against the daemon, the
output compared with what libvirtd 9.0.0 printed for the same definitions (tests/golden)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .daemon_process import DaemonProcess, virsh

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = sorted((ROOT / "interop" / "corpus" / "domains").glob("*.xml"))
GOLDEN = ROOT / "tests" / "golden" / "domain-xml"


@pytest.mark.parametrize("definition", DOMAINS, ids=lambda path: path.stem)
def test_definition_comes_back_as_libvirtd_writes_it(shared_daemon: DaemonProcess, definition: Path) -> None:
    name = re.search(r"<name>(.*?)</name>", definition.read_text()).group(1)
    result = virsh(
        shared_daemon,
        f"define {definition}; dumpxml {name}; start {name}; dumpxml {name}; dumpxml --inactive {name}",
    )
    assert result.returncode == 0, result.stderr
    documents = re.findall(r"(<domain .*?</domain>\n)", result.stdout, re.S)
    for label, document in zip(("defined", "running", "running-inactive"), documents, strict=True):
        assert document == (GOLDEN / f"{definition.stem}.{label}.xml").read_text(), label


def test_a_running_domains_inactive_copy_becomes_its_definition_when_it_stops(shared_daemon: DaemonProcess) -> None:
    """libvirt copies the definition at start by writing and re-reading it; a disk whose bus
    was implicit sorts differently then, and the copy is what remains after destroy."""
    definition = ROOT / "interop" / "corpus" / "domains" / "many-devices.xml"
    result = virsh(shared_daemon, f"define {definition}; start devices1; destroy devices1; dumpxml devices1")
    assert result.returncode == 0, result.stderr
    after = re.findall(r"(<domain .*?</domain>\n)", result.stdout, re.S)[-1]
    assert after == (GOLDEN / "many-devices.running-inactive.xml").read_text()
