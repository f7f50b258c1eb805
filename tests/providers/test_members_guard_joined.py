"""The API-key guard of ContactListMembers searches the members' strings as one text.

At 100,000 members, one search per string cost a second of every preview; the guard now
searches them joined, and splits the members by position only when that finds a key. The
refusals must be exactly those of a search of each member by position: no key missed, and
none found that only the joining made (a key cut in two over adjacent strings).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_avosms._members_rules import by_position
from pulumi_avosms.contact_list_members import ContactListMembersProvider

from .test_key_guard import AGENCY_KEY, CONFIG, DEFAULT_KEY, configured


class ByPositionProvider(ContactListMembersProvider):
    """The guard as it was: every member's strings searched one by one."""

    def _guard_view(self, news: dict[str, Any]) -> dict[str, Any]:
        return by_position(news)


def refusals(provider_class: type, members: Any) -> list[tuple[str, str]]:
    failures = configured(provider_class).check({}, {"list_id": "7", "members": members}).failures
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
    assert refusals(ContactListMembersProvider, members) == refusals(ByPositionProvider, members)


def test_a_key_cut_over_two_fields_or_two_members_is_not_a_key() -> None:
    head, tail = DEFAULT_KEY[:9], DEFAULT_KEY[9:]
    for members in (
        [{"phone_number": "+33612345678", "first_name": head, "last_name": tail}],
        [{"phone_number": "+33612345678", "other": head}, {tail: "x"}],
    ):
        assert not any(
            "API key" in reason for _, reason in refusals(ContactListMembersProvider, members)
        )


def test_the_key_in_one_member_of_many_is_refused_by_its_position() -> None:
    members: list[Any] = [{"phone_number": f"+336{10_000_000 + i:08d}"} for i in range(5_000)]
    members[4_321] = {**members[4_321], "email": f"x{DEFAULT_KEY.upper()}@example.com"}
    refused = [
        p for p, reason in refusals(ContactListMembersProvider, members) if "API key" in reason
    ]
    assert refused == ["members[4321].email"]
    assert CONFIG["avosms:apiKey"] == DEFAULT_KEY
