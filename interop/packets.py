"""Reply packets of both daemons, decoded and compared field by field.

The corpus runner records each command's traffic through `capture.RecordingProxy`. The
daemon's replies are decoded with virtrio's codec (errors as virNetMessageError), turned
into plain values and normalised exactly as the text is (socket paths, UUIDs nobody chose,
clock-derived values), then compared field by field, so a difference a client never
prints (an extra byte in a label, OK against an error) still shows.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from virtrio.protocol.generated import admin, keepalive, lxc, qemu, remote, virnet
from virtrio.protocol.runtime import XdrError, XdrStruct
from virtrio.rpc.packet import MessageType, Status

TABLES = {m.PROGRAM: m.PROCEDURES for m in (remote, qemu, lxc, admin)}
ERROR = virnet.CODECS["virNetMessageError"]
UUID_TEXT = "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}"
# Numbers that follow the clock in both daemons (the same things the text normalisation
# hides): CPU times, I/O counters of the test driver, creation times.
VOLATILE_FIELDS = re.compile(r"(?i)(cpu_?time|creation_?time|^(rd|wr|rx|tx)_|_(reqs|bytes|errs|drop)$|^errs$)")
VOLATILE_PARAMS = re.compile(r"(?i)(cpu_?time|\.time$|^(rd|wr|flush)_(reqs|bytes|total_times)$|^errs$)")


# Beyond the text's normalisation, for what replies carry and virsh never prints:
# folders the corpus scripts make with mkdtemp (each run its own name) and names made of the
# current epoch second (a snapshot's default name).
TEMP_FOLDER = re.compile(r"/tmp/[\w.-]+")
EPOCH_NAME = re.compile(r"\b\d{10}\b")
# Procedures whose lists come in libvirt's hash-table order, which no API promises and every
# client sorts: compared as sorted lists.
UNORDERED = re.compile(
    r"(^CONNECT_LIST_|_LIST_ALL_|^NODE_LIST_DEVICES$|_LIST_NAMES$|_LIST_VOLUMES$|GET_ALL_DOMAIN_STATS$)"
)


def reply_text(text: Callable[[str], str]) -> Callable[[str], str]:
    def normalised(value: str) -> str:
        value = TEMP_FOLDER.sub("<tmp>", text(value))
        now = time.time()
        return EPOCH_NAME.sub(lambda m: "<epoch>" if abs(int(m.group()) - now) < 86400 else m.group(), value)

    return normalised


def sort_lists(value: Any) -> Any:
    """The reply's top-level lists in a fixed order (see UNORDERED)."""
    if isinstance(value, dict):
        return {k: sorted(v, key=repr) if isinstance(v, list) else v for k, v in value.items()}
    return value


@dataclass
class Reply:
    key: tuple  # (connection number within the command, program, procedure, the call's normalised arguments)
    name: str
    value: Any  # plain, normalised


def uuid_text(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    return UUID_TEXT.format(
        number >> 96, (number >> 80) & 0xFFFF, (number >> 64) & 0xFFFF, (number >> 48) & 0xFFFF, number & 0xFFFFFFFFFFFF
    )


def plain(value: Any, text: Callable[[str], str], field: str = "") -> Any:
    """The value as dicts, lists and scalars, with volatile parts normalised."""
    if isinstance(value, XdrStruct):
        slots = value.__slots__
        result = {slot: plain(getattr(value, slot), text, slot) for slot in slots}
        # typed parameters: {field, value} whose field names a clock-derived counter
        if "field" in result and isinstance(result["field"], str) and VOLATILE_PARAMS.search(result["field"]):
            result["value"] = "<counter>"
        return result
    if isinstance(value, list):
        return [plain(item, text, field) for item in value]
    if isinstance(value, str):
        return text(value)
    if isinstance(value, bytes) and len(value) == 16 and "uuid" in field.lower():
        return text(uuid_text(value))
    if isinstance(value, int) and not isinstance(value, bool) and VOLATILE_FIELDS.search(field):
        return "<counter>"
    return value


def replies(records: list, text: Callable[[str], str]) -> list[Reply]:
    """The daemon's replies among recorded packets, in order, connections numbered from 1."""
    first = min((r.connection for r in records), default=1)
    text = reply_text(text)
    calls = {}
    for record in records:
        header = record.packet.header
        if record.direction == "client" and header.type == MessageType.CALL:
            calls[(record.connection, header.serial)] = call_value(header, record.packet.payload, text)
    found = []
    for record in records:
        header = record.packet.header
        if record.direction != "daemon" or header.type != MessageType.REPLY or header.prog == keepalive.PROGRAM:
            continue
        procedure = TABLES.get(header.prog, {}).get(header.proc)
        name = procedure.name if procedure else f"{header.prog}:{header.proc}"
        payload = record.packet.payload
        try:
            if header.status == Status.ERROR:
                value = ("error", plain(ERROR.decode(payload), text))
            elif procedure is not None and procedure.ret is not None:
                value = ("ok", plain(procedure.ret.decode(payload), text))
                if UNORDERED.search(name):
                    value = ("ok", sort_lists(value[1]))
            else:
                value = ("ok", payload)
        except XdrError as error:
            value = ("undecodable", str(error), payload)
        call = calls.get((record.connection, header.serial))
        key = (record.connection - first + 1, header.prog, header.proc, call)
        found.append(Reply(key, name, value))
    return found


def call_value(header: Any, payload: bytes, text: Callable[[str], str]) -> str:
    """A call's arguments, normalised: replies are paired by the call they answer."""
    procedure = TABLES.get(header.prog, {}).get(header.proc)
    if procedure is None or procedure.args is None:
        return payload.hex()
    try:
        return repr(plain(procedure.args.decode(payload, exact=False), text))
    except XdrError:
        return payload.hex()


def differences(theirs: list[Reply], ours: list[Reply]) -> list[str]:
    """One line per reply that differs: the first differing field on each side.

    Replies are paired by connection and call (procedure and normalised arguments), in
    order: a client that walks a list in the order a daemon gave it makes the same calls
    in another order, and that order is compared (sorted) in the list's reply already.
    """
    found = []
    waiting: dict[tuple, list[Reply]] = {}
    for reply in ours:
        waiting.setdefault(reply.key, []).append(reply)
    for want in theirs:
        candidates = waiting.get(want.key)
        if not candidates:
            found.append(f"{want.name}: libvirtd answered a call virtrio was not sent: {want.value!r:.200}")
            continue
        got = candidates.pop(0)
        if want.value != got.value:
            path, left, right = first_difference(want.value, got.value)
            found.append(f"{want.name}{path}: libvirtd {left!r:.200}, virtrio {right!r:.200}")
    for left in waiting.values():
        for got in left:
            found.append(f"{got.name}: virtrio answered a call libvirtd was not sent: {got.value!r:.200}")
    return found


def first_difference(left: Any, right: Any, path: str = "") -> tuple[str, Any, Any]:
    if isinstance(left, dict) and isinstance(right, dict) and left.keys() == right.keys():
        for name in left:
            if left[name] != right[name]:
                return first_difference(left[name], right[name], f"{path}.{name}")
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)) and len(left) == len(right):
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            if a != b:
                return first_difference(a, b, f"{path}[{index}]")
    if isinstance(left, str) and isinstance(right, str):
        at = next((i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b), min(len(left), len(right)))
        start = max(at - 40, 0)
        return f"{path}@{at}", left[start : at + 80], right[start : at + 80]
    return path, left, right
