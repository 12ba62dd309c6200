"""has_pci_express reads only the configuration-space bytes its capability walk needs, and
answers as a walk over the whole readable space does."""

from __future__ import annotations

import glob
import os
import random
from pathlib import Path

import pytest

from virtrio.drivers.nodedev.sources import has_pci_express


def whole_read_answer(config_path: Path) -> bool:
    """The rule on the whole readable space at once (the specification of the answer)."""
    if config_path.stat().st_size > 256:
        return True
    config = config_path.read_bytes()[:256]
    if len(config) < 0x40 or not config[0x06] & 0x10:
        return False
    pointer, seen = config[0x34] & 0xFC, set()
    while pointer and pointer + 1 < len(config) and pointer not in seen:
        seen.add(pointer)
        if config[pointer] == 0x10:
            return True
        pointer = config[pointer + 1] & 0xFC
    return False


def device(tmp_path: Path, data: bytes) -> str:
    folder = tmp_path / f"d{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / "config").write_bytes(data)
    return str(folder)


def chain(length: int, capabilities: list[tuple[int, int, int]], status: int = 0x10, first: int = 0x40) -> bytes:
    """A configuration space of `length` bytes with (offset, id, next) capability headers."""
    space = bytearray(length)
    if length > 0x06:
        space[0x06] = status
    if length > 0x34:
        space[0x34] = first
    for offset, capability, following in capabilities:
        if offset + 1 < length:
            space[offset], space[offset + 1] = capability, following
    return bytes(space)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (chain(256, [(0x40, 0x01, 0x50), (0x50, 0x05, 0x60), (0x60, 0x10, 0x00)]), True),
        (chain(256, [(0x40, 0x01, 0x50), (0x50, 0x05, 0x00)]), False),
        (chain(256, [(0x40, 0x10, 0x00)], status=0x00), False),  # no capability list
        (chain(64, [(0x40, 0x10, 0x00)]), False),  # what a user may read: the header only
        (chain(0x3F, []), False),
        (chain(256, [(0x40, 0x01, 0x48), (0x48, 0x01, 0x40)]), False),  # a loop
        (chain(0x61, [(0x40, 0x01, 0x60), (0x60, 0x10, 0x00)]), False),  # the header cut short
        (chain(0x62, [(0x40, 0x01, 0x60), (0x60, 0x10, 0x00)]), True),
        (chain(256, [(0xFC, 0x10, 0x00)], first=0xFF), True),  # low bits of pointers ignored
        (bytes(4096), True),  # extended configuration space
        (b"", False),
    ],
)
def test_capability_walk(tmp_path: Path, data: bytes, expected: bool) -> None:
    path = device(tmp_path, data)
    assert has_pci_express(path) is expected
    assert whole_read_answer(Path(path) / "config") is expected


def test_random_spaces_answer_as_the_whole_read(tmp_path: Path) -> None:
    rng = random.Random(16)
    for _ in range(300):
        length = rng.choice([0x30, 0x40, 0x41, 0x80, 0xC3, 256])
        data = bytes(rng.choice([0x00, 0x10, 0x11, rng.randrange(256)]) for _ in range(length))
        path = device(tmp_path, data)
        assert has_pci_express(path) == whole_read_answer(Path(path) / "config"), data.hex()


def test_missing_config_is_not_express(tmp_path: Path) -> None:
    assert has_pci_express(str(tmp_path / "absent")) is False


@pytest.mark.skipif(not glob.glob("/sys/bus/pci/devices/*/config"), reason="no PCI devices visible here")
def test_this_machines_devices() -> None:
    for config in glob.glob("/sys/bus/pci/devices/*/config"):
        folder = os.path.dirname(os.path.realpath(config))
        assert has_pci_express(folder) == whole_read_answer(Path(config)), folder
