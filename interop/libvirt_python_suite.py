"""libvirt-python's own test suite (from its 9.0.0 source distribution) against both daemons.

The suite opens ``test:///default`` in-process; a sitecustomize redirects that name to a
daemon's socket, so the same tests run against libvirtd and against virtrio through Debian's
python3-libvirt. Prints each test's outcome on both sides, then ``same N/M``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from .daemons import RunningDaemon, remove, start_libvirtd, start_virtrio

VERSION = "9.0.0"
MODULES = (
    "test_conn",
    "test_domain",
    "test_domain_checkpoint",
    "test_domain_snapshot",
    "test_interface",
    "test_network",
    "test_nodedev",
    "test_storage",
    "test_aio",
)
REDIRECT = """import os
uri = os.environ.get("VIRTRIO_REDIRECT_TEST_URI")
if uri:
    import libvirt
    _open = libvirt.open
    libvirt.open = lambda name=None: _open(uri if name == "test:///default" else name)
"""
# Runs the modules and prints one "RESULT test outcome" line per test, whatever else they print.
RUNNER = """
import sys, unittest
class Result(unittest.TextTestResult):
    def _report(self, test, outcome):
        sys.__stdout__.write(f"RESULT {test.id()} {outcome}\\n")
    def addSuccess(self, test):
        super().addSuccess(test); self._report(test, "ok")
    def addFailure(self, test, err):
        super().addFailure(test, err); self._report(test, "FAIL")
    def addError(self, test, err):
        super().addError(test, err); self._report(test, "ERROR")
    def addSkip(self, test, reason):
        super().addSkip(test, reason); self._report(test, "skipped")
suite = unittest.defaultTestLoader.loadTestsFromNames(sys.argv[1:])
unittest.TextTestRunner(resultclass=Result, stream=open("/dev/null", "w")).run(suite)
"""
RESULT = re.compile(r"^RESULT (\S+) (\S+)$", re.M)


def extract_safely(archive: tarfile.TarFile, destination: Path) -> None:
    """Only plain files and folders inside destination (Debian 12's Python 3.11.2 predates
    extractall's filter= argument, so the check is made here)."""
    root = destination.resolve()
    for member in archive.getmembers():
        target = (root / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not target.is_relative_to(root):
            raise ValueError(f"refusing archive member {member.name!r}")
    if hasattr(tarfile, "data_filter"):
        archive.extractall(root, filter="data")
    else:
        archive.extractall(root)


def fetch_tests(workdir: Path) -> Path:
    """The tests/ folder of libvirt-python's source distribution, from PyPI."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"libvirt-python=={VERSION}",
            "-d",
            str(workdir),
        ],
        check=True,
        timeout=300,
    )
    with tarfile.open(workdir / f"libvirt-python-{VERSION}.tar.gz") as archive:
        extract_safely(archive, workdir)
    return workdir / f"libvirt-python-{VERSION}" / "tests"


def run_suite(tests: Path, site: Path, daemon: RunningDaemon) -> dict[str, str]:
    environment = {"PYTHONPATH": str(site), "VIRTRIO_REDIRECT_TEST_URI": daemon.uri(), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        ["/usr/bin/python3", "-c", RUNNER, *MODULES],
        cwd=tests,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return dict(RESULT.findall(result.stdout))


def run() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="virtrio-pysuite-"))
    try:
        tests = fetch_tests(workdir)
        site = workdir / "site"
        site.mkdir()
        (site / "sitecustomize.py").write_text(REDIRECT)
        outcomes = {}
        for side, start in (("libvirtd", start_libvirtd), ("virtrio", start_virtrio)):
            daemon = start(workdir / side)
            try:
                outcomes[side] = run_suite(tests, site, daemon)
            finally:
                daemon.stop()
    finally:
        remove(workdir)
    names = sorted(set(outcomes["libvirtd"]) | set(outcomes["virtrio"]))
    same = 0
    for name in names:
        theirs, ours = outcomes["libvirtd"].get(name, "missing"), outcomes["virtrio"].get(name, "missing")
        same += theirs == ours
        print(f"{'SAME' if theirs == ours else 'DIFF'} {name}: libvirtd {theirs}, virtrio {ours}")
    print(f"same {same}/{len(names)}")
    return 0
