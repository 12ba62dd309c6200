"""Domain snapshots of the test driver: a tree per domain, with a current snapshot."""

from __future__ import annotations

from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .snapshot_definition import DISK_SNAPSHOT, SHUTOFF, Snapshot

FROM_DOMAIN_SNAPSHOT = api.VIR_FROM_DOMAIN_SNAPSHOT
LIST = {
    name.removeprefix("VIR_DOMAIN_SNAPSHOT_LIST_"): value
    for name, value in api.ENUM_TYPES["virDomainSnapshotListFlags"].items()
}
CHILDREN_FLAGS = sum(set(LIST.values()))  # DESCENDANTS, TOPOLOGICAL and every filter: what children calls accept


def invalid(detail: str) -> Exception:
    return report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, detail)


def no_snapshot(detail: str) -> Exception:
    return report(api.VIR_ERR_NO_DOMAIN_SNAPSHOT, api.VIR_FROM_TEST, detail)


class SnapshotTree:
    """One domain's snapshots, in the order they were taken."""

    def __init__(self) -> None:
        self.snapshots: dict[str, Snapshot] = {}
        self.current: str | None = None
        self.links = 0

    def get(self, name: str) -> Snapshot:
        snapshot = self.snapshots.get(name)
        if snapshot is None:
            raise no_snapshot(f"no domain snapshot with matching name '{name}'")
        return snapshot

    def add(self, snapshot: Snapshot, current: bool = True) -> None:
        """virDomainMomentAssignDef, then linking to the parent (and becoming current)."""
        if snapshot.name in self.snapshots:
            raise report(
                api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_DOMAIN, f"domain moment {snapshot.name} already exists"
            )
        self.snapshots[snapshot.name] = snapshot
        self.link(snapshot)
        if current:
            self.current = snapshot.name

    def link(self, snapshot: Snapshot) -> None:
        """Put the snapshot first among its parent's children, as libvirt links it."""
        self.links += 1
        snapshot.linked = self.links

    def replace(self, snapshot: Snapshot, keep_domain: bool = True) -> None:
        """virDomainSnapshotReplaceDef: a redefinition of an existing snapshot, which keeps
        its children, and the old domain definition when the new one has none (checkpoints
        do not keep it)."""
        old = self.snapshots[snapshot.name]
        if snapshot.domain_xml is None and keep_domain:
            snapshot.domain_xml = old.domain_xml
        self.snapshots[snapshot.name] = snapshot
        self.link(snapshot)

    def check_cycles(self, snapshot: Snapshot) -> None:
        """virDomainMomentCheckCycles: the parent must exist and not descend from the snapshot."""
        if snapshot.parent is None:
            return
        if snapshot.parent == snapshot.name:
            raise invalid(f"cannot set moment {snapshot.name} as its own parent")
        other = self.snapshots.get(snapshot.parent)
        if other is None:
            raise invalid(f"parent {snapshot.parent} for moment {snapshot.name} not found")
        while other is not None and other.parent is not None:
            if other.parent == snapshot.name:
                raise invalid(f"parent {other.name} would create cycle to {snapshot.name}")
            other = self.snapshots.get(other.parent)

    def relations_consistent(self) -> bool:
        """virDomainMomentUpdateRelations: every parent exists and no chain loops."""
        for snapshot in self.snapshots.values():
            seen = {snapshot.name}
            parent = snapshot.parent
            while parent is not None:
                if parent not in self.snapshots or parent in seen:
                    return False
                seen.add(parent)
                parent = self.snapshots[parent].parent
        return True

    def children(self, name: str | None) -> list[Snapshot]:
        """Newest link first, as libvirt links each snapshot in front of its siblings."""
        found = [s for s in self.snapshots.values() if s.parent == name]
        return sorted(found, key=lambda s: -s.linked)

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
        if flags & (LIST["INACTIVE"] | LIST["ACTIVE"] | LIST["DISK_ONLY"]):  # virDomainSnapshotFilter
            kinds = {SHUTOFF: LIST["INACTIVE"], DISK_SNAPSHOT: LIST["DISK_ONLY"]}
            chosen = [s for s in chosen if flags & kinds.get(s.state, LIST["ACTIVE"])]
        if flags & LIST["INTERNAL"]:
            chosen = [s for s in chosen if not s.external]
        if flags & LIST["EXTERNAL"]:
            chosen = [s for s in chosen if s.external]
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
