# Graphics passwords and disk cookies: written only with the SECURE flag, on a read-write
# connection, in a domain's XML and in the domain inside its snapshots.
import sys

import libvirt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
uri = sys.argv[1]
conn = libvirt.open(uri)
dom = conn.defineXML(
    "<domain type='kvm'><name>secure</name><memory>65536</memory><os><type>hvm</type></os><devices>"
    "<graphics type='vnc' port='5900' passwd='s3cret' passwdValidTo='2030-01-01T00:00:00'/>"
    "<graphics type='spice' autoport='yes' passwd='x&amp;y'/></devices></domain>"
)
for flags in (0, libvirt.VIR_DOMAIN_XML_SECURE, libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE):
    print(flags, dom.XMLDesc(flags))
dom.create()
snapshot = dom.snapshotCreateXML("<domainsnapshot><name>s</name></domainsnapshot>")
for flags in (0, libvirt.VIR_DOMAIN_SNAPSHOT_XML_SECURE):
    print("snapshot", flags, snapshot.getXMLDesc(flags))
read_only = libvirt.openReadOnly(uri)
ro_dom = read_only.lookupByName("secure")
print("read-only", ro_dom.XMLDesc(0))
try:
    ro_dom.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE)
except libvirt.libvirtError as error:
    print("read-only secure", error.get_error_code(), error.get_error_domain(), error.get_error_message())
snapshot.delete()
dom.destroy()
dom.undefine()
