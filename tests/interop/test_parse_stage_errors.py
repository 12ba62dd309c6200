"""The first error of a domain document with two faults, one libvirt finds while it reads the
document (lifecycle actions, power management, memory backing, disk, controller, filesystem
and host device types, controller models, disk formats, IOThread ids) and one it finds after
(virDomainDefPostParse: maxMemory below the memory, a name with a slash, an offline vCPU that
is not hotpluggable): libvirtd answers the reading's, and so must virtrio; each parse fault
alone is refused alike too. libvirt-python defines them on virtrio and on libvirtd side by side."""

from __future__ import annotations

import itertools
from pathlib import Path

from .side_by_side import script_answers

PARSE_FAULTS = {
    "on_poweroff": ("<on_poweroff>bogus</on_poweroff>", ""),
    "on_lockfailure": ("<on_lockfailure>destroy</on_lockfailure>", ""),
    "on_reboot blank": ("<on_reboot> </on_reboot>", ""),
    "pm": ("<pm><suspend-to-disk enabled='absent'/></pm>", ""),
    "memoryBacking source": ("<memoryBacking><source type='none'/></memoryBacking>", ""),
    "memoryBacking access": ("<memoryBacking><access mode='default'/></memoryBacking>", ""),
    "memoryBacking allocation": ("<memoryBacking><allocation mode='bogus'/></memoryBacking>", ""),
    "disk type": ("", "<disk type='none'><source file='/x'/><target dev='vda'/></disk>"),
    "disk device": ("", "<disk type='file' device='tape'><source file='/x'/><target dev='vda'/></disk>"),
    "disk bus": ("", "<disk type='file'><source file='/x'/><target dev='vda' bus='none'/></disk>"),
    "controller type": ("", "<controller type='bogus' index='0'/>"),
    "controller model": ("", "<controller type='usb' index='0' model='virtio-scsi'/>"),
    "controller without models": ("", "<controller type='sata' index='0' model='ahci'/>"),
    "disk format": ("", "<disk type='file'><driver type='none'/><source file='/x'/><target dev='vda'/></disk>"),
    "filesystem type": ("", "<filesystem type='bogus'><source dir='/x'/><target dir='y'/></filesystem>"),
    "hostdev mode": ("", "<hostdev mode='bogus' type='pci'/>"),
    "hostdev type": ("", "<hostdev mode='capabilities' type='pci'/>"),
    "hostdev without type": ("", "<hostdev mode='subsystem'/>"),
    # (these two were an unexpected failure of virtrio: int() of the attribute)
    "iothreadpin": ("<iothreads>1</iothreads><cputune><iothreadpin iothread='x' cpuset='0'/></cputune>", ""),
    "iothread id": ("<iothreads>1</iothreads><iothreadids><iothread id='0'/></iothreadids>", ""),
}
OFFLINE_FIXED = "<vcpu id='1' enabled='no' hotpluggable='no'/>"
POST_PARSE_FAULTS = {
    "none": ("d", "<vcpu>2</vcpu>", ""),
    "maxMemory": ("d", "<vcpu>2</vcpu>", "<maxMemory slots='1' unit='KiB'>1</maxMemory>"),
    "name": ("a/b", "<vcpu>2</vcpu>", ""),
    "vcpus": (
        "d",
        "<vcpu>2</vcpu><vcpus><vcpu id='0' enabled='yes'/><vcpu id='1' enabled='no' hotpluggable='no'/></vcpus>",
        "",
    ),
}

SCRIPT = """
import json, sys
import libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
conn = libvirt.open(sys.argv[1])
answers = {}
for label, text in json.loads(sys.argv[2]).items():
    try:
        conn.defineXML(text).undefine()
        answers[label] = "defined"
    except libvirt.libvirtError as error:
        answers[label] = [error.get_error_code(), error.get_error_domain(), error.get_error_message()]
print(json.dumps(answers))
"""


def documents() -> dict[str, str]:
    made = {}
    for parse_name, (body, devices) in PARSE_FAULTS.items():
        for post_name, (name, vcpu, memory) in POST_PARSE_FAULTS.items():
            made[f"{parse_name} + {post_name}"] = (
                f"<domain type='test'><name>{name}</name><memory>1024</memory>{memory}{vcpu}"
                f"<os><type>hvm</type></os>{body}<devices>{devices}</devices></domain>"
            )
    return made


def test_a_reading_fault_is_answered_before_a_post_parse_fault_as_by_libvirtd(tmp_path: Path) -> None:
    texts = documents()
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert all(answer != "defined" for answer in answers["libvirtd"].values())  # every document is refused
    assert answers["virtrio"] == answers["libvirtd"]


# A memory fault (virDomainDefPostParseMemory: no size, or memory devices larger than it) beside
# a fault libvirt finds earlier (while reading, or in an earlier post-parse step) or later
# (in virDomainDefPostParseCommon's later steps): libvirtd answers whichever it meets first.
MEMORY_FAULTS = {
    "missing": "",
    "zero": "<memory>0</memory>",
    "devices larger": "<memory>1024</memory>",
}
DIMM = "<memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target></memory>"
OTHER_FAULTS = {
    "title": ("<title>a\nb</title>", ""),
    "seclabel": ("<seclabel type='bogus'/>", ""),
    "on_crash": ("<on_crash>bogus</on_crash>", ""),
    "currentMemory": ("<currentMemory>x</currentMemory>", ""),
    "maxMemory": ("<maxMemory slots='1'>x</maxMemory>", ""),
    "pm": ("<pm><suspend-to-disk enabled='absent'/></pm>", ""),
    "feature": ("<features><bogus/></features>", ""),
    "disk type": ("", "<disk type='none'><source file='/x'/><target dev='vda'/></disk>"),
    "isa serial port": ("", "<serial type='pty'><target type='isa-serial' port='5'/></serial>"),
    "offline vcpu": ("<vcpus><vcpu id='0' enabled='yes'/><vcpu id='1' enabled='no' hotpluggable='no'/></vcpus>", ""),
    "controllers": ("", "<controller type='ide' index='0'/><controller type='ide' index='0'/>"),
    "boot elements": (
        "<os><type>hvm</type><boot dev='hd'/></os>",
        "<disk type='file'><source file='/x'/><target dev='vda'/><boot order='1'/></disk>",
    ),
    "timer": ("<clock offset='utc'><timer name='kvmclock' tickpolicy='delay'/></clock>", ""),
}


def memory_documents() -> dict[str, str]:
    made = {}
    for memory_name, memory in MEMORY_FAULTS.items():
        dimm = DIMM if memory_name == "devices larger" else ""
        for other_name, (body, devices) in OTHER_FAULTS.items():
            os_element = "" if body.startswith("<os>") else "<os><type>hvm</type></os>"
            made[f"memory {memory_name} + {other_name}"] = (
                f"<domain type='test'><name>d</name>{memory}<vcpu>2</vcpu>{os_element}{body}"
                f"<devices>{dimm}{devices}</devices></domain>"
            )
    return made


def test_a_memory_fault_is_answered_where_libvirtd_meets_it(tmp_path: Path) -> None:
    texts = memory_documents()
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert all(answer != "defined" for answer in answers["libvirtd"].values())
    memory_first = {label for label, answer in answers["libvirtd"].items() if "memory" in answer[2].lower()}
    assert 0 < len(memory_first) < len(texts)  # both kinds of order are exercised
    assert answers["virtrio"] == answers["libvirtd"]


# <maxMemory> without its slot count (or slots without a size) is refused in the post-parse,
# after a missing memory size and the devices' reading faults, before duplicate controllers
# and boot orders (review13b); both left out (or 0) is no fault
MAX_MEMORY = "<maxMemory>4194304</maxMemory>"
OS = "<os><type>hvm</type></os>"
BOOT = "<disk type='file'><source file='/{}'/><target dev='vd{}'/><boot order='1'/></disk>"
MAX_MEMORY_DOCUMENTS = {
    "no memory": ("", MAX_MEMORY, ""),
    "no slots": ("<memory>1024</memory>", MAX_MEMORY, ""),
    "slots without a size": ("<memory>1024</memory>", "<maxMemory slots='2'></maxMemory>", ""),
    "both zero": ("<memory>1024</memory>", "<maxMemory slots='0'>0</maxMemory>", ""),
    "no slots, duplicate controllers": (
        "<memory>1024</memory>",
        MAX_MEMORY,
        "<controller type='usb' index='0'/><controller type='usb' index='0'/>",
    ),
    "no slots, a bad disk bus": (
        "<memory>1024</memory>",
        MAX_MEMORY,
        "<disk type='file'><source file='/x'/><target dev='vda' bus='bogus'/></disk>",
    ),
    "no slots, one boot order twice": (
        "<memory>1024</memory>",
        MAX_MEMORY,
        BOOT.format("x", "a") + BOOT.format("y", "b"),
    ),
}


def test_a_max_memory_fault_is_answered_where_libvirtd_meets_it(tmp_path: Path) -> None:
    texts = {
        label: f"<domain type='test'><name>d</name>{memory}{limit}{OS}<devices>{devices}</devices></domain>"
        for label, (memory, limit, devices) in MAX_MEMORY_DOCUMENTS.items()
    }
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert answers["libvirtd"]["both zero"] == "defined"
    assert answers["virtrio"] == answers["libvirtd"]


# Faults of the elements libvirt reads first, in pairs: the security labels (read before the
# memory), the memory sizes, the memory backing, then the vCPUs (review13b)
EARLY_FAULTS = {
    "seclabel": "<seclabel type='bogus'/>",
    "currentMemory": "<currentMemory>x</currentMemory>",
    "memory": "<memory>x</memory>",
    "vcpu placement": "<vcpu placement='bogus'>2</vcpu>",
    "vcpu count": "<vcpu>x</vcpu>",
    "memoryBacking": "<memoryBacking><source type='none'/></memoryBacking>",
    "title": "<title>a\nb</title>",
}


def test_the_first_read_of_two_early_faults_is_answered_as_by_libvirtd(tmp_path: Path) -> None:
    texts = {}
    for first, second in itertools.permutations(EARLY_FAULTS, 2):
        body = EARLY_FAULTS[first] + EARLY_FAULTS[second]
        memory = "" if "<memory>" in body else "<memory>1024</memory>"
        texts[f"{first} + {second}"] = f"<domain type='test'><name>d</name>{memory}{body}{OS}</domain>"
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert all(answer != "defined" for answer in answers["libvirtd"].values())
    assert answers["virtrio"] == answers["libvirtd"]


# virDomainDefPostParseCommon's first check, a container's init path; and the boot orders,
# checked after the memory and the duplicate controllers, so every reading fault of the same
# document comes first (review13b)
BOOT_DISK = "<disk type='file'><source file='/{0}'/><target dev='vd{0}'/><boot order='1'/></disk>"
BOOT_FAULTS = {
    "one order twice": ("<os><type>hvm</type></os>", BOOT_DISK.format("a") + BOOT_DISK.format("b")),
    "device and os boots": ("<os><type>hvm</type><boot dev='hd'/></os>", BOOT_DISK.format("a")),
}
BESIDE_BOOT_FAULTS = {
    "nothing else": ("", ""),
    "seclabel": ("<seclabel type='bogus'/>", ""),
    "iothreads": ("<iothreads>x</iothreads>", ""),
    "duplicate controllers": ("", "<controller type='ide' index='0'/><controller type='ide' index='0'/>"),
    "disk name": ("", "<disk type='file'><source file='/z'/><target dev='sdz1'/></disk>"),
    "disk bus": ("", "<disk type='file'><source file='/z'/><target dev='vdz' bus='bogus'/></disk>"),
    "maxMemory below the memory": ("<maxMemory slots='2'>512</maxMemory>", ""),
    "timer": ("<clock offset='utc'><timer name='kvmclock' tickpolicy='delay'/></clock>", ""),
}
CONTAINER_OS = {
    "no init": "<os><type>exe</type></os>",
    "an empty init": "<os><type>exe</type><init></init></os>",
    "an init": "<os><type>exe</type><init>/sbin/init</init></os>",
}


def test_init_and_boot_order_faults_are_answered_where_libvirtd_meets_them(tmp_path: Path) -> None:
    texts = {}
    for (boot_name, (os_element, boots)), (other_name, (body, devices)) in itertools.product(
        BOOT_FAULTS.items(), BESIDE_BOOT_FAULTS.items()
    ):
        texts[f"{boot_name} + {other_name}"] = (
            f"<domain type='test'><name>d</name><memory>1024</memory>{body}{os_element}"
            f"<devices>{boots}{devices}</devices></domain>"
        )
    for os_name, os_element in CONTAINER_OS.items():
        for memory in ("<memory>1024</memory>", ""):
            offline = "<vcpu>2</vcpu><vcpus><vcpu id='0' enabled='no'/></vcpus>"
            for extra in ("", offline):
                label = (
                    f"container, {os_name}, {'memory' if memory else 'no memory'}, {'offline vCPU 0' if extra else ''}"
                )
                texts[label] = f"<domain type='lxc'><name>d</name>{memory}{extra}{os_element}</domain>"
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert answers["libvirtd"]["container, an init, memory, "] == "defined"
    assert answers["virtrio"] == answers["libvirtd"]


# A security label's fault beside faults of what libvirt reads after the labels (all but the
# name, UUID, type, title and description): the label's is reported (review13b)
SECLABEL_FAULTS = (
    "<seclabel type='bogus'/>",
    "<seclabel type='static' model='selinux' relabel='x'><label>a</label></seclabel>",
)
AFTER_SECLABEL_FAULTS = {
    "hyperv feature state": ("<features><hyperv><relaxed/></hyperv></features>", ""),
    "NUMA cell memory": ("<cpu><numa><cell id='0' cpus='0'/></numa></cpu>", ""),
    "emulatorpin cpuset": ("<cputune><emulatorpin/></cputune>", ""),
    "iothreads": ("<iothreads>x</iothreads>", ""),
    "disk bus": ("", "<disk type='file'><source file='/z'/><target dev='vdz' bus='bogus'/></disk>"),
    "duplicate controllers": ("", "<controller type='ide' index='0'/><controller type='ide' index='0'/>"),
}


def test_a_security_label_fault_is_answered_before_later_reads_as_by_libvirtd(tmp_path: Path) -> None:
    texts = {
        f"{name} + seclabel {number}": (
            f"<domain type='test'><name>d</name><memory>1048576</memory>{label}{body}{OS}"
            f"<devices>{devices}</devices></domain>"
        )
        for name, (body, devices) in AFTER_SECLABEL_FAULTS.items()
        for number, label in enumerate(SECLABEL_FAULTS)
    }
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert all("seclabel" in answer[2] for answer in answers["libvirtd"].values())
    assert answers["virtrio"] == answers["libvirtd"]
