# uri: test:///default
# Per-vCPU states, <vcpus><vcpu id enabled hotpluggable order/></vcpus>: read as
# virDomainVcpuParse reads them (they decide the current count), completed by
# virDomainVcpuDefPostParse, written for every vCPU; what vcpus() and info() report of a
# running domain whose online vCPUs are not the first ones; setvcpus live and config, and a
# new maximum, rewriting the states.
import sys

import libvirt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])
UUID = "3c9a51e2-7d04-4b8f-a6e1-0f5b2d8c4e71"
CONFIG, LIVE = libvirt.VIR_DOMAIN_AFFECT_CONFIG, libvirt.VIR_DOMAIN_AFFECT_LIVE


def domain(vcpu: str, vcpus: str) -> str:
    return (
        f"<domain type='test'><name>states</name><uuid>{UUID}</uuid><memory>1024</memory>{vcpu}"
        f"<vcpus>{vcpus}</vcpus><os><type>hvm</type></os></domain>"
    )


def states(dom: libvirt.virDomain, flags: int = 0) -> list[str]:
    return [line.strip() for line in dom.XMLDesc(flags).splitlines() if "vcpu" in line]


def attempt(label: str, call) -> object:
    try:
        result = call()
    except libvirt.libvirtError as error:
        print(label, "!!", error.get_error_code(), error.get_error_domain(), repr(error.get_error_message()))
        return None
    print(label, "->", result)
    return result


SPARSE = "<vcpu id='0' enabled='yes' order='1'/><vcpu id='2' enabled='yes' order='2'/><vcpu id='3' enabled='no'/>"
dom = conn.defineXML(domain("<vcpu current='4'>4</vcpu>", SPARSE))
print("defined", states(dom))
attempt("info vCPUs", lambda: dom.info()[3])
attempt("vcpusFlags config", lambda: dom.vcpusFlags(CONFIG))
dom.create()
print("running", states(dom))
attempt("vcpus()", lambda: (dom.vcpus()[1], [info[:2] + info[3:] for info in dom.vcpus()[0]]))
attempt("pin info", lambda: dom.vcpuPinInfo(0))
attempt("set 3 live", lambda: dom.setVcpusFlags(3, LIVE))
print("  live", states(dom))
print("  inactive", states(dom, libvirt.VIR_DOMAIN_XML_INACTIVE))
attempt("vcpus() after", lambda: [info[:2] + info[3:] for info in dom.vcpus()[0]])
attempt("set 1 config", lambda: dom.setVcpusFlags(1, CONFIG))
print("  inactive", states(dom, libvirt.VIR_DOMAIN_XML_INACTIVE))
dom.destroy()
print("stopped", states(dom))
maximum = CONFIG | libvirt.VIR_DOMAIN_VCPU_MAXIMUM
attempt("maximum 6", lambda: dom.setVcpusFlags(6, maximum))
print("  written", states(dom))
attempt("info vCPUs", lambda: dom.info()[3])
attempt("set 5 config", lambda: dom.setVcpusFlags(5, CONFIG))
print("  written", states(dom))
attempt("maximum 2", lambda: dom.setVcpusFlags(2, maximum))
print("  written", states(dom))
attempt("info vCPUs", lambda: dom.info()[3])
dom.create()
print("restarted", states(dom))
dom.destroy()
dom.undefine()

# All offline: a domain without an online vCPU is accepted and started by the test driver.
dom = conn.defineXML(domain("<vcpu>2</vcpu>", "<vcpu id='1' enabled='no'/>"))
print("none online", states(dom))
attempt("start", dom.create)
attempt("info vCPUs", lambda: dom.info()[3])
attempt("vcpus()", lambda: dom.vcpus()[0])
if dom.isActive():
    dom.destroy()
dom.undefine()

# An order above INT_MAX is written with %d, negative, which the copy made at the start refuses.
dom = conn.defineXML(domain("<vcpu>2</vcpu>", "<vcpu id='0' enabled='yes' order='4294967295'/>"))
print("order past INT_MAX", states(dom))
attempt("start", dom.create)
if dom.isActive():
    dom.destroy()
dom.undefine()
conn.close()
