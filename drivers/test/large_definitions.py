"""Large domain definitions (thousands of listed vCPUs, schedulers or devices, which a
small document can ask for) handled in worker threads: what a handler takes of one on the
event loop (its elements frozen as libxml2's text, in C), and the copy a start or a snapshot
makes of it and its XML, made from that in a thread while the loop goes on."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable

from lxml import etree

from virtrio.rpc.errors import LibvirtError

from .domain_definition import copied_definition
from .formats import domain_xml
from .state import Domain

# A definition with more children than this under its elements (listed vCPUs, devices,
# schedulers) is copied in a worker thread when its domain starts: virDomainDefCopy is a write
# and a read again, ~20 ms at 4,096 listed vCPUs and ~0.6 s at 65,536 implied controllers.
COPY_IN_THREAD_CHILDREN = 512


# One compiled count per thread (an XPath evaluator must not serve two threads at once):
# compiling the expression again at each call cost more than counting.
_COUNTERS = threading.local()


def _descendant_count(element: etree._Element) -> float:
    """How many elements lie below the element (libxml2's XPath: no Python object per node)."""
    count: etree.XPath | None = getattr(_COUNTERS, "descendants", None)
    if count is None:
        count = _COUNTERS.descendants = etree.XPath("count(.//*)")
    return count(element)  # type: ignore[return-value]


def copy_in_thread(definition: list[etree._Element]) -> bool:
    children = sum(map(len, definition))  # (map: no Python frame per element)
    if children > COPY_IN_THREAD_CHILDREN:
        return True
    # the one element whose lists lie deeper: <cpu>'s NUMA cells and their distances
    cpu = next((element for element in definition if element.tag == "cpu"), None)
    return cpu is not None and len(cpu) > 0 and children + _descendant_count(cpu) > COPY_IN_THREAD_CHILDREN


# Metadata entries are kept as text and read again (libxml2) whenever they are written: more
# than this many bytes of them (~0.35 ms a kilobyte) are written in a worker thread.
METADATA_IN_THREAD_BYTES = 16 * 1024


def large_metadata(domain: Domain | None) -> bool:
    return domain is not None and sum(map(len, domain.metadata.values())) > METADATA_IN_THREAD_BYTES


def frozen(definition: list[etree._Element]) -> list[bytes]:
    """The definition's elements as text (libxml2's own writer, in C): what a worker thread may
    read while the event loop goes on changing the elements."""
    return [etree.tostring(element, with_tail=False) for element in definition]


def elements_later(definition: list[etree._Element], tags: tuple[str, ...]) -> Callable[[], list[etree._Element]]:
    """The definition's top-level elements with these tags, for a worker thread: frozen now (in C,
    ~4 ms for 16,384 vCPU pins), read again there as a definition of those elements alone."""
    texts = frozen([element for element in definition if element.tag in tags])
    return lambda: [etree.fromstring(text) for text in texts]


def children_with_tags(definition: list[etree._Element], tags: tuple[str, ...]) -> int:
    """How many children the definition's top-level elements with these tags have (counted in C)."""
    return sum(len(element) for element in definition if element.tag in tags)


def copied_from_frozen(texts: list[bytes], os_type: str, max_vcpus: int) -> list[etree._Element] | LibvirtError:
    """copied_definition of a frozen definition, or its refusal (for the caller to report where
    libvirt reports it: a start has marked the domain running by then)."""
    try:
        return copied_definition([etree.fromstring(text) for text in texts], os_type, max_vcpus)
    except LibvirtError as refusal:
        return refusal


def format_later(
    domain: Domain, inactive: bool, secure: bool, *, running: bool = False, copy_first: bool = False
) -> Callable[[], str]:
    """formats.domain_xml of a large definition, for a worker thread: what it reads is taken
    now (the definitions frozen as text, the fields copied), so that the event loop may go on
    changing the domain while the thread writes it. copy_first: the definition's copy made
    first (virDomainDefCopy), for its refusals."""

    def taken(which: Domain | None) -> tuple[Domain, list[bytes]] | None:
        if which is None:
            return None
        copied = copy.copy(which)
        copied.metadata = dict(which.metadata)
        return copied, frozen(which.definition)

    # (the next definition only when it is the one written: inactive XML of a running domain)
    now, later = taken(domain), taken(domain.next) if inactive and not running else None
    assert now is not None

    def write() -> str:
        for copied, texts in (pair for pair in (now, later) if pair is not None):
            copied.definition = [etree.fromstring(text) for text in texts]
        now[0].next = later[0] if later is not None else None
        if copy_first:
            copied_definition(now[0].definition, now[0].os_type, now[0].max_vcpus)
        return domain_xml(now[0], inactive, secure, running=running)

    return write
