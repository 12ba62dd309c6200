"""Stream packets: data, end of data, finish, abort and holes (sans-io helpers).

A stream belongs to the call that opened it: its packets carry that call's program,
version, procedure and serial, with type STREAM (or STREAM_HOLE).
"""

from __future__ import annotations

import enum

from virtrio.protocol.generated import virnet

from .packet import STREAM_CHUNK_MAX, Header, MessageType, Status, encode_packet

HOLE_CODEC = virnet.CODECS["virNetStreamHole"]


class StreamOutcome(enum.Enum):
    """How a stream ended."""

    FINISH = enum.auto()  # the client's STREAM/OK
    ABORT = enum.auto()  # the client's STREAM/ERROR
    FAILED = enum.auto()  # the daemon's side failed and sent STREAM/ERROR
    GONE = enum.auto()  # the client disconnected

    @property
    def confirmed(self) -> bool:
        """Whether the daemon answers with STREAM/OK, as libvirtd confirms a finish or an abort."""
        return self in (StreamOutcome.FINISH, StreamOutcome.ABORT)


def stream_header(call: Header, status: int, type_: int = MessageType.STREAM) -> Header:
    return Header(call.prog, call.vers, call.proc, type_, call.serial, status)


def data_packets(call: Header, data: bytes) -> list[bytes]:
    """Data as STREAM/CONTINUE packets of at most the protocol's chunk size."""
    header = stream_header(call, Status.CONTINUE)
    return [encode_packet(header, data[i : i + STREAM_CHUNK_MAX]) for i in range(0, len(data), STREAM_CHUNK_MAX)]


def end_of_data_packet(call: Header) -> bytes:
    """An empty STREAM/CONTINUE: the sender has no more data."""
    return encode_packet(stream_header(call, Status.CONTINUE))


def finish_packet(call: Header) -> bytes:
    """STREAM/OK: a finish request, or the confirmation of one (or of an abort)."""
    return encode_packet(stream_header(call, Status.OK))


def error_packet(call: Header, error_payload: bytes) -> bytes:
    """STREAM/ERROR with a remote_error: the stream failed."""
    return encode_packet(stream_header(call, Status.ERROR), error_payload)


def hole_packet(call: Header, length: int, flags: int = 0) -> bytes:
    payload = HOLE_CODEC.encode(virnet.virNetStreamHole(length, flags))
    return encode_packet(stream_header(call, Status.CONTINUE, MessageType.STREAM_HOLE), payload)


def decode_hole(payload: bytes) -> int:
    """The hole's length in bytes."""
    length: int = HOLE_CODEC.decode(payload).length
    return length
