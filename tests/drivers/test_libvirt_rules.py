"""libvirt's parsing rules (virUUIDParse, virMacAddrParse, C whitespace, XML errors), with
cases taken from reading viruuid.c and virmacaddr.c."""

from __future__ import annotations

import ctypes
import ctypes.util
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from virtrio.drivers.libvirt_rules import (
    C_SPACE,
    as_c_int,
    c_isspace,
    mac_text,
    parse_mac,
    parse_uuid,
    prop_int,
    strtol_whole,
    strtoul_whole,
    strtoul_wrapping,
    xml_error,
)
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError

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


# --- C's strtol and strtoul, against the C library itself -------------------------------

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_libc.strtol.restype = ctypes.c_long
_libc.strtol.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int]
_libc.strtoul.restype = ctypes.c_ulong
_libc.strtoul.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int]


def _whole(function: Any, text: str, base: int) -> int | None:
    """C's conversion, refused as libvirt's virStrToLong_* refuse: an error, nothing read,
    or something left after the number."""
    buffer = ctypes.create_string_buffer(text.encode())
    end = ctypes.c_char_p()
    ctypes.set_errno(0)
    value = function(buffer, ctypes.byref(end), base)
    read = (ctypes.cast(end, ctypes.c_void_p).value or 0) - ctypes.addressof(buffer)
    if ctypes.get_errno() or read == 0 or read != len(text.encode()):
        return None
    return int(value)


NUMBER_TEXT = st.text(alphabet=" \t\n+-0123456789xXabcdefABCDEFg", max_size=14)


@settings(max_examples=3000, deadline=None)
@given(NUMBER_TEXT, st.sampled_from([0, 10, 16]))
def test_strtol_whole_is_virStrToLong_i(text: str, base: int) -> None:
    value = _whole(_libc.strtol, text, base)
    expected = value if value is not None and -(2**31) <= value < 2**31 else None
    assert strtol_whole(text, base) == expected


@settings(max_examples=3000, deadline=None)
@given(NUMBER_TEXT, st.sampled_from([0, 10, 16]))
def test_strtoul_whole_is_virStrToLong_uip(text: str, base: int) -> None:
    # the 'p' variant refuses a minus sign, which strtoul itself would wrap
    value = None if "-" in text.lstrip(C_SPACE)[:1] else _whole(_libc.strtoul, text, base)
    expected = value if value is not None and value <= 0xFFFFFFFF else None
    assert strtoul_whole(text, base) == expected


@settings(max_examples=3000, deadline=None)
@given(NUMBER_TEXT, st.sampled_from([0, 10, 16]))
def test_strtoul_wrapping_is_virStrToLong_ui_and_ull(text: str, base: int) -> None:
    value = _whole(_libc.strtoul, text, base)
    # virStrToLong_ui: a minus sign read means the negated number must fit an unsigned int
    negated = None if value is None else -value % 2**64
    signed = "-" in text.lstrip(C_SPACE)[:1]
    if value is None or (signed and negated is not None and negated > 0xFFFFFFFF):
        expected_ui = None
    else:
        expected_ui = value & 0xFFFFFFFF if signed else (value if value <= 0xFFFFFFFF else None)
    assert strtoul_wrapping(text, base) == expected_ui
    assert strtoul_wrapping(text, base, 2**64 - 1) == value  # virStrToLong_ull: strtoull as it is


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=" \t+-0123456789xXabcdef", max_size=24), st.sampled_from([0, 8, 10, 16]))
def test_strtol_whole_64_bits_is_virStrToLong_ll(text: str, base: int) -> None:
    # on this 64-bit Linux C's long is long long: strtol is strtoll, overflow set in errno
    assert strtol_whole(text, base, bits=64) == _whole(_libc.strtol, text, base)


@settings(max_examples=2000, deadline=None)
@given(st.integers(min_value=-(2**40), max_value=2**40))
def test_as_c_int_is_cs_int_conversion(value: int) -> None:
    assert as_c_int(value) == ctypes.c_int(value).value


def test_prop_int_refuses_as_virXMLPropInt() -> None:
    element = etree.fromstring("<boot rebootTimeout=' -5' priority='5 ' absent-not='1'/>")
    assert prop_int(element, "rebootTimeout") == -5
    assert prop_int(element, "missing") is None
    with pytest.raises(LibvirtError) as refused:
        prop_int(element, "priority")
    assert refused.value.code == api.VIR_ERR_XML_ERROR and refused.value.domain == api.VIR_FROM_XML
    assert refused.value.message == (
        "XML error: Invalid value for attribute 'priority' in element 'boot': '5 '. Expected integer value"
    )


def test_the_host_name_is_looked_up_in_a_worker_thread() -> None:
    """connectGetHostname resolves the host's name (getaddrinfo can wait seconds on a slow
    resolver): the handler hands that to a worker thread, then replies with the name."""
    from virtrio.drivers.base import ConnectionContext, Offload
    from virtrio.drivers.libvirt_rules import host_name
    from virtrio.drivers.test.driver import TestDriver
    from virtrio.protocol.generated import remote

    connection = TestDriver().open(ConnectionContext("test:///default", False, 1))
    answer = connection.connect_get_hostname()
    assert isinstance(answer, Offload) and answer.work is host_name
    assert answer.then(answer.work()) == remote.remote_connect_get_hostname_ret(host_name())
