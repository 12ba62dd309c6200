"""Definitions other than a domain's (networks, filters, interfaces, pools, volumes, secrets,
node devices) read in a worker thread when they are large: a client may send up to 4 MiB of
XML, and reading one (the schema check, the parse, our pass over thousands of DHCP hosts or
filter rules) takes time in proportion to it, ~0.4 s a megabyte, which on the event loop
would hold every other client up. The read must use nothing but the text; what it gives is
put in the state on the loop (then). Likewise the XML of a large object is written in a worker
thread (write_then), from parts nobody changes in place."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from virtrio.drivers.base import Offload

from .parse import PARSE_IN_THREAD_BYTES

Read = TypeVar("Read")
Answer = TypeVar("Answer")


def read_then(text: str, read: Callable[[], Read], then: Callable[[Read], Answer]) -> Answer | Offload:
    """then(read()), with read in a worker thread when the text is large."""
    if large_text(text):
        return Offload(read, then)
    return then(read())


def large_text(text: str) -> bool:
    """Whether reading the text holds the loop long enough to be done in a worker thread."""
    return len(text) > PARSE_IN_THREAD_BYTES


# An object of more parts than this (DHCP hosts, DNS records, filter rules and parameters,
# bridge members) is written out in a worker thread when a client asks for its XML: each part
# costs ~2 µs (a network's host) to ~15 µs (a filter's rule), so 512 of them hold the loop
# ~1 to 7 ms; a large network's 40,000 hosts ~0.1 s, a filter's 40,000 rules ~0.5 s.
FORMAT_IN_THREAD_PARTS = 512


def large_object(part_counts: Iterable[int]) -> bool:
    """Whether an object of parts that many (counted as more_than counts them) is written out
    in a worker thread."""
    return more_than(FORMAT_IN_THREAD_PARTS, part_counts)


def more_than(limit: int, counts: Iterable[int]) -> bool:
    """Whether the counts add up to more than limit: taken only until they do, so that asking
    costs little however large the object."""
    total = 0
    for count in counts:
        total += count
        if total > limit:
            return True
    return False


def write_then(large: bool, write: Callable[[], str], answer: Callable[[str], Answer]) -> Answer | Offload:
    """answer(write()): for a large object, both in a worker thread, where the reply is encoded
    too (Offload.reply_in_thread). What write reads must be what nobody changes in place (a
    definition a change replaces whole), so that the event loop may go on meanwhile."""
    if large:
        return Offload(write, answer, reply_in_thread=True)
    return answer(write())
