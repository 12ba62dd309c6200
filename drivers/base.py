"""What every driver offers the server: connections, handlers, events and streams.

A driver connection answers procedures by method name: procedure REMOTE_PROC_DOMAIN_GET_INFO
is answered by ``domain_get_info(args)``, which takes the decoded ``*_args`` value (or
None) and returns the ``*_ret`` value (or None). A method may be a coroutine function
when it has to wait. A procedure the connection has no method for is answered as
libvirtd answers a driver that lacks it ("this function is not supported ...").
"""

from __future__ import annotations

import enum
import itertools
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from virtrio.rpc.records import FrozenRecord, Record


class EventFamily(enum.StrEnum):
    """The object kinds libvirt has event registrations for. A str subclass, so the server's
    tables and a registration's family compare with the plain names too."""

    DOMAIN = "domain"
    NETWORK = "network"
    STORAGE = "storage"
    NODEDEV = "nodedev"
    SECRET = "secret"


# The small record classes below are written out rather than made with @dataclass: making
# a dataclass costs 0.3-0.6 ms, and these are made by every daemon's start.


class Event(FrozenRecord):
    """An event as a driver publishes it.

    fields are those of
    the event's message without the callback id: for domain events, the fields of the
    legacy ``remote_domain_event_*_msg``; for the others, those after ``callbackID``.
    """

    __slots__ = ("event_id", "family", "fields", "object_uuid")
    _fields = ("family", "event_id", "object_uuid", "fields")
    family: EventFamily
    event_id: int
    object_uuid: bytes | str | None  # what a register call's object filter compares with
    fields: tuple[Any, ...]

    def __init__(
        self, family: EventFamily, event_id: int, object_uuid: bytes | str | None, fields: tuple[Any, ...]
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "family", family)
        set_field(self, "event_id", event_id)
        set_field(self, "object_uuid", object_uuid)
        set_field(self, "fields", fields)


Deliver = Callable[[int, Event], None]


class Subscription(Record):
    _fields = ("family", "event_id", "object_filter", "deliver")

    def __init__(self, family: str, event_id: int, object_filter: bytes | str | None, deliver: Deliver) -> None:
        self.family = family
        self.event_id = event_id
        self.object_filter = object_filter
        self.deliver = deliver


class EventSource:
    """The subscriptions to one driver state's events; callback ids are unique within it."""

    def __init__(self) -> None:
        self._ids = itertools.count()
        self._subscriptions: dict[int, Subscription] = {}

    def subscribe(self, family: str, event_id: int, object_filter: bytes | str | None, deliver: Deliver) -> int:
        callback_id = next(self._ids)
        self._subscriptions[callback_id] = Subscription(family, event_id, object_filter, deliver)
        return callback_id

    def unsubscribe(self, callback_id: int, family: str) -> bool:
        subscription = self._subscriptions.get(callback_id)
        if subscription is None or subscription.family != family:
            return False
        del self._subscriptions[callback_id]
        return True

    @property
    def listening(self) -> bool:
        """Whether anyone subscribed: a driver may skip making events nobody receives."""
        return bool(self._subscriptions)

    def emit(self, event: Event) -> None:
        for callback_id, subscription in list(self._subscriptions.items()):
            if subscription.family != event.family or subscription.event_id != event.event_id:
                continue
            if subscription.object_filter is not None and subscription.object_filter != event.object_uuid:
                continue
            subscription.deliver(callback_id, event)


class WriteSink(Protocol):
    """Where a client-to-daemon stream's data goes (volume upload, migration tunnel)."""

    async def write(self, data: bytes) -> None: ...
    async def hole(self, length: int) -> None: ...
    async def finish(self) -> None: ...
    async def abort(self) -> None: ...


class StreamReply:
    """A handler's answer that opens a stream: the reply value, then the stream's data.

    For a read stream (daemon to client) ``source`` yields the data (bytes), or on a
    sparse stream a hole (its length, an int); for a write stream ``sink`` receives it.
    """

    def __init__(
        self, ret: Any, source: AsyncIterator[bytes | int] | None = None, sink: WriteSink | None = None
    ) -> None:
        self.ret = ret
        self.source = source
        self.sink = sink

    def __eq__(self, other: object) -> bool:
        if type(other) is not StreamReply:
            return NotImplemented
        return (self.ret, self.source, self.sink) == (other.ret, other.source, other.sink)

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __repr__(self) -> str:
        return f"StreamReply(ret={self.ret!r}, source={self.source!r}, sink={self.sink!r})"


class ConnectionContext(Record):
    """What the server tells a driver about the connection it is opening."""

    _fields = ("uri", "read_only", "client_id", "options")

    def __init__(self, uri: str, read_only: bool, client_id: int, options: dict[str, Any] | None = None) -> None:
        self.uri = uri
        self.read_only = read_only
        self.client_id = client_id
        self.options: dict[str, Any] = {} if options is None else options


class Gate(Protocol):
    """Something a driver's calls wait for before they run (e.g. node-device enumeration).

    While ``is_open`` is false the server runs the call as a task that first awaits
    ``wait()``, outside the client's call capacity; ``wait()`` raises a LibvirtError when
    the driver cannot serve (it failed, or took too long).
    """

    @property
    def is_open(self) -> bool: ...

    async def wait(self) -> None: ...


class Offload(FrozenRecord):
    """What a handler returns when part of its work is long and touches no shared state (parsing
    a large document): the server runs work() in a worker thread, then then(its result) on the
    event loop, where state may change; a LibvirtError from either is the call's error. The
    server calls the handler once, whichever path answers the call; a handler that returns one
    must have changed nothing yet, so that an error from work leaves the state as it was. A then
    that finds the state changed since work began may answer with another Offload, done likewise.

    reply_in_thread: the answer can be large (its encoding would hold the loop for
    milliseconds) and then touches no state (it only hands work's answer on): the server then
    runs then, and encodes the reply, in the same worker thread, and the loop only queues the
    bytes. Left false, then runs on the loop (where it may change state) and so does the
    encoding, cheap for a small reply."""

    __slots__ = ("reply_in_thread", "then", "work")
    _fields = ("work", "then", "reply_in_thread")
    work: Callable[[], Any]
    then: Callable[[Any], Any]
    reply_in_thread: bool

    def __init__(self, work: Callable[[], Any], then: Callable[[Any], Any], reply_in_thread: bool = False) -> None:
        object.__setattr__(self, "work", work)
        object.__setattr__(self, "then", then)
        object.__setattr__(self, "reply_in_thread", reply_in_thread)


# What handlers let go of, freed once their reply is written: server/session.py empties it
# before it waits for the client's next call, while the client reads the reply, so freeing
# a large object (an undefined domain's trees) overlaps the client's work instead of
# delaying the reply. Filled and emptied on the event loop's thread; never more than
# RELEASE_AFTER_REPLY_MAX objects (without a server emptying it, as in tests, it stays small).
RELEASE_AFTER_REPLY: list[object] = []
RELEASE_AFTER_REPLY_MAX = 64


def release_after_reply(thing: object) -> None:
    """Keep thing until the reply to the current call is written (see RELEASE_AFTER_REPLY)."""
    if len(RELEASE_AFTER_REPLY) >= RELEASE_AFTER_REPLY_MAX:
        RELEASE_AFTER_REPLY.clear()
    RELEASE_AFTER_REPLY.append(thing)


class StateEpoch:
    """A count of everything that may change a driver's state: a call begun, a worker thread's
    work ended, a connection closed, stream data. server/session.py advances it; what a driver
    worked out at value N is still right while the value is N + 1 and that one step is the
    call now running (nothing else began, ended or closed in between)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


STATE_EPOCH = StateEpoch()

# Work a handler leaves for after its reply is written, run by server/session.py before it
# waits for the client's next call: time in which the client reads the reply and the daemon
# would wait anyway. Each piece is small (a handler decides so) and at most
# WORK_AFTER_REPLY_MAX wait; without a server running them (tests) older ones are dropped.
WORK_AFTER_REPLY: list[Callable[[], None]] = []
WORK_AFTER_REPLY_MAX = 8


def after_reply(work: Callable[[], None]) -> None:
    """Run work once the current call's reply is written (see WORK_AFTER_REPLY)."""
    if len(WORK_AFTER_REPLY) >= WORK_AFTER_REPLY_MAX:
        WORK_AFTER_REPLY.clear()
    WORK_AFTER_REPLY.append(work)


def run_work_after_reply() -> None:
    """Each piece of WORK_AFTER_REPLY, once: a failure is only logged, as the work is an
    answer prepared ahead of a call, which that call then works out itself."""
    pieces = WORK_AFTER_REPLY[:]
    WORK_AFTER_REPLY.clear()
    for work in pieces:
        try:
            work()
        except Exception:
            logging.getLogger("virtrio.drivers").exception("work after a reply failed")


class DriverConnection:
    """Base of a driver's per-client connection. Subclasses add procedure methods.

    Every public method of a subclass is either one of the members declared here or the
    handler of a procedure (tests/drivers/test_handler_contract.py checks this against the
    generated procedure tables, with each handler's arity).
    """

    #: what CONNECT_SUPPORTS_FEATURE answers for features the daemon leaves to the driver
    features: frozenset[int] = frozenset()
    #: set by drivers whose state loads in the background; None: calls never wait
    gate: Gate | None = None

    def __init__(self, context: ConnectionContext) -> None:
        self.context = context

    @property
    def uri(self) -> str:
        return self.context.uri

    def events(self) -> EventSource | None:
        """The event source behind this connection, if its driver publishes events."""
        return None

    def close(self) -> None:
        """The client closed the connection or went away."""


class Driver(Protocol):
    """A driver: which URIs it opens, and how.

    A driver may also have ``async def run(self)``: the daemon starts it in its nursery at
    start-up, beside the listeners (background loading, monitors).

    ``prepare`` returns the blocking part of an open (reading files), or None when there is
    none: the daemon runs it in a worker thread and hands its result to ``open`` as
    ``prepared``, so one client's slow file never holds up the others.
    """

    name: str

    def accepts(self, uri: str) -> bool: ...

    def prepare(self, context: ConnectionContext) -> Callable[[], object] | None: ...

    def open(self, context: ConnectionContext, prepared: object = None) -> DriverConnection: ...
