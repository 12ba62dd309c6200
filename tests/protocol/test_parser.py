"""The .x parser on the parts of the language libvirt relies on beyond RFC 4506."""

from __future__ import annotations

import pytest

from virtrio.protocol.model import Annotation, ConstRef, Enum, Struct, Typedef, Union_
from virtrio.protocol.parser import XdrSyntaxError, parse_file

SAMPLE = """
%#include "internal.h"
/* a comment */
const MAX = 0x10;
typedef string name_t<MAX>;
typedef name_t *maybe_name;
struct s {
    char c;
    unsigned char uc;
    short sh;
    unsigned short us;
    unsigned bare;
    unsigned hyper big;
    opaque blob<>;
    int fixed[4];
    maybe_name n;
};
union u switch (int kind) {
 case 1:
 case 2:
    int a;
 case MAX:
    void;
 default:
    hyper other;
};
enum test_procedure {
    /**
     * @generate: both
     * @priority: high
     * @acl: domain:read
     * @acl: domain:write
     */
    TEST_PROC_ONE = 1,
    /** @readstream: 1 */
    TEST_PROC_TWO = 2
};
"""


def test_parses_libvirt_dialect() -> None:
    parsed = parse_file(SAMPLE, "sample.x")
    assert parsed.passthrough == ('#include "internal.h"',)
    defs = parsed.by_name()
    assert isinstance(defs["name_t"], Typedef)
    struct = defs["s"]
    assert isinstance(struct, Struct)
    assert [(f.name, f.type.name, f.kind) for f in struct.fields] == [
        ("c", "char", "scalar"),
        ("uc", "unsigned char", "scalar"),
        ("sh", "short", "scalar"),
        ("us", "unsigned short", "scalar"),
        ("bare", "unsigned int", "scalar"),
        ("big", "unsigned hyper", "scalar"),
        ("blob", "opaque", "variable"),
        ("fixed", "int", "fixed"),
        ("n", "maybe_name", "scalar"),
    ]
    assert struct.fields[6].size is None
    assert struct.pos.line == 7
    union = defs["u"]
    assert isinstance(union, Union_)
    assert union.arms[0].cases == (1, 2)
    assert union.arms[1].declaration is None and isinstance(union.arms[1].cases[0], ConstRef)
    assert union.has_default and union.default.name == "other"
    enum = defs["test_procedure"]
    assert isinstance(enum, Enum)
    assert enum.members[0].annotations == (
        Annotation("generate", "both"),
        Annotation("priority", "high"),
        Annotation("acl", "domain:read"),
        Annotation("acl", "domain:write"),
    )
    assert enum.members[1].annotations == (Annotation("readstream", "1"),)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("struct a { int x }", "expected ';'", 1),
        ("const = 3;", "expected a name", 1),
        ("\n\nstruct a { string s; };", "string needs a size", 3),
        ("union u switch (int d) { int x; };", "expected 'case' or 'default'", 1),
        ("enum e { A = @ };", "unexpected character", 1),
    ],
)
def test_syntax_errors_name_their_position(text: str, message: str, line: int) -> None:
    with pytest.raises(XdrSyntaxError) as caught:
        parse_file(text, "bad.x")
    assert message in str(caught.value)
    assert caught.value.pos.file == "bad.x" and caught.value.pos.line == line
