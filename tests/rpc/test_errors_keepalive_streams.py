"""Errors, keepalive and stream packets against what libvirtd sends."""

from __future__ import annotations

from pathlib import Path

from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc import keepalive, stream
from virtrio.rpc.errors import check_flags, internal_error, read_only_denied, report, rpc_error
from virtrio.rpc.framing import PacketReader
from virtrio.rpc.packet import Header, MessageType, Status

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def golden_payload(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()[28:]


def test_errors_encode_as_libvirtd_sends_them() -> None:
    assert rpc_error("unknown procedure: 9999").encode() == golden_payload("error_reply_unknown_proc.bin")
    assert internal_error(api.VIR_FROM_RPC, "hypervisor connection not open").encode() == golden_payload(
        "error_reply_not_open.bin"
    )
    assert read_only_denied(api.VIR_FROM_DOMAIN, "virDomainSuspend").encode() == golden_payload(
        "error_reply_read_only_suspend.bin"
    )
    assert report(api.VIR_ERR_NO_DOMAIN, api.VIR_FROM_TEST).encode() == golden_payload("error_reply_no_domain.bin")
    try:
        check_flags(0x80, 0, api.VIR_FROM_TEST, "testDomainGetState")
    except Exception as error:  # the LibvirtError under test
        assert error.encode() == golden_payload("error_reply_bad_flags.bin")
    else:
        raise AssertionError("flags outside the allowed set must fail")
    unsupported = report(api.VIR_ERR_NO_SUPPORT, api.VIR_FROM_DOMAIN, "virDomainBlockStatsFlags")
    assert unsupported.encode() == golden_payload("error_reply_no_support_block_stats_flags.bin")


def test_keepalive_packets_are_libvirts() -> None:
    assert (GOLDEN / "keepalive_ping.bin").read_bytes() == keepalive.PING_PACKET
    assert (GOLDEN / "keepalive_pong.bin").read_bytes() == keepalive.PONG_PACKET


def test_keepalive_schedule() -> None:
    schedule = keepalive.KeepaliveSchedule(interval=5, count=2)
    assert schedule.deadline() is None and schedule.tick(100) is None  # not started: never pings
    schedule.start(now=10)
    assert schedule.deadline() == 15
    assert schedule.tick(14.9) is None
    assert schedule.tick(15) is keepalive.KeepaliveAction.PING
    assert schedule.deadline() == 20
    schedule.received(now=17)  # any packet from the client counts
    assert schedule.deadline() == 22
    assert schedule.tick(22) is schedule.tick(27) is keepalive.KeepaliveAction.PING
    assert schedule.tick(32) is keepalive.KeepaliveAction.CLOSE
    off = keepalive.KeepaliveSchedule(interval=-1, count=5)
    off.start(now=0)
    assert off.deadline() is None


def test_stream_packets_are_libvirts() -> None:
    call = PacketReader().feed((GOLDEN / "screenshot_call.bin").read_bytes())[0].header
    data = (GOLDEN / "screenshot_stream_data.bin").read_bytes()
    assert stream.data_packets(call, data[28:]) == [data]
    assert stream.end_of_data_packet(call) == (GOLDEN / "screenshot_stream_eof.bin").read_bytes()
    assert stream.finish_packet(call) == (GOLDEN / "screenshot_server_finish.bin").read_bytes()


def test_large_stream_data_is_split_into_protocol_chunks() -> None:
    call = Header(0x20008086, 1, 209, MessageType.CALL, 9, Status.OK)
    packets = PacketReader().feed(b"".join(stream.data_packets(call, bytes(262120 * 2 + 10))))
    assert [len(p.payload) for p in packets] == [262120, 262120, 10]
    assert all(p.header.type == MessageType.STREAM and p.header.status == Status.CONTINUE for p in packets)
    hole = PacketReader().feed(stream.hole_packet(call, 1 << 40))[0]
    assert hole.header.type == MessageType.STREAM_HOLE and stream.decode_hole(hole.payload) == 1 << 40
