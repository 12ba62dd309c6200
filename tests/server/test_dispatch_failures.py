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


def test_a_list_call_counting_more_than_its_bound_is_refused() -> None:
    """gendispatch.pl's "Too many <type>s" check, derived for every modern list call."""
    import pytest

    from virtrio.rpc.errors import LibvirtError
    from virtrio.server.dispatch import REMOTE, route

    found = route(REMOTE, remote.REMOTE_PROC_CONNECT_LIST_ALL_STORAGE_POOLS)
    assert found is not None and found.reply_rule is not None
    limit = remote.REMOTE_STORAGE_POOL_LIST_MAX
    with pytest.raises(LibvirtError) as caught:
        found.reply_rule(None, remote.remote_connect_list_all_storage_pools_ret([], limit + 1))
    assert caught.value.code == api.VIR_ERR_INTERNAL_ERROR and caught.value.domain == api.VIR_FROM_RPC
    assert caught.value.message == f"internal error: Too many storage_pools '{limit + 1}' for limit '{limit}'"
    within = remote.remote_connect_list_all_storage_pools_ret([], limit)
    assert found.reply_rule(None, within) is within
