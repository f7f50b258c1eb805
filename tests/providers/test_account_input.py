"""The ``account`` input of every resource: checked against the configured accounts, a
change of account replaces, and states written before accounts existed diff as before."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.runtime.rpc import UNKNOWN

from pulumi_avosms import ContactListMembersProvider, ContactListProvider, ContactProvider

AGENCY_KEY = "agency-key-5b1f0c7e93d2"
CONFIG = {
    "avosms:apiId": "demo@avosms.local",
    "avosms:apiKey": "demo-key",
    "avosms:accounts": json.dumps({"agency": {"apiId": "a@example.com", "apiKey": AGENCY_KEY}}),
}
LIST = {"name": "Customers", "country_code": "FR"}
CONTACT = {"list_id": "7", "phone_number": "+33612345678"}
MEMBERS = {"list_id": "7", "members": []}
PROVIDERS = [
    (ContactListProvider, LIST),
    (ContactProvider, CONTACT),
    (ContactListMembersProvider, MEMBERS),
]


def configured(cls: Any) -> Any:
    provider = cls()
    provider.configure(ConfigureRequest(Config(CONFIG, "test")))
    return provider


@pytest.mark.parametrize(("cls", "inputs"), PROVIDERS)
def test_a_configured_account_is_an_input(cls: Any, inputs: dict[str, Any]) -> None:
    result = configured(cls).check({}, {**inputs, "account": "agency"})
    assert result.failures == []
    assert result.inputs["account"] == "agency"
    assert "account" not in configured(cls).check({}, dict(inputs)).inputs


@pytest.mark.parametrize(("cls", "inputs"), PROVIDERS)
@pytest.mark.parametrize(
    ("account", "expected"),
    [
        ("clients", "account 'clients' is not configured: the accounts configured are 'agency'"),
        ("no spaces", "account must name an account of avosms:accounts"),
        (7, "account must name an account of avosms:accounts"),
    ],
)
def test_a_bad_account_fails_at_check(
    cls: Any, inputs: dict[str, Any], account: Any, expected: str
) -> None:
    failures = configured(cls).check({}, {**inputs, "account": account}).failures
    assert [(f.property, expected in f.reason) for f in failures] == [("account", True)]


@pytest.mark.parametrize(("cls", "inputs"), PROVIDERS)
def test_an_account_named_after_a_key_is_refused_without_quoting_it(
    cls: Any, inputs: dict[str, Any]
) -> None:
    failures = configured(cls).check({}, {**inputs, "account": AGENCY_KEY}).failures
    assert [f.property for f in failures] == ["account"]
    assert "avosms:accounts.agency.apiKey" in failures[0].reason
    assert AGENCY_KEY[:8] not in failures[0].reason


@pytest.mark.parametrize(("cls", "inputs"), PROVIDERS)
def test_a_change_of_account_replaces_and_no_account_is_no_change(
    cls: Any, inputs: dict[str, Any]
) -> None:
    provider = configured(cls)
    checked = provider.check({}, dict(inputs)).inputs
    olds = {**checked, "members": {}} if "members" in checked else dict(checked)
    assert provider.diff("7", olds, checked).changes is False  # a state from before accounts
    moved = provider.diff("7", olds, {**checked, "account": "agency"})
    assert moved.changes is True and moved.replaces == ["account"]
    back = provider.diff("7", {**olds, "account": "agency"}, checked)
    assert back.replaces == ["account"]
    unknown = provider.diff("7", olds, {**checked, "account": UNKNOWN})
    assert unknown.changes is True


@pytest.mark.parametrize(
    ("cls", "inputs", "import_id"),
    [(ContactListProvider, LIST, "7"), (ContactProvider, CONTACT, "7/+33612345678")],
)
def test_import_with_a_change_of_account_is_refused_but_a_new_resource_may_import(
    cls: Any, inputs: dict[str, Any], import_id: str
) -> None:
    provider = configured(cls)
    news = {**inputs, "account": "agency", "import_id": import_id}
    failures = provider.check(dict(inputs), news).failures
    assert [f.property for f in failures] == ["import_id"]
    assert "account changes from (default) to agency" in failures[0].reason
    assert provider.check({}, news).failures == []


def test_a_list_may_keep_its_name_when_it_moves_to_another_account_and_country() -> None:
    provider = configured(ContactListProvider)
    same_account = provider.check(dict(LIST), {**LIST, "country_code": "BE"}).failures
    assert [f.property for f in same_account] == ["country_code"]
    moved = {**LIST, "country_code": "BE", "account": "agency"}
    assert provider.check(dict(LIST), moved).failures == []
