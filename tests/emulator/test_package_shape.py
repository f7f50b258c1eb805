"""The emulator package stands alone: no Pulumi, no provider code, no import cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pulumi_avosms" / "emulator"
#: What the emulator may import besides the standard library and its own modules.
THIRD_PARTY = {"phonenumbers", "pycountry"}


def _imports(path: Path) -> list[tuple[int, str]]:
    """(relative level, module) of every import in one file, TYPE_CHECKING ones included."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend((0, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level and not node.module:  # from . import x
                found.extend((node.level, alias.name) for alias in node.names)
            else:
                found.append((node.level, node.module or ""))
    return found


MODULES = sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_an_emulator_module_imports_only_the_stdlib_its_package_and_two_data_libraries(
    path: Path,
) -> None:
    for level, module in _imports(path):
        if level == 0:
            top = module.split(".")[0]
            assert top in sys.stdlib_module_names or top in THIRD_PARTY, (path.name, module)
        else:
            assert level == 1, f"{path.name} reaches outside the emulator: {'.' * level}{module}"


def test_no_import_cycle_in_the_emulator() -> None:
    graph = {p.stem: {m.split(".")[0] for level, m in _imports(p) if level == 1} for p in MODULES}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import cycle: {' -> '.join((*path, module))}"
        if module in done:
            return
        for imported in graph.get(module, set()):
            visit(imported, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())


_WITHOUT_PULUMI = """
import importlib.abc, sys, types

class NoPulumi(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "pulumi" or name.startswith("pulumi."):
            raise ImportError(f"the emulator imported {name}")
        return None

sys.meta_path.insert(0, NoPulumi())
# The package's top level is not run: what it imports is its own concern; here only the
# emulator's own imports are judged.
package = types.ModuleType("pulumi_avosms")
package.__path__ = [sys.argv[1]]
sys.modules["pulumi_avosms"] = package

from pulumi_avosms.emulator import EmulatorServer
from pulumi_avosms.emulator.__main__ import main

with EmulatorServer(port=0) as server:
    assert server.url.startswith("http://127.0.0.1:")
sys.exit(main(["create-list", "--state", sys.argv[2], "Customers", "FR"]))
"""


def test_the_emulator_and_its_cli_run_without_pulumi(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_PULUMI, str(PACKAGE.parent), str(tmp_path / "s.db")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "1\n"
