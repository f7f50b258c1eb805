"""Several AvoSMS accounts in one stack, through the real plugin, on the emulator.

The stack's default account is the demo one; ``agency`` is a second account of the same
emulator, configured as the engine hands structured config to a dynamic provider (the
``avosms:accounts`` value as JSON text, secret); ``remote`` is an account with its own
endpoint (a second emulator).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_avosms import (
    Contact,
    ContactList,
    ContactListMembers,
    _runtime,
    get_contact_list,
    get_contact_list_output,
    get_contact_lists,
)
from pulumi_avosms.config import ConfigurationError
from pulumi_avosms.emulator import EmulatorBackend, EmulatorServer
from pulumi_avosms.errors import AuthenticationError, ContactListLookupError
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY

AGENCY_ID = "agency@example.com"
AGENCY_KEY = "agency-key-5b1f0c7e93d2"
REMOTE_ID = "remote@example.com"
REMOTE_KEY = "remote-key-8e44a1c0f7b6"
SECRET_CONFIG = ["avosms:apiKey", "avosms:accounts"]


@pytest.fixture
def agency(emulator: EmulatorServer) -> Iterator[EmulatorServer]:
    """The session emulator, with the agency's account beside the demo one."""
    emulator.backend.accounts[AGENCY_ID] = AGENCY_KEY
    try:
        yield emulator
    finally:
        del emulator.backend.accounts[AGENCY_ID]


@pytest.fixture
def remote() -> Iterator[EmulatorServer]:
    """A second AvoSMS (another endpoint), with its own account."""
    server = EmulatorServer(host="127.0.0.1", port=0, accounts={REMOTE_ID: REMOTE_KEY})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def accounts_config(agency: EmulatorServer, **accounts: dict[str, str]) -> dict[str, str]:
    return {
        "avosms:apiId": DEMO_ID,
        "avosms:apiKey": DEMO_KEY,
        "avosms:endpoint": agency.api_url,
        "avosms:accounts": json.dumps(
            {"agency": {"apiId": AGENCY_ID, "apiKey": AGENCY_KEY}, **accounts}
        ),
    }


def start_plugin(**kwargs: Any) -> h.PluginProcess:
    kwargs.setdefault("unset_prefixes", ["AVOSMS_"])
    return h.PluginProcess(**kwargs)


@pytest.fixture
def stack(agency: EmulatorServer) -> Iterator[h.Stack]:
    stack = h.Stack(start_plugin(), config=accounts_config(agency), secret_keys=SECRET_CONFIG)
    yield stack
    stack.plugin.close()


def next_command(stack: h.Stack, **plugin_kwargs: Any) -> h.Stack:
    """The next `pulumi` command: a new plugin process."""
    stack.plugin.close()
    stack.plugin = start_plugin(**plugin_kwargs)
    return stack


def program(**resources: Any) -> dict[str, Any]:
    """What the program registers: ``name=lambda: Resource(name, ...)`` pairs."""
    return h.program_inputs(lambda: [make() for make in resources.values()])


def lists_by_account(emulator: EmulatorServer) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in emulator.backend.lists():
        found.setdefault(row["account"], []).append(row["name"])
    return found


def assert_no_key(stack: h.Stack, *keys: str) -> None:
    text = json.dumps(stack.state) + stack.plugin.stderr_text()
    for key in keys:
        assert key not in text


def test_each_list_lands_in_the_account_it_names_and_refreshes_from_it(
    stack: h.Stack, agency: EmulatorServer
) -> None:
    resources = program(
        own=lambda: ContactList("own", name="Own customers", country_code="FR"),
        client=lambda: ContactList(
            "client", name="Client customers", country_code="FR", account="agency"
        ),
    )
    summary = stack.up(resources)
    assert summary.ops == {"own": "create", "client": "create"}
    assert lists_by_account(agency) == {DEMO_ID: ["Own customers"], AGENCY_ID: ["Client customers"]}
    assert stack.outputs("client")["account"] == "agency"
    assert "account" not in stack.outputs("own")
    assert stack.inputs("client")["account"] == "agency"

    # Each list is read from its own account: the demo account cannot see the agency's list.
    agency.backend.console_rename_list(stack.id("client"), "Client customers 2026")
    next_command(stack)
    refreshed = stack.refresh()
    assert refreshed.ops == {"own": "refresh", "client": "refresh-update"}
    assert stack.outputs("client")["name"] == "Client customers 2026"
    assert stack.outputs("client")["account"] == "agency"
    assert stack.inputs("client")["account"] == "agency"

    # The program again: the agency list is renamed back, in its account; the other is left.
    next_command(stack)
    assert stack.up(resources).ops == {"own": "same", "client": "update"}
    assert lists_by_account(agency)[AGENCY_ID] == ["Client customers"]
    assert_no_key(stack, AGENCY_KEY, DEMO_KEY)


def test_contacts_and_members_use_the_account_of_their_list(
    stack: h.Stack, agency: EmulatorServer
) -> None:
    list_id = agency.backend.console_create_list("Clients FR", "FR", account=AGENCY_ID)
    resources = program(
        alice=lambda: Contact(
            "alice", list_id=list_id, phone_number="+33612345678", account="agency"
        ),
        members=lambda: ContactListMembers(
            "members",
            list_id=list_id,
            members=[{"phone_number": "+33612345679", "first_name": "Bob"}],
            exclusive=False,
            account="agency",
        ),
    )
    assert stack.up(resources).ops == {"alice": "create", "members": "create"}
    [row] = agency.backend.lists(AGENCY_ID)
    assert sorted(c["phone_number"] for c in row["contacts"]) == ["+33612345678", "+33612345679"]
    next_command(stack)
    assert stack.refresh().ops == {"alice": "refresh", "members": "refresh"}
    next_command(stack)
    stack.destroy()
    assert agency.backend.lists(AGENCY_ID)[0]["contacts"] == []
    assert_no_key(stack, AGENCY_KEY)


def test_without_account_the_agency_list_is_out_of_reach(
    stack: h.Stack, agency: EmulatorServer
) -> None:
    list_id = agency.backend.console_create_list("Clients FR", "FR", account=AGENCY_ID)
    resources = program(
        alice=lambda: Contact("alice", list_id=list_id, phone_number="+33612345678")
    )
    with pytest.raises(h.PluginError, match=f"contact list {list_id} does not exist"):
        stack.up(resources)


def test_a_change_of_account_replaces_the_list(stack: h.Stack, agency: EmulatorServer) -> None:
    def customers(account: str | None) -> dict[str, Any]:
        return program(
            customers=lambda: ContactList(
                "customers", name="Customers", country_code="FR", account=account
            )
        )

    stack.up(customers(None))
    old_id = stack.id("customers")
    next_command(stack)
    preview = stack.preview(customers("agency"))
    assert preview.ops == {"customers": "replace"}
    assert preview.diffs["customers"].replaces == ["account"]
    next_command(stack)
    assert stack.up(customers("agency")).ops == {"customers": "replace"}
    assert stack.id("customers") != old_id
    # AvoSMS cannot delete lists: the old one stays in the default account.
    assert lists_by_account(agency) == {DEMO_ID: ["Customers"], AGENCY_ID: ["Customers"]}
    next_command(stack)
    assert stack.up(customers("agency")).ops == {"customers": "same"}


def test_another_name_for_the_same_account_updates_the_list_with_one_read(
    agency: EmulatorServer,
) -> None:
    """`account` moves to another name of the same credentials: an update, no replacement;
    it reads the list once (to rename back a console rename) and writes nothing else."""
    config = accounts_config(agency, billing={"apiId": AGENCY_ID, "apiKey": AGENCY_KEY})
    stack = h.Stack(start_plugin(), config=config, secret_keys=SECRET_CONFIG)
    try:

        def customers(account: str) -> dict[str, Any]:
            return program(
                customers=lambda: ContactList(
                    "customers", name="Customers", country_code="FR", account=account
                )
            )

        stack.up(customers("agency"))
        list_id = stack.id("customers")
        next_command(stack)
        calls = agency.stats.snapshot()["total_calls"]
        assert stack.up(customers("billing")).ops == {"customers": "update"}
        assert agency.stats.snapshot()["total_calls"] - calls == 1
        assert stack.id("customers") == list_id
        assert stack.outputs("customers")["account"] == "billing"
        # Renamed in the console meanwhile: the next such update renames it back.
        agency.backend.console_rename_list(list_id, "Renamed")
        next_command(stack)
        assert stack.up(customers("agency")).ops == {"customers": "update"}
        assert agency.backend.get_list(list_id)["name"] == "Customers"
    finally:
        stack.plugin.close()


def test_an_unknown_account_fails_at_preview_naming_the_configured_ones(
    agency: EmulatorServer,
) -> None:
    plugin = start_plugin(env={"AVOSMS_CLIENT_B_API_ID": "b@example.com"})
    stack = h.Stack(plugin, config=accounts_config(agency), secret_keys=SECRET_CONFIG)
    try:
        resources = program(
            customers=lambda: ContactList(
                "customers", name="Customers", country_code="FR", account="agnecy"
            )
        )
        with pytest.raises(h.CheckFailedError) as caught:
            stack.preview(resources)
        [(prop, reason)] = caught.value.failures
        assert prop == "account"
        assert "account 'agnecy' is not configured" in reason
        assert "'agency', 'client_b'" in reason
        assert AGENCY_KEY not in reason and AGENCY_ID not in reason
        assert agency.backend.lists() == []
    finally:
        plugin.close()


def test_an_account_from_the_environment_only(agency: EmulatorServer) -> None:
    env = {
        "AVOSMS_CLIENT_A_API_ID": AGENCY_ID,
        "AVOSMS_CLIENT_A_API_KEY": AGENCY_KEY,
    }
    config = {"avosms:apiId": DEMO_ID, "avosms:apiKey": DEMO_KEY, "avosms:endpoint": agency.api_url}
    stack = h.Stack(start_plugin(env=env), config=config, secret_keys=["avosms:apiKey"])
    try:
        resources = program(
            client=lambda: ContactList(
                "client", name="Client list", country_code="FR", account="client-a"
            )
        )
        stack.up(resources)
        assert lists_by_account(agency) == {AGENCY_ID: ["Client list"]}
        assert stack.outputs("client")["account"] == "client-a"
        assert_no_key(stack, AGENCY_KEY)
    finally:
        stack.plugin.close()


def test_an_account_with_its_own_endpoint(
    stack: h.Stack, agency: EmulatorServer, remote: EmulatorServer
) -> None:
    stack.config = accounts_config(
        agency, remote={"apiId": REMOTE_ID, "apiKey": REMOTE_KEY, "endpoint": remote.api_url}
    )
    resources = program(
        far=lambda: ContactList("far", name="Far list", country_code="FR", account="remote"),
        near=lambda: ContactList("near", name="Near list", country_code="FR", account="agency"),
    )
    stack.up(resources)
    assert lists_by_account(remote) == {REMOTE_ID: ["Far list"]}
    assert lists_by_account(agency) == {AGENCY_ID: ["Near list"]}
    assert_no_key(stack, AGENCY_KEY, REMOTE_KEY)


def test_a_named_key_in_an_input_is_refused_without_showing_it(stack: h.Stack) -> None:
    resources = program(
        leak=lambda: ContactList("leak", name=f"List {AGENCY_KEY.upper()}", country_code="FR")
    )
    with pytest.raises(h.CheckFailedError) as caught:
        stack.preview(resources)
    [(prop, reason)] = caught.value.failures
    assert prop == "name"
    assert "avosms:accounts.agency.apiKey" in reason
    assert AGENCY_KEY.casefold() not in str(caught.value).casefold()
    assert AGENCY_KEY.casefold() not in stack.plugin.stderr_text().casefold()


def test_the_config_map_may_arrive_as_a_map_with_secret_leaves(
    agency: EmulatorServer,
) -> None:
    config: dict[str, Any] = accounts_config(agency)
    config["avosms:accounts"] = {"agency": {"apiId": AGENCY_ID, "apiKey": h.secret(AGENCY_KEY)}}
    stack = h.Stack(start_plugin(), config=config, secret_keys=["avosms:apiKey"])
    try:
        resources = program(
            client=lambda: ContactList("client", name="Client", country_code="FR", account="agency")
        )
        stack.up(resources)
        assert lists_by_account(agency) == {AGENCY_ID: ["Client"]}
    finally:
        stack.plugin.close()


def test_embedded_emulator_keeps_each_named_account_apart(tmp_path: Path) -> None:
    state = tmp_path / "emulator.sqlite3"
    config = {
        "avosms:endpoint": "emulator",
        "avosms:emulatorState": str(state),
        "avosms:accounts": json.dumps({"agency": {"endpoint": "emulator"}}),
    }
    stack = h.Stack(start_plugin(), config=config)
    try:
        resources = program(
            own=lambda: ContactList("own", name="Customers", country_code="FR"),
            client=lambda: ContactList(
                "client", name="Customers", country_code="FR", account="agency"
            ),
        )
        stack.up(resources)
    finally:
        stack.plugin.close()
    backend = EmulatorBackend(str(state))
    try:
        accounts = sorted(row["account"] for row in backend.lists())
    finally:
        backend.close()
    assert len(accounts) == 2 and accounts[0] != accounts[1]


# -- lookups and .get() name the account too --------------------------------------------------


@pytest.fixture
def program_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The program process sees only the stack config each test gives."""
    for name in list(os.environ):
        if name.startswith("AVOSMS_"):
            monkeypatch.delenv(name)
    yield
    _runtime.reset()


def test_lookups_read_the_account_they_name(agency: EmulatorServer, program_env: None) -> None:
    agency.backend.console_create_list("Customers", "FR")
    client_id = agency.backend.console_create_list("Customers", "BE", account=AGENCY_ID)
    found: dict[str, Any] = {}

    def look_up() -> None:
        found["own"] = get_contact_list(name="Customers")
        found["client"] = get_contact_list(name="Customers", account="agency")
        found["all"] = get_contact_lists(account="agency")
        get_contact_list_output(name="Customers", account="agency").apply(
            lambda info: found.setdefault("output", info)
        )

    h.program_inputs(look_up, config=accounts_config(agency), secret_config_keys=SECRET_CONFIG)
    assert found["own"].country_code == "FR"
    assert (found["client"].list_id, found["client"].country_code) == (client_id, "BE")
    assert [info.list_id for info in found["all"]] == [client_id]
    assert found["output"].list_id == client_id

    def unknown() -> None:
        get_contact_lists(account="nobody")

    with pytest.raises(ConfigurationError, match="the accounts configured are 'agency'"):
        h.program_inputs(unknown, config=accounts_config(agency), secret_config_keys=SECRET_CONFIG)


def test_get_reads_the_list_from_its_account(stack: h.Stack, agency: EmulatorServer) -> None:
    list_id = agency.backend.console_create_list("Clients FR", "FR", account=AGENCY_ID)
    name = "clients"
    entry = h.program_inputs(lambda: ContactList.get(name, list_id, account="agency"))[name]
    stack.read_resource(name, None, entry)
    assert stack.outputs(name)["name"] == "Clients FR"
    assert stack.outputs(name)["account"] == "agency"
    # Without the account, the agency's list does not exist for the default account.
    plain = h.program_inputs(lambda: ContactList.get("plain", list_id))["plain"]
    with pytest.raises(h.EngineError, match="does not exist"):
        stack.read_resource("plain", None, plain)


# -- a named account whose key AvoSMS rejects ---------------------------------------------------

CLIENT_A_ID = "client-a@example.com"
CLIENT_A_KEY = "client-a-key-2c9d7e41f0"
WRONG_KEY = "client-a-WRONG-key-6f03b8d5a1"
#: Where each way of configuring client-a puts its credentials, as the error must name them.
CLIENT_A_SOURCES = {
    "stack-config": "avosms:accounts.client-a.apiId and avosms:accounts.client-a.apiKey",
    "environment": "AVOSMS_CLIENT_A_API_ID and AVOSMS_CLIENT_A_API_KEY",
}


@pytest.fixture(params=list(CLIENT_A_SOURCES))
def client_a(request: pytest.FixtureRequest, agency: EmulatorServer) -> Iterator[dict[str, Any]]:
    """client-a exists in AvoSMS, but the stack holds a wrong key for it, in the stack config
    or in the environment; agency's credentials are right."""
    agency.backend.accounts[CLIENT_A_ID] = CLIENT_A_KEY
    if request.param == "stack-config":
        wrong = {"client-a": {"apiId": CLIENT_A_ID, "apiKey": WRONG_KEY}}
        setup = {"config": accounts_config(agency, **wrong), "env": {}}
    else:
        env = {"AVOSMS_CLIENT_A_API_ID": CLIENT_A_ID, "AVOSMS_CLIENT_A_API_KEY": WRONG_KEY}
        setup = {"config": accounts_config(agency), "env": env}
    setup["expected"] = (
        "AvoSMS did not recognise the API credentials of account 'client-a', read from "
        f"{CLIENT_A_SOURCES[request.param]}; check both values"
    )
    try:
        yield setup
    finally:
        del agency.backend.accounts[CLIENT_A_ID]


def assert_names_client_a(err: h.PluginError | Exception, expected: str) -> None:
    text = err.details if isinstance(err, h.PluginError) else str(err)
    assert expected in text
    assert "avosms:apiId" not in text and "AVOSMS_API_ID" not in text  # the default's
    assert WRONG_KEY not in text and CLIENT_A_KEY not in text


def test_a_rejected_key_names_that_accounts_settings_while_the_other_account_works(
    agency: EmulatorServer, client_a: dict[str, Any]
) -> None:
    expected = client_a["expected"]
    stack = h.Stack(
        start_plugin(env=client_a["env"]), config=client_a["config"], secret_keys=SECRET_CONFIG
    )
    try:
        agency_list = agency.backend.console_create_list("Clients FR", "FR", account=AGENCY_ID)

        def near() -> ContactList:
            return ContactList("near", name="Near list", country_code="FR", account="agency")

        # The program registers its resources concurrently: the agency's list first, alone.
        assert stack.up(program(near=near)).ops == {"near": "create"}
        # A resource: client-a's list is refused, naming client-a's settings.
        bad = program(
            near=near,
            bad=lambda: ContactList("bad", name="Bad", country_code="FR", account="client-a"),
        )
        with pytest.raises(h.PluginError) as caught:
            stack.up(bad)
        assert caught.value.raised("ContactListError")
        assert_names_client_a(caught.value, expected)
        assert lists_by_account(agency) == {AGENCY_ID: ["Clients FR", "Near list"]}

        # Members, and a read-only reference (.get): the same account, the same message.
        members = program(
            near=near,
            members=lambda: ContactListMembers(
                "members",
                list_id=agency_list,
                members=[{"phone_number": "+33612345679"}],
                account="client-a",
            ),
        )
        with pytest.raises(h.PluginError) as caught:
            stack.up(members)
        assert_names_client_a(caught.value, expected)
        entry = h.program_inputs(lambda: ContactList.get("ref", agency_list, account="client-a"))
        with pytest.raises(h.PluginError) as caught:
            stack.read_resource("ref", None, entry["ref"])
        assert_names_client_a(caught.value, expected)

        # The agency's list keeps working in the same plugin process: refreshed, renamed back.
        agency.backend.console_rename_list(stack.id("near"), "Renamed in the console")
        assert stack.refresh().ops == {"near": "refresh-update"}
        assert stack.up(program(near=near)).ops == {"near": "update"}
        assert sorted(lists_by_account(agency)[AGENCY_ID]) == ["Clients FR", "Near list"]
        text = json.dumps(stack.state) + stack.plugin.stderr_text()
        assert WRONG_KEY not in text and CLIENT_A_KEY not in text and AGENCY_KEY not in text
    finally:
        stack.plugin.close()


def test_a_lookup_with_a_rejected_key_names_that_accounts_settings(
    agency: EmulatorServer,
    client_a: dict[str, Any],
    program_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in client_a["env"].items():
        monkeypatch.setenv(name, value)
    agency.backend.console_create_list("Customers", "FR", account=AGENCY_ID)
    found: dict[str, Any] = {}

    def look_up() -> None:
        found["agency"] = get_contact_list(name="Customers", account="agency")
        try:
            get_contact_list(name="Customers", account="client-a")
        except ContactListLookupError as err:
            found["error"] = err

    h.program_inputs(look_up, config=client_a["config"], secret_config_keys=SECRET_CONFIG)
    assert found["agency"].name == "Customers"
    error = found["error"]
    assert isinstance(error.api_error, AuthenticationError)
    assert_names_client_a(error, client_a["expected"])
    assert WRONG_KEY not in repr(error)
