"""The daemon's quick reading of its command line gives what argparse gives, or leaves it to argparse."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

from virtrio.server.cli import QUICK_FLAGS, build_parser, quick_daemon_options

VALUES = {
    "config": "/etc/x.conf",
    "timeout": "2.5",
    "pid_file": "p.pid",
    "socket_dir": "/tmp/s",
    "default_uri": "x:///",
}


def argparse_reading(argv: list[str]) -> dict[str, object]:
    parser, _daemon = build_parser()
    options, extra = parser.parse_known_args(argv)
    assert not extra
    return vars(options)


def test_every_daemon_flag_is_known_to_both_readings() -> None:
    _parser, daemon = build_parser()
    flags = {flag for action in daemon._actions for flag in action.option_strings}
    assert set(QUICK_FLAGS) == flags - {"-h", "--help", "-V", "--version"}


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_flag_combinations_read_alike(count: int) -> None:
    # Every ordered pair (a flag given twice, long and short: the last counts), every triple.
    choose = itertools.permutations if count <= 2 else itertools.combinations
    for flags in choose(QUICK_FLAGS, count):
        argv = ["daemon"]
        for flag in flags:
            key, convert = QUICK_FLAGS[flag]
            argv += [flag] if convert is None else [flag, VALUES[key]]
        quick = quick_daemon_options(argv)
        assert quick is not None, argv
        assert vars(quick) == argparse_reading(argv), argv


@pytest.mark.parametrize(
    "argv",
    [
        ["daemon", "--timeout", "0", "--timeout", "7"],  # the last one counts, as with argparse
        ["daemon", "--default-uri", ""],
        ["daemon", "--socket-dir", ""],
        ["daemon", "-t", "1e3", "--config", "daemon"],
        ["daemon", "-t", "nan"],
    ],
)
def test_edge_values_read_alike(argv: list[str]) -> None:
    quick = quick_daemon_options(argv)
    assert quick is not None
    assert repr(vars(quick)) == repr(argparse_reading(argv))  # repr: nan != nan


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["pki", "ca"],
        ["-V"],
        ["daemon", "--help"],
        ["daemon", "-V"],
        ["daemon", "--timeout=30"],
        ["daemon", "-t30"],
        ["daemon", "-vl"],
        ["daemon", "--time", "30"],  # an abbreviation: argparse's to accept
        ["daemon", "-t", "-1"],
        ["daemon", "-t", "soon"],
        ["daemon", "--timeout"],
        ["daemon", "--default-uri", "--verbose"],
        ["daemon", "--bogus"],
        ["daemon", "--", "-v"],
    ],
)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert quick_daemon_options(argv) is None


def test_argparse_still_reads_and_refuses_the_rest() -> None:
    assert argparse_reading(["daemon", "-vl", "-t30", "--time=5"])["timeout"] == 5.0
    done = subprocess.run(
        [sys.executable, "-m", "virtrio.server.cli", "daemon", "-t", "soon"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert "virtrio daemon: error: argument -t/--timeout: invalid float value: 'soon'" in done.stderr
