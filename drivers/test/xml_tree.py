"""Ordering and building lxml trees as libvirt's formatters order them: the small helpers
every definition module of the test driver shares (a leaf: it imports nothing of the driver)."""

from __future__ import annotations

from lxml import etree

# An attribute of ours on a one-line element that libvirt writes in a running domain's XML
# only (virDomainDefFormat with the INACTIVE flag leaves it out); the formatter's caller
# drops the line or the attribute (formats.domain_xml).
LIVE_ONLY = "virtrio-live-only"

_RANKS: dict[int, tuple[list[str], dict[str, int]]] = {}


def rank_of(order: list[str]) -> dict[str, int]:
    """Each name's position in the order (computed once per order list)."""
    cached = _RANKS.get(id(order))
    if cached is None or cached[0] is not order:
        cached = _RANKS[id(order)] = (order, {name: position for position, name in enumerate(order)})
    return cached[1]


def sorted_children(element: etree._Element, order: list[str]) -> list[etree._Element]:
    """Children in the given order; unknown ones keep their place after the known."""
    rank, last = rank_of(order), len(order)
    children = [child for child in element if isinstance(child.tag, str)]
    return sorted(children, key=lambda child: rank.get(child.tag, last))


def reorder(element: etree._Element, order: list[str]) -> None:
    children = sorted_children(element, order)
    if children == [child for child in element if isinstance(child.tag, str)]:
        return  # already in order
    for child in children:
        element.append(child)  # appending an existing child moves it to the end


def reorder_known(element: etree._Element, order: list[str]) -> None:
    """Children in the given order, and only those: libvirt formats what it parsed, so a
    child it does not know is not part of the definition (for elements whose children the
    order lists in full)."""
    rank = rank_of(order)
    for child in [child for child in element if isinstance(child.tag, str) and child.tag not in rank]:
        element.remove(child)
    reorder(element, order)


def reorder_attributes(element: etree._Element, order: list[str]) -> None:
    values = dict(element.attrib)
    rank, last = rank_of(order), len(order)
    names = sorted(values, key=lambda name: rank.get(name, last))
    if names == list(values):
        return  # already in order
    element.attrib.clear()
    for name in names:
        element.set(name, values[name])


def default(element: etree._Element, name: str, value: str) -> None:
    if element.get(name) is None:
        element.set(name, value)


def child(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    for name, value in attributes.items():
        element.set(name, value)
    return element


def make_element(tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.Element(tag, attributes) if attributes else etree.Element(tag)
    if text is not None:
        element.text = text
    return element


def mark_live_only(element: etree._Element) -> None:
    element.set(LIVE_ONLY, "yes")


# An attribute value of ours that libvirt writes in a running domain's XML only (a resctrl
# group's id): the formatter's caller drops the attribute or the prefix (formats.domain_xml).
LIVE_ONLY_VALUE = "virtrio-live-only:"


def set_live_only(element: etree._Element, name: str, value: str) -> None:
    element.set(name, LIVE_ONLY_VALUE + value)
