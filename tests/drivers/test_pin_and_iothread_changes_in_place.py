"""Adding, deleting and pinning one IOThread, and pinning one vCPU or the emulator, change
the one element concerned in place (an <iothreadids> libvirt had left out is made in a worker
thread for thousands of IOThreads): the definition ends as the whole rebuild left it, element
for element, with the same refusals."""

from __future__ import annotations

import random
from typing import Any

import pytest
from lxml import etree

from virtrio.drivers.base import ConnectionContext, Offload
from virtrio.drivers.test import definition_tuning as tune
from virtrio.drivers.test import domain_tuning_procedures, driver
from virtrio.drivers.test.bitmaps import format_bitmap
from virtrio.drivers.test.xml_tree import children_of, make_element
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError


def settled(answer: Any) -> Any:
    return answer.then(answer.work()) if isinstance(answer, Offload) else answer


def connection() -> Any:
    return driver.TestDriver().open(ConnectionContext("test:///default", False, 1))


def started(conn: Any, body: str) -> remote.remote_nonnull_domain:
    text = f"<domain type='test'><name>d</name><memory>1024</memory>{body}<os><type>hvm</type></os></domain>"
    dom = settled(conn.domain_define_xml(remote.remote_domain_define_xml_args(text))).dom
    settled(conn.domain_create(remote.remote_domain_create_args(dom)))
    return remote.remote_nonnull_domain(dom.name, dom.uuid, conn.state.domains["d"].id)


def unmarked(definition: list[etree._Element]) -> list[bytes]:
    """The elements, autofill marks included, without the mark of ids in order: a hint for
    lookups, which the rebuild and the in-place changes may set differently."""
    mark = f"<!--{tune.IN_ORDER}-->".encode()
    return [etree.tostring(element).replace(mark, b"") for element in definition]


def shown(conn: Any) -> list[bytes]:
    """The live definition's elements as unmarked gives them, once its mark of ids in order,
    where there is one, is checked to be true."""
    definition = conn.state.domains["d"].definition
    ids = tune.top(definition, "iothreadids")
    if ids is not None and tune.listed_in_order(definition):
        numbers = [int(entry.get("id")) for entry in ids.iterchildren("iothread")]
        assert numbers == sorted(set(numbers)), numbers
    return unmarked(definition)


# --- the whole rebuild, as these changes were made before ---------------------------------


def rebuilt_add(definition: list[etree._Element], number: int) -> None:
    threads = tune.iothreads(definition)
    if any(thread.id == number for thread in threads):
        raise LookupError
    tune.store_iothreads(definition, [*threads, tune.IOThread(number)])


def rebuilt_del(definition: list[etree._Element], number: int) -> None:
    threads = tune.iothreads(definition)
    position = next((i for i, thread in enumerate(threads) if thread.id == number), None)
    if position is None:
        raise LookupError
    for later in threads[position + 1 :]:
        later.autofill = False
    del threads[position]
    tune.store_iothreads(definition, threads)


def rebuilt_pin(definition: list[etree._Element], number: int, cpus: set[int]) -> None:
    threads = tune.iothreads(definition)
    thread = next((thread for thread in threads if thread.id == number), None)
    if thread is None:
        raise LookupError
    thread.cpuset, thread.autofill = format_bitmap(cpus), False
    tune.store_iothreads(definition, threads)


def rebuilt_vcpu_pin(definition: list[etree._Element], vcpu: int, cpus: set[int]) -> None:
    cputune = tune.top_or_new(definition, "cputune")
    pins = {int(pin.get("vcpu", "0")): pin for pin in children_of(cputune, "vcpupin")}
    for pin in pins.values():
        cputune.remove(pin)
    pins[vcpu] = make_element("vcpupin", vcpu=str(vcpu), cpuset=format_bitmap(cpus))
    for number in sorted(pins):
        cputune.append(pins[number])
    tune._store_cputune(definition, cputune)


def rebuilt_emulator_pin(definition: list[etree._Element], cpus: set[int]) -> None:
    cputune = tune.top_or_new(definition, "cputune")
    for old in children_of(cputune, "emulatorpin"):
        cputune.remove(old)
    cputune.append(make_element("emulatorpin", cpuset=format_bitmap(cpus)))
    tune._store_cputune(definition, cputune)


def cpumap(cpus: set[int]) -> bytes:
    return sum(1 << cpu for cpu in cpus).to_bytes(2, "little")


BODIES = [
    "<vcpu>4</vcpu><iothreads>6</iothreads>",
    "<vcpu>4</vcpu><iothreads>6</iothreads><cputune><iothreadpin iothread='2' cpuset='1'/>"
    "<iothreadpin iothread='5' cpuset='0-1'/><emulatorpin cpuset='3'/></cputune>",
    "<vcpu>4</vcpu><iothreads>5</iothreads><iothreadids><iothread id='2'/><iothread id='7'/></iothreadids>",
    "<vcpu>4</vcpu><iothreads>4</iothreads><iothreadids><iothread id='9'/><iothread id='3' thread_pool_max='4'/>"
    "</iothreadids><cputune><vcpupin vcpu='1' cpuset='2'/><iothreadpin iothread='3' cpuset='1'/></cputune>",
    "<vcpu>4</vcpu>",
    "<vcpu>4</vcpu><iothreads>1</iothreads><cputune><shares>3</shares><iothreadpin iothread='1' cpuset='2'/>"
    "<vcpusched vcpus='0' scheduler='fifo' priority='1'/></cputune>",
]


@pytest.mark.parametrize("threshold", [1 << 30, 0], ids=["on-loop", "offloaded"])
@pytest.mark.parametrize("body", BODIES)
def test_changes_of_one_iothread_leave_the_definition_the_rebuild_left(
    monkeypatch: pytest.MonkeyPatch, body: str, threshold: int
) -> None:
    monkeypatch.setattr(domain_tuning_procedures, "IOTHREADS_ON_LOOP", threshold)
    chance = random.Random(body)
    conn = connection()
    dom = started(conn, body)
    reference = connection()
    started(reference, body)
    expected = reference.state.domains["d"].definition
    for _ in range(60):
        number = chance.randint(1, 11)
        cpus = set(chance.sample(range(4), chance.randint(1, 4)))
        kind = chance.choice(["add", "del", "pin", "vcpupin", "emulatorpin"])
        try:
            if kind == "add":
                rebuilt_add(expected, number)
            elif kind == "del":
                rebuilt_del(expected, number)
            elif kind == "pin":
                rebuilt_pin(expected, number, cpus)
            elif kind == "vcpupin":
                rebuilt_vcpu_pin(expected, number % 4, cpus)
            else:
                rebuilt_emulator_pin(expected, cpus)
        except LookupError:
            refused = True
        else:
            refused = False
        try:
            if kind == "add":
                settled(conn.domain_add_iothread(remote.remote_domain_add_iothread_args(dom, number, 0)))
            elif kind == "del":
                settled(conn.domain_del_iothread(remote.remote_domain_del_iothread_args(dom, number, 0)))
            elif kind == "pin":
                args = remote.remote_domain_pin_iothread_args(dom, number, cpumap(cpus), 0)
                settled(conn.domain_pin_iothread(args))
            elif kind == "vcpupin":
                args = remote.remote_domain_pin_vcpu_flags_args(dom, number % 4, cpumap(cpus), 0)
                conn.domain_pin_vcpu_flags(args)
            else:
                conn.domain_pin_emulator(remote.remote_domain_pin_emulator_args(dom, cpumap(cpus), 0))
        except LibvirtError:
            assert refused, (kind, number)
        else:
            assert not refused, (kind, number)
        assert shown(conn) == unmarked(expected), (kind, number)


def test_listing_thousands_of_autofilled_iothreads_is_done_in_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = connection()
    dom = started(conn, "<vcpu>8</vcpu><iothreads>4096</iothreads>")
    expected = [etree.fromstring(text) for text in shown(conn)]
    rebuilt_pin(expected, 100, {1, 2})
    answer = conn.domain_pin_iothread(remote.remote_domain_pin_iothread_args(dom, 100, cpumap({1, 2}), 0))
    assert isinstance(answer, Offload)
    assert tune.top(conn.state.domains["d"].definition, "iothreadids") is None  # nothing changed yet
    made = answer.work()
    assert answer.then(made) is None
    assert shown(conn) == unmarked(expected)
    rebuilt_del(expected, 7)
    rebuilt_add(expected, 5000)
    settled(conn.domain_del_iothread(remote.remote_domain_del_iothread_args(dom, 7, 0)))
    settled(conn.domain_add_iothread(remote.remote_domain_add_iothread_args(dom, 5000, 0)))
    assert shown(conn) == unmarked(expected)


def test_iothreads_changed_during_the_thread_are_changed_again_on_the_loop() -> None:
    conn = connection()
    dom = started(conn, "<vcpu>8</vcpu><iothreads>4096</iothreads>")
    expected = [etree.fromstring(text) for text in shown(conn)]
    deleted = conn.domain_del_iothread(remote.remote_domain_del_iothread_args(dom, 10, 0))
    assert isinstance(deleted, Offload)
    made = deleted.work()
    settled(conn.domain_del_iothread(remote.remote_domain_del_iothread_args(dom, 4096, 0)))  # meanwhile
    rebuilt_del(expected, 4096)
    deleted.then(made)
    rebuilt_del(expected, 10)
    assert shown(conn) == unmarked(expected)


def test_a_domain_gone_during_the_thread_is_refused_as_a_call_made_now() -> None:
    conn = connection()
    dom = started(conn, "<vcpu>8</vcpu><iothreads>4096</iothreads>")
    pinned = conn.domain_pin_iothread(remote.remote_domain_pin_iothread_args(dom, 4000, cpumap({1}), 0))
    assert isinstance(pinned, Offload)
    made = pinned.work()
    conn.domain_destroy(remote.remote_domain_destroy_args(dom))
    conn.domain_undefine(remote.remote_domain_undefine_args(dom))
    with pytest.raises(LibvirtError) as refusal:
        pinned.then(made)
    with pytest.raises(LibvirtError) as now:
        conn.domain_pin_iothread(remote.remote_domain_pin_iothread_args(dom, 4000, cpumap({1}), 0))
    assert str(refusal.value) == str(now.value)


def test_one_pin_among_thousands_changes_in_place() -> None:
    pins = "".join(f"<vcpupin vcpu='{number}' cpuset='{number % 8}'/>" for number in range(0, 2048, 2))
    body = f"<vcpu>2048</vcpu><cputune>{pins}<iothreadpin iothread='1' cpuset='3'/></cputune><iothreads>2</iothreads>"
    conn = connection()
    dom = started(conn, body)
    expected = [etree.fromstring(text) for text in shown(conn)]
    cputune = tune.top(conn.state.domains["d"].definition, "cputune")
    assert cputune is not None
    untouched = cputune[5]  # the same element afterwards: nothing was rebuilt
    for vcpu in (2047, 0, 1, 1000, 1001):
        rebuilt_vcpu_pin(expected, vcpu, {vcpu % 3})
        conn.domain_pin_vcpu_flags(remote.remote_domain_pin_vcpu_flags_args(dom, vcpu, cpumap({vcpu % 3}), 0))
    rebuilt_emulator_pin(expected, {2, 3})
    conn.domain_pin_emulator(remote.remote_domain_pin_emulator_args(dom, cpumap({2, 3}), 0))
    assert shown(conn) == unmarked(expected)
    assert untouched.getparent() is cputune and cputune.index(untouched) == 6
