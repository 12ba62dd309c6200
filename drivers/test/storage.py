"""Storage pool and volume procedures of the test driver."""

from __future__ import annotations

import uuid

from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import check_flags, report

from . import volumes as volumes_module
from .common import (
    FROM_TEST,
    TestProcedures,
    _selected,
)
from .formats import pool_xml
from .parse import parse_pool_xml, validate_against_schema
from .state import Pool


class StorageProcedures(TestProcedures):
    # -------------------------------------------------------------------- pools
    def connect_list_all_storage_pools(self, args: remote.remote_connect_list_all_storage_pools_args):
        check_flags(args.flags, (1 << 20) - 1, FROM_TEST, "testConnectListAllStoragePools")
        type_flags = args.flags & ~((1 << 6) - 1)
        pools = [
            p for p in self.state.pools.values()
            if _selected(args.flags, api.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE,
                         api.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE, api.VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT,
                         api.VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT, api.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
                         api.VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART, p)
            and (not type_flags or type_flags & api.VIR_CONNECT_LIST_STORAGE_POOLS_DIR)
        ]  # fmt: skip
        refs = [remote.remote_nonnull_storage_pool(p.name, p.uuid) for p in pools] if args.need_results else []
        return remote.remote_connect_list_all_storage_pools_ret(refs, len(pools))

    def storage_pool_lookup_by_name(self, args: remote.remote_storage_pool_lookup_by_name_args):
        pool = self.state.pools.get(args.name)
        if pool is None:
            raise report(api.VIR_ERR_NO_STORAGE_POOL, FROM_TEST, f"no storage pool with matching name '{args.name}'")
        return remote.remote_storage_pool_lookup_by_name_ret(remote.remote_nonnull_storage_pool(pool.name, pool.uuid))

    def storage_pool_lookup_by_uuid(self, args: remote.remote_storage_pool_lookup_by_uuid_args):
        pool = self._pool_with_uuid(args.uuid)
        if pool is None:
            detail = f"no storage pool with matching uuid '{uuid.UUID(bytes=args.uuid)}'"
            raise report(api.VIR_ERR_NO_STORAGE_POOL, FROM_TEST, detail)
        return remote.remote_storage_pool_lookup_by_uuid_ret(remote.remote_nonnull_storage_pool(pool.name, pool.uuid))

    def storage_pool_set_autostart(self, args: remote.remote_storage_pool_set_autostart_args) -> None:
        self._pool(args.pool).autostart = bool(args.autostart)

    def storage_pool_get_info(self, args: remote.remote_storage_pool_get_info_args):
        pool = self._pool(args.pool)
        state = api.VIR_STORAGE_POOL_RUNNING if pool.active else api.VIR_STORAGE_POOL_INACTIVE
        return remote.remote_storage_pool_get_info_ret(state, pool.capacity, pool.allocation, pool.available)

    def storage_pool_get_xml_desc(self, args: remote.remote_storage_pool_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolGetXMLDesc")
        return remote.remote_storage_pool_get_xml_desc_ret(pool_xml(self._pool(args.pool)))

    def storage_pool_get_autostart(self, args: remote.remote_storage_pool_get_autostart_args):
        return remote.remote_storage_pool_get_autostart_ret(int(self._pool(args.pool).autostart))

    def storage_pool_is_active(self, args: remote.remote_storage_pool_is_active_args):
        return remote.remote_storage_pool_is_active_ret(int(self._pool(args.pool).active))

    def storage_pool_is_persistent(self, args: remote.remote_storage_pool_is_persistent_args):
        return remote.remote_storage_pool_is_persistent_ret(int(self._pool(args.pool).persistent))

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

    def _listable_pool(self, ref: remote.remote_nonnull_storage_pool) -> Pool:
        pool = self._pool(ref)
        if not pool.active:  # libvirt's list calls leave the name out of this message
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "storage pool is not active")
        return pool

    def storage_pool_list_all_volumes(self, args: remote.remote_storage_pool_list_all_volumes_args):
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolListAllVolumes")
        pool = self._listable_pool(args.pool)
        volumes = sorted(pool.volumes.values(), key=lambda v: v.name)
        refs = [volumes_module.volume_ref(pool.name, v) for v in volumes] if args.need_results else []
        return remote.remote_storage_pool_list_all_volumes_ret(refs, len(volumes))

    def storage_pool_num_of_volumes(self, args: remote.remote_storage_pool_num_of_volumes_args):
        return remote.remote_storage_pool_num_of_volumes_ret(len(self._listable_pool(args.pool).volumes))

    def storage_pool_list_volumes(self, args: remote.remote_storage_pool_list_volumes_args):
        names = sorted(self._listable_pool(args.pool).volumes)[: args.maxnames]
        return remote.remote_storage_pool_list_volumes_ret(names)

    def storage_pool_create(self, args: remote.remote_storage_pool_create_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolCreate")
        pool = self._pool(args.pool)
        if pool.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, f"storage pool '{pool.name}' is already active")
        pool.active = True

    def storage_pool_undefine(self, args: remote.remote_storage_pool_undefine_args) -> None:
        pool = self._pool(args.pool)
        if pool.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, f"storage pool '{pool.name}' is active")
        del self.state.pools[pool.name]

    def _new_pool(self, xml: str) -> Pool:
        pool = parse_pool_xml(xml)
        for existing in self.state.pools.values():
            if existing.name == pool.name or existing.uuid == pool.uuid:
                detail = f"pool '{existing.name}' already exists with uuid {uuid.UUID(bytes=existing.uuid)}"
                raise report(api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_STORAGE, detail)
        self.state.pools[pool.name] = pool
        return pool

    def storage_pool_define_xml(self, args: remote.remote_storage_pool_define_xml_args):
        check_flags(args.flags, api.VIR_STORAGE_POOL_DEFINE_VALIDATE, FROM_TEST, "testStoragePoolDefineXML")
        if args.flags & api.VIR_STORAGE_POOL_DEFINE_VALIDATE:
            validate_against_schema(args.xml, "storagepool.rng", "pool")
        pool = self._new_pool(args.xml)
        pool.active = False
        return remote.remote_storage_pool_define_xml_ret(remote.remote_nonnull_storage_pool(pool.name, pool.uuid))

    def storage_pool_create_xml(self, args: remote.remote_storage_pool_create_xml_args):
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolCreateXML")
        pool = self._new_pool(args.xml)
        pool.persistent = False
        return remote.remote_storage_pool_create_xml_ret(remote.remote_nonnull_storage_pool(pool.name, pool.uuid))

    def storage_pool_destroy(self, args: remote.remote_storage_pool_destroy_args) -> None:
        self._active_pool(args.pool).active = False

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
            raise report(api.VIR_ERR_OPERATION_FAILED, FROM_TEST, f"storage vol '{volume.name}' already exists")
        if pool.allocation + volume.allocation > pool.capacity:
            detail = f"Not enough free space in pool for volume '{volume.name}'"
            raise report(api.VIR_ERR_INTERNAL_ERROR, FROM_TEST, detail)
        pool.volumes[volume.name] = volume
        pool.allocation += volume.allocation
        pool.available = pool.capacity - pool.allocation
        return volumes_module.volume_ref(pool.name, volume)

    def storage_vol_create_xml(self, args: remote.remote_storage_vol_create_xml_args):
        check_flags(args.flags, api.VIR_STORAGE_VOL_CREATE_VALIDATE, FROM_TEST, "testStorageVolCreateXML")
        if args.flags & api.VIR_STORAGE_VOL_CREATE_VALIDATE:
            validate_against_schema(args.xml, "storagevol.rng", "volume")
        pool = self._active_pool(args.pool)
        volume = volumes_module.parse_volume_xml(args.xml, pool.path)
        return remote.remote_storage_vol_create_xml_ret(self._add_volume(pool, volume))

    def storage_vol_create_xml_from(self, args: remote.remote_storage_vol_create_xml_from_args):
        check_flags(args.flags, api.VIR_STORAGE_VOL_CREATE_VALIDATE, FROM_TEST, "testStorageVolCreateXMLFrom")
        if args.flags & api.VIR_STORAGE_VOL_CREATE_VALIDATE:
            validate_against_schema(args.xml, "storagevol.rng", "volume")
        pool = self._active_pool(args.pool)
        _, source = self._volume(args.clonevol)
        volume = volumes_module.parse_volume_xml(args.xml, pool.path)
        volume.allocation = source.allocation
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
                    if volume.path == path:
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
        _, volume = self._volume(args.vol)
        return remote.remote_storage_vol_get_info_ret(api.VIR_STORAGE_VOL_FILE, volume.capacity, volume.allocation)

    def storage_vol_get_info_flags(self, args: remote.remote_storage_vol_get_info_flags_args):
        check_flags(args.flags, api.VIR_STORAGE_VOL_GET_PHYSICAL, FROM_TEST, "testStorageVolGetInfoFlags")
        _, volume = self._volume(args.vol)
        return remote.remote_storage_vol_get_info_flags_ret(api.VIR_STORAGE_VOL_FILE, volume.capacity,
                                                            volume.allocation)  # fmt: skip

    def storage_vol_get_xml_desc(self, args: remote.remote_storage_vol_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_TEST, "testStorageVolGetXMLDesc")
        return remote.remote_storage_vol_get_xml_desc_ret(volumes_module.volume_xml(self._volume(args.vol)[1]))

    def storage_vol_get_path(self, args: remote.remote_storage_vol_get_path_args):
        return remote.remote_storage_vol_get_path_ret(self._volume(args.vol)[1].path)

    def storage_vol_delete(self, args: remote.remote_storage_vol_delete_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testStorageVolDelete")
        pool, volume = self._volume(args.vol)
        pool.allocation -= volume.allocation
        pool.available = pool.capacity - pool.allocation
        del pool.volumes[volume.name]

    def storage_pool_refresh(self, args: remote.remote_storage_pool_refresh_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolRefresh")
        self._pool(args.pool)
