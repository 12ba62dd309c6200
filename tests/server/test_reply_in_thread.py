"""A large answer made in a worker thread (drivers.base.Offload with reply_in_thread) is encoded
and framed in that thread too, so the event loop only queues its bytes: the replies are the
same bytes as when the loop encodes them, in the order the calls came, on the general path and
on the quick path, pipelined or not; an answer that does not encode gets the same error."""

from __future__ import annotations

import struct
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trio

from virtrio.drivers import base
from virtrio.drivers.registry import default_drivers
from virtrio.drivers.test import domain_tuning_procedures
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc import packet as packet_module
from virtrio.rpc.framing import PacketReader
from virtrio.rpc.packet import Header, MessageType, Packet, Status, encode_packet
from virtrio.server import session as session_module
from virtrio.server.config import Config
from virtrio.server.daemon import Daemon
from virtrio.server.listeners import make_unix_listeners

CODECS = remote.CODECS
NAME = "threads"
UUID = uuid.UUID("4dea22b3-1d52-d8f3-2516-782e98ab3fa0")
# more IOThreads than the loop answers itself (domain_tuning_procedures.IOTHREADS_ON_LOOP)
DOMAIN_XML = (
    f"<domain type='test'><name>{NAME}</name><uuid>{UUID}</uuid><memory>1024</memory>"
    "<vcpu>4</vcpu><iothreads>3000</iothreads><cputune>"
    + "".join(f"<iothreadpin iothread='{thread}' cpuset='{thread % 4}'/>" for thread in range(1, 3000, 7))
    + "</cputune><os><type>hvm</type></os></domain>"
)
DOMAIN = remote.remote_nonnull_domain(NAME, UUID.bytes, -1)


def call(proc: int, payload: bytes, serial: int) -> bytes:
    header = Header(remote.PROGRAM, remote.PROTOCOL_VERSION, proc, MessageType.CALL, serial, Status.OK)
    return encode_packet(header, payload)


def iothread_info(serial: int) -> bytes:
    args = CODECS["remote_domain_get_iothread_info_args"].encode(remote.remote_domain_get_iothread_info_args(DOMAIN, 0))
    return call(remote.REMOTE_PROC_DOMAIN_GET_IOTHREAD_INFO, args, serial)


def get_type(serial: int) -> bytes:
    return call(remote.REMOTE_PROC_CONNECT_GET_TYPE, b"", serial)


# Sent one write at a time: the first call goes the general path, the next ones the quick path;
# the last writes pipeline large and small answers.
WRITES = [
    [iothread_info(10)],
    [iothread_info(11)],
    [get_type(12), iothread_info(13), get_type(14)],
    [iothread_info(serial) for serial in range(20, 24)] + [get_type(24), iothread_info(25)],
]


async def exchange(writes: list[list[bytes]]) -> list[Packet]:
    """The replies to each write's calls, in the order they came, from an in-process daemon
    with the test driver and the large domain defined."""
    directory = Path(tempfile.mkdtemp())
    daemon = Daemon(Config(), default_drivers(Config()))
    listeners = make_unix_listeners(directory, daemon.config)
    reader = PacketReader()
    received: list[Packet] = []

    async def next_reply(sock: trio.socket.SocketType) -> Packet:
        while not received:
            data = await sock.recv(1 << 20)
            assert data, "the daemon closed the connection"
            received.extend(reader.feed(data))
        return received.pop(0)

    replies: list[Packet] = []
    async with trio.open_nursery() as nursery:
        await nursery.start(daemon.serve, listeners)
        sock = trio.socket.socket(trio.socket.AF_UNIX)
        await sock.connect(str(directory / "libvirt-sock"))
        with trio.fail_after(60):
            open_args = CODECS["remote_connect_open_args"].encode(remote.remote_connect_open_args("test:///default", 0))
            define_args = CODECS["remote_domain_define_xml_args"].encode(
                remote.remote_domain_define_xml_args(DOMAIN_XML)
            )
            for setup in (
                call(remote.REMOTE_PROC_CONNECT_OPEN, open_args, 1),
                call(remote.REMOTE_PROC_DOMAIN_DEFINE_XML, define_args, 2),
            ):
                await sock.send(setup)
                assert (await next_reply(sock)).header.status == Status.OK
            for write in writes:
                await sock.send(b"".join(write))
                replies += [await next_reply(sock) for _ in write]
        sock.close()
        daemon.stop()
    return replies


class RecordingList(list[Any]):
    """A list that notes which threads asked its length (the generated encoder does, first)."""

    def __init__(self, items: list[Any], threads: list[bool]) -> None:
        super().__init__(items)
        self.threads = threads

    def __len__(self) -> int:
        self.threads.append(threading.current_thread() is threading.main_thread())
        return super().__len__()


def watch(monkeypatch: pytest.MonkeyPatch, in_thread: bool, changed: Callable[[list[Any]], list[Any]] = list) -> dict:
    """Record where the answers' encoder and packet framing run (True: the event loop's thread);
    in_thread False makes the driver's Offloads leave their reply to the loop, as before."""
    seen: dict[str, list[bool]] = {"encoder": [], "framing": []}

    def as_made(answer: Any) -> Any:
        answer.info = RecordingList(changed(answer.info), seen["encoder"])
        return answer

    monkeypatch.setattr(domain_tuning_procedures, "_as_made", as_made)
    if not in_thread:
        monkeypatch.setattr(
            domain_tuning_procedures, "Offload", lambda work, then, reply_in_thread=False: base.Offload(work, then)
        )
    for name in ("finish_reply", "encode_reply"):
        framing = getattr(session_module, name)

        def framed(*arguments: Any, framing: Any = framing) -> Any:
            seen["framing"].append(threading.current_thread() is threading.main_thread())
            return framing(*arguments)

        monkeypatch.setattr(session_module, name, framed)
    return seen


def test_large_answers_are_encoded_in_a_worker_thread_as_the_loop_encoded_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    large_calls = sum(
        frame[12:16] == struct.pack(">i", remote.REMOTE_PROC_DOMAIN_GET_IOTHREAD_INFO) for w in WRITES for frame in w
    )
    with monkeypatch.context() as patch:
        on_loop = watch(patch, in_thread=False)
        before = trio.run(exchange, WRITES)
    assert on_loop["encoder"] == [True] * large_calls  # the reference: the loop encoded them
    seen = watch(monkeypatch, in_thread=True)
    after = trio.run(exchange, WRITES)
    assert seen["encoder"] == [False] * large_calls
    # every large reply framed off the loop; the small ones (get_type, the set-up) on it
    assert seen["framing"].count(False) == large_calls
    assert after == before  # the same bytes
    sent = [struct.unpack_from(">I", frame, 20)[0] for write in WRITES for frame in write]
    assert [reply.header.serial for reply in after] == sent  # in the order the calls came
    answer = CODECS["remote_domain_get_iothread_info_ret"].decode(after[0].payload)
    assert answer.ret == len(answer.info) == 3000 and all(reply.header.status == Status.OK for reply in after)


def test_an_answer_that_does_not_encode_gets_the_same_error_from_the_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(info: list[Any]) -> list[Any]:
        info[5] = remote.remote_domain_iothread_info(6, "not bytes")
        return info

    with monkeypatch.context() as patch:
        watch(patch, in_thread=False, changed=broken)
        before = trio.run(exchange, WRITES)
    seen = watch(monkeypatch, in_thread=True, changed=broken)
    after = trio.run(exchange, WRITES)
    assert seen["encoder"] and not any(seen["encoder"])
    assert after == before
    errors = [reply for reply in after if reply.header.proc == remote.REMOTE_PROC_DOMAIN_GET_IOTHREAD_INFO]
    assert errors and all(reply.header.status == Status.ERROR for reply in errors)
    error = CODECS["remote_error"].decode(errors[0].payload)
    assert error.message == "Unable to encode message payload"
    sent = [struct.unpack_from(">I", frame, 20)[0] for write in WRITES for frame in write]
    assert [reply.header.serial for reply in after] == sent


def test_large_domain_statistics_are_encoded_in_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """getAllDomainStats makes its records on the loop (they read the domains) and, for many
    records, leaves their encoding to a worker thread: the same bytes as the loop's."""
    test_domain = remote.remote_nonnull_domain("test", uuid.UUID("6695eb01-f6a4-8304-79aa-97f2502e193f").bytes, 1)
    stats_args = CODECS["remote_connect_get_all_domain_stats_args"]
    many = stats_args.encode(remote.remote_connect_get_all_domain_stats_args([test_domain] * 2000, 0, 0))
    few = stats_args.encode(remote.remote_connect_get_all_domain_stats_args([test_domain] * 3, 0, 0))
    proc = remote.REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS
    writes = [[call(proc, many, 30)], [call(proc, many, 31)], [call(proc, few, 32), call(proc, many, 33)]]
    threads: list[bool] = []

    def as_made(answer: Any) -> Any:
        answer.retStats = RecordingList(answer.retStats, threads)
        return answer

    with monkeypatch.context() as patch:
        patch.setattr(domain_tuning_procedures, "STATS_ON_LOOP", 1 << 30)
        before = trio.run(exchange, writes)
    monkeypatch.setattr(domain_tuning_procedures, "_stats_as_made", as_made)
    after = trio.run(exchange, writes)
    assert threads == [False] * 3  # the three large answers, each encoded off the loop
    assert after == before
    assert [reply.header.serial for reply in after] == [30, 31, 32, 33]
    answer = CODECS["remote_connect_get_all_domain_stats_ret"].decode(after[0].payload)
    assert len(answer.retStats) == 2000 and all(reply.header.status == Status.OK for reply in after)


@pytest.mark.parametrize("in_thread", [False, True])
def test_a_reply_over_the_packet_maximum_is_refused_and_the_connection_goes_on(
    monkeypatch: pytest.MonkeyPatch, in_thread: bool
) -> None:
    """A reply larger than VIR_NET_MESSAGE_MAX (a getIOThreadInfo of 16,384 IOThreads of a
    16,384-vCPU domain makes 33 MB) gets libvirtd's encode error, on the general path and the
    quick path, framed on the loop or in the thread; the small calls around it are answered."""
    watch(monkeypatch, in_thread=in_thread)
    # the 3,000 IOThreads' reply is over this maximum, the other replies well under it
    monkeypatch.setattr(packet_module, "MAX_PACKET", 30000)
    replies = trio.run(exchange, WRITES)
    sent = [struct.unpack_from(">I", frame, 20)[0] for write in WRITES for frame in write]
    assert [reply.header.serial for reply in replies] == sent
    for reply in replies:
        if reply.header.proc == remote.REMOTE_PROC_DOMAIN_GET_IOTHREAD_INFO:
            error = CODECS["remote_error"].decode(reply.payload)
            assert reply.header.status == Status.ERROR
            assert (error.code, error.domain, error.message) == (
                api.VIR_ERR_RPC,
                api.VIR_FROM_RPC,
                "Unable to encode message payload",
            )
        else:
            assert reply.header.status == Status.OK
