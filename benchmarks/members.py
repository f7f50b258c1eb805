"""Benchmark: one ContactListMembers against one Contact resource per person, through the plugin.

Run from the repository root::

    .venv/bin/python -m benchmarks.members                # N = 1000, 10000; 20 ms per call
    .venv/bin/python -m benchmarks.members --sizes 200 --compare 200 --json out.json
    .venv/bin/python -m benchmarks.members --members 100000 --compare 0 --create-members 0

Two parts, each `pulumi` command on a fresh plugin process driven over gRPC by
:mod:`tests.support.harness` the way the engine drives it:

* **steps**, for each N: ``create`` (Check + Create of one resource holding N members),
  ``refresh`` (Read), ``noop`` (Check + Diff of the unchanged program) and ``change``
  (``--changes`` members edited: Check + Diff + Update), with the API calls, wall time, the
  state's size per member and the plugin's peak memory (``VmHWM`` of its process);
* **against the floor**, for each N: the same ``refresh``, ``noop`` and ``change`` steps of a
  do-nothing dynamic provider (:mod:`benchmarks.floor_provider`) fed the same state and
  inputs through the same plugin, in the same run: what the Pulumi SDK's gRPC and
  (de)serialisation cost anyway. A refresh's floor adds a bare client fetching and parsing
  the same ``information`` reply (``requests.post`` + ``json.loads``);
* **versus a bare HTTP client**: creating ``--create-members`` members at each
  ``--create-concurrency`` (``avosms:maxConcurrency``), against ``requests`` making the same
  calls (one ``information``, one ``contact/add`` per member) with as many connections and
  threads, to the same emulator;
* **versus Contact**: creating ``--compare`` members with ``avosms:maxConcurrency`` 8 (the
  default) and 16, against ``--compare`` ``Contact`` resources created the way the engine
  does (Check + Create each, ``--inflight`` engine calls at once, 4 served by the plugin).
  The engine's own cost per resource (state saves, step bookkeeping) is not counted, so
  the ratio is what the provider alone saves.

The emulator runs in a process of its own (:mod:`benchmarks.emulator_process`), as AvoSMS
is a remote server, with ``--latency`` seconds added to every API call.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import requests
import requests.adapters

from benchmarks.emulator_process import EmulatorProcess
from benchmarks.floor_provider import FloorMembers
from benchmarks.run import machine
from pulumi_avosms import Contact
from pulumi_avosms._limits import ENGINE_MESSAGE_BYTES
from pulumi_avosms.contact_list_members import ContactListMembers
from pulumi_avosms.emulator import DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY
from tests.support import harness as h

MEMBERS_TYPE = "pulumi-python:dynamic/avosms:ContactListMembers"
CONTACT_TYPE = "pulumi-python:dynamic/avosms:Contact"


@dataclass
class StepResult:
    """What one step of one ContactListMembers cost."""

    n: int
    step: str
    calls: int
    calls_by_endpoint: dict[str, int]
    wall_s: float
    plugin_peak_mb: float  # VmHWM of the step's plugin process after the step
    failure: str = ""  # the plugin's error, when the step failed
    plugin_cpu_s: float = 0.0  # CPU time of the plugin process during the step


@dataclass
class SizeResult:
    """State size and plugin memory for N members."""

    n: int
    state_bytes_per_member: float  # inputs + outputs of the resource, as JSON
    outputs_bytes_per_member: float  # outputs only: a fingerprint per number, no fields
    plugin_peak_mb: float  # the highest VmHWM of the steps' plugin processes


@dataclass
class FloorResult:
    """One step of the do-nothing provider on the same state and inputs."""

    n: int
    step: str
    wall_s: float  # the floor provider's step (for refresh, plus the bare fetch below)
    bare_fetch_s: float  # refresh only: requests.post + json.loads of the same reply
    plugin_peak_mb: float
    cpu_s: float  # the floor plugin's CPU time (for refresh, plus the bare fetch's)


@dataclass
class BareResult:
    """Creating the same members through the plugin and with a bare HTTP client."""

    n: int
    concurrency: int
    check_s: float  # the Check before (validation; no call), not in the ratio
    ours_s: float  # the Create engine call: one information read, one add per member
    bare_s: float


@dataclass
class CompareResult:
    """Wall time of creating the same contacts one way or the other."""

    n: int
    how: str
    calls: int
    wall_s: float


def number(i: int) -> str:
    """The i-th distinct valid French mobile number, E.164."""
    return f"+336{10_000_000 + i:08d}"


def members(n: int, *, edited: int = 0) -> list[dict[str, str]]:
    """N members with typical fields; the first ``edited`` have another first name."""
    return [
        {
            "phone_number": number(i),
            "first_name": ("Edited" if i < edited else "First") + f"{i}",
            "last_name": f"Last{i}",
            "email": f"person{i}@example.com",
        }
        for i in range(n)
    ]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far, from /proc: unlike wall time,
    barely changed by other load on a shared machine."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident set size (``VmHWM``), in MB, read from /proc."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM in /proc/{pid}/status")


class Bench:
    """The emulator, the plugin settings and the rows measured so far."""

    def __init__(self, server: EmulatorProcess, latency: float, inflight: int) -> None:
        self.server = server
        self.latency = latency
        self.inflight = inflight
        self.steps: list[StepResult] = []
        self.sizes: list[SizeResult] = []
        self.compare: list[CompareResult] = []
        self.floors: list[FloorResult] = []
        self.bare: list[BareResult] = []
        self._floor_provider: str | None = None

    def config(self, concurrency: int | None = None) -> dict[str, str]:
        config = {
            "avosms:apiId": DEMO_ACCOUNT_ID,
            "avosms:apiKey": DEMO_ACCOUNT_KEY,
            "avosms:endpoint": self.server.api_url,
        }
        if concurrency is not None:
            config["avosms:maxConcurrency"] = str(concurrency)
        return config

    def plugin(self, concurrency: int | None = None) -> h.PluginProcess:
        """A fresh, configured plugin: the start of one `pulumi` command."""
        plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"])
        plugin.configure(self.config(concurrency), secret_keys=["avosms:apiKey"])
        return plugin

    def fresh_list(self) -> str:
        self.server.reset()
        self.server.latency = self.latency
        return self.server.create_list("Bench FR", "FR")

    def measure(self, action: Callable[[], None]) -> tuple[int, dict[str, int], float]:
        """(API calls, calls by endpoint, wall seconds) of ``action``."""
        before = self.server.stats()
        started = time.perf_counter()
        action()
        wall = time.perf_counter() - started
        after = self.server.stats()
        by_endpoint = {
            ep: count - before["calls"].get(ep, 0)
            for ep, count in after["calls"].items()
            if count - before["calls"].get(ep, 0)
        }
        return after["total_calls"] - before["total_calls"], by_endpoint, wall

    def step(
        self, n: int, name: str, plugin: h.PluginProcess, action: Callable[[], None]
    ) -> StepResult:
        """Run one step on ``plugin`` (fresh for this step, as the CLI starts one per command).

        A step the plugin fails (a refresh past a reply limit) is recorded as failed, with
        its error, and the state is left as it was for the next steps.
        """
        failure = ""

        def attempt() -> None:
            nonlocal failure
            try:
                action()
            except h.PluginError as exc:
                failure = str(exc).splitlines()[0][:300]

        cpu = cpu_seconds(plugin.proc.pid)
        calls, by_endpoint, wall = self.measure(attempt)
        cpu = cpu_seconds(plugin.proc.pid) - cpu
        peak = peak_memory_mb(plugin.proc.pid)
        result = StepResult(n, name, calls, by_endpoint, wall, peak, failure, cpu)
        self.steps.append(result)
        shown = f"FAILED: {failure}" if failure else str(by_endpoint)
        print(
            f"{n:>7} {name:<8} {calls:>7} {wall:>8.2f} {peak:>7.0f}  plugin CPU {cpu:.2f} s  "
            f"{shown}",
            flush=True,
        )
        return result

    # -- part 1: the steps of one resource, and the floor's -------------------------------

    #: From this many members, ``create`` only sets up the state the other steps start from:
    #: no latency and 32 calls at once (its time is not one of the figures compared).
    SETUP_FROM = 20_000

    def floor(self, props: dict[str, Any]) -> dict[str, Any]:
        """``props`` (a state's inputs or outputs, or a program's inputs) of the floor."""
        if self._floor_provider is None:
            registered = h.program_inputs(lambda: FloorMembers("floor", {"list_id": "0"}))
            self._floor_provider = registered["floor"]["inputs"][h.PROVIDER_KEY]
        return {**props, h.PROVIDER_KEY: self._floor_provider}

    def floor_step(
        self,
        n: int,
        name: str,
        action: Callable[[h.PluginProcess], None],
        bare: tuple[float, float] = (0.0, 0.0),
    ) -> FloorResult:
        """The floor provider's ``name`` step, on a fresh plugin; ``bare``: the (wall, CPU)
        seconds of a bare client's fetch, added to a refresh's floor."""
        bare_wall, bare_cpu = bare
        with self.plugin() as plugin:
            cpu = cpu_seconds(plugin.proc.pid)
            started = time.perf_counter()
            action(plugin)
            wall = time.perf_counter() - started
            cpu = cpu_seconds(plugin.proc.pid) - cpu
            peak = peak_memory_mb(plugin.proc.pid)
        result = FloorResult(n, name, wall + bare_wall, bare_wall, peak, cpu + bare_cpu)
        self.floors.append(result)
        ours = next(r for r in reversed(self.steps) if r.n == n and r.step == name)
        ratio = "fails" if ours.failure else f"{ours.wall_s / result.wall_s:.2f}x"
        cpu_ratio = "fails" if ours.failure else f"{ours.plugin_cpu_s / result.cpu_s:.2f}x"
        print(
            f"{n:>7} {name:<8} floor {result.wall_s:>8.2f} s"
            + (f" (bare fetch {bare_wall:.2f} s)" if bare_wall else "")
            + f", CPU {result.cpu_s:.2f} s; ours {ratio} (CPU {cpu_ratio})",
            flush=True,
        )
        return result

    def bare_fetch(self, list_id: str) -> tuple[float, float]:
        """(Wall, CPU) seconds for a bare client to fetch and parse the list's
        ``information`` reply."""
        form = {"id": DEMO_ACCOUNT_ID, "key": DEMO_ACCOUNT_KEY, "listContactId": list_id}
        started, cpu = time.perf_counter(), time.process_time()
        reply = requests.post(
            f"{self.server.api_url}/contact/list/information", data=form, timeout=600
        ).json()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert reply["code"] == "OK", reply.get("code")
        return wall, cpu

    def run_steps(self, n: int, changes: int) -> None:
        list_id = self.fresh_list()
        urn = h.urn(MEMBERS_TYPE, "bench-members")
        program = registered(list_id, members(n))
        edited = registered(list_id, members(n, edited=changes))
        state: dict[str, Any] = {}
        setup = n >= self.SETUP_FROM
        if setup:
            self.server.latency = 0.0
        with self.plugin(32 if setup else None) as plugin:

            def create() -> None:
                checked, failures = plugin.check(urn, {}, program)
                assert not failures, failures[:3]
                state["inputs"] = checked
                state["id"], state["outputs"] = plugin.create(urn, checked)

            self.step(n, "set-up" if setup else "create", plugin, create)
            found = self.server.get_list(list_id)
            assert found["contact_count"] == n, found
        self.server.latency = self.latency
        created = dict(state)

        with self.plugin() as plugin:

            def refresh() -> None:
                new_id, outs, inputs = plugin.read(
                    state["id"], urn, state["outputs"], state["inputs"]
                )
                assert new_id == state["id"]
                state["outputs"] = outs
                state["inputs"] = inputs if inputs is not None else state["inputs"]

            self.step(n, "refresh", plugin, refresh)

        def floor_refresh(plugin: h.PluginProcess) -> None:
            plugin.read(
                created["id"], urn, self.floor(created["outputs"]), self.floor(created["inputs"])
            )

        self.floor_step(n, "refresh", floor_refresh, bare=self.bare_fetch(list_id))
        refreshed = dict(state)

        with self.plugin() as plugin:

            def noop() -> None:
                checked, failures = plugin.check(urn, state["inputs"], program)
                assert not failures, failures[:3]
                diff = plugin.diff(state["id"], urn, state["outputs"], checked, state["inputs"])
                assert diff.changes == "DIFF_NONE", diff.diffs[:5]

            self.step(n, "noop", plugin, noop)

        def floor_noop(plugin: h.PluginProcess) -> None:
            inputs, outputs = self.floor(refreshed["inputs"]), self.floor(refreshed["outputs"])
            checked, _ = plugin.check(urn, inputs, self.floor(program))
            plugin.diff(refreshed["id"], urn, outputs, checked, inputs)

        self.floor_step(n, "noop", floor_noop)

        with self.plugin() as plugin:

            def change() -> None:
                checked, failures = plugin.check(urn, state["inputs"], edited)
                assert not failures, failures[:3]
                diff = plugin.diff(state["id"], urn, state["outputs"], checked, state["inputs"])
                assert diff.changes == "DIFF_SOME", diff
                state["outputs"] = plugin.update(
                    state["id"], urn, state["outputs"], checked, state["inputs"]
                )
                state["inputs"] = checked

            self.step(n, "change", plugin, change)

        def floor_change(plugin: h.PluginProcess) -> None:
            inputs, outputs = self.floor(refreshed["inputs"]), self.floor(refreshed["outputs"])
            checked, _ = plugin.check(urn, inputs, self.floor(edited))
            plugin.diff(refreshed["id"], urn, outputs, checked, inputs)
            plugin.update(refreshed["id"], urn, outputs, checked, inputs)

        self.floor_step(n, "change", floor_change)

        state_bytes = len(json.dumps(state["inputs"])) + len(json.dumps(state["outputs"]))
        size = SizeResult(
            n=n,
            state_bytes_per_member=state_bytes / n,
            outputs_bytes_per_member=len(json.dumps(state["outputs"])) / n,
            plugin_peak_mb=max(r.plugin_peak_mb for r in self.steps if r.n == n),
        )
        self.sizes.append(size)
        print(
            f"{n:>7} state {size.state_bytes_per_member:.0f} bytes per member (the fields in the "
            f"inputs; outputs alone, a fingerprint per number, "
            f"{size.outputs_bytes_per_member:.0f}); plugin peak memory "
            f"{size.plugin_peak_mb:.0f} MB",
            flush=True,
        )

    # -- part 1b: creating members, against a bare HTTP client ---------------------------

    def run_bare(self, n: int, concurrencies: list[int]) -> None:
        people = members(n)
        for concurrency in concurrencies:
            check, ours = self.create_step(people, concurrency)
            bare = self.bare_create(people, concurrency)
            self.bare.append(BareResult(n, concurrency, check, ours, bare))
            print(
                f"{n:>7} create at {concurrency:>2}: ours {ours:.2f} s (Create; its Check "
                f"{check:.2f} s before), bare client {bare:.2f} s: {ours / bare:.2f}x",
                flush=True,
            )

    def create_step(self, people: list[dict[str, str]], concurrency: int) -> tuple[float, float]:
        """(Check seconds, Create seconds) of one resource holding ``people``."""
        program = registered(self.fresh_list(), people)
        urn = h.urn(MEMBERS_TYPE, "bench-members")
        with self.plugin(concurrency) as plugin:
            started = time.perf_counter()
            checked, failures = plugin.check(urn, {}, program)
            checked_at = time.perf_counter()
            assert not failures, failures[:3]
            plugin.create(urn, checked)
            done = time.perf_counter()
        return checked_at - started, done - checked_at

    def bare_create(self, people: list[dict[str, str]], concurrency: int) -> float:
        """Seconds for ``requests`` to make a create's calls with ``concurrency`` connections."""
        list_id = self.fresh_list()
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=concurrency)
        session.mount("http://", adapter)
        url = self.server.api_url
        auth = {"id": DEMO_ACCOUNT_ID, "key": DEMO_ACCOUNT_KEY, "listContactId": list_id}
        names = {"first_name": "contactFirstName", "last_name": "contactName"}
        names["email"] = "contactEmail"

        def add(person: dict[str, str]) -> None:
            form = {**auth, "contactTelephoneNumber": person["phone_number"]}
            form.update({names[k]: v for k, v in person.items() if k in names})
            assert session.post(f"{url}/contact/add", data=form, timeout=60).json()["code"] == "OK"

        started = time.perf_counter()
        session.post(f"{url}/contact/list/information", data=auth, timeout=60).json()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(add, people))
        wall = time.perf_counter() - started
        session.close()
        assert self.server.get_list(list_id)["contact_count"] == len(people)
        return wall

    # -- part 2: against one Contact resource per person ---------------------------------

    def run_compare(self, n: int, concurrencies: list[int]) -> None:
        list_id = self.fresh_list()
        template = h.program_inputs(
            lambda: Contact("x", list_id=list_id, phone_number=number(0), first_name="x")
        )["x"]["inputs"]
        people = members(n)
        with self.plugin() as plugin:

            def one(i: int) -> None:
                urn = h.urn(CONTACT_TYPE, f"contact-{i}")
                props = {**template, **people[i]}
                checked, failures = plugin.check(urn, {}, props)
                assert not failures, failures
                plugin.create(urn, checked)

            def contacts() -> None:
                with ThreadPoolExecutor(self.inflight) as pool:
                    list(pool.map(one, range(n)))

            calls, _, wall = self.measure(contacts)
        self.compare.append(CompareResult(n, f"{n} Contact resources", calls, wall))
        print(f"{n:>7} Contact resources, {self.inflight} in flight: {calls} calls, {wall:.2f} s")

        for concurrency in concurrencies:
            calls, wall = self.create_members(people, concurrency)
            how = f"ContactListMembers, maxConcurrency {concurrency}"
            self.compare.append(CompareResult(n, how, calls, wall))
            print(f"{n:>7} {how}: {calls} calls, {wall:.2f} s")

    def create_members(self, people: list[dict[str, str]], concurrency: int) -> tuple[int, float]:
        """(API calls, wall seconds) of creating one resource holding ``people``."""
        program = registered(self.fresh_list(), people)
        urn = h.urn(MEMBERS_TYPE, "bench-members")
        with self.plugin(concurrency) as plugin:

            def create() -> None:
                checked, failures = plugin.check(urn, {}, program)
                assert not failures, failures[:3]
                plugin.create(urn, checked)

            calls, _, wall = self.measure(create)
        return calls, wall


def registered(list_id: str, people: list[dict[str, str]]) -> dict[str, Any]:
    """What ``ContactListMembers("bench-members", list_id=..., members=...)`` registers."""
    return h.program_inputs(
        lambda: ContactListMembers("bench-members", list_id=list_id, members=people)
    )["bench-members"]["inputs"]


def budgets(bench: Bench, changes: int) -> list[str]:
    """The issue's targets next to the measured figures."""
    lines = []
    expected = {
        "create": lambda n: n + 1,
        "set-up": lambda n: n + 1,
        "refresh": lambda n: 1,
        "noop": lambda n: 0,
    }
    for r in bench.steps:
        want = str(expected[r.step](r.n)) if r.step in expected else f"{changes} (+1)"
        lines.append(f"{r.n:>7} {r.step:<8} calls {r.calls:>6}  budget {want}")
    for s in bench.sizes:
        lines.append(
            f"{s.n:>7} state {s.state_bytes_per_member:.0f} B/member (budget < 200); "
            f"plugin peak {s.plugin_peak_mb:.0f} MB (budget < 300 for 10,000, < 600 for 100,000)"
        )
    targets = {"refresh": 1.5, "noop": 1.15, "change": 1.15}
    for f in bench.floors:
        ours = next(r for r in bench.steps if r.n == f.n and r.step == f.step)
        ratio = "FAILS" if ours.failure else f"{ours.wall_s / f.wall_s:.2f}x"
        cpu = "FAILS" if ours.failure else f"{ours.plugin_cpu_s / f.cpu_s:.2f}x"
        lines.append(
            f"{f.n:>7} {f.step:<8} ours {ours.wall_s:.2f} s / floor {f.wall_s:.2f} s = "
            f"{ratio}; plugin CPU {ours.plugin_cpu_s:.2f} / {f.cpu_s:.2f} s = {cpu} "
            f"(target <= {targets[f.step]}x at 100,000)"
        )
    bare_targets = {8: 1.12, 32: 1.2, 64: 1.3}
    for b in bench.bare:
        lines.append(
            f"{b.n:>7} create at {b.concurrency}: ours {b.ours_s:.2f} s / bare {b.bare_s:.2f} s = "
            f"{b.ours_s / b.bare_s:.2f}x (target <= {bare_targets.get(b.concurrency, '-')}x)"
        )
    baseline = next((c for c in bench.compare if c.how.endswith("Contact resources")), None)
    if baseline is not None:
        for c in bench.compare:
            if c is baseline:
                continue
            target = "0.5" if c.how.endswith(" 8") else "0.3" if c.how.endswith(" 16") else "-"
            lines.append(
                f"{c.n:>7} {c.how}: {c.wall_s / baseline.wall_s:.2f}x the wall time of "
                f"{baseline.how} (target <= {target}x)"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", "--members", default="1000,10000", help="N members (default: %(default)s)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.02, help="seconds per API call (default: %(default)s)"
    )
    parser.add_argument(
        "--inflight", type=int, default=8, help="engine calls in flight (default: %(default)s)"
    )
    parser.add_argument(
        "--changes", type=int, default=10, help="members edited (default: %(default)s)"
    )
    parser.add_argument(
        "--compare", type=int, default=1000, help="contacts in the comparison (0: skip)"
    )
    parser.add_argument(
        "--concurrency", default="8,16", help="maxConcurrency values compared (%(default)s)"
    )
    parser.add_argument(
        "--create-members",
        type=int,
        default=10_000,
        help="members created against a bare HTTP client (0: skip; default: %(default)s)",
    )
    parser.add_argument(
        "--create-concurrency",
        default="8,32,64",
        help="maxConcurrency values of that comparison (default: %(default)s)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    concurrencies = [int(s) for s in args.concurrency.split(",") if s.strip()]
    create_concurrencies = [int(s) for s in args.create_concurrency.split(",") if s.strip()]

    info = machine()
    print(
        f"machine: {info['cpus']} CPUs, {info['cpu']}, Python {info['python']}\n"
        f"emulator latency {args.latency * 1e3:g} ms per API call; gRPC messages up to "
        f"{ENGINE_MESSAGE_BYTES // 2**20} MiB (the engine's)\n\n"
        f"{'N':>7} {'step':<8} {'calls':>7} {'wall s':>8} {'peak MB':>7}  calls by endpoint"
    )
    with EmulatorProcess() as server:
        bench = Bench(server, args.latency, args.inflight)
        for n in sizes:
            bench.run_steps(n, args.changes)
        if args.create_members:
            print()
            bench.run_bare(args.create_members, create_concurrencies)
        if args.compare:
            print()
            bench.run_compare(args.compare, concurrencies)

    print("\nagainst the issue's budgets:")
    for line in budgets(bench, args.changes):
        print(line)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "machine": info,
                    "args": vars(args),
                    "steps": [asdict(r) for r in bench.steps],
                    "sizes": [asdict(s) for s in bench.sizes],
                    "compare": [asdict(c) for c in bench.compare],
                    "floors": [asdict(f) for f in bench.floors],
                    "bare": [asdict(b) for b in bench.bare],
                },
                fh,
                indent=2,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
