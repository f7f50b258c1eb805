"""The size ``check`` estimates for a list's ``information`` reply is the emulator's reply
size, whether every number and value is plain JSON text (one test of all of them) or one
of them needs escapes (measured string by string)."""

from __future__ import annotations

import json

import pytest

from pulumi_avosms._limits import information_reply_bytes
from pulumi_avosms._members_rules import check_members
from pulumi_avosms._model import CONTACT_FIELDS
from pulumi_avosms.emulator.api import _contact_entry

PLAIN = [
    {"phone_number": f"+336{10_000_000 + i:08d}", "first_name": f"First{i}", "email": f"p{i}@x.fr"}
    for i in range(30)
]
ODD_VALUES = ["é", 'say "hi"', "back\\slash", "\u2028"]


@pytest.mark.parametrize("odd", [None, *ODD_VALUES])
def test_the_reply_estimate_is_the_emulators_reply_size(odd: str | None) -> None:
    declared = PLAIN if odd is None else [*PLAIN, {"phone_number": "+33699999999", "other": odd}]
    members, problems = check_members(declared)
    assert members is not None and problems == []
    entries = [
        _contact_entry({"phone_number": n, **{k: f.get(k, "") for k in CONTACT_FIELDS}})
        for n, f in members.items()
    ]
    assert information_reply_bytes(members) == len(json.dumps(entries))
