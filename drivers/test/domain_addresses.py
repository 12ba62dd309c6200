"""Device addresses as libvirt reads and writes them (virDomainDeviceInfoParseXML and
virDomainDeviceInfoFormat, virPCIDeviceAddressParseXML and its checks)."""

from __future__ import annotations

import itertools
import re

from lxml import etree

from virtrio.drivers.libvirt_rules import UINT_MAX, attribute_error, c_strtoul, prop_uint, strtoul_whole
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .xml_tree import first_child

# The texts of small numbers as libvirt writes them (plain decimal digits, no sign, spaces or
# leading zeros) and the number each is: what C's strtoul and int() both read, found by one
# look-up (most numbers of device addresses and controller indexes; int() of a text costs
# about as much as an attribute's read)
SMALL_NUMBERS = {str(number): number for number in range(256)}

PCI_FIELDS = ("domain", "bus", "slot", "function")


def pci_values(address: etree._Element) -> dict[str, int]:
    """virPCIDeviceAddressParseXML: the four numbers, checked when the address is not empty."""
    values: dict[str, int] = {}
    for name in PCI_FIELDS:  # (a plain loop, _pci_number only for what the usual test leaves open)
        text = address.get(name)
        value = c_strtoul(text)
        if not (value or text is None or text in _WRITTEN_ZEROS) or value > UINT_MAX:
            value = _pci_number(address, name)
        values[name] = value
    if values["domain"] or values["bus"] or values["slot"]:  # virPCIDeviceAddressIsValid
        if values["bus"] > 0xFF:
            raise _pci_error(f"Invalid PCI address bus='0x{values['bus']:x}', must be <= 0xFF")
        if values["slot"] > 0x1F:
            raise _pci_error(f"Invalid PCI address slot='0x{values['slot']:x}', must be <= 0x1F")
        if values["function"] > 7:
            raise _pci_error(f"Invalid PCI address function=0x{values['function']:x}, must be <= 7")
    return values


_ZERO = re.compile(r"0+|0[xX]0+")
_WRITTEN_ZEROS = frozenset(["0x0000", "0x00", "0x0", "0"])  # (as virPCIDeviceAddressFormat writes them)


def _pci_number(address: etree._Element, name: str) -> int:
    """virXMLPropUInt (base 0) of one of the four: 0 when absent, refused when not a number
    (strtoul skips leading spaces, ' 0x1' is 1, but nothing may follow the digits: '0x1 ')."""
    text = address.get(name)
    value = c_strtoul(text)
    # (c_strtoul gives 0 to what it cannot read, and reads past an unsigned int)
    if (value or text is None or text in _WRITTEN_ZEROS or _ZERO.fullmatch(text)) and value <= UINT_MAX:
        return value
    if text is not None and strtoul_whole(text, 0) is None:
        raise attribute_error(address.tag, name, text, "Expected non-negative integer value")
    return 0


def _pci_error(detail: str) -> Exception:
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, detail)  # virpci.c reports with no domain


def pci_text(values: dict[str, int]) -> dict[str, str]:
    return {
        "domain": f"0x{values['domain']:04x}",
        "bus": f"0x{values['bus']:02x}",
        "slot": f"0x{values['slot']:02x}",
        "function": f"0x{values['function']}",
    }


def canonical_pci_source_address(address: etree._Element) -> None:
    """A host PCI device's address (virPCIDeviceAddressFormat, no type attribute)."""
    _write_attributes(address, list(pci_text(pci_values(address)).items()))


def _write_attributes(element: etree._Element, written: list[tuple[str, str]]) -> None:
    """The element's attributes replaced by those written, in that order; left as they are
    when they already are (most addresses in a document are written as libvirt writes them)."""
    if element.items() != written:
        element.attrib.clear()
        for name, value in written:
            element.set(name, value)


# A PCI address already as virPCIDeviceAddressFormat writes it, within virPCIDeviceAddressIsValid's
# limits and not empty (domain, bus and slot not all zero): canonical_address leaves it as it is.
_WRITTEN_PCI = re.compile(r"0x[0-9a-f]{4},0x[0-9a-f]{2},0x[01][0-9a-f],0x[0-7]")
_PCI_NAMES = ["type", "domain", "bus", "slot", "function"]
_EMPTY_PCI = ["0x0000", "0x00", "0x00"]


def written_pci(address: etree._Element) -> bool:
    """True for a PCI address written as libvirt writes it (and so valid as it is)."""
    if len(address) or address.keys() != _PCI_NAMES:
        return False
    values = address.values()
    return values[1:4] != _EMPTY_PCI and _WRITTEN_PCI.fullmatch(",".join(values[1:])) is not None


def _written_decimal(address: etree._Element, kind: str) -> bool:
    """True for an address of a decimal-only type already written as canonical_address
    writes it: every field, in order, decimal without sign or leading zeros."""
    names = _DECIMAL_NAMES.get(kind)
    if names is None or len(address) or address.keys() != names:
        return False
    # one match of the values joined: as many fields as values, so no value holds a comma
    return _WRITTEN_DECIMALS[kind].fullmatch(",".join(address.values()[1:])) is not None


def canonical_address(address: etree._Element) -> None:
    """virDomainDeviceInfoFormat's <address> for each address type."""
    kind = address.get("type")
    if (kind == "pci" and written_pci(address)) or _written_decimal(address, kind or ""):
        return  # most addresses of a document: written as libvirt writes them
    if kind == "pci":
        values = pci_values(address)
        written = [("type", "pci")]
        if values["domain"] or values["bus"] or values["slot"]:  # an empty address: to be assigned
            written += pci_text(values).items()
        multifunction = address.get("multifunction")
        if multifunction:
            written.append(("multifunction", multifunction))
        _write_attributes(address, written)
        if len(address):
            zpci = first_child(address, "zpci")
            for child in list(address):
                address.remove(child)
            if zpci is not None and (zpci.get("uid") is not None or zpci.get("fid") is not None):
                # either set: both written (virZPCIDeviceAddressIsPresent)
                uid, fid = prop_uint(zpci, "uid", base=0) or 0, prop_uint(zpci, "fid", base=0) or 0
                etree.SubElement(address, "zpci", uid=f"0x{uid:04x}", fid=f"0x{fid:08x}")
    elif kind == "usb":
        port = usb_port(address.get("port"))
        written = [("type", "usb"), ("bus", str(c_strtoul(address.get("bus"))))]
        if port:
            written.append(("port", port))
        _write_attributes(address, written)
    elif kind == "spapr-vio":
        reg = address.get("reg")
        written = [("type", "spapr-vio")]
        if reg is not None:  # parsed in base 16, written whenever given
            written.append(("reg", f"0x{_hex(reg, 'reg'):08x}"))
        _write_attributes(address, written)
    elif kind in ADDRESS_FIELDS:
        fields = ADDRESS_FIELDS[kind]
        # ISA ports and IRQs are read in base 16 (virDomainDeviceISAAddressParseXML)
        values = {
            name: _hex(address.get(name) or "0", name) if kind == "isa" else c_strtoul(address.get(name))
            for name, _ in fields
        }
        written = [("type", kind)]
        for name, layout in fields:
            if layout.startswith("?"):  # written only when set
                if address.get(name) is not None and values[name] > 0:
                    written.append((name, layout[1:] % values[name]))
            else:
                written.append((name, layout % values[name]))
        _write_attributes(address, written)


# How libvirt writes the fields of other address types ("?": only when set and non-zero).
ADDRESS_FIELDS = {
    "drive": (("controller", "%d"), ("bus", "%d"), ("target", "%d"), ("unit", "%d")),
    "virtio-serial": (("controller", "%d"), ("bus", "%d"), ("port", "%d")),
    "ccid": (("controller", "%d"), ("slot", "%d")),
    "ccw": (("cssid", "0x%x"), ("ssid", "0x%x"), ("devno", "0x%04x")),
    "isa": (("iobase", "?0x%x"), ("irq", "?0x%x")),
}
# The types whose fields are all written "%d", by their attribute names as written
_DECIMAL_NAMES = {
    kind: ["type", *(name for name, _ in fields)]
    for kind, fields in ADDRESS_FIELDS.items()
    if all(layout == "%d" for _, layout in fields)
}
_DECIMAL = "(?:0|[1-9][0-9]*)"  # what "%d" writes of what c_strtoul reads back the same
# per such type, its values as written, joined by commas
_WRITTEN_DECIMALS = {
    kind: re.compile(",".join([_DECIMAL] * (len(names) - 1))) for kind, names in _DECIMAL_NAMES.items()
}


USB_PORT_DEPTH = 4  # VIR_DOMAIN_DEVICE_USB_MAX_PORT_DEPTH


def usb_port(text: str | None) -> str:
    """virDomainDeviceUSBAddressParsePort (up to four dot-separated numbers, each as strtoul reads
    it), written back as libvirt writes it: the numbers up to the first zero."""
    if text is None:
        return ""
    ports: list[int] = []
    rest = text
    for _ in range(USB_PORT_DEPTH):
        number = re.match(r"[ \t\n\v\f\r]*(\d+)", rest)
        if number is None:
            break
        ports.append(int(number.group(1)))
        rest = rest[number.end() :]
        if not rest:
            written = itertools.takewhile(lambda port: port != 0, ports)
            return ".".join(str(port) for port in written)
        if rest.startswith("."):
            rest = rest[1:]
    raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DEVICE, "Cannot parse <address> 'port' attribute")


def _hex(text: str, name: str) -> int:
    """virXMLPropUInt/ULongLong in base 16 (an optional 0x)."""
    try:
        value = int(text.strip(), 16)
    except ValueError:
        value = -1
    if value < 0 or "_" in text:
        raise attribute_error("address", name, text, "Expected non-negative integer value")
    return value
