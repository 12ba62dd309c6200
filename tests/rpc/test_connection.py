"""The per-connection state machine, byte for byte and without sockets: bytes in, events out."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from virtrio.protocol.generated import admin, remote
from virtrio.protocol.generated import keepalive as keepalive_program
from virtrio.rpc import keepalive, stream
from virtrio.rpc.connection import (
    Call,
    Close,
    CloseReason,
    Connection,
    Dropped,
    DropReason,
    Event,
    Send,
    SendReason,
    State,
    StreamData,
)
from virtrio.rpc.framing import Violation
from virtrio.rpc.packet import MAX_PACKET, MIN_PACKET, Header, MessageType, Packet, Status, encode_packet

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
PROGRAMS = frozenset({(remote.PROGRAM, remote.PROTOCOL_VERSION)})
CLOSING = frozenset({(remote.PROGRAM, remote.REMOTE_PROC_CONNECT_CLOSE)})


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


@dataclass
class FakeStream:
    call: Header


def connection(interval: float = 5) -> Connection[FakeStream]:
    return Connection(PROGRAMS, CLOSING, keepalive.KeepaliveSchedule(interval, 3))


def call_bytes(proc: int, serial: int, payload: bytes = b"", **changes: int) -> bytes:
    header = Header(remote.PROGRAM, remote.PROTOCOL_VERSION, proc, MessageType.CALL, serial, Status.OK)
    return encode_packet(header._replace(**changes), payload)


def with_fds(serial: int, count: int, payload: bytes = b"") -> bytes:
    header = Header(remote.PROGRAM, 1, remote.REMOTE_PROC_CONNECT_GET_TYPE, MessageType.CALL_WITH_FDS, serial, 0)
    return encode_packet(header, payload, fd_count=count)


def header_of(frame: bytes) -> Header:
    return Header._make(struct.unpack_from(">IIiiIi", frame, 4))


def test_a_call_is_its_header_and_payload() -> None:
    frame = golden("domain_get_info_call.bin")
    conn = connection()
    assert conn.receive_data(frame, now=7.0) == [Call(header_of(frame), frame[MIN_PACKET:], 0)]
    assert conn.keepalive.last_received == 7.0


def test_lone_call_gives_the_fields_of_exactly_one_call_and_nothing_else() -> None:
    frame = golden("domain_get_info_call.bin")
    conn = connection()
    fields = conn.lone_call(frame, now=3.0)
    assert fields is not None and fields[0] == len(frame) and Header(*fields[1:]) == header_of(frame)
    assert conn.keepalive.last_received == 3.0
    # whatever receive_data would not turn into one Call of a served program, alone
    assert conn.lone_call(frame + frame) is None  # two calls in one read
    assert conn.lone_call(frame[:-1]) is None  # a call not read whole
    assert conn.lone_call(frame[: MIN_PACKET - 1]) is None  # not even a header
    assert conn.lone_call(call_bytes(remote.REMOTE_PROC_CONNECT_GET_TYPE, 4, type=MessageType.REPLY)) is None
    assert conn.lone_call(call_bytes(remote.REMOTE_PROC_CONNECT_GET_TYPE, 4, prog=0x1234)) is None
    assert conn.lone_call(with_fds(9, 0)) is None
    assert conn.keepalive.last_received == 3.0  # none of those counted
    # a packet begun in an earlier read: the next bytes are its rest, not a new call
    waiting = connection()
    assert waiting.receive_data(frame[:10]) == []
    assert waiting.lone_call(frame) is None
    # a closed connection reads nothing more
    closed = connection()
    assert closed.receive_data(b"") == [Close(CloseReason.PEER_CLOSED)]
    assert closed.lone_call(frame) is None


def test_split_and_merged_packets_give_the_same_calls() -> None:
    first, second = golden("connect_open_call.bin"), golden("domain_get_info_call.bin")
    whole = connection().receive_data(first + second)
    assert [type(e) for e in whole] == [Call, Call]
    conn = connection()
    events: list[Event[FakeStream]] = []
    for index in range(len(first + second)):  # one byte at a time
        events += conn.receive_data((first + second)[index : index + 1], now=float(index))
    assert events == whole
    # only a whole packet is a sign of life: the last byte of each
    assert conn.keepalive.last_received == float(len(first + second) - 1)
    conn = connection()
    assert conn.receive_data(first[:10], now=1.0) == [] and conn.keepalive.last_received == 0.0
    assert not conn.idle


def test_ping_is_answered_with_libvirtds_pong_and_a_pong_is_only_a_sign_of_life() -> None:
    conn = connection()
    assert conn.receive_data(golden("keepalive_ping.bin"), now=3.0) == [
        Send(golden("keepalive_pong.bin"), SendReason.PONG)
    ]
    pong = golden("keepalive_pong.bin")
    assert conn.receive_data(pong, now=4.0) == [Dropped(header_of(pong), DropReason.KEEPALIVE)]
    assert conn.keepalive.last_received == 4.0


def test_calls_to_unknown_programs_are_answered_as_libvirtd_answers_them() -> None:
    expected = golden("error_reply_unknown_program.bin")
    call = header_of(expected)._replace(type=MessageType.CALL, status=Status.OK)
    (event,) = connection().receive_data(encode_packet(call))
    assert event == Send(expected, SendReason.UNKNOWN_PROGRAM)
    # a CALL to the keepalive program is no keepalive message: libvirtd cannot find the program
    ping_call = header_of(golden("keepalive_ping.bin"))._replace(type=MessageType.CALL)
    (event,) = connection().receive_data(encode_packet(ping_call))
    assert isinstance(event, Send) and event.reason is SendReason.UNKNOWN_PROGRAM
    assert b"Cannot find program 1801807216 version 1" in event.data
    # a known program at another version, and a version over 2^31 printed as libvirtd's %d does
    (event,) = connection().receive_data(call_bytes(1, 5, vers=0xFFFFFFFF))
    assert isinstance(event, Send) and b"Cannot find program 536903814 version -1" in event.data


def test_replies_and_messages_from_a_client_are_dropped() -> None:
    conn = connection()
    for message_type in (MessageType.REPLY, MessageType.MESSAGE, MessageType.REPLY_WITH_FDS):
        frame = call_bytes(remote.REMOTE_PROC_CONNECT_GET_TYPE, 9, b"\0\0\0\1", type=message_type)
        # REPLY_WITH_FDS is an ordinary packet to a daemon: no descriptor count is read
        assert conn.receive_data(frame) == [Dropped(header_of(frame), DropReason.NOT_A_CALL)]
    assert conn.state is State.OPEN


def test_stream_packets_go_to_the_stream_their_serial_opened() -> None:
    conn = connection()
    screenshot = header_of(golden("screenshot_call.bin"))
    data = golden("screenshot_client_finish.bin")
    assert header_of(data).serial == screenshot.serial
    assert conn.receive_data(data) == [Dropped(header_of(data), DropReason.NO_SUCH_STREAM)]
    opened = FakeStream(screenshot)
    conn.streams[screenshot.serial] = opened
    assert conn.receive_data(data) == [StreamData(opened, Packet(header_of(data), data[MIN_PACKET:], 0))]
    hole = stream.hole_packet(screenshot, 4096)
    (event,) = conn.receive_data(hole)
    assert isinstance(event, StreamData) and event.packet.header.type == MessageType.STREAM_HOLE
    # the same serial with another procedure is not that stream's
    other = encode_packet(header_of(data)._replace(proc=remote.REMOTE_PROC_STORAGE_VOL_UPLOAD))
    assert conn.receive_data(other) == [Dropped(header_of(other), DropReason.NO_SUCH_STREAM)]


def test_lengths_outside_the_limits_close_the_connection() -> None:
    cases = [
        (struct.pack(">I", MAX_PACKET + 5) + bytes(24), Violation.LENGTH_TOO_LARGE),
        (struct.pack(">I", 0xFFFFFFFF), Violation.LENGTH_TOO_LARGE),
        (struct.pack(">I", 27) + bytes(23), Violation.LENGTH_TOO_SMALL),
        (struct.pack(">I", 0), Violation.LENGTH_TOO_SMALL),
        (b"GET / HTTP/1.1\r\n", Violation.LENGTH_TOO_LARGE),
    ]
    for data, violation in cases:
        conn = connection()
        (event,) = conn.receive_data(data)
        assert isinstance(event, Close) and (event.reason, event.violation) == (CloseReason.FRAMING, violation)
        assert conn.state is State.CLOSED
        assert conn.receive_data(golden("domain_get_info_call.bin")) == []  # nothing after the end
    # the largest packet is not a violation (the length word counts itself)
    (event,) = connection().receive_data(call_bytes(1, 1, bytes(MAX_PACKET - 24)))
    assert isinstance(event, Call) and len(event.payload) == MAX_PACKET - 24


def test_packets_before_a_violation_are_still_events() -> None:
    frame = golden("domain_get_info_call.bin")
    events = connection().receive_data(frame + struct.pack(">I", 3))
    assert [type(e) for e in events] == [Call, Close]


def test_a_call_with_descriptors_waits_for_them_and_each_byte_needs_its_descriptor() -> None:
    conn = connection()
    assert conn.receive_data(with_fds(50, 2, b"abcd"), fds=0) == []  # the descriptors' bytes are still to come
    assert conn.receive_data(b"\0", fds=1) == []
    (event,) = conn.receive_data(b"\0", fds=1)
    assert event == Call(header_of(with_fds(50, 2)), b"abcd", 2)
    assert conn.idle
    # one claimed, none sent: the next packet's first byte stands where the descriptor's
    # should be, and libvirtd's recvfd fails on it; the call is never dispatched
    conn = connection()
    events = conn.receive_data(with_fds(50, 1) + call_bytes(remote.REMOTE_PROC_CONNECT_GET_TYPE, 51))
    assert len(events) == 1 and isinstance(events[0], Close) and events[0].violation is Violation.MISSING_FDS
    # zero descriptors: nothing to wait for
    (event,) = connection().receive_data(with_fds(52, 0))
    assert event == Call(header_of(with_fds(52, 0)), b"", 0)


def test_descriptor_counts_out_of_bounds_close_the_connection() -> None:
    (event,) = connection().receive_data(with_fds(53, 33))
    assert isinstance(event, Close) and event.violation is Violation.TOO_MANY_FDS
    short = call_bytes(1, 54, type=MessageType.CALL_WITH_FDS)  # no room for the count
    (event,) = connection().receive_data(short)
    assert isinstance(event, Close) and event.violation is Violation.NO_FD_COUNT


def test_the_end_of_the_stream_closes_and_a_closing_call_stops_reading() -> None:
    conn = connection()
    assert conn.receive_data(b"") == [Close(CloseReason.PEER_CLOSED)]
    assert conn.receive_data(b"") == []
    conn = connection()
    close_call = golden("connect_close_call.bin")
    (event,) = conn.receive_data(close_call)
    assert isinstance(event, Call)
    assert not conn.call_answered(header_of(golden("domain_get_info_call.bin")))
    assert conn.state is State.OPEN
    assert conn.call_answered(event.header) and conn.state is State.CLOSING
    assert conn.receive_data(golden("domain_get_info_call.bin")) == []


def test_admin_connections_serve_the_admin_program_only() -> None:
    conn: Connection[FakeStream] = Connection(
        {(admin.PROGRAM, admin.PROTOCOL_VERSION): object()},
        frozenset({(admin.PROGRAM, admin.ADMIN_PROC_CONNECT_CLOSE)}),
        keepalive.KeepaliveSchedule(5, 3),
    )
    (event,) = conn.receive_data(golden("domain_get_info_call.bin"))
    assert isinstance(event, Send) and event.reason is SendReason.UNKNOWN_PROGRAM
    header = Header(admin.PROGRAM, admin.PROTOCOL_VERSION, admin.ADMIN_PROC_CONNECT_CLOSE, MessageType.CALL, 3, 0)
    (event,) = conn.receive_data(encode_packet(header))
    assert isinstance(event, Call) and conn.call_answered(event.header)


# A byte stream a client might send, each piece with the event it makes: calls libvirt's
# clients sent, pings, pongs, replies, stream packets, calls with descriptors (their bytes
# after them), and maybe a violation at the end.
SCREENSHOT = header_of(golden("screenshot_call.bin"))
PIECES: list[tuple[bytes, type]] = [(golden(p.name), Call) for p in sorted(GOLDEN.glob("*_call.bin"))] + [
    (golden("keepalive_ping.bin"), Send),
    (golden("keepalive_pong.bin"), Dropped),
    (golden("screenshot_client_finish.bin"), StreamData),
    (golden("screenshot_client_abort.bin"), StreamData),
    (stream.hole_packet(SCREENSHOT._replace(serial=SCREENSHOT.serial + 100), 10), Dropped),
    (call_bytes(remote.REMOTE_PROC_CONNECT_GET_TYPE, 70, type=MessageType.REPLY), Dropped),
    (call_bytes(remote.REMOTE_PROC_CONNECT_GET_TYPE, 71, prog=0x1234), Send),
    (encode_packet(Header(keepalive_program.KEEPALIVE_PROGRAM, 1, 1, MessageType.CALL, 72, 0)), Send),
]
BAD_ENDS = [struct.pack(">I", 12), struct.pack(">I", MAX_PACKET + 5), with_fds(99, 40), b"\0\0\0\x1c" + bytes(20)]


def events_of(data: bytes, cuts: list[int], descriptor_bytes: set[int]) -> list[Event[FakeStream]]:
    """Feed data in the pieces cuts make; each chunk brings the descriptors of the bytes in it,
    as a unix socket delivers a descriptor with the byte sent along with it."""
    conn = connection()
    for serial in (SCREENSHOT.serial, header_of(golden("screenshot_client_abort.bin")).serial):  # two captures
        conn.streams[serial] = FakeStream(SCREENSHOT._replace(serial=serial))
    events: list[Event[FakeStream]] = []
    previous = 0
    for cut in [*sorted(set(cuts)), len(data)]:
        fds = sum(1 for position in descriptor_bytes if previous <= position < cut)
        events += conn.receive_data(data[previous:cut], fds)
        previous = cut
    return events


@st.composite
def client_streams(draw: st.DrawFn) -> tuple[bytes, set[int], list[type]]:
    data = b""
    descriptor_bytes: set[int] = set()
    kinds: list[type] = []
    for index in draw(st.lists(st.integers(0, len(PIECES)), min_size=1, max_size=12)):
        if index == len(PIECES):  # a call with descriptors, each byte sent with its descriptor
            count = draw(st.integers(0, 3))
            data += with_fds(80 + len(kinds), count, b"\0\0\0\1")
            descriptor_bytes |= set(range(len(data), len(data) + count))
            data += bytes(count)
            kinds.append(Call)
        else:
            piece, kind = PIECES[index]
            data += piece
            kinds.append(kind)
    if draw(st.booleans()):
        bad = draw(st.sampled_from(BAD_ENDS))
        if bad[:4] != b"\0\0\0\x1c":  # the last one only waits for its 4 missing bytes
            kinds.append(Close)
        data += bad
    return data, descriptor_bytes, kinds


@settings(max_examples=300, deadline=None)
@given(client_streams(), st.data())
def test_any_chunking_of_a_byte_stream_gives_the_same_events(
    sent: tuple[bytes, set[int], list[type]], data: st.DataObject
) -> None:
    stream_bytes, descriptor_bytes, kinds = sent
    whole = events_of(stream_bytes, [], descriptor_bytes)
    assert [type(event) for event in whole] == kinds
    cuts = data.draw(st.lists(st.integers(1, max(1, len(stream_bytes) - 1)), max_size=30))
    assert events_of(stream_bytes, cuts, descriptor_bytes) == whole
