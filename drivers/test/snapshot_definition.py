"""Snapshot definitions as libvirt's snapshot_conf.c reads, aligns and writes them.

A definition is read from <domainsnapshot> (or a node file's <test:domainsnapshot>),
with or without REDEFINE's extra requirements; creation then aligns its disks with the
domain's (virDomainSnapshotAlignDisks) and the formatter writes what the definition holds.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree

from virtrio.drivers import libvirt_rules
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, report

from ..xml_text import escape_text
from .domain_disks import STORAGE_TYPES_WITH_NONE, check_network_source, check_secrets
from .domain_security import device_seclabels

FROM_SNAPSHOT = api.VIR_FROM_DOMAIN_SNAPSHOT
# virDomainSnapshotState: the domain states, then disk-snapshot
STATES = ["nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended", "disk-snapshot"]
SHUTOFF, DISK_SNAPSHOT = 5, 8
# virDomainSnapshotLocation
LOCATIONS = ["default", "no", "internal", "external", "manual"]
DEFAULT, NO, INTERNAL, EXTERNAL, MANUAL = range(5)
STORAGE_TYPES = STORAGE_TYPES_WITH_NONE
SOURCE_ATTRIBUTES = {"file": "file", "block": "dev", "dir": "dir", "volume": "volume", "network": "name"}


@dataclass
class SnapshotDisk:
    """A snapshot's <disk> (virDomainSnapshotDiskDef)."""

    name: str
    location: int = DEFAULT
    kind: str = "file"  # the storage type of the new image
    path: str | None = None
    driver: str | None = None  # the image format
    deleting: bool = False  # <snapshotDeleteInProgress/>, kept from a redefinition


@dataclass(frozen=True)
class DisksRead:
    """A domain definition's disks (domain_disks), with the text they were read from."""

    domain_xml: str
    disks: list[DomainDisk]


@dataclass(frozen=True)
class AlignedAhead:
    """align_disks made in a worker thread (align_ahead): for which default and domain text,
    and the disks it made or its refusal."""

    default: int
    domain_xml: str
    outcome: list[Any] | LibvirtError


@dataclass
class Snapshot:
    """A domain snapshot (virDomainSnapshotDef)."""

    name: str
    description: str | None
    parent: str | None
    created: int
    state: int  # the domain's state when it was taken (virDomainSnapshotState)
    domain_xml: str | None  # the domain's definition then, as libvirt embeds it (none: older snapshots)
    memory: int = DEFAULT
    memory_file: str | None = None
    disks: list[SnapshotDisk] = field(default_factory=list)
    linked: int = 0  # when it was last linked to its parent: libvirt puts the newest child first
    # what the worker thread that made or read a large one found already (see disks_of, align_ahead)
    disks_read: DisksRead | None = field(default=None, compare=False, repr=False)
    aligned_ahead: AlignedAhead | None = field(default=None, compare=False, repr=False)

    @property
    def external(self) -> bool:
        """virDomainSnapshotDefIsExternal."""
        return self.memory == EXTERNAL or any(disk.location == EXTERNAL for disk in self.disks)


def snapshot_error(code: int, detail: str) -> Exception:
    return report(code, FROM_SNAPSHOT, detail)


def xpath_string(root: etree._Element, path: str) -> str | None:
    """virXPathString of string(path): None when missing or empty."""
    found = root.find(path)
    return ("".join(found.itertext()) or None) if found is not None else None


def _enum(element: etree._Element, attribute: str, values: list[str], default: int) -> int:
    """virXMLPropEnumDefault with VIR_XML_PROP_NONZERO."""
    value = element.get(attribute)
    if value is None:
        return default
    if value not in values or values.index(value) == 0:
        detail = f"Invalid value for attribute '{attribute}' in element '{element.tag}': '{value}'."
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return values.index(value)


def _parse_disk(element: etree._Element, redefine: bool) -> SnapshotDisk:
    """virDomainSnapshotDiskDefParseXML."""
    name = element.get("name")
    if name is None:
        raise snapshot_error(api.VIR_ERR_INTERNAL_ERROR, "missing name from disk snapshot element")
    location = _enum(element, "snapshot", LOCATIONS, DEFAULT)
    kind = STORAGE_TYPES[_enum(element, "type", STORAGE_TYPES, 1)]
    if kind in ("volume", "dir"):
        raise snapshot_error(api.VIR_ERR_XML_ERROR, f"unsupported disk snapshot type '{kind}'")
    deleting = redefine and element.find("snapshotDeleteInProgress") is not None
    disk = SnapshotDisk(name, location, kind, deleting=deleting)
    source = element.find("source")
    if source is not None:
        # virDomainStorageSourceParse: a network source's refusals, an empty path none, then
        # the secrets and labels of any source (read, not kept)
        if kind == "network":
            check_network_source(source)
        disk.path = source.get(SOURCE_ATTRIBUTES.get(kind, "file")) or None
        if len(source):
            check_secrets(source)
            device_seclabels(source)
    driver = element.find("driver")
    if driver is not None and driver.get("type"):
        if driver.get("type") not in libvirt_rules.STORAGE_FILE_FORMATS:
            detail = f"unknown disk snapshot driver '{driver.get('type')}'"
            raise snapshot_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
        disk.driver = driver.get("type")
    size = element.find("driver/metadata_cache/max_size")
    if size is not None:  # read (and refused) as virParseScaledValue reads it, not kept
        where = "./driver/metadata_cache/max_size"
        libvirt_rules.parse_scaled_value(size.xpath("string()"), size.get("unit"), where, 1, libvirt_rules.ULLONG_MAX)
    if disk.path is not None and kind in ("file", "block", "dir") and not disk.path.startswith("/"):
        raise snapshot_error(api.VIR_ERR_XML_ERROR, f"disk snapshot image path '{disk.path}' must be absolute")
    if disk.location == DEFAULT and (disk.path or disk.driver):
        disk.location = EXTERNAL
    return disk


def parse_snapshot(root: etree._Element, redefine: bool, parse_domain, internal: bool = False) -> tuple[Snapshot, bool]:
    """virDomainSnapshotDefParse: the definition, and whether <active> marks it current
    (node files only). parse_domain reads an embedded <domain> into the XML libvirt formats."""
    name = xpath_string(root, "name")
    if name is None and redefine:
        raise snapshot_error(api.VIR_ERR_XML_ERROR, "a redefined snapshot must have a name")
    description = xpath_string(root, "description")
    parent, domain, state, offline = None, None, 0, False
    if redefine:
        created = libvirt_rules.strtol_whole(xpath_string(root, "creationTime") or "", bits=64)  # virXPathLongLong
        if created is None:
            raise snapshot_error(api.VIR_ERR_INTERNAL_ERROR, "missing creationTime from existing snapshot")
        parent = xpath_string(root, "parent/name")
        state_name = xpath_string(root, "state")
        if state_name is None:
            raise snapshot_error(api.VIR_ERR_XML_ERROR, "missing state from existing snapshot")
        if state_name not in STATES[1:]:
            detail = f"Invalid state '{state_name}' in domain snapshot XML"
            raise snapshot_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
        state = STATES.index(state_name)
        offline = state in (SHUTOFF, DISK_SNAPSHOT)
        element = root.find("domain")
        if element is not None and element.get("type"):
            domain = parse_domain(element)
    else:
        created = int(time.time())  # virDomainMomentDefPostParse
        name = name or str(created)
    snapshot = Snapshot(name, description, parent, created, state, domain)
    memory = root.find("memory")
    if memory is not None:
        snapshot.memory_file = memory.get("file")
        snapshot.memory = _enum(memory, "snapshot", LOCATIONS, DEFAULT)
        if snapshot.memory == MANUAL:
            raise snapshot_error(api.VIR_ERR_XML_ERROR, "'manual' memory snapshot mode not supported")
    if snapshot.memory == DEFAULT:  # (an empty file name is a name: tested for presence)
        if snapshot.memory_file is not None:
            snapshot.memory = EXTERNAL
        elif redefine:
            snapshot.memory = NO if offline else INTERNAL
    if snapshot.memory_file is not None and snapshot.memory != EXTERNAL:
        detail = f"memory filename '{snapshot.memory_file}' requires external snapshot"
        raise snapshot_error(api.VIR_ERR_XML_ERROR, detail)
    if snapshot.memory_file is None and snapshot.memory == EXTERNAL:
        raise snapshot_error(api.VIR_ERR_XML_ERROR, "external memory snapshots require a filename")
    if offline and snapshot.memory not in (DEFAULT, NO):
        raise snapshot_error(api.VIR_ERR_XML_ERROR, "memory state cannot be saved with offline or disk-only snapshot")
    if snapshot.memory_file is not None and not snapshot.memory_file.startswith("/"):
        detail = f"memory snapshot file path ({snapshot.memory_file}) must be absolute"
        raise snapshot_error(api.VIR_ERR_XML_ERROR, detail)
    disks = root.find("disks")
    if disks is not None:
        snapshot.disks = [_parse_disk(disk, redefine) for disk in disks if isinstance(disk.tag, str)]
    current = False
    if internal:
        active = libvirt_rules.strtol_whole(root.findtext("active") or "")  # virXPathInt
        if active is None:
            raise snapshot_error(api.VIR_ERR_INTERNAL_ERROR, "Could not find 'active' element")
        current = active != 0
    return snapshot, current


@dataclass(frozen=True)
class DomainDisk:
    """A disk of the snapshot's domain, as aligning the snapshot's disks needs it."""

    target: str
    source: str | None
    kind: str
    location: int  # the disk's own snapshot= setting
    readonly: bool

    @property
    def empty(self) -> bool:
        """virStorageSourceIsEmpty, for the disk kinds a test domain has."""
        return self.source is None and self.kind != "network"


def domain_disks(domain_xml: str) -> list[DomainDisk]:
    disks = []
    for disk in etree.fromstring(domain_xml.encode()).iterfind("devices/disk"):
        kind = disk.get("type", "file")
        source = disk.find("source")
        path = source.get(SOURCE_ATTRIBUTES.get(kind, "file")) if source is not None else None
        location = LOCATIONS.index(disk.get("snapshot")) if disk.get("snapshot") in LOCATIONS else DEFAULT
        readonly = disk.find("readonly") is not None  # (every CD-ROM: libvirt makes them read-only)
        if location == DEFAULT and readonly:  # virDomainDiskDefPostParse: not snapshotted unless asked
            location = NO
        disks.append(DomainDisk(disk.find("target").get("dev", ""), path, kind, location, readonly))
    return disks


def disks_of(moment: Any) -> list[DomainDisk]:
    """domain_disks of a snapshot's or checkpoint's domain_xml, read once per text: kept with
    the moment (a large definition is a large read, done in the worker thread that made it)."""
    text = moment.domain_xml
    kept = moment.disks_read
    if kept is not None and kept.domain_xml is text:
        return kept.disks
    disks = domain_disks(text)
    moment.disks_read = DisksRead(text, disks)
    return disks


class DiskNames:
    """The domain's disks by target and by source, for the names a moment's <disk name=…>
    gives (one look-up each: a document may name thousands)."""

    def __init__(self, disks: list[DomainDisk]) -> None:
        self.by_target: dict[str, DomainDisk] = {}
        self.by_source: dict[str, DomainDisk | None] = {}  # None: a path two disks share
        for disk in disks:
            self.by_target.setdefault(disk.target, disk)  # the first, as libvirt's search finds it
            # (libvirt knows no path of a volume's disk: the test driver never looks it up)
            if disk.source is not None and disk.kind != "volume":
                self.by_source[disk.source] = None if disk.source in self.by_source else disk

    def requested(self, name: str, chosen: dict, error) -> DomainDisk:
        """The domain's disk a moment's <disk name=…> means, named once: virDomainDiskByName
        refusing ambiguity (a target, or for a name with a leading slash the only disk with
        that source path)."""
        disk = self.by_source.get(name) if name.startswith("/") else self.by_target.get(name)
        if disk is None:
            raise error(api.VIR_ERR_CONFIG_UNSUPPORTED, f"no disk named '{name}'")
        if disk.target in chosen:
            raise error(api.VIR_ERR_CONFIG_UNSUPPORTED, f"disk '{name}' specified twice")
        return disk


def align_ahead(snapshot: Snapshot, default: int) -> None:
    """align_disks of a copy of a snapshot that holds its domain's definition, for a worker
    thread (the read of a large definition, the disks' names, the stat of their sources); kept
    with the snapshot for align_disks to use when asked the same, and to raise its refusal
    where libvirt reports it. A 'manual' disk is left to the event loop, which refuses it first."""
    text = snapshot.domain_xml
    if text is None or any(disk.location == MANUAL for disk in snapshot.disks):
        return
    trial = replace(snapshot, disks=[replace(disk) for disk in snapshot.disks], aligned_ahead=None)
    outcome: list[Any] | LibvirtError
    try:
        align_disks(trial, None, default)
        outcome = trial.disks
    except LibvirtError as refusal:
        outcome = refusal.with_traceback(None)
    snapshot.disks_read = trial.disks_read
    snapshot.aligned_ahead = AlignedAhead(default, text, outcome)


def align_disks(snapshot: Snapshot, fallback: Snapshot | None, default: int) -> None:
    """virDomainSnapshotAlignDisks, with uniform internal snapshots (the test driver's), on the
    snapshot's domain definition, else the one of the snapshot it redefines (fallback)."""
    ahead, snapshot.aligned_ahead = snapshot.aligned_ahead, None
    if ahead is not None and ahead.default == default and ahead.domain_xml is snapshot.domain_xml:
        if isinstance(ahead.outcome, LibvirtError):
            raise ahead.outcome
        snapshot.disks = ahead.outcome
        return
    holder = snapshot if snapshot.domain_xml else fallback
    if holder is None or holder.domain_xml is None:
        raise snapshot_error(api.VIR_ERR_INTERNAL_ERROR, "missing domain in snapshot")
    disks = disks_of(holder)
    if holder is not snapshot:  # its text is the one a replace keeps: read once for both
        snapshot.disks_read = holder.disks_read
    if len(snapshot.disks) > len(disks):
        raise snapshot_error(api.VIR_ERR_CONFIG_UNSUPPORTED, "too many disk snapshot requests for domain")
    require_match = default == INTERNAL
    if not disks:
        return
    names = DiskNames(disks)
    chosen: dict[str, SnapshotDisk] = {}
    for wanted in snapshot.disks:
        disk = names.requested(wanted.name, chosen, snapshot_error)
        chosen[disk.target] = wanted
        if wanted.location == DEFAULT:
            inherit = disk.location != DEFAULT and (not require_match or disk.location == NO)
            wanted.location = disk.location if inherit else default
        elif require_match and wanted.location != default and not (wanted.location == disk.location == NO):
            detail = f"disk '{wanted.name}' must use snapshot mode '{LOCATIONS[default]}'"
            raise snapshot_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
        if wanted.path and wanted.location != EXTERNAL:
            detail = f"file '{wanted.path}' for disk '{wanted.name}' requires use of external snapshot mode"
            raise snapshot_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
        wanted.name = disk.target
    aligned = []
    for disk in disks:
        if disk.target in chosen:
            aligned.append(chosen[disk.target])
            continue
        aligned.append(SnapshotDisk(disk.target, NO if disk.empty else (disk.location or default)))
    snapshot.disks = aligned
    _external_names(snapshot, disks)


def _external_names(snapshot: Snapshot, disks: list[DomainDisk]) -> None:
    """virDomainSnapshotDefAssignExternalNames: new images beside the old ones."""
    for index, disk in enumerate(snapshot.disks):
        if disk.location != EXTERNAL or disk.path:
            continue
        if disk.kind != "file":
            detail = f"cannot generate external snapshot name for disk '{disk.name}' on a '{disk.kind}' device"
            raise snapshot_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
        original = disks[index].source
        if original is None:
            detail = f"cannot generate external snapshot name for disk '{disk.name}' without source"
            raise snapshot_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
        try:
            regular = stat.S_ISREG(os.stat(original).st_mode)
        except OSError:
            regular = False
        if not regular:
            detail = f"source for disk '{disk.name}' is not a regular file; refusing to generate external snapshot name"
            raise snapshot_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
        stem, dot, suffix = original.rpartition(".")
        disk.path = f"{stem if dot and '/' not in suffix else original}.{snapshot.name}"
        for earlier in snapshot.disks[:index]:
            if earlier.path == disk.path:
                detail = (
                    f"cannot generate external snapshot name for disk '{disk.name}': "
                    f"collision with disk '{earlier.name}'"
                )
                raise snapshot_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)


def _disk_xml(disk: SnapshotDisk) -> list[str]:
    attributes = f" name='{escape_text(disk.name)}'"
    if disk.location:
        attributes += f" snapshot='{LOCATIONS[disk.location]}'"
    children = ["  <snapshotDeleteInProgress/>"] if disk.deleting else []
    if disk.path or disk.driver:
        attributes += f" type='{disk.kind}'"
        if disk.driver:
            children.append(f"  <driver type='{disk.driver}'/>")
        if disk.path:
            attribute = SOURCE_ATTRIBUTES.get(disk.kind, "file")
            children.append(f"  <source {attribute}='{escape_text(disk.path)}'/>")
    if not children:
        return [f"<disk{attributes}/>"]
    return [f"<disk{attributes}>", *children, "</disk>"]


# what str.splitlines breaks a line at besides "\n"
OTHER_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def indented(domain_xml: str) -> list[str]:
    """A moment's <domain>, two spaces in, as lines (without its final newlines): one replace in
    C when "\n" is its only line break (a large definition's lines made one by one took ~5 ms
    of the event loop per 600 kB)."""
    body = domain_xml.rstrip("\n")
    if body and not any(other in body for other in OTHER_LINE_BREAKS):
        return ["  " + body.replace("\n", "\n  ")]
    return ["  " + line for line in body.splitlines()]


def snapshot_xml(snapshot: Snapshot, uuid_text: str, current: bool | None = None) -> str:
    """virDomainSnapshotDefFormat; current given: the internal form with <active>."""
    lines = ["<domainsnapshot>", f"  <name>{escape_text(snapshot.name)}</name>"]
    if snapshot.description is not None:
        lines.append(f"  <description>{escape_text(snapshot.description)}</description>")
    if snapshot.state:
        lines.append(f"  <state>{STATES[snapshot.state]}</state>")
    if snapshot.parent is not None:
        lines += ["  <parent>", f"    <name>{escape_text(snapshot.parent)}</name>", "  </parent>"]
    if snapshot.created:
        lines.append(f"  <creationTime>{snapshot.created}</creationTime>")
    if snapshot.memory:
        file = f" file='{escape_text(snapshot.memory_file)}'" if snapshot.memory_file else ""
        lines.append(f"  <memory snapshot='{LOCATIONS[snapshot.memory]}'{file}/>")
    if snapshot.disks:
        lines.append("  <disks>")
        lines += ["    " + line for disk in snapshot.disks for line in _disk_xml(disk)]
        lines.append("  </disks>")
    if snapshot.domain_xml is not None:
        lines += indented(snapshot.domain_xml)
    else:
        lines += ["  <domain>", f"    <uuid>{uuid_text}</uuid>", "  </domain>"]
    if current is not None:
        lines.append(f"  <active>{int(current)}</active>")
    lines.append("</domainsnapshot>")
    return "\n".join(lines) + "\n"
