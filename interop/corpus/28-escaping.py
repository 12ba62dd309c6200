# uri: test:///default
# Characters XML must escape, in names, titles, descriptions and attribute values.
import sys

import libvirt

conn = libvirt.open(sys.argv[1])
domain = conn.defineXML(
    "<domain type='test'><name>q&amp;1</name><uuid>8a8bd2f3-6b4f-4b9a-9d53-0f6e2c4c9d11</uuid>"
    '<title>it\'s "q" &amp; &lt;x&gt;</title><description>a \'b\' "c"</description><memory>1024</memory>'
    "<os><type>hvm</type></os><devices><disk type='file'><source file=\"/a'b&amp;c\"/><target dev='vda'/>"
    "</disk></devices></domain>"
)
print(domain.XMLDesc(0))
domain.setMetadata(libvirt.VIR_DOMAIN_METADATA_TITLE, "new 'title' \"x\"", None, None, 0)
domain.setMetadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, "<b>bold</b> & more", None, None, 0)
print(domain.XMLDesc(0))
print(domain.metadata(libvirt.VIR_DOMAIN_METADATA_TITLE, None, 0))

# The same escaping in the other documents libvirt writes: snapshots, checkpoints,
# networks, pools, volumes; and the control characters libvirt's escaper drops (XML
# cannot carry them in, but a description set through the API can).
domain.setMetadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, "tab\there\x01\x08\x0b\x19 \x1a\x1f end", None, None, 0)
print(repr(domain.XMLDesc(0)))
running = conn.lookupByName("test")
snapshot = running.snapshotCreateXML(
    '<domainsnapshot><name>s\'1&amp;"x"</name><description>it\'s &lt;"d"&gt;</description></domainsnapshot>'
)
print(snapshot.getXMLDesc(0))
child = running.snapshotCreateXML("<domainsnapshot><name>child</name></domainsnapshot>")
print(child.getXMLDesc(0))
# (libvirt makes no checkpoint while the domain has snapshots, and its schema restricts
# checkpoint names: the escaping is in the description)
child.delete(0)
snapshot.delete(0)
checkpoint = running.checkpointCreateXML(
    '<domaincheckpoint><name>c1</name><description>"quoted" &amp; more</description></domaincheckpoint>'
)
print(checkpoint.getXMLDesc(0))
network = conn.networkDefineXML("<network><name>n'et&amp;\"1\"</name><bridge name='virbr7'/></network>")
print(network.XMLDesc(0))
pool = conn.storagePoolDefineXML(
    "<pool type='dir'><name>p'ool&amp;</name><target><path>/p'ath&amp;\"x\"</path></target></pool>"
)
print(pool.XMLDesc(0))
pool.create(0)
volume = pool.createXML('<volume><name>v\'ol&amp;"1"</name><capacity>1024</capacity></volume>', 0)
print(volume.XMLDesc(0))
