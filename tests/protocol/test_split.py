"""REMOTE split into parts: its module holds constants and the procedure table, each
procedure's classes and codecs load on first use (protocol/emit/parts.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from virtrio.protocol.generate import GENERATED_DIR, generate, stale_files
from virtrio.protocol.generated import remote
from virtrio.protocol.runtime import Codec, XdrError

PARTS_DIR = GENERATED_DIR / "remote_codecs"


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def loaded_parts(code: str) -> list[str]:
    """The remote parts a fresh interpreter has imported after running code."""
    shown = "import sys; print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if '.remote_codecs.' in m))"
    return ast.literal_eval(run_python(f"{code}\n{shown}").strip().splitlines()[-1])


def test_the_program_modules_import_no_part() -> None:
    code = (
        "from virtrio.protocol.generated import admin, remote\n"
        "assert remote.REMOTE_PROC_CONNECT_OPEN == 1 and admin.ADMIN_PROC_CONNECT_OPEN == 1\n"
        "assert admin.PROCEDURES[admin.ADMIN_PROC_CONNECT_LIST_SERVERS].ret.name == 'admin_connect_list_servers_ret'\n"
    )
    assert loaded_parts(code) == []
    shown = "import sys; print(sorted(m for m in sys.modules if '.admin_codecs.' in m))"
    assert run_python(f"{code}\n{shown}").strip() == "[]"


def test_a_procedure_loads_its_part_and_the_shared_ones_it_needs() -> None:
    code = (
        "from virtrio.protocol.generated import remote\n"
        "p = remote.PROCEDURES[remote.REMOTE_PROC_CONNECT_LIST_ALL_NODE_DEVICES]\n"
        "dev = remote.remote_nonnull_node_device('computer')\n"
        "reply = remote.remote_connect_list_all_node_devices_ret([dev], 1)\n"
        "assert p.ret.decode(p.ret.encode(reply)) == reply\n"
    )
    assert loaded_parts(code) == ["connect_list_all_node_devices", "shared_nonnull_node_device"]


def test_domain_codecs_stay_unloaded_by_node_device_calls() -> None:
    code = (
        "from virtrio.protocol.generated import remote\n"
        "for n in (remote.REMOTE_PROC_CONNECT_OPEN, remote.REMOTE_PROC_NODE_DEVICE_GET_XML_DESC):\n"
        "    remote.PROCEDURES[n].args.load()\n"
    )
    parts = loaded_parts(code)
    assert "connect_open" in parts and "node_device_get_xml_desc" in parts
    assert not [p for p in parts if "domain" in p]


def test_lazy_and_eager_codecs_agree_and_name_the_failing_field() -> None:
    lazy = remote.CODECS["remote_domain_get_info_ret"]
    eager = Codec(lazy.name, *lazy.load())
    value = remote.remote_domain_get_info_ret(1, 2048, 1024, 2, 10**9)
    assert lazy.encode(value) == eager.encode(value)
    assert lazy.decode(eager.encode(value)) == value
    with pytest.raises(XdrError) as raised:
        remote.CODECS["remote_domain_get_info_ret"].decode(b"\0" * 7)
    assert str(raised.value).startswith("remote_domain_get_info_ret.")


def test_every_type_is_reachable_by_name_and_codec() -> None:
    assert set(remote.CODECS) == set(remote.PARTS) and len(remote.CODECS) == len(remote.PARTS)
    for name, part in remote.PARTS.items():
        assert getattr(remote, "encode_" + name).__module__.endswith(f".remote_codecs.{part}")
        assert remote.CODECS[name].load() == (getattr(remote, "encode_" + name), getattr(remote, "decode_" + name))
    assert remote.remote_procedure.REMOTE_PROC_CONNECT_OPEN == remote.REMOTE_PROC_CONNECT_OPEN == 1
    with pytest.raises(AttributeError, match="has no attribute 'remote_no_such_type'"):
        _ = remote.remote_no_such_type
    with pytest.raises(AttributeError):
        _ = remote.encode_remote_no_such_type
    with pytest.raises(KeyError):
        remote.CODECS["remote_no_such_type"]


def test_parts_import_one_another_without_cycles() -> None:
    edges: dict[str, set[str]] = {}
    for path in PARTS_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        edges[path.stem] = {n.module for n in tree.body if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module}
    assert edges["connect_open"] == set()  # strings only: nothing shared
    # a procedure's part only takes from shared parts; shared parts never from a procedure's
    for part, imported in edges.items():
        assert all(name.startswith("shared_") for name in imported), part
    state: dict[str, str] = {}

    def visit(part: str) -> None:
        assert state.get(part) != "open", f"import cycle through {part}"
        if part not in state:
            state[part] = "open"
            for name in edges[part]:
                visit(name)
            state[part] = "done"

    for part in edges:
        visit(part)


def test_a_stale_part_is_reported_then_removed(reference: Path, tmp_path: Path) -> None:
    outputs = generate(reference)
    output = tmp_path / "out"
    for name, text in outputs.items():
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text(text)
    (output / "remote_codecs" / "domain_gone.py").write_text("")
    assert stale_files(outputs, output) == [output / "remote_codecs" / "domain_gone.py"]
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "virtrio.protocol.generate",
            "--source",
            str(reference),
            "--output",
            str(output),
            "--check",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 1 and "domain_gone.py: not produced by the compiler" in checked.stdout
    written = subprocess.run(
        [sys.executable, "-m", "virtrio.protocol.generate", "--source", str(reference), "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert written.returncode == 0 and not (output / "remote_codecs" / "domain_gone.py").exists()
