"""A model of ContactListMembers: every removal it makes is one the removal rule allows.

A hypothesis state machine drives one ``ContactListMembers`` (both modes) through a real
plugin process (one per engine command that needs a fresh one) against the emulator, behind a
proxy that can spoil replies or cut a step short (:mod:`tests.support.hostile_proxy`). It runs
once per front end of the shared contract (:mod:`tests.support.contract`): ``dynamic`` (a
Python program's resource, through ``python -m pulumi.dynamic``) and ``plugin`` (the
``avosms`` plugin every other language uses), with the same rules and the same checks; the
front end says how a program declares the resource, how a failure reads and how adoption
goes. Its rules are what happens to a stack in real life:

* the program changes: members added, edited, dropped (one of them a number AvoSMS
  refuses), ``exclusive`` toggled, ``account`` changed to another name for the same
  credentials, the list renamed (its ``list_id`` unknown at preview), ``import_`` or
  ``remove_undeclared_on_create`` set before a create;
* the console changes: contacts added, edited, removed; the list deleted (and the program
  moved to a new one);
* faults: a transient error (retried), a call that keeps failing, a reply spelling a number
  the client cannot read, an ``up`` whose plugin dies part-way;
* engine commands: preview, up, refresh, destroy.

The model records which numbers the program declared and which only a refresh showed
(``provenance``), and reads the live list from the emulator before and after each command.
After every command it checks:

1. no contact was removed that the rule allows no one to remove (see :meth:`allowed`);
2. a failed step leaves none of its fresh adds where no later command sees them;
3. a successful step's state claims no contact AvoSMS lacks, and an ``up`` is followed by a
   preview that plans nothing; an ``up`` with nothing to do, a preview and a refresh make
   no write;
4. after a refresh the state matches AvoSMS for every number it manages;
5. an exclusive create on a list holding undeclared contacts is refused before any write, and
   an adoption of a list holding every declared member succeeds;
6. a failure is one of the package's errors, never a crash.

Under ``CI=true`` the run is derandomised: :data:`CI_EXAMPLES` examples of up to
:data:`CI_STEPS` steps each per front end, enough for every rule to run on each (the test
asserts it). Under ``HYPOTHESIS_PROFILE=explore`` it draws :data:`EXPLORE_EXAMPLES` fresh
examples of up to :data:`EXPLORE_STEPS` steps. The examples it found are replayed step by
step in ``test_found_by_the_model`` (:data:`FOUND`).
"""

from __future__ import annotations

import collections
import copy
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from pulumi_avosms._members_state import held_of, members_of
from pulumi_avosms.emulator import EmulatorServer
from tests.support import harness as h
from tests.support.contract import FRONT_ENDS, FrontEnd
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY
from tests.support.hostile_proxy import WRITE_ENDPOINTS, HostileProxy

KIND = "ContactListMembers"
NAME = "members"
#: French mobiles: what the program declares and the console adds.
POOL = tuple(f"+3361234567{i}" for i in range(6))
#: A valid British mobile: check accepts it, AvoSMS refuses it in a French list (ERR_107).
REFUSED = "+447400123456"
FIELDS = st.sampled_from(
    [{}, {"first_name": "Ann"}, {"first_name": "Bob", "last_name": "Martin"}, {"other": "on call"}]
)
#: Names of the same credentials: "team" and "Team" read AVOSMS_TEAM_*, "ops" AVOSMS_OPS_*.
ACCOUNT_NAMES = ("team", "Team", "ops")
#: The input that lets a create remove the contacts it does not declare.
OPT_IN = "remove_undeclared_on_create"
#: What a program sets before a create: nothing, the opt-in, or ``import_`` (adoption).
CREATE_OPTIONS = st.sampled_from(["none", "none", "opt_in", "import_"])

#: 50 examples of up to 50 steps per front end: every rule runs on each, and an up adopts a
#: list (asserted at the end); 15-35 s per front end on this project's 2-core machine when
#: every invariant holds (which examples the derandomised draw makes follows what the code
#: does; a failure adds the shrinking). 75 each took 27-55 s and 45-50 s: with 50, the pair
#: stays near what one front end took alone.
CI_EXAMPLES, CI_STEPS = 50, 50
#: HYPOTHESIS_PROFILE=explore: 300 fresh examples of up to 60 steps.
EXPLORE_EXAMPLES, EXPLORE_STEPS = 300, 60
EXPLORING = os.environ.get("HYPOTHESIS_PROFILE") == "explore"

#: How many times each rule ran on each front end (checked at the end of its run).
HITS: collections.defaultdict[str, collections.Counter[str]] = collections.defaultdict(
    collections.Counter
)


#: Counted with the rules: an ``up`` that adopted a list (the test asserts one did).
ADOPTED = "up adopting a list"


def _hit() -> None:
    HITS[MembersModel.front.name][sys._getframe(1).f_code.co_name] += 1


Contacts = dict[str, dict[str, str]]


@dataclass
class Step:
    """One engine command and what it did."""

    kind: str
    before: dict[str, Contacts]
    after: dict[str, Contacts]
    state_before: dict[str, Any] | None
    summary: h.Summary | None = None
    error: Exception | None = None
    killed: bool = False
    writes: int = 0
    faults: list[str] = field(default_factory=list)

    @property
    def removed(self) -> set[tuple[str, str]]:
        return {
            (list_id, number)
            for list_id, contacts in self.before.items()
            for number in contacts
            if number not in self.after.get(list_id, {})
        }


class MembersModel(RuleBasedStateMachine):
    """One stack with one ContactListMembers, its program, the console and the engine."""

    front: FrontEnd
    emulator: EmulatorServer
    proxy: HostileProxy
    #: What the program registers, by its Python-named inputs (a dynamic program's run under
    #: mocks takes milliseconds, and the same program comes back within an example).
    declared: dict[str, dict[str, Any]] = {}
    plugin: h.PluginProcess | None = None  # shared by examples; restarted when it must be
    plugin_reads_stale: bool = True
    examples = 0

    def __init__(self) -> None:
        super().__init__()
        cls = type(self)
        cls.examples += 1
        self.emulator.faults.clear()
        self.proxy.clear()
        self.lists: list[str] = []
        self.list_id = self._new_list()
        self.list_exists = True
        self.members: Contacts = {}
        self.exclusive = True
        self.account: str | None = None
        self.adopt = False
        self.opt_in = False
        #: number in the state -> "program" (declared), "refresh" (only found by a refresh),
        #: "either" (declared in a step that failed, then found by a refresh).
        self.provenance: dict[str, str] = {}
        self.declared_in_failed: set[str] = set()
        self.faults: list[Callable[[], str]] = []
        self.unreadable: set[str] = set()
        self.stack = self._stack({})

    # -- plumbing ----------------------------------------------------------------------------

    def _new_list(self) -> str:
        name = f"model {self.front} {type(self).examples}.{len(getattr(self, 'lists', []))}"
        list_id = self.emulator.backend.console_create_list(name, "FR")
        self.lists.append(list_id)
        return list_id

    def _config(self) -> dict[str, str]:
        return {
            "avosms:apiId": DEMO_ID,
            "avosms:apiKey": DEMO_KEY,
            "avosms:endpoint": self.proxy.api_url,
            "avosms:maxRetries": "1",
            # One call at a time: an interrupted step stops at the same call on every run.
            "avosms:maxConcurrency": "1",
        }

    def _stack(self, state: dict[str, Any]) -> h.Stack:
        cls = type(self)
        if cls.plugin is None or not cls.plugin.alive:
            self._restart_plugin()
        assert cls.plugin is not None
        stack = h.Stack(cls.plugin, config=self._config(), default_type=self.type_token())
        stack.state = state
        return stack

    def _restart_plugin(self) -> None:
        """A new plugin process, as each `pulumi` command starts: no client, no cached read."""
        cls = type(self)
        if cls.plugin is not None:
            cls.plugin.close()
        env: dict[str, str | None] = {}
        for name in ("TEAM", "OPS"):
            env[f"AVOSMS_{name}_API_ID"] = DEMO_ID
            env[f"AVOSMS_{name}_API_KEY"] = DEMO_KEY
            env[f"AVOSMS_{name}_ENDPOINT"] = self.proxy.api_url
        cls.plugin = self.front.start(env=env)
        cls.plugin_reads_stale = False
        if hasattr(self, "stack"):  # the stack's state is kept, as the engine keeps it
            self.stack = self._stack(self.stack.state)

    def type_token(self) -> str:
        return str(self.declare(list_id="1", members=[])["type"])

    def declare(self, import_id: str | None = None, **props: Any) -> dict[str, Any]:
        """``ContactListMembers(NAME, **props)`` as this front end's program registers it."""
        key = json.dumps([self.front.name, import_id, props], sort_keys=True)
        cache = type(self).declared
        if key not in cache:
            cache[key] = self.front.declare(KIND, NAME, import_id=import_id, **props)
        return copy.deepcopy(cache[key])

    def entry(self, list_id: str | None = None) -> dict[str, Any]:
        """What the program registers (``ContactListMembers(...)`` with its options)."""
        props: dict[str, Any] = {
            "list_id": self.list_id if list_id is None else list_id,
            "members": [{"phone_number": n, **f} for n, f in self.members.items()],
            "exclusive": self.exclusive,
        }
        if self.account is not None:
            props["account"] = self.account
        if self.opt_in:
            props[OPT_IN] = True
        return self.declare(import_id=self.list_id if self.adopt else None, **props)

    def live(self) -> dict[str, Contacts]:
        """Every list of this example as AvoSMS holds it: number -> non-empty fields."""
        lists: dict[str, Contacts] = {}
        for list_id in self.lists:
            found = self.emulator.backend.get_list(list_id)
            if found is not None:
                lists[list_id] = {
                    c["phone_number"]: {k: v for k, v in c.items() if v and k != "phone_number"}
                    for c in found["contacts"]
                }
        return lists

    def writes(self) -> int:
        calls = self.emulator.stats.snapshot()["calls"]
        return sum(int(calls.get(endpoint, 0)) for endpoint in WRITE_ENDPOINTS)

    def resource(self) -> dict[str, Any] | None:
        return self.stack.state.get(self.stack.urn(NAME))

    def stored(self, resource: dict[str, Any], part: str) -> dict[str, Any]:
        """A resource's stored ``inputs`` or ``outputs``: plain, Python names."""
        return self.front.python_names(h.strip_secrets(resource[part]))

    def resource_list(self) -> str | None:
        resource = self.resource()
        return None if resource is None else str(resource["id"])

    def state_numbers(self, resource: dict[str, Any] | None = None) -> set[str]:
        resource = self.resource() if resource is None else resource
        if resource is None:
            return set()
        return set(held_of(self.stored(resource, "outputs")).prints)

    def state_fields(self, resource: dict[str, Any] | None) -> Contacts:
        if resource is None:
            return {}
        return members_of(self.stored(resource, "inputs"))

    def failure(self, step: Step) -> str | None:
        """The message of the package's error the step failed with (None: another error)."""
        error = step.error
        if isinstance(error, h.PluginError):
            return self.front.error_message(error)
        return None if error is None else str(error)

    def run_step(self, kind: str, command: Callable[[], h.Summary]) -> Step:
        """Run one engine command with the faults queued for it; they end with it."""
        cls = type(self)
        step = Step(kind, self.live(), {}, copy.deepcopy(self.resource()))
        step.faults = [arm() for arm in self.faults]
        self.faults = []
        writes = self.writes()
        try:
            step.summary = command()
        except (h.PluginError, h.EngineError) as err:
            step.error = err
        finally:
            step.killed = self.proxy.stopped
            self.emulator.faults.clear()
            self.proxy.clear()
            self.unreadable = set()
        step.writes = self.writes() - writes
        step.after = self.live()
        if step.faults:  # a spoiled reply may sit in the plugin's read cache
            cls.plugin_reads_stale = True
        if step.killed or cls.plugin is None or not cls.plugin.alive:
            self._restart_plugin()
        return step

    # -- the removal rule --------------------------------------------------------------------

    def allowed(self, kind: str, before: dict[str, Contacts]) -> set[tuple[str, str]]:
        """The (list, number) pairs the next ``kind`` command may remove from AvoSMS.

        (a) a number in the state that the program no longer declares, if the program had
        declared it or the resource is and stays exclusive; (b) at a create, the undeclared
        contacts only with the explicit opt-in; a destroy, the numbers the program declared.
        A failed step may also undo its own fresh adds, which a before/after comparison
        does not count as removals. Where adoption is the engine's import (the plugin), the
        state it records (every contact read, none declared, exclusive) is the state (a)
        applies to; the numbers its read could not spell are not in it (see :meth:`up`).
        """
        resource = self.resource()
        in_state = self.state_numbers()
        declared_before = {n for n in in_state if self.provenance.get(n) in ("program", "either")}
        if kind != "up":
            if kind == "destroy" and resource is not None:
                return {(str(resource["id"]), n) for n in declared_before}
            return set()
        wanted = set(self.members)
        pairs: set[tuple[str, str]] = set()
        if resource is not None:
            old_list = str(resource["id"])
            if old_list == self.list_id:
                stays_exclusive = bool(self.stored(resource, "outputs").get("exclusive"))
                stays_exclusive = stays_exclusive and self.exclusive
                return {
                    (old_list, n)
                    for n in in_state - wanted
                    if n in declared_before or stays_exclusive
                }
            pairs |= {(old_list, n) for n in declared_before}  # replaced: the old one deleted
        if self.opt_in and not self.adopt:
            pairs |= {(self.list_id, n) for n in before.get(self.list_id, {}) if n not in wanted}
        if resource is None and self.adopt and self.front.engine_imports and self.exclusive:
            pairs |= {(self.list_id, n) for n in before.get(self.list_id, {}) if n not in wanted}
        return pairs

    # -- checks shared by every command ------------------------------------------------------

    def check_common(self, step: Step, allowed: set[tuple[str, str]]) -> None:
        wrong = sorted(step.removed - allowed)
        if wrong:
            self.removal_not_allowed(step, wrong, allowed)
        if step.kind in ("preview", "refresh"):
            assert step.writes == 0, f"a {step.kind} made {step.writes} write call(s)"
        if isinstance(step.error, h.PluginError) and not step.killed:
            assert self.front.error_message(step.error) is not None, (
                f"{step.kind} crashed: {step.error.details[-2000:]}"
            )

    def removal_not_allowed(
        self, step: Step, wrong: list[tuple[str, str]], allowed: set[tuple[str, str]]
    ) -> None:
        """Fail, from one line per kind of cause, so that hypothesis reports each apart."""
        text = (
            f"{step.kind} removed {wrong}, which the rule does not allow (allowed: "
            f"{sorted(allowed)}; error: {step.error}; faults: {step.faults})"
        )
        prior = step.state_before
        numbers = {n for _, n in wrong}
        if step.kind == "destroy":
            raise AssertionError(f"a destroy removed numbers only a refresh found: {text}")
        if prior is None:
            raise AssertionError(f"a create removed contacts it does not declare: {text}")
        if numbers & set(step_unreadable(step)):
            raise AssertionError(f"a number the client could not read was removed: {text}")
        prior_outputs = self.stored(prior, "outputs")
        if prior_outputs.get("account") != self.account:
            raise AssertionError(f"a change of account name removed contacts: {text}")
        if prior_outputs.get("exclusive") and not self.exclusive:
            raise AssertionError(f"turning exclusive off removed refresh-found contacts: {text}")
        if not numbers <= self.state_numbers(prior):
            raise AssertionError(f"an update removed contacts that are not in the state: {text}")
        raise AssertionError(text)

    # -- initial state -----------------------------------------------------------------------

    @initialize(
        members=st.dictionaries(st.sampled_from(POOL), FIELDS, max_size=4),
        console=st.dictionaries(st.sampled_from(POOL), FIELDS, max_size=3),
        exclusive=st.booleans(),
        account=st.sampled_from([None, "team"]),
        option=CREATE_OPTIONS,
        legacy=st.booleans(),
    )
    def start(
        self,
        members: Contacts,
        console: Contacts,
        exclusive: bool,
        account: str | None,
        option: str,
        legacy: bool,
    ) -> None:
        """The program, its create options, and the list as the console left it: with
        ``legacy``, it holds the declared members already (a list to adopt or take over)."""
        _hit()
        self.members = dict(members)
        self.exclusive = exclusive
        self.account = account
        self.adopt, self.opt_in = option == "import_", option == "opt_in"
        for number, fields in (console | members if legacy else console).items():
            self.emulator.backend.console_add_contact(self.list_id, number, **fields)

    # -- the program -------------------------------------------------------------------------

    @rule(number=st.sampled_from((*POOL, *POOL, *POOL, REFUSED)), fields=FIELDS)
    def program_adds(self, number: str, fields: dict[str, str]) -> None:
        _hit()
        self.members[number] = dict(fields)

    @precondition(lambda self: self.members)
    @rule(data=st.data(), fields=FIELDS)
    def program_edits(self, data: st.DataObject, fields: dict[str, str]) -> None:
        _hit()
        self.members[data.draw(st.sampled_from(sorted(self.members)))] = dict(fields)

    @precondition(lambda self: self.members)
    @rule(data=st.data())
    def program_drops(self, data: st.DataObject) -> None:
        _hit()
        del self.members[data.draw(st.sampled_from(sorted(self.members)))]

    @rule()
    def program_toggles_exclusive(self) -> None:
        _hit()
        self.exclusive = not self.exclusive

    @precondition(lambda self: self.account is not None)
    @rule(data=st.data())
    def program_changes_account_name(self, data: st.DataObject) -> None:
        """Another name for the same credentials: an update that removes nothing."""
        _hit()
        self.account = data.draw(st.sampled_from([n for n in ACCOUNT_NAMES if n != self.account]))
        if self.resource_list() == self.list_id:
            step = self.run_step("preview", lambda: self.stack.preview({NAME: self.entry()}))
            self.check_common(step, set())
            assert step.summary is not None, step.error
            assert step.summary.ops[NAME] != "replace", (
                "a change of account name to the same credentials replaces the members"
            )

    @precondition(lambda self: self.resource() is None)
    @rule(option=CREATE_OPTIONS)
    def program_sets_create_options(self, option: str) -> None:
        """Before a create: adopt the list with ``import_``, or opt in to removing the
        undeclared contacts (or neither again)."""
        _hit()
        self.adopt, self.opt_in = option == "import_", option == "opt_in"

    @precondition(lambda self: self.list_exists and self.resource_list() == self.list_id)
    @rule()
    def program_renames_list(self) -> None:
        """The ContactList is renamed: its ``list_id`` is unknown while the preview runs."""
        _hit()
        renames = HITS[self.front.name]["program_renames_list"]
        self.emulator.backend.console_rename_list(
            self.list_id, f"renamed {self.front} {type(self).examples}.{renames}"
        )
        entry = self.entry(list_id=h.UNKNOWN)
        step = self.run_step("preview", lambda: self.stack.preview({NAME: entry}))
        self.check_common(step, set())
        assert step.error is None, step.error
        assert step.summary is not None
        assert step.summary.ops[NAME] != "replace", (
            f"a rename of the list previews its members as {step.summary.ops[NAME]}"
        )

    # -- the console -------------------------------------------------------------------------

    @precondition(lambda self: self.list_exists)
    @rule(number=st.sampled_from(POOL), fields=FIELDS)
    def console_adds(self, number: str, fields: dict[str, str]) -> None:
        _hit()
        if number not in self.live()[self.list_id]:
            self.emulator.backend.console_add_contact(self.list_id, number, **fields)
            type(self).plugin_reads_stale = True

    @precondition(lambda self: self.list_exists)
    @rule(data=st.data(), first_name=st.sampled_from(["Ann", "Zoe", ""]))
    def console_edits(self, data: st.DataObject, first_name: str) -> None:
        _hit()
        numbers = sorted(self.live()[self.list_id])
        if numbers:
            number = data.draw(st.sampled_from(numbers))
            self.emulator.backend.console_update_contact(
                self.list_id, number, first_name=first_name
            )
            type(self).plugin_reads_stale = True

    @precondition(lambda self: self.list_exists)
    @rule(data=st.data())
    def console_removes(self, data: st.DataObject) -> None:
        _hit()
        numbers = sorted(self.live()[self.list_id])
        if numbers:
            number = data.draw(st.sampled_from(numbers))
            self.emulator.backend.console_remove_contact(self.list_id, number)
            type(self).plugin_reads_stale = True

    @precondition(lambda self: self.list_exists)
    @rule(now=st.integers(min_value=0, max_value=4))
    def console_deletes_list(self, now: int) -> None:
        """Rare (one draw in five), or most examples would end on a list that is gone."""
        _hit()
        if now != 4:
            return
        self.emulator.backend.console_delete_list(self.list_id)
        self.list_exists = False
        type(self).plugin_reads_stale = True

    @precondition(lambda self: not self.list_exists)
    @rule()
    def program_moves_to_new_list(self) -> None:
        """After the list was deleted: a new list in the console, the program points at it."""
        _hit()
        self.list_id = self._new_list()
        self.list_exists = True

    # -- faults (for the next engine command) ------------------------------------------------

    @precondition(lambda self: not self.faults)
    @rule(
        kind=st.sampled_from(["http503", "http429", "drop_after", "truncated", "drop_before"]),
        endpoint=st.sampled_from(["contact/list/information", "contact/add", "contact/delete"]),
    )
    def fault_transient(self, kind: str, endpoint: str) -> None:
        """One call fails once; the client's one resend gets through."""
        _hit()
        options: dict[str, Any] = {"retry_after": 0} if kind in ("http503", "http429") else {}

        def arm() -> str:
            self.emulator.faults.add(kind, count=1, endpoint=endpoint, **options)
            return f"{kind} once on {endpoint}"

        self.faults.append(arm)

    @precondition(lambda self: not self.faults)
    @rule(endpoint=st.sampled_from(["contact/add", "contact/update", "contact/delete"]))
    def fault_failing_call(self, endpoint: str) -> None:
        """One call fails on every attempt: the step fails part-way."""
        _hit()

        def arm() -> str:
            self.emulator.faults.add("http503", count=2, endpoint=endpoint, retry_after=0)
            return f"http503 twice on {endpoint}"

        self.faults.append(arm)

    @precondition(lambda self: self.list_exists and not self.faults)
    @rule(data=st.data())
    def fault_unreadable_number(self, data: st.DataObject) -> None:
        """The list's replies spell one live number so that the client cannot read it."""
        _hit()
        numbers = sorted(self.live()[self.list_id])
        if not numbers:
            return
        number = data.draw(st.sampled_from(numbers))

        def arm() -> str:
            self.proxy.unreadable = {number}
            self.unreadable = {number}
            return f"{number} unreadable"

        self.faults.append(arm)

    @precondition(lambda self: not self.faults)
    @rule(after=st.integers(min_value=0, max_value=3))
    def fault_interrupts_up(self, after: int) -> None:
        """The plugin dies at the write after ``after`` writes (an up stopped part-way)."""
        _hit()
        plugin_of = type(self)

        def arm() -> str:
            plugin = plugin_of.plugin
            assert plugin is not None
            self.proxy.stop_at_write(after, plugin.proc.kill)
            return f"plugin killed after {after} write(s)"

        self.faults.append(arm)

    # -- engine commands ---------------------------------------------------------------------

    @precondition(lambda self: self.resource() is not None)
    @rule()
    def preview(self) -> None:
        _hit()
        step = self.run_step("preview", lambda: self.stack.preview({NAME: self.entry()}))
        self.check_common(step, set())

    @precondition(lambda self: self.resource() is not None)
    @rule()
    def refresh(self) -> None:
        _hit()
        if type(self).plugin_reads_stale:
            self._restart_plugin()  # a new `pulumi refresh`: no read cached by another command
        prior = copy.deepcopy(self.resource())
        step = self.run_step("refresh", self.stack.refresh)
        self.check_common(step, set())
        if step.error is not None:
            return
        resource = self.resource()
        if prior is None:
            assert resource is None
            return
        if str(prior["id"]) not in step.after:
            assert resource is None, "a refresh kept members of a list that no longer exists"
            self.provenance = {}
            return
        assert resource is not None
        live = step.after[str(prior["id"])]
        unread = set(step_unreadable(step))
        numbers, fields = self.state_numbers(), self.state_fields(resource)
        for number in numbers:
            if number not in POOL and number != REFUSED:
                assert unread, f"the state holds {number!r}, a number AvoSMS does not hold"
                continue
            if number in unread:
                continue
            assert number in live, f"after a refresh the state holds {number}, AvoSMS does not"
            assert fields.get(number, {}) == live[number], (
                f"after a refresh the state holds {number} as {fields.get(number)}, "
                f"AvoSMS as {live[number]}"
            )
        if self.stored(resource, "outputs").get("exclusive"):
            missing = set(live) - unread - numbers
            assert not missing, f"an exclusive refresh does not show {sorted(missing)}"
        else:
            kept = (self.state_numbers(prior) & set(live)) - unread
            assert kept <= numbers, f"an additive refresh lost {sorted(kept - numbers)}"
        for number in numbers:
            if number not in self.provenance:
                either = number in self.declared_in_failed
                self.provenance[number] = "either" if either else "refresh"
        self.provenance = {n: p for n, p in self.provenance.items() if n in numbers}

    @rule()
    def up(self) -> None:
        _hit()
        importing = self.adopt and self.front.engine_imports and self.resource() is None
        if importing:
            # The import reads the list as a refresh does (a cached read, if any): a new
            # `pulumi up` has none from another command, whichever account's client wrote.
            self._restart_plugin()
        before_allowed = self.live()
        allowed = self.allowed("up", before_allowed)
        entry = self.entry()
        step = self.run_step("up", lambda: self.stack.up({NAME: entry}))
        if importing:
            allowed -= {(self.list_id, n) for n in step_unreadable(step)}  # not imported
        self.check_common(step, allowed)
        prior = step.state_before
        creating = prior is None or str(prior["id"]) != self.list_id
        wanted = set(self.members)
        live_before = step.before.get(self.list_id, {})
        live_after = step.after.get(self.list_id, {})
        # A number the client cannot read is left alone: whether it counts is not asserted.
        undeclared = sorted(set(live_before) - wanted - set(step_unreadable(step)))
        if (
            creating
            and prior is None
            and self.exclusive
            and not self.adopt
            and not self.opt_in
            and undeclared
            and self.list_exists
            and not step.killed
        ):
            assert step.error is not None, (
                f"an exclusive create went ahead on a list holding {len(undeclared)} contact(s) "
                f"the program does not declare: {undeclared}"
            )
            assert step.writes == 0, f"a refused create made {step.writes} write call(s)"
            text = self.failure(step)
            if not step.faults and isinstance(step.error, h.PluginError) and text is not None:
                assert str(len(undeclared)) in text and undeclared[0] in text, text
                spelled = self.front.spelled
                assert spelled("import_") in text and spelled(OPT_IN) in text, text
            return
        if step.error is not None:
            self.declared_in_failed |= wanted
            if step.killed:
                return
            matches = all(live_before.get(n) == f for n, f in self.members.items())
            if prior is None and self.adopt and matches and self.list_exists and not step.faults:
                # Adoption takes the declared contacts over (the others are left alone, or
                # removed as the rule allows after the engine's import).
                raise AssertionError(
                    f"an adoption of a list holding every declared member failed: {step.error}"
                )
            # Additive mode and creates: the fresh adds are undone. Exclusive: the next
            # refresh (exclusive, from the state kept: the old one, or what an engine's
            # import recorded) shows them. The state kept may also be the new one of a
            # replacement whose deletion of the old one failed: it holds what it added.
            kept = self.resource()
            on_list = kept is not None and str(kept["id"]) == self.list_id
            kept_numbers = self.state_numbers(kept) if on_list else set()
            for number in kept_numbers - self.provenance.keys():
                if number in self.declared_in_failed:  # as a refresh would count it
                    self.provenance[number] = "either"
            if not (on_list and kept and self.stored(kept, "outputs").get("exclusive")):
                fresh = set(live_after) - set(live_before)
                left = fresh - kept_numbers
                # When the undo itself fails, the failure lists each one the state lacks.
                text = str(step.error)
                listed = "could not be removed again" in text and "not in the state" in text
                assert not left or (listed and all(n in text for n in left)), (
                    f"the failed up left {sorted(left)} in AvoSMS where no later command sees "
                    f"them ({step.error})"
                )
            return
        if prior is None and self.adopt:
            HITS[self.front.name][ADOPTED] += 1
        self.check_successful_up(step, creating)

    def check_successful_up(self, step: Step, creating: bool) -> None:
        prior = step.state_before
        resource = self.resource()
        assert resource is not None
        numbers = self.state_numbers()
        wanted = set(self.members)
        live_before = step.before.get(self.list_id, {})
        live_after = step.after.get(self.list_id, {})
        fields_before = {} if creating else self.state_fields(prior)
        assert wanted <= numbers, f"the state lacks the declared {sorted(wanted - numbers)}"
        if creating and self.adopt:
            assert numbers <= wanted, (
                f"an adoption put the undeclared {sorted(numbers - wanted)} in the state"
            )
        for number in numbers:
            unseen = (
                not creating
                and number in fields_before
                and number not in live_before
                and self.members.get(number) == fields_before.get(number)
            )
            if not unseen:  # a console removal not yet refreshed is not this step's doing
                assert number in live_after, (
                    f"the up succeeded and its state claims {number}, which AvoSMS lacks"
                )
        for number, fields in self.members.items():
            if creating or fields != fields_before.get(number):
                assert live_after.get(number) == fields, (
                    f"the up succeeded but AvoSMS holds {number} as {live_after.get(number)}, "
                    f"the program declares {fields}"
                )
        settled = all(live_before.get(n) == f for n, f in self.members.items())
        if not creating and self.members == fields_before and settled:
            assert step.writes == 0, (
                f"an up with nothing to do (ops {step.summary and step.summary.ops}) made "
                f"{step.writes} write call(s)"
            )
        self.provenance = {
            n: "program" if n in wanted else self.provenance.get(n, "refresh") for n in numbers
        }
        again = self.run_step("preview", lambda: self.stack.preview({NAME: self.entry()}))
        self.check_common(again, set())
        assert again.error is None, again.error
        assert again.summary is not None
        assert set(again.summary.ops.values()) == {"same"}, (
            f"the preview after an up plans {again.summary.ops}"
        )

    @precondition(lambda self: self.resource() is not None)
    @rule()
    def destroy(self) -> None:
        _hit()
        allowed = self.allowed("destroy", self.live())
        step = self.run_step("destroy", self.stack.destroy)
        self.check_common(step, allowed)
        if step.error is None:
            assert self.resource() is None
            self.provenance = {}

    def teardown(self) -> None:
        self.emulator.faults.clear()
        self.proxy.clear()


def step_unreadable(step: Step) -> list[str]:
    """The numbers a step's replies spelled unreadably (from its fault descriptions)."""
    return [f.split()[0] for f in step.faults if f.endswith(" unreadable")]


@pytest.fixture(scope="module")
def proxy(emulator_server: EmulatorServer) -> Iterator[HostileProxy]:
    hostile = HostileProxy(emulator_server.api_url)
    try:
        yield hostile
    finally:
        hostile.close()


@pytest.fixture
def model_on(emulator: EmulatorServer, proxy: HostileProxy) -> Iterator[Callable[[FrontEnd], None]]:
    """Points :class:`MembersModel` at a front end, the reset emulator and the proxy; closes
    its plugin at the end."""

    def on(front: FrontEnd) -> None:
        MembersModel.front = front
        MembersModel.emulator = emulator
        MembersModel.proxy = proxy
        HITS[front.name].clear()

    try:
        yield on
    finally:
        if MembersModel.plugin is not None:
            MembersModel.plugin.close()
            MembersModel.plugin = None


_ANN = {"first_name": "Ann"}
#: Examples the model found, shrunk by hand: (rule, arguments) in order.
FOUND: dict[str, list[tuple[str, dict[str, Any]]]] = {
    # The plugin answered a refresh without drift with no inputs, which its server sends as
    # empty inputs, and the engine then stores: the members' fields, kept in the inputs only,
    # were gone.
    "a refresh without drift keeps the fields": [
        ("start", {"members": {POOL[0]: _ANN}, "exclusive": False}),
        ("up", {}),
        ("refresh", {}),
    ],
    # The engine's import stores the inputs its read answers (the members as a program
    # declares them); when the update after it fails, they stay, and the next refresh keeps
    # them: the state must still say which fields each number has.
    "a failed update after an import leaves a readable state": [
        (
            "start",
            {
                "members": {POOL[0]: _ANN, POOL[1]: {}},
                "console": {POOL[0]: _ANN},
                "option": "import_",
            },
        ),
        ("fault_failing_call", {"endpoint": "contact/add"}),
        ("up", {}),
        ("refresh", {}),
    ],
    # A contact added in the console that the program then declares: the update adds it, the
    # first attempt's outcome is unknown (HTTP 503), the resend finds it there with the
    # fields sent and counts it as added; another add fails, and the undo of the step's
    # "fresh" adds removes a contact that was there before the step.
    "a failed update removes no contact that was there before it": [
        ("start", {"members": {POOL[0]: {}}, "exclusive": False}),
        ("up", {}),
        ("console_adds", {"number": POOL[1], "fields": {}}),
        ("program_adds", {"number": POOL[1], "fields": {}}),
        ("program_adds", {"number": REFUSED, "fields": {}}),
        ("fault_transient", {"kind": "http503", "endpoint": "contact/add"}),
        ("up", {}),
    ],
}


@pytest.mark.parametrize("steps", FOUND.values(), ids=FOUND)
@pytest.mark.parametrize("front", FRONT_ENDS, ids=str)
def test_found_by_the_model(
    front: FrontEnd,
    steps: list[tuple[str, dict[str, Any]]],
    model_on: Callable[[FrontEnd], None],
) -> None:
    model_on(front)
    model = MembersModel()
    start: dict[str, Any] = {
        "members": {},
        "console": {},
        "exclusive": True,
        "account": None,
        "option": "none",
        "legacy": False,
    }
    try:
        for rule_name, arguments in steps:
            args = start | arguments if rule_name == "start" else arguments
            getattr(model, rule_name)(**args)
    finally:
        model.teardown()


@pytest.mark.parametrize("front", FRONT_ENDS, ids=str)
def test_members_model(front: FrontEnd, model_on: Callable[[FrontEnd], None]) -> None:
    model_on(front)
    examples, steps = (EXPLORE_EXAMPLES, EXPLORE_STEPS) if EXPLORING else (CI_EXAMPLES, CI_STEPS)
    run_state_machine_as_test(
        MembersModel,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    rules = {
        name
        for name, value in vars(MembersModel).items()
        if hasattr(value, "hypothesis_stateful_rule")
        or hasattr(value, "hypothesis_stateful_initialize_rule")
    }
    ran = set(HITS[front.name])
    assert rules | {ADOPTED} <= ran, f"never run on {front}: {sorted(rules | {ADOPTED} - ran)}"
