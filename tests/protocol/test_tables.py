"""The generated procedure tables: counts, density, naming convention, annotations."""

from __future__ import annotations

import importlib

import pytest

from virtrio.protocol.generated import admin, keepalive, lxc, qemu, remote
from virtrio.protocol.sources import ProtocolSources

PROGRAMS = {
    "remote": (remote, 0x20008086, 443),
    "qemu": (qemu, 0x20008087, 7),
    "lxc": (lxc, 0x00068000, 1),
    "admin": (admin, 0x06900690, 19),
    "keepalive": (keepalive, 0x6B656570, 2),
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_table_is_dense_and_complete(name: str) -> None:
    module, program, count = PROGRAMS[name]
    assert program == module.PROGRAM
    assert module.PROTOCOL_VERSION == 1
    assert sorted(module.PROCEDURES) == list(range(1, count + 1))
    for number, procedure in module.PROCEDURES.items():
        assert procedure.number == number
        assert procedure.program == program


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_every_payload_struct_is_attached_and_none_is_orphaned(name: str, sources: ProtocolSources) -> None:
    module = PROGRAMS[name][0]
    attached = set()
    for procedure in module.PROCEDURES.values():
        stem = f"{name}_{procedure.name.lower()}"
        expected_args = stem + ("_msg" if procedure.is_event else "_args")
        assert (procedure.args.name if procedure.args else None) == (
            expected_args if expected_args in module.CODECS else None
        )
        assert (procedure.ret.name if procedure.ret else None) == (
            stem + "_ret" if stem + "_ret" in module.CODECS else None
        )
        for codec in (procedure.args, procedure.ret):
            if codec is not None:
                attached.add(codec.name)
    payloads = {n for n in module.CODECS if n.endswith(("_args", "_ret", "_msg")) and sources.type_home[n] == name}
    assert payloads - attached == set()


def test_remote_annotations() -> None:
    procedures = remote.PROCEDURES
    assert sum(p.high_priority for p in procedures.values()) == 184
    assert procedures[1].name == "CONNECT_OPEN" and procedures[1].high_priority
    assert procedures[1].acl == ("connect:getattr",)
    assert procedures[11].acl == ("domain:write", "domain:save")
    assert procedures[273].aclfilter == ("domain:getattr",)
    assert procedures[211].stream == "read"  # screenshot: daemon to client
    assert procedures[208].stream == "write" and procedures[208].sparse_flag == "VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM"
    assert procedures[209].stream == "read" and procedures[209].sparse_flag == "VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM"
    assert procedures[304].stream == "write"  # the explicit override
    streams = {n for n, p in procedures.items() if p.stream}
    assert streams == {148, 201, 208, 209, 211, 215, 296, 304}
    assert procedures[318].is_event and procedures[318].args.name == "remote_domain_event_callback_lifecycle_msg"
    assert procedures[16].generate == "both"
    events = [p for p in procedures.values() if p.is_event]
    assert all(p.ret is None for p in events)


def test_generated_modules_need_only_the_standard_library() -> None:
    import ast
    import sys
    from pathlib import Path

    generated = Path(importlib.import_module("virtrio.protocol.generated").__file__).parent
    paths = list(generated.rglob("*.py"))
    assert any(path.parent.name == "remote_codecs" for path in paths)  # the split program's parts are covered
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in sys.stdlib_module_names, f"{path.name} imports {name}"


def test_list_bounds_follow_gendispatch_rules() -> None:
    """Every generated list call carries its "max<name> > LIMIT" check; hand-written ones do not."""
    from virtrio.protocol.generated import remote

    procedures = remote.PROCEDURES
    assert procedures[remote.REMOTE_PROC_CONNECT_LIST_NETWORKS].list_bound == (
        "maxnames",
        remote.REMOTE_NETWORK_LIST_MAX,
        "REMOTE_NETWORK_LIST_MAX",
    )
    assert procedures[remote.REMOTE_PROC_CONNECT_LIST_SECRETS].list_bound == (
        "maxuuids",
        remote.REMOTE_SECRET_LIST_MAX,
        "REMOTE_SECRET_LIST_MAX",
    )
    assert procedures[remote.REMOTE_PROC_NODE_GET_CELLS_FREE_MEMORY].list_bound[0] == "maxcells"
    # written by hand in libvirt (generate: none), so checked by server/dispatch_checks.py instead
    assert procedures[remote.REMOTE_PROC_DOMAIN_GET_VCPUS].list_bound is None
    # the modern list calls check the driver's count after the call, not an argument
    assert procedures[remote.REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS].list_bound is None
    bounded = [p for p in procedures.values() if p.list_bound]
    assert len(bounded) == 16 and all(p.generate in ("both", "server") for p in bounded)
