# What lives and dies with a domain, and the test driver's rules for undefine, maximum
# memory and scheduler parameters.
import sys

import libvirt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])
XML = (
    "<domain type='test'><name>{name}</name><uuid>{uuid}</uuid><memory>65536</memory><os><type>hvm</type></os></domain>"
)
FIRST = "11111111-2222-3333-4444-555555555555"


def attempt(label, step):
    try:
        print(label, "->", step())
    except libvirt.libvirtError as error:
        print(label, "->", error.get_error_code(), error.get_error_domain(), error.get_error_message())


dom = conn.defineXML(XML.format(name="lives", uuid=FIRST))
attempt("snapshot", lambda: dom.snapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>").getName())
attempt("checkpoint", lambda: dom.checkpointCreateXML("<domaincheckpoint><name>c1</name></domaincheckpoint>"))
attempt("undefine with a snapshot", dom.undefine)
for flag in ("NVRAM", "KEEP_NVRAM", "CHECKPOINTS_METADATA", "TPM", "KEEP_TPM"):
    attempt(f"undefine {flag}", lambda flag=flag: dom.undefineFlags(getattr(libvirt, "VIR_DOMAIN_UNDEFINE_" + flag)))
attempt("undefine SNAPSHOTS_METADATA", lambda: dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA))
dom = conn.defineXML(XML.format(name="lives", uuid=FIRST))
attempt("redefined: snapshots", dom.snapshotListNames)
attempt("redefined: checkpoints", lambda: [c.getName() for c in dom.listAllCheckpoints()])
attempt("max memory while shut off", lambda: dom.setMaxMemory(131072))
attempt("max memory read back", dom.maxMemory)
attempt("memory in the configuration", lambda: dom.setMemoryFlags(100000, libvirt.VIR_DOMAIN_AFFECT_CONFIG))
attempt("info", lambda: dom.info()[:4])  # (the CPU time of a shut-off domain is the clock's)
dom.create()
attempt("max memory while running", lambda: dom.setMaxMemory(65536))
attempt("running snapshot", lambda: dom.snapshotCreateXML("<domainsnapshot><name>r</name></domainsnapshot>").getName())
dom.destroy()
attempt("managed save", lambda: (dom.create(), dom.managedSave()))
attempt("undefine with a managed save", dom.undefine)
attempt("undefine MANAGED_SAVE", lambda: dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE))
attempt("undefine everything", lambda: dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA))
transient = conn.createXML(XML.format(name="brief", uuid="33333333-2222-3333-4444-555555555555"))
snapshot = "<domainsnapshot><name>t</name></domainsnapshot>"
attempt("transient snapshot", lambda: transient.snapshotCreateXML(snapshot).getName())
transient.destroy()
again = conn.createXML(XML.format(name="brief", uuid="33333333-2222-3333-4444-555555555555"))
attempt("transient again: snapshots", again.snapshotListNames)
again.destroy()
test = conn.lookupByName("test")
attempt("scheduler set", lambda: test.setSchedulerParameters({"weight": 10}))
attempt("scheduler read back", test.schedulerParameters)
for flags in (libvirt.VIR_DOMAIN_AFFECT_LIVE, libvirt.VIR_DOMAIN_AFFECT_CONFIG):
    attempt(f"scheduler flags {flags}", lambda flags=flags: test.schedulerParametersFlags(flags))
    attempt(f"scheduler set flags {flags}", lambda flags=flags: test.setSchedulerParametersFlags({"weight": 10}, flags))
