"""go-libvirt, an independent Go client with its own XDR code, against virtrio and libvirtd:
every call of interop/go/goclient.go and every one of go-libvirt's own integration tests
ends the same on both daemons, apart from the README's deliberate differences."""

from __future__ import annotations

from pathlib import Path

import pytest

from interop import goclient
from interop.daemons import RunningDaemon, start_libvirtd, start_virtrio


@pytest.fixture(scope="module")
def results(
    both: dict[str, RunningDaemon], tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[goclient.Comparison], list[goclient.Comparison]]:
    try:
        goclient.go_binary()
    except goclient.GoError as error:
        pytest.fail(str(error))
    return goclient.compare_daemons(tmp_path_factory.mktemp("go"), both)


def virtrio_side(comparisons: list[goclient.Comparison]) -> dict[str, str]:
    return dict(c.ours.split(": ", 1) for c in comparisons)


def test_every_call_as_libvirtd(results: tuple[list[goclient.Comparison], list[goclient.Comparison]]) -> None:
    calls, _ = results
    differing = [goclient.describe(c) for c in calls if c.verdict == "DIFF"]
    assert differing == []
    assert {c.name for c in calls if c.verdict == "deliberate"} == {
        "StorageVolUpload",
        "StorageVolDownload",
        "ConnectListAllSecrets",
        "Secrets",
        "StorageVolResize",
        "StorageVolWipe",
    }


def test_the_calls_did_what_a_go_program_asks(
    results: tuple[list[goclient.Comparison], list[goclient.Comparison]],
) -> None:
    """Identical answers could be identical failures: what virtrio answered, call by call."""
    ours = virtrio_side(results[0])
    assert len(ours) > 100
    assert ours["ConnectToURI test:///default"] == "ok"
    assert ours["Version"] == "9.0.0"
    assert ours["DomainLookupByName test"] == "test/6695eb01-f6a4-8304-79aa-97f2502e193f/id=1"
    assert ours["DomainGetState after suspend"] == "state=3 reason=1"
    assert ours["10 concurrent ConnectListAllDomains"].startswith("distinct=1 first=test/")
    assert ours["event after create"] == "go9-guest id=2 event=2 detail=0"
    assert ours["event after destroy"] == "go9-guest id=-1 event=5 detail=1"
    assert ours["StorageVolGetInfo"] == "0 13312 13312"
    # what go-libvirt surfaces of an error: libvirt's code and message
    assert ours["DomainLookupByName unknown"] == 'error code=42 message="Domain not found"'
    assert ours["IsNotFound unknown domain"] == "true"
    assert ours["StoragePool unknown"].startswith("error code=49 message=")
    # the deliberate differences: virtrio serves what libvirtd's test driver refuses
    assert ours["StorageVolDownload"] == '13312 bytes, starting "Hello, world!", the rest zero: true'
    assert ours["ConnectListAllSecrets"] == "0 []"
    assert ours["StorageVolResize"] == "ok, then capacity 1048576 allocation 13312"
    # string typed parameters only for a client that says VIR_TYPED_PARAM_STRING_OKAY
    assert ours["DomainGetNumaParameters"] == "0 numa_mode=1:0"
    assert ours["DomainGetNumaParameters string-okay"] == "0 numa_mode=1:0 numa_nodeset=7:"
    assert ours["DomainSetBlkioParameters string weight"].startswith("error code=8 message=")
    # tuning stored in the definition the flags name, and read back from it
    assert ours["DomainGetMemoryParameters after set"].startswith("0 hard_limit=4:1048576 ")
    assert "device_read_iops_sec=7:/dev/vda,10,/dev/vdb,20 " in ours["DomainGetBlkioParameters after lists"]
    # the public API's argument checks, which only a client without libvirt's library meets
    assert ours["DomainSendKey no keys"] == 'error code=8 message="keycodes in virDomainSendKey must not be NULL"'
    assert ours["DomainCoreDumpWithFormat bad format"] == "error code=8 message=\"dumpformat '99' is not supported\""
    assert ours["Disconnect again"] == "ok"


def test_go_libvirts_integration_tests_as_libvirtd(
    results: tuple[list[goclient.Comparison], list[goclient.Comparison]],
) -> None:
    _, tests = results
    assert len(tests) == 19
    assert [goclient.describe(c) for c in tests if c.verdict == "DIFF"] == []
    assert {c.name for c in tests if c.verdict == "deliberate"} == {
        "TestSecretsIntegration",
        "TestVolumeUploadDownloadIntegration",
    }
    failing = sorted(name for name, outcome in virtrio_side(tests).items() if outcome != "PASS")
    # the test driver's capabilities have no host UUID, which these three look for (libvirtd too)
    assert failing == ["TestCapabilities", "TestDeprecatedCapabilities", "TestMultipleConnections"]


def test_the_harness_sees_a_difference() -> None:
    """A changed answer is a DIFF, and a deliberate one only where libvirtd refuses."""
    theirs = [("a", "1"), ("StorageVolUpload", "ok")]
    ours = [("a", "2"), ("StorageVolUpload", "ok")]
    assert [c.verdict for c in goclient.compare(theirs, ours)] == ["DIFF", "same"]
    refused = [("Secrets", goclient.NOT_SUPPORTED + 'virConnectListAllSecrets"')]
    assert [c.verdict for c in goclient.compare(refused, [("Secrets", "[]")])] == ["deliberate"]
    assert [c.verdict for c in goclient.compare(refused, [("Secrets", "error code=1")])] == ["DIFF"]
    assert [c.verdict for c in goclient.compare([("a", "1")], [])] == ["DIFF"]


def test_every_call_over_tcp_as_libvirtd(tmp_path: Path) -> None:
    """The same calls over plain TCP on loopback (go-libvirt's remote dialer; no TLS)."""
    ports = {side: goclient.free_port() for side in ("libvirtd", "virtrio")}
    daemons: dict[str, RunningDaemon] = {}
    try:
        settings = goclient.TCP_SETTINGS.format(port=ports["libvirtd"])
        daemons["libvirtd"] = start_libvirtd(tmp_path / "libvirtd", config=settings, arguments=("--listen",))
        settings = goclient.TCP_SETTINGS.format(port=ports["virtrio"])
        daemons["virtrio"] = start_virtrio(tmp_path / "virtrio", config=settings, arguments=("-l",))
        calls = goclient.compare_over_tcp(tmp_path, daemons, ports)
    finally:
        for daemon in daemons.values():
            daemon.stop()
    assert [goclient.describe(c) for c in calls if c.verdict == "DIFF"] == []
    ours = virtrio_side(calls)
    assert ours["ConnectToURI test:///default"] == "ok"
    assert ours["StorageVolDownload"] == '13312 bytes, starting "Hello, world!", the rest zero: true'
    assert ours["event after create"] == "go9-guest id=2 event=2 detail=0"
