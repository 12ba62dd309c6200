"""Benchmarks: the same workloads against libvirtd and virtrio in one run, interleaved.

Each workload runs in Debian's stock libvirt-python (or virsh) against both daemons,
alternately, several rounds; the best time of each side counts. The TLS workloads and the
domain corpus run both daemons at once from one client, in alternating blocks, and count
medians (see PAIRED_SCRIPTS): a burst of load from elsewhere on a shared machine then slows
both sides alike. On a quiet 2-core machine connect_close_over_tls gave 0.98-1.09 (median about
1.02; higher when the machine is busy) and dom_info_over_tls 1.7-1.8: the ratio moves with the
load and with where the scheduler puts the client (daemons on one core, the client on the other:
1.01; all on one core: 0.97).
Printed per workload:
``name ref ours ratio`` where ref and ours are seconds per operation (KiB for memory)
and ratio = ref / ours, so a ratio above 1 means virtrio is faster (or smaller).
"""

from __future__ import annotations

import math
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .daemons import DRIVER_MODULES, RunningDaemon, remove, start_libvirtd, start_virtrio, wait_for_socket

SYSTEM_PYTHON = "/usr/bin/python3"

DOMAIN_XML = """<domain type='test'><name>{name}</name><memory>65536</memory><vcpu>1</vcpu>
<os><type arch='i686'>hvm</type></os></domain>"""

SCRIPTS = {
    "dom_info": """
        import sys, time, libvirt
        conn = libvirt.open(sys.argv[1]); dom = conn.lookupByName("test"); n = int(sys.argv[2])
        for _ in range(200):  # warm up: the daemon has finished starting
            dom.info()
        start = time.perf_counter()
        for _ in range(n):
            dom.info()
        print((time.perf_counter() - start) / n)
    """,
    "parallel_8": """
        import sys, time, threading, libvirt
        n = int(sys.argv[2]); conns = [libvirt.open(sys.argv[1]) for _ in range(8)]
        doms = [c.lookupByName("test") for c in conns]
        for _ in range(200):
            doms[0].info()
        def work(dom):
            for _ in range(n):
                dom.info()
        threads = [threading.Thread(target=work, args=(d,)) for d in doms]
        start = time.perf_counter()
        for t in threads: t.start()
        for t in threads: t.join()
        print((time.perf_counter() - start) / (8 * n))
    """,
    "list_all_2000": """
        import sys, time, libvirt
        conn = libvirt.open(sys.argv[1]); n = int(sys.argv[2])
        xml = sys.argv[3]
        for i in range(2000):
            conn.defineXML(xml.format(name=f"bench{i:04d}"))
        assert len(conn.listAllDomains()) == 2001
        start = time.perf_counter()
        for _ in range(n):
            conn.listAllDomains()
        print((time.perf_counter() - start) / n)
    """,
    "define_undefine": """
        import sys, time, libvirt
        conn = libvirt.open(sys.argv[1]); n = int(sys.argv[2]); xml = sys.argv[3]
        start = time.perf_counter()
        for i in range(n):
            conn.defineXML(xml.format(name=f"cycle{i}")).undefine()
        print((time.perf_counter() - start) / n)
    """,
    "connect_close": """
        import sys, time, libvirt
        holder = libvirt.open(sys.argv[1]); n = int(sys.argv[2])
        for _ in range(20):
            libvirt.open(sys.argv[1]).close()
        start = time.perf_counter()
        for _ in range(n):
            libvirt.open(sys.argv[1]).close()
        print((time.perf_counter() - start) / n)
    """,
}

# Both daemons measured by one client process, in alternating blocks (ref, ours, ours, ref,
# ...): a burst of load from elsewhere on a shared machine then lands on both sides alike
# instead of on whichever daemon happened to run during it. Prints each side's median
# seconds per operation over its blocks.
PAIRED_SCRIPTS = {
    "dom_info": """
        import sys, time, statistics, libvirt
        uris = sys.argv[1:3]; blocks, size = int(sys.argv[3]), int(sys.argv[4])
        doms = [libvirt.open(uri).lookupByName("test") for uri in uris]
        for dom in doms:
            for _ in range(200):  # warm up: the daemon has finished starting
                dom.info()
        def block(dom):
            start = time.perf_counter()
            for _ in range(size):
                dom.info()
            return (time.perf_counter() - start) / size
        times = [[], []]
        for number in range(blocks):
            for side in ((0, 1) if number % 2 == 0 else (1, 0)):
                times[side].append(block(doms[side]))
        print(*(statistics.median(side) for side in times))
    """,
    "connect_close": """
        import sys, time, statistics, libvirt
        uris = sys.argv[1:3]; blocks, size = int(sys.argv[3]), int(sys.argv[4])
        holders = [libvirt.open(uri) for uri in uris]  # the daemons keep their driver loaded
        for uri in uris:
            for _ in range(10):
                libvirt.open(uri).close()
        def block(uri):
            start = time.perf_counter()
            for _ in range(size):
                libvirt.open(uri).close()
            return (time.perf_counter() - start) / size
        times = [[], []]
        for number in range(blocks):
            for side in ((0, 1) if number % 2 == 0 else (1, 0)):
                times[side].append(block(uris[side]))
        print(*(statistics.median(side) for side in times))
    """,
    "domain_corpus": """
        import sys, time, statistics, libvirt
        from pathlib import Path
        libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
        uris = sys.argv[1:3]; blocks, passes = int(sys.argv[3]), int(sys.argv[4])
        texts = [path.read_text(errors="surrogateescape") for path in map(Path, sys.argv[5:])]
        conns = [libvirt.open(uri) for uri in uris]
        def once(conn):
            for xml in texts:
                try:
                    dom = conn.defineXML(xml)
                except libvirt.libvirtError:
                    continue
                dom.XMLDesc(0)
                dom.undefine()
        for conn in conns:
            once(conn)  # warm up
        def block(conn):
            start = time.perf_counter()
            for _ in range(passes):
                once(conn)
            return (time.perf_counter() - start) / passes
        times = [[], []]
        for number in range(blocks):
            for side in ((0, 1) if number % 2 == 0 else (1, 0)):
                times[side].append(block(conns[side]))
        print(*(statistics.median(side) for side in times))
    """,
}


@dataclass
class Workload:
    name: str
    unit: str
    measure: Callable[[RunningDaemon, bool], float] | None  # one daemon at a time -> seconds per operation
    tls: bool = False  # both daemons listen for TLS with the same certificates (virtrio pki)
    # Or both daemons at once (ref, ours) -> seconds per operation of each: a round's value
    # is the median of its blocks, the result the median over rounds.
    paired: Callable[[RunningDaemon, RunningDaemon, bool], tuple[float, float]] | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_tls_daemon(side: str, directory: Path, workdir: Path) -> RunningDaemon:
    """A daemon serving TLS on a free loopback port with certificates shared by both sides."""
    pki = workdir / "pki"
    if not pki.exists():
        for what in (("ca",), ("server", "--name", "127.0.0.1"), ("client",)):
            subprocess.run(
                [sys.executable, "-m", "virtrio.server.cli", "pki", *what, "--dir", str(pki)],
                check=True,
                capture_output=True,
                timeout=120,
            )
    port = free_port()
    config = (
        f'listen_tls = 1\nlisten_tcp = 0\nlisten_addr = "127.0.0.1"\ntls_port = "{port}"\n'
        f'key_file = "{pki / "serverkey.pem"}"\ncert_file = "{pki / "servercert.pem"}"\n'
        f'ca_file = "{pki / "cacert.pem"}"\n'
    )
    if side == "ref":
        daemon = start_libvirtd(directory, config, arguments=("--listen",))
    else:
        daemon = start_virtrio(directory, config, ("--listen",))
    (directory / "tls-uri").write_text(f"test+tls://127.0.0.1:{port}/default?pkipath={pki}")
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return daemon
        except OSError:
            if time.monotonic() > deadline or daemon.process.poll() is not None:
                daemon.stop()
                raise RuntimeError(f"{daemon.name} does not listen for TLS: {daemon.log()[-500:]}") from None
            time.sleep(0.05)


def python_workload(script: str, count: int, quick_count: int, *extra: str) -> Callable[[RunningDaemon, bool], float]:
    def measure(daemon: RunningDaemon, quick: bool) -> float:
        n = quick_count if quick else count
        result = subprocess.run(
            [SYSTEM_PYTHON, "-c", textwrap.dedent(SCRIPTS[script]), uri_of(daemon), str(n), *extra],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{script} against {daemon.name} failed: {result.stderr.strip()[-500:]}")
        return float(result.stdout.strip().splitlines()[-1])

    return measure


def paired_workload(
    script: str, blocks: int, quick_blocks: int, size: int, *extra: str
) -> Callable[[RunningDaemon, RunningDaemon, bool], tuple[float, float]]:
    def measure(ref: RunningDaemon, ours: RunningDaemon, quick: bool) -> tuple[float, float]:
        result = subprocess.run(
            [
                SYSTEM_PYTHON,
                "-c",
                textwrap.dedent(PAIRED_SCRIPTS[script]),
                uri_of(ref),
                uri_of(ours),
                str(quick_blocks if quick else blocks),
                str(size),
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{script} against both daemons failed: {result.stderr.strip()[-500:]}")
        ref_time, ours_time = map(float, result.stdout.split()[-2:])
        return ref_time, ours_time

    return measure


def domain_corpus(ref: RunningDaemon, ours: RunningDaemon, quick: bool) -> tuple[float, float]:
    """libvirt's own domain test documents defined, read back and undefined: seconds per pass,
    both daemons in alternating passes (8 per side and round; quick: every tenth document, 2 passes)."""
    from .libvirt_source import find_source
    from .xmlcorpus import documents

    paths = [str(path) for path in documents(find_source(), "domains")]
    if quick:
        paths = paths[::10]
    return paired_workload("domain_corpus", 8, 2, 1, *paths)(ref, ours, quick)


def uri_of(daemon: RunningDaemon) -> str:
    """The daemon's unix socket URI, or its TLS one when it was started for TLS."""
    tls = daemon.directory / "tls-uri"
    return tls.read_text() if tls.exists() else daemon.uri()


def virsh_list(daemon: RunningDaemon, quick: bool) -> float:
    n = 5 if quick else 20
    # Untimed first run, as the other workloads warm up: what a virsh process costs once the
    # daemon has started (virtrio loads its test driver on first use; cold starts are timed
    # by the cold_* workloads).
    subprocess.run(["virsh", "-c", daemon.uri(), "list", "--all"], capture_output=True, check=True, timeout=60)
    start = time.perf_counter()
    for _ in range(n):
        subprocess.run(["virsh", "-c", daemon.uri(), "list", "--all"], capture_output=True, check=True, timeout=60)
    return (time.perf_counter() - start) / n


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def idle_client_rss(daemon: RunningDaemon, quick: bool) -> float:
    count = 300 if quick else 1000
    subprocess.run(["virsh", "-c", daemon.uri(), "list"], capture_output=True, timeout=60)
    time.sleep(0.3)
    before = rss_kib(daemon.process.pid)
    clients = []
    try:
        for _ in range(count):
            client = socket.socket(socket.AF_UNIX)
            client.connect(str(daemon.rw))
            clients.append(client)
        subprocess.run(["virsh", "-c", daemon.uri(), "list"], capture_output=True, timeout=60)
        time.sleep(0.5)
        return (rss_kib(daemon.process.pid) - before) / count
    finally:
        for client in clients:
            client.close()


def cold_start(kind: str, workdir: Path, virsh_command: tuple[str, ...] = ("test:///default", "version")) -> float:
    """Seconds from starting a socket-activated daemon to virsh's first answer."""
    directory = Path(tempfile.mkdtemp(prefix=f"cold-{kind}-", dir=workdir))
    sock = directory / "libvirt-sock"
    if kind == "virtrio":
        command = [sys.executable, "-m", "virtrio.server.cli", "daemon", "--timeout", "30"]
        name = "virtrio.socket"
        environment = {}
    else:
        for sub in ("drivers", "run", "config", "cache"):
            (directory / sub).mkdir()
        if virsh_command[0].startswith("nodedev"):
            (directory / "drivers" / "libvirt_driver_nodedev.so").symlink_to(
                DRIVER_MODULES / "libvirt_driver_nodedev.so"
            )
        config = directory / "libvirtd.conf"
        config.write_text('auth_unix_rw = "none"\nauth_unix_ro = "none"\n')
        command = ["/usr/sbin/libvirtd", "--config", str(config), "--timeout", "30"]
        name = "libvirtd.socket"
        environment = {
            "LIBVIRT_DRIVER_DIR": str(directory / "drivers"),
            "XDG_RUNTIME_DIR": str(directory / "run"),
            "XDG_CONFIG_HOME": str(directory / "config"),
            "XDG_CACHE_HOME": str(directory / "cache"),
        }
    # systemd-socket-activate hands the daemon only the variables named with -E.
    passed = [f"-E{key}={value}" for key, value in environment.items()]
    activator = subprocess.Popen(
        ["systemd-socket-activate", "-l", str(sock), f"--fdname={name}", *passed, *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_socket(sock, activator)  # the activator's own socket: the daemon is not started yet
        start = time.perf_counter()
        scheme, rest = virsh_command[0].split(":", 1)
        subprocess.run(
            ["virsh", "-c", f"{scheme}+unix:{rest}?socket={sock}", *virsh_command[1:]],
            capture_output=True,
            check=True,
            timeout=60,
        )
        return time.perf_counter() - start
    finally:
        activator.send_signal(signal.SIGTERM)
        try:
            activator.wait(timeout=20)
        except subprocess.TimeoutExpired:
            activator.kill()
        remove(directory)


WORKLOADS = [
    Workload("dom_info_round_trip", "s", python_workload("dom_info", 3000, 300)),
    Workload("parallel_8_clients", "s", python_workload("parallel_8", 400, 50)),
    Workload("list_all_2000_domains", "s", python_workload("list_all_2000", 20, 3, DOMAIN_XML)),
    Workload("define_undefine", "s", python_workload("define_undefine", 500, 50, DOMAIN_XML)),
    Workload("connect_close", "s", python_workload("connect_close", 300, 40)),
    Workload("domain_corpus_round_trip", "s", None, paired=domain_corpus),
    # 40 blocks of 100 calls per side (quick: 10), 30 blocks of 5 connections (quick: 8).
    Workload("dom_info_over_tls", "s", None, tls=True, paired=paired_workload("dom_info", 40, 10, 100)),
    Workload("connect_close_over_tls", "s", None, tls=True, paired=paired_workload("connect_close", 30, 8, 5)),
    Workload("virsh_list_all_process", "s", virsh_list),
    Workload("rss_per_idle_client", "KiB", idle_client_rss),
]


def run_paired(
    workload: Workload,
    measure: Callable[[RunningDaemon, RunningDaemon, bool], tuple[float, float]],
    rounds: int,
    quick: bool,
    workdir: Path,
    daemons: list[RunningDaemon],
) -> dict[str, float]:
    """Fresh daemons each round, both measured by one client in alternating blocks; the
    median over rounds of each side."""
    values: dict[str, list[float]] = {"ref": [], "ours": []}
    for round_number in range(rounds):
        started: dict[str, RunningDaemon] = {}
        try:
            for side in ("ref", "ours") if round_number % 2 == 0 else ("ours", "ref"):
                directory = workdir / f"{workload.name}-{side}-{round_number}"
                if workload.tls:
                    started[side] = start_tls_daemon(side, directory, workdir)
                else:
                    started[side] = start_libvirtd(directory) if side == "ref" else start_virtrio(directory)
                daemons.append(started[side])
            ref_time, ours_time = measure(started["ref"], started["ours"], quick)
        finally:
            for daemon in started.values():
                daemon.stop()
        values["ref"].append(ref_time)
        values["ours"].append(ours_time)
    return {side: statistics.median(times) for side, times in values.items()}


def run(quick: bool, rounds: int | None = None, only: list[str] | None = None) -> int:
    rounds = rounds or (1 if quick else 3)
    known = {workload.name for workload in WORKLOADS} | {"cold_socket_activated_start", "cold_start_first_nodedev_list"}
    unknown = sorted(set(only or ()) - known)
    if unknown:
        print(f"unknown workload(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="virtrio-bench-"))
    results: dict[str, dict[str, float]] = {}
    daemons: list[RunningDaemon] = []
    try:
        for workload in WORKLOADS:
            if only and workload.name not in only:
                continue
            results[workload.name] = {"ref": math.inf, "ours": math.inf}
            if workload.paired is not None:
                results[workload.name] = run_paired(workload, workload.paired, rounds, quick, workdir, daemons)
                continue
            for round_number in range(rounds):
                # Fresh daemons per workload and round, so state from one never slows another.
                for side in ("ref", "ours") if round_number % 2 == 0 else ("ours", "ref"):
                    directory = workdir / f"{workload.name}-{side}-{round_number}"
                    if workload.tls:
                        daemon = start_tls_daemon(side, directory, workdir)
                    else:
                        daemon = start_libvirtd(directory) if side == "ref" else start_virtrio(directory)
                    daemons.append(daemon)
                    assert workload.measure is not None
                    try:
                        value = workload.measure(daemon, quick)
                    finally:
                        daemon.stop()
                    results[workload.name][side] = min(results[workload.name][side], value)
        if not only or "cold_socket_activated_start" in only:
            cold = {"ref": math.inf, "ours": math.inf}
            for _ in range(rounds):
                cold["ref"] = min(cold["ref"], cold_start("libvirtd", workdir))
                cold["ours"] = min(cold["ours"], cold_start("virtrio", workdir))
            results["cold_socket_activated_start"] = cold
        if not only or "cold_start_first_nodedev_list" in only:
            cold = {"ref": math.inf, "ours": math.inf}
            command = ("nodedev:///system", "nodedev-list")
            for _ in range(rounds):
                cold["ref"] = min(cold["ref"], cold_start("libvirtd", workdir, command))
                cold["ours"] = min(cold["ours"], cold_start("virtrio", workdir, command))
            results["cold_start_first_nodedev_list"] = cold
    finally:
        for daemon in daemons:
            daemon.stop()
        remove(workdir)
    ratios = []
    print(f"{'name':32} {'ref':>12} {'ours':>12} {'ratio':>7}")
    for name, sides in results.items():
        ratio = sides["ref"] / sides["ours"] if sides["ours"] > 0 else math.inf
        ratios.append(ratio)
        print(f"{name:32} {sides['ref']:12.6g} {sides['ours']:12.6g} {ratio:7.2f}")
    print(f"geomean ratio {math.exp(sum(map(math.log, ratios)) / len(ratios)):.2f}")
    return 0
