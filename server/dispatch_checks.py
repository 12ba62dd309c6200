"""The argument checks libvirtd's dispatcher makes before it calls a driver.

Two sources, as in libvirt 9.0.0:
- generated: gendispatch.pl writes "max<name> > LIMIT" (VIR_ERR_RPC) for every procedure
  whose reply is one bounded array filled through an argument; the protocol compiler
  derives these (``Procedure.list_bound``) and ``checks_for`` turns them into checks;
- hand-written: src/remote/remote_daemon_dispatch.c's own functions check sizes that
  decide what they allocate (nparams, maxinfo * maplen, ...); listed in HAND_WRITTEN,
  keyed by procedure, facts only (argument, limit, error code and message).

Both report with that file's VIR_FROM_THIS, VIR_FROM_RPC, after the "connection not open"
check and before the public API's own checks (read-only refusal, argument checks).
Besides matching libvirtd's answers they bound what a client can make a driver allocate.

The reference daemon (Debian's 9.0.0-4+deb12u2) carries the fix for CVE-2024-2494, which
refuses negative counts before the upper bounds: "max<name> must be non-negative"
(VIR_ERR_RPC) in the generated code, "<argument> must be non-negative" (internal error)
in the hand-written functions, with the message that fix gives (DOMAIN_GET_VCPUS reports
a negative maplen as "maxinfo must be non-negative").
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.protocol.runtime import Procedure
from virtrio.rpc.errors import report
from virtrio.rpc.records import FrozenRecord

INT_MAX = 2**31 - 1


class ArgumentCheck(FrozenRecord):
    _fields = ("refuses", "code", "message")
    __slots__ = _fields
    refuses: Callable[[Any], bool]  # true when libvirtd's dispatcher refuses these arguments
    code: int  # VIR_ERR_*
    message: str  # the detail libvirtd reports (the code's prefix is added when sent)

    def __init__(self, refuses: Callable[[Any], bool], code: int, message: str) -> None:
        object.__setattr__(self, "refuses", refuses)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "message", message)


def _int32(value: int) -> int:
    """A C int product's value: wrapped to 32 bits, as the daemon's arithmetic does."""
    return ((value + 2**31) & 0xFFFFFFFF) - 2**31


def _over(argument: str, limit: int) -> Callable[[Any], bool]:
    return lambda args: getattr(args, argument) > limit


def _negative(argument: str) -> Callable[[Any], bool]:
    return lambda args: getattr(args, argument) < 0


def _maps_over(count: str) -> Callable[[Any], bool]:
    """VIR_INT_MULTIPLY_OVERFLOW(count, maplen) || count * maplen > REMOTE_CPUMAPS_MAX."""

    def refuses(args: Any) -> bool:
        number, maplen = getattr(args, count), args.maplen
        if maplen > 0 and number > INT_MAX // maplen:
            return True
        return _int32(number * maplen) > remote.REMOTE_CPUMAPS_MAX

    return refuses


def _free_pages_over(args: Any) -> bool:
    # pages_len (unsigned) * cellCount (int, converted to unsigned) > REMOTE_NODE_MAX_CELLS
    cells: int = (len(args.pages) * (args.cellCount & 0xFFFFFFFF)) & 0xFFFFFFFF
    return cells > remote.REMOTE_NODE_MAX_CELLS


def _internal(refuses: Callable[[Any], bool], message: str) -> ArgumentCheck:
    return ArgumentCheck(refuses, api.VIR_ERR_INTERNAL_ERROR, message)


def _non_negative(argument: str, message_argument: str | None = None) -> ArgumentCheck:
    return _internal(_negative(argument), f"{message_argument or argument} must be non-negative")


def _nparams(limit: int) -> tuple[ArgumentCheck, ...]:
    return (_non_negative("nparams"), _internal(_over("nparams", limit), "nparams too large"))


_BUFFER = "size > maximum buffer size"

HAND_WRITTEN: dict[int, tuple[ArgumentCheck, ...]] = {
    remote.REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS: _nparams(remote.REMOTE_DOMAIN_SCHEDULER_PARAMETERS_MAX),
    remote.REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS: _nparams(remote.REMOTE_DOMAIN_SCHEDULER_PARAMETERS_MAX),
    remote.REMOTE_PROC_DOMAIN_MEMORY_STATS: (
        _internal(
            _over("maxStats", remote.REMOTE_DOMAIN_MEMORY_STATS_MAX), "maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX"
        ),
    ),
    remote.REMOTE_PROC_DOMAIN_BLOCK_PEEK: (
        _internal(_over("size", remote.REMOTE_DOMAIN_BLOCK_PEEK_BUFFER_MAX), _BUFFER),
    ),
    remote.REMOTE_PROC_DOMAIN_MEMORY_PEEK: (
        _internal(_over("size", remote.REMOTE_DOMAIN_MEMORY_PEEK_BUFFER_MAX), _BUFFER),
    ),
    remote.REMOTE_PROC_DOMAIN_BLOCK_STATS_FLAGS: _nparams(remote.REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX),
    remote.REMOTE_PROC_DOMAIN_GET_VCPU_PIN_INFO: (
        _non_negative("ncpumaps"),
        _non_negative("maplen"),
        _internal(_over("ncpumaps", remote.REMOTE_VCPUINFO_MAX), "ncpumaps > REMOTE_VCPUINFO_MAX"),
        _internal(_maps_over("ncpumaps"), "maxinfo * maplen > REMOTE_CPUMAPS_MAX"),
    ),
    remote.REMOTE_PROC_DOMAIN_GET_VCPUS: (
        _non_negative("maxinfo"),
        _non_negative("maplen", "maxinfo"),
        _internal(_over("maxinfo", remote.REMOTE_VCPUINFO_MAX), "maxinfo > REMOTE_VCPUINFO_MAX"),
        _internal(_maps_over("maxinfo"), "maxinfo * maplen > REMOTE_CPUMAPS_MAX"),
    ),
    remote.REMOTE_PROC_DOMAIN_GET_EMULATOR_PIN_INFO: (_non_negative("maplen"),),
    remote.REMOTE_PROC_DOMAIN_GET_MEMORY_PARAMETERS: _nparams(remote.REMOTE_DOMAIN_MEMORY_PARAMETERS_MAX),
    remote.REMOTE_PROC_DOMAIN_GET_NUMA_PARAMETERS: _nparams(remote.REMOTE_DOMAIN_NUMA_PARAMETERS_MAX),
    remote.REMOTE_PROC_DOMAIN_GET_BLKIO_PARAMETERS: _nparams(remote.REMOTE_DOMAIN_BLKIO_PARAMETERS_MAX),
    remote.REMOTE_PROC_NODE_GET_CPU_STATS: _nparams(remote.REMOTE_NODE_CPU_STATS_MAX),
    remote.REMOTE_PROC_NODE_GET_MEMORY_STATS: _nparams(remote.REMOTE_NODE_MEMORY_STATS_MAX),
    remote.REMOTE_PROC_DOMAIN_GET_BLOCK_IO_TUNE: _nparams(remote.REMOTE_DOMAIN_BLOCK_IO_TUNE_PARAMETERS_MAX),
    remote.REMOTE_PROC_DOMAIN_GET_INTERFACE_PARAMETERS: _nparams(remote.REMOTE_DOMAIN_INTERFACE_PARAMETERS_MAX),
    remote.REMOTE_PROC_DOMAIN_GET_CPU_STATS: (
        *_nparams(remote.REMOTE_NODE_CPU_STATS_MAX),
        _internal(_over("ncpus", remote.REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX), "ncpus too large"),
    ),
    remote.REMOTE_PROC_DOMAIN_GET_DISK_ERRORS: (
        _internal(_over("maxerrors", remote.REMOTE_DOMAIN_DISK_ERRORS_MAX), "maxerrors too large"),
    ),
    remote.REMOTE_PROC_NODE_GET_MEMORY_PARAMETERS: _nparams(remote.REMOTE_NODE_MEMORY_PARAMETERS_MAX),
    remote.REMOTE_PROC_NODE_GET_FREE_PAGES: (
        _internal(_free_pages_over, "the result won't fit into REMOTE_NODE_MAX_CELLS"),
    ),
}


def _count_only_when_asked(args: Any, ret: Any) -> Any:
    """These dispatchers send the count only to a call asking for it (nparams 0), with no
    parameters; a call that asks for the parameters gets them with nparams left at 0."""
    if args.nparams == 0 and ret.params:
        ret = copy.copy(ret)
        ret.params = []
    elif args.nparams != 0 and ret.nparams != 0:
        ret = copy.copy(ret)
        ret.nparams = 0
    return ret


# What the hand-written dispatchers do to a driver's answer before sending it, as a
# function of (arguments, the driver's reply) giving the reply sent.
REPLY_RULES: dict[int, Callable[[Any, Any], Any]] = {
    number: _count_only_when_asked
    for number in (
        remote.REMOTE_PROC_DOMAIN_BLOCK_STATS_FLAGS,
        remote.REMOTE_PROC_DOMAIN_GET_MEMORY_PARAMETERS,
        remote.REMOTE_PROC_DOMAIN_GET_NUMA_PARAMETERS,
        remote.REMOTE_PROC_DOMAIN_GET_BLKIO_PARAMETERS,
        remote.REMOTE_PROC_NODE_GET_CPU_STATS,
        remote.REMOTE_PROC_NODE_GET_MEMORY_STATS,
        remote.REMOTE_PROC_DOMAIN_GET_BLOCK_IO_TUNE,
        remote.REMOTE_PROC_DOMAIN_GET_INTERFACE_PARAMETERS,
        remote.REMOTE_PROC_NODE_GET_MEMORY_PARAMETERS,
    )
}


def _too_many(word: str, limit: int) -> Callable[[Any, Any], Any]:
    """gendispatch.pl's check of a list call's count, made after the driver answered."""

    def rule(args: Any, ret: Any) -> Any:
        if ret.ret > limit:
            message = f"Too many {word}s '{_int32(ret.ret)}' for limit '{limit}'"
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_RPC, message)
        return ret

    return rule


def reply_rule_for(program: int, procedure: Procedure) -> Callable[[Any, Any], Any] | None:
    """What libvirtd's dispatcher does to this procedure's reply, if anything."""
    if program != remote.PROGRAM:
        return None
    if procedure.result_bound is not None:
        word, limit, _ = procedure.result_bound
        return _too_many(word, limit)
    return REPLY_RULES.get(procedure.number)


def checks_for(program: int, procedure: Procedure) -> tuple[ArgumentCheck, ...]:
    """Every check libvirtd's dispatcher makes on this procedure's arguments, in its order."""
    found: tuple[ArgumentCheck, ...] = ()
    if procedure.list_bound is not None:
        argument, limit, limit_name = procedure.list_bound
        found += (
            ArgumentCheck(_negative(argument), api.VIR_ERR_RPC, f"{argument} must be non-negative"),
            ArgumentCheck(_over(argument, limit), api.VIR_ERR_RPC, f"{argument} > {limit_name}"),
        )
    if program == remote.PROGRAM:
        found += HAND_WRITTEN.get(procedure.number, ())
    return found
