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

import struct
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Codec:
    """Encode or decode one XDR type as a whole payload."""

    name: str
    encoder: Encoder
    decoder: Decoder

    def encode(self, value: Any) -> bytes:
        buffer = bytearray()
        self.encode_into(buffer, value)
        return bytes(buffer)

    def encode_into(self, buffer: bytearray, value: Any) -> None:
        try:
            self.encoder(buffer, value)
        except XdrError as error:
            raise error.within(self.name) from None

    def decode(self, data: bytes | bytearray | memoryview, offset: int = 0, exact: bool = True) -> Any:
        """Decode a value starting at offset; with exact, the value must end the data."""
        view = data if type(data) is bytes else bytes(data)
        try:
            value, end = self.decoder(view, offset)
        except XdrError as error:
            raise error.within(self.name) from None
        if end > len(view):
            raise XdrError("data ends inside the value's padding", len(view)).within(self.name)
        if exact and end != len(view):
            raise XdrError(f"{len(view) - end} bytes left after the value", end).within(self.name)
        return value


@dataclass(frozen=True, slots=True)
class Procedure:
    """One entry of a program's procedure table, from the .x enum and its annotations."""

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
    list_bound: tuple[str, int, str] | None = None
    # (object type, limit, limit's name) of its "Too many <type>s" check on the driver's count
    result_bound: tuple[str, int, str] | None = None
