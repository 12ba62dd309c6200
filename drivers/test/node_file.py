"""test:///abs/path.xml: a node described by a <node> file, loaded fresh on every open.

Children are domains, networks, pools, interfaces and devices, inline or in files named
by ``file=`` (relative to the node file), and ``<cpu>``/``<memory>`` for the host. Domains
start running unless the test namespace's ``<test:runstate>`` says otherwise; ``<test:transient/>``,
``<test:hasmanagedsave/>`` and ``<test:domainsnapshot>`` (snapshots, as REDEFINE reads them) also apply.
"""

from __future__ import annotations

import copy
import dataclasses
import errno
import os
import stat
import uuid
from pathlib import Path

from lxml import etree

from virtrio.drivers.libvirt_rules import UINT_MAX, ULLONG_MAX, parse_uuid, strtol_whole, strtoul_whole
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, cause_unknown, report

from .common import check_name_and_uuid
from .definition_tuning import iothreads
from .domain_definition import format_element
from .formats import domain_xml
from .interface_definition import parse_interface_xml
from .networks import assign_network
from .nodedevs import NEW_DEVICE, TestNodeDevice, existing_device, fc_host_wwns, parse_new_device
from .parse import check_root, parse_domain_xml, parse_network_xml, parse_pool_xml, parse_xml, test_extensions
from .snapshot_definition import parse_snapshot
from .snapshots import SnapshotTree
from .state import Domain, HostInfo, Interface, IOThreadPolling, Pool, TestState
from .storage import add_pool
from .volumes import parse_volume_xml


def domain_snapshots(
    domain: Domain, elements: list[etree._Element], base: Path, allowed: AllowedFolders, state: TestState
) -> SnapshotTree:
    """testParseDomainSnapshots: each <test:domainsnapshot> (or the file it names) is a
    redefined snapshot, <active> marking the current one."""

    def embedded_domain(element: etree._Element) -> str:
        embedded = parse_domain_xml(etree.tostring(element, encoding="unicode", with_tail=False), state)
        return domain_xml(embedded, True)

    tree = SnapshotTree()
    for element in elements:
        reference = element.get("file")
        if reference is not None:
            path = base / reference
            element = parse_node_file(path, "domainsnapshot", allowed)
        snapshot, current = parse_snapshot(element, True, embedded_domain, internal=True)
        tree.add(snapshot, current=False)
        if current:
            if tree.current is not None:
                detail = "more than one snapshot claims to be active"
                raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_TEST, detail)
            tree.current = snapshot.name
    if not tree.relations_consistent():
        detail = f"Snapshots have inconsistent relations for domain {domain.name}"
        raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_TEST, detail)
    return tree


def _element_of(element: etree._Element, base: Path, allowed: AllowedFolders) -> etree._Element:
    """A child element, or the root of the file it names with file= (relative to the node
    file), as testParseXMLDocFromFile gives it."""
    reference = element.get("file")
    if reference is None:
        return element
    return parse_node_file(base / reference, element.tag, allowed)  # an absolute reference replaces the base


def _element_text(element: etree._Element, base: Path, allowed: AllowedFolders) -> str:
    """The XML of a child element, or of the file it names with file=."""
    return etree.tostring(_element_of(element, base, allowed), encoding="unicode")


def _pool_volumes(pool: Pool, pool_element: etree._Element, base: Path, allowed: AllowedFolders) -> None:
    """testOpenVolumesForPool: each <volume> of a pool, its path under the pool's target
    unless it names one; the pool's allocation grows by each volume's."""
    for element in pool_element.findall("volume"):
        volume_element = _element_of(element, base, allowed)
        volume = parse_volume_xml(etree.tostring(volume_element, encoding="unicode"), pool)
        path = (volume_element.findtext("target/path") or "").strip()
        if path:
            volume.path = path
        volume.given_key = volume_element.xpath("string(./key)") or None
        if volume.name in pool.volumes or any(
            volume.path == other.path or volume.key == other.key for other in pool.volumes.values()
        ):
            # virStoragePoolObjAddVol refuses a name, key or path already taken without saying why
            raise cause_unknown()
        pool.volumes[volume.name] = volume
        pool.allocation += volume.allocation
        # unsigned long long in libvirt: volumes that outgrow their pool wrap it (virsh shows 16 EiB)
        pool.available = (pool.capacity - pool.allocation) % 2**64


def _node_device(element: etree._Element) -> TestNodeDevice:
    """testParseNodedevs: a <device> as virNodeDeviceDefParseXML reads an existing one."""
    name = element.xpath("string(./name[1])")
    if not name:  # an existing device's name is read before anything else
        raise report(api.VIR_ERR_NO_NAME, api.VIR_FROM_NODEDEV)
    try:
        parse_new_device(etree.tostring(element, encoding="unicode"), False, existing=True)  # libvirt's checks
    except LibvirtError as error:
        # the checks name the device being created; an existing device's errors name it
        quoted = f"'{NEW_DEVICE}'"
        error.message, error.str2, error.str3 = (
            None if text is None else text.replace(quoted, f"'{name}'")
            for text in (error.message, error.str2, error.str3)
        )
        raise
    parent = (element.findtext("parent") or "").strip() or None
    read = copy.deepcopy(element)  # what libvirt read, before the changes its formatter makes
    _as_libvirt_reads_it(element)
    for child in element.iter():  # otherwise written back as given, indented as libvirt indents
        if len(child) or not (child.text or "").strip():
            child.text = None
        child.tail = None
    lines: list[str] = []
    for line in format_element(element, 0):
        # a device's own capabilities and a system's firmware: always closed, even when empty
        if line.endswith("/>") and (line.startswith("  <capability ") or line.strip() == "<firmware/>"):
            pad, tag = line[: len(line) - len(line.lstrip())], line.strip()[1:].split(" ")[0].rstrip("/>")
            lines += [line[:-2] + ">", f"{pad}</{tag}>"]
        else:
            lines.append(line)
    return existing_device(name, parent, "\n".join(lines) + "\n", read)


def _as_libvirt_reads_it(element: etree._Element) -> None:
    """What virNodeDeviceDefParseXML leaves out of an existing device (its formatter writes
    what sysfs would fill in): the driver, block sizes and counts, vport counts, what a CSS
    device or a SCSI host holds besides what they read; what its formatter always writes: an
    mdev's IOMMU group, a system's hardware and firmware; and numbers as it writes them."""
    for driver in element.findall("driver"):
        element.remove(driver)
    for system in element.findall("capability[@type='system']"):
        _system_as_libvirt_writes_it(system)
    for lost in (
        element.findall("capability/capability[@type='removable']/logical_block_size")
        + element.findall("capability/capability[@type='removable']/num_blocks")
        + element.findall("capability[@type='storage']/logical_block_size")
        + element.findall("capability[@type='storage']/num_blocks")
    ):
        lost.getparent().remove(lost)
    for scsi_host in element.findall("capability[@type='scsi_host']"):
        _scsi_host_as_libvirt_writes_it(scsi_host)
    for address in element.xpath("capability[@type='ccw' or @type='css'] | capability[@type='css']/channel_dev_addr"):
        _ccw_address_as_libvirt_writes_it(address)
    for css in element.findall("capability[@type='css']"):  # only its channel and mdev types are read
        for inner in css.findall("capability"):
            if inner.get("type") != "mdev_types":
                css.remove(inner)
    # mediated device types without a type: read (the check for none looks at the wrong
    # variable), not written
    for types in element.findall("capability/capability[@type='mdev_types']"):
        if types.find("type") is None:
            types.getparent().remove(types)
    for mdev in element.findall("capability[@type='mdev']"):
        if mdev.find("iommuGroup") is None:
            after = mdev.find("uuid") if mdev.find("uuid") is not None else mdev.find("type")
            group = etree.Element("iommuGroup", number="0")
            if after is not None:
                after.addnext(group)
            else:
                mdev.insert(0, group)


def _scsi_host_as_libvirt_writes_it(scsi_host: etree._Element) -> None:
    """virNodeDeviceCapSCSIHostDefFormat: the host number and unique ID (%d), one fc_host
    with the WWNs the last one gave (each sets them again; a fabric WWN only when given),
    the vport counts as 0 (sysfs would fill them in)."""
    host = strtoul_whole(scsi_host.xpath("string(./host[1])"), 10) or 0  # checked already
    unique_id = strtol_whole(scsi_host.xpath("string(./unique_id[1])"))
    wwns = fc_host_wwns(scsi_host)
    vport_ops = scsi_host.find("capability[@type='vport_ops']") is not None
    for child in list(scsi_host):
        scsi_host.remove(child)
    etree.SubElement(scsi_host, "host").text = str(host - (1 << 32) if host >= 1 << 31 else host)
    if unique_id is not None and unique_id != -1:
        etree.SubElement(scsi_host, "unique_id").text = str(unique_id)
    if wwns is not None:
        fc = etree.SubElement(scsi_host, "capability", type="fc_host")
        for tag, value in zip(("wwnn", "wwpn", "fabric_wwn"), wwns, strict=True):
            if value:
                etree.SubElement(fc, tag).text = value
    if vport_ops:
        counts = etree.SubElement(scsi_host, "capability", type="vport_ops")
        etree.SubElement(counts, "max_vports").text = "0"
        etree.SubElement(counts, "vports").text = "0"


def _ccw_address_as_libvirt_writes_it(address: etree._Element) -> None:
    """virNodeDeviceCapCCWDefFormat: cssid and ssid as 0x%x, devno as 0x%04x (read in base 0,
    0 and 16), ahead of whatever else the element holds."""
    numbers = [
        (tag, strtoul_whole(address.xpath(f"string(./{tag}[1])"), base) or 0)  # checked already
        for tag, base in (("cssid", 0), ("ssid", 0), ("devno", 16))
    ]
    for tag, _ in numbers:
        for old in address.findall(tag):
            address.remove(old)
    for position, (tag, value) in enumerate(numbers):
        written = etree.Element(tag)
        written.text = f"0x{value:04x}" if tag == "devno" else f"0x{value:x}"
        address.insert(position, written)


def _system_as_libvirt_writes_it(system: etree._Element) -> None:
    """virNodeDevCapSystemParseXML keeps the product, the hardware's vendor, version, serial
    and UUID, the firmware's vendor, version and release date (an empty one as none); its
    formatter writes them in that order, with the hardware and firmware elements always."""
    kept = {path: system.xpath(f"string(./{path}[1])") for path in SYSTEM_FIELDS}
    raw = parse_uuid(kept["hardware/uuid"])  # checked already: the device would not be read otherwise
    kept["hardware/uuid"] = str(uuid.UUID(bytes=raw)) if raw is not None else kept["hardware/uuid"]
    for child in list(system):
        system.remove(child)
    if kept["product"]:
        etree.SubElement(system, "product").text = kept["product"]
    for part in ("hardware", "firmware"):
        holder = etree.SubElement(system, part)
        for path, value in kept.items():
            if path.startswith(part + "/") and value:
                etree.SubElement(holder, path.split("/")[1]).text = value


SYSTEM_FIELDS = (
    "product",
    "hardware/vendor",
    "hardware/version",
    "hardware/serial",
    "hardware/uuid",
    "firmware/vendor",
    "firmware/version",
    "firmware/release_date",
)


class AllowedFolders:
    """The folders node files may come from (test_node_file_dirs); none listed: anywhere the
    daemon's user can read, as libvirtd."""

    def __init__(self, folders: list[str]) -> None:
        self.folders = [Path(folder).resolve() for folder in folders]

    def check(self, path: Path, real_path: Path | None = None) -> None:
        """Refuse a path outside the folders; real_path: where an opened file really is."""
        real = real_path or path.resolve()
        if self.folders and not any(real.is_relative_to(folder) for folder in self.folders):
            detail = f"'{path}' is outside the folders test_node_file_dirs allows"
            raise report(api.VIR_ERR_ACCESS_DENIED, api.VIR_FROM_TEST, detail)


# A node file's size limit: libvirtd has none, but one client must not make the daemon
# hold gigabytes (test:///dev/zero, a huge file). Far above any real node file.
NODE_FILE_MAX = 16 << 20
# What is read at once from what is not a regular file (a device, a FIFO): libxml2's parser
# stops at the first NUL byte anyway, and a FIFO with no writer has nothing to give.
SPECIAL_FILE_READ = 64 << 10


def read_node_file(path: Path, allowed: AllowedFolders) -> str:
    """A node file's text as libvirt's parser sees it (up to its first NUL byte), opened
    once and checked by what was opened, so a symlink swapped in meanwhile changes nothing;
    never waits (a FIFO with no writer reads as empty). Runs in a worker thread."""
    allowed.check(path)  # before opening: opening a device outside the folders may do something
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_TEST, f"failed to parse xml document '{path}'") from None
    try:
        allowed.check(path, Path(os.readlink(f"/proc/self/fd/{fd}")))
        data = _read_opened(fd, path)
    finally:
        os.close(fd)
    return data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _read_opened(fd: int, path: Path) -> bytes:
    info = os.fstat(fd)
    try:
        if stat.S_ISDIR(info.st_mode):
            return b""  # libxml2 reads nothing from a folder: "Document is empty"
        if not stat.S_ISREG(info.st_mode):
            return os.read(fd, SPECIAL_FILE_READ)
        # refused before reading when its size says so; the read below stays bounded for files
        # that grow meanwhile or report no size (/proc)
        size = info.st_size if info.st_size > NODE_FILE_MAX else 0
        chunks: list[bytes] = []
        while size <= NODE_FILE_MAX:
            chunk = os.read(fd, min(1 << 20, NODE_FILE_MAX + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EISDIR):
            return b""
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_TEST, f"failed to parse xml document '{path}'") from None
    if size > NODE_FILE_MAX:
        detail = f"node file '{path}' is larger than {NODE_FILE_MAX} bytes"
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_TEST, detail)
    return b"".join(chunks)


def parse_node_file(path: Path, root_tag: str, allowed: AllowedFolders) -> etree._Element:
    """virXMLParse of a file named by a node file (or of the node file): errors name it."""
    return check_root(parse_xml(read_node_file(path, allowed), str(path), api.VIR_FROM_TEST, file=True), root_tag)


def taint_messages(root: etree._Element) -> list[str]:
    """What libvirt's test driver reports for domains it loads from a node file."""
    messages = []
    if root.find("devices/disk[@rawio='yes']") is not None:
        messages.append("tainted: running with undesirable elevated privileges")
    if root.find("devices/interface/script") is not None:
        messages.append("tainted: network configuration using opaque shell scripts")
    if any(
        disk.get("type") == "block" and disk.find("source[@dev]") is not None
        for disk in root.findall("devices/disk[@device='cdrom']")
    ):
        messages.append("tainted: use of host cdrom passthrough")
    if root.find("os/dtb") is not None:
        messages.append("tainted: custom device tree blob used")
    model = root.findtext("cpu/model")
    if model == "Deprecated-Test":  # the test hypervisor's one deprecated CPU model
        messages += [
            "tainted: use of deprecated configuration settings",
            f"deprecated configuration: CPU model {model}",
        ]
    return messages


def load_node_file(path: Path, allowed: AllowedFolders | None = None) -> TestState:
    allowed = allowed or AllowedFolders([])
    root = parse_node_file(path, "node", allowed)
    base = path.parent
    state = TestState()
    state.host = _host(root, state.host)
    for element in root.findall("domain"):
        text = _element_text(element, base, allowed)
        domain = parse_domain_xml(text, state)
        check_name_and_uuid("domain", state.domains, domain.name, domain.uuid, api.VIR_FROM_DOMAIN)
        domain_root = etree.fromstring(text.encode())
        extensions = test_extensions(domain_root)
        state.add_domain(domain)
        state.snapshots[domain.uuid] = domain_snapshots(domain, extensions.snapshots, base, allowed, state)
        domain.persistent = not extensions.transient
        domain.managed_save = extensions.managed_save
        domain.messages = taint_messages(domain_root)
        if extensions.runstate != api.VIR_DOMAIN_SHUTOFF:
            state.start_domain(domain, api.VIR_DOMAIN_RUNNING_BOOTED)
        # libvirt then sets the file's run state with reason 0, whatever it is
        domain.state, domain.reason = extensions.runstate, 0
        # testDomainGenerateIOThreadInfos: only domains of a node file start with polling settings
        domain.iothread_polling = [IOThreadPolling(thread.id) for thread in iothreads(domain.definition)]
    for element in root.findall("network"):
        # testParseNetworks: assigned as a definition, then started (a network given again
        # with its name and UUID: the next definition of the running one)
        parsed = parse_network_xml(_element_text(element, base, allowed))
        network = assign_network(state, parsed, live=False, on_loop=False)
        network.active = True
    # testOpenParse's order: interfaces, then pools, then devices (the first error wins)
    for element in root.findall("interface"):
        # virInterfaceDefParseXML's checks; a later interface of the same name replaces it
        definition = parse_interface_xml(_element_text(element, base, allowed))
        state.interfaces[definition.name] = Interface(definition.name, definition.mac or "", True, definition)
    for element in root.findall("pool"):
        pool_element = _element_of(element, base, allowed)
        # testParseStorage: added as a definition, then started (a pool given again with its
        # name and UUID: the running one, its definition kept, its figures reset)
        pool, _ = add_pool(state, parse_pool_xml(etree.tostring(pool_element, encoding="unicode")))
        pool.active = True
        _pool_volumes(pool, pool_element, base, allowed)
    for element in root.findall("device"):
        device = _node_device(_element_of(element, base, allowed))
        state.node_devices[device.name] = device  # a later device of the same name replaces it, as in libvirt
    return state


def _host(root: etree._Element, host: HostInfo) -> HostInfo:
    """testParseNodeInfo: the <cpu> and <memory> values over the default host's. A node file
    describes no NUMA cells: libvirt's test driver then reports none, and no free memory
    (testNodeGetFreeMemory adds up the cells')."""

    def number(field: str, limit: int = UINT_MAX) -> int | None:
        text = root.xpath(f"string(/node/{field}[1])")  # virXPathUInt: empty is absent
        if not text:
            return None
        value = strtoul_whole(text, 10, limit)
        if value is None:
            what = "memory" if field == "memory" else f"cpu {field.split('/')[1]}"
            raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_TEST, f"invalid node {what} value")
        return value

    values = {
        field: value
        for field in ("nodes", "sockets", "cores", "threads")
        if (value := number(f"cpu/{field}")) is not None
    }
    host = dataclasses.replace(host, **values)
    cpus = host.max_cpus
    active = number("cpu/active")
    if active is not None and active < cpus:
        cpus = active
    mhz = number("cpu/mhz")
    model = root.xpath("string(/node/cpu/model[1])") or host.model
    if len(model.encode()) >= MODEL_SIZE:  # virStrcpyStatic into virNodeInfo's char[32]
        raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_TEST, f"Model {model} too big for destination")
    memory = number("memory", ULLONG_MAX)
    return dataclasses.replace(
        host,
        cpus=cpus,
        mhz=host.mhz if mhz is None else mhz,
        model=model,
        memory=host.memory if memory is None else memory,
        cell_memory=(),
        cell_page_size=(),
        cell_free_kib=(),
        free_memory_kib=0,
    )


MODEL_SIZE = 32
