"""Reading TLS's record layer in tests: what a daemon sent, cut into records."""

from __future__ import annotations


def tls_records(stream: bytes) -> list[bytes]:
    """stream cut into its TLS records (each with its 5-byte header), in order; a record cut
    short is the last piece."""
    pieces, offset = [], 0
    while offset < len(stream):
        end = offset + 5 + int.from_bytes(stream[offset + 3 : offset + 5], "big")
        pieces.append(stream[offset:end])
        offset = end
    return pieces
