"""Objects a handler lets go of (an undefined domain) are freed after its reply is written,
while the client reads it, and never pile up (drivers.base.release_after_reply)."""

from __future__ import annotations

import gc
import tempfile
import weakref
from pathlib import Path

import pytest
import trio
import trio.testing

from virtrio.drivers import base
from virtrio.drivers.registry import default_drivers
from virtrio.drivers.test import state as state_module
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError
from virtrio.rpc.framing import PacketReader
from virtrio.rpc.packet import Header, MessageType, Status, encode_packet
from virtrio.server import socket_io
from virtrio.server.config import Config
from virtrio.server.daemon import Daemon
from virtrio.server.listeners import make_unix_listeners

CODECS = remote.CODECS
XML = "<domain type='test'><name>freed</name><memory>65536</memory><os><type>hvm</type></os></domain>"


def call(proc: int, payload: bytes = b"", serial: int = 1) -> bytes:
    header = Header(remote.PROGRAM, remote.PROTOCOL_VERSION, proc, MessageType.CALL, serial, Status.OK)
    return encode_packet(header, payload)


def test_kept_objects_are_bounded() -> None:
    base.RELEASE_AFTER_REPLY.clear()
    things = [object() for _ in range(base.RELEASE_AFTER_REPLY_MAX * 3)]
    for thing in things:
        base.release_after_reply(thing)
        assert len(base.RELEASE_AFTER_REPLY) <= base.RELEASE_AFTER_REPLY_MAX
    assert base.RELEASE_AFTER_REPLY[-1] is things[-1]
    base.RELEASE_AFTER_REPLY.clear()


def test_an_undefined_domain_is_freed_after_its_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    released: list[weakref.ref[object]] = []
    keep = state_module.release_after_reply

    def recording(thing: object) -> None:
        released.append(weakref.ref(thing))
        keep(thing)

    monkeypatch.setattr(state_module, "release_after_reply", recording)
    alive_at_each_reply: list[bool] = []
    queue = socket_io.SocketWriter.queue

    def queued(self: socket_io.SocketWriter, data: socket_io.Buffer) -> None:
        alive_at_each_reply.append(bool(released) and released[0]() is not None)
        queue(self, data)

    monkeypatch.setattr(socket_io.SocketWriter, "queue", queued)

    async def run() -> None:
        directory = Path(tempfile.mkdtemp())
        daemon = Daemon(Config(), default_drivers(Config()))
        listeners = make_unix_listeners(directory, daemon.config)
        reader = PacketReader()
        async with trio.open_nursery() as nursery:
            await nursery.start(daemon.serve, listeners)
            sock = trio.socket.socket(trio.socket.AF_UNIX)
            await sock.connect(str(directory / "libvirt-sock"))

            async def ask(proc: int, payload: bytes = b"") -> bytes:
                await sock.send(call(proc, payload))
                packets = []
                while not packets:
                    packets = reader.feed(await sock.recv(1 << 20))
                assert packets[0].header.status == Status.OK, packets[0].payload
                return packets[0].payload

            with trio.fail_after(30):
                connect = remote.remote_connect_open_args("test:///default", 0)
                await ask(remote.REMOTE_PROC_CONNECT_OPEN, CODECS["remote_connect_open_args"].encode(connect))
                define = CODECS["remote_domain_define_xml_args"].encode(remote.remote_domain_define_xml_args(XML))
                reply = await ask(remote.REMOTE_PROC_DOMAIN_DEFINE_XML, define)
                domain = CODECS["remote_domain_define_xml_ret"].decode(reply)
                undefine = remote.remote_domain_undefine_args(domain.dom)
                await ask(remote.REMOTE_PROC_DOMAIN_UNDEFINE, CODECS["remote_domain_undefine_args"].encode(undefine))
                assert len(released) == 1 and alive_at_each_reply[-1], "kept until its reply is written"
                await ask(remote.REMOTE_PROC_CONNECT_GET_TYPE)
                assert released[0]() is None, "freed before the next call is read"
                assert not base.RELEASE_AFTER_REPLY
            sock.close()
            daemon.stop()

    trio.run(run)


def _garbage_after_refused_calls(proc: int, payload: bytes, warm_up: tuple[int, ...] = ()) -> list[object]:
    """What the cyclic collector finds after three refused calls of proc (each answered with
    an error) on one connection to an in-process daemon; warm_up: calls made before."""

    async def run() -> list[object]:
        directory = Path(tempfile.mkdtemp())
        daemon = Daemon(Config(), default_drivers(Config()))
        listeners = make_unix_listeners(directory, daemon.config)
        reader = PacketReader()
        garbage: list[object] = []
        async with trio.open_nursery() as nursery:
            await nursery.start(daemon.serve, listeners)
            sock = trio.socket.socket(trio.socket.AF_UNIX)
            await sock.connect(str(directory / "libvirt-sock"))

            async def ask(proc: int, payload: bytes = b"") -> Status:
                await sock.send(call(proc, payload))
                packets = []
                while not packets:
                    packets = reader.feed(await sock.recv(1 << 20))
                return packets[0].header.status

            with trio.fail_after(30):
                connect = remote.remote_connect_open_args("test:///default", 0)
                await ask(remote.REMOTE_PROC_CONNECT_OPEN, CODECS["remote_connect_open_args"].encode(connect))
                for earlier in warm_up:
                    await ask(earlier)
                gc.collect()
                gc.set_debug(gc.DEBUG_SAVEALL)
                try:
                    for _ in range(3):  # the general path first, then the quick path
                        assert await ask(proc, payload) == Status.ERROR
                    await trio.testing.wait_all_tasks_blocked()  # calls run as tasks have ended
                    gc.collect()
                    garbage = list(gc.garbage)
                finally:
                    gc.set_debug(0)
                    gc.garbage.clear()
            sock.close()
            daemon.stop()
        return garbage

    return trio.run(run)


def test_a_refused_call_leaves_no_cycle_for_the_collector() -> None:
    """A handler's error carries a traceback that holds the session's frames: a session frame
    still holding the error after the reply would make a cycle with every frame and lxml tree
    of the failed call, freed only by the cyclic collector (~130 per pass of libvirt's test
    documents). Both paths: the general one (first call) and the quick one (repeated calls)."""
    refused = "<domain type='test'><name>refused</name><memory>65536</memory><vcpu>x</vcpu></domain>"
    define = CODECS["remote_domain_define_xml_args"].encode(remote.remote_domain_define_xml_args(refused))
    garbage = _garbage_after_refused_calls(remote.REMOTE_PROC_DOMAIN_DEFINE_XML, define)
    assert not [thing for thing in garbage if isinstance(thing, LibvirtError)], "a refused call's error in a cycle"


def test_a_refused_call_run_as_a_task_leaves_no_cycle_for_the_collector() -> None:
    """The same for a call run as a task (a coroutine handler: DOMAIN_SCREENSHOT with a flag the
    test driver refuses): the task's frame must not hold the error once it is answered."""
    missing = remote.remote_nonnull_domain("missing", bytes(16), -1)
    screenshot = CODECS["remote_domain_screenshot_args"].encode(remote.remote_domain_screenshot_args(missing, 0, 1))
    # (GET_TYPE first: the client's task nursery, opened once)
    garbage = _garbage_after_refused_calls(
        remote.REMOTE_PROC_DOMAIN_SCREENSHOT, screenshot, warm_up=(remote.REMOTE_PROC_CONNECT_GET_TYPE,)
    )
    assert not [thing for thing in garbage if isinstance(thing, LibvirtError)], "a task's error in a cycle"
