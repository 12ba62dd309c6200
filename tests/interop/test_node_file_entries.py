"""A node file's domains, networks, pools, volumes, interfaces and devices, well formed, malformed or given twice:
stock virsh against virtrio and libvirtd must see the same objects and the same errors."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

UUID = "11111111-2222-3333-4444-555555555555"
DEVICE = (
    "<device><name>{}</name><parent>computer</parent><capability type='net'><interface>eth9</interface>"
    "<address>00:11:22:33:44:55</address></capability></device>"
)


def pool(volumes: str = "", name: str = "p", uuid: str = "") -> str:
    uuid_element = f"<uuid>{uuid}</uuid>" if uuid else ""
    return (
        f"<pool type='dir'><name>{name}</name>{uuid_element}<capacity>1000000</capacity><allocation>0"
        f"</allocation><available>1000000</available><target><path>/p</path></target>{volumes}</pool>"
    )


def volume(name: str, allocation: int = 10, key: str = "") -> str:
    key_element = f"<key>{key}</key>" if key else ""
    sizes = f"<capacity>100</capacity><allocation>{allocation}</allocation>"
    return f"<volume><name>{name}</name>{key_element}{sizes}</volume>"


def domain(name: str, uuid: str = "") -> str:
    uuid_element = f"<uuid>{uuid}</uuid>" if uuid else ""
    return (
        f"<domain type='test'><name>{name}</name>{uuid_element}<memory>1024</memory><os><type>hvm</type></os></domain>"
    )


def network(name: str, uuid: str = "") -> str:
    uuid_element = f"<uuid>{uuid}</uuid>" if uuid else ""
    return f"<network><name>{name}</name>{uuid_element}<bridge name='virbr9'/></network>"


NODE_FILES = {
    "two volumes of one name": pool(volume("a", 10) + volume("a", 20)),
    "two volumes of one key": pool(volume("x", key="k") + volume("y", key="k")),
    "a volume with its own key": pool(volume("x", key="k")),
    "a volume without a name": pool("<volume><capacity>1</capacity></volume>"),
    "a pool given twice": pool(volume("a", 7), uuid=UUID) + pool(volume("x", 9), uuid=UUID),
    "two pools of one name": pool() + pool(),
    "a device given twice": DEVICE.format("d1") + DEVICE.format("d1"),
    "a device without a name": "<device><capability type='system'/></device>",
    "a device with an empty name": "<device><name></name><capability type='system'/></device>",
    "a device without capabilities": "<device><name>z</name></device>",
    "a device with a bad capability": "<device><name>d1</name><capability type='system'/></device>",
    "an interface given twice": (
        "<interface type='ethernet' name='e1'><start mode='onboot'/><mac address='aa:bb:cc:dd:ee:01'/></interface>"
        "<interface type='ethernet' name='e1'><mac address='aa:bb:cc:dd:ee:02'/></interface>"
    ),
    "an interface without a name": "<interface type='ethernet'/>",
    "a bad interface before a bad pool": "<interface type='bogus'/><pool type='dir'/>",
    "two domains of one name": domain("a") + domain("a"),
    "two domains of one UUID": domain("a", UUID) + domain("b", UUID),
    "a domain given twice": domain("a", UUID) + domain("a", UUID),
    "two networks of one name": network("n") + network("n"),
    "two networks of one UUID": network("n", UUID) + network("m", UUID),
    "a network given twice": network("n", UUID) + network("n", UUID),
}
COMMANDS = "; ".join(
    [
        "list --all",
        "net-list --all",
        "vol-list p --details",
        "vol-dumpxml --pool p x",
        "vol-key --pool p a",
        "pool-info p",
        "pool-list --all",
        "nodedev-dumpxml d1",
        "iface-list --all",
        "iface-dumpxml e1",
    ]
)


def virsh(socket_path: Path, node_file: Path) -> tuple[int, str, str]:
    uri = f"test+unix://{node_file}?socket={socket_path}"
    done = subprocess.run(["virsh", "-q", "-c", uri, COMMANDS], capture_output=True, text=True, timeout=60)
    # a pool without a UUID gets a random one from each daemon
    uuids = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    return done.returncode, uuids.sub("UUID", done.stdout), uuids.sub("UUID", done.stderr)


@pytest.mark.parametrize("case", NODE_FILES)
def test_entries_read_as_libvirtd_reads_them(both, tmp_path: Path, case: str) -> None:
    node_file = tmp_path / "node.xml"
    node_file.write_text(f"<node>{NODE_FILES[case]}</node>")
    answers = {name: virsh(daemon.rw, node_file) for name, daemon in both.items()}
    assert answers["virtrio"] == answers["libvirtd"]
