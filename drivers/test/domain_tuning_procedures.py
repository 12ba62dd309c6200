"""Test driver: iothreads, pinning, tuning parameters, perf events, lifecycle actions.

Each procedure changes the definition libvirt's would: the live one (def) or the persistent
one (newDef while running), as VIR_DOMAIN_AFFECT_LIVE and _CONFIG choose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from virtrio.drivers import public_api
from virtrio.drivers.base import Offload
from virtrio.drivers.libvirt_rules import as_c_int
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError, cause_unknown, check_flags, invalid_argument, report, rpc_error

from . import bitmaps
from . import definition_tuning as tune
from .common import CONFIG, FROM_TEST, LIVE, TestProcedures, _domain_matches, _nonnull_domain
from .large_definitions import elements_later
from .state import Domain, IOThreadPolling
from .tuning import PERF_EVENTS, for_client, limited, state_stats, typed

STRING_OKAY = api.VIR_TYPED_PARAM_STRING_OKAY
TYPE_NAMES = ("unknown", "int", "uint", "llong", "ullong", "double", "boolean", "string")
BANDWIDTH = (
    (api.VIR_DOMAIN_BANDWIDTH_IN_AVERAGE, "inbound", "average"),
    (api.VIR_DOMAIN_BANDWIDTH_IN_PEAK, "inbound", "peak"),
    (api.VIR_DOMAIN_BANDWIDTH_IN_BURST, "inbound", "burst"),
    (api.VIR_DOMAIN_BANDWIDTH_IN_FLOOR, "inbound", "floor"),
    (api.VIR_DOMAIN_BANDWIDTH_OUT_AVERAGE, "outbound", "average"),
    (api.VIR_DOMAIN_BANDWIDTH_OUT_PEAK, "outbound", "peak"),
    (api.VIR_DOMAIN_BANDWIDTH_OUT_BURST, "outbound", "burst"),
)
BLOCK_IOTUNE_MAX = 1000000000000000
STATS_FILTERS = (
    api.VIR_CONNECT_LIST_DOMAINS_ACTIVE
    | api.VIR_CONNECT_LIST_DOMAINS_INACTIVE
    | api.VIR_CONNECT_LIST_DOMAINS_PERSISTENT
    | api.VIR_CONNECT_LIST_DOMAINS_TRANSIENT
    | api.VIR_CONNECT_LIST_DOMAINS_RUNNING
    | api.VIR_CONNECT_LIST_DOMAINS_PAUSED
    | api.VIR_CONNECT_LIST_DOMAINS_SHUTOFF
    | api.VIR_CONNECT_LIST_DOMAINS_OTHER
)
STATS_FLAGS = (
    STATS_FILTERS
    | api.VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT
    | api.VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING
    | api.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS
)
SUPPORTED_STATS = api.VIR_DOMAIN_STATS_STATE | api.VIR_DOMAIN_STATS_IOTHREAD

Definition = list[etree._Element]


def validate_params(params: list[remote.remote_typed_param], accepted: dict[str, int]) -> None:
    """virTypedParamsValidate: known names only, each once, each of its type."""
    ordered = sorted(params, key=lambda param: param.field.encode())
    keys = sorted(accepted, key=str.encode)
    i = j = 0
    last = None
    while i < len(ordered) and j < len(keys):
        param = ordered[i]
        if param.field != keys[j]:
            j += 1
            continue
        if param.field == last:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_NONE, f"parameter '{param.field}' occurs multiple times")
        if param.value.type != accepted[keys[j]]:
            kind = param.value.type
            bad = TYPE_NAMES[kind] if 0 <= kind < len(TYPE_NAMES) else TYPE_NAMES[0]
            detail = f"invalid type '{bad}' for parameter '{param.field}', expected '{TYPE_NAMES[accepted[keys[j]]]}'"
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_NONE, detail)
        last = param.field
        i += 1
    if j == len(keys) and i != len(ordered):
        detail = f"parameter '{ordered[i].field}' not supported"
        raise report(api.VIR_ERR_ARGUMENT_UNSUPPORTED, api.VIR_FROM_NONE, detail)


def _check_iothread_id(iothread_id: int) -> None:
    if iothread_id == 0:
        raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "invalid value of 0 for iothread_id")


# What an IOThread answer reads of a definition: <vcpu cpuset>, the IOThreads and their pins
IOTHREAD_ELEMENTS = ("vcpu", "iothreads", "iothreadids", "cputune")
# An answer about more IOThreads than this (or read from more elements) is made in a worker
# thread: each IOThread and each pin's cpuset costs a few µs of Python (at 16,384 pinned
# IOThreads, ~80 ms), while freezing what the answer reads costs the event loop a few ms in C.
IOTHREADS_ON_LOOP = 256
# Records, or typed parameters, of a getAllDomainStats answer the loop encodes itself (~1 µs
# each; at 16,384 records, ~40 ms): a larger answer is encoded in a worker thread.
STATS_ON_LOOP = 512


def _iothread_count(definition: Definition) -> int:
    """How many IOThreads tune.iothreads finds, counted without making them (in C)."""
    listed = tune.top(definition, "iothreadids")
    if listed is not None:
        return int(listed.xpath("count(iothread)"))
    count = tune.top(definition, "iothreads")
    return int(count.text) if count is not None else 0


def _has_iothread(definition: Definition, iothread_id: int) -> bool:
    """Whether tune.iothreads finds this id, found without making them (in C): a domain may
    have 65,536, made in ~50 ms."""
    listed = tune.top(definition, "iothreadids")
    if listed is None:  # all filled in by libvirt: 1..N
        return 1 <= iothread_id <= _iothread_count(definition)
    return bool(listed.xpath("iothread[number(@id) = $wanted]", wanted=iothread_id))


def _iothread_pin_count(definition: Definition) -> int:
    """How many <iothreadpin> the definition's <cputune> holds (counted in C: it may hold
    thousands of vCPU pins besides)."""
    cputune = tune.top(definition, "cputune")
    return int(cputune.xpath("count(iothreadpin)")) if cputune is not None else 0


def _iothread_info(definition: Definition, vcpus: int) -> remote.remote_domain_get_iothread_info_ret:
    """testDomainGetIOThreadInfo's answer, from the definition alone (a worker thread may make it)."""
    default = tune.default_cpumask(definition)
    if default is None:
        default = set(range(vcpus))
    info = []
    unpinned = bitmaps.bitmap_data(default)  # (made once: thousands of IOThreads share it)
    for thread in tune.iothreads(definition):
        cpus = bitmaps.bitmap_data(bitmaps.parse_bitmap(thread.cpuset)) if thread.cpuset is not None else unpinned
        info.append(remote.remote_domain_iothread_info(thread.id, cpus))
    return remote.remote_domain_get_iothread_info_ret(info, len(info))


def _stats_as_made(
    answer: remote.remote_connect_get_all_domain_stats_ret,
) -> remote.remote_connect_get_all_domain_stats_ret:
    return answer


def _as_made(answer: remote.remote_domain_get_iothread_info_ret) -> remote.remote_domain_get_iothread_info_ret:
    return answer


class DomainTuningProcedures(TestProcedures):
    # ------------------------------------------------------- which definition
    def _one_definition(self, domain: Domain, flags: int) -> tuple[Definition, bool]:
        """virDomainObjGetOneDefState, as the definition's elements."""
        chosen, live = self._one_of_definitions(domain, flags)
        return chosen.definition, live

    def _definitions(self, domain: Domain, flags: int) -> list[Definition]:
        """virDomainObjGetDefs: the live and/or persistent definitions flags name, as elements."""
        return [chosen.definition for chosen in self._live_and_persistent(domain, flags) if chosen is not None]

    def _vcpus_of(self, domain: Domain, definition: Definition) -> int:
        """virDomainDefGetVcpus of one of the domain's definitions."""
        if domain.active and definition is domain.definition:
            return domain.vcpus
        return domain.defined_vcpus

    # ------------------------------------------------------------- IOThreads
    def domain_get_iothread_info(self, args: remote.remote_domain_get_iothread_info_args):
        check_flags(args.flags, LIVE | CONFIG, FROM_TEST, "testDomainGetIOThreadInfo")
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        count = _iothread_count(definition)
        if count > remote.REMOTE_IOTHREAD_INFO_MAX:  # remoteDispatchDomainGetIOThreadInfo, before any map
            raise rpc_error(f"Too many IOThreads in info: {count} for limit {remote.REMOTE_IOTHREAD_INFO_MAX}")
        if count == 0:
            return remote.remote_domain_get_iothread_info_ret([], 0)
        vcpus = self._vcpus_of(domain, definition)
        if count + _iothread_pin_count(definition) > IOTHREADS_ON_LOOP:
            read = elements_later(definition, IOTHREAD_ELEMENTS)
            return Offload(lambda: _iothread_info(read(), vcpus), _as_made, reply_in_thread=True)
        return _iothread_info(definition, vcpus)

    def _iothreads(self, domain: Domain, flags: int) -> tuple[Definition, list[tune.IOThread]]:
        definition, _ = self._one_definition(domain, flags)
        return definition, tune.iothreads(definition)

    def _listing_autofilled(
        self,
        args: Any,
        definition: Definition,
        count: int,
        runs: list[tuple[range, bool]],
        finish: Callable[[], None],
        again: Callable[[], None] | None,
    ) -> Offload | None:
        """A change that lists the IOThreads libvirt had filled in (1..count): their
        <iothreadids> is made, in a worker thread past IOTHREADS_ON_LOOP (again: the call
        made on the loop, if the IOThreads changed meanwhile), then stored and finished."""

        def store(ids: etree._Element) -> None:
            tune.put_top(definition, ids)
            finish()

        if again is None or count <= IOTHREADS_ON_LOOP:
            store(tune.iothreadids_of(runs))
            return None

        def store_if_unchanged(ids: etree._Element) -> None:
            try:
                current, _ = self._one_definition(self._domain(args.dom), args.flags)
            except LibvirtError:
                current = None
            if current is not definition or tune.autofilled_count(definition) != count:
                again()
            else:
                store(ids)

        return Offload(lambda: tune.iothreadids_of(runs), store_if_unchanged)

    def domain_add_iothread(self, args: remote.remote_domain_add_iothread_args) -> Offload | None:
        return self._add_iothread(args, may_offload=True)

    def _add_iothread(self, args: remote.remote_domain_add_iothread_args, may_offload: bool) -> Offload | None:
        check_flags(args.flags, LIVE | CONFIG, FROM_TEST, "testDomainAddIOThread")
        _check_iothread_id(args.iothread_id)
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        if tune.has_iothread(definition, args.iothread_id):
            detail = f"an IOThread is already using iothread_id '{args.iothread_id}'"
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, detail)
        count = tune.autofilled_count(definition)
        polling = IOThreadPolling(args.iothread_id)
        if count is None:
            tune.add_listed_iothread(definition, args.iothread_id)
            domain.iothread_polling.append(polling)
            return None
        before = count

        def finish() -> None:
            tune.store_iothread_count(definition, before + 1, None)
            domain.iothread_polling.append(polling)

        runs = [(range(1, count + 1), True), (range(args.iothread_id, args.iothread_id + 1), False)]
        again = (lambda: self._add_iothread(args, may_offload=False)) if may_offload else None
        return self._listing_autofilled(args, definition, count, runs, finish, again)

    def domain_del_iothread(self, args: remote.remote_domain_del_iothread_args) -> Offload | None:
        return self._del_iothread(args, may_offload=True)

    def _del_iothread(self, args: remote.remote_domain_del_iothread_args, may_offload: bool) -> Offload | None:
        if args.iothread_id == 0:  # virDomainDelIOThread's own check
            raise invalid_argument(
                api.VIR_FROM_DOMAIN,
                "iothread_id in virDomainDelIOThread must not be zero",
                "virDomainDelIOThread",
                "iothread_id",
            )
        check_flags(args.flags, LIVE | CONFIG, FROM_TEST, "testDomainDelIOThread")
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        if not tune.has_iothread(definition, args.iothread_id):
            detail = f"cannot find IOThread '{args.iothread_id}' in iothreadids list"
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, detail)
        devices = tune.devices(definition)
        for disk in devices.findall("disk"):
            driver = disk.find("driver")
            if driver is not None and driver.get("iothread") == str(args.iothread_id):
                target = disk.find("target")
                detail = (
                    f"cannot remove IOThread {args.iothread_id} since it is being used by disk "
                    f"'{target.get('dev') if target is not None else ''}'"
                )
                raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, detail)
        for controller in devices.findall("controller"):
            driver = controller.find("driver")
            if driver is not None and driver.get("iothread") == str(args.iothread_id):
                detail = f"cannot remove IOThread '{args.iothread_id}' since it is being used by controller"
                raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, detail)

        def finish() -> None:
            tune.drop_iothread_pin(definition, args.iothread_id)
            polling = domain.iothread_polling
            found = next((i for i, entry in enumerate(polling) if entry.iothread_id == args.iothread_id), None)
            if found is not None:
                del polling[found]

        count = tune.autofilled_count(definition)
        if count is None:
            entry = tune.listed_iothread(definition, args.iothread_id)
            assert entry is not None
            tune.delete_listed_iothread(definition, entry)
            finish()
            return None
        left = count - 1

        def finish_listing() -> None:
            tune.store_iothread_count(definition, left, None)
            finish()

        if args.iothread_id == count:  # the others stay libvirt's own: no list to show
            finish_listing()
            return None
        # virDomainIOThreadIDDel keeps the ones after it in the XML
        runs = [(range(1, args.iothread_id), True), (range(args.iothread_id + 1, count + 1), False)]
        again = (lambda: self._del_iothread(args, may_offload=False)) if may_offload else None
        return self._listing_autofilled(args, definition, count, runs, finish_listing, again)

    def domain_pin_iothread(self, args: remote.remote_domain_pin_iothread_args) -> Offload | None:
        return self._pin_iothread(args, may_offload=True)

    def _pin_iothread(self, args: remote.remote_domain_pin_iothread_args, may_offload: bool) -> Offload | None:
        public_api.cpumap(args.cpumap, "virDomainPinIOThread")
        check_flags(args.flags, LIVE | CONFIG, FROM_TEST, "testDomainPinIOThread")
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        cpus = bitmaps.bitmap_from_bytes(args.cpumap)
        if not cpus:
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "Empty iothread cpumap list for pinning")
        if not tune.has_iothread(definition, args.iothreads_id):
            detail = f"iothreadid {as_c_int(args.iothreads_id)} not found"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        cpuset = bitmaps.format_bitmap(cpus)
        if not tune.listed_in_order(definition):  # the pins' order needs every IOThread
            threads = tune.iothreads(definition)
            thread = next(thread for thread in threads if thread.id == args.iothreads_id)
            thread.cpuset, thread.autofill = cpuset, False
            tune.store_iothreads(definition, threads)
            return None
        count = tune.autofilled_count(definition)
        if count is None:
            tune.set_iothread_pin(definition, args.iothreads_id, cpuset)
            return None
        number = args.iothreads_id
        runs = [(range(1, number), True), (range(number, number + 1), False), (range(number + 1, count + 1), True)]
        again = (lambda: self._pin_iothread(args, may_offload=False)) if may_offload else None
        return self._listing_autofilled(
            args, definition, count, runs, lambda: tune.set_iothread_pin(definition, number, cpuset), again
        )

    def domain_set_iothread_params(self, args: remote.remote_domain_set_iothread_params_args) -> None:
        public_api.set_parameters(args.params, "virDomainSetIOThreadParams")
        check_flags(args.flags, LIVE, FROM_TEST, "testDomainSetIOThreadParams")
        _check_iothread_id(args.iothread_id)
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        if not _has_iothread(definition, args.iothread_id):
            detail = f"cannot find IOThread '{args.iothread_id}' in iothreadids"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        polling = next((entry for entry in domain.iothread_polling if entry.iothread_id == args.iothread_id), None)
        if polling is None:  # libvirt's test driver fails here without saying why
            raise cause_unknown()
        validate_params(
            args.params,
            {
                api.VIR_DOMAIN_IOTHREAD_POLL_MAX_NS: api.VIR_TYPED_PARAM_ULLONG,
                api.VIR_DOMAIN_IOTHREAD_POLL_GROW: api.VIR_TYPED_PARAM_UINT,
                api.VIR_DOMAIN_IOTHREAD_POLL_SHRINK: api.VIR_TYPED_PARAM_UINT,
            },
        )
        values = {}
        for param in args.params:
            values.setdefault(param.field, param.value.value)  # virTypedParamsGet finds the first
        polling.poll_max_ns = values.get(api.VIR_DOMAIN_IOTHREAD_POLL_MAX_NS, polling.poll_max_ns)
        polling.poll_grow = values.get(api.VIR_DOMAIN_IOTHREAD_POLL_GROW, polling.poll_grow)
        polling.poll_shrink = values.get(api.VIR_DOMAIN_IOTHREAD_POLL_SHRINK, polling.poll_shrink)

    # -------------------------------------------------------------- emulator
    def domain_pin_emulator(self, args: remote.remote_domain_pin_emulator_args) -> None:
        public_api.cpumap(args.cpumap, "virDomainPinEmulator")
        check_flags(args.flags, LIVE | CONFIG, FROM_TEST, "testDomainPinEmulator")
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        cpus = bitmaps.bitmap_from_bytes(args.cpumap)
        if not cpus:
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "Empty cpu list for pinning")
        tune.set_emulator_pin(definition, cpus)

    def domain_get_emulator_pin_info(self, args: remote.remote_domain_get_emulator_pin_info_args):
        public_api.non_null(args.maplen != 0, "cpumap", "virDomainGetEmulatorPinInfo")
        public_api.positive(args.maplen, "maplen", "virDomainGetEmulatorPinInfo")
        check_flags(args.flags, LIVE | CONFIG, FROM_TEST, "testDomainGetEmulatorPinInfo")
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        cpus = tune.emulator_pin(definition)
        if cpus is None:
            cpus = tune.default_cpumask(definition)
        if cpus is None:
            cpus = range(self.state.host.max_cpus)
        if args.maplen > remote.REMOTE_CPUMAPS_MAX:
            # libvirtd fills a map this long, then cannot encode the reply: same answer, no map.
            raise rpc_error("Unable to encode message payload")
        return remote.remote_domain_get_emulator_pin_info_ret(bitmaps.bitmap_bytes(cpus, args.maplen), 1)

    # ------------------------------------------------------------------ NUMA
    def domain_set_numa_parameters(self, args: remote.remote_domain_set_numa_parameters_args) -> None:
        public_api.set_parameters(args.params, "virDomainSetNumaParameters")
        check_flags(args.flags, LIVE | CONFIG, FROM_TEST, "testDomainSetNumaParameters")
        validate_params(
            args.params,
            {
                api.VIR_DOMAIN_NUMA_MODE: api.VIR_TYPED_PARAM_INT,
                api.VIR_DOMAIN_NUMA_NODESET: api.VIR_TYPED_PARAM_STRING,
            },
        )
        domain = self._domain(args.dom)
        definition, live = self._one_definition(domain, args.flags)
        mode, nodeset = -1, None
        for param in args.params:
            if param.field == api.VIR_DOMAIN_NUMA_MODE:
                mode = param.value.value
                if not 0 <= mode < api.VIR_DOMAIN_NUMATUNE_MEM_LAST:
                    raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, f"unsupported numatune mode: '{mode}'")
            elif param.field == api.VIR_DOMAIN_NUMA_NODESET:
                nodeset = bitmaps.parse_bitmap(param.value.value)
                if not nodeset:
                    detail = f"Invalid nodeset of 'numatune': {param.value.value}"
                    raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, detail)
        current = tune.memory_tune(definition)
        if live and mode != -1 and current.specified and current.mode != mode:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "can't change numatune mode for running domain")
        tune.set_memory_tune(definition, mode, nodeset)

    def domain_get_numa_parameters(self, args: remote.remote_domain_get_numa_parameters_args):
        check_flags(args.flags, LIVE | CONFIG | STRING_OKAY, FROM_TEST, "testDomainGetNumaParameters")
        if args.nparams == 0:
            return remote.remote_domain_get_numa_parameters_ret([], 2)
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        memory = tune.memory_tune(definition)
        nodeset = bitmaps.format_bitmap(memory.nodeset or ()) if memory.placement != "auto" else ""
        params = [
            typed(api.VIR_DOMAIN_NUMA_MODE, api.VIR_TYPED_PARAM_INT, memory.mode),
            typed(api.VIR_DOMAIN_NUMA_NODESET, api.VIR_TYPED_PARAM_STRING, nodeset),
        ]
        params, count = limited(params, args.nparams)
        return remote.remote_domain_get_numa_parameters_ret(for_client(params, args.flags), count)

    # ------------------------------------------------------------ interfaces
    def domain_set_interface_parameters(self, args: remote.remote_domain_set_interface_parameters_args) -> None:
        public_api.set_parameters(args.params, "virDomainSetInterfaceParameters")
        check_flags(args.flags, LIVE | CONFIG, FROM_TEST, "testDomainSetInterfaceParameters")
        validate_params(args.params, {name: api.VIR_TYPED_PARAM_UINT for name, _, _ in BANDWIDTH})
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        interface = tune.find_interface(definition, args.device)
        given = {"inbound": dict.fromkeys(tune.RATE_ATTRIBUTES, 0), "outbound": dict.fromkeys(tune.RATE_ATTRIBUTES, 0)}
        specified = set()
        for param in args.params:
            for name, direction, attribute in BANDWIDTH:
                if param.field == name:
                    given[direction][attribute] = param.value.value
                    if attribute in ("average", "floor"):
                        specified.add(direction)
        # average or floor are mandatory, peak and burst optional
        inbound = given["inbound"] if given["inbound"]["average"] or given["inbound"]["floor"] else None
        outbound = given["outbound"] if given["outbound"]["average"] else None
        current = tune.bandwidth(interface)
        if current is not None:
            old_in, old_out = current
            inbound = inbound if inbound is not None or "inbound" in specified else old_in
            outbound = outbound if outbound is not None or "outbound" in specified else old_out
        tune.set_bandwidth(interface, inbound, outbound)

    def domain_get_interface_parameters(self, args: remote.remote_domain_get_interface_parameters_args):
        check_flags(args.flags, LIVE | CONFIG | STRING_OKAY, FROM_TEST, "testDomainGetInterfaceParameters")
        if args.nparams == 0:
            return remote.remote_domain_get_interface_parameters_ret([], len(BANDWIDTH))
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        rates = tune.bandwidth(tune.find_interface(definition, args.device)) or (None, None)
        by_direction = dict(zip(("inbound", "outbound"), rates, strict=True))
        params = []
        for name, direction, attribute in BANDWIDTH:
            rate = by_direction[direction]
            params.append(typed(name, api.VIR_TYPED_PARAM_UINT, rate[attribute] if rate is not None else 0))
        params, count = limited(params, args.nparams)
        return remote.remote_domain_get_interface_parameters_ret(params, count)

    # ----------------------------------------------------------- block I/O
    def domain_set_block_io_tune(self, args: remote.remote_domain_set_block_io_tune_args) -> None:
        public_api.set_parameters(args.params, "virDomainSetBlockIoTune", nparams_first=True)
        check_flags(args.flags, LIVE | CONFIG, FROM_TEST, "testDomainSetBlockIoTune")
        accepted = {name: api.VIR_TYPED_PARAM_ULLONG for name in tune.IOTUNE_FIELDS}
        accepted["group_name"] = api.VIR_TYPED_PARAM_STRING
        validate_params(args.params, accepted)
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        disk = tune.find_disk(definition, args.disk)
        if disk is None:
            detail = f"missing persistent configuration for disk '{args.disk}'"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        info = tune.iotune(disk)
        for param in args.params:
            if param.value.type != api.VIR_TYPED_PARAM_STRING and param.value.value > BLOCK_IOTUNE_MAX:
                detail = f"block I/O throttle limit value must be no more than {BLOCK_IOTUNE_MAX}"
                raise report(api.VIR_ERR_ARGUMENT_UNSUPPORTED, FROM_TEST, detail)
            info[param.field] = param.value.value
        for kind in ("bytes_sec", "iops_sec", "bytes_sec_max", "iops_sec_max"):
            if info[f"total_{kind}"] and (info[f"read_{kind}"] or info[f"write_{kind}"]):
                detail = f"total and read/write of {kind} cannot be set at the same time"
                raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        for way in ("total", "read", "write"):
            for kind in ("bytes_sec", "iops_sec"):
                if info[f"{way}_{kind}"] > info[f"{way}_{kind}_max"]:
                    detail = f"{way}_{kind} cannot be set higher than {way}_{kind}_max "
                    raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        tune.set_iotune(disk, info)

    def domain_get_block_io_tune(self, args: remote.remote_domain_get_block_io_tune_args):
        check_flags(args.flags, LIVE | CONFIG | STRING_OKAY, FROM_TEST, "testDomainGetBlockIoTune")
        if args.nparams == 0:
            return remote.remote_domain_get_block_io_tune_ret([], len(tune.IOTUNE_FIELDS))
        if args.disk is None:  # virDomainGetBlockIoTune's own check
            raise invalid_argument(
                api.VIR_FROM_DOMAIN,
                "disk in virDomainGetBlockIoTune must not be NULL",
                "virDomainGetBlockIoTune",
                "disk",
            )
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags & ~STRING_OKAY)
        disk = tune.find_disk(definition, args.disk)
        if disk is None:
            detail = f"disk '{args.disk}' was not found in the domain config"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        info = tune.iotune(disk)
        params = []
        for name in tune.IOTUNE_FIELDS:
            if name == "group_name":
                params.append(typed(name, api.VIR_TYPED_PARAM_STRING, info[name] or ""))
            else:
                params.append(typed(name, api.VIR_TYPED_PARAM_ULLONG, info[name]))
        params, count = limited(params, args.nparams)
        return remote.remote_domain_get_block_io_tune_ret(for_client(params, args.flags), count)

    # ----------------------------------------------------------- perf events
    def domain_set_perf_events(self, args: remote.remote_domain_set_perf_events_args) -> None:
        public_api.set_parameters(args.params, "virDomainSetPerfEvents")
        check_flags(args.flags, LIVE | CONFIG, FROM_TEST, "testDomainSetPerfEvents")
        validate_params(args.params, dict.fromkeys(PERF_EVENTS, api.VIR_TYPED_PARAM_BOOLEAN))
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        events = tune.perf_events(definition)
        for param in args.params:
            events[param.field] = bool(param.value.value)
        tune.set_perf_events(definition, events)

    def domain_get_perf_events(self, args: remote.remote_domain_get_perf_events_args):
        check_flags(args.flags, LIVE | CONFIG | STRING_OKAY, FROM_TEST, "testDomainGetPerfEvents")
        domain = self._domain(args.dom)
        definition, _ = self._one_definition(domain, args.flags)
        events = tune.perf_events(definition)
        params = [typed(name, api.VIR_TYPED_PARAM_BOOLEAN, int(events.get(name, False))) for name in PERF_EVENTS]
        return remote.remote_domain_get_perf_events_ret(params)

    # ----------------------------------------------------- lifecycle actions
    def domain_set_lifecycle_action(self, args: remote.remote_domain_set_lifecycle_action_args) -> None:
        # virDomainSetLifecycleAction's own checks, then the test driver's
        if args.type >= api.VIR_DOMAIN_LIFECYCLE_LAST:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, f"invalid lifecycle type '{args.type}'")
        if args.action >= api.VIR_DOMAIN_LIFECYCLE_ACTION_LAST:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, f"invalid lifecycle action '{args.action}'")
        check_flags(args.flags, LIVE | CONFIG, FROM_TEST, "testDomainSetLifecycleAction")
        coredump = (api.VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY, api.VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART)
        if args.type != api.VIR_DOMAIN_LIFECYCLE_CRASH and args.action in coredump:
            detail = (
                f"Lifecycle event '{tune.LIFECYCLE_EVENTS[args.type]}' doesn't support "
                f"'{tune.LIFECYCLE_ACTIONS[args.action]}' action"
            )
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
        domain = self._domain(args.dom)
        for definition in self._definitions(domain, args.flags):
            tune.set_lifecycle_action(definition, args.type, args.action)

    # ------------------------------------------------------------ statistics
    def connect_get_all_domain_stats(self, args: remote.remote_connect_get_all_domain_stats_args):
        check_flags(args.flags, STATS_FLAGS, FROM_TEST, "testConnectGetAllDomainStats")
        stats = args.stats or SUPPORTED_STATS
        if args.flags & api.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS and stats & ~SUPPORTED_STATS:
            detail = f"Stats types bits 0x{stats & ~SUPPORTED_STATS:x} are not supported by this daemon"
            raise report(api.VIR_ERR_ARGUMENT_UNSUPPORTED, FROM_TEST, detail)
        if args.doms:
            found = (self.state.domain_by_uuid(ref.uuid) for ref in args.doms)
            domains = [domain for domain in found if domain is not None]
        else:
            domains = list(self.state.domains.values())
        filters = args.flags & STATS_FILTERS
        records = []
        # one record per domain, however often the client names it (up to 16,384 times: ~90 ms
        # of the event loop made one by one); the reply repeats it as libvirtd's does
        made: dict[int, remote.remote_domain_stats_record | None] = {}
        for domain in domains:
            key = id(domain)
            if key not in made:
                made[key] = self._stats_record(domain, filters, stats)
            record = made[key]
            if record is not None:
                records.append(record)
        answer = remote.remote_connect_get_all_domain_stats_ret(records)
        if len(records) > STATS_ON_LOOP or sum(len(one.params) for one in records) > STATS_ON_LOOP:
            # made of new records only: encoded in a worker thread, off the event loop
            return Offload(lambda: answer, _stats_as_made, reply_in_thread=True)
        return answer

    def _stats_record(self, domain: Domain, filters: int, stats: int) -> remote.remote_domain_stats_record | None:
        if not _domain_matches(domain, filters):
            return None
        params = state_stats(domain) if stats & api.VIR_DOMAIN_STATS_STATE else []
        if stats & api.VIR_DOMAIN_STATS_IOTHREAD:
            params += self._iothread_stats(domain)
        return remote.remote_domain_stats_record(_nonnull_domain(domain), params)

    def _iothread_stats(self, domain: Domain) -> list[remote.remote_typed_param]:
        polling = domain.iothread_polling
        if not domain.active or not polling:
            return []
        params = [typed("iothread.count", api.VIR_TYPED_PARAM_UINT, len(polling))]
        for entry in polling:
            prefix = f"iothread.{entry.iothread_id}."
            params += [
                typed(prefix + "poll-max-ns", api.VIR_TYPED_PARAM_ULLONG, entry.poll_max_ns),
                typed(prefix + "poll-grow", api.VIR_TYPED_PARAM_UINT, entry.poll_grow),
                typed(prefix + "poll-shrink", api.VIR_TYPED_PARAM_UINT, entry.poll_shrink),
            ]
        return params
