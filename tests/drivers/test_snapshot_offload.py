"""Snapshot calls whose document is read in a worker thread (drivers.base.Offload): the read
changes nothing, and what happens to the domain between the read and its end on the event loop
is seen as libvirtd, which holds the domain's lock throughout, would have seen it had it come
first (an undefined domain is not found, a deleted snapshot is not found)."""

from __future__ import annotations

from typing import Any

import pytest

from virtrio.drivers.base import ConnectionContext, Offload
from virtrio.drivers.test import driver
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError

# per-vCPU states of many vCPUs: a small definition that is read in a worker thread
# (parse.parse_in_thread)
LISTED = (
    "<domain type='test'><name>big</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>"
    "<memory>1024</memory><vcpu>300</vcpu><vcpus><vcpu id='0' enabled='yes'/></vcpus>"
    "<os><type>hvm</type></os></domain>"
)


def settled(answer: Any) -> Any:
    return answer.then(answer.work()) if isinstance(answer, Offload) else answer


@pytest.fixture
def conn() -> Any:
    return driver.TestDriver().open(ConnectionContext("test:///default", False, 1))


def define(conn: Any) -> remote.remote_nonnull_domain:
    return settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(LISTED))).dom


def undefine(conn: Any, dom: remote.remote_nonnull_domain) -> None:
    flags = api.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
    conn.domain_undefine_flags(remote.remote_domain_undefine_flags_args(dom, flags))


def test_reverting_to_a_snapshot_of_a_domain_undefined_during_the_read_finds_no_domain(conn: Any) -> None:
    dom = define(conn)
    made = conn.domain_snapshot_create_xml(remote.remote_domain_snapshot_create_xml_args(dom, "<domainsnapshot/>", 0))
    snap = settled(made).snap
    answer = conn.domain_revert_to_snapshot(remote.remote_domain_revert_to_snapshot_args(snap, 0))
    assert isinstance(answer, Offload)
    config = answer.work()
    undefine(conn, dom)  # another client, meanwhile
    with pytest.raises(LibvirtError) as refused:
        answer.then(config)
    assert refused.value.code == api.VIR_ERR_NO_DOMAIN
    assert "big" not in conn.state.domains  # not brought back by the revert


def test_reverting_to_a_snapshot_deleted_during_the_read_finds_no_snapshot(conn: Any) -> None:
    dom = define(conn)
    made = conn.domain_snapshot_create_xml(remote.remote_domain_snapshot_create_xml_args(dom, "<domainsnapshot/>", 0))
    snap = settled(made).snap
    answer = conn.domain_revert_to_snapshot(remote.remote_domain_revert_to_snapshot_args(snap, 0))
    assert isinstance(answer, Offload)
    config = answer.work()
    conn.domain_snapshot_delete(remote.remote_domain_snapshot_delete_args(snap, 0))
    with pytest.raises(LibvirtError) as refused:
        answer.then(config)
    assert refused.value.code == api.VIR_ERR_NO_DOMAIN_SNAPSHOT


def test_reverting_after_the_read_acts_on_the_domain(conn: Any) -> None:
    dom = define(conn)
    made = conn.domain_snapshot_create_xml(remote.remote_domain_snapshot_create_xml_args(dom, "<domainsnapshot/>", 0))
    snap = settled(made).snap
    conn.domain_create(remote.remote_domain_create_args(dom))
    answer = conn.domain_revert_to_snapshot(remote.remote_domain_revert_to_snapshot_args(snap, 0))
    assert isinstance(answer, Offload)
    answer.then(answer.work())
    assert not conn.state.domains["big"].active  # back to the snapshot's state: shut off


def test_redefining_a_snapshot_with_a_domain_that_asks_for_much_work_reads_it_in_a_worker_thread(
    conn: Any,
) -> None:
    dom = define(conn)
    embedded = LISTED.replace("<vcpu>300</vcpu>", "<vcpu>4096</vcpu>")
    text = (
        "<domainsnapshot><name>s1</name><creationTime>1</creationTime><state>shutoff</state>"
        f"{embedded}</domainsnapshot>"
    )
    redefine = api.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE
    answer = conn.domain_snapshot_create_xml(remote.remote_domain_snapshot_create_xml_args(dom, text, redefine))
    assert isinstance(answer, Offload)
    snapshot = answer.work()
    undefine(conn, dom)
    with pytest.raises(LibvirtError) as refused:
        answer.then(snapshot)
    assert refused.value.code == api.VIR_ERR_NO_DOMAIN
    dom = define(conn)  # defined again: the redefine goes through, with every vCPU written
    answer = conn.domain_snapshot_create_xml(remote.remote_domain_snapshot_create_xml_args(dom, text, redefine))
    assert answer.then(answer.work()).snap.name == "s1"
    tree = conn.state.snapshots[bytes(dom.uuid)]
    assert tree.get("s1").domain_xml.count("<vcpu id=") == 4096


@pytest.mark.parametrize("running", [False, True])
def test_a_snapshot_of_a_large_definition_copies_it_in_a_worker_thread(conn: Any, running: bool) -> None:
    """The definition a snapshot keeps (a copy, written as inactive) made in a worker thread:
    the same text as made at once."""
    text = LISTED.replace("<vcpu>300</vcpu>", "<vcpu>4096</vcpu>")
    dom = settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(text))).dom
    if running:
        settled(conn.domain_create(remote.remote_domain_create_args(dom)))
    domain = conn.state.domains["big"]
    expected = conn._definition_copy(domain)
    answer = conn.domain_snapshot_create_xml(remote.remote_domain_snapshot_create_xml_args(dom, "<domainsnapshot/>", 0))
    assert isinstance(answer, Offload)
    snap = answer.then(answer.work()).snap
    kept = conn.state.snapshots[domain.uuid].get(snap.name).domain_xml
    assert kept == expected and kept.count("<vcpu id=") == 4096


def test_reverting_to_a_running_snapshot_of_a_large_definition_copies_it_in_the_thread(
    conn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = LISTED.replace("<vcpu>300</vcpu>", "<vcpu>4096</vcpu>")
    dom = settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(text))).dom
    settled(conn.domain_create(remote.remote_domain_create_args(dom)))
    made = conn.domain_snapshot_create_xml(remote.remote_domain_snapshot_create_xml_args(dom, "<domainsnapshot/>", 0))
    snap = settled(made).snap
    conn.domain_destroy(remote.remote_domain_destroy_args(dom))
    answer = conn.domain_revert_to_snapshot(remote.remote_domain_revert_to_snapshot_args(snap, 0))
    assert isinstance(answer, Offload)
    read = answer.work()
    from virtrio.drivers.test import state

    def on_the_loop(*_: object) -> None:
        raise AssertionError("the start's copy made on the event loop")

    monkeypatch.setattr(state, "copied_definition", on_the_loop)
    answer.then(read)
    domain = conn.state.domains["big"]
    assert domain.active and domain.next is not None
    assert len(next(element for element in domain.next.definition if element.tag == "vcpus")) == 4096


def test_a_checkpoint_of_a_large_definition_is_read_and_copied_in_a_worker_thread(conn: Any) -> None:
    disk = "<devices><disk type='file'><driver type='qcow2'/><source file='/x'/><target dev='vda'/></disk>"
    text = LISTED.replace("<vcpu>300</vcpu>", "<vcpu>4096</vcpu>").replace("</domain>", disk + "</devices></domain>")
    dom = settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(text))).dom
    settled(conn.domain_create(remote.remote_domain_create_args(dom)))
    domain = conn.state.domains["big"]
    expected = conn._definition_copy(domain)
    args = remote.remote_domain_checkpoint_create_xml_args(
        dom, "<domaincheckpoint><name>c</name></domaincheckpoint>", 0
    )
    answer = conn.domain_checkpoint_create_xml(args)
    assert isinstance(answer, Offload)
    done = answer.work()
    assert answer.then(done).checkpoint.name == "c"
    assert conn.state.checkpoints[domain.uuid].get("c").domain_xml == expected
    # a schema refusal, from the thread: as made at once
    bad = remote.remote_domain_checkpoint_create_xml_args(dom, "<domaincheckpoint><bogus/></domaincheckpoint>", 0)
    answer = conn.domain_checkpoint_create_xml(bad)
    assert isinstance(answer, Offload)
    with pytest.raises(LibvirtError) as refused:
        answer.work()
    assert refused.value.code == api.VIR_ERR_XML_INVALID_SCHEMA


def test_a_redefined_snapshot_of_another_domain_is_refused(conn: Any) -> None:
    dom = define(conn)
    other = LISTED.replace("4dea22b3-1d52-d8f3-2516-782e98ab3fa0", "4dea22b3-1d52-d8f3-2516-782e98ab3fa1")
    text = f"<domainsnapshot><name>s</name><creationTime>1</creationTime><state>shutoff</state>{other}</domainsnapshot>"
    redefine = api.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE
    with pytest.raises(LibvirtError) as refused:
        settled(conn.domain_snapshot_create_xml(remote.remote_domain_snapshot_create_xml_args(dom, text, redefine)))
    assert refused.value.message == (
        "invalid argument: definition for snapshot s must use uuid 4dea22b3-1d52-d8f3-2516-782e98ab3fa0"
    )
    same = text.replace("3fa1", "3fa0")
    made = settled(conn.domain_snapshot_create_xml(remote.remote_domain_snapshot_create_xml_args(dom, same, redefine)))
    assert made.snap.name == "s"
