"""The objects xmlcorpus harness against libvirtd: our crafted network documents (PCI
addresses of hostdev networks: number bases, limits, duplicates spelt differently) read
back or refused identically, and libvirtd's own secret driver reached in its private mount
namespace."""

from __future__ import annotations

from pathlib import Path

from interop import xmlcorpus_objects as corpus
from interop.daemons import RunningDaemon, stop_process


def crafted_results(daemon: RunningDaemon, tmp_path: Path) -> dict[str, list[str]]:
    paths = [path for path in corpus.documents(Path("/nonexistent"), "networks", tmp_path)]
    return corpus.gather("test:///default", daemon.rw, "networks", paths)


def test_crafted_hostdev_networks_as_libvirtd(both: dict[str, RunningDaemon], tmp_path: Path) -> None:
    theirs = crafted_results(both["libvirtd"], tmp_path / "libvirtd")
    mine = crafted_results(both["virtrio"], tmp_path / "virtrio")
    assert len(theirs) == len(corpus.CRAFTED["networks"])
    assert mine == theirs
    # both kinds of outcome are exercised: an address written back in libvirt's spelling...
    assert (
        "<address type='pci' domain='0x0000' bus='0x08' slot='0x1f' function='0x7'/>"
        in theirs["crafted/pci-bases.xml"][0]
    )
    # ...and a duplicate found across spellings, reported from the network domain
    assert theirs["crafted/pci-same-spelt-twice.xml"] == [
        "error 27/19: XML error: PCI device '0000:03:00.1' can only be listed once in network crafted"
    ]


def test_secret_driver_in_a_private_namespace(tmp_path: Path) -> None:
    document = tmp_path / "secret.xml"
    document.write_text("<secret ephemeral='no'><uuid>0b8a3f5e-2c4d-4e6f-8a9b-1c2d3e4f5a6b</uuid></secret>")
    process, socket_path = corpus.start_reference(tmp_path / "ref", ("secret",))
    try:
        result = corpus.gather("secret:///system", socket_path, "secrets", [document])
    finally:
        stop_process(process)
    assert result == {
        f"{tmp_path.name}/secret.xml": [
            "<secret ephemeral='no' private='no'>\n  <uuid>0b8a3f5e-2c4d-4e6f-8a9b-1c2d3e4f5a6b</uuid>\n</secret>\n",
            "usage 0 ",
            "redefine 0b8a3f5e-2c4d-4e6f-8a9b-1c2d3e4f5a6b",
            "set 0",
            "get b'corpus value'",
            "undefine 0",
        ]
    }
    # the persistent secret went to the namespace's /etc/libvirt, not the machine's
    assert not Path("/etc/libvirt/secrets").exists()
