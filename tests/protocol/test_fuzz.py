"""Random and mutated bytes fed to every procedure's decoders raise only XdrError.

A fixed seed keeps CI deterministic; VIRTRIO_FUZZ_ROUNDS makes a longer run.
"""

from __future__ import annotations

import os
import random
import struct

import pytest
import xdrlib3

from virtrio.protocol.generated import admin, keepalive, lxc, qemu, remote
from virtrio.protocol.layout import Layouts, Optional_, Shape, StructRef, UnionRef
from virtrio.protocol.reference_codec import ReferenceCodec
from virtrio.protocol.runtime import Codec, XdrError

from ..conftest import REFERENCE
from .xdr_values import zero_value

ROUNDS = int(os.environ.get("VIRTRIO_FUZZ_ROUNDS", "40"))
CODECS: list[Codec] = []
for program in (remote, qemu, lxc, admin, keepalive):
    for procedure in program.PROCEDURES.values():
        CODECS += [c for c in (procedure.args, procedure.ret) if c is not None]


class MarkingDecoder(ReferenceCodec):
    """The reference decoder, noting the offset of every optional-data flag and union
    discriminant it reads: where choice 4 of mutate puts its out-of-range words."""

    def __init__(self, layouts: Layouts) -> None:
        super().__init__(layouts.sources)
        self.marks: list[int] = []

    def _unpack(self, unpacker: xdrlib3.Unpacker, shape: Shape) -> object:
        if isinstance(shape, (Optional_, UnionRef)):
            self.marks.append(unpacker.get_position())
        return super()._unpack(unpacker, shape)

    def marks_of(self, name: str, data: bytes) -> list[int]:
        self.marks = []
        self.decode(name, data)
        return self.marks


def mutate(rng: random.Random, data: bytes, marks: list[int], counts: dict[str, int]) -> bytes:
    """data with 1-4 random changes; marks are the offsets of data's flags and discriminants."""
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(6)
        if choice == 0 and buffer:  # flip a byte
            buffer[rng.randrange(len(buffer))] = rng.randrange(256)
        elif choice == 1:  # truncate
            del buffer[rng.randrange(len(buffer) + 1) :]
        elif choice == 2:  # extend
            buffer += rng.randbytes(rng.randrange(1, 16))
        elif choice == 3 and len(buffer) >= 4:  # a hostile length or count word
            at = rng.randrange(0, len(buffer) - 3) & ~3
            buffer[at : at + 4] = struct.pack(">I", rng.choice((0xFFFFFFFF, 0x7FFFFFFF, 0x10000, 4194305, 2)))
        elif choice == 4 and marks:  # an optional flag or a union discriminant out of range
            # (an earlier change may have moved the bytes: the word is still one of the seed's)
            at = rng.choice(marks)
            if at + 4 <= len(buffer):
                buffer[at : at + 4] = struct.pack(">i", rng.choice((-1, 2, 8, 99)))
                counts["marked"] += 1
        else:  # splice part of itself
            if buffer:
                start = rng.randrange(len(buffer))
                buffer += buffer[start : start + rng.randrange(1, 32)]
    return bytes(buffer)


def seeds(codec: Codec, layouts: Layouts) -> list[bytes]:
    """A few valid encodings to mutate: the zero value, and one with filled lists."""
    value = zero_value(layouts, StructRef(codec.name))
    found = [codec.encode(value)]
    for slot in type(value).__slots__:
        current = getattr(value, slot)
        if current == [] or current == "" or current == b"":
            setattr(value, slot, "x" * 5 if current == "" else (b"y" * 3 if current == b"" else []))
    found.append(codec.encode(value))
    return found


@pytest.fixture(scope="module")
def layouts() -> Layouts:
    from virtrio.protocol.sources import load_sources

    return Layouts(load_sources(REFERENCE))


def test_every_decoder_raises_only_xdr_error(layouts: Layouts) -> None:
    rng = random.Random(20261124)
    decoded = rejected = 0
    counts = {"marked": 0}
    marking = MarkingDecoder(layouts)
    for codec in CODECS:
        inputs = [rng.randbytes(rng.randrange(0, 64)) for _ in range(ROUNDS // 4)]
        for seed in seeds(codec, layouts):
            marks = marking.marks_of(codec.name, seed)
            inputs += [mutate(rng, seed, marks, counts) for _ in range(ROUNDS)]
        for data in inputs:
            try:
                codec.decode(data)
                decoded += 1
            except XdrError:
                rejected += 1
            except Exception as error:  # pragma: no cover - this is the failure being looked for
                pytest.fail(f"{codec.name} raised {type(error).__name__}: {error} on {data.hex()}")
    assert decoded > 0 and rejected > 0
    # Flags and discriminants were really overwritten, not only shifted or spliced.
    assert counts["marked"] > len(CODECS)
