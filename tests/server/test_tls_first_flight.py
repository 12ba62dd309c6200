"""What stands between a client's ClientHello and our first flight: the ServerHello sent ahead of
the rest of the flight (tls.send_server_hello_first), as libvirtd's GnuTLS sends it, and TLS
objects made ahead (TLSContexts.make_spares). Byte-level, against a Python ssl client on a
socket pair."""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path
from typing import Any

import pytest
import trio

from tests.tls_records import tls_records
from virtrio.server import pki, tls
from virtrio.server.config import Config

RECORD_CHANGE_CIPHER_SPEC, RECORD_HANDSHAKE = 20, 22
HANDSHAKE_SERVER_HELLO = 2


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    paths = pki.layout(tmp_path_factory.mktemp("pki"))
    pki.make_ca(paths, "Example", force=False)
    pki.make_leaf(paths, pki.Role.SERVER, "Example", "127.0.0.1", [], force=False)
    pki.make_leaf(paths, pki.Role.CLIENT, "Example", "client", [], force=False)
    return paths


def server_config(files: dict[str, Path]) -> Config:
    config = Config()
    config.key_file, config.cert_file = str(files["serverkey.pem"]), str(files["servercert.pem"])
    config.ca_file = str(files["cacert.pem"])
    return config


class RecordingSocket:
    """The daemon's end of the pair, keeping every send as it went to the kernel. first_send:
    how the first send goes ("all", "partial": 7 bytes taken, "blocked": none, the socket full)."""

    def __init__(self, raw: socket.socket, first_send: str = "all") -> None:
        self.raw = raw
        self.sends: list[bytes] = []
        self.first_send = first_send

    def send(self, data: Any) -> int:
        first, self.first_send = self.first_send, "all"
        if first == "blocked":
            raise BlockingIOError
        sent = self.raw.send(data[:7] if first == "partial" else data)
        self.sends.append(bytes(data[:sent]))
        return sent

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def is_server_hello(record: bytes, retry: bool = False) -> bool:
    """A record holding a ServerHello alone (a HelloRetryRequest with retry)."""
    if len(record) < 5 + 38 or record[0] != RECORD_HANDSHAKE or record[5] != HANDSHAKE_SERVER_HELLO:
        return False
    return (record[5 + 6 : 5 + 38] == tls.HELLO_RETRY_REQUEST_RANDOM) == retry


def handshake_with_client(
    files: dict[str, Path],
    maximum: ssl.TLSVersion,
    contexts: tls.TLSContexts | None = None,
    first_send: str = "all",
) -> tuple[RecordingSocket, bytes]:
    """One handshake, the daemon's TLSSocket against a client in a thread, then the daemon sends
    the confirmation byte and the client reads it; returns the daemon's sends and all the
    client read."""
    daemon_end, client_end = socket.socketpair()
    daemon_end.setblocking(False)
    recording = RecordingSocket(daemon_end, first_send)
    contexts = contexts or tls.make_contexts(server_config(files))
    client_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_context.maximum_version = maximum
    client_context.load_verify_locations(files["cacert.pem"])
    client_context.load_cert_chain(files["clientcert.pem"], files["clientkey.pem"])
    received = bytearray()
    outcome: list[object] = []

    def client() -> None:
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        connection = client_context.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
        client_end.settimeout(20)
        try:
            while True:
                try:
                    connection.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    client_end.sendall(outgoing.read())
                    data = client_end.recv(65536)
                    received.extend(data)
                    incoming.write(data)
            client_end.sendall(outgoing.read())
            while True:
                try:
                    outcome.append(connection.read(1))
                    return
                except ssl.SSLWantReadError:
                    data = client_end.recv(65536)
                    received.extend(data)
                    incoming.write(data)
        except Exception as error:  # a broken stream: the daemon's end sees the close
            outcome.append(error)
            client_end.close()

    async def daemon() -> None:
        with trio.fail_after(20):
            connection = tls.TLSSocket(recording, contexts)  # type: ignore[arg-type]
            await connection.handshake()
            connection.send(tls.CONFIRMATION)

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    with daemon_end, client_end:
        try:
            trio.run(daemon)
        finally:
            thread.join(20)
    assert outcome == [tls.CONFIRMATION]
    assert received == b"".join(recording.sends)  # what the daemon sent, whole and in order
    return recording, bytes(received)


def test_tls13_server_hello_sent_alone_before_the_rest_of_the_flight(files: dict[str, Path]) -> None:
    recording, received = handshake_with_client(files, ssl.TLSVersion.TLSv1_3)
    first = tls_records(recording.sends[0])
    assert len(first) == 1 and is_server_hello(first[0])
    # The flight that follows starts after the ServerHello (TLS 1.3's change_cipher_spec), and
    # the client saw exactly one ServerHello in all it read.
    assert tls_records(recording.sends[1])[0][0] == RECORD_CHANGE_CIPHER_SPEC
    assert [r for r in tls_records(received) if is_server_hello(r)] == first


@pytest.mark.parametrize("first_send", ["partial", "blocked"])
def test_a_server_hello_the_socket_takes_only_part_of_leaves_the_rest_in_the_flight(
    files: dict[str, Path], first_send: str
) -> None:
    recording, received = handshake_with_client(files, ssl.TLSVersion.TLSv1_3, first_send=first_send)
    if first_send == "partial":  # 7 bytes ahead, the rest of the record with the flight
        assert len(recording.sends[0]) == 7
    else:  # nothing ahead: the flight whole
        assert is_server_hello(tls_records(recording.sends[0])[0]) and len(tls_records(recording.sends[0])) > 1
    assert sum(1 for r in tls_records(received) if is_server_hello(r)) == 1


def test_tls12_flight_sent_whole(files: dict[str, Path]) -> None:
    """TLS 1.2's key share comes in ServerKeyExchange, after the signature: a ServerHello
    alone would give the client nothing to work on."""
    recording, _ = handshake_with_client(files, ssl.TLSVersion.TLSv1_2)
    first = tls_records(recording.sends[0])
    assert first[0][5] == HANDSHAKE_SERVER_HELLO and len(first) > 1


def test_after_a_hello_retry_request_the_server_hello_still_goes_first(files: dict[str, Path]) -> None:
    """A server taking P-384 only, a client whose one key share is X25519: the server asks for
    another ClientHello (its HelloRetryRequest also sent ahead), then sends its ServerHello
    ahead of the rest of that flight."""
    context = tls.make_context(server_config(files))
    openssl = tls._openssl()
    assert openssl is not None
    pointer = openssl.context_pointer(context)
    assert pointer is not None and openssl.ctx_ctrl(pointer, tls.SSL_CTRL_SET_GROUPS_LIST, 0, b"P-384")
    recording, _ = handshake_with_client(files, ssl.TLSVersion.TLSv1_3, tls.TLSContexts(context, None))
    sends = [tls_records(sent) for sent in recording.sends]
    assert len(sends[0]) == 1 and is_server_hello(sends[0][0], retry=True)
    assert sends[1][0][0] == RECORD_CHANGE_CIPHER_SPEC
    assert len(sends[2]) == 1 and is_server_hello(sends[2][0])


def test_without_the_callback_the_flight_goes_whole(files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the libssl functions are not found (another Python), the context is left as it is."""
    monkeypatch.setattr(tls, "_openssl", lambda: None)
    contexts = tls.make_contexts(server_config(files))
    recording, _ = handshake_with_client(files, ssl.TLSVersion.TLSv1_3, contexts)
    first = tls_records(recording.sends[0])
    assert is_server_hello(first[0]) and len(first) > 1


def test_message_callback_taken_off_the_connection_after_its_server_hello(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every later record (the rest of both flights, the confirmation) passes without a call
    into Python: the callback costs each call over TLS otherwise."""
    seen: list[tuple[str, int, int]] = []
    original = tls._on_handshake_message

    def counting(connection: Any, direction: str, version: int, content_type: int, kind: int, data: bytes) -> None:
        seen.append((direction, content_type, kind))
        original(connection, direction, version, content_type, kind, data)

    monkeypatch.setattr(tls, "_on_handshake_message", counting)
    contexts = tls.make_contexts(server_config(files))
    handshake_with_client(files, ssl.TLSVersion.TLSv1_3, contexts)
    assert seen[-1] == ("write", RECORD_HANDSHAKE, HANDSHAKE_SERVER_HELLO)
    assert ("read", RECORD_HANDSHAKE, 1) in seen  # the ClientHello went through it first


def test_a_flight_not_opening_with_what_was_sent_ahead_raises_instead_of_being_sent(files: dict[str, Path]) -> None:
    contexts = tls.make_contexts(server_config(files))
    daemon_end, other_end = socket.socketpair()
    with daemon_end, other_end:
        connection = tls.TLSSocket(daemon_end, contexts)
        tls_object, connection._in, connection._out = contexts.objects_for(contexts.default)
        assert isinstance(tls_object, tls.ServerHelloFirst)
        connection._tls = tls_object
        tls_object.sent_ahead = b"\x16\x03\x03\x00\x01\x02"
        connection._out.write(b"\x16\x03\x03\x00\x01\x09")
        with pytest.raises(OSError, match="sent ahead"):
            trio.run(connection.flush)
        with pytest.raises(BlockingIOError):  # nothing of it went to the client
            other_end.recv(100, socket.MSG_DONTWAIT)


def test_each_connection_takes_fresh_tls_objects_made_while_the_last_client_worked(files: dict[str, Path]) -> None:
    contexts = tls.make_contexts(server_config(files))
    assert contexts.x25519 is not None  # Python's client offers X25519: this context serves it
    handshake_with_client(files, ssl.TLSVersion.TLSv1_3, contexts)
    spare = contexts._spares[contexts.x25519]
    assert contexts._spares[contexts.default]  # made for either context the next client asks for
    recording, _ = handshake_with_client(files, ssl.TLSVersion.TLSv1_3, contexts)
    assert is_server_hello(tls_records(recording.sends[0])[0])  # a spare sends its ServerHello first too
    assert contexts._spares[contexts.x25519][0] is not spare[0]  # taken, and another made
    # Taken once: never an object that served a connection, nor one given out twice.
    spare_now = contexts._spares[contexts.x25519][0]
    taken = contexts.objects_for(contexts.x25519)
    assert taken[0] is spare_now and contexts.x25519 not in contexts._spares
    assert contexts.objects_for(contexts.x25519)[0] is not taken[0]
