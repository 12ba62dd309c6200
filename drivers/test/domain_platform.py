"""The domain's platform as libvirt reads a definition: <os> (firmware, loader, NVRAM, boot
menu, per-device boot), <features>, hugepages, the schedulers of <cputune>, and the checks
virDomainDefValidate makes of them (domain_conf.c, domain_postparse.c, domain_validate.c).

Two hooks: canonical_platform (while the definition is read, before the shared code fills in
defaults) and validate_platform (after it, with the devices' checks)."""

from __future__ import annotations

from lxml import etree

from virtrio.drivers.libvirt_rules import (
    LLONG_MAX,
    SCALE_UNITS,
    ULLONG_MAX,
    attribute_error,
    enum_error,
    missing_attribute,
    parse_scaled_value,
    prop_enum,
    prop_int,
    prop_uint,
    strtol_whole,
)
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, cause_unknown, report

from .bitmaps import format_bitmap, parse_bitmap
from .domain_cpu import read_before_numa
from .domain_disks import STORAGE_TYPES_WITH_NONE
from .domain_errors import boot_order_fault
from .domain_errors import config_unsupported as _unsupported
from .domain_errors import domain_xml_detail as _detail
from .domain_errors import domain_xml_error as _xml_error
from .domain_interfaces import VIRTIO_MODELS, virtio_option_fault
from .xml_tree import (
    children_of,
    first_child,
    make_element,
    mark_live_only,
    reorder,
    set_live_only,
    text_of,
)

FIRMWARES = ("bios", "efi")  # virDomainOsDefFirmware without its zero, 'none'
FIRMWARE_FEATURES = ("enrolled-keys", "secure-boot")  # virDomainOsDefFirmwareFeature, in its order
LOADER_TYPES = ("rom", "pflash")
BOOT_DEVICES = ("fd", "cdrom", "hd", "network")  # virDomainBootType
BOOT_MENU_TIMEOUT_MAX = 65535
LOADPARM_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789. ")
# features written as <name state='on|off'/>, 'on' when the state is left out
STATE_FEATURES = ("vmcoreinfo", "hap", "pmu", "pvspinlock", "vmport")
STATE_REQUIRED_FEATURES = ("htm", "nested-hv", "ccf-assist")
# the features whose children each have a required on/off state, and those children
SWITCHED_FEATURES = {
    "hyperv": frozenset(
        [
            "relaxed",
            "vapic",
            "spinlocks",
            "vpindex",
            "runtime",
            "synic",
            "stimer",
            "reset",
            "vendor_id",
            "frequencies",
            "reenlightenment",
            "tlbflush",
            "ipi",
            "evmcs",
            "avic",
        ]
    ),
    "kvm": frozenset(("hidden", "hint-dedicated", "poll-control", "pv-ipi", "dirty-ring")),
}
# pSeries features with a value: the attribute and its values (virDomainHPTResizing,
# virDomainCFPC, virDomainSBBC, virDomainIBS, without 'none')
PSERIES_VALUES = {
    "hpt": ("resizing", ("enabled", "disabled", "required")),
    "cfpc": ("value", ("broken", "workaround", "fixed")),
    "sbbc": ("value", ("broken", "workaround", "fixed")),
    "ibs": ("value", ("broken", "workaround", "fixed-ibs", "fixed-ccd", "fixed-na")),
}
GIC_VERSIONS = ("host", "2", "3")  # virGICVersion without 'none'
SCHEDULERS = ("batch", "idle", "fifo", "rr")  # virProcessSchedPolicy without 'none'
# virDomainMemoryBackingFormat's order of <memoryBacking>'s children
MEMORY_BACKING_ORDER = ["hugepages", "nosharepages", "locked", "source", "access", "allocation", "discard"]


def _tristate(element: etree._Element, name: str, values: tuple[str, str], required: bool = False) -> str | None:
    """virXMLPropTristateBool/Switch: one of the two values, or None when absent."""
    return prop_enum(element, name, values, required)


def _bool(element: etree._Element, name: str, required: bool = False) -> str | None:
    return _tristate(element, name, ("yes", "no"), required)


def _switch(element: etree._Element, name: str, required: bool = False) -> str | None:
    return _tristate(element, name, ("on", "off"), required)


def _pretty_size(size: int) -> tuple[int, str]:
    """virFormatIntPretty: a byte count in the largest unit that divides it exactly."""
    if size == 0 or size % 1024:
        return size, "B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        size //= 1024
        if size % 1024:
            return size, unit
    return size // 1024, "PiB"


MEMORY_PARAM_UNLIMITED = api.VIR_DOMAIN_MEMORY_PARAM_UNLIMITED


def _scaled(element: etree._Element, default_scale: int, where: str, limit: int = ULLONG_MAX) -> int | None:
    """virParseScaledValue of the element at where (the XPath libvirt names in its errors):
    its number times its unit; None when the text is empty."""
    return parse_scaled_value(text_of(element), element.get("unit"), where, default_scale, limit)


def _bitmap(text: str) -> set[int]:
    return parse_bitmap(text)


def _bitmap_text(bits: set[int]) -> str:
    return format_bitmap(bits)


# --- the hooks -------------------------------------------------------------------------


def canonical_platform(kept: dict[str, etree._Element], os_type: str, max_vcpus: int) -> None:
    """What libvirt's parser and post-parse callbacks make of the platform elements (kept:
    the definition's top-level elements by tag; max_vcpus: the <vcpu> count)."""
    devices = kept.get("devices")
    # from one walk of the devices (in C, for three tags): the devices' <boot> elements (for
    # both readers), the controllers' <pcihole64> and whether there is a memory device
    device_boots: list[etree._Element] = []
    holes: list[etree._Element] = []
    memory_devices = False
    for found in devices.iter("boot", "pcihole64", "memory") if devices is not None and len(devices) else ():
        parent = found.getparent()
        tag = found.tag
        if tag == "memory":
            memory_devices = memory_devices or parent is devices
        elif parent is not None and parent.getparent() is devices:
            if tag == "boot":
                device_boots.append(found)
            elif parent.tag == "controller":
                holes.append(found)
    if device_boots:
        _canonical_device_boots(device_boots)
    if "os" in kept and os_type == "hvm":
        _canonical_os(kept["os"], bool(device_boots))
    elif "os" in kept and os_type == "exe":
        _check_init_options(kept["os"])
    if "features" in kept:
        _canonical_features(kept["features"])
    numa = first_child(kept["cpu"], "numa") if "cpu" in kept else None
    if numa is not None:
        try:
            canonical_numa(numa)
        except LibvirtError:
            # libvirt reads the rest of the CPU before its NUMA cells: a fault there comes first
            read_before_numa(kept["cpu"])
            raise
    if "numatune" in kept:  # (the per-node bindings are its)
        _canonical_memnodes(kept)
    if "memtune" in kept:
        _canonical_memtune(kept)
    if "memoryBacking" in kept:
        _canonical_hugepages(kept["memoryBacking"])
        reorder(kept["memoryBacking"], MEMORY_BACKING_ORDER)
        if _memory_backing_unset(kept["memoryBacking"]):
            del kept["memoryBacking"]  # virDomainMemorybackingFormat writes nothing for it
    if "cputune" in kept:
        _canonical_schedulers(kept, max_vcpus)
        _canonical_resctrls(kept["cputune"], max_vcpus)
    if devices is not None and memory_devices:
        _memory_device_current(devices)
    for hole in holes:
        size = _scaled(hole, 1024, "./pcihole64")
        if size is None:  # an empty one sets nothing, so nothing is written
            parent = hole.getparent()
            if parent is not None:
                parent.remove(hole)
            continue
        hole.attrib.clear()  # written in KiB, rounded up
        hole.set("unit", "KiB")
        hole.text = str(-(-size // 1024))


def _memory_backing_unset(backing: etree._Element) -> bool:
    """Whether <memoryBacking> sets nothing: no attribute of its own is read, and a <source>,
    <access> or <allocation> without attributes sets nothing either (after which those go)."""
    backing.attrib.clear()
    for part in ("source", "access", "allocation"):
        for unset in [element for element in children_of(backing, part) if not element.attrib]:
            backing.remove(unset)
    return len(backing) == 0


def _cell_count(cpu: etree._Element | None) -> int:
    """len(cpu.findall("numa/cell")) through child lookups (a path search costs several)."""
    if cpu is None:
        return 0
    return sum(len(children_of(numa, "cell")) for numa in children_of(cpu, "numa"))


def _guest_arch(top: dict[str, etree._Element]) -> str | None:
    """The architecture <os><type> names (the default one is neither ppc64 nor ppc64le)."""
    os_element = top.get("os")
    kind = first_child(os_element, "type") if os_element is not None else None
    return kind.get("arch") if kind is not None else None


def _nvdimm_label_size(memory: etree._Element) -> int:
    """The NVDIMM's label size as read (0 when left out)."""
    for target in children_of(memory, "target"):
        for label in children_of(target, "label"):
            size = first_child(label, "size")
            text = text_of(size).strip() if size is not None else ""
            return int(text) if text.isdigit() else 0
        return 0
    return 0


def _validate_iommu(iommu: etree._Element, features: etree._Element | None) -> None:
    """virDomainDefIOMMUValidate: interrupt remapping needs the split I/O APIC, EIM needs
    interrupt remapping."""
    driver = first_child(iommu, "driver")
    if driver is None:
        return
    remapping = driver.get("intremap") == "on"
    if remapping:
        ioapic_driver = None
        for ioapic in features.iterchildren("ioapic") if features is not None else ():
            ioapic_driver = ioapic.get("driver")  # (libvirt keeps the last one read)
        if ioapic_driver != "qemu":
            raise _unsupported("IOMMU interrupt remapping requires split I/O APIC (ioapic driver='qemu')")
    if driver.get("eim") == "on" and not remapping:
        raise _unsupported("IOMMU eim requires interrupt remapping to be enabled")


def _validate_vsock(vsock: etree._Element) -> None:
    """virDomainVsockDefValidate: a guest CID from 3, virtio options on a virtio model only."""
    cid = first_child(vsock, "cid")
    address = cid.get("address") if cid is not None else None
    if address == "1" or address == "2":  # (written back in decimal when read)
        raise _unsupported("guest CIDs must be >= 3")
    driver = first_child(vsock, "driver") if vsock.get("model") not in VIRTIO_MODELS else None
    fault = virtio_option_fault(driver) if driver is not None else None
    if fault is not None:
        raise fault


def _validate_memory_device(memory: etree._Element, cells: int, top: dict[str, etree._Element]) -> None:
    """virDomainMemoryDefValidate: the guest node a memory device is plugged into, then what
    its model needs (a backing path for the NVDIMM and virtio-pmem)."""
    plugged = False
    for target in children_of(memory, "target"):
        for node in children_of(target, "node"):
            text = (node.text or "").strip()
            if not text.isdigit():
                continue
            plugged = True
            if not cells:
                raise _detail("can't add memory backend as guest has no NUMA nodes configured")
            if int(text) >= cells:
                raise _detail(
                    f"can't add memory backend for guest node '{int(text)}' as the guest has only "
                    f"'{cells}' NUMA nodes configured"
                )
    model = memory.get("model")
    if model != "nvdimm" and model != "virtio-pmem":
        return
    source = first_child(memory, "source")
    path = first_child(source, "path") if source is not None else None
    if path is None or not "".join(path.itertext()):  # (string(./path): an empty one is none)
        raise _detail(f"path is required for model '{model}'")
    if memory.get("discard") == "yes":
        raise _unsupported(
            "discard is not supported for nvdimms"
            if model == "nvdimm"
            else f"discard is not supported for model '{model}'"
        )
    if model == "nvdimm":
        if _guest_arch(top) in ("ppc64", "ppc64le"):
            if not _nvdimm_label_size(memory):
                raise _unsupported("label size is required for NVDIMM device")
        else:
            uuid = first_child(memory, "uuid")
            if uuid is not None and "".join(uuid.itertext()):
                raise _unsupported("UUID is not supported for NVDIMM device")
    else:
        if memory.get("access") != "shared":
            raise _unsupported("shared access mode required for virtio-pmem device")
        if plugged:
            raise _unsupported("virtio-pmem does not support NUMA nodes")


def validate_platform(
    definition: list[etree._Element],
    top: dict[str, etree._Element] | None = None,
    by_kind: dict[object, list[etree._Element]] | None = None,
) -> None:
    """virDomainDefValidateInternal's checks of the platform, in its order (top: the
    definition's elements by tag, when the caller has them; by_kind: its devices by tag, None
    without devices)."""
    if top is None:
        top = {element.tag: element for element in definition}
    memories: list[etree._Element] = []
    iommu = vsock = None
    if by_kind:  # (libvirt keeps the first IOMMU and vsock)
        memories = by_kind.get("memory", memories)
        iommu = by_kind["iommu"][0] if "iommu" in by_kind else None
        vsock = by_kind["vsock"][0] if "vsock" in by_kind else None
    # the guest's NUMA cells: counted only for what needs them (most definitions have neither)
    cells = _cell_count(top.get("cpu")) if memories or "memoryBacking" in top else 0
    for memory in memories:
        _validate_memory_device(memory, cells, top)
    if vsock is not None:
        _validate_vsock(vsock)
    if iommu is not None:
        _validate_iommu(iommu, top.get("features"))
    if "memoryBacking" in top:
        _validate_hugepages(top["memoryBacking"], cells)
    os_tags = {child.tag for child in top["os"].getchildren()} if "os" in top else set()
    if "loader" in os_tags or "nvram" in os_tags or "firmware" in os_tags:
        _validate_os(top["os"])
    if "bootmenu" in os_tags:
        bootmenu = first_child(top["os"], "bootmenu")
        timeout = bootmenu.get("timeout") if bootmenu is not None else None
        if timeout is not None and int(timeout) > BOOT_MENU_TIMEOUT_MAX:
            raise _unsupported("invalid value for boot menu timeout, must be in range [0,65535]")
    if "bios" in os_tags:
        bios = first_child(top["os"], "bios")
        delay = bios.get("rebootTimeout") if bios is not None else None
        if delay is not None and not -1 <= int(delay) <= BOOT_MENU_TIMEOUT_MAX:
            raise _unsupported("invalid value for rebootTimeout, must be in range [-1,65535]")
    if "iothreadids" in top or "defaultiothread" in top:
        _validate_thread_pools(top)


def _validate_thread_pools(top: dict[str, etree._Element]) -> None:
    """virDomainDefValidateIOThreads: each IOThread's pool bounds, then the default one's
    (a bound left out is -1)."""
    pools = children_of(top["iothreadids"], "iothread") if "iothreadids" in top else []
    if "defaultiothread" in top:
        pools.append(top["defaultiothread"])
    for pool in pools:
        low, high = pool.get("thread_pool_min"), pool.get("thread_pool_max")
        if low is None and high is None:
            continue
        smallest = strtol_whole(low, 10) if low is not None else -1
        largest = strtol_whole(high, 10) if high is not None else -1
        if largest == 0:
            raise _unsupported("thread_pool_max must be a positive integer")
        if smallest is not None and largest is not None and smallest > largest:
            raise _unsupported("thread_pool_min must be smaller or equal to thread_pool_max")


# --- <os> ------------------------------------------------------------------------------


def _canonical_device_boots(device_boots: list[etree._Element]) -> None:
    """virDomainDeviceBootParseXML: the order (virXMLPropUInt, required, not 0: written as %u)
    and a loadparm, kept upper-cased, checked; then virDomainDefBootOrderPostParse's refusal of
    an order given twice."""
    orders: list[str] = []
    for boot in device_boots:
        order = boot.get("order")
        if order is None:
            raise missing_attribute("boot", "order")
        if not (order.isdigit() and order.isascii() and order[0] != "0" and len(order) < 10):  # (not as written)
            order = str(prop_uint(boot, "order", nonzero=True))
            boot.set("order", order)
        orders.append(order)
        loadparm = boot.get("loadparm")
        if loadparm is None:
            continue
        loadparm = loadparm.upper()
        if not 1 <= len(loadparm) <= 8:
            detail = f"loadparm value '{loadparm}' must be between 1 and 8 characters"
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, detail)
        if not set(loadparm) <= LOADPARM_CHARACTERS:
            detail = f"invalid loadparm value '{loadparm}', expecting chars in set of [a-zA-Z0-9.] and blank spaces"
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, detail)
        boot.set("loadparm", loadparm)
    seen: set[str] = set()
    for order in orders:
        if order in seen:
            boot_order_fault(_unsupported(f"boot order '{order}' used for more than one device"))
            return
        seen.add(order)


def _check_init_options(os_element: etree._Element) -> None:
    """virDomainDefParseBootInitOptions: a container's arguments, then its environment: each
    with a first child that has content (text), each variable with a name."""
    for argument in children_of(os_element, "initarg"):
        if argument.text is None:
            raise _xml_error("No data supplied for <initarg> element")
    for variable in children_of(os_element, "initenv"):
        name = variable.get("name")
        if name is None:
            raise _xml_error("No name supplied for <initenv> element")
        if variable.text is None:
            raise _xml_error(f"No value supplied for <initenv name='{name}'> element")


def _read_acpi_table(os_element: etree._Element) -> None:
    """virDomainDefParseBootAcpiOptions: one table at most, of type slic, its path kept clean."""
    tables = os_element.findall("acpi/table")
    if len(tables) > 1:
        raise _xml_error("Only one acpi table is supported")
    if not tables:
        for acpi in children_of(os_element, "acpi"):
            os_element.remove(acpi)  # no table read: no <acpi> written
        return
    table = tables[0]
    kind = table.get("type")
    if kind is None:
        raise _xml_error("Missing acpi table type")
    if kind != "slic":
        raise _xml_error(f"Unknown acpi table type: {kind}")
    if table.text:
        from .pool_definition import sanitize_path

        table.text = sanitize_path(table.text)


def _canonical_os(os_element: etree._Element, device_boots: bool) -> None:
    """<os>'s firmware, loader, boot order, ACPI table, boot menu and BIOS as libvirt reads
    them (device_boots: whether a device has a <boot>)."""
    # one pass over the children (a list: lxml's child iterator costs more than the list and
    # the loop over it): most definitions have few of the parts checked below
    children = os_element.getchildren()
    tags = {child.tag for child in children}
    features = os_element.findall("firmware/feature") if "firmware" in tags else []
    if "firmware" in tags:
        for old in [child for child in children if child.tag == "firmware"]:
            os_element.remove(old)
    # libvirtd 9.0.0 reads the features only with autoselection on (os/@firmware); without
    # it they are dropped, silently
    if features and os_element.get("firmware") is not None:
        states: dict[str, str] = {}
        for feature in features:
            name = feature.get("name")
            if name is None:
                raise missing_attribute("feature", "name")
            if name not in FIRMWARE_FEATURES:
                raise enum_error("feature", "name", name)
            states[name] = _bool(feature, "enabled", required=True) or ""
        if states.get("enrolled-keys") == "yes" and states.get("secure-boot") != "no":
            states["secure-boot"] = "yes"  # keys enrolled means a Secure Boot firmware
        # (enrolled keys with Secure Boot off: refused by _validate_os, where libvirt refuses them)
        firmware = make_element("firmware")
        for name in FIRMWARE_FEATURES:
            if name in states:
                firmware.append(make_element("feature", enabled=states[name], name=name))
        os_element.insert(1, firmware)
    chosen = os_element.get("firmware")
    if chosen is not None and chosen not in FIRMWARES:
        raise _xml_error(f"unknown firmware value {chosen}")
    loader = next(child for child in children if child.tag == "loader") if "loader" in tags else None
    if loader is not None:  # virDomainLoaderDefParseXML's attributes, in its order
        _bool(loader, "readonly")
        kind = loader.get("type")
        if kind is not None and kind not in LOADER_TYPES:
            raise enum_error("loader", "type", kind)
        _bool(loader, "secure")
        _bool(loader, "stateless")
        if not loader.attrib and not loader.text and chosen is not None and not len(loader):
            os_element.remove(loader)  # nothing read: not written (firmware chosen, it needs no path)
    nvram = next(child for child in children if child.tag == "nvram") if "nvram" in tags else None
    if nvram is not None:
        # (alone, without firmware, it stands for a loader without a path: kept for that refusal)
        _canonical_nvram(os_element, nvram, loader is None and chosen is None)
    boots = [child for child in children if child.tag == "boot"] if "boot" in tags else []
    for position, boot in enumerate(boots):
        if position >= len(BOOT_DEVICES):  # libvirt keeps as many as there are kinds
            os_element.remove(boot)
            continue
        dev = boot.get("dev")
        if dev is None:
            raise missing_attribute("boot", "dev")
        if dev not in BOOT_DEVICES:
            raise enum_error("boot", "dev", dev)
    if "acpi" in tags:
        _read_acpi_table(os_element)
    bootmenu = first_child(os_element, "bootmenu") if "bootmenu" in tags else None
    if bootmenu is not None:  # virDomainDefParseBootXML: a timeout is read only when enabled
        enabled = _bool(bootmenu, "enable")
        timeout = bootmenu.get("timeout") if enabled == "yes" else None
        if timeout is not None and not timeout.isdigit():
            raise attribute_error("bootmenu", "timeout", timeout, "Expected non-negative integer value")
        bootmenu.attrib.clear()
        for extra in children_of(os_element, "bootmenu")[1:]:
            os_element.remove(extra)
        if enabled is None:
            os_element.remove(bootmenu)
        else:
            bootmenu.set("enable", enabled)
            if timeout is not None:
                bootmenu.set("timeout", str(int(timeout)))
    bios = first_child(os_element, "bios") if "bios" in tags else None
    if bios is not None:
        for extra in children_of(os_element, "bios")[1:]:
            os_element.remove(extra)
        try:
            serial = _bool(bios, "useserial")
        except LibvirtError:
            serial = "no"  # libvirt reports the value and carries on with 'no'
        delay = prop_int(bios, "rebootTimeout")
        bios.attrib.clear()
        if serial is not None:
            bios.set("useserial", serial)
        if delay is not None:
            bios.set("rebootTimeout", str(delay))
        if not bios.attrib:
            os_element.remove(bios)
    if device_boots and boots:  # (the first <boot> is always kept)
        boot_order_fault(_unsupported("per-device boot elements cannot be used together with os/boot elements"))


# virStorageType, its zero included


def _canonical_nvram(os_element: etree._Element, nvram: etree._Element, kept: bool) -> None:
    """virDomainLoaderDefParseXMLNvram: with a type, its <source> (required, though libvirt
    fails without saying why) written only when something of it is; without one, the path
    in its text: nothing is kept but a template when the text is empty (kept: the element
    stays anyway)."""
    if nvram.get("type") is not None:
        prop_enum(nvram, "type", STORAGE_TYPES_WITH_NONE)
        source = first_child(nvram, "source")
        if source is None:  # (no error set: what a client is told then)
            raise cause_unknown()
        from .domain_disks import canonical_source  # (a storage source, read as a disk's)

        name = source.get("name")
        if not canonical_source(source, nvram.get("type", "")):
            nvram.remove(source)
        elif name is not None and source.get("name") != name:
            source.set("name", name)  # (an iSCSI target's default LUN is a disk's, not an NVRAM's)
        return
    for child in list(nvram):
        nvram.remove(child)
    if not nvram.text and nvram.get("template") is None and not kept:
        os_element.remove(nvram)


def _validate_os(os_element: etree._Element) -> None:
    """virDomainDefOSValidate: the loader and NVRAM against firmware autoselection."""
    loader, nvram = first_child(os_element, "loader"), first_child(os_element, "nvram")
    firmware = os_element.get("firmware")
    features = first_child(os_element, "firmware")
    if features is not None:
        states = {feature.get("name"): feature.get("enabled") for feature in features}
        if states.get("enrolled-keys") == "yes" and states.get("secure-boot") == "no":
            raise _detail(
                "firmware feature 'enrolled-keys' cannot be enabled when firmware feature 'secure-boot' is disabled"
            )
    if loader is None and nvram is None:
        return
    loader = loader if loader is not None else make_element("loader")
    has_nvram = nvram is not None and (nvram.get("type") is not None or bool(nvram.text))
    template = nvram.get("template") if nvram is not None else None
    if firmware is not None:
        autoselection = "when firmware autoselection is enabled"
        for name in ("readonly", "type"):
            if loader.get(name) is not None:
                raise _detail(f"loader attribute '{name}' cannot be specified {autoselection}")
        if loader.text:
            raise _detail(f"loader path cannot be specified {autoselection}")
        if template is not None:
            raise _detail(f"nvram attribute 'template' cannot be specified {autoselection}")
        if loader.get("secure") == "no":
            raise _detail(f"loader attribute 'secure' cannot be specified {autoselection}")
        if has_nvram and firmware != "efi":
            raise _detail(f"firmware type '{firmware}' does not support nvram")
    else:  # (an <nvram> alone stands for a loader without a path)
        if not loader.text:
            raise _detail("no loader path specified and firmware auto selection disabled")
    stateless = loader.get("stateless")
    if stateless == "yes":
        if template is not None:
            raise _detail("NVRAM template is not permitted when loader is stateless")
        if has_nvram:
            raise _detail("NVRAM is not permitted when loader is stateless")
    elif stateless == "no":
        if firmware is None:
            if loader.get("type") != "pflash":
                raise _detail("Only pflash loader type permits NVRAM")
        elif firmware != "efi":
            raise _detail("Only EFI firmware permits NVRAM")


# --- <features> ------------------------------------------------------------------------


HYPERV_VALUED = ("spinlocks", "vendor_id")  # the Hyper-V features with a value when on
HYPERV_SPINLOCK_RETRIES_MIN = 0xFFF
HYPERV_VENDOR_ID_MAX = 12


def _read_hyperv_value(feature: etree._Element) -> None:
    """virDomainFeaturesHyperVDefParse: the spinlocks' retry count, the vendor ID's value;
    read and written when on only."""
    if feature.get("state") == "off":
        feature.attrib.clear()
        feature.set("state", "off")
        return
    if feature.tag == "spinlocks":
        retries = prop_uint(feature, "retries", base=0)
        if retries is None:
            raise missing_attribute("spinlocks", "retries")
        if retries < HYPERV_SPINLOCK_RETRIES_MIN:
            raise _xml_error("HyperV spinlock retry count must be at least 4095")
        feature.attrib.clear()  # (written as state, then retries, in decimal)
        feature.set("state", "on")
        feature.set("retries", str(retries))
        return
    value = feature.get("value")
    if value is None:
        raise _xml_error("missing 'value' attribute for HyperV feature 'vendor_id'")
    if len(value.encode()) > HYPERV_VENDOR_ID_MAX:
        raise _xml_error(f"HyperV vendor_id value must not be more than {HYPERV_VENDOR_ID_MAX} characters.")
    if "," in value:
        raise _xml_error("HyperV vendor_id value is invalid")
    feature.attrib.clear()  # (written as state, then value)
    feature.set("state", "on")
    feature.set("value", value)


DIRTY_RING_SIZES = frozenset(1 << power for power in range(10, 17))  # powers of 2, 1024 to 65536


def _read_dirty_ring(ring: etree._Element) -> None:
    """virDomainFeaturesKVMDefParse: the ring's size, read when on (required, a power of 2
    from 1024 to 65536); written after the state."""
    state = ring.get("state")
    size = prop_uint(ring, "size", base=0) if state == "on" else None
    if state == "on" and size is None:
        raise missing_attribute("dirty-ring", "size")
    if size is not None and size not in DIRTY_RING_SIZES:
        raise _xml_error("dirty ring must be power of 2 and ranges [1024, 65536]")
    ring.attrib.clear()
    ring.set("state", str(state))
    if size is not None:
        ring.set("size", str(size))


def _read_stimer(stimer: etree._Element) -> None:
    """A Hyper-V <stimer>'s children: read when it is on (<direct> alone, its state
    required), not written when it is off."""
    if stimer.get("state") == "off":
        for child in list(stimer):
            stimer.remove(child)
        return
    for child in stimer:
        if not isinstance(child.tag, str):
            continue
        if child.tag != "direct":
            raise _unsupported(f"unsupported Hyper-V stimer feature: {child.tag}")
        _switch(child, "state", required=True)


def _canonical_features(features: etree._Element) -> None:
    """virDomainFeaturesDefParse for the features written from their state alone."""
    unwritten: list[etree._Element] = []
    for feature in features:
        tag = feature.tag
        if tag in STATE_FEATURES or tag in STATE_REQUIRED_FEATURES:
            state = _switch(feature, "state", required=tag in STATE_REQUIRED_FEATURES) or "on"
            feature.attrib.clear()
            feature.text = None
            for child in list(feature):
                feature.remove(child)
            feature.set("state", state)
        elif tag in SWITCHED_FEATURES and len(feature):
            # virDomainFeaturesHyperVDefParse, ...KVMDefParse: each known child's state required
            known = SWITCHED_FEATURES[tag]
            for child in feature:
                if child.tag in known and _switch(child, "state", required=True):
                    if child.tag == "stimer":
                        _read_stimer(child)
                    elif child.tag in HYPERV_VALUED:
                        _read_hyperv_value(child)
                    elif child.tag == "dirty-ring":
                        _read_dirty_ring(child)
        elif tag == "capabilities":
            if not _canonical_capabilities(feature):
                unwritten.append(feature)
        elif tag in PSERIES_VALUES:  # (NONZERO: 'none' refused)
            name, values = PSERIES_VALUES[tag]
            prop_enum(feature, name, values)
        elif tag == "gic":
            version = feature.get("version")
            if version is not None and version not in GIC_VERSIONS:
                raise enum_error("gic", "version", version)
        elif tag == "smm":
            state = _switch(feature, "state") or "on"
            tseg = first_child(feature, "tseg")
            size = _scaled(tseg, 1 << 20, "string(./features/smm/tseg)") if state == "on" and tseg is not None else None
            feature.attrib.clear()
            for child in list(feature):
                feature.remove(child)
            feature.text = None
            feature.set("state", state)
            if size is not None:
                number, unit = _pretty_size(size)
                feature.append(make_element("tseg", str(number), unit=unit))
    for feature in unwritten:
        features.remove(feature)


CAPABILITIES_POLICIES = ("default", "allow", "deny")  # virDomainCapabilitiesPolicy
# virDomainProcessCapsFeature: a container's process capabilities, in the order libvirt writes them
PROCESS_CAPABILITIES = {
    name: rank
    for rank, name in enumerate(
        [
            "audit_control",
            "audit_write",
            "block_suspend",
            "chown",
            "dac_override",
            "dac_read_search",
            "fowner",
            "fsetid",
            "ipc_lock",
            "ipc_owner",
            "kill",
            "lease",
            "linux_immutable",
            "mac_admin",
            "mac_override",
            "mknod",
            "net_admin",
            "net_bind_service",
            "net_broadcast",
            "net_raw",
            "setgid",
            "setfcap",
            "setpcap",
            "setuid",
            "sys_admin",
            "sys_boot",
            "sys_chroot",
            "sys_module",
            "sys_nice",
            "sys_pacct",
            "sys_ptrace",
            "sys_rawio",
            "sys_resource",
            "sys_time",
            "sys_tty_config",
            "syslog",
            "wake_alarm",
        ]
    )
}


def _canonical_capabilities(feature: etree._Element) -> bool:
    """virDomainFeaturesCapabilitiesDefParse and its format: the policy (default when absent),
    then each capability named once (the last one given) with its state (on when absent), in
    libvirt's order. False when there is nothing to write: the default policy alone."""
    policy = prop_enum(feature, "policy", CAPABILITIES_POLICIES) or "default"
    states: dict[str, str] = {}
    for child in feature[:]:
        if not isinstance(child.tag, str):
            continue
        if child.tag not in PROCESS_CAPABILITIES:
            raise _unsupported(f"unexpected capability feature '{child.tag}'")
        states[child.tag] = _switch(child, "state") or "on"
    feature.attrib.clear()
    feature[:] = []
    feature.text = None
    if policy == "default" and not states:
        return False
    feature.set("policy", policy)
    feature.extend(
        make_element(name, state=states[name]) for name in sorted(states, key=PROCESS_CAPABILITIES.__getitem__)
    )
    return True


# --- memory backing --------------------------------------------------------------------


def _canonical_hugepages(backing: etree._Element) -> None:
    """virDomainHugepagesParseXML: page sizes in KiB (rounded up), node sets as bitmaps."""
    for page in backing.iterfind("hugepages/page"):
        size = page.get("size")
        scale = SCALE_UNITS.get(page.get("unit", "KiB").lower())
        if size is None or not size.isdigit() or scale is None:  # (rare) a size required, a unit known
            scale, size = 1, str(parse_scaled_value(size, page.get("unit"), "./@size", 1024, ULLONG_MAX, required=True))
        kib = -(-int(size) * scale // 1024)
        if kib == 0:
            raise _detail("hugepage size can't be zero")
        nodeset = page.get("nodeset")
        page.attrib.clear()
        page.set("size", str(kib))
        page.set("unit", "KiB")
        if nodeset is not None:
            nodes = _bitmap(nodeset)
            if not nodes:
                raise _unsupported(f"Invalid value of 'nodeset': {nodeset}")
            page.set("nodeset", _bitmap_text(nodes))


def _validate_hugepages(backing: etree._Element, cells: int) -> None:
    """virDomainDefMemtuneValidate (after the post-parse step that drops a node set of
    node 0 alone when the guest has no NUMA cells)."""
    pages: list[tuple[int, set[int] | None]] = []
    for page in backing.iterfind("hugepages/page"):
        size = page.get("size", "")
        if not size.isdigit():
            return
        nodeset = page.get("nodeset")
        nodes = _bitmap(nodeset) if nodeset is not None else None
        if nodes is not None and cells == 0 and max(nodes, default=0) == 0:  # (node 0 alone)
            del page.attrib["nodeset"]
            nodes = None
        pages.append((int(size), nodes))
    for position, (size, nodes) in enumerate(pages):
        for other_size, other_nodes in pages[:position]:
            if nodes is not None and other_nodes is not None and nodes & other_nodes:
                raise _detail(f"nodeset attribute of hugepages of sizes {size} and {other_size} intersect")
            if nodes is None and other_nodes is None:
                raise _detail(f"two master hugepages detected: {size} and {other_size}")
        if nodes is not None:
            beyond = [node for node in sorted(nodes) if node >= cells]
            if beyond:
                raise _detail(f"hugepages: node {beyond[0]} not found")


# --- schedulers of <cputune> -----------------------------------------------------------


def _iothread_ids(kept: dict[str, etree._Element]) -> list[int]:
    """def->iothreadids in order: those listed, then the numbers filled in up to <iothreads>."""
    listed = kept.get("iothreadids")
    ids = [int(entry.get("id", "0")) for entry in children_of(listed, "iothread")] if listed is not None else []
    count = kept.get("iothreads")
    text = (count.text or "").strip() if count is not None else ""
    wanted = int(text) if text.isdigit() else 0
    taken = set(ids)
    free = [number for number in range(1, wanted + 1) if number not in taken]
    return ids + free[: max(wanted - len(ids), 0)]


def _canonical_schedulers(kept: dict[str, etree._Element], max_vcpus: int) -> None:
    """virDomainThreadSchedParseHelper: each vCPU or IOThread named gets its own scheduler,
    written one element per thread in the threads' order."""
    cputune = kept["cputune"]
    threads: range | list[int] | None
    for tag, attribute, threads in (
        ("vcpusched", "vcpus", range(max_vcpus)),
        ("iothreadsched", "iothreads", None),
    ):
        given = cputune.findall(tag)
        if not given:
            continue
        if threads is None:
            threads = _iothread_ids(kept)
        known = threads if isinstance(threads, range) else set(threads)  # (a list's search is linear)
        chosen: dict[int, tuple[str, str | None]] = {}
        for element in given:
            value = element.get(attribute)
            if value is None:
                raise _xml_error(f"Missing attribute '{attribute}' in element '{tag}'")
            bits = _bitmap(value)
            if not bits:
                raise _unsupported(f"'{attribute}' scheduler bitmap '{value}' is empty")
            scheduler = element.get("scheduler")
            if scheduler is None:
                raise missing_attribute(tag, "scheduler")
            if scheduler not in SCHEDULERS:
                raise enum_error(tag, "scheduler", scheduler)
            priority = None
            if scheduler in ("fifo", "rr"):
                number = prop_int(element, "priority")
                if number is None:
                    raise missing_attribute(tag, "priority")
                priority = str(number)
            for bit in sorted(bits):
                if bit not in known:
                    if tag == "vcpusched":
                        raise _unsupported(f"vCPU '{bit}' is not present in domain definition")
                    raise _unsupported(f"Cannot find 'iothread' : {bit}")
                if bit in chosen:
                    raise _detail(f"'{tag}' attributes '{attribute}' must not overlap")
                chosen[bit] = (scheduler, priority)
            cputune.remove(element)
        position = _insert_position(cputune, tag)
        order = sorted(chosen) if tag == "vcpusched" else [thread for thread in threads if thread in chosen]
        made = []
        for thread in order:
            scheduler, priority = chosen[thread]
            element = make_element(tag, **{attribute: str(thread), "scheduler": scheduler})
            if priority is not None:
                element.set("priority", priority)
            made.append(element)
        # inserted at once: each insert walks the children up to its place (16,384 vCPUs: 1 s)
        cputune[position:position] = made
    emulator = first_child(cputune, "emulatorsched")
    if emulator is not None:  # (read after the IOThreads' schedulers)
        _read_emulator_scheduler(cputune, emulator)


def _read_emulator_scheduler(cputune: etree._Element, emulator: etree._Element) -> None:
    """virDomainEmulatorSchedParse: one at most, its scheduler required, a priority for the
    real-time ones; written with those alone."""
    if len(children_of(cputune, "emulatorsched")) > 1:
        raise _xml_error("only one emulatorsched is supported")
    scheduler = str(prop_enum(emulator, "scheduler", SCHEDULERS, required=True))
    priority = None
    if scheduler in ("fifo", "rr"):
        priority = prop_int(emulator, "priority")
        if priority is None:
            raise missing_attribute("emulatorsched", "priority")
    emulator.attrib.clear()
    emulator.set("scheduler", scheduler)
    if priority is not None:
        emulator.set("priority", str(priority))


def _insert_position(cputune: etree._Element, tag: str) -> int:
    """Where the rebuilt schedulers go: before what libvirt writes after them."""
    later = {"vcpusched": ("iothreadsched", "cachetune", "memorytune"), "iothreadsched": ("cachetune", "memorytune")}
    for position, child in enumerate(cputune):
        if child.tag in later[tag]:
            return position
    return len(cputune)


# --- guest NUMA ------------------------------------------------------------------------

LOCAL_DISTANCE, UNREACHABLE = 10, 255
MEMORY_ACCESS = ("shared", "private")  # virDomainMemoryAccess without 'default'
LATENCY_TYPES = ("access", "read", "write")  # virMemoryLatency without 'none'


def _unsigned(element: etree._Element, name: str, required: bool = False) -> int | None:
    """virXMLPropUInt (base 10)."""
    value = element.get(name)
    if value is None:
        if required:
            raise missing_attribute(element.tag, name)
        return None
    text = value.strip()
    if not text.lstrip("+").isdigit() or int(text) >= 1 << 32:
        raise attribute_error(element.tag, name, value, "Expected non-negative integer value")
    return int(text)


def _kib_attribute(element: etree._Element, name: str) -> int | None:
    """virDomainParseMemory of an attribute and the element's unit: KiB, rounded up (None when
    absent)."""
    value = element.get(name)
    if not value:
        return None
    size = parse_scaled_value(value, element.get("unit"), f"./@{name}", 1024, LLONG_MAX) or 0
    return -(-size // 1024)


def canonical_numa(numa: etree._Element) -> None:
    """virDomainNumaDefParseXML and virDomainNumaDefFormatXML: cells by id, their CPUs,
    memory in KiB, access mode, distances made symmetric, caches; then the interconnects."""
    cells = children_of(numa, "cell")
    if not cells:
        raise _xml_error("NUMA topology defined without NUMA cells")
    count = len(cells)
    by_id: dict[int, etree._Element] = {}
    owners: dict[int, int] = {}  # each CPU of the cells read so far: its cell
    distances: dict[int, dict[int, int]] = {}
    for position, cell in enumerate(cells):
        given = _unsigned(cell, "id")
        number = position if given is None else given
        if number >= count:
            raise _xml_error(
                "Exactly one 'cell' element per guest NUMA cell allowed, non-contiguous ranges or "
                "ranges not starting from 0 are not allowed"
            )
        if number in by_id:
            raise _xml_error(f"Duplicate NUMA cell info for cell id '{number}'")
        by_id[number] = cell
        cpus = cell.get("cpus")
        mask = _bitmap(cpus) if cpus is not None else set()
        if mask:
            # the lowest cell read before whose CPUs meet these: found through each CPU's cell
            # (no two cells read so far share one), not by pairs of cells (thousands squared)
            overlapping = {owners[cpu] for cpu in mask if cpu in owners}
            if overlapping:
                raise _unsupported(f"NUMA cells {number} and {min(overlapping)} have overlapping vCPU ids")
            owners.update(dict.fromkeys(mask, number))
        memory = _kib_attribute(cell, "memory")
        if memory is None:  # required (virDomainParseMemory): refused when absent or empty
            parse_scaled_value(None, None, "./@memory", 1024, LLONG_MAX, required=True)
        access = cell.get("memAccess")
        if access is not None and access not in MEMORY_ACCESS:
            raise enum_error("cell", "memAccess", access)
        discard = _bool(cell, "discard")
        _read_distances(cell, number, count, distances)
        caches = children_of(cell, "cache")
        attributes = {"id": str(number)}
        if mask:
            attributes["cpus"] = _bitmap_text(mask)
        if memory is not None:
            attributes["memory"], attributes["unit"] = str(memory), "KiB"
        elif cell.get("memory") is not None:
            attributes["memory"], attributes["unit"] = cell.get("memory", ""), cell.get("unit", "KiB")
        if access is not None:
            attributes["memAccess"] = access
        if discard is not None:
            attributes["discard"] = discard
        cell.attrib.clear()
        cell.attrib.update(attributes)
        for child in list(cell):
            cell.remove(child)
        cell.text = None
        cell.extend(caches)
    for number, cell in by_id.items():
        row = distances.get(number)
        if row:
            block = make_element("distances")
            for sibling in sorted(row):
                block.append(make_element("sibling", id=str(sibling), value=str(row[sibling])))
            cell.insert(0, block)
    interconnects = _interconnects(first_child(numa, "interconnects"))
    for child in list(numa):
        numa.remove(child)
    numa.text = None
    numa.extend(by_id[number] for number in sorted(by_id))
    if len(interconnects):
        numa.append(interconnects)


def _read_distances(cell: etree._Element, number: int, count: int, distances: dict[int, dict[int, int]]) -> None:
    """virDomainNumaDefNodeDistanceParseXML: each sibling's distance both ways (the other
    way unless that one is given too)."""
    block = first_child(cell, "distances")
    if block is None:
        return
    siblings = children_of(block, "sibling")
    if not siblings:
        raise _xml_error("NUMA distances defined without siblings")
    for sibling in siblings:
        other = _unsigned(sibling, "id", required=True) or 0
        if other >= count:
            raise _xml_error(f"'sibling_id {other}' does not refer to a valid cell within NUMA 'cell id {number}'")
        value = _unsigned(sibling, "value", required=True) or 0
        local = other == number
        if not LOCAL_DISTANCE <= value <= UNREACHABLE or local != (value == LOCAL_DISTANCE):
            raise _xml_error(f"'value {value}' is invalid for 'sibling id {other}' under NUMA 'cell id {number}'")
        distances.setdefault(number, {number: LOCAL_DISTANCE})[other] = value
        distances.setdefault(other, {other: LOCAL_DISTANCE}).setdefault(number, value)


def _interconnects(given: etree._Element | None) -> etree._Element:
    """The latencies and bandwidths, as virNumaInterconnectFormat writes them."""
    block = make_element("interconnects")
    for entry in given if given is not None else ():
        if entry.tag == "latency":
            value = _unsigned(entry, "value", required=True)
        elif entry.tag == "bandwidth":
            value = _kib_attribute(entry, "value")
        else:
            continue  # libvirt skips what it does not know
        initiator = _unsigned(entry, "initiator", required=True)
        target = _unsigned(entry, "target", required=True)
        cache = _unsigned(entry, "cache") or 0
        kind = entry.get("type")
        if kind is None:
            raise missing_attribute(entry.tag, "type")
        if kind not in LATENCY_TYPES:
            raise enum_error(entry.tag, "type", kind)
        written = make_element(entry.tag, initiator=str(initiator), target=str(target))
        if cache:
            written.set("cache", str(cache))
        written.set("type", kind)
        written.set("value", str(value))
        if entry.tag == "bandwidth":
            written.set("unit", "KiB")
        block.append(written)
    return block


def _canonical_memnodes(kept: dict[str, etree._Element]) -> None:
    """virDomainNumatuneNodeParseXML: per-cell memory binding, checked against the cells and
    the <memory> policy; written by cell id."""
    numatune = kept.get("numatune")
    memnodes = children_of(numatune, "memnode") if numatune is not None else []
    if not memnodes:
        return
    memory = first_child(numatune, "memory") if numatune is not None else None
    vcpu = kept.get("vcpu")
    if memory is not None:
        automatic = memory.get("placement") == "auto" or (
            memory.get("placement") is None
            and memory.get("nodeset") is None
            and vcpu is not None
            and vcpu.get("placement") == "auto"
        )
    else:
        automatic = False
    if automatic:
        raise _unsupported("Per-node binding is not compatible with automatic NUMA placement.")
    cells = _cell_count(kept.get("cpu"))
    if not cells:
        raise _xml_error("Element 'memnode' is invalid without any guest NUMA cells")
    restrictive = memory is not None and memory.get("mode") == "restrictive"
    by_cell: dict[int, etree._Element] = {}
    for memnode in memnodes:
        cell = _unsigned(memnode, "cellid", required=True) or 0
        if cell >= cells:
            raise _xml_error("Argument 'cellid' in memnode element must correspond to existing guest's NUMA cell")
        if cell in by_cell:
            raise _xml_error(f"Multiple memnode elements with cellid {cell}")
        mode = memnode.get("mode", "strict")
        if mode not in ("strict", "preferred", "interleave", "restrictive"):
            raise enum_error("memnode", "mode", mode)
        if restrictive and mode != "restrictive":
            raise _xml_error(
                "'restrictive' mode is required in memnode element when mode is 'restrictive' in memory element"
            )
        nodeset = memnode.get("nodeset")
        if nodeset is None:
            raise _xml_error("Missing required nodeset attribute in memnode element")
        nodes = _bitmap(nodeset)
        if not nodes:
            raise _unsupported(f"Invalid value of 'nodeset': {nodeset}")
        by_cell[cell] = make_element("memnode", cellid=str(cell), mode=mode, nodeset=_bitmap_text(nodes))
        numatune.remove(memnode)
    numatune.extend(by_cell[cell] for cell in sorted(by_cell))


# --- cache and memory bandwidth allocations of <cputune> -------------------------------

CACHE_TYPES = ("both", "code", "data")  # virCacheType, in the order allocations are written
MONITOR_CACHE_LEVEL = 3


class _Resctrl:
    """One of def->resctrls: the vCPUs, their cache and bandwidth allocations, monitors."""

    def __init__(self, vcpus: set[int]) -> None:
        self.vcpus = vcpus
        self.caches: dict[tuple[int, int, int], int] = {}  # (level, type, id) -> bytes
        self.bandwidths: dict[int, int] = {}  # node -> percent
        self.monitors: list[tuple[str, set[int]]] = []  # (cachetune|memorytune, vCPUs)
        # What libvirt's checks find by walking every earlier monitor, kept so that a look costs
        # one step per vCPU (thousands of monitors fit in a document read on the event loop):
        self.monitor_tags: set[tuple[str, frozenset[int]]] = set()  # (tag, vCPUs) taken
        self.same: dict[frozenset[int], int] = {}  # vCPUs -> how many monitors have exactly them
        self.covering: dict[int, int] = {}  # vCPU -> how many monitors have it
        self.covering_inner: dict[int, int] = {}  # the same, less monitors of the group's own vCPUs


def _resctrl_error(detail: str) -> Exception:
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_RESCTRL, detail)


def _resctrl_vcpus(element: etree._Element, max_vcpus: int | None) -> set[int]:
    """virDomainResctrlParseVcpus: the bitmap, less the vCPUs the domain does not have."""
    text = element.get("vcpus")
    if text is None:
        raise _xml_error(f"Missing {element.tag} attribute 'vcpus'")
    try:
        bits = _bitmap(text)
    except Exception:
        raise _xml_error(f"Invalid {element.tag} attribute 'vcpus' value '{text}'") from None
    return {bit for bit in bits if max_vcpus is None or bit < max_vcpus}


def _matching_resctrl(owners: dict[int, _Resctrl], vcpus: set[int]) -> _Resctrl | None:
    """virDomainResctrlVcpuMatch: the group of exactly these vCPUs; overlaps are refused.
    owners: each grouped vCPU's group. Groups never overlap, so the group of any one of the
    vCPUs decides what libvirt's walk over every group finds."""
    for vcpu in vcpus:
        owner = owners.get(vcpu)
        if owner is not None:
            if owner.vcpus == vcpus:
                return owner
            raise _xml_error("Overlapping vcpus in resctrls")
    return None


def _add_resctrl(resctrls: list[_Resctrl], owners: dict[int, _Resctrl], resctrl: _Resctrl) -> None:
    resctrls.append(resctrl)
    for vcpu in resctrl.vcpus:
        owners[vcpu] = resctrl


def _read_monitors(element: etree._Element, resctrl: _Resctrl, max_vcpus: int | None) -> None:
    """virDomainResctrlMonDefParse with virDomainResctrlValidateMonitor's checks."""
    for monitor in children_of(element, "monitor"):
        if element.tag == "cachetune":
            level = _unsigned(monitor, "level", required=True)
            if level != MONITOR_CACHE_LEVEL:
                raise _xml_error(f"Invalid monitor cache level '{level}'")
        vcpus = _resctrl_vcpus(monitor, max_vcpus)
        if not vcpus:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, "vcpus is empty")
        if not vcpus <= resctrl.vcpus:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, "Monitor vcpus conflicts with allocation")
        equal_to_group = vcpus == resctrl.vcpus
        default_group = not resctrl.caches and not resctrl.bandwidths
        # libvirt walks the earlier monitors: one of this tag with these very vCPUs is refused
        # (whatever else overlaps); one of the other tag with them is passed over; any other
        # that shares a vCPU overlaps, and, outside the group's own vCPUs, overlaps another
        # subset. Each vCPU's count of monitors having it, less the passed-over ones (which
        # have them all), says the same.
        key = frozenset(vcpus)
        if (element.tag, key) in resctrl.monitor_tags:
            detail = "Identical vcpus found in same type monitors"
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, detail)
        passed_over = resctrl.same.get(key, 0)
        covering, covering_inner = resctrl.covering, resctrl.covering_inner
        overlap_any = any(covering.get(vcpu, 0) > passed_over for vcpu in vcpus)
        overlap_outside = not equal_to_group and any(covering_inner.get(vcpu, 0) > passed_over for vcpu in vcpus)
        if overlap_outside or (default_group and overlap_any):
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, "vcpus overlaps in resctrl groups")
        resctrl.monitors.append((element.tag, vcpus))
        resctrl.monitor_tags.add((element.tag, key))
        resctrl.same[key] = passed_over + 1
        for vcpu in vcpus:
            covering[vcpu] = covering.get(vcpu, 0) + 1
            if not equal_to_group:
                covering_inner[vcpu] = covering_inner.get(vcpu, 0) + 1


def _read_cachetune(
    element: etree._Element, resctrls: list[_Resctrl], owners: dict[int, _Resctrl], max_vcpus: int | None
) -> None:
    """virDomainCachetuneDefParse."""
    vcpus = _resctrl_vcpus(element, max_vcpus)
    if not vcpus:
        return
    if _matching_resctrl(owners, vcpus) is not None:
        raise _xml_error("Identical vcpus in cachetunes found")
    resctrl = _Resctrl(vcpus)
    for cache in children_of(element, "cache"):
        number = _unsigned(cache, "id", required=True) or 0
        level = _unsigned(cache, "level", required=True) or 0
        kind = cache.get("type")
        if kind is None:
            raise missing_attribute("cache", "type")
        if kind not in CACHE_TYPES:
            raise enum_error("cache", "type", kind)
        size = _scaled_attribute(cache, "size", 1024)
        kinds = CACHE_TYPES.index(kind)
        taken = resctrl.caches.keys()
        collides = (level, 0, number) in taken or (
            (level, 1, number) in taken or (level, 2, number) in taken
            if kinds == 0
            else (level, kinds, number) in taken
        )
        if collides:
            raise _resctrl_error(f"Colliding cache allocations for cache level '{level}' id '{number}', type '{kind}'")
        resctrl.caches[(level, kinds, number)] = size
    _read_monitors(element, resctrl, max_vcpus)
    if resctrl.monitors or resctrl.caches or first_child(element, "cache") is not None:
        _add_resctrl(resctrls, owners, resctrl)


def _read_memorytune(
    element: etree._Element, resctrls: list[_Resctrl], owners: dict[int, _Resctrl], max_vcpus: int | None
) -> None:
    """virDomainMemorytuneDefParse: into the cachetune group of the same vCPUs, if any."""
    vcpus = _resctrl_vcpus(element, max_vcpus)
    if not vcpus:
        return
    existing = _matching_resctrl(owners, vcpus)
    resctrl = existing or _Resctrl(vcpus)
    nodes = children_of(element, "node")
    for node in nodes:
        number = _unsigned(node, "id", required=True) or 0
        bandwidth = _unsigned(node, "bandwidth", required=True) or 0
        if bandwidth > 100:
            raise _resctrl_error("Memory Bandwidth value exceeding 100 is invalid.")
        if number in resctrl.bandwidths:
            raise _resctrl_error(f"Memory Bandwidth already defined for node {number}")
        resctrl.bandwidths[number] = bandwidth
    before = len(resctrl.monitors)
    _read_monitors(element, resctrl, max_vcpus)
    if existing is None and (len(resctrl.monitors) > before or nodes):
        _add_resctrl(resctrls, owners, resctrl)


def _scaled_attribute(element: etree._Element, name: str, default_scale: int) -> int:
    """virParseScaledValue of a required attribute (and the element's unit), in bytes."""
    value = element.get(name, "")
    size = parse_scaled_value(value, element.get("unit"), f"./@{name}", default_scale, ULLONG_MAX, required=True)
    assert size is not None  # required: an absent one is refused
    return size


def _canonical_resctrls(cputune: etree._Element, max_vcpus: int | None) -> None:
    """The <cachetune> and <memorytune> elements, read into allocation groups and written
    back as virDomainCputuneDefFormat writes the groups: every group's cachetune, then
    every group's memorytune."""
    given = [element for element in cputune if element.tag in ("cachetune", "memorytune")]
    if not given:
        return
    resctrls: list[_Resctrl] = []
    owners: dict[int, _Resctrl] = {}
    for element in children_of(cputune, "cachetune"):
        _read_cachetune(element, resctrls, owners, max_vcpus)
    for element in children_of(cputune, "memorytune"):
        _read_memorytune(element, resctrls, owners, max_vcpus)
    for element in given:
        cputune.remove(element)
    for tag in ("cachetune", "memorytune"):
        for resctrl in resctrls:
            written = make_element(tag, vcpus=_bitmap_text(resctrl.vcpus))
            # virDomainResctrlNew: the group's id, named after its vCPUs (an INACTIVE parse
            # ignores the one given), written for a running domain only
            set_live_only(written, "id", "vcpus_" + _bitmap_text(resctrl.vcpus))
            if tag == "cachetune":
                for level, kind, number in sorted(resctrl.caches):
                    size, unit = _pretty_size(resctrl.caches[(level, kind, number)])
                    attributes = {"id": str(number), "level": str(level), "type": CACHE_TYPES[kind]}
                    written.append(make_element("cache", **attributes, size=str(size), unit=unit))
            else:
                for node in sorted(resctrl.bandwidths):
                    written.append(make_element("node", id=str(node), bandwidth=str(resctrl.bandwidths[node])))
            for monitor_tag, vcpus in resctrl.monitors:
                if monitor_tag == tag:
                    monitor = make_element("monitor", vcpus=_bitmap_text(vcpus))
                    if tag == "cachetune":
                        monitor.attrib.clear()
                        monitor.set("level", str(MONITOR_CACHE_LEVEL))
                        monitor.set("vcpus", _bitmap_text(vcpus))
                    written.append(monitor)
            if len(written):  # a group with nothing of this kind writes no element
                cputune.append(written)


# --- <sysinfo> -------------------------------------------------------------------------

SYSINFO_TYPES = ("smbios", "fwcfg")


def _bios_date_valid(date: str) -> bool:
    """virSysinfoBIOSParseXML's format check: mm/dd/yy or mm/dd/yyyy (a year of 1900 on)."""
    parts = date.split("/")
    if len(parts) != 3:
        return False
    numbers = []
    for part in parts:
        number = strtol_whole(part)
        if number is None:
            return False
        numbers.append(number)
    month, day, year = numbers
    return 1 <= month <= 12 and 1 <= day <= 31 and (0 <= year < 100 or year >= 1900)


def kept_apart(
    root: etree._Element, kept: dict[str, etree._Element], groups: dict[str, list[etree._Element]]
) -> list[etree._Element]:
    """The top-level elements of the platform that are not one per tag in kept: every
    <sysinfo>, and <memory> with its dumpCore alone (its size is the Domain's; groups: the
    root's children by tag)."""
    memory = groups["memory"][0] if "memory" in groups else None
    # (read again, refused if not a switch, only when there: most have none)
    dump_core = _switch(memory, "dumpCore") if memory is not None and memory.get("dumpCore") is not None else None
    memories = [make_element("memory", dumpCore=dump_core)] if dump_core is not None else []
    if "sysinfo" not in groups:
        kept.pop("sysinfo", None)
        return memories
    return memories + _sysinfos(root, kept, groups["sysinfo"])


def _sysinfos(
    root: etree._Element, kept: dict[str, etree._Element], given: list[etree._Element]
) -> list[etree._Element]:
    """Every <sysinfo> (virSysinfoParseXML), checked, in their order (there may be several)."""
    kept.pop("sysinfo", None)
    if not given:
        return []
    from virtrio.drivers.libvirt_rules import parse_uuid

    uuid_text = root.findtext("uuid")
    domain_uuid = parse_uuid(uuid_text) if uuid_text else None
    for sysinfo in given:
        kind = sysinfo.get("type")
        if kind is None:
            raise missing_attribute("sysinfo", "type")
        if kind not in SYSINFO_TYPES:
            raise enum_error("sysinfo", "type", kind)
        if kind != "smbios":
            continue
        bios = first_child(sysinfo, "bios")
        date = (
            next((entry for entry in bios.iterchildren("entry") if entry.get("name") == "date"), None)
            if bios is not None
            else None
        )
        if date is not None and "".join(date.itertext()) and not _bios_date_valid("".join(date.itertext())):
            raise _detail("Invalid BIOS 'date' format")
        system = first_child(sysinfo, "system")
        entry = (
            next((entry for entry in system.iterchildren("entry") if entry.get("name") == "uuid"), None)
            if system is not None
            else None
        )
        text = "".join(entry.itertext()) if entry is not None else ""
        if text:
            raw = parse_uuid(text)
            if raw is None:
                raise _detail("malformed <sysinfo> uuid element")
            if domain_uuid is not None and raw != domain_uuid:
                raise _detail("UUID mismatch between <uuid> and <sysinfo>")
            hexed = raw.hex()
            entry.text = f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"
            for child in list(entry):
                entry.remove(child)
        for block in [found for found in sysinfo if found.tag in SMBIOS_ENTRY_BLOCKS]:
            # entries read by name (virSysinfoParseBIOSDef, ...): one without a known name is not kept
            known = SMBIOS_ENTRY_NAMES[block.tag]
            for unnamed in [entry for entry in children_of(block, "entry") if entry.get("name") not in known]:
                block.remove(unnamed)
            if not len(block):  # nothing read: not written
                sysinfo.remove(block)
    return given


SMBIOS_ENTRY_BLOCKS = ("bios", "system", "baseBoard", "chassis")
# the entries each block's parser reads (string(entry[@name='…']))
SMBIOS_ENTRY_NAMES = {
    "bios": frozenset(("vendor", "version", "date", "release")),
    "system": frozenset(("manufacturer", "product", "version", "serial", "uuid", "sku", "family")),
    "baseBoard": frozenset(("manufacturer", "product", "version", "serial", "asset", "location")),
    "chassis": frozenset(("manufacturer", "version", "serial", "asset", "sku")),
}


# --- <memtune> -------------------------------------------------------------------------

MEMORY_UNLIMITED = 9007199254740991  # VIR_DOMAIN_MEMORY_PARAM_UNLIMITED, in KiB
LIMITS = ("hard_limit", "soft_limit", "swap_hard_limit")


_MEMTUNE_TAGS = (*LIMITS, "min_guarantee")


def _canonical_memtune(kept: dict[str, etree._Element]) -> None:
    """virDomainParseMemoryLimit: a limit of 'unlimited' or more is no limit, and a zero
    guarantee no guarantee; neither is written, nor a <memtune> left with nothing."""
    memtune = kept["memtune"]
    for child in memtune[:]:  # libvirt reads the limits by name: anything else is not kept
        if child.tag not in _MEMTUNE_TAGS:  # (a processing instruction, an unknown element)
            memtune.remove(child)
    for tag in _MEMTUNE_TAGS:
        found = memtune.findall(tag)
        if not found:
            continue
        element = found[0]
        # virDomainParseMemoryLimit: at most VIR_DOMAIN_MEMORY_PARAM_UNLIMITED KiB
        size = _scaled(element, 1024, f"./memtune/{tag}[1]", MEMORY_PARAM_UNLIMITED << 10)
        if size is None:
            continue
        kib = -(-size // 1024)
        for extra in found:  # libvirt reads the first of each
            memtune.remove(extra)
        if (kib < MEMORY_UNLIMITED) if tag in LIMITS else kib:
            memtune.append(make_element(tag, str(kib), unit="KiB"))
    if not len(memtune):
        del kept["memtune"]


MEMORY_MODELS = ("dimm", "nvdimm", "virtio-pmem", "virtio-mem", "sgx-epc")  # virDomainMemoryModel, NONZERO


def _read_memory_device(memory: etree._Element) -> None:
    """virDomainMemoryDefParseXML's refusals of a part left out: the model, the <target>, its
    size (virDomainParseMemory, required); the size written in KiB, rounded up."""
    prop_enum(memory, "model", MEMORY_MODELS, required=True)
    target = first_child(memory, "target")
    if target is None:
        raise _xml_error("missing <target> element for <memory> device")
    size = first_child(target, "size")
    size_bytes = parse_scaled_value(
        text_of(size) if size is not None else None,
        size.get("unit") if size is not None else None,
        "./size",
        1024,
        ULLONG_MAX,
        required=True,
    )
    if size is not None and size_bytes is not None and size.get("unit") != "KiB":
        size.attrib.clear()
        size.set("unit", "KiB")
        size.text = str(-(-size_bytes // 1024))


def _memory_device_current(devices: etree._Element) -> None:
    """virDomainMemoryTargetDefFormat: a memory device with a block size (virtio-mem) shows
    its current size in a running domain's XML only; libvirt never reads one, and the
    test driver's stays 0."""
    for memory in children_of(devices, "memory"):
        _read_memory_device(memory)
    for target in devices.iterfind("memory/target"):
        for old in children_of(target, "current"):
            target.remove(old)
        block = first_child(target, "block")
        if block is None:
            continue
        after = first_child(target, "requested")
        current = make_element("current", "0", unit="KiB")
        mark_live_only(current)
        (after if after is not None else block).addnext(current)
