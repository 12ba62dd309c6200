"""Bytes in, packets out: splitting a byte stream into libvirt RPC packets (sans-io)."""

from __future__ import annotations

from .packet import (
    CALL,
    FD_COUNT,
    HEADER,
    LENGTH,
    LENGTH_AND_HEADER,
    MAX_FDS,
    MAX_PACKET,
    MIN_PACKET,
    OK,
    WITH_FDS,
    Header,
    Packet,
)


class FramingError(Exception):
    """The peer broke the framing rules; libvirtd drops such a connection without a reply."""


class PacketReader:
    """Accumulates received bytes and hands out whole packets.

    A length word under 28 or over 4 + 32 MiB, or a file-descriptor count over 32,
    raises FramingError; the connection cannot be resynchronised after that.
    """

    def __init__(self, fd_types: tuple[int, ...] = WITH_FDS) -> None:
        """fd_types: the packet types whose descriptors this side receives (a daemon reads
        them after CALL_WITH_FDS only: a client's REPLY_WITH_FDS is an ordinary packet to
        it, as to libvirtd)."""
        self._fd_types = fd_types
        # Bytes that stood for descriptors, read so far: each must have come with its
        # descriptor, which the caller checks against what the socket delivered.
        self.fd_bytes_read = 0
        self._buffer = bytearray()
        # After a *_WITH_FDS packet, libvirt sends each descriptor with one dummy byte.
        self._dummy_bytes = 0

    @property
    def pending(self) -> int:
        """Bytes received that do not make a whole packet yet."""
        return len(self._buffer)

    @property
    def idle(self) -> bool:
        """Nothing held back: the next bytes received start a packet."""
        return not self._buffer and not self._dummy_bytes

    def feed(self, data: bytes) -> list[Packet]:
        if not self._buffer and not self._dummy_bytes and len(data) >= MIN_PACKET:
            # The common case, a read that holds exactly one packet without descriptors.
            (length,) = LENGTH.unpack_from(data)
            if length == len(data):
                header = Header._make(HEADER.unpack_from(data, 4))
                if header.type not in self._fd_types:
                    return [Packet(header, data[MIN_PACKET:], 0)]
        if self._buffer or self._dummy_bytes:
            self._buffer += data
            source: bytes | bytearray = self._buffer
        else:
            source = data  # the common case: parse the received bytes where they are
        packets = []
        start = 0
        end = len(source)
        while True:
            if self._dummy_bytes:
                skipped = min(self._dummy_bytes, end - start)
                self._dummy_bytes -= skipped
                self.fd_bytes_read += skipped
                start += skipped
            if end - start < 4:
                break
            (length,) = LENGTH.unpack_from(source, start)
            if length < MIN_PACKET or length - 4 > MAX_PACKET:
                raise FramingError(f"packet length {length} is outside {MIN_PACKET}..{MAX_PACKET + 4}")
            if end - start < length:
                break
            header = Header._make(HEADER.unpack_from(source, start + 4))
            body = start + MIN_PACKET
            fd_count = 0
            if header.type in self._fd_types:
                if length < MIN_PACKET + 4:
                    raise FramingError("a packet with file descriptors lacks their count")
                (fd_count,) = FD_COUNT.unpack_from(source, body)
                if fd_count > MAX_FDS:
                    raise FramingError(f"{fd_count} file descriptors exceed the maximum of {MAX_FDS}")
                body += 4
                self._dummy_bytes = fd_count
            packets.append(Packet(header, bytes(source[body : start + length]), fd_count))
            start += length
        if source is self._buffer:
            del self._buffer[:start]
        elif start < end:
            self._buffer += data[start:]
        return packets


def lone_call(data: bytes) -> tuple[int, int, int, int] | None:
    """(prog, vers, proc, serial) when data is exactly one CALL packet with status OK, the
    usual read from a client calling in a loop; None for anything else, which goes through
    a PacketReader. Only for data that starts a packet (PacketReader.idle). The payload
    starts at MIN_PACKET."""
    if len(data) < MIN_PACKET:
        return None
    length, prog, vers, proc, message_type, serial, status = LENGTH_AND_HEADER.unpack_from(data)
    if length != len(data) or message_type != CALL or status != OK:
        return None
    return prog, vers, proc, serial
