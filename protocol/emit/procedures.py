"""Emitter for a program's procedure table, from its procedure enum and annotations.

The .x files have no program blocks: procedure ``<PREFIX>_PROC_<NAME>`` of enum
``<prefix>_procedure`` takes ``<prefix>_<name>_args``, returns ``<prefix>_<name>_ret``,
and an event message carries ``<prefix>_<name>_msg``, each only where it exists.
"""

from __future__ import annotations

import re

from ..model import ConstRef, Enum, ProtocolFile, Struct
from ..sources import ProtocolSources, SourceError

# Procedures that open a stream without saying so in an annotation. libvirt's client
# code for these is written by hand rather than generated from annotations.
STREAM_OVERRIDES = {
    # REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL3_PARAMS: the migration tunnel, like
    # PREPARE_TUNNEL3 (215), sends data from the client to the daemon.
    ("remote", 304): "write",
}


# The element types whose single-array replies libvirt's gendispatch.pl fills through an
# "insert@N" argument, after refusing max<name> > <the array's bound> (VIR_ERR_RPC).
_INSERTED_LISTS = {"remote_nonnull_string", "admin_nonnull_string", "int", "hyper", "unsigned hyper"}


def list_bound(sources: ProtocolSources, args: str | None, ret: str | None) -> tuple[str, int, str] | None:
    """The (argument, limit, limit name) the generated dispatcher checks before the driver.

    gendispatch.pl makes the check for a reply whose only member is an array of strings,
    ints or hypers bounded by a named constant: the client says how many it wants in the
    argument max<member>, and "max<member> > <LIMIT>" is refused.
    """
    if args is None or ret is None:
        return None
    reply = sources.definition(ret)
    if not isinstance(reply, Struct) or len(reply.fields) != 1:
        return None
    member = reply.fields[0]
    if member.kind != "variable" or member.type.name not in _INSERTED_LISTS or not isinstance(member.size, ConstRef):
        return None
    argument = f"max{member.name}"
    arguments = sources.definition(args)
    if not isinstance(arguments, Struct) or argument not in {f.name for f in arguments.fields}:
        raise SourceError(f"{member.pos}: {ret} is a list but {args} has no {argument}")
    return argument, sources.resolve(member.size), member.size.name


# The object types whose lists gendispatch.pl returns with a count ("modern" list calls).
_LISTED_OBJECTS = re.compile(
    r"^(?:admin|remote)_nonnull_(secret|nwfilter|nwfilter_binding|node_device|interface|network|network_port|"
    r"storage_vol|storage_pool|domain_checkpoint|domain_snapshot|domain|server|client)$"
)


def result_bound(sources: ProtocolSources, ret: str | None) -> tuple[str, int, str] | None:
    """(object type, limit, limit name) of gendispatch.pl's "Too many <type>s" check.

    A reply of several members, one an array of object references bounded by a named
    constant, is refused when the driver's count exceeds the bound (after the call).
    """
    if ret is None:
        return None
    reply = sources.definition(ret)
    if not isinstance(reply, Struct) or len(reply.fields) < 2:
        return None
    for member in reply.fields:
        found = _LISTED_OBJECTS.match(member.type.name)
        if found and member.kind == "variable" and isinstance(member.size, ConstRef):
            return found.group(1), sources.resolve(member.size), member.size.name
    return None


def procedure_enum(parsed: ProtocolFile, prefix: str) -> Enum | None:
    found = parsed.by_name().get(f"{prefix}_procedure")
    return found if isinstance(found, Enum) else None


def emit_procedures(module: str, parsed: ProtocolFile, sources: ProtocolSources) -> list[str]:
    enum = procedure_enum(parsed, module)
    if enum is None:
        return []
    upper = module.upper()
    program = sources.constants[f"{upper}_PROGRAM"]
    version = sources.constants[f"{upper}_PROTOCOL_VERSION"]
    home = sources.type_home
    lines = [
        f"PROGRAM = {upper}_PROGRAM",
        f"PROTOCOL_VERSION = {upper}_PROTOCOL_VERSION",
        "",
        # Rows of constants, made into Procedures by one loop: a table of ~450 keyword calls
        # is several times larger to load and slower to run when a daemon starts.
        "# number: (name, args, ret, high_priority, acl, aclfilter, stream, stream_param, sparse_flag,",
        "#          is_event, generate, list_bound, result_bound); args and ret are CODECS keys",
        "PROCEDURES: dict[int, Procedure] = procedure_table(PROGRAM, PROTOCOL_VERSION, CODECS, {",
    ]
    for member in enum.members:
        number = sources.resolve(member.value)
        short = member.name.removeprefix(f"{upper}_PROC_")
        if short == member.name:
            raise SourceError(f"{member.pos}: {member.name} lacks the prefix {upper}_PROC_")
        stem = f"{module}_{short.lower()}"
        args = stem + "_args" if home.get(stem + "_args") == module else None
        ret = stem + "_ret" if home.get(stem + "_ret") == module else None
        message = stem + "_msg" if home.get(stem + "_msg") == module else None
        notes: dict[str, list[str]] = {}
        for annotation in member.annotations:
            notes.setdefault(annotation.key, []).append(annotation.value)
        stream, stream_param = None, None
        if "readstream" in notes:
            stream, stream_param = "read", int(notes["readstream"][0])
        elif "writestream" in notes:
            stream, stream_param = "write", int(notes["writestream"][0])
        elif (module, number) in STREAM_OVERRIDES:
            stream = STREAM_OVERRIDES[(module, number)]
        sparse = notes.get("sparseflag", [None])[0]
        generate = notes.get("generate", [None])[0]
        # Only the daemon code gendispatch.pl writes has the check; hand-written dispatchers
        # (generate: client or none) make their own, listed in server/dispatch_checks.py.
        bound = results = None
        if generate in ("both", "server") and args and ret:
            bound = list_bound(sources, stem + "_args", stem + "_ret")
        if generate in ("both", "server") and ret:
            results = result_bound(sources, stem + "_ret")
        row = (
            short,
            message or args,
            ret,
            notes.get("priority", ["low"])[0] == "high",
            tuple(notes.get("acl", [])),
            tuple(notes.get("aclfilter", [])),
            stream,
            stream_param,
            sparse,
            message is not None,
            generate,
            bound,
            results,
        )
        lines.append(f"    {number}: {row!r},")
    lines.append("})")
    lines.append(f"assert PROGRAM == {program} and PROTOCOL_VERSION == {version}")
    return lines
