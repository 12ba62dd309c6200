"""Log levels, filters and outputs: what is written, and what is never even formatted."""

from __future__ import annotations

import logging

import pytest

from virtrio.server.logs import setup_logging


def test_default_level_writes_warnings_and_skips_the_rest_before_making_records(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging(3, "", "")
    session_log = logging.getLogger("virtrio.server.session")
    assert not session_log.isEnabledFor(logging.INFO)  # no record is made for info or debug
    session_log.info("client 1 connected")
    session_log.warning("client 1: dropped")
    err = capsys.readouterr().err
    assert "client 1: dropped" in err and "connected" not in err


def test_a_filter_lets_one_logger_speak_lower_than_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(3, "3:rpc 1:virtrio.server", "1:stderr")
    logging.getLogger("virtrio.server.session").debug("session detail")
    logging.getLogger("virtrio.drivers.test").info("driver detail")
    err = capsys.readouterr().err
    assert "session detail" in err and "driver detail" not in err


def test_an_output_level_above_the_filters_bounds_what_is_made(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(2, "1:virtrio.server", "3:stderr")
    session_log = logging.getLogger("virtrio.server.session")
    assert not session_log.isEnabledFor(logging.INFO)
    session_log.warning("kept")
    assert "kept" in capsys.readouterr().err
