"""Reading a node file: what was opened is what is checked, so a symlink swapped between the
folder check and the open cannot lead out of test_node_file_dirs; special files never block."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from virtrio.drivers.test.node_file import AllowedFolders, load_node_file, read_node_file
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError


def test_a_symlink_swapped_meanwhile_never_leaks_the_file_outside(tmp_path: Path) -> None:
    allowed_dir = tmp_path / "allowed"
    allowed_dir.mkdir()
    inside = allowed_dir / "inside.xml"
    inside.write_text("<node>inside</node>")
    outside = tmp_path / "secret.xml"
    outside.write_text("<node>secret</node>")
    link = allowed_dir / "node.xml"
    link.symlink_to(inside)
    allowed = AllowedFolders([str(allowed_dir)])
    stop = threading.Event()

    def swap() -> None:
        # rename() replaces the link atomically, so the path always exists
        spare = allowed_dir / "spare"
        while not stop.is_set():
            for target in (outside, inside):
                spare.unlink(missing_ok=True)
                spare.symlink_to(target)
                os.replace(spare, link)

    swapper = threading.Thread(target=swap)
    swapper.start()
    read, refused = 0, 0
    try:
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                text = read_node_file(link, allowed)
            except LibvirtError as error:
                assert (error.code, error.domain) == (api.VIR_ERR_ACCESS_DENIED, api.VIR_FROM_TEST)
                assert "secret" not in (error.message or "")
                refused += 1
                continue
            assert text == "<node>inside</node>"
            read += 1
    finally:
        stop.set()
        swapper.join()
    assert read and refused  # both outcomes happened, so the swap really raced the reads


@pytest.mark.parametrize("special", ["fifo", "dev/zero"])
def test_special_files_are_read_at_once(tmp_path: Path, special: str) -> None:
    if special == "fifo":
        path = tmp_path / "node.fifo"
        os.mkfifo(path)  # nobody ever writes: a blocking open or read would hang here
    else:
        path = Path("/dev/zero")
    started = time.monotonic()
    assert read_node_file(path, AllowedFolders([])) == ""  # text stops at the first NUL
    assert time.monotonic() - started < 1


TEST_NS = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'"
REFERENCES = {
    "snapshot": (
        f"<domain type='test' {TEST_NS}><name>d</name><memory>1024</memory><os><type>hvm</type></os>"
        "<test:domainsnapshot file='{}'/></domain>"
    ),
    "volume": "<pool type='dir'><name>p</name><target><path>/p</path></target><volume file='{}'/></pool>",
    "device": "<device file='{}'/>",
    "interface": "<interface file='{}'/>",
    "pool": "<pool file='{}'/>",
    "network": "<network file='{}'/>",
}


@pytest.mark.parametrize("kind", REFERENCES)
def test_every_file_reference_is_checked_as_the_node_file_is(tmp_path: Path, kind: str) -> None:
    allowed_dir = tmp_path / "allowed"
    allowed_dir.mkdir()
    outside = tmp_path / "outside.xml"
    outside.write_text("<secret/>")
    node_file = allowed_dir / "node.xml"
    node_file.write_text("<node>" + REFERENCES[kind].format(outside) + "</node>")
    with pytest.raises(LibvirtError) as refused:
        load_node_file(node_file, AllowedFolders([str(allowed_dir)]))
    assert (refused.value.code, refused.value.domain) == (api.VIR_ERR_ACCESS_DENIED, api.VIR_FROM_TEST)
    assert refused.value.message == f"access denied: '{outside}' is outside the folders test_node_file_dirs allows"


def test_a_network_given_twice_leaves_the_loops_release_list_alone(tmp_path: Path) -> None:
    # load_node_file runs in a worker thread; release_after_reply's list is the event loop's
    from virtrio.drivers import base

    network = (
        "<network><name>twice</name><uuid>3bd4e9bc-0d5c-4a3f-9b41-3c3e3bfbd0a1</uuid>"
        "<ip address='10.1.2.1' prefix='24'/></network>"
    )
    node = tmp_path / "node.xml"
    node.write_text(f"<node>{network}{network}</node>")
    before = list(base.RELEASE_AFTER_REPLY)
    state = load_node_file(node)
    assert before == base.RELEASE_AFTER_REPLY
    assert state.networks["twice"].active and state.networks["twice"].new_definition is not None
