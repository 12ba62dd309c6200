"""Calls encoded as foreign XDR encoders encode them, answered as libvirtd answers them.

glibc's xdr_pointer reads an optional field's flag with xdr_bool, so any non-zero word
means "present". A client whose encoder writes 2, 0x01000000 or 0xFFFFFFFF there must be
served exactly as libvirtd serves it: each call goes to both daemons over the raw protocol.
"""

from __future__ import annotations

import struct

import pytest

from virtrio.protocol.generated import remote

from .side_by_side import ask

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


@pytest.mark.parametrize("flag", FLAGS, ids=hex)
def test_connect_open_with_a_non_canonical_name_flag(both: dict, flag: int) -> None:
    open_call = (remote.REMOTE_PROC_CONNECT_OPEN, u32(flag) + string("test:///default") + u32(0))
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
