"""ContactListMembers through the real dynamic-provider plugin, driven as the engine does.

Inputs come from the real ``ContactListMembers(...)`` constructor run under mocks, so they are
exactly what a program sends; the emulator counts the API calls.
"""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from pulumi_avosms._members_state import members_of
from pulumi_avosms.contact_list import ContactList
from pulumi_avosms.contact_list_members import ContactListMembers
from tests.support import harness as h

MEMBERS_TYPE = "pulumi-python:dynamic/avosms:ContactListMembers"
ALICE, BOB, CHLOE = "+33612345678", "+33698765432", "+33781223344"
ONCALL = [
    {"phone_number": "+33 6 12 34 56 78", "first_name": "Alice", "last_name": "Martin"},
    {"phone_number": "+33 6 98 76 54 32", "first_name": "Bob"},
]


@pytest.fixture
def plugin() -> Iterator[h.PluginProcess]:
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as proc:
        yield proc


@pytest.fixture
def stack(plugin: h.PluginProcess, avosms_config: dict[str, str]) -> h.Stack:
    return h.Stack(plugin, config=avosms_config, default_type=MEMBERS_TYPE)


@pytest.fixture
def list_id(emulator: Any) -> str:
    return str(emulator.backend.console_create_list("On-call FR", "FR"))


def members_entry(
    list_id: Any,
    members: list[dict[str, Any]],
    *,
    exclusive: bool = True,
    opts: pulumi.ResourceOptions | None = None,
    name: str = "oncall-members",
) -> dict[str, Any]:
    """What ``ContactListMembers(name, list_id=..., members=..., exclusive=...)`` registers."""
    return h.program_inputs(
        lambda: ContactListMembers(
            name, list_id=list_id, members=members, exclusive=exclusive, opts=opts
        )
    )[name]


def live(emulator: Any, list_id: str) -> dict[str, dict[str, str]]:
    found = emulator.backend.get_list(list_id)
    return {} if found is None else {c["phone_number"]: c for c in found["contacts"]}


def total_calls(emulator: Any) -> int:
    return int(emulator.stats.snapshot()["total_calls"])


def test_registers_its_type_and_a_plain_provider_reference() -> None:
    entry = members_entry("7", ONCALL)
    assert entry["type"] == MEMBERS_TYPE
    payload = h.provider_payload(entry["inputs"]["__provider"])
    assert b"pulumi_avosms.contact_list_members" in payload
    assert b"ContactListMembersProvider" in payload
    assert len(payload) < 200, payload


def test_create_then_no_op_plan_then_refresh_without_drift(
    stack: h.Stack, emulator: Any, list_id: str
) -> None:
    summary = stack.up({"m": members_entry(list_id, ONCALL)})
    assert summary.ops == {"m": "create"}
    assert stack.id("m") == list_id
    outs = stack.outputs("m")
    # The fields are stored once, in the inputs (one JSON text a member); the outputs hold
    # a fingerprint per number.
    assert stack.inputs("m")["members"] == {
        ALICE: '{"first_name":"Alice","last_name":"Martin"}',
        BOB: '{"first_name":"Bob"}',
    }
    assert set(outs["members"]) == {ALICE, BOB}
    assert (outs["member_count"], outs["contact_count"], outs["exclusive"]) == (2, 2, True)
    assert live(emulator, list_id)[ALICE]["last_name"] == "Martin"

    before = total_calls(emulator)
    assert stack.up({"m": members_entry(list_id, ONCALL)}).ops == {"m": "same"}
    assert total_calls(emulator) == before
    assert stack.refresh().ops == {"m": "refresh"}
    assert total_calls(emulator) == before + 1


def test_first_preview_with_an_unknown_list_id_calls_nothing(stack: h.Stack, emulator: Any) -> None:
    def program() -> None:
        oncall = ContactList("oncall", name="On-call FR", country_code="FR")
        ContactListMembers("m", list_id=oncall.list_id, members=ONCALL)

    recorded = h.program_inputs(program, preview=True)
    assert recorded["m"]["inputs"]["list_id"] == h.UNKNOWN
    summary = stack.preview(recorded)
    assert summary.ops == {"oncall": "create", "m": "create"}
    assert members_of(summary.checked["m"])[ALICE] == {"first_name": "Alice", "last_name": "Martin"}
    assert total_calls(emulator) == 0


def test_check_failure_names_the_member_position_and_number(stack: h.Stack, list_id: str) -> None:
    bad = [*ONCALL, {"phone_number": "+33 6 12 34 56 78"}]
    with pytest.raises(h.CheckFailedError) as caught:
        stack.up({"m": members_entry(list_id, bad)})
    assert f"members[0] and members[2] are the same number {ALICE}" in str(caught.value)


def test_update_diff_is_per_number_and_calls_only_for_changes(
    stack: h.Stack, emulator: Any, list_id: str
) -> None:
    stack.up({"m": members_entry(list_id, ONCALL)})
    changed = [
        {"phone_number": ALICE, "first_name": "Alice", "last_name": "Dupont"},
        {"phone_number": CHLOE},
    ]
    before = dict(emulator.stats.snapshot()["calls"])
    summary = stack.up({"m": members_entry(list_id, changed)})
    assert summary.ops == {"m": "update"}
    assert not summary.diffs["m"].replace
    after = emulator.stats.snapshot()["calls"]
    made = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
    assert made == {"contact/update": 1, "contact/add": 1, "contact/delete": 1}
    assert set(live(emulator, list_id)) == {ALICE, CHLOE}
    assert live(emulator, list_id)[ALICE]["last_name"] == "Dupont"


def test_a_new_list_id_replaces(stack: h.Stack, emulator: Any, list_id: str) -> None:
    other = str(emulator.backend.console_create_list("On-call FR 2", "FR"))
    stack.up({"m": members_entry(list_id, ONCALL)})
    summary = stack.up({"m": members_entry(other, ONCALL)})
    assert summary.ops == {"m": "replace"}
    assert set(live(emulator, other)) == {ALICE, BOB}
    assert live(emulator, list_id) == {}


def test_a_list_id_known_only_at_up_previews_as_an_update(
    stack: h.Stack, emulator: Any, list_id: str
) -> None:
    stack.up({"m": members_entry(list_id, ONCALL)})
    entry = members_entry(list_id, ONCALL)
    entry["inputs"]["list_id"] = h.UNKNOWN  # e.g. the ContactList is being renamed
    summary = stack.preview({"m": entry})
    assert summary.ops == {"m": "update"}
    assert not summary.diffs["m"].replace
    # At `up` the list ID is known again: the same list is no change at all.
    assert stack.up({"m": members_entry(list_id, ONCALL)}).ops == {"m": "same"}
    assert set(live(emulator, list_id)) == {ALICE, BOB}


@pytest.mark.parametrize("exclusive", [True, False])
def test_console_drift_added_edited_removed(
    stack: h.Stack, emulator: Any, list_id: str, exclusive: bool
) -> None:
    entry = members_entry(list_id, ONCALL, exclusive=exclusive)
    stack.up({"m": entry})
    b = emulator.backend
    b.console_add_contact(list_id, CHLOE, first_name="Chloé")
    b.console_update_contact(list_id, ALICE, first_name="Alicia", last_name="Martin")
    b.console_remove_contact(list_id, BOB)

    summary = stack.refresh()
    assert summary.ops == {"m": "refresh-update"}
    members = members_of(stack.inputs("m"))
    assert set(stack.outputs("m")["members"]) == set(members)
    assert members[ALICE] == {"first_name": "Alicia", "last_name": "Martin"}
    assert BOB not in members
    # Exclusive: the contact nobody declared is in the state; additive: it is not looked at.
    assert (CHLOE in members) is exclusive

    stack.up({"m": entry})
    expected = {ALICE, BOB} if exclusive else {ALICE, BOB, CHLOE}
    assert set(live(emulator, list_id)) == expected
    assert live(emulator, list_id)[ALICE]["first_name"] == "Alice"
    assert stack.refresh().ops == {"m": "refresh"}


@pytest.mark.parametrize("exclusive", [True, False])
def test_a_refresh_names_the_contacts_added_outside_in_exclusive_mode(
    stack: h.Stack, emulator: Any, list_id: str, exclusive: bool
) -> None:
    stack.up({"m": members_entry(list_id, ONCALL, exclusive=exclusive)})
    emulator.backend.console_add_contact(list_id, CHLOE, first_name="Chloé")
    since = stack.plugin.stderr_offset()
    stack.refresh()
    if exclusive:  # a Contact resource for CHLOE would be undone by every up: say so
        text = stack.plugin.wait_for_stderr("added outside", since=since)
        assert "1 contact(s) were added outside this ContactListMembers" in text, text
        assert CHLOE in text and ALICE not in text, text
    else:
        assert "added outside" not in stack.plugin.stderr_text(since)


def test_a_list_deleted_in_the_console_is_gone_and_destroy_is_fine(
    stack: h.Stack, emulator: Any, list_id: str
) -> None:
    stack.up({"m": members_entry(list_id, ONCALL)})
    emulator.backend.console_delete_list(list_id)
    assert stack.refresh().ops == {"m": "delete"}
    assert stack.state == {}


def test_destroy_removes_only_the_declared_members_in_additive_mode(
    stack: h.Stack, emulator: Any, list_id: str
) -> None:
    emulator.backend.console_add_contact(list_id, CHLOE)
    stack.up({"m": members_entry(list_id, ONCALL, exclusive=False)})
    stack.destroy()
    assert set(live(emulator, list_id)) == {CHLOE}


def test_adoption_takes_the_list_unchanged_or_stops_on_differences(
    stack: h.Stack, emulator: Any, list_id: str
) -> None:
    emulator.backend.console_add_contact(list_id, ALICE, first_name="Alice", last_name="Martin")
    emulator.backend.console_add_contact(list_id, BOB, first_name="Bob")
    opts = pulumi.ResourceOptions(import_=list_id)
    edited = [{**ONCALL[0], "first_name": "Alicia"}, ONCALL[1]]
    with pytest.raises(h.PluginError) as caught:
        stack.up({"m": members_entry(list_id, edited, opts=opts)})
    assert f"{ALICE}: first_name program 'Alicia' AvoSMS 'Alice'" in caught.value.message
    assert "for 1 number(s)" in caught.value.message

    summary = stack.up({"m": members_entry(list_id, ONCALL, opts=opts)})
    assert summary.ops == {"m": "create"}
    writes = [
        r
        for r in emulator.request_log
        if r.endpoint in ("contact/add", "contact/update", "contact/delete")
    ]
    assert writes == []
    # Keeping import_ in the program, or dropping it later, is no change.
    assert stack.up({"m": members_entry(list_id, ONCALL, opts=opts)}).ops == {"m": "same"}
    assert stack.up({"m": members_entry(list_id, ONCALL)}).ops == {"m": "same"}


def test_a_secret_member_field_keeps_the_member_map_secret_in_state(
    plugin: h.PluginProcess, avosms_config: dict[str, str], list_id: str
) -> None:
    email = "secret.person@example.com"

    def program() -> None:
        members = [
            {"phone_number": ALICE, "email": pulumi.Output.secret(email)},
            {"phone_number": BOB},
        ]
        ContactListMembers("m", list_id=list_id, members=members)

    entry = h.program_inputs(program)["m"]
    assert entry["secret_keys"] == ["members"]
    stack = h.Stack(
        plugin, config=avosms_config, secret_keys=["avosms:apiKey"], default_type=MEMBERS_TYPE
    )
    stack.up({"m": entry})
    stack.refresh()
    resource = stack.resource("m")
    for part in ("inputs", "outputs"):
        assert h.is_secret(resource[part]["members"])
    assert members_of(stack.inputs("m"))[ALICE] == {"email": email}


def test_a_failed_update_reports_the_number_and_refresh_shows_what_was_applied(
    stack: h.Stack, emulator: Any, list_id: str
) -> None:
    stack.up({"m": members_entry(list_id, ONCALL)})
    more = [*ONCALL, {"phone_number": CHLOE}, {"phone_number": "+44 7400 123456"}]
    with pytest.raises(h.PluginError) as caught:
        stack.up({"m": members_entry(list_id, more)})
    assert "+447400123456: add: [ERR_107]" in caught.value.message
    assert "1 of 2 call(s) failed" in caught.value.message
    assert CHLOE not in stack.outputs("m")["members"]  # the engine kept the old state
    assert stack.refresh().ops == {"m": "refresh-update"}
    assert CHLOE in stack.outputs("m")["members"]
    assert set(live(emulator, list_id)) == {ALICE, BOB, CHLOE}


def test_oncall_example_deploys_through_the_plugin(stack: h.Stack, emulator: Any) -> None:
    """examples/oncall/__main__.py, run as a program, then deployed by the engine model."""
    oncall = h.program_inputs(lambda: ContactList("oncall", name="On-call FR", country_code="FR"))
    stack.up(oncall)
    list_id = stack.id("oncall")
    list_outputs = {k: v for k, v in stack.outputs("oncall").items() if k != h.PROVIDER_KEY}

    def new_resource(args: Any) -> tuple[str | None, dict[str, Any]]:
        # The list exists already: hand the program its real id, as the engine would.
        if args.typ == h.CONTACT_LIST_TYPE:
            return list_id, list_outputs
        return f"{args.name}-id", dict(args.inputs)

    program = h.REPO_ROOT / "examples" / "oncall" / "__main__.py"
    recorded = h.program_inputs(
        lambda: runpy.run_path(str(program), run_name="__main__"), new_resource=new_resource
    )
    assert set(recorded) == {"oncall", "oncall-members"}
    assert stack.up(recorded).ops == {"oncall": "same", "oncall-members": "create"}
    assert len(live(emulator, list_id)) == 3
    assert stack.up(recorded).ops["oncall-members"] == "same"
    stack.refresh()
    assert stack.outputs("oncall-members")["contact_count"] == 3


def test_adopting_a_list_leaves_undeclared_contacts_until_a_refresh_lists_them(
    stack: h.Stack, emulator: Any, list_id: str
) -> None:
    emulator.backend.console_add_contact(list_id, ALICE, first_name="Alice", last_name="Martin")
    emulator.backend.console_add_contact(list_id, BOB, first_name="Bob")
    opts = pulumi.ResourceOptions(import_=list_id)
    since = stack.plugin.stderr_offset()
    assert stack.up({"m": members_entry(list_id, ONCALL[:1], opts=opts)}).ops == {"m": "create"}
    assert set(live(emulator, list_id)) == {ALICE, BOB}  # import changes nothing
    note = stack.plugin.wait_for_stderr("left in the list", since=since)
    assert BOB in note and "`pulumi refresh`" in note
    # Not in the state yet, so nothing could show its removal: the next up keeps it.
    assert stack.up({"m": members_entry(list_id, ONCALL[:1])}).ops == {"m": "same"}
    assert set(live(emulator, list_id)) == {ALICE, BOB}
    # The refresh lists it; the preview after it shows the removal; the up makes it.
    stack.refresh()
    (state,) = stack.state.values()
    assert set(state["inputs"]["members"]) == {ALICE, BOB}
    assert stack.preview({"m": members_entry(list_id, ONCALL[:1])}).ops == {"m": "update"}
    stack.up({"m": members_entry(list_id, ONCALL[:1])})
    assert set(live(emulator, list_id)) == {ALICE}
