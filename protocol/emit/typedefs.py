"""Emitter for typedefs: codecs for the shape the typedef names."""

from __future__ import annotations

from ..model import Typedef
from .shapes import ShapeCode, shape_functions


def emit_typedef(typedef: Typedef, code: ShapeCode) -> list[str]:
    return shape_functions(code, typedef.name, code.layouts.shape(typedef.declaration))
