"""A storage pool's definition as libvirt parses, checks and writes it (storage_conf.c,
storage_adapter_conf.c): every pool type, its <source> with the parts its type has, the
target, permissions, features and refresh settings. Capacity and allocation belong to the
pool object (state.Pool) and are written by formats.pool_xml around these parts."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from virtrio.drivers.libvirt_rules import missing_attribute, parse_uuid, prop_int, secret_lookup, strtol_whole
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from ..xml_text import escape_text
from .domain_addresses import pci_values

FROM_STORAGE = api.VIR_FROM_STORAGE

# What a pool type's <source> has (virStoragePoolTypeInfo's flags).
HOST, DEVICE, DIR, ADAPTER, NAME, INITIATOR, NETWORK = "host", "device", "dir", "adapter", "name", "initiator", "net"


@dataclass(frozen=True)
class PoolType:
    """What a pool type's definition has (virStoragePoolTypeInfo): its parts and source formats."""

    parts: frozenset[str]
    formats: tuple[str, ...] = ()  # the source formats, the default first... as libvirt numbers them
    default_format: int = 0
    has_target: bool = True  # RBD, Sheepdog, Gluster and iSCSI-direct pools have none


FS_FORMATS = (
    "auto",
    "ext2",
    "ext3",
    "ext4",
    "ufs",
    "iso9660",
    "udf",
    "gfs",
    "gfs2",
    "vfat",
    "hfs+",
    "xfs",
    "ocfs2",
    "vmfs",
)
POOL_TYPES: dict[str, PoolType] = {
    "dir": PoolType(frozenset()),
    "fs": PoolType(frozenset({DEVICE}), FS_FORMATS),
    "netfs": PoolType(frozenset({HOST, DIR}), ("auto", "nfs", "glusterfs", "cifs")),
    "logical": PoolType(frozenset({NAME, DEVICE}), ("unknown", "lvm2"), default_format=1),
    "disk": PoolType(frozenset({DEVICE}), ("unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2")),
    "iscsi": PoolType(frozenset({HOST, DEVICE, INITIATOR})),
    "iscsi-direct": PoolType(frozenset({HOST, DEVICE, NETWORK, INITIATOR}), has_target=False),
    "scsi": PoolType(frozenset({ADAPTER})),
    "mpath": PoolType(frozenset()),
    "rbd": PoolType(frozenset({HOST, NETWORK, NAME}), has_target=False),
    "sheepdog": PoolType(frozenset({HOST, NETWORK, NAME}), has_target=False),
    "gluster": PoolType(frozenset({HOST, NETWORK, NAME, DIR}), has_target=False),
    "zfs": PoolType(frozenset({NAME, DEVICE})),
    "vstorage": PoolType(frozenset({NAME})),
}
AUTH_TYPES = ("none", "chap", "ceph")
REFRESH_ALLOCATIONS = ("default", "capacity")
TRISTATE = ("yes", "no")


def xml_error(detail: str) -> Exception:
    return report(api.VIR_ERR_XML_ERROR, FROM_STORAGE, detail)


def _text(element: etree._Element | None, attribute: str | None = None) -> str | None:
    """virXPathString of the element's text or of one of its attributes: None when absent
    or empty."""
    if element is None:
        return None
    if attribute is None:
        return element.xpath("string()") or None
    return element.get(attribute) or None


def sanitize_path(path: str) -> str:
    """virFileSanitizePath: repeated slashes collapsed, no trailing one; a leading '//' kept."""
    uri = path.find("://")
    if uri >= 0 and path.find("/") > uri:
        return path
    prefix = ""
    if path.startswith("//") and not path.startswith("///"):
        prefix, path = "//", path[2:]
    parts = [part for part in path.split("/")]
    cleaned = "/".join(part for index, part in enumerate(parts) if part or index == 0)
    if path.startswith("/") and not cleaned.startswith("/"):
        cleaned = "/" + cleaned
    if len(cleaned) > 1 and cleaned.endswith("/"):
        cleaned = cleaned.rstrip("/") or "/"
    return prefix + cleaned


@dataclass
class Permissions:
    """A target's <permissions> (virStoragePerms)."""

    mode: int | None = None
    owner: int | None = None
    group: int | None = None
    label: str | None = None

    def lines(self, pad: str) -> list[str]:
        if self.mode is None and self.owner is None and self.group is None and self.label is None:
            return []
        lines = [f"{pad}<permissions>"]
        if self.mode is not None:
            lines.append(f"{pad}  <mode>0{self.mode:o}</mode>")
        if self.owner is not None:
            lines.append(f"{pad}  <owner>{self.owner}</owner>")
        if self.group is not None:
            lines.append(f"{pad}  <group>{self.group}</group>")
        if self.label is not None:
            lines.append(f"{pad}  <label>{escape_text(self.label)}</label>")
        return [*lines, f"{pad}</permissions>"]


def parse_permissions(element: etree._Element | None) -> Permissions:
    """virStorageDefParsePerms."""
    perms = Permissions()
    if element is None:
        return perms
    mode = _text(element.find("mode"))
    if mode is not None:
        value = strtol_whole(mode, 8)
        if value is None or value & ~0o777 or value < 0:
            raise xml_error("malformed octal mode")
        perms.mode = value
    for tag in ("owner", "group"):
        node = element.find(tag)
        if node is None:
            continue
        value = strtol_whole(node.xpath("string()"), bits=64)  # virXPathLongLong
        if value is None or not (-1 <= value <= 0xFFFFFFFF):
            raise xml_error(f"malformed {tag} element")
        setattr(perms, tag, None if value in (-1, 0xFFFFFFFF) else value)
    perms.label = _text(element.find("label"))
    return perms


@dataclass
class PoolDefinition:
    """A storage pool's definition as virStoragePoolDefParseXML keeps it."""

    type: str
    name: str
    uuid: bytes
    source_name: str | None = None
    source_format: int | None = None
    hosts: list[tuple[str, int]] = field(default_factory=list)
    devices: list[tuple[str, str | None]] = field(default_factory=list)
    source_dir: str | None = None
    adapter: dict[str, str] | None = None
    adapter_parent_address: tuple[int, etree._Element] | None = None
    initiator: str | None = None
    auth: tuple[str, str, str | None, str, str] | None = None  # type, username, secret type, key, value
    protocol_version: str | None = None
    vendor: str | None = None
    product: str | None = None
    target_path: str | None = None
    permissions: Permissions = field(default_factory=Permissions)
    cow: str | None = None
    refresh_allocation: str | None = None

    @property
    def kind(self) -> PoolType:
        return POOL_TYPES[self.type]

    def lines(self) -> list[str]:
        """Everything after <available>, as virStoragePoolDefFormatBuf writes it."""
        lines: list[str] = []
        if self.cow is not None:
            lines += ["  <features>", f"    <cow state='{self.cow}'/>", "  </features>"]
        lines += self._source_lines()
        if self.kind.has_target:
            lines += ["  <target>", f"    <path>{escape_text(self.target_path or '')}</path>"]
            lines += self.permissions.lines("    ")
            lines.append("  </target>")
        if self.refresh_allocation is not None:
            lines += ["  <refresh>", f"    <volume allocation='{self.refresh_allocation}'/>", "  </refresh>"]
        return lines

    def _source_lines(self) -> list[str]:
        parts, pad = self.kind.parts, "    "
        lines = ["  <source>"]
        if HOST in parts:
            for host, port in self.hosts:
                lines.append(f"{pad}<host name='{escape_text(host)}'" + (f" port='{port}'" if port else "") + "/>")
        if DEVICE in parts:
            for path, separator in self.devices:
                extra = f" part_separator='{separator}'" if separator is not None else ""
                lines.append(f"{pad}<device path='{escape_text(path)}'{extra}/>")
        if DIR in parts and self.source_dir is not None:
            lines.append(f"{pad}<dir path='{escape_text(self.source_dir)}'/>")
        if ADAPTER in parts and self.adapter is not None:
            lines += self._adapter_lines(pad)
        if NAME in parts and self.source_name is not None:
            lines.append(f"{pad}<name>{escape_text(self.source_name)}</name>")
        if INITIATOR in parts and self.initiator is not None:
            lines += [f"{pad}<initiator>", f"{pad}  <iqn name='{escape_text(self.initiator)}'/>", f"{pad}</initiator>"]
        if self.kind.formats and self.source_format is not None:
            lines.append(f"{pad}<format type='{self.kind.formats[self.source_format]}'/>")
        if self.auth is not None:
            auth_type, username, secret_type, key, value = self.auth
            opening = (
                f"<auth username='{escape_text(username)}'>"
                if auth_type == "none"
                else f"<auth type='{auth_type}' username='{escape_text(username)}'>"
            )
            secret = f"<secret type='{secret_type}'" if secret_type is not None else "<secret"
            lines += [pad + opening, f"{pad}  {secret} {key}='{escape_text(value)}'/>", f"{pad}</auth>"]
        for tag, attribute, value in (
            ("protocol", "ver", self.protocol_version),
            ("vendor", "name", self.vendor),
            ("product", "name", self.product),
        ):
            if value is not None:
                lines.append(f"{pad}<{tag} {attribute}='{escape_text(value)}'/>")
        return [*lines, "  </source>"]

    def _adapter_lines(self, pad: str) -> list[str]:
        adapter = self.adapter or {}
        kind = adapter["type"]
        if kind == "fc_host":
            attributes = "".join(
                f" {name}='{escape_text(adapter[name])}'"
                for name in ("parent", "parent_wwnn", "parent_wwpn", "parent_fabric_wwn", "managed")
                if adapter.get(name) is not None
            )
            return [f"{pad}<adapter type='fc_host'{attributes} wwnn='{adapter['wwnn']}' wwpn='{adapter['wwpn']}'/>"]
        if adapter.get("name") is not None:
            return [f"{pad}<adapter type='scsi_host' name='{adapter['name']}'/>"]
        unique_id, address = self.adapter_parent_address or (0, etree.Element("address"))
        values = {name: int(address.get(name, "0"), 0) for name in ("domain", "bus", "slot", "function")}
        return [
            f"{pad}<adapter type='scsi_host'>",
            f"{pad}  <parentaddr unique_id='{unique_id}'>",
            f"{pad}    <address domain='0x{values['domain']:04x}' bus='0x{values['bus']:02x}' "
            f"slot='0x{values['slot']:02x}' function='0x{values['function']:x}'/>",
            f"{pad}  </parentaddr>",
            f"{pad}</adapter>",
        ]


def _tristate(element: etree._Element, attribute: str) -> str | None:
    value = element.get(attribute)
    if value is None:
        return None
    if value not in TRISTATE:
        detail = f"Invalid value for attribute '{attribute}' in element '{element.tag}': '{value}'."
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return value


def _parse_source(source: etree._Element, definition: PoolDefinition) -> None:
    """virStoragePoolDefParseSource."""
    kind = definition.kind
    definition.source_name = _text(source.find("name"))
    if definition.type == "rbd" and definition.source_name is None:
        raise xml_error("element 'name' is mandatory for RBD pool")
    if kind.formats:
        format_name = _text(source.find("format"), "type")
        if format_name is None:
            definition.source_format = kind.default_format
        elif format_name in kind.formats:
            definition.source_format = kind.formats.index(format_name)
        else:
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, FROM_STORAGE, f"unknown pool format type {format_name}")
    for host in source.findall("host"):
        name = host.get("name")
        if name is None:
            raise xml_error("missing storage pool host name")
        definition.hosts.append((name, prop_int(host, "port") or 0))
    definition.initiator = _text(source.find("initiator/iqn"), "name")
    for device in source.findall("device"):
        path = device.get("path")
        if path is None:
            raise xml_error("missing storage pool source device path")
        definition.devices.append((path, _tristate(device, "part_separator")))
    directory = _text(source.find("dir"), "path")
    if directory is not None:
        definition.source_dir = sanitize_path(directory)
    if definition.source_dir is None and definition.type == "gluster":
        definition.source_dir = "/"
    adapter = source.find("adapter")
    if adapter is not None:
        _parse_adapter(adapter, definition)
    auth = source.find("auth")
    if auth is not None:
        definition.auth = _parse_auth(auth)
    definition.protocol_version = _text(source.find("protocol"), "ver")
    if definition.protocol_version is not None:
        fs_format = POOL_TYPES["netfs"].formats[definition.source_format or 0] if definition.type == "netfs" else None
        if fs_format not in ("nfs", "auto"):
            detail = f"storage pool protocol ver unsupported for pool type '{fs_format or '(null)'}'"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, FROM_STORAGE, detail)
        if "," in definition.protocol_version:
            detail = f"storage pool protocol ver '{definition.protocol_version}' must not contain ','"
            raise report(api.VIR_ERR_XML_DETAIL, FROM_STORAGE, detail)
    definition.vendor = _text(source.find("vendor"), "name")
    definition.product = _text(source.find("product"), "name")


def _parse_adapter(adapter: etree._Element, definition: PoolDefinition) -> None:
    """virStorageAdapterParseXML (a missing type: the legacy form, a SCSI host by name)."""
    kind = adapter.get("type")
    if kind is not None and kind not in ("scsi_host", "fc_host"):
        detail = f"Invalid value for attribute 'type' in element 'adapter': '{kind}'."
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    if kind is None:
        if any(adapter.get(name) is not None for name in ("wwnn", "wwpn", "parent")):
            raise xml_error("Use of 'wwnn', 'wwpn', and 'parent' attributes requires use of the adapter 'type'")
        if adapter.find("parentaddr") is not None:
            raise xml_error("Use of 'parentaddr' element requires use of the adapter 'type'")
        if adapter.get("name") is not None:
            definition.adapter = {"type": "scsi_host", "name": adapter.get("name", "")}
        return
    values = {"type": kind}
    if kind == "fc_host":
        managed = _tristate(adapter, "managed")
        for name in ("parent", "parent_wwnn", "parent_wwpn", "parent_fabric_wwn", "wwpn", "wwnn"):
            if adapter.get(name) is not None:
                values[name] = adapter.get(name, "")
        if managed is not None:
            values["managed"] = managed
    else:
        if adapter.get("name") is not None:
            values["name"] = adapter.get("name", "")
        if adapter.find("parentaddr") is not None:
            address = adapter.find("parentaddr/address")
            if address is None:
                raise xml_error("Missing scsi_host PCI address element")
            # virPCIDeviceAddressParseXML's refusals; the numbers kept in decimal
            address = etree.Element("address", {name: str(value) for name, value in pci_values(address).items()})
            unique_id = strtol_whole(adapter.find("parentaddr").get("unique_id", ""))  # virXPathInt
            if unique_id is None or unique_id < 0:
                raise xml_error("Missing or invalid scsi adapter 'unique_id' value")
            definition.adapter_parent_address = (unique_id, address)
    definition.adapter = values


def valid_wwn(text: str) -> bool:
    """virValidateWWN: 16 hex digits, after a "0x" (lower case only)."""
    body = text[2:] if text.startswith("0x") else text
    return len(body) == 16 and all(char in "0123456789abcdefABCDEF" for char in body)


def _check_adapter(definition: PoolDefinition) -> None:
    """virStorageAdapterValidate."""
    adapter = definition.adapter
    if adapter is None:
        raise xml_error("missing storage pool source adapter")
    if adapter["type"] == "fc_host":
        if "wwnn" not in adapter or "wwpn" not in adapter:
            raise xml_error("'wwnn' and 'wwpn' must be specified for adapter type 'fchost'")
        for name in ("wwnn", "wwpn", "parent_wwnn", "parent_wwpn", "parent_fabric_wwn"):
            if name in adapter and not valid_wwn(adapter[name]):
                raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_NONE, f"Malformed wwn: {adapter[name]}")
            if name == "wwpn" and "parent_wwnn" in adapter and "parent_wwpn" not in adapter:
                detail = f"when providing parent_wwnn='{adapter['parent_wwnn']}', the parent_wwpn must also be provided"
                raise xml_error(detail)
            if name == "wwpn" and "parent_wwpn" in adapter and "parent_wwnn" not in adapter:
                detail = f"when providing parent_wwpn='{adapter['parent_wwpn']}', the parent_wwnn must also be provided"
                raise xml_error(detail)
    else:
        has_parent = definition.adapter_parent_address is not None
        if "name" not in adapter and not has_parent:
            raise xml_error("Either 'name' or 'parent' must be specified for the 'scsi_host' adapter")
        if "name" in adapter and has_parent:
            raise xml_error("Both 'name' and 'parent' cannot be specified for the 'scsi_host' adapter")


def _parse_auth(auth: etree._Element) -> tuple[str, str, str | None, str, str]:
    """virStorageAuthDefParse, then a pool's rule that the type is required."""
    username = auth.xpath("string(./@username)") or None
    if username is None:
        raise xml_error("missing username for auth")
    auth_type = auth.xpath("string(./@type)") or "none"
    if auth_type not in AUTH_TYPES:
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, FROM_STORAGE, f"unknown auth type '{auth_type}'")
    secret = auth.find("secret")
    if secret is None:
        raise xml_error("Missing <secret> element in auth")
    key, value = secret_lookup(secret.get("uuid"), secret.get("usage"))
    if auth_type == "none":
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, FROM_STORAGE, "storage pool missing auth type")
    return auth_type, username, secret.get("type"), key, value


def parse_source_specification(root: etree._Element, pool_type: str) -> PoolDefinition:
    """virStoragePoolDefParseSource of a parsed <source> alone, read as a pool_type pool's
    (find-storage-pool-sources); an unknown type has no options to read it with."""
    if pool_type not in POOL_TYPES:  # virStoragePoolTypeFromString gave -1
        raise report(api.VIR_ERR_INTERNAL_ERROR, FROM_STORAGE, "missing backend for pool type -1")
    definition = PoolDefinition(pool_type, "", b"")
    _parse_source(root, definition)
    return definition


def parse_pool_definition(root: etree._Element, uuid_of_pool: bytes | None) -> PoolDefinition:
    """virStoragePoolDefParseXML of a parsed <pool>; uuid_of_pool: the UUID read (or made)."""
    pool_type = root.get("type")
    if pool_type is None:
        raise missing_attribute("pool", "type")
    if pool_type not in POOL_TYPES:
        detail = f"Invalid value for attribute 'type' in element 'pool': '{pool_type}'."
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    definition = PoolDefinition(pool_type, "", b"")
    kind = definition.kind
    source = root.find("source")
    if source is not None:
        _parse_source(source, definition)
    elif kind.formats:
        definition.source_format = kind.default_format
    name = _text(root.find("name"))
    if name is None and NAME in kind.parts:
        name = definition.source_name
    if name is None:
        raise xml_error("missing pool source name element")
    if "/" in name:
        raise xml_error(f"name {name} cannot contain '/'")
    definition.name = name
    uuid_text = _text(root.find("uuid"))
    if uuid_text is not None and parse_uuid(uuid_text) is None:
        raise xml_error("malformed uuid element")
    definition.uuid = uuid_of_pool or b""
    cow = root.find("features/cow")
    if cow is not None and (state := _tristate(cow, "state")) is not None:
        if pool_type not in ("fs", "dir"):
            raise report(api.VIR_ERR_NO_SUPPORT, FROM_STORAGE, "cow feature may only be used for 'fs' and 'dir' pools")
        definition.cow = state
    if HOST in kind.parts and not definition.hosts:
        raise xml_error("missing storage pool source host name")
    if DIR in kind.parts and definition.source_dir is None:
        raise xml_error("missing storage pool source path")
    if NAME in kind.parts and definition.source_name is None:
        definition.source_name = name
    if ADAPTER in kind.parts:
        _check_adapter(definition)
    if kind.parts == {DEVICE} and not definition.devices:
        raise xml_error("missing storage pool source device name")
    if NETWORK not in kind.parts:
        if pool_type == "logical":
            target = f"/dev/{definition.source_name}"
        elif pool_type == "zfs":
            target = f"/dev/zvol/{definition.source_name}"
        else:
            path = _text(root.find("target/path"))
            if path is None:
                raise xml_error("missing storage pool target path")
            target = path
        definition.target_path = sanitize_path(target)
        definition.permissions = parse_permissions(root.find("target/permissions"))
    if pool_type == "iscsi-direct" and definition.initiator is None:
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, FROM_STORAGE, "missing initiator IQN")
    refresh = _text(root.find("refresh/volume"), "allocation")
    if refresh is not None:
        if refresh not in REFRESH_ALLOCATIONS:
            detail = f"unknown storage pool volume refresh allocation type {refresh}"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, FROM_STORAGE, detail)
        definition.refresh_allocation = refresh
    return definition
