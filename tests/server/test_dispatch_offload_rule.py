"""A reply rule (libvirtd's dispatcher's checks of an answer) applies to the answer an Offload's
work ends in, as it does to a plain answer."""

from __future__ import annotations

import pytest

from virtrio.drivers.base import Offload
from virtrio.rpc.errors import LibvirtError
from virtrio.server.dispatch import with_reply_rule


def at_most_two(args: object, answer: list[int]) -> list[int]:
    if len(answer) > 2:
        raise LibvirtError(1, 7, "too many", None, None)
    return answer


def test_plain_answers_pass_through_the_rule() -> None:
    assert with_reply_rule(lambda args: [1, 2], False, at_most_two)(None) == [1, 2]
    with pytest.raises(LibvirtError):
        with_reply_rule(lambda args: [1, 2, 3], False, at_most_two)(None)


@pytest.mark.parametrize(("size", "passes"), [(2, True), (3, False)])
def test_offloaded_answers_pass_through_the_rule_after_the_work(size: int, passes: bool) -> None:
    ran: list[str] = []

    def work() -> int:
        ran.append("work")
        return size

    handler = with_reply_rule(lambda args: Offload(work, lambda n: list(range(n))), False, at_most_two)
    result = handler(None)
    assert isinstance(result, Offload) and ran == []  # nothing done before the thread
    value = result.work()
    if passes:
        assert result.then(value) == [0, 1]
    else:
        with pytest.raises(LibvirtError):
            result.then(value)
