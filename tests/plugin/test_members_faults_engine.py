"""ContactListMembers through the plugin when calls fail: transient faults, a half-failed
create, a plugin killed in the middle of a create. Each ends with exactly the declared set."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_avosms.contact_list_members import ContactListMembers
from tests.support import harness as h

MEMBERS_TYPE = "pulumi-python:dynamic/avosms:ContactListMembers"


def numbers(count: int) -> list[str]:
    return [f"+3361{n:07d}" for n in range(count)]


def members_entry(list_id: str, count: int) -> dict[str, Any]:
    members = [{"phone_number": n, "other": f"row {i}"} for i, n in enumerate(numbers(count))]
    return h.program_inputs(
        lambda: ContactListMembers("customers", list_id=list_id, members=members)
    )["customers"]


def live(emulator: Any, list_id: str) -> dict[str, str]:
    return {c["phone_number"]: c["other"] for c in emulator.backend.get_list(list_id)["contacts"]}


def declared(count: int) -> dict[str, str]:
    return {n: f"row {i}" for i, n in enumerate(numbers(count))}


def make_stack(plugin: h.PluginProcess, config: dict[str, str]) -> h.Stack:
    return h.Stack(plugin, config=config, default_type=MEMBERS_TYPE)


@pytest.fixture
def plugin() -> Iterator[h.PluginProcess]:
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as proc:
        yield proc


def test_a_thousand_members_created_through_transient_faults(
    plugin: h.PluginProcess, emulator: Any, avosms_config: dict[str, str]
) -> None:
    list_id = str(emulator.backend.console_create_list("Customers", "FR"))
    faults = emulator.faults
    faults.add("http503", count=6, endpoint="contact/add")
    faults.add("drop_after", count=3, endpoint="contact/add")  # applied, reply lost
    faults.add("http429", count=3, endpoint="contact/add", retry_after=0)
    faults.add("truncated", count=2, endpoint="contact/add")  # applied, reply cut
    faults.add("err9xx", count=2, endpoint="contact/add")
    # More resends allowed than there are faults, so no call can run out of them.
    stack = make_stack(plugin, {**avosms_config, "avosms:maxRetries": "20"})
    stack.up({"customers": members_entry(list_id, 1000)})
    assert live(emulator, list_id) == declared(1000)
    assert stack.outputs("customers")["contact_count"] == 1000
    replies = [r for r in emulator.request_log if r.endpoint == "contact/add"]
    assert len(replies) >= 1000 + 16 - 5  # every fault was met (the applied ones verified)


def test_a_half_failed_create_leaves_the_list_as_it_was_and_the_next_up_converges(
    plugin: h.PluginProcess, emulator: Any, avosms_config: dict[str, str]
) -> None:
    list_id = str(emulator.backend.console_create_list("Customers", "FR"))
    emulator.faults.add("http503", count=30, endpoint="contact/add")
    stack = make_stack(plugin, {**avosms_config, "avosms:maxRetries": "0"})
    entry = members_entry(list_id, 200)
    with pytest.raises(h.PluginError) as caught:
        stack.up({"customers": entry})
    message = caught.value.message
    assert "30 of 200 call(s) failed" in message
    assert message.count(": add: ") == 20 and "... and 10 more" in message
    assert stack.state == {}
    # No state records the 170 contacts it added, so the failed create took them back.
    assert "170 contact(s) this step had added were removed again" in message
    assert len(live(emulator, list_id)) == 0

    before = dict(emulator.stats.snapshot()["calls"])
    stack.up({"customers": entry})
    after = emulator.stats.snapshot()["calls"]
    assert after["contact/add"] - before["contact/add"] == 200
    assert after["contact/list/information"] - before["contact/list/information"] == 1
    assert live(emulator, list_id) == declared(200)


def test_a_create_killed_half_way_converges_on_the_next_run(
    emulator: Any, avosms_config: dict[str, str]
) -> None:
    list_id = str(emulator.backend.console_create_list("Customers", "FR"))
    entry = members_entry(list_id, 1000)
    emulator.latency = (
        0.02  # about 10 s of calls at 2 at once: the 5 s progress line comes half-way
    )
    config = {**avosms_config, "avosms:maxConcurrency": "2"}
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as first:
        stack = make_stack(first, config)
        failed: list[BaseException] = []

        def run() -> None:
            try:
                stack.up({"customers": entry})
            except BaseException as err:  # the plugin is killed under it
                failed.append(err)

        worker = threading.Thread(target=run)
        worker.start()
        # The first progress line comes a few seconds in, with part of the list added.
        first.wait_for_stderr(" contacts added", timeout=60)
        first.proc.kill()
        worker.join(timeout=30)
    assert failed and stack.state == {}
    emulator.latency = 0.0
    half = len(live(emulator, list_id))
    assert 0 < half < 1000

    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as second:
        before = dict(emulator.stats.snapshot()["calls"])
        make_stack(second, config).up({"customers": entry})
        after = emulator.stats.snapshot()["calls"]
    added = after["contact/add"] - before.get("contact/add", 0)
    # Requests in flight when the plugin died may have landed after the count was taken.
    assert 1000 - half - 2 <= added <= 1000 - half
    assert live(emulator, list_id) == declared(1000)
