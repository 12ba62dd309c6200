"""Sys::Virt's own tests against both daemons, and what they found: pool source conflicts."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import pytest

from interop.daemons import RunningDaemon
from virtrio.protocol.generated import remote

from .side_by_side import ask, encode_args

UNAVAILABLE = 3  # interop.perl_suite's exit status when neither Sys::Virt's tests nor its examples are at hand


@pytest.fixture(scope="module")
def perlsuite() -> str:
    """The output of python -m interop perlsuite (both daemons, fresh)."""
    result = subprocess.run([sys.executable, "-m", "interop", "perlsuite"], capture_output=True, text=True, timeout=900)
    if result.returncode == UNAVAILABLE:
        pytest.skip(result.stdout.strip())
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_sys_virts_own_tests_give_the_same_results(perlsuite: str) -> None:
    missing = re.search(r"^t/: not available: (.*)$", perlsuite, re.M)
    if missing:
        pytest.skip(missing.group(1))
    assertions = re.search(r"^assertions same (\d+)/(\d+)", perlsuite, re.M)
    assert assertions and assertions.group(1) == assertions.group(2) and int(assertions.group(2)) >= 100, perlsuite
    files = re.findall(r"^(SAME|DIFF) t/", perlsuite, re.M)
    assert len(files) >= 6 and set(files) == {"SAME"}, perlsuite


def test_sys_virts_example_programs_print_the_same(perlsuite: str) -> None:
    missing = re.search(r"^examples: not available: (.*)$", perlsuite, re.M)
    if missing:
        pytest.skip(missing.group(1))
    examples = re.search(r"^examples same (\d+)/(\d+)$", perlsuite, re.M)
    assert examples and examples.group(1) == examples.group(2) and int(examples.group(2)) >= 10, perlsuite
    total = re.search(r"^same (\d+)/(\d+)$", perlsuite, re.M)
    assert total and total.group(1) == total.group(2), perlsuite


def pool(kind: str, name: str, number: int, source: str = "", target: str | None = None) -> str:
    path = f"<target><path>{target}</path></target>" if target else ""
    uuid = f"12341234-5678-5678-5678-1234123412{number:02d}"
    return f"<pool type='{kind}'><name>{name}</name><uuid>{uuid}</uuid><source>{source}</source>{path}</pool>"


NFS = "<host name='nfs.example.com'/><dir path='/export'/><format type='nfs'/>"
GLUSTER = "<host name='gluster.example.com'/><name>volume</name><dir path='/sub'/>"
ISCSI = "<host name='iscsi.example.com'/><device path='iqn.2013-06.com.example:target'/>"
WWN = "wwnn='20000000c9831b4b' wwpn='10000000c9831b4b'"
# Pairs of pools: the second is defined while the first (or test:///default's default-pool) is.
PAIRS = {
    "dir-on-default-pool": (None, pool("dir", "p2", 2, target="/default-pool")),
    "dir-same-path": (pool("dir", "p1", 1, target="/a"), pool("dir", "p2", 2, target="/a")),
    "dir-other-path": (pool("dir", "p1", 1, target="/a"), pool("dir", "p2", 2, target="/b")),
    "netfs-same-export": (pool("netfs", "p1", 1, NFS, "/m1"), pool("netfs", "p2", 2, NFS, "/m2")),
    "netfs-other-port": (
        pool("netfs", "p1", 1, NFS, "/m1"),
        pool("netfs", "p2", 2, NFS.replace("'/>", "' port='2049'/>", 1), "/m2"),
    ),
    "gluster-same-volume": (pool("gluster", "p1", 1, GLUSTER), pool("gluster", "p2", 2, GLUSTER)),
    "fs-and-logical-one-device": (
        pool("fs", "p1", 1, "<device path='/dev/sdb1'/>", "/m1"),
        pool("logical", "p2", 2, "<device path='/dev/sdb1'/><name>vg</name>", "/dev/vg"),
    ),
    "iscsi-same-target": (pool("iscsi", "p1", 1, ISCSI, "/dev/disk/by-path"), pool("iscsi", "p2", 2, ISCSI, "/d")),
    "iscsi-other-initiator": (
        pool("iscsi", "p1", 1, ISCSI, "/dev/disk/by-path"),
        pool("iscsi", "p2", 2, ISCSI + "<initiator><iqn name='iqn.2013-06.com.example:me'/></initiator>", "/d"),
    ),
    "fs-and-iscsi-one-device": (
        pool("fs", "p1", 1, "<device path='iqn.2013-06.com.example:target'/>", "/m1"),
        pool("iscsi", "p2", 2, ISCSI, "/d"),
    ),
    "scsi-host-spellings": (
        pool("scsi", "p1", 1, "<adapter type='scsi_host' name='host5'/>", "/d"),
        pool("scsi", "p2", 2, "<adapter type='scsi_host' name='scsi_host5'/>", "/d"),
    ),
    "scsi-fc-same-wwn": (
        pool("scsi", "p1", 1, f"<adapter type='fc_host' {WWN}/>", "/d"),
        pool("scsi", "p2", 2, f"<adapter type='fc_host' {WWN}/>", "/d"),
    ),
    "scsi-fc-parent-is-the-host": (
        pool("scsi", "p1", 1, f"<adapter type='fc_host' parent='scsi_host5' {WWN}/>", "/d"),
        pool("scsi", "p2", 2, "<adapter type='scsi_host' name='host5'/>", "/d"),
    ),
    "mpath-twice": (pool("mpath", "p1", 1, target="/dev/mapper"), pool("mpath", "p2", 2, target="/dev/mapper")),
    "sheepdog-same-host": (
        pool("sheepdog", "p1", 1, "<host name='localhost' port='7000'/><name>a</name>"),
        pool("sheepdog", "p2", 2, "<host name='localhost' port='7000'/><name>b</name>"),
    ),
    "vstorage-same-cluster": (
        pool("vstorage", "p1", 1, "<name>cluster</name>", "/m1"),
        pool("vstorage", "p2", 2, "<name>cluster</name>", "/m2"),
    ),
    "rbd-same-pool": (
        pool("rbd", "p1", 1, "<host name='ceph.example.com'/><name>rbd</name>"),
        pool("rbd", "p2", 2, "<host name='ceph.example.com'/><name>rbd</name>"),
    ),
}


def defines(*documents: str | None) -> list[tuple[int, bytes]]:
    procedure = remote.REMOTE_PROC_STORAGE_POOL_DEFINE_XML
    return [
        (procedure, encode_args(procedure, remote.remote_storage_pool_define_xml_args(document, 0)))
        for document in documents
        if document is not None
    ]


@pytest.mark.parametrize("case", sorted(PAIRS))
def test_a_pool_on_another_pools_storage_is_refused_as_libvirtd_refuses_it(
    both: dict[str, RunningDaemon], case: str
) -> None:
    """virStoragePoolObjSourceFindDuplicate: define and create name the pool already using it."""
    first, second = PAIRS[case]
    answers = {name: ask(daemon.rw, defines(first, second)) for name, daemon in both.items()}
    assert answers["virtrio"] == answers["libvirtd"]


def call(name: str, *arguments: object) -> tuple[int, bytes]:
    procedure = getattr(remote, f"REMOTE_PROC_{name.upper()}")
    return procedure, encode_args(procedure, getattr(remote, f"remote_{name}_args")(*arguments))


P1 = remote.remote_nonnull_storage_pool("p1", uuid.UUID("12341234-5678-5678-5678-123412341201").bytes)
DEFAULT = remote.remote_nonnull_storage_pool("default-pool", uuid.UUID("dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566").bytes)
A, B = pool("dir", "p1", 1, target="/a"), pool("dir", "p1", 1, target="/b")
SHOW = [call("storage_pool_get_xml_desc", P1, 0), call("storage_pool_is_persistent", P1)]
SHOW += [call("storage_pool_is_active", P1), call("storage_pool_get_info", P1)]
STOP = [call("storage_pool_destroy", P1), *SHOW]
VOLUME = "<volume><name>v</name><capacity unit='M'>5</capacity><allocation unit='M'>5</allocation></volume>"
# Calls on one connection: what a pool of the same name and UUID does with a new definition.
SEQUENCES = {
    "redefine-stopped": [*defines(A, B), *SHOW],
    "redefine-running": [*defines(A), call("storage_pool_create", P1, 0), *defines(B), *SHOW, *STOP],
    "define-over-transient": [call("storage_pool_create_xml", A, 0), *defines(B), *SHOW, *STOP],
    "create-over-defined": [*defines(A), call("storage_pool_create_xml", B, 0), *SHOW, *STOP],
    "create-over-running": [*defines(A), call("storage_pool_create", P1, 0), call("storage_pool_create_xml", B, 0)],
    "uuid-of-another-name": [*defines(A, pool("dir", "p2", 1, target="/b")), *SHOW],
    "calls-on-a-gone-pool": [
        *defines(A),
        call("storage_pool_undefine", P1),
        *SHOW,
        call("storage_pool_list_all_volumes", P1, 1, 0),
        call("storage_pool_num_of_volumes", P1),
    ],
    "running-pool-with-volumes": [
        call("storage_vol_create_xml", DEFAULT, VOLUME, 0),
        call("storage_pool_get_info", DEFAULT),
        *defines(
            "<pool type='dir'><name>default-pool</name><uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>"
            "<target><path>/other</path></target></pool>"
        ),
        call("storage_pool_get_info", DEFAULT),
        call("storage_pool_get_xml_desc", DEFAULT, 0),
        call("storage_pool_num_of_volumes", DEFAULT),
    ],
}


@pytest.mark.parametrize("case", sorted(SEQUENCES))
def test_a_pool_defined_again_takes_the_definition_as_in_libvirtd(both: dict[str, RunningDaemon], case: str) -> None:
    """virStoragePoolObjIsDuplicate and virStoragePoolObjAssignDef, then the test driver's defaults."""
    answers = {name: ask(daemon.rw, SEQUENCES[case]) for name, daemon in both.items()}
    assert answers["virtrio"] == answers["libvirtd"]


U1 = "12341234-5678-5678-5678-123412341201"
DOMAIN = remote.remote_nonnull_domain("d1", uuid.UUID(U1).bytes, -1)
NETWORK = remote.remote_nonnull_network("n1", uuid.UUID(U1).bytes)
# Each object defined, undefined, then asked about: some calls look it up by name, some by UUID,
# and the error names what they looked for.
GONE = {
    "domain": [
        call(
            "domain_define_xml",
            f"<domain type='test'><name>d1</name><uuid>{U1}</uuid><memory>1024</memory>"
            "<os><type>hvm</type></os></domain>",
        ),
        call("domain_undefine", DOMAIN),
        *(call(name, DOMAIN) for name in ("domain_is_active", "domain_is_persistent", "domain_get_info")),
        call("domain_get_xml_desc", DOMAIN, 0),
    ],
    "network": [
        call("network_define_xml", f"<network><name>n1</name><uuid>{U1}</uuid><bridge name='virbr7'/></network>"),
        call("network_undefine", NETWORK),
        *(call(name, NETWORK) for name in ("network_is_active", "network_is_persistent", "network_get_autostart")),
        call("network_get_xml_desc", NETWORK, 0),
    ],
    "pool": [
        *defines(A),
        call("storage_pool_undefine", P1),
        *(call(name, P1) for name in ("storage_pool_is_active", "storage_pool_is_persistent", "storage_pool_get_info")),
        call("storage_pool_get_xml_desc", P1, 0),
        call("storage_pool_list_all_volumes", P1, 1, 0),
        call("storage_pool_num_of_volumes", P1),
    ],
}


@pytest.mark.parametrize("kind", sorted(GONE))
def test_calls_on_an_undefined_object_fail_as_in_libvirtd(both: dict[str, RunningDaemon], kind: str) -> None:
    answers = {name: ask(daemon.rw, GONE[kind]) for name, daemon in both.items()}
    outcomes = [answer[0] for answer in answers["libvirtd"]]
    assert outcomes[:2] == ["ok", "ok"] and outcomes[-3:] == ["error"] * 3
    assert answers["virtrio"] == answers["libvirtd"]
