"""Every mistake a user can make starting the daemon ends in one line on stderr and a non-zero
exit status, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from interop.daemons import stop_process, wait_for_socket

DAEMON = [sys.executable, "-m", "virtrio.server.cli", "daemon"]
# Root passes every permission check; without these two capabilities it meets them as others do.
AS_ORDINARY = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] if os.geteuid() == 0 else []


def start(tmp_path: Path, *arguments: str, config: str | None = None, ordinary: bool = False) -> tuple[int, str]:
    command = list(DAEMON)
    if config is not None:
        (tmp_path / "bad.conf").write_text(config)
        command += ["-f", str(tmp_path / "bad.conf")]
    if ordinary:
        assert not AS_ORDINARY or shutil.which("setpriv"), "setpriv (util-linux) is needed"
        command = AS_ORDINARY + command
    result = subprocess.run([*command, "-t", "1", *arguments], capture_output=True, text=True, timeout=60)
    return result.returncode, result.stderr


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("virtrio: "), stderr
    return lines[0]


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o500)
    closed.chmod(0o500)
    plain = tmp_path / "plain-file"
    plain.write_text("x")
    secret = tmp_path / "secret.conf"
    secret.write_text("max_clients = 5\n")
    secret.chmod(0o000)
    return {"closed": closed, "file": plain, "secret": secret, "base": tmp_path}


CASES = {
    "socket folder not writable": (
        lambda p: ["--socket-dir", str(p["closed"] / "s")],
        None,
        True,
        "cannot make the socket folder {closed}/s: Permission denied",
    ),
    "socket folder is a file": (
        lambda p: ["--socket-dir", str(p["file"])],
        None,
        False,
        "the socket folder {file} is not a folder",
    ),
    "socket folder under a file": (
        lambda p: ["--socket-dir", str(p["file"] / "s")],
        None,
        False,
        "cannot make the socket folder {file}/s: a part of that path is a file, not a folder",
    ),
    "socket file not removable": (
        lambda p: ["--socket-dir", str(p["closed"])],
        None,
        True,
        "cannot listen on {closed}: Permission denied",
    ),
    "config missing": (
        lambda p: ["-f", str(p["base"] / "none.conf"), "--socket-dir", str(p["base"] / "s")],
        None,
        False,
        "cannot read {base}/none.conf: No such file or directory",
    ),
    "config unreadable": (
        lambda p: ["-f", str(p["secret"]), "--socket-dir", str(p["base"] / "s")],
        None,
        True,
        "cannot read {secret}: Permission denied",
    ),
    "config is a folder": (
        lambda p: ["-f", str(p["closed"]), "--socket-dir", str(p["base"] / "s")],
        None,
        False,
        "cannot read {closed}: Is a directory",
    ),
    "config syntax": (
        lambda p: ["--socket-dir", str(p["base"] / "s")],
        "max_clients = \n",
        False,
        "{base}/bad.conf: line 1: max_clients: expected a value",
    ),
    "log output text": (
        lambda p: ["--socket-dir", str(p["base"] / "s")],
        'log_outputs = "1:nowhere"\n',
        False,
        "{base}/bad.conf: Invalid log destination 'nowhere' for log output '1:nowhere'",
    ),
    "log file not writable": (
        lambda p: ["--socket-dir", str(p["base"] / "s")],
        None,
        True,
        "{base}/bad.conf: failed to open {closed}/v.log: Permission denied",
    ),
    "unknown socket group": (
        lambda p: ["--socket-dir", str(p["base"] / "s")],
        'unix_sock_group = "no-such-group-here"\n',
        False,
        "{base}/bad.conf: unix_sock_group on line 1: Failed to parse group 'no-such-group-here'",
    ),
    "pid file not writable": (
        lambda p: ["-p", str(p["closed"] / "v.pid"), "--socket-dir", str(p["base"] / "s")],
        None,
        True,
        "cannot write the PID file {closed}/v.pid: Permission denied",
    ),
    "pid folder is a file": (
        lambda p: ["-p", str(p["file"] / "v.pid"), "--socket-dir", str(p["base"] / "s")],
        None,
        False,
        "the PID file's folder {file} is not a folder",
    ),
    "node file missing": (
        lambda p: ["--default-uri", f"test://{p['base']}/node.xml", "--socket-dir", str(p["base"] / "s")],
        None,
        False,
        "default_uri test://{base}/node.xml: cannot read the node file {base}/node.xml",
    ),
    "fault rule": (
        lambda p: ["--socket-dir", str(p["base"] / "s")],
        'fault_rules = ["\'unclosed"]\n',
        False,
        '{base}/bad.conf: fault rule "\'unclosed": No closing quotation',
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_user_error_is_one_line_and_a_failure(case: str, places: dict[str, Path]) -> None:
    arguments, config, ordinary, expected = CASES[case]
    if case == "log file not writable":
        config = f'log_outputs = "1:file:{places["closed"]}/v.log"\n'
    status, stderr = start(places["base"], *arguments(places), config=config, ordinary=ordinary)
    assert status != 0
    assert one_line(stderr) == "virtrio: " + expected.format(**places)


def test_a_live_daemon_on_the_sockets_is_one_line(tmp_path: Path) -> None:
    first = subprocess.Popen(
        [*DAEMON, "--socket-dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_socket(tmp_path / "libvirt-sock", first)
        status, stderr = start(tmp_path, "--socket-dir", str(tmp_path))
        assert status == 1
        assert one_line(stderr) == f"virtrio: another daemon is already listening on {tmp_path}/libvirt-sock"
    finally:
        stop_process(first)
