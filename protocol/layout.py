"""Wire layouts ("shapes") of declarations, with typedefs resolved.

Both the emitters and the xdrlib3 reference codec work from shapes, so they agree on
what every declaration means on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Declaration, Enum, Struct, Typedef, TypeRef, Union_
from .sources import ProtocolSources, SourceError


@dataclass(frozen=True)
class Primitive:
    """A number on the wire. code is a struct format letter; char and short are 4 bytes."""

    xdr_name: str
    code: str
    size: int
    low: int | None = None  # the C type's range, narrower than the struct code's (encoding checks it)
    high: int | None = None

    def narrowed(self, value: int) -> int:
        """What glibc's xdr_bool/char/short leave in the C variable for 4 wire bytes.

        Decoding does no range check: bool keeps only zero or not, the narrow integers keep
        their low bits (two's complement for the signed ones), as the C conversion does.
        """
        assert self.low is not None and self.high is not None
        if self.high == 1:
            return 1 if value else 0
        span = self.high - self.low + 1
        return ((value - self.low) % span) + self.low

    def narrowed_expression(self, name: str) -> str:
        """Python for narrowed(name), for generated code."""
        assert self.low is not None and self.high is not None
        if self.high == 1:
            return f"1 if {name} else 0"
        if self.low == 0:
            return f"{name} & {self.high}"
        return f"(({name} + {-self.low}) & {self.high - self.low}) - {-self.low}"


PRIMITIVES = {
    "int": Primitive("int", "i", 4),
    "unsigned int": Primitive("unsigned int", "I", 4),
    "hyper": Primitive("hyper", "q", 8),
    "unsigned hyper": Primitive("unsigned hyper", "Q", 8),
    "float": Primitive("float", "f", 4),
    "double": Primitive("double", "d", 8),
    "bool": Primitive("bool", "I", 4, 0, 1),
    "char": Primitive("char", "i", 4, -128, 127),
    "unsigned char": Primitive("unsigned char", "I", 4, 0, 255),
    "short": Primitive("short", "i", 4, -32768, 32767),
    "unsigned short": Primitive("unsigned short", "I", 4, 0, 65535),
}
ENUM_PRIMITIVE = Primitive("enum", "i", 4)


@dataclass(frozen=True)
class FixedOpaque:
    length: int


@dataclass(frozen=True)
class VarOpaque:
    maximum: int | None


@dataclass(frozen=True)
class String:
    maximum: int | None


@dataclass(frozen=True)
class FixedArray:
    element: Shape
    length: int


@dataclass(frozen=True)
class VarArray:
    element: Shape
    maximum: int | None


@dataclass(frozen=True)
class Optional_:
    element: Shape


@dataclass(frozen=True)
class StructRef:
    name: str


@dataclass(frozen=True)
class UnionRef:
    name: str


Shape = Primitive | FixedOpaque | VarOpaque | String | FixedArray | VarArray | Optional_ | StructRef | UnionRef


def padded(length: int) -> int:
    return (length + 3) & ~3


class Layouts:
    """Resolves declarations to shapes and answers size questions about them."""

    def __init__(self, sources: ProtocolSources) -> None:
        self.sources = sources
        self._min_size: dict[str, int] = {}

    def type_shape(self, type_ref: TypeRef) -> Shape:
        if type_ref.builtin:
            return PRIMITIVES[type_ref.name]
        if type_ref.name not in self.sources.type_home:
            raise SourceError(f"unknown type {type_ref.name}")
        definition = self.sources.definition(type_ref.name)
        if isinstance(definition, Enum):
            return ENUM_PRIMITIVE
        if isinstance(definition, Struct):
            return StructRef(definition.name)
        if isinstance(definition, Union_):
            return UnionRef(definition.name)
        if isinstance(definition, Typedef):
            return self.shape(definition.declaration)
        raise SourceError(f"{type_ref.name} is not a type")

    def shape(self, decl: Declaration) -> Shape:
        size = None if decl.size is None else self.sources.resolve(decl.size)
        if decl.type.builtin and decl.type.name == "string":
            return String(size)
        if decl.type.builtin and decl.type.name == "opaque":
            if decl.kind == "fixed":
                assert size is not None
                return FixedOpaque(size)
            return VarOpaque(size)
        element = self.type_shape(decl.type)
        if decl.kind == "scalar":
            return element
        if decl.kind == "fixed":
            assert size is not None
            return FixedArray(element, size)
        if decl.kind == "variable":
            return VarArray(element, size)
        return Optional_(element)

    def fixed_size(self, shape: Shape) -> int | None:
        """Bytes on the wire when every value of the shape has the same size."""
        if isinstance(shape, Primitive):
            return shape.size
        if isinstance(shape, FixedOpaque):
            return padded(shape.length)
        if isinstance(shape, FixedArray):
            inner = self.fixed_size(shape.element)
            return None if inner is None else inner * shape.length
        return None

    def min_size(self, shape: Shape) -> int:
        """The fewest bytes any value of the shape takes: bounds hostile element counts."""
        fixed = self.fixed_size(shape)
        if fixed is not None:
            return fixed
        if isinstance(shape, (VarOpaque, String, VarArray, Optional_)):
            return 4
        if isinstance(shape, FixedArray):
            return self.min_size(shape.element) * shape.length
        if isinstance(shape, StructRef):
            if shape.name not in self._min_size:
                struct = self.sources.definition(shape.name)
                self._min_size[shape.name] = sum(self.min_size(self.shape(f)) for f in struct.fields)
            return self._min_size[shape.name]
        assert isinstance(shape, UnionRef)
        union = self.sources.definition(shape.name)
        arms = [self.min_size(self.shape(a.declaration)) if a.declaration else 0 for a in union.arms]
        if union.has_default:
            arms.append(self.min_size(self.shape(union.default)) if union.default else 0)
        return 4 + min(arms, default=0)
