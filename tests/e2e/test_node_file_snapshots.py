"""Node files' test: namespace: transient and managed-save domains, and snapshots defined
inline or in files (which the allowed folders also govern)."""

from __future__ import annotations

from pathlib import Path

import pytest

from virtrio.drivers.test.node_file import AllowedFolders, load_node_file
from virtrio.drivers.test.snapshot_definition import snapshot_xml
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError

NS = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'"
UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"


def node(folder: Path, extra: str) -> Path:
    path = folder / "node.xml"
    path.write_text(
        f"<node><domain type='test' {NS}><name>d</name><uuid>{UUID}</uuid><memory>1024</memory>"
        f"<os><type>hvm</type></os>{extra}</domain></node>"
    )
    return path


def snapshot(name: str, active: int, parent: str = "") -> str:
    parent_xml = f"<parent><name>{parent}</name></parent>" if parent else ""
    return (
        f"<test:domainsnapshot><name>{name}</name>{parent_xml}<state>shutoff</state>"
        f"<creationTime>7</creationTime><active>{active}</active></test:domainsnapshot>"
    )


def test_transient_and_managed_save(tmp_path: Path) -> None:
    state = load_node_file(node(tmp_path, "<test:transient/>"))
    domain = state.domains["d"]
    assert not domain.persistent and domain.active and domain.state == api.VIR_DOMAIN_RUNNING
    state = load_node_file(node(tmp_path, "<test:hasmanagedsave/><test:runstate>5</test:runstate>"))
    domain = state.domains["d"]
    assert domain.managed_save and not domain.active


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("<test:transient/><test:runstate>5</test:runstate>", "transient domain cannot have runstate 'shutoff'"),
        ("<test:hasmanagedsave/>", "domain with managedsave data can only have runstate 'shutoff'"),
        ("<test:runstate>9</test:runstate>", "runstate '9' out of range'"),
        ("<test:runstate>x</test:runstate>", "invalid runstate"),
    ],
)
def test_namespace_errors(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(LibvirtError) as raised:
        load_node_file(node(tmp_path, extra))
    assert raised.value.code == api.VIR_ERR_XML_ERROR and raised.value.message == f"XML error: {message}"


def test_snapshots_inline_and_from_files(tmp_path: Path) -> None:
    (tmp_path / "snap.xml").write_text(
        "<domainsnapshot><name>b</name><parent><name>a</name></parent><state>running</state>"
        "<creationTime>9</creationTime><active>1</active></domainsnapshot>"
    )
    state = load_node_file(node(tmp_path, snapshot("a", 0) + "<test:domainsnapshot file='snap.xml'/>"))
    tree = state.snapshots[state.domains["d"].uuid]
    assert tree.current == "b" and [s.name for s in tree.children("a")] == ["b"]
    assert snapshot_xml(tree.get("a"), UUID) == (
        "<domainsnapshot>\n  <name>a</name>\n  <state>shutoff</state>\n  <creationTime>7</creationTime>\n"
        f"  <memory snapshot='no'/>\n  <domain>\n    <uuid>{UUID}</uuid>\n  </domain>\n</domainsnapshot>\n"
    )


@pytest.mark.parametrize(
    ("snapshots", "message"),
    [
        (snapshot("a", 1) + snapshot("b", 1), "internal error: more than one snapshot claims to be active"),
        (snapshot("a", 0, "zz"), "internal error: Snapshots have inconsistent relations for domain d"),
    ],
)
def test_snapshot_errors(tmp_path: Path, snapshots: str, message: str) -> None:
    with pytest.raises(LibvirtError) as raised:
        load_node_file(node(tmp_path, snapshots))
    assert raised.value.message == message


def test_snapshot_files_obey_the_allowed_folders(tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (tmp_path / "outside.xml").write_text("<domainsnapshot/>")
    path = node(allowed, "<test:domainsnapshot file='../outside.xml'/>")
    with pytest.raises(LibvirtError) as raised:
        load_node_file(path, AllowedFolders([str(allowed)]))
    assert raised.value.code == api.VIR_ERR_ACCESS_DENIED
