"""Text in the XML the drivers write, escaped as libvirt's virBufferEscapeString does."""

from __future__ import annotations

from virtrio.drivers.xml_text import escape_text


def test_the_five_reserved_characters_are_escaped_quotes_included() -> None:
    assert escape_text("""a<b>c&d'e"f""") == "a&lt;b&gt;c&amp;d&apos;e&quot;f"


def test_control_characters_are_dropped_except_whitespace_and_0x1a_to_0x1f() -> None:
    text = "".join(map(chr, range(1, 0x20)))
    assert escape_text(text) == "\t\n\r" + "".join(map(chr, range(0x1A, 0x20)))


def test_plain_text_is_unchanged() -> None:
    assert escape_text("vol-1 é ✓ /p/a.th") == "vol-1 é ✓ /p/a.th"
