"""Answers libvirt 9.0.0's test driver makes up from a running domain's devices: memory
statistics only with a memory balloon, an error on every disk (unspecified and no-space in
turn), and two file systems on the first disk that is a disk."""

from __future__ import annotations

import json
import textwrap

from .daemon_process import DaemonProcess, python_libvirt

SCRIPT = """
import json, sys
import libvirt
conn = libvirt.open(sys.argv[1])
DOMAIN = '''<domain type='test'><name>guest1</name><memory>65536</memory>
<os><type>hvm</type></os><devices>
<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>
<disk type='file' device='disk'><source file='/var/lib/c.img'/><target dev='vdc' bus='virtio'/></disk>
<disk type='file' device='disk'><source file='/var/lib/b.img'/><target dev='vdb' bus='virtio'/></disk>
<memballoon model='%s'/></devices></domain>'''
result = {}
for model in ("none", "virtio"):
    dom = conn.createXML(DOMAIN % model, 0)
    result[model] = {
        "memory": dom.memoryStats(),
        "errors": dom.diskErrors(),
        "fsinfo": dom.fsInfo(),
        "disks": [line.split("dev='")[1].split("'")[0] for line in dom.XMLDesc(0).splitlines()
                  if "<target dev=" in line],
    }
    dom.destroy()
cdrom_only = conn.createXML(DOMAIN.replace("device='disk'", "device='cdrom'") % "none", 0)
result["cdrom only"] = cdrom_only.fsInfo()
print(json.dumps(result))
"""


def test_statistics_errors_and_file_systems_follow_the_devices(shared_daemon: DaemonProcess) -> None:
    ran = python_libvirt(textwrap.dedent(SCRIPT), shared_daemon.uri())
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(ran.stdout)

    assert result["none"]["memory"] == {}
    balloon = result["virtio"]["memory"]
    assert balloon["actual"] == 65536 and balloon["unused"] == 32768 and balloon["rss"] == 32768

    # in the order libvirt keeps the disks (its dumpxml order), whatever the document's
    disks = result["none"]["disks"]
    assert disks == ["hdc", "vdb", "vdc"]
    unspecified, no_space = 1, 2  # VIR_DOMAIN_DISK_ERROR_UNSPEC, VIR_DOMAIN_DISK_ERROR_NO_SPACE
    assert result["none"]["errors"] == {"hdc": unspecified, "vdb": no_space, "vdc": unspecified}

    first_disk = "vdb"  # hdc is a CD-ROM
    assert result["none"]["fsinfo"] == [
        ["/", f"{first_disk}1", "ext4", [first_disk]],
        ["/boot", f"{first_disk}2", "ext4", [first_disk]],
    ]
    assert result["cdrom only"] == []
