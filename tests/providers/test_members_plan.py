"""The pure planning of ContactListMembers: which numbers to add, update, remove."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pulumi_avosms._members_plan import (
    Held,
    Plan,
    Removals,
    compact,
    contact_of,
    differences,
    fingerprint,
    plan_changes,
    prints,
    removals,
)
from pulumi_avosms._model import ContactInfo

A, B, C = "+33612345678", "+33698765432", "+33781223344"


def test_plan_adds_missing_updates_differing_and_keeps_equal() -> None:
    wanted = {A: {"first_name": "Alice"}, B: {"first_name": "Bob"}, C: {}}
    current = {A: {"first_name": "Alice"}, B: {"first_name": "Bruno"}}
    assert plan_changes(wanted, current) == Plan(adds=(C,), updates=(B,))


def test_a_plan_removes_only_what_it_is_given() -> None:
    wanted = {A: {}}
    current = {A: {}, B: {"other": "x"}}
    removes = removals(wanted, Held({A: "p", B: "p"}, frozenset(), True), exclusive=True)
    assert plan_changes(wanted, current, removes=removes) == Plan(removes=Removals((B,)))
    assert plan_changes(wanted, current) == Plan()
    assert len(plan_changes(wanted, current)) == 0


def _held(numbers: dict[str, str], undeclared: set[str], exclusive: bool) -> Held:
    return Held(numbers, frozenset(undeclared), exclusive)


def test_an_update_removes_what_the_program_dropped_and_what_a_refresh_showed() -> None:
    held = _held({A: "p", B: "p", C: "p"}, {C}, exclusive=True)
    # B was declared and is dropped; C was found by a refresh (so listed by the preview).
    assert removals({A: {}}, held, exclusive=True) == (B, C)
    # Turning exclusive off: only what the program itself declared before goes.
    assert removals({A: {}}, held, exclusive=False) == (B,)
    # A delete declares nothing and is not exclusive.
    assert removals({}, held, exclusive=False) == (A, B)


def test_a_create_removes_nothing_unless_the_program_opted_in() -> None:
    live = {A: {}, B: {}}
    assert removals({A: {}}, None, exclusive=True, live=live) == ()
    assert removals({}, None, exclusive=True, live=live) == ()
    assert (
        removals({A: {}}, None, exclusive=False, live=live, remove_undeclared_on_create=True) == ()
    )
    assert removals({A: {}}, None, exclusive=True, live=live, remove_undeclared_on_create=True) == (
        B,
    )


NUMBERS = st.sampled_from([A, B, C, "+33700000000", "+33611111111"])


@given(
    declared=st.sets(NUMBERS),
    state=st.sets(NUMBERS),
    found=st.sets(NUMBERS),
    was_exclusive=st.booleans(),
    exclusive=st.booleans(),
)
def test_the_removal_rule_never_goes_beyond_what_the_program_asked(
    declared: set[str], state: set[str], found: set[str], was_exclusive: bool, exclusive: bool
) -> None:
    held = _held(dict.fromkeys(state, "p"), found & state, was_exclusive)
    removed = set(removals({n: {} for n in declared}, held, exclusive=exclusive))
    # Only numbers of the state (so of the state's inputs, which a preview diffs), never a
    # declared one, never one only a refresh found unless exclusive stays on.
    assert removed <= state - declared
    if not (was_exclusive and exclusive):
        assert not removed & found
    # And everything the program asked for goes: a state it no longer declares converges.
    assert state - declared - found <= removed
    if was_exclusive and exclusive:
        assert removed == state - declared


def test_a_state_of_fingerprints_plans_as_its_fields_would() -> None:
    wanted = {A: {"first_name": "Alice"}, B: {"first_name": "Bob"}, C: {}}
    current = {A: {"first_name": "Alice"}, B: {"first_name": "Bruno"}, "+33700000000": {}}
    state = prints(current)
    assert all(isinstance(v, str) and len(v) == 12 for v in state.values())
    assert plan_changes(wanted, state) == plan_changes(wanted, current)
    # Moving a value to another field is a change; an absent field is an empty one.
    assert fingerprint({"first_name": "Ann"}) != fingerprint({"last_name": "Ann"})
    assert fingerprint({"email": ""}) == fingerprint({})


def test_an_absent_field_equals_an_empty_one() -> None:
    assert not plan_changes({A: {"email": ""}}, {A: {}})


def test_compact_keeps_only_set_fields_and_contact_of_sends_every_field() -> None:
    contact = ContactInfo(A, first_name="Alice", email="")
    assert compact(contact) == {"first_name": "Alice"}
    assert contact_of(A, {"first_name": "Alice"}) == ContactInfo(A, first_name="Alice")


def test_differences_name_each_number_and_field() -> None:
    lines = differences(
        {A: {"first_name": "Alice"}, B: {}},
        {A: {"first_name": "Alicia"}, C: {}},
    )
    # C, in the list only, is no difference: adoption leaves contacts not declared alone.
    assert lines == [
        f"{A}: first_name program 'Alice' AvoSMS 'Alicia'",
        f"{B}: in the program, not in the list",
    ]
    assert differences({A: {}}, {A: {}, C: {}}) == []
