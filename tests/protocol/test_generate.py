"""The compiler's command line: --check on the committed code, on a changed input, determinism."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from virtrio.protocol.generate import GENERATED_DIR, generate


def run_generate(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "virtrio.protocol.generate", *arguments], capture_output=True, text=True, timeout=300
    )


def test_committed_code_is_current(reference: Path) -> None:
    result = run_generate("--source", str(reference), "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "current" in result.stdout


def test_check_names_what_differs_after_a_field_rename(reference: Path, tmp_path: Path) -> None:
    copy = tmp_path / "libvirt"
    shutil.copytree(reference, copy)
    x_file = copy / "protocol" / "remote_protocol.x"
    text = x_file.read_text()
    original = "    char model[32];\n    unsigned hyper memory;"
    assert text.count(original) == 1
    x_file.write_text(text.replace(original, original.replace("model", "modell")))
    result = run_generate("--source", str(copy), "--check")
    assert result.returncode == 1
    assert "remote.py: not current" in result.stdout
    assert "modell" in result.stdout


def test_writing_then_checking_a_fresh_folder(reference: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    assert run_generate("--source", str(reference), "--output", str(output)).returncode == 0
    written = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.py"))
    assert written == sorted(p.relative_to(GENERATED_DIR).as_posix() for p in GENERATED_DIR.rglob("*.py"))
    assert run_generate("--source", str(reference), "--output", str(output), "--check").returncode == 0
    (output / "stray.py").write_text("")
    result = run_generate("--source", str(reference), "--output", str(output), "--check")
    assert result.returncode == 1 and "stray.py: not produced by the compiler" in result.stdout


def test_output_is_deterministic_and_names_its_sources(reference: Path) -> None:
    first, second = generate(reference), generate(reference)
    assert first == second
    remote = first["remote.py"]
    header = remote.split("\n\n", 1)[0]
    assert "remote_protocol.x " in header and "libvirt-api.xml " in header
    digest = __import__("hashlib").sha256((reference / "protocol" / "remote_protocol.x").read_bytes()).hexdigest()
    assert digest in header
    assert "2026" not in header and "UTC" not in header  # no timestamps


def test_a_missing_source_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = run_generate("--source", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "is not a folder" in result.stderr


def test_a_syntax_error_names_file_line_and_column(reference: Path, tmp_path: Path) -> None:
    copy = tmp_path / "libvirt"
    shutil.copytree(reference, copy)
    x_file = copy / "protocol" / "lxc_protocol.x"
    x_file.write_text(x_file.read_text() + "\nstruct broken { int a }\n")
    result = run_generate("--source", str(copy), "--check")
    assert result.returncode == 2
    assert "lxc_protocol.x:" in result.stderr and "expected ';'" in result.stderr
