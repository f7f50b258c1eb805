"""A state written by an older release keeps working: refresh and plan show no change.

``tests/fixtures/state-<release>.json`` is the state a release wrote through the plugin
(inputs, outputs and ``__provider`` of a ContactList and a Contact, a secret field among
them) and the AvoSMS data it described. It was captured once and is never regenerated:
each later release must read it exactly as it was written.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from pulumi_avosms import Contact, ContactList
from tests.support import harness as h
from tests.support.state_fixtures import RELEASES, load


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
