"""go-libvirt, an independent Go client with its own XDR code, against virtrio and libvirtd:
every call of interop/go/goclient.go and every one of go-libvirt's own integration tests
ends the same on both daemons, apart from the README's deliberate differences."""

from __future__ import annotations

from pathlib import Path

import pytest

from interop import goclient
from interop.daemons import RunningDaemon, start_libvirtd, start_virtrio
from virtrio.protocol.generated import remote

from .side_by_side import ask, encode_args


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


def raw_calls() -> list[tuple[str, int, object]]:
    """Calls only a client without libvirt's library sends (the library refuses them first):
    answered by the daemon's own run of the public API's checks."""
    dom = remote.remote_nonnull_domain("test", bytes.fromhex("6695eb01f6a4830479aa97f2502e193f"), 1)
    vol = remote.remote_nonnull_storage_vol("default-pool", "absent.img", "/default-pool/absent.img")
    weight_text = remote.remote_typed_param("weight", remote.remote_typed_param_value(7, "300"))
    checkpoint = remote.remote_nonnull_domain_checkpoint("absent", dom)
    return [
        ("no keycodes", remote.REMOTE_PROC_DOMAIN_SEND_KEY, remote.remote_domain_send_key_args(dom, 0, 0, [], 0)),
        ("codeset 99", remote.REMOTE_PROC_DOMAIN_SEND_KEY, remote.remote_domain_send_key_args(dom, 99, 0, [1], 0)),
        ("0 vCPUs", remote.REMOTE_PROC_DOMAIN_SET_VCPUS_FLAGS, remote.remote_domain_set_vcpus_flags_args(dom, 0, 0)),
        (
            "dump format 99",
            remote.REMOTE_PROC_DOMAIN_CORE_DUMP_WITH_FORMAT,
            remote.remote_domain_core_dump_with_format_args(dom, "/nonexistent/core", 99, 0),
        ),
        ("cpu -5", remote.REMOTE_PROC_NODE_GET_CPU_STATS, remote.remote_node_get_cpu_stats_args(-5, 0, 0)),
        ("cell -5", remote.REMOTE_PROC_NODE_GET_MEMORY_STATS, remote.remote_node_get_memory_stats_args(0, -5, 0)),
        (
            "no params",
            remote.REMOTE_PROC_DOMAIN_SET_BLKIO_PARAMETERS,
            remote.remote_domain_set_blkio_parameters_args(dom, [], 0),
        ),
        (
            "string weight",
            remote.REMOTE_PROC_DOMAIN_SET_BLKIO_PARAMETERS,
            remote.remote_domain_set_blkio_parameters_args(dom, [weight_text], 0),
        ),
        (
            "blkio without STRING_OKAY",
            remote.REMOTE_PROC_DOMAIN_GET_BLKIO_PARAMETERS,
            remote.remote_domain_get_blkio_parameters_args(dom, 6, 0),
        ),
        (
            "title with key",
            remote.REMOTE_PROC_DOMAIN_SET_METADATA,
            remote.remote_domain_set_metadata_args(dom, 1, "t", "k", None, 0),
        ),
        (
            "CURRENT without REDEFINE",
            remote.REMOTE_PROC_DOMAIN_SNAPSHOT_CREATE_XML,
            remote.remote_domain_snapshot_create_xml_args(dom, "<domainsnapshot/>", 2),
        ),
        ("capacity 0", remote.REMOTE_PROC_STORAGE_VOL_RESIZE, remote.remote_storage_vol_resize_args(vol, 0, 0)),
        (
            "CHILDREN and CHILDREN_ONLY",
            remote.REMOTE_PROC_DOMAIN_CHECKPOINT_DELETE,
            remote.remote_domain_checkpoint_delete_args(checkpoint, 5),
        ),
        ("UPDATE_CPU", remote.REMOTE_PROC_DOMAIN_GET_XML_DESC, remote.remote_domain_get_xml_desc_args(dom, 4)),
    ]


def test_public_api_answers_as_libvirtd_every_field(both: dict[str, RunningDaemon]) -> None:
    """What go-libvirt surfaces is an error's code and message; over the raw protocol every
    field (domain, level, str1-3, int1-2) and every reply payload match libvirtd's."""
    named = raw_calls()
    calls = [(procedure, encode_args(procedure, args)) for _, procedure, args in named]
    theirs = ask(both["libvirtd"].rw, calls)
    ours = ask(both["virtrio"].rw, calls)
    names = [name for name, _, _ in named]
    assert dict(zip(names, ours, strict=True)) == dict(zip(names, theirs, strict=True))
    assert sum(answer[0] == "error" for answer in ours) == len(named) - 1
