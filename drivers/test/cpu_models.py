"""CPU model names per architecture, from libvirt's installed CPU map (as libvirt reads it).

libvirt's test driver answers cpu-models from /usr/share/libvirt/cpu_map; virtrio reads
the same files where libvirt is installed, and knows no models where it is not.
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

CPU_MAP = Path("/usr/share/libvirt/cpu_map")
ARCH_GROUPS = {"i686": "x86", "x86_64": "x86", "ppc64": "ppc64", "ppc64le": "ppc64", "aarch64": "arm", "armv7l": "arm"}
# The CPU drivers whose getModels lists the map's models (libvirt 9.0.0: x86 and ppc64)
LISTING_DRIVERS = frozenset(("x86", "ppc64"))


@functools.cache
def model_names(arch: str) -> tuple[str, ...] | None:
    """The model names for arch in the CPU map's order, or None if the arch is unknown."""
    group = ARCH_GROUPS.get(arch)
    index = CPU_MAP / "index.xml"
    if group is None or not index.is_file():
        return None
    names: list[str] = []
    section = etree.parse(str(index)).find(f"arch[@name='{group}']")
    if section is None:
        return None
    for include in section.iter("include"):
        try:
            models = etree.parse(str(CPU_MAP / include.get("filename", ""))).getroot().findall("model")
        except (OSError, etree.XMLSyntaxError):
            continue
        names += [model.get("name") for model in models if model.get("name")]
    return tuple(names)
