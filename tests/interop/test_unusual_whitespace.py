"""Values with unusual whitespace (leading or trailing spaces, tabs, newlines; whitespace
only) in a domain document, read as libvirtd reads them: each value is read by libvirt's rule
for its kind (virXMLPropEnum compares exactly, virStrToLong_* skip leading spaces only, ...),
and a running domain's definition is libvirt's copy (written out and read back: a tab or
newline in an attribute is read back as a space). libvirt-python defines and starts each
document on virtrio and on libvirtd side by side and reads it back."""

from __future__ import annotations

from pathlib import Path

from .side_by_side import script_answers

DISK = "<disk type='file'><source file='{file}'/><target dev='{dev}'/></disk>"
HOSTDEV = (
    "<hostdev mode='subsystem' type='pci' managed='yes'>"
    "<source><address domain='{domain}' bus='{bus}' slot='0x01' function='0x0'/></source></hostdev>"
)
DRIVER_IO = "<disk type='file'><driver name='qemu' io='{io}'/><source file='/x'/><target dev='vda'/></disk>"
NETWORK_DISK = "<disk type='network'><source{protocol} name='v'><host name='h'/></source><target dev='vda'/></disk>"
FILESYSTEM = "<filesystem type='mount' multidevs='{multidevs}'><source dir='/x'/><target dir='y'/></filesystem>"
MDEV = (
    "<hostdev mode='subsystem' type='mdev'{model}>"
    "<source><address uuid='53764d0e-85a0-42b4-af5c-2046b460b1dc'/></source></hostdev>"
)
MAX_MEMORY = "<maxMemory slots='{slots}' unit='KiB'>4194304</maxMemory>"
BOOT_DISK = "<disk type='file'><source file='/x{n}'/><target dev='vda'/><boot order='{order}'/></disk>"
# label: (a whole <os> element, the rest of the top level (a <memory> or <vcpu> of its own, or 1024 and 2),
# devices)
DOCUMENTS = {
    "machine with a newline": ("<os><type machine='&#10;  pc&#10;'>hvm</type></os>", "", ""),
    "machine with a tab": ("<os><type machine='&#9;pc'>hvm</type></os>", "", ""),
    "disk path with a tab": ("", "", DISK.format(file="&#9;/var/lib/x.img", dev="vda")),
    "disk path with a newline": ("", "", DISK.format(file="/var/lib/x.img&#10;", dev="vda")),
    "disk name with a final newline": ("", "", DISK.format(file="/x", dev="vda&#10;")),
    "disk name with a final space": ("", "", DISK.format(file="/x", dev="vda ")),
    "vcpu placement after a space": ("", "<vcpu placement=' static'>2</vcpu>", ""),
    "vcpu placement before a newline": ("", "<vcpu placement='auto&#10;'>2</vcpu>", ""),
    "vcpu placement blank": ("", "<vcpu placement=' '>2</vcpu>", ""),
    "host PCI address, a space after": ("", "", HOSTDEV.format(domain="0x0000", bus="0x01 ")),
    "host PCI address, a space before": ("", "", HOSTDEV.format(domain=" 0x0000", bus="0x01")),
    "host PCI address, blank": ("", "", HOSTDEV.format(domain="0x0000", bus=" ")),
    "host PCI address, past an unsigned int": ("", "", HOSTDEV.format(domain="0x100000000", bus="0x01")),
    "vsock cid, spaces around": ("", "", "<vsock model='virtio'><cid auto='no' address=' 4 '/></vsock>"),
    "vsock cid, a space before": ("", "", "<vsock model='virtio'><cid auto='no' address=' 4'/></vsock>"),
    "vsock cid, hexadecimal": ("", "", "<vsock model='virtio'><cid auto='no' address='0x4'/></vsock>"),
    "vsock cid, zero": ("", "", "<vsock model='virtio'><cid address='0'/></vsock>"),
    "cpu match after a space": ("", "<cpu match=' exact'><model>qemu64</model></cpu>", ""),
    "cpu check before a tab": ("", "<cpu mode='host-model' check='none&#9;'/>", ""),
    "cpu check blank": ("", "<cpu check=' '><model>qemu64</model></cpu>", ""),
    "cpu check default (not written back)": ("", "<cpu check='default'><model>qemu64</model></cpu>", ""),
    "cpu check without a model": ("", "<cpu check='full'><topology sockets='1' cores='2' threads='1'/></cpu>", ""),
    "cpu migratable before match": ("", "<cpu migratable='on' match='bogus'><model>qemu64</model></cpu>", ""),
    "disk io after a space": ("", "", DRIVER_IO.format(io=" native")),
    "disk io default": ("", "", DRIVER_IO.format(io="default")),
    "disk io and format both wrong": ("", "", DRIVER_IO.format(io="x").replace("<driver", "<driver type='x'")),
    "network disk protocol before a newline": ("", "", NETWORK_DISK.format(protocol=" protocol='nbd&#10;'")),
    "network disk protocol missing": ("", "", NETWORK_DISK.format(protocol="")),
    "network disk protocol and bus both wrong": (
        "",
        "",
        NETWORK_DISK.format(protocol=" protocol='x'").replace("dev='vda'", "dev='vda' bus='x'"),
    ),
    "filesystem multidevs after a tab": ("", "", FILESYSTEM.format(multidevs="&#9;remap")),
    "filesystem multidevs default": ("", "", FILESYSTEM.format(multidevs="default")),
    "mediated device model after a space": ("", "", MDEV.format(model=" model=' vfio-pci'")),
    "mediated device model missing": ("", "", MDEV.format(model="")),
    "mediated device UUID after a space, in capitals": (
        "",
        "",
        MDEV.format(model=" model='vfio-pci'").replace("53764d0e", " 53764D0E"),
    ),
    "memory slots after a space": ("", MAX_MEMORY.format(slots=" 16"), ""),
    "memory slots before a newline": ("", MAX_MEMORY.format(slots="16&#10;"), ""),
    "memory slots negative": ("", MAX_MEMORY.format(slots="-1"), ""),
    "memory slots zero": ("", MAX_MEMORY.format(slots="0"), ""),
    "disk cache after a space": ("", "", DRIVER_IO.format(io="native").replace("io=", "cache=' none' io=")),
    "disk discard before a newline": ("", "", DRIVER_IO.format(io="native").replace("io=", "discard='unmap&#10;' io=")),
    "disk ioeventfd default": ("", "", DRIVER_IO.format(io="native").replace("io=", "ioeventfd='default' io=")),
    "disk iommu blank before a bad cache": (
        "",
        "",
        DRIVER_IO.format(io="native").replace("io=", "cache='x' iommu=' ' io="),
    ),
    "disk read error policy enospace before a bad io": (
        "",
        "",
        DRIVER_IO.format(io="x").replace("io=", "rerror_policy='enospace' io="),
    ),
    "boot order after a space": ("", "", BOOT_DISK.format(n=1, order=" 1")),
    "boot order before a newline": ("", "", BOOT_DISK.format(n=1, order="1&#10;")),
    "boot order with a leading zero": ("", "", BOOT_DISK.format(n=1, order="01")),
    "boot order zero": ("", "", BOOT_DISK.format(n=1, order="0")),
    "boot order given twice, once after a space": (
        "",
        "",
        BOOT_DISK.format(n=1, order="1") + BOOT_DISK.format(n=2, order=" 1").replace("vda", "vdb"),
    ),
    "boot order given twice, and no memory size": (
        "",
        "<memory>0</memory>",
        BOOT_DISK.format(n=1, order="1") + BOOT_DISK.format(n=2, order="1").replace("vda", "vdb"),
    ),
}

SCRIPT = """
import json, sys
import libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
conn = libvirt.open(sys.argv[1])

def outcome(step):
    try:
        return step()
    except libvirt.libvirtError as error:
        return [error.get_error_code(), error.get_error_domain(), error.get_error_message()]

answers = {}
for label, text in json.loads(sys.argv[2]).items():
    try:
        domain = conn.defineXML(text)
    except libvirt.libvirtError as error:
        answers[label] = [error.get_error_code(), error.get_error_domain(), error.get_error_message()]
        continue
    steps = [domain.XMLDesc(0), outcome(domain.create)]
    steps.append(outcome(lambda: domain.XMLDesc(0)))
    steps.append(outcome(lambda: domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)))
    if domain.isActive():
        domain.destroy()
    domain.undefine()
    answers[label] = steps
print(json.dumps(answers))
"""
UUID = "<uuid>0b5e2d4f-5d43-4bfc-9aa8-7a3f2f0c2a11</uuid>"


def documents() -> dict[str, str]:
    return {
        label: f"<domain type='test'><name>d</name>{UUID}{'' if '<memory' in body else '<memory>1024</memory>'}"
        f"{'' if '<vcpu' in body else '<vcpu>2</vcpu>'}{os or '<os><type>hvm</type></os>'}{body}"
        f"<devices>{devices}</devices></domain>"
        for label, (os, body, devices) in DOCUMENTS.items()
    }


def test_unusual_whitespace_is_read_as_by_libvirtd(tmp_path: Path) -> None:
    texts = documents()
    answers = script_answers(tmp_path, SCRIPT, texts)
    for label in texts:
        assert answers["virtrio"][label] == answers["libvirtd"][label], label
