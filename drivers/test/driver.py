"""The test driver's connections and their procedure handlers.

Errors use libvirt's test driver codes, domains, messages and function names
(VIR_FROM_TEST, "unsupported flags (0x..) in function testDomainGetState", ...).
"""

from __future__ import annotations

import copy
import logging
import socket
import time
import uuid
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

from virtrio.drivers.base import ConnectionContext, DriverConnection, Event, EventSource, StreamReply
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import check_flags, internal_error, report

from . import snapshots, tuning
from . import volumes as volumes_module
from .formats import SYSINFO_XML, capabilities_xml, domain_xml, interface_xml, network_xml, pool_xml
from .parse import parse_domain_xml, parse_network_xml, parse_pool_xml
from .state import Domain, Interface, Network, Pool, TestState, default_state

log = logging.getLogger("virtrio.drivers.test")
FROM_TEST = api.VIR_FROM_TEST
SCREENSHOT_FILE = Path("/usr/share/libvirt/test-screenshot.png")
MAX_VCPUS = 32  # what the test hypervisor supports


class TestDriver:
    name = "test"

    def __init__(self, persistent_default: bool = False) -> None:
        self.persistent_default = persistent_default
        self.default: TestState | None = None

    def accepts(self, uri: str) -> bool:
        return urlsplit(uri).scheme == "test"

    def open(self, context: ConnectionContext) -> TestConnection:
        path = urlsplit(context.uri).path
        if path in ("", "/"):
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "testOpen: supply a path or use test:///default")
        if path != "/default":
            raise report(api.VIR_ERR_NO_SUPPORT, FROM_TEST, "test:///path node files are not supported yet")
        if self.default is None:
            self.default = default_state()
        self.default.connections += 1
        return TestConnection(context, self, self.default)

    def release(self, state: TestState) -> None:
        state.connections -= 1
        # libvirtd resets test:///default when its last connection closes.
        if state is self.default and state.connections == 0 and not self.persistent_default:
            self.default = None


def _nonnull_domain(domain: Domain) -> remote.remote_nonnull_domain:
    return remote.remote_nonnull_domain(domain.name, domain.uuid, domain.id)


class TestConnection(DriverConnection):
    def __init__(self, context: ConnectionContext, driver: TestDriver, state: TestState) -> None:
        super().__init__(context)
        self.driver = driver
        self.state = state
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.driver.release(self.state)

    def events(self) -> EventSource:
        return self.state.events

    # ------------------------------------------------------------------ lookups
    def _domain(self, ref: remote.remote_nonnull_domain) -> Domain:
        domain = self.state.domain_by_uuid(ref.uuid)
        if domain is None:
            detail = f"no domain with matching uuid '{uuid.UUID(bytes=ref.uuid)}' ({ref.name})"
            raise report(api.VIR_ERR_NO_DOMAIN, FROM_TEST, detail)
        return domain

    def _network(self, ref: remote.remote_nonnull_network) -> Network:
        network = next((n for n in self.state.networks.values() if n.uuid == ref.uuid), None)
        if network is None:
            raise report(api.VIR_ERR_NO_NETWORK, FROM_TEST, f"no network with matching name '{ref.name}'")
        return network

    def _pool(self, ref: remote.remote_nonnull_storage_pool) -> Pool:
        pool = next((p for p in self.state.pools.values() if p.uuid == ref.uuid), None)
        if pool is None:
            raise report(api.VIR_ERR_NO_STORAGE_POOL, FROM_TEST, f"no storage pool with matching name '{ref.name}'")
        return pool

    def _emit_lifecycle(self, domain: Domain, event: int, detail: int) -> None:
        message = (_nonnull_domain(domain), event, detail)
        self.state.events.emit(Event("domain", api.VIR_DOMAIN_EVENT_ID_LIFECYCLE, domain.uuid, message))

    # --------------------------------------------------------------- connection
    def connect_get_type(self) -> remote.remote_connect_get_type_ret:
        return remote.remote_connect_get_type_ret("TEST")

    def connect_get_version(self) -> remote.remote_connect_get_version_ret:
        return remote.remote_connect_get_version_ret(2)

    def connect_get_hostname(self) -> remote.remote_connect_get_hostname_ret:
        return remote.remote_connect_get_hostname_ret(host_name())

    def connect_get_max_vcpus(self, args: remote.remote_connect_get_max_vcpus_args):
        return remote.remote_connect_get_max_vcpus_ret(MAX_VCPUS)

    def connect_get_capabilities(self) -> remote.remote_connect_get_capabilities_ret:
        return remote.remote_connect_get_capabilities_ret(capabilities_xml(self.state.host))

    def connect_get_sysinfo(self, args: remote.remote_connect_get_sysinfo_args):
        check_flags(args.flags, 0, FROM_TEST, "testConnectGetSysinfo")
        return remote.remote_connect_get_sysinfo_ret(SYSINFO_XML)

    def connect_is_secure(self) -> remote.remote_connect_is_secure_ret:
        return remote.remote_connect_is_secure_ret(1)

    def connect_is_encrypted(self) -> remote.remote_connect_is_encrypted_ret:
        return remote.remote_connect_is_encrypted_ret(0)

    def connect_is_alive(self) -> remote.remote_connect_is_alive_ret:
        return remote.remote_connect_is_alive_ret(1)

    def node_get_info(self) -> remote.remote_node_get_info_ret:
        host = self.state.host
        model = list(host.model.encode()) + [0] * (32 - len(host.model))
        return remote.remote_node_get_info_ret(
            model, host.memory, host.cpus, host.mhz, host.nodes, host.sockets, host.cores, host.threads
        )

    def node_get_free_memory(self) -> remote.remote_node_get_free_memory_ret:
        return remote.remote_node_get_free_memory_ret(self.state.host.free_memory_kib * 1024)

    def node_get_cells_free_memory(self, args: remote.remote_node_get_cells_free_memory_args):
        cells = self.state.host.cell_free_kib
        if args.startCell < 0 or args.startCell >= len(cells):
            detail = f"Range exceeds available cells: {args.startCell} > {len(cells)}"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        chosen = cells[args.startCell : args.startCell + args.maxcells]
        return remote.remote_node_get_cells_free_memory_ret([kib * 1024 for kib in chosen])

    def node_get_security_model(self) -> remote.remote_node_get_security_model_ret:
        return remote.remote_node_get_security_model_ret(_c_chars("testSecurity"), _c_chars(""))

    # ------------------------------------------------------------------ domains
    def connect_list_all_domains(self, args: remote.remote_connect_list_all_domains_args):
        check_flags(args.flags, ALL_DOMAIN_LIST_FLAGS, FROM_TEST, "testConnectListAllDomains")
        domains = [d for d in self.state.domains.values() if _domain_matches(d, args.flags)]
        if args.need_results:
            return remote.remote_connect_list_all_domains_ret([_nonnull_domain(d) for d in domains], len(domains))
        return remote.remote_connect_list_all_domains_ret([], len(domains))

    def connect_num_of_domains(self) -> remote.remote_connect_num_of_domains_ret:
        return remote.remote_connect_num_of_domains_ret(sum(d.active for d in self.state.domains.values()))

    def domain_lookup_by_name(self, args: remote.remote_domain_lookup_by_name_args):
        domain = self.state.domains.get(args.name)
        if domain is None:
            raise report(api.VIR_ERR_NO_DOMAIN, FROM_TEST)
        return remote.remote_domain_lookup_by_name_ret(_nonnull_domain(domain))

    def domain_lookup_by_uuid(self, args: remote.remote_domain_lookup_by_uuid_args):
        domain = self.state.domain_by_uuid(args.uuid)
        if domain is None:
            raise report(api.VIR_ERR_NO_DOMAIN, FROM_TEST)
        return remote.remote_domain_lookup_by_uuid_ret(_nonnull_domain(domain))

    def domain_lookup_by_id(self, args: remote.remote_domain_lookup_by_id_args):
        domain = next((d for d in self.state.domains.values() if d.id == args.id and d.active), None)
        if domain is None:
            raise report(api.VIR_ERR_NO_DOMAIN, FROM_TEST)
        return remote.remote_domain_lookup_by_id_ret(_nonnull_domain(domain))

    def domain_get_info(self, args: remote.remote_domain_get_info_args) -> remote.remote_domain_get_info_ret:
        domain = self._domain(args.dom)
        cpu_time = time.time_ns() // 1000 * 1000
        return remote.remote_domain_get_info_ret(domain.state, domain.max_memory, domain.memory, domain.vcpus, cpu_time)

    def domain_get_state(self, args: remote.remote_domain_get_state_args) -> remote.remote_domain_get_state_ret:
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetState")
        domain = self._domain(args.dom)
        return remote.remote_domain_get_state_ret(domain.state, domain.reason)

    def domain_get_os_type(self, args: remote.remote_domain_get_os_type_args):
        self._domain(args.dom)
        return remote.remote_domain_get_os_type_ret("linux")

    def domain_get_max_memory(self, args: remote.remote_domain_get_max_memory_args):
        return remote.remote_domain_get_max_memory_ret(self._domain(args.dom).max_memory)

    def domain_is_active(self, args: remote.remote_domain_is_active_args):
        return remote.remote_domain_is_active_ret(int(self._domain(args.dom).active))

    def domain_is_persistent(self, args: remote.remote_domain_is_persistent_args):
        return remote.remote_domain_is_persistent_ret(int(self._domain(args.dom).persistent))

    def domain_get_autostart(self, args: remote.remote_domain_get_autostart_args):
        return remote.remote_domain_get_autostart_ret(int(self._domain(args.dom).autostart))

    def domain_set_autostart(self, args: remote.remote_domain_set_autostart_args) -> None:
        self._domain(args.dom).autostart = bool(args.autostart)

    def domain_has_managed_save_image(self, args: remote.remote_domain_has_managed_save_image_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainHasManagedSaveImage")
        self._domain(args.dom)
        return remote.remote_domain_has_managed_save_image_ret(0)

    def domain_get_security_label(self, args: remote.remote_domain_get_security_label_args):
        self._domain(args.dom)
        return remote.remote_domain_get_security_label_ret(_c_chars("libvirt-test"), 1)

    def domain_get_xml_desc(self, args: remote.remote_domain_get_xml_desc_args):
        allowed = api.VIR_DOMAIN_XML_SECURE | api.VIR_DOMAIN_XML_INACTIVE | api.VIR_DOMAIN_XML_UPDATE_CPU
        check_flags(args.flags, allowed | api.VIR_DOMAIN_XML_MIGRATABLE, FROM_TEST, "testDomainGetXMLDesc")
        inactive = bool(args.flags & api.VIR_DOMAIN_XML_INACTIVE)
        return remote.remote_domain_get_xml_desc_ret(domain_xml(self._domain(args.dom), inactive))

    def domain_suspend(self, args: remote.remote_domain_suspend_args) -> None:
        domain = self._domain(args.dom)
        if domain.state != api.VIR_DOMAIN_RUNNING:
            raise internal_error(FROM_TEST, f"domain '{domain.name}' not running")
        domain.state, domain.reason = api.VIR_DOMAIN_PAUSED, api.VIR_DOMAIN_PAUSED_USER
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_SUSPENDED, api.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED)

    def domain_resume(self, args: remote.remote_domain_resume_args) -> None:
        domain = self._domain(args.dom)
        if domain.state != api.VIR_DOMAIN_PAUSED:
            raise internal_error(FROM_TEST, f"domain '{domain.name}' not paused")
        domain.state, domain.reason = api.VIR_DOMAIN_RUNNING, api.VIR_DOMAIN_RUNNING_UNPAUSED
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_RESUMED, api.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED)

    def _check_active(self, domain: Domain) -> None:
        if not domain.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_DOMAIN, "domain is not running")

    def _stop(self, domain: Domain, reason: int, event_detail: int) -> None:
        domain.id = -1
        domain.state, domain.reason = api.VIR_DOMAIN_SHUTOFF, reason
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_STOPPED, event_detail)

    def domain_destroy(self, args: remote.remote_domain_destroy_args) -> None:
        domain = self._domain(args.dom)
        self._check_active(domain)
        self._stop(domain, api.VIR_DOMAIN_SHUTOFF_DESTROYED, api.VIR_DOMAIN_EVENT_STOPPED_DESTROYED)

    def domain_shutdown(self, args: remote.remote_domain_shutdown_args) -> None:
        self.domain_shutdown_flags(remote.remote_domain_shutdown_flags_args(args.dom, 0))

    def domain_shutdown_flags(self, args: remote.remote_domain_shutdown_flags_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testDomainShutdownFlags")
        domain = self._domain(args.dom)
        if domain.state != api.VIR_DOMAIN_RUNNING:
            raise internal_error(FROM_TEST, f"domain '{domain.name}' not running")
        self._stop(domain, api.VIR_DOMAIN_SHUTOFF_SHUTDOWN, api.VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN)

    def domain_set_memory_flags(self, args: remote.remote_domain_set_memory_flags_args) -> None:
        allowed = api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG | api.VIR_DOMAIN_MEM_MAXIMUM
        check_flags(args.flags, allowed, FROM_TEST, "testDomainSetMemoryFlags")
        domain = self._domain(args.dom)
        if args.flags & api.VIR_DOMAIN_MEM_MAXIMUM:
            if domain.active and args.flags & api.VIR_DOMAIN_AFFECT_LIVE:
                raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "cannot resize the maximum memory on an "
                             "active domain")  # fmt: skip
            domain.max_memory = args.memory
            domain.memory = min(domain.memory, args.memory)
            return
        if args.memory > domain.max_memory:
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "cannot set memory higher than max memory")
        domain.memory = args.memory

    def domain_set_memory(self, args: remote.remote_domain_set_memory_args) -> None:
        flags = api.VIR_DOMAIN_AFFECT_LIVE
        self.domain_set_memory_flags(remote.remote_domain_set_memory_flags_args(args.dom, args.memory, flags))

    def domain_set_max_memory(self, args: remote.remote_domain_set_max_memory_args) -> None:
        flags = api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_MEM_MAXIMUM
        self.domain_set_memory_flags(remote.remote_domain_set_memory_flags_args(args.dom, args.memory, flags))

    def domain_get_vcpus_flags(self, args: remote.remote_domain_get_vcpus_flags_args):
        allowed = (api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG | api.VIR_DOMAIN_VCPU_MAXIMUM
                   | api.VIR_DOMAIN_VCPU_GUEST)  # fmt: skip
        check_flags(args.flags, allowed, FROM_TEST, "testDomainGetVcpusFlags")
        domain = self._domain(args.dom)
        if args.flags & api.VIR_DOMAIN_AFFECT_LIVE and not domain.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_DOMAIN, "domain is not running")
        value = domain.max_vcpus if args.flags & api.VIR_DOMAIN_VCPU_MAXIMUM else domain.vcpus
        return remote.remote_domain_get_vcpus_flags_ret(value)

    def domain_get_max_vcpus(self, args: remote.remote_domain_get_max_vcpus_args):
        return remote.remote_domain_get_max_vcpus_ret(self._domain(args.dom).max_vcpus)

    def domain_set_vcpus_flags(self, args: remote.remote_domain_set_vcpus_flags_args) -> None:
        allowed = api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG | api.VIR_DOMAIN_VCPU_MAXIMUM
        check_flags(args.flags, allowed, FROM_TEST, "testDomainSetVcpusFlags")
        domain = self._domain(args.dom)
        if not args.nvcpus:
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "argument unsupported: nvcpus must be positive")
        if args.nvcpus > MAX_VCPUS:
            detail = f"requested cpu amount exceeds maximum supported amount ({args.nvcpus} > {MAX_VCPUS})"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        if args.nvcpus > domain.max_vcpus and not args.flags & api.VIR_DOMAIN_VCPU_MAXIMUM:
            detail = (f"requested cpu amount exceeds maximum supported amount ({args.nvcpus} > "
                      f"{domain.max_vcpus})")  # fmt: skip
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        if args.flags & api.VIR_DOMAIN_VCPU_MAXIMUM:
            domain.max_vcpus = args.nvcpus
            domain.vcpus = min(domain.vcpus, args.nvcpus)
        else:
            domain.vcpus = args.nvcpus

    def domain_set_vcpus(self, args: remote.remote_domain_set_vcpus_args) -> None:
        flags = api.VIR_DOMAIN_AFFECT_LIVE
        self.domain_set_vcpus_flags(remote.remote_domain_set_vcpus_flags_args(args.dom, args.nvcpus, flags))

    def domain_set_metadata(self, args: remote.remote_domain_set_metadata_args) -> None:
        check_flags(args.flags, api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG, FROM_TEST,
                    "testDomainSetMetadata")  # fmt: skip
        domain = self._domain(args.dom)
        if args.type == api.VIR_DOMAIN_METADATA_ELEMENT:
            if args.uri is None:
                raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, "missing namespace URI")
            if args.metadata is None:
                domain.metadata.pop(args.uri, None)
            else:
                domain.metadata[args.uri] = args.metadata
        elif args.type == api.VIR_DOMAIN_METADATA_TITLE:
            domain.title = args.metadata or None
        elif args.type == api.VIR_DOMAIN_METADATA_DESCRIPTION:
            domain.description = args.metadata or None
        else:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, f"unknown metadata type '{args.type}'")
        self.state.events.emit(Event("domain", api.VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, domain.uuid,
                                     (_nonnull_domain(domain), args.type, args.uri)))  # fmt: skip

    def domain_get_metadata(self, args: remote.remote_domain_get_metadata_args):
        check_flags(args.flags, api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG, FROM_TEST,
                    "testDomainGetMetadata")  # fmt: skip
        domain = self._domain(args.dom)
        if args.type == api.VIR_DOMAIN_METADATA_ELEMENT:
            value = domain.metadata.get(args.uri or "")
        elif args.type == api.VIR_DOMAIN_METADATA_TITLE:
            value = domain.title
        else:
            value = domain.description
        if value is None:
            raise report(api.VIR_ERR_NO_DOMAIN_METADATA, api.VIR_FROM_DOMAIN,
                         "Requested metadata element is not present")  # fmt: skip
        return remote.remote_domain_get_metadata_ret(value)

    # ------------------------------------------------------------ tuning, stats
    def domain_get_scheduler_type(self, args: remote.remote_domain_get_scheduler_type_args):
        self._domain(args.dom)
        return remote.remote_domain_get_scheduler_type_ret("fair", 1)

    def domain_get_scheduler_parameters(self, args: remote.remote_domain_get_scheduler_parameters_args):
        params, _ = tuning.limited(tuning.scheduler_parameters(self._domain(args.dom)), args.nparams)
        return remote.remote_domain_get_scheduler_parameters_ret(params)

    def domain_get_scheduler_parameters_flags(self, args: remote.remote_domain_get_scheduler_parameters_flags_args):
        check_flags(args.flags, api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG, FROM_TEST,
                    "testDomainGetSchedulerParametersFlags")  # fmt: skip
        params, _ = tuning.limited(tuning.scheduler_parameters(self._domain(args.dom)), args.nparams)
        return remote.remote_domain_get_scheduler_parameters_flags_ret(params)

    def domain_set_scheduler_parameters_flags(
        self, args: remote.remote_domain_set_scheduler_parameters_flags_args
    ) -> None:
        check_flags(args.flags, api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG, FROM_TEST,
                    "testDomainSetSchedulerParametersFlags")  # fmt: skip
        domain = self._domain(args.dom)
        for param in args.params:
            if param.field == api.VIR_DOMAIN_SCHEDULER_WEIGHT and param.value.type == api.VIR_TYPED_PARAM_UINT:
                domain.scheduler_weight = param.value.value
            else:
                detail = f"parameter '{param.field}' not supported"
                raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)

    def domain_set_scheduler_parameters(self, args: remote.remote_domain_set_scheduler_parameters_args) -> None:
        self.domain_set_scheduler_parameters_flags(
            remote.remote_domain_set_scheduler_parameters_flags_args(args.dom, args.params, 0)
        )

    def domain_get_memory_parameters(self, args: remote.remote_domain_get_memory_parameters_args):
        tuning.check_tuning_flags(args.flags, "testDomainGetMemoryParameters")
        params, count = tuning.limited(tuning.memory_parameters(self._domain(args.dom)), args.nparams)
        return remote.remote_domain_get_memory_parameters_ret(params, count)

    def domain_get_blkio_parameters(self, args: remote.remote_domain_get_blkio_parameters_args):
        tuning.check_tuning_flags(args.flags, "testDomainGetBlkioParameters")
        params, count = tuning.limited(tuning.blkio_parameters(self._domain(args.dom)), args.nparams)
        return remote.remote_domain_get_blkio_parameters_ret(params, count)

    def domain_get_numa_parameters(self, args: remote.remote_domain_get_numa_parameters_args):
        tuning.check_tuning_flags(args.flags, "testDomainGetNumaParameters")
        params, count = tuning.limited(tuning.numa_parameters(self._domain(args.dom)), args.nparams)
        return remote.remote_domain_get_numa_parameters_ret(params, count)

    def connect_get_all_domain_stats(self, args: remote.remote_connect_get_all_domain_stats_args):
        domains = [self._domain(ref) for ref in args.doms] if args.doms else list(self.state.domains.values())
        list_flags = args.flags & ALL_DOMAIN_LIST_FLAGS
        # libvirt's test driver fills in only the state group.
        wanted_state = not args.stats or args.stats & api.VIR_DOMAIN_STATS_STATE
        records = [
            remote.remote_domain_stats_record(_nonnull_domain(d), tuning.state_stats(d) if wanted_state else [])
            for d in domains
            if args.doms or _domain_matches(d, list_flags)
        ]
        return remote.remote_connect_get_all_domain_stats_ret(records)

    def domain_get_block_info(self, args: remote.remote_domain_get_block_info_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetBlockInfo")
        domain = self._domain(args.dom)
        if not any(args.path in (disk.target, disk.source) for disk in domain.disks):
            detail = f"invalid path {args.path} not assigned to domain"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        return remote.remote_domain_get_block_info_ret(1099511627776, 1099506450432, 1099511627776)

    def domain_get_control_info(self, args: remote.remote_domain_get_control_info_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetControlInfo")
        self._check_active(self._domain(args.dom))
        return remote.remote_domain_get_control_info_ret(api.VIR_DOMAIN_CONTROL_OK, 0, 0)

    def domain_get_iothread_info(self, args: remote.remote_domain_get_iothread_info_args):
        self._domain(args.dom)
        return remote.remote_domain_get_iothread_info_ret([], 0)

    def domain_get_hostname(self, args: remote.remote_domain_get_hostname_args):
        self._check_active(self._domain(args.dom))
        return remote.remote_domain_get_hostname_ret("testhost")

    def domain_get_time(self, args: remote.remote_domain_get_time_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetTime")
        self._check_active(self._domain(args.dom))
        return remote.remote_domain_get_time_ret(627319920, 0)

    def domain_get_fsinfo(self, args: remote.remote_domain_get_fsinfo_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetFSInfo")
        self._check_active(self._domain(args.dom))
        filesystems = [remote.remote_domain_fsinfo("/", "vda1", "ext4", ["vda"]),
                       remote.remote_domain_fsinfo("/boot", "vda2", "ext4", ["vda"])]  # fmt: skip
        return remote.remote_domain_get_fsinfo_ret(filesystems, len(filesystems))

    def domain_block_stats(self, args: remote.remote_domain_block_stats_args):
        domain = self._domain(args.dom)
        self._check_active(domain)
        if not any(args.path in (disk.target, disk.source) for disk in domain.disks):
            detail = f"invalid path: {args.path}"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        # libvirt's test driver makes its counters up from the clock
        micros, seconds = time.time_ns() // 1000, int(time.time())
        return remote.remote_domain_block_stats_ret(micros // 10, micros // 20, micros // 30, micros // 40,
                                                    seconds // 2)  # fmt: skip

    def domain_interface_stats(self, args: remote.remote_domain_interface_stats_args):
        domain = self._domain(args.dom)
        self._check_active(domain)
        if args.device not in ("testnet0", domain.network_mac) or domain.network_mac is None:
            detail = f"invalid path, '{args.device}' is not a known interface"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        micros, seconds = time.time_ns() // 1000, int(time.time())
        return remote.remote_domain_interface_stats_ret(micros // 10, micros // 100, seconds, seconds // 2,
                                                        micros // 20, micros // 110, seconds, seconds // 4)  # fmt: skip

    def domain_interface_addresses(self, args: remote.remote_domain_interface_addresses_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainInterfaceAddresses")
        domain = self._domain(args.dom)
        self._check_active(domain)
        if domain.network_mac is None:
            return remote.remote_domain_interface_addresses_ret([])
        address = remote.remote_domain_ip_addr(api.VIR_IP_ADDR_TYPE_IPV4, "192.168.122.3", 24)
        interface = remote.remote_domain_interface("testnet0", domain.network_mac, [address])
        return remote.remote_domain_interface_addresses_ret([interface])

    def domain_get_disk_errors(self, args: remote.remote_domain_get_disk_errors_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetDiskErrors")
        domain = self._domain(args.dom)
        self._check_active(domain)
        errors = [remote.remote_domain_disk_error(disk.target, api.VIR_DOMAIN_DISK_ERROR_UNSPEC)
                  for disk in domain.disks]  # fmt: skip
        if not args.maxerrors:
            return remote.remote_domain_get_disk_errors_ret([], len(errors))
        return remote.remote_domain_get_disk_errors_ret(errors[: args.maxerrors], len(errors[: args.maxerrors]))

    def domain_memory_stats(self, args: remote.remote_domain_memory_stats_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainMemoryStats")
        domain = self._domain(args.dom)
        self._check_active(domain)
        values = [
            (api.VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON, domain.memory),
            (api.VIR_DOMAIN_MEMORY_STAT_SWAP_IN, 0),
            (api.VIR_DOMAIN_MEMORY_STAT_SWAP_OUT, 0),
            (api.VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT, 0),
            (api.VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT, 0),
            (api.VIR_DOMAIN_MEMORY_STAT_UNUSED, domain.memory // 2),
            (api.VIR_DOMAIN_MEMORY_STAT_AVAILABLE, domain.memory),
            (api.VIR_DOMAIN_MEMORY_STAT_USABLE, domain.memory // 2),
            (api.VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE, 627319920),
            (api.VIR_DOMAIN_MEMORY_STAT_DISK_CACHES, domain.memory // 8),
            (api.VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC, 0),
            (api.VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL, 0),
            (api.VIR_DOMAIN_MEMORY_STAT_RSS, domain.memory // 2),
        ]
        stats = [remote.remote_domain_memory_stat(tag, value) for tag, value in values][: args.maxStats]
        return remote.remote_domain_memory_stats_ret(stats)

    def domain_set_memory_stats_period(self, args: remote.remote_domain_set_memory_stats_period_args) -> None:
        allowed = api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG
        check_flags(args.flags, allowed, FROM_TEST, "testDomainSetMemoryStatsPeriod")
        self._domain(args.dom)

    # ------------------------------------------------------------ node devices
    def _node_device(self, name: str):
        device = self.state.node_devices.get(name)
        if device is None:
            raise report(api.VIR_ERR_NO_NODE_DEVICE, FROM_TEST, f"no node device with matching name '{name}'")
        return device

    def connect_list_all_node_devices(self, args: remote.remote_connect_list_all_node_devices_args):
        # libvirt's test driver rejects the flags virsh 9.0 sends; virtrio answers (a documented difference).
        wanted = args.flags & ~(api.VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE | api.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE)
        if args.flags & api.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE and not (
            args.flags & api.VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE
        ):
            devices = []
        else:
            flags = {"system": api.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM,
                     "scsi_host": api.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST,
                     "fc_host": api.VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST,
                     "vport_ops": api.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS}  # fmt: skip
            devices = [d for d in self.state.node_devices.values()
                       if not wanted or any(flags.get(cap, 0) & wanted for cap in d.caps)]  # fmt: skip
        refs = [remote.remote_nonnull_node_device(d.name) for d in devices] if args.need_results else []
        return remote.remote_connect_list_all_node_devices_ret(refs, len(devices))

    def node_num_of_devices(self, args: remote.remote_node_num_of_devices_args):
        check_flags(args.flags, 0, FROM_TEST, "testNodeNumOfDevices")
        devices = [d for d in self.state.node_devices.values() if args.cap is None or args.cap in d.caps]
        return remote.remote_node_num_of_devices_ret(len(devices))

    def node_list_devices(self, args: remote.remote_node_list_devices_args):
        check_flags(args.flags, 0, FROM_TEST, "testNodeListDevices")
        names = [d.name for d in self.state.node_devices.values() if args.cap is None or args.cap in d.caps]
        return remote.remote_node_list_devices_ret(names[: args.maxnames])

    def node_device_lookup_by_name(self, args: remote.remote_node_device_lookup_by_name_args):
        device = self._node_device(args.name)
        return remote.remote_node_device_lookup_by_name_ret(remote.remote_nonnull_node_device(device.name))

    def node_device_lookup_scsi_host_by_wwn(self, args: remote.remote_node_device_lookup_scsi_host_by_wwn_args):
        check_flags(args.flags, 0, FROM_TEST, "testNodeDeviceLookupSCSIHostByWWN")
        for device in self.state.node_devices.values():
            if device.wwnn == args.wwnn and device.wwpn == args.wwpn:
                ref = remote.remote_nonnull_node_device(device.name)
                return remote.remote_node_device_lookup_scsi_host_by_wwn_ret(ref)
        raise report(api.VIR_ERR_NO_NODE_DEVICE, FROM_TEST, None)

    def node_device_get_xml_desc(self, args: remote.remote_node_device_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_TEST, "testNodeDeviceGetXMLDesc")
        return remote.remote_node_device_get_xml_desc_ret(self._node_device(args.name).xml)

    def node_device_get_parent(self, args: remote.remote_node_device_get_parent_args):
        return remote.remote_node_device_get_parent_ret(self._node_device(args.name).parent)

    def node_device_num_of_caps(self, args: remote.remote_node_device_num_of_caps_args):
        return remote.remote_node_device_num_of_caps_ret(len(self._node_device(args.name).caps))

    def node_device_list_caps(self, args: remote.remote_node_device_list_caps_args):
        return remote.remote_node_device_list_caps_ret(list(self._node_device(args.name).caps)[: args.maxnames])

    def node_device_is_active(self, args: remote.remote_node_device_is_active_args):
        self._node_device(args.name)
        return remote.remote_node_device_is_active_ret(1)

    def node_device_is_persistent(self, args: remote.remote_node_device_is_persistent_args):
        self._node_device(args.name)
        return remote.remote_node_device_is_persistent_ret(1)

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
        domain, tree, snapshot = self._snapshot(args.snapshot)
        chosen = tree.select(args.flags, below=snapshot.name)
        refs = [self._snapshot_ref(domain, s.name) for s in chosen] if args.need_results else []
        return remote.remote_domain_snapshot_list_all_children_ret(refs, len(chosen))

    def domain_snapshot_num_children(self, args: remote.remote_domain_snapshot_num_children_args):
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
        checkpoint = snapshots.new_snapshot(domain, args.xml_desc, tree.current)
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

    def domain_reboot(self, args: remote.remote_domain_reboot_args) -> None:
        self._check_active(self._domain(args.dom))

    def domain_create(self, args: remote.remote_domain_create_args) -> None:
        domain = self._domain(args.dom)
        if domain.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "Domain is already running")
        self.state.start_domain(domain, api.VIR_DOMAIN_RUNNING_BOOTED)
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_STARTED, api.VIR_DOMAIN_EVENT_STARTED_BOOTED)

    def domain_create_with_flags(self, args: remote.remote_domain_create_with_flags_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainCreateWithFlags")
        self.domain_create(remote.remote_domain_create_args(args.dom))
        return remote.remote_domain_create_with_flags_ret(_nonnull_domain(self._domain(args.dom)))

    async def domain_screenshot(self, args: remote.remote_domain_screenshot_args) -> StreamReply:
        check_flags(args.flags, 0, FROM_TEST, "testDomainScreenshot")
        domain = self._domain(args.dom)
        self._check_active(domain)
        return StreamReply(remote.remote_domain_screenshot_ret("image/png"), screenshot_source())

    def _define(self, xml: str) -> tuple[Domain, bool]:
        """Add or update a persistent domain from XML; True when it was new."""
        parsed = parse_domain_xml(xml, self.state)
        existing = self.state.domains.get(parsed.name)
        if existing is not None:
            if existing.uuid != parsed.uuid:
                detail = f"domain '{parsed.name}' is already defined with uuid {existing.uuid_text}"
                raise report(api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_DOMAIN, detail)
            parsed.id, parsed.state, parsed.reason = existing.id, existing.state, existing.reason
            parsed.autostart = existing.autostart
        else:
            clash = self.state.domain_by_uuid(parsed.uuid)
            if clash is not None:
                detail = f"domain '{clash.name}' already exists with uuid {clash.uuid_text}"
                raise report(api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_DOMAIN, detail)
        self.state.add_domain(parsed)
        return parsed, existing is None

    def domain_define_xml(self, args: remote.remote_domain_define_xml_args):
        domain, new = self._define(args.xml)
        detail = api.VIR_DOMAIN_EVENT_DEFINED_ADDED if new else api.VIR_DOMAIN_EVENT_DEFINED_UPDATED
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_DEFINED, detail)
        return remote.remote_domain_define_xml_ret(_nonnull_domain(domain))

    def domain_define_xml_flags(self, args: remote.remote_domain_define_xml_flags_args):
        check_flags(args.flags, api.VIR_DOMAIN_DEFINE_VALIDATE, FROM_TEST, "testDomainDefineXMLFlags")
        ret = self.domain_define_xml(remote.remote_domain_define_xml_args(args.xml))
        return remote.remote_domain_define_xml_flags_ret(ret.dom)

    def domain_undefine(self, args: remote.remote_domain_undefine_args) -> None:
        self.domain_undefine_flags(remote.remote_domain_undefine_flags_args(args.dom, 0))

    def domain_undefine_flags(self, args: remote.remote_domain_undefine_flags_args) -> None:
        allowed = (
            api.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
            | api.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
            | api.VIR_DOMAIN_UNDEFINE_NVRAM
            | api.VIR_DOMAIN_UNDEFINE_KEEP_NVRAM
            | api.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA
        )
        check_flags(args.flags, allowed, FROM_TEST, "testDomainUndefineFlags")
        domain = self._domain(args.dom)
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_UNDEFINED, api.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED)
        if domain.active:
            domain.persistent = False  # a running domain lives on as a transient one
        else:
            self.state.remove_domain(domain)

    def connect_num_of_defined_domains(self) -> remote.remote_connect_num_of_defined_domains_ret:
        return remote.remote_connect_num_of_defined_domains_ret(sum(not d.active for d in self.state.domains.values()))

    def connect_list_defined_domains(self, args: remote.remote_connect_list_defined_domains_args):
        names = [d.name for d in self.state.domains.values() if not d.active][: args.maxnames]
        return remote.remote_connect_list_defined_domains_ret(names)

    def connect_list_domains(self, args: remote.remote_connect_list_domains_args):
        ids = sorted(d.id for d in self.state.domains.values() if d.active)[: args.maxids]
        return remote.remote_connect_list_domains_ret(ids)

    # ----------------------------------------------------------------- networks
    def connect_list_all_networks(self, args: remote.remote_connect_list_all_networks_args):
        check_flags(args.flags, (1 << 6) - 1, FROM_TEST, "testConnectListAllNetworks")
        networks = [
            n for n in self.state.networks.values()
            if _selected(args.flags, api.VIR_CONNECT_LIST_NETWORKS_INACTIVE, api.VIR_CONNECT_LIST_NETWORKS_ACTIVE,
                         api.VIR_CONNECT_LIST_NETWORKS_PERSISTENT, api.VIR_CONNECT_LIST_NETWORKS_TRANSIENT,
                         api.VIR_CONNECT_LIST_NETWORKS_AUTOSTART, api.VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART, n)
        ]  # fmt: skip
        refs = [remote.remote_nonnull_network(n.name, n.uuid) for n in networks] if args.need_results else []
        return remote.remote_connect_list_all_networks_ret(refs, len(networks))

    def network_lookup_by_name(self, args: remote.remote_network_lookup_by_name_args):
        network = self.state.networks.get(args.name)
        if network is None:
            raise report(api.VIR_ERR_NO_NETWORK, FROM_TEST, f"no network with matching name '{args.name}'")
        return remote.remote_network_lookup_by_name_ret(remote.remote_nonnull_network(network.name, network.uuid))

    def network_lookup_by_uuid(self, args: remote.remote_network_lookup_by_uuid_args):
        network = next((n for n in self.state.networks.values() if n.uuid == args.uuid), None)
        if network is None:
            detail = f"no network with matching uuid '{uuid.UUID(bytes=args.uuid)}'"
            raise report(api.VIR_ERR_NO_NETWORK, FROM_TEST, detail)
        return remote.remote_network_lookup_by_uuid_ret(remote.remote_nonnull_network(network.name, network.uuid))

    def network_set_autostart(self, args: remote.remote_network_set_autostart_args) -> None:
        self._network(args.net).autostart = bool(args.autostart)

    def network_get_xml_desc(self, args: remote.remote_network_get_xml_desc_args):
        check_flags(args.flags, api.VIR_NETWORK_XML_INACTIVE, FROM_TEST, "testNetworkGetXMLDesc")
        return remote.remote_network_get_xml_desc_ret(network_xml(self._network(args.net)))

    def network_get_autostart(self, args: remote.remote_network_get_autostart_args):
        return remote.remote_network_get_autostart_ret(int(self._network(args.net).autostart))

    def network_is_active(self, args: remote.remote_network_is_active_args):
        return remote.remote_network_is_active_ret(int(self._network(args.net).active))

    def network_is_persistent(self, args: remote.remote_network_is_persistent_args):
        return remote.remote_network_is_persistent_ret(int(self._network(args.net).persistent))

    def network_get_bridge_name(self, args: remote.remote_network_get_bridge_name_args):
        return remote.remote_network_get_bridge_name_ret(self._network(args.net).bridge)

    def network_create(self, args: remote.remote_network_create_args) -> None:
        network = self._network(args.net)
        if network.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, f"Network '{network.name}' is already running")
        network.active = True
        self._emit_network(network, api.VIR_NETWORK_EVENT_STARTED)

    def _new_network(self, xml: str) -> Network:
        network = parse_network_xml(xml)
        for existing in self.state.networks.values():
            if existing.name == network.name or existing.uuid == network.uuid:
                detail = f"network '{existing.name}' already exists with uuid {uuid.UUID(bytes=existing.uuid)}"
                raise report(api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_NETWORK, detail)
        self.state.networks[network.name] = network
        return network

    def network_define_xml(self, args: remote.remote_network_define_xml_args):
        network = self._new_network(args.xml)
        network.active = False
        self._emit_network(network, api.VIR_NETWORK_EVENT_DEFINED)
        return remote.remote_network_define_xml_ret(remote.remote_nonnull_network(network.name, network.uuid))

    def network_define_xml_flags(self, args: remote.remote_network_define_xml_flags_args):
        check_flags(args.flags, api.VIR_NETWORK_DEFINE_VALIDATE, FROM_TEST, "testNetworkDefineXMLFlags")
        ret = self.network_define_xml(remote.remote_network_define_xml_args(args.xml))
        return remote.remote_network_define_xml_flags_ret(ret.net)

    def network_create_xml(self, args: remote.remote_network_create_xml_args):
        network = self._new_network(args.xml)
        network.persistent = False
        self._emit_network(network, api.VIR_NETWORK_EVENT_STARTED)
        return remote.remote_network_create_xml_ret(remote.remote_nonnull_network(network.name, network.uuid))

    def network_undefine(self, args: remote.remote_network_undefine_args) -> None:
        network = self._network(args.net)
        if network.active:
            detail = f"Network '{network.name}' is still running"
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_NETWORK, detail)
        del self.state.networks[network.name]
        self._emit_network(network, api.VIR_NETWORK_EVENT_UNDEFINED)

    def _emit_network(self, network: Network, event: int) -> None:
        fields = (remote.remote_nonnull_network(network.name, network.uuid), event, 0)
        self.state.events.emit(Event("network", api.VIR_NETWORK_EVENT_ID_LIFECYCLE, network.uuid, fields))

    def network_destroy(self, args: remote.remote_network_destroy_args) -> None:
        network = self._network(args.net)
        if not network.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_NETWORK,
                         f"network '{network.name}' is not active")  # fmt: skip
        network.active = False
        self._emit_network(network, api.VIR_NETWORK_EVENT_STOPPED)
        if not network.persistent:  # a transient network is gone once stopped
            del self.state.networks[network.name]

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
        pool = next((p for p in self.state.pools.values() if p.uuid == args.uuid), None)
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
        check_flags(args.flags, api.VIR_STORAGE_XML_INACTIVE, FROM_TEST, "testStoragePoolGetXMLDesc")
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
        check_flags(args.flags, 0, FROM_TEST, "testStoragePoolDefineXML")
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
        check_flags(args.flags, 0, FROM_TEST, "testStorageVolCreateXML")
        pool = self._active_pool(args.pool)
        volume = volumes_module.parse_volume_xml(args.xml, pool.path)
        return remote.remote_storage_vol_create_xml_ret(self._add_volume(pool, volume))

    def storage_vol_create_xml_from(self, args: remote.remote_storage_vol_create_xml_from_args):
        check_flags(args.flags, 0, FROM_TEST, "testStorageVolCreateXMLFrom")
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

    # --------------------------------------------------------------- interfaces
    def connect_list_all_interfaces(self, args: remote.remote_connect_list_all_interfaces_args):
        check_flags(args.flags, 3, FROM_TEST, "testConnectListAllInterfaces")
        wanted = {api.VIR_CONNECT_LIST_INTERFACES_ACTIVE: True, api.VIR_CONNECT_LIST_INTERFACES_INACTIVE: False}
        states = {value for flag, value in wanted.items() if args.flags & flag} or {True, False}
        interfaces = [i for i in self.state.interfaces.values() if i.active in states]
        refs = [remote.remote_nonnull_interface(i.name, i.mac) for i in interfaces] if args.need_results else []
        return remote.remote_connect_list_all_interfaces_ret(refs, len(interfaces))

    def _interface(self, ref: remote.remote_nonnull_interface) -> Interface:
        interface = self.state.interfaces.get(ref.name)
        if interface is None:
            raise report(api.VIR_ERR_NO_INTERFACE, FROM_TEST, f"no interface with matching name '{ref.name}'")
        return interface

    def interface_lookup_by_name(self, args: remote.remote_interface_lookup_by_name_args):
        interface = self._interface(remote.remote_nonnull_interface(args.name, ""))
        ref = remote.remote_nonnull_interface(interface.name, interface.mac)
        return remote.remote_interface_lookup_by_name_ret(ref)

    def interface_lookup_by_mac_string(self, args: remote.remote_interface_lookup_by_mac_string_args):
        matches = [i for i in self.state.interfaces.values() if i.mac.lower() == args.mac.lower()]
        if not matches:
            detail = f"no interface with matching mac '{args.mac}'"
            raise report(api.VIR_ERR_NO_INTERFACE, FROM_TEST, detail)
        if len(matches) > 1:
            raise report(api.VIR_ERR_MULTIPLE_INTERFACES, FROM_TEST)
        ref = remote.remote_nonnull_interface(matches[0].name, matches[0].mac)
        return remote.remote_interface_lookup_by_mac_string_ret(ref)

    def interface_get_xml_desc(self, args: remote.remote_interface_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_TEST, "testInterfaceGetXMLDesc")
        return remote.remote_interface_get_xml_desc_ret(interface_xml(self._interface(args.iface)))

    def interface_is_active(self, args: remote.remote_interface_is_active_args):
        return remote.remote_interface_is_active_ret(int(self._interface(args.iface).active))

    def interface_create(self, args: remote.remote_interface_create_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testInterfaceCreate")
        interface = self._interface(args.iface)
        if interface.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST)
        interface.active = True

    def interface_destroy(self, args: remote.remote_interface_destroy_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testInterfaceDestroy")
        interface = self._interface(args.iface)
        if not interface.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST)
        interface.active = False

    def interface_undefine(self, args: remote.remote_interface_undefine_args) -> None:
        del self.state.interfaces[self._interface(args.iface).name]

    def connect_num_of_interfaces(self) -> remote.remote_connect_num_of_interfaces_ret:
        return remote.remote_connect_num_of_interfaces_ret(sum(i.active for i in self.state.interfaces.values()))

    def connect_list_interfaces(self, args: remote.remote_connect_list_interfaces_args):
        names = [i.name for i in self.state.interfaces.values() if i.active][: args.maxnames]
        return remote.remote_connect_list_interfaces_ret(names)

    def connect_num_of_defined_interfaces(self) -> remote.remote_connect_num_of_defined_interfaces_ret:
        inactive = sum(not i.active for i in self.state.interfaces.values())
        return remote.remote_connect_num_of_defined_interfaces_ret(inactive)

    def connect_list_defined_interfaces(self, args: remote.remote_connect_list_defined_interfaces_args):
        names = [i.name for i in self.state.interfaces.values() if not i.active][: args.maxnames]
        return remote.remote_connect_list_defined_interfaces_ret(names)

    def interface_change_begin(self, args: remote.remote_interface_change_begin_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testInterfaceChangeBegin")
        if self.state.interface_backup is not None:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "there is another transaction running.")
        self.state.interface_backup = copy.deepcopy(self.state.interfaces)

    def interface_change_commit(self, args: remote.remote_interface_change_commit_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testInterfaceChangeCommit")
        if self.state.interface_backup is None:
            detail = "no transaction running, nothing to be committed."
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, detail)
        self.state.interface_backup = None

    def interface_change_rollback(self, args: remote.remote_interface_change_rollback_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testInterfaceChangeRollback")
        if self.state.interface_backup is None:
            detail = "no transaction running, nothing to rollback."
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, detail)
        self.state.interfaces, self.state.interface_backup = self.state.interface_backup, None


ALL_DOMAIN_LIST_FLAGS = (1 << 14) - 1  # VIR_CONNECT_LIST_DOMAINS_ACTIVE .. _HAS_CHECKPOINT


def _selected(flags: int, inactive: int, active: int, persistent: int, transient: int, autostart: int,
              no_autostart: int, obj: Network | Pool) -> bool:  # fmt: skip
    """libvirt's list filters: within each group of flags, any set flag must match."""
    for yes, no, value in ((active, inactive, obj.active), (persistent, transient, obj.persistent),
                           (autostart, no_autostart, obj.autostart)):  # fmt: skip
        if flags & (yes | no) and not ((flags & yes and value) or (flags & no and not value)):
            return False
    return True


def _domain_matches(domain: Domain, flags: int) -> bool:
    groups = [
        (api.VIR_CONNECT_LIST_DOMAINS_ACTIVE, domain.active, api.VIR_CONNECT_LIST_DOMAINS_INACTIVE),
        (api.VIR_CONNECT_LIST_DOMAINS_PERSISTENT, domain.persistent, api.VIR_CONNECT_LIST_DOMAINS_TRANSIENT),
        (api.VIR_CONNECT_LIST_DOMAINS_AUTOSTART, domain.autostart, api.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART),
    ]
    for yes, value, no in groups:
        if flags & (yes | no) and not ((flags & yes and value) or (flags & no and not value)):
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
    return [b - 256 if b > 127 else b for b in text.encode()] + [0]


def host_name() -> str:
    """The host's name as libvirt's virGetHostname finds it."""
    name = socket.gethostname()
    if name.startswith("localhost") or "." in name:
        return name
    try:
        info = socket.getaddrinfo(name, None, flags=socket.AI_CANONNAME)
    except OSError:
        return name
    canonical = info[0][3] if info else ""
    if not canonical or canonical.startswith("localhost"):
        return name
    return canonical


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
