"""PCI node devices against libvirtd 9.0.0's own udev driver on crafted configuration spaces.

In a private mount namespace (``unshare -m``), this machine's PCI devices get crafted
``config`` and ``numa_node`` files bind-mounted over their sysfs ones (the device folders stay
sysfs, which libudev insists on); both daemons start there, and virsh's listings and dumps
from each must be identical. The spaces hold what real hosts have and this VM does not:
bridges, links at every speed (and unknown ones), integrated endpoints, extended spaces,
unaligned capability pointers, and what makes libvirt drop a device (an unknown header
type, a numa_node that is not a number).

SR-IOV functions, IOMMU groups and mdev types need new sysfs entries, which bind mounts cannot
add to a sysfs folder, and libudev refuses a device folder that is not sysfs. But both daemons
re-read those on each dumpxml with plain file calls: so in the "dynamic" round whole device
folders are replaced by crafted ones after both have enumerated.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEVICES = "/sys/devices/pci0000:00"


def space(
    header: int = 0,
    capabilities: tuple[tuple[int, int, int], ...] = (),
    express: tuple[int, int, int, int] | None = None,
    length: int = 256,
    status: int = 0x10,
    first: int = 0x40,
) -> bytes:
    data = bytearray(max(length, 256))
    data[0x06], data[0x0E], data[0x34] = status, header, first
    for offset, capability, following in capabilities:
        data[offset], data[offset + 1] = capability, following
    if express is not None:
        at, flags, link_cap, link_sta = express
        data[at + 2 : at + 4] = flags.to_bytes(2, "little")
        data[at + 0x0C : at + 0x10] = link_cap.to_bytes(4, "little")
        data[at + 0x12 : at + 0x14] = link_sta.to_bytes(2, "little")
    return bytes(data[:length])


def link(port: int, speed: int, width: int) -> int:
    return port << 24 | width << 4 | speed


# per round: address -> (configuration space, numa_node)
ROUNDS = {
    "links": {
        # an endpoint: x16 at 8 GT/s capable, trained x8 at 5 GT/s, port 3; NUMA node 1
        "0000:00:01.0": (
            space(capabilities=((0x40, 0x01, 0x60), (0x60, 0x10, 0)), express=(0x60, 0x02, link(3, 3, 16), 0x82)),
            "1",
        ),
        # a multi-function PCI bridge; an unaligned pointer; a root port at unknown speeds
        "0000:00:02.0": (
            space(0x81, ((0x41, 0x10, 0),), (0x41, 0x42, link(255, 9, 32), 63 << 4 | 15), first=0x41),
            "0",
        ),
        # a CardBus bridge with an extended space and no capability list
        "0000:00:03.0": (space(2, length=4096, status=0), "-1"),
        # an integrated endpoint of the root complex: PCI Express without a link
        "0000:00:04.0": (
            space(capabilities=((0x50, 0x10, 0),), first=0x50, express=(0x50, 0x92, 0x12345678, 0x1111)),
            "2",
        ),
        # 64 GT/s capable, no status speed
        "0000:00:05.0": (space(capabilities=((0x40, 0x10, 0),), express=(0x40, 0x02, link(0, 6, 1), 2 << 4)), "+3"),
    },
    "dropped": {
        "0000:00:01.0": (space(3), "-1"),  # an unknown header type
        "0000:00:02.0": (space(), "abc"),  # a numa_node that is not a number
        "0000:00:03.0": (space(first=0xFF, capabilities=((0xFC, 0x10, 0),)), "7"),  # 0xff ends the walk
        # a short space whose express capability is the list's second; 32 GT/s both ways
        "0000:00:04.0": (
            space(
                capabilities=((0x40, 0x01, 0x48), (0x48, 0x10, 0)),
                express=(0x48, 0x52, link(7, 5, 4), 0x45),
                length=200,
            ),
            "0",
        ),
        "0000:00:05.0": (space(0x7F), "0"),  # another unknown header type
    },
}
COMMANDS = [["nodedev-list"], ["nodedev-list", "--cap", "pci"], ["nodedev-list", "--tree"]]
ROUNDS["dynamic"] = {}  # no crafted spaces: folders after enumeration (crafted_folders)
DYNAMIC_COMMANDS = [
    ["nodedev-list", "--cap", "mdev_types"],  # a listing by capability re-reads each device first
    *[["nodedev-dumpxml", f"pci_0000_00_0{n}_0"] for n in (3, 4, 5)],
    ["nodedev-list", "--cap", "pci"],
]


def crafted_folders(work: Path) -> dict[str, Path]:
    """An SR-IOV physical function offering two mdev types, one of its virtual functions, a
    device capable of no VFs, in IOMMU groups (one without a devices folder)."""

    def folder(address: str) -> Path:
        real, crafted = Path(DEVICES, address), work / address
        crafted.mkdir()
        for name in ("uevent", "class", "vendor", "device", "subsystem_vendor", "subsystem_device", "numa_node"):
            (crafted / name).write_bytes((real / name).read_bytes())
        (crafted / "config").write_bytes(space())
        for name in ("subsystem", "driver"):
            if (real / name).is_symlink():
                os.symlink(os.readlink(real / name), crafted / name)
        return crafted

    shared = work / "groups/12"
    (shared / "devices").mkdir(parents=True)
    for member in ("0000:00:03.0", "0000:00:01.0", "0000:00:04.0"):
        os.symlink(f"{DEVICES}/{member}", shared / "devices" / member)
    physical = folder("0000:00:03.0")
    (physical / "sriov_totalvfs").write_text("7\n")
    os.symlink("../0000:00:04.0", physical / "virtfn0")
    os.symlink("../0000:00:05.0", physical / "virtfn1")
    os.symlink(shared, physical / "iommu_group")
    for type_id, title, api_name, count in (
        ("nvidia-35", "GRID M60-2Q", "vfio-pci", "4"),
        ("i915-GVTg_V5_8", None, "vfio-pci", "0"),
    ):
        offered = physical / "mdev_supported_types" / type_id
        offered.mkdir(parents=True)
        if title is not None:
            (offered / "name").write_text(title + "\n")
        (offered / "device_api").write_text(api_name + "\n")
        (offered / "available_instances").write_text(count + "\n")
    virtual = folder("0000:00:04.0")
    os.symlink("../0000:00:03.0", virtual / "physfn")
    os.symlink(shared, virtual / "iommu_group")
    incapable = folder("0000:00:05.0")
    (incapable / "sriov_totalvfs").write_text("0\n")
    (work / "groups/3").mkdir()
    os.symlink(work / "groups/3", incapable / "iommu_group")
    return {"0000:00:03.0": physical, "0000:00:04.0": virtual, "0000:00:05.0": incapable}


def inside(round_name: str, output: str) -> None:
    """In the private namespace: bind the crafted files, start both daemons, record virsh."""
    sys.path.insert(0, str(ROOT))
    from interop.daemons import start_libvirtd, start_virtrio

    work = Path(tempfile.mkdtemp(prefix="virtrio-pci-"))
    try:
        plan = ROUNDS[round_name]
        for address, (config, numa) in plan.items():
            for name, data in (("config", config), ("numa_node", numa.encode() + b"\n")):
                crafted = work / f"{address}-{name}"
                crafted.write_bytes(data)
                subprocess.run(["mount", "--bind", str(crafted), f"{DEVICES}/{address}/{name}"], check=True)
        reference = start_libvirtd(work / "ref", modules=("nodedev",))
        ours = start_virtrio(work / "ours")

        def both(command: list[str]) -> list[str]:
            answers = [" ".join(command)]
            for daemon in (reference, ours):
                uri = f"nodedev+unix:///system?socket={daemon.rw}"
                done = subprocess.run(["virsh", "-c", uri, *command], capture_output=True, text=True, timeout=60)
                answers.append(f"rc={done.returncode}\n{done.stdout}{done.stderr}")
            return answers

        try:
            commands = COMMANDS + [["nodedev-dumpxml", "pci_" + a.replace(":", "_").replace(".", "_")] for a in plan]
            if round_name == "dynamic":
                both(["nodedev-list"])  # both have enumerated
                for address, crafted in crafted_folders(work).items():
                    subprocess.run(["mount", "--bind", str(crafted), f"{DEVICES}/{address}"], check=True)
                commands = DYNAMIC_COMMANDS
            Path(output).write_text(json.dumps([both(command) for command in commands]))
        finally:
            for daemon in (reference, ours):
                daemon.process.terminate()
                daemon.process.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def usable() -> str | None:
    if os.geteuid() != 0:
        return "needs root (configuration space and bind mounts)"
    if not Path("/usr/sbin/libvirtd").exists() or shutil.which("unshare") is None:
        return "needs libvirtd and unshare"
    wanted = {a for plan in ROUNDS.values() for a in plan} | {f"0000:00:0{n}.0" for n in (1, 3, 4, 5)}
    missing = [a for a in wanted if not Path(DEVICES, a, "config").exists()]
    if missing:
        return f"needs PCI devices {', '.join(sorted(set(missing)))}"
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return None if probe.returncode == 0 else "cannot make a mount namespace here"


REASON = usable()


@pytest.mark.libvirtd  # it starts libvirtd in the namespace, where conftest's scan cannot see
@pytest.mark.skipif(REASON is not None, reason=REASON or "")
@pytest.mark.parametrize("round_name", sorted(ROUNDS))
def test_crafted_pci_spaces_as_libvirtd_shows_them(tmp_path: Path, round_name: str) -> None:
    output = tmp_path / "results.json"
    done = subprocess.run(
        ["unshare", "-m", "--propagation", "private", sys.executable, __file__, round_name, str(output)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(output.read_text())
    for command, theirs, mine in results:
        assert mine == theirs, command
    shown = "".join(theirs for _, theirs, _ in results)
    # the crafted spaces reached libvirtd (not the machine's own plain devices)
    if round_name == "dynamic":
        assert results[0][1].split()[1:] == ["pci_0000_00_03_0"]
        for part in ("maxCount='7'", "<type id='nvidia-35'>", "<iommuGroup number='3'>", "phys_function"):
            assert part in shown, part
    elif round_name == "links":
        for part in ("pci-bridge", "cardbus-bridge", "speed='(null)'", "speed='64'", "<numa node='3'/>", "port='3'"):
            assert part in shown, part
    else:
        listed = results[0][1]
        assert "pci_0000_00_01_0" not in listed and "pci_0000_00_02_0" not in listed
        assert "pci_0000_00_04_0" in listed and "speed='32'" in shown


if __name__ == "__main__":
    inside(sys.argv[1], sys.argv[2])
