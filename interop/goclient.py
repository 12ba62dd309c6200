"""An independent Go client, digitalocean/go-libvirt, against virtrio and libvirtd.

go-libvirt speaks libvirt's RPC protocol itself (its own XDR code, generated from the
``.x`` files; no libvirt C library), so it checks the wire from outside libvirt's own
client. Debian packages its source (``golang-github-digitalocean-go-libvirt-dev``, in
``/usr/share/gocode``); it is built offline in GOPATH mode with Debian's ``golang-go``.

Two parts, each run against a fresh libvirtd (test driver only) and a fresh virtrio:

- ``interop/go/goclient.go``: one JSON line per call a Go program makes (connect, host
  facts, domains, lifecycle events, storage, networks, failing calls, disconnect), compared
  line by line;
- go-libvirt's own integration tests (``libvirt_integration_test.go``, build tag
  ``integration``), from a copy of the Debian source whose test dialer reaches the daemon's
  unix socket instead of TCP 127.0.0.1:16509 and whose ``Connect()`` opens
  ``test:///default`` instead of ``qemu:///system``; their fixture (pool ``test``, secret)
  is made by ``goclient -hold`` for the tests' duration. Compared test by test.

Prints ``same``/``DIFF``/``deliberate`` per call and test, then ``same N/M``. A difference is
``deliberate`` only where the README lists it and both sides answer as listed there
(libvirtd: "this function is not supported", virtrio: a result); it is not counted in M.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .daemons import RunningDaemon, remove, start_libvirtd, start_virtrio

PROGRAM = Path(__file__).resolve().parent / "go" / "goclient.go"
GOCODE = Path("/usr/share/gocode")
GO_LIBVIRT = GOCODE / "src" / "github.com" / "digitalocean" / "go-libvirt"
# go-libvirt's unit tests need testify (not a dependency of the Debian package) and talk
# to no daemon: only the integration tests are built.
UNIT_TESTS = ("libvirt_test.go", "rpc_test.go")
SOCKET_DIALER = """//go:build integration
// +build integration

package libvirt

// Written by virtrio's harness at test time: the integration tests reach the daemon's
// unix socket (GOLIBVIRT_TEST_SOCKET) instead of TCP 127.0.0.1:16509.

import (
	"os"
	"testing"
	"time"

	"github.com/digitalocean/go-libvirt/socket"
	"github.com/digitalocean/go-libvirt/socket/dialers"
)

func testDialer(t *testing.T) socket.Dialer {
	t.Helper()
	path := os.Getenv("GOLIBVIRT_TEST_SOCKET")
	return dialers.NewLocal(dialers.WithSocket(path), dialers.WithLocalTimeout(2*time.Second))
}
"""
NOT_SUPPORTED = 'error code=3 message="this function is not supported by the connection driver: '
# README, "Beyond libvirt's test driver": what virtrio serves where libvirtd's test driver
# answers "not supported". Keyed by call or test name; the value says why.
DELIBERATE = {
    "StorageVolUpload": "volume upload streams (README: beyond libvirt's test driver)",
    "StorageVolDownload": "volume download streams (README: beyond libvirt's test driver)",
    "ConnectListAllSecrets": "secrets (README: beyond libvirt's test driver)",
    "Secrets": "secrets (README: beyond libvirt's test driver)",
    "StorageVolResize": "volume resize (README: beyond libvirt's test driver)",
    "StorageVolWipe": "volume wipe (README: beyond libvirt's test driver)",
    "TestVolumeUploadDownloadIntegration": "volume upload and download streams (README)",
    "TestSecretsIntegration": "secrets (README)",
}
RUN_LINE = re.compile(r"^=== RUN\s+(\S+)$")
END_LINE = re.compile(r"^--- (PASS|FAIL|SKIP): (\S+) \(")


class GoError(Exception):
    pass


@dataclass
class Comparison:
    name: str
    verdict: str  # "same", "DIFF" or "deliberate"
    theirs: str
    ours: str


def go_binary() -> str:
    found = shutil.which("go")
    if found is None or not GO_LIBVIRT.is_dir():
        raise GoError(
            "go and go-libvirt are not installed (Debian golang-go and "
            "golang-github-digitalocean-go-libvirt-dev; scripts/setup-test-env installs them)"
        )
    return found


def go_cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "virtrio" / "go-build"


def go_environment(gopath: list[Path]) -> dict[str, str]:
    """GOPATH mode over Debian's /usr/share/gocode: offline, no module proxy, no C compiler."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(Path.home()),
        "GO111MODULE": "off",
        "GOPATH": os.pathsep.join(str(path) for path in gopath),
        "GOCACHE": str(go_cache()),
        "GOFLAGS": "",
        "GOPROXY": "off",
        "CGO_ENABLED": "0",
    }


def go(arguments: list[str], environment: dict[str, str], cwd: Path) -> None:
    result = subprocess.run(
        [go_binary(), *arguments], env=environment, cwd=cwd, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise GoError(f"go {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}")


def build_client(workdir: Path) -> Path:
    binary = workdir / "goclient"
    go(["build", "-o", str(binary), str(PROGRAM)], go_environment([GOCODE]), workdir)
    return binary


def build_integration_tests(workdir: Path) -> Path:
    """go-libvirt's integration tests, from a patched copy of Debian's source, as one binary."""
    gopath = workdir / "gopath"
    package = gopath / "src" / "github.com" / "digitalocean" / "go-libvirt"
    shutil.copytree(GO_LIBVIRT, package)
    for name in UNIT_TESTS:
        (package / name).unlink()
    tests = package / "libvirt_integration_test.go"
    text = tests.read_text()
    renamed = text.replace("\nfunc testDialer(", "\nfunc upstreamTestDialer(")
    library = package / "libvirt.go"
    source = library.read_text()
    opened = source.replace('QEMUSystem ConnectURI = "qemu:///system"', 'QEMUSystem ConnectURI = "test:///default"')
    if renamed == text or opened == source:
        raise GoError(f"go-libvirt's source in {GO_LIBVIRT} is not the version this harness patches")
    tests.write_text(renamed)
    library.write_text(opened)
    (package / "virtrio_dialer_test.go").write_text(SOCKET_DIALER)
    binary = workdir / "golibvirt.test"
    go(["test", "-c", "-tags", "integration", "-o", str(binary), "."], go_environment([gopath, GOCODE]), package)
    return binary


def client_calls(
    binary: Path, daemon: RunningDaemon, files: Path, tcp_port: int | None = None
) -> list[tuple[str, str]]:
    """The program's lines against daemon, which writes its save images and dumps in files
    (named FILES in the results); over plain TCP to 127.0.0.1:tcp_port when given."""
    files.mkdir(parents=True, exist_ok=True)
    transport = ["-tcp", str(tcp_port)] if tcp_port is not None else ["-socket", str(daemon.rw)]
    result = subprocess.run(
        [str(binary), *transport, "-files", str(files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise GoError(f"goclient against {daemon.name} exited {result.returncode}: {result.stderr}")
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return [(line["call"], line["result"]) for line in lines]


def integration_tests(binary: Path, client: Path, daemon: RunningDaemon) -> dict[str, str]:
    """Each integration test's outcome ("PASS", or "FAIL: its log lines"), while a held
    connection keeps the fixture in test:///default."""
    holder = subprocess.Popen(
        [str(client), "-hold", "-socket", str(daemon.rw)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        if holder.stdout.readline().strip() != "ready":
            holder.stdin.close()
            holder.wait(timeout=30)
            raise GoError(f"the fixture for {daemon.name} failed: {holder.stderr.read() if holder.stderr else ''}")
        result = subprocess.run(
            [str(binary), "-test.v", "-test.count=1"],
            cwd=binary.parent,
            env={**os.environ, "GOLIBVIRT_TEST_SOCKET": str(daemon.rw)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        if not holder.stdin.closed:
            holder.stdin.close()
        holder.wait(timeout=30)
    outcomes: dict[str, str] = {}
    log: list[str] = []
    for line in result.stdout.splitlines():
        if RUN_LINE.match(line):
            log = []
        elif match := END_LINE.match(line):
            outcome, name = match.groups()
            outcomes[name] = outcome if outcome == "PASS" else f"{outcome}: {' / '.join(log)}"
        elif line.startswith("    "):
            log.append(line.strip())
    if not outcomes:
        raise GoError(f"go-libvirt's integration tests printed no outcome:\n{result.stdout}{result.stderr}")
    return outcomes


def deliberate(name: str, theirs: str, ours: str) -> bool:
    """Listed in the README, and answered as listed: libvirtd refuses, virtrio serves."""
    if name not in DELIBERATE:
        return False
    refused = theirs.startswith(NOT_SUPPORTED) or "this function is not supported" in theirs
    return refused and not ours.startswith("error") and not ours.startswith("FAIL")


def compare(theirs: list[tuple[str, str]], ours: list[tuple[str, str]]) -> list[Comparison]:
    """Pairs the lines in order; a missing line on either side is a difference."""
    comparisons = []
    for index in range(max(len(theirs), len(ours))):
        name_theirs, value_theirs = theirs[index] if index < len(theirs) else ("(missing)", "(missing)")
        name_ours, value_ours = ours[index] if index < len(ours) else ("(missing)", "(missing)")
        name = name_theirs if name_theirs != "(missing)" else name_ours
        if name_theirs == name_ours and value_theirs == value_ours:
            verdict = "same"
        elif name_theirs == name_ours and deliberate(name, value_theirs, value_ours):
            verdict = "deliberate"
        else:
            verdict = "DIFF"
        comparisons.append(Comparison(name, verdict, f"{name_theirs}: {value_theirs}", f"{name_ours}: {value_ours}"))
    return comparisons


def describe(comparison: Comparison) -> str:
    if comparison.verdict == "same":
        return f"same {comparison.name}"
    head = f"{comparison.verdict} {comparison.name}"
    if comparison.verdict == "deliberate":
        head += f" ({DELIBERATE[comparison.name]})"
    if "\n" in comparison.theirs or "\n" in comparison.ours:
        diff = difflib.unified_diff(
            comparison.theirs.splitlines(), comparison.ours.splitlines(), "libvirtd", "virtrio", lineterm="", n=1
        )
        return "\n".join([head, *(f"  {line}" for line in list(diff)[:40])])
    return f"{head}\n  libvirtd: {comparison.theirs[:600]}\n  virtrio:  {comparison.ours[:600]}"


def compare_daemons(
    workdir: Path, daemons: dict[str, RunningDaemon], integration: bool = True
) -> tuple[list[Comparison], list[Comparison]]:
    """(call comparisons, integration test comparisons) against {"libvirtd": …, "virtrio": …},
    whose test:///default holds no connection (it starts fresh for each part)."""
    # the two builds are independent go processes: side by side (a cold cache takes ~7 s each)
    with ThreadPoolExecutor(2) as builders:
        client_build = builders.submit(build_client, workdir)
        tests_build = builders.submit(build_integration_tests, workdir) if integration else None
        client = client_build.result()
        tests = tests_build.result() if tests_build is not None else None
    calls: dict[str, list[tuple[str, str]]] = {}
    outcomes: dict[str, dict[str, str]] = {}
    for side in ("libvirtd", "virtrio"):
        calls[side] = client_calls(client, daemons[side], workdir / f"{side}-files")
        if tests is not None:
            # after the calls' connections closed: test:///default starts fresh again
            outcomes[side] = integration_tests(tests, client, daemons[side])
    test_comparisons = []
    if outcomes:
        names = sorted(set(outcomes["libvirtd"]) | set(outcomes["virtrio"]))
        theirs = [(name, outcomes["libvirtd"].get(name, "missing")) for name in names]
        ours = [(name, outcomes["virtrio"].get(name, "missing")) for name in names]
        test_comparisons = compare(theirs, ours)
    return compare(calls["libvirtd"], calls["virtrio"]), test_comparisons


# Plain TCP without authentication, on loopback only (go-libvirt has no TLS dialer).
TCP_SETTINGS = 'listen_tcp = 1\nlisten_tls = 0\ntcp_port = "{port}"\nlisten_addr = "127.0.0.1"\nauth_tcp = "none"\n'
# the flag that makes each daemon open the listeners its settings ask for
LISTEN_FLAGS = {"libvirtd": ("--listen",), "virtrio": ("-l",)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise GoError(f"nothing listens on 127.0.0.1:{port} after {timeout} s") from None
            time.sleep(0.05)


def compare_over_tcp(workdir: Path, daemons: dict[str, RunningDaemon], ports: dict[str, int]) -> list[Comparison]:
    """The calls over plain TCP against daemons listening on ports (started with TCP_SETTINGS)."""
    client = build_client(workdir)
    calls = {}
    for side in ("libvirtd", "virtrio"):
        wait_for_port(ports[side])
        calls[side] = client_calls(client, daemons[side], workdir / f"{side}-tcp-files", ports[side])
    return compare(calls["libvirtd"], calls["virtrio"])


def gather_over_tcp(workdir: Path) -> list[Comparison]:
    daemons: dict[str, RunningDaemon] = {}
    ports = {side: free_port() for side in ("libvirtd", "virtrio")}
    try:
        for side, start in (("libvirtd", start_libvirtd), ("virtrio", start_virtrio)):
            settings = TCP_SETTINGS.format(port=ports[side])
            daemons[side] = start(workdir / f"{side}-tcp", config=settings, arguments=LISTEN_FLAGS[side])
        return compare_over_tcp(workdir, daemons, ports)
    finally:
        for daemon in daemons.values():
            daemon.stop()


def gather(workdir: Path, integration: bool = True) -> tuple[list[Comparison], list[Comparison]]:
    """compare_daemons against a fresh libvirtd and a fresh virtrio started in workdir."""
    daemons: dict[str, RunningDaemon] = {}
    try:
        daemons["libvirtd"] = start_libvirtd(workdir / "libvirtd")
        daemons["virtrio"] = start_virtrio(workdir / "virtrio")
        return compare_daemons(workdir, daemons, integration)
    finally:
        for daemon in daemons.values():
            daemon.stop()


def run(fail_under: float | None, integration: bool = True, tcp: bool = True) -> int:
    """Everything, against fresh daemons: the calls and go-libvirt's integration tests over
    unix sockets, then the calls again over plain TCP on loopback."""
    workdir = Path(tempfile.mkdtemp(prefix="virtrio-goclient-"))
    tcp_results: list[Comparison] = []
    try:
        call_results, test_results = gather(workdir, integration)
        if tcp:
            tcp_results = gather_over_tcp(workdir)
    except GoError as error:
        print(error)
        return 2
    finally:
        remove(workdir)
    titled = (("calls", call_results), ("go-libvirt integration tests", test_results), ("calls over TCP", tcp_results))
    for title, results in titled:
        if not results:
            continue
        for comparison in results:
            print(describe(comparison))
        counted = [c for c in results if c.verdict != "deliberate"]
        same = sum(c.verdict == "same" for c in counted)
        print(f"{title}: same {same}/{len(counted)}, deliberate {len(results) - len(counted)}")
    for title, results in (("libvirtd", test_results), ("virtrio", test_results)):
        if results:
            side = [c.theirs if title == "libvirtd" else c.ours for c in results]
            passed = sum(text.split(": ", 1)[1] == "PASS" for text in side)
            print(f"go-libvirt integration tests passed on {title}: {passed}/{len(side)}")
    counted = [c for c in call_results + test_results + tcp_results if c.verdict != "deliberate"]
    same = sum(c.verdict == "same" for c in counted)
    print(f"same {same}/{len(counted)}")
    if fail_under is not None and 100 * same < fail_under * len(counted):
        return 1
    return 0
