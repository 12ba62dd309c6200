"""Controllers as libvirt's parser, post-parse and validator treat them (virDomainControllerDefParseXML,
virDomainDefControllersParse, virDomainDefRejectDuplicateControllers, virDomainControllerDefValidate)."""

from __future__ import annotations

import re

from lxml import etree

from virtrio.drivers.libvirt_rules import attribute_error, c_strtoul, prop_enum, prop_int, prop_uint
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .domain_addresses import SMALL_NUMBERS
from .domain_errors import config_unsupported as _unsupported
from .domain_errors import domain_xml_detail as _xml_detail
from .domain_errors import later_post_parse
from .xml_tree import child, first_child, make_element, reorder_attributes

# an ICH9 UHCI companion without <master> is given the first port of its share of the EHCI's
# virDomainControllerModelTypeFromString: the models each controller type has (none for the others)
CONTROLLER_MODELS: dict[str, tuple[str, ...]] = {
    "scsi": (
        *("auto", "buslogic", "lsilogic", "lsisas1068", "vmpvscsi", "ibmvscsi", "virtio-scsi", "lsisas1078"),
        *("virtio-transitional", "virtio-non-transitional", "ncr53c90", "dc390", "am53c974"),
    ),
    "usb": (
        *("piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3"),
        *("vt82c686b-uhci", "pci-ohci", "nec-xhci", "qusb1", "qusb2", "qemu-xhci", "none"),
    ),
    "pci": (
        *("pci-root", "pcie-root", "pci-bridge", "dmi-to-pci-bridge", "pcie-to-pci-bridge", "pcie-root-port"),
        *("pcie-switch-upstream-port", "pcie-switch-downstream-port", "pci-expander-bus", "pcie-expander-bus"),
    ),
    "ide": ("piix3", "piix4", "ich6"),
    "virtio-serial": ("virtio", "virtio-transitional", "virtio-non-transitional"),
}
CONTROLLER_TYPES = frozenset(("ide", "fdc", "scsi", "sata", "virtio-serial", "ccid", "usb", "pci", "xenbus", "isa"))
USB_COMPANION_START_PORTS = {"ich9-uhci1": "0", "ich9-uhci2": "2", "ich9-uhci3": "4"}


# An index as libvirt writes it (decimal, no sign, spaces or leading zeros, within an int).
_WRITTEN_INDEX = re.compile(r"0|[1-9][0-9]{0,8}")


# What parse_controllers read of a controller: its type, index (-1 when none is written),
# whether it is a master (has no <master>) and whether its attributes are written as libvirt
# writes them (WRITTEN_ATTRIBUTE_NAMES), as they stand once it is read
ControllerKey = tuple[str, int, bool, bool]
# the attributes of most controllers, in the order libvirt writes them
WRITTEN_ATTRIBUTE_NAMES = (["type", "index"], ["type", "index", "model"])


def parse_controllers(controllers: list[etree._Element], read: list[ControllerKey] | None = None) -> bool:
    """What reading each <controller> in document order does: a non-negative index, the implied
    USB companion master, and the rules of the 'none' USB model; whether USB is disabled (a USB
    controller of model 'none'). read: when given, each controller's key is appended to it, in
    document order (its later readers need not read the tree again)."""
    usb_none = usb_other = usb_master = False
    for controller in controllers:
        kind = controller.get("type")
        if kind is None:  # virXMLPropEnum leaves the enum's zero: IDE
            controller.set("type", kind := "ide")
        model = controller.get("model")
        if model is not None and model not in CONTROLLER_MODELS.get(kind, ()) and kind in CONTROLLER_TYPES:
            raise _unsupported(f"Unknown model type '{model}'")  # (an unknown type is refused later)
        text = controller.get("index")
        index = SMALL_NUMBERS.get(text)  # type: ignore[arg-type]
        if index is None:  # (most are small indexes as libvirt writes them: found at once)
            index = _read_index(controller, text)
        has_children = len(controller) != 0
        if has_children:  # (most controllers have none)
            _read_model_and_target(controller, kind)
            if kind == "pci":
                _read_pci_target(controller)
        names = controller.keys()
        if names in WRITTEN_ATTRIBUTE_NAMES:  # (most) in order, and none of the counts given
            in_order = True
        elif _COUNT_NAMES.isdisjoint(names):  # none of the counts given: nothing read, nothing dropped
            in_order = False
        else:
            in_order = _read_counts(controller, kind)
        if kind != "usb":
            if read is not None:
                is_master = not has_children or first_child(controller, "master") is None
                read.append((kind, index, is_master, in_order))
            continue
        if model == "none":
            address = first_child(controller, "address")
            if address is not None:  # ignored for a controller that is not there
                controller.remove(address)
            if usb_other or usb_none:
                raise _xml_detail("Can't add another USB controller: USB is disabled for this domain")
            usb_none = True
        else:
            if usb_none:
                raise _xml_detail("Can't add another USB controller: USB is disabled for this domain")
            usb_other = True
        master = first_child(controller, "master") if has_children else None
        if model in USB_COMPANION_START_PORTS and master is None:
            master = etree.Element("master", startport=USB_COMPANION_START_PORTS[model])
            # written before the device's rom, acpi and address (virDomainDeviceInfoFormat)
            later = next((child for child in controller if child.tag in ("rom", "acpi", "address")), None)
            if later is None:
                controller.append(master)
            else:
                later.addprevious(master)
        elif master is not None:  # virDomainDeviceUSBMasterParseXML: an unsigned int, 0 unless given
            startport = prop_uint(master, "startport")
            master.set("startport", str(startport or 0))
        is_master = master is None
        if is_master:
            usb_master = True
        if read is not None:
            read.append((kind, index, is_master, in_order))
    if usb_other and not usb_master:
        raise _xml_detail("No master USB controller specified")
    return usb_none


def _read_index(controller: etree._Element, text: str | None) -> int:
    """The controller's index (text: as written, None when absent: -1), as prop_int reads it."""
    if text is not None and _WRITTEN_INDEX.fullmatch(text):  # (prop_int reads these as they are)
        return int(text)
    index = prop_int(controller, "index")
    if index is None:
        return -1
    if index < 0:
        raise attribute_error("controller", "index", text or "", "Expected non-negative value")
    if text != str(index):  # ' +1' is read as 1 and written so
        controller.set("index", str(index))
    return index


CONTROLLER_ATTRIBUTE_ORDER = ["type", "index", "model", "ports", "vectors", "maxGrantFrames"]
_CONTROLLER_ATTRIBUTE_RANK = {name: rank for rank, name in enumerate(CONTROLLER_ATTRIBUTE_ORDER)}
_MODEL_BEFORE_INDEX = ["type", "model", "index"]  # the model alone out of place: moved after the index


def order_attributes(controller: etree._Element) -> None:
    """The controller's attributes in the order libvirt writes them (others after those, in
    their order), as xml_tree.reorder_attributes puts them, but by moving only those out of
    place to the end (a controller written with its model before its index: one attribute set
    anew instead of all of them; each costs thousands of instructions)."""
    names = controller.keys()
    if names == _MODEL_BEFORE_INDEX:  # (most: an index assigned to a controller given a model)
        model = controller.get("model")
        del controller.attrib["model"]
        controller.set("model", str(model))
        return
    last = len(CONTROLLER_ATTRIBUTE_ORDER)
    ranks = [_CONTROLLER_ATTRIBUTE_RANK.get(name, last) for name in names]
    ordered = [names[position] for position in sorted(range(len(names)), key=ranks.__getitem__)]
    # those already in order from the first on stay; the others are set anew, in order, after them
    place = {name: position for position, name in enumerate(names)}
    kept, previous = 0, -1
    for name in ordered:
        if place[name] < previous:
            break
        previous = place[name]
        kept += 1
    moved = ordered[kept:]
    values = [controller.get(name) for name in moved]
    for name in moved:
        del controller.attrib[name]
    for name, value in zip(moved, values, strict=True):
        controller.set(name, str(value))


def reject_duplicates(
    controllers: list[etree._Element], keys: list[tuple[str | None, str | None]] | None = None
) -> set[tuple[str | None, str | None]]:
    """virDomainDefRejectDuplicateControllers: one index per type (USB companions share theirs);
    returns every controller's (type, index) (keys: those pairs, when the caller has them)."""
    if keys is None:
        keys = [(controller.get("type"), controller.get("index")) for controller in controllers]
    seen = set(keys)
    if len(seen) == len(keys):  # (most definitions) no pair given twice: nothing to refuse
        return seen
    seen = set()
    usb: list[tuple[str | None, str | None]] = []
    for key in keys:
        kind = key[0]
        if kind == "usb":
            usb.append(key)
            continue
        if key in seen:
            detail = f"Multiple '{kind}' controllers with index '{key[1]}'"
            raise later_post_parse(report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, detail))
        seen.add(key)
    seen.update(usb)
    return seen


def validate_controller(controller: etree._Element) -> None:
    """virDomainControllerDefValidate's checks of a PCI controller (the caller's type check)."""
    text = controller.get("index", "0")
    index = SMALL_NUMBERS.get(text)
    if index is None:  # (most are small indexes as libvirt writes them: found at once)
        index = int(text)
    if not len(controller):  # (most) no address, no target: the index alone to check
        if index > 255:
            raise _unsupported(f"PCI controller index {index} too high, maximum is 255")
        return
    if controller.get("model") in ("pci-root", "pcie-root") and first_child(controller, "address") is not None:
        raise _unsupported("pci-root and pcie-root controllers should not have an address")
    if index > 255:
        raise _unsupported(f"PCI controller index {index} too high, maximum is 255")
    target = first_child(controller, "target")
    if target is None:
        return
    target_index = _target_number(target, "index")
    if target_index is not None:
        if not 0 <= target_index <= 30:
            raise _unsupported(f"PCI controller target index '{target_index}' out of range - must be 0-30")
        if (index == 0) != (target_index == 0):
            raise _unsupported("Only the PCI controller with index 0 can have target index 0, and vice versa")
    for name, low, high in (("chassisNr", 1, 255), ("chassis", 0, 255), ("port", 0, 255), ("busNr", 1, 254)):
        value = _target_number(target, name)
        if value is not None and not low <= value <= high:
            raise _unsupported(f"PCI controller {name} '{value}' out of range - must be {low}-{high}")
    node = first_child(target, "node")
    if node is not None and (node.text or "").strip().isdigit() and index == 0:
        raise _unsupported("The PCI controller with index=0 can't be associated with a NUMA node")


PCI_TARGET_NUMBERS = ("chassisNr", "chassis", "port", "busNr", "index")
PCI_TARGET_ORDER = [*PCI_TARGET_NUMBERS, "hotplug"]  # virDomainControllerDefFormat's


PCI_MODEL_NAMES = (
    *("none", "pci-bridge", "i82801b11-bridge", "ioh3420", "x3130-upstream", "xio3130-downstream", "pxb"),
    *("pxb-pcie", "pcie-root-port", "spapr-pci-host-bridge", "pcie-pci-bridge"),
)


def _read_model_and_target(controller: etree._Element, kind: str) -> None:
    """At most one <model> and one <target>, which only a PCI controller reads (its model's
    name, written unless 'none'; its target's numbers and NUMA node, not written when it has
    none of them): virDomainControllerDefParseXML and virDomainControllerDefFormatPCI."""
    if not len(controller):
        return  # (most controllers) neither
    found_by_tag: dict[str, list[etree._Element]] = {"model": [], "target": []}
    for element in controller[:]:  # one pass for both (over a list: cheaper than the iterator)
        found_list = found_by_tag.get(element.tag)  # type: ignore[call-overload]
        if found_list is not None:
            found_list.append(element)
    for tag, found in found_by_tag.items():
        if len(found) > 1:
            detail = f"Multiple <{tag}> elements in controller definition not allowed"
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, detail)
        if not found:
            continue
        element = found[0]
        if kind != "pci":
            controller.remove(element)
        elif tag == "model":
            name = prop_enum(element, "name", PCI_MODEL_NAMES)
            if name in (None, "none"):
                controller.remove(element)
            elif element.keys() != ["name"] or len(element):
                written = make_element("model", name=name)
                written.tail = element.tail
                controller.replace(element, written)
        else:
            prop_enum(element, "hotplug", ("on", "off"))
            for name in [name for name in element.attrib if name not in PCI_TARGET_ORDER]:
                del element.attrib[name]
            if not element.keys() and first_child(element, "node") is None:
                controller.remove(element)


# The counts virDomainControllerDefParseXML reads (virXMLPropInt, non-negative): ports for every
# type, the others for theirs only; the formatter writes each only where the type keeps it.
_COUNTS = {"virtio-serial": ("ports", "vectors"), "usb": ("ports",), "xenbus": ("maxGrantFrames", "maxEventChannels")}


_COUNT_NAMES = frozenset(("ports", "vectors", "maxGrantFrames", "maxEventChannels"))


def _read_counts(controller: etree._Element, kind: str) -> bool:
    """The counts read, kept or dropped (some are given); returns False: the attributes are
    then not known to be in libvirt's order."""
    kept = _COUNTS.get(kind, ())
    for name in ("ports", *(name for name in kept if name != "ports")):
        value = prop_int(controller, name)
        if value is None:
            continue
        if value < 0:
            raise attribute_error("controller", name, controller.get(name, ""), "Expected non-negative value")
        if name in kept:
            controller.set(name, str(value))
        else:
            del controller.attrib[name]
    for name in ("vectors", "maxGrantFrames", "maxEventChannels"):
        if name not in kept and name in controller.attrib:  # not read for this type: not written
            del controller.attrib[name]
    return False


def _read_pci_target(controller: etree._Element) -> None:
    """A PCI controller's <target> numbers as virDomainControllerDefParseXML reads them
    (virXMLPropInt, base 0, non-negative), written back as its formatter writes them (the port
    in hexadecimal, the others in decimal) and in its order."""
    target = first_child(controller, "target")
    if target is None:
        return
    for name in PCI_TARGET_NUMBERS:
        value = prop_int(target, name, base=0)
        if value is None:
            continue
        if value < 0:
            raise attribute_error("target", name, target.get(name, ""), "Expected non-negative value")
        target.set(name, f"0x{value:x}" if name == "port" else str(value))
    reorder_attributes(target, PCI_TARGET_ORDER)


def _target_number(target: etree._Element, name: str) -> int | None:
    """A number _read_pci_target has already read and written as libvirt writes it."""
    text = target.get(name)
    return None if text is None else int(text, 0)


USB2_MODELS = ("ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3")


def _is_usb2(controller: etree._Element) -> bool:
    return controller.get("type") == "usb" and controller.get("model") in USB2_MODELS


def assign_indexes(controllers: list[etree._Element], scsi_taken_up_to: int = -1) -> None:
    """virDomainAssignControllerIndexes, over the controllers in their sorted order: the lowest
    index unused by the type, except a USB2 companion following a USB2 controller of another
    model in the same group, which joins that group's index (scsi_taken_up_to: the SCSI
    controllers the parser has already added for SCSI host devices, 0 up to it)."""
    if all(controller.get("index") is not None for controller in controllers):
        return  # every index given (the common case): nothing to assign
    used: dict[str | None, set[int]] = {}
    for controller in controllers:
        index = controller.get("index")
        if index is not None:
            used.setdefault(controller.get("type"), set()).add(int(index))
    lowest_free: dict[str | None, int] = {"scsi": scsi_taken_up_to + 1}  # (each below it is taken)
    for position, controller in enumerate(controllers):
        if controller.get("index") is not None:
            continue
        kind = controller.get("type")
        joined: str | None = None
        if position > 0 and _is_usb2(controller):
            previous = next((c for c in reversed(controllers[:position]) if c.get("type") == "usb"), None)
            if previous is not None and _is_usb2(previous):
                group = previous.get("index")
                taken = any(
                    c.get("type") == "usb" and c.get("index") == group and c.get("model") == controller.get("model")
                    for c in controllers
                )
                joined = None if taken else group
        taken_by_kind = used.setdefault(kind, set())
        if joined is None:
            # indexes are only ever taken, so a type's lowest free one only grows: searched
            # from where the last search ended (thousands of controllers, not thousands squared)
            free = lowest_free.get(kind, 0)
            while free in taken_by_kind:
                free += 1
            lowest_free[kind] = free
            joined = str(free)
        controller.set("index", joined)
        taken_by_kind.add(int(joined))


# virtrio's bound (libvirt has none, and libvirtd takes seconds for 65536 and never ends for
# 2^31): the controllers a device's drive address implies, all made up to its index
IMPLIED_CONTROLLERS_LIMIT = 65536
DISK_CONTROLLER_TYPES = ("scsi", "fdc", "ide", "sata")  # a disk bus and the controller type it needs
SCSI_BUS_UNITS = 7  # SCSI_NARROW_BUS_MAX_CONT_UNIT: the test driver's buses are narrow
# virDomainSCSIDriveAddressIsUsed: units past a model's last, and the unit it keeps for itself
SCSI_MODEL_LAST_UNIT = {
    **{"virtio-scsi": 16383, "virtio-transitional": 16383, "virtio-non-transitional": 16383},
    **{"ibmvscsi": 31, "lsisas1068": 1, "lsisas1078": 255, "ncr53c90": 6, "dc390": 6, "am53c974": 6},
}
SCSI_MODEL_RESERVED_UNIT = {"ibmvscsi": 7, "lsilogic": 7, "vmpvscsi": 7, "buslogic": 7}
Drive = tuple[int, int, int, int]


def _drive_of(device: etree._Element) -> Drive | None:
    address = first_child(device, "address")
    if address is None or address.get("type") != "drive":
        return None
    get, small = address.get, SMALL_NUMBERS
    controller, bus, target, unit = get("controller"), get("bus"), get("target"), get("unit")
    if controller in small and bus in small and target in small and unit in small:  # (most)
        return (small[controller], small[bus], small[target], small[unit])  # type: ignore[index]
    return (c_strtoul(controller), c_strtoul(bus), c_strtoul(target), c_strtoul(unit))


def _drive_controller(address: etree._Element | None) -> int | None:
    """_drive_of(device)[0] of the device's (first) address: the controller of a drive
    address, the only field read."""
    if address is None or address.get("type") != "drive":
        return None
    text = address.get("controller")
    number = SMALL_NUMBERS.get(text)  # type: ignore[arg-type]
    return number if number is not None else c_strtoul(text)


def _is_scsi_hostdev(hostdev: etree._Element) -> bool:
    return hostdev.get("mode", "subsystem") == "subsystem" and hostdev.get("type") == "scsi"


def hostdev_scsi_controllers(hostdevs: list[etree._Element]) -> int:
    """The highest SCSI controller virDomainDefMaybeAddHostdevSCSIcontroller adds while the
    parser reads host devices, before controllers are numbered: a SCSI host device's drive
    address's, 0 for one without (its address is still zeroed); -1 without SCSI host devices."""
    highest = -1
    for hostdev in hostdevs:
        if _is_scsi_hostdev(hostdev):
            drive = _drive_of(hostdev)
            highest = max(highest, drive[0] if drive is not None else 0)
    return highest


def _scsi_controller(controllers: list[etree._Element], index: int) -> etree._Element | None:
    return next((c for c in controllers if c.get("type") == "scsi" and c.get("index") == str(index)), None)


def assign_scsi_hostdev_addresses(
    hostdevs: list[etree._Element], disks: list[etree._Element], controllers: list[etree._Element]
) -> None:
    """virDomainHostdevDefPostParse for SCSI host devices: the first free unit from controller 0
    on for those without an address; none may take a SCSI disk's address."""
    if not any(_is_scsi_hostdev(hostdev) for hostdev in hostdevs):
        return  # (the common case) no disk's drive to read
    disk_drives = {
        drive
        for disk in disks
        if (target := first_child(disk, "target")) is not None and target.get("bus") == "scsi"
        if (drive := _drive_of(disk)) is not None
    }
    # the SCSI host devices' drives, those given and then each one assigned: drives are only
    # ever added, so a controller found full stays full and the next search starts past it
    # (hundreds of host devices were a cubic number of tree reads, seconds on the event loop)
    hostdev_drives = {drive for hostdev in hostdevs if _is_scsi_hostdev(hostdev) if (drive := _drive_of(hostdev))}
    first_open = 0
    for hostdev in hostdevs:
        if not _is_scsi_hostdev(hostdev):
            continue
        drive = _drive_of(hostdev)
        if first_child(hostdev, "address") is None:
            controller = first_open
            while (unit := _next_scsi_unit(controller, hostdev_drives, disk_drives, controllers)) is None:
                controller += 1
            first_open = controller
            drive = (controller, 0, 0, unit)
            hostdev_drives.add(drive)
            child(hostdev, "address", type="drive", controller=str(controller), bus="0", target="0", unit=str(unit))
        if drive is not None and drive in disk_drives:
            controller, bus, target, unit = drive
            raise report(
                api.VIR_ERR_XML_ERROR,
                api.VIR_FROM_DOMAIN,
                f"SCSI host address controller='{controller}' bus='{bus}' target='{target}' unit='{unit}' "
                "in use by a SCSI disk",
            )


def _next_scsi_unit(
    controller: int, hostdev_drives: set[Drive], disk_drives: set[Drive], controllers: list[etree._Element]
) -> int | None:
    """virDomainControllerSCSINextUnit with virDomainSCSIDriveAddressIsUsed (hostdev_drives:
    the SCSI host devices' drives so far)."""
    found = _scsi_controller(controllers, controller)
    model = found.get("model") if found is not None else None
    for unit in range(SCSI_BUS_UNITS):
        drive = (controller, 0, 0, unit)
        if model is not None and unit > SCSI_MODEL_LAST_UNIT.get(model, unit):
            continue
        if model is not None and unit == SCSI_MODEL_RESERVED_UNIT.get(model):
            continue
        if drive not in disk_drives and drive not in hostdev_drives:
            return unit
    return None


def _maybe_add(
    controllers: list[etree._Element],
    present: set[tuple[str | None, str | None]],
    kind: str,
    index: int,
    model: str | None,
) -> None:
    """virDomainDefMaybeAddController: one of that type and index unless there is one already."""
    if (kind, str(index)) in present:
        return
    added = make_element("controller", type=kind, index=str(index))
    if model is not None:
        added.set("model", model)
    controllers.append(added)
    present.add((kind, str(index)))


def _up_to(
    controllers: list[etree._Element],
    present: set[tuple[str | None, str | None]],
    kind: str,
    highest: int,
    model: str | None = None,
) -> None:
    """Every index of the type up to the highest a device names (libvirt adds them all)."""
    if highest >= IMPLIED_CONTROLLERS_LIMIT:
        limit = IMPLIED_CONTROLLERS_LIMIT
        raise _unsupported(f"{kind} controller index {highest} implies more controllers than virtrio makes ({limit})")
    for index in range(highest + 1):
        _maybe_add(controllers, present, kind, index, model)


def add_implicit_controllers(
    controllers: list[etree._Element],
    by_kind: dict[str, list[etree._Element]],
    present: set[tuple[str | None, str | None]] | None = None,
    disk_firsts: list[dict[object, etree._Element]] | None = None,
) -> None:
    """virDomainDefAddImplicitControllers: those the disks, virtio channels, smart cards and SCSI
    host devices need and the definition lacks, in libvirt's order (present: the controllers'
    (type, index) pairs, when the caller has them, added to; disk_firsts: each disk's first
    child of each tag, when the caller has them)."""
    if present is None:
        present = {(c.get("type"), c.get("index")) for c in controllers}
    highest_drive: dict[str, int] = {}  # per bus with a drive, read in one pass over the disks
    for position, disk in enumerate(by_kind.get("disk", ())):
        if disk_firsts is not None:
            target, address = disk_firsts[position].get("target"), disk_firsts[position].get("address")
        else:
            target, address = first_child(disk, "target"), first_child(disk, "address")
        bus = target.get("bus") if target is not None else None
        if bus in DISK_CONTROLLER_TYPES and (controller := _drive_controller(address)) is not None:
            highest_drive[bus] = max(highest_drive.get(bus, -1), controller)
    if highest_drive:
        for controller_type in DISK_CONTROLLER_TYPES:  # (in libvirt's order)
            if controller_type in highest_drive:
                _up_to(controllers, present, controller_type, highest_drive[controller_type])
    for kind in ("channel", "console") if "channel" in by_kind or "console" in by_kind else ():
        for device in by_kind.get(kind, ()):
            target = first_child(device, "target")
            if target is None or target.get("type") != "virtio":
                continue
            address = first_child(device, "address")
            on_port = address is not None and address.get("type") == "virtio-serial"
            index = c_strtoul(address.get("controller")) if on_port and address is not None else 0
            _maybe_add(controllers, present, "virtio-serial", index, None)
    smartcards = by_kind.get("smartcard", ())
    if smartcards:
        last_slot = max(  # virDomainDefMaybeAddSmartcardController: the next slot of controller 0
            (
                c_strtoul(address.get("slot"))
                for smartcard in smartcards
                if (address := first_child(smartcard, "address")) is not None
                and address.get("type") == "ccid"
                and c_strtoul(address.get("controller")) == 0
            ),
            default=-1,
        )
        for smartcard in smartcards:
            address = first_child(smartcard, "address")
            if address is None:
                last_slot += 1
                address = child(smartcard, "address", type="ccid", controller="0", slot=str(last_slot))
            index = c_strtoul(address.get("controller")) if address.get("type") == "ccid" else 0
            _maybe_add(controllers, present, "ccid", index, None)
    highest, model = -1, None  # virDomainDefMaybeAddHostdevSCSIcontroller
    for hostdev in by_kind.get("hostdev", ()):
        drive = _drive_of(hostdev) if _is_scsi_hostdev(hostdev) else None
        if drive is not None and drive[0] > highest:
            highest = drive[0]
            found = _scsi_controller(controllers, highest)
            if found is not None and found.get("model") is not None:
                model = found.get("model")
    if highest >= 0:
        _up_to(controllers, present, "scsi", highest, model)
