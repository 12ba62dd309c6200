"""Unit tests of domain rules that libvirt's other drivers' test documents exercise (bhyve,
lxc, libxl, ...; measured by `python -m interop xmlcorpus --kind domains-other`), through the
test driver's own reader and writer on small domains. The expected texts are what libvirtd
9.0.0's test driver writes for the same documents."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from virtrio.drivers.test import state
from virtrio.drivers.test.formats import domain_xml
from virtrio.drivers.test.parse import parse_domain_xml
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError


def written(top: str, os: str = "<type>hvm</type>", devices: str = "", clock: str = "") -> str:
    text = (
        f"<domain type='test'><name>d</name><memory>1024</memory>{top}<os>{os}</os>{clock}"
        f"<devices>{devices}</devices></domain>"
    )
    return domain_xml(parse_domain_xml(text, state.TestState.__new__(state.TestState)), inactive=True)


def os_of(xml: str) -> str:
    return xml[xml.index("<os>") : xml.index("</os>")]


# --- bootloader (virDomainDefFormatInternal writes boot options only without one) -------


def test_bootloader_leaves_out_boot_devices_bootmenu_and_bios() -> None:
    os = "<type>hvm</type><bootmenu enable='yes'/><bios useserial='yes'/><boot dev='cdrom'/>"
    xml = written("<bootloader>/x</bootloader>", os=os)
    assert "  <bootloader>/x</bootloader>\n  <os>\n" in xml
    assert os_of(xml) == "<os>\n    <type arch='i686'>hvm</type>\n  "


def test_bootloader_without_boot_gets_no_default_boot_device() -> None:
    assert "<boot " not in written("<bootloader>/usr/bin/grub</bootloader>")


def test_bootloader_args_only_after_a_bootloader() -> None:
    assert "bootloader" not in written("<bootloader_args>-X -Y</bootloader_args>")
    xml = written("<bootloader>/b</bootloader><bootloader_args>-X -Y</bootloader_args>")
    assert "  <bootloader>/b</bootloader>\n  <bootloader_args>-X -Y</bootloader_args>\n" in xml


def test_empty_bootloader_is_none() -> None:
    # an empty one reads as absent: the default boot device and bootmenu are written
    xml = written("<bootloader/><bootloader_args>-a</bootloader_args>", os="<type>hvm</type><bootmenu enable='yes'/>")
    assert "bootloader" not in xml
    assert "<boot dev='hd'/>\n    <bootmenu enable='yes'/>" in xml
    # an empty bootloader_args is not written; a blank bootloader is kept as it is
    assert "bootloader_args" not in written("<bootloader>/x</bootloader><bootloader_args></bootloader_args>")
    assert "<bootloader> </bootloader>" in written("<bootloader> </bootloader>")


# --- RAM filesystems (virDomainFSDefParseXML: usage scaled by its units, written in KiB) ---


def container(filesystem: str) -> str:
    text = (
        "<domain type='test'><name>c</name><memory>1024</memory><os><type>exe</type><init>/bin/sh</init></os>"
        f"<devices><filesystem type='ram'>{filesystem}<target dir='/m'/></filesystem></devices></domain>"
    )
    return domain_xml(parse_domain_xml(text, state.TestState.__new__(state.TestState)), inactive=True)


def refusal(read: Callable[[], object]) -> tuple[int, int, str | None]:
    with pytest.raises(LibvirtError) as caught:
        read()
    return caught.value.code, caught.value.domain, caught.value.message


@pytest.mark.parametrize(
    ("source", "written_source"),
    [
        ("<source usage='1048576'/>", "<source usage='1048576' units='KiB'/>"),
        ("<source usage='1048576' units='bytes' dir='/x'/>", "<source usage='1024' units='KiB'/>"),
        ("<source usage='2' units='MB'/>", "<source usage='1953' units='KiB'/>"),
        ("<source usage=' +3'/>", "<source usage='3' units='KiB'/>"),
        ("<source usage='1023' units='b'/>", "<source usage='0' units='KiB'/>"),
    ],
)
def test_ram_filesystem_usage_in_kib(source: str, written_source: str) -> None:
    assert f"<filesystem type='ram' accessmode='passthrough'>\n      {written_source}\n" in container(source)


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("", (api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "XML error: missing 'usage' attribute for RAM filesystem")),
        (
            "<source usage='0x10'/>",
            (api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, "XML error: cannot parse usage '0x10' for RAM filesystem"),
        ),
        (
            "<source usage='-1'/>",
            (api.VIR_ERR_OVERFLOW, api.VIR_FROM_NONE, "numerical overflow: value too large: 18446744073709551615"),
        ),
        (
            "<source usage='2' units='foo'/>",
            (api.VIR_ERR_INVALID_ARG, api.VIR_FROM_NONE, "invalid argument: unknown suffix 'foo'"),
        ),
    ],
)
def test_ram_filesystem_usage_refused(source: str, error: tuple[int, int, str]) -> None:
    assert refusal(lambda: container(source)) == error


# --- clock and timers (virDomainDefClockParse, virDomainTimerDefParseXML, their formats) ---


def clock_of(clock: str) -> str:
    xml = written("", clock=clock)
    return xml[xml.index("  <clock") : xml.index("  <on_poweroff>")]


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        (
            "<clock offset='localtime' adjustment='3600'/>",
            "<clock offset='variable' adjustment='3600' basis='localtime'/>",
        ),
        ("<clock offset='utc' adjustment=' -10'/>", "<clock offset='variable' adjustment='-10' basis='utc'/>"),
        ("<clock offset='localtime' adjustment='reset'/>", "<clock offset='localtime' adjustment='reset'/>"),
        ("<clock offset='variable'/>", "<clock offset='variable' adjustment='0' basis='utc'/>"),
        # an unreadable adjustment of a variable clock is 0, adjustment0 is not written
        (
            "<clock offset='variable' adjustment='x' adjustment0='5'/>",
            "<clock offset='variable' adjustment='0' basis='utc'/>",
        ),
        (
            "<clock offset='timezone' timezone='Europe/Paris' adjustment='4'/>",
            "<clock offset='timezone' timezone='Europe/Paris'/>",
        ),
        ("<clock offset='absolute' start='+1234' basis='utc'/>", "<clock offset='absolute' start='1234'/>"),
        ("<clock offset=''/>", "<clock offset='utc'/>"),
        # the first clock's offset, every clock's timers
        (
            "<clock offset='variable' adjustment='1' basis='localtime'/>"
            "<clock offset='utc'><timer name='pit'/></clock>",
            "<clock offset='variable' adjustment='1' basis='localtime'>\n    <timer name='pit'/>\n  </clock>",
        ),
    ],
)
def test_clock_offsets(clock: str, expected: str) -> None:
    assert clock_of(clock) == f"  {expected}\n"


def test_timers_written_in_libvirts_order() -> None:
    clock = (
        "<clock offset='utc'><timer track='wall' foo='1' tickpolicy='catchup' name='rtc' present='yes'>"
        "<catchup limit='3' threshold='0' slew='2'/><x/></timer>"
        "<timer mode='native' frequency='+100' name='tsc'/><timer name='hpet' present='no'/></clock>"
    )
    assert clock_of(clock) == (
        "  <clock offset='utc'>\n"
        "    <timer name='rtc' present='yes' tickpolicy='catchup' track='wall'>\n"
        "      <catchup slew='2' limit='3'/>\n"
        "    </timer>\n"
        "    <timer name='tsc' frequency='100' mode='native'/>\n"
        "    <timer name='hpet' present='no'/>\n"
        "  </clock>\n"
    )


@pytest.mark.parametrize(
    ("clock", "code", "error_domain", "message"),
    [
        ("<clock offset='bogus'/>", 67, 20, "unsupported configuration: unknown clock offset 'bogus'"),
        ("<clock offset='utc' adjustment='x'/>", 27, 20, "XML error: unknown clock adjustment 'x'"),
        ("<clock offset='variable' basis='foo'/>", 67, 20, "unsupported configuration: unknown clock basis 'foo'"),
        (
            "<clock offset='timezone' timezone=''/>",
            1,
            20,
            "internal error: missing 'timezone' attribute for clock with offset='timezone'",
        ),
        (
            "<clock offset='absolute' start='-1'/>",
            1,
            20,
            "internal error: missing 'start' attribute for clock with offset='absolute'",
        ),
        ("<clock><timer/></clock>", 27, 5, "XML error: Missing required attribute 'name' in element 'timer'"),
        (
            "<clock><timer name='rtc' tickpolicy='none'/></clock>",
            27,
            5,
            "XML error: Invalid value for attribute 'tickpolicy' in element 'timer': 'none'.",
        ),
        (
            "<clock><timer name='tsc' frequency='-1'/></clock>",
            27,
            5,
            "XML error: Invalid value for attribute 'frequency' in element 'timer': '-1'. "
            "Expected non-negative integer value",
        ),
        (
            "<clock><timer name='kvmclock' tickpolicy='delay'/></clock>",
            67,
            20,
            "unsupported configuration: timer kvmclock doesn't support setting of timer tickpolicy",
        ),
        (
            "<clock><timer name='pit' tickpolicy='delay'><catchup limit='3'/></timer></clock>",
            27,
            20,
            "XML error: setting of timer catchup policies is only supported with tickpolicy='catchup'",
        ),
        (
            "<clock><timer name='hpet' mode='native'/></clock>",
            67,
            20,
            "unsupported configuration: timer hpet doesn't support setting of timer mode",
        ),
        (
            "<clock><timer name='hpet' track='guest'/></clock>",
            67,
            20,
            "unsupported configuration: timer hpet doesn't support setting of timer track",
        ),
    ],
)
def test_clock_refusals(clock: str, code: int, error_domain: int, message: str) -> None:
    assert refusal(lambda: written("", clock=clock)) == (code, error_domain, message)


# --- interface backend and coalesce (virDomainNetBackendParseXML, ...CoalesceParseXML) ----


def interface_of(interface: str) -> str:
    xml = written("", devices=interface)
    return xml[xml.index("    <interface") : xml.index("</interface>")]


def test_backend_paths_sanitized_and_vhost_only_for_virtio() -> None:
    backend = "<backend vhost='//dev//zero/' tap='/dev//null/' logFile='/x//' foo='1'/>"
    virtio = interface_of(f"<interface type='user'><model type='VIRTIO'/>{backend}</interface>")
    assert "      <backend tap='/dev/null' vhost='//dev/zero' logFile='/x//'/>\n" in virtio
    e1000 = interface_of(f"<interface type='user'><model type='e1000'/>{backend}</interface>")
    assert "      <backend tap='/dev/null' logFile='/x//'/>\n" in e1000
    assert "<backend" not in interface_of("<interface type='user'><backend vhost='/a'/></interface>")


@pytest.mark.parametrize(
    ("coalesce", "expected"),
    [
        ("<rx><frames max='07'/></rx>", "7"),
        ("<rx><frames/><frames max=' +5'/></rx><tx/>", "5"),  # the first max attribute
        ("<rx><frames/></rx><rx><frames max='4294967295'/></rx>", "4294967295"),
        ("<rx><frames max='0'/></rx>", None),  # 0 is not written
        ("<rx><frames max=''/></rx>", None),
        ("<rx/>", None),
    ],
)
def test_coalesce_canonical(coalesce: str, expected: str | None) -> None:
    interface = f"<interface type='user'><coalesce>{coalesce}</coalesce><coalesce><rx><frames max='2'/></rx></coalesce>"
    xml = interface_of(interface + "</interface>")
    if expected is None:
        assert "coalesce" not in xml
    else:
        assert xml.count("<coalesce>") == 1
        assert f"      <coalesce>\n        <rx>\n          <frames max='{expected}'/>\n        </rx>\n" in xml


@pytest.mark.parametrize(
    ("maximum", "error"),
    [
        (
            "x",
            (api.VIR_ERR_XML_DETAIL, api.VIR_FROM_DOMAIN, "cannot parse value 'x' for coalesce parameter"),
        ),
        (
            "-1",
            (api.VIR_ERR_XML_DETAIL, api.VIR_FROM_DOMAIN, "cannot parse value '-1' for coalesce parameter"),
        ),
        (
            "4294967296",
            (
                api.VIR_ERR_OVERFLOW,
                api.VIR_FROM_DOMAIN,
                "numerical overflow: value '4294967296' is too big for coalesce parameter, maximum is '4294967295'",
            ),
        ),
    ],
)
def test_coalesce_refused(maximum: str, error: tuple[int, int, str]) -> None:
    interface = f"<interface type='user'><coalesce><rx><frames max='{maximum}'/></rx></coalesce></interface>"
    assert refusal(lambda: written("", devices=interface)) == error


# --- interface type, source and addresses (virDomainNetDefParseXML, virDomainNetIPParseXML) -


@pytest.mark.parametrize(
    ("interface", "expected"),
    [
        # no type: a user-mode interface, which reads no source
        (
            "<interface trustGuestRxFilters='yes' foo='1'><source bridge='virbr0'/></interface>",
            "<interface type='user' trustGuestRxFilters='yes'>\n      <mac address='52:54:00:11:22:33'/>\n"
            "      <target",
        ),
        (
            "<interface type='bridge'><source network='n' bridge='' foo='1'><x/></source></interface>",
            "<source bridge=''/>\n",
        ),
        (
            "<interface type='network'><source portgroup='p' bridge='b' network='n' portid='"
            "c7a5fdbd-edaf-9455-926a-d65c16db1809'/></interface>",
            "<source network='n' portgroup='p'/>\n",
        ),
        ("<interface type='direct'><source dev='eth0'/></interface>", "<source dev='eth0' mode='vepa'/>\n"),
        ("<interface type='server'><source port=' +5558'/></interface>", "<source port='5558'/>\n"),
        (
            "<interface type='udp'><source port='1' address='127.0.0.1'><local port='-1' address='::1'/></source>"
            "</interface>",
            "<source address='127.0.0.1' port='1'>\n        <local address='::1' port='-1'/>\n      </source>\n",
        ),
        (
            "<interface type='ethernet'><source dev='x'><route address='10.0.0.0' prefix='8' gateway='1.2.3.4'/>"
            "<ip address='1.2.3' prefix='0'/></source></interface>",
            "<source>\n        <ip address='1.2.0.3' family='ipv4'/>\n"
            "        <route address='10.0.0.0' prefix='8' gateway='1.2.3.4'/>\n      </source>\n",
        ),
        (
            "<interface type='user'><ip prefix='64' address='2001:DB8:0:0::1' peer='::2'/></interface>",
            "<ip address='2001:db8::1' family='ipv6' prefix='64' peer='::2'/>\n",
        ),
        (
            "<interface managed='no' type='hostdev'><source><address type='pci' domain='0' bus='0' slot='1' "
            "function='0'/></source></interface>",
            "<interface type='hostdev'>\n",
        ),
    ],
)
def test_interface_as_its_type_reads_it(interface: str, expected: str) -> None:
    with_mac = interface.replace(">", "><mac address='52:54:00:11:22:33'/>", 1)
    assert expected in interface_of(with_mac)


@pytest.mark.parametrize(
    ("interface", "error"),
    [
        (
            "<interface type='bogus'/>",
            (27, 5, "XML error: Invalid value for attribute 'type' in element 'interface': 'bogus'."),
        ),
        ("<interface type='bridge'/>", (27, 20, "XML error: interface type='bridge' requires a 'source' element")),
        ("<interface type='vds'/>", (27, 20, "XML error: interface type='vds' requires a 'source' element")),
        (
            "<interface type='bridge'><source/></interface>",
            (27, 5, "XML error: Missing required attribute 'bridge' in element 'source'"),
        ),
        (
            "<interface type='direct'><source dev='e' mode='x'/></interface>",
            (27, 5, "XML error: Invalid value for attribute 'mode' in element 'source': 'x'."),
        ),
        (
            "<interface type='server'><source port='x'/></interface>",
            (27, 5, "XML error: Invalid value for attribute 'port' in element 'source': 'x'. Expected integer value"),
        ),
        (
            "<interface type='udp'><source address='a' port='1'/></interface>",
            (27, 20, "XML error: '<local>' element missing for 'udp' socket interface"),
        ),
        (
            "<interface type='user'><ip prefix='1'/></interface>",
            (27, 20, "XML error: Missing required address in <ip>"),
        ),
        ("<interface type='user'><ip address='x'/></interface>", (27, 20, "XML error: Invalid address 'x' in <ip>")),
        (
            "<interface type='user'><ip address='::1' prefix='129'/></interface>",
            (27, 20, "XML error: Invalid prefix value '129' in <ip>"),
        ),
        (
            "<interface type='user'><ip address='10.0.0.1' family='ipv6'/></interface>",
            (27, 20, "XML error: Invalid address '10.0.0.1' in <ip>"),
        ),
        (
            "<interface type='user'><ip address='10.0.0.1' peer='x'/></interface>",
            (8, 20, "invalid argument: Invalid peer 'x' in <ip>"),
        ),
    ],
)
def test_interface_refusals(interface: str, error: tuple[int, int, str]) -> None:
    assert refusal(lambda: written("", devices=interface)) == error


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        ("<model/><script/><downscript path=''/>", []),  # empty ones are not written
        ("<model foo='1' type='E1000'><x/></model><model type='virtio'/>", ["<model type='e1000'/>"]),
        ("<model/><model type='my_model-1'/>", ["<model type='my_model-1'/>"]),
        (
            "<script path='/a' foo='1'/><script path='/b'/><downscript x='1'/><downscript path='/d'/>",
            ["<script path='/a'/>", "<downscript path='/d'/>"],
        ),
    ],
)
def test_interface_single_attribute_children(children: str, expected: list[str]) -> None:
    xml = interface_of(f"<interface type='user'><mac address='52:54:00:11:22:33'/>{children}</interface>")
    lines = [line.strip() for line in xml.splitlines()]
    assert [line for line in lines if line.startswith(("<model", "<script", "<downscript"))] == expected


def test_interface_model_characters() -> None:
    interface = "<interface type='user'><model type='a b'/></interface>"
    error = (8, 20, "invalid argument: Model name contains invalid characters")
    assert refusal(lambda: written("", devices=interface)) == error


# --- disks -------------------------------------------------------------------------------


def test_disk_target_without_dev_is_no_target() -> None:
    disk = "<disk type='file' device='disk'><source file='/dev/null'/><target bus='scsi'/></disk>"
    assert refusal(lambda: written("", devices=disk)) == (20, 20, "missing target information for device /dev/null")


# --- controllers (virDomainControllerDefParseXML: type IDE by default, models per type) ---


def test_controller_without_type_is_ide() -> None:
    assert "    <controller type='ide' index='0' model='piix4'/>\n" in written(
        "", devices="<controller index='0' model='piix4'/>"
    )
    error = (27, 20, "XML error: Multiple 'ide' controllers with index '1'")
    assert refusal(lambda: written("", devices="<controller index='1'/><controller type='ide' index='1'/>")) == error


@pytest.mark.parametrize(
    "controller",
    [
        "<controller index='0' model='pci-root'/>",  # (IDE)
        "<controller type='usb' model='pcie-root'/>",
        "<controller type='sata' model='ahci'/>",  # no models at all
    ],
)
def test_controller_model_of_another_type_refused(controller: str) -> None:
    model = controller.split("model='")[1].split("'")[0]
    error = (67, 20, f"unsupported configuration: Unknown model type '{model}'")
    assert refusal(lambda: written("", devices=controller)) == error


def pci_bridge(inner: str) -> str:
    devices = (
        "<controller type='pci' index='0' model='pci-root'/>"
        f"<controller type='pci' index='1' model='pci-bridge'>{inner}</controller>"
    )
    xml = written("", devices=devices)
    return xml[xml.index("<controller type='pci' index='1'") : xml.index("</devices>")]


def test_pci_controller_model_name_and_target_as_read() -> None:
    kept = pci_bridge("<model name='pci-bridge' x='1'><y/></model><target foo='1' chassisNr='1' hotplug='off'/>")
    assert "\n      <model name='pci-bridge'/>\n      <target chassisNr='1' hotplug='off'/>\n" in kept
    assert "<model" not in pci_bridge("<model name='none'/><target/>")  # neither is written
    assert "<target" not in pci_bridge("<model/><target/>")
    usb = written(
        "", devices="<controller type='usb' model='qemu-xhci'><model name='x'/><target chassis='1'/></controller>"
    )
    assert "<controller type='usb' index='0' model='qemu-xhci'/>" in usb  # only PCI ones read them


@pytest.mark.parametrize(
    ("inner", "error"),
    [
        ("<model/><model/>", (27, 20, "XML error: Multiple <model> elements in controller definition not allowed")),
        ("<target/><target/>", (27, 20, "XML error: Multiple <target> elements in controller definition not allowed")),
        (
            "<model name='bogus'/>",
            (27, 5, "XML error: Invalid value for attribute 'name' in element 'model': 'bogus'."),
        ),
        (
            "<target hotplug='x'/>",
            (27, 5, "XML error: Invalid value for attribute 'hotplug' in element 'target': 'x'."),
        ),
    ],
)
def test_pci_controller_model_and_target_refused(inner: str, error: tuple[int, int, str]) -> None:
    assert refusal(lambda: pci_bridge(inner)) == error


# --- filesystem sources and targets (virDomainFSDefParseXML, virDomainFSDefValidate) ----


def filesystem_of(filesystem: str) -> str:
    xml = written("", devices=filesystem)
    return xml[xml.index("    <filesystem") : xml.index("</filesystem>")]


@pytest.mark.parametrize(
    ("filesystem", "expected"),
    [
        (
            "<filesystem type='file'><source file='/f' dir='/d'/><target dir='/t' x='1'/></filesystem>",
            "<source file='/f'/>\n      <target dir='/t'/>\n",
        ),
        (
            "<filesystem><driver type='virtiofs'/><source dir='/d' socket='/s'/><target dir='/t'/></filesystem>",
            "<source socket='/s'/>\n      <target dir='/t'/>\n",
        ),
        (
            "<filesystem type='block'><source socket='/s' dev='/dev/sdb'/><target dir='/t'/></filesystem>",
            "<source dev='/dev/sdb'/>\n      <target dir='/t'/>\n",
        ),
    ],
)
def test_filesystem_source_and_target_as_read(filesystem: str, expected: str) -> None:
    assert expected in filesystem_of(filesystem)


@pytest.mark.parametrize(
    ("filesystem", "error"),
    [
        (
            "<filesystem type='mount'><target dir='/t'/></filesystem>",
            (19, 20, "missing source information for device /t"),
        ),
        ("<filesystem type='block'><source dir='/x'/></filesystem>", (19, 20, "missing source information for device")),
        (
            "<filesystem><source dir='/d'/><target dir=''/></filesystem>",
            (20, 20, "missing target information for device /d"),
        ),
        (
            "<filesystem><driver type='virtiofs'/><source socket='/s'/></filesystem>",
            (20, 20, "missing target information for device /s"),
        ),
    ],
)
def test_filesystem_source_and_target_refused(filesystem: str, error: tuple[int, int, str]) -> None:
    assert refusal(lambda: written("", devices=filesystem)) == error


def test_features_without_a_feature_not_written() -> None:
    for features in ("<features/>", "<features x='1'> </features>"):
        assert "features" not in written(features)
    assert "  <features>\n    <acpi/>\n  </features>\n" in written("<features><acpi/></features>")


# --- CPU topology and features (virCPUDefParseXML, virCPUDefFormatBuf) -------------------


def cpu_of(cpu: str) -> str:
    xml = written(f"<vcpu>8</vcpu>{cpu}")
    return xml[xml.index("  <cpu") : xml.index("</cpu>")]


def test_cpu_topology_and_features_as_written() -> None:
    cpu = (
        "<cpu><model>Penryn</model><topology threads='2' cores='2' sockets=' 2' x='1'/><topology sockets='x'/>"
        "<feature name='pbe'/><feature policy='disable' name='x2apic' x='1'/></cpu>"
    )
    written_cpu = cpu_of(cpu)
    assert "    <topology sockets='2' dies='1' cores='2' threads='2'/>\n" in written_cpu
    assert written_cpu.count("<topology") == 1
    assert "    <feature policy='require' name='pbe'/>\n    <feature policy='disable' name='x2apic'/>\n" in written_cpu


@pytest.mark.parametrize(
    ("cpu", "error"),
    [
        (
            "<cpu><topology sockets='2' cores='2'/></cpu>",
            (27, 5, "XML error: Missing required attribute 'threads' in element 'topology'"),
        ),
        (
            "<cpu><topology sockets='2' cores='2' threads='2' dies='0'/></cpu>",
            (27, 5, "XML error: Invalid value for attribute 'dies' in element 'topology': Zero is not permitted"),
        ),
        (
            "<cpu><model>Penryn</model><feature policy='bogus' name='pbe'/></cpu>",
            (67, 31, "unsupported configuration: Invalid CPU feature policy"),
        ),
        (
            "<cpu><model>Penryn</model><feature policy='require'/></cpu>",
            (27, 31, "XML error: Invalid CPU feature name"),
        ),
        (
            "<cpu><model>Penryn</model><feature name='a'/><feature name='a'/></cpu>",
            (27, 31, "XML error: CPU feature 'a' specified more than once"),
        ),
        ("<cpu><feature name='a'/></cpu>", (27, 31, "XML error: Non-empty feature list specified without CPU model")),
    ],
)
def test_cpu_topology_and_features_refused(cpu: str, error: tuple[int, int, str]) -> None:
    assert refusal(lambda: cpu_of(cpu)) == error
