"""Unit tests of the device rules of drivers/test/domain_devices.py (character device sources,
port numbering, graphics, video, inputs, shared memory, TPM), each through the test driver's
own reader and writer (parse_domain_xml, domain_xml) on a small domain. Every expectation is
what libvirtd 9.0.0's test driver wrote (or refused) for the same document."""

from __future__ import annotations

import pytest

from virtrio.drivers.test import state
from virtrio.drivers.test.formats import domain_xml
from virtrio.drivers.test.parse import parse_domain_xml
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError


def domain(devices: str, arch: str = "x86_64") -> str:
    return (
        "<domain type='qemu'><name>d</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
        f"<memory unit='KiB'>219136</memory><vcpu>1</vcpu><os><type arch='{arch}' machine='pc'>hvm</type></os>"
        f"<devices>{devices}</devices></domain>"
    )


def devices(text: str, arch: str = "x86_64") -> str:
    """The <devices> part of the definition as written, each line without its indentation."""
    xml = domain_xml(parse_domain_xml(domain(text, arch), state.TestState.__new__(state.TestState)), inactive=True)
    part = xml[xml.index("<devices>") + len("<devices>\n") : xml.index("  </devices>")]
    return "\n".join(line.strip() for line in part.splitlines())


def refused(text: str) -> LibvirtError:
    with pytest.raises(LibvirtError) as caught:
        parse_domain_xml(domain(text), state.TestState.__new__(state.TestState))
    return caught.value


def lines(*expected: str) -> str:
    return "\n".join(expected)


# --- character device sources ------------------------------------------------------------


def test_socket_modes_default_to_connect_and_only_tcp_keeps_a_protocol() -> None:
    written = devices(
        "<serial type='unix'><source path='/tmp/s'/><protocol type='telnet'/></serial>"
        "<serial type='tcp'><source host='h' service='9'/></serial>"
    )
    assert written == lines(
        "<serial type='unix'>",
        "<source mode='connect' path='/tmp/s'/>",
        "<target port='0'/>",
        "</serial>",
        "<serial type='tcp'>",
        "<source mode='connect' host='h' service='9'/>",
        "<protocol type='raw'/>",
        "<target port='1'/>",
        "</serial>",
        "<console type='unix'>",
        "<source mode='connect' path='/tmp/s'/>",
        "<target type='serial' port='0'/>",
        "</console>",
    )


def test_udp_sources_bind_first() -> None:
    written = devices(
        "<serial type='udp'><source service='5' mode='connect'/><source mode='bind' host='b' service='6'/></serial>"
    )
    assert written.startswith(
        lines(
            "<serial type='udp'>", "<source mode='bind' host='b' service='6'/>", "<source mode='connect' service='5'/>"
        )
    )


def test_file_source_and_log_keep_append() -> None:
    written = devices(
        "<serial type='file'><source path='/tmp/f' append='on'/><log file='/tmp/l' append='off'/></serial>"
    )
    assert (
        lines("<source path='/tmp/f' append='on'/>", "<log file='/tmp/l' append='off'/>", "<target port='0'/>")
        in written
    )


@pytest.mark.parametrize(
    ("device", "code", "message"),
    [
        (
            "<serial type='tcp'><source mode='bind' host='h' service='9'><reconnect enabled='yes' timeout='5'/>"
            "</source></serial>",
            api.VIR_ERR_INTERNAL_ERROR,
            "chardev reconnect is possible only for connect mode",
        ),
        (
            "<serial type='tcp'><source host='h' service='9'/><source host='i' service='8'/></serial>",
            api.VIR_ERR_XML_ERROR,
            "only one source element is allowed for character device",
        ),
        (
            "<rng model='virtio'><backend model='egd' type='udp'><source mode='bind' service='1'/></backend></rng>",
            api.VIR_ERR_INTERNAL_ERROR,
            "Missing source service attribute for char device",
        ),
    ],
)
def test_character_device_source_refusals(device: str, code: int, message: str) -> None:
    error = refused(device)
    assert (error.code, error.domain) == (code, api.VIR_FROM_DOMAIN)
    assert message in str(error)


def test_channel_state_is_not_read_from_a_definition() -> None:
    written = devices(
        "<controller type='virtio-serial' index='0'/>"
        "<channel type='pty'><target type='virtio' name='org.x' state='connected'/></channel>"
    )
    assert "<target type='virtio' name='org.x'/>" in written


def test_smartcard_and_redirdev_sources() -> None:
    smartcard = devices(
        "<smartcard mode='passthrough' type='unix'><source path='/tmp/c'/><protocol type='raw'/></smartcard>"
    )
    assert (
        lines("<source mode='connect' path='/tmp/c'/>", "<address type='ccid' controller='0' slot='0'/>") in smartcard
    )
    redirdev = devices("<controller type='usb' index='0'/><redirdev bus='usb' type='dbus'/>")
    assert lines("<redirdev bus='usb' type='dbus'>", "<source channel='org.qemu.usbredir'/>", "</redirdev>") in redirdev


# --- port numbering -----------------------------------------------------------------------


def test_serial_port_past_the_highest_and_console_written_as_that_serial() -> None:
    written = devices("<serial type='pty'/><serial type='pty'><target port='2'/></serial><console type='pty'/>")
    assert written == lines(
        "<serial type='pty'>",
        "<target port='3'/>",
        "</serial>",
        "<serial type='pty'>",
        "<target port='2'/>",
        "</serial>",
        "<console type='pty'>",
        "<target type='serial' port='3'/>",
        "</console>",
    )


def test_isa_serial_ports_take_the_first_free() -> None:
    written = devices(
        "<serial type='pty'><target type='isa-serial' port='1'/></serial>"
        "<serial type='pty'><target type='isa-serial'/></serial>"
    )
    assert (
        lines(
            "<target type='isa-serial' port='1'/>",
            "</serial>",
            "<serial type='pty'>",
            "<target type='isa-serial' port='0'/>",
        )
        in written
    )


# --- graphics -----------------------------------------------------------------------------


def test_vnc_socket_and_autoport_no() -> None:
    written = devices("<graphics type='vnc' socket='/tmp/v.sock'/><graphics type='vnc' autoport='no'/>")
    assert written.startswith(
        lines(
            "<graphics type='vnc' socket='/tmp/v.sock'>",
            "<listen type='socket' socket='/tmp/v.sock'/>",
            "</graphics>",
            "<graphics type='vnc' autoport='no'>",
            "<listen type='address'/>",
            "</graphics>",
        )
    )


def test_listen_attribute_must_match_the_first_listen() -> None:
    error = refused("<graphics type='vnc' listen='1.1.1.1'><listen type='address' address='2.2.2.2'/></graphics>")
    assert (error.code, error.domain) == (api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN)
    assert (
        "graphics 'listen' attribute '1.1.1.1' must match 'address' attribute of first listen element (found '2.2.2.2')"
        in str(error)
    )


def test_spice_children_in_libvirts_order() -> None:
    written = devices(
        "<graphics type='spice' autoport='yes'><mouse mode='client'/><channel name='inputs' mode='secure'/>"
        "<channel name='main' mode='insecure'/><image compression='quic'/></graphics>"
    )
    assert written.startswith(
        lines(
            "<graphics type='spice' autoport='yes'>",
            "<listen type='address'/>",
            "<channel name='main' mode='insecure'/>",
            "<channel name='inputs' mode='secure'/>",
            "<image compression='quic'/>",
            "<mouse mode='client'/>",
            "</graphics>",
        )
    )


def test_spice_without_ports_listens_nowhere() -> None:
    assert devices("<graphics type='spice' autoport='no'/>").startswith(
        lines("<graphics type='spice'>", "<listen type='none'/>", "</graphics>")
    )


# --- video --------------------------------------------------------------------------------


def test_primary_video_first_and_vram_rounded_up() -> None:
    written = devices("<video><model type='qxl' vram='10000'/></video><video><model type='vga' primary='yes'/></video>")
    assert written == lines(
        "<video>",
        "<model type='vga' vram='16384' heads='1' primary='yes'/>",
        "</video>",
        "<video>",
        "<model type='qxl' ram='65536' vram='16384' heads='1'/>",
        "</video>",
    )


def test_default_video_model_of_ppc64_is_vga() -> None:
    assert "<model type='vga' vram='16384' heads='1' primary='yes'/>" in devices("<video/>", arch="ppc64")


@pytest.mark.parametrize(
    ("videos", "message"),
    [
        (
            "<video><model type='none'/></video><video><model type='vga'/></video>",
            "a 'none' video type must be the only video device defined for the domain",
        ),
        (
            "<video><model type='vga' primary='yes'/></video><video><model type='qxl' primary='yes'/></video>",
            "Only one primary video device is supported",
        ),
    ],
)
def test_video_refusals(videos: str, message: str) -> None:
    error = refused(videos)
    assert (error.code, error.domain) == (api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN)
    assert message in str(error)


# --- inputs, shared memory, TPM -------------------------------------------------------------


def test_input_buses() -> None:
    written = devices("<input type='evdev'><source dev='/dev/input/event1'/></input><input type='tablet'/>")
    assert (
        lines(
            "<input type='evdev'>", "<source dev='/dev/input/event1'/>", "</input>", "<input type='tablet' bus='usb'/>"
        )
        in written
    )
    assert devices("<input type='keyboard'/>", arch="aarch64") == "<input type='keyboard' bus='usb'/>"


def test_shmem_model_size_server_and_msi() -> None:
    written = devices(
        "<shmem name='a'><size unit='K'>12345</size></shmem><shmem name='b' role='peer'>"
        "<model type='ivshmem-doorbell'/><server path='//tmp//s/'/><msi vectors='0x10' ioeventfd='on'/></shmem>"
    )
    assert written == lines(
        "<shmem name='a'>",
        "<model type='ivshmem'/>",
        "<size unit='M'>12</size>",
        "</shmem>",
        "<shmem name='b' role='peer'>",
        "<model type='ivshmem-doorbell'/>",
        "<server path='//tmp/s'/>",
        "<msi vectors='16' ioeventfd='on'/>",
        "</shmem>",
    )


@pytest.mark.parametrize(
    ("device", "code", "message"),
    [
        ("<shmem name='a'><msi/></shmem>", api.VIR_ERR_XML_ERROR, "msi option is only supported with a server"),
        ("<shmem name='..'/>", api.VIR_ERR_CONFIG_UNSUPPORTED, "shmem name cannot be equal to '..'"),
        ("<tpm model='tpm-tis'/>", api.VIR_ERR_XML_ERROR, "missing TPM device backend"),
    ],
)
def test_shmem_and_tpm_refusals(device: str, code: int, message: str) -> None:
    error = refused(device)
    assert (error.code, error.domain) == (code, api.VIR_FROM_DOMAIN)
    assert message in str(error)


# --- aliases, audio ---------------------------------------------------------------------------


def test_only_user_aliases_are_kept() -> None:
    written = devices(
        "<input type='mouse' bus='ps2'><alias name='input0'/></input>"
        "<input type='keyboard' bus='ps2'><alias name='ua-kbd'/></input>"
    )
    assert written == lines(
        "<input type='mouse' bus='ps2'/>", "<input type='keyboard' bus='ps2'>", "<alias name='ua-kbd'/>", "</input>"
    )


def test_audio_attributes_in_libvirts_order() -> None:
    assert devices("<audio type='oss' id='1'/>") == "<audio id='1' type='oss'/>"


def test_audio_backend_written_as_libvirt_does() -> None:
    written = devices(
        "<audio id='1' type='oss' dspPolicy='+3' exclusive='no'><input mixingEngine='yes' fixedSettings='yes' "
        "voices='2' dev='/dev/dsp0' tryPoll='yes'><settings frequency='44100' channels='2' format='s16'/></input>"
        "<output bufferLength='0100'/></audio>"
    )
    assert written == lines(
        "<audio id='1' type='oss' exclusive='no' dspPolicy='3'>",
        "<input mixingEngine='yes' fixedSettings='yes' voices='2' dev='/dev/dsp0' tryPoll='yes'>",
        "<settings frequency='44100' channels='2' format='s16'/>",
        "</input>",
        "<output bufferLength='100'/>",
        "</audio>",
    )


@pytest.mark.parametrize(
    ("audios", "code", "message"),
    [
        (
            "<audio id='1' type='none'/><audio id='1' type='spice'/>",
            api.VIR_ERR_XML_ERROR,
            "audio ID 1 is used multiple times",
        ),
        (
            "<audio id='1' type='none'><input fixedSettings='yes'/></audio>",
            api.VIR_ERR_CONFIG_UNSUPPORTED,
            "fixed audio settings requires mixing engine",
        ),
    ],
)
def test_audio_refusals(audios: str, code: int, message: str) -> None:
    error = refused(audios)
    assert (error.code, error.domain) == (code, api.VIR_FROM_DOMAIN)
    assert message in str(error)


# --- TPM, RNG, redirdev, smartcard ----------------------------------------------------------


def test_tpm_backends_as_libvirt_writes_them() -> None:
    assert devices("<tpm model='tpm-tis'><backend type='passthrough'><device/></backend></tpm>") == lines(
        "<tpm model='tpm-tis'>", "<backend type='passthrough'>", "<device path='/dev/tpm0'/>", "</backend>", "</tpm>"
    )
    emulator = devices(
        "<tpm><backend type='emulator' version='2.0' persistent_state='no'>"
        "<encryption secret='6dd3e4a5-1d76-44ce-961f-f119f5aad935'/>"
        "<active_pcr_banks><sha512/><sha1/><sha1/></active_pcr_banks></backend></tpm>"
    )
    assert emulator == lines(
        "<tpm>",
        "<backend type='emulator' version='2.0'>",
        "<encryption secret='6dd3e4a5-1d76-44ce-961f-f119f5aad935'/>",
        "<active_pcr_banks>",
        "<sha1/>",
        "<sha512/>",
        "</active_pcr_banks>",
        "</backend>",
        "</tpm>",
    )
    external = devices(
        "<tpm model='tpm-crb'><backend type='external'><source type='unix' path='/tmp/p.sock'/></backend></tpm>"
    )
    assert "<source type='unix' mode='connect' path='/tmp/p.sock'/>" in external


def test_rng_rate_written_with_its_bytes_only() -> None:
    written = devices(
        "<rng model='virtio'><rate bytes='123' period='0'/><backend model='random'/></rng>"
        "<rng model='virtio'><rate period='5'/><backend model='builtin'/></rng>"
    )
    assert written == lines(
        "<rng model='virtio'>",
        "<rate bytes='123'/>",
        "<backend model='random'>/dev/random</backend>",
        "</rng>",
        "<rng model='virtio'>",
        "<backend model='builtin'/>",
        "</rng>",
    )


def test_redirdev_bus_always_written() -> None:
    assert "<redirdev bus='usb' type='spicevmc'>" in devices(
        "<controller type='usb' index='0'/><redirdev type='spicevmc'/>"
    )


@pytest.mark.parametrize(
    ("device", "code", "message"),
    [
        (
            "<tpm><backend type='emulator' persistent_state='maybe'/></tpm>",
            api.VIR_ERR_INTERNAL_ERROR,
            "Invalid persistent_state value, either 'yes' or 'no'",
        ),
        (
            "<rng model='virtio'><backend model='random'/><backend model='random'/></rng>",
            api.VIR_ERR_XML_ERROR,
            "only one RNG backend is supported",
        ),
        (
            "<smartcard mode='host-certificates'><certificate>a</certificate><certificate>b</certificate></smartcard>",
            api.VIR_ERR_XML_ERROR,
            "host-certificates mode needs exactly three certificates",
        ),
    ],
)
def test_tpm_rng_smartcard_refusals(device: str, code: int, message: str) -> None:
    error = refused(device)
    assert (error.code, error.domain) == (code, api.VIR_FROM_DOMAIN)
    assert message in str(error)


# --- sound, watchdog, memory balloon, panic --------------------------------------------------


def test_misc_devices_as_libvirt_writes_them() -> None:
    written = devices(
        "<sound model='ich6'><codec type='micro'/><audio id='1'/></sound><sound model='sb16'><codec type='duplex'/>"
        "</sound><audio id='1' type='none'/><watchdog model='ib700'/><memballoon model='none' autodeflate='on'>"
        "<stats period='-5'/><address type='pci' domain='0' bus='0' slot='5' function='0'/></memballoon>"
        "<panic model='default'/>"
    )
    assert written == lines(
        "<sound model='ich6'>",
        "<codec type='micro'/>",
        "<audio id='1'/>",
        "</sound>",
        "<sound model='sb16'/>",
        "<audio id='1' type='none'/>",
        "<watchdog model='ib700' action='reset'/>",
        "<memballoon model='none' autodeflate='on'/>",
    )


@pytest.mark.parametrize(
    ("device", "code", "message"),
    [
        (
            "<memballoon model='virtio'/><memballoon model='virtio'/>",
            api.VIR_ERR_INTERNAL_ERROR,
            "only a single memory balloon device is supported",
        ),
        (
            "<watchdog model='ib700' action='explode'/>",
            api.VIR_ERR_CONFIG_UNSUPPORTED,
            "unknown watchdog action 'explode'",
        ),
    ],
)
def test_misc_refusals(device: str, code: int, message: str) -> None:
    error = refused(device)
    assert (error.code, error.domain) == (code, api.VIR_FROM_DOMAIN)
    assert message in str(error)


# --- device addresses ----------------------------------------------------------------------


def test_first_address_kept_and_guestfwd_address_read_numerically() -> None:
    watchdog = devices(
        "<watchdog model='i6300esb'><address type='pci' domain='0' bus='0' slot='7' function='0'/>"
        "<address type='pci' domain='0' bus='0' slot='8' function='0'/></watchdog>"
    )
    assert watchdog == lines(
        "<watchdog model='i6300esb' action='reset'>",
        "<address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>",
        "</watchdog>",
    )
    channel = devices(
        "<channel type='pipe'><source path='/tmp/g'/><target type='guestfwd' address='10.1' port='4600'/></channel>"
    )
    assert "<target type='guestfwd' address='10.0.0.1' port='4600'/>" in channel


@pytest.mark.parametrize(
    ("device", "code", "domain", "message"),
    [
        (
            "<input type='mouse' bus='ps2'><address type='pci' slot='bogus'/></input>",
            api.VIR_ERR_XML_ERROR,
            api.VIR_FROM_XML,
            "Invalid value for attribute 'slot' in element 'address': 'bogus'. Expected non-negative integer value",
        ),
        (
            "<watchdog model='ib700'><address bus='0'/></watchdog>",
            api.VIR_ERR_INTERNAL_ERROR,
            api.VIR_FROM_DOMAIN,
            "No type specified for device address",
        ),
        (
            "<watchdog model='diag288'><address type='ccw' cssid='0xfe'/></watchdog>",
            api.VIR_ERR_INTERNAL_ERROR,
            api.VIR_FROM_DEVICE,
            "Invalid partial specification for virtio ccw address",
        ),
    ],
)
def test_address_refusals(device: str, code: int, domain: int, message: str) -> None:
    error = refused(device)
    assert (error.code, error.domain) == (code, domain)
    assert message in str(error)
