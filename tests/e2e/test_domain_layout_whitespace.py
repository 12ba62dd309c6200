"""Whitespace in domain XML: the layout between tags means nothing, text beside child
elements keeps all of its own, whatever the document's comments or line ends (the parse drops
layout whitespace early where it cannot change what is read: parse.blanks_droppable). Stock
libvirt-python against the daemon."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from .daemon_process import python_libvirt, start_daemon

SCRIPT = textwrap.dedent(
    """
    import json, re, sys
    import libvirt
    libvirt.registerErrorHandler(lambda *a: None, None)
    conn = libvirt.open(sys.argv[1])
    answers = []
    for xml in json.loads(sys.argv[2]):
        try:
            domain = conn.defineXML(xml)
        except libvirt.libvirtError as error:
            answers.append(["error", error.get_error_code(), error.get_error_message()])
            continue
        answer = domain.XMLDesc(0)
        answers.append([domain.name(), re.sub(r"<uuid>.*</uuid>", "<uuid/>", answer)])
        domain.undefine()
    print(json.dumps(answers))
    """
)


def document(name: str = "<name>d</name>", title: str = "", description: str = "", separator: str = "\n") -> str:
    lines = [
        "<domain type='test'>",
        f"  {name}",
        "  <uuid>12345678-1234-5678-1234-567812345678</uuid>",
        "  <memory>1048576</memory>",
        "  <vcpu>1</vcpu>",
        f"  {title}",
        f"  {description}",
        "  <metadata>",
        "    <app:entry xmlns:app='http://example.org/app/'>",
        "      <app:item>  one  </app:item>",
        "    </app:entry>",
        "  </metadata>",
        "  <os>",
        "    <type>hvm</type>",
        "  </os>",
        "</domain>",
    ]
    return separator.join(lines) + separator


def expected(title: str | None = None, description: str | None = None) -> str:
    lines = ["<domain type='test'>", "  <name>d</name>", "  <uuid/>"]
    if title is not None:
        lines.append(f"  <title>{title}</title>")
    if description is not None:
        lines.append(f"  <description>{description}</description>")
    lines += [
        "  <metadata>",
        '    <app:entry xmlns:app="http://example.org/app/">',
        "      <app:item>  one  </app:item>",
        "    </app:entry>",
        "  </metadata>",
        "  <memory unit='KiB'>1048576</memory>",
        "  <currentMemory unit='KiB'>1048576</currentMemory>",
        "  <vcpu placement='static'>1</vcpu>",
        "  <os>",
        "    <type arch='i686'>hvm</type>",
        "    <boot dev='hd'/>",
        "  </os>",
        "  <clock offset='utc'/>",
        "  <on_poweroff>destroy</on_poweroff>",
        "  <on_reboot>restart</on_reboot>",
        "  <on_crash>destroy</on_crash>",
        "  <devices>",
        "  </devices>",
        "</domain>",
    ]
    return "\n".join(lines) + "\n"


CASES = {
    "layout only": (document(), ["d", expected()]),
    "text beside a child": (
        document(description="<description>  <b/>  text</description>"),
        ["d", expected(description="    text")],
    ),
    "whitespace before a child": (
        document(title="<title>  <b/>t</title>", description="<description>\n  <b/>\n</description>"),
        ["d", expected(title="  t", description="\n  \n")],
    ),
    "a comment between whitespace and text": (
        document(description="<description>  <!-- note -->text</description>"),
        ["d", expected(description="  text")],
    ),
    "carriage returns": (
        document(description="<description>  \r\n  text</description>", separator="\r\n"),
        ["d", expected(description="  \n  text")],
    ),
    "a name that is whitespace beside a child": (
        document(name="<name>  <b/></name>"),
        ["  ", expected().replace("<name>d</name>", "<name>  </name>")],
    ),
    "a size beside a child": (
        document().replace("<memory>1048576</memory>", "<memory>  <b/>1</memory>"),
        ["d", expected().replace(">1048576</", ">1</")],  # (strtoull skips the leading whitespace)
    ),
}


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:
    daemon = start_daemon(Path(tmp_path_factory.mktemp("layout")) / "run")
    try:
        result = python_libvirt(SCRIPT, daemon.uri(), json.dumps([xml for xml, _ in CASES.values()]))
    finally:
        assert daemon.stop() == 0, daemon.log()
    assert result.returncode == 0, result.stderr
    return dict(zip(CASES, json.loads(result.stdout), strict=True))


@pytest.mark.parametrize("case", CASES)
def test_whitespace_read_as_libvirt_reads_it(answers: dict[str, list], case: str) -> None:
    assert answers[case] == CASES[case][1]
