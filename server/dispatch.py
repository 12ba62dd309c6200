"""From a CALL packet to the function that answers it, with libvirtd's checks in order.

Pure logic, no I/O: the session runs what this returns. Checks, as libvirtd makes them:
status, procedure, authentication, payload, open connection, the dispatcher's argument
checks (dispatch_checks.py), read-only access, and whether the connection's driver has
the procedure at all.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from virtrio.drivers.base import Offload
from virtrio.protocol.generated import PROGRAMS, admin, libvirt_api, remote
from virtrio.protocol.runtime import Decoder, Encoder, Procedure, XdrError
from virtrio.rpc.errors import LibvirtError, internal_error, no_support, read_only_denied, report, rpc_error
from virtrio.rpc.packet import Header, PacketTooLarge, Status
from virtrio.rpc.records import FrozenRecord

from . import faults
from . import procedure_facts as facts
from .api_checks import BEFORE_READ_ONLY, WITH_DESCRIPTORS
from .dispatch_checks import ArgumentCheck, checks_for, reply_rule_for
from .procedure_facts import ALWAYS, ProcedureFacts, ReadOnlyArgument, ReadOnlyFlags

if TYPE_CHECKING:
    from virtrio.drivers.base import DriverConnection

    from .faults import FaultRule
    from .session import ClientSession

log = logging.getLogger("virtrio.server.dispatch")

# A handler the server itself provides: fn(session, args). Each module of them keeps an
# explicit table, HANDLERS, keyed by its program's generated procedure constants; a Program
# names the modules that serve it and loads them on its first call.
ServerHandler = Callable[["ClientSession", Any], Any]
HandlerTable = dict[int, ServerHandler]


def handler_table(table: HandlerTable) -> Callable[[int], Callable[[ServerHandler], ServerHandler]]:
    """A decorator maker that enters a function in table under a procedure constant."""

    def procedure(number: int) -> Callable[[ServerHandler], ServerHandler]:
        def enter(function: ServerHandler) -> ServerHandler:
            assert number not in table, number
            table[number] = function
            return function

        return enter

    return procedure


class Program:
    """One RPC program; its generated module (qemu's, lxc's) is imported on its first call."""

    __slots__ = ("_handlers", "_procedures", "facts", "handler_modules", "module", "number", "prefix", "version")

    def __init__(
        self, module: str, facts: dict[int, ProcedureFacts], prefix: str, handler_modules: tuple[str, ...] = ()
    ) -> None:
        found = [key for key, name in PROGRAMS.items() if name == module]
        assert len(found) == 1, module
        self.number, self.version = found[0]
        self.module = module
        self.facts = facts
        self.prefix = prefix  # method-name prefix for driver handlers ("" for REMOTE)
        self._procedures: dict[int, Procedure] | None = None
        self.handler_modules = handler_modules  # server/ modules whose HANDLERS answer this program
        self._handlers: HandlerTable | None = None

    @property
    def procedures(self) -> dict[int, Procedure]:
        if self._procedures is None:
            loaded = importlib.import_module(f"virtrio.protocol.generated.{self.module}")
            assert (self.number, self.version) == (loaded.PROGRAM, loaded.PROTOCOL_VERSION)
            self._procedures = loaded.PROCEDURES
        return self._procedures

    @property
    def server_handlers(self) -> HandlerTable:
        """The server's own handlers of this program's procedures, from its handler modules."""
        if self._handlers is None:
            handlers: HandlerTable = {}
            for name in self.handler_modules:
                table: HandlerTable = importlib.import_module(f"virtrio.server.{name}").HANDLERS
                assert not handlers.keys() & table.keys(), name
                handlers.update(table)
            self._handlers = handlers
        return self._handlers


REMOTE = Program("remote", facts.REMOTE, "", ("remote_procs", "sasl"))
QEMU = Program("qemu", facts.QEMU, "qemu_", ("qemu_procs",))
LXC = Program("lxc", facts.LXC, "lxc_")
ADMIN = Program("admin", facts.ADMIN, "admin_", ("admin_procs", "tls_admin"))

# The calls whose successful reply ends the connection once written (libvirtd's delayed close).
CLOSING_CALLS = frozenset(
    {(REMOTE.number, remote.REMOTE_PROC_CONNECT_CLOSE), (ADMIN.number, admin.ADMIN_PROC_CONNECT_CLOSE)}
)

HYPERVISOR_PROGRAMS = {(p.number, p.version): p for p in (REMOTE, QEMU, LXC)}
ADMIN_PROGRAMS = {(ADMIN.number, ADMIN.version): ADMIN}

# Procedures allowed before authentication (remote_daemon.c's needAuth exceptions).
NO_AUTH_NEEDED = {
    remote.REMOTE_PROC_AUTH_LIST,
    remote.REMOTE_PROC_AUTH_SASL_INIT,
    remote.REMOTE_PROC_AUTH_SASL_START,
    remote.REMOTE_PROC_AUTH_SASL_STEP,
    remote.REMOTE_PROC_AUTH_POLKIT,
}


# Procedures whose hand-written dispatcher answers a failed API call with a reply, not an
# error: remoteDispatchDomainGetSecurityLabelList sends ret = -1 and no labels (the error
# is dropped), so libvirtd's clients see "OK, -1" even from drivers without the call.
FAILURE_REPLIES: dict[int, Callable[[], Any]] = {
    remote.REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL_LIST: lambda: remote.remote_domain_get_security_label_list_ret([], -1),
}


def failure_as_reply(method: Callable[..., Any] | None, is_async: bool, reply: Callable[[], Any]) -> Callable[..., Any]:
    """method, with any libvirt error it raises (or its absence) turned into reply()."""
    if method is None:
        return lambda *arguments: reply()
    if is_async:

        async def guarded_async(*arguments: Any) -> Any:
            try:
                return await method(*arguments)
            except LibvirtError:
                return reply()

        return guarded_async

    def guarded(*arguments: Any) -> Any:
        try:
            return method(*arguments)
        except LibvirtError:
            return reply()

    return guarded


def with_reply_rule(method: Callable[..., Any], is_async: bool, rule: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    """method, its reply passed through rule(arguments, reply) as libvirtd's dispatcher does."""
    if is_async:

        async def ruled_async(args: Any) -> Any:
            return rule(args, await method(args))

        return ruled_async

    def ruled(args: Any) -> Any:
        answer = method(args)
        if isinstance(answer, Offload):  # the rule applies to what the thread's work ends in
            then = answer.then
            return Offload(answer.work, lambda value: rule(args, then(value)), answer.reply_in_thread)
        return rule(args, answer)

    return ruled


def error_domain(name: str) -> int:
    domain: int = getattr(libvirt_api, name)
    return domain


class ResolvedCall(NamedTuple):
    """A call that passed every check: what to run and how to answer."""

    header: Header
    procedure: Procedure
    function: Callable[..., Any]
    arguments: tuple[Any, ...]
    is_async: bool
    gate: Any = None  # something to wait for, outside the client's call capacity, before running
    for_server: bool = False  # a server handler: the session goes before the arguments


class Route(FrozenRecord):
    """Everything about one procedure that does not depend on the call: worked out once."""

    _fields = (
        "procedure",
        "decode",
        "server_handler",
        "server_handler_is_async",
        "method",
        "api_name",
        "error_domain",
        "read_only",
        "hypervisor_connection",
        "checks",
        "api_check",
        "descriptor_check",
        "reply_rule",
    )
    __slots__ = _fields
    procedure: Procedure
    decode: Callable[..., Any] | None
    server_handler: ServerHandler | None
    server_handler_is_async: bool
    method: str  # the driver connection's method name
    api_name: str
    error_domain: int
    read_only: object
    hypervisor_connection: bool  # decides the "not open" message
    checks: tuple[ArgumentCheck, ...]  # libvirtd's dispatcher checks on the arguments
    api_check: Callable[[Any], None] | None  # the public API's before its read-only refusal
    descriptor_check: Callable[[Any, int], None] | None  # of the descriptors the call brought
    reply_rule: Callable[[Any, Any], Any] | None  # what libvirtd's dispatcher does to the reply

    def __init__(self, *values: Any) -> None:
        # Positional, in _fields' order (one call site, route_for); checked: a missing or
        # extra value is a bug, not a shorter route.
        if len(values) != len(self._fields):
            raise TypeError(f"Route() takes {len(self._fields)} values, got {len(values)}")
        for name, value in zip(self._fields, values, strict=True):
            object.__setattr__(self, name, value)


_ROUTES: dict[tuple[int, int], Route | None] = {}
_METHOD_IS_ASYNC: dict[tuple[type, str], bool] = {}


def route(program: Program, number: int) -> Route | None:
    key = (program.number, number)
    if key in _ROUTES:
        return _ROUTES[key]
    procedure = program.procedures.get(number)
    if procedure is None or procedure.is_event:
        _ROUTES[key] = None
        return None
    proc_facts = program.facts[number]
    handler = program.server_handlers.get(number)
    result = Route(
        procedure,
        procedure.args.decode if procedure.args is not None else None,
        handler,
        handler is not None and inspect.iscoroutinefunction(handler),
        program.prefix + procedure.name.lower(),
        proc_facts.api or procedure.name,
        error_domain(proc_facts.error_domain),
        proc_facts.read_only,
        proc_facts.connection in ("Hypervisor", None),
        checks_for(program.number, procedure),
        BEFORE_READ_ONLY.get(key),
        WITH_DESCRIPTORS.get(key),
        reply_rule_for(program.number, procedure),
    )
    _ROUTES[key] = result
    return result


def read_only_refuses(rule: object, args: Any) -> bool:
    if rule is None:
        return False
    if rule == ALWAYS:
        return True
    if isinstance(rule, ReadOnlyFlags):
        return bool(getattr(args, "flags", 0) & rule.mask)
    if isinstance(rule, ReadOnlyArgument):
        return getattr(args, rule.argument, None) == rule.value
    raise AssertionError(rule)


def resolve(
    program: Program,
    header: Header,
    payload: bytes,
    conn: DriverConnection | None,
    *,
    authenticated: bool,
    read_only: bool,
    fault_rules: Sequence[FaultRule] = (),
    fd_count: int = 0,
    on_decoded: Callable[[], None] | None = None,
) -> ResolvedCall:
    """The function answering a call, or a LibvirtError to send back instead.

    Plain inputs: the call, the connection's driver connection (None before CONNECT_OPEN),
    whether the client authenticated, whether it came in read-only, the daemon's fault
    rules, how many descriptors came with the call; on_decoded is called once the call has
    passed the checks libvirtd's dispatcher makes before it gives the client an identity
    (status, procedure, authentication, arguments). A server handler's call (for_server)
    takes the session as its first argument, which the session adds."""
    if header.status != Status.OK:
        # libvirtd prints the word with %u: a status of -1 reads 4294967295
        raise rpc_error(f"Unexpected message status {header.status & 0xFFFFFFFF}")
    found = route(program, header.proc)
    if found is None:
        raise rpc_error(f"unknown procedure: {header.proc}")
    if not authenticated and not (program is REMOTE and header.proc in NO_AUTH_NEEDED):
        raise rpc_error("authentication required")
    args = None
    if found.decode is not None:
        try:
            # libvirtd ignores bytes after the arguments (old go-libvirt sends some): so do we.
            args = found.decode(payload, 0, False)
        except XdrError as error:
            log.debug("cannot decode %s arguments: %s", found.procedure.name, error)
            raise rpc_error("Unable to decode message payload") from None
    if on_decoded is not None:
        on_decoded()
    if found.server_handler is not None:
        handler, handler_is_async = found.server_handler, found.server_handler_is_async
        return ResolvedCall(header, found.procedure, handler, (args,), handler_is_async, for_server=True)

    if conn is None:
        if found.hypervisor_connection:
            raise internal_error(libvirt_api.VIR_FROM_RPC, "hypervisor connection not open")
        raise internal_error(libvirt_api.VIR_FROM_RPC, "connection not open")
    for check in found.checks:
        if check.refuses(args):
            raise report(check.code, libvirt_api.VIR_FROM_RPC, check.message)
    if found.descriptor_check is not None:
        found.descriptor_check(args, fd_count)
    if found.api_check is not None:
        found.api_check(args)
    failure_reply = FAILURE_REPLIES.get(header.proc) if program is REMOTE else None
    arguments = () if found.decode is None else (args,)
    if failure_reply is not None and (
        getattr(conn, found.method, None) is None
        or (read_only and found.read_only is not None and read_only_refuses(found.read_only, args))
    ):
        return ResolvedCall(header, found.procedure, failure_as_reply(None, False, failure_reply), arguments, False)
    if read_only and found.read_only is not None and read_only_refuses(found.read_only, args):
        raise read_only_denied(found.error_domain, found.api_name, program.facts[header.proc].read_only_detail)
    method = getattr(conn, found.method, None)
    if method is None:
        raise no_support(found.error_domain, found.api_name)
    key = (type(conn), found.method)
    is_async = _METHOD_IS_ASYNC.get(key)
    if is_async is None:
        is_async = _METHOD_IS_ASYNC[key] = inspect.iscoroutinefunction(method)
    function: Callable[..., Any] = method
    if failure_reply is not None:
        function = failure_as_reply(method, is_async, failure_reply)
    if found.reply_rule is not None:
        function = with_reply_rule(function, is_async, found.reply_rule)
    for rule in fault_rules:
        if rule.matches(found.procedure.name, args):
            function, is_async = faults.wrap(rule, method, is_async), True
            break
    gate = getattr(conn, "gate", None)
    if gate is not None and not gate.is_open:
        # The driver is still loading: wait for it as a task, never in the reader.
        return ResolvedCall(header, found.procedure, function, arguments, is_async, gate)
    return ResolvedCall(header, found.procedure, function, arguments, is_async)


class QuickCall(NamedTuple):
    """A procedure a session may answer without the checks above, once they passed for its
    connection: decode, run, encode. Only plain functions whose answer depends on nothing
    but the call (no read-only rule to weigh, no argument check, no fault rule, no gate, no stream).

    The generated codec functions themselves, not the Codec wrappers: decoder(payload, 0)
    gives (arguments, end) and checks nothing past end (the caller must: end <= len);
    encoder(buffer, result) appends the reply's payload."""

    decoder: Decoder | None
    function: Callable[..., Any]
    encoder: Encoder | None


def quick_call(call: ResolvedCall, read_only: bool, fault_rules: Sequence[FaultRule] = ()) -> QuickCall | None:
    """How a session may answer the next calls of call's procedure on the same connection
    without resolve's checks, or None when the answer may depend on more than the call."""
    procedure = call.procedure
    found = _ROUTES.get((procedure.program, procedure.number))
    if found is None or found.server_handler is not None or call.is_async or call.gate is not None:
        return None
    if procedure.stream is not None or fault_rules or found.checks or (read_only and found.read_only is not None):
        return None
    if found.api_check is not None or found.descriptor_check is not None:  # the API's checks come first
        return None
    decoder = procedure.args.load()[1] if procedure.args is not None else None
    encoder = procedure.ret.load()[0] if procedure.ret is not None else None
    return QuickCall(decoder, call.function, encoder)


def reply_payload(call: ResolvedCall, result: Any) -> bytes:
    ret = call.procedure.ret
    if ret is None:
        return b""
    return ret.encode(result)


def unexpected_failure(error: BaseException) -> LibvirtError:
    """What a client sees when a handler fails in a way it did not mean to report."""
    if isinstance(error, (XdrError, PacketTooLarge)):
        # A reply that does not encode (a list over its bound, a packet over the protocol's
        # maximum): libvirtd's answer to it (virNetMessageEncodePayload).
        return rpc_error("Unable to encode message payload")
    return internal_error(libvirt_api.VIR_FROM_RPC, f"unexpected failure in virtrio: {type(error).__name__}: {error}")
