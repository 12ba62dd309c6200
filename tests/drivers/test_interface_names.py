"""Interfaces without a target get testnetN names as libvirt's test driver gives them
(testDomainGenerateIfname: the first name no interface of the definition has, up to 1024)."""

from __future__ import annotations

import re

import pytest

from virtrio.drivers.base import ConnectionContext
from virtrio.drivers.test import driver
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError


def _targets(interfaces: str) -> list[str]:
    conn = driver.TestDriver().open(ConnectionContext("test:///default", False, 1))
    xml = (
        "<domain type='test'><name>n</name><memory>1024</memory><os><type>hvm</type></os>"
        f"<devices>{interfaces}</devices></domain>"
    )
    ret = conn.domain_define_xml(remote.remote_domain_define_xml_args(xml))
    written = conn.domain_get_xml_desc(remote.remote_domain_get_xml_desc_args(ret.dom, 0)).xml
    return re.findall(r"<target dev='([^']*)'/>", written)


def test_names_skip_those_given_anywhere_in_the_definition() -> None:
    given_later = "<interface type='user'/>" * 2 + "<interface type='user'><target dev='testnet0'/></interface>"
    assert _targets(given_later) == ["testnet1", "testnet2", "testnet0"]
    given_first = "<interface type='user'><target dev='testnet1'/></interface>" + "<interface type='user'/>" * 3
    assert _targets(given_first) == ["testnet1", "testnet0", "testnet2", "testnet3"]


def test_a_thousand_interfaces_are_named_and_one_more_is_refused() -> None:
    assert _targets("<interface type='user'/>" * 1024)[-1] == "testnet1023"
    with pytest.raises(LibvirtError, match="Exceeded max iface limit 1024"):
        _targets("<interface type='user'/>" * 1025)
