"""Issue 10's size rule held by the ContactListMembers modules: no module over 400 lines, no
class over 250, so that each stays readable on its own (type, rules, plan, apply)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pulumi_avosms"
MEMBERS_MODULES = (
    "contact_list_members.py",
    "_members_rules.py",
    "_members_plan.py",
    "_members_state.py",
    "_members_apply.py",
    "members_csv.py",
)


@pytest.mark.parametrize("name", MEMBERS_MODULES)
def test_members_module_and_its_classes_stay_small(name: str) -> None:
    source = (PACKAGE / name).read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 400, name
    big = [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > 250
    ]
    assert big == [], big
