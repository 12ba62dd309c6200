"""libvirt's own virsh tests (the tests/virsh-* scripts and tests/virshtest.c's cases, from its
9.0.0 source) judge both daemons: each passes against libvirtd, so each must pass against
virtrio."""

from __future__ import annotations

from pathlib import Path

import pytest

from interop import virsh_scripts, virshtest_cases
from interop.libvirt_source import find_source

Outcomes = dict[str, dict[str, virsh_scripts.Outcome]]


@pytest.fixture(scope="module")
def libvirt_tests() -> Path:
    return find_source() / "tests"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory, libvirt_tests: Path) -> Outcomes:
    return {
        side: virsh_scripts.run_against(side, tmp_path_factory.mktemp(side), libvirt_tests)
        for side in ("libvirtd", "virtrio")
    }


@pytest.mark.parametrize("name", virsh_scripts.SCRIPTS)
def test_script_passes_on_both(name: str, outcomes: Outcomes) -> None:
    reference, ours = outcomes["libvirtd"][name], outcomes["virtrio"][name]
    assert reference.verdict == "passed", f"the harness does not run {name} against libvirtd:\n{reference.output}"
    assert ours.verdict == "passed", ours.output


def test_every_virshtest_case_passes_on_both(outcomes: Outcomes) -> None:
    cases = [name for name in outcomes["virtrio"] if name.startswith("virshtest: ")]
    assert len(cases) == 77  # 24 registered tests and 53 echo cases in 9.0.0's virshtest.c
    for side in ("libvirtd", "virtrio"):
        failed = {name: outcomes[side][name].output for name in cases if outcomes[side][name].verdict != "passed"}
        assert not failed, f"{side}: {failed}"


def test_the_scripts_reach_the_daemon(tmp_path: Path, libvirt_tests: Path) -> None:
    """With no daemon behind the socket the scripts and cases fail: virsh goes to the daemon,
    not to the test driver built into the client."""
    nowhere = tmp_path / "no-daemon-here"
    source, build = virsh_scripts.build_tree(tmp_path, libvirt_tests, nowhere)
    outcome = virsh_scripts.run_script("virsh-snapshot", source, build, tmp_path)
    assert outcome.verdict.startswith("failed"), outcome.output
    first = virshtest_cases.load(libvirt_tests)[0]
    assert virsh_scripts.run_case(first, nowhere).verdict.startswith("failed")


def test_virshtest_literals_are_read_as_c_reads_them() -> None:
    source = r"""
# define UUID "ef86"
# define LONG "a\n\
b"
static const char *named = "x" UUID "\t\"\n";
static int testOne(const void *data G_GNUC_UNUSED)
{
    const char *const argv[] = { VIRSH_CUSTOM, "dominfo", UUID, "semi;\
 colon", NULL };
    const char *exp = named;
    return testCompareOutputLit(exp, "\nCPU time:", argv);
}
    if (virTestRun("virsh one", testOne, NULL) != 0)
    DO_TEST(7, LONG "\\\101", "echo", "'\\'");
"""
    one, seven = virshtest_cases.read_cases(source)
    assert one == virshtest_cases.Case(
        "virsh one", virshtest_cases.CUSTOM, ("dominfo", "ef86", "semi; colon"), 'xef86\t"\n', "\nCPU time:"
    )
    assert seven == virshtest_cases.Case("virsh echo 7", virshtest_cases.DEFAULT, ("echo", "'\\'"), "a\nb\\A", None)
    assert virshtest_cases.without_filtered_line("a\nCPU time: 1s\nb\n", "\nCPU time:") == "a\nb\n"
    assert virshtest_cases.without_filtered_line("a\n", "\nCPU time:") is None
