"""Node devices from udev behind the init-complete gate: the seed scenario, made impossible."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from virtrio.protocol.generated import remote
from virtrio.rpc.packet import Status

from .daemon_process import RawClient, decode_error, start_daemon, u32, wait_for_socket

LIST_ALL = remote.REMOTE_PROC_CONNECT_LIST_ALL_NODE_DEVICES


def listed_names(client: RawClient) -> list[str]:
    reply = client.call(LIST_ALL, u32(1) + u32(0))
    assert reply.header.status == Status.OK, decode_error(reply).message
    value = remote.CODECS["remote_connect_list_all_node_devices_ret"].decode(reply.payload)
    return sorted(d.name for d in value.devices)


def first_list(uri: str, results: dict) -> None:
    results["first"] = subprocess.run(["virsh", "-c", uri, "nodedev-list"], capture_output=True, text=True, timeout=60)


HELD_TRIALS = 3  # trials whose enumeration is held long enough to see virsh version answered meanwhile


def test_first_nodedev_list_of_a_socket_activated_daemon_is_complete(tmp_path: Path) -> None:
    slow, held = tmp_path / "slow.conf", tmp_path / "held.conf"
    slow.write_text("nodedev_enumeration_delay = 2\n")
    held.write_text("nodedev_enumeration_delay = 8\n")
    for trial in range(20):
        config = held if trial < HELD_TRIALS else slow
        sock = tmp_path / f"sock{trial}"
        activator = subprocess.Popen(
            [
                "systemd-socket-activate",
                "-l",
                str(sock),
                "--fdname=virtrio.socket",
                sys.executable,
                "-m",
                "virtrio.server.cli",
                "daemon",
                "--config",
                str(config),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_socket(sock, activator)
            uri = f"nodedev+unix:///system?socket={sock}"
            results = {}

            lister = threading.Thread(target=first_list, args=(uri, results))
            lister.start()
            time.sleep(0.8)  # the daemon is up and enumerating
            version = subprocess.run(
                ["virsh", "-c", f"test+unix:///default?socket={sock}", "version"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            # Ordering, not timing: answered while the first list still waits (with a
            # held enumeration, seconds of margin however slow the machine).
            first_still_waits = lister.is_alive()
            lister.join()
            second = subprocess.run(["virsh", "-c", uri, "nodedev-list"], capture_output=True, text=True, timeout=60)
            first = results["first"]
            assert first.returncode == 0, first.stderr
            assert version.returncode == 0 and "TEST" in version.stdout
            if trial == 0:
                assert len(second.stdout.split()) > 3  # computer and at least some real devices
            assert first.stdout == second.stdout, f"trial {trial}: the first list was not complete"
            if config is held:
                assert first_still_waits, f"trial {trial}: virsh version was answered only after enumeration"
        finally:
            activator.send_signal(signal.SIGTERM)
            activator.wait(timeout=20)


def test_fifty_waiting_clients_and_a_call_that_does_not_wait(tmp_path: Path) -> None:
    daemon = start_daemon(tmp_path / "gate", config="nodedev_enumeration_delay = 6\nmax_client_requests = 1\n")
    try:
        results: list[list[str] | str] = []
        lock = threading.Lock()

        def waiter() -> None:
            try:
                client = RawClient(daemon.rw, timeout=60)
                client.open("nodedev:///system")
                names = listed_names(client)
                with lock:
                    results.append(names)
            except Exception as error:  # collected and asserted below
                with lock:
                    results.append(repr(error))

        threads = [threading.Thread(target=waiter) for _ in range(50)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        # A list sent on a client of its own, then a call to another driver on another
        # client: that answer comes while the list is still unanswered (ordering, not timing).
        watched = other_nodedev(daemon)
        watched.send_call(LIST_ALL, u32(1) + u32(0), serial=7)
        other = RawClient(daemon.rw)
        other.open()
        assert other.call(remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, u32(4) + b"test").header.status == Status.OK
        watched.sock.setblocking(False)
        try:
            early = watched.sock.recv(1)
        except BlockingIOError:
            early = b""
        assert early == b"", "a call to another driver was answered only after node devices"
        watched.sock.setblocking(True)
        # A waiting node-device call holds none of its client's call capacity (1 here):
        # the same client still gets other answers.
        mixed = RawClient(daemon.rw, timeout=30)
        mixed.open("nodedev:///system")
        mixed.send_call(LIST_ALL, u32(1) + u32(0), serial=50)
        reply = mixed.call(remote.REMOTE_PROC_CONNECT_GET_URI, serial=51)
        assert reply.header.status == Status.OK
        assert mixed.receive().header.serial == 50
        for thread in threads:
            thread.join(60)
        assert watched.receive().header.serial == 7
        final = listed_names(other_nodedev(daemon))
        assert len(results) == 50 and all(r == final for r in results), results[:2]
    finally:
        assert daemon.stop() == 0


def other_nodedev(daemon) -> RawClient:
    client = RawClient(daemon.rw)
    client.open("nodedev:///system")
    return client


def test_callers_get_a_clear_error_when_enumeration_takes_too_long(tmp_path: Path) -> None:
    daemon = start_daemon(tmp_path / "late", config="nodedev_enumeration_delay = 5\nnodedev_wait_timeout = 1\n")
    try:
        client = RawClient(daemon.rw, timeout=30)
        client.open("nodedev:///system")
        # (an answer that names the 1 s bound came before the 5 s enumeration ended)
        error = decode_error(client.call(LIST_ALL, u32(1) + u32(0)))
        assert (error.code, error.domain) == (1, 22)
        assert error.message == "internal error: node device enumeration did not finish within 1 seconds"
    finally:
        assert daemon.stop() == 0


def test_a_synthesized_tree(tmp_path: Path) -> None:
    tree = [
        {
            "sys_path": "/sys/devices/pci0000:00/0000:00:1f.2",
            "subsystem": "pci",
            "sys_name": "0000:00:1f.2",
            "driver": "ahci",
            "attributes": {"vendor": "0xfff0", "device": "0x2922", "class": "0x010601"},
        },
        {
            "sys_path": "/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0",
            "subsystem": "scsi",
            "sys_name": "host0",
            "devtype": "scsi_host",
        },
        {
            "sys_path": "/sys/devices/pci0000:00/0000:00:19.0/net/em1",
            "subsystem": "net",
            "sys_name": "em1",
            "attributes": {"address": "00:11:22:33:44:55", "operstate": "down", "type": "1"},
        },
        {"sys_path": "/sys/devices/virtual/tty/tty0", "subsystem": "tty", "sys_name": "tty0"},
    ]
    path = tmp_path / "tree.json"
    path.write_text(json.dumps(tree))
    daemon = start_daemon(tmp_path / "synthetic", config=f'nodedev_source = "synthetic:{path}"\n')
    try:
        client = other_nodedev(daemon)
        assert listed_names(client) == ["computer", "net_em1_00_11_22_33_44_55", "pci_0000_00_1f_2", "scsi_host0"]
        result = subprocess.run(
            ["virsh", "-c", f"nodedev+unix:///system?socket={daemon.rw}", "nodedev-dumpxml", "pci_0000_00_1f_2"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.stdout == (
            "<device>\n  <name>pci_0000_00_1f_2</name>\n  <path>/sys/devices/pci0000:00/0000:00:1f.2</path>\n"
            "  <parent>computer</parent>\n  <driver>\n    <name>ahci</name>\n  </driver>\n"
            "  <capability type='pci'>\n    <class>0x010601</class>\n    <domain>0</domain>\n    <bus>0</bus>\n"
            "    <slot>31</slot>\n    <function>2</function>\n    <product id='0x2922'/>\n"
            "    <vendor id='0xfff0'/>\n  </capability>\n</device>\n\n"
        )
        parent = subprocess.run(
            ["virsh", "-c", f"nodedev+unix:///system?socket={daemon.rw}", "nodedev-list", "--cap", "scsi_host"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert parent.stdout.split() == ["scsi_host0"]
        missing = subprocess.run(
            ["virsh", "-c", f"nodedev+unix:///system?socket={daemon.rw}", "nodedev-dumpxml", "nosuch"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "Node device not found: no node device with matching name 'nosuch'" in missing.stderr
    finally:
        assert daemon.stop() == 0


PYTHON_WATCHER = """
import sys, threading, time, libvirt
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
conn = libvirt.open(sys.argv[1])
def on_event(conn, dev, event, detail, opaque):
    print(dev.name(), event, flush=True)
conn.nodeDeviceEventRegisterAny(None, libvirt.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, on_event, None)
print("ready", flush=True)
time.sleep(float(sys.argv[2]))
"""


def read_lines_until(stream, predicate, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate(lines):
        line = stream.readline()
        if line:
            lines.append(line.strip())
    return lines


def test_hotplug_of_a_veth_pair_is_seen_and_announced(tmp_path: Path) -> None:
    daemon = start_daemon(tmp_path / "hotplug", "--verbose")
    names = ("vtv0", "vtv1")
    uri = f"nodedev+unix:///system?socket={daemon.rw}"
    virsh_events = subprocess.Popen(
        ["virsh", "-c", uri, "nodedev-event", "--loop", "--event", "lifecycle"], stdout=subprocess.PIPE, text=True
    )
    python_events = subprocess.Popen(
        ["/usr/bin/python3", "-c", PYTHON_WATCHER, uri, "30"], stdout=subprocess.PIPE, text=True
    )
    try:
        watcher = other_nodedev(daemon)
        listed_names(watcher)  # enumeration done
        register = remote.CODECS["remote_connect_node_device_event_register_any_args"].encode(
            remote.remote_connect_node_device_event_register_any_args(0, None)
        )
        assert watcher.call(remote.REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY, register).payload
        assert read_lines_until(python_events.stdout, lambda lines: "ready" in lines, 30)[-1] == "ready"
        time.sleep(1)  # virsh nodedev-event has registered too
        subprocess.run(["ip", "link", "add", names[0], "type", "veth", "peer", "name", names[1]], check=True)
        message_codec = remote.CODECS["remote_node_device_event_lifecycle_msg"]
        created = set()
        deadline = time.monotonic() + 15
        while len(created) < 2 and time.monotonic() < deadline:
            packet = watcher.receive()
            if packet.header.proc == remote.REMOTE_PROC_NODE_DEVICE_EVENT_LIFECYCLE:
                event = message_codec.decode(packet.payload)
                if event.event == 0:  # VIR_NODE_DEVICE_EVENT_CREATED
                    created.add(event.dev.name)
        assert {name.split("_")[1] for name in created} == set(names), created
        listing = set(listed_names(other_nodedev(daemon)))
        assert created <= listing  # the list was updated in the same step
        subprocess.run(["ip", "link", "del", names[0]], check=True)
        deleted = set()
        deadline = time.monotonic() + 15
        while len(deleted) < 2 and time.monotonic() < deadline:
            packet = watcher.receive()
            if packet.header.proc == remote.REMOTE_PROC_NODE_DEVICE_EVENT_LIFECYCLE:
                event = message_codec.decode(packet.payload)
                if event.event == 1:  # VIR_NODE_DEVICE_EVENT_DELETED
                    deleted.add(event.dev.name)
        assert deleted == created
        assert not created & set(listed_names(other_nodedev(daemon)))
        assert "kernel uevents" in daemon.log() or Path("/run/udev/control").exists()
        # the stock clients saw the same: two created, then two deleted
        expected = {f"{name} {kind}" for name in created for kind in (0, 1)}
        seen = read_lines_until(python_events.stdout, lambda lines: expected <= set(lines), 15)
        assert expected <= set(seen), seen
        virsh_seen = read_lines_until(virsh_events.stdout, lambda lines: sum("Deleted" in x for x in lines) >= 2, 15)
        for name in created:
            assert f"event 'lifecycle' for node device {name}: Created" in virsh_seen, virsh_seen
            assert f"event 'lifecycle' for node device {name}: Deleted" in virsh_seen, virsh_seen
    finally:
        subprocess.run(["ip", "link", "del", names[0]], capture_output=True)
        for process in (virsh_events, python_events):
            process.kill()
            process.wait()
        assert daemon.stop() == 0
