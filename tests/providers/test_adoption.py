"""The adopt/import rules both resources share, and the one normalisation of a contact."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_avosms._model import ContactInfo
from pulumi_avosms.contact import ContactProvider
from pulumi_avosms.contact_list import ContactListProvider
from pulumi_avosms.contact_validation import InvalidContactError, normalize_contact

MOBILE_FR = "+33612345678"


def reasons(result: Any) -> dict[str, str]:
    return {failure.property: failure.reason for failure in result.failures}


def test_normalize_contact_gives_one_contact_info() -> None:
    contact = normalize_contact(
        {
            "phone_number": "+33 6 12 34 56 78",
            "email": "Alice@Example.COM",
            "birthday": "17/05/1990",
        }
    )
    assert contact == ContactInfo(MOBILE_FR, email="Alice@example.com", birthday="1990-05-17")


def test_normalize_contact_names_every_bad_field() -> None:
    with pytest.raises(InvalidContactError) as caught:
        normalize_contact({"email": "not-an-address", "birthday": "1990-02-30"})
    assert set(caught.value.reasons) == {"phone_number", "email", "birthday"}
    assert caught.value.reasons["phone_number"] == "phone_number is required"
    assert all(reason.startswith(prop) for prop, reason in caught.value.reasons.items())


@pytest.mark.parametrize(
    ("provider", "olds", "news"),
    [
        (
            ContactListProvider(),
            {"name": "Legacy", "country_code": "FR", "import_id": "7"},
            {"name": "Legacy DE", "country_code": "DE", "import_id": "7"},
        ),
        (
            ContactProvider(),
            {"list_id": "7", "phone_number": MOBILE_FR, "import_id": f"7/{MOBILE_FR}"},
            {"list_id": "8", "phone_number": MOBILE_FR, "import_id": f"8/{MOBILE_FR}"},
        ),
    ],
)
def test_a_replacement_with_import_still_there_is_refused_alike(
    provider: Any, olds: dict[str, Any], news: dict[str, Any]
) -> None:
    failure = reasons(provider.check(olds, news))["import_id"]
    assert failure.startswith("import_ still names")
    assert "which replaces the" in failure and "Remove import_" in failure


@pytest.mark.parametrize("olds", [{}, {"name": None, "import_id": "", "country_code": ""}])
def test_an_import_with_no_country_in_state_is_no_replacement(olds: dict[str, Any]) -> None:
    """Like the example hypothesis found: an empty country in state is no country change."""
    news = {"name": "FR", "import_id": "7", "country_code": "FR"}
    assert ContactListProvider().check(olds, news).failures == []
