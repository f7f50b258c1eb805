"""The test tree a newcomer can navigate: shared helpers live in tests/support/ only."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_no_test_module_imports_from_another_test_module() -> None:
    crossings = []
    for path in sorted(TESTS.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [("." * node.level) + node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.rsplit(".", 1)[-1].startswith("test_"):
                    crossings.append(f"{path.relative_to(TESTS)}: {name}")
    assert crossings == []
