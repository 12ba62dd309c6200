"""Per-vCPU states, <vcpus><vcpu id= enabled= hotpluggable= order=/></vcpus>: read as
virDomainVcpuParse reads them, completed as virDomainVcpuDefPostParse completes them and
written as virDomainCpuDefFormat writes them (every vCPU up to the maximum, one line each).

When a definition gives them, they decide which vCPUs are online and so the current count
(the <vcpu current=...> attribute is then read and ignored); without them the first
`current` vCPUs are online. The canonical <vcpus> element lists every vCPU, so later changes
(setvcpus) rewrite its enabled states in place.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from virtrio.drivers.libvirt_rules import as_c_int, missing_attribute, prop_enum, prop_uint
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, report

from .xml_tree import children_of

# virtrio's bound on the vCPUs a definition lists one by one: libvirt writes a line per vCPU
# up to the maximum (and allocates one structure per vCPU, aborting near 2^32), so a tiny
# document asks for work in proportion to its count. At this many, writing them takes a few
# milliseconds; reading them (more) is done in a worker thread (domains.py). README:
# deliberate differences.
MAX_LISTED_VCPUS = 4096
YES_NO = ("yes", "no")  # virTristateBool's values


class VcpuState:
    __slots__ = ("hotpluggable", "online", "order")

    def __init__(self, online: bool, hotpluggable: str | None, order: int) -> None:
        self.online = online
        self.hotpluggable = hotpluggable  # "yes", "no", or None (absent)
        self.order = order


def _unsupported(detail: str) -> LibvirtError:
    return report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)


# The states the last read of a document gave, in this thread: a definition's read asks for
# them twice (for the counts, then for the canonical element), and thousands cost milliseconds.
_LAST_READ = threading.local()


def _uint(entry: etree._Element, name: str) -> int | None:
    """prop_uint, digits only below 2^32 read at once (what it makes of them; the rest goes
    the general way, with its refusals)."""
    text = entry.get(name)
    if text is not None and text.isdigit() and text.isascii() and len(text) < 10:
        return int(text)
    return prop_uint(entry, name)


# A <vcpus> written as virtrio writes it (and as most documents give it): its entries read by
# one search of its text instead of an attribute at a time (4,096 vCPUs: ~15 ms less)
_PLAIN_ENTRY = r'<vcpu id="(\d{1,9})" enabled="(yes|no)"(?: hotpluggable="(yes|no)")?(?: order="(\d{1,9})")?/>\s*'
_PLAIN_ENTRIES = re.compile(f"<vcpus>\\s*(?:{_PLAIN_ENTRY})+</vcpus>")
_PLAIN_ENTRY_FOUND = re.compile(_PLAIN_ENTRY)


def _plain_states(vcpus: etree._Element, maximum: int) -> dict[int, VcpuState] | None:
    """vcpu_states of a lone <vcpus> whose entries have only plain values, None otherwise."""
    text = etree.tostring(vcpus, encoding="unicode", with_tail=False)
    if not _PLAIN_ENTRIES.fullmatch(text):
        return None
    states: dict[int, VcpuState] = {}
    for vcpu_id, enabled, hotpluggable, order in _PLAIN_ENTRY_FOUND.findall(text):
        number = int(vcpu_id)
        if number >= maximum:
            raise _out_of_range(number)
        states[number] = VcpuState(enabled == "yes", hotpluggable or None, int(order) if order else 0)
    return states


def _out_of_range(vcpu_id: int) -> LibvirtError:
    return report(
        api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, f"vcpu id '{vcpu_id}' is out of range of maximum vcpu count"
    )


def vcpu_states(
    root: etree._Element, maximum: int, lists: list[etree._Element] | None = None
) -> dict[int, VcpuState] | None:
    """The states ./vcpus/vcpu gives, by vCPU id (a later entry of an id replaces an earlier
    one), or None when there is no such entry; unlisted vCPUs are offline. Checked as
    virDomainVcpuParse checks them, completed as virDomainVcpuDefPostParse completes them
    (lists: the root's <vcpus> children, when the caller has them)."""
    if lists is not None and not lists:
        return None  # (most documents: nothing listed, nothing remembered from a read)
    last = getattr(_LAST_READ, "value", None)
    if last is not None:
        _LAST_READ.value = None  # (asked for once more at most: the document is not kept)
        if last[0] is root and last[1] == maximum:
            return last[2]
    if lists is None:
        lists = children_of(root, "vcpus")
    plain = _plain_states(lists[0], maximum) if len(lists) == 1 else None
    states: dict[int, VcpuState] = plain if plain is not None else {}
    entries = [entry for vcpus in lists for entry in children_of(vcpus, "vcpu")] if plain is None else []
    if plain is None and not entries:
        return None
    for entry in entries:
        get = entry.get
        vcpu_id = _uint(entry, "id")
        if vcpu_id is None:
            raise missing_attribute("vcpu", "id")
        if vcpu_id >= maximum:
            raise _out_of_range(vcpu_id)
        enabled = get("enabled")
        if enabled not in YES_NO:
            enabled = prop_enum(entry, "enabled", YES_NO, required=True)
        hotpluggable = get("hotpluggable")
        if hotpluggable is not None and hotpluggable not in YES_NO:
            prop_enum(entry, "hotpluggable", YES_NO)  # (refuses it)
        states[vcpu_id] = VcpuState(enabled == "yes", hotpluggable, _uint(entry, "order") or 0)
    if maximum > MAX_LISTED_VCPUS:
        raise _unsupported(f"per-vCPU states for more than {MAX_LISTED_VCPUS} vCPUs: more than virtrio writes")
    for vcpu_id in range(maximum):  # virDomainVcpuDefPostParse
        state = states.get(vcpu_id)
        if state is None:
            states[vcpu_id] = VcpuState(False, "yes", 0)
        elif state.hotpluggable is None:
            state.hotpluggable = "no" if state.online else "yes"
    # (an offline vCPU that is not hotpluggable is refused by check_post_parse, once the whole
    # document is read: libvirt's post-parse step, after every parse error the document has)
    _LAST_READ.value = (root, maximum, states)
    return states


def check_post_parse(definition: list[etree._Element]) -> None:
    """virDomainVcpuDefPostParse's refusal, on a definition's canonical <vcpus>."""
    vcpus = listed(definition)
    if vcpus is None:
        return
    for entry in vcpus:
        if entry.get("enabled") == "no" and entry.get("hotpluggable") == "no":
            raise _unsupported(f"vcpu '{entry.get('id')}' is both offline and not hotpluggable")


def online_count(states: dict[int, VcpuState]) -> int:
    return sum(state.online for state in states.values())


def vcpus_element(states: dict[int, VcpuState], maximum: int) -> etree._Element:
    """The canonical <vcpus>: one <vcpu> per vCPU in id order, as virDomainCpuDefFormat writes."""
    # written as text and read by libxml2 at once: four times quicker than an element at a time
    lines = []
    for vcpu_id in range(maximum):
        state = states[vcpu_id]
        line = f"<vcpu id='{vcpu_id}' enabled='{'yes' if state.online else 'no'}'"
        if state.hotpluggable is not None:
            line += f" hotpluggable='{state.hotpluggable}'"
        if state.order:  # written with %d: above INT_MAX negative, which a later read refuses
            line += f" order='{as_c_int(state.order)}'"
        lines.append(line + "/>")
    return etree.fromstring("".join(["<vcpus>", *lines, "</vcpus>"]))


def listed(definition: list[etree._Element]) -> etree._Element | None:
    """A definition's canonical <vcpus>, if it gives per-vCPU states."""
    return next((element for element in definition if element.tag == "vcpus"), None)


def set_online_count(definition: list[etree._Element], count: int) -> None:
    """virDomainDefSetVcpus on listed states: the first `count` vCPUs online, the rest not."""
    vcpus = listed(definition)
    if vcpus is None:
        return
    for position, entry in enumerate(vcpus):
        entry.set("enabled", "yes" if position < count else "no")


def set_maximum(definition: list[etree._Element], maximum: int) -> int | None:
    """virDomainDefSetVcpusMax on listed states: vCPUs past the maximum gone, new ones
    offline (their hotpluggable state unset, as libvirt leaves it); the online count after,
    or None when the definition lists no states."""
    vcpus = listed(definition)
    if vcpus is None:
        return None
    entries = list(vcpus)
    for entry in entries[maximum:]:
        vcpus.remove(entry)
    for vcpu_id in range(len(entries), maximum):
        etree.SubElement(vcpus, "vcpu", id=str(vcpu_id), enabled="no")
    return sum(entry.get("enabled") == "yes" for entry in vcpus)


def online_ids(definition: list[etree._Element], count: int) -> list[bool] | None:
    """Whether each of the first `count` vCPUs is online, when the definition lists states."""
    vcpus = listed(definition)
    if vcpus is None:
        return None
    return [entry.get("enabled") == "yes" for entry in list(vcpus)[:count]]


def is_online(definition: list[etree._Element], vcpu: int, count: int) -> bool:
    """Whether a vCPU exists and is online: its listed state, or else one of the first `count`."""
    vcpus = listed(definition)
    if vcpus is None:
        return vcpu < count
    entries = list(vcpus)
    return vcpu < len(entries) and entries[vcpu].get("enabled") == "yes"
