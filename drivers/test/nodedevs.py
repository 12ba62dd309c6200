"""Node devices of test:///default: the computer and two Fibre Channel SCSI hosts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TestNodeDevice:
    name: str
    parent: str | None
    caps: tuple[str, ...]
    xml: str
    wwnn: str | None = None
    wwpn: str | None = None


COMPUTER_XML = """<device>
  <name>computer</name>
  <capability type='system'>
    <hardware>
      <vendor>Libvirt</vendor>
      <version>Test driver</version>
      <serial>123456</serial>
      <uuid>11111111-2222-3333-4444-555555555555</uuid>
    </hardware>
    <firmware>
      <vendor>Libvirt</vendor>
      <version>Test Driver</version>
      <release_date>01/22/2007</release_date>
    </firmware>
  </capability>
</device>
"""


def fc_host(host: int, unique_id: int, wwn: str, fabric: str) -> TestNodeDevice:
    name = f"scsi_host{host}"
    xml = f"""<device>
  <name>{name}</name>
  <parent>computer</parent>
  <capability type='scsi_host'>
    <host>{host}</host>
    <unique_id>{unique_id}</unique_id>
    <capability type='fc_host'>
      <wwnn>20000000{wwn}</wwnn>
      <wwpn>10000000{wwn}</wwpn>
      <fabric_wwn>20000000{fabric}</fabric_wwn>
    </capability>
    <capability type='vport_ops'>
      <max_vports>0</max_vports>
      <vports>0</vports>
    </capability>
  </capability>
</device>
"""
    return TestNodeDevice(name, "computer", ("scsi_host", "fc_host", "vport_ops"), xml, f"20000000{wwn}",
                          f"10000000{wwn}")  # fmt: skip


def default_node_devices() -> dict[str, TestNodeDevice]:
    devices = [
        TestNodeDevice("computer", None, ("system",), COMPUTER_XML),
        fc_host(1, 0, "12341234", "43214321"),
        fc_host(2, 1, "56785678", "87658765"),
    ]
    return {d.name: d for d in devices}
