"""API-call budgets of ContactList, counted by the emulator (not timed; see benchmarks/).

Budgets (from the performance issue), each checked through the real plugin with 8 engine
calls in flight against the plugin's 4 workers, as the engine drives it:

* refresh: a handful of calls in total (one shared ``contact/list``), whatever the number of
  lists and the number of contacts in them;
* create: at most 2 calls per list (create + one read of the outputs);
* a plan with no change (Check + Diff): no call at all;
* connections: reused, at most one per plugin worker thread;
* ``__provider`` in state: under 100 bytes per resource.

A regression that goes back to one call per read (or per contact) fails here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_avosms import ContactList, ContactListProvider
from pulumi_avosms._model import ContactInfo
from tests.support import harness as h

#: Engine calls in flight at once (the engine's parallelism); the plugin serves 4.
INFLIGHT = 8
#: Plugin worker threads (``ThreadPoolExecutor(max_workers=4)`` in ``pulumi.dynamic``).
PLUGIN_WORKERS = 4
#: A small per-call latency so that concurrent reads really overlap in flight.
LATENCY = 0.005
#: "A handful": one listing, with slack for a slow machine where a refresh outlasts the TTL.
REFRESH_BUDGET = 3

EP_LIST = "contact/list"
EP_INFO = "contact/list/information"
EP_CREATE = "contact/list/create"


@dataclass
class Entry:
    """One ContactList as the engine holds it."""

    urn: str
    program: dict[str, Any]
    inputs: dict[str, Any] | None = None
    id: str | None = None
    outputs: dict[str, Any] | None = None


@functools.lru_cache(maxsize=1)
def _registered() -> dict[str, Any]:
    """What ``ContactList(...)`` registers, ``__provider`` included (computed once)."""
    entry = h.program_inputs(lambda: ContactList("x", name="x", country_code="FR"))["x"]
    return dict(entry["inputs"])


def program(n: int, prefix: str = "List") -> list[Entry]:
    return [
        Entry(
            urn=h.urn(h.CONTACT_LIST_TYPE, f"list-{i}"),
            program={**_registered(), "name": f"{prefix} {i:03d}"},
        )
        for i in range(n)
    ]


class Counted:
    """The emulator's counters over a block: ``calls``, ``by_endpoint``, bytes, connections."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self.before = emulator.stats.snapshot()
        self.after: dict[str, Any] | None = None

    def stop(self) -> Counted:
        self.after = self.emulator.stats.snapshot()
        return self

    @property
    def calls(self) -> int:
        assert self.after is not None
        return int(self.after["total_calls"] - self.before["total_calls"])

    def endpoint(self, name: str) -> int:
        assert self.after is not None
        return int(self.after["calls"].get(name, 0) - self.before["calls"].get(name, 0))

    @property
    def bytes_out(self) -> int:
        assert self.after is not None
        return sum(self.after["bytes_out"].values()) - sum(self.before["bytes_out"].values())

    @property
    def connections(self) -> int:
        assert self.after is not None
        return int(self.after["connections"] - self.before["connections"])


@pytest.fixture
def command(avosms_config: dict[str, str]) -> Iterator[Callable[[], h.PluginProcess]]:
    """Start `pulumi` commands: each call gives a fresh, configured plugin process."""
    plugins: list[h.PluginProcess] = []

    def start() -> h.PluginProcess:
        if plugins:
            plugins[-1].close()
        plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"])
        plugins.append(plugin)
        plugin.configure(avosms_config, secret_keys=["avosms:apiKey"])
        return plugin

    yield start
    for plugin in plugins:
        plugin.close()


def in_flight(plugin: h.PluginProcess, entries: list[Entry], step: Callable[..., None]) -> None:
    """Run ``step(plugin, entry)`` for every entry, ``INFLIGHT`` at a time."""
    with ThreadPoolExecutor(INFLIGHT) as pool:
        list(pool.map(lambda e: step(plugin, e), entries))


def create(plugin: h.PluginProcess, e: Entry) -> None:
    checked, failures = plugin.check(e.urn, {}, e.program)
    assert not failures, failures
    e.inputs = checked
    e.id, e.outputs = plugin.create(e.urn, checked)


def refresh(plugin: h.PluginProcess, e: Entry) -> None:
    assert e.id and e.outputs is not None
    new_id, outs, inputs = plugin.read(e.id, e.urn, e.outputs, e.inputs)
    assert new_id == e.id
    assert inputs is not None
    assert (inputs["name"], inputs["country_code"]) == (e.program["name"], "FR")
    e.outputs = outs


def no_op_plan(plugin: h.PluginProcess, e: Entry) -> None:
    assert e.id and e.outputs is not None and e.inputs is not None
    checked, failures = plugin.check(e.urn, e.inputs, e.program)
    assert not failures, failures
    assert plugin.diff(e.id, e.urn, e.outputs, checked, e.inputs).changes == "DIFF_NONE"


def up(
    command: Callable[[], h.PluginProcess], emulator: Any, n: int
) -> tuple[list[Entry], Counted]:
    entries = program(n)
    plugin = command()
    counted = Counted(emulator)
    in_flight(plugin, entries, create)
    return entries, counted.stop()


def do_refresh(
    command: Callable[[], h.PluginProcess], emulator: Any, entries: list[Entry]
) -> Counted:
    plugin = command()
    counted = Counted(emulator)
    in_flight(plugin, entries, refresh)
    return counted.stop()


# -- create ----------------------------------------------------------------------------------


def test_create_costs_at_most_two_calls_per_list(
    command: Callable[[], h.PluginProcess], emulator: Any
) -> None:
    emulator.latency = LATENCY
    n = 50
    entries, counted = up(command, emulator, n)
    assert counted.endpoint(EP_CREATE) == n
    assert counted.calls <= 2 * n, counted.after
    assert counted.connections <= PLUGIN_WORKERS
    live = {lst["list_id"]: lst for lst in emulator.backend.lists()}
    for e in entries:
        assert e.outputs is not None and e.id in live
        assert e.outputs["name"] == e.program["name"]
        assert e.outputs["created_at"] == live[e.id]["created_at"]
        assert e.outputs["country_name"] == live[e.id]["country_name"]


# -- refresh ---------------------------------------------------------------------------------


def test_refresh_costs_a_handful_of_calls_whatever_the_number_of_lists(
    command: Callable[[], h.PluginProcess], emulator: Any
) -> None:
    emulator.latency = LATENCY
    costs = {}
    for n in (10, 50):
        emulator.reset()
        emulator.latency = LATENCY
        entries, _ = up(command, emulator, n)
        counted = do_refresh(command, emulator, entries)
        assert counted.endpoint(EP_INFO) == 0, counted.after
        assert 1 <= counted.calls <= REFRESH_BUDGET, counted.after
        assert counted.connections <= min(counted.calls, PLUGIN_WORKERS)
        costs[n] = counted.calls
    # Five times the lists, not more calls.
    assert costs[50] <= costs[10] + 1, costs


def test_refresh_cost_does_not_depend_on_contacts_per_list(
    command: Callable[[], h.PluginProcess], emulator: Any
) -> None:
    emulator.latency = LATENCY
    n, contacts = 30, 20
    entries, _ = up(command, emulator, n)
    empty = do_refresh(command, emulator, entries)
    for e in entries:
        assert e.id is not None
        for k in range(contacts):
            emulator.backend.console_add_contact(e.id, f"+336{k:08d}", first_name=f"C{k}")
    full = do_refresh(command, emulator, entries)

    assert all(e.outputs is not None and e.outputs["contact_count"] == contacts for e in entries)
    assert full.calls <= REFRESH_BUDGET and full.endpoint(EP_INFO) == 0, full.after
    # Only the counts grew ("0" -> "20"): the contacts themselves were not fetched.
    per_listing_growth = 2 * n  # at most a couple of digits per list
    assert full.bytes_out / full.calls <= empty.bytes_out / empty.calls + per_listing_growth


def test_contacts_added_by_pulumi_show_at_once_in_the_same_command(
    avosms_config: dict[str, str], emulator: Any
) -> None:
    """A write through the shared client drops the cached listing (no stale count)."""
    provider = ContactListProvider()
    provider.configure(ConfigureRequest(Config(avosms_config, "test")))
    list_id = provider.create({"name": "Customers", "country_code": "FR"}).id
    assert provider.read(list_id, {}).outs["contact_count"] == 0  # type: ignore[index]
    provider._client().add_contact(list_id, ContactInfo("+33612345678"))
    assert provider.read(list_id, {}).outs["contact_count"] == 1  # type: ignore[index]


# -- plan, connections, state ----------------------------------------------------------------


def test_no_op_plan_calls_nothing(command: Callable[[], h.PluginProcess], emulator: Any) -> None:
    entries, _ = up(command, emulator, 20)
    plugin = command()
    counted = Counted(emulator)
    in_flight(plugin, entries, no_op_plan)
    counted.stop()
    assert counted.calls == 0
    assert counted.connections == 0


def test_provider_reference_in_state_is_under_100_bytes() -> None:
    payload = h.provider_payload(_registered()[h.PROVIDER_KEY])
    assert len(payload) < 100, payload


# -- read falls back to `information` before declaring a list gone ------------------------------


def make_provider(config: dict[str, str]) -> ContactListProvider:
    provider = ContactListProvider()
    provider.configure(ConfigureRequest(Config(config, "test")))
    return provider


def test_list_missing_from_a_cached_listing_is_read_with_information(
    avosms_config: dict[str, str], emulator: Any
) -> None:
    provider = make_provider(avosms_config)
    client = provider._client()
    client.list_lists(max_age=client.read_cache_ttl)  # cached, and about to be stale
    late = emulator.backend.console_create_list("Created in the console", "FR")
    counted = Counted(emulator)

    result = provider.read(late, {})

    counted.stop()
    assert result.id == late
    assert result.outs is not None and result.outs["name"] == "Created in the console"
    assert (counted.endpoint(EP_LIST), counted.endpoint(EP_INFO)) == (0, 1)


def test_list_missing_from_listing_and_information_is_gone(
    avosms_config: dict[str, str], emulator: Any
) -> None:
    provider = make_provider(avosms_config)
    kept = provider.create({"name": "Kept", "country_code": "FR"}).id
    gone = provider.create({"name": "Gone", "country_code": "FR"}).id
    emulator.backend.console_delete_list(gone)
    counted = Counted(emulator)

    assert provider.read(kept, {}).id == kept
    result = provider.read(gone, {})

    counted.stop()
    assert (result.id, result.outs) == ("", {})
    assert (counted.endpoint(EP_LIST), counted.endpoint(EP_INFO)) == (1, 1)


def test_unreadable_listing_falls_back_to_reading_the_list_alone(
    avosms_config: dict[str, str], emulator: Any
) -> None:
    provider = make_provider({**avosms_config, "avosms:maxRetries": "0"})
    list_id = provider.create({"name": "Customers", "country_code": "FR"}).id
    emulator.faults.add("truncated", count=1, endpoint=EP_LIST)

    result = provider.read(list_id, {})

    assert result.id == list_id
    assert result.outs is not None and result.outs["name"] == "Customers"


# -- contacts ---------------------------------------------------------------------------------


def test_refreshing_the_contacts_of_one_list_costs_one_read_of_the_list(
    command: Callable[[], h.PluginProcess], emulator: Any
) -> None:
    """Each Contact's refresh needs its list's contacts; reads in flight share one reply."""
    from pulumi_avosms import Contact

    emulator.latency = LATENCY
    list_id = emulator.backend.console_create_list("On-call", "FR")
    numbers = [f"+3361234{i:04d}" for i in range(20)]
    for number in numbers:
        emulator.backend.console_add_contact(list_id, number)
    registered = h.program_inputs(lambda: Contact("c", list_id=list_id, phone_number=numbers[0]))[
        "c"
    ]["inputs"]
    contact_type = "pulumi-python:dynamic/avosms:Contact"
    entries = [
        (
            h.urn(contact_type, f"c{i}"),
            f"{list_id}/{number}",
            {**registered, "phone_number": number},
        )
        for i, number in enumerate(numbers)
    ]
    plugin = command()
    counted = Counted(emulator)

    def read(entry: tuple[str, str, dict[str, Any]]) -> None:
        urn_, id_, props = entry
        new_id, outs, _inputs = plugin.read(id_, urn_, props, props)
        assert (new_id, outs["phone_number"]) == (id_, id_.split("/", 1)[1])

    with ThreadPoolExecutor(INFLIGHT) as pool:
        list(pool.map(read, entries))
    counted.stop()
    assert counted.endpoint(EP_INFO) <= REFRESH_BUDGET, counted.after
    assert counted.calls == counted.endpoint(EP_INFO)
