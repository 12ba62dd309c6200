"""Clients that go away before reading their replies: no tracebacks, a log that stays small."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

from interop.daemons import start_virtrio
from virtrio.protocol.generated import remote


def call_packet(procedure: int, serial: int, payload: bytes) -> bytes:
    header = struct.pack(">IIiIII", remote.REMOTE_PROGRAM, remote.REMOTE_PROTOCOL_VERSION, procedure, 0, serial, 0)
    body = header + payload
    return struct.pack(">I", len(body) + 4) + body


def test_clients_closing_before_their_replies_leave_no_tracebacks(tmp_path: Path) -> None:
    daemon = start_virtrio(tmp_path / "run")
    open_args = remote.PROCEDURES[remote.REMOTE_PROC_CONNECT_OPEN].args.encode(
        remote.remote_connect_open_args("test:///default", 0)
    )
    # Fifty capability documents each: more than the socket takes before the client is gone.
    calls = call_packet(remote.REMOTE_PROC_CONNECT_OPEN, 1, open_args) + b"".join(
        call_packet(remote.REMOTE_PROC_CONNECT_GET_CAPABILITIES, serial, b"") for serial in range(2, 52)
    )
    try:
        for _ in range(200):
            with socket.socket(socket.AF_UNIX) as client:
                client.connect(str(daemon.rw))
                client.sendall(calls)
        # the daemon still serves, and has said nothing alarming about the others
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(str(daemon.rw))
            client.sendall(call_packet(remote.REMOTE_PROC_CONNECT_OPEN, 1, open_args))
            assert len(client.recv(28)) == 28
    finally:
        daemon.stop()
    log = daemon.log()
    assert "Traceback" not in log and "failed" not in log, log[-3000:]
    assert len(log) < 4096
