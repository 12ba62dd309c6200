"""Node devices of test:///default: the computer, two Fibre Channel SCSI hosts and a vHBA on
the first; and what libvirt reads of the XML of a device to create."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from lxml import etree

from virtrio.drivers.libvirt_rules import (
    C_SPACE,
    ULLONG_MAX,
    missing_attribute,
    parse_uuid,
    strtol_whole,
    strtoul_wrapping,
)
from virtrio.drivers.libvirt_rules import strtoul_whole as c_uint
from virtrio.drivers.xml_text import escape_text
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, report

from .network_definition import _pci_address as pci_address
from .parse import parse_document, validate_against_schema


@dataclass(frozen=True)
class TestNodeDevice:
    """A node device of the test node: its XML as libvirt's test driver writes it, and what lookups use."""

    name: str
    parent: str | None
    caps: tuple[str, ...]
    xml: str
    wwnn: str | None = None
    wwpn: str | None = None
    # of a SCSI host: its host number, unique ID, fabric WWN, and whether it can make vports
    host: int | None = None
    unique_id: int | None = None
    fabric_wwn: str | None = None
    vport_ops: bool = False
    # capabilities held inside a PCI, CSS or AP matrix one (mdev_types, vpd) that lookups by
    # capability see as the device's own
    nested: tuple[str, ...] = ()

    def has_capability(self, name: str) -> bool:
        """virNodeDeviceObjHasCap: a capability of the device's own, or one its SCSI host,
        PCI, CSS or AP matrix capability holds."""
        if name in self.caps or name in self.nested:
            return True
        return "scsi_host" in self.caps and (
            (name == "fc_host" and self.wwnn is not None) or (name == "vports" and self.vport_ops)
        )


COMPUTER_XML = """<device>
  <name>computer</name>
  <capability type='system'>
    <hardware>
      <vendor>Libvirt</vendor>
      <version>Test driver</version>
      <serial>123456</serial>
      <uuid>11111111-2222-3333-4444-555555555555</uuid>
    </hardware>
    <firmware>
      <vendor>Libvirt</vendor>
      <version>Test Driver</version>
      <release_date>01/22/2007</release_date>
    </firmware>
  </capability>
</device>
"""


def fc_host(host: int, unique_id: int, wwn: str, fabric: str) -> TestNodeDevice:
    name = f"scsi_host{host}"
    xml = f"""<device>
  <name>{name}</name>
  <parent>computer</parent>
  <capability type='scsi_host'>
    <host>{host}</host>
    <unique_id>{unique_id}</unique_id>
    <capability type='fc_host'>
      <wwnn>20000000{wwn}</wwnn>
      <wwpn>10000000{wwn}</wwpn>
      <fabric_wwn>20000000{fabric}</fabric_wwn>
    </capability>
    <capability type='vport_ops'>
      <max_vports>0</max_vports>
      <vports>0</vports>
    </capability>
  </capability>
</device>
"""
    return TestNodeDevice(
        name,
        "computer",
        ("scsi_host",),
        xml,
        f"20000000{wwn}",
        f"10000000{wwn}",
        host,
        unique_id,
        f"20000000{fabric}",
        vport_ops=True,
    )


def vhba(name: str, parent: str, host: int, unique_id: int, wwnn: str, wwpn: str, fabric_wwn: str) -> TestNodeDevice:
    """A virtual HBA: a Fibre Channel SCSI host made on a vport capable one."""
    xml = f"""<device>
  <name>{name}</name>
  <parent>{parent}</parent>
  <capability type='scsi_host'>
    <host>{host}</host>
    <unique_id>{unique_id}</unique_id>
    <capability type='fc_host'>
      <wwnn>{wwnn}</wwnn>
      <wwpn>{wwpn}</wwpn>
      <fabric_wwn>{fabric_wwn}</fabric_wwn>
    </capability>
  </capability>
</device>
"""
    return TestNodeDevice(name, parent, ("scsi_host",), xml, wwnn, wwpn, host, unique_id, fabric_wwn)


def fc_host_wwns(scsi_host: etree._Element) -> tuple[str | None, str | None, str | None] | None:
    """The WWNN, WWPN and fabric WWN a SCSI host capability's fc_host capabilities leave
    (None without one): each sets the WWNs again, a fabric WWN when it has one."""
    fibre = scsi_host.findall("capability[@type='fc_host']")
    if not fibre:
        return None
    fabric = next((fc.findtext("fabric_wwn") for fc in reversed(fibre) if fc.findtext("fabric_wwn")), None)
    return fibre[-1].findtext("wwnn"), fibre[-1].findtext("wwpn"), fabric


# the capabilities virNodeDeviceObjHasCap finds inside another, by the one that holds them
NESTED_CAPABILITIES = (("pci", ("mdev_types", "vpd")), ("css", ("mdev_types",)), ("ap_matrix", ("mdev_types",)))


def existing_device(name: str, parent: str | None, xml: str, element: etree._Element) -> TestNodeDevice:
    """A device of a node file as virNodeDeviceDefParseXML reads an existing one: its
    capabilities, what its first Fibre Channel SCSI host says, and the nested ones."""
    caps = tuple(capability.get("type", "") for capability in element.findall("capability"))
    nested = [
        inner.get("type", "")
        for outer, inner_types in NESTED_CAPABILITIES
        for inner in element.findall(f"capability[@type='{outer}']/capability")
        if inner.get("type") in inner_types
    ]
    scsi_hosts = element.findall("capability[@type='scsi_host']")
    fibre = next((host for host in scsi_hosts if host.find("capability[@type='fc_host']") is not None), None)
    vport_ops = any(host.find("capability[@type='vport_ops']") is not None for host in scsi_hosts)
    if fibre is None:
        return TestNodeDevice(name, parent, caps, xml, vport_ops=vport_ops, nested=tuple(nested))
    wwnn, wwpn, fabric = fc_host_wwns(fibre) or (None, None, None)
    unique_id = strtol_whole(fibre.findtext("unique_id") or "")
    return TestNodeDevice(
        name,
        parent,
        caps,
        xml,
        wwnn,
        wwpn,
        c_uint(fibre.findtext("host") or "", 10),
        -1 if unique_id is None else unique_id,
        fabric,
        vport_ops,
        tuple(nested),
    )


def vhba_copy(template: TestNodeDevice, name: str, wwnn: str, wwpn: str) -> TestNodeDevice:
    """testNodeDeviceMockCreateVport: the template device as it is (parent, host number,
    unique ID, fabric WWN, vport_ops), under another name and with the WWNs asked for."""
    xml = template.xml.replace(f"<name>{escape_text(template.name)}</name>", f"<name>{escape_text(name)}</name>", 1)
    if template.wwnn is None or template.wwpn is None:
        # (libvirt would count the host number and unique ID up instead: no template of
        # test:///default or of a node file that libvirt can copy lacks an fc_host)
        return dataclasses.replace(template, name=name, xml=xml)
    for tag, old, new in (("wwnn", template.wwnn, wwnn), ("wwpn", template.wwpn, wwpn)):
        xml = xml.replace(f"<{tag}>{escape_text(old)}</{tag}>", f"<{tag}>{escape_text(new)}</{tag}>", 1)
    return dataclasses.replace(template, name=name, xml=xml, wwnn=wwnn, wwpn=wwpn)


def default_node_devices() -> dict[str, TestNodeDevice]:
    devices = [
        TestNodeDevice("computer", None, ("system",), COMPUTER_XML),
        fc_host(1, 0, "12341234", "43214321"),
        fc_host(2, 1, "56785678", "87658765"),
        vhba("scsi_host11", "scsi_host1", 11, 10, "2000000034563456", "1000000034563456", "2000000043214321"),
    ]
    return {d.name: d for d in devices}


# ------------------------------------------------------------ devices to create
CAPABILITY_TYPES = (
    "system",
    "pci",
    "usb_device",
    "usb",
    "net",
    "scsi_host",
    "scsi_target",
    "scsi",
    "storage",
    "fc_host",
    "vports",
    "scsi_generic",
    "drm",
    "mdev_types",
    "mdev",
    "ccw",
    "css",
    "vdpa",
    "ap_card",
    "ap_queue",
    "ap_matrix",
    "vpd",
)
# capabilities a device's XML cannot give at the top level (libvirt reports their enum value)
NOT_TOP_LEVEL = ("fc_host", "vports", "scsi_generic", "mdev_types", "vdpa", "vpd")
NEW_DEVICE = "new device"  # the name libvirt gives a device to create while reading its XML


@dataclass
class NewDevice:
    """What virNodeDeviceDefParse (CREATE_DEVICE) keeps of a device to create that matters here."""

    parent: str | None = None
    parent_wwnn: str | None = None
    parent_wwpn: str | None = None
    parent_fabric_wwn: str | None = None
    fc_wwns: tuple[str, str] | None = None  # of the first Fibre Channel SCSI host capability


def _nodedev_error(code: int, detail: str) -> LibvirtError:
    return report(code, api.VIR_FROM_NODEDEV, detail)


def _enum_attribute(element: etree._Element, values: tuple[str, ...]) -> str:
    """virXMLPropEnum with VIR_XML_PROP_REQUIRED on the type attribute."""
    value = element.get("type")
    if value is None:
        raise missing_attribute(element.tag, "type")
    if value not in values:
        detail = f"Invalid value for attribute 'type' in element '{element.tag}': '{value}'."
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return value


def parse_new_device(text: str, validate: bool, existing: bool = False) -> NewDevice:
    """virNodeDeviceDefParse's checks of a device to create (or, existing, of one a node file
    describes: a SCSI host then needs its host number)."""
    if validate:
        validate_against_schema(text, "nodedev.rng", "device")
    root = parse_document(text, "device")
    for devnode in root.findall("devnode"):
        _enum_attribute(devnode, ("dev", "link"))
    parent = root.find("parent")
    device = NewDevice()
    if parent is not None:
        device.parent = parent.xpath("string()") or None
        device.parent_wwnn, device.parent_wwpn = parent.get("wwnn") or None, parent.get("wwpn") or None
        device.parent_fabric_wwn = parent.get("fabric_wwn") or None
    if device.parent_wwnn and not device.parent_wwpn:
        detail = f"when providing parent wwnn='{device.parent_wwnn}', the wwpn must also be provided"
        raise _nodedev_error(api.VIR_ERR_XML_ERROR, detail)
    if device.parent_wwpn and not device.parent_wwnn:
        detail = f"when providing parent wwpn='{device.parent_wwpn}', the wwnn must also be provided"
        raise _nodedev_error(api.VIR_ERR_XML_ERROR, detail)
    capabilities = root.findall("capability")
    if not capabilities:
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"no device capabilities for '{NEW_DEVICE}'")
    for capability in capabilities:
        kind = _enum_attribute(capability, CAPABILITY_TYPES)
        if kind in NOT_TOP_LEVEL:
            detail = f"unknown capability type '{CAPABILITY_TYPES.index(kind)}' for '{NEW_DEVICE}'"
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, detail)
        if kind == "system":
            _check_system(capability)
        if kind == "pci":
            _check_pci(capability)
        if kind in NUMBERS:
            _check_numbers(capability, NUMBERS[kind])
        if kind == "net":
            _check_net(capability)
        if kind in ("ccw", "css"):
            _check_ccw_address(capability)
            if kind == "css":
                _check_sub_capabilities(capability)
                channel = capability.find("channel_dev_addr")
                if channel is not None:
                    _check_ccw_address(channel)
        if kind == "mdev":
            _check_mdev(capability)
        if kind == "scsi_target":
            _check_scsi_target(capability)
        if kind == "drm":
            drm = capability.xpath("string(./type[1])")
            if drm not in ("primary", "control", "render"):
                detail = f"unknown drm type '{drm or '(null)'}' for '{NEW_DEVICE}'"
                raise _nodedev_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
        if kind in ("ap_card", "ap_queue"):
            _check_ap(capability, kind == "ap_queue")
        if kind == "ap_matrix":
            _check_sub_capabilities(capability)
        if kind == "storage":
            _check_storage(capability)
        if kind == "scsi_host":
            if existing:
                _check_scsi_host_numbers(capability)
            wwns = _scsi_host_wwns(capability)
            if wwns is not None and device.fc_wwns is None:
                device.fc_wwns = wwns
    return device


def _check_system(capability: etree._Element) -> None:
    """virNodeDevCapSystemParseXML's checks: the hardware's UUID is required."""
    raw = capability.xpath("string(./hardware/uuid[1])")
    if not raw:
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"no system UUID supplied for '{NEW_DEVICE}'")
    if parse_uuid(raw) is None:
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"malformed uuid element for '{NEW_DEVICE}'")


def _check_scsi_host_numbers(capability: etree._Element) -> None:
    """virNodeDevCapSCSIHostParseXML for an existing device: the host number (an unsigned
    int, required) and the unique ID (an int, optional)."""
    host = capability.xpath("string(./host[1])")
    if not host:
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"no SCSI host ID supplied for '{NEW_DEVICE}'")
    if c_uint(host, 10) is None:
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"invalid SCSI host ID supplied for '{NEW_DEVICE}'")
    unique_id = capability.xpath("string(./unique_id[1])")
    if unique_id and strtol_whole(unique_id) is None:
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"invalid unique_id supplied for '{NEW_DEVICE}'")


def _scsi_host_wwns(capability: etree._Element) -> tuple[str, str] | None:
    """virNodeDevCapSCSIHostParseXML for a device to create: the WWNs of its fc_host capability."""
    wwns = None
    for inner in capability.findall("capability"):
        kind = inner.get("type")
        if kind is None:
            detail = f"missing SCSI host capability type for '{NEW_DEVICE}'"
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, detail)
        if kind == "fc_host":
            wwnn, wwpn = inner.findtext("wwnn") or None, inner.findtext("wwpn") or None
            # libvirt would make up the missing ones, but only for a hypervisor it knows
            if wwnn is None:
                detail = f"no WWNN supplied for '{NEW_DEVICE}', and auto-generation failed"
                raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, detail)
            if wwpn is None:
                detail = f"no WWPN supplied for '{NEW_DEVICE}', and auto-generation failed"
                raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, detail)
            wwns = (wwnn, wwpn)
        elif kind != "vport_ops":
            detail = f"unknown SCSI host capability type '{kind}' for '{NEW_DEVICE}'"
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, detail)
    return wwns


def _xpath_uint(capability: etree._Element, path: str, base: int) -> int | None:
    """virXPathUIntBase on string(path): None when empty or absent; -2 when not a number."""
    text = capability.xpath(f"string({path})")
    if not text:
        return None
    value = c_uint(text) if base == 0 else c_uint(text, base) if base == 10 else None
    if base == 16:
        body = text.lstrip(C_SPACE)
        body = body[1:] if body.startswith("+") else body
        body = body[2:] if body[:2].lower() == "0x" and len(body) > 2 else body
        ok = body and all(char in "0123456789abcdefABCDEF" for char in body) and int(body, 16) <= 0xFFFFFFFF
        value = int(body, 16) if ok else None
    return -2 if value is None else value


def _check_pci(capability: etree._Element) -> None:
    """virNodeDevCapPCIDevParseXML's checks, in its order (the sub-capabilities only as far as
    their type attribute)."""
    klass = capability.xpath("string(./class[1])")
    if klass:
        value = strtol_whole(klass, 16)
        if value is None or value > 0xFFFFFF:
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"invalid PCI class supplied for '{NEW_DEVICE}'")
    for what, path, base in (
        ("domain ID", "./domain[1]", 10),
        ("bus ID", "./bus[1]", 10),
        ("slot ID", "./slot[1]", 10),
        ("function ID", "./function[1]", 10),
        ("vendor ID", "./vendor[1]/@id", 16),
        ("product ID", "./product[1]/@id", 16),
    ):
        value = _xpath_uint(capability, path, base)
        if value is None:
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"no PCI {what} supplied for '{NEW_DEVICE}'")
        if value == -2:
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"invalid PCI {what} supplied for '{NEW_DEVICE}'")
    _check_sub_capabilities(capability)
    group = capability.find("iommuGroup")
    if group is not None:
        number = group.get("number")
        if number is None:
            raise missing_attribute("iommuGroup", "number")
        if c_uint(number, 10) is None:
            detail = (
                f"Invalid value for attribute 'number' in element 'iommuGroup': '{number}'. "
                "Expected non-negative integer value"
            )
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
        for address in group.findall("address"):
            pci_address(address)
    numa = capability.xpath("string(./numa[1]/@node)")
    if numa and strtol_whole(numa, 10) is None:
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"invalid NUMA node ID supplied for '{NEW_DEVICE}'")
    express = capability.find("pci-express")
    if express is not None:
        for validity in ("cap", "sta"):
            link = next((node for node in express.findall("link") if node.get("validity") == validity), None)
            if link is not None:
                _check_link(link)


def _check_link(link: etree._Element) -> None:
    """virPCIEDeviceInfoLinkParseXML: width required (base 0), speed one of libvirt's, port an int."""
    width = link.get("width")
    if width is None:
        raise missing_attribute("link", "width")
    if c_uint(width) is None:
        detail = (
            f"Invalid value for attribute 'width' in element 'link': '{width}'. Expected non-negative integer value"
        )
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    speed = link.get("speed")
    if speed is not None and speed not in ("", "2.5", "5", "8", "16", "32", "64"):
        raise report(
            api.VIR_ERR_XML_ERROR,
            api.VIR_FROM_XML,
            f"Invalid value for attribute 'speed' in element 'link': '{speed}'.",
        )
    port = link.get("port")
    if port is not None and strtol_whole(port, 10) is None:
        detail = f"Invalid value for attribute 'port' in element 'link': '{port}'. Expected integer value"
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)


# virNodeDevCapsDefParseUInt/HexId fields of a capability, in libvirt's order: (what the
# messages call it, the XPath, the base)
NUMBERS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "usb_device": (
        ("USB bus number", "./bus[1]", 10),
        ("USB device number", "./device[1]", 10),
        ("USB vendor ID", "./vendor[1]/@id", 16),
        ("USB product ID", "./product[1]/@id", 16),
    ),
    "scsi": (
        ("SCSI host ID", "./host[1]", 10),
        ("SCSI bus ID", "./bus[1]", 10),
        ("SCSI target ID", "./target[1]", 10),
        ("SCSI LUN ID", "./lun[1]", 10),
    ),
    "usb": (
        ("USB interface number", "./number[1]", 10),
        ("USB interface class", "./class[1]", 10),
        ("USB interface subclass", "./subclass[1]", 10),
        ("USB interface protocol", "./protocol[1]", 10),
    ),
}
NET_FEATURES = (
    "rx",
    "tx",
    "sg",
    "tso",
    "gso",
    "gro",
    "lro",
    "rxvlan",
    "txvlan",
    "ntuple",
    "rxhash",
    "rdma",
    "txudptnl",
    "switchdev",
)


def _check_numbers(capability: etree._Element, fields: tuple[tuple[str, str, int], ...]) -> None:
    for what, path, base in fields:
        value = _xpath_uint(capability, path, base)
        if value is None:
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"no {what} supplied for '{NEW_DEVICE}'")
        if value == -2:
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"invalid {what} supplied for '{NEW_DEVICE}'")


def _check_net(capability: etree._Element) -> None:
    """virNodeDevCapNetParseXML's checks up to its link (not checked here)."""
    if not capability.xpath("string(./interface[1])"):
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"no network interface supplied for '{NEW_DEVICE}'")
    for feature in capability.findall("feature"):
        name = feature.get("name")
        if name is None:
            raise _nodedev_error(api.VIR_ERR_XML_ERROR, "missing network device feature name")
        if name not in NET_FEATURES:
            raise _nodedev_error(api.VIR_ERR_XML_ERROR, f"unknown network device feature '{name}'")
    subtype = capability.xpath("string(./capability/@type)")
    if subtype and subtype not in ("80203", "80211"):
        detail = f"invalid network type supplied for '{NEW_DEVICE}'"
        raise _nodedev_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)


def _check_ccw_address(element: etree._Element) -> None:
    """virNodeDevCCWDeviceAddressParseXML: cssid and ssid (base 0), devno (hex)."""
    for name, base in (("cssid", 0), ("ssid", 0), ("devno", 16)):
        text = element.xpath(f"string(./{name}[1])")
        if not text:
            raise _nodedev_error(api.VIR_ERR_CONFIG_UNSUPPORTED, f"missing {name} value for '{NEW_DEVICE}'")
        if c_uint(text, base) is None:
            detail = f"invalid {name} value '{text}' for '{NEW_DEVICE}'"
            raise _nodedev_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)


def _check_mdev(capability: etree._Element) -> None:
    """virNodeDevCapMdevParseXML's checks: the type's id, the UUID, the IOMMU group number."""
    if not capability.xpath("string(./type[1]/@id)"):
        raise _nodedev_error(api.VIR_ERR_CONFIG_UNSUPPORTED, f"missing type id attribute for '{NEW_DEVICE}'")
    raw = capability.xpath("string(./uuid[1])")
    if raw and parse_uuid(raw) is None:
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"Invalid uuid '{raw}' for new mdev device")
    if _xpath_uint(capability, "./iommuGroup[1]/@number", 10) == -2:
        detail = f"invalid iommuGroup number attribute for '{NEW_DEVICE}'"
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, detail)


def _check_storage(capability: etree._Element) -> None:
    """virNodeDevCapStorageParseXML's checks: block path, sub-capabilities, sizes."""
    if not capability.xpath("string(./block[1])"):
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"no block device path supplied for '{NEW_DEVICE}'")
    removable = False
    for inner in capability.findall("capability"):
        kind = inner.get("type")
        if kind is None:
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"missing storage capability type for '{NEW_DEVICE}'")
        if kind == "removable":
            removable = True
            _check_size(inner, "./media_size[1]", "removable media size")
        elif kind != "hotpluggable":
            detail = f"unknown storage capability type '{kind}' for '{NEW_DEVICE}'"
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, detail)
    if not removable:
        _check_size(capability, "./size[1]", "size")


def _check_size(element: etree._Element, path: str, what: str) -> None:
    text = element.xpath(f"string({path})")
    if not text:
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"no {what} supplied for '{NEW_DEVICE}'")
    if strtoul_wrapping(text, 10, ULLONG_MAX) is None:
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"invalid {what} supplied for '{NEW_DEVICE}'")


def _check_sub_capabilities(capability: etree._Element) -> None:
    """The inner capabilities of a PCI, CSS or AP matrix device: a type each, a physical
    function's address, mediated device types' id, device API and available instances."""
    for inner in capability.findall("capability"):
        kind = inner.get("type")
        if kind is None:
            raise _nodedev_error(api.VIR_ERR_XML_ERROR, "Missing capability type")
        if kind == "vpd" and _is_pci(capability):
            if not inner.xpath("string(./name)"):
                raise _nodedev_error(api.VIR_ERR_XML_ERROR, "Could not read a device name from the <name> element")
            for fields in inner.xpath("./fields[@access]"):
                access = fields.get("access")
                if not access:
                    raise _nodedev_error(api.VIR_ERR_XML_ERROR, "VPD fields access type parsing has failed")
                if access not in ("readonly", "readwrite"):
                    detail = f"Unsupported VPD field access type specified {access}"
                    raise _nodedev_error(api.VIR_ERR_XML_ERROR, detail)
        if kind == "virt_functions" and _is_pci(capability):
            count = inner.get("maxCount") or None  # virXPathString: empty is absent
            if count is not None and c_uint(count, 10) is None:
                raise _nodedev_error(api.VIR_ERR_XML_ERROR, "Malformed 'maxCount' parameter")
            for address in inner.findall("address"):
                pci_address(address)
        if kind == "phys_function" and _is_pci(capability):
            address = inner.find("address")
            if address is None:
                raise _nodedev_error(api.VIR_ERR_XML_ERROR, "Missing address in 'phys_function' capability")
            pci_address(address)
        if kind == "mdev_types":
            for mdev_type in inner.findall("type"):
                name = mdev_type.get("id")
                if not name:
                    detail = "missing 'id' attribute for mediated device's <type> element"
                    raise _nodedev_error(api.VIR_ERR_XML_ERROR, detail)
                if not mdev_type.xpath("string(./deviceAPI[1])"):
                    detail = f"missing device API for mediated device type '{name}'"
                    raise _nodedev_error(api.VIR_ERR_XML_ERROR, detail)
                value = _xpath_uint(mdev_type, "./availableInstances", 10)
                if value is None or value == -2:
                    detail = f"missing number of available instances for mediated device type '{name}'"
                    raise _nodedev_error(api.VIR_ERR_XML_ERROR, detail)


def _is_pci(capability: etree._Element) -> bool:
    return capability.get("type") == "pci"


def _check_scsi_target(capability: etree._Element) -> None:
    """virNodeDevCapSCSITargetParseXML's checks."""
    if not capability.xpath("string(./target[1])"):
        raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"no target name supplied for '{NEW_DEVICE}'")
    for inner in capability.findall("capability"):
        kind = inner.get("type")
        if kind is None:
            detail = f"missing type for SCSI target capability for '{NEW_DEVICE}'"
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, detail)
        if kind != "fc_remote_port":
            detail = f"unknown SCSI target capability type '{kind}' for '{NEW_DEVICE}'"
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, detail)
        if not inner.xpath("string(./rport[1])"):
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"missing rport name for '{NEW_DEVICE}'")
        if not inner.xpath("string(./wwpn[1])"):
            raise _nodedev_error(api.VIR_ERR_INTERNAL_ERROR, f"missing wwpn identifier for '{NEW_DEVICE}'")


def _check_ap(capability: etree._Element, queue: bool) -> None:
    """The AP card and queue checks: the adapter, and a queue's domain (at most 255)."""
    adapter = capability.xpath("string(./ap-adapter[1])")
    if not adapter:
        raise _nodedev_error(api.VIR_ERR_CONFIG_UNSUPPORTED, f"missing ap-adapter value for '{NEW_DEVICE}'")
    if c_uint(adapter) is None:
        detail = f"invalid ap-adapter value '{adapter}' for '{NEW_DEVICE}'"
        raise _nodedev_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
    if queue:
        domain = capability.xpath("string(./ap-domain[1])")
        if not domain:
            raise _nodedev_error(api.VIR_ERR_CONFIG_UNSUPPORTED, f"missing ap-domain value for '{NEW_DEVICE}'")
        value = c_uint(domain)
        if value is None:
            detail = f"invalid ap-domain value '{domain}' for '{NEW_DEVICE}'"
            raise _nodedev_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
        if value > 255:
            detail = f"ap-domain value '{domain}' is out of range for '{NEW_DEVICE}'"
            raise _nodedev_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
