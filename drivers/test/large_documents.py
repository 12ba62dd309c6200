"""Definitions other than a domain's (networks, filters, interfaces, pools, volumes, secrets,
node devices) read in a worker thread when they are large: a client may send up to 4 MiB of
XML, and reading one (the schema check, the parse, our pass over thousands of DHCP hosts or
filter rules) takes time in proportion to it, ~0.4 s a megabyte, which on the event loop
would hold every other client up. The read must use nothing but the text; what it gives is
put in the state on the loop (then)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from virtrio.drivers.base import Offload

from .parse import PARSE_IN_THREAD_BYTES

Read = TypeVar("Read")
Answer = TypeVar("Answer")


def read_then(text: str, read: Callable[[], Read], then: Callable[[Read], Answer]) -> Answer | Offload:
    """then(read()), with read in a worker thread when the text is large."""
    if len(text) > PARSE_IN_THREAD_BYTES:
        return Offload(read, then)
    return then(read())
