"""Storage volumes of test:/// pools: create, clone, look up, resize, wipe, delete, and
their data, kept in memory, for upload and download streams (libvirt's test driver has
neither resize, wipe, upload nor download: these follow libvirt's storage driver)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from lxml import etree

from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import report

from ..xml_text import escape_text
from .domain_definition import MEMORY_UNITS as UNITS
from .parse import parse_document

FROM_TEST = api.VIR_FROM_TEST


STREAM_CHUNK = 256 * 1024  # what libvirt's clients send per STREAM packet


@dataclass
class Volume:
    name: str
    path: str
    capacity: int  # bytes
    allocation: int
    # the bytes written so far; everything after them, up to the capacity, reads as zeros
    data: bytearray = field(default_factory=bytearray)

    @property
    def key(self) -> str:
        return self.path

    def check_end(self, end: int) -> None:
        if end > self.capacity:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_STORAGE,
                         f"data past the volume's capacity of {self.capacity} bytes")  # fmt: skip

    def write(self, offset: int, chunk: bytes) -> None:
        end = offset + len(chunk)
        self.check_end(end)
        if end > len(self.data):
            self.data.extend(bytes(end - len(self.data)))
        self.data[offset:end] = chunk

    def zero(self, offset: int, length: int) -> None:
        end = min(offset + length, len(self.data))
        if offset < end:
            self.data[offset:end] = bytes(end - offset)


class VolumeUpload:
    """Where an upload stream's data goes: into the volume from the offset given."""

    def __init__(self, volume: Volume, offset: int, length: int) -> None:
        self.volume = volume
        self.position = offset
        self.end = offset + length if length else None  # None: up to the capacity

    def _advance(self, length: int) -> int:
        if self.end is not None and self.position + length > self.end:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_STORAGE,
                         "more data than the upload's length")  # fmt: skip
        start, self.position = self.position, self.position + length
        return start

    async def write(self, data: bytes) -> None:
        self.volume.write(self._advance(len(data)), data)

    async def hole(self, length: int) -> None:
        start = self._advance(length)
        self.volume.check_end(start + length)
        self.volume.zero(start, length)

    async def finish(self) -> None:
        pass

    async def abort(self) -> None:
        pass  # what was written stays, as with a file


async def volume_download(volume: Volume, offset: int, length: int, sparse: bool) -> AsyncIterator[bytes | int]:
    """The volume's bytes from offset; with sparse, the unwritten tail as a hole (an int)."""
    end = min(offset + length, volume.capacity) if length else volume.capacity
    position = offset
    while position < min(end, len(volume.data)):
        chunk = bytes(volume.data[position : min(position + STREAM_CHUNK, end, len(volume.data))])
        position += len(chunk)
        yield chunk
    if position < end and sparse:
        yield end - position
        return
    while position < end:
        size = min(STREAM_CHUNK, end - position)
        position += size
        yield bytes(size)


def volume_xml(volume: Volume) -> str:
    return (
        "\n".join(
            [
                "<volume type='file'>",
                f"  <name>{escape_text(volume.name)}</name>",
                f"  <key>{escape_text(volume.key)}</key>",
                f"  <capacity unit='bytes'>{volume.capacity}</capacity>",
                f"  <allocation unit='bytes'>{volume.allocation}</allocation>",
                "  <target>",
                f"    <path>{escape_text(volume.path)}</path>",
                "    <format type='raw'/>",
                "  </target>",
                "</volume>",
            ]
        )
        + "\n"
    )


def _bytes(element: etree._Element | None, default: int | None) -> int | None:
    if element is None or not (element.text or "").strip():
        return default
    unit = element.get("unit", "bytes").lower()
    if unit not in UNITS:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_STORAGE, f"unknown size unit '{element.get('unit')}'")
    try:
        return int(element.text.strip()) * UNITS[unit]
    except ValueError:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_STORAGE, "malformed capacity element") from None


def parse_volume_xml(text: str, pool_path: str) -> Volume:
    root = parse_document(text, "volume")
    name = root.findtext("name")
    if not name:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_STORAGE, "missing volume name element")
    capacity = _bytes(root.find("capacity"), None)
    if capacity is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_STORAGE, "missing capacity element")
    allocation = _bytes(root.find("allocation"), capacity)
    return Volume(name, f"{pool_path}/{name}", capacity, allocation)


def volume_ref(pool_name: str, volume: Volume) -> remote.remote_nonnull_storage_vol:
    return remote.remote_nonnull_storage_vol(pool_name, volume.name, volume.key)


def no_volume(detail: str) -> Exception:
    return report(api.VIR_ERR_NO_STORAGE_VOL, FROM_TEST, detail)
