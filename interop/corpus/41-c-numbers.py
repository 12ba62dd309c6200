# uri: test:///default
# Numbers in XML as libvirt's virStrToLong_* family reads them (C's strtol/strtoul over the
# whole text): leading C spaces and a sign taken, trailing spaces, Python's '1_0' and '0o7'
# forms and values beyond the C type refused; what is taken is written back as a number.
import sys

import libvirt

conn = libvirt.open(sys.argv[1])
UUID = "3c5f2a41-7d2e-4b8a-9f10-2b6c8d4e5a71"


def domain(devices: str) -> str:
    return (
        f"<domain type='test'><name>numbers</name><uuid>{UUID}</uuid><memory>1024</memory>"
        f"<os><type>hvm</type></os><devices>{devices}</devices></domain>"
    )


def pool(permissions: str = "", host: str = "", kind: str = "dir") -> str:
    source = f"<source><host name='nfs.example' {host}/><dir path='/export'/></source>" if host else ""
    target = f"<target><path>/var/lib/numbers</path><permissions>{permissions}</permissions></target>"
    return f"<pool type='{kind}'><name>numbers</name><uuid>{UUID}</uuid>{source}{target}</pool>"


def lines_with(text: str, *tags: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if any(tag in line for tag in tags)]


def attempt(label: str, define, xml: str, tags: tuple[str, ...]) -> None:
    try:
        made = define(xml)
    except libvirt.libvirtError as error:
        print(label, "!!", error.get_error_code(), error.get_error_domain(), repr(error.get_error_message()))
        return
    print(label, "->", lines_with(made.XMLDesc(0), *tags))
    made.undefine()


CONTROLLER_INDEXES = ["1", " +1", "1 ", "00", "-1", "0x1", "1_0", "2147483648"]
for index in CONTROLLER_INDEXES:
    xml = domain(f"<controller type='usb' index='{index}'/>")
    attempt(f"controller index {index!r}", conn.defineXML, xml, ("<controller",))

USB_FILTER_NUMBERS = [" 0x0e", "0x0e ", "010", "-0x10", "+-5", "0x7FFFFFFF", "0x80000000", "0o7"]
for number in USB_FILTER_NUMBERS:
    xml = domain(
        "<controller type='usb' index='0'/><redirdev bus='usb' type='spicevmc'/>"
        f"<redirfilter><usbdev vendor='{number}' allow='yes'/></redirfilter>"
    )
    attempt(f"usbdev vendor {number!r}", conn.defineXML, xml, ("<usbdev",))

SERIAL_PORTS = ["1", " 2", "-1", "4294967295", "-4294967295", "4294967296", "1_0"]
for port in SERIAL_PORTS:
    xml = domain(f"<serial type='pty'><target port='{port}'/></serial>")
    attempt(f"serial port {port!r}", conn.defineXML, xml, ("<target", "<serial"))

GRAPHICS_PORTS = [" 5901", "+5901", "5901 ", "-1", "1_0"]
for port in GRAPHICS_PORTS:
    xml = domain(f"<graphics type='vnc' port='{port}' autoport='no'/>")
    attempt(f"vnc port {port!r}", conn.defineXML, xml, ("<graphics",))

PERMISSIONS = [
    "<mode>0755</mode>",
    "<mode> 755</mode>",
    "<mode>0755 </mode>",
    "<mode>0o755</mode>",
    "<mode>-1</mode>",
    "<owner>+107</owner><group> 107</group>",
    "<owner>-1</owner>",
    "<owner>4294967295</owner>",
    "<owner>4294967296</owner>",
    "<owner>1_0</owner>",
    "<group>0x10</group>",
    "<owner>99999999999999999999</owner>",
]
for permissions in PERMISSIONS:
    xml = pool(permissions)
    attempt(f"pool {permissions}", conn.storagePoolDefineXML, xml, ("<mode", "<owner", "<group"))

HOST_PORTS = [" 2049", "+2049", "2049 ", "0x801", "-3", "1_0", "2147483648"]
for port in HOST_PORTS:
    xml = pool(host=f"port='{port}'", kind="netfs")
    attempt(f"pool host port {port!r}", conn.storagePoolDefineXML, xml, ("<host",))

VCPU_ELEMENTS = [
    "<vcpu>+3</vcpu>",
    "<vcpu>2 </vcpu>",
    "<vcpu>abc</vcpu>",
    "<vcpu>\u00b2</vcpu>",
    "<vcpu>2<!-- between -->0</vcpu>",
    "<vcpu>0</vcpu>",
    "<vcpu current='+1'>3</vcpu>",
    "<vcpu current='3'>2</vcpu>",
    "<vcpu current='x'>2</vcpu>",
]
for vcpu in VCPU_ELEMENTS:
    xml = domain("").replace("<memory>", f"{vcpu}<memory>", 1)
    attempt(f"vcpu {vcpu!r}", conn.defineXML, xml, ("<vcpu",))

PCI_TARGETS = [
    "chassisNr='010'",
    "busNr='0x10' port='010' chassis='2'",
    "hotplug='off' index='0x5' port='8'",
    "chassisNr='3 '",
    "port='-1'",
]
for target in PCI_TARGETS:
    xml = domain(
        "<controller type='pci' index='0' model='pci-root'/>"
        f"<controller type='pci' index='1' model='pci-bridge'><target {target}/></controller>"
    )
    attempt(f"pci target {target}", conn.defineXML, xml, ("<target",))

BALLOON_PERIODS = ["010", "0x10", " 5", "5 ", "-1"]
for period in BALLOON_PERIODS:
    xml = domain(f"<memballoon model='virtio'><stats period='{period}'/></memballoon>")
    attempt(f"balloon stats period {period!r}", conn.defineXML, xml, ("<stats",))

SCALED = {
    "pcihole64": "<controller type='pci' index='0' model='pci-root'><pcihole64 unit='KiB'>{}</pcihole64></controller>",
    "shmem size": "<shmem name='s'><size unit='M'>{}</size></shmem>",
}
for label, template in SCALED.items():
    for number in ["4", " 4", "4 ", "\u00b2", "1_0", "", "18014398509481984"]:
        xml = domain(template.format(number))
        attempt(f"{label} {number!r}", conn.defineXML, xml, ("pcihole64", "<size"))
for limit in ["5", "\u00b2", "5 "]:
    xml = domain("").replace("<memory>", f"<memtune><hard_limit unit='KiB'>{limit}</hard_limit></memtune><memory>", 1)
    attempt(f"memtune hard_limit {limit!r}", conn.defineXML, xml, ("hard_limit",))

MEMORY_PARTS = [
    "<memory>\u00b2</memory>",
    "<memory>5 </memory>",
    "<memory>  </memory>",
    "<memory>9223372036854775807</memory>",
    "<memory>65536</memory><currentMemory unit='b'>1000</currentMemory>",
    "<memory>65536</memory><maxMemory slots='2' unit='b'>1048577</maxMemory>",
    "<memory>65536</memory><cpu><numa><cell id='0' cpus='0' memory='5 '/></numa></cpu>",
    "<memory>65536</memory><cpu><numa><cell id='0' cpus='0' memory='64' unit='MiB'/></numa></cpu>",
]
for part in MEMORY_PARTS:
    xml = domain("").replace("<memory>1024</memory>", part, 1)
    attempt(f"memory {part!r}", conn.defineXML, xml, ("emory", "<cell"))

conn.close()
