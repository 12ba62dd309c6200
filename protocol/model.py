"""The parsed model of an XDR protocol file: frozen dataclasses with source positions.

The parser builds these; the emitters and the reference codec read them. Nothing here
knows about Python code generation.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourcePos:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class ConstRef:
    """A value written as a constant's name, resolved once every source is read."""

    name: str
    pos: SourcePos


Value = int | ConstRef

# Builtin XDR types as libvirt's .x files spell them, after folding "unsigned" forms.
BUILTIN_TYPES = (
    "int",
    "unsigned int",
    "hyper",
    "unsigned hyper",
    "char",
    "unsigned char",
    "short",
    "unsigned short",
    "float",
    "double",
    "bool",
    "string",
    "opaque",
)


@dataclass(frozen=True)
class TypeRef:
    """A builtin (see BUILTIN_TYPES) or a named type defined in some .x file."""

    name: str
    builtin: bool


@dataclass(frozen=True)
class Declaration:
    """One declared name and how it is laid out.

    kind is "scalar" (T x), "fixed" (T x[N]), "variable" (T x<N> or T x<>), or
    "optional" (T *x). For "string" and "opaque" the size is the byte bound.
    size is None for an unbounded variable declaration.
    """

    name: str
    type: TypeRef
    kind: str
    size: Value | None
    pos: SourcePos


@dataclass(frozen=True)
class Annotation:
    key: str
    value: str


@dataclass(frozen=True)
class EnumMember:
    name: str
    value: Value
    pos: SourcePos
    annotations: tuple[Annotation, ...] = ()


@dataclass(frozen=True)
class Const:
    name: str
    value: Value
    pos: SourcePos


@dataclass(frozen=True)
class Enum:
    name: str
    members: tuple[EnumMember, ...]
    pos: SourcePos


@dataclass(frozen=True)
class Struct:
    name: str
    fields: tuple[Declaration, ...]
    pos: SourcePos


@dataclass(frozen=True)
class UnionArm:
    cases: tuple[Value, ...]
    declaration: Declaration | None  # None is a void arm


@dataclass(frozen=True)
class Union_:
    name: str
    discriminant: Declaration
    arms: tuple[UnionArm, ...]
    # has_default with default None means "default: void;"
    has_default: bool
    default: Declaration | None
    pos: SourcePos


@dataclass(frozen=True)
class Typedef:
    name: str
    declaration: Declaration
    pos: SourcePos


Definition = Const | Enum | Struct | Union_ | Typedef


@dataclass(frozen=True)
class ProtocolFile:
    """One parsed .x file: its definitions in source order and its %-passthrough lines."""

    name: str
    sha256: str
    definitions: tuple[Definition, ...]
    passthrough: tuple[str, ...] = field(default=())

    def by_name(self) -> dict[str, Definition]:
        return {d.name: d for d in self.definitions}
