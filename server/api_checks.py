"""libvirt's public API checks that come before its read-only refusal and before any driver.

libvirtd's dispatcher calls the public API (src/libvirt-*.c), whose first checks on some
arguments precede virCheckReadOnlyGoto and the driver's table: a read-only client, or a
driver without the call, meets them first. Only those a call can trip are listed (a
remote_nonnull_string is never NULL; pointers the dispatcher fills are never NULL); the
drivers make the rest. Each check raises the API's own error (drivers.public_api).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from virtrio.drivers import public_api
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import internal_error

QEMU_PROGRAM = 0x20008087  # qemu_protocol.x (its module is loaded only by a first QEMU call)
QEMU_PROC_DOMAIN_ATTACH = 2


def _send_process_signal(args: Any) -> None:
    public_api.non_zero(args.pid_value, "pid_value", "virDomainSendProcessSignal")


def _rename(args: Any) -> None:
    public_api.non_empty_string(args.new_name, "new_name", "virDomainRename")


def _managed_save_define(args: Any) -> None:
    public_api.exclusive(
        args.flags, "VIR_DOMAIN_SAVE_RUNNING", "VIR_DOMAIN_SAVE_PAUSED", "virDomainManagedSaveDefineXML"
    )


def _authorized_keys_set(args: Any) -> None:
    function = "virDomainAuthorizedSSHKeysSet"
    append, remove = "VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND", "VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE"
    if args.flags & (getattr(api, append) | getattr(api, remove)):  # keys are needed to add or remove
        public_api.non_null(bool(args.keys), "keys", function)
    public_api.exclusive(args.flags, append, remove, function)


def _baseline_hypervisor_cpu(args: Any) -> None:
    public_api.non_null(bool(args.xmlCPUs), "xmlCPUs", "virConnectBaselineHypervisorCPU")


def _set_launch_security_state(args: Any) -> None:
    public_api.set_parameters(args.params, "virDomainSetLaunchSecurityState")


def _qemu_attach(args: Any) -> None:
    # libvirt-qemu.c reports from VIR_FROM_NONE
    public_api.non_zero(args.pid_value, "pid_value", "virDomainQemuAttach", api.VIR_FROM_NONE)


# (program, procedure) -> check
BEFORE_READ_ONLY: dict[tuple[int, int], Callable[[Any], None]] = {
    (remote.PROGRAM, remote.REMOTE_PROC_DOMAIN_SEND_PROCESS_SIGNAL): _send_process_signal,
    (remote.PROGRAM, remote.REMOTE_PROC_DOMAIN_RENAME): _rename,
    (remote.PROGRAM, remote.REMOTE_PROC_DOMAIN_MANAGED_SAVE_DEFINE_XML): _managed_save_define,
    (remote.PROGRAM, remote.REMOTE_PROC_DOMAIN_AUTHORIZED_SSH_KEYS_SET): _authorized_keys_set,
    (remote.PROGRAM, remote.REMOTE_PROC_CONNECT_BASELINE_HYPERVISOR_CPU): _baseline_hypervisor_cpu,
    (remote.PROGRAM, remote.REMOTE_PROC_DOMAIN_SET_LAUNCH_SECURITY_STATE): _set_launch_security_state,
    (QEMU_PROGRAM, QEMU_PROC_DOMAIN_ATTACH): _qemu_attach,
}


def _open_graphics_descriptor(args: Any, descriptors: int) -> None:
    # remoteDispatchDomainOpenGraphics takes the call's first descriptor before the API runs
    if descriptors == 0:
        raise internal_error(api.VIR_FROM_RPC, "No FD available at slot 0")


def _fd_associate_descriptors(args: Any, descriptors: int) -> None:
    # the dispatcher passes every descriptor the call brought; the API wants at least one
    public_api.non_zero(descriptors, "nfds", "virDomainFDAssociate")


# (program, procedure) -> check of the arguments and of how many descriptors the call brought
# (a CALL_WITH_FDS; the daemon closes them: no driver of virtrio's takes descriptors)
WITH_DESCRIPTORS: dict[tuple[int, int], Callable[[Any, int], None]] = {
    (remote.PROGRAM, remote.REMOTE_PROC_DOMAIN_OPEN_GRAPHICS): _open_graphics_descriptor,
    (remote.PROGRAM, remote.REMOTE_PROC_DOMAIN_FD_ASSOCIATE): _fd_associate_descriptors,
}
