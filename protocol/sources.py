"""Finding and loading the compiler's inputs: libvirt's .x files and API XML files.

A source folder is laid out like ../shared/libvirt-9.0.0 (protocol/*.x, api/*.xml) or is
a libvirt source tree (src/remote/*.x, src/rpc/*.x, src/admin/*.x; the API XML files
are built, so they are looked for in the tree and then where libvirt-dev installs them).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from .model import Const, ConstRef, Definition, Enum, ProtocolFile, Value
from .parser import parse_file

# Module name of the generated code, in the order the files are generated. Later files
# may use the types of earlier ones (qemu and lxc use remote's).
PROTOCOL_FILES = {
    "virnet": "virnetprotocol.x",
    "keepalive": "virkeepaliveprotocol.x",
    "remote": "remote_protocol.x",
    "qemu": "qemu_protocol.x",
    "lxc": "lxc_protocol.x",
    "admin": "admin_protocol.x",
}
API_FILES = ("libvirt-api.xml", "libvirt-admin-api.xml", "libvirt-qemu-api.xml", "libvirt-lxc-api.xml")
INSTALLED_API_DIR = Path("/usr/share/libvirt/api")


class SourceError(Exception):
    pass


def _find(root: Path, filename: str, preferred: str, fallback: Path | None = None) -> Path:
    direct = root / preferred / filename
    if direct.is_file():
        return direct
    found = sorted(p for p in root.rglob(filename) if p.is_file())
    if found:
        return found[0]
    if fallback is not None and (fallback / filename).is_file():
        return fallback / filename
    raise SourceError(f"{filename} not found under {root}")


@dataclass(frozen=True)
class ApiEnum:
    name: str
    type: str
    value: int


@dataclass(frozen=True)
class ApiMacro:
    name: str
    value: int | str  # a number or a string macro


@dataclass(frozen=True)
class ApiFile:
    name: str
    sha256: str
    enums: tuple[ApiEnum, ...]
    macros: tuple[ApiMacro, ...]


_INT_SUFFIX = re.compile(r"(?<=[0-9])(?:[uU]?[lL]{1,2}|[uU])\b")
_SAFE_EXPRESSION = re.compile(r"^[0-9A-Za-z_ ()+\-*<>|]*$")


def _evaluate(raw: str, known: dict[str, int]) -> int | None:
    """Evaluate a C macro body made of numbers, known names and + - * << >> |."""
    text = re.sub(r"/\*.*?\*/", "", raw).strip()
    text = _INT_SUFFIX.sub("", text)
    if not text or not _SAFE_EXPRESSION.match(text):
        return None

    def substitute(match: re.Match[str]) -> str:
        word = match.group()
        if word[0].isdigit():
            return word
        if word in known:
            return str(known[word])
        raise KeyError(word)

    try:
        text = re.sub(r"\b[A-Za-z_][A-Za-z0-9_]*\b|\b0[xX][0-9a-fA-F]+\b|\b[0-9]+\b", substitute, text)
        value = eval(text, {"__builtins__": {}}, {})
    except (KeyError, SyntaxError, TypeError, ValueError):
        return None
    return value if isinstance(value, int) else None


def load_api_files(paths: list[Path]) -> list[ApiFile]:
    """Read the public enums and macros of libvirt's API XML files."""
    raw_enums: list[tuple[str, str, str, str]] = []  # (file, name, type, value text)
    raw_macros: list[tuple[str, str, str | None, str | None]] = []
    digests = {}
    for path in paths:
        data = path.read_bytes()
        digests[path.name] = hashlib.sha256(data).hexdigest()
        root = etree.fromstring(data)
        for node in root.iter("enum"):
            if node.getparent().tag == "symbols":
                raw_enums.append((path.name, node.get("name", ""), node.get("type", ""), node.get("value", "")))
        for node in root.iter("macro"):
            if node.getparent().tag == "symbols":
                raw_macros.append((path.name, node.get("name", ""), node.get("raw"), node.get("string")))

    known: dict[str, int] = {}
    pending_enums = list(raw_enums)
    pending_macros = [m for m in raw_macros if m[2] is not None]
    # Values may name other enums or macros: resolve in rounds until nothing changes.
    while True:
        progress = False
        for entry in list(pending_enums):
            value = _evaluate(entry[3], known)
            if value is not None:
                known[entry[1]] = value
                pending_enums.remove(entry)
                progress = True
        for macro in list(pending_macros):
            raw = macro[2]
            assert raw is not None
            value = _evaluate(raw, known)
            if value is not None:
                known[macro[1]] = value
                pending_macros.remove(macro)
                progress = True
        if not progress:
            break

    files = []
    for path in paths:
        enums = tuple(
            ApiEnum(name, type_, known[name])
            for file, name, type_, _ in raw_enums
            if file == path.name and name in known
        )
        macros = tuple(
            ApiMacro(name, value)
            for file, name, _, string in raw_macros
            if file == path.name
            for value in [known.get(name, string)]
            if value is not None
        )
        files.append(ApiFile(path.name, digests[path.name], enums, macros))
    return files


@dataclass
class ProtocolSources:
    """Everything the emitters need: parsed .x files, API files, resolved constants."""

    files: dict[str, ProtocolFile]  # module name -> parsed file
    api: list[ApiFile]
    constants: dict[str, int]
    # which module defines each type name
    type_home: dict[str, str]
    _definitions: dict[str, Definition] = field(default_factory=dict)

    def resolve(self, value: Value) -> int:
        if isinstance(value, ConstRef):
            try:
                return self.constants[value.name]
            except KeyError:
                raise SourceError(f"{value.pos}: unknown constant {value.name}") from None
        return value

    def definition(self, name: str) -> Any:  # the Definition named; callers know its kind
        if not self._definitions:
            for parsed in self.files.values():
                self._definitions.update(parsed.by_name())
        return self._definitions[name]


def load_sources(root: Path) -> ProtocolSources:
    root = root.resolve()
    if not root.is_dir():
        raise SourceError(f"{root} is not a folder")
    files = {}
    for module, filename in PROTOCOL_FILES.items():
        path = _find(root, filename, "protocol")
        files[module] = parse_file(path.read_text(), filename)
    api_paths = [_find(root, name, "api", INSTALLED_API_DIR) for name in API_FILES]
    api = load_api_files(api_paths)

    constants: dict[str, int] = {}
    for api_file in api:
        for enum in api_file.enums:
            constants[enum.name] = enum.value
        for macro in api_file.macros:
            if isinstance(macro.value, int):
                constants[macro.name] = macro.value
    type_home: dict[str, str] = {}
    # .x constants and enumerators win over the API XML; resolve in source order.
    for module, parsed in files.items():
        for definition in parsed.definitions:
            if isinstance(definition, Const):
                constants[definition.name] = _resolve_value(definition.value, constants)
            elif isinstance(definition, Enum):
                for member in definition.members:
                    constants[member.name] = _resolve_value(member.value, constants)
                type_home[definition.name] = module
            else:
                if definition.name in type_home:
                    raise SourceError(f"{definition.pos}: {definition.name} defined twice")
                type_home[definition.name] = module
    return ProtocolSources(files, api, constants, type_home)


def _resolve_value(value: Value, constants: dict[str, int]) -> int:
    if isinstance(value, ConstRef):
        if value.name not in constants:
            raise SourceError(f"{value.pos}: unknown constant {value.name}")
        return constants[value.name]
    return value
