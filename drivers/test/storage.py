"""Storage pool and volume procedures of the test driver."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable

from virtrio.drivers.base import Event, EventFamily, StreamReply
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import check_flags, invalid_argument, report

from . import volumes as volumes_module
from .common import (
    FROM_TEST,
    TestProcedures,
    _selected,
    check_name_and_uuid,
)
from .formats import pool_xml
from .large_documents import read_then
from .parse import parse_document, parse_pool_xml, validate_against_schema
from .pool_definition import PoolDefinition, parse_source_specification
from .state import Pool, TestState

# What the test driver "discovers" (libvirt's fixed answers)
LOGICAL_SOURCES = """<sources>
  <source>
    <device path='/dev/sda20'/>
    <name>testvg1</name>
    <format type='lvm2'/>
  </source>
  <source>
    <device path='/dev/sda21'/>
    <name>testvg2</name>
    <format type='lvm2'/>
  </source>
</sources>
"""
NETFS_SOURCES = """<sources>
  <source>
    <host name='{host}'/>
    <dir path='/testshare'/>
    <format type='nfs'/>
  </source>
</sources>
"""


# VIR_CONNECT_LIST_STORAGE_POOLS_<TYPE> by pool type
POOL_TYPE_FLAGS = {
    name: getattr(api, "VIR_CONNECT_LIST_STORAGE_POOLS_" + name.upper().replace("-", "_"))
    for name in (
        "dir",
        "fs",
        "netfs",
        "logical",
        "disk",
        "iscsi",
        "iscsi-direct",
        "scsi",
        "mpath",
        "rbd",
        "sheepdog",
        "gluster",
        "zfs",
        "vstorage",
    )
}


def _volume_type_for(pool: Pool) -> int:
    """testStorageVolumeTypeForPool: what volume info says, by pool type (not the XML's type)."""
    pool_type = pool.definition.type if pool.definition is not None else "dir"
    if pool_type in ("dir", "fs", "netfs", "vstorage"):
        return api.VIR_STORAGE_VOL_FILE
    if pool_type in ("sheepdog", "iscsi-direct", "gluster", "rbd"):
        return api.VIR_STORAGE_VOL_NETWORK
    return api.VIR_STORAGE_VOL_BLOCK


def _scsi_host_number(name: str | None) -> int | None:
    """virSCSIHostGetNumber: 'scsi_hostN', 'fc_hostN' or 'hostN'; None when it is not one."""
    for prefix in ("scsi_host", "fc_host", "host"):
        if name is not None and name.startswith(prefix):
            digits = name[len(prefix) :]
            return int(digits) if digits.isascii() and digits.isdigit() else None
    return None


def _parent_address(definition: PoolDefinition) -> tuple[int, ...] | None:
    if definition.adapter_parent_address is None:
        return None
    unique_id, address = definition.adapter_parent_address
    return (unique_id, *(int(address.get(name, "0"), 0) for name in ("domain", "bus", "slot", "function")))


def _same_adapter(old: PoolDefinition, new: PoolDefinition) -> bool:
    """virStoragePoolObjSourceMatchTypeISCSI. A scsi_host given by its parent's PCI address, and
    an fc_host's vHBA, are found through sysfs there: without such a host nothing matches."""
    a, b = old.adapter or {}, new.adapter or {}
    if a.get("type") == b.get("type") == "fc_host":
        return a.get("wwnn") == b.get("wwnn") and a.get("wwpn") == b.get("wwpn")
    if a.get("type") == b.get("type") == "scsi_host":
        parents = _parent_address(old), _parent_address(new)
        if parents[0] is not None and parents[0] == parents[1]:
            return True
        numbers = _scsi_host_number(a.get("name")), _scsi_host_number(b.get("name"))
        return numbers[0] is not None and numbers[0] == numbers[1]
    fc_host, scsi_host = (a, b) if a.get("type") == "fc_host" else (b, a)
    number = _scsi_host_number(scsi_host.get("name"))
    return number is not None and _scsi_host_number(fc_host.get("parent")) == number


def _same_single_host(old: PoolDefinition, new: PoolDefinition) -> bool:
    """virStoragePoolSourceMatchSingleHost (which reads the first host of both as soon as
    either has exactly one)."""
    if (len(old.hosts) != 1 and len(new.hosts) != 1) or not old.hosts or not new.hosts:
        return False
    if new.hosts[0][1] and old.hosts[0][1] != new.hosts[0][1]:
        return False
    return old.hosts[0][0] == new.hosts[0][0]


DEVICE_POOLS = ("iscsi", "fs", "logical", "disk", "zfs")


def read_source_specification(text: str, pool_type: str) -> PoolDefinition:
    """virStoragePoolDefParseSourceString: the <source> document, read as pool_type's."""
    return parse_source_specification(parse_document(text, "source"), pool_type)


def _discovered_sources(
    pool_type: str, source: PoolDefinition | None
) -> remote.remote_connect_find_storage_pool_sources_ret:
    """testConnectFindStoragePoolSources' answer per type, from the source asked about."""
    host = source.hosts[0][0] if source is not None and source.hosts else None
    if pool_type == "logical":
        return remote.remote_connect_find_storage_pool_sources_ret(LOGICAL_SOURCES)
    if pool_type == "netfs":
        if not host:
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "hostname must be specified for netfs sources")
        return remote.remote_connect_find_storage_pool_sources_ret(NETFS_SOURCES.format(host=host))
    raise report(api.VIR_ERR_NO_SUPPORT, FROM_TEST, f"pool type '{pool_type}' does not support source discovery")


def _same_source(existing: Pool, new: PoolDefinition) -> bool:
    """virStoragePoolObjSourceFindDuplicateCb: whether new would use the storage of existing,
    another pool (a definition-less pool is a plain dir pool at its path)."""
    if existing.name == new.name:
        return False  # a redefinition of the same pool
    old = existing.definition
    old_type = old.type if old is not None else "dir"
    if old_type == "dir":
        return new.type == "dir" and (old.target_path if old is not None else existing.path) == new.target_path
    if old is None:
        return False
    if old_type in ("gluster", "netfs"):
        if new.type != old_type or old.source_dir != new.source_dir:
            return False
        return (old_type == "netfs" or old.source_name == new.source_name) and _same_single_host(old, new)
    if old_type == "scsi":
        return new.type == "scsi" and _same_adapter(old, new)
    if old_type in DEVICE_POOLS:
        if new.type not in DEVICE_POOLS or (new.type == "iscsi") != (old_type == "iscsi"):
            return False
        shared = {path for path, _ in old.devices} & {path for path, _ in new.devices}
        return bool(shared) and (old_type != "iscsi" or old.initiator == new.initiator)
    if old_type == "sheepdog":
        return new.type == old_type and _same_single_host(old, new)
    if old_type == "mpath":
        return new.type == old_type  # one mpath pool per host
    if old_type == "vstorage":
        return new.type == old_type and old.source_name == new.source_name
    return False  # rbd, iscsi-direct: never compared


def add_pool(state: TestState, pool: Pool, create: bool = False) -> tuple[Pool, bool]:
    """virStoragePoolObjListAdd: the pool read (parse_pool_xml), and whether it is new (else
    the pool of that name and UUID took the definition); also what a node file's pools go
    through."""
    if pool.definition is not None:
        # virStoragePoolObjListAdd looks for another pool on the same storage first.
        for existing in state.pools.values():
            if _same_source(existing, pool.definition):
                detail = f"Storage source conflict with pool: '{existing.name}'"
                raise report(api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_STORAGE, detail)
    check_name_and_uuid("pool", state.pools, pool.name, pool.uuid, api.VIR_FROM_STORAGE)
    same_uuid = state.pools.get(pool.name)
    if same_uuid is not None:  # (of the same UUID)
        if create and same_uuid.active:
            detail = f"pool is already active as '{same_uuid.name}'"
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_STORAGE, detail)
        # A running pool keeps its definition (the test driver never uses the one set
        # apart); either way testStoragePoolObjSetDefaults resets the figures.
        if not same_uuid.active:
            same_uuid.definition, same_uuid.path = pool.definition, pool.path
        same_uuid.capacity, same_uuid.allocation, same_uuid.available = (
            pool.capacity,
            pool.allocation,
            pool.available,
        )
        return same_uuid, False
    state.pools[pool.name] = pool
    return pool, True


class StorageProcedures(TestProcedures):
    # -------------------------------------------------------------------- pools
    def connect_list_all_storage_pools(self, args: remote.remote_connect_list_all_storage_pools_args):
        check_flags(args.flags, (1 << 20) - 1, FROM_TEST, "testConnectListAllStoragePools")
        type_flags = args.flags & ~((1 << 6) - 1)
        pools = [
            p
            for p in self.state.pools.values()
            if _selected(
                args.flags,
                api.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE,
                api.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
                api.VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT,
                api.VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT,
                api.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
                api.VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
                p,
            )
            and (not type_flags or type_flags & POOL_TYPE_FLAGS[p.definition.type if p.definition else "dir"])
        ]
        refs = [remote.remote_nonnull_storage_pool(p.name, p.uuid) for p in pools] if args.need_results else []
        return remote.remote_connect_list_all_storage_pools_ret(refs, len(pools))

    def storage_pool_lookup_by_name(self, args: remote.remote_storage_pool_lookup_by_name_args):
        pool = self.state.pools.get(args.name)
        if pool is None:
            raise report(api.VIR_ERR_NO_STORAGE_POOL, FROM_TEST, f"no storage pool with matching name '{args.name}'")
        return remote.remote_storage_pool_lookup_by_name_ret(remote.remote_nonnull_storage_pool(pool.name, pool.uuid))

    def storage_pool_lookup_by_uuid(self, args: remote.remote_storage_pool_lookup_by_uuid_args):
        pool = self._pool_by_uuid(args.uuid)
        return remote.remote_storage_pool_lookup_by_uuid_ret(remote.remote_nonnull_storage_pool(pool.name, pool.uuid))

    def storage_pool_set_autostart(self, args: remote.remote_storage_pool_set_autostart_args) -> None:
        pool = self._pool(args.pool)
        if not pool.persistent:  # libvirt's test driver keeps no config file for a transient pool
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "pool has no config file")
        pool.autostart = bool(args.autostart)

    def storage_pool_get_info(self, args: remote.remote_storage_pool_get_info_args):
        pool = self._pool(args.pool)
        state = api.VIR_STORAGE_POOL_RUNNING if pool.active else api.VIR_STORAGE_POOL_INACTIVE
        return remote.remote_storage_pool_get_info_ret(state, pool.capacity, pool.allocation, pool.available)

    def storage_pool_get_xml_desc(self, args: remote.remote_storage_pool_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolGetXMLDesc")
        return remote.remote_storage_pool_get_xml_desc_ret(pool_xml(self._pool(args.pool)))

    def storage_pool_get_autostart(self, args: remote.remote_storage_pool_get_autostart_args):
        pool = self._pool(args.pool)
        # a defined pool that createXML made transient keeps its flag, but has no config file
        return remote.remote_storage_pool_get_autostart_ret(int(pool.autostart and pool.persistent))

    def storage_pool_is_active(self, args: remote.remote_storage_pool_is_active_args):
        return remote.remote_storage_pool_is_active_ret(int(self._pool_by_uuid(args.pool.uuid).active))

    def storage_pool_is_persistent(self, args: remote.remote_storage_pool_is_persistent_args):
        return remote.remote_storage_pool_is_persistent_ret(int(self._pool_by_uuid(args.pool.uuid).persistent))

    def _active_pool(self, ref: remote.remote_nonnull_storage_pool) -> Pool:
        pool = self._pool(ref)
        if not pool.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, f"storage pool '{pool.name}' is not active")
        return pool

    def _pool_names(self, active: bool) -> list[str]:
        return [p.name for p in self.state.pools.values() if p.active == active]

    def connect_num_of_storage_pools(self) -> remote.remote_connect_num_of_storage_pools_ret:
        return remote.remote_connect_num_of_storage_pools_ret(len(self._pool_names(True)))

    def connect_list_storage_pools(self, args: remote.remote_connect_list_storage_pools_args):
        return remote.remote_connect_list_storage_pools_ret(self._pool_names(True)[: args.maxnames])

    def connect_num_of_defined_storage_pools(self) -> remote.remote_connect_num_of_defined_storage_pools_ret:
        return remote.remote_connect_num_of_defined_storage_pools_ret(len(self._pool_names(False)))

    def connect_list_defined_storage_pools(self, args: remote.remote_connect_list_defined_storage_pools_args):
        return remote.remote_connect_list_defined_storage_pools_ret(self._pool_names(False)[: args.maxnames])

    def _listable_pool(self, pool: Pool) -> Pool:
        if not pool.active:  # testStoragePoolListAllVolumes leaves the name out of this message
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "storage pool is not active")
        return pool

    def storage_pool_list_all_volumes(self, args: remote.remote_storage_pool_list_all_volumes_args):
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolListAllVolumes")
        pool = self._listable_pool(self._pool_by_uuid(args.pool.uuid))
        volumes = sorted(pool.volumes.values(), key=lambda v: v.name)
        refs = [volumes_module.volume_ref(pool.name, v) for v in volumes] if args.need_results else []
        return remote.remote_storage_pool_list_all_volumes_ret(refs, len(volumes))

    def storage_pool_num_of_volumes(self, args: remote.remote_storage_pool_num_of_volumes_args):
        return remote.remote_storage_pool_num_of_volumes_ret(len(self._active_pool(args.pool).volumes))

    def storage_pool_list_volumes(self, args: remote.remote_storage_pool_list_volumes_args):
        names = sorted(self._active_pool(args.pool).volumes)[: args.maxnames]
        return remote.remote_storage_pool_list_volumes_ret(names)

    def storage_pool_create(self, args: remote.remote_storage_pool_create_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolCreate")
        pool = self._pool(args.pool)
        if pool.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, f"storage pool '{pool.name}' is active")
        pool.active = True
        self._emit_pool(pool, api.VIR_STORAGE_POOL_EVENT_STARTED)

    def storage_pool_undefine(self, args: remote.remote_storage_pool_undefine_args) -> None:
        pool = self._pool(args.pool)
        if pool.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, f"storage pool '{pool.name}' is active")
        del self.state.pools[pool.name]
        self._emit_pool(pool, api.VIR_STORAGE_POOL_EVENT_UNDEFINED)

    def _emit_pool(self, pool: Pool, event: int) -> None:
        fields = (remote.remote_nonnull_storage_pool(pool.name, pool.uuid), event, 0)
        self.state.events.emit(Event(EventFamily.STORAGE, api.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, pool.uuid, fields))

    def _inactive_pool(self, ref: remote.remote_nonnull_storage_pool) -> Pool:
        pool = self._pool(ref)
        if pool.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, f"storage pool '{pool.name}' is active")
        return pool

    def storage_pool_build(self, args: remote.remote_storage_pool_build_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolBuild")
        self._emit_pool(self._inactive_pool(args.pool), api.VIR_STORAGE_POOL_EVENT_CREATED)

    def storage_pool_delete(self, args: remote.remote_storage_pool_delete_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolDelete")
        self._emit_pool(self._inactive_pool(args.pool), api.VIR_STORAGE_POOL_EVENT_DELETED)

    def connect_find_storage_pool_sources(self, args: remote.remote_connect_find_storage_pool_sources_args):
        check_flags(args.flags, 0, FROM_TEST, "testConnectFindStoragePoolSources")
        # libvirt tests the type's enum value for zero: "dir" is refused as unknown, and an
        # unknown name falls through to "does not support source discovery".
        if args.type == "dir":
            raise report(api.VIR_ERR_INTERNAL_ERROR, FROM_TEST, f"unknown storage pool type {args.type}")
        if args.srcSpec is None:
            return _discovered_sources(args.type, None)
        # the specification's text is the client's to size: read in a worker thread when large
        read = functools.partial(read_source_specification, args.srcSpec, args.type)
        return read_then(args.srcSpec, read, functools.partial(_discovered_sources, args.type))

    def storage_pool_define_xml(self, args: remote.remote_storage_pool_define_xml_args):
        check_flags(args.flags, api.VIR_STORAGE_POOL_DEFINE_VALIDATE, FROM_TEST, "testStoragePoolDefineXML")
        validate = bool(args.flags & api.VIR_STORAGE_POOL_DEFINE_VALIDATE)
        return read_then(args.xml, functools.partial(_read_pool, args.xml, validate), self._defined_pool)

    def _defined_pool(self, parsed: Pool) -> remote.remote_storage_pool_define_xml_ret:
        pool, fresh = add_pool(self.state, parsed)
        if fresh:
            pool.active = False
        pool.persistent = True
        self._emit_pool(pool, api.VIR_STORAGE_POOL_EVENT_DEFINED)
        return remote.remote_storage_pool_define_xml_ret(remote.remote_nonnull_storage_pool(pool.name, pool.uuid))

    def storage_pool_create_xml(self, args: remote.remote_storage_pool_create_xml_args):
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolCreateXML")
        return read_then(args.xml, functools.partial(_read_pool, args.xml, False), self._created_pool)

    def _created_pool(self, parsed: Pool) -> remote.remote_storage_pool_create_xml_ret:
        pool, _ = add_pool(self.state, parsed, create=True)
        adapter = pool.definition.adapter if pool.definition is not None else None
        if adapter is not None and adapter["type"] == "fc_host":
            try:
                self._mock_create_vport(adapter["wwnn"], adapter["wwpn"])  # type: ignore[attr-defined]
            except Exception:
                del self.state.pools[pool.name]  # as libvirt, even a defined pool that took the XML
                raise
        # Transient from now on, even a defined pool that took the XML (libvirt drops its config file).
        pool.persistent = False
        pool.active = True
        self._emit_pool(pool, api.VIR_STORAGE_POOL_EVENT_STARTED)
        return remote.remote_storage_pool_create_xml_ret(remote.remote_nonnull_storage_pool(pool.name, pool.uuid))

    def storage_pool_destroy(self, args: remote.remote_storage_pool_destroy_args) -> None:
        pool = self._active_pool(args.pool)
        pool.active = False  # first: a failure below leaves the pool stopped, as in libvirt
        adapter = pool.definition.adapter if pool.definition is not None else None
        if adapter is not None and adapter["type"] == "fc_host":
            self._mock_destroy_vport()  # type: ignore[attr-defined]
        self._emit_pool(pool, api.VIR_STORAGE_POOL_EVENT_STOPPED)
        if not pool.persistent:
            del self.state.pools[pool.name]

    def _volume(self, ref: remote.remote_nonnull_storage_vol) -> tuple[Pool, volumes_module.Volume]:
        pool = self.state.pools.get(ref.pool)
        if pool is None:
            raise report(api.VIR_ERR_NO_STORAGE_POOL, FROM_TEST, f"no storage pool with matching name '{ref.pool}'")
        if not pool.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, f"storage pool '{pool.name}' is not active")
        volume = pool.volumes.get(ref.name)
        if volume is None:
            raise volumes_module.no_volume(f"no storage vol with matching name '{ref.name}'")
        return pool, volume

    def _add_volume(self, pool: Pool, volume: volumes_module.Volume) -> remote.remote_nonnull_storage_vol:
        if volume.name in pool.volumes:
            raise report(api.VIR_ERR_OPERATION_FAILED, FROM_TEST, "storage vol already exists")
        if pool.allocation + volume.allocation > pool.capacity:
            detail = f"Not enough free space in pool for volume '{volume.name}'"
            raise report(api.VIR_ERR_INTERNAL_ERROR, FROM_TEST, detail)
        pool.volumes[volume.name] = volume
        pool.allocation += volume.allocation
        pool.available = pool.capacity - pool.allocation
        return volumes_module.volume_ref(pool.name, volume)

    def storage_vol_create_xml(self, args: remote.remote_storage_vol_create_xml_args):
        check_flags(args.flags, api.VIR_STORAGE_VOL_CREATE_VALIDATE, FROM_TEST, "testStorageVolCreateXML")
        validate = bool(args.flags & api.VIR_STORAGE_VOL_CREATE_VALIDATE)
        return read_then(
            args.xml,
            self._volume_reader(args.pool, args.xml, validate),
            lambda volume: remote.remote_storage_vol_create_xml_ret(
                self._add_volume(self._active_pool(args.pool), volume)
            ),
        )

    def storage_vol_create_xml_from(self, args: remote.remote_storage_vol_create_xml_from_args):
        check_flags(args.flags, api.VIR_STORAGE_VOL_CREATE_VALIDATE, FROM_TEST, "testStorageVolCreateXMLFrom")
        validate = bool(args.flags & api.VIR_STORAGE_VOL_CREATE_VALIDATE)
        return read_then(
            args.xml, self._volume_reader(args.pool, args.xml, validate), functools.partial(self._cloned_volume, args)
        )

    def _volume_reader(
        self, ref: remote.remote_nonnull_storage_pool, xml: str, validate: bool
    ) -> Callable[[], volumes_module.Volume]:
        """The read of a new volume's document, for the pool as it is now: what decides the
        read (the pool's type and target path) taken apart, as the read may run in a worker
        thread (large_documents) while the pool changes; the volume is added to the pool as
        it is then (looked up again)."""
        return functools.partial(volumes_module.parse_volume_xml, xml, copy.copy(self._active_pool(ref)), validate)

    def _cloned_volume(
        self, args: remote.remote_storage_vol_create_xml_from_args, volume: volumes_module.Volume
    ) -> remote.remote_storage_vol_create_xml_from_ret:
        pool = self._active_pool(args.pool)
        if volume.name in pool.volumes:
            raise report(api.VIR_ERR_OPERATION_FAILED, FROM_TEST, "storage vol already exists")
        # libvirt's test driver looks the source up by name in the destination pool, whatever
        # pool the source volume belongs to; the clone keeps its own allocation
        if args.clonevol.name not in pool.volumes:
            raise volumes_module.no_volume(f"no storage vol with matching name '{args.clonevol.name}'")
        return remote.remote_storage_vol_create_xml_from_ret(self._add_volume(pool, volume))

    def storage_vol_lookup_by_name(self, args: remote.remote_storage_vol_lookup_by_name_args):
        pool = self._active_pool(args.pool)
        volume = pool.volumes.get(args.name)
        if volume is None:
            raise volumes_module.no_volume(f"no storage vol with matching name '{args.name}'")
        return remote.remote_storage_vol_lookup_by_name_ret(volumes_module.volume_ref(pool.name, volume))

    def _find_volume(self, path: str, what: str):
        for pool in self.state.pools.values():
            if pool.active:
                for volume in pool.volumes.values():
                    if (volume.key if what == "key" else volume.path) == path:
                        return volumes_module.volume_ref(pool.name, volume)
        raise volumes_module.no_volume(f"no storage vol with matching {what} '{path}'")

    def storage_vol_lookup_by_path(self, args: remote.remote_storage_vol_lookup_by_path_args):
        return remote.remote_storage_vol_lookup_by_path_ret(self._find_volume(args.path, "path"))

    def storage_vol_lookup_by_key(self, args: remote.remote_storage_vol_lookup_by_key_args):
        return remote.remote_storage_vol_lookup_by_key_ret(self._find_volume(args.key, "key"))

    def storage_pool_lookup_by_volume(self, args: remote.remote_storage_pool_lookup_by_volume_args):
        pool, _ = self._volume(args.vol)
        return remote.remote_storage_pool_lookup_by_volume_ret(remote.remote_nonnull_storage_pool(pool.name, pool.uuid))

    def storage_vol_get_info(self, args: remote.remote_storage_vol_get_info_args):
        pool, volume = self._volume(args.vol)
        return remote.remote_storage_vol_get_info_ret(_volume_type_for(pool), volume.capacity, volume.allocation)

    def storage_vol_get_info_flags(self, args: remote.remote_storage_vol_get_info_flags_args):
        check_flags(args.flags, api.VIR_STORAGE_VOL_GET_PHYSICAL, FROM_TEST, "testStorageVolGetInfoFlags")
        pool, volume = self._volume(args.vol)
        return remote.remote_storage_vol_get_info_flags_ret(_volume_type_for(pool), volume.capacity, volume.allocation)

    def storage_vol_get_xml_desc(self, args: remote.remote_storage_vol_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_TEST, "testStorageVolGetXMLDesc")
        return remote.remote_storage_vol_get_xml_desc_ret(volumes_module.volume_xml(self._volume(args.vol)[1]))

    def storage_vol_get_path(self, args: remote.remote_storage_vol_get_path_args):
        return remote.remote_storage_vol_get_path_ret(self._volume(args.vol)[1].path)

    def storage_vol_delete(self, args: remote.remote_storage_vol_delete_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testStorageVolDelete")
        pool, volume = self._volume(args.vol)
        pool.allocation -= volume.allocation
        pool.available = (pool.capacity - pool.allocation) % 2**64  # (unsigned, as node files leave it)
        del pool.volumes[volume.name]

    # Beyond libvirt's test driver, as libvirt's storage driver does them.
    def storage_vol_resize(self, args: remote.remote_storage_vol_resize_args) -> None:
        # virStorageVolResize's own check, which libvirtd makes before the driver
        relative = api.VIR_STORAGE_VOL_RESIZE_DELTA | api.VIR_STORAGE_VOL_RESIZE_SHRINK
        if args.capacity == 0 and not args.flags & relative:
            detail = "capacity in virStorageVolResize cannot be zero without 'delta' or 'shrink' flags set"
            raise invalid_argument(api.VIR_FROM_STORAGE, detail, "virStorageVolResize", "capacity")
        flags = (
            api.VIR_STORAGE_VOL_RESIZE_ALLOCATE | api.VIR_STORAGE_VOL_RESIZE_DELTA | api.VIR_STORAGE_VOL_RESIZE_SHRINK
        )
        check_flags(args.flags, flags, api.VIR_FROM_STORAGE, "storageVolResize")
        pool, volume = self._volume(args.vol)
        capacity = args.capacity
        if args.flags & api.VIR_STORAGE_VOL_RESIZE_DELTA:
            if args.flags & api.VIR_STORAGE_VOL_RESIZE_SHRINK:
                capacity = volume.capacity - min(capacity, volume.capacity)
            else:
                capacity = volume.capacity + capacity
        if capacity < volume.allocation:
            raise report(
                api.VIR_ERR_INVALID_ARG, api.VIR_FROM_STORAGE, "can't shrink capacity below existing allocation"
            )
        if capacity < volume.capacity and not args.flags & api.VIR_STORAGE_VOL_RESIZE_SHRINK:
            detail = "Can't shrink capacity below current capacity unless shrink flag explicitly specified"
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_STORAGE, detail)
        growth = capacity - volume.allocation if args.flags & api.VIR_STORAGE_VOL_RESIZE_ALLOCATE else 0
        if growth > pool.available:
            raise report(api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_STORAGE, "Not enough space left in storage pool")
        volume.capacity = capacity
        volume.data.truncate(capacity)
        if args.flags & api.VIR_STORAGE_VOL_RESIZE_ALLOCATE:
            volume.allocation = capacity
            pool.allocation += growth
            pool.available -= growth

    def storage_vol_wipe(self, args: remote.remote_storage_vol_wipe_args) -> None:
        self.storage_vol_wipe_pattern(remote.remote_storage_vol_wipe_pattern_args(args.vol, 0, args.flags))

    def storage_vol_wipe_pattern(self, args: remote.remote_storage_vol_wipe_pattern_args) -> None:
        check_flags(args.flags, 0, api.VIR_FROM_STORAGE, "storageVolWipePattern")
        if args.algorithm >= api.VIR_STORAGE_VOL_WIPE_ALG_LAST:
            detail = f"wiping algorithm {args.algorithm} not supported"
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_STORAGE, detail)
        _, volume = self._volume(args.vol)
        volume.data.clear()  # every algorithm ends, for the guest, in data nobody can read back

    def storage_vol_upload(self, args: remote.remote_storage_vol_upload_args) -> StreamReply:
        check_flags(args.flags, api.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM, api.VIR_FROM_STORAGE, "storageVolUpload")
        _, volume = self._volume(args.vol)
        self._check_range(volume, args.offset, args.length)
        return StreamReply(None, sink=volumes_module.VolumeUpload(volume, args.offset, args.length))

    def storage_vol_download(self, args: remote.remote_storage_vol_download_args) -> StreamReply:
        flags = api.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM
        check_flags(args.flags, flags, api.VIR_FROM_STORAGE, "storageVolDownload")
        _, volume = self._volume(args.vol)
        self._check_range(volume, args.offset, args.length)
        source = volumes_module.volume_download(volume, args.offset, args.length, bool(args.flags & flags))
        return StreamReply(None, source=source)

    @staticmethod
    def _check_range(volume: volumes_module.Volume, offset: int, length: int) -> None:
        if offset > volume.capacity or offset + length > volume.capacity:
            detail = f"range {offset}+{length} is past the volume's capacity of {volume.capacity} bytes"
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_STORAGE, detail)

    def storage_pool_refresh(self, args: remote.remote_storage_pool_refresh_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolRefresh")
        pool = self._active_pool(args.pool)
        fields = (remote.remote_nonnull_storage_pool(pool.name, pool.uuid),)
        self.state.events.emit(Event(EventFamily.STORAGE, api.VIR_STORAGE_POOL_EVENT_ID_REFRESH, pool.uuid, fields))


def _read_pool(text: str, validate: bool) -> Pool:
    """The pool a document defines, checked against libvirt's schema first when asked: uses
    nothing but the text (large_documents)."""
    if validate:
        validate_against_schema(text, "storagepool.rng", "pool")
    return parse_pool_xml(text)
