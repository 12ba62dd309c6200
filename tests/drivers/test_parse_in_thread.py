"""Which domain documents the test driver reads in a worker thread (parse.parse_in_thread):
those that are large, and small ones whose numbers make the read build thousands of elements
(listed vCPU states, schedulers per thread, implied controllers, IOThreads, bitmap ranges).
The read itself gives the same definition either way."""

from __future__ import annotations

import pytest

from virtrio.drivers.base import ConnectionContext, Offload
from virtrio.drivers.test import driver
from virtrio.drivers.test.parse import LOOP_EXPANSION, parse_in_thread
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError


def document(body: str = "", devices: str = "", vcpu: str = "<vcpu>2</vcpu>") -> str:
    return (
        "<domain type='test'><name>d</name><uuid>12345678-1234-5678-1234-567812345678</uuid>"
        f"<memory>1048576</memory>{vcpu}{body}<os><type>hvm</type></os><devices>{devices}</devices></domain>"
    )


def scsi_disk(controller: str) -> str:
    return (
        "<disk type='file' device='disk'><source file='/x'/><target dev='sda' bus='scsi'/>"
        f"<address type='drive' controller={controller} bus='0' target='0' unit='0'/></disk>"
    )


EXPANDING = {
    "listed vCPU states": document("<vcpus><vcpu id='0' enabled='yes'/></vcpus>", vcpu="<vcpu>4096</vcpu>"),
    "vCPU schedulers": document(
        "<cputune><vcpusched vcpus='0-3' scheduler='fifo' priority='1'/></cputune>", vcpu="<vcpu>16384</vcpu>"
    ),
    "IOThread schedulers over listed IOThreads": document(
        "<iothreads>1</iothreads><iothreadids><iothread id='7'/></iothreadids>"
        "<cputune><iothreadsched iothreads='7' scheduler='batch'/></cputune>"
    ),
    "listed vCPU states, the count written oddly": document(
        "<vcpus><vcpu id='0' enabled='yes'/></vcpus>", vcpu="<vcpu>+16</vcpu>"
    ),
    # a count the scan must not misread: a '/' in the <vcpu> tag (as if an entry of <vcpus>),
    # with a small decoy in a comment; digits split by a comment, which the parser joins
    "listed vCPU states, a '/' in the count's tag": document(
        "<!--<vcpu>2</vcpu>--><vcpus><vcpu id='0' enabled='yes'/></vcpus>", vcpu="<vcpu x='/>'>4096</vcpu>"
    ),
    "listed vCPU states, the count split by a comment": document(
        "<vcpus><vcpu id='0' enabled='yes'/></vcpus>", vcpu="<vcpu>40<!---->96</vcpu>"
    ),
    "IOThreads filled in, the count split by a comment": document("<iothreads>6<!---->5536</iothreads>"),
    "cpuset range behind a character reference": document(vcpu="<vcpu cpuset='0-&#49;6383'>2</vcpu>"),
    "IOThreads filled in": document("<iothreads>65536</iothreads>"),
    "controllers a disk implies": document(devices=scsi_disk("'65535'")),
    "controllers, double quotes": document(devices=scsi_disk('"65535"')),
    "SCSI host device's controllers": document(
        devices="<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/>"
        "<address bus='0' target='0' unit='0'/></source>"
        "<address type='drive' controller='65535' bus='0' target='0' unit='0'/></hostdev>"
    ),
    "cpuset range": document(vcpu="<vcpu cpuset='0-16383'>2</vcpu>"),
    "NUMA cell's cpus": document(
        "<cpu><numa><cell id='0' cpus='0-16383' memory='1024'/></numa></cpu>", vcpu="<vcpu>16384</vcpu>"
    ),
    "cache tuning's vcpus": document(
        "<cputune><cachetune vcpus='0-16383'><cache id='0' level='3' type='both' size='3' unit='MiB'/>"
        "</cachetune></cputune>",
        vcpu="<vcpu>16384</vcpu>",
    ),
    "nodeset with a plus sign": document("<numatune><memory mode='strict' nodeset='0-+300'/></numatune>"),
    "memory device's nodemask": document(
        "<maxMemory slots='16' unit='KiB'>4194304</maxMemory>"
        "<cpu><numa><cell id='0' cpus='0-1' memory='1048576'/></numa></cpu>",
        devices="<memory model='dimm'><source><nodemask>0-16383</nodemask></source>"
        "<target><size unit='KiB'>524288</size><node>0</node></target></memory>",
    ),
}

ON_THE_LOOP = {
    "plain": document(),
    "a UUID's digits are no range": document().replace("12345678-1234-5678", "12345678-1000-9999"),
    "small counts": document(f"<iothreads>{LOOP_EXPANSION}</iothreads>", devices=scsi_disk("'3'")),
    "small ranges": document(vcpu=f"<vcpu cpuset='0-{LOOP_EXPANSION},^3'>2</vcpu>"),
    # a thread's round trip costs more than these reads (~0.2 ms of wall time)
    "listed states of a few vCPUs": document(
        "<vcpus><vcpu id='0' enabled='yes'/><vcpu id='1' enabled='no' hotpluggable='yes'/></vcpus>"
    ),
    "schedulers of a few vCPUs and IOThreads": document(
        "<iothreads>4</iothreads><cputune><vcpusched vcpus='0-1' scheduler='fifo' priority='1'/>"
        "<iothreadsched iothreads='1-3' scheduler='batch'/><emulatorsched scheduler='idle'/></cputune>",
        vcpu=f"<vcpu placement='static'>{LOOP_EXPANSION}</vcpu>",
    ),
}


def define(text: str) -> object:
    conn = driver.TestDriver().open(ConnectionContext("test:///default", False, 1))
    return conn.domain_define_xml(remote.remote_domain_define_xml_args(text))


@pytest.mark.parametrize("name", EXPANDING)
def test_a_small_document_that_asks_for_much_work_is_read_in_a_worker_thread(name: str) -> None:
    text = EXPANDING[name]
    assert len(text) < 1024 and parse_in_thread(text)
    answer = define(text)
    assert isinstance(answer, Offload)
    assert isinstance(answer.then(answer.work()), remote.remote_domain_define_xml_ret)


@pytest.mark.parametrize("name", ON_THE_LOOP)
def test_a_small_document_with_small_numbers_is_read_at_once(name: str) -> None:
    assert not parse_in_thread(ON_THE_LOOP[name])
    answer = define(ON_THE_LOOP[name])
    assert isinstance(answer, remote.remote_domain_define_xml_ret)


def test_a_large_document_is_read_in_a_worker_thread() -> None:
    disks = "".join(f"<disk type='file'><source file='/d{i}'/><target dev='vd{i}'/></disk>" for i in range(1500))
    assert isinstance(define(document(devices=disks)), Offload)


def test_a_refused_document_that_asks_for_much_work_is_refused_in_the_thread() -> None:
    """controller='0xfff' is refused, but only once the 4,096 controllers it implies are made."""
    answer = define(document(devices=scsi_disk("'0xfff'")))
    assert isinstance(answer, Offload)
    with pytest.raises(LibvirtError) as refused:
        answer.work()
    assert refused.value.message == (
        "XML error: Invalid value for attribute 'controller' in element 'address': '0xfff'. "
        "Expected non-negative integer value"
    )


def test_the_schema_check_validate_asks_for_is_made_where_the_read_is() -> None:
    """VIR_DOMAIN_DEFINE_VALIDATE: ~0.25 ms a kilobyte, in the worker thread with the read."""
    conn = driver.TestDriver().open(ConnectionContext("test:///default", False, 1))
    disks = "".join(
        f"<disk type='file'><source file='/d{i}'/><target dev='vd{chr(97 + i % 26)}{i}'/></disk>" for i in range(1500)
    )
    flags = api.VIR_DOMAIN_DEFINE_VALIDATE
    answer = conn.domain_define_xml_flags(remote.remote_domain_define_xml_flags_args(document(devices=disks), flags))
    assert isinstance(answer, Offload)
    answer.then(answer.work())
    invalid = document(devices=disks + "<bogus/>")
    answer = conn.domain_define_xml_flags(remote.remote_domain_define_xml_flags_args(invalid, flags))
    assert isinstance(answer, Offload)
    with pytest.raises(LibvirtError) as refused:
        answer.work()
    assert refused.value.code == api.VIR_ERR_XML_INVALID_SCHEMA


def test_a_document_dense_in_numa_cells_or_over_16_kib_is_read_in_a_worker_thread() -> None:
    """~0.1 ms a NUMA cell; ~0.3 ms a kilobyte for libvirt's test documents."""
    cells = "".join(f"<cell id='{i}' cpus='{i}' memory='1024'/>" for i in range(100))
    dense = document(f"<cpu><numa>{cells}</numa></cpu>", vcpu="<vcpu>100</vcpu>")
    assert len(dense) < 16 * 1024 and isinstance(define(dense), Offload)
    few = document("<cpu><numa><cell id='0' cpus='0-1' memory='1048576'/></numa></cpu>")
    assert isinstance(define(few), remote.remote_domain_define_xml_ret)
    described = document("<description>" + "x" * 16 * 1024 + "</description>")
    assert isinstance(define(described), Offload)
