from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .daemon_process import DaemonProcess, start_daemon


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DaemonProcess]:
    process = start_daemon(tmp_path / "run")
    yield process
    code = process.stop()
    assert code == 0, process.log()
    assert not process.rw.exists(), "socket files must be removed on shutdown"


@pytest.fixture(scope="module")
def shared_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    """One daemon for tests that only read, to keep the suite fast."""
    process = start_daemon(tmp_path_factory.mktemp("shared") / "run")
    yield process
    assert process.stop() == 0, process.log()
