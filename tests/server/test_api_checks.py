"""The QEMU numbers server/api_checks.py and server/qemu_procs.py write down (so that a daemon
serving no QEMU call never loads its generated module) are the protocol's."""

from __future__ import annotations

from virtrio.protocol.generated import qemu
from virtrio.server import api_checks, qemu_procs


def test_the_qemu_numbers_are_the_protocols() -> None:
    assert api_checks.QEMU_PROGRAM == qemu.PROGRAM
    assert api_checks.QEMU_PROC_DOMAIN_ATTACH == qemu.QEMU_PROC_DOMAIN_ATTACH
    from_procedures = qemu_procs.QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER
    assert from_procedures == qemu.QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER
