"""The TLS hand-over's guard: a yield that gave someone else the CPU pauses hand-overs."""

from __future__ import annotations

import socket

import pytest

from virtrio.server import tls_handover


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.yields = 0
        self.yield_takes = 0.0

    def perf_counter(self) -> float:
        return self.now

    def sched_yield(self) -> None:
        self.yields += 1
        self.now += self.yield_takes


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(tls_handover.time, "perf_counter", clock.perf_counter)
    monkeypatch.setattr(tls_handover.os, "sched_yield", clock.sched_yield)
    monkeypatch.setattr(tls_handover, "_paused_until", 0.0)
    return clock


def test_hand_over_says_whether_the_client_answered_and_whether_it_paid(clock: Clock) -> None:
    daemon_side, client_side = socket.socketpair()
    with daemon_side, client_side:
        assert tls_handover.hand_over(daemon_side.fileno()) == (False, False)  # the client runs elsewhere
        client_side.send(b"call")
        assert tls_handover.hand_over(daemon_side.fileno()) == (True, True)
        clock.yield_takes = tls_handover.TURN_SECONDS * 2  # longer than a client's turn: no longer worth it
        assert tls_handover.hand_over(daemon_side.fileno()) == (True, False)
        assert clock.yields == 3
        clock.yield_takes = 0.0
        assert tls_handover.hand_over(daemon_side.fileno()) == (True, True)  # nothing paused


def test_a_long_yield_pauses_hand_overs_for_a_while(clock: Clock) -> None:
    daemon_side, client_side = socket.socketpair()
    with daemon_side, client_side:
        client_side.send(b"call")
        clock.yield_takes = tls_handover.SUSPECT_SECONDS * 2  # a busy process had the CPU
        assert tls_handover.hand_over(daemon_side.fileno()) == (True, False)
        assert clock.yields == 1
        # paused: no yield, and the caller waits as usual even with data there
        assert tls_handover.hand_over(daemon_side.fileno()) == (False, True)
        assert tls_handover.yield_cpu() is None
        assert clock.yields == 1
        clock.now += tls_handover.PAUSE_SECONDS
        clock.yield_takes = 0.0
        assert tls_handover.hand_over(daemon_side.fileno()) == (True, True)
        assert clock.yields == 2
