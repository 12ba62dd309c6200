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
