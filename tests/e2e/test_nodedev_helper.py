"""The enumeration helper process a udev daemon forks at start (drivers/nodedev/prefetch.py)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .daemon_process import DaemonProcess, RawClient, decode_error, start_daemon, u32
from .test_nodedev import LIST_ALL, listed_names

# Enumerates through the helper and in-process, in one fresh interpreter (fork needs no threads).
COMPARE = """
import json, trio
from virtrio.drivers.nodedev import prefetch
from virtrio.drivers.nodedev.devices import KEPT_SUBSYSTEMS, capability_of
from virtrio.drivers.nodedev.sources import UdevSource

prefetch.start()
async def helper_records():
    helper = prefetch.take()
    try:
        return await helper.records()
    finally:
        await helper.stop()
from_helper = trio.run(helper_records)
in_process = UdevSource().enumerate(lambda r: capability_of(r) is not None, KEPT_SUBSYSTEMS)
print(json.dumps({"helper": [repr(r) for r in from_helper], "in_process": [repr(r) for r in in_process]}))
"""


def helper_of(daemon: DaemonProcess) -> int:
    """The daemon's one child process: the helper."""
    pid = daemon.process.pid
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if children:
            assert len(children) == 1, children
            return int(children[0])
        time.sleep(0.05)
    raise AssertionError("the daemon forked no helper")


def socket_inodes(pid: int) -> set[str]:
    links = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(OSError):
            links.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
    return {link for link in links if link.startswith("socket:")}


def test_the_helpers_records_equal_an_in_process_enumeration() -> None:
    done = subprocess.run([sys.executable, "-c", COMPARE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert len(result["helper"]) > 3  # real devices of this machine, not an empty answer
    assert result["helper"] == result["in_process"]


def test_calls_wait_for_the_helpers_enumeration(tmp_path: Path) -> None:
    daemon = start_daemon(tmp_path / "slow", "--verbose", config="nodedev_enumeration_delay = 2\n")
    try:
        helper = helper_of(daemon)
        # The helper holds none of the daemon's sockets (listeners), only its own.
        assert not socket_inodes(helper) & socket_inodes(daemon.process.pid)
        client = RawClient(daemon.rw, timeout=30)
        client.open("nodedev:///system")
        started = time.monotonic()
        first = listed_names(client)
        assert time.monotonic() - started > 1  # it waited for the helper's enumeration
        assert len(first) > 3
        later = RawClient(daemon.rw)
        later.open("nodedev:///system")
        assert first == listed_names(later)
    finally:
        assert daemon.stop() == 0
    # Stopping the daemon ends and reaps its helper: no process is left behind.
    assert not Path(f"/proc/{helper}").exists()
    assert "node device enumeration done" in daemon.log()


def test_a_helper_that_dies_gives_callers_a_clear_error(tmp_path: Path) -> None:
    daemon = start_daemon(tmp_path / "dies", config="nodedev_enumeration_delay = 5\n")
    try:
        helper = helper_of(daemon)
        client = RawClient(daemon.rw, timeout=30)
        client.open("nodedev:///system")
        os.kill(helper, signal.SIGKILL)
        started = time.monotonic()
        reply = client.call(LIST_ALL, u32(1) + u32(0))
        assert time.monotonic() - started < 3  # at once, not after nodedev_wait_timeout
        error = decode_error(reply)
        assert (error.code, error.domain) == (1, 22)  # VIR_ERR_INTERNAL_ERROR, VIR_FROM_NODEDEV
        assert error.message == (
            "internal error: node device enumeration failed: the enumeration helper was killed by signal 9"
        )
        time.sleep(0.2)
        assert not Path(f"/proc/{helper}").exists()  # reaped: no zombie
    finally:
        assert daemon.stop() == 0
    assert "node device enumeration failed: the enumeration helper was killed by signal 9" in daemon.log()


def test_a_daemon_that_fails_to_start_leaves_no_helper(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    config = tmp_path / "slow.conf"
    config.write_text("nodedev_enumeration_delay = 10\n")  # a helper left behind would linger
    command = ["daemon", "--config", str(config), "--socket-dir", str(not_a_folder / "sub")]
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "virtrio.server.cli", *command], capture_output=True, text=True, timeout=60
    )
    assert time.monotonic() - started < 5  # nothing held the output pipes open
    assert done.returncode == 1 and "virtrio: cannot make the socket folder" in done.stderr
    time.sleep(0.2)
    leftovers = subprocess.run(["pgrep", "-f", str(not_a_folder)], capture_output=True, text=True)
    assert leftovers.stdout == ""


def test_a_stop_that_signals_the_whole_unit_is_clean(tmp_path: Path) -> None:
    # systemd stops a unit by sending SIGTERM to each of its processes: the helper leaves the
    # stop to the daemon and ends when the daemon does, so nothing is logged as failing.
    daemon = start_daemon(tmp_path / "unit")
    helper = helper_of(daemon)
    client = RawClient(daemon.rw, timeout=30)
    client.open("nodedev:///system")
    assert len(listed_names(client)) > 3
    os.kill(helper, signal.SIGTERM)
    time.sleep(0.5)  # the daemon's own SIGTERM may come a little later
    assert Path(f"/proc/{helper}").exists()
    assert daemon.stop() == 0  # stop_process sends SIGTERM and waits
    deadline = time.monotonic() + 5
    while Path(f"/proc/{helper}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{helper}").exists()
    assert "ERROR" not in daemon.log(), daemon.log()
