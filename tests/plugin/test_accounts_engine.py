"""Several AvoSMS accounts in one stack, through the real plugin, on the emulator.

The stack's default account is the demo one; ``agency`` is a second account of the same
emulator, configured as the engine hands structured config to a dynamic provider (the
``avosms:accounts`` value as JSON text, secret); ``remote`` is an account with its own
endpoint (a second emulator).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_avosms import Contact, ContactList, ContactListMembers
from pulumi_avosms.emulator import EmulatorBackend, EmulatorServer
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
