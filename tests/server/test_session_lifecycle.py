"""A client's lifecycle in a daemon run in-process: the reader without a nursery of its own,
the client's other tasks in one opened on first use, and what ends them."""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import trio

from virtrio.drivers.base import ConnectionContext, DriverConnection
from virtrio.protocol.generated import remote
from virtrio.rpc.framing import PacketReader
from virtrio.rpc.packet import Header, MessageType, Packet, Status, encode_packet
from virtrio.server.config import Config
from virtrio.server.daemon import Daemon
from virtrio.server.listeners import make_unix_listeners
from virtrio.server.session import ClientSession

VOLUME = remote.remote_nonnull_storage_vol("pool", "vol", "/pool/vol")
DOWNLOAD_ARGS = remote.CODECS["remote_storage_vol_download_args"].encode(
    remote.remote_storage_vol_download_args(VOLUME, 0, 0, 0)
)


class Waiting(DriverConnection):
    """A call that waits until the test lets it go, and says whether it was cancelled."""

    started = trio.Event()
    cancelled = trio.Event()

    async def storage_vol_download(self, args: remote.remote_storage_vol_download_args) -> None:
        Waiting.started.set()
        try:
            await trio.sleep_forever()
        except trio.Cancelled:
            Waiting.cancelled.set()
            raise


class WaitingDriver:
    name = "waiting"

    def accepts(self, uri: str) -> bool:
        return uri.startswith("waiting:")

    def open(self, context: ConnectionContext) -> Waiting:
        return Waiting(context)


class Client:
    def __init__(self, sock: trio.socket.SocketType) -> None:
        self.sock = sock
        self.reader = PacketReader()
        self.packets: list[Packet] = []

    async def call(self, proc: int, payload: bytes, serial: int) -> None:
        header = Header(remote.PROGRAM, 1, proc, MessageType.CALL, serial, Status.OK)
        await self.sock.send(encode_packet(header, payload))

    async def receive(self) -> Packet | None:
        """The next packet; None once the daemon has closed the connection."""
        while not self.packets:
            data = await self.sock.recv(1 << 20)
            if not data:
                return None
            self.packets += self.reader.feed(data)
        return self.packets.pop(0)


async def with_daemon(body: Callable[[Daemon, Callable[[], Awaitable[Client]]], Awaitable[None]]) -> None:
    Waiting.started, Waiting.cancelled = trio.Event(), trio.Event()
    directory = Path(tempfile.mkdtemp())
    daemon = Daemon(Config(), [WaitingDriver()])
    listeners = make_unix_listeners(directory, daemon.config)
    sockets: list[trio.socket.SocketType] = []

    async def connect() -> Client:
        sock = trio.socket.socket(trio.socket.AF_UNIX)
        sockets.append(sock)
        await sock.connect(str(directory / "libvirt-sock"))
        client = Client(sock)
        open_args = remote.CODECS["remote_connect_open_args"].encode(remote.remote_connect_open_args("waiting:///", 0))
        await client.call(remote.REMOTE_PROC_CONNECT_OPEN, open_args, 1)
        opened = await client.receive()
        assert opened is not None and opened.header.status == Status.OK
        return client

    async with trio.open_nursery() as nursery:
        await nursery.start(daemon.serve, listeners)
        with trio.fail_after(20):
            await body(daemon, connect)
        for sock in sockets:
            sock.close()
        daemon.stop()


def session_of(daemon: Daemon) -> ClientSession:
    (session,) = daemon.sessions
    return session


async def until(condition: Callable[[], bool]) -> None:
    while not condition():
        await trio.sleep(0.01)


def test_close_answers_then_ends_the_client_with_no_task_left() -> None:
    async def body(daemon: Daemon, connect: Callable[[], Awaitable[Client]]) -> None:
        client = await connect()
        assert session_of(daemon)._children is None  # no call waited: no nursery was opened
        await client.call(remote.REMOTE_PROC_CONNECT_CLOSE, b"", 2)
        reply = await client.receive()
        assert reply is not None and reply.header.serial == 2 and reply.header.status == Status.OK
        assert await client.receive() is None  # then the daemon closes the socket
        await until(lambda: not daemon.sessions)

    trio.run(with_daemon, body)


def test_a_client_dropped_while_its_call_waits_has_the_call_cancelled() -> None:
    async def body(daemon: Daemon, connect: Callable[[], Awaitable[Client]]) -> None:
        client = await connect()
        await client.call(remote.REMOTE_PROC_STORAGE_VOL_DOWNLOAD, DOWNLOAD_ARGS, 2)
        await Waiting.started.wait()
        session_of(daemon).disconnect("dropped by the test")
        assert await client.receive() is None
        await Waiting.cancelled.wait()
        await until(lambda: not daemon.sessions)
        # the daemon goes on serving
        await connect()
        assert len(daemon.sessions) == 1

    trio.run(with_daemon, body)


def test_closing_while_a_call_waits_cancels_it_after_the_reply() -> None:
    async def body(daemon: Daemon, connect: Callable[[], Awaitable[Client]]) -> None:
        client = await connect()
        await client.call(remote.REMOTE_PROC_STORAGE_VOL_DOWNLOAD, DOWNLOAD_ARGS, 2)
        await Waiting.started.wait()
        await client.call(remote.REMOTE_PROC_CONNECT_CLOSE, b"", 3)
        reply = await client.receive()
        assert reply is not None and reply.header.serial == 3
        assert await client.receive() is None
        await Waiting.cancelled.wait()
        await until(lambda: not daemon.sessions)

    trio.run(with_daemon, body)


def test_a_failing_task_ends_its_client_only() -> None:
    async def fails() -> None:
        await trio.lowlevel.checkpoint()
        raise RuntimeError("a bug in a task")

    async def body(daemon: Daemon, connect: Callable[[], Awaitable[Client]]) -> None:
        client = await connect()
        session = session_of(daemon)
        session.start_task(fails)
        assert await client.receive() is None  # the client is dropped
        await until(lambda: not daemon.sessions)
        other = await connect()  # and the daemon goes on serving others
        await other.call(remote.REMOTE_PROC_CONNECT_CLOSE, b"", 2)
        reply = await other.receive()
        assert reply is not None and reply.header.status == Status.OK

    # a handler of its own: other tests configure the virtrio loggers (no propagation)
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("virtrio.server.session")
    logger.addHandler(handler)
    try:
        trio.run(with_daemon, body)
    finally:
        logger.removeHandler(handler)
    failures = [record for record in records if re.fullmatch(r"client \d+ failed", record.getMessage())]
    assert failures and failures[0].exc_info is not None
    assert "RuntimeError: a bug in a task" in logging.Formatter().formatException(failures[0].exc_info)
