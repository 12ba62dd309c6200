"""What stock virsh shows of PCI node devices whose records hold what a real host's enumeration
reads (a recorded tree: bridges, PCI Express links, NUMA nodes), and that a device libvirt cannot
read is not listed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .daemon_process import start_daemon

ROOT_PORT = {
    "sys_path": "/sys/devices/pci0000:00/0000:00:1c.0",
    "subsystem": "pci",
    "sys_name": "0000:00:1c.0",
    "driver": "pcieport",
    "attributes": {
        "vendor": "0xfff0",
        "device": "0x8c10",
        "class": "0x060400",
        "numa_node": "1",
        "pci-header": "pci-bridge",
        "pci-express": "2 3 4 1 1",
    },
}
ENDPOINT = {
    "sys_path": "/sys/devices/pci0000:00/0000:00:1c.0/0000:3b:00.0",
    "subsystem": "pci",
    "sys_name": "0000:3b:00.0",
    "attributes": {
        "vendor": "0xfff0",
        "device": "0x0001",
        "class": "0x020000",
        "numa_node": "-1",
        "pci-express": "0 7 16 15 8",
    },
}
INTEGRATED = {
    "sys_path": "/sys/devices/pci0000:00/0000:00:1f.3",
    "subsystem": "pci",
    "sys_name": "0000:00:1f.3",
    "attributes": {"vendor": "0xfff0", "device": "0x0002", "class": "0x040300", "pci-express": "yes"},
}
UNREADABLE = {
    "sys_path": "/sys/devices/pci0000:00/0000:00:1f.4",
    "subsystem": "pci",
    "sys_name": "0000:00:1f.4",
    "attributes": {"vendor": "0xfff0", "device": "0x0003", "pci-dropped": "Unknown PCI header type '3'"},
}


def virsh(daemon, *arguments: str) -> str:
    uri = f"nodedev+unix:///system?socket={daemon.rw}"
    result = subprocess.run(["virsh", "-c", uri, *arguments], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_pci_devices_of_a_real_host(tmp_path: Path) -> None:
    tree = tmp_path / "tree.json"
    tree.write_text(json.dumps([ROOT_PORT, ENDPOINT, INTEGRATED, UNREADABLE]))
    daemon = start_daemon(tmp_path / "pci", config=f'nodedev_source = "synthetic:{tree}"\n')
    try:
        assert virsh(daemon, "nodedev-list", "--cap", "pci").split() == [
            "pci_0000_00_1c_0",
            "pci_0000_00_1f_3",
            "pci_0000_3b_00_0",
        ]
        assert virsh(daemon, "nodedev-dumpxml", "pci_0000_00_1c_0") == (
            "<device>\n"
            "  <name>pci_0000_00_1c_0</name>\n"
            "  <path>/sys/devices/pci0000:00/0000:00:1c.0</path>\n"
            "  <parent>computer</parent>\n"
            "  <driver>\n"
            "    <name>pcieport</name>\n"
            "  </driver>\n"
            "  <capability type='pci'>\n"
            "    <class>0x060400</class>\n"
            "    <domain>0</domain>\n"
            "    <bus>0</bus>\n"
            "    <slot>28</slot>\n"
            "    <function>0</function>\n"
            "    <product id='0x8c10'/>\n"
            "    <vendor id='0xfff0'/>\n"
            "    <capability type='pci-bridge'/>\n"
            "    <numa node='1'/>\n"
            "    <pci-express>\n"
            "      <link validity='cap' port='2' speed='8' width='4'/>\n"
            "      <link validity='sta' speed='2.5' width='1'/>\n"
            "    </pci-express>\n"
            "  </capability>\n"
            "</device>\n\n"
        )
        endpoint = virsh(daemon, "nodedev-dumpxml", "pci_0000_3b_00_0")
        assert "<parent>pci_0000_00_1c_0</parent>" in endpoint and "<numa" not in endpoint
        assert (
            "    <vendor id='0xfff0'/>\n"
            "    <pci-express>\n"
            "      <link validity='cap' port='0' speed='(null)' width='16'/>\n"
            "      <link validity='sta' speed='(null)' width='8'/>\n"
            "    </pci-express>\n"
            "  </capability>\n"
        ) in endpoint
        assert "    <vendor id='0xfff0'/>\n    <pci-express/>\n  </capability>\n" in virsh(
            daemon, "nodedev-dumpxml", "pci_0000_00_1f_3"
        )
    finally:
        assert daemon.stop() == 0
