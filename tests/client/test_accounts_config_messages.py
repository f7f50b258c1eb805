"""``avosms:accounts`` as the engine may hand it over (JSON text, a map, secrets at any
depth, empty values) and what a malformed one is told: the setting, never a value of it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi.runtime import rpc

from pulumi_avosms._accounts import Accounts, accounts_from_config
from pulumi_avosms.config import ConfigurationError, settings_from_config

KEY = "agency-key-123456"
STACK_ENDPOINT = "https://api.avosms.com/v1"


def accounts(raw: Any) -> Accounts:
    config = {"avosms:accounts": raw}
    return accounts_from_config(config, settings_from_config(config, {}), {})


def refusal(raw: Any) -> str:
    with pytest.raises(ConfigurationError) as caught:
        accounts(raw)
    return str(caught.value)


@pytest.mark.parametrize(
    "raw",
    [
        {"agency": {"apiId": "a@example.com", "apiKey": rpc.wrap_rpc_secret(KEY)}},
        {"agency": rpc.wrap_rpc_secret({"apiId": "a@example.com", "apiKey": KEY})},
        rpc.wrap_rpc_secret({"agency": {"apiId": "a@example.com", "apiKey": KEY}}),
    ],
    ids=["a-field", "an-account", "the-whole-map"],
)
def test_a_secret_at_any_depth_is_read_as_its_value(raw: Any) -> None:
    settings = accounts(raw).settings("agency")
    assert (settings.api_id, settings.api_key) == ("a@example.com", KEY)


@pytest.mark.parametrize("raw", [None, "", "{}", {}])
def test_no_accounts_or_an_empty_setting_is_no_account(raw: Any) -> None:
    assert accounts(raw).names() == []


@pytest.mark.parametrize("empty", [None, ""])
def test_an_empty_field_is_as_if_not_set(empty: str | None) -> None:
    raw = json.dumps({"agency": {"apiId": "a@example.com", "apiKey": KEY, "endpoint": empty}})
    assert accounts(raw).settings("agency").endpoint == STACK_ENDPOINT


def test_an_account_that_is_not_a_map_is_refused_naming_it() -> None:
    assert refusal(json.dumps({"agency": KEY})) == (
        "avosms:accounts.agency must be a map with apiId, apiKey and optionally endpoint."
    )


def test_a_bad_account_name_is_quoted_cut_short() -> None:
    name = "9" + "a" * 99
    message = refusal({name: {"apiId": "a@example.com"}})
    assert f"has an account named '{name[:40]}" in message
    assert name not in message
    assert message.endswith(
        ": account names are up to 64 letters, digits, - and _, starting with a letter."
    )


def test_unknown_fields_are_each_named_cut_short() -> None:
    odd = "k" * 60
    message = refusal({"agency": {"apiId": "a@example.com", "colour": "red", odd: "x"}})
    assert message.startswith("avosms:accounts.agency has unknown field(s) 'colour', 'kkkk")
    assert odd[:40] in message and odd[:41] not in message
    assert message.endswith("; an account takes apiId, apiKey, endpoint.")


def test_an_account_set_in_both_places_is_named_once() -> None:
    # Its environment variables complete the stack's entry: one account, not two.
    config = {"avosms:accounts": json.dumps({"client-a": {"apiId": "a@example.com"}})}
    env = {"AVOSMS_CLIENT_A_API_KEY": KEY, "AVOSMS_OTHER_API_ID": "o@example.com"}
    named = accounts_from_config(config, settings_from_config(config, env), env).names()
    assert named == ["client-a", "other"]
