"""Reading and writing a client's socket without a trip through the scheduler when the
socket is ready: non-blocking calls first, trio's wait_readable/wait_writable only when
the kernel says "not now". A reply that fits in the socket buffer costs no await.
"""

from __future__ import annotations

import select
import socket
import struct
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import trio

try:  # trio's own run context, for BusyPoll; without it, the public statistics
    from trio._core import _run as _trio_run

    _RUN_CONTEXT: Any = _trio_run.GLOBAL_RUN_CONTEXT
except (ImportError, AttributeError):  # pragma: no cover - another trio layout
    _RUN_CONTEXT = None

Buffer = bytes | bytearray | memoryview
RECEIVE_SIZE = 256 * 1024
_ANCILLARY_SPACE = socket.CMSG_SPACE(32 * 4)  # room for VIR_NET_MESSAGE_NUM_FDS_MAX descriptors


async def receive(
    sock: socket.socket, wait_first: bool = False, busy_poll: BusyPoll | None = None
) -> tuple[bytes, list[int]]:
    """Bytes from the socket (b"" at its end), with any file descriptors that came along.

    wait_first skips a read that would find nothing: after a read that drained the socket,
    the client is most likely waiting for our answer, not sending more. busy_poll first
    watches the socket a short while without sleeping (see BusyPoll).
    """
    if wait_first and (busy_poll is None or not busy_poll.ready()):
        await trio.lowlevel.wait_readable(sock)
    while True:
        received = read_now(sock)
        if received is not None:
            return received
        await trio.lowlevel.wait_readable(sock)


class BusyPoll:
    """Watching one socket for a few microseconds without sleeping.

    A client calling in a loop sends its next call a few microseconds after reading our
    reply; catching it without sleeping saves a trip through epoll and the scheduler. Only
    while no other task is waiting to run, so nobody else is kept waiting. poll(0) rather
    than a failing read: no exception per look, so a look costs a fifth as much.
    """

    __slots__ = ("_poll", "_run_queue", "seconds")

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self._poll = select.poll()
        self._poll.register(sock, select.POLLIN)
        # trio's public current_statistics() would say whether others wait too, but it also
        # counts every socket registered with epoll on every call (~5 µs, growing with the
        # number of clients); the run queue itself is read when this trio has it where we
        # expect it (it lives as long as the trio.run we are in).
        self._run_queue = getattr(getattr(_RUN_CONTEXT, "runner", None), "runq", None)
        self.seconds = seconds

    def _others_waiting(self) -> bool:
        runnable: int = trio.lowlevel.current_statistics().tasks_runnable
        return runnable > 0

    def ready(self, spin: bool = True) -> bool:
        """True as soon as the socket has something to read (data, its end, an error);
        False when the time ran out first or other tasks wait to run. Without spin, one
        look: a call that came while we answered the last one (a client that pipelines, or
        one faster than a busy daemon) is read without a pass through epoll and the
        scheduler, at the price of one poll(0) when nothing came."""
        run_queue = self._run_queue
        if run_queue if run_queue is not None else self._others_waiting():
            return False
        look = self._poll.poll
        if look(0):
            return True
        if not spin:
            return False
        deadline = time.perf_counter() + self.seconds
        while not look(0):
            if time.perf_counter() >= deadline:
                return False
        return True


def read_now(sock: socket.socket) -> tuple[bytes, list[int]] | None:
    """One non-blocking read: None when there is nothing to read yet (else as receive)."""
    try:
        data, ancillary, _flags, _address = sock.recvmsg(RECEIVE_SIZE, _ANCILLARY_SPACE)
    except BlockingIOError:
        return None
    except (ConnectionResetError, TimeoutError):
        return b"", []
    fds: list[int] = []
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            usable = len(payload) - len(payload) % 4
            fds += struct.unpack(f"{usable // 4}i", payload[:usable])
    return data, fds


def _nothing(*_args: Any) -> None:
    """A detached writer's callbacks."""


class SocketWriter:
    """One ordered stream of packets to a socket.

    ``write`` waits while more than ``soft_limit`` bytes are queued (replies and stream
    data: the client's own pace slows it down). ``write_nowait`` never waits (events,
    pings) and calls ``overflow`` when more than ``hard_limit`` bytes are queued: a
    client that does not read must not make the daemon buffer without bound.
    """

    # Thousands of idle clients each have one: keep it small, the queue made on first use.
    __slots__ = (
        "_flushing",
        "_hard_limit",
        "_overflow",
        "_pending",
        "_pending_bytes",
        "_progress",
        "_soft_limit",
        "_start_task",
        "backlogged",
        "broken",
        "sock",
    )

    def __init__(
        self,
        sock: socket.socket,
        start_task: Callable[..., None],
        overflow: Callable[[], None],
        soft_limit: int = 4 << 20,
        hard_limit: int = 64 << 20,
    ) -> None:
        self.sock = sock
        self._start_task = start_task
        self._overflow = overflow
        self._soft_limit = soft_limit
        self._hard_limit = hard_limit
        self._pending: deque[memoryview] | None = None
        self._pending_bytes = 0
        # More than the soft limit is queued (wait_for_room would wait): an attribute, read
        # after every reply.
        self.backlogged = False
        self._flushing = False
        self._progress: trio.Event | None = None
        self.broken = False

    def detach(self) -> None:
        """Let go of the owner's callbacks once the socket is closed for good: they are bound
        methods of the session that holds this writer, a cycle that only the cyclic collector
        would free (with the client's socket and TLS state in it) otherwise."""
        self.broken = True
        self._start_task = self._overflow = _nothing

    def _send(self, data: Buffer) -> int:
        """Bytes of data the socket took at once (none when it is full)."""
        try:
            return self.sock.send(data)
        except BlockingIOError:
            return 0
        except OSError as error:
            self.broken = True
            raise trio.BrokenResourceError(str(error)) from None

    def _hold(self, data: Buffer) -> None:
        """Keep what the socket did not take, for the flushing task, in order."""
        if self.broken:
            raise trio.BrokenResourceError("the client's socket is closed")
        if self._pending is None:
            self._pending = deque()
        self._pending.append(memoryview(data))
        self._pending_bytes += len(data)
        self.backlogged = self._pending_bytes > self._soft_limit

    def write_nowait(self, data: Buffer) -> None:
        if not self._pending and not self.broken:
            sent = self._send(data)
            if sent == len(data):
                return
            data = memoryview(data)[sent:]
        self._hold(data)
        if self._pending_bytes > self._hard_limit:
            self._overflow()
        elif not self._flushing:
            self._flushing = True
            self._start_task(self._flush)

    async def write(self, data: Buffer) -> None:
        self.queue(data)
        await self.wait_for_room()

    def queue(self, data: Buffer) -> None:
        """Send now, or queue behind a flushing task; never waits (see wait_for_room)."""
        if not self._pending and not self.broken:
            # _send written out: the path of every reply to a client that reads its replies
            try:
                sent = self.sock.send(data)
            except BlockingIOError:
                sent = 0
            except OSError as error:
                self.broken = True
                raise trio.BrokenResourceError(str(error)) from None
            if sent == len(data):
                return
            data = memoryview(data)[sent:]
        self._hold(data)
        if not self._flushing:
            self._flushing = True
            self._start_task(self._flush)

    async def wait_for_room(self) -> None:
        """Wait while more than the soft limit is queued: the client's own pace slows it."""
        while self._pending_bytes > self._soft_limit:
            await self._wait_for_progress()

    async def drain(self) -> None:
        """Wait until everything queued is written."""
        while self._pending:
            await self._wait_for_progress()

    async def _wait_for_progress(self) -> None:
        if self._progress is None:
            self._progress = trio.Event()
        await self._progress.wait()

    async def _flush(self) -> None:
        try:
            while self._pending:
                await trio.lowlevel.wait_writable(self.sock)
                chunk = self._pending[0]
                try:
                    sent = self.sock.send(chunk)
                except BlockingIOError:
                    continue
                except OSError:
                    self.broken = True
                    self._pending = None
                    self._pending_bytes = 0
                    self.backlogged = False
                    raise trio.BrokenResourceError("the client went away") from None
                self._pending_bytes -= sent
                self.backlogged = self._pending_bytes > self._soft_limit
                if sent == len(chunk):
                    self._pending.popleft()
                else:
                    self._pending[0] = chunk[sent:]
                if self._progress is not None:
                    self._progress.set()
                    self._progress = None
        finally:
            self._flushing = False
            if self._progress is not None:
                self._progress.set()
                self._progress = None
