"""The ADMIN program (virt-admin): servers, their thread pool and client limits, clients,
logging settings and the daemon's idle timeout, answered by the daemon itself."""

from __future__ import annotations

import grp
import pwd
from typing import TYPE_CHECKING, Any

from virtrio.protocol.generated import admin
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import check_flags, report

from .dispatch import server_procedure

if TYPE_CHECKING:
    from .session import ClientSession

SERVERS = ("libvirtd", "admin")  # the hypervisor sockets' server and the admin socket's
UINT, INT, BOOLEAN, STRING = (api.VIR_TYPED_PARAM_UINT, api.VIR_TYPED_PARAM_INT, api.VIR_TYPED_PARAM_BOOLEAN,
                              api.VIR_TYPED_PARAM_STRING)  # fmt: skip


def admin_procedure(number: int):
    return server_procedure(admin.PROGRAM, number)


def param(field: str, kind: int, value: Any) -> admin.admin_typed_param:
    return admin.admin_typed_param(field, admin.admin_typed_param_value(kind, value))


def server_name(session: ClientSession, name: str) -> str:
    if name not in SERVERS:
        raise report(api.VIR_ERR_NO_SERVER, api.VIR_FROM_RPC, f"No server named '{name}'")
    return name


def clients_of(session: ClientSession, name: str) -> list[ClientSession]:
    wanted_admin = name == "admin"
    return sorted((s for s in session.daemon.sessions if (s.kind == "admin") == wanted_admin), key=lambda s: s.id)


def client_ref(client: ClientSession, server: str) -> admin.admin_nonnull_client:
    transport = api.VIR_CLIENT_TRANS_TCP if client.kind == "tcp" else api.VIR_CLIENT_TRANS_UNIX
    return admin.admin_nonnull_client(admin.admin_nonnull_server(server), client.id, int(client.wall_connected_at),
                                      transport)  # fmt: skip


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
    server_name(session, args.srv.name)
    config = session.daemon.config
    busy = sum(s.busy_calls for s in clients_of(session, args.srv.name))
    params = [
        param(api.VIR_THREADPOOL_WORKERS_MIN, UINT, 0),
        param(api.VIR_THREADPOOL_WORKERS_MAX, UINT, config.max_workers),
        param(api.VIR_THREADPOOL_WORKERS_PRIORITY, UINT, config.prio_workers),
        param(api.VIR_THREADPOOL_WORKERS_FREE, UINT, max(0, config.max_workers - busy)),
        param(api.VIR_THREADPOOL_WORKERS_CURRENT, UINT, busy),
        param(api.VIR_THREADPOOL_JOB_QUEUE_DEPTH, UINT, 0),
    ]
    return admin.admin_server_get_threadpool_parameters_ret(params)


@admin_procedure(admin.ADMIN_PROC_SERVER_LIST_CLIENTS)
def list_clients(session: ClientSession, args: admin.admin_server_list_clients_args) -> Any:
    name = server_name(session, args.srv.name)
    clients = clients_of(session, name)
    refs = [client_ref(c, name) for c in clients] if args.need_results else []
    return admin.admin_server_list_clients_ret(refs, len(clients))


def find_client(session: ClientSession, server: str, client_id: int) -> ClientSession:
    for client in clients_of(session, server):
        if client.id == client_id:
            return client
    raise report(api.VIR_ERR_NO_CLIENT, api.VIR_FROM_RPC, f"No client with matching ID '{client_id}'")


@admin_procedure(admin.ADMIN_PROC_SERVER_LOOKUP_CLIENT)
def lookup_client(session: ClientSession, args: admin.admin_server_lookup_client_args) -> Any:
    name = server_name(session, args.srv.name)
    return admin.admin_server_lookup_client_ret(client_ref(find_client(session, name, args.id), name))


@admin_procedure(admin.ADMIN_PROC_CLIENT_GET_INFO)
def client_info(session: ClientSession, args: admin.admin_client_get_info_args) -> Any:
    client = find_client(session, server_name(session, args.clnt.srv.name), args.clnt.id)
    params = [param(api.VIR_CLIENT_INFO_READONLY, BOOLEAN, int(client.read_only))]
    pid, uid, gid = client.identity
    if uid is not None:
        params.append(param(api.VIR_CLIENT_INFO_UNIX_USER_ID, INT, uid))
        params.append(param(api.VIR_CLIENT_INFO_UNIX_USER_NAME, STRING, _user(uid)))
        params.append(param(api.VIR_CLIENT_INFO_UNIX_GROUP_ID, INT, gid))
        params.append(param(api.VIR_CLIENT_INFO_UNIX_GROUP_NAME, STRING, _group(gid)))
        params.append(param(api.VIR_CLIENT_INFO_UNIX_PROCESS_ID, INT, pid))
    return admin.admin_client_get_info_ret(params)


@admin_procedure(admin.ADMIN_PROC_CLIENT_CLOSE)
def client_close(session: ClientSession, args: admin.admin_client_close_args) -> None:
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminClientClose")
    find_client(session, server_name(session, args.clnt.srv.name), args.clnt.id).disconnect("closed by virt-admin")


@admin_procedure(admin.ADMIN_PROC_SERVER_GET_CLIENT_LIMITS)
def client_limits(session: ClientSession, args: Any) -> Any:
    name = server_name(session, args.srv.name)
    config = session.daemon.config
    params = [
        param(api.VIR_SERVER_CLIENTS_MAX, UINT, config.max_clients),
        param(api.VIR_SERVER_CLIENTS_CURRENT, UINT, len(clients_of(session, name))),
        param(api.VIR_SERVER_CLIENTS_UNAUTH_MAX, UINT, config.max_anonymous_clients),
        param(api.VIR_SERVER_CLIENTS_UNAUTH_CURRENT, UINT, 0),
    ]
    return admin.admin_server_get_client_limits_ret(params)


@admin_procedure(admin.ADMIN_PROC_CONNECT_GET_LOGGING_OUTPUTS)
def logging_outputs(session: ClientSession, args: Any) -> Any:
    config = session.daemon.config
    return admin.admin_connect_get_logging_outputs_ret(config.log_outputs or f"{config.log_level}:stderr", 1)


@admin_procedure(admin.ADMIN_PROC_CONNECT_GET_LOGGING_FILTERS)
def logging_filters(session: ClientSession, args: Any) -> Any:
    filters = session.daemon.config.log_filters
    return admin.admin_connect_get_logging_filters_ret(filters or None, len(filters.split()))


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
