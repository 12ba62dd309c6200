"""A test volume's sparse data reads back as a plain byte array would, and costs only the
blocks that were written."""

from __future__ import annotations

import random

from virtrio.drivers.test.volumes import BLOCK, SparseData


def _apply(data: SparseData, model: bytearray, rng: random.Random) -> None:
    operation = rng.choice(("write", "write", "zero", "truncate"))
    offset = rng.randrange(0, 6 * BLOCK)
    if operation == "write":
        chunk = rng.randbytes(rng.randrange(1, 2 * BLOCK))
        data.write(offset, chunk)
        if len(model) < offset + len(chunk):
            model.extend(bytes(offset + len(chunk) - len(model)))
        model[offset : offset + len(chunk)] = chunk
    elif operation == "zero":
        length = rng.randrange(0, 3 * BLOCK)
        data.zero(offset, length)
        end = min(offset + length, len(model))
        if offset < end:
            model[offset:end] = bytes(end - offset)
    else:
        data.truncate(offset)
        del model[offset:]


def test_reads_match_a_plain_byte_array() -> None:
    rng = random.Random(20261205)
    for _ in range(30):
        data, model = SparseData(), bytearray()
        for _ in range(25):
            _apply(data, model, rng)
            assert len(data) == len(model)
            start, size = rng.randrange(0, len(model) + 1), rng.randrange(0, 4 * BLOCK)
            assert data.read(start, size) == bytes(model[start : start + size])
            assert data.read(0, len(model)) == bytes(model)


def test_one_byte_far_out_costs_one_block() -> None:
    data = SparseData()
    data.write((256 << 20) - 1, b"Z")
    assert len(data) == 256 << 20
    assert len(data._blocks) == 1  # the only block that holds written bytes
    assert data.is_hole(0) and not data.is_hole((256 << 20) - 1)
    assert data.read((256 << 20) - 3, 10) == b"\0\0Z"


def test_truncate_then_grow_reads_zeros() -> None:
    data = SparseData()
    data.write(0, b"x" * (3 * BLOCK))
    data.truncate(BLOCK + 5)
    data.write(3 * BLOCK, b"y")
    assert data.read(BLOCK, 10) == b"x" * 5 + bytes(5)
    assert data.read(2 * BLOCK, BLOCK) == bytes(BLOCK)
    assert data.read(3 * BLOCK, 1) == b"y"
