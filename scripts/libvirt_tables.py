#!/usr/bin/env python3
"""Write (or, with --check, verify) the tables virtrio takes from libvirt's C sources.

    python3 scripts/libvirt_tables.py [--source LIBVIRT_TREE] [--check] [TABLE...]
    python3 scripts/libvirt_tables.py --fetch

TABLE is one of: error-messages (rpc/error_messages.py, from src/util/virerror.c and the
error numbers in include/libvirt/virterror.h), features (server/features.py, from
src/libvirt_internal.h, src/driver.c and the daemon's dispatcher), procedure-facts
(server/procedure_facts.py: checks each REMOTE procedure's API function and connection
against the remote driver's tables, and every API's error domain and whether it refuses a
read-only connection always / on a condition / never against src/libvirt-*.c; the conditions
themselves (flag masks) stay hand-kept, so this one only has --check). --check exits 1
when a committed table differs from what the sources say, 2 when the sources are missing.
LIBVIRT_TREE is an extracted libvirt 9.0.0 tree; by default
$VIRTRIO_LIBVIRT_FULL_SOURCE, else the files --fetch keeps (Debian's source package, as
scripts/setup-test-env runs it).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = "9.0.0"
# The only files the tables are read from: --fetch keeps these and nothing else.
NEEDED = (
    "include/libvirt/virterror.h",
    "src/util/virerror.c",
    "src/libvirt_internal.h",
    "src/driver.c",
    "src/remote/remote_daemon_dispatch.c",
    "src/remote/remote_driver.c",
    "src/libvirt*.c",
    "src/admin/libvirt-admin.c",
)


def fetched_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "virtrio" / f"libvirt-{VERSION}-tables"


def default_source() -> Path:
    named = os.environ.get("VIRTRIO_LIBVIRT_FULL_SOURCE")
    if named:
        return Path(named)
    return fetched_folder()


DEFAULT_SOURCE = default_source()


class SourceMissing(Exception):
    pass


def _read(path: Path) -> str:
    if not path.is_file():
        raise SourceMissing(str(path))
    return path.read_text(encoding="utf-8", errors="replace")


def _c_string(text: str) -> str:
    """Join adjacent C string literals (with N_() around them) into one Python string."""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', text)
    joined = "".join(parts)
    return joined.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def _error_numbers(source: Path) -> dict[str, int]:
    """virErrorNumber's names and numbers (each member of that enum is given its number)."""
    header = _read(source / "include/libvirt/virterror.h")
    enum = header[: header.index("} virErrorNumber;")]
    enum = enum[enum.rindex("typedef enum {") :]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"\b(VIR_(?:ERR|WAR)_\w+)\s*=\s*(\d+)", enum)}


def _formatted(text: str, target: str) -> str:
    """The text as ruff format (with the project's settings) writes it."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", target, "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return result.stdout


def error_messages(source: Path) -> str:
    body = _read(source / "src/util/virerror.c")
    start = body.index("virErrorMsgStrings[] = {")
    table = body[start : body.index("\n};", start)]
    numbers = _error_numbers(source)
    entries: dict[int, tuple[str, str | None, str | None]] = {}
    for match in re.finditer(r"\[(VIR_(?:ERR|WAR)_\w+)\]\s*=\s*\{(.*?)\}\s*,", table, re.S):
        name, inner = match.group(1), match.group(2)
        if name not in numbers:
            raise SystemExit(f"{name} is in virerror.c but not in virterror.h")
        # Each of the two is N_("...") (translated), a bare "..." literal or NULL.
        items = re.findall(r'N_\(((?:\s*"(?:[^"\\]|\\.)*")+)\s*\)|((?:\s*"(?:[^"\\]|\\.)*")+)|NULL', inner)
        texts = [_c_string(translated or bare) if (translated or bare) else None for translated, bare in items]
        if len(texts) != 2:
            raise SystemExit(f"cannot read the messages of {name}: {inner!r}")
        entries[numbers[name]] = (name, texts[0], texts[1])
    lines = [
        '"""The message libvirt puts before an error\'s detail, per error code (virerror.c\'s table).',
        "",
        'A reported error\'s message is the "with detail" template filled with the detail, or the',
        '"without detail" text when there is none; the template itself travels as str1.',
        "Written by scripts/libvirt_tables.py error-messages; do not edit by hand.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "# code: (name, text without detail, template with detail)",
        "ERROR_MESSAGES: dict[int, tuple[str, str | None, str | None]] = {",
    ]
    lines += [f"    {code}: {entries[code]!r}," for code in sorted(entries)]
    lines.append("}")
    return _formatted("\n".join(lines) + "\n", "rpc/error_messages.py")


def _switch_cases(block: str) -> list[str]:
    return re.findall(r"case VIR_DRV_FEATURE_(\w+):", block)


def features(source: Path) -> str:
    internal = _read(source / "src/libvirt_internal.h")
    enum = internal[: internal.index("} virDrvFeature;")]
    enum = enum[enum.rindex("typedef enum {") :]
    members = [(m.group(1), int(m.group(2))) for m in re.finditer(r"VIR_DRV_FEATURE_(\w+)\s*=\s*(\d+)", enum)]
    # The daemon answers 1 itself for the cases that precede its first "supported = 1".
    dispatch = _read(source / "src/remote/remote_daemon_dispatch.c")
    start = dispatch.index("remoteDispatchConnectSupportsFeature(")
    switch = dispatch[dispatch.index("switch ((virDrvFeature) args->feature)", start) :]
    daemon = _switch_cases(switch[: switch.index("supported = 1;")])
    # Every driver answers 1 for the cases that precede "*supported = 1" in virDriverFeatureIsGlobal.
    driver = _read(source / "src/driver.c")
    start = driver.index("virDriverFeatureIsGlobal(virDrvFeature")
    block = driver[start : driver.index("*supported = 1;", start)]
    block = block[block.rindex("return true;") :]
    global_ = _switch_cases(block)
    lines = [
        '"""Driver feature numbers clients ask about with CONNECT_SUPPORTS_FEATURE.',
        "",
        "libvirt's internal virDrvFeature enum (src/libvirt_internal.h): not part of the public API XML.",
        "Written by scripts/libvirt_tables.py features; do not edit by hand.",
        '"""',
        "",
    ]
    lines += [f"{name} = {value}" for name, value in members]
    lines += [
        "",
        "# Answered 1 by the daemon itself, whatever the driver (remoteDispatchConnectSupportsFeature).",
        f"DAEMON_FEATURES = frozenset({{{', '.join(daemon)}}})",
        "# Answered 1 for every driver (libvirt's virDriverFeatureIsGlobal).",
        f"GLOBAL_FEATURES = frozenset({{{', '.join(global_)}}})",
    ]
    return _formatted("\n".join(lines) + "\n", "server/features.py")


def _api_bodies(source: Path) -> dict[str, tuple[str, str]]:
    """Each public API function's body and its file's VIR_FROM_THIS."""
    found: dict[str, tuple[str, str]] = {}
    files = [*sorted((source / "src").glob("libvirt*.c")), source / "src/admin/libvirt-admin.c"]
    for path in files:
        text = _read(path)
        domain = re.search(r"#define VIR_FROM_THIS (VIR_FROM_\w+)", text)
        for match in re.finditer(r"^(?:[\w *]+?[ *])?(vir\w+)\(([^)]*)\)\s*\{\n(.*?)^\}", text, re.S | re.M):
            found[match.group(1)] = (match.group(3), domain.group(1) if domain else "VIR_FROM_NONE")
    return found


# The remote driver's table names a driver field per procedure; the connection it belongs to
# is the driver struct holding it (src/remote/remote_driver.c).
DRIVER_CONNECTIONS = {
    "hypervisor_driver": "Hypervisor",
    "network_driver": "Network",
    "interface_driver": "Interface",
    "storage_driver": "Storage",
    "secret_driver": "Secret",
    "node_device_driver": "NodeDev",
    "nwfilter_driver": "NWFilter",
}
# Procedures the client library sends for its own API functions without a driver table entry
# naming them: opening, closing and naming the connection.
LIBRARY_CALLS: dict[str, tuple[str, str | None]] = {
    "CONNECT_OPEN": ("virConnectOpenAuth", None),
    "CONNECT_CLOSE": ("virConnectClose", None),
    "CONNECT_GET_URI": ("virConnectGetURI", "Hypervisor"),
}
# Event registrations the daemon's dispatcher turns into the *Any functions (checked: its
# handler in remote_daemon_dispatch.c calls that function).
DAEMON_CALLS: dict[str, tuple[str, str | None]] = {
    "CONNECT_DOMAIN_EVENT_REGISTER": ("virConnectDomainEventRegisterAny", "Hypervisor"),
    "CONNECT_DOMAIN_EVENT_DEREGISTER": ("virConnectDomainEventDeregisterAny", "Hypervisor"),
    "CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY": ("virConnectDomainEventRegisterAny", "Hypervisor"),
    "CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY": ("virConnectDomainEventDeregisterAny", "Hypervisor"),
}


def remote_apis(source: Path, bodies: dict[str, tuple[str, str]]) -> dict[str, tuple[str | None, str | None]]:
    """Per REMOTE procedure name (lower case, no underscores): the public API and connection."""
    driver = _read(source / "src/remote/remote_driver.c")
    callers: dict[str, list[str]] = {}
    for name, (body, _) in bodies.items():
        for field in set(re.findall(r"->(\w+)\(", body)):
            callers.setdefault(field, []).append(name)
    found: dict[str, tuple[str | None, str | None]] = {}
    for struct in re.finditer(r"^static vir\w+Driver (\w+) = \{\n(.*?)^\};", driver, re.S | re.M):
        connection = DRIVER_CONNECTIONS.get(struct.group(1))
        for entry in re.finditer(r"\.(\w+)\s*=\s*remote(\w+),", struct.group(2)):
            field = entry.group(1)
            # The API calling conn->driver->FIELD: the one named after the field, else the only caller.
            named = "vir" + field[0].upper() + field[1:]
            calling = callers.get(field, [])
            api = named if named in calling else (calling[0] if len(calling) == 1 else None)
            found[entry.group(2).lower()] = (api, connection)
    dispatch = _read(source / "src/remote/remote_daemon_dispatch.c")
    for procedure, (api, connection) in DAEMON_CALLS.items():
        key = procedure.replace("_", "").lower()
        handler = re.search(rf"^remoteDispatch(?i:{key})\(.*?^\}}", dispatch, re.S | re.M)
        if handler is None or f"{api}(" not in handler.group(0):
            raise SystemExit(f"DAEMON_CALLS: the daemon's dispatcher for {procedure} does not call {api}")
        found[key] = (api, connection)
    for procedure, called in LIBRARY_CALLS.items():
        found[procedure.replace("_", "").lower()] = called
    return found


def procedure_facts_problems(source: Path) -> list[str]:
    """Where the committed facts disagree with the API function's source."""
    from virtrio.protocol.generated import remote
    from virtrio.server import procedure_facts as facts

    bodies = _api_bodies(source)
    problems: list[str] = []
    derived = remote_apis(source, bodies)
    for number, fact in facts.REMOTE.items():
        name = remote.PROCEDURES[number].name
        api, connection = derived.get(name.replace("_", "").lower(), (None, None))
        if (api, connection) != (fact.api, fact.connection):
            problems.append(
                f"REMOTE[{number}] {name}: API {fact.api} on the {fact.connection} connection,"
                f" the sources say {api} on the {connection} connection"
            )
    for table_name in ("REMOTE", "QEMU", "LXC", "ADMIN"):
        table: dict[int, facts.ProcedureFacts] = getattr(facts, table_name)
        for number, fact in table.items():
            if fact.api is None:
                continue
            where = f"{table_name}[{number}] {fact.api}"
            if fact.api not in bodies:
                problems.append(f"{where}: no such function in src/")
                continue
            body, domain = bodies[fact.api]
            if domain != fact.error_domain:
                problems.append(f"{where}: error domain {fact.error_domain}, the source says {domain}")
            # A read-only check at the body's own indentation applies whatever the arguments.
            unconditional = re.search(r"^    virCheckReadOnlyGoto\(", body, re.M) is not None
            # Some functions test the connection's read-only flag themselves, with the call's flags.
            anywhere = "virCheckReadOnlyGoto(" in body or "VIR_CONNECT_RO" in body
            if unconditional and fact.read_only != facts.ALWAYS:
                problems.append(f"{where}: always refused read-only in the source, {fact.read_only!r} here")
            if not anywhere and fact.read_only is not None:
                problems.append(f"{where}: never refused read-only in the source, {fact.read_only!r} here")
            if anywhere and not unconditional and fact.read_only in (None, facts.ALWAYS):
                problems.append(f"{where}: refused read-only on a condition in the source, {fact.read_only!r} here")
    return problems


def fetch() -> Path:
    """Keep the NEEDED files of Debian's libvirt source package in the cache (needs deb-src)."""
    destination = fetched_folder()
    if all((destination / name).is_file() for name in NEEDED if "*" not in name):
        return destination
    shutil.rmtree(destination, ignore_errors=True)  # kept by an older list of files: fetched again
    sys.path.insert(0, str(ROOT))
    from interop import libvirt_source  # enables deb-src entries the same way the corpus fetch does

    with tempfile.TemporaryDirectory(prefix="virtrio-libvirt-tables-") as work:
        command = ["apt-get", "source", "--download-only", "libvirt"]
        if subprocess.run(command, cwd=work, capture_output=True).returncode != 0:
            libvirt_source._enable_deb_src()
            subprocess.run(command, cwd=work, check=True, capture_output=True)
        archives = list(Path(work).glob(f"libvirt_{VERSION}.orig.tar.*"))
        if not archives:
            raise SystemExit(f"Debian's libvirt source package is not version {VERSION}")
        prefix = f"libvirt-{VERSION}/"
        staging = destination.with_name(destination.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        with tarfile.open(archives[0]) as tar:
            for member in tar.getmembers():
                inner = member.name.removeprefix(prefix)
                if not member.isfile() or not any(Path(inner).match(pattern) for pattern in NEEDED):
                    continue
                if ".." in Path(inner).parts or inner.startswith("/"):
                    raise SystemExit(f"refusing archive member {member.name!r}")
                source = tar.extractfile(member)
                assert source is not None
                target = staging / inner
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read())
        staging.rename(destination)
    return destination


WRITERS = {"error-messages": (error_messages, "rpc/error_messages.py"), "features": (features, "server/features.py")}
TABLES = [*WRITERS, "procedure-facts"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tables", nargs="*", metavar="TABLE", help=", ".join(TABLES))
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--fetch", action="store_true", help="keep the files needed from Debian's source package")
    parser.add_argument("--check", action="store_true", help="compare with the committed tables, write nothing")
    args = parser.parse_args(argv)
    for table in args.tables:
        if table not in TABLES:
            parser.error(f"unknown table {table!r}: one of {', '.join(TABLES)}")
    if args.fetch:
        print(f"libvirt {VERSION}'s table sources: {fetch()}")
        return 0
    status = 0
    try:
        for table in args.tables or TABLES:
            if table == "procedure-facts":
                problems = procedure_facts_problems(args.source)
                for problem in problems:
                    print(f"server/procedure_facts.py: {problem}", file=sys.stderr)
                status |= 1 if problems else 0
                continue
            writer, target = WRITERS[table]
            wanted = writer(args.source)
            path = ROOT / target
            if args.check:
                if path.read_text() != wanted:
                    print(f"{target} differs from libvirt's sources: run {sys.argv[0]} {table}", file=sys.stderr)
                    status = 1
            elif path.read_text() != wanted:
                path.write_text(wanted)
                print(f"wrote {target}")
    except SourceMissing as missing:
        print(f"libvirt's source is not available: {missing} is missing", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
