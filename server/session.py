"""One client connection: a reader, an ordered writer, calls, keepalive, events, streams.

The protocol's rules for the connection live in rpc.connection.Connection: the reader
feeds it what it reads and acts on the events it returns (a call to dispatch, bytes to
send, a packet for a stream, a packet dropped, the end); this module does the I/O.

Calls whose handler is a plain function run in the reader, one after another (they do
not wait on anything, so running them elsewhere would only cost time); once such a call
has passed dispatch's checks on a connection, the next calls of that procedure go
straight to decode, run and encode (dispatch.quick_call says which may). Calls whose
handler is a coroutine run as tasks: up to max_client_requests at once, with a separate
lane for @priority: high procedures. The reader keeps reading while calls are
outstanding, so a keepalive PING is answered at once; it stops only when a client has
more calls waiting than it may run plus a small backlog.

Packets go out through one ordered SocketWriter: straight into the socket when it has
room, queued behind a flushing task when it has not.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import logging
import os
import socket
import struct
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import trio

from virtrio.drivers.base import (
    RELEASE_AFTER_REPLY,
    STATE_EPOCH,
    WORK_AFTER_REPLY,
    DriverConnection,
    Event,
    Offload,
    StreamReply,
    run_work_after_reply,
)
from virtrio.protocol.generated import remote
from virtrio.protocol.runtime import Decoder, Encoder, XdrError
from virtrio.rpc import keepalive
from virtrio.rpc.connection import Call, Close, CloseReason, Connection, Dropped, Send, StreamData, error_reply
from virtrio.rpc.errors import LibvirtError
from virtrio.rpc.packet import (
    CALL,
    MIN_PACKET,
    OK,
    Header,
    MessageType,
    Status,
    encode_packet,
    encode_reply,
    finish_reply,
    start_reply,
)

from .auth import auth_method
from .dispatch import (
    CLOSING_CALLS,
    Program,
    ResolvedCall,
    quick_call,
    reply_payload,
    resolve,
    unexpected_failure,
)
from .events import EventStyle, Registration, encode_event
from .listeners import SocketKind
from .socket_io import RECEIVE_SIZE, BusyPoll, SocketWriter, read_now, receive
from .streams import ClientStream
from .tls_handover import hand_over as tls_hand_over

if TYPE_CHECKING:
    from .daemon import Daemon

log = logging.getLogger("virtrio.server.session")
CALL_BACKLOG = 32  # async calls read but not yet running, beyond the lanes' capacity
READS_BEFORE_YIELDING = 16  # a client that always has data still lets others run
_ids = itertools.count(1)
# The number virt-admin shows for a client: each server (libvirtd's, admin's) counts its own
# clients from 1, as virNetServerNextClientID does (the id above stays unique to the daemon).
_server_client_ids = {False: itertools.count(1), True: itertools.count(1)}


NO_EVENT_CALLBACKS: dict[int, Registration] = {}  # never written: add_event_callback makes a dict


class ClientSession:
    # Thousands of idle clients each have one: slots, and containers made on first use.
    __slots__ = (
        "_children",
        "_closing",
        "_lanes",
        "_outstanding",
        "_parent",
        "_quick",
        "_quick_conn",
        "_scope",
        "_slot_freed",
        "auth_state",
        "authenticated",
        "close_callback_registered",
        "conn",
        "connected_at",
        "connection",
        "daemon",
        "event_callbacks",
        "forwarded_identity",
        "has_identity",
        "id",
        "identity",
        "keepalive",
        "kind",
        "log",
        "programs",
        "read_only",
        "server_client_id",
        "sock",
        "wall_connected_at",
        "writer",
    )

    def __init__(
        self, daemon: Daemon, sock: socket.socket, kind: SocketKind, programs: dict[tuple[int, int], Program]
    ) -> None:
        self.daemon = daemon
        self.sock = sock
        self.kind = kind
        self.programs: dict[tuple[int, int], Program] = programs
        self.id = next(_ids)
        self.server_client_id = next(_server_client_ids[kind == SocketKind.ADMIN])
        self.log = log
        self.conn: DriverConnection | None = None
        self.read_only = kind == SocketKind.RO
        self.authenticated = auth_method(daemon.config, kind) == "none"  # else SASL first
        self.auth_state: Any = None  # SASL: the exchange (server/sasl.py), then the user name
        self.connected_at = trio.current_time()
        self.wall_connected_at = time.time()
        self.identity = peer_identity(sock)
        # CONNECT_SET_IDENTITY's attributes, which replace the client's own for client-info
        self.forwarded_identity: dict[str, Any] | None = None
        # libvirtd makes a client's identity when its first call reaches the procedure's
        # dispatcher (virNetServerProgramDispatchCall); virt-admin's client-info fails before
        self.has_identity = False
        config = daemon.config
        interval, count = (
            (config.admin_keepalive_interval, config.admin_keepalive_count)
            if kind == SocketKind.ADMIN
            else (config.keepalive_interval, config.keepalive_count)
        )
        self.keepalive = keepalive.KeepaliveSchedule(interval, count)
        self.close_callback_registered = False
        # by callback id; most clients register none, so all share one empty dict until then
        self.event_callbacks: dict[int, Registration] = NO_EVENT_CALLBACKS
        # The protocol's rules for this connection (rpc/connection.py); this class does the I/O.
        self.connection: Connection[ClientStream] = Connection(programs, CLOSING_CALLS, self.keepalive)
        # While run() reads: its cancel scope (disconnect), and the nursery its task was started
        # in, where the client's other tasks get a nursery of their own on first use.
        self._scope: trio.CancelScope | None = None
        self._parent: trio.Nursery | None = None
        self._children: _Children | None = None
        queue_limit = config.max_client_queue_bytes
        self.writer = SocketWriter(sock, self.start_task, self._overflowed, min(4 << 20, queue_limit), queue_limit)
        self._closing = False
        # Made on first use: most clients never run a call that waits.
        self._lanes: tuple[trio.Semaphore, trio.Semaphore] | None = None
        self._outstanding = 0
        self._slot_freed: trio.Event | None = None
        # Calls answered before, by (program, version, procedure), for the connection they
        # were answered on: the next ones skip the checks (dispatch.quick_call says which);
        # each holds QuickCall's fields as a plain tuple.
        self._quick: dict[tuple[int, int, int], tuple[Decoder | None, Callable[..., Any], Encoder | None]] | None = None
        self._quick_conn: DriverConnection | None = None

    def add_event_callback(self, callback_id: int, registration: Registration) -> None:
        if self.event_callbacks is NO_EVENT_CALLBACKS:
            self.event_callbacks = {}
        self.event_callbacks[callback_id] = registration

    @property
    def streams(self) -> dict[int, ClientStream]:
        """Open streams by the serial of the call that opened them."""
        return self.connection.streams

    # ----------------------------------------------------------------- lifecycle
    async def run(self) -> None:
        pid, uid, gid = self.identity
        log.info("client %d connected on %s socket (pid %s, uid %s, gid %s)", self.id, self.kind, pid, uid, gid)
        # No nursery of its own: most clients never start a task besides this one, and opening
        # and leaving one (a pass through trio's scheduler) cost ~40 us of every connection,
        # most of it between a CONNECT_CLOSE reply and the next client's accept.
        self._parent = trio.lowlevel.current_task().parent_nursery
        scope = self._scope = trio.CancelScope()
        try:
            with scope:
                await self._read_loop()
        except* (trio.BrokenResourceError, trio.ClosedResourceError, ConnectionError):
            # The client went away (before reading its replies, say): not a failure.
            log.debug("client %d: the connection broke", self.id)
        finally:
            self._scope = None  # from here on, nothing new starts for this client
            children = self._children
            if children is not None:
                await children.stop()
            self.writer.detach()  # broken from here on, and no cycle through the session
            self._cleanup()
            if children is not None:
                # Only another task of this client can be waiting on the socket (the reader
                # waits no more); without one, close() alone also takes it out of epoll.
                trio.lowlevel.notify_closing(self.sock)
            self.sock.close()
            log.info("client %d disconnected", self.id)

    def _cleanup(self) -> None:
        self.daemon.keepalive_timer.forget(self)
        for stream in self.streams.values():
            stream.client_gone()
        self.streams.clear()
        self.drop_connection()

    def drop_connection(self) -> None:
        """Forget the driver connection and every event callback registered through it."""
        conn, self.conn = self.conn, None
        if conn is None:
            return
        source = conn.events()
        if source is not None:
            for callback_id, registration in self.event_callbacks.items():
                source.unsubscribe(callback_id, registration.family)
        self.event_callbacks = NO_EVENT_CALLBACKS
        STATE_EPOCH.value += 1  # a driver may change its state as a connection closes
        conn.close()
        self.daemon.connection_closed(conn)

    def disconnect(self, reason: str) -> None:
        """Drop this client now, whatever it is doing (said once, however often asked)."""
        if not self._closing:
            log.warning("client %d: %s; closing the connection", self.id, reason)
        self._end()

    def _end(self) -> None:
        """Stop reading and every task of this client (run() then closes the socket)."""
        self._closing = True
        if self._scope is not None:
            self._scope.cancel()
        if self._children is not None:
            self._children.scope.cancel()

    # ------------------------------------------------------------------- reading
    async def _read_loop(self) -> None:
        connection = self.connection
        reads = 0
        drained = False
        busy_poll_seconds = self.daemon.config.busy_poll_us / 1e6
        look: BusyPoll | None = None  # made on the first read that drained the socket
        prompt_wait = 4 * busy_poll_seconds  # a client answering within this calls back to back
        calling_back_to_back = False
        # TLS: before waiting for the client, the CPU is handed to it (tls_handover), then
        # one look says whether its next message came meanwhile.
        hand_over: Callable[[int], tuple[bool, bool]] | None = None
        if self.kind == SocketKind.TLS:
            hand_over = tls_hand_over
            # The client speaks once it has read our confirmation byte, unless it did not wait:
            # then its first call came in with its last handshake flight and waits decrypted.
            pending_input = getattr(self.sock, "pending_input", None)
            drained = pending_input is not None and not pending_input()
        while not self._closing:
            if RELEASE_AFTER_REPLY:  # freed now that the last reply is written (drivers.base)
                RELEASE_AFTER_REPLY.clear()
            if WORK_AFTER_REPLY:  # (drivers.base) while the client reads the reply
                run_work_after_reply()
            waited_since = time.perf_counter()
            # After a read that drained the socket, the client is most likely waiting for our
            # answer: one look (a busy poll for a client calling back to back) says whether its
            # next call came meanwhile; if not, a failing read would only cost an exception.
            read_first = True
            if drained:
                if look is None:
                    look = BusyPoll(self.sock, busy_poll_seconds)
                if hand_over is not None:  # it looked already
                    answered, paid = hand_over(self.sock.fileno())
                    if not paid:  # the client runs elsewhere, or others had the CPU
                        hand_over = None
                    read_first = answered or (calling_back_to_back and look.ready())
                else:
                    read_first = look.ready(calling_back_to_back)
            received = read_now(self.sock) if read_first else None
            # the pass through epoll and the scheduler, when nothing is there to read yet
            data, fds = received if received is not None else await receive(self.sock, wait_first=True)
            now = time.perf_counter()
            # Poll next time only for a client whose calls follow our replies at once.
            calling_back_to_back = drained and now - waited_since < prompt_wait
            drained = len(data) < RECEIVE_SIZE
            reads += 1
            if reads == READS_BEFORE_YIELDING:
                reads = 0
                await trio.lowlevel.checkpoint()
            for fd in fds:
                # virtrio's drivers take no file descriptors yet: do not leak them.
                _close_quietly(fd)
            # A read holding one call of a procedure answered before: no events to make.
            lone = connection.lone_call(data, now) if self._quick is not None and not fds else None
            if lone is not None:
                quick = self._answer_at_once(lone, data, MIN_PACKET)
                if quick:
                    if quick is not True:  # the handler left work for a thread: its end
                        await quick
                    if self.writer.backlogged:
                        await self.writer.wait_for_room()
                    continue
            for event in connection.receive_data(data, len(fds), now):
                if type(event) is Call:
                    header = event.header
                    quick = (
                        self._quick is not None
                        and header.type == CALL
                        and self._answer_at_once((0, *header), event.payload, 0)
                    )
                    if quick:
                        if quick is not True:  # the handler left work for a thread: its end
                            await quick
                        if self.writer.backlogged:  # pipelined calls: the client's pace slows us
                            await self.writer.wait_for_room()
                    else:
                        await self._handle(event)
                elif type(event) is Send:
                    await self.send(event.data)
                elif type(event) is StreamData:
                    STATE_EPOCH.value += 1
                    await event.stream.from_client(event.packet)
                elif type(event) is Dropped:
                    dropped = event.header
                    log.debug("client %d: ignoring %s, serial %d", self.id, event.reason.name, dropped.serial)
                elif type(event) is Close:
                    if event.reason is CloseReason.FRAMING:
                        log.warning("client %d: %s; dropping the connection", self.id, event.detail)
                    return
                if self._closing:
                    return
            if self.writer.backlogged:
                await self.writer.wait_for_room()

    def _answer_at_once(
        self, fields: tuple[int, int, int, int, int, int, int], data: bytes, start: int
    ) -> bool | Coroutine[Any, Any, None]:
        """Answer a CALL (fields: its length word and header as Connection.lone_call gives them,
        the length unused; its payload data[start:]) of a procedure answered before on this
        connection, without awaiting anything: the common case of a client calling in a loop.
        False leaves the call to the general path, which reports what is wrong; True says it
        is answered. A handler that returned an Offload has run: what comes back then is the
        rest of the answer, for the caller to await (the handler must not run again)."""
        _, prog, vers, proc, _, serial, status = fields
        quick = self._quick
        if quick is None or self.conn is not self._quick_conn or status != OK:
            return False
        found = quick.get((prog, vers, proc))
        if found is None:
            return False
        decoder, function, encoder = found
        STATE_EPOCH.value += 1  # a call begins (drivers.base)
        # _run written out: one Python frame fewer on the path every repeated call takes
        try:
            if decoder is None:
                result = function()
            else:
                try:
                    args, end = decoder(data, start)
                except XdrError:
                    return False
                if end > len(data):  # the arguments end inside their padding
                    return False
                result = function(args)
        except LibvirtError as error:
            result = error
        except Exception as error:  # a bug in a handler must not kill the connection
            log.exception("client %d: %s failed", self.id, getattr(function, "__name__", function))
            result = unexpected_failure(error)
        writer = self.writer
        if isinstance(result, Offload):  # work for a thread, awaited by the caller
            return self._answer_offloaded(prog, vers, proc, serial, result, encoder)
        if not isinstance(result, LibvirtError):
            result = self._quick_packet(result, encoder, prog, vers, proc, serial)
            if type(result) is bytearray:
                writer.queue(result)
                return True
        writer.queue(error_reply(Header(prog, vers, proc, CALL, serial, status), result))
        # The error's traceback holds this frame, whose locals would hold the error: a cycle
        # (with every frame and lxml tree of the failed call) left to the cyclic collector.
        result = None
        return True

    async def _answer_offloaded(
        self, prog: int, vers: int, proc: int, serial: int, offload: Offload, encoder: Encoder | None
    ) -> None:
        """The end of a call _answer_at_once ran whose handler returned an Offload: its work in a
        worker thread, awaited in the reader as the general path awaits it, then the reply."""
        result: Any
        try:
            if offload.reply_in_thread:
                result = await trio.to_thread.run_sync(
                    self._quick_reply_in_thread,
                    offload,
                    encoder,
                    (prog, vers, proc, serial),
                    limiter=self.daemon.offloaders,
                )
            else:
                result = await self._offload(offload)
        except LibvirtError as error:
            result = error
        except Exception as error:  # a bug in a handler must not kill the connection
            log.exception("client %d: procedure %d failed", self.id, proc)
            result = unexpected_failure(error)
        finally:
            STATE_EPOCH.value += 1  # the work's end (its then ran in the thread) may have changed state
        try:
            if type(result) is EncodedReply:
                self.writer.queue(result.packet)
                return
            if not isinstance(result, LibvirtError):
                result = self._quick_packet(result, encoder, prog, vers, proc, serial)
                if type(result) is bytearray:
                    self.writer.queue(result)
                    return
            self.writer.queue(error_reply(Header(prog, vers, proc, CALL, serial, OK), result))
        finally:
            result = None  # an error's traceback holds this frame: no cycle (see _answer_at_once)

    def _quick_reply_in_thread(
        self, offload: Offload, encoder: Encoder | None, call: tuple[int, int, int, int]
    ) -> EncodedReply | LibvirtError:
        """In a worker thread: an Offload's work, its then, and its reply's packet as
        _answer_offloaded makes it on the loop (work's and then's errors are raised)."""
        packet = self._quick_packet(offload.then(offload.work()), encoder, *call)
        return EncodedReply(packet) if isinstance(packet, bytearray) else packet

    def _quick_packet(
        self, result: Any, encoder: Encoder | None, prog: int, vers: int, proc: int, serial: int
    ) -> bytearray | LibvirtError:
        """A quick-path answer's reply packet, or the error to send instead when it does not
        encode (on the loop, or in a worker thread for Offload.reply_in_thread)."""
        reply = start_reply()
        try:
            if encoder is not None:
                encoder(reply, result)
            return finish_reply(reply, prog, vers, proc, serial)
        except Exception as error:
            log.exception("client %d: a reply to procedure %d does not encode", self.id, proc)
            return unexpected_failure(error)

    def _reply_in_thread(self, offload: Offload, call: ResolvedCall) -> Any:
        """In a worker thread: an Offload's work, its then, and its reply's packet as
        _finish_call makes it on the loop (work's and then's errors are raised)."""
        result = offload.then(offload.work())
        if isinstance(result, StreamReply):  # the stream is opened on the loop
            return result
        try:
            return EncodedReply(encode_reply(call.header, reply_payload(call, result)))
        except Exception as error:
            log.exception("client %d: %s returned a value that does not encode", self.id, call.procedure.name)
            return unexpected_failure(error)

    def _remember(self, call: ResolvedCall) -> None:
        found = quick_call(call, self.read_only, self.daemon.fault_rules)
        if found is None:
            return
        if self._quick is None or self._quick_conn is not self.conn:
            self._quick, self._quick_conn = {}, self.conn
        header = call.header
        # a plain tuple: unpacked per call, and a named tuple unpacks by iterating
        self._quick[(header.prog, header.vers, header.proc)] = (found.decoder, found.function, found.encoder)

    def _identity_made(self) -> None:
        self.has_identity = True

    async def _handle(self, event: Call) -> None:
        STATE_EPOCH.value += 1  # a call begins (drivers.base)
        header = event.header
        program = self.programs[(header.prog, header.vers)]  # the connection checked it is there
        try:
            call = resolve(
                program,
                header,
                event.payload,
                self.conn,
                authenticated=self.authenticated,
                read_only=self.read_only,
                fault_rules=self.daemon.fault_rules,
                fd_count=event.fd_count,
                on_decoded=None if self.has_identity else self._identity_made,
            )
        except LibvirtError as error:
            await self.send_error(header, error)
            return
        for_server = call.for_server
        if for_server:  # the session in front (built, not _replace'd: once per connect)
            header, procedure, function, arguments, is_async, gate, _ = call
            call = ResolvedCall(header, procedure, function, (self, *arguments), is_async, gate, True)
        if call.is_async or call.gate is not None:
            await self._start_async_call(call)
        else:
            if not for_server:  # never answered on the quick path (dispatch.quick_call)
                self._remember(call)
            result = self._run(call.function, call.arguments)
            if inspect.iscoroutine(result):  # a handler with something to wait for (a file read)
                result = await self._settle(call, result)
                STATE_EPOCH.value += 1  # its end (drivers.base)
            if isinstance(result, Offload):
                result = await self._settle(call, self._offload(result, call))
            await self._finish_call(call, result)
            result = None  # an error's traceback holds this frame: no cycle (see _answer_at_once)

    def _run(self, function: Any, arguments: tuple[Any, ...]) -> Any:
        try:
            return function(*arguments)
        except LibvirtError as error:
            return error
        except Exception as error:  # a bug in a handler must not kill the connection
            log.exception("client %d: %s failed", self.id, getattr(function, "__name__", function))
            return unexpected_failure(error)

    async def _offload(self, offload: Offload, call: ResolvedCall | None = None) -> Any:
        """A driver's long, state-free work in a worker thread; its end back on the loop, or, for
        a large reply (Offload.reply_in_thread), its end and its reply's packet in the thread."""
        offloaders = self.daemon.offloaders
        try:
            if call is not None and offload.reply_in_thread:
                return await trio.to_thread.run_sync(self._reply_in_thread, offload, call, limiter=offloaders)
            value = await trio.to_thread.run_sync(offload.work, limiter=offloaders)
            result = offload.then(value)
            while isinstance(result, Offload):  # the state changed meanwhile: the work made again
                value = await trio.to_thread.run_sync(result.work, limiter=offloaders)
                result = result.then(value)
            return result
        finally:
            STATE_EPOCH.value += 1  # the work's end (drivers.base)

    async def _settle(self, call: ResolvedCall, pending: Coroutine[Any, Any, Any]) -> Any:
        try:
            return await pending
        except LibvirtError as error:
            return error
        except Exception as error:
            log.exception("client %d: %s failed", self.id, call.procedure.name)
            return unexpected_failure(error)

    async def _start_async_call(self, call: ResolvedCall) -> None:
        while self._outstanding >= self.daemon.config.max_client_requests + CALL_BACKLOG:
            self._slot_freed = trio.Event()
            await self._slot_freed.wait()
        self._outstanding += 1
        self.start_task(self._run_async, call)

    @property
    def busy_calls(self) -> int:
        """Calls of this client that are waiting or running as tasks."""
        return self._outstanding

    def _lane(self, high_priority: bool) -> trio.Semaphore:
        if self._lanes is None:
            config = self.daemon.config
            self._lanes = (
                trio.Semaphore(max(1, config.max_client_requests)),
                trio.Semaphore(max(1, config.prio_workers)),
            )
        return self._lanes[1] if high_priority else self._lanes[0]

    async def _run_async(self, call: ResolvedCall) -> None:
        lane = self._lane(call.procedure.high_priority)
        try:
            try:
                if call.gate is not None:
                    await call.gate.wait()  # holds no lane: waiting costs no call capacity
                async with lane:
                    result = call.function(*call.arguments)
                    if call.is_async:
                        result = await result
                    if isinstance(result, Offload):
                        result = await self._offload(result, call)
            except LibvirtError as error:
                result = error
            except Exception as error:
                log.exception("client %d: %s failed", self.id, call.procedure.name)
                result = unexpected_failure(error)
            STATE_EPOCH.value += 1  # its end (drivers.base)
            await self._finish_call(call, result)
        finally:
            # An error's traceback holds this frame, whose locals would hold the error: a cycle
            # left to the cyclic collector (see _answer_at_once).
            result = None
            self._outstanding -= 1
            if self._slot_freed is not None:
                self._slot_freed.set()

    async def _finish_call(self, call: ResolvedCall, result: Any) -> None:
        if isinstance(result, LibvirtError):
            await self.send_error(call.header, result)
            return
        if type(result) is EncodedReply:  # made in a worker thread (Offload.reply_in_thread)
            await self.writer.write(result.packet)
            if self.connection.call_answered(call.header):
                await self.close_after_replies()
            return
        stream = None
        if isinstance(result, StreamReply):
            stream = ClientStream(self, call.header, result)
            self.streams[call.header.serial] = stream
            result = result.ret
        try:
            packet = encode_reply(call.header, reply_payload(call, result))
        except Exception as error:
            log.exception("client %d: %s returned a value that does not encode", self.id, call.procedure.name)
            self.streams.pop(call.header.serial, None)
            await self.send_error(call.header, unexpected_failure(error))
            return
        await self.send(packet)
        if stream is not None:
            self.start_task(stream.run)
        if self.connection.call_answered(call.header):
            await self.close_after_replies()

    async def send_error(self, header: Header, error: LibvirtError) -> None:
        await self.send(error_reply(header, error))

    # ------------------------------------------------------------------- writing
    async def send(self, data: bytes) -> None:
        """Write one packet, in order with everything sent before it."""
        await self.writer.write(data)

    def send_nowait(self, data: bytes) -> None:
        """Queue a packet without waiting (events, pings); a client that cannot keep up is dropped."""
        try:
            self.writer.write_nowait(data)
        except trio.BrokenResourceError:
            self.disconnect("the socket is closed")

    def _overflowed(self) -> None:
        self.disconnect("too much data waiting to be sent")

    async def close_after_replies(self) -> None:
        """Close once every packet queued so far is written (CONNECT_CLOSE)."""
        self._closing = True
        await self.writer.drain()

    def start_task(self, function: Any, *args: Any) -> None:
        """Run function as one of this client's tasks; nothing starts once the client is gone."""
        if self._scope is None or self._parent is None:
            return
        children = self._children
        if children is None:
            children = self._children = _Children(self)
            self._parent.start_soon(children.host)
        children.start(function, args)

    # ------------------------------------------------------------------ features
    def start_keepalive(self) -> None:
        if self.keepalive.started or self.keepalive.interval <= 0:
            return
        self.keepalive.start(time.perf_counter())
        self.daemon.keepalive_timer.watch(self)

    def deliver_event(self, style: EventStyle, callback_id: int, event: Event) -> None:
        """Send one event a driver published to this client (libvirtd uses serial 1)."""
        procedure, payload = encode_event(style, callback_id, event)
        header = Header(remote.PROGRAM, remote.PROTOCOL_VERSION, procedure, MessageType.MESSAGE, 1, Status.OK)
        self.send_nowait(encode_packet(header, payload))


class EncodedReply:
    """A reply's packet, length word and header included, made in a worker thread."""

    __slots__ = ("packet",)

    def __init__(self, packet: bytes | bytearray) -> None:
        self.packet = packet


class _Children:
    """A client's tasks besides its reader (calls that wait, streams, flushing), in a nursery
    opened by a task of its own on the first one. A failing task ends the client, as one in
    the reader's nursery did."""

    __slots__ = ("done", "nursery", "queued", "scope", "session")

    def __init__(self, session: ClientSession) -> None:
        self.session = session
        self.scope = trio.CancelScope()
        self.nursery: trio.Nursery | None = None
        # started before the nursery is open; None once the nursery has closed
        self.queued: list[tuple[Any, tuple[Any, ...]]] | None = []
        self.done = trio.Event()

    def start(self, function: Any, args: tuple[Any, ...]) -> None:
        if self.nursery is not None:
            self.nursery.start_soon(function, *args)
        elif self.queued is not None:
            self.queued.append((function, args))

    async def host(self) -> None:
        session = self.session
        try:
            with self.scope:
                async with trio.open_nursery() as nursery:
                    self.nursery = nursery
                    queued, self.queued = self.queued or [], []
                    for function, args in queued:
                        nursery.start_soon(function, *args)
                    await trio.sleep_forever()  # until the client ends (stop) or a task fails
        except* (trio.BrokenResourceError, trio.ClosedResourceError, ConnectionError):
            log.debug("client %d: the connection broke", session.id)
        except* Exception:
            log.exception("client %d failed", session.id)
        finally:
            self.nursery = None
            self.queued = None
            self.done.set()
            session._end()

    async def stop(self) -> None:
        """Cancel every task and wait until all have ended."""
        self.scope.cancel()
        with trio.CancelScope(shield=True):
            await self.done.wait()


_CREDENTIALS = struct.Struct("3i")


def peer_identity(sock: trio.socket.SocketType | socket.socket) -> tuple[int | None, int | None, int | None]:
    """(pid, uid, gid) of a unix-socket peer, from SO_PEERCRED."""
    if sock.family != socket.AF_UNIX:
        return None, None, None
    try:
        data = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _CREDENTIALS.size)
    except OSError:
        return None, None, None
    pid, uid, gid = _CREDENTIALS.unpack(data)
    return pid, uid, gid


def _close_quietly(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
