"""Authentication per socket as libvirtd decides it: the auth_* settings per socket kind."""

from __future__ import annotations

from .config import Config


def auth_method(config: Config, kind: str) -> str:
    """ "none" or "sasl" for a socket kind. The unix sockets and the admin socket take
    "none" (auth_unix_rw/auth_unix_ro); TCP defaults to "sasl" and TLS to "none", as
    libvirtd's remote_daemon_config.c sets them."""
    if kind == "tcp":
        return config.auth_tcp
    if kind == "tls":
        return config.auth_tls
    return "none"
