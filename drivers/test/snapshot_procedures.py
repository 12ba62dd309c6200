"""Snapshot and checkpoint procedures of the test driver."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from virtrio.drivers import public_api
from virtrio.drivers.base import Offload
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError, check_flags, report

from . import checkpoint_definition as checkpoints
from . import snapshot_definition as definition
from . import snapshots
from .common import (
    FROM_TEST,
    TestProcedures,
)
from .domain_definition import copied_definition
from .formats import domain_xml, without_secrets
from .large_definitions import copy_in_thread, format_later
from .parse import parse_document, parse_domain_xml, parse_in_thread, validate_against_schema
from .state import Domain

# the error modules of libvirt-domain-snapshot.c and libvirt-domain-checkpoint.c (public API checks)
FROM_SNAPSHOT = api.VIR_FROM_DOMAIN_SNAPSHOT
FROM_CHECKPOINT = api.VIR_FROM_DOMAIN_CHECKPOINT

# ROOTS/DESCENDANTS, TOPOLOGICAL and the leaf filters: what the test driver's checkpoint lists accept
CHECKPOINT_LIST_FLAGS = sum(set(api.ENUM_TYPES["virDomainCheckpointListFlags"].values()))

# testDomainSnapshotCreateXML: DISK_ONLY, REUSE_EXT and NO_METADATA are not implemented
CREATE_FLAGS = (
    api.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE
    | api.VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT
    | api.VIR_DOMAIN_SNAPSHOT_CREATE_HALT
    | api.VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE
    | api.VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC
    | api.VIR_DOMAIN_SNAPSHOT_CREATE_LIVE
    | api.VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE
)


# the <uuid> of a definition as formats.domain_xml writes it (right after the name, and the
# only element two spaces in with that tag): found without reading the whole definition again
_UUID_LINE = re.compile(r"\n  <uuid>([^<]*)</uuid>\n")


def _embedded_uuid(domain_xml: str) -> str | None:
    found = _UUID_LINE.search(domain_xml)
    return found.group(1) if found else None


def _created_location(snapshot: definition.Snapshot) -> int:
    """The location testDomainSnapshotCreateXML aligns a new snapshot's disks to: external with
    an external memory image, else internal."""
    return definition.EXTERNAL if snapshot.memory == definition.EXTERNAL else definition.INTERNAL


def _redefined_location(snapshot: definition.Snapshot) -> int:
    """The location virDomainSnapshotRedefinePrep aligns a redefined snapshot's disks to."""
    external = snapshot.state == definition.DISK_SNAPSHOT or snapshot.external
    return definition.EXTERNAL if external else definition.INTERNAL


class SnapshotProcedures(TestProcedures):
    def _definition_copy(self, domain: Domain) -> str:
        """virDomainDefCopy of the domain's current definition (the running one while it runs),
        written as an inactive definition. The copy is a write and a read again, so what the
        read refuses (an empty vCPU pin made at run time) fails the snapshot as in libvirt."""
        if domain.active:
            copied_definition(domain.definition, domain.os_type, domain.max_vcpus)
        return domain_xml(domain, True, running=True)

    # --------------------------------------------------------------- snapshots
    def _snapshots(self, domain: Domain) -> snapshots.SnapshotTree:
        return self.state.snapshots.setdefault(domain.uuid, snapshots.SnapshotTree())

    def _snapshot(self, ref: remote.remote_nonnull_domain_snapshot):
        domain = self._domain(ref.dom)
        tree = self._snapshots(domain)
        return domain, tree, tree.get(ref.name)

    def _snapshot_ref(self, client: remote.remote_nonnull_domain, name: str) -> remote.remote_nonnull_domain_snapshot:
        # libvirtd's snapshot objects keep the domain reference the client sent (its id too)
        return remote.remote_nonnull_domain_snapshot(name, client)

    def _embedded_domain(self, element: etree._Element) -> str:
        """A snapshot's <domain>, read as a definition and written as libvirt formats it."""
        text = etree.tostring(element, encoding="unicode", with_tail=False)
        return domain_xml(parse_domain_xml(text, self.state), True)

    def domain_snapshot_create_xml(self, args: remote.remote_domain_snapshot_create_xml_args):
        domain = self._snapshot_create_checks(args)
        read = functools.partial(self._read_snapshot, args.xml_desc, args.flags)
        redefine = args.flags & api.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE
        if not redefine and copy_in_thread(domain.definition):
            # the copy of a large definition (a write and a read, then a write) in a thread too,
            # from what is taken now, and the alignment of its disks (a read of it); used if the
            # domain is still as it was then
            copy = self._definition_copy_later(domain)
            taken = (domain, domain.state, domain.id)

            def copied() -> definition.Snapshot:
                snapshot = read()
                snapshot.domain_xml = copy()
                definition.align_ahead(snapshot, _created_location(snapshot))
                return snapshot

            def made(snapshot: definition.Snapshot) -> Any:
                now = self._domain(args.dom)
                unchanged = (now, now.state, now.id) == taken
                return self._snapshot_create(args, snapshot, snapshot.domain_xml if unchanged else None)

            return Offload(copied, made)
        # the read (and the embedded <domain>'s, and its disks') in a thread when it is large or
        # asks for much work
        if parse_in_thread(args.xml_desc):
            read_aligned = functools.partial(self._read_aligned, args.xml_desc, args.flags)
            return Offload(read_aligned, functools.partial(self._snapshot_create, args))
        return self._snapshot_create(args, read())

    def _read_aligned(self, text: str, flags: int) -> definition.Snapshot:
        """_read_snapshot, and a redefinition's alignment on its own <domain> made ahead (for a
        worker thread: the read of the definition it holds)."""
        snapshot = self._read_snapshot(text, flags)
        if flags & api.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE and snapshot.domain_xml is not None:
            definition.align_ahead(snapshot, _redefined_location(snapshot))
        return snapshot

    def _definition_copy_later(self, domain: Domain) -> Callable[[], str]:
        """_definition_copy, for a worker thread (parse.format_later)."""
        return format_later(domain, True, True, running=True, copy_first=domain.active)

    def _snapshot_create_checks(self, args: remote.remote_domain_snapshot_create_xml_args) -> Domain:
        """What testDomainSnapshotCreateXML checks before it reads the document."""
        # virDomainSnapshotCreateXML's own checks, which libvirtd makes before the driver
        create, redefine, module = "virDomainSnapshotCreateXML", "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE", FROM_SNAPSHOT
        public_api.required(args.flags, "VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT", redefine, create, module)
        for other in ("VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA", "VIR_DOMAIN_SNAPSHOT_CREATE_HALT"):
            public_api.exclusive(args.flags, redefine, other, create, module)
        check_flags(args.flags, CREATE_FLAGS, FROM_TEST, "testDomainSnapshotCreateXML")
        domain = self._domain(args.dom)
        if self._checkpoints(domain).snapshots:
            raise report(api.VIR_ERR_OPERATION_UNSUPPORTED, FROM_TEST, "cannot create snapshot while checkpoint exists")
        if not domain.persistent and args.flags & api.VIR_DOMAIN_SNAPSHOT_CREATE_HALT:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "cannot halt after transient domain snapshot")
        return domain

    def _read_snapshot(self, text: str, flags: int) -> definition.Snapshot:
        """virDomainSnapshotDefParseString, with the schema check VALIDATE asks for."""
        if flags & api.VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE:
            validate_against_schema(text, "domainsnapshot.rng", "domainsnapshot")
        root = parse_document(text, "domainsnapshot")
        redefine = bool(flags & api.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE)
        return definition.parse_snapshot(root, redefine, self._embedded_domain)[0]

    def _snapshot_create(
        self,
        args: remote.remote_domain_snapshot_create_xml_args,
        snapshot: definition.Snapshot,
        domain_text: str | None = None,
    ) -> remote.remote_domain_snapshot_create_xml_ret:
        """The rest of testDomainSnapshotCreateXML, once the document is read (domain_text: the
        domain's definition copied and written already, in a worker thread)."""
        # checked again: after a read in a worker thread, the domain may have gone meanwhile
        # (libvirtd holds its lock throughout: what came in meanwhile came first)
        domain = self._snapshot_create_checks(args)
        redefine = bool(args.flags & api.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE)
        tree = self._snapshots(domain)
        if redefine:
            self._redefine(domain, tree, snapshot)
            if args.flags & api.VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT:
                tree.current = snapshot.name
            return remote.remote_domain_snapshot_create_xml_ret(self._snapshot_ref(args.dom, snapshot.name))
        snapshot.domain_xml = domain_text if domain_text is not None else self._definition_copy(domain)
        # testDomainSnapshotAlignDisks
        if any(disk.location == definition.MANUAL for disk in snapshot.disks):
            raise report(
                api.VIR_ERR_OPERATION_UNSUPPORTED,
                FROM_TEST,
                "'manual' snapshot mode is not supported by the test driver",
            )
        snapshot.state = domain.state
        location = _created_location(snapshot)
        if location == definition.INTERNAL:
            snapshot.memory = definition.NO if snapshot.state == definition.SHUTOFF else definition.INTERNAL
        definition.align_disks(snapshot, None, location)
        snapshot.parent = tree.current
        tree.add(snapshot)
        client = args.dom
        if args.flags & api.VIR_DOMAIN_SNAPSHOT_CREATE_HALT and domain.active:
            self._stop(domain, api.VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT, api.VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT)
            # testDomainShutdownState sets the id of the client's domain reference to -1 too
            client = remote.remote_nonnull_domain(client.name, client.uuid, -1)
        return remote.remote_domain_snapshot_create_xml_ret(self._snapshot_ref(client, snapshot.name))

    def _redefine(self, domain: Domain, tree: snapshots.SnapshotTree, snapshot: definition.Snapshot) -> None:
        """virDomainSnapshotRedefinePrep, then the new or replaced snapshot."""
        tree.check_cycles(snapshot)
        other = tree.snapshots.get(snapshot.name)
        if snapshot.domain_xml is not None:
            embedded = _embedded_uuid(snapshot.domain_xml)
            if embedded != domain.uuid_text:
                detail = f"definition for snapshot {snapshot.name} must use uuid {domain.uuid_text}"
                raise report(api.VIR_ERR_INVALID_ARG, snapshots.FROM_DOMAIN_SNAPSHOT, detail)
        if other is not None:
            online = (api.VIR_DOMAIN_RUNNING, api.VIR_DOMAIN_PAUSED)
            if (other.state in online) != (snapshot.state in online):
                detail = f"cannot change between online and offline snapshot state in snapshot {snapshot.name}"
                raise report(api.VIR_ERR_INVALID_ARG, snapshots.FROM_DOMAIN_SNAPSHOT, detail)
            if (other.state == definition.DISK_SNAPSHOT) != (snapshot.state == definition.DISK_SNAPSHOT):
                detail = f"cannot change between disk only and full system in snapshot {snapshot.name}"
                raise report(api.VIR_ERR_INVALID_ARG, snapshots.FROM_DOMAIN_SNAPSHOT, detail)
        definition.align_disks(snapshot, other, _redefined_location(snapshot))
        if other is not None:
            tree.replace(snapshot)
        else:
            tree.add(snapshot, current=False)

    def domain_list_all_snapshots(self, args: remote.remote_domain_list_all_snapshots_args):
        check_flags(args.flags, snapshots.CHILDREN_FLAGS, FROM_TEST, "testDomainListAllSnapshots")
        domain = self._domain(args.dom)
        chosen = self._snapshots(domain).select(args.flags)
        refs = [self._snapshot_ref(args.dom, s.name) for s in chosen] if args.need_results else []
        return remote.remote_domain_list_all_snapshots_ret(refs, len(chosen))

    def domain_snapshot_num(self, args: remote.remote_domain_snapshot_num_args):
        check_flags(args.flags, snapshots.CHILDREN_FLAGS, FROM_TEST, "testDomainSnapshotNum")
        return remote.remote_domain_snapshot_num_ret(len(self._snapshots(self._domain(args.dom)).select(args.flags)))

    def domain_snapshot_list_names(self, args: remote.remote_domain_snapshot_list_names_args):
        check_flags(args.flags, snapshots.CHILDREN_FLAGS, FROM_TEST, "testDomainSnapshotListNames")
        chosen = self._snapshots(self._domain(args.dom)).select(args.flags)
        return remote.remote_domain_snapshot_list_names_ret([s.name for s in chosen][: args.maxnames])

    def domain_snapshot_list_all_children(self, args: remote.remote_domain_snapshot_list_all_children_args):
        check_flags(args.flags, snapshots.CHILDREN_FLAGS, FROM_TEST, "testDomainSnapshotListAllChildren")
        _domain, tree, snapshot = self._snapshot(args.snapshot)
        chosen = tree.select(args.flags, below=snapshot.name)
        refs = [self._snapshot_ref(args.snapshot.dom, s.name) for s in chosen] if args.need_results else []
        return remote.remote_domain_snapshot_list_all_children_ret(refs, len(chosen))

    def domain_snapshot_num_children(self, args: remote.remote_domain_snapshot_num_children_args):
        check_flags(args.flags, snapshots.CHILDREN_FLAGS, FROM_TEST, "testDomainSnapshotNumChildren")
        _, tree, snapshot = self._snapshot(args.snap)
        return remote.remote_domain_snapshot_num_children_ret(len(tree.select(args.flags, below=snapshot.name)))

    def domain_snapshot_lookup_by_name(self, args: remote.remote_domain_snapshot_lookup_by_name_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainSnapshotLookupByName")
        domain = self._domain(args.dom)
        snapshot = self._snapshots(domain).get(args.name)
        return remote.remote_domain_snapshot_lookup_by_name_ret(self._snapshot_ref(args.dom, snapshot.name))

    def domain_snapshot_get_xml_desc(self, args: remote.remote_domain_snapshot_get_xml_desc_args):
        check_flags(args.flags, api.VIR_DOMAIN_SNAPSHOT_XML_SECURE, FROM_TEST, "testDomainSnapshotGetXMLDesc")
        domain, _, snapshot = self._snapshot(args.snap)
        xml = definition.snapshot_xml(snapshot, domain.uuid_text)
        secure = bool(args.flags & api.VIR_DOMAIN_SNAPSHOT_XML_SECURE)
        return remote.remote_domain_snapshot_get_xml_desc_ret(xml if secure else without_secrets(xml))

    def domain_has_current_snapshot(self, args: remote.remote_domain_has_current_snapshot_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainHasCurrentSnapshot")
        tree = self._snapshots(self._domain(args.dom))
        return remote.remote_domain_has_current_snapshot_ret(int(tree.current is not None))

    def domain_snapshot_current(self, args: remote.remote_domain_snapshot_current_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainSnapshotCurrent")
        domain = self._domain(args.dom)
        tree = self._snapshots(domain)
        if tree.current is None:
            raise snapshots.no_snapshot("the domain does not have a current snapshot")
        return remote.remote_domain_snapshot_current_ret(self._snapshot_ref(args.dom, tree.current))

    def domain_snapshot_get_parent(self, args: remote.remote_domain_snapshot_get_parent_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainSnapshotGetParent")
        _domain, _, snapshot = self._snapshot(args.snap)
        if snapshot.parent is None:
            raise snapshots.no_snapshot(f"snapshot '{snapshot.name}' does not have a parent")
        return remote.remote_domain_snapshot_get_parent_ret(self._snapshot_ref(args.snap.dom, snapshot.parent))

    def domain_snapshot_is_current(self, args: remote.remote_domain_snapshot_is_current_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainSnapshotIsCurrent")
        _, tree, snapshot = self._snapshot(args.snap)
        return remote.remote_domain_snapshot_is_current_ret(int(tree.current == snapshot.name))

    def domain_snapshot_has_metadata(self, args: remote.remote_domain_snapshot_has_metadata_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainSnapshotHasMetadata")
        self._snapshot(args.snap)
        return remote.remote_domain_snapshot_has_metadata_ret(1)

    def domain_revert_to_snapshot(self, args: remote.remote_domain_revert_to_snapshot_args) -> Offload | None:
        public_api.exclusive(
            args.flags,
            "VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING",
            "VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED",
            "virDomainRevertToSnapshot",
            FROM_SNAPSHOT,
        )
        run, pause = api.VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING, api.VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED
        check_flags(
            args.flags, run | pause | api.VIR_DOMAIN_SNAPSHOT_REVERT_FORCE, FROM_TEST, "testDomainRevertToSnapshot"
        )
        _, _, snapshot = self._revert_target(args)
        text = snapshot.domain_xml
        assert text is not None  # (_revert_target refuses a snapshot without one)

        def revert(read: tuple[Domain, list[etree._Element] | None]) -> None:
            # after a read in a worker thread, the domain and snapshot as they are now: libvirtd
            # holds the domain's lock throughout, so an undefine or a snapshot's deletion that
            # came in meanwhile came first, and its revert finds them gone
            config, copied = read
            domain, tree, now = self._revert_target(args)
            if now.domain_xml != text:  # redefined meanwhile: its own definition, read again
                config, copied = parse_domain_xml(now.domain_xml or "", self.state), None
            self._revert(domain, tree, now, config, args.flags, copied)

        # virDomainDefCopy of the snapshot's definition: a read, in a thread when it is large
        # or asks for much work (and then the copy the start makes of it too)
        if parse_in_thread(text):
            return Offload(functools.partial(self._read_for_revert, text), revert)
        revert((parse_domain_xml(text, self.state), None))
        return None

    def _read_for_revert(self, text: str) -> tuple[Domain, list[etree._Element] | None]:
        """The snapshot's definition read, and when large, the copy a start makes of it (None
        when the copy is refused: the start refuses it again, where libvirt does)."""
        config = parse_domain_xml(text, self.state)
        if not copy_in_thread(config.definition):
            return config, None
        try:
            return config, copied_definition(config.definition, config.os_type, config.max_vcpus)
        except LibvirtError:
            return config, None

    def _revert_target(
        self, args: remote.remote_domain_revert_to_snapshot_args
    ) -> tuple[Domain, snapshots.SnapshotTree, definition.Snapshot]:
        """The domain, its snapshots and the one to revert to, checked as testDomainRevertToSnapshot
        checks them before it reads the snapshot's definition."""
        run, pause = api.VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING, api.VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED
        domain, tree, snapshot = self._snapshot(args.snap)
        was_running = snapshot.state in (api.VIR_DOMAIN_RUNNING, api.VIR_DOMAIN_PAUSED)
        if not domain.persistent and not was_running and not args.flags & (run | pause):
            detail = "transient domain needs to request run or pause to revert to inactive snapshot"
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, detail)
        if snapshot.domain_xml is None:  # redefined without its <domain>
            detail = f"snapshot '{snapshot.name}' lacks domain '{domain.name}' rollback info"
            raise report(api.VIR_ERR_SNAPSHOT_REVERT_RISKY, FROM_TEST, detail)
        return domain, tree, snapshot

    def _revert(
        self,
        domain: Domain,
        tree: snapshots.SnapshotTree,
        snapshot: definition.Snapshot,
        config: Domain,
        flags: int,
        copied: list[etree._Element] | None = None,
    ) -> None:
        """testDomainRevertToSnapshot's transitions, the domain taking the snapshot's definition
        (copied: the copy of it a start makes, made already in a worker thread)."""
        run, pause = api.VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING, api.VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED
        was_running = snapshot.state in (api.VIR_DOMAIN_RUNNING, api.VIR_DOMAIN_PAUSED)
        started = api.VIR_DOMAIN_EVENT_STARTED
        # virDomainObjAssignDef, not live, on a domain libvirt counts as active (its definition
        # keeps an id): the snapshot's definition is the one it returns to when it stops.
        counted_active = domain.active
        if was_running:
            if domain.active:
                # testDomainShutdownState resets the id only with a definition to return to: a
                # transient domain still counts as active, and keeps its running definition
                counted_active = domain.next is None
                self._shut_off_from_snapshot(domain)
            if counted_active:
                domain.next = config
            else:
                domain.take_definition(config)
                if copied is not None and domain.persistent and domain.next is None:
                    domain.next = domain.persistent_copy(copied)
            self.state.start_domain(domain, api.VIR_DOMAIN_RUNNING_FROM_SNAPSHOT)
            self._emit_lifecycle(domain, started, api.VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT)
            paused = not flags & run and (snapshot.state == api.VIR_DOMAIN_PAUSED or flags & pause)
            if paused:
                domain.state, domain.reason = api.VIR_DOMAIN_PAUSED, api.VIR_DOMAIN_PAUSED_FROM_SNAPSHOT
        else:
            if counted_active:
                domain.next = config
                self._shut_off_from_snapshot(domain)
            else:
                domain.take_definition(config)
            paused = bool(flags & pause)
            if flags & (run | pause):  # libvirt's test driver sends the events without starting it
                self._emit_lifecycle(domain, started, api.VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT)
        if paused:
            self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_SUSPENDED, api.VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT)
        tree.current = snapshot.name

    def _shut_off_from_snapshot(self, domain: Domain) -> None:
        """testDomainShutdownState: shut off, but kept even when transient."""
        if domain.next is not None:
            domain.id = -1
            domain.take_definition(domain.next)
            domain.next = None
        domain.state, domain.reason = api.VIR_DOMAIN_SHUTOFF, api.VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT
        # Without a definition to return to, libvirt's definition keeps its id until the
        # snapshot's is started: the event names the domain by the id it ran with.
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_STOPPED, api.VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT)
        domain.id = -1

    def domain_snapshot_delete(self, args: remote.remote_domain_snapshot_delete_args) -> None:
        public_api.exclusive(
            args.flags,
            "VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN",
            "VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY",
            "virDomainSnapshotDelete",
            FROM_SNAPSHOT,
        )
        allowed = api.VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN | api.VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY
        check_flags(args.flags, allowed, FROM_TEST, "testDomainSnapshotDelete")
        _domain, tree, snapshot = self._snapshot(args.snap)
        tree.delete(snapshot.name, args.flags)

    # ------------------------------------------------------------- checkpoints
    def _checkpoints(self, domain: Domain) -> snapshots.SnapshotTree:
        return self.state.checkpoints.setdefault(domain.uuid, snapshots.SnapshotTree())

    def _checkpoint(self, ref: remote.remote_nonnull_domain_checkpoint):
        domain = self._domain(ref.dom)
        tree = self._checkpoints(domain)
        if ref.name not in tree.snapshots:
            detail = f"no domain checkpoint with matching name '{ref.name}'"
            raise report(api.VIR_ERR_NO_DOMAIN_CHECKPOINT, FROM_TEST, detail)
        return domain, tree, tree.snapshots[ref.name]

    def _checkpoint_ref(
        self, client: remote.remote_nonnull_domain, name: str
    ) -> remote.remote_nonnull_domain_checkpoint:
        # as for snapshots: the domain reference is the client's own
        return remote.remote_nonnull_domain_checkpoint(name, client)

    def domain_checkpoint_create_xml(self, args: remote.remote_domain_checkpoint_create_xml_args):
        domain = self._checkpoint_create_checks(args)
        redefine = bool(args.flags & api.VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE)
        read = functools.partial(self._read_checkpoint, args.xml_desc, redefine)
        copy = None if redefine or not copy_in_thread(domain.definition) else self._definition_copy_later(domain)
        # the schema check, the read and a large definition's copy in a worker thread when the
        # document is large or asks for much work, or the definition is large
        if copy is None and not parse_in_thread(args.xml_desc):
            return self._checkpoint_create(args, read(), None)
        taken = (domain, domain.state, domain.id)

        def copied() -> tuple[checkpoints.Checkpoint, str | None]:
            checkpoint = read()
            if copy is not None:
                checkpoint.domain_xml = copy()
            # the alignment of its disks on the definition it holds (a read of it) made ahead
            checkpoints.align_ahead(checkpoint)
            return checkpoint, checkpoint.domain_xml if copy is not None else None

        def made(done: tuple[checkpoints.Checkpoint, str | None]) -> Any:
            now = self._domain(args.dom)
            return self._checkpoint_create(args, done[0], done[1] if (now, now.state, now.id) == taken else None)

        return Offload(copied, made)

    def _checkpoint_create_checks(self, args: remote.remote_domain_checkpoint_create_xml_args) -> Domain:
        """What testDomainCheckpointCreateXML checks before it reads the document."""
        create, module = "virDomainCheckpointCreateXML", FROM_CHECKPOINT
        redefine = "VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE"
        public_api.exclusive(args.flags, redefine, "VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE", create, module)
        public_api.required(args.flags, "VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE", redefine, create, module)
        allowed = api.VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE | api.VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE
        check_flags(args.flags, allowed, FROM_TEST, "testDomainCheckpointCreateXML")
        domain = self._domain(args.dom)
        if self._snapshots(domain).snapshots:
            raise report(api.VIR_ERR_OPERATION_UNSUPPORTED, FROM_TEST, "cannot create checkpoint while snapshot exists")
        if not domain.active:
            raise report(api.VIR_ERR_OPERATION_UNSUPPORTED, FROM_TEST, "cannot create checkpoint for inactive domain")
        return domain

    def _read_checkpoint(self, text: str, redefine: bool) -> checkpoints.Checkpoint:
        validate_against_schema(text, "domaincheckpoint.rng", "domaincheckpoint")  # always, for checkpoints
        return checkpoints.parse_checkpoint(parse_document(text, "domaincheckpoint"), redefine, self._embedded_domain)

    def _checkpoint_create(
        self,
        args: remote.remote_domain_checkpoint_create_xml_args,
        checkpoint: checkpoints.Checkpoint,
        domain_text: str | None,
    ) -> remote.remote_domain_checkpoint_create_xml_ret:
        """The rest of testDomainCheckpointCreateXML, once the document is read (domain_text: the
        domain's definition copied and written already, in a worker thread)."""
        domain = self._checkpoint_create_checks(args)  # again: it may have gone meanwhile
        redefine = bool(args.flags & api.VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE)
        tree = self._checkpoints(domain)
        if redefine:  # virDomainCheckpointRedefinePrep, then the commit
            tree.check_cycles(checkpoint)
            if checkpoint.domain_xml is not None:
                if _embedded_uuid(checkpoint.domain_xml) != domain.uuid_text:
                    detail = f"definition for checkpoint {checkpoint.name} must use uuid {domain.uuid_text}"
                    raise report(api.VIR_ERR_INVALID_ARG, checkpoints.FROM_CHECKPOINT, detail)
                checkpoints.align_disks(checkpoint)
            else:
                checkpoints.assign_bitmap_names(checkpoint)
            make_current = tree.current is None or (checkpoint.parent is not None and checkpoint.parent == tree.current)
            if checkpoint.name in tree.snapshots:
                tree.replace(checkpoint, keep_domain=False)
            else:
                tree.add(checkpoint, current=False)
        else:
            checkpoint.domain_xml = domain_text if domain_text is not None else self._definition_copy(domain)
            checkpoints.align_disks(checkpoint)
            checkpoint.parent = tree.current
            tree.add(checkpoint, current=False)
            make_current = True
        if make_current:
            tree.current = checkpoint.name
        return remote.remote_domain_checkpoint_create_xml_ret(self._checkpoint_ref(args.dom, checkpoint.name))

    def domain_list_all_checkpoints(self, args: remote.remote_domain_list_all_checkpoints_args):
        check_flags(args.flags, CHECKPOINT_LIST_FLAGS, FROM_TEST, "testDomainListAllCheckpoints")
        domain = self._domain(args.dom)
        chosen = self._checkpoints(domain).select(args.flags)
        refs = [self._checkpoint_ref(args.dom, c.name) for c in chosen] if args.need_results else []
        return remote.remote_domain_list_all_checkpoints_ret(refs, len(chosen))

    def domain_checkpoint_list_all_children(self, args: remote.remote_domain_checkpoint_list_all_children_args):
        check_flags(args.flags, CHECKPOINT_LIST_FLAGS, FROM_TEST, "testDomainCheckpointListAllChildren")
        _domain, tree, checkpoint = self._checkpoint(args.checkpoint)
        chosen = tree.select(args.flags, below=checkpoint.name)
        refs = [self._checkpoint_ref(args.checkpoint.dom, c.name) for c in chosen] if args.need_results else []
        return remote.remote_domain_checkpoint_list_all_children_ret(refs, len(chosen))

    def domain_checkpoint_lookup_by_name(self, args: remote.remote_domain_checkpoint_lookup_by_name_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainCheckpointLookupByName")
        self._domain(args.dom)
        _, _, checkpoint = self._checkpoint(remote.remote_nonnull_domain_checkpoint(args.name, args.dom))
        return remote.remote_domain_checkpoint_lookup_by_name_ret(self._checkpoint_ref(args.dom, checkpoint.name))

    def domain_checkpoint_get_xml_desc(self, args: remote.remote_domain_checkpoint_get_xml_desc_args):
        allowed = (
            api.VIR_DOMAIN_CHECKPOINT_XML_SECURE
            | api.VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN
            | api.VIR_DOMAIN_CHECKPOINT_XML_SIZE
        )
        check_flags(args.flags, allowed, FROM_TEST, "testDomainCheckpointGetXMLDesc")
        domain, _, checkpoint = self._checkpoint(args.checkpoint)
        if args.flags & api.VIR_DOMAIN_CHECKPOINT_XML_SIZE and not domain.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_DOMAIN, "domain is not running")
        with_domain = not args.flags & api.VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN
        xml = checkpoints.checkpoint_xml(checkpoint, with_domain)
        secure = bool(args.flags & api.VIR_DOMAIN_CHECKPOINT_XML_SECURE)
        return remote.remote_domain_checkpoint_get_xml_desc_ret(xml if secure else without_secrets(xml))

    def domain_checkpoint_get_parent(self, args: remote.remote_domain_checkpoint_get_parent_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainCheckpointGetParent")
        _domain, _, checkpoint = self._checkpoint(args.checkpoint)
        if checkpoint.parent is None:
            detail = f"checkpoint '{checkpoint.name}' does not have a parent"
            raise report(api.VIR_ERR_NO_DOMAIN_CHECKPOINT, FROM_TEST, detail)
        return remote.remote_domain_checkpoint_get_parent_ret(
            self._checkpoint_ref(args.checkpoint.dom, checkpoint.parent)
        )

    def domain_checkpoint_delete(self, args: remote.remote_domain_checkpoint_delete_args) -> None:
        public_api.exclusive(
            args.flags,
            "VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN",
            "VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY",
            "virDomainCheckpointDelete",
            FROM_CHECKPOINT,
        )
        allowed = (
            api.VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN
            | api.VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY
            | api.VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY
        )
        check_flags(args.flags, allowed, FROM_TEST, "testDomainCheckpointDelete")
        _, tree, checkpoint = self._checkpoint(args.checkpoint)
        tree.delete(checkpoint.name, args.flags)
