"""libvirtd.conf syntax and the settings virtrio takes from it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from virtrio.server.config import ConfigError, load_config, parse_conf
from virtrio.server.faults import FaultRuleError, parse_rule


def test_values_lists_and_comments() -> None:
    text = 'a = 1\nb = "two" # comment\n# whole line\nc = [\n  "x",\n  "y",\n]\nd = -5\ne = \'single\'\n'
    assert parse_conf(text) == [("a", 1, 1), ("b", "two", 2), ("c", ["x", "y"], 4), ("d", -5, 8), ("e", "single", 9)]


def test_settings_apply(tmp_path: Path) -> None:
    path = tmp_path / "v.conf"
    path.write_text('unix_sock_ro_perms = "0770"\nmax_clients = 7\ntest_default_persistent = 1\nmystery = 3\n')
    config = load_config(path)
    assert (config.unix_sock_ro_perms, config.max_clients, config.test_default_persistent) == (0o770, 7, True)
    assert config.warnings == [f"{path}:4: unknown setting mystery, ignored"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_clients = []\n", "max_clients on line 1: expected a number"),
        ("log_filters = 3\n", "log_filters on line 1: expected a string"),
        ("a = \n", "line 1: a: expected a value"),
        ("= 3\n", "line 1: expected a setting name"),
        ("test_default_persistent = 2\n", "expected 0 or 1"),
    ],
)
def test_errors_name_key_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.conf"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_config(path)


def test_fault_rules() -> None:
    rule = parse_rule("DOMAIN_SUSPEND name=web-* error=55 domain=10 message='is busy'")
    assert (rule.procedure, rule.name_pattern, rule.error_code, rule.error_domain, rule.message) == (
        "DOMAIN_SUSPEND",
        "web-*",
        55,
        10,
        "is busy",
    )
    assert parse_rule("remote_proc_domain_get_info delay=1.5").delay == 1.5
    every = parse_rule("* name=flaky error=1")
    assert every.matches("DOMAIN_GET_INFO", SimpleNamespace(name="flaky"))
    assert every.matches("NETWORK_CREATE", SimpleNamespace(net=SimpleNamespace(name="flaky")))
    assert not every.matches("DOMAIN_GET_INFO", SimpleNamespace(name="steady"))
    assert not rule.matches("DOMAIN_RESUME", SimpleNamespace(dom=SimpleNamespace(name="web-1")))
    assert rule.matches("DOMAIN_SUSPEND", SimpleNamespace(dom=SimpleNamespace(name="web-1")))
    for bad in ("", "X", "X delay=soon", "X colour=red", "X message='unterminated"):
        with pytest.raises(FaultRuleError):
            parse_rule(bad)
