"""Legacy domain event registrations (DOMAIN_EVENT_REGISTER(_ANY)) beside callback ones, on the wire:
one legacy registration per event id and connection, each form sent its own message."""

from __future__ import annotations

from virtrio.protocol.generated import remote
from virtrio.rpc.packet import MessageType, Packet, Status

from .daemon_process import DaemonProcess, RawClient, decode_error, domain_ref, u32

LIFECYCLE = 0  # VIR_DOMAIN_EVENT_ID_LIFECYCLE


def _call(client: RawClient, proc: int, payload: bytes = b"") -> Packet:
    """The reply to one call, past the event messages that come before it."""
    serial = client.send_call(proc, payload)
    while (packet := client.receive()).header.type == MessageType.MESSAGE:
        pass
    assert packet.header.serial == serial
    return packet


def _error(client: RawClient, proc: int, payload: bytes = b"") -> tuple[int, int, str]:
    error = decode_error(_call(client, proc, payload))
    return error.code, error.domain, error.message


def test_legacy_and_callback_registrations(shared_daemon: DaemonProcess) -> None:
    client = RawClient(shared_daemon.rw)
    client.open()
    register_any, deregister_any = (
        remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY,
        remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY,
    )
    assert _error(client, register_any, u32(16)) == (1, 7, "internal error: unsupported event ID 16")
    assert _error(client, deregister_any, u32(LIFECYCLE)) == (1, 7, "internal error: domain event 0 not registered")
    # DOMAIN_EVENT_REGISTER is the legacy lifecycle registration: a second one for id 0 is refused.
    assert client.call(remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER).header.status == Status.OK
    assert _error(client, register_any, u32(LIFECYCLE)) == (1, 7, "internal error: domain event 0 already registered")
    assert client.call(register_any, u32(2)).header.status == Status.OK  # another id is its own
    # A callback registration of the same event is separate from the legacy one.
    callback_args = remote.remote_connect_domain_event_callback_register_any_args(LIFECYCLE, None)
    reply = client.call(
        remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        remote.CODECS["remote_connect_domain_event_callback_register_any_args"].encode(callback_args),
    )
    callback_id = (
        remote.CODECS["remote_connect_domain_event_callback_register_any_ret"].decode(reply.payload).callbackID
    )

    try:
        serial = client.send_call(remote.REMOTE_PROC_DOMAIN_SUSPEND, domain_ref())
        packets = [client.receive() for _ in range(3)]
    finally:
        assert _call(client, remote.REMOTE_PROC_DOMAIN_RESUME, domain_ref()).header.status == Status.OK
    replies = [p for p in packets if p.header.type == MessageType.REPLY]
    assert [p.header.serial for p in replies] == [serial]
    messages = sorted(p.header.proc for p in packets if p.header.type == MessageType.MESSAGE)
    assert messages == sorted(
        [remote.REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE, remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE]
    )
    callback_message = next(p for p in packets if p.header.proc == remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE)
    decoded = remote.CODECS["remote_domain_event_callback_lifecycle_msg"].decode(callback_message.payload)
    assert decoded.callbackID == callback_id

    # The legacy registration goes by event id, the callback one by callback id.
    assert _call(client, deregister_any, u32(LIFECYCLE)).header.status == Status.OK
    assert _error(client, deregister_any, u32(LIFECYCLE)) == (1, 7, "internal error: domain event 0 not registered")
    deregister_callback = remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY
    assert _call(client, deregister_callback, u32(callback_id)).header.status == Status.OK
    assert _error(client, deregister_callback, u32(callback_id)) == (
        1,
        7,
        f"internal error: domain event callback {callback_id} not registered",
    )
    client.close()
