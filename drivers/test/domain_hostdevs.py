"""Mediated host devices as libvirt's parser, post-parse and validator treat them."""

from __future__ import annotations

from lxml import etree

from virtrio.drivers.libvirt_rules import parse_uuid
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .xml_tree import first_child

# virDomainHostdevDefPostParse: the address type each mediated device model needs
MDEV_ADDRESS_TYPES = {"vfio-pci": "pci", "vfio-ccw": "ccw"}


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
    if parse_uuid(uuid_text) is None:
        detail = "Cannot parse uuid attribute of element <address>"
        raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, detail)
    model = hostdev.get("model")
    device_address = first_child(hostdev, "address")
    needed = MDEV_ADDRESS_TYPES.get(model or "")
    if device_address is not None and needed is not None and device_address.get("type") != needed:
        detail = f"Unsupported address type '{device_address.get('type')}' with mediated device model '{model}'"
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, detail)


def check_one_ramfb(hostdevs: list[etree._Element]) -> None:
    """virDomainDefHostdevValidate: one mediated device at most shows a ramfb display."""
    if sum(1 for hostdev in hostdevs if _is_mdev(hostdev) and hostdev.get("ramfb") == "on") > 1:
        raise report(
            api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, "Only one vgpu device can have 'ramfb' enabled"
        )
