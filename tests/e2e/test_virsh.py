"""Stock virsh 9.0.0 against the daemon: the commands a user tries first."""

from __future__ import annotations

from pathlib import Path

from .daemon_process import DaemonProcess, virsh

EXPECTED = {
    ("version",): "Running hypervisor: TEST 0.0.2",
    ("hostname",): "",
    ("nodeinfo",): "CPU model:           i686\nCPU(s):              16",
    ("capabilities",): "<arch>i686</arch>",
    ("list", "--all"): " 1    test   running",
    ("dominfo", "test"): "UUID:           6695eb01-f6a4-8304-79aa-97f2502e193f",
    ("domstate", "test"): "running",
    ("dumpxml", "test"): "<domain type='test' id='1'>\n  <name>test</name>",
    ("net-list", "--all"): " default   active   no          yes",
    ("pool-list", "--all"): " default-pool   active   no",
}


def test_first_commands(shared_daemon: DaemonProcess) -> None:
    for command, expected in EXPECTED.items():
        result = virsh(shared_daemon, *command)
        assert result.returncode == 0, (command, result.stderr)
        assert expected in result.stdout, (command, result.stdout)
    uri = virsh(shared_daemon, "uri")
    assert uri.returncode == 0 and uri.stdout.strip() == shared_daemon.uri()


def test_output_is_libvirts(shared_daemon: DaemonProcess) -> None:
    dumpxml = virsh(shared_daemon, "dumpxml", "test").stdout
    assert dumpxml == (
        "<domain type='test' id='1'>\n  <name>test</name>\n  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
        "  <memory unit='KiB'>8388608</memory>\n  <currentMemory unit='KiB'>2097152</currentMemory>\n"
        "  <vcpu placement='static'>2</vcpu>\n  <os>\n    <type arch='i686'>hvm</type>\n    <boot dev='hd'/>\n"
        "  </os>\n  <clock offset='utc'/>\n  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n"
        "  <on_crash>destroy</on_crash>\n  <devices>\n    <disk type='file' device='disk'>\n"
        "      <source file='/guest/diskimage1'/>\n      <target dev='vda' bus='virtio'/>\n"
        "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n    </disk>\n"
        "    <interface type='network'>\n      <mac address='aa:bb:cc:dd:ee:ff'/>\n"
        "      <source network='default'/>\n      <target dev='testnet0'/>\n"
        "      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>\n    </interface>\n"
        "    <memballoon model='virtio'>\n"
        "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n    </memballoon>\n"
        "  </devices>\n</domain>\n\n"
    )


def test_read_only_socket_refuses_suspend(shared_daemon: DaemonProcess) -> None:
    result = virsh(shared_daemon, "suspend", "test", read_only=True)
    assert result.returncode == 1
    assert "operation forbidden: read only access prevents virDomainSuspend" in result.stderr
    assert virsh(shared_daemon, "domstate", "test", read_only=True).stdout.strip() == "running"


def test_errors_read_as_libvirts(shared_daemon: DaemonProcess) -> None:
    result = virsh(shared_daemon, "dominfo", "nosuch")
    assert result.returncode == 1 and "error: failed to get domain 'nosuch'" in result.stderr
    result = virsh(shared_daemon, "guestinfo", "test")
    assert result.returncode == 1
    assert "this function is not supported by the connection driver: virDomainGetGuestInfo" in result.stderr


def test_state_changes_and_resets_with_the_last_connection(daemon: DaemonProcess) -> None:
    assert virsh(daemon, "suspend", "test").returncode == 0
    # test:///default is reset when its last connection closes, as in libvirtd
    assert virsh(daemon, "domstate", "test").stdout.strip() == "running"
    script = "suspend test; domstate test; resume test; domstate test; destroy test; domstate test; start test"
    result = virsh(daemon, script)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if line in ("paused", "running", "shut off")] == [
        "paused",
        "running",
        "shut off",
    ]
    result = virsh(daemon, "resume test")
    assert result.returncode == 1 and "internal error: domain 'test' not paused" in result.stderr


def test_screenshot_writes_what_the_stream_carried(shared_daemon: DaemonProcess, tmp_path: Path) -> None:
    target = tmp_path / "shot.png"
    result = virsh(shared_daemon, "screenshot", "test", str(target))
    assert result.returncode == 0, result.stderr
    assert "with type of image/png" in result.stdout
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    reference = Path("/usr/share/libvirt/test-screenshot.png")
    if reference.exists():
        assert data == reference.read_bytes()


def test_an_empty_name_opens_the_default_uri(shared_daemon: DaemonProcess) -> None:
    # remote:/// sends an empty name in CONNECT_OPEN: the daemon opens its default URI.
    result = virsh(shared_daemon, "list", "--all", uri=f"remote+unix:///?socket={shared_daemon.rw}")
    assert result.returncode == 0, result.stderr
    assert " 1    test   running" in result.stdout
    result = virsh(shared_daemon, "uri", uri=f"test+unix:///?socket={shared_daemon.rw}")
    assert result.returncode == 1
    assert "testOpen: supply a path or use test:///default" in result.stderr
    result = virsh(shared_daemon, "uri", uri=f"bogus+unix:///x?socket={shared_daemon.rw}")
    assert result.returncode == 1
    assert "no connection driver available for bogus:///x" in result.stderr
