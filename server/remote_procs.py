"""The REMOTE procedures the daemon answers itself: authentication, opening and closing,
features, the connection's identity, and event (de)registration."""

from __future__ import annotations

import inspect
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from virtrio.drivers.base import EventFamily
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import error_not_set, internal_error, report

from . import features
from .auth import AuthMethod, auth_method
from .dispatch import HandlerTable, handler_table
from .events import EventStyle, Registration, event_id_limit

if TYPE_CHECKING:
    from .session import ClientSession

PROGRAM = remote.PROGRAM
LIB_VERSION = api.LIBVIR_VERSION_NUMBER  # 9000000: clients gate features on it
FROM_RPC = api.VIR_FROM_RPC


HANDLERS: HandlerTable = {}  # REMOTE procedures the server answers itself (dispatch.REMOTE)
remote_procedure = handler_table(HANDLERS)


def hypervisor(session: ClientSession) -> Any:
    if session.conn is None:
        raise internal_error(FROM_RPC, "hypervisor connection not open")
    return session.conn


def secondary(session: ClientSession) -> Any:
    """The connection as libvirtd's network, storage, node device and secret calls find it:
    before CONNECT_OPEN their URI is unset, "connection not open" (remoteOpenConn)."""
    if session.conn is None:
        raise internal_error(FROM_RPC, "connection not open")
    return session.conn


@remote_procedure(remote.REMOTE_PROC_AUTH_LIST)
def auth_list(session: ClientSession, args: None) -> remote.remote_auth_list_ret:
    needed = auth_method(session.daemon.config, session.kind)
    return remote.remote_auth_list_ret(
        [remote.REMOTE_AUTH_SASL if needed is AuthMethod.SASL else remote.REMOTE_AUTH_NONE]
    )


@remote_procedure(remote.REMOTE_PROC_AUTH_POLKIT)
def auth_polkit(session: ClientSession, args: None) -> None:
    # No socket of ours authenticates with polkit: libvirtd fails such a request (its
    # "invalid PolicyKit init request") without setting an error.
    raise error_not_set()


# virIdentitySetParameters: the attributes a forwarded identity may have, and their types
IDENTITY_PARAMETERS = {
    api.VIR_CONNECT_IDENTITY_USER_NAME: api.VIR_TYPED_PARAM_STRING,
    api.VIR_CONNECT_IDENTITY_UNIX_USER_ID: api.VIR_TYPED_PARAM_ULLONG,
    api.VIR_CONNECT_IDENTITY_GROUP_NAME: api.VIR_TYPED_PARAM_STRING,
    api.VIR_CONNECT_IDENTITY_UNIX_GROUP_ID: api.VIR_TYPED_PARAM_ULLONG,
    api.VIR_CONNECT_IDENTITY_PROCESS_ID: api.VIR_TYPED_PARAM_LLONG,
    api.VIR_CONNECT_IDENTITY_PROCESS_TIME: api.VIR_TYPED_PARAM_ULLONG,
    api.VIR_CONNECT_IDENTITY_SASL_USER_NAME: api.VIR_TYPED_PARAM_STRING,
    api.VIR_CONNECT_IDENTITY_X509_DISTINGUISHED_NAME: api.VIR_TYPED_PARAM_STRING,
    api.VIR_CONNECT_IDENTITY_SELINUX_CONTEXT: api.VIR_TYPED_PARAM_STRING,
    "system.token": api.VIR_TYPED_PARAM_STRING,
}


@remote_procedure(remote.REMOTE_PROC_CONNECT_SET_IDENTITY)
def set_identity(session: ClientSession, args: remote.remote_connect_set_identity_args) -> None:
    """The identity a client forwards (libvirt's split daemons do) replaces its own, as
    virt-admin's client-info then shows it; nothing else in virtrio reads identities."""
    hypervisor(session)
    from .admin_procs import check_field_names, typed_values  # (the admin module loads on first use)

    check_field_names(args.params)
    session.forwarded_identity = typed_values(args.params, IDENTITY_PARAMETERS)


@remote_procedure(remote.REMOTE_PROC_CONNECT_SUPPORTS_FEATURE)
def supports_feature(
    session: ClientSession, args: remote.remote_connect_supports_feature_args
) -> remote.remote_connect_supports_feature_ret:
    feature = args.feature
    if feature == features.PROGRAM_KEEPALIVE:
        session.start_keepalive()
        return remote.remote_connect_supports_feature_ret(1)
    conn = hypervisor(session)
    supported = feature in features.DAEMON_FEATURES or feature in features.GLOBAL_FEATURES or feature in conn.features
    return remote.remote_connect_supports_feature_ret(int(supported))


@remote_procedure(remote.REMOTE_PROC_CONNECT_OPEN)
def connect_open(session: ClientSession, args: remote.remote_connect_open_args) -> Coroutine[Any, Any, None] | None:
    if session.conn is not None:
        # libvirtd drops the open connection here too, then refuses.
        session.drop_connection()
        raise internal_error(FROM_RPC, "connection already open")
    if args.name is None:
        raise internal_error(FROM_RPC, "connection not open")
    read_only = session.read_only or bool(args.flags & api.VIR_CONNECT_RO)
    name = args.name or session.daemon.config.default_uri
    if not urlsplit(name).scheme:
        raise report(api.VIR_ERR_NO_CONNECT, api.VIR_FROM_NONE, f"URI '{name}' does not include a driver name")
    opened = session.daemon.open_connection(name, read_only, session)
    if not inspect.isawaitable(opened):
        session.conn, session.read_only = opened, read_only
        return None

    async def once_opened() -> None:  # a node file read in a worker thread: this client waits
        session.conn, session.read_only = await opened, read_only

    return once_opened()


@remote_procedure(remote.REMOTE_PROC_CONNECT_CLOSE)
def connect_close(session: ClientSession, args: None) -> None:
    session.drop_connection()  # the session closes the socket after the reply


@remote_procedure(remote.REMOTE_PROC_CONNECT_GET_URI)
def get_uri(session: ClientSession, args: None) -> remote.remote_connect_get_uri_ret:
    return remote.remote_connect_get_uri_ret(hypervisor(session).uri)


@remote_procedure(remote.REMOTE_PROC_CONNECT_GET_LIB_VERSION)
def get_lib_version(session: ClientSession, args: None) -> remote.remote_connect_get_lib_version_ret:
    conn = hypervisor(session)
    method = getattr(conn, "connect_get_lib_version", None)
    return method() if method else remote.remote_connect_get_lib_version_ret(LIB_VERSION)


@remote_procedure(remote.REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK)
def register_close_callback(session: ClientSession, args: None) -> None:
    hypervisor(session)
    session.close_callback_registered = True


@remote_procedure(remote.REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK)
def unregister_close_callback(session: ClientSession, args: None) -> None:
    hypervisor(session)
    session.close_callback_registered = False


# ---------------------------------------------------------------------------- events
FAMILY_LABELS = {
    EventFamily.DOMAIN: "domain",
    EventFamily.NETWORK: "network",
    EventFamily.STORAGE: "storage pool",
    EventFamily.NODEDEV: "node device",
    EventFamily.SECRET: "secret",
}


def _register(session: ClientSession, family: EventFamily, event_id: int, object_filter: Any, style: EventStyle) -> int:
    conn = hypervisor(session)
    limit = 16 if style is EventStyle.LEGACY else event_id_limit(family)
    if event_id < 0 or event_id >= limit:
        label = "" if family is EventFamily.DOMAIN else FAMILY_LABELS[family] + " "
        raise internal_error(FROM_RPC, f"unsupported {label}event ID {event_id}")
    source = conn.events()
    if source is None:
        raise report(api.VIR_ERR_NO_SUPPORT, api.VIR_FROM_NONE, "virConnectDomainEventRegisterAny")

    def deliver(callback_id: int, event: Any) -> None:
        session.deliver_event(style, callback_id, event)

    callback_id: int = source.subscribe(family, event_id, object_filter, deliver)
    session.add_event_callback(callback_id, Registration(family, style, event_id))
    return callback_id


def _deregister(session: ClientSession, family: EventFamily, callback_id: int, message: str) -> None:
    conn = hypervisor(session)
    source = conn.events()
    registration = session.event_callbacks.get(callback_id)
    if registration is None or registration.family != family or source is None:
        raise internal_error(FROM_RPC, message)
    source.unsubscribe(callback_id, family)
    del session.event_callbacks[callback_id]


def _uuid(obj: Any) -> bytes | None:
    return None if obj is None else obj.uuid


@remote_procedure(remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY)
def domain_callback_register(session: ClientSession, args: Any) -> Any:
    callback_id = _register(session, EventFamily.DOMAIN, args.eventID, _uuid(args.dom), EventStyle.CALLBACK)
    return remote.remote_connect_domain_event_callback_register_any_ret(callback_id)


@remote_procedure(remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY)
def domain_callback_deregister(session: ClientSession, args: Any) -> None:
    _deregister(session, EventFamily.DOMAIN, args.callbackID, f"domain event callback {args.callbackID} not registered")


def _legacy_ids(session: ClientSession, event_id: int) -> list[int]:
    # Only domain events have the legacy registrations.
    wanted = Registration(EventFamily.DOMAIN, EventStyle.LEGACY, event_id)
    return [cid for cid, registration in session.event_callbacks.items() if registration == wanted]


@remote_procedure(remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY)
def domain_register_any(session: ClientSession, args: Any) -> None:
    hypervisor(session)
    if args.eventID < 0 or args.eventID > 15:
        raise internal_error(FROM_RPC, f"unsupported event ID {args.eventID}")
    if _legacy_ids(session, args.eventID):
        raise internal_error(FROM_RPC, f"domain event {args.eventID} already registered")
    _register(session, EventFamily.DOMAIN, args.eventID, None, EventStyle.LEGACY)


@remote_procedure(remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY)
def domain_deregister_any(session: ClientSession, args: Any) -> None:
    hypervisor(session)
    ids = _legacy_ids(session, args.eventID)
    if not ids:
        raise internal_error(FROM_RPC, f"domain event {args.eventID} not registered")
    _deregister(session, EventFamily.DOMAIN, ids[0], "")


@remote_procedure(remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER)
def domain_register(session: ClientSession, args: None) -> Any:
    domain_register_any(session, remote.remote_connect_domain_event_register_any_args(0))
    return remote.remote_connect_domain_event_register_ret(0)  # libvirtd leaves cb_registered unset


@remote_procedure(remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER)
def domain_deregister(session: ClientSession, args: None) -> Any:
    domain_deregister_any(session, remote.remote_connect_domain_event_deregister_any_args(0))
    return remote.remote_connect_domain_event_deregister_ret(0)


def _simple_family(family: EventFamily, register: int, deregister: int, object_field: str, ret_name: str) -> None:
    # The reply class by name, looked up when called: remote's classes load with their
    # procedure's codecs, which a daemon that never sees the call should not import.
    label = FAMILY_LABELS[family]
    # libvirt 9.0.0's secret deregistration reports its failure with the node device text.
    deregister_label = "node device" if family is EventFamily.SECRET else label

    @remote_procedure(register)
    def register_any(session: ClientSession, args: Any) -> Any:
        secondary(session)
        target = getattr(args, object_field)
        object_filter = None if target is None else getattr(target, "uuid", getattr(target, "name", None))
        return getattr(remote, ret_name)(_register(session, family, args.eventID, object_filter, EventStyle.CALLBACK))

    @remote_procedure(deregister)
    def deregister_any(session: ClientSession, args: Any) -> None:
        secondary(session)
        message = f"{deregister_label} event callback {args.callbackID} not registered"
        _deregister(session, family, args.callbackID, message)


_simple_family(
    EventFamily.NETWORK,
    remote.REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY,
    remote.REMOTE_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY,
    "net",
    "remote_connect_network_event_register_any_ret",
)
_simple_family(
    EventFamily.STORAGE,
    remote.REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
    remote.REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
    "pool",
    "remote_connect_storage_pool_event_register_any_ret",
)
_simple_family(
    EventFamily.NODEDEV,
    remote.REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY,
    remote.REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY,
    "dev",
    "remote_connect_node_device_event_register_any_ret",
)
_simple_family(
    EventFamily.SECRET,
    remote.REMOTE_PROC_CONNECT_SECRET_EVENT_REGISTER_ANY,
    remote.REMOTE_PROC_CONNECT_SECRET_EVENT_DEREGISTER_ANY,
    "secret",
    "remote_connect_secret_event_register_any_ret",
)
