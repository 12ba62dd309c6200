"""What the command line does for TCP and TLS listeners before serving."""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING

from .auth import AuthMethod, auth_method
from .config import Config
from .listeners import Listener, ListenerError, SocketKind, remove_socket_file

if TYPE_CHECKING:
    from .daemon import Daemon

log = logging.getLogger("virtrio.server.network")


def network_setup(daemon: Daemon, config: Config, listeners: list[Listener]) -> None:
    """Loads the TLS certificates when a TLS socket is served; warns loudly about a TCP
    socket that lets anyone on the network in without authentication."""
    if any(listener.kind == SocketKind.TLS for listener in listeners):
        from .tls import TLSServer, TLSSetupError

        try:
            daemon.tls = TLSServer(config)
        except TLSSetupError as error:
            for listener in listeners:
                listener.socket.close()
                remove_socket_file(listener)
            raise ListenerError(str(error)) from None
    for listener in listeners:
        if listener.kind != SocketKind.TCP or auth_method(config, listener.kind) is not AuthMethod.NONE:
            continue
        host = listener.socket.getsockname()[0]
        if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
            log.warning(
                '!!! auth_tcp = "none": anyone who reaches %s port %s controls this daemon '
                "without authentication (no encryption either) !!!",
                host,
                listener.socket.getsockname()[1],
            )
