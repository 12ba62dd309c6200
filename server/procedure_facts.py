"""What libvirt's public API does for each procedure: its name, read-only rule, error domain.

Facts read from libvirt 9.0.0's sources: the public API function a procedure implements
(the name clients see in "not supported by the connection driver: virXxx" and "read only
access prevents virXxx"), when that function refuses a read-only connection, the error
domain it reports with (VIR_FROM_THIS of its file), and which of the daemon's connections
it uses (that decides the "not open" message before CONNECT_OPEN). The rows are generated
into server/procedure_facts_table.py by `python3 scripts/libvirt_tables.py procedure-facts`
(`--check procedure-facts` compares them with libvirt's sources); this module gives them
their types. REMOTE and ADMIN are keyed by the generated procedure constants, QEMU and LXC
by number, so that a daemon serving neither never loads their generated modules
(tests/e2e/test_cold_start.py).
"""

from __future__ import annotations

from typing import NamedTuple

from . import procedure_facts_table as _table
from .procedure_facts_table import ALWAYS

__all__ = ["ADMIN", "ALWAYS", "LXC", "QEMU", "REMOTE", "ProcedureFacts", "ReadOnlyArgument", "ReadOnlyFlags"]


# Named tuples rather than frozen dataclasses: every daemon start builds ~470 of these, and the
# dataclasses (making the classes, then their instances) cost it about 2 ms more.
class ReadOnlyFlags(NamedTuple):
    """Refused on a read-only connection when (flags & mask) != 0."""

    mask: int


class ReadOnlyArgument(NamedTuple):
    """Refused on a read-only connection when the named argument equals the value."""

    argument: str
    value: int


class ProcedureFacts(NamedTuple):
    api: str | None  # None for server-to-client event messages and authentication steps
    read_only: str | ReadOnlyFlags | ReadOnlyArgument | None  # ALWAYS, a condition, or None: never
    error_domain: str  # VIR_FROM_* name
    connection: str | None  # the remote driver struct holding it: Hypervisor, Network, NodeDevice, ...
    # The refusal's detail where the function tests the connection itself (None: libvirt's
    # virCheckReadOnlyGoto, "read only access prevents <api>").
    read_only_detail: str | None = None


def _facts(row: _table.Row) -> ProcedureFacts:
    api, rule, error_domain, connection = row
    read_only: str | ReadOnlyFlags | ReadOnlyArgument | None
    if isinstance(rule, int):
        read_only = ReadOnlyFlags(rule)
    elif isinstance(rule, tuple):
        read_only = ReadOnlyArgument(*rule)
    else:
        read_only = rule
    detail = _table.READ_ONLY_DETAILS.get(api) if api is not None else None
    return ProcedureFacts(api, read_only, error_domain, connection, detail)


def _read(rows: dict[int, _table.Row]) -> dict[int, ProcedureFacts]:
    return {number: _facts(row) for number, row in rows.items()}


REMOTE = _read(_table.REMOTE)
QEMU = _read(_table.QEMU)
LXC = _read(_table.LXC)
ADMIN = _read(_table.ADMIN)
