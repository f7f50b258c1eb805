"""``get_contact_list`` / ``get_contact_list_output`` / ``get_contact_lists`` in a program.

The lookups run in the program (under mocks here, with the stack config the CLI would give
it) against the test emulator, or the embedded one; their result then feeds a Contact that
the real plugin creates.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from pulumi_avosms import (
    AuthenticationError,
    AvoSMSError,
    Contact,
    ContactListInfo,
    ContactListLookupError,
    ValidationError,
    _runtime,
    get_contact_list,
    get_contact_list_output,
    get_contact_lists,
)
from pulumi_avosms.emulator import EmulatorBackend
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY
from tests.support.stub_avosms import EP_LIST, StubAvoSMS

WRITES = (
    "contact/list/create",
    "contact/list/rename",
    "contact/add",
    "contact/update",
    "contact/delete",
)


@pytest.fixture(autouse=True)
def no_avosms_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings come from the config each test gives; clients and embedded emulators of the
    program process do not outlive the test."""
    for name in list(os.environ):
        if name.startswith("AVOSMS_"):
            monkeypatch.delenv(name)
    yield
    _runtime.reset()


def run(program: Any, config: dict[str, str], **kwargs: Any) -> dict[str, dict[str, Any]]:
    """Run ``program`` as the CLI would, with ``config`` as stack config (apiKey secret)."""
    return h.program_inputs(program, config=config, secret_config_keys=["avosms:apiKey"], **kwargs)


def lookup(config: dict[str, str], **kwargs: Any) -> Any:
    """What ``get_contact_list(**kwargs)`` returns (or raises) in a program."""
    found: list[Any] = []
    run(lambda: found.append(get_contact_list(**kwargs)), config)
    return found[0]


def writes(emulator: Any) -> int:
    return sum(emulator.stats.calls(endpoint) for endpoint in WRITES)


# -- by name, by ID, all --------------------------------------------------------------------


def test_a_list_made_in_the_console_is_found_by_name_and_by_id(
    emulator: Any, avosms_config: dict[str, str]
) -> None:
    emulator.backend.console_create_list("Customers BE", "BE")
    list_id = emulator.backend.console_create_list("Newsletter", "FR")
    emulator.backend.console_add_contact(list_id, "+33612345678")

    by_name = lookup(avosms_config, name="Newsletter")
    assert isinstance(by_name, ContactListInfo)
    assert (by_name.list_id, by_name.name, by_name.country_code, by_name.country_name) == (
        list_id,
        "Newsletter",
        "FR",
        "France",
    )
    assert by_name.contact_count == 1
    assert lookup(avosms_config, list_id=list_id) == by_name
    assert lookup(avosms_config, list_id=int(list_id)) == by_name
    assert writes(emulator) == 0


def test_get_contact_lists_returns_every_list_typed(
    emulator: Any, avosms_config: dict[str, str]
) -> None:
    first = emulator.backend.console_create_list("Customers BE", "BE")
    second = emulator.backend.console_create_list("Newsletter", "FR")
    found: list[list[ContactListInfo]] = []
    run(lambda: found.append(get_contact_lists()), avosms_config)
    assert [(info.list_id, info.name, info.country_code) for info in found[0]] == [
        (first, "Customers BE", "BE"),
        (second, "Newsletter", "FR"),
    ]


def test_a_name_matches_exactly_else_ignoring_case_and_spaces(
    emulator: Any, avosms_config: dict[str, str]
) -> None:
    list_id = emulator.backend.console_create_list("Newsletter", "FR")
    assert lookup(avosms_config, name="  newsLETTER ").list_id == list_id


# -- errors ---------------------------------------------------------------------------------


def test_no_list_of_that_name_or_id_is_a_clear_lookup_error(
    emulator: Any, avosms_config: dict[str, str]
) -> None:
    emulator.backend.console_create_list("Customers BE", "BE")
    with pytest.raises(ContactListLookupError) as by_name:
        lookup(avosms_config, name="Newsleter")
    assert isinstance(by_name.value, AvoSMSError)
    message = str(by_name.value)
    assert "No contact list named 'Newsleter'" in message
    assert "'Customers BE' (1)" in message  # what there is, to spot the typo
    assert by_name.value.name == "Newsleter" and by_name.value.matches == ()

    with pytest.raises(ContactListLookupError, match="No contact list with ID 42 ") as by_id:
        lookup(avosms_config, list_id="42")
    assert by_id.value.list_id == "42"


def test_a_name_matching_several_lists_names_their_ids() -> None:
    # The emulator refuses lookalike names, as AvoSMS may not: a local server plays it.
    stub = StubAvoSMS()
    entry = {
        "list_contact_name": "Newsletter",
        "list_contact_country_name": "France",
        "list_contact_country_code": "FR",
        "nb_contact_list": 0,
        "list_contact_creation_date": "2024-01-02 03:04:05",
    }
    listing = [
        {**entry, "list_contact_id": 5},
        {**entry, "list_contact_id": 9, "list_contact_name": "newsletter "},
    ]
    stub.script(EP_LIST, {"code": "OK", "list_contact": listing})
    config = {"avosms:apiId": DEMO_ID, "avosms:apiKey": DEMO_KEY, "avosms:endpoint": stub.api_url}
    try:
        with pytest.raises(ContactListLookupError) as several:
            lookup(config, name="NEWSLETTER")
        assert several.value.matches == ("5", "9")
        assert "2 contact lists of the AvoSMS account are named 'NEWSLETTER' (IDs 5, 9)" in str(
            several.value
        )
        # An exact match wins over lookalikes, as when the provider finds a name taken.
        assert lookup(config, name="Newsletter").list_id == "5"
    finally:
        stub.close()


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "exactly one of name= or list_id=, got neither"),
        ({"name": "A", "list_id": "1"}, "exactly one of name= or list_id=, got both"),
        ({"list_id": "abc"}, "list_id 'abc' is not an AvoSMS list ID"),
        ({"name": " "}, "name must be a non-empty string"),
    ],
)
def test_bad_arguments_are_refused_before_any_call(
    emulator: Any, avosms_config: dict[str, str], kwargs: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ValidationError, match=expected):
        lookup(avosms_config, **kwargs)
    assert emulator.stats.total_calls == 0


def test_wrong_credentials_fail_with_the_api_error_and_never_show_the_key(
    emulator: Any, avosms_config: dict[str, str]
) -> None:
    key = "wrong-key-0123456789"
    with pytest.raises(ContactListLookupError) as caught:
        lookup({**avosms_config, "avosms:apiKey": key}, name="Newsletter")
    assert isinstance(caught.value.api_error, AuthenticationError)
    assert "Could not look up the contact lists named 'Newsletter'" in str(caught.value)
    assert key not in str(caught.value) and key not in repr(caught.value)


# -- settings: as the provider's --------------------------------------------------------------


def test_the_environment_fills_in_what_the_stack_config_leaves_out(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    list_id = emulator.backend.console_create_list("Newsletter", "FR")
    monkeypatch.setenv("AVOSMS_API_ID", DEMO_ID)
    monkeypatch.setenv("AVOSMS_API_KEY", DEMO_KEY)
    assert lookup({"avosms:endpoint": emulator.api_url}, name="Newsletter").list_id == list_id


def test_the_embedded_emulator_is_the_one_the_plugin_uses(tmp_path: Path) -> None:
    state = tmp_path / "emulator.sqlite3"
    backend = EmulatorBackend(str(state))
    list_id = backend.console_create_list("Newsletter", "FR")
    config = {"avosms:endpoint": "emulator", "avosms:emulatorState": str(state)}

    entries = run(
        lambda: Contact(
            "alice",
            list_id=get_contact_list(name="Newsletter").list_id,
            phone_number="+33 6 12 34 56 78",
        ),
        config,
    )
    assert entries["alice"]["inputs"]["list_id"] == list_id

    stack = h.Stack(h.PluginProcess(unset_prefixes=["AVOSMS_"]), config=config)
    try:
        stack.up(entries)
    finally:
        stack.plugin.close()
    detail = backend.get_list(list_id)
    assert detail is not None
    assert [c["phone_number"] for c in detail["contacts"]] == ["+33612345678"]


# -- feeding resources, in up and in preview -------------------------------------------------


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_the_lookup_feeds_a_contact_created_by_the_plugin(
    emulator: Any, avosms_config: dict[str, str], preview: bool
) -> None:
    list_id = emulator.backend.console_create_list("Newsletter", "FR")

    def program() -> None:
        newsletter = get_contact_list(name="Newsletter")
        Contact("alice", list_id=newsletter.list_id, phone_number="+33612345678")

    # The lookup is a read: it runs during a preview too, so list_id is known there.
    entries = run(program, avosms_config, preview=preview)
    assert entries["alice"]["inputs"]["list_id"] == list_id
    stack = h.Stack(h.PluginProcess(unset_prefixes=["AVOSMS_"]), config=avosms_config)
    try:
        summary = stack.preview(entries) if preview else stack.up(entries)
    finally:
        stack.plugin.close()
    assert summary.ops == {"alice": "create"}
    contacts = emulator.backend.get_list(list_id)["contacts"]
    assert [c["phone_number"] for c in contacts] == ([] if preview else ["+33612345678"])


def test_the_output_form_takes_inputs_and_keeps_them_secret(
    emulator: Any, avosms_config: dict[str, str]
) -> None:
    list_id = emulator.backend.console_create_list("Newsletter", "FR")

    def program() -> None:
        plain = get_contact_list_output(name=pulumi.Output.from_input("Newsletter"))
        Contact("alice", list_id=plain.list_id, phone_number="+33612345678")
        hidden = get_contact_list_output(list_id=pulumi.Output.secret(list_id))
        Contact("bob", list_id=hidden.list_id, phone_number="+33612345679")

    entries = run(program, avosms_config)
    assert entries["alice"]["inputs"]["list_id"] == list_id
    assert entries["alice"]["secret_keys"] == []
    assert entries["bob"]["inputs"]["list_id"] == list_id
    assert entries["bob"]["secret_keys"] == ["list_id"]


def test_the_output_form_needs_exactly_one_argument() -> None:
    with pytest.raises(ValidationError, match="got neither"):
        get_contact_list_output()
