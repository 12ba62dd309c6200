"""Parts of a domain's <interface> as virDomainNetDefParseXML keeps them from a definition
(parse flag INACTIVE): what each interface type reads, and model names as libvirt spells them."""

from __future__ import annotations

import re
import socket
import string
import threading
from collections.abc import Callable
from functools import partial

from lxml import etree

from virtrio.drivers.libvirt_rules import (
    UINT_MAX,
    ULLONG_MAX,
    attribute_error,
    enum_error,
    mac_text,
    missing_attribute,
    parse_mac,
    prop_enum,
    prop_int,
    prop_uint,
    strtoul_whole,
    strtoul_wrapping,
    xml_error,
)
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, report

from .network_definition import parse_address, parse_route, parse_virtualport, parse_vlan
from .pool_definition import sanitize_path
from .xml_tree import children_of, first_child

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


def virtio_option_fault(driver: etree._Element) -> LibvirtError | None:
    """virDomainCheckVirtioOptionsAreAbsent: the first virtio-only option set on the <driver>
    of a device that is not virtio, as libvirt names it."""
    for name in VIRTIO_OPTIONS:
        if driver.get(name) is not None:
            option = f"{name} driver option" if name != "page_per_vq" else "page_per_vq option"
            detail = f"{option} is only supported for virtio devices"
            return report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    return None


VIRTIO_NET_UNSIGNED = ("queues", "rx_queue_size", "tx_queue_size")
VIRTUALPORT_TYPES = ("network", "bridge", "direct", "hostdev")  # the others refuse <virtualport>


def canonical_interface_parts(interface: etree._Element) -> set[object]:
    """The interface's parts read and written as libvirt does; returns the tags of its children
    as given (nothing here adds a child of a tag it did not have: those absent are not looked for)."""
    present = {child.tag for child in interface[:]}  # (a list: cheaper than the iterator)
    kind = interface.get("type")
    if kind is not None and kind not in NET_TYPES:
        raise enum_error("interface", "type", kind)
    if kind is None or len(interface.attrib) > 1:
        kind = kind or "user"  # virXMLPropEnumDefault: a user-mode interface
        _interface_attributes(interface, kind)
    model_name = _single_attribute(interface, "model", "type") if "model" in present else None
    if model_name is not None:
        spelled = NET_MODEL_SPELLING.get(model_name.lower())
        if spelled is not None:
            if spelled != model_name:  # (most are spelled so already)
                first_child(interface, "model").set("type", spelled)
            model_name = spelled
        elif model_name.strip(NET_MODEL_CHARACTERS):  # virDomainNetSetModelString
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, "Model name contains invalid characters")
    for tag in ("script", "downscript"):
        if tag in present:
            _single_attribute(interface, tag, "path")
    if "backenddomain" in present:
        _single_attribute(interface, "backenddomain", "name")
    source = first_child(interface, "source") if "source" in present else None
    if kind in SOURCE_READERS:
        _canonical_source(interface, kind, source)
    elif kind in ("vhostuser", "vds") and source is None:  # (their sources are kept as given)
        raise xml_error(api.VIR_FROM_DOMAIN, f"interface type='{kind}' requires a 'source' element")
    elif kind == "vhostuser" and source is not None:  # its socket: type unix, a path and a mode required
        source_type = _required(source, "type")
        if source_type != "unix":
            detail = f"Type='{source_type}' unsupported for <interface type='vhostuser'>"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
        _required(source, "path")
        prop_enum(source, "mode", ("server", "client"), required=True)
        reconnect = first_child(source, "reconnect") if len(source) else None
        # virDomainChrSourceReconnectDefParseXML: a timeout required when enabled
        enabled = prop_enum(reconnect, "enabled", ("yes", "no")) if reconnect is not None else None
        if enabled == "yes" and reconnect is not None and prop_uint(reconnect, "timeout") is None:
            raise missing_attribute("reconnect", "timeout")
    elif kind == "hostdev":  # the host device's type: its source address's, usb with a vendor
        address = first_child(source, "address") if source is not None else None
        typed = address is not None and address.get("type") is not None
        if not typed and (source is None or first_child(source, "vendor") is None):
            raise xml_error(api.VIR_FROM_DOMAIN, "missing source address type")
    for ip in children_of(interface, "ip") if "ip" in present else ():  # the guest side's addresses
        interface.replace(ip, canonical_ip(ip))
    for route in children_of(interface, "route") if "route" in present else ():  # and routes
        written_route = parse_route("guest interface", route)
        written_route.tail = route.tail
        interface.replace(route, written_route)
    if present.isdisjoint(_LATER_PARTS):
        return present  # (most interfaces) none of the parts below
    backend = first_child(interface, "backend")
    if backend is not None:
        if backend.get("type") is not None:
            _check_backend_type(backend.get("type", ""))
        _canonical_backend(interface, backend, kind != "hostdev" and model_name in VIRTIO_MODELS)
    coalesce = first_child(interface, "coalesce")
    if coalesce is not None:
        _canonical_coalesce(interface, coalesce)
    virtualport = first_child(interface, "virtualport")
    if virtualport is not None:
        if kind not in VIRTUALPORT_TYPES:
            detail = f"<virtualport> element unsupported for <interface type='{kind}'>"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
        strict = kind != "network"  # REQUIRE_TYPE and REQUIRE_ALL_ATTRIBUTES but for a network's
        written = parse_virtualport(virtualport, strict, generate_missing=True, complete=strict)
        if written is None:
            interface.remove(virtualport)
        else:
            interface.replace(virtualport, written)
    filterref = first_child(interface, "filterref")
    if filterref is not None and (kind not in FILTERREF_TYPES or filterref.get("filter") is None):
        interface.remove(filterref)  # (no filter named: no filter reference kept)
    elif filterref is not None:
        _canonical_filterref(interface, filterref)
    driver = first_child(interface, "driver")
    if driver is not None:
        if kind != "hostdev" and model_name in VIRTIO_MODELS:
            _check_virtio_net_driver(driver)
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
    if "vlan" in present:  # virNetDevVlanParse's refusals, written as virNetDevVlanFormat writes it
        vlan = first_child(interface, "vlan")
        interface.replace(vlan, parse_vlan(vlan))
    if "teaming" in present:  # virDomainNetTeamingInfoParseXML (string(./teaming/@type): empty is none)
        teaming = first_child(interface, "teaming")
        teaming_type = (teaming.get("type") or None) if teaming is not None else None
        if teaming is not None and teaming_type not in TEAMING_TYPES and (teaming_type or teaming.get("persistent")):
            detail = f"unknown teaming type '{teaming_type or '(null)'}'"
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
        if teaming is not None and teaming_type is None:
            interface.remove(teaming)  # neither read: no teaming, nothing written
        elif teaming is not None and teaming.get("persistent") == "":
            del teaming.attrib["persistent"]
    return present


# the parts canonical_interface_parts reads after the guest side's addresses
_LATER_PARTS = frozenset(("backend", "coalesce", "virtualport", "filterref", "driver", "vlan", "teaming"))


NET_MODEL_CHARACTERS = string.ascii_letters + string.digits + "_-"


FILTER_PARAMETER_NAME = re.compile(r"[A-Za-z0-9_]*")  # (as nwfilters reads a filter's own)
FILTER_PARAMETER_VALUE = re.compile(r"[A-Za-z0-9_.:]+")


def _canonical_filterref(interface: etree._Element, filterref: etree._Element) -> None:
    """A filter reference's parameters as virNWFilterParseParamAttributes keeps them (a name and
    a value of their characters, else skipped; a name given again adds a value) and
    virNWFilterFormatParamAttributes writes them (by name)."""
    values: dict[str, list[str]] = {}
    for parameter in filterref:
        if parameter.tag != "parameter":
            continue
        name, value = parameter.get("name"), parameter.get("value")
        if name is None or value is None:
            continue
        if FILTER_PARAMETER_NAME.fullmatch(name) and FILTER_PARAMETER_VALUE.fullmatch(value):
            values.setdefault(name, []).append(value)
    written = etree.Element("filterref", filter=filterref.get("filter", ""))
    for name in sorted(values):
        for value in values[name]:
            etree.SubElement(written, "parameter", name=name, value=value)
    written.tail = filterref.tail
    interface.replace(filterref, written)


def _single_attribute(interface: etree._Element, tag: str, name: str) -> str | None:
    """An element libvirt reads as string(./tag/@name) and writes with that attribute alone:
    the first such attribute's value, on one element, none when absent or empty."""
    found = children_of(interface, tag)
    if not found:
        return None
    if len(found) == 1 and not len(found[0]) and found[0].keys() == [name]:  # (the common case)
        value = found[0].get(name) or None
        if value is None:  # empty: absent
            interface.remove(found[0])
        return value
    value = next((element.get(name) for element in found if element.get(name) is not None), None) or None
    if len(found) == 1 and (value is None or found[0].attrib.keys() == [name]) and not len(found[0]):
        if value is None:
            interface.remove(found[0])
        return value  # (the common case: as written)
    for element in found[1:]:
        interface.remove(element)
    if value is None:
        interface.remove(found[0])
    else:
        written = etree.Element(tag, {name: value})
        written.tail = found[0].tail
        interface.replace(found[0], written)
    return value


def _interface_attributes(interface: etree._Element, kind: str) -> None:
    """The type, managed (a host device's, only 'yes': an unreadable value is ignored, as
    virDomainHostdevDefParseXMLSubsys ignores it) and trustGuestRxFilters, in that order."""
    managed = interface.get("managed") if kind == "hostdev" else None
    trust = prop_enum(interface, "trustGuestRxFilters", ("yes", "no"))
    interface.attrib.clear()
    interface.set("type", kind)
    if managed == "yes":
        interface.set("managed", managed)
    if trust is not None:
        interface.set("trustGuestRxFilters", trust)


def _network_source(source: etree._Element) -> dict[str, str]:
    written = {"network": _required(source, "network")}
    if source.get("portgroup") is not None:
        written["portgroup"] = source.get("portgroup", "")
    return written  # (portid is the port a running domain holds, not part of a definition)


def _direct_source(source: etree._Element) -> dict[str, str]:
    dev = _required(source, "dev")
    mode = prop_enum(source, "mode", MACVLAN_MODES) or "vepa"
    return {"dev": dev, "mode": mode}


def _socket_source(source: etree._Element, kind: str) -> dict[str, str]:
    written = {}
    if kind != "server" or source.get("address") is not None:
        written["address"] = _required(source, "address")
    written["port"] = str(_required_int(source, "port"))
    return written


# virDomainNetDefParseXML: what each interface type reads from its <source> (each requires
# one), as virDomainNetDefFormat writes it back; a user-mode interface reads only a dev that
# is written for the passt backend, which this libvirtd refuses
SOURCE_READERS: dict[str, Callable[[etree._Element], dict[str, str]] | None] = {
    "network": _network_source,
    "bridge": lambda source: {"bridge": _required(source, "bridge")},
    "direct": _direct_source,
    "internal": lambda source: {"name": _required(source, "name")},
    "vdpa": lambda source: {"dev": _required(source, "dev")},
    "server": partial(_socket_source, kind="server"),
    "client": partial(_socket_source, kind="client"),
    "mcast": partial(_socket_source, kind="mcast"),
    "udp": partial(_socket_source, kind="udp"),
    "ethernet": None,
    "user": None,
}
MACVLAN_MODES = ("vepa", "private", "bridge", "passthrough")
NET_TYPES = (
    *("user", "ethernet", "vhostuser", "server", "client", "mcast", "network", "bridge"),
    *("internal", "direct", "hostdev", "udp", "vdpa", "null", "vds"),
)


def _required(element: etree._Element, name: str) -> str:
    value = element.get(name)
    if value is None:
        raise missing_attribute(element.tag, name)
    return value


def _required_int(element: etree._Element, name: str) -> int:
    value = prop_int(element, name)
    if value is None:
        raise missing_attribute(element.tag, name)
    return value


def _canonical_source(interface: etree._Element, kind: str, source: etree._Element | None) -> None:
    """The <source> of the interface types SOURCE_READERS names: its attributes as the type
    reads them, a udp socket's <local>, then the host-side <ip> and <route> elements."""
    reader = SOURCE_READERS[kind]
    if reader is not None and source is None:
        raise xml_error(api.VIR_FROM_DOMAIN, f"interface type='{kind}' requires a 'source' element")
    if source is None:
        return
    attributes = reader(source) if reader is not None else {}
    if not len(source) and source.text is None and kind != "udp":  # (most) no local, ip or route
        if not attributes:
            interface.remove(source)
        elif source.items() != list(attributes.items()):  # (else left as it is: an element costs more)
            source.attrib.clear()
            source.attrib.update(attributes)
        return
    written = etree.Element("source", attributes)
    if kind == "udp":
        local = first_child(source, "local")
        if local is None:
            raise xml_error(api.VIR_FROM_DOMAIN, "'<local>' element missing for 'udp' socket interface")
        address = _required(local, "address")
        etree.SubElement(written, "local", address=address, port=str(_required_int(local, "port")))
    ips = [canonical_ip(child) for child in children_of(source, "ip")]
    routes = [parse_route("interface host IP", child) for child in children_of(source, "route")]
    written.extend(ips + routes)  # (all addresses, then all routes)
    written.tail = source.tail
    if len(written) or written.attrib:
        interface.replace(source, written)
    else:
        interface.remove(source)


IP_FAMILIES = {"ipv4": socket.AF_INET, "ipv6": socket.AF_INET6}


def _numeric_family(address: str) -> int | None:
    try:
        return socket.getaddrinfo(address, None, socket.AF_UNSPEC, 0, 0, socket.AI_NUMERICHOST)[0][0]
    except socket.gaierror:
        return None


def canonical_ip(ip: etree._Element) -> etree._Element:
    """virDomainNetIPParseXML and virDomainNetIPInfoFormat: an interface's (or its source's)
    address in getnameinfo's form with its family, a prefix only when not 0, a peer."""
    address = ip.get("address")
    if address is None:
        raise xml_error(api.VIR_FROM_DOMAIN, "Missing required address in <ip>")
    family = IP_FAMILIES.get(ip.get("family", "")) or _numeric_family(address)
    try:
        if family is None:
            raise LibvirtError(0, 0, None)
        written = etree.Element("ip", address=parse_address(address, family))
    except LibvirtError:  # (virSocketAddrParse's own error, replaced)
        raise xml_error(api.VIR_FROM_DOMAIN, f"Invalid address '{address}' in <ip>") from None
    written.set("family", "ipv6" if family == socket.AF_INET6 else "ipv4")
    prefix_text = ip.get("prefix")
    if prefix_text is not None:
        prefix = strtoul_wrapping(prefix_text, 10)
        if prefix is None or prefix > (128 if family == socket.AF_INET6 else 32):
            raise xml_error(api.VIR_FROM_DOMAIN, f"Invalid prefix value '{prefix_text}' in <ip>")
        if prefix:
            written.set("prefix", str(prefix))
    peer = ip.get("peer")
    if peer is not None:
        try:
            written.set("peer", parse_address(peer, family))
        except LibvirtError:
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, f"Invalid peer '{peer}' in <ip>") from None
    written.tail = ip.tail
    return written


def _canonical_backend(interface: etree._Element, backend: etree._Element, virtio: bool) -> None:
    """virDomainNetBackendParseXML and its format: tap and (for a virtio model, not on a host
    device) vhost as sanitized paths, then logFile; nothing else, no element when empty."""
    written = {}
    for name in ("tap", "vhost", "logFile"):
        value = backend.get(name)
        if value is not None and (name != "vhost" or virtio):
            written[name] = value if name == "logFile" else sanitize_path(value)
    _replace_with(interface, backend, etree.Element("backend", written) if written else None)


def _canonical_coalesce(interface: etree._Element, coalesce: etree._Element) -> None:
    """virDomainNetDefCoalesceParseXML: the first <coalesce>'s rx frames maximum, an unsigned
    32-bit number, written only when not 0, alone in its canonical shape; later ones ignored."""
    # string(./rx/frames/@max): the first such attribute in document order
    maxima = (frames.get("max") for rx in children_of(coalesce, "rx") for frames in children_of(rx, "frames"))
    text = next((value for value in maxima if value is not None), None)
    maximum = 0
    if text:  # (empty is absent)
        value = strtoul_whole(text, 10, ULLONG_MAX)
        if value is None:
            detail = f"cannot parse value '{text}' for coalesce parameter"
            raise report(api.VIR_ERR_XML_DETAIL, api.VIR_FROM_DOMAIN, detail)
        if value > UINT_MAX:
            detail = f"value '{value}' is too big for coalesce parameter, maximum is '{UINT_MAX}'"
            raise report(api.VIR_ERR_OVERFLOW, api.VIR_FROM_DOMAIN, detail)
        maximum = value
    written = None
    if maximum:
        written = etree.Element("coalesce")
        etree.SubElement(etree.SubElement(written, "rx"), "frames", max=str(maximum))
    for later in children_of(interface, "coalesce")[1:]:
        interface.remove(later)
    _replace_with(interface, coalesce, written)


def _replace_with(parent: etree._Element, old: etree._Element, new: etree._Element | None) -> None:
    if new is None:
        parent.remove(old)
    else:
        new.tail = old.tail
        parent.replace(old, new)


NET_DRIVER_NAMES = ("qemu", "vhost")  # virDomainNetDriver, NONZERO
NET_TX_MODES = ("iothread", "timer")  # virDomainNetVirtioTxMode, NONZERO
HOST_OFFLOADS = ("csum", "gso", "tso4", "tso6", "ecn", "ufo", "mrg_rxbuf")
GUEST_OFFLOADS = ("csum", "tso4", "tso6", "ecn", "ufo")


def _check_virtio_net_driver(driver: etree._Element) -> None:
    """virDomainNetDefParseXMLDriver for a virtio interface, in its order: the virtio options,
    the backend's name, the TX mode, the switches and sizes, then the host and guest offloads."""
    if len(driver.attrib):
        for name in VIRTIO_OPTIONS:
            prop_enum(driver, name, ("on", "off"))
        prop_enum(driver, "name", NET_DRIVER_NAMES)
        prop_enum(driver, "txmode", NET_TX_MODES)
        prop_enum(driver, "ioeventfd", ("on", "off"))
        prop_enum(driver, "event_idx", ("on", "off"))
        for name in VIRTIO_NET_UNSIGNED:
            _check_unsigned(driver, name)
        prop_enum(driver, "rss", ("on", "off"))
        prop_enum(driver, "rss_hash_report", ("on", "off"))
    if len(driver):
        for tag, names in (("host", HOST_OFFLOADS), ("guest", GUEST_OFFLOADS)):
            offloads = first_child(driver, tag)
            for name in names if offloads is not None else ():
                prop_enum(offloads, name, ("on", "off"))


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


# the interface types a <port isolated='yes'/> is allowed on (a network's is checked at its start)
ISOLATED_PORT_TYPES = ("network", "bridge")
_VALIDATED_PARTS = frozenset(("source", "port", "driver", "teaming"))


# The faults validate_interfaces reports, found while the interfaces are read (where their parts
# are known at no cost) and held until the point where libvirt validates, by the interface's
# identity, with the element itself (kept alive, so that identity stays its own). Per thread
# (a document is read and validated in one) and for the document being read only:
# canonical_definition drops the last one's at its start, so a definition refused before its
# validation leaves nothing behind.
_HELD = threading.local()


def forget_held_faults() -> None:
    """A new document's reading begins: the previous one's faults are of no use any more."""
    _HELD.faults = None


def hold_validation_fault(interface: etree._Element) -> None:
    """For an interface that may be refused (a port, a driver, host-side addresses or
    vhost-user): its first refusal by virDomainNetDefValidate, held for validate_interfaces."""
    fault = _validation_fault(interface)
    if fault is None:
        return
    faults: dict[int, tuple[etree._Element, LibvirtError]] | None = getattr(_HELD, "faults", None)
    if faults is None:
        faults = _HELD.faults = {}
    faults[id(interface)] = (interface, fault)


def validate_interfaces(interfaces: list[etree._Element]) -> None:
    """virDomainNetDefValidate, in the interfaces' order: the first fault held for them."""
    faults: dict[int, tuple[etree._Element, LibvirtError]] | None = getattr(_HELD, "faults", None)
    if not faults:  # (nearly always)
        return
    for interface in interfaces:
        entry = faults.get(id(interface))
        if entry is not None and entry[0] is interface:
            raise entry[1]


TEAMING_TYPES = ("persistent", "transient")  # virDomainNetTeaming without 'none'


def _validation_fault(interface: etree._Element) -> LibvirtError | None:
    """virDomainNetDefValidate's first refusal of the interface as written: host-side addresses
    and routes (ethernet only), an isolated port, the virtio options of another model, a
    vhost-user interface's model."""
    kind = interface.get("type", "user")
    source = port = driver = teaming = None
    for child in interface[:]:
        tag = child.tag
        if tag not in _VALIDATED_PARTS:
            continue
        if tag == "source":
            source = child if source is None else source
        elif tag == "port":
            port = child if port is None else port
        elif tag == "teaming":
            teaming = child if teaming is None else teaming
        elif driver is None:
            driver = child
    if (
        source is not None
        and len(source)
        and kind != "ethernet"
        and (first_child(source, "ip") is not None or first_child(source, "route") is not None)
    ):
        detail = (
            "Invalid attempt to set network interface host-side IP route and/or address info on "
            f"interface of type '{kind}'. This is only supported on interfaces of type 'ethernet'"
        )
        return report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    teaming_type = teaming.get("type") if teaming is not None else None
    if teaming_type in TEAMING_TYPES:  # (an empty persistent attribute is none: string(./teaming/@persistent))
        persistent = bool(teaming.get("persistent")) if teaming is not None else False
        if teaming_type == "transient" and not persistent:
            detail = "teaming persistent attribute must be set if teaming type is 'transient'"
            return report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
        if teaming_type == "persistent" and persistent:
            detail = "teaming persistent attribute not allowed if teaming type is 'persistent'"
            return report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    if port is not None and port.get("isolated") == "yes" and kind not in ISOLATED_PORT_TYPES:
        mac = first_child(interface, "mac")
        raw = parse_mac(mac.get("address", "")) if mac is not None else None
        detail = (
            f"interface {mac_text(raw) if raw is not None else '(null)'} - <port isolated='yes'/> is not "
            f"supported for network interfaces with type='{kind}'"
        )
        return report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    model = first_child(interface, "model")
    virtio = model is not None and model.get("type") in VIRTIO_MODELS
    fault = virtio_option_fault(driver) if driver is not None and not virtio else None
    if fault is not None:
        return fault
    if kind == "vhostuser" and not virtio:
        detail = (
            "Wrong or no <model> 'type' attribute specified with <interface type='vhostuser'/>. "
            "vhostuser requires the virtio-net* frontend"
        )
        return report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, detail)
    return None
