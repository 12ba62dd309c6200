"""Packets from bytes and bytes from packets, byte for byte."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtrio.rpc.framing import FramingError, PacketReader, Violation, lone_call
from virtrio.rpc.packet import (
    MAX_PACKET,
    MIN_PACKET,
    Header,
    MessageType,
    Status,
    encode_packet,
    encode_reply,
    finish_reply,
    start_reply,
)

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
FRAMES = [p.read_bytes() for p in sorted(GOLDEN.glob("*.bin"))]
STREAM = b"".join(FRAMES)


def test_golden_frames_parse_and_re_encode() -> None:
    packets = PacketReader().feed(STREAM)
    assert len(packets) == len(FRAMES)
    for frame, packet in zip(FRAMES, packets, strict=True):
        assert encode_packet(packet.header, packet.payload) == frame


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(STREAM) - 1), max_size=40))
def test_any_split_of_the_byte_stream_gives_the_same_packets(cuts: list[int]) -> None:
    reader = PacketReader()
    packets = []
    previous = 0
    for cut in [*sorted(set(cuts)), len(STREAM)]:
        packets += reader.feed(STREAM[previous:cut])
        previous = cut
    assert [encode_packet(p.header, p.payload) for p in packets] == FRAMES
    assert reader.pending == 0


@pytest.mark.parametrize("length", [0, 1, 4, 27, MAX_PACKET + 5, 0xFFFFFFFF])
def test_lengths_outside_the_limits_are_violations(length: int) -> None:
    with pytest.raises(FramingError):
        PacketReader().feed(struct.pack(">I", length) + bytes(24))


def test_the_largest_packet_is_accepted_and_the_smallest_too() -> None:
    header = Header(1, 1, 1, MessageType.CALL, 7, Status.OK)
    reader = PacketReader()
    empty = reader.feed(encode_packet(header))
    assert empty[0].payload == b"" and empty[0].header == header
    payload = bytes(MAX_PACKET - 24)
    (packet,) = reader.feed(encode_packet(header, payload))
    assert len(packet.payload) == MAX_PACKET - 24
    with pytest.raises(ValueError, match="exceeds"):
        encode_packet(header, payload + b"\0\0\0\0")


def test_header_is_big_endian_with_a_self_counting_length() -> None:
    data = encode_packet(Header(0x20008086, 1, 16, MessageType.REPLY, 5, Status.ERROR), b"abcd")
    assert data.hex() == "0000002020008086000000010000001000000001000000050000000161626364"


def test_packets_with_file_descriptors() -> None:
    header = Header(0x20008086, 1, 443, MessageType.CALL_WITH_FDS, 3, Status.OK)
    data = encode_packet(header, b"\0\0\0\1", fd_count=2)
    assert data[28:32] == b"\0\0\0\2"
    follow = encode_packet(Header(0x20008086, 1, 3, MessageType.CALL, 4, Status.OK))
    # each descriptor travels with one dummy byte after the packet
    packets = PacketReader().feed(data + b"\0\0" + follow)
    assert [p.header.serial for p in packets] == [3, 4]
    assert packets[0].fd_count == 2 and packets[0].payload == b"\0\0\0\1"
    with pytest.raises(FramingError, match="33 file descriptors"):
        PacketReader().feed(encode_packet(header, b"", fd_count=33))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80), st.sampled_from(FRAMES))
def test_a_lone_call_is_what_the_reader_makes_of_the_same_bytes(noise: bytes, frame: bytes) -> None:
    """lone_call is the reader's shortcut: wherever it answers, the reader agrees; it answers
    exactly for one whole CALL packet with status OK."""
    for data in (frame, noise, frame + noise, frame[:-1], noise + frame):
        found = lone_call(data)
        try:
            packets = PacketReader().feed(data)
        except FramingError:
            assert found is None
            continue
        is_lone_call = (
            len(packets) == 1
            and packets[0].header.type == MessageType.CALL
            and packets[0].header.status == Status.OK
            and len(data) == MIN_PACKET + len(packets[0].payload)
        )
        if not is_lone_call:
            assert found is None
            continue
        header = packets[0].header
        assert found == (header.prog, header.vers, header.proc, header.serial)
        assert data[MIN_PACKET:] == packets[0].payload


def test_lone_call_bytes_and_refusals() -> None:
    call = Header(0x20008086, 1, 16, MessageType.CALL, 9, Status.OK)
    data = encode_packet(call, b"abcd")
    assert lone_call(data) == (0x20008086, 1, 16, 9)
    assert lone_call(data + b"\0") is None  # more than one packet's bytes
    assert lone_call(data[:-1]) is None  # less
    assert lone_call(encode_packet(call._replace(status=Status.ERROR), b"abcd")) is None
    assert lone_call(encode_packet(call._replace(type=MessageType.REPLY), b"abcd")) is None
    assert lone_call(encode_packet(call._replace(type=MessageType.CALL_WITH_FDS), b"", fd_count=0)) is None
    assert lone_call(data[:27]) is None


def test_a_reply_built_in_place_equals_the_encoded_reply() -> None:
    call = Header(0x20008086, 1, 16, MessageType.CALL, 0xFFFFFFFF, Status.OK)
    reply = start_reply()
    reply += b"payload!"
    assert finish_reply(reply, call.prog, call.vers, call.proc, call.serial) == encode_reply(call, b"payload!")
    assert bytes(reply[:4]) == struct.pack(">I", 36)
    too_big = start_reply()
    too_big += bytes(MAX_PACKET - 24 + 1)
    with pytest.raises(ValueError, match="exceeds"):
        finish_reply(too_big, 1, 1, 1, 1)


def test_packets_before_a_violation_come_out_with_it() -> None:
    call = encode_packet(Header(0x20008086, 1, 16, MessageType.CALL, 9, Status.OK), b"abcd")
    packets, error = PacketReader().feed_until_error(call + struct.pack(">I", 12))
    assert [p.header.serial for p in packets] == [9]
    assert error is not None and error.violation is Violation.LENGTH_TOO_SMALL
    with pytest.raises(FramingError) as raised:  # feed: all or nothing, as before
        PacketReader().feed(call + struct.pack(">I", 12))
    assert raised.value.violation is Violation.LENGTH_TOO_SMALL


def test_a_packet_with_descriptors_waits_for_their_bytes_which_need_descriptors_when_verified() -> None:
    header = Header(0x20008086, 1, 443, MessageType.CALL_WITH_FDS, 3, Status.OK)
    data = encode_packet(header, b"", fd_count=2)
    for verify in (False, True):
        reader = PacketReader(verify_fds=verify)
        assert reader.feed(data + b"\0", fds=1) == [] and not reader.idle
        (packet,) = reader.feed(b"\0", fds=1)
        assert packet.fd_count == 2 and reader.idle and reader.fd_bytes_read == 2
    # a capture holds the bytes but not the descriptors: only a verifying reader refuses
    assert len(PacketReader().feed(data + b"\0\0")) == 1
    packets, error = PacketReader(verify_fds=True).feed_until_error(data + b"\0\0", fds=1)
    assert packets == [] and error is not None and error.violation is Violation.MISSING_FDS


@settings(max_examples=100, deadline=None)
@given(st.integers(-(2**31), 2**31 - 1), st.integers(-(2**31), 2**31 - 1))
def test_header_enum_words_are_taken_as_they_are(message_type: int, status: int) -> None:
    """The header's type and status are XDR enums: libtirpc's xdr_enum takes any word, and the
    dispatcher (not the decoder) answers a type or status it does not know."""
    if message_type in (MessageType.CALL_WITH_FDS, MessageType.REPLY_WITH_FDS):
        message_type = 99  # these two carry a descriptor count after the header
    frame = struct.pack(">IIIiiIi", 28, 0x20008086, 1, 2, message_type, 5, status)
    (packet,) = PacketReader().feed(frame)
    assert (packet.header.type, packet.header.status) == (message_type, status)
    if (message_type, status) != (MessageType.CALL, Status.OK):
        assert lone_call(frame) is None  # not the fast path: the dispatcher decides
