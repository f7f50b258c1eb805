"""A bad network day, through the real plugin: every fault, every step, and load.

Each case of the matrix drives ``python -m pulumi.dynamic`` over gRPC (:mod:`tests.support.harness`)
against the emulator's fault injection, with small timeouts and retry budgets set through
stack config so that persistent faults fail fast. The properties checked are the ones a user
trusts an IaC provider with:

* a transient fault is invisible: the step succeeds, exactly one list exists and the state
  matches AvoSMS;
* a persistent fault fails the step within a bounded time, with a message that names the step,
  the list and the cause; it never drops a list from the state, never creates a duplicate and
  never reports a rename that did not happen;
* a write whose reply is lost (``truncated``, ``drop_after``) is not a failure at all: the
  client reads AvoSMS back and finds the change applied (reconciliation), so even a persistent
  fault of that kind ends in success with exactly one list.
"""

from __future__ import annotations

import concurrent.futures
import functools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest

from pulumi_avosms import ContactList, _runtime
from pulumi_avosms.config import ConfigurationError, settings_from_config
from pulumi_avosms.emulator import EmulatorServer
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY

EP_CREATE = "contact/list/create"
EP_INFO = "contact/list/information"
EP_RENAME = "contact/list/rename"
EP_LIST = "contact/list"

#: Small budgets so that a persistent fault gives up in a few seconds: 0.5 s per attempt,
#: at most 2 resends, at most 3 s per API call (1 s ran out on a loaded machine before the
#: 3 attempts the cases count on).
READ_TIMEOUT = 0.5
RETRY_TIMEOUT = 3.0
BUDGET = {
    "avosms:timeout": str(READ_TIMEOUT),
    "avosms:connectTimeout": "1",
    "avosms:maxRetries": "2",
    "avosms:retryTimeout": str(RETRY_TIMEOUT),
}
#: Upper bound for a step under a persistent fault. With the budget above the worst case is
#: about 3 s per call, reconciliation reads included, a few calls a step; this bound
#: only proves that the budget is honoured (no unbounded retrying), it is not a benchmark.
FAILURE_BOUND = 15.0
#: A "slow reply beyond the read timeout": transient delays land soon after the timeout,
#: persistent ones after the client has surely given up (and are aborted by the next reset).
TRANSIENT_DELAY = 0.9
PERSISTENT_DELAY = RETRY_TIMEOUT + 2.0
PERSISTENT = 1000  # "count" of a fault that never stops
#: Matrix cases run this many at a time (see ``matrix_outcomes``).
LANES = 8
#: The ID of the first list of a reset emulator: the list the adopt step imports.
ADOPTED_ID = "1"

NAME = "Customers FR"
NEW_NAME = "Clients FR"


# -- the fault catalogue -----------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One fault kind as the matrix uses it."""

    label: str
    kind: str
    opts: dict[str, Any] = field(default_factory=dict)
    #: Substrings of which at least one must appear in a failure message: the cause.
    cause: tuple[str, ...] = ()
    #: Whether the write behind the faulted reply is applied anyway (the reply is lost).
    applies: bool = False

    def options(self, persistent: bool) -> dict[str, Any]:
        if self.kind == "delay":
            return {"seconds": PERSISTENT_DELAY if persistent else TRANSIENT_DELAY}
        return dict(self.opts)


FAULTS = [
    Fault("err9xx", "err9xx", {"code": "ERR_903"}, ("ERR_903",)),
    Fault("http429", "http429", {}, ("HTTP_429",)),
    Fault("http429-retry-after", "http429", {"retry_after": 0.3}, ("HTTP_429",)),
    Fault("http500", "http500", {}, ("HTTP_500",)),
    Fault("http502", "http502", {}, ("HTTP_502",)),
    Fault("http503", "http503", {}, ("HTTP_503",)),
    Fault("html", "html", {}, ("not valid JSON",)),
    Fault("truncated", "truncated", {}, ("not valid JSON",), applies=True),
    Fault("slow-reply", "delay", {}, ("read timeout",)),
    Fault("drop-before", "drop_before", {}, ("connection to AvoSMS broke",)),
    Fault("drop-after", "drop_after", {}, ("connection to AvoSMS broke",), applies=True),
]


# -- plugins and program inputs ----------------------------------------------------------------


_registrations: dict[tuple[str, str | None], dict[str, Any]] = {}
_registrations_lock = threading.Lock()


def _registered(name: str, import_id: str | None) -> dict[str, Any]:
    # Running the program under mocks costs tens of milliseconds and touches process-wide
    # SDK settings, so each distinct registration is computed once, under a lock.
    with _registrations_lock:
        key = (name, import_id)
        if key not in _registrations:
            opts = pulumi.ResourceOptions(import_=import_id) if import_id else None
            _registrations[key] = h.program_inputs(
                lambda: ContactList("customers", name=name, country_code="FR", opts=opts)
            )["customers"]
        return _registrations[key]


def contact_list(name: str = NAME, *, import_id: str | None = None) -> dict[str, Any]:
    """What ``ContactList("customers", name=name, country_code="FR")`` registers."""
    entry = _registered(name, import_id)
    return {**entry, "inputs": dict(entry["inputs"])}


def budget_config(emulator: EmulatorServer, **extra: str) -> dict[str, str]:
    return {
        "avosms:apiId": DEMO_ID,
        "avosms:apiKey": DEMO_KEY,
        "avosms:endpoint": emulator.api_url,
        **BUDGET,
        **extra,
    }


@pytest.fixture
def stack(emulator: EmulatorServer) -> Iterator[h.Stack]:
    """A stack with the small budgets, on a fresh plugin (as each CLI command starts one)."""
    plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"])
    stack = h.Stack(plugin, config=budget_config(emulator), secret_keys=["avosms:apiKey"])
    try:
        yield stack
    finally:
        stack.plugin.close()


def calls(emulator: EmulatorServer, endpoint: str | None) -> int:
    """API calls made to ``endpoint`` (to any endpoint for ``None``)."""
    if endpoint is None:
        return int(emulator.stats.total_calls)
    return int(emulator.stats.calls(endpoint))


def only_list(emulator: EmulatorServer) -> dict[str, Any]:
    """The account's one list; fails if there are none or several (a duplicate)."""
    lists = emulator.backend.lists()
    assert len(lists) == 1, [(lst["list_id"], lst["name"]) for lst in lists]
    return lists[0]


def assert_state_matches_avosms(stack: h.Stack, emulator: EmulatorServer) -> None:
    live = only_list(emulator)
    outputs = stack.outputs("customers")
    assert stack.id("customers") == outputs["list_id"] == live["list_id"]
    assert outputs["name"] == live["name"]
    assert outputs["country_code"] == live["country_code"]
    assert stack.inputs("customers")["name"] == live["name"]


def wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# -- the steps ---------------------------------------------------------------------------------


@dataclass
class Step:
    """One engine step under test: how to prepare it, run it and judge the outcome."""

    label: str
    #: Where its faults are injected; None = any endpoint, for steps that only read (how a
    #: refresh reads, one list or the whole listing, is the provider's business).
    endpoint: str | None
    write: bool  # whether the faulted call changes AvoSMS
    verb: str  # the word its failure message must contain
    prepare: Callable[[h.Stack, EmulatorServer], dict[str, Any]]
    run: Callable[[h.Stack, dict[str, Any]], Any]
    #: Run the step in a plugin of its own, as the CLI runs `pulumi refresh` after `pulumi up`:
    #: a read must not be answered from what the preparing command cached.
    own_plugin: bool = False


def _prepare_existing(stack: h.Stack, emulator: EmulatorServer) -> dict[str, Any]:
    stack.up({"customers": contact_list()})
    return {"id": stack.id("customers"), "state": dict(stack.state)}


def _prepare_adoptable(stack: h.Stack, emulator: EmulatorServer) -> dict[str, Any]:
    list_id = emulator.backend.console_create_list(NAME, "FR")
    # A reset emulator numbers lists from 1, so the registration can be prepared in advance.
    assert list_id == ADOPTED_ID
    return {"id": list_id, "state": {}}


STEPS = {
    "create": Step(
        "create",
        EP_CREATE,
        True,
        "create",
        lambda stack, emulator: {"id": None, "state": {}},
        lambda stack, ctx: stack.up({"customers": contact_list()}),
    ),
    "refresh": Step(
        "refresh",
        None,
        False,
        "refresh",
        _prepare_existing,
        lambda stack, ctx: stack.refresh(),
        own_plugin=True,
    ),
    "rename": Step(
        "rename",
        EP_RENAME,
        True,
        "rename",
        _prepare_existing,
        lambda stack, ctx: stack.up({"customers": contact_list(NEW_NAME)}),
    ),
    "adopt": Step(
        "adopt",
        None,
        False,
        "import",
        _prepare_adoptable,
        lambda stack, ctx: stack.up({"customers": contact_list(import_id=ctx["id"])}),
    ),
}


def expected_name(step: Step) -> str:
    return NEW_NAME if step.label == "rename" else NAME


def matrix() -> Iterator[Any]:
    for step in STEPS.values():
        for fault in FAULTS:
            for persistent in (False, True):
                mode = "persistent" if persistent else "transient"
                yield pytest.param(step, fault, persistent, id=f"{step.label}-{fault.label}-{mode}")


# -- the matrix --------------------------------------------------------------------------------


@dataclass
class Lane:
    """One emulator and one configured plugin that run matrix cases one after another."""

    emulator: EmulatorServer
    plugin: h.PluginProcess


def _run_lane(lane: Lane, cases: list[Any], outcomes: dict[str, BaseException | None]) -> None:
    for case in cases:
        step, fault, persistent = case.values
        # A clean account, no faults, zeroed counters; this also aborts any slow request the
        # previous case left waiting in the emulator, so it can never land in this one.
        lane.emulator.reset()
        stack = h.Stack(lane.plugin, config=budget_config(lane.emulator))
        try:
            check_case(stack, lane.emulator, step, fault, persistent)
        except BaseException as exc:  # reported by the case's own test, traceback included
            outcomes[case.id] = exc
        else:
            outcomes[case.id] = None


@pytest.fixture(scope="module")
def matrix_outcomes() -> Iterator[dict[str, BaseException | None]]:
    """Run every case of the matrix, several at a time; ``{case id: its failure or None}``.

    Most of a case's time is spent waiting (backoff, timeouts, Retry-After), so the cases run
    in parallel lanes, each with its own emulator (faults are per emulator) and its own plugin.
    A lane's plugin serves its cases in turn, as one `pulumi` command serves many resources:
    88 plugin processes would cost more CPU than the whole matrix, and nothing a case does
    survives in the plugin (list information is never cached; the emulator is reset).
    """
    cases = list(matrix())
    for name in (NAME, NEW_NAME):
        contact_list(name)  # program_inputs is not thread-safe: register in this thread
    contact_list(import_id=ADOPTED_ID)
    lanes = []
    try:
        for _ in range(LANES):
            emulator = EmulatorServer(host="127.0.0.1", port=0, accounts={DEMO_ID: DEMO_KEY})
            emulator.start()
            plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"])
            lanes.append(Lane(emulator, plugin))
            plugin.configure(budget_config(emulator), ["avosms:apiKey"])
        outcomes: dict[str, BaseException | None] = {}
        threads = [
            threading.Thread(target=_run_lane, args=(lane, cases[i :: len(lanes)], outcomes))
            for i, lane in enumerate(lanes)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        yield outcomes
    finally:
        for lane in lanes:
            lane.plugin.close()
            lane.emulator.stop()


@pytest.mark.parametrize(("step", "fault", "persistent"), list(matrix()))
def test_fault_matrix(
    matrix_outcomes: dict[str, BaseException | None],
    request: pytest.FixtureRequest,
    step: Step,
    fault: Fault,
    persistent: bool,
) -> None:
    """One fault on one step, transient or persistent (run by :func:`matrix_outcomes`)."""
    case_id = request.node.callspec.id
    assert case_id in matrix_outcomes, f"case {case_id} did not run"
    failure = matrix_outcomes[case_id]
    if failure is not None:
        raise failure


def check_case(
    stack: h.Stack, emulator: EmulatorServer, step: Step, fault: Fault, persistent: bool
) -> None:
    """Run ``step`` under ``fault`` and check the outcome (see the module docstring)."""
    ctx = step.prepare(stack, emulator)
    state_before = dict(stack.state)
    if step.own_plugin:
        lane_plugin, stack.plugin = stack.plugin, h.PluginProcess(unset_prefixes=["AVOSMS_"])
        try:
            return check_step(stack, emulator, step, fault, persistent, ctx, state_before)
        finally:
            stack.plugin.close()
            stack.plugin = lane_plugin
    return check_step(stack, emulator, step, fault, persistent, ctx, state_before)


def check_step(
    stack: h.Stack,
    emulator: EmulatorServer,
    step: Step,
    fault: Fault,
    persistent: bool,
    ctx: dict[str, Any],
    state_before: dict[str, Any],
) -> None:
    """The step under ``fault``, on the state ``step.prepare`` left."""
    emulator.stats.reset()
    emulator.faults.add(
        fault.kind,
        count=PERSISTENT if persistent else 1,
        endpoint=step.endpoint,
        **fault.options(persistent),
    )

    started = time.monotonic()
    error: h.PluginError | None = None
    try:
        step.run(stack, ctx)
    except h.PluginError as exc:
        error = exc
    elapsed = time.monotonic() - started
    emulator.faults.clear()

    # A write whose reply was lost is found applied by reading AvoSMS back, however often the
    # reply is lost; everything else succeeds only if the fault goes away.
    should_succeed = not persistent or (step.write and fault.applies)
    if should_succeed:
        assert error is None, error.details if error else ""
        if fault.kind == "delay" and step.write:
            # The slow first attempt is still in flight in the emulator; let it land before
            # judging (it must find the name taken, not make a second list).
            assert emulator.wait_idle(TRANSIENT_DELAY + 10)
        assert_state_matches_avosms(stack, emulator)
        assert only_list(emulator)["name"] == expected_name(step)
        if ctx["id"] is not None:
            assert stack.id("customers") == ctx["id"]
        assert_call_counts(emulator, step, fault, persistent, elapsed)
        return

    assert error is not None, f"{step.label} succeeded despite a persistent {fault.label}"
    assert elapsed < FAILURE_BOUND, f"gave up only after {elapsed:.1f} s"
    assert_explained(error, step, fault, ctx)
    # Never more than the configured attempts (1 + maxRetries) per API call; a read may
    # make two calls (the account listing, then the list alone).
    attempts = 1 + int(BUDGET["avosms:maxRetries"])
    assert calls(emulator, step.endpoint) <= attempts * (1 if step.write else 2)

    if step.label == "create":
        assert stack.state == {}
        # Nothing was applied (the delayed attempts are still waiting in the emulator).
        assert emulator.backend.lists() == []
    elif step.label == "adopt":
        assert stack.state == {}
        assert only_list(emulator)["list_id"] == ctx["id"]
    elif step.label == "refresh":
        # A failed refresh must not drop the list, nor change what the state says about it.
        assert stack.state == state_before
        assert only_list(emulator)["name"] == NAME
    else:  # rename: the state keeps the old name, which is what AvoSMS still has
        assert stack.state == state_before
        assert stack.outputs("customers")["name"] == NAME
        assert only_list(emulator)["name"] == NAME


def assert_explained(error: h.PluginError, step: Step, fault: Fault, ctx: dict[str, Any]) -> None:
    """The failure names the step, the list (name, and ID when it has one) and the cause."""
    message = error.exception_message
    assert error.raised("ContactListError"), error.details
    assert "KeyError" not in error.details and "TypeError" not in error.details
    assert step.verb in message.lower(), message
    assert repr(NAME) in message, message
    if step.label == "rename":
        assert repr(NEW_NAME) in message, message  # from the old name to the new one
    if ctx["id"] is not None:
        assert str(ctx["id"]) in message, message
    assert any(cause in message for cause in fault.cause), (fault.cause, message)
    assert (step.endpoint or "contact/list") in message, message
    if step.write and fault.kind not in ("http429", "err9xx"):
        # The request may have reached AvoSMS: the user is told so, and what to do. (A 429
        # and an ERR_9xx are AvoSMS's own answers that nothing was done.)
        assert "may or may not have been applied" in message, message
        # What to do: a list that may exist is found by the next up (name taken, with the
        # import_ that adopts it); a rename that may have landed shows at a refresh.
        assert ("pulumi up" if step.label == "create" else "pulumi refresh") in message, message


def assert_call_counts(
    emulator: EmulatorServer, step: Step, fault: Fault, persistent: bool, elapsed: float
) -> None:
    """How the success was reached: one resend after a fault, never a blind resend of a write."""
    faulted = calls(emulator, step.endpoint)
    if fault.kind == "delay" and step.write:
        # The resend and the reconciliation race the slow attempt; either way, 1 list (above).
        assert faulted in (1, 2)
    elif step.write and fault.applies:
        # The write landed; the client read AvoSMS back instead of sending it again.
        assert faulted == 1
    else:
        assert faulted == 2  # the faulted attempt and one resend
    if fault.opts.get("retry_after") and not persistent:
        # Retry-After is honoured (a lower bound: the call waited at least that long).
        assert elapsed >= float(fault.opts["retry_after"])


# -- rename / create that lands after Pulumi gave up --------------------------------------------


def test_rename_that_lands_after_pulumi_gave_up_is_reported_failed_then_refreshed(
    stack: h.Stack, emulator: EmulatorServer
) -> None:
    """AvoSMS applies a slow rename after the provider stopped waiting: the update is reported
    failed (honestly: "may or may not have been applied"), the state keeps the old name, and the
    next refresh takes the new name from AvoSMS. Pulumi never claims a rename it did not see."""
    _prepare_existing(stack, emulator)
    list_id = stack.id("customers")
    emulator.faults.add("delay", count=PERSISTENT, endpoint=EP_RENAME, seconds=PERSISTENT_DELAY)
    with pytest.raises(h.PluginError) as caught:
        stack.up({"customers": contact_list(NEW_NAME)})
    assert "may or may not have been applied" in caught.value.exception_message
    assert stack.outputs("customers")["name"] == NAME
    assert wait_for(lambda: emulator.backend.get_list(list_id)["name"] == NEW_NAME, 10.0)
    emulator.faults.clear()

    stack.plugin.close()
    stack.plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"])
    summary = stack.refresh()
    assert summary.ops == {"customers": "refresh-update"}
    assert_state_matches_avosms(stack, emulator)
    assert stack.outputs("customers")["name"] == NEW_NAME
    # The program asks for NEW_NAME, which AvoSMS now has: nothing left to do.
    assert stack.preview({"customers": contact_list(NEW_NAME)}).ops == {"customers": "same"}


def test_create_that_lands_after_pulumi_gave_up_is_explained_then_adopted(
    stack: h.Stack, emulator: EmulatorServer
) -> None:
    """A slow create that AvoSMS applies after the provider gave up leaves a list Pulumi does
    not know. The failure said so; the next `up` names the list and how to adopt it; adopting
    it manages the one list (no duplicate at any point)."""
    emulator.faults.add("delay", count=PERSISTENT, endpoint=EP_CREATE, seconds=PERSISTENT_DELAY)
    with pytest.raises(h.PluginError) as caught:
        stack.up({"customers": contact_list()})
    assert "may or may not have been applied" in caught.value.exception_message
    assert "shows the import_ that adopts that list" in caught.value.exception_message
    assert stack.state == {}
    assert wait_for(lambda: len(emulator.backend.lists()) == 1, 10.0)
    emulator.faults.clear()
    assert emulator.wait_idle(10)  # the later slow attempts land too, and find the name taken
    landed = only_list(emulator)["list_id"]

    stack.plugin.close()
    stack.plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"])
    with pytest.raises(h.PluginError) as caught:
        stack.up({"customers": contact_list()})
    assert f"import_={landed!r}" in caught.value.exception_message

    stack.up({"customers": contact_list(import_id=landed)})
    assert stack.id("customers") == landed
    assert_state_matches_avosms(stack, emulator)


def test_create_whose_read_back_fails_does_not_lose_the_list(
    stack: h.Stack, emulator: EmulatorServer
) -> None:
    """The list is created, then every read of it fails: the create still records the one
    list (with what is known: ID, name, country), warns, and the next refresh fills in the
    rest. Failing instead would orphan the list in AvoSMS, its name blocking the next up."""
    for endpoint in (EP_INFO, EP_LIST):  # however the provider reads the list back
        emulator.faults.add("err9xx", count=PERSISTENT, endpoint=endpoint)
    stack.up({"customers": contact_list()})
    landed = only_list(emulator)
    assert stack.id("customers") == landed["list_id"]
    outputs = stack.outputs("customers")
    assert (outputs["name"], outputs["country_code"]) == (NAME, "FR")
    assert outputs.get("country_name") is None  # unknown until the refresh
    warning = stack.plugin.wait_for_stderr("reading it back failed")
    assert landed["list_id"] in warning and "pulumi refresh" in warning
    emulator.faults.clear()

    stack.plugin.close()
    stack.plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"])
    assert stack.refresh().ops == {"customers": "refresh"}
    assert_state_matches_avosms(stack, emulator)
    assert stack.outputs("customers")["country_name"] == landed["country_name"]


def test_rename_whose_read_back_fails_is_reported_failed_then_refreshed(
    stack: h.Stack, emulator: EmulatorServer
) -> None:
    """The rename is applied but reading the list back fails: the update fails (the state keeps
    the old name, never a name Pulumi did not see), and the next refresh takes the new one."""
    _prepare_existing(stack, emulator)
    list_id = stack.id("customers")
    for endpoint in (EP_INFO, EP_LIST):  # however the provider reads the list back
        emulator.faults.add("http502", count=PERSISTENT, endpoint=endpoint)
    with pytest.raises(h.PluginError) as caught:
        stack.up({"customers": contact_list(NEW_NAME)})
    message = caught.value.exception_message
    assert list_id in message and "renamed" in message and "HTTP_502" in message, message
    assert stack.outputs("customers")["name"] == NAME
    assert emulator.backend.get_list(list_id)["name"] == NEW_NAME
    emulator.faults.clear()

    stack.plugin.close()
    stack.plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"])
    assert stack.refresh().ops == {"customers": "refresh-update"}
    assert_state_matches_avosms(stack, emulator)
    assert stack.preview({"customers": contact_list(NEW_NAME)}).ops == {"customers": "same"}


# -- configuration -------------------------------------------------------------------------------


def test_timeouts_and_retry_budget_have_sane_defaults_and_environment_fallbacks() -> None:
    defaults = settings_from_config({}, {})
    assert defaults.timeout == 30.0 and defaults.connect_timeout == 5.0
    assert defaults.max_retries == 4 and defaults.retry_timeout == 60.0
    env = {
        "AVOSMS_TIMEOUT": "7",
        "AVOSMS_CONNECT_TIMEOUT": "2",
        "AVOSMS_MAX_RETRIES": "1",
        "AVOSMS_RETRY_TIMEOUT": "9",
        "AVOSMS_API_ID": DEMO_ID,
        "AVOSMS_API_KEY": DEMO_KEY,
    }
    settings = settings_from_config({"avosms:retryTimeout": "3", "avosms:maxRetries": "0"}, env)
    assert (settings.timeout, settings.connect_timeout) == (7.0, 2.0)
    assert (settings.max_retries, settings.retry_timeout) == (0, 3.0)  # stack config wins
    # ... and they reach the client the plugin uses.
    client = _runtime.get_client(settings)
    assert (client.read_timeout, client.connect_timeout) == (7.0, 2.0)
    assert (client.max_retries, client.max_retry_time) == (0, 3.0)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("avosms:timeout", "0"),
        ("avosms:timeout", "inf"),
        ("avosms:connectTimeout", "nan"),
        ("avosms:maxRetries", "1.5"),
        ("avosms:maxRetries", "-1"),
        ("avosms:retryTimeout", "-1"),
        ("avosms:retryTimeout", "soon"),
    ],
)
def test_bad_timeout_or_retry_settings_name_both_spellings(key: str, value: str) -> None:
    env_name = "AVOSMS_" + "".join(f"_{c}" if c.isupper() else c for c in key[7:]).upper()
    with pytest.raises(ConfigurationError) as caught:
        settings_from_config({key: value}, {})
    assert key in str(caught.value) and env_name in str(caught.value)
    assert repr(value) in str(caught.value)


def test_retry_budget_from_the_environment_bounds_a_persistent_fault(
    emulator: EmulatorServer,
) -> None:
    """AVOSMS_MAX_RETRIES / AVOSMS_RETRY_TIMEOUT / AVOSMS_TIMEOUT apply when the stack sets none.

    The time budget is roomy on purpose: the resend count is what is asserted, and a budget of
    half a second was spent by the first attempt alone on a loaded machine (the client's first
    call loads it)."""
    env = {"AVOSMS_MAX_RETRIES": "1", "AVOSMS_RETRY_TIMEOUT": "20", "AVOSMS_TIMEOUT": "10"}
    config = {
        "avosms:apiId": DEMO_ID,
        "avosms:apiKey": DEMO_KEY,
        "avosms:endpoint": emulator.api_url,
    }
    with h.PluginProcess(unset_prefixes=["AVOSMS_"], env=env) as plugin:
        stack = h.Stack(plugin, config=config)
        emulator.faults.add("err9xx", count=PERSISTENT, endpoint=EP_CREATE)
        with pytest.raises(h.PluginError) as caught:
            stack.up({"customers": contact_list()})
    assert calls(emulator, EP_CREATE) == 2  # 1 + AVOSMS_MAX_RETRIES
    assert "gave up after 2 attempts" in caught.value.exception_message


def test_stack_retry_settings_win_over_the_environment(emulator: EmulatorServer) -> None:
    env = {"AVOSMS_MAX_RETRIES": "0"}
    with h.PluginProcess(unset_prefixes=["AVOSMS_"], env=env) as plugin:
        stack = h.Stack(plugin, config=budget_config(emulator))
        emulator.faults.add("http503", count=2, endpoint=EP_CREATE)
        stack.up({"customers": contact_list()})  # needs 2 resends: avosms:maxRetries is 2
    assert calls(emulator, EP_CREATE) == 3
    only_list(emulator)


def test_malformed_retry_setting_fails_naming_both_spellings(emulator: EmulatorServer) -> None:
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        stack = h.Stack(plugin, config=budget_config(emulator, **{"avosms:retryTimeout": "soon"}))
        with pytest.raises(h.PluginError) as caught:
            stack.preview({"customers": contact_list()})
    assert "avosms:retryTimeout" in caught.value.details
    assert "AVOSMS_RETRY_TIMEOUT" in caught.value.details


# -- concurrency ---------------------------------------------------------------------------------


#: Faults sprinkled over the concurrent run, one per ``SPRINKLE_EVERY`` API calls: every kind,
#: on the endpoints the steps use and on any endpoint (including reconciliation reads).
SPRINKLE: list[tuple[str, str | None, dict[str, Any]]] = [
    ("drop_after", EP_CREATE, {}),
    ("err9xx", None, {"code": "ERR_904"}),
    ("http503", None, {"retry_after": 0.05}),
    ("truncated", EP_CREATE, {}),
    ("http429", None, {}),
    ("drop_before", EP_LIST, {}),
    ("html", None, {}),
    ("delay", EP_INFO, {"seconds": 1.5}),
    ("http502", EP_CREATE, {}),
    ("drop_after", None, {}),
] * 3
SPRINKLE_EVERY = 6


def test_fifty_creates_and_fifty_refreshes_in_flight_with_faults(emulator: EmulatorServer) -> None:
    """100 operations, 8 at a time, through one plugin while faults keep arriving.

    No duplicate list, no lost list, and every failure (there may be a few: a call can be
    unlucky enough to meet a fault on each of its attempts) names its list and its cause, and
    says so when the list may exist after all.
    """
    existing = {
        emulator.backend.console_create_list(f"Existing {i:02d}", "FR"): f"Existing {i:02d}"
        for i in range(50)
    }
    wanted = [f"Load {i:02d}" for i in range(50)]
    registrations = {name: contact_list(name) for name in [*wanted, *existing.values()]}
    # A roomier budget than the matrix: here the faults are meant to be ridden out.
    config = budget_config(
        emulator,
        **{"avosms:timeout": "1", "avosms:maxRetries": "5", "avosms:retryTimeout": "10"},
    )
    created: dict[str, Any] = {}
    refreshed: dict[str, Any] = {}
    lock = threading.Lock()
    done = threading.Event()

    def sprinkle() -> None:
        # About one call in SPRINKLE_EVERY meets a fault, spread over the whole run: a bad day,
        # not an outage (queuing them all at once would fail the first calls over and over).
        pending = list(SPRINKLE)
        next_at = 0
        while pending and not done.wait(0.005):
            if len(emulator.faults) == 0 and emulator.stats.total_calls >= next_at:
                kind, endpoint, opts = pending.pop(0)
                emulator.faults.add(kind, count=1, endpoint=endpoint, **opts)
                next_at = emulator.stats.total_calls + SPRINKLE_EVERY

    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        plugin.configure(config, ["avosms:apiKey"])

        def create(name: str) -> None:
            urn_ = h.urn(h.CONTACT_LIST_TYPE, f"new-{name}")
            inputs = registrations[name]["inputs"]
            try:
                checked, failures = plugin.check(urn_, {}, inputs)
                assert failures == []
                result: Any = plugin.create(urn_, checked)
            except h.PluginError as exc:
                result = exc
            with lock:
                created[name] = result

        def refresh(list_id: str) -> None:
            inputs = registrations[existing[list_id]]["inputs"]
            urn_ = h.urn(h.CONTACT_LIST_TYPE, f"old-{list_id}")
            try:
                new_id, outs, _ = plugin.read(list_id, urn_, inputs, inputs)
                result: Any = (new_id, outs)
            except h.PluginError as exc:
                result = exc
            with lock:
                refreshed[list_id] = result

        jobs: list[Callable[[], None]] = []
        for name, list_id in zip(wanted, existing, strict=True):
            jobs.append(functools.partial(create, name))
            jobs.append(functools.partial(refresh, list_id))
        sprinkler = threading.Thread(target=sprinkle)
        sprinkler.start()
        try:
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                for future in [pool.submit(job) for job in jobs]:
                    future.result(timeout=120)
        finally:
            done.set()
            sprinkler.join()
    faulted_calls = sum(1 for record in emulator.request_log if record.fault)
    emulator.faults.clear()

    names = [lst["name"] for lst in emulator.backend.lists()]
    assert len(names) == len(set(names)), "a duplicate list"
    live = {lst["name"]: lst["list_id"] for lst in emulator.backend.lists()}
    assert set(existing.values()) <= set(live), "a list disappeared"
    assert set(live) <= set(wanted) | set(existing.values())

    failures: list[h.PluginError] = []
    create_ids = []
    for name in wanted:
        result = created[name]
        if isinstance(result, h.PluginError):
            failures.append(result)
            message = result.exception_message
            assert repr(name) in message and "create" in message, result.details
            if name in live:  # an orphan is acceptable only if the user was told
                assert "may or may not have been applied" in message, message
            continue
        list_id, outs = result
        assert list_id == live[name], (name, list_id)
        assert outs["name"] == name
        create_ids.append(list_id)
    assert len(create_ids) == len(set(create_ids))

    for list_id, name in existing.items():
        result = refreshed[list_id]
        if isinstance(result, h.PluginError):
            failures.append(result)
            message = result.exception_message
            assert f"{list_id} ({name!r})" in message and "refresh" in message, result.details
            continue
        new_id, outs = result
        assert new_id == list_id, f"refresh of {name} said the list is gone"
        assert outs["name"] == name
    for failure in failures:
        # Explained: the cause comes with the endpoint, and its API code when there is one.
        assert "contact/list" in failure.exception_message, failure.details
        assert failure.raised("ContactListError"), failure.details
    # The run lasted long enough to meet a good share of the faults: it was a real test.
    assert faulted_calls >= 10, faulted_calls
    # Faults sprinkled in, not an outage: retries carry most calls through.
    calls_made = len(wanted) + len(existing)
    assert len(failures) <= calls_made // 4, [f.exception_message for f in failures]


def test_the_retry_time_budget_is_honoured_through_the_plugin(emulator: EmulatorServer) -> None:
    """With many retries allowed but 1 s of retrying, a persistent 503 asking to wait 0.4 s
    is tried about three times, not eleven: avosms:retryTimeout reaches the client."""
    config = {**budget_config(emulator), "avosms:maxRetries": "10", "avosms:retryTimeout": "1"}
    plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"])
    stack = h.Stack(plugin, config=config, secret_keys=["avosms:apiKey"])
    try:
        stack.up({"customers": contact_list()})
        stack.plugin.close()
        stack.plugin = h.PluginProcess(unset_prefixes=["AVOSMS_"])
        before = calls(emulator, EP_LIST)
        emulator.faults.add("http503", count=PERSISTENT, endpoint=EP_LIST, retry_after=0.4)
        emulator.faults.add("http503", count=PERSISTENT, endpoint=EP_INFO, retry_after=0.4)
        with pytest.raises(h.PluginError) as caught:
            stack.refresh()
    finally:
        stack.plugin.close()
    assert "HTTP_503" in caught.value.exception_message
    assert 2 <= calls(emulator, EP_LIST) - before <= 4
