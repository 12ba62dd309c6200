"""A node file's <cpu> and <memory> read as libvirt 9.0.0's testParseNodeInfo reads them, with
libvirtd's answers: the CPU count is the topology's product, lowered (never raised) by
<active>; a value that is not a number refuses the file; a model of 32 bytes or more too; it
has no NUMA cells and no free memory. And virNodeGetCPUMap answers 8 CPUs, 3 online, whatever
the node file says."""

from __future__ import annotations

import json
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest

from virtrio.protocol.generated import remote
from virtrio.rpc.packet import Status

from .daemon_process import DaemonProcess, RawClient, decode_error, python_libvirt

TOPOLOGY = "<nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>2</threads>"
CASES = {
    "topology": f"<cpu>{TOPOLOGY}</cpu>",
    "more active": f"<cpu>{TOPOLOGY}<active>9</active></cpu>",
    "fewer active": "<cpu><active>3</active></cpu>",
    "spaces and signs": "<cpu><nodes> 3</nodes><mhz>+5</mhz></cpu>",
    "nested text": "<cpu><nodes>1<x>2</x></nodes></cpu>",
    "empty": "<cpu><nodes></nodes><mhz/></cpu>",
    "past INT_MAX": "<cpu><threads>3000000000</threads><mhz>4294967295</mhz></cpu>",
    "bad nodes": "<cpu><nodes>x</nodes></cpu>",
    "bad cores": "<cpu><cores>4294967296</cores></cpu>",
    "bad active": "<cpu><active>a</active></cpu>",
    "bad mhz": "<cpu><mhz>1.5</mhz></cpu>",
    "bad memory": "<memory>-5</memory>",
    "model of 32": "<cpu><model>" + "m" * 32 + "</model></cpu>",
}

SCRIPT = """
import json, sys
import libvirt
libvirt.registerErrorHandler(lambda context, error: None, None)
socket_part, folder = sys.argv[1], sys.argv[2]
result = {}

def attempt(call, *args):
    try:
        return call(*args)
    except libvirt.libvirtError as error:
        return [error.get_error_code(), error.get_error_domain(), error.get_error_message()]

for name in json.loads(sys.argv[3]):
    try:
        conn = libvirt.open(f"test+unix://{folder}/{name.replace(' ', '_')}.xml?{socket_part}")
        result[name] = [conn.getInfo()[:4], conn.getCPUMap(0)]
        result[name + " memory"] = [conn.getFreeMemory(), attempt(conn.getCellsFreeMemory, 0, 1)]
        conn.close()
    except libvirt.libvirtError as error:
        result[name] = [error.get_error_code(), error.get_error_domain(), error.get_error_message()]
default = libvirt.open("test+unix:///default?" + socket_part)
result["default cells"] = [attempt(default.getCellsFreeMemory, start, 2) for start in (0, 1, 2)]
print(json.dumps(result))
"""

XML_ERROR, INTERNAL_ERROR, INVALID_ARG, FROM_TEST = 27, 1, 8, 12
CPU_MAP = [8, [True, False, True, False, True, False, False, False], 3]


@pytest.fixture(scope="module")
def answers(shared_daemon: DaemonProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("nodes")
    for name, body in CASES.items():
        (Path(folder) / f"{name.replace(' ', '_')}.xml").write_text(f"<node>{body}</node>")
    socket_part = shared_daemon.uri().split("?", 1)[1]
    ran = python_libvirt(textwrap.dedent(SCRIPT), socket_part, str(folder), json.dumps(list(CASES)))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result: dict[str, Any] = json.loads(ran.stdout)
    return result


def test_the_cpu_count_is_the_topology_lowered_by_active(answers: dict[str, Any]) -> None:
    # [model, memory MiB, cpus, mhz]
    assert answers["topology"] == [["i686", 3072, 4, 1400], CPU_MAP]
    assert answers["more active"] == [["i686", 3072, 4, 1400], CPU_MAP]
    assert answers["fewer active"] == [["i686", 3072, 3, 1400], CPU_MAP]
    assert answers["spaces and signs"] == [["i686", 3072, 24, 5], CPU_MAP]
    assert answers["nested text"] == [["i686", 3072, 96, 1400], CPU_MAP]  # nodes "12"
    assert answers["empty"] == [["i686", 3072, 16, 1400], CPU_MAP]
    # virNodeInfo's unsigned ints travel in the reply's ints: 2*2*2*3000000000 wrapped, and -1
    assert answers["past INT_MAX"] == [["i686", 3072, (24_000_000_000 % 2**32) - 2**32, -1], CPU_MAP]


def test_a_node_file_has_no_cells_nor_free_memory(answers: dict[str, Any]) -> None:
    no_cells = [INVALID_ARG, FROM_TEST, "invalid argument: Range exceeds available cells"]
    assert answers["topology memory"] == [0, no_cells]
    # test:///default has two
    assert answers["default cells"] == [[2097152, 4194304], [4194304], no_cells]


def test_values_that_are_not_numbers_refuse_the_node_file(answers: dict[str, Any]) -> None:
    for name, what in (("nodes", "cpu nodes"), ("cores", "cpu cores"), ("active", "cpu active"), ("mhz", "cpu mhz")):
        assert answers[f"bad {name}"] == [XML_ERROR, FROM_TEST, f"XML error: invalid node {what} value"]
    assert answers["bad memory"] == [XML_ERROR, FROM_TEST, "XML error: invalid node memory value"]
    model = "m" * 32
    assert answers["model of 32"] == [
        INTERNAL_ERROR,
        FROM_TEST,
        f"internal error: Model {model} too big for destination",
    ]


BILLIONS = (
    "<node><cpu><nodes>4</nodes><sockets>4</sockets><cores>16</cores><threads>3000000</threads></cpu>"
    "<domain type='test'><name>wide</name><uuid>7c4a8d09-ca37-4f4d-9d1c-2b6c1a0d3e55</uuid>"
    "<memory>1024</memory><vcpu>2</vcpu><os><type>hvm</type></os></domain></node>"
)


def test_a_host_of_billions_of_cpus_costs_no_step_per_cpu(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    """VIR_NODEINFO_MAXCPUS of this file is 4*4*16*3000000 = 768,000,000: an unpinned vCPU's
    map is every one of them. The answers show only the first maplen*8 and the highest, so
    they are made without a set of every CPU (which would take gigabytes)."""
    path = tmp_path / "billions.xml"
    path.write_text(BILLIONS)
    client = RawClient(shared_daemon.rw, timeout=60)
    client.open(f"test://{path}")
    domain = remote.remote_nonnull_domain("wide", uuid.UUID("7c4a8d09-ca37-4f4d-9d1c-2b6c1a0d3e55").bytes, 1)
    reply = client.call(
        remote.REMOTE_PROC_DOMAIN_GET_VCPUS,
        remote.CODECS["remote_domain_get_vcpus_args"].encode(remote.remote_domain_get_vcpus_args(domain, 2, 2)),
    )
    assert reply.header.status == Status.OK, decode_error(reply).message
    vcpus = remote.CODECS["remote_domain_get_vcpus_ret"].decode(reply.payload)
    assert [info.cpu for info in vcpus.info] == [767_999_999, 767_999_999]
    assert vcpus.cpumaps == b"\xff\xff" * 2
    pins = remote.remote_domain_get_emulator_pin_info_args(domain, 3, 0)
    reply = client.call(
        remote.REMOTE_PROC_DOMAIN_GET_EMULATOR_PIN_INFO,
        remote.CODECS["remote_domain_get_emulator_pin_info_args"].encode(pins),
    )
    assert reply.header.status == Status.OK, decode_error(reply).message
    assert remote.CODECS["remote_domain_get_emulator_pin_info_ret"].decode(reply.payload).cpumaps == b"\xff" * 3
