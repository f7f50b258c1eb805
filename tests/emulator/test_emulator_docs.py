"""docs/emulator.md documents every admin route, fault kind and command the code has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pulumi_avosms.emulator import FAULT_KINDS, admin
from pulumi_avosms.emulator.__main__ import build_parser

DOC = (Path(__file__).resolve().parents[2] / "docs" / "emulator.md").read_text(encoding="utf-8")


def _table_cells(first_column: str) -> set[str]:
    """The backquoted text opening each table row of the page."""
    return set(re.findall(rf"^\| `({first_column})`", DOC, flags=re.MULTILINE))


def test_every_admin_route_is_documented_and_every_documented_route_exists() -> None:
    in_code = {f"{route.method} /_emulator/{route.path}" for route in admin.ROUTES}
    assert _table_cells(r"(?:GET|POST|DELETE) /_emulator/[^`]*") == in_code


def test_every_fault_kind_is_documented_with_its_options() -> None:
    rows = dict(re.findall(r"^\| `([a-z0-9_]+)` \|(.*)$", DOC, flags=re.MULTILINE))
    for kind, options in FAULT_KINDS.items():
        assert kind in rows, kind
        for option in options:
            assert f"`{option}`" in rows[kind], (kind, option)


def _subcommands() -> set[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", sorted(_subcommands() - {"serve"}))
def test_every_offline_command_is_documented(command: str) -> None:
    assert re.search(rf"^\| `{command}( |`)", DOC, flags=re.MULTILINE), command


def test_every_serve_option_is_documented() -> None:
    parser = build_parser()
    for action in parser._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert f"`{flag}" in DOC, flag
