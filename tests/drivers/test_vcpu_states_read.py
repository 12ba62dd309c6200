"""Per-vCPU states read two ways (domain_vcpus): a <vcpus> written as virtrio writes it is
read by one search of its text, any other by each attribute. Both give the same definition
and the same refusals, in the same order."""

from __future__ import annotations

import pytest

from virtrio.drivers.test import state
from virtrio.drivers.test.formats import domain_xml
from virtrio.drivers.test.parse import parse_domain_xml
from virtrio.rpc.errors import LibvirtError


def read(entries: str, maximum: int = 6) -> str:
    text = (
        "<domain type='test'><name>d</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
        f"<memory>1024</memory><vcpu>{maximum}</vcpu><vcpus>{entries}</vcpus><os><type>hvm</type></os></domain>"
    )
    try:
        return domain_xml(parse_domain_xml(text, state.TestState.__new__(state.TestState)), inactive=True)
    except LibvirtError as error:
        return f"refused: {error.message}"


# (entries as virtrio writes them, the same written otherwise: other quotes, attribute order,
# spaces inside a tag, a comment, numbers with leading zeros)
CASES = [
    (
        "<vcpu id='0' enabled='yes' hotpluggable='no' order='1'/><vcpu id='3' enabled='yes'/>",
        '<vcpu enabled="yes" id="0" order="1" hotpluggable="no" />\n  <vcpu  id="03" enabled="yes"/>',
    ),
    (
        "<vcpu id='1' enabled='no' hotpluggable='no'/>",
        "<!-- c --><vcpu id='1' enabled='no' hotpluggable='no'/>",
    ),
    ("<vcpu id='6' enabled='yes'/>", "<vcpu id=' 6' enabled='yes'/>"),
    ("<vcpu id='2' enabled='yes' order='999999999'/>", "<vcpu id='2' order='999999999' enabled='yes'/>"),
    (
        "<vcpu id='2' enabled='yes'/><vcpu id='2' enabled='no'/>",
        "<vcpu id='2' enabled='yes'/> <vcpu enabled='no' id='2'/>",
    ),
]


@pytest.mark.parametrize(("plain", "other"), CASES)
def test_plain_and_other_forms_read_alike(plain: str, other: str) -> None:
    assert read(plain) == read(other)


def test_the_plain_form_is_completed_and_checked() -> None:
    written = read("<vcpu id='0' enabled='yes'/><vcpu id='2' enabled='no' hotpluggable='yes' order='7'/>", 3)
    assert [line.strip() for line in written.splitlines() if "<vcpu id" in line] == [
        "<vcpu id='0' enabled='yes' hotpluggable='no'/>",
        "<vcpu id='1' enabled='no' hotpluggable='yes'/>",
        "<vcpu id='2' enabled='no' hotpluggable='yes' order='7'/>",
    ]
    assert read("<vcpu id='1' enabled='no' hotpluggable='no'/>", 2) == (
        "refused: unsupported configuration: vcpu '1' is both offline and not hotpluggable"
    )
    assert (
        read("<vcpu id='6' enabled='yes'/>") == "refused: XML error: vcpu id '6' is out of range of maximum vcpu count"
    )


def test_a_copy_reads_the_written_states_again() -> None:
    """What a start copies is read again: an order past INT_MAX, written negative, refused."""
    from virtrio.drivers.test.domain_definition import copied_definition

    text = (
        "<domain type='test'><name>d</name><memory>1024</memory><vcpu>2</vcpu>"
        "<vcpus><vcpu id='0' enabled='yes' order='4294967295'/></vcpus><os><type>hvm</type></os></domain>"
    )
    parsed = parse_domain_xml(text, state.TestState.__new__(state.TestState))
    with pytest.raises(LibvirtError) as refused:
        copied_definition(parsed.definition, parsed.os_type, parsed.max_vcpus)
    assert "'-1'" in refused.value.message


@pytest.mark.parametrize(("plain", "other"), CASES)
def test_each_form_takes_its_own_way(plain: str, other: str) -> None:
    from lxml import etree

    from virtrio.drivers.test import domain_vcpus

    assert domain_vcpus._plain_states(etree.fromstring(f"<vcpus>{plain}</vcpus>"), 7) is not None
    assert domain_vcpus._plain_states(etree.fromstring(f"<vcpus>{other}</vcpus>"), 7) is None
