# uri: test:///default
# Node files with devices libvirt reads as existing ones (not as devices to create): the
# checks that differ between the two, devices given twice, and what the lookups by
# capability then see.
import tempfile
from pathlib import Path

import libvirt
from steps import attempt, node_file_uri

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
SCSI = "<device><name>{name}</name><parent>computer</parent><capability type='scsi_host'>{body}</capability></device>"
FC = "<capability type='fc_host'><wwnn>{n}</wwnn><wwpn>{p}</wwpn></capability>"
NODES = {
    "scsi host without host": SCSI.format(name="h", body="<unique_id>1</unique_id>"),
    "scsi host bad host": SCSI.format(name="h", body="<host>x</host>"),
    "scsi host negative host": SCSI.format(name="h", body="<host>-1</host>"),
    "scsi host bad unique id": SCSI.format(name="h", body="<host>1</host><unique_id>y</unique_id>"),
    "scsi host negative unique id": SCSI.format(name="h", body="<host>1</host><unique_id>-5</unique_id>"),
    "fc host without wwnn": SCSI.format(name="h", body="<host>1</host><capability type='fc_host'/>"),
    "fc host without type": SCSI.format(name="h", body="<host>1</host><capability/>"),
    "fc twice": SCSI.format(
        name="h",
        body="<host>1</host>"
        + FC.format(n="2000000000000001", p="1000000000000001")
        + FC.format(n="2000000000000002", p="1000000000000002")
        + "<capability type='vport_ops'/>",
    ),
    "two scsi hosts": "<device><name>h</name><capability type='scsi_host'><host>1</host></capability>"
    "<capability type='scsi_host'><host>2</host>"
    + FC.format(n="2000000000000003", p="1000000000000003")
    + "</capability></device>",
    "same name twice": "<device><name>d</name><capability type='system'><hardware><uuid>"
    "11111111-2222-3333-4444-555555555555</uuid></hardware></capability></device>"
    "<device><name>d</name><parent>computer</parent><capability type='drm'><type>card</type></capability></device>",
    "unknown capability": "<device><name>d</name><capability type='bogus'/></device>",
    "no capability": "<device><name>d</name></device>",
    "no name": "<device><capability type='drm'><type>render</type></capability></device>",
    "drm bad type": "<device><name>d</name><capability type='drm'><type>card</type></capability></device>",
    "net without interface": "<device><name>d</name><capability type='net'><address>00:11:22:33:44:55</address>"
    "</capability></device>",
    "storage without block": "<device><name>d</name><capability type='storage'><bus>scsi</bus></capability></device>",
    "mdev without type": "<device><name>d</name><capability type='mdev'><iommuGroup number='1'/></capability></device>",
    "pci without domain": "<device><name>d</name><capability type='pci'><bus>1</bus><slot>0</slot>"
    "<function>0</function><product id='0x1'/><vendor id='0x2'/></capability></device>",
    "usb without bus": "<device><name>d</name><capability type='usb_device'><device>2</device>"
    "<product id='0x1'/><vendor id='0x2'/></capability></device>",
    "scsi target without name": "<device><name>d</name><capability type='scsi_target'/></device>",
    "scsi without host": "<device><name>d</name><capability type='scsi'><bus>0</bus><target>0</target><lun>0</lun>"
    "<type>disk</type></capability></device>",
    "system without uuid": "<device><name>d</name><capability type='system'><hardware/></capability></device>",
    "vpd outside pci": "<device><name>d</name><capability type='css'><cssid>0x0</cssid><ssid>0x0</ssid>"
    "<devno>0x1</devno><capability type='vpd'/></capability></device>",
    "mdev types without types": "<device><name>d</name><capability type='ap_matrix'>"
    "<capability type='mdev_types'/></capability></device>",
    "path and devnodes": "<device><name>d</name><path>/sys/devices/x</path><devnode type='dev'>/dev/x</devnode>"
    "<devnode type='link'>/dev/y</devnode><driver><name>drv</name></driver>"
    "<capability type='drm'><type>render</type></capability></device>",
}


with tempfile.TemporaryDirectory() as folder:
    for name, devices in NODES.items():
        path = Path(folder) / "devices.xml"
        computer = (
            "<device><name>computer</name><capability type='system'><hardware>"
            "<uuid>11111111-2222-3333-4444-555555555555</uuid></hardware></capability></device>"
        )
        path.write_text(f"<node>{computer}{devices}</node>")
        try:
            conn = libvirt.open(node_file_uri(path))
        except libvirt.libvirtError as error:
            print(name, "open !!", error.get_error_code(), error.get_error_domain(), error.get_error_message())
            continue
        for device in sorted(conn.listDevices(None, 0)):
            dev = conn.nodeDeviceLookupByName(device)
            attempt(f"{name}: {device}", lambda dev=dev: (dev.XMLDesc(0), dev.listCaps()))
        for cap in ("scsi_host", "fc_host", "vports", "drm", "mdev_types", "vpd", "system"):
            attempt(f"{name}: {cap}", lambda conn=conn, cap=cap: sorted(conn.listDevices(cap, 0)))
        conn.close()

# A node file's own scsi_host11: libvirt's test driver copies it for every vHBA it makes.
TEMPLATES = {
    "template with vport_ops": "<host>11</host><capability type='fc_host'><wwnn>2000000000000011</wwnn>"
    "<wwpn>1000000000000011</wwpn></capability><capability type='vport_ops'/>",
    "template without unique id or fabric": "<host>7</host><capability type='fc_host'><wwnn>2000000000000012</wwnn>"
    "<wwpn>1000000000000012</wwpn></capability>",
    "template with fabric": "<host>8</host><unique_id>3</unique_id><capability type='fc_host'>"
    "<wwnn>2000000000000013</wwnn><wwpn>1000000000000013</wwpn><fabric_wwn>2000000000000099</fabric_wwn>"
    "</capability>",
}
PARENT = SCSI.format(
    name="scsi_host5",
    body="<host>5</host>" + FC.format(n="2000000000000005", p="1000000000000005") + "<capability type='vport_ops'/>",
)
VHBA = (
    "<device><parent>scsi_host5</parent><capability type='scsi_host'><capability type='fc_host'>"
    "<wwnn>2000000000000777</wwnn><wwpn>1000000000000777</wwpn></capability></capability></device>"
)
FC_POOL = (
    "<pool type='scsi'><name>fc</name><source><adapter type='fc_host' parent='scsi_host5' "
    "wwnn='2000000000000888' wwpn='1000000000000888'/></source><target><path>/dev/disk/by-path</path></target></pool>"
)
with tempfile.TemporaryDirectory() as folder:
    for name, body in TEMPLATES.items():
        path = Path(folder) / "template.xml"
        template = SCSI.format(name="scsi_host11", body=body).replace("computer", "scsi_host5")
        path.write_text(f"<node>{PARENT}{template}</node>")
        conn = libvirt.open(node_file_uri(path))
        attempt(f"{name}: create", lambda conn=conn: conn.nodeDeviceCreateXML(VHBA, 0).name())
        attempt(f"{name}: vhba", lambda conn=conn: conn.nodeDeviceLookupByName("scsi_host12").XMLDesc(0))
        attempt(f"{name}: vhba caps", lambda conn=conn: conn.nodeDeviceLookupByName("scsi_host12").listCaps())
        attempt(f"{name}: vports", lambda conn=conn: sorted(conn.listDevices("vports", 0)))
        attempt(f"{name}: destroy", lambda conn=conn: conn.nodeDeviceLookupByName("scsi_host12").destroy())
        attempt(f"{name}: pool", lambda conn=conn: conn.storagePoolCreateXML(FC_POOL, 0).name())
        attempt(f"{name}: pool's vhba", lambda conn=conn: conn.nodeDeviceLookupByName("scsi_host12").XMLDesc(0))
        attempt(f"{name}: pool stop", lambda conn=conn: conn.storagePoolLookupByName("fc").destroy())
        attempt(f"{name}: devices", lambda conn=conn: sorted(conn.listDevices(None, 0)))
        conn.close()
