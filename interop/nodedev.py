"""virtrio's node devices against libvirtd 9.0.0's own udev driver, on the machine at hand.

Both daemons read this machine's udev; virsh lists devices (plain, per capability, as a
tree) and dumps each one's XML from both. Prints each difference, then
``identical devices N/M`` (and the list comparisons).
"""

from __future__ import annotations

import difflib
import subprocess
import tempfile
from pathlib import Path

from .daemons import RunningDaemon, remove, start_libvirtd, start_virtrio

CAPABILITIES = (
    "system",
    "pci",
    "usb_device",
    "usb",
    "net",
    "scsi_host",
    "scsi_target",
    "scsi",
    "storage",
    "scsi_generic",
    "drm",
)


def virsh(daemon: RunningDaemon, *arguments: str) -> str:
    uri = f"nodedev+unix:///system?socket={daemon.rw}"
    result = subprocess.run(["virsh", "-c", uri, *arguments], capture_output=True, text=True, timeout=120)
    return f"rc={result.returncode}\n{result.stdout}{result.stderr}"


def run(fail_under: float | None = None) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="virtrio-nodedev-"))
    try:
        reference = start_libvirtd(workdir / "ref", modules=("nodedev",))
        ours = start_virtrio(workdir / "ours")
        try:
            virsh(reference, "nodedev-list")  # both have finished enumerating after one call
            commands = [("nodedev-list",), ("nodedev-list", "--tree")]
            commands += [("nodedev-list", "--cap", cap) for cap in CAPABILITIES]
            listing = virsh(reference, "nodedev-list").split("\n")[1:]
            devices = [name for name in listing if name.strip()]
            lists_identical = 0
            for command in commands:
                theirs, mine = virsh(reference, *command), virsh(ours, *command)
                if theirs == mine:
                    lists_identical += 1
                else:
                    show_diff(" ".join(command), theirs, mine)
            identical = 0
            for name in devices:
                theirs, mine = virsh(reference, "nodedev-dumpxml", name), virsh(ours, "nodedev-dumpxml", name)
                if theirs == mine:
                    identical += 1
                else:
                    show_diff(f"nodedev-dumpxml {name}", theirs, mine)
        finally:
            reference.stop()
            ours.stop()
    finally:
        remove(workdir)
    print(f"identical lists {lists_identical}/{len(commands)}")
    print(f"identical devices {identical}/{len(devices)}")
    score = 100.0 * identical / len(devices) if devices else 0.0
    if fail_under is not None and score < fail_under:
        print(f"score {score:.1f}% is under the gate of {fail_under}%")
        return 1
    return 0


def show_diff(label: str, theirs: str, mine: str) -> None:
    diff = difflib.unified_diff(theirs.splitlines(), mine.splitlines(), "libvirtd", "virtrio", lineterm="", n=1)
    print(f"DIFF {label}\n    " + "\n    ".join(list(diff)[2:16]))
