"""Domain documents less one attribute or element (as `python -m interop xmlcorpus
--mutate-every N` makes them from libvirt's own): each is refused with libvirtd's error or
read back as libvirtd writes it. libvirt-python defines them on virtrio and on libvirtd side
by side."""

from __future__ import annotations

from pathlib import Path

from .side_by_side import assert_answered_alike, script_answers

UUID = "c7a5fdbd-edaf-9455-926a-d65c16db1809"  # (libvirt would make one up)
SCSI_HOST_SOURCE = "<adapter name='scsi_host0'/><address bus='0' target='0' unit='0'/>"


def network_disk(source_attributes: str, source_children: str) -> str:
    return f"<disk type='network'><source {source_attributes}>{source_children}</source><target dev='vda'/></disk>"


def vhostuser(source_attributes: str) -> str:
    return (
        f"<interface type='vhostuser'><mac address='52:54:00:00:00:01'/><source {source_attributes}/>"
        "<model type='virtio'/></interface>"
    )


NVME_ADDRESS = "<address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>"


def nvme_disk(source_attributes: str, address: str) -> str:
    return f"<disk type='nvme' device='disk'><source {source_attributes}>{address}</source><target dev='vda'/></disk>"


# the <devices> of each document
DEVICES = {
    "hostdev without mode": "<hostdev type='pci'><source><address bus='0x6' slot='0x7' function='0x0'/></source>"
    "</hostdev>",
    "hostdev without source": "<hostdev mode='subsystem' type='pci'/>",
    "capabilities hostdev without source": "<hostdev mode='capabilities' type='storage'/>",
    "scsi hostdev without address": "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/>"
    "</source></hostdev>",
    "scsi hostdev without bus": "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/>"
    "<address target='0' unit='0'/></source></hostdev>",
    "scsi hostdev without target": "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/>"
    "<address bus='0' unit='0'/></source></hostdev>",
    "scsi hostdev without unit": "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/>"
    "<address bus='0' target='0'/></source></hostdev>",
    "scsi hostdev without adapter": "<hostdev mode='subsystem' type='scsi'><source>"
    "<address bus='0' target='0' unit='0'/></source></hostdev>",
    "scsi hostdev adapter without name": "<hostdev mode='subsystem' type='scsi'><source><adapter/>"
    "<address bus='0' target='0' unit='0'/></source></hostdev>",
    # a post-parse conflict as well: the reading's fault comes first
    "scsi hostdev without adapter beside a disk": "<disk type='file' device='disk'><source file='/x'/>"
    "<target dev='sda' bus='scsi'/><address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>"
    "<hostdev mode='subsystem' type='scsi'><source><address bus='0' target='0' unit='0'/></source>"
    "<address type='drive' controller='0' bus='0' target='0' unit='0'/></hostdev>",
    "boot without order": "<disk type='file' device='disk'><source file='/x'/><target dev='vda'/><boot/></disk>",
    "boot order zero": "<disk type='file' device='disk'><source file='/x'/><target dev='vda'/><boot order='0'/></disk>",
    "boot order x": "<disk type='file' device='disk'><source file='/x'/><target dev='vda'/><boot order='x'/></disk>",
    "boot order 02": "<disk type='file' device='disk'><source file='/x'/><target dev='vda'/><boot order='02'/></disk>",
    # a disk's <source>: only its storage type's attributes read, and not written when empty
    "block cdrom source without dev": "<disk type='block' device='cdrom'><source/><target dev='hdc'/></disk>",
    "cdrom without type": "<disk device='cdrom'><source dev='/dev/cdrom'/><target dev='hdc'/></disk>",
    "file disk with a dev": "<disk type='file'><source file='/x' dev='/y' startupPolicy='optional'/>"
    "<target dev='hdc'/></disk>",
    "file cdrom with a host": "<disk type='file' device='cdrom'><source file='/x'><host name='h' port='1'/>"
    "</source><target dev='hdc'/></disk>",
    # network sources (virDomainDiskSourceNetworkParse), authentication and secrets
    "network source without name": network_disk("protocol='rbd'", "<host name='h'/>"),
    "nbd source without name": network_disk("protocol='nbd'", "<host name='h'/>"),
    "host without name": network_disk("protocol='rbd' name='p/i'", "<host port='1'/>"),
    "unix host without name": network_disk("protocol='nbd' name='e'", "<host transport='unix' socket='/s'/>"),
    "cookie without name": network_disk(
        "protocol='https' name='/f'", "<host name='h'/><cookies><cookie>v</cookie></cookies>"
    ),
    "network source without protocol": network_disk("name='p/i'", "<host name='h'/>"),
    "network source protocol x": network_disk("protocol='x' name='p/i'", "<host name='h'/>"),
    "unix host without socket": network_disk("protocol='nbd' name='e'", "<host transport='unix'/>"),
    "tcp host with a socket": network_disk("protocol='nbd' name='e'", "<host name='h' socket='/s'/>"),
    "rdma host with a socket": network_disk(
        "protocol='gluster' name='v/i'", "<host name='h' transport='rdma' socket='/s'/>"
    ),
    "ssl without verify": network_disk("protocol='https' name='/f'", "<host name='h'/><ssl/>"),
    "auth without username": network_disk("protocol='rbd' name='p/i'", "<auth><secret type='ceph' usage='u'/></auth>"),
    "auth without secret": network_disk("protocol='rbd' name='p/i'", "<auth username='u'/>"),
    "secret without uuid or usage": network_disk(
        "protocol='rbd' name='p/i'", "<auth username='u'><secret type='ceph'/></auth>"
    ),
    "disk auth without secret": "<disk type='network'><auth username='u'/><source protocol='iscsi' name='i/1'>"
    "<host name='h'/></source><target dev='vda'/></disk>",
    "encryption secret without uuid or usage": "<disk type='file'><source file='/x'><encryption format='luks'>"
    "<secret type='passphrase'/></encryption></source><target dev='vda'/></disk>",
    # memory devices (virDomainMemoryDefParseXML)
    "memory without model": "<memory><target><size>256</size></target></memory>",
    "memory without target": "<memory model='dimm'/>",
    "memory without size": "<memory model='dimm'><target><node>0</node></target></memory>",
    "memory size without unit": "<memory model='dimm'><target><size>256</size></target></memory>",
    "memory size in bytes": "<memory model='dimm'><target><size unit='b'>262145</size></target></memory>",
    "iommu without model": "<iommu/>",
    "iommu model x": "<iommu model='x'/>",
    # a vhost-user interface's socket
    "vhostuser source without type": vhostuser("path='/s' mode='client'"),
    "vhostuser source type pty": vhostuser("type='pty' path='/s' mode='client'"),
    "vhostuser source without path": vhostuser("type='unix' mode='client'"),
    "vhostuser source without mode": vhostuser("type='unix' path='/s'"),
    "vhostuser source mode x": vhostuser("type='unix' path='/s' mode='x'"),
    "vhostuser written back": vhostuser("type='unix' path='/s' mode='server'"),
    "encryption without format": "<disk type='file'><source file='/x'><encryption>"
    "<secret type='passphrase' usage='u'/></encryption></source><target dev='vda'/></disk>",
    "encryption secret without type": "<disk type='file'><source file='/x'><encryption format='luks'>"
    "<secret usage='u'/></encryption></source><target dev='vda'/></disk>",
    "disk encryption secret without type": "<disk type='file'><encryption format='luks'><secret usage='u'/>"
    "</encryption><source file='/x'/><target dev='vda'/></disk>",
    "hostdev interface without source": "<interface type='hostdev'><mac address='52:54:00:00:00:01'/></interface>",
    "hostdev interface address without type": "<interface type='hostdev'><mac address='52:54:00:00:00:01'/>"
    "<source><address domain='0x0000' bus='0x00' slot='0x07' function='0x0'/></source></interface>",
    # USB companion controllers' <master>
    "usb companion master without startport": "<controller type='usb' index='0' model='ich9-ehci1'/>"
    "<controller type='usb' index='0' model='ich9-uhci1'><master/></controller>",
    "usb companion without master, with an address": "<controller type='usb' index='0' model='ich9-ehci1'/>"
    "<controller type='usb' index='0' model='ich9-uhci2'>"
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x1'/></controller>",
    "mdev hostdev without model": "<hostdev mode='subsystem' type='mdev'><source>"
    "<address uuid='c2177883-f1bb-47f0-914d-32a22e3a8804'/></source></hostdev>",
    "mdev hostdev model x": "<hostdev mode='subsystem' type='mdev' model='x'><source>"
    "<address uuid='c2177883-f1bb-47f0-914d-32a22e3a8804'/></source></hostdev>",
    # NVMe disk sources (virDomainDiskSourceNVMeParse)
    "nvme source without type": nvme_disk("managed='yes' namespace='1'", NVME_ADDRESS),
    "nvme source without namespace": nvme_disk("type='pci' managed='yes'", NVME_ADDRESS),
    "nvme source without address": nvme_disk("type='pci' managed='yes' namespace='1'", ""),
    "nvme source without managed": nvme_disk("type='pci' namespace='1'", NVME_ADDRESS),
    "nvme address without bus and function": nvme_disk(
        "type='pci' namespace='1'", "<address domain='0x0001' slot='0x02'/>"
    ),
    "scsi hostdev written back": f"<hostdev type='scsi'><source>{SCSI_HOST_SOURCE}</source></hostdev>",
}

# the parts of <domain> other than its devices, each document's
BODIES = {
    "idmap without start": "<idmap><uid target='1000' count='10'/><gid start='0' target='1000' count='10'/></idmap>",
    "idmap without count": "<idmap><uid start='0' target='1000' count='10'/><gid start='0' target='1000'/></idmap>",
    "idmap target x": "<idmap><uid start='0' target='x' count='10'/><gid start='0' target='1000' count='10'/></idmap>",
    "idmap without gid": "<idmap><uid start='0' target='1000' count='10'/></idmap>",
    "idmap without uid": "<idmap><gid start='0' target='1000' count='10'/></idmap>",
    "idmap written back": "<idmap><uid start='5' target='1005' count='10'/><uid start='0' target='1000' count='5'/>"
    "<gid start='0' target='1000' count='10'/></idmap>",
    "two idmaps": "<idmap><uid start='0' target='1000' count='5'/></idmap>"
    "<idmap><gid start='0' target='1000' count='10'/></idmap>",
    "empty idmap": "<idmap/>",
    "perf event without name": "<perf><event enabled='yes'/></perf>",
    "perf event without enabled": "<perf><event name='cmt'/></perf>",
    "perf event unknown": "<perf><event name='bogus' enabled='yes'/></perf>",
    "perf event enabled x": "<perf><event name='cmt' enabled='x'/></perf>",
    "hyperv runtime without state": "<features><hyperv><relaxed state='on'/><runtime/></hyperv></features>",
    "kvm hidden without state": "<features><kvm><hidden/></kvm></features>",
    "kvm hidden state x": "<features><kvm><hidden state='x'/></kvm></features>",
    "keywrap cipher without state": "<keywrap><cipher name='aes'/></keywrap>",
    "keywrap cipher without name": "<keywrap><cipher state='on'/></keywrap>",
    "keywrap cipher twice": "<keywrap><cipher name='aes' state='on'/><cipher name='aes' state='off'/></keywrap>",
    "keywrap without cipher": "<keywrap/>",
    "keywrap written back": "<keywrap><cipher name='dea' state='off'/></keywrap>"
    "<keywrap><cipher name='aes' state='on'/></keywrap>",
    "smbios entry without name": "<sysinfo type='smbios'><system><entry name='product'>p</entry><entry>x</entry>"
    "</system><chassis><entry>y</entry></chassis><oemStrings><entry>z</entry></oemStrings></sysinfo>",
    "emulatorpin without cpuset": "<cputune><emulatorpin/></cputune>",
    "two emulatorpins": "<cputune><emulatorpin cpuset='0'/><emulatorpin cpuset='0'/></cputune>",
    "iothreadpin without cpuset": "<iothreads>1</iothreads><cputune><iothreadpin iothread='1'/></cputune>",
    "numa cell without memory": "<cpu><numa><cell id='0' cpus='0'/></numa></cpu>",
    "numa cell memory empty": "<cpu><numa><cell id='0' cpus='0' memory=''/></numa></cpu>",
    "cpu check without model": "<cpu check='none'/>",
    "cpu check partial, empty model": "<cpu mode='custom' check='partial'><model/></cpu>",
    "cpu check default without model": "<cpu check='default'/>",
    "host-model cpu check without model": "<cpu mode='host-model' check='partial'/>",
    "pm state without enabled": "<pm><suspend-to-mem enabled='no'/><suspend-to-disk/></pm>",
    "pm states without enabled": "<pm><suspend-to-mem/><suspend-to-disk/></pm>",
    "idmap root unmapped": "<idmap><uid start='1' target='1000' count='10'/><gid start='1' target='1000' count='10'/>"
    "</idmap>",
}

SCRIPT = """
import json, sys
import libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
conn = libvirt.open(sys.argv[1])
answers = {}
for label, text in json.loads(sys.argv[2]).items():
    try:
        domain = conn.defineXML(text)
        answers[label] = domain.XMLDesc(0)
        domain.undefine()
    except libvirt.libvirtError as error:
        answers[label] = [error.get_error_code(), error.get_error_domain(), error.get_error_message()]
print(json.dumps(answers))
"""


def documents() -> dict[str, str]:
    made = {label: document("", devices) for label, devices in DEVICES.items()}
    made.update((label, document(body, "")) for label, body in BODIES.items())
    return made


def document(body: str, devices: str) -> str:
    return (
        f"<domain type='test'><name>d</name><uuid>{UUID}</uuid><memory>1024</memory>"
        f"<os><type>hvm</type></os>{body}<devices>{devices}</devices></domain>"
    )


def test_documents_less_one_part_are_answered_as_by_libvirtd(tmp_path: Path) -> None:
    texts = documents()
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert_answered_alike(answers, texts)
