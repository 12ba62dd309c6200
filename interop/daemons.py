"""Starting and stopping the two daemons the harness compares: virtrio and libvirtd.

Both listen on private unix sockets in a folder of their own. libvirtd runs with only
its built-in test driver (LIBVIRT_DRIVER_DIR points at an empty folder) unless asked
for its host drivers, and with its runtime, config and cache folders kept private.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

LIBVIRTD = "/usr/sbin/libvirtd"
DRIVER_MODULES = Path("/usr/lib") / f"{os.uname().machine}-linux-gnu" / "libvirt" / "connection-driver"


class DaemonError(Exception):
    pass


@dataclass
class RunningDaemon:
    name: str  # "virtrio" or "libvirtd"
    directory: Path
    process: subprocess.Popen
    log_path: Path

    @property
    def rw(self) -> Path:
        return self.directory / "sock" / "libvirt-sock"

    @property
    def ro(self) -> Path:
        return self.directory / "sock" / "libvirt-sock-ro"

    @property
    def admin(self) -> Path:
        return self.directory / "sock" / "libvirt-admin-sock"

    def uri(self, path: str = "/default", read_only: bool = False, scheme: str = "test") -> str:
        return f"{scheme}+unix://{path}?socket={self.ro if read_only else self.rw}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> int:
        return stop_process(self.process)


def stop_process(process: subprocess.Popen) -> int:
    """SIGTERM, then SIGKILL if it has not exited within 20 s; its exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def wait_for_socket(path: Path, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DaemonError(f"the daemon exited with status {process.returncode} before listening on {path}")
        try:
            with socket.socket(socket.AF_UNIX) as probe:
                probe.connect(str(path))
            return
        except OSError:
            time.sleep(0.02)
    raise DaemonError(f"nothing listens on {path} after {timeout} s")


def wait_for_sockets(daemon: RunningDaemon, timeout: float = 30) -> None:
    """Until the daemon answers on its rw socket and has bound its ro and admin ones: each
    daemon binds them one after another, and on a loaded machine a scenario's first read-only
    connection could come between two of them."""
    wait_for_socket(daemon.rw, daemon.process, timeout)
    deadline = time.monotonic() + timeout
    for path in (daemon.ro, daemon.admin):
        while not path.exists():
            if daemon.process.poll() is not None:
                raise DaemonError(f"the daemon exited with status {daemon.process.returncode} before binding {path}")
            if time.monotonic() > deadline:
                raise DaemonError(f"{path} not bound after {timeout} s")
            time.sleep(0.02)


def start_virtrio(directory: Path, config: str = "", arguments: tuple[str, ...] = ()) -> RunningDaemon:
    (directory / "sock").mkdir(parents=True, exist_ok=True)
    config_path = directory / "virtrio.conf"
    config_path.write_text(config)
    log_path = directory / "virtrio.log"
    command = [
        sys.executable,
        "-m",
        "virtrio.server.cli",
        "daemon",
        "--socket-dir",
        str(directory / "sock"),
        "--config",
        str(config_path),
        *arguments,
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    daemon = RunningDaemon("virtrio", directory, process, log_path)
    wait_for_sockets(daemon)
    return daemon


def libvirtd_available() -> bool:
    return Path(LIBVIRTD).is_file()


def start_libvirtd(
    directory: Path, config: str = "", modules: tuple[str, ...] = (), arguments: tuple[str, ...] = ()
) -> RunningDaemon:
    """libvirtd with its built-in test driver and only the named driver modules (e.g. "nodedev")."""
    if not libvirtd_available():
        raise DaemonError(f"{LIBVIRTD} is not installed (Debian package libvirt-daemon)")
    for sub in ("sock", "drivers", "run", "config", "cache"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    config_path = directory / "libvirtd.conf"
    # libvirt's settings files keep a key's first value: the caller's auth_* win over ours.
    defaults = "".join(f'{key} = "none"\n' for key in ("auth_unix_rw", "auth_unix_ro") if f"{key} =" not in config)
    config_path.write_text(f'unix_sock_dir = "{directory / "sock"}"\n' + defaults + config)
    for module in modules:
        target = DRIVER_MODULES / f"libvirt_driver_{module}.so"
        if not target.exists():
            raise DaemonError(f"{target} is not installed")
        (directory / "drivers" / target.name).symlink_to(target)
    environment = dict(os.environ)
    environment["LIBVIRT_DRIVER_DIR"] = str(directory / "drivers")
    environment.update(
        XDG_RUNTIME_DIR=str(directory / "run"),
        XDG_CONFIG_HOME=str(directory / "config"),
        XDG_CACHE_HOME=str(directory / "cache"),
    )
    log_path = directory / "libvirtd.log"
    command = [LIBVIRTD, "--config", str(config_path), "--pid-file", str(directory / "libvirtd.pid"), *arguments]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment)
    daemon = RunningDaemon("libvirtd", directory, process, log_path)
    wait_for_sockets(daemon)
    return daemon


def remove(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)
