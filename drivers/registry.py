"""The drivers a daemon serves, by URI."""

from __future__ import annotations

from virtrio.server.config import Config

from .base import Driver
from .nodedev.driver import NodeDeviceDriver
from .test.driver import TestDriver


def default_drivers(config: Config) -> list[Driver]:
    return [
        TestDriver(persistent_default=config.test_default_persistent),
        NodeDeviceDriver(config.nodedev_source, config.nodedev_enumeration_delay, config.nodedev_wait_timeout),
    ]
