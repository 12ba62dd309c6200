"""Reading domain XML into the test driver's objects (the parts it keeps so far)."""

from __future__ import annotations

import functools
import uuid
from pathlib import Path

from lxml import etree

from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .domain_definition import canonical_definition, kibibytes, xml_error
from .state import Domain, Network, Pool, TestState


def _kib(element: etree._Element | None, default: int) -> int:
    if element is None or not (element.text or "").strip():
        return default
    return kibibytes(element)


# Who reports the errors of each kind of document (the domcode virXMLParse is given).
DOCUMENTS = {
    "domain": ("(domain_definition)", api.VIR_FROM_DOMAIN),
    "network": ("(network_definition)", api.VIR_FROM_NETWORK),
    "pool": ("(storage_pool_definition)", api.VIR_FROM_STORAGE),
    "volume": ("(storage_volume_definition)", api.VIR_FROM_STORAGE),
    "domainsnapshot": ("(domain_snapshot)", api.VIR_FROM_DOMAIN_SNAPSHOT),
    "domaincheckpoint": ("(domain_checkpoint)", api.VIR_FROM_DOMAIN_CHECKPOINT),
    "source": ("(storage_source_specification)", api.VIR_FROM_STORAGE),
}


def syntax_error(text: str, source: str, error_domain: int, error: etree.XMLSyntaxError, log) -> Exception:
    """libvirt's report of malformed XML: where, libxml2's message, the line, a pointer."""
    entries = list(log)
    entry = entries[0] if entries else None  # libvirt keeps the first report and ignores the rest
    line = entry.line if entry is not None else error.lineno
    message = entry.message if entry is not None else error.msg
    column = max((entry.column if entry is not None else error.offset) - 1, 0)
    lines = text.splitlines() or [""]
    context = lines[min(max(line, 1), len(lines)) - 1]
    pointer = "".join("\t" if c == "\t" else "-" for c in context[:column]) + "^"
    return report(api.VIR_ERR_XML_DETAIL, error_domain, f"{source}:{line}: {message}\n{context}\n{pointer}")


def parse_document(text: str, root_tag: str) -> etree._Element:
    """The parsed document, or the errors libvirt's parser gives: malformed XML, or a
    document of another kind."""
    source, error_domain = DOCUMENTS[root_tag]
    parser = etree.XMLParser()  # its own error log: only this document's errors
    try:
        root = etree.fromstring(text.encode(), parser)
    except etree.XMLSyntaxError as error:
        raise syntax_error(text, source, error_domain, error, parser.error_log) from None
    if root.tag != root_tag:
        detail = f"expecting root element of '{root_tag}', not '{root.tag}'"
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return root


SCHEMA_DIR = Path("/usr/share/libvirt/schemas")


@functools.cache
def _relax_ng(path: Path) -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(path)))


def validate_against_schema(text: str, schema: str, root_tag: str) -> None:
    """The *_VALIDATE flags: libvirt's RelaxNG schema check, with libvirt's error text."""
    root = parse_document(text, root_tag)
    path = SCHEMA_DIR / schema
    try:
        validator = _relax_ng(path)
    except (OSError, etree.XMLSyntaxError, etree.RelaxNGParseError) as error:
        raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_XML, f"Unable to parse RNG {path}: {error}") from None
    if not validator.validate(root.getroottree()):
        details = "".join(f"{entry.message}\n" for entry in validator.error_log)
        raise report(
            api.VIR_ERR_XML_INVALID_SCHEMA, api.VIR_FROM_XML, f"Unable to validate doc against {path}\n{details}"
        )


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
    root = parse_document(text, "domain")
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
    if max_memory == 0 and root.find("cpu/numa/cell") is None:
        raise xml_error("Memory size must be specified via <memory> or in the <numa> configuration")
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
    root = parse_document(text, "pool")
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
    root = parse_document(text, "network")
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
