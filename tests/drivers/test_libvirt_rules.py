"""libvirt's parsing rules (virUUIDParse, virMacAddrParse, C whitespace, XML errors), with
cases taken from reading viruuid.c and virmacaddr.c."""

from __future__ import annotations

import uuid

import pytest

from virtrio.drivers.libvirt_rules import C_SPACE, c_isspace, mac_text, parse_mac, parse_uuid, xml_error
from virtrio.protocol.generated import libvirt_api as api

CANONICAL = "c7a5fdbd-edaf-9455-926a-d65c16db1809"
RAW = bytes.fromhex("c7a5fdbdedaf9455926ad65c16db1809")


@pytest.mark.parametrize(
    "text",
    [
        CANONICAL,
        CANONICAL.upper(),
        "c7a5fdbdedaf9455926ad65c16db1809",  # no separators
        "c7 a5 fd bd ed af 94 55 92 6a d6 5c 16 db 18 09",  # spaces between pairs
        "c7a5-fdbd--edaf-9455-926a-d65c16db1809",  # separators repeated
        "-c7a5fdbdedaf9455926ad65c16db1809",  # before the first pair
        " \t\n\v\f\r" + CANONICAL + " \t\n\v\f\r",  # C whitespace around
    ],
)
def test_uuid_forms_libvirt_accepts(text: str) -> None:
    assert parse_uuid(text) == RAW


@pytest.mark.parametrize(
    "text",
    [
        "{" + CANONICAL + "}",  # uuid.UUID takes both of these, libvirt neither
        "urn:uuid:" + CANONICAL,
        CANONICAL + "-",  # a separator after the last pair is trailing text
        CANONICAL[:-1],  # 31 digits
        CANONICAL + "0",  # 33 digits
        "c-7a5fdbdedaf9455926ad65c16db1809",  # a separator inside a pair
        CANONICAL.replace("c7", "g7"),
        CANONICAL + "\x1c",  # str.isspace's separators are not C whitespace
        "\u00a0" + CANONICAL,  # nor is a Unicode space
        CANONICAL + " x",
        "",
        "   ",
    ],
)
def test_uuid_forms_libvirt_refuses(text: str) -> None:
    assert parse_uuid(text) is None
    if text.startswith(("{", "urn:")):
        assert uuid.UUID(text).bytes == RAW  # the difference that made this rule shared


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("52:54:00:aa:bb:cc", "52:54:00:aa:bb:cc"),
        ("52:54:00:AA:BB:CC", "52:54:00:aa:bb:cc"),
        ("2:4:0:a:b:c", "02:04:00:0a:0b:0c"),  # one digit per part
        ("52:54:00:aa:bb:cc foo", "52:54:00:aa:bb:cc"),  # stops at a char <= ' '
        ("52:54:00:aa:bb:cc\tx", "52:54:00:aa:bb:cc"),
        ("52:54:00:aa:bb:cc\x01", "52:54:00:aa:bb:cc"),
        ("52:54:00:aa:bb:ccé", "52:54:00:aa:bb:cc"),  # x86's signed char: UTF-8 bytes are < 0
    ],
)
def test_mac_forms_libvirt_accepts(text: str, expected: str) -> None:
    raw = parse_mac(text)
    assert raw is not None and mac_text(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "52:54:00:aa:bb:ccx",  # trailing text starting above ' '
        "52:54:00:aa:bb:cc:",
        "52:54:00:aa:bb:cc:dd",
        "52:54:00:aa:bb",
        "052:54:00:aa:bb:cc",  # three digits
        "0x52:54:00:aa:bb:cc",  # strtoul's prefix
        "+5:54:00:aa:bb:cc",  # strtoul's sign
        " 52:54:00:aa:bb:cc",  # strtoul's leading space
        "52:54::aa:bb:cc",
        "52-54-00-aa-bb-cc",
        "",
    ],
)
def test_mac_forms_libvirt_refuses(text: str) -> None:
    assert parse_mac(text) is None


def test_c_whitespace_is_the_six_ascii_spaces() -> None:
    spaces = [chr(code) for code in range(0x110) if c_isspace(chr(code))]
    assert "".join(spaces) == "\t\n\v\f\r "
    assert set(C_SPACE) == set(spaces)
    assert not c_isspace("  ")


def test_xml_error_carries_the_drivers_domain_and_libvirts_prefix() -> None:
    error = xml_error(api.VIR_FROM_NETWORK, "missing name")
    assert (error.code, error.domain) == (api.VIR_ERR_XML_ERROR, api.VIR_FROM_NETWORK)
    assert str(error.message) == "XML error: missing name"
