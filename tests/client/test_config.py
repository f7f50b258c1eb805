"""Settings resolution: where each value comes from and which values are refused."""

from __future__ import annotations

import pytest

from pulumi_avosms.config import ConfigurationError, settings_from_config


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://api.avosms.com/v1",
        "http://127.0.0.1:8765/v1",
        "http://localhost:8765/v1",
        "http://[::1]:8765/v1",
        "emulator",
    ],
)
def test_endpoints_that_keep_the_key_safe_are_accepted(endpoint: str) -> None:
    settings = settings_from_config({"avosms:endpoint": endpoint}, environ={})
    assert settings.endpoint == endpoint


def test_plain_http_to_another_machine_is_refused_because_the_key_would_travel_in_clear() -> None:
    with pytest.raises(ConfigurationError) as caught:
        settings_from_config({"avosms:endpoint": "http://api.avosms.com/v1"}, environ={})
    message = str(caught.value)
    assert "avosms:endpoint" in message and "AVOSMS_ENDPOINT" in message
    assert "in clear" in message and "https://" in message


@pytest.mark.parametrize("endpoint", ["api.avosms.com/v1", "ftp://api.avosms.com", "https://"])
def test_an_endpoint_that_is_not_a_url_is_refused(endpoint: str) -> None:
    with pytest.raises(ConfigurationError, match="must be an http"):
        settings_from_config({}, environ={"AVOSMS_ENDPOINT": endpoint})


def test_stack_config_wins_over_the_environment_and_empty_counts_as_unset() -> None:
    environ = {"AVOSMS_API_ID": "env@example.com", "AVOSMS_API_KEY": "env-key"}
    settings = settings_from_config(
        {"avosms:apiId": "cfg@example.com", "avosms:apiKey": ""}, environ
    )
    assert (settings.api_id, settings.api_key) == ("cfg@example.com", "env-key")


def test_the_key_is_not_in_the_settings_repr() -> None:
    settings = settings_from_config({"avosms:apiKey": "KEY-REPR-123"}, environ={})
    assert "KEY-REPR-123" not in repr(settings)


def test_whole_numbers_may_be_written_as_floats() -> None:
    settings = settings_from_config({"avosms:maxRetries": "3.0"}, environ={})
    assert settings.max_retries == 3
    with pytest.raises(ConfigurationError, match="whole number"):
        settings_from_config({"avosms:maxRetries": "2.5"}, environ={})


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1\\@evil.example/v1",  # backslash: parsers disagree on the host
        "http://127.0.0.1:80@evil.example/v1",  # user info
        "https://user:secret@api.avosms.com/v1",
        "http://evil.example#@127.0.0.1/v1",
        "http://127.0.0.1 /v1",
        "http://127.0.0.1\t.evil.example/v1",
        "https://api.avosms.com/v1?x=1",
        "https://api.avosms.com\u3002evil/v1",  # ideographic full stop, folded to "." by IDNA
        "http://127.0.0.1:99999/v1",
    ],
)
def test_an_endpoint_parsers_could_read_differently_is_refused_naming_the_setting(
    endpoint: str,
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        settings_from_config({"avosms:endpoint": endpoint}, environ={})
    message = str(caught.value)
    assert "avosms:endpoint" in message and "must be an http(s) URL" in message


@pytest.mark.parametrize(
    ("config", "environ", "source"),
    [
        (
            {"avosms:apiId": "a@example.com", "avosms:apiKey": "key-1"},
            {"AVOSMS_API_ID": "b@example.com", "AVOSMS_API_KEY": "key-2"},
            "read from avosms:apiId and avosms:apiKey",
        ),
        (
            {"avosms:apiId": ""},
            {"AVOSMS_API_ID": "b@example.com", "AVOSMS_API_KEY": "key-2"},
            "read from AVOSMS_API_ID and AVOSMS_API_KEY",
        ),
        (
            {"avosms:apiId": "a@example.com"},
            {"AVOSMS_API_KEY": "key-2"},
            "read from avosms:apiId and AVOSMS_API_KEY",
        ),
    ],
    ids=["stack-config", "environment", "mixed"],
)
def test_the_credentials_source_names_the_settings_they_were_read_from(
    config: dict[str, str], environ: dict[str, str], source: str
) -> None:
    settings = settings_from_config(config, environ)
    assert settings.credentials_source() == source
    assert "key-" not in settings.credentials_source()


#: What pulumi_avosms.config offered in 0.1.0: a program or script may import any of it.
RELEASED_NAMES = (
    "API_ID",
    "API_KEY",
    "CONNECT_TIMEOUT",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_ENDPOINT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RETRY_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "EMBEDDED_ENDPOINT",
    "EMULATOR_STATE",
    "ENDPOINT",
    "MAX_RETRIES",
    "RETRY_TIMEOUT",
    "TIMEOUT",
    "ConfigurationError",
    "ProviderSettings",
    "settings_from_config",
)


def test_the_names_released_in_config_still_import_from_it() -> None:
    from pulumi_avosms import config

    assert [name for name in RELEASED_NAMES if not hasattr(config, name)] == []
    # 0.1.0's positional fields keep their places; settings made so name both spellings.
    settings = config.ProviderSettings("a@example.com", "key-1", "https://api.avosms.com/v1")
    assert settings.credentials_source() == (
        "read from avosms:apiId (or AVOSMS_API_ID) and avosms:apiKey (or AVOSMS_API_KEY)"
    )
