"""Device values libvirt refuses, as libvirtd refuses them, and what it writes of those it
accepts, each defined by libvirt-python on virtrio and on libvirtd side by side:
- host devices: a SCSI one's protocol; an iSCSI one's name, host and secret; a vhost-scsi
  one's protocol and wwpn; a mediated device's address type; a USB one's source switches; a
  zPCI address's ids;
- disks: a volume source; an empty source path; a vhost-user disk's name in errors; the
  start-up policy, rotation rate and IOThread; a vhost-user disk's reconnect; a backing
  store's type and format; an encryption secret's type; an auth's user name; a secret's UUID
  or usage;
- the rest: an ACPI table; a controller's driver; a USB companion's start port; a lease (its
  key, lockspace, target and offset)."""

from __future__ import annotations

from pathlib import Path

from .side_by_side import assert_answered_alike, script_answers
from .test_missing_parts import SCRIPT, document

SECRET_UUID = "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f"


def file_disk(source: str = "<source file='/x'/>", target: str = "<target dev='vda'/>", extra: str = "") -> str:
    return f"<disk type='file' device='disk'>{extra}{source}{target}</disk>"


def rbd_auth(secret: str) -> str:
    return (
        "<disk type='network' device='disk'><source protocol='rbd' name='p/i'><host name='h'/>"
        f"<auth username='u'>{secret}</auth></source><target dev='vda'/></disk>"
    )


def encrypted(secret: str) -> str:
    return file_disk(f"<source file='/x'><encryption format='luks'>{secret}</encryption></source>")


def backing(attributes: str, format_type: str) -> str:
    return file_disk(
        "<source file='/x'/>",
        extra=f"<backingStore {attributes}><format type='{format_type}'/><source file='/y'/></backingStore>",
    )


def lease(*parts: str) -> str:
    return "<lease>" + "".join(parts) + "</lease>"


def usb_companion(master: str) -> str:
    return (
        "<controller type='usb' index='0' model='ich9-ehci1'/>"
        f"<controller type='usb' index='0' model='ich9-uhci1'>{master}</controller>"
    )


def usb_hostdev(source_attributes: str) -> str:
    return (
        f"<hostdev mode='subsystem' type='usb'><source {source_attributes}><vendor id='0x1234'/>"
        "<product id='0xbeef'/></source></hostdev>"
    )


def pci_hostdev(zpci: str) -> str:
    return (
        "<hostdev mode='subsystem' type='pci'><source><address domain='0x0000' bus='0x06' slot='0x12' "
        f"function='0x5'/></source><address type='pci'>{zpci}</address></hostdev>"
    )


def scsi_controller(driver: str) -> str:
    return f"<controller type='scsi' index='0' model='virtio-scsi'>{driver}</controller>"


ISCSI_NAME = "iqn.1992-01.com.example:storage/1"


def iscsi_hostdev(attributes: str, children: str) -> str:
    return f"<hostdev mode='subsystem' type='scsi'><source protocol='iscsi' {attributes}>{children}</source></hostdev>"


def vhost_scsi(attributes: str) -> str:
    return f"<hostdev mode='subsystem' type='scsi_host'><source {attributes}/></hostdev>"


DEVICES = {
    "SCSI host device protocol empty": "<hostdev mode='subsystem' type='scsi'><source protocol=''>"
    "<adapter name='scsi_host0'/><address bus='0' target='0' unit='0'/></source></hostdev>",
    "SCSI host device protocol adapter": "<hostdev mode='subsystem' type='scsi'><source protocol='adapter'>"
    "<adapter name='scsi_host0'/><address bus='0' target='0' unit='0'/></source></hostdev>",
    "iSCSI host device without name": iscsi_hostdev("", "<host name='example.org' port='3260'/>"),
    "iSCSI host device without host": iscsi_hostdev(f"name='{ISCSI_NAME}'", ""),
    "iSCSI host device with two hosts": iscsi_hostdev(f"name='{ISCSI_NAME}'", "<host name='a'/><host name='b'/>"),
    "iSCSI host device port -1": iscsi_hostdev(f"name='{ISCSI_NAME}'", "<host name='a' port='-1'/>"),
    "iSCSI host device secret type x": iscsi_hostdev(
        f"name='{ISCSI_NAME}'", "<host name='a'/><auth username='u'><secret type='x' usage='u'/></auth>"
    ),
    "iSCSI host device secret type ceph": iscsi_hostdev(
        f"name='{ISCSI_NAME}'", "<host name='a'/><auth username='u'><secret type='ceph' usage='u'/></auth>"
    ),
    "iSCSI host device secret without type": iscsi_hostdev(
        f"name='{ISCSI_NAME}'", "<host name='a'/><auth username='u'><secret usage='u'/></auth>"
    ),
    "vhost-scsi without protocol": vhost_scsi("wwpn='naa.5123456789abcde0'"),
    "vhost-scsi protocol none": vhost_scsi("protocol='none' wwpn='naa.5123456789abcde0'"),
    "vhost-scsi without wwpn": vhost_scsi("protocol='vhost'"),
    "vhost-scsi wwpn short": vhost_scsi("protocol='vhost' wwpn='naa.51234'"),
    "vhost-scsi wwpn 0X": vhost_scsi("protocol='vhost' wwpn='naa.0X5123456789abcde0'"),
    "mediated device address type x": "<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source>"
    "<address uuid='c2177883-f1bb-47f0-914d-32a22e3a8804'/></source><address type='x'/></hostdev>",
    "volume source mode empty": file_disk("<source pool='p' volume='v' mode=''/>").replace("'file'", "'volume'", 1),
    "volume source mode default": file_disk("<source pool='p' volume='v' mode='default'/>").replace(
        "'file'", "'volume'", 1
    ),
    "volume source without volume": file_disk("<source pool='p'/>").replace("'file'", "'volume'", 1),
    "vhost-user disk without target": "<disk type='vhostuser' device='disk'><driver name='qemu' type='raw'/>"
    "<source type='unix' path='/tmp/vhost1.sock'/></disk>",
    "vhost-user disks with one target": "<disk type='vhostuser' device='disk'><driver name='qemu' type='raw'/>"
    "<source type='unix' path='/tmp/a.sock'/><target dev='vda' bus='virtio'/></disk>"
    "<disk type='vhostuser' device='disk'><driver name='qemu' type='raw'/>"
    "<source type='unix' path='/tmp/b.sock'/><target dev='vda' bus='virtio'/></disk>",
    "NBD source name empty": "<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
    "<source protocol='nbd' name=''><host name='example.org' port='6000'/></source><target dev='vda'/></disk>",
    "backing store file empty": file_disk(
        extra="<backingStore type='file'><format type='raw'/><source file=''/></backingStore>"
    ),
    "USB host device guestReset -1": usb_hostdev("guestReset='-1'"),
    "USB host device guestReset off": usb_hostdev("guestReset='off'"),
    "USB host device autoAddress x": usb_hostdev("autoAddress='x'"),
    "USB host device startupPolicy x": usb_hostdev("startupPolicy='x'"),
    "zPCI fid -1": pci_hostdev("<zpci uid='0x0001' fid='-1'/>"),
    "zPCI uid x": pci_hostdev("<zpci uid='x' fid='0x1'/>"),
    "controller max_sectors x": scsi_controller("<driver max_sectors='x'/>"),
    "controller queues -1": scsi_controller("<driver queues='-1'/>"),
    "controller ioeventfd x": scsi_controller("<driver ioeventfd='x'/>"),
    "controller driver out of order": scsi_controller("<driver queues='4' iothread='1' ioeventfd='on'/>"),
    "start port -1": usb_companion("<master startport='-1'/>"),
    "start port empty": usb_companion("<master startport=''/>"),
    "start port 2": usb_companion("<master startport='2'/>"),
    "start-up policy empty": "<disk type='file' device='cdrom'><source file='/x' startupPolicy=''/>"
    "<target dev='hdc'/></disk>",
    "rotation rate x": file_disk(target="<target dev='vda' bus='virtio' rotation_rate='x'/>"),
    "IOThread -1": file_disk(extra="<driver name='qemu' iothread='-1'/>"),
    "IOThread 0": file_disk(extra="<driver name='qemu' iothread='0'/>"),
    "reconnect timeout x": "<disk type='vhostuser' device='disk'><driver name='qemu' type='raw'/>"
    "<source type='unix' path='/s'><reconnect enabled='yes' timeout='x'/></source>"
    "<target dev='vda' bus='virtio'/></disk>",
    "reconnect without timeout": "<disk type='vhostuser' device='disk'><driver name='qemu' type='raw'/>"
    "<source type='unix' path='/s'><reconnect enabled='yes'/></source><target dev='vda' bus='virtio'/></disk>",
    "backing store type empty": backing("type=''", "raw"),
    "backing store type x": backing("type='x'", "raw"),
    "backing store format x": backing("type='file'", "x"),
    "backing store format none": backing("type='file'", "none"),
    "encryption secret type -1": encrypted(f"<secret type='-1' uuid='{SECRET_UUID}'/>"),
    "encryption secret type empty": encrypted(f"<secret type='' uuid='{SECRET_UUID}'/>"),
    "encryption secret passphrase": encrypted(f"<secret type='passphrase' uuid='{SECRET_UUID}'/>"),
    "auth username empty": rbd_auth("<secret type='ceph' usage='x'/>").replace("username='u'", "username=''"),
    "secret UUID -1": rbd_auth("<secret type='ceph' uuid='-1'/>"),
    "secret UUID and usage": rbd_auth(f"<secret type='ceph' uuid='{SECRET_UUID}' usage='x'/>"),
    "lease": lease("<lockspace>s</lockspace><key>k</key><target path='/p' offset='1024'/>"),
    "lease out of order": "<lease x='1'><target offset='0' path='/p'/><key>k</key><lockspace>s</lockspace></lease>",
    "lease without target": lease("<lockspace>s</lockspace><key>k</key>"),
    "lease without key": lease("<lockspace>s</lockspace><target path='/p'/>"),
    "lease without lockspace": lease("<key>k</key><target path='/p'/>"),
    "lease without path": lease("<lockspace>s</lockspace><key>k</key><target/>"),
    "lease offset -1": lease("<lockspace>s</lockspace><key>k</key><target path='/p' offset='-1'/>"),
}


# <os> parts
BODIES = {
    "ACPI table without type": "<os><type>hvm</type><acpi><table>/t.bin</table></acpi></os>",
    "ACPI table type x": "<os><type>hvm</type><acpi><table type='x'>/t.bin</table></acpi></os>",
    "two ACPI tables": "<os><type>hvm</type><acpi><table type='slic'>/a</table>"
    "<table type='slic'>/b</table></acpi></os>",
}


def test_device_values_are_refused_and_written_as_by_libvirtd(tmp_path: Path) -> None:
    texts = {label: document("", devices) for label, devices in DEVICES.items()}
    texts.update(
        (label, document(body, "").replace("<os><type>hvm</type></os>", "", 1)) for label, body in BODIES.items()
    )
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert_answered_alike(answers, texts)
