"""virtrio pki refuses a CA key that X.509 cannot sign with, naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519

from virtrio.server import pki


def test_a_ca_key_that_cannot_sign_is_refused_by_name(tmp_path: Path) -> None:
    paths = pki.layout(tmp_path)
    pki.make_ca(paths, "Example", force=False)
    # Replace the CA's key with an X25519 key: a key-agreement key, never a signing one.
    other = x25519.X25519PrivateKey.generate()
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    paths["cakey.pem"].write_bytes(pem)
    with pytest.raises(pki.PKIError) as refused:
        pki.make_leaf(paths, pki.Role.SERVER, "Example", "host.example", [], force=False)
    assert str(refused.value) == f"{paths['cakey.pem']} holds a key that cannot sign certificates"
    assert not paths["servercert.pem"].exists()


def test_the_ca_key_made_by_make_ca_signs_a_leaf(tmp_path: Path) -> None:
    paths = pki.layout(tmp_path)
    pki.make_ca(paths, "Example", force=False)
    pki.make_leaf(paths, pki.Role.CLIENT, "Example", "client", [], force=False)
    assert paths["clientcert.pem"].read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
