"""vCPU placement, host CPU statistics, reset, rename, and saving domains to files."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import TypeVar

from lxml import etree

from virtrio.drivers import public_api
from virtrio.drivers.base import Offload
from virtrio.drivers.libvirt_rules import as_c_int, canonical_path
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError, check_flags, no_support, report

from . import bitmaps, cpu_models, domain_vcpus, save_image, tuning
from . import definition_tuning as tune
from .common import FROM_TEST, TestProcedures
from .domain_tuning_procedures import validate_params
from .formats import domain_xml
from .large_definitions import children_with_tags, copy_in_thread, elements_later, format_later
from .parse import ARCHITECTURES, parse_domain_xml
from .state import Domain, TestState

T = TypeVar("T")
OFFLINE_VCPU = remote.remote_vcpu_info(0, 0, 0, 0)  # testDomainGetVcpus leaves it zero


def read_saved_definition(path: str, state: TestState) -> Domain:
    """The definition a save image holds (testDomainSaveImageOpen), for a worker thread."""
    return parse_domain_xml(save_image.read_image(path), state)


# what testDomainSetBlkioParameters accepts: the weight, and the per-device lists as strings
BLKIO_PARAMS = {
    api.VIR_DOMAIN_BLKIO_WEIGHT: api.VIR_TYPED_PARAM_UINT,
    api.VIR_DOMAIN_BLKIO_DEVICE_WEIGHT: api.VIR_TYPED_PARAM_STRING,
    api.VIR_DOMAIN_BLKIO_DEVICE_READ_IOPS: api.VIR_TYPED_PARAM_STRING,
    api.VIR_DOMAIN_BLKIO_DEVICE_WRITE_IOPS: api.VIR_TYPED_PARAM_STRING,
    api.VIR_DOMAIN_BLKIO_DEVICE_READ_BPS: api.VIR_TYPED_PARAM_STRING,
    api.VIR_DOMAIN_BLKIO_DEVICE_WRITE_BPS: api.VIR_TYPED_PARAM_STRING,
}

HOST_CPU_STATS = (
    (api.VIR_NODE_CPU_STATS_USER, 9797400000),
    (api.VIR_NODE_CPU_STATS_KERNEL, 34678723400000),
    (api.VIR_NODE_CPU_STATS_IDLE, 87264900000),
    (api.VIR_NODE_CPU_STATS_IOWAIT, 763600000),
)
# testNodeGetCPUMap's fixed answer, whatever host a node file describes: 8 CPUs, these online
NODE_CPU_MAP_CPUS = 8
ONLINE_CPUS = (0, 2, 4)


def last_cpu(mask: set[int] | range) -> int:
    """virBitmapLastSetBit: the highest CPU, -1 for none."""
    if isinstance(mask, range):
        return mask[-1] if mask else -1
    return max(mask, default=-1)


def _per_mask(masks: list[set[int] | range], make: Callable[[set[int] | range], T]) -> list[T]:
    """make(mask) for each mask, made once per mask object: the vCPUs that are not pinned share
    one (16,384 vCPUs, maps of 512 bytes: 100 ms of a getVcpus on the event loop, now a few)."""
    made: dict[int, T] = {}
    out = []
    for mask in masks:
        key = id(mask)
        value = made.get(key)
        if value is None:
            value = made[key] = make(mask)
        out.append(value)
    return out


# What a vCPU answer reads of a definition: <vcpu cpuset>, <vcpus> (the states), <cputune>'s pins
VCPU_ELEMENTS = ("vcpu", "vcpus", "cputune")
# An answer about more vCPUs than this, or read from more pins and states, is made in a worker
# thread: each vCPU costs a few µs of Python and each pin's cpuset a read (at 16,384 vCPUs and
# as many pins, ~20 to 95 ms), while freezing what it reads costs the event loop a few ms in C.
VCPUS_ON_LOOP = 256


def _answer_in_thread(definition: list[etree._Element], vcpus: int) -> bool:
    return vcpus > VCPUS_ON_LOOP or children_with_tags(definition, VCPU_ELEMENTS) > VCPUS_ON_LOOP


def _as_made(answer: T) -> T:
    return answer


def vcpu_masks(definition: list[etree._Element], max_vcpus: int, host_cpus: int, wanted: int) -> list[set[int] | range]:
    """The first vCPUs' host CPUs (as many as wanted, which the client's bounded buffer limits)
    as the test driver reads them: the pin, else the domain's <vcpu cpuset>, else every CPU of
    the host (VIR_NODEINFO_MAXCPUS), as a range: a node file may claim billions. Reads the
    definition only: a worker thread may call it."""
    default: set[int] | range | None = tune.default_cpumask(definition)
    if default is None:
        default = range(host_cpus)
    pins = tune.vcpu_pins(definition)
    return [pins.get(vcpu, default) for vcpu in range(min(max_vcpus, max(wanted, 0)))]


def _vcpus_answer(
    definition: list[etree._Element],
    *,
    max_vcpus: int,
    host_cpus: int,
    count: int,
    maxinfo: int,
    maplen: int,
    cpu_time: int,
) -> remote.remote_domain_get_vcpus_ret:
    """testDomainGetVcpus' answer, from the definition alone (a worker thread may make it)."""
    masks = vcpu_masks(definition, max_vcpus, host_cpus, count)
    # with per-vCPU states, testDomainGetVcpus leaves an offline vCPU's entry and map zero
    online = domain_vcpus.online_ids(definition, count) or [True] * len(masks)
    highest = _per_mask(masks, last_cpu)
    info = [
        remote.remote_vcpu_info(i, api.VIR_VCPU_RUNNING, cpu_time, last) if up else remote.remote_vcpu_info(0, 0, 0, 0)
        for i, (last, up) in enumerate(zip(highest, online, strict=True))
    ]
    offline = bytes(maplen)
    maps = _per_mask(masks, lambda mask: bitmaps.bitmap_bytes(mask, maplen))
    cpumaps = b"".join(bytes_ if up else offline for bytes_, up in zip(maps, online, strict=True))
    # libvirtd sends the whole buffer it allocated: maxinfo maps, zeros past the vCPUs.
    cpumaps += bytes(max(maxinfo * maplen - len(cpumaps), 0))
    return remote.remote_domain_get_vcpus_ret(info, cpumaps)


def _pin_info_answer(
    definition: list[etree._Element], *, max_vcpus: int, host_cpus: int, ncpumaps: int, maplen: int
) -> remote.remote_domain_get_vcpu_pin_info_ret:
    """testDomainGetVcpuPinInfo's answer, from the definition alone (a worker thread may make it)."""
    masks = vcpu_masks(definition, max_vcpus, host_cpus, ncpumaps)
    cpumaps = b"".join(_per_mask(masks, lambda mask: bitmaps.bitmap_bytes(mask, maplen)))
    # libvirtd sends the whole buffer it allocated: ncpumaps maps, zeros past the vCPUs.
    cpumaps += bytes(max(ncpumaps * maplen - len(cpumaps), 0))
    return remote.remote_domain_get_vcpu_pin_info_ret(cpumaps, len(masks))


class VcpuAndSaveProcedures(TestProcedures):
    def node_alloc_pages(self, args: remote.remote_node_alloc_pages_args):
        # not in libvirt's test driver either; the public API's checks answer first
        public_api.non_zero(len(args.pageSizes), "npages", "virNodeAllocPages")
        public_api.non_zero(args.cellCount, "cellCount", "virNodeAllocPages")
        raise no_support(api.VIR_FROM_DOMAIN, "virNodeAllocPages")

    def node_set_memory_parameters(self, args: remote.remote_node_set_memory_parameters_args) -> None:
        public_api.set_parameters(args.params, "virNodeSetMemoryParameters")
        raise no_support(api.VIR_FROM_DOMAIN, "virNodeSetMemoryParameters")

    def node_get_memory_stats(self, args: remote.remote_node_get_memory_stats_args):
        # libvirt's test driver has none, but the public API's checks answer first
        public_api.non_negative(args.nparams, "*nparams", "virNodeGetMemoryStats")
        public_api.negative_only_all(args.cellNum, "cpuNum", "cellNum", "virNodeGetMemoryStats")
        raise no_support(api.VIR_FROM_DOMAIN, "virNodeGetMemoryStats")

    def node_get_cpu_stats(self, args: remote.remote_node_get_cpu_stats_args):
        public_api.non_negative(args.nparams, "*nparams", "virNodeGetCPUStats")
        public_api.negative_only_all(args.cpuNum, "cpuNum", "cpuNum", "virNodeGetCPUStats")
        check_flags(args.flags, 0, FROM_TEST, "testNodeGetCPUStats")
        params = [remote.remote_node_get_cpu_stats(field, value) for field, value in HOST_CPU_STATS]
        if args.nparams == 0:
            return remote.remote_node_get_cpu_stats_ret([], len(params))
        return remote.remote_node_get_cpu_stats_ret(params[: args.nparams], min(args.nparams, len(params)))

    def node_get_cpu_map(self, args: remote.remote_node_get_cpu_map_args):
        check_flags(args.flags, 0, FROM_TEST, "testNodeGetCPUMap")
        cpumap = bytes((sum(1 << cpu for cpu in ONLINE_CPUS),)) if args.need_map else b""
        online = len(ONLINE_CPUS) if args.need_online else 0
        return remote.remote_node_get_cpu_map_ret(cpumap, online, NODE_CPU_MAP_CPUS)

    def connect_get_cpu_model_names(self, args: remote.remote_connect_get_cpu_model_names_args):
        check_flags(args.flags, 0, FROM_TEST, "testConnectGetCPUModelNames")
        from . import cpu_baseline  # (on first use: its tables cost every cold start otherwise)

        if args.arch not in ARCHITECTURES:  # virArchFromString
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, f"cannot find architecture {args.arch}")
        driver = cpu_baseline.DRIVERS.get(args.arch)  # virCPUGetModels: the arch's CPU driver
        if driver is None:
            detail = f"'{args.arch}' architecture is not supported by CPU driver"
            raise report(api.VIR_ERR_NO_SUPPORT, api.VIR_FROM_CPU, detail)
        # only the x86 and ppc64 drivers list models; the arm and s390 ones answer none
        names = cpu_models.model_names(args.arch) if driver in cpu_models.LISTING_DRIVERS else ()
        if names is None:
            raise report(
                api.VIR_ERR_INVALID_ARG, api.VIR_FROM_CPU, f"cannot find CPU models for architecture '{args.arch}'"
            )
        return remote.remote_connect_get_cpu_model_names_ret(list(names) if args.need_results else [], len(names))

    def domain_get_vcpus(self, args: remote.remote_domain_get_vcpus_args):
        public_api.non_null(args.maxinfo != 0, "info", "virDomainGetVcpus")
        public_api.positive(args.maxinfo, "maxinfo", "virDomainGetVcpus")
        domain = self._domain(args.dom)
        if not domain.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "cannot list vcpus for an inactive domain")
        cpu_time = time.time_ns() // 10000  # libvirt's test driver derives it from the clock
        count = min(domain.vcpus, args.maxinfo)
        answer = functools.partial(
            _vcpus_answer,
            max_vcpus=domain.max_vcpus,
            host_cpus=self.state.host.max_cpus,
            count=count,
            maxinfo=args.maxinfo,
            maplen=args.maplen,
            cpu_time=cpu_time,
        )
        if _answer_in_thread(domain.definition, count):
            read = elements_later(domain.definition, VCPU_ELEMENTS)
            return Offload(lambda: answer(read()), _as_made, reply_in_thread=True)
        return answer(domain.definition)

    def domain_get_vcpu_pin_info(self, args: remote.remote_domain_get_vcpu_pin_info_args):
        # the dispatcher's buffer is ncpumaps * maplen bytes: NULL when that is 0
        buffer = args.ncpumaps * args.maplen != 0
        public_api.non_null(buffer or args.ncpumaps <= 0, "cpumaps", "virDomainGetVcpuPinInfo")
        public_api.positive(args.ncpumaps, "ncpumaps", "virDomainGetVcpuPinInfo")
        public_api.positive(args.maplen, "maplen", "virDomainGetVcpuPinInfo")
        # testDomainGetVcpuPinInfo checks no flags: bits beyond live and config pick the current definition
        chosen, _ = self._one_of_definitions(self._domain(args.dom), args.flags)
        answer = functools.partial(
            _pin_info_answer,
            max_vcpus=chosen.max_vcpus,
            host_cpus=self.state.host.max_cpus,
            ncpumaps=args.ncpumaps,
            maplen=args.maplen,
        )
        if _answer_in_thread(chosen.definition, min(chosen.max_vcpus, args.ncpumaps)):
            read = elements_later(chosen.definition, VCPU_ELEMENTS)
            return Offload(lambda: answer(read()), _as_made, reply_in_thread=True)
        return answer(chosen.definition)

    def domain_pin_vcpu_flags(self, args: remote.remote_domain_pin_vcpu_flags_args) -> None:
        public_api.cpumap(args.cpumap, "virDomainPinVcpuFlags")
        # libvirt's test driver takes no flags here (not even AFFECT_LIVE) and pins live vCPUs only
        check_flags(args.flags, 0, FROM_TEST, "testDomainPinVcpuFlags")
        domain = self._domain(args.dom)
        if not domain.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "cannot pin vcpus on an inactive domain")
        if not domain_vcpus.is_online(domain.definition, args.vcpu, domain.vcpus):
            detail = f"requested vcpu '{as_c_int(args.vcpu)}' is not present in the domain"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        tune.set_vcpu_pin(domain.definition, args.vcpu, bitmaps.bitmap_from_bytes(args.cpumap))

    def domain_pin_vcpu(self, args: remote.remote_domain_pin_vcpu_args) -> None:
        public_api.cpumap(args.cpumap, "virDomainPinVcpu")
        self.domain_pin_vcpu_flags(remote.remote_domain_pin_vcpu_flags_args(args.dom, args.vcpu, args.cpumap, 0))

    def domain_set_blkio_parameters(self, args: remote.remote_domain_set_blkio_parameters_args) -> None:
        public_api.set_parameters(args.params, "virDomainSetBlkioParameters")
        tuning.check_tuning_flags(args.flags, "testDomainSetBlkioParameters")
        # libvirt's virTypedParamsValidate, before the domain is looked up (a string weight was
        # kept and then broke every read of the parameters)
        validate_params(args.params, BLKIO_PARAMS)
        chosen, _ = self._one_of_definitions(self._domain(args.dom), args.flags)
        current = tune.blkio(chosen.definition)
        failure = None
        for param in args.params:
            if param.field == api.VIR_DOMAIN_BLKIO_WEIGHT:
                current.weight = param.value.value
                continue
            try:
                parsed = tune.parse_blkio_devices(param.value.value, param.field)
            except LibvirtError as error:  # libvirt goes on with the other parameters
                failure = error
                continue
            tune.merge_blkio_devices(current, parsed, param.field)
        tune.store_blkio(chosen.definition, current)
        if failure is not None:  # what was valid is kept, and the call fails
            raise failure

    def domain_set_memory_parameters(self, args: remote.remote_domain_set_memory_parameters_args) -> None:
        public_api.set_parameters(args.params, "virDomainSetMemoryParameters")
        tuning.check_tuning_flags(args.flags, "testDomainSetMemoryParameters")
        validate_params(args.params, dict.fromkeys(tuning.MEMORY_LIMITS, api.VIR_TYPED_PARAM_ULLONG))
        domain = self._domain(args.dom)
        chosen, _ = self._one_of_definitions(domain, args.flags)
        given = {param.field: param.value.value for param in args.params}
        if api.VIR_DOMAIN_MEMORY_HARD_LIMIT in given or api.VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT in given:
            # checked against the running definition's limits, whichever definition changes
            current = tune.memory_limits(domain.definition)
            hard = given.get(api.VIR_DOMAIN_MEMORY_HARD_LIMIT, current[api.VIR_DOMAIN_MEMORY_HARD_LIMIT])
            swap = given.get(api.VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT, current[api.VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT])
            if hard > swap:
                detail = "memory hard_limit tunable value must be lower than or equal to swap_hard_limit"
                raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        tune.set_memory_limits(chosen.definition, {**tune.memory_limits(chosen.definition), **given})

    def domain_reset(self, args: remote.remote_domain_reset_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testDomainReset")
        self._check_active(self._domain(args.dom))

    def domain_rename(self, args: remote.remote_domain_rename_args):
        # (new_name's check is the API's, made by the server: server/api_checks.py)
        check_flags(args.flags, 0, FROM_TEST, "testDomainRename")
        domain = self._domain(args.dom)
        if domain.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "cannot rename active domain")
        if not domain.persistent:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "cannot rename a transient domain")
        # virDomainObjListRename's checks (from the domain module), then its callback's
        if args.new_name == domain.name:
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_DOMAIN, "Can't rename domain to itself")
        if args.new_name in self.state.domains:
            detail = f"domain with name '{args.new_name}' already exists"
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_DOMAIN, detail)
        if "/" in args.new_name:
            raise report(api.VIR_ERR_XML_ERROR, FROM_TEST, f"name {args.new_name} cannot contain '/'")
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_UNDEFINED, api.VIR_DOMAIN_EVENT_UNDEFINED_RENAMED)
        self.state.rename_domain(domain, args.new_name)
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_DEFINED, api.VIR_DOMAIN_EVENT_DEFINED_RENAMED)
        return remote.remote_domain_rename_ret(0)

    # ---------------------------------------------------------------- saving
    def _save_state(self, domain: Domain) -> None:
        self._check_active(domain)
        self._stop(domain, api.VIR_DOMAIN_SHUTOFF_SAVED, api.VIR_DOMAIN_EVENT_STOPPED_SAVED)

    def domain_managed_save(self, args: remote.remote_domain_managed_save_args) -> None:
        allowed = api.VIR_DOMAIN_SAVE_BYPASS_CACHE | api.VIR_DOMAIN_SAVE_RUNNING | api.VIR_DOMAIN_SAVE_PAUSED
        check_flags(args.flags, allowed, FROM_TEST, "testDomainManagedSave")
        domain = self._domain(args.dom)
        if not domain.persistent:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "cannot do managed save for transient domain")
        self._save_state(domain)
        domain.managed_save = True

    def domain_managed_save_remove(self, args: remote.remote_domain_managed_save_remove_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testDomainManagedSaveRemove")
        self._domain(args.dom).managed_save = False

    def domain_save_flags(self, args: remote.remote_domain_save_flags_args) -> Offload:
        check_flags(args.flags, 0, FROM_TEST, "testDomainSaveFlags")
        if args.dxml is not None:
            raise report(api.VIR_ERR_ARGUMENT_UNSUPPORTED, FROM_TEST, "xml modification unsupported")
        domain = self._domain(args.dom)
        self._check_active(domain)
        to = canonical_path(args.to)

        def saved(_: None) -> None:
            self._still_there(domain, args.dom)
            self._save_state(domain)
            if not domain.persistent:
                self.state.remove_domain(domain)

        # a file the client names (a FIFO, a slow mount) can block its open and writes: written
        # in a worker thread, the running definition as libvirt saves it; the stop after it
        if copy_in_thread(domain.definition):  # a large definition written there too
            text = format_later(domain, False, True)
            return Offload(lambda: save_image.write_image(to, domain.name, text()), saved)
        write = functools.partial(save_image.write_image, to, domain.name, domain_xml(domain))
        return Offload(write, saved)

    def domain_save(self, args: remote.remote_domain_save_args) -> Offload:
        return self.domain_save_flags(remote.remote_domain_save_flags_args(args.dom, args.to, None, 0))

    def domain_restore_flags(self, args: remote.remote_domain_restore_flags_args) -> Offload:
        check_flags(args.flags, 0, FROM_TEST, "testDomainRestoreFlags")
        if args.dxml is not None:
            raise report(api.VIR_ERR_ARGUMENT_UNSUPPORTED, FROM_TEST, "xml modification unsupported")
        # a file the client names (a FIFO, a slow mount) can block its open and reads: read
        # and parsed in a worker thread, never on the event loop
        return Offload(functools.partial(read_saved_definition, canonical_path(args.from_), self.state), self._restore)

    def _restore(self, saved: Domain) -> None:
        existing = self.state.domain_by_uuid(saved.uuid)
        if existing is not None and existing.name != saved.name:
            detail = f"domain '{existing.name}' is already defined with uuid {existing.uuid_text}"
            raise report(api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_DOMAIN, detail)
        if existing is None and saved.name in self.state.domains:
            detail = f"domain '{saved.name}' already exists with uuid {self.state.domains[saved.name].uuid_text}"
            raise report(api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_DOMAIN, detail)
        if existing is not None and existing.active:
            detail = f"domain '{existing.name}' is already active"
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_DOMAIN, detail)
        saved.persistent = False
        if existing is not None:  # the image's definition runs; the persistent one returns at the stop
            saved.keep_object_state(existing)
            saved.persistent = existing.persistent
            saved.next = existing if existing.persistent else None
        self.state.add_domain(saved)
        self.state.start_domain(saved, api.VIR_DOMAIN_RUNNING_RESTORED)
        self._emit_lifecycle(saved, api.VIR_DOMAIN_EVENT_STARTED, api.VIR_DOMAIN_EVENT_STARTED_RESTORED)

    def domain_restore(self, args: remote.remote_domain_restore_args) -> Offload:
        return self.domain_restore_flags(remote.remote_domain_restore_flags_args(args.from_, None, 0))
