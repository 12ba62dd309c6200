"""virtrio pki: files and modes as libvirt documents them, SANs on server certificates, keys
never overwritten without --force, libvirt's root and user layouts."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509

from virtrio.server import pki


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "virtrio.server.cli", "pki", *arguments], capture_output=True, text=True, timeout=60
    )


def test_files_modes_and_names(tmp_path: Path) -> None:
    folder = tmp_path / "pki"
    assert run("ca", "--dir", str(folder)).returncode == 0
    assert (
        run(
            "server",
            "--dir",
            str(folder),
            "--cn",
            "host1",
            "--name",
            "host1.example",
            "--name",
            "::1",
            "--name",
            "127.0.0.2",
        ).returncode
        == 0
    )
    assert run("client", "--dir", str(folder), "--cn", "alice").returncode == 0
    for name in ("cacert.pem", "servercert.pem", "clientcert.pem"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o644, name
    for name in ("cakey.pem", "serverkey.pem", "clientkey.pem"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    server = x509.load_pem_x509_certificate((folder / "servercert.pem").read_bytes())
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["host1.example"]
    assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["::1", "127.0.0.2"]
    ca = x509.load_pem_x509_certificate((folder / "cacert.pem").read_bytes())
    assert server.issuer == ca.subject
    client = x509.load_pem_x509_certificate((folder / "clientcert.pem").read_bytes())
    purposes = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(purposes) == [x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]


def test_keys_kept_without_force(tmp_path: Path) -> None:
    folder = tmp_path / "pki"
    assert run("ca", "--dir", str(folder)).returncode == 0
    assert run("client", "--dir", str(folder)).returncode == 0
    key = (folder / "clientkey.pem").read_bytes()
    refused = run("client", "--dir", str(folder))
    assert refused.returncode == 1 and "not overwriting a key without --force" in refused.stdout
    assert (folder / "clientkey.pem").read_bytes() == key
    assert run("client", "--dir", str(folder), "--force").returncode == 0
    assert (folder / "clientkey.pem").read_bytes() != key


def test_server_needs_a_ca(tmp_path: Path) -> None:
    result = run("server", "--dir", str(tmp_path / "empty"))
    assert result.returncode == 1 and "run 'virtrio pki ca' first" in result.stdout


def test_layouts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pki.os, "geteuid", lambda: 0)
    root = pki.layout(None)
    assert root["cacert.pem"] == Path("/etc/pki/CA/cacert.pem")
    assert root["servercert.pem"] == Path("/etc/pki/libvirt/servercert.pem")
    assert root["serverkey.pem"] == Path("/etc/pki/libvirt/private/serverkey.pem")
    assert root["clientkey.pem"] == Path("/etc/pki/libvirt/private/clientkey.pem")
    monkeypatch.setattr(pki.os, "geteuid", lambda: 1000)
    monkeypatch.setenv("HOME", str(tmp_path))
    user = pki.layout(None)
    assert {path.parent for path in user.values()} == {tmp_path / ".pki" / "libvirt"}
