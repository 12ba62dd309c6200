"""Per-vCPU states (drivers/test/domain_vcpus.py) through the test driver's own reader and
writer: what virDomainVcpuParse, virDomainVcpuDefPostParse and virDomainCpuDefFormat do with
<vcpus>. Checked against libvirtd 9.0.0 by interop scenario 44-vcpu-states."""

from __future__ import annotations

import pytest

from virtrio.drivers.test import domain_vcpus, state
from virtrio.drivers.test.formats import domain_xml
from virtrio.drivers.test.parse import parse_domain_xml
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError


def read(vcpu: str, vcpus: str) -> state.Domain:
    text = (
        "<domain type='test'><name>d</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
        f"<memory>1024</memory>{vcpu}{vcpus}<os><type>hvm</type></os></domain>"
    )
    return parse_domain_xml(text, state.TestState.__new__(state.TestState))


def vcpu_lines(parsed: state.Domain) -> list[str]:
    return [line.strip() for line in domain_xml(parsed, inactive=True).splitlines() if "vcpu" in line]


def test_listed_states_decide_the_count_and_every_vcpu_is_written() -> None:
    parsed = read("<vcpu current='3'>3</vcpu>", "<vcpus><vcpu id='2' enabled='yes' order='4'/></vcpus>")
    assert (parsed.max_vcpus, parsed.vcpus) == (3, 1)  # the current attribute is read and ignored
    assert vcpu_lines(parsed) == [
        "<vcpu placement='static' current='1'>3</vcpu>",
        "<vcpus>",
        "<vcpu id='0' enabled='no' hotpluggable='yes'/>",
        "<vcpu id='1' enabled='no' hotpluggable='yes'/>",
        "<vcpu id='2' enabled='yes' hotpluggable='no' order='4'/>",
        "</vcpus>",
    ]


def test_an_empty_vcpus_is_dropped_and_the_current_count_checked_as_usual() -> None:
    assert vcpu_lines(read("<vcpu current='1'>2</vcpu>", "<vcpus/>")) == [
        "<vcpu placement='static' current='1'>2</vcpu>"
    ]
    with pytest.raises(LibvirtError) as refused:
        read("<vcpu current='3'>2</vcpu>", "<vcpus/>")
    assert (
        refused.value.message
        == "unsupported configuration: maximum vCPU count must not be less than current vCPU count"
    )


@pytest.mark.parametrize(
    ("vcpus", "code", "domain", "message"),
    [
        (
            "<vcpu id='2' enabled='yes'/>",
            api.VIR_ERR_XML_ERROR,
            api.VIR_FROM_DOMAIN,
            "XML error: vcpu id '2' is out of range of maximum vcpu count",
        ),
        (
            "<vcpu id='1' enabled='no' hotpluggable='no'/>",
            api.VIR_ERR_CONFIG_UNSUPPORTED,
            api.VIR_FROM_DOMAIN,
            "unsupported configuration: vcpu '1' is both offline and not hotpluggable",
        ),
        (
            "<vcpu enabled='yes'/>",
            api.VIR_ERR_XML_ERROR,
            api.VIR_FROM_XML,
            "XML error: Missing required attribute 'id' in element 'vcpu'",
        ),
        (
            "<vcpu id='0' enabled='on'/>",
            api.VIR_ERR_XML_ERROR,
            api.VIR_FROM_XML,
            "XML error: Invalid value for attribute 'enabled' in element 'vcpu': 'on'.",
        ),
    ],
)
def test_refusals(vcpus: str, code: int, domain: int, message: str) -> None:
    with pytest.raises(LibvirtError) as refused:
        read("<vcpu>2</vcpu>", f"<vcpus>{vcpus}</vcpus>")
    assert (refused.value.code, refused.value.domain, refused.value.message) == (code, domain, message)


def test_states_for_more_vcpus_than_virtrio_writes_are_refused_without_making_them() -> None:
    maximum = domain_vcpus.MAX_LISTED_VCPUS + 1
    with pytest.raises(LibvirtError) as refused:
        read(f"<vcpu>{maximum}</vcpu>", "<vcpus><vcpu id='0' enabled='yes'/></vcpus>")
    assert refused.value.code == api.VIR_ERR_CONFIG_UNSUPPORTED
    huge = read("<vcpu>4294967295</vcpu>", "")  # without listed states, nothing per vCPU is made
    assert (huge.max_vcpus, huge.vcpus) == (4294967295, 4294967295)


def test_set_maximum_and_online_count_rewrite_the_states() -> None:
    parsed = read("<vcpu>2</vcpu>", "<vcpus><vcpu id='1' enabled='yes'/></vcpus>")
    assert domain_vcpus.set_maximum(parsed.definition, 4) == 1
    domain_vcpus.set_online_count(parsed.definition, 3)
    assert domain_vcpus.online_ids(parsed.definition, 4) == [True, True, True, False]
    assert domain_vcpus.set_maximum(parsed.definition, 1) == 1


@pytest.mark.parametrize(
    ("later", "code", "domain", "message"),
    [
        (
            "<features><bogus/></features>",
            api.VIR_ERR_CONFIG_UNSUPPORTED,
            api.VIR_FROM_DOMAIN,
            "unsupported configuration: unexpected feature 'bogus'",
        ),
        (
            "<cputune><vcpupin vcpu='x' cpuset='0'/></cputune>",
            api.VIR_ERR_XML_ERROR,
            api.VIR_FROM_XML,
            "XML error: Invalid value for attribute 'vcpu' in element 'vcpupin': 'x'. "
            "Expected non-negative integer value",
        ),
        (  # and before virDomainDefValidate's checks
            "<devices><disk type='file' device='disk'><target dev='vda'/></disk>"
            "<disk type='file' device='disk'><target dev='vda'/></disk></devices>",
            api.VIR_ERR_CONFIG_UNSUPPORTED,
            api.VIR_FROM_DOMAIN,
            "unsupported configuration: vcpu '1' is both offline and not hotpluggable",
        ),
    ],
)
def test_an_offline_vcpu_not_hotpluggable_is_refused_after_the_parse(
    later: str, code: int, domain: int, message: str
) -> None:
    """libvirt refuses it in its post-parse step: a parse error later in the document comes
    first (libvirtd 9.0.0's answers to these documents)."""
    vcpus = "<vcpus><vcpu id='1' enabled='no' hotpluggable='no'/></vcpus>"
    with pytest.raises(LibvirtError) as refused:
        read("<vcpu>4</vcpu>", vcpus + later)
    assert (refused.value.code, refused.value.domain, refused.value.message) == (code, domain, message)


def test_a_definition_with_listed_states_is_read_in_a_worker_thread() -> None:
    """However small the document: its <vcpus> makes an element per vCPU up to the maximum."""
    from virtrio.drivers.base import ConnectionContext, Offload
    from virtrio.drivers.test.driver import TestDriver
    from virtrio.protocol.generated import remote

    conn = TestDriver().open(ConnectionContext("test:///default", False, 1))
    text = (
        "<domain type='test'><name>d</name><memory>1024</memory><vcpu>4096</vcpu>"
        "<vcpus><vcpu id='0' enabled='yes'/></vcpus><os><type>hvm</type></os></domain>"
    )
    answer = conn.domain_define_xml(remote.remote_domain_define_xml_args(text))
    assert isinstance(answer, Offload)
    defined = answer.then(answer.work())
    assert defined.dom.name == "d"
