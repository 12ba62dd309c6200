"""Clients that have connected but not said anything yet cost no task.

Until its first byte arrives, a client's socket waits in one epoll set that a single
task watches; its session task starts when the socket becomes readable (or closes).
This keeps thousands of silent connections cheap.
"""

from __future__ import annotations

import select
from collections.abc import Callable
from typing import TYPE_CHECKING

import trio

if TYPE_CHECKING:
    from .session import ClientSession


class QuietClients:
    def __init__(self, start: Callable[[ClientSession], None]) -> None:
        self._start = start
        self._epoll = select.epoll()
        self._waiting: dict[int, ClientSession] = {}

    def add(self, session: ClientSession) -> None:
        fd = session.sock.fileno()
        self._epoll.register(fd, select.EPOLLIN | select.EPOLLRDHUP)
        self._waiting[fd] = session

    def waiting(self) -> list[ClientSession]:
        return list(self._waiting.values())

    async def run(self) -> None:
        try:
            while True:
                await trio.lowlevel.wait_readable(self._epoll.fileno())
                for fd, _events in self._epoll.poll(0):
                    session = self._waiting.pop(fd, None)
                    self._epoll.unregister(fd)
                    if session is not None:
                        self._start(session)
        finally:
            trio.lowlevel.notify_closing(self._epoll.fileno())
            self._epoll.close()
            for session in self._waiting.values():
                session.sock.close()
            self._waiting.clear()
