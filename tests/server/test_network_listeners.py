"""The TCP and TLS listening sockets: Nagle off as libvirtd has it (virNetSocketNew sets
TCP_NODELAY on every TCP socket), inherited by the clients' sockets."""

from __future__ import annotations

import socket

from virtrio.server.config import Config
from virtrio.server.listeners import SocketKind, make_network_listeners


def test_tcp_and_tls_sockets_send_without_delay() -> None:
    config = Config(listen_tls=True, listen_tcp=True, listen_addr="127.0.0.1", tls_port="0", tcp_port="0")
    listeners = make_network_listeners(config)
    try:
        assert sorted(listener.kind for listener in listeners) == [SocketKind.TCP, SocketKind.TLS]
        for listener in listeners:
            assert listener.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
            with socket.create_connection(listener.socket.getsockname()[:2], timeout=10):
                listener.socket.setblocking(True)
                accepted, _ = listener.socket.accept()
                with accepted:
                    assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for listener in listeners:
            listener.socket.close()
