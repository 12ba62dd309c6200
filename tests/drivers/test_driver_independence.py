"""No driver imports another driver or the server, at module level or inside a function.

The drivers' shared code lives in the leaf modules at drivers/ top level (base, xml_text,
libvirt_rules); only the registry, which assembles the drivers, may import a driver package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DRIVERS = Path(__file__).resolve().parents[2] / "drivers"
LEAVES = {"base", "xml_text", "libvirt_rules"}
REGISTRY = "registry"


def _absolute(module: tuple[str, ...], node: ast.ImportFrom | ast.Import) -> list[tuple[str, ...]]:
    """The dotted names an import statement in `module` (a path under virtrio) refers to."""
    if isinstance(node, ast.Import):
        return [tuple(alias.name.split(".")) for alias in node.names]
    base = module[:-1] if node.level else ()
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    prefix = base + tuple(node.module.split(".")) if node.module else base
    if node.module:
        return [prefix]
    return [(*prefix, alias.name) for alias in node.names]  # "from . import x": x may be a module


def forbidden_imports(source: str, module: tuple[str, ...]) -> list[str]:
    """Imports that break the rule, for a module named like ('virtrio', 'drivers', 'test', 'x')."""
    own = module[2] if len(module) > 3 else None  # the driver package this module belongs to
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        for name in _absolute(module, node):
            if name[:2] == ("virtrio", "server"):
                found.append(".".join(name))
            elif name[:2] == ("virtrio", "drivers") and len(name) > 2:
                target = name[2]
                allowed = target in LEAVES or target == own or (module[2] == REGISTRY and own is None)
                if own is None and module[2] in LEAVES and target not in LEAVES:
                    allowed = False  # a leaf stays a leaf
                if not allowed:
                    found.append(".".join(name))
    return found


def _modules() -> list[Path]:
    return sorted(path for path in DRIVERS.rglob("*.py") if "__pycache__" not in path.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda path: str(path.relative_to(DRIVERS)))
def test_no_driver_imports_another_driver_or_the_server(path: Path) -> None:
    module = ("virtrio", "drivers", *path.relative_to(DRIVERS).with_suffix("").parts)
    assert forbidden_imports(path.read_text(), module) == []


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        (
            "from virtrio.drivers.test.common import host_name",
            ("virtrio", "drivers", "nodedev", "driver"),
            ["virtrio.drivers.test.common"],
        ),
        (
            "def f():\n    from ..test import common",
            ("virtrio", "drivers", "nodedev", "driver"),
            ["virtrio.drivers.test"],
        ),
        ("from virtrio.server.config import Config", ("virtrio", "drivers", "registry"), ["virtrio.server.config"]),
        ("import virtrio.server.daemon", ("virtrio", "drivers", "test", "x"), ["virtrio.server.daemon"]),
        ("from .nodedev.driver import D", ("virtrio", "drivers", "libvirt_rules"), ["virtrio.drivers.nodedev.driver"]),
        ("from . import state", ("virtrio", "drivers", "test", "x"), []),
        ("from ..libvirt_rules import parse_uuid", ("virtrio", "drivers", "test", "x"), []),
        ("from .nodedev.driver import D", ("virtrio", "drivers", "registry"), []),
    ],
)
def test_the_check_sees_each_kind_of_forbidden_import(
    source: str, module: tuple[str, ...], expected: list[str]
) -> None:
    assert forbidden_imports(source, module) == expected


# Imports inside functions that hide a cycle (the imported module imports the importer at
# module level, directly or through others): none. Deferred imports made only to load less
# at start (nodedev's prefetch) are not cycles and are allowed.


def _sibling_imports(package: Path) -> tuple[dict[str, set[str]], set[tuple[str, str]]]:
    """Each module's module-level sibling imports, and (importer, imported) for those made
    inside functions."""
    siblings = {path.stem for path in package.glob("*.py")}
    top: dict[str, set[str]] = {name: set() for name in siblings}
    deferred = set()

    def names(node: ast.AST) -> list[str]:
        if not isinstance(node, ast.ImportFrom) or node.level != 1:
            return []
        found = [node.module] if node.module else [alias.name for alias in node.names]
        return [name.split(".")[0] for name in found if name.split(".")[0] in siblings]

    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            top[path.stem].update(names(node))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                deferred.update((path.stem, name) for node in ast.walk(function) for name in names(node))
    return top, deferred


def deferred_cycles(package: Path) -> set[tuple[str, str]]:
    top, deferred = _sibling_imports(package)

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            for following in top[stack.pop()] - seen:
                if following == goal:
                    return True
                seen.add(following)
                stack.append(following)
        return start == goal

    return {(importer, imported) for importer, imported in deferred if reaches(imported, importer)}


@pytest.mark.parametrize("package", ["test", "nodedev"])
def test_no_new_import_cycle_hidden_in_a_function(package: str) -> None:
    assert deferred_cycles(DRIVERS / package) == set()


def test_the_cycle_check_sees_a_hidden_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from .b import x\n")
    (tmp_path / "b.py").write_text("from .c import y\n")
    (tmp_path / "c.py").write_text("def f():\n    from .a import z\n")
    (tmp_path / "d.py").write_text("def g():\n    from .c import y\n")  # lazy, no cycle
    assert deferred_cycles(tmp_path) == {("c", "a")}
