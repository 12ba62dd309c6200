"""A plain XDR codec driven by xdrlib3's Packer/Unpacker, interpreting the parsed model.

It is the yardstick for the generated code: property tests check that both produce
the same bytes and reject the same bound violations, and the codec benchmark measures
the generated code against it. It builds and reads the generated classes, so values are
interchangeable between the two.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

import xdrlib3

from .layout import (
    FixedArray,
    FixedOpaque,
    Layouts,
    Optional_,
    Primitive,
    Shape,
    String,
    StructRef,
    UnionRef,
    VarArray,
    VarOpaque,
)
from .model import Struct, Union_
from .runtime import XdrError
from .sources import ProtocolSources

_PACK = {
    "i": "pack_int",
    "I": "pack_uint",
    "q": "pack_hyper",
    "Q": "pack_uhyper",
    "f": "pack_float",
    "d": "pack_double",
}
_UNPACK = {k: "un" + v for k, v in _PACK.items()}


class ReferenceCodec:
    def __init__(self, sources: ProtocolSources, enforce_bounds: bool = True) -> None:
        self.sources = sources
        self.layouts = Layouts(sources)
        # Tests turn bounds off to produce the bytes a hostile peer would send.
        self.enforce_bounds = enforce_bounds

    @functools.cache  # noqa: B019 - one codec per set of sources, kept for its lifetime
    def _class(self, name: str) -> Any:  # a generated struct or union class
        module = importlib.import_module(f"virtrio.protocol.generated.{self.sources.type_home[name]}")
        return getattr(module, name)

    @functools.cache  # noqa: B019
    def _struct_plan(self, name: str) -> list[tuple[str, Shape]]:
        struct: Struct = self.sources.definition(name)
        slots = self._class(name).__slots__
        return [(slot, self.layouts.shape(f)) for slot, f in zip(slots, struct.fields, strict=True)]

    @functools.cache  # noqa: B019
    def _union_plan(self, name: str) -> tuple[str, Shape, dict[int, Shape | None], bool, Shape | None]:
        union: Union_ = self.sources.definition(name)
        arms = {}
        for arm in union.arms:
            shape = None if arm.declaration is None else self.layouts.shape(arm.declaration)
            for case in arm.cases:
                arms[self.sources.resolve(case)] = shape
        default = None if union.default is None else self.layouts.shape(union.default)
        slot = self._class(name).__slots__[0]
        return slot, self.layouts.shape(union.discriminant), arms, union.has_default, default

    def _arm(self, name: str, discriminant: int) -> Shape | None:
        _, _, arms, has_default, default = self._union_plan(name)
        if discriminant in arms:
            return arms[discriminant]
        if has_default:
            return default
        raise XdrError(f"no arm for {discriminant}", 0)

    # ------------------------------------------------------------------ encoding
    def encode(self, type_name: str, value: Any) -> bytes:
        packer = xdrlib3.Packer()
        try:
            self._pack(packer, self._type_shape(type_name), value)
        except XdrError:
            raise
        except (xdrlib3.Error, ValueError, TypeError, AttributeError, OverflowError) as error:
            raise XdrError(f"reference codec cannot encode: {error}", 0) from None
        return packer.get_buffer()

    def _type_shape(self, type_name: str) -> Shape:
        from .model import TypeRef

        return self.layouts.type_shape(TypeRef(type_name, False))

    def _pack(self, packer: xdrlib3.Packer, shape: Shape, value: Any) -> None:
        if isinstance(shape, Primitive):
            if self.enforce_bounds and shape.low is not None and not shape.low <= value <= shape.high:
                raise XdrError("out of range", 0)
            getattr(packer, _PACK[shape.code])(value)
        elif isinstance(shape, FixedOpaque):
            if len(value) != shape.length:
                raise XdrError("fixed opaque length", 0)
            packer.pack_fopaque(shape.length, bytes(value))
        elif isinstance(shape, (VarOpaque, String)):
            data = value.encode("utf-8", "surrogateescape") if isinstance(shape, String) else value
            if not isinstance(data, (bytes, bytearray)):
                raise XdrError("opaque must be bytes", 0)
            if self.enforce_bounds and shape.maximum is not None and len(data) > shape.maximum:
                raise XdrError("over bound", 0)
            packer.pack_opaque(bytes(data))
        elif isinstance(shape, Optional_):
            packer.pack_uint(0 if value is None else 1)
            if value is not None:
                self._pack(packer, shape.element, value)
        elif isinstance(shape, (FixedArray, VarArray)):
            if isinstance(shape, FixedArray):
                if len(value) != shape.length:
                    raise XdrError("fixed array length", 0)
            else:
                if self.enforce_bounds and shape.maximum is not None and len(value) > shape.maximum:
                    raise XdrError("over bound", 0)
                packer.pack_uint(len(value))
            for item in value:
                self._pack(packer, shape.element, item)
        elif isinstance(shape, StructRef):
            for slot, field_shape in self._struct_plan(shape.name):
                self._pack(packer, field_shape, getattr(value, slot))
        else:
            assert isinstance(shape, UnionRef)
            slot, discriminant_shape, _, _, _ = self._union_plan(shape.name)
            discriminant = getattr(value, slot)
            self._pack(packer, discriminant_shape, discriminant)
            arm = self._arm(shape.name, discriminant)
            if arm is not None:
                self._pack(packer, arm, value.value)

    # ------------------------------------------------------------------ decoding
    def decode(self, type_name: str, data: bytes) -> Any:
        unpacker = xdrlib3.Unpacker(data)
        try:
            value = self._unpack(unpacker, self._type_shape(type_name))
            unpacker.done()
        except XdrError:
            raise
        except (xdrlib3.Error, EOFError, ValueError, OverflowError) as error:
            raise XdrError(f"reference codec cannot decode: {error!r}", 0) from None
        return value

    def _unpack(self, unpacker: xdrlib3.Unpacker, shape: Shape) -> Any:
        if isinstance(shape, Primitive):
            value = getattr(unpacker, _UNPACK[shape.code])()
            if shape.low is not None and not shape.low <= value <= shape.high:
                value = shape.narrowed(value)  # glibc narrows bool, char and short, never refuses
            return value
        if isinstance(shape, FixedOpaque):
            return bytes(unpacker.unpack_fopaque(shape.length))
        if isinstance(shape, (VarOpaque, String)):
            length = unpacker.unpack_uint()
            if shape.maximum is not None and length > shape.maximum:
                raise XdrError("over bound", 0)
            data = bytes(unpacker.unpack_fopaque(length))
            if isinstance(shape, String):
                # libvirt sees a C string: it ends at the first NUL.
                return data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
            return data
        if isinstance(shape, Optional_):
            flag = unpacker.unpack_uint()  # xdr_bool: any non-zero word means present
            return self._unpack(unpacker, shape.element) if flag else None
        if isinstance(shape, (FixedArray, VarArray)):
            if isinstance(shape, FixedArray):
                count = shape.length
            else:
                count = unpacker.unpack_uint()
                if shape.maximum is not None and count > shape.maximum:
                    raise XdrError("over bound", 0)
            return [self._unpack(unpacker, shape.element) for _ in range(count)]
        if isinstance(shape, StructRef):
            plan = self._struct_plan(shape.name)
            return self._class(shape.name)(*(self._unpack(unpacker, s) for _, s in plan))
        assert isinstance(shape, UnionRef)
        _, discriminant_shape, _, _, _ = self._union_plan(shape.name)
        discriminant = self._unpack(unpacker, discriminant_shape)
        arm = self._arm(shape.name, discriminant)
        value = None if arm is None else self._unpack(unpacker, arm)
        return self._class(shape.name)(discriminant, value)
