# uri: test:///default
# IOThreads, emulator pinning, NUMA, interface bandwidth, block I/O tuning, perf events and
# lifecycle actions: live and persistent definitions, the XML they leave, and their errors.
import sys

import libvirt

conn = libvirt.open(sys.argv[1])
LIVE, CONFIG = libvirt.VIR_DOMAIN_AFFECT_LIVE, libvirt.VIR_DOMAIN_AFFECT_CONFIG
INACTIVE = libvirt.VIR_DOMAIN_XML_INACTIVE
ENFORCE = libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS
POWEROFF, REBOOT = libvirt.VIR_DOMAIN_LIFECYCLE_POWEROFF, libvirt.VIR_DOMAIN_LIFECYCLE_REBOOT
CRASH = libvirt.VIR_DOMAIN_LIFECYCLE_CRASH
PRESERVE = libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE
RENAME_RESTART = libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_RESTART_RENAME
COREDUMP_DESTROY = libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY
COREDUMP_RESTART = libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART


def attempt(name, call):
    try:
        print(name, call())
    except libvirt.libvirtError as error:
        print(name, "error", error.get_error_code(), error.get_error_domain(), error.get_error_message())
    except (LookupError, TypeError, ValueError) as error:  # what the bindings refuse themselves
        print(name, "refused", type(error).__name__, error)


def dump(dom, title):
    print(f"--- {title}: live")
    print(dom.XMLDesc(0))
    print(f"--- {title}: inactive")
    print(dom.XMLDesc(INACTIVE))


def stats(groups=0, flags=0):
    return sorted((d.name(), s) for d, s in conn.getAllDomainStats(groups, flags))


dom = conn.lookupByName("test")

print("=== IOThreads on the running default domain")
attempt("info", lambda: dom.ioThreadInfo(0))
attempt("add 1", lambda: dom.addIOThread(1, 0))
attempt("add 3 live", lambda: dom.addIOThread(3, LIVE))
attempt("add 2 config", lambda: dom.addIOThread(2, CONFIG))
attempt("add 5 live+config", lambda: dom.addIOThread(5, LIVE | CONFIG))
attempt("add 0", lambda: dom.addIOThread(0, 0))
attempt("add 1 again", lambda: dom.addIOThread(1, 0))
attempt("add bad flags", lambda: dom.addIOThread(8, 4))
attempt("info", lambda: dom.ioThreadInfo(0))
attempt("info config", lambda: dom.ioThreadInfo(CONFIG))
attempt("info live+config", lambda: dom.ioThreadInfo(LIVE | CONFIG))
attempt("info bad flags", lambda: dom.ioThreadInfo(8))
attempt("pin 1", lambda: dom.pinIOThread(1, (True, False, True), 0))
attempt("pin 2 config", lambda: dom.pinIOThread(2, (False, True), CONFIG))
attempt("pin empty", lambda: dom.pinIOThread(1, (False, False), 0))
attempt("pin unknown", lambda: dom.pinIOThread(9, (True,), 0))
attempt("pin config-only thread live", lambda: dom.pinIOThread(2, (True,), LIVE))
attempt("pin bad flags", lambda: dom.pinIOThread(1, (True,), 16))
attempt("info", lambda: dom.ioThreadInfo(0))
attempt("info config", lambda: dom.ioThreadInfo(CONFIG))
attempt("params", lambda: dom.setIOThreadParams(1, {"poll_max_ns": 100, "poll_grow": 2}, 0))
attempt("params shrink", lambda: dom.setIOThreadParams(3, {"poll_shrink": 7}, LIVE))
attempt("params config", lambda: dom.setIOThreadParams(1, {"poll_max_ns": 100}, CONFIG))
attempt("params unknown", lambda: dom.setIOThreadParams(9, {"poll_max_ns": 100}, 0))
attempt("params config-only thread", lambda: dom.setIOThreadParams(2, {"poll_grow": 1}, 0))
attempt("params bogus", lambda: dom.setIOThreadParams(1, {"poll_max_ns": 100, "bogus": 1}, 0))
attempt("params 0", lambda: dom.setIOThreadParams(0, {"poll_max_ns": 1}, 0))
attempt("stats", stats)
attempt("stats iothread only", lambda: stats(libvirt.VIR_DOMAIN_STATS_IOTHREAD))
attempt("stats enforced", lambda: stats(libvirt.VIR_DOMAIN_STATS_BLOCK, ENFORCE))
attempt("stats running", lambda: stats(0, libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING))
attempt("stats shutoff", lambda: stats(0, libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF))
attempt("list stats", lambda: [(d.name(), s) for d, s in conn.domainListGetStats([dom])])

print("=== emulator pinning")
attempt("emulator info", lambda: dom.emulatorPinInfo(0))
attempt("pin emulator", lambda: dom.pinEmulator((True, True), 0))
attempt("pin emulator config", lambda: dom.pinEmulator((False, False, False, True), CONFIG))
attempt("pin emulator empty", lambda: dom.pinEmulator((False,), 0))
attempt("pin emulator both", lambda: dom.pinEmulator((True,), LIVE | CONFIG))
attempt("pin emulator bad flags", lambda: dom.pinEmulator((True,), 4))
attempt("emulator info", lambda: dom.emulatorPinInfo(0))
attempt("emulator info config", lambda: dom.emulatorPinInfo(CONFIG))
attempt("emulator info bad flags", lambda: dom.emulatorPinInfo(4))
dump(dom, "after IOThreads and pins")
attempt("del 1", lambda: dom.delIOThread(1, 0))
attempt("del 1 again", lambda: dom.delIOThread(1, 0))
attempt("del 0", lambda: dom.delIOThread(0, 0))
attempt("del 2 live", lambda: dom.delIOThread(2, LIVE))
attempt("del bad flags", lambda: dom.delIOThread(3, 4))
attempt("info", lambda: dom.ioThreadInfo(0))
attempt("stats", stats)

print("=== NUMA")
attempt("numa", lambda: dom.numaParameters(0))
attempt("numa mode only", lambda: dom.setNumaParameters({"numa_mode": 1}, 0))
attempt("numa bad mode", lambda: dom.setNumaParameters({"numa_mode": 7}, 0))
attempt("numa bad nodeset", lambda: dom.setNumaParameters({"numa_nodeset": "x"}, 0))
attempt("numa nodeset 2-1", lambda: dom.setNumaParameters({"numa_nodeset": "2-1"}, 0))
attempt("numa empty nodeset", lambda: dom.setNumaParameters({"numa_nodeset": "^0"}, 0))
attempt("numa live+config", lambda: dom.setNumaParameters({"numa_nodeset": "0"}, LIVE | CONFIG))
attempt("numa bad flags", lambda: dom.setNumaParameters({"numa_nodeset": "0"}, 4))
attempt("numa nodeset", lambda: dom.setNumaParameters({"numa_nodeset": "0-1, 3"}, 0))
attempt("numa", lambda: dom.numaParameters(0))
attempt("numa config", lambda: dom.numaParameters(CONFIG))
attempt("numa other mode live", lambda: dom.setNumaParameters({"numa_mode": 2}, 0))
attempt("numa same mode live", lambda: dom.setNumaParameters({"numa_mode": 0, "numa_nodeset": "1"}, 0))
attempt("numa config", lambda: dom.setNumaParameters({"numa_mode": 2, "numa_nodeset": "0,3-5,^4"}, CONFIG))
attempt("numa config mode", lambda: dom.setNumaParameters({"numa_mode": 3}, CONFIG))
attempt("numa", lambda: dom.numaParameters(0))
attempt("numa config", lambda: dom.numaParameters(CONFIG))
attempt("numa bad flags", lambda: dom.numaParameters(8))

print("=== interface bandwidth")
attempt("iface", lambda: dom.interfaceParameters("testnet0", 0))
attempt("iface unknown", lambda: dom.interfaceParameters("nope", 0))
attempt("iface by mac", lambda: dom.interfaceParameters("AA:BB:CC:DD:EE:FF", 0))
attempt("iface unknown mac", lambda: dom.interfaceParameters("aa:bb:cc:dd:ee:00", 0))
rates = {"inbound.average": 100, "inbound.peak": 200, "outbound.average": 50, "outbound.burst": 10}
attempt("set iface", lambda: dom.setInterfaceParameters("testnet0", rates, 0))
attempt("iface", lambda: dom.interfaceParameters("testnet0", 0))
attempt("set iface by mac", lambda: dom.setInterfaceParameters("aa:bb:cc:dd:ee:ff", {"inbound.floor": 5}, CONFIG))
attempt("iface config", lambda: dom.interfaceParameters("testnet0", CONFIG))
attempt("set iface unknown", lambda: dom.setInterfaceParameters("nope", {"inbound.floor": 5}, 0))
attempt("set iface bogus", lambda: dom.setInterfaceParameters("testnet0", {"inbound.x": 5}, 0))
attempt("set iface bad flags", lambda: dom.setInterfaceParameters("testnet0", {"inbound.floor": 5}, 4))
attempt("set iface live+config", lambda: dom.setInterfaceParameters("testnet0", {"inbound.floor": 5}, 3))

print("=== block I/O tuning")
attempt("iotune", lambda: dom.blockIoTune("vda", 0))
attempt("iotune by path", lambda: dom.blockIoTune("/guest/diskimage1", 0))
attempt("iotune unknown", lambda: dom.blockIoTune("vdz", 0))
attempt("iotune bad flags", lambda: dom.blockIoTune("vda", 8))
attempt("set iotune unknown", lambda: dom.setBlockIoTune("vdz", {"total_bytes_sec": 5}, 0))
attempt("set iotune without max", lambda: dom.setBlockIoTune("vda", {"total_bytes_sec": 5}, 0))
limits = {
    "total_bytes_sec": 5,
    "total_bytes_sec_max": 10,
    "group_name": "grp",
    "size_iops_sec": 7,
    "read_iops_sec_max_length": 3,
}
attempt("set iotune", lambda: dom.setBlockIoTune("vda", limits, 0))
attempt("set iotune total and read", lambda: dom.setBlockIoTune("vda", {"read_bytes_sec": 5}, 0))
attempt("set iotune total+write iops", lambda: dom.setBlockIoTune("vda", {"total_iops_sec": 1, "write_iops_sec": 1}, 0))
attempt("set iotune too big", lambda: dom.setBlockIoTune("vda", {"read_bytes_sec": 10**16}, 0))
attempt("set iotune live+config", lambda: dom.setBlockIoTune("vda", {"read_bytes_sec": 1}, 3))
limits = {"write_iops_sec": 4, "write_iops_sec_max": 4, "group_name": ""}
attempt("set iotune config", lambda: dom.setBlockIoTune("/guest/diskimage1", limits, CONFIG))
attempt("iotune", lambda: dom.blockIoTune("vda", 0))
attempt("iotune config", lambda: dom.blockIoTune("vda", CONFIG))

print("=== perf events")
attempt("perf", lambda: dom.perfEvents(0))
attempt("set perf", lambda: dom.setPerfEvents({"cmt": True, "cpu_clock": False, "instructions": True}, 0))
attempt("set perf config", lambda: dom.setPerfEvents({"mbmt": True}, CONFIG))
attempt("set perf bad flags", lambda: dom.setPerfEvents({"mbmt": True}, 4))
attempt("set perf live+config", lambda: dom.setPerfEvents({"mbmt": True}, 3))
attempt("perf", lambda: dom.perfEvents(0))
attempt("perf config", lambda: dom.perfEvents(CONFIG))
attempt("perf live+config", lambda: dom.perfEvents(3))
attempt("perf bad flags", lambda: dom.perfEvents(8))

print("=== lifecycle actions")
attempt("poweroff preserve", lambda: dom.setLifecycleAction(POWEROFF, PRESERVE, 0))
attempt("reboot rename-restart both", lambda: dom.setLifecycleAction(REBOOT, RENAME_RESTART, LIVE | CONFIG))
attempt("crash coredump-restart config", lambda: dom.setLifecycleAction(CRASH, COREDUMP_RESTART, CONFIG))
attempt("reboot coredump-destroy", lambda: dom.setLifecycleAction(REBOOT, COREDUMP_DESTROY, 0))
attempt("bad type", lambda: dom.setLifecycleAction(7, 0, 0))
attempt("bad action", lambda: dom.setLifecycleAction(0, 9, 0))
attempt("bad flags", lambda: dom.setLifecycleAction(0, 0, 16))
dump(dom, "after tuning")

print("=== once stopped: the persistent definition")
dom.destroy()
dump(dom, "stopped")
attempt("lifecycle live", lambda: dom.setLifecycleAction(0, 0, LIVE))
attempt("lifecycle", lambda: dom.setLifecycleAction(0, 1, 0))
attempt("iotune", lambda: dom.blockIoTune("vda", 0))
attempt("iotune live", lambda: dom.blockIoTune("vda", LIVE))
attempt("perf", lambda: dom.perfEvents(0))
attempt("numa", lambda: dom.numaParameters(0))
attempt("iface", lambda: dom.interfaceParameters("testnet0", 0))
attempt("emulator info", lambda: dom.emulatorPinInfo(0))
attempt("emulator info live", lambda: dom.emulatorPinInfo(LIVE))
attempt("info", lambda: dom.ioThreadInfo(0))
attempt("info live", lambda: dom.ioThreadInfo(LIVE))
attempt("add live", lambda: dom.addIOThread(4, LIVE))
attempt("add", lambda: dom.addIOThread(4, 0))
attempt("params", lambda: dom.setIOThreadParams(4, {"poll_max_ns": 1}, 0))
attempt("params live", lambda: dom.setIOThreadParams(4, {"poll_max_ns": 1}, LIVE))
attempt("pin", lambda: dom.pinIOThread(4, (False, True), 0))
attempt("pin emulator", lambda: dom.pinEmulator((True, False, True), 0))
attempt("numa mode", lambda: dom.setNumaParameters({"numa_mode": 1}, 0))
attempt("info", lambda: dom.ioThreadInfo(0))
attempt("stats", stats)
dump(dom, "stopped and tuned")
dom.create()
attempt("stats", stats)
attempt("info", lambda: dom.ioThreadInfo(0))
dump(dom, "started again")

print("=== a defined domain with IOThreads of its own")
xml = """<domain type='test'>
  <name>io</name>
  <uuid>2b1f4b52-3b7e-4f6c-9a51-5f0e6f2a3c01</uuid>
  <memory>1048576</memory>
  <vcpu cpuset='1-3'>4</vcpu>
  <iothreads>4</iothreads>
  <iothreadids><iothread id='7'/><iothread id='2' thread_pool_max='3'/></iothreadids>
  <cputune><iothreadpin iothread='2' cpuset='0'/><emulatorpin cpuset='2-3'/></cputune>
  <numatune><memory mode='interleave' nodeset='0-1'/></numatune>
  <os><type>hvm</type></os>
  <perf><event name='cpu_clock' enabled='no'/><event name='cmt' enabled='yes'/></perf>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' iothread='7'/>
      <source file='/a'/>
      <target dev='vdb' bus='virtio'/>
      <iotune><total_bytes_sec>5</total_bytes_sec><group_name></group_name></iotune>
    </disk>
    <interface type='network'>
      <source network='default'/>
      <mac address='52:54:00:11:22:33'/>
      <bandwidth><inbound average='1000' burst='10'/></bandwidth>
    </interface>
  </devices>
</domain>"""
io = conn.defineXML(xml)
dump(io, "defined")
attempt("info", lambda: io.ioThreadInfo(0))
attempt("emulator info", lambda: io.emulatorPinInfo(0))
attempt("numa", lambda: io.numaParameters(0))
attempt("perf", lambda: io.perfEvents(0))
attempt("iface", lambda: io.interfaceParameters("52:54:00:11:22:33", 0))
attempt("iotune", lambda: io.blockIoTune("vdb", 0))
attempt("params without polling", lambda: io.setIOThreadParams(7, {"poll_max_ns": 1}, 0))
attempt("del used by disk", lambda: io.delIOThread(7, 0))
attempt("del filled-in 1", lambda: io.delIOThread(1, 0))
attempt("numa mode", lambda: io.setNumaParameters({"numa_mode": 0}, 0))
attempt("numa", lambda: io.numaParameters(0))
dump(io, "changed")
io.create()
attempt("stats", stats)
attempt("info", lambda: io.ioThreadInfo(0))
attempt("numa other mode live", lambda: io.setNumaParameters({"numa_mode": 1}, 0))
attempt("set iface clear inbound", lambda: io.setInterfaceParameters("testnet0", {"inbound.average": 0}, 0))
attempt("set iface nothing", lambda: io.setInterfaceParameters("testnet0", {"outbound.peak": 3}, CONFIG))
dump(io, "running")
io.destroy()
dump(io, "stopped")
io.undefine()

print("=== filled-in IOThreads come and go")
xml = """<domain type='test'>
  <name>io2</name>
  <uuid>2b1f4b52-3b7e-4f6c-9a51-5f0e6f2a3c02</uuid>
  <memory>1048576</memory>
  <vcpu placement='auto'>1</vcpu>
  <iothreads>3</iothreads>
  <os><type>hvm</type></os>
</domain>"""
io2 = conn.defineXML(xml)
print(io2.XMLDesc(0))
attempt("add 9", lambda: io2.addIOThread(9, 0))
print(io2.XMLDesc(0))
attempt("del 9", lambda: io2.delIOThread(9, 0))
print(io2.XMLDesc(0))
attempt("del 3", lambda: io2.delIOThread(3, 0))
print(io2.XMLDesc(0))
attempt("pin 2", lambda: io2.pinIOThread(2, (True,), 0))
print(io2.XMLDesc(0))
attempt("del 1", lambda: io2.delIOThread(1, 0))
print(io2.XMLDesc(0))
attempt("numa mode with auto placement", lambda: io2.setNumaParameters({"numa_mode": 1}, 0))
attempt("numa", lambda: io2.numaParameters(0))
print(io2.XMLDesc(0))
io2.create()
attempt("add 5", lambda: io2.addIOThread(5, 0))
attempt("info", lambda: io2.ioThreadInfo(0))
attempt("info config", lambda: io2.ioThreadInfo(CONFIG))
dump(io2, "running")
io2.destroy()
io2.undefine()

print("=== a transient domain")
xml = """<domain type='test'>
  <name>transient</name>
  <uuid>2b1f4b52-3b7e-4f6c-9a51-5f0e6f2a3c03</uuid>
  <memory>1048576</memory>
  <os><type>hvm</type></os>
  <devices><interface type='network'><source network='default'/><mac address='52:54:00:11:22:44'/></interface></devices>
</domain>"""
transient = conn.createXML(xml, 0)
attempt("set iface peak only", lambda: transient.setInterfaceParameters("testnet0", {"inbound.peak": 5}, 0))
attempt("iface", lambda: transient.interfaceParameters("52:54:00:11:22:44", 0))
attempt("add config", lambda: transient.addIOThread(1, CONFIG))
attempt("lifecycle config", lambda: transient.setLifecycleAction(0, 3, CONFIG))
attempt("lifecycle", lambda: transient.setLifecycleAction(0, 3, 0))
attempt("perf config", lambda: transient.perfEvents(CONFIG))
attempt("add", lambda: transient.addIOThread(1, 0))
attempt("stats", stats)
print(transient.XMLDesc(0))
transient.destroy()
