"""virt-admin server-update-tls: the TLS certificates read again for new clients; connected
clients keep the context they shook hands with (ADMIN_PROC_SERVER_UPDATE_TLS_FILES)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import trio

from virtrio.protocol.generated import admin
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import check_flags, internal_error

from .admin_procs import server_name
from .dispatch import HandlerTable, handler_table

if TYPE_CHECKING:
    from .session import ClientSession


HANDLERS: HandlerTable = {}  # dispatch.ADMIN
admin_procedure = handler_table(HANDLERS)


@admin_procedure(admin.ADMIN_PROC_SERVER_UPDATE_TLS_FILES)
async def update_tls_files(session: ClientSession, args: admin.admin_server_update_tls_files_args) -> Any:
    name = server_name(session, args.srv.name)
    check_flags(args.flags, 0, api.VIR_FROM_ADMIN, "adminServerUpdateTlsFiles")
    tls = session.daemon.tls
    if tls is None or name != "libvirtd":  # only the hypervisor server has a TLS service
        raise internal_error(api.VIR_FROM_RPC, "no tls service found, unable to update tls files")
    from .tls import TLSSetupError, make_contexts

    try:  # the files are read on a thread: the loop keeps serving meanwhile
        contexts = await trio.to_thread.run_sync(make_contexts, tls.config)
    except TLSSetupError as error:
        raise internal_error(api.VIR_FROM_RPC, str(error)) from None
    tls.contexts = contexts
    return None
