"""Decoding accepts what glibc's XDR accepts: every type, fed glibc-valid but non-canonical bytes.

A lenient packer writes each value the way a foreign XDR encoder may: optional-data flags
and bools as any non-zero word, char/short with junk in their high bits, strings with a
NUL and trailing bytes after the text. glibc's routines (and so libvirtd) read all of
these back as the original value; both of our decoders must too.
"""

from __future__ import annotations

from typing import Any

import pytest
import xdrlib3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from virtrio.protocol.layout import Optional_, Primitive, Shape, String
from virtrio.protocol.reference_codec import _PACK, ReferenceCodec

from .test_codec_properties import LAYOUTS, SOURCES, STRATEGIES, TYPE_NAMES, codec_of
from .xdr_values import INT_RANGES, strategy, type_shape

NON_ZERO = st.integers(1, 2**32 - 1)


class LenientPacker(ReferenceCodec):
    """The reference codec's encoder, choosing non-canonical wire forms with hypothesis."""

    def __init__(self, draw: st.DataObject) -> None:
        super().__init__(SOURCES, enforce_bounds=True)
        self.data = draw
        self.non_canonical = 0  # how many fields were written in a non-canonical form

    def _pack(self, packer: xdrlib3.Packer, shape: Shape, value: Any) -> None:
        draw = self.data.draw
        if isinstance(shape, Primitive) and shape.low is not None:
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
            if room >= 0 and draw(st.booleans()):
                text += b"\0" + draw(st.binary(max_size=min(room, 8)))
                self.non_canonical += 1
            packer.pack_opaque(text)
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
