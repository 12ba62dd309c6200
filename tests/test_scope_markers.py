"""The scope markers tests/conftest.py applies: what a test runs decides them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import scope_markers

ROOT = Path(__file__).resolve().parent.parent


def test_markers_follow_what_a_test_runs() -> None:
    assert scope_markers("assert encode(x) == b''") == set()
    assert scope_markers("process = subprocess.run(['virsh'])") == {"slow"}
    assert scope_markers("def f(virtrio_daemon): ...") == {"slow"}
    assert scope_markers("daemon = start_libvirtd(folder)") == {"slow", "libvirtd"}
    assert scope_markers('subprocess.run([sys.executable, "-m", "interop", "compare"])') == {"slow", "libvirtd"}
    assert scope_markers("listen_tcp = 1") == {"network"}


def test_collection_marks_real_tests(tmp_path: Path) -> None:
    """A daemon test is deselected by the fast subset, a unit test is kept, and a test of the
    side-by-side harness is marked libvirtd."""
    selected = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-o",
            "addopts=",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "not slow and not libvirtd",
            "tests/e2e/test_node_file_snapshots.py",
            "tests/e2e/test_virsh.py",
            "tests/interop/test_wire_parity.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    files = {line.split("::")[0] for line in selected.stdout.splitlines() if "::" in line}
    assert files == {"tests/e2e/test_node_file_snapshots.py"}, selected.stdout + selected.stderr
