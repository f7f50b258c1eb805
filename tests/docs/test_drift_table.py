"""docs/drift.md's table, played row by row through the real plugin against the emulator.

Each row: a program with a ``ContactList`` and the row's resource in that list, deployed; the
console change made with the emulator's console methods; then the drift check as the engine
runs it (``Stack.refresh`` then ``Stack.preview``: the refresh steps are not counted, the
program's steps are), and ``pulumi up --refresh`` (the same refresh, then ``Stack.up``). The
page's "CI check" cell must be what the check did, and its last cell must start with the op
``up`` ran (or "nothing"); what ``up`` left in the emulator is checked too.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from pulumi_avosms import Contact, ContactList, ContactListMembers
from tests.support import harness as h
from tests.support.projects import REPO_ROOT

PAGE = REPO_ROOT / "docs" / "drift.md"
LIST, OTHER = "customers", "member"
ALICE, BOB, CAROL = "+33612345678", "+33698765432", "+33781223344"


@dataclass(frozen=True)
class Row:
    resource: str
    change: str
    check: str
    up: str


def table() -> list[Row]:
    rows = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[2] in ("fails", "passes"):
            rows.append(Row(*cells))
    return rows


def program(resource: str, list_id: str) -> dict[str, dict[str, Any]]:
    """What the row's program registers, its resource in list ``list_id``."""

    def run() -> None:
        ContactList(LIST, name="Customers FR", country_code="FR")
        if resource == "Contact":
            Contact(OTHER, list_id=list_id, phone_number=ALICE, first_name="Alice")
        elif resource.startswith("ContactListMembers"):
            ContactListMembers(
                OTHER,
                list_id=list_id,
                members=[{"phone_number": ALICE, "first_name": "Alice"}, {"phone_number": BOB}],
                exclusive=resource.endswith("exclusive"),
            )

    return h.program_inputs(run)


def console_change(backend: Any, list_id: str, change: str) -> None:
    if change == "rename the list":
        backend.console_rename_list(list_id, "Renamed by hand")
    elif change == "delete the list":
        backend.console_delete_list(list_id)
    elif change == "add a contact":
        backend.console_add_contact(list_id, CAROL, first_name="Carol")
    elif change in ("edit a contact", "edit the contact", "edit a member"):
        backend.console_update_contact(list_id, ALICE, first_name="Alicia")
    elif change in ("remove a contact", "remove the contact", "remove a member"):
        backend.console_remove_contact(list_id, ALICE)
    else:
        raise AssertionError(f"docs/drift.md: no test for the console change {change!r}")


@pytest.fixture
def stack(avosms_config: dict[str, str]) -> Iterator[h.Stack]:
    stack = h.Stack(h.PluginProcess(unset_prefixes=["AVOSMS_"]), config=avosms_config)
    try:
        yield stack
    finally:
        stack.plugin.close()


def next_command(stack: h.Stack) -> None:
    """One plugin process per CLI command, as the engine starts them (no read cache kept)."""
    stack.plugin.close()
    stack.plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"])


def deploy(stack: h.Stack, backend: Any, resource: str) -> tuple[str, Callable[[str], dict]]:
    """Up the list, then the program with the list's ID (as the engine resolves outputs).

    A list managed by ``ContactList`` alone gets its contact by hand, as such lists do.
    """
    make = (lambda list_id: program(resource, list_id)) if resource != "ContactList" else None
    lists_only = {LIST: program("ContactList", "")[LIST]}
    stack.up(lists_only)
    list_id = stack.id(LIST)

    def full(list_id: str) -> dict[str, dict[str, Any]]:
        return make(list_id) if make else lists_only

    if make is None:
        backend.console_add_contact(list_id, ALICE, first_name="Alice")
        next_command(stack)
        stack.refresh()
    else:
        stack.up(full(list_id))
    return list_id, full


def test_the_table_has_every_resource_and_console_change() -> None:
    rows = table()
    resources = {r.resource for r in rows}
    assert resources == {
        "ContactList",
        "Contact",
        "ContactListMembers, exclusive",
        "ContactListMembers, additive",
    }
    for resource in resources:
        changes = [r.change.split()[0] for r in rows if r.resource == resource]
        assert changes == ["rename", "delete", "add", "edit", "remove"], resource


@pytest.mark.parametrize("row", table(), ids=lambda r: f"{r.resource}: {r.change}")
def test_the_check_and_up_do_what_the_table_says(row: Row, stack: h.Stack, emulator: Any) -> None:
    backend = emulator.backend
    list_id, full = deploy(stack, backend, row.resource)
    console_change(backend, list_id, row.change)

    # `pulumi preview --refresh --expect-no-changes`: the refresh steps are not counted, and
    # a preview saves nothing.
    saved = copy.deepcopy(stack.state)
    next_command(stack)
    stack.refresh()
    planned = stack.preview(full(list_id)).ops
    stack.state = saved
    # The row's resource alone: in "rename the list", the list's own ContactList fails too.
    mine = {k: v for k, v in planned.items() if row.resource == "ContactList" or k == OTHER}
    fails = any(op != "same" for op in mine.values())
    assert row.check == ("fails" if fails else "passes"), planned

    # `pulumi up --refresh`: the program runs again, with the ID of a list created again if it
    # had to be.
    next_command(stack)
    stack.refresh()
    if stack.urn(LIST) in stack.state:
        ops = stack.up(full(list_id)).ops
    else:  # the list was deleted: created again first, its new ID then given to the rest
        ops = stack.up({LIST: full(list_id)[LIST]}).ops
        ops.update({k: v for k, v in stack.up(full(stack.id(LIST))).ops.items() if k != LIST})
    new_list_id = stack.id(LIST)
    done = set(ops.values())
    first_word = re.match(r"`(\w+)`|nothing", row.up)
    assert first_word is not None, row.up
    if first_word.group(1):
        assert first_word.group(1) in done, ops
    else:
        assert {v for k, v in ops.items() if k in mine} == {"same"}, ops

    # What up left in AvoSMS: the program's values, the list renamed back.
    assert backend.get_list(new_list_id)["name"] == "Customers FR"
    contacts = {c["phone_number"]: c for c in backend.get_list(new_list_id)["contacts"]}
    if row.resource != "ContactList":
        assert contacts[ALICE]["first_name"] == "Alice"
    if row.resource == "ContactListMembers, exclusive":
        assert set(contacts) == {ALICE, BOB}
    if row.change == "add a contact" and row.resource != "ContactListMembers, exclusive":
        assert CAROL in contacts  # left alone
