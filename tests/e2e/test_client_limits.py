"""Both servers at their client limits, clients waiting for each: a slot freed on one server
lets its waiting client in, whatever the other server's accept loop is waiting for."""

from __future__ import annotations

import time
from pathlib import Path

from interop.daemons import start_virtrio
from virtrio.protocol.generated import admin, remote

from .daemon_process import RawClient

ADMIN_OPEN = admin.CODECS["admin_connect_open_args"].encode(admin.admin_connect_open_args(0))


def test_a_freed_slot_reaches_its_waiting_client_while_the_other_server_waits(tmp_path: Path) -> None:
    daemon = start_virtrio(tmp_path / "virtrio", "max_clients = 1\nadmin_max_clients = 1\n")
    clients: list[RawClient] = []
    try:
        holder = RawClient(daemon.rw, timeout=30)
        clients.append(holder)
        holder.open()
        admin_holder = RawClient(daemon.admin, timeout=30)
        clients.append(admin_holder)
        admin_holder.call(admin.ADMIN_PROC_CONNECT_OPEN, ADMIN_OPEN, prog=admin.PROGRAM)
        waiting = RawClient(daemon.rw, timeout=30)  # in the listen backlog: the server is full
        clients.append(waiting)
        serial = waiting.send_call(remote.REMOTE_PROC_CONNECT_GET_TYPE)
        time.sleep(0.5)  # (the hypervisor server's accept loop waits first)
        admin_waiting = RawClient(daemon.admin, timeout=30)
        clients.append(admin_waiting)
        admin_waiting.send_call(admin.ADMIN_PROC_CONNECT_OPEN, ADMIN_OPEN, prog=admin.PROGRAM)
        time.sleep(0.5)  # (then the admin server's)
        holder.close()  # a hypervisor slot is free: the waiting client is let in and answered
        assert waiting.receive().header.serial == serial  # (before, it waited for another slot)
    finally:
        for client in clients:
            client.close()
        daemon.stop()
