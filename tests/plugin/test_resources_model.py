"""A model of Contact and ContactList: nothing removed or changed that the program did not ask for.

A smaller machine than tests/plugin/test_members_model.py, with the same invariant: one
stack holding a ``ContactList`` and up to three ``Contact`` resources in it, driven through
the real plugin against the emulator. Rules: the program renames the list, adds, edits,
drops contacts or changes one's number, and changes ``account`` to another name for the same
credentials; the console adds, edits and removes contacts and renames the list; the engine
previews, ups, refreshes and destroys. After every command:

1. no contact is removed that the program did not ask to remove (a dropped ``Contact``, the
   old number of a replaced one, a destroy's ``Contact`` resources), and no contact that no
   ``Contact`` resource manages is changed;
2. the list is never removed, and its name changes only to the name the program declares;
3. an ``up`` is followed by a preview that plans nothing, and a preview or refresh makes
   no write.

Under ``CI=true`` the run is derandomised: :data:`CI_EXAMPLES` examples of up to
:data:`CI_STEPS` steps; ``HYPOTHESIS_PROFILE=explore`` draws :data:`EXPLORE_EXAMPLES`.
"""

from __future__ import annotations

import collections
import itertools
import os
import sys
from collections.abc import Callable, Iterator
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

from pulumi_avosms import Contact, ContactList
from pulumi_avosms.emulator import EmulatorServer
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY
from tests.support.hostile_proxy import WRITE_ENDPOINTS

LIST_TYPE = h.CONTACT_LIST_TYPE
CONTACT_TYPE = "pulumi-python:dynamic/avosms:Contact"
LIST = "list"
POOL = tuple(f"+3361234567{i}" for i in range(5))
SLOTS = ("c0", "c1", "c2")
FIELDS = st.sampled_from([{}, {"first_name": "Ann"}, {"first_name": "Bob", "other": "x"}])
#: Names of the same credentials ("team" and "Team" read AVOSMS_TEAM_*, "ops" AVOSMS_OPS_*).
ACCOUNT_NAMES = ("team", "Team", "ops")
#: 25 examples of up to 25 steps (about 20 s when every invariant holds); explore: 200.
CI_EXAMPLES, CI_STEPS = 25, 25
EXPLORE_EXAMPLES = 200
EXPLORING = os.environ.get("HYPOTHESIS_PROFILE") == "explore"

HITS: collections.Counter[str] = collections.Counter()
#: List names are never reused: AvoSMS keeps every list, and refuses a name taken.
NAMES = itertools.count()
Contacts = dict[str, dict[str, str]]


def _hit() -> None:
    HITS[sys._getframe(1).f_code.co_name] += 1


def provider_references() -> dict[str, str]:
    """The ``__provider`` of each type, as a real program sends it."""
    recorded = h.program_inputs(
        lambda: (
            ContactList("l", name="n", country_code="FR"),
            Contact("c", list_id="1", phone_number=POOL[0]),
        )
    )
    return {r["type"]: str(r["inputs"][h.PROVIDER_KEY]) for r in recorded.values()}


class ResourcesModel(RuleBasedStateMachine):
    """A ContactList and Contacts in it: the program, the console and the engine."""

    emulator: EmulatorServer
    providers: dict[str, str]
    plugin: h.PluginProcess | None = None

    def __init__(self) -> None:
        super().__init__()
        self.emulator.faults.clear()
        self.name = f"resources {next(NAMES)}"
        self.account: str | None = None
        #: slot -> (number, fields): the Contact resources the program declares.
        self.contacts: dict[str, tuple[str, dict[str, str]]] = {}
        self.stack = self._new_stack(fresh=False)
        self.list_id: str | None = None

    # -- plumbing ----------------------------------------------------------------------------

    def _new_stack(self, state: dict[str, Any] | None = None, *, fresh: bool = True) -> h.Stack:
        """A stack on a new plugin process, as each `pulumi` command starts (no cached read);
        with ``fresh=False``, on the one already running (a new example: nothing to read)."""
        cls = type(self)
        if cls.plugin is not None and (fresh or not cls.plugin.alive):
            cls.plugin.close()
            cls.plugin = None
        if cls.plugin is None:
            cls.plugin = self._start_plugin()
        config = {
            "avosms:apiId": DEMO_ID,
            "avosms:apiKey": DEMO_KEY,
            "avosms:endpoint": self.emulator.api_url,
        }
        stack = h.Stack(cls.plugin, config=config, default_type=LIST_TYPE)
        stack.state = state if state is not None else {}
        # The account listing cached by the last example's refresh does not show this one's.
        self.console_changed = not fresh
        return stack

    def _start_plugin(self) -> h.PluginProcess:
        env: dict[str, str | None] = {}
        for name in ("TEAM", "OPS"):
            env[f"AVOSMS_{name}_API_ID"] = DEMO_ID
            env[f"AVOSMS_{name}_API_KEY"] = DEMO_KEY
            env[f"AVOSMS_{name}_ENDPOINT"] = self.emulator.api_url
        return h.PluginProcess(unset_prefixes=["AVOSMS_"], env=env)

    def program(self) -> dict[str, dict[str, Any]]:
        """What the program registers: the list, then its contacts (once the list exists)."""
        list_inputs: dict[str, Any] = {
            h.PROVIDER_KEY: self.providers[LIST_TYPE],
            "name": self.name,
            "country_code": "FR",
        }
        if self.account is not None:
            list_inputs["account"] = self.account
        resources = {LIST: {"type": LIST_TYPE, "inputs": list_inputs}}
        if self.list_id is None:
            return resources
        for slot, (number, fields) in sorted(self.contacts.items()):
            inputs: dict[str, Any] = {
                h.PROVIDER_KEY: self.providers[CONTACT_TYPE],
                "list_id": self.list_id,
                "phone_number": number,
                **fields,
            }
            if self.account is not None:
                inputs["account"] = self.account
            resources[slot] = {"type": CONTACT_TYPE, "inputs": inputs}
        return resources

    def live(self) -> tuple[str | None, Contacts]:
        """The list's name and contacts in AvoSMS."""
        found = self.emulator.backend.get_list(self.list_id) if self.list_id else None
        if found is None:
            return None, {}
        return found["name"], {
            c["phone_number"]: {k: v for k, v in c.items() if v and k != "phone_number"}
            for c in found["contacts"]
        }

    def writes(self) -> int:
        calls = self.emulator.stats.snapshot()["calls"]
        return sum(int(calls.get(endpoint, 0)) for endpoint in WRITE_ENDPOINTS)

    def managed(self) -> dict[str, str]:
        """number -> slot of the Contact resources in the state."""
        return {
            str(h.strip_secrets(r["outputs"])["phone_number"]): name.split("::")[-1]
            for name, r in self.stack.state.items()
            if r["type"] == CONTACT_TYPE
        }

    def run(
        self, kind: str, command: Callable[[], h.Summary], may_remove: set[str]
    ) -> h.Summary | None:
        """Run a command; check what it removed and changed. Its summary, if it succeeded."""
        name_before, before = self.live()
        managed = self.managed()
        declared = {number for number, _ in self.contacts.values()}
        writes = self.writes()
        error: Exception | None = None
        summary: h.Summary | None = None
        try:
            summary = command()
        except (h.PluginError, h.EngineError) as err:
            error = err
        name_after, after = self.live()
        removed = set(before) - set(after)
        assert removed <= may_remove, (
            f"{kind} removed {sorted(removed - may_remove)}, which the program did not ask to "
            f"remove ({error})"
        )
        for number, fields in before.items():
            if number in after and number not in managed and number not in declared:
                assert after[number] == fields, f"{kind} changed {number}, which no Contact manages"
        if name_before is not None:
            assert name_after is not None, f"{kind} removed the list"
            assert name_after in (name_before, self.name), (
                f"{kind} renamed the list to {name_after!r}; the program says {self.name!r}"
            )
        if kind in ("preview", "refresh"):
            assert self.writes() == writes, f"a {kind} wrote to AvoSMS"
        if isinstance(error, h.PluginError):
            assert error.exception_type.startswith("pulumi_avosms."), error.details[-2000:]
        return summary

    # -- rules -------------------------------------------------------------------------------

    @initialize(account=st.sampled_from([None, "team"]))
    def start(self, account: str | None) -> None:
        _hit()
        self.account = account

    @rule(slot=st.sampled_from(SLOTS), number=st.sampled_from(POOL), fields=FIELDS)
    def program_declares_contact(self, slot: str, number: str, fields: dict[str, str]) -> None:
        """A new Contact, or a change of one's fields or number (a replacement)."""
        _hit()
        taken = {n for s, (n, _) in self.contacts.items() if s != slot}
        if number not in taken:
            self.contacts[slot] = (number, dict(fields))

    @precondition(lambda self: self.contacts)
    @rule(data=st.data())
    def program_drops_contact(self, data: st.DataObject) -> None:
        _hit()
        del self.contacts[data.draw(st.sampled_from(sorted(self.contacts)))]

    @rule()
    def program_renames_list(self) -> None:
        _hit()
        self.name = f"renamed {next(NAMES)}"

    @precondition(lambda self: self.account is not None)
    @rule(data=st.data())
    def program_changes_account_name(self, data: st.DataObject) -> None:
        """Another name for the same credentials: an update of each resource, no replacement."""
        _hit()
        self.account = data.draw(st.sampled_from([n for n in ACCOUNT_NAMES if n != self.account]))
        summary = self.stack.preview(self.program())
        replaced = sorted(n for n, op in summary.ops.items() if op == "replace")
        assert not replaced, f"a change of account name to the same credentials replaces {replaced}"

    @rule(number=st.sampled_from(POOL), fields=FIELDS)
    def console_adds(self, number: str, fields: dict[str, str]) -> None:
        _hit()
        self.console_changed = True
        if self.list_id and number not in self.live()[1]:
            self.emulator.backend.console_add_contact(self.list_id, number, **fields)

    @rule(data=st.data(), first_name=st.sampled_from(["Zoe", ""]))
    def console_edits(self, data: st.DataObject, first_name: str) -> None:
        _hit()
        self.console_changed = True
        numbers = sorted(self.live()[1])
        if numbers:
            number = data.draw(st.sampled_from(numbers))
            self.emulator.backend.console_update_contact(
                str(self.list_id), number, first_name=first_name
            )

    @rule(data=st.data())
    def console_removes(self, data: st.DataObject) -> None:
        _hit()
        self.console_changed = True
        numbers = sorted(self.live()[1])
        if numbers:
            number = data.draw(st.sampled_from(numbers))
            self.emulator.backend.console_remove_contact(str(self.list_id), number)

    @rule()
    def console_renames_list(self) -> None:
        _hit()
        self.console_changed = True
        name, _ = self.live()
        if name is not None:
            self.emulator.backend.console_rename_list(str(self.list_id), f"console {next(NAMES)}")

    @rule()
    def up(self) -> None:
        _hit()
        if self.list_id is None:
            # The first up creates the list; the contacts name its ID from the next one on.
            if self.run("up", lambda: self.stack.up(self.program()), set()):
                self.list_id = self.stack.id(LIST)
            return
        managed = self.managed()
        declared = {number for number, _ in self.contacts.values()}
        # Removed only: a managed number the program no longer declares (dropped, replaced).
        may_remove = set(managed) - declared
        summary = self.run("up", lambda: self.stack.up(self.program()), may_remove)
        if summary is None:
            return
        _, live = self.live()
        for slot, (number, fields) in self.contacts.items():
            if summary.ops.get(slot) == "same":
                continue  # a console change not yet refreshed is not this up's doing
            assert live.get(number) == fields, (
                f"the up succeeded but AvoSMS holds {number} as {live.get(number)}, "
                f"the program declares {fields}"
            )
        writes = self.writes()
        summary = self.stack.preview(self.program())
        assert set(summary.ops.values()) <= {"same"}, f"the preview after an up plans {summary.ops}"
        assert self.writes() == writes

    @rule()
    def preview(self) -> None:
        _hit()
        self.run("preview", lambda: self.stack.preview(self.program()), set())

    @rule()
    def refresh(self) -> None:
        _hit()
        if self.console_changed:  # a new `pulumi refresh`: no read cached by another command
            self.stack = self._new_stack(self.stack.state)
        self.run("refresh", self.stack.refresh, set())

    @rule()
    def destroy(self) -> None:
        _hit()
        if self.run("destroy", self.stack.destroy, set(self.managed())):
            # AvoSMS keeps the list: the program starts again with a new one.
            self.name = f"resources {next(NAMES)}"
            self.list_id = None


@pytest.fixture
def plugin_cleanup() -> Iterator[None]:
    yield
    if ResourcesModel.plugin is not None:
        ResourcesModel.plugin.close()
        ResourcesModel.plugin = None


def test_resources_model(emulator_server: EmulatorServer, plugin_cleanup: None) -> None:
    ResourcesModel.emulator = emulator_server
    ResourcesModel.providers = provider_references()
    HITS.clear()
    run_state_machine_as_test(
        ResourcesModel,
        settings=settings(
            max_examples=EXPLORE_EXAMPLES if EXPLORING else CI_EXAMPLES,
            stateful_step_count=CI_STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    rules = {n for n, v in vars(ResourcesModel).items() if hasattr(v, "hypothesis_stateful_rule")}
    assert rules <= set(HITS), f"rules never run: {sorted(rules - set(HITS))}"
