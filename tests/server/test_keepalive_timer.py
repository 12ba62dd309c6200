"""The daemon's one keepalive task: pings when a client is silent, never when it speaks,
drops it after keepalive_count unanswered pings, and forgets clients that went away.

Run on trio's MockClock (virtual time that jumps whenever every task waits), so the exact
moment of each ping is checked and no test sleeps for real."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable

import trio
import trio.testing

from virtrio.rpc import keepalive
from virtrio.server.keepalive_timer import KeepaliveTimer

_ids = itertools.count(1)


class FakeSession:
    def __init__(self, interval: float, count: int) -> None:
        self.id = next(_ids)
        self.keepalive = keepalive.KeepaliveSchedule(interval, count)
        self.events: list[tuple[float, str]] = []  # (virtual time, what happened)

    def send_nowait(self, data: bytes) -> None:
        assert data == keepalive.PING_PACKET
        self.events.append((trio.current_time(), "ping"))

    def disconnect(self, reason: str) -> None:
        self.events.append((trio.current_time(), f"close: {reason}"))


def run_with_timer(body: Callable[[KeepaliveTimer], Awaitable[None]]) -> None:
    async def main() -> None:
        timer = KeepaliveTimer(clock=trio.current_time)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(timer.run)
            await body(timer)
            nursery.cancel_scope.cancel()

    trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))


def test_a_silent_client_is_pinged_then_dropped() -> None:
    silent = FakeSession(interval=5, count=2)

    async def body(timer: KeepaliveTimer) -> None:
        silent.keepalive.start(trio.current_time())
        timer.watch(silent)
        await trio.sleep(60)  # nothing more once dropped

    run_with_timer(body)
    assert silent.events == [(5, "ping"), (10, "ping"), (15, "close: no answer to keepalive pings")]


def test_a_client_that_speaks_is_never_pinged() -> None:
    talker = FakeSession(interval=10, count=1)

    async def body(timer: KeepaliveTimer) -> None:
        talker.keepalive.start(trio.current_time())
        timer.watch(talker)
        for _ in range(40):  # 40 s: four intervals of a client speaking every second
            await trio.sleep(1)
            talker.keepalive.received(trio.current_time())
        assert talker.events == []
        await trio.sleep(30)  # silent from 40 s on: pinged at 50 s, dropped at 60 s

    run_with_timer(body)
    assert talker.events == [(50, "ping"), (60, "close: no answer to keepalive pings")]


def test_a_forgotten_client_is_let_go_and_never_pinged() -> None:
    gone = FakeSession(interval=5, count=1)

    async def body(timer: KeepaliveTimer) -> None:
        gone.keepalive.start(trio.current_time())
        timer.watch(gone)
        timer.forget(gone)
        assert all(entry[2] is not gone for entry in timer._heap)
        await trio.sleep(30)

    run_with_timer(body)
    assert gone.events == []


def test_a_nearer_deadline_wakes_the_timer_early() -> None:
    patient = FakeSession(interval=300, count=1)
    hasty = FakeSession(interval=5, count=1)

    async def body(timer: KeepaliveTimer) -> None:
        patient.keepalive.start(trio.current_time())
        timer.watch(patient)
        await trio.sleep(1)  # the timer now sleeps toward patient's deadline at 300 s
        hasty.keepalive.start(trio.current_time())
        timer.watch(hasty)
        await trio.sleep(20)  # past 11 s: a wake-up at the same instant may run in either order

    run_with_timer(body)
    assert hasty.events == [(6, "ping"), (11, "close: no answer to keepalive pings")]
    assert patient.events == []
