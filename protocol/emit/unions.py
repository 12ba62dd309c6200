"""Emitter for union definitions: a class holding discriminant and value, and codecs."""

from __future__ import annotations

from ..model import Declaration, Union_
from .shapes import ShapeCode, function_body, indent
from .structs import class_lines
from .writer import attribute_name


def emit_union(union: Union_, code: ShapeCode) -> list[str]:
    layouts = code.layouts
    sources = layouts.sources
    discriminant = attribute_name(union.discriminant.name)
    discriminant_shape = layouts.shape(union.discriminant)
    name = union.name

    encode_body = [f"f = {union.discriminant.name!r}", "d = v." + discriminant]
    encode_body += code.encode(discriminant_shape, "d")
    decode_body = [f"f = {union.discriminant.name!r}"]
    decode_body += code.decode(discriminant_shape, "d")

    keyword = "if"
    for arm in union.arms:
        values = sorted(sources.resolve(c) for c in arm.cases)
        test = f"d == {values[0]}" if len(values) == 1 else f"d in {tuple(values)!r}"
        encode_body.append(f"{keyword} {test}:")
        decode_body.append(f"{keyword} {test}:")
        encode_body += indent(arm_lines(code, arm.declaration, "encode"))
        decode_body += indent(arm_lines(code, arm.declaration, "decode"))
        keyword = "elif"
    else_line = "else:" if union.arms else "if True:"
    encode_body.append(else_line)
    decode_body.append(else_line)
    if union.has_default:
        encode_body += indent(arm_lines(code, union.default, "encode"))
        decode_body += indent(arm_lines(code, union.default, "decode"))
    else:
        encode_body.append(f"    raise XdrError(f'{name} has no arm for discriminant {{d}}', len(buf))")
        decode_body.append(f"    raise XdrError(f'{name} has no arm for discriminant {{d}}', off - 4)")

    return [
        *class_lines(name, "XdrUnion", [discriminant, "value"]),
        "",
        "",
        f"def encode_{name}(buf: bytearray, v: {name}) -> None:",
        *indent(function_body(encode_body, "encode")),
        "",
        "",
        f"def decode_{name}(data: bytes, off: int) -> tuple[{name}, int]:",
        *indent(function_body(decode_body, "decode")),
        f"    return {name}(d, value), off",
    ]


def arm_lines(code: ShapeCode, declaration: Declaration | None, kind: str) -> list[str]:
    if declaration is None:
        return ["value = None"] if kind == "decode" else ["pass"]
    shape = code.layouts.shape(declaration)
    lines = [f"f = {declaration.name!r}"]
    if kind == "decode":
        return lines + code.decode(shape, "value")
    return lines + code.encode(shape, "v.value")
