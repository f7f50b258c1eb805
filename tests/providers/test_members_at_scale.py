"""ContactListMembers at scale, without the plugin: check skips what it checked before, the
size limit of a list's members, and idempotent checking (what the skip relies on)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_avosms import _members_rules
from pulumi_avosms._limits import MAX_MEMBERS_REPLY_BYTES, information_reply_bytes
from pulumi_avosms._members_rules import check_inputs, check_members
from pulumi_avosms._members_state import members_of, stored_members
from pulumi_avosms.contact_list_members import ContactListMembersProvider

CIVILITIES = ["M", "Mme", "m.", "MME", "", None]
NAMES = st.one_of(st.none(), st.text(max_size=12))
EMAILS = st.sampled_from(["", None, "a@example.com", " B@Example.COM ", "x.y@exämple.fr"])
BIRTHDAYS = st.sampled_from(["", None, "1980-02-03", "03/02/1980"])
NUMBERS = st.sampled_from(
    ["+33612345678", "06 12 34 56 78", "+33 6 12 34 56 79", "+32470123456", "+441632960961"]
)

member = st.fixed_dictionaries(
    {"phone_number": NUMBERS},
    optional={
        "civility": st.sampled_from(CIVILITIES),
        "first_name": NAMES,
        "last_name": NAMES,
        "email": EMAILS,
        "birthday": BIRTHDAYS,
        "other": NAMES,
    },
)


def declared(n: int, *, name: str = "First") -> list[dict[str, Any]]:
    return [
        {
            "phone_number": f"+336{10_000_000 + i:08d}",
            "first_name": f"{name}{i}",
            "last_name": f"Last{i}",
            "email": f"person{i}@example.com",
        }
        for i in range(n)
    ]


@settings(max_examples=300)
@given(st.lists(member, max_size=4), st.lists(member, max_size=4))
def test_members_checked_against_a_previous_check_are_what_a_fresh_check_gives(
    before: list[dict[str, Any]], now: list[dict[str, Any]]
) -> None:
    previous, _ = check_members(before)
    # Whatever was checked before (valid or not), the result is the fresh check's, and the
    # members checked are declared again as they came out (checking is idempotent).
    assert check_members(now, previous=previous) == check_members(now)
    # The same from the state's inputs as this release stores them (one string a member).
    stored = stored_members(previous) if previous else None
    assert check_members(now, previous=stored) == check_members(now)
    if previous:
        again = [{"phone_number": n, **fields} for n, fields in previous.items()]
        assert check_members(again, previous=None) == (previous, [])


@pytest.mark.parametrize("state", ["stored as text", "stored as maps (0.2.0)"])
def test_a_preview_of_a_hundred_members_with_one_change_parses_one_number(state: str) -> None:
    # Counting phonenumbers.parse, not time: each member unchanged since the state is passed.
    members = declared(100)
    inputs, failures = check_inputs({}, {"list_id": "12", "members": members})
    assert failures == []
    if state == "stored as maps (0.2.0)":
        inputs = {**inputs, "members": members_of(inputs)}
    edited = [dict(m) for m in members]
    edited[7]["first_name"] = "Changed"
    edited[8]["phone_number"] = "+33 6 99 99 99 99"
    with mock.patch.object(phonenumbers, "parse", wraps=phonenumbers.parse) as parse:
        again, failures = check_inputs(inputs, {"list_id": "12", "members": edited})
    assert failures == []
    assert parse.call_count == 2
    assert members_of(again)["+33610000007"]["first_name"] == "Changed"
    assert "+33699999999" in again["members"] and "+33610000008" not in again["members"]
    assert all(isinstance(text, str) for text in again["members"].values())
    if state == "stored as text":
        # The unchanged members keep the state's own text, not encoded again.
        assert again["members"]["+33610000009"] is inputs["members"]["+33610000009"]


def test_members_too_big_for_a_refresh_are_refused_at_check_with_the_limit_named() -> None:
    # A few members with huge fields stand for hundreds of thousands of ordinary ones.
    other = "x" * (MAX_MEMBERS_REPLY_BYTES // 3)
    members = [{"phone_number": f"+3361000000{i}", "other": other} for i in range(4)]
    inputs, failures = check_inputs({}, {"list_id": "12", "members": members})
    assert [f.property for f in failures] == ["members"]
    assert "over the 199 MiB a refresh can read" in failures[0].reason
    assert "400 MiB" in failures[0].reason and "split the members" in failures[0].reason
    assert "members" not in inputs
    _, fine = check_inputs({}, {"list_id": "12", "members": members[:2]})
    assert fine == []


def test_the_reply_estimate_is_the_emulators_reply_size() -> None:
    import json

    from pulumi_avosms.emulator.api import _contact_entry

    members, _ = check_members(
        [*declared(50), {"phone_number": "+33699999999", "other": 'é"\\\n', "civility": "M"}]
    )
    assert members is not None
    entries = [
        _contact_entry({"phone_number": n, **{k: f.get(k, "") for k in _FIELDS}})
        for n, f in members.items()
    ]
    assert information_reply_bytes(members) == len(json.dumps(entries)) - 2 + 2


_FIELDS = _members_rules.CONTACT_FIELDS


def test_a_refresh_parses_only_the_numbers_that_drifted_and_sends_inputs_only_on_drift(
    avosms_config: dict[str, str], emulator: Any
) -> None:
    provider = ContactListMembersProvider()
    provider.configure(ConfigureRequest(Config(avosms_config, "test")))
    list_id = str(emulator.backend.console_create_list("Big", "FR"))
    inputs, failures = check_inputs({}, {"list_id": list_id, "members": declared(50)})
    assert failures == []
    outs = dict(provider.create(inputs).outs)
    with mock.patch.object(phonenumbers, "parse", wraps=phonenumbers.parse) as parse:
        read = provider.read(list_id, outs)
    assert parse.call_count == 0
    assert read.inputs is None and read.outs["members"] == outs["members"]

    emulator.backend.console_update_contact(list_id, "+33610000003", first_name="Renamed")
    emulator.backend.console_add_contact(list_id, "+33699999999", first_name="New")
    provider._client(None).drop_cached_reads()
    with mock.patch.object(phonenumbers, "parse", wraps=phonenumbers.parse) as parse:
        read = provider.read(list_id, outs)
    assert parse.call_count == 1  # the new number; the renamed one is the state's
    assert read.inputs is not None
    members = members_of(read.inputs)
    assert len(members) == 51 and members["+33699999999"] == {"first_name": "New"}
    assert members["+33610000003"]["first_name"] == "Renamed"
    assert read.inputs["members"]["+33610000004"] == inputs["members"]["+33610000004"]
