"""The hand-written record classes keep what @dataclass gave them: equality by fields,
hash only when frozen, frozen fields, a readable repr."""

from __future__ import annotations

import copy
import pickle

import pytest

from virtrio.drivers.base import ConnectionContext, Event, EventFamily, Offload
from virtrio.rpc.keepalive import KeepaliveSchedule
from virtrio.server.config import CONFIG_KEYS, Config
from virtrio.server.events import EventStyle, Registration
from virtrio.server.faults import FaultRule, parse_rule
from virtrio.server.listeners import Listener, SocketKind
from virtrio.server.logs import Destination, LogState, Output
from virtrio.server.sasl import StoredUser


def test_frozen_records_compare_hash_and_refuse_changes() -> None:
    first = Registration(EventFamily.DOMAIN, EventStyle.LEGACY, 3)
    assert first == Registration(EventFamily.DOMAIN, EventStyle.LEGACY, 3)
    assert first != Registration(EventFamily.DOMAIN, EventStyle.CALLBACK, 3)
    assert len({first, Registration(EventFamily.DOMAIN, EventStyle.LEGACY, 3)}) == 1
    with pytest.raises(AttributeError):
        first.event_id = 4  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del first.family  # type: ignore[misc]
    expected = "Output(level=2, destination=<Destination.FILE: 'file'>, data='/x')"
    assert repr(Output(2, Destination.FILE, "/x")) == expected
    assert parse_rule("DOMAIN_GET_INFO delay=2") == FaultRule("DOMAIN_GET_INFO", delay=2.0)


def test_events_and_offloads_are_frozen_values() -> None:
    event = Event(EventFamily.NODEDEV, 0, "pci_0000_00_00_0", (1, 2))
    assert event == Event(family=EventFamily.NODEDEV, event_id=0, object_uuid="pci_0000_00_00_0", fields=(1, 2))
    assert event != Event(EventFamily.NODEDEV, 1, "pci_0000_00_00_0", (1, 2))
    assert hash(event) == hash(Event(EventFamily.NODEDEV, 0, "pci_0000_00_00_0", (1, 2)))
    with pytest.raises(AttributeError):
        event.fields = ()  # type: ignore[misc]
    assert "object_uuid='pci_0000_00_00_0'" in repr(event)
    offload = Offload(len, str)
    assert offload == Offload(len, str) and offload != Offload(len, repr)
    with pytest.raises(AttributeError):
        offload.work = len  # type: ignore[misc]


def test_mutable_records_compare_but_do_not_hash() -> None:
    assert LogState() == LogState(3, (), ())
    assert LogState(2) != LogState()
    with pytest.raises(TypeError):
        hash(LogState())
    context = ConnectionContext("test:///default", False, 1)
    assert context.options == {} and context.options is not ConnectionContext("x", False, 2).options
    assert context == ConnectionContext("test:///default", False, 1, {})


def test_config_defaults_overrides_and_keys() -> None:
    config = Config(auth_tcp="none", max_clients=3)
    assert (config.auth_tcp, config.max_clients, config.listen_tls) == ("none", 3, True)
    assert config == Config(max_clients=3, auth_tcp="none") and config != Config()
    first, second = Config(), Config()
    first.fault_rules.append("* error=1")
    assert second.fault_rules == []  # each instance has its own lists
    assert CONFIG_KEYS[0] == "unix_sock_dir" and "warnings" in CONFIG_KEYS and len(set(CONFIG_KEYS)) == len(CONFIG_KEYS)
    assert all(hasattr(second, key) for key in CONFIG_KEYS)
    with pytest.raises(TypeError, match="unexpected keyword argument 'no_such_key'"):
        Config(no_such_key=1)
    with pytest.raises(TypeError):
        hash(config)


@pytest.mark.parametrize(
    "record",
    [
        Event(EventFamily.DOMAIN, 2, b"\x01" * 16, (1, "two")),
        Registration(EventFamily.NETWORK, EventStyle.CALLBACK, 0),
        Output(1, Destination.JOURNALD),
        FaultRule("*", "web-*", 0.5, 55, 10, "busy"),
        StoredUser(4096, b"salt", b"stored", b"server"),
        LogState(2, ((1, "rpc"),), (Output(2, Destination.STDERR),)),
        KeepaliveSchedule(5, 3, 1.5, True, 2),
        Config(max_clients=7, fault_rules=["* error=1"]),
    ],
    ids=lambda record: type(record).__name__,
)
def test_records_copy_and_pickle_as_dataclasses_did(record: object) -> None:
    assert copy.copy(record) == record
    assert copy.deepcopy(record) == record
    assert pickle.loads(pickle.dumps(record)) == record


def test_a_frozen_copy_is_still_frozen_and_offloads_copy_too() -> None:
    event = copy.deepcopy(Event(EventFamily.SECRET, 0, None, ()))
    with pytest.raises(AttributeError):
        event.event_id = 1  # type: ignore[misc]
    offload = Offload(len, str)
    assert copy.copy(offload) == offload
    listener = Listener(SocketKind.RW, None, None)  # type: ignore[arg-type]
    assert copy.copy(listener) == listener
