"""The parsed model matches libvirt's own *-structs dumps, field for field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from virtrio.protocol.model import Declaration, Enum, Struct, Union_
from virtrio.protocol.sources import PROTOCOL_FILES, ProtocolSources

C_NAMES = {
    "int": "int",
    "unsigned int": "u_int",
    "hyper": "int64_t",
    "unsigned hyper": "uint64_t",
    "char": "char",
    "unsigned char": "u_char",
    "short": "short",
    "unsigned short": "u_short",
    "float": "float",
    "double": "double",
    "bool": "bool_t",
    "opaque": "char",
    "string": "char",
}


def parse_dump(text: str) -> dict[str, list[str]]:
    """Each struct/enum of a pdwtags dump as a list of normalised member lines."""
    result: dict[str, list[str]] = {}
    lines = [line.strip() for line in text.splitlines()]
    index = 0
    while index < len(lines):
        line = lines[index]
        header = re.match(r"(struct|enum) (\w+) \{$", line)
        index += 1
        if not header:
            continue
        members: list[str] = []
        while lines[index] != "};":
            line = lines[index]
            if line == "struct {":  # a variable-length array
                length = lines[index + 1].split()
                element = " ".join(lines[index + 2].rstrip(";").split()[:-1])
                name = lines[index + 3].strip("} ;")
                assert length == ["u_int", f"{name}_len;"], length
                members.append(f"var {element.replace(' *', '').strip()} {name}")
                index += 4
            elif line == "union {":
                arms = []
                index += 1
                while not lines[index].startswith("}"):
                    arms.append(" ".join(lines[index].rstrip(";").split()))
                    index += 1
                members.append(f"union {{{'; '.join(arms)}}} {lines[index].strip('} ;')}")
                index += 1
            else:
                members.append(" ".join(line.rstrip(";,").split()))
                index += 1
        result[header.group(2)] = members
    return result


def c_member(decl: Declaration, sources: ProtocolSources) -> str:
    type_name = C_NAMES[decl.type.name] if decl.type.builtin else decl.type.name
    if decl.kind == "fixed":
        return f"{type_name} {decl.name}[{sources.resolve(decl.size)}]"
    if decl.kind == "variable":
        if decl.type.name == "string":
            return f"char * {decl.name}"
        return f"var {type_name} {decl.name}"
    if decl.kind == "optional":
        return f"{type_name} * {decl.name}"
    return f"{type_name} {decl.name}"


def model_members(definition, sources: ProtocolSources) -> list[str]:
    if isinstance(definition, Enum):
        return [f"{m.name} = {sources.resolve(m.value)}" for m in definition.members]
    if isinstance(definition, Struct):
        return [c_member(f, sources) for f in definition.fields]
    assert isinstance(definition, Union_)
    arms = [c_member(a.declaration, sources) for a in definition.arms if a.declaration is not None]
    if definition.default is not None:
        arms.append(c_member(definition.default, sources))
    return [c_member(definition.discriminant, sources), f"union {{{'; '.join(arms)}}} {definition.name}_u"]


DUMPS = {
    "virnet": "virnetprotocol-structs",
    "keepalive": "virkeepaliveprotocol-structs",
    "remote": "remote_protocol-structs",
    "qemu": "qemu_protocol-structs",
    "lxc": "lxc_protocol-structs",
    "admin": "admin_protocol-structs",
}


@pytest.mark.parametrize("module", list(PROTOCOL_FILES))
def test_model_matches_structs_dump(module: str, sources: ProtocolSources, reference: Path) -> None:
    dump = parse_dump((reference / "structs" / DUMPS[module]).read_text())
    own = [d.name for d in sources.files[module].definitions if isinstance(d, (Enum, Struct, Union_))]
    assert dump, "the dump parser found nothing"
    # Every struct, union and enum of the dump (which also lists types a file borrows,
    # as qemu's borrows remote's) is in the model with the same members...
    for name, members in dump.items():
        assert name in sources.type_home, f"{name} is in the dump but not in the model"
        assert model_members(sources.definition(name), sources) == members, name
    # ...and the file defines nothing the dump lacks.
    assert sorted(set(own) - set(dump)) == []


def test_typedefs_resolve_to_the_shapes_libvirt_uses(sources: ProtocolSources) -> None:
    from virtrio.protocol.layout import FixedOpaque, Layouts, Optional_, String, StructRef
    from virtrio.protocol.model import TypeRef

    layouts = Layouts(sources)
    assert layouts.type_shape(TypeRef("remote_uuid", False)) == FixedOpaque(16)
    assert layouts.type_shape(TypeRef("remote_string", False)) == Optional_(String(4194304))
    assert layouts.type_shape(TypeRef("remote_domain", False)) == Optional_(StructRef("remote_nonnull_domain"))
    assert layouts.type_shape(TypeRef("admin_string", False)) == Optional_(String(4194304))
