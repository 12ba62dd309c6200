# uri: node:testnode.xml
# Domain API answers made from a domain's definition, asked of many domains: test:///default's
# test, the example node's fv0, fc4 and fc5, and eight defined here (many disks and interfaces of
# different kinds, no balloon, iothreads, pins, NUMA; a balloon and automatic placement; CD-ROMs
# and a floppy only; shared, empty, volume and network disks; guests on networks of several
# kinds, or a missing one; per-vCPU states and every tuning element; many other devices), each
# running, paused and shut off, with flag variants; then the setters read back, snapshots and
# checkpoints (of disks named by target or path), saves and managed saves, guest actions, a
# rename, and every domain's statistics at once.
# Clock-made numbers (I/O counters, CPU times) are printed by type only.
import os
import re
import shutil
import subprocess
import sys
import tempfile
from xml.etree import ElementTree

import libvirt

libvirt.registerErrorHandler(lambda context, error: None, None)  # the errors are printed below
DEFAULT_URI = "test+unix:///default?" + sys.argv[1].split("?", 1)[1]
node = libvirt.open(sys.argv[1])
default = libvirt.open(DEFAULT_URI)
CLOCK_KEYS = re.compile(r"(cpu[._]?time|\.(rd|wr|fl)\.(reqs|bytes|times)$|\.(rx|tx)\.(bytes|pkts|errs|drop)$|errs$)")
FOLDER = tempfile.mkdtemp(prefix="virtrio-sweep-")
FLAGS = [0, 1, 2, 3, 1 << 9]  # current, live, config, both, a bit no call knows


def scrub(value):
    """The value with clock-made numbers replaced by their type."""
    if isinstance(value, dict):
        return {k: type(v).__name__ if CLOCK_KEYS.search(str(k)) else scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub(item) for item in value)
    return value


def kinds(values):
    return tuple(type(value).__name__ for value in values)


def show(label, call, *args):
    try:
        result = call(*args)
    except libvirt.libvirtError as error:
        message = error.get_error_message().replace(FOLDER, "<tmp>")
        result = f"!! {error.get_error_code()} {error.get_error_domain()} {message}"
    except (TypeError, SystemError) as error:  # libvirt-python's own refusals
        result = f"python {type(error).__name__}"
    named = getattr(result, "getName", None) or getattr(result, "name", None)  # snapshots, domains...
    print(" ", label, "->", named() if callable(named) else result)
    return None if isinstance(result, str) and result.startswith(("!!", "python")) else result


def names(items):
    return sorted(item.getName() for item in items)


RICH = """<domain type='test'>
  <name>sweep-rich</name>
  <uuid>48480000-0000-4000-8000-000000000001</uuid>
  <title>rich</title>
  <description>many devices</description>
  <metadata><app:thing xmlns:app='http://example.org/app'>value</app:thing></metadata>
  <memory unit='KiB'>2097152</memory>
  <currentMemory unit='KiB'>1048576</currentMemory>
  <vcpu placement='static' cpuset='0-3' current='2'>6</vcpu>
  <iothreads>3</iothreads>
  <iothreadids><iothread id='1'/><iothread id='3'/><iothread id='5'/></iothreadids>
  <cputune>
    <shares>2048</shares>
    <period>100000</period>
    <quota>-1</quota>
    <vcpupin vcpu='0' cpuset='1'/>
    <vcpupin vcpu='1' cpuset='0,2'/>
    <emulatorpin cpuset='1-2'/>
    <iothreadpin iothread='3' cpuset='0'/>
  </cputune>
  <memtune><hard_limit unit='KiB'>4194304</hard_limit><soft_limit unit='KiB'>3145728</soft_limit></memtune>
  <blkiotune>
    <weight>300</weight>
    <device><path>/dev/sda</path><weight>500</weight><read_bytes_sec>1000</read_bytes_sec></device>
  </blkiotune>
  <numatune><memory mode='strict' nodeset='0'/></numatune>
  <cpu>
    <numa>
      <cell id='0' cpus='0-2' memory='1048576' unit='KiB'/>
      <cell id='1' cpus='3-5' memory='1048576' unit='KiB'/>
    </numa>
  </cpu>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/var/lib/sweep/a.img'/><target dev='vda' bus='virtio'/>
      <iotune><total_bytes_sec>1000</total_bytes_sec><read_iops_sec>20</read_iops_sec></iotune>
    </disk>
    <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
    <disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='sda' bus='scsi'/></disk>
    <disk type='file' device='floppy'><source file='/var/lib/sweep/f.img'/><target dev='fda' bus='fdc'/></disk>
    <disk type='network' device='disk'>
      <source protocol='nbd' name='x'><host name='example.org' port='10809'/></source>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <disk type='block' device='lun'><source dev='/dev/sdy'/><target dev='sdb' bus='scsi'/></disk>
    <disk type='file' device='disk'><source file='/var/lib/sweep/b.img'/><target dev='sdc' bus='sata'/></disk>
    <interface type='network'><mac address='52:54:00:00:48:01'/><source network='default'/>
      <target dev='vnet48'/></interface>
    <interface type='bridge'><mac address='52:54:00:00:48:02'/><source bridge='br0'/></interface>
    <interface type='user'><mac address='52:54:00:00:48:03'/></interface>
    <interface type='direct'><mac address='52:54:00:00:48:04'/><source dev='eth0' mode='vepa'/></interface>
    <interface type='ethernet'><mac address='52:54:00:00:48:05'/><target dev='tap48'/></interface>
    <memballoon model='none'/>
  </devices>
</domain>"""

BALLOON = """<domain type='test'>
  <name>sweep-balloon</name>
  <uuid>48480000-0000-4000-8000-000000000002</uuid>
  <memory unit='MiB'>512</memory>
  <vcpu placement='auto' current='9'>10</vcpu>
  <iothreads>2</iothreads>
  <numatune><memory mode='interleave' placement='auto'/></numatune>
  <os><type>hvm</type></os>
  <devices>
    <interface type='network'><mac address='52:54:00:00:48:11'/><source network='default'/></interface>
    <memballoon model='virtio'><stats period='10'/></memballoon>
  </devices>
</domain>"""

REMOVABLE = """<domain type='test'>
  <name>sweep-removable</name>
  <uuid>48480000-0000-4000-8000-000000000003</uuid>
  <memory unit='KiB'>262144</memory>
  <vcpu>1</vcpu>
  <iothreads>1</iothreads>
  <os><type>xen</type></os>
  <devices>
    <disk type='file' device='cdrom'><source file='/var/lib/sweep/c.iso'/><target dev='hdc' bus='ide'/></disk>
    <disk type='file' device='floppy'><source file='/var/lib/sweep/g.img'/><target dev='fdb' bus='fdc'/></disk>
    <interface type='bridge'><mac address='52:54:00:00:48:21'/><source bridge='br1'/>
      <model type='virtio'/></interface>
  </devices>
</domain>"""


DISKS = """<domain type='test'>
  <name>sweep-disks</name>
  <uuid>48480000-0000-4000-8000-000000000005</uuid>
  <memory unit='KiB'>262144</memory>
  <vcpu>2</vcpu>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='cdrom'><source file='/var/lib/sweep/shared.iso'/><target dev='hda' bus='ide'/></disk>
    <disk type='file' device='cdrom'><source file='/var/lib/sweep/shared.iso'/><target dev='hdb' bus='ide'/></disk>
    <disk type='volume' device='disk'><source pool='default-pool' volume='sweep.img'/><target dev='vda'/></disk>
    <disk type='dir' device='disk'><source dir='/var/lib/sweep/dir'/><target dev='vdb'/></disk>
    <disk type='file' device='disk'><source file='relative.img'/><target dev='vdc'/></disk>
    <disk type='block' device='cdrom'><target dev='sda' bus='sata'/></disk>
    <disk type='network' device='disk'>
      <source protocol='nbd' name='/export'><host name='example.org'/></source><target dev='vdd'/>
    </disk>
  </devices>
</domain>"""

VCPUS = """<domain type='test'>
  <name>sweep-vcpus</name>
  <uuid>48480000-0000-4000-8000-000000000008</uuid>
  <memory unit='KiB'>1048576</memory>
  <vcpu placement='static' cpuset='1-3,^2' current='3'>4</vcpu>
  <vcpus>
    <vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>
    <vcpu id='1' enabled='no' hotpluggable='yes'/>
    <vcpu id='2' enabled='yes' hotpluggable='yes' order='2'/>
    <vcpu id='3' enabled='yes' hotpluggable='yes' order='3'/>
  </vcpus>
  <iothreads>2</iothreads>
  <cputune>
    <shares>512</shares><period>20000</period><quota>5000</quota><global_period>30000</global_period>
    <global_quota>6000</global_quota><emulator_period>40000</emulator_period><emulator_quota>7000</emulator_quota>
    <iothread_period>50000</iothread_period><iothread_quota>8000</iothread_quota>
    <vcpupin vcpu='2' cpuset='0'/>
    <vcpusched vcpus='0-1' scheduler='fifo' priority='5'/>
    <iothreadsched iothreads='1' scheduler='batch'/>
  </cputune>
  <memtune>
    <hard_limit unit='MiB'>2048</hard_limit><swap_hard_limit unit='MiB'>4096</swap_hard_limit>
    <min_guarantee unit='KiB'>1024</min_guarantee>
  </memtune>
  <blkiotune>
    <device><path>/dev/sdb</path><write_iops_sec>30</write_iops_sec></device>
    <device><path>/dev/sda</path><weight>100</weight><read_iops_sec>10</read_iops_sec>
      <write_bytes_sec>20</write_bytes_sec></device>
  </blkiotune>
  <numatune>
    <memory mode='preferred' nodeset='1'/>
    <memnode cellid='0' mode='strict' nodeset='0'/>
  </numatune>
  <cpu>
    <numa>
      <cell id='0' cpus='0-1' memory='524288' unit='KiB'/><cell id='1' cpus='2-3' memory='524288' unit='KiB'/>
    </numa>
  </cpu>
  <os><type>hvm</type></os>
  <perf><event name='cmt' enabled='yes'/><event name='mbmt' enabled='no'/></perf>
  <devices><memballoon model='virtio'/></devices>
</domain>"""

DEVICES = """<domain type='test'>
  <name>sweep-devices</name>
  <uuid>48480000-0000-4000-8000-000000000009</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu current='1'>2</vcpu>
  <os><type arch='x86_64'>hvm</type><boot dev='network'/></os>
  <on_crash>coredump-restart</on_crash>
  <devices>
    <disk type='file' device='disk'><source file='/var/lib/sweep/e.img'/><target dev='xvda' bus='xen'/></disk>
    <disk type='file' device='disk'><source file='/var/lib/sweep/u.img'/><target dev='sdd' bus='usb'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/sweep/q.qcow2'/>
      <target dev='vde' bus='virtio'/><shareable/></disk>
    <filesystem type='mount'><source dir='/srv'/><target dir='share'/></filesystem>
    <interface type='vhostuser'><mac address='52:54:00:00:48:31'/>
      <source type='unix' path='/tmp/vhost.sock' mode='client'/><model type='virtio'/></interface>
    <interface type='server'><mac address='52:54:00:00:48:32'/><source address='192.168.0.1' port='5558'/></interface>
    <interface type='mcast'><mac address='52:54:00:00:48:33'/><source address='230.0.0.1' port='5558'/></interface>
    <interface type='udp'><mac address='52:54:00:00:48:34'/><source address='192.168.0.1' port='5558'>
      <local address='127.0.0.1' port='5559'/></source></interface>
    <interface type='network'><mac address='52:54:00:00:48:35'/><source network='default' portgroup='pg'/>
      <target dev='net35'/></interface>
    <graphics type='vnc' autoport='yes' passwd='secret'/>
    <graphics type='spice' port='5904' passwd='other'/>
    <video><model type='vga'/></video>
    <sound model='ich6'/>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <serial type='pty'/>
    <watchdog model='i6300esb' action='reset'/>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <memballoon model='virtio'><stats period='0'/></memballoon>
  </devices>
</domain>"""

NETWORKS = [
    "<network><name>sweep-v6</name><ip family='ipv6' address='2001:db8::1' prefix='64'>"
    "<dhcp><range start='2001:db8::f0' end='2001:db8::ff'/></dhcp></ip></network>",
    "<network><name>sweep-norange</name><ip address='10.20.30.254' netmask='255.255.0.0'/></network>",
    "<network><name>sweep-classb</name><ip address='172.16.255.250'/></network>",
    "<network><name>sweep-twoips</name><ip address='192.168.50.1' prefix='28'>"
    "<dhcp><range start='192.168.50.2' end='192.168.50.14'/></dhcp></ip>"
    "<ip address='192.168.60.1' prefix='24'/></network>",
]


def interfaces_on(*networks):
    return "".join(
        f"<interface type='network'><mac address='52:54:00:00:49:{i:02x}'/><source network='{n}'/></interface>"
        for i, n in enumerate(networks)
    )


NETS = f"""<domain type='test'>
  <name>sweep-nets</name>
  <uuid>48480000-0000-4000-8000-000000000006</uuid>
  <memory unit='KiB'>262144</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
  <devices>{interfaces_on("sweep-v6", "sweep-norange", "sweep-classb", "sweep-twoips", "default", "sweep-v6")}</devices>
</domain>"""

LOST = NETS.replace("sweep-nets", "sweep-lost").replace("0006</uuid>", "0007</uuid>")
LOST = re.sub(r"<devices>.*</devices>", "<devices>" + interfaces_on("default", "nosuch") + "</devices>", LOST)


def definition_facts(dom):
    """The disks' targets and source paths and the interfaces' host-side names and MACs (also
    in capitals and in short form, which libvirt reads as the same MAC)."""
    devices = ElementTree.fromstring(dom.XMLDesc(0)).find("devices")
    disks = [disk.find("target").get("dev") for disk in devices.iter("disk")]
    sources = [s.get("file") or s.get("dev") or s.get("dir") or s.get("name") for s in devices.iter("source")]
    sources = sorted({path for path in sources if path and path.startswith("/")})
    interfaces = [i.find("target").get("dev") for i in devices.iter("interface") if i.find("target") is not None]
    for interface in devices.iter("interface"):
        mac = interface.find("mac").get("address")
        interfaces += [mac, mac.upper(), ":".join(f"{int(part, 16):x}" for part in mac.split(":")), mac + " x"]
    return disks, sources, interfaces


def virsh(uri, command):
    result = subprocess.run(["virsh", "-c", uri, command], capture_output=True, text=True)
    print("  virsh", command, "->", result.returncode, result.stdout.strip(), result.stderr.strip())


def sweep(dom):
    print(dom.name(), "state", dom.state(0))
    disks, sources, interfaces = definition_facts(dom)
    show("info", lambda: scrub({"info": dom.info()[:4]}))
    show("state", lambda: dom.state(1))
    show("control", lambda: dom.controlInfo(0))
    show("control flags", lambda: dom.controlInfo(1))
    show("max vcpus", lambda: dom.maxVcpus())
    show("max memory", lambda: dom.maxMemory())
    show("os type", lambda: dom.OSType())
    show("scheduler type", lambda: dom.schedulerType())
    for flags in (0, 1, 2):
        show(f"managed save image {flags}", dom.hasManagedSaveImage, flags)
    show("persistent/updated/active", lambda: (dom.isPersistent(), dom.isUpdated(), dom.isActive()))
    show("autostart", lambda: dom.autostart())
    show("vcpus", lambda: [[(n, s, c) for n, s, _, c in dom.vcpus()[0]], dom.vcpus()[1]])
    for flags in (0, 1, 2, 4, 5, 6, 8, 9, 3, 1 << 9):
        show(f"vcpus flags {flags}", dom.vcpusFlags, flags)
    for flags in FLAGS:
        show(f"vcpu pins {flags}", dom.vcpuPinInfo, flags)
        show(f"emulator pins {flags}", dom.emulatorPinInfo, flags)
        show(f"iothreads {flags}", dom.ioThreadInfo, flags)
        show(f"blkio {flags}", dom.blkioParameters, flags)
        show(f"memory params {flags}", dom.memoryParameters, flags)
        show(f"numa params {flags}", dom.numaParameters, flags)
        show(f"scheduler params {flags}", dom.schedulerParametersFlags, flags)
        show(f"perf events {flags}", dom.perfEvents, flags)
        show(f"metadata title {flags}", dom.metadata, libvirt.VIR_DOMAIN_METADATA_TITLE, None, flags)
        show(f"metadata description {flags}", dom.metadata, 0, None, flags)
        show(f"metadata app {flags}", dom.metadata, 2, "http://example.org/app", flags)
        show(f"messages {flags}", dom.messages, flags)
    show("scheduler params", lambda: dom.schedulerParameters())
    show("metadata app no uri", lambda: dom.metadata(2, None, 0))
    show("metadata app other uri", lambda: dom.metadata(2, "http://example.org/other", 0))
    for kind in (7, 3, -1):
        show(f"metadata type {kind}", dom.metadata, kind, None, 0)
    show("cpu stats total", lambda: dom.getCPUStats(True))
    show("cpu stats per cpu", lambda: dom.getCPUStats(False))
    show("cpu stats total string flag", lambda: dom.getCPUStats(True, libvirt.VIR_TYPED_PARAM_STRING_OKAY))
    show("cpu stats bad flags", lambda: dom.getCPUStats(True, 2))
    show("memory stats", lambda: dom.memoryStats())
    for group in [0, *(1 << bit for bit in range(12))]:
        show(f"domain stats {group}", stats_of, dom, group, 0)
    for flags in (1, 2, 1 << 29, 1 << 30, 1 << 31):
        show(f"domain stats flags {flags:#x}", stats_of, dom, 0, flags)
        show(f"domain stats block flags {flags:#x}", stats_of, dom, libvirt.VIR_DOMAIN_STATS_BLOCK, flags)
    for flags in (0, 1, 2, 4, 8, 16, 32):
        show(f"xml {flags}", dom.XMLDesc, flags)
    for target in [*disks, *sources, "", "nope", "/nope"]:
        show(f"block info {target}", dom.blockInfo, target, 0)
        show(f"block stats {target}", lambda target: kinds(dom.blockStats(target)), target)
        show(f"block stats flags {target}", lambda target: scrub(dom.blockStatsFlags(target, 0)), target)
        for flags in (0, 1, 2, 4):
            show(f"block io tune {target} {flags}", dom.blockIoTune, target, flags)
        show(f"block peek {target}", dom.blockPeek, target, 0, 16, 0)
        show(f"block job {target}", dom.blockJobInfo, target, 0)
        show(f"block job abort {target}", dom.blockJobAbort, target, 0)
    show("block info bad flags", lambda: dom.blockInfo(disks[0] if disks else "vda", 1))
    show("block io tune all", lambda: dom.blockIoTune(None, 0))
    for target in [*interfaces, "", "nope", "52:54:00:99:99:99"]:
        show(f"interface stats {target}", lambda target: kinds(dom.interfaceStats(target)), target)
        for flags in (0, 1, 2):
            show(f"interface params {target} {flags}", dom.interfaceParameters, target, flags)
    for source in (0, 1, 2, 3):
        show(f"interface addresses {source}", dom.interfaceAddresses, source, 0)
    show("interface addresses bad flags", lambda: dom.interfaceAddresses(0, 1))
    show("time", lambda: dom.getTime(0))
    show("time flags", lambda: dom.getTime(1))
    for flags in (0, 1, 2, 3, 4):
        show(f"hostname {flags}", dom.hostname, flags)
    for types in (0, 1, 2, 4, 8, 16, 32, 64, 1 << 10):
        show(f"guest info {types}", dom.guestInfo, types, 0)
    show("guest vcpus", lambda: dom.guestVcpus(0))
    show("launch security", lambda: dom.launchSecurityInfo(0))
    show("launch security bad flags", lambda: dom.launchSecurityInfo(1))
    for flags in (libvirt.VIR_MEMORY_VIRTUAL, libvirt.VIR_MEMORY_PHYSICAL, 0, 3):
        show(f"memory peek {flags}", dom.memoryPeek, 0, 16, flags)
    show("disk errors", lambda: dom.diskErrors(0))
    show("disk errors bad flags", lambda: dom.diskErrors(1))
    show("fs info", lambda: dom.fsInfo(0))
    show("fs info bad flags", lambda: dom.fsInfo(1))
    show("security label", lambda: dom.securityLabel())
    show("security labels", lambda: dom.securityLabelList())
    show("job info", lambda: dom.jobInfo())
    show("job stats", lambda: dom.jobStats(0))
    show("abort job", lambda: dom.abortJob())
    show("migrate max speed", lambda: dom.migrateGetMaxSpeed(0))
    show("migrate max downtime", lambda: dom.migrateGetMaxDowntime(0))
    show("migrate compression cache", lambda: dom.migrateGetCompressionCache(0))
    show("snapshots", lambda: (dom.snapshotNum(0), names(dom.listAllSnapshots(0)), dom.hasCurrentSnapshot(0)))
    show("snapshots bad flags", lambda: dom.snapshotNum(1 << 20))
    show("checkpoints", lambda: names(dom.listAllCheckpoints(0)))
    show("checkpoint lookup", lambda: dom.checkpointLookupByName("none", 0))
    show("launch security state", lambda: dom.setLaunchSecurityState({}, 0))


def stats_of(dom, groups, flags):
    return scrub([found for _, found in dom.connect().domainListGetStats([dom], groups, flags)])


def sweep_states(dom):
    """Running, paused and shut off, leaving the domain as it was."""
    was = dom.state(0)[0]
    if was == libvirt.VIR_DOMAIN_SHUTOFF:
        sweep(dom)
        dom.create()
    sweep(dom)
    dom.suspend()
    print(dom.name(), "paused")
    show("time", lambda: dom.getTime(0))
    show("control", lambda: dom.controlInfo(0))
    show("vcpus", lambda: [[(n, s, c) for n, s, _, c in dom.vcpus()[0]], dom.vcpus()[1]])
    show("memory stats", lambda: dom.memoryStats())
    show("hostname", lambda: dom.hostname(0))
    show("interface addresses", lambda: dom.interfaceAddresses(0, 0))
    show("fs info", lambda: dom.fsInfo(0))
    dom.resume()
    if dom.isPersistent():
        dom.destroy()
        if was != libvirt.VIR_DOMAIN_SHUTOFF:
            sweep(dom)
            dom.create()


def tune(dom, flags):
    """Each setter with these flags, then what the getters and the definition say."""
    print(dom.name(), "tuning with flags", flags, "state", dom.state(0))
    cpus = (True, False, True, False, False, False, False, False)
    show("set memory params", dom.setMemoryParameters, {"hard_limit": 5000000, "soft_limit": 4000000}, flags)
    show("memory params", dom.memoryParameters, flags)
    show("set blkio", dom.setBlkioParameters, {"weight": 700, "device_weight": "/dev/sda,800,/dev/sdb,0"}, flags)
    show("blkio", dom.blkioParameters, flags)
    show("set numa", dom.setNumaParameters, {"numa_mode": 1, "numa_nodeset": "0-1"}, flags)
    show("numa", dom.numaParameters, flags)
    show("set scheduler", dom.setSchedulerParametersFlags, {"cpu_shares": 1234}, flags)
    show("scheduler", dom.schedulerParametersFlags, flags)
    disks, sources, interfaces = definition_facts(dom)
    for disk in [*disks, *sources]:
        show(f"set io tune {disk}", dom.setBlockIoTune, disk, {"total_bytes_sec": 5000, "read_iops_sec": 0}, flags)
        show(f"io tune {disk}", dom.blockIoTune, disk, flags)
    for device in interfaces:
        show(f"set interface {device}", dom.setInterfaceParameters, device, {"inbound.average": 100}, flags)
        show(f"interface {device}", dom.interfaceParameters, device, flags)
    show("set perf", dom.setPerfEvents, {"cmt": True, "cpu_cycles": True}, flags)
    show("perf", dom.perfEvents, flags)
    show("pin emulator", dom.pinEmulator, cpus, flags)
    show("emulator pins", dom.emulatorPinInfo, flags)
    show("pin iothread", dom.pinIOThread, 3, cpus, flags)
    show("add iothread", dom.addIOThread, 7, flags)
    show("del iothread", dom.delIOThread, 5, flags)
    show("iothread params", dom.setIOThreadParams, 1, {"poll_max_ns": 100, "poll_grow": 2}, flags)
    show("iothreads", dom.ioThreadInfo, flags)
    show("pin vcpu", dom.pinVcpuFlags, 1, cpus, flags)
    show("vcpu pins", dom.vcpuPinInfo, flags)
    show("set vcpus", dom.setVcpusFlags, 3, flags)
    show("vcpus", dom.vcpusFlags, flags)
    show("set memory", dom.setMemoryFlags, 900000, flags)
    show("set memory period", dom.setMemoryStatsPeriod, 5, flags)
    for kind in (7, -1):
        show(f"set metadata {kind}", dom.setMetadata, kind, "x", None, None, flags)
    show("set metadata element", dom.setMetadata, 2, "<b>new</b>", "app", "http://example.org/app", flags)
    show("metadata element", dom.metadata, 2, "http://example.org/app", flags)
    show("xml", dom.XMLDesc, 0)
    show("inactive xml", dom.XMLDesc, libvirt.VIR_DOMAIN_XML_INACTIVE)


def named_disks(dom):
    """Checkpoints, then snapshots, of one disk named by target or source path (or neither)."""
    print(dom.name(), "named disks in state", dom.state(0))
    disks, sources, _ = definition_facts(dom)
    for number, name in enumerate([*disks, *sources, "relative.img", "/nope", "sweep.img"]):
        xml = f"<domaincheckpoint><name>cp-{number}</name><disks><disk name='{name}'/></disks></domaincheckpoint>"
        made = show(f"checkpoint of {name}", dom.checkpointCreateXML, xml, 0)
        if made is not None:
            show(f"checkpoint of {name} xml", made.getXMLDesc, 0)
            made.delete(0)
    for number, name in enumerate([*disks, *sources, "relative.img", "/nope", "sweep.img"]):
        xml = f"<domainsnapshot><name>s-{number}</name><disks><disk name='{name}' snapshot='no'/></disks>"
        made = show(f"snapshot of {name}", dom.snapshotCreateXML, xml + "</domainsnapshot>", 0)
        if made is not None:
            show(f"snapshot of {name} xml", made.getXMLDesc, 0)
            made.delete(0)


def listed_snapshots(dom, flags):
    return dom.snapshotNum(flags), names(dom.listAllSnapshots(flags))


def moments(dom):
    """Snapshots, checkpoints and a managed save image of the domain as it is."""
    state = dom.state(0)[0]
    print(dom.name(), "moments in state", state)
    for flags in (0, 16, 32, 64, 128, 256, 1024):  # plain, disk only, reuse, quiesce, atomic, live, unknown
        xml = f"<domainsnapshot><name>snap-{state}-{flags}</name></domainsnapshot>"
        made = show(f"snapshot {flags}", dom.snapshotCreateXML, xml, flags)
        if made is not None:
            show(f"snapshot xml {flags}", made.getXMLDesc, 0)
    show("snapshot names", lambda: names(dom.listAllSnapshots(0)))
    for bit in range(12):
        show(f"snapshots {1 << bit:#x}", listed_snapshots, dom, 1 << bit)
    current = show("current snapshot", dom.snapshotCurrent, 0)
    if current is not None:
        show("current snapshot children", lambda: names(current.listAllChildren(0)))
        show("current snapshot parent", current.getParent, 0)
        for flags in (0, 1, 2, 4, 8):  # plain, running, paused, force, reset nvram
            show(f"revert {flags}", dom.revertToSnapshot, current, flags)
            show("state", dom.state, 0)
        xml = f"<domaincheckpoint><name>cp-{state}-{flags}</name></domaincheckpoint>"
        made = show(f"checkpoint {flags}", dom.checkpointCreateXML, xml, flags)
        if made is not None:
            show(f"checkpoint xml {flags}", made.getXMLDesc, 0)
            show(f"checkpoint xml size {flags}", made.getXMLDesc, 2)
    show("checkpoint names", lambda: names(dom.listAllCheckpoints(0)))
    show("managed save", dom.managedSave, 0)
    show("managed save image", dom.hasManagedSaveImage, 0)
    for flags in (0, 1, 2):
        show(f"managed save xml {flags}", dom.managedSaveGetXMLDesc, flags)
    show("state", dom.state, 0)
    show("start", dom.create)
    show("state", dom.state, 0)


def actions(dom):
    """Calls that act on a running guest, with their flags, then what the domain says."""
    print(dom.name(), "actions in state", dom.state(0))
    for points in (["/"], ["/boot", "/"], ["/nope"], [], ["/", "/"]):
        show(f"freeze {points}", dom.fsFreeze, points, 0)
        show("fs info", dom.fsInfo, 0)
        show(f"thaw {points}", dom.fsThaw, points, 0)
    show("freeze all", dom.fsFreeze, None, 0)
    show("freeze all again", dom.fsFreeze, None, 0)
    show("thaw all", dom.fsThaw, None, 0)
    show("thaw all again", dom.fsThaw, None, 0)
    show("freeze bad flags", dom.fsFreeze, None, 1)
    for point, minimum, flags in (("/", 0, 0), (None, 100, 0), ("/nope", 0, 0), ("/", 0, 1)):
        show(f"trim {point} {minimum} {flags}", dom.fSTrim, point, minimum, flags)
    for codeset, keys in ((0, [1, 2]), (1, [30]), (2, [0x04]), (7, [1]), (9, [1]), (0, [300]), (0, [])):
        show(f"send key {codeset} {keys}", dom.sendKey, codeset, 10, keys, len(keys), 0)
    show("nmi", dom.injectNMI, 0)
    show("nmi bad flags", dom.injectNMI, 1)
    for pid, signal in ((1, 15), (2, 15), (1, 100), (1, 0)):
        show(f"signal {pid} {signal}", dom.sendProcessSignal, pid, signal, 0)
    for flags in (0, 1, 2):
        show(f"password {flags}", dom.setUserPassword, "root", "secret", flags)
    for kind in (0, 1, 2, 3):
        for action in (0, 1, 2, 3, 4, 5, 6):
            for flags in (0, 1, 2):
                show(f"lifecycle {kind} {action} {flags}", dom.setLifecycleAction, kind, action, flags)
    show("xml", dom.XMLDesc, 0)
    show("inactive xml", dom.XMLDesc, libvirt.VIR_DOMAIN_XML_INACTIVE)
    for flags in (1, 2, 4, 8, 16, 32, 1 << 9):
        show(f"reboot {flags}", dom.reboot, flags)
        show("state", dom.state, 0)
    show("reset", dom.reset, 0)
    show("reset bad flags", dom.reset, 1)
    for flags in (1 << 9, 32, 16, 8, 4, 2, 1):
        show(f"shutdown {flags}", dom.shutdownFlags, flags)
        show("state", dom.state, 0)


def saves(dom):
    """A running domain saved to a file, the image's definition read and changed, restored."""
    print(dom.name(), "saves in state", dom.state(0))
    conn, image = dom.connect(), os.path.join(FOLDER, dom.name())
    show("save", dom.saveFlags, image, None, 0)
    for flags in (0, 1, 2):
        show(f"image xml {flags}", conn.saveImageGetXMLDesc, image, flags)
    edited = conn.saveImageGetXMLDesc(image, 0).replace("</uuid>", "</uuid><description>saved</description>")
    show("define image", conn.saveImageDefineXML, image, edited, 0)
    show("image xml", conn.saveImageGetXMLDesc, image, 1)
    show("restore", conn.restoreFlags, image, None, libvirt.VIR_DOMAIN_SAVE_PAUSED)
    show("state", dom.state, 0)
    show("xml", dom.XMLDesc, 1)
    show("core dump", dom.coreDump, image + ".core", 0)
    show("managed save", dom.managedSave, 0)
    for flags in (0, 1, 2):
        show(f"managed save xml {flags}", dom.managedSaveGetXMLDesc, flags)
    show("managed save define", dom.managedSaveDefineXML, edited.replace("saved", "managed"), 0)
    show("managed save xml", dom.managedSaveGetXMLDesc, 0)
    show("start", dom.create)
    show("state", dom.state, 0)
    show("xml", dom.XMLDesc, 0)


def rich_copy(name, number):
    return RICH.replace("sweep-rich", name).replace("0001</uuid>", f"{number:04x}</uuid>")


def all_stats(conn, groups, flags):
    """Every domain's statistics at once, by name (libvirtd's order is its hash table's)."""
    return sorted((dom.name(), scrub(stats)) for dom, stats in conn.getAllDomainStats(groups, flags))


for name in ("fv0", "fc4", "fc5"):
    sweep_states(node.lookupByName(name))
sweep_states(default.lookupByName("test"))
for xml in NETWORKS:
    default.networkDefineXML(xml)
for xml in (RICH, BALLOON, REMOVABLE, DISKS, NETS, LOST, VCPUS, DEVICES):
    defined = show("define", default.defineXML, xml)
    if defined is not None:
        sweep_states(defined)
for flags in (0, 2, 1 << 9):
    tune(default.defineXML(rich_copy(f"sweep-tune{flags}", 0x1000 + flags)), flags)
for flags in (0, 1, 2, 3):
    running = default.createXML(rich_copy(f"sweep-live{flags}", 0x2000 + flags))
    tune(running, flags)
    if flags:
        made = default.defineXML(running.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        tune(made, flags)
        running.destroy()
        show("xml after stop", made.XMLDesc, 0)
for xml in (BALLOON, VCPUS, DISKS, DEVICES, NETS):
    for flags in (0, 1, 2):
        tuned = re.sub(r"<name>([^<]+)</name>", rf"<name>\1-tuned{flags}</name>", xml)
        tune(default.createXML(tuned.replace("-4000-8000", f"-4000-a00{flags}")), flags)
for xml in (RICH, BALLOON, REMOVABLE, DISKS, VCPUS, DEVICES):
    acted = re.sub(r"<name>([^<]+)</name>", r"<name>\1-acted</name>", xml).replace("-4000-8000", "-4000-9000")
    actions(default.createXML(acted))
for name in ("sweep-rich", "sweep-disks", "sweep-removable"):
    dom = default.lookupByName(name)
    if not dom.isActive():
        dom.create()
    named_disks(dom)
    moments(dom)
    dom.destroy()
    moments(dom)
for conn, name in ((default, "sweep-vcpus"), (default, "sweep-devices"), (default, "sweep-balloon"), (node, "fc5")):
    dom = conn.lookupByName(name)
    if not dom.isActive():
        dom.create()
    saves(dom)
actions(node.lookupByName("fc4"))
named_disks(node.lookupByName("fv0"))
moments(node.lookupByName("fv0"))
renamed = default.lookupByName("sweep-disks")  # with snapshots
show("rename running", renamed.rename, "sweep-renamed", 0)
renamed.managedSave(0)
for name, flags in (("test", 0), ("sweep-renamed", 1), ("", 0), ("a/b", 0), ("sweep-renamed", 0)):
    show(f"rename to {name!r} {flags}", renamed.rename, name, flags)
show("renamed", lambda: (renamed.name(), listed_snapshots(renamed, 0), renamed.hasManagedSaveImage(0)))
show("renamed current snapshot xml", lambda: renamed.snapshotCurrent(0).getXMLDesc(0))
show("renamed xml", renamed.XMLDesc, 0)
show("renamed managed save xml", renamed.managedSaveGetXMLDesc, 0)
show("old name", default.lookupByName, "sweep-disks")
show("renamed start", renamed.create)
show("renamed state", renamed.state, 0)
# (no revert here: libvirt's would bring back the snapshot's old name under the new one's key)
for name in ("sweep-renamed", "sweep-disks"):
    show(f"look up {name}", lambda name: default.lookupByName(name).UUIDString(), name)
renamed.destroy()
show("rename back", renamed.rename, "sweep-disks", 0)
transient = default.createXML(RICH.replace("sweep-rich", "sweep-transient").replace("0001</uuid>", "0004</uuid>"))
sweep(transient)
transient.destroy()

# CPU statistics of chosen CPUs, which libvirt-python cannot ask for
for uri, name in ((sys.argv[1], "fv0"), (DEFAULT_URI, "test"), (DEFAULT_URI, "sweep-rich")):
    for start, count in ((0, 1), (1, 2), (3, 9), (7, 1)):
        virsh(uri, f"cpu-stats {name} --start {start} --count {count}")
    virsh(uri, f"cpu-stats {name} --total")
for conn in (node, default):
    for groups in (0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 1024):
        for flags in (0, 1, 2, 1 << 31):
            show(f"all stats {groups} {flags:#x}", all_stats, conn, groups, flags)

# node files' hosts: the CPU count from the topology and <active>, values that are not numbers
SOCKET_PART = sys.argv[1].split("?", 1)[1]


def node_host(path):
    conn = libvirt.open(f"test+unix://{path}?{SOCKET_PART}")
    return conn.getInfo(), conn.getCPUMap(0), conn.getFreeMemory()


for conn in (node, default):
    for start, count in ((0, 1), (0, 4), (1, 1), (2, 1), (9, 1)):
        show(f"cells free memory {start} {count}", conn.getCellsFreeMemory, start, count)


TOPOLOGY = "<nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>2</threads>"
for number, body in enumerate(
    (
        f"<cpu>{TOPOLOGY}</cpu>",
        f"<cpu>{TOPOLOGY}<active>9</active></cpu>",
        "<cpu><active>3</active></cpu>",
        "<cpu><nodes> 3</nodes><mhz>+5</mhz><model>m</model></cpu><memory>100</memory>",
        "<cpu><nodes>1<x>2</x></nodes><sockets></sockets></cpu>",
        "<cpu><nodes>x</nodes></cpu>",
        "<cpu><sockets>-1</sockets></cpu>",
        "<cpu><cores>4294967296</cores></cpu>",
        "<cpu><threads>2x</threads></cpu>",
        "<cpu><active>a</active></cpu>",
        "<cpu><mhz>1.5</mhz></cpu>",
        "<memory>-5</memory>",
        "<memory>18446744073709551615</memory>",
        "<cpu><model>" + "m" * 31 + "</model></cpu>",
        "<cpu><model>" + "m" * 32 + "</model></cpu>",
    )
):
    path = os.path.join(FOLDER, f"node{number}.xml")
    with open(path, "w") as file:
        file.write(f"<node>{body}</node>")
    show(f"node {body}", node_host, path)
shutil.rmtree(FOLDER)
