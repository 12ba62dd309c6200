"""Interfaces without a target get testnetN names as libvirt's test driver gives them
(testDomainGenerateIfname: the first name no interface of the definition has, up to 1024)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from virtrio.drivers.base import ConnectionContext, Offload
from virtrio.drivers.test import driver
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError


def _targets(interfaces: str) -> list[str]:
    conn = driver.TestDriver().open(ConnectionContext("test:///default", False, 1))
    xml = (
        "<domain type='test'><name>n</name><memory>1024</memory><os><type>hvm</type></os>"
        f"<devices>{interfaces}</devices></domain>"
    )
    ret = _settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(xml)))
    answer = _settled(conn.domain_get_xml_desc(remote.remote_domain_get_xml_desc_args(ret.dom, 0)))
    return re.findall(r"<target dev='([^']*)'/>", answer.xml)


def _settled(answer: Any) -> Any:
    """A large document is read (and written) in a worker thread: the answer once it is."""
    return answer.then(answer.work()) if isinstance(answer, Offload) else answer


def test_names_skip_those_given_anywhere_in_the_definition() -> None:
    given_later = "<interface type='user'/>" * 2 + "<interface type='user'><target dev='testnet0'/></interface>"
    assert _targets(given_later) == ["testnet1", "testnet2", "testnet0"]
    given_first = "<interface type='user'><target dev='testnet1'/></interface>" + "<interface type='user'/>" * 3
    assert _targets(given_first) == ["testnet1", "testnet0", "testnet2", "testnet3"]


def test_a_thousand_interfaces_are_named_and_one_more_is_refused() -> None:
    assert _targets("<interface type='user'/>" * 1024)[-1] == "testnet1023"
    with pytest.raises(LibvirtError, match="Exceeded max iface limit 1024"):
        _targets("<interface type='user'/>" * 1025)


def test_names_of_the_kind_libvirt_generates_are_dropped_and_given_anew() -> None:
    """vnet*, macvtap*, macvlan* on a tap libvirt manages, and a target without a name, get a
    testnetN name (libvirtd 9.0.0's answers to these definitions); other names are kept."""

    def interface(target: str) -> str:
        return f"<interface type='ethernet'>{target}</interface>"

    generated = interface("<target dev='vnet0'/>") + interface("") + interface("<target dev='macvtap1'/>")
    assert _targets(generated) == ["testnet0", "testnet1", "testnet2"]
    kept = interface("<target dev='VNET0'/>") + interface("<target dev='myvnet0'/>")
    assert _targets(kept) == ["VNET0", "myvnet0"]


def test_a_target_without_a_name_is_named_first_in_its_attributes() -> None:
    conn = driver.TestDriver().open(ConnectionContext("test:///default", False, 1))
    xml = (
        "<domain type='test'><name>n</name><memory>1024</memory><os><type>hvm</type></os><devices>"
        "<interface type='ethernet'><target/></interface>"
        "<interface type='ethernet'><target dev='macvlan' managed='no'/></interface>"
        "<interface type='ethernet'><target managed='no'/></interface>"
        "<interface type='ethernet'><target dev='vnet7' managed='yes'/></interface></devices></domain>"
    )
    ret = conn.domain_define_xml(remote.remote_domain_define_xml_args(xml))
    written = conn.domain_get_xml_desc(remote.remote_domain_get_xml_desc_args(ret.dom, 0)).xml
    assert re.findall(r"<target[^>]*>", written) == [
        "<target dev='testnet0'/>",
        "<target dev='macvlan' managed='no'/>",
        "<target dev='testnet1' managed='no'/>",
        "<target dev='testnet2' managed='yes'/>",
    ]
