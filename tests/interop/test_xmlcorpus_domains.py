"""The domain kinds of the xmlcorpus runner against both daemons: a device document is
tried as a hotplug of the running 'test' domain and defined inside a domain of its own,
and a domain document named 'test' (as many of libvirt's are) is defined once the test
driver's own 'test' domain is out of the way."""

from __future__ import annotations

from pathlib import Path

from interop import xmlcorpus
from tests.interop.side_by_side import started_side_by_side

DEVICE = """<?xml version='1.0'?>
<disk type='file' device='disk'>
  <source file='/var/lib/images/extra.img'/>
  <target dev='sdf' bus='scsi'/>
</disk>
"""
NAMED_TEST = """<domain type='kvm'>
  <name>test</name>
  <uuid>2ad9d5bd-9a47-4cc4-8a41-c23b6c1f3e2d</uuid>
  <memory>65536</memory>
  <os><type>hvm</type></os>
  <clock offset='localtime' adjustment='60'/>
</domain>
"""


def test_device_and_named_test_documents_as_libvirtd(tmp_path: Path) -> None:
    folder = tmp_path / "tests" / "corpus"
    folder.mkdir(parents=True)
    (folder / "device.xml").write_text(DEVICE)
    (folder / "domain.xml").write_text(NAMED_TEST)
    results = {}
    with started_side_by_side(tmp_path / "daemons") as daemons:
        for name, daemon in daemons.items():
            devices = xmlcorpus.gather(daemon.rw, "devices", [folder / "device.xml"])
            domains = xmlcorpus.gather(daemon.rw, "domains-out", [folder / "domain.xml"])
            results[name] = {**devices, **domains}
    device = xmlcorpus.normalised(results["libvirtd"]["corpus/device.xml"], DEVICE.lower())
    assert device == xmlcorpus.normalised(results["virtrio"]["corpus/device.xml"], DEVICE.lower())
    domain = xmlcorpus.normalised(results["libvirtd"]["corpus/domain.xml"], NAMED_TEST.lower())
    assert domain == xmlcorpus.normalised(results["virtrio"]["corpus/domain.xml"], NAMED_TEST.lower())
    # libvirt 9.0.0's test driver has no device hotplug: each step says so
    assert device[0] == (
        "attachDeviceFlags 1 error 3/20: this function is not supported by the connection driver: "
        "virDomainAttachDeviceFlags"
    )
    # the device is then read inside its own domain, its SCSI controller implied
    defined = device[8]
    assert "<name>hotplug</name>" in defined and "<target dev='sdf' bus='scsi'/>" in defined
    assert "<controller type='scsi' index='0'/>" in defined
    # the document named 'test' is defined (not "already exists"), started and undefined
    assert "<clock offset='variable' adjustment='60' basis='localtime'/>" in domain[0]
    assert "create 0" in domain and domain[-1] == "undefine 0"
