"""What the generated modules share at run time: errors, base classes, codecs, procedures.

Standard library only, like the generated code.

Decisions the codec makes (documented in README):
- Strings are UTF-8. Bytes that are not valid UTF-8 decode with ``surrogateescape``, so
  a client's bytes reach the driver and come back unchanged, as libvirtd treats them;
  a driver that must have text checks for surrogates itself.
- ``Codec.decode`` is exact by default: bytes left after the value are an XdrError.
  The server decides separately what to do with trailing bytes after arguments.
- Padding bytes are not checked to be zero (glibc's XDR does not check them either).
- Decoding accepts what glibc's XDR accepts: enum values are not checked against the
  enumerators; an optional-data flag or a bool that is not 0 means present / true;
  ``char``, ``short`` and their unsigned forms keep their low bits (the C conversion);
  a string ends at its first NUL (libvirt sees a C string). Encoding stays canonical and
  range-checked (flags 0/1, narrow integers within their C range).
"""

from __future__ import annotations

import importlib
import struct
from collections.abc import Callable, Iterator, Mapping
from typing import Any

U32 = struct.Struct(">I")
I32 = struct.Struct(">i")
PAD = (b"", b"\0\0\0", b"\0\0", b"\0")

Encoder = Callable[[bytearray, Any], None]
Decoder = Callable[[bytes, int], "tuple[Any, int]"]

# What a generated decoder or encoder may raise internally; each becomes an XdrError.
DECODE_FAILURES = (struct.error, ValueError, IndexError, TypeError, OverflowError)
ENCODE_FAILURES = (struct.error, AttributeError, TypeError, ValueError, OverflowError, IndexError)


class XdrError(Exception):
    """Any failure to encode or decode XDR, naming the field path and the byte offset."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset
        self.path: list[str] = []

    def within(self, part: str | None) -> XdrError:
        if part is not None:
            self.path.insert(0, part)
        return self

    @property
    def field_path(self) -> str:
        text = ""
        for part in self.path:
            text += part if part.startswith("[") or not text else "." + part
        return text

    def __str__(self) -> str:
        where = self.field_path or "<value>"
        return f"{where}: {self.reason} (at byte {self.offset})"


def decode_failure(error: Exception, offset: int) -> XdrError:
    if isinstance(error, struct.error):
        return XdrError("data ends before the value does", offset)
    return XdrError(f"cannot decode: {error}", offset)


def encode_failure(error: Exception, offset: int) -> XdrError:
    if isinstance(error, AttributeError):
        return XdrError(f"value lacks a field: {error}", offset)
    return XdrError(f"cannot encode: {error}", offset)


def redecode_failure(decoder: Decoder, data: bytes, start: int, error: Exception) -> XdrError:
    """The exact error of an element whose inlined decoding failed: decode it again."""
    try:
        decoder(data, start)
    except XdrError as exact:
        return exact
    except DECODE_FAILURES as exact:
        return decode_failure(exact, start)
    return error if isinstance(error, XdrError) else decode_failure(error, start)


def reencode_failure(encoder: Encoder, value: Any, error: Exception, offset: int) -> XdrError:
    """The exact error of an element whose inlined encoding failed: encode it again."""
    try:
        encoder(bytearray(), value)
    except XdrError as exact:
        exact.offset += offset
        return exact
    except ENCODE_FAILURES as exact:
        return encode_failure(exact, offset)
    return error if isinstance(error, XdrError) else encode_failure(error, offset)


class XdrStruct:
    """Base of every generated struct class: value equality and a readable repr."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        slots: tuple[str, ...] = self.__slots__
        return all(getattr(self, s) == getattr(other, s) for s in slots)

    def __repr__(self) -> str:
        slots: tuple[str, ...] = self.__slots__
        inner = ", ".join(f"{s}={getattr(self, s)!r}" for s in slots)
        return f"{type(self).__name__}({inner})"

    __hash__ = None  # type: ignore[assignment]  # mutable, like the lists it holds


class XdrUnion(XdrStruct):
    """Base of every generated union class: the discriminant and the arm's value."""

    __slots__ = ()


class Codec:
    """Encode or decode one XDR type as a whole payload.

    A codec of a program whose codecs are split into parts (see ``PartCodecs``) names its
    part module instead of holding functions; the first encode or decode imports it.
    """

    __slots__ = ("decoder", "encoder", "home", "name")

    def __init__(
        self, name: str, encoder: Encoder | None = None, decoder: Decoder | None = None, home: str | None = None
    ) -> None:
        if (encoder is None or decoder is None) and home is None:
            raise ValueError(f"codec {name} needs its functions or the module that has them")
        self.name = name
        self.encoder = encoder
        self.decoder = decoder
        self.home = home  # the module defining encode_<name> and decode_<name>, until loaded

    def __repr__(self) -> str:
        return f"Codec({self.name!r})"

    def load(self) -> tuple[Encoder, Decoder]:
        """The codec's functions, importing the module that defines them on first use."""
        encoder, decoder = self.encoder, self.decoder
        if encoder is None or decoder is None:
            assert self.home is not None
            module = importlib.import_module(self.home)
            encoder = self.encoder = getattr(module, "encode_" + self.name)
            decoder = self.decoder = getattr(module, "decode_" + self.name)
        return encoder, decoder

    def encode(self, value: Any) -> bytes:
        buffer = bytearray()
        self.encode_into(buffer, value)
        return bytes(buffer)

    def encode_into(self, buffer: bytearray, value: Any) -> None:
        encoder = self.encoder
        if encoder is None:
            encoder = self.load()[0]
        try:
            encoder(buffer, value)
        except XdrError as error:
            raise error.within(self.name) from None

    def decode(self, data: bytes | bytearray | memoryview, offset: int = 0, exact: bool = True) -> Any:
        """Decode a value starting at offset; with exact, the value must end the data."""
        view = data if type(data) is bytes else bytes(data)
        decoder = self.decoder
        if decoder is None:
            decoder = self.load()[1]
        try:
            value, end = decoder(view, offset)
        except XdrError as error:
            raise error.within(self.name) from None
        if end > len(view):
            raise XdrError("data ends inside the value's padding", len(view)).within(self.name)
        if exact and end != len(view):
            raise XdrError(f"{len(view) - end} bytes left after the value", end).within(self.name)
        return value


class PartCodecs(Mapping[str, Codec]):
    """A split program's CODECS: every type's codec by name, each made on first lookup.

    ``parts`` maps each type to the module (in ``package``) with its class and functions;
    nothing is imported until a codec encodes or decodes.
    """

    def __init__(self, package: str, parts: dict[str, str]) -> None:
        self._package = package
        self._parts = parts
        self._made: dict[str, Codec] = {}

    def __getitem__(self, name: str) -> Codec:
        codec = self._made.get(name)
        if codec is None:
            codec = self._made[name] = Codec(name, home=f"{self._package}.{self._parts[name]}")
        return codec

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)


def part_attributes(namespace: dict[str, Any], package: str, parts: dict[str, str]) -> Callable[[str], Any]:
    """A split program module's ``__getattr__``: a type's class, ``encode_``/``decode_``
    functions, imported from its part on first use and kept in the module's namespace."""

    def attribute(name: str) -> Any:
        type_name = name
        if name not in parts and name.startswith(("encode_", "decode_")):
            type_name = name[7:]
        part = parts.get(type_name)
        if part is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{part}"), name)
        namespace[name] = value
        return value

    return attribute


class Procedure:
    """One entry of a program's procedure table, from the .x enum and its annotations.

    Read-only by convention. A plain slotted class rather than a frozen dataclass: a
    daemon builds ~450 of these while it starts, and a frozen dataclass's __init__ costs
    about four times as much (object.__setattr__ per field).
    """

    __slots__ = (
        "acl",
        "aclfilter",
        "args",
        "generate",
        "high_priority",
        "is_event",
        "list_bound",
        "name",
        "number",
        "program",
        "result_bound",
        "ret",
        "sparse_flag",
        "stream",
        "stream_param",
        "version",
    )

    program: int
    version: int
    number: int
    name: str  # without the program prefix, e.g. "DOMAIN_GET_INFO"
    args: Codec | None
    ret: Codec | None
    high_priority: bool
    acl: tuple[str, ...]
    aclfilter: tuple[str, ...]
    stream: str | None  # "read" (daemon to client), "write" (client to daemon) or None
    stream_param: int | None
    sparse_flag: str | None
    is_event: bool  # a server-to-client MESSAGE with a *_msg payload
    generate: str | None
    # (argument, limit, limit's name) of libvirt's generated "max<name> > LIMIT" check
    list_bound: tuple[str, int, str] | None
    # (object type, limit, limit's name) of its "Too many <type>s" check on the driver's count
    result_bound: tuple[str, int, str] | None

    def __init__(
        self,
        program: int,
        version: int,
        number: int,
        name: str,
        args: Codec | None,
        ret: Codec | None,
        high_priority: bool,
        acl: tuple[str, ...],
        aclfilter: tuple[str, ...],
        stream: str | None,
        stream_param: int | None,
        sparse_flag: str | None,
        is_event: bool,
        generate: str | None,
        list_bound: tuple[str, int, str] | None = None,
        result_bound: tuple[str, int, str] | None = None,
    ) -> None:
        self.program = program
        self.version = version
        self.number = number
        self.name = name
        self.args = args
        self.ret = ret
        self.high_priority = high_priority
        self.acl = acl
        self.aclfilter = aclfilter
        self.stream = stream
        self.stream_param = stream_param
        self.sparse_flag = sparse_flag
        self.is_event = is_event
        self.generate = generate
        self.list_bound = list_bound
        self.result_bound = result_bound

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Procedure)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.program, self.version, self.number))

    def __repr__(self) -> str:
        return f"Procedure({self.program}, {self.version}, {self.number}, {self.name!r})"


ProcedureRow = tuple[
    str,
    str | None,
    str | None,
    bool,
    tuple[str, ...],
    tuple[str, ...],
    str | None,
    int | None,
    str | None,
    bool,
    str | None,
    tuple[str, int, str] | None,
    tuple[str, int, str] | None,
]


def procedure_table(
    program: int, version: int, codecs: Mapping[str, Codec], rows: dict[int, ProcedureRow]
) -> dict[int, Procedure]:
    """A program's PROCEDURES from its generated rows: (name, args type, ret type, the
    remaining Procedure fields in order), the types looked up in its CODECS."""
    table = {}
    for number, row in rows.items():
        name, args, ret, high, acl, aclfilter, stream, stream_param, sparse, event, generate, bound, results = row
        table[number] = Procedure(
            program,
            version,
            number,
            name,
            codecs[args] if args else None,
            codecs[ret] if ret else None,
            high,
            acl,
            aclfilter,
            stream,
            stream_param,
            sparse,
            event,
            generate,
            bound,
            results,
        )
    return table
