"""Devices of a domain definition as libvirt reads and writes them: character devices and
every other holder of a character device source (smartcard passthrough, USB redirection, the
EGD random number backend), graphics and video (virDomainChrSourceDefParseXML/Format,
virDomainGraphicsDefParseXML/Format, virDomainVideoDefParseXML in domain_conf.c, their post-parse
defaults in domain_postparse.c and checks in domain_validate.c).

Hooks: canonical_character_devices, canonical_chr_holders, canonical_graphics and
canonical_video while the definition is read (from domain_definition._canonical_devices);
validate_devices after it (from domain_definition.validate_definition)."""

from __future__ import annotations

import copy
import datetime
import re
import socket
import uuid
from collections.abc import Callable, Iterable

from lxml import etree

from virtrio.drivers.libvirt_rules import (
    UINT_MAX,
    ULLONG_MAX,
    as_c_int,
    enum_error,
    missing_attribute,
    parse_scaled_value,
    parse_uuid,
    prop_enum,
    prop_int,
    prop_uint,
    strtol_whole,
    strtoul_whole,
    strtoul_wrapping,
)
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from . import domain_security
from .definition_order import DEVICE_INFO_TAIL
from .domain_addresses import pci_values, usb_port
from .domain_errors import config_unsupported as _unsupported
from .domain_errors import domain_internal_error as _internal
from .domain_errors import domain_xml_error as _xml_error
from .domain_interfaces import VIRTIO_OPTIONS, virtio_option_fault
from .xml_tree import (
    child,
    children_in_order,
    children_of,
    first_child,
    make_element,
    rank_of,
    reorder_attributes,
    reorder_known,
    text_of,
)

CHR_CHILD_ORDER = ["source", "protocol", "log", "target", *DEVICE_INFO_TAIL]
CHR_CHILD_RANK = rank_of(CHR_CHILD_ORDER)
CHR_TARGET_ATTRIBUTES = ["type", "name", "address", "port"]
CHR_TCP_PROTOCOLS = ("raw", "telnet", "telnets", "tls")  # virDomainChrTcpProtocol
SOURCE_MODES = ("connect", "bind")
MOUSE_MODES = ("server", "client")  # virDomainMouseMode without its zero, 'default'
# the source elements virDomainChrSourceDefFormat writes (with protocol and log)
CHR_SOURCE_TAGS = ("source", "protocol", "log")
CHR_SOURCE_HOLDER_ORDER = [*CHR_SOURCE_TAGS, *DEVICE_INFO_TAIL]  # (one list: its ranks found at once)
REDIRDEV_ATTRIBUTE_ORDER = ["bus", "type"]
RNG_CHILD_ORDER = ["rate", "backend", "driver", *DEVICE_INFO_TAIL]
SHMEM_CHILD_ORDER = ["model", "size", "server", "msi", *DEVICE_INFO_TAIL]
# Serial ports an HVM guest's first console stands for (not PCI, USB or ISA debug ones)
CONSOLE_STUB_SERIAL_TYPES = {None, "isa-serial", "spapr-vio-serial", "system-serial", "sclp-serial"}


def _required(element: etree._Element, name: str) -> Exception:
    return missing_attribute(element.tag, name)


def _enum(element: etree._Element, name: str, values: tuple[str, ...], required: bool = False) -> str | None:
    """virXMLPropEnum/Tristate*: one of the values, or None when absent."""
    return prop_enum(element, name, values, required)


def _unsigned(element: etree._Element, name: str) -> str:
    """virXMLPropUInt (base 10, required): the number as libvirt writes it back."""
    value = prop_uint(element, name)
    if value is None:
        raise _required(element, name)
    return str(value)


# --- character device sources -----------------------------------------------------------


def _reconnect(source: etree._Element) -> etree._Element | None:
    """virDomainChrSourceReconnectDefParseXML: <reconnect enabled=… timeout=…/> as written."""
    found = first_child(source, "reconnect")
    if found is None:
        return None
    enabled = _enum(found, "enabled", ("yes", "no"))
    if enabled is None:
        return None
    written = make_element("reconnect", enabled=enabled)
    if enabled == "yes":
        written.set("timeout", _unsigned(found, "timeout"))
    return written


def _path_source(source: etree._Element, with_labels: bool, **attributes: str | None) -> etree._Element | None:
    """A source written with the attributes given (those set) and its labels: nothing when
    both are empty (virXMLFormatElement)."""
    written = make_element("source", **{name: value for name, value in attributes.items() if value is not None})
    if with_labels:
        for label in children_of(source, "seclabel"):
            written.append(label)
        domain_security.device_seclabels(written)
    return written if len(written.attrib) or len(written) else None


def canonical_chr_source(holder: etree._Element, kind: str, with_labels: bool) -> None:
    """The source, protocol and log children of a character device source's holder as
    virDomainChrSourceDefFormat writes what virDomainChrSourceDefParseXML kept (a
    definition: parse flag INACTIVE); they come first among the holder's children. The
    source's own labels are kept only for character devices (with_labels)."""
    if not len(holder) and kind != "tcp":
        return  # none of the three to read, and only a TCP source is written without them
    found_by_tag: dict[object, list[etree._Element]] = {"source": [], "log": [], "protocol": []}
    for found in holder[:]:  # one pass for the three (a list: cheaper than a three-tag iterator)
        found_list = found_by_tag.get(found.tag)
        if found_list is not None:
            found_list.append(found)
    sources, logs, protocols = found_by_tag["source"], found_by_tag["log"], found_by_tag["protocol"]
    if not (sources or logs or protocols) and kind != "tcp":
        return  # (most pty and similar devices) nothing read, nothing written
    if len(sources) > 1 and kind != "udp":
        raise _xml_error("only one source element is allowed for character device")
    if len(sources) > 2:
        raise _xml_error("only two source elements are allowed for character device")
    if len(logs) > 1:
        raise _xml_error("only one log element is allowed for character device")
    source = sources[0] if sources else None
    written: list[etree._Element] = []
    tcp_protocol = "raw"
    if source is not None and kind in ("file", "dev", "pipe"):
        append = _enum(source, "append", ("on", "off")) if kind == "file" else None
        found = _path_source(source, with_labels, path=source.get("path"), append=append)
        written += [found] if found is not None else []
    elif kind == "unix" and source is not None:
        mode = _enum(source, "mode", SOURCE_MODES) or "connect"
        reconnect = _reconnect(source)
        if source.get("path") is not None:
            found = _path_source(source, with_labels, mode=mode, path=source.get("path"))
            assert found is not None
            if reconnect is not None:
                found.append(reconnect)
            written.append(found)
    elif kind == "udp":
        ends: dict[str, etree._Element] = {}
        for found in sources:
            mode = _enum(found, "mode", SOURCE_MODES) or "connect"
            if mode not in ends and (found.get("host") is not None or found.get("service") is not None):
                ends[mode] = make_element("source", mode=mode)
                for name in ("host", "service"):
                    if found.get(name) is not None:
                        ends[mode].set(name, found.get(name))
        written += [ends[mode] for mode in ("bind", "connect") if mode in ends]
    elif kind == "tcp":
        mode = (_enum(source, "mode", SOURCE_MODES) if source is not None else None) or "connect"
        found = make_element("source", mode=mode)
        if source is not None:
            for name in ("host", "service"):
                if source.get(name) is not None:
                    found.set(name, source.get(name))
            tls = _enum(source, "tls", ("yes", "no"))
            if tls is not None:
                found.set("tls", tls)
            reconnect = _reconnect(source)
            if reconnect is not None:
                found.append(reconnect)
        written.append(found)
    elif kind in ("spiceport", "dbus") and source is not None and source.get("channel") is not None:
        written.append(make_element("source", channel=source.get("channel")))
    elif kind == "nmdm" and source is not None:
        found = make_element("source")
        for name in ("master", "slave"):
            if source.get(name) is not None:
                found.set(name, source.get(name))
        written.append(found)
    elif kind == "qemu-vdagent" and source is not None:
        found = make_element("source")
        clipboard, mouse = first_child(source, "clipboard"), first_child(source, "mouse")
        if clipboard is not None:
            child(found, "clipboard", copypaste=str(_enum(clipboard, "copypaste", ("yes", "no"), required=True)))
        if mouse is not None:
            mode = mouse.get("mode")
            if mode is None:
                raise _required(mouse, "mode")
            if mode not in MOUSE_MODES:
                raise enum_error("mouse", "mode", mode)
            child(found, "mouse", mode=mode)
        written += [found] if len(found) else []
    if len(protocols) > 1:
        raise _xml_error("only one protocol element is allowed for character device")
    if protocols and kind == "tcp" and protocols[0].get("type") is not None:
        tcp_protocol = protocols[0].get("type", "")
        if tcp_protocol not in CHR_TCP_PROTOCOLS:
            raise _unsupported(f"Unknown protocol '{tcp_protocol}'")
    if kind == "tcp":
        written.append(make_element("protocol", type=tcp_protocol))
    if logs and logs[0].get("file") is not None:
        log = make_element("log", file=logs[0].get("file", ""))
        append = _enum(logs[0], "append", ("on", "off"))
        if append is not None:
            log.set("append", append)
        written.append(log)
    for old in [*sources, *logs, *protocols]:
        holder.remove(old)
    for position, element in enumerate(written):
        holder.insert(position, element)


CHANNEL_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


# the character device types whose source validate_chr_source checks
_CHR_KINDS_VALIDATED = frozenset(("file", "dev", "pipe", "nmdm", "tcp", "udp", "unix", "spiceport", "dbus"))


def validate_chr_source(holder: etree._Element, kind: str, channel_target: str | None = None) -> None:
    """virDomainChrSourceDefValidate on the source as written: what each type needs
    (channel_target: a channel's target type, whose UNIX socket path may be generated)."""
    if kind not in _CHR_KINDS_VALIDATED:
        return  # (a pty, most devices) nothing of its source to check
    sources = children_of(holder, "source")
    source = sources[0] if sources else None

    def attribute(name: str) -> str | None:
        return source.get(name) if source is not None else None

    if kind in ("file", "dev", "pipe") and attribute("path") is None:
        raise _internal("Missing source path attribute for char device")
    if kind == "nmdm" and (attribute("master") is None) != (attribute("slave") is None):
        raise _internal("Should define both master and slave path attributes for nmdm device")
    if kind == "tcp":
        if attribute("host") is None:
            raise _internal("Missing source host attribute for char device")
        if attribute("service") is None:
            raise _internal("Missing source service attribute for char device")
    if kind == "udp" and not any(
        found.get("mode") == "connect" and found.get("service") is not None for found in sources
    ):
        raise _internal("Missing source service attribute for char device")
    if kind == "unix" and attribute("path") is None and channel_target not in ("xen", "virtio"):
        raise _internal("Missing source path attribute for char device")
    if kind in ("tcp", "unix") and attribute("mode") == "bind" and source is not None:
        reconnects = any(found.get("enabled") == "yes" for found in source.iterchildren("reconnect"))
    else:
        reconnects = False  # not looked for: it matters only for a bound TCP or UNIX socket
    if reconnects:
        raise _internal("chardev reconnect is possible only for connect mode")
    if kind in ("spiceport", "dbus"):
        name = attribute("channel")
        if name is None:
            raise _unsupported("Missing source channel attribute for char device")
        if not set(name) <= CHANNEL_NAME_CHARACTERS:
            detail = "Invalid character in source channel for char device"
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, detail)


def canonical_chr_holders(by_kind: dict[str, list[etree._Element]]) -> None:
    """The character device sources of smartcards in passthrough mode, USB redirections and
    EGD random number backends (their sources' labels are not read)."""
    for smartcard in by_kind.get("smartcard", ()):
        _check_smartcard(smartcard)
        if smartcard.get("mode") == "passthrough":
            canonical_chr_source(smartcard, smartcard.get("type", ""), with_labels=False)
    for redirdev in by_kind.get("redirdev", ()):
        bus, kind = redirdev.get("bus"), redirdev.get("type")
        if bus is not None and bus != "usb":
            raise _unsupported(f"unknown redirdev bus '{bus}'")
        if kind is None:
            raise _internal("missing type in redirdev")
        if kind not in CHR_TYPES:
            raise _unsupported(f"unknown redirdev character device type '{kind}'")
        canonical_chr_source(redirdev, kind, with_labels=False)
        check_device_address(redirdev)
        redirdev.set("bus", "usb")  # the only bus, written always
        reorder_attributes(redirdev, REDIRDEV_ATTRIBUTE_ORDER)
        if kind == "dbus" and first_child(redirdev, "source") is None:  # the channel libvirt names
            redirdev.insert(0, make_element("source", channel="org.qemu.usbredir"))
        reorder_known_tail(redirdev)
    for rng in by_kind.get("rng", ()):
        backend = _check_rng(rng)
        if backend.get("model") == "egd":
            canonical_chr_source(backend, backend.get("type", ""), with_labels=False)


RNG_MODELS = ("virtio", "virtio-transitional", "virtio-non-transitional")
RNG_BACKENDS = ("random", "egd", "builtin")


def _check_rng(rng: etree._Element) -> etree._Element:
    """virDomainRNGDefParseXML's checks; the one backend."""
    model = rng.get("model")
    if model is None:
        raise _xml_error("missing RNG device model")
    if model not in RNG_MODELS:
        raise _unsupported(f"unknown RNG model '{model}'")
    rate = first_child(rng, "rate")
    if rate is not None:  # virXPathUInt of each: an empty value is no value
        values: dict[str, int] = {}
        for name in ("bytes", "period"):
            value = rate.get(name)
            if value and strtoul_whole(value, 10) is None:
                raise _xml_error(f"invalid RNG rate {name} value")
            values[name] = strtoul_whole(value, 10) or 0 if value else 0
            if not values["bytes"]:
                break  # the period is read only with a rate
        for extra in children_of(rng, "rate")[1:]:
            rng.remove(extra)
        if values["bytes"]:  # written with its rate only, the period when set
            rate.attrib.clear()
            rate.set("bytes", str(values["bytes"]))
            if values.get("period"):
                rate.set("period", str(values["period"]))
        else:
            rng.remove(rate)
    backends = children_of(rng, "backend")
    if len(backends) != 1:
        raise _xml_error("only one RNG backend is supported")
    backend_model = backends[0].get("model")
    if backend_model is None:
        raise _xml_error("missing RNG device backend model")
    if backend_model not in RNG_BACKENDS:
        raise _unsupported(f"unknown RNG backend model '{backend_model}'")
    if backend_model == "egd":
        kind = backends[0].get("type")
        if kind is None:
            raise _xml_error("missing EGD backend type")
        if kind not in CHR_TYPES:
            raise _unsupported(f"unknown backend type '{kind}' for egd")
    driver = _virtio_driver(rng)
    if driver is not None:
        rng.append(driver)  # after the backend, before the device's address (ordered below)
        reorder_known(rng, RNG_CHILD_ORDER)
    return backends[0]


SMARTCARD_MODES = ("host", "host-certificates", "passthrough")


def _check_smartcard(smartcard: etree._Element) -> None:
    """virDomainSmartcardDefParseXML's checks of each mode."""
    mode = _enum(smartcard, "mode", SMARTCARD_MODES, required=True)
    if mode != "passthrough":  # only passthrough reads more than the mode (its source's type)
        for name in [name for name in smartcard.attrib if name != "mode"]:
            del smartcard.attrib[name]
    if mode == "host-certificates":
        if len(children_of(smartcard, "certificate")) != 3:
            raise _xml_error("host-certificates mode needs exactly three certificates")
        for extra in children_of(smartcard, "database")[1:]:  # the first is read
            smartcard.remove(extra)
        database = first_child(smartcard, "database")
        text = "".join(database.itertext()) if database is not None else ""
        if database is not None and text and not text.startswith("/"):
            raise _xml_error(f"expecting absolute path: {text}")
    elif mode == "passthrough":
        kind = smartcard.get("type")
        if kind is None:
            raise _xml_error("passthrough mode requires a character device type attribute")
        if kind not in CHR_TYPES:
            raise _unsupported(f"unknown type presented to host for character device: {kind}")


def reorder_known_tail(device: etree._Element) -> None:
    """A device whose children are its source's and then virDomainDeviceInfoFormat's."""
    reorder_known(device, CHR_SOURCE_HOLDER_ORDER)


def read_character_devices(by_kind: dict[str, list[etree._Element]]) -> None:
    """Serial, parallel, console and channel devices as the parser reads them: type, target
    and source checked and rewritten as libvirt writes them."""
    for kind in ("parallel", "serial", "console", "channel"):  # the parser's order
        if kind not in by_kind:
            continue  # (most definitions have none of most of these)
        for position, device in enumerate(by_kind[kind]):
            if device.get("tty") is not None:
                del device.attrib["tty"]
            given_type = device.get("type")
            chr_type = "pty" if given_type is None else given_type
            if chr_type not in CHR_TYPES:
                raise _unsupported(f"unknown type presented to host for character device: {chr_type}")
            if given_type is None:  # (a type given is kept, in its place)
                device.set("type", chr_type)
            target_index = _chr_target(device, kind)
            canonical_chr_source(device, chr_type, with_labels=True)
            if chr_type == "spicevmc" and target_index != SPICEVMC_TARGET_INDEX:
                raise _unsupported("spicevmc device type only supports virtio")
            address = check_device_address(device)  # its device info, read after the source
            usb_serial = kind == "serial" and target_index == USB_SERIAL_INDEX
            if usb_serial and address is not None and address.get("type") != "usb":
                raise _unsupported("usb-serial requires address of usb type")
            if kind == "console":
                _target(device).set("port", str(position))  # a console's port is its place in the document
            if not children_in_order(device, CHR_CHILD_RANK):
                reorder_known(device, CHR_CHILD_ORDER)


def canonical_character_devices(
    by_kind: dict[str, list[etree._Element]], devices: etree._Element, os_type: str
) -> None:
    """After the parse (read_character_devices): ports numbered, consoles' target types, and
    an HVM guest's first console an alias of its first serial port (virDomainDefAddConsoleCompat)."""
    if "parallel" not in by_kind and "serial" not in by_kind and "console" not in by_kind:
        return  # (most definitions) none of these: nothing numbered, nothing implied
    _number_ports(by_kind.get("parallel", []), serial=False)
    _number_ports(by_kind.get("serial", []), serial=True)  # ISA serial ports' checks come first
    for serial in by_kind.get("serial", ()):  # virDomainChrDefPostParse
        if _target(serial).get("type") == "isa-debug" and guest_of(devices)[0] not in X86_ARCHES:
            raise _unsupported("isa-debug serial type only valid on x86 architecture")
    for console in by_kind.get("console", ()):
        target = _target(console)
        if target.get("type") is None:
            target.set("type", "serial")
            reorder_attributes(target, CHR_TARGET_ATTRIBUTES)
    if any(_target(console).get("type") == "serial" for console in by_kind.get("console", [])[1:]):
        raise _unsupported("Only the first console can be a serial port")
    consoles, serials = by_kind.get("console", []), by_kind.setdefault("serial", [])
    first_console_is_serial = consoles and _target(consoles[0]).get("type") in (None, "serial")
    if os_type == "hvm" and first_console_is_serial:
        if not serials:
            serial = etree.fromstring(etree.tostring(consoles[0]))
            serial.tag = "serial"
            _target(serial).attrib.pop("type", None)
            serials.append(serial)
        _target(consoles[0]).set("type", "serial")
    elif (
        os_type == "hvm"
        and serials
        and not (consoles and _target(consoles[0]).get("type") == "serial")
        and _target(serials[0]).get("type") in CONSOLE_STUB_SERIAL_TYPES
    ):
        console = make_element("console", type=serials[0].get("type", "pty"))
        child(console, "target", type="serial", port="0")
        by_kind.setdefault("console", []).insert(0, console)
    elif consoles and _target(consoles[0]).get("type") is None:
        _target(consoles[0]).set("type", "serial")
    consoles = by_kind.get("console", [])
    for position, console in enumerate(consoles):
        target = _target(console)
        if os_type == "hvm" and position < len(serials) and target.get("type") in (None, "serial", "none"):
            # virDomainDefFormat writes such a console as the serial port of its place: its
            # source, port and address
            console = consoles[position] = copy.deepcopy(serials[position])
            console.tag = "console"
            target = _target(console)
            port = target.get("port", "0")
            target.attrib.clear()
            for model in list(target):
                target.remove(model)
            target.set("type", "serial")
            target.set("port", port)
        reorder_attributes(target, CHR_TARGET_ATTRIBUTES)


MAX_ISA_SERIAL_PORTS = 4


def _number_ports(devices: list[etree._Element], serial: bool) -> None:
    """Ports of parallel and serial ports left without one: a parallel port's is one past the
    highest before it (the parser); ISA serial ports take the first free of their four
    (virDomainChrIsaSerialDefPostParse), other serial ports one past the highest of all
    (virDomainChrDefPostParse)."""
    if not devices:
        return  # (most definitions: no parallel port, often no serial one)
    targets = [_target(device) for device in devices]  # each looked up once
    ports: list[int | None] = []
    for target in targets:
        text = target.get("port")  # a number once the target is read (_chr_target)
        ports.append(int(text) if text is not None else None)
    if serial:
        used: set[int] = set()
        isa = [position for position, target in enumerate(targets) if target.get("type") == "isa-serial"]
        for count, position in enumerate(isa):
            port = ports[position]
            if count >= MAX_ISA_SERIAL_PORTS or (port is not None and port >= MAX_ISA_SERIAL_PORTS):
                raise _internal(f"Maximum supported number of ISA serial ports is '{MAX_ISA_SERIAL_PORTS}'")
            if port is not None:
                if port in used:
                    raise _internal(f"target port '{port}' already allocated")
                used.add(port)
        for position in isa:
            if ports[position] is None:
                ports[position] = next(port for port in range(MAX_ISA_SERIAL_PORTS) if port not in used)
                used.add(int(ports[position] or 0))
    # one pass (a document may hold many): a serial port's is past the highest of all, set
    # or given; a parallel port's past the highest before it
    highest = max((port for port in ports if port is not None), default=-1) if serial else -1
    for position, port in enumerate(ports):
        if port is None:
            port = ports[position] = highest + 1
        highest = max(highest, port)
        targets[position].set("port", str(port))


CHR_TYPES = (
    "null",
    "vc",
    "pty",
    "dev",
    "file",
    "pipe",
    "stdio",
    "udp",
    "tcp",
    "unix",
    "spicevmc",
    "spiceport",
    "nmdm",
    "qemu-vdagent",
    "dbus",
)
CHR_TARGET_TYPES = {  # virDomainChr*Target, their zero value first
    "serial": (
        "none",
        "isa-serial",
        "usb-serial",
        "pci-serial",
        "spapr-vio-serial",
        "system-serial",
        "sclp-serial",
        "isa-debug",
    ),
    "channel": ("none", "guestfwd", "virtio", "xen"),
    "console": ("none", "serial", "xen", "uml", "virtio", "lxc", "openvz", "sclp", "sclplm"),
}
SERIAL_TARGET_MODELS = (
    "none",
    "isa-serial",
    "usb-serial",
    "pci-serial",
    "spapr-vty",
    "pl011",
    "sclpconsole",
    "sclplmconsole",
    "16550a",
    "isa-debugcon",
)
# the parser compares a device's target type with the channel's 'virtio' by number, whatever the
# device: 2 is also a serial port's usb-serial and a console's xen
SPICEVMC_TARGET_INDEX = 2
USB_SERIAL_INDEX = 2


def _port_number(text: str) -> int:
    """virStrToLong_ui, its value kept in an int as the parser does ('-1': not set)."""
    value = strtoul_wrapping(text, 10)
    if value is None:
        raise _xml_error(f"Invalid port number: {text}")
    return as_c_int(value)


def _chr_target(device: etree._Element, kind: str) -> int:
    """virDomainChrDefParseTargetXML: the device's (first) target checked and rewritten as
    virDomainChrTargetDefFormat writes it; returns the target type's number."""
    targets = children_of(device, "target")
    target = targets[0] if targets else None
    for extra in targets[1:]:
        device.remove(extra)
    type_text = target.get("type") if target is not None else None
    types = CHR_TARGET_TYPES.get(kind)
    if types is None:  # a parallel port has no target type
        index = 0
    elif type_text is None:
        if kind == "channel":
            if target is not None:  # the default's error is then replaced by the caller's
                raise _unsupported("unknown target type '(null)' specified for character device")
            raise _xml_error("target type must be specified for channel device")
        index = 0
    elif type_text in types:
        index = types.index(type_text)
    else:
        raise _unsupported(f"unknown target type '{type_text}' specified for character device")
    model_element = first_child(target, "model") if target is not None else None
    model = model_element.get("name") if model_element is not None else None
    if kind == "serial" and model and model not in SERIAL_TARGET_MODELS:
        raise _unsupported(f"unknown target model '{model}' specified for character device")
    attributes: list[tuple[str, str]] = []  # the target's, in the formatter's order
    if kind == "channel":
        assert target is not None and types is not None
        attributes.append(("type", types[index]))
        if types[index] == "guestfwd":
            attributes.append(("address", _guestfwd_address(target.get("address"))))
            attributes.append(("port", str(int(_unsigned(target, "port")) & 0xFFFF)))  # a socket's 16-bit port
        elif types[index] in ("xen", "virtio") and target.get("name") is not None:
            attributes.append(("name", target.get("name", "")))
    else:
        if kind in ("serial", "console") and types is not None and index:
            attributes.append(("type", types[index]))
        port = target.get("port") if target is not None else None
        if port is None:
            number = -1
        elif port.isdigit() and port.isascii() and len(port) < 10:
            number = int(port)  # (most ports) what the C read gives: below 2^31, no wrapping
        else:
            number = _port_number(port)
        if number != -1:
            attributes.append(("port", str(number)))
    model_written = kind == "serial" and model and model != "none"
    if (
        target is not None
        and target.text is None
        and target.tail is None
        and not len(target)
        and target.items() == attributes
    ):
        return index  # (most targets) already as written: left in place
    written = make_element("target")
    for name, value in attributes:
        written.set(name, value)
    if model_written:
        child(written, "model", name=str(model))
    if target is not None:
        target.addprevious(written)
        device.remove(target)
    else:
        device.append(written)
    return index


def _guestfwd_address(text: str | None) -> str:
    """A guestfwd channel's address: required, numeric (virSocketAddrParse: getaddrinfo with
    AI_NUMERICHOST, no lookup), IPv4, written back as virSocketAddrFormat writes it."""
    if text is None:
        raise _xml_error("guestfwd channel does not define a target address")
    try:
        found = socket.getaddrinfo(text, None, socket.AF_UNSPEC, 0, 0, socket.AI_NUMERICHOST)
    except socket.gaierror as error:
        detail = f"Cannot parse socket address '{text}': {error.strerror}"
        raise report(api.VIR_ERR_SYSTEM_ERROR, api.VIR_FROM_NONE, detail) from None
    family, _, _, _, sockaddr = found[0]
    if family != socket.AF_INET:
        raise _unsupported("guestfwd channel only supports IPv4 addresses")
    return str(sockaddr[0])


def _os_type_element(root: etree._Element | None) -> etree._Element | None:
    """The definition's <os><type>: two child lookups (a path search costs several; the
    root's children, a list made in C whose proxies the parse keeps, are searched for <os>,
    near their start, sooner than by an iterator)."""
    if root is None:
        return None
    for found in root[:]:
        if found.tag == "os":
            return first_child(found, "type")
    return None


def guest_of(devices: etree._Element) -> tuple[str, str | None]:
    """The guest's architecture (the test driver's default: i686) and virtualization type,
    from the definition's root."""
    root = devices.getparent()
    os_element = _os_type_element(root)
    arch = os_element.get("arch") if os_element is not None else None
    return arch or "i686", root.get("type") if root is not None else None


def _os_and_virt_types(devices: etree._Element) -> tuple[str, str | None]:
    """The guest's OS type as the parser settles it (no <type>: xen; 'linux' of a Xen domain:
    xen), and its virtualization type."""
    root = devices.getparent()
    os_element = _os_type_element(root)
    virt_type = root.get("type") if root is not None else None
    text = (os_element.text or "").strip() if os_element is not None else ""
    if not text or (text == "linux" and virt_type == "xen"):
        return "xen", virt_type
    return text, virt_type


def _target(device: etree._Element) -> etree._Element:
    target = first_child(device, "target")
    assert target is not None  # every character device has one once canonical
    return target


CHARACTER_DEVICE_KINDS = frozenset(("serial", "parallel", "channel", "console"))


def validate_devices(
    devices: etree._Element,
    check_redirdev: Callable[[etree._Element], None],
    by_kind: dict[object, list[etree._Element]] | None = None,
) -> None:
    """virDomainDefValidate's checks of the devices of this module, in the order it visits
    the devices (virDomainDeviceInfoIterateFlags); check_redirdev: a USB redirection's own
    check, made before its source's; by_kind: the devices per tag, in order, when the caller
    has them."""
    if by_kind is None:
        by_kind = {}
        for device in devices:  # one pass, then a list per kind (a lookup per kind costs more)
            by_kind.setdefault(device.tag, []).append(device)
    audios = by_kind.get("audio", [])
    audio_ids = {audio.get("id") for audio in audios} if audios else _NO_IDS
    for sound in by_kind.get("sound", ()):  # virDomainSoundDefValidate
        audio = first_child(sound, "audio")
        if audio is not None and audio.get("id") not in audio_ids:
            raise _xml_error(f"no audio device with ID {audio.get('id')}")
    if "video" in by_kind:
        validate_videos(by_kind["video"])
    for smartcard in by_kind.get("smartcard", ()):
        if smartcard.get("mode") == "passthrough":
            validate_chr_source(smartcard, smartcard.get("type", ""))
    for kind in ("serial", "parallel", "channel", "console") if not CHARACTER_DEVICE_KINDS.isdisjoint(by_kind) else ():
        for device in by_kind.get(kind, ()):
            channel_target = None
            if kind == "channel":
                target = first_child(device, "target")
                channel_target = target.get("type") if target is not None else None
            validate_chr_source(device, device.get("type", "pty"), channel_target)
    if "input" in by_kind:
        validate_inputs(by_kind["input"], *_os_and_virt_types(devices))
    for rng in by_kind.get("rng", ()):
        backend = first_child(rng, "backend")
        if backend is not None and backend.get("model") == "egd":
            validate_chr_source(backend, backend.get("type", ""))
    if "shmem" in by_kind:
        validate_shmems(by_kind["shmem"])
    for redirdev in by_kind.get("redirdev", ()):
        check_redirdev(redirdev)
        validate_chr_source(redirdev, redirdev.get("type", ""))
    if "graphics" in by_kind:
        validate_graphics(by_kind["graphics"], audio_ids)
    if len(audios) > 1:  # (one: no id used twice)
        validate_audios(audios)


# --- graphics ---------------------------------------------------------------------------

GRAPHICS_TYPES = ("sdl", "vnc", "rdp", "desktop", "spice", "egl-headless", "dbus")
LISTEN_TYPES = ("none", "address", "network", "socket")
SPICE_CHANNELS = ("main", "display", "inputs", "cursor", "playback", "record", "smartcard", "usbredir")
CHANNEL_MODES = ("any", "secure", "insecure")
SPICE_COMPRESSION = {  # element: (attribute, values without the zero 'default')
    "image": ("compression", ("auto_glz", "auto_lz", "quic", "glz", "lz", "off")),
    "jpeg": ("compression", ("auto", "never", "always")),
    "zlib": ("compression", ("auto", "never", "always")),
    "playback": ("compression", ("on", "off")),
    "streaming": ("mode", ("filter", "all", "off")),
    "mouse": ("mode", MOUSE_MODES),
    "clipboard": ("copypaste", ("yes", "no")),
    "filetransfer": ("enable", ("yes", "no")),
}
AUTH_CONNECTED = ("fail", "disconnect", "keep")  # virDomainGraphicsAuthConnected without 'default'


def _listens(graphics: etree._Element, kind: str) -> list[dict[str, str]]:
    """virDomainGraphicsListensParseXML: each <listen> (the first checked against the old
    listen and socket attributes), or one made from those attributes."""
    listens: list[dict[str, str]] = []
    address_compat, socket_compat = graphics.get("listen"), graphics.get("socket")
    for position, node in enumerate(children_of(graphics, "listen")):
        listen_type = str(_enum(node, "type", LISTEN_TYPES, required=True))
        if listen_type in ("socket", "none") and kind not in ("vnc", "spice"):
            raise _unsupported(f"listen type '{listen_type}' is not available for graphics type '{kind}'")
        address, network, socket = node.get("address"), node.get("network"), node.get("socket")
        if position == 0 and listen_type == "address":
            if address is not None and address_compat is not None and address != address_compat:
                raise _unsupported(
                    f"graphics 'listen' attribute '{address_compat}' must match 'address' attribute of first "
                    f"listen element (found '{address}')"
                )
            address = address_compat if address is None else address
        if position == 0 and listen_type == "socket":
            if socket is not None and socket_compat is not None and socket != socket_compat:
                raise _unsupported(
                    f"graphics 'socket' attribute '{socket_compat}' must match 'socket' attribute of first "
                    f"listen element (found '{socket}')"
                )
            socket = socket_compat if socket is None else socket
        listen = {"type": listen_type}
        if address and listen_type == "address":  # a network's address is live state only
            listen["address"] = address
        if network:
            if listen_type != "network":
                raise _xml_error("'network' attribute is valid only for listen type 'network'")
            listen["network"] = network
        if socket:
            if listen_type != "socket":
                raise _xml_error("'socket' attribute is valid only for listen type 'socket'")
            listen["socket"] = socket
        listens.append(listen)
    socket = graphics.get("socket") if kind == "vnc" else None
    if socket is not None:
        implied = {"type": "socket", "socket": socket}
    else:
        implied = {"type": "address"}
        if address_compat:
            implied["address"] = address_compat
    if not listens:
        listens.append(implied)
    elif listens[0]["type"] in ("address", "network") and implied["type"] == "socket":
        listens[0] = implied
    return listens


def _auth(graphics: etree._Element, kind: str, written: _Attributes) -> None:
    """virDomainGraphicsAuthDefParseXML and its formatter: nothing without a password."""
    password = graphics.get("passwd")
    if password is None:
        return
    written.set("passwd", password)
    valid_to, connected = graphics.get("passwdValidTo"), graphics.get("connected")
    if valid_to is not None:
        written.set("passwdValidTo", _valid_to(valid_to))
    if connected is not None:
        if connected not in AUTH_CONNECTED:
            raise _unsupported(f"unknown connected value {connected}")
        if kind == "vnc" and connected != "keep":
            raise _unsupported("VNC supports connected='keep' only")
        written.set("connected", connected)


def _valid_to(text: str) -> str:
    """YYYY-MM-DDTHH:MM:SS read as numbers (each as virStrToLong_i), written back in UTC."""
    match = re.fullmatch(r"([^-]*)-([^-]*)-([^T]*)T([^:]*):([^:]*):(.*)", text)
    numbers = [strtol_whole(part) for part in match.groups()] if match else [None]
    if any(number is None for number in numbers):
        raise _internal(f"cannot parse password validity time '{text}', expect YYYY-MM-DDTHH:MM:SS")
    year, month, day, hour, minute, second = (int(number or 0) for number in numbers)
    try:
        moment = datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return text  # out of range: GLib gives no time; kept as given
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _listen_attribute(written: _Attributes, first: dict[str, str]) -> None:
    """virDomainGraphicsListenDefFormatAddr: the first listen's address as the old attribute."""
    if "address" in first:
        written.set("listen", first["address"])


class _Attributes(dict[str, str]):
    """An element's attributes as they will be written, in order (an element made only to
    hold them costs several thousand instructions an attribute)."""

    def set(self, name: str, value: str) -> None:
        self[name] = value


def canonical_graphics(graphics: etree._Element) -> None:
    """A <graphics> rewritten in place as virDomainGraphicsDefFormat writes what
    virDomainGraphicsDefParseXML (parse flag INACTIVE) and virDomainDefPostParseGraphics kept."""
    kind = str(_enum(graphics, "type", GRAPHICS_TYPES, required=True))
    written = _Attributes(type=kind)
    children: list[etree._Element] = []
    listens: list[dict[str, str]] = []
    if kind == "vnc":
        listens = _listens(graphics, kind)
        _vnc(graphics, written, listens[0])
    elif kind == "rdp":
        listens = _listens(graphics, kind)
        _rdp(graphics, written, listens[0])
    elif kind == "spice":
        listens = _listens(graphics, kind)
        children += _spice(graphics, written, listens)
    elif kind in ("sdl", "desktop"):
        if kind == "sdl":
            fullscreen = _enum(graphics, "fullscreen", ("yes", "no"))
            for name in ("display", "xauth"):
                if graphics.get(name) is not None:
                    written.set(name, graphics.get(name, ""))
        else:
            fullscreen = _enum(graphics, "fullscreen", ("yes", "no"))
            if graphics.get("display") is not None:
                written.set("display", graphics.get("display", ""))
        if fullscreen == "yes":
            written.set("fullscreen", "yes")
        gl = first_child(graphics, "gl")
        if kind == "sdl" and gl is not None:
            children.append(make_element("gl", enable=str(_enum(gl, "enable", ("yes", "no"), required=True))))
    elif kind == "egl-headless":
        gl = first_child(graphics, "gl")
        if gl is not None and gl.get("rendernode") is not None:
            children.append(make_element("gl", rendernode=gl.get("rendernode", "")))
    elif kind == "dbus":
        if _enum(graphics, "p2p", ("yes", "no")) == "yes":
            written.set("p2p", "yes")
        if graphics.get("address") is not None:
            written.set("address", graphics.get("address", ""))
        gl = first_child(graphics, "gl")
        if gl is not None:
            enable = str(_enum(gl, "enable", ("yes", "no"), required=True))
            children.append(make_element("gl", enable=enable))
            if gl.get("rendernode") is not None:
                children[-1].set("rendernode", gl.get("rendernode", ""))
        audio = _audio(graphics)
        if audio is not None:
            children.append(audio)
    if kind == "vnc":
        audio = _audio(graphics)
        children += [audio] if audio is not None else []
    children = [*(make_element("listen", **listen) for listen in listens), *children]
    for old in list(graphics):
        graphics.remove(old)
    if graphics.items() != list(written.items()):  # (left as they are when already so)
        graphics.attrib.clear()
        for name, value in written.items():
            graphics.set(name, value)
    graphics.extend(children)


def _audio(graphics: etree._Element) -> etree._Element | None:
    audio = first_child(graphics, "audio")
    if audio is None:
        return None
    number = _unsigned(audio, "id")
    if number == "0":
        detail = "Invalid value for attribute 'id' in element 'audio': Zero is not permitted"
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return make_element("audio", id=number)


def _vnc(graphics: etree._Element, written: _Attributes, first: dict[str, str]) -> None:
    port_text, autoport_text = graphics.get("port"), graphics.get("autoport")
    port, autoport = 0, True
    if port_text is not None:
        number = strtol_whole(port_text)
        if number is None:
            raise _internal(f"cannot parse vnc port {port_text}")
        port, autoport = (0, True) if number == -1 else (number, False)
    if autoport_text in ("yes", "no"):  # anything else leaves it as the port made it
        autoport = autoport_text == "yes"
        if autoport:
            port = 0
    websocket = prop_int(graphics, "websocket") or 0
    share_policy = _enum(graphics, "sharePolicy", ("default", "allow-exclusive", "force-shared", "ignore"))
    power_control = _enum(graphics, "powerControl", ("yes", "no"))
    if first["type"] == "socket":
        if "socket" in first:
            written.set("socket", first["socket"])
    elif first["type"] in ("address", "network"):
        if port:
            written.set("port", str(port))
        elif autoport:
            written.set("port", "-1")
        written.set("autoport", "yes" if autoport else "no")
        if websocket:
            written.set("websocket", str(websocket))
        _listen_attribute(written, first)
    if graphics.get("keymap") is not None:
        written.set("keymap", graphics.get("keymap", ""))
    if share_policy not in (None, "default"):
        written.set("sharePolicy", str(share_policy))
    if power_control is not None:
        written.set("powerControl", power_control)
    _auth(graphics, "vnc", written)


def _rdp(graphics: etree._Element, written: _Attributes, first: dict[str, str]) -> None:
    port_text = graphics.get("port")
    port, autoport = 0, True
    if port_text is not None:
        number = strtol_whole(port_text)
        if number is None:
            raise _internal(f"cannot parse rdp port {port_text}")
        port, autoport = number, number == -1
    if graphics.get("autoport") == "yes":
        autoport = True
    if autoport:
        port = 0
    if port:
        written.set("port", str(port))
    elif autoport:
        written.set("port", "0")
    if autoport:
        written.set("autoport", "yes")
    for name in ("replaceUser", "multiUser"):
        if graphics.get(name) == "yes":
            written.set(name, "yes")
    _listen_attribute(written, first)


def _spice(graphics: etree._Element, written: _Attributes, listens: list[dict[str, str]]) -> list[etree._Element]:
    port, tls_port = prop_int(graphics, "port") or 0, prop_int(graphics, "tlsPort") or 0
    autoport = _enum(graphics, "autoport", ("yes", "no")) == "yes"
    default_mode = _enum(graphics, "defaultMode", CHANNEL_MODES) or "any"
    if port == -1 and tls_port == -1:  # the old spelling of autoport
        autoport = True
    if autoport:
        port = tls_port = 0
    channels: dict[str, str] = {}
    for node in children_of(graphics, "channel"):
        name = str(_enum(node, "name", SPICE_CHANNELS, required=True))
        channels[name] = str(_enum(node, "mode", CHANNEL_MODES, required=True))
    children: list[etree._Element] = []
    for name in SPICE_CHANNELS:
        if channels.get(name, "any") != "any":
            children.append(make_element("channel", name=name, mode=channels[name]))
    for tag, (attribute, values) in SPICE_COMPRESSION.items():
        node = first_child(graphics, tag)
        if node is None:
            continue
        value = node.get(attribute)
        if value is None:
            raise _required(node, attribute)
        if value not in values:
            raise enum_error(tag, attribute, value)
        children.append(make_element(tag, **{attribute: value}))
    gl = first_child(graphics, "gl")
    if gl is not None:
        written_gl = make_element("gl", enable=str(_enum(gl, "enable", ("yes", "no"), required=True)))
        if gl.get("rendernode") is not None:
            written_gl.set("rendernode", gl.get("rendernode", ""))
        children.append(written_gl)
    first = listens[0]
    if first["type"] == "address" and not port and not tls_port and not autoport:
        listens[0] = first = {"type": "none"}  # virDomainDefPostParseGraphics: it listens nowhere
    if first["type"] in ("address", "network"):
        if port:
            written.set("port", str(port))
        if tls_port:
            written.set("tlsPort", str(tls_port))
        written.set("autoport", "yes" if autoport else "no")
        _listen_attribute(written, first)
    if graphics.get("keymap") is not None:
        written.set("keymap", graphics.get("keymap", ""))
    if default_mode != "any":
        written.set("defaultMode", default_mode)
    _auth(graphics, "spice", written)
    return children


def validate_graphics(graphics_devices: Iterable[etree._Element], audio_ids: set[str | None]) -> None:
    """virDomainGraphicsDefValidate; audio_ids: those of the definition's audio backends."""
    for graphics in graphics_devices:
        kind = graphics.get("type")
        if kind in ("vnc", "spice", "rdp"):
            for listen in graphics.iterchildren("listen"):
                if listen.get("type") == "network" and listen.get("network") is None:
                    raise _xml_error("'network' attribute is required for listen type 'network'")
        audio = first_child(graphics, "audio")
        if kind == "vnc" and audio is not None and audio.get("id") not in audio_ids:
            raise _xml_error(f"no audio device with ID {audio.get('id')}")
        if kind == "dbus" and graphics.get("p2p") == "yes" and graphics.get("address") is not None:
            raise _xml_error("D-Bus p2p with an address is not supported")


# --- video ------------------------------------------------------------------------------

VIDEO_TYPES = ("vga", "cirrus", "vmvga", "xen", "vbox", "qxl", "parallels", "virtio", "gop", "none", "bochs", "ramfb")
VIDEO_MEMORY = ("ram", "vram", "vram64", "vgamem")
VIDEO_MODEL_ATTRIBUTE_ORDER = ["type", *VIDEO_MEMORY, "heads"]
_VIDEO_NUMBERS = (*VIDEO_MEMORY, "heads")
_VIDEO_MODEL_ATTRIBUTE_RANK = rank_of(VIDEO_MODEL_ATTRIBUTE_ORDER)


def _video_model_attribute_rank(item: tuple[str, str]) -> int:
    """An attribute's place in a video model as libvirt writes it (others last, in their order)."""
    return _VIDEO_MODEL_ATTRIBUTE_RANK.get(item[0], len(VIDEO_MODEL_ATTRIBUTE_ORDER))


_VIDEO_MODEL_READ = frozenset(("type", "primary", *VIDEO_MEMORY, "heads"))  # the model attributes read
VIDEO_CHILD_ORDER = ["driver", "model", *DEVICE_INFO_TAIL]
VIDEO_CHILD_RANK = rank_of(VIDEO_CHILD_ORDER)
VIDEO_DRIVER_ATTRIBUTES = ["iommu", "ats", "packed", "page_per_vq", "vgaconf", "name"]


def _video_ram(kind: str, virt_type: str | None) -> int:
    """virDomainVideoDefaultRAM, in KiB."""
    if kind in ("vga", "cirrus", "vmvga"):
        return {"vbox": 8192, "vmware": 4096}.get(virt_type or "", 16384)
    return {"bochs": 16384, "xen": 4096, "qxl": 65536}.get(kind, 0)


def _power_of_two(value: int) -> int:
    """VIR_ROUND_UP_POWER_OF_TWO of an unsigned int."""
    if value <= 0 or value > 1 << 31:
        return 0
    return 1 << (value - 1).bit_length()


def canonical_videos(
    by_kind: dict[str, list[etree._Element]],
    devices: etree._Element,
    os_type: str,
    guest: tuple[str, str | None] | None = None,
) -> None:
    """Video devices as virDomainVideoDefParseXML reads them (a primary one put first), the
    test driver's default model, virDomainVideoDefPostParse's memory and
    virDomainDefPostParseVideo (the first one primary, a 'none' one bare)."""
    if not by_kind.get("video"):
        return
    arch, virt_type = guest if guest is not None else guest_of(devices)
    primaries: list[etree._Element] = []
    others: list[etree._Element] = []
    for video in by_kind.get("video", ()):
        models = children_of(video, "model")
        if models:
            model = models[0]
            for extra in models[1:]:  # the parser reads the first
                video.remove(extra)
        else:
            model = child(video, "model")
        _video_model_children(model)
        # the model's attributes read once and worked on as a dict (in order, as an element
        # keeps them: a value changed keeps its place, one added goes last), written back
        # only when they change: each set on the element costs thousands of instructions
        given = model.items()
        attributes = dict(given)
        for name, value in given:  # read with virXPathString: empty is absent
            if value == "" and name in _VIDEO_MODEL_READ:
                del attributes[name]
        primary = attributes.get("primary") == "yes"
        kind = attributes.get("type")
        if kind is not None and kind != "default" and kind not in VIDEO_TYPES:
            raise _unsupported(f"unknown video model '{kind}'")
        for name in _VIDEO_NUMBERS:
            value = attributes.get(name)
            if value is None:
                continue
            # (plain ASCII digits, fewer than 10: what strtoul reads them as, within an unsigned int)
            number = int(value) if value.isdigit() and value.isascii() and len(value) < 10 else strtoul_whole(value, 10)
            if number is None:
                if name == "heads":
                    raise _internal(f"cannot parse video heads '{value}'")
                raise _xml_error(f"cannot parse video {name} '{value}'")
            attributes[name] = str(number)
        if kind in (None, "default"):  # testDomainDevicesDefPostParse
            ppc64 = arch in ("ppc64", "ppc64le")
            kind = "xen" if os_type in ("xen", "linux") else ("vga" if ppc64 else "cirrus")
            attributes["type"] = kind
        if kind == "qxl" and int(attributes.get("ram", "0")) == 0:
            attributes["ram"] = str(_video_ram(kind, virt_type))
        if int(attributes.get("vram", "0")) == 0:
            attributes["vram"] = str(_video_ram(kind, virt_type))
        for name in ("ram", "vram"):
            if name in attributes:
                attributes[name] = str(_power_of_two(int(attributes[name])))
        attributes.setdefault("heads", "1")
        for name in _VIDEO_NUMBERS:  # written when not zero
            if attributes.get(name) == "0":
                del attributes[name]
        attributes.pop("primary", None)
        written = sorted(attributes.items(), key=_video_model_attribute_rank)  # (stable)
        if written != given:
            model.attrib.clear()
            for name, value in written:
                model.set(name, value)
        first_driver = first_child(video, "driver")
        extra: dict[str, str] = {}
        if first_driver is not None:
            vgaconf = _enum(first_driver, "vgaconf", ("io", "on", "off"))
            backend = _enum(first_driver, "name", ("default", "qemu", "vhostuser"))
            if backend == "default":  # its zero value is refused
                raise enum_error("driver", "name", backend)
            if vgaconf not in (None, "io"):  # 'io' is the zero value: not written
                extra["vgaconf"] = str(vgaconf)
            if backend is not None:
                extra["name"] = backend
        driver = _virtio_driver(video, **extra) if first_driver is not None else None  # (none: nothing set)
        if driver is not None:
            video.insert(0, driver)
        if not children_in_order(video, VIDEO_CHILD_RANK):
            reorder_known(video, VIDEO_CHILD_ORDER)
        (primaries if primary else others).append(video)
    if len(primaries) > 1:  # virDomainDefVideoValidate
        raise _unsupported("Only one primary video device is supported")
    ordered = [*reversed(primaries), *others]  # each primary is put first as it is read
    if ordered:
        first = ordered[0]
        model = first_child(first, "model")
        assert model is not None
        if model.get("type") == "none":  # nothing filled in is written, but an alias
            for found in list(first):
                if found.tag != "alias":
                    first.remove(found)
            first.insert(0, make_element("model", type="none"))
        else:
            model.set("primary", "yes")
    if "video" in by_kind:
        by_kind["video"] = ordered


def _video_model_children(model: etree._Element) -> None:
    """A video model's acceleration and resolution (the first of each) as
    virDomainVideoAccelDefParseXML/virDomainVideoResolutionDefParseXML read them."""
    if not len(model):
        return  # (most models) neither
    acceleration, resolution = first_child(model, "acceleration"), first_child(model, "resolution")
    written: list[etree._Element] = []
    if acceleration is not None:
        accel3d = _enum(acceleration, "accel3d", ("yes", "no"))
        accel2d = _enum(acceleration, "accel2d", ("yes", "no"))
        rendernode = acceleration.get("rendernode")
        if rendernode is None and accel3d is None and accel2d is None:
            raise _unsupported("missing values for acceleration")
        found = make_element("acceleration")
        for name, value in (("accel3d", accel3d), ("accel2d", accel2d)):
            if value is not None:
                found.set(name, value)
        if rendernode is not None:
            found.set("rendernode", _sanitized_path(rendernode))
        written.append(found)
    if resolution is not None:
        written.append(make_element("resolution", x=_unsigned(resolution, "x"), y=_unsigned(resolution, "y")))
    for old in list(model):
        model.remove(old)
    model.extend(written)


def validate_videos(videos: list[etree._Element]) -> None:
    """virDomainVideoDefValidate, on the videos as written."""
    for video in videos:
        model = first_child(video, "model")
        kind = model.get("type") if model is not None else None
        assert model is not None
        if kind == "none" and len(videos) > 1:
            raise _unsupported("a 'none' video type must be the only video device defined for the domain")
        driver = first_child(video, "driver")
        backend = driver.get("name") if driver is not None else None
        acceleration = first_child(model, "acceleration")
        if backend == "vhostuser" and kind != "virtio":
            raise _unsupported("'vhostuser' driver is only supported with 'virtio' device")
        if backend != "vhostuser" and acceleration is not None and acceleration.get("rendernode") is not None:
            raise _unsupported("unsupported rendernode accel attribute without 'vhostuser'")
        resolution = first_child(model, "resolution")
        if resolution is not None and "0" in (resolution.get("x"), resolution.get("y")):
            raise _unsupported("video resolution values must be greater than 0")
        if kind != "qxl":
            for name in ("ram", "vram64", "vgamem"):
                if model.get(name) is not None:
                    raise _unsupported(f"{name} attribute only supported for video type qxl")
        if kind == "ramfb" and first_child(video, "address") is not None:
            raise _unsupported("address not supported for video type ramfb")
        fault = virtio_option_fault(driver) if kind != "virtio" and driver is not None else None
        if fault is not None:
            raise fault


# --- inputs -----------------------------------------------------------------------------

X86_ARCHES = ("i686", "x86_64")
S390_ARCHES = ("s390", "s390x")


INPUT_TYPES = ("mouse", "tablet", "keyboard", "passthrough", "evdev")
INPUT_ATTRIBUTE_ORDER = ["type", "bus", "model"]
# the attributes of most inputs, in that order (left as they are)
_WRITTEN_INPUT_ATTRIBUTES = (["type", "bus"], ["type"], ["type", "bus", "model"])
INPUT_BUSES = ("ps2", "usb", "xen", "parallels", "virtio", "none")
_WRITTEN_INPUT_BUSES = frozenset(INPUT_BUSES) - {"none"}  # (a 'none' bus is not written)
_TYPE_AND_BUS = ["type", "bus"]
INPUT_MODELS = ("virtio", "virtio-transitional", "virtio-non-transitional")  # without 'default'
GRAB_TOGGLES = ("ctrl-ctrl", "alt-alt", "shift-shift", "meta-meta", "scrolllock", "ctrl-scrolllock")


def _virtio_driver(device: etree._Element, **extra: str) -> etree._Element | None:
    """The device's first <driver> as virDomainVirtioOptionsParseXML reads its options (and
    the extra attributes given, written after them); None when nothing is set."""
    drivers = children_of(device, "driver")
    attributes: dict[str, str] = {}
    if drivers:
        for name in VIRTIO_OPTIONS:
            value = _enum(drivers[0], name, ("on", "off"))
            if value is not None:
                attributes[name] = value
    attributes.update(extra)
    for old in drivers:
        device.remove(old)
    return make_element("driver", **attributes) if attributes else None


def canonical_inputs(
    by_kind: dict[str, list[etree._Element]],
    devices: etree._Element,
    os_type: str,
    guest: tuple[str, str | None] | None = None,
) -> None:
    """virDomainInputDefParseXML: type, model and bus checked; the bus when none is given
    depends on the guest's OS type, architecture and the input's type (an evdev input of an
    HVM guest has none, and no bus is written)."""
    if not by_kind.get("input"):
        return
    arch, virt_type = guest if guest is not None else guest_of(devices)
    for device in by_kind["input"]:
        kind, bus, model = device.get("type"), device.get("bus"), device.get("model")
        # (most inputs) as libvirt writes them: left as they are
        plain = bus in _WRITTEN_INPUT_BUSES and kind in INPUT_TYPES and model is None and not len(device)
        if plain and device.keys() == _TYPE_AND_BUS:
            continue
        if kind is None:
            raise _internal("missing input device type")
        if kind not in INPUT_TYPES:
            raise _unsupported(f"unknown input device type '{kind}'")
        if model is not None and model not in INPUT_MODELS:
            raise _unsupported(f"unknown input model '{model}'")
        if bus is not None and bus not in INPUT_BUSES:
            raise _unsupported(f"unknown input bus type '{bus}'")
        given_bus = bus
        if bus is None:
            if os_type == "hvm":
                if kind in ("mouse", "keyboard") and arch in X86_ARCHES:
                    bus = "ps2"
                elif arch in S390_ARCHES or kind == "passthrough":
                    bus = "virtio"
                else:
                    bus = "none" if kind == "evdev" else "usb"
            elif os_type in ("xen", "xenpvh"):
                bus = "xen"
            else:
                bus = "parallels" if virt_type in ("vz", "parallels") else "none"
        if len(device):  # (most inputs have no children: no address, source or driver)
            _input_children(device, kind, bus)
        # the bus written only when there is one (a given one is kept, a 'none' dropped)
        if given_bus is None:
            if bus != "none":
                device.set("bus", bus)
        elif bus == "none":
            del device.attrib["bus"]
        if device.keys() not in _WRITTEN_INPUT_ATTRIBUTES:
            reorder_attributes(device, INPUT_ATTRIBUTE_ORDER)


def _input_children(device: etree._Element, kind: str, bus: str) -> None:
    """An input's address checked, its source and driver read and written as libvirt writes them."""
    address = check_device_address(device)
    if bus == "usb" and address is not None and address.get("type") not in (None, "usb"):
        raise _xml_error("Invalid address for a USB device")
    source = first_child(device, "source")
    source_attributes: dict[str, str] = {}
    if source is not None and kind in ("passthrough", "evdev"):
        attribute = "evdev" if kind == "passthrough" else "dev"
        path = source.get(attribute)
        if path is None:
            raise _xml_error("Missing evdev path for input device")
        source_attributes[attribute] = _sanitized_path(path)
        if kind == "evdev":
            for name, values in (("grab", ("all",)), ("grabToggle", GRAB_TOGGLES), ("repeat", ("on", "off"))):
                if source.get(name) is not None:
                    if source.get(name) not in values:
                        raise enum_error("source", name, source.get(name, ""))
                    source_attributes[name] = source.get(name, "")
    written_source = make_element("source", **source_attributes) if source_attributes else None
    driver = _virtio_driver(device)
    for old in device[:]:  # (a list made in C: cheaper than list(), which iterates)
        if old.tag not in DEVICE_INFO_TAIL:
            device.remove(old)
    for position, element in enumerate(e for e in (driver, written_source) if e is not None):
        device.insert(position, element)


def validate_inputs(inputs: list[etree._Element], os_type: str, virt_type: str | None) -> None:
    """virDomainInputDefValidate: buses the guest's OS type allows."""
    for device in inputs:
        kind, bus = device.get("type"), device.get("bus", "none")
        if os_type == "hvm":
            if bus == "ps2" and kind not in ("mouse", "keyboard"):
                raise _internal(f"ps2 bus does not support {kind} input device")
            if bus == "xen":
                raise _internal(f"unsupported input bus {bus}")
        elif os_type in ("xen", "xenpvh"):
            if bus != "xen":
                raise _internal(f"unsupported input bus {bus}")
            if kind not in ("mouse", "keyboard"):
                raise _internal(f"xen bus does not support {kind} input device")
        elif virt_type in ("vz", "parallels"):
            if bus != "parallels":
                raise _internal(f"parallels containers don't support input bus {bus}")
            if kind not in ("mouse", "keyboard"):
                raise _internal(f"parallels bus does not support {kind} input device")
        else:
            raise _internal("Input devices are not supported by this virtualization driver.")
        if kind == "passthrough" and bus != "virtio":
            raise _unsupported("only bus 'virtio' is supported for 'passthrough' input devices")
        if kind == "evdev" and bus != "none":
            raise _unsupported("input evdev doesn't support bus element")
        model = device.get("model")
        if model is not None and bus != "virtio":
            raise _unsupported(f"only bus 'virtio' is supported for input model '{model}'")


# --- shared memory, TPM -----------------------------------------------------------------

SHMEM_MODELS = ("ivshmem", "ivshmem-plain", "ivshmem-doorbell")
SHMEM_ROLES = ("master", "peer")  # virDomainShmemRole without its zero, 'default'


def _sanitized_path(path: str) -> str:
    """virFileSanitizePath: repeated slashes made one (but a leading pair, special in POSIX),
    no trailing slash but the root's; a URI is left alone."""
    scheme = path.find("://")
    if scheme >= 0 and path.index("/") > scheme:
        return path
    head = "//" if path.startswith("//") and not path.startswith("///") else ""
    cleaned = head + re.sub(r"/{2,}", "/", path[len(head) :])
    if len(cleaned) > max(1, len(head)) and cleaned.endswith("/"):
        cleaned = cleaned[:-1]
    return cleaned


def _c_uint_any_base(element: etree._Element, name: str) -> int | None:
    """virXMLPropUInt with base 0 (C's strtoul: 0x for hex, a leading 0 for octal)."""
    value = element.get(name)
    if value is None:
        return None
    text = value.strip(" \t\n\v\f\r").lstrip("+")
    base = 16 if text.lower().startswith("0x") else (8 if len(text) > 1 and text.startswith("0") else 10)
    digits = text[2:] if base == 16 else text
    try:
        number = int(digits, base) if digits and digits.isalnum() and digits.isascii() else None
    except ValueError:
        number = None
    if number is None or number > 0xFFFFFFFF:
        detail = (
            f"Invalid value for attribute '{name}' in element '{element.tag}': '{value}'. "
            "Expected non-negative integer value"
        )
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return number


def _shmem_size(size: etree._Element) -> int:
    """virParseScaledValue of ./size[1] in bytes (0 when empty)."""
    return parse_scaled_value(text_of(size), size.get("unit"), "./size[1]", 1, ULLONG_MAX) or 0


def canonical_shmems(by_kind: dict[str, list[etree._Element]]) -> None:
    """Shared memory devices as virDomainShmemDefParseXML reads them and
    virDomainShmemDefFormat writes them (a model always, the size in MiB)."""
    for shmem in by_kind.get("shmem", ()):
        model = first_child(shmem, "model")
        kind = (_enum(model, "type", SHMEM_MODELS) if model is not None else None) or "ivshmem"
        name = shmem.get("name")
        if name is None:
            raise _xml_error("shmem element must contain 'name' attribute")
        role = None
        if kind != "ivshmem":
            role = shmem.get("role")
            if role is not None and role not in SHMEM_ROLES:
                raise enum_error("shmem", "role", role)
        written = [make_element("model", type=kind)]
        size = first_child(shmem, "size")
        if size is not None and _shmem_size(size):
            written.append(make_element("size", str(_shmem_size(size) >> 20), unit="M"))
        server, msi = first_child(shmem, "server"), first_child(shmem, "msi")
        if server is not None:
            path = server.get("path")
            server_path = {"path": _sanitized_path(path)} if path is not None else {}
            written.append(make_element("server", **server_path))
        if msi is not None:
            vectors = _c_uint_any_base(msi, "vectors")
            ioeventfd = _enum(msi, "ioeventfd", ("on", "off"))
            found = make_element("msi")
            if vectors:
                found.set("vectors", str(vectors))
            if ioeventfd is not None:
                found.set("ioeventfd", ioeventfd)
            written.append(found)
            if server is None:
                raise _xml_error("msi option is only supported with a server")
        for old in list(shmem):
            if old.tag not in DEVICE_INFO_TAIL:
                shmem.remove(old)
        for position, element in enumerate(written):
            shmem.insert(position, element)
        reorder_known(shmem, SHMEM_CHILD_ORDER)
        shmem.attrib.clear()
        shmem.set("name", name)
        if role is not None:
            shmem.set("role", role)


TPM_MODELS = ("tpm-tis", "tpm-crb", "tpm-spapr", "spapr-tpm-proxy")  # without 'default'
TPM_BACKENDS = ("passthrough", "emulator", "external")
TPM_VERSIONS = ("1.2", "2.0")  # without 'default'


TPM_DEFAULT_DEVICE = "/dev/tpm0"
TPM_PCR_BANKS = ("sha1", "sha256", "sha384", "sha512")


def _tpm_emulator(backend: etree._Element, written: etree._Element) -> None:
    """An emulated TPM's version, state, secret and PCR banks as libvirt reads and writes them."""
    version = backend.get("version")
    if version is not None and version not in TPM_VERSIONS:
        raise enum_error("backend", "version", version)
    encryption = first_child(backend, "encryption")
    secret = encryption.get("secret") if encryption is not None else None
    raw = None
    if secret:
        raw = parse_uuid(secret)
        if raw is None:
            raise _internal(f"Unable to parse secret uuid '{secret}'")
    state = backend.get("persistent_state")
    if state is not None and state not in ("yes", "no"):
        raise _internal("Invalid persistent_state value, either 'yes' or 'no'")
    banks: set[str] = set()
    for bank in backend.iterfind("active_pcr_banks/*"):
        name = bank.tag if isinstance(bank.tag, str) else ""
        if name not in TPM_PCR_BANKS:
            raise _unsupported(f"Unsupported PCR banks '{name}'")
        banks.add(name)
    if version is not None:
        written.set("version", version)
    if state == "yes":
        written.set("persistent_state", "yes")
    if raw is not None:
        child(written, "encryption", secret=str(uuid.UUID(bytes=raw)))
    if banks:
        found = child(written, "active_pcr_banks")
        for name in TPM_PCR_BANKS:
            if name in banks:
                child(found, name)


def check_tpms(by_kind: dict[str, list[etree._Element]]) -> None:
    """virDomainTPMDefParseXML's checks: the model, exactly one backend, its type and version."""
    for tpm in by_kind.get("tpm", ()):
        model = tpm.get("model")
        if model is not None and model not in TPM_MODELS:
            raise enum_error("tpm", "model", model)
        backends = children_of(tpm, "backend")
        if len(backends) > 1:
            raise _xml_error("only one TPM backend is supported")
        if not backends:
            raise _xml_error("missing TPM device backend")
        backend = backends[0]
        kind = str(_enum(backend, "type", TPM_BACKENDS, required=True))
        written = make_element("backend", type=kind)
        if kind == "passthrough":
            device = first_child(backend, "device")
            child(written, "device", path=(device.get("path") if device is not None else None) or TPM_DEFAULT_DEVICE)
        elif kind == "emulator":
            _tpm_emulator(backend, written)
        else:
            source = first_child(backend, "source")
            source_type = source.get("type") if source is not None else None
            if not source_type:
                raise _xml_error("missing external TPM backend type")
            if source_type not in CHR_TYPES:
                raise _unsupported(f"unknown backend type '{source_type}' for external TPM")
            parsed = copy.deepcopy(backend)
            canonical_chr_source(parsed, source_type, with_labels=False)
            found = first_child(parsed, "source")
            if source_type == "unix":
                path = found.get("path") if found is not None else None
                child(written, "source", type="unix", mode="connect", **({"path": path} if path is not None else {}))
        backend.addprevious(written)
        tpm.remove(backend)


def validate_shmems(shmems: Iterable[etree._Element]) -> None:
    """virDomainShmemDefValidate: a name that is a file name."""
    for shmem in shmems:
        name = shmem.get("name", "")
        if "/" in name:
            raise _unsupported("shmem name cannot include '/' character")
        if name in (".", ".."):
            raise _unsupported(f"shmem name cannot be equal to '{name}'")


# --- device aliases ---------------------------------------------------------------------

USER_ALIAS_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def canonical_aliases(
    by_kind: dict[str, list[etree._Element]], with_aliases: bool = True, written: set[etree._Element] | None = None
) -> None:
    """virDomainDeviceInfoParseXML with parse flag INACTIVE: the address checked
    (check_device_address; called after canonical_other_devices, canonical_character_devices
    and canonical_chr_holders, which check those of their kinds), and a device keeps its alias only
    when the user chose it ('ua-' and letters, digits, '_' or '-'); aliases libvirt made for
    a running domain are not part of a definition. with_aliases: False when no device has
    an <alias> (none is looked for); written: as check_device_address's, added to."""
    if not with_aliases:  # (most definitions) only the addresses left unchecked to check
        for kind, devices in by_kind.items():
            if kind not in ADDRESS_CHECKED_BEFORE_ALIASES:
                for device in devices:
                    if len(device):  # no children, no address (a length costs far less than a lookup)
                        check_device_address(device, written)
        return
    for kind, devices in by_kind.items():
        checked = kind in ADDRESS_CHECKED_BEFORE_ALIASES
        for device in devices:
            if not len(device):
                continue  # no address, no alias (a length costs far less than a lookup)
            if not checked:
                check_device_address(device, written)
            aliases = children_of(device, "alias")
            if not aliases:
                continue
            name = aliases[0].get("name")
            keep = name is not None and name.startswith("ua-") and set(name) <= USER_ALIAS_CHARACTERS
            for alias in aliases[1:] if keep else aliases:
                device.remove(alias)
            if keep:  # only its name is read
                aliases[0].attrib.clear()
                aliases[0].set("name", str(name))


# --- audio backends, and the devices of this module without a hook of their own ------------

AUDIO_TYPES = ("none", "alsa", "coreaudio", "jack", "oss", "pulseaudio", "sdl", "spice", "file", "dbus")
AUDIO_FORMATS = ("u8", "s8", "u16", "s16", "u32", "s32", "f32")  # without the zero, ''
SDL_AUDIO_DRIVERS = ("esd", "alsa", "arts", "pulseaudio")
BOOLS = ("yes", "no")
# per backend: the attributes of <input>/<output> in the formatter's order, each a string
# (None), a yes/no or an unsigned number ("uint")
AUDIO_DIRECTION_ATTRIBUTES: dict[str, list[tuple[str, str | None]]] = {
    "alsa": [("dev", None)],
    "coreaudio": [("bufferCount", "uint")],
    "jack": [("serverName", None), ("clientName", None), ("connectPorts", None), ("exactName", "bool")],
    "oss": [("dev", None), ("bufferCount", "uint"), ("tryPoll", "bool")],
    "pulseaudio": [("name", None), ("streamName", None), ("latency", "uint")],
    "sdl": [("bufferCount", "uint")],
}


def _uint_attribute(element: etree._Element, name: str, nonzero: bool, required: bool = False) -> int | None:
    """virXMLPropUInt (base 10): the number, None when absent."""
    if required and element.get(name) is None:
        raise _required(element, name)
    return prop_uint(element, name, nonzero=nonzero)


def _audio_direction(node: etree._Element, kind: str) -> etree._Element | None:
    """virDomainAudioCommonParse and the backend's own attributes, written as
    virDomainAudioCommonFormat writes them (nothing when nothing is set)."""
    mixing = _enum(node, "mixingEngine", BOOLS)
    fixed = _enum(node, "fixedSettings", BOOLS)
    if fixed == "yes" and mixing != "yes":
        raise _unsupported("fixed audio settings requires mixing engine")
    voices = _uint_attribute(node, "voices", nonzero=True)
    buffer_length = _uint_attribute(node, "bufferLength", nonzero=True)
    settings = first_child(node, "settings")
    written_settings = make_element("settings")
    if settings is not None:
        if fixed != "yes":
            raise _unsupported("audio settings specified without fixed settings flag")
        for name in ("frequency", "channels"):
            number = _uint_attribute(settings, name, nonzero=True)
            if number:
                written_settings.set(name, str(number))
        audio_format = settings.get("format")
        if audio_format is not None:
            if audio_format not in AUDIO_FORMATS:
                raise enum_error("settings", "format", audio_format)
            written_settings.set("format", audio_format)
    backend: list[tuple[str, str]] = []
    for name, form in AUDIO_DIRECTION_ATTRIBUTES.get(kind, []):
        if form == "uint":
            number = _uint_attribute(node, name, nonzero=False)
            if number:
                backend.append((name, str(number)))
        elif form == "bool":
            value = _enum(node, name, BOOLS)
            if value is not None:
                backend.append((name, value))
        elif node.get(name) is not None:
            backend.append((name, node.get(name, "")))
    if not (mixing or fixed or voices or buffer_length or backend):
        return None
    written = make_element(str(node.tag))
    for name, value in (("mixingEngine", mixing), ("fixedSettings", fixed)):
        if value is not None:
            written.set(name, value)
    for name, number in (("voices", voices), ("bufferLength", buffer_length)):
        if number:
            written.set(name, str(number))
    for name, value in backend:
        written.set(name, value)
    if fixed == "yes":
        written.append(written_settings)
    return written


def canonical_audios(by_kind: dict[str, list[etree._Element]]) -> None:
    """<audio> backends as virDomainAudioDefParseXML reads them and virDomainAudioDefFormat
    writes them."""
    for audio in by_kind.get("audio", ()):
        kind = str(_enum(audio, "type", AUDIO_TYPES, required=True))
        number = _uint_attribute(audio, "id", nonzero=True, required=True)
        timer = _uint_attribute(audio, "timerPeriod", nonzero=True)
        written_directions: list[etree._Element] = []
        if len(audio):  # (most backends have no children)
            for node in (first_child(audio, "input"), first_child(audio, "output")):
                written_direction = _audio_direction(node, kind) if node is not None else None
                if written_direction is not None:
                    written_directions.append(written_direction)
        written = [("id", str(number)), ("type", kind)]  # its attributes, in the formatter's order
        if timer:
            written.append(("timerPeriod", str(timer)))
        if kind == "oss":
            for name in ("tryMMap", "exclusive"):
                value = _enum(audio, name, BOOLS)
                if value is not None:
                    written.append((name, value))
            policy = audio.get("dspPolicy")
            if policy is not None:
                policy_number = prop_int(audio, "dspPolicy") or 0
                if policy_number < 0:
                    raise _xml_error(f"cannot parse 'dspPolicy' value '{policy_number}'")
                written.append(("dspPolicy", str(policy_number)))
        elif kind == "pulseaudio" and audio.get("serverName") is not None:
            written.append(("serverName", audio.get("serverName", "")))
        elif kind == "sdl":
            driver = audio.get("driver")
            if driver is not None:
                if driver not in SDL_AUDIO_DRIVERS:
                    raise enum_error("audio", "driver", driver)
                written.append(("driver", driver))
        elif kind == "file" and audio.get("path") is not None:
            written.append(("path", audio.get("path", "")))
        if not len(audio) and audio.items() == written:
            continue  # (most backends) already as written
        audio.attrib.clear()
        for old in list(audio):
            audio.remove(old)
        for name, value in written:
            audio.set(name, value)
        audio.extend(written_directions)


_NO_IDS: set[str | None] = set()  # (never changed)


def validate_audios(audios: list[etree._Element]) -> None:
    """virDomainAudioDefValidate and the audio references of sound devices."""
    if len(audios) < 2:
        return  # no id used twice
    seen: set[str | None] = set()
    ids = [audio.get("id") for audio in audios]
    repeated = {number for number in ids if number in seen or seen.add(number)}
    for number in ids:  # the first audio whose id another has too
        if number in repeated:
            raise _xml_error(f"audio ID {number} is used multiple times")


# --- sound, watchdog, hub, panic, memory balloon ---------------------------------------------

SOUND_MODELS = ("sb16", "es1370", "pcspk", "ac97", "ich6", "ich9", "usb", "ich7")
SOUND_CODECS = ("duplex", "micro", "output")
WATCHDOG_MODELS = ("i6300esb", "ib700", "diag288")
WATCHDOG_ACTIONS = ("reset", "shutdown", "poweroff", "pause", "dump", "none", "inject-nmi")
PANIC_MODELS = ("default", "isa", "pseries", "hyperv", "s390")
MEMBALLOON_MODELS = ("virtio", "xen", "none", "virtio-transitional", "virtio-non-transitional")
ON_OFF = ("on", "off")


def _info_only(device: etree._Element, written: list[etree._Element], after: tuple[etree._Element, ...] = ()) -> None:
    """The device's children replaced by those written, its device info (kept), then after."""
    for old in device[:]:  # (a list made in C: cheaper than list(), which iterates)
        if old.tag not in DEVICE_INFO_TAIL:
            device.remove(old)
    for position, element in enumerate(written):
        device.insert(position, element)
    device.extend(after)


def canonical_sounds(by_kind: dict[str, list[etree._Element]]) -> None:
    """Sound devices as virDomainSoundDefParseXML reads them and virDomainSoundDefFormat writes them."""
    for sound in by_kind.get("sound", ()):
        model = str(_enum(sound, "model", SOUND_MODELS, required=True))
        check_device_address(sound)
        written: list[etree._Element] = []
        if model in ("ich6", "ich9"):  # the models with codecs
            for codec in children_of(sound, "codec"):
                kind = codec.get("type")
                if kind not in SOUND_CODECS:
                    raise _unsupported(f"unknown codec type '{'(null)' if kind is None else kind}'")
                written.append(make_element("codec", type=str(kind)))
        audio = first_child(sound, "audio")
        if audio is not None:
            written.append(make_element("audio", id=str(_uint_attribute(audio, "id", nonzero=True, required=True))))
        _info_only(sound, written)
        sound.attrib.clear()
        sound.set("model", model)


def canonical_watchdogs_and_balloons(
    by_kind: dict[str, list[etree._Element]], written: set[etree._Element] | None = None
) -> None:
    """Watchdogs and the memory balloon as their parsers read them and formatters write them
    (written: as check_device_address's, added to)."""
    for watchdog in by_kind.get("watchdog", ()):
        model, action = watchdog.get("model"), watchdog.get("action", "reset")
        if model is None:
            raise _internal("watchdog must contain model name")
        if model not in WATCHDOG_MODELS:
            raise _unsupported(f"unknown watchdog model '{model}'")
        if action not in WATCHDOG_ACTIONS:
            raise _unsupported(f"unknown watchdog action '{action}'")
        check_device_address(watchdog)
        _info_only(watchdog, [])
        watchdog.attrib.clear()
        watchdog.set("model", model)
        watchdog.set("action", action)
    balloons = by_kind.get("memballoon", [])
    if len(balloons) > 1:
        raise _internal("only a single memory balloon device is supported")
    for balloon in balloons:
        if not len(balloon):  # (most) a known model alone: written as it is
            given = balloon.items()
            if len(given) == 1 and given[0][0] == "model" and given[0][1] in MEMBALLOON_MODELS:
                continue
        model = balloon.get("model", "")
        if model not in MEMBALLOON_MODELS:  # absent or unknown: refused as the parser refuses it
            model = str(_enum(balloon, "model", MEMBALLOON_MODELS, required=True))
        autodeflate, reporting = balloon.get("autodeflate"), balloon.get("freePageReporting")
        if autodeflate is not None and autodeflate not in ON_OFF:
            _enum(balloon, "autodeflate", ON_OFF)  # (its refusal)
        if reporting is not None and reporting not in ON_OFF:
            _enum(balloon, "freePageReporting", ON_OFF)
        if len(balloon) == 1 and model != "none" and balloon[0].tag in DEVICE_INFO_TAIL:
            check_device_address(balloon, written)  # (the others' usual child: no stats, no driver)
        elif len(balloon):  # (most balloons have no children: no stats, driver or device info)
            _balloon_children(balloon, model, written)
        attributes = [("model", model)]
        if autodeflate is not None:
            attributes.append(("autodeflate", autodeflate))
        if reporting is not None:
            attributes.append(("freePageReporting", reporting))
        if balloon.items() != attributes:  # (most are written so already)
            balloon.attrib.clear()
            for name, value in attributes:
                balloon.set(name, value)


def _balloon_children(balloon: etree._Element, model: str, written: set[etree._Element] | None = None) -> None:
    """A memory balloon's stats period, driver options and device info as its parser reads them."""
    stats = first_child(balloon, "stats")
    period = (prop_int(stats, "period", base=0) or 0) if stats is not None else 0
    driver = _virtio_driver(balloon)
    if model != "none":
        check_device_address(balloon, written)
    if model == "none":  # its device info is not read
        for info in [child for child in balloon if child.tag in DEVICE_INFO_TAIL]:
            balloon.remove(info)
    _info_only(
        balloon,
        [make_element("stats", period=str(period))] if period > 0 else [],
        (driver,) if driver is not None else (),
    )


def canonical_hubs_and_panics(by_kind: dict[str, list[etree._Element]]) -> None:
    """Hubs and panic devices: their types and models checked."""
    for hub in by_kind.get("hub", ()):
        kind = hub.get("type")
        if kind is None:
            raise _internal("missing hub device type")
        if kind != "usb":
            raise _unsupported(f"unknown hub device type '{kind}'")
        check_device_address(hub)
    for panic in by_kind.get("panic", ()):
        check_device_address(panic)  # read before the model
        model = panic.get("model")
        if model is not None and model not in PANIC_MODELS:
            raise _unsupported(f"unknown panic model '{model}'")
        if model == "default":  # the zero value: not written
            del panic.attrib["model"]
    if "panic" in by_kind:  # a panic device with neither model nor address writes nothing
        by_kind["panic"] = [panic for panic in by_kind["panic"] if len(panic.attrib) or len(panic)]


# the devices virDomainDefParseXML reads before sound devices (their addresses with them)
PARSED_BEFORE_SOUNDS = (
    "disk",
    "controller",
    "filesystem",
    "interface",
    "smartcard",
    "parallel",
    "serial",
    "console",
    "channel",
    "input",
)

# of those, the ones whose addresses are left to canonical_other_devices (read_character_devices
# and canonical_inputs have checked the others', the same check, on the same addresses since)
ADDRESSES_LEFT_BEFORE_SOUNDS = ("disk", "controller", "filesystem", "interface", "smartcard")

# the kinds whose addresses canonical_other_devices, read_character_devices and
# canonical_chr_holders have checked (and left alone since) before canonical_aliases runs
ADDRESS_CHECKED_BEFORE_ALIASES = frozenset(
    (*PARSED_BEFORE_SOUNDS, "sound", "watchdog", "memballoon", "hub", "panic", "redirdev")
)


IOMMU_MODELS = ("intel", "smmuv3", "virtio")  # virDomainIOMMUModel


def canonical_other_devices(by_kind: dict[str, list[etree._Element]]) -> set[etree._Element]:
    """Sound, audio, watchdog, memory balloon, TPM, hub, panic and shared memory devices, in
    the parser's order; the devices the parser reads before them have their addresses
    checked first. Returns those addresses found written as libvirt writes them (see
    check_device_address)."""
    written: set[etree._Element] = set()
    for kind in ADDRESSES_LEFT_BEFORE_SOUNDS:
        for device in by_kind.get(kind, ()):
            if len(device):  # (no children, no address)
                check_device_address(device, written)
    # (each called only with its kinds present: most definitions have none of most of them)
    if "sound" in by_kind:
        canonical_sounds(by_kind)
    if "audio" in by_kind:
        canonical_audios(by_kind)
    if "watchdog" in by_kind or "memballoon" in by_kind:
        canonical_watchdogs_and_balloons(by_kind, written)
    if "tpm" in by_kind:
        check_tpms(by_kind)
    if "hub" in by_kind or "panic" in by_kind:
        canonical_hubs_and_panics(by_kind)
    if "shmem" in by_kind:
        canonical_shmems(by_kind)
    for iommu in by_kind.get("iommu", ()):  # virDomainIOMMUDefParseXML (read after the memory devices)
        _enum(iommu, "model", IOMMU_MODELS, required=True)
    return written


# --- device addresses, as virDomainDeviceAddressParseXML reads them -------------------------------

ADDRESS_TYPES = (
    "pci",
    "drive",
    "virtio-serial",
    "ccid",
    "usb",
    "spapr-vio",
    "virtio-s390",
    "ccw",
    "virtio-mmio",
    "isa",
    "dimm",
    "unassigned",
)
# per address type: its unsigned attributes and the base each is read in (0: C's, with 0x and 0)
ADDRESS_NUMBERS = {
    "pci": (("domain", 0), ("bus", 0), ("slot", 0), ("function", 0)),
    "drive": (("controller", 10), ("bus", 10), ("target", 10), ("unit", 10)),
    "virtio-serial": (("controller", 10), ("bus", 10), ("port", 10)),
    "ccid": (("controller", 10), ("slot", 10)),
    "usb": (("bus", 10),),
    "spapr-vio": (("reg", 16),),
    "ccw": (("cssid", 0), ("ssid", 0), ("devno", 0)),
    "isa": (("iobase", 16), ("irq", 16)),
    "dimm": (("slot", 10), ("base", 16)),
}
CCW_LIMITS = {"cssid": 0xFE, "ssid": 3, "devno": 0xFFFF}  # virCCWDeviceAddressIsValid


def _address_number(address: etree._Element, name: str, base: int) -> int | None:
    """virXMLPropUInt / virXMLPropULongLong of an address attribute: no sign, C's strtoul."""
    value = address.get(name)
    if value is None:
        return None
    # the common cases first: plain decimal digits, and 0x and hexadecimal digits where hex is read
    number = None
    plain = value.isdigit() and value.isascii() and len(value) < 20  # (int() of a longer one: strtoul_whole's)
    if plain and (base == 10 or (base == 0 and (value[0] != "0" or len(value) == 1))):
        number = int(value)
    elif base != 10 and value[:2] == "0x" and value[2:].isalnum() and value.isascii():
        try:
            number = int(value[2:], 16)
        except ValueError:
            number = None
    if number is not None and number <= (0xFFFFFFFFFFFFFFFF if name in ("reg", "base") else 0xFFFFFFFF):
        return number
    limit = ULLONG_MAX if name in ("reg", "base") else UINT_MAX
    number = strtoul_whole(value, base, limit)
    if number is None:
        detail = (
            f"Invalid value for attribute '{name}' in element 'address': '{value}'. Expected non-negative integer value"
        )
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return number


_DRIVE_NAMES = ["type", *(name for name, _ in ADDRESS_NUMBERS["drive"])]
_PCI_NAMES = ["type", "domain", "bus", "slot", "function"]
# the values of a drive address with its four numbers as plain decimal digits below UINT_MAX,
# as libvirt writes them (most disks' addresses: each would be read as it is), joined by commas
_PLAIN_DRIVE = re.compile(r"drive(?:,(?:0|[1-9][0-9]{0,8})){4}")
# those of a PCI address as domain_addresses.written_pci finds it (type, domain, bus, slot and
# function as virPCIDeviceAddressFormat writes them, not all of domain, bus and slot zero)
_WRITTEN_PCI = re.compile(r"pci,(?!0x0000,0x00,0x00,)0x[0-9a-f]{4},0x[0-9a-f]{2},0x[01][0-9a-f],0x[0-7]")


def _as_written(address: etree._Element, written: set[etree._Element] | None) -> bool:
    """Whether the address is a PCI or drive address already as libvirt writes it, with its
    attributes in its order (most addresses of a document): checking its numbers would find
    nothing, and canonical_address would leave it as it is (then added to written, when given,
    unless it has children). One match of the values joined: as many fields as values, so no
    value holds a comma."""
    names = address.keys()
    if names == _PCI_NAMES:
        if len(address) or _WRITTEN_PCI.fullmatch(",".join(address.values())) is None:
            return False
    elif names != _DRIVE_NAMES or _PLAIN_DRIVE.fullmatch(",".join(address.values())) is None:
        return False
    elif len(address):
        return True  # (canonical_address's test: no children)
    if written is not None:
        written.add(address)
    return True


ROM_DEVICES = ("interface", "hostdev")  # the devices whose parser reads a <rom>


def read_rom_and_acpi(device: etree._Element) -> None:
    """virDomainDeviceInfoParseXML's <rom> (interfaces and host devices only: enabled, bar and
    file, in that order) and <acpi> (a non-zero index), the first of each; written back with
    what was read, not at all when nothing was. (Read for interfaces and host devices: the
    other devices' <acpi> is kept as given.)"""
    parts = [child for child in device if child.tag in ("rom", "acpi")]
    rom = next((part for part in parts if part.tag == "rom"), None)
    acpi = next((part for part in parts if part.tag == "acpi"), None)
    for part in parts:
        if part is not rom and part is not acpi:
            device.remove(part)
    if rom is not None and device.tag in ROM_DEVICES:
        values = {
            "enabled": prop_enum(rom, "enabled", ("yes", "no")),
            "bar": prop_enum(rom, "bar", ("on", "off")),
            "file": rom.get("file"),
        }
        if values["enabled"] == "no" and (values["bar"] is not None or values["file"] is not None):
            raise _unsupported("ROM tuning is not supported when ROM is disabled")
        read = [(name, value) for name, value in values.items() if value is not None]
        if not read:
            device.remove(rom)
        elif rom.items() != read:
            rom.attrib.clear()
            rom.attrib.update(read)
    elif rom is not None:
        device.remove(rom)
    if acpi is not None:
        _read_acpi_index(device, acpi)


def _read_acpi_index(device: etree._Element, acpi: etree._Element) -> None:
    """A device's first <acpi>: its index non-zero when given, written alone; nothing when
    there is none."""
    index = prop_uint(acpi, "index", nonzero=True)
    if index is None:
        device.remove(acpi)
    elif acpi.items() != [("index", str(index))]:
        acpi.attrib.clear()
        acpi.set("index", str(index))


def check_device_address(device: etree._Element, written: set[etree._Element] | None = None) -> etree._Element | None:
    """The device's <address> (its first) as virDomainDeviceAddressParseXML reads it: a known
    type and numbers each type's parser accepts; returns it (None when there is none).
    written: when given, the address is added to it when it is a PCI or drive address already
    as domain_addresses.canonical_address writes it (which then has nothing to do for it, as
    long as it is not changed)."""
    if not len(device):
        return None
    addresses: list[etree._Element] = []
    acpi = None
    for found in device[:]:  # (children_of's: its call costs about as much as this loop over most devices)
        tag = found.tag
        if tag == "address":
            addresses.append(found)
        elif tag == "acpi" and acpi is None:
            acpi = found
    if acpi is not None:  # (virDomainDeviceInfoParseXML reads it just before the address)
        _read_acpi_index(device, acpi)
    if not addresses:
        return None
    address = addresses[0]
    if len(addresses) > 1:
        for extra in addresses[1:]:  # the parser reads the first
            device.remove(extra)
    if _as_written(address, written):
        return address  # its numbers read and checked below would all pass
    kind = address.get("type")
    if kind is None:
        raise _internal("No type specified for device address")
    if kind not in ADDRESS_TYPES:
        raise _unsupported(f"unknown address type '{kind}'")
    if kind == "virtio-s390":
        raise _xml_error("virtio-s390 bus doesn't have an address")
    if kind == "dimm" and address.get("slot") is None:
        raise _required(address, "slot")
    if kind == "usb":
        usb_port(address.get("port"))  # read before the bus
    numbers = {name: _address_number(address, name, base) for name, base in ADDRESS_NUMBERS.get(kind, ())}
    if kind == "pci":
        _enum(address, "multifunction", ("on", "off"))
        pci_values(address)  # virPCIDeviceAddressIsValid, part of the parse
    if kind == "ccw":
        given = [name for name in CCW_LIMITS if numbers.get(name) is not None]
        if len(given) == len(CCW_LIMITS):
            if any(int(numbers[name] or 0) > limit for name, limit in CCW_LIMITS.items()):
                detail = (
                    "Invalid specification for virtio ccw address: "
                    f"cssid='0x{numbers['cssid']:x}' ssid='0x{numbers['ssid']:x}' devno='0x{numbers['devno']:04x}'"
                )
                raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DEVICE, detail)
        elif given:
            detail = "Invalid partial specification for virtio ccw address"
            raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DEVICE, detail)
    return address
