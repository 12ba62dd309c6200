"""Host enumeration in a helper process forked before the daemon has imported itself.

A socket-activated daemon is started by its first client, and a first ``nodedev-list`` waits
for enumeration. The command line forks this helper first thing (no threads exist yet, so a
fork is safe): it imports pyudev, starts the hotplug monitor, enumerates and writes the
records to a pipe on the second core while the daemon imports trio and the server. It then
stays, forwarding hotplug changes, so the daemon itself never loads pyudev. The driver's
``run`` takes the helper over; without ``start`` the driver enumerates in-process as before.

Pipe messages are marshal dumps (builtin, so nothing to import, and the helper is a fork of
the same interpreter), each after its length in 8 bytes: ``{"records": [...], "kernel_events":
bool}`` once, then ``{"change": action, "record": row}`` per hotplug event, or ``{"error":
text}`` before the helper gives up. A row is a DeviceRecord's fields in order.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from .sources import DeviceChange, DeviceRecord

# The host's devices are not client input, but a runaway helper must not grow the daemon
# without limit: a message longer than this is an error.
MAX_MESSAGE = 64 * 1024 * 1024
# Records bigger than this are parsed on a worker thread, not on the event loop.
THREAD_PARSE_OVER = 256 * 1024
READ_CHUNK = 1024 * 1024


class HelperError(Exception):
    """The helper failed or ended; the text says why, for the driver's libvirt error."""


LENGTH = 8


def _send(fd: int, message: dict[str, Any]) -> None:
    body = marshal.dumps(message)
    data = memoryview(len(body).to_bytes(LENGTH, "big") + body)
    while data:
        data = data[os.write(fd, data) :]


def _helper_main(fd: int, delay: float) -> None:
    """The child: enumerate, send, then forward hotplug until the daemon closes its end."""
    import gc
    import logging
    import select
    import time

    # Ctrl-C, a terminal hangup and systemd's stop (SIGTERM to the whole unit) are the
    # daemon's to handle; the helper ends when the daemon closes the pipe or exits, which it
    # sees as an error on its end (or EPIPE when it writes).
    for number in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)
    logging.disable(logging.CRITICAL)  # the daemon's handlers are not ours to write to
    # Listening sockets, log files, the terminal or journal stream belong to the daemon; the
    # helper reports only through its pipe.
    devnull = os.open(os.devnull, os.O_RDWR)
    for standard in (0, 1, 2):
        os.dup2(devnull, standard)
    os.closerange(3, fd)
    os.closerange(fd + 1, 1 << 16)

    from .devices import KEPT_SUBSYSTEMS, capability_of
    from .sources import UdevSource

    source = UdevSource()
    monitor = source.monitor()  # listening before enumeration, as the in-process driver does
    if delay:
        time.sleep(delay)
    records = source.enumerate(lambda record: capability_of(record) is not None, KEPT_SUBSYSTEMS)
    _send(fd, {"records": [r.fields() for r in records], "kernel_events": source.kernel_events})
    # The daemon's start-up turned the collector off, and it stays off until the records are
    # sent (the imports and the walk make objects that all stay). Then on, for a helper that
    # runs as long as the daemon; what the fork inherited is frozen first: a collection that
    # walked it would copy every page the two processes still share.
    gc.freeze()
    gc.enable()
    poller = select.poll()
    poller.register(monitor.fileno(), select.POLLIN)
    poller.register(fd, 0)  # POLLERR/POLLHUP: the daemon's end is closed
    while True:
        for ready, _events in poller.poll():
            if ready == fd:
                return
            for change in source.changes(monitor):
                if capability_of(change.record) is not None:
                    _send(fd, {"change": change.action, "record": change.record.fields()})


class EnumerationHelper:
    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd
        self.kernel_events = False
        self._buffer = bytearray()
        self._reaped = False

    async def _message(self) -> dict[str, Any] | None:
        """The next message, or None at the end of the pipe."""
        import trio

        while True:
            if len(self._buffer) >= LENGTH:
                size = int.from_bytes(self._buffer[:LENGTH], "big")
                if size > MAX_MESSAGE:
                    raise HelperError(f"the enumeration helper sent a message over {MAX_MESSAGE} bytes")
                if len(self._buffer) >= LENGTH + size:
                    body = bytes(self._buffer[LENGTH : LENGTH + size])
                    del self._buffer[: LENGTH + size]
                    if size > THREAD_PARSE_OVER:
                        return await trio.to_thread.run_sync(marshal.loads, body)
                    return marshal.loads(body)
            await trio.lowlevel.wait_readable(self.fd)
            try:
                chunk = os.read(self.fd, READ_CHUNK)
            except BlockingIOError:
                continue
            if not chunk:
                return None
            self._buffer += chunk

    def _ended(self) -> HelperError:
        status = self._reap(block=False)
        if status is None:
            return HelperError("the enumeration helper closed its pipe")
        if os.WIFSIGNALED(status):
            return HelperError(f"the enumeration helper was killed by signal {os.WTERMSIG(status)}")
        return HelperError(f"the enumeration helper exited with status {os.waitstatus_to_exitcode(status)}")

    async def records(self) -> list[DeviceRecord]:
        from .sources import DeviceRecord

        message = await self._message()
        if message is None:
            import trio

            await trio.sleep(0.05)  # a process closing its pipe is about to exit: say how it ended
            raise self._ended()
        if "error" in message:
            raise HelperError(message["error"])
        self.kernel_events = bool(message.get("kernel_events"))
        return [DeviceRecord(*row) for row in message["records"]]

    async def changes(self) -> AsyncIterator[DeviceChange]:
        from .sources import DeviceChange, DeviceRecord

        while True:
            message = await self._message()
            if message is None:
                raise self._ended()
            if "error" in message:
                raise HelperError(message["error"])
            yield DeviceChange(message["change"], DeviceRecord(*message["record"]))

    def _reap(self, block: bool) -> int | None:
        if self._reaped:
            return None
        try:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            self._reaped = True
            return None
        if pid == 0:
            return None
        self._reaped = True
        return status

    def _close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    async def stop(self) -> None:
        """Close the pipe (the helper sees it and ends), then reap it; killed if it lingers."""
        import trio

        if self.fd >= 0:
            trio.lowlevel.notify_closing(self.fd)
        self._close()
        for _ in range(100):
            if self._reaped or self._reap(block=False) is not None:
                return
            await trio.sleep(0.01)
        self.stop_now()

    def stop_now(self) -> None:
        """The same without an event loop (the daemon failed before serving): kill and reap."""
        self._close()
        if not self._reaped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._reap(block=True)


_helper: EnumerationHelper | None = None


def start(delay: float = 0.0) -> None:
    """Fork the helper. Call before any thread exists (fork copies only the calling thread)."""
    global _helper
    if _helper is not None:
        return
    # What both processes import anyway (ctypes.util: pyudev's and trio's; the record modules:
    # the helper's and the driver's) is imported once, here, rather than again in the helper,
    # which shares the daemon's CPUs while the daemon starts.
    import ctypes.util  # noqa: F401

    from . import devices, sources  # noqa: F401

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            os.close(read_end)
            _helper_main(write_end, delay)
        except BaseException as error:  # told to the daemon, which reports it as libvirt does
            status = 1
            with contextlib.suppress(BaseException):
                _send(write_end, {"error": str(error) or type(error).__name__})
        finally:
            os._exit(status)  # never back into the daemon's code, its atexit or its buffers
    os.close(write_end)
    os.set_blocking(read_end, False)
    _helper = EnumerationHelper(pid, read_end)


def take() -> EnumerationHelper | None:
    """The helper, for the driver to take over; None if it was never started or is taken."""
    global _helper
    helper, _helper = _helper, None
    return helper


def abandon() -> None:
    """Stop a helper nobody took (the daemon is exiting before it served)."""
    helper = take()
    if helper is not None:
        helper.stop_now()
