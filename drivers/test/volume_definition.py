"""The parts of a volume definition whose reading has rules of its own, as libvirt's
storage_conf.c and storage_encryption_conf.c apply them: sizes and their units, the qcow2
compat level, the cluster size and the <encryption> element."""

from __future__ import annotations

from lxml import etree

from virtrio.drivers.libvirt_rules import (
    LLONG_MAX,
    ULLONG_MAX,
    missing_attribute,
    prop_uint,
    scale_integer,
    secret_lookup,
    strtoul_whole,
    strtoul_wrapping,
)
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from ..xml_text import escape_text

FROM_STORAGE = api.VIR_FROM_STORAGE
# strtoull's accepted form (leading blanks, a sign, digits) with nothing after it


def _string(root: etree._Element, path: str) -> str | None:
    """virXPathString: an empty result counts as absent."""
    return str(root.xpath(f"string({path})")) or None


def storage_size(root: etree._Element, path: str) -> int | None:
    """virStorageSize of <capacity> or <allocation> (None when absent): a non-negative number
    and an optional unit, at most LLONG_MAX bytes."""
    text = _string(root, path)
    if text is None:
        return None
    value = strtoul_whole(text, 10, ULLONG_MAX)
    if value is None:
        raise report(api.VIR_ERR_XML_ERROR, FROM_STORAGE, "malformed capacity element")
    return scale_integer(value, _string(root, f"{path}/@unit"), 1, LLONG_MAX)


def cluster_size(root: etree._Element) -> int:
    """virParseScaledValue of <target><clusterSize> (0 when absent)."""
    text = _string(root, "./target/clusterSize")
    if text is None:
        return 0
    value = strtoul_whole(text, 10, ULLONG_MAX)
    if value is None:
        detail = f"Invalid value '{text}' for element or attribute './target/clusterSize'"
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return scale_integer(value, _string(root, "./target/clusterSize/@unit"), 1, ULLONG_MAX)


def check_compat(compat: str | None) -> None:
    """virStorageCheckCompat: two dot-separated unsigned numbers (the second may hold more text
    that strtoul must still read whole, so '1.1.1' is refused)."""
    if compat is None:
        return
    parts = compat.split(".", 1)
    if len(parts) < 2 or not all(strtoul_wrapping(part, 10) is not None for part in parts):
        raise report(api.VIR_ERR_XML_ERROR, FROM_STORAGE, "forbidden characters in 'compat' attribute")


ENCRYPTION_FORMATS = ("default", "qcow", "luks", "luks2")
ENCRYPTION_ENGINES = ("default", "qemu", "librbd")


def _xml_error(detail: str) -> Exception:
    return report(api.VIR_ERR_XML_ERROR, FROM_STORAGE, detail)


def _secret_line(secret: etree._Element) -> str:
    """virStorageEncryptionSecretParse then its format: <secret type uuid|usage/>."""
    secret_type = secret.xpath("string(./@type)") or None
    if secret_type is None:
        raise _xml_error("unknown volume encryption secret type")
    if secret_type != "passphrase":
        raise report(
            api.VIR_ERR_CONFIG_UNSUPPORTED, FROM_STORAGE, f"unknown volume encryption secret type {secret_type}"
        )
    key, value = secret_lookup(secret.get("uuid"), secret.get("usage"))
    return f"<secret type='passphrase' {key}='{escape_text(value)}'/>"


def _cipher_lines(encryption: etree._Element) -> list[str]:
    """virStorageEncryptionInfoParseCipher/Ivgen and their format (LUKS only)."""
    cipher = encryption.find("cipher")
    ivgen = encryption.find("ivgen")
    line = None
    if cipher is not None:
        name = cipher.get("name")
        if name is None:
            raise _xml_error("cipher info missing 'name' attribute")
        size = prop_uint(cipher, "size")
        if size is None:
            raise missing_attribute("cipher", "size")
        line = f"<cipher name='{escape_text(name)}' size='{size}'"
        for attribute in ("mode", "hash"):
            if cipher.get(attribute) is not None:
                line += f" {attribute}='{escape_text(cipher.get(attribute) or '')}'"
        line += "/>"
    if ivgen is None:
        return [line] if line else []
    if line is None:
        raise _xml_error("ivgen element found, but cipher is missing")
    name = ivgen.get("name")
    if name is None:
        raise _xml_error("missing ivgen info name string")
    ivgen_line = f"<ivgen name='{escape_text(name)}'"
    if ivgen.get("hash") is not None:
        ivgen_line += f" hash='{escape_text(ivgen.get('hash') or '')}'"
    return [line, ivgen_line + "/>"]


def encryption_format(encryption: etree._Element) -> str:
    """virStorageEncryptionParseNode's format (a volume's or a disk's), or its error."""
    format_name = encryption.get("format")
    if not format_name:  # (string(./@format): empty is none)
        raise _xml_error("unknown volume encryption format")
    if format_name not in ENCRYPTION_FORMATS:
        raise report(
            api.VIR_ERR_CONFIG_UNSUPPORTED, FROM_STORAGE, f"unknown volume encryption format type {format_name}"
        )
    return format_name


def encryption_lines(encryption: etree._Element) -> list[str]:
    """virStorageEncryptionParseNode, then virStorageEncryptionFormat: the element's lines."""
    format_name = encryption_format(encryption)
    engine = encryption.get("engine")
    if engine is not None and engine not in ENCRYPTION_ENGINES[1:]:
        detail = f"Invalid value for attribute 'engine' in element '{encryption.tag}': '{engine}'."
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    head = f"<encryption format='{format_name}'" + (f" engine='{engine}'>" if engine else ">")
    body = [_secret_line(secret) for secret in encryption.findall("secret")]
    if format_name == "luks":
        body += _cipher_lines(encryption)
    return [head, *("  " + line for line in body), "</encryption>"]
