"""Unit tests of the domain device modules (disks, controllers, addresses, interfaces): each
rule on a small element, with the values libvirt's parser and formatter give (read from
domain_conf.c, domain_postparse.c and domain_validate.c, and checked against libvirtd by
`python -m interop xmlcorpus`)."""

from __future__ import annotations

import pytest
from lxml import etree

from virtrio.drivers.libvirt_rules import c_strtoul, scaled_value
from virtrio.drivers.test import domain_addresses, domain_controllers, domain_disks, domain_interfaces
from virtrio.drivers.test.xml_tree import reorder_attributes
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError


def xml(text: str) -> etree._Element:
    return etree.fromstring(text)


def text(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode")


# --- libvirt_rules helpers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        *(("0x1f", 31), ("010", 8), ("12", 12), ("", 0), (None, 0), ("zz", 0), (" 7", 7)),
        *(("0", 0), ("0X1F", 31), ("0x_1", 0), ("0x", 0), ("0x0000", 0), ("0xffffffffffffffff", 2**64 - 1)),
    ],
)
def test_strtoul_base_zero(given: str | None, expected: int) -> None:
    assert c_strtoul(given) == expected


def test_scaled_values() -> None:
    assert scaled_value("12345", "bytes", 1) == 12345
    assert scaled_value("2", "KiB", 1) == 2048
    assert scaled_value("3", "kb", 1) == 3000
    assert scaled_value("5", None, 1024) == 5120
    assert scaled_value("5", "parsecs", 1) is None
    assert scaled_value("-5", "KiB", 1) is None


# --- disks ---------------------------------------------------------------------------------


def test_network_source_defaults() -> None:
    disk = xml(
        "<disk type='network'><source name='iqn.2013-07.com.example:iscsi-pool' protocol='iscsi' index='3'>"
        "<host name='example.org' transport='tcp'/></source><target dev='vda'/></disk>"
    )
    domain_disks.canonical_disk_storage(disk)
    assert text(disk.find("source")) == (
        '<source protocol="iscsi" name="iqn.2013-07.com.example:iscsi-pool/0">'
        '<host name="example.org" port="3260"/></source>'
    )


def test_backing_chain_order_and_index() -> None:
    disk = xml(
        "<disk type='file'><source file='/a'/><backingStore type='file' index='1'>"
        "<source file='/b'/><format type='qcow2'/><backingStore/></backingStore>"
        "<mirror file='/c'/><target dev='vda' tray='closed'/><driver cache='default' name='qemu'/></disk>"
    )
    domain_disks.canonical_disk_storage(disk)
    backing = disk.find("backingStore")
    assert backing.attrib == {"type": "file"}
    assert [child.tag for child in backing] == ["format", "source", "backingStore"]
    assert disk.find("mirror") is None
    assert "tray" not in disk.find("target").attrib
    assert "cache" not in disk.find("driver").attrib


def test_backing_store_without_format_is_refused() -> None:
    disk = xml(
        "<disk type='file'><source file='/a'/><backingStore type='file'><source file='/b'/></backingStore></disk>"
    )
    with pytest.raises(LibvirtError) as raised:
        domain_disks.canonical_disk_storage(disk)
    assert (raised.value.code, str(raised.value)) == (
        api.VIR_ERR_XML_ERROR,
        "XML error: missing disk backing store format",
    )


def test_metadata_cache_written_in_bytes() -> None:
    disk = xml("<disk><driver><metadata_cache><max_size unit='KiB'>2</max_size></metadata_cache></driver></disk>")
    domain_disks.canonical_disk_storage(disk)
    assert text(disk.find("driver/metadata_cache/max_size")) == '<max_size unit="bytes">2048</max_size>'


def test_disk_without_source_becomes_a_file_disk() -> None:
    disk = xml("<disk type='network' device='cdrom'><target dev='hdc'/></disk>")
    domain_disks.canonical_disk_storage(disk)
    assert disk.get("type") == "file"


@pytest.mark.parametrize(
    ("disk", "message"),
    [
        (
            "<disk type='network'><source protocol='iscsi' name='x'/>"
            "<auth username='u'><secret type='ceph'/></auth></disk>",
            "unsupported configuration: invalid secret type 'ceph'",
        ),
        (
            "<disk type='network'><source protocol='iscsi' name='x'/><auth username='u'><secret/></auth></disk>",
            "unsupported configuration: unknown secret type '<null>'",
        ),
        (
            "<disk type='network'><source protocol='nbd'/><auth username='u'><secret type='iscsi'/></auth></disk>",
            "unsupported configuration: authentication is not supported for protocol 'nbd'",
        ),
        (
            "<disk><source file='/a'/><encryption format='luks'><cipher name='aes'/></encryption></disk>",
            "unsupported configuration: supplying <cipher> for domain disk definition is unnecessary",
        ),
    ],
)
def test_storage_validation(disk: str, message: str) -> None:
    with pytest.raises(LibvirtError) as raised:
        domain_disks.validate_storage(xml(disk))
    assert str(raised.value) == message


def test_missing_target_names_the_source() -> None:
    error = domain_disks.missing_target(xml("<disk type='volume'><source pool='p' volume='v'/></disk>"))
    assert (error.code, str(error)) == (
        api.VIR_ERR_NO_TARGET,
        "missing target information for device pool = 'p', volume = 'v'",
    )
    assert str(domain_disks.missing_target(xml("<disk type='file'/>"))) == "missing target information for device"


def test_duplicate_targets_and_drive_addresses() -> None:
    first = xml("<disk><source file='/a'/><target dev='sda' bus='scsi'/></disk>")
    second = xml("<disk><source file='/b'/><target dev='sda' bus='scsi'/></disk>")
    with pytest.raises(LibvirtError, match="target 'sda' duplicated for disk sources '/a' and '/b'"):
        domain_disks.validate_disk_targets([first, second])
    address = "<address type='drive' controller='0' bus='0' target='0' unit='1'/>"
    disks = [
        xml(f"<disk><target dev='sda' bus='scsi'/>{address}</disk>"),
        xml(f"<disk><target dev='sdb' bus='scsi'/>{address}</disk>"),
    ]
    with pytest.raises(LibvirtError, match="Found duplicate drive address for disk with target name 'sda'"):
        domain_disks.validate_drive_addresses(disks, [])


# --- addresses -------------------------------------------------------------------------------


def test_pci_address_checks_and_format() -> None:
    address = xml("<address type='pci' domain='0' bus='1' slot='0x1f' function='7'><zpci uid='0x1'/></address>")
    domain_addresses.canonical_address(address)
    assert text(address) == (
        '<address type="pci" domain="0x0000" bus="0x01" slot="0x1f" function="0x7">'
        '<zpci uid="0x0001" fid="0x00000000"/></address>'
    )
    with pytest.raises(LibvirtError) as raised:
        domain_addresses.canonical_address(xml("<address type='pci' bus='0x100' slot='1'/>"))
    assert (raised.value.domain, str(raised.value)) == (
        api.VIR_FROM_NONE,
        "XML error: Invalid PCI address bus='0x100', must be <= 0xFF",
    )


@pytest.mark.parametrize(("port", "written"), [("1.2", "1.2"), ("4", "4"), ("1.0.3", "1"), (None, "")])
def test_usb_ports(port: str | None, written: str) -> None:
    assert domain_addresses.usb_port(port) == written


def test_usb_port_path_too_deep() -> None:
    with pytest.raises(LibvirtError, match="Cannot parse <address> 'port' attribute"):
        domain_addresses.usb_port("1.2.3.4.5")


def test_spapr_vio_register_in_hex() -> None:
    address = xml("<address type='spapr-vio' reg='2000'/>")
    domain_addresses.canonical_address(address)
    assert address.get("reg") == "0x00002000"


# --- controllers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        "<controller type='pci' model='pci-root' index='0'/>",
        "<controller index='1' type='scsi'/>",
        "<controller model='virtio' ports='4' type='virtio-serial' index='0' vectors='2'/>",
        "<controller type='usb' index='0' model='ehci'/>",
        "<controller x='1' model='none' type='usb' index='0'/>",
    ],
)
def test_controller_attributes_put_in_libvirts_order(given: str) -> None:
    moved, reordered = xml(given), xml(given)
    domain_controllers.order_attributes(moved)
    reorder_attributes(reordered, domain_controllers.CONTROLLER_ATTRIBUTE_ORDER)
    assert moved.items() == reordered.items()
    assert dict(moved.items()) == dict(xml(given).items())  # (the same values)


def test_usb2_companions_share_their_group_index() -> None:
    models = ["ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-ehci1", "ich9-uhci1", "ich9-uhci1"]
    controllers = [xml(f"<controller type='usb' model='{model}'/>") for model in models]
    domain_controllers.parse_controllers(controllers)
    domain_controllers.assign_indexes(controllers)
    assert [c.get("index") for c in controllers] == ["0", "0", "0", "1", "1", "2"]
    assert controllers[2].find("master").get("startport") == "2"


@pytest.mark.parametrize(
    ("controllers", "message"),
    [
        (["<controller type='usb' model='none'/>", "<controller type='usb'/>"], "Can't add another USB controller"),
        (["<controller type='usb' model='ich9-uhci2'/>"], "No master USB controller specified"),
        (["<controller type='pci' index='-1'/>"], "Expected non-negative value"),
    ],
)
def test_controller_parse_errors(controllers: list[str], message: str) -> None:
    with pytest.raises(LibvirtError, match=message):
        domain_controllers.parse_controllers([xml(c) for c in controllers])


@pytest.mark.parametrize(
    ("controller", "written"),
    [
        ("<controller type='virtio-serial' ports=' +5' vectors='007'/>", "ports='5' vectors='7'"),
        ("<controller type='usb' model='qemu-xhci' ports='8' vectors='-1'/>", "ports='8'"),
        ("<controller type='scsi' ports='3' vectors='2'/>", ""),
        (
            "<controller type='xenbus' maxGrantFrames='64' maxEventChannels='+2'/>",
            "maxGrantFrames='64' maxEventChannels='2'",
        ),
        ("<controller type='sata' maxGrantFrames='-1'/>", ""),
    ],
)
def test_controller_counts_kept_by_their_types(controller: str, written: str) -> None:
    # as libvirtd answers define+dumpxml for each (ports read for every type, written for two)
    element = xml(controller)
    domain_controllers.parse_controllers([element])
    counts = ("ports", "vectors", "maxGrantFrames", "maxEventChannels")
    assert " ".join(f"{name}='{element.get(name)}'" for name in counts if name in element.attrib) == written


@pytest.mark.parametrize(
    ("controller", "message"),
    [
        ("<controller type='virtio-serial' ports='-1'/>", "'ports' in element 'controller': '-1'. Expected non-"),
        ("<controller type='scsi' ports='-3'/>", "'ports' in element 'controller': '-3'. Expected non-negative"),
        ("<controller type='virtio-serial' vectors='-3'/>", "'vectors' in element 'controller': '-3'. Expected non-"),
        ("<controller type='ide' ports='0x10'/>", "'ports' in element 'controller': '0x10'. Expected integer"),
        ("<controller type='xenbus' maxGrantFrames='-1'/>", "'maxGrantFrames' in element 'controller': '-1'"),
    ],
)
def test_controller_counts_refused_as_libvirt_refuses_them(controller: str, message: str) -> None:
    with pytest.raises(LibvirtError, match=message) as refused:
        domain_controllers.parse_controllers([xml(controller)])
    assert (refused.value.code, refused.value.domain) == (api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML)


def test_pci_controller_validation() -> None:
    with pytest.raises(LibvirtError, match="pci-root and pcie-root controllers should not have an address"):
        domain_controllers.validate_controller(
            xml("<controller type='pci' index='0' model='pci-root'><address type='pci'/></controller>")
        )
    with pytest.raises(LibvirtError, match="Only the PCI controller with index 0 can have target index 0"):
        domain_controllers.validate_controller(
            xml("<controller type='pci' index='0' model='pci-root'><target index='1'/></controller>")
        )
    with pytest.raises(LibvirtError, match="Multiple 'pci' controllers with index '1'"):
        domain_controllers.reject_duplicates([xml("<controller type='pci' index='1'/>")] * 2)


def test_scsi_host_devices_get_free_units() -> None:
    disks = [
        xml(
            "<disk><target dev='sda' bus='scsi'/>"
            "<address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>"
        )
    ]
    hostdevs = [xml("<hostdev mode='subsystem' type='scsi'><source/></hostdev>") for _ in range(7)]
    domain_controllers.assign_scsi_hostdev_addresses(hostdevs, disks, [])
    units = [(h.find("address").get("controller"), h.find("address").get("unit")) for h in hostdevs]
    assert units == [("0", "1"), ("0", "2"), ("0", "3"), ("0", "4"), ("0", "5"), ("0", "6"), ("1", "0")]
    controllers: list[etree._Element] = []
    domain_controllers.add_implicit_controllers(controllers, {"hostdev": hostdevs, "disk": disks})
    assert [(c.get("type"), c.get("index")) for c in controllers] == [("scsi", "0"), ("scsi", "1")]


# --- interfaces -------------------------------------------------------------------------------


def test_interface_parts() -> None:
    interface = xml(
        "<interface type='network'><source network='n' portid='873be5a0-6b8a-4a0b-a1df-ef3659cd64bc'/>"
        "<model type='ViRtIo'/><driver queues='1' txmode='iothread'/><filterref filter='f'/></interface>"
    )
    domain_interfaces.canonical_interface_parts(interface)
    assert interface.find("model").get("type") == "virtio"
    assert "portid" not in interface.find("source").attrib
    assert interface.find("driver").attrib == {"txmode": "iothread"}
    assert interface.find("filterref") is not None
    hostdev = xml(
        "<interface type='hostdev'><source><address type='pci' bus='0x1' slot='0x0'/></source>"
        "<driver name='vfio' queues='4'/><filterref filter='f'/></interface>"
    )
    domain_interfaces.canonical_interface_parts(hostdev)
    assert hostdev.find("driver").attrib == {"name": "vfio"}
    assert hostdev.find("filterref") is None


def test_interface_queue_count_must_be_unsigned() -> None:
    interface = xml("<interface type='user'><model type='virtio'/><driver queues='-5'/></interface>")
    with pytest.raises(LibvirtError) as raised:
        domain_interfaces.canonical_interface_parts(interface)
    assert (raised.value.domain, str(raised.value)) == (
        api.VIR_FROM_XML,
        "XML error: Invalid value for attribute 'queues' in element 'driver': '-5'. "
        "Expected non-negative integer value",
    )


# --- bounds of virtrio's own on what a number in a definition makes the daemon build ----------


def _domain(devices: str = "", extra: str = "") -> str:
    head = "<domain type='qemu'><name>b</name><memory>1024</memory><os><type>hvm</type></os>"
    return f"{head}{extra}<devices>{devices}</devices></domain>"


def test_a_huge_drive_controller_index_is_refused_at_once() -> None:
    from virtrio.drivers.test.parse import parse_domain_xml
    from virtrio.drivers.test.state import TestState

    disk = (
        "<disk type='file'><source file='/a'/><target dev='sda' bus='scsi'/>"
        "<address type='drive' controller='{}'/></disk>"
    )
    parsed = parse_domain_xml(_domain(disk.format(2)), TestState.__new__(TestState))
    assert len(parsed.definition[-1].findall("controller[@type='scsi']")) == 3  # 0, 1 and 2, as libvirt adds them
    with pytest.raises(LibvirtError, match="implies more controllers than virtrio makes"):
        parse_domain_xml(_domain(disk.format(2**31 - 1)), TestState.__new__(TestState))


def test_a_huge_iothread_count_is_refused_at_once() -> None:
    from virtrio.drivers.test.parse import parse_domain_xml
    from virtrio.drivers.test.state import TestState

    with pytest.raises(LibvirtError, match="iothreads count 2000000000 is more than virtrio makes"):
        parse_domain_xml(_domain(extra="<iothreads>2000000000</iothreads>"), TestState.__new__(TestState))


def test_disk_names_remembered_are_bounded_in_count_and_length(monkeypatch: pytest.MonkeyPatch) -> None:
    """disk_index remembers names a client wrote: never more than the bound, never a long one."""
    from virtrio.drivers.test import domain_definition

    monkeypatch.setattr(domain_definition, "_DISK_INDEXES", {})
    long_name = "vd" + "a" * 100_000
    assert domain_definition.disk_index(long_name) == domain_definition.disk_index(long_name)
    assert long_name not in domain_definition._DISK_INDEXES
    assert [domain_definition.disk_index(name) for name in ("hda", "sdb", "vdaa", "xyz", None)] == [0, 1, 26, -1, -1]
    for number in range(domain_definition.DISK_INDEX_CACHE_LIMIT + 10):
        domain_definition.disk_index(f"x{number}")
    assert len(domain_definition._DISK_INDEXES) == domain_definition.DISK_INDEX_CACHE_LIMIT
    assert domain_definition.disk_index("sdc") == 2  # past the bound: read each time, still right
