"""The open reference corpus: libvirt 9.0.0's own test documents, defined into libvirtd's
test driver and into virtrio side by side, read back and compared.

`python -m interop xmlcorpus [--kind K ...] [--fail-under P] [--quiet]` runs the kinds of
this module (domains, snapshots, checkpoints) and those of interop/xmlcorpus_objects.py
(networks, interfaces, node devices, secrets, network filters), printing `identical N/M`
per kind and a total. What is compared is what a user sees: each document's XML as read
back (flags 0, SECURE, INACTIVE, and after a start for domains that start), or the
error's code, domain and message. Values either daemon makes up (UUIDs, MAC addresses,
creation times, domain ids) are numbered in order of appearance before comparing.

The collecting half runs under the interpreter that has libvirt-python (Debian's
/usr/bin/python3), one process per daemon and kind, and prints JSON.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from . import xmlcorpus_objects as objects

# kind -> folders under libvirt's tests/
KINDS: dict[str, tuple[str, ...]] = {
    "domains": ("qemuxml2argvdata", "genericxml2xmlindata", "domainschemadata"),
    # what libvirt's formatters wrote: each must read back as libvirtd reads it
    "domains-out": ("qemuxml2xmloutdata", "genericxml2xmloutdata"),
    # the other drivers' documents (their virt types are refused or accepted by the test
    # driver's capabilities) and the qemu hotplug test's base domains
    "domains-other": (
        "lxcxml2xmldata",
        "bhyvexml2argvdata",
        "bhyvexml2xmloutdata",
        "vmx2xmldata",
        "xlconfigdata",
        "xmconfigdata",
        "libxlxml2domconfigdata",
        "qemuhotplugtestdomains",
        # and the domain documents of libvirt's other tests (conversions' outputs, CPU
        # hotplug and memory locking bases, SELinux labelling, ...)
        "bhyveargv2xmldata",
        "domainconfdata",
        "lxcconf2xmldata",
        "lxcxml2xmloutdata",
        "qemuagentdata",
        "qemuhotplugtestcpus",
        "qemumemlockdata",
        "securityselinuxlabeldata",
        "xml2vmxdata",
    ),
    # single device documents: hotplugged into 'test', and defined inside a domain
    "devices": ("qemuhotplugtestdevices",),
    "snapshots": ("qemudomainsnapshotxml2xmlin",),
    "checkpoints": ("qemudomaincheckpointxml2xmlin",),
    "pools": ("storagepoolxml2xmlin", "storagepoolschemadata"),
    "volumes": ("storagevolxml2xmlin", "storagevolschemadata"),
}
# libvirt's storagevolxml2xmltest pairs each volume document with a pool document
VOLUME_POOLS = {
    "vol-partition": "pool-disk",
    "vol-logical": "pool-logical",
    "vol-logical-backing": "pool-logical",
    "vol-gluster-dir": "pool-gluster",
    "vol-gluster-dir-neg-uid": "pool-gluster",
}
ALL_KINDS = [*KINDS, *objects.KINDS]

# ---------------------------------------------------------------- collecting (libvirt-python side)


def _domain(conn: Any, xml: str) -> list[str]:
    import libvirt

    guard = objects._guard
    try:
        dom = conn.defineXML(xml)
    except libvirt.libvirtError as exc:
        return [objects._error(exc)]
    out = [guard(lambda: dom.XMLDesc(0))]
    out.append(guard(lambda: dom.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE)))
    out.append(guard(lambda: dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)))
    started = guard(dom.create)
    out.append(f"create {started}")
    if started == 0:
        out.append(guard(lambda: dom.XMLDesc(0)))
        out.append(guard(lambda: dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)))
        out.append(f"destroy {guard(dom.destroy)}")
    out.append(f"undefine {guard(dom.undefine)}")
    return out


def _domain_alone(conn: Any, xml: str) -> list[str]:
    """As _domain, once test:///default's own domain 'test' is gone: many of libvirt's
    documents are named 'test' too, and would only meet 'already exists'."""
    if not _DEFAULT_DOMAIN_REMOVED:
        _DEFAULT_DOMAIN_REMOVED.append(True)
        dom = conn.lookupByName("test")
        dom.destroy()
        dom.undefine()
    return _domain(conn, xml)


_DEFAULT_DOMAIN_REMOVED: list[bool] = []  # (once per collecting process)


# the domain each device document is placed in (its <devices> receives the document)
DEVICE_HOST = """<domain type='test'>
  <name>hotplug</name>
  <memory unit='KiB'>1048576</memory>
  <os>
    <type arch='x86_64'>hvm</type>
  </os>
  <devices>
</devices>
</domain>
"""
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _device(conn: Any, xml: str) -> list[str]:
    """Attached to, updated in and detached from test:///default's running domain 'test'
    (live, then config, each answer kept), then defined inside a domain of its own."""
    import libvirt

    guard = objects._guard
    dom = conn.lookupByName("test")
    out: list[str] = []
    for flags in (libvirt.VIR_DOMAIN_AFFECT_LIVE, libvirt.VIR_DOMAIN_AFFECT_CONFIG):
        for step in ("attachDeviceFlags", "updateDeviceFlags", "detachDeviceFlags"):
            out.append(f"{step} {flags} {guard(partial(getattr(dom, step), xml, flags))}")
        out.append(guard(lambda flags=flags: dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE if flags == 2 else 0)))
    body = XML_DECLARATION.sub("", xml)
    return out + _domain(conn, DEVICE_HOST.replace("</devices>", body + "</devices>"))


def _snapshot(conn: Any, xml: str) -> list[str]:
    """Taken of test:///default's running domain 'test', then redefined from its own XML."""
    import libvirt

    guard = objects._guard
    dom = conn.lookupByName("test")
    out: list[str] = []
    for flags in (0, libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE):
        try:
            snapshot = dom.snapshotCreateXML(xml, flags)
        except libvirt.libvirtError as exc:
            out.append(objects._error(exc))
            continue
        out.append(guard(partial(snapshot.getXMLDesc, 0)))
        parent = guard(lambda taken=snapshot: taken.getParent().getName())
        out.append(f"current {guard(snapshot.isCurrent)} parent {parent}")
        out.append(f"delete {guard(partial(snapshot.delete, 0))}")
    return out


def _checkpoint(conn: Any, xml: str) -> list[str]:
    """Taken of test:///default's running domain 'test', then redefined from its own XML."""
    import libvirt

    guard = objects._guard
    dom = conn.lookupByName("test")
    out: list[str] = []
    for flags in (0, libvirt.VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE):
        try:
            checkpoint = dom.checkpointCreateXML(xml, flags)
        except libvirt.libvirtError as exc:
            out.append(objects._error(exc))
            continue
        out.append(guard(partial(checkpoint.getXMLDesc, 0)))
        out.append(f"delete {guard(partial(checkpoint.delete, libvirt.VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY))}")
    return out


def _pool(conn: Any, xml: str) -> list[str]:
    import libvirt

    guard = objects._guard
    try:
        pool = conn.storagePoolDefineXML(xml)
    except libvirt.libvirtError as exc:
        return [objects._error(exc)]
    out = [guard(lambda: pool.XMLDesc(0)), guard(lambda: pool.XMLDesc(libvirt.VIR_STORAGE_XML_INACTIVE))]
    started = guard(pool.create)
    out.append(f"create {started}")
    if started == 0:
        out.append(guard(lambda: pool.XMLDesc(0)))
        out.append(f"info {guard(pool.info)}")
        out.append(f"destroy {guard(pool.destroy)}")
    out.append(f"undefine {guard(pool.undefine)}")
    return out


def _volume(conn: Any, xml: str) -> list[str]:
    """Created in its pool (libvirt's pairing, a dir pool otherwise), read back, deleted."""
    import libvirt

    guard = objects._guard
    tests = Path(os.environ["LIBVIRT_TESTS"])
    name = os.environ["XMLCORPUS_DOCUMENT"]
    pool_xml = (tests / "storagepoolxml2xmlin" / f"{VOLUME_POOLS.get(name, 'pool-dir')}.xml").read_text()
    pool = conn.storagePoolCreateXML(pool_xml)
    try:
        try:
            volume = pool.createXML(xml)
        except libvirt.libvirtError as exc:
            return [objects._error(exc)]
        out = [guard(lambda: volume.XMLDesc(0)), f"info {guard(volume.info)}", f"key {guard(volume.key)}"]
        out.append(f"delete {guard(volume.delete)}")
        return out
    finally:
        pool.destroy()


COLLECTORS: dict[str, Callable[[Any, str], list[str]]] = {
    "pools": _pool,
    "volumes": _volume,
    "domains": _domain_alone,
    "domains-out": _domain_alone,
    "domains-other": _domain_alone,
    "devices": _device,
    "snapshots": _snapshot,
    "checkpoints": _checkpoint,
}


def collect(uri: str, kind: str, paths: list[str]) -> dict[str, list[str]]:
    return objects.collect(uri, kind, paths, COLLECTORS)


# ---------------------------------------------------------------- comparing (harness side)

MAC = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}")
MADE_UP = (
    (re.compile(r"<creationTime>\d+</creationTime>"), "<creationTime>(time)</creationTime>"),
    (re.compile(r"(<domain type='[^']*') id='\d+'"), r"\1 id='(id)'"),
)
TIMESTAMP = re.compile(r"\b1[0-9]{9}\b")  # seconds since 1970: names of snapshots and checkpoints


def normalised(lines: list[str], document: str) -> list[str]:
    """UUIDs and MACs the daemon made up numbered in order; creation times and ids masked."""
    lines = objects.unrandom(lines, document)
    macs: dict[str, str] = {}

    def mac(match: re.Match[str]) -> str:
        found = match.group(0)
        return found if found in document else macs.setdefault(found, f"<generated mac {len(macs) + 1}>")

    out = []
    for line in lines:
        line = MAC.sub(mac, line)
        line = TIMESTAMP.sub(lambda match: match.group(0) if match.group(0) in document else "(time)", line)
        for pattern, replacement in MADE_UP:
            line = pattern.sub(replacement, line)
        out.append(line)
    return out


def documents(source: Path, kind: str) -> list[Path]:
    return [path for folder in KINDS[kind] for path in sorted((source / "tests" / folder).glob("*.xml"))]


def gather(
    socket_path: Path, kind: str, paths: list[Path], restart: Callable[[], Path] | None = None
) -> dict[str, list[str]]:
    """Each document's results from the daemon at socket_path; when the daemon dies on one
    (objects.DAEMON_DIED), restart() gives a new one's socket and the rest go there."""
    results: dict[str, list[str]] = {}
    start = 0
    while start < len(paths):
        batch = [str(path) for path in paths[start : start + 400]]  # command lines stay short
        uri = f"test+unix:///default?socket={socket_path}"
        command = [objects.LIBVIRT_PYTHON, "-m", "interop.xmlcorpus", "collect", uri, kind, *batch]
        environment = dict(os.environ, LIBVIRT_TESTS=str(paths[0].parent.parent))
        result = subprocess.run(
            command, capture_output=True, text=True, cwd=objects.REPOSITORY, timeout=1200, env=environment
        )
        if result.returncode != 0:
            raise RuntimeError(f"collecting {kind} failed: {result.stderr[-2000:]}")
        found = json.loads(result.stdout)
        results.update(found)
        start += len(found)
        if found and found[list(found)[-1]] == [objects.DAEMON_DIED]:  # the collector stopped there
            if restart is None:
                raise RuntimeError(f"the daemon died while collecting {kind}: {list(found)[-1]}")
            print(f"{kind}: the daemon died on {list(found)[-1]}; restarted", file=sys.stderr)
            socket_path = restart()
    return results


def compare_kind(source: Path, kind: str, verbose: bool = True) -> tuple[int, int]:
    """Identical documents and documents, libvirtd against virtrio, for one kind."""
    from .daemons import remove, start_virtrio, stop_process

    paths = documents(source, kind)
    workdir = Path(tempfile.mkdtemp(prefix=f"virtrio-xmlcorpus-{kind}-"))
    every = int(os.environ.get("XMLCORPUS_MUTATE_EVERY", "0"))
    if every:  # exploration: also every Nth of the documents less one attribute or element
        paths += objects.mutations(paths, workdir / "mutated")[::every]
    texts = {objects.label(path): path.read_text(errors="replace").lower() for path in paths}
    try:
        references = [objects.start_reference(workdir / "ref", ())]

        def restart_reference() -> Path:
            stop_process(references[-1][0])
            references.append(objects.start_reference(workdir / f"ref{len(references)}", ()))
            return references[-1][1]

        try:
            theirs = gather(references[0][1], kind, paths, restart_reference)
        finally:
            stop_process(references[-1][0])
        ours = start_virtrio(workdir / "ours")
        try:
            mine = gather(ours.rw, kind, paths)
        finally:
            ours.stop()
    finally:
        remove(workdir)
    identical = 0
    classes: Counter[str] = Counter()
    for path in paths:
        name = objects.label(path)
        a, b = (normalised(results.get(name, []), texts[name]) for results in (theirs, mine))
        if a == b:
            identical += 1
            continue
        classes[objects.first_difference(a, b)] += 1
        if verbose:
            diff = difflib.unified_diff(
                "\n".join(a).splitlines(), "\n".join(b).splitlines(), "libvirtd", "virtrio", lineterm="", n=1
            )
            print(f"DIFF {kind} {name}\n    " + "\n    ".join(list(diff)[2:40]))
    objects.print_classes(kind, classes)
    print(f"{kind}: identical {identical}/{len(paths)}")
    return identical, len(paths)


def run(kinds: list[str] | None = None, fail_under: float | None = None, verbose: bool = True) -> int:
    """Compare the kinds (all by default); 1 when the total is under the gate."""

    def comparer(kind: str) -> Callable[[Path, str, bool], tuple[int, int]]:
        return compare_kind if kind in KINDS else objects.compare_kind

    return objects.run_kinds(kinds or ALL_KINDS, comparer, "total", fail_under, verbose)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "collect":
        print(json.dumps(collect(argv[1], argv[2], argv[3:])))
        return 0
    import argparse

    parser = argparse.ArgumentParser(prog="python -m interop xmlcorpus", description=__doc__.split("\n")[0])
    parser.add_argument("--fail-under", type=float, help="exit 1 when fewer than P percent are identical")
    parser.add_argument("--quiet", action="store_true", help="no diffs, only the counts")
    parser.add_argument(
        "--classes", type=int, default=0, metavar="N", help="print the N most frequent first differences per kind"
    )
    parser.add_argument("--kind", action="append", choices=ALL_KINDS, help="a kind to run (repeatable; default all)")
    parser.add_argument(
        "--mutate-every",
        type=int,
        default=0,
        metavar="N",
        help="also every Nth document less one attribute or element (1: all of them)",
    )
    options = parser.parse_args(argv)
    if options.mutate_every:
        os.environ["XMLCORPUS_MUTATE_EVERY"] = str(options.mutate_every)
    if options.classes:
        os.environ["XMLCORPUS_CLASSES"] = str(options.classes)
    return run(options.kind, options.fail_under, not options.quiet)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
