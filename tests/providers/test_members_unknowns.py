"""ContactListMembers at preview, when members are built from other resources' outputs: a
value not known yet anywhere in the list (a number, a field, one member of many) leaves the
members to be checked at `pulumi up`, so the preview reports no false failure."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN

from pulumi_avosms.contact_list_members import ContactListMembersProvider

ALICE, BOB = "+33612345678", "+33698765432"


@pytest.mark.parametrize(
    "members",
    [
        [{"phone_number": UNKNOWN}],
        [{"phone_number": UNKNOWN}, {"phone_number": ALICE}],  # one member of several
        [{"phone_number": ALICE}, {"phone_number": BOB, "first_name": UNKNOWN}],  # one field
        [{"phone_number": ALICE, "first_name": "Alice", "other": UNKNOWN}],
    ],
    ids=["number", "one-member-of-two", "a-field-of-the-second", "one-field-of-two"],
)
def test_members_holding_a_value_not_known_yet_pass_check_as_they_are(
    members: list[dict[str, Any]],
) -> None:
    result = ContactListMembersProvider().check({}, {"list_id": "7", "members": members})
    assert result.failures == []
    assert result.inputs["members"] == members  # checked at `up`, once known


def test_known_members_are_still_checked_beside_an_unknown_list_id() -> None:
    news = {"list_id": UNKNOWN, "members": [{"phone_number": "06 12 34 56 78"}]}
    failures = ContactListMembersProvider().check({}, news).failures
    assert [f.property for f in failures] == ["members"]
