"""libvirt's small parsing rules, written once for every driver.

A leaf module: it imports nothing from the drivers or the server, so any driver may use
it without importing another driver. Each function follows the libvirt function it names,
including what that function tolerates (spaces around a UUID, text after a MAC address)
and refuses (the '{…}' and 'urn:uuid:' forms Python's uuid.UUID takes).
"""

from __future__ import annotations

import os
import re
import socket
import string
from typing import TYPE_CHECKING

from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, report

if TYPE_CHECKING:  # lxml is not loaded by drivers that parse no XML (node devices)
    from collections.abc import Collection

    from lxml import etree

# C's isspace in the "C" locale, as glib's g_ascii_isspace and gnulib's c_isspace see it;
# str.isspace would also take Unicode spaces and the ASCII separators 0x1c-0x1f.
C_SPACE = " \t\n\v\f\r"
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")

# virStorageFileFormat's names after "none", in its order (volume formats, disk driver types)
STORAGE_FILE_FORMATS = (
    *("raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop"),
    *("cow", "qcow", "qcow2", "qed", "vmdk"),
)

# virScaleInteger's units (case-insensitive): powers of 1024, and of 1000 for the "B" forms
SCALE_UNITS = {
    "b": 1,
    "bytes": 1,
    "k": 1024,
    "kib": 1024,
    "kb": 1000,
    "m": 1 << 20,
    "mib": 1 << 20,
    "mb": 10**6,
    "g": 1 << 30,
    "gib": 1 << 30,
    "gb": 10**9,
    "t": 1 << 40,
    "tib": 1 << 40,
    "tb": 10**12,
    "p": 1 << 50,
    "pib": 1 << 50,
    "pb": 10**15,
    "e": 1 << 60,
    "eib": 1 << 60,
    "eb": 10**18,
}


def c_isspace(char: str) -> bool:
    return len(char) == 1 and char in C_SPACE


CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def parse_uuid(text: str) -> bytes | None:
    """virUUIDParse: the 16 bytes, or None when libvirt refuses the text.

    Exactly 32 hex digits read in pairs; '-' and ' ' may appear any number of times before
    any pair (not inside one, not after the last); C whitespace may surround the whole."""
    if CANONICAL_UUID.fullmatch(text):  # the usual spelling, read at once
        return bytes.fromhex(text.replace("-", ""))
    position, end = 0, len(text)
    while position < end and text[position] in C_SPACE:
        position += 1
    raw = bytearray()
    while len(raw) < 16:
        if position >= end:
            return None
        if text[position] in "- ":
            position += 1
            continue
        if position + 1 >= end or text[position] not in HEX_DIGITS or text[position + 1] not in HEX_DIGITS:
            return None
        raw.append(int(text[position : position + 2], 16))
        position += 2
    if any(char not in C_SPACE for char in text[position:]):
        return None
    return bytes(raw)


CANONICAL_MAC = re.compile(r"[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}")


def parse_mac(text: str) -> bytes | None:
    """virMacAddrParse: the 6 bytes, or None when libvirt refuses the text.

    Six parts of one or two hex digits joined by ':' (strtoul's sign, spaces and '0x' are
    kept out by requiring a hex digit first and at most two characters). After the sixth
    part libvirt stops at any char <= ' ': with x86's signed char that is also every byte
    of a non-ASCII character, so "52:54:00:aa:bb:cc <anything>" is accepted."""
    if CANONICAL_MAC.fullmatch(text):  # the usual spelling, read at once
        return bytes.fromhex(text.replace(":", ""))
    raw = bytearray()
    position, end = 0, len(text)
    for index in range(6):
        start = position
        while position < end and position - start < 3 and text[position] in HEX_DIGITS:
            position += 1
        if not 1 <= position - start <= 2:
            return None
        raw.append(int(text[start:position], 16))
        following = text[position] if position < end else ""
        if index == 5:
            return bytes(raw) if following == "" or ord(following) <= 0x20 or ord(following) >= 0x80 else None
        if following != ":":
            return None
        position += 1
    return None  # not reached: the sixth part returns


def mac_text(raw: bytes) -> str:
    """virMacAddrFormat: lowercase, two digits per byte."""
    return raw.hex(":")


def xml_error(domain: int, detail: str) -> LibvirtError:
    """VIR_ERR_XML_ERROR from the given error domain (each driver reports from its own)."""
    return report(api.VIR_ERR_XML_ERROR, domain, detail)


def host_name() -> str:
    """The host's name as libvirt's virGetHostname finds it (shared by every driver's
    connectGetHostname)."""
    name = socket.gethostname()
    if name.startswith("localhost") or "." in name:
        return name
    try:
        info = socket.getaddrinfo(name, None, flags=socket.AI_CANONNAME)
    except OSError:
        return name
    canonical = info[0][3] if info else ""
    if not canonical or canonical.startswith("localhost"):
        return name
    return canonical


def secret_lookup(uuid_text: str | None, usage: str | None) -> tuple[str, str]:
    """virSecretLookupParseSecret: a <secret>'s uuid or usage attribute, exactly one, as
    ("uuid", canonical UUID) or ("usage", name)."""
    if uuid_text is None and usage is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, "missing secret uuid or usage attribute")
    if uuid_text is not None and usage is not None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, "either secret uuid or usage expected")
    if uuid_text is None:
        return "usage", usage or ""
    raw = parse_uuid(uuid_text)
    if raw is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_NONE, f"invalid secret uuid '{uuid_text}'")
    hexed = raw.hex()
    return "uuid", f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


def scaled_value(text: str | None, unit: str | None, default_scale: int) -> int | None:
    """virParseScaledValue's number: digits times the unit's scale (default_scale with no
    unit); None when either is unreadable."""
    number = strtoul_whole(text or "", 10, ULLONG_MAX)  # virStrToLong_ullp
    if number is None:
        return None
    scale = default_scale if unit is None else SCALE_UNITS.get(unit.lower())
    return None if scale is None else number * scale


# "0x" and up to 15 hexadecimal digits: below ULLONG_MAX, read by int() as strtoul reads it
_PLAIN_HEX = re.compile(r"0[xX][0-9a-fA-F]{1,15}")


def c_strtoul(text: str | None) -> int:
    """strtoul with base 0 (0x hex, 0 octal, else decimal) of a number already checked; 0
    when absent or unreadable."""
    if not text:
        return 0
    # the common cases (most numbers read: plain decimal, "0", hexadecimal) give what the
    # general path gives
    if text.isdigit() and text.isascii() and (text[0] != "0" or len(text) == 1) and len(text) < 20:
        return int(text)
    if _PLAIN_HEX.fullmatch(text):
        return int(text, 16)
    return strtoul_whole(text, 0, ULLONG_MAX) or 0


def attribute_error(element_name: str, attribute: str, value: str, expectation: str) -> LibvirtError:
    """virXMLProp*'s refusal of an attribute's value (e.g. expectation "Expected non-negative value")."""
    detail = f"Invalid value for attribute '{attribute}' in element '{element_name}': '{value}'. {expectation}"
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)


def enum_error(element_name: str, attribute: str, value: str) -> LibvirtError:
    """virXMLPropEnum's refusal of a value outside the enum (or its zero value where refused)."""
    detail = f"Invalid value for attribute '{attribute}' in element '{element_name}': '{value}'."
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)


def missing_attribute(element_name: str, attribute: str) -> LibvirtError:
    """virXMLProp*'s refusal of an absent attribute given VIR_XML_PROP_REQUIRED."""
    detail = f"Missing required attribute '{attribute}' in element '{element_name}'"
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)


def _strto_digits(body: str, base: int) -> int | None:
    """The number C's strtol/strtoul read after the sign when it is the whole rest of the
    text (base 0: '0x' hex, a leading 0 octal, else decimal; base 16: '0x' allowed); None
    otherwise."""
    if (base == 10 or (base == 0 and body[:1] != "0")) and body.isdigit() and body.isascii():
        return _significant(body, 10)  # plain decimal digits, most numbers read: no per-character check
    if base in (0, 16) and body[:2] in ("0x", "0X") and len(body) > 2 and body[2] in string.hexdigits:
        body, base = body[2:], 16
    elif base == 0:
        base = 8 if body.startswith("0") and len(body) > 1 else 10
    allowed = string.hexdigits if base == 16 else string.digits[:base]
    if not body or any(char not in allowed for char in body):
        return None
    return _significant(body, base)


# More significant digits than any C integer holds: strtoul's ERANGE, which every caller
# refuses as it refuses a number past its limit (int() itself refuses more than 4,300 digits,
# while C reads any run of leading zeros).
SIGNIFICANT_DIGITS_LIMIT = 64


def _significant(digits: str, base: int) -> int | None:
    significant = digits.lstrip("0")
    if len(significant) > SIGNIFICANT_DIGITS_LIMIT:
        return None
    return int(significant or "0", base)


def strtoul_whole(text: str, base: int = 0, limit: int = 0xFFFFFFFF) -> int | None:
    """virStrToLong_uip: C's strtoul over the whole text (leading C spaces allowed), no
    minus sign, within an unsigned int; None otherwise."""
    body = text.lstrip(C_SPACE)
    if body.startswith("+"):
        body = body[1:]
    value = _strto_digits(body, base)
    return value if value is not None and value <= limit else None


UINT_MAX, ULLONG_MAX, LLONG_MAX = 2**32 - 1, 2**64 - 1, 2**63 - 1


def strtoul_wrapping(text: str, base: int = 0, limit: int = UINT_MAX) -> int | None:
    """virStrToLong_ui (limit UINT_MAX) and virStrToLong_ull (ULLONG_MAX): C's strtoul over
    the whole text, where a minus sign wraps the number ("-1" is the largest value)."""
    body = text.lstrip(C_SPACE)
    if body.startswith("-"):
        magnitude = _strto_digits(body[1:], base)
        return None if magnitude is None or magnitude > limit else -magnitude & limit
    return strtoul_whole(body, base, limit)


INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def strtol_whole(text: str, base: int = 10, *, bits: int = 32) -> int | None:
    """virStrToLong_i (bits 32) and virStrToLong_ll (bits 64): C's strtol over the whole text
    (leading C spaces and a sign allowed), within the signed type; None otherwise."""
    body = text.lstrip(C_SPACE)
    negative = body.startswith("-")
    if body[:1] in ("+", "-"):
        body = body[1:]
    value = _strto_digits(body, base)
    if value is None:
        return None
    value = -value if negative else value
    return value if -(2 ** (bits - 1)) <= value < 2 ** (bits - 1) else None


def as_c_int(value: int) -> int:
    """An unsigned int (or any integer) as C keeps it in an int and %d prints it: wrapped to
    32 bits, two's complement."""
    return ((value + 2**31) & UINT_MAX) - 2**31


def prop_enum(element: etree._Element, name: str, values: Collection[str], required: bool = False) -> str | None:
    """virXMLPropEnum and virXMLPropTristateBool/Switch: one of the values, None when absent
    (refused when required); any other value refused."""
    value = element.get(name)
    if value is None:
        if required:
            raise missing_attribute(element.tag, name)
        return None
    if value not in values:
        raise enum_error(element.tag, name, value)
    return value


def prop_int(element: etree._Element, name: str, *, base: int = 10) -> int | None:
    """virXMLPropInt: the attribute as an int, None when absent; its refusal."""
    text = element.get(name)
    if text is None:
        return None
    value = strtol_whole(text, base)
    if value is None:
        raise attribute_error(element.tag, name, text, "Expected integer value")
    return value


def prop_uint(element: etree._Element, name: str, *, base: int = 10, nonzero: bool = False) -> int | None:
    """virXMLPropUInt: the attribute as an unsigned int, None when absent; its refusals."""
    text = element.get(name)
    if text is None:
        return None
    value = strtoul_whole(text, base)
    if value is None:
        raise attribute_error(element.tag, name, text, "Expected non-negative integer value")
    if nonzero and value == 0:
        detail = f"Invalid value for attribute '{name}' in element '{element.tag}': Zero is not permitted"
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return value


def scale_integer(value: int, suffix: str | None, scale: int, limit: int) -> int:
    """virScaleInteger: the value times its unit, refused past the limit."""
    if not suffix:
        suffix = ""
    elif suffix.lower() in ("b", "byte", "bytes"):
        scale = 1
    else:
        if len(suffix) == 1 or suffix[1:].lower() == "ib":
            base = 1024
        elif len(suffix) == 2 and suffix[1].lower() == "b":
            base = 1000
        else:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_NONE, f"unknown suffix '{suffix}'")
        powers = "kmgtpe".find(suffix[0].lower())
        if powers < 0:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_NONE, f"unknown suffix '{suffix}'")
        scale = base ** (powers + 1)
    if value and value > limit // scale:
        raise report(api.VIR_ERR_OVERFLOW, api.VIR_FROM_NONE, f"value too large: {value}{suffix}")
    return value * scale


def parse_scaled_value(
    text: str | None, unit: str | None, where: str, scale: int, limit: int, *, required: bool = False
) -> int | None:
    """virParseScaledValue: text (the XPath string at where; empty counts as absent) as a whole
    unsigned decimal, times its unit (virScaleInteger, scale without one), at most limit;
    None when absent and not required."""
    if not text:
        if not required:
            return None
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, f"missing element or attribute '{where}'")
    number = strtoul_whole(text, 10, ULLONG_MAX)  # virStrToLong_ullp
    if number is None:
        detail = f"Invalid value '{text}' for element or attribute '{where}'"
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return scale_integer(number, unit or None, scale, limit)


def canonical_path(path: str) -> str:
    """g_canonicalize_filename(path, NULL): libvirt's API makes the file of a save, restore or
    core dump absolute before the driver sees it, against the daemon's working directory, with
    '.', '..' and repeated slashes resolved (symbolic links are not followed)."""
    try:
        return os.path.abspath(path)
    except OSError:  # the working directory was removed
        return os.path.normpath(os.path.join("/", path))
