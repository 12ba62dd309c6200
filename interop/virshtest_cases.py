"""The cases of libvirt 9.0.0's tests/virshtest.c, read from its source as data.

virshtest.c runs virsh on ``test:///default`` or the example node file and compares its
standard output with a C string literal (stderr must stay empty). Its test functions hold
``argv[] = { VIRSH_DEFAULT | VIRSH_CUSTOM, "arg", ..., NULL }``, ``exp = <literal or a
named string>`` and ``testCompareOutputLit(exp, <filter or NULL>, argv)``; its echo cases
are ``DO_TEST(i, result, "arg", ...)`` lines. This module reads those pieces (string
literals with their escapes and concatenation, the file's string macros and named strings)
into Case records; it does not interpret C beyond that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT, CUSTOM = "VIRSH_DEFAULT", "VIRSH_CUSTOM"  # test:///default, or the example node file
TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[A-Za-z_]\w*|\d+|\S', re.S)
ESCAPE = re.compile(r"\\([0-7]{1,3}|x[0-9a-fA-F]+|.)", re.S)
SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "?": "?", "a": "\a", "0": "\0"}
MACRO = re.compile(r"^#\s*define\s+(\w+)\s+(.*)$", re.M)
NAMED_STRING = re.compile(r"static const char \*(\w+) = (.*?);", re.S)
FUNCTION = re.compile(r"static int (\w+)\(const void \*data[^)]*\)\s*\{(.*?)\n\}", re.S)
ARGV = re.compile(r"argv\[\] = \{(.*?)\};", re.S)
EXPECTED = re.compile(r"const char \*exp = (.*?);", re.S)
COMPARISON = re.compile(r"testCompareOutputLit\(exp, (.*?), argv\)", re.S)
REGISTERED = re.compile(r'virTestRun\("([^"]+)",\s*(\w+), NULL\)')
ECHO_CASE = re.compile(r"DO_TEST\((\d+), (.*?)\);", re.S)


@dataclass(frozen=True)
class Case:
    name: str  # as virshtest.c reports it
    uri: str  # DEFAULT or CUSTOM
    arguments: tuple[str, ...]  # virsh's arguments after --connect URI
    expected: str  # virsh's whole standard output
    filtered: str | None  # text whose line testFilterLine removes first (the CPU time)


def unescape(literal: str) -> str:
    """A C string literal's value (the quotes removed, its escapes replaced)."""

    def replace(found: re.Match[str]) -> str:
        code = found.group(1)
        if code in SIMPLE_ESCAPES:
            return SIMPLE_ESCAPES[code]
        if code[0] in "01234567":
            return chr(int(code, 8))
        if code[0] == "x":
            return chr(int(code[1:], 16))
        raise ValueError(f"unknown escape \\{code} in {literal!r}")

    return ESCAPE.sub(replace, literal[1:-1])


def strings_of(expression: str, names: dict[str, str]) -> list[str]:
    """The strings a comma-separated list of C expressions denotes: each item adjacent
    literals and named strings, concatenated; VIRSH_DEFAULT and VIRSH_CUSTOM kept as names."""
    items: list[str] = []
    current: list[str] | None = None
    for token in TOKEN.findall(expression):
        if token == ",":
            if current is not None:
                items.append("".join(current))
            current = None
        elif token.startswith('"'):
            current = (current or []) + [unescape(token)]
        elif token in (DEFAULT, CUSTOM):
            items.append(token)
        elif token in names:
            current = (current or []) + [names[token]]
        elif token != "NULL":
            raise ValueError(f"cannot read {token!r} in {expression!r}")
    if current is not None:
        items.append("".join(current))
    return items


def read_cases(source: str) -> list[Case]:
    # Translation phase 2: a backslash before a newline joins the two lines (inside strings too).
    text = source.replace("\\\n", "")
    names: dict[str, str] = {}
    for name, body in MACRO.findall(text):
        if body.startswith('"'):
            names[name] = "".join(strings_of(body, names))
    for name, body in NAMED_STRING.findall(text):
        names[name] = "".join(strings_of(body, names))
    functions = {name: body for name, body in FUNCTION.findall(text)}
    cases = []
    for title, function in REGISTERED.findall(text):
        body = functions[function]
        argv, expected, comparison = ARGV.search(body), EXPECTED.search(body), COMPARISON.search(body)
        if argv is None or expected is None or comparison is None:
            raise ValueError(f"cannot read the case {title!r} ({function})")
        uri, *arguments = strings_of(argv.group(1), names)
        filtered = None if comparison.group(1) == "NULL" else "".join(strings_of(comparison.group(1), names))
        cases.append(Case(title, uri, tuple(arguments), "".join(strings_of(expected.group(1), names)), filtered))
    for number, rest in ECHO_CASE.findall(text):
        if not number.isdigit():
            continue  # the macro's own definition
        result, *arguments = strings_of(rest, names)
        cases.append(Case(f"virsh echo {number}", DEFAULT, tuple(arguments), result, None))
    return cases


def load(libvirt_tests: Path) -> list[Case]:
    return read_cases((libvirt_tests / "virshtest.c").read_text())


def without_filtered_line(output: str, filtered: str | None) -> str | None:
    """testFilterLine: the output without the first occurrence of filtered up to the next
    newline after it (that newline kept); None when filtered does not occur."""
    if filtered is None:
        return output
    start = output.find(filtered)
    if start < 0:
        return None
    end = output.find("\n", start + 1)
    return output[:start] if end < 0 else output[:start] + output[end:]
