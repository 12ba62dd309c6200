"""Snapshot and checkpoint procedures of the test driver."""

from __future__ import annotations

from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import check_flags, report

from . import snapshots
from .common import (
    FROM_TEST,
    TestProcedures,
    _nonnull_domain,
)
from .state import Domain


class SnapshotProcedures(TestProcedures):
    # --------------------------------------------------------------- snapshots
    def _snapshots(self, domain: Domain) -> snapshots.SnapshotTree:
        return self.state.snapshots.setdefault(domain.uuid, snapshots.SnapshotTree())

    def _snapshot(self, ref: remote.remote_nonnull_domain_snapshot):
        domain = self._domain(ref.dom)
        tree = self._snapshots(domain)
        return domain, tree, tree.get(ref.name)

    def _snapshot_ref(self, domain: Domain, name: str) -> remote.remote_nonnull_domain_snapshot:
        return remote.remote_nonnull_domain_snapshot(name, _nonnull_domain(domain))

    def domain_snapshot_create_xml(self, args: remote.remote_domain_snapshot_create_xml_args):
        domain = self._domain(args.dom)
        tree = self._snapshots(domain)
        snapshot = snapshots.new_snapshot(domain, args.xml_desc, tree.current)
        tree.add(snapshot)
        if args.flags & api.VIR_DOMAIN_SNAPSHOT_CREATE_HALT and domain.active:
            self._stop(domain, api.VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT, api.VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT)
        return remote.remote_domain_snapshot_create_xml_ret(self._snapshot_ref(domain, snapshot.name))

    def domain_list_all_snapshots(self, args: remote.remote_domain_list_all_snapshots_args):
        domain = self._domain(args.dom)
        chosen = self._snapshots(domain).select(args.flags)
        refs = [self._snapshot_ref(domain, s.name) for s in chosen] if args.need_results else []
        return remote.remote_domain_list_all_snapshots_ret(refs, len(chosen))

    def domain_snapshot_num(self, args: remote.remote_domain_snapshot_num_args):
        return remote.remote_domain_snapshot_num_ret(len(self._snapshots(self._domain(args.dom)).select(args.flags)))

    def domain_snapshot_list_names(self, args: remote.remote_domain_snapshot_list_names_args):
        chosen = self._snapshots(self._domain(args.dom)).select(args.flags)
        return remote.remote_domain_snapshot_list_names_ret([s.name for s in chosen][: args.maxnames])

    def domain_snapshot_list_all_children(self, args: remote.remote_domain_snapshot_list_all_children_args):
        check_flags(args.flags, snapshots.CHILDREN_FLAGS, FROM_TEST, "testDomainSnapshotListAllChildren")
        domain, tree, snapshot = self._snapshot(args.snapshot)
        chosen = tree.select(args.flags, below=snapshot.name)
        refs = [self._snapshot_ref(domain, s.name) for s in chosen] if args.need_results else []
        return remote.remote_domain_snapshot_list_all_children_ret(refs, len(chosen))

    def domain_snapshot_num_children(self, args: remote.remote_domain_snapshot_num_children_args):
        check_flags(args.flags, snapshots.CHILDREN_FLAGS, FROM_TEST, "testDomainSnapshotNumChildren")
        _, tree, snapshot = self._snapshot(args.snap)
        return remote.remote_domain_snapshot_num_children_ret(len(tree.select(args.flags, below=snapshot.name)))

    def domain_snapshot_lookup_by_name(self, args: remote.remote_domain_snapshot_lookup_by_name_args):
        domain = self._domain(args.dom)
        snapshot = self._snapshots(domain).get(args.name)
        return remote.remote_domain_snapshot_lookup_by_name_ret(self._snapshot_ref(domain, snapshot.name))

    def domain_snapshot_get_xml_desc(self, args: remote.remote_domain_snapshot_get_xml_desc_args):
        return remote.remote_domain_snapshot_get_xml_desc_ret(snapshots.snapshot_xml(self._snapshot(args.snap)[2]))

    def domain_has_current_snapshot(self, args: remote.remote_domain_has_current_snapshot_args):
        tree = self._snapshots(self._domain(args.dom))
        return remote.remote_domain_has_current_snapshot_ret(int(tree.current is not None))

    def domain_snapshot_current(self, args: remote.remote_domain_snapshot_current_args):
        domain = self._domain(args.dom)
        tree = self._snapshots(domain)
        if tree.current is None:
            raise snapshots.no_snapshot("the domain does not have a current snapshot")
        return remote.remote_domain_snapshot_current_ret(self._snapshot_ref(domain, tree.current))

    def domain_snapshot_get_parent(self, args: remote.remote_domain_snapshot_get_parent_args):
        domain, _, snapshot = self._snapshot(args.snap)
        if snapshot.parent is None:
            raise snapshots.no_snapshot(f"snapshot '{snapshot.name}' does not have a parent")
        return remote.remote_domain_snapshot_get_parent_ret(self._snapshot_ref(domain, snapshot.parent))

    def domain_snapshot_is_current(self, args: remote.remote_domain_snapshot_is_current_args):
        _, tree, snapshot = self._snapshot(args.snap)
        return remote.remote_domain_snapshot_is_current_ret(int(tree.current == snapshot.name))

    def domain_snapshot_has_metadata(self, args: remote.remote_domain_snapshot_has_metadata_args):
        self._snapshot(args.snap)
        return remote.remote_domain_snapshot_has_metadata_ret(1)

    def domain_revert_to_snapshot(self, args: remote.remote_domain_revert_to_snapshot_args) -> None:
        domain, tree, snapshot = self._snapshot(args.snap)
        tree.current = snapshot.name
        if snapshot.state == api.VIR_DOMAIN_SHUTOFF:
            if domain.active:
                self._stop(domain, api.VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT, api.VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT)
        elif not domain.active:
            self.state.start_domain(domain, api.VIR_DOMAIN_RUNNING_FROM_SNAPSHOT)
            self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_STARTED, api.VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT)

    def domain_snapshot_delete(self, args: remote.remote_domain_snapshot_delete_args) -> None:
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
            raise report(api.VIR_ERR_NO_DOMAIN_CHECKPOINT, api.VIR_FROM_DOMAIN_CHECKPOINT, detail)
        return domain, tree, tree.snapshots[ref.name]

    def _checkpoint_ref(self, domain: Domain, name: str) -> remote.remote_nonnull_domain_checkpoint:
        return remote.remote_nonnull_domain_checkpoint(name, _nonnull_domain(domain))

    def domain_checkpoint_create_xml(self, args: remote.remote_domain_checkpoint_create_xml_args):
        domain = self._domain(args.dom)
        if self._snapshots(domain).snapshots:
            raise report(api.VIR_ERR_OPERATION_UNSUPPORTED, api.VIR_FROM_DOMAIN_CHECKPOINT,
                         "cannot create checkpoint while snapshot exists")  # fmt: skip
        tree = self._checkpoints(domain)
        checkpoint = snapshots.new_snapshot(domain, args.xml_desc, tree.current, "domaincheckpoint")
        tree.add(checkpoint)
        return remote.remote_domain_checkpoint_create_xml_ret(self._checkpoint_ref(domain, checkpoint.name))

    def domain_list_all_checkpoints(self, args: remote.remote_domain_list_all_checkpoints_args):
        domain = self._domain(args.dom)
        chosen = self._checkpoints(domain).select(args.flags)
        refs = [self._checkpoint_ref(domain, c.name) for c in chosen] if args.need_results else []
        return remote.remote_domain_list_all_checkpoints_ret(refs, len(chosen))

    def domain_checkpoint_list_all_children(self, args: remote.remote_domain_checkpoint_list_all_children_args):
        domain, tree, checkpoint = self._checkpoint(args.checkpoint)
        chosen = tree.select(args.flags, below=checkpoint.name)
        refs = [self._checkpoint_ref(domain, c.name) for c in chosen] if args.need_results else []
        return remote.remote_domain_checkpoint_list_all_children_ret(refs, len(chosen))

    def domain_checkpoint_lookup_by_name(self, args: remote.remote_domain_checkpoint_lookup_by_name_args):
        domain = self._domain(args.dom)
        _, _, checkpoint = self._checkpoint(remote.remote_nonnull_domain_checkpoint(args.name, args.dom))
        return remote.remote_domain_checkpoint_lookup_by_name_ret(self._checkpoint_ref(domain, checkpoint.name))

    def domain_checkpoint_get_xml_desc(self, args: remote.remote_domain_checkpoint_get_xml_desc_args):
        _, _, checkpoint = self._checkpoint(args.checkpoint)
        with_domain = not args.flags & api.VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN
        return remote.remote_domain_checkpoint_get_xml_desc_ret(snapshots.checkpoint_xml(checkpoint, with_domain))

    def domain_checkpoint_get_parent(self, args: remote.remote_domain_checkpoint_get_parent_args):
        domain, _, checkpoint = self._checkpoint(args.checkpoint)
        if checkpoint.parent is None:
            detail = f"checkpoint '{checkpoint.name}' does not have a parent"
            raise report(api.VIR_ERR_NO_DOMAIN_CHECKPOINT, api.VIR_FROM_DOMAIN_CHECKPOINT, detail)
        return remote.remote_domain_checkpoint_get_parent_ret(self._checkpoint_ref(domain, checkpoint.parent))

    def domain_checkpoint_delete(self, args: remote.remote_domain_checkpoint_delete_args) -> None:
        _, tree, checkpoint = self._checkpoint(args.checkpoint)
        tree.delete(checkpoint.name, args.flags)
