"""libvirt 9.0.0's test documents, from Debian's source package, read at test time.

They are libvirt's, not ours: never committed, fetched once into a cache folder
(``$XDG_CACHE_HOME/virtrio`` or ``~/.cache/virtrio``) by ``python -m interop.libvirt_source``,
which scripts/setup-test-env runs. ``VIRTRIO_LIBVIRT_SOURCE`` names an extracted tree instead.
Only tests/ is kept: that is what the corpus runners read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

VERSION = "9.0.0"
SOURCES_LIST = Path("/etc/apt/sources.list.d/debian.sources")  # Debian 12's installer and images
LEGACY_LIST = Path("/etc/apt/sources.list")  # one-line entries: debootstrap writes these
# A deb-src twin of Debian's own entries, so apt-get source works without editing them.
SOURCE_ENTRIES = Path("/etc/apt/sources.list.d/virtrio-deb-src.sources")
LEGACY_SOURCE_ENTRIES = Path("/etc/apt/sources.list.d/virtrio-deb-src.list")


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "virtrio" / f"libvirt-{VERSION}"


def find_source() -> Path:
    """An extracted tree whose tests/ folder holds libvirt's documents."""
    named = os.environ.get("VIRTRIO_LIBVIRT_SOURCE")
    if named:
        if not (Path(named) / "tests").is_dir():
            raise SystemExit(f"VIRTRIO_LIBVIRT_SOURCE={named} has no tests/ folder")
        return Path(named)
    cached = cache_folder()
    if (cached / "tests").is_dir():
        return cached
    raise SystemExit(f"libvirt {VERSION}'s test documents are not in {cached}: run python -m interop.libvirt_source")


def _apt_has_deb_src() -> bool:
    for path in [SOURCES_LIST, SOURCE_ENTRIES, LEGACY_LIST, LEGACY_SOURCE_ENTRIES]:
        if path.is_file() and any(
            line.split()[:1] == ["deb-src"] or (line.startswith("Types:") and "deb-src" in line.split())
            for line in path.read_text().splitlines()
        ):
            return True
    return False


def deb_src_twin(sources: Path = SOURCES_LIST, legacy: Path = LEGACY_LIST) -> tuple[Path, str] | None:
    """The file to write and its deb-src entries, twins of Debian's own binary entries: from
    the deb822 sources of an installed Debian 12, else from a one-line sources.list (a
    debootstrap chroot); None when neither names an archive."""
    if sources.is_file():
        return SOURCE_ENTRIES, sources.read_text().replace("Types: deb\n", "Types: deb-src\n")
    if legacy.is_file():
        lines = legacy.read_text().splitlines()
        twins = ["deb-src" + line.lstrip()[len("deb") :] for line in lines if line.split()[:1] == ["deb"]]
        if twins:
            return LEGACY_SOURCE_ENTRIES, "\n".join(twins) + "\n"
    return None


def _enable_deb_src() -> None:
    """Add deb-src entries for Debian's own archives (needs root), then refresh apt's lists."""
    if not _apt_has_deb_src():
        twin = deb_src_twin()
        if twin is None:
            detail = f"neither {SOURCES_LIST} nor {LEGACY_LIST} names an archive"
            raise SystemExit(f"cannot enable Debian source packages: {detail}")
        path, entries = twin
        path.write_text(entries)
    subprocess.run(["apt-get", "update", "-qq"], check=True)


def download_orig(package: str, version: str, work: Path) -> Path:
    """Debian's source package into work (deb-src enabled first if apt has none), and its
    upstream tarball, which must be of the given version."""
    command = ["apt-get", "source", "--download-only", package]
    if subprocess.run(command, cwd=work, capture_output=True).returncode != 0:
        _enable_deb_src()
        retry = subprocess.run(command, cwd=work, capture_output=True, text=True)
        if retry.returncode != 0:
            failure = retry.stderr.strip().splitlines()[-1:] or [f"exit status {retry.returncode}"]
            raise SystemExit(f"apt-get source {package} failed: {failure[0]}")
    archives = list(work.glob(f"{package}_{version}.orig.tar.*"))
    if not archives:
        raise SystemExit(f"Debian's {package} source package is not version {version}")
    return archives[0]


def keep_from_orig(package: str, version: str, prefix: str, wanted: Callable[[str], bool], destination: Path) -> Path:
    """Debian's upstream tarball of package, its plain files under prefix whose path after
    prefix wanted accepts written to destination (replacing it once all are written)."""
    with tempfile.TemporaryDirectory(prefix=f"virtrio-{package}-") as work:
        archive = download_orig(package, version, Path(work))
        staging = destination.with_name(destination.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        with tarfile.open(archive) as tarball:
            for member in tarball.getmembers():
                name = member.name[len(prefix) :] if member.name.startswith(prefix) else ""
                # Plain files only, never a path that climbs out.
                if not name or not member.isfile() or ".." in Path(name).parts or not wanted(name):
                    continue
                source = tarball.extractfile(member)
                assert source is not None
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read())
        shutil.rmtree(destination, ignore_errors=True)
        staging.rename(destination)
    return destination


def fetch() -> Path:
    """Download Debian's libvirt source package and keep its tests/ folder in the cache."""
    destination = cache_folder()
    if (destination / "tests").is_dir():
        return destination
    with tempfile.TemporaryDirectory(prefix="virtrio-libvirt-source-") as work:
        # Debian 12's libvirt is 9.0.0 (the reference daemon's version too); checked there.
        archive = download_orig("libvirt", VERSION, Path(work))
        extracted = Path(work) / "tree"
        prefix = f"libvirt-{VERSION}/tests/"
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(prefix) and (m.isfile() or m.isdir())]
            for member in members:
                if ".." in Path(member.name).parts:
                    raise SystemExit(f"refusing archive member {member.name!r}")
            if hasattr(tarfile, "data_filter"):
                tar.extractall(extracted, members=members, filter="data")
            else:  # Python before 3.11.4: the members were checked above
                tar.extractall(extracted, members=members)
        destination.parent.mkdir(parents=True, exist_ok=True)
        staging = destination.with_name(destination.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.move(str(extracted / f"libvirt-{VERSION}"), staging)
        staging.rename(destination)
    return destination


if __name__ == "__main__":
    print(f"libvirt {VERSION} test documents: {fetch()}")
    sys.exit(0)
