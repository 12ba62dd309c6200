"""Logging the libvirt way: levels 1-4, filters by name, outputs to stderr or a file.

log_level: 1 debug, 2 info, 3 warning, 4 error. log_filters: "3:rpc 1:server.session"
gives a level per logger whose name contains the filter's name (the longest match wins;
a leading "+" is accepted and ignored). log_outputs: "2:stderr 1:file:/var/log/v.log".
"""

from __future__ import annotations

import logging
import sys

LEVELS = {1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}
ROOT = "virtrio"


class ConfigFilter(logging.Filter):
    def __init__(self, default: int, filters: list[tuple[str, int]]) -> None:
        super().__init__()
        self.default = default
        self.filters = sorted(filters, key=lambda f: -len(f[0]))

    def filter(self, record: logging.LogRecord) -> bool:
        for name, level in self.filters:
            if name in record.name:
                return record.levelno >= level
        return record.levelno >= self.default


def parse_levelled(text: str, what: str) -> list[tuple[int, str]]:
    entries = []
    for item in text.split():
        level, _, rest = item.partition(":")
        if not level.isdigit() or int(level) not in LEVELS or not rest:
            raise ValueError(f"{what}: cannot read {item!r}; expected LEVEL:NAME with LEVEL 1-4")
        entries.append((LEVELS[int(level)], rest.lstrip("+")))
    return entries


def setup_logging(level: int, filters: str, outputs: str) -> list[str]:
    """Configure the virtrio loggers; returns warnings about outputs that cannot be used."""
    warnings = []
    logger = logging.getLogger(ROOT)
    logger.handlers.clear()
    logger.propagate = False
    config_filter = ConfigFilter(LEVELS[level], [(name, lvl) for lvl, name in parse_levelled(filters, "log_filters")])
    formatter = logging.Formatter("%(asctime)s.%(msecs)03d: %(process)d: %(levelname)s : %(name)s: %(message)s",
                                  "%Y-%m-%d %H:%M:%S")  # fmt: skip
    targets = parse_levelled(outputs, "log_outputs") or [(LEVELS[level], "stderr")]
    for output_level, target in targets:
        if target == "stderr":
            handler: logging.Handler = logging.StreamHandler(sys.stderr)
        elif target.startswith("file:"):
            handler = logging.FileHandler(target[5:])
        else:
            warnings.append(f"log output {target!r} is not supported; use stderr or file:PATH")
            continue
        handler.setLevel(output_level)
        handler.addFilter(config_filter)
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    # Below the lowest level any output and filter let through, a log call returns before
    # making a record: a debug line on the hot path costs nothing unless someone reads it.
    lowest_filtered = min([config_filter.default, *(lvl for _, lvl in config_filter.filters)])
    lowest_output = min((handler.level for handler in logger.handlers), default=logging.CRITICAL)
    logger.setLevel(max(lowest_filtered, lowest_output))
    return warnings
