"""Documents whose bytes are not UTF-8, answered as libvirtd answers them: libvirt hands
libxml2 a string, read as UTF-8 whatever the document declares, and Debian's libxml2 2.9
names the four bytes it could not read; a node file is read in the encoding it declares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from virtrio.protocol.generated import remote

from .side_by_side import ask, encode_args

DOMAIN_TAIL = b"<memory>1024</memory><os><type>hvm</type></os></domain>"
DOCUMENTS = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "0xff in a name": b"<domain type='test'><name>\xff</name>" + DOMAIN_TAIL,
    "latin-1 in a name": b"<domain type='test'><name>caf\xe9</name>" + DOMAIN_TAIL,
    "a cut sequence": b"<domain type='test'><name>ok</name><description>\xc3(</description>" + DOMAIN_TAIL,
    "declared latin-1": b"<?xml version='1.0' encoding='ISO-8859-1'?><domain type='test'><name>caf\xe9</name>"
    + DOMAIN_TAIL,
    "three bytes left": b"<domain type='test'><name>x</name>" + DOMAIN_TAIL + b"\xff",
}


def test_documents_that_are_not_utf8_as_libvirtd(both: dict[str, Any]) -> None:
    calls = []
    for document in DOCUMENTS.values():
        text = document.decode("utf-8", "surrogateescape")  # the bytes as virtrio's codec carries them
        number = remote.REMOTE_PROC_DOMAIN_DEFINE_XML
        calls.append((number, encode_args(number, remote.remote_domain_define_xml_args(text))))
    network = "<network><name>n\udcff</name></network>"
    calls.append(
        (
            remote.REMOTE_PROC_NETWORK_DEFINE_XML,
            encode_args(remote.REMOTE_PROC_NETWORK_DEFINE_XML, remote.remote_network_define_xml_args(network)),
        )
    )
    ours, theirs = (ask(both[side].rw, calls) for side in ("virtrio", "libvirtd"))
    assert ours == theirs
    assert "Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0x3C 0x2F 0x6E" in theirs[1][3]
    assert theirs[4][0] == "error"  # the declaration is not read


def test_a_node_file_in_latin1_is_read_as_declared(both: dict[str, Any], tmp_path: Path) -> None:
    node = tmp_path / "latin1.xml"
    node.write_bytes(
        b"<?xml version='1.0' encoding='ISO-8859-1'?><node><domain type='test'><name>caf\xe9</name>"
        + DOMAIN_TAIL
        + b"</node>"
    )
    number = remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME
    calls = [(number, encode_args(number, remote.remote_domain_lookup_by_name_args("café")))]
    for side in ("virtrio", "libvirtd"):  # (the domain's UUID is made up: each its own)
        status, payload = ask(both[side].rw, calls, uri=f"test://{node}")[0]
        assert status == "ok" and payload.startswith(b"\x00\x00\x00\x05caf\xc3\xa9"), side
