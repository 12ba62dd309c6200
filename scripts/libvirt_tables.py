#!/usr/bin/env python3
"""Write (or, with --check, verify) the tables virtrio takes from libvirt's C sources.

    python3 scripts/libvirt_tables.py [--source LIBVIRT_TREE] [--check] [TABLE...]
    python3 scripts/libvirt_tables.py --fetch

TABLE is one of: error-messages (rpc/error_messages.py, from src/util/virerror.c and the
error numbers in include/libvirt/virterror.h), features (server/features.py, from
src/libvirt_internal.h, src/driver.c and the daemon's dispatcher), procedure-facts
(server/procedure_facts_table.py: per procedure of the generated REMOTE, QEMU, LXC and ADMIN
tables, the public API function and connection from the remote driver's tables, the daemon's
dispatcher and src/admin/libvirt-admin.c; the function's error domain and when it refuses a
read-only connection (always, on a flag mask, on an argument's value, never) from its body in
src/libvirt*.c, flag names checked against the generated libvirt_api constants). Without
--check the tables are written; --check exits 1 when a committed table differs from what
the sources say, 2 when the sources are missing. LIBVIRT_TREE is an extracted libvirt 9.0.0
tree; by default $VIRTRIO_LIBVIRT_FULL_SOURCE, else the files --fetch keeps (Debian's source
package, as scripts/setup-test-env runs it).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from types import ModuleType

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


# Procedures the client library sends for its own API functions without a driver table entry
# naming them (src/remote/remote_driver.c): doRemoteOpen sends CONNECT_OPEN (line 1155) for
# virConnectOpenAuth and the others of its family, and CONNECT_GET_URI (line 1168) to learn the
# URI virConnectGetURI then answers from the connection (src/libvirt-host.c:314);
# doRemoteClose sends CONNECT_CLOSE (line 1302) when virConnectClose drops the last reference.
LIBRARY_CALLS: dict[str, tuple[str, str | None]] = {
    "CONNECT_OPEN": ("virConnectOpenAuth", None),
    "CONNECT_CLOSE": ("virConnectClose", None),
    "CONNECT_GET_URI": ("virConnectGetURI", "Hypervisor"),  # the URI of the hypervisor connection
}


def remote_apis(source: Path, bodies: dict[str, tuple[str, str]]) -> dict[str, tuple[str | None, str | None]]:
    """Per REMOTE procedure name (lower case, no underscores): the public API and connection.

    The API is the one the daemon calls for it (its error names that function): the one a
    hand-written dispatcher in remote_daemon_dispatch.c calls, else, for the generated
    dispatchers, the one calling the remote driver's entry for the procedure. The connection
    is the driver struct holding that entry, or the API's own entry."""
    driver = _read(source / "src/remote/remote_driver.c")
    callers: dict[str, list[str]] = {}
    for name, (body, _) in bodies.items():
        for field in set(re.findall(r"->(\w+)\(", body)):
            callers.setdefault(field, []).append(name)
    found: dict[str, tuple[str | None, str | None]] = {}
    connections: dict[str, str] = {}  # API -> the connection of its driver entry
    # The connection a procedure belongs to is the driver struct holding its field:
    # "static virNetworkDriver network_driver = {" gives Network.
    for struct in re.finditer(r"^static vir(\w+)Driver \w+ = \{\n(.*?)^\};", driver, re.S | re.M):
        connection = struct.group(1)
        for entry in re.finditer(r"\.(\w+)\s*=\s*remote(\w+),", struct.group(2)):
            field = entry.group(1)
            # The API calling conn->driver->FIELD: the one named after the field, else the only caller.
            named = "vir" + field[0].upper() + field[1:]
            calling = callers.get(field, [])
            api = named if named in calling else (calling[0] if len(calling) == 1 else None)
            found[entry.group(2).lower()] = (api, connection)
            if api is not None:
                connections.setdefault(api, connection)
    by_lower = {name.lower(): name for name in bodies}
    dispatch = _read(source / "src/remote/remote_daemon_dispatch.c")
    for handler in re.finditer(r"^remoteDispatch(\w+)\(.*?^\}", dispatch, re.S | re.M):
        key = handler.group(1).lower()
        called = sorted(set(re.findall(r"\b(vir\w+)\(", handler.group(0))) & set(bodies))
        named = by_lower.get("vir" + key)
        if named in called:
            api: str | None = named
        elif len(called) == 1:
            api = called[0]  # event registrations: the *Any function
        elif not called:
            # The daemon answers it itself (authentication) or through the driver entry (identity).
            found.setdefault(key, (None, None))
            continue
        else:
            raise SystemExit(f"remoteDispatch{handler.group(1)} calls {', '.join(called)}: which is its API?")
        connection = found.get(key, (None, None))[1] or connections.get(api or "")
        found[key] = (api, connection)
    for procedure, library_call in LIBRARY_CALLS.items():
        found[procedure.replace("_", "").lower()] = library_call
    return found


# The admin client library sends CONNECT_CLOSE from the connection's dispose
# (remoteAdminConnectClose, src/admin/admin_remote.c), reached when virAdmConnectClose
# (src/admin/libvirt-admin.c) drops the last reference: no call in that function's body names it.
ADMIN_LIBRARY_CALLS = {"CONNECT_CLOSE": "virAdmConnectClose"}
# Read-only conditions the patterns in read_only_rule() cannot read, by API function, with
# the C line they stand for. Empty in libvirt 9.0.0: every condition there is one of the
# three patterns. An entry here wins over the derivation.
READ_ONLY_CONDITIONS: dict[str, str] = {}
# Where the generated table takes its keys and flag names from.
PROTOCOL_IMPORTS = (
    "from virtrio.protocol.generated import admin, remote",
    "from virtrio.protocol.generated import libvirt_api as api",
)


def _mask(expression: str, where: str) -> str:
    """A C flag expression (A, (A | B)) as the libvirt_api constants it ORs, checked to exist."""
    from virtrio.protocol.generated import libvirt_api

    names = re.findall(r"\b(VIR_\w+)\b", expression)
    leftover = re.sub(r"\b(VIR_\w+)\b|[()|\s]", "", expression)
    if not names or leftover:
        raise SystemExit(f"{where}: cannot read the flag expression {expression!r}")
    for name in names:
        if not isinstance(getattr(libvirt_api, name, None), int):
            raise SystemExit(f"{where}: {name} is not a constant of libvirt's API XML")
    return " | ".join(f"api.{name}" for name in names)


def read_only_rule(api: str, body: str) -> str:
    """When the API function refuses a read-only connection, as Python text for the table:
    "ALWAYS", "None", a flag mask (refused when flags & mask) or an (argument, value) pair."""
    if api in READ_ONLY_CONDITIONS:
        return READ_ONLY_CONDITIONS[api]
    # A check at the body's own indentation applies whatever the arguments.
    if re.search(r"^    virCheckReadOnlyGoto\(", body, re.M):
        return "ALWAYS"
    if "virCheckReadOnlyGoto(" not in body and "VIR_CONNECT_RO" not in body:
        return "None"
    # if ((conn->flags & VIR_CONNECT_RO) && (flags & MASK)) { ...OPERATION_DENIED... }
    tested = re.search(r"if \(\(\w+(?:->\w+)*->flags & VIR_CONNECT_RO\) &&\s*\(flags & (\(?[\w\s|]+\)?)\)\)", body)
    if tested is None:
        # if (flags & MASK) virCheckReadOnlyGoto(...);
        tested = re.search(r"if \(flags & (\(?[\w\s|]+\)?)\)\s*virCheckReadOnlyGoto\(", body)
    if tested is not None:
        return _mask(tested.group(1), api)
    # if (ARGUMENT == CONSTANT) virCheckReadOnlyGoto(...);
    compared = re.search(r"if \((\w+) == (VIR_\w+)\)\s*virCheckReadOnlyGoto\(", body)
    if compared is not None:
        return f"({compared.group(1)!r}, {_mask(compared.group(2), api)})"
    raise SystemExit(f"{api}: refused read-only on a condition no pattern reads: add it to READ_ONLY_CONDITIONS")


def read_only_detail(api: str, body: str) -> str | None:
    """The detail of the error when the function refuses a read-only connection by its own test
    of VIR_CONNECT_RO (not virCheckReadOnlyGoto's "read only access prevents <function>")."""
    if "VIR_CONNECT_RO" not in body:
        return None
    # if ((conn->flags & VIR_CONNECT_RO) && ...) { virReportError(VIR_ERR_OPERATION_DENIED, "%s", _("...")); ...
    reported = re.search(
        r'VIR_CONNECT_RO\)[^{]*\{\s*virReportError\(VIR_ERR_OPERATION_DENIED,\s*"%s",\s*_\(((?:\s*"(?:[^"\\]|\\.)*")+)\)\);',
        body,
    )
    if reported is None:
        raise SystemExit(f"{api}: tests VIR_CONNECT_RO itself but no OPERATION_DENIED message follows")
    return _c_string(reported.group(1))


def admin_apis(bodies: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Per ADMIN procedure name (lower case, no underscores): the virAdm function sending it."""
    callers: dict[str, list[str]] = {}
    for name, (body, _) in bodies.items():
        if name.startswith("virAdm"):
            for called in set(re.findall(r"\bremoteAdmin(\w+)\(", body)):
                callers.setdefault(called.lower(), []).append(name)
    found: dict[str, str] = {}
    for key, calling in callers.items():
        named = [api for api in calling if api.lower() == "viradm" + key]
        if named or len(calling) == 1:
            found[key] = (named or calling)[0]
    for procedure, api in ADMIN_LIBRARY_CALLS.items():
        found[procedure.replace("_", "").lower()] = api
    return found


def _row(
    api: str | None, bodies: dict[str, tuple[str, str]], connection: str | None, where: str, details: dict[str, str]
) -> str:
    if api is None:
        return '(None, None, "VIR_FROM_NONE", None)'
    if api not in bodies:
        raise SystemExit(f"{where}: {api} is not a function of src/libvirt*.c")
    body, domain = bodies[api]
    detail = read_only_detail(api, body)
    if detail is not None:
        details[api] = detail
    return f"({api!r}, {read_only_rule(api, body)}, {domain!r}, {connection!r})"


def procedure_facts(source: Path) -> str:
    from virtrio.protocol.generated import admin, lxc, qemu, remote

    bodies = _api_bodies(source)
    derived = remote_apis(source, bodies)
    details: dict[str, str] = {}
    lines = [
        '"""Each procedure\'s public API function, read-only rule, error domain and connection.',
        "",
        "Written by scripts/libvirt_tables.py procedure-facts from libvirt's sources (the remote",
        "driver's tables, the daemon's dispatcher, src/libvirt*.c, src/admin/libvirt-admin.c); do not",
        "edit by hand. server/procedure_facts.py reads the rows. REMOTE and ADMIN are keyed by the",
        "generated procedure constants; QEMU and LXC by number (the constant's name above it), so that a",
        "daemon serving neither never loads their generated modules.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        *PROTOCOL_IMPORTS,
        "",
        'ALWAYS = "always"',
        "# An int rule is a flag mask (refused when flags & mask), a pair an argument and the value refused.",
        "Rule = str | int | tuple[str, int] | None",
        "# (API function, read-only rule, VIR_FROM_* error domain, connection)",
        "Row = tuple[str | None, Rule, str, str | None]",
    ]

    admin_calls = admin_apis(bodies)

    def table(name: str, module: ModuleType, prefix: str, keyed_by_constant: bool) -> None:
        lines.extend(["", f"{name}: dict[int, Row] = {{"])
        for number, procedure in sorted(module.PROCEDURES.items()):
            key = procedure.name.replace("_", "").lower()
            where = f"{name} {procedure.name}"
            api: str | None
            connection: str | None = None
            if procedure.is_event:
                api = None
            elif name == "ADMIN":
                api = admin_calls.get(key)
                if api is None:
                    raise SystemExit(f"{where}: no virAdm function sends it")
            else:
                if name != "REMOTE":
                    # The remote driver names these after the program: domainQemuAttach.
                    key = key.replace("domain", "domain" + name.lower(), 1)
                if key not in derived:
                    raise SystemExit(f"{where}: neither a driver entry nor the daemon's dispatcher names it")
                api, connection = derived[key]
            row = _row(api, bodies, connection, where, details)
            if keyed_by_constant:
                constant = f"{prefix}_PROC_{procedure.name}"
                if getattr(module, constant, None) != number:
                    raise SystemExit(f"{where}: the generated constant {constant} is not {number}")
                lines.append(f"    {name.lower()}.{constant}: {row},")
            else:
                lines.append(f"    # {prefix}_PROC_{procedure.name}")
                lines.append(f"    {number}: {row},")
        lines.append("}")

    table("REMOTE", remote, "REMOTE", True)
    table("QEMU", qemu, "QEMU", False)
    table("LXC", lxc, "LXC", False)
    table("ADMIN", admin, "ADMIN", True)
    lines.extend(
        [
            "",
            "# The detail of a read-only refusal where the function tests VIR_CONNECT_RO itself instead of",
            '# calling virCheckReadOnlyGoto (whose detail is "read only access prevents <function>").',
            "READ_ONLY_DETAILS: dict[str, str] = {",
            *(f"    {api!r}: {detail!r}," for api, detail in sorted(details.items())),
            "}",
        ]
    )
    return _formatted("\n".join(lines) + "\n", "server/procedure_facts_table.py")


def fetch() -> Path:
    """Keep the NEEDED files of Debian's libvirt source package in the cache (needs deb-src)."""
    destination = fetched_folder()
    if all((destination / name).is_file() for name in NEEDED if "*" not in name):
        return destination
    shutil.rmtree(destination, ignore_errors=True)  # kept by an older list of files: fetched again
    sys.path.insert(0, str(ROOT))
    from interop import libvirt_source  # the source package fetched as the corpus fetch fetches it

    with tempfile.TemporaryDirectory(prefix="virtrio-libvirt-tables-") as work:
        archive = libvirt_source.download_orig("libvirt", VERSION, Path(work))
        prefix = f"libvirt-{VERSION}/"
        staging = destination.with_name(destination.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        with tarfile.open(archive) as tar:
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


WRITERS = {
    "error-messages": (error_messages, "rpc/error_messages.py"),
    "features": (features, "server/features.py"),
    "procedure-facts": (procedure_facts, "server/procedure_facts_table.py"),
}
TABLES = list(WRITERS)
DIFF_LINES = 40  # of a --check's unified diff shown per table


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
            writer, target = WRITERS[table]
            wanted = writer(args.source)
            path = ROOT / target
            committed = path.read_text() if path.is_file() else None
            if args.check:
                if committed != wanted:
                    print(f"{target} differs from libvirt's sources: run {sys.argv[0]} {table}", file=sys.stderr)
                    # The first lines that differ, so that a CI log says which entry drifted.
                    lines = difflib.unified_diff(
                        (committed or "").splitlines(),
                        wanted.splitlines(),
                        f"{target} (committed)",
                        "generated",
                        lineterm="",
                        n=1,
                    )
                    print("\n".join(list(lines)[:DIFF_LINES]), file=sys.stderr)
                    status = 1
            elif committed != wanted:
                path.write_text(wanted)
                print(f"wrote {target}")
    except SourceMissing as missing:
        print(f"libvirt's source is not available: {missing} is missing", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
