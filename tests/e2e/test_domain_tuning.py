"""IOThreads, pins, NUMA, bandwidth, block I/O tuning, perf events and lifecycle actions, as
libvirt 9.0.0's test driver keeps them: in the live or persistent definition the flags name."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from virtrio.drivers.test.definition_tuning import format_bitmap, parse_bitmap
from virtrio.rpc.errors import LibvirtError

from .daemon_process import DaemonProcess, python_libvirt, start_daemon

PRELUDE = """
import json, sys
import libvirt
conn = libvirt.open(sys.argv[1])
dom = conn.lookupByName("test")
LIVE, CONFIG = libvirt.VIR_DOMAIN_AFFECT_LIVE, libvirt.VIR_DOMAIN_AFFECT_CONFIG
def error(call):
    try:
        call()
    except libvirt.libvirtError as e:
        return [e.get_error_code(), e.get_error_domain(), e.get_error_message()]
    return None
"""


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DaemonProcess]:
    process = start_daemon(tmp_path / "run")
    yield process
    assert process.stop() == 0, process.log()


def run(daemon: DaemonProcess, script: str) -> dict:
    result = python_libvirt(PRELUDE + textwrap.dedent(script), daemon.uri())
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_iothreads_live_and_config(daemon: DaemonProcess) -> None:
    out = run(
        daemon,
        """
        dom.addIOThread(1, 0)
        dom.addIOThread(2, CONFIG)
        dom.pinIOThread(1, (True, False, True), 0)
        dom.setIOThreadParams(1, {"poll_max_ns": 100, "poll_grow": 2}, 0)
        stats = [s for _, s in conn.getAllDomainStats(libvirt.VIR_DOMAIN_STATS_IOTHREAD)]
        result = {"live": dom.ioThreadInfo(0), "config": dom.ioThreadInfo(CONFIG), "stats": stats,
                  "xml": dom.XMLDesc(0), "inactive": dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE),
                  "again": error(lambda: dom.addIOThread(1, 0)), "zero": error(lambda: dom.addIOThread(0, 0)),
                  "unknown pin": error(lambda: dom.pinIOThread(9, (True,), 0))}
        dom.delIOThread(1, 0)
        result["after delete"] = dom.XMLDesc(0)
        print(json.dumps(result))
    """,
    )
    assert out["live"] == [[1, [True, False, True, False, False, False, False, False]]]
    assert out["config"] == [[2, [True, True, False, False, False, False, False, False]]]
    assert out["stats"][0]["iothread.count"] == 2
    assert out["stats"][0]["iothread.1.poll-max-ns"] == 100
    assert out["stats"][0]["iothread.2.poll-max-ns"] == 32768
    assert "<iothreads>1</iothreads>\n  <iothreadids>\n    <iothread id='1'/>" in out["xml"]
    assert "<cputune>\n    <iothreadpin iothread='1' cpuset='0,2'/>\n  </cputune>" in out["xml"]
    assert "<iothread id='2'/>" in out["inactive"] and "cputune" not in out["inactive"]
    assert out["again"] == [8, 20, "invalid argument: an IOThread is already using iothread_id '1'"]
    assert out["zero"] == [8, 12, "invalid argument: invalid value of 0 for iothread_id"]
    assert out["unknown pin"] == [8, 12, "invalid argument: iothreadid 9 not found"]
    assert "iothread" not in out["after delete"]


def test_tuning_parameters_land_in_the_definition(daemon: DaemonProcess) -> None:
    out = run(
        daemon,
        """
        dom.pinEmulator((True, True), 0)
        dom.setNumaParameters({"numa_nodeset": "0-1"}, 0)
        dom.setInterfaceParameters("testnet0", {"inbound.average": 100, "outbound.average": 5}, 0)
        dom.setBlockIoTune("vda", {"total_bytes_sec": 5, "total_bytes_sec_max": 10}, 0)
        dom.setPerfEvents({"cmt": True, "cpu_clock": False}, 0)
        dom.setLifecycleAction(libvirt.VIR_DOMAIN_LIFECYCLE_CRASH,
                               libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART, CONFIG)
        print(json.dumps({"emulator": dom.emulatorPinInfo(0), "numa": dom.numaParameters(0),
                          "iface": dom.interfaceParameters("aa:bb:cc:dd:ee:ff", 0),
                          "iotune": dom.blockIoTune("vda", 0), "perf": dom.perfEvents(0),
                          "xml": dom.XMLDesc(0), "inactive": dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE),
                          "mode": error(lambda: dom.setNumaParameters({"numa_mode": 2}, 0)),
                          "no max": error(lambda: dom.setBlockIoTune("vda", {"read_iops_sec": 5}, 0)),
                          "both": error(lambda: dom.setPerfEvents({"cmt": True}, LIVE | CONFIG))}))
    """,
    )
    assert out["emulator"][:3] == [True, True, False]
    assert out["numa"] == {"numa_mode": 0, "numa_nodeset": "0-1"}
    assert out["iface"]["inbound.average"] == 100 and out["iface"]["outbound.average"] == 5
    assert out["iotune"]["total_bytes_sec"] == 5 and out["iotune"]["group_name"] == ""
    assert out["perf"]["cmt"] is True and out["perf"]["cpu_clock"] is False
    assert "<emulatorpin cpuset='0-1'/>" in out["xml"]
    assert "<numatune>\n    <memory mode='strict' nodeset='0-1'/>\n  </numatune>" in out["xml"]
    assert "<bandwidth>\n        <inbound average='100'/>\n        <outbound average='5'/>" in out["xml"]
    assert "<iotune>\n        <total_bytes_sec>5</total_bytes_sec>" in out["xml"]
    assert "<event name='cmt' enabled='yes'/>\n    <event name='cpu_clock' enabled='no'/>" in out["xml"]
    assert "<on_crash>destroy</on_crash>" in out["xml"]
    assert "<on_crash>coredump-restart</on_crash>" in out["inactive"] and "perf" not in out["inactive"]
    assert out["mode"] == [55, 12, "Requested operation is not valid: can't change numatune mode for running domain"]
    assert out["no max"] == [8, 12, "invalid argument: read_iops_sec cannot be set higher than read_iops_sec_max "]
    assert out["both"][:2] == [8, 20]


def test_bitmaps_read_and_written_as_libvirt_does() -> None:
    assert parse_bitmap("0-3, ^2,7") == {0, 1, 3, 7}
    assert format_bitmap({0, 1, 3, 5, 6, 7}) == "0-1,3,5-7"
    for bad in ("", "x", "3-1", "^1-2", "1,,2", "16384"):
        with pytest.raises(LibvirtError, match="Failed to parse bitmap"):
            parse_bitmap(bad)
