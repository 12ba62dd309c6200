"""A node file as management tools' suites write them: a pool holding volumes of several
formats and every valid node device of libvirt's own test documents (PCI, USB, net, SCSI,
storage, mdev, CCW, AP...), listed, looked up and dumped with stock virsh against both
daemons: identical."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from interop.libvirt_source import find_source

# documents of distinct volumes (names and keys) in several formats: vmdk, iso, qcow2, raw
VOLUMES = (
    "vol-file-backing.xml",
    "vol-file-iso.xml",
    "vol-file-qcow2.xml",
    "vol-luks-cipher.xml",
    "vol-qcow2.xml",
    "vol-qcow2-luks.xml",
)
VOLUME_NAMES = ("sparse.img", "test.iso", "sparse-qcow2.img", "LuksDemo.img", "OtherDemo.img", "OtherDemoLuks.img")


@pytest.fixture(scope="module")
def node_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    tests = find_source() / "tests"
    by_name: dict[str, Path] = {}  # one document per device name (a second would replace the first)
    for path in sorted((tests / "nodedevschemadata").glob("*.xml")):
        found = re.search(r"<name>([^<]+)</name>", path.read_text())
        if "invalid" not in path.name and found is not None:
            by_name.setdefault(found.group(1), path)
    devices, names = list(by_name.values()), list(by_name)
    volumes = "".join(f"<volume file='{tests / 'storagevolxml2xmlin' / name}'/>" for name in VOLUMES)
    text = (
        "<node><pool type='dir'><name>images</name><uuid>35bb2ad9-388a-cdfe-461a-b8907f6e5555</uuid>"
        "<capacity>10737418240</capacity><allocation>0</allocation><available>10737418240</available>"
        f"<target><path>/var/lib/libvirt/images</path></target>{volumes}</pool>"
        + "".join(f"<device file='{path}'/>" for path in devices)
        + "</node>"
    )
    path = tmp_path_factory.mktemp("inventory") / "node.xml"
    path.write_text(text)
    return path, names


def outputs(socket_path: Path, node: Path, names: list[str]) -> list[str]:
    uri = f"test+unix://{node}?socket={socket_path}"

    def virsh(*arguments: str) -> str:
        result = subprocess.run(["virsh", "-c", uri, *arguments], capture_output=True, text=True, timeout=60)
        return f"rc={result.returncode}\n{result.stdout}{result.stderr}"

    commands = [
        ("pool-info", "images"),
        ("vol-list", "images", "--details"),
        ("vol-key", "/var/lib/libvirt/images/OtherDemo.img"),
    ]
    commands += [("vol-dumpxml", volume, "--pool", "images") for volume in VOLUME_NAMES]
    commands += [("nodedev-dumpxml", name) for name in names]
    commands += [("nodedev-info", name) for name in names[:5]]
    return [virsh(*command) for command in commands]


def test_node_file_pools_volumes_and_devices_as_libvirtd(both, node_file) -> None:
    node, names = node_file
    assert len(names) >= 35  # a few dozen devices of every kind libvirt's tests have
    ours = outputs(both["virtrio"].rw, node, names)
    theirs = outputs(both["libvirtd"].rw, node, names)
    assert ours == theirs
    assert all(output.startswith("rc=0") for output in ours), [output for output in ours if "rc=0" not in output]
