"""SCRAM-SHA-256 on a unix socket with auth_unix_rw = "sasl", virtrio against libvirtd (Cyrus
on its side, a sasldb made by saslpasswd2, mech_list scram-sha-256): stock virsh logs in on
both with auth.conf's credentials, a wrong password and an unknown user fail alike, a client
that skips authentication gets the same answers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from interop.daemons import RunningDaemon, libvirtd_available, remove, start_libvirtd, start_virtrio
from tests.e2e.daemon_process import RawClient, decode_error
from virtrio.protocol.generated import remote
from virtrio.rpc.packet import Status


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, RunningDaemon]]:
    if not libvirtd_available() or shutil.which("saslpasswd2") is None:
        pytest.fail("libvirtd and saslpasswd2 are needed (scripts/setup-test-env installs them)")
    base = tmp_path_factory.mktemp("sasl-interop")
    sasl = base / "sasl"
    sasl.mkdir()
    subprocess.run(
        ["saslpasswd2", "-p", "-c", "-a", "libvirt", "-f", str(sasl / "passwd.db"), "alice"],
        input="wonderland",
        text=True,
        check=True,
        timeout=60,
    )
    (sasl / "libvirt.conf").write_text(f"mech_list: scram-sha-256\nsasldb_path: {sasl / 'passwd.db'}\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "virtrio.server.cli",
            "sasl-passwd",
            "add",
            "alice",
            "--file",
            str(sasl / "virtrio-passwd"),
            "--password-stdin",
        ],
        input="wonderland\n",
        text=True,
        check=True,
        capture_output=True,
        timeout=60,
    )
    daemons: dict[str, RunningDaemon] = {}
    saved = os.environ.get("SASL_CONF_PATH")
    try:
        daemons["virtrio"] = start_virtrio(
            base / "virtrio", f'auth_unix_rw = "sasl"\nsasl_passwd_file = "{sasl / "virtrio-passwd"}"\n'
        )
        os.environ["SASL_CONF_PATH"] = str(sasl)  # where libvirtd's Cyrus reads libvirt.conf
        daemons["libvirtd"] = start_libvirtd(base / "libvirtd", 'auth_unix_rw = "sasl"\n')
        yield daemons
    finally:
        if saved is None:
            os.environ.pop("SASL_CONF_PATH", None)
        else:
            os.environ["SASL_CONF_PATH"] = saved
        for daemon in daemons.values():
            daemon.stop()
        remove(base)


def virsh(daemon: RunningDaemon, tmp_path: Path, user: str, password: str) -> subprocess.CompletedProcess[str]:
    credentials = tmp_path / f"{user}-{password}.conf"
    credentials.write_text(
        f"[credentials-c]\nauthname={user}\npassword={password}\n[auth-libvirt-localhost]\ncredentials=c\n"
    )
    return subprocess.run(
        ["virsh", "-c", daemon.uri(), "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, LIBVIRT_AUTH_FILE=str(credentials)),
    )


@pytest.mark.parametrize(("user", "password"), [("alice", "wonderland"), ("alice", "looking-glass"), ("bob", "x")])
def test_login_outcomes_match(pair: dict[str, RunningDaemon], tmp_path: Path, user: str, password: str) -> None:
    results = {name: virsh(daemon, tmp_path, user, password) for name, daemon in pair.items()}
    ours, theirs = results["virtrio"], results["libvirtd"]
    assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr)
    if password == "wonderland":
        assert ours.returncode == 0 and "test" in ours.stdout
    else:
        assert ours.returncode == 1 and "error: authentication failed: authentication failed" in ours.stderr


def test_skipping_authentication_answered_alike(pair: dict[str, RunningDaemon]) -> None:
    answers = {}
    for name, daemon in pair.items():
        client = RawClient(daemon.rw)
        try:
            auth_list = client.call(remote.REMOTE_PROC_AUTH_LIST)
            types = remote.CODECS["remote_auth_list_ret"].decode(auth_list.payload).types
            args = remote.CODECS["remote_connect_open_args"].encode(
                remote.remote_connect_open_args("test:///default", 0)
            )
            refused = client.call(remote.REMOTE_PROC_CONNECT_OPEN, args)
            assert refused.header.status == Status.ERROR
            error = decode_error(refused)
            answers[name] = (types, error.code, error.domain, error.message, error.level)
        finally:
            client.close()
    assert answers["virtrio"] == answers["libvirtd"]
    assert answers["virtrio"][0] == [remote.REMOTE_AUTH_SASL]
