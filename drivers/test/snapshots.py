"""Domain snapshots of the test driver: a tree per domain, with a current snapshot."""

from __future__ import annotations

import time
from dataclasses import dataclass
from xml.sax.saxutils import escape

from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .formats import domain_xml
from .parse import parse_document
from .state import Domain

FROM_DOMAIN_SNAPSHOT = api.VIR_FROM_DOMAIN_SNAPSHOT
STATE_NAMES = {api.VIR_DOMAIN_RUNNING: "running", api.VIR_DOMAIN_PAUSED: "paused", api.VIR_DOMAIN_SHUTOFF: "shutoff"}
LIST = {name.removeprefix("VIR_DOMAIN_SNAPSHOT_LIST_"): value
        for name, value in api.ENUM_TYPES["virDomainSnapshotListFlags"].items()}  # fmt: skip
CHILDREN_FLAGS = sum(set(LIST.values()))  # DESCENDANTS, TOPOLOGICAL and every filter: what children calls accept


@dataclass
class Snapshot:
    name: str
    description: str | None
    parent: str | None
    created: int
    state: int  # the domain's state when it was taken
    domain_xml: str  # the domain's definition then, as libvirt embeds it


def no_snapshot(detail: str) -> Exception:
    return report(api.VIR_ERR_NO_DOMAIN_SNAPSHOT, FROM_DOMAIN_SNAPSHOT, detail)


def new_snapshot(domain: Domain, xml: str | None, parent: str | None, root_tag: str = "domainsnapshot") -> Snapshot:
    name, description = None, None
    if xml and xml.strip():
        root = parse_document(xml, root_tag)
        name, description = root.findtext("name"), root.findtext("description")
    created = int(time.time())
    return Snapshot(name or str(created), description, parent, created, domain.state, domain_xml(domain, True))


def snapshot_xml(snapshot: Snapshot) -> str:
    lines = ["<domainsnapshot>", f"  <name>{escape(snapshot.name)}</name>"]
    if snapshot.description is not None:
        lines.append(f"  <description>{escape(snapshot.description)}</description>")
    lines.append(f"  <state>{STATE_NAMES.get(snapshot.state, 'nostate')}</state>")
    if snapshot.parent is not None:
        lines += ["  <parent>", f"    <name>{escape(snapshot.parent)}</name>", "  </parent>"]
    lines += [f"  <creationTime>{snapshot.created}</creationTime>", "  <memory snapshot='internal'/>"]
    disks = [line.split("dev='")[1].split("'")[0] for line in snapshot.domain_xml.splitlines() if "<target dev=" in line
             and "bus=" in line]  # fmt: skip
    lines.append("  <disks>")
    lines += [f"    <disk name='{disk}' snapshot='internal'/>" for disk in disks]
    lines.append("  </disks>")
    lines += ["  " + line for line in snapshot.domain_xml.rstrip("\n").splitlines()]
    lines.append("</domainsnapshot>")
    return "\n".join(lines) + "\n"


class SnapshotTree:
    """One domain's snapshots, in the order they were taken."""

    def __init__(self) -> None:
        self.snapshots: dict[str, Snapshot] = {}
        self.current: str | None = None

    def get(self, name: str) -> Snapshot:
        snapshot = self.snapshots.get(name)
        if snapshot is None:
            raise no_snapshot(f"no domain snapshot with matching name '{name}'")
        return snapshot

    def add(self, snapshot: Snapshot) -> None:
        if snapshot.name in self.snapshots:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_DOMAIN_SNAPSHOT,
                         f"domain snapshot '{snapshot.name}' already exists")  # fmt: skip
        self.snapshots[snapshot.name] = snapshot
        self.current = snapshot.name

    def children(self, name: str | None) -> list[Snapshot]:
        """Newest first, as libvirt links each new snapshot in front of its siblings."""
        return [s for s in reversed(self.snapshots.values()) if s.parent == name]

    def descendants(self, name: str) -> list[Snapshot]:
        found = []
        for child in self.children(name):
            found += [child, *self.descendants(child.name)]
        return found

    def select(self, flags: int, below: str | None = None) -> list[Snapshot]:
        """The snapshots a list call asks for, with libvirt's filter flags."""
        if below is not None:
            chosen = self.descendants(below) if flags & LIST["DESCENDANTS"] else self.children(below)
        elif flags & LIST["ROOTS"]:
            chosen = self.children(None)
        else:
            chosen = list(self.snapshots.values())
        if flags & LIST["LEAVES"]:
            chosen = [s for s in chosen if not self.children(s.name)]
        if flags & LIST["NO_LEAVES"]:
            chosen = [s for s in chosen if self.children(s.name)]
        if flags & LIST["NO_METADATA"] and not flags & LIST["METADATA"]:
            chosen = []
        states = [(LIST["INACTIVE"], api.VIR_DOMAIN_SHUTOFF), (LIST["ACTIVE"], None)]
        if flags & (LIST["INACTIVE"] | LIST["ACTIVE"]):
            chosen = [s for s in chosen if any(flags & bit and (s.state == state if state is not None else
                                                                  s.state != api.VIR_DOMAIN_SHUTOFF)
                                               for bit, state in states)]  # fmt: skip
        if flags & LIST["EXTERNAL"] and not flags & LIST["INTERNAL"]:
            chosen = []
        return chosen

    def delete(self, name: str, flags: int) -> None:
        snapshot = self.get(name)
        doomed = []
        if flags & (api.VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN | api.VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY):
            doomed = [s.name for s in self.descendants(name)]
        if not flags & api.VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY:
            doomed.append(name)
            for child in self.children(name):
                child.parent = snapshot.parent
        for doomed_name in doomed:
            if self.current == doomed_name:
                self.current = snapshot.parent if doomed_name == name else name
            del self.snapshots[doomed_name]


def checkpoint_xml(checkpoint: Snapshot, with_domain: bool) -> str:
    lines = ["<domaincheckpoint>", f"  <name>{escape(checkpoint.name)}</name>"]
    if checkpoint.description is not None:
        lines.append(f"  <description>{escape(checkpoint.description)}</description>")
    if checkpoint.parent is not None:
        lines += ["  <parent>", f"    <name>{escape(checkpoint.parent)}</name>", "  </parent>"]
    lines.append(f"  <creationTime>{checkpoint.created}</creationTime>")
    disks = [line.split("dev='")[1].split("'")[0] for line in checkpoint.domain_xml.splitlines()
             if "<target dev=" in line and "bus=" in line]  # fmt: skip
    lines.append("  <disks>")
    lines += [f"    <disk name='{disk}' checkpoint='bitmap' bitmap='{escape(checkpoint.name)}'/>" for disk in disks]
    lines.append("  </disks>")
    if with_domain:
        lines += ["  " + line for line in checkpoint.domain_xml.rstrip("\n").splitlines()]
    lines.append("</domaincheckpoint>")
    return "\n".join(lines) + "\n"
