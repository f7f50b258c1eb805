"""The pure planning of ContactListMembers: which numbers to add, update, remove."""

from __future__ import annotations

from pulumi_avosms._members_plan import (
    Plan,
    compact,
    contact_of,
    differences,
    fingerprint,
    plan_changes,
    prints,
)
from pulumi_avosms._model import ContactInfo

A, B, C = "+33612345678", "+33698765432", "+33781223344"


def test_plan_adds_missing_updates_differing_and_keeps_equal() -> None:
    wanted = {A: {"first_name": "Alice"}, B: {"first_name": "Bob"}, C: {}}
    current = {A: {"first_name": "Alice"}, B: {"first_name": "Bruno"}}
    assert plan_changes(wanted, current, remove_others=True) == Plan(adds=(C,), updates=(B,))


def test_others_are_removed_only_when_asked() -> None:
    wanted = {A: {}}
    current = {A: {}, B: {"other": "x"}}
    assert plan_changes(wanted, current, remove_others=True) == Plan(removes=(B,))
    assert plan_changes(wanted, current, remove_others=False) == Plan()
    assert len(plan_changes(wanted, current, remove_others=False)) == 0


def test_a_state_of_fingerprints_plans_as_its_fields_would() -> None:
    wanted = {A: {"first_name": "Alice"}, B: {"first_name": "Bob"}, C: {}}
    current = {A: {"first_name": "Alice"}, B: {"first_name": "Bruno"}, "+33700000000": {}}
    state = prints(current)
    assert all(isinstance(v, str) and len(v) == 12 for v in state.values())
    assert plan_changes(wanted, state, remove_others=True) == plan_changes(
        wanted, current, remove_others=True
    )
    # Moving a value to another field is a change; an absent field is an empty one.
    assert fingerprint({"first_name": "Ann"}) != fingerprint({"last_name": "Ann"})
    assert fingerprint({"email": ""}) == fingerprint({})


def test_an_absent_field_equals_an_empty_one() -> None:
    assert not plan_changes({A: {"email": ""}}, {A: {}}, remove_others=True)


def test_compact_keeps_only_set_fields_and_contact_of_sends_every_field() -> None:
    contact = ContactInfo(A, first_name="Alice", email="")
    assert compact(contact) == {"first_name": "Alice"}
    assert contact_of(A, {"first_name": "Alice"}) == ContactInfo(A, first_name="Alice")


def test_differences_name_each_number_and_field() -> None:
    lines = differences(
        {A: {"first_name": "Alice"}, B: {}},
        {A: {"first_name": "Alicia"}, C: {}},
        exclusive=True,
    )
    assert lines == [
        f"{A}: first_name program 'Alice' AvoSMS 'Alicia'",
        f"{B}: in the program, not in the list",
        f"{C}: in the list, not in the program",
    ]
    assert differences({A: {}}, {A: {}, C: {}}, exclusive=False) == []
