"""scripts/libvirt_tables.py: the committed tables transcribed from libvirt match its C sources,
and the --check notices a table that has drifted from them."""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from virtrio.protocol.generated import remote
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


@needs_source
@pytest.mark.parametrize("table", list(tables.WRITERS))
def test_check_fails_on_an_edited_table(table: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tables.WRITERS[table][1]
    (tmp_path / target).parent.mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    committed = (ROOT / target).read_text()
    # One message / one feature number changed, as a hand edit would.
    edited = committed.replace('"internal error: %s"', '"internal error %s"').replace(
        "FD_PASSING = 8", "FD_PASSING = 18"
    )
    assert edited != committed
    (tmp_path / target).write_text(edited)
    monkeypatch.setattr(tables, "ROOT", tmp_path)
    assert tables.main(["--check", table]) == 1
    # Without --check the script writes the table back as libvirt's sources give it.
    assert tables.main([table]) == 0
    assert (tmp_path / target).read_text() == committed


@needs_source
def test_procedure_facts_check_names_a_wrong_read_only_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    create = next(n for n, f in procedure_facts.REMOTE.items() if f.api == "virDomainCreate")
    lookup = next(n for n, f in procedure_facts.REMOTE.items() if f.api == "virDomainLookupByName")
    edited = dict(procedure_facts.REMOTE)
    edited[create] = dataclasses.replace(edited[create], read_only=None)
    edited[lookup] = dataclasses.replace(edited[lookup], error_domain="VIR_FROM_NETWORK")
    # An API name swapped with its neighbour's, and a wrong connection.
    suspend, resume = remote.REMOTE_PROC_DOMAIN_SUSPEND, remote.REMOTE_PROC_DOMAIN_RESUME
    edited[suspend] = dataclasses.replace(edited[suspend], api="virDomainResume")
    edited[resume] = dataclasses.replace(edited[resume], connection="Storage")
    monkeypatch.setattr(procedure_facts, "REMOTE", edited)
    problems = tables.procedure_facts_problems(tables.DEFAULT_SOURCE)
    assert sorted(problems) == sorted(
        [
            f"REMOTE[{resume}] DOMAIN_RESUME: API virDomainResume on the Storage connection,"
            " the sources say virDomainResume on the Hypervisor connection",
            f"REMOTE[{suspend}] DOMAIN_SUSPEND: API virDomainResume on the Hypervisor connection,"
            " the sources say virDomainSuspend on the Hypervisor connection",
            f"REMOTE[{create}] virDomainCreate: always refused read-only in the source, None here",
            f"REMOTE[{lookup}] virDomainLookupByName: error domain VIR_FROM_NETWORK, the source says VIR_FROM_DOMAIN",
        ]
    )
