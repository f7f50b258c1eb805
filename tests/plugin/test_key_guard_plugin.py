"""The key pasted into any input, through the real plugin: refused at preview, never shown.

For ``ContactList``, ``Contact`` and ``ContactListMembers``, the stack's or an account's key
is put in each input in shapes the provider's own tests fuzz (tests/providers/
test_key_guard.py): as typed, in another case, inside a longer text, a member's field, a
member's field *name*, a string or a map where the member list is expected, nested deep.
The engine's check must fail naming the input, and neither the failures nor the plugin's
stderr may hold the key (or a piece of it); no request reaches AvoSMS.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_avosms import Contact, ContactList, ContactListMembers
from pulumi_avosms.emulator import EmulatorServer
from tests.support import harness as h

KEY = "Zq7-Secr3tKey_4f9Lm2pX"
AGENCY_KEY = "Agency+Key/0123456789"
ALICE = "+33612345678"
MEMBERS_TYPE = "pulumi-python:dynamic/avosms:ContactListMembers"
CONTACT_TYPE = "pulumi-python:dynamic/avosms:Contact"


def provider_of(resource: Any) -> str:
    """The ``__provider`` string a program sends for ``resource``."""
    entry = h.program_inputs(resource)
    return str(next(iter(entry.values()))["inputs"]["__provider"])


def cases(key: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(type, input refused, inputs) for each resource and shape."""
    up, inner = key.upper(), f"note: {key.lower()} (pasted)"
    return [
        (h.CONTACT_LIST_TYPE, "name", {"name": inner, "country_code": "FR"}),
        (h.CONTACT_LIST_TYPE, "country_code", {"name": "Ops", "country_code": up}),
        (h.CONTACT_LIST_TYPE, "import_id", {"name": "Ops", "country_code": "FR", "import_id": key}),
        (
            CONTACT_TYPE,
            "list_id",
            {"list_id": up, "phone_number": ALICE, "import_id": f"7/{ALICE}"},
        ),
        (CONTACT_TYPE, "other", {"list_id": "7", "phone_number": ALICE, "other": inner}),
        (CONTACT_TYPE, "phone_number", {"list_id": "7", "phone_number": f"+33 {key}"}),
        (MEMBERS_TYPE, "members", {"list_id": "7", "members": key}),
        (MEMBERS_TYPE, "members", {"list_id": "7", "members": {key: {"phone_number": ALICE}}}),
        (MEMBERS_TYPE, "members[0]", {"list_id": "7", "members": [up]}),
        (
            MEMBERS_TYPE,
            "members[0]",
            {"list_id": "7", "members": [{"phone_number": ALICE, key: "x"}]},
        ),
        (
            MEMBERS_TYPE,
            "members[1].other",
            {
                "list_id": "7",
                "members": [
                    {"phone_number": ALICE},
                    {"phone_number": "+33698765432", "other": [{"a": {"b": inner}}]},
                ],
            },
        ),
        (
            MEMBERS_TYPE,
            "members[0].email",
            {"list_id": "7", "members": [{"phone_number": ALICE, "email": up}]},
        ),
        (MEMBERS_TYPE, "list_id", {"list_id": inner, "members": []}),
    ]


@pytest.mark.parametrize("key", [KEY, AGENCY_KEY])
def test_the_key_in_any_input_of_any_resource_is_refused_and_never_shown(
    emulator: EmulatorServer, avosms_config: dict[str, str], key: str
) -> None:
    config = {
        **avosms_config,
        "avosms:apiKey": KEY,
        "avosms:accounts": json.dumps({"agency": {"apiId": "a@x.y", "apiKey": AGENCY_KEY}}),
    }
    providers = {
        h.CONTACT_LIST_TYPE: provider_of(lambda: ContactList("l", name="x", country_code="FR")),
        CONTACT_TYPE: provider_of(lambda: Contact("c", list_id="7", phone_number=ALICE)),
        MEMBERS_TYPE: provider_of(lambda: ContactListMembers("m", list_id="7", members=[])),
    }
    shown: list[str] = []
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        stack = h.Stack(plugin, config=config, secret_keys=["avosms:apiKey", "avosms:accounts"])
        for typ, prop, inputs in cases(key):
            stack.default_type = typ
            with pytest.raises(h.CheckFailedError) as caught:
                stack.preview({"r": {"__provider": providers[typ], **inputs}})
            failures = dict(caught.value.failures)
            assert "contains the AvoSMS API key" in failures.get(prop, ""), (prop, failures)
            shown += [f"{p}: {reason}" for p, reason in caught.value.failures]
    shown.append(plugin.stderr_text())  # after close(), which joins the stderr reader
    folded = key.casefold()
    pieces = {folded[i : i + 8] for i in range(len(folded) - 7)}
    for text in shown:
        assert not [p for p in pieces if p in text.casefold()], text
    assert emulator.stats.snapshot()["total_calls"] == 0
