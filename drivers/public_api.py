"""The argument checks of libvirt's public API (libvirt-domain.c, libvirt-host.c) that
libvirtd runs before any driver, on the C arguments its dispatcher builds from the call.

libvirt's own client library makes the same checks before a call is sent, so virsh and the
bindings never meet them from the daemon; a client with its own protocol code (go-libvirt)
does. A zero-length array or typed-parameter list reaches the API as a NULL pointer (the
dispatcher allocates nothing for it), which is why "must not be NULL" answers an empty list.
Every error is VIR_ERR_INVALID_ARG from the domain module, with the function and the
argument's name as str1 and str2, as virReportInvalid*Arg make them.
"""

from __future__ import annotations

from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, invalid_argument, report


def _invalid(message: str, function: str, argument: str, domain: int = api.VIR_FROM_DOMAIN) -> LibvirtError:
    return invalid_argument(domain, message, function, argument)


def non_null(present: bool, argument: str, function: str) -> None:
    """virCheckNonNullArgGoto (and virCheckNonNullArrayArgGoto for a non-empty array)."""
    if not present:
        raise _invalid(f"{argument} in {function} must not be NULL", function, argument)


def cpumap(cpumap: bytes, function: str) -> None:
    """The pin calls' virCheckNonNullArgGoto(cpumap) and virCheckPositiveArgGoto(maplen): an
    empty map arrives as NULL."""
    non_null(bool(cpumap), "cpumap", function)


def non_empty_string(text: str | None, argument: str, function: str) -> None:
    """virCheckNonEmptyStringArgGoto."""
    non_null(text is not None, argument, function)
    if text == "":
        raise _invalid(f"string {argument} in {function} must not be empty", function, argument)


def null(present: bool, argument: str, function: str) -> None:
    """virCheckNullArgGoto."""
    if present:
        raise _invalid(f"{argument} in {function} must be NULL", function, argument)


def non_zero(value: int, argument: str, function: str, domain: int = api.VIR_FROM_DOMAIN) -> None:
    """virCheckNonZeroArgGoto (domain: the API file's)."""
    if value == 0:
        raise _invalid(f"{argument} in {function} must not be zero", function, argument, domain)


def positive(value: int, argument: str, function: str) -> None:
    """virCheckPositiveArgGoto."""
    if value <= 0:
        raise _invalid(f"{argument} in {function} must be greater than zero", function, argument)


def non_negative(value: int, argument: str, function: str) -> None:
    """virCheckNonNegativeArgGoto."""
    if value < 0:
        raise _invalid(f"{argument} in {function} must be zero or greater", function, argument)


def exclusive(flags: int, first: str, second: str, function: str, domain: int = api.VIR_FROM_DOMAIN) -> None:
    """VIR_EXCLUSIVE_FLAGS_GOTO: two flags named by their C names (domain: the API file's)."""
    if flags & getattr(api, first) and flags & getattr(api, second):
        raise _invalid(f"Flags '{first}' and '{second}' are mutually exclusive", function, "ctl", domain)


def required(flags: int, flag: str, needed: str, function: str, domain: int = api.VIR_FROM_DOMAIN) -> None:
    """VIR_REQUIRE_FLAG_GOTO: flag needs the flag named needed."""
    if flags & getattr(api, flag) and not flags & getattr(api, needed):
        raise _invalid(f"Flag '{needed}' is required by flag '{flag}'", function, "ctl", domain)


def set_parameters(params: list[object], function: str, *, nparams_first: bool = False) -> None:
    """The virDomainSet*Parameters checks: params non-NULL (an empty list is NULL), and for
    virDomainSetBlockIoTune the count first."""
    if nparams_first:
        positive(len(params), "nparams", function)
    non_null(bool(params), "params", function)


def memory_size(memory: int, function: str) -> None:
    """virDomainSetMemory, virDomainSetMaxMemory, virDomainSetMemoryFlags: not zero, and below
    virMemoryMaxValue(true) / 1024 (LLONG_MAX bytes in KiB on a 64-bit host)."""
    non_zero(memory, "memory", function)
    if memory >= (2**63 - 1) // 1024:
        raise report(api.VIR_ERR_OVERFLOW, api.VIR_FROM_DOMAIN, f"input too large: {memory}")


def negative_only_all(value: int, argument: str, what: str, function: str) -> None:
    """virNodeGetCPUStats and virNodeGetMemoryStats: -1 (all) is the one negative number; both
    name the argument cpuNum."""
    if value < 0 and value != -1:
        message = f"{what} in {function} only accepts -1 as a negative value"
        raise _invalid(message, function, argument)
