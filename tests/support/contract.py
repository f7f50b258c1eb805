"""The engine contract both front ends meet: one scenario table, run on each front end.

A :class:`FrontEnd` is one way a program reaches the rules: ``dynamic`` (a Python program's
``ContactList(...)``, through ``python -m pulumi.dynamic``) or ``plugin`` (any language's
``avosms:index:ContactList``, through the ``avosms`` plugin started as RunPlugin does). Both
are driven by :class:`~tests.support.harness.Stack` with the engine's exact requests; a
scenario declares resources with Python property names and reads results back in Python names,
so the same assertions hold for both. Where the engine's path differs by nature (adoption: the
dynamic resource carries ``import_`` as an input, the plugin gets the engine's import Read with
an ID and no properties) the front end supplies its path and the scenario asserts the outcome.

``tests/plugin_provider/test_contract.py`` runs every scenario of :data:`SCENARIOS` on every
front end of :data:`FRONT_ENDS`; ``tests/plugin/test_members_model.py`` runs the model of the
removal rule on each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from pulumi_avosms import Contact, ContactList
from pulumi_avosms._members_state import members_of
from pulumi_avosms.contact_list_members import ContactListMembers
from pulumi_avosms.plugin.fields import language_neutral, to_python_names, to_schema_names
from tests.support import harness as h
from tests.support.plugin_harness import ProviderPlugin, package_error_message

#: The resources, by the class name both front ends share.
_CLASSES: dict[str, Any] = {
    "ContactList": ContactList,
    "Contact": Contact,
    "ContactListMembers": ContactListMembers,
}


@dataclass(frozen=True)
class Secret:
    """A value the program marks secret (``pulumi.Output.secret`` / ``pulumi.secret``)."""

    value: Any


@dataclass(frozen=True)
class FrontEnd:
    """How programs of one front end reach the engine (see the module documentation)."""

    name: str
    start: Callable[..., h.PluginProcess]
    """``start(env=None)``: a new plugin process, as each `pulumi` command starts one, with
    no ``AVOSMS_*`` variable but those of ``env``; configured by its stack's first command."""
    declare: Callable[..., dict[str, Any]]
    """``declare(kind, resource_name, import_id=None, **python_props)``: what the program
    registers, as a ``program_inputs()`` entry (type, inputs, secret keys, import ID)."""
    python_names: Callable[[Mapping[str, Any]], dict[str, Any]]
    """Values the engine stores -> the Python property names scenarios assert on."""
    reference: Callable[[str, str, str], dict[str, Any]]
    """``reference(kind, resource_name, id)``: what ``<kind>.get(resource_name, id)``
    registers (a read of an object the stack does not manage)."""
    error_message: Callable[[h.PluginError], str | None]
    """The message of the package's error a failed call reported (what the user reads), or
    None when the plugin failed otherwise (a crash: any other exception)."""
    spelled: Callable[[str], str]
    """A text of the core (written for Python programs) as this front end's users read it:
    on the plugin, properties named as the schema does and ``import`` for ``import_``."""
    engine_imports: bool
    """How adoption (``import_id``) goes. False: the dynamic resource's create adopts what
    the program declares (``import_`` is one of its inputs). True: the engine's import step
    records the object as Read(id) with no properties answers it, then the program's Check,
    Diff and Update run against that state, as for any resource (eventual-state imports,
    Pulumi 3.172+; see :meth:`~tests.support.harness.Stack.up`)."""

    def __str__(self) -> str:
        return self.name


def _dynamic_declare(
    kind: str, resource_name: str, import_id: str | None = None, **props: Any
) -> dict[str, Any]:
    def program() -> None:
        args = {
            k: pulumi.Output.secret(v.value) if isinstance(v, Secret) else v
            for k, v in props.items()
        }
        opts = pulumi.ResourceOptions(import_=import_id) if import_id else None
        _CLASSES[kind](resource_name, **args, opts=opts)

    return h.program_inputs(program)[resource_name]


def _plugin_declare(
    kind: str, resource_name: str, import_id: str | None = None, **props: Any
) -> dict[str, Any]:
    # A generated SDK sends only the properties the program set, under their schema names.
    inputs = {k: v.value if isinstance(v, Secret) else v for k, v in props.items() if v is not None}
    secret_keys = [k for k, v in props.items() if isinstance(v, Secret)]
    return {
        "type": f"avosms:index:{kind}",
        "inputs": to_schema_names(inputs),
        "secret_keys": list(to_schema_names(dict.fromkeys(secret_keys))),
        "import_id": import_id,
    }


def _dynamic_error_message(err: h.PluginError) -> str | None:
    # The dynamic-provider plugin sends the traceback, whose last line names the class.
    return err.exception_message if err.exception_type.startswith("pulumi_avosms.") else None


def _dynamic_reference(kind: str, resource_name: str, id_: str) -> dict[str, Any]:
    return h.program_inputs(lambda: _CLASSES[kind].get(resource_name, id_))[resource_name]


def _plugin_reference(kind: str, resource_name: str, id_: str) -> dict[str, Any]:
    # A generated SDK's get() registers the read with no state arguments.
    return {"type": f"avosms:index:{kind}", "inputs": {}, "secret_keys": [], "read_id": id_}


def _dynamic_start(env: Mapping[str, str | None] | None = None) -> h.PluginProcess:
    return h.PluginProcess(unset_prefixes=["AVOSMS_"], env=env)


def _plugin_start(env: Mapping[str, str | None] | None = None) -> h.PluginProcess:
    return ProviderPlugin(env=env)


DYNAMIC = FrontEnd(
    "dynamic",
    start=_dynamic_start,
    declare=_dynamic_declare,
    python_names=dict,
    reference=_dynamic_reference,
    error_message=_dynamic_error_message,
    spelled=str,
    engine_imports=False,
)
PLUGIN = FrontEnd(
    "plugin",
    start=_plugin_start,
    declare=_plugin_declare,
    python_names=to_python_names,
    reference=_plugin_reference,
    error_message=package_error_message,
    spelled=language_neutral,
    engine_imports=True,
)
FRONT_ENDS = (DYNAMIC, PLUGIN)


@dataclass
class Run:
    """One scenario on one front end: its stack, the emulator, the front end."""

    front: FrontEnd
    stack: h.Stack
    emulator: Any
    plugins: list[h.PluginProcess] = field(default_factory=list)

    def declare(self, kind: str, resource_name: str, **props: Any) -> dict[str, Any]:
        """What the program registers for ``kind(resource_name, **props)`` on this front end."""
        return self.front.declare(kind, resource_name, **props)

    def next_command(self) -> None:
        """The next `pulumi` command: a fresh plugin process (configured on first use)."""
        self.stack.plugin.close()
        self.stack.plugin = self.front.start()
        self.plugins.append(self.stack.plugin)

    def outputs(self, name: str) -> dict[str, Any]:
        """A resource's stored outputs, Python names."""
        return self.front.python_names(self.stack.outputs(name))

    def inputs(self, name: str) -> dict[str, Any]:
        """A resource's stored inputs, Python names."""
        return self.front.python_names(self.stack.inputs(name))

    def calls(self) -> int:
        """AvoSMS API calls so far."""
        return int(self.emulator.stats.snapshot()["total_calls"])


# -- the scenarios -----------------------------------------------------------------------


def up_then_no_op(run: Run) -> None:
    """up creates the list with every output; the next up calls nothing."""
    lst = run.declare("ContactList", "customers", name=" Customers FR ", country_code="fr")
    assert run.stack.up({"customers": lst}).ops == {"customers": "create"}
    outputs = run.outputs("customers")
    assert (outputs["name"], outputs["country_code"], outputs["country_name"]) == (
        "Customers FR",
        "FR",
        "France",
    )
    assert outputs["list_id"] == run.stack.id("customers")
    run.next_command()
    before = run.calls()
    assert run.stack.up({"customers": lst}).ops == {"customers": "same"}
    assert run.calls() == before


def rename_in_place_country_replaces(run: Run) -> None:
    """A new name updates in place; a new country (with a new name) replaces."""
    run.stack.up({"l": run.declare("ContactList", "l", name="A", country_code="FR")})
    first = run.stack.id("l")
    summary = run.stack.up({"l": run.declare("ContactList", "l", name="B", country_code="FR")})
    assert summary.ops == {"l": "update"}
    assert run.stack.id("l") == first
    assert run.emulator.backend.get_list(first)["name"] == "B"
    summary = run.stack.up({"l": run.declare("ContactList", "l", name="C", country_code="BE")})
    assert summary.ops == {"l": "replace"}
    assert run.stack.id("l") != first


def same_name_country_change_fails_at_preview(run: Run) -> None:
    """The check refuses what cannot work, naming the property as the program spells it."""
    run.stack.up({"l": run.declare("ContactList", "l", name="A", country_code="FR")})
    before = run.calls()
    try:
        run.stack.preview({"l": run.declare("ContactList", "l", name="A", country_code="BE")})
    except h.CheckFailedError as err:
        (prop, reason), *_ = err.failures
    else:
        raise AssertionError("the preview passed")
    assert run.front.python_names({prop: None}) == {"country_code": None}
    assert "cannot change a list's country" in reason
    assert run.calls() == before


def refresh_sees_drift(run: Run) -> None:
    """A rename in the console is drift that refresh records and up undoes."""
    lst = run.declare("ContactList", "l", name="Customers", country_code="FR")
    run.stack.up({"l": lst})
    run.emulator.backend.console_rename_list(run.stack.id("l"), "By hand")
    run.next_command()
    assert run.stack.refresh().ops == {"l": "refresh-update"}
    assert run.outputs("l")["name"] == "By hand"
    assert run.inputs("l")["name"] == "By hand"
    assert run.stack.up({"l": lst}).ops == {"l": "update"}
    run.next_command()
    assert run.stack.refresh().ops == {"l": "refresh"}


def gone_is_dropped_at_refresh(run: Run) -> None:
    """A list deleted in the console leaves the state at refresh."""
    run.stack.up({"l": run.declare("ContactList", "l", name="X", country_code="FR")})
    run.emulator.backend.console_delete_list(run.stack.id("l"))
    run.next_command()
    assert run.stack.refresh().ops == {"l": "delete"}
    assert run.stack.state == {}


def adopt_by_id_changes_nothing(run: Run) -> None:
    """Adopting an existing list by its ID writes nothing; a mismatch is refused (dynamic) or
    previewed as an update after the import (plugin)."""
    existing = run.emulator.backend.console_create_list("Legacy", "FR")
    run.emulator.backend.console_add_contact(existing, "+33612345678")
    wrong = run.declare("ContactList", "w", name="Other", country_code="FR", import_id=existing)
    if run.front.name == "plugin":
        # The engine imports what it reads, then updates it to the program (eventual-state
        # imports, Pulumi 3.172+): the preview says so, before anything is written.
        preview = run.stack.preview({"w": wrong})
        assert preview.ops == {"w": "import, update"}
        assert preview.diffs["w"].diffs == ["name"]
    else:
        # The dynamic resource's adoption is the provider's own create: it refuses.
        try:
            run.stack.up({"w": wrong})
        except (h.PluginError, h.EngineError):
            pass
        else:
            raise AssertionError("adopting a list under another name passed")
    assert run.stack.state == {}
    assert run.emulator.backend.get_list(existing)["name"] == "Legacy"
    lst = run.declare("ContactList", "legacy", name="Legacy", country_code="FR", import_id=existing)
    run.stack.up({"legacy": lst})
    assert run.stack.id("legacy") == existing
    assert run.outputs("legacy")["contact_count"] == 1
    assert [x["name"] for x in run.emulator.backend.lists()] == ["Legacy"]
    assert run.stack.up({"legacy": lst}).ops == {"legacy": "same"}


def unknowns_at_preview(run: Run) -> None:
    """A list ID not known until the list exists: the preview plans, calls nothing."""
    plan = run.stack.preview(
        {
            "l": run.declare("ContactList", "l", name="New", country_code="FR"),
            "alice": run.declare(
                "Contact", "alice", list_id=h.UNKNOWN, phone_number="+33612345678"
            ),
            "m": run.declare(
                "ContactListMembers",
                "m",
                list_id=h.UNKNOWN,
                members=[{"phone_number": "+33698765432"}],
            ),
        }
    )
    assert plan.ops == {"l": "create", "alice": "create", "m": "create"}
    assert run.front.python_names(plan.checked["alice"])["list_id"] == h.UNKNOWN
    assert run.calls() == 0


def secrets_stay_secret(run: Run) -> None:
    """The API key reaches no state or message; a secret input stays secret in the state."""
    run.stack.up({"l": run.declare("ContactList", "l", name="L", country_code="FR")})
    list_id = run.stack.id("l")
    alice = run.declare(
        "Contact", "alice", list_id=list_id, phone_number="+33612345678", email=Secret("a@x.fr")
    )
    run.stack.up(
        {"alice": alice, "l": run.declare("ContactList", "l", name="L", country_code="FR")}
    )
    stored = run.stack.resource("alice")["outputs"]  # secret marks kept
    by_python_name = dict(
        zip(run.front.python_names(dict.fromkeys(stored)), stored.values(), strict=True)
    )
    assert h.is_secret(by_python_name["email"]), by_python_name["email"]
    key = run.stack.config["avosms:apiKey"]
    texts = [repr(run.stack.state), run.stack.plugin.stderr_text(), run.stack.plugin.stdout_text()]
    try:
        run.stack.up(
            {"dup": run.declare("ContactList", "dup", name="L", country_code="FR")}
            | {"l": run.declare("ContactList", "l", name="L", country_code="FR")}
        )
    except h.PluginError as err:
        texts.append(err.details)
    else:
        raise AssertionError("a second list named L was created")
    assert not [text for text in texts if key in text]


def contact_fields_update_number_replaces(run: Run) -> None:
    """A contact's fields update in place; a new number replaces it."""
    list_id = run.emulator.backend.console_create_list("L", "FR")
    first = run.declare("Contact", "c", list_id=list_id, phone_number="+33 6 12 34 56 78")
    assert run.stack.up({"c": first}).ops == {"c": "create"}
    assert run.stack.id("c") == f"{list_id}/+33612345678"
    named = run.declare(
        "Contact", "c", list_id=list_id, phone_number="+33612345678", first_name="Alice"
    )
    assert run.stack.up({"c": named}).ops == {"c": "update"}
    assert run.outputs("c")["first_name"] == "Alice"
    moved = run.declare("Contact", "c", list_id=list_id, phone_number="+33698765432")
    assert run.stack.up({"c": moved}).ops == {"c": "replace"}
    numbers = [c["phone_number"] for c in run.emulator.backend.get_list(list_id)["contacts"]]
    assert numbers == ["+33698765432"]


def members_converge_and_drift(run: Run) -> None:
    """A membership is applied, a console addition is drift, up removes it."""
    list_id = run.emulator.backend.console_create_list("L", "FR")
    members = run.declare(
        "ContactListMembers",
        "m",
        list_id=list_id,
        members=[{"phone_number": "+33612345678", "first_name": "Alice"}],
    )
    run.stack.up({"m": members})
    assert run.outputs("m")["member_count"] == 1
    run.emulator.backend.console_add_contact(list_id, "+33698765432")
    run.next_command()
    assert run.stack.refresh().ops == {"m": "refresh-update"}
    assert run.stack.up({"m": members}).ops == {"m": "update"}
    numbers = [c["phone_number"] for c in run.emulator.backend.get_list(list_id)["contacts"]]
    assert numbers == ["+33612345678"]


def get_reads_without_managing(run: Run) -> None:
    """``.get(name, id)`` reads a list at every deployment and never writes or deletes it;
    an ID with no list fails."""
    existing = run.emulator.backend.console_create_list("Elsewhere", "FR")
    got = run.front.reference("ContactList", "elsewhere", existing)
    assert run.stack.up({"elsewhere": got}).ops == {"elsewhere": "read"}
    assert run.outputs("elsewhere")["name"] == "Elsewhere"
    run.emulator.backend.console_rename_list(existing, "Renamed")
    run.next_command()
    assert run.stack.up({"elsewhere": got}).ops == {"elsewhere": "read"}
    assert run.outputs("elsewhere")["name"] == "Renamed"
    run.stack.destroy()
    assert run.emulator.backend.get_list(existing)["name"] == "Renamed"
    try:
        run.stack.up({"ghost": run.front.reference("ContactList", "ghost", "404")})
    except h.EngineError as err:
        assert "resource '404' does not exist" in str(err)
    else:
        raise AssertionError("a .get() of a missing list passed")


def destroy_leaves_the_list_and_says_so(run: Run) -> None:
    """AvoSMS cannot delete a list: destroy forgets it and says it still exists."""
    run.stack.up({"l": run.declare("ContactList", "l", name="Kept", country_code="FR")})
    list_id = run.stack.id("l")
    run.next_command()
    assert run.stack.destroy().ops == {"l": "delete"}
    assert f"contact list {list_id}" in run.stack.plugin.wait_for_stderr("still exists")
    assert run.emulator.backend.get_list(list_id)["name"] == "Kept"


def refresh_failure_keeps_the_state(run: Run) -> None:
    """A refresh that cannot reach AvoSMS fails naming the list, and forgets nothing."""
    run.stack.up({"l": run.declare("ContactList", "l", name="L", country_code="FR")})
    list_id = run.stack.id("l")
    run.next_command()
    run.stack.plugin.configure({**run.stack.config, "avosms:maxRetries": "1"})
    run.emulator.faults.add("err9xx", count=1000, code="ERR_902")
    try:
        run.stack.refresh()
    except h.PluginError as err:
        assert f"Could not refresh contact list {list_id}" in err.details
    else:
        raise AssertionError("the refresh passed")
    assert run.stack.id("l") == list_id


def additive_members_leave_others_alone(run: Run) -> None:
    """``exclusive=False`` manages the declared numbers only."""
    list_id = run.emulator.backend.console_create_list("L", "FR")
    run.emulator.backend.console_add_contact(list_id, "+33611111111")
    members = run.declare(
        "ContactListMembers",
        "m",
        list_id=list_id,
        members=[{"phone_number": "+33612345678"}],
        exclusive=False,
    )
    run.stack.up({"m": members})
    stored = run.inputs("m")
    run.next_command()
    assert run.stack.refresh().ops == {"m": "refresh"}
    # A refresh without drift keeps the inputs the engine holds (the fields of each member).
    assert run.inputs("m") == stored
    assert members_of(stored) == {"+33612345678": {}}
    run.stack.destroy()
    numbers = [c["phone_number"] for c in run.emulator.backend.get_list(list_id)["contacts"]]
    assert numbers == ["+33611111111"]


def adopt_members_removes_only_what_a_preview_listed(run: Run) -> None:
    """Adopting a list's members by its ID writes nothing when the program declares the
    list's contacts. When it declares fewer, an additive membership removes none of the
    others; an exclusive one removes them only after a preview listed them (the plugin: the
    engine's import, then an update to the program) or leaves them to the next refresh (the
    dynamic resource's adoption takes over the declared contacts only)."""
    backend = run.emulator.backend
    declared = [
        {"phone_number": "+33612345678", "first_name": "Alice"},
        {"phone_number": "+33698765432"},
    ]

    def legacy_list() -> str:
        list_id = backend.console_create_list(f"Legacy {len(backend.lists())}", "FR")
        backend.console_add_contact(list_id, "+33612345678", first_name="Alice")
        backend.console_add_contact(list_id, "+33698765432")
        return list_id

    def contacts(list_id: str) -> list[tuple[str, str | None]]:
        listed = backend.get_list(list_id)["contacts"]
        return [(c["phone_number"], c.get("first_name")) for c in listed]

    whole_list = legacy_list()
    both = contacts(whole_list)
    whole = run.declare(
        "ContactListMembers", "m", list_id=whole_list, members=declared, import_id=whole_list
    )
    calls = run.calls()
    run.stack.up({"m": whole})
    assert run.outputs("m")["member_count"] == 2
    assert run.stack.up({"m": whole}).ops == {"m": "same"}
    run.next_command()
    assert run.stack.refresh().ops == {"m": "refresh"}
    assert contacts(whole_list) == both
    assert run.calls() - calls <= 3  # reads only: no write

    def adopting_one(name: str, list_id: str, **more: Any) -> dict[str, Any]:
        """A program that adopts ``list_id`` declaring only its first contact."""
        return run.declare(
            "ContactListMembers",
            name,
            list_id=list_id,
            members=declared[:1],
            import_id=list_id,
            **more,
        )

    additive_list = legacy_list()
    additive = adopting_one("a", additive_list, exclusive=False)
    run.stack.up({"m": whole, "a": additive})
    run.next_command()
    run.stack.refresh()
    run.stack.up({"m": whole, "a": additive})
    assert contacts(additive_list) == both

    exclusive_list = legacy_list()
    exclusive = adopting_one("e", exclusive_list)
    program = {"m": whole, "a": additive, "e": exclusive}
    preview = run.stack.preview(program)
    if run.front.name == "plugin":
        assert preview.ops["e"] == "import, update"
        assert "members" in preview.diffs["e"].diffs
        assert set(run.front.python_names(preview.checked["e"])["members"]) == {"+33612345678"}
        run.stack.up(program)
        assert contacts(exclusive_list) == both[:1]  # the removal the preview listed
    else:
        assert preview.ops["e"] == "create"
        run.stack.up(program)
        assert contacts(exclusive_list) == both  # left to the next refresh
    assert contacts(whole_list) == both
    assert contacts(additive_list) == both


SCENARIOS: tuple[Callable[[Run], None], ...] = (
    up_then_no_op,
    rename_in_place_country_replaces,
    same_name_country_change_fails_at_preview,
    refresh_sees_drift,
    gone_is_dropped_at_refresh,
    adopt_by_id_changes_nothing,
    unknowns_at_preview,
    secrets_stay_secret,
    contact_fields_update_number_replaces,
    members_converge_and_drift,
    get_reads_without_managing,
    destroy_leaves_the_list_and_says_so,
    refresh_failure_keeps_the_state,
    additive_members_leave_others_alone,
    adopt_members_removes_only_what_a_preview_listed,
)
