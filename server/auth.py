"""Authentication per socket as libvirtd decides it: the auth_* settings per socket kind."""

from __future__ import annotations

from .config import Config
from .listeners import SocketKind


def auth_method(config: Config, kind: SocketKind) -> str:
    """ "none" or "sasl" for a socket kind: auth_unix_rw, auth_unix_ro, auth_tcp, auth_tls
    with libvirtd's defaults (remote_daemon_config.c: TCP "sasl", the others "none" when
    built without polkit); the admin socket is always "none"."""
    if kind == SocketKind.TCP:
        return config.auth_tcp
    if kind == SocketKind.TLS:
        return config.auth_tls
    if kind == SocketKind.RW:
        return config.auth_unix_rw
    if kind == SocketKind.RO:
        return config.auth_unix_ro
    return "none"
