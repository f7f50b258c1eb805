"""Contact through the real dynamic-provider plugin, driven over gRPC the way the engine does.

Each test starts its own plugin process (a fraction of a second) so that nothing cached in
one — providers, the API client and its listing cache — leaks into the next; the emulator
is reset per test by its fixture. Resource inputs, ``__provider`` included, come from
running the real ``Contact(...)``/``ContactList(...)`` constructors under mocks
(:func:`tests.support.harness.program_inputs`), so they are exactly what a program sends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pulumi
import pytest

from pulumi_avosms import ContactList
from pulumi_avosms.contact import Contact
from tests.support import harness as h

CONTACT_TYPE = "pulumi-python:dynamic/avosms:Contact"
ALICE = "+33612345678"
BOB = "+33698765432"
CONTACT_KEYS = {
    "listContactId",
    "contactTelephoneNumber",
    "contactCivility",
    "contactName",
    "contactFirstName",
    "contactEmail",
    "contactBirthday",
    "contactOther",
}


@pytest.fixture
def plugin() -> Iterator[h.PluginProcess]:
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as proc:
        yield proc


@pytest.fixture
def stack(plugin: h.PluginProcess, avosms_config: dict[str, str]) -> h.Stack:
    return h.Stack(plugin, config=avosms_config)


def oncall_entry() -> dict[str, Any]:
    """What ``ContactList("oncall", name="On-call FR", country_code="FR")`` registers."""
    return h.program_inputs(lambda: ContactList("oncall", name="On-call FR", country_code="FR"))[
        "oncall"
    ]


def contact_entry(
    name: str, opts: pulumi.ResourceOptions | None = None, **inputs: Any
) -> dict[str, Any]:
    """What ``Contact(name, **inputs, opts=opts)`` registers."""
    return h.program_inputs(lambda: Contact(name, opts=opts, **inputs))[name]


def alice(list_id: str, **changes: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "list_id": list_id,
        "phone_number": "+33 6 12 34 56 78",
        "first_name": "Alice",
        "last_name": "Martin",
        "email": "alice@Example.com",
    }
    inputs.update(changes)
    return contact_entry("alice", **inputs)


def with_list(stack: h.Stack) -> str:
    """Create the on-call list in the stack; its id."""
    stack.up({"oncall": oncall_entry()})
    return stack.id("oncall")


def live(emulator: Any, list_id: str) -> list[dict[str, str]]:
    found = emulator.backend.get_list(list_id)
    return [] if found is None else found["contacts"]  # type: ignore[no-any-return]


def total_calls(emulator: Any) -> int:
    return int(emulator.stats.snapshot()["total_calls"])


# -- the resource as the program registers it ----------------------------------------------


def test_contact_registers_its_type_inputs_and_a_plain_provider_reference() -> None:
    entry = contact_entry("alice", list_id="7", phone_number="+33 6 12 34 56 78")
    assert entry["type"] == CONTACT_TYPE
    assert entry["provider_secret"] is False
    payload = h.provider_payload(entry["inputs"]["__provider"])
    assert b"pulumi_avosms.contact" in payload and b"ContactProvider" in payload
    assert len(payload) < 200, payload
    assert {k for k in entry["inputs"] if k != "__provider"} == {"list_id", "phone_number"}


def test_first_preview_with_an_unknown_list_id_calls_nothing(stack: h.Stack, emulator: Any) -> None:
    def program() -> None:
        oncall = ContactList("oncall", name="On-call FR", country_code="FR")
        Contact("alice", list_id=oncall.list_id, phone_number="+33 6 12 34 56 78")

    recorded = h.program_inputs(program, preview=True)
    assert recorded["alice"]["inputs"]["list_id"] == h.UNKNOWN
    summary = stack.preview(recorded)
    assert summary.ops == {"oncall": "create", "alice": "create"}
    assert summary.checked["alice"]["list_id"] == h.UNKNOWN
    assert summary.checked["alice"]["phone_number"] == ALICE
    assert total_calls(emulator) == 0


# -- create, no-op, update, replace ---------------------------------------------------------


def test_create_then_a_second_up_changes_nothing_and_calls_nothing(
    stack: h.Stack, emulator: Any
) -> None:
    list_id = with_list(stack)
    summary = stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    assert summary.ops == {"oncall": "same", "alice": "create"}
    assert stack.id("alice") == f"{list_id}/{ALICE}"
    assert stack.outputs("alice") == {
        "__provider": stack.inputs("alice")["__provider"],
        "list_id": list_id,
        "phone_number": ALICE,
        "civility": "",
        "first_name": "Alice",
        "last_name": "Martin",
        "email": "alice@example.com",
        "birthday": "",
        "other": "",
    }
    assert [c["phone_number"] for c in live(emulator, list_id)] == [ALICE]

    before = total_calls(emulator)
    summary = stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    assert summary.ops == {"oncall": "same", "alice": "same"}
    assert summary.diffs["alice"].changes == "DIFF_NONE"
    assert total_calls(emulator) == before


def test_check_failure_names_phone_number(stack: h.Stack) -> None:
    list_id = with_list(stack)
    with pytest.raises(h.CheckFailedError) as caught:
        stack.up({"oncall": oncall_entry(), "alice": alice(list_id, phone_number="06 12 34 56 78")})
    assert [prop for prop, _ in caught.value.failures] == ["phone_number"]
    assert "+CC" in caught.value.failures[0][1]


def test_update_of_a_field_sends_every_field(stack: h.Stack, emulator: Any) -> None:
    list_id = with_list(stack)
    stack.up({"oncall": oncall_entry(), "alice": alice(list_id, birthday="17/05/1990")})
    summary = stack.up(
        {"oncall": oncall_entry(), "alice": alice(list_id, first_name="Alicia", email=None)}
    )
    assert summary.ops["alice"] == "update"
    assert summary.diffs["alice"].replaces == []
    updates = [r.form for r in emulator.request_log if r.endpoint == "contact/update"]
    assert len(updates) == 1
    assert set(updates[0]) >= CONTACT_KEYS
    assert updates[0]["contactFirstName"] == "Alicia"
    assert updates[0]["contactName"] == "Martin"
    assert updates[0]["contactEmail"] == ""
    assert updates[0]["contactBirthday"] == ""
    (contact,) = live(emulator, list_id)
    assert (contact["first_name"], contact["last_name"], contact["email"]) == (
        "Alicia",
        "Martin",
        "",
    )
    assert stack.outputs("alice")["first_name"] == "Alicia"
    assert stack.outputs("alice")["email"] == ""


def test_phone_number_change_replaces_the_contact(stack: h.Stack, emulator: Any) -> None:
    list_id = with_list(stack)
    stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    summary = stack.up({"oncall": oncall_entry(), "alice": alice(list_id, phone_number=BOB)})
    assert summary.ops["alice"] == "replace"
    assert summary.diffs["alice"].replaces == ["phone_number"]
    # Create-before-delete: the new number exists before the old one goes.
    assert summary.calls[-2:] == [("Create", "alice"), ("Delete", "alice")]
    assert stack.id("alice") == f"{list_id}/{BOB}"
    assert [c["phone_number"] for c in live(emulator, list_id)] == [BOB]


def test_same_number_in_another_format_is_no_change(stack: h.Stack) -> None:
    list_id = with_list(stack)
    stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    summary = stack.up(
        {"oncall": oncall_entry(), "alice": alice(list_id, phone_number="+33 (0)6-12-34-56-78")}
    )
    assert summary.ops["alice"] == "same"


def test_list_change_replaces_the_contact(stack: h.Stack, emulator: Any) -> None:
    list_id = with_list(stack)
    other = emulator.backend.console_create_list("VIP FR", "FR")
    stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    summary = stack.up({"oncall": oncall_entry(), "alice": alice(other)})
    assert summary.ops["alice"] == "replace"
    assert summary.diffs["alice"].replaces == ["list_id"]
    assert live(emulator, list_id) == []
    assert [c["phone_number"] for c in live(emulator, other)] == [ALICE]


def test_create_of_a_number_already_in_the_list_says_how_to_adopt(
    stack: h.Stack, emulator: Any
) -> None:
    list_id = with_list(stack)
    emulator.backend.console_add_contact(list_id, ALICE)
    with pytest.raises(h.PluginError) as caught:
        stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    assert caught.value.raised("ContactError")
    assert f"import_='{list_id}/{ALICE}'" in caught.value.exception_message
    assert "alice" not in stack.names()


def test_create_of_a_number_of_another_country_names_both(stack: h.Stack) -> None:
    list_id = with_list(stack)
    with pytest.raises(h.PluginError) as caught:
        stack.up({"oncall": oncall_entry(), "alice": alice(list_id, phone_number="+447400123456")})
    message = caught.value.exception_message
    assert "GB (United Kingdom)" in message and "FR (France)" in message


# -- drift ---------------------------------------------------------------------------------


def test_edit_in_the_console_shows_at_refresh_and_up_restores_it(
    stack: h.Stack, emulator: Any
) -> None:
    list_id = with_list(stack)
    stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    emulator.backend.console_update_contact(list_id, ALICE, first_name="Eve", other="edited")
    summary = stack.refresh()
    assert summary.ops["alice"] == "refresh-update"
    assert stack.outputs("alice")["first_name"] == "Eve"
    assert stack.outputs("alice")["other"] == "edited"
    assert stack.inputs("alice")["first_name"] == "Eve"

    summary = stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    assert summary.ops["alice"] == "update"
    (contact,) = live(emulator, list_id)
    assert (contact["first_name"], contact["other"]) == ("Alice", "")


def test_refresh_of_an_unchanged_contact_shows_no_drift(stack: h.Stack) -> None:
    list_id = with_list(stack)
    stack.up({"oncall": oncall_entry(), "alice": alice(list_id, birthday="17/05/1990")})
    summary = stack.refresh()
    assert summary.ops["alice"] == "refresh"
    summary = stack.up({"oncall": oncall_entry(), "alice": alice(list_id, birthday="17/05/1990")})
    assert summary.ops["alice"] == "same"


def test_removal_in_the_console_drops_it_at_refresh_and_up_adds_it_back(
    stack: h.Stack, emulator: Any
) -> None:
    list_id = with_list(stack)
    stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    emulator.backend.console_remove_contact(list_id, ALICE)
    summary = stack.refresh()
    assert summary.ops["alice"] == "delete"
    assert "alice" not in stack.names()
    summary = stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    assert summary.ops["alice"] == "create"
    assert [c["phone_number"] for c in live(emulator, list_id)] == [ALICE]


def test_list_deleted_in_the_console_drops_its_contacts_at_refresh(
    stack: h.Stack, emulator: Any
) -> None:
    list_id = with_list(stack)
    stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    emulator.backend.console_delete_list(list_id)
    summary = stack.refresh()
    assert summary.ops == {"oncall": "delete", "alice": "delete"}
    assert stack.names() == []


# -- delete --------------------------------------------------------------------------------


def test_removing_the_contact_from_the_program_deletes_it(stack: h.Stack, emulator: Any) -> None:
    list_id = with_list(stack)
    emulator.backend.console_add_contact(list_id, BOB)
    stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    summary = stack.up({"oncall": oncall_entry()})
    assert summary.ops["alice"] == "delete"
    assert [c["phone_number"] for c in live(emulator, list_id)] == [BOB]


def test_delete_of_a_contact_already_gone_succeeds(stack: h.Stack, emulator: Any) -> None:
    list_id = with_list(stack)
    stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    emulator.backend.console_remove_contact(list_id, ALICE)
    summary = stack.destroy()
    assert summary.ops["alice"] == "delete"
    assert stack.names() == []


def test_delete_after_the_list_is_gone_succeeds(stack: h.Stack, emulator: Any) -> None:
    list_id = with_list(stack)
    stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    emulator.backend.console_delete_list(list_id)
    summary = stack.destroy()
    assert summary.ops["alice"] == "delete"


# -- adoption ------------------------------------------------------------------------------


def test_adopt_an_existing_contact_with_import(stack: h.Stack, emulator: Any) -> None:
    list_id = with_list(stack)
    emulator.backend.console_add_contact(
        list_id, "06 12 34 56 78", first_name="Alice", last_name="Martin", email="alice@example.com"
    )
    entry = alice(list_id, opts=pulumi.ResourceOptions(import_=f"{list_id}/+33 6 12 34 56 78"))
    # The import ID travels as an input (the engine's own import cannot reach `__provider`).
    assert entry["import_id"] is None
    assert entry["inputs"]["import_id"] == f"{list_id}/+33 6 12 34 56 78"

    before = emulator.stats.snapshot()["calls"].get("contact/add", 0)
    summary = stack.up({"oncall": oncall_entry(), "alice": entry})
    assert summary.ops["alice"] == "create"
    assert stack.id("alice") == f"{list_id}/{ALICE}"
    assert emulator.stats.snapshot()["calls"].get("contact/add", 0) == before
    assert len(live(emulator, list_id)) == 1

    # Keeping or dropping import_ afterwards is no change.
    assert stack.up({"oncall": oncall_entry(), "alice": entry}).ops["alice"] == "same"
    assert stack.up({"oncall": oncall_entry(), "alice": alice(list_id)}).ops["alice"] == "same"


def test_adopting_a_contact_that_differs_shows_both_values(stack: h.Stack, emulator: Any) -> None:
    list_id = with_list(stack)
    emulator.backend.console_add_contact(list_id, ALICE, first_name="Alice", last_name="Dupont")
    entry = alice(list_id, opts=pulumi.ResourceOptions(import_=f"{list_id}/{ALICE}"))
    with pytest.raises(h.PluginError) as caught:
        stack.up({"oncall": oncall_entry(), "alice": entry})
    message = caught.value.exception_message
    assert "program: 'Martin'" in message and "AvoSMS: 'Dupont'" in message
    assert live(emulator, list_id)[0]["last_name"] == "Dupont"


# -- personal data -------------------------------------------------------------------------


def test_a_field_passed_as_secret_stays_secret_in_state(stack: h.Stack, emulator: Any) -> None:
    list_id = with_list(stack)
    entry = h.program_inputs(
        lambda: Contact(
            "alice",
            list_id=list_id,
            phone_number=ALICE,
            email=pulumi.Output.secret("alice@example.com"),  # created inside the program
        )
    )["alice"]
    assert entry["secret_keys"] == ["email"]
    stack.up({"oncall": oncall_entry(), "alice": entry})
    stack.refresh()
    state = stack.resource("alice")
    assert h.is_secret(state["inputs"]["email"]) and h.is_secret(state["outputs"]["email"])
    assert not h.is_secret(state["outputs"]["first_name"])
    assert live(emulator, list_id)[0]["email"] == "alice@example.com"
    assert stack.up({"oncall": oncall_entry(), "alice": entry}).ops["alice"] == "same"


# -- many at once, and the list's count ----------------------------------------------------


def test_twenty_contacts_created_in_parallel(
    plugin: h.PluginProcess, stack: h.Stack, emulator: Any
) -> None:
    list_id = with_list(stack)
    numbers = [f"+336{n:08d}" for n in range(12345600, 12345620)]
    entries = {
        f"c{i}": contact_entry(f"c{i}", list_id=list_id, phone_number=number, first_name=f"N{i}")
        for i, number in enumerate(numbers)
    }
    start = threading.Barrier(len(entries), timeout=30)
    emulator.latency = 0.05  # long enough for the plugin's worker threads to overlap

    def create(name: str) -> tuple[str, dict[str, Any]]:
        urn = h.urn(CONTACT_TYPE, name)
        checked, failures = plugin.check(urn, {}, entries[name]["inputs"])
        assert failures == []
        start.wait()  # every Create in flight together (the plugin serves 4 at a time)
        return plugin.create(urn, checked)

    with ThreadPoolExecutor(max_workers=len(entries)) as pool:
        results = list(pool.map(create, entries))

    ids = [id_ for id_, _ in results]
    assert sorted(ids) == sorted(f"{list_id}/{n}" for n in numbers)
    contacts = live(emulator, list_id)
    assert sorted(c["phone_number"] for c in contacts) == sorted(numbers)
    assert len(contacts) == 20
    by_number = {c["phone_number"]: c["first_name"] for c in contacts}
    assert by_number == {n: f"N{i}" for i, n in enumerate(numbers)}
    assert emulator.stats.snapshot()["calls"]["contact/add"] == 20


def test_list_contact_count_is_right_at_the_next_refresh(stack: h.Stack, emulator: Any) -> None:
    list_id = with_list(stack)
    assert stack.outputs("oncall")["contact_count"] == 0
    bob = contact_entry("bob", list_id=list_id, phone_number=BOB, first_name="Bob")
    resources = {"oncall": oncall_entry(), "alice": alice(list_id), "bob": bob}
    stack.up(resources)  # same plugin process: one shared client for both providers
    stack.refresh()
    assert stack.outputs("oncall")["contact_count"] == 2
    # The count is an output only: no change for the list at the next up.
    assert stack.up(resources).ops == {"oncall": "same", "alice": "same", "bob": "same"}

    stack.up({"oncall": oncall_entry(), "alice": alice(list_id)})
    stack.refresh()
    assert stack.outputs("oncall")["contact_count"] == 1
