"""More domain documents less one part (session 15's findings from `python -m interop
xmlcorpus --kind domains --mutate-every N`): each refused with libvirtd's error, at the point
of the parse where libvirtd meets it, or read back as libvirtd writes it. libvirt-python
defines them on virtrio and on libvirtd side by side."""

from __future__ import annotations

from pathlib import Path

from .side_by_side import assert_answered_alike, script_answers
from .test_missing_parts import SCRIPT, UUID, document

BACKING_WITHOUT_FILE = "<backingStore type='file'><format type='qcow2'/><source/><backingStore/></backingStore>"
NUMA_CELL_1 = "<numa><cell id='1' cpus='0' memory='1024'/></numa>"


def network_disk_without_target(protocol: str, name: str) -> str:
    return f"<disk type='network'><source protocol='{protocol}' name='{name}'><host name='h'/></source><target/></disk>"


HOST_SIDE_ADDRESS = "<source><ip address='192.168.125.1' prefix='24'/></source>"


def interface(kind: str, parts: str) -> str:
    return f"<interface type='{kind}'><mac address='52:54:00:AB:00:01'/>{parts}</interface>"


def bandwidth(kind: str, rates: str) -> str:
    source = {"network": "<source network='default'/>", "bridge": "<source bridge='br0'/>"}.get(kind, "")
    return interface(kind, f"{source}<bandwidth>{rates}</bandwidth>")


def filterref(parameters: str) -> str:
    reference = f"<filterref filter='clean-traffic'>{parameters}</filterref>"
    return interface("network", f"<source network='default'/>{reference}")


def hyperv(features: str) -> str:
    return f"<features><hyperv mode='custom'>{features}</hyperv></features>"


def fd_disk(name: str | None) -> str:
    target = f"<target dev='{name}' bus='virtio'/>" if name else "<target bus='virtio'/>"
    return f"<disk type='file'><source file='/{name}' fdgroup='g'/>{target}</disk>"


# the <devices> of each document
DEVICES = {
    # a gluster or rbd disk is named by its image (what follows the volume or pool)
    "rbd disk without target dev": network_disk_without_target("rbd", "pool/image"),
    "gluster disk without target dev": network_disk_without_target("gluster", "volume/dir/image"),
    "rbd disk with an empty image, without target dev": network_disk_without_target("rbd", "pool/"),
    "iscsi disk without target dev": network_disk_without_target("iscsi", "iqn/1"),
    # a backing store's empty <source/> is not written
    "backing store source without file": f"<disk type='file'><driver name='qemu' type='qcow2'/><source file='/a'/>"
    f"{BACKING_WITHOUT_FILE}<target dev='vda'/></disk>",
    # a PCI host device's source address left out: libvirt's zero address, written and matched
    "pci hostdev source without address": "<hostdev mode='subsystem' type='pci'><source/></hostdev>",
    "two pci hostdevs without source address": "<hostdev mode='subsystem' type='pci'><source/></hostdev>" * 2,
    "pci hostdev without address beside 0000:00:00.0": "<hostdev mode='subsystem' type='pci'><source/></hostdev>"
    "<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='0' slot='0' function='0'/></source>"
    "</hostdev>",
    # an <encryption> without a secret is written with a closing tag (a TPM's is not)
    "source encryption without secret": "<disk type='file'><source file='/x'><encryption format='luks'/></source>"
    "<target dev='vda'/></disk>",
    "disk encryption without secret": "<disk type='file'><encryption format='luks' engine='qemu'/>"
    "<source file='/x'/><target dev='vda'/></disk>",
    # FD passing (refused by the test driver) is checked per disk in libvirt's order of disks,
    # where a target without a name sorts against none
    "fd disk without target dev": fd_disk(None),
    "fd disks vdb, vda": fd_disk("vdb") + fd_disk("vda"),
    "fd disks vdb, unnamed, vda": fd_disk("vdb") + fd_disk(None) + fd_disk("vda"),
    "fd disks unnamed, vdb, vda": fd_disk(None) + fd_disk("vdb") + fd_disk("vda"),
    "fd disks vde, unnamed": fd_disk("vde") + fd_disk(None),
    # virDomainNetDefValidate: host-side addresses, isolated ports, virtio options, vhost-user's model
    "user interface with a host-side address": interface("user", HOST_SIDE_ADDRESS),
    "user interface with a host-side route": interface(
        "user", "<source><route address='10.0.0.0' prefix='8' gateway='192.168.1.1'/></source>"
    ),
    "vhostuser interface with a host-side address": interface(
        "vhostuser",
        "<source type='unix' path='/s' mode='client'><ip address='192.168.125.1' prefix='24'/></source>"
        "<model type='virtio'/>",
    ),
    "ethernet interface with a host-side address": interface("ethernet", HOST_SIDE_ADDRESS),
    "user interface with an isolated port": interface("user", "<port isolated='yes'/>"),
    "direct interface with an isolated port": interface(
        "direct", "<source dev='eth0' mode='bridge'/><port isolated='yes'/>"
    ),
    "bridge interface with an isolated port": interface("bridge", "<source bridge='br0'/><port isolated='yes'/>"),
    "user interface, port not isolated": interface("user", "<port isolated='no'/>"),
    "isolated port before a virtio option": interface("user", "<port isolated='yes'/><driver ats='on'/>"),
    "host-side address before an isolated port": interface(
        "user", HOST_SIDE_ADDRESS + "<port isolated='yes'/><driver ats='on'/>"
    ),
    "user interface with ats": interface("user", "<driver ats='on'/>"),
    "user interface with packed and iommu": interface("user", "<driver packed='on' iommu='off'/>"),
    "e1000 interface with page_per_vq": interface("user", "<model type='e1000'/><driver page_per_vq='on'/>"),
    "virtio-transitional interface with ats": interface(
        "user", "<model type='virtio-transitional'/><driver ats='on'/>"
    ),
    "hostdev interface with ats": interface(
        "hostdev",
        "<source><address type='pci' domain='0' bus='0' slot='1' function='0'/></source><driver ats='on'/>",
    ),
    "vhostuser interface without model": interface("vhostuser", "<source type='unix' path='/s' mode='client'/>"),
    "vhostuser interface without model, with ats": interface(
        "vhostuser", "<source type='unix' path='/s' mode='client'/><driver ats='on'/>"
    ),
    "a disk is checked before an interface": interface("user", "<driver ats='on'/>")
    + "<disk type='file'><source file='/x'/><target/></disk>",
    "an interface is checked before a sound": interface("user", "<driver ats='on'/>")
    + "<sound model='ich6'><audio id='3'/></sound>",
    # a mediated device's address without a type: the address's own refusal comes first
    "mdev hostdev address without type": "<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source>"
    "<address uuid='c2177883-f1bb-47f0-914d-32a22e3a8804'/></source>"
    "<address domain='0' bus='0' slot='5' function='0'/></hostdev>",
    "mdev hostdev address of another type": "<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source>"
    "<address uuid='c2177883-f1bb-47f0-914d-32a22e3a8804'/></source>"
    "<address type='ccw' cssid='0xfe' ssid='0' devno='0x1'/></hostdev>",
    # an interface's <bandwidth> (virNetDevBandwidthParse; a floor on a network only)
    "inbound without average or floor": bandwidth("network", "<inbound peak='5' burst='3'/>"),
    "empty inbound": bandwidth("network", "<inbound/>"),
    "outbound average x": bandwidth("network", "<outbound average='x'/>"),
    "inbound average -1": bandwidth("network", "<inbound average='-1'/>"),
    "inbound floor on a network": bandwidth("network", "<inbound floor='5'/>"),
    "inbound floor on a bridge": bandwidth("bridge", "<inbound floor='5'/>"),
    "outbound floor": bandwidth("network", "<outbound floor='5'/>"),
    "two inbounds": bandwidth("network", "<inbound average='1'/><inbound average='2'/>"),
    "zero rates": bandwidth("user", "<inbound average='0' floor='0'/>"),
    "rates in libvirt's order": bandwidth(
        "network", "<inbound average='1' floor='3' peak='4' burst='0'/><outbound peak='2' average='+3'/>"
    ),
    "no rate": bandwidth("network", ""),
    # a filter reference's parameters: those without a name or value, or with odd characters,
    # skipped; the others by name; no reference without a filter
    "filterref parameters skipped": filterref(
        "<parameter name='a-b' value='1'/><parameter name='A' value=''/><parameter name='' value='1'/>"
        "<parameter name='C' value='x y'/><parameter value='2'/><parameter name='D'/>"
    ),
    "filterref parameters by name": filterref(
        "<parameter name='B' value='1'/><parameter name='A' value='2'><x/></parameter><parameter name='B' value='0'/>"
    ),
    "filterref without filter": interface(
        "network", "<source network='default'/><filterref><parameter name='A' value='1'/></filterref>"
    ),
    # an interface's or host device's <rom> and <acpi>: written with what was read, not at all
    # when nothing was
    "rom and acpi written back": interface(
        "user", "<rom file='f' bar='on' enabled='yes' x='1'/><acpi index='01' y='2'/>"
    )
    + "<hostdev mode='subsystem' type='pci'><source/><rom bar='off'/><acpi index='4'/></hostdev>",
    "hostdev rom without attributes": "<hostdev mode='subsystem' type='pci'><source/><rom/><acpi/></hostdev>",
    "rom and acpi without attributes": interface("user", "<rom/><acpi/>"),
    "rom disabled, with a file": interface("user", "<rom enabled='no' file='f'/>"),
    "rom enabled x before bar x": interface("user", "<rom bar='x' enabled='x'/>"),
    "rom read before acpi": interface("user", "<acpi index='0'/><rom bar='x'/>"),
    "the first rom and acpi read": interface(
        "user", "<rom enabled='no'/><rom bar='x'/><acpi index='3'/><acpi index='x'/>"
    ),
    "acpi index x": interface("user", "<acpi index='x'/>"),
    "tpm encryption": "<tpm model='tpm-tis'><backend type='emulator' version='2.0'>"
    "<encryption secret='b4a117f1-8af2-44a4-91b8-7f0d2d4d68a3'/></backend></tpm>",
}

# the parts of <domain> other than its devices
BODIES = {
    # the CPU is read before its NUMA cells (here a cell numbered from 1)
    "topology without threads, numa": f"<cpu><topology sockets='1' cores='1'/>{NUMA_CELL_1}</cpu>",
    "cpu mode x, numa": f"<cpu mode='x'><topology sockets='1' cores='1' threads='1'/>{NUMA_CELL_1}</cpu>",
    "migratable host-model cpu, numa": f"<cpu mode='host-model' migratable='on'>{NUMA_CELL_1}</cpu>",
    "feature without a model, numa": f"<cpu><feature name='x'/>{NUMA_CELL_1}</cpu>",
    # a Hyper-V stimer's <direct>: its state required when the stimer is on, not written when off
    "stimer direct without state": hyperv("<stimer state='on'><direct/></stimer>"),
    "stimer direct state x": hyperv("<stimer state='on'><direct state='x'/></stimer>"),
    "stimer with another child": hyperv("<stimer state='on'><other/></stimer>"),
    "stimer off with direct": hyperv("<stimer state='off'><direct/></stimer>"),
    "stimer direct written back": hyperv("<stimer state='on'><direct state='on'/></stimer>"),
}


X86_OS = "<type arch='x86_64' machine='pc'>hvm</type>"
PFLASH = "<loader readonly='yes' type='pflash'>/l</loader>"
# whole <os> elements: the loader and NVRAM (virDomainLoaderDefParseXML, virDomainDefOSValidate)
OPERATING_SYSTEMS = {
    "empty loader, firmware efi": f"<os firmware='efi'>{X86_OS}<loader/></os>",
    "empty loader, no firmware": f"<os>{X86_OS}<loader/></os>",
    "empty nvram": f"<os>{X86_OS}{PFLASH}<nvram/></os>",
    "empty nvram alone": f"<os>{X86_OS}<nvram/></os>",
    "empty nvram alone, firmware efi": f"<os firmware='efi'>{X86_OS}<nvram/></os>",
    "nvram path alone": f"<os>{X86_OS}<nvram>/n</nvram></os>",
    "nvram template alone": f"<os>{X86_OS}<nvram template='/t'/></os>",
    "nvram source without type": f"<os>{X86_OS}{PFLASH}<nvram><source protocol='nbd' name='bar'>"
    "<host name='h' port='6000'/></source></nvram></os>",
    "nvram template and a source without type": f"<os>{X86_OS}{PFLASH}<nvram template='/t'>"
    "<source file='/x'/></nvram></os>",
    "file nvram without source": f"<os>{X86_OS}{PFLASH}<nvram type='file'/></os>",
    "network nvram without source": f"<os>{X86_OS}{PFLASH}<nvram type='network'/></os>",
    "file nvram with an empty source": f"<os>{X86_OS}{PFLASH}<nvram type='file'><source/></nvram></os>",
    "iscsi nvram secret without uuid or usage": f"<os>{X86_OS}{PFLASH}<nvram type='network'>"
    "<source protocol='iscsi' name='iqn.2013-07.com.example:iscsi-nopool'><host name='example.com' port='6000'/>"
    "<auth username='u'><secret type='iscsi'/></auth></source></nvram></os>",
    "iscsi nvram without a LUN": f"<os>{X86_OS}{PFLASH}<nvram type='network'>"
    "<source protocol='iscsi' name='iqn.2013-07.com.example:iscsi-nopool'><host name='example.com' port='6000'/>"
    "</source></nvram></os>",
    # enrolled keys with Secure Boot off: refused where libvirt validates, after the devices' reading
    "enrolled keys without secure boot, memballoon without model": "<os firmware='efi'>"
    f"{X86_OS}<firmware><feature enabled='yes' name='enrolled-keys'/><feature enabled='no' name='secure-boot'/>"
    "</firmware></os><devices><memballoon/></devices>",
}


def documents() -> dict[str, str]:
    made = {label: document("", devices) for label, devices in DEVICES.items()}
    made.update((label, document(body, "")) for label, body in BODIES.items())
    for label, body in OPERATING_SYSTEMS.items():
        devices = "" if "<devices>" in body else "<devices/>"
        made[label] = (
            f"<domain type='test'><name>d</name><uuid>{UUID}</uuid><memory>1024</memory>{body}{devices}</domain>"
        )
    return made


def test_mutated_documents_are_answered_as_by_libvirtd(tmp_path: Path) -> None:
    texts = documents()
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert_answered_alike(answers, texts)


START_SCRIPT = """
import json, sys
import libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
conn = libvirt.open(sys.argv[1])
answers = {}
for label, text in json.loads(sys.argv[2]).items():
    steps = answers[label] = []
    for attempt in range(2):
        domain = conn.defineXML(text)
        try:
            domain.create()
            steps.append("started")
        except libvirt.libvirtError as error:
            steps.append(error.get_error_message())
        found = conn.lookupByName(domain.name())
        steps.append([found.state(), found.isActive(), found.ID() > 0])
        if attempt:
            found.destroy()
        domain.undefine()
    steps.append(sorted(each.name() for each in conn.listAllDomains()))
print(json.dumps(answers))
"""


def test_a_start_whose_copy_is_refused_leaves_the_domain_shut_off_as_failed(tmp_path: Path) -> None:
    """The start copies the definition (a write and a read): a backing store whose <source/>
    was not written is refused by the read; libvirt's test driver then shuts the domain off as
    failed, its id left set, and a second start succeeds."""
    disk = f"<disk type='file'><source file='/a'/>{BACKING_WITHOUT_FILE}<target dev='vda'/></disk>"
    texts = {"refused copy": document("", disk)}
    answers = script_answers(tmp_path, START_SCRIPT, texts)
    assert answers["virtrio"] == answers["libvirtd"]
