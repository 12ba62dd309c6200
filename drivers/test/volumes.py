"""Storage volumes of test:/// pools: create, clone, look up, resize, delete."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import report

from .domain_definition import MEMORY_UNITS as UNITS
from .parse import parse_document

FROM_TEST = api.VIR_FROM_TEST


@dataclass
class Volume:
    name: str
    path: str
    capacity: int  # bytes
    allocation: int

    @property
    def key(self) -> str:
        return self.path


def volume_xml(volume: Volume) -> str:
    return (
        "\n".join(
            [
                "<volume type='file'>",
                f"  <name>{escape(volume.name)}</name>",
                f"  <key>{escape(volume.key)}</key>",
                f"  <capacity unit='bytes'>{volume.capacity}</capacity>",
                f"  <allocation unit='bytes'>{volume.allocation}</allocation>",
                "  <target>",
                f"    <path>{escape(volume.path)}</path>",
                "    <format type='raw'/>",
                "  </target>",
                "</volume>",
            ]
        )
        + "\n"
    )


def _bytes(element: etree._Element | None, default: int | None) -> int | None:
    if element is None or not (element.text or "").strip():
        return default
    unit = element.get("unit", "bytes").lower()
    if unit not in UNITS:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_STORAGE, f"unknown size unit '{element.get('unit')}'")
    try:
        return int(element.text.strip()) * UNITS[unit]
    except ValueError:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_STORAGE, "malformed capacity element") from None


def parse_volume_xml(text: str, pool_path: str) -> Volume:
    root = parse_document(text, "volume")
    name = root.findtext("name")
    if not name:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_STORAGE, "missing volume name element")
    capacity = _bytes(root.find("capacity"), None)
    if capacity is None:
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_STORAGE, "missing capacity element")
    allocation = _bytes(root.find("allocation"), capacity)
    return Volume(name, f"{pool_path}/{name}", capacity, allocation)


def volume_ref(pool_name: str, volume: Volume) -> remote.remote_nonnull_storage_vol:
    return remote.remote_nonnull_storage_vol(pool_name, volume.name, volume.key)


def no_volume(detail: str) -> Exception:
    return report(api.VIR_ERR_NO_STORAGE_VOL, FROM_TEST, detail)
