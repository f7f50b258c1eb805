"""API-call budgets of ContactListMembers, counted by the emulator (not timed).

Through the real plugin, for N = 1,000 members: create costs N + 1 calls (one read, one add
per member), a refresh 1, a plan with no change 0, and changing k members k calls.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_avosms.contact_list_members import ContactListMembers
from tests.support import harness as h

MEMBERS_TYPE = "pulumi-python:dynamic/avosms:ContactListMembers"
N = 1000


def numbers(count: int) -> list[str]:
    """``count`` distinct valid French mobile numbers."""
    return [f"+336{n:08d}" for n in range(10000000, 10000000 + count)]


@functools.lru_cache(maxsize=4)
def _entry(list_id: str, changed: int = 0) -> dict[str, Any]:
    members = [
        {"phone_number": number, "first_name": "Changed" if i < changed else f"P{i}"}
        for i, number in enumerate(numbers(N))
    ]
    return h.program_inputs(
        lambda: ContactListMembers("customers", list_id=list_id, members=members)
    )["customers"]


def entry(list_id: str, changed: int = 0) -> dict[str, Any]:
    return dict(_entry(list_id, changed))


@pytest.fixture
def stack(avosms_config: dict[str, str]) -> Iterator[h.Stack]:
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        yield h.Stack(plugin, config=avosms_config, default_type=MEMBERS_TYPE)


def calls_during(emulator: Any, action: Any) -> dict[str, int]:
    before = dict(emulator.stats.snapshot()["calls"])
    action()
    after = emulator.stats.snapshot()["calls"]
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


def test_budgets_for_a_thousand_members(stack: h.Stack, emulator: Any) -> None:
    list_id = str(emulator.backend.console_create_list("Customers", "FR"))

    made = calls_during(emulator, lambda: stack.up({"customers": entry(list_id)}))
    assert made == {"contact/list/information": 1, "contact/add": N}
    assert len(emulator.backend.get_list(list_id)["contacts"]) == N
    # The progress of a step of hundreds of calls reaches the user through stderr.
    stack.plugin.wait_for_stderr(f"contact list {list_id}: {N}/{N} contacts added")

    assert calls_during(emulator, lambda: stack.refresh()) == {"contact/list/information": 1}
    assert stack.last_summary is not None and stack.last_summary.ops == {"customers": "refresh"}

    assert calls_during(emulator, lambda: stack.up({"customers": entry(list_id)})) == {}

    k = 7
    made = calls_during(emulator, lambda: stack.up({"customers": entry(list_id, changed=k)}))
    assert made == {"contact/update": k}


def test_state_stays_under_200_bytes_per_realistic_member(stack: h.Stack, emulator: Any) -> None:
    # Issue 12's member (number, first and last name) plus an e-mail, names of usual length.
    members = [
        {
            "phone_number": number,
            "first_name": f"Firstname{i:04d}",
            "last_name": f"Lastname{i:04d}",
            "email": f"firstname{i:04d}.lastname@example.com",
        }
        for i, number in enumerate(numbers(N))
    ]
    list_id = str(emulator.backend.console_create_list("Customers", "FR"))
    stack.up(
        h.program_inputs(lambda: ContactListMembers("customers", list_id=list_id, members=members))
    )
    assert len(emulator.backend.get_list(list_id)["contacts"]) == N
    size = len(json.dumps(stack.state).encode())
    assert size / N < 200, size / N
    stack.refresh()  # a refresh writes the live fields back: the same size
    size = len(json.dumps(stack.state).encode())
    assert size / N < 200, size / N


@pytest.mark.parametrize("concurrency", [2, 8])
def test_calls_run_at_most_max_concurrency_at_once_on_reused_connections(
    avosms_config: dict[str, str], emulator: Any, concurrency: int
) -> None:
    list_id = str(emulator.backend.console_create_list("Customers", "FR"))
    # Calls that take a moment, so that the workers really overlap.
    emulator.latency = 0.002
    config = {**avosms_config, "avosms:maxConcurrency": str(concurrency)}
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        before = emulator.stats.snapshot()["connections"]
        h.Stack(plugin, config=config, default_type=MEMBERS_TYPE).up({"customers": entry(list_id)})
        opened = emulator.stats.snapshot()["connections"] - before
    # One connection per worker (a connection carries one call at a time), kept open.
    assert 1 < opened <= concurrency
