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

from lxml import etree

from virtrio.drivers.libvirt_rules import enum_error
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from . import domain_security
from .xml_tree import child, default, make_element, reorder_attributes, reorder_known

DEVICE_INFO_TAIL = ["boot", "alias", "master", "rom", "acpi", "address"]
CHR_CHILD_ORDER = ["source", "protocol", "log", "target", *DEVICE_INFO_TAIL]
CHR_TARGET_ATTRIBUTES = ["type", "name", "address", "port"]
CHR_TCP_PROTOCOLS = ("raw", "telnet", "telnets", "tls")  # virDomainChrTcpProtocol
SOURCE_MODES = ("connect", "bind")
MOUSE_MODES = ("server", "client")  # virDomainMouseMode without its zero, 'default'
# the source elements virDomainChrSourceDefFormat writes (with protocol and log)
CHR_SOURCE_TAGS = ("source", "protocol", "log")
# Serial ports an HVM guest's first console stands for (not PCI, USB or ISA debug ones)
CONSOLE_STUB_SERIAL_TYPES = {None, "isa-serial", "spapr-vio-serial", "system-serial", "sclp-serial"}


def _xml_error(detail: str) -> Exception:
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, detail)


def _internal(detail: str) -> Exception:
    return report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, detail)


def _unsupported(detail: str) -> Exception:
    return report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)


def _required(element: etree._Element, name: str) -> Exception:
    detail = f"Missing required attribute '{name}' in element '{element.tag}'"
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)


def _enum(element: etree._Element, name: str, values: tuple[str, ...], required: bool = False) -> str | None:
    """virXMLPropEnum/Tristate*: one of the values, or None when absent."""
    value = element.get(name)
    if value is None:
        if required:
            raise _required(element, name)
        return None
    if value not in values:
        raise enum_error(element.tag, name, value)
    return value


def _unsigned(element: etree._Element, name: str) -> str:
    """virXMLPropUInt (base 10, required): the number as libvirt writes it back."""
    value = element.get(name)
    if value is None:
        raise _required(element, name)
    stripped = value.lstrip(" \t\n\v\f\r")
    digits = stripped[1:] if stripped.startswith("+") else stripped
    if not digits.isdigit() or not digits.isascii() or int(digits) > 0xFFFFFFFF:
        detail = (
            f"Invalid value for attribute '{name}' in element '{element.tag}': '{value}'. "
            "Expected non-negative integer value"
        )
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return str(int(digits))


# --- character device sources -----------------------------------------------------------


def _reconnect(source: etree._Element) -> etree._Element | None:
    """virDomainChrSourceReconnectDefParseXML: <reconnect enabled=… timeout=…/> as written."""
    found = source.find("reconnect")
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
        for label in source.findall("seclabel"):
            written.append(label)
        domain_security.device_seclabels(written)
    return written if len(written.attrib) or len(written) else None


def canonical_chr_source(holder: etree._Element, kind: str, with_labels: bool) -> None:
    """The source, protocol and log children of a character device source's holder as
    virDomainChrSourceDefFormat writes what virDomainChrSourceDefParseXML kept (a
    definition: parse flag INACTIVE); they come first among the holder's children. The
    source's own labels are kept only for character devices (with_labels)."""
    sources = holder.findall("source")
    if len(sources) > 1 and kind != "udp":
        raise _xml_error("only one source element is allowed for character device")
    if len(sources) > 2:
        raise _xml_error("only two source elements are allowed for character device")
    logs, protocols = holder.findall("log"), holder.findall("protocol")
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
        clipboard, mouse = source.find("clipboard"), source.find("mouse")
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


def validate_chr_source(holder: etree._Element, kind: str, channel_target: str | None = None) -> None:
    """virDomainChrSourceDefValidate on the source as written: what each type needs
    (channel_target: a channel's target type, whose UNIX socket path may be generated)."""
    sources = holder.findall("source")
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
    if kind == "udp" and not any(found.get("mode") == "connect" and found.get("service") for found in sources):
        raise _internal("Missing source service attribute for char device")
    if kind == "unix" and attribute("path") is None and channel_target not in ("xen", "virtio"):
        raise _internal("Missing source path attribute for char device")
    reconnects = source is not None and source.find("reconnect[@enabled='yes']") is not None
    if kind in ("tcp", "unix") and attribute("mode") == "bind" and reconnects:
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
    for smartcard in by_kind.get("smartcard", []):
        if smartcard.get("mode") == "passthrough" and smartcard.get("type") is not None:
            canonical_chr_source(smartcard, smartcard.get("type", ""), with_labels=False)
    for redirdev in by_kind.get("redirdev", []):
        kind = redirdev.get("type")
        if kind is None:
            continue
        canonical_chr_source(redirdev, kind, with_labels=False)
        if kind == "dbus" and redirdev.find("source") is None:  # the channel libvirt names
            redirdev.insert(0, make_element("source", channel="org.qemu.usbredir"))
        reorder_known_tail(redirdev)
    for rng in by_kind.get("rng", []):
        backend = rng.find("backend")
        if backend is not None and backend.get("model") == "egd" and backend.get("type") is not None:
            canonical_chr_source(backend, backend.get("type", ""), with_labels=False)


def reorder_known_tail(device: etree._Element) -> None:
    """A device whose children are its source's and then virDomainDeviceInfoFormat's."""
    reorder_known(device, [*CHR_SOURCE_TAGS, *DEVICE_INFO_TAIL])


def canonical_character_devices(by_kind: dict[str, list[etree._Element]], os_type: str) -> None:
    """Serial, parallel, console and channel devices: their sources as libvirt writes them,
    ports numbered, and an HVM guest's first console an alias of its first serial port
    (virDomainDefAddConsoleCompat)."""
    for kind in ("serial", "parallel", "console", "channel"):
        for port, device in enumerate(by_kind.get(kind, [])):
            device.attrib.pop("tty", None)
            default(device, "type", "pty")
            canonical_chr_source(device, device.get("type", "pty"), with_labels=True)
            target = device.find("target")
            if target is None:
                target = child(device, "target")
            if kind == "console":
                target.set("port", str(port))  # a console's port is its place in the document
            elif kind in ("serial", "parallel") and target.get("port") is None:
                target.set("port", str(port))
            elif kind == "channel":
                target.attrib.pop("state", None)  # read from live XML only (parse flag INACTIVE)
            reorder_attributes(target, CHR_TARGET_ATTRIBUTES)
            reorder_known(device, CHR_CHILD_ORDER)
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
        if os_type == "hvm" and position < len(serials) and _target(console).get("type") in (None, "serial", "none"):
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
        reorder_attributes(_target(console), CHR_TARGET_ATTRIBUTES)


def _target(device: etree._Element) -> etree._Element:
    target = device.find("target")
    assert target is not None  # every character device has one once canonical
    return target


def validate_devices(devices: etree._Element) -> None:
    """virDomainDefValidate's checks of the devices of this module."""
    for kind in ("serial", "parallel", "console", "channel"):
        for device in devices.iterfind(kind):
            target = device.find("target")
            channel_target = target.get("type") if kind == "channel" and target is not None else None
            validate_chr_source(device, device.get("type", "pty"), channel_target)
    for redirdev in devices.iterfind("redirdev"):
        validate_chr_source(redirdev, redirdev.get("type", ""))
    for rng in devices.iterfind("rng"):
        backend = rng.find("backend")
        if backend is not None and backend.get("model") == "egd":
            validate_chr_source(backend, backend.get("type", ""))
    for smartcard in devices.iterfind("smartcard"):
        if smartcard.get("mode") == "passthrough":
            validate_chr_source(smartcard, smartcard.get("type", ""))
