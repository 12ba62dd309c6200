"""Test driver: the remaining domain and host calls: dumps, keys, signals, guest filesystems, time, save images."""

from __future__ import annotations

import functools
import os

from virtrio.drivers import public_api
from virtrio.drivers.base import Offload
from virtrio.drivers.libvirt_rules import as_c_int, canonical_path
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import check_flags, error_not_set, internal_error, invalid_argument, no_support, report

from . import keycodes, save_image, snapshots, tuning
from .common import FROM_TEST, TestProcedures
from .formats import domain_xml
from .parse import PARSE_IN_THREAD_BYTES, parse_domain_xml
from .state import Domain

EXCLUSIVE_DUMP_FLAGS = (
    ("VIR_DUMP_CRASH", "VIR_DUMP_LIVE"),
    ("VIR_DUMP_CRASH", "VIR_DUMP_RESET"),
    ("VIR_DUMP_LIVE", "VIR_DUMP_RESET"),
)


def exclusive_dump_flags(flags: int, function: str) -> None:
    """VIR_EXCLUSIVE_FLAGS_GOTO in virDomainCoreDump and virDomainCoreDumpWithFormat."""
    for first, second in EXCLUSIVE_DUMP_FLAGS:
        if flags & getattr(api, first) and flags & getattr(api, second):
            detail = f"Flags '{first}' and '{second}' are mutually exclusive"
            raise invalid_argument(api.VIR_FROM_DOMAIN, detail, function, "ctl")


TOTAL_CPU_TIME = 48772617035  # ns: the domain's CPU time as libvirt's test driver reports it
GUEST_MOUNTS = ("/", "/boot")  # the guest's filesystems (as testDomainGetFSInfo lists them)


class DomainMiscProcedures(TestProcedures):
    # ----------------------------------------------------------------- host
    def node_get_free_pages(self, args: remote.remote_node_get_free_pages_args):
        for name, value in (("npages", len(args.pages)), ("cellCount", args.cellCount)):  # virNodeGetFreePages
            if value == 0:
                message = f"{name} in virNodeGetFreePages must not be zero"
                raise invalid_argument(api.VIR_FROM_DOMAIN, message, "virNodeGetFreePages", name)
        check_flags(args.flags, 0, FROM_TEST, "testNodeGetFreePages")
        # libvirt's test driver makes counts up but returns 0 entries, which libvirtd takes
        # for a failure that set no error.
        raise error_not_set()

    def connect_baseline_cpu(self, args: remote.remote_connect_baseline_cpu_args):
        if not args.xmlCPUs:  # libvirtd's own call finds no list at all
            raise invalid_argument(
                api.VIR_FROM_DOMAIN,
                "xmlCPUs in virConnectBaselineCPU must not be NULL",
                "virConnectBaselineCPU",
                "xmlCPUs",
            )
        check_flags(args.flags, api.VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES, FROM_TEST, "testConnectBaselineCPU")
        expand = bool(args.flags & api.VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES)
        from . import cpu_baseline  # (on first use: its tables cost every cold start ~2 ms otherwise)

        work = functools.partial(cpu_baseline.baseline, args.xmlCPUs, expand)
        # Read-only clients may ask too, with up to 256 documents of up to 4 MiB each: read
        # large ones in a worker thread (they touch no state), as large domain documents are.
        if sum(map(len, args.xmlCPUs)) > PARSE_IN_THREAD_BYTES:
            return Offload(work, remote.remote_connect_baseline_cpu_ret)
        return remote.remote_connect_baseline_cpu_ret(work())

    # ------------------------------------------------------------ lifecycle
    def domain_destroy_flags(self, args: remote.remote_domain_destroy_flags_args) -> None:
        check_flags(args.flags, api.VIR_DOMAIN_DESTROY_GRACEFUL, FROM_TEST, "testDomainDestroyFlags")
        self.domain_destroy(remote.remote_domain_destroy_args(args.dom))

    def domain_create_with_files(self, args: remote.remote_domain_create_with_files_args):
        # libvirt's test driver ignores the files and starts the domain as createWithFlags does.
        ret = self.domain_create_with_flags(remote.remote_domain_create_with_flags_args(args.dom, args.flags))
        return remote.remote_domain_create_with_files_ret(ret.dom)

    def domain_create_xml_with_files(self, args: remote.remote_domain_create_xml_with_files_args):
        return self._create_xml(
            args.xml_desc, args.flags, lambda created: remote.remote_domain_create_xml_with_files_ret(created.dom)
        )

    def domain_core_dump_with_format(self, args: remote.remote_domain_core_dump_with_format_args) -> Offload:
        # virDomainCoreDumpWithFormat's own checks come before the driver's (found by go-libvirt,
        # which calls the procedure without libvirt's client library in front of it)
        if args.dumpformat >= api.VIR_DOMAIN_CORE_DUMP_FORMAT_LAST:
            detail = f"dumpformat '{as_c_int(args.dumpformat)}' is not supported"
            raise invalid_argument(api.VIR_FROM_DOMAIN, detail, "virDomainCoreDumpWithFormat")
        exclusive_dump_flags(args.flags, "virDomainCoreDumpWithFormat")
        check_flags(args.flags, api.VIR_DUMP_CRASH, FROM_TEST, "testDomainCoreDumpWithFormat")
        domain = self._domain(args.dom)
        self._check_active(domain)

        def dumped(_: None) -> None:
            if args.dumpformat != api.VIR_DOMAIN_CORE_DUMP_FORMAT_RAW:  # checked once the file is written, as libvirt
                raise report(
                    api.VIR_ERR_OPERATION_UNSUPPORTED, FROM_TEST, "kdump-compressed format is not supported here"
                )
            if args.flags & api.VIR_DUMP_CRASH:
                self._still_there(domain, args.dom)
                self._check_active(domain)
                self._stop(domain, api.VIR_DOMAIN_SHUTOFF_CRASHED, api.VIR_DOMAIN_EVENT_STOPPED_CRASHED)

        # the file is the client's to name (a FIFO, a slow mount): written in a worker thread
        return Offload(functools.partial(_write_dump, canonical_path(args.to), args.dom.name), dumped)

    def domain_core_dump(self, args: remote.remote_domain_core_dump_args) -> Offload:
        exclusive_dump_flags(args.flags, "virDomainCoreDump")
        raw = api.VIR_DOMAIN_CORE_DUMP_FORMAT_RAW
        return self.domain_core_dump_with_format(
            remote.remote_domain_core_dump_with_format_args(args.dom, args.to, raw, args.flags)
        )

    # ----------------------------------------------------------- save images
    # The image is a file the client names (a FIFO, a slow mount can block its open, reads
    # and writes): these calls read and write it in a worker thread, never on the event loop.
    def domain_save_image_get_xml_desc(self, args: remote.remote_domain_save_image_get_xml_desc_args) -> Offload:
        check_flags(args.flags, api.VIR_DOMAIN_SAVE_IMAGE_XML_SECURE, FROM_TEST, "testDomainSaveImageGetXMLDesc")
        state, file = self.state, canonical_path(args.file)

        def work() -> str:
            return domain_xml(parse_domain_xml(save_image.read_image(file), state), True)

        return Offload(work, remote.remote_domain_save_image_get_xml_desc_ret)

    def domain_save_image_define_xml(self, args: remote.remote_domain_save_image_define_xml_args) -> Offload:
        allowed = api.VIR_DOMAIN_SAVE_RUNNING | api.VIR_DOMAIN_SAVE_PAUSED
        check_flags(args.flags, allowed, FROM_TEST, "testDomainSaveImageDefineXML")
        state, file = self.state, canonical_path(args.file)

        def work() -> None:
            parse_domain_xml(save_image.read_image(file), state)  # it must be a save image already
            replacement = parse_domain_xml(args.dxml, state)
            save_image.write_image(file, replacement.name, domain_xml(replacement, True))

        return Offload(work, lambda _: None)

    # --------------------------------------------------------------- guest
    def _running(self, ref: remote.remote_nonnull_domain) -> Domain:
        domain = self._domain(ref)
        self._check_active(domain)
        return domain

    def domain_get_launch_security_info(self, args: remote.remote_domain_get_launch_security_info_args):
        # libvirt's API adds VIR_TYPED_PARAM_STRING_OKAY (libvirtd's drivers take string
        # parameters) and the test driver accepts no flag: the call always fails there.
        flags = args.flags | api.VIR_TYPED_PARAM_STRING_OKAY
        check_flags(flags, 0, FROM_TEST, "testDomainGetLaunchSecurityInfo")
        return remote.remote_domain_get_launch_security_info_ret([])

    def domain_set_time(self, args: remote.remote_domain_set_time_args) -> None:
        check_flags(args.flags, api.VIR_DOMAIN_TIME_SYNC, FROM_TEST, "testDomainSetTime")
        guest = self._running(args.dom).guest
        guest.seconds, guest.nseconds = args.seconds, args.nseconds

    def domain_set_user_password(self, args: remote.remote_domain_set_user_password_args) -> None:
        public_api.non_null(args.user is not None, "user", "virDomainSetUserPassword")
        public_api.non_null(args.password is not None, "password", "virDomainSetUserPassword")
        check_flags(args.flags, api.VIR_DOMAIN_PASSWORD_ENCRYPTED, FROM_TEST, "testDomainSetUserPassword")
        self._running(args.dom)

    def _thaw_or_freeze(self, ref: remote.remote_nonnull_domain, mountpoints: list[str], freeze: bool) -> int:
        """How many filesystems changed; an unknown mount point changes none."""
        frozen = self._running(ref).guest.frozen
        chosen = mountpoints or list(GUEST_MOUNTS)
        for mountpoint in chosen:
            if mountpoint not in frozen:
                raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, f"mount point not found: {mountpoint}")
        changed = {mountpoint for mountpoint in chosen if frozen[mountpoint] != freeze}
        for mountpoint in changed:
            frozen[mountpoint] = freeze
        return len(changed)

    def domain_fsfreeze(self, args: remote.remote_domain_fsfreeze_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainFSFreeze")
        return remote.remote_domain_fsfreeze_ret(self._thaw_or_freeze(args.dom, args.mountpoints, True))

    def domain_fsthaw(self, args: remote.remote_domain_fsthaw_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainFSThaw")
        return remote.remote_domain_fsthaw_ret(self._thaw_or_freeze(args.dom, args.mountpoints, False))

    def domain_fstrim(self, args: remote.remote_domain_fstrim_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testDomainFSTrim")
        self._running(args.dom)
        if args.mountPoint is not None and args.mountPoint not in GUEST_MOUNTS:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, f"mount point not found: {args.mountPoint}")

    def domain_inject_nmi(self, args: remote.remote_domain_inject_nmi_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testDomainInjectNMI")
        self._running(args.dom)

    def domain_send_key(self, args: remote.remote_domain_send_key_args) -> None:
        public_api.non_null(bool(args.keycodes), "keycodes", "virDomainSendKey")
        if args.codeset >= api.VIR_KEYCODE_SET_LAST:
            detail = f"Unsupported codeset '{as_c_int(args.codeset)}'"
            raise invalid_argument(api.VIR_FROM_DOMAIN, detail, "virDomainSendKey", "codeset")
        check_flags(args.flags, 0, FROM_TEST, "testDomainSendKey")
        self._running(args.dom)
        for code in args.keycodes:
            if not keycodes.known(args.codeset, code):
                detail = f"invalid keycode {code} of {keycodes.set_name(args.codeset)} codeset"
                raise internal_error(FROM_TEST, detail)

    def domain_send_process_signal(self, args: remote.remote_domain_send_process_signal_args) -> None:
        # (the pid's check is the API's, made by the server: server/api_checks.py)
        check_flags(args.flags, 0, FROM_TEST, "testDomainSendProcessSignal")
        if args.pid_value != 1:
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "only sending a signal to pid 1 is supported")
        if args.signum >= api.VIR_DOMAIN_PROCESS_SIGNAL_LAST:
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, f"signum value {as_c_int(args.signum)} is out of range")
        self._domain(args.dom)  # and nothing happens

    def domain_block_peek(self, args: remote.remote_domain_block_peek_args):
        # not in libvirt's test driver either; the public API's check answers first
        public_api.non_empty_string(args.path, "disk", "virDomainBlockPeek")
        raise no_support(api.VIR_FROM_DOMAIN, "virDomainBlockPeek")

    def domain_memory_peek(self, args: remote.remote_domain_memory_peek_args):
        public_api.exclusive(args.flags, "VIR_MEMORY_VIRTUAL", "VIR_MEMORY_PHYSICAL", "virDomainMemoryPeek")
        check_flags(args.flags, api.VIR_MEMORY_VIRTUAL | api.VIR_MEMORY_PHYSICAL, FROM_TEST, "testDomainMemoryPeek")
        if args.flags not in (api.VIR_MEMORY_VIRTUAL, api.VIR_MEMORY_PHYSICAL):
            raise report(
                api.VIR_ERR_INVALID_ARG, FROM_TEST, "flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL"
            )
        self._running(args.dom)
        # the test guest's memory: each byte is its address, modulo 256
        start = args.offset & 0xFF
        # (made by repeating one round: a byte at a time, 65,536 of them took 5 ms of the loop)
        rounds = bytes(range(start, 256)) + bytes(range(256)) * (args.size // 256 + 1)
        return remote.remote_domain_memory_peek_ret(rounds[: args.size])

    # ------------------------------------------------------------ statistics
    def domain_get_cpu_stats(self, args: remote.remote_domain_get_cpu_stats_args):
        # virDomainGetCPUStats' own checks, before the driver's
        api_name = "virDomainGetCPUStats"
        if args.start_cpu == -1 and args.ncpus != 1:
            raise invalid_argument(api.VIR_FROM_DOMAIN, "ncpus must be 1 when start_cpu is -1", api_name, "start_cpu")
        if args.start_cpu < -1:
            message = f"start_cpu in {api_name} must be zero or greater"
            raise invalid_argument(api.VIR_FROM_DOMAIN, message, api_name, "start_cpu")
        if args.ncpus == 0 and args.nparams:  # the daemon allocates ncpus * nparams: none at all
            raise invalid_argument(api.VIR_FROM_DOMAIN, f"params in {api_name} must not be NULL", api_name, "params")
        check_flags(args.flags, api.VIR_TYPED_PARAM_STRING_OKAY, FROM_TEST, "testDomainGetCPUStats")
        self._running(args.dom)
        ullong = api.VIR_TYPED_PARAM_ULLONG
        if args.start_cpu == -1:  # the domain's totals
            totals = [
                tuning.typed(api.VIR_DOMAIN_CPU_STATS_CPUTIME, ullong, TOTAL_CPU_TIME),
                tuning.typed(api.VIR_DOMAIN_CPU_STATS_USERTIME, ullong, 5540000000),
                tuning.typed(api.VIR_DOMAIN_CPU_STATS_SYSTEMTIME, ullong, 6460000000),
            ]
            if args.nparams == 0:
                return remote.remote_domain_get_cpu_stats_ret([], len(totals))
            chosen = totals[: args.nparams]
            return remote.remote_domain_get_cpu_stats_ret(chosen, len(chosen))
        cpus = self.state.host.cores  # libvirt's test driver counts the host's cores per socket
        if args.nparams == 0 and args.ncpus != 0:
            return remote.remote_domain_get_cpu_stats_ret([], 2)
        if args.ncpus == 0:
            return remote.remote_domain_get_cpu_stats_ret([], cpus)
        if args.start_cpu >= cpus:
            detail = f"start_cpu {args.start_cpu} larger than maximum of {cpus - 1}"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        per_cpu = TOTAL_CPU_TIME // cpus
        params = []  # per CPU, its slots in order; slots the driver leaves empty are not sent
        for cpu in range(args.start_cpu, min(cpus, args.start_cpu + args.ncpus)):
            params.append(tuning.typed(api.VIR_DOMAIN_CPU_STATS_CPUTIME, ullong, per_cpu + cpu))
            if args.nparams > 1:
                params.append(tuning.typed(api.VIR_DOMAIN_CPU_STATS_VCPUTIME, ullong, per_cpu + cpu - 1234567890))
        return remote.remote_domain_get_cpu_stats_ret(params, 2 if args.nparams > 1 else 1)

    # ------------------------------------------------------------- snapshots
    def domain_snapshot_list_children_names(self, args: remote.remote_domain_snapshot_list_children_names_args):
        check_flags(args.flags, snapshots.CHILDREN_FLAGS, FROM_TEST, "testDomainSnapshotListChildrenNames")
        tree = self.state.snapshots.setdefault(self._domain(args.snap.dom).uuid, snapshots.SnapshotTree())
        parent = tree.get(args.snap.name)
        names = [s.name for s in tree.select(args.flags, below=parent.name)]
        return remote.remote_domain_snapshot_list_children_names_ret(names[: args.maxnames])


def _write_dump(path: str, name: str) -> None:
    """testDomainCoreDumpWithFormat's file: the save images' magic, nothing more."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    except OSError as error:
        raise save_image.system_error(f"domain '{name}' coredump: failed to open {path}", error.errno or 0) from None
    try:
        os.write(fd, save_image.MAGIC)
    except OSError as error:
        detail = f"domain '{name}' coredump: failed to write header to {path}"
        raise save_image.system_error(detail, error.errno or 0) from None
    finally:
        os.close(fd)
