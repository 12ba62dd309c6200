"""A disk's storage source as libvirt keeps it from a definition (virDomainStorageSourceParse
and the disk post-parse, parse flag INACTIVE): what is dropped, defaulted and reordered in
<source>, <backingStore> and <driver>, and the checks that go with them."""

from __future__ import annotations

from lxml import etree

from virtrio.drivers.libvirt_rules import scaled_value
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .xml_tree import reorder_attributes

# virStorageSourceNetworkDefaultPort: a TCP host without a port gets its protocol's
DEFAULT_PORTS = {
    **{"http": 80, "https": 443, "ftp": 21, "ftps": 990, "tftp": 69, "sheepdog": 7000},
    **{"nbd": 10809, "ssh": 22, "iscsi": 3260, "gluster": 24007, "vxhs": 9999},
}

# virDomainDiskSourceFormat: the attributes of <source> in the order each storage type writes them
SOURCE_ATTRIBUTES = {
    "file": ["file", "fdgroup"],
    "block": ["dev"],
    "dir": ["dir"],
    "network": ["protocol", "name", "query", "tls", "tlsHostname"],
    "volume": ["pool", "volume", "mode"],
    "nvme": ["type", "namespace", "managed"],
    "vhostuser": ["type", "path"],
}
HOST_ATTRIBUTES = ["name", "port", "transport", "socket"]
BACKING_STORE_CHILDREN = ["format", "source", "backingStore"]


def xml_error(detail: str) -> Exception:
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, detail)


def canonical_disk_storage(disk: etree._Element) -> None:
    """The parts of a <disk> that describe its storage, as a defined domain keeps them."""
    source = disk.find("source")
    if source is None:
        disk.set("type", "file")  # virDomainDiskDefParseXML: no <source>, a file disk without a path
    else:
        canonical_source(source, disk.get("type", "file"))
    mirror = disk.find("mirror")
    if mirror is not None:  # block job state: read only from a running domain's status XML
        disk.remove(mirror)
    target = disk.find("target")
    if target is not None and target.get("tray") == "closed":  # the default, never written
        del target.attrib["tray"]
    driver = disk.find("driver")
    if driver is not None:
        if driver.get("cache") == "default":  # the enum's zero value, not written
            del driver.attrib["cache"]
        _canonical_metadata_cache(driver)
    if disk.get("snapshot") == "no" and (disk.get("device") == "cdrom" or disk.find("readonly") is not None):
        del disk.attrib["snapshot"]  # implied by a read-only disk; libvirt writes it only otherwise
    backing = disk.find("backingStore")
    if backing is not None:
        canonical_backing_store(backing)


def canonical_source(source: etree._Element, storage_type: str) -> None:
    source.attrib.pop("index", None)  # a node index: kept only in a running domain's status XML
    if storage_type == "network":
        protocol = source.get("protocol")
        if protocol == "iscsi":
            with_default_lun(source)
        for host in source.iterfind("host"):
            if host.get("transport", "tcp") == "tcp":
                host.attrib.pop("transport", None)
                if not host.get("port") or host.get("port") == "0":
                    port = DEFAULT_PORTS.get(protocol or "")
                    if port is None:
                        host.attrib.pop("port", None)
                    else:
                        host.set("port", str(port))
            reorder_attributes(host, HOST_ATTRIBUTES)
    order = SOURCE_ATTRIBUTES.get(storage_type)
    if order is not None:
        reorder_attributes(source, [*order, "startupPolicy"])


def canonical_backing_store(backing: etree._Element) -> None:
    """virDomainDiskBackingStoreParse and its formatter: format, source, then the next layer."""
    storage_type = backing.get("type")
    if storage_type is None:  # the chain's terminator: an empty element
        backing.attrib.clear()
        for child in list(backing):
            backing.remove(child)
        return
    backing.attrib.pop("index", None)
    format_element = backing.find("format")
    if format_element is None or not format_element.get("type"):
        raise xml_error("missing disk backing store format")
    source = backing.find("source")
    if source is None:
        raise xml_error("missing disk backing store source")
    canonical_source(source, storage_type)
    _canonical_metadata_cache(format_element)
    children = [backing.find(tag) for tag in BACKING_STORE_CHILDREN]
    for child in list(backing):
        backing.remove(child)
    backing.extend(child for child in children if child is not None)
    following = backing.find("backingStore")
    if following is not None:
        canonical_backing_store(following)


def _canonical_metadata_cache(parent: etree._Element) -> None:
    """<metadata_cache><max_size> is a scaled value, written in bytes (dropped when zero)."""
    cache = parent.find("metadata_cache")
    if cache is None:
        return
    size = cache.find("max_size")
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
