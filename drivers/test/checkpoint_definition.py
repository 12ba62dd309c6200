"""Checkpoint definitions as libvirt's checkpoint_conf.c reads, aligns and writes them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree

from virtrio.drivers.libvirt_rules import strtol_whole
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, report

from ..xml_text import escape_text
from .snapshot_definition import AlignedAhead, DiskNames, DisksRead, disks_of, indented, xpath_string

FROM_CHECKPOINT = api.VIR_FROM_DOMAIN_CHECKPOINT
TYPES = ["default", "no", "bitmap"]  # virDomainCheckpointType
DEFAULT, NO, BITMAP = range(3)


@dataclass
class CheckpointDisk:
    """A checkpoint's <disk> (virDomainCheckpointDiskDef)."""

    name: str | None
    kind: int = DEFAULT
    bitmap: str | None = None


@dataclass
class Checkpoint:
    """A domain checkpoint (virDomainCheckpointDef)."""

    name: str
    description: str | None
    parent: str | None
    created: int
    domain_xml: str | None
    disks: list[CheckpointDisk] = field(default_factory=list)
    linked: int = 0
    state: int = 0  # checkpoints have no state; the tree's filters look
    external: bool = False
    # what the worker thread that made or read a large one found already (see align_ahead)
    disks_read: DisksRead | None = field(default=None, compare=False, repr=False)
    aligned_ahead: AlignedAhead | None = field(default=None, compare=False, repr=False)


def checkpoint_error(code: int, detail: str) -> Exception:
    return report(code, FROM_CHECKPOINT, detail)


def parse_checkpoint(root: etree._Element, redefine: bool, parse_domain) -> Checkpoint:
    """virDomainCheckpointDefParse (the document already checked against the schema)."""
    name = xpath_string(root, "name")
    if name is None and redefine:
        raise checkpoint_error(api.VIR_ERR_XML_ERROR, "a redefined checkpoint must have a name")
    description = xpath_string(root, "description")
    parent, domain = None, None
    if redefine:
        created = strtol_whole(xpath_string(root, "creationTime") or "", bits=64)  # virXPathLongLong
        if created is None:
            raise checkpoint_error(api.VIR_ERR_INTERNAL_ERROR, "missing creationTime from existing checkpoint")
        parent = xpath_string(root, "parent/name")
        element = root.find("domain")
        if element is not None:
            domain = parse_domain(element)
    else:
        created = int(time.time())
        name = name or str(created)
    checkpoint = Checkpoint(name, description, parent, created, domain)
    disks = root.find("disks")
    for disk in disks if disks is not None else ():
        if isinstance(disk.tag, str):
            kind = TYPES.index(disk.get("checkpoint")) if disk.get("checkpoint") in TYPES else BITMAP
            checkpoint.disks.append(CheckpointDisk(disk.get("name"), kind, disk.get("bitmap")))
    return checkpoint


def assign_bitmap_names(checkpoint: Checkpoint) -> None:
    for disk in checkpoint.disks:
        if disk.kind == BITMAP and disk.bitmap is None:
            disk.bitmap = checkpoint.name


def align_ahead(checkpoint: Checkpoint) -> None:
    """align_disks of a copy, for a worker thread (the read of a large definition, the disks'
    names); kept with the checkpoint for align_disks to use, and to raise its refusal where
    libvirt reports it."""
    text = checkpoint.domain_xml
    if text is None:
        return
    trial = replace(checkpoint, disks=[replace(disk) for disk in checkpoint.disks], aligned_ahead=None)
    outcome: list[Any] | LibvirtError
    try:
        align_disks(trial)
        outcome = trial.disks
    except LibvirtError as refusal:
        outcome = refusal.with_traceback(None)
    checkpoint.disks_read = trial.disks_read
    checkpoint.aligned_ahead = AlignedAhead(0, text, outcome)


def align_disks(checkpoint: Checkpoint) -> None:
    """virDomainCheckpointAlignDisks."""
    ahead, checkpoint.aligned_ahead = checkpoint.aligned_ahead, None
    if ahead is not None and ahead.domain_xml is checkpoint.domain_xml:
        if isinstance(ahead.outcome, LibvirtError):
            raise ahead.outcome
        checkpoint.disks = ahead.outcome
        return
    if checkpoint.domain_xml is None:
        raise checkpoint_error(api.VIR_ERR_INTERNAL_ERROR, "missing domain in checkpoint")
    disks = disks_of(checkpoint)
    if len(checkpoint.disks) > len(disks):
        raise checkpoint_error(api.VIR_ERR_CONFIG_UNSUPPORTED, "too many disk checkpoint requests for domain")
    if not disks:
        detail = "domain must have at least one disk to perform checkpoints"
        raise checkpoint_error(api.VIR_ERR_CONFIG_UNSUPPORTED, detail)
    default = NO if checkpoint.disks else BITMAP  # <disks> given: omitted disks take no part
    names = DiskNames(disks)
    chosen: dict[str, CheckpointDisk] = {}
    for wanted in checkpoint.disks:
        disk = names.requested(wanted.name, chosen, checkpoint_error)
        chosen[disk.target] = wanted
        if (disk.empty or disk.readonly) and wanted.kind != NO:
            raise checkpoint_error(api.VIR_ERR_CONFIG_UNSUPPORTED, f"disk '{wanted.name}' is empty or readonly")
        wanted.name = disk.target
    checkpoint.disks = [
        chosen.get(disk.target) or CheckpointDisk(disk.target, NO if disk.empty or disk.readonly else default)
        for disk in disks
    ]
    assign_bitmap_names(checkpoint)


def checkpoint_xml(checkpoint: Checkpoint, with_domain: bool) -> str:
    """virDomainCheckpointDefFormat (the test driver never marks a size valid)."""
    lines = ["<domaincheckpoint>", f"  <name>{escape_text(checkpoint.name)}</name>"]
    if checkpoint.description is not None:
        lines.append(f"  <description>{escape_text(checkpoint.description)}</description>")
    if checkpoint.parent is not None:
        lines += ["  <parent>", f"    <name>{escape_text(checkpoint.parent)}</name>", "  </parent>"]
    if checkpoint.created:
        lines.append(f"  <creationTime>{checkpoint.created}</creationTime>")
    named = [disk for disk in checkpoint.disks if disk.name is not None]
    if checkpoint.disks:
        lines.append("  <disks>")
        for disk in named:
            kind = f" checkpoint='{TYPES[disk.kind]}'" if disk.kind else ""
            bitmap = f" bitmap='{escape_text(disk.bitmap)}'" if disk.bitmap is not None else ""
            lines.append(f"    <disk name='{escape_text(disk.name)}'{kind}{bitmap}/>")
        lines.append("  </disks>")
    if checkpoint.domain_xml is not None and with_domain:
        lines += indented(checkpoint.domain_xml)
    lines.append("</domaincheckpoint>")
    return "\n".join(lines) + "\n"
