"""The XML of a large network, filter, binding or host interface is written in a worker thread
(large_documents.write_then), and so is a large network's update: the handler returns an
Offload, its answer is the one the loop gave before, and what another client changes while the
thread works neither tears that answer nor is lost."""

from __future__ import annotations

import functools
import gc
import weakref
from collections.abc import Callable
from typing import Any

import pytest

from virtrio.drivers import base
from virtrio.drivers.base import ConnectionContext, Offload
from virtrio.drivers.test import driver, large_documents
from virtrio.drivers.test.formats import network_definition_xml
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote as r
from virtrio.rpc.errors import LibvirtError

from .test_large_documents_off_loop import binding, interface, network, settled
from .test_large_documents_off_loop import nwfilter as nwfilter_text

ADD_LAST, DELETE, MODIFY = (
    api.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
    api.VIR_NETWORK_UPDATE_COMMAND_DELETE,
    api.VIR_NETWORK_UPDATE_COMMAND_MODIFY,
)
DHCP_HOST, PORTGROUP = api.VIR_NETWORK_SECTION_IP_DHCP_HOST, api.VIR_NETWORK_SECTION_PORTGROUP
LIVE, CONFIG = api.VIR_NETWORK_UPDATE_AFFECT_LIVE, api.VIR_NETWORK_UPDATE_AFFECT_CONFIG


def opened() -> Any:
    """A test:///default connection with a large network (started), filter, binding and interface."""
    conn = driver.TestDriver().open(ConnectionContext("test:///default", False, 1))
    settled(conn.network_define_xml(r.remote_network_define_xml_args(network("large"))))
    conn.network_create(r.remote_network_create_args(net_ref(conn)))
    settled(conn.nwfilter_define_xml(r.remote_nwfilter_define_xml_args(nwfilter_text())))
    settled(conn.nwfilter_binding_create_xml(r.remote_nwfilter_binding_create_xml_args(binding(), 0)))
    settled(conn.interface_define_xml(r.remote_interface_define_xml_args(interface(), 0)))
    return conn


def net_ref(conn: Any) -> r.remote_nonnull_network:
    return conn.network_lookup_by_name(r.remote_network_lookup_by_name_args("large")).net


def descriptions(conn: Any, with_binding: bool = True) -> dict[str, Any]:
    """What each XMLDesc handler returns for the large objects (an Offload or the answer)."""
    nwfilter_ref = conn.nwfilter_lookup_by_name(r.remote_nwfilter_lookup_by_name_args("large")).nwfilter
    iface = conn.interface_lookup_by_name(r.remote_interface_lookup_by_name_args("br7")).iface
    found = {
        "network": conn.network_get_xml_desc(r.remote_network_get_xml_desc_args(net_ref(conn), 0)),
        "filter": conn.nwfilter_get_xml_desc(r.remote_nwfilter_get_xml_desc_args(nwfilter_ref, 0)),
        "interface": conn.interface_get_xml_desc(r.remote_interface_get_xml_desc_args(iface, 0)),
    }
    if with_binding:
        port = conn.nwfilter_binding_lookup_by_port_dev(r.remote_nwfilter_binding_lookup_by_port_dev_args("vnet7"))
        found["binding"] = conn.nwfilter_binding_get_xml_desc(
            r.remote_nwfilter_binding_get_xml_desc_args(port.nwfilter, 0)
        )
    return found


def update(conn: Any, command: int, section: int, xml: str, flags: int = 0) -> Any:
    return conn.network_update(r.remote_network_update_args(net_ref(conn), command, section, -1, xml, flags))


def outcome(call: Callable[[], Any]) -> tuple[bool, Any]:
    """Whether the call returned an Offload, and its answer or error."""
    offloaded = False
    try:
        answer = call()
        offloaded = isinstance(answer, Offload)
        return offloaded, settled(answer)
    except LibvirtError as error:
        return offloaded, (error.code, error.domain, error.message)


def test_large_objects_are_written_in_a_worker_thread_with_the_same_text(monkeypatch: pytest.MonkeyPatch) -> None:
    in_thread = descriptions(opened())
    assert all(isinstance(offload, Offload) and offload.reply_in_thread for offload in in_thread.values())
    monkeypatch.setattr(large_documents, "FORMAT_IN_THREAD_PARTS", 1 << 30)
    on_loop = descriptions(opened())
    assert not any(isinstance(answer, Offload) for answer in on_loop.values())
    assert {kind: settled(offload) for kind, offload in in_thread.items()} == on_loop
    assert on_loop["network"].xml.count("<host ") == 3000


def test_small_objects_are_written_at_once() -> None:
    conn = driver.TestDriver().open(ConnectionContext("test:///default", False, 1))
    default = conn.network_lookup_by_name(r.remote_network_lookup_by_name_args("default")).net
    answer = conn.network_get_xml_desc(r.remote_network_get_xml_desc_args(default, 0))
    assert "<name>default</name>" in answer.xml


def test_a_change_made_while_the_thread_writes_does_not_tear_the_text() -> None:
    conn = opened()
    before = {kind: settled(offload).xml for kind, offload in descriptions(conn).items()}
    pending = descriptions(conn)
    # meanwhile, on the loop: every object changed or replaced
    settled(update(conn, DELETE, DHCP_HOST, "<host mac='52:54:00:00:00:05'/>", LIVE | CONFIG))
    settled(conn.nwfilter_define_xml(r.remote_nwfilter_define_xml_args(nwfilter_text().replace("accept", "drop"))))
    port = conn.nwfilter_binding_lookup_by_port_dev(r.remote_nwfilter_binding_lookup_by_port_dev_args("vnet7"))
    conn.nwfilter_binding_delete(r.remote_nwfilter_binding_delete_args(port.nwfilter))
    smaller = interface().replace("<interface type='ethernet' name='eth7'/>", "")
    settled(conn.interface_define_xml(r.remote_interface_define_xml_args(smaller, 0)))
    assert {kind: settled(offload).xml for kind, offload in pending.items()} == before
    after = {kind: settled(offload).xml for kind, offload in descriptions(conn, with_binding=False).items()}
    assert after["network"].count("<host ") == 2999
    assert "action='drop'" in after["filter"] and "action='accept'" not in after["filter"]
    assert "eth7'" not in after["interface"] and "eth7'" in before["interface"]


UPDATES = [
    (ADD_LAST, DHCP_HOST, "<host mac='52:54:00:aa:00:01' name='added' ip='10.1.200.1'/>", LIVE | CONFIG),
    (ADD_LAST, DHCP_HOST, "<host mac='52:54:00:aa:00:01' name='again' ip='10.1.200.2'/>", CONFIG),  # a duplicate
    (MODIFY, DHCP_HOST, "<host mac='52:54:00:00:00:09' name='renamed' ip='10.1.0.9'/>", 0),
    (DELETE, DHCP_HOST, "<host mac='52:54:00:00:00:0a'/>", CONFIG),
    (DELETE, DHCP_HOST, "<host mac='52:54:00:ff:ff:ff'/>", LIVE),  # none such
    (ADD_LAST, PORTGROUP, "<portgroup name='engineering' default='yes'/>", LIVE),
    (ADD_LAST, DHCP_HOST, "<range start='10.1.0.2' end='10.1.0.9'/>", LIVE),  # not a <host>
    (ADD_LAST, DHCP_HOST, "<host mac='52:54:00:aa:00:02' name='huge' ip='10.1.201.1'" + " " * 20000 + "/>", 0),
]


def updated(monkeypatch: pytest.MonkeyPatch, in_thread: bool) -> tuple[list[tuple[bool, Any]], list[str]]:
    """Each update's outcome and whether it went to a thread; then the live and the next XML."""
    if not in_thread:
        monkeypatch.setattr(large_documents, "FORMAT_IN_THREAD_PARTS", 1 << 30)
        monkeypatch.setattr(large_documents, "PARSE_IN_THREAD_BYTES", 1 << 30)
    conn = opened()
    outcomes = []
    for command, section, xml, flags in UPDATES:
        outcomes.append(outcome(functools.partial(update, conn, command, section, xml, flags)))
    live = settled(conn.network_get_xml_desc(r.remote_network_get_xml_desc_args(net_ref(conn), 0))).xml
    # (no call answers with the next definition: it is read from the state)
    return outcomes, [live, network_definition_xml(conn.state.networks["large"].persistent_definition)]


def test_a_large_network_is_updated_in_a_worker_thread_with_the_same_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    in_thread, texts_in_thread = updated(monkeypatch, True)
    on_loop, texts_on_loop = updated(monkeypatch, False)
    assert all(offloaded for offloaded, _ in in_thread)
    assert not any(offloaded for offloaded, _ in on_loop)
    assert [answer for _, answer in in_thread] == [answer for _, answer in on_loop]
    assert texts_in_thread == texts_on_loop
    errors = [i for i, (_, answer) in enumerate(on_loop) if isinstance(answer, tuple)]
    assert errors == [1, 4, 6]
    live, following = texts_on_loop
    assert "name='added'" in live and "name='renamed'" in live and "engineering" in live and "huge" in live
    assert "name='added'" in following and "52:54:00:00:00:0a" not in following and "engineering" not in following


def test_an_update_finished_after_another_change_is_made_on_top_of_it() -> None:
    conn = opened()
    first = update(conn, ADD_LAST, DHCP_HOST, "<host mac='52:54:00:aa:00:01' name='first' ip='10.1.200.1'/>")
    second = update(conn, ADD_LAST, DHCP_HOST, "<host mac='52:54:00:aa:00:02' name='second' ip='10.1.200.2'/>")
    clash = update(conn, ADD_LAST, DHCP_HOST, "<host mac='52:54:00:aa:00:03' name='second' ip='10.1.200.3'/>")
    assert isinstance(first, Offload) and isinstance(second, Offload) and isinstance(clash, Offload)
    # all three copied the same definition; the second ends first
    work = [first.work(), second.work(), clash.work()]
    assert second.then(work[1]) is None
    again = first.then(work[0])  # made again on top of the second: in a worker thread again
    assert isinstance(again, Offload)
    assert again.then(again.work()) is None
    again = clash.then(work[2])
    assert isinstance(again, Offload)
    with pytest.raises(LibvirtError, match="existing dhcp host entry"):
        again.work()  # its name is taken by now
    xml = settled(conn.network_get_xml_desc(r.remote_network_get_xml_desc_args(net_ref(conn), 0))).xml
    assert "name='first'" in xml and "name='second'" in xml and "10.1.200.3" not in xml
    assert xml.index("name='second'") < xml.index("name='first'")


def test_an_update_of_a_network_gone_meanwhile_reports_it() -> None:
    conn = opened()
    pending = update(conn, ADD_LAST, DHCP_HOST, "<host mac='52:54:00:aa:00:01' name='late' ip='10.1.200.1'/>")
    done = pending.work()
    net = net_ref(conn)
    conn.network_destroy(r.remote_network_destroy_args(net))
    conn.network_undefine(r.remote_network_undefine_args(net))
    with pytest.raises(LibvirtError, match="no network with matching uuid"):
        pending.then(done)


def test_an_interface_transaction_shares_the_definitions_and_rolls_back_to_them() -> None:
    conn = opened()
    iface = conn.interface_lookup_by_name(r.remote_interface_lookup_by_name_args("br7")).iface
    before = settled(conn.interface_get_xml_desc(r.remote_interface_get_xml_desc_args(iface, 0))).xml
    conn.interface_change_begin(r.remote_interface_change_begin_args(0))
    assert conn.state.interface_backup["br7"].definition is conn.state.interfaces["br7"].definition
    smaller = interface().replace("<interface type='ethernet' name='eth7'/>", "")
    settled(conn.interface_define_xml(r.remote_interface_define_xml_args(smaller, 0)))
    changed = settled(conn.interface_get_xml_desc(r.remote_interface_get_xml_desc_args(iface, 0))).xml
    conn.interface_change_rollback(r.remote_interface_change_rollback_args(0))
    after = settled(conn.interface_get_xml_desc(r.remote_interface_get_xml_desc_args(iface, 0))).xml
    assert changed != before and after == before


def test_what_a_change_replaces_or_removes_is_freed_after_the_reply() -> None:
    # (freeing 40,000 DHCP hosts takes milliseconds: not before the reply is sent)
    conn = opened()
    network = conn.state.networks["large"]
    nwfilter = conn.state.nwfilters["large"]
    bridge = conn.state.interfaces["br7"].definition
    replaced = [weakref.ref(thing) for thing in (network.definition, nwfilter, bridge)]
    base.RELEASE_AFTER_REPLY.clear()
    settled(update(conn, DELETE, DHCP_HOST, "<host mac='52:54:00:00:00:05'/>", LIVE))
    settled(conn.nwfilter_define_xml(r.remote_nwfilter_define_xml_args(nwfilter_text().replace("accept", "drop"))))
    smaller = interface().replace("<interface type='ethernet' name='eth7'/>", "")
    settled(conn.interface_define_xml(r.remote_interface_define_xml_args(smaller, 0)))
    del network, nwfilter, bridge
    gc.collect()
    assert all(ref() is not None for ref in replaced)
    base.RELEASE_AFTER_REPLY.clear()  # what the server does once the reply is written
    gc.collect()
    assert all(ref() is None for ref in replaced)
