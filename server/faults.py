"""Fault injection for downstream CI: make chosen procedures fail or wait.

Each rule is one string in the ``fault_rules`` list of the configuration file:

    fault_rules = [
        "DOMAIN_SUSPEND name=web-* error=55 message='domain is busy'",
        "DOMAIN_GET_INFO delay=2.5",
        "* name=flaky error=1",
    ]

The first word is a procedure name as in remote_protocol.x without REMOTE_PROC_ (or
``*`` for all). ``name=GLOB`` limits the rule to calls whose object (domain, network,
pool, volume, node device, or a plain ``name`` argument) matches. ``delay=SECONDS``
makes the call wait first; ``error=CODE`` then fails it with that libvirt error code,
``domain=N`` (default 0) and ``message=TEXT`` (default: the code's own text). The first
rule that matches a call applies. Rules apply after the daemon's own checks.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import trio

from virtrio.rpc.errors import report
from virtrio.rpc.records import FrozenRecord

OBJECT_FIELDS = ("dom", "net", "pool", "vol", "dev", "iface", "secret", "nwfilter")
EVERY_PROCEDURE = "*"  # a rule's first word that matches every procedure


class FaultRuleError(ValueError):
    pass


class FaultRule(FrozenRecord):
    _fields = ("procedure", "name_pattern", "delay", "error_code", "error_domain", "message")
    __slots__ = _fields
    procedure: str
    name_pattern: str | None
    delay: float
    error_code: int | None
    error_domain: int
    message: str | None

    def __init__(
        self,
        procedure: str,
        name_pattern: str | None = None,
        delay: float = 0.0,
        error_code: int | None = None,
        error_domain: int = 0,
        message: str | None = None,
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "procedure", procedure)
        set_field(self, "name_pattern", name_pattern)
        set_field(self, "delay", delay)
        set_field(self, "error_code", error_code)
        set_field(self, "error_domain", error_domain)
        set_field(self, "message", message)

    def matches(self, procedure: str, args: Any) -> bool:
        if self.procedure not in (EVERY_PROCEDURE, procedure):
            return False
        if self.name_pattern is None:
            return True
        name = object_name(args)
        return name is not None and fnmatch.fnmatchcase(name, self.name_pattern)


def object_name(args: Any) -> str | None:
    for field in OBJECT_FIELDS:
        value = getattr(args, field, None)
        if value is not None and hasattr(value, "name"):
            found: str | None = value.name
            return found
    name = getattr(args, "name", None)
    return name if isinstance(name, str) else None


def parse_rule(text: str) -> FaultRule:
    import shlex  # only a daemon given fault rules reads any (~0.3 ms of every start otherwise)

    try:
        words = shlex.split(text)
    except ValueError as error:
        raise FaultRuleError(f"fault rule {text!r}: {error}") from None
    if not words:
        raise FaultRuleError("empty fault rule")
    values: dict[str, Any] = {"procedure": words[0].upper().removeprefix("REMOTE_PROC_")}
    keys = {
        "name": "name_pattern",
        "delay": "delay",
        "error": "error_code",
        "domain": "error_domain",
        "message": "message",
    }
    for word in words[1:]:
        key, equals, value = word.partition("=")
        if not equals or key not in keys:
            raise FaultRuleError(f"fault rule {text!r}: cannot read {word!r}")
        try:
            values[keys[key]] = float(value) if key == "delay" else int(value) if key in ("error", "domain") else value
        except ValueError:
            raise FaultRuleError(f"fault rule {text!r}: {key} needs a number") from None
    if "delay" not in values and "error_code" not in values:
        raise FaultRuleError(f"fault rule {text!r}: give delay=SECONDS, error=CODE, or both")
    return FaultRule(**values)


def wrap(rule: FaultRule, function: Any, is_async: bool) -> Any:
    """The call's function with the rule applied: always a coroutine function."""

    async def faulty(*arguments: Any) -> Any:
        if rule.delay:
            await trio.sleep(rule.delay)
        if rule.error_code is not None:
            error = report(rule.error_code, rule.error_domain, rule.message)
            raise error
        result = function(*arguments)
        return await result if is_async else result

    return faulty
