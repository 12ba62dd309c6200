"""The server's own handlers: explicit per-module tables (HANDLERS) keyed by generated
procedure constants, loaded per program. Each must name a procedure of its program and take
(session, args); a module of a program's may not answer what another already answers."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

from virtrio.server import dispatch

PROGRAMS = [dispatch.REMOTE, dispatch.ADMIN]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.module)
def test_every_server_handler_names_a_procedure_of_its_program(program: dispatch.Program) -> None:
    handlers = program.server_handlers
    assert handlers, program.module
    for number, handler in handlers.items():
        procedure = program.procedures.get(number)
        assert procedure is not None, (program.module, number, handler.__name__)
        assert not procedure.is_event, procedure.name
        assert len(inspect.signature(handler).parameters) == 2, handler.__name__  # (session, args)


def test_the_remote_handlers_are_those_libvirtd_answers_itself() -> None:
    names = {dispatch.REMOTE.procedures[number].name for number in dispatch.REMOTE.server_handlers}
    assert {"CONNECT_OPEN", "CONNECT_CLOSE", "AUTH_LIST", "AUTH_SASL_INIT", "AUTH_SASL_STEP"} <= names
    assert "DOMAIN_GET_INFO" not in names  # a driver's


def test_a_procedure_entered_twice_is_refused() -> None:
    table: dispatch.HandlerTable = {}
    procedure = dispatch.handler_table(table)
    procedure(1)(lambda session, args: None)
    with pytest.raises(AssertionError):
        procedure(1)(lambda session, args: None)


def test_two_modules_answering_one_procedure_are_refused() -> None:
    program = dispatch.Program("admin", dispatch.facts.ADMIN, "admin_", ("admin_procs", "admin_procs"))
    with pytest.raises(AssertionError):
        _ = program.server_handlers


def test_handler_modules_load_with_their_program_only() -> None:
    """Starting to serve REMOTE loads no ADMIN handler module (the daemon imports none at start)."""
    script = (
        "import sys\n"
        "from virtrio.server import daemon, dispatch\n"
        "assert 'virtrio.server.admin_procs' not in sys.modules\n"
        "assert 'virtrio.server.remote_procs' not in sys.modules\n"
        "dispatch.REMOTE.server_handlers\n"
        "assert 'virtrio.server.remote_procs' in sys.modules\n"
        "assert 'virtrio.server.admin_procs' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_every_handler_module_has_a_table() -> None:
    for program in PROGRAMS:
        for name in program.handler_modules:
            module = importlib.import_module(f"virtrio.server.{name}")
            assert isinstance(module.HANDLERS, dict), name
