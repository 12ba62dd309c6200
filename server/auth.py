"""Authentication per socket as libvirtd decides it: the auth_* settings per socket kind."""

from __future__ import annotations

import enum

from .config import Config
from .listeners import SocketKind


class AuthMethod(enum.StrEnum):
    """The auth_* settings' values (config.py refuses any other)."""

    NONE = "none"
    SASL = "sasl"


def auth_method(config: Config, kind: SocketKind) -> AuthMethod:
    """The method for a socket kind: auth_unix_rw, auth_unix_ro, auth_tcp, auth_tls with
    libvirtd's defaults (remote_daemon_config.c: TCP "sasl", the others "none" when built
    without polkit); the admin socket is always "none"."""
    if kind == SocketKind.TCP:
        return _BY_VALUE[config.auth_tcp]
    if kind == SocketKind.TLS:
        return _BY_VALUE[config.auth_tls]
    if kind == SocketKind.RW:
        return _BY_VALUE[config.auth_unix_rw]
    if kind == SocketKind.RO:
        return _BY_VALUE[config.auth_unix_ro]
    return AuthMethod.NONE


# A dict, not AuthMethod(value): an enum's call costs more than the lookup it makes, twice per connection.
_BY_VALUE = {method.value: method for method in AuthMethod}
