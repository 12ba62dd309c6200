"""libvirt's bitmaps (virbitmap.c): CPU and node sets as text and as bytes. A leaf: the
definition modules of the test driver share it without importing each other."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from itertools import repeat

from virtrio.drivers.libvirt_rules import C_SPACE
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

CPUMASK_LEN = 16384  # VIR_DOMAIN_CPUMASK_LEN


_FIRST_NUMBER = re.compile(r"\d+")
_LATER_NUMBER = re.compile(r"\s*[+-]?\d+")  # (after a dash: spaces and a sign allowed)
_INT_LIMIT = 2**31  # virStrToLong_i's range


def _long_int(number: str) -> int:
    """int() of a number longer than any in range: Python refuses more than 4,300 digits, where
    virStrToLong_i reads leading zeros and finds the rest in range or not."""
    unsigned = number.lstrip()
    sign = -1 if unsigned.startswith("-") else 1
    digits = unsigned.lstrip("+-").lstrip("0")
    return sign * (int(digits or "0") if len(digits) <= 10 else _INT_LIMIT + 1)


def _bitmap_error(text: str) -> Exception:
    return report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_NONE, f"Failed to parse bitmap '{text}'")


def parse_bitmap(text: str, size: int = CPUMASK_LEN) -> set[int]:
    """virBitmapParse: "0-3,^2,7" into its bits, none at or beyond size."""
    # The form nearly every bitmap has, ASCII numbers and ranges between commas (no spaces,
    # signs or exclusions), read without the general reader's steps: a third of its cost.
    if not text.isascii():
        return _parse_any_bitmap(text, size)
    bits: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):  # (ASCII: 0-9 only)
            return _parse_any_bitmap(text, size)
        start = int(first) if len(first) < 20 else _long_int(first)
        if dash:
            end = int(last) if len(last) < 20 else _long_int(last)
            if start >= _INT_LIMIT or end >= _INT_LIMIT or end < start or end >= size:
                raise _bitmap_error(text)
            bits.update(range(start, end + 1))
        else:
            if start >= _INT_LIMIT or start >= size:
                raise _bitmap_error(text)
            bits.add(start)
    return bits


def _parse_any_bitmap(text: str, size: int) -> set[int]:
    """parse_bitmap of any text: spaces, signs and ^exclusions too."""

    def number(position: int, leading_digit: bool) -> tuple[int, int]:
        match = (_FIRST_NUMBER if leading_digit else _LATER_NUMBER).match(text, position)
        value = _long_int(match.group()) if match is not None else 0
        if match is None or not -_INT_LIMIT <= value < _INT_LIMIT:
            raise _bitmap_error(text)
        return value, match.end()

    def skip_spaces(position: int) -> int:
        while position < len(text) and text[position] in C_SPACE:
            position += 1
        return position

    bits: set[int] = set()
    position = skip_spaces(0)
    if position == len(text):
        raise _bitmap_error(text)
    while position < len(text):
        negative = text[position] == "^"
        position += negative
        if position == len(text) or not text[position].isdigit():
            raise _bitmap_error(text)
        start, position = number(position, True)
        position = skip_spaces(position)
        if position == len(text) or text[position] == ",":
            if start >= size:
                raise _bitmap_error(text)
            bits.discard(start) if negative else bits.add(start)
        elif text[position] == "-":
            if negative:
                raise _bitmap_error(text)
            last, position = number(skip_spaces(position + 1), False)
            if last < start or last >= size:
                raise _bitmap_error(text)
            bits.update(range(start, last + 1))
            position = skip_spaces(position)
        if position == len(text):
            break
        if text[position] != ",":
            raise _bitmap_error(text)
        position = skip_spaces(position + 1)
    return bits


def format_bitmap(bits: Iterable[int]) -> str:
    """virBitmapFormat: runs of set bits as "0-3,5"."""
    if isinstance(bits, (set, frozenset)) and bits:  # (no repeats) one run, most sets: no step per bit
        lowest, highest = min(bits), max(bits)
        if highest - lowest + 1 == len(bits):
            return str(lowest) if lowest == highest else f"{lowest}-{highest}"
    ranges: list[list[int]] = []
    for bit in sorted(bits):
        if ranges and ranges[-1][1] == bit - 1:
            ranges[-1][1] = bit
        else:
            ranges.append([bit, bit])
    return ",".join(str(first) if first == last else f"{first}-{last}" for first, last in ranges)


def bitmap_from_bytes(data: bytes) -> set[int]:
    return {8 * index + bit for index, byte in enumerate(data) for bit in range(8) if byte >> bit & 1}


def bitmap_bytes(bits: set[int] | range, length: int) -> bytes:
    """virBitmapToDataBuf: the bits as bytes, cut or padded to length. A range (every CPU of a
    host) costs no step per CPU, however many the host claims."""
    if length <= 0:
        return b""
    if isinstance(bits, range) and bits.step == 1:
        start, stop = max(bits.start, 0), min(bits.stop, 8 * length)
        mask = ((1 << (stop - start)) - 1) << start if stop > start else 0
        return mask.to_bytes(length, "little")
    if isinstance(bits, range):
        bits = set(bits)
    # One big integer turned into bytes (to_bytes pads in C, whatever length a client asks
    # for). Not a sum of powers of two: that copies the growing integer once per bit, ~30 ms
    # for the 16,384 CPUs a mask may hold.
    if bits and (min(bits) < 0 or max(bits) >= 8 * length):
        bits = {bit for bit in bits if 0 <= bit < 8 * length}
    if not bits:
        return bytes(length)
    lowest, highest = min(bits), max(bits)
    if len(bits) == highest - lowest + 1:  # one run (every CPU of a host, say): no step per bit
        mask = ((1 << len(bits)) - 1) << lowest
    else:
        # one ASCII digit per bit, set without a Python step per bit, read in base 2 (linear)
        digits = bytearray(b"0") * (highest + 1)
        deque(map(digits.__setitem__, bits, repeat(ord("1"))), maxlen=0)
        digits.reverse()
        mask = int(digits, 2)
    return mask.to_bytes(length, "little")


def bitmap_data(bits: set[int]) -> bytes:
    """virBitmapToData: just enough bytes for the highest bit (one when none is set)."""
    return bitmap_bytes(bits, max(bits) // 8 + 1 if bits else 1)
