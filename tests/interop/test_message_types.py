"""Packets of every message type to the remote and keepalive programs, answered (or not) as
libvirtd answers them, and the connection kept or dropped as libvirtd keeps or drops it."""

from __future__ import annotations

import pytest

from tests.e2e.daemon_process import RawClient
from virtrio.protocol.generated import remote
from virtrio.rpc import keepalive
from virtrio.rpc.packet import MessageType

GET_HOSTNAME = remote.REMOTE_PROC_CONNECT_GET_HOSTNAME
CASES = {
    "keepalive CALL ping": (keepalive.PROGRAM, keepalive.VERSION, MessageType.CALL, keepalive.PING),
    "keepalive CALL pong": (keepalive.PROGRAM, keepalive.VERSION, MessageType.CALL, keepalive.PONG),
    "keepalive MESSAGE of no procedure": (keepalive.PROGRAM, keepalive.VERSION, MessageType.MESSAGE, 3),
    "keepalive version 2 ping": (keepalive.PROGRAM, 2, MessageType.MESSAGE, keepalive.PING),
    "remote REPLY_WITH_FDS": (remote.REMOTE_PROGRAM, 1, MessageType.REPLY_WITH_FDS, GET_HOSTNAME),
    "remote CALL_WITH_FDS without a count": (remote.REMOTE_PROGRAM, 1, MessageType.CALL_WITH_FDS, GET_HOSTNAME),
    "remote MESSAGE": (remote.REMOTE_PROGRAM, 1, MessageType.MESSAGE, GET_HOSTNAME),
    "remote STREAM of no stream": (remote.REMOTE_PROGRAM, 1, MessageType.STREAM, GET_HOSTNAME),
}


def answer(socket_path, prog: int, vers: int, message_type: int, proc: int) -> tuple:
    client = RawClient(socket_path, timeout=2)
    try:
        client.open()
        client.send_call(proc, b"", prog=prog, vers=vers, type_=message_type, serial=77)
        try:
            packet = client.receive()
            reply: object = (tuple(packet.header), packet.payload)
        except TimeoutError:
            reply = "no reply"
        except ConnectionError:
            reply = "closed"
        try:
            alive = client.call(GET_HOSTNAME).header.status
        except OSError:
            alive = "closed"
        return reply, alive
    finally:
        client.close()


@pytest.mark.parametrize("case", CASES)
def test_answered_as_libvirtd(both, case: str) -> None:
    answers = {name: answer(daemon.rw, *CASES[case]) for name, daemon in both.items()}
    assert answers["virtrio"] == answers["libvirtd"]
