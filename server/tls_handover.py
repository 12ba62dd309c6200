"""Handing the CPU to a TLS client before waiting for it.

A reply (or a handshake flight) wakes the client; on a small machine the client often runs
on the daemon's CPU, and only once the daemon sleeps. sched_yield lets it run at once: its
answer is then in when the daemon looks, and is read with no pass through epoll and trio's
wait, which cost more than a TLS call's own work (per TLS connect+close on a loaded 2-core
machine: ~10% of the daemon's CPU).

A yield gives the CPU to whatever else is runnable there, though. So a session stops
handing over after one that did not pay: the client had not answered (it runs on the other
CPU, where busy-polling serves it), or the yield lasted longer than a client's turn
(something else had the CPU). And a yield that took much longer still pauses the hand-overs
of every session for a while.
"""

from __future__ import annotations

import os
import select
import time

# Longer than a client's turn (reading a reply and writing its next call) takes: a session
# stops handing over.
TURN_SECONDS = 0.0005
# Longer than any client's turn (working through our handshake flight included): someone
# else had the CPU, and every hand-over pauses.
SUSPECT_SECONDS = 0.002
PAUSE_SECONDS = 1.0

_look = select.poll()
_paused_until = 0.0


def yield_cpu() -> float | None:
    """sched_yield unless hand-overs are paused: how long it took, None when paused."""
    global _paused_until
    before = time.perf_counter()
    if before < _paused_until:
        return None
    os.sched_yield()
    took = time.perf_counter() - before
    if took > SUSPECT_SECONDS:
        _paused_until = before + took + PAUSE_SECONDS
    return took


def readable(fd: int) -> bool:
    """Whether fd is readable now (from its SO_RCVLOWAT on)."""
    _look.register(fd, select.POLLIN)  # a poll object keeps its descriptors itself: no system call
    try:
        return bool(_look.poll(0))
    finally:
        _look.unregister(fd)


def hand_over(fd: int) -> tuple[bool, bool]:
    """Yield the CPU, then (whether fd is readable, whether handing over paid: the client
    answered within a turn). (False, True) without yielding while hand-overs are paused."""
    took = yield_cpu()
    if took is None:
        return False, True
    answered = readable(fd)
    return answered, answered and took < TURN_SECONDS
