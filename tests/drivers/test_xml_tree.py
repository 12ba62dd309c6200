"""xml_tree's shared helpers: child lookups equal to lxml's find/findall, bounded rank caches."""

from __future__ import annotations

from lxml import etree

from virtrio.drivers.test import xml_tree

DOCUMENT = """<disk xmlns:t='urn:t'>
  <!-- a comment is no child element -->
  <t:target dev='other'/>
  <source file='/a'/>
  <target dev='vda'/>
  <target dev='vdb'/>
  <address type='pci'/>
</disk>"""


def test_child_lookups_match_find_and_findall() -> None:
    disk = etree.fromstring(DOCUMENT)
    for tag in ("target", "source", "address", "missing", "{urn:t}target"):
        assert xml_tree.first_child(disk, tag) is disk.find(tag)
        assert xml_tree.children_of(disk, tag) == disk.findall(tag)
    assert xml_tree.first_child(disk, "target").get("dev") == "vda"  # type: ignore[union-attr]


def test_grandchildren_match_findall() -> None:
    devices = etree.fromstring(
        "<devices><disk><boot order='1'/><source><boot/></source></disk><boot/>"
        "<interface><boot order='2'/><boot order='3'/></interface><!-- c --></devices>"
    )
    assert xml_tree.grandchildren(devices, "boot") == devices.findall("*/boot")
    assert [boot.get("order") for boot in xml_tree.grandchildren(devices, "boot")] == ["1", "2", "3"]
    assert xml_tree.grandchildren(devices, "missing") == []


def test_rank_of_gives_positions_for_lists_made_per_call() -> None:
    assert xml_tree.rank_of(["type", "bus", "model"]) == {"type": 0, "bus": 1, "model": 2}
    order = ["b", "a"]
    assert xml_tree.rank_of(order) is xml_tree.rank_of(order)


def test_rank_caches_stay_bounded() -> None:
    # each definition read passes lists made for the call: the caches must not keep them all
    for number in range(5 * xml_tree.RANK_CACHE_LIMIT):
        assert xml_tree.rank_of(["type", f"name{number}"])[f"name{number}"] == 1
        element = etree.Element("address", bus="0", type="pci")
        xml_tree.reorder_attributes(element, ["type", "bus"])
        assert element.keys() == ["type", "bus"]
    assert len(xml_tree._RANKS) <= xml_tree.RANK_CACHE_LIMIT
    assert len(xml_tree._RANKS_BY_NAMES) <= xml_tree.RANK_CACHE_LIMIT


def _documents_of_every_size() -> list[etree._Element]:
    """The same children with 0 to 12 more plain ones ahead of them: lookups take one path up
    to FEW_CHILDREN children and another past it."""
    parser = etree.XMLParser(resolve_entities=False)
    documents = []
    for extra in range(13):
        padding = "<pad/>" * extra
        text = (
            "<!DOCTYPE disk [<!ENTITY e 'x'>]>"
            f"<disk xmlns:t='urn:t'>{padding}<!-- c --><?pi x?>&e;<t:target dev='other'/>"
            "<target dev='vda'/><target dev='vdb'/></disk>"
        )
        documents.append(etree.fromstring(text, parser))
    return documents


def test_child_lookups_match_find_and_findall_on_both_sides_of_the_threshold() -> None:
    sizes = set()
    for disk in _documents_of_every_size():
        sizes.add(len(disk) <= xml_tree.FEW_CHILDREN)
        for tag in ("target", "pad", "missing", "{urn:t}target"):
            assert xml_tree.first_child(disk, tag) is disk.find(tag)
            assert xml_tree.children_of(disk, tag) == disk.findall(tag)
    assert sizes == {True, False}  # both paths were taken


def test_text_of_is_what_itertext_joins() -> None:
    parser = etree.XMLParser(resolve_entities=False)
    root = etree.fromstring(
        "<!DOCTYPE r [<!ENTITY e 'x'>]><r><a>12</a><b/><c>1<i>2</i>3</c><d>4<!-- c -->5</d><f>&e;6</f><g></g></r>",
        parser,
    )
    for element in root:
        assert xml_tree.text_of(element) == "".join(element.itertext())


def test_reorder_known_keeps_known_children_in_order_and_leaves_other_nodes() -> None:
    element = etree.fromstring("<os><boot dev='hd'/><!-- c --><unknown/><type>hvm</type><loader/></os>")
    xml_tree.reorder_known(element, ["type", "loader", "boot"])
    assert [child.tag for child in element.iterchildren("*")] == ["type", "loader", "boot"]
    assert len(element.xpath("comment()")) == 1  # not an element: neither dropped nor ordered
