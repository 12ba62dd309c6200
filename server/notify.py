"""sd_notify without libsystemd: a datagram to $NOTIFY_SOCKET ("READY=1", "STOPPING=1", ...)."""

from __future__ import annotations

import os
import socket


def notify(state: str) -> bool:
    """Tell the service manager about a state change; False when there is none to tell."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket: a leading NUL instead of "@"
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(address)
            sock.sendall(state.encode())
        except OSError:
            return False  # the manager went away: nothing to do about it
    return True
