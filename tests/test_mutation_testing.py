"""scripts/mutate's own promises, checked without running a mutant (that is slow: see
CONTRIBUTING.md, "Mutation testing")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import mutation_testing as mt

SAMPLE = '''\
"""A docstring is never mutated."""

__all__ = ["f"]
LIMIT = 40


def f(items: list[str], flag: bool = True) -> str | None:
    """Nor is this one."""
    if not items or len(items) > LIMIT:
        return None
    total = sum(len(i) for i in items if i)
    parts = {"a", "b"}
    out = f"{total} {'x' if flag else 'y'}"  # a comment is kept
    out += "!" * (total - 1)
    return out if total >= 2 and flag else max(parts)
'''


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.py"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def test_each_mutant_changes_exactly_its_span_into_a_different_program(sample: Path) -> None:
    mutants = mt.mutants_of(sample)
    original = ast.dump(ast.parse(SAMPLE))
    assert len(mutants) > 20
    for mutant in mutants:
        mutated = mutant.apply(SAMPLE)
        assert ast.dump(ast.parse(mutated)) != original, mutant.shown()
        data, new = SAMPLE.encode(), mutated.encode()
        assert new[: mutant.start] == data[: mutant.start]
        assert new[len(new) - (len(data) - mutant.end) :] == data[mutant.end :]


def test_mutants_cover_every_kind_and_skip_docstrings_annotations_and_all(sample: Path) -> None:
    mutants = mt.mutants_of(sample)
    kinds = {m.kind for m in mutants}
    assert kinds >= {
        "operator",
        "comparison",
        "boolean",
        "unary",
        "constant",
        "call",
        "item removed",
        "condition",
        "return",
        "statement removed",
    }
    shown = "\n".join(m.shown() for m in mutants)
    assert "docstring" not in shown and "Nor is this one" not in shown
    assert "list[str]" not in shown and "str | None" not in shown
    assert '"f"' not in shown  # __all__
    assert all(m.function in ("<module>", "f") for m in mutants)


def test_a_mutant_is_kept_only_if_it_parses_to_the_intended_tree(sample: Path) -> None:
    # "total - 1" inside "*": swapping "-" for "+" keeps the parentheses it needs.
    swapped = [m for m in mt.mutants_of(sample) if m.original == "total - 1"]
    assert [m.mutated for m in swapped] == ["total + 1"]
    assert "(total + 1)" in swapped[0].apply(SAMPLE)


def test_function_keeps_the_mutants_of_one_function(sample: Path) -> None:
    inside = mt.mutants_of(sample, "f")
    assert inside and all(m.function == "f" for m in inside)
    assert [m for m in mt.mutants_of(sample) if m.function == "<module>"]


def test_every_module_and_test_file_listed_exists() -> None:
    for module, tests in mt.TESTS_FOR.items():
        assert (mt.REPO_ROOT / module).is_file(), module
        files = mt.test_files(tests)  # exits naming an entry that matches nothing
        assert len(files) >= len(tests) and len(set(files)) == len(files), module
        assert all((mt.REPO_ROOT / f).is_file() for f in files), module


def test_every_known_equivalent_mutant_is_still_made_and_gives_a_reason() -> None:
    entries = mt.load_equivalents()
    made = {
        m.key()
        for module in {e["module"] for e in entries}
        for m in mt.mutants_of(mt.REPO_ROOT / module)
    }
    stale = [e for e in entries if mt.equivalent_keys([e]).pop() not in made]
    assert stale == [], "the code changed: remove these entries or update them"
    assert all(len(e["reason"]) > 20 for e in entries)
