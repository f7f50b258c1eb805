"""Replies a provider cannot trust, through the real plugin, from a scripted local server.

A reply that contradicts itself is malformed (never "gone"); no reply shape makes anything
but the package's errors escape; a create whose read-back fails still records the list; and
every text quoted from a reply is scrubbed of the key in any case, bounded and escaped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_avosms import Contact, ContactList
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY
from tests.support.stub_avosms import EP_CREATE, EP_INFO, EP_LIST, GOOD_INFO, StubAvoSMS

CONTACT_TYPE = "pulumi-python:dynamic/avosms:Contact"
MOBILE = "+33612345678"
CRASHES = ("KeyError", "TypeError", "AttributeError", "IndexError", "ValueError", "Traceback")


@pytest.fixture(scope="module")
def stub_plugin() -> Iterator[tuple[StubAvoSMS, h.PluginProcess]]:
    stub = StubAvoSMS()
    config = {
        "avosms:apiId": DEMO_ID,
        "avosms:apiKey": DEMO_KEY,
        "avosms:endpoint": stub.api_url,
        "avosms:maxRetries": "1",
        "avosms:timeout": "5",
    }
    try:
        with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
            plugin.configure(config, ["avosms:apiKey"])
            yield stub, plugin
    finally:
        stub.close()


MISSING = object()


@pytest.mark.parametrize(
    "contacts",
    [MISSING, None, False, [], {}, ""],
    ids=["missing", "null", "false", "[]", "{}", "''"],
)
def test_a_contact_refresh_on_a_self_contradicting_information_reply_keeps_the_contact(
    stub_plugin: tuple[StubAvoSMS, h.PluginProcess], contacts: Any
) -> None:
    stub, plugin = stub_plugin
    stub.server.replies.clear()
    info = {**GOOD_INFO, "nb_contact_list": 2, "list_contact": contacts}
    if contacts is MISSING:
        del info["list_contact"]
    stub.script(EP_INFO, info)
    stub.script(EP_LIST, {"code": "OK", "list_contact": []})
    inputs = h.program_inputs(lambda: Contact("alice", list_id="7", phone_number=MOBILE))["alice"][
        "inputs"
    ]
    outputs = {**inputs, "list_id": "7", "phone_number": MOBILE}
    urn_ = h.urn(CONTACT_TYPE, "alice")
    with pytest.raises(h.PluginError) as caught:  # never "gone" (an empty id)
        plugin.read(f"7/{MOBILE}", urn_, outputs, inputs)
    message = caught.value.exception_message
    assert "nb_contact_list" in message and "says 2 contacts" in message, message
    assert plugin.alive


def test_a_contact_refresh_of_a_field_no_message_can_carry_fails_naming_it(
    stub_plugin: tuple[StubAvoSMS, h.PluginProcess],
) -> None:
    """A lone surrogate (JSON "\\ud800") in the contact's own field: the refresh fails with
    the package's error naming the field (the state is kept), never a crash of the plugin."""
    stub, plugin = stub_plugin
    stub.server.replies.clear()
    contacts = [{"contact_telephone_number": MOBILE, "contact_first_name": "A\ud800"}]
    stub.script(EP_INFO, {**GOOD_INFO, "nb_contact_list": 1, "list_contact": contacts})
    inputs = h.program_inputs(lambda: Contact("alice", list_id="7", phone_number=MOBILE))["alice"][
        "inputs"
    ]
    outputs = {**inputs, "list_id": "7", "phone_number": MOBILE}
    with pytest.raises(h.PluginError) as caught:
        plugin.read(f"7/{MOBILE}", h.urn(CONTACT_TYPE, "alice"), outputs, inputs)
    assert caught.value.raised("ContactError"), caught.value.details
    assert "its first_name as text that is not valid Unicode" in caught.value.exception_message
    assert plugin.alive


@pytest.mark.parametrize(
    "count_json",
    [
        '"\\u00b2"',
        '"\\u2461"',
        '"\\u0663"',
        '"' + "1" * 5000 + '"',
        "1" + "0" * 400,
        '"1e3"',
        "NaN",
    ],
    ids=["superscript", "circled", "arabic-indic", "5000-digits", "huge-int", "exp", "nan"],
)
def test_a_create_whose_read_back_is_unreadable_still_records_the_list(
    stub_plugin: tuple[StubAvoSMS, h.PluginProcess], count_json: str
) -> None:
    stub, plugin = stub_plugin
    stub.server.replies.clear()
    stub.script(EP_CREATE, {"code": "OK", "list_contact_id": 42})
    raw = json.dumps({**GOOD_INFO, "nb_contact_list": "COUNT"}).replace('"COUNT"', count_json)
    stub.server.replies[EP_INFO] = (200, "application/json", raw.encode())
    stub.script(EP_LIST, {"code": "OK", "list_contact": []})
    inputs = h.program_inputs(
        lambda: ContactList("customers", name="Customers FR", country_code="FR")
    )["customers"]["inputs"]
    id_, outputs = plugin.create(h.urn(h.CONTACT_LIST_TYPE, "customers"), inputs)
    assert id_ == "42"
    assert outputs["name"] == "Customers FR"
    warning = plugin.wait_for_stderr("reading it back failed")
    assert not any(crash in warning for crash in CRASHES), warning


def test_texts_from_a_reply_are_scrubbed_bounded_and_escaped(
    stub_plugin: tuple[StubAvoSMS, h.PluginProcess],
) -> None:
    stub, plugin = stub_plugin
    stub.server.replies.clear()
    # A server echoing the request upper-cases the key; then escapes, bidi, CR and 2 MB.
    code = "ERR_\u202e" + DEMO_KEY.upper() + "\x1b[31m\r\n" + "A" * 2_000_000
    stub.script(EP_CREATE, {"code": code})
    stub.script(EP_LIST, {"code": "OK", "list_contact": []})
    inputs = h.program_inputs(
        lambda: ContactList("customers", name="Customers FR", country_code="FR")
    )["customers"]["inputs"]
    with pytest.raises(h.PluginError) as caught:
        plugin.create(h.urn(h.CONTACT_LIST_TYPE, "customers"), inputs)
    text = caught.value.details
    assert len(text) < 20_000
    assert DEMO_KEY.lower() not in text.lower()
    for raw in ("\u202e", "\x1b", "\r"):
        assert raw not in caught.value.exception_message
    assert "\\u202e" in caught.value.exception_message


def test_the_embedded_emulator_works_with_a_proxy_in_the_environment_and_never_uses_it(
    tmp_path: Any,
) -> None:
    import socket

    proxy = socket.create_server(("127.0.0.1", 0))  # a proxy that would hang every request
    proxy.settimeout(0)
    port = proxy.getsockname()[1]
    env = {name: f"http://127.0.0.1:{port}" for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY")}
    env.update({"NO_PROXY": None, "no_proxy": None})
    config = {
        "avosms:endpoint": "emulator",
        "avosms:emulatorState": str(tmp_path / "state.sqlite3"),
        "avosms:maxRetries": "0",
        "avosms:timeout": "3",
    }
    inputs = h.program_inputs(
        lambda: ContactList("customers", name="Customers FR", country_code="FR")
    )["customers"]["inputs"]
    try:
        with h.PluginProcess(env=env, unset_prefixes=["AVOSMS_"]) as plugin:
            plugin.configure(config, [])
            id_, outputs = plugin.create(h.urn(h.CONTACT_LIST_TYPE, "customers"), inputs)
        assert outputs["name"] == "Customers FR" and id_
        with pytest.raises(BlockingIOError):
            proxy.accept()  # nobody ever connected to the proxy
    finally:
        proxy.close()
