"""``virtrio pki``: a CA, server and client certificates where libvirt looks for them.

Written with ``cryptography``. Paths and modes follow libvirt's TLS documentation: as root
the CA certificate in /etc/pki/CA, certificates in /etc/pki/libvirt and keys in
/etc/pki/libvirt/private (0600, the certificates 0644); a user's files all in
~/.pki/libvirt; ``--dir`` puts every file in one folder, for a client's ``pkipath=``.
"""

from __future__ import annotations

import argparse
import datetime
import enum
import ipaddress
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:  # cryptography is imported when a certificate is made, not when the daemon starts
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.types import (
        CertificateIssuerPrivateKeyTypes,
        CertificateIssuerPublicKeyTypes,
    )

CA_DAYS = 3650
CERT_DAYS = 1095


class PKIError(Exception):
    pass


def layout(folder: Path | None) -> dict[str, Path]:
    """Where each file goes: libvirt's root or user layout, or one folder."""
    names = ["cacert.pem", "cakey.pem", "servercert.pem", "serverkey.pem", "clientcert.pem", "clientkey.pem"]
    if folder is not None:
        return {name: folder / name for name in names}
    if os.geteuid() == 0:
        pki = Path("/etc/pki")
        return {
            "cacert.pem": pki / "CA" / "cacert.pem",
            "cakey.pem": pki / "CA" / "private" / "cakey.pem",
            "servercert.pem": pki / "libvirt" / "servercert.pem",
            "serverkey.pem": pki / "libvirt" / "private" / "serverkey.pem",
            "clientcert.pem": pki / "libvirt" / "clientcert.pem",
            "clientkey.pem": pki / "libvirt" / "private" / "clientkey.pem",
        }
    user = Path.home() / ".pki" / "libvirt"
    return {name: user / name for name in names}


def _write(path: Path, data: bytes, mode: int, force: bool) -> None:
    """Atomically, never over an existing key unless forced."""
    if path.exists() and path.name.endswith("key.pem") and not force:
        raise PKIError(f"{path} exists; not overwriting a key without --force")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)
    os.replace(temporary, path)


def _key() -> ec.EllipticCurvePrivateKey:
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key: CertificateIssuerPrivateKeyTypes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _name(organization: str, common_name: str) -> x509.Name:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: CertificateIssuerPublicKeyTypes, days: int
) -> x509.CertificateBuilder:
    from cryptography import x509

    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
    )


def make_ca(paths: dict[str, Path], organization: str, force: bool) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    key = _key()
    name = _name(organization, f"{organization} CA")
    certificate = (
        _builder(name, name, key.public_key(), CA_DAYS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(paths["cakey.pem"], _pem_key(key), 0o600, force)
    _write(paths["cacert.pem"], certificate.public_bytes(serialization.Encoding.PEM), 0o644, True)


def _load_ca(paths: dict[str, Path]) -> tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certificate = x509.load_pem_x509_certificate(paths["cacert.pem"].read_bytes())
        key = serialization.load_pem_private_key(paths["cakey.pem"].read_bytes(), None)
    except OSError as error:
        raise PKIError(f"cannot read the CA ({error.filename}: {error.strerror}); run 'virtrio pki ca' first") from None
    # A CA key of a kind X.509 cannot sign with (DH, X25519, ...) is refused here, not by a
    # TypeError later. (Told by its sign method: naming DSA's class warns that DSA is deprecated,
    # and a DSA CA a user made still signs.)
    if not callable(getattr(key, "sign", None)):
        raise PKIError(f"{paths['cakey.pem']} holds a key that cannot sign certificates")
    return certificate, cast("CertificateIssuerPrivateKeyTypes", key)


class Role(enum.StrEnum):
    """Whose certificate a leaf is: the value is also its files' prefix (servercert.pem, clientkey.pem)."""

    SERVER = "server"
    CLIENT = "client"


def make_leaf(
    paths: dict[str, Path], role: Role, organization: str, common_name: str, names: list[str], force: bool
) -> None:
    """A server or client certificate signed by the CA: server ones carry names as SANs."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID

    ca_certificate, ca_key = _load_ca(paths)
    key = _key()
    purpose = ExtendedKeyUsageOID.SERVER_AUTH if role is Role.SERVER else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        _builder(_name(organization, common_name), ca_certificate.subject, key.public_key(), CERT_DAYS)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([purpose]), critical=False)
    )
    if role is Role.SERVER:
        alternatives: list[x509.GeneralName] = []
        for item in names or [common_name]:
            try:
                alternatives.append(x509.IPAddress(ipaddress.ip_address(item)))
            except ValueError:
                alternatives.append(x509.DNSName(item))
        builder = builder.add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
    certificate = builder.sign(ca_key, hashes.SHA256())
    _write(paths[f"{role}key.pem"], _pem_key(key), 0o600, force)
    _write(paths[f"{role}cert.pem"], certificate.public_bytes(serialization.Encoding.PEM), 0o644, True)


def run(options: argparse.Namespace) -> int:
    paths = layout(options.dir)
    try:
        if options.what == "ca":
            make_ca(paths, options.organization, options.force)
            written = ["cacert.pem", "cakey.pem"]
        else:
            role = Role(options.what)
            default_cn = socket.gethostname() if role is Role.SERVER else "client"
            make_leaf(paths, role, options.organization, options.cn or default_cn, options.name, options.force)
            written = [f"{role}cert.pem", f"{role}key.pem"]
    except PKIError as error:
        print(f"virtrio: {error}", flush=True)
        return 1
    for name in written:
        print(f"virtrio: wrote {paths[name]}")
    return 0
