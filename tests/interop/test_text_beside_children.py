"""Text beside child elements in a domain document. libvirt reads some elements as text
(virXPathString's string(), virXMLNodeContentString): all the text inside them counts, a child
element is never seen nor written back; the init arguments are read as their first text. Stray
text in any other element is never read nor written. libvirt-python defines each document on
virtrio and on libvirtd side by side and reads it back."""

from __future__ import annotations

import json
from pathlib import Path

from .side_by_side import script_answers

OS = "<os><type>hvm</type></os>"
DISK = "<disk type='file'><source file='/x'/><target dev='vda'/>{}</disk>"
# label: (os, other top-level elements, devices)
DOCUMENTS = {
    "os type after a child": ("<os><type><b/>hvm</type></os>", "", ""),
    "os type before a child": ("<os><type>hvm<b/></type></os>", "", ""),
    "os type split by a child": ("<os><type>h<b>v</b>m</type></os>", "", ""),
    "on_crash": (OS, "<on_crash><b/>destroy</on_crash>", ""),
    "on_crash split": (OS, "<on_crash>des<b>tr</b>oy</on_crash>", ""),
    "on_poweroff": (OS, "<on_poweroff><b/>destroy</on_poweroff>", ""),
    "on_reboot": (OS, "<on_reboot>restart<b/></on_reboot>", ""),
    "on_lockfailure": (OS, "<on_lockfailure>poweroff<b/></on_lockfailure>", ""),
    "on_crash with a processing instruction": (OS, "<on_crash>destroy<?pi x?></on_crash>", ""),
    "uuid": (OS, "<uuid>4dea22b3-1d52-d8f3-2516-<b/>782e98ab3fa0</uuid>", ""),
    "title and description": (OS, "<title>a<b>c</b>d</title><description>a<b>c</b>d</description>", ""),
    "currentMemory and iothreads": (OS, "<currentMemory>5<b/>12</currentMemory><iothreads>2<b/></iothreads>", ""),
    "bootloader": ("<os><type>xen</type></os>", "<bootloader>/usr/<b/>bin/pygrub</bootloader>", ""),
    "kernel, initrd and cmdline": (
        "<os><type>hvm</type><kernel>/boot/<b/>vmlinuz</kernel><initrd>/x<b/></initrd><cmdline>a<b/>b</cmdline></os>",
        "",
        "",
    ),
    "init and its first argument": (
        "<os><type>exe</type><init>/sbin<b/>/init</init><initarg>a<b/>b</initarg></os>",
        "",
        "",
    ),
    "init environment": ("<os><type>exe</type><init>/sbin/init</init><initenv name='A'>a<b/>b</initenv></os>", "", ""),
    "loader and nvram": (
        "<os><type>hvm</type><loader readonly='yes' type='rom'>/usr/<b/>share/x.fd</loader>"
        "<nvram>/var/<b/>x</nvram></os>",
        "",
        "",
    ),
    "emulator": (OS, "", "<emulator>/usr/bin/<b/>qemu</emulator>"),
    "disk serial, wwn, vendor, product": (
        OS,
        "",
        DISK.format(
            "<serial>ab<b/>c</serial><wwn>0x5000c50015ea71a<b/>c</wwn><vendor>ab<b/>c</vendor><product>x<b/>y</product>"
        ),
    ),
    "disk iotune": (OS, "", DISK.format("<iotune><total_bytes_sec>10<b/>00</total_bytes_sec></iotune>")),
    "cputune": (OS, "<cputune><shares>20<b/>48</shares><period>100<b/>0</period><quota>-<b/>1</quota></cputune>", ""),
    "memtune": (OS, "<memtune><hard_limit>10<b/>24</hard_limit></memtune>", ""),
    "blkiotune": (
        OS,
        "<blkiotune><weight>50<b/>0</weight><device><path>/dev/<b/>sda</path><weight>5<b/>00</weight></device></blkiotune>",
        "",
    ),
    "sysinfo entries": (
        OS,
        "<sysinfo type='smbios'><bios><entry name='vendor'>La<b/>Bios</entry></bios>"
        "<oemStrings><entry>a<b/>b</entry></oemStrings></sysinfo>",
        "",
    ),
    "cpu model": (OS, "<cpu mode='custom'><model>qemu<b/>64</model></cpu>", ""),
    "seclabel label": (OS, "<seclabel type='static' model='selinux'><label>a:b:c:<b/>d</label></seclabel>", ""),
    "shmem size": (OS, "", "<shmem name='s'><size unit='M'>4<b/></size></shmem>"),
    "pcihole64": (
        OS,
        "",
        "<controller type='pci' index='0' model='pci-root'><pcihole64 unit='KiB'>10<b/>24</pcihole64></controller>",
    ),
    "host device block": (
        OS,
        "",
        "<hostdev mode='capabilities' type='storage'><source><block>/dev/<b/>sdf</block></source></hostdev>",
    ),
    "interface sndbuf": (
        OS,
        "",
        "<interface type='user'><mac address='52:54:00:00:00:01'/><tune><sndbuf>10<b/>24</sndbuf></tune></interface>",
    ),
    "resource partition": (OS, "<resource><partition>/mach<b/>ine</partition></resource>", ""),
    # an application's metadata keeps its mixed content, in its namespace or not
    "metadata": (
        OS,
        "<metadata><app:foo xmlns:app='http://app.example/'>bar<app:x a='1'/><y>t<c/>u</y>v</app:foo>"
        "<foo xmlns='http://other.example/'>bar<x/>q</foo></metadata>",
        "",
    ),
    # a processing instruction beside the value of an element read as text (review13b): the value kept
    "rng backend with a processing instruction": (
        OS,
        "",
        "<rng model='virtio'><backend model='random'>/dev/urandom<?x?></backend></rng>",
    ),
    "smm tseg with a processing instruction": (
        OS,
        "<features><smm state='on'><tseg unit='MiB'>48<?x?></tseg></smm></features>",
        "",
    ),
    # stray text beside the children of an element that is not read as text
    "stray text in os": ("<os>xx<type>hvm</type>yy</os>", "", ""),
    "stray text in domain": (OS, "zz", ""),
    "stray text in devices": (OS, "", "xx<emulator>/usr/bin/q</emulator>yy"),
    "stray text in a disk": (OS, "", "<disk type='file'>xx<source file='/x'/>yy<target dev='vda'/></disk>"),
    "stray text in a video model": (OS, "", "<video><model type='vga'>xx<acceleration accel3d='no'/></model></video>"),
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
    except libvirt.libvirtError as error:
        answers[label] = [error.get_error_code(), error.get_error_domain(), error.get_error_message()]
        continue
    steps = [domain.XMLDesc(0)]
    try:
        domain.create()
        steps += [domain.XMLDesc(0), domain.destroy()]
    except libvirt.libvirtError as error:
        steps.append([error.get_error_code(), error.get_error_domain(), error.get_error_message()])
    domain.undefine()
    answers[label] = steps
print(json.dumps(answers))
"""
UUID_LINE = "  <uuid>"


def documents() -> dict[str, str]:
    return {
        label: f"<domain type='test'><name>d</name><memory>1024</memory><vcpu>2</vcpu>{os}{body}"
        f"<devices>{devices}</devices></domain>"
        for label, (os, body, devices) in DOCUMENTS.items()
    }


def without_made_up_uuids(answer: object) -> object:
    """A generated UUID (each daemon makes its own) left out of the XML read back."""
    if isinstance(answer, list):
        return [without_made_up_uuids(step) for step in answer]
    if isinstance(answer, str) and UUID_LINE in answer and "4dea22b3" not in answer:
        return "\n".join(line for line in answer.split("\n") if not line.startswith(UUID_LINE))
    return answer


def test_text_beside_children_is_read_and_written_as_by_libvirtd(tmp_path: Path) -> None:
    texts = documents()
    answers = {
        name: {label: without_made_up_uuids(answer) for label, answer in side.items()}
        for name, side in script_answers(tmp_path, SCRIPT, texts).items()
    }
    assert "<b/>" not in json.dumps(answers["libvirtd"])  # libvirtd writes no child of a text element back
    for label in texts:
        assert answers["virtrio"][label] == answers["libvirtd"][label], label
