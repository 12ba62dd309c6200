"""A test:/// node's state goes the moment its last connection closes (issue 14): no
reference cycle keeps it waiting for a full garbage collection."""

from __future__ import annotations

import gc
import weakref

from virtrio.drivers.base import ConnectionContext
from virtrio.drivers.test import driver as test_driver
from virtrio.protocol.generated import remote


def test_default_state_is_freed_without_a_garbage_collection() -> None:
    driver = test_driver.TestDriver()
    was_enabled = gc.isenabled()
    gc.disable()  # freed by reference counting alone, or not at all
    try:
        conn = driver.open(ConnectionContext("test:///default", False, 1))
        state = weakref.ref(conn.state)
        found = conn.domain_lookup_by_name(remote.remote_domain_lookup_by_name_args("test"))
        conn.connect_list_all_domains(remote.remote_connect_list_all_domains_args(1, 0))
        conn.domain_suspend(remote.remote_domain_suspend_args(found.dom))
        conn.domain_destroy(remote.remote_domain_destroy_args(found.dom))
        second = driver.open(ConnectionContext("test:///default", True, 2))
        conn.close()
        del conn, found
        assert state() is not None, "another connection still uses the node"
        second.close()
        del second
        assert state() is None, "the node's state outlived its last connection"
    finally:
        if was_enabled:
            gc.enable()
