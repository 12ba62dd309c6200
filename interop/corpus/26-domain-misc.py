# uri: test:///default
# The remaining domain and host calls: destroy and create variants, dumps, save images, the guest's
# clock and filesystems, keys, signals, memory, CPU statistics, free pages, snapshot children, baseline CPUs.
import os
import shutil
import sys
import tempfile
import threading
import time

import libvirt

libvirt.registerErrorHandler(lambda context, error: None, None)  # the errors are printed below, paths hidden
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
conn = libvirt.open(sys.argv[1])
events = []
conn.domainEventRegisterAny(
    None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lambda c, d, e, x, o: events.append((d.name(), e, x)), None
)
folder = tempfile.mkdtemp(prefix="virtrio-misc-")


def show(label, call):
    try:
        result = call()
    except libvirt.libvirtError as error:
        result = f"error {error.get_error_code()} {error.get_error_domain()} {error.get_error_message()}"
    text = result if isinstance(result, str) else repr(result)
    print(label, ("\n" if "\n" in text else "") + text.replace(folder, "<tmp>"))


def path(name):
    return os.path.join(folder, name)


dom = conn.lookupByName("test")
MISC = """<domain type='test'>
  <name>misc</name>
  <uuid>26262626-0000-4000-8000-000000000026</uuid>
  <memory>1048576</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>"""
TRANSIENT = MISC.replace("misc", "misc-transient").replace("0026</uuid>", "0027</uuid>")
misc = conn.defineXML(MISC)

print("# free pages")
show("free pages", lambda: conn.getFreePages([4, 2048], 0, 2, 0))
show("free pages flags", lambda: conn.getFreePages([4], 0, 1, 1))
show("free pages too many", lambda: conn.getFreePages(list(range(1, 600)), 0, 2, 0))

print("# destroy with flags, create with files")
show("destroy inactive", lambda: misc.destroyFlags(0))
show("destroy bad flags", lambda: dom.destroyFlags(4))
show("destroy graceful", lambda: dom.destroyFlags(libvirt.VIR_DOMAIN_DESTROY_GRACEFUL))
show("state", lambda: (dom.state(), dom.ID()))
show("destroy again", lambda: dom.destroyFlags(0))
show("create with files bad flags", lambda: dom.createWithFiles([], 1))
show("create with files", lambda: dom.createWithFiles([], 0))
show("state", lambda: (dom.state(), dom.ID()))
show("create with files running", lambda: dom.createWithFiles([], 0))
show("create xml with files bad flags", lambda: conn.createXMLWithFiles(TRANSIENT, [], 2).name())
transient = conn.createXMLWithFiles(TRANSIENT, [], libvirt.VIR_DOMAIN_START_VALIDATE)
show("create xml with files", lambda: (transient.name(), transient.ID(), transient.isPersistent(), transient.state()))
show("create xml with files again", lambda: conn.createXMLWithFiles(TRANSIENT, [], 0).name())
show("create xml with files bad xml", lambda: conn.createXMLWithFiles("<domain type='test'>", [], 0).name())
show("destroy transient", lambda: transient.destroyFlags(0))
show("transient gone", lambda: conn.lookupByName("misc-transient").name())

print("# guest clock")
show("time", lambda: dom.getTime())
show("set time", lambda: dom.setTime({"seconds": 100, "nseconds": 5}))
show("time", lambda: dom.getTime())
show("control info", lambda: dom.controlInfo())
show("set time sync", lambda: dom.setTime({"seconds": 12345}, libvirt.VIR_DOMAIN_TIME_SYNC))
show("control info", lambda: dom.controlInfo())
for seconds in (30000, 30001, 35002, 59999, 60000, -5):
    show(f"set time {seconds}", lambda seconds=seconds: dom.setTime({"seconds": seconds}))
    show("control info", lambda: dom.controlInfo())
show("set time bad flags", lambda: dom.setTime({"seconds": 1}, 2))
show("set time inactive", lambda: misc.setTime({"seconds": 1}))
show("time inactive", lambda: misc.getTime())
dom.suspend()
show("time paused", lambda: dom.getTime())
show("set time paused", lambda: dom.setTime({"seconds": 627319920}))
dom.resume()
show("time", lambda: dom.getTime())

print("# guest filesystems")
show("freeze all", lambda: dom.fsFreeze())
show("freeze all again", lambda: dom.fsFreeze())
show("thaw /", lambda: dom.fsThaw(["/"]))
show("freeze / /boot", lambda: dom.fsFreeze(["/", "/boot"]))
show("thaw unknown", lambda: dom.fsThaw(["/boot", "/home"]))
show("thaw all", lambda: dom.fsThaw())
show("thaw all again", lambda: dom.fsThaw())
show("freeze unknown", lambda: dom.fsFreeze(["/", "/srv"]))
show("thaw after failure", lambda: dom.fsThaw())
show("freeze twice named", lambda: dom.fsFreeze(["/boot", "/boot"]))
show("thaw all", lambda: dom.fsThaw())
show("freeze bad flags", lambda: dom.fsFreeze(None, 1))
show("thaw bad flags", lambda: dom.fsThaw(None, 1))
show("freeze inactive", lambda: misc.fsFreeze())
show("thaw inactive", lambda: misc.fsThaw())
show("trim", lambda: dom.fSTrim(None, 0, 0))
show("trim /boot", lambda: dom.fSTrim("/boot", 1024, 0))
show("trim unknown", lambda: dom.fSTrim("/var", 0, 0))
show("trim bad flags", lambda: dom.fSTrim(None, 0, 1))
show("trim inactive", lambda: misc.fSTrim(None, 0, 0))

print("# passwords, NMI, keys, signals")
show("password", lambda: dom.setUserPassword("root", "secret", 0))
show("password encrypted", lambda: dom.setUserPassword("root", "$6$x", libvirt.VIR_DOMAIN_PASSWORD_ENCRYPTED))
show("password bad flags", lambda: dom.setUserPassword("root", "secret", 2))
show("password inactive", lambda: misc.setUserPassword("root", "secret", 0))
show("nmi", lambda: dom.injectNMI(0))
show("nmi bad flags", lambda: dom.injectNMI(1))
show("nmi inactive", lambda: misc.injectNMI(0))
show("keys linux", lambda: dom.sendKey(libvirt.VIR_KEYCODE_SET_LINUX, 10, [29, 56, 111], 3, 0))
keys = [
    (0, 0x20C),
    (0, 0x10A),
    (1, 0xE07D),
    (1, 300),
    (2, 0x7E),
    (2, 0x7F),
    (3, 0xE07D),
    (3, 0x2),
    (4, 0xA3),
    (4, 0x1),
    (5, 0xFF),
    (5, 0x34),
    (6, 0x17D),
    (6, 0xE07D),
    (7, 0xFB),
    (7, 0x31),
    (8, 0xFB),
    (8, 0x3),
    (9, 0xFD),
    (9, 0xE0),
    (9, 0),
]
for codeset, code in keys:
    show(f"key {codeset} {code:#x}", lambda codeset=codeset, code=code: dom.sendKey(codeset, 0, [code], 1, 0))
show("keys bad codeset", lambda: dom.sendKey(10, 0, [1], 1, 0))
show("keys bad flags", lambda: dom.sendKey(0, 0, [1], 1, 1))
show("keys inactive", lambda: misc.sendKey(0, 0, [1], 1, 0))
show("signal", lambda: dom.sendProcessSignal(1, libvirt.VIR_DOMAIN_PROCESS_SIGNAL_TERM, 0))
show("signal other pid", lambda: dom.sendProcessSignal(2, 9, 0))
show("signal out of range", lambda: dom.sendProcessSignal(1, 65, 0))
show("signal last", lambda: dom.sendProcessSignal(1, 64, 0))
show("signal bad flags", lambda: dom.sendProcessSignal(1, 9, 1))
show("signal inactive", lambda: misc.sendProcessSignal(1, 9, 0))

print("# memory and CPU statistics")
show("peek virtual", lambda: dom.memoryPeek(250, 10, libvirt.VIR_MEMORY_VIRTUAL))
show("peek physical", lambda: dom.memoryPeek(4097, 4, libvirt.VIR_MEMORY_PHYSICAL))
show("peek nothing", lambda: dom.memoryPeek(0, 0, libvirt.VIR_MEMORY_VIRTUAL))
show("peek no kind", lambda: dom.memoryPeek(0, 4, 0))
show("peek both kinds", lambda: dom.memoryPeek(0, 4, 3))
show("peek bad flags", lambda: dom.memoryPeek(0, 4, 5))
show("peek too much", lambda: dom.memoryPeek(0, 5000000, libvirt.VIR_MEMORY_VIRTUAL))
show("peek inactive", lambda: misc.memoryPeek(0, 4, libvirt.VIR_MEMORY_VIRTUAL))
show("cpu stats total", lambda: dom.getCPUStats(True))
show("cpu stats per cpu", lambda: dom.getCPUStats(False))
show("cpu stats strings ok", lambda: dom.getCPUStats(True, libvirt.VIR_TYPED_PARAM_STRING_OKAY))
show("cpu stats bad flags", lambda: dom.getCPUStats(True, 1))
show("cpu stats inactive", lambda: misc.getCPUStats(True))
show("launch security", lambda: dom.launchSecurityInfo(0))

print("# core dumps")
show("dump", lambda: dom.coreDump(path("core"), 0))
with open(path("core"), "rb") as dump:
    print("dump content", dump.read())
show("dump kdump", lambda: dom.coreDumpWithFormat(path("kdump"), libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB, 0))
show("kdump written anyway", lambda: os.path.getsize(path("kdump")))
show("dump unknown format", lambda: dom.coreDumpWithFormat(path("x"), 99, 0))
show("dump nowhere", lambda: dom.coreDump("/nonexistent/folder/core", 0))
show("dump bad flags", lambda: dom.coreDump(path("core"), libvirt.VIR_DUMP_LIVE))
show("dump crash and reset", lambda: dom.coreDump(path("core"), libvirt.VIR_DUMP_CRASH | libvirt.VIR_DUMP_RESET))
show("dump inactive", lambda: misc.coreDump(path("core"), 0))
show("dump and crash", lambda: dom.coreDumpWithFormat(path("crash"), 0, libvirt.VIR_DUMP_CRASH))
show("state", lambda: (dom.state(), dom.isActive()))
dom.create()
transient = conn.createXML(TRANSIENT, 0)
show("dump and crash transient", lambda: transient.coreDump(path("crash2"), libvirt.VIR_DUMP_CRASH))
show("transient gone", lambda: conn.lookupByName("misc-transient").name())

print("# save images")
show("save", lambda: dom.save(path("image")))
with open(path("image"), "rb") as image:
    print("image header", image.read(15))
show("image xml", lambda: conn.saveImageGetXMLDesc(path("image"), 0))
show(
    "image xml secure",
    lambda: (
        conn.saveImageGetXMLDesc(path("image"), libvirt.VIR_DOMAIN_SAVE_IMAGE_XML_SECURE)
        == conn.saveImageGetXMLDesc(path("image"), 0)
    ),
)
show("image xml bad flags", lambda: conn.saveImageGetXMLDesc(path("image"), 2))
# (images that merely end too soon are left out: libvirtd then reports whatever errno its worker thread had)
bad_images = {
    "garbage": b"x" * 100,
    "zero length": b"TestGuestMagic\0" + (0).to_bytes(4, "little"),
    "huge length": b"TestGuestMagic\0" + (9000).to_bytes(4, "little") + b"<" * 9000,
    "not xml": b"TestGuestMagic\0" + (5).to_bytes(4, "little") + b"hello",
}
for name, content in bad_images.items():
    with open(path(name), "wb") as image:
        image.write(content)
    show(f"image xml {name}", lambda name=name: conn.saveImageGetXMLDesc(path(name), 0))
show("image xml missing", lambda: conn.saveImageGetXMLDesc(path("missing"), 0))
show("image xml folder", lambda: conn.saveImageGetXMLDesc(folder, 0))
changed = conn.saveImageGetXMLDesc(path("image"), 0).replace("</uuid>", "</uuid>\n  <description>edited</description>")
show("define image", lambda: conn.saveImageDefineXML(path("image"), changed, 0))
show("image xml edited", lambda: conn.saveImageGetXMLDesc(path("image"), 0))
show("define image paused", lambda: conn.saveImageDefineXML(path("image"), changed, libvirt.VIR_DOMAIN_SAVE_PAUSED))
show("define image bad flags", lambda: conn.saveImageDefineXML(path("image"), changed, 1))
show("define image bad xml", lambda: conn.saveImageDefineXML(path("image"), "<domain", 0))
show("define image not domain", lambda: conn.saveImageDefineXML(path("image"), "<network/>", 0))
show("define image garbage", lambda: conn.saveImageDefineXML(path("garbage"), changed, 0))
show("define image missing", lambda: conn.saveImageDefineXML(path("missing"), changed, 0))
show("restore", lambda: conn.restore(path("image")))
show("restored", lambda: (dom.state(), dom.ID()))
show("restore bad image", lambda: conn.restore(path("garbage")))

print("# snapshot children")  # of the inactive domain: reverting there changes nothing else
snap_a = misc.snapshotCreateXML("<domainsnapshot><name>a</name></domainsnapshot>")
snap_b = misc.snapshotCreateXML("<domainsnapshot><name>b</name></domainsnapshot>")
misc.revertToSnapshot(snap_a)
snap_c = misc.snapshotCreateXML("<domainsnapshot><name>c</name></domainsnapshot>")
misc.snapshotCreateXML("<domainsnapshot><name>d</name></domainsnapshot>")
misc.revertToSnapshot(snap_c)
misc.snapshotCreateXML("<domainsnapshot><name>e</name></domainsnapshot>")
DESCENDANTS = libvirt.VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS
for label, flags in [
    ("children", 0),
    ("descendants", DESCENDANTS),
    ("topological", DESCENDANTS | libvirt.VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL),
    ("leaves", DESCENDANTS | libvirt.VIR_DOMAIN_SNAPSHOT_LIST_LEAVES),
    ("no leaves", DESCENDANTS | libvirt.VIR_DOMAIN_SNAPSHOT_LIST_NO_LEAVES),
    ("child leaves", libvirt.VIR_DOMAIN_SNAPSHOT_LIST_LEAVES),
    ("active", DESCENDANTS | libvirt.VIR_DOMAIN_SNAPSHOT_LIST_ACTIVE),
    ("inactive", DESCENDANTS | libvirt.VIR_DOMAIN_SNAPSHOT_LIST_INACTIVE),
    ("no metadata", DESCENDANTS | libvirt.VIR_DOMAIN_SNAPSHOT_LIST_NO_METADATA),
    ("bad flags", 1 << 20),
]:
    show(f"names a {label}", lambda flags=flags: snap_a.listChildrenNames(flags))
    show(f"all a {label}", lambda flags=flags: [s.getName() for s in snap_a.listAllChildren(flags)])
show("names c", lambda: snap_c.listChildrenNames(0))
show("names b", lambda: snap_b.listChildrenNames(DESCENDANTS))
show("num a", lambda: (snap_a.numChildren(0), snap_a.numChildren(DESCENDANTS)))
snap_a.delete(libvirt.VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN)
show("names after delete", lambda: misc.snapshotListNames(0))

print("# baseline CPUs")


def cpu(model, vendor=None, features=(), arch="x86_64", extra=""):
    parts = [f"<arch>{arch}</arch>", f"<model>{model}</model>", f"<vendor>{vendor}</vendor>" if vendor else "", extra]
    return "<cpu>" + "".join(parts + [f"<feature name='{name}'/>" for name in features]) + "</cpu>"


baselines = {
    "one": [cpu("Haswell", "Intel", ["vmx"], extra="<topology sockets='1' cores='2' threads='1'/>")],
    "two": [cpu("Haswell", "Intel"), cpu("SandyBridge", "Intel", ["pdpe1gb"])],
    "three": [cpu("Skylake-Client", "Intel"), cpu("Haswell-noTSX", "Intel"), cpu("Broadwell", "Intel")],
    "amd": [cpu("EPYC", "AMD"), cpu("Opteron_G5", "AMD")],
    "removed features": [cpu("EPYC", "AMD")],
    "no vendor": [cpu("Haswell", "Intel"), cpu("SandyBridge")],
    "i686": [cpu("pentium3", arch="i686"), cpu("pentium2", arch="i686")],
    "ppc64": [cpu("POWER8", "IBM", arch="ppc64le"), cpu("POWER8", arch="ppc64")],
    "aarch64": [cpu("cortex-a57", arch="aarch64")],
}
for label, cpus in baselines.items():
    show(f"baseline {label}", lambda cpus=cpus: conn.baselineCPU(cpus, 0))
show("baseline expanded", lambda: conn.baselineCPU(baselines["amd"], libvirt.VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES))
show("baseline ppc64 expanded", lambda: conn.baselineCPU(baselines["ppc64"], 1))
baseline_errors = {
    "vendors differ": [cpu("Haswell", "Intel"), cpu("Opteron_G3", "AMD")],
    "vendor of model": [cpu("Haswell", "Intel"), cpu("Opteron_G3", "Intel")],
    "unknown vendor": [cpu("Nehalem", "Foo")],
    "unknown model": [cpu("Foo")],
    "unknown feature": [cpu("Nehalem", features=["nope"])],
    "feature twice": [cpu("Nehalem", features=["vmx", "vmx"])],
    "guest cpu": ["<cpu mode='custom' match='exact'><model>Westmere</model></cpu>"],
    "no arch": ["<cpu><model>Haswell</model></cpu>"],
    "unknown arch": [cpu("Haswell", arch="amd64")],
    "no model": ["<cpu><arch>x86_64</arch></cpu>"],
    "no cpu driver": [cpu("x", arch="sparc")],
    "no baseline": [cpu("z13", arch="s390x")],
    "ppc64 models differ": [cpu("POWER8", arch="ppc64"), cpu("POWER9", arch="ppc64")],
    "not a cpu": ["<host><cpu><arch>x86_64</arch><model>Nehalem</model></cpu></host>"],
    "malformed": ["<cpu>"],
    "topology": [cpu("Haswell", extra="<topology sockets='0' cores='1' threads='1'/>")],
    "none": [],
}
for label, cpus in baseline_errors.items():
    show(f"baseline {label}", lambda cpus=cpus: conn.baselineCPU(cpus, 0))
show("baseline bad flags", lambda: conn.baselineCPU(baselines["one"], 2))

misc.undefine()
shutil.rmtree(folder)
deadline = time.time() + 5
while len(events) < 15 and time.time() < deadline:
    time.sleep(0.05)
time.sleep(0.2)
for event in events:
    print("event", event)
