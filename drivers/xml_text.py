"""Text and attribute values as libvirt writes them into XML (virBufferEscapeString)."""

from __future__ import annotations

# Control characters XML cannot hold: libvirt drops them, all but 0x1A-0x1F, which its
# escaper's list leaves out and so copies as they are.
_DROPPED = [*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x1A)]
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&apos;", '"': "&quot;", **dict.fromkeys(map(chr, _DROPPED))}
)


def escape_text(text: str) -> str:
    """The five characters XML reserves, escaped, quotes included (libvirt escapes them in
    text as well as in attribute values), and the control characters it drops, dropped."""
    if text.isalnum():  # (most names and numbers: none of those characters is a letter or digit)
        return text
    return text.translate(_ESCAPES)
