"""Secrets beyond libvirt's test driver, as libvirt 9.0.0's secret driver has them: stock
virsh and libvirt-python define, list, dump, set and read values, look up, undefine, and
watch the events; texts and errors are the secret driver's."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from .daemon_process import DaemonProcess, python_libvirt, start_daemon, virsh

VOLUME_UUID = "6dd3e4a5-1d76-44ce-961f-f119f5aad935"
CEPH_UUID = "0c6cbe2c-4a5c-4c0e-9f9e-2d4a5c3e1b70"
VOLUME_XML = f"""<secret ephemeral='no' private='no'>
  <uuid>{VOLUME_UUID}</uuid>
  <description>Passphrase for the demo volume</description>
  <usage type='volume'>
    <volume>/var/lib/libvirt/images/demo.img</volume>
  </usage>
</secret>
"""
CEPH_XML = f"""<secret ephemeral="yes" private="yes"><uuid>{CEPH_UUID}</uuid>
<usage type="ceph"><name>client.admin secret</name></usage></secret>"""


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DaemonProcess]:
    """A daemon whose test:///default keeps its secrets from one virsh run to the next."""
    process = start_daemon(tmp_path / "run", "--test-default-persistent")
    yield process
    assert process.stop() == 0, process.log()


def run_virsh(daemon: DaemonProcess, *arguments: str, read_only: bool = False) -> tuple[int, str, str]:
    result = virsh(daemon, *arguments, read_only=read_only)
    return result.returncode, result.stdout, result.stderr


def run_python(script: str, *arguments: str) -> str:
    result = python_libvirt(textwrap.dedent(script), *arguments)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def define_files(tmp_path: Path) -> tuple[Path, Path]:
    volume, ceph = tmp_path / "volume.xml", tmp_path / "ceph.xml"
    volume.write_text(VOLUME_XML)
    ceph.write_text(CEPH_XML)
    return volume, ceph


def test_define_list_dump_values_and_undefine_with_virsh(daemon: DaemonProcess, tmp_path: Path) -> None:
    volume, ceph = define_files(tmp_path)
    assert run_virsh(daemon, "secret-define", str(volume)) == (0, f"Secret {VOLUME_UUID} created\n\n", "")
    assert run_virsh(daemon, "secret-define", "--file", str(ceph))[0] == 0
    code, listing, _ = run_virsh(daemon, "secret-list")
    assert code == 0
    assert listing == (
        " UUID                                   Usage\n"
        "---------------------------------------------------------------------------------\n"
        f" {CEPH_UUID}   ceph client.admin secret\n"
        f" {VOLUME_UUID}   volume /var/lib/libvirt/images/demo.img\n\n"
    )
    assert run_virsh(daemon, "secret-list", "--private")[1].splitlines()[2:] == [
        f" {CEPH_UUID}   ceph client.admin secret",
        "",
    ]
    assert run_virsh(daemon, "secret-list", "--no-ephemeral")[1].splitlines()[2:] == [
        f" {VOLUME_UUID}   volume /var/lib/libvirt/images/demo.img",
        "",
    ]
    assert run_virsh(daemon, "secret-dumpxml", VOLUME_UUID) == (0, VOLUME_XML + "\n", "")
    assert run_virsh(daemon, "secret-dumpxml", CEPH_UUID)[1] == (
        "<secret ephemeral='yes' private='yes'>\n"
        f"  <uuid>{CEPH_UUID}</uuid>\n"
        "  <usage type='ceph'>\n    <name>client.admin secret</name>\n  </usage>\n"
        "</secret>\n\n"
    )

    code, _, error = run_virsh(daemon, "secret-get-value", VOLUME_UUID)
    assert code == 1
    assert error == f"error: Secret not found: secret '{VOLUME_UUID}' does not have a value\n"
    (tmp_path / "value.b64").write_text("c2VjcmV0")
    code, out, _ = run_virsh(daemon, "secret-set-value", VOLUME_UUID, "--file", str(tmp_path / "value.b64"))
    assert (code, out) == (0, "Secret value set\n\n")
    assert run_virsh(daemon, "secret-get-value", VOLUME_UUID) == (0, "c2VjcmV0\n", "")
    assert run_virsh(daemon, "secret-get-value", "--plain", VOLUME_UUID) == (0, "secret\n", "")

    # the value of a private secret is never given to a client
    assert run_virsh(daemon, "secret-set-value", CEPH_UUID, "--file", str(tmp_path / "value.b64"))[0] == 0
    code, _, error = run_virsh(daemon, "secret-get-value", CEPH_UUID)
    assert (code, error) == (1, "error: Invalid secret: secret is private\n")

    assert run_virsh(daemon, "secret-undefine", VOLUME_UUID) == (0, f"Secret {VOLUME_UUID} deleted\n\n", "")
    code, _, error = run_virsh(daemon, "secret-undefine", VOLUME_UUID)
    assert code == 1
    assert error == (
        f"error: failed to get secret '{VOLUME_UUID}'\n"
        f"error: Secret not found: no secret with matching uuid '{VOLUME_UUID}'\n"
    )
    assert run_virsh(daemon, "secret-list")[1].splitlines()[2:] == [f" {CEPH_UUID}   ceph client.admin secret", ""]


def test_unknown_uuid_and_read_only_access(daemon: DaemonProcess, tmp_path: Path) -> None:
    code, _, error = run_virsh(daemon, "secret-dumpxml", "00000000-0000-0000-0000-000000000000")
    assert code == 1
    assert error == (
        "error: failed to get secret '00000000-0000-0000-0000-000000000000'\n"
        "error: Secret not found: no secret with matching uuid '00000000-0000-0000-0000-000000000000'\n"
    )
    volume, _ = define_files(tmp_path)
    assert run_virsh(daemon, "secret-define", str(volume))[0] == 0
    assert run_virsh(daemon, "secret-dumpxml", VOLUME_UUID, read_only=True)[1] == VOLUME_XML + "\n"
    code, _, error = run_virsh(daemon, "secret-get-value", VOLUME_UUID, read_only=True)
    assert code == 1 and "operation forbidden: read only access prevents virSecretGetValue" in error
    code, _, error = run_virsh(daemon, "secret-undefine", VOLUME_UUID, read_only=True)
    assert code == 1 and "operation forbidden: read only access prevents virSecretUndefine" in error


def test_usage_conflicts_and_redefinition(daemon: DaemonProcess, tmp_path: Path) -> None:
    volume, _ = define_files(tmp_path)
    assert run_virsh(daemon, "secret-define", str(volume))[0] == 0
    conflict = tmp_path / "conflict.xml"
    conflict.write_text(
        "<secret>\n<usage type='volume'><volume>/var/lib/libvirt/images/demo.img</volume></usage>\n</secret>\n"
    )
    code, _, error = run_virsh(daemon, "secret-define", str(conflict))
    assert code == 1
    assert error == (
        f"error: Failed to set attributes from {conflict}\n"
        f"error: internal error: a secret with UUID {VOLUME_UUID} already defined for use with "
        "/var/lib/libvirt/images/demo.img\n"
    )
    output = run_python(
        """
        import sys, libvirt
        libvirt.registerErrorHandler(lambda *args: None, None)
        conn = libvirt.open(sys.argv[1])
        uuid = sys.argv[2]
        def attempt(xml):
            try:
                print("defined", conn.secretDefineXML(xml).usageID())
            except libvirt.libvirtError as error:
                print(error.get_error_code(), error.get_error_domain(), error.get_error_message())
        conn.secretLookupByUUIDString(uuid).setValue(b"kept")
        # the same UUID for another use
        attempt(f"<secret><uuid>{uuid}</uuid><usage type='ceph'><name>other</name></usage></secret>")
        # the same UUID described anew keeps its value
        attempt(f"<secret private='yes'><uuid>{uuid}</uuid><description>new</description>"
                "<usage type='volume'><volume>/var/lib/libvirt/images/demo.img</volume></usage></secret>")
        print(conn.secretLookupByUUIDString(uuid).XMLDesc().splitlines()[0])
        attempt(f"<secret private='no'><uuid>{uuid}</uuid>"
                "<usage type='volume'><volume>/var/lib/libvirt/images/demo.img</volume></usage></secret>")
        generated = conn.secretDefineXML("<secret><usage type='iscsi'><target>iqn.x</target></usage></secret>")
        print(len(generated.UUIDString()), generated.usageType(), conn.numOfSecrets(), len(conn.listSecrets()))
        """,
        daemon.uri(),
        VOLUME_UUID,
    )
    assert output.splitlines() == [
        f"1 30 internal error: a secret with UUID {VOLUME_UUID} is already defined for use with "
        "/var/lib/libvirt/images/demo.img",
        "defined /var/lib/libvirt/images/demo.img",
        "<secret ephemeral='no' private='yes'>",
        "1 30 internal error: cannot change private flag on existing secret",
        "36 3 2 2",
    ]


def test_lookups_lists_and_errors_through_the_bindings(daemon: DaemonProcess) -> None:
    output = run_python(
        """
        import sys, libvirt
        libvirt.registerErrorHandler(lambda *args: None, None)
        conn = libvirt.open(sys.argv[1])
        def attempt(call, *args):
            try:
                print(call(*args))
            except libvirt.libvirtError as error:
                print(error.get_error_code(), error.get_error_domain(), error.get_error_message())
        volume = conn.secretDefineXML(sys.argv[2])
        ceph = conn.secretDefineXML(sys.argv[3])
        found = conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_VOLUME, "/var/lib/libvirt/images/demo.img")
        print(found.UUIDString(), found.usageType(), found.usageID())
        attempt(conn.secretLookupByUsage, libvirt.VIR_SECRET_USAGE_TYPE_TLS, "client.admin secret")
        attempt(volume.value)
        volume.setValue(b"\\x00\\x01 raw")
        print(volume.value())
        attempt(ceph.value)
        attempt(volume.setValue, b"")
        attempt(volume.XMLDesc, 1)
        for flags in (0, libvirt.VIR_CONNECT_LIST_SECRETS_EPHEMERAL, libvirt.VIR_CONNECT_LIST_SECRETS_NO_PRIVATE,
                      libvirt.VIR_CONNECT_LIST_SECRETS_PRIVATE | libvirt.VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL):
            print(flags, sorted(s.usageID() for s in conn.listAllSecrets(flags)))
        attempt(conn.listAllSecrets, 16)
        attempt(conn.secretDefineXML, "<secret><usage type='volume'/></secret>")
        attempt(conn.secretDefineXML, "<secret><uuid>not-a-uuid</uuid></secret>")
        attempt(conn.secretDefineXML, "<secret ephemeral='maybe'/>")
        attempt(conn.secretDefineXML, "<secret><usage type='disk'/></secret>")
        attempt(conn.secretDefineXML, "<domain/>")
        attempt(conn.secretDefineXML, "<secret>\\n<a></b></secret>")
        attempt(conn.secretDefineXML, "<secret><bogus/></secret>", libvirt.VIR_SECRET_DEFINE_VALIDATE)
        """,
        daemon.uri(),
        VOLUME_XML,
        CEPH_XML,
    )
    assert output.splitlines() == [
        f"{VOLUME_UUID} 1 /var/lib/libvirt/images/demo.img",
        "66 30 Secret not found: no secret with matching usage 'client.admin secret'",
        f"66 30 Secret not found: secret '{VOLUME_UUID}' does not have a value",
        "b'\\x00\\x01 raw'",
        "65 30 Invalid secret: secret is private",
        "8 30 value in virSecretSetValue must not be NULL",
        "8 30 unsupported flags (0x1) in function secretGetXMLDesc",
        "0 ['/var/lib/libvirt/images/demo.img', 'client.admin secret']",
        "1 ['client.admin secret']",
        "8 ['/var/lib/libvirt/images/demo.img']",
        "6 []",
        "8 30 unsupported flags (0x10) in function secretConnectListAllSecrets",
        "1 30 internal error: volume usage specified, but volume path is missing",
        "1 30 internal error: malformed uuid element",
        "27 30 XML error: invalid value of 'ephemeral'",
        "67 30 unsupported configuration: unknown secret usage type disk",
        "27 5 XML error: expecting root element of 'secret', not 'domain'",
        "35 30 (definition_of_secret):2: Opening and ending tag mismatch: a line 2 and b",
        "<a></b></secret>",
        "-------^",
        "92 5 XML document failed to validate against schema: Unable to validate doc against "
        "/usr/share/libvirt/schemas/secret.rng",
        "Element secret has extra content: bogus",
        "",
    ]


def test_lifecycle_and_value_events_reach_a_registered_client(daemon: DaemonProcess) -> None:
    output = run_python(
        """
        import sys, threading, time, libvirt
        libvirt.virEventRegisterDefaultImpl()
        received = []
        def loop():
            while True:
                libvirt.virEventRunDefaultImpl()
        threading.Thread(target=loop, daemon=True).start()
        watcher = libvirt.open(sys.argv[1])
        def on_lifecycle(conn, secret, event, detail, opaque):
            received.append(("lifecycle", secret.UUIDString(), secret.usageID(), event, detail))
        def on_value(conn, secret, opaque):
            received.append(("value", secret.UUIDString(), secret.usageID()))
        lifecycle = watcher.secretEventRegisterAny(None, libvirt.VIR_SECRET_EVENT_ID_LIFECYCLE, on_lifecycle, None)
        watcher.secretEventRegisterAny(None, libvirt.VIR_SECRET_EVENT_ID_VALUE_CHANGED, on_value, None)
        actor = libvirt.open(sys.argv[1])
        secret = actor.secretDefineXML(sys.argv[2])
        secret.setValue(b"one")
        secret.undefine()
        deadline = time.time() + 10
        while len(received) < 3 and time.time() < deadline:
            time.sleep(0.05)
        watcher.secretEventDeregisterAny(lifecycle)
        actor.secretDefineXML(sys.argv[2])
        time.sleep(0.5)
        for event in received:
            print(*event)
        """,
        daemon.uri(),
        VOLUME_XML,
    )
    usage = "/var/lib/libvirt/images/demo.img"
    assert output.splitlines() == [
        f"lifecycle {VOLUME_UUID} {usage} 0 0",
        f"value {VOLUME_UUID} {usage}",
        f"lifecycle {VOLUME_UUID} {usage} 1 0",
    ]
