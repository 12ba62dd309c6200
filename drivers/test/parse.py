"""Reading domain XML into the test driver's objects (the parts it keeps so far)."""

from __future__ import annotations

import uuid

from lxml import etree

from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .domain_definition import canonical_definition, kibibytes, xml_error
from .state import Domain, Network, Pool, TestState


def _kib(element: etree._Element | None, default: int) -> int:
    if element is None or not (element.text or "").strip():
        return default
    return kibibytes(element)


def xml_root(text: str, document: str) -> etree._Element:
    """The parsed document, or libvirt's XML error naming it (e.g. "domain_definition")."""
    try:
        return etree.fromstring(text.encode())
    except etree.XMLSyntaxError as error:
        raise report(api.VIR_ERR_XML_DETAIL, api.VIR_FROM_XML, f"({document}):1: {error.msg}") from None


def uuid_of(root: etree._Element, error_domain: int) -> bytes:
    """The <uuid> given, in any form libvirt accepts, or a new random one."""
    raw = root.findtext("uuid")
    try:
        return uuid.UUID(raw.strip()).bytes if raw else uuid.uuid4().bytes
    except ValueError:
        raise report(api.VIR_ERR_XML_ERROR, error_domain, "malformed uuid element") from None


def parse_domain_xml(text: str, state: TestState) -> Domain:
    if any("\udc80" <= c <= "\udcff" for c in text):  # bytes that were not UTF-8
        raise xml_error("the XML is not valid UTF-8")
    root = xml_root(text, "domain_definition")
    if root.tag != "domain":
        raise xml_error(f"unexpected root element <{root.tag}>, expecting <domain>")
    kind = root.get("type")
    if kind is None:
        raise xml_error("missing domain type attribute")
    if kind != "test":
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN,
                     f"Emulator '{kind}' does not support virt type '{kind}'")  # fmt: skip
    name = root.findtext("name")
    if not name:
        raise report(api.VIR_ERR_NO_NAME, api.VIR_FROM_DOMAIN, "missing name information")
    domain_uuid = uuid_of(root, api.VIR_FROM_DOMAIN)
    max_memory = _kib(root.find("memory"), 0)
    memory = _kib(root.find("currentMemory"), max_memory)
    vcpu = root.find("vcpu")
    max_vcpus = int(vcpu.text) if vcpu is not None and (vcpu.text or "").strip().isdigit() else 1
    current = vcpu.get("current") if vcpu is not None else None
    vcpus = int(current) if current and current.isdigit() else max_vcpus
    os_type_element = root.find("os/type")
    os_type = (os_type_element.text or "hvm").strip() if os_type_element is not None else "hvm"
    metadata = {}
    for entry in root.findall("metadata/*"):
        namespace = etree.QName(entry).namespace
        if namespace and namespace not in metadata:  # libvirt keeps the first element per namespace
            metadata[namespace] = etree.tostring(entry, encoding="unicode", with_tail=False)
    return Domain(
        name,
        domain_uuid,
        max_memory=max_memory,
        memory=min(memory, max_memory) if max_memory else memory,
        vcpus=vcpus,
        max_vcpus=max_vcpus,
        title=root.findtext("title"),
        description=root.findtext("description"),
        arch=os_type_element.get("arch", "i686") if os_type_element is not None else "i686",
        os_type=os_type,
        metadata=metadata,
        definition=canonical_definition(root, os_type),
    )


def parse_pool_xml(text: str) -> Pool:
    root = xml_root(text, "storage_pool_definition")
    name = root.findtext("name")
    if not name:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_STORAGE, "missing pool source name element")
    pool_uuid = uuid_of(root, api.VIR_FROM_STORAGE)
    path = root.findtext("target/path") or f"/{name}"
    capacity = 107374182400  # the test driver's pools are all 100 GiB
    permissions = root.find("target/permissions")
    pool = Pool(name, pool_uuid, path, capacity=capacity, allocation=0, available=capacity)
    if permissions is not None:
        pool.permissions = tuple(permissions.findtext(tag) or "" for tag in ("mode", "owner", "group"))
    return pool


def parse_network_xml(text: str) -> Network:
    root = xml_root(text, "network_definition")
    name = root.findtext("name")
    if not name:
        raise report(api.VIR_ERR_NO_NAME, api.VIR_FROM_NETWORK, "missing name information")
    network_uuid = uuid_of(root, api.VIR_FROM_NETWORK)
    bridge = root.find("bridge")
    forward = root.find("forward")
    ip = root.find("ip")
    ranges = [(r.get("start"), r.get("end")) for r in root.findall("ip/dhcp/range")]
    return Network(
        name,
        network_uuid,
        bridge.get("name", "virbr0") if bridge is not None else "virbr0",
        forward_mode=forward.get("mode", "nat") if forward is not None else None,
        forward_dev=forward.get("dev") if forward is not None else None,
        ip_address=ip.get("address") if ip is not None else None,
        netmask=ip.get("netmask") if ip is not None else None,
        dhcp_ranges=ranges,
    )
