"""config_facts reads a PCI device's header type and PCI Express facts under libvirt 9.0.0's
rules (virpci.c: virPCIGetHeaderType, virPCIDeviceInit, virPCIDeviceHasPCIExpressLink,
virPCIDeviceGetLinkCapSta), reading only the bytes it needs, and answers as the same rules
applied to the whole space read at once."""

from __future__ import annotations

import glob
import os
import random
from pathlib import Path

import pytest

from virtrio.drivers.nodedev import pci_sysfs
from virtrio.drivers.nodedev.pci_sysfs import ExpressInfo, InvalidHeaderType, config_facts, express_lines


def whole_read_answer(space: bytes, file_length: int) -> tuple[int, tuple | str | None]:
    """The specification on the whole space at once: (header type, None for plain PCI, "bare"
    for <pci-express/>, else the link's five numbers). Bytes past the end read as zero."""

    def byte(at: int) -> int:
        return space[at] if at < len(space) else 0

    def word(at: int, size: int) -> int:
        return sum(byte(at + i) << (8 * i) for i in range(size))

    header = byte(0x0E) & 0x7F
    if header > 2:
        return header, "invalid"
    found = None
    if byte(0x06) & 0x10:
        position, visited = byte(0x34), set()
        while 0x40 <= position != 0xFF and position not in visited:  # a loop: nothing found
            visited.add(position)
            if byte(position) == 0x10:
                found = position
                break
            position = byte(position + 1)
    if found is None:
        return header, None if file_length == 256 else "bare"
    if (word(found + 2, 2) >> 4) & 0xF in (9, 10):
        return header, "bare"
    cap, sta = word(found + 0x0C, 4), word(found + 0x12, 2)
    return header, (cap >> 24, cap & 0xF, (cap >> 4) & 0x3F, sta & 0xF, (sta >> 4) & 0x3F)


def answer(folder: str) -> tuple[int, tuple | str | None]:
    try:
        header, express = config_facts(folder)
    except InvalidHeaderType as error:
        return error.args[0], "invalid"
    if express is None:
        return header, None
    return header, "bare" if express.link is None else express.link


def device(tmp_path: Path, data: bytes) -> str:
    folder = tmp_path / f"d{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / "config").write_bytes(data)
    return str(folder)


def space(
    length: int = 256,
    capabilities: tuple[tuple[int, int, int], ...] = (),
    status: int = 0x10,
    first: int = 0x40,
    header: int = 0,
    express: tuple[int, int, int, int] | None = None,
) -> bytes:
    """A configuration space: (offset, id, next) capability headers; express = (offset,
    flags word, link capabilities, link status) written into that capability."""
    data = bytearray(max(length, 0x100))
    data[0x06], data[0x0E], data[0x34] = status, header, first
    for offset, capability, following in capabilities:
        data[offset], data[offset + 1] = capability, following
    if express is not None:
        at, flags, link_cap, link_sta = express
        data[at + 2 : at + 4] = flags.to_bytes(2, "little")
        data[at + 0x0C : at + 0x10] = link_cap.to_bytes(4, "little")
        data[at + 0x12 : at + 0x14] = link_sta.to_bytes(2, "little")
    return bytes(data[:length])


def link_cap(port: int, speed: int, width: int) -> int:
    return port << 24 | width << 4 | speed


ENDPOINT_FLAGS = 0x0002  # version 2, type 0 (an endpoint)
CASES = [
    # an endpoint with a link: x16 at 8 GT/s capable, trained x8 at 5 GT/s, port 3
    (
        space(capabilities=((0x40, 0x01, 0x60), (0x60, 0x10, 0x00)), express=(0x60, 0x02, link_cap(3, 3, 16), 0x82)),
        (0, (3, 3, 16, 2, 8)),
    ),
    # integrated endpoints and event collectors of the root complex have no link
    (space(capabilities=((0x40, 0x10, 0x00),), express=(0x40, 0x92, link_cap(1, 1, 1), 0x11)), (0, "bare")),
    (space(capabilities=((0x40, 0x10, 0x00),), express=(0x40, 0xA2, link_cap(1, 1, 1), 0x11)), (0, "bare")),
    # a root port (type 4) and a switch's downstream port (6) have one
    (
        space(capabilities=((0x80, 0x10, 0x00),), first=0x80, express=(0x80, 0x42, link_cap(0, 4, 4), 0x44)),
        (0, (0, 4, 4, 4, 4)),
    ),
    (
        space(capabilities=((0x80, 0x10, 0x00),), first=0x80, express=(0x80, 0x62, link_cap(255, 7, 63), 0x3F0)),
        (0, (255, 7, 63, 0, 63)),
    ),
    # no express capability: 256 bytes is plain PCI, an extended space (4096) PCI Express
    (space(capabilities=((0x40, 0x01, 0x50), (0x50, 0x05, 0x00))), (0, None)),
    (space(4096, capabilities=((0x40, 0x01, 0x00),)), (0, "bare")),
    (space(4096, status=0x00), (0, "bare")),  # no capability list at all
    (space(capabilities=((0x40, 0x10, 0x00),), status=0x00), (0, None)),  # the list not announced
    (space(first=0x3C, capabilities=((0x40, 0x10, 0x00),)), (0, None)),  # a pointer into the header ends it
    (space(first=0xFF, capabilities=((0xFC, 0x10, 0x00),)), (0, None)),  # 0xff ends the walk
    # pointers are used as read, low bits and all (libvirt does not mask them)
    (
        space(first=0x41, capabilities=((0x41, 0x10, 0x00),), express=(0x41, 0x02, link_cap(2, 2, 1), 0x12)),
        (0, (2, 2, 1, 2, 1)),
    ),
    (space(capabilities=((0x40, 0x01, 0x48), (0x48, 0x01, 0x40))), (0, None)),  # a loop
    # header types: the low 7 bits; a bridge, a multi-function bridge, a CardBus bridge
    (space(header=0x01), (1, None)),
    (space(header=0x81), (1, None)),
    (space(header=0x82), (2, None)),
    (space(header=0x80), (0, None)),
    (space(header=0x03), (3, "invalid")),
    (space(header=0x7F), (0x7F, "invalid")),
    # short files: unread bytes are zeros
    (space(0x20), (0, "bare")),
    (b"", (0, "bare")),
    (space(0x62, capabilities=((0x40, 0x01, 0x60), (0x60, 0x10, 0x00))), (0, (0, 0, 0, 0, 0))),  # no flags: type 0
]


# a list through 146 offsets one byte apart (each capability's pointer is the next one's id),
# then a jump to the express capability: libvirt follows all of it
LONG_CHAIN = bytearray(space())
for _at in range(0x41, 0xD1):
    LONG_CHAIN[_at] = _at
LONG_CHAIN[0xD1], LONG_CHAIN[0xE0], LONG_CHAIN[0xE1] = 0xE0, 0x10, 0x00
CASES.append((bytes(LONG_CHAIN), (0, (0, 0, 0, 0, 0))))
CASES.append((bytes(LONG_CHAIN[:0xE0]) + bytes(256 - 0xE0), (0, None)))


@pytest.mark.parametrize(("data", "expected"), CASES)
def test_crafted_spaces(tmp_path: Path, data: bytes, expected: tuple) -> None:
    folder = device(tmp_path, data)
    assert answer(folder) == expected
    assert whole_read_answer(data, len(data)) == expected


def test_random_spaces_answer_as_the_whole_read(tmp_path: Path) -> None:
    rng = random.Random(16)
    for _ in range(400):
        length = rng.choice([0x30, 0x40, 0x80, 256, 256, 4096])
        data = bytearray(rng.choice([0x00, 0x10, 0x11, 0x40, rng.randrange(256)]) for _ in range(length))
        if length > 0x34 and rng.random() < 0.7:
            data[0x06] |= 0x10
            data[0x34] = rng.choice([0x40, 0x44, 0x50, rng.randrange(256)])
        folder = device(tmp_path, bytes(data))
        assert answer(folder) == whole_read_answer(bytes(data), length), bytes(data).hex()


def test_reads_only_what_the_walk_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = space(
        4096, capabilities=((0x40, 0x01, 0x50), (0x50, 0x10, 0x00)), express=(0x50, 0x02, link_cap(1, 2, 4), 0x42)
    )
    folder = device(tmp_path, data)
    reads: list[tuple[int, int]] = []
    original = os.pread

    def counting(fd: int, length: int, offset: int) -> bytes:
        reads.append((offset, length))
        return original(fd, length, offset)

    monkeypatch.setattr(pci_sysfs.os, "pread", counting)
    assert config_facts(folder)[1].link == (1, 2, 4, 2, 4)  # type: ignore[union-attr]
    assert sum(length for _, length in reads) == 1 + 1 + 1 + 2 + 2 + 2 + 4 + 2
    assert sorted(reads) == [(0x06, 1), (0x0E, 1), (0x34, 1), (0x40, 2), (0x50, 2), (0x52, 2), (0x5C, 4), (0x62, 2)]


def test_missing_config_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        config_facts(str(tmp_path / "absent"))


@pytest.mark.parametrize(
    ("info", "lines"),
    [
        (ExpressInfo(None), ["<pci-express/>"]),
        (
            ExpressInfo((3, 3, 16, 2, 8)),
            [
                "<pci-express>",
                "  <link validity='cap' port='3' speed='8' width='16'/>",
                "  <link validity='sta' speed='5' width='8'/>",
                "</pci-express>",
            ],
        ),
        # speed 0 is left out, the width never; 1..6 are 2.5..64 GT/s; others libvirt prints
        # through a NULL string
        (
            ExpressInfo((0, 0, 0, 1, 1)),
            [
                "<pci-express>",
                "  <link validity='cap' port='0' width='0'/>",
                "  <link validity='sta' speed='2.5' width='1'/>",
                "</pci-express>",
            ],
        ),
        (
            ExpressInfo((255, 6, 32, 0, 0)),
            [
                "<pci-express>",
                "  <link validity='cap' port='255' speed='64' width='32'/>",
                "  <link validity='sta' width='0'/>",
                "</pci-express>",
            ],
        ),
        (
            ExpressInfo((1, 7, 63, 15, 2)),
            [
                "<pci-express>",
                "  <link validity='cap' port='1' speed='(null)' width='63'/>",
                "  <link validity='sta' speed='(null)' width='2'/>",
                "</pci-express>",
            ],
        ),
        (
            ExpressInfo((2, 4, 8, 5, 8)),
            [
                "<pci-express>",
                "  <link validity='cap' port='2' speed='16' width='8'/>",
                "  <link validity='sta' speed='32' width='8'/>",
                "</pci-express>",
            ],
        ),
    ],
)
def test_express_element(info: ExpressInfo, lines: list[str]) -> None:
    assert express_lines(info, indent="") == lines
    assert pci_sysfs.decode_express(info.encode()).link == info.link


@pytest.mark.skipif(
    not glob.glob("/sys/bus/pci/devices/*/config") or os.geteuid() != 0, reason="needs root and PCI devices"
)
def test_this_machines_devices() -> None:
    for config in glob.glob("/sys/bus/pci/devices/*/config"):
        folder = os.path.dirname(os.path.realpath(config))
        data = Path(config).read_bytes()
        assert answer(folder) == whole_read_answer(data, len(data)), folder
