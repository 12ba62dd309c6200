"""Bytes in, packets out: splitting a byte stream into libvirt RPC packets (sans-io)."""

from __future__ import annotations

import enum

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


class Violation(enum.Enum):
    """Which framing rule the peer broke (libvirtd closes the connection for each)."""

    LENGTH_TOO_SMALL = enum.auto()  # a length word under 28: not even a header
    LENGTH_TOO_LARGE = enum.auto()  # over 4 + 32 MiB
    NO_FD_COUNT = enum.auto()  # a *_WITH_FDS packet too short for its descriptor count
    TOO_MANY_FDS = enum.auto()  # a descriptor count over 32
    MISSING_FDS = enum.auto()  # a byte standing for a descriptor came without one


class FramingError(Exception):
    """The peer broke the framing rules; libvirtd drops such a connection without a reply."""

    def __init__(self, message: str, violation: Violation) -> None:
        super().__init__(message)
        self.violation = violation


class PacketReader:
    """Accumulates received bytes and hands out whole packets.

    A length word under 28 or over 4 + 32 MiB, or a file-descriptor count over 32, is a
    FramingError; the connection cannot be resynchronised after that. A packet with
    descriptors is handed out once the bytes standing for them have arrived, as libvirtd
    dispatches it only once it has received them.
    """

    def __init__(self, fd_types: tuple[int, ...] = WITH_FDS, verify_fds: bool = False) -> None:
        """fd_types: the packet types whose descriptors this side receives (a daemon reads
        them after CALL_WITH_FDS only: a client's REPLY_WITH_FDS is an ordinary packet to
        it, as to libvirtd). verify_fds: each byte standing for a descriptor must have come
        with one (feed's `fds` says how many came), else MISSING_FDS; off for captures,
        which hold the bytes but not the descriptors."""
        self._fd_types = fd_types
        self._verify_fds = verify_fds
        self.fds_received = 0
        # Bytes that stood for descriptors, read so far.
        self.fd_bytes_read = 0
        self._buffer = bytearray()
        # After a *_WITH_FDS packet, libvirt sends each descriptor with one dummy byte;
        # the packet waits in _held until they are all read.
        self._dummy_bytes = 0
        self._held: Packet | None = None
        # Nothing held back: the next bytes received start a packet. An attribute, not a
        # property: it is read before every read from a client.
        self.idle = True

    @property
    def pending(self) -> int:
        """Bytes received that do not make a whole packet yet."""
        return len(self._buffer)

    def feed(self, data: bytes, fds: int = 0) -> list[Packet]:
        """The packets data completes; a FramingError (and none of them) if it breaks the rules."""
        packets, error = self.feed_until_error(data, fds)
        if error is not None:
            raise error
        return packets

    def feed_until_error(self, data: bytes, fds: int = 0) -> tuple[list[Packet], FramingError | None]:
        """The packets data completes, up to the first framing violation, and that violation
        (after which the reader is of no further use). fds: descriptors that came with data."""
        self.fds_received += fds
        if not self._buffer and not self._dummy_bytes and len(data) >= MIN_PACKET:
            # The common case, a read that holds exactly one packet without descriptors.
            (length,) = LENGTH.unpack_from(data)
            if length == len(data):
                header = Header._make(HEADER.unpack_from(data, 4))
                if header.type not in self._fd_types:
                    return [Packet(header, data[MIN_PACKET:], 0)], None
        if self._buffer or self._dummy_bytes:
            self._buffer += data
            source: bytes | bytearray = self._buffer
        else:
            source = data  # the common case: parse the received bytes where they are
        packets = []
        start = 0
        end = len(source)
        try:
            while True:
                if self._dummy_bytes:
                    skipped = min(self._dummy_bytes, end - start)
                    if self._verify_fds and self.fd_bytes_read + skipped > self.fds_received:
                        raise FramingError("fewer file descriptors than claimed", Violation.MISSING_FDS)
                    self._dummy_bytes -= skipped
                    self.fd_bytes_read += skipped
                    start += skipped
                    if self._dummy_bytes:
                        break
                    if self._held is not None:
                        packets.append(self._held)
                        self._held = None
                if end - start < 4:
                    break
                (length,) = LENGTH.unpack_from(source, start)
                if length < MIN_PACKET:
                    raise FramingError(
                        f"packet length {length} is outside {MIN_PACKET}..{MAX_PACKET + 4}", Violation.LENGTH_TOO_SMALL
                    )
                if length - 4 > MAX_PACKET:
                    raise FramingError(
                        f"packet length {length} is outside {MIN_PACKET}..{MAX_PACKET + 4}", Violation.LENGTH_TOO_LARGE
                    )
                if end - start < length:
                    break
                header = Header._make(HEADER.unpack_from(source, start + 4))
                body = start + MIN_PACKET
                if header.type not in self._fd_types:
                    packets.append(Packet(header, bytes(source[body : start + length]), 0))
                    start += length
                    continue
                if length < MIN_PACKET + 4:
                    raise FramingError("a packet with file descriptors lacks their count", Violation.NO_FD_COUNT)
                (fd_count,) = FD_COUNT.unpack_from(source, body)
                if fd_count > MAX_FDS:
                    raise FramingError(
                        f"{fd_count} file descriptors exceed the maximum of {MAX_FDS}", Violation.TOO_MANY_FDS
                    )
                packet = Packet(header, bytes(source[body + 4 : start + length]), fd_count)
                start += length
                if fd_count:
                    self._dummy_bytes = fd_count
                    self._held = packet
                else:
                    packets.append(packet)
        except FramingError as error:
            self.idle = False
            return packets, error
        if source is self._buffer:
            del self._buffer[:start]
        elif start < end:
            self._buffer += data[start:]
        self.idle = not self._buffer and not self._dummy_bytes
        return packets, None


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
