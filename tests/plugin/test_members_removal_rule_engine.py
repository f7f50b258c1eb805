"""The removal rule of ContactListMembers, one example per way it used to be broken, through
the real plugin on the emulator (the model test, test_members_model.py, explores the rest).

A contact is removed only when the program asked for it: a number it declared before and
no longer declares, or, while the resource is and stays exclusive, a number a refresh put
in the state (so a preview listed its removal).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from pulumi_avosms import ContactListMembers
from pulumi_avosms.emulator import EmulatorServer
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY

MEMBERS_TYPE = "pulumi-python:dynamic/avosms:ContactListMembers"
ALICE, BOB, CHLOE = "+33612345678", "+33698765432", "+33781223344"
AGENCY_ID = "agency@example.com"
AGENCY_KEY = "agency-key-5b1f0c7e93d2"


@pytest.fixture
def plugin() -> Iterator[h.PluginProcess]:
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as proc:
        yield proc


@pytest.fixture
def stack(plugin: h.PluginProcess, avosms_config: dict[str, str]) -> h.Stack:
    return h.Stack(plugin, config=avosms_config, default_type=MEMBERS_TYPE)


@pytest.fixture
def list_id(emulator: EmulatorServer) -> str:
    return str(emulator.backend.console_create_list("On-call FR", "FR"))


def entry(
    list_id: str,
    numbers: list[str],
    *,
    exclusive: bool = True,
    account: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What ``ContactListMembers("m", ...)`` registers."""
    return h.program_inputs(
        lambda: ContactListMembers(
            "m",
            list_id=list_id,
            members=[{"phone_number": n} for n in numbers],
            exclusive=exclusive,
            account=account,
            **extra,
        )
    )["m"]


def live(emulator: EmulatorServer, list_id: str) -> set[str]:
    found = emulator.backend.get_list(list_id)
    return set() if found is None else {c["phone_number"] for c in found["contacts"]}


def writes(emulator: EmulatorServer) -> int:
    calls = emulator.stats.snapshot()["calls"]
    return sum(calls.get(e, 0) for e in ("contact/add", "contact/update", "contact/delete"))


def test_an_exclusive_create_never_empties_a_list_it_did_not_fill(
    stack: h.Stack, emulator: EmulatorServer, list_id: str
) -> None:
    emulator.backend.console_add_contact(list_id, BOB)
    emulator.backend.console_add_contact(list_id, CHLOE)
    before = writes(emulator)
    for numbers in ([ALICE], []):
        with pytest.raises(h.PluginError) as caught:
            stack.up({"m": entry(list_id, numbers)})
        assert "already holds 2 contact(s)" in caught.value.message
        assert BOB in caught.value.message and CHLOE in caught.value.message
    assert writes(emulator) == before
    assert live(emulator, list_id) == {BOB, CHLOE}
    # The documented opt-in removes them at the create.
    stack.up({"m": entry(list_id, [ALICE], remove_undeclared_on_create=True)})
    assert live(emulator, list_id) == {ALICE}
    # A later change of the opt-in is no change.
    assert stack.preview({"m": entry(list_id, [ALICE])}).ops == {"m": "same"}


def test_turning_exclusive_off_keeps_what_only_a_refresh_found(
    stack: h.Stack, emulator: EmulatorServer, list_id: str
) -> None:
    stack.up({"m": entry(list_id, [ALICE, BOB])})
    emulator.backend.console_add_contact(list_id, CHLOE)  # by hand
    stack.refresh()
    # Exclusive off, and BOB dropped: BOB goes (declared before), CHLOE stays.
    summary = stack.up({"m": entry(list_id, [ALICE], exclusive=False)})
    assert summary.ops == {"m": "update"}
    assert live(emulator, list_id) == {ALICE, CHLOE}
    assert stack.preview({"m": entry(list_id, [ALICE], exclusive=False)}).ops == {"m": "same"}
    # And a destroy removes only what the program declared.
    stack.destroy()
    assert live(emulator, list_id) == {CHLOE}


def test_a_destroy_after_a_refresh_leaves_contacts_the_program_never_declared(
    stack: h.Stack, emulator: EmulatorServer, list_id: str
) -> None:
    stack.up({"m": entry(list_id, [ALICE])})
    emulator.backend.console_add_contact(list_id, CHLOE)
    stack.refresh()
    stack.destroy()
    assert live(emulator, list_id) == {CHLOE}


def test_an_additive_update_that_fails_takes_back_what_it_added(
    stack: h.Stack, emulator: EmulatorServer, list_id: str
) -> None:
    stack.up({"m": entry(list_id, [ALICE], exclusive=False)})
    # BOB is added, then the foreign number is refused (the list is French).
    with pytest.raises(h.PluginError) as caught:
        stack.up({"m": entry(list_id, [ALICE, BOB, "+447400123456"], exclusive=False)})
    assert "1 contact(s) this step had added were removed again" in caught.value.message
    assert live(emulator, list_id) == {ALICE}
    # Nothing is left that no later command sees: the destroy leaves an empty list.
    stack.destroy()
    assert live(emulator, list_id) == set()


@pytest.fixture
def accounts_stack(plugin: h.PluginProcess, emulator: EmulatorServer) -> Iterator[h.Stack]:
    emulator.backend.accounts[AGENCY_ID] = AGENCY_KEY
    agency = {"apiId": AGENCY_ID, "apiKey": AGENCY_KEY}
    config = {
        "avosms:apiId": DEMO_ID,
        "avosms:apiKey": DEMO_KEY,
        "avosms:endpoint": emulator.api_url,
        # Two names, one AvoSMS account.
        "avosms:accounts": json.dumps({"agency": agency, "billing": agency}),
    }
    try:
        yield h.Stack(
            plugin,
            config=config,
            default_type=MEMBERS_TYPE,
            secret_keys=["avosms:apiKey", "avosms:accounts"],
        )
    finally:
        del emulator.backend.accounts[AGENCY_ID]


@pytest.mark.parametrize("new_name", ["AGENCY", "billing"])
def test_another_name_for_the_same_account_is_an_update_that_removes_nothing(
    accounts_stack: h.Stack, emulator: EmulatorServer, new_name: str
) -> None:
    stack = accounts_stack
    agency_list = str(emulator.backend.console_create_list("Agency", "FR", account=AGENCY_ID))
    stack.up({"m": entry(agency_list, [ALICE, BOB], account="agency")})
    summary = stack.up({"m": entry(agency_list, [ALICE, BOB], account=new_name)})
    assert summary.ops == {"m": "update"}
    assert live(emulator, agency_list) == {ALICE, BOB}
    (state,) = stack.state.values()
    assert state["outputs"]["account"] == new_name
    assert stack.preview({"m": entry(agency_list, [ALICE, BOB], account=new_name)}).ops == {
        "m": "same"
    }


def test_an_account_the_same_in_another_case_keeps_import_allowed(
    accounts_stack: h.Stack, emulator: EmulatorServer
) -> None:
    stack = accounts_stack
    agency_list = str(emulator.backend.console_create_list("Agency", "FR", account=AGENCY_ID))
    emulator.backend.console_add_contact(agency_list, ALICE)
    opts = pulumi.ResourceOptions(import_=agency_list)

    def adopted(account: str) -> dict[str, Any]:
        return h.program_inputs(
            lambda: ContactListMembers(
                "m",
                list_id=agency_list,
                members=[{"phone_number": ALICE}],
                account=account,
                opts=opts,
            )
        )["m"]

    stack.up({"m": adopted("agency")})
    assert stack.up({"m": adopted("Agency")}).ops == {"m": "update"}
    assert live(emulator, agency_list) == {ALICE}
