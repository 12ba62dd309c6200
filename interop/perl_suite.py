"""Sys::Virt's own test suite (libvirt's Perl binding, 9.0.0) against both daemons.

Its t/*.t files open ``test:///default`` in-process; a Perl module loaded with ``-M``
redirects that name to a daemon's socket (the tests' own logic is left as it is), so the
same files run through Debian's libsys-virt-perl against libvirtd and against virtrio.
Every file that opens a connection runs on both sides; their TAP output is compared per
assertion (outcome and failure diagnostics, with each daemon's socket name made equal) and
per file (plan, how it ended, the error a file died with). Sys::Virt's example programs
that work on the test driver (Debian ships them with the binding) run on both sides too, given
the daemon's URI, and their output and exit status are compared. Prints each file's counts on
both sides with SAME or DIFF, each difference, then ``assertions same``, ``examples same`` and
``same N/M`` over files and examples.

What differs from the suite's in-process run is the same on both sides, the client's doing:
the event tests compare ``get_uri()`` with ``test:///default`` (a redirected connection names
the socket), and once done they deadlock in libvirt's client library as the last domain
object frees a remote connection whose socket watch goes through Sys::Virt's Perl event loop
(a futex wait under virNetSocketRemoveIOCallback), so a file that has printed all it planned
and does not exit is ended and marked "hung at exit".

The tests come from Debian's source package libsys-virt-perl (never committed), kept in
``$XDG_CACHE_HOME/virtrio/Sys-Virt-9.0.0/t`` by ``python -m interop.perl_suite --fetch``
(scripts/setup-test-env runs it); ``VIRTRIO_SYS_VIRT_TESTS`` names a folder of t/*.t
files instead.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .daemons import RunningDaemon, remove, start_libvirtd, start_virtrio
from .libvirt_source import keep_from_orig

VERSION = "9.0.0"
PACKAGE = "libsys-virt-perl"
UNAVAILABLE = 3  # exit status when the suite's files are not at hand (the caller may skip)
FILE_TIMEOUT = 60  # seconds per test file: an event test whose event never comes waits in select()
EXIT_WAIT = 5  # seconds a file that has printed all its planned assertions gets to exit
# Loaded before the test file (perl -MVirtrioRedirect): Sys::Virt->new with test:///default,
# as "uri" or as its older spelling "address", opens the daemon's socket instead.
REDIRECT = """package VirtrioRedirect;
use strict;
use warnings;
use Sys::Virt;

my $target = $ENV{VIRTRIO_REDIRECT_TEST_URI};
my $open = \\&Sys::Virt::new;
{
    no warnings 'redefine';
    *Sys::Virt::new = sub {
        my ($proto, %params) = @_;
        for my $key (qw(uri address)) {
            next unless defined $target && defined $params{$key};
            $params{$key} = $target if $params{$key} eq 'test:///default';
        }
        return $open->($proto, %params);
    };
}
1;
"""
# Assertions whose outcome on libvirtd itself changes from run to run (and in-process too),
# with the reason: printed as VARIES, not counted as a difference.
VARIES = {
    ("200-domains.t", 18): "libvirt lists domain ids in its hash table's order, seeded at random per process",
}
# Sys::Virt's example programs (Debian ships them with the binding, so they are at hand wherever it
# is installed) that work on the test driver, each with its arguments after the URI.
EXAMPLES_FOLDER = Path("/usr/share/doc/libsys-virt-perl/examples")
EXAMPLES = (
    ("devices.pl",),
    ("dom-fsinfo.pl", "test"),
    ("dom-ifinfo.pl", "test"),
    ("dom-stats.pl", "test"),
    ("dump-info.pl",),
    ("dump-xml.pl", "test"),
    ("emulator-pin.pl",),
    ("fs-freeze.pl", "test", "/"),
    ("iothreadinfo.pl",),
    ("node-alloc.pl", "4=1"),
    ("node-cpu.pl", "0", "1"),
    ("node-info.pl",),
    ("send-key.pl", "test"),
    ("vcpuinfo.pl",),
)
SOCKET_URI = "test+unix:///default?socket=SOCKET"
CLOCK = re.compile(r"(cpuTime: )\d{16,}")  # a running test domain's CPU time is the clock's nanoseconds
PLAN = re.compile(r"^1\.\.(\d+)")
ASSERTION = re.compile(r"^(not )?ok (\d+)(?: - (.*?))?(?: # (skip|SKIP|TODO)\b.*)?$")


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "virtrio" / f"Sys-Virt-{VERSION}" / "t"


def find_tests() -> Path | None:
    named = os.environ.get("VIRTRIO_SYS_VIRT_TESTS")
    if named:
        return Path(named) if any(Path(named).glob("*.t")) else None
    cached = cache_folder()
    return cached if any(cached.glob("*.t")) else None


def fetch() -> Path:
    """Download Debian's source package and keep the t/ folder of its upstream tarball."""
    found = find_tests()
    if found is not None:
        return found
    # Only the plain files directly in t/: nothing else is read.
    return keep_from_orig(PACKAGE, VERSION, f"Sys-Virt-{VERSION}/t/", lambda name: "/" not in name, cache_folder())


@dataclass
class FileRun:
    """One test file's TAP output on one side."""

    planned: int | None = None
    outcomes: dict[int, str] = field(default_factory=dict)  # number -> "ok", "not ok", "skip"
    names: dict[int, str] = field(default_factory=dict)
    diagnostics: dict[int, list[str]] = field(default_factory=dict)  # lines after a failed assertion
    other: list[str] = field(default_factory=list)  # lines outside TAP (a death's message)
    status: int | str = 0

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)

    def ending(self) -> str:
        """How the file ended: "completed" when its exit status is Test::More's count of failures."""
        complete = self.planned is not None and len(self.outcomes) == self.planned
        if complete and self.status == min(self.count("not ok"), 254):
            return "completed"
        return self.status if isinstance(self.status, str) else f"exit {self.status}"

    def summary(self) -> str:
        missing = (self.planned or 0) - len(self.outcomes)
        text = f"{self.count('ok')} ok, {self.count('not ok')} not ok"
        text += f", {self.count('skip')} skipped" if self.count("skip") else ""
        text += f", {missing} not run" if missing > 0 else ""
        return text + (f" ({self.ending()})" if self.ending() != "completed" else "")


def parse_tap(output: str) -> FileRun:
    run = FileRun()
    last: int | None = None
    for line in output.splitlines():
        plan = PLAN.match(line)
        assertion = ASSERTION.match(line)
        if plan and run.planned is None:
            run.planned = int(plan.group(1))
        elif assertion:
            number = last = int(assertion.group(2))
            directive = (assertion.group(4) or "").lower()
            run.outcomes[number] = "skip" if directive == "skip" else "not ok" if assertion.group(1) else "ok"
            run.names[number] = assertion.group(3) or ""
        elif re.match(r"# Looks like you failed \d+ tests? of \d+", line):
            continue  # the count of the failures compared one by one
        elif line.startswith("#") and not line.startswith("# Looks like"):
            # Test::More's diagnostics: what the failed assertion got and expected.
            if last is not None:
                run.diagnostics.setdefault(last, []).append(line)
            else:
                run.other.append(line)
        elif line.strip():
            run.other.append(line)
    return run


def run_file(test: Path, site: Path, daemon: RunningDaemon) -> FileRun:
    """The file's TAP output. One that has printed every planned assertion but does not exit
    within EXIT_WAIT is ended and marked "hung at exit" (see the module's notes)."""
    uri = daemon.uri()
    environment = {"PATH": "/usr/bin:/bin", "VIRTRIO_REDIRECT_TEST_URI": uri, "LC_ALL": "C.UTF-8"}
    with tempfile.TemporaryFile() as output_file:
        process = subprocess.Popen(
            ["perl", f"-I{site}", "-MVirtrioRedirect", str(test)],
            cwd=test.parent.parent,
            env=environment,
            stdout=output_file,
            stderr=subprocess.STDOUT,
        )
        started = time.monotonic()
        finished_at: float | None = None
        status: int | str = "timeout"
        while time.monotonic() - started < FILE_TIMEOUT:
            try:
                status = process.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                pass
            if finished_at is None:
                output_file.seek(0)
                so_far = parse_tap(output_file.read().decode(errors="replace"))
                if so_far.planned is not None and len(so_far.outcomes) >= so_far.planned:
                    finished_at = time.monotonic()
            elif time.monotonic() - finished_at > EXIT_WAIT:
                status = "hung at exit"
                break
        if process.poll() is None:
            process.kill()
            process.wait()
        output_file.seek(0)
        output = output_file.read().decode(errors="replace")
    # The two daemons' socket names differ by their folder: one name for both.
    output = output.replace(uri, SOCKET_URI)
    run = parse_tap(output)
    run.status = status
    return run


def connection_tests(folder: Path) -> list[Path]:
    """The files that open a connection (the rest check POD, constants and the API's coverage)."""
    return sorted(path for path in folder.glob("*.t") if "Sys::Virt->new(" in path.read_text(errors="replace"))


def differences(test: str, theirs: FileRun, ours: FileRun) -> tuple[list[str], list[str]]:
    """The lines saying how the two sides differ, and those of assertions that vary anyway."""
    lines, varying = [], []
    for number in sorted(set(theirs.outcomes) | set(ours.outcomes)):
        a, b = theirs.outcomes.get(number, "not run"), ours.outcomes.get(number, "not run")
        da, db = theirs.diagnostics.get(number, []), ours.diagnostics.get(number, [])
        name = theirs.names.get(number) or ours.names.get(number, "")
        reason = VARIES.get((test, number))
        if reason is not None:
            varying.append(f"    #{number} {name}: libvirtd {a}, virtrio {b}: VARIES ({reason})")
        elif a != b or da != db:
            detail = f"libvirtd {a}, virtrio {b}"
            if da != db:
                detail += f"; libvirtd says {' | '.join(da) or '-'}; virtrio says {' | '.join(db) or '-'}"
            lines.append(f"    #{number} {name}: {detail}")
    if theirs.planned != ours.planned:
        lines.append(f"    plan: libvirtd {theirs.planned}, virtrio {ours.planned}")
    if theirs.ending() != ours.ending():
        lines.append(f"    end: libvirtd {theirs.ending()}, virtrio {ours.ending()}")
    if theirs.other != ours.other:
        lines.append(f"    other output: libvirtd {theirs.other}, virtrio {ours.other}")
    return lines, varying


def run_example(name: str, arguments: tuple[str, ...], daemon: RunningDaemon) -> tuple[int | str, str]:
    """An example program's exit status and output, given the daemon's URI as its first argument."""
    uri = daemon.uri()
    environment = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}
    command = ["perl", str(EXAMPLES_FOLDER / name), uri, *arguments]
    try:
        result = subprocess.run(
            command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        return "timeout", ""
    return result.returncode, CLOCK.sub(r"\1CLOCK", result.stdout.replace(uri, SOCKET_URI))


def run() -> int:
    tests = find_tests()
    files = connection_tests(tests) if tests is not None else []
    examples = [example for example in EXAMPLES if (EXAMPLES_FOLDER / example[0]).is_file()]
    if tests is None:
        where = os.environ.get("VIRTRIO_SYS_VIRT_TESTS") or cache_folder()
        print(
            f"t/: not available: Sys::Virt {VERSION}'s tests are not in {where} (python -m interop.perl_suite --fetch)"
        )
    if not examples:
        print(f"examples: not available: none in {EXAMPLES_FOLDER} (Debian's {PACKAGE})")
    if not files and not examples:
        return UNAVAILABLE
    workdir = Path(tempfile.mkdtemp(prefix="virtrio-perlsuite-"))
    try:
        site = workdir / "site"
        site.mkdir()
        (site / "VirtrioRedirect.pm").write_text(REDIRECT)
        runs: dict[str, dict[str, FileRun]] = {}
        outputs: dict[str, list[tuple[int | str, str]]] = {}
        for side, start in (("libvirtd", start_libvirtd), ("virtrio", start_virtrio)):
            daemon = start(workdir / side)
            try:
                runs[side] = {test.name: run_file(test, site, daemon) for test in files}
                outputs[side] = [run_example(name, tuple(arguments), daemon) for name, *arguments in examples]
            finally:
                daemon.stop()
    finally:
        remove(workdir)
    same = assertions = same_assertions = varied = 0
    for test in files:
        theirs, ours = runs["libvirtd"][test.name], runs["virtrio"][test.name]
        lines, varying = differences(test.name, theirs, ours)
        same += not lines
        for number in set(theirs.outcomes) | set(ours.outcomes):
            if (test.name, number) in VARIES:
                varied += 1
                continue
            assertions += 1
            same_assertions += theirs.outcomes.get(number) == ours.outcomes.get(number) and theirs.diagnostics.get(
                number
            ) == ours.diagnostics.get(number)
        verdict = "DIFF" if lines else "SAME"
        print(f"{verdict} t/{test.name}: libvirtd {theirs.summary()}; virtrio {ours.summary()}")
        for line in lines + varying:
            print(line)
    same_examples = 0
    for (name, *arguments), theirs_example, ours_example in zip(
        examples, outputs["libvirtd"], outputs["virtrio"], strict=True
    ):
        same_examples += theirs_example == ours_example
        verdict = "SAME" if theirs_example == ours_example else "DIFF"
        shown = " ".join(["URI", *arguments])
        print(
            f"{verdict} examples/{name} {shown}: libvirtd exit {theirs_example[0]}, "
            f"{len(theirs_example[1].splitlines())} lines; virtrio exit {ours_example[0]}, "
            f"{len(ours_example[1].splitlines())} lines"
        )
        if theirs_example[1] != ours_example[1]:
            changes = difflib.unified_diff(
                theirs_example[1].splitlines(), ours_example[1].splitlines(), "libvirtd", "virtrio", lineterm=""
            )
            for line in list(changes)[:40]:
                print(f"    {line}")
    if files:
        print(f"assertions same {same_assertions}/{assertions} ({varied} varying on libvirtd itself, not compared)")
    if examples:
        print(f"examples same {same_examples}/{len(examples)}")
    print(f"same {same + same_examples}/{len(files) + len(examples)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m interop.perl_suite", description=__doc__)
    parser.add_argument("--fetch", action="store_true", help="download the tests into the cache and exit")
    options = parser.parse_args(argv)
    if options.fetch:
        print(f"Sys::Virt {VERSION} tests: {fetch()}")
        return 0
    return run()


if __name__ == "__main__":
    sys.exit(main())
