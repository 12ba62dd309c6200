"""Shared test fixtures: where libvirt's reference data lives, and the parsed sources."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENCE = Path(os.environ.get("VIRTRIO_LIBVIRT_REFERENCE", REPO.parent / "shared" / "libvirt-9.0.0"))
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="session")
def reference() -> Path:
    if not (REFERENCE / "protocol" / "remote_protocol.x").is_file():
        pytest.fail(f"libvirt reference data not found at {REFERENCE} (set VIRTRIO_LIBVIRT_REFERENCE)")
    return REFERENCE


@pytest.fixture(scope="session")
def sources(reference: Path):
    from virtrio.protocol.sources import load_sources

    return load_sources(reference)
