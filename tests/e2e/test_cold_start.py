"""Cold start: a socket-activated daemon that only serves node devices loads only what they need."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

from .daemon_process import wait_for_socket

# Modules a nodedev-only daemon has no use for: the test driver, lxml (the test driver's XML),
# and the generated modules of programs nobody called (qemu, lxc).
NOT_NEEDED = re.compile(r"^(virtrio\.drivers\.test(\..*)?|lxml(\..*)?|virtrio\.protocol\.generated\.(qemu|lxc))$")


def imported_modules(stderr: str) -> set[str]:
    """Module names from Python's -X importtime report."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name)
    return names


def run_activated(tmp_path: Path, *virsh: tuple[str, ...]) -> tuple[set[str], list[str]]:
    sock = tmp_path / "libvirt-sock"
    log = tmp_path / "daemon.err"
    with log.open("w") as err:
        # -E hands the daemon PYTHONPROFILEIMPORTTIME: every module it loads is reported on stderr.
        activator = subprocess.Popen(
            ["systemd-socket-activate", "-l", str(sock), "--fdname=virtrio.socket", "-EPYTHONPROFILEIMPORTTIME=1",
             sys.executable, "-m", "virtrio.server.cli", "daemon", "--timeout", "30"],
            stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
        outputs = []
        try:
            wait_for_socket(sock, activator)
            for uri, *command in virsh:
                scheme, rest = uri.split(":", 1)
                done = subprocess.run(["virsh", "-c", f"{scheme}+unix:{rest}?socket={sock}", *command],
                                      capture_output=True, text=True, timeout=60)  # fmt: skip
                assert done.returncode == 0, done.stderr
                outputs.append(done.stdout)
        finally:
            activator.send_signal(signal.SIGTERM)
            activator.wait(timeout=20)
    return imported_modules(log.read_text()), outputs


def test_nodedev_only_daemon_imports_no_test_driver_lxml_or_unused_programs(tmp_path: Path) -> None:
    modules, outputs = run_activated(tmp_path, ("nodedev:///system", "nodedev-list"))
    assert "computer" in outputs[0].split()
    assert "virtrio.drivers.nodedev.driver" in modules  # the report covers the daemon's imports
    assert "virtrio.protocol.generated.remote" in modules
    unneeded = sorted(name for name in modules if NOT_NEEDED.match(name))
    assert unneeded == []


def test_the_same_check_sees_the_test_driver_once_it_is_used(tmp_path: Path) -> None:
    # The check above can fail: a test:/// call makes the daemon load the test driver and lxml.
    modules, outputs = run_activated(tmp_path, ("nodedev:///system", "nodedev-list"), ("test:///default", "list"))
    assert "test" in outputs[1]
    assert "virtrio.drivers.test.driver" in modules
    assert any(name == "lxml" or name.startswith("lxml.") for name in modules)
