"""One client connection's protocol rules, without I/O, in h11's manner: bytes in, events out.

The server feeds what it reads from a client's socket to `Connection.receive_data` and acts
on the events that come back, in order:

- `Call`: a CALL (or CALL_WITH_FDS) to a known program, for dispatch to check and answer;
- `Send`: bytes the rules answer with on their own (a PONG for a PING, the error for a
  call to an unknown program or version);
- `StreamData`: a STREAM or STREAM_HOLE packet for a stream this connection has open;
- `Dropped`: a packet libvirtd ignores without an answer (a REPLY or MESSAGE from the
  client, stream data for no open stream, a keepalive message other than PING);
- `Close`: the connection ends (the peer closed it, or broke the framing rules).

Any whole packet counts as a sign of life for the keepalive schedule. After the reply to a
call that closes the connection (`call_answered`), nothing more is read.
"""

from __future__ import annotations

import enum
from collections.abc import Container
from typing import Generic, NamedTuple, Protocol, TypeAlias, TypeVar

from . import keepalive
from .errors import LibvirtError, rpc_error
from .framing import PacketReader, Violation
from .packet import CALL, LENGTH_AND_HEADER, MIN_PACKET, Header, MessageType, Packet, Status, encode_packet


class SendReason(enum.Enum):
    PONG = enum.auto()  # the answer to a keepalive PING
    UNKNOWN_PROGRAM = enum.auto()  # "Cannot find program N version M"


class DropReason(enum.Enum):
    NOT_A_CALL = enum.auto()  # a REPLY, MESSAGE or REPLY_WITH_FDS from the client
    NO_SUCH_STREAM = enum.auto()  # stream data for a serial with no open stream of that procedure
    KEEPALIVE = enum.auto()  # a keepalive message other than PING (a PONG: only a sign of life)


class CloseReason(enum.Enum):
    PEER_CLOSED = enum.auto()  # the client closed its end
    FRAMING = enum.auto()  # the client broke the framing rules (Close.violation says which)


class OpenStream(Protocol):
    """What the connection needs of a stream the server opened: the call that opened it."""

    @property
    def call(self) -> Header: ...


S = TypeVar("S", bound=OpenStream)


# Events are named tuples: one is made per packet, so they must be cheap to make.
class Call(NamedTuple):
    header: Header
    payload: bytes
    fd_count: int = 0  # descriptors that came with a CALL_WITH_FDS


class Send(NamedTuple):
    data: bytes
    reason: SendReason


class StreamData(NamedTuple, Generic[S]):
    stream: S
    packet: Packet


class Dropped(NamedTuple):
    header: Header
    reason: DropReason


class Close(NamedTuple):
    reason: CloseReason
    violation: Violation | None = None
    detail: str = ""


Event: TypeAlias = Call | Send | StreamData[S] | Dropped | Close


class State(enum.Enum):
    OPEN = enum.auto()
    CLOSING = enum.auto()  # a call that closes the connection was answered: read nothing more
    CLOSED = enum.auto()  # a Close event went out


_OPEN = State.OPEN  # read per call: a module name is ~5x cheaper than an enum class attribute


def as_signed(value: int) -> int:
    """libvirtd prints program and version numbers with %d."""
    return value - (1 << 32) if value >= 1 << 31 else value


def error_reply(call: Header, error: LibvirtError) -> bytes:
    """The error packet answering a call."""
    return encode_packet(call.reply(Status.ERROR), error.encode())


_new_tuple = tuple.__new__
_CALL_TYPES = (MessageType.CALL, MessageType.CALL_WITH_FDS)
_STREAM_TYPES = (MessageType.STREAM, MessageType.STREAM_HOLE)


class Connection(Generic[S]):
    """The rules of one client connection, server side.

    programs: the (program, version) pairs this connection serves (a listener's choice);
    closing_calls: the (program, procedure) pairs whose successful reply ends the
    connection (CONNECT_CLOSE); keepalive: the schedule any whole packet refreshes;
    streams: open streams by the serial of the call that opened them (the server adds
    and removes them).
    """

    __slots__ = ("_reader", "closing_calls", "keepalive", "programs", "state", "streams")

    def __init__(
        self,
        programs: Container[tuple[int, int]],
        closing_calls: frozenset[tuple[int, int]],
        keepalive_schedule: keepalive.KeepaliveSchedule,
    ) -> None:
        # A daemon receives descriptors after CALL_WITH_FDS only, each with its byte.
        self._reader = PacketReader(fd_types=(MessageType.CALL_WITH_FDS,), verify_fds=True)
        self.programs = programs
        self.closing_calls = closing_calls
        self.keepalive = keepalive_schedule
        self.streams: dict[int, S] = {}
        self.state = State.OPEN

    def receive_data(self, data: bytes, fds: int = 0, now: float = 0.0) -> list[Event[S]]:
        """The events the bytes read from the client make, in order. b"" says the client
        closed its end; fds is how many descriptors came with data; now is the time for the
        keepalive schedule."""
        if self.state is not _OPEN:
            return []
        if not data:
            self.state = State.CLOSED
            return [Close(CloseReason.PEER_CLOSED)]
        if not fds and self._reader.idle and len(data) >= MIN_PACKET:
            # The common case, a read that holds exactly one call: one unpack, one event.
            length, prog, vers, proc, message_type, serial, status = LENGTH_AND_HEADER.unpack_from(data)
            if length == len(data) and message_type == CALL and (prog, vers) in self.programs:
                self.keepalive.received(now)
                # tuple.__new__ skips the named tuples' argument handling: half the cost
                header = _new_tuple(Header, (prog, vers, proc, CALL, serial, status))
                return [_new_tuple(Call, (header, data[MIN_PACKET:], 0))]
        packets, error = self._reader.feed_until_error(data, fds)
        if packets:
            self.keepalive.received(now)
        # map, not a comprehension: a comprehension would make self a cell for the whole method
        events: list[Event[S]] = list(map(self._event, packets))
        if error is not None:
            self.state = State.CLOSED
            events.append(Close(CloseReason.FRAMING, error.violation, str(error)))
        return events

    def lone_call(self, data: bytes, now: float = 0.0) -> tuple[int, int, int, int, int, int, int] | None:
        """receive_data's common case without making events, for a server that answers such
        calls at once: when data is exactly one CALL to a served program (no descriptors
        came with it, nothing of an earlier packet waits), its length word and header as
        unpacked (length, prog, vers, proc, type, serial, status); the payload is
        data[MIN_PACKET:]. None otherwise. The call counts as a sign of life; one the server
        does not answer at once goes to receive_data as any other."""
        if self.state is _OPEN and self._reader.idle and len(data) >= MIN_PACKET:
            fields = LENGTH_AND_HEADER.unpack_from(data)
            if fields[0] == len(data) and fields[4] == CALL and (fields[1], fields[2]) in self.programs:
                self.keepalive.received(now)
                return fields
        return None

    def _event(self, packet: Packet) -> Event[S]:
        header = packet.header
        message_type = header.type
        if message_type in _CALL_TYPES:
            if (header.prog, header.vers) in self.programs:
                return Call(header, packet.payload, packet.fd_count)
            # a CALL to the keepalive program too: libvirt's keepalive filter takes MESSAGEs only
            error = rpc_error(f"Cannot find program {as_signed(header.prog)} version {as_signed(header.vers)}")
            return Send(error_reply(header, error), SendReason.UNKNOWN_PROGRAM)
        if keepalive.is_keepalive_message(header):
            if header.proc == keepalive.PING:
                return Send(keepalive.PONG_PACKET, SendReason.PONG)
            return Dropped(header, DropReason.KEEPALIVE)
        if message_type in _STREAM_TYPES:
            stream = self.streams.get(header.serial)
            if stream is not None and stream.call.prog == header.prog and stream.call.proc == header.proc:
                return StreamData(stream, packet)
            return Dropped(header, DropReason.NO_SUCH_STREAM)
        return Dropped(header, DropReason.NOT_A_CALL)

    def call_answered(self, call: Header) -> bool:
        """Say a call got its successful reply; True when that reply ends the connection
        (the server closes once the replies queued so far are written)."""
        if (call.prog, call.proc) in self.closing_calls:
            self.state = State.CLOSING
            return True
        return False

    @property
    def idle(self) -> bool:
        """Nothing of a packet is waiting for more bytes."""
        return self._reader.idle
