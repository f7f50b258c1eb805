"""Two edges of the messages a preview shows: the shortest API key the guard still looks
for (8 characters; a shorter one would match ordinary words), and the quotes around a
value holding an apostrophe (double ones, as Python would write it)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_avosms.contact_list import ContactListProvider
from pulumi_avosms.contact_list_members import ContactListMembersProvider


def list_failures(key: str, name: str) -> list[Any]:
    provider = ContactListProvider()
    provider.configure(
        ConfigureRequest(Config({"avosms:apiId": "me@example.com", "avosms:apiKey": key}, "t"))
    )
    return provider.check({}, {"name": name, "country_code": "FR"}).failures


@pytest.mark.parametrize(("key", "refused"), [("Kq7pZ2xW", True), ("Kq7pZ2x", False)])
def test_a_key_of_8_characters_is_looked_for_and_a_shorter_one_is_not(
    key: str, refused: bool
) -> None:
    failures = list_failures(key, f"Customers {key}")
    assert [f.property for f in failures] == (["name"] if refused else [])
    assert all(key.lower() not in f.reason.lower() for f in failures)


def test_a_value_holding_an_apostrophe_is_quoted_with_double_quotes() -> None:
    news = {"list_id": "7", "members": "it's"}
    [failure] = ContactListMembersProvider().check({}, news).failures
    assert failure.reason == 'members must be a list of dicts, got a string "it\'s"'
