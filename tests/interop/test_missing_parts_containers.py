"""Container documents (os type exe) and interface addresses less one attribute or element:
the init arguments and environment, a container's capabilities, its host devices (storage,
misc, net with its addresses and routes), an interface's routes and made-up MAC address, each
refused with libvirtd's error or read back as libvirtd writes it. libvirt-python defines them
on virtrio and on libvirtd side by side."""

from __future__ import annotations

import re
from pathlib import Path

from .side_by_side import assert_answered_alike, script_answers
from .test_missing_parts import SCRIPT, UUID

# the parts of <os> after its type and init
OS_PARTS = {
    "initarg without data": "<initarg/>",
    "initenv without name": "<initenv>bar</initenv>",
    "initenv without value": "<initenv name='FOO'/>",
    "initarg and initenv written back": "<initarg>--verbose</initarg><initenv name='FOO'>bar</initenv>",
}

# a container's <features>
FEATURES = {
    "capabilities without policy": "<capabilities><mknod state='off'/></capabilities>",
    "capabilities with the default policy alone": "<privnet/><capabilities policy='default'/>",
    "capabilities without policy or capability": "<capabilities/>",
    "capabilities policy x": "<capabilities policy='x'/>",
    "capability unknown": "<capabilities policy='deny'><bogus/></capabilities>",
    "capability state x": "<capabilities policy='deny'><kill state='x'/></capabilities>",
    "capabilities out of order, one twice": "<capabilities policy='allow'><sys_time state='off'/><chown/>"
    "<sys_time/></capabilities>",
}

NET_HOSTDEV_SOURCE = "<source><interface>eth0</interface></source>"

# the <devices> of each container
DEVICES = {
    "storage hostdev without block": "<hostdev mode='capabilities' type='storage'><source/></hostdev>",
    "storage hostdev with an empty block": "<hostdev mode='capabilities' type='storage'><source><block/></source>"
    "</hostdev>",
    "misc hostdev without char": "<hostdev mode='capabilities' type='misc'><source/></hostdev>",
    "net hostdev without interface": "<hostdev mode='capabilities' type='net'><source/></hostdev>",
    "net hostdev ip without address": f"<hostdev mode='capabilities' type='net'>{NET_HOSTDEV_SOURCE}"
    "<ip family='ipv4'/></hostdev>",
    "net hostdev route without gateway": f"<hostdev mode='capabilities' type='net'>{NET_HOSTDEV_SOURCE}"
    "<route family='ipv4' address='0.0.0.0'/></hostdev>",
    "net hostdev route bad gateway": f"<hostdev mode='capabilities' type='net'>{NET_HOSTDEV_SOURCE}"
    "<route address='0.0.0.0' gateway='x'/></hostdev>",
    "net hostdev written back": f"<hostdev mode='capabilities' type='net'>{NET_HOSTDEV_SOURCE}"
    "<ip address='192.168.122.2' family='ipv4'/>"
    "<route gateway='192.168.122.1' address='0.0.0.0' family='ipv4'/></hostdev>",
    "net hostdev route, then ip, before its source": "<hostdev mode='capabilities' type='net'>"
    f"<route address='0.0.0.0' gateway='192.168.122.1' metric='3'/>{NET_HOSTDEV_SOURCE}"
    "<ip address='192.168.122.2' prefix='24'/></hostdev>",
    "host-side route without gateway": "<interface type='ethernet'><mac address='00:16:3e:0f:ef:8a'/><source>"
    "<ip address='192.168.122.12' family='ipv4' prefix='24'/><route family='ipv4' address='0.0.0.0'/>"
    "</source></interface>",
    "host-side route not a network address": "<interface type='ethernet'><mac address='00:16:3e:0f:ef:8a'/>"
    "<source><route address='192.168.124.1' prefix='24' gateway='192.168.124.254'/></source></interface>",
    "guest route without gateway": "<interface type='ethernet'><mac address='00:16:3e:0f:ef:8a'/>"
    "<ip address='192.168.122.12' family='ipv4' prefix='24'/><route family='ipv4' address='0.0.0.0'/>"
    "</interface>",
    "guest route without address": "<interface type='ethernet'><mac address='00:16:3e:0f:ef:8a'/>"
    "<route family='ipv4' gateway='192.168.122.1'/></interface>",
    "guest routes written back": "<interface type='ethernet'><mac address='00:16:3e:0f:ef:8a'/>"
    "<ip address='192.168.122.12' family='ipv4' prefix='24'/>"
    "<route metric='2' gateway='192.168.122.1' address='0.0.0.0'/>"
    "<route family='ipv6' address='2001:db8::' prefix='64' gateway='2001:db8:0:0::1'/></interface>",
}


def container(os_parts: str, devices: str, features: str = "") -> str:
    return (
        f"<domain type='lxc'><name>c</name><uuid>{UUID}</uuid><memory>1024</memory>"
        f"<os><type>exe</type><init>/bin/sh</init>{os_parts}</os><features>{features}</features>"
        f"<devices>{devices}</devices></domain>"
    )


def test_container_documents_less_one_part_are_answered_as_by_libvirtd(tmp_path: Path) -> None:
    texts = {label: container(parts, "") for label, parts in OS_PARTS.items()}
    texts.update((label, container("", devices)) for label, devices in DEVICES.items())
    texts.update((label, container("", "", features)) for label, features in FEATURES.items())
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert_answered_alike(answers, texts)


GENERATED_MAC = re.compile(r"52:54:00(:[0-9a-f]{2}){3}")

# interfaces whose MAC address libvirt makes up (compared with the address made up replaced)
MACS = {
    "mac without address, with a type": "<interface type='user'><mac type='generated'/></interface>",
    "mac without address, with a type and check": "<interface type='user'><mac check='no' type='static'/></interface>",
    "mac with an unknown attribute": "<interface type='user'><mac bogus='1' address='52:54:00:12:34:56'/></interface>",
    "mac type x": "<interface type='user'><mac address='52:54:00:12:34:56' type='x'/></interface>",
    "mac type empty": "<interface type='user'><mac address='52:54:00:12:34:56' type=''/></interface>",
    "mac check x": "<interface type='user'><mac address='52:54:00:12:34:56' check='x'/></interface>",
    "mac type before address": "<interface type='user'><mac type='static' address='52:54:00:12:34:56'/></interface>",
}


def test_made_up_mac_addresses_are_written_first_as_by_libvirtd(tmp_path: Path) -> None:
    texts = {label: container("", devices) for label, devices in MACS.items()}
    answers = script_answers(tmp_path, SCRIPT, texts)
    made_up = {
        side: {label: GENERATED_MAC.sub("(mac)", str(answer)) for label, answer in answers[side].items()}
        for side in answers
    }
    assert_answered_alike(made_up, texts)
