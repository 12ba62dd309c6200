"""Running virtrio as a separate process, and talking to it as stock clients do."""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from interop.daemons import stop_process, wait_for_socket
from virtrio.protocol.generated import remote, virnet
from virtrio.rpc.packet import HEADER, LENGTH, Header, MessageType, Packet, Status, encode_packet

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's interpreter, with Debian's python3-libvirt


@dataclass
class DaemonProcess:
    directory: Path
    process: subprocess.Popen
    log_path: Path
    extra: dict = field(default_factory=dict)

    @property
    def rw(self) -> Path:
        return self.directory / "libvirt-sock"

    @property
    def ro(self) -> Path:
        return self.directory / "libvirt-sock-ro"

    @property
    def admin(self) -> Path:
        return self.directory / "libvirt-admin-sock"

    def uri(self, read_only: bool = False, path: str = "/default") -> str:
        return f"test+unix://{path}?socket={self.ro if read_only else self.rw}"

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> int:
        return stop_process(self.process)


def start_daemon(directory: Path, *arguments: str, config: str | None = None, wait: bool = True) -> DaemonProcess:
    directory.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "virtrio.server.cli", "daemon", "--socket-dir", str(directory), *arguments]
    if config is not None:
        config_path = directory.parent / f"{directory.name}.conf"
        config_path.write_text(config)
        command += ["--config", str(config_path)]
    log_path = directory.parent / f"{directory.name}.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    daemon = DaemonProcess(directory, process, log_path)
    if wait:
        wait_for_socket(daemon.rw, process)
        # The rw socket is the first one bound: the daemon says "listening" once all three
        # are there with their modes (a test that reads the ro socket's mode at once could
        # otherwise find it missing on a loaded machine).
        deadline = time.monotonic() + 30
        while "virtrio: listening on" not in daemon.log() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    return daemon


def virsh(
    daemon: DaemonProcess, *arguments: str, read_only: bool = False, uri: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    command = ["virsh", "-c", uri or daemon.uri(read_only)]
    if read_only:
        command.insert(1, "-r")
    return subprocess.run([*command, *arguments], capture_output=True, text=True, timeout=timeout)


def python_libvirt(script: str, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a script with Debian's stock libvirt-python."""
    return subprocess.run([SYSTEM_PYTHON, "-c", script, *arguments], capture_output=True, text=True, timeout=timeout)


class RawClient:
    """A client speaking the wire protocol byte by byte, for tests of the daemon's edges."""

    def __init__(self, path: Path, timeout: float = 10) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(str(path))
        self.serial = 0
        self._buffer = b""

    def close(self) -> None:
        self.sock.close()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_call(
        self,
        proc: int,
        payload: bytes = b"",
        prog: int = remote.PROGRAM,
        vers: int = 1,
        type_: int = MessageType.CALL,
        status: int = Status.OK,
        serial: int | None = None,
    ) -> int:
        if serial is None:
            serial = self.serial
            self.serial += 1
        self.send_raw(encode_packet(Header(prog, vers, proc, type_, serial, status), payload))
        return serial

    def receive(self) -> Packet:
        while True:
            if len(self._buffer) >= 4:
                (length,) = LENGTH.unpack_from(self._buffer)
                if len(self._buffer) >= length:
                    header = Header(*HEADER.unpack_from(self._buffer, 4))
                    packet = Packet(header, self._buffer[28:length])
                    self._buffer = self._buffer[length:]
                    return packet
            data = self.sock.recv(1 << 20)
            if not data:
                raise ConnectionError("the daemon closed the connection")
            self._buffer += data

    def call(self, proc: int, payload: bytes = b"", **kwargs) -> Packet:
        serial = self.send_call(proc, payload, **kwargs)
        packet = self.receive()
        assert packet.header.serial == serial, (packet.header, serial)
        return packet

    def open(self, name: str = "test:///default", flags: int = 0) -> None:
        args = remote.CODECS["remote_connect_open_args"].encode(remote.remote_connect_open_args(name, flags))
        reply = self.call(remote.REMOTE_PROC_CONNECT_OPEN, args)
        assert reply.header.status == Status.OK, decode_error(reply)

    def is_closed(self, timeout: float = 5) -> bool:
        """Whether the daemon closes the connection within timeout (packets before that are read)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                if self.sock.recv(65536) == b"":
                    return True
            except (ConnectionResetError, BrokenPipeError):
                return True
            except TimeoutError:
                return False
        return False


def decode_error(packet: Packet) -> virnet.virNetMessageError:
    assert packet.header.status == Status.ERROR, packet.header
    return virnet.CODECS["virNetMessageError"].decode(packet.payload)


def domain_ref(name: str = "test") -> bytes:
    import uuid

    ref = remote.remote_nonnull_domain(name, uuid.UUID("6695eb01-f6a4-8304-79aa-97f2502e193f").bytes, 1)
    return remote.CODECS["remote_nonnull_domain"].encode(ref)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def u32(value: int) -> bytes:
    return struct.pack(">I", value)
