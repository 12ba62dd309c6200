"""The daemon's edges, byte by byte: errors, hostile input, pipelining, keepalive."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from virtrio.protocol.generated import remote
from virtrio.rpc import keepalive
from virtrio.rpc.packet import HEADER, MessageType, Status, encode_packet

from .daemon_process import DaemonProcess, RawClient, decode_error, domain_ref, start_daemon, u32, virsh

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


def serial_of(frame: bytes) -> int:
    return int.from_bytes(frame[20:24], "big")


def test_error_replies_match_libvirtd_byte_for_byte(shared_daemon: DaemonProcess) -> None:
    """Send the calls libvirtd 9.0.0 answered with errors; our replies must be its, byte for byte."""
    cases = [  # (libvirtd's reply, payload of the call, open first)
        ("error_reply_unknown_proc.bin", b"", True),
        ("error_reply_not_open.bin", b"", False),
        ("error_reply_unknown_program.bin", b"", True),
        ("error_reply_decode_failure.bin", u32(100) + b"ab", True),
    ]
    for reply_file, payload, open_first in cases:
        expected = golden(reply_file)
        prog, vers, proc, _, serial, _ = HEADER.unpack_from(expected, 4)
        client = RawClient(shared_daemon.rw)
        if open_first:
            client.open()
        client.send_call(proc, payload, prog=prog, vers=vers, serial=serial)
        reply = client.receive()
        ours = encode_packet(reply.header, reply.payload)
        assert ours == expected, reply_file
        client.close()


def test_read_only_refusal_matches_libvirtd(shared_daemon: DaemonProcess) -> None:
    client = RawClient(shared_daemon.ro)
    client.open()
    call = golden("domain_suspend_call.bin")
    client.send_raw(call)
    reply = client.receive()
    expected = golden("error_reply_read_only_suspend.bin")
    assert reply.payload == expected[28:]
    assert reply.header.serial == serial_of(call) == serial_of(expected)


def test_unknown_procedure_program_and_version(shared_daemon: DaemonProcess) -> None:
    client = RawClient(shared_daemon.rw)
    client.open()
    error = decode_error(client.call(9999))
    assert (error.code, error.domain, error.message) == (39, 7, "unknown procedure: 9999")
    error = decode_error(client.call(remote.REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE))  # an event number
    assert error.message == f"unknown procedure: {remote.REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE}"
    reply = client.call(1, prog=0x12345678)
    assert reply.header.prog == 0x12345678
    assert decode_error(reply).message == "Cannot find program 305419896 version 1"
    assert decode_error(client.call(1, prog=0x80000001, vers=7)).message == (
        "Cannot find program -2147483647 version 7"
    )
    assert decode_error(client.call(3, vers=2)).message == f"Cannot find program {remote.PROGRAM} version 2"
    # the connection is still good
    assert client.call(remote.REMOTE_PROC_CONNECT_GET_TYPE).header.status == Status.OK


def test_calls_before_and_after_open(shared_daemon: DaemonProcess) -> None:
    client = RawClient(shared_daemon.rw)
    error = decode_error(client.call(remote.REMOTE_PROC_NODE_GET_INFO))
    assert (error.code, error.domain, error.message) == (1, 7, "internal error: hypervisor connection not open")
    assert (error.str1, error.str2, error.int1, error.int2) == (
        "internal error: %s",
        "hypervisor connection not open",
        -1,
        -1,
    )
    error = decode_error(client.call(remote.REMOTE_PROC_CONNECT_LIST_ALL_NETWORKS, u32(1) + u32(0)))
    assert error.message == "internal error: connection not open"
    # feature 10 needs no open connection; other features do
    reply = client.call(remote.REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, u32(10))
    assert reply.header.status == Status.OK and reply.payload == u32(1)
    error = decode_error(client.call(remote.REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, u32(9)))
    assert error.message == "internal error: hypervisor connection not open"
    client.open()
    for feature, answer in [(8, 1), (9, 1), (10, 1), (14, 1), (15, 1), (16, 1), (1, 0), (13, 0), (99, 0)]:
        assert client.call(remote.REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, u32(feature)).payload == u32(answer)
    error = decode_error(client.call(remote.REMOTE_PROC_CONNECT_OPEN, u32(0) + u32(0)))
    assert (error.code, error.domain, error.message) == (1, 7, "internal error: connection already open")
    # like libvirtd, the refused second open dropped the first connection
    error = decode_error(client.call(remote.REMOTE_PROC_NODE_GET_INFO))
    assert error.message == "internal error: hypervisor connection not open"
    client.open()
    assert client.call(remote.REMOTE_PROC_NODE_GET_INFO).header.status == Status.OK


def test_undecodable_payloads_get_an_error_and_keep_the_connection(shared_daemon: DaemonProcess) -> None:
    client = RawClient(shared_daemon.rw)
    client.open()
    hostile = [
        b"",  # nothing where a string should be
        u32(4) + b"te",  # truncated string
        u32(0xFFFFFFFF),  # a string as long as the address space
        u32(4194305) + b"x" * 64,  # over REMOTE_STRING_MAX
    ]
    for payload in hostile:
        error = decode_error(client.call(remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, payload))
        assert (error.code, error.domain, error.message) == (39, 7, "Unable to decode message payload")
    array = u32(1) + u32(0) + u32(0x7FFFFFFF)  # LIST_ALL_DOMAINS args are fine; now a hostile array count:
    error = decode_error(client.call(remote.REMOTE_PROC_DOMAIN_SET_SCHEDULER_PARAMETERS, domain_ref() + array[8:]))
    assert error.message == "Unable to decode message payload"
    # trailing bytes after valid arguments are ignored, as libvirtd ignores them
    payload = u32(4) + b"test" + b"trailing"
    assert client.call(remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, payload).header.status == Status.OK
    error = decode_error(client.call(remote.REMOTE_PROC_CONNECT_GET_TYPE, status=Status.ERROR))
    assert error.message == "Unexpected message status 1"


def test_client_replies_and_messages_get_nothing_back(shared_daemon: DaemonProcess) -> None:
    client = RawClient(shared_daemon.rw)
    client.open()
    client.send_call(remote.REMOTE_PROC_CONNECT_GET_TYPE, type_=MessageType.REPLY, serial=100)
    client.send_call(remote.REMOTE_PROC_CONNECT_GET_TYPE, type_=MessageType.MESSAGE, serial=101)
    client.send_call(remote.REMOTE_PROC_CONNECT_GET_TYPE, type_=MessageType.STREAM, serial=102)
    reply = client.call(remote.REMOTE_PROC_CONNECT_GET_TYPE, serial=103)
    assert reply.header.serial == 103


@pytest.mark.parametrize(
    "bad_start",
    [
        u32(33554432 + 5) + b"\0" * 24,  # over 32 MiB
        u32(27) + b"\0" * 23,  # under 28
        u32(0),
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",  # garbage
    ],
    ids=["too-long", "too-short", "zero", "garbage"],
)
def test_framing_violations_drop_only_that_connection(shared_daemon: DaemonProcess, bad_start: bytes) -> None:
    bystander = RawClient(shared_daemon.rw)
    bystander.open()
    offender = RawClient(shared_daemon.rw)
    offender.send_raw(bad_start)
    assert offender.is_closed(), "a framing violation must close the connection"
    assert bystander.call(remote.REMOTE_PROC_CONNECT_GET_TYPE).header.status == Status.OK


def test_a_stalled_half_packet_delays_nobody(shared_daemon: DaemonProcess) -> None:
    staller = RawClient(shared_daemon.rw)
    staller.open()
    staller.send_raw(u32(1000) + b"\0" * 100)  # promises 1000 bytes, sends 104
    other = RawClient(shared_daemon.rw)
    other.open()
    started = time.monotonic()
    for _ in range(20):
        assert other.call(remote.REMOTE_PROC_NODE_GET_INFO).header.status == Status.OK
    assert time.monotonic() - started < 10  # generous: this is about hanging, not speed
    assert virsh(shared_daemon, "domstate", "test").returncode == 0


def test_twenty_pipelined_calls_are_answered_by_serial(shared_daemon: DaemonProcess) -> None:
    client = RawClient(shared_daemon.rw)
    client.open()
    batch = b""
    from virtrio.rpc.packet import Header, encode_packet

    for serial in range(500, 520):
        proc = remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME if serial % 2 else remote.REMOTE_PROC_CONNECT_GET_TYPE
        payload = u32(4) + b"test" if serial % 2 else b""
        batch += encode_packet(Header(remote.PROGRAM, 1, proc, 0, serial, 0), payload)
    client.send_raw(batch)  # all twenty in one write
    replies = {}
    for _ in range(20):
        packet = client.receive()
        replies[packet.header.serial] = packet
    assert sorted(replies) == list(range(500, 520))
    assert all(p.header.status == Status.OK for p in replies.values())
    assert replies[501].payload.startswith(u32(4) + b"test")
    assert replies[500].payload == u32(4) + b"TEST"


def test_ping_is_answered_while_slow_calls_are_outstanding(tmp_path: Path) -> None:
    slow = start_daemon(tmp_path / "slow", config='fault_rules = ["DOMAIN_GET_INFO delay=4"]\n')
    try:
        client = RawClient(slow.rw, timeout=30)
        client.open()
        for serial in range(10, 15):  # five slow calls: max_client_requests
            client.send_call(remote.REMOTE_PROC_DOMAIN_GET_INFO, domain_ref(), serial=serial)
        time.sleep(0.2)
        # Ordering shows it: the PONG, then the high-priority call's reply, arrive before
        # any of the slow replies (each 4 s away).
        client.send_raw(keepalive.PING_PACKET)
        pong = client.receive()
        assert pong.header.prog == keepalive.PROGRAM and pong.header.proc == keepalive.PONG
        assert pong.header.type == MessageType.MESSAGE
        reply = client.call(remote.REMOTE_PROC_CONNECT_GET_TYPE, serial=99)  # (checks the serial)
        assert reply.header.status == Status.OK
        serials = sorted(client.receive().header.serial for _ in range(5))
        assert serials == [10, 11, 12, 13, 14]
    finally:
        assert slow.stop() == 0


def test_keepalive_pings_after_the_probe_and_drops_a_silent_client(tmp_path: Path) -> None:
    quick = start_daemon(tmp_path / "ka", config="keepalive_interval = 1\nkeepalive_count = 2\n")
    try:
        silent = RawClient(quick.rw, timeout=10)
        silent.open()
        time.sleep(1.5)  # no probe of feature 10 yet: no pings
        probing = RawClient(quick.rw, timeout=10)
        probing.call(remote.REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, u32(10))
        started = time.monotonic()
        ping = probing.receive()
        assert ping.header.prog == keepalive.PROGRAM and ping.header.proc == keepalive.PING
        assert ping.header.serial == 0 and ping.header.type == MessageType.MESSAGE
        assert 0.5 < time.monotonic() - started < 3
        assert probing.is_closed(timeout=10), "after keepalive_count unanswered pings the client is dropped"
        assert time.monotonic() - started < 8
        # the client that never probed was never pinged and is still served
        assert silent.call(remote.REMOTE_PROC_CONNECT_GET_TYPE).header.status == Status.OK
    finally:
        assert quick.stop() == 0


def test_many_idle_clients(tmp_path: Path) -> None:
    from .daemon_process import rss_kib

    # max_clients is 5000 by default, as in libvirtd: the crowd plus virsh needs one more.
    crowd = start_daemon(tmp_path / "crowd", config="max_clients = 5010\n")
    sockets = []
    try:
        virsh(crowd, "list")  # warm up: modules loaded, first connection served
        before = rss_kib(crowd.process.pid)
        for _ in range(5000):
            sock = socket.socket(socket.AF_UNIX)
            sock.connect(str(crowd.rw))
            sockets.append(sock)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            result = virsh(crowd, "domstate", "test")
            if result.returncode == 0:
                break
        assert result.returncode == 0 and result.stdout.strip() == "running", result.stderr
        time.sleep(1)
        after = rss_kib(crowd.process.pid)
        per_client = (after - before) / 5000
        print(f"\nRSS per idle client: {per_client:.2f} KiB ({before} KiB -> {after} KiB for 5000 clients)")
        assert per_client <= 4, f"{per_client:.1f} KiB per idle client"
    finally:
        for sock in sockets:
            sock.close()
        assert crowd.stop() == 0


def test_clients_do_not_block_each_other(shared_daemon: DaemonProcess) -> None:
    failures = []

    def worker() -> None:
        try:
            client = RawClient(shared_daemon.rw)
            client.open()
            for _ in range(50):
                if client.call(remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, u32(4) + b"test").header.status != 0:
                    failures.append("status")
            client.close()
        except Exception as error:  # collected and asserted below
            failures.append(repr(error))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []


def test_a_client_that_does_not_read_its_events_is_dropped_and_nobody_else_waits(tmp_path: Path) -> None:
    small = start_daemon(tmp_path / "events", config="max_client_queue_bytes = 65536\n")
    try:
        sleeper = RawClient(small.rw)
        sleeper.open()
        register = remote.CODECS["remote_connect_domain_event_callback_register_any_args"].encode(
            remote.remote_connect_domain_event_callback_register_any_args(0, None)
        )
        assert sleeper.call(remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, register).payload
        sleeper.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # and never reads again
        actor = RawClient(small.rw)
        actor.open()
        started = time.monotonic()
        for round_number in range(3000):
            for proc in (remote.REMOTE_PROC_DOMAIN_SUSPEND, remote.REMOTE_PROC_DOMAIN_RESUME):
                assert actor.call(proc, domain_ref()).header.status == Status.OK
            if round_number % 500 == 499 and "too much data" in small.log():
                break
        assert time.monotonic() - started < 120
        assert "too much data waiting to be sent" in small.log()
        assert sleeper.is_closed(timeout=10)
        assert actor.call(remote.REMOTE_PROC_CONNECT_GET_TYPE).header.status == Status.OK
    finally:
        assert small.stop() == 0


def test_repeated_calls_take_the_quick_path_with_every_answer_unchanged(shared_daemon: DaemonProcess) -> None:
    """The second and later calls of a procedure skip the checks the first one passed:
    their answers (good, refused, undecodable, bad status) must be what the first got."""
    client = RawClient(shared_daemon.rw)
    client.open()
    state_args = remote.CODECS["remote_domain_get_state_args"]
    good = state_args.encode(
        remote.remote_domain_get_state_args(remote.CODECS["remote_nonnull_domain"].decode(domain_ref()), 0)
    )
    bad_flags = good[:-4] + u32(0x80)
    for _ in range(3):
        reply = client.call(remote.REMOTE_PROC_DOMAIN_GET_STATE, good)
        assert reply.header.status == Status.OK and reply.payload == u32(1) + u32(0)
        error = decode_error(client.call(remote.REMOTE_PROC_DOMAIN_GET_STATE, bad_flags))
        assert error.message == "unsupported flags (0x80) in function testDomainGetState"
        error = decode_error(client.call(remote.REMOTE_PROC_DOMAIN_GET_STATE, good[:-2]))
        assert (error.code, error.domain, error.message) == (39, 7, "Unable to decode message payload")
        error = decode_error(client.call(remote.REMOTE_PROC_DOMAIN_GET_STATE, good, status=Status.ERROR))
        assert error.message == "Unexpected message status 1"
    read_only = RawClient(shared_daemon.ro)
    read_only.open()
    for _ in range(3):  # a refusal that depends on the call is never remembered as an answer
        assert read_only.call(remote.REMOTE_PROC_DOMAIN_GET_STATE, good).header.status == Status.OK
        error = decode_error(read_only.call(remote.REMOTE_PROC_DOMAIN_SUSPEND, domain_ref()))
        assert error.message == "operation forbidden: read only access prevents virDomainSuspend"
    client.call(remote.REMOTE_PROC_CONNECT_CLOSE)
    client.close()
    read_only.close()
