"""Failures a user reads at preview: invisible characters, list IDs, birthdays, the key.

Each message names the property and says what to write instead; none quotes the API key.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_avosms.contact import ContactProvider
from pulumi_avosms.contact_list import ContactListProvider

MOBILE_FR = "+33612345678"
KEY = "Key-0123456789-abcdef"
FORMATS = "YYYY-MM-DD (e.g. '1990-05-17') or DD/MM/YYYY (e.g. '17/05/1990')"


def reasons(provider: Any, news: dict[str, Any], olds: dict[str, Any] | None = None) -> dict:
    return {f.property: f.reason for f in provider.check(olds or {}, news).failures}


def configured(provider: Any) -> Any:
    config = {"avosms:apiId": "me@example.com", "avosms:apiKey": KEY}
    provider.configure(ConfigureRequest(Config(config, "avosms")))
    return provider


# -- invisible characters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("Customers\u200bFR", "U+200B ZERO WIDTH SPACE"),
        ("Customers \u202eRF", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Custo\u00admers", "U+00AD SOFT HYPHEN"),
        ("\ufeffCustomers", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("Customers\u2066FR", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ],
)
def test_a_list_name_with_an_invisible_character_is_refused(name: str, named: str) -> None:
    failure = reasons(ContactListProvider(), {"name": name, "country_code": "FR"})["name"]
    assert failure.startswith("name contains the invisible character " + named)


def test_a_name_of_only_invisible_characters_is_blank() -> None:
    failure = reasons(ContactListProvider(), {"name": " \u200b\u200e ", "country_code": "FR"})
    assert failure["name"].startswith("name must not be empty; it holds only invisible")
    assert "U+200B ZERO WIDTH SPACE" in failure["name"]


@pytest.mark.parametrize("prop", ["civility", "first_name", "last_name", "other", "email"])
def test_contact_text_fields_refuse_invisible_characters(prop: str) -> None:
    news = {"list_id": "7", "phone_number": MOBILE_FR, prop: "a\u200db@example.com"}
    assert reasons(ContactProvider(), news)[prop].startswith(f"{prop} contains the invisible")


def test_emoji_sequences_keep_their_joiners() -> None:
    family = "Family \U0001f469\u200d\U0001f469\u200d\U0001f467"
    assert reasons(ContactListProvider(), {"name": family, "country_code": "FR"}) == {}


# -- list IDs and birthdays ---------------------------------------------------------------


def test_import_of_a_list_id_that_is_not_a_number_says_ids_are_numbers() -> None:
    news = {"name": "Customers", "country_code": "FR", "import_id": "abc"}
    failure = reasons(ContactListProvider(), news)["import_id"]
    assert failure.startswith("import_ 'abc' is not an AvoSMS list ID: list IDs are numbers")


def test_a_contact_list_id_that_is_not_a_number_says_ids_are_numbers() -> None:
    failure = reasons(ContactProvider(), {"list_id": "abc", "phone_number": MOBILE_FR})
    assert "list IDs are numbers" in failure["list_id"]


@pytest.mark.parametrize("birthday", ["1990-02-30", "May 17, 1990", "17.05.1990", 19900517])
def test_every_bad_birthday_lists_the_accepted_formats(birthday: Any) -> None:
    news = {"list_id": "7", "phone_number": MOBILE_FR, "birthday": birthday}
    failure = reasons(ContactProvider(), news)["birthday"]
    assert failure.startswith("birthday ") and failure.endswith(FORMATS)


def test_a_number_with_the_00_prefix_says_to_write_plus() -> None:
    failure = reasons(ContactProvider(), {"list_id": "7", "phone_number": "0033 6 12 34 56 78"})
    assert "starts with 00, the international dialling prefix" in failure["phone_number"]
    assert "'+33 6 12 34 56 78'" in failure["phone_number"]


# -- the API key in an input --------------------------------------------------------------


def test_no_failure_quotes_a_value_that_holds_the_key() -> None:
    """The import_ mismatch quotes list_id; list_id holds the key."""
    news = {"list_id": KEY, "phone_number": MOBILE_FR, "import_id": f"7/{MOBILE_FR}"}
    failures = reasons(configured(ContactProvider()), news)
    assert "API key" in failures["list_id"]
    assert not any(KEY.casefold()[:8] in reason.casefold() for reason in failures.values())


def test_a_country_change_failure_does_not_quote_a_name_holding_the_key() -> None:
    olds = {"name": f"Ops {KEY}", "country_code": "FR"}
    news = {"name": f"Ops {KEY}", "country_code": "DE"}
    failures = reasons(configured(ContactListProvider()), news, olds)
    assert set(failures) == {"name"} and "API key" in failures["name"]


@pytest.mark.parametrize("spelling", [KEY.upper(), KEY.lower(), f"x{KEY}x"])
def test_the_key_is_found_in_any_case(spelling: str) -> None:
    news = {"list_id": "7", "phone_number": MOBILE_FR, "other": spelling}
    failures = reasons(configured(ContactProvider()), news)
    assert list(failures) == ["other"] and "API key" in failures["other"]


def test_the_key_inside_a_structure_is_found() -> None:
    news = {"name": ["a", {"b": KEY}], "country_code": "FR"}
    failures = reasons(configured(ContactListProvider()), news)
    assert "API key" in failures["name"] and KEY not in failures["name"]
