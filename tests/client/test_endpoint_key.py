"""An endpoint holding a configured API key is refused at configuration, never quoted.

Wherever the endpoint is set (``avosms:endpoint``, ``AVOSMS_ENDPOINT``, an account's
``endpoint`` in the stack or ``AVOSMS_<NAME>_ENDPOINT``, the client's ``endpoint``), and
whichever key it holds (the stack's, an account's, any ``AVOSMS_<NAME>_API_KEY``), anywhere
in the URL, in any case, percent-encoded or not: a :class:`ConfigurationError` names the
setting and where the key is set, and shows no piece of the key. Every other refusal of a
URL is scrubbed of the keys too.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_avosms._accounts import accounts_from_config
from pulumi_avosms.client import AvoSMSClient
from pulumi_avosms.config import settings_from_config
from pulumi_avosms.errors import ConfigurationError

KEY = "Sk3y-V4lue_9876543210"
AGENCY_KEY = "AgencyKey0123456789"
OTHER_KEY = "0therEnvKey-abcdefgh"


def percent_all(text: str) -> str:
    """Every character percent-encoded (``%53%6B...``), as a URL may spell anything."""
    return "".join(f"%{b:02X}" for b in text.encode())


SPELLINGS = {
    "as typed": lambda k: k,
    "upper case": str.upper,
    "lower case": str.lower,
    "percent-encoded": percent_all,
    "percent-encoded twice": lambda k: urllib.parse.quote(percent_all(k), safe=""),
    "mixed": lambda k: percent_all(k[:5]) + k[5:].swapcase(),
}
PLACES = {
    "path": "https://api.example/v1/{k}",
    "query": "https://api.example/v1?key={k}",
    "user info": "https://demo:{k}@api.example/v1",
    "host": "https://{k}.example/v1",
    "fragment": "https://api.example/v1#{k}",
    "loopback path": "http://127.0.0.1:8080/{k}/v1",
}


def pieces(key: str) -> set[str]:
    folded = key.casefold()
    return {folded[i : i + 8] for i in range(len(folded) - 7)}


def assert_refused_unquoted(error: Exception, setting: str, *keys: str) -> None:
    text = str(error)
    assert "contains the API key" in text, text
    assert setting in text
    for key in keys:
        assert not [p for p in pieces(key) if p in text.casefold()], text


def configure(config: dict[str, Any], environ: dict[str, str]) -> Any:
    """Settings and accounts as the plugin's configure() reads them."""
    settings = settings_from_config(config, environ)
    return accounts_from_config(config, settings, environ)


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("place", PLACES)
def test_the_stack_endpoint_holding_the_key_is_refused(place: str, spelling: str) -> None:
    endpoint = PLACES[place].format(k=SPELLINGS[spelling](KEY))
    with pytest.raises(ConfigurationError) as caught:
        configure({"avosms:apiKey": KEY, "avosms:endpoint": endpoint}, {})
    assert_refused_unquoted(caught.value, "avosms:endpoint (or AVOSMS_ENDPOINT)", KEY)
    assert "avosms:apiKey" in str(caught.value)  # where the key is set


def test_the_environment_endpoint_and_key_are_refused_naming_the_variable() -> None:
    environ = {"AVOSMS_API_KEY": KEY, "AVOSMS_ENDPOINT": f"https://api.example/{KEY}"}
    with pytest.raises(ConfigurationError) as caught:
        configure({}, environ)
    assert_refused_unquoted(caught.value, "AVOSMS_ENDPOINT", KEY)
    assert "set in AVOSMS_API_KEY" in str(caught.value)


ACCOUNTS_CONFIG = {
    "avosms:apiId": "me@example.com",
    "avosms:apiKey": KEY,
    "avosms:accounts": json.dumps({"agency": {"apiId": "a@example.com", "apiKey": AGENCY_KEY}}),
}


@pytest.mark.parametrize("key", [KEY, AGENCY_KEY, OTHER_KEY])
@pytest.mark.parametrize("source", ["stack config", "environment"])
def test_an_account_endpoint_holding_any_configured_key_is_refused(key: str, source: str) -> None:
    endpoint = f"https://api.example/v1?k={percent_all(key).lower()}"
    config, environ = dict(ACCOUNTS_CONFIG), {"AVOSMS_OTHER_API_KEY": OTHER_KEY}
    if source == "stack config":
        entry = {"apiId": "a@example.com", "apiKey": AGENCY_KEY, "endpoint": endpoint}
        config["avosms:accounts"] = json.dumps({"agency": entry})
        setting = "avosms:accounts.agency.endpoint"
    else:
        environ["AVOSMS_AGENCY_ENDPOINT"] = endpoint
        setting = "AVOSMS_AGENCY_ENDPOINT"
    accounts = configure(config, environ)
    with pytest.raises(ConfigurationError) as caught:
        accounts.settings("agency")
    assert_refused_unquoted(caught.value, setting, KEY, AGENCY_KEY, OTHER_KEY)


def test_the_stack_endpoint_holding_an_accounts_key_is_refused() -> None:
    config = {**ACCOUNTS_CONFIG, "avosms:endpoint": f"https://api.example/{AGENCY_KEY}"}
    with pytest.raises(ConfigurationError) as caught:
        configure(config, {})
    assert_refused_unquoted(caught.value, "avosms:endpoint", KEY, AGENCY_KEY)
    assert "avosms:accounts.agency.apiKey" in str(caught.value)


def test_an_endpoint_without_a_key_is_accepted_everywhere() -> None:
    environ = {"AVOSMS_AGENCY_ENDPOINT": "https://agency.example/v1"}
    accounts = configure({**ACCOUNTS_CONFIG, "avosms:endpoint": "https://api.example/v1"}, environ)
    assert accounts.default.endpoint == "https://api.example/v1"
    assert accounts.settings("agency").endpoint == "https://agency.example/v1"


def test_a_short_placeholder_key_refuses_no_endpoint() -> None:
    """A test stack's key "v1" is in every endpoint's path: too short to be looked for."""
    settings = settings_from_config(
        {"avosms:apiKey": "v1", "avosms:endpoint": "https://a.example/v1"}
    )
    assert settings.endpoint == "https://a.example/v1"


def test_the_client_refuses_an_endpoint_holding_its_key() -> None:
    with pytest.raises(ConfigurationError) as caught:
        AvoSMSClient("me@example.com", KEY, f"https://api.example/{KEY.upper()}/v1")
    assert_refused_unquoted(caught.value, "endpoint", KEY)


def test_another_refusal_of_an_account_url_is_scrubbed_of_every_key() -> None:
    """Plain http to another machine is refused quoting the URL; a short key in it is hidden."""
    short = "abc12"
    entry = {"apiId": "a@example.com", "apiKey": short, "endpoint": f"http://evil.example/{short}"}
    config = {**ACCOUNTS_CONFIG, "avosms:accounts": json.dumps({"agency": entry})}
    with pytest.raises(ConfigurationError) as caught:
        configure(config, {}).settings("agency")
    assert "plain http to another machine" in str(caught.value)
    assert short not in str(caught.value)


url_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._~/", max_size=12)


@given(
    before=url_text,
    after=url_text,
    spelling=st.sampled_from(list(SPELLINGS)),
    place=st.sampled_from(list(PLACES)),
    key=st.sampled_from([KEY, AGENCY_KEY, OTHER_KEY]),
)
def test_any_endpoint_holding_a_key_anywhere_is_refused_unquoted(
    before: str, after: str, spelling: str, place: str, key: str
) -> None:
    endpoint = PLACES[place].format(k=before + SPELLINGS[spelling](key) + after)
    config, environ = dict(ACCOUNTS_CONFIG), {"AVOSMS_OTHER_API_KEY": OTHER_KEY}
    environ["AVOSMS_AGENCY_ENDPOINT"] = endpoint
    with pytest.raises(ConfigurationError) as caught:
        configure(config, environ).settings("agency")
    assert_refused_unquoted(caught.value, "AVOSMS_AGENCY_ENDPOINT", KEY, AGENCY_KEY, OTHER_KEY)


def test_escapes_without_a_key_are_not_mistaken_for_one() -> None:
    endpoint = "https://api.example/v1/a+b%20c%2541"
    settings = settings_from_config({"avosms:apiKey": KEY, "avosms:endpoint": endpoint})
    assert settings.endpoint == endpoint
