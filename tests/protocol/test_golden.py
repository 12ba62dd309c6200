"""Frames captured from libvirtd 9.0.0 decode and re-encode byte for byte."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from virtrio.protocol.generated import keepalive, lxc, qemu, remote, virnet
from virtrio.protocol.runtime import Codec

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
FRAMES = sorted(GOLDEN.glob("*.bin"))
TABLES = {m.PROGRAM: m.PROCEDURES for m in (remote, qemu, lxc, keepalive)}
HEADER = virnet.CODECS["virNetMessageHeader"]
ERROR = virnet.CODECS["virNetMessageError"]


def payload_codec(header: virnet.virNetMessageHeader, payload: bytes) -> Codec | None:
    """The codec of a frame's payload, from its header, as a server would choose it."""
    if header.type == virnet.VIR_NET_STREAM and not payload:
        return None  # end of data, finish, or a client's abort
    if header.prog not in TABLES:
        return ERROR if header.status == virnet.VIR_NET_ERROR else None
    procedure = TABLES[header.prog].get(header.proc)
    if header.type in (virnet.VIR_NET_REPLY, virnet.VIR_NET_STREAM) and header.status == virnet.VIR_NET_ERROR:
        return ERROR
    if header.type == virnet.VIR_NET_STREAM or procedure is None:
        return None
    if header.type == virnet.VIR_NET_REPLY:
        return procedure.ret
    return procedure.args  # CALL, or MESSAGE carrying an event


def test_the_golden_frames_are_there() -> None:
    names = {p.name for p in FRAMES}
    for required in (
        "connect_open_call.bin",
        "domain_get_info_reply.bin",
        "list_all_domains_reply.bin",
        "node_get_info_reply.bin",
        "error_reply_no_domain.bin",
    ):
        assert required in names


@pytest.mark.parametrize("path", FRAMES, ids=[p.stem for p in FRAMES])
def test_frame_round_trips(path: Path) -> None:
    data = path.read_bytes()
    (length,) = struct.unpack(">I", data[:4])
    assert length == len(data)
    header = HEADER.decode(data[4:28])
    assert HEADER.encode(header) == data[4:28]
    payload = data[28:]
    codec = payload_codec(header, payload)
    if codec is None:
        return  # stream data and empty payloads have no XDR to check beyond the header
    value = codec.decode(payload)
    assert codec.encode(value) == payload


def test_decoded_values_are_what_libvirtd_sent() -> None:
    info = remote.CODECS["remote_domain_get_info_ret"].decode((GOLDEN / "domain_get_info_reply.bin").read_bytes()[28:])
    assert (info.state, info.maxMem, info.memory, info.nrVirtCpu) == (1, 8388608, 2097152, 2)
    node = remote.CODECS["remote_node_get_info_ret"].decode((GOLDEN / "node_get_info_reply.bin").read_bytes()[28:])
    assert bytes(c for c in node.model if c).decode() == "i686"
    assert (node.memory, node.cpus, node.mhz, node.nodes, node.sockets, node.cores, node.threads) == (
        3145728,
        16,
        1400,
        2,
        2,
        2,
        2,
    )
    domains = remote.CODECS["remote_connect_list_all_domains_ret"].decode(
        (GOLDEN / "list_all_domains_reply.bin").read_bytes()[28:]
    )
    assert domains.ret == 4 and {d.name for d in domains.domains} == {"test", "extra1", "extra2", "extra3"}
    opened = remote.CODECS["remote_connect_open_args"].decode((GOLDEN / "connect_open_call.bin").read_bytes()[28:])
    assert (opened.name, opened.flags) == ("test:///default", 0)
    error = ERROR.decode((GOLDEN / "error_reply_no_domain.bin").read_bytes()[28:])
    assert (error.code, error.domain, error.message, error.level) == (42, 12, "Domain not found", 2)
    assert error.dom is None and error.net is None
    event = remote.CODECS["remote_domain_event_callback_lifecycle_msg"].decode(
        (GOLDEN / "domain_event_lifecycle_msg.bin").read_bytes()[28:]
    )
    assert (event.callbackID, event.msg.dom.name, event.msg.event) == (0, "test", 3)
