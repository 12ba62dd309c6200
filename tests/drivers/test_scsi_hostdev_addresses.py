"""SCSI host devices without an address get the first free unit from controller 0 on
(virDomainHostdevAssignAddress with virDomainControllerSCSINextUnit): units a SCSI disk or
another host device holds are skipped, host devices given an address later in the document
included; the test driver's buses are narrow (units 0 to 6)."""

from __future__ import annotations

import re
from typing import Any

from virtrio.drivers.base import ConnectionContext, Offload
from virtrio.drivers.test import driver
from virtrio.protocol.generated import remote


def _hostdev(number: int, address: str = "") -> str:
    return (
        f"<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host{number}'/>"
        f"<address bus='0' target='0' unit='0'/></source>{address}</hostdev>"
    )


def _settled(answer: Any) -> Any:
    """A large document is read (and written) in a worker thread: the answer once it is."""
    return answer.then(answer.work()) if isinstance(answer, Offload) else answer


def _drives(devices: str) -> list[tuple[int, int]]:
    conn = driver.TestDriver().open(ConnectionContext("test:///default", False, 1))
    xml = (
        "<domain type='test'><name>n</name><memory>1024</memory><os><type>hvm</type></os>"
        f"<devices>{devices}</devices></domain>"
    )
    ret = _settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(xml)))
    written = _settled(conn.domain_get_xml_desc(remote.remote_domain_get_xml_desc_args(ret.dom, 0))).xml
    hostdevs = re.findall(r"<hostdev .*?</hostdev>", written, re.S)
    drive = r"<address type='drive' controller='(\d+)' bus='0' target='0' unit='(\d+)'/>"
    return [(int(found[0]), int(found[1])) for hostdev in hostdevs for found in re.findall(drive, hostdev)]


def test_units_fill_controllers_in_order_around_disks_and_given_addresses() -> None:
    disk = (
        "<disk type='file' device='disk'><source file='/a'/><target dev='sda' bus='scsi'/>"
        "<address type='drive' controller='0' bus='0' target='0' unit='2'/></disk>"
    )
    given = _hostdev(99, "<address type='drive' controller='1' bus='0' target='0' unit='1'/>")
    devices = disk + "".join(_hostdev(number) for number in range(8)) + given
    assert _drives(devices) == [(0, 0), (0, 1), (0, 3), (0, 4), (0, 5), (0, 6), (1, 0), (1, 2), (1, 1)]


def test_hundreds_of_host_devices_fill_one_controller_after_another() -> None:
    drives = _drives("".join(_hostdev(number) for number in range(300)))
    assert drives == [(number // 7, number % 7) for number in range(300)]
