"""Answers whose size a client picks up to the protocol's maxima (getVcpus, getVcpuPinInfo,
memoryPeek): made without a step per byte or per vCPU where the answer repeats itself, with
the same content as made a piece at a time."""

from __future__ import annotations

from typing import Any

import pytest

from virtrio.drivers.base import ConnectionContext, Offload
from virtrio.drivers.test import bitmaps, driver
from virtrio.protocol.generated import remote


def settled(answer: Any) -> Any:
    return answer.then(answer.work()) if isinstance(answer, Offload) else answer


@pytest.fixture
def conn() -> Any:
    return driver.TestDriver().open(ConnectionContext("test:///default", False, 1))


@pytest.mark.parametrize(("offset", "size"), [(0, 65536), (5, 3), (257, 0), (255, 300), (2**63 + 7, 1000)])
def test_memory_peek_gives_each_byte_its_address(conn: Any, offset: int, size: int) -> None:
    test = conn.state.domains["test"]
    dom = remote.remote_nonnull_domain("test", test.uuid, test.id)
    answer = conn.domain_memory_peek(remote.remote_domain_memory_peek_args(dom, offset, size, 1))
    assert answer.buffer == bytes((offset + i) & 0xFF for i in range(size))


def test_vcpu_maps_shared_and_pinned_are_each_their_own(conn: Any) -> None:
    text = (
        "<domain type='test'><name>d</name><memory>1024</memory><vcpu cpuset='1-2'>6</vcpu>"
        "<vcpus><vcpu id='0' enabled='yes'/><vcpu id='1' enabled='yes'/><vcpu id='3' enabled='yes'/></vcpus>"
        "<cputune><vcpupin vcpu='1' cpuset='5'/><vcpupin vcpu='3' cpuset='0,7'/></cputune>"
        "<os><type>hvm</type></os></domain>"
    )
    dom = settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(text))).dom
    settled(conn.domain_create(remote.remote_domain_create_args(dom)))
    dom = remote.remote_nonnull_domain(dom.name, dom.uuid, conn.state.domains["d"].id)
    answer = conn.domain_get_vcpus(remote.remote_domain_get_vcpus_args(dom, 6, 2))
    # the first three (the online count) of six maps, an offline vCPU's zero as in libvirt's
    # test driver, then zeros to the buffer's end
    assert answer.cpumaps == b"".join(
        bitmaps.bitmap_bytes(bits, 2) for bits in ({1, 2}, {5}, set(), set(), set(), set())
    )
    assert [(info.number, info.cpu) for info in answer.info] == [(0, 2), (1, 5), (0, 0)]
    pins = conn.domain_get_vcpu_pin_info(remote.remote_domain_get_vcpu_pin_info_args(dom, 6, 1, 0))
    assert list(pins.cpumaps) == [0b110, 0b100000, 0b110, 0b10000001, 0b110, 0b110]
