"""A domain definition as libvirt keeps it: defaults filled in once, when the XML is
parsed, and every element in the order libvirt's formatter writes it.

The test driver's Domain keeps what its procedures change (memory, vCPUs, title,
description, metadata); everything else of the definition lives here, as a list of
canonical top-level elements, so `dumpxml` returns what libvirtd would.
"""

from __future__ import annotations

import random
import re
import uuid as uuid_module
from collections.abc import Iterator

from lxml import etree

from virtrio.drivers import libvirt_rules
from virtrio.drivers.libvirt_rules import c_strtoul as _c_number
from virtrio.drivers.libvirt_rules import parse_mac
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from ..xml_text import escape_text
from . import (
    domain_addresses,
    domain_clock,
    domain_controllers,
    domain_cpu,
    domain_devices,
    domain_disks,
    domain_filesystems,
    domain_hostdevs,
    domain_interfaces,
    domain_parse_checks,
    domain_platform,
    domain_security,
    domain_usb,
    domain_vcpus,
    network_definition,
)
from .bitmaps import parse_bitmap
from .definition_order import CHILD_ORDER, DEVICE_INFO_TAIL, TOP_LEVEL_RANK
from .definition_tuning import (
    canonical_blkiotune,
    canonical_iothreads,
    canonical_iotune,
    canonical_numatune,
    canonical_perf,
    canonical_resource,
    canonical_vcpupins,
)
from .domain_addresses import canonical_address as _canonical_address
from .domain_disks import canonical_disk_storage, with_default_lun
from .domain_errors import domain_internal_error
from .xml_tree import child as _child
from .xml_tree import children_by_tag, children_in_order, children_of, first_child, make_element, tags_in_order, text_of
from .xml_tree import default as _default
from .xml_tree import rank_of as _rank
from .xml_tree import reorder as _reorder
from .xml_tree import reorder_attributes as _reorder_attributes
from .xml_tree import reorder_known as _reorder_known


def _words(text: str) -> list[str]:
    return text.split()


# What a definition has when its XML leaves it out.
DEFAULT_ELEMENTS = etree.fromstring(
    "<defaults><clock offset='utc'/><on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot>"
    "<on_crash>destroy</on_crash><devices/><vcpu placement='static'/></defaults>"
)
DEFAULT_TAGS = [element.tag for element in DEFAULT_ELEMENTS]
DEFAULT_TAG_SET = frozenset(DEFAULT_TAGS)

# Devices in the order libvirt writes them, whatever order they came in.
DEVICE_ORDER = _words("""emulator disk controller lease filesystem interface smartcard serial parallel console
channel input tpm graphics sound audio video hostdev redirdev redirfilter hub watchdog memballoon rng nvram panic
shmem memory iommu vsock""")

_DEVICE_RANK = {kind: rank for rank, kind in enumerate(DEVICE_ORDER)}

OS_ORDER = _words("""type firmware init initarg initenv initdir inituser initgroup loader nvram kernel initrd
cmdline dtb root acpi boot bootmenu bios smbios""")
_OS_RANK = _rank(OS_ORDER)

# <os> children virDomainDefParseBootOptions reads per OS type (<smbios> is read for any)
_OS_KERNEL = frozenset(_words("type smbios kernel initrd cmdline dtb root loader nvram"))
OS_CHILDREN_READ = {
    "hvm": _OS_KERNEL | frozenset(_words("firmware acpi boot bootmenu bios")),
    "xen": _OS_KERNEL,
    "xenpvh": _OS_KERNEL,
    "uml": _OS_KERNEL,
    "exe": frozenset(_words("type smbios init initarg initenv initdir inituser initgroup cmdline")),
    "linux": frozenset(_words("type smbios")),  # Xen's old name, read as Xen only for Xen guests
}

CPU_ORDER = _words("model vendor topology cache maxphysaddr feature numa")
CPU_MODES = ("custom", "host-model", "host-passthrough", "maximum")
PM_ORDER = ["suspend-to-mem", "suspend-to-disk"]

FEATURE_ORDER = _words("""acpi apic pae hap viridian privnet hyperv kvm pvspinlock capabilities pmu vmport gic smm
ioapic hpt vmcoreinfo htm nested-hv msrs ccf-assist xen cfpc sbbc ibs tcg""")

ATTRIBUTE_ORDER = {
    "disk": ["type", "device", "model", "rawio", "sgio", "snapshot"],
    "loader": ["readonly", "secure", "type", "format"],
    "driver": _words("""name type cache error_policy rerror_policy io ioeventfd event_idx copy_on_read discard
iothread detect_zeroes queues queue_size"""),
    "target": ["dev", "bus", "tray", "removable", "rotation_rate", "type", "port"],
    "controller": domain_controllers.CONTROLLER_ATTRIBUTE_ORDER,
    "vcpu": ["placement", "cpuset", "current"],
    "hostdev": ["mode", "type", "managed", "sgio", "rawio", "model", "display", "ramfb"],
    "filesystem": ["type", "accessmode", "model", "multidevs", "fmode", "dmode"],
    "cpu": ["mode", "match", "check", "migratable"],
    "topology": ["sockets", "dies", "cores", "threads"],
}

# Orders of single elements (module lists: xml_tree.rank_of finds their ranks at once)
HYPERV_ATTRIBUTE_ORDER = ["mode"]
VSOCK_CHILD_ORDER = ["cid", *DEVICE_INFO_TAIL, "driver"]
RNG_RATE_ATTRIBUTE_ORDER = ["bytes", "period"]

# Attribute orders of elements by (parent, element), where libvirt's formatter writes a
# fixed order whatever the input's; applied over the whole definition.
CONTEXT_ATTRIBUTE_ORDER = {
    ("cpu", "feature"): ["policy", "name"],
    ("cpu", "maxphysaddr"): ["mode", "bits", "limit"],
    ("channel", "target"): ["type", "name", "address", "port", "state"],
}

MEMORY_UNITS = libvirt_rules.SCALE_UNITS

DISK_BUS_BY_PREFIX = (("hd", "ide"), ("sd", "scsi"), ("vd", "virtio"), ("xvd", "xen"), ("ubd", "uml"))
DISK_NAME = re.compile(r"^(fd|hd|vd|sd|xvd|ubd)([a-z]+)\d*\Z")  # (\Z: $ would allow a final newline)


def xml_error(detail: str) -> Exception:
    return libvirt_rules.xml_error(api.VIR_FROM_DOMAIN, detail)


def kibibytes(element: etree._Element, where: str | None = None) -> int:
    """virDomainParseMemory of `<x unit='…'>N</x>` (KiB when no unit) in KiB, rounded up; where:
    the XPath libvirt names in its errors (./x[1] by default)."""
    text = element.text if not len(element) else None
    unit = element.get("unit")
    if text is not None and text.isdigit() and text.isascii() and len(text) < 20:  # (below ULLONG_MAX)
        # plain digits, nearly every size: what parse_scaled_value reads of them, without its checks
        if len(text) < 16 and (unit is None or unit == "KiB"):
            return int(text)  # KiB already, and far below the limits (LLONG_MAX / 1024 has 16 digits)
        size = libvirt_rules.scale_integer(int(text), unit, 1024, libvirt_rules.LLONG_MAX)
    else:
        text = text_of(element)
        where = where or f"./{element.tag}[1]"
        size = libvirt_rules.parse_scaled_value(text, unit, where, 1024, libvirt_rules.LLONG_MAX) or 0
    kib = -(-size // 1024)
    if kib >= -(-libvirt_rules.LLONG_MAX // 1024):
        raise report(api.VIR_ERR_OVERFLOW, api.VIR_FROM_DOMAIN, "size value too large")
    return kib


# Disk names already read, and their indexes: a handful of names ('hda', 'vda', 'sdb'...) make
# most definitions' disks. Bounded in count and in each name's length (a client's names are
# kept: 4,096 of them, a few bytes each, never a document's worth): others are read each time.
DISK_INDEX_CACHE_LIMIT = 4096
DISK_INDEX_CACHED_LENGTH = 16
_DISK_INDEXES: dict[str, int] = {}


def disk_index(name: str | None) -> int:
    """virDiskNameToIndex: 'hda' → 0, 'sdb' → 1, 'vdaa' → 26; -1 when not a disk name (or none)."""
    if name is None:
        return -1
    index = _DISK_INDEXES.get(name)
    if index is not None:
        return index
    match = DISK_NAME.match(name)
    if match is None:
        index = -1
    else:
        index = 0
        for letter in match.group(2):
            index = index * 26 + (ord(letter) - ord("a") + 1)
        index -= 1
    if len(name) <= DISK_INDEX_CACHED_LENGTH and len(_DISK_INDEXES) < DISK_INDEX_CACHE_LIMIT:
        _DISK_INDEXES[name] = index
    return index


# The elements libvirt reads as text (virXPathString's string(), virXMLNodeContentString): all
# the text inside them, of any child too, whose elements it never sees. Tags by parent tag.
_TEXT_CHILDREN = {
    "domain": "name uuid genid title description memory currentMemory maxMemory vcpu iothreads bootloader "
    "bootloader_args on_poweroff on_reboot on_crash on_lockfailure",
    "os": "type loader nvram kernel initrd cmdline dtb root init initdir inituser initgroup",
    "acpi": "table",
    "cputune": "shares period quota global_period global_quota emulator_period emulator_quota iothread_period "
    "iothread_quota",
    "memtune": "hard_limit soft_limit swap_hard_limit min_guarantee",
    "blkiotune": "weight",
    "device": "path weight read_iops_sec write_iops_sec read_bytes_sec write_bytes_sec",
    "devices": "emulator",
    "disk": "serial wwn vendor product",
    "iotune": " ".join(
        f"{kind}_{unit}{suffix}"
        for kind in ("total", "read", "write")
        for unit in ("bytes_sec", "iops_sec")
        for suffix in ("", "_max", "_max_length")
    )
    + " size_iops_sec group_name",
    "cpu": "model vendor",
    "seclabel": "label imagelabel baselabel",
    **dict.fromkeys(["sysinfo", "bios", "system", "baseBoard", "chassis", "oemStrings"], "entry"),
    "source": "block char interface pagesize nodemask path alignsize",
    "target": "size node requested block",
    "label": "size",
    "shmem": "size",
    "controller": "pcihole64",
    "tune": "sndbuf",
    "resource": "partition",
    "smartcard": "certificate",
    "launchSecurity": "cbitpos reducedPhysBits policy dhCert session",
}
TEXT_ELEMENTS = frozenset((parent, tag) for parent, tags in _TEXT_CHILDREN.items() for tag in tags.split())
# and those it reads as their first child's text (the init arguments and environment)
FIRST_TEXT_ELEMENTS = frozenset([("os", "initarg"), ("os", "initenv")])


def _strip_whitespace(element: etree._Element, nodes: list[etree._Element] | None = None) -> None:
    """Layout whitespace taken out of the element's subtree (nodes: all of it, when the
    caller has them listed); a text element (TEXT_ELEMENTS) with children made its whole text."""
    beside_children: list[etree._Element] = []  # elements with text and children (rare)
    for node in element.iter() if nodes is None else nodes:
        text = node.text
        if text is not None:
            # whitespace between tags is layout, also in an element left with no children
            # (isspace: what strip() would leave nothing of, without the copy)
            if not text or text.isspace():
                if len(node) or "\n" in text:
                    node.text = None
            elif len(node):
                beside_children.append(node)
        tail = node.tail
        if tail is not None:
            if not tail or tail.isspace():
                node.tail = None
            else:
                beside_children.append(node.getparent())
    if beside_children:
        _settle_mixed_content(beside_children)


def _foreign(tag: object) -> bool:
    """A tag of an application's (namespaced, or its <metadata>), not of libvirt's schema."""
    return not isinstance(tag, str) or tag.startswith("{") or tag == "metadata"


def _settle_mixed_content(elements: list[etree._Element]) -> None:
    """Each of these elements, which have text beside children: one libvirt reads as text left
    with its whole text (its children gone; only the first text of the few read as their first
    text node), any other without that text, which libvirt never reads (nor writes)."""
    for found in dict.fromkeys(elements):
        if any(_foreign(node.tag) for node in (found, *found.iterancestors())):
            continue  # (an application's metadata, in its namespace, is kept as it is written)
        parent = found.getparent()
        key = (parent.tag if parent is not None else None, found.tag)
        if key in TEXT_ELEMENTS:
            found.text = text_of(found)
        elif key in FIRST_TEXT_ELEMENTS:
            pass  # (its first text node is its .text)
        elif any(isinstance(child.tag, str) for child in found):
            found.text = None
            for child in found:
                child.tail = None
            continue
        else:  # text beside processing instructions only: a value (<backend>, <tseg>, ...), kept whole
            found.text = text_of(found)
        for child in found[:]:
            found.remove(child)


# --- top level ------------------------------------------------------------------------


# The top-level elements a definition keeps (name, UUID, sizes, title, description and
# metadata are the Domain's).
_STATIC_TOP_LEVEL = frozenset(TOP_LEVEL_RANK) - {
    "name",
    "uuid",
    "title",
    "description",
    "metadata",
    "memory",
    "currentMemory",
}


def canonical_definition(
    root: etree._Element,
    os_type: str,
    max_vcpus: int,
    nodes: list[etree._Element] | None = None,
    groups: dict[str, list[etree._Element]] | None = None,
) -> list[etree._Element]:
    """The definition's static top-level elements, libvirt's defaults filled in and
    sorted; memory, vcpu, title, description and metadata are the Domain's to format
    (max_vcpus: the <vcpu> count as parse.vcpu_counts read it, which the vCPU pins need;
    nodes: list(root.iter()), groups: xml_tree.children_by_tag(root), when the caller has them)."""
    _strip_whitespace(root, nodes)  # the caller's tree (comments already dropped): changed in place
    if groups is None:
        groups = children_by_tag(root)
    domain_interfaces.forget_held_faults()  # (a previous document's, refused before its validation)
    # libvirt keeps what it knows: other elements, in any namespace, are not part of a definition
    # (a later one of a tag replaces an earlier one)
    kept = {tag: group[-1] for tag, group in groups.items() if tag in _STATIC_TOP_LEVEL}
    _check_implied_counts(kept)
    if "genid" in kept:
        kept["genid"] = _genid(groups["genid"])
    _canonical_os(kept, os_type, root.get("type"))
    if "clock" in kept:  # (before the defaults: the document's own)
        kept["clock"] = domain_clock.canonical_clock(groups["clock"])
    domain_platform.canonical_platform(kept, os_type, max_vcpus)  # firmware, boot, features, hugepages, schedulers
    kept.pop("seclabel", None)  # there may be several: kept apart, in their order
    seclabels = domain_security.domain_seclabels(groups["seclabel"]) if "seclabel" in groups else []
    seclabels += domain_platform.kept_apart(root, kept, groups)  # sysinfos (several too), memory dumpCore
    if not DEFAULT_TAG_SET.issubset(kept):
        # one copy (lxml's, deep, without copy.deepcopy's dispatch): cheaper than an element at a time
        for element in DEFAULT_ELEMENTS.__copy__():
            kept.setdefault(element.tag, element)
    vcpu = kept["vcpu"]
    vcpu_attributes = dict(vcpu.items())  # (one read: cheaper than a look-up per name)
    if "placement" not in vcpu_attributes:
        vcpu.set("placement", "static")
        vcpu_attributes["placement"] = "static"
    if "current" in vcpu_attributes:  # the counts are the Domain's
        del vcpu.attrib["current"]
        del vcpu_attributes["current"]
    vcpu.text = None
    if "vcpus" in kept:  # per-vCPU states: every vCPU listed, or none at all
        states = domain_vcpus.vcpu_states(root, max_vcpus, groups["vcpus"])
        del kept["vcpus"]
        if states is not None:
            kept["vcpus"] = domain_vcpus.vcpus_element(states, max_vcpus)
    _canonical_tuning(kept, max_vcpus, vcpu_attributes)
    if "resource" in kept:  # (rare: containers')
        kept["resource"] = canonical_resource(groups["resource"])
    if "features" in kept:
        known_features = _rank(FEATURE_ORDER)  # (looked up once, not per feature)
        unknown = next(
            (child.tag for child in kept["features"] if isinstance(child.tag, str) and child.tag not in known_features),
            None,
        )
        if unknown is not None:
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, f"unexpected feature '{unknown}'")
        _reorder(kept["features"], FEATURE_ORDER)
        _canonical_features(kept["features"])
        if not len(kept["features"]):  # libvirt writes <features> only around a feature
            del kept["features"]
    numa = first_child(kept["cpu"], "numa") if "cpu" in kept else None
    if "cpu" in kept and not _canonical_cpu(kept["cpu"]):
        del kept["cpu"]
    _check_numa_cpus(numa, max_vcpus)
    if "pm" in kept:
        _reorder_known(kept["pm"], PM_ORDER)
        for state in [state for state in kept["pm"] if state.get("enabled") is None]:
            kept["pm"].remove(state)  # enabled absent: nothing to write (virDomainDefFormatInternal)
        if not len(kept["pm"]):
            del kept["pm"]
    if "maxMemory" in kept:
        element = kept["maxMemory"]
        size, slots = kibibytes(element), memory_slots(element)
        if size and slots:
            kept["maxMemory"] = make_element("maxMemory", str(size), slots=str(slots), unit="KiB")
        else:  # nothing written; one without the other refused after the parse (parse._check_memory_sizes)
            del kept["maxMemory"]
    by_kind = _canonical_devices(kept["devices"], os_type)
    _order_context_attributes(kept, by_kind.get("channel", []))
    if not seclabels:  # (most definitions) kept's keys are its elements' tags: sorted without reading them
        return list(map(kept.__getitem__, _top_level_order(tuple(kept))))
    return sorted([*kept.values(), *seclabels], key=lambda element: TOP_LEVEL_RANK[element.tag])


# kept's tags, as they came, and the same sorted: a few dozen arrangements make most definitions.
# Bounded in count; each key is at most the known top-level tags (kept holds no other).
TOP_LEVEL_ORDER_CACHE_LIMIT = 4096
_TOP_LEVEL_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _top_level_order(tags: tuple[str, ...]) -> tuple[str, ...]:
    order = _TOP_LEVEL_ORDERS.get(tags)
    if order is None:
        order = tuple(sorted(tags, key=TOP_LEVEL_RANK.__getitem__))
        if len(_TOP_LEVEL_ORDERS) < TOP_LEVEL_ORDER_CACHE_LIMIT:
            _TOP_LEVEL_ORDERS[tags] = order
    return order


# virtrio's bound on the IOThreads a definition makes libvirt fill in (libvirt has none: a
# count of 2^31 makes libvirtd allocate them all); those listed are bounded by the XML's size
IOTHREADS_LIMIT = 65536


def _check_implied_counts(kept: dict[str, etree._Element]) -> None:
    count = kept.get("iothreads")
    text = (count.text or "").strip() if count is not None else ""
    if text.isdigit() and int(text) > IOTHREADS_LIMIT:
        detail = f"iothreads count {int(text)} is more than virtrio makes ({IOTHREADS_LIMIT})"
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)


def _genid(given: list[etree._Element]) -> etree._Element:
    """virDomainDefParseIDs: one <genid>, a UUID, or generated when empty."""
    if len(given) != 1:
        raise xml_error("element 'genid' can only appear once")
    text = text_of(given[0])
    if not text:
        return make_element("genid", str(uuid_module.uuid4()))
    raw = libvirt_rules.parse_uuid(text)
    if raw is None:
        raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, "malformed genid element")
    return make_element("genid", str(uuid_module.UUID(bytes=raw)))


def _order_context_attributes(kept: dict[str, etree._Element], channels: list[etree._Element]) -> None:
    # the parents named are top-level (cpu) or devices (channel): looked up, not searched for
    parents = [kept["cpu"]] if "cpu" in kept else []
    for parent in parents + channels:
        parent_tag = parent.tag
        for element in parent:  # (a few children: one dictionary look-up each)
            order = CONTEXT_ATTRIBUTE_ORDER.get((parent_tag, element.tag))
            if order is not None and len(element.attrib) > 1:
                _reorder_attributes(element, order)


def copied_definition(definition: list[etree._Element], os_type: str, max_vcpus: int) -> list[etree._Element]:
    """What virDomainDefCopy gives: the definition written out and read back in, which
    can differ (a disk whose bus was implicit sorts differently once the bus is explicit)."""
    root = etree.Element("domain")
    root.extend(etree.fromstring(_as_read_back(etree.tostring(element))) for element in definition)
    etree.strip_elements(root, etree.Comment, with_tail=False)  # markers of ours, not libvirt's
    return canonical_definition(root, os_type, max_vcpus)


def _as_read_back(data: bytes) -> bytes:
    """An element as libvirt's copy reads it back: libvirt writes a tab or a newline of an
    attribute's value as it is, which the XML parser reads as a space (lxml writes them as
    character references, which it would keep)."""
    if b"&#" not in data:  # (nearly every element)
        return data
    return data.replace(b"&#9;", b" ").replace(b"&#10;", b" ")


def vcpu_element(template: etree._Element, maximum: int, current: int) -> etree._Element:
    vcpu = make_element("vcpu", str(maximum), **dict(template.attrib))
    if current != maximum:
        vcpu.set("current", str(current))
    _reorder_attributes(vcpu, ATTRIBUTE_ORDER["vcpu"])
    return vcpu


def _canonical_os(kept: dict[str, etree._Element], os_type: str, virt_type: str | None) -> None:
    os_element = kept.get("os")
    if os_element is None:  # made only when missing: most definitions have one
        os_element = kept["os"] = make_element("os")
    # the children listed once (lxml's child iterator costs more than the list and the loop)
    children = os_element.getchildren()
    child_tags = [child.tag for child in children]
    if "type" in child_tags:
        type_element = children[child_tags.index("type")]
    else:
        type_element = make_element("type", os_type)
        os_element.insert(0, type_element)
        children.insert(0, type_element)
        child_tags.insert(0, "type")
    # libvirt writes a Xen paravirt guest's type with its old name (virDomainDefFormatInternal)
    xen_paravirt = os_type == "xen" and (virt_type == "xen" or type_element.text == "linux")
    written_type = "linux" if xen_paravirt else os_type
    if type_element.text != written_type:  # (most give it as written: setting it anew costs)
        type_element.text = written_type
    names = type_element.keys()
    # anything but arch alone or arch then a machine: written as arch, then machine (an empty
    # arch is read as none: the default)
    arch = type_element.get("arch")
    if not arch or (names != ["arch"] and not (names == ["arch", "machine"] and type_element.get("machine"))):
        arch, machine = arch or "i686", type_element.get("machine")
        type_element.attrib.clear()
        type_element.set("arch", arch)
        if machine:
            type_element.set("machine", machine)
    tags = set(child_tags)
    read = OS_CHILDREN_READ.get(os_type)
    if read is not None and not tags <= read:
        # virDomainDefParseBootOptions reads only what the OS type boots with; the rest is
        # not kept, so not written (nor checked)
        for unread in [child for child in children if child.tag not in read]:
            os_element.remove(unread)
        tags &= read
        children = os_element.getchildren()
        child_tags = [child.tag for child in children]
    if os_type != "hvm":  # os/@firmware is read for hvm only
        os_element.attrib.pop("firmware", None)
    loader = children[child_tags.index("loader")] if "loader" in tags else None
    if loader is not None:
        if (loader.text or "").strip() and loader.get("type") is None:
            loader.set("type", "rom")
        _reorder_attributes(loader, ATTRIBUTE_ORDER["loader"])
    # virXPathString reads both as NULL when empty; bootloader_args is written only after a
    # bootloader, whose presence also leaves out boot devices, bootmenu and bios
    # (virDomainDefFormatInternal)
    bootloader = text_of(kept["bootloader"]) if "bootloader" in kept else ""
    for tag in ("bootloader", "bootloader_args") if "bootloader" in kept or "bootloader_args" in kept else ():
        text = text_of(kept[tag]) if tag in kept and bootloader else ""
        if text:
            kept[tag] = make_element(tag, text)
        else:
            kept.pop(tag, None)
    if bootloader:
        for tag in ("boot", "bootmenu", "bios"):
            for unwritten in children_of(os_element, tag):
                os_element.remove(unwritten)
            tags.discard(tag)
        child_tags = [child.tag for child in os_element.getchildren()]
    elif os_type == "hvm" and "boot" not in tags:
        devices = kept.get("devices")
        per_device_boot = devices is not None and next(devices.iter("boot"), None) is not None
        if not per_device_boot:
            _child(os_element, "boot", dev="hd")
            child_tags.append("boot")
    if not tags_in_order(child_tags, _OS_RANK):
        _reorder_known(os_element, OS_ORDER)


# the top-level elements _canonical_tuning reads (without any, and without a <vcpu> cpuset or
# automatic placement, which imply a memory tuning, it has nothing to do)
_TUNING_TAGS = frozenset(["blkiotune", "memtune", "iothreadids", "cputune", "iothreads", "numatune", "perf"])


def _canonical_tuning(kept: dict[str, etree._Element], max_vcpus: int, vcpu_attributes: dict[str, str]) -> None:
    """vcpu_attributes: those of kept's <vcpu>, as they are now."""
    if _TUNING_TAGS.isdisjoint(kept) and "cpuset" not in vcpu_attributes and vcpu_attributes.get("placement") != "auto":
        return  # (most definitions)
    if "blkiotune" in kept:
        blkiotune = canonical_blkiotune(kept["blkiotune"])
        if blkiotune is None:  # nothing to write
            del kept["blkiotune"]
        else:
            kept["blkiotune"] = blkiotune
    memtune = kept.get("memtune")
    if memtune is not None:
        for limit in memtune:
            limit.text, limit.attrib["unit"] = str(kibibytes(limit)), "KiB"
        _reorder(memtune, CHILD_ORDER["memtune"])
    for tag in ("iothreadids", "cputune"):  # empty ones are not written
        if tag in kept and not len(kept[tag]):
            del kept[tag]
    canonical_vcpupins(kept, max_vcpus)  # <cputune>'s vCPU pins come before its IOThread pins
    canonical_iothreads(kept)
    canonical_numatune(kept, vcpu_attributes)
    canonical_perf(kept)


def _canonical_features(features: etree._Element) -> None:
    hyperv = first_child(features, "hyperv")
    if hyperv is not None:  # written with its mode (custom by default) and always closed
        _default(hyperv, "mode", "custom")
        _reorder_attributes(hyperv, HYPERV_ATTRIBUTE_ORDER)
    page = features.find("hpt/maxpagesize")
    if page is not None and (page.text or "").strip().isdigit():  # in KiB, rounded up
        size = int((page.text or "").strip()) * MEMORY_UNITS.get(page.get("unit", "KiB").lower(), 1024)
        page.text = str(-(-size // 1024))
        page.attrib.clear()
        page.set("unit", "KiB")


def memory_slots(limit: etree._Element) -> int:
    """<maxMemory slots>: virStrToLong_uip (leading spaces skipped, no sign, nothing after the
    digits), 0 when absent or empty."""
    text = limit.get("slots")
    if not text:
        return 0
    slots = int(text) if text.isdigit() and text.isascii() and len(text) < 10 else None  # (the usual)
    if slots is None:
        slots = libvirt_rules.strtoul_whole(text, 10)
    if slots is None:
        raise xml_error("Failed to parse memory slot count")
    return slots


CPU_MATCHES = ("minimum", "exact", "strict")
CPU_CHECKS = ("default", "none", "partial", "full")


def _canonical_cpu(cpu: etree._Element) -> bool:
    """False when nothing of the CPU is left to write (libvirt then writes no <cpu>)."""
    mode = cpu.get("mode", "custom")
    if mode not in CPU_MODES:  # virCPUDefParseXML
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_CPU, f"Invalid mode attribute '{mode}'")
    if cpu.get("migratable") is not None and mode not in ("host-passthrough", "maximum"):
        detail = "Attribute migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode"
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_CPU, detail)
    libvirt_rules.prop_enum(cpu, "match", CPU_MATCHES)  # (a guest CPU's, whatever its mode)
    if libvirt_rules.prop_enum(cpu, "check", CPU_CHECKS) == "default":
        del cpu.attrib["check"]  # the enum's zero: not written
    model = first_child(cpu, "model")
    if model is not None and mode not in ("host-passthrough", "maximum") and len(model.attrib):
        _check_model_attributes(model)
    if model is not None and mode not in ("custom", "host-model"):
        cpu.remove(model)  # only custom and host-model CPUs write their model (virCPUDefFormatBuf)
        model = None
    named = model is not None and bool((model.text or "").strip())
    if named or mode != "custom":
        cpu.set("mode", mode)
        if mode == "custom":
            _default(cpu, "match", "exact")
        else:
            cpu.attrib.pop("match", None)  # a match policy belongs to custom CPUs only
        if mode not in ("host-passthrough", "maximum"):
            cpu.attrib.pop("migratable", None)
        if model is not None and not (model.text or "").strip() and model.get("vendor_id") is None:
            cpu.remove(model)  # no model name: nothing of it is written
        elif named:
            _default(model, "fallback", "allow")
            if len(model.attrib) > 1:  # (a vendor id) written after the fallback
                _reorder_attributes(model, CPU_MODEL_ATTRIBUTE_ORDER)
    else:
        cpu.attrib.clear()  # a custom CPU without a model name: only its topology, cache... count
        if model is not None and model.get("vendor_id") is None:
            cpu.remove(model)  # (a vendor id alone is written)
    # (the NUMA cells are domain_platform.canonical_platform's, read before this)
    domain_cpu.read_topology_and_features(cpu, mode)
    cache = first_child(cpu, "cache")
    if cache is not None:  # (read after the features, before maxphysaddr)
        _read_cpu_cache(cpu, cache)
    maxphysaddr = first_child(cpu, "maxphysaddr")
    if maxphysaddr is not None:  # (./maxphysaddr[1], read after the features) its mode required
        libvirt_rules.prop_enum(maxphysaddr, "mode", ("emulate", "passthrough"), required=True)
        bits = libvirt_rules.prop_int(maxphysaddr, "bits")
        if bits is not None:  # VIR_XML_PROP_NONNEGATIVE, written as read
            if bits < 0:
                text = maxphysaddr.get("bits", "")
                raise libvirt_rules.attribute_error("maxphysaddr", "bits", text, "Expected non-negative value")
            maxphysaddr.set("bits", str(bits))
    topology = first_child(cpu, "topology")
    if topology is not None:
        _default(topology, "dies", "1")
        _reorder_attributes(topology, ATTRIBUTE_ORDER["topology"])
    _reorder_attributes(cpu, ATTRIBUTE_ORDER["cpu"])
    _reorder_known(cpu, CPU_ORDER)
    return bool(len(cpu.attrib) or len(cpu))


CPU_CACHE_MODES = ("emulate", "passthrough", "disable")  # virCPUCacheMode
CPU_CACHE_LEVELS = range(1, 4)


def _read_cpu_cache(cpu: etree._Element, cache: etree._Element) -> None:
    """virCPUDefParseXMLCache: one <cache> at most, its level 1 to 3 when given, its mode
    required; written as read (level first)."""
    if len(children_of(cpu, "cache")) > 1:
        raise libvirt_rules.xml_error(api.VIR_FROM_CPU, "at most one CPU cache element may be specified")
    level = libvirt_rules.prop_int(cache, "level")
    if level is not None and level < 0:
        text = cache.get("level", "")
        raise libvirt_rules.attribute_error("cache", "level", text, "Expected non-negative value")
    if level is not None and level not in CPU_CACHE_LEVELS:
        raise libvirt_rules.xml_error(api.VIR_FROM_CPU, "invalid CPU cache level, must be in range [1,3]")
    mode = libvirt_rules.prop_enum(cache, "mode", CPU_CACHE_MODES, required=True)
    cache.attrib.clear()
    if level is not None:
        cache.set("level", str(level))
    cache.set("mode", str(mode))


CPU_FALLBACKS = ("allow", "forbid")  # virCPUFallback
CPU_MODEL_ATTRIBUTE_ORDER = ["fallback", "vendor_id"]
CPU_VENDOR_ID_LENGTH = 12


def _check_model_attributes(model: etree._Element) -> None:
    """virCPUDefParseXML's reading of a guest CPU model's fallback (empty: as if absent) and
    vendor_id (12 characters, no comma)."""
    fallback = model.get("fallback")
    if fallback == "":
        del model.attrib["fallback"]
    elif fallback is not None and fallback not in CPU_FALLBACKS:
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_CPU, "Invalid fallback attribute")
    vendor_id = model.get("vendor_id")
    if vendor_id:
        if len(vendor_id.encode()) != CPU_VENDOR_ID_LENGTH:
            detail = f"vendor_id must be exactly {CPU_VENDOR_ID_LENGTH} characters long"
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_CPU, detail)
        if "," in vendor_id:
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_CPU, "vendor id is invalid")
    elif vendor_id == "":
        del model.attrib["vendor_id"]


def _check_numa_cpus(numa: etree._Element | None, max_vcpus: int) -> None:
    """virDomainDefParseXML's checks of the NUMA cells' CPUs against the <vcpu> count (without
    cells the highest CPU id counts as 0, so a count of 0 fails the second)."""
    if numa is None and max_vcpus > 0:  # (most definitions: no cells, some vCPUs)
        return
    cells = children_of(numa, "cell") if numa is not None else []
    masks = [parse_bitmap(cell.get("cpus", "")) for cell in cells if cell.get("cpus")]
    if sum(len(mask) for mask in masks) > max_vcpus:
        raise domain_internal_error("Number of CPUs in <numa> exceeds the <vcpu> count")
    if max((max(mask, default=0) for mask in masks), default=0) >= max_vcpus:
        raise domain_internal_error("CPU IDs in <numa> exceed the <vcpu> count")


def numa_memory(definition_root: etree._Element) -> int | None:
    """The sum of a definition's NUMA cells' memory in KiB (libvirt's total then), or None."""
    cells = definition_root.findall("cpu/numa/cell")
    if not cells:
        return None
    total = 0
    for cell in cells:
        if cell.get("memory") is not None:
            memory = make_element("memory", cell.get("memory"), unit=cell.get("unit", "KiB"))
            total += kibibytes(memory, "./@memory")
    return total


def hotplug_memory(definition_root: etree._Element) -> int:
    """The memory devices' sizes in KiB."""
    sizes = definition_root.findall("devices/memory/target/size")
    return sum(kibibytes(size) for size in sizes if (size.text or "").strip().isdigit())


# --- devices --------------------------------------------------------------------------


def _canonical_devices(devices: etree._Element, os_type: str) -> dict[str, list[etree._Element]]:
    """The devices made canonical, in libvirt's order; returns them by kind."""
    if not len(devices):
        return {}  # no devices: nothing implied either
    # whether any device has an alias (nothing below makes one: those of devices made here are
    # moved or copied from these): one walk, where a device's own look for one costs nearly as much
    with_aliases = next(devices.iter("alias"), None) is not None
    by_kind: dict[str, list[etree._Element]] = {}
    for device in devices[:]:
        tag = device.tag  # (read once: lxml builds the string on each read)
        if tag in by_kind:
            by_kind[tag].append(device)
        elif isinstance(tag, str):  # (a processing instruction's or an entity's tag is a function)
            by_kind[tag] = [device]
    disks: list[etree._Element] = []
    keys: list[tuple[str | None, int] | None] = []  # each placed disk's (bus, index), read once
    maxima: dict[str | None, int] = {}  # the highest index placed on each bus
    firsts: list[dict[object, etree._Element]] = []  # each placed disk's first child of each tag
    for disk in by_kind.get("disk", ()):
        _insert_disk(disks, keys, maxima, firsts, disk)
    hostdevs = by_kind.get("hostdev", [])
    for hostdev in hostdevs:  # read in the parse, before the post-parse checks of disks below
        domain_parse_checks.check_hostdev(hostdev)
    hostdev_drives = domain_disks.scsi_hostdev_drives(hostdevs) if disks and hostdevs else []
    for disk, first, key in zip(disks, firsts, keys, strict=True):
        _canonical_disk(disk, first, key, hostdev_drives)
    by_kind["disk"] = disks
    controllers = by_kind.setdefault("controller", [])
    read: list[domain_controllers.ControllerKey] = []  # each one's type, index and master mark, read once
    if domain_controllers.parse_controllers(controllers, read):  # USB disabled
        domain_usb.check_parsed_devices(by_kind, controllers)
    ordered: list[etree._Element] = []
    # what _insert_controller needs of those placed so far, each read once: per place its
    # (type, index, has a master); per type the highest index and the indexes of USB companions
    placed_keys: list[tuple[str, int, bool]] = []
    highest: dict[str, int] = {}
    companions: dict[str, set[int]] = {}
    unordered: list[etree._Element] = []  # those whose attributes are not in libvirt's order
    for controller, key in zip(controllers, read, strict=True):  # placed as the parser places each
        kind, index, is_master, in_order = key  # (implicit ones are appended later)
        if not in_order:
            unordered.append(controller)
        # (most) a master that is the first of its type, or follows the last placed, of its type,
        # with no lower index nor companions: placed last, as _insert_controller would place it
        if is_master and (
            kind not in highest or (placed_keys[-1][0] == kind and index >= highest[kind] and kind not in companions)
        ):
            ordered.append(controller)
            placed_keys.append((kind, index, False))
            highest[kind] = index
        else:
            _insert_controller(ordered, controller, key, placed_keys, highest, companions)
    controllers[:] = ordered
    # (type, index) of each, in their order, when every index is written (most definitions)
    pairs = [(kind, str(index)) for kind, index, _ in placed_keys if index != -1]
    if len(pairs) != len(controllers):
        domain_controllers.assign_indexes(controllers, domain_controllers.hostdev_scsi_controllers(hostdevs))
        # (an index given now is written last)
        unordered = [c for c in controllers if c.keys() not in domain_controllers.WRITTEN_ATTRIBUTE_NAMES]
    for controller in unordered:
        domain_controllers.order_attributes(controller)
    # each one's (type, index)
    present = domain_controllers.reject_duplicates(controllers, pairs if len(pairs) == len(controllers) else None)
    if hostdevs:
        domain_controllers.assign_scsi_hostdev_addresses(hostdevs, disks, controllers)
    domain_controllers.add_implicit_controllers(controllers, by_kind, present, firsts)
    interfaces = by_kind.get("interface")
    if interfaces:
        # target names already given (a name of the kind libvirt generates is dropped first), read once
        taken = {
            _given_ifname(target)
            for interface in interfaces
            if (target := first_child(interface, "target")) is not None
        }
        # the testnetN names in order, each tried once: names only get taken, so a name skipped
        # for one interface is taken for the next too (thousands of interfaces stay linear)
        free_names = (f"testnet{n}" for n in range(IFNAME_LIMIT))
        for interface in interfaces:
            _canonical_interface(interface, taken, free_names)
    # (each called only with its kinds present: most definitions have none of most of them)
    if not domain_devices.CHARACTER_DEVICE_KINDS.isdisjoint(by_kind):
        domain_devices.read_character_devices(by_kind)  # in the parser's order: these, inputs, graphics
    needs_guest = "input" in by_kind or "video" in by_kind or "graphics" in by_kind
    guest = domain_devices.guest_of(devices) if needs_guest else None
    if "input" in by_kind:
        domain_devices.canonical_inputs(by_kind, devices, os_type, guest)  # (guest: its arch and type, read once)
    for graphics in by_kind.get("graphics", ()):
        domain_devices.canonical_graphics(graphics)
    if by_kind.get("graphics") and not by_kind.get("video"):
        by_kind["video"] = [make_element("video")]
    if "video" in by_kind:
        domain_devices.canonical_videos(by_kind, devices, os_type, guest)
    # a panic device with neither model nor address writes nothing (virXMLFormatElement)
    if "panic" in by_kind:
        by_kind["panic"] = [panic for panic in by_kind["panic"] if len(panic.attrib) or len(panic)]
    for vsock in by_kind.get("vsock", ()):  # virDomainVsockDefPostParse: auto unless an address is given
        cid = first_child(vsock, "cid")
        if cid is None:
            cid = _child(vsock, "cid")
        address = libvirt_rules.prop_uint(cid, "address", nonzero=True) or 0
        libvirt_rules.prop_enum(cid, "auto", ("yes", "no"))
        cid.attrib.pop("address", None)
        if cid.get("auto") is None:
            cid.set("auto", "no" if address else "yes")
        if address:
            cid.set("address", str(address))
        _reorder(vsock, VSOCK_CHILD_ORDER)
    for memballoon in by_kind.get("memballoon", ()):
        if len(memballoon) > 1:  # (most have no children: nothing to order)
            _reorder(memballoon, CHILD_ORDER["memballoon"])
    for rng in by_kind.get("rng", ()):
        rate = first_child(rng, "rate")
        if rate is not None:
            _reorder_attributes(rate, RNG_RATE_ATTRIBUTE_ORDER)
        backend = first_child(rng, "backend")  # virDomainRNGDefPostParse: the random backend's default
        if backend is not None and backend.get("model") == "random" and not (backend.text or "").strip():
            backend.text = "/dev/random"
    if by_kind.get("redirfilter"):
        by_kind["redirfilter"] = [
            written
            for written in map(domain_usb.canonical_redirfilter, by_kind["redirfilter"][:1])
            if written is not None
        ]
    for hostdev in by_kind.get("hostdev", ()):
        domain_hostdevs.check_mdev(hostdev)
        hostdev_source = first_child(hostdev, "source")
        # (read once: nothing below changes them)
        hostdev_type, subsystem = hostdev.get("type"), hostdev.get("mode", "subsystem") == "subsystem"
        if hostdev_type == "pci" and hostdev_source is not None:
            source_address = first_child(hostdev_source, "address")
            if source_address is None:  # libvirt's zero address, written
                source_address = etree.Element("address")
                hostdev_source.insert(0, source_address)
            domain_addresses.canonical_pci_source_address(source_address)
        if hostdev_type == "scsi" and hostdev_source is not None and hostdev_source.get("protocol") == "iscsi":
            with_default_lun(hostdev_source)
        if subsystem:  # mode and managed are always written for these
            if hostdev.get("mode") is None:
                hostdev.set("mode", "subsystem")
            managed = hostdev.get("managed")
            if managed != "no" and managed != "yes":
                hostdev.set("managed", "no")
            _reorder_attributes(hostdev, ATTRIBUTE_ORDER["hostdev"])
        tags = {child.tag for child in hostdev}
        if "driver" in tags:
            domain_hostdevs.canonical_driver(hostdev)
        if "rom" in tags or "acpi" in tags:  # (rare) the device information's
            domain_devices.read_rom_and_acpi(hostdev)
        if subsystem and hostdev.get("sgio") is not None:
            domain_hostdevs.check_sgio(hostdev)
        if hostdev_type == "usb" and hostdev_source is not None and subsystem:
            domain_hostdevs.canonical_usb_source(hostdev_source)
    for filesystem in by_kind.get("filesystem", ()):
        _default(filesystem, "type", "mount")
        if filesystem.get("accessmode") == "":  # (the enum's zero: the default)
            del filesystem.attrib["accessmode"]
        if filesystem.get("accessmode") is None and filesystem.find("source[@socket]") is None:
            filesystem.set("accessmode", "passthrough")  # virDomainFSDefPostParse
        for mode in ("fmode", "dmode"):  # read in base 8, at most 0777, written as '%04o'
            if filesystem.get(mode) is not None:
                filesystem.set(mode, _file_mode(filesystem, mode))
        if filesystem.get("type") == "ram":
            _ram_filesystem_source(filesystem)
        domain_filesystems.canonical_source_and_target(filesystem)
        _reorder_attributes(filesystem, ATTRIBUTE_ORDER["filesystem"])
        if len(filesystem) > 2:  # (more than a source and a target)
            domain_filesystems.read_driver_and_binary(filesystem)
    # (the addresses found written as libvirt writes them: left as they are below)
    written = domain_devices.canonical_other_devices(by_kind)  # shmem, tpm, audio
    if "parallel" in by_kind or "serial" in by_kind or "console" in by_kind:
        domain_devices.canonical_character_devices(by_kind, devices, os_type)
    if "smartcard" in by_kind or "redirdev" in by_kind or "rng" in by_kind:
        domain_devices.canonical_chr_holders(by_kind)  # smartcard, redirdev, EGD rng sources
    # only user aliases are part of a definition
    domain_devices.canonical_aliases(by_kind, with_aliases, written)
    # unknown devices: dropped, as libvirt
    kinds = [kind for kind in by_kind if kind in _DEVICE_RANK]  # (a few kinds: no set of all of them)
    kinds.sort(key=_DEVICE_RANK.__getitem__)
    ordered = [device for kind in kinds for device in by_kind[kind]]
    if ordered != devices[:]:  # (elements compare by identity) most are in order already
        for child in list(devices):
            devices.remove(child)
        devices.extend(ordered)
    # every device's addresses as libvirt writes them: the devices now are those of by_kind
    # but those of unknown kinds; when none of those is left and every address is one
    # canonical_address leaves as it is, one walk of the tree finds that (most definitions)
    if len(kinds) != len(by_kind) or not _addresses_left_as_they_are(devices, written):
        for kind in by_kind.values():  # every device, those made here too, in the parser's order
            for device in kind:
                if len(device) or device.tag == "address":  # iter() includes the device itself
                    for address in device.iter("address"):
                        if address not in written:  # (nothing since has changed those)
                            _canonical_address(address)
    return by_kind


def _addresses_left_as_they_are(devices: etree._Element, written: set[etree._Element]) -> bool:
    """Whether canonical_address leaves every <address> of the devices as it is: each is
    one found written as libvirt writes it (written) or has no type (a host device's source
    address: canonical_address writes nothing of those). One walk: one per device costs as
    much each."""
    for address in devices.iter("address"):  # noqa: SIM110  (a loop: cheaper than all() of a generator)
        if address not in written and address.get("type") is not None:
            return False
    return True


def _insert_controller(
    ordered: list[etree._Element],
    controller: etree._Element,
    key: domain_controllers.ControllerKey,
    keys: list[tuple[str, int, bool]],
    highest: dict[str, int],
    companions: dict[str, set[int]],
) -> None:
    """virDomainControllerInsertPreAlloced: after the last of its type with a lower index,
    before one with a higher index, and a master before its USB companions: before the first
    of its type it must precede, else after the last of its type (key: the controller's type,
    index and master mark, as parse_controllers read them). What it needs of those placed,
    each read once (a definition of thousands of controllers is then not thousands of tree
    reads per controller): per place (keys) its (type, index, has a master); per type the
    highest index and the indexes of USB companions."""
    kind, index, is_master, _ = key
    precedes = index != -1 and (highest.get(kind, -1) > index or (is_master and index in companions.get(kind, ())))
    if precedes:
        at = next(
            position
            for position, (other_kind, other_index, companion) in enumerate(keys)
            if other_kind == kind and (other_index > index or (is_master and companion and other_index == index))
        )
    else:
        last = len(keys) - 1
        while last >= 0 and keys[last][0] != kind:
            last -= 1
        at = last + 1 if last >= 0 else len(keys)
    ordered.insert(at, controller)
    keys.insert(at, (kind, index, not is_master))
    highest[kind] = max(highest.get(kind, -1), index)
    if not is_master:
        companions.setdefault(kind, set()).add(index)


def _ram_filesystem_source(filesystem: etree._Element) -> None:
    """A RAM filesystem's usage (virDomainFSDefParseXML: virStrToLong_ull, then its units,
    KiB by default), written as whole KiB alone on its <source>."""
    source = first_child(filesystem, "source")
    usage = source.get("usage") if source is not None else None
    if usage is None:
        raise xml_error("missing 'usage' attribute for RAM filesystem")
    number = libvirt_rules.strtoul_wrapping(usage, 10, libvirt_rules.ULLONG_MAX)
    if number is None:
        raise xml_error(f"cannot parse usage '{usage}' for RAM filesystem")
    size = libvirt_rules.scale_integer(number, source.get("units"), 1024, libvirt_rules.ULLONG_MAX)
    written = make_element("source", usage=str(size // 1024), units="KiB")
    written.tail = source.tail
    filesystem.replace(source, written)


def _file_mode(filesystem: etree._Element, name: str) -> str:
    text = filesystem.get(name, "")
    try:
        mode = int(text.strip(), 8)
    except ValueError:
        raise libvirt_rules.attribute_error("filesystem", name, text, "Expected non-negative integer value") from None
    if mode > 0o777:
        raise xml_error(f"invalid {name}: '0{mode:o}'")
    return f"{mode:04o}"


def _insert_disk(
    disks: list[etree._Element],
    keys: list[tuple[str | None, int] | None],
    maxima: dict[str | None, int],
    firsts: list[dict[object, etree._Element]],
    disk: etree._Element,
) -> None:
    """virDomainDiskInsert: after the last disk on the same bus, unless one on that bus sorts
    after it: then before the first of those. Buses and indexes are read once per disk (keys,
    maxima), so a definition of thousands of disks is not thousands of tree reads per disk;
    the disk's first child of each tag (firsts) is listed once too, for _canonical_disk."""
    first: dict[object, etree._Element] = {}
    for found in disk[:]:  # (one pass: a lookup per tag costs a pass each; a list: cheaper than an iterator)
        tag = found.tag
        if tag not in first:
            first[tag] = found
    target = first.get("target")
    key = (target.get("bus"), disk_index(target.get("dev"))) if target is not None else None
    bus, index = key if key is not None else (None, -1)
    # a target without a name sorts against none: after the last disk on its bus (its index,
    # -1, is after no other)
    if index < maxima.get(bus, -1) and (target is None or target.get("dev") is not None):
        at = next(p for p, other in enumerate(keys) if other is not None and other[0] == bus and other[1] > index)
    else:
        last = len(keys) - 1
        while last >= 0 and (keys[last] is None or keys[last][0] != bus):  # type: ignore[index]
            last -= 1
        at = last + 1 if last >= 0 else len(keys)
    disks.insert(at, disk)
    keys.insert(at, key)
    firsts.insert(at, first)
    if key is not None:
        maxima[bus] = max(maxima.get(bus, -1), index)


_DISK_ATTRIBUTE_ORDER = ATTRIBUTE_ORDER["disk"]
_TARGET_ATTRIBUTE_ORDER = ATTRIBUTE_ORDER["target"]
_DRIVER_ATTRIBUTE_ORDER = ATTRIBUTE_ORDER["driver"]
_DISK_CHILD_ORDER = CHILD_ORDER["disk"]
_DISK_CHILD_RANK = _rank(_DISK_CHILD_ORDER)
# the attributes of most disks, their targets and drivers, in the order libvirt writes them
# (left as they are: one list of names costs a third of reorder_attributes' look)
_WRITTEN_DISK_ATTRIBUTES = (["type", "device"],)
_WRITTEN_TARGET_ATTRIBUTES = (["dev", "bus"],)
_WRITTEN_DRIVER_ATTRIBUTES = (["name", "type"], ["name", "type", "cache"])


def _canonical_disk(
    disk: etree._Element,
    first: dict[object, etree._Element],
    key: tuple[str | None, int] | None,
    hostdev_drives: list[tuple[int, int, int, int] | None],
) -> None:
    """first: the disk's first child of each tag, as parsed (nothing here moves those it names
    before they are read; the mirror it may name is dropped); an address made is added to it.
    key: its target's bus and index as _insert_disk read them (None without a target)."""
    disk_type = disk.get("type")
    device = disk.get("device")
    # (most disks: a type and a device alone, in libvirt's order; those stay as they are but
    # for a vhost-user disk's snapshot mark, below)
    plain = disk.keys() in _WRITTEN_DISK_ATTRIBUTES
    if not plain:
        if disk_type is None:
            disk.set("type", disk_type := "file")
        if device is None:
            disk.set("device", device := "disk")
        libvirt_rules.prop_enum(disk, "sgio", domain_hostdevs.SGIO_MODES)  # virXMLPropEnum NONZERO
    domain_disks.check_parsed_storage(disk, first)
    # vhost-user disks cannot be snapshotted (disk post-parse)
    if canonical_disk_storage(disk, first, disk_type) == "vhostuser":
        _default(disk, "snapshot", "no")
        _reorder_attributes(disk, _DISK_ATTRIBUTE_ORDER)
        plain = False
    target = first.get("target")
    dev = target.get("dev") if target is not None else None
    if target is None or dev is None:  # (no dst: virDomainDiskDefValidate)
        raise domain_disks.missing_target(disk)
    if dev.startswith("ioemu:"):
        target.set("dev", dev := dev[len("ioemu:") :])
        key = None  # (its index: of the name without the prefix)
    bus = target.get("bus")
    if bus is None:
        bus = "fdc" if device == "floppy" else "ide"
        if device != "floppy":
            bus = next((name for prefix, name in DISK_BUS_BY_PREFIX if dev.startswith(prefix)), "ide")
        target.set("bus", bus)
    target_names = target.keys()
    if target_names not in _WRITTEN_TARGET_ATTRIBUTES:
        if "rotation_rate" in target_names:  # (virDomainDiskDefParseXML reads it as an unsigned int)
            libvirt_rules.prop_uint(target, "rotation_rate")
        _reorder_attributes(target, _TARGET_ATTRIBUTE_ORDER)
    if device == "cdrom" and "readonly" not in first:
        _child(disk, "readonly")
    driver = first.get("driver")
    if driver is not None and driver.keys() not in _WRITTEN_DRIVER_ATTRIBUTES:
        _reorder_attributes(driver, _DRIVER_ATTRIBUTE_ORDER)
        if not len(driver.attrib) and not len(driver):  # nothing read: not written (virXMLFormatElement)
            disk.remove(driver)
            del first["driver"]
    if "iotune" in first:
        canonical_iotune(disk)
    if "address" not in first:
        index = key[1] if key is not None else disk_index(dev)
        if index < 0:
            raise xml_error(f"Unknown disk name '{dev}' and no address specified")
        address = _drive_address(bus, index)
        if address is not None:
            if bus == "scsi":
                domain_disks.check_scsi_drive_free(dev, address, hostdev_drives)
            disk.append(address)
            first["address"] = address  # (kept current: the implied controllers read it)
    if not plain and disk.keys() not in _WRITTEN_DISK_ATTRIBUTES:
        _reorder_attributes(disk, _DISK_ATTRIBUTE_ORDER)
    if not children_in_order(disk, _DISK_CHILD_RANK):
        _reorder_known(disk, _DISK_CHILD_ORDER)


_SOURCE_PATH = {"file": "file", "block": "dev", "dir": "dir"}  # local storage: its path attribute
HARDDISK_PREFIXES = ("hd", "sd", "vd", "xvd", "ubd")


def validate_definition(definition: list[etree._Element]) -> None:
    """The checks of virDomainDefValidate that the test driver's users meet first: each
    disk's bus, name and source (libvirt runs them after parsing, the test: namespace included)."""
    top = {element.tag: element for element in definition}  # (of a repeated tag, seclabel or sysinfo: the last)
    devices = top.get("devices")
    by_kind = _validate_devices(devices) if devices is not None and len(devices) else None
    domain_platform.validate_platform(definition, top, by_kind)  # (no device: nothing of them to check)


def _validate_devices(devices: etree._Element) -> dict[object, list[etree._Element]]:
    """The devices' checks; returns the devices by tag."""
    by_kind: dict[object, list[etree._Element]] = {}
    for device in devices[:]:  # one pass, then a list per kind (a lookup per kind costs more)
        tag = device.tag
        if tag in by_kind:
            by_kind[tag].append(device)
        else:
            by_kind[tag] = [device]
    disks = by_kind.get("disk", [])
    firsts = [_validate_disk(disk) for disk in disks] if disks else []  # each disk's first child of each tag
    if "interface" in by_kind:  # (the networks: next in libvirt's walk)
        domain_interfaces.validate_interfaces(by_kind["interface"])
    # character device sources, graphics, video, redirdev (USB, then source)
    controllers = by_kind.get("controller", [])
    domain_devices.validate_devices(devices, lambda found: domain_usb.validate_redirdev(found, controllers), by_kind)
    hostdevs = by_kind.get("hostdev", [])
    for controller in controllers:
        if controller.get("type") == "pci":  # (the only ones with checks)
            domain_controllers.validate_controller(controller)
    if len(disks) > 1:  # (one disk: no target given twice)
        domain_disks.validate_disk_targets(disks, firsts)
    if hostdevs:
        domain_hostdevs.validate_sgio(hostdevs)  # (per device, before the domain-wide checks)
        keys = [_hostdev_key(hostdev) for hostdev in hostdevs]
        known = [key for key in keys if key is not None]
        if len(set(known)) != len(known) or _usb_hostdevs_match(hostdevs):
            # virDomainDefHostdevValidate with virDomainHostdevMatch
            raise xml_error("Hostdev already exists in the domain configuration")
        domain_hostdevs.check_one_ramfb(hostdevs)
    if len(disks) > 1 or hostdevs:  # (else no drive address to be taken twice)
        domain_disks.validate_drive_addresses(disks, hostdevs, firsts)
    return by_kind


def _usb_hostdevs_match(hostdevs: list[etree._Element]) -> bool:
    """virDomainHostdevMatchSubsysUSB over each pair, the earlier one first: it is matched by
    its host bus and device when it names both, else by vendor and product (0 when not
    given, so one without either matches a later one named by its address alone). Linear:
    a definition may hold tens of thousands of them."""
    # One pass: a device matches an earlier one named by the same address, or an earlier one
    # without an address that has its vendor and product.
    places: set[tuple[int, int]] = set()
    placeless_ids: set[tuple[int, int]] = set()
    for hostdev in hostdevs:
        if hostdev.get("type") != "usb" or hostdev.get("mode", "subsystem") != "subsystem":
            continue
        source = first_child(hostdev, "source")
        numbers = []
        for tag, name in (("address", "bus"), ("address", "device"), ("vendor", "id"), ("product", "id")):
            part = first_child(source, tag) if source is not None else None
            numbers.append(_c_number(part.get(name)) or 0 if part is not None else 0)
        bus, device, vendor, product = numbers
        place, ids = ((bus, device) if bus and device else None), (vendor, product)
        if (place is not None and place in places) or ids in placeless_ids:
            return True
        if place is not None:
            places.add(place)
        else:
            placeless_ids.add(ids)
    return False


def _hostdev_key(hostdev: etree._Element) -> tuple[object, ...] | None:
    """What two subsystem host devices must share to be the same device (virDomainHostdevMatch)."""
    if hostdev.get("mode", "subsystem") != "subsystem":
        return None
    kind, source = hostdev.get("type"), first_child(hostdev, "source")
    if source is None:
        return None
    if kind == "pci":
        address = first_child(source, "address")
        if address is None:  # libvirt's zero address
            return (kind, 0, 0, 0, 0)
        return (kind, *(_c_number(address.get(name)) for name in ("domain", "bus", "slot", "function")))
    if kind == "usb":
        address = first_child(source, "address")
        if address is not None and _c_number(address.get("bus")) and _c_number(address.get("device")):
            return (kind, "address", _c_number(address.get("bus")), _c_number(address.get("device")))
        vendor, product = first_child(source, "vendor"), first_child(source, "product")
        return (
            kind,
            "ids",
            _c_number(vendor.get("id") if vendor is not None else None),
            _c_number(product.get("id") if product is not None else None),
        )
    if kind == "mdev":
        address = first_child(source, "address")
        return (kind, address.get("uuid")) if address is not None else None
    if kind == "scsi_host":
        return (kind, source.get("protocol"), source.get("wwpn"))
    if kind == "scsi":
        if source.get("protocol") == "iscsi":
            host = first_child(source, "host")
            return (
                kind,
                "iscsi",
                host.get("name") if host is not None else None,
                _c_number(host.get("port") if host is not None else None),
                source.get("name"),
            )
        adapter, address = first_child(source, "adapter"), first_child(source, "address")
        if adapter is None or address is None:
            return None
        return (kind, adapter.get("name"), *(_c_number(address.get(name)) for name in ("bus", "target", "unit")))
    return None


def _validate_disk(disk: etree._Element) -> dict[object, etree._Element]:
    """virDomainDiskDefValidate's checks that the test driver's users meet; returns the disk's
    first child of each tag (the checks after it read them too, and nothing changes them)."""
    first: dict[object, etree._Element] = {}
    for found in disk[:]:  # the first child of each tag, in one pass (a lookup per tag costs a pass each)
        tag = found.tag
        if tag not in first:
            first[tag] = found
    device, target = disk.get("device"), first["target"]  # (canonical: every disk has one)
    bus, dev = target.get("bus"), target.get("dev", "")
    disk_type = disk.get("type")  # (canonical: every disk has one)
    source = first.get("source")
    # (a source without children: nothing of it to authenticate or encrypt)
    source_children = source is not None and len(source) != 0
    if source_children or "auth" in first or "encryption" in first:
        domain_disks.validate_storage(disk, first, disk_type)
    sgio = disk.get("sgio")
    if sgio == "unfiltered":  # virDomainDiskDefValidate, after the source's checks
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, "unfiltered sgio is no longer supported")
    if device == "lun":
        _validate_lun_source(disk)
    else:  # only a LUN has reservations, rawio or sgio
        if source_children and first_child(source, "reservations") is not None:  # type: ignore[arg-type]
            detail = "<reservations/> allowed only for lun devices"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
        only_lun = "rawio" if disk.get("rawio") is not None else "sgio" if sgio is not None else None
        if only_lun is not None:
            detail = f"{only_lun} can be used only with device='lun'"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    if device == "floppy" and bus != "fdc":
        raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, f"Invalid bus type '{bus}' for floppy disk")
    if device != "floppy" and bus == "fdc":
        raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, f"Invalid bus type '{bus}' for disk")
    if device in ("disk", "lun") and not dev.startswith(HARDDISK_PREFIXES):
        raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, f"Invalid harddisk device name: {dev}")
    if device == "floppy" and not dev.startswith("fd"):
        raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, f"Invalid floppy device name: {dev}")
    if device == "disk" and _source_is_empty(disk_type, source):
        raise report(api.VIR_ERR_NO_SOURCE, api.VIR_FROM_DOMAIN, dev)
    if bus in _DRIVE_BUSES:  # (only those take no other address type)
        address = first.get("address")
        address_type = address.get("type") if address is not None else None
        if address_type not in (None, "drive"):
            detail = f"Invalid address type '{address_type}' for the disk '{dev}' with the bus type '{bus}'"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    return first


_DRIVE_BUSES = ("ide", "fdc", "scsi", "sata")


def _validate_lun_source(disk: etree._Element) -> None:
    """virDomainDiskDefSourceLUNValidate, its first rule: a LUN is a block device or iSCSI."""
    if disk.get("type") == "network":
        source = first_child(disk, "source")
        protocol = source.get("protocol") if source is not None else None
        if protocol != "iscsi":
            detail = f"disk device='lun' is not supported for protocol='{protocol or 'none'}'"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    elif disk.get("type") not in ("block", "volume"):
        detail = "disk device='lun' is only valid for block type disk source"
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)


def _source_is_empty(kind: str | None, source: etree._Element | None) -> bool:
    """virStorageSourceIsEmpty: local storage without a path, or a network disk without a protocol
    (kind: the disk's type; source: its first <source>)."""
    path = _SOURCE_PATH.get(kind)  # type: ignore[arg-type]
    if path is not None:
        return source is None or not source.get(path)
    if kind == "network":
        return source is None or source.get("protocol") is None
    return False


# per drive bus, its drives per controller and per bus (virDomainDiskDefAssignAddress)
_DRIVES_PER_CONTROLLER = {"scsi": (7, 7), "ide": (4, 2), "sata": (6, 6), "fdc": (2, 2)}


# The drive address of the first disk on a bus, copied for each disk given none: a copy and
# the numbers that differ set on it cost a third of an element made with its five attributes
_FIRST_DRIVE = make_element("address", type="drive", controller="0", bus="0", target="0", unit="0")


def _drive_address(bus: str, index: int) -> etree._Element | None:
    """The drive address of the disk of that index on the bus (index >= 0), None on a bus
    without drives."""
    layout = _DRIVES_PER_CONTROLLER.get(bus)
    if layout is None:
        return None
    per_controller, per_bus = layout
    controller, rest = divmod(index, per_controller)
    drive_bus, unit = divmod(rest, per_bus)
    address = _FIRST_DRIVE.__copy__()
    if controller:
        address.set("controller", str(controller))
    if drive_bus:
        address.set("bus", str(drive_bus))
    if unit:
        address.set("unit", str(unit))
    return address


IFNAME_LIMIT = 1024  # the test driver's testnetN names
# VIR_NET_GENERATED_VNET_PREFIX, _MACVTAP_PREFIX, _MACVLAN_PREFIX
GENERATED_IFNAME_PREFIXES = ("vnet", "macvtap", "macvlan")


def _given_ifname(target: etree._Element) -> str | None:
    """An interface target's name, None once dropped: virDomainNetDefParseXML drops a name of
    the kind a daemon generates on a tap it manages (it would be made anew at each start),
    and the test driver then names the interface as one without a name."""
    dev = target.get("dev")
    if dev is not None and dev.startswith(GENERATED_IFNAME_PREFIXES) and target.get("managed") != "no":
        del target.attrib["dev"]
        return None
    return dev


MAC_ATTRIBUTE_ORDER = ["address", "type", "check"]  # virDomainNetDefFormat's, and all it reads
MAC_TYPES = ("generated", "static")  # virDomainNetMacType without its zero


_INTERFACE_CHILD_ORDER = CHILD_ORDER["interface"]
_INTERFACE_CHILD_RANK = _rank(_INTERFACE_CHILD_ORDER)
_TARGET_RANK = _INTERFACE_CHILD_RANK["target"]


def _insert_target(interface: etree._Element, name: str) -> None:
    """A <target dev=name/> made for the interface, put before the first child libvirt writes
    after it (an element appended last would leave most interfaces to be reordered, each
    child moved)."""
    children = interface[:]  # (a list made in C: cheaper than the iterator)
    at = 0
    for found in children:
        rank = _INTERFACE_CHILD_RANK.get(found.tag, -1)  # type: ignore[call-overload]
        if rank == -1:  # a child libvirt does not write (or not an element): last, all reordered
            at = len(children)
            break
        if rank > _TARGET_RANK:
            break
        at += 1
    # (made in the interface's document, then moved: cheaper than one made in a document of its own)
    target = etree.SubElement(interface, "target", dev=name)
    if at < len(children):
        interface.insert(at, target)


def _canonical_interface(interface: etree._Element, taken: set[str | None], free_names: Iterator[str]) -> None:
    present = domain_interfaces.canonical_interface_parts(interface)  # (tags absent stay absent)
    mac = first_child(interface, "mac") if "mac" in present else None
    if mac is None:
        mac = _child(interface, "mac")
    address = mac.get("address")
    if address is None:
        mac.set("address", "52:54:00:" + ":".join(f"{random.randrange(256):02x}" for _ in range(3)))
    else:  # virDomainNetDefParseXML: parsed by virMacAddrParse, written back as libvirt formats it
        raw = parse_mac(address)
        if raw is None:
            raise xml_error(f"unable to parse mac address '{address}'")
        if raw[0] & 1:
            raise xml_error(f"expected unicast mac address, found multicast '{address}'")
        written = libvirt_rules.mac_text(raw)
        if written != address:  # (most are written so already)
            mac.set("address", written)
    if len(mac.attrib) > 1:  # (a type or check, given or made up: most have the address alone)
        libvirt_rules.prop_enum(mac, "type", MAC_TYPES)
        libvirt_rules.prop_enum(mac, "check", ("yes", "no"))
        for unread in [name for name in mac.attrib if name not in MAC_ATTRIBUTE_ORDER]:
            del mac.attrib[unread]
        _reorder_attributes(mac, MAC_ATTRIBUTE_ORDER)
    if "rom" in present or "acpi" in present:  # (rare) the device information's
        domain_devices.read_rom_and_acpi(interface)
    source = first_child(interface, "source") if "source" in present else None
    kind = interface.get("type")
    if kind == "network" and source is not None and source.get("bridge"):
        del source.attrib["bridge"]  # the bridge is the network's, not the definition's
    # (the parts virDomainNetDefValidate may refuse: checked now, the refusal held for it)
    if (
        "port" in present
        or "driver" in present
        or "teaming" in present
        or kind == "vhostuser"
        or (source is not None and len(source))
    ):
        domain_interfaces.hold_validation_fault(interface)
    bandwidth = first_child(interface, "bandwidth") if "bandwidth" in present else None
    # virNetDevBandwidthParse's refusals (a floor: on a network only), and its rates as written
    if bandwidth is not None and not network_definition.checked_bandwidth(bandwidth, kind == "network"):
        interface.remove(bandwidth)  # libvirt keeps no bandwidth without a rate
    target = first_child(interface, "target") if "target" in present else None
    if target is None or target.get("dev") is None:
        # testDomainGenerateIfname: the first free testnetN below its limit
        name = next((candidate for candidate in free_names if candidate not in taken), None)
        if name is None:
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_TEST, f"Exceeded max iface limit {IFNAME_LIMIT}")
        taken.add(name)
        if target is None:
            _insert_target(interface, name)
        else:  # dev is written first, before managed
            kept = dict(target.attrib)
            target.attrib.clear()
            target.set("dev", name)
            target.attrib.update(kept)
    if not children_in_order(interface, _INTERFACE_CHILD_RANK):  # (most are, once a target is in its place)
        _reorder_known(interface, _INTERFACE_CHILD_ORDER)
    if kind == "hostdev" and "driver" in present:  # (its type: as read above, unchanged since)
        driver, mac = first_child(interface, "driver"), first_child(interface, "mac")
        if driver is not None and mac is not None:
            mac.addnext(driver)  # a host device's driver is written with its source, before it


# --- output ---------------------------------------------------------------------------


# elements libvirt writes with a closing tag even when empty
ALWAYS_CLOSED = {"redirdev", "bandwidth", "devices", "hyperv", "encryption", "hostdev"}
_CLOSED_NAME = f"(?:{'|'.join(sorted(ALWAYS_CLOSED))})\\b"


# libxml2's indented dump (lxml's tostring, in C) writes an element several times faster
# than the walk below, and as virBuffer does once its quotes are swapped, when every line is
# one tag or a leaf with its text. Anything else goes through the walk: text beside children,
# a newline or a double quote in text, character or entity references, comments, namespaces,
# an empty element written with a closing tag.
_PLAIN_LINES = re.compile(r"(?: *(?:</[^<>]+>|<[^<>/!?][^<>]*(?:/>|>[^<>\"\n]*</[^<>]+>|(?<!/)>(?=\n(?! *</))))\n)*")
_REFERENCE = re.compile(r"&(?!amp;|lt;|gt;|quot;)")
_CLOSED_WHEN_EMPTY = re.compile(rf"<{_CLOSED_NAME}[^>]*/>")
# Tried first: in a dump without '&' (no reference, escaped or not) there is no '<' or '>' but
# the tags' own, and no newline or double quote in an attribute's value, so the same lines are
# told by the brackets alone, with possessive repeats of one excluded character each, which
# the regular expression engine runs through much faster than classes. What it accepts, with
# _CLOSED_WHEN_EMPTY finding nothing, _PLAIN_LINES accepts and _REFERENCE finds nothing in
# (nearly every dump); those three decide the rest.
_PLAIN_LINES_WITHOUT_REFERENCES = re.compile(
    r'(?: *+<(?:/[^>]++>\n|[^/>!?][^>]*+>(?:[^<"\n]*+</[^>]++>\n|(?<=/>)\n|\n(?! *+</))))*+'
)


def _dumped(element: etree._Element) -> str | None:
    """The element as virBuffer writes it at depth 0, newline-terminated, or None when only
    the walk writes it right."""
    if not len(element):
        return None  # one line: the walk is as quick
    dumped = etree.tostring(element, encoding="unicode", pretty_print=True, with_tail=False)
    # (namespaces and xml: attributes both contain "xml": one scan finds neither, in nearly every dump)
    if (
        "&" not in dumped
        and _PLAIN_LINES_WITHOUT_REFERENCES.fullmatch(dumped)
        and not _CLOSED_WHEN_EMPTY.search(dumped)
    ):
        if "xml" in dumped and ("xmlns" in dumped or "xml:" in dumped):
            return None
    elif (
        not _PLAIN_LINES.fullmatch(dumped)
        or ("xml" in dumped and ("xmlns" in dumped or "xml:" in dumped))
        or ("&" in dumped and _REFERENCE.search(dumped))
        or _CLOSED_WHEN_EMPTY.search(dumped)
    ):
        return None
    return dumped.replace("'", "&apos;").replace('"', "'")


def format_element(element: etree._Element, depth: int) -> list[str]:
    """Lines of one element as virBuffer writes them: two spaces a level, single quotes."""
    dumped = _dumped(element)
    if dumped is not None:
        pad = "  " * depth
        return [pad + line for line in dumped[:-1].split("\n")]
    lines: list[str] = []
    _format_into(lines, element, "  " * depth)
    return lines


def format_element_text(element: etree._Element, depth: int) -> str:
    """format_element's lines as one newline-terminated string."""
    if not len(element):  # one line (most top-level elements): written at once
        return leaf_line(element, "  " * depth) + "\n"
    dumped = _dumped(element)
    if dumped is None:
        lines: list[str] = []
        _format_into(lines, element, "  " * depth)
        return "\n".join(lines) + "\n"
    if not depth:
        return dumped
    pad = "  " * depth
    # every line padded, the newline that ends the last one left without (one copy fewer)
    return (pad + dumped.replace("\n", "\n" + pad))[: -len(pad)]


def leaf_line(element: etree._Element, pad: str) -> str:
    """_format_into's line of an element without any child node."""
    tag = element.tag
    items = element.items()
    # (many leaves have no attribute, or one: no comprehension run for those)
    if not items:
        attributes = ""
    elif len(items) == 1:
        attributes = f" {items[0][0]}='{escape_text(items[0][1])}'"
    else:
        attributes = "".join([f" {name}='{escape_text(value)}'" for name, value in items])
    text = element.text
    if text == "":
        return f"{pad}<{tag}{attributes}></{tag}>"
    if text is None:
        if tag in ALWAYS_CLOSED and _closed_when_empty(element, attributes):
            return f"{pad}<{tag}{attributes}>\n{pad}</{tag}>"
        return f"{pad}<{tag}{attributes}/>"
    return f"{pad}<{tag}{attributes}>{escape_text(text)}</{tag}>"


def _closed_when_empty(element: etree._Element, attributes: str) -> bool:
    """For an empty element of ALWAYS_CLOSED's tags: not an interface's <bandwidth> with
    attributes, nor a TPM backend's <encryption> (a disk's is closed)."""
    if element.tag == "bandwidth":
        return not attributes
    parent = element.getparent()
    return element.tag != "encryption" or parent is None or parent.tag != "backend"


def _format_into(lines: list[str], element: etree._Element, pad: str) -> None:
    # A list filled in place: a definition has hundreds of elements and is written on
    # every read, where nested generators cost a third of the time.
    tag = element.tag
    attributes = "".join([f" {name}='{escape_text(value)}'" for name, value in element.attrib.items()])
    children = [child for child in element[:] if isinstance(child.tag, str)] if len(element) else None
    text = element.text
    if children:
        lines.append(f"{pad}<{tag}{attributes}>")
        inner = pad + "  "
        for child in children:
            _format_into(lines, child, inner)
        lines.append(f"{pad}</{tag}>")
    elif text == "":  # set empty on purpose (a disk's empty iotune group name)
        lines.append(f"{pad}<{tag}{attributes}></{tag}>")
    elif text is None:
        if tag in ALWAYS_CLOSED and _closed_when_empty(element, attributes):  # a NUMA interconnect's closes
            lines += (f"{pad}<{tag}{attributes}>", f"{pad}</{tag}>")
        else:
            lines.append(f"{pad}<{tag}{attributes}/>")
    else:
        lines.append(f"{pad}<{tag}{attributes}>{escape_text(text)}</{tag}>")


def format_metadata(entries: dict[str, str], depth: int) -> list[str]:
    """<metadata> as libvirt writes it, each entry through libxml2's indenting dump."""
    if not entries:
        return []
    pad = "  " * depth
    lines = [f"{pad}<metadata>"]
    for text in entries.values():
        element = etree.fromstring(text)
        _strip_whitespace(element)
        lines += _libxml2_dump(element, depth + 1, etree.tostring(element, encoding="unicode"))
    lines.append(f"{pad}</metadata>")
    return lines


def _libxml2_dump(element: etree._Element, depth: int, flat: str) -> list[str]:
    """xmlNodeDump with format=1: children on their own lines, unless any text is mixed in."""
    children = list(element)
    mixed = bool((element.text or "").strip()) or any((child.tail or "").strip() for child in children)
    if not children or mixed:
        return ["  " * depth + flat]
    opening, _, rest = flat.partition(">")
    closing = rest[rest.rindex("</") :]
    lines = ["  " * depth + opening + ">"]
    for child in children:
        child_flat = etree.tostring(child, encoding="unicode", with_tail=False)
        child_flat = (
            re.sub(r' xmlns:\w+="[^"]*"', "", child_flat, count=1) if child.nsmap == element.nsmap else child_flat
        )
        lines += _libxml2_dump(child, depth + 1, child_flat)
    lines.append("  " * depth + closing)
    return lines


def metadata_entry(text: str, key: str, uri: str) -> str:
    """A client's metadata element, put in its namespace under the client's prefix."""
    try:
        element = etree.fromstring(text)
    except etree.XMLSyntaxError as error:
        raise report(api.VIR_ERR_XML_DETAIL, api.VIR_FROM_XML, f"(metadata_xml):1: {error.msg}") from None
    namespaced = etree.Element(f"{{{uri}}}{etree.QName(element).localname}", nsmap={key: uri})
    namespaced.attrib.update(element.attrib)
    namespaced.text = element.text
    namespaced.extend(element)
    for node in namespaced.iter():
        if isinstance(node.tag, str) and etree.QName(node).namespace is None:
            node.tag = f"{{{uri}}}{node.tag}"
    return etree.tostring(namespaced, encoding="unicode")


def metadata_without_namespace(text: str) -> str:
    """What virDomainGetMetadata returns: the element with its namespace taken off."""
    element = etree.fromstring(text)
    _strip_whitespace(element)  # (while namespaced: an application's mixed content is kept as written)
    for node in element.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(element)
    return "\n".join(_libxml2_dump(element, 0, etree.tostring(element, encoding="unicode")))


def disk_summaries(definition: list[etree._Element]) -> list[tuple[str, str, str, str, str]]:
    """(source, target, bus, device, type) of each disk, for the block statistics procedures."""
    devices = next((element for element in definition if element.tag == "devices"), None)
    summaries = []
    for disk in children_of(devices, "disk") if devices is not None else []:
        source = first_child(disk, "source")
        path = ""
        if source is not None:
            path = source.get("file") or source.get("dev") or source.get("dir") or source.get("name") or ""
        target = first_child(disk, "target")
        kind = disk.get("type", "file")
        summaries.append((path, target.get("dev"), target.get("bus"), disk.get("device", "disk"), kind))
    return summaries


def interface_summaries(definition: list[etree._Element]) -> list[tuple[str, str, str, str | None]]:
    """(target device, MAC, type, source network) of each interface."""
    devices = next((element for element in definition if element.tag == "devices"), None)
    return [
        (
            first_child(interface, "target").get("dev"),
            first_child(interface, "mac").get("address"),
            interface.get("type"),
            _source_network(interface),
        )
        for interface in (children_of(devices, "interface") if devices is not None else [])
    ]


def _source_network(interface: etree._Element) -> str | None:
    source = first_child(interface, "source") if interface.get("type") == "network" else None
    return source.get("network") if source is not None else None
