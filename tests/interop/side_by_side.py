"""virtrio and libvirtd started side by side, and raw calls answered by both for comparison."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from interop.daemons import RunningDaemon, libvirtd_available, remove, start_libvirtd, start_virtrio
from tests.e2e.daemon_process import RawClient
from virtrio.protocol.generated import remote, virnet
from virtrio.rpc.packet import Status


@contextlib.contextmanager
def started_side_by_side(base: Path) -> Iterator[dict[str, RunningDaemon]]:
    """{"virtrio": ..., "libvirtd": ...}, each serving test:///default on private sockets in base."""
    if not libvirtd_available():
        pytest.fail("the reference libvirtd is not installed (scripts/setup-test-env installs it)")
    daemons = {"virtrio": start_virtrio(base / "virtrio")}
    try:
        daemons["libvirtd"] = start_libvirtd(base / "libvirtd")
        yield daemons
    finally:
        for daemon in daemons.values():
            daemon.stop()
        remove(base)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, RunningDaemon]]:
    """Both daemons for a whole module of tests that change nothing daemon-wide."""
    with started_side_by_side(tmp_path_factory.mktemp("side-by-side")) as daemons:
        yield daemons


def outcome(packet: Any) -> tuple:
    """A reply as a comparable value: ("ok", payload) or ("error", every field of the error)."""
    if packet.header.status == Status.OK:
        return ("ok", packet.payload)
    error = virnet.CODECS["virNetMessageError"].decode(packet.payload)
    return (
        "error",
        error.code,
        error.domain,
        error.message,
        error.level,
        error.str1,
        error.str2,
        error.str3,
        error.int1,
        error.int2,
    )


def ask(socket_path: Path, calls: list[tuple[int, bytes]], uri: str | None = "test:///default") -> list[tuple]:
    """Each call's outcome on one connection, opened on uri first (not opened when None)."""
    client = RawClient(socket_path, timeout=30)
    try:
        if uri is not None:
            client.open(uri)
        return [outcome(client.call(proc, payload)) for proc, payload in calls]
    finally:
        client.close()


def encode_args(procedure: int, value: Any) -> bytes:
    return remote.PROCEDURES[procedure].args.encode(value)


LARGE_DOMAIN_UUID = "4dea22b3-1d52-d8f3-2516-782e98ab3fa0"


def script_answers(base: Path, script: str, texts: dict[str, Any], timeout: float = 120) -> dict[str, Any]:
    """{"virtrio": ..., "libvirtd": ...}: what a client script run by Debian's python3 with
    stock libvirt-python prints as JSON against each daemon (argv: the URI, then the documents
    as JSON by label)."""
    answers = {}
    with started_side_by_side(base) as daemons:
        for name, daemon in daemons.items():
            result = subprocess.run(
                ["/usr/bin/python3", "-c", script, daemon.uri(), json.dumps(texts)],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            assert result.returncode == 0, (name, result.stderr[-2000:])
            answers[name] = json.loads(result.stdout)
    return answers


def large_domain_answers(base: Path, script: str, bodies: dict[str, str], timeout: float = 600) -> None:
    """Each body, in a domain 'big' of its own, through a client script (see script_answers; it
    prints its answers as JSON by label): virtrio's answers must be libvirtd's."""
    texts = {
        label: f"<domain type='test'><name>big</name><uuid>{LARGE_DOMAIN_UUID}</uuid><memory>1024</memory>"
        f"<os><type>hvm</type></os>{body}</domain>"
        for label, body in bodies.items()
    }
    answers = script_answers(base, script, texts, timeout)
    for label in bodies:
        mine, theirs = answers["virtrio"][label], answers["libvirtd"][label]
        brief = [[_short(step) for step in side] for side in (mine, theirs)]
        assert mine == theirs, (label, brief)


def _short(step: object) -> object:
    """A step's answer for a failure's message: a text or a list by its length."""
    return len(step) if isinstance(step, str | list) and len(step) > 8 else step


def assert_answered_alike(answers: dict[str, Any], labels: Iterable[str]) -> None:
    """Each label's answer the same from libvirtd and from virtrio (answers: script_answers'
    or alike); those that differ shown side by side."""
    different = {label: (answers["libvirtd"][label], answers["virtrio"][label]) for label in labels}
    different = {label: pair for label, pair in different.items() if pair[0] != pair[1]}
    assert not different, json.dumps(different, indent=1)
