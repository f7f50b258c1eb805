"""An endpoint holding a configured key, through the real plugin and a real program.

The stack's endpoint (percent-encoded key), an account's endpoint (the stack's key) and a
lookup run in the program are each refused at configuration: the error names the setting,
and neither it nor the plugin's stderr holds the key; no request is sent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_avosms import ContactList
from pulumi_avosms.emulator import EmulatorServer
from pulumi_avosms.errors import ConfigurationError
from pulumi_avosms.lookups import get_contact_list
from tests.support import harness as h

KEY = "Sk3yV4lue9876543210"
AGENCY_KEY = "AgencyKey0123456789"


def encoded(text: str) -> str:
    return "".join(f"%{b:02x}" for b in text.encode())


def assert_no_key(*texts: str) -> None:
    for text in texts:
        for key in (KEY, AGENCY_KEY):
            assert key.casefold() not in text.casefold()
            assert key[3:11].casefold() not in text.casefold()


def test_the_stack_endpoint_with_the_key_percent_encoded_fails_unquoted(
    emulator: EmulatorServer,
) -> None:
    endpoint = f"{emulator.api_url}/{encoded(KEY)}"
    config = {"avosms:apiId": "demo", "avosms:apiKey": KEY, "avosms:endpoint": endpoint}
    inputs = h.program_inputs(lambda: ContactList("c", name="Customers", country_code="FR"))
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        plugin.configure(config, ["avosms:apiKey"])
        with pytest.raises(h.PluginError) as caught:
            plugin.create(h.urn(h.CONTACT_LIST_TYPE, "c"), inputs["c"]["inputs"])
    assert caught.value.raised("ConfigurationError")
    assert "avosms:endpoint (or AVOSMS_ENDPOINT) contains the API key" in caught.value.message
    assert_no_key(caught.value.details, plugin.stderr_text())
    assert emulator.stats.snapshot()["total_calls"] == 0


def test_an_account_endpoint_with_the_stacks_key_fails_at_preview_unquoted(
    emulator: EmulatorServer, avosms_config: dict[str, str]
) -> None:
    agency = {"apiId": "a@x.y", "apiKey": AGENCY_KEY, "endpoint": f"{emulator.api_url}?k={KEY}"}
    config = {
        **avosms_config,
        "avosms:apiKey": KEY,
        "avosms:accounts": json.dumps({"agency": agency}),
    }
    entry = h.program_inputs(
        lambda: ContactList("c", name="Customers", country_code="FR", account="agency")
    )
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        stack = h.Stack(plugin, config=config, secret_keys=["avosms:apiKey", "avosms:accounts"])
        with pytest.raises(h.CheckFailedError) as caught:
            stack.preview(entry)
    ((prop, reason),) = caught.value.failures
    assert prop == "account"
    assert "avosms:accounts.agency.endpoint" in reason and "contains the API key" in reason
    assert_no_key(reason, plugin.stderr_text())
    assert emulator.stats.snapshot()["total_calls"] == 0


def test_a_lookup_with_an_endpoint_holding_the_key_fails_unquoted(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AVOSMS_API_KEY", "AVOSMS_ENDPOINT", "AVOSMS_API_ID"):
        monkeypatch.delenv(name, raising=False)
    config = {
        "avosms:apiId": "demo",
        "avosms:apiKey": KEY,
        "avosms:endpoint": f"{emulator.api_url}/{KEY.upper()}",
    }
    caught: list[Any] = []

    def program() -> None:
        try:
            get_contact_list(name="Customers")
        except ConfigurationError as err:
            caught.append(err)

    h.program_inputs(program, config=config, secret_config_keys=["avosms:apiKey"])
    assert "avosms:endpoint (or AVOSMS_ENDPOINT) contains the API key" in str(caught[0])
    assert_no_key(str(caught[0]))
    assert emulator.stats.snapshot()["total_calls"] == 0
