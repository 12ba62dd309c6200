"""Every driver handler names a procedure of the generated tables and has its shape.

A handler is found by name (``domain_get_info`` answers REMOTE_PROC_DOMAIN_GET_INFO), so a
misspelt one would silently leave its procedure answered "not supported": these checks are
what catch it. Each check also runs on a deliberately broken connection, to show it fails.
"""

from __future__ import annotations

import inspect
import typing

import pytest

from virtrio.drivers.base import DriverConnection
from virtrio.drivers.nodedev.driver import NodeDeviceConnection
from virtrio.drivers.test import driver as test_driver
from virtrio.protocol.generated import admin, lxc, qemu, remote
from virtrio.protocol.runtime import Procedure

PROGRAM_PREFIXES = {"": remote, "qemu_": qemu, "lxc_": lxc, "admin_": admin}
CONNECTIONS = [test_driver.TestConnection, NodeDeviceConnection]
DECLARED = {name for name in dir(DriverConnection) if not name.startswith("_")}


def procedures_by_handler_name() -> dict[str, Procedure]:
    names = {}
    for prefix, program in PROGRAM_PREFIXES.items():
        for procedure in program.PROCEDURES.values():
            if not procedure.is_event:
                names[prefix + procedure.name.lower()] = procedure
    return names


HANDLER_NAMES = procedures_by_handler_name()


def public_members(connection: type) -> list[str]:
    return sorted(name for name in dir(connection) if not name.startswith("_") and name not in DECLARED)


def stray_members(connection: type) -> list[str]:
    return [name for name in public_members(connection) if name not in HANDLER_NAMES]


def wrong_arities(connection: type) -> list[str]:
    wrong = []
    for name in public_members(connection):
        procedure = HANDLER_NAMES.get(name)
        handler = getattr(connection, name)
        if procedure is None or not callable(handler):
            continue
        parameters = list(inspect.signature(handler).parameters.values())[1:]  # after self
        wanted = 0 if procedure.args is None else 1
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        if len(parameters) != wanted or any(p.kind not in positional for p in parameters):
            wrong.append(f"{name}: {len(parameters)} parameters, the procedure has {wanted}")
    return wrong


def wrong_reply_types(connection: type) -> list[str]:
    wrong = []
    for name in public_members(connection):
        procedure = HANDLER_NAMES.get(name)
        if procedure is None:
            continue
        handler = getattr(connection, name)
        module = inspect.getmodule(handler)
        try:
            hints = typing.get_type_hints(handler, globalns=vars(module) if module else None)
        except NameError:
            continue  # an annotation its module imports only for type checking
        returned = hints.get("return")
        if not isinstance(returned, type):
            continue  # unannotated, or a union (a stream reply, or None)
        expected = procedure.ret.name if procedure.ret is not None else "NoneType"
        # a StreamReply or an Offload (drivers.base) carries the reply the server sends
        if returned.__name__ not in (expected, "StreamReply", "Offload"):
            wrong.append(f"{name} returns {returned.__name__}, the procedure replies {expected}")
    return wrong


@pytest.mark.parametrize("connection", CONNECTIONS, ids=lambda c: c.__name__)
def test_every_public_member_is_declared_in_the_base_or_answers_a_procedure(connection: type) -> None:
    assert stray_members(connection) == []


@pytest.mark.parametrize("connection", CONNECTIONS, ids=lambda c: c.__name__)
def test_every_handler_takes_exactly_the_procedure_arguments(connection: type) -> None:
    assert wrong_arities(connection) == []


@pytest.mark.parametrize("connection", CONNECTIONS, ids=lambda c: c.__name__)
def test_annotated_replies_are_the_procedure_reply_types(connection: type) -> None:
    assert wrong_reply_types(connection) == []


class BrokenConnection(test_driver.TestConnection):
    """Three mistakes the checks above exist for."""

    def domain_get_infoo(self, args: object) -> None:  # misspelt
        raise AssertionError

    def domain_suspend(self) -> None:  # forgot the arguments
        raise AssertionError

    def domain_get_state(self, args: object) -> remote.remote_domain_get_info_ret:  # another reply
        raise AssertionError


def test_the_checks_catch_a_broken_connection() -> None:
    assert stray_members(BrokenConnection) == ["domain_get_infoo"]
    assert wrong_arities(BrokenConnection) == ["domain_suspend: 0 parameters, the procedure has 1"]
    assert wrong_reply_types(BrokenConnection) == [
        "domain_get_state returns remote_domain_get_info_ret, the procedure replies remote_domain_get_state_ret"
    ]
