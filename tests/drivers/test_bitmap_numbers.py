"""Bitmap numbers of any length (Python's int() refuses more than 4,300 digits): leading zeros
read as virStrToLong_i reads them, anything longer out of range, never an internal error."""

from __future__ import annotations

import pytest

from virtrio.drivers.test.bitmaps import parse_bitmap
from virtrio.rpc.errors import LibvirtError


@pytest.mark.parametrize(
    ("text", "bits"),
    [("0" * 5000 + "1", {1}), ("0-" + "0" * 5000 + "3", {0, 1, 2, 3}), ("0-3,^" + "0" * 5000 + "2", {0, 1, 3})],
)
def test_leading_zeros_of_any_length(text: str, bits: set[int]) -> None:
    assert parse_bitmap(text) == bits


@pytest.mark.parametrize("text", ["9" * 5000, "1-" + "9" * 5000, "0-" + "-" + "1" * 5000, " " + "7" * 5000])
def test_long_numbers_are_out_of_range(text: str) -> None:
    with pytest.raises(LibvirtError, match="Failed to parse bitmap"):
        parse_bitmap(text)
