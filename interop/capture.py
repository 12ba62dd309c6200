"""Record both daemons' traffic for one scenario and show the first message that differs.

A recording proxy sits between the stock clients and each daemon; every packet is kept
with its connection and direction. The two recordings are compared packet by packet, and
the first pair that differs is printed decoded by virtrio's own codec.
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from virtrio.protocol.generated import admin, keepalive, lxc, qemu, remote, virnet
from virtrio.protocol.runtime import XdrError
from virtrio.rpc.framing import FramingError, PacketReader
from virtrio.rpc.packet import MessageType, Packet, Status

from .compare import load_corpus, run_scenario
from .daemons import RunningDaemon, remove, start_libvirtd, start_virtrio

TABLES = {m.PROGRAM: m.PROCEDURES for m in (remote, qemu, lxc, admin, keepalive)}
ERROR = virnet.CODECS["virNetMessageError"]


@dataclass
class Recorded:
    connection: int
    direction: str  # "client" (client to daemon) or "daemon"
    packet: Packet


class RecordingProxy:
    def __init__(self, path: Path, target: Path) -> None:
        self.path = path
        self.target = target
        self.records: list[Recorded] = []
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_UNIX)
        self._listener.bind(str(path))
        self._listener.listen(64)
        self._connections = 0
        self._relays = 0  # relay threads still running
        self._idle = threading.Condition(self._lock)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(str(self.target))
            with self._lock:
                self._connections += 1
                self._relays += 2
            number = self._connections
            threading.Thread(target=self._relay, args=(client, upstream, number, "client"), daemon=True).start()
            threading.Thread(target=self._relay, args=(upstream, client, number, "daemon"), daemon=True).start()

    def _relay(self, source: socket.socket, sink: socket.socket, number: int, direction: str) -> None:
        reader = PacketReader()
        try:
            while data := source.recv(1 << 20):
                sink.sendall(data)
                try:
                    packets = reader.feed(data)
                except FramingError:
                    packets = []
                with self._lock:
                    self.records += [Recorded(number, direction, p) for p in packets]
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
            with self._lock:
                self._relays -= 1
                self._idle.notify_all()

    def settle(self, timeout: float = 5) -> None:
        """Wait until every connection so far has ended and its packets are recorded."""
        with self._lock:
            self._idle.wait_for(lambda: self._relays == 0, timeout)

    def close(self) -> None:
        self._listener.close()


def describe(record: Recorded) -> str:
    header = record.packet.header
    procedure = TABLES.get(header.prog, {}).get(header.proc)
    name = procedure.name if procedure else f"proc {header.proc}"
    kind = MessageType(header.type).name if header.type in MessageType._value2member_map_ else header.type
    status = Status(header.status).name if header.status in Status._value2member_map_ else header.status
    text = f"connection {record.connection}, {record.direction}: {name} {kind} serial={header.serial} {status}"
    payload = record.packet.payload
    codec = None
    if header.status == Status.ERROR and payload:
        codec = ERROR
    elif procedure is not None and header.type in (MessageType.CALL, MessageType.MESSAGE):
        codec = procedure.args
    elif procedure is not None and header.type == MessageType.REPLY:
        codec = procedure.ret
    if codec is None:
        return f"{text}\n    {len(payload)} bytes"
    try:
        return f"{text}\n    {codec.decode(payload, exact=False)!r}"
    except XdrError as error:
        return f"{text}\n    undecodable: {error}"


def record(scenario, daemon: RunningDaemon, workdir: Path) -> list[Recorded]:
    proxy = RecordingProxy(workdir / f"{daemon.name}-proxy.sock", daemon.ro if scenario.read_only else daemon.rw)
    try:
        run_scenario(scenario, daemon, proxy.path)
    finally:
        proxy.close()
    return proxy.records


def key(item: Recorded) -> tuple:
    return (item.connection, item.direction, item.packet.header, item.packet.payload)


def run(name: str) -> int:
    scenarios = load_corpus(only=[name])
    if not scenarios:
        print(f"no scenario named {name}")
        return 2
    scenario = scenarios[0]
    workdir = Path(tempfile.mkdtemp(prefix="virtrio-capture-"))
    try:
        reference = start_libvirtd(workdir / "ref")
        try:
            theirs = record(scenario, reference, workdir)
        finally:
            reference.stop()
        ours_daemon = start_virtrio(workdir / "ours")
        try:
            ours = record(scenario, ours_daemon, workdir)
        finally:
            ours_daemon.stop()
    finally:
        remove(workdir)
    print(f"libvirtd: {len(theirs)} packets, virtrio: {len(ours)} packets")
    for index, (want, got) in enumerate(zip(theirs, ours, strict=False)):
        if key(want) != key(got):
            print(f"first difference at packet {index + 1}:")
            print("libvirtd " + describe(want))
            print("virtrio  " + describe(got))
            return 0
    if len(theirs) != len(ours):
        longer, label = (theirs, "libvirtd") if len(theirs) > len(ours) else (ours, "virtrio")
        print(f"{label} sent more, starting with:\n{label} " + describe(longer[min(len(theirs), len(ours))]))
        return 0
    print("no difference")
    return 0
