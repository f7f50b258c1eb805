"""How a refused input is quoted at preview: its JSON kind, then at most 40 characters of it.

An object or an array is named by its kind only: its content may be large, nested, or hold
the API key, so none of it is quoted. The values come from a program, through ``check``.
"""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_avosms.contact_list import ContactListProvider
from pulumi_avosms.contact_list_members import ContactListMembersProvider

KEY = "Key-0123456789-abcdef"
COUNTRY = "country_code must be a two-letter ISO 3166-1 alpha-2 country code such as 'FR', got "


def country_failure(value: Any) -> str:
    news = {"name": "Customers", "country_code": value}
    [failure] = ContactListProvider().check({}, news).failures
    assert failure.property == "country_code"
    return failure.reason


def members_failures(members: Any, **more: Any) -> list[str]:
    news = {"list_id": "7", "members": members, **more}
    return [f.reason for f in ContactListMembersProvider().check({}, news).failures]


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        (True, "a boolean True"),
        (False, "a boolean False"),
        (33, "a number 33"),
        (3.5, "a number 3.5"),
        (10**39, "a number " + "1" + "0" * 39),  # 40 characters: whole
        (10**40, "a number " + "1" + "0" * 39 + "…"),  # 41: cut at 40
    ],
)
def test_a_scalar_is_quoted_with_its_kind(value: Any, quoted: str) -> None:
    assert country_failure(value) == COUNTRY + quoted


def test_a_number_too_large_to_print_is_named_not_printed() -> None:
    assert country_failure(10**5000) == COUNTRY + "a number too large to show"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ({"code": "FR", "key": KEY}, "an object"),
        (["FR", KEY], "an array"),
        (("FR", KEY), "an array"),  # a tuple is an array too: one kind, one word
        ({}, "an object"),
        ([], "an array"),
    ],
)
def test_an_object_or_array_is_named_by_its_kind_without_its_content(value: Any, kind: str) -> None:
    assert country_failure(value) == COUNTRY + kind


def test_a_member_that_is_not_a_dict_is_quoted_by_kind() -> None:
    failures = members_failures([None, [KEY, "+33612345678"], "+33612345678"])
    assert failures == [
        "members[0] must be a dict with phone_number and Contact fields, got null",
        "members[1] must be a dict with phone_number and Contact fields, got an array",
        "members[2] must be a dict with phone_number and Contact fields, "
        "got a string '+33612345678'",
    ]


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("m" * 40, repr("m" * 40)),  # 40 characters: whole
        ("m" * 41, repr("m" * 40 + "…")),  # 41: cut at 40, and it says so
    ],
)
def test_a_string_is_quoted_up_to_40_characters(text: str, quoted: str) -> None:
    assert members_failures(text) == [f"members must be a list of dicts, got a string {quoted}"]


def test_a_dict_of_members_is_refused_without_quoting_it() -> None:
    assert members_failures({"+33612345678": {"first_name": KEY}}) == [
        "members must be a list of dicts, got an object"
    ]


def test_a_non_boolean_exclusive_names_its_kind() -> None:
    assert members_failures([], exclusive="yes") == [
        "exclusive must be True or False, got a string 'yes'"
    ]
    assert members_failures([], exclusive=1) == ["exclusive must be True or False, got a number 1"]


def test_a_member_with_unknown_fields_names_each_and_the_fields_members_take() -> None:
    failures = members_failures([{"phone_number": "+33612345678", "nick": "Al", "colour": "red"}])
    assert failures == [
        "members[0] (+33612345678) has unknown field(s) colour, nick; members take "
        "phone_number, civility, first_name, last_name, email, birthday, other"
    ]
