"""A refused ``avosms:endpoint``, through the real plugin: refused at configuration, never sent.

* An endpoint holding the API key (as user info, in a path, in a query string, in another
  case) is refused without the key appearing in the error the CLI shows or on stderr.
* An endpoint that URL parsers read differently (user info, backslash, fragment before ``@``)
  fails at configuration, naming ``avosms:endpoint``, with no request reaching the emulator.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_avosms import ContactList
from pulumi_avosms.emulator import EmulatorServer
from tests.support import harness as h

KEY = "Sk3yV4lue9876543210"


def _create_fails(plugin: h.PluginProcess, config: dict[str, str]) -> h.PluginError:
    inputs = h.program_inputs(lambda: ContactList("c", name="Customers FR", country_code="FR"))
    plugin.configure(config, ["avosms:apiKey"])
    with pytest.raises(h.PluginError) as caught:
        plugin.create(h.urn(h.CONTACT_LIST_TYPE, "c"), inputs["c"]["inputs"])
    return caught.value


@pytest.mark.parametrize(
    "endpoint",
    [
        f"https://demo:{KEY}@api.avosms.com/v1",
        f"https://demo:{KEY.upper()}@api.avosms.com/v1",
        f"https://{KEY}@api.avosms.com/v1",
        f"http://api.avosms.com/{KEY.lower()}",  # plain http to another machine, key in path
        f"https://api.avosms.com/v1?key={KEY}",
    ],
)
def test_an_endpoint_holding_the_api_key_is_refused_without_showing_it(endpoint: str) -> None:
    config = {"avosms:apiId": "demo", "avosms:apiKey": KEY, "avosms:endpoint": endpoint}
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        error = _create_fails(plugin, config)
    assert "avosms:endpoint" in error.message
    assert KEY.casefold() not in error.details.casefold()
    assert KEY.casefold() not in plugin.stderr_text().casefold()  # after close(): all read


@pytest.mark.parametrize(
    "spelling",
    [
        "http://127.0.0.1:{port}\\@evil.example/v1",
        "http://evil.example\\@127.0.0.1:{port}/v1",
        "http://127.0.0.1:{port}@evil.example/v1",
        "http://evil.example#@127.0.0.1:{port}/v1",
        "http://evil.example?@127.0.0.1:{port}/v1",
    ],
)
def test_an_endpoint_url_parsers_read_differently_fails_at_configuration_unsent(
    emulator: EmulatorServer, avosms_config: dict[str, str], spelling: str
) -> None:
    # Each spelling names the emulator's port, so a request that slipped through would be seen.
    endpoint = spelling.format(port=emulator.port)
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        error = _create_fails(plugin, {**avosms_config, "avosms:endpoint": endpoint})
    assert error.raised("ConfigurationError"), error.details
    assert "avosms:endpoint" in error.message and "URL parsers read" in error.message
    assert emulator.stats.snapshot()["total_calls"] == 0


def test_an_emulator_state_path_holding_the_api_key_is_refused_without_showing_it(
    tmp_path: Path,
) -> None:
    state = tmp_path / f"state-{KEY.upper()}"
    state.mkdir()  # a directory: refused before SQLite opens it
    config = {
        "avosms:apiId": "demo",
        "avosms:apiKey": KEY,
        "avosms:endpoint": "emulator",
        "avosms:emulatorState": str(state),
    }
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        error = _create_fails(plugin, config)
    assert "avosms:emulatorState" in error.message and "directory" in error.message
    assert KEY.casefold() not in error.details.casefold()
    assert KEY.casefold() not in plugin.stderr_text().casefold()
