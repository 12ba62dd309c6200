"""Parts of a domain's <interface> as virDomainNetDefParseXML keeps them from a definition
(parse flag INACTIVE): what each interface type reads, and model names as libvirt spells them."""

from __future__ import annotations

import uuid

from lxml import etree

from virtrio.drivers.libvirt_rules import attribute_error, enum_error
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .xml_tree import first_child

# virDomainNetModel: a model given in any case is written with libvirt's spelling
NET_MODELS = [
    "netfront",
    "rtl8139",
    "virtio",
    "e1000",
    "e1000e",
    "virtio-transitional",
    "virtio-non-transitional",
    "usb-net",
    "spapr-vlan",
    "lan9118",
    "scm91c111",
    "vlance",
    "vmxnet",
    "vmxnet2",
    "vmxnet3",
    "Am79C970A",
    "Am79C973",
    "82540EM",
    "82545EM",
    "82543GC",
]
NET_MODEL_SPELLING = {name.lower(): name for name in NET_MODELS}
VIRTIO_MODELS = ("virtio", "virtio-transitional", "virtio-non-transitional")
FILTERREF_TYPES = ("network", "bridge", "ethernet")  # the types whose parser reads <filterref>
VIRTIO_OPTIONS = ("iommu", "ats", "packed", "page_per_vq")  # virDomainVirtioOptionsParseXML
VIRTIO_NET_UNSIGNED = ("queues", "rx_queue_size", "tx_queue_size")
VIRTUALPORT_TYPES = ("network", "bridge", "direct", "hostdev")  # the others refuse <virtualport>
# virNetDevVPortProfileParse with GENERATE_MISSING_DEFAULTS: the id a port type gets when not given
GENERATED_PORT_IDS = {"802.1Qbg": "instanceid", "openvswitch": "interfaceid"}


def canonical_interface_parts(interface: etree._Element) -> None:
    kind = interface.get("type", "user")
    model = first_child(interface, "model")
    model_name = model.get("type") if model is not None else None
    if model is not None and model_name is not None and model_name.lower() in NET_MODEL_SPELLING:
        model_name = NET_MODEL_SPELLING[model_name.lower()]
        model.set("type", model_name)
    source = first_child(interface, "source")
    if kind == "network" and source is not None:
        source.attrib.pop("portid", None)  # the port a running domain holds, not part of a definition
    backend = first_child(interface, "backend")
    if backend is not None and backend.get("type") is not None:
        _check_backend_type(backend.get("type", ""))
    virtualport = first_child(interface, "virtualport")
    if virtualport is not None:
        if kind not in VIRTUALPORT_TYPES:
            detail = f"<virtualport> element unsupported for <interface type='{kind}'>"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
        generated = GENERATED_PORT_IDS.get(virtualport.get("type", ""))
        if generated is not None:
            parameters = first_child(virtualport, "parameters")
            if parameters is None:
                parameters = etree.SubElement(virtualport, "parameters")
            if parameters.get(generated) is None:
                parameters.set(generated, str(uuid.uuid4()))
    filterref = first_child(interface, "filterref")
    if filterref is not None and kind not in FILTERREF_TYPES:
        interface.remove(filterref)
    driver = first_child(interface, "driver")
    if driver is not None:
        if kind != "hostdev" and model_name in VIRTIO_MODELS:
            for name in VIRTIO_NET_UNSIGNED:
                _check_unsigned(driver, name)
            if driver.get("queues") == "1":  # always at least one queue: not written
                del driver.attrib["queues"]
        else:  # only the generic virtio options are read (and a host device's own driver name)
            kept = (*VIRTIO_OPTIONS, "name") if kind == "hostdev" else VIRTIO_OPTIONS
            for name in [name for name in driver.attrib if name not in kept]:
                del driver.attrib[name]
            for child in list(driver):
                driver.remove(child)
        if not len(driver.attrib) and not len(driver):  # an empty element is not written
            interface.remove(driver)


def _check_unsigned(element: etree._Element, name: str) -> None:
    """virXMLPropUInt in base 10."""
    text = element.get(name)
    if text is not None and not text.strip().isdigit():
        raise attribute_error(element.tag, name, text, "Expected non-negative integer value")


def _check_backend_type(kind: str) -> None:
    """virDomainNetBackendParseXML's type: 'default' (the enum's zero) and unknown values are
    virXMLPropEnum's refusals; 'passt' is refused too by libvirtd 9.0.0 as Debian ships it
    (the reference), with the same text in the domain's error domain."""
    if kind == "passt":
        detail = "Invalid value for attribute 'type' in element 'backend': 'passt'."
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, detail)
    raise enum_error("backend", "type", kind)
