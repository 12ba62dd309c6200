"""Which MESSAGE carries each event, and how its payload is built for one callback.

The procedure is found by libvirt's naming: domain event VIR_DOMAIN_EVENT_ID_<X> goes out
as DOMAIN_EVENT_CALLBACK_<X> to callback-style registrations (or DOMAIN_EVENT_<X> where
no callback form exists), and as DOMAIN_EVENT_<X> to the legacy registrations; the other
families use <FAMILY>_EVENT_<X>.
"""

from __future__ import annotations

import enum
from typing import Any

from virtrio.drivers.base import Event, EventFamily
from virtrio.protocol.generated import libvirt_api, remote
from virtrio.protocol.runtime import Procedure
from virtrio.rpc.records import FrozenRecord

FAMILIES = {
    # family: (API enum type, enum prefix, procedure prefix)
    EventFamily.DOMAIN: ("virDomainEventID", "VIR_DOMAIN_EVENT_ID_", "DOMAIN_EVENT_"),
    EventFamily.NETWORK: ("virNetworkEventID", "VIR_NETWORK_EVENT_ID_", "NETWORK_EVENT_"),
    EventFamily.STORAGE: ("virStoragePoolEventID", "VIR_STORAGE_POOL_EVENT_ID_", "STORAGE_POOL_EVENT_"),
    EventFamily.NODEDEV: ("virNodeDeviceEventID", "VIR_NODE_DEVICE_EVENT_ID_", "NODE_DEVICE_EVENT_"),
    EventFamily.SECRET: ("virSecretEventID", "VIR_SECRET_EVENT_ID_", "SECRET_EVENT_"),
}
# The last domain event id the legacy DOMAIN_EVENT_REGISTER_ANY accepts (DEVICE_REMOVED).
LEGACY_DOMAIN_EVENT_MAX = libvirt_api.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED


class EventStyle(enum.Enum):
    """Which messages a registration is sent: the callback form names its callback id
    (*_CALLBACK_REGISTER_ANY and every non-domain family); the legacy form
    (DOMAIN_EVENT_REGISTER(_ANY)) does not, so a client has at most one per event id."""

    CALLBACK = "callback"
    LEGACY = "legacy"


class Registration(FrozenRecord):
    """One event callback a client registered: what its session keeps per callback id."""

    _fields = ("family", "style", "event_id")
    __slots__ = _fields
    family: EventFamily
    style: EventStyle
    event_id: int

    def __init__(self, family: EventFamily, style: EventStyle, event_id: int) -> None:
        object.__setattr__(self, "family", family)
        object.__setattr__(self, "style", style)
        object.__setattr__(self, "event_id", event_id)


class EventProcedures(FrozenRecord):
    _fields = ("callback", "legacy")
    __slots__ = _fields
    callback: Procedure  # for *_CALLBACK_REGISTER_ANY and the non-domain registrations
    legacy: Procedure | None  # for the legacy domain registrations

    def __init__(self, callback: Procedure, legacy: Procedure | None) -> None:
        object.__setattr__(self, "callback", callback)
        object.__setattr__(self, "legacy", legacy)


def _build_table() -> dict[tuple[EventFamily, int], EventProcedures]:
    by_name = {p.name: p for p in remote.PROCEDURES.values()}
    table = {}
    for family, (enum_type, enum_prefix, proc_prefix) in FAMILIES.items():
        for name, event_id in libvirt_api.ENUM_TYPES[enum_type].items():
            if name.endswith("_LAST"):
                continue
            suffix = name.removeprefix(enum_prefix)
            plain = by_name.get(proc_prefix + suffix)
            if family is EventFamily.DOMAIN:
                callback = by_name.get(f"DOMAIN_EVENT_CALLBACK_{suffix}") or plain
                legacy = plain if event_id <= LEGACY_DOMAIN_EVENT_MAX else None
            else:
                callback, legacy = plain, None
            assert callback is not None and callback.is_event, name
            table[(family, event_id)] = EventProcedures(callback, legacy)
    return table


EVENT_PROCEDURES = _build_table()


def event_id_limit(family: EventFamily) -> int:
    enum_type, enum_prefix, _ = FAMILIES[family]
    return libvirt_api.ENUM_TYPES[enum_type][enum_prefix + "LAST"]


def _value_class(procedure: Procedure) -> Any:  # one of the generated message classes
    assert procedure.args is not None
    return getattr(remote, procedure.args.name)


def encode_event(style: EventStyle, callback_id: int, event: Event) -> tuple[int, bytes]:
    """(procedure, payload) of the MESSAGE telling one registration about an event."""
    procedures = EVENT_PROCEDURES[(event.family, event.event_id)]
    if style is EventStyle.LEGACY:
        assert procedures.legacy is not None and procedures.legacy.args is not None
        value = _value_class(procedures.legacy)(*event.fields)
        return procedures.legacy.number, procedures.legacy.args.encode(value)
    procedure = procedures.callback
    assert procedure.args is not None
    cls = _value_class(procedure)
    if cls.__slots__[:2] == ("callbackID", "msg"):
        # DOMAIN_EVENT_CALLBACK_X wraps the legacy message of the same event.
        assert procedures.legacy is not None or event.family is EventFamily.DOMAIN
        inner = getattr(remote, procedure.args.name.replace("_callback_", "_"))
        value = cls(callback_id, inner(*event.fields))
    else:
        value = cls(callback_id, *event.fields)
    return procedure.number, procedure.args.encode(value)
