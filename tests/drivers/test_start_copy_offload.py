"""A domain whose definition is large starts with its copy (virDomainDefCopy, a write and a
read again) made in a worker thread from the definition's text (parse.copy_in_thread); the
start itself happens on the event loop, on the domain as it is then."""

from __future__ import annotations

from typing import Any

import pytest

from virtrio.drivers.base import ConnectionContext, Offload
from virtrio.drivers.test import driver
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError


def listed(maximum: int, entry: str = "<vcpu id='0' enabled='yes'/>") -> str:
    return (
        "<domain type='test'><name>big</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>"
        f"<memory>1024</memory><vcpu>{maximum}</vcpu><vcpus>{entry}</vcpus><os><type>hvm</type></os></domain>"
    )


def settled(answer: Any) -> Any:
    return answer.then(answer.work()) if isinstance(answer, Offload) else answer


@pytest.fixture
def conn() -> Any:
    return driver.TestDriver().open(ConnectionContext("test:///default", False, 1))


def define(conn: Any, text: str) -> remote.remote_nonnull_domain:
    return settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(text))).dom


def test_a_large_definition_is_copied_in_a_worker_thread_at_the_start(conn: Any) -> None:
    dom = define(conn, listed(4096))
    answer = conn.domain_create(remote.remote_domain_create_args(dom))
    assert isinstance(answer, Offload)
    assert not conn.state.domains["big"].active  # nothing changed before the thread's work
    answer.then(answer.work())
    domain = conn.state.domains["big"]
    assert domain.active and domain.next is not None and domain.next.definition is not domain.definition
    vcpus = next(element for element in domain.next.definition if element.tag == "vcpus")
    assert len(vcpus) == 4096


def test_with_flags_too(conn: Any) -> None:
    dom = define(conn, listed(4096))
    answer = conn.domain_create_with_flags(remote.remote_domain_create_with_flags_args(dom, 0))
    assert isinstance(answer, Offload)
    assert answer.then(answer.work()).dom.id == conn.state.domains["big"].id != -1


def test_a_small_definition_is_copied_at_once(conn: Any) -> None:
    dom = define(conn, listed(4))
    assert conn.domain_create(remote.remote_domain_create_args(dom)) is None
    assert conn.state.domains["big"].active


def test_the_copy_refuses_in_the_thread_what_a_read_refuses(conn: Any) -> None:
    """An order past INT_MAX is written negative (%d), which the copy's read refuses: answered
    after the thread, the domain shut off as failed with its id left set, as libvirt's test
    driver leaves it (and as the copy made at once leaves it)."""
    dom = define(conn, listed(4096, "<vcpu id='0' enabled='yes' order='4294967295'/>"))
    answer = conn.domain_create(remote.remote_domain_create_args(dom))
    assert isinstance(answer, Offload)
    refusal = answer.work()
    assert not conn.state.domains["big"].active  # nothing changed in the thread
    with pytest.raises(LibvirtError) as refused:
        answer.then(refusal)
    assert "'-1'" in refused.value.message
    domain = conn.state.domains["big"]
    assert domain.active and domain.next is None
    assert (domain.state, domain.reason) == (api.VIR_DOMAIN_SHUTOFF, api.VIR_DOMAIN_SHUTOFF_FAILED)


def test_a_domain_undefined_meanwhile_is_not_found(conn: Any) -> None:
    dom = define(conn, listed(4096))
    answer = conn.domain_create(remote.remote_domain_create_args(dom))
    copied = answer.work()
    conn.domain_undefine(remote.remote_domain_undefine_args(dom))
    with pytest.raises(LibvirtError) as refused:
        answer.then(copied)
    assert refused.value.code == api.VIR_ERR_NO_DOMAIN
    assert "big" not in conn.state.domains


def test_a_definition_changed_meanwhile_is_copied_as_it_is_then(conn: Any) -> None:
    dom = define(conn, listed(4096))
    answer = conn.domain_create(remote.remote_domain_create_args(dom))
    copied = answer.work()
    config = api.VIR_DOMAIN_AFFECT_CONFIG
    conn.domain_set_vcpus_flags(remote.remote_domain_set_vcpus_flags_args(dom, 3, config))
    answer.then(copied)
    domain = conn.state.domains["big"]
    assert domain.next is not None
    vcpus = next(element for element in domain.next.definition if element.tag == "vcpus")
    assert [entry.get("enabled") for entry in vcpus][:4] == ["yes", "yes", "yes", "no"]


def test_a_domain_started_meanwhile_is_already_running(conn: Any) -> None:
    dom = define(conn, listed(4096))
    first, second = (conn.domain_create(remote.remote_domain_create_args(dom)) for _ in range(2))
    first.then(first.work())
    with pytest.raises(LibvirtError) as refused:
        second.then(second.work())
    assert refused.value.message == "internal error: Domain 'big' is already running"
