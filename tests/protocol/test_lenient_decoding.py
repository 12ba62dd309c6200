"""Decoding accepts what glibc's XDR accepts: every type, fed glibc-valid but non-canonical bytes.

A lenient packer writes each value the way a foreign XDR encoder may: optional-data flags
and bools as any non-zero word, char/short with junk in their high bits, strings with a
NUL and trailing bytes after the text, and (in its padding mode) the 1-3 padding bytes
after a string or opaque as random non-zero bytes. glibc's and libtirpc's routines (and so
libvirtd) read all of these back as the original value; both of our decoders must too.
"""

from __future__ import annotations

import importlib.util
import shutil
import struct
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import xdrlib3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from virtrio.protocol.layout import FixedOpaque, Optional_, Primitive, Shape, String, VarArray, VarOpaque
from virtrio.protocol.model import Enum, Struct, Typedef, TypeRef
from virtrio.protocol.reference_codec import _PACK, ReferenceCodec

from ..conftest import REFERENCE
from .test_codec_properties import LAYOUTS, SOURCES, STRATEGIES, TYPE_NAMES, codec_of
from .xdr_values import INT_RANGES, strategy, type_shape

NON_ZERO = st.integers(1, 2**32 - 1)


def pad_bytes(count: int) -> st.SearchStrategy[bytes]:
    """count padding bytes, not all zero (count 0: none)."""
    return st.binary(min_size=count, max_size=count).filter(lambda pad: count == 0 or any(pad))


class LenientPacker(ReferenceCodec):
    """The reference codec's encoder, choosing non-canonical wire forms with hypothesis.

    With non_canonical, flags, bools, narrow integers and strings take foreign forms; with
    random_padding, every string's and opaque's padding is random and not all zero, and
    pads records where each such pad went (offset, length), so a test can zero them again.
    """

    def __init__(self, draw: st.DataObject, non_canonical: bool = True, random_padding: bool = False) -> None:
        super().__init__(SOURCES, enforce_bounds=True)
        self.data = draw
        self.lenient = non_canonical
        self.random_padding = random_padding
        self.non_canonical = 0  # how many fields were written in a non-canonical form
        self.pads: list[tuple[int, int]] = []

    def _bytes(self, packer: xdrlib3.Packer, data: bytes) -> None:
        """data then its padding: zeros, or random non-zero bytes in padding mode."""
        count = -len(data) & 3
        if not self.random_padding or not count:
            packer.pack_fopaque(len(data), data)
            return
        pad = self.data.draw(pad_bytes(count))
        self.pads.append((len(packer.get_buffer()) + len(data), count))
        self.non_canonical += 1
        # A length that is a multiple of 4 makes pack_fopaque write the bytes as they are.
        packer.pack_fopaque(len(data) + count, data + pad)

    def _pack(self, packer: xdrlib3.Packer, shape: Shape, value: Any) -> None:
        draw = self.data.draw
        if isinstance(shape, FixedOpaque) and self.random_padding:
            self._bytes(packer, bytes(value))
        elif isinstance(shape, VarOpaque) and self.random_padding:
            packer.pack_uint(len(value))
            self._bytes(packer, bytes(value))
        elif not self.lenient and not isinstance(shape, String):
            super()._pack(packer, shape, value)
        elif isinstance(shape, Primitive) and shape.low is not None:
            if shape.high == 1:
                wire = draw(NON_ZERO) if value else 0
            else:
                span = shape.high - shape.low + 1
                low, high = INT_RANGES[shape.code]
                wire = value + span * draw(st.integers(-((value - low) // span), (high - value) // span))
            self.non_canonical += wire != value
            getattr(packer, _PACK[shape.code])(wire)
        elif isinstance(shape, Optional_) and value is not None:
            flag = draw(st.sampled_from((1, 2, 0x01000000, 0xFFFFFFFF)) | NON_ZERO)
            self.non_canonical += flag != 1
            packer.pack_uint(flag)
            self._pack(packer, shape.element, value)
        elif isinstance(shape, String):
            text = value.encode("utf-8", "surrogateescape")
            room = 8 if shape.maximum is None else shape.maximum - len(text) - 1
            if self.lenient and room >= 0 and draw(st.booleans()):
                text += b"\0" + draw(st.binary(max_size=min(room, 8)))
                self.non_canonical += 1
            packer.pack_uint(len(text))
            self._bytes(packer, text)
        else:
            super()._pack(packer, shape, value)


@pytest.mark.parametrize("name", TYPE_NAMES)
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_non_canonical_encodings_decode_to_the_value(name: str, data: st.DataObject) -> None:
    value = data.draw(strategy(LAYOUTS, type_shape(LAYOUTS, name), STRATEGIES))
    packer = LenientPacker(data)
    wire = packer.encode(name, value)
    assert codec_of(name).decode(wire) == value
    assert ReferenceCodec(SOURCES).decode(name, wire) == value
    if packer.non_canonical:
        # The canonical form is what we send back: flags 1, narrow values in range, no NUL tail.
        assert codec_of(name).encode(value) != wire


def test_the_lenient_paths_are_exercised() -> None:
    """The narrow, optional and string kinds all occur in the protocol (else the test above is hollow)."""
    kinds = set()

    def walk(shape: Shape, seen: set[str]) -> None:
        if isinstance(shape, Primitive) and shape.low is not None:
            kinds.add(shape.xdr_name)
        elif isinstance(shape, (Optional_, String)):
            kinds.add(type(shape).__name__)
        for inner in (getattr(shape, "element", None),):
            if inner is not None:
                walk(inner, seen)

    for name in TYPE_NAMES:
        definition = SOURCES.definition(name)
        for field in getattr(definition, "fields", []):
            walk(LAYOUTS.shape(field), set())
    assert {"char", "unsigned char", "unsigned short", "Optional_", "String"} <= kinds


@pytest.mark.parametrize(
    ("offset", "slot", "wire", "expected"),
    [
        (0, "state", 0x1FF, 255),
        (0, "state", 0x100, 0),
        (20, "nrVirtCpu", 0x10002, 2),
        (20, "nrVirtCpu", 0xFFFFFFFF, 65535),
    ],
)
def test_narrow_integers_keep_their_low_bits(offset: int, slot: str, wire: int, expected: int) -> None:
    # remote_domain_get_info_ret: state (unsigned char) at 0, nrVirtCpu (unsigned short) at 20.
    encoded = bytearray(32)
    encoded[offset : offset + 4] = wire.to_bytes(4, "big")
    assert getattr(codec_of("remote_domain_get_info_ret").decode(bytes(encoded)), slot) == expected
    assert getattr(ReferenceCodec(SOURCES).decode("remote_domain_get_info_ret", bytes(encoded)), slot) == expected


def test_signed_char_wraps_as_twos_complement() -> None:
    encoded = bytearray(4 * 32 + 8 + 4 * 6)  # remote_node_get_info_ret: char model[32] first
    encoded[0:4] = (0xFF).to_bytes(4, "big")  # 255 in a signed char is -1
    encoded[4:8] = (0xFFFFFF80).to_bytes(4, "big")  # -128 as a word stays -128
    encoded[8:12] = (0x12345641).to_bytes(4, "big")  # only the low byte, "A", is kept
    assert codec_of("remote_node_get_info_ret").decode(bytes(encoded)).model[:3] == [-1, -128, 65]
    reference = ReferenceCodec(SOURCES).decode("remote_node_get_info_ret", bytes(encoded))
    assert reference.model[:3] == [-1, -128, 65]


def test_strings_end_at_their_first_nul() -> None:
    codec = codec_of("remote_domain_rename_args")
    domain = b"\0\0\0\4test" + bytes(16) + b"\0\0\0\1"
    wire = domain + b"\0\0\0\1" + b"\0\0\0\x08victim\0x" + b"\0\0\0\0"
    assert codec.decode(wire).new_name == "victim"
    assert ReferenceCodec(SOURCES).decode("remote_domain_rename_args", wire).new_name == "victim"
    # The bound still counts every byte on the wire, NUL and tail included.
    over = codec_of("remote_nonnull_string")
    with pytest.raises(Exception, match="exceeds its bound"):
        over.decode((4194305).to_bytes(4, "big") + bytes(8))


def can_have_padding(shape: Shape, seen: set[str]) -> bool:
    """Whether a value of shape can hold a string or opaque whose length needs padding."""
    if isinstance(shape, (String, VarOpaque)):
        return True
    if isinstance(shape, FixedOpaque):
        return shape.length % 4 != 0
    element = getattr(shape, "element", None)
    if element is not None:
        return can_have_padding(element, seen)
    name = getattr(shape, "name", None)
    if name is None or name in seen:
        return False
    seen.add(name)
    definition = SOURCES.definition(name)
    declarations = list(getattr(definition, "fields", []))
    declarations += [arm.declaration for arm in getattr(definition, "arms", []) if arm.declaration is not None]
    if getattr(definition, "default", None) is not None:
        declarations.append(definition.default)
    return any(can_have_padding(LAYOUTS.shape(d), seen) for d in declarations)


PADDED_TYPES = [n for n in TYPE_NAMES if can_have_padding(type_shape(LAYOUTS, n), set())]
PADDED_SEEN: dict[str, int] = {}


@pytest.mark.parametrize("name", PADDED_TYPES)
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_non_zero_padding_decodes_to_the_value(name: str, data: st.DataObject) -> None:
    """libtirpc's xdr_opaque (under xdr_string and xdr_bytes too) reads the 1-3 padding bytes
    into a scratch buffer and never looks at them: random padding decodes as zero padding."""
    value = data.draw(strategy(LAYOUTS, type_shape(LAYOUTS, name), STRATEGIES))
    packer = LenientPacker(data, non_canonical=False, random_padding=True)
    wire = packer.encode(name, value)
    canonical = codec_of(name).encode(value)
    zeroed = bytearray(wire)
    for at, count in packer.pads:
        zeroed[at : at + count] = bytes(count)
    # Only the padding differs from the canonical (zero-padded) encoding.
    assert bytes(zeroed) == canonical
    assert codec_of(name).decode(wire) == value
    assert ReferenceCodec(SOURCES).decode(name, wire) == value
    if packer.pads:
        assert wire != canonical
    PADDED_SEEN[name] = PADDED_SEEN.get(name, 0) + len(packer.pads)


def test_the_padding_paths_are_exercised() -> None:
    """Nearly every type that can hold padding gets random pads in its examples; the string,
    variable opaque and fixed opaque kinds all occur (the fixed ones only unpadded)."""
    assert len(PADDED_TYPES) > 500
    sample = PADDED_TYPES[:: len(PADDED_TYPES) // 25]
    for name in sample:
        PADDED_SEEN.pop(name, None)
        test_non_zero_padding_decodes_to_the_value(name)
    assert sum(1 for name in sample if PADDED_SEEN.get(name)) >= len(sample) - 2
    kinds = {type(LAYOUTS.shape(f)) for n in TYPE_NAMES for f in getattr(SOURCES.definition(n), "fields", [])}
    assert {String, VarOpaque, FixedOpaque} <= kinds


# libvirt's protocols have no fixed opaque whose length needs padding (UUIDs are 16 bytes),
# so the generated code's fixed-opaque padding is checked on a type added to a copy of them:
# alone in a struct run, as an array element, behind an optional flag, and at the end.
PROBE_TYPES = """
typedef opaque lxc_probe_tag[3];
struct lxc_probe_padded {
    opaque first[5];
    unsigned int between;
    lxc_probe_tag tags<4>;
    lxc_probe_tag *maybe;
    opaque last[1];
};
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from virtrio.protocol.generate import generate

    copy = tmp_path_factory.mktemp("probe") / "libvirt"
    shutil.copytree(REFERENCE, copy)
    x_file = copy / "protocol" / "lxc_protocol.x"
    x_file.write_text(x_file.read_text() + PROBE_TYPES)
    source = copy / "lxc_probe.py"
    source.write_text(generate(copy)["lxc.py"])
    # Imported inside the generated package, so its relative import of the runtime works.
    name = "virtrio.protocol.generated._lxc_probe"
    spec = importlib.util.spec_from_file_location(name, source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    first=st.binary(min_size=5, max_size=5),
    between=st.integers(0, 2**32 - 1),
    tags=st.lists(st.binary(min_size=3, max_size=3), max_size=4),
    maybe=st.none() | st.binary(min_size=3, max_size=3),
    last=st.binary(min_size=1, max_size=1),
    data=st.data(),
)
def test_fixed_opaque_padding_is_not_checked(
    probe: Any, first: bytes, between: int, tags: list[bytes], maybe: bytes | None, last: bytes, data: st.DataObject
) -> None:
    def padded(value: bytes) -> bytes:
        return value + data.draw(pad_bytes(-len(value) & 3))

    wire = padded(first) + struct.pack(">II", between, len(tags)) + b"".join(padded(tag) for tag in tags)
    wire += struct.pack(">I", 0) if maybe is None else struct.pack(">I", 1) + padded(maybe)
    wire += padded(last)
    codec = probe.CODECS["lxc_probe_padded"]
    value = probe.lxc_probe_padded(first, between, tags, maybe, last)
    assert codec.decode(wire) == value
    canonical = codec.encode(value)
    assert len(canonical) == len(wire) and canonical != wire  # the same layout, zero pads
    assert probe.CODECS["lxc_probe_tag"].decode(padded(last * 3)) == last * 3


def enum_of(type_ref: TypeRef) -> Enum | None:
    """The enum a declared type is (through typedefs), or None."""
    if type_ref.builtin:
        return None
    definition = SOURCES.definition(type_ref.name)
    if isinstance(definition, Typedef):
        return enum_of(definition.declaration.type)
    return definition if isinstance(definition, Enum) else None


ENUM_FIELDS = [
    (name, index, enum)
    for name in TYPE_NAMES
    if isinstance(SOURCES.definition(name), Struct)
    for index, field in enumerate(SOURCES.definition(name).fields)
    if (enum := enum_of(field.type)) is not None
]


def outside(enum: Enum) -> st.SearchStrategy[int]:
    """A 32-bit value that is none of the enum's enumerators."""
    members = {SOURCES.resolve(member.value) for member in enum.members}
    edges = [99, -1, 2**31 - 1, -(2**31), max(members) + 1, min(members) - 1]
    return (st.sampled_from(edges) | st.integers(-(2**31), 2**31 - 1)).filter(lambda v: v not in members)


def test_enum_fields_are_found() -> None:
    found = {(name, SOURCES.definition(name).fields[index].name) for name, index, _ in ENUM_FIELDS}
    assert {
        ("remote_auth_list_ret", "types"),
        ("virNetMessageHeader", "type"),
        ("virNetMessageHeader", "status"),
    } <= found


@pytest.mark.parametrize(("name", "index", "enum"), ENUM_FIELDS, ids=[f"{n}[{i}]" for n, i, _ in ENUM_FIELDS])
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_enum_fields_take_any_32_bit_value(name: str, index: int, enum: Enum, data: st.DataObject) -> None:
    """libtirpc's xdr_enum is xdr_int: any word is taken as it is, and libvirt decides later."""
    value = data.draw(strategy(LAYOUTS, type_shape(LAYOUTS, name), STRATEGIES))
    slot = type(value).__slots__[index]
    shape = LAYOUTS.shape(SOURCES.definition(name).fields[index])
    if isinstance(shape, VarArray):
        bound = min(shape.maximum or 4, 4)
        setattr(value, slot, data.draw(st.lists(outside(enum), min_size=1, max_size=bound)))
    else:
        assert isinstance(shape, Primitive)
        setattr(value, slot, data.draw(outside(enum)))
    # Encoded by xdrlib3 (not by the codec under test), decoded by both decoders.
    wire = ReferenceCodec(SOURCES).encode(name, value)
    assert codec_of(name).decode(wire) == value
    assert ReferenceCodec(SOURCES).decode(name, wire) == value
    assert codec_of(name).encode(value) == wire  # and sent back as it came


def test_a_header_with_enum_words_out_of_range() -> None:
    # type 99 and status 0xFFFFFFFF (-1 as the C enum): read as they are.
    wire = struct.pack(">IIiIII", 0x20008086, 1, 1, 99, 7, 0xFFFFFFFF)
    header = codec_of("virNetMessageHeader").decode(wire)
    assert (header.type, header.status) == (99, -1)
    assert ReferenceCodec(SOURCES).decode("virNetMessageHeader", wire) == header
