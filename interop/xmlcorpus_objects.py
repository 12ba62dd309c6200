"""xmlcorpus kinds for networks, interfaces, node devices, secrets and network filters.

Each document of libvirt 9.0.0's own test folders is defined into both daemons through
libvirt-python, read back and removed; what a user sees (the XML, or the error's code,
domain and message) is compared. libvirt's test driver has no secrets and no network
filters, so libvirtd loads its own secret and nwfilter drivers for them; those run as root
and keep files under /etc/libvirt and /run/libvirt, which a private mount namespace
replaces with empty tmpfs folders so that the machine's own files are never touched.

The collecting half (``collect``) runs under the interpreter that has libvirt-python
(Debian's /usr/bin/python3), one process per daemon and kind, and prints JSON.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

LIBVIRT_PYTHON = "/usr/bin/python3"
REPOSITORY = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Kind:
    name: str
    folders: tuple[str, ...]  # under libvirt's tests/
    modules: tuple[str, ...] = ()  # libvirtd driver modules the kind needs
    reference_path: str = "test:///default"  # libvirtd's URI (its own driver's when not the test driver's)


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("networks", ("networkxml2xmlin", "networkxml2xmlout", "networkxml2confdata", "networkxml2firewalldata")),
        Kind("netupdates", ("networkxml2xmlupdatein",)),
        Kind("interfaces", ("interfaceschemadata",)),
        Kind("nodedevs", ("nodedevschemadata",)),
        Kind("secrets", ("secretxml2xmlin",), ("secret",), "secret:///system"),
        Kind(
            "nwfilters",
            ("nwfilterxml2xmlin", "nwfilterxml2xmlout", "nwfilterxml2firewalldata"),
            ("nwfilter",),
            "nwfilter:///system",
        ),
    )
}


# Documents of our own beside libvirt's, for rules its folders do not reach: (name, XML).
HOSTDEV_NETWORK = (
    "<network><name>crafted</name><uuid>4e5b8e58-5b6e-4f39-9d0c-3f1d4b3c2a10</uuid>"
    "<forward mode='hostdev'>{}</forward></network>"
)
CRAFTED: dict[str, list[tuple[str, str]]] = {
    "networks": [
        (f"pci-{name}.xml", HOSTDEV_NETWORK.format("".join(f"<address type='pci' {a}/>" for a in addresses)))
        for name, addresses in (
            ("bases", ["domain='0' bus='010' slot='0x1f' function='7'", " bus=' 3' slot='0X2' function='00'"]),
            ("bus-256", ["bus='256'"]),
            ("slot-32", ["bus='1' slot='32'"]),
            ("function-8", ["bus='1' function='8'"]),
            ("empty-function-9", ["function='9'"]),
            ("negative", ["bus='-1'"]),
            ("trailing-space", ["bus='3 '"]),
            ("not-a-number", ["slot='x'"]),
            ("huge", ["domain='4294967296'"]),
            ("multifunction-on", ["bus='1' multifunction='on'"]),
            ("multifunction-yes", ["bus='1' multifunction='yes'"]),
            ("same-spelt-twice", ["bus='3' function='1'", "bus='0x03' function='01'"]),
            ("usb", ["bus='1' type='usb'"]),
        )
    ]
    + [("pci-no-type.xml", HOSTDEV_NETWORK.format("<address bus='1'/>"))]
    + [
        (
            f"{name}.xml",
            f"<network><name>crafted</name><uuid>4e5b8e58-5b6e-4f39-9d0c-3f1d4b3c2a11</uuid>{body}</network>",
        )
        for name, body in (
            ("vlan-one-trunk", "<vlan trunk='YES'><tag id=' +7'/></vlan>"),
            ("vlan-implied-trunk", "<vlan><tag id='7' nativeMode='untagged'/><tag id='8'/></vlan>"),
            ("vlan-trunk-no-two", "<vlan trunk='no'><tag id='7'/><tag id='8'/></vlan>"),
            ("vlan-trunk-maybe", "<vlan trunk='maybe'><tag id='7'/></vlan>"),
            ("vlan-trunk-no-native", "<vlan trunk='no'><tag id='7' nativeMode='tagged'/></vlan>"),
            ("vlan-two-natives", "<vlan><tag id='7' nativeMode='tagged'/><tag id='8' nativeMode='tagged'/></vlan>"),
            ("vlan-native-default", "<vlan><tag id='7' nativeMode='default'/></vlan>"),
            ("vlan-4096", "<vlan><tag id='4096'/></vlan>"),
            ("vlan-hex", "<vlan><tag id='0x7'/></vlan>"),
            ("vlan-no-tag", "<vlan trunk='yes'/>"),
            (
                "bandwidth-zero",
                "<bandwidth><inbound average='0'/><outbound average='10' peak='0' burst='5'/></bandwidth>",
            ),
            ("bandwidth-floor", "<bandwidth><inbound average='1' floor='2'/></bandwidth>"),
            ("bandwidth-floor-out", "<bandwidth><outbound average='1' floor='2'/></bandwidth>"),
            ("bandwidth-peak-only", "<bandwidth><inbound peak='2'/></bandwidth>"),
            ("bandwidth-negative", "<bandwidth><inbound average='-2'/></bandwidth>"),
            ("bandwidth-two-inbound", "<bandwidth><inbound average='1'/><inbound average='2'/></bandwidth>"),
            ("bandwidth-class", "<bandwidth classID='3'><inbound average='1'/></bandwidth>"),
            ("bandwidth-empty", "<bandwidth/>"),
            ("bandwidth-unknown-child", "<bandwidth><sideways average='1'/><outbound average='01'/></bandwidth>"),
        )
    ]
    + [
        (
            f"route-{name}.xml",
            "<network><name>crafted</name><uuid>4e5b8e58-5b6e-4f39-9d0c-3f1d4b3c2a12</uuid>"
            "<ip address='192.168.122.1' netmask='255.255.255.0'/><ip family='ipv6' address='2001:db8:ca2:2::1' "
            f"prefix='64'/>{route}</network>",
        )
        for name, route in (
            ("plain", "<route address='10.0.0.0' prefix='8' gateway='192.168.122.2' metric='3'/>"),
            ("netmask", "<route address='10.1.0.0' netmask='255.255.0.0' gateway='192.168.122.2'/>"),
            ("both", "<route address='10.1.0.0' netmask='255.255.0.0' prefix='16' gateway='192.168.122.2'/>"),
            ("not-network", "<route address='10.1.2.3' prefix='16' gateway='192.168.122.2'/>"),
            ("no-prefix", "<route address='0.0.0.0' gateway='192.168.122.2'/>"),
            ("unreachable", "<route address='10.0.0.0' prefix='8' gateway='192.168.5.2'/>"),
            ("metric-zero", "<route address='10.0.0.0' prefix='8' gateway='192.168.122.2' metric='0'/>"),
            ("prefix-33", "<route address='10.0.0.0' prefix='33' gateway='192.168.122.2'/>"),
            ("bad-address", "<route address='10.0.0' prefix='8' gateway='192.168.122.2'/>"),
            ("bad-gateway", "<route address='10.0.0.0' prefix='8' gateway='gw'/>"),
            ("v6-no-family", "<route address='2001:db8:1::' prefix='48' gateway='2001:db8:ca2:2::2'/>"),
            ("v6", "<route family='ipv6' address='2001:0db8:1::' prefix='48' gateway='2001:db8:ca2:2:0::2'/>"),
            (
                "v6-netmask",
                "<route family='ipv6' address='2001:db8:1::' netmask='ffff::' gateway='2001:db8:ca2:2::2'/>",
            ),
            ("v6-v4-gateway", "<route family='ipv6' address='2001:db8:1::' prefix='48' gateway='192.168.122.2'/>"),
            ("v4-family-v6", "<route family='ipv4' address='2001:db8:1::' prefix='48' gateway='192.168.122.2'/>"),
            ("v4-v6-gateway", "<route address='10.0.0.0' prefix='8' gateway='2001:db8:ca2:2::2'/>"),
            ("family-other", "<route family='ipx' address='10.0.0.0' prefix='8' gateway='192.168.122.2'/>"),
            ("v6-prefix-129", "<route family='ipv6' address='2001:db8:1::' prefix='129' gateway='2001:db8:ca2:2::2'/>"),
            ("netmask-v6", "<route address='10.0.0.0' netmask='ffff::' gateway='192.168.122.2'/>"),
        )
    ]
    + [
        (
            f"vport-{name}.xml",
            "<network><name>crafted</name><uuid>4e5b8e58-5b6e-4f39-9d0c-3f1d4b3c2a13</uuid>"
            f"<forward mode='bridge'/><bridge name='br0'/>{body}</network>",
        )
        for name, body in (
            (
                "qbg",
                "<virtualport type='802.1Qbg'><parameters managerid='0x0b' typeid='-0' typeidversion='010' "
                "instanceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/></virtualport>",
            ),
            ("qbg-manager-256", "<virtualport type='802.1Qbg'><parameters managerid='256'/></virtualport>"),
            ("qbg-manager-negative", "<virtualport type='802.1Qbg'><parameters managerid='-1'/></virtualport>"),
            ("qbg-typeid-big", "<virtualport type='802.1Qbg'><parameters typeid='0x1000000'/></virtualport>"),
            ("qbg-version-x", "<virtualport type='802.1Qbg'><parameters typeidversion='x'/></virtualport>"),
            ("qbg-profile", "<virtualport type='802.1Qbg'><parameters profileid='p'/></virtualport>"),
            ("qbh-empty-profile", "<virtualport type='802.1Qbh'><parameters profileid=''/></virtualport>"),
            ("qbh-long-profile", f"<virtualport type='802.1Qbh'><parameters profileid='{'p' * 40}'/></virtualport>"),
            ("qbh-39-profile", f"<virtualport type='802.1Qbh'><parameters profileid='{'p' * 39}'/></virtualport>"),
            ("ovs-bad-uuid", "<virtualport type='openvswitch'><parameters interfaceid='nope'/></virtualport>"),
            (
                "ovs-uuid-spaced",
                "<virtualport type='openvswitch'><parameters "
                "interfaceid=' 09b11c538b5c4eeb8f00d84eaa0aaa4f '/></virtualport>",
            ),
            ("midonet-manager", "<virtualport type='midonet'><parameters managerid='1'/></virtualport>"),
            ("type-none", "<virtualport type='none'/>"),
            ("no-type", "<virtualport><parameters profileid='p'/></virtualport>"),
            (
                "portgroup-no-type",
                "<portgroup name='a'><virtualport><parameters profileid='p' managerid='2'/></virtualport></portgroup>",
            ),
            ("portgroup-empty", "<portgroup name='a'><virtualport/></portgroup>"),
        )
    ],
}


# ---------------------------------------------------------------- collecting (libvirt-python side)


def _error(exc: Any) -> str:
    return f"error {exc.get_error_code()}/{exc.get_error_domain()}: {exc.get_error_message()}"


def _guard(step: Callable[[], Any]) -> Any:
    import libvirt

    try:
        return step()
    except libvirt.libvirtError as exc:
        return _error(exc)


def _network(conn: Any, xml: str) -> list[str]:
    out: list[str] = []
    for variant in _network_variants(xml):
        out += _network_once(conn, variant)
    return out


def _network_variants(xml: str) -> list[str]:
    """The document, and when it is called 'default' (test:///default has one with another
    UUID, so it is refused) the same renamed, so that its own content is read back too."""
    renamed = re.sub(r"<name>\s*default\s*</name>", "<name>corpus-net</name>", xml, count=1)
    return [xml] if renamed == xml else [xml, renamed]


def _network_once(conn: Any, xml: str) -> list[str]:
    import libvirt

    out: list[str] = []
    try:
        net = conn.networkDefineXML(xml)
    except libvirt.libvirtError as exc:
        return [_error(exc)]
    out.append(_guard(lambda: net.XMLDesc(0)))
    out.append(_guard(lambda: net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE)))
    # defined again unchanged: libvirt's rules for redefining an existing network
    out.append(f"redefine {_guard(lambda: conn.networkDefineXML(xml).name())}")
    out.append(f"persistent {_guard(net.isPersistent)} active {_guard(net.isActive)}")
    started = _guard(net.create)
    out.append(f"create {started}")
    if started == 0:
        out.append(_guard(lambda: net.XMLDesc(0)))
        out.append(_guard(lambda: net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE)))
        out.append(f"bridge {_guard(net.bridgeName)}")
        out.append(f"redefine while active {_guard(lambda: conn.networkDefineXML(xml).name())}")
        out.append(_guard(lambda: net.XMLDesc(0)))
        out.append(f"destroy {_guard(net.destroy)}")
    out.append(f"undefine {_guard(net.undefine)}")
    return out


def _interface(conn: Any, xml: str) -> list[str]:
    import libvirt

    try:
        iface = conn.interfaceDefineXML(xml)
    except libvirt.libvirtError as exc:
        return [_error(exc)]
    out = [_guard(lambda: iface.XMLDesc(0)), _guard(lambda: iface.XMLDesc(libvirt.VIR_INTERFACE_XML_INACTIVE))]
    out.append(f"mac {_guard(iface.MACString)} active {_guard(iface.isActive)}")
    out.append(f"redefine {_guard(lambda: conn.interfaceDefineXML(xml).name())}")
    started = _guard(lambda: iface.create(0))
    out.append(f"create {started}")
    if started == 0:
        out.append(_guard(lambda: iface.XMLDesc(0)))
        out.append(f"active {_guard(iface.isActive)}")
        out.append(f"destroy {_guard(lambda: iface.destroy(0))}")
    out.append(f"undefine {_guard(iface.undefine)}")
    return out


def _nodedev(conn: Any, xml: str) -> list[str]:
    import libvirt

    # as written, then as a vHBA on test:///default's vport-capable HBA, then with no parent
    # (the driver looks for one); only Fibre Channel SCSI hosts can be created
    parent = "<parent>scsi_host1</parent>"
    variants = [
        xml,
        re.sub(r"<parent>[^<]*</parent>", parent, xml)
        if "<parent>" in xml
        else re.sub(r"(<device[^>]*>)", rf"\1{parent}", xml, count=1),
        re.sub(r"<parent[^>]*>[^<]*</parent>|<parent[^>]*/>", "", xml),
    ]
    out: list[str] = []
    for variant in variants:
        try:
            dev = conn.nodeDeviceCreateXML(variant)
        except libvirt.libvirtError as exc:
            out.append(_error(exc))
            continue
        out += [f"name {dev.name()}", _guard(partial(dev.XMLDesc, 0)), f"parent {_guard(dev.parent)}"]
        out.append(f"destroy {_guard(dev.destroy)}")
    return out


def _secret(conn: Any, xml: str) -> list[str]:
    import libvirt

    try:
        secret = conn.secretDefineXML(xml)
    except libvirt.libvirtError as exc:
        return [_error(exc)]
    out = [_guard(lambda: secret.XMLDesc(0))]
    out.append(f"usage {_guard(secret.usageType)} {_guard(secret.usageID)}")
    out.append(f"redefine {_guard(lambda: conn.secretDefineXML(xml).UUIDString())}")
    out.append(f"set {_guard(lambda: secret.setValue(b'corpus value'))}")
    out.append(f"get {_guard(secret.value)!r}")
    if secret.usageType() != libvirt.VIR_SECRET_USAGE_TYPE_NONE:
        found = _guard(lambda: conn.secretLookupByUsage(secret.usageType(), secret.usageID()).UUIDString())
        out.append(f"by usage {found}")
    out.append(f"undefine {_guard(secret.undefine)}")
    return out


def _nwfilter(conn: Any, xml: str) -> list[str]:
    import libvirt

    try:
        nwfilter = conn.nwfilterDefineXML(xml)
    except libvirt.libvirtError as exc:
        return [_error(exc)]
    out = [_guard(lambda: nwfilter.XMLDesc(0))]
    out.append(f"by name {_guard(lambda: conn.nwfilterLookupByName(nwfilter.name()).UUIDString())}")
    out.append(f"redefine {_guard(lambda: conn.nwfilterDefineXML(xml).UUIDString())}")
    out.append(_guard(lambda: nwfilter.XMLDesc(0)))
    out.append(f"undefine {_guard(nwfilter.undefine)}")
    return out


# networkUpdate: every update document of libvirt's folder, into each section its root element
# may belong to, with every command and two parent indexes, on networks that have those sections.
UPDATE_BASES = (
    "networkxml2xmlin/nat-network.xml",
    "networkxml2xmlin/dhcp6host-routed-network.xml",
    "networkxml2xmlin/nat-network-dns-srv-record.xml",
    "networkxml2xmlin/nat-network-dns-hosts.xml",
    "networkxml2xmlin/nat-network-dns-txt-record.xml",
    "networkxml2xmlin/openvswitch-net.xml",
    "networkxml2xmlout/nat-network-dns-srv-records.xml",
    "networkxml2xmlin/passthrough-pf.xml",
)
UPDATE_SECTIONS = {  # root element -> virNetworkUpdateSection values it may be meant for
    "host": (4, 10),  # IP_DHCP_HOST, DNS_HOST
    "range": (9,),  # IP_DHCP_RANGE
    "interface": (5,),  # FORWARD_INTERFACE
    "portgroup": (7,),  # PORTGROUP
    "txt": (11,),  # DNS_TXT
    "srv": (12,),  # DNS_SRV
}
UPDATE_COMMANDS = (1, 2, 3, 4)  # MODIFY, DELETE, ADD_LAST, ADD_FIRST


def _network_updates(conn: Any, xml: str) -> list[str]:
    from xml.etree import ElementTree

    import libvirt

    tests = Path(os.environ["LIBVIRT_TESTS"])
    root = ElementTree.fromstring(xml).tag
    out: list[str] = []
    for base in UPDATE_BASES:
        # renamed: most are called 'default', which test:///default already has
        base_xml = re.sub(r"<name>[^<]*</name>", "<name>corpus-update</name>", (tests / base).read_text(), count=1)
        for section in UPDATE_SECTIONS.get(root, (4,)):
            for command in UPDATE_COMMANDS:
                for index in (-1, 0, 1):
                    out.append(f"{base} section {section} command {command} index {index}")
                    try:
                        net = conn.networkDefineXML(base_xml)
                    except libvirt.libvirtError as exc:
                        out.append(_error(exc))
                        continue
                    result = _guard(partial(net.update, command, section, index, xml, 0))
                    out.append(f"update {result}")
                    if result == 0:
                        out.append(_guard(partial(net.XMLDesc, 0)))
                    out.append(f"undefine {_guard(net.undefine)}")
    return out


COLLECTORS: dict[str, Callable[[Any, str], list[str]]] = {
    "networks": _network,
    "netupdates": _network_updates,
    "interfaces": _interface,
    "nodedevs": _nodedev,
    "secrets": _secret,
    "nwfilters": _nwfilter,
}


# The result of a document during which the daemon died; the harness restarts it and goes on
# with the next document (libvirtd 9.0.0 dies on some mutated documents).
DAEMON_DIED = "the daemon died"


def collect(
    uri: str, kind: str, paths: list[str], collectors: dict[str, Callable[[Any, str], list[str]]] | None = None
) -> dict[str, list[str]]:
    """Each document through its kind's collector on one connection (the collectors of this
    module unless others are given); XMLCORPUS_DOCUMENT names the document at hand."""
    import libvirt

    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    collector = (collectors or COLLECTORS)[kind]
    conn = libvirt.open(uri)
    results: dict[str, list[str]] = {}
    try:
        for number, path in enumerate(paths):
            if number and not conn.isAlive():  # the daemon died on the document before: stop there
                results[label(Path(paths[number - 1]))] = [DAEMON_DIED]
                break
            xml = Path(path).read_text(errors="surrogateescape")
            os.environ["XMLCORPUS_DOCUMENT"] = Path(path).stem
            try:
                results[label(Path(path))] = collector(conn, xml)
            except libvirt.libvirtError as exc:  # a step outside the collector's guards
                results[label(Path(path))] = [f"collector: {_error(exc)}"]
        else:
            if paths and not conn.isAlive():
                results[label(Path(paths[-1]))] = [DAEMON_DIED]
    finally:
        with contextlib.suppress(libvirt.libvirtError):  # (the daemon is gone)
            conn.close()
    return results


# ---------------------------------------------------------------- running (harness side)


def start_reference(directory: Path, modules: tuple[str, ...]) -> tuple[subprocess.Popen, Path]:
    """libvirtd with the test driver and the named modules, /etc/libvirt and /run/libvirt private."""
    from .daemons import DRIVER_MODULES, LIBVIRTD, wait_for_socket

    for sub in ("sock", "drivers", "run", "config", "cache"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    config = directory / "libvirtd.conf"
    config.write_text(f'unix_sock_dir = "{directory / "sock"}"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\n')
    for module in modules:
        (directory / "drivers" / f"libvirt_driver_{module}.so").symlink_to(
            DRIVER_MODULES / f"libvirt_driver_{module}.so"
        )
    environment = dict(os.environ, LIBVIRT_DRIVER_DIR=str(directory / "drivers"))
    environment.update(
        XDG_RUNTIME_DIR=str(directory / "run"),
        XDG_CONFIG_HOME=str(directory / "config"),
        XDG_CACHE_HOME=str(directory / "cache"),
    )
    command = [
        "/usr/bin/libvirtd" if not Path(LIBVIRTD).exists() else LIBVIRTD,
        "--config",
        str(config),
        "--pid-file",
        str(directory / "libvirtd.pid"),
    ]
    if modules:
        # Root's secret and nwfilter drivers write under /etc and /run: give them empty ones.
        script = (
            "mount -t tmpfs tmpfs /etc/libvirt && mkdir -p /run/libvirt && mount -t tmpfs tmpfs /run/libvirt"
            ' && exec "$@"'
        )
        command = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", *command]
    log = open(directory / "libvirtd.log", "wb")  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment)
    log.close()
    socket_path = directory / "sock" / "libvirt-sock"
    wait_for_socket(socket_path, process)
    return process, socket_path


def gather(uri_path: str, socket_path: Path, kind: str, paths: list[Path]) -> dict[str, list[str]]:
    scheme, _, path = uri_path.partition("://")
    uri = f"{scheme}+unix://{path}?socket={socket_path}"
    command = [LIBVIRT_PYTHON, "-m", "interop.xmlcorpus_objects", "collect", uri, kind, *map(str, paths)]
    environment = dict(os.environ, LIBVIRT_TESTS=str(paths[0].parent.parent)) if paths else None
    # (the base networks of netupdates live in libvirt's tests/, beside its update folder)
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPOSITORY, timeout=600, env=environment)
    if result.returncode != 0:
        raise RuntimeError(f"collecting {kind} failed: {result.stderr}")
    return json.loads(result.stdout)


def mutations(paths: list[Path], folder: Path) -> list[Path]:
    from lxml import etree

    folder.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    for path in paths:
        try:
            tree = etree.parse(str(path))
        except etree.XMLSyntaxError:
            continue
        nodes = [node for node in tree.getroot().iter() if isinstance(node.tag, str)]
        for index, node in enumerate(nodes):
            for attribute in node.attrib:
                # removed; with XMLCORPUS_MUTATE=2 (exploration) also emptied and made odd
                for replacement in (None, *(("", "-1", "x") if os.environ.get("XMLCORPUS_MUTATE") == "2" else ())):
                    copy = etree.parse(str(path))
                    target = [n for n in copy.getroot().iter() if isinstance(n.tag, str)][index]
                    if replacement is None:
                        del target.attrib[attribute]
                    else:
                        target.set(attribute, replacement)
                    suffix = "" if replacement is None else f"={replacement}"
                    made.append(
                        folder / f"{path.parent.name}-{path.stem}-{index}-{attribute.split('}')[-1]}{suffix}.xml"
                    )
                    made[-1].write_bytes(etree.tostring(copy))
            if index:
                copy = etree.parse(str(path))
                target = [n for n in copy.getroot().iter() if isinstance(n.tag, str)][index]
                target.getparent().remove(target)
                made.append(folder / f"{path.parent.name}-{path.stem}-{index}-element.xml")
                made[-1].write_bytes(etree.tostring(copy))
    return made


def label(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def documents(source: Path, kind: str, crafted_folder: Path | None = None) -> list[Path]:
    """libvirt's documents of the kind, then ours (written into crafted_folder/crafted)."""
    paths = [path for folder in KINDS[kind].folders for path in sorted((source / "tests" / folder).glob("*.xml"))]
    # --mutate: each document less one element or one attribute; --mutate-every N: every Nth of them
    every = int(os.environ.get("XMLCORPUS_MUTATE_EVERY") or (1 if os.environ.get("XMLCORPUS_MUTATE") else 0))
    if crafted_folder is not None and every:
        paths += mutations(paths, crafted_folder / "mutated")[::every]
    if crafted_folder is not None and CRAFTED.get(kind):
        (crafted_folder / "crafted").mkdir(parents=True, exist_ok=True)
        for name, text in CRAFTED[kind]:
            (crafted_folder / "crafted" / name).write_text(text)
            paths.append(crafted_folder / "crafted" / name)
    return paths


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def unrandom(lines: list[str], document: str) -> list[str]:
    """UUIDs the daemon made up (absent from the document) numbered in order of appearance."""
    names: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        found = match.group(0)
        if found in document:
            return found
        return names.setdefault(found, f"<generated uuid {len(names) + 1}>")

    return [UUID.sub(name, line) for line in lines]


def compare_kind(source: Path, kind: str, verbose: bool = True) -> tuple[int, int]:
    """Identical documents and documents, libvirtd against virtrio, for one kind."""
    from .daemons import remove, start_virtrio, stop_process

    workdir = Path(tempfile.mkdtemp(prefix=f"virtrio-xmlcorpus-{kind}-"))
    paths = documents(source, kind, workdir)
    texts = {label(path): path.read_text(errors="replace").lower() for path in paths}
    try:
        reference, reference_socket = start_reference(workdir / "ref", KINDS[kind].modules)
        try:
            theirs = gather(KINDS[kind].reference_path, reference_socket, kind, paths)
        finally:
            stop_process(reference)
        ours_daemon = start_virtrio(workdir / "ours")
        try:
            mine = gather("test:///default", ours_daemon.rw, kind, paths)
        finally:
            ours_daemon.stop()
    finally:
        remove(workdir)
    identical = 0
    classes: Counter[str] = Counter()
    for path in paths:
        a, b = (unrandom(results.get(label(path), []), texts[label(path)]) for results in (theirs, mine))
        if a == b:
            identical += 1
            continue
        classes[first_difference(a, b)] += 1
        if verbose:
            diff = difflib.unified_diff(
                "\n".join(a).splitlines(), "\n".join(b).splitlines(), "libvirtd", "virtrio", lineterm="", n=1
            )
            print(f"DIFF {kind} {label(path)}\n    " + "\n    ".join(list(diff)[2:40]))
    print_classes(kind, classes)
    print(f"{kind}: identical {identical}/{len(paths)}")
    return identical, len(paths)


def first_difference(a: list[str], b: list[str]) -> str:
    """A short class for a difference: the first lines that differ once the rest is aligned."""
    left = "\n".join(a).splitlines()
    right = "\n".join(b).splitlines()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, left, right, autojunk=False).get_opcodes():
        if tag != "equal":
            x = left[i1].strip()[:90] if i1 < i2 else "(nothing)"
            y = right[j1].strip()[:90] if j1 < j2 else "(nothing)"
            return f"{x}  |  {y}"
    return "(one side has more lines)"


def print_classes(kind: str, classes: Counter[str]) -> None:
    """With --classes N: the N most frequent first differences of the kind."""
    if classes and os.environ.get("XMLCORPUS_CLASSES"):
        print(f"{kind}: most frequent first differences (libvirtd | virtrio)")
        for text, count in classes.most_common(int(os.environ["XMLCORPUS_CLASSES"])):
            print(f"  {count:5d}  {text}")


def libvirt_source() -> Path:
    """libvirt 9.0.0's source tree (its tests/ folder is what is read)."""
    from .libvirt_source import find_source

    return find_source()


def run(kinds: list[str] | None = None, fail_under: float | None = None, verbose: bool = True) -> int:
    """Compare the kinds (all of this module's by default); 1 when under the gate."""
    return run_kinds(kinds or list(KINDS), lambda _kind: compare_kind, "objects total", fail_under, verbose)


def run_kinds(
    kinds: list[str],
    comparer: Callable[[str], Callable[[Path, str, bool], tuple[int, int]]],
    label: str,
    fail_under: float | None,
    verbose: bool,
) -> int:
    """Each kind compared by its comparer, then the total; 1 when it is under the gate."""
    source = libvirt_source()
    same = count = 0
    for kind in kinds:
        identical, total = comparer(kind)(source, kind, verbose)
        same += identical
        count += total
    score = 100.0 * same / count if count else 0.0
    print(f"{label}: identical {same}/{count} ({score:.1f}%)")
    if fail_under is not None and score < fail_under:
        print(f"score {score:.1f}% is under the gate of {fail_under}%")
        return 1
    return 0


def main(argv: list[str]) -> int:
    if argv and argv[0] == "collect":
        print(json.dumps(collect(argv[1], argv[2], argv[3:])))
        return 0
    import argparse

    parser = argparse.ArgumentParser(prog="python -m interop.xmlcorpus_objects", description=__doc__.split("\n")[0])
    parser.add_argument("--fail-under", type=float, help="exit 1 when fewer than P percent are identical")
    parser.add_argument("--quiet", action="store_true", help="no diffs, only the counts")
    parser.add_argument("--mutate", action="store_true", help="also each document less one element or attribute")
    parser.add_argument("kinds", nargs="*", metavar="KIND", help=", ".join(KINDS))
    options = parser.parse_args(argv)
    if options.mutate:
        os.environ["XMLCORPUS_MUTATE"] = "1"
    unknown = [kind for kind in options.kinds if kind not in KINDS]
    if unknown:
        parser.error(f"unknown kinds {', '.join(unknown)}; known: {', '.join(KINDS)}")
    return run(options.kinds, options.fail_under, not options.quiet)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
