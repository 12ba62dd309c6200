# uri: test:///default
# test:///path node files that cannot be used: malformed, of another kind, missing, and a
# file= reference that is malformed.
import sys
import tempfile
from pathlib import Path

import libvirt

libvirt.registerErrorHandler(lambda context, error: None, None)  # printed below, paths hidden
socket_part = sys.argv[1].split("?", 1)[1]
with tempfile.TemporaryDirectory() as folder:
    base = Path(folder)
    (base / "bad.xml").write_text('<node>\n  <domain type="test">\n</node>\n')
    (base / "root.xml").write_text("<domain/>\n")
    (base / "ref.xml").write_text("<node>\n  <domain file='broken-domain.xml'/>\n</node>\n")
    (base / "broken-domain.xml").write_text("<domain type='test'>\n  <name>x</name\n</domain>\n")
    (base / "wrong-ref.xml").write_text("<node>\n  <network file='root.xml'/>\n</node>\n")
    for name in ("bad.xml", "root.xml", "missing.xml", "ref.xml", "wrong-ref.xml"):
        try:
            libvirt.open(f"test+unix://{base / name}?{socket_part}")
            print(name, "opened")
        except libvirt.libvirtError as error:
            message = error.get_error_message().replace(folder, "DIR")
            print(name, error.get_error_code(), error.get_error_domain(), repr(message))
