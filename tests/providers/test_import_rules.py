"""``import_`` at preview, as a program moves on after its first `pulumi up`: which changes
are refused while ``import_`` is still there (they would re-adopt instead of replacing), and
which inputs that are not known yet are left for later rather than reported as a mismatch.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.runtime.rpc import UNKNOWN

from pulumi_avosms import ContactListMembersProvider, ContactListProvider, ContactProvider
from pulumi_avosms.errors import ContactListError

CONFIG = {
    "avosms:apiId": "demo@avosms.local",
    "avosms:apiKey": "demo-key",
    "avosms:accounts": json.dumps({"agency": {"apiId": "a@example.com", "apiKey": "agency-k"}}),
}
MOBILE_FR = "+33612345678"
LIST = {"name": "Customers", "country_code": "FR", "import_id": "7"}
CONTACT = {"list_id": "7", "phone_number": MOBILE_FR, "import_id": f"7/{MOBILE_FR}"}
MEMBERS = {"list_id": "7", "members": [], "import_id": "7"}
ALL = [(ContactListProvider, LIST), (ContactProvider, CONTACT)]
KIND = {ContactListProvider: "list", ContactProvider: "contact"}


def configured(cls: Any) -> Any:
    provider = cls()
    provider.configure(ConfigureRequest(Config(CONFIG, "test")))
    return provider


def failures(cls: Any, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, str]:
    return {f.property: f.reason for f in configured(cls).check(olds, news).failures}


# -- a change of account while import_ remains -------------------------------------------------


@pytest.mark.parametrize(("cls", "inputs"), ALL)
def test_moving_back_to_the_default_account_with_import_still_there_is_refused(
    cls: Any, inputs: dict[str, Any]
) -> None:
    olds = {**inputs, "account": "agency"}
    reason = failures(cls, olds, dict(inputs))["import_id"]
    kind, import_id = KIND[cls], inputs["import_id"]
    assert reason == (
        f"import_ still names {kind} {import_id}, but account changes from agency to "
        f"(default), which replaces the {kind}: the replacement would adopt that {kind} again "
        "instead of creating a new one. Remove import_ from the program in this change (it is "
        "only needed for the first `pulumi up`)."
    )


@pytest.mark.parametrize(("cls", "inputs"), ALL)
@pytest.mark.parametrize(
    ("old", "new"), [(None, None), ("", None), (None, ""), ("agency", "agency")]
)
def test_keeping_the_account_with_import_still_there_is_fine(
    cls: Any, inputs: dict[str, Any], old: str | None, new: str | None
) -> None:
    # No account, an empty one and a missing one are all the stack's default account.
    olds = {**inputs, "account": old}
    news = {**inputs, **({} if new is None else {"account": new})}
    assert "import_id" not in failures(cls, olds, news)


@pytest.mark.parametrize(("cls", "inputs"), ALL)
def test_an_account_not_known_yet_is_no_change_at_preview(cls: Any, inputs: dict[str, Any]) -> None:
    olds = {**inputs, "account": "agency"}
    assert failures(cls, olds, {**inputs, "account": UNKNOWN}) == {}


def test_a_country_and_account_change_are_both_named() -> None:
    olds = {**LIST, "account": "agency"}
    news = {**LIST, "name": "Customers DE", "country_code": "DE"}
    reason = failures(ContactListProvider, olds, news)["import_id"]
    assert "country_code changes from FR to DE and account changes from agency to (default)" in (
        reason
    )


# -- inputs not known at preview beside import_ --------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "inputs", "unknown"),
    [
        (ContactListProvider, LIST, "name"),
        (ContactListProvider, LIST, "country_code"),
        (ContactProvider, CONTACT, "list_id"),
        (ContactListMembersProvider, MEMBERS, "list_id"),
    ],
)
def test_an_unknown_input_beside_import_is_no_failure_at_preview(
    cls: Any, inputs: dict[str, Any], unknown: str
) -> None:
    news = {**inputs, unknown: UNKNOWN}
    assert failures(cls, {}, news) == {}  # a first import
    assert failures(cls, {k: v for k, v in inputs.items() if k != unknown}, news) == {}


@pytest.mark.parametrize(
    ("cls", "inputs", "other"),
    [
        (ContactListProvider, LIST, {"country_code": "DE", "name": "Kunden"}),
        (ContactProvider, CONTACT, {"list_id": "8"}),
    ],
)
def test_a_known_replacing_change_beside_import_is_still_refused(
    cls: Any, inputs: dict[str, Any], other: dict[str, Any]
) -> None:
    # The same change with the value known: the check above is not simply switched off.
    assert "import_id" in failures(cls, dict(inputs), {**inputs, **other})


@pytest.mark.parametrize(
    ("cls", "inputs"),
    [*ALL, (ContactListMembersProvider, MEMBERS)],
    ids=["list", "contact", "members"],
)
def test_an_import_id_not_known_yet_is_passed_through(cls: Any, inputs: dict[str, Any]) -> None:
    result = configured(cls).check({}, {**inputs, "import_id": UNKNOWN})
    assert result.failures == []
    assert result.inputs["import_id"] == UNKNOWN


def test_an_import_id_of_another_contact_names_each_part() -> None:
    news = {**CONTACT, "import_id": "8/+33698765432"}
    reason = failures(ContactProvider, {}, news)["import_id"]
    assert reason == (
        "import_ names list 8 but list_id is '7' and number +33698765432 but phone_number "
        f"is '{MOBILE_FR}'; import_ must be '<list_id>/<phone_number>' of this same contact"
    )


@pytest.mark.parametrize("bad", ["seven", "7/8/9", ""])
def test_a_malformed_list_import_id_is_refused_naming_import(bad: str) -> None:
    reason = failures(ContactListProvider, {}, {**LIST, "import_id": bad})
    assert list(reason) == ["import_id"]
    assert reason["import_id"].startswith(f"import_ {bad!r} is not an AvoSMS list ID")


def test_members_with_a_malformed_import_id_get_one_failure_naming_it() -> None:
    reason = failures(ContactListMembersProvider, {}, {**MEMBERS, "import_id": "seven"})
    assert list(reason) == ["import_id"]
    assert reason["import_id"].startswith("import_ 'seven' is not an AvoSMS list ID")


# -- adopting a list that differs from the program ----------------------------------------------


def test_an_adopted_list_that_differs_shows_a_line_per_difference_then_what_to_do(
    emulator: Any, avosms_config: dict[str, str]
) -> None:
    list_id = emulator.backend.console_create_list("Legacy", "FR")
    provider = ContactListProvider()
    provider.configure(ConfigureRequest(Config(avosms_config, "avosms")))
    with pytest.raises(ContactListError) as caught:
        provider.create({"name": "Legacy BE", "country_code": "BE", "import_id": list_id})
    lines = str(caught.value).split("\n")
    assert lines[0] == (
        f"Cannot import contact list {list_id}: the program does not match the contact list "
        "in AvoSMS."
    )
    assert [line.split() for line in lines[1:3]] == [
        ["name", "program:", "'Legacy", "BE'", "AvoSMS:", "'Legacy'"],
        ["country_code", "program:", "'BE'", "AvoSMS:", "'FR'"],
    ]
    assert lines[3:] == [
        "Change the program to the AvoSMS values to import it as it is; you can change them "
        "in a later update once it is managed."
    ]
    assert [lst["name"] for lst in emulator.backend.lists()] == ["Legacy"]  # nothing changed


def test_members_importing_another_list_than_their_list_id_are_told_which() -> None:
    reason = failures(ContactListMembersProvider, {}, {**MEMBERS, "import_id": "8"})["import_id"]
    assert (
        reason
        == "import_ names list 8 but list_id is '7'; import_ must be the list_id of this same list"
    )


def test_members_moving_to_another_list_with_import_still_there_are_refused() -> None:
    reason = failures(
        ContactListMembersProvider, dict(MEMBERS), {**MEMBERS, "list_id": "8", "import_id": "8"}
    )["import_id"]
    assert reason.startswith(
        "import_ still names list 8, but list_id changes from 7 to 8, which replaces the list: "
        "the replacement would adopt that list again"
    )
