"""virt-manager's own virt-install, virt-xml and virt-clone command lines against both daemons.

virt-manager's CLI test suite (tests/test_cli.py) lists hundreds of command lines for its three
tools, each with the arguments its test runner adds. They are read here without running that
file: its module-level assignments and its ``add_valid``/``add_invalid``/``add_compare`` calls are
evaluated from the syntax tree, and each command line is built as the suite's App class builds
it (category arguments, then ``--connect`` to the suite's test node, ``--ram 64``, and
``--print-step all`` or ``--print-xml`` for the comparison tests; ``--debug`` is left out, so what
is compared is what a user sees). The suite's test nodes are plain test-driver node files, so its
``test:///…/testsuite.xml`` URIs become ``test+unix:///…/testsuite.xml?socket=…`` to each daemon,
keeping virtinst's ``__virtinst_test__`` prefix and ``predictable`` option (fixed UUIDs and MAC
addresses, so both sides generate the same). Left out, with the count per reason: the fake
hypervisor URIs (KVM, Xen, LXC, … capabilities files substituted on the client side), node files
or test data that the source tree lacks, and installs that fetch from the network (virt-manager's
suite mocks its URL fetcher; nothing here does).

Each command runs through the stock /usr/bin/virt-install (virt-xml, virt-clone) under Debian's
python3, from a small wrapper that notes the connection the tool opens and, on it (a node file's
state lives as long as its connection), lists every domain, pool, volume and network right after
the open and again when the tool is done, and defines (then undefines) each domain document a
``--print-xml``/``--print-step`` run printed, as the suite itself does. Per command the two
daemons' exit status, output (each daemon's folder and the scratch home written as names), the
objects the command changed and the printed documents' definitions are compared (what either
daemon draws at random is written as a name: UUIDs and MACs of objects given none, passwords).
The objects each node holds before any command are compared too, once per node. libvirt 9.0
refuses the whole of a node with an unfiltered SCSI LUN (virt-manager's testdriver.xml has one),
so the nodes are opened from a copy that asks for filtered commands there, and said so. Prints
``identical N/M`` and each difference.

virt-manager's tests come from Debian's source package ``virt-manager`` (Debian 12's virtinst is
4.1.0), fetched at run time into ``$XDG_CACHE_HOME/virtrio/virt-manager-4.1.0`` (never
committed) by ``python -m interop.virtinst --fetch``; ``VIRTRIO_VIRTINST_SOURCE`` names an
extracted tree instead.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import functools
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .daemons import RunningDaemon, remove, start_libvirtd, start_virtrio
from .libvirt_source import keep_from_orig

VERSION = "4.1.0"
PACKAGE = "virt-manager"
UNAVAILABLE = 3  # exit status when virt-manager's tests are not at hand (the caller may skip)
COMMAND_TIMEOUT = 90  # seconds per tool run
TOOL_PYTHON = "/usr/bin/python3"  # Debian's, which has virtinst's modules (gi, libvirt, libxml2)
TOOLS = ("virt-install", "virt-xml", "virt-clone")
# What the tarball gives: the suite, its URIs and the data its command lines name.
KEPT = ("tests/test_cli.py", "tests/utils.py", "tests/data/testdriver/", "tests/data/cli/", "tests/data/fakemedia/")
# The suite's test-driver URIs (tests/utils.py): the node file and the options after it.
TEST_NODES = {
    "test_suite": ("testsuite.xml", ""),
    "test_full": ("testdriver.xml", ""),
    "test_remote": ("testdriver.xml", ",fakeuri=test+tls://fakeuri.example.com/"),
    "test_default": ("testdefault.xml", ",fakeuri=test:///default"),
    "test_empty": ("empty.xml", ""),
    "test_defaultpool_collision": ("defaultpool-collision.xml", ""),
}
# Files the suite makes before a run (EXIST_FILES) and removes before each command (NEW_FILES).
EXIST_FILES = ("exist1.img", "exist2.img", "serial-exists-clone.file")
NEW_FILES = (
    "new1.img",
    "new2.img",
    "new3.img",
    "exist1-clone.img",
    "exist2-clone.img",
    "test-clone1.file",
    "other-serial-clone.file",
    "serial-exists-clone-1.file",
)
TMP_IMAGE_PREFIX = "/tmp/__virtinst_cli_"
URI_MARK = re.compile(r"@URI\[(\w+)\]@")
NETWORK = re.compile(r"(?:https?|ftp)://|(?<![\w+])nfs:")

# Run by Debian's python3: the stock tool, with its connection noted so that the state the
# command leaves (it lives as long as the connection) can be read on it afterwards.
RUNNER = r"""
import io, json, os, re, runpy, sys
sys.path.insert(0, "/usr/share/virt-manager")
import libvirt
from virtinst import cli

state_path, tool = sys.argv[1], sys.argv[2]
arguments = sys.argv[3:]
sys.argv = [tool] + arguments
record = {"baseline": None, "after": None, "printed": []}
opened = []


def attempt(function, *args):
    try:
        return function(*args)
    except libvirt.libvirtError as error:
        return "error: %s" % error.get_error_message()


def snapshot(conn):
    objects = {}
    for dom in conn.listAllDomains(0):
        name = "domain " + dom.name()
        persistent = dom.isPersistent()
        objects[name + " state"] = "state %s persistent %s autostart %s" % (
            dom.state()[0], persistent, attempt(dom.autostart) if persistent else "-")
        objects[name] = attempt(dom.XMLDesc, 0)
        if persistent and dom.isActive():
            objects[name + " inactive"] = attempt(dom.XMLDesc, libvirt.VIR_DOMAIN_XML_INACTIVE)
    for pool in conn.listAllStoragePools(0):
        objects["pool " + pool.name()] = attempt(pool.XMLDesc, 0)
        volumes = attempt(pool.listAllVolumes, 0) if pool.isActive() else []
        if isinstance(volumes, str):
            objects["pool " + pool.name() + " volumes"] = volumes
            continue
        for volume in volumes:
            objects["volume " + pool.name() + "/" + volume.name()] = attempt(volume.XMLDesc, 0)
    for network in conn.listAllNetworks(0):
        objects["network " + network.name()] = attempt(network.XMLDesc, 0)
    return objects


real_open = cli.getConnection


def noted_open(uri, conn=None):
    opened_conn = real_open(uri, conn)
    if not opened:
        opened.append(opened_conn)
        record["baseline"] = snapshot(opened_conn)
    return opened_conn


cli.getConnection = noted_open


class Tee(io.TextIOBase):
    def __init__(self, stream):
        self.stream = stream
        self.kept = []

    def write(self, text):
        self.kept.append(text)
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()

    def isatty(self):
        return False


tee = Tee(sys.stdout)
sys.stdout = tee
status = 0
try:
    runpy.run_path("/usr/bin/" + tool, run_name="__main__")
except SystemExit as ending:
    if isinstance(ending.code, int):
        status = ending.code
    elif ending.code is not None:
        sys.stderr.write(str(ending.code) + "\n")
        status = 1
sys.stdout.flush()
sys.stderr.flush()
if opened:
    conn = opened[0]
    record["after"] = snapshot(conn)
    if "--print-xml" in arguments or "--print-step" in arguments:
        printed = "".join(tee.kept)
        for document in re.findall(r"<domain[ >].*?</domain>", printed, re.S):
            try:
                domain = conn.defineXML(document)
                record["printed"].append(domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
                domain.undefine()
            except libvirt.libvirtError as error:
                record["printed"].append("error: %s" % error.get_error_message())
with open(state_path, "w") as out:
    json.dump(record, out)
os._exit(status)
"""


class Unknown(Exception):
    """An expression of the suite's file that the reader does not evaluate (a call, a lambda)."""


@dataclass
class App:
    name: str


@dataclass
class Category:
    app: App
    name: str
    default_args: str
    checks: dict[str, Any]


@dataclass
class Command:
    ident: str
    app: str
    category: str
    kind: str  # "valid", "invalid" or "compare"
    argv: list[str]  # the tool's arguments, with @URI[name]@ for the suite's URIs
    stdin: str | None = None
    input_file: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    skip: str | None = None


@dataclass
class Outcome:
    status: int | str
    output: str
    changes: dict[str, str | None]
    printed: list[str]
    baseline: dict[str, str]


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "virtrio" / f"virt-manager-{VERSION}"


def find_source() -> Path | None:
    named = os.environ.get("VIRTRIO_VIRTINST_SOURCE")
    if named:
        return Path(named) if (Path(named) / "tests" / "test_cli.py").is_file() else None
    cached = cache_folder()
    return cached if (cached / "tests" / "test_cli.py").is_file() else None


def fetch() -> Path:
    """Download Debian's virt-manager source package and keep the suite and its data."""
    found = find_source()
    if found is not None:
        return found
    return keep_from_orig(PACKAGE, VERSION, f"virt-manager-{VERSION}/", _kept, cache_folder())


def _kept(name: str) -> bool:
    return any(name == kept or (kept.endswith("/") and name.startswith(kept)) for kept in KEPT)


# Reading the suite's file


class Reader:
    """Evaluates the suite's module-level statements far enough to list its command lines."""

    def __init__(self) -> None:
        # Relative to the source tree, as the suite computes them (os.path.relpath of its data).
        self.names: dict[str, Any] = {"XMLDIR": "tests/data/cli", "MEDIA_DIR": "tests/data/fakemedia"}
        self.fixed = set(self.names)
        self.test_data: dict[str, Any] = {}
        self.commands: list[Command] = []

    def value(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            raise Unknown(node.id)
        if isinstance(node, ast.Attribute) and ast.unparse(node.value) == "utils.URIs":
            return f"@URI[{node.attr}]@"
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            left, right = self.value(node.left), self.value(node.right)
            return left + right if isinstance(node.op, ast.Add) else left % right
        if isinstance(node, ast.JoinedStr):
            return "".join(
                str(self.value(part.value)) if isinstance(part, ast.FormattedValue) else str(self.value(part))
                for part in node.values
            )
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.value(item) for item in node.elts]
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Subscript):
            return self.value(node.value)[self.value(node.slice)]
        if isinstance(node, ast.Dict):
            pairs = zip(node.keys, node.values, strict=True)
            return {self.value(key): self.value(item) for key, item in pairs if key is not None}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "App":
            return App(self.value(node.args[0]))
        raise Unknown(ast.unparse(node))

    def keywords(self, call: ast.Call) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for keyword in call.keywords:
            if keyword.arg is None:
                continue
            try:
                found[keyword.arg] = self.value(keyword.value)
            except Unknown:
                found[keyword.arg] = "<callable>"  # a skip check that runs code (osinfo, xorriso)
        return found

    def read(self, text: str) -> list[Command]:
        for statement in ast.parse(text).body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                self.assign(statement.targets[0], statement.value)
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                self.call(statement.value)
        return self.commands

    def assign(self, target: ast.expr, node: ast.expr) -> None:
        if not isinstance(target, ast.Name) or target.id in self.fixed:
            return
        if target.id == "TEST_DATA" and isinstance(node, ast.Dict):
            for key, item in zip(node.keys, node.values, strict=True):
                try:
                    self.test_data[self.value(key)] = self.value(item)  # type: ignore[arg-type]
                except Unknown:
                    continue
            return
        call = node if isinstance(node, ast.Call) else None
        if call and isinstance(call.func, ast.Attribute) and call.func.attr == "add_category":
            owner = self.names.get(ast.unparse(call.func.value))
            if isinstance(owner, App):
                arguments = [self.value(argument) for argument in call.args[:2]]
                self.names[target.id] = Category(owner, arguments[0], arguments[1], self.keywords(call))
            return
        try:
            self.names[target.id] = self.value(node)
        except (Unknown, TypeError, KeyError, IndexError):
            self.names.pop(target.id, None)

    def call(self, call: ast.Call) -> None:
        if not isinstance(call.func, ast.Attribute) or call.func.attr not in (
            "add_valid",
            "add_invalid",
            "add_compare",
        ):
            return
        category = self.names.get(ast.unparse(call.func.value))
        if not isinstance(category, Category):
            return
        kind = call.func.attr[len("add_") :]
        keywords = self.keywords(call)
        try:
            arguments = [self.value(argument) for argument in call.args]
        except Unknown as unknown:
            self.commands.append(self.unreadable(category, kind, str(unknown)))
            return
        compare = arguments[1] if kind == "compare" and len(arguments) > 1 else None
        self.commands.append(self.build(category, kind, arguments[0], compare, keywords))

    def unreadable(self, category: Category, kind: str, detail: str) -> Command:
        ident = f"{category.app.name}/{category.name}/unreadable-{len(self.commands)}"
        return Command(ident, category.app.name, category.name, kind, [], skip=f"not readable: {detail}")

    def build(self, category: Category, kind: str, args: str, compare: str | None, keywords: dict[str, Any]) -> Command:
        app = category.app.name
        text = category.default_args + " " + args
        if keywords.get("use_default_args", True):
            text += " " + default_args(app, text, compare is not None)
        else:
            text = args
        digest = hashlib.sha1(f"{category.name}\0{args}".encode()).hexdigest()[:8]
        ident = f"{app}/{category.name}/{compare or digest}"
        repeats = sum(1 for known in self.commands if known.ident.split("#")[0] == ident)
        ident += f"#{repeats + 1}" if repeats else ""  # the suite compares two lines with one file
        command = Command(ident, app, category.name, kind, [])
        try:
            command.argv = shlex.split(text % self.test_data)
        except (KeyError, ValueError, TypeError) as error:
            command.skip = f"not readable: {error}"
            return command
        env = keywords.get("env")
        command.env = dict(env) if isinstance(env, dict) else {}
        stdin = keywords.get("input_text")
        command.stdin = stdin + "\n" if isinstance(stdin, str) else None
        input_file = keywords.get("input_file")
        command.input_file = input_file if isinstance(input_file, str) else None
        return command


def default_args(app: str, cli: str, compare: bool) -> str:
    """What the suite's App._default_args adds, less --debug (what is compared is what a user sees)."""
    args = ""
    if "--connect " not in cli:
        args += " --connect @URI[test_suite]@"
    if app == "virt-install" and "--ram " not in cli and "lxc" not in cli:
        args += " --ram 64"
    if compare and app == "virt-install":
        if "--print-xml" not in cli and "--print-step" not in cli and "--quiet" not in cli:
            args += " --print-step all"
    elif compare and app == "virt-clone" and "--print-xml" not in cli:
        args += " --print-xml --__test-nodry"
    return args


def skip_reason(command: Command, root: Path) -> str | None:
    """Why a command cannot run against a plain test driver over a daemon's socket, or None."""
    if command.skip:
        return command.skip
    joined = " ".join(command.argv)
    for name in URI_MARK.findall(joined):
        if name not in TEST_NODES:
            return "fake hypervisor URI (virt-manager's capabilities files stand in for KVM, Xen, LXC, ...)"
        node = TEST_NODES[name][0]
        if not (root / "tests" / "data" / "testdriver" / node).is_file():
            return f"node file {node} not in the source tree"
    paths = [command.input_file] if command.input_file else []
    for token in command.argv:
        paths += [part for piece in token.split(",") for part in piece.split("=") if part.startswith("tests/")]
    for path in paths:
        if not (root / path).exists():
            return "test data not in the source tree (fake media, stdin or original XML files)"
    if NETWORK.search(joined):
        return "fetches from the network (virt-manager's suite mocks its URL fetcher)"
    if "--install" in command.argv:
        value = command.argv[command.argv.index("--install") + 1 :][:1]
        if value and "=" not in value[0]:
            return "installs from the OS's download URL (the network)"
    return None


def read_commands(root: Path) -> list[Command]:
    commands = Reader().read((root / "tests" / "test_cli.py").read_text())
    for command in commands:
        command.skip = skip_reason(command, root)
    return commands


# Running


def tool_uri(name: str, nodes: Path, daemon: RunningDaemon) -> str:
    node, options = TEST_NODES[name]
    return f"__virtinst_test__test+unix://{(nodes / node).resolve()}?socket={daemon.rw},predictable{options}"


def node_files(root: Path, work: Path) -> tuple[Path, list[str]]:
    """The suite's test nodes as both daemons open them, and the ones changed on the way: an
    unfiltered SCSI LUN (testdriver.xml's) is refused by libvirt since 8.x, which refuses the
    whole node then, so the copy asks for filtered commands and its many objects get read."""
    nodes = work / "testdriver"
    nodes.mkdir()
    changed = []
    for node in sorted((root / "tests" / "data" / "testdriver").glob("*.xml")):
        text = node.read_text()
        if "sgio='unfiltered'" in text:
            text = text.replace("sgio='unfiltered'", "sgio='filtered'")
            changed.append(node.name)
        (nodes / node.name).write_text(text)
    return nodes, changed


def concrete_argv(command: Command, nodes: Path, daemon: RunningDaemon) -> list[str]:
    argv = []
    for token in command.argv:
        token = URI_MARK.sub(lambda mark: tool_uri(mark.group(1), nodes, daemon), token)
        # test:///default too, through virtinst's prefix: its UUIDs and MACs are then predictable.
        argv.append(f"__virtinst_test__{daemon.uri()},predictable" if token == "test:///default" else token)
    return argv


def reset_files() -> None:
    """The suite's local image files: the existing ones made, the ones a command makes removed."""
    for name in NEW_FILES:
        path = Path(TMP_IMAGE_PREFIX + name)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for name in EXIST_FILES:
        Path(TMP_IMAGE_PREFIX + name).touch()


def normalise(text: str, daemon: RunningDaemon, home: Path) -> str:
    text = text.replace(str(daemon.directory), "DAEMON").replace(str(home), "HOME")
    # virtinst makes up a root password for --cloud-init on each run.
    text = re.sub(r"(Password for first root login is: )\S+", r"\1PASSWORD", text)
    return text.rstrip("\n")


def new_mac(document: str, known: str) -> str:
    """A MAC address the daemon made up (an interface given none): random on each side."""
    made = re.compile(r"52:54:00(?::[0-9a-f]{2}){3}")
    return made.sub(lambda mac: mac.group(0) if mac.group(0) in known else "52:54:00:RANDOM", document)


def new_object(key: str, document: str) -> str:
    """A pool or network the command made: virtinst gives it no UUID, so each daemon draws one
    at random (libvirt's way too); the rest of its document is compared."""
    if not key.startswith(("pool ", "network ")):
        return document
    return re.sub(r"<uuid>[0-9a-f-]{36}</uuid>", "<uuid>RANDOM</uuid>", document)


def run_side(command: Command, root: Path, nodes: Path, daemon: RunningDaemon, work: Path) -> Outcome:
    reset_files()
    home = work.parent / "home"  # the same for both daemons: documents name files in it (xauth)
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    state = work / "state.json"
    state.unlink(missing_ok=True)
    runner = work / "runner.py"
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LC_ALL": "C.UTF-8",
        "DISPLAY": ":3.4",  # as the suite sets it: graphics defaults depend on it
        "VIRTINST_TEST_SUITE": "1",  # virtinst's own switch: no console, no waiting
        **command.env,
    }
    stdin = (root / command.input_file).read_text() if command.input_file else (command.stdin or "")
    argv = [TOOL_PYTHON, str(runner), str(state), command.app, *concrete_argv(command, nodes, daemon)]
    try:
        result = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            cwd=root,
            env=environment,
            timeout=COMMAND_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return Outcome("timeout", "", {}, [], {})
    output = normalise(result.stdout + result.stderr, daemon, home)
    record = json.loads(state.read_text()) if state.is_file() else {}
    baseline: dict[str, str] = record.get("baseline") or {}
    after: dict[str, str] = record.get("after") or {}
    changes: dict[str, str | None] = {}
    known = "\n".join(baseline.values())
    # objects of the node file that have no UUID there get a random one at each open
    drawn = (set(UUID.findall(known)) | set(MADE_UP_MAC.findall(known))) - fixed_uuids(nodes)
    for key in sorted(set(baseline) | set(after)):
        if baseline.get(key) != after.get(key):
            document = after.get(key)
            changes[key] = normalise(new_mac(new_object(key, document), known), daemon, home) if document else document
    printed = [normalise(document, daemon, home) for document in record.get("printed", [])]
    changes = {key: drawn_uuids(document, drawn) for key, document in changes.items()}
    baseline = {key: drawn_uuids(document, drawn) or "" for key, document in baseline.items()}
    return Outcome(result.returncode, output, changes, printed, baseline)


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MADE_UP_MAC = re.compile(r"52:54:00(?::[0-9a-f]{2}){3}")  # an interface of the node without one


@functools.cache
def fixed_uuids(nodes: Path) -> frozenset[str]:
    """The UUIDs the suite's node files give (in the case libvirt writes them)."""
    text = "\n".join(node.read_text() for node in nodes.glob("*.xml")).lower()
    return frozenset(UUID.findall(text)) | frozenset(MADE_UP_MAC.findall(text))


def drawn_uuids(document: str | None, drawn: set[str]) -> str | None:
    """UUIDs and MACs the daemon drew when it opened the node: random on each side."""
    if document is None or not drawn:
        return document
    for pattern in (UUID, MADE_UP_MAC):
        document = pattern.sub(lambda found: "DRAWN-AT-OPEN" if found.group(0) in drawn else found.group(0), document)
    return document


def differences(ours: Outcome, theirs: Outcome) -> list[str]:
    """What differs, as lines: libvirtd's side first (-), virtrio's (+)."""
    found = []
    if ours.status != theirs.status:
        found.append(f"exit status: libvirtd {theirs.status}, virtrio {ours.status}")
    if ours.output != theirs.output:
        found.append("output:")
        found += unified(theirs.output, ours.output)
    for key in sorted(set(ours.changes) | set(theirs.changes)):
        if ours.changes.get(key, "unchanged") != theirs.changes.get(key, "unchanged"):
            # a side that left the object alone shows its document from before the command
            before = "(unchanged) " if key not in ours.changes or key not in theirs.changes else ""
            found.append(f"{key}: {before}")
            found += unified(
                str(theirs.changes[key] if key in theirs.changes else theirs.baseline.get(key)),
                str(ours.changes[key] if key in ours.changes else ours.baseline.get(key)),
            )
    if ours.printed != theirs.printed:
        found.append("printed documents defined:")
        found += unified("\n".join(theirs.printed), "\n".join(ours.printed))
    return found


def unified(theirs: str, ours: str) -> list[str]:
    lines = difflib.unified_diff(theirs.splitlines(), ours.splitlines(), "libvirtd", "virtrio", n=1, lineterm="")
    return ["  " + line for line in list(lines)[2:]]


def run(fail_under: float | None = None, limit: int | None = None, only: list[str] | None = None) -> int:
    root = find_source()
    if root is None:
        print(f"virt-manager {VERSION}'s tests: not available: run python -m interop.virtinst --fetch")
        return UNAVAILABLE
    for tool in TOOLS:
        if not Path("/usr/bin", tool).is_file():
            print(f"{tool}: not available: install Debian's virtinst")
            return UNAVAILABLE
    commands = read_commands(root)
    if only:
        chosen = set(only)
        missing = chosen - {command.ident for command in commands}
        if missing:  # another version of the suite: its lines may have changed
            print("not in the suite: " + ", ".join(sorted(missing)))
        commands = [command for command in commands if command.ident in chosen]
        if not commands:
            return 1
    skipped: dict[tuple[str, str], int] = {}
    runnable = []
    for command in commands:
        if command.skip:
            skipped[(command.app, command.skip)] = skipped.get((command.app, command.skip), 0) + 1
        else:
            runnable.append(command)
    if limit is not None:
        runnable = runnable[:limit]
    left_out = sum(skipped.values())
    print(f"virt-manager's test_cli.py: {len(commands)} command lines, {len(runnable)} run, {left_out} left out")
    for (app, reason), count in sorted(skipped.items()):
        print(f"  left out {count:3d} {app}: {reason}")
    if not runnable:  # a suite read as empty (its layout changed, say) compared nothing: not a pass
        print("no command line to run")
        return 1
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="virtrio-virtinst-"))
    identical = 0
    baselines: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    try:
        nodes, changed = node_files(root, work)
        for name in changed:
            print(f"  {name}: sgio='unfiltered' opened as 'filtered' (libvirt 9.0 refuses the node otherwise)")
        ours = start_virtrio(work / "virtrio")
        theirs = start_libvirtd(work / "libvirtd")
        try:
            for side in ("ours", "theirs"):
                (work / side).mkdir()
                (work / side / "runner.py").write_text(RUNNER)
            for command in runnable:
                mine = run_side(command, root, nodes, ours, work / "ours")
                reference = run_side(command, root, nodes, theirs, work / "theirs")
                for name in URI_MARK.findall(" ".join(command.argv))[:1]:
                    baselines.setdefault(name, (reference.baseline, mine.baseline))
                found = differences(mine, reference)
                if found:
                    print(f"DIFF {command.ident}: {command.app} {shlex.join(command.argv)}")
                    for line in found[:40]:
                        print("  " + line)
                    if len(found) > 40:
                        print(f"    ... {len(found) - 40} more lines")
                else:
                    identical += 1
        finally:
            ours.stop()
            theirs.stop()
    finally:
        remove(work)
    for name, (reference_state, our_state) in sorted(baselines.items()):
        unlike = sorted(
            key for key in set(reference_state) | set(our_state) if reference_state.get(key) != our_state.get(key)
        )
        if unlike:
            print(f"node {name} read differently before any command: {', '.join(unlike)}")
            for key in unlike:
                lines = unified(str(reference_state.get(key)), str(our_state.get(key)))
                print(f"  {key}:\n" + "\n".join(lines[:30]))
    elapsed = time.monotonic() - started
    share = 100.0 * identical / len(runnable) if runnable else 100.0
    print(f"identical {identical}/{len(runnable)} ({share:.1f}%) in {elapsed:.0f} s")
    if fail_under is not None and share < fail_under:
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m interop.virtinst", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fetch", action="store_true", help="download virt-manager's tests into the cache and stop")
    parser.add_argument("--fail-under", type=float, help="exit 1 when fewer than P percent are identical")
    parser.add_argument("--limit", type=int, help="run only the first N runnable command lines")
    parser.add_argument("--only", nargs="*", help="run just these command lines (the names DIFF lines show)")
    parser.add_argument("--list", action="store_true", help="list the command lines and why any is left out")
    options = parser.parse_args(argv)
    if options.fetch:
        print(f"virt-manager {VERSION} tests: {fetch()}")
        return 0
    if options.list:
        root = find_source()
        if root is None:
            print("not available")
            return UNAVAILABLE
        for command in read_commands(root):
            line = f"{command.app} {shlex.join(command.argv)}".replace("\n", "\\n")  # one line each
            print(f"{command.ident}\t{command.skip or 'run'}\t{line}")
        return 0
    return run(options.fail_under, options.limit, options.only)


if __name__ == "__main__":
    sys.exit(main())
