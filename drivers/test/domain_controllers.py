"""Controllers as libvirt's parser, post-parse and validator treat them (virDomainControllerDefParseXML,
virDomainDefControllersParse, virDomainDefRejectDuplicateControllers, virDomainControllerDefValidate)."""

from __future__ import annotations

from lxml import etree

from virtrio.drivers.libvirt_rules import attribute_error
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

# an ICH9 UHCI companion without <master> is given the first port of its share of the EHCI's
USB_COMPANION_START_PORTS = {"ich9-uhci1": "0", "ich9-uhci2": "2", "ich9-uhci3": "4"}


def _xml_detail(detail: str) -> Exception:
    return report(api.VIR_ERR_XML_DETAIL, api.VIR_FROM_DOMAIN, detail)


def _unsupported(detail: str) -> Exception:
    return report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)


def _signed(text: str | None) -> int | None:
    """A base-10 int as virXMLPropInt reads it; None when absent."""
    if text is None:
        return None
    stripped = text.strip()
    body = stripped[1:] if stripped[:1] in "+-" else stripped
    if not body.isdigit():
        raise attribute_error("controller", "index", text, "Expected integer value")
    return int(stripped)


def parse_controllers(controllers: list[etree._Element]) -> None:
    """What reading each <controller> in document order does: a non-negative index, the implied
    USB companion master, and the rules of the 'none' USB model."""
    usb_none = usb_other = usb_master = False
    for controller in controllers:
        index = _signed(controller.get("index"))
        if index is not None and index < 0:
            raise attribute_error("controller", "index", controller.get("index", ""), "Expected non-negative value")
        if controller.get("type") != "usb":
            continue
        model = controller.get("model")
        if model == "none":
            address = controller.find("address")
            if address is not None:  # ignored for a controller that is not there
                controller.remove(address)
            if usb_other or usb_none:
                raise _xml_detail("Can't add another USB controller: USB is disabled for this domain")
            usb_none = True
        else:
            if usb_none:
                raise _xml_detail("Can't add another USB controller: USB is disabled for this domain")
            usb_other = True
        if model in USB_COMPANION_START_PORTS and controller.find("master") is None:
            etree.SubElement(controller, "master", startport=USB_COMPANION_START_PORTS[model])
        if controller.find("master") is None:
            usb_master = True
    if usb_other and not usb_master:
        raise _xml_detail("No master USB controller specified")


def reject_duplicates(controllers: list[etree._Element]) -> None:
    """virDomainDefRejectDuplicateControllers: one index per type (USB companions share theirs)."""
    seen: set[tuple[str | None, str | None]] = set()
    for controller in controllers:
        kind = controller.get("type")
        if kind == "usb":
            continue
        key = (kind, controller.get("index"))
        if key in seen:
            raise report(
                api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, f"Multiple '{kind}' controllers with index '{key[1]}'"
            )
        seen.add(key)


def validate_controller(controller: etree._Element) -> None:
    """virDomainControllerDefValidate's checks of PCI controllers."""
    if controller.get("type") != "pci":
        return
    index = int(controller.get("index", "0"))
    if controller.get("model") in ("pci-root", "pcie-root") and controller.find("address") is not None:
        raise _unsupported("pci-root and pcie-root controllers should not have an address")
    if index > 255:
        raise _unsupported(f"PCI controller index {index} too high, maximum is 255")
    target = controller.find("target")
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
    node = target.find("node")
    if node is not None and (node.text or "").strip().isdigit() and index == 0:
        raise _unsupported("The PCI controller with index=0 can't be associated with a NUMA node")


def _target_number(target: etree._Element, name: str) -> int | None:
    text = target.get(name)
    if text is None:
        return None
    stripped = text.strip()
    try:
        return int(stripped, 16) if stripped.lower().startswith("0x") else int(stripped)
    except ValueError:
        return None


USB2_MODELS = ("ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3")


def _is_usb2(controller: etree._Element) -> bool:
    return controller.get("type") == "usb" and controller.get("model") in USB2_MODELS


def assign_indexes(controllers: list[etree._Element]) -> None:
    """virDomainAssignControllerIndexes, over the controllers in their sorted order: the lowest
    index unused by the type, except a USB2 companion following a USB2 controller of another
    model in the same group, which joins that group's index."""
    used: dict[str | None, set[int]] = {}
    for controller in controllers:
        index = controller.get("index")
        if index is not None:
            used.setdefault(controller.get("type"), set()).add(int(index))
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
        if joined is None:
            free = 0
            while free in used.get(kind, set()):
                free += 1
            joined = str(free)
        controller.set("index", joined)
        used.setdefault(kind, set()).add(int(joined))
