"""Node device XML in libvirt's layout: name, path, devnode, parent, driver, capability."""

from __future__ import annotations

from pathlib import Path

from ..xml_text import escape_text
from . import pci_ids, pci_sysfs
from .devices import NodeDevice, drive_type

DMI = Path("/sys/class/dmi/id")


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


def _hex(value: str | None, width: int = 4) -> str:
    return f"0x{int(value, 16):0{width}x}" if value else "0x0000"


def system_capability() -> list[str]:
    """The computer's DMI data, where the kernel lets us read it."""
    hardware = [
        ("vendor", "sys_vendor"),
        ("version", "product_version"),
        ("serial", "product_serial"),
        ("uuid", "product_uuid"),
    ]
    firmware = [("vendor", "bios_vendor"), ("version", "bios_version"), ("release_date", "bios_date")]
    lines = ["  <capability type='system'>"]
    product = _read(DMI / "product_name")
    if product:
        lines.append(f"    <product>{escape_text(product)}</product>")
    lines.append("    <hardware>")
    lines += [f"      <{tag}>{escape_text(v)}</{tag}>" for tag, f in hardware[:3] if (v := _read(DMI / f))]
    # libvirt always reports a UUID: zeros when the firmware's cannot be read
    lines.append(f"      <uuid>{_read(DMI / 'product_uuid') or '00000000-0000-0000-0000-000000000000'}</uuid>")
    lines += ["    </hardware>", "    <firmware>"]
    lines += [f"      <{tag}>{escape_text(v)}</{tag}>" for tag, f in firmware if (v := _read(DMI / f))]
    lines += ["    </firmware>", "  </capability>"]
    return lines


def capability_lines(device: NodeDevice, dynamic: pci_sysfs.DynamicCaps | None = None) -> list[str]:
    record = device.record
    if device.capability == "system" or record is None:
        return system_capability()
    attrs, props = record.attributes, record.properties
    kind = device.capability
    if kind == "net":
        lines = ["  <capability type='net'>", f"    <interface>{escape_text(record.sys_name)}</interface>"]
        if attrs.get("address"):
            lines.append(f"    <address>{attrs['address']}</address>")
        state = attrs.get("operstate", "unknown")
        speed = attrs.get("speed")
        # the kernel's -1 ("unknown") reaches libvirt as an unsigned 32-bit number
        speed_attribute = f" speed='{int(speed) & 0xFFFFFFFF}'" if speed and speed.lstrip("-").isdigit() else ""
        lines.append(f"    <link{speed_attribute} state='{state}'/>")
        lines += [f"    <feature name='{name}'/>" for name in attrs.get("features", "").split(",") if name]
        wireless = Path(record.sys_path, "wireless").exists()
        lines.append(f"    <capability type='{'80211' if wireless else '80203'}'/>")
        return [*lines, "  </capability>"]
    if kind == "pci":
        slot = record.sys_name  # dddd:bb:ss.f
        domain, bus, rest = slot.split(":")
        device_slot, function = rest.split(".")
        lines = [
            "  <capability type='pci'>",
            f"    <class>0x{int(attrs.get('class', '0'), 16):06x}</class>",
            f"    <domain>{int(domain, 16)}</domain>",
            f"    <bus>{int(bus, 16)}</bus>",
            f"    <slot>{int(device_slot, 16)}</slot>",
            f"    <function>{int(function, 16)}</function>",
        ]
        vendor_id, device_id = int(attrs.get("vendor", "0"), 16), int(attrs.get("device", "0"), 16)
        product = props.get("ID_MODEL_FROM_DATABASE") or pci_ids.device_name(vendor_id, device_id)
        vendor = props.get("ID_VENDOR_FROM_DATABASE") or pci_ids.vendor_name(vendor_id)
        lines.append(_named("product", _hex(attrs.get("device")), product))
        lines.append(_named("vendor", _hex(attrs.get("vendor")), vendor))
        # libvirt's order: SR-IOV, the header type, mdev types, (VPD), IOMMU group, NUMA
        # node, PCI Express; the dynamic parts come re-read from sysfs for this call
        sriov, groups = pci_sysfs.dynamic_lines(dynamic) if dynamic is not None else ([], [])
        lines += sriov
        if attrs.get("pci-header"):
            lines.append(f"    <capability type='{attrs['pci-header']}'/>")
        lines += groups
        numa = _number(attrs.get("numa_node"))
        if numa is not None and numa >= 0:  # the kernel's -1: no node
            lines.append(f"    <numa node='{numa}'/>")
        if attrs.get("pci-express"):
            lines += pci_sysfs.express_lines(pci_sysfs.decode_express(attrs["pci-express"]))
        return [*lines, "  </capability>"]
    if kind == "usb_device":
        lines = [
            "  <capability type='usb_device'>",
            f"    <bus>{attrs.get('busnum', '0')}</bus>",
            f"    <device>{attrs.get('devnum', '0')}</device>",
            _named("product", _hex(attrs.get("idProduct")), attrs.get("product")),
            _named("vendor", _hex(attrs.get("idVendor")), attrs.get("manufacturer")),
        ]
        return [*lines, "  </capability>"]
    if kind == "storage":
        lines = ["  <capability type='storage'>", f"    <block>{escape_text(record.devnode or '')}</block>"]
        lines.append(f"    <drive_type>{drive_type(record)}</drive_type>")
        model = props.get("ID_MODEL") or attrs.get("device/model")
        vendor = props.get("ID_VENDOR") or attrs.get("device/vendor")
        if model:
            lines.append(f"    <model>{escape_text(model)}</model>")
        if vendor:
            lines.append(f"    <vendor>{escape_text(vendor)}</vendor>")
        serial = props.get("ID_SERIAL_SHORT")
        if serial:
            lines.append(f"    <serial>{escape_text(serial)}</serial>")
        size = attrs.get("size")
        if size and size.isdigit():
            block = attrs.get("queue/logical_block_size", "512")
            lines.append(f"    <size>{int(size) * 512}</size>")
            lines.append(f"    <logical_block_size>{block}</logical_block_size>")
            lines.append(f"    <num_blocks>{int(size) * 512 // max(int(block), 1)}</num_blocks>")
        return [*lines, "  </capability>"]
    return [f"  <capability type='{kind}'>", "  </capability>"]


def _number(text: str | None) -> int | None:
    try:
        return int(text, 10) if text is not None else None
    except ValueError:
        return None


def _named(tag: str, identifier: str, text: str | None) -> str:
    if text:
        return f"    <{tag} id='{identifier}'>{escape_text(text)}</{tag}>"
    return f"    <{tag} id='{identifier}'/>"


def device_xml(device: NodeDevice, dynamic: pci_sysfs.DynamicCaps | None = None) -> str:
    lines = ["<device>", f"  <name>{escape_text(device.name)}</name>"]
    if device.sys_path:
        lines.append(f"  <path>{escape_text(device.sys_path)}</path>")
    record = device.record
    if record is not None and record.devnode:
        lines.append(f"  <devnode type='dev'>{escape_text(record.devnode)}</devnode>")
    if device.parent:
        lines.append(f"  <parent>{escape_text(device.parent)}</parent>")
    if record is not None and record.driver:
        lines += ["  <driver>", f"    <name>{escape_text(record.driver)}</name>", "  </driver>"]
    lines += capability_lines(device, dynamic)
    lines.append("</device>")
    return "\n".join(lines) + "\n"
