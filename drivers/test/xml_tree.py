"""Ordering and building lxml trees as libvirt's formatters order them: the small helpers
every definition module of the test driver shares (a leaf: it imports nothing of the driver)."""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

from lxml import etree

# An attribute of ours on a one-line element that libvirt writes in a running domain's XML
# only (virDomainDefFormat with the INACTIVE flag leaves it out); the formatter's caller
# drops the line or the attribute (formats.domain_xml).
LIVE_ONLY = "virtrio-live-only"

# Ranks by list identity (a module's order list: found at once) and by names (a list made
# for one call, e.g. reorder_attributes(x, ["type", "bus"])). Both bounded: the identity
# cache holds each list it saw, and lists made per call would otherwise pile up for as long
# as the daemon runs.
RANK_CACHE_LIMIT = 512
_TAG = attrgetter("tag")
_RANKS: dict[int, tuple[list[str], dict[str, int]]] = {}
_RANKS_BY_NAMES: dict[tuple[str, ...], dict[str, int]] = {}


def rank_of(order: list[str]) -> dict[str, int]:
    """Each name's position in the order (computed once per order)."""
    cached = _RANKS.get(id(order))
    if cached is not None and cached[0] is order:
        return cached[1]
    names = tuple(order)
    rank = _RANKS_BY_NAMES.get(names)
    if rank is None:
        rank = {name: position for position, name in enumerate(names)}
        if len(_RANKS_BY_NAMES) < RANK_CACHE_LIMIT:
            _RANKS_BY_NAMES[names] = rank
    if len(_RANKS) >= RANK_CACHE_LIMIT:
        _RANKS.clear()  # the module's lists come back at their next use
    _RANKS[id(order)] = (order, rank)
    return rank


# These run for nearly every element of every definition read: the children (elements
# only, lxml's "*" filter) and their ranks are taken once, and a tree already in order,
# the common case, is left after one comparison.


# element.find(tag) and findall(tag) for a plain tag name: lxml runs those through its
# ElementPath machinery, twice the cost of the child iteration they amount to, and a
# definition is read through hundreds of them.
# (the iterator class itself: element.iterchildren(tag) costs a method call more)
_CHILDREN = etree.ElementChildIterator


# Up to this many children a loop in Python over a list of them (element[:], made in C: ~1.3k
# instructions less than a loop over the element itself) finds a tag sooner than the
# iterator, whose set-up alone costs as much as comparing ~6 tags (of nodes whose proxies exist, as while
# a definition is parsed: parse.parse_domain_xml keeps them).
FEW_CHILDREN = 6


def first_child(element: etree._Element, tag: str) -> etree._Element | None:
    """The first child with that tag, or None (what element.find(tag) gives)."""
    count = len(element)
    if not count:  # a quarter of the lookups: len() costs a tenth of the iterator
        return None
    if count <= FEW_CHILDREN:
        for found in element[:]:  # (a list of the children: cheaper to make than an iterator)
            if found.tag == tag:  # (a comment's or an entity's tag is a function: never equal)
                return found
        return None
    for found in _CHILDREN(element, tag):
        return found
    return None


def children_of(element: etree._Element, tag: str) -> list[etree._Element]:
    """The children with that tag, in order (what element.findall(tag) gives)."""
    count = len(element)
    if not count:
        return []
    if count <= FEW_CHILDREN:
        found_ones: list[etree._Element] = []
        for found in element[:]:  # (a plain loop: a comprehension is one more call in Python 3.11)
            if found.tag == tag:
                found_ones.append(found)
        return found_ones
    return list(_CHILDREN(element, tag))


def children_by_tag(element: etree._Element) -> dict[str, list[etree._Element]]:
    """The element's children (elements only) by tag, each tag's in document order: one pass
    for what would otherwise be a children_of search per tag (a domain's root has a dozen)."""
    return grouped_children(element)[0]


def grouped_children(
    element: etree._Element,
) -> tuple[dict[str, list[etree._Element]], dict[str, etree._Element]]:
    """children_by_tag's groups, and the first child of each tag, from the same pass."""
    groups: dict[str, list[etree._Element]] = {}
    firsts: dict[str, etree._Element] = {}
    for found in element[:]:
        tag = found.tag
        if tag in groups:  # (an operator: cheaper than groups.get's method call)
            groups[tag].append(found)
        elif isinstance(tag, str):  # (a processing instruction's or an entity's tag is a function)
            groups[tag] = [found]
            firsts[tag] = found
    return groups, firsts


def text_of(element: etree._Element) -> str:
    """All the element's text, as XPath's string() gives it ("".join(element.itertext()),
    without the iterator for a leaf, whose text is all of it: a fiftieth of the cost)."""
    if not len(element):  # (comments, processing instructions and entities count as children)
        return element.text or ""
    return "".join(element.itertext())


def grandchildren(element: etree._Element, tag: str) -> list[etree._Element]:
    """The tag's elements among the children's children, in document order (what
    element.findall("*/" + tag) gives, from one walk of the subtree in C: ElementPath's two
    steps cost five times as much)."""
    return [
        found
        for found in element.iter(tag)
        if (parent := found.getparent()) is not None and parent.getparent() is element
    ]


def sorted_children(element: etree._Element, order: list[str]) -> list[etree._Element]:
    """Children in the given order; unknown ones keep their place after the known."""
    rank, last = rank_of(order), len(order)
    return sorted(element.iterchildren("*"), key=lambda child: rank.get(child.tag, last))


def _reorder_children(element: etree._Element, children: list[etree._Element], order: list[str]) -> None:
    rank, last = rank_of(order), len(order)
    _put_in_order(element, children, [rank.get(child.tag, last) for child in children])


def tags_in_order(tags: Iterable[object], rank: dict[str, int]) -> bool:
    """Whether every tag is one the rank knows, in its order: what reorder_known leaves as it
    is, told by one loop (a comment's or processing instruction's tag is a function: unknown)."""
    previous = 0
    for tag in tags:
        position = rank.get(tag, -1)  # type: ignore[call-overload]
        if position < previous:  # (unknown: -1)
            return False
        previous = position
    return True


def children_in_order(element: etree._Element, rank: dict[str, int]) -> bool:
    """tags_in_order of the element's children."""
    return tags_in_order(map(_TAG, element[:]), rank)


def _in_order(ranks: list[int]) -> bool:
    """ranks == sorted(ranks), in one pass without the sorted copy (most lists are in order)."""
    previous = -1
    for position in ranks:
        if position < previous:
            return False
        previous = position
    return True


def _put_in_order(element: etree._Element, children: list[etree._Element], ranks: list[int]) -> None:
    if _in_order(ranks):
        return
    for _, child in sorted(zip(ranks, children, strict=True), key=lambda pair: pair[0]):
        element.append(child)  # appending an existing child moves it to the end


def reorder(element: etree._Element, order: list[str]) -> None:
    if len(element) > 1:  # nothing to order otherwise
        _reorder_children(element, list(element.iterchildren("*")), order)


def reorder_known(element: etree._Element, order: list[str]) -> None:
    """Children in the given order, and only those: libvirt formats what it parsed, so a
    child it does not know is not part of the definition (for elements whose children the
    order lists in full)."""
    if not len(element):
        return
    rank = rank_of(order)
    children: list[etree._Element] = []
    ranks: list[int] = []
    for child in element[:]:  # elements only (what iterchildren("*") gives), each tag read once
        tag = child.tag
        if isinstance(tag, str):
            children.append(child)
            ranks.append(rank.get(tag, -1))
    if -1 in ranks:
        for child, position in zip(children, ranks, strict=True):
            if position == -1:
                element.remove(child)
        children = [child for child, position in zip(children, ranks, strict=True) if position != -1]
        ranks = [position for position in ranks if position != -1]
    _put_in_order(element, children, ranks)


def reorder_attributes(element: etree._Element, order: list[str]) -> None:
    names = element.keys()
    if len(names) < 2:
        return
    rank, last = rank_of(order), len(order)
    previous = -1
    for name in names:  # most are in order: found in one pass, no list made
        position = rank.get(name, last)
        if position < previous:
            break
        previous = position
    else:
        return
    ranks = [rank.get(name, last) for name in names]
    items = element.items()
    element.attrib.clear()
    for _, (name, value) in sorted(zip(ranks, items, strict=True), key=lambda pair: pair[0]):
        element.set(name, value)


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
