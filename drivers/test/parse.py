"""Reading domain XML into the test driver's objects (the parts it keeps so far)."""

from __future__ import annotations

import copy
import dataclasses
import os
import re
import threading
from pathlib import Path

from lxml import etree

from virtrio.drivers.libvirt_rules import (
    as_c_int,
    enum_error,
    parse_uuid,
    prop_uint,
    strtoul_whole,
    strtoul_wrapping,
)
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, report

from . import domain_clock, domain_parse_checks, domain_security, domain_vcpus
from .domain_definition import (
    _words,
    canonical_definition,
    hotplug_memory,
    kibibytes,
    memory_slots,
    numa_memory,
    validate_definition,
    xml_error,
)
from .domain_errors import BootOrderFaultsHeldBack, LaterPostParseError
from .network_definition import parse_definition
from .pool_definition import parse_pool_definition
from .state import Domain, Network, Pool, TestState
from .xml_tree import first_child, grouped_children, text_of


def _kib(element: etree._Element | None, default: int) -> int:
    if element is None or not text_of(element):  # virXPathString: empty is absent
        return default
    return kibibytes(element)


# Who reports the errors of each kind of document (the domcode virXMLParse is given).
DOCUMENTS = {
    "domain": ("(domain_definition)", api.VIR_FROM_DOMAIN),
    "network": ("(network_definition)", api.VIR_FROM_NETWORK),
    "pool": ("(storage_pool_definition)", api.VIR_FROM_STORAGE),
    "volume": ("(storage_volume_definition)", api.VIR_FROM_STORAGE),
    "domainsnapshot": ("(domain_snapshot)", api.VIR_FROM_DOMAIN_SNAPSHOT),
    "domaincheckpoint": ("(domain_checkpoint)", api.VIR_FROM_DOMAIN_CHECKPOINT),
    "source": ("(storage_source_specification)", api.VIR_FROM_STORAGE),
    "secret": ("(definition_of_secret)", api.VIR_FROM_SECRET),
    "filter": ("(nwfilter_definition)", api.VIR_FROM_NWFILTER),
    "filterbinding": ("(nwfilterbinding_definition)", api.VIR_FROM_NWFILTER),
    "interface": ("(interface_definition)", api.VIR_FROM_INTERFACE),
    "device": ("(node_device_definition)", api.VIR_FROM_NODEDEV),
}


# What libxml2 holds of a file when it reports an error early in it: the line libvirt quotes
# is cut there (libvirtd quotes 4,000 characters of a node file's one 5 MiB line).
FILE_WINDOW = 4000


def syntax_error(text: str, source: str, error_domain: int, entry: etree._LogEntry, file: bool = False) -> Exception:
    """libvirt's report of libxml2's first fatal error: where, the message, the line, a pointer."""
    lines = text.split("\n")
    line = lines[entry.line - 1].split("\r", 1)[0] if 0 < entry.line <= len(lines) else ""
    if file:
        line = line[:FILE_WINDOW]
    context = line or "(null)"  # libvirt prints an empty context line through a NULL string
    pointer = "".join("\t" if c == "\t" else "-" for c in line[: max(entry.column - 1, 0)]) + "^"
    message = entry.message
    if message == NEW_ENCODING_ERROR:
        message = _encoding_error(text, lines, entry) or message
    return report(api.VIR_ERR_XML_DETAIL, error_domain, f"{source}:{entry.line}: {message}\n{context}\n{pointer}")


# lxml's libxml2 (2.14) reports bytes that are not UTF-8 with this text; Debian's 2.9, which
# libvirtd uses, with "Input is not proper UTF-8" and the four bytes from there on.
NEW_ENCODING_ERROR = "Invalid bytes in character encoding"


def _encoding_error(text: str, lines: list[str], entry: etree._LogEntry) -> str | None:
    """libxml2 2.9's message for the bytes at the error, or None where it has fewer than four
    bytes left (it then reports no encoding error at all; lxml's text stands)."""
    if not 0 < entry.line <= len(lines):
        return None
    start = sum(len(line) + 1 for line in lines[: entry.line - 1]) + max(entry.column - 1, 0)
    following = text[start : start + 4].encode("utf-8", "surrogateescape")[:4]
    if len(following) < 4:
        return None
    shown = " ".join(f"0x{byte:02X}" for byte in following)
    return f"Input is not proper UTF-8, indicate encoding !\nBytes: {shown}"


# One parser per thread (an lxml parser must not serve two threads at once; big documents are
# parsed in worker threads), kept: making one per document costs ~10% of a small parse. Its
# error log starts empty at each parse.
_PARSERS = threading.local()


def _parser(drop_blanks: bool = False, file: bool = False) -> etree.XMLParser:
    """This thread's parser. A document is read as UTF-8 whatever it declares (libvirt hands
    libxml2 a string, which it reads as UTF-8); a file (a node file) in the encoding it declares,
    as xmlCtxtReadFile reads it."""
    name = ("blanks_dropped" if drop_blanks else "parser") + ("_file" if file else "")
    parser: etree.XMLParser | None = getattr(_PARSERS, name, None)
    if parser is None:
        # comments mean nothing to libvirt's parsers
        parser = etree.XMLParser(
            encoding=None if file else "utf-8",
            resolve_entities=False,
            no_network=True,
            remove_comments=True,
            remove_blank_text=drop_blanks,
        )
        setattr(_PARSERS, name, parser)
    return parser


def parse_xml(
    text: str, source: str, error_domain: int, file: bool = False, *, drop_blanks: bool = False
) -> etree._Element:
    """virXMLParse's document, or its errors: libxml2's first fatal one, or none at all
    (drop_blanks: libxml2 leaves out the whitespace it takes for layout, see blanks_droppable;
    the errors are the same)."""
    data = text.encode("utf-8", "surrogateescape")
    parser = _parser(drop_blanks, file)  # its log: this document's errors
    root = None
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        fatal = [entry for entry in parser.error_log if entry.level_name == "FATAL"]
        if fatal:  # libvirt keeps the first report and ignores the rest
            raise syntax_error(text, source, error_domain, fatal[0], file) from None
        # libxml2 builds the document in spite of errors that are not fatal (undeclared prefixes)
        try:
            encoding = None if file else "utf-8"
            recovering = etree.XMLParser(
                encoding=encoding, resolve_entities=False, no_network=True, remove_comments=True, recover=True
            )
            root = etree.fromstring(data, recovering)
        except etree.XMLSyntaxError:
            root = None
    if root is None:
        raise report(api.VIR_ERR_XML_ERROR, error_domain, f"failed to parse xml document '{source}'")
    return root


def parse_document(text: str, root_tag: str) -> etree._Element:
    """The parsed document, or the errors libvirt's parser gives: malformed XML, or a
    document of another kind."""
    source, error_domain = DOCUMENTS[root_tag]
    return check_root(parse_xml(text, source, error_domain), root_tag)


def check_root(root: etree._Element, root_tag: str) -> etree._Element:
    name = root.tag.rpartition("}")[2]  # a recovered document may keep an undeclared prefix in the name
    if name != root_tag:
        detail = f"expecting root element of '{root_tag}', not '{name}'"
        raise report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML, detail)
    return root


SCHEMA_DIR = Path("/usr/share/libvirt/schemas")


# One validator per schema and thread: a validator keeps the errors of its last run in itself,
# so two threads validating with one would mix their errors (documents large enough are
# validated in worker threads). Reading a schema again costs ~2-25 ms, once per thread.
_VALIDATORS = threading.local()


def _relax_ng(path: Path) -> etree.RelaxNG:
    validators: dict[Path, etree.RelaxNG] | None = getattr(_VALIDATORS, "by_path", None)
    if validators is None:
        validators = _VALIDATORS.by_path = {}
    validator = validators.get(path)
    if validator is None:
        validator = validators[path] = etree.RelaxNG(etree.parse(str(path)))
    return validator


def validate_against_schema(text: str, schema: str, root_tag: str) -> None:
    """The *_VALIDATE flags: libvirt's RelaxNG schema check, with libvirt's error text."""
    root = parse_document(text, root_tag)
    path = SCHEMA_DIR / schema
    try:
        validator = _relax_ng(path)
    except (OSError, etree.XMLSyntaxError, etree.RelaxNGParseError) as error:
        raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_XML, f"Unable to parse RNG {path}: {error}") from None
    if not validator.validate(root.getroottree()):
        details = "".join(f"{entry.message}\n" for entry in validator.error_log)
        raise report(
            api.VIR_ERR_XML_INVALID_SCHEMA, api.VIR_FROM_XML, f"Unable to validate doc against {path}\n{details}"
        )


def random_uuid() -> bytes:
    """A version 4 UUID's bytes (what uuid.uuid4() gives, without building the object)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    return bytes(raw)


def uuid_of(
    root: etree._Element,
    error_domain: int,
    code: int = api.VIR_ERR_XML_ERROR,
    children: dict[str, etree._Element] | None = None,
) -> bytes:
    """The <uuid> given, in the forms virUUIDParse accepts, or a new random one (the domain
    parser reports a bad one as an internal error, the pool parser as an XML error; children:
    the root's first child of each tag, when the caller has them)."""
    # root.findtext("uuid") without ElementPath
    found = children.get("uuid") if children is not None else first_child(root, "uuid")
    raw = (text_of(found) if len(found) else found.text) if found is not None else None
    if not raw:
        return random_uuid()
    parsed = parse_uuid(raw)
    if parsed is None:
        raise report(code, error_domain, "malformed uuid element")
    return parsed


TEST_NAMESPACE = "http://libvirt.org/schemas/domain/test/1.0"
_TEST_ELEMENTS = f"{{{TEST_NAMESPACE}}}*"
_TEST_PREFIX = f"{{{TEST_NAMESPACE}}}"


@dataclasses.dataclass
class TestExtensions:
    """testDomainDefNamespaceParse: what a domain's test: elements ask of the node file."""

    snapshots: list[etree._Element]
    transient: bool
    managed_save: bool
    runstate: int


def _test_namespace_error(detail: str) -> Exception:
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_TEST, detail)


def test_extensions(root: etree._Element) -> TestExtensions:
    """Read and check a domain's test: elements, as the test driver does for every domain
    XML it parses (defineXML, createXML, node files, snapshots' domains)."""

    if next(root.iterchildren(_TEST_ELEMENTS), None) is None:  # the common case: none at all
        return TestExtensions([], False, False, api.VIR_DOMAIN_RUNNING)

    def element(name: str) -> etree._Element | None:
        return root.find(f"{{{TEST_NAMESPACE}}}{name}")

    runstate = api.VIR_DOMAIN_RUNNING
    found = element("runstate")
    text = "".join(found.itertext()) if found is not None else ""
    if text:  # virXPathUInt: an empty string is no value
        value = strtoul_whole(text, 10)
        if value is None:
            raise _test_namespace_error("invalid runstate")
        runstate = value
        if runstate >= api.VIR_DOMAIN_PMSUSPENDED + 1:  # VIR_DOMAIN_LAST
            raise _test_namespace_error(f"runstate '{as_c_int(runstate)}' out of range'")  # printed with %d
    extensions = TestExtensions(
        root.findall(f"{{{TEST_NAMESPACE}}}domainsnapshot"),
        element("transient") is not None,
        element("hasmanagedsave") is not None,
        runstate,
    )
    if extensions.transient and runstate == api.VIR_DOMAIN_SHUTOFF:
        raise _test_namespace_error("transient domain cannot have runstate 'shutoff'")
    if extensions.managed_save and runstate != api.VIR_DOMAIN_SHUTOFF:
        raise _test_namespace_error("domain with managedsave data can only have runstate 'shutoff'")
    return extensions


# virDomainVirt, virDomainOS and virArch: the names libvirt's domain parser knows
VIRT_TYPES = frozenset(
    _words("none qemu kqemu kvm xen lxc uml openvz test vmware hyperv vbox phyp parallels bhyve vz hvf")
)
OS_TYPES = frozenset(_words("hvm xen linux exe uml xenpvh"))
ARCHITECTURES = frozenset(
    _words("""alpha armv6l armv7l armv7b aarch64 cris i686 ia64 lm32 m68k microblaze microblazeel mips mipsel mips64
    mips64el openrisc parisc parisc64 ppc ppcle ppc64 ppc64le ppcemb riscv32 riscv64 s390 s390x sh4 sh4eb sparc
    sparc64 unicore32 x86_64 xtensa xtensaeb""")
)


def _xpath_string(element: etree._Element | None, attribute: str | None = None) -> str | None:
    """virXPathString: an element's text or attribute, None when absent or empty."""
    if element is None:
        return None
    value = element.get(attribute) if attribute else text_of(element) if len(element) else element.text
    return value or None


def domain_capabilities(root: etree._Element, children: dict[str, etree._Element]) -> tuple[str, str, str]:
    """The domain type, OS type and architecture, checked as virDomainDefParseCaps checks
    them (children: the root's first child of each tag). The test driver accepts every domain
    type libvirt knows (it looks none of them up in its capabilities); its default
    architecture is i686."""
    virt_type = root.get("type") or None
    os_element = children.get("os")
    type_element = first_child(os_element, "type") if os_element is not None else None
    os_type = _xpath_string(type_element)
    arch = _xpath_string(type_element, "arch")
    if virt_type is None:
        raise report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, "missing domain type attribute")
    if virt_type not in VIRT_TYPES:
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, f"invalid domain type {virt_type}")
    if os_type is None:
        if _xpath_string(children.get("bootloader")) is None:
            raise xml_error("an os <type> must be specified")
        os_type = "xen"
    elif os_type not in OS_TYPES:
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, f"unknown OS type '{os_type}'")
    if os_type == "linux" and virt_type == "xen":  # libvirt's old name for Xen paravirt guests
        os_type = "xen"
    if arch is not None and arch not in ARCHITECTURES:
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, f"Unknown architecture {arch}")
    return virt_type, os_type, arch or "i686"


def vcpu_counts(
    vcpu: etree._Element | None, root: etree._Element, lists: list[etree._Element] | None = None
) -> tuple[int, int]:
    """virDomainVcpuParse's maximum (virStrToLong_ui of the element's whole content) and current
    (virXMLPropUInt 'current', else the maximum) vCPU counts; 1 and 1 without <vcpu>. Per-vCPU
    states (<vcpus>), when given, decide the current count instead (domain_vcpus; lists: the
    root's <vcpus> children, when the caller has them)."""
    maximum = current = 1
    if vcpu is not None:
        text = text_of(vcpu)
        # plain digits (nearly every count) read at once: what strtoul_wrapping gives them
        plain = text.isdigit() and text.isascii() and len(text) < 10
        read = int(text) if plain else strtoul_wrapping(text, 10)
        if read is None:
            raise xml_error("maximum vcpus count must be an integer")
        maximum = read
        current = prop_uint(vcpu, "current")
        current = maximum if current is None else current
        placement = vcpu.get("placement")
        if placement is not None and placement not in ("static", "auto"):  # virXMLPropEnum: exactly
            raise enum_error("vcpu", "placement", placement)
    states = domain_vcpus.vcpu_states(root, maximum, lists)
    if states is not None:
        return maximum, domain_vcpus.online_count(states)
    if current > maximum:  # virDomainDefSetVcpus
        detail = "maximum vCPU count must not be less than current vCPU count"
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    return maximum, current


# Larger domain documents are parsed in a worker thread: ~0.3 ms a kilobyte for most (16 KiB
# of libvirt's test documents: 4-5 ms), more for dense ones (a NUMA cell: ~0.1 ms).
PARSE_IN_THREAD_BYTES = 16 * 1024
DENSE_CELLS = 64
# A smaller one is too when a number in it makes the parse build that many elements or bits:
# more than this many takes over a millisecond (16,384 listed vCPU schedulers: ~0.2 s).
LOOP_EXPANSION = 256
# What sizes such loops, each looked for only when its word is in the document:
# - per-vCPU states and per-thread schedulers: one element per vCPU or IOThread
# - <iothreads>N: N IOThreads filled in
# - a device's address controller='N' (base 0): every controller of its kind up to N
# - a bitmap's range a-b (cpuset, nodeset, cpus, vcpus, iothreads, <nodemask>): b-a bits
# (each starts with its word: the regular expression engine then skips to where it is)
# (a count is read only when its end tag follows it at once: a comment, processing instruction
# or CDATA section in it would hide digits the parser joins to those before it)
_IOTHREADS = re.compile(r"<iothreads\b[^>]*>([^<]*)(</iothreads\b)?")
# each <vcpu start tag with the text after it, to the next markup ('<' is never inside a tag, not
# even in an attribute's value, but '/' and '>' may be); an entry of <vcpus> closes itself
_VCPU_TAGS = re.compile(r"<vcpu\b([^<]*)(</vcpu\b)?")
_VCPUS_ENTRY = re.compile(r"[^>]*/>\s*")
_CONTROLLERS = re.compile(r"controller\s*=\s*(?:'([^']*)'|\"([^\"]*)\")")
_BITMAPS = tuple(
    (word, re.compile(word + r"\s*=\s*(?:'([^']*)'|\"([^\"]*)\")"))
    for word in ("cpuset", "nodeset", "cpus", "iothreads")  # (cpus: vcpus too)
)
# each bitmap word's shorter word in parse_in_thread's scans (a word absent, so are those containing it)
_BITMAP_SCANS = {"cpuset": 0, "cpus": 0, "nodeset": 1, "iothreads": 2}
_NODEMASKS = re.compile(r"<nodemask>([^<]*)")
_RANGE = re.compile(r"(\d+)\s*-\s*\+?(\d+)")


def _small_number(text: str) -> bool:
    text = text.strip()
    return text.isdigit() and text.isascii() and len(text) < 10 and int(text) <= LOOP_EXPANSION


def _all_small(numbers: list[str]) -> bool:
    return bool(numbers) and all(map(_small_number, numbers))


def _vcpu_counts(text: str) -> list[str]:
    """The text after each <vcpu> start tag that is not a <vcpus> entry (a tag written oddly,
    with a '>' in an attribute's value, gives what follows that '>': no number, so large)."""
    return [
        tag.partition(">")[2] if closed else ""
        for tag, closed in _VCPU_TAGS.findall(text)
        if not _VCPUS_ENTRY.fullmatch(tag)
    ]


def parse_in_thread(text: str) -> bool:
    """Whether a domain document is read in a worker thread: by the work it implies, not its
    size alone (a 300-byte document can ask for 65,536 controllers). Errs towards the thread:
    a number that might be large (written in another base, say) counts as large."""
    # (each scan of the text costs: a shorter word that the longer ones contain is looked for
    # first, and the longer ones only when it is there)
    cpus = "cpus" in text  # (<vcpus, cpuset and cpus)
    if len(text) > PARSE_IN_THREAD_BYTES:
        return True
    # per-vCPU states and vCPU schedulers (<vcpus>, <vcpusched>): one each per vCPU, up to the
    # <vcpu> count; a document without a count found (written oddly) counts as large
    if cpus and "<vcpus" in text and not _all_small(_vcpu_counts(text)):
        return True
    # IOThread schedulers: one each per IOThread, those <iothreadids> lists (as many as the
    # text holds) with those <iothreads> fills in (a count checked below)
    if "iothreadsched" in text and "<iothreadids" in text:
        return True
    if text.count("<cell") > DENSE_CELLS:  # (one scan, whether there is one or not)
        return True
    iothreads = "iothreads" in text  # (<iothreads> and iothreads='...' both)
    if (
        iothreads
        and "<iothreads" in text
        and any(not (closed and _small_number(count)) for count, closed in _IOTHREADS.findall(text))
    ):
        return True
    first_controller = text.find("controller")
    if first_controller != -1:  # (the expression read from there: what comes before holds none)
        for quoted in set(_CONTROLLERS.findall(text, first_controller)):  # (most name controller 0, again and again)
            if not _small_number(quoted[0] or quoted[1]):
                return True
    present = (
        cpus,
        "node" in text,  # (nodeset)
        iothreads,
    )
    bitmaps = [
        quoted[0] or quoted[1]
        for word, found in _BITMAPS
        if present[_BITMAP_SCANS[word]] and word in text
        for quoted in found.findall(text)
    ]
    if present[1] and "<nodemask>" in text:
        bitmaps += _NODEMASKS.findall(text)
    for bitmap in bitmaps:
        if "&" in bitmap:  # a character reference ('&#49;') hides a digit or a '-' from _RANGE
            return True
        for low, high in _RANGE.findall(bitmap):
            if int(high) - int(low) > LOOP_EXPANSION:
                return True
    return False


def read_domain(text: str, state: TestState, validate: bool = False) -> Domain:
    """parse_domain_xml, after the schema check a *_VALIDATE flag asks for: both take time in
    proportion to the document (the schema ~0.25 ms a kilobyte), so both go where the read goes."""
    if validate:
        validate_against_schema(text, "domain.rng", "domain")
    return parse_domain_xml(text, state)


# Whitespace between tags is layout, which canonical_definition takes out (_strip_whitespace)
# before it reads the tree. libxml2 leaves most of it out as it parses, in C (remove_blank_text:
# a third fewer nodes for every later pass), and what it leaves out is whitespace the strip
# takes out too, in a document without comments, CDATA, a DTD or carriage returns (libxml2's
# heuristic looks past those, and would also take whitespace that text follows). The few
# texts read before the strip are of elements without children then: a child's whitespace
# would be part of the text read.
def blanks_droppable(text: str) -> bool:
    # ("!" looked for first: one character, which memchr finds at once, and in few documents)
    return ("!" not in text or "<!" not in text) and "\r" not in text


# the root's children whose text parse_domain_xml reads before the strip (with <os>'s <type>,
# and the memory devices' sizes when the NUMA cells give the memory)
_READ_BEFORE_STRIP = frozenset(
    ["name", "uuid", "memory", "currentMemory", "vcpu", "title", "description", "bootloader"]
) | frozenset(domain_parse_checks.LIFECYCLE_TAGS)


class _BlanksRead(Exception):
    """A text read before the strip would have held whitespace that libxml2 left out."""


def _reads_blanks(root: etree._Element, children: dict[str, etree._Element]) -> bool:
    for tag in _READ_BEFORE_STRIP.intersection(children):
        if len(children[tag]):
            return True
    os_element = children.get("os")
    os_type = first_child(os_element, "type") if os_element is not None else None
    if os_type is not None and len(os_type):
        return True
    memory = children.get("memory")
    size = memory.text if memory is not None else None
    if size and size.isdigit() and size.strip("0"):  # a size (of any unit) that is not 0: sizes unread
        return False
    return "devices" in children and any(len(found) for found in root.iterfind("devices/memory/target/size"))


def _has_memory_devices(groups: dict[str, list[etree._Element]]) -> bool:
    return any(first_child(devices, "memory") is not None for devices in groups.get("devices", ()))


def _checks_a_cpu_without_model(cpu: etree._Element) -> bool:
    """A custom CPU (the default mode) with no model name that asks for a check."""
    if cpu.get("check") in (None, "default") or cpu.get("mode", "custom") != "custom":
        return False
    model = first_child(cpu, "model")
    return model is None or not text_of(model)


def _check_init(os_type: str, children: dict[str, etree._Element]) -> None:
    """A container's init path, the first of virDomainDefPostParseCommon's checks."""
    if os_type != "exe":
        return
    init = first_child(children["os"], "init") if "os" in children else None
    if init is None or not text_of(init):
        raise xml_error("init binary must be specified")


def _check_memory_sizes(total: int, devices_memory: int, limit_element: etree._Element | None) -> None:
    """virDomainDefPostParseMemory's refusals, in its order (total: the memory in KiB, the NUMA
    cells' when <memory> gives none)."""
    if devices_memory > total:
        raise xml_error("Total size of memory devices exceeds the total memory size")
    if total == 0:
        raise xml_error("Memory size must be specified via <memory> or in the <numa> configuration")
    if limit_element is None:
        return
    limit = kibibytes(limit_element) if text_of(limit_element) else 0
    if bool(limit) != bool(memory_slots(limit_element)):
        raise xml_error("both maximum memory size and memory slot count must be specified")
    if limit and limit < total:
        raise xml_error("maximum memory size must be equal or greater than the actual memory size")


def parse_domain_xml(text: str, state: TestState) -> Domain:
    if blanks_droppable(text):
        try:
            return _parse_domain(text, True)
        except _BlanksRead:  # (rare: text and children in one element) read again, whitespace and all
            pass
    return _parse_domain(text, False)


def _parse_domain(text: str, blanks_dropped: bool) -> Domain:
    source, error_domain = DOCUMENTS["domain"]
    root = check_root(parse_xml(text, source, error_domain, drop_blanks=blanks_dropped), "domain")
    # Every node's Python proxy made once and kept until the definition is read: lxml then
    # finds it at each later access instead of building a new one (a third of a lookup's cost).
    nodes = list(root.iter())
    # one pass, then dictionary lookups: lxml's path searches cost more (the root's children
    # do not change while the document is read: only their contents do)
    groups, children = grouped_children(root)
    if blanks_dropped and _reads_blanks(root, children):
        raise _BlanksRead
    # virDomainDefParseIDs (name, then UUID) comes before virDomainDefParseCaps
    name_element = children.get("name")
    # (a leaf's text read here: text_of's call costs more than the test)
    name = (text_of(name_element) if len(name_element) else name_element.text) if name_element is not None else None
    if not name:
        raise report(api.VIR_ERR_NO_NAME, api.VIR_FROM_DOMAIN)  # (virReportError without a detail)
    domain_uuid = uuid_of(root, api.VIR_FROM_DOMAIN, api.VIR_ERR_INTERNAL_ERROR, children)
    virt_type, os_type, arch = domain_capabilities(root, children)
    # string(./title[1]): all the element's text, absent when empty (read before the memory)
    title = (text_of(children["title"]) or None) if "title" in children else None
    if title is not None and "\n" in title:
        raise xml_error("Domain title can't contain newlines")
    description = (text_of(children["description"]) or None) if "description" in children else None
    try:
        # virDomainDefParseMemory (the sizes, then the memory backing), then the vCPUs
        max_memory = _kib(children.get("memory"), 0)
        current_memory = _kib(children.get("currentMemory"), 0)
        if "memoryBacking" in groups:
            domain_parse_checks.check_memory_backing(groups["memoryBacking"])
        max_vcpus, vcpus = vcpu_counts(children.get("vcpu"), root, groups.get("vcpus", []))
        # the memory devices' sizes, for virDomainDefPostParseMemory (read while the tree is whole;
        # looked for only when the text has more <memory than the top level's: a look costs ~3 µs)
        more_memory = text.count("<memory") > ("memory" in children)
        devices_memory = hotplug_memory(root) if more_memory and _has_memory_devices(groups) else 0
        if max_memory == 0:  # virDomainDefPostParseMemory: then the NUMA cells and memory devices
            cells_memory = numa_memory(root) or 0
            if cells_memory:
                max_memory = cells_memory + devices_memory
        memory = min(current_memory or max_memory, max_memory)
        metadata = {}
        for entry in children.get("metadata", ()):
            namespace = etree.QName(entry).namespace if isinstance(entry.tag, str) else None
            if namespace and namespace not in metadata:  # libvirt keeps the first element per namespace
                # a copy, as libvirt's xmlCopyNode: the namespaces declared in the entry and those
                # it uses, not every one declared above it (a node file's xmlns:test on <domain>)
                metadata[namespace] = etree.tostring(copy.deepcopy(entry), encoding="unicode", with_tail=False)
        domain_parse_checks.check_lifecycle(root, children)
        if "idmap" in children:  # (rare: containers' user namespaces)
            domain_parse_checks.check_idmap(groups)
        if "keywrap" in children:  # (rare: s390's)
            domain_parse_checks.check_keywrap(groups)
        cpu_check_fault = "cpu" in children and _checks_a_cpu_without_model(children["cpu"])
        try:
            with BootOrderFaultsHeldBack() as boot_order_faults:
                definition = canonical_definition(root, os_type, max_vcpus, nodes, groups)
        except LaterPostParseError:  # (duplicate controllers)
            _check_init(os_type, children)  # (libvirt's come first)
            _check_memory_sizes(max_memory, devices_memory, children.get("maxMemory"))
            raise
        # (read last in libvirt, but for its test: namespace)
        domain_parse_checks.check_devices(groups.get("devices", []))
    except LibvirtError:
        # libvirt reads the security labels before anything else of the document but its
        # name, UUID, type, title and description: their fault is the one reported
        if "seclabel" in groups:
            domain_security.domain_seclabels(groups["seclabel"])
        raise
    # (rare: most have no test: element; all the tags at once, a namespace's own name that
    # holds the prefix only costs test_extensions' look)
    if _TEST_PREFIX in "".join(groups):
        test_extensions(root)  # checked as libvirt does at the end of parsing; applied by node files only
    _check_init(os_type, children)  # virDomainDefPostParseCommon, in its order
    if "vcpus" in children:  # (only a document's own <vcpus> makes a canonical one to check)
        domain_vcpus.check_post_parse(definition)
    if devices_memory > max_memory or not max_memory or "maxMemory" in children:  # (else: nothing to refuse)
        _check_memory_sizes(max_memory, devices_memory, children.get("maxMemory"))
    if boot_order_faults:  # virDomainDefBootOrderPostParse
        raise boot_order_faults[0]
    if "clock" in children:  # (the default clock, written for a document without one, has no timers)
        domain_clock.check_timers(definition)
    if cpu_check_fault:  # virDomainDefPostParseCPU, the last of virDomainDefPostParseCommon
        detail = "check attribute specified for CPU with no model"
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)
    if "/" in name:  # virDomainDefPostParseCheckFeatures: the test driver has no NAME_SLASH
        raise xml_error(f"name {name} cannot contain '/'")
    validate_definition(definition)
    del nodes  # (referenced up to here on purpose)
    return Domain(
        name,
        domain_uuid,
        max_memory=max_memory,
        memory=min(memory, max_memory) if max_memory else memory,
        vcpus=vcpus,
        max_vcpus=max_vcpus,
        title=title,
        description=description,
        virt_type=virt_type,
        arch=arch,
        os_type=os_type,
        metadata=metadata,
        metadata_element="metadata" in children,
        definition=definition,
    )


def parse_pool_xml(text: str) -> Pool:
    """virStoragePoolDefParse, then the test driver's figures for a new pool (100 GiB free)."""
    root = parse_document(text, "pool")
    uuid_text = root.findtext("uuid")
    pool_uuid = (parse_uuid(uuid_text) if uuid_text else None) or random_uuid()
    definition = parse_pool_definition(root, pool_uuid)
    capacity = 107374182400
    # a pool with no target (rbd, gluster...): its volumes' paths start with C's "(null)", as in libvirt
    pool = Pool(
        definition.name,
        pool_uuid,
        definition.target_path or "(null)",
        capacity=capacity,
        allocation=0,
        available=capacity,
    )
    pool.definition = definition
    return pool


def parse_network_xml(text: str) -> Network:
    """virNetworkDefParse: a network, not yet running, of the definition the XML gives."""
    definition = parse_definition(parse_document(text, "network"))
    return Network(definition.name, definition.uuid, definition.bridge or "", definition=definition)
