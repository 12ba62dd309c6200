"""The daemon's sockets: libvirt's unix sockets, made here or passed in by systemd."""

from __future__ import annotations

import contextlib
import enum
import errno
import os
import socket
import stat
from pathlib import Path

from virtrio.rpc.records import Record

from .config import Config, socket_group_id


class SocketKind(enum.StrEnum):
    """Which socket a client came in on: it decides the programs, auth_* setting, keepalive
    settings and virt-admin server a client has (a str, so logs and messages print the value)."""

    RW = "rw"
    RO = "ro"
    ADMIN = "admin"
    TCP = "tcp"
    TLS = "tls"


SOCKET_NAMES = {SocketKind.RW: "libvirt-sock", SocketKind.RO: "libvirt-sock-ro", SocketKind.ADMIN: "libvirt-admin-sock"}
# LISTEN_FDNAMES values systemd units use, ours and libvirtd's, mapped to socket kinds.
ACTIVATION_NAMES = {
    "virtrio.socket": SocketKind.RW,
    "virtrio-ro.socket": SocketKind.RO,
    "virtrio-admin.socket": SocketKind.ADMIN,
    "virtrio-tcp.socket": SocketKind.TCP,
    "virtrio-tls.socket": SocketKind.TLS,
    "libvirtd.socket": SocketKind.RW,
    "libvirtd-ro.socket": SocketKind.RO,
    "libvirtd-admin.socket": SocketKind.ADMIN,
    "libvirtd-tcp.socket": SocketKind.TCP,
    "libvirtd-tls.socket": SocketKind.TLS,
}
FIRST_ACTIVATION_FD = 3


class ListenerError(Exception):
    pass


class Listener(Record):
    _fields = ("kind", "socket", "path")

    def __init__(self, kind: SocketKind, socket: socket.socket, path: Path | None) -> None:
        self.kind = kind
        self.socket = socket  # non-blocking; the daemon waits on it with trio.lowlevel
        self.path = path  # a socket file we made and must remove, or None


def default_socket_dir() -> Path:
    """Where libvirtd puts its sockets: /run/libvirt as root, else $XDG_RUNTIME_DIR/libvirt."""
    if os.geteuid() == 0:
        return Path("/run/libvirt")
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return Path(runtime) / "libvirt"
    return Path.home() / ".cache" / "libvirt"


def _remove_stale(path: Path) -> None:
    """Refuse if a live daemon answers on path; remove the file if nothing does."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise ListenerError(f"{path} exists and is not a socket")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
    except OSError as error:
        if error.errno in (errno.ECONNREFUSED, errno.ENOENT):
            path.unlink(missing_ok=True)
            return
        raise ListenerError(f"cannot check {path}: {error.strerror}") from None
    else:
        raise ListenerError(f"another daemon is already listening on {path}")
    finally:
        probe.close()


def make_unix_listeners(directory: Path, config: Config) -> list[Listener]:
    directory.mkdir(parents=True, exist_ok=True)
    permissions = {
        SocketKind.RW: config.unix_sock_rw_perms,
        SocketKind.RO: config.unix_sock_ro_perms,
        SocketKind.ADMIN: config.unix_sock_admin_perms,
    }
    for name in SOCKET_NAMES.values():
        _remove_stale(directory / name)
    group = socket_group_id(config.unix_sock_group)
    listeners = []
    failing = f"cannot listen on {directory}"
    try:
        for kind, name in SOCKET_NAMES.items():
            path = directory / name
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.bind(str(path))
            # Listed at once: a failure below removes this socket file too.
            listeners.append(Listener(kind, sock, path))
            os.chmod(path, permissions[kind])
            if group is not None:  # unix_sock_group: every socket, as libvirtd
                failing = f"cannot give {path} to group {config.unix_sock_group}"
                os.chown(path, -1, group)
                failing = f"cannot listen on {directory}"
            sock.listen(1000)
            sock.setblocking(False)
    except OSError as error:
        for listener in listeners:
            listener.socket.close()
            remove_socket_file(listener)
        raise ListenerError(f"{failing}: {error.strerror}") from None
    return listeners


def activation_listeners(environ: dict[str, str]) -> list[Listener] | None:
    """The sockets systemd passed (LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES), or None."""
    if "LISTEN_FDS" not in environ:
        return None
    if environ.get("LISTEN_PID") not in (None, str(os.getpid())):
        return None
    try:
        count = int(environ["LISTEN_FDS"])
    except ValueError:
        raise ListenerError(f"LISTEN_FDS={environ['LISTEN_FDS']!r} is not a number") from None
    names = environ.get("LISTEN_FDNAMES", "").split(":") if environ.get("LISTEN_FDNAMES") else []
    listeners = []
    for index in range(count):
        fd = FIRST_ACTIVATION_FD + index
        name = names[index] if index < len(names) else ""
        kind = ACTIVATION_NAMES.get(name)
        if kind is None:
            if count == 1:
                kind = SocketKind.RW  # one unnamed socket is the read-write one
            else:
                raise ListenerError(f"socket activation: fd {fd} has an unknown name {name!r}")
        sock = socket.socket(fileno=fd)
        os.set_inheritable(fd, False)
        sock.setblocking(False)
        if kind in (SocketKind.TCP, SocketKind.TLS):
            no_delay(sock)
        listeners.append(Listener(kind, sock, None))
    for variable in ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"):
        os.environ.pop(variable, None)
    return listeners


def make_network_listeners(config: Config) -> list[Listener]:
    """libvirtd --listen: TLS on tls_port when listen_tls, TCP on tcp_port when listen_tcp,
    on listen_addr (a host name or address; empty: every address, IPv4 and IPv6)."""
    wanted = [(SocketKind.TLS, config.tls_port)] if config.listen_tls else []
    if config.listen_tcp:
        wanted.append((SocketKind.TCP, config.tcp_port))
    listeners: list[Listener] = []
    try:
        for kind, port in wanted:
            host = config.listen_addr or None
            try:
                addresses = socket.getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
            except socket.gaierror as error:
                raise ListenerError(f"cannot resolve listen_addr {config.listen_addr!r}: {error.strerror}") from None
            for family, socktype, proto, _name, address in addresses:
                sock = socket.socket(family, socktype, proto)
                listeners.append(Listener(kind, sock, None))
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)  # the IPv4 one is separate
                try:
                    sock.bind(address)
                except OSError as error:
                    raise ListenerError(f"cannot listen on {address[0]} port {port}: {error.strerror}") from None
                sock.listen(1000)
                sock.setblocking(False)
                no_delay(sock)
    except ListenerError:
        for listener in listeners:
            listener.socket.close()
        raise
    return listeners


def no_delay(sock: socket.socket) -> None:
    """TCP_NODELAY, as libvirtd sets on its TCP sockets: a message written right after
    another (an event after a reply) goes out at once instead of waiting for the client's
    acknowledgement of the first. Set on the listening socket, accepted ones inherit it."""
    with contextlib.suppress(OSError):  # a socket passed in that is not TCP after all
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def remove_socket_file(listener: Listener) -> None:
    if listener.path is not None:
        with contextlib.suppress(FileNotFoundError):
            listener.path.unlink()
