"""The tuning parts of a domain definition, read and changed as libvirt's domain_conf does.

IOThreads, the pins of <cputune>, <numatune>, interface bandwidth, disk <iotune>, <perf>
events and lifecycle actions all live in the definition's canonical elements (see
domain_definition.py), so `dumpxml` shows them as libvirtd does. An IOThread libvirt filled
in by itself ("autofill") carries a comment child, which no XML output shows and which a
copy of the definition drops, as libvirt's virDomainDefCopy forgets the flag.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from virtrio.drivers.libvirt_rules import (
    UINT_MAX,
    ULLONG_MAX,
    as_c_int,
    missing_attribute,
    parse_mac,
    prop_enum,
    prop_uint,
    strtoul_whole,
    strtoul_wrapping,
)
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import cause_unknown, report

from .bitmaps import format_bitmap, parse_bitmap
from .definition_order import CHILD_ORDER, TOP_LEVEL_RANK
from .tuning import PERF_EVENTS
from .xml_tree import children_of, first_child, make_element, text_of


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


AUTOFILL = "autofill"
NUMATUNE_MODES = ("strict", "preferred", "interleave", "restrictive")
LIFECYCLE_EVENTS = ("poweroff", "reboot", "crash")
LIFECYCLE_ACTIONS = ("destroy", "restart", "rename-restart", "preserve", "coredump-destroy", "coredump-restart")
# <cputune>'s children in the order virDomainCputuneDefFormat writes them
CPUTUNE_ORDER = _names("""shares period quota global_period global_quota emulator_period emulator_quota
iothread_period iothread_quota vcpupin emulatorpin iothreadpin emulatorsched vcpusched iothreadsched cachetune
memorytune""")
IOTUNE_FIELDS = _names("""total_bytes_sec read_bytes_sec write_bytes_sec total_iops_sec read_iops_sec
write_iops_sec total_bytes_sec_max read_bytes_sec_max write_bytes_sec_max total_iops_sec_max read_iops_sec_max
write_iops_sec_max size_iops_sec group_name total_bytes_sec_max_length read_bytes_sec_max_length
write_bytes_sec_max_length total_iops_sec_max_length read_iops_sec_max_length write_iops_sec_max_length""")
RATE_ATTRIBUTES = ("average", "peak", "floor", "burst")  # as virNetDevBandwidthRateFormat writes them
MEMORY_LIMITS = ("hard_limit", "soft_limit", "swap_hard_limit")  # the typed parameters' names too


# --- top-level elements ----------------------------------------------------------------


def top(definition: list[etree._Element], tag: str) -> etree._Element | None:
    return next((element for element in definition if element.tag == tag), None)


def put_top(definition: list[etree._Element], element: etree._Element) -> None:
    """Add or replace a top-level element, keeping libvirt's order."""
    drop_top(definition, element.tag)
    rank = TOP_LEVEL_RANK.get(element.tag, len(TOP_LEVEL_RANK))
    position = next(
        (i for i, other in enumerate(definition) if TOP_LEVEL_RANK.get(other.tag, len(TOP_LEVEL_RANK)) > rank),
        len(definition),
    )
    definition.insert(position, element)


def drop_top(definition: list[etree._Element], tag: str) -> None:
    definition[:] = [element for element in definition if element.tag != tag]


def top_or_new(definition: list[etree._Element], tag: str) -> etree._Element:
    """A top-level element, added empty (in libvirt's order) when the definition lacks it."""
    found = top(definition, tag)
    if found is None:
        found = make_element(tag)
        put_top(definition, found)
    return found


def devices(definition: list[etree._Element]) -> etree._Element:
    return top_or_new(definition, "devices")


# --- cputune: vCPU, emulator and IOThread pins -----------------------------------------


def _cputune(definition: list[etree._Element]) -> etree._Element:
    return top_or_new(definition, "cputune")


CPUTUNE_RANK = {tag: position for position, tag in enumerate(CPUTUNE_ORDER)}


def _order_cputune(cputune: etree._Element) -> int:
    """<cputune>'s children in virDomainCputuneDefFormat's order (stable within a tag); how many."""
    children = sorted(
        (child for child in cputune if isinstance(child.tag, str)),
        key=lambda child: CPUTUNE_RANK.get(child.tag, len(CPUTUNE_RANK)),
    )
    for child in children:
        cputune.append(child)
    return len(children)


def _store_cputune(definition: list[etree._Element], cputune: etree._Element) -> None:
    if not _order_cputune(cputune):
        drop_top(definition, "cputune")


def canonical_vcpupins(kept: dict[str, etree._Element], max_vcpus: int) -> None:
    """virDomainVcpuPinDefParseXML for each <vcpupin>: a pin of a vCPU the domain lacks is
    dropped, a cpuset is read as a bitmap (none set refused), one pin per vCPU; written in vCPU
    order, as virDomainCputuneDefFormat writes the vCPUs' masks."""
    cputune = kept.get("cputune")
    if cputune is None:
        return
    pins: dict[int, etree._Element] = {}
    for pin in list(children_of(cputune, "vcpupin")):
        cputune.remove(pin)
        number = prop_uint(pin, "vcpu")
        if number is None:
            raise missing_attribute("vcpupin", "vcpu")
        if number >= max_vcpus:
            continue  # libvirt logs a warning and ignores it
        cpuset = pin.get("cpuset")
        if cpuset is None:
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, "missing cpuset for vcpupin")
        if number in pins:
            detail = f"duplicate vcpupin for vcpu '{as_c_int(number)}'"
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, detail)
        cpus = parse_bitmap(cpuset)
        if not cpus:
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, f"Invalid value of 'cpuset': {cpuset}")
        pins[number] = make_element("vcpupin", vcpu=str(number), cpuset=format_bitmap(cpus))
    for number in sorted(pins):
        cputune.append(pins[number])
    emulator_pins = children_of(cputune, "emulatorpin")
    if emulator_pins:  # virDomainEmulatorPinDefParseXML, after the vCPUs' pins
        if len(emulator_pins) > 1:
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "only one emulatorpin is supported")
        if emulator_pins[0].get("cpuset") is None:
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, "missing cpuset for emulatorpin")
    if not _order_cputune(cputune):
        del kept["cputune"]


def vcpu_pins(definition: list[etree._Element]) -> dict[int, set[int]]:
    """Each pinned vCPU's host CPUs (its vcpu->cpumask), from a canonical definition."""
    cputune = top(definition, "cputune")
    pins = children_of(cputune, "vcpupin") if cputune is not None else []
    return {int(pin.get("vcpu", "0")): _cpus(pin.get("cpuset", "")) for pin in pins}


def _cpus(cpuset: str) -> set[int]:
    return parse_bitmap(cpuset) if cpuset else set()


def drop_vcpu_pins_from(definition: list[etree._Element], max_vcpus: int) -> None:
    """virDomainDefSetVcpusMax: the vCPUs beyond a lowered maximum go, and their pins with them."""
    cputune = top(definition, "cputune")
    if cputune is None:
        return
    for pin in list(children_of(cputune, "vcpupin")):
        if int(pin.get("vcpu", "0")) >= max_vcpus:
            cputune.remove(pin)
    _store_cputune(definition, cputune)


# A pin numbers what it pins: <cputune> holds them in that order within their tag.
_PIN_NUMBER = {"vcpupin": "vcpu", "iothreadpin": "iothread"}


def _cputune_key(child: etree._Element) -> tuple[int, int]:
    """Where _order_cputune puts a child (a comment first), and a pin's number within its tag."""
    tag = child.tag
    if not isinstance(tag, str):
        return (-1, 0)
    numbered = _PIN_NUMBER.get(tag)
    return (CPUTUNE_RANK.get(tag, len(CPUTUNE_RANK)), int(child.get(numbered, "0")) if numbered else 0)


def _child_at(parent: etree._Element, index: int, count: int) -> etree._Element:
    """parent[index], reached from the nearer end (lxml walks the children to it)."""
    return parent[index] if 2 * index < count else parent[index - count]


def _first_not_below(
    parent: etree._Element, low: int, count: int, key_of: Callable[[etree._Element], Any], key: Any
) -> int:
    """Bisection over parent's children from low on, ordered by key_of: the first position
    whose key is not below key (count when there is none)."""
    high = count
    while low < high:
        middle = (low + high) // 2
        if key_of(_child_at(parent, middle, count)) < key:
            low = middle + 1
        else:
            high = middle
    return low


def _put_in_cputune(cputune: etree._Element, element: etree._Element) -> None:
    """Put a child in an ordered <cputune> (pins in their numbers' order) by bisection, in
    place of the one of its tag and number if there is one: a <cputune> may hold thousands
    of pins, and re-appending every child held the event loop ~20 ms at 16,384."""
    key = _cputune_key(element)
    count = len(cputune)
    low = _first_not_below(cputune, 0, count, _cputune_key, key)
    if low < count and _cputune_key(_child_at(cputune, low, count)) == key:
        cputune[low] = element
    else:
        cputune.insert(low, element)


def set_vcpu_pin(definition: list[etree._Element], vcpu: int, cpus: set[int]) -> None:
    """Pin one vCPU (an empty set is kept and written as cpuset='', as libvirt's test driver does)."""
    _put_in_cputune(_cputune(definition), make_element("vcpupin", vcpu=str(vcpu), cpuset=format_bitmap(cpus)))


def default_cpumask(definition: list[etree._Element]) -> set[int] | None:
    """The domain's <vcpu cpuset=...>, libvirt's def->cpumask."""
    vcpu = top(definition, "vcpu")
    cpuset = vcpu.get("cpuset") if vcpu is not None else None
    return parse_bitmap(cpuset) if cpuset else None


def emulator_pin(definition: list[etree._Element]) -> set[int] | None:
    cputune = top(definition, "cputune")
    pin = first_child(cputune, "emulatorpin") if cputune is not None else None
    return parse_bitmap(pin.get("cpuset", "")) if pin is not None else None


def set_emulator_pin(definition: list[etree._Element], cpus: set[int]) -> None:
    _put_in_cputune(_cputune(definition), make_element("emulatorpin", cpuset=format_bitmap(cpus)))


# --- IOThreads -------------------------------------------------------------------------


@dataclass
class IOThread:
    """One of def->iothreadids: its id, whether libvirt filled it in, its pin."""

    id: int
    autofill: bool = False
    attributes: dict[str, str] = field(default_factory=dict)  # thread_pool_min, thread_pool_max
    cpuset: str | None = None


def iothreads(definition: list[etree._Element]) -> list[IOThread]:
    count = top(definition, "iothreads")
    ids = top(definition, "iothreadids")
    if ids is None:  # all filled in by libvirt: they are 1..N
        total = int(count.text) if count is not None else 0
        threads = [IOThread(number, autofill=True) for number in range(1, total + 1)]
    else:
        threads = []
        for entry in children_of(ids, "iothread"):
            attributes = {name: value for name, value in entry.attrib.items() if name != "id"}
            autofill = any(isinstance(child, etree._Comment) and child.text == AUTOFILL for child in entry)
            threads.append(IOThread(int(entry.get("id")), autofill, attributes))
    cputune = top(definition, "cputune")
    pins = {}
    for pin in children_of(cputune, "iothreadpin") if cputune is not None else []:
        pins.setdefault(int(pin.get("iothread", "0")), pin.get("cpuset"))
    for thread in threads:
        thread.cpuset = pins.get(thread.id)
    return threads


def store_iothreads(definition: list[etree._Element], threads: list[IOThread]) -> None:
    """What virDomainDefIOThreadsFormat and the iothreadpin part of <cputune> show of threads."""
    if threads:
        put_top(definition, make_element("iothreads", str(len(threads))))
    else:
        drop_top(definition, "iothreads")
    if any(not thread.autofill or thread.attributes for thread in threads):
        ids = make_element("iothreadids")
        if all(earlier.id < later.id for earlier, later in itertools.pairwise(threads)):
            # a list the client wrote in increasing ids, or one made so: marked as such, its
            # IOThreads are then changed in place (add, delete, pin; ~0.4 s of the event loop
            # for a rebuild at 65,536)
            ids.append(etree.Comment(IN_ORDER))
        for thread in threads:
            entry = etree.SubElement(ids, "iothread")
            entry.set("id", str(thread.id))
            for name in ("thread_pool_min", "thread_pool_max"):
                if name in thread.attributes:
                    entry.set(name, thread.attributes[name])
            if thread.autofill:
                entry.append(etree.Comment(AUTOFILL))
        put_top(definition, ids)
    else:
        drop_top(definition, "iothreadids")
    cputune = _cputune(definition)
    for old in children_of(cputune, "iothreadpin"):
        cputune.remove(old)
    for thread in threads:
        if thread.cpuset is not None:
            cputune.append(make_element("iothreadpin", iothread=str(thread.id), cpuset=thread.cpuset))
    _store_cputune(definition, cputune)


# Changes of one IOThread, made in place: a domain may have 65,536 of them, and making every
# IOThread and every <iothread> again held the event loop ~300-600 ms.
_IOTHREAD_OF = etree.XPath("iothread[@id = $id]")
_IOTHREADPIN_OF = etree.XPath("iothreadpin[@iothread = $id]")
# The first child of an <iothreadids> whose ids are known to increase (one made by
# iothreadids_of, kept so by the changes below), shown by no XML output as AUTOFILL:
# its entries are then found by bisection (an XPath lookup reads every one, ~60 ms at 65,536).
IN_ORDER = "in order"
_AUTOFILL_MARKS = etree.XPath("comment()[. = $mark]")
_LATER_AUTOFILL_MARKS = etree.XPath("following-sibling::iothread/comment()[. = $mark]")
_ANY_SHOWN = etree.XPath("boolean(iothread[not(comment()[. = $mark]) or @*[name() != 'id']])")


def autofilled_count(definition: list[etree._Element]) -> int | None:
    """How many IOThreads there are when libvirt filled in every one (ids 1..N, no
    <iothreadids>); None when they are listed."""
    if top(definition, "iothreadids") is not None:
        return None
    count = top(definition, "iothreads")
    return int(count.text) if count is not None else 0


def _in_order(ids: etree._Element) -> bool:
    for first in ids:  # the first child only (len() would count all 65,536, ~1 ms)
        return isinstance(first, etree._Comment) and first.text == IN_ORDER
    return False


def _id_of(entry: etree._Element) -> int:
    return int(entry.get("id", "0")) if isinstance(entry.tag, str) else -1


def listed_iothread(definition: list[etree._Element], thread_id: int) -> etree._Element | None:
    """The <iothread> of that id in <iothreadids>."""
    ids = top(definition, "iothreadids")
    if ids is None:
        return None
    if not _in_order(ids):
        found = _IOTHREAD_OF(ids, id=str(thread_id))
        return found[0] if found else None
    count = len(ids)
    low = _first_not_below(ids, 1, count, _id_of, thread_id)
    entry = _child_at(ids, low, count) if low < count else None
    return entry if entry is not None and _id_of(entry) == thread_id else None


def has_iothread(definition: list[etree._Element], thread_id: int) -> bool:
    count = autofilled_count(definition)
    if count is not None:
        return 1 <= thread_id <= count
    return listed_iothread(definition, thread_id) is not None


def iothreadids_of(runs: list[tuple[range, bool]]) -> etree._Element:
    """An <iothreadids> of these runs of ids, each run filled in by libvirt or not, as
    store_iothreads writes it (made as text and read in C: a worker thread may make it)."""
    parts = [f"<iothreadids><!--{IN_ORDER}-->"]
    for numbers, autofill in runs:
        end = f"><!--{AUTOFILL}--></iothread>" if autofill else "/>"
        parts.extend(f"<iothread id='{number}'{end}" for number in numbers)
    parts.append("</iothreadids>")
    return etree.fromstring("".join(parts))


def store_iothread_count(definition: list[etree._Element], count: int, ids: etree._Element | None) -> None:
    """<iothreads> and, when given, a new <iothreadids>, as store_iothreads writes them."""
    if count:
        put_top(definition, make_element("iothreads", str(count)))
    else:
        drop_top(definition, "iothreads")
    if ids is not None:
        put_top(definition, ids)


def listed_in_order(definition: list[etree._Element]) -> bool:
    """Whether the IOThreads are known to be in increasing ids, so that their pins are too."""
    ids = top(definition, "iothreadids")
    return ids is None or _in_order(ids)


def set_iothread_pin(definition: list[etree._Element], thread_id: int, cpuset: str) -> None:
    """Pin one IOThread of a domain whose IOThreads are in increasing ids (autofilled, or
    listed_in_order); a listed one is no longer libvirt's own."""
    entry = listed_iothread(definition, thread_id)
    if entry is not None:
        for mark in _AUTOFILL_MARKS(entry, mark=AUTOFILL):
            entry.remove(mark)
    _put_in_cputune(_cputune(definition), make_element("iothreadpin", iothread=str(thread_id), cpuset=cpuset))


def drop_iothread_pin(definition: list[etree._Element], thread_id: int) -> None:
    cputune = top(definition, "cputune")
    if cputune is None:
        return
    for pin in _IOTHREADPIN_OF(cputune, id=str(thread_id)):
        cputune.remove(pin)
    if next(cputune.iterchildren("*"), None) is None:
        drop_top(definition, "cputune")


def _listed_count(definition: list[etree._Element]) -> int:
    """How many IOThreads are listed: <iothreads> counts them all (store_iothreads)."""
    count = top(definition, "iothreads")
    return int(count.text) if count is not None else 0


def add_listed_iothread(definition: list[etree._Element], thread_id: int) -> None:
    """A new IOThread after the listed ones (its id unused)."""
    ids = top(definition, "iothreadids")
    assert ids is not None
    if _in_order(ids) and _id_of(ids[-1]) > thread_id:
        ids.remove(ids[0])
    etree.SubElement(ids, "iothread", id=str(thread_id))
    store_iothread_count(definition, _listed_count(definition) + 1, None)


def _shown(entry: etree._Element) -> bool:
    """Whether store_iothreads writes <iothreadids> for this IOThread alone."""
    return len(entry.attrib) > 1 or not _AUTOFILL_MARKS(entry, mark=AUTOFILL)


def delete_listed_iothread(definition: list[etree._Element], entry: etree._Element) -> None:
    """virDomainIOThreadIDDel of a listed IOThread: those after it stay in the XML (no longer
    libvirt's own); <iothreadids> goes when none is left to show."""
    ids = entry.getparent()
    later = entry.getnext() is not None
    for mark in _LATER_AUTOFILL_MARKS(entry, mark=AUTOFILL):
        mark.getparent().remove(mark)
    ids.remove(entry)
    left = _listed_count(definition) - 1
    store_iothread_count(definition, left, None)
    # one after it is shown now; else the last one may be, or (seldom) any other
    if not left or not (later or _shown(ids[-1]) or _ANY_SHOWN(ids, mark=AUTOFILL)):
        drop_top(definition, "iothreadids")


def _thread_id(element: etree._Element, name: str) -> int:
    """virXMLPropUInt with REQUIRED and NONZERO (a value that is no number was a crash)."""
    number = prop_uint(element, name, nonzero=True)
    if number is None:
        raise missing_attribute(element.tag, name)
    return number


def canonical_iothreads(kept: dict[str, etree._Element]) -> None:
    """virDomainDefParseIOThreads: the listed ids, then ids filled in up to <iothreads>;
    and the <iothreadpin>s of <cputune>, which must name one of them."""
    if "iothreads" not in kept and "iothreadids" not in kept and "cputune" not in kept:
        return  # nothing to read, nothing to fill in
    count_element, ids_element = kept.pop("iothreads", None), kept.pop("iothreadids", None)
    text = (count_element.text or "").strip() if count_element is not None else ""
    if count_element is not None and not text.isdigit():
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, f"invalid iothreads count '{text}'")
    threads: list[IOThread] = []
    by_id: dict[int, IOThread] = {}
    for entry in children_of(ids_element, "iothread") if ids_element is not None else []:
        number = _thread_id(entry, "id")
        if number in by_id:
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, f"duplicate iothread id '{number}' found")
        attributes = {name: entry.get(name) for name in ("thread_pool_min", "thread_pool_max") if entry.get(name)}
        threads.append(by_id.setdefault(number, IOThread(number, False, attributes)))
    wanted = int(text) if text else 0
    free = [number for number in range(1, wanted + 1) if number not in by_id]
    for number in free[: max(wanted - len(threads), 0)]:
        threads.append(by_id.setdefault(number, IOThread(number, autofill=True)))
    definition = [kept.pop("cputune")] if "cputune" in kept else []
    cputune = definition[0] if definition else None
    for pin in children_of(cputune, "iothreadpin") if cputune is not None else []:
        number = _thread_id(pin, "iothread")
        if number not in by_id:
            detail = f"Cannot find 'iothread' : {number}"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
        thread = by_id[number]
        if pin.get("cpuset") is None:
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, "missing cpuset for iothreadpin")
        thread.cpuset = format_bitmap(parse_bitmap(pin.get("cpuset", "")))
    store_iothreads(definition, threads)
    kept.update((element.tag, element) for element in definition)


# --- numatune --------------------------------------------------------------------------


@dataclass
class MemoryTune:
    """numatune's <memory>: def->numa->memory."""

    specified: bool = False
    mode: int = api.VIR_DOMAIN_NUMATUNE_MEM_STRICT
    placement: str | None = None  # "static" or "auto"
    nodeset: set[int] | None = None


@dataclass
class Blkio:
    """virDomainBlkioTune: the weight, and per device path its nonzero values by child tag."""

    weight: int = 0
    devices: list[tuple[str, dict[str, int]]] = field(default_factory=list)


# typed parameter, <device> child (libvirt's order for both), and C type (True: unsigned long long)
BLKIO_DEVICE_FIELDS = (
    (api.VIR_DOMAIN_BLKIO_DEVICE_WEIGHT, "weight", False),
    (api.VIR_DOMAIN_BLKIO_DEVICE_READ_IOPS, "read_iops_sec", False),
    (api.VIR_DOMAIN_BLKIO_DEVICE_WRITE_IOPS, "write_iops_sec", False),
    (api.VIR_DOMAIN_BLKIO_DEVICE_READ_BPS, "read_bytes_sec", True),
    (api.VIR_DOMAIN_BLKIO_DEVICE_WRITE_BPS, "write_bytes_sec", True),
)
C_UNSIGNED = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+")


def _child_number(element: etree._Element, tag: str) -> int:
    child = first_child(element, tag)
    text = (child.text or "").strip() if child is not None else ""
    return int(text) if text.isdigit() else 0


def blkio(definition: list[etree._Element]) -> Blkio:
    """<blkiotune> as libvirt read it when the domain was defined."""
    tune = top(definition, "blkiotune")
    if tune is None:
        return Blkio()
    devices = []
    for device in children_of(tune, "device"):
        path = first_child(device, "path")
        values = {tag: _child_number(device, tag) for _, tag, _ in BLKIO_DEVICE_FIELDS}
        devices.append((path.text or "" if path is not None else "", values))
    return Blkio(_child_number(tune, "weight"), devices)


def blkio_device_lists(tune: Blkio) -> list[tuple[str, str]]:
    """virDomainGetBlkioParametersAssignFromDef: each device field as 'path,value,...'."""
    lists = []
    for name, tag, _ in BLKIO_DEVICE_FIELDS:
        pairs = [f"{path},{values[tag]}" for path, values in tune.devices if values.get(tag)]
        lists.append((name, ",".join(pairs)))
    return lists


def parse_blkio_devices(text: str, name: str) -> list[tuple[str, int]]:
    """virDomainDriverParseBlkioDeviceStr: 'path,value[,path,value...]', values as
    virStrToLong_uip/ullp read them (no sign '-', within the C type); errors from the
    domain module, as libvirt's hypervisor helpers report them."""
    if text == "":
        return []
    wide = next(wide for field_name, _, wide in BLKIO_DEVICE_FIELDS if field_name == name)
    unparsable = report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, f"unable to parse blkio device '{name}' '{text}'")
    if text.count(",") % 2 == 0:  # fields come in pairs: an odd number of commas
        raise unparsable
    parsed = []
    rest = text
    while True:
        comma = rest.find(",")
        if comma < 0:
            raise unparsable
        path, rest = rest[:comma], rest[comma + 1 :]
        number = C_UNSIGNED.match(rest)
        value = int(number.group()) if number is not None and "-" not in number.group() else -1
        if not 0 <= value < (1 << (64 if wide else 32)):
            detail = f"invalid value '{rest}' for parameter '{name}' of device '{path}'"
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, detail)
        parsed.append((path, value))
        rest = rest[number.end() :] if number is not None else rest
        if rest == "":
            return parsed
        if not rest.startswith(","):
            raise unparsable
        rest = rest[1:]


def merge_blkio_devices(tune: Blkio, parsed: list[tuple[str, int]], name: str) -> None:
    """virDomainDriverMergeBlkioDevice: a known path takes the value (zero too), a new one
    is added only with a nonzero value."""
    tag = next(tag for field_name, tag, _ in BLKIO_DEVICE_FIELDS if field_name == name)
    for path, value in parsed:
        known = next((values for known_path, values in tune.devices if known_path == path), None)
        if known is not None:
            known[tag] = value
        elif value:
            tune.devices.append((path, {tag: value}))


def store_blkio(definition: list[etree._Element], tune: Blkio) -> None:
    """virDomainDefFormatBlkiotune: the weight and each device's values when nonzero."""
    element = make_element("blkiotune")
    if tune.weight:
        element.append(make_element("weight", str(tune.weight)))
    for path, values in tune.devices:
        if not any(values.values()):
            continue
        device = make_element("device")
        device.append(make_element("path", path))
        for _, tag, _ in BLKIO_DEVICE_FIELDS:
            if values.get(tag):
                device.append(make_element(tag, str(values[tag])))
        element.append(device)
    if len(element):
        put_top(definition, element)
    else:
        drop_top(definition, "blkiotune")


def memory_limits(definition: list[etree._Element]) -> dict[str, int]:
    """<memtune>'s limits in KiB, as virDomainDef keeps them: absent is unlimited."""
    memtune = top(definition, "memtune")
    limits = dict.fromkeys(MEMORY_LIMITS, api.VIR_DOMAIN_MEMORY_PARAM_UNLIMITED)
    for tag in MEMORY_LIMITS:
        element = first_child(memtune, tag) if memtune is not None else None
        if element is not None:  # parsed into KiB when the domain was defined
            limits[tag] = int(element.text or 0)
    return limits


def set_memory_limits(definition: list[etree._Element], limits: dict[str, int]) -> None:
    """Store limits in <memtune> as virDomainMemtuneFormat writes them: only set ones (below
    unlimited), in KiB, in libvirt's order; no <memtune> left with nothing in it."""
    memtune = top_or_new(definition, "memtune")
    for tag, kib in limits.items():
        for old in children_of(memtune, tag):
            memtune.remove(old)
        if kib < api.VIR_DOMAIN_MEMORY_PARAM_UNLIMITED:
            memtune.append(make_element(tag, str(kib), unit="KiB"))
    memtune[:] = sorted(memtune, key=lambda child: CHILD_ORDER["memtune"].index(child.tag))
    if not len(memtune):
        drop_top(definition, "memtune")


def memory_tune(definition: list[etree._Element]) -> MemoryTune:
    numatune = top(definition, "numatune")
    memory = first_child(numatune, "memory") if numatune is not None else None
    if memory is None:
        return MemoryTune()
    mode = memory.get("mode", "strict")
    nodeset = parse_bitmap(memory.get("nodeset")) if memory.get("nodeset") else None
    placement = memory.get("placement") or ("static" if nodeset is not None else "auto")
    return MemoryTune(True, NUMATUNE_MODES.index(mode) if mode in NUMATUNE_MODES else 0, placement, nodeset)


def _numatune_set(
    tune: MemoryTune, placement_static: bool, placement: str | None, mode: int, nodeset: set[int] | None
) -> None:
    """virDomainNumatuneSet (placement None: not given, "default": libvirt's to choose)."""
    if mode == -1 and placement is None and nodeset is None:
        return
    if not tune.specified:
        mode = api.VIR_DOMAIN_NUMATUNE_MEM_STRICT if mode == -1 else mode
        placement = placement or "default"
    if mode != -1:
        tune.mode = mode
    if nodeset is not None:
        tune.nodeset = nodeset
        placement = placement or "static"
    if placement == "default":
        placement = "static" if tune.nodeset is not None or placement_static else "auto"
    if placement == "static" and tune.nodeset is None:
        detail = "nodeset for NUMA memory tuning must be set if 'placement' is 'static'"
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    if placement == "auto":
        tune.nodeset = None
    if placement is not None:
        tune.placement = placement
    tune.specified = True


def _placement_static(definition: list[etree._Element]) -> bool:
    vcpu = top(definition, "vcpu")
    return vcpu is None or vcpu.get("placement", "static") == "static"


def _store_memory_tune(definition: list[etree._Element], tune: MemoryTune) -> None:
    numatune = top_or_new(definition, "numatune")
    for old in children_of(numatune, "memory"):
        numatune.remove(old)
    if tune.specified:
        memory = make_element("memory", mode=NUMATUNE_MODES[tune.mode])
        if tune.placement == "static":
            memory.set("nodeset", format_bitmap(tune.nodeset or ()))
        elif tune.placement:
            memory.set("placement", tune.placement)
        numatune.insert(0, memory)
    if not len(numatune):
        drop_top(definition, "numatune")


def set_memory_tune(definition: list[etree._Element], mode: int, nodeset: set[int] | None) -> None:
    """virDomainNumatuneSet with no placement given: what testDomainSetNumaParameters asks."""
    tune = memory_tune(definition)
    _numatune_set(tune, _placement_static(definition), None, mode, nodeset)
    _store_memory_tune(definition, tune)


def canonical_numatune(kept: dict[str, etree._Element], vcpu_attributes: dict[str, str] | None = None) -> None:
    """virDomainNumatuneParseXML, and the automatic vCPU placement that can follow from it
    (vcpu_attributes: those of kept's <vcpu>, when the caller has them read)."""
    vcpu = kept.get("vcpu")
    if vcpu is not None and vcpu_attributes is None:
        vcpu_attributes = dict(vcpu.items())
    if "numatune" not in kept and (
        vcpu_attributes is None or ("cpuset" not in vcpu_attributes and vcpu_attributes.get("placement") != "auto")
    ):
        return  # no memory tuning, and nothing that implies one
    definition = [kept.pop(tag) for tag in ("numatune", "vcpu") if tag in kept]
    vcpu = top(definition, "vcpu")
    if vcpu is not None and vcpu.get("cpuset") is not None:
        if vcpu.get("placement") == "auto":
            del vcpu.attrib["cpuset"]  # libvirt reads no cpuset with automatic placement
        else:
            cpus = parse_bitmap(vcpu.get("cpuset"))
            if not cpus:
                detail = f"Invalid value of 'cpuset': {vcpu.get('cpuset')}"
                raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
            vcpu.set("cpuset", format_bitmap(cpus))
    numatune = top(definition, "numatune")
    memory = first_child(numatune, "memory") if numatune is not None else None
    placement_static = _placement_static(definition)
    mode, placement, nodeset = -1, None if placement_static or memory is not None else "auto", None
    if memory is not None:
        if memory.get("mode") is not None:
            if memory.get("mode") not in NUMATUNE_MODES:
                detail = f"Unsupported NUMA memory tuning mode '{memory.get('mode')}'"
                raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
            mode = NUMATUNE_MODES.index(memory.get("mode"))
        if memory.get("placement") is not None:
            if memory.get("placement") not in ("default", "static", "auto"):
                detail = f"Unsupported NUMA memory placement mode '{memory.get('placement')}'"
                raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
            placement = memory.get("placement")
        if memory.get("nodeset") is not None:
            nodeset = parse_bitmap(memory.get("nodeset"))
            if not nodeset:
                detail = f"Invalid value of 'nodeset': {memory.get('nodeset')}"
                raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    tune = MemoryTune()
    _numatune_set(tune, placement_static, placement, mode, nodeset)
    _store_memory_tune(definition, tune)
    kept.update((element.tag, element) for element in definition)
    for memnode in children_of(kept["numatune"], "memnode") if "numatune" in kept else ():
        if memnode.get("nodeset"):  # a bitmap, written as libvirt writes bitmaps
            memnode.set("nodeset", format_bitmap(parse_bitmap(memnode.get("nodeset", ""))))
    cputune = kept.get("cputune")
    pinned = cputune is not None and any(
        cputune.find(tag) is not None for tag in ("vcpupin", "emulatorpin", "iothreadpin")
    )
    if tune.placement == "auto" and vcpu is not None and not vcpu.get("cpuset") and not pinned:
        vcpu.set("placement", "auto")


# --- interfaces and their bandwidth ----------------------------------------------------


def find_interface(definition: list[etree._Element], device: str) -> etree._Element:
    """virDomainNetFind: by MAC when device reads as one, else by host-side name."""
    interfaces = devices(definition).findall("interface")
    wanted = parse_mac(device)
    if wanted is not None:
        for interface in interfaces:
            mac = first_child(interface, "mac")
            if mac is not None and parse_mac(mac.get("address", "")) == wanted:
                return interface
    else:
        for interface in interfaces:
            target = first_child(interface, "target")
            if target is not None and target.get("dev") == device:
                return interface
    raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, f"'{device}' is not a known interface")


def bandwidth(interface: etree._Element) -> tuple[dict[str, int] | None, dict[str, int] | None] | None:
    """The interface's (inbound, outbound) rates, None for either it lacks; None without <bandwidth>."""
    element = first_child(interface, "bandwidth")
    if element is None:
        return None
    rates = []
    for tag in ("inbound", "outbound"):
        rate = element.find(tag)
        rates.append(None if rate is None else {name: int(rate.get(name, "0")) for name in RATE_ATTRIBUTES})
    return rates[0], rates[1]


def set_bandwidth(interface: etree._Element, inbound: dict[str, int] | None, outbound: dict[str, int] | None) -> None:
    for old in children_of(interface, "bandwidth"):
        interface.remove(old)
    element = make_element("bandwidth")
    for tag, rate in (("inbound", inbound), ("outbound", outbound)):
        if rate is not None and (rate["average"] or rate["floor"]):
            child = etree.SubElement(element, tag)
            for name in RATE_ATTRIBUTES:
                if rate[name]:
                    child.set(name, str(rate[name]))
    interface.append(element)
    rank = {tag: position for position, tag in enumerate(CHILD_ORDER["interface"])}
    for child in sorted(interface, key=lambda child: rank.get(child.tag, len(rank))):
        interface.append(child)


# --- disks and their I/O tuning --------------------------------------------------------


def find_disk(definition: list[etree._Element], name: str) -> etree._Element | None:
    """virDomainDiskByName allowing ambiguity: by target, or by source for a path."""
    for disk in devices(definition).findall("disk"):
        if not name.startswith("/"):
            target = first_child(disk, "target")
            if target is not None and target.get("dev") == name:
                return disk
        else:
            source = first_child(disk, "source")
            if source is not None and name in (source.get(kind) for kind in ("file", "dev", "dir", "name", "volume")):
                return disk
    return None


def iotune(disk: etree._Element) -> dict[str, int | str | None]:
    element = first_child(disk, "iotune")
    values: dict[str, int | str | None] = {name: 0 for name in IOTUNE_FIELDS}
    values["group_name"] = None
    for child in element if element is not None else []:
        if child.tag == "group_name":
            values["group_name"] = child.text or ""
        elif child.tag in values:
            values[child.tag] = int((child.text or "0").strip() or "0")
    return values


def set_iotune(disk: etree._Element, values: dict[str, int | str | None]) -> None:
    for old in children_of(disk, "iotune"):
        disk.remove(old)
    element = make_element("iotune")
    for name in IOTUNE_FIELDS:
        value = values[name]
        if (value is not None) if name == "group_name" else value:
            etree.SubElement(element, name).text = str(value)
    if len(element):
        disk.append(element)
        rank = {tag: position for position, tag in enumerate(CHILD_ORDER["disk"])}
        for child in sorted(disk, key=lambda child: rank.get(child.tag, len(rank))):
            disk.append(child)


def canonical_iotune(disk: etree._Element) -> None:
    """What virDomainDiskDefIotuneParse keeps: nonzero values, a nonempty group name."""
    element = first_child(disk, "iotune")
    if element is None:
        return
    values = {name: 0 for name in IOTUNE_FIELDS}
    values["group_name"] = None
    for child in element:
        text = (child.text or "").strip()
        if child.tag == "group_name":
            values["group_name"] = child.text or None
        elif child.tag in values:
            if not text.isdigit():
                raise report(
                    api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, f"disk iotune field '{child.tag}' must be an integer"
                )
            values[child.tag] = int(text)
    disk.remove(element)
    set_iotune(disk, values)


# --- perf events -----------------------------------------------------------------------


def perf_events(definition: list[etree._Element]) -> dict[str, bool]:
    """Each perf event the definition names, and whether it is enabled."""
    perf = top(definition, "perf")
    events = {}
    for event in children_of(perf, "event") if perf is not None else []:
        events[event.get("name")] = event.get("enabled") == "yes"
    return events


def canonical_perf(kept: dict[str, etree._Element]) -> None:
    """<perf>'s events in libvirt's order, each named once."""
    if "perf" not in kept:
        return
    events: dict[str, bool] = {}
    for event in kept.pop("perf").findall("event"):
        # virDomainPerfEventDefParseXML: both attributes required, each one of its enum's
        name = prop_enum(event, "name", PERF_EVENTS, required=True)
        prop_enum(event, "enabled", ("yes", "no"), required=True)
        if name in events:
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, f"perf event '{name}' was already specified")
        events[name] = event.get("enabled") == "yes"
    definition: list[etree._Element] = []
    set_perf_events(definition, events)
    kept.update((element.tag, element) for element in definition)


def set_perf_events(definition: list[etree._Element], events: dict[str, bool]) -> None:
    if not events:
        drop_top(definition, "perf")
        return
    perf = make_element("perf")
    for name in PERF_EVENTS:
        if name in events:
            etree.SubElement(perf, "event", name=name, enabled="yes" if events[name] else "no")
    put_top(definition, perf)


# --- lifecycle actions -----------------------------------------------------------------


def set_lifecycle_action(definition: list[etree._Element], event: int, action: int) -> None:
    tag = f"on_{LIFECYCLE_EVENTS[event]}"
    put_top(definition, make_element(tag, LIFECYCLE_ACTIONS[action]))


# virDomainBlkioDeviceParseXML's numbers, in the order it reads them: (tag, largest value, the
# name its error gives); each is written only when not 0, in BLKIO_DEVICE_WRITTEN's order
BLKIO_DEVICE_NUMBERS = (
    ("weight", UINT_MAX, "weight"),
    ("read_bytes_sec", ULLONG_MAX, "read bytes sec"),
    ("write_bytes_sec", ULLONG_MAX, "write bytes sec"),
    ("read_iops_sec", UINT_MAX, "read iops sec"),
    ("write_iops_sec", UINT_MAX, "write iops sec"),
)
BLKIO_DEVICE_WRITTEN = ("weight", "read_iops_sec", "write_iops_sec", "read_bytes_sec", "write_bytes_sec")


def _first_text(parent: etree._Element, tag: str) -> str:
    """string(./tag): the first such child's text, "" when there is none."""
    child = first_child(parent, tag)
    return text_of(child) if child is not None else ""


def canonical_blkiotune(blkiotune: etree._Element) -> etree._Element | None:
    """virDomainDefTunablesParse's reading of <blkiotune> (the weight, 0 unless a plain number;
    each device's path, required, and numbers, which must parse; no path twice:
    virDomainDefTunablesValidate) and virDomainDefFormatBlkiotune: what is not 0, a device only
    with a number that is not; None when nothing is written."""
    weight = strtoul_whole(_first_text(blkiotune, "weight"), 10) or 0
    written = make_element("blkiotune")
    if weight:
        written.append(make_element("weight", str(weight)))
    paths: list[str] = []
    for device in children_of(blkiotune, "device"):
        path = _first_text(device, "path")
        if not path:
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, "missing per-device path")
        numbers: dict[str, int] = {}
        for tag, largest, name in BLKIO_DEVICE_NUMBERS:
            text = _first_text(device, tag)
            if text:
                number = strtoul_wrapping(text, 10, largest)  # virStrToLong_ui/_ull: -1 is the largest
                if number is None:
                    detail = f"could not parse {name} {text}"
                    raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
                numbers[tag] = number
        paths.append(path)
        if any(numbers.values()):
            entry = make_element("device")
            entry.append(make_element("path", path))
            entry.extend(make_element(tag, str(numbers[tag])) for tag in BLKIO_DEVICE_WRITTEN if numbers.get(tag))
            written.append(entry)
    if len(set(paths)) < len(paths):
        twice = next(path for number, path in enumerate(paths) if path in paths[:number])
        detail = f"duplicate blkio device path '{twice}'"
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    return written if len(written) else None


# virDomainDefResourceValidate's bounds of a Fibre Channel application id
APPID_SHORTEST, APPID_LONGEST = 1, 128


def canonical_resource(resources: list[etree._Element]) -> etree._Element:
    """virDomainResourceDefParse (one <resource>, with a partition or an application id: without
    either libvirt fails with no error set) and virDomainResourceDefFormat."""
    if len(resources) > 1:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "only one resource element is supported")
    resource = resources[0]
    partition = _first_text(resource, "partition")
    appid = next((found.get("appid") for found in children_of(resource, "fibrechannel") if "appid" in found.attrib), "")
    if not partition and not appid:
        raise cause_unknown()
    if appid and not (appid.isascii() and appid.isprintable()):
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "Fibre Channel 'appid' is not a printable string")
    if appid and not APPID_SHORTEST <= len(appid) <= APPID_LONGEST:
        detail = f"Fibre Channel 'appid' string length must be between [{APPID_SHORTEST}, {APPID_LONGEST}]"
        raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, detail)
    written = make_element("resource")
    if partition:
        written.append(make_element("partition", partition))
    if appid:
        written.append(make_element("fibrechannel", appid=appid))
    return written
