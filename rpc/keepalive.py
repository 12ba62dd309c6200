"""Keepalive (program 0x6b656570): PING and PONG packets and the server's ping schedule.

Sans-io: the caller passes the time in and acts on what comes back.
"""

from __future__ import annotations

import enum

from virtrio.protocol.generated import keepalive

from .packet import Header, MessageType, Status, encode_packet
from .records import Record

PROGRAM = keepalive.KEEPALIVE_PROGRAM
VERSION = keepalive.KEEPALIVE_PROTOCOL_VERSION
PING = keepalive.KEEPALIVE_PROC_PING
PONG = keepalive.KEEPALIVE_PROC_PONG
PING_PACKET = encode_packet(Header(PROGRAM, VERSION, PING, MessageType.MESSAGE, 0, Status.OK))
PONG_PACKET = encode_packet(Header(PROGRAM, VERSION, PONG, MessageType.MESSAGE, 0, Status.OK))


class KeepaliveAction(enum.Enum):
    """What KeepaliveSchedule.tick asks of the caller."""

    PING = enum.auto()  # send PING_PACKET
    CLOSE = enum.auto()  # drop the client: `count` pings went unanswered


def is_keepalive_message(header: Header) -> bool:
    """What libvirt's keepalive filter takes: a MESSAGE of this program and version. Other
    packets to the program (a CALL, say) are answered as calls to an unknown program."""
    return header.prog == PROGRAM and header.vers == VERSION and header.type == MessageType.MESSAGE


class KeepaliveSchedule(Record):
    """When to ping a silent client and when to give up on it, as libvirtd does.

    Pinging starts only once the client asked about feature 10 (start()). Any packet
    from the client counts as a sign of life. After `interval` seconds of silence a
    ping goes out, then one more every `interval` seconds; after `count` unanswered
    pings the connection is closed. An interval of zero or less never pings.
    """

    # A Record, not a dataclass: making one costs every daemon start ~0.3 ms (rpc/records.py).
    __slots__ = ("count", "interval", "last_received", "started", "unanswered")
    _fields = ("interval", "count", "last_received", "started", "unanswered")

    def __init__(
        self, interval: float, count: int, last_received: float = 0.0, started: bool = False, unanswered: int = 0
    ) -> None:
        self.interval = interval
        self.count = count
        self.last_received = last_received
        self.started = started
        self.unanswered = unanswered

    def start(self, now: float) -> None:
        if self.interval > 0:
            self.started = True
            self.last_received = now
            self.unanswered = 0

    def received(self, now: float) -> None:
        self.last_received = now
        self.unanswered = 0

    def deadline(self) -> float | None:
        """When tick() next has something to do, or None if never."""
        if not self.started:
            return None
        return self.last_received + self.interval * (self.unanswered + 1)

    def tick(self, now: float) -> KeepaliveAction | None:
        """PING to send a ping now, CLOSE to drop the client, None to wait."""
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return None
        if self.unanswered >= self.count:
            return KeepaliveAction.CLOSE
        self.unanswered += 1
        return KeepaliveAction.PING
