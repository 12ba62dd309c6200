"""Large definitions of networks, filters, interfaces and pools (up to 4 MiB of XML; ~0.4 s a
megabyte to read) are read in a worker thread (drivers/test/large_documents.py): the handler
returns an Offload, and what it settles to, answer or error, is what the loop gave before."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from virtrio.drivers.base import ConnectionContext, Offload
from virtrio.drivers.test import driver, large_documents
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError

COUNT = 3000  # elements enough to be well over the threshold


def uuid_of(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))  # (answers compared: none made at random)


def network(name: str) -> str:
    hosts = "".join(
        f"<host mac='52:54:00:00:{i >> 8:02x}:{i & 255:02x}' name='h{i}' ip='10.1.{i >> 8}.{i & 255 or 1}'/>"
        for i in range(COUNT)
    )
    return (
        f"<network><name>{name}</name><uuid>{uuid_of(name)}</uuid><bridge name='virbr7'/>"
        "<ip address='10.1.0.1' netmask='255.255.0.0'>"
        f"<dhcp><range start='10.1.0.2' end='10.1.0.254'/>{hosts}</dhcp></ip></network>"
    )


def nwfilter() -> str:
    rules = "".join(
        f"<rule action='accept' direction='in' priority='{i % 1000}'><tcp dstportstart='{i + 1}'/></rule>"
        for i in range(COUNT)
    )
    return f"<filter name='large' chain='root'><uuid>{uuid_of('filter')}</uuid>{rules}</filter>"


def interface() -> str:
    members = "".join(f"<interface type='ethernet' name='eth{i}'/>" for i in range(COUNT))
    return f"<interface type='bridge' name='br7'><start mode='onboot'/><bridge>{members}</bridge></interface>"


def pool(name: str) -> str:
    devices = "".join(f"<device path='/dev/{name}{i}'/>" for i in range(COUNT))
    return (
        f"<pool type='logical'><name>{name}</name><uuid>{uuid_of(name)}</uuid>"
        f"<source>{devices}<name>vg-{name}</name></source>"
        f"<target><path>/dev/vg-{name}</path></target></pool>"
    )


def secret() -> str:
    return (
        f"<secret ephemeral='no' private='no'><uuid>{uuid_of('secret')}</uuid>"
        f"<description>{'d' * 20 * COUNT}</description><usage type='volume'><volume>/v</volume></usage></secret>"
    )


def volume(name: str) -> str:
    return f"<volume><name>{name}</name><capacity>1024</capacity>{'<unknown/>' * COUNT}</volume>"


def vhba() -> str:
    fc = "<capability type='fc_host'><wwnn>2000000000000001</wwnn><wwpn>2000000000000002</wwpn></capability>"
    return f"<device><parent>scsi_host11</parent><capability type='scsi_host'>{fc * COUNT}</capability></device>"


def binding() -> str:
    parameters = "".join(f"<parameter name='IP' value='10.2.{i >> 8}.{i & 255}'/>" for i in range(COUNT))
    return (
        f"<filterbinding><owner><name>guest</name><uuid>{uuid_of('guest')}</uuid></owner>"
        "<portdev name='vnet7'/><mac address='52:54:00:00:00:07'/>"
        f"<filterref filter='clean-traffic'>{parameters}</filterref></filterbinding>"
    )


def calls(conn: Any) -> list[tuple[str, Callable[[], Any]]]:
    validate_network = api.VIR_NETWORK_DEFINE_VALIDATE
    r = remote
    pool_ref = conn.storage_pool_lookup_by_name(r.remote_storage_pool_lookup_by_name_args("default-pool")).pool
    clone_of = r.remote_nonnull_storage_vol("default-pool", "large.img", "")
    return [
        ("network", lambda: conn.network_define_xml(r.remote_network_define_xml_args(network("large")))),
        ("network again", lambda: conn.network_define_xml(r.remote_network_define_xml_args(network("large")))),
        (
            "network validated",
            lambda: conn.network_define_xml_flags(
                r.remote_network_define_xml_flags_args(network("checked"), validate_network)
            ),
        ),
        (
            "network refused by the schema",
            lambda: conn.network_define_xml_flags(
                r.remote_network_define_xml_flags_args(network("bad").replace("<bridge", "<bridges"), validate_network)
            ),
        ),
        ("network started", lambda: conn.network_create_xml(r.remote_network_create_xml_args(network("started")))),
        ("malformed network", lambda: conn.network_define_xml(r.remote_network_define_xml_args(network("x")[:-1]))),
        ("filter", lambda: conn.nwfilter_define_xml(r.remote_nwfilter_define_xml_args(nwfilter()))),
        ("interface", lambda: conn.interface_define_xml(r.remote_interface_define_xml_args(interface(), 0))),
        ("pool", lambda: conn.storage_pool_define_xml(r.remote_storage_pool_define_xml_args(pool("large"), 0))),
        ("pool started", lambda: conn.storage_pool_create_xml(r.remote_storage_pool_create_xml_args(pool("up"), 0))),
        ("secret", lambda: conn.secret_define_xml(r.remote_secret_define_xml_args(secret(), 0))),
        (
            "volume",
            lambda: conn.storage_vol_create_xml(r.remote_storage_vol_create_xml_args(pool_ref, volume("large.img"), 0)),
        ),
        (
            "volume cloned",
            lambda: conn.storage_vol_create_xml_from(
                r.remote_storage_vol_create_xml_from_args(pool_ref, volume("clone.img"), clone_of, 0)
            ),
        ),
        ("vHBA", lambda: conn.node_device_create_xml(r.remote_node_device_create_xml_args(vhba(), 0))),
        (
            "filter binding",
            lambda: conn.nwfilter_binding_create_xml(r.remote_nwfilter_binding_create_xml_args(binding(), 0)),
        ),
    ]


def outcomes(conn: Any) -> list[tuple[str, bool, Any]]:
    """Each call's name, whether it left its read to a worker thread, and its answer or error."""
    results = []
    for name, call in calls(conn):
        offloaded = False
        try:
            answer = call()
            offloaded = isinstance(answer, Offload)
            if offloaded:
                answer = answer.then(answer.work())
        except LibvirtError as error:
            answer = (error.code, error.domain, error.message)
        results.append((name, offloaded, answer))
    return [*results, ("read back", False, read_back(conn))]


def settled(answer: Any) -> Any:
    """A handler's answer, its Offload (if it gave one) run here."""
    return answer.then(answer.work()) if isinstance(answer, Offload) else answer


def read_back(conn: Any) -> list[str]:
    """The XML of what the calls defined, as the state now holds it."""
    r = remote
    texts = []
    for name in ("large", "checked", "started"):
        net = conn.network_lookup_by_name(r.remote_network_lookup_by_name_args(name)).net
        texts.append(settled(conn.network_get_xml_desc(r.remote_network_get_xml_desc_args(net, 0))).xml)
    nwfilter = conn.nwfilter_lookup_by_name(r.remote_nwfilter_lookup_by_name_args("large")).nwfilter
    texts.append(settled(conn.nwfilter_get_xml_desc(r.remote_nwfilter_get_xml_desc_args(nwfilter, 0))).xml)
    iface = conn.interface_lookup_by_name(r.remote_interface_lookup_by_name_args("br7")).iface
    texts.append(settled(conn.interface_get_xml_desc(r.remote_interface_get_xml_desc_args(iface, 0))).xml)
    for name in ("large", "up"):
        pool = conn.storage_pool_lookup_by_name(r.remote_storage_pool_lookup_by_name_args(name)).pool
        texts.append(conn.storage_pool_get_xml_desc(r.remote_storage_pool_get_xml_desc_args(pool, 0)).xml)
    secret = conn.secret_lookup_by_uuid(r.remote_secret_lookup_by_uuid_args(uuid.UUID(uuid_of("secret")).bytes)).secret
    texts.append(conn.secret_get_xml_desc(r.remote_secret_get_xml_desc_args(secret, 0)).xml)
    pool = conn.storage_pool_lookup_by_name(r.remote_storage_pool_lookup_by_name_args("default-pool")).pool
    for name in ("large.img", "clone.img"):
        vol = conn.storage_vol_lookup_by_name(r.remote_storage_vol_lookup_by_name_args(pool, name)).vol
        texts.append(conn.storage_vol_get_xml_desc(r.remote_storage_vol_get_xml_desc_args(vol, 0)).xml)
    found = conn.nwfilter_binding_lookup_by_port_dev(r.remote_nwfilter_binding_lookup_by_port_dev_args("vnet7"))
    binding_xml = conn.nwfilter_binding_get_xml_desc(r.remote_nwfilter_binding_get_xml_desc_args(found.nwfilter, 0))
    texts.append(settled(binding_xml).xml)
    return texts


def test_large_definitions_are_read_in_a_worker_thread_with_the_same_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    def fresh() -> Any:
        return driver.TestDriver().open(ConnectionContext("test:///default", False, 1))

    in_thread = outcomes(fresh())
    monkeypatch.setattr(large_documents, "PARSE_IN_THREAD_BYTES", 1 << 30)
    on_loop = outcomes(fresh())
    assert all(offloaded for name, offloaded, _ in in_thread if name != "read back")
    assert not any(offloaded for _, offloaded, _ in on_loop)
    assert [(name, answer) for name, _, answer in in_thread] == [(name, answer) for name, _, answer in on_loop]
    errors = {name for name, _, answer in on_loop if isinstance(answer, tuple)}
    assert errors == {"network refused by the schema", "malformed network", "vHBA"}


def test_each_thread_validates_with_its_own_validator() -> None:
    # (a validator keeps its last run's errors in itself: two threads sharing one would mix them)
    from concurrent.futures import ThreadPoolExecutor

    from virtrio.drivers.test import parse

    path = parse.SCHEMA_DIR / "network.rng"
    here = parse._relax_ng(path)
    with ThreadPoolExecutor(1) as pool:
        there = pool.submit(parse._relax_ng, path).result()
    assert here is parse._relax_ng(path)  # kept, once per thread
    assert there is not here


def test_a_large_pool_source_specification_is_read_in_a_worker_thread() -> None:
    """find-storage-pool-sources' specification is the client's to size: a large one is read
    in a worker thread (an Offload), with the answer and the errors a small one gets."""
    conn = driver.TestDriver().open(ConnectionContext("test:///default", False, 1))
    padding = "<!--" + "x" * (64 * 1024) + "-->"
    for spec, expected in [
        ("<source><host name='h'/></source>", "<host name='h'/>"),
        ("<source><host/></source>", "missing storage pool host name"),
    ]:
        answers = []
        for text in (spec, spec.replace("<source>", "<source>" + padding)):
            args = remote.remote_connect_find_storage_pool_sources_args("netfs", text, 0)
            try:
                answer = conn.connect_find_storage_pool_sources(args)
                assert isinstance(answer, Offload) == (len(text) > 16 * 1024)
                answers.append(settled(answer).xml)
            except LibvirtError as error:
                answers.append(str(error))
        assert answers[0] == answers[1] and expected in answers[0], answers
