"""Stock virt-admin against the admin socket."""

from __future__ import annotations

import re
import subprocess

from .daemon_process import DaemonProcess, RawClient


def virt_admin(daemon: DaemonProcess, *arguments: str) -> subprocess.CompletedProcess[str]:
    uri = f"libvirtd:///system?socket={daemon.admin}"
    return subprocess.run(["virt-admin", "-c", uri, *arguments], capture_output=True, text=True, timeout=60)


def test_servers_threadpool_limits_and_clients(daemon: DaemonProcess) -> None:
    servers = virt_admin(daemon, "srv-list")
    assert servers.returncode == 0, servers.stderr
    assert re.search(r"0\s+libvirtd\n\s*1\s+admin", servers.stdout)
    pool = virt_admin(daemon, "srv-threadpool-info", "libvirtd")
    assert "maxWorkers     : 20" in pool.stdout and "prioWorkers    : 5" in pool.stdout
    limits = virt_admin(daemon, "srv-clients-info", "libvirtd")
    assert "nclients_max        : 5000" in limits.stdout
    holder = RawClient(daemon.rw)
    holder.open()
    listed = virt_admin(daemon, "srv-clients-list", "libvirtd")
    assert listed.returncode == 0 and " unix " in listed.stdout
    client_id = re.search(r"^\s*(\d+)\s+unix", listed.stdout, re.M).group(1)
    info = virt_admin(daemon, "client-info", "libvirtd", client_id)
    assert info.returncode == 0, info.stderr
    assert re.search(r"^readonly\s*: no$", info.stdout, re.M) and "unix_user_id" in info.stdout
    missing = virt_admin(daemon, "client-info", "libvirtd", "999999")
    assert missing.returncode == 1 and "Client not found: No client with matching ID '999999'" in missing.stderr
    nosuch = virt_admin(daemon, "srv-threadpool-info", "nosuch")
    assert nosuch.returncode == 1 and "Server not found: No server named 'nosuch'" in nosuch.stderr
    version = virt_admin(daemon, "version")
    assert "Running against daemon: 9.0.0" in version.stdout
    closed = virt_admin(daemon, "client-disconnect", "libvirtd", client_id)
    assert closed.returncode == 0, closed.stderr
    assert holder.is_closed()
