"""Handing the CPU to a TLS client before waiting for it.

A reply (or a handshake flight) wakes the client; on a small machine the client often runs
on the daemon's CPU, and only once the daemon sleeps. sched_yield lets it run at once: its
answer is then in when the daemon looks, and is read with no pass through epoll and trio's
wait, which cost more than a TLS call's own work (per TLS connect+close on a loaded 2-core
machine: ~10% of the daemon's CPU).

A yield gives the CPU to whatever else is runnable there, though: with a busy process on
the same CPU, each one would cost the daemon that process's time slice. A yield that took
longer than a client's turn ever does pauses the hand-overs for a while, every client's.
"""

from __future__ import annotations

import os
import select
import time

# Longer than a client's turn (reading a reply and writing its next call, or working
# through our handshake flight) ever takes: someone else had the CPU.
SUSPECT_SECONDS = 0.002
PAUSE_SECONDS = 1.0

_look = select.poll()
_paused_until = 0.0


def yield_cpu() -> bool:
    """sched_yield unless hand-overs are paused; whether it yielded."""
    global _paused_until
    before = time.perf_counter()
    if before < _paused_until:
        return False
    os.sched_yield()
    after = time.perf_counter()
    if after - before > SUSPECT_SECONDS:
        _paused_until = after + PAUSE_SECONDS
    return True


def hand_over(fd: int) -> bool:
    """Yield the CPU, then whether fd is readable (from its SO_RCVLOWAT on); False without
    looking while hand-overs are paused (the caller waits as usual)."""
    if not yield_cpu():
        return False
    _look.register(fd, select.POLLIN)  # a poll object keeps its descriptors itself: no system call
    try:
        return bool(_look.poll(0))
    finally:
        _look.unregister(fd)
