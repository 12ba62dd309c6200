"""The non-blocking socket helpers under the session: reads without the scheduler when
data is there, and the short busy poll after a reply."""

from __future__ import annotations

import socket
import threading
import time

import trio

from virtrio.server.socket_io import BusyPoll, receive


def socket_pair() -> tuple[socket.socket, socket.socket]:
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    return ours, theirs


def test_data_already_there_is_read_at_once() -> None:
    async def main() -> None:
        ours, theirs = socket_pair()
        with ours, theirs:
            theirs.send(b"x")
            assert await receive(ours, wait_first=True, busy_poll=BusyPoll(ours, 0.001)) == (b"x", [])
            theirs.send(b"y")
            assert await receive(ours) == (b"y", [])

    trio.run(main)


def test_the_end_of_the_stream_reads_as_nothing() -> None:
    async def main() -> None:
        ours, theirs = socket_pair()
        with ours:
            theirs.close()
            assert await receive(ours, wait_first=True, busy_poll=BusyPoll(ours, 0.001)) == (b"", [])

    trio.run(main)


def test_data_arriving_during_the_poll_is_caught_without_sleeping() -> None:
    async def main() -> None:
        ours, theirs = socket_pair()
        with ours, theirs:
            started = threading.Event()

            def send_soon() -> None:
                started.set()
                time.sleep(0.01)
                theirs.send(b"soon")

            async with trio.open_nursery() as nursery:
                nursery.start_soon(trio.to_thread.run_sync, send_soon)
                while not started.is_set():  # the thread runs; no task is left runnable
                    await trio.sleep(0)
                await trio.sleep(0)
                sleeps.clear()
                assert await receive(ours, wait_first=True, busy_poll=BusyPoll(ours, 2.0)) == (b"soon", [])
                assert not [timeout for timeout in sleeps if timeout > 0], "receive slept in epoll"

    sleeps: list[float] = []

    class IOWaits(trio.abc.Instrument):
        def before_io_wait(self, timeout: float) -> None:
            sleeps.append(timeout)

    trio.run(main, instruments=[IOWaits()])


async def send_later(sock: socket.socket) -> None:
    await trio.sleep(0.05)
    sock.send(b"late")


def test_receive_sleeps_for_data_that_comes_after_the_poll() -> None:
    async def main() -> None:
        ours, theirs = socket_pair()
        with ours, theirs:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(send_later, theirs)
                started = time.perf_counter()
                assert await receive(ours, wait_first=True, busy_poll=BusyPoll(ours, 0.0001)) == (b"late", [])
                assert time.perf_counter() - started >= 0.04

    trio.run(main)


def test_no_poll_while_other_tasks_wait_to_run() -> None:
    async def main() -> None:
        ours, theirs = socket_pair()
        with ours, theirs:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(send_later, theirs)
                nursery.start_soon(trio.sleep, 0)  # runnable when receive starts
                started = time.perf_counter()
                # a 5 s poll would keep send_later from running at all: it must sleep instead
                assert await receive(ours, wait_first=True, busy_poll=BusyPoll(ours, 5.0)) == (b"late", [])
                assert time.perf_counter() - started < 2.0

    trio.run(main)
