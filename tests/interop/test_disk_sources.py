"""A disk's <source> children as libvirt reads and writes them: the storage slice (the first
of its <slices>, with an offset and a size, written alone; refused without one of them or with
a malformed number), a network source's snapshot and configuration file (one attribute each),
the children in libvirt's order and only those its storage type reads. libvirt-python defines
each on virtrio and on libvirtd side by side."""

from __future__ import annotations

from pathlib import Path

from .side_by_side import assert_answered_alike, script_answers
from .test_missing_parts import SCRIPT, document


def disk(slices: str) -> str:
    return (
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        f"<source file='/var/lib/libvirt/images/raw.img'>{slices}</source><target dev='vda' bus='virtio'/></disk>"
    )


SLICES = {
    "a storage slice": "<slices><slice type='storage' offset='1234' size='321'/></slices>",
    "without offset": "<slices><slice type='storage' size='321'/></slices>",
    "without size": "<slices><slice type='storage' offset='0'/></slices>",
    "empty size": "<slices><slice type='storage' offset='0' size=''/></slices>",
    "offset malformed": "<slices><slice type='storage' offset='-1' size='321'/></slices>",
    "size malformed": "<slices><slice type='storage' offset='1' size='3x'/></slices>",
    "size with a plus and spaces": "<slices><slice type='storage' offset='  +7' size='0321'/></slices>",
    "empty slices": "<slices/>",
    "a slice of another type": "<slices><slice type='other' offset='1' size='2'/></slices>",
    "the first storage slice of two groups": "<slices><slice type='other'/></slices>"
    "<slices><slice type='storage' offset='5' size='6'/><slice type='storage' offset='7' size='8'/></slices>",
}


def rbd_disk(children: str) -> str:
    return (
        "<disk type='network' device='disk'><source protocol='rbd' name='pool/image'>"
        f"{children}</source><target dev='vda'/></disk>"
    )


NETWORK_CHILDREN = {
    "snapshot without name": "<host name='mon1'/><snapshot/>",
    "second snapshot named": "<host name='mon1'/><snapshot/><snapshot name='two'/>",
    "empty config file": "<host name='mon1'/><config file=''/>",
    "config and snapshots out of order": "<config other='1' file='/etc/ceph.conf'/><host name='mon1'/>"
    "<snapshot x='y' name='snap'/><snapshot name='two'/>",
    "an unknown child": "<host name='mon1'/><bogus/>",
}


def test_disk_source_children_are_read_and_written_as_by_libvirtd(tmp_path: Path) -> None:
    texts = {label: document("", disk(slices)) for label, slices in SLICES.items()}
    texts.update((label, document("", rbd_disk(children))) for label, children in NETWORK_CHILDREN.items())
    texts["file source with network children"] = document(
        "", disk("<snapshot name='s'/><config file='/c'/><host name='h'/>")
    )
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert_answered_alike(answers, texts)
