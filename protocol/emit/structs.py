"""Emitter for struct definitions: a slotted class, an encoder and a decoder."""

from __future__ import annotations

from ..model import Struct
from .shapes import RunField, ShapeCode, function_body, group_runs, indent, packable
from .writer import attribute_name


def class_lines(name: str, base: str, attributes: list[str]) -> list[str]:
    slots = "".join(f"{a!r}, " for a in attributes)
    lines = [f"class {name}({base}):", f"    __slots__ = ({slots.strip()})"]
    if attributes:
        lines += [f"    def __init__(self, {', '.join(attributes)}) -> None:"]
        lines += [f"        self.{a} = {a}" for a in attributes]
    return lines


def emit_struct(struct: Struct, code: ShapeCode) -> list[str]:
    layouts = code.layouts
    attributes = [attribute_name(f.name) for f in struct.fields]
    shapes = [layouts.shape(f) for f in struct.fields]
    locals_ = [f"x{i}" for i in range(len(struct.fields))]

    groups = group_runs(shapes)

    encode_body: list[str] = []
    decode_body: list[str] = []
    for group in groups:
        names = [struct.fields[i].name for i in group]
        label = names[0] if len(names) == 1 else f"{names[0]}..{names[-1]}"
        encode_body.append(f"f = {label!r}")
        decode_body.append(f"f = {label!r}")
        if packable(shapes[group[0]]):
            labels = [struct.fields[i].name for i in group]
            encode_body += code.encode_run(
                [RunField(f"v.{attributes[i]}", shapes[i], label) for i, label in zip(group, labels, strict=True)]
            )
            decode_body += code.decode_run(
                [RunField(locals_[i], shapes[i], label) for i, label in zip(group, labels, strict=True)]
            )
        else:
            (index,) = group
            encode_body += code.encode(shapes[index], f"v.{attributes[index]}")
            decode_body += code.decode(shapes[index], locals_[index])

    return [
        *class_lines(struct.name, "XdrStruct", attributes),
        "",
        "",
        f"def encode_{struct.name}(buf: bytearray, v: {struct.name}) -> None:",
        *indent(function_body(encode_body, "encode")),
        "",
        "",
        f"def decode_{struct.name}(data: bytes, off: int) -> tuple[{struct.name}, int]:",
        *indent(function_body(decode_body, "decode")),
        f"    return {struct.name}({', '.join(locals_)}), off",
    ]
