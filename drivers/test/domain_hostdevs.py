"""Mediated host devices as libvirt's parser, post-parse and validator treat them."""

from __future__ import annotations

import uuid

from lxml import etree

from virtrio.drivers.libvirt_rules import missing_attribute, parse_uuid, prop_enum, prop_uint, xml_error
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .domain_devices import ADDRESS_TYPES
from .domain_disks import STARTUP_POLICIES
from .xml_tree import children_of, first_child, make_element

# virDomainHostdevDefPostParse: the address type each mediated device model needs
MDEV_ADDRESS_TYPES = {"vfio-pci": "pci", "vfio-ccw": "ccw"}
SGIO_MODES = ("filtered", "unfiltered")  # virDomainDeviceSGIO less "default" (refused: nonzero)
PCI_BACKENDS = ("kvm", "vfio", "xen")  # virDomainHostdevSubsysPCIBackend less "default" (refused: nonzero)


def _is_mdev(hostdev: etree._Element) -> bool:
    return hostdev.get("mode", "subsystem") == "subsystem" and hostdev.get("type") == "mdev"


def check_mdev(hostdev: etree._Element) -> None:
    """The source's UUID (virDomainHostdevSubsysMediatedDevDefParseXML) and the device's address type."""
    if not _is_mdev(hostdev):
        return
    address = hostdev.find("source/address")
    if address is None:
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, "Missing <address> element")
    uuid_text = address.get("uuid")
    if uuid_text is None:
        detail = "Missing 'uuid' attribute for element <address>"
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    raw = parse_uuid(uuid_text)
    if raw is None:
        detail = "Cannot parse uuid attribute of element <address>"
        raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, detail)
    written = str(uuid.UUID(bytes=raw))  # virUUIDFormat (spaces around, dashes moved, capitals: gone)
    if uuid_text != written:
        address.set("uuid", written)
    model = hostdev.get("model")
    device_address = first_child(hostdev, "address")
    needed = MDEV_ADDRESS_TYPES.get(model or "")
    given = device_address.get("type") if device_address is not None else None
    # (an address without a type, or of one libvirt does not know: the reading of the
    # device's address refuses it first)
    if given is not None and needed is not None and given != needed and given in ADDRESS_TYPES:
        detail = f"Unsupported address type '{given}' with mediated device model '{model}'"
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, detail)


def check_one_ramfb(hostdevs: list[etree._Element]) -> None:
    """virDomainDefHostdevValidate: one mediated device at most shows a ramfb display."""
    if sum(1 for hostdev in hostdevs if _is_mdev(hostdev) and hostdev.get("ramfb") == "on") > 1:
        raise report(
            api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, "Only one vgpu device can have 'ramfb' enabled"
        )


def canonical_driver(hostdev: etree._Element) -> None:
    """<driver>: read for PCI host devices only (its name, the backend) and written first,
    before <source>; any other host device's is not kept (virDomainHostdevDefParseXMLSubsys)."""
    drivers = children_of(hostdev, "driver")
    for driver in drivers:
        hostdev.remove(driver)
    pci = hostdev.get("mode", "subsystem") == "subsystem" and hostdev.get("type") == "pci"
    backend = prop_enum(drivers[0], "name", PCI_BACKENDS) if pci else None
    if backend is not None:
        hostdev.insert(0, make_element("driver", name=backend))


def check_sgio(hostdev: etree._Element) -> None:
    """virDomainHostdevDefParseXMLSubsys: sgio= is one of the modes, and for SCSI only."""
    if prop_enum(hostdev, "sgio", SGIO_MODES) is not None and hostdev.get("type") != "scsi":
        raise xml_error(api.VIR_FROM_DOMAIN, "sgio is only supported for scsi host device")


def validate_sgio(hostdevs: list[etree._Element]) -> None:
    """virDomainHostdevDefValidate: unfiltered SCSI commands are refused (since libvirt 8.x)."""
    for hostdev in hostdevs:
        if hostdev.get("type") == "scsi" and hostdev.get("sgio") == "unfiltered":
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, "unfiltered sgio is no longer supported")


USB_GUEST_RESETS = ("off", "uninitialized", "on")  # virDomainHostdevSubsysUSBGuestReset without its zero


def canonical_usb_source(source: etree._Element) -> None:
    """A USB host device's <source> children as virDomainHostdevSubsysUSBDefParseXML reads them
    (ids and numbers in any base, the vendor's non-zero) and its formatter writes them: vendor
    then product in 4-digit hex, the address in decimal and only when not 0:0."""
    prop_enum(source, "startupPolicy", STARTUP_POLICIES)
    prop_enum(source, "autoAddress", ("yes", "no"))
    prop_enum(source, "guestReset", USB_GUEST_RESETS)
    vendor_node, product_node = first_child(source, "vendor"), first_child(source, "product")
    address_node = first_child(source, "address")
    vendor = product = None
    if vendor_node is not None:
        vendor = prop_uint(vendor_node, "id", base=0, nonzero=True)
        if vendor is None:
            raise missing_attribute("vendor", "id")
        if product_node is None:
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, "missing product")
    if product_node is not None:
        product = prop_uint(product_node, "id", base=0)
        if product is None:
            raise missing_attribute("product", "id")
        if vendor_node is None:
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, "missing vendor")
    bus = device = 0
    if address_node is not None:
        for name in ("bus", "device"):
            if prop_uint(address_node, name, base=0) is None:
                raise missing_attribute("address", name)
        bus, device = prop_uint(address_node, "bus", base=0) or 0, prop_uint(address_node, "device", base=0) or 0
    for old in [child for child in source if child.tag in ("vendor", "product", "address")]:
        source.remove(old)
    if vendor:  # (libvirt's test is the vendor's value: 0 is refused above)
        source.append(make_element("vendor", id=f"0x{vendor:04x}"))
        source.append(make_element("product", id=f"0x{product or 0:04x}"))
    if bus or device:
        source.append(make_element("address", bus=str(bus), device=str(device)))
    parent = source.getparent()
    if not len(source) and not len(source.attrib) and parent is not None:
        parent.remove(source)  # nothing to write: no <source> (a copy read back is then refused for it)
