"""Benchmark: this provider against the naive docs-style one, through the real plugin.

Run from the repository root::

    .venv/bin/python -m benchmarks.run                  # N = 100, 1000; 20 ms per API call
    .venv/bin/python -m benchmarks.run --sizes 50 --latency 0.005 --json out.json

For each N and each provider, three `pulumi` commands, each with a fresh plugin process (as
the CLI starts one per command) driven over gRPC by :mod:`tests.support.harness` with ``--inflight``
engine calls at once (the plugin itself serves 4):

* ``create``  -- ``pulumi up`` of a new stack: Check + Create per list;
* ``refresh`` -- ``pulumi refresh``: Read per list (after ``--contacts`` contacts were added
  to every list out of band, so reads that fetch contacts pay for them);
* ``noop``    -- ``pulumi preview`` with no change: Check + Diff per list.

The emulator runs in this process with ``--latency`` seconds added to every API call; its
counters give the API calls, request/reply body bytes and TCP connections of each phase, and
the wall time is measured around the phase's engine calls (plugin start-up excluded; it is
reported separately as the cold start: process start to first Check answered).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from benchmarks.naive_provider import NaiveContactList
from pulumi_avosms import ContactList
from pulumi_avosms.emulator import DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY, EmulatorServer
from tests.support import harness as h

PROVIDERS = ("naive", "ours")
PHASES = ("create", "refresh", "noop")
OURS_TYPE = h.CONTACT_LIST_TYPE
NAIVE_TYPE = "pulumi-python:dynamic/bench:NaiveContactList"


@dataclass
class PhaseResult:
    """What one phase cost, from the emulator's counters and the clock."""

    n: int
    provider: str
    phase: str
    calls: int
    calls_by_endpoint: dict[str, int]
    bytes_in: int  # request bodies
    bytes_out: int  # reply bodies
    connections: int
    wall_s: float


@dataclass
class Resource:
    """One list in the engine's state."""

    urn: str
    program: dict[str, Any]  # what the program registers (with __provider)
    inputs: dict[str, Any] | None = None  # checked inputs in state
    id: str | None = None
    outputs: dict[str, Any] | None = None


def _template(provider: str) -> tuple[str, dict[str, Any]]:
    """(type token, registered inputs) of one resource of this provider, from the real class."""
    if provider == "ours":
        entry = h.program_inputs(lambda: ContactList("x", name="x", country_code="FR"))["x"]
        return OURS_TYPE, entry["inputs"]
    entry = h.program_inputs(lambda: NaiveContactList("x", name="x", country_code="FR"))["x"]
    return NAIVE_TYPE, entry["inputs"]


def _stack(provider: str, n: int) -> list[Resource]:
    typ, inputs = _template(provider)
    return [
        Resource(
            urn=h.urn(typ, f"list-{i}"),
            program={**inputs, "name": f"Bench {provider} {i:05d}"},
        )
        for i in range(n)
    ]


class Bench:
    """Runs the phases against one emulator and collects :class:`PhaseResult` rows."""

    def __init__(self, server: EmulatorServer, latency: float, inflight: int) -> None:
        self.server = server
        self.latency = latency
        self.inflight = inflight
        self.config = {
            "avosms:apiId": DEMO_ACCOUNT_ID,
            "avosms:apiKey": DEMO_ACCOUNT_KEY,
            "avosms:endpoint": server.api_url,
        }
        # The naive provider reads its credentials from the environment, as in the docs.
        self.env = {
            "AVOSMS_API_ID": DEMO_ACCOUNT_ID,
            "AVOSMS_API_KEY": DEMO_ACCOUNT_KEY,
            "AVOSMS_ENDPOINT": server.api_url,
        }
        self.results: list[PhaseResult] = []

    def plugin(self) -> h.PluginProcess:
        """A fresh, configured plugin: the start of one `pulumi` command."""
        plugin = h.PluginProcess(env=self.env, unset_prefixes=["AVOSMS_"])
        plugin.configure(self.config, secret_keys=["avosms:apiKey"])
        return plugin

    def phase(
        self,
        n: int,
        provider: str,
        name: str,
        resources: list[Resource],
        step: Callable[[h.PluginProcess, Resource], None],
    ) -> PhaseResult:
        """Run ``step`` for every resource, ``inflight`` at a time, on a fresh plugin."""
        with self.plugin() as plugin:
            before = self.server.stats.snapshot()
            started = time.perf_counter()
            with ThreadPoolExecutor(self.inflight) as pool:
                # list(): re-raise the first failure instead of timing a broken run.
                list(pool.map(lambda r: step(plugin, r), resources))
            wall = time.perf_counter() - started
            after = self.server.stats.snapshot()
        calls = {
            ep: count - before["calls"].get(ep, 0)
            for ep, count in after["calls"].items()
            if count - before["calls"].get(ep, 0)
        }
        result = PhaseResult(
            n=n,
            provider=provider,
            phase=name,
            calls=after["total_calls"] - before["total_calls"],
            calls_by_endpoint=calls,
            bytes_in=sum(after["bytes_in"].values()) - sum(before["bytes_in"].values()),
            bytes_out=sum(after["bytes_out"].values()) - sum(before["bytes_out"].values()),
            connections=after["connections"] - before["connections"],
            wall_s=wall,
        )
        self.results.append(result)
        print(_row(result), flush=True)
        return result

    def run(self, n: int, provider: str, contacts: int) -> None:
        """create, (contacts out of band), refresh, noop for N lists of one provider."""
        self.server.reset()
        self.server.latency = self.latency
        stack = _stack(provider, n)

        def create(plugin: h.PluginProcess, r: Resource) -> None:
            checked, failures = plugin.check(r.urn, {}, r.program)
            assert not failures, failures
            r.inputs = checked
            r.id, r.outputs = plugin.create(r.urn, checked)

        self.phase(n, provider, "create", stack, create)

        backend = self.server.backend
        for r in stack:
            assert r.id
            for k in range(contacts):
                backend.console_add_contact(r.id, f"+336{k:08d}")

        def refresh(plugin: h.PluginProcess, r: Resource) -> None:
            assert r.id and r.outputs is not None and r.inputs is not None
            new_id, outs, _inputs = plugin.read(r.id, r.urn, r.outputs, r.inputs)
            assert new_id == r.id, (new_id, r.id)
            assert outs["contact_count"] == contacts, outs
            r.outputs = outs

        self.phase(n, provider, "refresh", stack, refresh)

        def noop(plugin: h.PluginProcess, r: Resource) -> None:
            assert r.id and r.outputs is not None and r.inputs is not None
            checked, failures = plugin.check(r.urn, r.inputs, r.program)
            assert not failures, failures
            diff = plugin.diff(r.id, r.urn, r.outputs, checked, r.inputs)
            assert diff.changes == "DIFF_NONE", diff

        self.phase(n, provider, "noop", stack, noop)

    def cold_start(self, provider: str, runs: int) -> dict[str, float]:
        """Median ms from process start to: port printed, first Check answered."""
        typ, inputs = _template(provider)
        urn_ = h.urn(typ, "cold")
        port_ms, check_ms, first_call_ms = [], [], []
        for _ in range(runs):
            started = time.perf_counter()
            plugin = h.PluginProcess(env=self.env, unset_prefixes=["AVOSMS_"])
            up = time.perf_counter()
            plugin.configure(self.config, secret_keys=["avosms:apiKey"])
            ready = time.perf_counter()
            plugin.check(urn_, {}, {**inputs, "name": "cold"})
            done = time.perf_counter()
            plugin.close()
            port_ms.append((up - started) * 1e3)
            first_call_ms.append((done - ready) * 1e3)
            check_ms.append((done - started) * 1e3)
        return {
            "port_ms": statistics.median(port_ms),
            "first_check_ms": statistics.median(first_call_ms),
            "start_to_first_check_ms": statistics.median(check_ms),
        }


# -- output ----------------------------------------------------------------------------------


def _row(r: PhaseResult) -> str:
    return (
        f"{r.n:>6} {r.phase:<8} {r.provider:<6} {r.calls:>7} {r.bytes_in:>12,} "
        f"{r.bytes_out:>13,} {r.connections:>6} {r.wall_s:>8.2f}"
    )


HEADER = (
    f"{'N':>6} {'phase':<8} {'impl':<6} {'calls':>7} {'req bytes':>12} "
    f"{'reply bytes':>13} {'conns':>6} {'wall s':>8}"
)


def _ratio(naive: float, ours: float) -> str:
    if ours == 0:
        return "n/a (0 = 0)" if naive == 0 else f"{naive:g} vs 0"
    return f"{naive / ours:.1f}x"


def ratios(results: list[PhaseResult]) -> list[str]:
    """One line per (N, phase): naive / ours for each measure."""
    by_key = {(r.n, r.phase, r.provider): r for r in results}
    lines = []
    for n in sorted({r.n for r in results}):
        for phase in PHASES:
            naive, ours = by_key.get((n, phase, "naive")), by_key.get((n, phase, "ours"))
            if naive is None or ours is None:
                continue
            naive_bytes = naive.bytes_in + naive.bytes_out
            ours_bytes = ours.bytes_in + ours.bytes_out
            lines.append(
                f"{n:>6} {phase:<8} calls {_ratio(naive.calls, ours.calls):>12}  "
                f"bytes {_ratio(naive_bytes, ours_bytes):>12}  "
                f"conns {_ratio(naive.connections, ours.connections):>10}  "
                f"wall {_ratio(naive.wall_s, ours.wall_s):>8}"
            )
    return lines


def machine() -> dict[str, str]:
    """Where the figures come from."""
    model = platform.processor() or platform.machine()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def provider_bytes(provider: str) -> int:
    """Size of the decoded ``__provider`` value each resource carries in state."""
    _typ, inputs = _template(provider)
    return len(h.provider_payload(inputs[h.PROVIDER_KEY]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="100,1000", help="comma-separated N (default: %(default)s)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.02, help="seconds per API call (default: %(default)s)"
    )
    parser.add_argument(
        "--inflight", type=int, default=8, help="engine calls in flight (default: %(default)s)"
    )
    parser.add_argument(
        "--contacts",
        type=int,
        default=5,
        help="contacts added to every list before the refresh (default: %(default)s)",
    )
    parser.add_argument(
        "--providers", default="naive,ours", help="which to run (default: %(default)s)"
    )
    parser.add_argument("--cold-runs", type=int, default=5, help="cold-start samples (median)")
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    providers = [p.strip() for p in args.providers.split(",") if p.strip()]
    for p in providers:
        if p not in PROVIDERS:
            parser.error(f"unknown provider {p!r}; choose from {', '.join(PROVIDERS)}")

    info = machine()
    print(
        f"machine: {info['cpus']} CPUs, {info['cpu']}, Python {info['python']}\n"
        f"emulator latency {args.latency * 1e3:g} ms per API call, {args.inflight} engine calls "
        f"in flight, {args.contacts} contacts per list at refresh\n"
    )
    server = EmulatorServer(host="127.0.0.1", port=0, accounts={DEMO_ACCOUNT_ID: DEMO_ACCOUNT_KEY})
    server.start()
    bench = Bench(server, args.latency, args.inflight)
    cold: dict[str, dict[str, float]] = {}
    try:
        for p in providers:
            cold[p] = bench.cold_start(p, args.cold_runs)
        print(HEADER)
        for n in sizes:
            for p in providers:
                bench.run(n, p, args.contacts)
    finally:
        server.stop()

    print("\nratios naive / ours (higher = ours better):")
    for line in ratios(bench.results):
        print(line)
    print(f"\ncold start (median of {args.cold_runs}; ms):")
    for p, c in cold.items():
        print(
            f"  {p:<6} process start -> port {c['port_ms']:.0f}, first Check after configure "
            f"{c['first_check_ms']:.1f}, start -> first Check answered "
            f"{c['start_to_first_check_ms']:.0f}"
        )
    print("\n__provider in state, per resource (decoded bytes):")
    for p in providers:
        print(f"  {p:<6} {provider_bytes(p)}")

    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "machine": info,
                    "args": vars(args),
                    "results": [asdict(r) for r in bench.results],
                    "cold_start": cold,
                    "provider_bytes": {p: provider_bytes(p) for p in providers},
                },
                fh,
                indent=2,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
