# uri: test:///default
# UUID and MAC address texts as virUUIDParse and virMacAddrParse read them: braces and
# urn:uuid: refused, spaces and dashes between digit pairs taken, text after a MAC taken
# from a char <= ' ' on.
import sys

import libvirt

conn = libvirt.open(sys.argv[1])
DIGITS = "8f2c3a4b5d6e7f8091a2b3c4d5e6f708"
CANONICAL = "8f2c3a4b-5d6e-7f80-91a2-b3c4d5e6f708"
UUIDS = [
    ("canonical", CANONICAL),
    ("braces", "{" + CANONICAL + "}"),
    ("urn", "urn:uuid:" + CANONICAL),
    ("bare digits", DIGITS),
    ("spaced pairs", " ".join(DIGITS[i : i + 2] for i in range(0, 32, 2))),
    ("dash first", "-" + DIGITS),
    ("dash last", DIGITS + "-"),
    ("dash in a pair", "8-f" + DIGITS[2:]),
    ("whitespace around", "\n\t " + CANONICAL + " \n"),
    ("31 digits", DIGITS[:-1]),
]
MACS = [
    ("plain", "52:54:00:aa:bb:cc"),
    ("upper case", "52:54:00:AA:BB:CC"),
    ("one digit parts", "2:4:0:a:b:c"),
    ("space then text", "52:54:00:aa:bb:cc tail"),
    ("text", "52:54:00:aa:bb:ccx"),
    ("non-ascii text", "52:54:00:aa:bb:cc\u00e9t\u00e9"),  # a signed char's UTF-8 bytes are < ' '
    ("colon last", "52:54:00:aa:bb:cc:"),
    ("three digits", "052:54:00:aa:bb:cc"),
    ("hex prefix", "0x52:54:00:aa:bb:cc"),
    ("dashes", "52-54-00-aa-bb-cc"),
]


def domain(uuid: str = CANONICAL, mac: str | None = None) -> str:
    source = "<source network='default'/>"
    interface = f"<interface type='network'>{source}<mac address='{mac}'/></interface>" if mac else ""
    return (
        f"<domain type='test'><name>forms</name><uuid>{uuid}</uuid><memory>1024</memory>"
        f"<os><type>hvm</type></os><devices>{interface}</devices></domain>"
    )


def network(uuid: str = CANONICAL, mac: str | None = None) -> str:
    address = f"<mac address='{mac}'/>" if mac else ""
    return f"<network><name>forms</name><uuid>{uuid}</uuid>{address}</network>"


def attempt(label: str, define, undefine) -> None:
    try:
        made = define()
    except libvirt.libvirtError as error:
        print(label, "!!", error.get_error_code(), error.get_error_domain(), repr(error.get_error_message()))
        return
    print(label, "->", made.UUIDString(), [line.strip() for line in made.XMLDesc(0).splitlines() if "mac " in line])
    undefine(made)


for label, text in UUIDS:
    attempt(f"domain uuid {label}", lambda t=text: conn.defineXML(domain(t)), lambda d: d.undefine())
    attempt(f"network uuid {label}", lambda t=text: conn.networkDefineXML(network(t)), lambda n: n.undefine())
for label, text in MACS:
    attempt(f"domain mac {label}", lambda t=text: conn.defineXML(domain(mac=t)), lambda d: d.undefine())
    attempt(f"network mac {label}", lambda t=text: conn.networkDefineXML(network(mac=t)), lambda n: n.undefine())
