"""The ``virtrio`` command."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

import trio

from .config import Config, ConfigError, load_config
from .faults import FaultRuleError
from .listeners import SOCKET_NAMES, ListenerError, activation_listeners, default_socket_dir, make_unix_listeners
from .logs import setup_logging

log = logging.getLogger("virtrio.server.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="virtrio", description="A pure-Python libvirt daemon.")
    commands = parser.add_subparsers(dest="command", required=True)
    daemon = commands.add_parser("daemon", help="run the daemon in the foreground")
    daemon.add_argument("--socket-dir", type=Path, help="make libvirt-sock, libvirt-sock-ro, libvirt-admin-sock here")
    daemon.add_argument("--config", type=Path, help="a settings file in libvirtd.conf syntax")
    daemon.add_argument("--timeout", type=float, help="exit after this many seconds without clients")
    daemon.add_argument("--default-uri", help="what a client opening with an empty name gets (test:///default)")
    daemon.add_argument(
        "--test-default-persistent",
        action="store_true",
        help="keep test:///default's state while the daemon runs, not only while someone is connected",
    )
    daemon.add_argument("--verbose", "-v", action="store_true", help="log at info level")
    return parser


def run_daemon(options: argparse.Namespace) -> int:
    from virtrio.drivers.registry import default_drivers

    from .daemon import Daemon

    try:
        config = load_config(options.config, Config())
    except ConfigError as error:
        print(f"virtrio: {error}", file=sys.stderr)
        return 2
    if options.default_uri:
        config.default_uri = options.default_uri
    if options.test_default_persistent:
        config.test_default_persistent = True
    if options.verbose:
        config.log_level = min(config.log_level, 2)
    try:
        warnings = setup_logging(config.log_level, config.log_filters, config.log_outputs)
    except (ValueError, OSError) as error:
        print(f"virtrio: {error}", file=sys.stderr)
        return 2
    for warning in config.warnings + warnings:
        log.warning("%s", warning)

    # A SIGTERM between creating the sockets and the daemon's own signal watch must still be
    # a clean shutdown (sockets removed), not the default death: remember it until then.
    early_signals: list[int] = []
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda received, _frame: early_signals.append(received))
    try:
        daemon = Daemon(config, default_drivers(config), idle_timeout=options.timeout, early_signals=early_signals)
    except FaultRuleError as error:
        print(f"virtrio: {options.config}: {error}", file=sys.stderr)
        return 2
    try:
        listeners = activation_listeners(dict(os.environ))
        activated = listeners is not None
        if listeners is None:
            directory = options.socket_dir or Path(config.unix_sock_dir or default_socket_dir())
            listeners = make_unix_listeners(directory, config)
    except ListenerError as error:
        print(f"virtrio: {error}", file=sys.stderr)
        return 1

    if activated:
        print(f"virtrio: serving {len(listeners)} socket(s) passed by the service manager", flush=True)
    else:
        rw = next(lsn.path for lsn in listeners if lsn.kind == "rw")
        print(f"virtrio: listening on {rw.parent}/{{{','.join(SOCKET_NAMES.values())}}}", flush=True)
        print(f"  virsh -c 'test+unix:///default?socket={rw}' list --all", flush=True)
        print(f"  virsh -r -c 'test+unix:///default?socket={rw.parent / SOCKET_NAMES['ro']}' list --all", flush=True)
        print(f"  virt-admin -c 'libvirtd:///system?socket={rw.parent / SOCKET_NAMES['admin']}' srv-list", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        trio.run(daemon.serve, listeners)
    return 0


def main(argv: list[str] | None = None) -> int:
    options = build_parser().parse_args(argv)
    if options.command == "daemon":
        return run_daemon(options)
    return 2


if __name__ == "__main__":
    sys.exit(main())
