"""``ContactList.get`` and ``Contact.get`` through the real plugin, with the engine's read step.

A ``.get(name, id)`` registers a read: the engine (``ReadStep.Apply`` in pulumi/pulumi
``pkg/resource/deploy/step.go``) sends Read(id) with the registered props, in each of the
forms engines have sent (``h.READ_FORMS``). The newest sends them as inputs only, and a
plugin finds ``__provider`` there from pulumi 3.268 on; older plugins fail, as a user would
see. The props come from the real classmethod, run under mocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from pulumi_avosms import Contact, ContactList, ValidationError
from tests.support import harness as h

CONTACT_TYPE = "pulumi-python:dynamic/avosms:Contact"
WRITES = (
    "contact/list/create",
    "contact/list/rename",
    "contact/add",
    "contact/update",
    "contact/delete",
)


@pytest.fixture
def stack(avosms_config: dict[str, str]) -> Iterator[h.Stack]:
    stack = h.Stack(h.PluginProcess(unset_prefixes=["AVOSMS_"]), config=avosms_config)
    yield stack
    stack.plugin.close()


def next_command(stack: h.Stack) -> h.Stack:
    """The next `pulumi` command: a new plugin, as the CLI starts one per command (so the
    account listing one command cached is not what the next one sees)."""
    stack.plugin.close()
    stack.plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"])
    return stack


def writes(emulator: Any) -> int:
    return sum(emulator.stats.calls(endpoint) for endpoint in WRITES)


def got_list(id_: Any, resource_name: str = "newsletter") -> dict[str, Any]:
    """What ``ContactList.get(resource_name, id_)`` registers."""
    return h.program_inputs(lambda: ContactList.get(resource_name, id_))[resource_name]


def got_contact(id_: Any, resource_name: str = "alice") -> dict[str, Any]:
    """What ``Contact.get(resource_name, id_)`` registers."""
    return h.program_inputs(lambda: Contact.get(resource_name, id_))[resource_name]


# -- the program side ---------------------------------------------------------------------


def test_get_registers_a_read_with_only_the_provider_reference() -> None:
    entry = got_list(" 12 ")
    assert entry["type"] == h.CONTACT_LIST_TYPE
    assert entry["read_id"] == "12"
    # The None outputs declare the attributes but are not sent: only `__provider` is.
    assert set(entry["inputs"]) == {h.PROVIDER_KEY}
    declared = h.program_inputs(lambda: ContactList("x", name="X", country_code="FR"))["x"]
    assert entry["inputs"][h.PROVIDER_KEY] == declared["inputs"][h.PROVIDER_KEY]

    contact = got_contact("12/+33 6 12 34 56 78")
    assert contact["type"] == CONTACT_TYPE
    assert contact["read_id"] == "12/+33612345678"
    assert set(contact["inputs"]) == {h.PROVIDER_KEY}


@pytest.mark.parametrize(
    ("get", "id_", "expected"),
    [
        (ContactList.get, "abc", "ContactList.get\\('r'\\): id 'abc' is not an AvoSMS list ID"),
        (Contact.get, "12", "Contact.get\\('r'\\): id must be '<list id>/<phone number>'"),
        (Contact.get, "12/0612", "Contact.get\\('r'\\): id '12/0612': the phone number part"),
    ],
)
def test_a_malformed_id_fails_in_the_program(get: Any, id_: str, expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        h.program_inputs(lambda: get("r", id_))


def test_the_outputs_are_attributes_of_the_object() -> None:
    seen: dict[str, Any] = {}

    def program() -> None:
        got = ContactList.get("newsletter", "12")
        seen["attrs"] = [
            isinstance(getattr(got, name), pulumi.Output)
            for name in ("list_id", "name", "country_code", "contact_count")
        ]

    h.program_inputs(program)
    assert seen["attrs"] == [True, True, True, True]


# -- ContactList.get through the plugin ---------------------------------------------------


@pytest.mark.parametrize("form", h.READ_FORMS)
def test_a_list_made_in_the_console_is_read_with_its_live_outputs(
    emulator: Any, stack: h.Stack, form: str
) -> None:
    list_id = emulator.backend.console_create_list("Newsletter", "FR")
    emulator.backend.console_add_contact(list_id, "+33612345678")
    live = emulator.backend.get_list(list_id)
    entry = got_list(list_id)

    summary = stack.read_resource("newsletter", None, entry, form=form)
    assert summary.ops == {"newsletter": "read"}
    assert summary.calls == [("Read", "newsletter")]
    assert stack.id("newsletter") == list_id
    outputs = stack.outputs("newsletter")
    assert {k: v for k, v in outputs.items() if k != h.PROVIDER_KEY} == {
        "list_id": list_id,
        "name": "Newsletter",
        "country_code": "FR",
        "country_name": "France",
        "contact_count": 1,
        "created_at": live["created_at"],
    }
    assert writes(emulator) == 0


def test_a_missing_list_fails_as_the_engine_says_it(emulator: Any, stack: h.Stack) -> None:
    with pytest.raises(h.EngineError, match=r"^resource '404' does not exist$"):
        stack.read_resource("newsletter", None, got_list("404"))
    assert writes(emulator) == 0


def test_refresh_follows_the_console_and_destroy_leaves_the_list(
    emulator: Any, stack: h.Stack
) -> None:
    list_id = emulator.backend.console_create_list("Newsletter", "FR")
    entry = got_list(list_id)
    stack.read_resource("newsletter", None, entry)

    assert stack.refresh().ops == {"newsletter": "refresh"}
    emulator.backend.console_rename_list(list_id, "Newsletter 2026")
    summary = next_command(stack).refresh()
    # External: the engine compares outputs only, no Diff.
    assert summary.ops == {"newsletter": "refresh-update"}
    assert summary.calls == [("Read", "newsletter")]
    assert stack.outputs("newsletter")["name"] == "Newsletter 2026"

    # `pulumi up` reads it again at every deployment, and in a preview.
    assert stack.preview({"newsletter": entry}).ops == {"newsletter": "read"}
    assert stack.up({"newsletter": entry}).ops == {"newsletter": "read"}

    summary = stack.destroy()
    assert summary.calls == []  # no Delete for a read resource
    assert emulator.backend.get_list(list_id)["name"] == "Newsletter 2026"
    assert writes(emulator) == 0

    stack.read_resource("newsletter", None, entry)
    emulator.backend.console_delete_list(list_id)
    assert next_command(stack).refresh().ops == {"newsletter": "delete"}


def test_a_got_list_feeds_a_contact_in_the_same_deployment(emulator: Any, stack: h.Stack) -> None:
    list_id = emulator.backend.console_create_list("Newsletter", "FR")

    def program() -> None:
        ContactList.get("newsletter", list_id)
        Contact("alice", list_id=list_id, phone_number="+33612345678")

    summary = stack.up(h.program_inputs(program))
    assert summary.ops == {"newsletter": "read", "alice": "create"}
    assert [c["phone_number"] for c in emulator.backend.get_list(list_id)["contacts"]] == [
        "+33612345678"
    ]


# -- Contact.get through the plugin -------------------------------------------------------


@pytest.mark.parametrize("form", h.READ_FORMS)
def test_a_contact_added_in_the_console_is_read_and_never_removed(
    emulator: Any, stack: h.Stack, form: str
) -> None:
    list_id = emulator.backend.console_create_list("Newsletter", "FR")
    emulator.backend.console_add_contact(
        list_id, "+33612345678", first_name="Alice", email="alice@example.com"
    )
    entry = got_contact(f"{list_id}/+33 6 12 34 56 78")
    stack.read_resource("alice", None, entry, form=form)
    assert stack.id("alice") == f"{list_id}/+33612345678"
    outputs = stack.outputs("alice")
    assert {k: v for k, v in outputs.items() if k != h.PROVIDER_KEY} == {
        "list_id": list_id,
        "phone_number": "+33612345678",
        "civility": "",
        "first_name": "Alice",
        "last_name": "",
        "email": "alice@example.com",
        "birthday": "",
        "other": "",
    }

    emulator.backend.console_update_contact(list_id, "+33612345678", first_name="Alicia")
    assert next_command(stack).refresh().ops == {"alice": "refresh-update"}
    assert stack.outputs("alice")["first_name"] == "Alicia"

    # Dropping it from the program, or destroying, removes nothing from AvoSMS.
    assert stack.up({}).calls == []
    stack.read_resource("alice", None, entry)
    assert stack.destroy().calls == []
    assert len(emulator.backend.get_list(list_id)["contacts"]) == 1
    assert writes(emulator) == 0


def test_a_missing_contact_or_list_fails_as_the_engine_says_it(
    emulator: Any, stack: h.Stack
) -> None:
    list_id = emulator.backend.console_create_list("Newsletter", "FR")
    with pytest.raises(h.EngineError, match=rf"^resource '{list_id}/\+33612345678' does not"):
        stack.read_resource("alice", None, got_contact(f"{list_id}/+33612345678"))
    with pytest.raises(h.EngineError, match=r"^resource '404/\+33612345678' does not exist$"):
        stack.read_resource("bob", None, got_contact("404/+33612345678", "bob"))
    assert writes(emulator) == 0
