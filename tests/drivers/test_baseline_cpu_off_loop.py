"""baselineCPU reads large CPU documents in a worker thread: read-only clients may call it, and
a document of many features took ~90 ms of the event loop per MB."""

from __future__ import annotations

from virtrio.drivers.base import ConnectionContext, Offload
from virtrio.drivers.test import driver
from virtrio.protocol.generated import remote

WESTMERE = "<cpu><arch>x86_64</arch><model>Westmere</model><vendor>Intel</vendor>{features}</cpu>"


def _baseline(features: str) -> object:
    conn = driver.TestDriver().open(ConnectionContext("test:///default", True, 1))
    return conn.connect_baseline_cpu(remote.remote_connect_baseline_cpu_args([WESTMERE.format(features=features)], 0))


def test_a_small_document_is_answered_at_once() -> None:
    answer = _baseline("<feature name='vmx'/>")
    assert isinstance(answer, remote.remote_connect_baseline_cpu_ret)
    assert "<model" in answer.cpu


def test_a_large_document_is_read_in_a_worker_thread_with_the_same_answer() -> None:
    padding = "<!--" + "x" * 20000 + "-->"
    answer = _baseline("<feature name='vmx'/>" + padding)
    assert isinstance(answer, Offload)
    settled = answer.then(answer.work())
    assert settled == _baseline("<feature name='vmx'/>")
