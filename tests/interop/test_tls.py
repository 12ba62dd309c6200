"""TLS listeners against libvirtd with the same certificates from ``virtrio pki``: stock virsh
and libvirt-python connect, a DN outside tls_allowed_dn_list and a certificate from another CA
are refused with the same outcome, virt-admin shows the same transport and DN; a stalled
handshake never delays other clients and is dropped after its bound."""

from __future__ import annotations

import re
import selectors
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from interop.daemons import RunningDaemon, libvirtd_available, remove, start_libvirtd, start_virtrio
from tests.tls_records import tls_records


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pki(*arguments: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "virtrio.server.cli", "pki", *arguments], check=True, capture_output=True, timeout=60
    )


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """server: CA, server and a client cert (CN=client); other: a client cert of another CA,
    with the first CA's certificate to check the server by; named: a client with CN=admin."""
    base = tmp_path_factory.mktemp("pki")
    server, other, named = base / "server", base / "other", base / "named"
    pki("ca", "--dir", str(server), "--organization", "Example Org")
    pki(
        "server",
        "--dir",
        str(server),
        "--organization",
        "Example Org",
        "--cn",
        "localhost",
        "--name",
        "127.0.0.1",
        "--name",
        "localhost",
    )
    pki("client", "--dir", str(server), "--organization", "Example Org", "--cn", "client")
    pki("ca", "--dir", str(other), "--organization", "Elsewhere")
    pki("client", "--dir", str(other), "--organization", "Elsewhere", "--cn", "client")
    shutil.copy(server / "cacert.pem", other / "cacert.pem")  # trusts the server; its own CA is not trusted
    named.mkdir()
    shutil.copy(server / "cacert.pem", named / "cacert.pem")
    shutil.copy(server / "cakey.pem", named / "cakey.pem")
    pki("client", "--dir", str(named), "--organization", "Example Org", "--cn", "admin")
    return {"server": server, "other": other, "named": named}


def tls_config(certificates: dict[str, Path], port: int, extra: str = "") -> str:
    folder = certificates["server"]
    return (
        f'listen_tls = 1\nlisten_tcp = 0\nlisten_addr = "127.0.0.1"\ntls_port = "{port}"\n'
        f'key_file = "{folder / "serverkey.pem"}"\ncert_file = "{folder / "servercert.pem"}"\n'
        f'ca_file = "{folder / "cacert.pem"}"\n{extra}'
    )


@pytest.fixture
def pair(
    certificates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[dict[str, tuple[RunningDaemon, int]]]:
    if not libvirtd_available():
        pytest.fail("the reference libvirtd is not installed (scripts/setup-test-env installs it)")
    extra = getattr(request, "param", "")
    base = tmp_path_factory.mktemp("tls")
    daemons: dict[str, tuple[RunningDaemon, int]] = {}
    try:
        port = free_port()
        config = tls_config(certificates, port, extra)
        daemons["virtrio"] = (start_virtrio(base / "virtrio", config, ("--listen",)), port)
        port = free_port()
        daemons["libvirtd"] = (
            start_libvirtd(base / "libvirtd", tls_config(certificates, port, extra), arguments=("--listen",)),
            port,
        )
        for daemon, port in daemons.values():
            wait_for_port(port, daemon)
        yield daemons
    finally:
        for daemon, _ in daemons.values():
            daemon.stop()
        remove(base)


def wait_for_port(port: int, daemon: RunningDaemon) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert daemon.process.poll() is None, daemon.log()
            time.sleep(0.05)
    raise AssertionError(f"{daemon.name} does not listen on port {port}")


def virsh(port: int, pkipath: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    uri = f"test+tls://127.0.0.1:{port}/default?pkipath={pkipath}"
    return subprocess.run(["virsh", "-c", uri, *arguments], capture_output=True, text=True, timeout=60)


def admin(daemon: RunningDaemon, *arguments: str) -> str:
    uri = f"libvirtd:///system?socket={daemon.admin}"
    result = subprocess.run(["virt-admin", "-c", uri, *arguments], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_virsh_over_tls_on_both(pair, certificates) -> None:
    for name, (_daemon, port) in pair.items():
        result = virsh(port, certificates["server"], "list", "--all")
        assert result.returncode == 0, (name, result.stderr)
        assert re.search(r"^\s*1\s+test\s+running", result.stdout, re.M), name


def test_libvirt_python_and_client_info_match(pair, certificates) -> None:
    """virt-admin shows a TLS client as libvirtd does: transport tls, its address, the same x509
    DN, in the same order."""
    script = (
        "import libvirt, sys\n"
        f"conn = libvirt.open('test+tls://127.0.0.1:' + sys.argv[1] + '/default?pkipath={certificates['server']}')\n"
        "print(conn.lookupByName('test').info()[0], flush=True)\n"
        "sys.stdin.read()\n"
    )
    shown = {}
    for name, (daemon, port) in pair.items():
        client = subprocess.Popen(
            ["/usr/bin/python3", "-c", script, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            assert client.stdout is not None and client.stdout.readline().strip() == "1", name
            listing = admin(daemon, "srv-clients-list", "libvirtd")
            ids = re.findall(r"^\s*(\d+)\s+tls\s", listing, re.M)
            assert len(ids) == 1, (name, listing)
            info = admin(daemon, "client-info", "libvirtd", ids[0])
            # every line in its order; the client's id, time and port are its own
            shown[name] = [
                (key, value.rsplit(":", 1)[0] if key == "sock_addr" else value)
                for key, value in re.findall(r"^(\w+)\s*:\s*(.*?)\s*$", info, re.M)
                if key not in ("id", "connection_time")
            ]
        finally:
            client.communicate("", timeout=30)
    assert shown["virtrio"] == shown["libvirtd"]
    fields = dict(shown["virtrio"])
    assert fields["tls_x509_dname"] == "O=Example Org,CN=client"
    assert fields["transport"] == "tls" and fields["sock_addr"] == "127.0.0.1"


def test_certificate_of_another_ca_refused_alike(pair, certificates) -> None:
    results = {name: virsh(port, certificates["other"], "list") for name, (_d, port) in pair.items()}
    assert results["virtrio"].returncode == results["libvirtd"].returncode == 1
    assert results["virtrio"].stderr == results["libvirtd"].stderr
    assert "error: failed to connect to the hypervisor" in results["virtrio"].stderr


@pytest.mark.parametrize("pair", ['tls_allowed_dn_list = ["O=Example Org,CN=adm*", "C=??,*"]\n'], indirect=True)
def test_dn_outside_allowed_list_refused_alike(pair, certificates) -> None:
    refused = {name: virsh(port, certificates["server"], "list") for name, (_d, port) in pair.items()}
    assert refused["virtrio"].returncode == refused["libvirtd"].returncode == 1
    assert refused["virtrio"].stderr == refused["libvirtd"].stderr
    for name, (_daemon, port) in pair.items():
        allowed = virsh(port, certificates["named"], "list")
        assert allowed.returncode == 0, (name, allowed.stderr)
    assert "tls_allowed_dn_list" in pair["virtrio"][0].log()


def certificates_in_flight(port: int) -> int:
    """How many certificates the server's handshake carries, read from a TLS 1.2 handshake
    (where its Certificate message is not encrypted); the client goes no further."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        try:
            client.do_handshake()
        except ssl.SSLWantReadError:
            connection.sendall(outgoing.read())  # the ClientHello
        received = b""
        while (count := certificate_count(received)) is None:
            data = connection.recv(65536)
            assert data, "the server closed the connection before its Certificate message"
            received += data
    return count


def certificate_count(stream: bytes) -> int | None:
    """The number of certificates in the first Certificate message of a TLS 1.2 server's
    records, or None while the message is not complete."""
    handshake, offset = b"", 0
    while offset + 5 <= len(stream):  # records: type, version, 2-byte length
        length = int.from_bytes(stream[offset + 3 : offset + 5], "big")
        if offset + 5 + length > len(stream):
            break
        if stream[offset] == 22:  # handshake
            handshake += stream[offset + 5 : offset + 5 + length]
        offset += 5 + length
    position = 0
    while position + 4 <= len(handshake):  # messages: type, 3-byte length
        length = int.from_bytes(handshake[position + 1 : position + 4], "big")
        if handshake[position] == 11:  # Certificate: a 3-byte list length, then 3-byte length + DER each
            if position + 4 + length > len(handshake):
                return None
            body = handshake[position + 4 : position + 4 + length]
            end, cursor, count = 3 + int.from_bytes(body[:3], "big"), 3, 0
            while cursor < end:
                cursor += 3 + int.from_bytes(body[cursor : cursor + 3], "big")
                count += 1
            return count
        position += 4 + length
    return None


def test_server_sends_its_own_certificate_only_alike(pair) -> None:
    """libvirtd's handshake carries the server's certificate without its CA's (OpenSSL would
    add the CA from the store that checks clients, for every client to parse)."""
    sent = {name: certificates_in_flight(port) for name, (_daemon, port) in pair.items()}
    assert sent == {"virtrio": 1, "libvirtd": 1}


def server_hello_group(stream: bytes) -> int | None:
    """The key share group a TLS 1.3 ServerHello at the start of stream names (None while the
    message is not complete, or when it has no key share)."""
    found = tls_records(stream)
    if not found or len(found[0]) < 5 + 4 or found[0][0] != 22 or found[0][5] != 2:
        return None
    body = found[0][9:]  # the ServerHello's fields after its type and 3-byte length
    position = 2 + 32  # version, random
    position += 1 + body[position] + 2 + 1  # session id, cipher suite, compression
    end = position + 2 + int.from_bytes(body[position : position + 2], "big")
    position += 2
    while position + 4 <= min(end, len(body)):  # extensions: type, length, data
        kind = int.from_bytes(body[position : position + 2], "big")
        if kind == 51:  # key_share: the group the server took
            return int.from_bytes(body[position + 4 : position + 6], "big")
        position += 4 + int.from_bytes(body[position + 2 : position + 4], "big")
    return None


def group_through_relay(port: int, connect: Callable[[int], None]) -> int | None:
    """The key share group the server at port answers with, seen by a relay that passes one
    connection through: connect(relay_port) makes the client connect there."""
    relay = socket.create_server(("127.0.0.1", 0))
    relay.settimeout(30)
    seen = bytearray()

    def run() -> None:
        client, _ = relay.accept()
        with client, socket.create_connection(("127.0.0.1", port), timeout=30) as server:
            ends = {client: server, server: client}
            with selectors.DefaultSelector() as selector:
                for end in ends:
                    selector.register(end, selectors.EVENT_READ)
                while True:
                    for key, _ in selector.select(timeout=30):
                        data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                        if not data:
                            return
                        if key.fileobj is server:
                            seen.extend(data)
                        ends[key.fileobj].sendall(data)  # type: ignore[index]

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        connect(relay.getsockname()[1])
        thread.join(30)
    finally:
        relay.close()
    return server_hello_group(bytes(seen))


X25519, P256 = 29, 23


def test_x25519_share_found_only_when_whole() -> None:
    """The reading of a ClientHello's key_share extension: an X25519 entry of 32 bytes inside
    the stated length counts; truncated or malformed ones never raise."""
    from virtrio.server.tls import offers_x25519

    p256 = bytes.fromhex("00170041") + b"\x04" + bytes(64)
    x25519 = bytes.fromhex("001d0020") + bytes(32)
    whole = p256 + x25519
    assert offers_x25519(len(whole).to_bytes(2, "big") + whole)
    assert not offers_x25519(len(p256).to_bytes(2, "big") + p256)
    assert not offers_x25519(b"") and not offers_x25519(b"\x00")
    assert not offers_x25519(len(whole).to_bytes(2, "big") + whole[:-1])  # the key cut short
    assert not offers_x25519(len(p256).to_bytes(2, "big") + whole)  # outside the stated length
    short = bytes.fromhex("001d0010") + bytes(16)
    assert not offers_x25519(len(short).to_bytes(2, "big") + short)  # not an X25519 key's size
    assert not offers_x25519(b"\xff\xff" + bytes.fromhex("0017ffff"))  # an entry longer than what is there


def client_hello(curve: str | None = None) -> bytes:
    """The first flight of Python's own TLS client (OpenSSL's: one key share, X25519 by
    default, or for the one curve named)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if curve is not None:
        context.set_ecdh_curve(curve)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with pytest.raises(ssl.SSLWantReadError):
        client.do_handshake()
    return outgoing.read()


def test_client_hello_read_for_its_x25519_share() -> None:
    """The daemon picks its context from the client's first bytes: a whole ClientHello with an
    X25519 share gets the X25519 one; a P-256 share alone, a ClientHello cut short or spread
    over records, or bytes that are not TLS get the default, and nothing raises."""
    from virtrio.server.tls import client_hello_offers_x25519

    x25519, p256 = client_hello(), client_hello("prime256v1")
    assert client_hello_offers_x25519(x25519)
    assert not client_hello_offers_x25519(p256)
    assert not client_hello_offers_x25519(x25519[: len(x25519) // 2])
    # The same ClientHello split over two records: the first record holds only part of it.
    body = x25519[5:]
    split = x25519[:3] + (100).to_bytes(2, "big") + body[:100] + x25519[:3] + (len(body) - 100).to_bytes(2, "big")
    assert not client_hello_offers_x25519(split + body[100:])
    assert not client_hello_offers_x25519(b"GET / HTTP/1.1\r\n\r\n")
    for cut in range(len(x25519)):  # every truncation and a flipped byte anywhere: no exception
        client_hello_offers_x25519(x25519[:cut])
        client_hello_offers_x25519(x25519[:cut] + bytes([x25519[cut] ^ 0xFF]) + x25519[cut + 1 :])


def confirmation_over(
    port: int, pkipath: Path, split_at: int | None = None, by_record: bool = False, **options: object
) -> tuple[str, bytes]:
    """Python's TLS client with the client certificate against the daemon at port: the TLS
    version agreed and the first byte the daemon sends after the handshake. split_at writes
    each of the client's flights in two parts (the ClientHello cut after split_at bytes, the
    later flight after 6: as long as a change_cipher_spec record), a pause between them;
    by_record writes the later flight one record at a time, a pause after each."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(pkipath / "cacert.pem")
    context.load_cert_chain(pkipath / "clientcert.pem", pkipath / "clientkey.pem")
    if "maximum_version" in options:
        context.maximum_version = options["maximum_version"]  # type: ignore[assignment]
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:

        def send(data: bytes, first: bool) -> None:
            if by_record and not first:
                for record in tls_records(data):
                    raw.sendall(record)
                    time.sleep(0.05)
                return
            cut = (split_at if first else 6) if split_at is not None else 0
            if 0 < cut < len(data):
                raw.sendall(data[:cut])
                time.sleep(0.1)
                data = data[cut:]
            raw.sendall(data)

        first = True
        while True:
            try:
                client.do_handshake()
            except ssl.SSLWantReadError:
                if outgoing.pending:
                    send(outgoing.read(), first)
                    first = False
                incoming.write(raw.recv(65536))
                continue
            if outgoing.pending:
                send(outgoing.read(), first)
            break
        while True:
            try:
                return client.version() or "", client.read(1)
            except ssl.SSLWantReadError:
                data = raw.recv(65536)
                if not data:
                    return client.version() or "", b""
                incoming.write(data)


def test_tls12_and_flights_in_pieces_served_alike(pair, certificates) -> None:
    """A TLS 1.2 client, and clients whose ClientHello or later flight comes in two writes
    with a pause (the daemon reads the ClientHello to pick its context, and waits for 7
    bytes after its own flight), get the confirmation byte from both daemons."""
    for name, (_daemon, port) in pair.items():
        for split_at in (None, 3, 100):
            for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
                outcome = confirmation_over(port, certificates["server"], split_at, maximum_version=version)
                assert outcome == (version.name.replace("v1_", "v1."), b"\x01"), (name, split_at, outcome)


def test_flight_written_a_record_at_a_time_served_alike(pair, certificates) -> None:
    """A client writing its flight after ours one record at a time (its Certificate, then its
    CertificateVerify...), a pause after each, gets the confirmation byte from both daemons
    (TLS 1.2 and 1.3): a guard for any reading of that flight that waits for it to be whole."""
    for name, (_daemon, port) in pair.items():
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            outcome = confirmation_over(port, certificates["server"], by_record=True, maximum_version=version)
            assert outcome == (version.name.replace("v1_", "v1."), b"\x01"), (name, outcome)


def test_x25519_taken_when_offered_and_p256_alone_still_served(pair, certificates) -> None:
    """libvirt's client offers key shares for P-256 and X25519, in that order: libvirtd takes
    P-256, we take X25519 (cheaper for both sides, no extra round trip). A client offering
    P-256 alone is served with P-256 by both."""

    def with_virsh(relay_port: int) -> None:
        result = virsh(relay_port, certificates["server"], "list")
        assert result.returncode == 0, result.stderr

    def p256_only(relay_port: int) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.load_verify_locations(certificates["server"] / "cacert.pem")
        context.load_cert_chain(certificates["server"] / "clientcert.pem", certificates["server"] / "clientkey.pem")
        context.set_ecdh_curve("prime256v1")
        with (
            socket.create_connection(("127.0.0.1", relay_port), timeout=30) as connection,
            context.wrap_socket(connection) as client,
        ):
            assert client.version() == "TLSv1.3"
            assert client.recv(1) == b"\x01"  # the checks passed: served

    groups = {name: group_through_relay(port, with_virsh) for name, (_d, port) in pair.items()}
    assert groups == {"virtrio": X25519, "libvirtd": P256}
    alone = {name: group_through_relay(port, p256_only) for name, (_d, port) in pair.items()}
    assert alone == {"virtrio": P256, "libvirtd": P256}


def refused_client_writes_its_flight(port: int, certificates: Path) -> bytes:
    """A client with a certificate the server does not trust sends its last flight record by
    record, a pause after each, as libvirt's client writes it in pieces; returns what the
    server sent after that flight (its alert, if any) once it closed. Raises OSError when a
    write fails (the server reset the connection)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.load_cert_chain(certificates / "clientcert.pem", certificates / "clientkey.pem")
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        while True:
            try:
                client.do_handshake()
                break
            except ssl.SSLWantReadError:
                if outgoing.pending:
                    connection.sendall(outgoing.read())
                data = connection.recv(65536)
                assert data, "the server closed the connection before its flight"
                incoming.write(data)
        flight = tls_records(outgoing.read())
        assert len(flight) >= 2
        for record in flight:
            connection.sendall(record)
            time.sleep(0.2)
        answer = b""
        while data := connection.recv(65536):
            answer += data
        return answer


def test_refused_client_writes_its_whole_flight_alike(pair, certificates) -> None:
    """Refusing a client's certificate never resets the connection under its writes: the
    client reads the refusal (libvirtd reads the whole handshake before its own checks)."""
    answers = {name: refused_client_writes_its_flight(port, certificates["other"]) for name, (_d, port) in pair.items()}
    # ours: the alert (encrypted, as TLS 1.3 has it); libvirtd: nothing, as it checks after the handshake
    assert [record[0] for record in tls_records(answers["virtrio"])] == [23]
    assert answers["libvirtd"] == b""


LARGE_MESSAGES = """
import sys, libvirt
conn = libvirt.open(sys.argv[1])
text = "".join(f"line {number:06d} of a long description; " for number in range(9000))  # ~300 KB
conn.defineXML(
    "<domain type='test'><name>big</name><description>" + text + "</description><memory>65536</memory>"
    "<vcpu>1</vcpu><os><type arch='i686'>hvm</type></os></domain>"
)
back = conn.lookupByName("big").XMLDesc(0)
print(len(text), text in back)
dom = conn.lookupByName("test")
print(sum(dom.info()[1] for _ in range(300)))  # calls back to back
print(sorted(d.name() for d in conn.listAllDomains()))
"""


def test_large_messages_and_calls_back_to_back_alike(pair, certificates) -> None:
    """A call and a reply of many TLS records (more than one socket read each), then calls
    one after the other: the same answers from both daemons."""
    outputs = {}
    for name, (_daemon, port) in pair.items():
        uri = f"test+tls://127.0.0.1:{port}/default?pkipath={certificates['server']}"
        result = subprocess.run(
            ["/usr/bin/python3", "-c", LARGE_MESSAGES, uri], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, (name, result.stderr)
        outputs[name] = result.stdout
    assert outputs["virtrio"] == outputs["libvirtd"]
    assert outputs["virtrio"].splitlines()[0] == "315000 True"


@pytest.mark.parametrize("pair", ["tls_handshake_timeout = 5\n"], indirect=True)
def test_stalled_handshake_delays_nobody_and_is_dropped(pair, certificates) -> None:
    _daemon, port = pair["virtrio"]
    stalled = socket.create_connection(("127.0.0.1", port))
    stalled.sendall(b"\x16\x03\x01")  # the start of a ClientHello, then nothing
    try:
        started = time.monotonic()
        result = virsh(port, certificates["server"], "list")
        assert result.returncode == 0, result.stderr
        # virsh was served while the stalled handshake was still pending: it did not wait for it
        stalled.setblocking(False)
        with pytest.raises(BlockingIOError):
            stalled.recv(100)
        stalled.settimeout(30)
        assert stalled.recv(100) == b""  # then dropped by the daemon, after its bound
        assert time.monotonic() - started >= 4.5
    finally:
        stalled.close()


def test_update_tls_reloads_without_dropping_clients(pair, certificates, tmp_path: Path) -> None:
    """New certificates from another CA: a connected client keeps working, new clients need
    the new CA. Asked of the admin server, both daemons refuse alike."""
    for name, (daemon, _port) in pair.items():
        uri = f"libvirtd:///system?socket={daemon.admin}"
        refused = subprocess.run(
            ["virt-admin", "-c", uri, "server-update-tls", "admin"], capture_output=True, text=True, timeout=60
        )
        assert refused.returncode == 1, name
        assert "no tls service found, unable to update tls files" in refused.stderr, (name, refused.stderr)
    daemon, port = pair["virtrio"]
    served = certificates["server"]  # where the daemon's settings point
    before = tmp_path / "before"
    shutil.copytree(served, before)
    script = (
        "import libvirt, sys\nconn = libvirt.open(sys.argv[1])\nprint(conn.numOfDomains(), flush=True)\n"
        "sys.stdin.readline()\nprint(conn.numOfDomains(), flush=True)\n"
    )
    uri = f"test+tls://127.0.0.1:{port}/default?pkipath={before}"
    client = subprocess.Popen(
        ["/usr/bin/python3", "-c", script, uri], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert client.stdout is not None and client.stdout.readline().strip() == "1"
        for what in ("ca", "server", "client"):  # a new CA and certificates where the daemon reads them
            extra = ("--name", "127.0.0.1") if what == "server" else ()
            pki(what, "--dir", str(served), "--organization", "Renewed", "--force", *extra)
        assert virsh(port, before, "list").returncode == 0  # not read again yet
        admin(daemon, "server-update-tls", "libvirtd")
        client.stdin.write("\n")  # type: ignore[union-attr]
        client.stdin.flush()  # type: ignore[union-attr]
        assert client.stdout.readline().strip() == "1"  # still connected, still served
        assert virsh(port, served, "list").returncode == 0
        stale = virsh(port, before, "list")  # the old CA no longer vouches for the server
        assert stale.returncode == 1, stale.stdout
    finally:
        client.communicate("", timeout=30)
        for item in before.iterdir():  # the other tests share these files
            shutil.copy(item, served / item.name)


def first_call_with_last_flight(port: int, pkipath: Path) -> bytes:
    """A TLS 1.3 client that sends its first call (AUTH_LIST) in the same write as its last
    handshake flight, without waiting for the confirmation byte: everything the daemon sends
    back until it has answered (or 10 s have passed)."""
    from virtrio.protocol.generated import remote
    from virtrio.rpc.packet import Header, MessageType, Status, encode_packet

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(pkipath / "cacert.pem")
    context.load_cert_chain(pkipath / "clientcert.pem", pkipath / "clientkey.pem")
    context.maximum_version = ssl.TLSVersion.TLSv1_3
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
    call = encode_packet(Header(remote.PROGRAM, 1, remote.REMOTE_PROC_AUTH_LIST, MessageType.CALL, 1, Status.OK), b"")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        while True:
            try:
                client.do_handshake()
                break
            except ssl.SSLWantReadError:
                if outgoing.pending:
                    raw.sendall(outgoing.read())
                incoming.write(raw.recv(65536))
        client.write(call)  # its record follows the client's Finished in one write
        raw.sendall(outgoing.read())
        received = b""
        try:
            while len(received) < 1 + 28 + 8:  # the byte, a reply header and the method list
                try:
                    received += client.read(65536)
                except ssl.SSLWantReadError:
                    data = raw.recv(65536)
                    if not data:
                        break
                    incoming.write(data)
        except (TimeoutError, ssl.SSLError):
            pass
        return received


def test_first_call_sent_with_the_last_flight_is_answered(pair, certificates) -> None:
    """A client that does not wait for the confirmation byte before its first call: the call
    arrives with the handshake's last flight and is read from the TLS layer's buffer, not
    waited for on the socket. libvirtd answers it too."""
    for name, (_daemon, port) in pair.items():
        received = first_call_with_last_flight(port, certificates["server"])
        assert received[:1] == b"\x01", (name, received)
        assert len(received) >= 1 + 28 and received[1 + 24 : 1 + 28] == b"\x00\x00\x00\x00", (name, received)
