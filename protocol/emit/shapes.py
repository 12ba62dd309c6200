"""Straight-line Python for encoding and decoding one shape, used by every type emitter.

Conventions of the generated functions: ``buf`` is the output bytearray, ``data`` the input
bytes (slicing bytes makes strings faster than slicing a memoryview), ``size`` its length,
``off`` the read offset (advanced past what was read), ``f`` the field being
worked on (for the error path). Fixed-size runs of fields are packed with one Struct.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ..layout import (
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
    padded,
)
from ..model import Declaration, Union_
from .writer import ModuleWriter


def indent(lines: list[str], levels: int = 1) -> list[str]:
    prefix = "    " * levels
    return [prefix + line if line else line for line in lines]


def packable(shape: Shape) -> bool:
    """Whether a field can join a merged fixed-size struct run."""
    if isinstance(shape, (Primitive, FixedOpaque)):
        return True
    return isinstance(shape, FixedArray) and isinstance(shape.element, Primitive)


def run_format(shape: Shape) -> str:
    if isinstance(shape, Primitive):
        return shape.code
    if isinstance(shape, FixedOpaque):
        return f"{shape.length}s" + "x" * (padded(shape.length) - shape.length)
    assert isinstance(shape, FixedArray) and isinstance(shape.element, Primitive)
    return f"{shape.length}{shape.element.code}"


def group_runs(shapes: list[Shape]) -> list[list[int]]:
    """Indexes of consecutive fields, grouped so each fixed-size run is one struct call."""
    groups: list[list[int]] = []
    for index, shape in enumerate(shapes):
        if packable(shape) and groups and packable(shapes[groups[-1][-1]]):
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


@dataclass
class RunField:
    target: str  # local name (decode) or value expression (encode)
    shape: Shape
    label: str | None = None  # the field's name, for the error path of its own checks


class ShapeCode:
    # Array elements that are structs or unions are decoded and encoded inline, to this
    # depth, with no per-field bookkeeping; on any failure the element is run again
    # through its own function, which names the exact field.
    INLINE_DEPTH = 3

    def __init__(self, writer: ModuleWriter, layouts: Layouts) -> None:
        self.writer = writer
        self.layouts = layouts
        self._counter = 0
        self._inline = 0  # > 0 while writing inlined element code

    def reset_names(self) -> None:
        """Number temporaries per definition, so an edit elsewhere leaves this one's code alone."""
        self._counter = 0

    def temp(self, stem: str) -> str:
        self._counter += 1
        return f"{stem}{self._counter}"

    # ------------------------------------------------------------------ decoding
    def decode_run(self, fields: list[RunField]) -> list[str]:
        fmt = "".join(run_format(f.shape) for f in fields)
        name = self.writer.struct_format(fmt)
        size = sum(self.layouts.fixed_size(f.shape) or 0 for f in fields)
        lines: list[str] = []
        if all(not isinstance(f.shape, FixedArray) for f in fields):
            targets = ", ".join(f.target for f in fields)
            lines.append(f"({targets},) = {name}.unpack_from(data, off)")
        else:
            tup = self.temp("t")
            lines.append(f"{tup} = {name}.unpack_from(data, off)")
            index = 0
            for f in fields:
                if isinstance(f.shape, FixedArray):
                    lines.append(f"{f.target} = list({tup}[{index}:{index + f.shape.length}])")
                    index += f.shape.length
                else:
                    lines.append(f"{f.target} = {tup}[{index}]")
                    index += 1
        for f in fields:
            lines += self.decode_narrowing(f.target, f.shape)
        lines.append(f"off += {size}")
        return lines

    def decode_narrowing(self, target: str, shape: Shape) -> list[str]:
        """bool, char and short as glibc decodes them: never an error, the value narrowed."""
        if isinstance(shape, Primitive) and shape.low is not None:
            return [
                f"if not {shape.low} <= {target} <= {shape.high}:",
                f"    {target} = {shape.narrowed_expression(target)}",
            ]
        if isinstance(shape, (FixedArray, VarArray)) and isinstance(shape.element, Primitive):
            element = shape.element
            if element.low is not None:
                return [
                    f"if {target} and not ({element.low} <= min({target}) and max({target}) <= {element.high}):",
                    f"    {target} = [{element.narrowed_expression('_n')} for _n in {target}]",
                ]
        return []

    def decode(self, shape: Shape, target: str) -> list[str]:
        if packable(shape):
            return self.decode_run([RunField(target, shape)])
        if isinstance(shape, (String, VarOpaque)):
            return self._decode_bytes(shape, target)
        if isinstance(shape, Optional_):
            flag = self.temp("p")
            return [
                f"({flag},) = _U32.unpack_from(data, off)",
                "off += 4",
                # xdr_pointer reads the flag with xdr_bool: any non-zero word means present.
                f"if {flag} == 0:",
                f"    {target} = None",
                "else:",
                *indent(self.decode(shape.element, target)),
            ]
        if isinstance(shape, (VarArray, FixedArray)):
            return self._decode_array(shape, target)
        assert isinstance(shape, (StructRef, UnionRef))
        if 0 < self._inline <= self.INLINE_DEPTH:
            return self._inline_decode(shape, target)
        return [f"{target}, off = {self.writer.function('decode', shape.name)}(data, off)"]

    def _inline_decode(self, shape: StructRef | UnionRef, target: str) -> list[str]:
        self._inline += 1
        try:
            cls = self.writer.class_name(shape.name)
            definition = self.layouts.sources.definition(shape.name)
            if isinstance(shape, UnionRef):
                discriminant, value = self.temp("d"), self.temp("v")
                lines = self.decode(self.layouts.shape(definition.discriminant), discriminant)
                for keyword, test, arm in self._union_branches(definition, discriminant):
                    lines.append(f"{keyword} {test}:")
                    if arm is None:
                        lines.append(f"    {value} = None")
                    elif arm == "missing":
                        lines.append("    raise XdrError('no arm for the discriminant', off - 4)")
                    else:
                        lines += indent(self.decode(self.layouts.shape(arm), value))
                return [*lines, f"{target} = {cls}({discriminant}, {value})"]
            shapes = [self.layouts.shape(f) for f in definition.fields]
            temps = [self.temp("w") for _ in shapes]
            lines = []
            for group in group_runs(shapes):
                if packable(shapes[group[0]]):
                    lines += self.decode_run([RunField(temps[i], shapes[i]) for i in group])
                else:
                    lines += self.decode(shapes[group[0]], temps[group[0]])
            return [*lines, f"{target} = {cls}({', '.join(temps)})"]
        finally:
            self._inline -= 1

    def _union_branches(
        self, union: Union_, discriminant: str
    ) -> Iterator[tuple[str, str, Declaration | Literal["missing"] | None]]:
        """(keyword, test, declaration | None | "missing") for each arm, then the default."""
        keyword = "if"
        for arm in union.arms:
            values = sorted(self.layouts.sources.resolve(c) for c in arm.cases)
            test = f"{discriminant} == {values[0]}" if len(values) == 1 else f"{discriminant} in {tuple(values)!r}"
            yield keyword, test, arm.declaration
            keyword = "elif"
        default: Declaration | Literal["missing"] | None = union.default if union.has_default else "missing"
        yield ("else", "", default) if union.arms else ("if", "True", default)

    def _decode_bytes(self, shape: String | VarOpaque, target: str) -> list[str]:
        count, end = self.temp("n"), self.temp("e")
        what = "string" if isinstance(shape, String) else "opaque"
        lines = [f"({count},) = _U32.unpack_from(data, off)"]
        if shape.maximum is not None:
            lines += [
                f"if {count} > {shape.maximum}:",
                f"    raise XdrError(f'{what} of {{{count}}} bytes exceeds its bound of {shape.maximum}', off)",
            ]
        lines += [
            f"{end} = off + 4 + {count}",
            f"if {end} > size:",
            f"    raise XdrError(f'{what} of {{{count}}} bytes runs past the end of the data', off)",
        ]
        if isinstance(shape, String):
            # xdr_string hands libvirt a C string: whatever follows an embedded NUL is lost.
            lines += [
                f"{target} = data[off + 4:{end}].decode('utf-8', 'surrogateescape')",
                f"if '\\0' in {target}:",
                f"    {target} = {target}[:{target}.index('\\0')]",
            ]
        else:
            lines.append(f"{target} = bytes(data[off + 4:{end}])")
        lines.append(f"off = {end} + (-{count} & 3)")
        return lines

    def _decode_array(self, shape: VarArray | FixedArray, target: str) -> list[str]:
        element = shape.element
        lines: list[str] = []
        if isinstance(shape, VarArray):
            count = self.temp("n")
            lines += [f"({count},) = _U32.unpack_from(data, off)"]
            if shape.maximum is not None:
                lines += [
                    f"if {count} > {shape.maximum}:",
                    f"    raise XdrError(f'array of {{{count}}} elements exceeds its bound of {shape.maximum}', off)",
                ]
            lines.append("off += 4")
        else:
            count = str(shape.length)
        minimum = self.layouts.min_size(element)
        if minimum:
            # Check the count against the bytes that remain before allocating anything.
            lines += [
                f"if {count} * {minimum} > size - off:",
                f"    raise XdrError(f'{{{count}}} elements cannot fit in the bytes that remain', off)",
            ]
        if isinstance(element, Primitive):
            lines += [
                f"{target} = list(_struct.unpack_from(f'>{{{count}}}{element.code}', data, off))",
                *self.decode_narrowing(target, shape),
                f"off += {count} * {element.size}",
            ]
            return lines
        item, index, error = self.temp("y"), self.temp("i"), self.temp("x")
        if self._inline:
            # Inside inlined code a failure is diagnosed by the enclosing element's retry.
            return [
                *lines,
                f"{target} = []",
                f"for {index} in range({count}):",
                *indent(self.decode(element, item)),
                f"    {target}.append({item})",
            ]
        if isinstance(element, (StructRef, UnionRef)):
            start = self.temp("s")
            self._inline += 1
            try:
                body = self._inline_decode(element, item)
            finally:
                self._inline -= 1
            return [
                *lines,
                f"{target} = []",
                f"for {index} in range({count}):",
                f"    {start} = off",
                "    try:",
                *indent(body, 2),
                f"    except (XdrError, *DECODE_FAILURES) as {error}:",
                f"        raise redecode_failure({self.writer.function('decode', element.name)}, data, {start}, "
                f"{error}).within(f'[{{{index}}}]') from None",
                f"    {target}.append({item})",
            ]
        lines += [
            f"{target} = []",
            f"for {index} in range({count}):",
            "    try:",
            *indent(self.decode(element, item), 2),
            f"    except XdrError as {error}:",
            f"        raise {error}.within(f'[{{{index}}}]') from None",
            f"    except DECODE_FAILURES as {error}:",
            f"        raise decode_failure({error}, off).within(f'[{{{index}}}]') from None",
            f"    {target}.append({item})",
        ]
        return lines

    # ------------------------------------------------------------------ encoding
    def encode_run(self, fields: list[RunField]) -> list[str]:
        fmt = "".join(run_format(f.shape) for f in fields)
        name = self.writer.struct_format(fmt)
        lines: list[str] = []
        arguments = []
        labelled = False
        for f in fields:
            check = self.encode_check(f.target, f.shape)
            if check and f.label and len(fields) > 1:
                check.insert(0, f"f = {f.label!r}")
                labelled = True
            lines += check
            arguments.append(("*" if isinstance(f.shape, FixedArray) else "") + f.target)
        if labelled:
            first, last = fields[0].label, fields[-1].label
            lines.append(f"f = {f'{first}..{last}'!r}")
        lines.append(f"buf += {name}.pack({', '.join(arguments)})")
        return lines

    def encode_check(self, value: str, shape: Shape) -> list[str]:
        """Checks struct.pack would not make (fixed lengths, narrow ranges)."""
        if isinstance(shape, Primitive) and shape.low is not None:
            return [
                f"if not {shape.low} <= {value} <= {shape.high}:",
                f"    raise XdrError(f'{shape.xdr_name} value {{{value}!r}} out of range', len(buf))",
            ]
        if isinstance(shape, FixedOpaque):
            return [
                f"if len({value}) != {shape.length}:",
                f"    raise XdrError(f'fixed opaque needs {shape.length} bytes, not {{len({value})}}', len(buf))",
            ]
        if isinstance(shape, FixedArray):
            return [
                f"if len({value}) != {shape.length}:",
                f"    raise XdrError(f'fixed array needs {shape.length} elements, not {{len({value})}}', len(buf))",
                *self.encode_element_ranges(value, shape.element),
            ]
        return []

    def encode_element_ranges(self, value: str, element: Shape) -> list[str]:
        if isinstance(element, Primitive) and element.low is not None:
            return [
                f"if {value} and not ({element.low} <= min({value}) and max({value}) <= {element.high}):",
                f"    raise XdrError('{element.xdr_name} array element out of range', len(buf))",
            ]
        return []

    def encode(self, shape: Shape, value: str) -> list[str]:
        if packable(shape):
            return self.encode_run([RunField(value, shape)])
        if isinstance(shape, (String, VarOpaque)):
            return self._encode_bytes(shape, value)
        if isinstance(shape, Optional_):
            inner = self.temp("o")
            return [
                f"{inner} = {value}",
                f"if {inner} is None:",
                "    buf += b'\\0\\0\\0\\0'",
                "else:",
                "    buf += b'\\0\\0\\0\\1'",
                *indent(self.encode(shape.element, inner)),
            ]
        if isinstance(shape, (VarArray, FixedArray)):
            return self._encode_array(shape, value)
        assert isinstance(shape, (StructRef, UnionRef))
        if 0 < self._inline <= self.INLINE_DEPTH:
            return self._inline_encode(shape, value)
        return [f"{self.writer.function('encode', shape.name)}(buf, {value})"]

    def _inline_encode(self, shape: StructRef | UnionRef, value: str) -> list[str]:
        self._inline += 1
        try:
            definition = self.layouts.sources.definition(shape.name)
            attributes = self.writer.class_attributes(shape.name)
            item = self.temp("u")
            lines = [f"{item} = {value}"]
            if isinstance(shape, UnionRef):
                discriminant = self.temp("d")
                lines.append(f"{discriminant} = {item}.{attributes[0]}")
                lines += self.encode(self.layouts.shape(definition.discriminant), discriminant)
                for keyword, test, arm in self._union_branches(definition, discriminant):
                    lines.append(f"{keyword} {test}:")
                    if arm is None:
                        lines.append("    pass")
                    elif arm == "missing":
                        lines.append("    raise XdrError('no arm for the discriminant', len(buf))")
                    else:
                        lines += indent(self.encode(self.layouts.shape(arm), f"{item}.value"))
                return lines
            shapes = [self.layouts.shape(f) for f in definition.fields]
            for group in group_runs(shapes):
                if packable(shapes[group[0]]):
                    lines += self.encode_run([RunField(f"{item}.{attributes[i]}", shapes[i]) for i in group])
                else:
                    lines += self.encode(shapes[group[0]], f"{item}.{attributes[group[0]]}")
            return lines
        finally:
            self._inline -= 1

    def _encode_bytes(self, shape: String | VarOpaque, value: str) -> list[str]:
        data, count = self.temp("b"), self.temp("n")
        what = "string" if isinstance(shape, String) else "opaque"
        if isinstance(shape, String):
            lines = [f"{data} = {value}.encode('utf-8', 'surrogateescape')"]
        else:
            lines = [
                f"{data} = {value}",
                f"if not isinstance({data}, (bytes, bytearray, memoryview)):",
                f"    raise XdrError(f'opaque data must be bytes, not {{type({data}).__name__}}', len(buf))",
            ]
        lines.append(f"{count} = len({data})")
        if shape.maximum is not None:
            lines += [
                f"if {count} > {shape.maximum}:",
                f"    raise XdrError(f'{what} of {{{count}}} bytes exceeds its bound of {shape.maximum}', len(buf))",
            ]
        lines += [f"buf += _U32.pack({count})", f"buf += {data}", f"buf += _PAD[{count} & 3]"]
        return lines

    def _encode_array(self, shape: VarArray | FixedArray, value: str) -> list[str]:
        element = shape.element
        items, count = self.temp("a"), self.temp("n")
        lines = [f"{items} = {value}", f"{count} = len({items})"]
        if isinstance(shape, VarArray):
            if shape.maximum is not None:
                lines += [
                    f"if {count} > {shape.maximum}:",
                    f"    raise XdrError(f'array of {{{count}}} elements exceeds its bound of {shape.maximum}',"
                    " len(buf))",
                ]
            lines.append(f"buf += _U32.pack({count})")
        else:
            lines += [
                f"if {count} != {shape.length}:",
                f"    raise XdrError(f'fixed array needs {shape.length} elements, not {{{count}}}', len(buf))",
            ]
        if isinstance(element, Primitive):
            lines += self.encode_element_ranges(items, element)
            lines.append(f"buf += _struct.pack(f'>{{{count}}}{element.code}', *{items})")
            return lines
        item, index, error = self.temp("y"), self.temp("i"), self.temp("x")
        if self._inline:
            return [*lines, f"for {item} in {items}:", *indent(self.encode(element, item))]
        if isinstance(element, (StructRef, UnionRef)):
            self._inline += 1
            try:
                body = self._inline_encode(element, item)
            finally:
                self._inline -= 1
            return [
                *lines,
                f"for {index}, {item} in enumerate({items}):",
                "    try:",
                *indent(body, 2),
                f"    except (XdrError, *ENCODE_FAILURES) as {error}:",
                f"        raise reencode_failure({self.writer.function('encode', element.name)}, {item}, "
                f"{error}, len(buf)).within(f'[{{{index}}}]') from None",
            ]
        lines += [
            f"for {index}, {item} in enumerate({items}):",
            "    try:",
            *indent(self.encode(element, item), 2),
            f"    except XdrError as {error}:",
            f"        raise {error}.within(f'[{{{index}}}]') from None",
            f"    except ENCODE_FAILURES as {error}:",
            f"        raise encode_failure({error}, len(buf)).within(f'[{{{index}}}]') from None",
        ]
        return lines


def function_body(body: list[str], kind: str) -> list[str]:
    """Wrap statements in the try/except that turns any failure into an XdrError."""
    if kind == "decode":
        body = ["size = len(data)", *body]
        failure = ["except DECODE_FAILURES as exc:", "    raise decode_failure(exc, off).within(f) from None"]
    else:
        failure = ["except ENCODE_FAILURES as exc:", "    raise encode_failure(exc, len(buf)).within(f) from None"]
    return [
        "f = None",
        "try:",
        *indent(body),
        "except XdrError as exc:",
        "    raise exc.within(f) from None",
        *failure,
    ]


def shape_functions(code: ShapeCode, name: str, shape: Shape) -> list[str]:
    """encode_NAME/decode_NAME for a type that is one shape (typedefs and enums)."""
    decode_body = code.decode(shape, "value")
    encode_body = code.encode(shape, "value")
    return [
        f"def encode_{name}(buf: bytearray, value) -> None:",
        *indent(function_body(encode_body, "encode")),
        "",
        "",
        f"def decode_{name}(data: bytes, off: int):",
        *indent(function_body(decode_body, "decode")),
        "    return value, off",
    ]
