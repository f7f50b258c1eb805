"""Named accounts (``avosms:accounts``, ``AVOSMS_<NAME>_*``): where each value comes from,
what is refused, and what an error may name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_avosms._accounts import Accounts, accounts_from_config
from pulumi_avosms.config import ConfigurationError, settings_from_config

AGENCY = {"agency": {"apiId": "agency@example.com", "apiKey": "agency-key-123456"}}


def _accounts(config: dict[str, Any], environ: dict[str, str] | None = None) -> Accounts:
    env = environ or {}
    return accounts_from_config(config, settings_from_config(config, env), env)


@pytest.mark.parametrize("raw", [json.dumps(AGENCY), AGENCY])
def test_accounts_come_as_json_text_or_as_a_map(raw: Any) -> None:
    accounts = _accounts({"avosms:accounts": raw, "avosms:timeout": "7"})
    settings = accounts.settings("agency")
    assert (settings.api_id, settings.api_key) == ("agency@example.com", "agency-key-123456")
    assert settings.account == "agency" and settings.timeout == 7.0
    assert settings.endpoint == "https://api.avosms.com/v1"  # the stack's endpoint
    assert "agency-key-123456" not in repr(settings)


def test_stack_config_wins_over_the_environment_field_by_field() -> None:
    config = {"avosms:accounts": json.dumps({"agency": {"apiId": "from-config@example.com"}})}
    env = {"AVOSMS_AGENCY_API_ID": "from-env@example.com", "AVOSMS_AGENCY_API_KEY": "env-key-1234"}
    settings = _accounts(config, env).settings("agency")
    assert (settings.api_id, settings.api_key) == ("from-config@example.com", "env-key-1234")


def test_names_list_config_and_environment_accounts_without_values() -> None:
    env = {"AVOSMS_CLIENT_A_API_ID": "a@example.com", "AVOSMS_AGENCY_API_KEY": "k" * 12}
    accounts = _accounts({"avosms:accounts": json.dumps(AGENCY)}, env)
    assert accounts.names() == ["agency", "client_a"]
    assert "client-a" in accounts and "client_a" in accounts and "other" not in accounts
    message = accounts.unknown_message("other")
    assert "'agency', 'client_a'" in message and "AVOSMS_OTHER_API_ID" in message
    assert "agency-key-123456" not in message and "a@example.com" not in message


def test_every_configured_key_is_listed_for_the_input_guard() -> None:
    env = {"AVOSMS_CLIENT_A_API_KEY": "env-key-7890"}
    config = {"avosms:apiKey": "default-key-1", "avosms:accounts": json.dumps(AGENCY)}
    assert sorted(_accounts(config, env).api_keys()) == [
        ("AVOSMS_CLIENT_A_API_KEY", "env-key-7890"),
        ("avosms:accounts.agency.apiKey", "agency-key-123456"),
        ("avosms:apiKey", "default-key-1"),
    ]


def test_an_account_endpoint_is_checked_like_the_default_one() -> None:
    config = {"avosms:accounts": json.dumps({"x": {"endpoint": "http://api.avosms.com/v1"}})}
    with pytest.raises(ConfigurationError, match=r"avosms:accounts\.x\.endpoint \(or "):
        _accounts(config).settings("x")
    embedded = {"avosms:accounts": json.dumps({"x": {"endpoint": "emulator"}})}
    assert _accounts(embedded).settings("x").embedded


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[1, 2]", "must be a map of account names"),
        ("not json", "must be a map of account names"),
        (json.dumps({"bad name": {}}), "account names are up to 64"),
        (json.dumps({"a": {"apikey": "secret-value-1"}}), "unknown field"),
        (json.dumps({"a": {"apiKey": 12345678}}), "must be a string"),
    ],
)
def test_a_malformed_accounts_map_is_refused_without_quoting_values(
    raw: str, expected: str
) -> None:
    with pytest.raises(ConfigurationError, match=expected) as caught:
        _accounts({"avosms:accounts": raw})
    assert "secret-value-1" not in str(caught.value) and "12345678" not in str(caught.value)


def test_missing_credentials_of_a_named_account_name_its_settings() -> None:
    config = {"avosms:accounts": json.dumps({"agency": {"apiId": "a@example.com"}})}
    with pytest.raises(ConfigurationError) as caught:
        _accounts(config).settings("agency").require_credentials()
    message = str(caught.value)
    assert "avosms:accounts.agency.apiKey (or AVOSMS_AGENCY_API_KEY)" in message
    assert "avosms:apiId" not in message


@pytest.mark.parametrize(
    ("fields", "environ", "source"),
    [
        (
            {"apiId": "a@example.com", "apiKey": "key-from-config-1"},
            {"AVOSMS_CLIENT_A_API_KEY": "key-from-env-2"},
            "avosms:accounts.client-a.apiId and avosms:accounts.client-a.apiKey",
        ),
        (
            None,
            {"AVOSMS_CLIENT_A_API_ID": "a@example.com", "AVOSMS_CLIENT_A_API_KEY": "key-env-2"},
            "AVOSMS_CLIENT_A_API_ID and AVOSMS_CLIENT_A_API_KEY",
        ),
        (
            {"apiId": "a@example.com"},
            {"AVOSMS_CLIENT_A_API_KEY": "key-from-env-2"},
            "avosms:accounts.client-a.apiId and AVOSMS_CLIENT_A_API_KEY",
        ),
    ],
    ids=["stack-config", "environment", "mixed"],
)
def test_an_accounts_credentials_source_names_its_own_settings(
    fields: dict[str, str] | None, environ: dict[str, str], source: str
) -> None:
    config = {
        "avosms:apiId": "default@example.com",
        "avosms:apiKey": "default-key-0",
        **({"avosms:accounts": json.dumps({"client-a": fields})} if fields else {}),
    }
    named = _accounts(config, environ).settings("client-a")
    assert named.credentials_source() == f"of account 'client-a', read from {source}"
    assert "key-" not in named.credentials_source()
    # The default account's settings are untouched by the named one's.
    default = settings_from_config(config, environ)
    assert default.credentials_source() == "read from avosms:apiId and avosms:apiKey"


def test_names_are_one_account_in_any_case_as_the_variables_are() -> None:
    accounts = _accounts({"avosms:accounts": json.dumps(AGENCY)})
    # A name of avosms:accounts is found in another case, as AVOSMS_AGENCY_* would be.
    assert "Agency" in accounts and "AGENCY" in accounts
    assert accounts.settings("AGENCY").api_id == "agency@example.com"
    assert accounts.identity("Agency") == accounts.identity("agency")
    # Two names for the same credentials are one account; the default is its own.
    both = _accounts(
        {
            "avosms:apiId": "me@example.com",
            "avosms:apiKey": "default-key-123456",
            "avosms:accounts": json.dumps({**AGENCY, "billing": AGENCY["agency"]}),
        }
    )
    assert both.identity("billing") == both.identity("agency")
    assert both.identity(None) != both.identity("agency")
    # A name that cannot be resolved is the same only as its own spellings.
    assert both.identity("other") == both.identity("OTHER") != both.identity("agency")


def test_two_entries_for_one_account_name_are_refused() -> None:
    raw = json.dumps({"ops": AGENCY["agency"], "OPS": AGENCY["agency"]})
    with pytest.raises(ConfigurationError) as caught:
        _accounts({"avosms:accounts": raw})
    message = str(caught.value)
    assert "'ops'" in message and "'OPS'" in message and "AVOSMS_OPS_*" in message
    assert "agency-key-123456" not in message
