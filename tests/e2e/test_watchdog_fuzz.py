"""The watchdog: while fuzzers send mutated and maximal-argument packets for every procedure
on the read-write and the read-only socket, a watching client measures its own round trips.
No packet may hold up the daemon (its loop must stay free for others), and none may end in
a traceback. Bounded in time; the figures are printed (pytest -s shows them)."""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from pathlib import Path

from interop.daemons import start_virtrio
from virtrio.protocol.generated import remote

FUZZ_SECONDS = 12
WORST_ROUND_TRIP = 1.0  # seconds; generous for a shared machine, far below a stalled loop
# Calls that write files where the daemon runs, open streams or end the connection: left out.
LEFT_OUT = (
    "SAVE",
    "RESTORE",
    "CORE_DUMP",
    "UPLOAD",
    "DOWNLOAD",
    "SCREENSHOT",
    "OPEN_CONSOLE",
    "OPEN_CHANNEL",
    "CONNECT_OPEN",
    "CONNECT_CLOSE",
    "MIGRATE",
    "OPEN_GRAPHICS",
)
HUGE = 0x7FFFFFFF


def packet(procedure: int, serial: int, payload: bytes) -> bytes:
    header = struct.pack(">IIiIII", remote.REMOTE_PROGRAM, remote.REMOTE_PROTOCOL_VERSION, procedure, 0, serial, 0)
    return struct.pack(">I", len(header) + len(payload) + 4) + header + payload


def opened(path: Path) -> socket.socket:
    client = socket.socket(socket.AF_UNIX)
    client.settimeout(10)
    client.connect(str(path))
    args = remote.PROCEDURES[remote.REMOTE_PROC_CONNECT_OPEN].args.encode(
        remote.remote_connect_open_args("test:///default", 0)
    )
    client.sendall(packet(remote.REMOTE_PROC_CONNECT_OPEN, 0, args))
    read_reply(client)
    return client


def read_reply(client: socket.socket) -> bytes:
    data = b""
    while len(data) < 4 or len(data) < struct.unpack(">I", data[:4])[0]:
        chunk = client.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def payloads(rng: random.Random) -> list[bytes]:
    """Random bytes, huge counts and lengths, and a valid-looking domain with huge numbers."""
    domain = remote.CODECS["remote_nonnull_domain"].encode(
        remote.remote_nonnull_domain("test", bytes.fromhex("6695eb01f6a4830479aa97f2502e193f"), 1)
    )
    return [
        rng.randbytes(rng.randrange(0, 256)),
        struct.pack(">I", HUGE) * rng.randrange(1, 48),
        domain + struct.pack(">I", HUGE) * rng.randrange(1, 8),
        domain + rng.randbytes(rng.randrange(0, 64)),
    ]


def fuzz(path: Path, seed: int, deadline: float, counts: list[int], failures: list[str]) -> None:
    rng = random.Random(seed)
    procedures = [
        number
        for number, procedure in remote.PROCEDURES.items()
        if not procedure.is_event and not any(word in procedure.name for word in LEFT_OUT)
    ]
    client = opened(path)
    draining = threading.Thread(target=_drain, args=(client,), daemon=True)
    draining.start()
    serial = 1
    try:
        while time.monotonic() < deadline:
            number = rng.choice(procedures)
            for payload in payloads(rng):
                try:
                    client.sendall(packet(number, serial, payload))
                except OSError:  # dropped (a framing rule): start again
                    client = opened(path)
                    threading.Thread(target=_drain, args=(client,), daemon=True).start()
                serial += 1
                counts[0] += 1
    except Exception as error:  # reported by the test
        failures.append(repr(error))
    finally:
        client.close()


def _drain(client: socket.socket) -> None:
    try:
        while client.recv(1 << 20):
            pass
    except OSError:
        pass


def test_no_packet_holds_up_the_daemon(tmp_path: Path) -> None:
    daemon = start_virtrio(tmp_path / "run")
    deadline = time.monotonic() + FUZZ_SECONDS
    counts, failures = [0], []
    fuzzers = [
        threading.Thread(target=fuzz, args=(path, seed, deadline, counts, failures))
        for seed, path in enumerate((daemon.rw, daemon.ro, daemon.rw))
    ]
    try:
        watcher = opened(daemon.ro)
        for fuzzer in fuzzers:
            fuzzer.start()
        round_trips = []
        serial = 1
        while time.monotonic() < deadline:
            started = time.monotonic()
            # a call answered from the daemon's own state (the host name would time the resolver)
            watcher.sendall(packet(remote.REMOTE_PROC_CONNECT_GET_URI, serial, b""))
            read_reply(watcher)
            round_trips.append(time.monotonic() - started)
            serial += 1
            time.sleep(0.01)
        for fuzzer in fuzzers:
            fuzzer.join(timeout=30)
        # a new client is served at once after all that
        started = time.monotonic()
        opened(daemon.rw).close()
        fresh = time.monotonic() - started
        watcher.close()
    finally:
        daemon.stop()
    log = daemon.log()
    worst = max(round_trips)
    print(
        f"\nwatchdog: {counts[0]} fuzz packets, {len(round_trips)} watched round trips, worst {worst * 1000:.1f} ms,"
        f" median {sorted(round_trips)[len(round_trips) // 2] * 1000:.2f} ms, new client {fresh * 1000:.1f} ms,"
        f" tracebacks {log.count('Traceback')}"
    )
    assert not failures, failures
    assert counts[0] > 1000
    assert "Traceback" not in log, log[-3000:]
    assert worst < WORST_ROUND_TRIP, worst
    assert fresh < WORST_ROUND_TRIP, fresh
