"""The API-key guard of every resource's ``check`` sees the key in any input shape.

The configured key (default account or a named one), in any case, is put anywhere in any
input of ``ContactList``, ``Contact`` and ``ContactListMembers``: as the value, inside a
longer text, a dict key or value, a list item, a string or a dict where a list is expected,
nested at any depth. ``check`` must refuse the input by name, and no failure (its property
or its text) may hold the key or any 8-character piece of it in any case.
"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_avosms import contact_list_members
from pulumi_avosms._members_rules import by_position, guard_view
from pulumi_avosms.contact import ContactProvider
from pulumi_avosms.contact_list import ContactListProvider
from pulumi_avosms.contact_list_members import ContactListMembersProvider

DEFAULT_KEY = "Dflt-Key-7f3kLm2pX4qW"
AGENCY_KEY = "agcy/KEY+9z8Y7x6W5v"
KEYS = (DEFAULT_KEY, AGENCY_KEY)
CONFIG = {
    "avosms:apiId": "me@example.com",
    "avosms:apiKey": DEFAULT_KEY,
    "avosms:accounts": json.dumps({"agency": {"apiId": "a@example.com", "apiKey": AGENCY_KEY}}),
}
ALICE = "+33612345678"

#: Each resource's provider and inputs that pass ``check``.
VALID: dict[str, tuple[type, dict[str, Any]]] = {
    "ContactList": (ContactListProvider, {"name": "Customers", "country_code": "FR"}),
    "Contact": (
        ContactProvider,
        {"list_id": "7", "phone_number": ALICE, "first_name": "Alice", "other": "x"},
    ),
    "ContactListMembers": (
        ContactListMembersProvider,
        {"list_id": "7", "members": [{"phone_number": ALICE, "first_name": "Alice"}]},
    ),
}
#: Every input of each resource the program can set.
PROPERTIES = {
    "ContactList": ["name", "country_code", "import_id", "account"],
    "Contact": [
        "list_id",
        "phone_number",
        "civility",
        "first_name",
        "last_name",
        "email",
        "birthday",
        "other",
        "import_id",
        "account",
    ],
    "ContactListMembers": ["list_id", "members", "exclusive", "import_id", "account"],
}
CASES = [(resource, prop) for resource, props in PROPERTIES.items() for prop in props]


def configured(provider_class: type) -> Any:
    provider = provider_class()
    provider.configure(ConfigureRequest(Config(CONFIG, "avosms")))
    return provider


def encodings(key: str) -> list[str]:
    """The key as a URL or JSON text may carry it."""
    return [quote(key, safe=""), "".join(f"%{b:02x}" for b in key.encode()), json.dumps(key)[1:-1]]


def pieces(key: str) -> set[str]:
    """Every 8-character piece of the key and of its encodings, case-folded."""
    return {
        spelling[i : i + 8]
        for spelling in {s.casefold() for s in (key, *encodings(key))}
        for i in range(len(spelling) - 7)
    }


def assert_refused_without_quoting(failures: list[Any], key: str) -> None:
    assert any("contains the AvoSMS API key" in f.reason for f in failures), failures
    for failure in failures:
        text = f"{failure.property} {failure.reason}".casefold()
        shown = [piece for piece in pieces(key) if piece in text]
        assert shown == [], (failure.property, failure.reason)


def key_spellings(key: str) -> st.SearchStrategy[str]:
    return st.sampled_from([key, key.upper(), key.lower(), key.swapcase(), *encodings(key)])


def carrier(key: str) -> st.SearchStrategy[str]:
    """The key, in some case, alone or inside other text (which may itself be hostile)."""
    around = st.text(max_size=12)
    return st.builds(lambda a, k, b: a + k + b, around, key_spellings(key), around)


def wrapped(key: str) -> st.SearchStrategy[Any]:
    """A value holding the key somewhere: as a string, a dict key or value, a list item, at
    any depth, beside other values."""
    filler = st.one_of(st.none(), st.integers(), st.booleans(), st.text(max_size=8))

    def wrap(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.builds(
                lambda v, a, b: [*a, v, *b],
                inner,
                st.lists(filler, max_size=2),
                st.lists(filler, max_size=2),
            ),
            st.builds(lambda v, k: {k: v}, inner, st.text(max_size=8)),
            st.builds(
                lambda v, others: {**others, "other": v},
                inner,
                st.dictionaries(st.text(max_size=5), filler, max_size=2),
            ),
            st.builds(lambda v: (v,), inner),
        )

    leaf = carrier(key)
    key_as_dict_key = st.builds(lambda k, v: {k: v}, leaf, filler)
    return st.recursive(st.one_of(leaf, key_as_dict_key), wrap, max_leaves=6)


@pytest.mark.parametrize(("resource", "prop"), CASES)
@settings(max_examples=25)  # per input: 19 inputs, ~500 shapes in all
@given(data=st.data())
def test_the_key_in_any_shape_of_any_input_is_refused_and_never_quoted(
    resource: str, prop: str, data: st.DataObject
) -> None:
    provider_class, valid = VALID[resource]
    key = data.draw(st.sampled_from(KEYS))
    news = {**valid, prop: data.draw(wrapped(key))}
    failures = configured(provider_class).check({}, news).failures
    assert_refused_without_quoting(failures, key)


MEMBER_SHAPES = {
    "members as a string": lambda k: k,
    "members as a dict": lambda k: {"phone_number": ALICE, "other": k},
    "members as a dict keyed by the key": lambda k: {k: {"phone_number": ALICE}},
    "a member that is a string": lambda k: [k],
    "a member that is a list": lambda k: [[ALICE, k]],
    "a member's number": lambda k: [{"phone_number": k}],
    "a member's field": lambda k: [{"phone_number": ALICE, "email": k}],
    "a member's unknown field name": lambda k: [{"phone_number": ALICE, k: "x"}],
    "a member's nested value": lambda k: [{"phone_number": ALICE, "other": {"a": [1, {"b": k}]}}],
    "a dict key deep inside a member": lambda k: [{"phone_number": ALICE, "other": [{k: 1}]}],
    "the second of many members": lambda k: [{"phone_number": ALICE}, {"phone_number": f"+33 {k}"}],
    "a member that is the key percent-encoded": lambda k: [
        "".join(f"%{b:02x}" for b in k.encode())
    ],
}


@pytest.mark.parametrize("shape", MEMBER_SHAPES)
@pytest.mark.parametrize("key", [DEFAULT_KEY, AGENCY_KEY.upper(), quote(AGENCY_KEY, safe="")])
def test_every_member_shape_is_guarded(shape: str, key: str) -> None:
    news = {"list_id": "7", "members": MEMBER_SHAPES[shape](key)}
    failures = configured(ContactListMembersProvider).check({}, news).failures
    assert_refused_without_quoting(failures, key)


def test_the_failure_names_the_member_and_field_that_hold_the_key() -> None:
    news = {
        "list_id": "7",
        "members": [
            {"phone_number": ALICE},
            {"phone_number": "+33698765432", "other": {"note": DEFAULT_KEY}},
            {"phone_number": "+33781223344", DEFAULT_KEY: "x"},
        ],
    }
    failures = configured(ContactListMembersProvider).check({}, news).failures
    refused = sorted(f.property for f in failures if "API key" in f.reason)
    assert refused == ["members[1].other", "members[2]"]


def test_the_guard_input_never_names_a_property_after_the_programs_text() -> None:
    flat = by_position({"list_id": "7", "members": [{"phone_number": ALICE, "zz-odd": 1}]})
    assert set(flat) == {"list_id", "members[0].phone_number", "members[0]"}
    assert flat["members[0]"] == {"zz-odd": 1}


def test_a_short_placeholder_key_refuses_nothing() -> None:
    """A stack whose key is a short placeholder ("test") would refuse every word holding it."""
    provider = ContactListProvider()
    provider.configure(ConfigureRequest(Config({"avosms:apiKey": "test"}, "avosms")))
    assert provider.check({}, {"name": "test list", "country_code": "FR"}).failures == []


# -- ContactListMembers: the members' strings searched as one text -----------------------------
# At 100,000 members, one search per string cost a second of every preview; the guard now
# searches them joined, and splits the members by position only when that finds a key. The
# refusals must be exactly those of a search of each member by position: no key missed, and
# none found that only the joining made (a key cut in two over adjacent strings).


def refusals(members: Any, *, by_position_only: bool = False) -> list[tuple[str, str]]:
    """Check's refusals of ``members``; ``by_position_only``: with the guard as it was, every
    member's strings searched one by one."""
    provider = configured(ContactListMembersProvider)
    with mock.patch.object(
        contact_list_members,
        "guard_view",
        (lambda news, _holds_key: by_position(news)) if by_position_only else guard_view,
    ):
        failures = provider.check({}, {"list_id": "7", "members": members}).failures
    return sorted((f.property, f.reason) for f in failures)


#: Pieces of text that make, side by side, a key in some spelling, or almost.
PIECES = [
    DEFAULT_KEY[:6],
    DEFAULT_KEY[6:],
    AGENCY_KEY.upper(),
    quote(AGENCY_KEY, safe="")[:7],
    quote(AGENCY_KEY, safe="")[7:],
    "%",
    "%25",
    "+",
    "\\",
    "\x00",
    " ",
    "+33612345678",
    "é",
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)
MEMBER = st.dictionaries(
    st.sampled_from(["phone_number", "first_name", "other", DEFAULT_KEY[:6], DEFAULT_KEY[6:]]),
    TEXT,
    max_size=3,
)


@settings(max_examples=300)
@given(st.lists(st.one_of(MEMBER, TEXT), max_size=4))
def test_the_joined_search_refuses_exactly_what_the_search_by_position_refuses(
    members: list[Any],
) -> None:
    assert refusals(members) == refusals(members, by_position_only=True)


def test_a_key_cut_over_two_fields_or_two_members_is_not_a_key() -> None:
    head, tail = DEFAULT_KEY[:9], DEFAULT_KEY[9:]
    for members in (
        [{"phone_number": "+33612345678", "first_name": head, "last_name": tail}],
        [{"phone_number": "+33612345678", "other": head}, {tail: "x"}],
    ):
        assert not any("API key" in reason for _, reason in refusals(members))


def test_the_key_in_one_member_of_many_is_refused_by_its_position() -> None:
    members: list[Any] = [{"phone_number": f"+336{10_000_000 + i:08d}"} for i in range(5_000)]
    members[4_321] = {**members[4_321], "email": f"x{DEFAULT_KEY.upper()}@example.com"}
    refused = [p for p, reason in refusals(members) if "API key" in reason]
    assert refused == ["members[4321].email"]
    assert CONFIG["avosms:apiKey"] == DEFAULT_KEY
