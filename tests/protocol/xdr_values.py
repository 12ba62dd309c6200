"""Values for every XDR type: hypothesis strategies, plain zero values, bound violations."""

from __future__ import annotations

import importlib
from typing import Any

from hypothesis import strategies as st

from virtrio.protocol.layout import (
    FixedArray,
    FixedOpaque,
    Layouts,
    Optional_,
    Primitive,
    Shape,
    String,
    StructRef,
    VarArray,
    VarOpaque,
)
from virtrio.protocol.model import TypeRef

INT_RANGES = {"i": (-(2**31), 2**31 - 1), "I": (0, 2**32 - 1), "q": (-(2**63), 2**63 - 1), "Q": (0, 2**64 - 1)}
LIST_LIMIT = 3  # keep generated values small; bounds are tested separately


def generated_class(layouts: Layouts, name: str) -> type:
    module = importlib.import_module(f"virtrio.protocol.generated.{layouts.sources.type_home[name]}")
    return getattr(module, name)


def type_shape(layouts: Layouts, name: str) -> Shape:
    return layouts.type_shape(TypeRef(name, False))


def union_arms(layouts: Layouts, name: str) -> list[tuple[list[int], Shape | None]]:
    union = layouts.sources.definition(name)
    arms = []
    for arm in union.arms:
        cases = [layouts.sources.resolve(c) for c in arm.cases]
        arms.append((cases, None if arm.declaration is None else layouts.shape(arm.declaration)))
    return arms


def text_within(maximum: int | None) -> st.SearchStrategy[str]:
    size = LIST_LIMIT * 4 if maximum is None else min(maximum, LIST_LIMIT * 4)
    # No NUL: a decoded string ends at its first NUL (tested on its own in test_lenient_decoding).
    plain = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=size)
    # Bytes that are not UTF-8 travel through as surrogate escapes.
    raw = st.binary(max_size=size).map(lambda b: b.replace(b"\0", b"").decode("utf-8", "surrogateescape"))
    return st.one_of(plain, raw).filter(lambda s: len(s.encode("utf-8", "surrogateescape")) <= (maximum or 1 << 30))


def strategy(layouts: Layouts, shape: Shape, cache: dict[str, Any]) -> st.SearchStrategy[Any]:
    if isinstance(shape, Primitive):
        if shape.code in ("f", "d"):
            return st.floats(width=32 if shape.code == "f" else 64, allow_nan=False)
        low, high = INT_RANGES[shape.code]
        return st.integers(shape.low if shape.low is not None else low, shape.high if shape.high is not None else high)
    if isinstance(shape, FixedOpaque):
        return st.binary(min_size=shape.length, max_size=shape.length)
    if isinstance(shape, VarOpaque):
        return st.binary(max_size=min(shape.maximum or LIST_LIMIT * 4, LIST_LIMIT * 4))
    if isinstance(shape, String):
        return text_within(shape.maximum)
    if isinstance(shape, FixedArray):
        inner = strategy(layouts, shape.element, cache)
        return st.lists(inner, min_size=shape.length, max_size=shape.length)
    if isinstance(shape, VarArray):
        inner = strategy(layouts, shape.element, cache)
        return st.lists(inner, max_size=min(shape.maximum or LIST_LIMIT, LIST_LIMIT))
    if isinstance(shape, Optional_):
        return st.none() | strategy(layouts, shape.element, cache)
    if shape.name in cache:
        return cache[shape.name]
    cls = generated_class(layouts, shape.name)
    if isinstance(shape, StructRef):
        fields = layouts.sources.definition(shape.name).fields
        parts = [strategy(layouts, layouts.shape(f), cache) for f in fields]
        result = st.builds(cls, *parts)
    else:
        options = []
        for cases, arm in union_arms(layouts, shape.name):
            value = st.none() if arm is None else strategy(layouts, arm, cache)
            options.append(st.builds(cls, st.sampled_from(cases), value))
        result = st.one_of(options)
    cache[shape.name] = result
    return result


def zero_value(layouts: Layouts, shape: Shape, objects: dict[str, tuple[Any, ...]] | None = None) -> Any:
    """The simplest valid value of a shape; objects: the fields of given structs by name (the
    objects a call names), used wherever one of those structs stands."""
    if isinstance(shape, Primitive):
        return 0.0 if shape.code in ("f", "d") else 0
    if isinstance(shape, FixedOpaque):
        return bytes(shape.length)
    if isinstance(shape, VarOpaque):
        return b""
    if isinstance(shape, String):
        return ""
    if isinstance(shape, FixedArray):
        return [zero_value(layouts, shape.element, objects) for _ in range(shape.length)]
    if isinstance(shape, VarArray):
        return []
    if isinstance(shape, Optional_):
        return None
    cls = generated_class(layouts, shape.name)
    if isinstance(shape, StructRef):
        if objects is not None and shape.name in objects:
            return cls(*objects[shape.name])
        fields = layouts.sources.definition(shape.name).fields
        return cls(*(zero_value(layouts, layouts.shape(f), objects) for f in fields))
    cases, arm = union_arms(layouts, shape.name)[0]
    return cls(cases[0], None if arm is None else zero_value(layouts, arm, objects))


def violation(layouts: Layouts, shape: Shape) -> Any | None:
    """A value one step past the shape's bound, or None if the shape has no bound."""
    if isinstance(shape, Primitive) and shape.low is not None:
        return shape.high + 1
    if isinstance(shape, String) and shape.maximum is not None:
        return "a" * (shape.maximum + 1)
    if isinstance(shape, VarOpaque) and shape.maximum is not None:
        return bytes(shape.maximum + 1)
    if isinstance(shape, VarArray) and shape.maximum is not None:
        return [zero_value(layouts, shape.element)] * (shape.maximum + 1)
    return None
