"""The interop harness itself: its normalisation hides nothing real, its corpus is broad."""

from __future__ import annotations

import re
import subprocess
import sys

from interop.compare import SCENARIO_ENVIRONMENT, SYSTEM_PYTHON, entry_verdict, load_corpus


def test_the_corpus_covers_every_family_with_hundreds_of_commands() -> None:
    scenarios = load_corpus()
    commands = sum(len(s.commands) for s in scenarios)
    assert commands >= 300
    names = " ".join(s.name for s in scenarios)
    for family in (
        "connection",
        "domain",
        "network",
        "storage",
        "interface",
        "nodedev",
        "snapshot",
        "read-only",
        "node-file",
        "errors",
        "events",
    ):
        assert family in names
    assert any(s.read_only for s in scenarios) and any(s.uri.startswith("node:") for s in scenarios)
    assert any(s.kind == "python" for s in scenarios)


def test_libvirtd_against_itself_is_identical_after_normalisation() -> None:
    """Two libvirtd runs differ only in what the normalisation hides, so it hides nothing real."""
    result = subprocess.run(
        [sys.executable, "-m", "interop", "compare", "--reference-twice"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(r"^identical (\d+)/(\d+)$", result.stdout, re.M)
    assert match, result.stdout
    assert match.group(1) == match.group(2), result.stdout
    assert int(match.group(2)) >= 300
    packets = re.search(r"^packet differences (\d+) in (\d+) replies$", result.stdout, re.M)
    assert packets and packets.group(1) == "0" and int(packets.group(2)) > 1000, result.stdout


def test_node_devices_equal_libvirtds_own_udev_driver() -> None:
    """On the machine at hand: lists (plain, per capability, tree) and every device's XML."""
    result = subprocess.run(
        [sys.executable, "-m", "interop", "nodedev", "--fail-under", "100"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lists = re.search(r"^identical lists (\d+)/(\d+)$", result.stdout, re.M)
    devices = re.search(r"^identical devices (\d+)/(\d+)$", result.stdout, re.M)
    assert lists and lists.group(1) == lists.group(2), result.stdout
    assert devices and devices.group(1) == devices.group(2) and int(devices.group(2)) > 1, result.stdout


def test_libvirt_pythons_own_tests_give_the_same_results() -> None:
    result = subprocess.run([sys.executable, "-m", "interop", "pysuite"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(r"^same (\d+)/(\d+)$", result.stdout, re.M)
    assert match and match.group(1) == match.group(2) and int(match.group(2)) >= 15, result.stdout


def test_a_script_that_dies_is_never_counted_identical() -> None:
    crashed = "rc=1\nfirst line\n--- stderr\nTraceback (most recent call last):\n  ...\nImportError: x\n"
    assert entry_verdict("python", crashed, crashed) == "broken"
    assert entry_verdict("python", "rc=0\nok\n--- stderr\n", "rc=0\nok\n--- stderr\n") == "identical"
    assert entry_verdict("virsh", "rc=1\n", "rc=0\n") == "different"


def test_python_scenarios_can_import_their_shared_steps() -> None:
    """The scenarios run as python -c TEXT: the harness puts interop/corpus on their path."""
    users = [s for s in load_corpus() if s.kind == "python" and "from steps import" in s.commands[0]]
    assert len(users) >= 5
    found = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import steps; print(steps.attempt.__name__)"],
        env=SCENARIO_ENVIRONMENT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout == "attempt\n"
