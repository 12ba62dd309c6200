"""The QEMU procedures the daemon answers itself: monitor event deregistration, which
libvirtd's dispatcher checks against the callbacks it keeps before any driver is asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import internal_error

from .dispatch import HandlerTable, handler_table
from .remote_procs import hypervisor

if TYPE_CHECKING:
    from .session import ClientSession

QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER = 5  # qemu_protocol.x

HANDLERS: HandlerTable = {}  # QEMU procedures the server answers itself (dispatch.QEMU)
qemu_procedure = handler_table(HANDLERS)


@qemu_procedure(QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER)
def monitor_event_deregister(session: ClientSession, args: Any) -> None:
    # No driver of virtrio's registers monitor events, so no callback is ever kept.
    hypervisor(session)
    raise internal_error(api.VIR_FROM_RPC, f"qemu monitor event callback {args.callbackID} not registered")
