"""The quick path (a call answered before on the connection skips dispatch's checks) against
the general path: the same calls must get the same reply bytes, whichever path answers them.

Both run in an in-process daemon with the test driver: once with the quick path switched off
(session.quick_call finds nothing to remember), once as it runs.
"""

from __future__ import annotations

import struct
import tempfile
import uuid
from pathlib import Path

import pytest
import trio

from virtrio.drivers.registry import default_drivers
from virtrio.protocol.generated import remote
from virtrio.rpc.framing import PacketReader
from virtrio.rpc.packet import Header, MessageType, Packet, Status, encode_packet
from virtrio.server import session as session_module
from virtrio.server.config import Config
from virtrio.server.daemon import Daemon
from virtrio.server.listeners import make_unix_listeners

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
CODECS = remote.CODECS


def call(proc: int, payload: bytes = b"", serial: int = 100, **changes: int) -> bytes:
    header = Header(remote.PROGRAM, remote.PROTOCOL_VERSION, proc, MessageType.CALL, serial, Status.OK)
    return encode_packet(header._replace(**changes), payload)


TEST_DOMAIN = remote.remote_nonnull_domain("test", uuid.UUID("6695eb01-f6a4-8304-79aa-97f2502e193f").bytes, 1)


def calls() -> list[bytes]:
    """Calls whose answers depend on nothing but the call and the test driver's fixed state:
    calls libvirt's clients sent, and good, refused, undecodable and bad-status variants."""
    golden = [
        # not domain_get_info: its CPU time moves on between calls
        "domain_get_memory_parameters_call.bin",
        "domain_get_blkio_parameters_call.bin",
        "domain_get_perf_events_call.bin",
        "domain_get_scheduler_parameters_call.bin",
        "domain_get_scheduler_parameters_flags_call.bin",
        "domain_lookup_by_name_nosuch_call.bin",
        "list_all_domains_call.bin",
        "node_get_info_call.bin",
        "unknown_proc_call.bin",
    ]
    frames = [(GOLDEN / name).read_bytes() for name in golden]
    state = CODECS["remote_domain_get_state_args"]
    good_state = state.encode(remote.remote_domain_get_state_args(TEST_DOMAIN, 0))
    lookup = CODECS["remote_domain_lookup_by_name_args"]
    with_fds = Header(remote.PROGRAM, 1, remote.REMOTE_PROC_DOMAIN_GET_STATE, MessageType.CALL_WITH_FDS, 100, 0)
    frames += [
        call(remote.REMOTE_PROC_DOMAIN_GET_STATE, good_state),
        call(remote.REMOTE_PROC_DOMAIN_GET_STATE, good_state[:-4] + struct.pack(">I", 0x80)),  # bad flags
        call(remote.REMOTE_PROC_DOMAIN_GET_STATE, good_state[:-2]),  # does not decode
        call(remote.REMOTE_PROC_DOMAIN_GET_STATE, good_state, status=Status.ERROR),
        encode_packet(with_fds, good_state, fd_count=0),
        call(remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, lookup.encode(remote.remote_domain_lookup_by_name_args("test"))),
        call(remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, lookup.encode(remote.remote_domain_lookup_by_name_args("none"))),
        call(remote.REMOTE_PROC_CONNECT_GET_TYPE),
        call(remote.REMOTE_PROC_CONNECT_NUM_OF_DOMAINS),
        call(remote.REMOTE_PROC_DOMAIN_GET_STATE, good_state, prog=0x1234),  # unknown program
    ]
    return frames


class Client:
    def __init__(self, sock: trio.socket.SocketType) -> None:
        self.sock = sock
        self.reader = PacketReader()
        self.packets: list[Packet] = []

    async def receive(self) -> bytes:
        while not self.packets:
            data = await self.sock.recv(1 << 20)
            assert data, "the daemon closed the connection"
            self.packets += self.reader.feed(data)
        packet = self.packets.pop(0)
        return encode_packet(packet.header, packet.payload)


async def replies(frames: list[bytes], repeat: int) -> list[bytes]:
    """The reply bytes to each frame sent `repeat` times one by one, then `repeat` times in one write."""
    directory = Path(tempfile.mkdtemp())
    daemon = Daemon(Config(), default_drivers(Config()))
    listeners = make_unix_listeners(directory, daemon.config)
    answers: list[bytes] = []
    async with trio.open_nursery() as nursery:
        await nursery.start(daemon.serve, listeners)
        sock = trio.socket.socket(trio.socket.AF_UNIX)
        await sock.connect(str(directory / "libvirt-sock"))
        client = Client(sock)
        with trio.fail_after(30):
            open_args = CODECS["remote_connect_open_args"].encode(remote.remote_connect_open_args("test:///default", 0))
            await sock.send(call(remote.REMOTE_PROC_CONNECT_OPEN, open_args, serial=1))
            assert struct.unpack_from(">i", await client.receive(), 24) == (Status.OK,)
            for frame in frames:
                for _ in range(repeat):
                    await sock.send(frame)
                    answers.append(await client.receive())
                await sock.send(frame * repeat)  # pipelined: several calls in one read
                answers += [await client.receive() for _ in range(repeat)]
        sock.close()
        daemon.stop()
    return answers


def test_the_quick_path_and_the_general_path_give_identical_replies(monkeypatch: pytest.MonkeyPatch) -> None:
    frames = calls()
    quick_answers = 0
    answer_at_once = session_module.ClientSession._answer_at_once

    def counting(self: session_module.ClientSession, *call: object) -> bool:
        nonlocal quick_answers
        answered = answer_at_once(self, *call)  # type: ignore[arg-type]
        quick_answers += answered is not False
        return answered

    monkeypatch.setattr(session_module.ClientSession, "_answer_at_once", counting)
    both = trio.run(replies, frames, 3)
    assert quick_answers > len(frames) * 2, "the quick path must answer the repeated calls"

    monkeypatch.setattr(session_module, "quick_call", lambda *arguments: None)
    quick_answers = 0
    general = trio.run(replies, frames, 3)
    assert quick_answers == 0
    assert len(general) == len(both) == len(frames) * 6
    for index, (one, other) in enumerate(zip(general, both, strict=True)):
        assert one == other, f"call {index // 6} ({frames[index // 6][:28].hex()}), answer {index % 6}"
    # and the answers do not depend on the path within a run either
    for index in range(0, len(both), 6):
        assert len(set(both[index : index + 6])) == 1, frames[index // 6][:28].hex()


def test_a_handler_that_offloads_runs_once_per_call_on_either_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A handler returning an Offload (connect_get_hostname's name lookup, a large document's
    parse) runs once per call, and its work once, whether the general path or the quick path
    answers it: called one by one and pipelined in one write."""
    from virtrio.drivers.base import Offload
    from virtrio.drivers.test.driver import TestConnection

    handler_calls = 0
    work_calls = 0

    def work() -> str:
        nonlocal work_calls
        work_calls += 1
        return f"host-{work_calls}"

    def connect_get_hostname(self: TestConnection) -> Offload:
        nonlocal handler_calls
        handler_calls += 1
        return Offload(work, remote.remote_connect_get_hostname_ret)

    monkeypatch.setattr(TestConnection, "connect_get_hostname", connect_get_hostname)
    frames = [call(remote.REMOTE_PROC_CONNECT_GET_HOSTNAME)]
    answers = trio.run(replies, frames, 3)
    assert handler_calls == work_calls == len(answers) == 6
    reply = CODECS["remote_connect_get_hostname_ret"]
    names = [reply.decode(answer[28:]).hostname for answer in answers]
    assert names == [f"host-{number}" for number in range(1, 7)]
    assert all(struct.unpack_from(">i", answer, 24) == (Status.OK,) for answer in answers)


def test_resolve_takes_plain_inputs_and_checks_in_libvirtds_order() -> None:
    """No session and no daemon: the call and the connection's state decide the answer."""
    from virtrio.rpc.errors import LibvirtError
    from virtrio.server.dispatch import REMOTE, resolve

    def message(header: Header, conn: object = None, **state: bool) -> str | None:
        try:
            resolve(REMOTE, header, b"", conn, **state)  # type: ignore[arg-type]
        except LibvirtError as error:
            return error.message
        return None

    get_type = Header(remote.PROGRAM, 1, remote.REMOTE_PROC_CONNECT_GET_TYPE, MessageType.CALL, 5, Status.OK)
    assert message(get_type._replace(status=Status.ERROR), authenticated=False, read_only=False) == (
        "Unexpected message status 1"
    )
    assert message(get_type._replace(proc=9999), authenticated=False, read_only=False) == "unknown procedure: 9999"
    assert message(get_type, authenticated=False, read_only=False) == "authentication required"
    assert message(get_type, authenticated=True, read_only=True) == "internal error: hypervisor connection not open"
    auth_list = get_type._replace(proc=remote.REMOTE_PROC_AUTH_LIST)
    found = resolve(REMOTE, auth_list, b"", None, authenticated=False, read_only=False)
    assert found.for_server and found.arguments == (None,)  # the session adds itself in front
