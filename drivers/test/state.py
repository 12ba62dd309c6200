"""The objects of a test:/// connection: domains, networks, pools, and the host.

test:///default starts with exactly libvirt's default objects (names, UUIDs, values), which
default_node.py builds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from virtrio.drivers.base import EventSource, release_after_reply
from virtrio.drivers.libvirt_rules import UINT_MAX, parse_mac
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError

from .domain_definition import copied_definition, disk_summaries, interface_summaries
from .network_definition import NetworkDefinition, default_definition

if TYPE_CHECKING:
    from .interface_definition import InterfaceDefinition


@dataclass(frozen=True)
class HostInfo:
    """The test node's host: what virNodeGetInfo and the capabilities tell of it."""

    model: str = "i686"
    memory: int = 3145728  # KiB
    cpus: int = 16
    mhz: int = 1400
    nodes: int = 2
    sockets: int = 2
    cores: int = 2
    threads: int = 2
    cell_memory: tuple[int, ...] = (2097152, 4194304)  # KiB per NUMA cell
    cell_page_size: tuple[int, ...] = (4, 8)  # KiB, the first page size of each cell
    free_memory_kib: int = 3072
    cell_free_kib: tuple[int, ...] = (2048, 4096)

    @property
    def max_cpus(self) -> int:
        """VIR_NODEINFO_MAXCPUS: the topology's CPUs, in C's unsigned arithmetic (a node file's
        may claim billions: whoever reads every one of them uses a range)."""
        return (self.nodes * self.sockets * self.cores * self.threads) & UINT_MAX


@dataclass(frozen=True)
class Disk:
    """A domain's disk as the block procedures see it: its source, target, device and storage type."""

    source: str
    target: str
    bus: str
    device: str  # disk, cdrom, floppy or lun
    kind: str  # the storage type: file, block, dir, network, volume, ...

    @property
    def empty(self) -> bool:
        """virStorageSourceIsEmpty: local storage without a path (a CD-ROM drive with no disc)."""
        return self.kind in ("file", "block", "dir") and not self.source


@dataclass(frozen=True)
class GuestInterface:
    """A domain's network interface as the interface procedures see it."""

    target: str  # the host-side device name, testnetN unless the XML named it
    mac: str
    kind: str  # bridge, network, ...
    network: str | None = None  # the network an interface of type network names


@dataclass
class GuestState:
    """What libvirt's test driver keeps beside each domain (its private data): the guest's
    frozen filesystems and clock. It belongs to the domain, not to any of its definitions."""

    frozen: dict[str, bool] = field(default_factory=lambda: {"/": False, "/boot": False})
    seconds: int = 627319920
    nseconds: int = 0

    def control_info(self) -> tuple[int, int, int]:
        """(state, details, stateTime): the test driver derives them from the guest's clock."""
        if 0 < self.seconds < 10000:
            return api.VIR_DOMAIN_CONTROL_JOB, 0, self.seconds
        if 10000 <= self.seconds < 30000:
            return api.VIR_DOMAIN_CONTROL_OCCUPIED, 0, self.seconds - 10000
        if 30000 <= self.seconds < 60000:
            # the remainder picks the reason: none, unknown, monitor, internal
            return api.VIR_DOMAIN_CONTROL_ERROR, self.seconds % 4, self.seconds - 30000
        return api.VIR_DOMAIN_CONTROL_OK, 0, 0


@dataclass
class IOThreadPolling:
    """What libvirt's test driver keeps of an IOThread beside the definition (testIOThreadInfo)."""

    iothread_id: int
    poll_max_ns: int = 32768
    poll_grow: int = 0
    poll_shrink: int = 0


# What a domain's definition holds, as opposed to the domain object (id, state, autostart...)
DEFINITION_FIELDS = (
    "max_memory",
    "memory",
    "vcpus",
    "max_vcpus",
    "virt_type",
    "arch",
    "os_type",
    "definition",
    "title",
    "description",
    "metadata",
    "metadata_element",
)


@dataclass
class Domain:
    """A domain of the test node: its state and its definition (libvirt's virDomainObj)."""

    name: str
    uuid: bytes
    id: int = -1
    state: int = api.VIR_DOMAIN_SHUTOFF
    reason: int = api.VIR_DOMAIN_SHUTOFF_UNKNOWN
    max_memory: int = 8388608  # KiB
    memory: int = 2097152
    vcpus: int = 2  # the running count
    max_vcpus: int = 2
    virt_type: str = "test"
    arch: str = "i686"
    os_type: str = "hvm"
    autostart: bool = False
    persistent: bool = True
    # the rest of the definition, canonical (domain_definition.canonical_definition)
    definition: list[etree._Element] = field(default_factory=list)
    # while running: the persistent definition to use once it stops (libvirt's newDef), an
    # inactive Domain of which only the DEFINITION_FIELDS count
    next: Domain | None = None
    title: str | None = None
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    # a <metadata> element, written even when no entry is left in it (read from the XML, or made
    # by setMetadata: libvirt keeps the element once it has one)
    metadata_element: bool = False
    managed_save: bool = False
    messages: list[str] = field(default_factory=list)  # tainting and deprecation, for dominfo
    blkio_weight: int = 0
    # IOThreads' polling settings, whichever definition they were added to (priv->iothreads)
    iothread_polling: list[IOThreadPolling] = field(default_factory=list)
    guest: GuestState = field(default_factory=GuestState)

    def keep_object_state(self, existing: Domain) -> None:
        """A new definition of an existing domain: libvirt keeps the domain object, so what
        belongs to the object and not to a definition carries over."""
        self.uuid, self.autostart, self.managed_save = existing.uuid, existing.autostart, existing.managed_save
        self.iothread_polling, self.guest = existing.iothread_polling, existing.guest

    @property
    def defined_vcpus(self) -> int:
        return self.vcpus if self.next is None else self.next.vcpus

    @property
    def persistent_definition(self) -> Domain:
        """virDomainObjGetPersistentDef: what the domain becomes once it stops."""
        return self.next if self.next is not None else self

    def persistent_copy(self, definition: list[etree._Element] | None = None) -> Domain:
        """virDomainDefCopy of the running definition, as a domain's next one (definition: the
        copy, when a worker thread made it already)."""
        copied = Domain(self.name, self.uuid)
        copied.take_definition(self)
        if definition is None:
            definition = copied_definition(self.definition, self.os_type, self.max_vcpus)
        copied.definition = definition
        copied.metadata = dict(self.metadata)
        return copied

    def take_definition(self, other: Domain) -> None:
        """Become other's definition, keeping what belongs to the domain object."""
        for name in DEFINITION_FIELDS:
            setattr(self, name, getattr(other, name))

    @property
    def disks(self) -> list[Disk]:
        return [Disk(*summary) for summary in disk_summaries(self.definition)]

    def find_disk(self, name: str) -> Disk | None:
        """virDomainDiskByName refusing ambiguity: by target, or (a name with a leading slash)
        the only disk with that source path."""
        disks = self.disks
        if not name.startswith("/"):
            return next((disk for disk in disks if disk.target == name), None)
        matching = [disk for disk in disks if disk.source == name]
        return matching[0] if len(matching) == 1 else None

    @property
    def interfaces(self) -> list[GuestInterface]:
        return [GuestInterface(*summary) for summary in interface_summaries(self.definition)]

    def find_interface(self, name_or_mac: str) -> GuestInterface | None:
        """virDomainNetFind: by MAC when the text reads as one (any case, short parts), else by
        host-side name."""
        wanted = parse_mac(name_or_mac)
        if wanted is not None:
            return next((i for i in self.interfaces if parse_mac(i.mac) == wanted), None)
        return next((i for i in self.interfaces if i.target == name_or_mac), None)

    @property
    def active(self) -> bool:
        return self.id != -1

    @property
    def uuid_text(self) -> str:
        return str(uuid.UUID(bytes=self.uuid))


@dataclass
class Network:
    """A network of the test node (libvirt's virNetworkObj)."""

    name: str
    uuid: bytes
    bridge: str  # the bridge of test:///default's network, when no definition is given
    active: bool = True
    autostart: bool = False
    persistent: bool = True
    # the live definition (libvirt's def); None: test:///default's network on the bridge above
    definition: NetworkDefinition | None = None
    # the persistent definition to use once it stops (libvirt's newDef), when one was set apart
    new_definition: NetworkDefinition | None = None

    def __post_init__(self) -> None:
        if self.definition is None:
            self.definition = default_definition(self.name, self.uuid, self.bridge)

    @property
    def persistent_definition(self) -> NetworkDefinition:
        """virNetworkObjGetPersistentDef."""
        return self.new_definition or self.definition


@dataclass
class Pool:
    """A storage pool of the test node, with its volumes (libvirt's virStoragePoolObj)."""

    name: str
    uuid: bytes
    path: str
    capacity: int
    allocation: int
    available: int
    active: bool = True
    autostart: bool = False
    persistent: bool = True
    volumes: dict = field(default_factory=dict)  # name -> volumes.Volume
    permissions: tuple[str, str, str] | None = None  # mode, owner, group of the target folder
    definition: Any = None  # pool_definition.PoolDefinition; None: a plain dir pool at path


@dataclass
class Interface:
    """A host interface of the test node (libvirt's virInterfaceObj)."""

    name: str
    mac: str
    active: bool = True
    definition: InterfaceDefinition | None = None  # None: an ethernet interface known by name and MAC only


class TestState:
    """Everything one test:/// node holds; shared by the connections that opened it."""

    def __init__(self) -> None:
        self.host = HostInfo()
        self.domains: dict[str, Domain] = {}
        self._by_uuid: dict[bytes, Domain] = {}
        self.networks: dict[str, Network] = {}
        self.pools: dict[str, Pool] = {}
        self.interfaces: dict[str, Interface] = {}
        # interfaces as they were when a change transaction began (iface-begin)
        self.interface_backup: dict[str, Interface] | None = None
        self.snapshots: dict = {}  # domain UUID -> snapshots.SnapshotTree
        self.checkpoints: dict = {}  # domain UUID -> snapshots.SnapshotTree of checkpoints
        self.node_devices: dict = {}  # name -> nodedevs.TestNodeDevice
        self.secrets: dict = {}  # UUID bytes -> secrets.Secret (beyond libvirt's test driver)
        self.nwfilters: dict = {}  # name -> nwfilters.Nwfilter (beyond libvirt's test driver)
        self.nwfilter_bindings: dict = {}  # port device -> nwfilters.NwfilterBinding
        self.events = EventSource()
        self.next_domain_id = 1
        self.connections = 0

    def start_domain(self, domain: Domain, reason: int) -> None:
        domain.id = self.next_domain_id
        self.next_domain_id += 1
        domain.state, domain.reason = api.VIR_DOMAIN_RUNNING, reason
        if domain.persistent and domain.next is None:
            try:
                domain.next = domain.persistent_copy()
            except LibvirtError:
                # libvirt's test driver shuts the domain off as failed, its id left set
                domain.state, domain.reason = api.VIR_DOMAIN_SHUTOFF, api.VIR_DOMAIN_SHUTOFF_FAILED
                raise

    def domain_by_uuid(self, raw: bytes) -> Domain | None:
        return self._by_uuid.get(raw)

    def add_domain(self, domain: Domain) -> None:
        old = self.domains.get(domain.name)
        if old is not None:
            self._by_uuid.pop(old.uuid, None)
        self.domains[domain.name] = domain
        self._by_uuid[domain.uuid] = domain

    def rename_domain(self, domain: Domain, new_name: str) -> None:
        """virDomainObjListRename: the same object under a new name, its snapshots, checkpoints
        and managed save image kept."""
        self.domains.pop(domain.name, None)
        domain.name = new_name
        self.domains[new_name] = domain

    def remove_domain(self, domain: Domain) -> None:
        """The domain object gone, and with it its snapshots and checkpoints (a domain
        defined later with the same UUID starts without any, as in libvirt)."""
        self.domains.pop(domain.name, None)
        self._by_uuid.pop(domain.uuid, None)
        self.snapshots.pop(domain.uuid, None)
        self.checkpoints.pop(domain.uuid, None)
        release_after_reply(domain)  # its trees freed while the client reads the reply
