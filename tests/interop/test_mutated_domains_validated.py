"""Domain documents less one part that libvirtd refuses (session 16's findings from
`python -m interop xmlcorpus --kind domains --mutate-every 7`): the Hyper-V values, a guest
CPU's cache, a vhost-user interface's reconnection, the IOMMU's interrupt remapping, the
IOThread pools, the backing path of an NVDIMM or virtio-pmem device. libvirt-python defines
them on virtrio and on libvirtd side by side."""

from __future__ import annotations

from pathlib import Path

from .side_by_side import assert_answered_alike, script_answers
from .test_missing_parts import SCRIPT, UUID, document
from .test_mutated_domains import START_SCRIPT


def hyperv(features: str) -> str:
    return f"<features><hyperv mode='custom'>{features}</hyperv></features>"


def intel_iommu(driver: str) -> str:
    return f"<iommu model='intel'><driver {driver}/></iommu>"


def vhostuser(reconnect: str) -> str:
    return (
        "<interface type='vhostuser'><mac address='52:54:00:00:00:01'/>"
        f"<source type='unix' path='/tmp/s' mode='client'>{reconnect}</source><model type='virtio'/></interface>"
    )


def teaming(attributes: str, more: str = "") -> str:
    return (
        "<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/>"
        f"<teaming {attributes}/>{more}</interface>"
    )


PPC64 = "<os><type arch='ppc64' machine='pseries'>hvm</type></os>"


def http_disk(parts: str) -> str:
    return (
        "<disk type='network'><source protocol='http' name='test.img'><host name='example.org'/>"
        f"{parts}</source><target dev='vda'/></disk>"
    )


def iscsi_disk(parts: str) -> str:
    return (
        "<disk type='network'><source protocol='iscsi' name='iqn.1992-01.com.example/1'><host name='example.org'/>"
        f"{parts}</source><target dev='vda'/></disk>"
    )


def filesystem(parts: str) -> str:
    return f"<filesystem type='mount'>{parts}<source dir='/s'/><target dir='t'/></filesystem>"


def luks_disk(attributes: str) -> str:
    return (
        f"<disk type='file'><source file='/x'><encryption {attributes}>"
        "<secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/></encryption></source>"
        "<target dev='vda'/></disk>"
    )


def virtio_interface(driver: str) -> str:
    return f"<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/>{driver}</interface>"


USB_14_7 = "<address bus='14' device='7'/>"
USB_IDS = "<vendor id='0x1234'/><product id='0xbeef'/>"


def usb_hostdev(source: str) -> str:
    return f"<hostdev mode='subsystem' type='usb'><source>{source}</source></hostdev>"


MAX_MEMORY = "<maxMemory slots='16' unit='KiB'>1099511627776</maxMemory>"
NUMA = "<cpu><numa><cell id='0' cpus='0' memory='1024'/></numa></cpu>"
TARGET = "<target><size unit='KiB'>512</size></target>"
NODE_TARGET = "<target><size unit='KiB'>512</size><node>0</node></target>"


def memory_device(attributes: str, source: str, target: str = TARGET) -> str:
    return f"<memory {attributes}>{source}{target}</memory>"


# the parts of <domain> other than its devices
BODIES = {
    # virDomainFeaturesHyperVDefParse: a spinlock's retries and a vendor ID's value when on
    "spinlocks on without retries": hyperv("<spinlocks state='on'/>"),
    "spinlocks on with few retries": hyperv("<spinlocks state='on' retries='4094'/>"),
    "spinlocks on with retries not a number": hyperv("<spinlocks state='on' retries='x'/>"),
    "spinlocks on with retries": hyperv("<relaxed state='on'/><spinlocks state='on' retries='4095'/>"),
    "spinlocks on with hexadecimal retries first": hyperv("<spinlocks retries='0x2000' state='on'/>"),
    "spinlocks off without retries": hyperv("<spinlocks state='off'/>"),
    "spinlocks off with odd retries": hyperv("<spinlocks state='off' retries='x'/>"),
    "vendor_id on without value": hyperv("<vendor_id state='on'/>"),
    "vendor_id on with a long value": hyperv("<vendor_id state='on' value='abcdefghijklm'/>"),
    "vendor_id on with a comma": hyperv("<vendor_id state='on' value='ab,cd'/>"),
    "vendor_id on with 12 characters": hyperv("<vendor_id state='on' value='abcdefghijkl'/>"),
    "vendor_id off without value": hyperv("<vendor_id state='off'/>"),
    "vendor_id off with a comma": hyperv("<vendor_id value='a,b' state='off'/>"),
    "vendor_id on, its value first": hyperv("<vendor_id value='KVMKVM' state='on'/>"),
    # virDomainDefPostParseMemtune drops a hugepage node set of node 0 alone when there is
    # no guest NUMA cell; virDomainDefMemtuneValidate refuses a node beyond the cells
    "hugepages on nodes 0-3 without NUMA cells": "<memoryBacking><hugepages>"
    "<page size='1048576' unit='KiB' nodeset='0-3'/></hugepages></memoryBacking>",
    "hugepages on node 0 without NUMA cells": "<memoryBacking><hugepages>"
    "<page size='1048576' unit='KiB' nodeset='0'/></hugepages></memoryBacking>",
    "hugepages on node 1 without NUMA cells": "<memoryBacking><hugepages>"
    "<page size='2048' unit='KiB' nodeset='1'/></hugepages></memoryBacking>",
    # virDomainEmulatorSchedParse: one at most, its scheduler required, a priority for fifo and rr
    "emulatorsched without scheduler": "<cputune><emulatorsched priority='2'/></cputune>",
    "emulatorsched none": "<cputune><emulatorsched scheduler='none'/></cputune>",
    "emulatorsched fifo without priority": "<cputune><emulatorsched scheduler='fifo'/></cputune>",
    "emulatorsched rr with priority x": "<cputune><emulatorsched scheduler='rr' priority='x'/></cputune>",
    "emulatorsched rr, priority first": "<cputune><emulatorsched priority='+05' scheduler='rr'/></cputune>",
    "emulatorsched batch with priority": "<cputune><emulatorsched scheduler='batch' priority='x'/></cputune>",
    "two emulatorscheds": "<cputune><emulatorsched scheduler='idle'/><emulatorsched scheduler='batch'/></cputune>",
    "emulatorsched without scheduler after a vcpusched without vcpus": "<cputune>"
    "<emulatorsched/><vcpusched scheduler='idle'/></cputune>",
    # virDomainFeaturesKVMDefParse: a dirty ring's size when on
    "dirty-ring on without size": "<features><kvm><dirty-ring state='on'/></kvm></features>",
    "dirty-ring on with size 1000": "<features><kvm><dirty-ring state='on' size='1000'/></kvm></features>",
    "dirty-ring on with size 131072": "<features><kvm><dirty-ring state='on' size='131072'/></kvm></features>",
    "dirty-ring on with size 0x400, first": "<features><kvm><dirty-ring size='0x400' state='on'/></kvm></features>",
    "dirty-ring off with size x": "<features><kvm><dirty-ring state='off' size='x'/></kvm></features>",
    # virSysinfoParseXML's blocks read their entries by known names: others are not kept
    "sysinfo entries of unknown names": "<sysinfo type='smbios'><bios><entry name='-1'>x</entry>"
    "<entry name='vendor'>V</entry></bios><system><entry name=''>y</entry></system>"
    "<baseBoard><entry name='sku'>z</entry><entry name='asset'>A</entry></baseBoard>"
    "<chassis><entry name='product'>p</entry><entry name='sku'>S</entry></chassis></sysinfo>",
    # virDomainFeaturesDefParse: the pSeries features' values ('none' refused)
    "hpt resizing -1": "<features><hpt resizing='-1'/></features>",
    "hpt resizing none": "<features><hpt resizing='none'/></features>",
    "sbbc value -1": "<features><sbbc value='-1'/></features>",
    "cfpc value none": "<features><cfpc value='none'/></features>",
    "ibs value fixed": "<features><ibs value='fixed'/></features>",
    "ibs value fixed-na, then sbbc value x": "<features><ibs value='fixed-na'/><sbbc value='x'/></features>",
    # virCPUDefParseXMLCache: its mode required, its level 1 to 3; one at most
    "cpu cache without mode": "<cpu mode='host-passthrough'><cache level='3'/></cpu>",
    "cpu cache level 4": "<cpu mode='host-passthrough'><cache level='4' mode='emulate'/></cpu>",
    "cpu cache level -1": "<cpu mode='host-passthrough'><cache level='-1' mode='emulate'/></cpu>",
    "cpu cache level x": "<cpu mode='host-passthrough'><cache level='x' mode='emulate'/></cpu>",
    "cpu cache mode x": "<cpu mode='host-passthrough'><cache mode='x'/></cpu>",
    "two cpu caches": "<cpu mode='host-passthrough'><cache mode='passthrough'/><cache mode='emulate'/></cpu>",
    "cpu cache, mode first, level 03": "<cpu mode='host-passthrough'><cache mode='emulate' level='03'/></cpu>",
    "cpu cache without mode after a bad feature": "<cpu><model>qemu64</model><feature name=''/><cache/></cpu>",
    "spinlocks without retries after a bad feature state": hyperv("<relaxed state='x'/><spinlocks state='on'/>"),
}

OS_BODIES = {
    # virDomainLoaderDefParseXMLNvram: the NVRAM's storage type
    "nvram type -1": "<os><type arch='x86_64' machine='pc'>hvm</type><nvram type='-1'><source file='/n'/></nvram></os>",
    "nvram type x without source": "<os><type arch='x86_64' machine='pc'>hvm</type><nvram type='x'/></os>",
    # an <acpi> without a table is not written
    "os acpi without table": "<os><type arch='x86_64' machine='pc'>hvm</type><acpi/></os>",
    "os acpi with an empty table list": "<os><type arch='x86_64' machine='pc'>hvm</type><acpi><x/></acpi></os>",
}

# whole documents: a body and devices
PAIRS = {
    # virDomainChrSourceReconnectDefParseXML for a vhost-user interface: a timeout when enabled
    "vhostuser reconnect without timeout": ("", vhostuser("<reconnect enabled='yes'/>")),
    "vhostuser reconnect with timeout x": ("", vhostuser("<reconnect enabled='yes' timeout='x'/>")),
    "vhostuser reconnect enabled x": ("", vhostuser("<reconnect enabled='x'/>")),
    "vhostuser reconnect disabled": ("", vhostuser("<reconnect enabled='no'/>")),
    "vhostuser reconnect with timeout": ("", vhostuser("<reconnect enabled='yes' timeout='10'/>")),
    # virDomainFSDefValidate: a boot order for virtiofs only
    "9p filesystem with a boot order": (
        "",
        "<filesystem type='mount'><source dir='/s'/><target dir='t'/><boot order='1'/></filesystem>",
    ),
    "virtiofs filesystem with a boot order": (
        "<memoryBacking><access mode='shared'/></memoryBacking>",
        "<filesystem type='mount'><driver type='virtiofs'/><source dir='/s'/><target dir='t'/><boot order='1'/>"
        "</filesystem>",
    ),
    "path filesystem with a boot order": (
        "",
        "<filesystem type='mount'><driver type='path'/><source dir='/s'/><target dir='t'/><boot order='1'/>"
        "</filesystem>",
    ),
    # virDomainVsockDefValidate: a guest CID from 3, virtio options on a virtio model only
    "vsock cid 2": ("", "<vsock model='virtio'><cid address='2'/></vsock>"),
    "vsock cid 3": ("", "<vsock model='virtio'><cid address='3'/></vsock>"),
    "vsock without model, with iommu": ("", "<vsock><driver iommu='on'/></vsock>"),
    "vsock without model, with packed": ("", "<vsock><driver packed='off'/></vsock>"),
    "vsock without model, with page_per_vq": ("", "<vsock><driver page_per_vq='on'/></vsock>"),
    "vsock default model, with ats": ("", "<vsock model='default'><driver ats='on'/></vsock>"),
    "vsock virtio, with iommu": ("", "<vsock model='virtio'><driver iommu='on'/></vsock>"),
    "vsock cid 1 without model, with iommu": ("", "<vsock><cid address='1'/><driver iommu='on'/></vsock>"),
    # each input is read, then refused on a USB bus when USB is disabled
    "input without type, USB disabled": ("", "<controller type='usb' model='none'/><input bus='usb'/>"),
    "input of an unknown type, USB disabled": ("", "<controller type='usb' model='none'/><input type='x' bus='usb'/>"),
    "tablet, then input without type, USB disabled": (
        "",
        "<controller type='usb' model='none'/><input type='tablet' bus='usb'/><input bus='usb'/>",
    ),
    "input without type, then a tablet, USB disabled": (
        "",
        "<controller type='usb' model='none'/><input bus='ps2'/><input type='tablet' bus='usb'/>",
    ),
    # a sound codec without type: libvirt names it (null)
    "ich6 codec without type": ("", "<sound model='ich6'><codec/></sound>"),
    # virDomainNetDefValidate: a transient teaming names its persistent interface, a persistent one none
    "teaming without type": ("", teaming("persistent='ua-backup0'")),
    "teaming of type x": ("", teaming("type='x'")),
    "teaming of type none": ("", teaming("type='none'")),
    "teaming with empty attributes": ("", teaming("type='' persistent=''")),
    "persistent teaming with an empty persistent": ("", teaming("type='persistent' persistent=''")),
    "transient teaming without persistent": ("", teaming("type='transient'")),
    "transient teaming with an empty persistent": ("", teaming("type='transient' persistent=''")),
    "transient teaming with persistent": ("", teaming("type='transient' persistent='ua-backup0'")),
    "persistent teaming with persistent": ("", teaming("type='persistent' persistent='ua-backup0'")),
    "persistent teaming": ("", teaming("type='persistent'")),
    "transient teaming without persistent, with an isolated port": (
        "",
        teaming("type='transient'", "<port isolated='yes'/>"),
    ),
    # a <driver> with nothing read is not written (virXMLFormatElement)
    "disk with an empty driver": ("", "<disk type='file'><driver/><source file='/a'/><target dev='vda'/></disk>"),
    "filesystem with an empty driver": (
        "",
        "<filesystem type='mount'><driver/><source dir='/s'/><target dir='t'/></filesystem>",
    ),
    "scsi controller with an empty driver": ("", "<controller type='scsi' model='virtio-scsi'><driver/></controller>"),
    "disk with a driver holding a comment": (
        "",
        "<disk type='file'><driver><!-- c --></driver><source file='/a'/><target dev='vda'/></disk>",
    ),
    # virDomainDiskSourceNetworkParse: an initiator's IQN name, HTTP's read-ahead and timeout
    "http disk, readahead without size": ("", http_disk("<readahead/><timeout seconds='10'/>")),
    "http disk, readahead 0, timeout without seconds": ("", http_disk("<readahead size='0'/><timeout/>")),
    "http disk, readahead x": ("", http_disk("<readahead size='x'/>")),
    "http disk, timeout x": ("", http_disk("<timeout seconds='x'/>")),
    "http disk, readahead +010 first": ("", http_disk("<timeout seconds='3'/><readahead size='+010'/>")),
    "rbd disk with a readahead": (
        "",
        "<disk type='network'><source protocol='rbd' name='p/i'><host name='h'/><readahead size='1'/></source>"
        "<target dev='vda'/></disk>",
    ),
    "iscsi disk, initiator without iqn name": ("", iscsi_disk("<initiator><iqn/></initiator>")),
    "iscsi disk, empty initiator, then one": (
        "",
        iscsi_disk("<initiator/><initiator><iqn name='iqn.2013-07.com.example:client'/></initiator>"),
    ),
    "iscsi disk, initiator": ("", iscsi_disk("<initiator><iqn name='iqn.2013-07.com.example:client'/></initiator>")),
    # virDomainFSDefFormat: a typeless driver's virtio options alone; the queue and binary of virtiofs only
    "filesystem driver without type, with wrpolicy": ("", filesystem("<driver wrpolicy='immediate' format='raw'/>")),
    "filesystem driver without type, with iommu": ("", filesystem("<driver wrpolicy='immediate' iommu='on'/>")),
    "filesystem path driver with a queue": ("", filesystem("<driver type='path' queue='1024'/>")),
    "filesystem without driver, with a binary": (
        "",
        filesystem("<binary path='/b' xattr='on'><cache mode='always'/></binary>"),
    ),
    "virtiofs with a thread pool without size": (
        "<memoryBacking><access mode='shared'/></memoryBacking>",
        filesystem("<driver type='virtiofs' queue='1024'/><binary path='/b'><thread_pool/></binary>"),
    ),
    # virDomainHostdevMatchSubsysUSB: the earlier device matched by its address when it names
    # one, else by its ids (0 when left out)
    "usb hostdev without address, then one by address": ("", usb_hostdev("") + usb_hostdev(USB_14_7)),
    "usb hostdev by address, then one without": ("", usb_hostdev(USB_14_7) + usb_hostdev("")),
    "usb hostdevs by ids, then the same address": (
        "",
        usb_hostdev(USB_IDS) + usb_hostdev(USB_14_7) + usb_hostdev(USB_14_7),
    ),
    "usb hostdevs by the same ids": ("", usb_hostdev(USB_IDS) + usb_hostdev(USB_IDS)),
    "usb hostdevs by address 14:7 and 14:8": (
        "",
        usb_hostdev(USB_14_7) + usb_hostdev("<address bus='14' device='8'/>"),
    ),
    # a USB host device's source with nothing to write: not written
    "usb hostdev source without address": ("", "<hostdev mode='subsystem' type='usb'><source/></hostdev>"),
    "usb hostdev source with address 0:0": (
        "",
        "<hostdev mode='subsystem' type='usb'><source><address bus='0' device='0'/></source></hostdev>",
    ),
    # virDomainFSDefParseXML's access mode ('' is its default) and model (not 'default')
    "filesystem accessmode x": ("", "<filesystem accessmode='x'><source dir='/s'/><target dir='t'/></filesystem>"),
    "filesystem accessmode empty": ("", "<filesystem accessmode=''><source dir='/s'/><target dir='t'/></filesystem>"),
    "filesystem model default": ("", "<filesystem model='default'><source dir='/s'/><target dir='t'/></filesystem>"),
    "filesystem model virtio": ("", "<filesystem model='virtio'><source dir='/s'/><target dir='t'/></filesystem>"),
    # virStorageEncryptionParseNode: a format it knows, an engine other than 'default'
    "disk encryption format empty": ("", luks_disk("format=''")),
    "disk encryption format x": ("", luks_disk("format='x'")),
    "disk encryption engine empty": ("", luks_disk("format='luks' engine=''")),
    "disk encryption engine default": ("", luks_disk("format='luks' engine='default'")),
    # virDomainDeviceInfoParseXML: any device's <acpi> index, non-zero when given
    "disk acpi index empty": ("", "<disk type='file'><source file='/a'/><target dev='vda'/><acpi index=''/></disk>"),
    "disk acpi index x": ("", "<disk type='file'><source file='/a'/><target dev='vda'/><acpi index='x'/></disk>"),
    "disk acpi index 0": ("", "<disk type='file'><source file='/a'/><target dev='vda'/><acpi index='0'/></disk>"),
    "disk acpi index 007": ("", "<disk type='file'><source file='/a'/><target dev='vda'/><acpi index='007'/></disk>"),
    "disk acpi without index": ("", "<disk type='file'><source file='/a'/><target dev='vda'/><acpi/></disk>"),
    "video acpi index -1": ("", "<video><model type='cirrus'/><acpi index='-1'/></video>"),
    "controller acpi index 5": ("", "<controller type='scsi' index='0'><acpi index='5'/></controller>"),
    # virDomainNetDefParseXMLDriver: a virtio interface's driver switches and offloads
    "virtio interface, driver event_idx empty": ("", virtio_interface("<driver name='vhost' event_idx=''/>")),
    "virtio interface, driver name default": ("", virtio_interface("<driver name='default'/>")),
    "virtio interface, driver txmode x": ("", virtio_interface("<driver txmode='x' name='x'/>")),
    "virtio interface, driver ats x": ("", virtio_interface("<driver name='x' ats='x'/>")),
    "virtio interface, driver rss x": ("", virtio_interface("<driver rss='x'/>")),
    "virtio interface, guest ecn empty": ("", virtio_interface("<driver><host csum='off'/><guest ecn=''/></driver>")),
    "virtio interface, host ufo x": ("", virtio_interface("<driver><guest ecn='x'/><host ufo='x'/></driver>")),
    "virtio interface, offloads": (
        "",
        virtio_interface("<driver><host csum='off' ecn='on'/><guest ufo='off'/></driver>"),
    ),
    # virDomainDiskDefParseXML: the disk's model, snapshot location (not 'default') and raw I/O
    "disk model empty": ("", "<disk type='file' model=''><source file='/a'/><target dev='vda'/></disk>"),
    "disk model default": ("", "<disk type='file' model='default'><source file='/a'/><target dev='vda'/></disk>"),
    "disk snapshot -1": ("", "<disk type='file' snapshot='-1'><source file='/a'/><target dev='vda'/></disk>"),
    "disk snapshot default": ("", "<disk type='file' snapshot='default'><source file='/a'/><target dev='vda'/></disk>"),
    "disk rawio x": ("", "<disk type='block' device='lun' rawio='x'><source dev='/a'/><target dev='sda'/></disk>"),
    "vsock cid auto -1": ("", "<vsock model='virtio'><cid auto='-1'/></vsock>"),
    # virDomainDefIOMMUValidate
    "intremap without ioapic": ("", intel_iommu("intremap='on'")),
    "intremap with the kvm ioapic": ("<features><ioapic driver='kvm'/></features>", intel_iommu("intremap='on'")),
    "intremap with an ioapic without driver": ("<features><ioapic/></features>", intel_iommu("intremap='on'")),
    "intremap with the qemu ioapic": ("<features><ioapic driver='qemu'/></features>", intel_iommu("intremap='on'")),
    "eim without intremap": ("<features><ioapic driver='qemu'/></features>", intel_iommu("eim='on'")),
    "eim with intremap off": ("", intel_iommu("intremap='off' eim='on'")),
    "iommu without driver": ("", "<iommu model='intel'/>"),
    # virDomainDefValidateIOThreads: a bound left out is -1, a maximum of 0 refused
    "pool minimum without maximum": (
        "<iothreads>1</iothreads><iothreadids><iothread id='1' thread_pool_min='5'/></iothreadids>",
        "",
    ),
    "pool maximum 0": (
        "<iothreads>1</iothreads><iothreadids><iothread id='1' thread_pool_max='0'/></iothreadids>",
        "",
    ),
    "pool minimum over maximum": (
        "<iothreads>2</iothreads><iothreadids><iothread id='1'/>"
        "<iothread id='2' thread_pool_min='3' thread_pool_max='2'/></iothreadids>",
        "",
    ),
    "pool maximum without minimum": (
        "<iothreads>1</iothreads><iothreadids><iothread id='1' thread_pool_max='4'/></iothreadids>",
        "",
    ),
    "default pool minimum without maximum": ("<defaultiothread thread_pool_min='3'/>", ""),
    "default pool 0 to 0": ("<defaultiothread thread_pool_min='0' thread_pool_max='0'/>", ""),
    "default pool 1 to 2": ("<defaultiothread thread_pool_min='1' thread_pool_max='2'/>", ""),
    # virDomainMemoryDefValidate: an NVDIMM or virtio-pmem needs its backing path
    "nvdimm without source": (MAX_MEMORY, memory_device("model='nvdimm'", "")),
    "nvdimm without path": (
        MAX_MEMORY,
        memory_device("model='nvdimm'", "<source><alignsize>2048</alignsize></source>"),
    ),
    "nvdimm with an empty path": (MAX_MEMORY, memory_device("model='nvdimm'", "<source><path/></source>")),
    "nvdimm with discard": (
        MAX_MEMORY,
        memory_device("model='nvdimm' discard='yes'", "<source><path>/tmp/nvdimm</path></source>"),
    ),
    "nvdimm without path on a missing node": (
        MAX_MEMORY,
        memory_device("model='nvdimm'", "", NODE_TARGET),
    ),
    "nvdimm with a path": (MAX_MEMORY, memory_device("model='nvdimm'", "<source><path>/tmp/nvdimm</path></source>")),
    "nvdimm with a uuid": (
        MAX_MEMORY,
        memory_device(
            "model='nvdimm'", "<uuid>49545eb3-75e1-2d0a-acdd-f0294406c99e</uuid><source><path>/p</path></source>"
        ),
    ),
    "nvdimm with a uuid on ppc64 without label": (
        PPC64 + MAX_MEMORY,
        memory_device(
            "model='nvdimm'", "<uuid>49545eb3-75e1-2d0a-acdd-f0294406c99e</uuid><source><path>/p</path></source>"
        ),
    ),
    "nvdimm on ppc64 with a label": (  # (a UUID given: libvirt would make one up)
        PPC64 + MAX_MEMORY,
        memory_device(
            "model='nvdimm'",
            "<uuid>49545eb3-75e1-2d0a-acdd-f0294406c99e</uuid><source><path>/p</path></source>",
            "<target><size unit='KiB'>512</size><label><size unit='KiB'>128</size></label></target>",
        ),
    ),
    "virtio-pmem without path": (MAX_MEMORY, memory_device("model='virtio-pmem' access='shared'", "")),
    "virtio-pmem with discard": (
        MAX_MEMORY,
        memory_device("model='virtio-pmem' discard='yes'", "<source><path>/tmp/p</path></source>"),
    ),
    "virtio-pmem not shared": (
        MAX_MEMORY,
        memory_device("model='virtio-pmem' access='private'", "<source><path>/tmp/p</path></source>"),
    ),
    "virtio-pmem on a node": (
        MAX_MEMORY + NUMA,
        memory_device("model='virtio-pmem' access='shared'", "<source><path>/tmp/p</path></source>", NODE_TARGET),
    ),
    "virtio-pmem shared": (
        MAX_MEMORY,
        memory_device("model='virtio-pmem' access='shared'", "<source><path>/tmp/p</path></source>"),
    ),
}


def documents() -> dict[str, str]:
    made = {label: document(body, "") for label, body in BODIES.items()}
    for label, body in OS_BODIES.items():
        made[label] = (
            f"<domain type='test'><name>d</name><uuid>{UUID}</uuid><memory>1024</memory>{body}<devices/></domain>"
        )
    for label, (body, devices) in PAIRS.items():
        if body.startswith("<os>"):  # (its own <os>)
            made[label] = (
                f"<domain type='test'><name>d</name><uuid>{UUID}</uuid><memory>1024</memory>{body}"
                f"<devices>{devices}</devices></domain>"
            )
        else:
            made[label] = document(body, devices)
    return made


def test_documents_refused_after_reading_are_answered_as_by_libvirtd(tmp_path: Path) -> None:
    texts = documents()
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert_answered_alike(answers, texts)


def test_a_usb_host_device_written_without_source_is_refused_on_start(tmp_path: Path) -> None:
    """Its <source> held nothing to write, so the copy a start reads back has none: libvirtd
    refuses the start for it, and so does virtrio."""
    texts = {
        "usb hostdev without source address": document("", "<hostdev mode='subsystem' type='usb'><source/></hostdev>")
    }
    answers = script_answers(tmp_path, START_SCRIPT, texts)
    assert answers["virtrio"] == answers["libvirtd"]
