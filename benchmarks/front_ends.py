"""The same steps on both front ends: the dynamic-provider plugin and the ``avosms`` plugin.

    .venv/bin/python -m benchmarks.front_ends
    .venv/bin/python -m benchmarks.front_ends --contacts 100 --members 1000 --latency 0.005

Each front end is started as the CLI starts it (``python -m pulumi.dynamic``; ``python <plugin
dir> <engine>`` as RunPlugin does), a fresh process per command, and driven over gRPC by
``tests/support`` the way the engine drives it, ``--inflight`` engine calls at once. The
emulator runs in a process of its own (benchmarks/emulator_process.py) with ``--latency``
seconds added to every API call. Steps, for each front end:

* ``contacts up``: N ``Contact`` resources in one list, Check + Create each;
* ``contacts preview``: Check + Diff each (no change); ``contacts refresh``: Read each;
* ``members up``: one ``ContactListMembers`` of M members, Check + Create (its calls run
  inside the provider, ``avosms:maxConcurrency`` at once); ``members refresh``: one Read.

Printed: engine calls and API calls per step, wall seconds, and the dynamic/plugin ratio of
wall time. Figures and the machine they were measured on: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from benchmarks.emulator_process import EmulatorProcess
from pulumi_avosms.emulator import DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY
from pulumi_avosms.plugin.fields import to_schema_names
from tests.support import harness as h
from tests.support.contract import FRONT_ENDS, FrontEnd


@dataclass
class StepResult:
    """One step on one front end."""

    front: str
    step: str
    engine_calls: int
    api_calls: int
    wall_s: float


def number(i: int) -> str:
    """The i-th French mobile number of the benchmark, E.164."""
    return f"+336{i:08d}"


def contact_inputs(front: FrontEnd, list_id: str, count: int) -> list[tuple[str, dict[str, Any]]]:
    """``(urn, engine inputs)`` of ``count`` Contacts: one registration made by the real
    program, varied (a program of N Contacts registers N such maps)."""
    template = front.declare("Contact", "c", list_id=list_id, phone_number=number(0))
    typ, inputs = template["type"], template["inputs"]
    engine_names = to_schema_names if front.name == "plugin" else dict
    return [
        (h.urn(typ, f"c{i}"), {**inputs, **engine_names({"phone_number": number(i)})})
        for i in range(count)
    ]


class Bench:
    """Runs the steps against one emulator process and collects :class:`StepResult` rows."""

    def __init__(self, server: EmulatorProcess, latency: float, inflight: int) -> None:
        self.server = server
        self.latency = latency
        self.inflight = inflight
        self.config = {
            "avosms:apiId": DEMO_ACCOUNT_ID,
            "avosms:apiKey": DEMO_ACCOUNT_KEY,
            "avosms:endpoint": server.api_url,
        }
        self.results: list[StepResult] = []

    def command(self, front: FrontEnd) -> h.PluginProcess:
        """A fresh, configured plugin: the start of one `pulumi` command."""
        plugin = front.start()
        plugin.configure(self.config, secret_keys=["avosms:apiKey"])
        return plugin

    def step(
        self,
        front: FrontEnd,
        name: str,
        rows: list[Any],
        call: Callable[[h.PluginProcess, Any], int],
    ) -> None:
        """``call(plugin, row)`` for every row, ``inflight`` at once; it returns how many
        engine calls it made."""
        with self.command(front) as plugin:
            before = self.server.stats()["total_calls"]
            started = time.perf_counter()
            with ThreadPoolExecutor(self.inflight) as pool:
                engine_calls = sum(pool.map(lambda row: call(plugin, row), rows))
            wall = time.perf_counter() - started
            api_calls = self.server.stats()["total_calls"] - before
        result = StepResult(front.name, name, engine_calls, api_calls, wall)
        self.results.append(result)
        print(
            f"{front.name:8} {name:18} {engine_calls:7,d} engine calls "
            f"{api_calls:7,d} API calls {wall:8.2f} s",
            flush=True,
        )

    def contacts(self, front: FrontEnd, count: int) -> None:
        """up, preview, refresh of ``count`` Contacts."""
        self.server.reset()
        self.server.latency = self.latency
        rows = contact_inputs(front, self.server.create_list("Bench", "FR"), count)
        state: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {}

        def up(plugin: h.PluginProcess, row: tuple[str, dict[str, Any]]) -> int:
            urn, news = row
            checked, failures = plugin.check(urn, {}, news)
            assert not failures, failures
            resource_id, outputs = plugin.create(urn, checked)
            state[urn] = (resource_id, checked, outputs)
            return 2

        def preview(plugin: h.PluginProcess, row: tuple[str, dict[str, Any]]) -> int:
            urn, news = row
            resource_id, inputs, outputs = state[urn]
            checked, failures = plugin.check(urn, inputs, news)
            assert not failures, failures
            assert plugin.diff(resource_id, urn, outputs, checked, inputs).changes == "DIFF_NONE"
            return 2

        def refresh(plugin: h.PluginProcess, row: tuple[str, dict[str, Any]]) -> int:
            urn, _news = row
            resource_id, inputs, outputs = state[urn]
            assert plugin.read(resource_id, urn, outputs, inputs)[0] == resource_id
            return 1

        self.step(front, "contacts up", rows, up)
        self.step(front, "contacts preview", rows, preview)
        self.step(front, "contacts refresh", rows, refresh)

    def members(self, front: FrontEnd, count: int) -> None:
        """up and refresh of one membership of ``count`` members."""
        self.server.reset()
        self.server.latency = self.latency
        list_id = self.server.create_list("Bench", "FR")
        people = [{"phone_number": number(i), "first_name": f"P{i}"} for i in range(count)]
        entry = front.declare("ContactListMembers", "m", list_id=list_id, members=people)
        urn = h.urn(entry["type"], "m")
        state: dict[str, Any] = {}

        def up(plugin: h.PluginProcess, news: dict[str, Any]) -> int:
            checked, failures = plugin.check(urn, {}, news)
            assert not failures, failures
            state["id"], state["outputs"] = plugin.create(urn, checked)
            state["inputs"] = checked
            return 2

        def refresh(plugin: h.PluginProcess, _news: dict[str, Any]) -> int:
            assert plugin.read(state["id"], urn, state["outputs"], state["inputs"])[0]
            return 1

        self.step(front, "members up", [entry["inputs"]], up)
        self.step(front, "members refresh", [entry["inputs"]], refresh)


def ratios(results: list[StepResult]) -> list[str]:
    """``step: dynamic s / plugin s = ratio`` for each step both front ends ran."""
    by_step: dict[str, dict[str, float]] = {}
    for r in results:
        by_step.setdefault(r.step, {})[r.front] = r.wall_s
    return [
        f"{step:18} dynamic {walls['dynamic']:7.2f} s / plugin {walls['plugin']:7.2f} s "
        f"= {walls['dynamic'] / walls['plugin']:5.2f}x"
        for step, walls in by_step.items()
        if {"dynamic", "plugin"} <= set(walls) and walls["plugin"] > 0
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1000, help="N Contacts (%(default)s)")
    parser.add_argument("--members", type=int, default=10000, help="M members (%(default)s)")
    parser.add_argument(
        "--latency", type=float, default=0.02, help="seconds per API call (%(default)s)"
    )
    parser.add_argument(
        "--inflight", type=int, default=16, help="engine calls at once (%(default)s)"
    )
    args = parser.parse_args(argv)
    print(
        f"latency {args.latency * 1e3:g} ms per API call, {args.inflight} engine calls in flight",
        flush=True,
    )
    with EmulatorProcess() as server:
        bench = Bench(server, args.latency, args.inflight)
        for front in FRONT_ENDS:
            bench.contacts(front, args.contacts)
        for front in FRONT_ENDS:
            bench.members(front, args.members)
    print("\nwall time, dynamic / plugin:")
    for line in ratios(bench.results):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
