# uri: test:///default
# A running domain's two definitions, kept apart as libvirt keeps vm->def and vm->newDef:
# defining anew while it runs, createXML and restore over an inactive domain, and the
# LIVE/CONFIG setters and getters of memory, vCPUs and metadata.
import os
import sys
import tempfile

import libvirt

conn = libvirt.open(sys.argv[1])


def xml(memory: int, title: str, vcpus: int, extra: str = "") -> str:
    return (
        f"<domain type='test'><name>rd</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
        f"<title>{title}</title><memory unit='KiB'>{memory}</memory><vcpu>{vcpus}</vcpu><os><type>hvm</type></os>"
        f"<devices><disk type='file'><source file='/x'/><target dev='vda'/></disk>{extra}</devices>"
        "</domain>"
    )


def show(domain: libvirt.virDomain, label: str) -> None:
    print("==", label, domain.info()[:4], domain.isActive(), domain.isPersistent())
    print(domain.XMLDesc(0))
    print(domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))


def attempt(label: str, call) -> None:  # type: ignore[no-untyped-def]
    try:
        print(label, call())
    except libvirt.libvirtError as error:
        print(label, "error", error.get_error_code(), error.get_error_domain(), error)


domain = conn.defineXML(xml(1024, "one", 1))
domain.create()
show(domain, "running one")
nic = "<interface type='network'><mac address='52:54:00:11:22:33'/><source network='default'/></interface>"
domain = conn.defineXML(xml(2048, "two", 4, nic))
show(domain, "redefined while running")
CONFIG, LIVE = libvirt.VIR_DOMAIN_AFFECT_CONFIG, libvirt.VIR_DOMAIN_AFFECT_LIVE
attempt("memory config", lambda: domain.setMemoryFlags(1536, CONFIG))
attempt("memory live", lambda: domain.setMemoryFlags(512, LIVE))
attempt("memory both", lambda: domain.setMemoryFlags(512, LIVE | CONFIG))
attempt("max memory config", lambda: domain.setMemoryFlags(3000, CONFIG | libvirt.VIR_DOMAIN_MEM_MAXIMUM))
attempt("max memory live", lambda: domain.setMemoryFlags(3000, libvirt.VIR_DOMAIN_MEM_MAXIMUM))
attempt("vcpus config", lambda: domain.setVcpusFlags(3, CONFIG))
attempt("vcpus live too many", lambda: domain.setVcpusFlags(2, LIVE))
attempt("vcpus config max", lambda: domain.setVcpusFlags(2, CONFIG | libvirt.VIR_DOMAIN_VCPU_MAXIMUM))
for flags in (0, LIVE, CONFIG, CONFIG | libvirt.VIR_DOMAIN_VCPU_MAXIMUM, LIVE | libvirt.VIR_DOMAIN_VCPU_MAXIMUM):
    attempt(f"vcpus flags {flags}", lambda flags=flags: domain.vcpusFlags(flags))
attempt("title config", lambda: domain.setMetadata(libvirt.VIR_DOMAIN_METADATA_TITLE, "cfg", None, None, CONFIG))
attempt("title live", lambda: domain.setMetadata(libvirt.VIR_DOMAIN_METADATA_TITLE, "lv", None, None, LIVE))
attempt(
    "note both",
    lambda: domain.setMetadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, "<n>1</n>", "x", "urn:n", LIVE | CONFIG),
)
for flags in (0, LIVE, CONFIG, LIVE | CONFIG):
    attempt(f"title {flags}", lambda flags=flags: domain.metadata(libvirt.VIR_DOMAIN_METADATA_TITLE, None, flags))
show(domain, "after the setters")
domain.destroy()
show(domain, "stopped")
attempt("title live when stopped", lambda: domain.metadata(libvirt.VIR_DOMAIN_METADATA_TITLE, None, LIVE))
domain = conn.createXML(xml(4096, "three", 3), 0)
show(domain, "createXML over the inactive domain")
domain.destroy()
show(domain, "stopped again")
domain.create()
path = os.path.join(tempfile.mkdtemp(), "rd.save")
domain.save(path)
domain.undefine()
domain = conn.defineXML(xml(512, "four", 1))
conn.restore(path)
domain = conn.lookupByName("rd")
show(domain, "restored over the inactive domain")
domain.destroy()
show(domain, "stopped after the restore")

# The test driver's maximum vCPU count is the live definition's: none while shut off.
counted = conn.defineXML(
    "<domain type='test'><name>mv</name><uuid>11111111-2222-3333-4444-555555555599</uuid><memory>1024</memory>"
    "<vcpu current='1'>3</vcpu><os><type>hvm</type></os></domain>"
)
attempt("max vcpus shut off", counted.maxVcpus)
counted.create()
attempt("max vcpus running", counted.maxVcpus)
