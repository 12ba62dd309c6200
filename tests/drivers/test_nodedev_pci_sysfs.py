"""A PCI node device's SR-IOV functions, IOMMU group and mdev types, read from a fake sysfs tree
as libvirt 9.0.0 reads them (virpci.c, virmdev.c), and its whole XML in the order of libvirt's
virNodeDeviceCapPCIDefFormat; dumpxml re-reads them in a worker thread (an Offload)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from virtrio.drivers.base import ConnectionContext, Offload
from virtrio.drivers.nodedev import pci_sysfs
from virtrio.drivers.nodedev.devices import build_devices, capability_of
from virtrio.drivers.nodedev.driver import NodeDeviceDriver
from virtrio.drivers.nodedev.formats import device_xml
from virtrio.drivers.nodedev.pci_sysfs import SysfsError, dynamic_caps
from virtrio.drivers.nodedev.sources import DeviceRecord, pci_config_attributes, record_from_pyudev
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError

PF, VF0, VF1, PEER = "0000:3b:1a.0", "0000:3b:1a.2", "0000:3b:1a.3", "0000:3b:1a.1"


def link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(os.path.relpath(target, path.parent))


class Tree:
    """/sys as the kernel lays it out for these devices: folders under devices/, links under
    bus/pci/devices/, IOMMU groups under kernel/iommu_groups/ linked from each device."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def device(self, address: str) -> Path:
        folder = self.root / "devices/pci0000:3a/0000:3a:00.0" / address
        if not folder.exists():
            folder.mkdir(parents=True)
            link(self.root / "bus/pci/devices" / address, folder)
        return folder

    def group(self, number: str, *members: str) -> None:
        group = self.root / "kernel/iommu_groups" / number
        (group / "devices").mkdir(parents=True, exist_ok=True)
        for address in members:
            link(group / "devices" / address, self.device(address))
            link(self.device(address) / "iommu_group", group)

    def sriov(self, total: str | None, *functions: str) -> None:
        physical = self.device(PF)
        if total is not None:
            (physical / "sriov_totalvfs").write_text(total)
        for index, address in enumerate(functions):
            link(physical / f"virtfn{index}", self.device(address))
            link(self.device(address) / "physfn", physical)

    def mdev_type(self, name: str, title: str | None, api_name: str | None, available: str | None) -> None:
        folder = self.device(PF) / "mdev_supported_types" / name
        folder.mkdir(parents=True)
        for file, value in (("name", title), ("device_api", api_name), ("available_instances", available)):
            if value is not None:
                (folder / file).write_text(value + "\n")


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return Tree(tmp_path / "sys")


def caps_of(tree: Tree, address: str) -> pci_sysfs.DynamicCaps:
    return dynamic_caps(str(tree.device(address)), address, str(tree.root))


def parsed(names: list[str]) -> list[tuple[int, int, int, int]]:
    return [pci_sysfs.parse_address(name) for name in names]  # type: ignore[misc]


def test_plain_device_has_none(tree: Tree) -> None:
    caps = caps_of(tree, PF)
    assert (caps.physical_function, caps.virtual_functions, caps.max_virtual_functions) == (None, [], 0)
    assert (caps.iommu_group, caps.iommu_members, caps.mdev_types) == (0, [], [])
    assert pci_sysfs.dynamic_lines(caps) == ([], [])


def test_physical_and_virtual_functions(tree: Tree) -> None:
    tree.sriov("8\n", VF0, VF1)
    physical = caps_of(tree, PF)
    assert physical.virtual_functions == [(0, 0x3B, 0x1A, 2), (0, 0x3B, 0x1A, 3)]
    assert (physical.max_virtual_functions, physical.physical_function) == (8, None)
    virtual = caps_of(tree, VF1)
    assert (virtual.physical_function, virtual.virtual_functions, virtual.max_virtual_functions) == (
        (0, 0x3B, 0x1A, 0),
        [],
        0,
    )
    assert pci_sysfs.dynamic_lines(virtual, "") == (
        [
            "<capability type='phys_function'>",
            "  <address domain='0x0000' bus='0x3b' slot='0x1a' function='0x0'/>",
            "</capability>",
        ],
        [],
    )


def test_virtual_functions_stop_at_the_first_missing_link(tree: Tree) -> None:
    tree.sriov("4", VF0)
    os.symlink(os.path.relpath(tree.device(VF1), tree.device(PF)), tree.device(PF) / "virtfn2")  # virtfn1 missing
    assert caps_of(tree, PF).virtual_functions == [(0, 0x3B, 0x1A, 2)]


@pytest.mark.parametrize(
    ("total", "functions", "lines"),
    [
        ("0\n", (), []),  # SR-IOV capable of none: nothing
        ("7\n", (), ["<capability type='virt_functions' maxCount='7'/>"]),  # none enabled
        (
            None,
            (VF0,),
            [
                "<capability type='virt_functions'>",
                "  <address domain='0x0000' bus='0x3b' slot='0x1a' function='0x2'/>",
                "</capability>",
            ],
        ),
        (" +12abc", (), ["<capability type='virt_functions' maxCount='12'/>"]),  # strtoull's reading
        ("4294967297", (), ["<capability type='virt_functions' maxCount='1'/>"]),  # kept in 32 bits
    ],
)
def test_virt_functions_element(tree: Tree, total: str | None, functions: tuple[str, ...], lines: list[str]) -> None:
    tree.sriov(total, *functions)
    assert pci_sysfs.dynamic_lines(caps_of(tree, PF), "")[0] == lines


@pytest.mark.parametrize("total", ["", "abc\n", "\n", "18446744073709551616"])
def test_unreadable_total_is_libvirts_error(tree: Tree, total: str) -> None:
    tree.sriov(total)
    with pytest.raises(SysfsError) as caught:
        caps_of(tree, PF)
    assert str(caught.value) == f"Unrecognized value in {tree.device(PF)}/sriov_totalvfs: {total}"


def test_iommu_group_members_in_directory_order(tree: Tree) -> None:
    tree.group("17", PF, PEER, VF0)
    members = os.listdir(tree.root / "kernel/iommu_groups/17/devices")  # readdir's order, as libvirt's
    for address in (PF, PEER, VF0):
        caps = caps_of(tree, address)
        assert (caps.iommu_group, caps.iommu_members) == (17, parsed(members))
    lines = pci_sysfs.dynamic_lines(caps_of(tree, PEER), "")[1]
    assert lines[0] == "<iommuGroup number='17'>" and lines[-1] == "</iommuGroup>"
    assert lines[1:-1] == [
        f"  <address domain='0x0000' bus='0x3b' slot='0x1a' function='0x{int(name[-1])}'/>" for name in members
    ]


def test_iommu_group_is_read_through_the_bus_folder(tree: Tree) -> None:
    """libvirt looks at /sys/bus/pci/devices/ADDRESS/iommu_group, not at the device's own path."""
    tree.group("3", PF)
    elsewhere = tree.root / "elsewhere"
    elsewhere.mkdir()
    assert dynamic_caps(str(elsewhere), PF, str(tree.root)).iommu_members == [(0, 0x3B, 0x1A, 0)]
    assert dynamic_caps(str(tree.device(PF)), PEER, str(tree.root)).iommu_members == []


def test_group_without_devices_folder_lists_the_device_alone(tree: Tree) -> None:
    group = tree.root / "kernel/iommu_groups/5"
    group.mkdir(parents=True)
    link(tree.device(PF) / "iommu_group", group)
    caps = caps_of(tree, PF)
    assert (caps.iommu_group, caps.iommu_members) == (5, [(0, 0x3B, 0x1A, 0)])


def test_iommu_group_that_is_not_a_link_is_no_group(tree: Tree) -> None:
    (tree.device(PF) / "iommu_group").mkdir()
    assert caps_of(tree, PF).iommu_members == []


def test_iommu_errors_are_libvirts(tree: Tree) -> None:
    group = tree.root / "kernel/iommu_groups/x1"
    (group / "devices").mkdir(parents=True)
    link(tree.device(PF) / "iommu_group", group)
    with pytest.raises(SysfsError) as caught:
        caps_of(tree, PF)
    assert str(caught.value) == f"device {PF} iommu_group symlink {group} has invalid group number x1"
    tree.group("9", PEER)
    (tree.root / "kernel/iommu_groups/9/devices/bogus").mkdir()
    with pytest.raises(SysfsError) as caught:
        caps_of(tree, PEER)
    assert (
        str(caught.value)
        == f"Found invalid device link 'bogus' in '{tree.root}/bus/pci/devices/{PEER}/iommu_group/devices'"
    )


def test_mdev_types(tree: Tree) -> None:
    tree.mdev_type("i915-GVTg_V5_4", "GVTg_V5_4", "vfio-pci", "2")
    tree.mdev_type("nvidia-<35>", None, "vfio-pci & more", "0")
    caps = caps_of(tree, PF)
    order = os.listdir(tree.device(PF) / "mdev_supported_types")
    expected = {
        "i915-GVTg_V5_4": ("i915-GVTg_V5_4", "GVTg_V5_4", "vfio-pci", 2),
        "nvidia-<35>": ("nvidia-<35>", None, "vfio-pci & more", 0),
    }
    assert caps.mdev_types == [expected[name] for name in order]
    blocks = {
        "i915-GVTg_V5_4": [
            "  <type id='i915-GVTg_V5_4'>",
            "    <name>GVTg_V5_4</name>",
            "    <deviceAPI>vfio-pci</deviceAPI>",
            "    <availableInstances>2</availableInstances>",
            "  </type>",
        ],
        "nvidia-<35>": [
            "  <type id='nvidia-&lt;35&gt;'>",
            "    <deviceAPI>vfio-pci &amp; more</deviceAPI>",
            "    <availableInstances>0</availableInstances>",
            "  </type>",
        ],
    }
    lines = pci_sysfs.dynamic_lines(caps, "")[1]
    assert lines == [
        "<capability type='mdev_types'>",
        *[line for name in order for line in blocks[name]],
        "</capability>",
    ]


@pytest.mark.parametrize(("api_name", "available"), [(None, "1"), ("vfio-pci", None), ("vfio-pci", "-")])
def test_mdev_type_missing_what_libvirt_requires(tree: Tree, api_name: str | None, available: str | None) -> None:
    tree.mdev_type("t1", "T", api_name, available)
    with pytest.raises(SysfsError):
        caps_of(tree, PF)


def record_for(tree: Tree, address: str, **attributes: str) -> DeviceRecord:
    values = {"vendor": "0xfff0", "device": "0x3e92", "class": "0x030000", **attributes}
    return DeviceRecord(str(tree.device(address)), "pci", address, driver="i915", attributes=values)


def test_whole_xml_in_libvirts_order(tree: Tree) -> None:
    tree.sriov("4\n", VF0)
    tree.group("12", PF)
    tree.mdev_type("i915-GVTg_V5_4", "GVTg_V5_4", "vfio-pci", "2")
    express = pci_sysfs.ExpressInfo((1, 3, 16, 1, 8)).encode()
    record = record_for(tree, PF, numa_node="1", **{"pci-header": "pci-bridge", "pci-express": express})
    device = build_devices([record])["pci_0000_3b_1a_0"]
    assert device_xml(device, caps_of(tree, PF)) == (
        "<device>\n"
        "  <name>pci_0000_3b_1a_0</name>\n"
        f"  <path>{tree.device(PF)}</path>\n"
        "  <parent>computer</parent>\n"
        "  <driver>\n"
        "    <name>i915</name>\n"
        "  </driver>\n"
        "  <capability type='pci'>\n"
        "    <class>0x030000</class>\n"
        "    <domain>0</domain>\n"
        "    <bus>59</bus>\n"
        "    <slot>26</slot>\n"
        "    <function>0</function>\n"
        "    <product id='0x3e92'/>\n"
        "    <vendor id='0xfff0'/>\n"
        "    <capability type='virt_functions' maxCount='4'>\n"
        "      <address domain='0x0000' bus='0x3b' slot='0x1a' function='0x2'/>\n"
        "    </capability>\n"
        "    <capability type='pci-bridge'/>\n"
        "    <capability type='mdev_types'>\n"
        "      <type id='i915-GVTg_V5_4'>\n"
        "        <name>GVTg_V5_4</name>\n"
        "        <deviceAPI>vfio-pci</deviceAPI>\n"
        "        <availableInstances>2</availableInstances>\n"
        "      </type>\n"
        "    </capability>\n"
        "    <iommuGroup number='12'>\n"
        "      <address domain='0x0000' bus='0x3b' slot='0x1a' function='0x0'/>\n"
        "    </iommuGroup>\n"
        "    <numa node='1'/>\n"
        "    <pci-express>\n"
        "      <link validity='cap' port='1' speed='8' width='16'/>\n"
        "      <link validity='sta' speed='2.5' width='8'/>\n"
        "    </pci-express>\n"
        "  </capability>\n"
        "</device>\n"
    )


@pytest.mark.parametrize(("numa", "line"), [("0", "    <numa node='0'/>"), ("3", "    <numa node='3'/>"), ("-1", None)])
def test_numa_node(tree: Tree, numa: str, line: str | None) -> None:
    device = build_devices([record_for(tree, PF, numa_node=numa)])["pci_0000_3b_1a_0"]
    lines = device_xml(device).split("\n")
    assert [text for text in lines if "<numa" in text] == ([line] if line else [])
    if line:
        assert lines[lines.index(line) - 1] == "    <vendor id='0xfff0'/>"


def config(tree: Tree, address: str, header: int, length: int = 256) -> str:
    data = bytearray(length)
    data[0x0E] = header
    (tree.device(address) / "config").write_bytes(bytes(data))
    return str(tree.device(address))


@pytest.mark.parametrize(
    ("header", "length", "expected"),
    [
        (0x00, 256, {}),
        (0x01, 256, {"pci-header": "pci-bridge"}),
        (0x82, 4096, {"pci-header": "cardbus-bridge", "pci-express": "yes"}),
        (0x00, 4096, {"pci-express": "yes"}),
        (0x05, 256, {"pci-dropped": "Unknown PCI header type '5'"}),
    ],
)
def test_config_attributes(tree: Tree, header: int, length: int, expected: dict[str, str]) -> None:
    attributes: dict[str, str] = {}
    pci_config_attributes(config(tree, PF, header, length), attributes)
    assert attributes == expected


def test_unknown_header_type_drops_the_device(tree: Tree) -> None:
    """libvirt's udevProcessPCI fails on it, and the device is not listed."""
    attributes: dict[str, str] = {}
    pci_config_attributes(config(tree, PF, 0x03), attributes)
    assert capability_of(DeviceRecord("/sys/devices/x", "pci", PF, attributes=attributes)) is None
    assert capability_of(DeviceRecord("/sys/devices/x", "pci", PF, attributes={})) == "pci"


class FakeUdevDevice:
    """What record_from_pyudev reads of a pyudev device."""

    def __init__(self, sys_path: str) -> None:
        self.sys_path = sys_path
        self.subsystem = "pci"
        self.sys_name = os.path.basename(sys_path)
        self.device_type = None
        self.driver = None
        self.device_node = None
        self.properties: dict[str, str] = {}
        self.attributes = {"vendor": b"0x8086\n", "numa_node": b"2\n"}


def test_configuration_space_is_read_only_when_privileged(tree: Tree) -> None:
    folder = config(tree, PF, 0x01, 4096)
    privileged = record_from_pyudev(FakeUdevDevice(folder), privileged=True)
    assert privileged.attributes == {
        "vendor": "0x8086",
        "numa_node": "2",
        "pci-header": "pci-bridge",
        "pci-express": "yes",
    }
    assert record_from_pyudev(FakeUdevDevice(folder), privileged=False).attributes == {
        "vendor": "0x8086",
        "numa_node": "2",
    }


def connection(tree: Tree, records: list[DeviceRecord]):
    driver = NodeDeviceDriver(source="synthetic:/nonexistent")
    assert driver.sysfs_root is None  # a recorded tree's paths are not this machine's
    driver.sysfs_root = str(tree.root)
    driver.devices = build_devices(records)
    return driver.open(ConnectionContext("nodedev:///system", False, 1))


def dumpxml(conn, name: str) -> str:
    result = conn.node_device_get_xml_desc(remote.remote_node_device_get_xml_desc_args(name, 0))
    assert isinstance(result, Offload)  # never read on the event loop
    return result.then(result.work()).xml


def test_dumpxml_rereads_dynamic_caps_each_time(tree: Tree) -> None:
    conn = connection(tree, [record_for(tree, PF)])
    first = dumpxml(conn, "pci_0000_3b_1a_0")
    assert "virt_functions" not in first and "iommuGroup" not in first
    tree.sriov("2", VF0)  # SR-IOV enabled after enumeration: no udev event for the PF
    tree.group("4", PF)
    second = dumpxml(conn, "pci_0000_3b_1a_0")
    assert "<capability type='virt_functions' maxCount='2'>" in second and "<iommuGroup number='4'>" in second
    assert second == device_xml(conn.driver.devices["pci_0000_3b_1a_0"], caps_of(tree, PF))


def test_dumpxml_errors(tree: Tree) -> None:
    conn = connection(tree, [record_for(tree, PF), DeviceRecord("/sys/devices/virtual/net/x", "net", "x")])
    tree.sriov("many")
    result = conn.node_device_get_xml_desc(remote.remote_node_device_get_xml_desc_args("pci_0000_3b_1a_0", 0))
    with pytest.raises(LibvirtError) as caught:
        result.work()
    assert (caught.value.code, caught.value.domain) == (api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_NONE)
    assert caught.value.message == f"internal error: Unrecognized value in {tree.device(PF)}/sriov_totalvfs: many"
    # other capabilities are answered at once; an unknown name fails before any thread
    assert not isinstance(
        conn.node_device_get_xml_desc(remote.remote_node_device_get_xml_desc_args("net_x", 0)), Offload
    )
    with pytest.raises(LibvirtError) as caught:
        conn.node_device_get_xml_desc(remote.remote_node_device_get_xml_desc_args("pci_0000_3b_1a_9", 0))
    assert caught.value.code == api.VIR_ERR_NO_NODE_DEVICE


def run(conn, method: str, args):
    """A handler's answer as the server gives it: an Offload's work in a thread, then on the loop."""
    result = getattr(conn, method)(args)
    assert isinstance(result, Offload)
    return result.then(result.work())


def test_mdev_types_capability_follows_each_reading(tree: Tree) -> None:
    """libvirt lists mdev_types among a PCI device's capabilities while it has some; listing
    by capability uses what was last read (enumeration, then each dumpxml or caps call)."""
    record = record_for(tree, PF)
    assert (
        record_from_pyudev(FakeUdevDevice(str(tree.device(PF))), privileged=False).attributes.get("mdev-types") is None
    )
    conn = connection(tree, [record])
    name = "pci_0000_3b_1a_0"
    listed = remote.remote_node_list_devices_args("mdev_types", 10, 0)
    assert conn.node_list_devices(listed).names == []
    tree.mdev_type("t1", None, "vfio-ccw", "1")
    assert conn.node_list_devices(listed).names == []  # not read since
    caps = run(conn, "node_device_list_caps", remote.remote_node_device_list_caps_args(name, 16))
    assert caps.names == ["pci", "mdev_types"]
    assert run(conn, "node_device_num_of_caps", remote.remote_node_device_num_of_caps_args(name)).num == 2
    assert conn.node_list_devices(listed).names == [name]
    flags = api.VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES
    assert (
        run(conn, "connect_list_all_node_devices", remote.remote_connect_list_all_node_devices_args(1, flags)).ret == 1
    )
    # enumeration reads it too
    enumerated = record_from_pyudev(FakeUdevDevice(str(tree.device(PF))), privileged=False)
    assert enumerated.attributes["mdev-types"] == "yes"
    assert build_devices([enumerated])[name].caps == ["pci", "mdev_types"]
    # gone again: the next dumpxml drops it
    (tree.device(PF) / "mdev_supported_types/t1/device_api").unlink()
    (tree.device(PF) / "mdev_supported_types/t1/available_instances").unlink()
    (tree.device(PF) / "mdev_supported_types/t1").rmdir()
    assert "<capability type='mdev_types'>" not in dumpxml(conn, name)
    assert conn.node_list_devices(listed).names == []


@pytest.mark.parametrize(
    ("numa", "kept"),
    [(b"-1\n", True), (b"0\n", True), (b"+2", True), (b"abc\n", False), (b"1.5", False), (b"2147483648", False)],
)
def test_numa_node_libvirt_cannot_read_drops_the_device(tree: Tree, numa: bytes, kept: bool) -> None:
    """udevProcessPCI fails on a numa_node that is not a C int, and the device is not listed."""
    udev_device = FakeUdevDevice(str(tree.device(PF)))
    udev_device.attributes["numa_node"] = numa
    record = record_from_pyudev(udev_device, privileged=False)
    assert (capability_of(record) == "pci") is kept


def test_listing_by_mdev_types_rereads_every_pci_device(tree: Tree) -> None:
    """libvirt's virConnectListAllNodeDevices refreshes each device before matching it: mdev
    types offered since enumeration show at once, and a device whose re-reading fails is left
    out. Other listings answer from what was last read, without a thread."""
    conn = connection(
        tree, [record_for(tree, PF), record_for(tree, PEER), DeviceRecord("/sys/devices/virtual/net/x", "net", "x")]
    )
    by_mdev = remote.remote_connect_list_all_node_devices_args(1, api.VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES)
    assert run(conn, "connect_list_all_node_devices", by_mdev).ret == 0
    tree.mdev_type("t1", None, "vfio-pci", "3")
    (tree.device(PEER) / "mdev_supported_types/t2").mkdir(parents=True)  # no device_api: unreadable
    answer = run(conn, "connect_list_all_node_devices", by_mdev)
    assert [d.name for d in answer.devices] == ["pci_0000_3b_1a_0"] and answer.ret == 1
    caps = run(conn, "node_device_list_caps", remote.remote_node_device_list_caps_args("pci_0000_3b_1a_0", 8))
    assert caps.names == ["pci", "mdev_types"]
    everything = conn.connect_list_all_node_devices(remote.remote_connect_list_all_node_devices_args(1, 0))
    assert not isinstance(everything, Offload) and everything.ret == 4
    assert conn.node_list_devices(remote.remote_node_list_devices_args("mdev_types", 10, 0)).names == [
        "pci_0000_3b_1a_0"
    ]


def test_removal_of_a_pci_device_is_applied(tree: Tree) -> None:
    """A removed device's folder is gone: its record must still be a PCI device's, so the
    driver deletes it (and tells subscribers) instead of ignoring the event."""
    from virtrio.drivers.nodedev.sources import DeviceChange

    folder = config(tree, PF, 0x00)
    driver = NodeDeviceDriver(source="synthetic:/nonexistent")
    driver.devices = build_devices([record_for(tree, PF)])
    removed = FakeUdevDevice(folder)
    for name in os.listdir(folder):
        os.unlink(os.path.join(folder, name))
    os.rmdir(folder)
    assert "pci-dropped" in record_from_pyudev(removed, privileged=True).attributes  # what an add would make
    driver.apply(DeviceChange("remove", record_from_pyudev(removed, privileged=True, removed=True)))
    assert "pci_0000_3b_1a_0" not in driver.devices
