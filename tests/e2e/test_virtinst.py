"""Debian's virtinst against the daemon: virt-install, virt-xml and virt-clone."""

from __future__ import annotations

import subprocess

from .daemon_process import DaemonProcess, virsh


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def test_install_edit_and_clone(daemon: DaemonProcess) -> None:
    uri = daemon.uri()
    # Keeps test:///default alive between tools.
    holder = subprocess.Popen(
        ["virsh", "-c", uri, "event", "--loop", "--all"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        installed = run(
            "virt-install",
            "--connect",
            uri,
            "--name",
            "x",
            "--memory",
            "64",
            "--disk",
            "size=1,pool=default-pool",
            "--import",
            "--osinfo",
            "generic",
            "--noautoconsole",
        )
        assert installed.returncode == 0, installed.stdout + installed.stderr
        assert "Domain creation completed." in installed.stdout
        listing = virsh(daemon, "list", "--all").stdout
        assert " x      running" in listing or " x    running" in listing, listing
        assert "/default-pool/x.qcow2" in virsh(daemon, "vol-list", "default-pool").stdout

        edited = run("virt-xml", "-c", uri, "test", "--edit", "--vcpus", "3")
        assert edited.returncode == 0, edited.stdout + edited.stderr
        assert "Domain 'test' defined successfully." in edited.stdout
        assert "<vcpu placement='static'>3</vcpu>" in virsh(daemon, "dumpxml", "test", "--inactive").stdout

        assert virsh(daemon, "destroy", "x").returncode == 0
        cloned = run("virt-clone", "--connect", uri, "--original", "x", "--auto-clone")
        assert cloned.returncode == 0, cloned.stdout + cloned.stderr
        assert "Clone 'x-clone' created successfully." in cloned.stdout
        listing = virsh(daemon, "list", "--all", "--name").stdout.split()
        assert {"test", "x", "x-clone"} <= set(listing)
    finally:
        holder.terminate()
        holder.wait()
