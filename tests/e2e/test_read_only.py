"""Every REMOTE procedure on a read-only connection: refused exactly when libvirt refuses."""

from __future__ import annotations

import pytest

from virtrio.protocol.generated import libvirt_api, remote
from virtrio.protocol.layout import Layouts, StructRef
from virtrio.protocol.sources import load_sources
from virtrio.rpc.packet import Status
from virtrio.server import api_checks, procedure_facts
from virtrio.server.dispatch import REMOTE
from virtrio.server.procedure_facts import ALWAYS, ReadOnlyArgument, ReadOnlyFlags

from ..conftest import REFERENCE
from ..protocol.xdr_values import zero_value
from .daemon_process import DaemonProcess, RawClient, decode_error

# OPEN and CLOSE change the connection itself; they are tested on their own.
# Also skipped: the calls whose zero arguments fail libvirt's public API checks that come before
# its read-only refusal (server/api_checks.py; tests/interop/test_every_procedure.py compares
# them read-only with libvirtd).
SKIPPED = {remote.REMOTE_PROC_CONNECT_OPEN, remote.REMOTE_PROC_CONNECT_CLOSE} | {
    number
    for program, number in (*api_checks.BEFORE_READ_ONLY, *api_checks.WITH_DESCRIPTORS)
    if program == remote.PROGRAM
}


def arguments(layouts: Layouts, procedure, **overrides) -> bytes:
    if procedure.args is None:
        return b""
    value = zero_value(layouts, StructRef(procedure.args.name))
    for name, field_value in overrides.items():
        setattr(value, name, field_value)
    return procedure.args.encode(value)


def test_the_table_covers_every_procedure() -> None:
    assert sorted(procedure_facts.REMOTE) == sorted(remote.PROCEDURES)
    refused = [n for n, f in procedure_facts.REMOTE.items() if f.read_only == ALWAYS]
    assert len(refused) == 197
    for number, facts in procedure_facts.REMOTE.items():
        # event messages and authentication have no public API function
        assert (facts.api is None) == (remote.PROCEDURES[number].is_event or 66 <= number <= 70)
        if number in REMOTE.server_handlers:
            assert facts.read_only is None, remote.PROCEDURES[number].name


@pytest.fixture(scope="module")
def layouts() -> Layouts:
    return Layouts(load_sources(REFERENCE))


def test_read_only_refusals_for_all_remote_procedures(shared_daemon: DaemonProcess, layouts: Layouts) -> None:
    client = RawClient(shared_daemon.ro)
    client.open()
    checked = 0
    for number, procedure in sorted(remote.PROCEDURES.items()):
        if number in SKIPPED:
            continue
        facts = procedure_facts.REMOTE[number]
        rule = facts.read_only
        cases: list[tuple[bytes, bool]] = []
        if procedure.is_event:
            reply = client.call(number, arguments(layouts, procedure))
            assert decode_error(reply).message == f"unknown procedure: {number}"
            continue
        if rule == ALWAYS:
            cases.append((arguments(layouts, procedure), True))
        elif isinstance(rule, ReadOnlyFlags):
            cases.append((arguments(layouts, procedure), False))
            cases.append((arguments(layouts, procedure, flags=rule.mask), True))
        elif isinstance(rule, ReadOnlyArgument):
            cases.append((arguments(layouts, procedure), False))
            cases.append((arguments(layouts, procedure, **{rule.argument: rule.value}), True))
        else:
            cases.append((arguments(layouts, procedure), False))
        for payload, refused in cases:
            reply = client.call(number, payload)
            error = decode_error(reply) if reply.header.status == Status.ERROR else None
            if refused:
                assert error is not None, procedure.name
                assert error.code == libvirt_api.VIR_ERR_OPERATION_DENIED, (procedure.name, error.message)
                # libvirt's own wording where the function tests the connection itself (GetXMLDesc's
                # "with secure flag"), else virCheckReadOnlyGoto's
                detail = facts.read_only_detail or f"read only access prevents {facts.api}"
                assert error.message == f"operation forbidden: {detail}"
                assert error.domain == getattr(libvirt_api, facts.error_domain)
            else:
                assert error is None or error.code != libvirt_api.VIR_ERR_OPERATION_DENIED, procedure.name
            checked += 1
    assert checked == 443 - len(SKIPPED) - 51 + 6  # events apart; conditional rules checked both ways
    # the read-write socket allows what the read-only one refused
    writer = RawClient(shared_daemon.rw)
    writer.open()
    reply = writer.call(remote.REMOTE_PROC_DOMAIN_GET_XML_DESC, arguments(layouts, remote.PROCEDURES[14], flags=1))
    assert reply.header.status == Status.ERROR and decode_error(reply).code == libvirt_api.VIR_ERR_NO_DOMAIN


def test_a_read_write_socket_opened_read_only_is_read_only(shared_daemon: DaemonProcess) -> None:
    client = RawClient(shared_daemon.rw)
    client.open(flags=libvirt_api.VIR_CONNECT_RO)
    domain = remote.CODECS["remote_nonnull_domain"].encode(remote.remote_nonnull_domain("test", bytes(16), 1))
    error = decode_error(client.call(remote.REMOTE_PROC_DOMAIN_SUSPEND, domain))
    assert error.message == "operation forbidden: read only access prevents virDomainSuspend"
