"""Importing a list's members that differ from the program: the failure lists each declared
number that AvoSMS lacks or holds with other fields (all of a number's fields on its line),
values cut to 40 characters."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_avosms.contact_list_members import ContactListMembersProvider
from pulumi_avosms.errors import ContactListMembersError

ALICE, BOB = "+33612345678", "+33698765432"


def test_each_difference_is_a_line_with_long_values_cut_at_40_characters(
    emulator: Any, avosms_config: dict[str, str]
) -> None:
    list_id = emulator.backend.console_create_list("On-call FR", "FR")
    emulator.backend.console_add_contact(list_id, ALICE, first_name="Alice", other="o" * 50)
    provider = ContactListMembersProvider()
    provider.configure(ConfigureRequest(Config(avosms_config, "avosms")))
    news = {
        "list_id": list_id,
        "import_id": list_id,
        "members": [
            {
                "phone_number": ALICE,
                "first_name": "Alice",
                "last_name": "Martin",
                "other": "p" * 40,
            },
            {"phone_number": BOB, "first_name": "Bob"},
        ],
    }
    checked = provider.check({}, news)
    assert checked.failures == []
    with pytest.raises(ContactListMembersError) as caught:
        provider.create(checked.inputs)
    lines = str(caught.value).split("\n")
    assert lines[1:3] == [
        # Every field that differs, in one line; one AvoSMS does not hold shows as ''.
        f"  {ALICE}: last_name program 'Martin' AvoSMS '', "
        f"other program '{'p' * 40}' AvoSMS '{'o' * 40}…'",
        f"  {BOB}: in the program, not in the list",
    ]
    assert emulator.backend.get_list(list_id)["contact_count"] == 1  # import changes nothing
