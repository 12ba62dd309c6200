"""The daemon: listeners, client sessions, drivers, idle timeout and shutdown."""

from __future__ import annotations

import logging
import os
import select
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import trio

from virtrio.drivers.base import ConnectionContext, Driver, DriverConnection
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .config import Config
from .dispatch import ADMIN_PROGRAMS, HYPERVISOR_PROGRAMS
from .faults import parse_rule
from .keepalive_timer import KeepaliveTimer
from .listeners import Listener, SocketKind, remove_socket_file
from .notify import notify
from .quiet_clients import QuietClients
from .session import ClientSession

if TYPE_CHECKING:  # ssl is imported only by a daemon that listens for TLS
    from .admin_procs import ServerSettings
    from .tls import TLSServer

log = logging.getLogger("virtrio.server.daemon")
ACCEPTS_BEFORE_YIELDING = 16
# A client's session gets its task at once while fewer than this many run: a task per
# client costs memory that matters only by the thousand, and waiting for the first byte
# in QuietClients costs every connection a pass through it (~45 µs).
SESSIONS_STARTED_AT_ONCE = 16


class Daemon:
    def __init__(
        self,
        config: Config,
        drivers: list[Driver],
        idle_timeout: float | None = None,
        early_signals: list[int] | None = None,
    ) -> None:
        self.config = config
        self._early_signals = early_signals if early_signals is not None else []
        self.drivers = drivers
        self.idle_timeout = idle_timeout
        self.fault_rules = [parse_rule(text) for text in config.fault_rules]
        self.sessions: set[ClientSession] = set()
        self.admin_sessions = 0  # of those, the admin server's (each server caps its own)
        # Worker threads that read files clients named (node files): a few at a time.
        self.file_readers = trio.CapacityLimiter(4)
        self.offloaders = trio.CapacityLimiter(2)  # drivers' Offload work (large documents parsed)
        self._running_sessions = 0  # sessions with a task; the others wait in QuietClients
        self._slot_free = trio.Event()
        self._idle_since: float | None = None
        self._cancel_scope: trio.CancelScope | None = None
        self.keepalive_timer = KeepaliveTimer()
        # SIGHUP: the settings file, and how to read it again with the command line's overrides.
        self.config_path: Path | None = None
        self.load_settings: Callable[[], Config] | None = None
        self.tls: TLSServer | None = None  # made by the command line when it listens for TLS
        # Servers' settings as virt-admin changed them; None: as the settings file says.
        self.admin_server_settings: dict[str, ServerSettings] | None = None

    # ------------------------------------------------------------------ drivers
    def open_connection(
        self, uri: str, read_only: bool, session: ClientSession
    ) -> DriverConnection | Awaitable[DriverConnection]:
        """The driver connection, or, when opening reads files, something to await for it."""
        for driver in self.drivers:
            if driver.accepts(uri):
                context = ConnectionContext(uri, read_only, session.id)
                prepare = getattr(driver, "prepare", None)
                blocking = prepare(context) if prepare is not None else None
                if blocking is None:
                    return driver.open(context)
                return self._open_prepared(driver, context, blocking)
        raise report(api.VIR_ERR_NO_CONNECT, api.VIR_FROM_NONE, uri)

    async def _open_prepared(
        self, driver: Driver, context: ConnectionContext, blocking: Callable[[], object]
    ) -> DriverConnection:
        # Files are read in a worker thread: a FIFO or a slow disk delays this client only.
        prepared = await trio.to_thread.run_sync(blocking, limiter=self.file_readers)
        return driver.open(context, prepared)

    def connection_closed(self, conn: DriverConnection) -> None:
        """A session let go of a driver connection."""

    # ------------------------------------------------------------------ serving
    async def serve(
        self,
        listeners: list[Listener],
        task_status: Any = trio.TASK_STATUS_IGNORED,  # trio before 0.23 names no TaskStatus type
    ) -> None:
        try:
            async with trio.open_nursery() as nursery:
                self._cancel_scope = nursery.cancel_scope
                nursery.start_soon(self._watch_signals, nursery.cancel_scope)
                # Always watched: virt-admin daemon-timeout may set a timeout later.
                nursery.start_soon(self._watch_idle, nursery.cancel_scope)
                for driver in self.drivers:
                    run = getattr(driver, "run", None)
                    if run is not None:  # a driver's own work: enumeration, monitors
                        nursery.start_soon(run)
                nursery.start_soon(self.keepalive_timer.run)
                self._quiet = QuietClients(lambda session: nursery.start_soon(self._run_session, session))
                nursery.start_soon(self._quiet.run)
                for listener in listeners:
                    nursery.start_soon(self._accept_loop, listener, nursery)
                task_status.started()
                notify(f"READY=1\nSTATUS=serving {len(listeners)} socket(s)\nMAINPID={os.getpid()}")
        finally:
            notify("STOPPING=1")
            for listener in listeners:
                trio.lowlevel.notify_closing(listener.socket)
                listener.socket.close()
                remove_socket_file(listener)
            log.info("daemon stopped")

    def stop(self) -> None:
        if self._cancel_scope is not None:
            self._cancel_scope.cancel()

    async def _watch_signals(self, scope: trio.CancelScope) -> None:
        with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT, signal.SIGHUP) as signals:
            if self._early_signals:  # arrived before this watch began
                log.info("received signal %d, shutting down", self._early_signals[0])
                scope.cancel()
                return
            async for number in signals:
                if number == signal.SIGHUP:
                    notify("RELOADING=1")
                    await self.reload()
                    notify("READY=1")
                    continue
                log.info("received signal %d, shutting down", number)
                scope.cancel()
                return

    async def reload(self) -> None:
        """SIGHUP: read the settings file again and apply what can change while running."""
        from . import logs
        from .config import apply_reload

        if self.load_settings is None or self.config_path is None:
            log.warning("SIGHUP: no settings file to read again (start with -f FILE)")
            return
        try:
            new = await trio.to_thread.run_sync(self.load_settings)
        except Exception as error:  # a bad file keeps the running settings
            log.error("SIGHUP: %s; the current settings stay", error)
            return
        try:
            warnings = logs.configure(new.log_level, new.log_filters, new.log_outputs)
        except (logs.LogSpecError, OSError) as error:
            log.error("SIGHUP: %s: %s; the logging settings stay", self.config_path, error)
            new.log_level, new.log_filters, new.log_outputs = (
                self.config.log_level,
                self.config.log_filters,
                self.config.log_outputs,
            )
            warnings = []
        changed, lines = apply_reload(self.config, new, str(self.config_path))
        if changed:
            self.admin_server_settings = None  # virt-admin reads the file's values again
            self.limits_changed()
        for line in [*new.warnings, *warnings, *lines]:
            (log.warning if "restarts" in line or line in warnings else log.info)("%s", line)
        log.info("SIGHUP: %s read again", self.config_path)

    def set_idle_timeout(self, timeout: float | None) -> None:
        """A new timeout counts from now when no client is connected, as libvirtd's timer."""
        self.idle_timeout = timeout
        if not self.sessions:
            self._idle_since = trio.current_time()

    def _server_full(self, admin: bool) -> bool:
        """Whether the server a listener belongs to has its most clients: libvirtd's servers
        each cap their own (admin_max_clients, max_clients), so virt-admin still gets in while
        the hypervisor clients are at their limit."""
        if admin:
            return self.admin_sessions >= self.config.admin_max_clients
        return len(self.sessions) - self.admin_sessions >= self.config.max_clients

    def limits_changed(self) -> None:
        self._slot_free.set()  # an accept loop waiting for a free slot looks again

    async def _watch_idle(self, scope: trio.CancelScope) -> None:
        self._idle_since = trio.current_time()
        while True:
            timeout = self.idle_timeout
            if not timeout or self.sessions or self._idle_since is None:
                await trio.sleep(1.0 if not timeout else min(1.0, timeout))
                continue
            remaining = self._idle_since + timeout - trio.current_time()
            if remaining <= 0:
                log.info("no clients for %s seconds, exiting", timeout)
                scope.cancel()
                return
            await trio.sleep(min(remaining, 1.0))

    async def _accept_loop(self, listener: Listener, nursery: trio.Nursery) -> None:
        programs = ADMIN_PROGRAMS if listener.kind == SocketKind.ADMIN else HYPERVISOR_PROGRAMS
        sock = listener.socket
        accepted = 0
        reserved = False  # TLS: a handshake slot held for the next connection
        if listener.kind == SocketKind.TLS and self.tls is not None:
            nursery.start_soon(self.tls.watch_handshakes)  # the bound on every handshake
        # Whether another client waits, asked without a failing accept() (its exception cost
        # ~10 us of every connection of a client that connects again and again).
        incoming = select.poll()
        incoming.register(sock, select.POLLIN)
        while True:
            if listener.kind == SocketKind.TLS and not reserved and self.tls is not None:
                await self.tls.reserve_handshake()  # as libvirtd's max_anonymous_clients
                reserved = True
            while self._server_full(listener.kind == SocketKind.ADMIN):
                # libvirtd stops accepting at max_clients; new clients wait in the backlog.
                # Every accept loop that waits shares one event: a new one only once it fired
                # (replacing it under another waiting loop would leave that loop waiting).
                if self._slot_free.is_set():
                    self._slot_free = trio.Event()
                await self._slot_free.wait()
            try:
                client, _ = sock.accept()
            except BlockingIOError:
                # Straight to the socket, not trio's accept(): that one passes through the
                # scheduler twice per connection even when a client is already waiting.
                await trio.lowlevel.wait_readable(sock)
                continue
            except OSError as error:
                log.warning("accept on %s socket failed: %s", listener.kind, error)
                await trio.sleep(0.1)
                continue
            accepted += 1
            if accepted % ACCEPTS_BEFORE_YIELDING == 0:
                await trio.lowlevel.checkpoint()  # a flood of connections still lets clients run
            client.setblocking(False)
            if listener.kind == SocketKind.TLS and self.tls is not None:  # handshake in its own task, then the session
                reserved = False
                nursery.start_soon(self.tls.serve_client, self, client)
            else:
                session = ClientSession(self, client, listener.kind, programs)
                self.sessions.add(session)
                if listener.kind == SocketKind.ADMIN:
                    self.admin_sessions += 1
                if self._running_sessions < SESSIONS_STARTED_AT_ONCE:
                    nursery.start_soon(self._run_session, session)
                else:
                    self._quiet.add(session)
            if not incoming.poll(0):
                await trio.lowlevel.wait_readable(sock)

    async def _run_session(self, session: ClientSession) -> None:
        self._running_sessions += 1
        try:
            await session.run()
        except Exception:
            # One client's failure must never take the daemon, or anyone else, down.
            log.exception("client %d failed", session.id)
        finally:
            self._running_sessions -= 1
            if session in self.sessions and session.kind == SocketKind.ADMIN:
                self.admin_sessions -= 1
            self.sessions.discard(session)
            self._slot_free.set()
            if not self.sessions:
                self._idle_since = trio.current_time()
