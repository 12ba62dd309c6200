"""Test driver: a domain's <clock> read and written as libvirt does (virDomainDefClockParse,
virDomainTimerDefParseXML, virDomainClockDefFormat, virDomainTimerDefFormat in domain_conf.c;
virDomainDefPostParseTimer in domain_postparse.c).

libvirt reads the offset and its data from the first <clock> and the timers of every
<clock> (its XPath is ./clock/timer); an adjustment on a utc or localtime clock makes it a
variable one with that basis."""

from __future__ import annotations

from lxml import etree

from virtrio.drivers import libvirt_rules
from virtrio.drivers.libvirt_rules import ULLONG_MAX, prop_enum, strtol_whole, strtoul_whole
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, report

from .xml_tree import children_of, first_child, make_element

OFFSETS = ("utc", "localtime", "variable", "timezone", "absolute")
BASES = ("utc", "localtime")
TIMER_NAMES = ("platform", "pit", "rtc", "hpet", "tsc", "kvmclock", "hypervclock", "armvtimer")
# the enums' zero values ("none") are refused (VIR_XML_PROP_NONZERO)
TICK_POLICIES = ("delay", "catchup", "merge", "discard")
TRACKS = ("boot", "guest", "wall", "realtime")
TSC_MODES = ("auto", "native", "emulate", "paravirt", "smpsafe")
CATCHUP_LIMITS = ("threshold", "slew", "limit")


def _string(element: etree._Element, name: str) -> str | None:
    """virXPathString of an attribute: None when absent or empty."""
    return element.get(name) or None


def _unsupported(detail: str) -> LibvirtError:
    return report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)


def _internal(detail: str) -> LibvirtError:
    return report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, detail)


def canonical_clock(clocks: list[etree._Element]) -> etree._Element:
    """The <clock> libvirt writes for a domain document that has at least one (clocks: the
    root's <clock> children)."""
    clock = clocks[0]
    given = clock.get("offset")
    offset = given or "utc"
    if len(clocks) == 1 and given in ("utc", "localtime") and not len(clock) and len(clock.attrib) == 1:
        return clock  # (most documents: already as libvirt writes it)
    if offset not in OFFSETS:
        raise _unsupported(f"unknown clock offset '{offset}'")
    written = make_element("clock", offset=offset)
    if offset in ("utc", "localtime"):
        adjustment = _string(clock, "adjustment")
        if adjustment == "reset":
            written.set("adjustment", "reset")
        elif adjustment is not None:
            seconds = strtol_whole(adjustment, 10, bits=64)
            if seconds is None:
                raise libvirt_rules.xml_error(api.VIR_FROM_DOMAIN, f"unknown clock adjustment '{adjustment}'")
            written.attrib.update({"offset": "variable", "adjustment": str(seconds), "basis": offset})
    elif offset == "variable":
        # an unreadable adjustment is 0 (virXPathLongLong's failure is not an error here)
        seconds = strtol_whole(clock.get("adjustment") or "", 10, bits=64) or 0
        basis = _string(clock, "basis") or "utc"
        if basis not in BASES:
            raise _unsupported(f"unknown clock basis '{basis}'")
        written.attrib.update({"adjustment": str(seconds), "basis": basis})
    elif offset == "timezone":
        timezone = _string(clock, "timezone")
        if timezone is None:
            raise _internal("missing 'timezone' attribute for clock with offset='timezone'")
        written.set("timezone", timezone)
    else:
        start = strtoul_whole(clock.get("start") or "", 10, ULLONG_MAX)
        if start is None:
            raise _internal("missing 'start' attribute for clock with offset='absolute'")
        written.set("start", str(start))
    for each in clocks:
        for timer in children_of(each, "timer"):
            written.append(_timer(timer))
    return written


def _ulonglong(element: etree._Element, name: str) -> int:
    """virXMLPropULongLong in base 10: 0 when absent."""
    text = element.get(name)
    if text is None:
        return 0
    value = strtoul_whole(text, 10, ULLONG_MAX)
    if value is None:
        raise libvirt_rules.attribute_error(element.tag, name, text, "Expected non-negative integer value")
    return value


def _timer(timer: etree._Element) -> etree._Element:
    name = prop_enum(timer, "name", TIMER_NAMES, required=True)
    present = prop_enum(timer, "present", ("yes", "no"))
    tickpolicy = prop_enum(timer, "tickpolicy", TICK_POLICIES)
    track = prop_enum(timer, "track", TRACKS)
    frequency = _ulonglong(timer, "frequency")
    mode = prop_enum(timer, "mode", TSC_MODES)
    catchup = first_child(timer, "catchup")
    limits = [(limit, _ulonglong(catchup, limit)) for limit in CATCHUP_LIMITS] if catchup is not None else []
    written = make_element("timer", name=name)
    for attribute, value in (("present", present), ("tickpolicy", tickpolicy), ("track", track)):
        if value is not None:
            written.set(attribute, value)
    # libvirt writes these two for the TSC only; the post-parse check refuses them on the others
    if frequency:
        written.set("frequency", str(frequency))
    if mode is not None:
        written.set("mode", mode)
    set_limits = {limit: str(value) for limit, value in limits if value}
    if set_limits:
        etree.SubElement(written, "catchup", set_limits)
    return written


def check_timers(definition: list[etree._Element]) -> None:
    """virDomainDefPostParseTimer's refusals, on a definition's canonical <clock>."""
    clock = next((element for element in definition if element.tag == "clock"), None)
    if clock is None:
        return
    for timer in clock:
        name = timer.get("name")
        tickpolicy = timer.get("tickpolicy")
        if name in ("kvmclock", "hypervclock") and tickpolicy is not None:
            raise _unsupported(f"timer {name} doesn't support setting of timer tickpolicy")
        if tickpolicy != "catchup" and len(timer):
            raise libvirt_rules.xml_error(
                api.VIR_FROM_DOMAIN, "setting of timer catchup policies is only supported with tickpolicy='catchup'"
            )
        if name != "tsc":
            for setting in ("frequency", "mode"):
                if timer.get(setting) is not None:
                    raise _unsupported(f"timer {name} doesn't support setting of timer {setting}")
        if name not in ("platform", "rtc") and timer.get("track") is not None:
            raise _unsupported(f"timer {name} doesn't support setting of timer track")
