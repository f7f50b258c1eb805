"""What a preview of ContactListMembers says about the inputs themselves: a missing or
malformed list_id or members, a number declared more than once, and exclusive's default."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_avosms.contact_list_members import ContactListMembersProvider

ALICE = "+33612345678"


def failures(**news: Any) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in ContactListMembersProvider().check({}, news).failures]


def test_list_id_and_members_are_required() -> None:
    assert failures() == [
        ("list_id", "list_id is required"),
        ("members", "members is required (a list, maybe empty)"),
    ]


def test_a_malformed_list_id_is_named() -> None:
    [(prop, reason)] = failures(list_id="seven", members=[])
    assert prop == "list_id"
    assert reason.startswith("list_id 'seven' is not an AvoSMS list ID")


def test_a_number_declared_three_times_names_its_first_position_each_time() -> None:
    members = [
        {"phone_number": ALICE},
        {"phone_number": "+33 6 12 34 56 78"},
        {"phone_number": ALICE},
    ]
    assert failures(list_id="7", members=members) == [
        (
            "members",
            f"members[0] and members[1] are the same number {ALICE}; declare each number once",
        ),
        (
            "members",
            f"members[0] and members[2] are the same number {ALICE}; declare each number once",
        ),
    ]


def test_a_member_with_an_unknown_field_gets_one_failure_not_two() -> None:
    # Its number is bad too, but the unknown field is what to fix first.
    [(prop, reason)] = failures(list_id="7", members=[{"phone_number": "12", "nick": "Al"}])
    assert prop == "members"
    assert reason.startswith("members[0] (12) has unknown field(s) nick;")


@pytest.mark.parametrize("given", [{}, {"exclusive": None}])
def test_exclusive_is_the_default_when_not_given_or_none(given: dict[str, Any]) -> None:
    result = ContactListMembersProvider().check({}, {"list_id": "7", "members": [], **given})
    assert result.failures == []
    assert result.inputs["exclusive"] is True
