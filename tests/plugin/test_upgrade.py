"""A state written by an older release keeps working: refresh and plan show no change.

``tests/fixtures/state-<release>.json`` is the state a release wrote through the plugin
(inputs, outputs and ``__provider`` of a ContactList and a Contact, a secret field among
them) and the AvoSMS data it described. ``tests/fixtures/members-state-0.2.0.json`` is the
same for ContactListMembers (both modes, one in a named account), the first release that had
it: its ``members`` output holds a fingerprint per number, so a change of the fingerprint's
form would plan an update of every member of every existing stack. Each was captured once
and is never regenerated: each later release must read it exactly as it was written.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from pulumi_avosms import Contact, ContactList, ContactListMembers
from pulumi_avosms.emulator import EmulatorServer
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY
from tests.support.state_fixtures import FIXTURES, RELEASES, load


def program() -> None:
    """The program that wrote every fixture, as a user would still run it today."""
    oncall = ContactList("oncall", name="On-call FR", country_code="FR")
    Contact(
        "alice",
        list_id=oncall.list_id,
        phone_number="+33 6 12 34 56 78",
        first_name="Alice",
        last_name="Martin",
        email=pulumi.Output.secret("alice@example.com"),
        birthday="14/07/1990",
    )


def registered() -> dict[str, dict[str, Any]]:
    # The list's id is known at `up` once the list is in the state.
    return h.program_inputs(
        program,
        new_resource=lambda args: ("1", {"list_id": "1"}) if args.name == "oncall" else (None, {}),
    )


@pytest.fixture
def stack(avosms_config: dict[str, str]) -> Iterator[h.Stack]:
    stack = h.Stack(h.PluginProcess(unset_prefixes=["AVOSMS_"]), config=avosms_config)
    yield stack
    stack.plugin.close()


def seed(emulator: Any, data: list[dict[str, Any]]) -> None:
    """Put back in AvoSMS what the fixture's resources describe."""
    for lst in data:
        list_id = emulator.backend.console_create_list(lst["name"], lst["country_code"])
        assert list_id == lst["list_id"]
        for contact in lst["contacts"]:
            fields = {k: v for k, v in contact.items() if k != "phone_number" and v}
            emulator.backend.console_add_contact(list_id, contact["phone_number"], **fields)


def test_there_is_a_fixture_for_the_first_release() -> None:
    assert "0.1.0" in RELEASES


@pytest.mark.parametrize("release", RELEASES)
def test_old_state_refreshes_and_plans_with_no_change(
    release: str, emulator: Any, stack: h.Stack
) -> None:
    fixture = load(release)
    seed(emulator, fixture["emulator"])
    stack.state = copy.deepcopy(fixture["resources"])

    refreshed = stack.refresh()
    assert refreshed.ops == {"oncall": "refresh", "alice": "refresh"}

    planned = stack.preview(registered())
    assert planned.ops == {"oncall": "same", "alice": "same"}
    deployed = stack.up(registered())
    assert deployed.ops == {"oncall": "same", "alice": "same"}
    assert emulator.stats.snapshot()["calls"].get("contact/list/rename", 0) == 0
    # The secret stays a secret in the refreshed state.
    assert h.is_secret(stack.resource("alice")["outputs"]["email"])


@pytest.mark.parametrize("release", RELEASES)
def test_provider_reference_in_state_is_byte_identical(release: str) -> None:
    """``__provider`` pickles by reference: today's program writes what the release wrote."""
    stored = load(release)["resources"]
    now = registered()
    for name in ("oncall", "alice"):
        urn = next(u for u in stored if u.endswith(f"::{name}"))
        assert now[name]["inputs"]["__provider"] == stored[urn]["inputs"]["__provider"]


# -- ContactListMembers, as 0.2.0 wrote it ---------------------------------------------------

MEMBERS_FIXTURE = FIXTURES / "members-state-0.2.0.json"
AGENCY_ID = "agency@example.com"
AGENCY_KEY = "agency-key-0d9c3b7e51a4"
#: A contact added in the console to the additive list: no step may touch it.
HAND_ADDED = "+32470998877"
MEMBERS_NAMES = ("oncall", "oncall-members", "partners", "partners-members")


def members_program() -> None:
    """The program that wrote the ContactListMembers fixture, as a user would still run it."""
    oncall = ContactList("oncall", name="On-call FR", country_code="FR")
    ContactListMembers(
        "oncall-members",
        list_id=oncall.list_id,
        members=[
            {
                "phone_number": "+33 6 12 34 56 78",
                "first_name": "Alice",
                "last_name": "Martin",
                "email": "alice@example.com",
                "birthday": "14/07/1990",
            },
            {"phone_number": "+33 6 98 76 54 32", "first_name": "Bob", "civility": "M."},
            {"phone_number": "+33 7 81 22 33 44"},
        ],
    )
    partners = ContactList("partners", name="Partners BE", country_code="BE", account="agency")
    ContactListMembers(
        "partners-members",
        list_id=partners.list_id,
        account="agency",
        exclusive=False,
        members=[
            {"phone_number": "+32 470 12 34 56", "first_name": "Dirk", "other": "Ghent office"},
            {"phone_number": "+32 470 65 43 21", "last_name": "Peeters"},
        ],
    )


def members_registered(list_ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    """What members_program registers, each list's ID known (as at `up` once in the state)."""
    return h.program_inputs(
        members_program,
        new_resource=lambda args: (
            (list_ids[args.name], {"list_id": list_ids[args.name]})
            if args.name in list_ids
            else (None, {})
        ),
    )


def members_config(emulator: EmulatorServer) -> dict[str, str]:
    return {
        "avosms:apiId": DEMO_ID,
        "avosms:apiKey": DEMO_KEY,
        "avosms:endpoint": emulator.api_url,
        "avosms:accounts": json.dumps({"agency": {"apiId": AGENCY_ID, "apiKey": AGENCY_KEY}}),
    }


@pytest.fixture
def members_stack(emulator: EmulatorServer) -> Iterator[h.Stack]:
    emulator.backend.accounts[AGENCY_ID] = AGENCY_KEY
    stack = h.Stack(
        h.PluginProcess(unset_prefixes=["AVOSMS_"]),
        config=members_config(emulator),
        secret_keys=["avosms:apiKey", "avosms:accounts"],
    )
    try:
        yield stack
    finally:
        stack.plugin.close()
        del emulator.backend.accounts[AGENCY_ID]


def seed_members(emulator: EmulatorServer) -> dict[str, Any]:
    """The fixture's AvoSMS data put back in the emulator; the fixture, parsed."""
    fixture = json.loads(MEMBERS_FIXTURE.read_text(encoding="utf-8"))
    for lst in fixture["emulator"]:
        list_id = emulator.backend.console_create_list(
            lst["name"], lst["country_code"], account=lst["account"]
        )
        assert list_id == lst["list_id"]
        for contact in lst["contacts"]:
            fields = {k: v for k, v in contact.items() if k != "phone_number" and v}
            emulator.backend.console_add_contact(list_id, contact["phone_number"], **fields)
    return fixture


def live_numbers(emulator: EmulatorServer) -> dict[str, set[str]]:
    return {
        lst["name"]: {c["phone_number"] for c in lst["contacts"]}
        for lst in emulator.backend.lists()
    }


def writes(emulator: EmulatorServer) -> int:
    calls = emulator.stats.snapshot()["calls"]
    return sum(
        n
        for endpoint, n in calls.items()
        if endpoint not in ("contact/list", "contact/list/information")
    )


def test_members_state_of_0_2_0_plans_no_change(
    emulator: EmulatorServer, members_stack: h.Stack
) -> None:
    fixture = seed_members(emulator)
    members_stack.state = copy.deepcopy(fixture["resources"])
    list_ids = {"oncall": "1", "partners": "2"}

    planned = members_stack.preview(members_registered(list_ids))
    assert planned.ops == dict.fromkeys(MEMBERS_NAMES, "same")
    deployed = members_stack.up(members_registered(list_ids))
    assert deployed.ops == dict.fromkeys(MEMBERS_NAMES, "same")
    assert writes(emulator) == 0


def test_members_state_of_0_2_0_refreshes_without_drift(
    emulator: EmulatorServer, members_stack: h.Stack
) -> None:
    fixture = seed_members(emulator)
    members_stack.state = copy.deepcopy(fixture["resources"])

    refreshed = members_stack.refresh()
    assert refreshed.ops == dict.fromkeys(MEMBERS_NAMES, "refresh")
    planned = members_stack.preview(members_registered({"oncall": "1", "partners": "2"}))
    assert planned.ops == dict.fromkeys(MEMBERS_NAMES, "same")
    assert writes(emulator) == 0


def test_members_state_of_0_2_0_destroys_only_the_declared_numbers(
    emulator: EmulatorServer, members_stack: h.Stack
) -> None:
    fixture = seed_members(emulator)
    members_stack.state = copy.deepcopy(fixture["resources"])
    assert live_numbers(emulator) == {
        "On-call FR": {"+33612345678", "+33698765432", "+33781223344"},
        "Partners BE": {"+32470123456", "+32470654321", HAND_ADDED},
    }

    members_stack.destroy()
    # The lists stay (AvoSMS cannot delete one); the hand-added contact stays too.
    assert live_numbers(emulator) == {"On-call FR": set(), "Partners BE": {HAND_ADDED}}
