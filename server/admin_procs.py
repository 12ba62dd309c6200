"""The ADMIN program (virt-admin): servers, their thread pool and client limits, clients,
logging settings and the daemon's idle timeout, answered by the daemon itself."""

from __future__ import annotations

import enum
import grp
import logging
import pwd
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from virtrio.drivers.libvirt_rules import as_c_int
from virtrio.protocol.generated import admin
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import check_flags, internal_error, report

from . import logs
from .dispatch import HandlerTable, handler_table
from .listeners import SocketKind

if TYPE_CHECKING:
    from .session import ClientSession


class Server(enum.StrEnum):
    """libvirtd's two virt-admin servers: the hypervisor sockets' and the admin socket's."""

    LIBVIRTD = "libvirtd"
    ADMIN = "admin"


SERVERS = tuple(Server)
UINT, INT, BOOLEAN, STRING = (
    api.VIR_TYPED_PARAM_UINT,
    api.VIR_TYPED_PARAM_INT,
    api.VIR_TYPED_PARAM_BOOLEAN,
    api.VIR_TYPED_PARAM_STRING,
)


TYPE_NAMES = {
    api.VIR_TYPED_PARAM_INT: "int",
    api.VIR_TYPED_PARAM_UINT: "uint",
    api.VIR_TYPED_PARAM_LLONG: "llong",
    api.VIR_TYPED_PARAM_ULLONG: "ullong",
    api.VIR_TYPED_PARAM_DOUBLE: "double",
    api.VIR_TYPED_PARAM_BOOLEAN: "boolean",
    api.VIR_TYPED_PARAM_STRING: "string",
}


@dataclass
class ServerSettings:
    """What virt-admin reads and writes per server."""

    min_workers: int
    max_workers: int
    prio_workers: int
    max_clients: int
    max_anonymous_clients: int


def server_settings(session: ClientSession, name: Server) -> ServerSettings:
    daemon = session.daemon
    settings = daemon.admin_server_settings
    if settings is None:
        config = daemon.config
        settings = {
            Server.LIBVIRTD: ServerSettings(
                config.min_workers,
                config.max_workers,
                config.prio_workers,
                config.max_clients,
                config.max_anonymous_clients,
            ),
            # libvirtd's admin server: its own pool, no priority workers, no unauthenticated clients.
            Server.ADMIN: ServerSettings(
                config.admin_min_workers, config.admin_max_workers, 0, config.admin_max_clients, 0
            ),
        }
        daemon.admin_server_settings = settings
    return settings[name]


def check_field_names(params: list[admin.admin_typed_param]) -> None:
    """virTypedParamsDeserialize's check: each name is copied into a fixed 80-byte field,
    before the API's flags or any validation are looked at."""
    for item in params:
        if len(item.field.encode()) >= api.VIR_TYPED_PARAM_FIELD_LENGTH:
            raise report(
                api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_NONE, f"parameter {item.field} too big for destination"
            )


def typed_values(params: list[admin.admin_typed_param], allowed: dict[str, int]) -> dict[str, Any]:
    """The checks libvirt's virTypedParamsValidate makes, in its order (fields sorted by name)."""
    ordered = sorted(params, key=lambda p: p.field)
    for previous, item in zip([None, *ordered], ordered, strict=False):
        if item.field not in allowed:
            raise report(api.VIR_ERR_ARGUMENT_UNSUPPORTED, api.VIR_FROM_NONE, f"parameter '{item.field}' not supported")
        if previous is not None and previous.field == item.field:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_NONE, f"parameter '{item.field}' occurs multiple times")
        kind = item.value.type
        if kind != allowed[item.field]:
            raise report(
                api.VIR_ERR_INVALID_ARG,
                api.VIR_FROM_NONE,
                f"invalid type '{TYPE_NAMES.get(kind, 'int')}' for parameter '{item.field}', expected "
                f"'{TYPE_NAMES[allowed[item.field]]}'",
            )
    return {item.field: item.value.value for item in params}


HANDLERS: HandlerTable = {}  # ADMIN procedures (dispatch.ADMIN; tls_admin.py has one more)
admin_procedure = handler_table(HANDLERS)


def param(field: str, kind: int, value: Any) -> admin.admin_typed_param:
    return admin.admin_typed_param(field, admin.admin_typed_param_value(kind, value))


def server_name(session: ClientSession, name: str, *, by_dispatcher: bool = False) -> Server:
    """The server named; an unknown name refused as virNetDaemonGetServer refuses it, or, for
    the calls whose dispatcher libvirt wrote by hand (by_dispatcher), with that one's error."""
    if name not in SERVERS:
        if by_dispatcher:
            detail = f"no server with matching name '{name}' found"
            raise report(api.VIR_ERR_NO_SERVER, api.VIR_FROM_ADMIN, detail)
        raise report(api.VIR_ERR_NO_SERVER, api.VIR_FROM_RPC, f"No server named '{name}'")
    return Server(name)


def clients_of(session: ClientSession, name: Server) -> list[ClientSession]:
    wanted_admin = name is Server.ADMIN
    return sorted(
        (s for s in session.daemon.sessions if (s.kind == SocketKind.ADMIN) == wanted_admin),
        key=lambda s: s.server_client_id,
    )


def client_ref(client: ClientSession, server: Server) -> admin.admin_nonnull_client:
    transports = {SocketKind.TCP: api.VIR_CLIENT_TRANS_TCP, SocketKind.TLS: api.VIR_CLIENT_TRANS_TLS}
    transport = transports.get(client.kind, api.VIR_CLIENT_TRANS_UNIX)
    return admin.admin_nonnull_client(
        admin.admin_nonnull_server(server), client.server_client_id, int(client.wall_connected_at), transport
    )


@admin_procedure(admin.ADMIN_PROC_CONNECT_OPEN)
def connect_open(session: ClientSession, args: admin.admin_connect_open_args) -> None:
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminDispatchConnectOpen")


@admin_procedure(admin.ADMIN_PROC_CONNECT_CLOSE)
def connect_close(session: ClientSession, args: None) -> None:
    """The session closes the connection after the reply."""


@admin_procedure(admin.ADMIN_PROC_CONNECT_GET_LIB_VERSION)
def get_lib_version(session: ClientSession, args: None) -> admin.admin_connect_get_lib_version_ret:
    return admin.admin_connect_get_lib_version_ret(api.LIBVIR_VERSION_NUMBER)


@admin_procedure(admin.ADMIN_PROC_CONNECT_LIST_SERVERS)
def list_servers(session: ClientSession, args: admin.admin_connect_list_servers_args) -> Any:
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminConnectListServers")
    servers = [admin.admin_nonnull_server(name) for name in SERVERS] if args.need_results else []
    return admin.admin_connect_list_servers_ret(servers, len(SERVERS))


@admin_procedure(admin.ADMIN_PROC_CONNECT_LOOKUP_SERVER)
def lookup_server(session: ClientSession, args: admin.admin_connect_lookup_server_args) -> Any:
    return admin.admin_connect_lookup_server_ret(admin.admin_nonnull_server(server_name(session, args.name)))


@admin_procedure(admin.ADMIN_PROC_SERVER_GET_THREADPOOL_PARAMETERS)
def threadpool_parameters(session: ClientSession, args: Any) -> Any:
    name = server_name(session, args.srv.name)
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminServerGetThreadPoolParameters")
    settings = server_settings(session, name)
    busy = sum(s.busy_calls for s in clients_of(session, name))
    if name is Server.ADMIN:  # this very call holds one of the admin server's workers
        busy += 1
    # Calls run on the event loop, not on threads: "current" is the pool libvirtd would keep
    # (at least min_workers), "free" what of it no call holds.
    current = max(settings.min_workers, min(busy, settings.max_workers))
    params = [
        param(api.VIR_THREADPOOL_WORKERS_MIN, UINT, settings.min_workers),
        param(api.VIR_THREADPOOL_WORKERS_MAX, UINT, settings.max_workers),
        param(api.VIR_THREADPOOL_WORKERS_CURRENT, UINT, current),
        param(api.VIR_THREADPOOL_WORKERS_FREE, UINT, max(0, current - busy)),
        param(api.VIR_THREADPOOL_WORKERS_PRIORITY, UINT, settings.prio_workers),
        param(api.VIR_THREADPOOL_JOB_QUEUE_DEPTH, UINT, 0),
    ]
    return admin.admin_server_get_threadpool_parameters_ret(params)


@admin_procedure(admin.ADMIN_PROC_SERVER_SET_THREADPOOL_PARAMETERS)
def set_threadpool_parameters(session: ClientSession, args: Any) -> None:
    name = server_name(session, args.srv.name, by_dispatcher=True)
    check_field_names(args.params)
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminServerSetThreadPoolParameters")
    values = typed_values(
        args.params,
        {
            api.VIR_THREADPOOL_WORKERS_MIN: UINT,
            api.VIR_THREADPOOL_WORKERS_MAX: UINT,
            api.VIR_THREADPOOL_WORKERS_PRIORITY: UINT,
        },
    )
    settings = server_settings(session, name)
    new_max = values.get(api.VIR_THREADPOOL_WORKERS_MAX)
    new_min = values.get(api.VIR_THREADPOOL_WORKERS_MIN, settings.min_workers)
    if new_min > (settings.max_workers if new_max is None else new_max):
        raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_NONE, "minWorkers cannot be larger than maxWorkers")
    if new_max is not None and (new_max == 0) != (settings.max_workers == 0):
        raise report(
            api.VIR_ERR_INVALID_ARG,
            api.VIR_FROM_NONE,
            "maxWorkers must not be switched from zero to non-zero and vice versa",
        )
    settings.min_workers = new_min
    if new_max is not None:
        settings.max_workers = new_max
    if api.VIR_THREADPOOL_WORKERS_PRIORITY in values:
        settings.prio_workers = values[api.VIR_THREADPOOL_WORKERS_PRIORITY]
    if name is Server.LIBVIRTD:  # what new clients' priority lanes are sized by
        config = session.daemon.config
        config.min_workers, config.max_workers = settings.min_workers, settings.max_workers
        config.prio_workers = settings.prio_workers


@admin_procedure(admin.ADMIN_PROC_SERVER_LIST_CLIENTS)
def list_clients(session: ClientSession, args: admin.admin_server_list_clients_args) -> Any:
    name = server_name(session, args.srv.name)
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminServerListClients")
    clients = clients_of(session, name)
    refs = [client_ref(c, name) for c in clients] if args.need_results else []
    return admin.admin_server_list_clients_ret(refs, len(clients))


def find_client(
    session: ClientSession, server: Server, client_id: int, *, by_dispatcher: bool = False
) -> ClientSession:
    """The client with that id; an unknown one refused as virNetServerGetClient refuses it,
    or as the hand-written dispatcher of CLIENT_GET_INFO does (by_dispatcher)."""
    for client in clients_of(session, server):
        if client.server_client_id == client_id:
            return client
    if by_dispatcher:
        detail = f"no client with matching id '{client_id}' found"
        raise report(api.VIR_ERR_NO_CLIENT, api.VIR_FROM_ADMIN, detail)
    raise report(api.VIR_ERR_NO_CLIENT, api.VIR_FROM_RPC, f"No client with matching ID '{client_id}'")


@admin_procedure(admin.ADMIN_PROC_SERVER_LOOKUP_CLIENT)
def lookup_client(session: ClientSession, args: admin.admin_server_lookup_client_args) -> Any:
    name = server_name(session, args.srv.name)
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminServerLookupClient")
    return admin.admin_server_lookup_client_ret(client_ref(find_client(session, name, args.id), name))


@admin_procedure(admin.ADMIN_PROC_CLIENT_GET_INFO)
def client_info(session: ClientSession, args: admin.admin_client_get_info_args) -> Any:
    server = server_name(session, args.clnt.srv.name, by_dispatcher=True)
    client = find_client(session, server, args.clnt.id, by_dispatcher=True)
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminClientGetInfo")
    if not client.has_identity:  # virNetServerClientGetInfo: no call of the client's has run yet
        raise internal_error(api.VIR_FROM_RPC, "No identity information available for client")
    identity = client.forwarded_identity if client.forwarded_identity is not None else own_identity(client)
    # adminClientGetInfo's order: the SASL name, then the address and DN of a network
    # client or the credentials of a local one, then the SELinux context
    params = [param(api.VIR_CLIENT_INFO_READONLY, BOOLEAN, int(client.read_only))]
    sasl_user = identity.get(api.VIR_CONNECT_IDENTITY_SASL_USER_NAME)
    if sasl_user is not None:
        params.append(param(api.VIR_CLIENT_INFO_SASL_USER_NAME, STRING, sasl_user))
    if client.kind in (SocketKind.TCP, SocketKind.TLS):
        params.append(param(api.VIR_CLIENT_INFO_SOCKET_ADDR, STRING, peer_address(client)))
        if api.VIR_CONNECT_IDENTITY_X509_DISTINGUISHED_NAME in identity:
            dname = identity[api.VIR_CONNECT_IDENTITY_X509_DISTINGUISHED_NAME]
            params.append(param(api.VIR_CLIENT_INFO_X509_DISTINGUISHED_NAME, STRING, dname))
    else:
        for key, field, kind in LOCAL_IDENTITY:
            if key in identity:
                value = identity[key]
                params.append(param(field, kind, as_c_int(value) if kind == INT else value))
    selinux_context = identity.get(api.VIR_CONNECT_IDENTITY_SELINUX_CONTEXT)
    if selinux_context is not None:
        params.append(param(api.VIR_CLIENT_INFO_SELINUX_CONTEXT, STRING, selinux_context))
    return admin.admin_client_get_info_ret(params)


# A local client's identity attributes as client-info shows them (its C int fields)
LOCAL_IDENTITY = (
    (api.VIR_CONNECT_IDENTITY_UNIX_USER_ID, api.VIR_CLIENT_INFO_UNIX_USER_ID, INT),
    (api.VIR_CONNECT_IDENTITY_USER_NAME, api.VIR_CLIENT_INFO_UNIX_USER_NAME, STRING),
    (api.VIR_CONNECT_IDENTITY_UNIX_GROUP_ID, api.VIR_CLIENT_INFO_UNIX_GROUP_ID, INT),
    (api.VIR_CONNECT_IDENTITY_GROUP_NAME, api.VIR_CLIENT_INFO_UNIX_GROUP_NAME, STRING),
    (api.VIR_CONNECT_IDENTITY_PROCESS_ID, api.VIR_CLIENT_INFO_UNIX_PROCESS_ID, INT),
)


def own_identity(client: ClientSession) -> dict[str, Any]:
    """The identity libvirtd makes for a client (virNetServerClientCreateIdentity), by the
    attribute names of libvirt's identities."""
    identity: dict[str, Any] = {}
    pid, uid, gid = client.identity
    if uid is not None and gid is not None:
        identity[api.VIR_CONNECT_IDENTITY_USER_NAME] = _user(uid)
        identity[api.VIR_CONNECT_IDENTITY_UNIX_USER_ID] = uid
        identity[api.VIR_CONNECT_IDENTITY_GROUP_NAME] = _group(gid)
        identity[api.VIR_CONNECT_IDENTITY_UNIX_GROUP_ID] = gid
        identity[api.VIR_CONNECT_IDENTITY_PROCESS_ID] = pid
    if isinstance(client.auth_state, str):  # the SASL user name once authenticated
        identity[api.VIR_CONNECT_IDENTITY_SASL_USER_NAME] = client.auth_state
    from .tls import client_dname

    dname = client_dname(client.id)
    if dname:
        identity[api.VIR_CONNECT_IDENTITY_X509_DISTINGUISHED_NAME] = dname
    return identity


def peer_address(client: ClientSession) -> str:
    """A network client's address as libvirt writes it for client-info: host:port, [host]:port
    for IPv6 (virSocketAddrFormatFull)."""
    try:
        host, port = client.sock.getpeername()[:2]
    except OSError:
        return ""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@admin_procedure(admin.ADMIN_PROC_CLIENT_CLOSE)
def client_close(session: ClientSession, args: admin.admin_client_close_args) -> None:
    client = find_client(session, server_name(session, args.clnt.srv.name), args.clnt.id)
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminClientClose")
    client.disconnect("closed by virt-admin")


@admin_procedure(admin.ADMIN_PROC_SERVER_GET_CLIENT_LIMITS)
def client_limits(session: ClientSession, args: Any) -> Any:
    name = server_name(session, args.srv.name)
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminServerGetClientLimits")
    settings = server_settings(session, name)
    params = [
        param(api.VIR_SERVER_CLIENTS_MAX, UINT, settings.max_clients),
        param(api.VIR_SERVER_CLIENTS_CURRENT, UINT, len(clients_of(session, name))),
        param(api.VIR_SERVER_CLIENTS_UNAUTH_MAX, UINT, settings.max_anonymous_clients),
        param(api.VIR_SERVER_CLIENTS_UNAUTH_CURRENT, UINT, 0),
    ]
    return admin.admin_server_get_client_limits_ret(params)


@admin_procedure(admin.ADMIN_PROC_SERVER_SET_CLIENT_LIMITS)
def set_client_limits(session: ClientSession, args: Any) -> None:
    name = server_name(session, args.srv.name, by_dispatcher=True)
    check_field_names(args.params)
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminServerSetClientLimits")
    values = typed_values(args.params, {api.VIR_SERVER_CLIENTS_MAX: UINT, api.VIR_SERVER_CLIENTS_UNAUTH_MAX: UINT})
    settings = server_settings(session, name)
    new_max = values.get(api.VIR_SERVER_CLIENTS_MAX, settings.max_clients)
    new_unauth = values.get(api.VIR_SERVER_CLIENTS_UNAUTH_MAX, settings.max_anonymous_clients)
    if new_max < new_unauth:
        raise report(
            api.VIR_ERR_INVALID_ARG,
            api.VIR_FROM_RPC,
            "The overall maximum number of clients waiting for authentication must not be less than the "
            "overall maximum number of clients",
        )
    settings.max_clients, settings.max_anonymous_clients = new_max, new_unauth
    config = session.daemon.config  # the accept loops read it for every connection
    if name is Server.LIBVIRTD:
        config.max_clients, config.max_anonymous_clients = new_max, new_unauth
    else:
        config.admin_max_clients = new_max
    session.daemon.limits_changed()


@admin_procedure(admin.ADMIN_PROC_CONNECT_GET_LOGGING_OUTPUTS)
def logging_outputs(session: ClientSession, args: Any) -> Any:
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminConnectGetLoggingOutputs")
    outputs = logs.current.effective_outputs()
    return admin.admin_connect_get_logging_outputs_ret(" ".join(o.text() for o in outputs), len(outputs))


@admin_procedure(admin.ADMIN_PROC_CONNECT_GET_LOGGING_FILTERS)
def logging_filters(session: ClientSession, args: Any) -> Any:
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminConnectGetLoggingFilters")
    text = logs.current.filters_text()
    return admin.admin_connect_get_logging_filters_ret(text or None, len(logs.current.filters))


def _reconfigure(session: ClientSession, filters: str | None = None, outputs: str | None = None) -> None:
    try:
        warnings = logs.configure(filters=filters, outputs=outputs)
    except logs.LogSpecError as error:
        raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_NONE, str(error)) from None
    except logs.LogFileError as error:
        raise report(api.VIR_ERR_SYSTEM_ERROR, api.VIR_FROM_NONE, str(error)) from None
    config = session.daemon.config
    config.log_filters, config.log_outputs = (
        logs.current.filters_text(),
        " ".join(o.text() for o in logs.current.outputs),
    )
    for warning in warnings:
        logging.getLogger("virtrio.server.admin").warning("%s", warning)


@admin_procedure(admin.ADMIN_PROC_CONNECT_SET_LOGGING_OUTPUTS)
def set_logging_outputs(session: ClientSession, args: admin.admin_connect_set_logging_outputs_args) -> None:
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminConnectSetLoggingOutputs")
    _reconfigure(session, outputs=args.outputs or "")


@admin_procedure(admin.ADMIN_PROC_CONNECT_SET_LOGGING_FILTERS)
def set_logging_filters(session: ClientSession, args: admin.admin_connect_set_logging_filters_args) -> None:
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminConnectSetLoggingFilters")
    _reconfigure(session, filters=args.filters or "")


@admin_procedure(admin.ADMIN_PROC_CONNECT_SET_DAEMON_TIMEOUT)
def set_daemon_timeout(session: ClientSession, args: admin.admin_connect_set_daemon_timeout_args) -> None:
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminConnectSetDaemonTimeout")
    session.daemon.set_idle_timeout(args.timeout or None)


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
