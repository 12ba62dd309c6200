"""The ``virtrio`` command: ``virtrio daemon`` takes libvirtd's flags with libvirtd's meanings."""

from __future__ import annotations

import gc

if __name__ == "__main__":  # python -m: the imports below are start-up too (see main)
    gc.disable()

import contextlib
import fcntl
import logging
import os
import signal
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .config import Config, ConfigError, load_config
from .listeners import (
    SOCKET_NAMES,
    ListenerError,
    SocketKind,
    activation_listeners,
    default_socket_dir,
    make_network_listeners,
    make_unix_listeners,
)
from .logs import setup_logging

if TYPE_CHECKING:
    import argparse

log = logging.getLogger("virtrio.server.cli")
PROTOCOL_VERSION = "9.0.0"  # the libvirt release whose protocol and behaviour virtrio follows


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit status 1 or 2."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def version_text() -> str:
    from importlib import metadata  # only when asked: it costs ~20 ms of every start otherwise

    try:
        version = metadata.version("virtrio")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"virtrio (virtrio) {version}, libvirt protocol {PROTOCOL_VERSION}"


def default_config_path() -> Path:
    """Read when present and no -f is given: libvirtd's rule, under virtrio's own name."""
    if os.geteuid() == 0:
        return Path("/etc/virtrio/virtrio.conf")
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "virtrio" / "virtrio.conf"


def default_pid_path() -> Path:
    if os.geteuid() == 0:
        return Path("/run/virtrio.pid")
    return default_socket_dir() / "virtrio.pid"


def paths_text() -> str:
    root = os.geteuid() == 0
    user_config = "$XDG_CONFIG_HOME/virtrio/virtrio.conf (~/.config when unset)"
    user_run = "$XDG_RUNTIME_DIR/libvirt"
    return "\n".join(
        [
            "default paths (as root / as a user):",
            f"  configuration file, unless -f: /etc/virtrio/virtrio.conf / {user_config}",
            f"  sockets: /run/libvirt / {user_run} ({', '.join(SOCKET_NAMES.values())})",
            f"  PID file, unless -p (only with the default socket folder): /run/virtrio.pid / {user_run}/virtrio.pid",
            f"now (as {'root' if root else 'this user'}): config {default_config_path()}, "
            f"sockets {default_socket_dir()}",
            "signals: SIGHUP re-reads the configuration file; SIGTERM and SIGINT stop the daemon.",
            "with NOTIFY_SOCKET set it sends READY=1 once serving and STOPPING=1 when stopping (Type=notify).",
        ]
    )


def build_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    import argparse

    class VersionAction(argparse.Action):
        def __init__(self, option_strings: list[str], dest: str, **_kwargs: object) -> None:
            super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

        def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
            print(version_text())
            parser.exit()

    parser = argparse.ArgumentParser(prog="virtrio", description="A pure-Python libvirt daemon.")
    parser.add_argument("-V", "--version", action=VersionAction)
    commands = parser.add_subparsers(dest="command", required=True)
    daemon = commands.add_parser(
        "daemon",
        help="run the daemon (libvirtd's flags)",
        description="Serve libvirt's RPC protocol to stock clients (virsh, virt-admin, libvirt bindings).",
        epilog=paths_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    daemon.add_argument(
        "-f",
        "--config",
        type=Path,
        metavar="FILE",
        help="settings in libvirtd.conf syntax (default: see below, read only if it exists)",
    )
    daemon.add_argument(
        "-t", "--timeout", type=float, metavar="SECS", help="exit after SECS seconds without clients (default: never)"
    )
    daemon.add_argument(
        "-p",
        "--pid-file",
        type=Path,
        metavar="FILE",
        help="write the daemon's PID here and hold a lock on it (default: see below)",
    )
    daemon.add_argument(
        "-d",
        "--daemon",
        action="store_true",
        help="run in the background; the command returns once the sockets are served",
    )
    daemon.add_argument(
        "-l",
        "--listen",
        action="store_true",
        help="listen for TCP/IP connections too (listen_tcp / listen_tls in the settings)",
    )
    daemon.add_argument("-v", "--verbose", action="store_true", help="log at info level (default: warnings)")
    daemon.add_argument("-V", "--version", action=VersionAction)
    daemon.add_argument(
        "--socket-dir",
        type=Path,
        metavar="DIR",
        help="make libvirt-sock, libvirt-sock-ro, libvirt-admin-sock here (default: see below)",
    )
    daemon.add_argument(
        "--default-uri", metavar="URI", help="what a client opening with an empty name gets (default: test:///default)"
    )
    daemon.add_argument(
        "--test-default-persistent",
        action="store_true",
        help="keep test:///default's state while the daemon runs, not only while someone is connected",
    )
    from .tool_commands import add_arguments as add_tool_arguments

    add_tool_arguments(commands)
    return parser, daemon


# The daemon's flags as quick_daemon_options reads them: the namespace key each sets and how
# its value converts (None: a flag without a value, which sets True). Must say what
# build_parser says; tests/server/test_cli_options.py compares the two readings.
QUICK_FLAGS: dict[str, tuple[str, Callable[[str], object] | None]] = {
    "-f": ("config", Path),
    "--config": ("config", Path),
    "-t": ("timeout", float),
    "--timeout": ("timeout", float),
    "-p": ("pid_file", Path),
    "--pid-file": ("pid_file", Path),
    "-d": ("daemon", None),
    "--daemon": ("daemon", None),
    "-l": ("listen", None),
    "--listen": ("listen", None),
    "-v": ("verbose", None),
    "--verbose": ("verbose", None),
    "--socket-dir": ("socket_dir", Path),
    "--default-uri": ("default_uri", str),
    "--test-default-persistent": ("test_default_persistent", None),
}


def quick_daemon_options(argv: list[str]) -> argparse.Namespace | None:
    """``daemon`` followed by flags written out whole, each value its own word (``--timeout
    30``, ``-t 30``), as service units and scripts write them: read without argparse, whose
    import and parsers cost ~4 ms of every start. None for anything else (help, version,
    ``--flag=value``, joined or abbreviated flags, a value that starts with "-" or does not
    convert), which argparse reads as before, with its messages."""
    if not argv or argv[0] != "daemon":
        return None
    values: dict[str, object] = {
        "version": None,
        "command": "daemon",
        "config": None,
        "timeout": None,
        "pid_file": None,
        "daemon": False,
        "listen": False,
        "verbose": False,
        "socket_dir": None,
        "default_uri": None,
        "test_default_persistent": False,
    }
    index = 1
    while index < len(argv):
        flag = QUICK_FLAGS.get(argv[index])
        if flag is None:
            return None
        key, convert = flag
        if convert is None:
            values[key] = True
            index += 1
            continue
        if index + 1 >= len(argv) or argv[index + 1].startswith("-"):
            return None
        try:
            values[key] = convert(argv[index + 1])
        except ValueError:
            return None
        index += 2
    return cast("argparse.Namespace", types.SimpleNamespace(**values))


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    quick = quick_daemon_options(sys.argv[1:] if argv is None else argv)
    if quick is not None:
        return quick
    parser, daemon = build_parser()
    options, extra = parser.parse_known_args(argv)
    if extra:  # an unknown flag after "daemon" gets the daemon's usage, not the top level's
        (daemon if options.command == "daemon" else parser).error(f"unrecognized arguments: {' '.join(extra)}")
    return options


def make_folder(path: Path, what: str) -> None:
    """mkdir -p, with one clear line for what goes wrong."""
    if path.exists() and not path.is_dir():
        raise UserError(f"{what} {path} is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise UserError(f"cannot make {what} {path}: a part of that path is a file, not a folder") from None
    except OSError as error:
        raise UserError(f"cannot make {what} {path}: {error.strerror}") from None


def acquire_pid_file(path: Path) -> int:
    """Write our PID and hold a lock for our life, as libvirtd does: a second daemon is refused."""
    make_folder(path.parent, "the PID file's folder")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise UserError(f"cannot write the PID file {path}: {error.strerror}") from None
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.read(fd, 32).decode(errors="replace").strip()
        os.close(fd)
        raise UserError(f"{path}: another daemon (PID {holder or 'unknown'}) is running and holds it") from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def read_settings(options: argparse.Namespace) -> tuple[Config, Path | None]:
    path = options.config
    if path is None and default_config_path().is_file():
        path = default_config_path()
    try:
        config = load_config(path, Config())
    except ConfigError as error:
        raise UserError(str(error), 2) from None
    if options.default_uri:
        config.default_uri = options.default_uri
    if options.test_default_persistent:
        config.test_default_persistent = True
    if options.verbose:
        config.log_level = min(config.log_level, 2)
    check_node_files(config)
    return config, path


def check_node_files(config: Config) -> None:
    """A default URI naming a node file that is not there fails every client: say so at once."""
    uri = config.default_uri
    if uri.startswith("test:///") and uri != "test:///default":
        node_file = Path(uri[len("test://") :].split("?", 1)[0])
        if not node_file.is_file() or not os.access(node_file, os.R_OK):
            raise UserError(f"default_uri {uri}: cannot read the node file {node_file}", 2)
    for folder in config.test_node_file_dirs:
        if not Path(folder).is_dir():
            config.warnings.append(f"test_node_file_dirs: {folder} is not a folder; no node file can come from it")


def go_to_background() -> int:
    """Fork twice, as libvirtd's -d does; the foreground process waits for the daemon's word.

    Returns the write end of a pipe in the daemon (write b"ok" or an error line, then close);
    the foreground process never returns from here."""
    read_end, write_end = os.pipe()
    if os.fork() > 0:
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            word = pipe.read().decode(errors="replace")
        if word == "ok":
            os._exit(0)
        print(f"virtrio: {word or 'the daemon exited before it was ready'}", file=sys.stderr)
        os._exit(1)
    os.close(read_end)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    return write_end


def run_daemon(options: argparse.Namespace) -> int:
    config, config_path = read_settings(options)
    try:
        warnings = setup_logging(config.log_level, config.log_filters, config.log_outputs)
    except (ValueError, OSError) as error:
        raise UserError(f"{config_path or 'logging'}: {error}", 2) from None
    for warning in config.warnings + warnings:
        log.warning("%s", warning)
    if config.nodedev_source == "udev" and not options.daemon:
        # Host enumeration in a helper process overlaps the imports below on another core: a
        # socket-activated daemon answers its first nodedev-list sooner. Forked now, while no
        # thread exists. (-d forks the daemon later; the driver then enumerates in-process.)
        from virtrio.drivers.nodedev import prefetch

        prefetch.start(config.nodedev_enumeration_delay)
        try:
            return serve(options, config, config_path)
        finally:
            prefetch.abandon()  # only if the daemon ended before its driver took the helper
    return serve(options, config, config_path)


def serve(options: argparse.Namespace, config: Config, config_path: Path | None) -> int:
    import trio

    from virtrio.drivers.registry import default_drivers

    from .daemon import Daemon
    from .faults import FaultRuleError

    # A SIGTERM between creating the sockets and the daemon's own signal watch must still be
    # a clean shutdown (sockets removed), not the default death: remember it until then.
    # An early SIGHUP (a reload before we serve) has nothing to reload yet: ignored.
    early_signals: list[int] = []
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda received, _frame: early_signals.append(received))
    signal.signal(signal.SIGHUP, lambda _received, _frame: None)
    try:
        daemon = Daemon(config, default_drivers(config), idle_timeout=options.timeout, early_signals=early_signals)
    except FaultRuleError as error:
        raise UserError(f"{config_path}: {error}", 2) from None
    daemon.config_path = config_path
    daemon.load_settings = lambda: read_settings(options)[0]

    ready_pipe = go_to_background() if options.daemon else None
    try:
        listeners = activation_listeners(dict(os.environ))
        activated = listeners is not None
        pid_path = options.pid_file
        if listeners is None:
            if pid_path is None and options.socket_dir is None and not config.unix_sock_dir:
                pid_path = default_pid_path()
            pid_fd = acquire_pid_file(pid_path) if pid_path is not None else None
            directory = options.socket_dir or Path(config.unix_sock_dir or default_socket_dir())
            make_folder(directory, "the socket folder")
            listeners = make_unix_listeners(directory, config)
            if options.listen:  # libvirtd's --listen: TCP and TLS as listen_tcp / listen_tls say
                listeners += make_network_listeners(config)
        else:
            pid_fd = acquire_pid_file(pid_path) if pid_path is not None else None
        from .network_setup import network_setup  # ssl only for a daemon serving TLS

        network_setup(daemon, config, listeners)
    except (ListenerError, UserError) as error:
        if ready_pipe is not None:
            os.write(ready_pipe, str(error).encode())
        raise UserError(str(error)) from None

    if activated:
        print(f"virtrio: serving {len(listeners)} socket(s) passed by the service manager", flush=True)
    else:
        rw = next(lsn.path for lsn in listeners if lsn.kind == SocketKind.RW)
        assert rw is not None  # a unix listener has a path
        print(f"virtrio: listening on {rw.parent}/{{{','.join(SOCKET_NAMES.values())}}}", flush=True)
        print(f"  virsh -c 'test+unix:///default?socket={rw}' list --all", flush=True)
        ro, admin = (rw.parent / SOCKET_NAMES[kind] for kind in (SocketKind.RO, SocketKind.ADMIN))
        print(f"  virsh -r -c 'test+unix:///default?socket={ro}' list --all", flush=True)
        print(f"  virt-admin -c 'libvirtd:///system?socket={admin}' srv-list", flush=True)
        for listener in listeners:
            if listener.kind in (SocketKind.TCP, SocketKind.TLS):
                host, port = listener.socket.getsockname()[:2]
                print(f"virtrio: listening for {listener.kind.upper()} on {host} port {port}", flush=True)
    if ready_pipe is not None:
        os.write(ready_pipe, b"ok")
        os.close(ready_pipe)
    # Start-up's objects live as long as the daemon: kept out of every later collection.
    gc.freeze()
    gc.enable()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            trio.run(daemon.serve, listeners)
    finally:
        if pid_fd is not None and pid_path is not None:
            with contextlib.suppress(OSError):
                pid_path.unlink()
            os.close(pid_fd)
    return 0


def main(argv: list[str] | None = None) -> int:
    # Start-up imports allocate tens of thousands of objects that all stay: collecting while
    # they are made finds nothing and costs ~5% of a cold start. Enabled again once serving.
    gc.disable()
    try:
        return run_command(argv)
    finally:
        gc.enable()


def run_command(argv: list[str] | None) -> int:
    options = parse_arguments(argv)
    if options.command in ("pki", "sasl-passwd"):
        from .tool_commands import run as run_tool

        return run_tool(options)
    if options.command != "daemon":
        return 2
    try:
        return run_daemon(options)
    except UserError as error:
        print(f"virtrio: {error}", file=sys.stderr)
        return error.status


if __name__ == "__main__":
    sys.exit(main())
