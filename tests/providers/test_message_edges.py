"""Needs main's message() and endpoint check: a whole number is shown as is up to 40 digits
and described beyond; an endpoint holding the key with ``+`` for its space (a form-encoded
URL whose other characters travel raw) is refused like any other spelling."""

from __future__ import annotations

import pytest

from pulumi_avosms._text import message
from pulumi_avosms.config import ConfigurationError, settings_from_config


def test_a_whole_number_is_shown_up_to_40_digits_and_described_beyond() -> None:
    assert message("n={n}", n=10**40 - 1) == "n=" + "9" * 40
    assert message("n={n}", n=10**40) == "n=a number " + "1" + "0" * 39 + "…"


def test_an_endpoint_holding_the_key_with_plus_for_its_space_is_refused() -> None:
    key = "Qz9 Wv7/abc1"
    config = {
        "avosms:apiId": "me@example.com",
        "avosms:apiKey": key,
        "avosms:endpoint": "https://api.avosms.com/v1/Qz9+Wv7/abc1",
    }
    with pytest.raises(ConfigurationError) as caught:
        settings_from_config(config, {})
    assert "contains the API key set in avosms:apiKey" in str(caught.value)
    assert "wv7" not in str(caught.value).lower()


def test_an_endpoint_holding_a_key_of_8_characters_is_refused() -> None:
    config = {
        "avosms:apiId": "me@example.com",
        "avosms:apiKey": "Kq7pZ2xW",
        "avosms:endpoint": "https://api.avosms.com/v1/Kq7pZ2xW",
    }
    with pytest.raises(ConfigurationError, match="contains the API key set in avosms:apiKey"):
        settings_from_config(config, {})
