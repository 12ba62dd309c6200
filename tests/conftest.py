"""Shared test fixtures: where libvirt's reference data lives, and the parsed sources."""

from __future__ import annotations

import functools
import inspect
import os
import re
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


# --- markers by scope ---------------------------------------------------------------------
# Applied here from what a test runs, so test files need no decorators: `pytest -m "not slow
# and not libvirtd"` is the fast subset (in-process tests only). What a test runs is the text
# of its function, of every fixture it uses, and of the module's own helpers those call.

PROCESS_CALLS = (
    "subprocess.",
    "Popen(",
    "start_virtrio(",
    "start_libvirtd(",
    "start_reference(",
    "DaemonProcess(",
    "start_daemon(",
    "virtrio_daemon",
    "virtrio_session_daemon",
)
# The reference directly, or one of the interop harness's commands, which all start it.
LIBVIRTD_CALLS = ("start_libvirtd(", "start_reference(", "started_side_by_side(", '"-m", "interop"')
# TCP/IP sockets (loopback listeners, TLS) or a package index (pip installing into a new venv).
NETWORK_CALLS = ("AF_INET", "127.0.0.1", "listen_tcp", "listen_tls", '"pip", "install"')
NAME = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\(")


@functools.cache
def _source(function: object) -> str:
    try:
        return inspect.getsource(function)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return ""


def _defined_in(module: object, name: str) -> bool:
    function = getattr(module, name, None)
    return inspect.isfunction(function) and function.__module__ == getattr(module, "__name__", None)


def _run_text(item: pytest.Item) -> str:
    """The source of the test, its fixtures, and the module-level functions they call."""
    functions = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for definitions in info.name2fixturedefs.values() if info else ():
        functions.extend(definition.func for definition in definitions)
    texts = [_source(function) for function in functions if function is not None]
    module = getattr(item, "module", None)
    helpers = {name for text in texts for name in NAME.findall(text) if _defined_in(module, name)}
    texts.extend(_source(getattr(module, name)) for name in sorted(helpers))
    return "\n".join(texts)


def scope_markers(text: str) -> set[str]:
    """The scope markers for a test that runs `text`."""
    markers = set()
    if any(call in text for call in LIBVIRTD_CALLS):
        markers.update({"libvirtd", "slow"})
    if any(call in text for call in PROCESS_CALLS):
        markers.add("slow")
    if any(call in text for call in NETWORK_CALLS):
        markers.add("network")
    return markers


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for name in sorted(scope_markers(_run_text(item))):
            item.add_marker(name)
