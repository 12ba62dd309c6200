"""Event families: one enum member per libvirt event registration kind, each with a
procedure for every event id its enum defines."""

from __future__ import annotations

from virtrio.drivers.base import EventFamily
from virtrio.protocol.generated import libvirt_api
from virtrio.server.events import EVENT_PROCEDURES, FAMILIES, event_id_limit


def test_every_family_has_its_libvirt_enum_and_procedures() -> None:
    assert set(FAMILIES) == set(EventFamily)
    for family in EventFamily:
        limit = event_id_limit(family)
        assert limit == libvirt_api.ENUM_TYPES[FAMILIES[family][0]][FAMILIES[family][1] + "LAST"]
        assert {event_id for kind, event_id in EVENT_PROCEDURES if kind is family} == set(range(limit))


def test_a_plain_name_still_finds_its_family() -> None:
    # A StrEnum member hashes and compares as its name, so tables keyed by members answer plain names too.
    assert (
        event_id_limit("storage") == event_id_limit(EventFamily.STORAGE) == libvirt_api.VIR_STORAGE_POOL_EVENT_ID_LAST
    )
    assert EventFamily("nodedev") is EventFamily.NODEDEV
