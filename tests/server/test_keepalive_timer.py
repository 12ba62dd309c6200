"""The daemon's one keepalive task: pings when a client is silent, never when it speaks,
drops it after keepalive_count unanswered pings, and forgets clients that went away."""

from __future__ import annotations

import itertools
import time

import trio

from virtrio.rpc import keepalive
from virtrio.server.keepalive_timer import KeepaliveTimer

_ids = itertools.count(1)


class FakeSession:
    def __init__(self, interval: float, count: int) -> None:
        self.id = next(_ids)
        self.keepalive = keepalive.KeepaliveSchedule(interval, count)
        self.events: list[str] = []

    def send_nowait(self, data: bytes) -> None:
        assert data == keepalive.PING_PACKET
        self.events.append("ping")

    def disconnect(self, reason: str) -> None:
        self.events.append(f"close: {reason}")


def run_with_timer(body) -> None:  # type: ignore[no-untyped-def]
    async def main() -> None:
        timer = KeepaliveTimer()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(timer.run)
            await body(timer)
            nursery.cancel_scope.cancel()

    trio.run(main)


async def wait_for(condition, seconds: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    with trio.fail_after(seconds):
        while not condition():
            await trio.sleep(0.005)


def test_a_silent_client_is_pinged_then_dropped() -> None:
    silent = FakeSession(interval=0.05, count=2)

    async def body(timer: KeepaliveTimer) -> None:
        silent.keepalive.start(time.perf_counter())
        timer.watch(silent)
        await wait_for(lambda: len(silent.events) == 3)
        await trio.sleep(0.2)  # nothing more once dropped

    run_with_timer(body)
    assert silent.events == ["ping", "ping", "close: no answer to keepalive pings"]


def test_a_client_that_speaks_is_never_pinged() -> None:
    talker = FakeSession(interval=0.1, count=1)

    async def body(timer: KeepaliveTimer) -> None:
        talker.keepalive.start(time.perf_counter())
        timer.watch(talker)
        for _ in range(40):  # 0.4 s: four intervals of a client speaking every 10 ms
            talker.keepalive.received(time.perf_counter())
            await trio.sleep(0.01)
        assert talker.events == []
        await wait_for(lambda: talker.events[:1] == ["ping"])  # silent now: pinged after all

    run_with_timer(body)


def test_a_forgotten_client_is_let_go_and_never_pinged() -> None:
    gone = FakeSession(interval=0.05, count=1)

    async def body(timer: KeepaliveTimer) -> None:
        gone.keepalive.start(time.perf_counter())
        timer.watch(gone)
        timer.forget(gone)
        assert all(entry[2] is not gone for entry in timer._heap)
        await trio.sleep(0.3)

    run_with_timer(body)
    assert gone.events == []


def test_a_nearer_deadline_wakes_the_timer_early() -> None:
    patient = FakeSession(interval=30, count=1)
    hasty = FakeSession(interval=0.05, count=1)

    async def body(timer: KeepaliveTimer) -> None:
        patient.keepalive.start(time.perf_counter())
        timer.watch(patient)
        await trio.sleep(0.05)  # the timer now sleeps toward patient's deadline
        hasty.keepalive.start(time.perf_counter())
        timer.watch(hasty)
        await wait_for(lambda: hasty.events[:1] == ["ping"], seconds=5)

    run_with_timer(body)
    assert patient.events == []
