"""CALL_WITH_FDS framing: each descriptor byte must come with its descriptor (issue 14)."""

from __future__ import annotations

import array
import os
import socket

from virtrio.protocol.generated import remote
from virtrio.rpc.packet import Header, MessageType, Status, encode_packet

from .daemon_process import DaemonProcess, RawClient


def _call_with_fds(serial: int) -> bytes:
    header = Header(
        remote.PROGRAM, 1, remote.REMOTE_PROC_CONNECT_GET_TYPE, MessageType.CALL_WITH_FDS, serial, Status.OK
    )
    return encode_packet(header, b"", fd_count=1)


def test_a_claimed_descriptor_that_never_comes_closes_the_connection(shared_daemon: DaemonProcess) -> None:
    bystander = RawClient(shared_daemon.rw)
    bystander.open()
    offender = RawClient(shared_daemon.rw)
    offender.open()
    # One fd claimed, none sent; the next packet's first byte stands where the fd's byte
    # should be. libvirtd's recvfd finds no descriptor there and closes the connection.
    offender.send_raw(_call_with_fds(50))
    offender.send_call(remote.REMOTE_PROC_CONNECT_GET_TYPE, serial=51)
    assert offender.is_closed(), "a CALL_WITH_FDS without its descriptor must close the connection"
    assert bystander.call(remote.REMOTE_PROC_CONNECT_GET_TYPE).header.status == Status.OK


def test_a_descriptor_sent_with_its_byte_keeps_the_connection(shared_daemon: DaemonProcess) -> None:
    client = RawClient(shared_daemon.rw)
    client.open()
    client.send_raw(_call_with_fds(60))
    read_end, write_end = os.pipe()
    try:
        client.sock.sendmsg([b"\0"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [read_end]))])
    finally:
        os.close(read_end)
        os.close(write_end)
    assert client.receive().header.serial == 60
    assert client.call(remote.REMOTE_PROC_CONNECT_GET_TYPE, serial=61).header.status == Status.OK
