"""TCP and TLS sockets passed by systemd (our names and libvirtd's) and made by --listen on
IPv6: TLS is served with the certificates, a passed TCP socket asks for SASL (auth_tcp's
default) instead of serving anyone unauthenticated."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from interop.daemons import stop_process
from tests.interop.test_tls import free_port, pki, tls_config


def virsh(uri: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["virsh", "-c", uri, *arguments], capture_output=True, text=True, timeout=60)


def certificates(folder: Path, *names: str) -> Path:
    pki("ca", "--dir", str(folder))
    server_names = [item for name in names for item in ("--name", name)]
    pki("server", "--dir", str(folder), *server_names)
    pki("client", "--dir", str(folder))
    return folder


def test_activated_tls_and_tcp_sockets(tmp_path: Path) -> None:
    pkipath = certificates(tmp_path / "pki", "127.0.0.1")
    tls_port, tcp_port = free_port(), free_port()
    config = tmp_path / "virtrio.conf"
    config.write_text(tls_config({"server": pkipath}, 0))  # the ports come from systemd
    rw = tmp_path / "libvirt-sock"
    names = "virtrio.socket:libvirtd-tls.socket:virtrio-tcp.socket"
    command = [
        "systemd-socket-activate",
        "-l",
        str(rw),
        "-l",
        f"127.0.0.1:{tls_port}",
        "-l",
        f"127.0.0.1:{tcp_port}",
        f"--fdname={names}",
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
        for _ in range(100):
            if rw.exists():
                break
            time.sleep(0.1)
        served = virsh(f"test+tls://127.0.0.1:{tls_port}/default?pkipath={pkipath}", "list")
        assert served.returncode == 0, (served.stderr, log_path.read_text())
        assert "test" in served.stdout
        refused = virsh(f"test+tcp://127.0.0.1:{tcp_port}/default", "list")
        assert refused.returncode == 1
        assert "authentication failed" in refused.stderr, refused.stderr
    finally:
        stop_process(process)


def test_listen_on_ipv6_loopback(tmp_path: Path) -> None:
    pkipath = certificates(tmp_path / "pki", "::1")
    port = free_port()
    config = tmp_path / "virtrio.conf"
    config.write_text(tls_config({"server": pkipath}, port).replace('listen_addr = "127.0.0.1"', 'listen_addr = "::1"'))
    command = [
        sys.executable,
        "-m",
        "virtrio.server.cli",
        "daemon",
        "--listen",
        "-f",
        str(config),
        "--socket-dir",
        str(tmp_path / "s"),
    ]
    with open(tmp_path / "daemon.log", "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while b"listening for TLS" not in (tmp_path / "daemon.log").read_bytes():
            assert time.monotonic() < deadline and process.poll() is None, (tmp_path / "daemon.log").read_text()
            time.sleep(0.05)
        result = virsh(f"test+tls://[::1]:{port}/default?pkipath={pkipath}", "list")
        assert result.returncode == 0, result.stderr
        assert "test" in result.stdout
    finally:
        stop_process(process)


def test_handshakes_in_progress_are_bounded(tmp_path: Path) -> None:
    """max_anonymous_clients = 1: while one client stalls in its handshake, the next waits
    in the backlog (as libvirtd stops accepting) and is served once the stalled one is dropped."""
    pkipath = certificates(tmp_path / "pki", "127.0.0.1")
    port = free_port()
    config = tmp_path / "virtrio.conf"
    config.write_text(tls_config({"server": pkipath}, port, "max_anonymous_clients = 1\ntls_handshake_timeout = 2\n"))
    command = [
        sys.executable,
        "-m",
        "virtrio.server.cli",
        "daemon",
        "--listen",
        "-f",
        str(config),
        "--socket-dir",
        str(tmp_path / "s"),
    ]
    with open(tmp_path / "daemon.log", "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while b"listening for TLS" not in (tmp_path / "daemon.log").read_bytes():
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        uri = f"test+tls://127.0.0.1:{port}/default?pkipath={pkipath}"
        assert virsh(uri, "list").returncode == 0  # the slot is given back after each handshake
        with socket.create_connection(("127.0.0.1", port)) as stalled:
            stalled.sendall(b"\x16\x03\x01")
            time.sleep(0.2)
            started = time.monotonic()
            result = virsh(uri, "list")
            waited = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        assert 1.0 < waited < 6, waited
    finally:
        stop_process(process)


def test_no_verify_certificate_serves_a_foreign_client_certificate(tmp_path: Path) -> None:
    pkipath = certificates(tmp_path / "pki", "127.0.0.1")
    foreign = tmp_path / "foreign"
    pki("ca", "--dir", str(foreign), "--organization", "Elsewhere")
    pki("client", "--dir", str(foreign), "--organization", "Elsewhere")
    # libvirt's client checks its own certificate against its CA: the foreign CA here, so the
    # client skips checking the server (no_verify=1) and only the server's rule decides.
    outcomes = {}
    for no_verify in (0, 1):
        port = free_port()
        config = tmp_path / f"virtrio-{no_verify}.conf"
        config.write_text(tls_config({"server": pkipath}, port, f"tls_no_verify_certificate = {no_verify}\n"))
        log_path = tmp_path / f"daemon-{no_verify}.log"
        command = [
            sys.executable,
            "-m",
            "virtrio.server.cli",
            "daemon",
            "--listen",
            "-f",
            str(config),
            "--socket-dir",
            str(tmp_path / f"s{no_verify}"),
        ]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while b"listening for TLS" not in log_path.read_bytes():
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)
            outcomes[no_verify] = virsh(
                f"test+tls://127.0.0.1:{port}/default?pkipath={foreign}&no_verify=1", "list"
            ).returncode
        finally:
            stop_process(process)
    assert outcomes == {0: 1, 1: 0}
