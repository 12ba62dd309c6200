"""A domain document read with libxml2 leaving out layout whitespace (parse.blanks_droppable)
gives the same definition as one read with all of it, also where text and child elements
meet in the elements read before the whitespace is stripped (those are read again whole)."""

from __future__ import annotations

import pytest

from virtrio.drivers.test import parse
from virtrio.drivers.test.formats import domain_xml
from virtrio.rpc.errors import LibvirtError

MEMORY_DEVICE = (
    "<cpu><numa><cell id='0' cpus='0-1' memory='1048576' unit='KiB'/></numa></cpu>\n"
    "  <devices>\n    <memory model='dimm'>\n      <target>\n"
    "        <size unit='KiB'>{size}</size>\n        <node>0</node>\n      </target>\n    </memory>\n  </devices>"
)


def document(body: str = "", name: str = "d", memory: str = "<memory>1048576</memory>", os_type: str = "hvm") -> str:
    return (
        "<domain type='test'>\n"
        f"  <name>{name}</name>\n"
        "  <uuid>12345678-1234-5678-1234-567812345678</uuid>\n"
        f"  {memory}\n"
        "  <vcpu>2</vcpu>\n"
        f"  <os>\n    <type>{os_type}</type>\n  </os>\n"
        f"  {body}\n"
        "</domain>\n"
    )


DOCUMENTS = {
    "layout only": document("<devices>\n    <input type='mouse' bus='ps2'/>\n  </devices>"),
    "name beside a child": document(name="  <b/>  "),
    "title beside children": document("<title>\n  <b/>  <c/>t</title>"),
    "description after a child": document("<description><b/>  \n  text</description>"),
    "lifecycle action beside a child": document("<on_crash>  <b/>destroy</on_crash>"),
    "memory beside a child": document(memory="<memory>  <b/>1048576</memory>"),
    "OS type beside a child": document(os_type="  <b/>hvm"),
    "memory device's size beside a child": document(
        MEMORY_DEVICE.format(size="  <b/>  1024"), memory="<maxMemory slots='16' unit='KiB'>4194304</maxMemory>"
    ),
    "memory device's size": document(
        MEMORY_DEVICE.format(size="1024"), memory="<maxMemory slots='16' unit='KiB'>4194304</maxMemory>"
    ),
    "metadata": document(
        "<metadata>\n    <a:x xmlns:a='http://a/'>\n      <a:y>  1  </a:y>\n      <a:z/>\n    </a:x>\n  </metadata>"
    ),
}


def read(text: str, blanks_dropped: bool | None) -> str:
    """The definition's XML or the error; blanks_dropped None: as parse_domain_xml decides."""
    try:
        if blanks_dropped is None:
            return domain_xml(parse.parse_domain_xml(text, None))  # type: ignore[arg-type]
        return domain_xml(parse._parse_domain(text, blanks_dropped))
    except LibvirtError as error:
        return f"{error.code} {error.domain} {error}"
    except parse._BlanksRead:
        return "read again"


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_same_definition_with_or_without_layout_whitespace(name: str) -> None:
    text = DOCUMENTS[name]
    assert parse.blanks_droppable(text)
    whole = read(text, False)
    assert read(text, None) == whole
    assert read(text, True) in (whole, "read again")


@pytest.mark.parametrize(
    "name", ["name beside a child", "title beside children", "OS type beside a child", "memory beside a child"]
)
def test_text_beside_children_is_read_again_whole(name: str) -> None:
    assert read(DOCUMENTS[name], True) == "read again"


@pytest.mark.parametrize("text", ["<a>  <!-- c -->t</a>", "<a><![CDATA[x]]></a>", "<a>\r\n</a>", "<!DOCTYPE a><a/>"])
def test_comments_cdata_doctypes_and_carriage_returns_keep_whitespace(text: str) -> None:
    assert not parse.blanks_droppable(text)
