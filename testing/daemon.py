"""Starting and stopping a virtrio daemon in a folder of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class DaemonError(RuntimeError):
    """The daemon did not start; the message carries its output."""


@dataclass
class TestDaemon:
    """A running daemon: its sockets, the URIs that reach them, and its log."""

    __test__ = False  # not a pytest test class, despite the name

    folder: Path
    process: subprocess.Popen
    node_file: Path | None = None

    @property
    def socket(self) -> Path:
        return self.folder / "sock" / "libvirt-sock"

    @property
    def ro_socket(self) -> Path:
        return self.folder / "sock" / "libvirt-sock-ro"

    @property
    def admin_socket(self) -> Path:
        return self.folder / "sock" / "libvirt-admin-sock"

    @property
    def uri(self) -> str:
        """The test hypervisor, read-write: test:///default, or the node file when given."""
        return self.uri_for(str(self.node_file) if self.node_file else "/default")

    @property
    def ro_uri(self) -> str:
        return self.uri_for(str(self.node_file) if self.node_file else "/default", read_only=True)

    @property
    def admin_uri(self) -> str:
        """For virt-admin and libvirt.virAdmConnect-style clients."""
        return f"libvirtd:///system?socket={self.admin_socket}"

    def uri_for(self, path: str, read_only: bool = False) -> str:
        """test+unix:// for any test hypervisor path ("/default" or an absolute node file)."""
        return f"test+unix://{path}?socket={self.ro_socket if read_only else self.socket}"

    def log(self) -> str:
        log = self.folder / "daemon.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def __enter__(self) -> TestDaemon:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM, then SIGKILL after timeout seconds; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _config_text(persistent: bool, fault_rules: Sequence[str], settings: dict[str, object]) -> str:
    def value(item: object) -> str:
        if isinstance(item, bool):
            return "1" if item else "0"
        if isinstance(item, int):
            return str(item)
        if isinstance(item, (list, tuple)):
            return "[" + ", ".join(value(i) for i in item) + "]"
        return '"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"test_default_persistent = {value(persistent)}"]
    if fault_rules:
        lines.append(f"fault_rules = {value(list(fault_rules))}")
    lines += [f"{key} = {value(item)}" for key, item in settings.items()]
    return "\n".join(lines) + "\n"


def start_daemon(
    folder: Path | str,
    *,
    node_file: Path | str | None = None,
    node_xml: str | None = None,
    fault_rules: Sequence[str] = (),
    persistent: bool = False,
    settings: dict[str, object] | None = None,
    timeout: float = 30,
) -> TestDaemon:
    """Start a daemon whose sockets, settings and log live in folder (made if missing).

    node_file / node_xml: the test hypervisor's state comes from this node file (a path, or the
    XML text, written into folder) instead of test:///default; daemon.uri reaches it.
    fault_rules: lines of server/faults.py's rule syntax, e.g. "DOMAIN_SUSPEND error 1".
    persistent: test:///default keeps its state between connections for the daemon's life.
    settings: more libvirtd.conf-style keys (log_filters, max_clients, ...).
    Use it as a context manager, or call stop()."""
    folder = Path(folder).resolve()
    (folder / "sock").mkdir(parents=True, exist_ok=True)
    if node_xml is not None:
        node_file = folder / "node.xml"
        Path(node_file).write_text(node_xml)
    node_path = Path(node_file).resolve() if node_file is not None else None
    config = folder / "virtrio.conf"
    config.write_text(_config_text(persistent, fault_rules, dict(settings or {})))
    command = [
        sys.executable,
        "-m",
        "virtrio.server.cli",
        "daemon",
        "-f",
        str(config),
        "--socket-dir",
        str(folder / "sock"),
    ]
    if node_path is not None:
        command += ["--default-uri", f"test://{node_path}"]
    with open(folder / "daemon.log", "wb") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    daemon = TestDaemon(folder, process, node_path)
    deadline = time.monotonic() + timeout
    while not daemon.admin_socket.exists():
        if process.poll() is not None:
            raise DaemonError(f"virtrio exited with status {process.returncode}:\n{daemon.log()}")
        if time.monotonic() > deadline:
            daemon.stop()
            raise DaemonError(f"virtrio did not listen within {timeout} s:\n{daemon.log()}")
        time.sleep(0.02)
    return daemon
