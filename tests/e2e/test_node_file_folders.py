"""test_node_file_dirs: which test:///path node files a daemon reads, with stock virsh."""

from __future__ import annotations

from pathlib import Path

from .daemon_process import start_daemon, virsh

DOMAIN = "<domain type='test'><name>{name}</name><memory>1024</memory><os><type>hvm</type></os></domain>"


def node_file(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"<node>{body}</node>")
    return path


def test_only_listed_folders_are_read(tmp_path: Path) -> None:
    allowed, elsewhere = tmp_path / "allowed", tmp_path / "elsewhere"
    (elsewhere).mkdir()
    (elsewhere / "outside.xml").write_text(DOMAIN.format(name="outside"))
    inside = node_file(allowed, "inside.xml", DOMAIN.format(name="inside"))
    referring = node_file(allowed, "referring.xml", "<domain file='../elsewhere/outside.xml'/>")
    outside = node_file(elsewhere, "node.xml", DOMAIN.format(name="other"))
    daemon = start_daemon(tmp_path / "run", config=f'test_node_file_dirs = ["{allowed}"]\n')
    try:
        listed = virsh(daemon, "list", "--all", "--name", uri=daemon.uri(path=str(inside)))
        assert listed.returncode == 0 and listed.stdout.split() == ["inside"], listed.stderr
        for refused, named in ((outside, outside), (referring, allowed / "../elsewhere/outside.xml")):
            result = virsh(daemon, "list", uri=daemon.uri(path=str(refused)))
            assert result.returncode == 1
            assert f"access denied: '{named}' is outside the folders test_node_file_dirs allows" in result.stderr
        # a path that climbs out of a listed folder is judged by where it really leads
        climbing = virsh(daemon, "list", uri=daemon.uri(path=f"{allowed}/../elsewhere/node.xml"))
        assert climbing.returncode == 1 and "outside the folders" in climbing.stderr
    finally:
        assert daemon.stop() == 0, daemon.log()


def test_without_the_setting_any_readable_file_is_read(tmp_path: Path) -> None:
    anywhere = node_file(tmp_path / "any", "node.xml", DOMAIN.format(name="anywhere"))
    daemon = start_daemon(tmp_path / "run")
    try:
        listed = virsh(daemon, "list", "--all", "--name", uri=daemon.uri(path=str(anywhere)))
        assert listed.returncode == 0 and listed.stdout.split() == ["anywhere"], listed.stderr
    finally:
        assert daemon.stop() == 0, daemon.log()
