"""connectBaselineCPU: the CPU model every given host CPU can run, worked out as libvirt's CPU driver does.

The x86 models, features and vendors come from libvirt's installed CPU map (the same files
cpu_models reads). CPU data is kept per register: (kind, leaf, subleaf, register) -> bits.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from lxml import etree

from virtrio.drivers.libvirt_rules import missing_attribute
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from ..xml_text import escape_text
from .cpu_models import CPU_MAP
from .domain_cpu import checked_feature_name
from .parse import ARCHITECTURES, parse_xml

FROM_CPU = api.VIR_FROM_CPU
Data = dict[tuple[str, int, int, str], int]
REQUIRE, DISABLE = "require", "disable"
# The CPU drivers of virArch's names (parse.ARCHITECTURES)
DRIVERS = {
    "i686": "x86",
    "x86_64": "x86",
    "ppc64": "ppc64",
    "ppc64le": "ppc64",
    "s390": "s390",
    "s390x": "s390",
    "armv6l": "arm",
    "armv7b": "arm",
    "armv7l": "arm",
    "aarch64": "arm",
}
BASE_PENALTY = 2


def _error(code: int, detail: str) -> Exception:
    return report(code, FROM_CPU, detail)


# ------------------------------------------------------------------ CPU data
def _add(data: Data, other: Data) -> None:
    for key, bits in other.items():
        data[key] = data.get(key, 0) | bits


def _subtract(data: Data, other: Data) -> None:
    for key in data:
        data[key] &= ~other.get(key, 0)


def _intersect(data: Data, other: Data) -> None:
    for key in data:
        data[key] &= other.get(key, 0)


def _is_subset(data: Data, subset: Data) -> bool:
    return all(data.get(key, 0) & bits == bits for key, bits in subset.items())


def _is_empty(data: Data) -> bool:
    return not any(data.values())


# ------------------------------------------------------------------ the map
@dataclass
class Vendor:
    name: str
    data: Data


@dataclass
class Feature:
    name: str
    data: Data


@dataclass
class Model:
    name: str
    decode_guest: bool = True
    vendor: Vendor | None = None
    data: Data = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)


@dataclass
class X86Map:
    vendors: list[Vendor] = field(default_factory=list)
    features: list[Feature] = field(default_factory=list)
    models: list[Model] = field(default_factory=list)

    def vendor(self, name: str) -> Vendor | None:
        return next((v for v in self.vendors if v.name == name), None)

    def feature(self, name: str) -> Feature | None:
        return next((f for f in self.features if f.name == name), None)

    def model(self, name: str) -> Model | None:
        return next((m for m in self.models if m.name == name), None)


def _number(text: str | None) -> int:
    return int(text, 0) if text else 0


def _item_data(element: etree._Element) -> Data:
    data: Data = {}
    for item in element:
        if item.tag == "cpuid":
            leaf, subleaf = _number(item.get("eax_in")), _number(item.get("ecx_in"))
            registers = {(("cpuid", leaf, subleaf, r)): _number(item.get(r)) for r in ("eax", "ebx", "ecx", "edx")}
        elif item.tag == "msr":
            index = _number(item.get("index"))
            registers = {("msr", index, 0, r): _number(item.get(r)) for r in ("eax", "edx")}
        else:
            continue
        _add(data, registers)
    return data


def _vendor_data(string: str) -> Data:
    raw = string.encode()
    words = [int.from_bytes(raw[i : i + 4], "little") for i in (0, 4, 8)]
    return {("cpuid", 0, 0, "ebx"): words[0], ("cpuid", 0, 0, "edx"): words[1], ("cpuid", 0, 0, "ecx"): words[2]}


def _map_sections(group: str) -> list[etree._Element]:
    """The arch's section of the CPU map's index, then each included file, in libvirt's loading order."""
    index = etree.parse(str(CPU_MAP / "index.xml")).getroot()
    section = index.find(f"arch[@name='{group}']")
    if section is None:
        raise _error(api.VIR_ERR_INTERNAL_ERROR, f"cannot find CPU map for {group} architecture")
    roots = [section]
    for include in section.findall("include"):
        roots.append(etree.parse(str(CPU_MAP / include.get("filename", ""))).getroot())
    return roots


@functools.cache
def x86_map() -> X86Map:
    found = X86Map()
    for root in _map_sections("x86"):
        for element in root.findall("vendor"):
            found.vendors.append(Vendor(element.get("name"), _vendor_data(element.get("string", ""))))
        for element in root.findall("feature"):
            found.features.append(Feature(element.get("name"), _item_data(element)))
        for element in root.findall("model"):
            model = Model(element.get("name"))
            decode = element.find("decode")
            model.decode_guest = decode is None or decode.get("guest") in ("on", "yes")
            ancestor = element.find("model")
            if ancestor is not None and (parent := found.model(ancestor.get("name", ""))) is not None:
                model.vendor, model.data = parent.vendor, dict(parent.data)
            vendor = element.find("vendor")
            if vendor is not None:
                model.vendor = found.vendor(vendor.get("name", ""))
            for feature in element.findall("feature"):
                if feature.get("removed") == "yes":
                    model.removed.append(feature.get("name"))
                elif (known := found.feature(feature.get("name", ""))) is not None:
                    _add(model.data, known.data)
            found.models.append(model)
    return found


@functools.cache
def ppc64_map() -> tuple[list[str], dict[str, str | None]]:
    """The ppc64 vendors, and each model's vendor."""
    vendors: list[str] = []
    models: dict[str, str | None] = {}
    for root in _map_sections("ppc64"):
        vendors += [element.get("name") for element in root.findall("vendor")]
        for element in root.findall("model"):
            vendor = element.find("vendor")
            models[element.get("name")] = vendor.get("name") if vendor is not None else None
    return vendors, models


# ------------------------------------------------------------ CPU definitions
@dataclass
class HostCpu:
    arch: str
    model: str
    vendor: str | None
    features: list[str]


@dataclass
class GuestCpu:
    model: str
    vendor: str | None = None
    fallback: str = "allow"
    features: list[tuple[str, str]] = field(default_factory=list)  # (name, policy)

    def add_if_missing(self, name: str, policy: str) -> None:
        if all(existing != name for existing, _ in self.features):
            self.features.append((name, policy))

    def xml(self) -> str:
        model = f"  <model fallback='{self.fallback}'>{escape_text(self.model)}</model>"
        lines = ["<cpu mode='custom' match='exact'>", model]
        if self.vendor:
            lines.append(f"  <vendor>{escape_text(self.vendor)}</vendor>")
        lines += [f"  <feature policy='{policy}' name='{name}'/>" for name, policy in self.features]
        return "\n".join([*lines, "</cpu>"]) + "\n"


def _unsigned(element: etree._Element, name: str, required: bool, nonzero: bool) -> None:
    """virXMLPropUInt's checks of an attribute (the value itself is not needed)."""
    value = element.get(name)
    if value is None:
        if required:
            raise missing_attribute(element.tag, name)
        return
    if not re.fullmatch(r"\s*\+?\d+", value) or int(value) > 0xFFFFFFFF:
        raise report(
            api.VIR_ERR_XML_ERROR,
            api.VIR_FROM_XML,
            f"Invalid value for attribute '{name}' in element '{element.tag}': '{value}'. "
            "Expected non-negative integer value",
        )
    if nonzero and int(value) == 0:
        detail = f"Invalid value for attribute '{name}' in element '{element.tag}': Zero is not permitted"
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)


def parse_host_cpu(text: str) -> HostCpu:
    """virCPUDefParseXML of a host CPU, with the checks baseline calls can meet."""
    root = parse_xml(text, "(CPU_definition)", FROM_CPU)
    if etree.QName(root).localname != "cpu":  # the name without its namespace, as virXMLNodeNameEqual
        raise _error(api.VIR_ERR_XML_ERROR, "XML does not contain expected 'cpu' element")
    if root.get("mode") is not None:
        raise _error(api.VIR_ERR_CONFIG_UNSUPPORTED, "Attribute mode is only allowed for guest CPU")
    if root.get("migratable") is not None:
        raise _error(
            api.VIR_ERR_CONFIG_UNSUPPORTED,
            "Attribute migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode",
        )
    arch = root.find("arch")
    arch_name = "".join(arch.itertext()) if arch is not None else ""
    if not arch_name:
        raise _error(api.VIR_ERR_XML_ERROR, "Missing CPU architecture")
    if arch_name not in ARCHITECTURES:
        raise _error(api.VIR_ERR_CONFIG_UNSUPPORTED, f"Unknown architecture {arch_name}")
    signature = root.find("signature")
    if signature is not None:
        _unsigned(signature, "family", True, True)
        _unsigned(signature, "model", True, False)
        _unsigned(signature, "stepping", True, False)
    model = root.find("model")
    model_name = "".join(model.itertext()) if model is not None else ""
    if not model_name:
        raise _error(api.VIR_ERR_XML_ERROR, "Missing CPU model name")
    vendor = root.find("vendor")
    topology = root.find("topology")
    if topology is not None:
        for name, required in (("sockets", True), ("dies", False), ("cores", True), ("threads", True)):
            _unsigned(topology, name, required, True)
    named: set[str] = set()
    features = [checked_feature_name(element, named) for element in root.findall("feature")]
    if len(root.findall("cache")) > 1:
        raise _error(api.VIR_ERR_XML_ERROR, "at most one CPU cache element may be specified")
    vendor_name = "".join(vendor.itertext()) if vendor is not None else ""
    return HostCpu(arch_name, model_name, vendor_name or None, features)


# ------------------------------------------------------------------- x86
def _model_data(cpu: HostCpu, cpu_map: X86Map) -> Model:
    """x86ModelFromCPU for a host CPU: its model's data and its features'."""
    known = cpu_map.model(cpu.model)
    if known is None:
        raise _error(api.VIR_ERR_INTERNAL_ERROR, f"Unknown CPU model {cpu.model}")
    model = Model(known.name, known.decode_guest, known.vendor, dict(known.data), list(known.removed))
    for name in cpu.features:
        feature = cpu_map.feature(name)
        if feature is None:
            raise _error(api.VIR_ERR_INTERNAL_ERROR, f"Unknown CPU feature {name}")
        _add(model.data, feature.data)
    return model


def _take_vendor(data: Data, cpu_map: X86Map) -> Vendor | None:
    """x86DataToVendor: the vendor the data names, whose bits it then loses."""
    for vendor in cpu_map.vendors:
        if _is_subset(data, vendor.data):
            _subtract(data, vendor.data)
            return vendor
    return None


def _features_of(data: Data, policy: str, cpu_map: X86Map) -> list[tuple[str, str]]:
    """x86DataToCPUFeatures: the map's features the data holds, in map order (each taken out of it)."""
    found = []
    for feature in cpu_map.features:
        if _is_subset(data, feature.data):
            _subtract(data, feature.data)
            found.append((feature.name, policy))
    return found


def _candidate(data: Data, model: Model, cpu_map: X86Map) -> GuestCpu:
    """x86DataToCPU for a guest CPU: the model, plus what the data adds, minus what it lacks."""
    extra, missing = dict(data), dict(model.data)
    _subtract(extra, model.data)
    _subtract(missing, data)
    cpu = GuestCpu(model.name)
    cpu.features = _features_of(extra, REQUIRE, cpu_map) + _features_of(missing, DISABLE, cpu_map)
    for name in model.removed:
        cpu.add_if_missing(name, DISABLE)
    return cpu


def _weight(cpu: GuestCpu) -> tuple[int, int]:
    """(score, disabled) as virCPUx86CompareCandidateFeatureList counts them, its loop bound included."""
    enabled, disabled, penalty = len(cpu.features), 0, BASE_PENALTY
    i = 0
    while i < enabled:
        if cpu.features[i][1] == DISABLE:
            enabled -= 1
            disabled += penalty
            penalty += 1
        i += 1
    return enabled + disabled, disabled


def _better(current: GuestCpu | None, candidate: GuestCpu, model: Model, preferred: list[str]) -> int:
    """x86DecodeUseCandidate for guest CPUs without a signature: 0 worse, 1 better, 2 the one."""
    if not model.decode_guest:
        return 0
    is_preferred = candidate.model in preferred
    if is_preferred and len(preferred) == 1:
        return 2
    if current is None:
        return 1
    score, disabled = _weight(candidate)
    current_score, current_disabled = _weight(current)
    if score < current_score or (score == current_score and disabled < current_disabled):
        return 1
    return int(is_preferred and disabled < current_disabled)


def _decode(data: Data, preferred: list[str], cpu_map: X86Map) -> GuestCpu:
    """x86Decode: the newest model that describes the data with the fewest changes."""
    data = dict(data)
    vendor = _take_vendor(data, cpu_map)
    best: GuestCpu | None = None
    for model in reversed(cpu_map.models):
        if vendor is not None and model.vendor is not None and model.vendor is not vendor:
            continue
        candidate = _candidate(data, model, cpu_map)
        verdict = _better(best, candidate, model, preferred)
        if verdict:
            best = candidate
            if verdict == 2:
                break
    if best is None:
        raise _error(api.VIR_ERR_INTERNAL_ERROR, "Cannot find suitable CPU model for given data")
    best.vendor = vendor.name if vendor is not None else None
    return best


def _x86_baseline(cpus: list[HostCpu]) -> GuestCpu:
    cpu_map = x86_map()
    base = _model_data(cpus[0], cpu_map)
    output_vendor = cpus[0].vendor is not None
    vendor = None
    if cpus[0].vendor is not None:
        vendor = cpu_map.vendor(cpus[0].vendor)
        if vendor is None:
            raise _error(api.VIR_ERR_OPERATION_FAILED, f"Unknown CPU vendor {cpus[0].vendor}")
    names = [cpus[0].model]
    for cpu in cpus[1:]:
        if cpu.model not in names:
            names.append(cpu.model)
        model = _model_data(cpu, cpu_map)
        if cpu.vendor and model.vendor is not None and cpu.vendor != model.vendor.name:
            detail = f"CPU vendor {model.vendor.name} of model {model.name} differs from vendor {cpu.vendor}"
            raise _error(api.VIR_ERR_OPERATION_FAILED, detail)
        name = cpu.vendor
        if name is None:
            output_vendor = False
            name = model.vendor.name if model.vendor is not None else None
        if name is not None:
            if vendor is None:
                vendor = cpu_map.vendor(name)
                if vendor is None:
                    raise _error(api.VIR_ERR_OPERATION_FAILED, f"Unknown CPU vendor {name}")
            elif vendor.name != name:
                raise _error(api.VIR_ERR_OPERATION_FAILED, "CPU vendors do not match")
        _intersect(base.data, model.data)
    if _is_empty(base.data):
        raise _error(api.VIR_ERR_OPERATION_FAILED, "CPUs are incompatible")
    if vendor is not None:
        _add(base.data, vendor.data)
    result = _decode(base.data, names, cpu_map)
    if len(names) == 1 and result.model == names[0]:
        result.fallback = "forbid"
    if not output_vendor:
        result.vendor = None
    return result


def _x86_expand(cpu: GuestCpu) -> None:
    """virCPUx86ExpandFeatures for a guest CPU: every feature its model implies, listed."""
    cpu_map = x86_map()
    model = cpu_map.model(cpu.model)
    if model is None:
        raise _error(api.VIR_ERR_INTERNAL_ERROR, f"unknown CPU model {cpu.model}")
    expanded = _features_of(dict(model.data), REQUIRE, cpu_map)
    for name, policy in cpu.features:
        position = next((i for i, (existing, _) in enumerate(expanded) if existing == name), None)
        if position is None:
            expanded.append((name, policy))
        else:
            expanded[position] = (name, policy)
    cpu.features = expanded
    for name in model.removed:
        cpu.add_if_missing(name, DISABLE)


# -------------------------------------------------------------- ppc64, arm
def _ppc64_baseline(cpus: list[HostCpu]) -> GuestCpu:
    vendors, models = ppc64_map()
    first = cpus[0].model
    if first not in models:
        raise _error(api.VIR_ERR_INTERNAL_ERROR, f"Unknown CPU model {first}")
    model_vendor = models[first]
    vendor = None
    for cpu in cpus:
        if cpu.model != first:
            raise _error(api.VIR_ERR_OPERATION_FAILED, "CPUs are incompatible")
        if cpu.vendor is None:
            continue
        if cpu.vendor not in vendors:
            raise _error(api.VIR_ERR_OPERATION_FAILED, f"Unknown CPU vendor {cpu.vendor}")
        if model_vendor is not None:
            if model_vendor != cpu.vendor:
                detail = f"CPU vendor {model_vendor} of model {first} differs from vendor {cpu.vendor}"
                raise _error(api.VIR_ERR_OPERATION_FAILED, detail)
        elif vendor is not None:
            if vendor != cpu.vendor:
                raise _error(api.VIR_ERR_OPERATION_FAILED, "CPU vendors do not match")
        else:
            vendor = cpu.vendor
    return GuestCpu(first, vendor, "forbid")


def baseline(xml_cpus: list[str], expand: bool) -> str:
    """testConnectBaselineCPU: the baseline CPU's XML."""
    if not xml_cpus:
        raise _error(api.VIR_ERR_INVALID_ARG, "no CPUs given")
    cpus = [parse_host_cpu(text) for text in xml_cpus]
    arch = cpus[0].arch
    driver = DRIVERS.get(arch)
    if driver is None:
        raise _error(api.VIR_ERR_NO_SUPPORT, f"'{arch}' architecture is not supported by CPU driver")
    if driver == "x86":
        result = _x86_baseline(cpus)
    elif driver == "ppc64":
        result = _ppc64_baseline(cpus)
    elif driver == "arm":
        result = GuestCpu(cpus[0].model)
    else:
        raise _error(api.VIR_ERR_NO_SUPPORT, f"cannot compute baseline CPU of {arch} architecture")
    if expand:
        if driver == "x86":
            _x86_expand(result)
        result.features.sort()
    return result.xml()
