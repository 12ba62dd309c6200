"""More domain documents less one part (session 15's findings from `python -m interop
xmlcorpus --kind domains --mutate-every N`): each refused with libvirtd's error, at the point
of the parse where libvirtd meets it, or read back as libvirtd writes it. libvirt-python
defines them on virtrio and on libvirtd side by side."""

from __future__ import annotations

import json
from pathlib import Path

from .side_by_side import script_answers
from .test_missing_parts import SCRIPT, document

NUMA_CELL_1 = "<numa><cell id='1' cpus='0' memory='1024'/></numa>"


def network_disk_without_target(protocol: str, name: str) -> str:
    return f"<disk type='network'><source protocol='{protocol}' name='{name}'><host name='h'/></source><target/></disk>"


# the <devices> of each document
DEVICES = {
    # a gluster or rbd disk is named by its image (what follows the volume or pool)
    "rbd disk without target dev": network_disk_without_target("rbd", "pool/image"),
    "gluster disk without target dev": network_disk_without_target("gluster", "volume/dir/image"),
    "rbd disk with an empty image, without target dev": network_disk_without_target("rbd", "pool/"),
    "iscsi disk without target dev": network_disk_without_target("iscsi", "iqn/1"),
}

# the parts of <domain> other than its devices
BODIES = {
    # the CPU is read before its NUMA cells (here a cell numbered from 1)
    "topology without threads, numa": f"<cpu><topology sockets='1' cores='1'/>{NUMA_CELL_1}</cpu>",
    "cpu mode x, numa": f"<cpu mode='x'><topology sockets='1' cores='1' threads='1'/>{NUMA_CELL_1}</cpu>",
    "migratable host-model cpu, numa": f"<cpu mode='host-model' migratable='on'>{NUMA_CELL_1}</cpu>",
    "feature without a model, numa": f"<cpu><feature name='x'/>{NUMA_CELL_1}</cpu>",
}


def documents() -> dict[str, str]:
    made = {label: document("", devices) for label, devices in DEVICES.items()}
    made.update((label, document(body, "")) for label, body in BODIES.items())
    return made


def test_mutated_documents_are_answered_as_by_libvirtd(tmp_path: Path) -> None:
    texts = documents()
    answers = script_answers(tmp_path, SCRIPT, texts)
    different = {label: (answers["libvirtd"][label], answers["virtrio"][label]) for label in texts}
    different = {label: pair for label, pair in different.items() if pair[0] != pair[1]}
    assert not different, json.dumps(different, indent=1)
