"""The non-blocking socket helpers under the session: reads without the scheduler when
data is there, and the short poll after a reply."""

from __future__ import annotations

import socket
import time

import trio

from virtrio.server.socket_io import _poll_briefly, receive


def test_poll_sees_data_already_there() -> None:
    async def main() -> None:
        ours, theirs = socket.socketpair()
        with ours, theirs:
            ours.setblocking(False)
            theirs.send(b"x")
            assert _poll_briefly(ours, 0.001)
            assert await receive(ours, wait_first=True, spin_seconds=0.001) == (b"x", [])

    trio.run(main)


def test_poll_gives_up_after_its_budget() -> None:
    async def main() -> None:
        ours, theirs = socket.socketpair()
        with ours, theirs:
            ours.setblocking(False)
            started = time.perf_counter()
            assert not _poll_briefly(ours, 0.002)
            assert time.perf_counter() - started >= 0.002

    trio.run(main)


def test_poll_reports_the_end_of_the_stream() -> None:
    async def main() -> None:
        ours, theirs = socket.socketpair()
        with ours:
            ours.setblocking(False)
            theirs.close()
            assert _poll_briefly(ours, 0.001)
            assert await receive(ours, wait_first=True, spin_seconds=0.001) == (b"", [])

    trio.run(main)


def test_poll_steps_aside_when_other_tasks_wait_to_run() -> None:
    async def main() -> None:
        ours, theirs = socket.socketpair()
        with ours, theirs:
            ours.setblocking(False)
            async with trio.open_nursery() as nursery:
                nursery.start_soon(trio.sleep, 0)  # runnable, not yet run
                started = time.perf_counter()
                assert not _poll_briefly(ours, 1.0)
                assert time.perf_counter() - started < 0.5

    trio.run(main)


def test_receive_waits_for_data_that_comes_later() -> None:
    async def main() -> None:
        ours, theirs = socket.socketpair()
        with ours, theirs:
            ours.setblocking(False)
            async with trio.open_nursery() as nursery:

                async def send_later() -> None:
                    await trio.sleep(0.05)
                    theirs.send(b"late")

                nursery.start_soon(send_later)
                assert await receive(ours, wait_first=True, spin_seconds=0.0001) == (b"late", [])

    trio.run(main)
