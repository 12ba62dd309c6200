"""SASL SCRAM-SHA-256 as stock virsh and virt-admin see it: libvirt's auth.conf credentials
through Debian's Cyrus client modules, over a unix socket with auth_unix_rw = "sasl", over
TLS with auth_tls = "sasl"; refused on plain TCP (no security layer); a wrong password and a
user outside sasl_allowed_username_list refused with libvirt's message; a client skipping
authentication gets only the auth procedures; a stalled exchange delays nobody and is dropped."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from interop.daemons import RunningDaemon, remove, start_virtrio
from tests.e2e.daemon_process import RawClient, decode_error
from tests.interop.test_tls import free_port, pki, tls_config, wait_for_port
from virtrio.protocol.generated import remote
from virtrio.rpc.packet import Status


def add_user(database: Path, user: str, password: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "virtrio.server.cli",
            "sasl-passwd",
            "add",
            user,
            "--file",
            str(database),
            "--password-stdin",
        ],
        input=password + "\n",
        text=True,
        check=True,
        capture_output=True,
    )


def auth_file(folder: Path, user: str, password: str, host: str) -> Path:
    path = folder / f"auth-{user}-{password}.conf"
    path.write_text(f"[credentials-c]\nauthname={user}\npassword={password}\n[auth-libvirt-{host}]\ncredentials=c\n")
    return path


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningDaemon, int, int, Path]]:
    """One daemon: the rw unix socket and TLS want SASL; TCP wants SASL too (its default)."""
    base = tmp_path_factory.mktemp("sasl")
    database = base / "sasl-passwd"
    add_user(database, "alice", "wonderland")
    add_user(database, "mallory", "secret")
    certificates = base / "pki"
    pki("ca", "--dir", str(certificates))
    pki("server", "--dir", str(certificates), "--name", "127.0.0.1")
    pki("client", "--dir", str(certificates))
    tls_port, tcp_port = free_port(), free_port()
    config = tls_config({"server": certificates}, tls_port) + (
        f'listen_tcp = 1\ntcp_port = "{tcp_port}"\nauth_unix_rw = "sasl"\nauth_tls = "sasl"\n'
        f'sasl_passwd_file = "{database}"\nsasl_allowed_username_list = ["ali*"]\nsasl_auth_timeout = 2\n'
    )
    daemon = start_virtrio(base / "daemon", config, ("--listen", "--verbose"))
    try:
        wait_for_port(tls_port, daemon)
        yield daemon, tls_port, tcp_port, certificates
    finally:
        daemon.stop()
        remove(base)


def virsh(uri: str, credentials: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, LIBVIRT_AUTH_FILE=str(credentials))
    return subprocess.run(["virsh", "-c", uri, *arguments], capture_output=True, text=True, timeout=60, env=environment)


def unix_uri(daemon: RunningDaemon) -> str:
    return f"test+unix:///default?socket={daemon.rw}"


def test_scram_over_unix_socket(setup, tmp_path: Path) -> None:
    daemon = setup[0]
    result = virsh(unix_uri(daemon), auth_file(tmp_path, "alice", "wonderland", "localhost"), "list")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^\s*1\s+test\s+running", result.stdout, re.M)
    assert "authenticated as alice with SCRAM-SHA-256" in daemon.log()


def test_wrong_password_refused_with_libvirts_message(setup, tmp_path: Path) -> None:
    result = virsh(unix_uri(setup[0]), auth_file(tmp_path, "alice", "looking-glass", "localhost"), "list")
    assert result.returncode == 1
    assert "error: authentication failed: authentication failed" in result.stderr


def test_user_outside_allowed_list_refused(setup, tmp_path: Path) -> None:
    result = virsh(unix_uri(setup[0]), auth_file(tmp_path, "mallory", "secret", "localhost"), "list")
    assert result.returncode == 1
    assert "error: authentication failed: authentication failed" in result.stderr
    assert "'mallory' not allowed by sasl_allowed_username_list" in setup[0].log()


def test_scram_over_tls_and_client_info(setup, tmp_path: Path) -> None:
    daemon, tls_port, _tcp, certificates = setup
    uri = f"test+tls://127.0.0.1:{tls_port}/default?pkipath={certificates}"
    # openAuth: credentials come from auth.conf; the callback is asked for none of them.
    script = (
        "import libvirt, sys\n"
        "kinds = [libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE]\n"
        "conn = libvirt.openAuth(sys.argv[1], [kinds, lambda credentials, data: -1, None], 0)\n"
        "print(conn.numOfDomains(), flush=True)\n"
        "sys.stdin.read()\n"
    )
    environment = dict(os.environ, LIBVIRT_AUTH_FILE=str(auth_file(tmp_path, "alice", "wonderland", "127.0.0.1")))
    client = subprocess.Popen(
        ["/usr/bin/python3", "-c", script, uri],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        assert client.stdout is not None and client.stdout.readline().strip() == "1"
        admin_uri = f"libvirtd:///system?socket={daemon.admin}"
        listing = subprocess.run(
            ["virt-admin", "-c", admin_uri, "srv-clients-list", "libvirtd"], capture_output=True, text=True, check=True
        ).stdout
        (client_id,) = re.findall(r"^\s*(\d+)\s+tls\s", listing, re.M)
        info = subprocess.run(
            ["virt-admin", "-c", admin_uri, "client-info", "libvirtd", client_id],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert re.search(r"^sasl_user_name\s*: alice$", info, re.M), info
        assert re.search(r"^transport\s*: tls$", info, re.M), info
    finally:
        client.communicate("", timeout=30)


def test_plain_tcp_refuses_scram(setup, tmp_path: Path) -> None:
    tcp_port = setup[2]
    credentials = auth_file(tmp_path, "alice", "wonderland", "127.0.0.1")
    result = virsh(f"test+tcp://127.0.0.1:{tcp_port}/default", credentials, "list")
    assert result.returncode == 1
    assert "authentication failed" in result.stderr


def test_skipping_auth_gets_only_auth_procedures(setup) -> None:
    client = RawClient(setup[0].rw)
    try:
        auth_list = client.call(remote.REMOTE_PROC_AUTH_LIST)
        assert auth_list.header.status == Status.OK
        assert remote.CODECS["remote_auth_list_ret"].decode(auth_list.payload).types == [remote.REMOTE_AUTH_SASL]
        args = remote.CODECS["remote_connect_open_args"].encode(remote.remote_connect_open_args("test:///default", 0))
        refused = client.call(remote.REMOTE_PROC_CONNECT_OPEN, args)
        assert refused.header.status == Status.ERROR
        error = decode_error(refused)
        assert (error.code, error.domain, error.message) == (39, 7, "authentication required")
    finally:
        client.close()


def test_stalled_exchange_delays_nobody_and_is_dropped(setup, tmp_path: Path) -> None:
    daemon = setup[0]
    stalled = RawClient(daemon.rw)
    try:
        init = stalled.call(remote.REMOTE_PROC_AUTH_SASL_INIT)
        assert init.header.status == Status.OK
        assert remote.CODECS["remote_auth_sasl_init_ret"].decode(init.payload).mechlist == "SCRAM-SHA-256"
        started = time.monotonic()
        result = virsh(unix_uri(daemon), auth_file(tmp_path, "alice", "wonderland", "localhost"), "list")
        assert result.returncode == 0, result.stderr
        assert time.monotonic() - started < 1.5
        assert stalled.is_closed(timeout=5)  # sasl_auth_timeout = 2
    finally:
        stalled.close()
