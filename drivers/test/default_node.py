"""test:///default's starting state: libvirt's default domain, network, pool, interface and
node devices. Kept apart from state.py because it needs the parsers, which themselves build
on state.py's classes: here both are imported at module level with no cycle."""

from __future__ import annotations

import copy
import functools
import uuid

from virtrio.protocol.generated import libvirt_api as api

from .nodedevs import default_node_devices
from .parse import parse_domain_xml
from .state import Domain, Interface, Network, Pool, TestState

# libvirt's default domain, as the facts of test_driver.c describe it
DEFAULT_DOMAIN_XML = """<domain type='test'>
  <name>test</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  <memory>8388608</memory>
  <currentMemory>2097152</currentMemory>
  <vcpu>2</vcpu>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/guest/diskimage1'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </disk>
    <interface type='network'>
      <mac address='aa:bb:cc:dd:ee:ff'/>
      <source network='default' bridge='virbr0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x1' function='0x0'/>
    </interface>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x2' function='0x0'/>
    </memballoon>
  </devices>
</domain>"""


def default_state() -> TestState:
    """libvirt's test:///default: domain test, network default, pool default-pool, eth1."""
    state = TestState()
    template, next_domain_id = _default_domain_template()
    state.add_domain(copy.deepcopy(template))
    state.next_domain_id = next_domain_id
    state.networks["default"] = Network("default", uuid.UUID("dd8fe884-6c02-601e-7551-cca97df1c5df").bytes, "virbr0")
    state.pools["default-pool"] = Pool(
        "default-pool",
        uuid.UUID("dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566").bytes,
        "/default-pool",
        capacity=107374182400,
        allocation=0,
        available=107374182400,
    )
    state.interfaces["eth1"] = Interface("eth1", "aa:bb:cc:dd:ee:ff")
    state.node_devices = default_node_devices()
    return state


@functools.cache
def _default_domain_template() -> tuple[Domain, int]:
    """Domain test as test:///default starts it, and the next domain id after it. Made
    once and copied for each new default node (libvirtd makes one whenever the last
    connection to test:///default closed): parsing and completing the definition cost
    about a millisecond of every virsh run, copying a tenth of that."""
    scratch = TestState()
    test = parse_domain_xml(DEFAULT_DOMAIN_XML, scratch)
    scratch.add_domain(test)
    scratch.start_domain(test, api.VIR_DOMAIN_RUNNING_UNKNOWN)
    return test, scratch.next_domain_id
