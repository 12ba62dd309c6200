"""Node files a client names (test:///PATH): read as libvirtd reads them, never blocking the
daemon, never unbounded. Each outcome is compared with libvirtd's over the raw protocol."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from tests.e2e.daemon_process import RawClient
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote

from .side_by_side import ask, outcome

# Device files, a folder, a missing file, and a file whose text stops at a NUL byte before
# the environment that follows (libvirt quotes only the first entry in its error).
SPECIAL_PATHS = ["/dev/zero", "/dev/null", "/tmp", "/nonexistent.xml", "/proc/self/environ"]


def open_outcome(socket_path: Path, path: str) -> tuple:
    return ask(socket_path, [(remote.REMOTE_PROC_CONNECT_OPEN, open_args(f"test://{path}"))], uri=None)[0]


def open_args(uri: str) -> bytes:
    return remote.PROCEDURES[remote.REMOTE_PROC_CONNECT_OPEN].args.encode(remote.remote_connect_open_args(uri, 0))


@pytest.mark.parametrize("path", SPECIAL_PATHS)
def test_special_files_answered_as_libvirtd(both, path: str) -> None:
    answers = {name: open_outcome(daemon.rw, path) for name, daemon in both.items()}
    assert answers["virtrio"] == answers["libvirtd"]
    assert answers["virtrio"][0] == "error"


def test_environment_is_not_revealed(both) -> None:
    message = open_outcome(both["virtrio"].rw, "/proc/self/environ")[3]
    assert message.count("\n") == 2  # the file, the first entry, the pointer: nothing after the NUL


@pytest.mark.parametrize(
    "text",
    ["x" * (5 << 20) + "\n<node/>", "<node" + " " * (5 << 20) + "/>", "<node><domain file='missing.xml'/></node>"],
    ids=["5 MiB first line", "5 MiB of spaces", "missing referenced file"],
)
def test_large_and_broken_files_answered_as_libvirtd(both, tmp_path: Path, text: str) -> None:
    path = tmp_path / "node.xml"
    path.write_text(text)
    answers = {name: open_outcome(daemon.rw, str(path)) for name, daemon in both.items()}
    assert answers["virtrio"] == answers["libvirtd"]


def test_a_file_over_the_size_limit_is_refused_at_once(both, tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    with open(path, "wb") as huge:
        huge.truncate(64 << 20)  # sparse: no disk used
    answer = open_outcome(both["virtrio"].rw, str(path))
    assert answer[:3] == ("error", api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_TEST)
    assert "is larger than" in answer[3]


def test_a_fifo_holds_up_no_one(both, tmp_path: Path) -> None:
    """A FIFO whose writer never writes: virtrio answers its client, and others meanwhile."""
    fifo = tmp_path / "node.fifo"
    os.mkfifo(fifo)
    writer_ready = threading.Event()

    def hold_open() -> None:
        fd = os.open(fifo, os.O_RDWR)  # a writer that never writes
        writer_ready.set()
        time.sleep(20)
        os.close(fd)

    threading.Thread(target=hold_open, daemon=True).start()
    assert writer_ready.wait(5)
    daemon = both["virtrio"]
    waiting = RawClient(daemon.rw, timeout=10)
    try:
        answer = outcome(waiting.call(remote.REMOTE_PROC_CONNECT_OPEN, open_args(f"test://{fifo}")))
        assert answer[0] == "error" and "Document is empty" in answer[3]
        other = ask(daemon.rw, [(remote.REMOTE_PROC_CONNECT_GET_HOSTNAME, b"")])
        assert other[0][0] == "ok"
    finally:
        waiting.close()


def test_a_symlink_out_of_the_allowed_folders_is_refused(tmp_path: Path) -> None:
    from interop.daemons import start_virtrio

    allowed = tmp_path / "allowed"
    allowed.mkdir()
    outside = tmp_path / "outside.xml"
    outside.write_text("<node/>")
    (allowed / "link.xml").symlink_to(outside)
    (allowed / "inside.xml").write_text("<node/>")
    daemon = start_virtrio(tmp_path / "run", f'test_node_file_dirs = ["{allowed}"]\n')
    try:
        refused = open_outcome(daemon.rw, str(allowed / "link.xml"))
        assert refused[:3] == ("error", api.VIR_ERR_ACCESS_DENIED, api.VIR_FROM_TEST), refused
        assert open_outcome(daemon.rw, str(allowed / "inside.xml"))[0] == "ok"
    finally:
        daemon.stop()
