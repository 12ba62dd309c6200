"""A domain's <metadata> element as libvirt keeps it: written (empty) once the definition has
one, even with no application's entry in it (read from the XML: empty, text only, an entry
without a namespace; or made by setMetadata and emptied again), and not written when it never
had one. libvirt-python on virtrio and on libvirtd side by side."""

from __future__ import annotations

from pathlib import Path

from .side_by_side import assert_answered_alike, script_answers
from .test_missing_parts import document

DOCUMENTS = {
    "empty": "<metadata/>",
    "text only": "<metadata>x</metadata>",
    "layout only": "<metadata>\n  </metadata>",
    "an entry without a namespace": "<metadata><foo/></metadata>",
    "text around an entry": "<metadata>x<a:b xmlns:a='http://a'/>y</metadata>",
    "none": "",
}

SCRIPT = """
import json, sys
import libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
conn = libvirt.open(sys.argv[1])
answers = {}
for label, text in json.loads(sys.argv[2]).items():
    domain = conn.defineXML(text)
    answers[label] = [domain.XMLDesc(0)]
    if label == "none":  # an entry set, then removed: the element stays
        kind, uri = libvirt.VIR_DOMAIN_METADATA_ELEMENT, "http://example.org/app"
        domain.setMetadata(kind, "<app>1</app>", "app", uri, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        domain.setMetadata(kind, None, None, uri, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        answers[label].append(domain.XMLDesc(0))
        domain.setMetadata(libvirt.VIR_DOMAIN_METADATA_TITLE, "t", None, None, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        answers[label].append(domain.XMLDesc(0))
    domain.undefine()
print(json.dumps(answers))
"""


def test_the_metadata_element_is_kept_as_by_libvirtd(tmp_path: Path) -> None:
    texts = {label: document(body, "") for label, body in DOCUMENTS.items()}
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert_answered_alike(answers, texts)
