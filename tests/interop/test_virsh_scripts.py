"""libvirt's own virsh test scripts (tests/virsh-* of its 9.0.0 source) judge both daemons:
each passes against libvirtd, so each must pass against virtrio."""

from __future__ import annotations

from pathlib import Path

import pytest

from interop import virsh_scripts
from interop.libvirt_source import find_source


@pytest.fixture(scope="module")
def libvirt_tests() -> Path:
    return find_source() / "tests"


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory, libvirt_tests: Path
) -> dict[str, dict[str, virsh_scripts.Outcome]]:
    return {
        side: virsh_scripts.run_against(side, tmp_path_factory.mktemp(side), libvirt_tests)
        for side in ("libvirtd", "virtrio")
    }


@pytest.mark.parametrize("name", virsh_scripts.SCRIPTS)
def test_script_passes_on_both(name: str, outcomes: dict[str, dict[str, virsh_scripts.Outcome]]) -> None:
    reference, ours = outcomes["libvirtd"][name], outcomes["virtrio"][name]
    assert reference.verdict == "passed", f"the harness does not run {name} against libvirtd:\n{reference.output}"
    assert ours.verdict == "passed", ours.output


def test_the_scripts_reach_the_daemon(tmp_path: Path, libvirt_tests: Path) -> None:
    """With no daemon behind the socket the scripts fail: the wrapper sends virsh to the
    daemon, not to the test driver built into the client."""
    source, build = virsh_scripts.build_tree(tmp_path, libvirt_tests, tmp_path / "no-daemon-here")
    outcome = virsh_scripts.run_script("virsh-snapshot", source, build, tmp_path)
    assert outcome.verdict.startswith("failed"), outcome.output
