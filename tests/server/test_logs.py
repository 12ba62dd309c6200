"""Log levels, filters and outputs: what is written, and what is never even formatted."""

from __future__ import annotations

import logging
import os
import socket
import struct
from pathlib import Path

import pytest

from virtrio.server import logs
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


def _datagram_socket(path: str) -> socket.socket:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    server.settimeout(5)
    return server


def _journal_fields(packet: bytes) -> dict[str, str]:
    """Read journald's native protocol: NAME=value lines, or NAME, newline, u64 length, bytes."""
    fields, position = {}, 0
    while position < len(packet):
        line_end = packet.index(b"\n", position)
        line = packet[position:line_end]
        if b"=" in line:
            name, _, value = line.partition(b"=")
            position = line_end + 1
        else:
            name = line
            (size,) = struct.unpack("<Q", packet[line_end + 1 : line_end + 9])
            value = packet[line_end + 9 : line_end + 9 + size]
            assert packet[line_end + 9 + size : line_end + 10 + size] == b"\n"
            position = line_end + 10 + size
        fields[name.decode()] = value.decode()
    return fields


def test_journald_output_speaks_the_native_protocol(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(tmp_path / "journal.sock")
    monkeypatch.setattr(logs, "JOURNAL_SOCKET", path)
    journal = _datagram_socket(path)
    try:
        assert setup_logging(3, "1:virtrio.server", "1:journald") == []
        logging.getLogger("virtrio.server.session").info("first line\nsecond line")
        fields = _journal_fields(journal.recv(65536))
        assert fields["MESSAGE"] == "first line\nsecond line"
        assert fields["PRIORITY"] == "6" and fields["SYSLOG_IDENTIFIER"] == "virtrio"
        logging.getLogger("virtrio.server.session").error("plain")
        fields = _journal_fields(journal.recv(65536))
        assert fields["MESSAGE"] == "plain" and fields["PRIORITY"] == "3"
    finally:
        journal.close()
        setup_logging(3, "", "")


def test_syslog_output_tags_lines_with_the_given_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(tmp_path / "log.sock")
    monkeypatch.setattr(logs, "SYSLOG_SOCKET", path)
    syslog = _datagram_socket(path)
    try:
        setup_logging(3, "", "3:syslog:mydaemon")
        logging.getLogger("virtrio.server.daemon").warning("disk full")
        line = syslog.recv(65536).decode()
        # <facility daemon (3) * 8 + warning (4)>, then the tag libvirt's openlog gives.
        assert line.startswith(f"<28>mydaemon[{os.getpid()}]: ") and "disk full" in line
    finally:
        syslog.close()
        setup_logging(3, "", "")


def test_bad_output_and_filter_texts_are_refused_with_libvirts_messages(tmp_path: Path) -> None:
    with pytest.raises(logs.LogSpecError, match="Invalid log destination 'journal' for log output '1:journal'"):
        setup_logging(3, "", "1:journal")
    with pytest.raises(logs.LogFileError, match=r"failed to open /nonexistent/x\.log"):
        setup_logging(3, "", "1:file:/nonexistent/x.log")
    # Nothing changed by a refused text.
    assert logs.current.outputs_text() == "3:stderr"
    setup_logging(3, "", f"1:file:{tmp_path}/ok.log 2:stderr")
    assert logs.current.outputs_text() == f"1:file:{tmp_path}/ok.log 2:stderr"
    setup_logging(3, "", "")
