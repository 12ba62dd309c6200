"""Tuning and statistics of test domains: the typed parameters libvirt's test driver reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import check_flags

if TYPE_CHECKING:  # state imports the definitions, whose tuning part uses PERF_EVENTS here
    from .state import Domain

FROM_TEST = api.VIR_FROM_TEST
UNLIMITED = api.VIR_DOMAIN_MEMORY_PARAM_UNLIMITED
AFFECT = api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG | api.VIR_TYPED_PARAM_STRING_OKAY


def typed(field: str, kind: int, value: object) -> remote.remote_typed_param:
    return remote.remote_typed_param(field, remote.remote_typed_param_value(kind, value))


def limited(params: list[remote.remote_typed_param], nparams: int) -> tuple[list[remote.remote_typed_param], int]:
    """libvirt's two-step protocol: nparams 0 asks how many there are, then for them."""
    if nparams == 0:
        return [], len(params)
    chosen = params[:nparams]
    return chosen, len(chosen)


def for_client(params: list[remote.remote_typed_param], flags: int) -> list[remote.remote_typed_param]:
    """libvirtd's virTypedParamsSerialize with the client's flags: string parameters go only to
    a client that sent VIR_TYPED_PARAM_STRING_OKAY (libvirt's own client always does; other
    clients, go-libvirt for one, get the rest). Counts asked with nparams 0 include them."""
    if flags & api.VIR_TYPED_PARAM_STRING_OKAY:
        return params
    return [param for param in params if param.value.type != api.VIR_TYPED_PARAM_STRING]


# The weight libvirt's test driver reports whatever was set (it keeps none).
SCHEDULER_WEIGHT = 50


def scheduler_parameters(domain: Domain) -> list[remote.remote_typed_param]:
    return [typed(api.VIR_DOMAIN_SCHEDULER_WEIGHT, api.VIR_TYPED_PARAM_UINT, SCHEDULER_WEIGHT)]


MEMORY_LIMITS = (
    api.VIR_DOMAIN_MEMORY_HARD_LIMIT,
    api.VIR_DOMAIN_MEMORY_SOFT_LIMIT,
    api.VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT,
)


def memory_parameters(limits: dict[str, int]) -> list[remote.remote_typed_param]:
    return [typed(name, api.VIR_TYPED_PARAM_ULLONG, limits[name]) for name in MEMORY_LIMITS]


def blkio_parameters(weight: int, device_lists: list[tuple[str, str]]) -> list[remote.remote_typed_param]:
    params = [typed(api.VIR_DOMAIN_BLKIO_WEIGHT, api.VIR_TYPED_PARAM_UINT, weight)]
    return params + [typed(name, api.VIR_TYPED_PARAM_STRING, text) for name, text in device_lists]


def state_stats(domain: Domain) -> list[remote.remote_typed_param]:
    return [
        typed("state.state", api.VIR_TYPED_PARAM_INT, domain.state),
        typed("state.reason", api.VIR_TYPED_PARAM_INT, domain.reason),
    ]


def check_tuning_flags(flags: int, function: str) -> None:
    check_flags(flags, AFFECT, FROM_TEST, function)


# libvirt's perf events in the order its test driver reports them
PERF_EVENTS = (
    api.VIR_PERF_PARAM_CMT,
    api.VIR_PERF_PARAM_MBMT,
    api.VIR_PERF_PARAM_MBML,
    api.VIR_PERF_PARAM_CPU_CYCLES,
    api.VIR_PERF_PARAM_INSTRUCTIONS,
    api.VIR_PERF_PARAM_CACHE_REFERENCES,
    api.VIR_PERF_PARAM_CACHE_MISSES,
    api.VIR_PERF_PARAM_BRANCH_INSTRUCTIONS,
    api.VIR_PERF_PARAM_BRANCH_MISSES,
    api.VIR_PERF_PARAM_BUS_CYCLES,
    api.VIR_PERF_PARAM_STALLED_CYCLES_FRONTEND,
    api.VIR_PERF_PARAM_STALLED_CYCLES_BACKEND,
    api.VIR_PERF_PARAM_REF_CPU_CYCLES,
    api.VIR_PERF_PARAM_CPU_CLOCK,
    api.VIR_PERF_PARAM_TASK_CLOCK,
    api.VIR_PERF_PARAM_PAGE_FAULTS,
    api.VIR_PERF_PARAM_CONTEXT_SWITCHES,
    api.VIR_PERF_PARAM_CPU_MIGRATIONS,
    api.VIR_PERF_PARAM_PAGE_FAULTS_MIN,
    api.VIR_PERF_PARAM_PAGE_FAULTS_MAJ,
    api.VIR_PERF_PARAM_ALIGNMENT_FAULTS,
    api.VIR_PERF_PARAM_EMULATION_FAULTS,
)
