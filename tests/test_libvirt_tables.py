"""scripts/libvirt_tables.py: the committed tables transcribed from libvirt match its C sources,
and the --check notices a table that has drifted from them."""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from virtrio.server import procedure_facts

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "libvirt_tables.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("libvirt_tables", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tables = load_script()
needs_source = pytest.mark.skipif(
    not (tables.DEFAULT_SOURCE / "src" / "util" / "virerror.c").is_file(),
    reason="libvirt 9.0.0's C sources are not there: python3 scripts/libvirt_tables.py --fetch",
)


@needs_source
@pytest.mark.parametrize("table", tables.TABLES)
def test_committed_table_matches_libvirts_sources(table: str) -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--check", table], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# One entry of each table changed, as a hand edit would: a message, a feature number, and
# virDomainCreate's read-only rule (always refused) turned into "never".
EDITS = {
    "error-messages": ('"internal error: %s"', '"internal error %s"'),
    "features": ("FD_PASSING = 8", "FD_PASSING = 18"),
    "procedure-facts": (
        'remote.REMOTE_PROC_DOMAIN_CREATE: ("virDomainCreate", ALWAYS,',
        'remote.REMOTE_PROC_DOMAIN_CREATE: ("virDomainCreate", None,',
    ),
}


@needs_source
@pytest.mark.parametrize("table", list(tables.WRITERS))
def test_check_fails_on_an_edited_table(
    table: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tables.WRITERS[table][1]
    (tmp_path / target).parent.mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    committed = (ROOT / target).read_text()
    old, new = EDITS[table]
    assert committed.count(old) == 1
    (tmp_path / target).write_text(committed.replace(old, new))
    monkeypatch.setattr(tables, "ROOT", tmp_path)
    assert tables.main(["--check", table]) == 1
    err = capsys.readouterr().err
    assert f"{target} differs from libvirt's sources" in err
    # The diff names the drifted entry: the edited line and the line the sources give.
    assert any(line.startswith("-") and new in line for line in err.splitlines())
    assert any(line.startswith("+") and old in line for line in err.splitlines())
    # Without --check the script writes the table back as libvirt's sources give it.
    assert tables.main([table]) == 0
    assert (tmp_path / target).read_text() == committed
    assert tables.main(["--check", table]) == 0


@needs_source
def test_read_only_rules_are_read_from_the_api_bodies() -> None:
    bodies = tables._api_bodies(tables.DEFAULT_SOURCE)

    def rule(api: str) -> str:
        return tables.read_only_rule(api, bodies[api][0])

    assert rule("virDomainCreate") == "ALWAYS"
    assert rule("virDomainLookupByName") == "None"
    # if ((conn->flags & VIR_CONNECT_RO) && (flags & (A | B)))
    assert rule("virDomainGetXMLDesc") == "api.VIR_DOMAIN_XML_SECURE | api.VIR_DOMAIN_XML_MIGRATABLE"
    # if (flags & A) virCheckReadOnlyGoto(...)
    assert rule("virDomainGetVcpusFlags") == "api.VIR_DOMAIN_VCPU_GUEST"
    # if (source == A) virCheckReadOnlyGoto(...)
    assert rule("virDomainInterfaceAddresses") == "('source', api.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT)"
    assert bodies["virDomainSnapshotGetXMLDesc"][1] == "VIR_FROM_DOMAIN_SNAPSHOT"
    # A function testing VIR_CONNECT_RO itself reports its own detail; virCheckReadOnlyGoto's is the usual one.
    detail = tables.read_only_detail
    assert detail("virDomainGetXMLDesc", bodies["virDomainGetXMLDesc"][0]) == "virDomainGetXMLDesc with secure flag"
    assert detail("virDomainGetVcpusFlags", bodies["virDomainGetVcpusFlags"][0]) is None
    assert detail("virDomainCreate", bodies["virDomainCreate"][0]) is None


def test_an_unreadable_read_only_condition_stops_the_script(monkeypatch: pytest.MonkeyPatch) -> None:
    body = "    if (nparams > 2)\n        virCheckReadOnlyGoto(conn->flags, error);\n"
    with pytest.raises(SystemExit, match="virDomainMadeUp: refused read-only on a condition no pattern reads"):
        tables.read_only_rule("virDomainMadeUp", body)
    flags = "    if (flags & VIR_DOMAIN_NO_SUCH_FLAG)\n        virCheckReadOnlyGoto(conn->flags, error);\n"
    with pytest.raises(SystemExit, match="VIR_DOMAIN_NO_SUCH_FLAG is not a constant"):
        tables.read_only_rule("virDomainMadeUp", flags)
    # The script's own table of conditions is the way out, and wins over the derivation.
    monkeypatch.setitem(tables.READ_ONLY_CONDITIONS, "virDomainMadeUp", "api.VIR_DOMAIN_XML_SECURE")
    assert tables.read_only_rule("virDomainMadeUp", body) == "api.VIR_DOMAIN_XML_SECURE"


@pytest.mark.parametrize("program", ["REMOTE", "QEMU", "LXC"])
def test_read_only_conditions_name_arguments_the_procedure_has(program: str) -> None:
    module = importlib.import_module(f"virtrio.protocol.generated.{program.lower()}")
    for number, facts in getattr(procedure_facts, program).items():
        procedure = module.PROCEDURES[number]
        fields = getattr(module, procedure.args.name).__slots__ if procedure.args is not None else ()
        if isinstance(facts.read_only, procedure_facts.ReadOnlyFlags):
            assert "flags" in fields, procedure.name
        elif isinstance(facts.read_only, procedure_facts.ReadOnlyArgument):
            assert facts.read_only.argument in fields, procedure.name


@needs_source
def test_a_procedure_no_source_names_stops_the_script(monkeypatch: pytest.MonkeyPatch) -> None:
    derive = tables.remote_apis

    def without_domain_create(source: Path, bodies: dict[str, tuple[str, str]]) -> dict[str, object]:
        found = derive(source, bodies)
        del found["domaincreate"]
        return found

    monkeypatch.setattr(tables, "remote_apis", without_domain_create)
    with pytest.raises(SystemExit, match="REMOTE DOMAIN_CREATE: neither a driver entry nor the daemon's dispatcher"):
        tables.procedure_facts(tables.DEFAULT_SOURCE)
