"""The dispatcher's argument checks, against libvirtd: every bounded procedure, one past its
bound (refused) and exactly at it (served).

Each call goes to virtrio and to the reference libvirtd (raw protocol, test:///default);
the replies must be equal field by field (error code, domain, message, every string),
or byte for byte when both answer.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from interop.packets import UNORDERED
from tests.conftest import REFERENCE
from tests.protocol.xdr_values import zero_value
from virtrio.protocol.generated import remote
from virtrio.protocol.layout import Layouts, StructRef
from virtrio.protocol.sources import load_sources
from virtrio.server.dispatch_checks import HAND_WRITTEN

from .side_by_side import ask, encode_args

LAYOUTS = Layouts(load_sources(REFERENCE))
TEST_DOMAIN = remote.remote_nonnull_domain("test", uuid.UUID("6695eb01-f6a4-8304-79aa-97f2502e193f").bytes, 1)
INT_MAX = 2**31 - 1


def arguments(procedure: int, **fields: Any) -> bytes:
    """The procedure's arguments: zero values, test's domain, and the given fields."""
    codec = remote.PROCEDURES[procedure].args
    value = zero_value(LAYOUTS, StructRef(codec.name))
    for slot in type(value).__slots__:
        if isinstance(getattr(value, slot), remote.remote_nonnull_domain):
            setattr(value, slot, TEST_DOMAIN)
    for name, field_value in fields.items():
        assert name in type(value).__slots__, (codec.name, name)
        setattr(value, name, field_value)
    return encode_args(procedure, value)


LIST_BOUNDED = {n: p for n, p in remote.PROCEDURES.items() if p.list_bound is not None}


def generated_cases() -> list[tuple[str, int, dict[str, Any]]]:
    cases = []
    for number, procedure in sorted(LIST_BOUNDED.items()):
        argument, limit, _ = procedure.list_bound
        for value in (limit + 1, INT_MAX, -1, -(2**31)):
            cases.append((f"{procedure.name} {argument}={value}", number, {argument: value}))
    return cases


AT_LIMIT_SNAPSHOT = remote.remote_nonnull_domain_snapshot("at-limit", TEST_DOMAIN)
# What the calls at the limit list from (zero values would name no object, and be refused).
AT_LIMIT_OBJECTS: dict[int, dict[str, Any]] = {
    remote.REMOTE_PROC_STORAGE_POOL_LIST_VOLUMES: {
        "pool": remote.remote_nonnull_storage_pool(
            "default-pool", uuid.UUID("dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566").bytes
        )
    },
    remote.REMOTE_PROC_NODE_DEVICE_LIST_CAPS: {"name": "computer"},
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_LIST_CHILDREN_NAMES: {"snap": AT_LIMIT_SNAPSHOT},
}
# Calls made before and after one at the limit: a snapshot to list the children of, made
# and deleted again on the same connection (the other tests see no snapshot).
AROUND: dict[int, tuple[list[tuple[int, bytes]], list[tuple[int, bytes]]]] = {
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_LIST_CHILDREN_NAMES: (
        [
            (
                remote.REMOTE_PROC_DOMAIN_SNAPSHOT_CREATE_XML,
                encode_args(
                    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_CREATE_XML,
                    remote.remote_domain_snapshot_create_xml_args(
                        TEST_DOMAIN, "<domainsnapshot><name>at-limit</name></domainsnapshot>", 0
                    ),
                ),
            )
        ],
        [
            (
                remote.REMOTE_PROC_DOMAIN_SNAPSHOT_DELETE,
                encode_args(
                    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_DELETE,
                    remote.remote_domain_snapshot_delete_args(AT_LIMIT_SNAPSHOT, 0),
                ),
            )
        ],
    )
}
# libvirt's test driver has no secret and no network filter driver, so libvirtd answers
# these two "not supported" at any bound; virtrio serves them (README: "Beyond libvirt's
# test driver"), so they are checked to be served, not compared.
NOT_IN_THE_TEST_DRIVER = {remote.REMOTE_PROC_CONNECT_LIST_SECRETS, remote.REMOTE_PROC_CONNECT_LIST_NWFILTERS}


def at_limit_cases() -> list[tuple[str, int, dict[str, Any]]]:
    """Each bounded call with its bound exactly at the limit: served, not refused."""
    cases = []
    for number, procedure in sorted(LIST_BOUNDED.items()):
        argument, limit, _ = procedure.list_bound
        fields = {argument: limit, **AT_LIMIT_OBJECTS.get(number, {})}
        cases.append((f"{procedure.name} {argument}={limit}", number, fields))
    return cases


AT_LIMIT = at_limit_cases()


P = remote
HAND_CASES: list[tuple[str, int, dict[str, Any]]] = [
    ("vcpus maxinfo over", P.REMOTE_PROC_DOMAIN_GET_VCPUS, {"maxinfo": P.REMOTE_VCPUINFO_MAX + 1, "maplen": 1}),
    ("vcpus maps over", P.REMOTE_PROC_DOMAIN_GET_VCPUS, {"maxinfo": 2, "maplen": P.REMOTE_CPUMAPS_MAX}),
    ("vcpus maps huge", P.REMOTE_PROC_DOMAIN_GET_VCPUS, {"maxinfo": INT_MAX, "maplen": INT_MAX}),
    ("vcpus maps overflow", P.REMOTE_PROC_DOMAIN_GET_VCPUS, {"maxinfo": 2**24, "maplen": 2**24}),
    ("vcpus negative", P.REMOTE_PROC_DOMAIN_GET_VCPUS, {"maxinfo": -1, "maplen": -1}),
    ("vcpus at limit", P.REMOTE_PROC_DOMAIN_GET_VCPUS, {"maxinfo": 4, "maplen": 1}),
    ("pin ncpumaps over", P.REMOTE_PROC_DOMAIN_GET_VCPU_PIN_INFO, {"ncpumaps": P.REMOTE_VCPUINFO_MAX + 1, "maplen": 1}),
    ("pin maps huge", P.REMOTE_PROC_DOMAIN_GET_VCPU_PIN_INFO, {"ncpumaps": INT_MAX, "maplen": INT_MAX}),
    ("pin maps over", P.REMOTE_PROC_DOMAIN_GET_VCPU_PIN_INFO, {"ncpumaps": 1, "maplen": P.REMOTE_CPUMAPS_MAX + 1}),
    ("pin negative", P.REMOTE_PROC_DOMAIN_GET_VCPU_PIN_INFO, {"ncpumaps": -1, "maplen": -5}),
    ("emulator pin huge", P.REMOTE_PROC_DOMAIN_GET_EMULATOR_PIN_INFO, {"maplen": INT_MAX}),
    ("emulator pin over", P.REMOTE_PROC_DOMAIN_GET_EMULATOR_PIN_INFO, {"maplen": P.REMOTE_CPUMAPS_MAX + 1}),
    ("emulator pin negative", P.REMOTE_PROC_DOMAIN_GET_EMULATOR_PIN_INFO, {"maplen": -1}),
    ("cpu stats ncpus", P.REMOTE_PROC_DOMAIN_GET_CPU_STATS, {"nparams": 1, "ncpus": 2**32 - 1, "start_cpu": 0}),
    ("cpu stats nparams", P.REMOTE_PROC_DOMAIN_GET_CPU_STATS, {"nparams": INT_MAX, "ncpus": 1}),
    ("cpu stats start", P.REMOTE_PROC_DOMAIN_GET_CPU_STATS, {"nparams": 1, "ncpus": 1, "start_cpu": -5}),
    ("memory stats", P.REMOTE_PROC_DOMAIN_MEMORY_STATS, {"maxStats": 2**32 - 1}),
    ("block peek", P.REMOTE_PROC_DOMAIN_BLOCK_PEEK, {"size": P.REMOTE_DOMAIN_BLOCK_PEEK_BUFFER_MAX + 1}),
    ("memory peek", P.REMOTE_PROC_DOMAIN_MEMORY_PEEK, {"size": 2**32 - 1}),
    ("disk errors", P.REMOTE_PROC_DOMAIN_GET_DISK_ERRORS, {"maxerrors": 2**32 - 1}),
    ("free pages", P.REMOTE_PROC_NODE_GET_FREE_PAGES, {"pages": [4, 2048], "cellCount": 1000}),
    ("cpu stats all cpus", P.REMOTE_PROC_DOMAIN_GET_CPU_STATS, {"nparams": 1, "ncpus": 2, "start_cpu": -1}),
    ("cpu stats no cpus", P.REMOTE_PROC_DOMAIN_GET_CPU_STATS, {"nparams": 1, "ncpus": 0, "start_cpu": 0}),
    ("free pages zero", P.REMOTE_PROC_NODE_GET_FREE_PAGES, {"pages": [4], "cellCount": 0}),
]
for _number in sorted(HAND_WRITTEN):
    _struct = LAYOUTS.sources.definition(remote.PROCEDURES[_number].args.name)
    for _field in _struct.fields:
        if _field.name == "nparams":
            _signed = LAYOUTS.shape(_field).code == "i"
            for _value in (INT_MAX, -1) if _signed else (2**32 - 1,):
                HAND_CASES.append((f"{remote.PROCEDURES[_number].name} nparams={_value}", _number, {"nparams": _value}))


CASES = generated_cases() + HAND_CASES


def test_every_checked_procedure_is_walked() -> None:
    walked = {number for _, number, _ in CASES}
    assert set(LIST_BOUNDED) <= walked and set(HAND_WRITTEN) <= walked
    assert len(LIST_BOUNDED) >= 16  # gendispatch.pl's legacy list calls


@pytest.mark.parametrize(("label", "procedure", "fields"), CASES, ids=[c[0] for c in CASES])
def test_answered_as_libvirtd_answers(both: dict, label: str, procedure: int, fields: dict[str, Any]) -> None:
    call = [(procedure, arguments(procedure, **fields))]
    theirs = ask(both["libvirtd"].rw, call)
    ours = ask(both["virtrio"].rw, call)
    assert normalised(procedure, ours) == normalised(procedure, theirs), label


@pytest.mark.parametrize(("label", "procedure", "fields"), AT_LIMIT, ids=[c[0] for c in AT_LIMIT])
def test_a_bound_at_its_limit_is_served(both: dict, label: str, procedure: int, fields: dict[str, Any]) -> None:
    before, after = AROUND.get(procedure, ([], []))
    calls = [*before, (procedure, arguments(procedure, **fields)), *after]
    ours = ask(both["virtrio"].rw, calls)
    if procedure not in NOT_IN_THE_TEST_DRIVER:
        assert normalised(procedure, ours) == normalised(procedure, ask(both["libvirtd"].rw, calls)), label
    assert all(reply[0] == "ok" for reply in ours), (label, ours)


def normalised(procedure: int, replies: list[tuple]) -> list[tuple]:
    """Replies with what is volatile in libvirtd too fixed: a vCPU's CPU time (the clock) is
    zeroed, lists that come in hash-table order (random per libvirtd process) are sorted."""
    name = remote.PROCEDURES[procedure].name
    unordered = UNORDERED.search(name) is not None
    if procedure != remote.REMOTE_PROC_DOMAIN_GET_VCPUS and not unordered:
        return replies
    result = []
    for reply in replies:
        if reply[0] == "ok":
            codec = remote.PROCEDURES[procedure].ret
            value = codec.decode(reply[1])
            if unordered:
                for slot in type(value).__slots__:
                    if isinstance(getattr(value, slot), list):
                        setattr(value, slot, sorted(getattr(value, slot), key=repr))
            else:
                for info in value.info:
                    info.cpu_time = 0
            reply = ("ok", codec.encode(value))
        result.append(reply)
    return result


# Unknown flags on the list calls: refused (or not) as libvirtd refuses them. The calls
# virtrio answers beyond libvirt's test driver (README: node device lists, secrets,
# network filters and bindings) are left out.
BEYOND_THE_TEST_DRIVER = {
    remote.REMOTE_PROC_CONNECT_LIST_ALL_NODE_DEVICES,
    remote.REMOTE_PROC_CONNECT_LIST_ALL_NWFILTERS,
    remote.REMOTE_PROC_CONNECT_LIST_ALL_SECRETS,
    remote.REMOTE_PROC_CONNECT_LIST_ALL_NWFILTER_BINDINGS,
}
REFS = {
    remote.remote_nonnull_storage_pool: remote.remote_nonnull_storage_pool(
        "default-pool", uuid.UUID("dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566").bytes
    ),
    remote.remote_nonnull_network: remote.remote_nonnull_network(
        "default", uuid.UUID("dd8fe884-6c02-601e-7551-cca97df1c5df").bytes
    ),
}
LIST_CALLS = sorted(
    number
    for number, procedure in remote.PROCEDURES.items()
    if procedure.args is not None
    and not procedure.is_event
    and any(word in procedure.name for word in ("LIST", "NUM_OF", "SNAPSHOT_NUM"))
    and "flags" in type(zero_value(LAYOUTS, StructRef(procedure.args.name))).__slots__
    and number not in BEYOND_THE_TEST_DRIVER
)


def list_arguments(procedure: int, flags: int) -> bytes:
    codec = remote.PROCEDURES[procedure].args
    value = zero_value(LAYOUTS, StructRef(codec.name))
    for slot in type(value).__slots__:
        current = getattr(value, slot)
        if isinstance(current, remote.remote_nonnull_domain):
            setattr(value, slot, TEST_DOMAIN)
        elif type(current) in REFS:
            setattr(value, slot, REFS[type(current)])
        elif slot in ("maxnames", "need_results"):
            setattr(value, slot, 10 if slot == "maxnames" else 1)
    value.flags = flags
    return codec.encode(value)


def test_list_calls_are_walked() -> None:
    assert len(LIST_CALLS) >= 14


@pytest.mark.parametrize("flags", [0x80000000, 0x40000000, 0])
@pytest.mark.parametrize("procedure", LIST_CALLS, ids=[remote.PROCEDURES[n].name for n in LIST_CALLS])
def test_list_flags_answered_as_libvirtd_answers(both: dict, procedure: int, flags: int) -> None:
    call = [(procedure, list_arguments(procedure, flags))]
    ours = ask(both["virtrio"].rw, call)
    assert normalised(procedure, ours) == normalised(procedure, ask(both["libvirtd"].rw, call))
