"""Text and attribute values as libvirt writes them into XML (virBufferEscapeString)."""

from __future__ import annotations

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&apos;", '"': "&quot;"})


def escape_text(text: str) -> str:
    """The five characters XML reserves, escaped, quotes included (libvirt escapes them in
    text as well as in attribute values)."""
    return text.translate(_ESCAPES)
