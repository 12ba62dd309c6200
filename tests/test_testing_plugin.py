"""virtrio.testing as a downstream project meets it: a wheel built from this tree, installed
into a new venv outside the repository, and the README's example test file run there by
pytest with nothing but the installed plugin."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, whose site packages hold python3-libvirt
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "protocol", "rpc", "server", "drivers", "testing"]


def readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### Using virtrio in your project's tests") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def run(command: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


def test_wheel_in_a_fresh_venv_runs_the_readme_example(tmp_path: Path) -> None:
    if not Path(SYSTEM_PYTHON).exists():
        pytest.fail(f"{SYSTEM_PYTHON} is missing (scripts/setup-test-env installs Debian's python3-libvirt)")
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, source / name)
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"), str(source)], tmp_path)
    (wheel,) = (tmp_path / "dist").glob("virtrio-*.whl")

    venv = tmp_path / "venv"
    run([SYSTEM_PYTHON, "-m", "venv", "--system-site-packages", str(venv)], tmp_path)
    python = str(venv / "bin" / "python3")
    run([python, "-m", "pip", "install", "-q", str(wheel), "pytest"], tmp_path)

    project = tmp_path / "downstream"
    project.mkdir()
    (project / "test_example.py").write_text(readme_example())
    result = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"], project, timeout=300)
    assert re.search(r"\b4 passed\b", result.stdout), result.stdout
    # The daemon the fixtures ran came from the venv, not from this checkout.
    where = run([python, "-c", "import virtrio.testing; print(virtrio.testing.__file__)"], project).stdout
    assert where.startswith(str(venv)), where
