"""The daemon as systemd runs it: socket activation with the shipped units' names, sd_notify,
SIGHUP re-reading the settings file, a pid file, and the units themselves."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from interop.daemons import stop_process

UNITS = Path(__file__).resolve().parents[2] / "systemd"
SOCKET_FILES = {
    "libvirt-sock": "virtrio.socket",
    "libvirt-sock-ro": "virtrio-ro.socket",
    "libvirt-admin-sock": "virtrio-admin.socket",
}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in systemd units
    parser.read(UNITS / name)
    return parser


def admin(socket_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    uri = f"libvirtd:///system?socket={socket_dir / 'libvirt-admin-sock'}"
    return subprocess.run(["virt-admin", "-c", uri, *arguments], capture_output=True, text=True, timeout=30)


def receive(notify: socket.socket, wanted: str, timeout: float = 20) -> str:
    """Datagrams until one carries the wanted line; all text seen, for the failure message."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        notify.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            message = notify.recv(4096).decode()
        except TimeoutError:
            break
        seen.append(message)
        if wanted in message.splitlines():
            return message
    raise AssertionError(f"no {wanted} among {seen}")


def test_shipped_units_fit_libvirtds_layout() -> None:
    service = unit("virtrio.service")
    assert service["Service"]["Type"] == "notify"
    assert "kill -HUP" in service["Service"]["ExecReload"]
    expected = {
        "virtrio.socket": "/run/libvirt/libvirt-sock",
        "virtrio-ro.socket": "/run/libvirt/libvirt-sock-ro",
        "virtrio-admin.socket": "/run/libvirt/libvirt-admin-sock",
        "virtrio-tcp.socket": "16509",
        "virtrio-tls.socket": "16514",
    }
    for name, listen in expected.items():
        section = unit(name)["Socket"]
        assert section["ListenStream"] == listen and section["Service"] == "virtrio.service"
        assert section["FileDescriptorName"] == name
    analyze = shutil.which("systemd-analyze")
    if analyze:  # systemd's own reading of the files (ExecStart's path need not exist here)
        result = subprocess.run(
            [analyze, "verify", *(str(p) for p in sorted(UNITS.iterdir()))], capture_output=True, text=True, timeout=60
        )
        problems = [
            line for line in result.stderr.splitlines() if "virtrio" in line and "/usr/local/bin/virtrio" not in line
        ]
        assert not problems, result.stderr


def test_socket_activated_daemon_notifies_and_reloads_on_sighup(tmp_path: Path) -> None:
    socket_dir = tmp_path / "run"
    socket_dir.mkdir()
    config = tmp_path / "virtrio.conf"
    config.write_text('log_filters = "3:rpc"\nmax_clients = 100\nunix_sock_ro_perms = "0777"\n')
    notify_path = tmp_path / "notify"
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(notify_path))
    listen = []
    for file_name in SOCKET_FILES:
        listen += ["-l", str(socket_dir / file_name)]
    # The names systemd would pass: each unit's FileDescriptorName, in the order of -l.
    names = ":".join(unit(SOCKET_FILES[f])["Socket"]["FileDescriptorName"] for f in SOCKET_FILES)
    command = [
        "systemd-socket-activate",
        *listen,
        f"--fdname={names}",
        "-E",
        f"NOTIFY_SOCKET={notify_path}",
        sys.executable,
        "-m",
        "virtrio.server.cli",
        "daemon",
        "-f",
        str(config),
    ]
    log_path = tmp_path / "daemon.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):  # the listening sockets exist before the daemon starts
            if (socket_dir / "libvirt-admin-sock").exists():
                break
            time.sleep(0.1)
        shown = admin(socket_dir, "daemon-log-filters")  # the first connection starts the daemon
        assert shown.returncode == 0, (shown.stderr, log_path.read_text())
        assert "Logging filters: 3:*rpc* \n" in shown.stdout
        ready = receive(notify, "READY=1")
        assert f"MAINPID={process.pid}" in ready
        config.write_text('log_filters = "1:rpc 4:virtrio.drivers"\nmax_clients = 7\nunix_sock_ro_perms = "0700"\n')
        os.kill(process.pid, signal.SIGHUP)
        receive(notify, "RELOADING=1")
        receive(notify, "READY=1")
        shown = admin(socket_dir, "daemon-log-filters")
        assert "Logging filters: 1:*rpc* 4:*virtrio.drivers* \n" in shown.stdout, shown
        limits = admin(socket_dir, "srv-clients-info", "libvirtd")
        assert re.search(r"nclients_max\s*: 7\n", limits.stdout), limits
        assert process.poll() is None, "SIGHUP ended the daemon"
        process.send_signal(signal.SIGTERM)
        receive(notify, "STOPPING=1")
        assert process.wait(timeout=20) == 0
    finally:
        stop_process(process)
        notify.close()
    # What cannot change while running is named in the log.
    assert "unix_sock_ro_perms changed; it takes effect when the daemon restarts" in log_path.read_text()


def test_pid_file_is_written_locked_and_removed(tmp_path: Path) -> None:
    pid_file = tmp_path / "sub" / "virtrio.pid"
    first_dir, second_dir = tmp_path / "a", tmp_path / "b"
    base = [sys.executable, "-m", "virtrio.server.cli", "daemon", "-p", str(pid_file)]
    first = subprocess.Popen(
        [*base, "--socket-dir", str(first_dir)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        for _ in range(200):
            if (first_dir / "libvirt-sock").exists():
                break
            time.sleep(0.05)
        assert pid_file.read_text() == f"{first.pid}\n"
        second = subprocess.run([*base, "--socket-dir", str(second_dir)], capture_output=True, text=True, timeout=30)
        assert second.returncode == 1
        assert second.stderr == f"virtrio: {pid_file}: another daemon (PID {first.pid}) is running and holds it\n"
        assert not (second_dir / "libvirt-sock").exists()
    finally:
        stop_process(first)
    assert not pid_file.exists()


def test_background_daemon_returns_once_serving(tmp_path: Path) -> None:
    pid_file = tmp_path / "virtrio.pid"
    socket_dir = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "virtrio.server.cli",
            "daemon",
            "-d",
            "-t",
            "2",
            "-p",
            str(pid_file),
            "--socket-dir",
            str(socket_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    pid = int(pid_file.read_text())
    assert (socket_dir / "libvirt-sock").exists()  # served before the command returned
    listed = subprocess.run(
        ["virsh", "-c", f"test+unix:///default?socket={socket_dir / 'libvirt-sock'}", "list", "--name"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert listed.stdout.split() == ["test"]
    deadline = time.monotonic() + 20  # -t 2: it ends by itself once idle
    while time.monotonic() < deadline and pid_file.exists():
        time.sleep(0.1)
    assert not pid_file.exists()
    while time.monotonic() < deadline:  # the file goes just before the process
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"the background daemon {pid} is still running")


def test_flags_version_help_and_unknown_flag() -> None:
    run = [sys.executable, "-m", "virtrio.server.cli"]
    version = subprocess.run([*run, "daemon", "-V"], capture_output=True, text=True, timeout=30)
    assert version.returncode == 0 and re.fullmatch(
        r"virtrio \(virtrio\) \S+, libvirt protocol 9\.0\.0\n", version.stdout
    )
    shown = subprocess.run([*run, "daemon", "--help"], capture_output=True, text=True, timeout=30).stdout
    for text in (
        "-t SECS, --timeout SECS",
        "-f FILE, --config FILE",
        "-p FILE, --pid-file FILE",
        "-d, --daemon",
        "/etc/virtrio/virtrio.conf",
        "/run/virtrio.pid",
        "/run/libvirt",
        "SIGHUP",
    ):
        assert text in shown
    unknown = subprocess.run([*run, "daemon", "--bogus"], capture_output=True, text=True, timeout=30)
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("usage: virtrio daemon ")
    assert unknown.stderr.endswith("virtrio daemon: error: unrecognized arguments: --bogus\n")


def test_man_page_lists_every_flag() -> None:
    from virtrio.server.cli import build_parser

    page = (UNITS.parent / "man" / "virtrio.8").read_text().replace("\\-", "-")
    _, daemon = build_parser()
    flags = [flag for action in daemon._actions for flag in action.option_strings if flag not in ("-h", "--help")]
    assert len(flags) >= 12
    missing = [flag for flag in flags if re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", page) is None]
    assert not missing, missing
