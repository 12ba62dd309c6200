"""The test driver's connections and their procedure handlers.

Errors use libvirt's test driver codes, domains, messages and function names
(VIR_FROM_TEST, "unsupported flags (0x..) in function testDomainGetState", ...).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from virtrio.drivers import public_api
from virtrio.drivers.base import ConnectionContext, EventSource, Offload
from virtrio.drivers.libvirt_rules import as_c_int
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import cause_unknown, check_flags, report

from .common import FROM_TEST, MAX_VCPUS, _c_chars, c_bytes, host_name
from .default_node import default_state
from .domain_misc_procedures import DomainMiscProcedures
from .domain_tuning_procedures import DomainTuningProcedures
from .domains import DomainProcedures
from .formats import SYSINFO_XML, capabilities_xml
from .interfaces import InterfaceProcedures
from .networks import NetworkProcedures
from .node_device_procedures import NodeDeviceProcedures
from .node_file import MODEL_SIZE, AllowedFolders, load_node_file
from .nwfilters import NwfilterProcedures
from .secrets import SecretProcedures
from .snapshot_procedures import SnapshotProcedures
from .state import HostInfo, TestState
from .storage import StorageProcedures
from .vcpus_and_saves import VcpuAndSaveProcedures

log = logging.getLogger("virtrio.drivers.test")


class TestDriver:
    name = "test"

    def __init__(self, persistent_default: bool = False, node_file_dirs: list[str] | None = None) -> None:
        self.persistent_default = persistent_default
        self.node_file_folders = AllowedFolders(node_file_dirs or [])
        self.default: TestState | None = None

    def accepts(self, uri: str) -> bool:
        return urlsplit(uri).scheme == "test"

    def prepare(self, context: ConnectionContext) -> Callable[[], object] | None:
        """A node file is read afresh on each open, as libvirtd reads it: in a worker thread."""
        path = urlsplit(context.uri).path
        if path in ("", "/", "/default"):
            return None
        return functools.partial(load_node_file, Path(path), self.node_file_folders)

    def open(self, context: ConnectionContext, prepared: object = None) -> TestConnection:
        path = urlsplit(context.uri).path
        if path in ("", "/"):
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "testOpen: supply a path or use test:///default")
        if path != "/default":
            state = prepared if isinstance(prepared, TestState) else load_node_file(Path(path), self.node_file_folders)
            state.connections = 1
            return TestConnection(context, self, state)
        if self.default is None:
            self.default = default_state()
        self.default.connections += 1
        return TestConnection(context, self, self.default)

    def release(self, state: TestState) -> None:
        state.connections -= 1
        # libvirtd resets test:///default when its last connection closes.
        if state is self.default and state.connections == 0 and not self.persistent_default:
            self.default = None


class TestConnection(
    DomainProcedures,
    SnapshotProcedures,
    NetworkProcedures,
    StorageProcedures,
    InterfaceProcedures,
    NodeDeviceProcedures,
    VcpuAndSaveProcedures,
    SecretProcedures,
    NwfilterProcedures,
    DomainTuningProcedures,
    DomainMiscProcedures,
):
    """One client's connection to a test:/// node: every group of procedures together."""

    def __init__(self, context: ConnectionContext, driver: TestDriver, state: TestState) -> None:
        super().__init__(context)
        self.driver = driver
        self.state = state
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.driver.release(self.state)

    def events(self) -> EventSource:
        return self.state.events

    # --------------------------------------------------------------- connection
    def connect_get_type(self) -> remote.remote_connect_get_type_ret:
        return remote.remote_connect_get_type_ret("TEST")

    def connect_get_version(self) -> remote.remote_connect_get_version_ret:
        return remote.remote_connect_get_version_ret(2)

    def connect_get_hostname(self) -> Offload:
        # a name lookup (getaddrinfo) can wait seconds for a resolver: never on the event loop
        return Offload(host_name, remote.remote_connect_get_hostname_ret)

    def connect_get_max_vcpus(self, args: remote.remote_connect_get_max_vcpus_args):
        return remote.remote_connect_get_max_vcpus_ret(MAX_VCPUS)

    def connect_get_capabilities(self) -> remote.remote_connect_get_capabilities_ret:
        return remote.remote_connect_get_capabilities_ret(capabilities_xml(self.state.host))

    def connect_get_sysinfo(self, args: remote.remote_connect_get_sysinfo_args):
        check_flags(args.flags, 0, FROM_TEST, "testConnectGetSysinfo")
        return remote.remote_connect_get_sysinfo_ret(SYSINFO_XML)

    def connect_is_secure(self) -> remote.remote_connect_is_secure_ret:
        return remote.remote_connect_is_secure_ret(1)

    def node_get_info(self) -> remote.remote_node_get_info_ret:
        host = self.state.host
        # libvirt copies a node file's model over the default's in its char[32] and sends all
        # 32: a shorter one leaves the default's bytes after its terminator
        model = bytearray(HostInfo().model.encode().ljust(MODEL_SIZE, b"\0"))
        written = host.model.encode() + b"\0"
        model[: len(written)] = written
        # virNodeInfo's unsigned ints (a node file's may pass INT_MAX) go out in the reply's ints
        numbers = (host.cpus, host.mhz, host.nodes, host.sockets, host.cores, host.threads)
        return remote.remote_node_get_info_ret(c_bytes(model), host.memory, *map(as_c_int, numbers))

    def node_get_free_memory(self) -> remote.remote_node_get_free_memory_ret:
        free = self.state.host.free_memory_kib * 1024
        if not free:  # virNodeGetFreeMemory takes 0 for a failure that set no error
            raise cause_unknown()
        return remote.remote_node_get_free_memory_ret(free)

    def node_get_cells_free_memory(self, args: remote.remote_node_get_cells_free_memory_args):
        public_api.positive(args.maxcells, "maxCells", "virNodeGetCellsFreeMemory")
        public_api.non_negative(args.startCell, "startCell", "virNodeGetCellsFreeMemory")
        cells = self.state.host.cell_free_kib
        if args.startCell >= len(cells):
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "Range exceeds available cells")
        chosen = cells[args.startCell : args.startCell + args.maxcells]
        return remote.remote_node_get_cells_free_memory_ret([kib * 1024 for kib in chosen])

    def node_get_security_model(self) -> remote.remote_node_get_security_model_ret:
        return remote.remote_node_get_security_model_ret(_c_chars("testSecurity"), _c_chars(""))
