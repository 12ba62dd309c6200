"""Security labels as libvirt reads them from a definition (parse flag INACTIVE) and writes
them back: the domain's <seclabel> elements (virSecurityLabelDefsParseXML) and those of device
sources (virSecurityDeviceLabelDefParseXML)."""

from __future__ import annotations

from lxml import etree

from virtrio.drivers.libvirt_rules import enum_error, prop_enum
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import report

from .xml_tree import children_of, first_child, mark_live_only, text_of

SECLABEL_TYPES = ("dynamic", "static", "none")  # 'default' is the enum's zero: refused when given
MODEL_LIMIT = 255  # VIR_SECURITY_MODEL_BUFLEN - 1
LABEL_LIMIT = 4095  # VIR_SECURITY_LABEL_BUFLEN - 1


def _error(code: int, detail: str) -> Exception:
    return report(code, api.VIR_FROM_DOMAIN, detail)


def _bool(element: etree._Element, name: str) -> bool | None:
    """virXMLPropTristateBool: yes/no, or None when absent."""
    value = prop_enum(element, name, ("yes", "no"))
    return None if value is None else value == "yes"


def _text(element: etree._Element, tag: str) -> str | None:
    found = first_child(element, tag)
    return None if found is None else text_of(found)


def domain_seclabels(labels: list[etree._Element]) -> list[etree._Element]:
    """The domain's labels, checked and rebuilt as libvirt writes them."""
    written: list[etree._Element] = []
    models: list[str | None] = []
    for label in labels:
        model = label.get("model")
        if model is not None and len(model.encode()) > MODEL_LIMIT:
            model = None
        # virXMLPropEnum leaves the enum's zero, 'default', when the attribute is absent: such a
        # label is checked and counted but never written
        given_type = label.get("type")
        if given_type is not None and given_type not in SECLABEL_TYPES:
            raise enum_error("seclabel", "type", given_type)
        kind = given_type or "default"
        relabel = kind not in ("static", "none")
        given = _bool(label, "relabel")
        if given is not None:
            relabel = given
        if kind == "dynamic" and not relabel:
            raise _error(api.VIR_ERR_CONFIG_UNSUPPORTED, "dynamic label type must use resource relabeling")
        if kind == "none" and relabel:
            raise _error(api.VIR_ERR_CONFIG_UNSUPPORTED, "resource relabeling is not compatible with 'none' label type")
        text_label = base_label = None
        if model == "none":  # older configurations: no label of any kind
            kind, relabel = "none", False
        else:
            if kind == "static":
                text_label = _text(label, "label")
                if not text_label or len(text_label.encode()) > LABEL_LIMIT:
                    raise _error(api.VIR_ERR_XML_ERROR, "security label is missing")
            if kind == "dynamic":
                base_label = _text(label, "baselabel")
                if base_label is not None and len(base_label.encode()) > LABEL_LIMIT:
                    base_label = None
        if model in models:
            raise _error(
                api.VIR_ERR_XML_DETAIL,
                f"seclabel for model {model if model is not None else '(null)'} is already provided",
            )
        models.append(model)
        if kind != "default":
            written.append(_domain_label(kind, model, relabel, text_label, base_label))
    if len(models) > 1 and None in models:
        raise _error(api.VIR_ERR_XML_ERROR, "missing security model when using multiple labels")
    return written


def _domain_label(
    kind: str, model: str | None, relabel: bool, label: str | None, base_label: str | None
) -> etree._Element:
    """virSecurityLabelDefFormat (no image label: it is read only from a running domain's XML)."""
    element = etree.Element("seclabel", type=kind)
    if model is not None:
        element.set("model", model)
    if kind == "none":
        return element
    element.set("relabel", "yes" if relabel else "no")
    if label is not None:
        etree.SubElement(element, "label").text = label
    if base_label is not None and kind == "dynamic":
        etree.SubElement(element, "baselabel").text = base_label
    return element


def device_seclabels(parent: etree._Element) -> None:
    """A device source's labels, checked and rewritten in place; a label that relabels with no
    label of its own is written only in a running domain's XML (virSecurityDeviceLabelDefFormat)."""
    labels = children_of(parent, "seclabel")
    models: list[str] = []
    for label in labels:
        model = label.get("model")
        if model is not None:
            if model in models:
                raise _error(api.VIR_ERR_XML_DETAIL, f"seclabel for model {model} is already provided")
            models.append(model)
        relabel = _bool(label, "relabel")
        relabel = True if relabel is None else relabel
        text_label = _text(label, "label")
        if text_label is not None and len(text_label.encode()) > LABEL_LIMIT:
            text_label = None
        if text_label is not None and not relabel:
            detail = (
                f"Cannot specify a label if relabelling is turned off. model={model if model is not None else '<null>'}"
            )
            raise _error(api.VIR_ERR_XML_ERROR, detail)
        position = list(parent).index(label)
        parent.remove(label)
        written = etree.Element("seclabel")
        if model is not None:
            written.set("model", model)
        written.set("relabel", "yes" if relabel else "no")
        if text_label is None and relabel:  # labelskip is read only from live XML
            mark_live_only(written)
        if text_label is not None:
            etree.SubElement(written, "label").text = text_label
        parent.insert(position, written)
