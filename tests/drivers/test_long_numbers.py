"""Numbers longer than Python's int() reads (4,300 digits): C's strtoul reads any run of
leading zeros and refuses the rest as out of range, so libvirtd does; virtrio used to end in
a ValueError. Expected answers are libvirtd 9.0.0's, taken from its test driver."""

from __future__ import annotations

import re

import pytest

from virtrio.drivers.base import ConnectionContext
from virtrio.drivers.libvirt_rules import strtol_whole, strtoul_whole, strtoul_wrapping
from virtrio.drivers.test import driver
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError

MANY = 5000  # past int()'s default limit of 4,300 digits


def test_the_readers_take_leading_zeros_and_refuse_the_rest() -> None:
    assert strtoul_whole("0" * MANY + "7", 10) == 7
    assert strtoul_whole("0x" + "0" * MANY + "f", 16) == 15
    assert strtoul_whole("0" * MANY + "7", 0) == 7  # octal 7
    assert strtol_whole("-" + "0" * MANY + "3") == -3
    assert strtoul_whole("1" * MANY, 10) is None
    assert strtoul_wrapping("-" + "1" * MANY, 10) is None
    assert strtol_whole("9" * MANY) is None


def _define(xml: str) -> str:
    conn = driver.TestDriver().open(ConnectionContext("test:///default", False, 1))
    ret = conn.domain_define_xml(remote.remote_domain_define_xml_args(xml))
    return conn.domain_get_xml_desc(remote.remote_domain_get_xml_desc_args(ret.dom, 0)).xml


def _domain(memory: str = "1024", devices: str = "") -> str:
    return (
        f"<domain type='test'><name>n</name><memory>{memory}</memory><os><type>hvm</type></os>"
        f"<devices>{devices}</devices></domain>"
    )


def test_memory_with_thousands_of_leading_zeros_is_read() -> None:
    assert "<memory unit='KiB'>1</memory>" in _define(_domain("0" * MANY + "1"))


def test_memory_of_thousands_of_digits_is_refused_as_libvirtd_refuses_it() -> None:
    with pytest.raises(LibvirtError) as caught:
        _define(_domain("1" * MANY))
    error = caught.value
    assert (error.code, error.domain) == (api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML)
    assert error.message == f"XML error: Invalid value '{'1' * MANY}' for element or attribute './memory[1]'"


@pytest.mark.parametrize("slot", ["0" * MANY + "3", "0x" + "0" * MANY + "3"])
def test_an_address_with_thousands_of_leading_zeros_is_read(slot: str) -> None:
    written = _define(_domain(devices=f"<interface type='user'><address type='pci' slot='{slot}'/></interface>"))
    assert re.search(r"<address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>", written)


def test_an_address_of_thousands_of_digits_is_refused_as_libvirtd_refuses_it() -> None:
    devices = f"<interface type='user'><address type='pci' slot='{'1' * MANY}'/></interface>"
    with pytest.raises(LibvirtError) as caught:
        _define(_domain(devices=devices))
    error = caught.value
    assert (error.code, error.domain) == (api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML)
    assert error.message.startswith("XML error: Invalid value for attribute 'slot' in element 'address': '111")
