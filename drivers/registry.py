"""The drivers a daemon serves, by URI."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol
from urllib.parse import urlsplit

from .base import ConnectionContext, Driver, DriverConnection
from .nodedev.driver import NodeDeviceDriver


class DriverSettings(Protocol):
    """What the drivers read from the daemon's settings; the server's Config has these
    fields, and naming them here keeps the drivers from importing the server."""

    @property
    def test_default_persistent(self) -> bool: ...
    @property
    def test_node_file_dirs(self) -> Sequence[str]: ...
    @property
    def nodedev_source(self) -> str: ...
    @property
    def nodedev_enumeration_delay(self) -> float: ...
    @property
    def nodedev_wait_timeout(self) -> float: ...


class LoadedOnFirstUse:
    """A driver whose modules are imported when a URI first needs it: a socket-activated
    daemon asked only for node devices answers sooner without the test driver loaded."""

    def __init__(self, name: str, scheme: str, load: Callable[[], Driver]) -> None:
        self.name = name
        self.scheme = scheme
        self._load = load
        self._driver: Driver | None = None

    def accepts(self, uri: str) -> bool:
        return urlsplit(uri).scheme == self.scheme

    def _loaded(self) -> Driver:
        if self._driver is None:
            self._driver = self._load()
        return self._driver

    def prepare(self, context: ConnectionContext) -> Callable[[], object] | None:
        return self._loaded().prepare(context)

    def open(self, context: ConnectionContext, prepared: object = None) -> DriverConnection:
        return self._loaded().open(context, prepared)


def default_drivers(config: DriverSettings) -> list[Driver]:
    def test_driver() -> Driver:
        from .test.driver import TestDriver

        return TestDriver(config.test_default_persistent, list(config.test_node_file_dirs))

    return [
        LoadedOnFirstUse("test", "test", test_driver),
        NodeDeviceDriver(config.nodedev_source, config.nodedev_enumeration_delay, config.nodedev_wait_timeout),
    ]
