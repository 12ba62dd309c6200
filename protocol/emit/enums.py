"""Emitter for enum definitions: an IntEnum, flat constants, and codecs."""

from __future__ import annotations

from ..layout import ENUM_PRIMITIVE
from ..model import Enum
from .shapes import ShapeCode, shape_functions


def emit_enum(enum: Enum, code: ShapeCode, flat: bool = True) -> list[str]:
    """With flat, the module also gets each enumerator as a name of its own (a split
    program's part leaves that to the program's module, as plain ints)."""
    sources = code.layouts.sources
    lines = [f"class {enum.name}(IntEnum):"]
    lines += [f"    {m.name} = {sources.resolve(m.value)}" for m in enum.members]
    lines += [""]
    if flat:
        lines += [f"{m.name} = {enum.name}.{m.name}" for m in enum.members]
    lines += ["", ""]
    # Like glibc's xdr_enum, the codec does not check that a value is an enumerator.
    return lines + shape_functions(code, enum.name, ENUM_PRIMITIVE)
