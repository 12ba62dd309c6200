"""Enabling Debian's source packages for libvirt's test documents, on either kind of sources file."""

from pathlib import Path

from interop.libvirt_source import LEGACY_SOURCE_ENTRIES, SOURCE_ENTRIES, deb_src_twin


def test_deb822_sources_get_a_deb_src_twin(tmp_path: Path) -> None:
    sources = tmp_path / "debian.sources"
    sources.write_text("Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n")
    path, entries = deb_src_twin(sources, tmp_path / "absent.list") or (None, "")
    assert path == SOURCE_ENTRIES
    assert entries == "Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n"


def test_one_line_sources_of_a_debootstrap_chroot_get_deb_src_lines(tmp_path: Path) -> None:
    legacy = tmp_path / "sources.list"
    legacy.write_text(
        "# a comment\ndeb http://deb.debian.org/debian bookworm main\n"
        "deb [signed-by=/k.gpg] http://security.debian.org/debian-security bookworm-security main\n"
        "deb-src http://example.org/x bookworm main\n"
    )
    path, entries = deb_src_twin(tmp_path / "absent.sources", legacy) or (None, "")
    assert path == LEGACY_SOURCE_ENTRIES
    assert entries == (
        "deb-src http://deb.debian.org/debian bookworm main\n"
        "deb-src [signed-by=/k.gpg] http://security.debian.org/debian-security bookworm-security main\n"
    )


def test_no_archive_named_gives_nothing(tmp_path: Path) -> None:
    legacy = tmp_path / "sources.list"
    legacy.write_text("# nothing here\n")
    assert deb_src_twin(tmp_path / "absent.sources", legacy) is None
    assert deb_src_twin(tmp_path / "absent.sources", tmp_path / "absent.list") is None
