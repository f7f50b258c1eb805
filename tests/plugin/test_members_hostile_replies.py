"""ContactListMembers against replies it cannot trust, through the real plugin.

A number or a field that AvoSMS returns is shown to the user (a warning on stderr, a
failure, an adoption's differences) only scrubbed of the key, bounded and escaped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from pulumi_avosms import ContactListMembers
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY
from tests.support.stub_avosms import EP_INFO, GOOD_INFO, StubAvoSMS

MEMBERS_TYPE = "pulumi-python:dynamic/avosms:ContactListMembers"
MOBILE = "+33612345678"
#: Escapes, bidi, CR, the key upper-cased (a server echoing the request) and 5,000 digits.
HOSTILE = "\x1b[31m+33\u202e" + DEMO_KEY.upper() + "\r" + "9" * 5000
RAW = ("\x1b", "\u202e", "\r")


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


def checked(plugin: h.PluginProcess, members: list[dict[str, Any]], **opts: Any) -> dict[str, Any]:
    raw = h.program_inputs(
        lambda: ContactListMembers(
            "m", list_id="7", members=members, opts=pulumi.ResourceOptions(**opts)
        )
    )["m"]["inputs"]
    inputs, failures = plugin.check(h.urn(MEMBERS_TYPE, "m"), {}, raw)
    assert failures == []
    return inputs


def assert_safe(text: str) -> None:
    assert not any(raw in text for raw in RAW), repr(text[:300])
    assert DEMO_KEY.lower() not in text.lower()
    assert "9" * 400 not in text  # bounded


def test_a_hostile_number_is_left_alone_and_shown_safe_in_the_warning(
    stub_plugin: tuple[StubAvoSMS, h.PluginProcess],
) -> None:
    stub, plugin = stub_plugin
    stub.server.replies.clear()
    stub.script(
        EP_INFO,
        {
            **GOOD_INFO,
            "nb_contact_list": 1,
            "list_contact": [{"contact_telephone_number": HOSTILE}],
        },
    )
    inputs = checked(plugin, [])
    since = plugin.stderr_offset()
    # A number the client cannot read is never a removal, even for an exclusive, empty
    # membership: it is reported and left alone (contact/delete is not scripted: a call
    # to it would fail the create).
    plugin.create(h.urn(MEMBERS_TYPE, "m"), inputs)
    warning = plugin.wait_for_stderr("cannot be read", since=since)
    assert "\\x1b[31m+33\\u202e***\\x0d" in warning, warning
    assert_safe(warning)


def test_a_hostile_number_and_field_are_shown_safe_in_an_adoptions_differences(
    stub_plugin: tuple[StubAvoSMS, h.PluginProcess],
) -> None:
    stub, plugin = stub_plugin
    stub.server.replies.clear()
    contacts = [
        {"contact_telephone_number": HOSTILE},
        {"contact_telephone_number": MOBILE, "contact_first_name": HOSTILE},
    ]
    stub.script(EP_INFO, {**GOOD_INFO, "nb_contact_list": 2, "list_contact": contacts})
    inputs = checked(plugin, [{"phone_number": MOBILE, "first_name": "Alice"}], import_="7")
    with pytest.raises(h.PluginError) as caught:
        plugin.create(h.urn(MEMBERS_TYPE, "m"), inputs)
    message = caught.value.exception_message
    # The unreadable number is left alone (no difference); the hostile field is one.
    assert "differs from the list in AvoSMS for 1 number(s)" in message, message
    assert message.count("\\x1b[31m+33\\u202e***\\x0d") == 1, message
    assert_safe(message)


def test_a_field_that_cannot_travel_as_utf8_leaves_its_contact_alone_and_reported(
    stub_plugin: tuple[StubAvoSMS, h.PluginProcess],
) -> None:
    stub, plugin = stub_plugin
    stub.server.replies.clear()
    # A lone surrogate (JSON "\ud800"): no gRPC message can carry it to the engine.
    contacts = [{"contact_telephone_number": MOBILE, "contact_first_name": "A\ud800"}]
    stub.script(EP_INFO, {**GOOD_INFO, "nb_contact_list": 1, "list_contact": contacts})
    inputs = checked(plugin, [])
    since = plugin.stderr_offset()
    # Not a crash of the step, not a removal (contact/delete is not scripted): left alone.
    outs = plugin.create(h.urn(MEMBERS_TYPE, "m"), inputs)
    assert outs is not None
    warning = plugin.wait_for_stderr("cannot be read", since=since)
    assert MOBILE in warning


def test_a_refresh_of_a_member_whose_field_cannot_travel_as_utf8_leaves_it_reported(
    stub_plugin: tuple[StubAvoSMS, h.PluginProcess],
) -> None:
    """The same for a number the state holds (its fields fingerprinted against the state's
    first): the refresh does not fail, and the contact is named on stderr."""
    stub, plugin = stub_plugin
    stub.server.replies.clear()
    inputs = checked(plugin, [{"phone_number": MOBILE, "first_name": "Alice"}])
    stub.script(EP_INFO, {**GOOD_INFO, "nb_contact_list": 0, "list_contact": []})
    stub.script("contact/add", {"code": "OK"})
    created = plugin.create(h.urn(MEMBERS_TYPE, "m"), inputs)
    assert created is not None
    _, outputs = created
    contacts = [{"contact_telephone_number": MOBILE, "contact_first_name": "A\ud800"}]
    stub.script(EP_INFO, {**GOOD_INFO, "nb_contact_list": 1, "list_contact": contacts})
    since = plugin.stderr_offset()
    read_id, _outs, _inputs = plugin.read("7", h.urn(MEMBERS_TYPE, "m"), outputs, inputs)
    assert read_id == "7"
    assert MOBILE in plugin.wait_for_stderr("cannot be read", since=since)
