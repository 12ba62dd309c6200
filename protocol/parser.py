"""A hand-written recursive-descent parser for XDR as libvirt's .x files use it.

RFC 4506 plus what rpcgen accepts and libvirt relies on: ``char``, ``short``, bare
``unsigned`` (= unsigned int), ``%`` passthrough lines, and ``/** @key: value */``
annotation comments, which attach to the enumerator that follows them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .model import (
    Annotation,
    Const,
    ConstRef,
    Declaration,
    Definition,
    Enum,
    EnumMember,
    ProtocolFile,
    SourcePos,
    Struct,
    Typedef,
    TypeRef,
    Union_,
    UnionArm,
    Value,
)


class XdrSyntaxError(Exception):
    def __init__(self, message: str, pos: SourcePos) -> None:
        super().__init__(f"{pos}: {message}")
        self.pos = pos


@dataclass(frozen=True)
class Token:
    kind: str  # "ident", "number", "punct", "doc", "eof"
    text: str
    pos: SourcePos


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<doc>/\*\*(?!/).*?\*/)
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<passthrough>^%[^\n]*)
  | (?P<number>-?(?:0[xX][0-9a-fA-F]+|[0-9]+))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[{}()\[\]<>;,=*:])
    """,
    re.VERBOSE | re.DOTALL | re.MULTILINE,
)


def tokenize(text: str, filename: str) -> tuple[list[Token], list[str]]:
    tokens: list[Token] = []
    passthrough: list[str] = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(offset: int) -> SourcePos:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return SourcePos(filename, lo + 1, offset - line_starts[lo] + 1)

    offset = 0
    while offset < len(text):
        match = _TOKEN_RE.match(text, offset)
        if match is None:
            raise XdrSyntaxError(f"unexpected character {text[offset]!r}", position(offset))
        kind = match.lastgroup
        assert kind is not None
        if kind == "passthrough":
            passthrough.append(match.group()[1:])
        elif kind in ("number", "ident", "punct", "doc"):
            tokens.append(Token(kind, match.group(), position(offset)))
        offset = match.end()
    tokens.append(Token("eof", "", position(len(text))))
    return tokens, passthrough


_ANNOTATION_RE = re.compile(r"@([A-Za-z]+)\s*:\s*(.*?)\s*$")


def parse_annotations(doc: str) -> tuple[Annotation, ...]:
    found = []
    for line in doc[3:-2].splitlines():
        match = _ANNOTATION_RE.search(line.strip().lstrip("*").strip())
        if match:
            found.append(Annotation(match.group(1), match.group(2)))
    return tuple(found)


class Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.pending_doc: Token | None = None

    # -- token helpers -------------------------------------------------------------
    def _skip_docs(self) -> None:
        while self.tokens[self.index].kind == "doc":
            self.pending_doc = self.tokens[self.index]
            self.index += 1

    def peek(self) -> Token:
        self._skip_docs()
        return self.tokens[self.index]

    def next(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.next()
        if token.text != text:
            raise XdrSyntaxError(f"expected {text!r}, found {token.text or 'end of file'!r}", token.pos)
        return token

    def accept(self, text: str) -> bool:
        if self.peek().text == text and self.peek().kind in ("punct", "ident"):
            self.index += 1
            return True
        return False

    def identifier(self) -> Token:
        token = self.next()
        if token.kind != "ident":
            raise XdrSyntaxError(f"expected a name, found {token.text or 'end of file'!r}", token.pos)
        return token

    def value(self) -> Value:
        token = self.next()
        if token.kind == "number":
            return int(token.text, 0)
        if token.kind == "ident":
            return ConstRef(token.text, token.pos)
        raise XdrSyntaxError(f"expected a number or constant, found {token.text!r}", token.pos)

    # -- grammar -----------------------------------------------------------------
    def parse(self) -> list[Definition]:
        definitions: list[Definition] = []
        while self.peek().kind != "eof":
            definitions.append(self.definition())
        return definitions

    def definition(self) -> Definition:
        token = self.next()
        keyword = token.text
        if keyword == "const":
            name = self.identifier()
            self.expect("=")
            value = self.value()
            self.expect(";")
            return Const(name.text, value, name.pos)
        if keyword == "typedef":
            declaration = self.declaration()
            self.expect(";")
            if declaration is None:
                raise XdrSyntaxError("typedef of void", token.pos)
            return Typedef(declaration.name, declaration, declaration.pos)
        if keyword == "enum":
            name = self.identifier()
            enum = Enum(name.text, self.enum_body(), name.pos)
            self.expect(";")
            return enum
        if keyword == "struct":
            name = self.identifier()
            struct = Struct(name.text, self.struct_body(), name.pos)
            self.expect(";")
            return struct
        if keyword == "union":
            name = self.identifier()
            union = self.union_body(name.text, name.pos)
            self.expect(";")
            return union
        raise XdrSyntaxError(f"expected a definition, found {keyword or 'end of file'!r}", token.pos)

    def enum_body(self) -> tuple[EnumMember, ...]:
        self.expect("{")
        members = []
        while True:
            self.pending_doc = None
            name = self.identifier()
            annotations = parse_annotations(self.pending_doc.text) if self.pending_doc else ()
            self.expect("=")
            members.append(EnumMember(name.text, self.value(), name.pos, annotations))
            if not self.accept(","):
                break
        self.expect("}")
        return tuple(members)

    def struct_body(self) -> tuple[Declaration, ...]:
        self.expect("{")
        fields = []
        while not self.accept("}"):
            declaration = self.declaration()
            self.expect(";")
            if declaration is not None:
                fields.append(declaration)
        return tuple(fields)

    def union_body(self, name: str, pos: SourcePos) -> Union_:
        self.expect("switch")
        self.expect("(")
        discriminant = self.declaration()
        if discriminant is None or discriminant.kind != "scalar":
            raise XdrSyntaxError("a union discriminant must be a plain declaration", pos)
        self.expect(")")
        self.expect("{")
        arms: list[UnionArm] = []
        has_default = False
        default: Declaration | None = None
        while not self.accept("}"):
            if self.accept("default"):
                self.expect(":")
                has_default = True
                default = self.declaration()
                self.expect(";")
                continue
            cases = []
            while self.accept("case"):
                cases.append(self.value())
                self.expect(":")
            if not cases:
                token = self.peek()
                raise XdrSyntaxError(f"expected 'case' or 'default', found {token.text!r}", token.pos)
            declaration = self.declaration()
            self.expect(";")
            arms.append(UnionArm(tuple(cases), declaration))
        return Union_(name, discriminant, tuple(arms), has_default, default, pos)

    def type_specifier(self) -> TypeRef:
        token = self.next()
        text = token.text
        if text == "unsigned":
            following = self.peek().text
            if following in ("int", "hyper", "char", "short"):
                self.next()
                return TypeRef(f"unsigned {following}", True)
            return TypeRef("unsigned int", True)  # rpcgen's bare "unsigned"
        if text in ("int", "hyper", "char", "short", "float", "double", "bool", "string", "opaque"):
            return TypeRef(text, True)
        if text in ("struct", "enum", "union"):
            raise XdrSyntaxError(f"inline {text} definitions are not supported", token.pos)
        if token.kind != "ident":
            raise XdrSyntaxError(f"expected a type, found {text!r}", token.pos)
        return TypeRef(text, False)

    def declaration(self) -> Declaration | None:
        if self.accept("void"):
            return None
        type_ref = self.type_specifier()
        if self.accept("*"):
            name = self.identifier()
            return Declaration(name.text, type_ref, "optional", None, name.pos)
        name = self.identifier()
        size: Value | None
        if self.accept("["):
            size = self.value()
            self.expect("]")
            kind = "fixed"
        elif self.accept("<"):
            size = None if self.peek().text == ">" else self.value()
            self.expect(">")
            kind = "variable"
        else:
            size = None
            kind = "scalar"
        if type_ref.name in ("string", "opaque") and kind == "scalar":
            raise XdrSyntaxError(f"{type_ref.name} needs a size", name.pos)
        if type_ref.name == "string" and kind == "fixed":
            raise XdrSyntaxError("string cannot have a fixed size", name.pos)
        return Declaration(name.text, type_ref, kind, size, name.pos)


def parse_file(text: str, filename: str) -> ProtocolFile:
    tokens, passthrough = tokenize(text, filename)
    definitions = Parser(tokens).parse()
    digest = hashlib.sha256(text.encode()).hexdigest()
    return ProtocolFile(filename, digest, tuple(definitions), tuple(passthrough))
