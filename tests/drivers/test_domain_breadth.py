"""Unit tests of domain rules that libvirt's other drivers' test documents exercise (bhyve,
lxc, libxl, ...; measured by `python -m interop xmlcorpus --kind domains-other`), through the
test driver's own reader and writer on small domains. The expected texts are what libvirtd
9.0.0's test driver writes for the same documents."""

from __future__ import annotations

from virtrio.drivers.test import state
from virtrio.drivers.test.formats import domain_xml
from virtrio.drivers.test.parse import parse_domain_xml


def written(top: str, os: str = "<type>hvm</type>", devices: str = "", clock: str = "") -> str:
    text = (
        f"<domain type='test'><name>d</name><memory>1024</memory>{top}<os>{os}</os>{clock}"
        f"<devices>{devices}</devices></domain>"
    )
    return domain_xml(parse_domain_xml(text, state.TestState.__new__(state.TestState)), inactive=True)


def os_of(xml: str) -> str:
    return xml[xml.index("<os>") : xml.index("</os>")]


# --- bootloader (virDomainDefFormatInternal writes boot options only without one) -------


def test_bootloader_leaves_out_boot_devices_bootmenu_and_bios() -> None:
    os = "<type>hvm</type><bootmenu enable='yes'/><bios useserial='yes'/><boot dev='cdrom'/>"
    xml = written("<bootloader>/x</bootloader>", os=os)
    assert "  <bootloader>/x</bootloader>\n  <os>\n" in xml
    assert os_of(xml) == "<os>\n    <type arch='i686'>hvm</type>\n  "


def test_bootloader_without_boot_gets_no_default_boot_device() -> None:
    assert "<boot " not in written("<bootloader>/usr/bin/grub</bootloader>")


def test_bootloader_args_only_after_a_bootloader() -> None:
    assert "bootloader" not in written("<bootloader_args>-X -Y</bootloader_args>")
    xml = written("<bootloader>/b</bootloader><bootloader_args>-X -Y</bootloader_args>")
    assert "  <bootloader>/b</bootloader>\n  <bootloader_args>-X -Y</bootloader_args>\n" in xml


def test_empty_bootloader_is_none() -> None:
    # an empty one reads as absent: the default boot device and bootmenu are written
    xml = written("<bootloader/><bootloader_args>-a</bootloader_args>", os="<type>hvm</type><bootmenu enable='yes'/>")
    assert "bootloader" not in xml
    assert "<boot dev='hd'/>\n    <bootmenu enable='yes'/>" in xml
    # an empty bootloader_args is not written; a blank bootloader is kept as it is
    assert "bootloader_args" not in written("<bootloader>/x</bootloader><bootloader_args></bootloader_args>")
    assert "<bootloader> </bootloader>" in written("<bootloader> </bootloader>")
