"""A client that has gone leaves no reference cycle behind: its session, writer and socket (over
TLS: the TLS object and its buffers too) are freed as soon as it ends, not by the cyclic
collector some connections later (whose passes cost every connection ~30 us, held the
connection's OpenSSL state in memory until then)."""

from __future__ import annotations

import gc
import socket
import ssl
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import trio

from virtrio.drivers.base import ConnectionContext, DriverConnection
from virtrio.protocol.generated import remote
from virtrio.rpc.framing import PacketReader
from virtrio.rpc.packet import Header, MessageType, Status, encode_packet
from virtrio.server import pki
from virtrio.server.config import Config
from virtrio.server.daemon import Daemon
from virtrio.server.listeners import Listener, make_network_listeners, make_unix_listeners
from virtrio.server.session import ClientSession
from virtrio.server.socket_io import SocketWriter
from virtrio.server.tls import TLSServer, TLSSocket

CONNECTION_TYPES = (ClientSession, SocketWriter, TLSSocket, ssl.SSLObject, ssl.MemoryBIO)


class Plain(DriverConnection):
    pass


class PlainDriver:
    name = "plain"

    def accepts(self, uri: str) -> bool:
        return uri.startswith("plain:")

    def open(self, context: ConnectionContext) -> Plain:
        return Plain(context)


def packet(proc: int, payload: bytes, serial: int) -> bytes:
    return encode_packet(Header(remote.PROGRAM, 1, proc, MessageType.CALL, serial, Status.OK), payload)


OPEN = packet(
    remote.REMOTE_PROC_CONNECT_OPEN,
    remote.CODECS["remote_connect_open_args"].encode(remote.remote_connect_open_args("plain:///", 0)),
    1,
)
CLOSE = packet(remote.REMOTE_PROC_CONNECT_CLOSE, b"", 2)


def open_and_close(send: Callable[[bytes], object], receive: Callable[[int], bytes]) -> list[int]:
    """CONNECT_OPEN then CONNECT_CLOSE, reading until the daemon closes; the replies' statuses."""
    reader = PacketReader()
    statuses: list[int] = []
    send(OPEN + CLOSE)
    while data := receive(65536):
        statuses += [reply.header.status for reply in reader.feed(data)]
    return statuses


@contextmanager
def cycles_counted() -> Iterator[list[object]]:
    """What the cyclic collector finds of a connection's objects, collected at the end; the
    collector stays off meanwhile (as in the daemon, which disables it at start)."""
    gc.collect()
    gc.disable()
    found: list[object] = []
    try:
        yield found
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found += [thing for thing in gc.garbage if isinstance(thing, CONNECTION_TYPES)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


async def serve_one_client(daemon: Daemon, listeners: list[Listener], client: Callable[[], list[int]]) -> list[int]:
    async with trio.open_nursery() as nursery:
        await nursery.start(daemon.serve, listeners)
        statuses = await trio.to_thread.run_sync(client)
        with trio.fail_after(20):
            while daemon.sessions:
                await trio.sleep(0.01)
        daemon.stop()
    return statuses


def test_a_unix_client_leaves_no_cycle() -> None:
    directory = Path(tempfile.mkdtemp())
    daemon = Daemon(Config(), [PlainDriver()])  # type: ignore[list-item]

    def client() -> list[int]:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(directory / "libvirt-sock"))
            return open_and_close(sock.sendall, sock.recv)

    with cycles_counted() as found:
        statuses = trio.run(serve_one_client, daemon, make_unix_listeners(directory, daemon.config), client)
    assert statuses == [Status.OK, Status.OK]
    assert found == []


def test_a_tls_client_leaves_no_cycle(tmp_path: Path) -> None:
    paths = pki.layout(tmp_path)
    pki.make_ca(paths, "Example", force=False)
    pki.make_leaf(paths, pki.Role.SERVER, "Example", "127.0.0.1", [], force=False)
    pki.make_leaf(paths, pki.Role.CLIENT, "Example", "client", [], force=False)
    config = Config()
    config.listen_tls, config.listen_tcp, config.listen_addr, config.tls_port = True, False, "127.0.0.1", "0"
    config.key_file, config.cert_file = str(paths["serverkey.pem"]), str(paths["servercert.pem"])
    config.ca_file = str(paths["cacert.pem"])
    daemon = Daemon(config, [PlainDriver()])  # type: ignore[list-item]
    daemon.tls = TLSServer(config)
    listeners = make_network_listeners(config)
    port = listeners[0].socket.getsockname()[1]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(paths["cacert.pem"])
    context.load_cert_chain(paths["clientcert.pem"], paths["clientkey.pem"])

    def client() -> list[int]:
        raw = socket.create_connection(("127.0.0.1", port), timeout=20)
        with raw, context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            assert sock.recv(1) == b"\x01"  # the confirmation byte
            return open_and_close(sock.sendall, sock.recv)

    with cycles_counted() as found:
        statuses = trio.run(serve_one_client, daemon, listeners, client)
    assert statuses == [Status.OK, Status.OK]
    assert found == []
