"""dumpxml of a large definition (parse.copy_in_thread) is written in a worker thread from
what the handler took on the event loop (parse.format_later): the same text as written at
once, whatever the loop changes meanwhile."""

from __future__ import annotations

from typing import Any

import pytest

from virtrio.drivers.base import ConnectionContext, Offload
from virtrio.drivers.test import driver
from virtrio.drivers.test.formats import domain_xml
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote

LARGE = {
    "listed vCPUs": "<vcpu>4096</vcpu><vcpus><vcpu id='0' enabled='yes'/></vcpus>",
    "vCPU schedulers": "<vcpu>2048</vcpu><cputune><vcpusched vcpus='0-2047' scheduler='fifo' priority='1'/></cputune>",
    "implied controllers": "<vcpu>1</vcpu><devices><disk type='file' device='disk'><source file='/x'/>"
    "<target dev='sda' bus='scsi'/><address type='drive' controller='2000' bus='0' target='0' unit='0'/></disk>"
    "</devices>",
}


def text(body: str) -> str:
    return (
        "<domain type='test'><name>big</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>"
        f"<memory>1024</memory><metadata><m:x xmlns:m='urn:m'>1</m:x></metadata><title>t</title>"
        f"<os><type>hvm</type></os>{body}</domain>"
    )


def settled(answer: Any) -> Any:
    return answer.then(answer.work()) if isinstance(answer, Offload) else answer


@pytest.fixture
def conn() -> Any:
    return driver.TestDriver().open(ConnectionContext("test:///default", False, 1))


@pytest.mark.parametrize("name", LARGE)
@pytest.mark.parametrize("running", [False, True])
@pytest.mark.parametrize("flags", [0, api.VIR_DOMAIN_XML_INACTIVE, api.VIR_DOMAIN_XML_SECURE])
def test_a_large_definition_is_written_in_a_worker_thread_as_at_once(
    conn: Any, name: str, running: bool, flags: int
) -> None:
    dom = settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(text(LARGE[name])))).dom
    if running:
        settled(conn.domain_create(remote.remote_domain_create_args(dom)))
    domain = conn.state.domains["big"]
    expected = domain_xml(domain, bool(flags & api.VIR_DOMAIN_XML_INACTIVE), bool(flags & api.VIR_DOMAIN_XML_SECURE))
    answer = conn.domain_get_xml_desc(remote.remote_domain_get_xml_desc_args(dom, flags))
    assert isinstance(answer, Offload)
    written = answer.work()
    assert answer.then(written).xml == expected


def test_what_the_loop_changes_meanwhile_is_not_seen(conn: Any) -> None:
    dom = settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(text(LARGE["listed vCPUs"])))).dom
    before = domain_xml(conn.state.domains["big"])
    answer = conn.domain_get_xml_desc(remote.remote_domain_get_xml_desc_args(dom, 0))
    config = api.VIR_DOMAIN_AFFECT_CONFIG
    conn.domain_set_vcpus_flags(remote.remote_domain_set_vcpus_flags_args(dom, 3, config))  # meanwhile
    assert answer.then(answer.work()).xml == before != domain_xml(conn.state.domains["big"])


def test_a_small_definition_is_written_at_once(conn: Any) -> None:
    dom = settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(text("<vcpu>4</vcpu>")))).dom
    answer = conn.domain_get_xml_desc(remote.remote_domain_get_xml_desc_args(dom, 0))
    assert isinstance(answer, remote.remote_domain_get_xml_desc_ret)


def test_saving_a_large_running_domain_writes_its_definition_in_the_thread(conn: Any, tmp_path: Any) -> None:
    dom = settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(text(LARGE["listed vCPUs"])))).dom
    settled(conn.domain_create(remote.remote_domain_create_args(dom)))
    domain = conn.state.domains["big"]
    expected = domain_xml(domain)
    path = str(tmp_path / "saved")
    answer = conn.domain_save_flags(remote.remote_domain_save_flags_args(dom, path, None, 0))
    assert isinstance(answer, Offload)
    answer.then(answer.work())
    # (more than save_image.read_image reads back, as in libvirt: the image's bytes themselves)
    with open(path, "rb") as image:
        assert expected.encode() in image.read() and not domain.active


def test_numa_distances_count_towards_a_large_definition(conn: Any) -> None:
    """Cells and their distances lie three and five levels down in <cpu>: counted too."""
    count = 24
    cells = "".join(
        f"<cell id='{i}' cpus='{i}' memory='1024'><distances>"
        + "".join(f"<sibling id='{j}' value='{10 if i == j else 20}'/>" for j in range(count))
        + "</distances></cell>"
        for i in range(count)
    )
    body = f"<vcpu>{count}</vcpu><cpu><numa>{cells}</numa></cpu>"
    dom = settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(text(body)))).dom
    answer = conn.domain_get_xml_desc(remote.remote_domain_get_xml_desc_args(dom, 0))
    assert isinstance(answer, Offload)
    assert answer.then(answer.work()).xml == domain_xml(conn.state.domains["big"])
