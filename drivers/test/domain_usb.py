"""USB as libvirt's domain parser sees it: devices refused when the domain's USB is disabled
(a controller of model 'none'), and the USB redirection filter (virDomainRedirFilterDefParseXML
and its formatter)."""

from __future__ import annotations

from lxml import etree

from virtrio.drivers.libvirt_rules import enum_error, missing_attribute, prop_int
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .domain_devices import INPUT_TYPES
from .domain_errors import config_unsupported as _unsupported


def usb_disabled(controllers: list[etree._Element]) -> bool:
    return any(c.get("type") == "usb" and c.get("model") == "none" for c in controllers)


def has_usb(controllers: list[etree._Element]) -> bool:
    """virDomainDefHasUSB: a USB controller that is not 'none'."""
    return any(c.get("type") == "usb" and c.get("model") != "none" for c in controllers)


def check_parsed_devices(by_kind: dict[str, list[etree._Element]], controllers: list[etree._Element]) -> None:
    """What the parser refuses with USB disabled, in its order: inputs, host devices, hubs."""
    if not usb_disabled(controllers):
        return
    for device in by_kind.get("input", ()):
        if device.get("type") not in INPUT_TYPES:
            return  # (each input is read before its bus is checked: its own refusal comes first)
        if device.get("bus") == "usb":
            raise _unsupported("Can't add USB input device. USB bus is disabled")
    if any(
        device.get("mode", "subsystem") == "subsystem" and device.get("type") == "usb"
        for device in by_kind.get("hostdev", ())
    ):
        raise _unsupported("Can't add host USB device: USB is disabled in this host")
    if any(device.get("type") == "usb" for device in by_kind.get("hub", ())):
        raise _unsupported("Can't add USB hub: USB is disabled for this domain")


def validate_redirdev(redirdev: etree._Element, controllers: list[etree._Element]) -> None:
    """virDomainRedirdevDefValidate's first rule."""
    if redirdev.get("bus", "usb") == "usb" and not has_usb(controllers):
        raise _unsupported("cannot add redirected USB device: USB is disabled for this domain")


def canonical_redirfilter(redirfilter: etree._Element) -> etree._Element | None:
    """The filter rebuilt as virDomainRedirFilterDefFormat writes it; None when it has no rule."""
    written = etree.Element("redirfilter")
    for usbdev in redirfilter.iterchildren("usbdev"):
        rule = etree.SubElement(written, "usbdev")
        usb_class = _int_or_unset(usbdev, "class")
        if usb_class != -1 and usb_class & ~0xFF:
            detail = f"Invalid USB Class code 0x{usb_class & 0xFFFFFFFF:x}"
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, detail)
        vendor, product = _int_or_unset(usbdev, "vendor"), _int_or_unset(usbdev, "product")
        version = _version(usbdev.get("version"))
        allow = usbdev.get("allow")
        if allow is None:
            raise missing_attribute("usbdev", "allow")
        if allow not in ("yes", "no"):
            raise enum_error("usbdev", "allow", allow)
        if usb_class >= 0:
            rule.set("class", f"0x{usb_class:02X}")
        if vendor >= 0:
            rule.set("vendor", f"0x{vendor:04X}")
        if product >= 0:
            rule.set("product", f"0x{product:04X}")
        if version is not None:
            rule.set("version", version)
        rule.set("allow", allow)
    return written if len(written) else None


def _version(text: str | None) -> str | None:
    """virDomainRedirFilterUSBVersionHelper ("J.M" is J.M0), written as '%d.%02d'; None for any."""
    if text is None or text == "-1":
        return None
    major, dot, minor = text.partition(".")
    if not (dot and major.isdigit() and minor.isdigit() and int(major) < 100 and int(minor) < 100):
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, f"Cannot parse USB device version {text}")
    minor_value = int(minor) * 10 if len(minor) == 1 else int(minor)
    return f"{int(major)}.{minor_value:02d}"


def _int_or_unset(element: etree._Element, name: str) -> int:
    """virXMLPropInt in base 0 with -1 for an absent attribute, as the filter rules read them."""
    value = prop_int(element, name, base=0)
    return -1 if value is None else value
