"""What a client sees when a reply cannot be encoded: libvirtd's RPC error, not a virtrio bug text."""

from __future__ import annotations

from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.protocol.runtime import XdrError
from virtrio.server.dispatch import unexpected_failure


def test_an_unencodable_reply_is_libvirtds_encode_error() -> None:
    too_many = remote.remote_connect_list_domains_ret(list(range(remote.REMOTE_DOMAIN_LIST_MAX + 1)))
    try:
        remote.CODECS["remote_connect_list_domains_ret"].encode(too_many)
    except XdrError as error:
        failure = unexpected_failure(error)
    else:
        raise AssertionError("a list over its bound encoded")
    # as libvirtd's virNetMessageEncodePayload reports it (tests/interop/test_list_bounds.py
    # meets the same answer from libvirtd for DOMAIN_GET_EMULATOR_PIN_INFO with a huge maplen)
    assert (failure.code, failure.domain, failure.message) == (
        api.VIR_ERR_RPC,
        api.VIR_FROM_RPC,
        "Unable to encode message payload",
    )


def test_other_failures_name_themselves() -> None:
    failure = unexpected_failure(KeyError("x"))
    assert failure.code == api.VIR_ERR_INTERNAL_ERROR and "KeyError" in failure.message
