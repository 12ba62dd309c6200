"""A disk's storage source as libvirt keeps it from a definition (virDomainStorageSourceParse
and the disk post-parse, parse flag INACTIVE): what is dropped, defaulted and reordered in
<source>, <backingStore> and <driver>, and the checks that go with them."""

from __future__ import annotations

import collections

from lxml import etree

from virtrio.drivers.libvirt_rules import (
    ULLONG_MAX,
    missing_attribute,
    parse_uuid,
    prop_enum,
    prop_uint,
    scaled_value,
    strtoul_whole,
)
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .domain_addresses import SMALL_NUMBERS, canonical_pci_source_address
from .domain_errors import config_unsupported as _unsupported
from .domain_security import device_seclabels
from .volume_definition import encryption_format
from .xml_tree import children_of, first_child, make_element, reorder_attributes, reorder_known

# virStorageSourceNetworkDefaultPort: a TCP host without a port gets its protocol's
DEFAULT_PORTS = {
    **{"http": 80, "https": 443, "ftp": 21, "ftps": 990, "tftp": 69, "sheepdog": 7000},
    **{"nbd": 10809, "ssh": 22, "iscsi": 3260, "gluster": 24007, "vxhs": 9999},
}

# virStorageNetProtocol
NETWORK_PROTOCOLS = ("none", "nbd", "rbd", "sheepdog", "gluster", "iscsi", "http", "https", "ftp", "ftps", "tftp")
NETWORK_PROTOCOLS += ("ssh", "vxhs", "nfs")
# virDomainDiskSourceFormat: the attributes of <source> in the order each storage type writes them
SOURCE_ATTRIBUTES = {
    "file": ["file", "fdgroup"],
    "block": ["dev"],
    "dir": ["dir"],
    "network": ["protocol", "name", "query", "tls", "tlsHostname"],
    "volume": ["pool", "volume", "mode"],
    "nvme": ["type", "managed", "namespace"],
    "vhostuser": ["type", "path"],
}
# (each written with startupPolicy last: one list per type, its ranks found at once)
_SOURCE_ATTRIBUTE_ORDERS = {kind: [*names, "startupPolicy"] for kind, names in SOURCE_ATTRIBUTES.items()}
HOST_ATTRIBUTES = ["name", "port", "transport", "socket"]
HOST_TRANSPORTS = ("tcp", "unix", "rdma")  # virStorageNetHostTransport
BACKING_STORE_CHILDREN = ["format", "source", "backingStore"]


def xml_error(detail: str) -> Exception:
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, detail)


def canonical_disk_storage(
    disk: etree._Element, first: dict[object, etree._Element] | None = None, disk_type: str | None = None
) -> str:
    """The parts of a <disk> that describe its storage, as a defined domain keeps them (first:
    the disk's first child of each tag, when the caller has them listed; disk_type: its type,
    when the caller has read it); returns its type, as it then stands."""
    if first is None:
        first = {}
        for found in disk:  # the first child of each tag, in one pass (nothing below adds or moves them)
            first.setdefault(found.tag, found)
    source = first.get("source")
    if source is None:
        # virDomainDiskDefParseXML: no <source>, a file disk without a path
        disk.set("type", disk_type := "file")
    else:
        if disk_type is None:
            disk_type = disk.get("type", "file")
        if not canonical_source(source, disk_type):  # virXMLFormatElement writes no empty element
            disk.remove(source)
    if "auth" in first or "encryption" in first:  # (their older place: read after the source)
        check_secrets(disk)
    mirror = first.get("mirror")
    if mirror is not None:  # block job state: read only from a running domain's status XML
        disk.remove(mirror)
    target = first.get("target")
    if target is not None and target.get("tray") == "closed":  # the default, never written
        del target.attrib["tray"]
    driver = first.get("driver")
    if driver is not None:
        if driver.get("cache") == "default":  # the enum's zero value, not written
            del driver.attrib["cache"]
        if len(driver):  # (most drivers have no children: no cache to read)
            _canonical_metadata_cache(driver)
    if disk.get("snapshot") == "no" and (disk.get("device") == "cdrom" or "readonly" in first):
        del disk.attrib["snapshot"]  # implied by a read-only disk; libvirt writes it only otherwise
    backing = first.get("backingStore")
    if backing is not None:
        canonical_backing_store(backing)
    return disk_type


def canonical_source(source: etree._Element, storage_type: str) -> bool:
    """A disk's (or backing store's) <source> as libvirt reads and writes it; False when it is
    left with nothing to write (no attribute, no child)."""
    if not len(source):
        names = source.keys()
        # (most) local storage's path alone, not empty: nothing read of it changes it
        if len(names) == 1 and names[0] == _LOCAL_PATH_ATTRIBUTES.get(storage_type) and source.get(names[0]):
            return True
    if source.get("index") is not None:  # a node index: kept only in a running domain's status XML
        del source.attrib["index"]
    if not len(source):  # (most sources: no children, so no labels)
        pass
    elif storage_type != "network":  # (a network source's: after its secrets, below)
        device_seclabels(source)
    if storage_type == "volume":
        _check_pool_source(source)
    elif storage_type == "nvme":
        _read_nvme_source(source)
    elif storage_type == "vhostuser":
        _check_vhostuser_source(source)
    if storage_type == "network":
        check_network_source(source)
        protocol = source.get("protocol")
        if protocol == "iscsi":
            with_default_lun(source)
        for host in source.iterchildren("host"):
            transport, text = host.get("transport", "tcp"), host.get("port")
            # the port as read (checked above; a unix socket's is not read), a TCP host's default for none
            port = strtoul_whole(text, 10) or 0 if text is not None and transport != "unix" else 0
            if transport == "tcp":
                host.attrib.pop("transport", None)
                port = port or DEFAULT_PORTS.get(protocol or "", 0)
            if port:
                host.set("port", str(port))
            elif text is not None:
                del host.attrib["port"]
            reorder_attributes(host, HOST_ATTRIBUTES)
    if len(source):  # (most sources have no children)
        if storage_type != "network":
            for host in children_of(source, "host"):  # read for network sources only
                source.remove(host)
        else:
            for tag, name in NETWORK_SOURCE_NAMES:
                named = children_of(source, tag)
                if named:
                    _keep_named(source, named, tag, name)
            _read_initiator_and_transfer(source)
        check_secrets(source)
        reservations = first_child(source, "reservations")
        if reservations is not None:
            _check_reservations(reservations)
        if first_child(source, "slices") is not None:
            _canonical_slices(source)
        if storage_type == "network":  # its labels are read (and refused) as any source's, but not written
            device_seclabels(source)
            for label in children_of(source, "seclabel"):
                source.remove(label)
        children = source[:]  # (what is left: the slices may have gone)
        if len(children) > 1 or (children and children[0].tag not in SOURCE_CHILDREN[storage_type == "network"]):
            reorder_known(source, SOURCE_CHILD_ORDERS[storage_type == "network"])
    names = source.keys()
    path_name = SOURCE_PATH_ATTRIBUTES.get(storage_type)
    if path_name in names and not source.get(path_name):  # an empty path is none (virDomainStorageSourceParse)
        del source.attrib[path_name]
        names = source.keys()
    if "startupPolicy" in names:  # (virXMLPropEnum, NONZERO)
        prop_enum(source, "startupPolicy", STARTUP_POLICIES)
    order = _SOURCE_ATTRIBUTE_ORDERS.get(storage_type)
    if order is not None:
        for name in names:
            if name not in order:  # only the storage type's attributes are read (rare: others)
                for unread in [name for name in names if name not in order]:
                    del source.attrib[unread]
                names = source.keys()
                break
        if len(names) > 1:  # (one is in order)
            reorder_attributes(source, order)
    return bool(names) or bool(len(source))


# the attribute holding each storage type's path (src->path)
SOURCE_PATH_ATTRIBUTES = {"file": "file", "block": "dev", "dir": "dir", "network": "name"}
_LOCAL_PATH_ATTRIBUTES = {kind: name for kind, name in SOURCE_PATH_ATTRIBUTES.items() if kind != "network"}
STARTUP_POLICIES = ("mandatory", "requisite", "optional")  # virDomainStartupPolicy without its zero
STORAGE_TYPES = ("file", "block", "dir", "network", "volume", "nvme", "vhostuser")  # virStorageType, NONZERO
STORAGE_TYPES_WITH_NONE = ("none", *STORAGE_TYPES)  # virStorageType where "none" reads as 0
# virStorageFileFormat without 'none'
STORAGE_FORMATS = ("raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop", "cow", "qcow")
STORAGE_FORMATS += ("qcow2", "qed", "vmdk")

# The children of a source libvirt writes (virDomainDiskSourceFormat), in its order: a network
# source's (True), then any source's (an NVMe address, a vhost-user reconnect); no others.
_ANY_SOURCE_CHILDREN = ["slices", "seclabel", "auth", "encryption", "reservations"]
_NETWORK_SOURCE_CHILDREN = [
    "host",
    "identity",
    "snapshot",
    "config",
    "initiator",
    "ssl",
    "cookies",
    "readahead",
    "timeout",
]
SOURCE_CHILD_ORDERS = {
    True: [*_NETWORK_SOURCE_CHILDREN, *_ANY_SOURCE_CHILDREN],
    False: ["address", "reconnect", *_ANY_SOURCE_CHILDREN],
}
SOURCE_CHILDREN = {network: frozenset(order) for network, order in SOURCE_CHILD_ORDERS.items()}

# a network source's children libvirt reads one attribute of (string(./tag/@name)): a snapshot
# of an RBD image, a configuration file
NETWORK_SOURCE_NAMES = (("snapshot", "name"), ("config", "file"))


WEB_PROTOCOLS = ("http", "https", "ftp", "ftps")  # the protocols with a read-ahead and a timeout


def _read_initiator_and_transfer(source: etree._Element) -> None:
    """virDomainDiskSourceNetworkParse's initiator (string(./initiator/iqn/@name): written in the
    first one's place when not empty) and, for HTTP and FTP, the read-ahead size and timeout
    (unsigned; 0 or left out: not written)."""
    for child in source[:]:  # (most sources have none of the three: one look at the children)
        tag = child.tag
        if tag == "initiator" or tag == "readahead" or tag == "timeout":
            break
    else:
        return
    initiators = children_of(source, "initiator")
    if initiators:
        # (the first name attribute of any initiator's IQN, in document order)
        names = [
            iqn.get("name") for each in initiators for iqn in children_of(each, "iqn") if iqn.get("name") is not None
        ]
        name = names[0] or "" if names else ""
        if name:
            written = make_element("initiator")
            written.append(make_element("iqn", name=name))
            written.tail = initiators[0].tail
            source.replace(initiators[0], written)
        for initiator in initiators[1:] if name else initiators:
            source.remove(initiator)
    web = source.get("protocol") in WEB_PROTOCOLS
    values: dict[str, int] = {}
    for tag, name in (("readahead", "size"), ("timeout", "seconds")):
        found = children_of(source, tag)
        text = found[0].get(name, "") if found and web else ""
        value = strtoul_whole(text, 10, ULLONG_MAX) if text else 0
        if value is None:
            values["invalid"] = 0
        values[tag] = value or 0
        for element in found[1:] if value else found:
            source.remove(element)
        if value:
            found[0].attrib.clear()
            found[0].set(name, str(value))
            for child in list(found[0]):
                found[0].remove(child)
    if "invalid" in values:
        raise xml_error("invalid readahead size or timeout")


def _keep_named(source: etree._Element, named: list[etree._Element], tag: str, name: str) -> None:
    """The first of the source's tag children to have the attribute, written with it alone in
    the first one's place; nothing when none has it (or it is empty)."""
    value = next((element.get(name) for element in named if element.get(name) is not None), "")
    if value:
        written = make_element(tag, **{name: value})
        written.tail = named[0].tail
        source.replace(named[0], written)
    for element in named[1:] if value else named:
        source.remove(element)


def _canonical_slices(source: etree._Element) -> None:
    """virDomainStorageSourceParseSlices: the first storage slice of the source's <slices>,
    with an offset and a size (virStrToLong_ullp), written alone in the first <slices>'
    place; nothing written without one."""
    groups = children_of(source, "slices")
    storage = next((s for group in groups for s in children_of(group, "slice") if s.get("type") == "storage"), None)
    written = None
    if storage is not None:
        offset, size = storage.get("offset"), storage.get("size")
        if not offset or not size:
            raise xml_error("missing offset or size attribute of slice")
        numbers = {}
        for name, text in (("offset", offset), ("size", size)):
            number = strtoul_whole(text, 10, ULLONG_MAX)
            if number is None:
                raise xml_error(f"malformed value '{text}' of '{name}' attribute of slice")
            numbers[name] = str(number)
        written = make_element("slices")
        written.append(make_element("slice", type="storage", **numbers))
        written.tail = groups[0].tail
        source.replace(groups[0], written)
    for group in groups:
        if group is not groups[0] or written is None:
            source.remove(group)


def _check_pool_source(source: etree._Element) -> None:
    """virDomainDiskSourcePoolDefParse: a pool and a volume, both or neither (a CD-ROM's may
    have none), and a mode libvirt knows."""
    pool, volume = source.get("pool"), source.get("volume")
    if pool is None and volume is None:
        return
    if pool is None or volume is None:
        raise xml_error("'pool' and 'volume' must be specified together for 'pool' type source")
    mode = source.get("mode")
    if mode is not None and mode not in ("host", "direct"):  # (virStorageSourcePoolMode without its zero)
        raise _unsupported(f"unknown source mode '{mode}' for volume type disk")


def _read_nvme_source(source: etree._Element) -> None:
    """virDomainDiskSourceNVMeParse's refusals of a part left out (type, namespace, the PCI
    address), the address written whole (virPCIDeviceAddressFormat), and managed 'yes'
    unless given (the disk post-parse)."""
    if source.get("type") is None:
        raise xml_error("missing 'type' attribute to disk source")
    if source.get("namespace") is None:
        raise xml_error("missing 'namespace' attribute to disk source")
    address = first_child(source, "address")
    if address is None:
        raise xml_error("NVMe disk source is missing address")
    canonical_pci_source_address(address)
    if source.get("managed") is None:
        source.set("managed", "yes")


def _check_vhostuser_source(source: etree._Element) -> None:
    """virDomainDiskSourceVHostUserParse's refusals: a unix socket, with a path, and its
    reconnect (virDomainChrSourceReconnectDefParseXML: a timeout when enabled)."""
    kind = source.get("type")
    if kind is None:
        raise xml_error("missing 'type' attribute for vhostuser disk source")
    if kind != "unix":
        raise xml_error("invalid 'type' attribute for vhostuser disk source")
    if source.get("path") is None:
        raise xml_error("missing 'path' attribute for vhostuser disk source")
    reconnect = first_child(source, "reconnect")
    if reconnect is not None and prop_enum(reconnect, "enabled", ("yes", "no")) == "yes":
        if reconnect.get("timeout") is None:
            raise missing_attribute("reconnect", "timeout")
        prop_uint(reconnect, "timeout")


def _check_reservations(reservations: etree._Element) -> None:
    """virStoragePRDefParseXML's refusals: managed required; an unmanaged one (or one with any
    part of its helper's socket) names the socket's type, path and mode, unix and client."""
    managed = prop_enum(reservations, "managed", ("yes", "no"), required=True)
    socket = first_child(reservations, "source")  # (./source[1]; XPath strings: empty is none)
    kind, path, mode = ((socket.get(name) or None) if socket is not None else None for name in ("type", "path", "mode"))
    if managed == "no" or kind or path or mode:
        for value, missing in ((kind, "connection type"), (path, "path"), (mode, "connection mode")):
            if value is None:
                raise _storage_xml_error(f"missing {missing} for <reservations/>")
    if kind is not None and kind != "unix":
        raise _storage_xml_error(f"unsupported connection type for <reservations/>: {kind}")
    if mode is not None and mode != "client":
        raise _storage_xml_error(f"unsupported connection mode for <reservations/>: {mode}")


def check_network_source(source: etree._Element) -> None:
    """virDomainDiskSourceNetworkParse's refusals of a part left out: the name (NBD's may be),
    a host's name (but a unix socket's), a cookie's name (HTTP and HTTPS only); and an
    <ssl> without verify, not written."""
    protocol = prop_enum(source, "protocol", NETWORK_PROTOCOLS, required=True)
    name = source.get("name")
    if name is None and protocol != "nbd":
        raise xml_error("missing name for disk source")
    if protocol in ("gluster", "rbd") and name is not None and name.find("/") < 1:  # volume/image
        raise xml_error(f"can't split path '{name}' into pool name and image name")
    if not len(source):
        return
    check_network_hosts(children_of(source, "host"))
    ssl = first_child(source, "ssl")
    if ssl is not None and ssl.get("verify") is None:
        source.remove(ssl)
    cookies = first_child(source, "cookies") if protocol in ("http", "https") else None
    if cookies is not None and any(cookie.get("name") is None for cookie in children_of(cookies, "cookie")):
        raise xml_error("missing cookie name")


def check_network_hosts(hosts: list[etree._Element]) -> None:
    """virDomainStorageNetworkParseHost's refusals, host by host."""
    for host in hosts:
        transport, socket = host.get("transport"), host.get("socket")
        if transport is not None and transport not in HOST_TRANSPORTS:
            detail = f"unknown protocol transport type '{transport}'"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
        if transport == "unix" and socket is None:
            raise xml_error("missing socket for unix transport")
        if transport != "unix" and socket is not None:  # (C's printf of NULL: '(null)')
            raise xml_error(f"transport '{transport or '(null)'}' does not support socket attribute")
        if transport != "unix":
            if host.get("name") is None:
                raise xml_error("missing name for host")
            port = host.get("port")
            if port is not None:
                check_port(port)


# virSecretUsageType: what an <auth>'s secret may be for
SECRET_USAGES = ("none", "volume", "ceph", "iscsi", "tls", "vtpm")


def check_iscsi_hostdev_source(source: etree._Element) -> None:
    """virDomainHostdevSubsysSCSIiSCSIDefParseXML's refusals: the source's name, one host,
    and an <auth> whose secret is an iSCSI one."""
    if source.get("name") is None:
        raise xml_error("missing iSCSI hostdev source path name")
    hosts = children_of(source, "host")
    check_network_hosts(hosts)
    if not hosts:
        raise xml_error("missing the host address for the iSCSI hostdev")
    if len(hosts) > 1:
        raise xml_error("only one source host address may be specified for the iSCSI hostdev")
    auth = first_child(source, "auth")
    if auth is not None:
        check_secrets(source)  # (virStorageAuthDefParse's own refusals first)
        secret = first_child(auth, "secret")
        kind = secret.get("type") if secret is not None else None
        if kind not in SECRET_USAGES:
            detail = f"invalid secret type {kind if kind is not None else '(null)'}"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
        if kind != "iscsi":
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, f"hostdev invalid secret type '{kind}'")


def check_port(text: str) -> None:
    """virStringParsePort's refusals."""
    port = strtoul_whole(text, 10)
    if port is None:
        raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_NONE, f"failed to parse port number '{text}'")
    if port > 65535:
        raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_NONE, f"port '{text}' out of range")


def _storage_xml_error(detail: str) -> Exception:
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_STORAGE, detail)


def check_secrets(parent: etree._Element) -> None:
    """virStorageAuthDefParse and virStorageEncryptionParseNode: the <auth> of a source (or of
    its disk) names a user and has a <secret>; that secret, and an encryption's, names the
    secret by UUID or by usage (virSecretLookupParseSecret)."""
    auth = first_child(parent, "auth")
    if auth is not None:
        if not auth.get("username"):  # (string(./@username): empty is none)
            raise _storage_xml_error("missing username for auth")
        secret = first_child(auth, "secret")
        if secret is None:
            raise _storage_xml_error("Missing <secret> element in auth")
        _check_secret_lookup(secret)
    encryption = first_child(parent, "encryption")
    if encryption is not None:
        encryption_format(encryption)
        prop_enum(encryption, "engine", ("qemu", "librbd"))  # (NONZERO: not 'default')
        for secret in children_of(encryption, "secret"):
            kind = secret.get("type")
            if not kind:  # virStorageEncryptionSecretParse
                raise _storage_xml_error("unknown volume encryption secret type")
            if kind != "passphrase":  # (virStorageEncryptionSecretType's one value)
                detail = f"unknown volume encryption secret type {kind}"
                raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_STORAGE, detail)
            _check_secret_lookup(secret)


def _check_secret_lookup(secret: etree._Element) -> None:
    """virSecretLookupParseSecret: a UUID (virUUIDParse) or a usage, not both."""
    uuid, usage = secret.get("uuid"), secret.get("usage")
    if uuid is None and usage is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, "missing secret uuid or usage attribute")
    if uuid is not None and usage is not None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, "either secret uuid or usage expected")
    if uuid is not None and parse_uuid(uuid) is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, f"invalid secret uuid '{uuid}'")


def canonical_backing_store(backing: etree._Element) -> None:
    """virDomainDiskBackingStoreParse and its formatter: format, source, then the next layer."""
    storage_type = backing.get("type")
    if storage_type is None:  # the chain's terminator: an empty element
        backing.attrib.clear()
        for child in list(backing):
            backing.remove(child)
        return
    backing.attrib.pop("index", None)
    format_element = first_child(backing, "format")
    if format_element is None or not format_element.get("type"):
        raise xml_error("missing disk backing store format")
    source = first_child(backing, "source")
    if source is None:
        raise xml_error("missing disk backing store source")
    if storage_type not in STORAGE_TYPES:  # virDomainStorageSourceParseBase
        raise xml_error(f"unknown storage source type '{storage_type}'")
    if format_element.get("type") not in STORAGE_FORMATS:
        raise xml_error(f"unknown storage source format '{format_element.get('type')}'")
    if not canonical_source(source, storage_type):  # nothing to write: no element
        backing.remove(source)
    _canonical_metadata_cache(format_element)
    children = [first_child(backing, tag) for tag in BACKING_STORE_CHILDREN]
    for child in list(backing):
        backing.remove(child)
    backing.extend(child for child in children if child is not None)
    following = first_child(backing, "backingStore")
    if following is not None:
        canonical_backing_store(following)


def _canonical_metadata_cache(parent: etree._Element) -> None:
    """<metadata_cache><max_size> is a scaled value, written in bytes (dropped when zero)."""
    cache = first_child(parent, "metadata_cache")
    if cache is None:
        return
    size = first_child(cache, "max_size")
    if size is None:  # nothing inside: an empty element is not written
        parent.remove(cache)
        return
    value = scaled_value(size.text, size.get("unit"), 1)
    if value is None:
        raise xml_error("invalid value for 'max_size'")
    for child in list(cache):
        cache.remove(child)
    if not value:
        parent.remove(cache)
        return
    written = etree.SubElement(cache, "max_size", unit="bytes")
    written.text = str(value)


def with_default_lun(source: etree._Element) -> None:
    """virDomainPostParseCheckISCSIPath: an iSCSI target without '/LUN' means LUN 0 (disks
    and SCSI host devices alike)."""
    name = source.get("name")
    if name is not None and "/" not in name:
        source.set("name", f"{name}/0")


# --- checks ---------------------------------------------------------------------------

SECRET_USAGES = ("none", "volume", "ceph", "iscsi", "tls", "vtpm")  # virSecretUsageType
NO_AUTH_PROTOCOLS = ("nbd", "sheepdog", "gluster", "tftp", "vxhs", "nfs")
PROTOCOL_SECRET = {"iscsi": "iscsi", "rbd": "ceph"}  # the secret usage each protocol's auth needs


def check_parsed_storage(disk: etree._Element, first: dict[object, etree._Element]) -> None:
    """What virDomainDiskDefParseXML refuses while reading: <auth> or <encryption> given both in
    <source> and in <disk>; and the post-parse feature check (the test driver passes no fds).
    first: the disk's first child of each tag."""
    source = first.get("source")
    if source is None:
        return  # (nothing to refuse without a source)
    if "auth" in first or "encryption" in first:  # (most disks have neither)
        for tag in ("auth", "encryption"):
            if tag in first and first_child(source, tag) is not None:
                raise _unsupported(f"an <{tag}> definition already found for disk source")
    if source.get("fdgroup") is not None and disk.get("type", "file") == "file":
        target = first.get("target")
        name = target.get("dev") if target is not None else None
        raise _unsupported(f"driver does not support FD passing for disk '{name or '(null)'}'")


def missing_target(disk: etree._Element) -> Exception:
    """virDomainDiskDefValidate's first check, naming the disk by its source."""
    source = first_child(disk, "source")
    if disk.get("type") == "volume" and source is not None:
        detail: str | None = f"pool = '{source.get('pool')}', volume = '{source.get('volume')}'"
    else:
        detail = source_path(disk)
    return report(api.VIR_ERR_NO_TARGET, api.VIR_FROM_DOMAIN, detail)


def source_path(disk: etree._Element) -> str | None:
    """virDomainDiskGetSource: the path (or network name) of the disk's top layer."""
    source = first_child(disk, "source")
    if source is None:
        return None
    # (a vhost-user disk keeps its socket apart: its src->path is NULL)
    attribute = {"file": "file", "block": "dev", "dir": "dir", "network": "name"}
    name = attribute.get(disk.get("type", "file"))
    path = source.get(name) if name else None
    if path and name == "name" and source.get("protocol") in ("gluster", "rbd"):
        # libvirt keeps the volume (pool) apart: the path is what follows the first '/'
        path = path.partition("/")[2] or None
    return path


def validate_storage(
    disk: etree._Element, first: dict[object, etree._Element] | None = None, disk_type: str | None = None
) -> None:
    """virDomainDiskDefValidateSourceChainOne for the top layer: authentication and encryption
    (first: the disk's first child of each tag, when the caller has them listed; disk_type:
    the disk's type, when the caller has read it)."""
    if first is None:
        first = {}
        for found in disk.iterchildren("source", "auth", "encryption"):  # one pass for the three
            first.setdefault(found.tag, found)
    source = first.get("source")
    auth = first.get("auth")
    if auth is None and source is not None:
        auth = first_child(source, "auth")
    if auth is not None and source is not None and (disk_type or disk.get("type")) == "network":
        protocol = source.get("protocol", "")
        if protocol in NO_AUTH_PROTOCOLS:
            raise _unsupported(f"authentication is not supported for protocol '{protocol}'")
        secret = first_child(auth, "secret")
        usage = secret.get("type") if secret is not None else None
        if usage not in SECRET_USAGES:
            raise _unsupported(f"unknown secret type '{usage if usage is not None else '<null>'}'")
        if protocol in PROTOCOL_SECRET and usage != PROTOCOL_SECRET[protocol]:
            raise _unsupported(f"invalid secret type '{usage}'")
    encryption = first.get("encryption")
    if encryption is None and source is not None:
        encryption = first_child(source, "encryption")
    if encryption is not None and encryption.get("format") == "luks":
        cipher = first_child(encryption, "cipher")
        if cipher is not None and cipher.get("name"):
            raise _unsupported("supplying <cipher> for domain disk definition is unnecessary")


def _drive(address: etree._Element | None) -> tuple[int, int, int, int] | None:
    if address is None:
        return None
    get = address.get
    if get("type") != "drive":
        return None
    controller, bus, target, unit = get("controller"), get("bus"), get("target"), get("unit")
    small = SMALL_NUMBERS
    if controller in small and bus in small and target in small and unit in small:  # (most)
        return (small[controller], small[bus], small[target], small[unit])  # type: ignore[index]
    return (_number(controller), _number(bus), _number(target), _number(unit))


def _number(text: str | None) -> int:
    text = (text or "0").strip()
    return int(text) if text.isdigit() else 0


def scsi_hostdev_drives(hostdevs: list[etree._Element]) -> list[tuple[int, int, int, int] | None]:
    """The drive addresses of SCSI host devices (None for the others or without one)."""
    return [
        _drive(first_child(hostdev, "address"))
        if hostdev.get("type") == "scsi" and hostdev.get("mode", "subsystem") == "subsystem"
        else None
        for hostdev in hostdevs
    ]


def check_scsi_drive_free(
    dev: str, address: etree._Element, hostdev_drives: list[tuple[int, int, int, int] | None]
) -> None:
    """virDomainDiskDefAssignAddress on the SCSI bus: the address it picks must not be a host device's."""
    drive = _drive(address)
    if drive is not None and drive in hostdev_drives:
        controller, _, _, unit = drive
        raise _unsupported(
            f"using disk target name '{dev}' conflicts with SCSI host device address "
            f"controller='{controller}' bus='0' target='0' unit='{unit}"
        )


# Each disk's first child of each tag (as _first_children lists them), when a caller has them.
Firsts = list[dict[object, etree._Element]]


def _first_children(disks: list[etree._Element], firsts: Firsts | None, tag: str) -> list[etree._Element | None]:
    """Each disk's first child of that tag."""
    if firsts is not None:
        return [first.get(tag) for first in firsts]
    return [first_child(disk, tag) for disk in disks]


def _disk_children(disks: list[etree._Element], firsts: Firsts | None, tag: str) -> list[etree._Element | None]:
    """Each disk's first child of that tag (a loop: a comprehension is one more call in Python 3.11)."""
    found: list[etree._Element | None] = []
    if firsts is not None:
        for first in firsts:
            found.append(first.get(tag))
        return found
    return _first_children(disks, firsts, tag)


def validate_disk_targets(disks: list[etree._Element], firsts: Firsts | None = None) -> None:
    """virDomainDefDuplicateDiskInfoValidate: no two disks on one target name."""
    if len(disks) < 2:
        return  # nothing to be duplicated
    names: list[str | None] = []
    for target in _disk_children(disks, firsts, "target"):
        names.append(target.get("dev") if target is not None else None)
    # libvirt's pair loop reports the first disk that has a later twin, with its first twin:
    # found in one pass (a pair loop over thousands of disks would hold the event loop)
    first: dict[str | None, int] = {}
    reported: tuple[int, int] | None = None
    for j, name in enumerate(names):
        i = first.setdefault(name, j)
        if i != j and (reported is None or i < reported[0]):
            reported = (i, j)
    if reported is not None:
        i, j = reported
        a, b = source_path(disks[i]) or "<null>", source_path(disks[j]) or "<null>"
        raise xml_error(f"target '{names[i]}' duplicated for disk sources '{a}' and '{b}'")


def validate_drive_addresses(
    disks: list[etree._Element], hostdevs: list[etree._Element], firsts: Firsts | None = None
) -> None:
    """virDomainDefDuplicateDriveAddressesValidate: disks, then SCSI host devices."""
    if len(disks) < 2 and not hostdevs:
        return  # nothing to be duplicated
    targets = _disk_children(disks, firsts, "target")
    buses: list[str | None] = []
    drives: list[tuple[int, int, int, int] | None] = []
    for target, address in zip(targets, _disk_children(disks, firsts, "address"), strict=True):
        buses.append(target.get("bus") if target is not None else None)
        drives.append(_drive(address))
    # libvirt's pair loop reports the first disk with a later twin (same bus and drive),
    # found here in one pass: a pair loop over thousands of disks would hold the event loop
    first: dict[tuple[str | None, tuple[int, int, int, int]], int] = {}
    reported = None
    for j, drive in enumerate(drives):
        if drive is not None:
            i = first.setdefault((buses[j], drive), j)
            if i != j and (reported is None or i < reported):
                reported = i
    if reported is not None:
        controller, bus, target, unit = drives[reported]  # type: ignore[misc]
        found = targets[reported]
        name = found.get("dev") if found is not None else None
        raise _unsupported(
            f"Found duplicate drive address for disk with target name '{name}' "
            f"controller='{controller}' bus='{bus}' target='{target}' unit='{unit}'"
        )
    if not hostdevs:
        return  # (most definitions) no host device's drive to check
    hostdev_drives = scsi_hostdev_drives(hostdevs)
    if not hostdev_drives:
        return
    scsi_disk_drives = {drive for drive, bus in zip(drives, buses, strict=True) if bus == "scsi" and drive is not None}
    later = collections.Counter(hostdev_drives)  # the drives of the host devices not yet checked
    for drive in hostdev_drives:
        later[drive] -= 1
        if drive is None:
            continue
        controller, bus, target, unit = drive
        # libvirt's messages name the bus first and the controller second
        where = f"controller='{bus}' bus='{controller}' target='{target}' unit='{unit}'"
        if later[drive] > 0:
            raise _unsupported(f"SCSI host address {where} in use by another SCSI host device")
        if drive in scsi_disk_drives:
            raise _unsupported(f"SCSI host address {where} in use by another SCSI disk")
