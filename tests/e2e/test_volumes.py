"""Storage volumes beyond libvirt's test driver: upload, download, resize and wipe, with
stock virsh and libvirt-python, and the pool lifecycle's events."""

from __future__ import annotations

import os
from pathlib import Path

from .daemon_process import DaemonProcess, python_libvirt, virsh


def session(daemon: DaemonProcess, *commands: str) -> str:
    """Several virsh commands on one connection (test:///default resets between connections)."""
    result = virsh(daemon, " ; ".join(commands))
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_upload_then_download_gives_the_bytes_back(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    payload = os.urandom(700_000)  # several stream packets
    (tmp_path / "in").write_bytes(payload)
    (tmp_path / "ten").write_bytes(payload[:10])
    session(
        shared_daemon,
        "vol-create-as default-pool data.img 1M",
        f"vol-upload data.img {tmp_path / 'in'} --pool default-pool",
        f"vol-download data.img {tmp_path / 'all'} --pool default-pool",
        f"vol-download data.img {tmp_path / 'part'} --pool default-pool --offset 1000 --length 5000",
        f"vol-upload data.img {tmp_path / 'ten'} --pool default-pool --offset 300000 --length 10",
        f"vol-download data.img {tmp_path / 'patched'} --pool default-pool --length 300010",
    )
    whole = (tmp_path / "all").read_bytes()
    assert len(whole) == 1 << 20  # the capacity: what was never written reads as zeros
    assert whole[: len(payload)] == payload and whole[len(payload) :] == bytes((1 << 20) - len(payload))
    assert (tmp_path / "part").read_bytes() == payload[1000:6000]
    assert (tmp_path / "patched").read_bytes() == payload[:300000] + payload[:10]


def test_sparse_download_sends_the_unwritten_tail_as_a_hole(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    (tmp_path / "in").write_bytes(b"head")
    session(
        shared_daemon,
        "vol-create-as default-pool sparse.img 64M",
        f"vol-upload sparse.img {tmp_path / 'in'} --pool default-pool",
        f"vol-download sparse.img {tmp_path / 'out'} --pool default-pool --sparse",
    )
    out = tmp_path / "out"
    assert out.stat().st_size == 64 << 20
    assert out.read_bytes()[:4] == b"head"
    assert out.stat().st_blocks * 512 < 1 << 20  # virsh punched the hole instead of writing zeros


def test_upload_longer_than_announced_fails_the_stream_only(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    (tmp_path / "in").write_bytes(bytes(4096))
    result = virsh(
        shared_daemon,
        f"vol-create-as default-pool l.img 1M ; vol-upload l.img {tmp_path / 'in'} --pool default-pool --length 10"
        " ; vol-info l.img --pool default-pool",
    )
    assert "invalid argument: more data than the upload's length" in result.stderr
    assert "Name:           l.img" in result.stdout  # the connection carried on


def test_upload_past_the_capacity_is_refused(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    (tmp_path / "in").write_bytes(bytes(2048))
    result = virsh(
        shared_daemon,
        f"vol-create-as default-pool small.img 1K ; vol-upload small.img {tmp_path / 'in'} --pool default-pool",
    )
    assert result.returncode == 1
    assert "invalid argument: data past the volume's capacity of 1024 bytes" in result.stderr


def test_resize_follows_the_storage_drivers_rules(shared_daemon: DaemonProcess) -> None:
    out = session(
        shared_daemon,
        "vol-create-as default-pool grow.img 1M --allocation 0",
        "vol-resize grow.img 2M --pool default-pool",
        "vol-info grow.img --pool default-pool --bytes",
        "vol-resize grow.img 1M --pool default-pool --delta",
        "vol-info grow.img --pool default-pool --bytes",
    )
    assert "Capacity:       2097152 bytes" in out and "Capacity:       3145728 bytes" in out
    refused = virsh(
        shared_daemon, "vol-create-as default-pool s.img 2M --allocation 0 ; vol-resize s.img 1M --pool default-pool"
    )
    assert refused.returncode == 1
    assert "Can't shrink capacity below current capacity unless shrink flag explicitly specified" in refused.stderr
    shrunk = session(
        shared_daemon,
        "vol-create-as default-pool s.img 2M --allocation 0",
        "vol-resize s.img 1M --pool default-pool --shrink",
        "vol-info s.img --pool default-pool --bytes",
    )
    assert "Capacity:       1048576 bytes" in shrunk


def test_wipe_clears_the_data(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    (tmp_path / "in").write_bytes(b"secret" * 100)
    session(
        shared_daemon,
        "vol-create-as default-pool w.img 1K",
        f"vol-upload w.img {tmp_path / 'in'} --pool default-pool",
        "vol-wipe w.img --pool default-pool",
        f"vol-download w.img {tmp_path / 'out'} --pool default-pool",
    )
    assert (tmp_path / "out").read_bytes() == bytes(1024)


def test_libvirt_python_streams_a_volume_both_ways(shared_daemon: DaemonProcess) -> None:
    script = """
import sys, libvirt
conn = libvirt.open(sys.argv[1])
pool = conn.storagePoolLookupByName("default-pool")
vol = pool.createXML("<volume><name>py.img</name><capacity>4096</capacity></volume>", 0)
stream = conn.newStream(0)
vol.upload(stream, 0, 0, 0)
stream.send(b"libvirt-python" * 10)
stream.finish()
stream = conn.newStream(0)
vol.download(stream, 0, 140, 0)
received = b""
while True:
    chunk = stream.recv(65536)
    if not chunk:
        break
    received += chunk
stream.finish()
print(received == b"libvirt-python" * 10)
"""
    result = python_libvirt(script, shared_daemon.uri())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def _resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_one_byte_at_the_end_of_a_large_volume_costs_one_block(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    """Volume data is kept sparse: writing the last byte of 256 MiB does not allocate 256 MiB,
    and the holes before it are sent as holes."""
    (tmp_path / "one").write_bytes(b"Z")
    before = _resident_kib(shared_daemon.process.pid)
    session(
        shared_daemon,
        "vol-create-as default-pool tail.img 256M",
        f"vol-upload tail.img {tmp_path / 'one'} --pool default-pool --offset {(256 << 20) - 1} --length 1",
        f"vol-download tail.img {tmp_path / 'out'} --pool default-pool --sparse",
        "vol-delete tail.img --pool default-pool",
    )
    assert _resident_kib(shared_daemon.process.pid) - before < 32 << 10  # far below 256 MiB
    out = tmp_path / "out"
    assert out.stat().st_size == 256 << 20
    with out.open("rb") as data:
        data.seek((256 << 20) - 2)
        assert data.read() == b"\0Z"
    assert out.stat().st_blocks * 512 < 4 << 20
