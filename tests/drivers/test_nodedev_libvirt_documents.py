"""libvirt's own PCI node device documents (tests/nodedevschemadata, read at test time): for
each, a fake sysfs tree and record holding what the document says is built, and the PCI
capability virtrio writes from them must be the document's, line for line. Only readdir's
order (IOMMU group members, mdev types) is left to the directory, so those are compared
as sets."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from interop.libvirt_source import find_source
from virtrio.drivers.nodedev import pci_sysfs
from virtrio.drivers.nodedev.devices import build_devices
from virtrio.drivers.nodedev.formats import device_xml
from virtrio.drivers.nodedev.pci_sysfs import dynamic_caps
from virtrio.drivers.nodedev.sources import DeviceRecord

# documents with what virtrio does not write (VPD), or without the class udev always gives
LEFT_OUT = {"pci_0000_42_00_0_vpd.xml", "pci_0000_02_10_7_sriov_pf_vfs_all.xml"}


def documents() -> list[Path]:
    """The PCI documents libvirt's XML-to-XML test formats back unchanged (others, such as
    pci_82579LM_network_adapter.xml, serve other tests and are not its formatter's output)."""
    tests = find_source() / "tests"
    folder = tests / "nodedevschemadata"
    named = re.findall(r'DO_TEST\("(pci_[^"]+)"\)', (tests / "nodedevxml2xmltest.c").read_text())
    found = []
    for path in sorted(folder / f"{name}.xml" for name in named):
        if path.name in LEFT_OUT or (tests / "nodedevxml2xmlout" / path.name).exists():
            continue
        if ET.parse(path).getroot().find("capability[@type='pci']") is not None:
            found.append(path)
    return found


def address_text(element: ET.Element) -> str:
    values = [int(element.get(name, "0"), 16) for name in ("domain", "bus", "slot", "function")]
    return "{:04x}:{:02x}:{:02x}.{:x}".format(*values)


def capability_block(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("  <capability type='pci'>")
    return lines[start : lines.index("  </capability>", start) + 1]


def normalised(lines: list[str]) -> list[str]:
    """Runs of an IOMMU group's addresses and of mdev type blocks, each sorted."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        out.append(line)
        index += 1
        if line.strip().startswith("<iommuGroup"):
            end = lines.index("    </iommuGroup>", index)
            out += sorted(lines[index:end])
            index = end
        elif line.strip() == "<capability type='mdev_types'>":
            end = lines.index("    </capability>", index)
            blocks, block = [], []
            for inner in lines[index:end]:
                block.append(inner)
                if inner.strip() == "</type>":
                    blocks.append(block)
                    block = []
            out += [inner for block in sorted(blocks) for inner in block]
            index = end
    return out


def build(document: Path, root: Path) -> tuple[DeviceRecord, str]:
    pci = ET.parse(document).getroot().find("capability[@type='pci']")
    assert pci is not None
    numbers = [int(pci.findtext(name, "0")) for name in ("domain", "bus", "slot", "function")]
    address = "{:04x}:{:02x}:{:02x}.{:x}".format(*numbers)
    devices = root / "devices/pci0000:00"

    def folder(name: str) -> Path:
        path = devices / name
        if not path.exists():
            path.mkdir(parents=True)
            (root / "bus/pci/devices").mkdir(parents=True, exist_ok=True)
            (root / "bus/pci/devices" / name).symlink_to(os.path.relpath(path, root / "bus/pci/devices"))
        return path

    own = folder(address)
    product, vendor = pci.find("product"), pci.find("vendor")
    assert product is not None and vendor is not None
    attributes = {"class": pci.findtext("class", ""), "device": product.get("id", ""), "vendor": vendor.get("id", "")}
    properties = {"ID_MODEL_FROM_DATABASE": product.text or "", "ID_VENDOR_FROM_DATABASE": vendor.text or ""}
    numa = pci.find("numa")
    if numa is not None:
        attributes["numa_node"] = numa.get("node", "")
    for nested in pci.findall("capability"):
        kind = nested.get("type")
        if kind in ("pci-bridge", "cardbus-bridge"):
            attributes["pci-header"] = kind
        elif kind == "phys_function":
            (own / "physfn").symlink_to(os.path.relpath(folder(address_text(nested[0])), own))
        elif kind == "virt_functions":
            if nested.get("maxCount"):
                (own / "sriov_totalvfs").write_text(nested.get("maxCount", "") + "\n")
            for index, function in enumerate(nested.findall("address")):
                (own / f"virtfn{index}").symlink_to(os.path.relpath(folder(address_text(function)), own))
        elif kind == "mdev_types":
            for offered in nested.findall("type"):
                path = own / "mdev_supported_types" / offered.get("id", "")
                path.mkdir(parents=True)
                if offered.find("name") is not None:
                    (path / "name").write_text(offered.findtext("name", "") + "\n")
                (path / "device_api").write_text(offered.findtext("deviceAPI", "") + "\n")
                (path / "available_instances").write_text(offered.findtext("availableInstances", "") + "\n")
    group = pci.find("iommuGroup")
    if group is not None:
        members = root / "kernel/iommu_groups" / group.get("number", "") / "devices"
        members.mkdir(parents=True)
        for member in group.findall("address"):
            target = folder(address_text(member))
            (members / address_text(member)).symlink_to(os.path.relpath(target, members))
        (own / "iommu_group").symlink_to(os.path.relpath(members.parent, own))
    express = pci.find("pci-express")
    if express is not None:
        links = {link.get("validity"): link for link in express.findall("link")}
        if not links:
            attributes["pci-express"] = "yes"
        else:
            speeds = pci_sysfs.LINK_SPEEDS
            cap, sta = links["cap"], links["sta"]
            values = (
                int(cap.get("port", "0")),
                speeds.index(cap.get("speed", "")),
                int(cap.get("width", "0")),
                speeds.index(sta.get("speed", "")),
                int(sta.get("width", "0")),
            )
            attributes["pci-express"] = pci_sysfs.ExpressInfo(values).encode()
    return DeviceRecord(str(own), "pci", address, properties=properties, attributes=attributes), address


@pytest.mark.parametrize("document", documents(), ids=lambda path: path.name)
def test_pci_capability_as_libvirt_writes_it(tmp_path: Path, document: Path) -> None:
    root = tmp_path / "sys"
    record, address = build(document, root)
    device = next(iter(d for d in build_devices([record]).values() if d.capability == "pci"))
    mine = capability_block(device_xml(device, dynamic_caps(record.sys_path, address, str(root))))
    theirs = capability_block(document.read_text())
    assert normalised(mine) == normalised(theirs)


def test_documents_cover_each_part() -> None:
    """The documents above hold every element this driver writes for PCI devices."""
    text = "".join(path.read_text() for path in documents())
    for part in (
        "<capability type='phys_function'>",
        "<capability type='virt_functions' maxCount=",
        "<capability type='pci-bridge'/>",
        "<capability type='mdev_types'>",
        "<iommuGroup number=",
        "<numa node=",
        "<pci-express/>",
        "<link validity='cap' port=",
    ):
        assert part in text, part
