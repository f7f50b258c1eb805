"""Secrets: the API key never leaves the stack config, the plugin's memory and POST bodies.

* A sweep runs a whole story through the real plugin (create, rename, refresh, a name-taken
  error, a persistent fault, bad credentials with another wrong key, destroy) with a
  distinctive key, and looks for it in everything a run produces: state inputs and outputs,
  the ``__provider`` blob (decoded and unpickled), the plugin's stdout and stderr with DEBUG
  logging switched on, and every error. Only the emulator's request log may hold it, and only
  in form bodies.
* A value the program marks secret (``pulumi.Output.secret``) stays secret in the state, in
  inputs and in the outputs derived from it, through create, update and refresh.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import dill
import pulumi
import pytest

from pulumi_avosms import Contact, ContactList, ContactListProvider
from pulumi_avosms.emulator import EmulatorServer
from tests.support import harness as h

SWEEP_ID = "sweep@example.com"
#: Distinctive, and with characters that form encoding changes ("/", "+", "="), so an
#: encoded copy of the key would be caught too.
SWEEP_KEY = "KEY-SWEEP-7f3a9c/x+Q=="
WRONG_KEY = "KEY-WRONG-41d8e2/y+R=="


def forms_of(secret: str) -> list[str]:
    """The spellings under which ``secret`` could leak: raw, URL-encoded, base64."""
    return [
        secret,
        quote_plus(secret),
        quote(secret, safe=""),
        base64.b64encode(secret.encode()).decode(),
    ]


@pytest.fixture
def sweep_emulator() -> Iterator[EmulatorServer]:
    """An emulator that knows only the sweep account (the session one knows the demo key)."""
    with EmulatorServer(host="127.0.0.1", port=0, accounts={SWEEP_ID: SWEEP_KEY}) as server:
        yield server


@pytest.fixture
def debug_logging(tmp_path: Path) -> Path:
    """A directory whose ``sitecustomize`` turns on DEBUG logging to stderr in the plugin.

    The plugin configures no logging, so the client's and urllib3's DEBUG records would
    otherwise go nowhere; the sweep must see them to prove they hold no key.
    """
    (tmp_path / "sitecustomize.py").write_text(
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,\n"
        "                    format='%(levelname)s %(name)s %(message)s')\n"
    )
    return tmp_path


class Sweep:
    """Everything a run produced, as text, for one final search."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.plugins: list[h.PluginProcess] = []

    def add(self, label: str, value: Any) -> None:
        text = value if isinstance(value, str) else json.dumps(value, default=repr, sort_keys=True)
        self.texts[f"{len(self.texts):02d} {label}"] = text

    def add_error(self, label: str, error: h.PluginError) -> None:
        self.add(f"{label}: details", error.details)
        self.add(f"{label}: str", str(error))
        self.add(f"{label}: repr", repr(error))

    def add_state(self, label: str, stack: h.Stack) -> None:
        self.add(f"{label}: state", stack.state)
        for urn_, entry in stack.state.items():
            for part in ("inputs", "outputs"):
                blob = h.strip_secrets(entry[part]).get(h.PROVIDER_KEY)
                if blob is None:
                    continue
                payload = h.provider_payload(blob)
                self.add(f"{label}: {urn_} {part} __provider bytes", payload.decode("latin-1"))
                provider = dill.loads(payload)
                self.add(f"{label}: {urn_} {part} __provider vars", vars(provider))

    def plugin(self, sweep_config_dir: Path) -> h.PluginProcess:
        plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"], pythonpath=[sweep_config_dir])
        self.plugins.append(plugin)
        return plugin

    def close(self) -> None:
        for i, plugin in enumerate(self.plugins):
            plugin.close()
            self.add(f"plugin {i} stderr", plugin.stderr_text())
            self.add(f"plugin {i} stdout", plugin.stdout_text())

    def find(self, secret: str) -> list[str]:
        return [
            label for label, text in self.texts.items() for form in forms_of(secret) if form in text
        ]


def contact_list(
    resource: str, name: str, country_code: str = "FR", *, secret: tuple[str, ...] = ()
) -> dict[str, Any]:
    """What ``ContactList(resource, name=..., country_code=...)`` registers; the properties in
    ``secret`` are passed as ``pulumi.Output.secret(...)`` (built inside the program, where the
    SDK has its event loop)."""

    def program() -> None:
        args: dict[str, Any] = {"name": name, "country_code": country_code}
        for prop in secret:
            args[prop] = pulumi.Output.secret(args[prop])
        ContactList(resource, **args)

    return h.program_inputs(program)[resource]


def test_the_api_key_appears_nowhere_a_run_leaves_anything(
    sweep_emulator: EmulatorServer, debug_logging: Path
) -> None:
    emulator = sweep_emulator
    config = {
        "avosms:apiId": SWEEP_ID,
        "avosms:apiKey": SWEEP_KEY,
        "avosms:endpoint": emulator.api_url,
        "avosms:maxRetries": "1",
        "avosms:retryTimeout": "0.5",
    }
    sweep = Sweep()
    stack = h.Stack(sweep.plugin(debug_logging), config=config, secret_keys=["avosms:apiKey"])

    def next_command() -> None:
        # Every `pulumi` command starts its own plugin.
        stack.plugin = sweep.plugin(debug_logging)

    try:
        # create, rename, refresh
        sweep.add("up", stack.up({"a": contact_list("a", "Sweep A")}))
        sweep.add_state("after create", stack)
        next_command()
        sweep.add("rename", stack.up({"a": contact_list("a", "Sweep B")}))
        emulator.backend.console_rename_list(stack.id("a"), "Sweep B (console)")
        next_command()
        sweep.add("refresh", stack.refresh())
        sweep.add_state("after refresh", stack)

        # a name-taken error, and a persistent fault
        emulator.backend.console_create_list("Taken", "FR")
        next_command()
        with pytest.raises(h.PluginError) as caught:
            stack.up({"a": contact_list("a", "Sweep B (console)"), "b": contact_list("b", "Taken")})
        sweep.add_error("name taken", caught.value)
        emulator.faults.add("html", count=100)
        next_command()
        with pytest.raises(h.PluginError) as caught:
            stack.refresh()
        sweep.add_error("persistent fault", caught.value)
        emulator.faults.clear()

        # bad credentials: another wrong key, in another stack
        bad = h.Stack(
            sweep.plugin(debug_logging),
            config={**config, "avosms:apiKey": WRONG_KEY},
            secret_keys=["avosms:apiKey"],
        )
        with pytest.raises(h.PluginError) as caught:
            bad.up({"c": contact_list("c", "Never")})
        assert "ERR_100" in caught.value.details
        sweep.add_error("bad credentials", caught.value)

        # destroy
        next_command()
        sweep.add_state("before destroy", stack)
        sweep.add("destroy", stack.destroy())
        stack.plugin.wait_for_stderr("still exists")
    finally:
        sweep.close()

    # The sweep saw what it should have: real outputs and DEBUG records of the API calls.
    everything = "\n".join(sweep.texts.values())
    assert "Sweep B (console)" in everything and "Taken" in everything
    assert "DEBUG pulumi_avosms.client contact/list/create attempt 1: HTTP 200 OK" in everything
    assert "/v1/contact/list/create" in everything  # urllib3 logs each request line
    # ... and neither key, in any spelling.
    assert sweep.find(SWEEP_KEY) == []
    assert sweep.find(WRONG_KEY) == []

    # On the wire: in the form body of every request, never in the URL or a header.
    assert emulator.request_log
    for record in emulator.request_log:
        assert record.method == "POST"
        assert record.query == "", record.path
        assert record.form.get("key") in (SWEEP_KEY, WRONG_KEY)
        assert record.form.get("id") == SWEEP_ID
        for secret in (SWEEP_KEY, WRONG_KEY):
            for form in forms_of(secret):
                assert form not in record.path
                assert not any(form in value for value in record.headers.values())
    assert any(record.form["key"] == SWEEP_KEY for record in emulator.request_log)


def test_the_provider_blob_in_state_is_a_bare_class_reference() -> None:
    """``__provider`` is pickled in the program, before any settings exist, and carries none."""
    entry = contact_list("a", "Customers FR")
    assert entry["provider_secret"] is False  # nothing in it needs encrypting
    payload = h.provider_payload(entry["inputs"][h.PROVIDER_KEY])
    assert len(payload) < 100, payload
    provider = dill.loads(payload)
    assert type(provider) is ContactListProvider
    assert vars(provider) == {}
    # Even a configured provider (as in the plugin) pickles without its settings.
    configured = ContactListProvider()
    configured.configure(
        type("Request", (), {"config": {"avosms:apiId": "x", "avosms:apiKey": SWEEP_KEY}})()
    )
    assert SWEEP_KEY.encode() not in dill.dumps(configured)


# -- secret inputs ----------------------------------------------------------------------------


def plain_strings(value: Any) -> Iterator[str]:
    """Every string in ``value`` that is not inside a secret."""
    if h.is_secret(value):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from plain_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from plain_strings(item)


SECRET_NAME = "Secret list 5e1f"


def test_a_secret_name_stays_secret_in_state_through_every_step(
    emulator: EmulatorServer, avosms_config: dict[str, str]
) -> None:
    """The user marks the list's name secret (or passes a secret there by mistake): the state
    holds it encrypted, as an input and as the output of the same name, after create, update
    and refresh. (AvoSMS itself gets the name: that is what the user asked for.)"""
    entry = contact_list("s", SECRET_NAME, secret=("name",))
    assert entry["secret_keys"] == ["name"]
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        stack = h.Stack(plugin, config=avosms_config, secret_keys=["avosms:apiKey"])
        stack.up({"s": entry})
        renamed = SECRET_NAME + " v2"
        stack.up({"s": contact_list("s", renamed, secret=("name",))})
        stack.refresh()
        resource = stack.resource("s")
        for part in ("inputs", "outputs"):
            assert h.is_secret(resource[part]["name"]), (part, resource[part])
            assert not any(SECRET_NAME in text for text in plain_strings(resource[part]))
        # The other outputs are not derived from the name and stay readable.
        assert not h.is_secret(resource["outputs"]["list_id"])
        assert stack.outputs("s")["name"] == renamed
        assert emulator.backend.get_list(stack.id("s"))["name"] == renamed


def test_secret_contact_fields_stay_secret_in_state(
    emulator: EmulatorServer, avosms_config: dict[str, str]
) -> None:
    """Personal data marked secret (a contact's e-mail and name) is encrypted in state, as an
    input and as an output, after create and refresh."""
    list_id = emulator.backend.console_create_list("Customers FR", "FR")
    email, last_name = "secret.person@example.com", "Secretname"

    def program() -> None:
        Contact(
            "person",
            list_id=list_id,
            phone_number="+33612345678",
            email=pulumi.Output.secret(email),
            last_name=pulumi.Output.secret(last_name),
            first_name="Visible",
        )

    entry = h.program_inputs(program)["person"]
    assert set(entry["secret_keys"]) == {"email", "last_name"}
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        stack = h.Stack(plugin, config=avosms_config, secret_keys=["avosms:apiKey"])
        stack.up({"person": entry})
        stack.refresh()
        resource = stack.resource("person")
    for part in ("inputs", "outputs"):
        assert h.is_secret(resource[part]["email"]) and h.is_secret(resource[part]["last_name"])
        texts = list(plain_strings(resource[part]))
        assert not any(email in text or last_name in text for text in texts), texts
        assert "Visible" in texts
    assert email not in resource["id"]


def test_outputs_derived_from_a_secret_country_stay_secret(
    avosms_config: dict[str, str],
) -> None:
    entry = contact_list("s", "Country is secret", "FR", secret=("country_code",))
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        stack = h.Stack(plugin, config=avosms_config, secret_keys=["avosms:apiKey"])
        stack.up({"s": entry})
        outputs = stack.resource("s")["outputs"]
    assert h.is_secret(outputs["country_code"])
    assert h.is_secret(outputs["country_name"]), outputs["country_name"]


def test_the_api_key_pasted_into_an_input_is_refused_at_preview(
    emulator: EmulatorServer, avosms_config: dict[str, str]
) -> None:
    """A key pasted as a list name (or a contact field) would land in the state and in
    AvoSMS: check refuses it, naming the property and never echoing the key."""
    key = avosms_config["avosms:apiKey"]
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        stack = h.Stack(plugin, config=avosms_config, secret_keys=["avosms:apiKey"])
        with pytest.raises(h.CheckFailedError) as caught:
            stack.preview({"s": contact_list("s", f"list {key}")})
        ((prop, reason),) = caught.value.failures
        assert prop == "name" and "API key" in reason and key not in reason
        list_id = emulator.backend.console_create_list("On-call", "FR")
        with pytest.raises(h.CheckFailedError) as caught:
            stack.preview(
                {
                    "c": h.program_inputs(
                        lambda: Contact(
                            "c", list_id=list_id, phone_number="+33612345678", other=key
                        )
                    )["c"]
                }
            )
        assert [prop for prop, _ in caught.value.failures] == ["other"]
    assert key not in plugin.stderr_text()  # after close(), which joins the stderr reader
    assert emulator.stats.snapshot()["total_calls"] == 0


def test_no_failure_of_another_property_quotes_the_key(
    emulator: EmulatorServer, avosms_config: dict[str, str]
) -> None:
    """list_id holds the key (upper-cased); the import_ check's failure would quote list_id."""
    key = avosms_config["avosms:apiKey"]
    number = "+33612345678"
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        stack = h.Stack(plugin, config=avosms_config, secret_keys=["avosms:apiKey"])
        with pytest.raises(h.CheckFailedError) as caught:
            stack.preview(
                {
                    "c": h.program_inputs(
                        lambda: Contact(
                            "c",
                            list_id=key.upper(),
                            phone_number=number,
                            opts=pulumi.ResourceOptions(import_=f"7/{number}"),
                        )
                    )["c"]
                }
            )
    failures = dict(caught.value.failures)
    assert "API key" in failures["list_id"]
    for form in [*forms_of(key), key.upper()]:
        assert not any(form.casefold() in reason.casefold() for reason in failures.values())
        assert form not in plugin.stderr_text()
    assert emulator.stats.snapshot()["total_calls"] == 0
