"""virt-admin's write commands against virtrio and libvirtd side by side: each change is read
back the same way from both, and each refused value fails with the same message."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from interop.daemons import RunningDaemon
from tests.e2e.daemon_process import RawClient
from tests.interop.side_by_side import started_side_by_side


@pytest.fixture
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, RunningDaemon]]:
    """Fresh daemons per test: the tests change daemon-wide settings."""
    with started_side_by_side(tmp_path_factory.mktemp("admin-writes")) as daemons:
        yield daemons


def admin(daemon: RunningDaemon, *arguments: str) -> subprocess.CompletedProcess[str]:
    uri = f"libvirtd:///system?socket={daemon.admin}"
    return subprocess.run(["virt-admin", "-c", uri, *arguments], capture_output=True, text=True, timeout=60)


def same(pair: dict[str, RunningDaemon], *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run a command against both; the exit codes and error texts must match. Returns virtrio's."""
    results = {name: admin(daemon, *arguments) for name, daemon in pair.items()}
    ours, theirs = results["virtrio"], results["libvirtd"]
    assert ours.returncode == theirs.returncode, (arguments, ours.stderr, theirs.stderr)
    assert ours.stderr == theirs.stderr, arguments
    return ours


def fields(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r"^\s*(\w+)\s*:\s*(.*?)\s*$", text, re.M)}


def test_threadpool_set_is_read_back(pair: dict[str, RunningDaemon]) -> None:
    assert (
        same(
            pair,
            "srv-threadpool-set",
            "libvirtd",
            "--min-workers",
            "2",
            "--max-workers",
            "8",
            "--priority-workers",
            "3",
        ).returncode
        == 0
    )
    for daemon in pair.values():
        info = fields(admin(daemon, "srv-threadpool-info", "libvirtd").stdout)
        assert (info["minWorkers"], info["maxWorkers"], info["prioWorkers"]) == ("2", "8", "3"), daemon.name
    refused = same(pair, "srv-threadpool-set", "libvirtd", "--min-workers", "9")
    assert refused.returncode == 1 and "minWorkers cannot be larger than maxWorkers" in refused.stderr
    refused = same(pair, "srv-threadpool-set", "libvirtd", "--min-workers", "0", "--max-workers", "0")
    assert refused.returncode == 1 and "must not be switched from zero to non-zero" in refused.stderr
    assert same(pair, "srv-threadpool-set", "nosuch", "--max-workers", "4").returncode == 1


def test_client_limits_set_is_read_back_and_enforced(pair: dict[str, RunningDaemon]) -> None:
    assert same(pair, "srv-clients-set", "libvirtd", "--max-clients", "10", "--max-unauth-clients", "5").returncode == 0
    for daemon in pair.values():
        info = fields(admin(daemon, "srv-clients-info", "libvirtd").stdout)
        assert (info["nclients_max"], info["nclients_unauth_max"]) == ("10", "5"), daemon.name
    refused = same(pair, "srv-clients-set", "libvirtd", "--max-clients", "4")
    assert refused.returncode == 1 and "must not be less than the overall maximum" in refused.stderr
    # The new limit applies at once: with max 1, a second client waits unanswered.
    assert same(pair, "srv-clients-set", "libvirtd", "--max-unauth-clients", "0", "--max-clients", "1").returncode == 0
    daemon = pair["virtrio"]
    first = RawClient(daemon.rw)
    first.open()
    try:
        second = subprocess.Popen(
            ["virsh", "-c", daemon.uri(), "list", "--name"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        time.sleep(1.5)
        assert second.poll() is None, "a client beyond max_clients was served"
        # the admin server counts its own clients: virt-admin still gets in
        info = fields(admin(daemon, "srv-clients-info", "libvirtd").stdout)
        assert info["nclients"] == "1", info
    finally:
        first.close()
    out, err = second.communicate(timeout=30)
    assert second.returncode == 0 and "test" in out, err


def test_log_filters_and_outputs_are_read_back(pair: dict[str, RunningDaemon], tmp_path: Path) -> None:
    assert same(pair, "daemon-log-filters", "1:rpc 3:+util 4:remote").returncode == 0
    shown = {name: admin(daemon, "daemon-log-filters").stdout for name, daemon in pair.items()}
    assert shown["virtrio"] == shown["libvirtd"]
    assert "Logging filters: 1:*rpc* 3:*util* 4:*remote* \n" in shown["virtrio"]
    for text, message in [
        ("1", "Malformed format for filter '1'"),
        ("7:rpc", "Invalid priority '7' for filter '7:rpc'"),
        ("1:+", "Invalid match string '+'"),
    ]:
        refused = same(pair, "daemon-log-filters", text)
        assert refused.returncode == 1 and message in refused.stderr
    for name, daemon in pair.items():
        target = tmp_path / f"{name}.log"
        assert admin(daemon, "daemon-log-outputs", f"2:stderr 1:file:{target}").returncode == 0
        shown = admin(daemon, "daemon-log-outputs").stdout
        assert f"Logging outputs: 2:stderr 1:file:{target}" in shown, name
        # Takes effect at once: the file exists and receives lines (debug level).
        admin(daemon, "srv-list")
        assert target.exists(), name
    for text, message in [
        ("x:stderr", "Invalid log priority 'x' for log output 'x:stderr'"),
        ("1:nowhere", "Invalid log destination 'nowhere' for log output '1:nowhere'"),
        ("1:file", "Log output '1:file' does not meet the format requirements for destination type 'file'"),
        ("1:stderr:x", "does not meet the format requirements for destination type 'stderr'"),
        ("stderr", "Malformed format for log output 'stderr'"),
        ("1:file:/nonexistent/dir/x.log", "failed to open /nonexistent/dir/x.log: No such file or directory"),
    ]:
        refused = same(pair, "daemon-log-outputs", text)
        assert refused.returncode == 1 and message in refused.stderr, text
    # Clearing the filters gives the empty list back on both.
    assert same(pair, "daemon-log-filters", "").returncode == 0
    shown = {name: admin(daemon, "daemon-log-filters").stdout for name, daemon in pair.items()}
    assert shown["virtrio"] == shown["libvirtd"] and "1:" not in shown["virtrio"]


def test_client_disconnect(pair: dict[str, RunningDaemon]) -> None:
    for daemon in pair.values():
        holder = RawClient(daemon.rw)
        holder.open()
        listed = admin(daemon, "srv-clients-list", "libvirtd").stdout
        client_id = re.search(r"^\s*(\d+)\s+unix", listed, re.M).group(1)
        assert admin(daemon, "client-disconnect", "libvirtd", client_id).returncode == 0
        assert holder.is_closed(), daemon.name
        assert not re.search(rf"^\s*{client_id}\s+unix", admin(daemon, "srv-clients-list", "libvirtd").stdout, re.M)
    missing = same(pair, "client-disconnect", "libvirtd", "999999")
    assert missing.returncode == 1 and "No client with matching ID '999999'" in missing.stderr


def test_daemon_timeout_ends_an_idle_daemon(pair: dict[str, RunningDaemon]) -> None:
    assert same(pair, "daemon-timeout", "--timeout", "1").returncode == 0
    deadline = time.monotonic() + 15
    for daemon in pair.values():
        while daemon.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert daemon.process.poll() is not None, f"{daemon.name} kept running past its timeout"
