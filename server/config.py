"""Daemon settings, and reading them from a file in libvirtd.conf syntax.

The syntax is libvirt's: ``key = value`` per line, where a value is a number, a string in
single or double quotes, or a list of strings in brackets (which may span lines);
``#`` starts a comment. Keys that do not apply to virtrio are warned about and ignored;
a value of the wrong kind is an error naming the key and its line.
"""

from __future__ import annotations

import grp
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    pass


class Config:
    """The daemon's settings: libvirtd.conf's keys that apply, with libvirtd's defaults.

    A plain class, not a dataclass: making a 50-field dataclass costs ~2 ms of every start.
    The annotated names below are the settings (``CONFIG_KEYS``); ``Config(key=value, ...)``
    overrides defaults; the list settings get a fresh list per instance."""

    unix_sock_dir: str | None = None
    # The group the three sockets get (a name or a number), as libvirtd's unix_sock_group.
    unix_sock_group: str | None = None
    unix_sock_ro_perms: int = 0o777
    unix_sock_rw_perms: int = 0o700
    unix_sock_admin_perms: int = 0o700
    max_clients: int = 5000
    max_anonymous_clients: int = 20
    max_client_requests: int = 5
    min_workers: int = 5
    max_workers: int = 20
    prio_workers: int = 5
    admin_min_workers: int = 5
    admin_max_workers: int = 20
    admin_max_clients: int = 5000
    keepalive_interval: int = 5
    keepalive_count: int = 5
    admin_keepalive_interval: int = 5
    admin_keepalive_count: int = 5
    log_level: int = 3
    log_filters: str = ""
    log_outputs: str = ""
    # TCP and TLS listeners, as libvirtd's keys (used with --listen; ports are strings there too)
    listen_tls: bool = True
    listen_tcp: bool = False
    listen_addr: str = ""
    tls_port: str = "16514"
    tcp_port: str = "16509"
    auth_tcp: str = "sasl"
    auth_tls: str = "none"
    key_file: str = ""
    cert_file: str = ""
    ca_file: str = ""
    crl_file: str = ""
    tls_no_verify_certificate: bool = False
    tls_allowed_dn_list: list[str]
    # virtrio's: seconds a TLS client has to finish its handshake before it is dropped
    tls_handshake_timeout: int = 20
    # SASL (SCRAM-SHA-256): per socket "none" or "sasl"; the password file (virtrio sasl-passwd)
    auth_unix_rw: str = "none"
    auth_unix_ro: str = "none"
    sasl_allowed_username_list: list[str]
    sasl_passwd_file: str = ""
    # virtrio's: seconds from SASL_INIT to a finished exchange before the client is dropped
    sasl_auth_timeout: int = 30
    # virtrio's own keys
    default_uri: str = "test:///default"
    # Keep test:///default's state for the daemon's whole life instead of resetting it
    # when its last connection closes (scripts of several virsh calls want this).
    test_default_persistent: bool = False
    # Folders test:///path node files (and the files they name) may come from; empty: any
    # file the daemon's user can read, as libvirtd. A daemon run as root for others wants a
    # list: a node file's errors quote its lines, so any readable file could be shown.
    test_node_file_dirs: list[str]
    # Node devices: "udev" (the host) or "synthetic:/path/tree.json" (a recorded tree).
    nodedev_source: str = "udev"
    # How long node-device calls wait for enumeration before they fail with an error.
    nodedev_wait_timeout: int = 30
    # Debug: slow enumeration down by this many seconds, to hold the start-up race open.
    nodedev_enumeration_delay: int = 0
    # Bytes that may wait to be sent to one client before it is disconnected (events pile
    # up for a client that does not read; replies and stream data wait instead).
    max_client_queue_bytes: int = 64 << 20
    # After answering a client that calls back to back, poll its socket this many
    # microseconds before parking on epoll (only while no other task waits to run):
    # saves the scheduler round trip per call. 0 turns it off.
    busy_poll_us: int = 50
    # Make chosen procedures fail or wait (see server/faults.py for the rule syntax).
    fault_rules: list[str]
    warnings: list[str]

    def __init__(self, **values: Any) -> None:
        self.tls_allowed_dn_list = []
        self.sasl_allowed_username_list = []
        self.test_node_file_dirs = []
        self.fault_rules = []
        self.warnings = []
        for key, value in values.items():
            if key not in _KEY_SET:
                raise TypeError(f"Config() got an unexpected keyword argument {key!r}")
            setattr(self, key, value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Config):
            return NotImplemented
        return all(getattr(self, key) == getattr(other, key) for key in CONFIG_KEYS)

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable (as the dataclass was)

    def __repr__(self) -> str:
        return f"Config({', '.join(f'{key}={getattr(self, key)!r}' for key in CONFIG_KEYS)})"


# The settings' names in their order of definition (what dataclasses.fields() gave before).
CONFIG_KEYS: tuple[str, ...] = tuple(Config.__annotations__)
_KEY_SET = frozenset(CONFIG_KEYS)

PERMISSION_KEYS = {"unix_sock_ro_perms", "unix_sock_rw_perms", "unix_sock_admin_perms"}
# libvirtd keys virtrio reads but has nothing to configure with.
ACCEPTED_DEFAULTS: dict[str, str] = {}
# The rest of libvirtd.conf's keys: read, named in a warning, and ignored, with the reason.
LIBVIRTD_IGNORED = {
    "keepalive_required": "no longer used by libvirtd either",
    "admin_keepalive_required": "no longer used by libvirtd either",
    "max_queued_clients": "the listen backlog is fixed (1000)",
    "admin_max_queued_clients": "the listen backlog is fixed (1000)",
    "admin_max_client_requests": "admin calls are answered at once, one connection at a time",
    "audit_level": "virtrio writes no audit records",
    "audit_logging": "virtrio writes no audit records",
    "access_drivers": "virtrio has no access control drivers (polkit); use socket permissions",
    "host_uuid": "the test hypervisor reports its own host",
    "host_uuid_source": "the test hypervisor reports its own host",
    "ovs_timeout": "virtrio does not drive Open vSwitch",
}
# TCP, TLS and SASL keys: warned about until this daemon has fields for them.
NETWORK_KEYS = {
    "tcp_min_ssf",
    "tls_no_sanity_certificate",
    "tls_priority",
}

_TOKEN_PATTERN = r"""[ \t\r]*(?:
        (?P<comment>\#[^\n]*)
      | (?P<newline>\n)
      | (?P<string>"(?:[^"\\\n]|\\.)*"|'[^'\n]*')
      | (?P<number>-?\d+)
      | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
      | (?P<punct>[=\[\],;])
    )"""
# Compiled on first use: most starts read no settings file (~0.3 ms of every start otherwise).
_token: re.Pattern[str] | None = None


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    global _token
    if _token is None:
        _token = re.compile(_TOKEN_PATTERN, re.VERBOSE)
    line = 1
    position = 0
    while position < len(text):
        match = _token.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip() == "":
                return
            raise ConfigError(f"line {line}: cannot read {text[position:].split(chr(10))[0].strip()!r}")
        position = match.end()
        kind = match.lastgroup
        assert kind is not None  # every alternative of _TOKEN_PATTERN is a named group
        if kind == "comment":
            continue
        if kind == "newline":
            line += 1
            yield "newline", "\n", line - 1
            continue
        value = match.group(kind)
        if kind == "string":
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        elif kind == "number":
            value = int(value)
        yield kind, value, line


def parse_conf(text: str) -> list[tuple[str, object, int]]:
    """(key, value, line) for each setting; a value is an int, a str or a list of str."""
    settings = []
    tokens = list(_tokens(text))
    index = 0

    def take() -> tuple[str, object, int]:
        nonlocal index
        if index >= len(tokens):
            raise ConfigError("unexpected end of file")
        index += 1
        return tokens[index - 1]

    while index < len(tokens):
        kind, key, line = take()
        if kind == "newline" or (kind == "punct" and key == ";"):
            continue
        if kind != "name":
            raise ConfigError(f"line {line}: expected a setting name, found {key!r}")
        kind, value, _ = take()
        if value != "=":
            raise ConfigError(f"line {line}: expected '=' after {key}")
        kind, value, vline = take()
        if kind in ("string", "number"):
            settings.append((str(key), value, line))
        elif kind == "punct" and value == "[":
            items: list[object] = []
            while True:
                kind, value, vline = take()
                if kind == "newline" or (kind == "punct" and value == ","):
                    continue
                if kind == "punct" and value == "]":
                    break
                if kind not in ("string", "number"):
                    raise ConfigError(f"line {vline}: {key}: unexpected {value!r} in a list")
                items.append(value)
            settings.append((str(key), items, line))
        else:
            raise ConfigError(f"line {line}: {key}: expected a value")
    return settings


def _convert(config: Config, key: str, value: object, line: int) -> object:
    current = getattr(config, key)
    if key in PERMISSION_KEYS:
        if not isinstance(value, str) or not re.fullmatch(r"0?[0-7]{3,4}", value):
            raise ConfigError(f'{key} on line {line}: expected an octal mode in quotes, like "0770"')
        return int(value, 8)
    if isinstance(current, bool):
        if not isinstance(value, int) or value not in (0, 1):
            raise ConfigError(f"{key} on line {line}: expected 0 or 1")
        return bool(value)
    if isinstance(current, int):
        if not isinstance(value, int):
            raise ConfigError(f"{key} on line {line}: expected a number, found {value!r}")
        return value
    if isinstance(current, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key} on line {line}: expected a list of strings")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{key} on line {line}: expected a string in quotes, found {value!r}")
    return value


def socket_group_id(group: str | None) -> int | None:
    """The gid unix_sock_group names (a group name or a number), or None if there is none."""
    if group is None:
        return None
    if group.isdigit():
        return int(group)
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        return None


def load_config(path: Path | None, config: Config | None = None) -> Config:
    config = config or Config()
    if path is None:
        return config
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    known = _KEY_SET - {"warnings"}
    try:
        settings = parse_conf(text)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
    for key, value, line in settings:
        if key in known:
            try:
                setattr(config, key, _convert(config, key, value, line))
            except ConfigError as error:
                raise ConfigError(f"{path}: {error}") from None
            if key in ("auth_tcp", "auth_tls", "auth_unix_rw", "auth_unix_ro") and value not in ("none", "sasl"):
                raise ConfigError(f"{path}: {key} on line {line}: expected 'none' or 'sasl'")
            if key == "log_level" and not 1 <= config.log_level <= 4:
                raise ConfigError(f"{path}: log_level on line {line}: expected 1 to 4")
            if key == "unix_sock_group" and socket_group_id(config.unix_sock_group) is None:
                raise ConfigError(f"{path}: unix_sock_group on line {line}: Failed to parse group '{value}'")
        elif key in ACCEPTED_DEFAULTS:
            expected = ACCEPTED_DEFAULTS[key]
            if expected is not None and value != expected:
                config.warnings.append(f"{path}:{line}: {key} = {value!r} is not supported; using {expected!r}")
        elif key in LIBVIRTD_IGNORED:
            config.warnings.append(f"{path}:{line}: libvirtd setting {key} ignored: {LIBVIRTD_IGNORED[key]}")
        elif key in NETWORK_KEYS:
            config.warnings.append(f"{path}:{line}: libvirtd setting {key} ignored: not supported here yet")
        else:
            config.warnings.append(f"{path}:{line}: unknown setting {key}, ignored")
    return config


# What a SIGHUP may change while the daemon runs. libvirtd re-reads only its drivers' files
# on SIGHUP; virtrio re-reads its settings file too, and says what needs a restart.
RELOAD_AT_ONCE = {
    "log_level",
    "log_filters",
    "log_outputs",
    "max_clients",
    "max_anonymous_clients",
    "min_workers",
    "max_workers",
    "prio_workers",
    "admin_min_workers",
    "admin_max_workers",
    "admin_max_clients",
}
RELOAD_FOR_NEW_CONNECTIONS = {
    "keepalive_interval",
    "keepalive_count",
    "admin_keepalive_interval",
    "admin_keepalive_count",
    "max_client_requests",
    "max_client_queue_bytes",
    "busy_poll_us",
}


def apply_reload(current: Config, new: Config, source: str) -> tuple[list[str], list[str]]:
    """Copy what may change at run time from new into current; (changed keys, log lines).

    The logging keys are applied by the caller (they can fail: a file that cannot be opened)."""
    changed, lines = [], []
    for key in CONFIG_KEYS:
        if key == "warnings" or getattr(current, key) == getattr(new, key):
            continue
        if key in RELOAD_AT_ONCE or key in RELOAD_FOR_NEW_CONNECTIONS:
            setattr(current, key, getattr(new, key))
            changed.append(key)
            when = "now" if key in RELOAD_AT_ONCE else "for new connections"
            lines.append(f"{source}: {key} = {getattr(new, key)!r} applies {when}")
        else:
            lines.append(f"{source}: {key} changed; it takes effect when the daemon restarts")
    return changed, lines
