"""The virtrio daemon command: sockets, socket activation, config, timeout, shutdown."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .daemon_process import DaemonProcess, RawClient, start_daemon, virsh, wait_for_socket


def test_sockets_and_their_modes(daemon: DaemonProcess) -> None:
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (daemon.rw, daemon.ro, daemon.admin)}
    assert modes == {"libvirt-sock": 0o700, "libvirt-sock-ro": 0o777, "libvirt-admin-sock": 0o700}
    printed = daemon.log()
    assert f"virsh -c 'test+unix:///default?socket={daemon.rw}' list --all" in printed


def test_sigterm_the_moment_the_sockets_appear_is_a_clean_shutdown(tmp_path: Path) -> None:
    """The sockets exist before the daemon's event loop watches signals; a SIGTERM in
    between must still end it cleanly (exit 0, socket files removed)."""
    for attempt in range(8):
        process = start_daemon(tmp_path / f"run{attempt}", wait=False)
        deadline = time.monotonic() + 30
        while not process.admin.exists() and time.monotonic() < deadline:  # no sleep: hit the window
            pass
        process.process.send_signal(signal.SIGTERM)
        assert process.process.wait(timeout=30) == 0, process.log()
        assert not process.rw.exists() and not process.ro.exists() and not process.admin.exists()


def test_refuses_to_start_beside_a_live_daemon_and_replaces_a_stale_socket(daemon: DaemonProcess) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "virtrio.server.cli", "daemon", "--socket-dir", str(daemon.directory)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 1
    assert f"another daemon is already listening on {daemon.directory}/libvirt-sock" in second.stderr
    assert virsh(daemon, "domstate", "test").returncode == 0  # the first one is untouched


def test_stale_socket_files_are_replaced(tmp_path: Path) -> None:
    directory = tmp_path / "stale"
    directory.mkdir()
    for name in ("libvirt-sock", "libvirt-sock-ro"):
        stale = socket.socket(socket.AF_UNIX)
        stale.bind(str(directory / name))
        stale.close()  # the file stays, nobody listens
    process = start_daemon(directory)
    try:
        assert virsh(process, "domstate", "test").stdout.strip() == "running"
    finally:
        assert process.stop() == 0


def test_sigint_and_sigterm_close_clients_and_remove_sockets(tmp_path: Path) -> None:
    for number in (signal.SIGINT, signal.SIGTERM):
        process = start_daemon(tmp_path / f"sig{number}")
        client = RawClient(process.rw)
        client.open()
        process.process.send_signal(number)
        assert process.process.wait(timeout=20) == 0
        assert client.is_closed()
        assert not any(process.directory.iterdir())


def test_timeout_exits_when_idle(tmp_path: Path) -> None:
    process = start_daemon(tmp_path / "idle", "--timeout", "2", "--verbose")
    client = RawClient(process.rw)
    client.open()
    time.sleep(3)
    assert process.process.poll() is None, "a connected client keeps the daemon alive"
    client.close()
    assert process.process.wait(timeout=20) == 0
    assert "no clients for 2.0 seconds" in process.log()


def test_config_file(tmp_path: Path) -> None:
    config = """
    # libvirtd.conf syntax
    unix_sock_rw_perms = "0770"
    unix_sock_ro_perms = "0755"
    max_client_requests = 10
    keepalive_interval = 3
    log_filters = "3:rpc 1:virtrio.server"
    log_outputs = "2:stderr"
    ovs_timeout = 5
    auth_unix_rw = "none"
    max_clientz = 3
    """
    process = start_daemon(tmp_path / "conf", config=config)
    try:
        assert stat.S_IMODE(process.rw.stat().st_mode) == 0o770
        assert stat.S_IMODE(process.ro.stat().st_mode) == 0o755
        assert virsh(process, "domstate", "test").returncode == 0
        log = process.log()
        assert "conf.conf:9: libvirtd setting ovs_timeout ignored: virtrio does not drive Open vSwitch" in log
        assert "conf.conf:11: unknown setting max_clientz, ignored" in log
        assert "connected on rw socket" in log  # info level, from the filter and the output
    finally:
        assert process.stop() == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('max_clients = "many"\n', "max_clients on line 1: expected a number"),
        ("\n\nunix_sock_rw_perms = 700\n", "unix_sock_rw_perms on line 3: expected an octal mode"),
        ("log_level = 9\n", "log_level on line 1: expected 1 to 4"),
        ("max_clients 5\n", "line 1: expected '=' after max_clients"),
        ('fault_rules = ["DOMAIN_SUSPEND sometimes"]\n', "cannot read 'sometimes'"),
    ],
)
def test_bad_config_values_name_the_key_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.conf"
    path.write_text(text)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "virtrio.server.cli",
            "daemon",
            "--socket-dir",
            str(tmp_path / "s"),
            "--config",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "s" / "libvirt-sock").exists()


def activation_command(*sockets: tuple[Path, str], extra: tuple[str, ...] = ()) -> list[str]:
    command = ["systemd-socket-activate"]
    for path, name in sockets:
        command += ["-l", str(path), f"--fdname={name}"]
    return [*command, sys.executable, "-m", "virtrio.server.cli", "daemon", *extra]


@pytest.mark.parametrize("names", [("virtrio.socket", "virtrio-ro.socket"), ("libvirtd.socket", "libvirtd-ro.socket")])
def test_socket_activation(tmp_path: Path, names: tuple[str, str]) -> None:
    directory = tmp_path / "activated"
    directory.mkdir()
    rw, ro = directory / "libvirt-sock", directory / "libvirt-sock-ro"
    with open(tmp_path / "activation.log", "wb") as log:
        process = subprocess.Popen(
            activation_command((rw, names[0]), (ro, names[1]), extra=("--socket-dir", str(tmp_path / "unused"))),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_socket(rw, process)
        result = subprocess.run(
            ["virsh", "-c", f"test+unix:///default?socket={rw}", "list", "--all"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr + (tmp_path / "activation.log").read_text()
        assert " 1    test   running" in result.stdout
        result = subprocess.run(
            ["virsh", "-r", "-c", f"test+unix:///default?socket={ro}", "suspend", "test"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "read only access prevents virDomainSuspend" in result.stderr
        assert not (tmp_path / "unused").exists(), "with sockets passed in, no other socket is made"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def test_socket_activation_with_one_unnamed_socket(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with open(tmp_path / "activation.log", "wb") as log:
        process = subprocess.Popen(
            [
                "systemd-socket-activate",
                "-l",
                str(path),
                sys.executable,
                "-m",
                "virtrio.server.cli",
                "daemon",
                "--timeout",
                "30",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_socket(path, process)
        result = subprocess.run(
            ["virsh", "-c", f"test+unix:///default?socket={path}", "version"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert os.path.exists(path) or True  # the socket file belongs to systemd-socket-activate
