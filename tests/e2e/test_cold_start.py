"""Cold start: a socket-activated daemon loads only what the calls it serves need."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from virtrio.protocol.generated import qemu, remote
from virtrio.rpc.packet import Status

from .daemon_process import RawClient, decode_error, wait_for_socket

# Modules a nodedev-only daemon has no use for: the test driver, lxml (the test driver's XML),
# the generated modules of programs nobody called (qemu, lxc), any ADMIN codec, and the REMOTE
# codecs of procedures it did not serve (domains, networks, storage, ...). pyudev is the
# enumeration helper's (a forked process), node device XML is for dumpxml only; argparse (and
# its gettext) only when the command line is more than whole flags and their values; dataclasses
# and shlex (fault rules) not at all.
NOT_NEEDED = re.compile(
    r"^(virtrio\.drivers\.test(\..*)?|lxml(\..*)?|virtrio\.protocol\.generated\.(qemu|lxc|admin_codecs\..*)"
    r"|argparse|gettext|dataclasses|shlex"
    r"|pyudev(\..*)?|virtrio\.drivers\.nodedev\.(formats|ethtool)"
    r"|virtrio\.protocol\.generated\.remote_codecs\..*(domain|network|storage|secret|interface|nwfilter).*)$"
)
REMOTE_PART = "virtrio.protocol.generated.remote_codecs."


# The daemon as `virtrio daemon` runs it, writing the names in sys.modules when it exits.
DAEMON = """
import atexit, sys
from virtrio.server.cli import main
atexit.register(lambda: open(sys.argv[1], "w").write("\\n".join(sorted(sys.modules))))
sys.exit(main(["daemon", "--timeout", "30"]))
"""


@contextmanager
def activated(tmp_path: Path) -> Iterator[tuple[Path, set[str]]]:
    """A socket-activated daemon's socket; once the block ends, the set holds every module it imported."""
    sock = tmp_path / "libvirt-sock"
    report = tmp_path / "modules.txt"
    modules: set[str] = set()
    activator = subprocess.Popen(
        [
            "systemd-socket-activate",
            "-l",
            str(sock),
            "--fdname=virtrio.socket",
            sys.executable,
            "-c",
            DAEMON,
            str(report),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_socket(sock, activator)
        yield sock, modules
    finally:
        activator.send_signal(signal.SIGTERM)
        assert activator.wait(timeout=20) == 0
    modules.update(report.read_text().split())


def virsh(sock: Path, uri: str, *command: str) -> str:
    scheme, rest = uri.split(":", 1)
    done = subprocess.run(
        ["virsh", "-c", f"{scheme}+unix:{rest}?socket={sock}", *command], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_nodedev_only_daemon_imports_no_test_driver_lxml_or_unused_programs(tmp_path: Path) -> None:
    with activated(tmp_path) as (sock, modules):
        listed = virsh(sock, "nodedev:///system", "nodedev-list")
    assert "computer" in listed.split()
    assert "virtrio.drivers.nodedev.driver" in modules  # the report covers the daemon's imports
    assert "virtrio.protocol.generated.remote" in modules
    unneeded = sorted(name for name in modules if NOT_NEEDED.match(name))
    assert unneeded == []
    # REMOTE's codecs load per procedure: what virsh called, and the node device reference.
    parts = {name.removeprefix(REMOTE_PART) for name in modules if name.startswith(REMOTE_PART)}
    assert {"connect_open", "connect_list_all_node_devices", "shared_nonnull_node_device"} <= parts
    assert len(parts) <= 8, sorted(parts)


def test_the_same_check_sees_the_test_driver_once_it_is_used(tmp_path: Path) -> None:
    # The check above can fail: a test:/// call makes the daemon load the test driver and lxml.
    with activated(tmp_path) as (sock, modules):
        virsh(sock, "nodedev:///system", "nodedev-list")
        listed = virsh(sock, "test:///default", "list")
    assert "test" in listed
    assert "virtrio.drivers.test.driver" in modules
    assert any(name == "lxml" or name.startswith("lxml.") for name in modules)
    assert REMOTE_PART + "connect_list_all_domains" in modules  # virsh list's call
    assert any(NOT_NEEDED.match(name) and "remote_codecs" in name for name in modules)


def test_a_qemu_program_call_loads_its_module_and_reaches_the_driver(tmp_path: Path) -> None:
    # virsh and libvirt-python refuse qemu calls on test:/// client-side, so a raw client sends one.
    dom = remote.remote_nonnull_domain("test", uuid.UUID("6695eb01-f6a4-8304-79aa-97f2502e193f").bytes, 1)
    args = qemu.qemu_domain_monitor_command_args(dom, '{"execute":"query-status"}', 0)
    payload = qemu.CODECS["qemu_domain_monitor_command_args"].encode(args)
    with activated(tmp_path) as (sock, modules):
        client = RawClient(sock, timeout=30)
        try:
            client.open("test:///default")
            reply = client.call(qemu.QEMU_PROC_DOMAIN_MONITOR_COMMAND, payload, prog=qemu.PROGRAM)
        finally:
            client.close()
    assert reply.header.status == Status.ERROR
    error = decode_error(reply)
    # libvirtd's test driver has no qemu procedures: the call is routed to it and refused.
    assert error.message == "this function is not supported by the connection driver: virDomainQemuMonitorCommand"
    assert "virtrio.protocol.generated.qemu" in modules
    assert "virtrio.protocol.generated.lxc" not in modules


def test_a_test_driver_daemon_leaves_what_its_first_calls_do_not_need(tmp_path: Path) -> None:
    # virConnectBaselineCPU's CPU models and tables load on its first call, not at every start
    with activated(tmp_path) as (sock, modules):
        virsh(sock, "test:///default", "version")
    assert "virtrio.drivers.test.driver" in modules
    assert "virtrio.drivers.test.cpu_baseline" not in modules
