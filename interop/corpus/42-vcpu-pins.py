# uri: test:///default
# vCPU pins: <cputune><vcpupin> read as virDomainVcpuPinDefParseXML reads it, pinning a running
# domain's vCPUs (testDomainPinVcpuFlags takes no flags), what vcpuPinInfo and vcpus report of
# each definition, the pins of vCPUs removed by a lower maximum, and vCPU counts past 65,535.
import sys

import libvirt

conn = libvirt.open(sys.argv[1])
UUID = "5e0c3b2a-91d4-4f6e-8a7b-3c2d1e0f9a84"


def domain(cputune: str, vcpu: str = "<vcpu current='2'>3</vcpu>") -> str:
    return (
        f"<domain type='test'><name>pins</name><uuid>{UUID}</uuid><memory>1024</memory>{vcpu}"
        f"<cputune>{cputune}</cputune><os><type>hvm</type></os></domain>"
    )


def pins_of_text(xml: str) -> list[str]:
    return [line.strip() for line in xml.splitlines() if "vcpupin" in line or "<vcpu " in line]


def pins(dom: libvirt.virDomain, flags: int = 0) -> list[str]:
    return pins_of_text(dom.XMLDesc(flags))


def attempt(label: str, call) -> object:
    try:
        result = call()
    except libvirt.libvirtError as error:
        print(label, "!!", error.get_error_code(), error.get_error_domain(), repr(error.get_error_message()))
        return None
    print(label, "->", result)
    return result


PARSED = [
    "<vcpupin vcpu='1' cpuset='1,0'/><vcpupin vcpu='0' cpuset='2'/>",
    "<vcpupin vcpu='5' cpuset='1'/>",
    "<vcpupin vcpu='0' cpuset='1'/><vcpupin vcpu='0' cpuset='2'/>",
    "<vcpupin vcpu='0' cpuset='1-3,^2'/>",
    "<vcpupin vcpu='0' cpuset='1,^1'/>",
    "<vcpupin vcpu='0'/>",
    "<vcpupin cpuset='1'/>",
    "<vcpupin vcpu='-1' cpuset='1'/>",
    "<vcpupin vcpu='0' cpuset='x'/>",
    "<shares>5</shares><emulatorpin cpuset='1'/><vcpupin vcpu='1' cpuset='1'/><vcpupin vcpu='0' cpuset='2'/>",
    "<vcpupin vcpu='5' cpuset='1'/><vcpupin vcpu='5' cpuset='1'/>",
]
for cputune in PARSED:
    try:
        made = conn.defineXML(domain(cputune))
    except libvirt.libvirtError as error:
        print(cputune, "!!", error.get_error_code(), error.get_error_domain(), repr(error.get_error_message()))
        continue
    print(cputune, "->", pins(made))
    made.undefine()

dom = conn.defineXML(domain("<vcpupin vcpu='1' cpuset='3'/>"))
attempt("pin info (config)", lambda: dom.vcpuPinInfo(libvirt.VIR_DOMAIN_AFFECT_CONFIG))
attempt("pin inactive", lambda: dom.pinVcpu(0, (True, False)))
dom.create()
attempt("vcpus (maps and CPUs)", lambda: (dom.vcpus()[1], [info[3] for info in dom.vcpus()[0]]))
attempt("pin info (live)", lambda: dom.vcpuPinInfo(0))
attempt("pin 0 to 1,3", lambda: dom.pinVcpu(0, (False, True, False, True)))
attempt("pin with AFFECT_LIVE", lambda: dom.pinVcpuFlags(0, (False, True), libvirt.VIR_DOMAIN_AFFECT_LIVE))
attempt("pin 0 to 2, flags 0", lambda: dom.pinVcpuFlags(0, (False, False, True), 0))
snapshot = dom.snapshotCreateXML("<domainsnapshot><name>pinned</name></domainsnapshot>", 0)
print("snapshot of the running domain", pins_of_text(snapshot.getXMLDesc(0)))
attempt("pin offline vcpu 2", lambda: dom.pinVcpu(2, (True,)))
attempt("pin absent vcpu 9", lambda: dom.pinVcpu(9, (True,)))
attempt("pin 1 to nothing", lambda: dom.pinVcpu(1, (False,)))
EMPTY_PIN_SNAPSHOT = "<domainsnapshot><name>empty</name></domainsnapshot>"
attempt("snapshot with an empty pin", lambda: dom.snapshotCreateXML(EMPTY_PIN_SNAPSHOT, 0))
attempt("vcpus after (maps and CPUs)", lambda: (dom.vcpus()[1], [info[3] for info in dom.vcpus()[0]]))
attempt("pin info after (live)", lambda: dom.vcpuPinInfo(0))
attempt("pin info after (config)", lambda: dom.vcpuPinInfo(libvirt.VIR_DOMAIN_AFFECT_CONFIG))
print("live", pins(dom))
print("inactive", pins(dom, libvirt.VIR_DOMAIN_XML_INACTIVE))
dom.destroy()
dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)

dom = conn.defineXML(domain("<vcpupin vcpu='2' cpuset='3'/><vcpupin vcpu='0' cpuset='1'/>", "<vcpu>3</vcpu>"))
maximum = libvirt.VIR_DOMAIN_AFFECT_CONFIG | libvirt.VIR_DOMAIN_VCPU_MAXIMUM
attempt("maximum 2", lambda: dom.setVcpusFlags(2, maximum))
print("  written", pins(dom))
attempt("maximum 3", lambda: dom.setVcpusFlags(3, maximum))
print("  written", pins(dom))
dom.undefine()

# More vCPUs than virDomainInfo's unsigned short nrVirtCpu holds: clients size their vCPU
# arrays from it, so the low 16 bits decide what vcpus() and vcpuPinInfo() ask for.
for count in (70000, 65536):
    dom = conn.defineXML(domain("", f"<vcpu>{count}</vcpu>"))
    attempt(f"{count}: vCPUs in info", lambda dom=dom: dom.info()[3])
    dom.create()
    attempt(f"{count}: vcpus()", lambda dom=dom: len(dom.vcpus()[0]))
    attempt(f"{count}: pin info", lambda dom=dom: len(dom.vcpuPinInfo(0)))
    attempt(f"{count}: maximum", dom.maxVcpus)
    dom.destroy()
    dom.undefine()
conn.close()
