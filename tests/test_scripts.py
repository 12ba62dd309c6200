"""scripts/python-env, which scripts/daemon, setup-test-env and test share: Debian's own
python3 (PEP 668) gets a .venv that still sees python3-libvirt; any other python3 is used as is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEBIAN_PYTHON = Path("/usr/bin/python3")


def pick(folder: Path, path: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "scripts" / "python-env", folder / "python-env")
    script = (
        'source ./python-env && virtrio_python_env && echo "$python" && '
        '"$python" -c "import libvirt, sys; print(sys.prefix)"'
    )
    environment = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")} | {"PATH": path}
    return subprocess.run(
        ["bash", "-c", script], cwd=folder, capture_output=True, text=True, timeout=300, env=environment
    )


def test_debians_python_gets_a_venv_that_sees_python3_libvirt(tmp_path: Path) -> None:
    assert (DEBIAN_PYTHON.parent.parent / "lib" / "python3.11" / "EXTERNALLY-MANAGED").exists()
    result = pick(tmp_path, "/usr/bin:/bin")
    assert result.returncode == 0, result.stderr
    chosen, prefix = result.stdout.split()
    assert chosen == str(tmp_path / ".venv" / "bin" / "python3")
    assert prefix == str(tmp_path / ".venv")  # libvirt imported inside the venv
    again = pick(tmp_path, "/usr/bin:/bin")  # an existing .venv is reused, not made again
    assert again.stdout.split()[0] == chosen and "making .venv" not in again.stderr


def test_a_python_that_accepts_pip_is_used_as_it_is(tmp_path: Path) -> None:
    # This interpreter (pyenv's on CI, or the .venv made from Debian's) accepts pip.
    folder = Path(sys.executable).parent
    assert (folder / "python3").exists()
    shutil.copy(ROOT / "scripts" / "python-env", tmp_path / "python-env")
    script = 'source ./python-env && virtrio_python_env && echo "$python"'
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ | {"PATH": f"{folder}:/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "python3" and not (tmp_path / ".venv").exists()
