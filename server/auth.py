"""Authentication per socket as libvirtd decides it: the auth_* settings per socket kind."""

from __future__ import annotations

from .config import Config


def auth_method(config: Config, kind: str) -> str:
    """ "none" or "sasl" for a socket kind: auth_unix_rw, auth_unix_ro, auth_tcp, auth_tls
    with libvirtd's defaults (remote_daemon_config.c: TCP "sasl", the others "none" when
    built without polkit); the admin socket is always "none"."""
    if kind == "tcp":
        return config.auth_tcp
    if kind == "tls":
        return config.auth_tls
    if kind == "rw":
        return config.auth_unix_rw
    if kind == "ro":
        return config.auth_unix_ro
    return "none"
