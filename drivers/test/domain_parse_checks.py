"""Refusals libvirt makes while it reads a domain document (virDomainDefParseXML) that the
canonical reading (domain_definition) does not make itself: the memory backing's modes, the
lifecycle actions and power management states, disks' types, devices and buses, and
controllers' types. Each group is checked where libvirt reads it relative to the rest of the
document (parse.parse_domain_xml calls them in that order), and all of them before the
post-parse checks, as in libvirt.
"""

from __future__ import annotations

from lxml import etree

from virtrio.drivers.libvirt_rules import (
    ULLONG_MAX,
    attribute_error,
    enum_error,
    missing_attribute,
    prop_enum,
    prop_uint,
    strtoul_whole,
)
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, cause_unknown, report

from .domain_disks import (
    NETWORK_PROTOCOLS,  # virStorageNetProtocol, REQUIRED ('none' is refused later)
    STORAGE_FORMATS,
    STORAGE_TYPES,
    check_iscsi_hostdev_source,
)
from .domain_interfaces import canonical_ip
from .network_definition import parse_route
from .pool_definition import valid_wwn
from .xml_tree import children_of, first_child, make_element, reorder_attributes, text_of

# the enums' strings, without the zero value where libvirt refuses it
MEMORY_SOURCES = ("file", "anonymous", "memfd")  # virDomainMemorySource, "none" refused
MEMORY_ACCESSES = ("shared", "private")  # virDomainMemoryAccess, "default" refused
MEMORY_ALLOCATIONS = ("immediate", "ondemand")  # virDomainMemoryAllocation, "none" refused
LIFECYCLE_ACTIONS = ("destroy", "restart", "rename-restart", "preserve", "coredump-destroy", "coredump-restart")
LOCK_FAILURE_ACTIONS = ("default", "poweroff", "restart", "pause", "ignore")
YES_NO = ("yes", "no")  # virTristateBool, "absent" refused
DISK_MODELS = ("default", "virtio", "virtio-transitional", "virtio-non-transitional")  # virDomainDiskModel
SNAPSHOT_LOCATIONS = ("no", "internal", "external", "manual")  # virDomainSnapshotLocation, NONZERO
DISK_DEVICES = ("disk", "cdrom", "floppy", "lun")  # virDomainDiskDevice
ON_OFF = ("on", "off")  # virTristateSwitch, NONZERO
ERROR_POLICIES = ("stop", "report", "ignore", "enospace")  # virDomainDiskErrorPolicy, NONZERO
# the enums of a disk's <driver>, in the order libvirt reads them (the virtio options first)
DISK_DRIVER_ENUMS = {
    **dict.fromkeys(["iommu", "ats", "packed", "page_per_vq"], ON_OFF),
    "cache": ("default", "none", "writethrough", "writeback", "directsync", "unsafe"),
    "error_policy": ERROR_POLICIES,
    "rerror_policy": ERROR_POLICIES[:-1],  # (an enum value, but 'enospace' is refused after)
    "io": ("native", "threads", "io_uring"),  # virDomainDiskIo, NONZERO
    **dict.fromkeys(["ioeventfd", "event_idx", "copy_on_read"], ON_OFF),
    "discard": ("unmap", "ignore"),
    "detect_zeroes": ("off", "on", "unmap"),
}
FILESYSTEM_ACCESS_MODES = ("", "passthrough", "mapped", "squash")  # virDomainFSAccessMode
FILESYSTEM_MODELS = ("virtio", "virtio-transitional", "virtio-non-transitional")  # virDomainFSModel, NONZERO
FILESYSTEM_MULTIDEVS = ("default", "remap", "forbid", "warn")  # virDomainFSMultidevs
MDEV_MODELS = ("vfio-pci", "vfio-ccw", "vfio-ap")  # virMediatedDeviceModel, REQUIRED
DISK_BUSES = ("ide", "fdc", "scsi", "virtio", "xen", "usb", "uml", "sata", "sd")  # virDomainDiskBus, NONZERO
CONTROLLER_TYPES = ("ide", "fdc", "scsi", "sata", "virtio-serial", "ccid", "usb", "pci", "xenbus", "isa")
# virDomainControllerModelTypeFromString: each type's models (none for fdc, sata, ccid, xenbus
# and isa: any model refused)
CONTROLLER_MODELS = {
    "scsi": (
        "auto",
        "buslogic",
        "lsilogic",
        "lsisas1068",
        "vmpvscsi",
        "ibmvscsi",
        "virtio-scsi",
        "lsisas1078",
        "virtio-transitional",
        "virtio-non-transitional",
        "ncr53c90",
        "dc390",
        "am53c974",
    ),
    "usb": (
        "piix3-uhci",
        "piix4-uhci",
        "ehci",
        "ich9-ehci1",
        "ich9-uhci1",
        "ich9-uhci2",
        "ich9-uhci3",
        "vt82c686b-uhci",
        "pci-ohci",
        "nec-xhci",
        "qusb1",
        "qusb2",
        "qemu-xhci",
        "none",
    ),
    "pci": (
        "pci-root",
        "pcie-root",
        "pci-bridge",
        "dmi-to-pci-bridge",
        "pcie-to-pci-bridge",
        "pcie-root-port",
        "pcie-switch-upstream-port",
        "pcie-switch-downstream-port",
        "pci-expander-bus",
        "pcie-expander-bus",
    ),
    "ide": ("piix3", "piix4", "ich6"),
    "virtio-serial": ("virtio", "virtio-transitional", "virtio-non-transitional"),
}
# virStorageFileFormat without "none"; "aio" read as raw (Xen's old name)
DISK_FORMATS = (*STORAGE_FORMATS, "aio")  # (a driver's "aio": Xen's old name, read as raw)
FILESYSTEM_TYPES = ("mount", "block", "file", "template", "ram", "bind", "volume")  # virDomainFS
HOSTDEV_TYPES = {  # by mode: virDomainHostdevSubsys, virDomainHostdevCaps
    "subsystem": ("usb", "pci", "scsi", "scsi_host", "mdev"),
    "capabilities": ("storage", "misc", "net"),
}


def _unsupported(detail: str) -> LibvirtError:
    return report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)


def _check_disk_driver(driver: etree._Element) -> None:
    """virDomainDiskDefDriverParseXML's enums, in its order: the first value it refuses."""
    for name, values in DISK_DRIVER_ENUMS.items():
        if name == "rerror_policy" and prop_enum(driver, name, ERROR_POLICIES) == "enospace":
            raise _unsupported("Invalid disk read error policy: 'enospace'")
        prop_enum(driver, name, values)


def _first_attribute(elements: list[etree._Element], child: str, name: str) -> str | None:
    """string(./X/child/@name), None when empty: the first such attribute in document order."""
    for element in elements:
        for found in children_of(element, child):
            value = found.get(name)
            if value is not None:
                return value or None
    return None


def check_memory_backing(backings: list[etree._Element]) -> None:
    """virDomainDefParseMemory's reading of ./memoryBacking's source, access and allocation
    (backings: the root's <memoryBacking> children)."""
    if not backings:
        return
    for child, name, values, what in (
        ("source", "type", MEMORY_SOURCES, "memoryBacking/source/type"),
        ("access", "mode", MEMORY_ACCESSES, "memoryBacking/access/mode"),
        ("allocation", "mode", MEMORY_ALLOCATIONS, "memoryBacking/allocation/mode"),
    ):
        value = _first_attribute(backings, child, name)
        if value is not None and value not in values:
            raise _unsupported(f"unknown {what} '{value}'")


# the on_* actions in the order libvirt reads them, with their values
LIFECYCLE_TAGS = {
    "on_reboot": LIFECYCLE_ACTIONS,
    "on_poweroff": LIFECYCLE_ACTIONS,
    "on_crash": LIFECYCLE_ACTIONS,
    "on_lockfailure": LOCK_FAILURE_ACTIONS,
}


def check_lifecycle(root: etree._Element, first: dict[str, etree._Element] | None = None) -> None:
    """virDomainDefLifecycleParse: the on_* actions (the first element's whole text, empty as
    absent), then the power management states of the first suspend-to-mem and -disk.
    first: each tag's first child of the root, when the caller has them (parse_domain_xml)."""
    if first is None:
        first = {}
        for child in root:
            if isinstance(child.tag, str):
                first.setdefault(child.tag, child)
    for tag, values in LIFECYCLE_TAGS.items():
        found = first.get(tag)
        if found is None:
            continue
        action = found.text if not len(found) else text_of(found)  # (a leaf's text read here: one call fewer)
        if action and action not in values:
            raise _unsupported(f"unknown {tag} action: {action}")
    if "pm" not in first:  # (most definitions)
        return
    managements = children_of(root, "pm")
    for tag in ("suspend-to-mem", "suspend-to-disk"):
        states = [state for pm in managements for state in children_of(pm, tag)]
        if states:
            prop_enum(states[0], "enabled", YES_NO)


def check_idmap(groups: dict[str, list[etree._Element]]) -> None:
    """virDomainDefParseXML's reading of ./idmap/uid then ./idmap/gid (groups: the root's
    children by tag, its <idmap> elements left as the one written): each range's start,
    target and count numbers, and both kinds or none."""
    idmaps = groups["idmap"]
    written: dict[str, list[list[int]]] = {}
    for kind in ("uid", "gid"):
        ranges = []
        for found in (found for idmap in idmaps for found in children_of(idmap, kind)):
            numbers = [strtoul_whole(found.get(name) or "", 10) for name in ("start", "target", "count")]
            if None in numbers:  # virDomainIdmapDefParseXML (virXPathUInt, base 10)
                raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "invalid idmap start/target/count settings")
            ranges.append([number or 0 for number in numbers])
        ranges.sort(key=lambda numbers: numbers[0])  # kept in order of start
        if ranges and ranges[0][0] != 0:
            raise _unsupported("You must map the root user of container")
        written[kind] = ranges
    if bool(written["uid"]) != bool(written["gid"]):
        raise _unsupported("uid and gid should be mapped both")
    # one <idmap> (none without ranges), its uid ranges then its gid ranges, as
    # virDomainIdmapDefFormat writes them
    if not written["uid"]:
        del groups["idmap"]
        return
    groups["idmap"] = idmaps[-1:]
    idmaps[-1][:] = [
        make_element(kind, start=str(start), target=str(target), count=str(count))
        for kind, ranges in written.items()
        for start, target, count in ranges
    ]


KEYWRAP_CIPHERS = ("aes", "dea")  # virDomainKeyWrapCipherName


def check_keywrap(groups: dict[str, list[etree._Element]]) -> None:
    """virDomainKeyWrapDefParseXML: each ./keywrap/cipher's name and state required, a name
    once; written as one <keywrap> (none without a cipher), aes then dea (groups: the root's
    children by tag, its <keywrap> elements left as the one written)."""
    keywraps = groups["keywrap"]
    states: dict[str, str] = {}
    for cipher in (cipher for keywrap in keywraps for cipher in children_of(keywrap, "cipher")):
        name = prop_enum(cipher, "name", KEYWRAP_CIPHERS, required=True)
        state = prop_enum(cipher, "state", ("on", "off"), required=True)
        if name in states:
            detail = f"A domain definition can have no more than one cipher node with name {name}"
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, detail)
        states[name or ""] = state or ""
    if not states:
        del groups["keywrap"]
        return
    groups["keywrap"] = keywraps[-1:]
    keywraps[-1][:] = [
        make_element("cipher", name=name, state=states[name]) for name in KEYWRAP_CIPHERS if name in states
    ]


def check_devices(device_lists: list[etree._Element]) -> None:
    """The first refusals of the readers of disks, controllers, leases, filesystems and host
    devices, in libvirt's order: each kind in turn, all of its devices in order (device_lists: the
    root's <devices> children)."""
    # the devices of these kinds, from one pass over each <devices>, in document order
    kinds: dict[str, list[etree._Element]] = {tag: [] for tag in CHECKED_DEVICES}
    # (lists of children: lxml's child iterator costs more than the list and the loop over it)
    for devices in device_lists:
        for device in devices.getchildren():
            found = kinds.get(device.tag)
            if found is not None:
                found.append(device)
    for disk in kinds["disk"]:
        disk_type = prop_enum(disk, "type", STORAGE_TYPES)  # (its value read once)
        prop_enum(disk, "device", DISK_DEVICES)
        if len(disk.attrib) > 2:  # (most disks have a type and a device alone) then its model, snapshot, raw I/O
            if prop_enum(disk, "model", DISK_MODELS) == "default":
                del disk.attrib["model"]  # the enum's zero: not written
            prop_enum(disk, "snapshot", SNAPSHOT_LOCATIONS)
            prop_enum(disk, "rawio", ("yes", "no"))
        target = driver = source = None  # the first of each, from one pass over the disk's children
        for child in disk.getchildren():
            tag = child.tag
            if tag == "target":
                if target is None:
                    target = child
            elif tag == "driver":
                if driver is None:
                    driver = child
            elif tag == "source" and source is None:
                source = child
        if source is not None and disk_type == "network":  # virDomainStorageSourceParse
            if source.get("protocol") is None:
                raise missing_attribute("source", "protocol")
            prop_enum(source, "protocol", NETWORK_PROTOCOLS)
        if target is not None:
            prop_enum(target, "bus", DISK_BUSES)
        driver_format = None
        if driver is not None:  # virDomainDiskDefDriverParseXML: its enums, then its format
            for name, value in driver.items():  # (a plain loop: nearly every driver passes)
                values = DISK_DRIVER_ENUMS.get(name)
                if values is not None:
                    if value not in values:
                        _check_disk_driver(driver)  # (refuses the first value libvirt refuses)
                elif name == "type":
                    driver_format = value
                elif name == "iothread":
                    prop_uint(driver, "iothread", nonzero=True)
        if driver_format is not None and driver_format not in DISK_FORMATS:
            raise _unsupported(f"unknown driver format value '{driver_format}'")
    for controller in kinds["controller"]:
        kind = controller.get("type")
        if kind is not None and kind not in CONTROLLER_TYPES:
            raise enum_error("controller", "type", kind)
        model = controller.get("model")
        if model is not None and model not in CONTROLLER_MODELS.get("ide" if kind is None else kind, ()):
            raise _unsupported(f"Unknown model type '{model}'")
        driver = first_child(controller, "driver") if len(controller) else None  # (most have no child)
        if driver is not None:  # virDomainControllerDefParseXML's reading of its numbers and switch
            for name in ("queues", "cmd_per_lun", "max_sectors"):
                prop_uint(driver, name)
            prop_enum(driver, "ioeventfd", ON_OFF)
            prop_uint(driver, "iothread")
            reorder_attributes(driver, CONTROLLER_DRIVER_ATTRIBUTES)
            if not len(driver.attrib) and not len(driver):  # nothing read: not written
                controller.remove(driver)
    for lease in kinds["lease"]:
        _canonical_lease(lease)
    for filesystem in kinds["filesystem"]:
        prop_enum(filesystem, "type", FILESYSTEM_TYPES)
        prop_enum(filesystem, "accessmode", FILESYSTEM_ACCESS_MODES)  # ('': its zero, the default)
        prop_enum(filesystem, "model", FILESYSTEM_MODELS)
        if prop_enum(filesystem, "multidevs", FILESYSTEM_MULTIDEVS) == "default":
            del filesystem.attrib["multidevs"]  # the enum's zero: not written
    last = device_lists[-1] if device_lists else None
    for hostdev in kinds["hostdev"]:
        if hostdev.getparent() is not last:  # (the last <devices>' are checked as the definition is read)
            check_hostdev(hostdev)


# a controller's <driver> attributes as virDomainControllerDriverFormat writes them
CONTROLLER_DRIVER_ATTRIBUTES = ["queues", "cmd_per_lun", "max_sectors", "ioeventfd", "iothread"]
CONTROLLER_DRIVER_ATTRIBUTES += ["iommu", "ats", "packed", "page_per_vq"]  # (virDomainVirtioOptionsFormat)
CHECKED_DEVICES = ("disk", "controller", "lease", "filesystem", "hostdev")  # (in libvirt's order)


def _canonical_lease(lease: etree._Element) -> None:
    """virDomainLeaseDefParseXML (a key, a lockspace: without one libvirt fails without an
    error, a target with a path and an unsigned offset) and virDomainLeaseDefFormat."""
    key_element, lockspace_element = first_child(lease, "key"), first_child(lease, "lockspace")
    key = text_of(key_element) if key_element is not None else ""
    if not key:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "Missing 'key' element for lease")
    lockspace = text_of(lockspace_element) if lockspace_element is not None else ""
    if not lockspace:
        raise cause_unknown()
    target = first_child(lease, "target")
    if target is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "Missing 'target' element for lease")
    path = target.get("path")
    if path is None:
        detail = "Missing 'path' attribute to 'target' element for lease"
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, detail)
    text = target.get("offset")
    offset = strtoul_whole(text, 10, ULLONG_MAX) if text is not None else 0
    if offset is None:
        raise attribute_error("target", "offset", text or "", "Expected non-negative integer value")
    written_target = make_element("target", path=path)
    if offset:
        written_target.set("offset", str(offset))
    tail = lease[-1].tail if len(lease) else None
    lease[:] = [make_element("lockspace", lockspace), make_element("key", key), written_target]
    lease.attrib.clear()
    lease[-1].tail = tail


def check_hostdev(hostdev: etree._Element) -> None:
    """virDomainHostdevDefParseXML's refusals of the mode, the type, the source and a SCSI
    host source's parts."""
    mode = hostdev.get("mode", "subsystem")
    if mode not in HOSTDEV_TYPES:
        raise _unsupported(f"unknown hostdev mode '{mode}'")
    kind = hostdev.get("type")
    if kind is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "missing source address type")
    if kind not in HOSTDEV_TYPES[mode]:
        raise _unsupported(f"unknown host device source address type '{kind}'")
    source = first_child(hostdev, "source")
    if source is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "Missing <source> element in hostdev device")
    if kind == "mdev":  # its model required (read before the source's parts)
        prop_enum(hostdev, "model", MDEV_MODELS, required=True)
    if mode == "capabilities":
        _check_capabilities_source(hostdev, kind, source)
    if kind == "scsi":
        protocol = source.get("protocol")
        if protocol is not None and protocol not in ("adapter", "iscsi"):  # virDomainHostdevSubsysSCSIProtocol
            raise _unsupported(f"Unknown SCSI subsystem protocol '{protocol}'")
        if protocol == "iscsi":
            check_iscsi_hostdev_source(source)
        else:
            if protocol == "adapter":  # the enum's zero: not written
                del source.attrib["protocol"]
            check_scsi_host_source(source)
    elif kind == "scsi_host":
        _check_vhost_scsi_source(source)


# virDomainHostdevDefParseXMLCaps: what each kind needs in its source (string(./source/X[1]))
_CAPABILITIES_SOURCES = {
    "storage": ("block", "Missing <block> element in hostdev storage device"),
    "misc": ("char", "Missing <char> element in hostdev character device"),
    "net": ("interface", "Missing <interface> element in hostdev net device"),
}


def _check_capabilities_source(hostdev: etree._Element, kind: str, source: etree._Element) -> None:
    """A container's host device: its source's block device, character device or interface
    name; a network interface's addresses and routes (the hostdev's own <ip> and <route>),
    read and written as an interface's are."""
    tag, detail = _CAPABILITIES_SOURCES[kind]
    named = first_child(source, tag)
    if named is None or not text_of(named):
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, detail)
    if kind != "net":
        return
    # virDomainNetIPInfoParseXML reads every address, then every route; they are written so,
    # after the source (virDomainHostdevDefFormatCaps)
    given = [child for child in hostdev if child.tag in ("ip", "route")]
    if not given:
        return
    written = [canonical_ip(ip) for ip in given if ip.tag == "ip"]
    written += [parse_route("Domain hostdev device", route) for route in given if route.tag == "route"]
    for old, new in zip(given, written, strict=True):
        new.tail = old.tail
        hostdev.remove(old)
    at = hostdev.index(source) + 1
    hostdev[at:at] = written


def _check_vhost_scsi_source(source: etree._Element) -> None:
    """virDomainHostdevSubsysSCSIVHostDefParseXML: protocol vhost, and a wwpn of "naa." and a WWN."""
    protocol = source.get("protocol")
    if protocol is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "Missing scsi_host subsystem protocol")
    if protocol != "vhost":  # (virDomainHostdevSubsysSCSIHostProtocol's zero, none, refused too)
        raise _unsupported(f"Unknown scsi_host subsystem protocol '{protocol}'")
    wwpn = source.get("wwpn")
    if wwpn is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "missing vhost-scsi hostdev source wwpn")
    if not wwpn.startswith("naa.") or not valid_wwn(wwpn[4:]):
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "malformed 'wwpn' value")


def check_scsi_host_source(source: etree._Element) -> None:
    """virDomainHostdevSubsysSCSIHostDefParseXML: an <address> with bus, target and unit, then
    an adapter's name."""
    address = first_child(source, "address")
    if address is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "'address' must be specified for scsi hostdev source")
    for name in ("bus", "target"):
        if prop_uint(address, name, base=0) is None:
            raise missing_attribute("address", name)
    if address.get("unit") is None:
        raise missing_attribute("address", "unit")
    adapter = first_child(source, "adapter")
    if adapter is None or not adapter.get("name"):
        raise report(
            api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "'adapter' name must be specified for scsi hostdev source"
        )
