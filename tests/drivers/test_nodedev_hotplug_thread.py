"""The node device driver's in-process hotplug (no enumeration helper, as with daemon -d):
making a change's record reads sysfs, so the monitor is drained in a worker thread, never on
the event loop's thread."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import trio

from virtrio.drivers.nodedev.driver import NodeDeviceDriver
from virtrio.drivers.nodedev.sources import DeviceChange, DeviceRecord


class Monitor:
    def __init__(self) -> None:
        self.ours, self.kernel = socket.socketpair()
        self.ours.setblocking(False)

    def fileno(self) -> int:
        return self.ours.fileno()


class Source:
    """A source whose changes() notes the thread it ran on, as a real one reads sysfs there."""

    kernel_events = False

    def __init__(self) -> None:
        self.made_on: list[threading.Thread] = []
        self.monitor_ = Monitor()

    def enumerate(self, keep: object = None, subsystems: object = ()) -> list[DeviceRecord]:
        return []

    def monitor(self) -> Monitor:
        return self.monitor_

    def changes(self, monitor: Monitor) -> Iterator[DeviceChange]:
        while True:
            try:
                monitor.ours.recv(1)
            except BlockingIOError:
                return
            self.made_on.append(threading.current_thread())
            yield DeviceChange("add", DeviceRecord("/sys/devices/virtual/misc/x", "misc", "x", None))


def test_hotplug_records_are_made_off_the_event_loop() -> None:
    source = Source()
    driver = NodeDeviceDriver("udev")
    driver._source = lambda: source  # type: ignore[method-assign]

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(driver.run)
            with trio.fail_after(10):
                await driver.gate.wait()
                source.monitor_.kernel.send(b"ab")  # two uevents ready
                while len(source.made_on) < 2:
                    await trio.sleep(0.01)
            nursery.cancel_scope.cancel()

    trio.run(main)
    loop_thread = threading.main_thread()
    assert len(source.made_on) == 2
    assert all(thread is not loop_thread for thread in source.made_on)
