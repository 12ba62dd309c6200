"""TLS clients: libvirtd's x509 checks through the standard library's ssl and trio.SSLStream.

A TLS client's handshake runs in its own task, bounded in time, so a client that stalls
in it never delays others. Once the handshake and the checks pass, the daemon sends the
one confirmation byte libvirtd sends (1, inside the encrypted stream), then the client's
plain bytes are relayed through a socket pair to an ordinary ClientSession: the session's
fast non-blocking socket paths stay the same for every transport.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import trio

from .config import Config

if TYPE_CHECKING:
    from .daemon import Daemon

log = logging.getLogger("virtrio.server.tls")
RELAY_CHUNK = 256 * 1024
CONFIRMATION = b"\x01"  # libvirtd's "checks passed" byte, after the handshake

# x509 DNs of connected TLS clients by session id (ClientSession has fixed slots).
client_dnames: dict[int, str] = {}


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
        return TLSPaths("/etc/pki/libvirt/private/serverkey.pem", "/etc/pki/libvirt/servercert.pem",
                        "/etc/pki/CA/cacert.pem", "/etc/pki/CA/cacrl.pem")  # fmt: skip
    base = Path.home() / ".pki" / "libvirt"
    return TLSPaths(str(base / "serverkey.pem"), str(base / "servercert.pem"), str(base / "cacert.pem"),
                    str(base / "cacrl.pem"))  # fmt: skip


def configured_paths(config: Config) -> TLSPaths:
    given = [config.key_file, config.cert_file, config.ca_file, config.crl_file]
    if any(given) and not all(given[:3]):
        # libvirtd wants key, cert and CA together; the CRL may be left out.
        raise TLSSetupError("key_file, cert_file and ca_file must all be set, or none of them")
    if not any(given):
        return default_paths()
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
    for label, path in (("CA certificate", paths.ca_file), ("server certificate", paths.cert_file),
                        ("server key", paths.key_file)):  # fmt: skip
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
    return context


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


DN_REFUSED = ("Client's Distinguished Name is not on the list of allowed clients (tls_allowed_dn_list).  "
              "Use 'virt-pki-query-dn clientcert.pem' to view the Distinguished Name field in the client "
              "certificate, or run this daemon with --verbose option.")  # fmt: skip


class TLSServer:
    """The daemon's TLS settings; virt-admin server-update-tls (tls_admin.py) swaps the
    context for new clients while connected ones keep theirs."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.context = make_context(config)

    def check_peer(self, stream: trio.SSLStream) -> str | None:
        """The client's DN when it passes libvirtd's checks; logs the refusal and returns None."""
        if self.config.tls_no_verify_certificate:
            return ""
        der = stream.getpeercert(binary_form=True)
        if der is None:
            log.error("The client did not send a certificate")
            return None
        dname = distinguished_name(der)
        allowed = self.config.tls_allowed_dn_list
        if allowed and not any(glob_matches(pattern, dname) for pattern in allowed):
            log.debug("Failed ACL check for client DN '%s'", dname)
            log.error("%s", DN_REFUSED)
            return None
        return dname

    async def serve_client(self, daemon: Daemon, client: socket.socket) -> None:
        """Handshake, check, confirm, then relay to a session until either side ends."""
        from .dispatch import HYPERVISOR_PROGRAMS
        from .session import ClientSession

        raw = trio.SocketStream(trio.socket.from_stdlib_socket(client))
        stream = trio.SSLStream(raw, self.context, server_side=True, https_compatible=True)
        try:
            with trio.move_on_after(self.config.tls_handshake_timeout) as bound:
                await stream.do_handshake()
            if bound.cancelled_caught:
                log.warning("TLS client stalled in its handshake for %d s; dropped", self.config.tls_handshake_timeout)
                await trio.aclose_forcefully(raw)
                return
            dname = self.check_peer(stream)
            if dname is None:
                await trio.aclose_forcefully(stream)  # the client reads no confirmation byte
                return
            await stream.send_all(CONFIRMATION)
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError) as error:
            log.warning("TLS handshake failed: %s", error.__cause__ or error)
            await trio.aclose_forcefully(raw)
            return
        inner, outer = socket.socketpair()
        inner.setblocking(False)
        session = ClientSession(daemon, inner, "tls", HYPERVISOR_PROGRAMS)
        session.identity = (None, None, None)
        client_dnames[session.id] = dname
        relay_end = trio.SocketStream(trio.socket.from_stdlib_socket(outer))
        daemon.sessions.add(session)
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(_pump, stream, relay_end, nursery.cancel_scope)
                nursery.start_soon(_pump, relay_end, stream, nursery.cancel_scope)
                await daemon._run_session(session)  # closes inner: the relay sees its end
        finally:
            client_dnames.pop(session.id, None)
            await trio.aclose_forcefully(stream)
            await trio.aclose_forcefully(relay_end)


async def _pump(source: trio.abc.Stream, sink: trio.abc.Stream, scope: trio.CancelScope) -> None:
    try:
        while True:
            data = await source.receive_some(RELAY_CHUNK)
            if not data:
                break
            await sink.send_all(data)
    except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
        pass
    finally:
        scope.cancel()  # either side gone: the connection is over
