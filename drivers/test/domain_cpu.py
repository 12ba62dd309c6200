"""Test driver: a guest CPU's topology and features as libvirt reads and writes them
(virCPUDefParseXML and virCPUDefFormatBuf in cpu_conf.c): the first <topology>'s sockets,
cores and threads (required, not 0) and dies (1 by default), written in that order with
nothing else; each <feature> with its policy ('require' by default) and name, refused when
either is wrong, named twice, or listed for a custom CPU without a model."""

from __future__ import annotations

from lxml import etree

from virtrio.drivers.libvirt_rules import missing_attribute, prop_uint, xml_error
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .xml_tree import children_of, make_element

FEATURE_POLICIES = ("force", "require", "optional", "disable", "forbid")  # virCPUFeaturePolicy
TOPOLOGY = ("sockets", "dies", "cores", "threads")
GUEST_CPU_MODES = ("custom", "host-model", "host-passthrough", "maximum")  # virCPUMode


def read_before_numa(cpu: etree._Element) -> None:
    """virCPUDefParseXML's checks of a CPU with NUMA cells, made before the cells are read:
    its mode and migratable, then its topology and features."""
    mode = cpu.get("mode", "custom")
    if mode not in GUEST_CPU_MODES:
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_CPU, f"Invalid mode attribute '{mode}'")
    if cpu.get("migratable") is not None and mode not in ("host-passthrough", "maximum"):
        detail = "Attribute migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode"
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_CPU, detail)
    read_topology_and_features(cpu, mode)


def read_topology_and_features(cpu: etree._Element, mode: str) -> None:
    """Read in virCPUDefParseXML's order: the model and vendor (already read), the topology,
    then the features."""
    topologies = children_of(cpu, "topology")
    if topologies:
        _read_topology(cpu, topologies)
    features = children_of(cpu, "feature")
    if not features:
        return
    models = children_of(cpu, "model")
    if mode == "custom" and not (models and _string_value(models[0])):
        raise xml_error(api.VIR_FROM_CPU, "Non-empty feature list specified without CPU model")
    seen: set[str] = set()
    for feature in features:
        policy = feature.get("policy", "require")
        if policy not in FEATURE_POLICIES:
            raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_CPU, "Invalid CPU feature policy")
        name = checked_feature_name(feature, seen)
        if feature.keys() != ["policy", "name"] or len(feature):
            _replace(cpu, feature, make_element("feature", policy=policy, name=name))


def checked_feature_name(feature: etree._Element, seen: set[str]) -> str:
    """A <feature>'s name as virCPUDefParseXML reads it, refused when empty or named before;
    added to seen. Guest CPUs and the CPUs given to baseline/compare share the rule."""
    name = feature.get("name")
    if not name:
        raise xml_error(api.VIR_FROM_CPU, "Invalid CPU feature name")
    if name in seen:
        raise xml_error(api.VIR_FROM_CPU, f"CPU feature '{name}' specified more than once")
    seen.add(name)
    return name


def _string_value(element: etree._Element) -> str:
    """XPath's string() of an element: all its text."""
    return "".join(element.itertext())


def _read_topology(cpu: etree._Element, topologies: list[etree._Element]) -> None:
    topology = topologies[0]
    counts: dict[str, str] = {}
    for name in TOPOLOGY:
        value = prop_uint(topology, name, nonzero=True)
        if value is None and name != "dies":
            raise missing_attribute("topology", name)
        counts[name] = str(1 if value is None else value)
    for later in topologies[1:]:  # (./topology[1]: the others are not read)
        cpu.remove(later)
    if dict(topology.attrib) != counts or list(topology.keys()) != list(TOPOLOGY) or len(topology):
        _replace(cpu, topology, make_element("topology", **counts))


def _replace(parent: etree._Element, old: etree._Element, new: etree._Element) -> None:
    new.tail = old.tail
    parent.replace(old, new)
