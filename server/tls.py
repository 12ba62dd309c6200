"""TLS clients: libvirtd's x509 checks with the standard library's ssl (SSLObject) on trio's loop.

A TLS client's handshake runs in its own task, bounded in time, so a client that stalls
in it never delays others. Once the handshake and the checks pass, the daemon sends the
one confirmation byte libvirtd sends (1, inside the encrypted stream), then an ordinary
ClientSession serves the client through TLSSocket, which looks like a socket to it.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import socket
import ssl
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import trio

from .config import Config
from .tls_handover import hand_over, yield_cpu

if TYPE_CHECKING:
    from .daemon import Daemon
    from .dispatch import Program
    from .listeners import SocketKind
    from .session import ClientSession

log = logging.getLogger("virtrio.server.tls")
READ_CHUNK = 256 * 1024
# Every TLS socket is read into this one buffer and the bytes handed to the socket's BIO at
# once (the loop is one thread). recv(READ_CHUNK) allocated READ_CHUNK bytes per read and
# shrank them: where glibc serves that size with mmap, each read cost an mmap and a munmap.
_scratch = memoryview(bytearray(READ_CHUNK))
MAX_RECORD = 16384  # a TLS record's most plaintext: one read never returns more
# A refused client: how long and how much of what it still sends is read before closing.
REFUSAL_LINGER = 2.0
REFUSAL_DISCARD = 64 * 1024
CONFIRMATION = b"\x01"  # libvirtd's "checks passed" byte, after the handshake
# SO_RCVLOWAT while waiting for the client's flight: one more than a change_cipher_spec record
LOW_WATER_AFTER_FLIGHT = 7

# The checked certificates of connected TLS clients by session id (ClientSession has fixed
# slots); their DNs are worked out only when asked (client-info), as parsing one costs more
# than the rest of a connection's setup.
client_certificates: dict[int, bytes] = {}


def client_dname(session_id: int) -> str | None:
    """The x509 DN of a connected TLS client whose certificate was checked."""
    der = client_certificates.get(session_id)
    return distinguished_name(der) if der else None


class TLSSetupError(Exception):
    pass


@dataclass
class TLSPaths:
    key_file: str
    cert_file: str
    ca_file: str
    crl_file: str


def default_paths() -> TLSPaths:
    """libvirtd's defaults: /etc/pki as root, ~/.pki/libvirt for a user."""
    if os.geteuid() == 0:
        return TLSPaths(
            "/etc/pki/libvirt/private/serverkey.pem",
            "/etc/pki/libvirt/servercert.pem",
            "/etc/pki/CA/cacert.pem",
            "/etc/pki/CA/cacrl.pem",
        )
    base = Path.home() / ".pki" / "libvirt"
    return TLSPaths(
        str(base / "serverkey.pem"), str(base / "servercert.pem"), str(base / "cacert.pem"), str(base / "cacrl.pem")
    )


def configured_paths(config: Config) -> TLSPaths:
    if config.ca_file or config.cert_file or config.key_file:
        # libvirtd wants key, cert and CA together (its messages); the CRL may be left out.
        if not config.ca_file:
            raise TLSSetupError("No CA certificate path set to match server key/cert")
        if not config.cert_file:
            raise TLSSetupError("No server certificate path set to match server key")
        if not config.key_file:
            raise TLSSetupError("No server key path set to match server cert")
    else:
        paths = default_paths()
        if config.crl_file:
            paths.crl_file = config.crl_file
        return paths
    return TLSPaths(config.key_file, config.cert_file, config.ca_file, config.crl_file)


def make_context(config: Config) -> ssl.SSLContext:
    """A server context from the settings; raises TLSSetupError naming the file at fault."""
    paths = configured_paths(config)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # No TLS 1.3 session tickets: libvirt's client waits for the socket to become readable
    # after the handshake and then expects the confirmation byte; a ticket record arriving
    # first makes its read find no data (EAGAIN) and it gives up.
    context.num_tickets = 0
    for label, path in (
        ("CA certificate", paths.ca_file),
        ("server certificate", paths.cert_file),
        ("server key", paths.key_file),
    ):
        if not os.access(path, os.R_OK):
            raise TLSSetupError(f"Cannot read {label} '{path}': No such file or permission denied")
    try:
        context.load_cert_chain(paths.cert_file, paths.key_file)
        context.load_verify_locations(paths.ca_file)
        if paths.crl_file and os.path.exists(paths.crl_file):
            context.load_verify_locations(paths.crl_file)
            context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    except (ssl.SSLError, OSError) as error:
        raise TLSSetupError(f"cannot load the TLS certificates: {error}") from None
    # tls_no_verify_certificate: libvirtd then skips the client certificate's checks.
    context.verify_mode = ssl.CERT_NONE if config.tls_no_verify_certificate else ssl.CERT_REQUIRED
    send_own_certificate_only(context)
    send_server_hello_first(context)
    return context


# A connection's TLS state before its handshake: the SSLObject and its two memory buffers.
TLSObjects = tuple[ssl.SSLObject, ssl.MemoryBIO, ssl.MemoryBIO]


def new_tls_objects(context: ssl.SSLContext) -> TLSObjects:
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    return context.wrap_bio(incoming, outgoing, server_side=True), incoming, outgoing


@dataclass
class TLSContexts:
    """The server's contexts: default, and x25519 for a client whose ClientHello carries an
    X25519 key share (None where its groups could not be set; default serves everyone then).

    Each keeps one connection's TLS objects made ahead (make_spares), taken by the next
    client that asks for that context (objects_for). Made once its ClientHello is in, they
    were on the way to our first flight: paired runs gave a TLS connect+close 1-3% more
    (SSL_new takes 2.4 us in a loop, longer on the caches a loop pass leaves cold)."""

    default: ssl.SSLContext
    x25519: ssl.SSLContext | None
    _spares: dict[ssl.SSLContext, TLSObjects] = field(default_factory=dict, repr=False, compare=False)

    def objects_for(self, context: ssl.SSLContext) -> TLSObjects:
        spare = self._spares.pop(context, None)
        return spare if spare is not None else new_tls_objects(context)

    def make_spares(self) -> None:
        """A spare for each context that has none; called while the daemon waits for a client."""
        for context in (self.default, self.x25519):
            if context is not None and context not in self._spares:
                self._spares[context] = new_tls_objects(context)

    def for_client_hello(self, first_bytes: bytes | memoryview) -> ssl.SSLContext:
        if self.x25519 is not None and client_hello_offers_x25519(first_bytes):
            return self.x25519
        return self.default


def make_contexts(config: Config) -> TLSContexts:
    """Both contexts from the settings (the files are read twice); raises TLSSetupError."""
    x25519 = make_context(config)
    return TLSContexts(make_context(config), x25519 if without_p256(x25519) else None)


SSL_CTRL_MODE = 33  # SSL_CTX_ctrl's command for SSL_CTX_set_mode (ssl.h)
SSL_MODE_NO_AUTO_CHAIN = 0x8
SSL_CTRL_SET_GROUPS_LIST = 92  # SSL_CTX_ctrl's command for SSL_CTX_set1_groups_list (ssl.h)
# ssl's verify modes as SSL_CTX_get_verify_mode reports them (SSL_VERIFY_PEER = 1,
# SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 2).
OPENSSL_VERIFY_MODES = {ssl.CERT_NONE: 0, ssl.CERT_OPTIONAL: 1, ssl.CERT_REQUIRED: 3}
RECORD_HANDSHAKE = 22
HANDSHAKE_CLIENT_HELLO = 1
HANDSHAKE_SERVER_HELLO = 2
RECORD_HEADER_SIZE = 5
# A HelloRetryRequest is a ServerHello with this random (RFC 8446 4.1.3: SHA-256 of
# "HelloRetryRequest"); after the message type, its length and the legacy version
HELLO_RETRY_REQUEST_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
SERVER_HELLO_RANDOM = slice(6, 38)
# The content type OpenSSL's message callback gives a record's header (SSL3_RT_HEADER)
MESSAGE_CALLBACK_RECORD_HEADER = 256
EXTENSION_KEY_SHARE = 51
GROUP_X25519 = 29  # TLS's number for the X25519 group; its key shares are 32 bytes
# OpenSSL 3.0's default groups without P-256, for a client that sent an X25519 key share
# (see without_p256).
GROUPS_WITHOUT_P256 = b"X25519:X448:P-521:P-384:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"
_U16_PAIR = struct.Struct(">HH")


class _OpenSSL:
    """The few libssl functions Python's ssl does not offer, from the libssl it uses."""

    def __init__(self, library: Any) -> None:
        import ctypes

        self.ctypes = ctypes
        self.ctx_ctrl = library.SSL_CTX_ctrl
        self.ctx_ctrl.restype = ctypes.c_long
        self.ctx_ctrl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
        self.get_verify_mode = library.SSL_CTX_get_verify_mode
        self.get_verify_mode.restype, self.get_verify_mode.argtypes = ctypes.c_int, [ctypes.c_void_p]
        self.get_options = library.SSL_CTX_get_options
        self.get_options.restype, self.get_options.argtypes = ctypes.c_uint64, [ctypes.c_void_p]
        self.get_ex_data = library.SSL_get_ex_data
        self.get_ex_data.restype, self.get_ex_data.argtypes = ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_int]
        self.set_msg_callback = library.SSL_set_msg_callback
        self.set_msg_callback.restype, self.set_msg_callback.argtypes = None, [ctypes.c_void_p, ctypes.c_void_p]
        self.pointer_size = ctypes.sizeof(ctypes.c_void_p)

    def context_pointer(self, context: ssl.SSLContext) -> int | None:
        """The context's SSL_CTX, read from CPython's SSLContext object (the object header,
        then the pointer) and used only once its verify mode and options read back as the
        context's own; None otherwise."""
        pointer = self.ctypes.c_void_p.from_address(id(context) + object.__basicsize__).value
        if not pointer or self.get_verify_mode(pointer) != OPENSSL_VERIFY_MODES[context.verify_mode]:
            return None
        if self.get_options(pointer) != int(context.options):
            return None
        return int(pointer)

    def connection_pointer(self, tls: ssl.SSLObject) -> int | None:
        """The SSL of an SSLObject, read from CPython's _ssl._SSLSocket behind it (the object
        header, the socket's weak reference, the SSL, then the context object), used only when
        the context found there is the object's own and the SSL's application data (where
        CPython keeps its _SSLSocket) points back to it; None otherwise."""
        inner = getattr(tls, "_sslobj", None)
        if inner is None:
            return None
        fields = id(inner) + object.__basicsize__
        pointer = self.ctypes.c_void_p.from_address(fields + self.pointer_size).value
        context = self.ctypes.c_void_p.from_address(fields + 2 * self.pointer_size).value
        if not pointer or context != id(tls.context) or self.get_ex_data(pointer, 0) != id(inner):
            return None
        return int(pointer)

    def stop_message_callback(self, tls: ssl.SSLObject) -> None:
        """No more message callbacks for this connection (its context keeps its callback)."""
        pointer = self.connection_pointer(tls)
        if pointer is not None:
            self.set_msg_callback(pointer, None)


@functools.cache
def _openssl() -> _OpenSSL | None:
    """libssl's extra functions, on CPython only (other pythons lay their objects out otherwise)."""
    import ctypes
    import sys

    if sys.implementation.name != "cpython":
        return None
    try:
        import _ssl

        # The module's own handle: its symbols resolve to the libssl it was linked with.
        return _OpenSSL(ctypes.CDLL(_ssl.__file__))
    except (ImportError, OSError, AttributeError):
        return None


def send_own_certificate_only(context: ssl.SSLContext) -> bool:
    """Have the handshake carry only the server's certificate, as libvirtd's does.

    With no chain configured, OpenSSL builds one from the store that verifies clients and
    sends the CA too: a chain verification on the server and a larger flight for the
    client to parse, every handshake (about 0.1 ms of the server's and 0.2 ms of the
    client's time). Python's ssl has no setting for SSL_MODE_NO_AUTO_CHAIN, so it is set on
    the context's SSL_CTX through ctypes; False when the context is left as it is.
    """
    openssl = _openssl()
    pointer = openssl.context_pointer(context) if openssl is not None else None
    if openssl is None or pointer is None:
        return False
    mode = openssl.ctx_ctrl(pointer, SSL_CTRL_MODE, SSL_MODE_NO_AUTO_CHAIN, None)
    return bool(mode & SSL_MODE_NO_AUTO_CHAIN)


class ServerHelloFirst(ssl.SSLObject):
    """A server's SSLObject that sends its ServerHello the moment OpenSSL has made it (see
    send_server_hello_first); TLSSocket sets raw, and leaves the rest of the flight without
    what was sent ahead (sent_ahead)."""

    raw: socket.socket | None = None
    record_header = b""
    sent_ahead = b""


def send_server_hello_first(context: ssl.SSLContext) -> bool:
    """Have a TLS 1.3 handshake send its ServerHello on its own, ahead of the rest of the
    flight, as libvirtd's GnuTLS does.

    OpenSSL keeps a flight's messages until the whole flight is made, and the server's
    signature in it takes a while; a TLS 1.3 client that has the ServerHello (and the key
    share in it) meanwhile works out its keys at the same time (about a tenth of a
    millisecond of each TLS connection, of ~3 ms; TLS 1.2's key share comes after the
    signature, so its ServerHello waits for the flight). Python's ssl has no setting for
    that, but its message callback sees each record OpenSSL writes: the callback sends the
    ServerHello's record itself (_on_handshake_message), and TLSSocket leaves it out of the
    flight. The callback is on the context, and called for every record of every connection
    made with it, so it is taken off each connection (ctypes, SSL_set_msg_callback) once its
    ServerHello is made. Sent at once, the record goes out alone as sockets are TCP_NODELAY
    (listeners.no_delay). False, and the flight sent whole, where either part is missing.
    """
    context.sslobject_class = ServerHelloFirst
    import _ssl

    setter = getattr(getattr(_ssl, "_SSLContext", None), "_msg_callback", None)
    openssl = _openssl()
    if setter is None or openssl is None:
        return False
    probe = context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_side=True)
    if openssl.connection_pointer(probe) is None:
        return False
    # The C attribute itself: ssl.SSLContext's property wraps the callback in one that makes
    # enums of every argument, on every record.
    setter.__set__(context, _on_handshake_message)
    return True


def _on_handshake_message(
    tls: ServerHelloFirst, direction: str, version: int, content_type: int, message_type: int, data: bytes
) -> None:
    """OpenSSL's message callback: a record's header comes just before the message it holds.
    (What it raises is lost: CPython keeps it only as the context of the handshake's next
    SSLWantReadError.)"""
    if direction != "write":
        return
    if content_type == MESSAGE_CALLBACK_RECORD_HEADER:
        tls.record_header = data
        return
    if content_type != RECORD_HANDSHAKE or message_type != HANDSHAKE_SERVER_HELLO:
        return
    header, raw = tls.record_header, tls.raw
    tls.record_header = b""
    # After a HelloRetryRequest the client sends another ClientHello: its ServerHello follows.
    if data[SERVER_HELLO_RANDOM] != HELLO_RETRY_REQUEST_RANDOM:
        tls.raw = None
        openssl = _openssl()
        if openssl is not None:
            openssl.stop_message_callback(tls)
    if (
        raw is None
        or version != ssl.TLSVersion.TLSv1_3
        or len(header) != RECORD_HEADER_SIZE
        or header[0] != RECORD_HANDSHAKE
    ):
        return
    if (header[3] << 8 | header[4]) != len(data):  # a record holding more than the ServerHello
        return
    record = header + data
    sent = 0
    try:
        sent = raw.send(record)
    except OSError:  # full, or broken: the flight goes as a whole, or fails when flushed
        pass
    finally:
        tls.sent_ahead = record[:sent]


def without_p256(context: ssl.SSLContext) -> bool:
    """Take P-256 out of a context's key exchange groups, for clients that sent an X25519 share.

    libvirt's GnuTLS clients send two TLS 1.3 key shares, P-256 first and X25519, and
    OpenSSL 3.0 takes the first one it supports in the client's order, with no server
    preference. X25519 costs each side less (about 0.1 ms of a connection, client and
    server together) and is as strong. The daemon reads the ClientHello before it picks a
    context (TLSContexts.for_client_hello): a client with an X25519 share gets this one and
    that share is taken with no extra round trip; any other client gets the default context,
    so a client offering P-256 alone still gets P-256. False when the groups were not set.
    """
    openssl = _openssl()
    pointer = openssl.context_pointer(context) if openssl is not None else None
    if openssl is None or pointer is None:
        return False
    return bool(openssl.ctx_ctrl(pointer, SSL_CTRL_SET_GROUPS_LIST, 0, GROUPS_WITHOUT_P256))


def client_hello_offers_x25519(data: bytes | memoryview) -> bool:
    """Whether data opens with one TLS record holding a whole ClientHello whose key_share
    extension has a well-formed X25519 share. Anything else (a ClientHello spread over
    records or reads, not TLS at all) is False, and OpenSSL's own choice then stands.

    Read by indexing (one int per byte) rather than int.from_bytes of slices: every
    connection reads its ClientHello, and slices cost an object each (half the time)."""
    if len(data) < 9 or data[0] != RECORD_HANDSHAKE or data[5] != HANDSHAKE_CLIENT_HELLO:
        return False
    record_end = 5 + (data[3] << 8 | data[4])
    end = 9 + (data[6] << 16 | data[7] << 8 | data[8])
    if end > record_end or record_end > len(data):
        return False
    position = 9 + 2 + 32  # legacy_version, random
    # session id, cipher suites, compression methods: a 1, 2 and 1-byte length, then data
    if position + 1 > end:
        return False
    position += 1 + data[position]
    if position + 2 > end:
        return False
    position += 2 + (data[position] << 8 | data[position + 1])
    if position + 1 > end:
        return False
    position += 1 + data[position]
    if position + 2 > end:
        return False
    end = min(end, position + 2 + (data[position] << 8 | data[position + 1]))
    position += 2
    unpack = _U16_PAIR.unpack_from
    kind: int
    size: int
    while position + 4 <= end:  # extensions: type, length, data
        kind, size = unpack(data, position)
        position += 4
        if kind == EXTENSION_KEY_SHARE:
            return position + size <= end and offers_x25519(data, position, position + size)
        position += size
    return False


def offers_x25519(key_share: bytes | memoryview, start: int = 0, stop: int | None = None) -> bool:
    """Whether a ClientHello's key_share extension (a 2-byte length, then entries of a 2-byte
    group, a 2-byte length and the key), key_share[start:stop], holds a well-formed X25519 share."""
    end = len(key_share) if stop is None else min(stop, len(key_share))
    if start + 2 > end:
        return False
    end = min(end, start + 2 + (key_share[start] << 8 | key_share[start + 1]))
    position = start + 2
    unpack = _U16_PAIR.unpack_from
    group: int
    size: int
    while position + 4 <= end:
        group, size = unpack(key_share, position)
        if group == GROUP_X25519:
            return size == 32 and position + 4 + size <= end
        position += 4 + size
    return False


def distinguished_name(der: bytes) -> str:
    """The DN string libvirt matches tls_allowed_dn_list against: RDNs in the
    certificate's order, comma-separated, as gnutls_x509_crt_get_dn writes it."""
    from cryptography import x509

    certificate = x509.load_der_x509_certificate(der)
    return ",".join("+".join(attribute.rfc4514_string() for attribute in rdn) for rdn in certificate.subject.rdns)


def glob_matches(pattern: str, text: str) -> bool:
    """GLib's g_pattern_match_simple: '*' any run, '?' one character, nothing else special."""
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


DN_REFUSED = (
    "Client's Distinguished Name is not on the list of allowed clients (tls_allowed_dn_list).  "
    "Use 'virt-pki-query-dn clientcert.pem' to view the Distinguished Name field in the client "
    "certificate, or run this daemon with --verbose option."
)


class TLSServer:
    """The daemon's TLS settings; virt-admin server-update-tls (tls_admin.py) swaps the
    contexts for new clients while connected ones keep theirs."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.contexts = make_contexts(config)
        # Handshakes in progress: at most max_anonymous_clients, as libvirtd stops accepting
        # when that many clients have not finished authenticating; the rest wait in the backlog.
        self.handshaking = 0
        self._room: trio.Event | None = None
        # When each handshake in progress must be over: one task (watch_handshakes) drops the
        # late ones, where a cancel scope per handshake cost ~30 us of every connection.
        self._deadlines: dict[TLSSocket, float] = {}
        self._watching = False

    async def reserve_handshake(self) -> None:
        while self.handshaking >= max(1, self.config.max_anonymous_clients):
            self._room = trio.Event()
            await self._room.wait()
        self.handshaking += 1

    def _handshake_over(self) -> None:
        self.handshaking -= 1
        if self._room is not None:
            self._room.set()

    async def watch_handshakes(self) -> None:
        """Drop every client still in its handshake tls_handshake_timeout seconds after it
        connected (within a quarter of that, at most a second, later); one task for them all."""
        if self._watching:  # one per daemon, however many TLS sockets it listens on
            return
        self._watching = True
        try:
            while True:
                await trio.sleep(min(1.0, max(self.config.tls_handshake_timeout, 0.1) / 4))
                now = trio.current_time()
                for connection, deadline in list(self._deadlines.items()):
                    if deadline <= now:
                        connection.interrupt()  # again each time until its task lets go
        finally:
            self._watching = False

    def check_peer(self, stream: TLSSocket) -> bytes | None:
        """The client's certificate (empty when unchecked) if it passes libvirtd's checks;
        logs the refusal and returns None."""
        if self.config.tls_no_verify_certificate:
            return b""
        der: bytes | None = stream.getpeercert(binary_form=True)
        if der is None:
            log.error("The client did not send a certificate")
            return None
        allowed = self.config.tls_allowed_dn_list
        if allowed:
            dname = distinguished_name(der)
            if not any(glob_matches(pattern, dname) for pattern in allowed):
                log.debug("Failed ACL check for client DN '%s'", dname)
                log.error("%s", DN_REFUSED)
                return None
        return der

    async def serve_client(self, daemon: Daemon, client: socket.socket) -> None:
        """Handshake within the bound, check, confirm, then serve the client's session."""
        connection = TLSSocket(client, self.contexts)
        failure: Exception | None = None
        stalled = False
        self._deadlines[connection] = trio.current_time() + self.config.tls_handshake_timeout
        try:
            await connection.handshake()
        except (ssl.SSLError, OSError, EOFError) as error:
            failure = error
        except trio.ClosedResourceError:  # interrupted by watch_handshakes
            stalled = True
        finally:
            del self._deadlines[connection]
            self._handshake_over()
        if failure is not None:
            log.warning("TLS handshake failed: %s", failure)
            if isinstance(failure, ssl.SSLError):  # refused by us: tell the client why
                await connection.refuse(REFUSAL_LINGER)
            client.close()
            return
        if stalled:
            log.warning("TLS client stalled in its handshake for %d s; dropped", self.config.tls_handshake_timeout)
            client.close()
            return
        certificate = self.check_peer(connection)
        if certificate is None:
            client.close()  # the client reads no confirmation byte
            return
        try:  # first: the client goes on with its first call while the session is made
            connection.send(CONFIRMATION)
            if connection.flushing_needed():  # a fresh socket takes 23 bytes at once, but still
                with trio.move_on_after(self.config.tls_handshake_timeout):
                    await connection.flush()
                if connection.flushing_needed():
                    raise OSError("the client reads nothing")
        except OSError:
            client.close()
            return
        session_class, kind, programs = _session_parts()
        session = session_class(daemon, connection, kind, programs)  # type: ignore[arg-type]
        connection.spawn = session.start_task
        session.identity = (None, None, None)
        client_certificates[session.id] = certificate
        daemon.sessions.add(session)
        try:
            await daemon._run_session(session)  # closes the socket at its end
        finally:
            client_certificates.pop(session.id, None)
            # The socket's way back to the session: a cycle left to the cyclic collector, with
            # the whole connection's TLS state in it, otherwise.
            connection.spawn = None
        # A client that has just closed often connects again at once (scripts, benchmarks):
        # with the CPU handed to it, its next ClientHello is in when we look for connections.
        yield_cpu()


@functools.cache
def _session_parts() -> tuple[type[ClientSession], SocketKind, dict[tuple[int, int], Program]]:
    """What a TLS client's session is made of, imported on first use (they import this module's
    neighbours) and kept: an import statement per connection cost a few microseconds."""
    from .dispatch import HYPERVISOR_PROGRAMS
    from .listeners import SocketKind
    from .session import ClientSession

    return ClientSession, SocketKind.TLS, HYPERVISOR_PROGRAMS


def _set_low_water(raw: socket.socket, size: int) -> bool:
    """SO_RCVLOWAT: readable (for trio's epoll too) from size bytes on; False where refused."""
    try:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, size)
    except OSError:
        return False
    return True


class TLSSocket:
    """The part of a socket ClientSession and socket_io use (fileno, recvmsg, send, close),
    over TLS: an ssl.SSLObject between memory buffers and the non-blocking TCP socket, so
    the session's reads and writes stay plain non-blocking calls with no extra task or hop.

    recvmsg returns less than asked only when the socket had nothing more to read and no
    whole record is left undecrypted (the session then waits for the socket to be readable).
    send takes all it is given; encrypted bytes the socket cannot take yet are sent first
    by the next send (BlockingIOError while they wait) or by a flushing task.
    """

    __slots__ = ("_contexts", "_flushing", "_in", "_out", "_pending", "_raw", "_tls", "spawn")
    # What peer_identity reads: never a unix socket's peer credentials for a TLS client (its
    # identity is set apart); a constant, as raw.family makes an enum member per connection.
    family = socket.AF_INET
    # Taken once the ClientHello is in (handshake), for the context it asks for
    _tls: ssl.SSLObject
    _in: ssl.MemoryBIO
    _out: ssl.MemoryBIO

    def __init__(self, raw: socket.socket, contexts: TLSContexts) -> None:
        self._raw = raw
        self._contexts = contexts
        self._pending = bytearray()
        self._flushing = False
        self.spawn: Any = None

    def fileno(self) -> int:
        return self._raw.fileno()

    def getpeername(self) -> Any:
        return self._raw.getpeername()

    def close(self) -> None:
        self._raw.close()

    def interrupt(self) -> None:
        """Make the handshake's wait for the socket end in trio.ClosedResourceError."""
        trio.lowlevel.notify_closing(self._raw)

    def getpeercert(self, binary_form: bool = False) -> Any:
        return self._tls.getpeercert(binary_form)

    async def handshake(self) -> None:
        # The client speaks first: a handshake step before its bytes are in would only
        # fail (an exception) and send nothing.
        raw = self._raw
        waiting_for_flight = False
        while True:
            while True:  # the client's flight is often there already: no wait for it then
                try:
                    size = raw.recv_into(_scratch)
                    break
                except BlockingIOError:
                    await trio.lowlevel.wait_readable(raw)
            if waiting_for_flight:
                waiting_for_flight = False
                _set_low_water(raw, 1)
            if not size:
                raise EOFError("the client closed the connection during the handshake") from None
            data = _scratch[:size]
            if not hasattr(self, "_tls"):
                context = self._contexts.for_client_hello(data)
                self._tls, self._in, self._out = self._contexts.objects_for(context)
                if isinstance(self._tls, ServerHelloFirst):
                    self._tls.raw = raw
            self._in.write(data)
            try:
                self._tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                if not self._out.pending:
                    continue  # part of the client's flight: the rest follows without our word
            await self.flush()
            # Our flight is out, and the client answers only once it has worked through it:
            # no read before waiting. A TLS 1.3 client first sends a lone 6-byte
            # change_cipher_spec record, then its flight; waking for that record alone would
            # cost a pass through the loop and a failed handshake step, so the socket counts
            # as readable from 7 bytes on, for this one wait (nothing a client sends next is
            # shorter; a client that sends that record alone stalls, and its bound ends it).
            waiting_for_flight = _set_low_water(raw, LOW_WATER_AFTER_FLIGHT)
            self._contexts.make_spares()  # the client is working through our flight meanwhile
            # The client often works through our flight on this CPU, and only once we sleep:
            # handed the CPU first (tls_handover), its answer is often in without a wait.
            if not hand_over(raw.fileno())[0]:
                await trio.lowlevel.wait_readable(raw)
        # Let go of the contexts: after a virt-admin server-update-tls, the old ones (and their
        # spares) live on only while handshakes begun with them last.
        del self._contexts
        await self.flush()

    async def refuse(self, seconds: float) -> None:
        """After a handshake we refused: send TLS's alert, stop writing, and read what the
        client still sends until it closes (at most REFUSAL_DISCARD bytes, within seconds).
        Closing with bytes unread resets the connection: a client still writing its flight
        (libvirt's writes its certificate and the rest separately) would then fail on a
        broken pipe instead of reading the refusal."""
        with trio.move_on_after(seconds):
            try:
                if hasattr(self, "_out"):  # (its TLS objects were made)
                    self._pending += self._made_records()
                self._flush_now()
                self._raw.shutdown(socket.SHUT_WR)
                discarded = 0
                while discarded < REFUSAL_DISCARD:
                    try:
                        size = self._raw.recv_into(_scratch)
                    except BlockingIOError:
                        await trio.lowlevel.wait_readable(self._raw)
                        continue
                    if not size:
                        break
                    discarded += size
            except OSError:
                pass

    def pending_input(self) -> bool:
        """Whether records read from the socket are still waiting to be decrypted or read."""
        return bool(self._in.pending or self._tls.pending())

    def flushing_needed(self) -> bool:
        return bool(self._pending)

    async def flush(self) -> None:
        """Until every record made so far is sent."""
        self._pending += self._made_records()
        while not self._flush_now():
            await trio.lowlevel.wait_writable(self._raw)

    def _made_records(self) -> bytes:
        """The records OpenSSL has made since the last call, less a ServerHello sent ahead."""
        records = self._out.read()
        tls = getattr(self, "_tls", None)
        if not isinstance(tls, ServerHelloFirst) or not tls.sent_ahead or not records:
            return records
        ahead, tls.sent_ahead = tls.sent_ahead, b""
        if not records.startswith(ahead):  # never seen: the stream would be broken
            raise OSError("the ServerHello sent ahead does not open the flight")
        return records[len(ahead) :]

    def _flush_now(self) -> bool:
        """Send what is pending; True once nothing is."""
        while self._pending:
            try:
                sent = self._raw.send(self._pending)
            except BlockingIOError:
                return False
            del self._pending[:sent]
        return True

    def recvmsg(self, size: int, _ancillary: int = 0) -> tuple[bytes, list[Any], int, None]:
        chunks: list[bytes] = []
        total = 0
        ended = False
        tls, incoming = self._tls, self._in
        # A failing read costs an exception (about as much as the rest of a small call), so
        # the socket is read only when no record is buffered, and not again once a read
        # came back short: it was drained then, and the session waits for it to be readable.
        need_socket = not incoming.pending and not tls.pending()
        drained = False
        while total < size:
            if need_socket:
                if drained:
                    break
                try:
                    received = self._raw.recv_into(_scratch)
                except BlockingIOError:
                    break
                except (ConnectionResetError, TimeoutError):
                    received = 0
                if not received:
                    ended = True
                    break
                drained = received < READ_CHUNK
                incoming.write(_scratch[:received])
            try:
                piece = tls.read(min(size - total, MAX_RECORD))
            except ssl.SSLWantReadError:  # a record not complete yet
                need_socket = True
                continue
            except ssl.SSLError:  # close_notify or a broken record: the connection is over
                ended = True
                break
            if not piece:
                ended = True
                break
            chunks.append(piece)
            total += len(piece)
            need_socket = not incoming.pending and not tls.pending()
        if self._out.pending:  # TLS's own answers (key updates)
            self._pending += self._out.read()
        if self._pending:
            self._flush_now()
        if chunks:
            return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), [], 0, None
        if ended:
            return b"", [], 0, None
        raise BlockingIOError

    def send(self, data: bytes | memoryview) -> int:
        if self._pending and not self._flush_now():
            raise BlockingIOError  # earlier records first: the caller queues data
        self._tls.write(data)
        records = self._out.read()
        try:
            sent = self._raw.send(records)
        except BlockingIOError:
            sent = 0
        if sent < len(records):
            self._pending += memoryview(records)[sent:]
            if not self._flush_now() and not self._flushing and self.spawn is not None:
                self._flushing = True
                self.spawn(self._flush_later)
        return len(data)

    async def _flush_later(self) -> None:
        try:
            while not self._flush_now():
                await trio.lowlevel.wait_writable(self._raw)
        except OSError:
            pass
        finally:
            self._flushing = False
