"""SECURITY.md names, for each promise, tests that exist, for every resource and path.

Every ``tests/...py::test_name`` cited on the page must name a file of the repository that
defines that test (a function, or a method of a test class), so a renamed or deleted test
cannot leave a promise unheld while the page still cites it. Every row of the promises table
cites a test, and the promises about the key and about quoted text have a row for each
resource and path that builds messages.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.support.projects import REPO_ROOT

PAGE = REPO_ROOT / "SECURITY.md"
NODE_ID = re.compile(r"(tests/[\w/]+\.py)::(\w+)(?:::(\w+))?")


def defined_tests(path: Path) -> set[str]:
    """The test node names a test file defines: ``test_x`` and ``TestClass::test_x``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(f"{node.name}::{item.name}")
    return {name for name in names if name.split("::")[-1].startswith("test")}


def cited() -> list[tuple[str, str]]:
    text = PAGE.read_text(encoding="utf-8")
    return [
        (path, f"{first}::{second}" if second else first)
        for path, first, second in NODE_ID.findall(text)
    ]


def test_the_page_cites_a_test_for_its_promises() -> None:
    assert len(cited()) >= 12


def test_every_test_cited_by_security_md_exists() -> None:
    missing = [
        f"{path}::{name}"
        for path, name in cited()
        if not (REPO_ROOT / path).is_file() or name not in defined_tests(REPO_ROOT / path)
    ]
    assert missing == [], "SECURITY.md cites tests that do not exist"


def test_a_renamed_test_is_reported(tmp_path: Path) -> None:
    module = tmp_path / "test_x.py"
    module.write_text(
        "def test_kept():\n    pass\n\nclass TestY:\n    def test_m(self):\n        pass\n"
    )
    assert defined_tests(module) == {"test_kept", "TestY::test_m"}
    assert "test_renamed" not in defined_tests(module)


#: Every resource and path a message about an input, a file or a reply can come from.
PATHS = ("`ContactList`", "`Contact`", "`ContactListMembers`", "lookups", "`members_from_csv`")
#: The start of each promise that must be held on every one of :data:`PATHS`.
PER_PATH_PROMISES = ("An input holding the key", "Text from a reply, a CSV file or the program")


def promise_rows() -> list[tuple[str, str, str]]:
    """(promise, resource or path, tests) for each row of the promises table; a ``(same)``
    promise is the one of the row above."""
    text = PAGE.read_text(encoding="utf-8")
    table = text.split("## Promises and the tests that hold them", 1)[1].split("\n## ", 1)[0]
    rows: list[tuple[str, str, str]] = []
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) != 3 or cells[0] in ("Promise", "") or set(cells[0]) <= set("-"):
            continue
        promise = rows[-1][0] if cells[0] == "(same)" and rows else cells[0]
        rows.append((promise, cells[1], cells[2]))
    return rows


def test_every_promise_row_cites_a_test() -> None:
    rows = promise_rows()
    assert len(rows) >= 20
    assert [row for row in rows if not NODE_ID.search(row[2])] == []


@pytest.mark.parametrize("promise", PER_PATH_PROMISES)
def test_the_key_and_quoted_text_promises_are_held_on_every_path(promise: str) -> None:
    covered = " ".join(where for said, where, _tests in promise_rows() if said.startswith(promise))
    assert [path for path in PATHS if path not in covered] == []
