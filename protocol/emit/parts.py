"""Which part module each type of a split program lives in.

A daemon answering one call should not import the codecs of ~450 others (REMOTE's module
is 1.7 MB of code). A split program keeps its constants and procedure table in its own
module and puts classes and codecs in ``<module>_codecs/<part>.py``:

- a procedure's part (its name in lower case) has the types only that procedure uses;
- types that several procedures use are grouped by the exact set of procedures using
  them, in a part named ``shared_<root>`` after the group's outermost type;
- types no procedure uses (typedefs, the procedure enum, ...) go to ``other``.

A type's dependencies are used by at least every procedure using the type, so imports
between parts only go towards parts with more users: the parts import one another without
cycles, by name.
"""

from __future__ import annotations

from ..layout import FixedArray, Layouts, Optional_, Shape, StructRef, UnionRef, VarArray
from ..model import Const, Definition, ProtocolFile, Struct, Typedef, Union_
from ..sources import SourceError
from .procedures import procedure_enum

OTHER_PART = "other"


def _referenced(shape: Shape, found: set[str]) -> None:
    if isinstance(shape, (StructRef, UnionRef)):
        found.add(shape.name)
    elif isinstance(shape, (Optional_, VarArray, FixedArray)):
        _referenced(shape.element, found)


def direct_dependencies(definition: Definition, layouts: Layouts) -> set[str]:
    """The structs and unions whose functions or classes a definition's code names."""
    found: set[str] = set()
    if isinstance(definition, Struct):
        for field in definition.fields:
            _referenced(layouts.shape(field), found)
    elif isinstance(definition, Union_):
        for arm in definition.arms:
            if arm.declaration is not None:
                _referenced(layouts.shape(arm.declaration), found)
        if definition.has_default and definition.default is not None:
            _referenced(layouts.shape(definition.default), found)
    elif isinstance(definition, Typedef):
        _referenced(layouts.shape(definition.declaration), found)
    return found


def assign_parts(module: str, parsed: ProtocolFile, layouts: Layouts) -> dict[str, str]:
    """Each type of the module (not constants), in source order, with its part's name."""
    types = [d for d in parsed.definitions if not isinstance(d, Const)]
    own = {d.name for d in types}
    depends = {d.name: direct_dependencies(d, layouts) & own for d in types}

    def closure(name: str) -> set[str]:
        seen, pending = set(), [name]
        while pending:
            current = pending.pop()
            if current not in seen:
                seen.add(current)
                pending.extend(depends[current])
        return seen

    enum = procedure_enum(parsed, module)
    upper = module.upper()
    users: dict[str, set[str]] = {name: set() for name in own}
    for member in enum.members if enum is not None else []:
        procedure = member.name.removeprefix(f"{upper}_PROC_").lower()
        for suffix in ("_args", "_ret", "_msg"):
            payload = f"{module}_{procedure}{suffix}"
            if payload in own:
                for name in closure(payload):
                    users[name].add(procedure)

    groups: dict[frozenset[str], list[str]] = {}
    for definition in types:
        groups.setdefault(frozenset(users[definition.name]), []).append(definition.name)
    parts: dict[str, str] = {}
    for user_set, names in groups.items():
        if not user_set:
            part = OTHER_PART
        elif len(user_set) == 1:
            (part,) = user_set
        else:
            inner = set().union(*(depends[n] for n in names))
            root = next(n for n in names if n not in inner)
            part = "shared_" + root.removeprefix(f"{module}_")
        for name in names:
            parts[name] = part
    procedures = {part for user_set in groups for part in user_set}
    clashes = sorted(p for p in set(parts.values()) if p.startswith("shared_") and p in procedures)
    if clashes or OTHER_PART in procedures:
        raise SourceError(f"{module}: part names clash with procedure names: {clashes or [OTHER_PART]}")
    return {d.name: parts[d.name] for d in types}
