"""Logging the libvirt way: levels 1-4, filters by name, outputs to stderr, a file, syslog or
journald; changeable while the daemon runs (virt-admin daemon-log-filters/-outputs, SIGHUP).

log_level: 1 debug, 2 info, 3 warning, 4 error. log_filters: "3:rpc 1:server.session"
gives a level per logger whose name contains the filter's name (a glob, kept as "*rpc*";
the first filter that matches wins; a leading "+" is accepted and dropped, as libvirt does). log_outputs, as libvirt's:
"2:stderr 1:file:/var/log/v.log 3:syslog:virtrio 1:journald". Bad text is refused with
libvirt's own messages (LogSpecError), before anything changes.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import re
import socket
import struct
import sys

from virtrio.rpc.records import FrozenRecord, Record

LEVELS = {1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}
ROOT = "virtrio"
JOURNAL_SOCKET = "/run/systemd/journal/socket"
SYSLOG_SOCKET = "/dev/log"


class Destination(enum.StrEnum):
    """Where a log output goes (a str: an output's text shows the value)."""

    STDERR = "stderr"
    JOURNALD = "journald"
    FILE = "file"
    SYSLOG = "syslog"


# How many ':'-separated parts each destination takes, as libvirt's parser counts them.
PARTS = {Destination.STDERR: 2, Destination.JOURNALD: 2, Destination.FILE: 3, Destination.SYSLOG: 3}


class LogSpecError(ValueError):
    """A log_outputs or log_filters text libvirt would refuse (VIR_ERR_INVALID_ARG)."""


class LogFileError(OSError):
    """A file output that cannot be opened (libvirt: a system error, "failed to open PATH")."""


class Output(FrozenRecord):
    _fields = ("level", "destination", "data")
    __slots__ = _fields
    level: int  # 1-4
    destination: Destination
    data: str

    def __init__(self, level: int, destination: Destination, data: str = "") -> None:
        object.__setattr__(self, "level", level)
        object.__setattr__(self, "destination", destination)
        object.__setattr__(self, "data", data)

    def text(self) -> str:
        return f"{self.level}:{self.destination}:{self.data}" if self.data else f"{self.level}:{self.destination}"


def parse_outputs(text: str) -> list[Output]:
    outputs = []
    for item in text.split():
        parts = item.split(":")
        if len(parts) < 2:
            raise LogSpecError(f"Malformed format for log output '{item}'")
        if not parts[0].isdigit() or not 1 <= int(parts[0]) <= 4:
            raise LogSpecError(f"Invalid log priority '{parts[0]}' for log output '{item}'")
        if parts[1] not in PARTS:
            raise LogSpecError(f"Invalid log destination '{parts[1]}' for log output '{item}'")
        destination = Destination(parts[1])
        if len(parts) != PARTS[destination]:
            raise LogSpecError(
                f"Log output '{item}' does not meet the format requirements for destination type '{parts[1]}'"
            )
        data = parts[2] if len(parts) == 3 else ""
        if destination is Destination.FILE:
            data = os.path.abspath(data)
        outputs.append(Output(int(parts[0]), destination, data))
    return outputs


def parse_filters(text: str) -> list[tuple[int, str]]:
    filters = []
    for item in text.split():
        parts = item.split(":")
        if len(parts) < 2:
            raise LogSpecError(f"Malformed format for filter '{item}'")
        if not parts[0].isdigit() or not 1 <= int(parts[0]) <= 4:
            raise LogSpecError(f"Invalid priority '{parts[0]}' for filter '{item}'")
        match = parts[1][1:] if parts[1].startswith("+") else parts[1]
        if not match:
            raise LogSpecError(f"Invalid match string '{parts[1]}'")
        # libvirt keeps "foo" as the glob "*foo*" and shows it that way.
        filters.append((int(parts[0]), f"*{match}*"))
    return filters


class ConfigFilter(logging.Filter):
    """A level per glob on the logger's name; the first filter that matches decides (libvirt's rule)."""

    def __init__(self, default: int, filters: list[tuple[str, int]]) -> None:
        super().__init__()
        self.default = default
        # GLib's simple patterns: only "*" and "?" are special.
        self.filters = [
            (re.compile(re.escape(p).replace(r"\*", ".*").replace(r"\?", "."), re.S), lvl) for p, lvl in filters
        ]

    def filter(self, record: logging.LogRecord) -> bool:
        for pattern, level in self.filters:
            if pattern.fullmatch(record.name):
                return record.levelno >= level
        return record.levelno >= self.default


class JournalHandler(logging.Handler):
    """journald's native protocol: one datagram of KEY=value fields per record."""

    PRIORITIES = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.path = path or JOURNAL_SOCKET
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.setblocking(False)  # a stalled journal drops lines; it never stalls the daemon

    @staticmethod
    def field(name: str, value: str) -> bytes:
        data = value.encode("utf-8", "replace")
        if b"\n" in data:  # the binary form: name, newline, 64-bit little-endian length, bytes
            return name.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"
        return name.encode() + b"=" + data + b"\n"

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + logging.Formatter().formatException(record.exc_info)
            packet = b"".join(
                [
                    self.field("MESSAGE", message[:48000]),
                    self.field("PRIORITY", str(self.PRIORITIES.get(record.levelno, 6))),
                    self.field("SYSLOG_IDENTIFIER", "virtrio"),
                    self.field("CODE_FILE", record.pathname),
                    self.field("CODE_LINE", str(record.lineno)),
                    self.field("CODE_FUNC", record.funcName),
                    self.field("VIRTRIO_LOGGER", record.name),
                ]
            )
            self.socket.sendto(packet, self.path)
        except OSError:
            pass  # journald gone or busy: libvirt drops the line too

    def close(self) -> None:
        self.socket.close()
        super().close()


FORMAT = logging.Formatter(
    "%(asctime)s.%(msecs)03d: %(process)d: %(levelname)s : %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S"
)


def _handler(output: Output) -> logging.Handler:
    if output.destination is Destination.STDERR:
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(FORMAT)
    elif output.destination is Destination.FILE:
        handler = logging.FileHandler(output.data)
        handler.setFormatter(FORMAT)
    elif output.destination is Destination.SYSLOG:
        from logging.handlers import SysLogHandler  # only for syslog: ~3 ms of every start otherwise

        class SyslogHandler(SysLogHandler):
            def handleError(self, record: logging.LogRecord) -> None:
                """No syslog listening: the line is dropped, as libvirt's syslog() drops it."""

        handler = SyslogHandler(SYSLOG_SOCKET, facility=SysLogHandler.LOG_DAEMON)
        handler.ident = f"{output.data}[{os.getpid()}]: "
        handler.setFormatter(logging.Formatter("%(levelname)s : %(name)s: %(message)s"))
    else:
        handler = JournalHandler()
    handler.setLevel(LEVELS[output.level])
    return handler


class LogState(Record):
    _fields = ("level", "filters", "outputs")

    def __init__(
        self, level: int = 3, filters: tuple[tuple[int, str], ...] = (), outputs: tuple[Output, ...] = ()
    ) -> None:
        self.level = level
        self.filters = filters
        self.outputs = outputs  # empty: the default, level:stderr

    def outputs_text(self) -> str:
        return " ".join(o.text() for o in self.effective_outputs())

    def filters_text(self) -> str:
        return "".join(f"{level}:{pattern} " for level, pattern in self.filters)  # libvirt's trailing space

    def effective_outputs(self) -> tuple[Output, ...]:
        return self.outputs or (Output(self.level, Destination.STDERR),)


current = LogState()


def configure(level: int | None = None, filters: str | None = None, outputs: str | None = None) -> list[str]:
    """Change what is given (None keeps it): parse all first, so a bad text changes nothing.

    Raises LogSpecError for text libvirt would refuse and LogFileError for a file that cannot
    be opened; returns warnings about syslog or journald outputs that cannot deliver now
    (kept or left out: libvirt opens both without checking)."""
    new_level = current.level if level is None else level
    new_filters = current.filters if filters is None else tuple(parse_filters(filters))
    new_outputs = current.outputs if outputs is None else tuple(parse_outputs(outputs))
    warnings = []
    handlers = []
    chosen = new_outputs or (Output(new_level, Destination.STDERR),)
    for output in chosen:
        try:
            handlers.append(_handler(output))
        except OSError as error:
            if output.destination is Destination.FILE:
                for handler in handlers:
                    handler.close()
                raise LogFileError(f"failed to open {output.data}: {error.strerror}") from None
            warnings.append(f"log output '{output.text()}' cannot be used: {error.strerror or error}")
            continue
        if output.destination is Destination.JOURNALD and not os.path.exists(JOURNAL_SOCKET):
            warnings.append(f"log output '{output.text()}': {JOURNAL_SOCKET} does not exist; lines are dropped")
    config_filter = ConfigFilter(LEVELS[new_level], [(name, LEVELS[lvl]) for lvl, name in new_filters])
    logger = logging.getLogger(ROOT)
    old = list(logger.handlers)
    logger.handlers.clear()
    logger.propagate = False
    for handler in handlers:
        handler.addFilter(config_filter)
        logger.addHandler(handler)
    for handler in old:
        with contextlib.suppress(Exception):
            handler.close()
    # Below the lowest level any output and filter let through, a log call returns before
    # making a record: a debug line on the hot path costs nothing unless someone reads it.
    lowest_filtered = min([config_filter.default, *(lvl for _, lvl in config_filter.filters)])
    lowest_output = min((handler.level for handler in logger.handlers), default=logging.CRITICAL)
    logger.setLevel(max(lowest_filtered, lowest_output))
    current.level, current.filters, current.outputs = new_level, new_filters, new_outputs
    return warnings


def setup_logging(level: int, filters: str, outputs: str) -> list[str]:
    """Configure the virtrio loggers at start; returns warnings about outputs that cannot be used."""
    return configure(level, filters, outputs)
