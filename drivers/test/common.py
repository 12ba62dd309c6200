"""What every group of the test driver's procedures shares: state, lookups, helpers.

Errors use libvirt's test driver codes, domains, messages and function names
(VIR_FROM_TEST, "unsupported flags (0x..) in function testDomainGetState", ...).
"""

from __future__ import annotations

import logging
import uuid
import zlib
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import Any

from virtrio.drivers.base import DriverConnection, Event, EventFamily
from virtrio.drivers.libvirt_rules import host_name  # noqa: F401  (the test driver's connectGetHostname)
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import invalid_argument, report

from .state import Domain, Network, Pool, TestState

log = logging.getLogger("virtrio.drivers.test")
FROM_TEST = api.VIR_FROM_TEST
LIVE, CONFIG = api.VIR_DOMAIN_AFFECT_LIVE, api.VIR_DOMAIN_AFFECT_CONFIG
SCREENSHOT_FILE = Path("/usr/share/libvirt/test-screenshot.png")
MAX_VCPUS = 32  # what the test hypervisor supports


def _nonnull_domain(domain: Domain) -> remote.remote_nonnull_domain:
    return remote.remote_nonnull_domain(domain.name, domain.uuid, domain.id)


class TestProcedures(DriverConnection):
    """The state a test connection works on, and the lookups every group of procedures uses."""

    state: TestState

    # ------------------------------------------------------------------ lookups
    def _domain(self, ref: remote.remote_nonnull_domain) -> Domain:
        domain = self.state.domain_by_uuid(ref.uuid)
        if domain is None:
            detail = f"no domain with matching uuid '{uuid.UUID(bytes=ref.uuid)}' ({ref.name})"
            raise report(api.VIR_ERR_NO_DOMAIN, FROM_TEST, detail)
        return domain

    # ------------------------------------------------------- which definition
    def _modification_impact(self, domain: Domain, flags: int) -> int:
        """virDomainObjUpdateModificationImpact: "current" made live or config, and checked."""
        if not flags & (LIVE | CONFIG):
            flags |= LIVE if domain.active else CONFIG
        if not domain.active and flags & LIVE:
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_DOMAIN, "domain is not running")
        if not domain.persistent and flags & CONFIG:
            raise report(
                api.VIR_ERR_OPERATION_INVALID,
                api.VIR_FROM_DOMAIN,
                "transient domains do not have any persistent config",
            )
        return flags

    def _live_and_persistent(self, domain: Domain, flags: int) -> tuple[Domain | None, Domain | None]:
        """virDomainObjGetDefs: the running definition and the persistent one, each only if
        flags name it (the domain itself when it is not running)."""
        flags = self._modification_impact(domain, flags)
        return (domain if flags & LIVE else None), (domain.persistent_definition if flags & CONFIG else None)

    def _one_of_definitions(self, domain: Domain, flags: int) -> tuple[Domain, bool]:
        """virDomainObjGetOneDefState: the definition flags name, and whether it is the live one."""
        if flags & LIVE and flags & CONFIG:
            detail = "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive"
            raise invalid_argument(api.VIR_FROM_DOMAIN, detail, "virDomainObjGetOneDefState")
        flags = self._modification_impact(domain, flags)
        if domain.active and flags & CONFIG:
            return domain.persistent_definition, False
        return domain, bool(flags & LIVE)

    def _network_with_uuid(self, network_uuid: bytes) -> Network | None:
        return next((n for n in self.state.networks.values() if n.uuid == network_uuid), None)

    def _pool_with_uuid(self, pool_uuid: bytes) -> Pool | None:
        return next((p for p in self.state.pools.values() if p.uuid == pool_uuid), None)

    def _network_by_uuid(self, raw: bytes) -> Network:
        """testNetworkObjFindByUUID: the calls that use it name the UUID when it is gone."""
        network = self._network_with_uuid(raw)
        if network is None:
            raise report(api.VIR_ERR_NO_NETWORK, FROM_TEST, f"no network with matching uuid '{uuid.UUID(bytes=raw)}'")
        return network

    def _pool_by_uuid(self, raw: bytes) -> Pool:
        """testStoragePoolObjFindByUUID: the calls that use it name the UUID when it is gone."""
        pool = self._pool_with_uuid(raw)
        if pool is None:
            detail = f"no storage pool with matching uuid '{uuid.UUID(bytes=raw)}'"
            raise report(api.VIR_ERR_NO_STORAGE_POOL, FROM_TEST, detail)
        return pool

    def _network(self, ref: remote.remote_nonnull_network) -> Network:
        """testNetworkObjFindByName: most network calls find the network by the reference's name
        (those that use its UUID: _network_by_uuid)."""
        return self._network_named(ref.name)

    def _network_named(self, name: str) -> Network:
        """testNetworkObjFindByName."""
        network = self.state.networks.get(name)
        if network is None:
            raise report(api.VIR_ERR_NO_NETWORK, FROM_TEST, f"no network with matching name '{name}'")
        return network

    def _pool(self, ref: remote.remote_nonnull_storage_pool) -> Pool:
        """testStoragePoolObjFindByName: most pool calls find the pool by the reference's name
        (those that use its UUID: _pool_by_uuid)."""
        pool = self.state.pools.get(ref.name)
        if pool is None:
            raise report(api.VIR_ERR_NO_STORAGE_POOL, FROM_TEST, f"no storage pool with matching name '{ref.name}'")
        return pool

    def _still_there(self, domain: Domain, ref: remote.remote_nonnull_domain) -> None:
        """After work in a worker thread: the domain must still be the one the call named (another
        client may have undefined it meanwhile; libvirtd's domain lock would have made it wait)."""
        if self.state.domain_by_uuid(domain.uuid) is not domain:
            self._domain(ref)  # the usual "no domain with matching uuid"
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_DOMAIN, "domain is not running")

    def _emit_lifecycle(self, domain: Domain, event: int, detail: int) -> None:
        if not self.state.events.listening:  # the common case: every define and undefine
            return
        message = (_nonnull_domain(domain), event, detail)
        self.state.events.emit(Event(EventFamily.DOMAIN, api.VIR_DOMAIN_EVENT_ID_LIFECYCLE, domain.uuid, message))


ALL_DOMAIN_LIST_FLAGS = (1 << 14) - 1  # VIR_CONNECT_LIST_DOMAINS_ACTIVE .. _HAS_CHECKPOINT


def flag_groups_match(flags: int, groups: Iterable[tuple[int, bool, int]]) -> bool:
    """libvirt's list filters: for each (yes flag, value, no flag) group with a flag set, one set flag must match."""
    return all(
        not flags & (yes | no) or bool(flags & yes and value) or bool(flags & no and not value)
        for yes, value, no in groups
    )


def _selected(
    flags: int,
    inactive: int,
    active: int,
    persistent: int,
    transient: int,
    autostart: int,
    no_autostart: int,
    obj: Network | Pool,
) -> bool:
    groups = (
        (active, obj.active, inactive),
        (persistent, obj.persistent, transient),
        (autostart, obj.autostart, no_autostart),
    )
    return flag_groups_match(flags, groups)


def _domain_matches(domain: Domain, flags: int, has_snapshot: bool = False, has_checkpoint: bool = False) -> bool:
    """libvirt's listAllDomains filters: within each group of flags, any set flag must match."""
    groups = [
        (api.VIR_CONNECT_LIST_DOMAINS_ACTIVE, domain.active, api.VIR_CONNECT_LIST_DOMAINS_INACTIVE),
        (api.VIR_CONNECT_LIST_DOMAINS_PERSISTENT, domain.persistent, api.VIR_CONNECT_LIST_DOMAINS_TRANSIENT),
        (api.VIR_CONNECT_LIST_DOMAINS_AUTOSTART, domain.autostart, api.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART),
        (api.VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT, has_snapshot, api.VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT),
        (api.VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT, has_checkpoint, api.VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT),
    ]
    if not flag_groups_match(flags, groups):
        return False
    states = {
        api.VIR_CONNECT_LIST_DOMAINS_RUNNING: domain.state == api.VIR_DOMAIN_RUNNING,
        api.VIR_CONNECT_LIST_DOMAINS_PAUSED: domain.state == api.VIR_DOMAIN_PAUSED,
        api.VIR_CONNECT_LIST_DOMAINS_SHUTOFF: domain.state == api.VIR_DOMAIN_SHUTOFF,
        api.VIR_CONNECT_LIST_DOMAINS_OTHER: domain.state
        not in (api.VIR_DOMAIN_RUNNING, api.VIR_DOMAIN_PAUSED, api.VIR_DOMAIN_SHUTOFF),
    }
    state_mask = sum(states)
    if flags & state_mask and not any(flags & bit and match for bit, match in states.items()):
        return False
    return not (flags & api.VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE)


def _c_chars(text: str) -> list[int]:
    """A C string as XDR char array content: its bytes and the terminating NUL."""
    return c_bytes(text.encode() + b"\0")


def c_bytes(raw: bytes) -> list[int]:
    """Bytes as XDR char array content (C's signed chars)."""
    return [b - 256 if b > 127 else b for b in raw]


def _generated_png(width: int = 64, height: int = 48) -> bytes:
    """A small PNG of our own, for machines without libvirt's test screenshot."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    rows = b"".join(
        b"\0" + b"".join(bytes((x * 4 % 256, y * 5 % 256, 160)) for x in range(width)) for y in range(height)
    )
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes((8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


async def screenshot_source() -> AsyncIterator[bytes]:
    """The screenshot libvirt's test driver sends (its PNG), or one of our own."""
    try:
        data = SCREENSHOT_FILE.read_bytes()
    except OSError:
        data = _generated_png()
    yield data


def check_name_and_uuid(kind: str, objects: Mapping[str, Any], name: str, uuid_bytes: bytes, error_domain: int) -> None:
    """The duplicate checks of virDomainObjListAdd, virNetworkObjAssignDef and
    virStoragePoolObjListAdd: an object given again with the same name and UUID may take the
    place of the first; the same UUID under another name, or the same name
    under another UUID, is refused."""
    for other in objects.values():
        if other.uuid == uuid_bytes and other.name != name:
            detail = f"{kind} '{other.name}' is already defined with uuid {uuid.UUID(bytes=other.uuid)}"
            raise report(api.VIR_ERR_OPERATION_FAILED, error_domain, detail)
    same_name = objects.get(name)
    if same_name is not None and same_name.uuid != uuid_bytes:
        detail = f"{kind} '{name}' already exists with uuid {uuid.UUID(bytes=same_name.uuid)}"
        raise report(api.VIR_ERR_OPERATION_FAILED, error_domain, detail)
