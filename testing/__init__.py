"""virtrio for other projects' tests: a real libvirt daemon (the test hypervisor) per test or
per session, from pytest fixtures (see ``virtrio.testing.plugin``) or by hand::

    from virtrio.testing import start_daemon

    with start_daemon(folder) as daemon:
        libvirt.open(daemon.uri)
"""

from __future__ import annotations

from .daemon import DaemonError, TestDaemon, start_daemon

__all__ = ["DaemonError", "TestDaemon", "start_daemon"]
