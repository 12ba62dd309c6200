"""Calls encoded as foreign XDR encoders encode them, answered as libvirtd answers them.

glibc's xdr_pointer reads an optional field's flag with xdr_bool, so any non-zero word
means "present". A client whose encoder writes 2, 0x01000000 or 0xFFFFFFFF there must be
served exactly as libvirtd serves it: each call goes to both daemons over the raw protocol.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tests.e2e.daemon_process import RawClient
from virtrio.protocol.generated import remote

from .side_by_side import ask, outcome

FLAGS = (1, 2, 0x01000000, 0xFFFFFFFF)
TEST_DOMAIN = remote.CODECS["remote_nonnull_domain"].encode(
    remote.remote_nonnull_domain("test", bytes.fromhex("6695eb01f6a4830479aa97f2502e193f"), 1)
)


def u32(value: int) -> bytes:
    return struct.pack(">I", value)


def string(text: str) -> bytes:
    return remote.CODECS["remote_nonnull_string"].encode(text)


# (name, procedure, bytes before the optional field, the field's value, bytes after it)
CALLS = [
    ("node devices of a capability", remote.REMOTE_PROC_NODE_NUM_OF_DEVICES, b"", string("scsi_host"), u32(0)),
    (
        "absent metadata by namespace",
        remote.REMOTE_PROC_DOMAIN_GET_METADATA,
        TEST_DOMAIN + u32(2),
        string("http://example.org/ns"),
        u32(0),
    ),
    ("metadata description", remote.REMOTE_PROC_DOMAIN_GET_METADATA, TEST_DOMAIN + u32(0), string("unused"), u32(0)),
    (
        "event callback for one domain",
        remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        u32(0),
        TEST_DOMAIN,
        b"",
    ),
]
# The calls whose answer shows whether the field was read at all: present and absent get
# different answers (a callback id is a callback id either way, for one domain or for all).
PRESENCE_SHOWS = {
    name for name, procedure, *_ in CALLS if procedure != remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY
}


@pytest.mark.parametrize("flag", FLAGS, ids=hex)
def test_connect_open_with_a_non_canonical_name_flag(both: dict, flag: int) -> None:
    assert_opens_alike(both, u32(flag) + string("test:///default") + u32(0))


def assert_opens_alike(both: dict, open_arguments: bytes) -> None:
    """CONNECT_OPEN with these argument bytes, then CONNECT_GET_URI: both daemons answer
    alike, and the connection is open on test:///default (the name was read as given)."""
    open_call = (remote.REMOTE_PROC_CONNECT_OPEN, open_arguments)
    uri_call = (remote.REMOTE_PROC_CONNECT_GET_URI, b"")
    answers = {name: ask(daemon.rw, [open_call, uri_call], uri=None) for name, daemon in both.items()}
    assert answers["virtrio"] == answers["libvirtd"]
    opened, uri = answers["virtrio"]
    assert opened == ("ok", b"")
    assert remote.CODECS["remote_connect_get_uri_ret"].decode(uri[1]).uri == "test:///default"


@pytest.mark.parametrize("flag", FLAGS, ids=hex)
@pytest.mark.parametrize(("name", "procedure", "before", "value", "after"), CALLS, ids=[c[0] for c in CALLS])
def test_optional_fields_with_any_non_zero_flag(
    both: dict, flag: int, name: str, procedure: int, before: bytes, value: bytes, after: bytes
) -> None:
    call = [(procedure, before + u32(flag) + value + after)]
    ours = numbered_calls_masked(procedure, ask(both["virtrio"].rw, call))
    assert ours == numbered_calls_masked(procedure, ask(both["libvirtd"].rw, call)), name
    # and it is the answer to the canonical encoding: the field was read as present
    canonical = [(procedure, before + u32(1) + value + after)]
    assert ours == numbered_calls_masked(procedure, ask(both["virtrio"].rw, canonical))
    if name in PRESENCE_SHOWS:
        # not the answer to an absent field (both daemons answer that differently), so a
        # server reading the flag as false (and the value as the next field) fails here
        absent = [(procedure, before + u32(0) + after)]
        assert ours != ask(both["virtrio"].rw, absent)
        assert ours != ask(both["libvirtd"].rw, absent)


def numbered_calls_masked(procedure: int, answers: list[tuple]) -> list[tuple]:
    """A registered event callback's number counts the callbacks test:///default has had
    while it lived; whether the previous connection's node was gone yet when the next
    connection opened is a race in either daemon, so the number itself is not compared."""
    if procedure != remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY:
        return answers
    return [("ok", "callback id") if answer[0] == "ok" and len(answer[1]) == 4 else answer for answer in answers]


def test_a_string_ends_at_its_first_nul(both: dict) -> None:
    """Lookups by a name with a NUL inside find what libvirtd finds: the name before the NUL."""
    calls = [
        (remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, u32(8) + b"test\0xyz"),
        (remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, u32(5) + b"tes\0t\0\0\0"),
    ]
    ours = ask(both["virtrio"].rw, calls)
    assert ours == ask(both["libvirtd"].rw, calls)
    assert ours[0][0] == "ok" and ours[1][0] == "error"


def test_security_labels_byte_for_byte(both: dict) -> None:
    """A running domain's label, an inactive one's (one NUL byte), and the label list (OK, -1)."""
    uuid = bytes.fromhex("1f6f3a4e0c1b4d2f9a8e7d6c5b4a3921")
    xml = (
        f"<domain type='test'><name>parity</name><uuid>{uuid.hex()}</uuid><memory>1024</memory>"
        "<os><type>hvm</type></os></domain>"
    )
    inactive = remote.CODECS["remote_nonnull_domain"].encode(remote.remote_nonnull_domain("parity", uuid, -1))
    calls = [
        (remote.REMOTE_PROC_DOMAIN_DEFINE_XML, string(xml)),
        (remote.REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL, TEST_DOMAIN),
        (remote.REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL, inactive),
        (remote.REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL_LIST, TEST_DOMAIN),
        (remote.REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL_LIST, inactive),
        (remote.REMOTE_PROC_DOMAIN_UNDEFINE, inactive),
    ]
    ours = ask(both["virtrio"].rw, calls)
    assert ours == ask(both["libvirtd"].rw, calls)
    label = remote.CODECS["remote_domain_get_security_label_ret"]
    assert label.decode(ours[2][1]).label == [0]
    assert remote.CODECS["remote_domain_get_security_label_list_ret"].decode(ours[3][1]).ret == -1
    # read-only clients get the same answers
    assert ask(both["virtrio"].ro, calls[1:2] + calls[3:4]) == ask(both["libvirtd"].ro, calls[1:2] + calls[3:4])


def test_renaming_to_a_name_with_a_nul_is_renaming_to_the_name_before_it(both: dict) -> None:
    """Issue 14's case: "victim\\0x" is "victim" to libvirtd, so the rename clashes with victim."""

    def define(name: str, uuid_hex: str) -> tuple[int, bytes]:
        xml = (
            f"<domain type='test'><name>{name}</name><uuid>{uuid_hex}</uuid><memory>1024</memory>"
            "<os><type>hvm</type></os></domain>"
        )
        return remote.REMOTE_PROC_DOMAIN_DEFINE_XML, string(xml)

    victim, other = "2b8a0f5e6c7d4e1f9a0b1c2d3e4f5a6b", "3c9b1a6f7d8e4f20ab1c2d3e4f5a6b7c"
    other_ref = remote.CODECS["remote_nonnull_domain"].encode(
        remote.remote_nonnull_domain("other", bytes.fromhex(other), -1)
    )
    lookup = u32(8) + b"victim\0x"
    calls = [
        define("victim", victim),
        define("other", other),
        (remote.REMOTE_PROC_DOMAIN_RENAME, other_ref + u32(1) + u32(8) + b"victim\0x" + u32(0)),
        (remote.REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, b""),
        (remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, lookup),
        (remote.REMOTE_PROC_DOMAIN_UNDEFINE, other_ref),
        (
            remote.REMOTE_PROC_DOMAIN_UNDEFINE,
            remote.CODECS["remote_nonnull_domain"].encode(
                remote.remote_nonnull_domain("victim", bytes.fromhex(victim), -1)
            ),
        ),
    ]
    ours = ask(both["virtrio"].rw, calls)
    assert ours == ask(both["libvirtd"].rw, calls)
    assert ours[2][0] == "error" and ours[4][0] == "ok"


# libtirpc's xdr_opaque (under xdr_string and xdr_bytes) reads the 1-3 bytes of padding
# after a string or opaque into a scratch buffer and never looks at them.
PADS = {1: (b"\x01", b"\xff"), 2: (b"\x00\x01", b"\xa5\x5a"), 3: (b"\x80\x00\x00", b"\xff\xff\xff")}


def padded_string(text: str, pad: bytes) -> bytes:
    """A string whose padding is pad (pad's length must be the padding's)."""
    data = text.encode()
    assert len(pad) == -len(data) & 3
    return u32(len(data)) + data + pad


@pytest.mark.parametrize("pad", PADS[1], ids=bytes.hex)
def test_connect_open_with_non_zero_padding_after_the_name(both: dict, pad: bytes) -> None:
    assert_opens_alike(both, u32(1) + padded_string("test:///default", pad) + u32(0))


@pytest.mark.parametrize("pad", PADS[3], ids=bytes.hex)
def test_strings_and_opaques_with_non_zero_padding(both: dict, pad: bytes) -> None:
    """A string and an opaque cpumap (3 pad bytes each), each followed by a flags word,
    answered as libvirtd answers them and as their zero-padded forms are answered."""

    def pin_emulator(cpumap: bytes, pad: bytes) -> tuple[int, bytes]:
        return remote.REMOTE_PROC_DOMAIN_PIN_EMULATOR, TEST_DOMAIN + u32(len(cpumap)) + cpumap + pad + u32(0)

    def calls(pad: bytes) -> list[tuple[int, bytes]]:
        return [
            (remote.REMOTE_PROC_NODE_NUM_OF_DEVICES, u32(1) + padded_string("scsi_host", pad) + u32(0)),
            pin_emulator(b"\x02", pad),  # CPU 1 only
            (remote.REMOTE_PROC_DOMAIN_GET_EMULATOR_PIN_INFO, TEST_DOMAIN + u32(1) + u32(0)),
            pin_emulator(b"\x00", pad),  # no CPU: refused, so the pad was not read as the map
            pin_emulator(b"\xff", pad),
        ]

    ours = ask(both["virtrio"].rw, calls(pad))
    assert ours == ask(both["libvirtd"].rw, calls(pad))
    assert ours == ask(both["virtrio"].rw, calls(bytes(3)))
    count, pinned, read_back, empty, restored = ours
    assert count == ("ok", u32(3)) and pinned == restored == ("ok", b"")
    assert remote.CODECS["remote_domain_get_emulator_pin_info_ret"].decode(read_back[1]).cpumaps == b"\x02"
    assert empty[0] == "error" and empty[3] == "invalid argument: Empty cpu list for pinning"


def typed_param(field: str, type_: int, value: bytes) -> bytes:
    return string(field) + u32(type_) + value


# Typed parameters whose type word names no arm of remote_typed_param_value (1..7 have one):
# libtirpc's xdr_union fails, so libvirtd answers "Unable to decode message payload".
@pytest.mark.parametrize("type_", [99, 0, 8, 0xFFFFFFFF], ids=hex)
@pytest.mark.parametrize(
    ("procedure", "before"),
    [
        (remote.REMOTE_PROC_DOMAIN_SET_MEMORY_PARAMETERS, TEST_DOMAIN),
        (remote.REMOTE_PROC_DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS, TEST_DOMAIN),
        (remote.REMOTE_PROC_NODE_SET_MEMORY_PARAMETERS, b""),
    ],
    ids=["domain memory", "domain scheduler", "node memory"],
)
def test_typed_parameters_of_an_unknown_type(both: dict, procedure: int, before: bytes, type_: int) -> None:
    payload = before + u32(1) + typed_param("hard_limit", type_, struct.pack(">Q", 1024)) + u32(0)
    calls = [(procedure, payload), (remote.REMOTE_PROC_CONNECT_GET_URI, b"")]
    ours = ask(both["virtrio"].rw, calls)
    assert ours == ask(both["libvirtd"].rw, calls)
    refused, alive = ours
    assert refused[0] == "error" and refused[3] == "Unable to decode message payload"
    assert alive[0] == "ok"  # a payload that does not decode keeps the connection


def header_answer(socket_path: Path, message_type: int, status: int) -> tuple:
    """The reply to a CONNECT_GET_HOSTNAME call whose header has the given type and status
    (or "no reply"/"closed"), and whether the connection then still answers. An ordinary
    call sent right after marks the end: once its reply is in, a reply to the first comes
    within a short grace (libvirtd's workers may answer the two in either order), not after
    a long timeout."""
    client = RawClient(socket_path, timeout=10)
    try:
        client.open()
        odd = client.send_call(
            remote.REMOTE_PROC_CONNECT_GET_HOSTNAME, b"", type_=message_type, status=status, serial=9
        )
        marker = client.send_call(remote.REMOTE_PROC_CONNECT_GET_URI, serial=10)
        reply: object = "no reply"
        alive: object = "closed"
        try:
            while alive == "closed" or reply == "no reply":
                packet = client.receive()
                if packet.header.serial == odd:
                    reply = (tuple(packet.header), outcome(packet))
                elif packet.header.serial == marker:
                    alive = packet.header.status
                    client.sock.settimeout(0.3)  # the grace for a late answer to the first
        except TimeoutError:
            pass
        except ConnectionError:
            reply = "closed" if reply == "no reply" else reply
        return reply, alive
    finally:
        client.close()


# The header's type and status are XDR enums: any word decodes, and the dispatcher answers
# a type or a status it does not know.
@pytest.mark.parametrize(
    ("message_type", "status"),
    [(99, 0), (-1, 0), (0, 99), (0, -1), (0, 2), (99, 99)],
    ids=["type 99", "type -1", "status 99", "status -1", "status 2", "both 99"],
)
def test_header_enums_out_of_range(both: dict, message_type: int, status: int) -> None:
    answers = {name: header_answer(daemon.rw, message_type, status) for name, daemon in both.items()}
    assert answers["virtrio"] == answers["libvirtd"]


def test_padding_must_be_there_though_it_is_not_checked(both: dict) -> None:
    """libtirpc reads the padding even though it ignores it: a payload that ends where the
    padding should be does not decode, with one pad byte or two missing."""
    lookup = remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME
    calls = [
        (lookup, u32(3) + b"tes"),  # the pad byte is missing
        (lookup, u32(2) + b"te\x01"),  # one of two pad bytes is there
        (lookup, u32(3) + b"tes\x01"),  # all there, non-zero: a lookup of "tes"
    ]
    ours = ask(both["virtrio"].rw, calls)
    assert ours == ask(both["libvirtd"].rw, calls)
    assert [reply[3] for reply in ours] == ["Unable to decode message payload"] * 2 + ["Domain not found"]
