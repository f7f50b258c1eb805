"""What a program sees of a ContactList after `pulumi up`, and how a replacement is ordered.

The plugin creates the list in the emulator; the engine then hands the provider's outputs
back to the program, played here by mocks that return what the plugin wrote to the state.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_avosms import ContactList
from tests.support import harness as h

SEEN = ("list_id", "name", "country_code", "country_name", "contact_count", "created_at")


@pytest.fixture
def stack(avosms_config: dict[str, str]) -> Iterator[h.Stack]:
    stack = h.Stack(h.PluginProcess(unset_prefixes=["AVOSMS_"]), config=avosms_config)
    yield stack
    stack.plugin.close()


def registered(name: str = "Customers FR", country_code: str = "FR") -> dict[str, Any]:
    return h.program_inputs(lambda: ContactList("customers", name=name, country_code=country_code))[
        "customers"
    ]


def seen_by_program(build: Any, state: dict[str, Any]) -> dict[str, Any]:
    """Each output of SEEN as the program reads it, the engine answering with ``state``."""
    seen: dict[str, Any] = {}

    def program() -> None:
        resource = build()
        for prop in SEEN:
            getattr(resource, prop).apply(lambda value, prop=prop: seen.__setitem__(prop, value))

    h.program_inputs(program, new_resource=lambda args: (state["list_id"], dict(state)))
    return seen


def test_a_program_reads_every_output_of_a_list_it_created(stack: h.Stack, emulator: Any) -> None:
    stack.up({"customers": registered()})
    live = emulator.backend.get_list(stack.id("customers"))
    state = {k: v for k, v in stack.outputs("customers").items() if k != "__provider"}

    seen = seen_by_program(
        lambda: ContactList("customers", name="Customers FR", country_code="FR"), state
    )
    assert seen == {
        "list_id": live["list_id"],
        "name": "Customers FR",
        "country_code": "FR",
        "country_name": "France",
        "contact_count": 0,
        "created_at": live["created_at"],  # "YYYY-MM-DD HH:MM:SS", as AvoSMS writes it
    }


def test_a_program_reads_every_output_of_a_list_it_looks_up_with_get(
    stack: h.Stack, emulator: Any
) -> None:
    stack.up({"customers": registered()})
    list_id = stack.id("customers")
    state = {k: v for k, v in stack.outputs("customers").items() if k != "__provider"}

    seen = seen_by_program(lambda: ContactList.get("customers", list_id), state)
    assert seen["country_name"] == "France"
    assert seen["created_at"] == emulator.backend.get_list(list_id)["created_at"]


def test_a_replaced_list_is_created_before_the_old_one_is_let_go(
    stack: h.Stack, emulator: Any
) -> None:
    # AvoSMS cannot delete a list: deleting first would leave the stack with no list at all
    # if the create then failed, so the new list must come first.
    stack.up({"customers": registered()})
    old_id = stack.id("customers")
    summary = stack.up({"customers": registered(name="Customers BE", country_code="BE")})
    assert summary.ops == {"customers": "replace"}
    assert summary.diffs["customers"].delete_before_replace is False
    steps = [method for method, name in summary.calls if method in ("Create", "Delete")]
    assert steps == ["Create", "Delete"]
    assert {lst["list_id"] for lst in emulator.backend.lists()} == {old_id, stack.id("customers")}


def test_an_account_change_replaces_creating_first_too(
    stack: h.Stack, avosms_config: dict[str, str]
) -> None:
    stack.up({"customers": registered()})
    diff = stack.plugin.diff(
        stack.id("customers"),
        h.urn(h.CONTACT_LIST_TYPE, "customers"),
        stack.outputs("customers"),
        {**stack.resource("customers")["inputs"], "account": "other"},
        stack.resource("customers")["inputs"],
    )
    assert diff.replaces == ["account"]
    assert diff.delete_before_replace is False
