"""Stream machinery in a daemon run in-process with a driver made for the test."""

from __future__ import annotations

import tempfile
from pathlib import Path

import trio

from virtrio.drivers.base import ConnectionContext, DriverConnection, StreamReply
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc import stream as stream_packets
from virtrio.rpc.errors import report
from virtrio.rpc.framing import PacketReader
from virtrio.rpc.packet import Header, MessageType, Packet, Status, encode_packet
from virtrio.server.config import Config
from virtrio.server.daemon import Daemon
from virtrio.server.listeners import make_unix_listeners

VOLUME = remote.remote_nonnull_storage_vol("pool", "vol", "/pool/vol")


class RecordingSink:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    async def write(self, data: bytes) -> None:
        self.events.append(("data", data))

    async def hole(self, length: int) -> None:
        self.events.append(("hole", length))

    async def finish(self) -> None:
        self.events.append(("finish", None))

    async def abort(self) -> None:
        self.events.append(("abort", None))


class StreamingConnection(DriverConnection):
    sinks: list[RecordingSink] = []

    async def storage_vol_upload(self, args: remote.remote_storage_vol_upload_args) -> StreamReply:
        sink = RecordingSink()
        self.sinks.append(sink)
        return StreamReply(None, sink=sink)

    async def storage_vol_download(self, args: remote.remote_storage_vol_download_args) -> StreamReply:
        async def source():
            yield b"a" * 300_000  # more than one protocol chunk
            yield b"b" * 10
            if args.flags:
                raise report(api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_STORAGE, "disk went away")

        return StreamReply(None, source=source())


class StreamingDriver:
    name = "stream"

    def accepts(self, uri: str) -> bool:
        return uri.startswith("stream:")

    def open(self, context: ConnectionContext) -> StreamingConnection:
        return StreamingConnection(context)


class Client:
    def __init__(self, sock: trio.socket.SocketType) -> None:
        self.sock = sock
        self.reader = PacketReader()
        self.packets: list[Packet] = []

    async def send(self, data: bytes) -> None:
        await self.sock.send(data)

    async def call(self, proc: int, payload: bytes, serial: int) -> None:
        await self.send(encode_packet(Header(remote.PROGRAM, 1, proc, MessageType.CALL, serial, Status.OK), payload))

    async def receive(self) -> Packet:
        while not self.packets:
            data = await self.sock.recv(1 << 20)
            assert data, "the daemon closed the connection"
            self.packets += self.reader.feed(data)
        return self.packets.pop(0)


async def with_daemon(body) -> None:
    directory = Path(tempfile.mkdtemp())
    daemon = Daemon(Config(), [StreamingDriver()])
    listeners = make_unix_listeners(directory, daemon.config)
    async with trio.open_nursery() as nursery:
        await nursery.start(daemon.serve, listeners)
        sock = trio.socket.socket(trio.socket.AF_UNIX)
        await sock.connect(str(directory / "libvirt-sock"))
        client = Client(sock)
        open_args = remote.CODECS["remote_connect_open_args"].encode(remote.remote_connect_open_args("stream:///", 0))
        await client.call(remote.REMOTE_PROC_CONNECT_OPEN, open_args, 1)
        assert (await client.receive()).header.status == Status.OK
        with trio.fail_after(20):
            await body(client)
        sock.close()
        daemon.stop()


def test_upload_with_data_holes_and_finish() -> None:
    async def body(client: Client) -> None:
        args = remote.remote_storage_vol_upload_args(VOLUME, 0, 0, api.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
        await client.call(remote.REMOTE_PROC_STORAGE_VOL_UPLOAD, remote.CODECS[args.__class__.__name__].encode(args), 7)
        reply = await client.receive()
        assert (reply.header.serial, reply.header.status, reply.payload) == (7, Status.OK, b"")
        call = reply.header._replace(type=MessageType.CALL)
        for data in stream_packets.data_packets(call, b"x" * 1000):
            await client.send(data)
        await client.send(stream_packets.hole_packet(call, 4096))
        await client.send(stream_packets.data_packets(call, b"tail")[0])
        await client.send(stream_packets.finish_packet(call))
        confirmation = await client.receive()
        assert confirmation.header.type == MessageType.STREAM and confirmation.header.status == Status.OK
        assert StreamingConnection.sinks[-1].events == [
            ("data", b"x" * 1000),
            ("hole", 4096),
            ("data", b"tail"),
            ("finish", None),
        ]

    trio.run(with_daemon, body)


def test_upload_aborted_by_the_client() -> None:
    async def body(client: Client) -> None:
        args = remote.remote_storage_vol_upload_args(VOLUME, 0, 0, 0)
        await client.call(remote.REMOTE_PROC_STORAGE_VOL_UPLOAD, remote.CODECS[args.__class__.__name__].encode(args), 3)
        call = (await client.receive()).header._replace(type=MessageType.CALL)
        await client.send(stream_packets.data_packets(call, b"partial")[0])
        await client.send(encode_packet(call._replace(type=MessageType.STREAM, status=Status.ERROR)))
        confirmation = await client.receive()
        assert (confirmation.header.type, confirmation.header.status) == (MessageType.STREAM, Status.OK)
        assert StreamingConnection.sinks[-1].events == [("data", b"partial"), ("abort", None)]

    trio.run(with_daemon, body)


def test_download_in_protocol_chunks_then_end_and_finish() -> None:
    async def body(client: Client) -> None:
        args = remote.remote_storage_vol_download_args(VOLUME, 0, 0, 0)
        await client.call(
            remote.REMOTE_PROC_STORAGE_VOL_DOWNLOAD, remote.CODECS[args.__class__.__name__].encode(args), 9
        )
        assert (await client.receive()).header.type == MessageType.REPLY
        sizes = []
        while True:
            packet = await client.receive()
            assert packet.header.type == MessageType.STREAM and packet.header.status == Status.CONTINUE
            if not packet.payload:
                break
            sizes.append(len(packet.payload))
        assert sizes == [262120, 300_000 - 262120, 10]
        await client.send(stream_packets.finish_packet(packet.header))
        done = await client.receive()
        assert (done.header.type, done.header.status, done.header.serial) == (MessageType.STREAM, Status.OK, 9)

    trio.run(with_daemon, body)


def test_a_failing_source_ends_the_stream_with_an_error() -> None:
    async def body(client: Client) -> None:
        args = remote.remote_storage_vol_download_args(VOLUME, 0, 0, 1)
        await client.call(
            remote.REMOTE_PROC_STORAGE_VOL_DOWNLOAD, remote.CODECS[args.__class__.__name__].encode(args), 4
        )
        await client.receive()  # the reply
        while True:
            packet = await client.receive()
            if packet.header.status != Status.CONTINUE:
                break
        assert packet.header.type == MessageType.STREAM and packet.header.status == Status.ERROR
        from virtrio.rpc.errors import ERROR_CODEC

        error = ERROR_CODEC.decode(packet.payload)
        assert (error.code, error.message) == (api.VIR_ERR_OPERATION_FAILED, "operation failed: disk went away")
        # the connection is still usable
        await client.call(remote.REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, b"\0\0\0\x0a", 5)
        assert (await client.receive()).header.serial == 5

    trio.run(with_daemon, body)
