"""libvirt's own virsh tests (the tests/virsh-* scripts and tests/virshtest.c's cases, from its
9.0.0 source) against both daemons.

Each runs stock virsh against ``test:///default`` or an example node file and compares what
it prints with the output libvirt's developers expect. Here those URIs go to a daemon's
socket instead (libvirt would open its test driver in the client): the scripts call a virsh
wrapper that rewrites them, virshtest.c's cases are given the daemon's URI. So the same
expectations judge libvirtd and virtrio. Prints each outcome on both sides, then ``same N/M``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .compare import EXAMPLES
from .daemons import remove, start_libvirtd, start_virtrio
from .libvirt_source import find_source
from .virshtest_cases import CUSTOM, Case, load, without_filtered_line

# Every tests/virsh-* shell script of libvirt 9.0.0 but two that test the client alone:
# virsh-auth (the client's credential callbacks on a node file it reads itself) and
# virsh-uriprecedence (which URI the client picks from its settings; rewritten, it
# would test the wrapper).
SCRIPTS = (
    "virsh-checkpoint",
    "virsh-cpuset",
    "virsh-define-dev-segfault",
    "virsh-int-overflow",
    "virsh-optparse",
    "virsh-output",
    "virsh-read-bufsiz",
    "virsh-read-non-seekable",
    "virsh-schedinfo",
    "virsh-self-test",
    "virsh-snapshot",
    "virsh-start",
    "virsh-undefine",
    "virsh-vcpupin",
)
PASSED, SKIPPED = 0, 77  # the scripts' exit statuses (test-lib.sh); any other is a failure
# The virsh the scripts run: test:///... (in an argument or LIBVIRT_DEFAULT_URI) becomes
# test+unix:///...?socket=SOCKET, then stock virsh runs with the rest unchanged.
WRAPPER = """#!/usr/bin/python3
import os, re, sys
SOCKET = {socket!r}
def to_daemon(argument):
    found = re.match(r"test://(/[^?]*)(\\?.*)?$", argument)
    if not found:
        return argument
    query = found.group(2) or ""
    return "test+unix://" + found.group(1) + (query + "&" if query else "?") + "socket=" + SOCKET
if "LIBVIRT_DEFAULT_URI" in os.environ:
    os.environ["LIBVIRT_DEFAULT_URI"] = to_daemon(os.environ["LIBVIRT_DEFAULT_URI"])
os.execv("/usr/bin/virsh", ["virsh", *map(to_daemon, sys.argv[1:])])
"""


@dataclass(frozen=True)
class Outcome:
    status: int
    output: str  # the end of what the script printed, for a failure's report

    @property
    def verdict(self) -> str:
        return {PASSED: "passed", SKIPPED: "skipped"}.get(self.status, f"failed ({self.status})")


def build_tree(workdir: Path, libvirt_tests: Path, socket: Path) -> tuple[Path, Path]:
    """The source and build folders the scripts expect: tests/ and examples/xml/test from
    libvirt's files, tools/virsh the wrapper aimed at a daemon's socket."""
    source, build = workdir / "source", workdir / "build"
    (source / "examples" / "xml").mkdir(parents=True)
    (source / "tests").symlink_to(libvirt_tests)
    (source / "examples" / "xml" / "test").symlink_to(EXAMPLES)
    (build / "tools").mkdir(parents=True)
    wrapper = build / "tools" / "virsh"
    wrapper.write_text(WRAPPER.format(socket=str(socket)))
    wrapper.chmod(0o755)
    return source, build


def run_script(name: str, source: Path, build: Path, workdir: Path) -> Outcome:
    environment = dict(
        os.environ,
        abs_top_srcdir=str(source),
        abs_top_builddir=str(build),
        abs_srcdir=str(source / "tests"),
        abs_builddir=str(workdir),
        VIR_TEST_EXPENSIVE="1",  # several are marked expensive; each takes seconds here
        VIR_TEST_DEBUG="1",  # a failure prints its diff
        LC_ALL="C",
    )
    try:
        result = subprocess.run(
            ["sh", str(source / "tests" / name)],
            cwd=workdir,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        return Outcome(-1, "timed out after 300 s")
    return Outcome(result.returncode, (result.stdout + result.stderr)[-4000:])


def run_case(case: Case, socket: Path) -> Outcome:
    """virshtest.c's testCompareOutputLit: virsh with no input passes when it prints nothing
    on stderr and exactly the expected text on stdout (less the filtered line)."""
    path = f"{EXAMPLES}/testnode.xml" if case.uri == CUSTOM else "/default"
    command = ["virsh", "--connect", f"test+unix://{path}?socket={socket}", *case.arguments]
    try:
        result = subprocess.run(
            command, input="", capture_output=True, text=True, timeout=60, env=dict(os.environ, LANG="C")
        )
    except subprocess.TimeoutExpired:
        return Outcome(-1, "timed out after 60 s")
    printed = without_filtered_line(result.stdout, case.filtered)
    if result.stderr or printed != case.expected:
        return Outcome(1, f"expected {case.expected!r}\nprinted  {result.stdout!r}\nstderr   {result.stderr!r}")
    return Outcome(PASSED, "")


def run_against(side: str, workdir: Path, libvirt_tests: Path) -> dict[str, Outcome]:
    """Each script and each virshtest.c case (named "virshtest: NAME") against a fresh daemon
    of side ("libvirtd" or "virtrio")."""
    start = start_libvirtd if side == "libvirtd" else start_virtrio
    workdir.mkdir(parents=True, exist_ok=True)
    daemon = start(workdir / "daemon")
    try:
        source, build = build_tree(workdir, libvirt_tests, daemon.rw)
        outcomes = {name: run_script(name, source, build, workdir) for name in SCRIPTS}
        for case in load(libvirt_tests):
            outcomes[f"virshtest: {case.name}"] = run_case(case, daemon.rw)
        return outcomes
    finally:
        daemon.stop()


def run() -> int:
    libvirt_tests = find_source() / "tests"
    workdir = Path(tempfile.mkdtemp(prefix="virtrio-virsh-scripts-"))
    try:
        outcomes = {side: run_against(side, workdir / side, libvirt_tests) for side in ("libvirtd", "virtrio")}
    finally:
        remove(workdir)
    same = 0
    names = list(outcomes["libvirtd"])
    for name in names:
        theirs, ours = outcomes["libvirtd"][name], outcomes["virtrio"][name]
        alike = theirs.verdict == ours.verdict
        same += alike
        print(f"{'SAME' if alike else 'DIFF'} {name}: libvirtd {theirs.verdict}, virtrio {ours.verdict}")
        if not alike:
            for side, outcome in (("libvirtd", theirs), ("virtrio", ours)):
                print(f"  --- {side}\n  " + outcome.output.replace("\n", "\n  "))
    print(f"same {same}/{len(names)}")
    return 0 if same == len(names) else 1
