"""Run the scenario corpus through stock clients against libvirtd and virtrio, and compare.

A scenario is a file in interop/corpus/:

- ``*.virsh``: one virsh command per line, each run as its own ``virsh`` process. Header
  comments set the URI (``# uri: test:///default``, or ``# uri: node:testnode.xml`` for
  ``test:///abs/path`` of a file among ../shared/libvirt-9.0.0/test-driver-examples) and
  ``# read-only: yes``. While a test:///default scenario runs, a held connection keeps
  the state alive between commands (libvirtd resets it when its last connection closes).
- ``*.py``: a script run with Debian's libvirt-python; argv[1] is the URI.

Each command's exit status, output and errors are compared after normalising only what is
truly volatile: socket paths, UUIDs the scenario did not choose, CPU times and clocks.
Each command's traffic also goes through a recording proxy, and the daemon's reply packets
are decoded and compared field by field after the same normalisation (interop/packets.py).
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from virtrio.protocol.generated import remote

from .daemons import RunningDaemon, remove, start_libvirtd, start_virtrio
from .packets import differences, replies

CORPUS = Path(__file__).resolve().parent / "corpus"
EXAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "libvirt-9.0.0" / "test-driver-examples"
SYSTEM_PYTHON = "/usr/bin/python3"
# Python scenarios run as ``python -c TEXT``; interop/corpus/steps holds what several share.
SCENARIO_ENVIRONMENT = {**os.environ, "PYTHONPATH": str(CORPUS)}
CRASHED = "Traceback (most recent call last):"  # a script that died: the scenario is broken
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
# UUIDs a scenario chose (test:///default's objects, the example files, the corpus itself)
# are compared as they are; any other UUID was made up by the daemon and is normalised.
DEFAULT_UUIDS = {
    "6695eb01-f6a4-8304-79aa-97f2502e193f",
    "dd8fe884-6c02-601e-7551-cca97df1c5df",
    "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566",
    "11111111-2222-3333-4444-555555555555",
}


def chosen_uuids() -> set[str]:
    found = set(DEFAULT_UUIDS)
    for directory in (EXAMPLES, CORPUS):
        if directory.is_dir():
            for path in directory.iterdir():
                if path.is_file():
                    found.update(UUID.findall(path.read_text(errors="replace")))
    return found


@dataclass
class Scenario:
    name: str
    path: Path
    kind: str  # "virsh" or "python"
    uri: str = "test:///default"
    read_only: bool = False
    commands: list[str] = field(default_factory=list)


def load_corpus(directory: Path = CORPUS, only: list[str] | None = None) -> list[Scenario]:
    scenarios = []
    for path in sorted(directory.iterdir()):
        if path.suffix not in (".virsh", ".py") or (only and path.stem not in only):
            continue
        scenario = Scenario(path.stem, path, "virsh" if path.suffix == ".virsh" else "python")
        for line in path.read_text().splitlines():
            stripped = line.strip()
            header = re.match(r"#\s*(uri|read-only):\s*(\S+)", stripped)
            if header:
                key, value = header.groups()
                if key == "uri":
                    scenario.uri = value
                else:
                    scenario.read_only = value == "yes"
            elif scenario.kind == "virsh" and stripped and not stripped.startswith("#"):
                scenario.commands.append(stripped)
        if scenario.kind == "python":
            scenario.commands = [path.read_text()]
        scenarios.append(scenario)
    return scenarios


def client_uri(scenario: Scenario, daemon: RunningDaemon, socket_path: Path | None = None) -> str:
    uri = scenario.uri
    if uri.startswith("node:"):
        uri = f"test://{EXAMPLES / uri[5:]}"
    scheme, rest = uri.split("://", 1)
    sock = socket_path or (daemon.ro if scenario.read_only else daemon.rw)
    return f"{scheme}+unix://{rest}?socket={sock}"


class Holder:
    """A raw connection that keeps test:///default's state alive between commands."""

    def __init__(self, daemon: RunningDaemon) -> None:
        import socket

        from virtrio.rpc.packet import Header, encode_packet

        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(str(daemon.rw))
        args = remote.CODECS["remote_connect_open_args"].encode(remote.remote_connect_open_args("test:///default", 0))
        self.sock.sendall(encode_packet(Header(remote.PROGRAM, 1, remote.REMOTE_PROC_CONNECT_OPEN, 0, 1, 0), args))
        self.sock.settimeout(10)
        self.sock.recv(4096)

    def close(self) -> None:
        self.sock.close()


def normalise(text: str, daemon: RunningDaemon, known_uuids: set[str]) -> str:
    text = text.replace(str(daemon.directory / "sock"), "<sockets>")
    text = UUID.sub(lambda m: m.group() if m.group() in known_uuids else "<uuid>", text)
    text = re.sub(r"CPU time:\s+\S+", "CPU time: <time>", text)
    text = re.sub(r"(cpu[._]time\S*\s*:?\s*)\d+", r"\1<time>", text)
    # The test driver derives block and interface counters from the clock.
    text = re.sub(r"^(\S+ (?:rd|wr|rx|tx)_\w+|\S+ errs|\S+ rx_\w+) \d+$", r"\1 <counter>", text, flags=re.M)
    text = re.sub(r"^( (?:number of|error count)[^:]*:\s+)\d+$", r"\1<counter>", text, flags=re.M)
    # Creation times of snapshots and checkpoints.
    text = re.sub(r"<creationTime>\d+</creationTime>", "<creationTime>…</creationTime>", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}", "<date>", text)
    return text


def run_scenario(
    scenario: Scenario, daemon: RunningDaemon, socket_path: Path | None = None, packets: list | None = None
) -> list[str]:
    """One normalised transcript entry per command: exit status, output, errors.

    With packets (a list), each command's normalised replies are appended to it, recorded
    through a proxy in front of the daemon's socket.
    """
    known_uuids = chosen_uuids()
    proxy = None
    if packets is not None:
        from .capture import RecordingProxy

        target = socket_path or (daemon.ro if scenario.read_only else daemon.rw)
        proxy = RecordingProxy(daemon.directory / "sock" / "proxy-sock", target)
        socket_path = proxy.path
    holder = Holder(daemon) if scenario.uri == "test:///default" else None
    uri = client_uri(scenario, daemon, socket_path)
    transcript = []
    try:
        for command in scenario.commands:
            start = len(proxy.records) if proxy is not None else 0
            if scenario.kind == "virsh":
                argv = ["virsh", "-c", uri]
                if scenario.read_only:
                    argv.insert(1, "-r")
                argv += [command.replace("{examples}", str(EXAMPLES)).replace("{corpus}", str(CORPUS))]
            else:
                argv = [SYSTEM_PYTHON, "-c", command, uri]
            try:
                result = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=SCENARIO_ENVIRONMENT)
                entry = f"rc={result.returncode}\n{result.stdout}--- stderr\n{result.stderr}"
            except subprocess.TimeoutExpired:
                entry = "timed out after 60 s"
            transcript.append(normalise(entry, daemon, known_uuids))
            if proxy is not None and packets is not None:
                proxy.settle()
                packets.append(replies(proxy.records[start:], lambda text: normalise(text, daemon, known_uuids)))
    finally:
        if holder is not None:
            holder.close()
        if proxy is not None:
            proxy.close()
    return transcript


def entry_verdict(kind: str, want: str, got: str) -> str:
    """ "identical", "different", or "broken" for a Python scenario that died against libvirtd:
    the same crash on both sides would compare equal and show nothing (it counts as a miss)."""
    if kind == "python" and CRASHED in want:
        return "broken"
    return "identical" if want == got else "different"


def run(
    fail_under: float | None,
    only: list[str] | None = None,
    reference_twice: bool = False,
    fail_packet_diffs_over: int | None = None,
) -> int:
    scenarios = load_corpus(only=only)
    workdir = Path(tempfile.mkdtemp(prefix="virtrio-compare-"))
    total = identical = 0
    packet_total = packet_diffs = 0
    try:
        for scenario in scenarios:
            reference = start_libvirtd(workdir / f"{scenario.name}-ref")
            expected_packets: list = []
            actual_packets: list = []
            try:
                expected = run_scenario(scenario, reference, packets=expected_packets)
            finally:
                reference.stop()
            if reference_twice:
                other = start_libvirtd(workdir / f"{scenario.name}-ref2")
            else:
                other = start_virtrio(workdir / f"{scenario.name}-ours")
            try:
                actual = run_scenario(scenario, other, packets=actual_packets)
            finally:
                other.stop()
            for command, theirs, ours in zip(scenario.commands, expected_packets, actual_packets, strict=True):
                packet_total += max(len(theirs), len(ours))
                found = differences(theirs, ours)
                packet_diffs += len(found)
                if found:
                    label = command if scenario.kind == "virsh" else "(script)"
                    print(f"PACKETS {scenario.name}: {label}\n    " + "\n    ".join(found[:8]))
            for command, want, got in zip(scenario.commands, expected, actual, strict=True):
                total += 1
                verdict = entry_verdict(scenario.kind, want, got)
                if verdict == "broken":
                    print(f"BROKEN {scenario.name}: the script died against libvirtd\n    " + want[-600:])
                    continue
                if verdict == "identical":
                    identical += 1
                    continue
                label = command if scenario.kind == "virsh" else "(script)"
                diff = difflib.unified_diff(
                    want.splitlines(), got.splitlines(), "libvirtd", "virtrio", lineterm="", n=1
                )
                print(f"DIFF {scenario.name}: {label}\n    " + "\n    ".join(list(diff)[2:14]))
    finally:
        remove(workdir)
    score = 100.0 * identical / total if total else 0.0
    print(f"identical {identical}/{total}")
    print(f"packet differences {packet_diffs} in {packet_total} replies")
    if fail_under is not None and score < fail_under:
        print(f"score {score:.1f}% is under the gate of {fail_under}%")
        return 1
    if fail_packet_diffs_over is not None and packet_diffs > fail_packet_diffs_over:
        print(f"{packet_diffs} packet differences are over the gate of {fail_packet_diffs_over}")
        return 1
    return 0
