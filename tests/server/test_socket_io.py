"""The non-blocking socket helpers under the session: reads without the scheduler when
data is there, and the short busy poll after a reply."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import trio

from virtrio.drivers.base import ConnectionContext, DriverConnection
from virtrio.protocol.generated import remote
from virtrio.rpc.framing import PacketReader
from virtrio.rpc.packet import Header, MessageType, Packet, Status, encode_packet
from virtrio.server import session as session_module
from virtrio.server import socket_io
from virtrio.server.config import Config
from virtrio.server.daemon import Daemon
from virtrio.server.listeners import make_unix_listeners
from virtrio.server.socket_io import BusyPoll, receive


def socket_pair() -> tuple[socket.socket, socket.socket]:
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    return ours, theirs


def test_data_already_there_is_read_at_once() -> None:
    async def main() -> None:
        ours, theirs = socket_pair()
        with ours, theirs:
            theirs.send(b"x")
            assert await receive(ours, wait_first=True, busy_poll=BusyPoll(ours, 0.001)) == (b"x", [])
            theirs.send(b"y")
            assert await receive(ours) == (b"y", [])

    trio.run(main)


def test_the_end_of_the_stream_reads_as_nothing() -> None:
    async def main() -> None:
        ours, theirs = socket_pair()
        with ours:
            theirs.close()
            assert await receive(ours, wait_first=True, busy_poll=BusyPoll(ours, 0.001)) == (b"", [])

    trio.run(main)


def test_data_arriving_during_the_poll_is_caught_without_sleeping() -> None:
    async def main() -> None:
        ours, theirs = socket_pair()
        with ours, theirs:
            started = threading.Event()

            def send_soon() -> None:
                started.set()
                time.sleep(0.01)
                theirs.send(b"soon")

            async with trio.open_nursery() as nursery:
                nursery.start_soon(trio.to_thread.run_sync, send_soon)
                while not started.is_set():  # the thread runs; no task is left runnable
                    await trio.sleep(0)
                await trio.sleep(0)
                sleeps.clear()
                assert await receive(ours, wait_first=True, busy_poll=BusyPoll(ours, 2.0)) == (b"soon", [])
                assert not [timeout for timeout in sleeps if timeout > 0], "receive slept in epoll"

    sleeps: list[float] = []

    class IOWaits(trio.abc.Instrument):
        def before_io_wait(self, timeout: float) -> None:
            sleeps.append(timeout)

    trio.run(main, instruments=[IOWaits()])


async def send_later(sock: socket.socket) -> None:
    await trio.sleep(0.05)
    sock.send(b"late")


def test_receive_sleeps_for_data_that_comes_after_the_poll() -> None:
    async def main() -> None:
        ours, theirs = socket_pair()
        with ours, theirs:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(send_later, theirs)
                started = time.perf_counter()
                assert await receive(ours, wait_first=True, busy_poll=BusyPoll(ours, 0.0001)) == (b"late", [])
                assert time.perf_counter() - started >= 0.04

    trio.run(main)


def test_no_poll_while_other_tasks_wait_to_run() -> None:
    async def main() -> None:
        ours, theirs = socket_pair()
        with ours, theirs:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(send_later, theirs)
                nursery.start_soon(trio.sleep, 0)  # runnable when receive starts
                started = time.perf_counter()
                # a 5 s poll would keep send_later from running at all: it must sleep instead
                assert await receive(ours, wait_first=True, busy_poll=BusyPoll(ours, 5.0)) == (b"late", [])
                assert time.perf_counter() - started < 2.0

    trio.run(main)


class NoClock:
    """Stands for the time module: a look that reads the clock would spin."""

    @staticmethod
    def perf_counter() -> float:
        raise AssertionError("the look read the clock: it would spin")


def test_one_look_without_spinning(monkeypatch: pytest.MonkeyPatch) -> None:
    async def main() -> None:
        ours, theirs = socket_pair()
        with ours, theirs:
            look = BusyPoll(ours, 3600.0)
            monkeypatch.setattr(socket_io, "time", NoClock)
            assert not look.ready(spin=False)
            theirs.send(b"x")
            assert look.ready(spin=False)

    trio.run(main)


def call_packet(proc: int, serial: int, payload: bytes = b"") -> bytes:
    return encode_packet(Header(remote.PROGRAM, 1, proc, MessageType.CALL, serial, Status.OK), payload)


class Pipelining(DriverConnection):
    """Its first CONNECT_GET_TYPE sends the client's next call while it is being answered."""

    client: socket.socket | None = None
    events: list[str] = []

    def connect_get_type(self) -> remote.remote_connect_get_type_ret:
        Pipelining.events.append("call")
        if Pipelining.client is not None:
            Pipelining.client.send(call_packet(remote.REMOTE_PROC_CONNECT_GET_TYPE, 3))
            Pipelining.client = None
        return remote.remote_connect_get_type_ret("PIPELINING")


class PipeliningDriver:
    name = "pipelining"

    def accepts(self, uri: str) -> bool:
        return uri.startswith("pipelining:")

    def open(self, context: ConnectionContext) -> Pipelining:
        return Pipelining(context)


def test_a_call_that_came_during_the_last_one_is_read_without_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call already in the socket when the reply to the one before is written is read at
    once, not after a pass through epoll and the scheduler; even with the busy poll off."""
    events: list[str] = []
    waiting_receive = session_module.receive

    async def spying_receive(*arguments: Any, **named: Any) -> tuple[bytes, list[int]]:
        events.append("wait")
        return await waiting_receive(*arguments, **named)

    monkeypatch.setattr(session_module, "receive", spying_receive)
    monkeypatch.setattr(Pipelining, "events", events)

    async def main() -> None:
        directory = Path(tempfile.mkdtemp())
        daemon = Daemon(Config(busy_poll_us=0), [PipeliningDriver()])
        listeners = make_unix_listeners(directory, daemon.config)
        async with trio.open_nursery() as nursery:
            await nursery.start(daemon.serve, listeners)
            raw = socket.socket(socket.AF_UNIX)
            raw.connect(str(directory / "libvirt-sock"))
            client = trio.socket.from_stdlib_socket(raw)
            reader = PacketReader()
            packets: list[Packet] = []

            async def reply() -> Packet:
                while not packets:
                    packets.extend(reader.feed(await client.recv(1 << 20)))
                return packets.pop(0)

            with trio.fail_after(20):
                open_args = remote.remote_connect_open_args("pipelining:///", 0)
                encoded = remote.CODECS["remote_connect_open_args"].encode(open_args)
                await client.send(call_packet(remote.REMOTE_PROC_CONNECT_OPEN, 1, encoded))
                assert (await reply()).header.status == Status.OK
                Pipelining.client = raw
                events.clear()
                await client.send(call_packet(remote.REMOTE_PROC_CONNECT_GET_TYPE, 2))
                assert [(await reply()).header.serial for _ in range(2)] == [2, 3]
            client.close()
            daemon.stop()

    trio.run(main)
    assert events[:2] == ["call", "call"], events
