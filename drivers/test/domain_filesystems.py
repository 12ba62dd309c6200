"""Test driver: a domain <filesystem>'s source and target as libvirt reads and writes them
(virDomainFSDefParseXML, virDomainFSDefValidate, virDomainFSDefFormat in domain_conf.c and
domain_validate.c): the one source attribute each type reads (or a socket), the target
directory alone, and the refusals when either is missing; the driver and virtiofs' binary as
libvirt writes them."""

from __future__ import annotations

from lxml import etree

from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .domain_interfaces import VIRTIO_OPTIONS
from .xml_tree import children_of, first_child, make_element

# the <source> attribute each filesystem type reads as its source (RAM and volume sources
# are read elsewhere: a size, a storage pool's volume)
SOURCE_ATTRIBUTES = {"mount": "dir", "bind": "dir", "block": "dev", "file": "file", "template": "name"}


def canonical_source_and_target(filesystem: etree._Element) -> None:
    kind = filesystem.get("type", "mount")
    source_element = first_child(filesystem, "source")
    attribute = SOURCE_ATTRIBUTES.get(kind)
    source = source_element.get(attribute) if source_element is not None and attribute else None
    socket = source_element.get("socket") if source_element is not None else None
    target_element = first_child(filesystem, "target")
    target = (target_element.get("dir") or None) if target_element is not None else None  # (empty: absent)
    if attribute is not None:
        if source is None and socket is None:
            raise report(api.VIR_ERR_NO_SOURCE, api.VIR_FROM_DOMAIN, target)
        # a socket is written instead of a directory; other types write only their source
        written: dict[str, str] = {}
        if socket is not None and kind in ("mount", "bind"):
            written["socket"] = socket
        elif source is not None:
            written[attribute] = source
        if source_element is None or source_element.attrib != written or len(source_element):
            _replace(filesystem, source_element, make_element("source", **written) if written else None)
    if target is None:
        raise report(api.VIR_ERR_NO_TARGET, api.VIR_FROM_DOMAIN, source or socket)  # virDomainFSDefValidate
    if len(filesystem) > 2 and first_child(filesystem, "boot") is not None:  # (and then its boot order)
        driver = first_child(filesystem, "driver")
        if driver is None or driver.get("type") != "virtiofs":
            raise report(
                api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, "boot order is only supported for virtiofs"
            )
    if target_element is not None and (target_element.keys() != ["dir"] or len(target_element)):
        _replace(filesystem, target_element, make_element("target", dir=target))


def _replace(parent: etree._Element, old: etree._Element | None, new: etree._Element | None) -> None:
    if old is None:
        if new is not None:
            parent.append(new)
        return
    if new is None:
        parent.remove(old)
        return
    new.tail = old.tail
    parent.replace(old, new)


def read_driver_and_binary(filesystem: etree._Element) -> None:
    """virDomainFSDefFormat's <driver> and <binary>: a driver without a type writes its virtio
    options alone (nothing when it has none), the queue and the binary are virtiofs' only, and
    a binary's thread pool without a size is not written."""
    driver = first_child(filesystem, "driver")
    kind = driver.get("type") if driver is not None else None
    if driver is not None and kind in (None, "default"):
        options = {name: driver.get(name, "") for name in VIRTIO_OPTIONS if driver.get(name) is not None}
        if not options:
            filesystem.remove(driver)
        elif driver.attrib != options or len(driver):
            _replace(filesystem, driver, make_element("driver", **options))
    elif driver is not None and kind != "virtiofs" and driver.get("queue") is not None:
        del driver.attrib["queue"]
    for binary in children_of(filesystem, "binary"):
        if kind != "virtiofs":
            filesystem.remove(binary)
            continue
        for pool in children_of(binary, "thread_pool"):
            if not pool.get("size"):
                binary.remove(pool)
