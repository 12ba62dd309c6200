"""Packets of libvirt's RPC protocol: the header, message types and statuses, encoding.

A packet on the wire is a 4-byte big-endian length that counts itself, a 24-byte header
(prog, vers, proc, type, serial, status), for the *_WITH_FDS types a u32 count of file
descriptors, then the XDR payload.
"""

from __future__ import annotations

import struct
from enum import IntEnum
from typing import NamedTuple

from virtrio.protocol.generated import virnet

LENGTH = struct.Struct(">I")
HEADER = struct.Struct(">IIiiIi")
LENGTH_AND_HEADER = struct.Struct(">IIIiiIi")
FD_COUNT = struct.Struct(">I")

HEADER_SIZE = 24
MIN_PACKET = 4 + HEADER_SIZE  # an empty call
MAX_PACKET = virnet.VIR_NET_MESSAGE_MAX  # not counting the length word
MAX_PAYLOAD = virnet.VIR_NET_MESSAGE_PAYLOAD_MAX
MAX_FDS = virnet.VIR_NET_MESSAGE_NUM_FDS_MAX
STREAM_CHUNK_MAX = virnet.VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX  # data per stream packet


class MessageType(IntEnum):
    CALL = virnet.VIR_NET_CALL
    REPLY = virnet.VIR_NET_REPLY
    MESSAGE = virnet.VIR_NET_MESSAGE
    STREAM = virnet.VIR_NET_STREAM
    CALL_WITH_FDS = virnet.VIR_NET_CALL_WITH_FDS
    REPLY_WITH_FDS = virnet.VIR_NET_REPLY_WITH_FDS
    STREAM_HOLE = virnet.VIR_NET_STREAM_HOLE


class Status(IntEnum):
    OK = virnet.VIR_NET_OK
    ERROR = virnet.VIR_NET_ERROR
    CONTINUE = virnet.VIR_NET_CONTINUE


WITH_FDS = (MessageType.CALL_WITH_FDS, MessageType.REPLY_WITH_FDS)
CALL = int(MessageType.CALL)
REPLY = int(MessageType.REPLY)
OK = int(Status.OK)


class Header(NamedTuple):  # a tuple: made once per packet, so it must be cheap
    prog: int
    vers: int
    proc: int
    type: int
    serial: int
    status: int

    def reply(self, status: int = Status.OK, type_: int = MessageType.REPLY) -> Header:
        """The header of an answer to this packet: same program, procedure and serial."""
        return Header(self.prog, self.vers, self.proc, type_, self.serial, status)


class Packet(NamedTuple):
    header: Header
    payload: bytes
    fd_count: int = 0  # file descriptors that follow the bytes (WITH_FDS types only)


class PacketTooLarge(ValueError):
    """A packet over VIR_NET_MESSAGE_MAX: a reply that big is refused as libvirtd refuses a
    payload it cannot encode (the caller answers with an error; the connection goes on)."""


def encode_reply(call: Header, payload: bytes) -> bytes:
    """A successful REPLY to a call: the hot path, so packed in one step."""
    length = MIN_PACKET + len(payload)
    if length - 4 > MAX_PACKET:
        raise PacketTooLarge(f"packet of {length} bytes exceeds the protocol's maximum of {MAX_PACKET}")
    return LENGTH_AND_HEADER.pack(length, call.prog, call.vers, call.proc, REPLY, call.serial, OK) + payload


_NO_HEADER_YET = bytes(MIN_PACKET)


def start_reply() -> bytearray:
    """Room for a packet's length word and header, for the payload to be encoded straight
    after it; finish_reply then writes both in one step."""
    return bytearray(_NO_HEADER_YET)


def finish_reply(packet: bytearray, call_prog: int, call_vers: int, call_proc: int, call_serial: int) -> bytearray:
    """Write the length word and the header of a successful REPLY into a packet begun by
    start_reply and holding its payload."""
    length = len(packet)
    if length - 4 > MAX_PACKET:
        raise PacketTooLarge(f"packet of {length} bytes exceeds the protocol's maximum of {MAX_PACKET}")
    LENGTH_AND_HEADER.pack_into(packet, 0, length, call_prog, call_vers, call_proc, REPLY, call_serial, OK)
    return packet


def encode_packet(header: Header, payload: bytes | bytearray = b"", fd_count: int | None = None) -> bytes:
    """The bytes of one packet. fd_count is written for the *_WITH_FDS types."""
    extra = b"" if fd_count is None else FD_COUNT.pack(fd_count)
    length = MIN_PACKET + len(extra) + len(payload)
    if length - 4 > MAX_PACKET:
        raise PacketTooLarge(f"packet of {length} bytes exceeds the protocol's maximum of {MAX_PACKET}")
    start = LENGTH_AND_HEADER.pack(
        length, header.prog, header.vers, header.proc, header.type, header.serial, header.status
    )
    return b"".join((start, extra, payload))
