# uri: test:///default
# Snapshots in depth: the flags of snapshot creation, REDEFINE (new and existing snapshots,
# parents, states, the embedded domain), CURRENT, VALIDATE, the XML libvirt formats, and
# node files' test: namespace (transient, hasmanagedsave, runstate, domainsnapshot).
import re
import sys
import tempfile
from pathlib import Path

import libvirt

libvirt.registerErrorHandler(lambda context, error: None, None)  # printed below
TIME = re.compile(r"<creationTime>\d+</creationTime>")
STAMP = re.compile(r"\b1\d{9}\b")  # names made of the creation time
URI, socket_part = sys.argv[1], sys.argv[1].split("?", 1)[1]
UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"
OS = "<os><type>hvm</type></os>"
DISK = "<devices><disk type='file' device='disk'><source file='/guest/diskimage1'/><target dev='vda'/></disk></devices>"
DOMAIN = f"<domain type='test'><name>test</name><uuid>{UUID}</uuid><memory>8192</memory>{OS}{DISK}</domain>"


def show(text: str, hide: str = "") -> str:
    return STAMP.sub("N", TIME.sub("<creationTime>T</creationTime>", text.replace(hide, "DIR") if hide else text))


def attempt(label, action, *args, hide=""):
    try:
        result = action(*args)
        if isinstance(result, (libvirt.virDomainSnapshot, libvirt.virDomainCheckpoint)):
            result = f"{type(result).__name__} {result.getName()}"
        print(label, "->", show(str(result), hide))
    except libvirt.libvirtError as error:
        message = show(error.get_error_message(), hide)
        print(label, "!!", error.get_error_code(), error.get_error_domain(), repr(message))


def dump(dom, name):
    return dom.snapshotLookupByName(name).getXMLDesc()


def tree(dom):
    current = dom.snapshotCurrent().getName() if dom.hasCurrentSnapshot() else None
    for snap in sorted(dom.listAllSnapshots(), key=lambda s: s.getName()):
        try:
            parent = snap.getParent().getName()
        except libvirt.libvirtError:
            parent = None
        kids = sorted(s.getName() for s in snap.listAllChildren())
        print("  ", snap.getName(), "parent", parent, "children", kids, "current", snap.getName() == current)


conn = libvirt.open(URI)
dom = conn.lookupByName("test")
S = libvirt
for flag in (
    S.VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA,
    S.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
    S.VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT,
    1 << 12,
):
    attempt(f"flag {flag:#x}", dom.snapshotCreateXML, "<domainsnapshot/>", flag)
for flag in (
    S.VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE,
    S.VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC,
    S.VIR_DOMAIN_SNAPSHOT_CREATE_LIVE,
):
    attempt(f"flag {flag:#x}", dom.snapshotCreateXML, f"<domainsnapshot><name>f{flag}</name></domainsnapshot>", flag)
for snap in dom.listAllSnapshots():
    snap.delete()
attempt("nameless", lambda: dom.snapshotCreateXML("<domainsnapshot/>").delete())
attempt(
    "s1",
    lambda: dom.snapshotCreateXML(
        "<domainsnapshot><name>s1</name><description>a &amp; b</description></domainsnapshot>"
    ),
)
attempt("dump s1", lambda: dom.snapshotLookupByName("s1").getXMLDesc())
attempt("dump secure", lambda: dom.snapshotLookupByName("s1").getXMLDesc(S.VIR_DOMAIN_SNAPSHOT_XML_SECURE))
attempt("dump bad flag", lambda: dom.snapshotLookupByName("s1").getXMLDesc(2))
attempt("duplicate", lambda: dom.snapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>"))
bodies = {
    "memory manual": "<memory snapshot='manual'/>",
    "memory file internal": "<memory snapshot='internal' file='/m'/>",
    "memory external nofile": "<memory snapshot='external'/>",
    "memory relative": "<memory file='m'/>",
    "memory bogus": "<memory snapshot='bogus'/>",
    "disk nameless": "<disks><disk/></disks>",
    "disk nosuch": "<disks><disk name='sdz'/></disks>",
    "disk twice": "<disks><disk name='vda'/><disk name='vda'/></disks>",
    "disk too many": "<disks><disk name='vda'/><disk name='vdb'/></disks>",
    "disk no": "<disks><disk name='vda' snapshot='no'/></disks>",
    "disk manual": "<disks><disk name='vda' snapshot='manual'/></disks>",
    "disk file": "<disks><disk name='vda' snapshot='internal'><source file='/x'/></disk></disks>",
    "disk relative": "<disks><disk name='vda'><source file='x'/></disk></disks>",
    "disk dir": "<disks><disk name='vda' type='dir'/></disks>",
    "disk driver": "<disks><disk name='vda'><driver type='nosuch'/></disk></disks>",
    "memory external": "<memory snapshot='external' file='/tmp/m'/>",
    "disk internal": "<disks><disk name='vda' snapshot='internal'/></disks>",
}
for label, body in bodies.items():
    name = label.replace(" ", "")
    xml = f"<domainsnapshot><name>{name}</name>{body}</domainsnapshot>"
    attempt(label, dom.snapshotCreateXML, xml)
    attempt(label + " dump", dump, dom, name)
attempt(
    "validate bad",
    lambda: dom.snapshotCreateXML("<domainsnapshot><bogus/></domainsnapshot>", S.VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE),
)
attempt(
    "validate good",
    lambda: dom.snapshotCreateXML(
        "<domainsnapshot><name>v</name></domainsnapshot>", S.VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE
    ),
)
attempt("malformed", lambda: dom.snapshotCreateXML("<domainsnapshot>"))
attempt("wrong root", lambda: dom.snapshotCreateXML("<domain/>"))
tree(dom)

R = S.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE
C = S.VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT
TEST_NS = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'"
MANAGED = DOMAIN.replace("</domain>", f"<test:hasmanagedsave {TEST_NS}/></domain>")
redefines = {
    "no name": "<domainsnapshot/>",
    "no time": "<domainsnapshot><name>r</name></domainsnapshot>",
    "no state": "<domainsnapshot><name>r</name><creationTime>5</creationTime></domainsnapshot>",
    "bad state": "<domainsnapshot><name>r</name><creationTime>5</creationTime><state>bogus</state></domainsnapshot>",
    "nostate": "<domainsnapshot><name>r</name><creationTime>5</creationTime><state>nostate</state></domainsnapshot>",
    "no domain": "<domainsnapshot><name>r</name><creationTime>5</creationTime><state>running</state></domainsnapshot>",
    "own parent": "<domainsnapshot><name>r</name><parent><name>r</name></parent><creationTime>5</creationTime>"
    "<state>running</state></domainsnapshot>",
    "lost parent": "<domainsnapshot><name>r</name><parent><name>zz</name></parent><creationTime>5</creationTime>"
    "<state>running</state></domainsnapshot>",
    "other uuid": "<domainsnapshot><name>r</name><creationTime>5</creationTime><state>running</state>"
    "<domain type='test'><name>x</name><uuid>11111111-2222-3333-4444-555555555555</uuid><memory>8</memory>"
    f"{OS}</domain></domainsnapshot>",
    "offline memory": "<domainsnapshot><name>r</name><creationTime>5</creationTime><state>shutoff</state>"
    f"<memory snapshot='internal'/>{DOMAIN}</domainsnapshot>",
    "r1": f"<domainsnapshot><name>r1</name><creationTime>5</creationTime><state>shutoff</state>{DOMAIN}"
    "</domainsnapshot>",
    "r2": "<domainsnapshot><name>r2</name><description>two</description><parent><name>r1</name></parent>"
    f"<creationTime>7</creationTime><state>paused</state>{DOMAIN}</domainsnapshot>",
    "r3": "<domainsnapshot><name>r3</name><parent><name>r2</name></parent><creationTime>9</creationTime>"
    "<state>disk-snapshot</state><disks><disk name='vda' snapshot='external'><driver type='qcow2'/>"
    f"<source file='/snap/r3'/></disk></disks>{DOMAIN}</domainsnapshot>",
    "r4": "<domainsnapshot><name>r4</name><creationTime>9</creationTime><state>crashed</state>"
    f"<memory snapshot='no'/><disks><disk name='vda' snapshot='no'/></disks>{DOMAIN}</domainsnapshot>",
    "cycle": "<domainsnapshot><name>r1</name><parent><name>r2</name></parent><creationTime>5</creationTime>"
    f"<state>shutoff</state>{DOMAIN}</domainsnapshot>",
    "online change": "<domainsnapshot><name>r1</name><creationTime>5</creationTime><state>running</state>"
    "</domainsnapshot>",
    "disk-only change": "<domainsnapshot><name>r1</name><creationTime>5</creationTime><state>disk-snapshot</state>"
    "</domainsnapshot>",
    "replace r1": "<domainsnapshot><name>r1</name><description>new</description><creationTime>6</creationTime>"
    "<state>shutoff</state></domainsnapshot>",
    "old domain": "<domainsnapshot><name>r5</name><creationTime>5</creationTime><state>running</state>"
    f"<domain><uuid>{UUID}</uuid></domain></domainsnapshot>",
    "test namespace": "<domainsnapshot><name>r8</name><creationTime>5</creationTime><state>running</state>"
    f"{MANAGED}</domainsnapshot>",
    "disk-only flag": "<domainsnapshot><name>r6</name><creationTime>5</creationTime><state>running</state>"
    f"{DOMAIN}</domainsnapshot>",
}
for label, xml in redefines.items():
    flags = R | (S.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY if label == "disk-only flag" else 0)
    attempt("redefine " + label, dom.snapshotCreateXML, xml, flags)
for name in ("r1", "r2", "r3", "r4"):
    attempt("dump " + name, dump, dom, name)
tree(dom)
attempt("redefine current", dom.snapshotCreateXML, redefines["r2"].replace("r2", "r7").replace("r1", "r3"), R | C)
attempt("current without redefine", lambda: dom.snapshotCreateXML("<domainsnapshot><name>c</name></domainsnapshot>", C))
tree(dom)
attempt("child of current", lambda: dom.snapshotCreateXML("<domainsnapshot><name>k</name></domainsnapshot>"))
attempt("dump k parent", lambda: dom.snapshotLookupByName("k").getParent().getName())
for flag in (
    S.VIR_DOMAIN_SNAPSHOT_LIST_ACTIVE,
    S.VIR_DOMAIN_SNAPSHOT_LIST_INACTIVE,
    S.VIR_DOMAIN_SNAPSHOT_LIST_DISK_ONLY,
    S.VIR_DOMAIN_SNAPSHOT_LIST_INTERNAL,
    S.VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL,
):
    attempt(f"list {flag:#x}", lambda flag: sorted(s.getName() for s in dom.listAllSnapshots(flag)), flag)
attempt(
    "halt",
    lambda: dom.snapshotCreateXML("<domainsnapshot><name>h</name></domainsnapshot>", S.VIR_DOMAIN_SNAPSHOT_CREATE_HALT),
)
attempt("halt state", lambda: dom.state())
attempt("dump halted", lambda: dom.snapshotLookupByName("h").getXMLDesc())
attempt("shutoff snap", lambda: dom.snapshotCreateXML("<domainsnapshot><name>off</name></domainsnapshot>"))
attempt("dump off", lambda: dom.snapshotLookupByName("off").getXMLDesc())
transient = conn.createXML(f"<domain type='test'><name>tr</name><memory>8192</memory>{OS}</domain>")
attempt("transient halt", lambda: transient.snapshotCreateXML("<domainsnapshot/>", S.VIR_DOMAIN_SNAPSHOT_CREATE_HALT))
transient.destroy()
other = conn.defineXML(f"<domain type='test'><name>cp</name><memory>8192</memory>{OS}{DISK}</domain>")
other.create()
other.checkpointCreateXML("<domaincheckpoint><name>c1</name></domaincheckpoint>")
attempt("with checkpoint", lambda: other.snapshotCreateXML("<domainsnapshot><name>x</name></domainsnapshot>"))

# checkpoints: creation, REDEFINE, the XML, errors
CR = S.VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE
CP_DISKS = (
    "<devices><disk type='file' device='disk'><source file='/a'/><target dev='vda'/></disk>"
    "<disk type='file' device='cdrom'><target dev='hdc'/><readonly/></disk>"
    "<disk type='file' device='disk'><source file='/b'/><target dev='vdb'/></disk></devices>"
)
CP_DOMAIN = f"<domain type='test'><name>cq</name><uuid>{UUID.replace('6', '7')}</uuid><memory>8192</memory>{OS}"
cq = conn.createXML(f"{CP_DOMAIN}{CP_DISKS}</domain>")
checkpoints = {
    "plain": ("<domaincheckpoint><name>c1</name><description>one</description></domaincheckpoint>", 0),
    "nameless": ("<domaincheckpoint/>", 0),
    "bogus": ("<domaincheckpoint><bogus/></domaincheckpoint>", 0),
    "flag": ("<domaincheckpoint/>", 4),
    "disks": (
        "<domaincheckpoint><name>c2</name><disks><disk name='vdb' checkpoint='bitmap' bitmap='bb'/>"
        "</disks></domaincheckpoint>",
        0,
    ),
    "disk by path": ("<domaincheckpoint><name>c3</name><disks><disk name='/a'/></disks></domaincheckpoint>", 0),
    "no disk": ("<domaincheckpoint><name>c4</name><disks><disk name='sdz'/></disks></domaincheckpoint>", 0),
    "readonly": ("<domaincheckpoint><name>c4</name><disks><disk name='hdc'/></disks></domaincheckpoint>", 0),
    "readonly no": (
        "<domaincheckpoint><name>c5</name><disks><disk name='hdc' checkpoint='no'/></disks></domaincheckpoint>",
        0,
    ),
    "twice": (
        "<domaincheckpoint><name>c4</name><disks><disk name='vda'/><disk name='vda'/></disks></domaincheckpoint>",
        0,
    ),
    "duplicate": ("<domaincheckpoint><name>c1</name></domaincheckpoint>", 0),
    "redefine nameless": ("<domaincheckpoint/>", CR),
    "redefine no time": ("<domaincheckpoint><name>r</name></domaincheckpoint>", CR),
    "redefine lost parent": (
        "<domaincheckpoint><name>r</name><parent><name>zz</name></parent>"
        "<creationTime>3</creationTime></domaincheckpoint>",
        CR,
    ),
    "redefine bare": (
        "<domaincheckpoint><name>r1</name><parent><name>c1</name></parent><creationTime>3</creationTime>"
        "<disks><disk name='vda'/></disks></domaincheckpoint>",
        CR,
    ),
    "redefine domain": (
        "<domaincheckpoint><name>r2</name><creationTime>4</creationTime>"
        f"{CP_DOMAIN}{CP_DISKS}</domain></domaincheckpoint>",
        CR,
    ),
    "redefine uuid": (
        f"<domaincheckpoint><name>r3</name><creationTime>4</creationTime>{DOMAIN}</domaincheckpoint>",
        CR,
    ),
    "replace c1": ("<domaincheckpoint><name>c1</name><creationTime>5</creationTime></domaincheckpoint>", CR),
}
for label, (xml, flags) in checkpoints.items():
    attempt("checkpoint " + label, cq.checkpointCreateXML, xml, flags)
for cp in sorted(cq.listAllCheckpoints(), key=lambda c: c.getName()):
    if cp.getName().isalpha() or cp.getName()[1:].isdigit():
        print(show(cp.getXMLDesc(S.VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN)))
attempt("checkpoint dump", lambda: cq.checkpointLookupByName("c2").getXMLDesc())
attempt("checkpoint size", lambda: cq.checkpointLookupByName("c2").getXMLDesc(S.VIR_DOMAIN_CHECKPOINT_XML_SIZE))
attempt("checkpoint bad flag", lambda: cq.checkpointLookupByName("c2").getXMLDesc(8))
attempt(
    "checkpoint parents",
    lambda: sorted(
        (c.getName(), c.getParent().getName()) for c in cq.listAllCheckpoints() if c.getName() not in ("c1", "r2")
    ),
)
attempt("checkpoint snapshot", lambda: cq.snapshotCreateXML("<domainsnapshot/>"))
attempt("checkpoint missing", lambda: cq.checkpointLookupByName("nosuch"))
inactive = conn.defineXML(f"<domain type='test'><name>ci</name><memory>8192</memory>{OS}{DISK}</domain>")
attempt("checkpoint inactive", lambda: inactive.checkpointCreateXML("<domaincheckpoint/>"))
conn.close()

# node files
with tempfile.TemporaryDirectory() as folder:
    base = Path(folder)
    NS = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'"

    def node(name, extra, snaps=""):
        text = (
            f"<node><domain type='test' {NS}><name>d</name><uuid>{UUID}</uuid><memory>8192</memory>{OS}"
            f"<devices><disk type='file' device='disk'><source file='/img'/><target dev='hda'/></disk>"
            f"</devices>{extra}{snaps}</domain></node>\n"
        )
        (base / name).write_text(text)
        return f"test+unix://{base / name}?{socket_part}"

    def snap(name, active, parent="", extra=""):
        parent_xml = f"<parent><name>{parent}</name></parent>" if parent else ""
        return (
            f"<test:domainsnapshot><name>{name}</name>{parent_xml}<state>running</state>"
            f"<creationTime>12{len(name)}</creationTime>{extra}<domain type='test'><name>d</name><uuid>{UUID}"
            f"</uuid><memory>8192</memory>{OS}</domain>{active}</test:domainsnapshot>"
        )

    (base / "snapfile.xml").write_text(
        "<domainsnapshot><name>fromfile</name><state>shutoff</state><creationTime>99</creationTime>"
        "<parent><name>a</name></parent><active>0</active></domainsnapshot>\n"
    )
    (base / "wrongroot.xml").write_text("<domain/>\n")
    cases = {
        "transient": node("t.xml", "<test:transient/>"),
        "transient off": node("to.xml", "<test:transient/><test:runstate>5</test:runstate>"),
        "managedsave": node("m.xml", "<test:hasmanagedsave/><test:runstate>5</test:runstate>"),
        "managedsave on": node("mo.xml", "<test:hasmanagedsave/>"),
        "runstate range": node("r.xml", "<test:runstate>8</test:runstate>"),
        "runstate big": node("rb.xml", "<test:runstate>4294967296</test:runstate>"),
        "runstate bad": node("rx.xml", "<test:runstate>abc</test:runstate>"),
        "runstate neg": node("rn.xml", "<test:runstate>-1</test:runstate>"),
        "runstate crashed": node("rc.xml", "<test:runstate>6</test:runstate>"),
        "runstate spaced": node("rs.xml", "<test:runstate> 3</test:runstate>"),
        "runstate plus": node("rp.xml", "<test:runstate>+3</test:runstate>"),
        "runstate trailing": node("rt.xml", "<test:runstate>3 </test:runstate>"),
        "runstate empty": node("re.xml", "<test:runstate></test:runstate>"),
        "runstate nostate": node("r0.xml", "<test:runstate>0</test:runstate>"),
        "runstate huge": node("rh.xml", "<test:runstate>4294967295</test:runstate>"),
        "snapshots": node(
            "s.xml",
            "",
            snap("a", "<active>0</active>")
            + snap(
                "b",
                "<active>1</active>",
                "a",
                "<memory snapshot='internal'/>"
                "<disks><disk name='hda' snapshot='internal'/><disk name='x'><source file='/y'/>"
                "</disk></disks>",
            )
            + snap("c", "<active>0</active>", "a")
            + "<test:domainsnapshot file='snapfile.xml'/>",
        ),
        "two active": node("s2.xml", "", snap("a", "<active>1</active>") + snap("b", "<active>1</active>")),
        "no active": node("s3.xml", "", snap("a", "")),
        "lost parent": node("s4.xml", "", snap("a", "<active>1</active>", "zz")),
        "duplicate": node("s5.xml", "", snap("a", "<active>0</active>") + snap("a", "<active>0</active>")),
        "no name": node("s6.xml", "", "<test:domainsnapshot><domainsnapshot/></test:domainsnapshot>"),
        "missing file": node("s7.xml", "", "<test:domainsnapshot file='nosuch.xml'/>"),
        "wrong root": node("s8.xml", "", "<test:domainsnapshot file='wrongroot.xml'/>"),
        "empty": node("s9.xml", "", "<test:domainsnapshot/>"),
    }
    for label, uri in cases.items():
        try:
            conn = libvirt.open(uri)
        except libvirt.libvirtError as error:
            message = show(error.get_error_message(), folder)
            print(label, "!!", error.get_error_code(), error.get_error_domain(), repr(message))
            continue
        d = conn.lookupByName("d")
        print(label, "state", d.state(), "persistent", d.isPersistent(), "managedsave", d.hasManagedSaveImage())
        tree(d)
        for s in sorted(d.listAllSnapshots(), key=lambda s: s.getName()):
            print(show(s.getXMLDesc(), folder))
        if label == "managedsave":
            attempt("start", d.create)
            attempt("state", lambda d: (d.state(), d.hasManagedSaveImage()), d)
        if label == "transient":
            attempt("destroy", d.destroy)
            attempt("gone", lambda conn: [x.name() for x in conn.listAllDomains()], conn)
        conn.close()
