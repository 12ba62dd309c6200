"""The command line's checks on TCP/TLS listeners: the loud warning for an unauthenticated
TCP socket off loopback, libvirtd's messages for incomplete TLS key settings."""

from __future__ import annotations

import logging
import socket

import pytest

from virtrio.server.config import Config
from virtrio.server.listeners import Listener, SocketKind
from virtrio.server.network_setup import network_setup
from virtrio.server.tls import TLSSetupError, configured_paths, glob_matches


class FakeDaemon:
    tls = None


def bound(address: str) -> socket.socket:
    sock = socket.socket()
    sock.bind((address, 0))  # bound only: nothing listens, nothing is reachable
    return sock


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_unauthenticated_tcp_off_loopback_is_loud() -> None:
    # Our own handler: other tests may have set up the daemon's logging, which pytest's
    # caplog would then not see.
    recorder = Recorder()
    logger = logging.getLogger("virtrio.server.network")
    logger.addHandler(recorder)
    config = Config(auth_tcp="none")
    everywhere, loopback = bound("0.0.0.0"), bound("127.0.0.1")
    try:
        network_setup(FakeDaemon(), config, [Listener(SocketKind.TCP, loopback, None)])  # type: ignore[arg-type]
        assert not recorder.lines
        network_setup(FakeDaemon(), config, [Listener(SocketKind.TCP, everywhere, None)])  # type: ignore[arg-type]
        assert any("without authentication" in line for line in recorder.lines)
        recorder.lines.clear()
        network_setup(FakeDaemon(), Config(), [Listener(SocketKind.TCP, everywhere, None)])  # type: ignore[arg-type]
        assert not recorder.lines  # SASL (the default) asked of everyone
    finally:
        logger.removeHandler(recorder)
        everywhere.close()
        loopback.close()


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"cert_file": "c", "key_file": "k"}, "No CA certificate path set to match server key/cert"),
        ({"ca_file": "a", "key_file": "k"}, "No server certificate path set to match server key"),
        ({"ca_file": "a", "cert_file": "c"}, "No server key path set to match server cert"),
    ],
)
def test_incomplete_tls_keys(keys: dict[str, str], message: str) -> None:
    with pytest.raises(TLSSetupError, match=message):
        configured_paths(Config(**keys))


def test_dn_globs_as_glib() -> None:
    assert glob_matches("O=Example,CN=*", "O=Example,CN=client")
    assert glob_matches("C=??,O=*", "C=GB,O=x")
    assert not glob_matches("C=??,O=*", "C=GBR,O=x")
    assert not glob_matches("O=Example,CN=[ab]*", "O=Example,CN=alice")  # brackets are literal in GLib
    assert glob_matches("O=Example,CN=[ab]*", "O=Example,CN=[ab]x")
