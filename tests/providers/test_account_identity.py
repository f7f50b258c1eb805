"""Which change of ``account`` is a change of AvoSMS account: one with the same API ID on
another endpoint is (another AvoSMS), and naming an account when none is configured says so."""

from __future__ import annotations

import json
from typing import Any

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_avosms import ContactListProvider

LIST = {"name": "Customers", "country_code": "FR"}


def configured(config: dict[str, str]) -> Any:
    provider = ContactListProvider()
    provider.configure(ConfigureRequest(Config(config, "test")))
    return provider


def test_the_same_api_id_on_another_endpoint_is_another_account() -> None:
    same_id = {"apiId": "ops@example.com", "apiKey": "ops-key-123456"}
    accounts = {
        "eu": {**same_id, "endpoint": "https://api.avosms.com/v1"},
        "staging": {**same_id, "endpoint": "https://avosms-staging.example/v1"},
    }
    provider = configured(
        {
            "avosms:apiId": "me@example.com",
            "avosms:apiKey": "k-1",
            "avosms:accounts": json.dumps(accounts),
        }
    )
    olds = {**LIST, "account": "eu", "list_id": "7"}
    news = provider.check({**LIST, "account": "eu"}, {**LIST, "account": "staging"}).inputs
    assert provider.diff("7", olds, news).replaces == ["account"]


def test_naming_an_account_when_none_is_configured_says_so_and_how_to_add_one() -> None:
    provider = configured({"avosms:apiId": "me@example.com", "avosms:apiKey": "k-1"})
    [failure] = provider.check({}, {**LIST, "account": "agency"}).failures
    assert failure.property == "account"
    assert failure.reason.startswith(
        "account 'agency' is not configured: no named account is configured. Add it with "
        "`pulumi config set --path 'avosms:accounts.agency.apiId' you@example.com`"
    )
