# uri: test:///default
# Reverting to a snapshot puts the snapshot's definition back (testDomainRevertToSnapshot's
# virDomainDefCopy and virDomainObjAssignDef): for inactive and running snapshots, from a
# stopped and from a running domain, with and without REVERT_RUNNING/PAUSED; what the live
# and the inactive definitions say afterwards, the states, the current snapshot, and the
# refusal of a snapshot redefined without its <domain> (already at the redefinition).
import contextlib
import sys

import libvirt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])
UUID = "8d3f2b61-4c7a-4e09-9b15-6a2e0c7d4f38"
RUN, PAUSE = libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING, libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED


def domain(memory: int, title: str) -> str:
    return (
        f"<domain type='test'><name>revert</name><uuid>{UUID}</uuid><title>{title}</title>"
        f"<memory unit='KiB'>{memory}</memory><vcpu>2</vcpu><os><type>hvm</type></os></domain>"
    )


def summary(dom: libvirt.virDomain) -> str:
    def facts(flags: int) -> str:
        xml = dom.XMLDesc(flags)
        lines = [line.strip() for line in xml.splitlines() if "<title>" in line or "emory" in line]
        return " ".join(lines)

    state, reason = dom.state()
    current = dom.snapshotCurrent().getName() if dom.hasCurrentSnapshot() else None
    inactive = facts(libvirt.VIR_DOMAIN_XML_INACTIVE)
    return f"state {state}/{reason} id {dom.ID()} live [{facts(0)}] inactive [{inactive}] current {current}"


def attempt(label: str, call) -> None:
    try:
        call()
    except libvirt.libvirtError as error:
        print(label, "!!", error.get_error_code(), error.get_error_domain(), repr(error.get_error_message()))
        return
    print(label, "->", summary(conn.lookupByUUIDString(UUID)))


def cleanup() -> None:
    try:
        dom = conn.lookupByUUIDString(UUID)
    except libvirt.libvirtError:
        return
    if dom.isActive():
        dom.destroy()
    with contextlib.suppress(libvirt.libvirtError):
        dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)


for snapshot_running in (False, True):
    for domain_running in (False, True):
        for flags in (0, RUN, PAUSE):
            cleanup()
            dom = conn.defineXML(domain(65536, "first"))
            if snapshot_running:
                dom.create()
            snap = dom.snapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>")
            if snapshot_running:
                dom.destroy()
            dom = conn.defineXML(domain(131072, "second"))
            if domain_running:
                dom.create()
                # and a newer persistent definition while it runs
                conn.defineXML(domain(262144, "third"))
            label = f"snapshot running {snapshot_running}, domain running {domain_running}, flags {flags}"
            attempt(label, lambda snap=snap, flags=flags: snap.getDomain().revertToSnapshot(snap, flags))
cleanup()

# A transient domain: the snapshot's definition comes back to the running copy.
dom = conn.createXML(domain(65536, "transient"))
snap = dom.snapshotCreateXML("<domainsnapshot><name>t1</name></domainsnapshot>")
dom.setMemory(32768)
attempt("transient running snapshot", lambda: dom.revertToSnapshot(snap, 0))
cleanup()

# A snapshot redefined without its <domain> is refused already (libvirt requires it).
dom = conn.defineXML(domain(65536, "bare"))
bare = "<domainsnapshot><name>bare</name><state>shutoff</state><creationTime>1</creationTime></domainsnapshot>"
attempt("redefined without a domain", lambda: dom.snapshotCreateXML(bare, libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE))
cleanup()
