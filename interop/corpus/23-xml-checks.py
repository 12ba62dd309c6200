# uri: test:///default
# Malformed XML, documents of the wrong kind, and the *_VALIDATE flags' schema checks.
import sys

import libvirt

conn = libvirt.open(sys.argv[1])
pool = conn.storagePoolLookupByName("default-pool")
domain = conn.lookupByName("test")
VALID_DOMAIN = "<domain type='test'><name>v2</name><memory>1024</memory><os><type>hvm</type></os></domain>"
cases = [
    (
        "domain, unknown element",
        lambda: conn.defineXMLFlags(VALID_DOMAIN.replace("</os>", "</os><bogus/>"), libvirt.VIR_DOMAIN_DEFINE_VALIDATE),
    ),
    ("domain, valid", lambda: conn.defineXMLFlags(VALID_DOMAIN, libvirt.VIR_DOMAIN_DEFINE_VALIDATE).name()),
    (
        "domain, no memory",
        lambda: conn.createXML(
            "<domain type='test'><name>v3</name><os><type>hvm</type></os></domain>", libvirt.VIR_DOMAIN_START_VALIDATE
        ),
    ),
    (
        "domain, truncated",
        lambda: conn.defineXMLFlags("<domain type='test'><name>v1</name>", libvirt.VIR_DOMAIN_DEFINE_VALIDATE),
    ),
    ("domain, wrong root", lambda: conn.defineXMLFlags("<network/>", libvirt.VIR_DOMAIN_DEFINE_VALIDATE)),
    ("domain, tabs", lambda: conn.defineXML("<domain type='test'>\n\t<name>x</name>\n\t<uuid></domain>")),
    (
        "network, unknown element",
        lambda: conn.networkDefineXMLFlags(
            "<network><name>n1</name><foo/></network>", libvirt.VIR_NETWORK_DEFINE_VALIDATE
        ),
    ),
    (
        "network, create validated",
        lambda: conn.networkCreateXMLFlags(
            "<network><name>n2</name></network>", libvirt.VIR_NETWORK_CREATE_VALIDATE
        ).name(),
    ),
    ("network, bad attribute", lambda: conn.networkDefineXML("<network>\n  <name>x</name>\n  <bad attr=></network>")),
    ("network, wrong root", lambda: conn.networkDefineXML("<pool/>")),
    (
        "pool, no target",
        lambda: conn.storagePoolDefineXML(
            "<pool type='dir'><name>p1</name></pool>", libvirt.VIR_STORAGE_POOL_DEFINE_VALIDATE
        ),
    ),
    ("pool, truncated", lambda: conn.storagePoolDefineXML("<pool type='dir'><name>x</name", 0)),
    (
        "volume, unknown element",
        lambda: pool.createXML(
            "<volume><name>x</name><capacity>10</capacity><bad/></volume>", libvirt.VIR_STORAGE_VOL_CREATE_VALIDATE
        ),
    ),
    ("volume, wrong root", lambda: pool.createXML("<pool/>", 0)),
    ("snapshot, mismatched tag", lambda: domain.snapshotCreateXML("<domainsnapshot><name>a</nam></domainsnapshot>")),
    ("snapshot, wrong root", lambda: domain.snapshotCreateXML("<snapshot/>", 0)),
    ("checkpoint, wrong root", lambda: domain.checkpointCreateXML("<domainsnapshot/>", 0)),
    ("checkpoint, truncated", lambda: domain.checkpointCreateXML("<domaincheckpoint><name>a</name>", 0)),
    (
        "checkpoint",
        lambda: domain.checkpointCreateXML("<domaincheckpoint><name>c1</name></domaincheckpoint>").getName(),
    ),
]
for name, call in cases:
    try:
        print(name, "->", call())
    except libvirt.libvirtError as error:
        print(name, "!!", error.get_error_code(), error.get_error_domain(), repr(error.get_error_message()))
