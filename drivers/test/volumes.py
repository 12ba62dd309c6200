"""Storage volumes of test:/// pools: create, clone, look up, resize, wipe, delete, and
their data, kept in memory, for upload and download streams (libvirt's test driver has
neither resize, wipe, upload nor download: these follow libvirt's storage driver)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from lxml import etree

from virtrio.drivers import libvirt_rules
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import report, unsupported_flags

from ..xml_text import escape_text
from .parse import parse_document, validate_against_schema
from .pool_definition import Permissions, parse_permissions
from .state import Pool
from .volume_definition import check_compat, cluster_size, encryption_lines, storage_size

FROM_TEST = api.VIR_FROM_TEST


STREAM_CHUNK = 256 * 1024  # what libvirt's clients send per STREAM packet
VOL_XML_PARSE_VALIDATE = 1 << 2  # storage_conf.h's VIR_VOL_XML_PARSE_VALIDATE
BLOCK = 64 * 1024  # a volume's data is kept in blocks of this size, only those written


class SparseData:
    """A volume's bytes as a sparse file keeps them: blocks that were written, zeros
    elsewhere. One byte written at the end of a large volume costs one block, not the
    volume's size. ``len`` is the end of what was written (the file's size)."""

    __slots__ = ("_blocks", "_end")

    def __init__(self) -> None:
        self._blocks: dict[int, bytearray] = {}
        self._end = 0

    def __len__(self) -> int:
        return self._end

    def write(self, offset: int, chunk: bytes) -> None:
        position, view = offset, memoryview(chunk)
        while view:
            number, start = divmod(position, BLOCK)
            size = min(BLOCK - start, len(view))
            block = self._blocks.get(number)
            if block is None:
                block = self._blocks[number] = bytearray(BLOCK)
            block[start : start + size] = view[:size]
            view, position = view[size:], position + size
        self._end = max(self._end, offset + len(chunk))

    def zero(self, offset: int, length: int) -> None:
        end = min(offset + length, self._end)
        position = offset
        while position < end:
            number, start = divmod(position, BLOCK)
            size = min(BLOCK - start, end - position)
            if size == BLOCK:
                self._blocks.pop(number, None)
            elif number in self._blocks:
                self._blocks[number][start : start + size] = bytes(size)
            position += size

    def truncate(self, end: int) -> None:
        if end >= self._end:
            return
        self.zero(end, self._end - end)
        self._blocks = {number: block for number, block in self._blocks.items() if number * BLOCK < end}
        self._end = end

    def clear(self) -> None:
        self._blocks.clear()
        self._end = 0

    def is_hole(self, offset: int) -> bool:
        return offset // BLOCK not in self._blocks

    def read(self, offset: int, size: int) -> bytes:
        """Up to size bytes from offset (not past the end), zeros where nothing was written."""
        size = max(0, min(size, self._end - offset))
        pieces = []
        position, end = offset, offset + size
        while position < end:
            number, start = divmod(position, BLOCK)
            length = min(BLOCK - start, end - position)
            block = self._blocks.get(number)
            pieces.append(bytes(length) if block is None else block[start : start + length])
            position += length
        return b"".join(pieces)


@dataclass
class Volume:
    """A storage volume: its definition and the bytes written to it."""

    name: str
    path: str
    capacity: int  # bytes
    allocation: int
    # the bytes written so far; everything after them, up to the capacity, reads as zeros
    data: SparseData = field(default_factory=SparseData)
    # the rest of the definition, as virStorageVolDefParseXML keeps it
    type: str = "file"
    format: str | None = "raw"  # None: the pool type's volumes have no format
    permissions: Permissions = field(default_factory=Permissions)
    backing: tuple[str, str | None, Permissions] | None = None  # path, format, permissions
    compat: str | None = None
    cluster_size: int = 0
    features: tuple[str, ...] | None = None
    encryption: list[str] = field(default_factory=list)  # its lines, as written
    # a node file's volume may name its key; created volumes' keys are their paths
    given_key: str | None = None

    @property
    def key(self) -> str:
        return self.given_key if self.given_key is not None else self.path

    def check_end(self, end: int) -> None:
        if end > self.capacity:
            raise report(
                api.VIR_ERR_INVALID_ARG,
                api.VIR_FROM_STORAGE,
                f"data past the volume's capacity of {self.capacity} bytes",
            )

    def write(self, offset: int, chunk: bytes) -> None:
        self.check_end(offset + len(chunk))
        self.data.write(offset, chunk)

    def zero(self, offset: int, length: int) -> None:
        self.data.zero(offset, length)


class VolumeUpload:
    """Where an upload stream's data goes: into the volume from the offset given."""

    def __init__(self, volume: Volume, offset: int, length: int) -> None:
        self.volume = volume
        self.position = offset
        self.end = offset + length if length else None  # None: up to the capacity

    def _advance(self, length: int) -> int:
        if self.end is not None and self.position + length > self.end:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_STORAGE, "more data than the upload's length")
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
    written_end = min(end, len(volume.data))
    while position < written_end:
        if sparse and volume.data.is_hole(position):  # a run of blocks never written
            start = position
            while position < written_end and volume.data.is_hole(position):
                position = min((position // BLOCK + 1) * BLOCK, written_end)
            yield position - start
            continue
        chunk = volume.data.read(position, min(STREAM_CHUNK, written_end - position))
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
    """virStorageVolDefFormat."""
    lines = [
        f"<volume type='{volume.type}'>",
        f"  <name>{escape_text(volume.name)}</name>",
        f"  <key>{escape_text(volume.key)}</key>",
        f"  <capacity unit='bytes'>{volume.capacity}</capacity>",
        f"  <allocation unit='bytes'>{volume.allocation}</allocation>",
        "  <target>",
        f"    <path>{escape_text(volume.path)}</path>",
    ]
    if volume.format is not None:
        lines.append(f"    <format type='{volume.format}'/>")
    lines += volume.permissions.lines("    ")
    lines += ["    " + line for line in volume.encryption]
    if volume.compat is not None:
        lines.append(f"    <compat>{escape_text(volume.compat)}</compat>")
    if volume.cluster_size:
        lines.append(f"    <clusterSize unit='B'>{volume.cluster_size}</clusterSize>")
    if volume.features is not None:
        if not volume.features:
            lines.append("    <features/>")
        else:
            lines += ["    <features>", *(f"      <{name}/>" for name in volume.features), "    </features>"]
    lines.append("  </target>")
    if volume.backing is not None:
        path, backing_format, permissions = volume.backing
        lines += ["  <backingStore>", f"    <path>{escape_text(path)}</path>"]
        if backing_format is not None:
            lines.append(f"    <format type='{backing_format}'/>")
        lines += permissions.lines("    ")
        lines.append("  </backingStore>")
    lines.append("</volume>")
    return "\n".join(lines) + "\n"


VOLUME_TYPES = ("file", "block", "dir", "network", "netdir", "ploop")
FILE_FORMATS = libvirt_rules.STORAGE_FILE_FORMATS
DISK_FORMATS = ("none", "linux", "fat16", "fat32", "linux-swap", "linux-lvm", "linux-raid", "extended")
# The volume formats of each pool type (virStorageVolOptions), the default first; none listed: no <format>.
POOL_VOLUME_FORMATS = {
    **dict.fromkeys(("dir", "fs", "netfs", "rbd", "gluster", "vstorage"), FILE_FORMATS),
    "disk": DISK_FORMATS,
}
FEATURES = ("lazy_refcounts", "extended_l2")


def _volume_format(element: etree._Element | None, formats: tuple[str, ...] | None) -> str | None:
    if formats is None:
        return None
    name = (element.get("type") or None) if element is not None else None  # empty counts as absent
    if name is None:
        return formats[0]
    if name not in formats:
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_STORAGE, f"unknown volume format type {name}")
    return name


def parse_volume_xml(text: str, pool: Pool, validate: bool = False) -> Volume:
    """virStorageVolDefParseXML for a volume of the pool (whose type decides the formats);
    its path and key are the test driver's: under the pool's target."""
    root = parse_document(text, "volume")
    if validate:
        validate_against_schema(text, "storagevol.rng", "volume")
        # libvirt's test driver hands its parse-validate flag on to virStorageVolDefParseXML,
        # which accepts only capacity flags: a valid document is then refused
        raise unsupported_flags(api.VIR_FROM_STORAGE, VOL_XML_PARSE_VALIDATE, "virStorageVolDefParseXML")
    name = root.xpath("string(./name)") or None
    if not name:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_STORAGE, "missing volume name element")
    volume_type = root.get("type") or "file"
    if volume_type not in VOLUME_TYPES:
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_STORAGE, f"unknown volume type '{volume_type}'")
    pool_type = pool.definition.type if pool.definition is not None else "dir"
    formats = POOL_VOLUME_FORMATS.get(pool_type)
    backing = None
    backing_path = root.xpath("string(./backingStore/path)") or None
    if backing_path is not None:
        backing_format = _volume_format(root.find("backingStore/format"), formats)
        backing = (backing_path, backing_format, parse_permissions(root.find("backingStore/permissions")))
    capacity = storage_size(root, "./capacity")
    if capacity is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_STORAGE, "missing capacity element")
    allocation = storage_size(root, "./allocation")
    if allocation is None:
        allocation = capacity
    volume = Volume(name, f"{pool.path}/{name}", capacity, allocation, type=volume_type)
    volume.format = _volume_format(root.find("target/format"), formats)
    volume.permissions = parse_permissions(root.find("target/permissions"))
    volume.backing = backing
    encryption = root.find("target/encryption")
    if encryption is not None:
        volume.encryption = encryption_lines(encryption)
    volume.compat = root.xpath("string(./target/compat)") or None
    check_compat(volume.compat)
    volume.cluster_size = cluster_size(root)
    if root.find("target/features") is not None:
        if volume.compat is None:
            volume.compat = "1.1"
        names = [child.tag for child in root.find("target/features") if isinstance(child.tag, str)]
        unknown = next((feature for feature in names if feature not in FEATURES), None)
        if unknown is not None:
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_STORAGE, f"unsupported feature {unknown}")
        volume.features = tuple(feature for feature in FEATURES if feature in names)
    return volume


def volume_ref(pool_name: str, volume: Volume) -> remote.remote_nonnull_storage_vol:
    return remote.remote_nonnull_storage_vol(pool_name, volume.name, volume.key)


def no_volume(detail: str) -> Exception:
    return report(api.VIR_ERR_NO_STORAGE_VOL, FROM_TEST, detail)
