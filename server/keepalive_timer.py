"""One task that pings every client whose keepalive started, instead of a task per client.

A task per client made every keepalive client's end cost a cancellation through trio's
scheduler (a few hundred microseconds per virsh run). Here a heap holds each watched
client's next deadline; the task sleeps until the earliest. A deadline in the heap may
be stale (the client spoke since): the schedule itself says, when it comes up, whether
anything is due, and the client goes back in with its real deadline. Times are
time.perf_counter() seconds, the clock the sessions give their KeepaliveSchedule (tests
pass trio.current_time instead, to run on trio's MockClock).
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import trio

from virtrio.rpc import keepalive

if TYPE_CHECKING:
    from .session import ClientSession

_Entry = list[Any]  # [deadline, order, session]: the session emptied when the client goes away


class KeepaliveTimer:
    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._heap: list[_Entry] = []
        self._entries: dict[int, _Entry] = {}  # session id -> its entry in the heap
        self._order = itertools.count()
        self._sleeping_until: float | None = None
        self._sooner = trio.Event()

    def watch(self, session: ClientSession) -> None:
        """Ping this client from now on (its schedule has started)."""
        deadline = session.keepalive.deadline()
        if deadline is not None:
            self._push(deadline, session)

    def forget(self, session: ClientSession) -> None:
        entry = self._entries.pop(session.id, None)
        if entry is not None:
            entry[2] = None  # the heap lets go of the session; the entry is dropped when it comes up

    def _push(self, deadline: float, session: ClientSession) -> None:
        entry: _Entry = [deadline, next(self._order), session]
        self._entries[session.id] = entry
        heapq.heappush(self._heap, entry)
        if self._sleeping_until is None or deadline < self._sleeping_until:
            self._sooner.set()

    def _run_due(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            _, _, session = heapq.heappop(self._heap)
            if session is None:
                continue
            del self._entries[session.id]
            action = session.keepalive.tick(now)
            if action is keepalive.KeepaliveAction.PING:
                session.send_nowait(keepalive.PING_PACKET)
            elif action is keepalive.KeepaliveAction.CLOSE:
                session.disconnect("no answer to keepalive pings")
                continue
            deadline = session.keepalive.deadline()
            if deadline is not None:
                self._push(deadline, session)

    async def run(self) -> None:
        while True:
            self._run_due(self._clock())
            self._sooner = trio.Event()
            if self._heap:
                self._sleeping_until = self._heap[0][0]
                delay = max(0.0, self._sleeping_until - self._clock())
                with trio.move_on_after(delay):
                    await self._sooner.wait()
            else:
                self._sleeping_until = None
                await self._sooner.wait()
