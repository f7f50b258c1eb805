"""ContactList through the real dynamic-provider plugin, driven over gRPC as the engine does.

Inputs, ``__provider`` included, come from running the real ``ContactList(...)`` constructor
under mocks (:func:`tests.support.harness.program_inputs`). Like the CLI, which starts a new plugin
for every command, :func:`next_command` gives the stack a fresh plugin process, so nothing
cached in one command (the account listing) is seen by the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from pulumi_avosms import ContactList
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY


def start_plugin(**kwargs: Any) -> h.PluginProcess:
    kwargs.setdefault("unset_prefixes", ["AVOSMS_"])
    return h.PluginProcess(**kwargs)


@pytest.fixture
def stack(avosms_config: dict[str, str]) -> Iterator[h.Stack]:
    stack = h.Stack(start_plugin(), config=avosms_config)
    yield stack
    stack.plugin.close()


def next_command(stack: h.Stack, **plugin_kwargs: Any) -> h.Stack:
    """Start the next `pulumi` command: a new plugin process, configured on first use."""
    stack.plugin.close()
    stack.plugin = start_plugin(**plugin_kwargs)
    return stack


def contact_list(
    resource_name: str = "customers",
    *,
    name: str = "Customers FR",
    country_code: str = "FR",
    opts: pulumi.ResourceOptions | None = None,
) -> dict[str, Any]:
    """What ``ContactList(resource_name, name=..., country_code=..., opts=...)`` registers."""
    return h.program_inputs(
        lambda: ContactList(resource_name, name=name, country_code=country_code, opts=opts)
    )[resource_name]


def calls(emulator: Any) -> int:
    return int(emulator.stats.snapshot()["total_calls"])


# -- the program side ----------------------------------------------------------------------


def test_contact_list_registers_type_inputs_and_a_small_provider_reference() -> None:
    entry = contact_list(name=" Customers FR ", country_code="fr")
    assert entry["type"] == "pulumi-python:dynamic/avosms:ContactList"
    assert entry["provider_secret"] is False
    inputs = entry["inputs"]
    assert (inputs["name"], inputs["country_code"]) == (" Customers FR ", "fr")
    payload = h.provider_payload(inputs["__provider"])
    assert b"pulumi_avosms.contact_list" in payload and b"ContactListProvider" in payload
    assert len(payload) < 100, payload
    assert DEMO_KEY.encode() not in payload


def test_import_option_becomes_an_input_and_leaves_the_engine_import_path() -> None:
    entry = contact_list(opts=pulumi.ResourceOptions(import_="42", protect=True))
    assert entry["inputs"]["import_id"] == "42"
    assert entry["import_id"] is None
    assert entry["options"].get("protect") is True


# -- up, no-op, update, replace ------------------------------------------------------------


def test_preview_of_a_new_stack_plans_a_create_without_calling_avosms(
    stack: h.Stack, emulator: Any
) -> None:
    summary = stack.preview({"customers": contact_list(country_code="fr")})
    assert summary.ops == {"customers": "create"}
    assert summary.checked["customers"]["country_code"] == "FR"
    assert calls(emulator) == 0
    assert stack.state == {}


def test_up_creates_the_list_with_every_output(stack: h.Stack, emulator: Any) -> None:
    summary = stack.up({"customers": contact_list()})
    assert summary.ops == {"customers": "create"}
    list_id = stack.id("customers")
    live = emulator.backend.get_list(list_id)
    outputs = stack.outputs("customers")
    assert outputs["list_id"] == list_id
    assert (outputs["name"], outputs["country_code"]) == ("Customers FR", "FR")
    assert outputs["country_name"] == live["country_name"] == "France"
    assert outputs["contact_count"] == 0
    assert outputs["created_at"] == live["created_at"]
    assert "contacts" not in outputs and "list_contact" not in outputs
    assert [lst["name"] for lst in emulator.backend.lists()] == ["Customers FR"]


def test_second_up_is_a_no_op_that_calls_nothing(stack: h.Stack, emulator: Any) -> None:
    stack.up({"customers": contact_list()})
    next_command(stack)
    before = calls(emulator)
    summary = stack.up({"customers": contact_list(country_code="fr")})
    assert summary.ops == {"customers": "same"}
    assert summary.diffs["customers"].changes == "DIFF_NONE"
    assert calls(emulator) == before


def test_contact_list_renamed_in_the_program_is_updated_in_place(
    stack: h.Stack, emulator: Any
) -> None:
    stack.up({"customers": contact_list()})
    list_id = stack.id("customers")
    next_command(stack)
    summary = stack.up({"customers": contact_list(name="Clients FR")})
    assert summary.ops == {"customers": "update"}
    assert summary.diffs["customers"].replaces == []
    assert stack.id("customers") == list_id
    assert stack.outputs("customers")["name"] == "Clients FR"
    assert emulator.backend.get_list(list_id)["name"] == "Clients FR"


def test_country_change_replaces_the_list(stack: h.Stack, emulator: Any) -> None:
    stack.up({"customers": contact_list()})
    old_id = stack.id("customers")
    next_command(stack)
    summary = stack.up({"customers": contact_list(name="Customers BE", country_code="BE")})
    assert summary.ops == {"customers": "replace"}
    assert summary.diffs["customers"].replaces == ["country_code"]
    new_id = stack.id("customers")
    assert new_id != old_id
    assert emulator.backend.get_list(new_id)["country_code"] == "BE"
    # AvoSMS cannot delete lists: the old one stays, and the user is told so.
    assert emulator.backend.get_list(old_id) is not None
    # The stderr reader thread may trail the RPC's reply.
    stack.plugin.wait_for_stderr(f"contact list {old_id}")


def test_country_change_keeping_the_name_fails_at_preview(stack: h.Stack, emulator: Any) -> None:
    stack.up({"customers": contact_list()})
    next_command(stack)
    with pytest.raises(h.CheckFailedError) as caught:
        stack.preview({"customers": contact_list(country_code="BE")})
    ((prop, reason),) = caught.value.failures
    assert prop == "country_code"
    assert "keeps the name" in reason
    assert len(emulator.backend.lists()) == 1


# -- refresh and drift ---------------------------------------------------------------------


def test_contact_list_renamed_out_of_band_is_drift_that_refresh_reconciles(
    stack: h.Stack, emulator: Any
) -> None:
    stack.up({"customers": contact_list()})
    list_id = stack.id("customers")
    emulator.backend.console_rename_list(list_id, "Renamed by hand")

    # `pulumi preview --refresh --expect-no-changes`: the refresh sees the drift and the
    # plan wants to rename it back, so the command would fail.
    next_command(stack)
    summary = stack.refresh()
    assert summary.ops == {"customers": "refresh-update"}
    assert stack.outputs("customers")["name"] == "Renamed by hand"
    assert stack.inputs("customers")["name"] == "Renamed by hand"
    plan = stack.preview({"customers": contact_list()})
    assert plan.ops == {"customers": "update"}

    # `pulumi up` puts the program's name back; the next refresh is clean.
    stack.up({"customers": contact_list()})
    assert emulator.backend.get_list(list_id)["name"] == "Customers FR"
    next_command(stack)
    assert stack.refresh().ops == {"customers": "refresh"}
    assert stack.preview({"customers": contact_list()}).ops == {"customers": "same"}


def test_refresh_without_drift_is_clean(stack: h.Stack) -> None:
    stack.up({"customers": contact_list()})
    next_command(stack)
    assert stack.refresh().ops == {"customers": "refresh"}
    assert stack.preview({"customers": contact_list()}).ops == {"customers": "same"}


def test_contact_list_deleted_out_of_band_is_dropped_then_recreated(
    stack: h.Stack, emulator: Any
) -> None:
    stack.up({"customers": contact_list()})
    old_id = stack.id("customers")
    emulator.backend.console_delete_list(old_id)
    next_command(stack)
    assert stack.refresh().ops == {"customers": "delete"}
    assert stack.state == {}
    assert stack.up({"customers": contact_list()}).ops == {"customers": "create"}
    assert stack.id("customers") != old_id
    assert [lst["name"] for lst in emulator.backend.lists()] == ["Customers FR"]


def test_contacts_added_in_the_console_show_in_contact_count(stack: h.Stack, emulator: Any) -> None:
    stack.up({"customers": contact_list()})
    list_id = stack.id("customers")
    emulator.backend.console_add_contact(list_id, "+33612345678", first_name="Alice")
    emulator.backend.console_add_contact(list_id, "+33698765432", first_name="Bob")
    next_command(stack)
    summary = stack.refresh()
    # A count is an output only: no input changed, so this is not drift to undo.
    assert summary.ops == {"customers": "refresh"}
    outputs = stack.outputs("customers")
    assert outputs["contact_count"] == 2
    assert "Alice" not in repr(stack.state)


def test_refresh_error_keeps_the_list_in_state(stack: h.Stack, emulator: Any) -> None:
    stack.up({"customers": contact_list()})
    list_id = stack.id("customers")
    next_command(stack)
    # A small retry budget: the test is about the failure, not the backoff.
    stack.plugin.configure({**stack.config, "avosms:maxRetries": "1"})
    emulator.faults.add("err9xx", count=1000, code="ERR_902")
    with pytest.raises(h.PluginError) as caught:
        stack.refresh()
    assert f"Could not refresh contact list {list_id}" in caught.value.details
    assert "ERR_902" in caught.value.details
    assert stack.id("customers") == list_id


# -- adoption ------------------------------------------------------------------------------


def test_engine_import_path_cannot_work_for_dynamic_resources(
    stack: h.Stack, emulator: Any
) -> None:
    """Why ContactList moves `import_` into an input: the engine's Read has no __provider."""
    existing = emulator.backend.console_create_list("Legacy", "FR")
    with pytest.raises(h.PluginError, match="__provider"):
        stack.import_("legacy", existing)


def test_adopt_an_existing_list_with_import(stack: h.Stack, emulator: Any) -> None:
    existing = emulator.backend.console_create_list("Legacy", "FR")
    emulator.backend.console_add_contact(existing, "+33612345678")
    adopt = pulumi.ResourceOptions(import_=existing)
    summary = stack.up({"legacy": contact_list("legacy", name="Legacy", opts=adopt)})
    assert summary.ops == {"legacy": "create"}
    assert stack.id("legacy") == existing
    assert stack.outputs("legacy")["contact_count"] == 1
    assert len(emulator.backend.lists()) == 1

    # Keeping the option in the program is a no-op; removing it later is no change either.
    next_command(stack)
    before = calls(emulator)
    assert stack.up({"legacy": contact_list("legacy", name="Legacy", opts=adopt)}).ops == {
        "legacy": "same"
    }
    assert stack.up({"legacy": contact_list("legacy", name="Legacy")}).ops == {"legacy": "same"}
    assert calls(emulator) == before


def test_adopting_a_list_that_does_not_match_shows_both_values(
    stack: h.Stack, emulator: Any
) -> None:
    existing = emulator.backend.console_create_list("Legacy", "FR")
    adopt = pulumi.ResourceOptions(import_=existing)
    with pytest.raises(h.PluginError) as caught:
        stack.up({"legacy": contact_list("legacy", name="Legacy list", opts=adopt)})
    assert "program: 'Legacy list'" in caught.value.details
    assert "AvoSMS: 'Legacy'" in caught.value.details
    assert stack.state == {}
    assert [lst["name"] for lst in emulator.backend.lists()] == ["Legacy"]


# -- destroy -------------------------------------------------------------------------------


def test_destroy_leaves_the_list_and_says_so(stack: h.Stack, emulator: Any) -> None:
    stack.up({"customers": contact_list()})
    list_id = stack.id("customers")
    next_command(stack)
    assert stack.destroy().ops == {"customers": "delete"}
    warning = stack.plugin.wait_for_stderr("still exists")
    assert f"contact list {list_id}" in warning
    assert emulator.backend.get_list(list_id) is not None
    assert stack.state == {}


# -- credentials and errors ----------------------------------------------------------------


def test_name_taken_says_which_list_has_it_and_how_to_adopt(stack: h.Stack, emulator: Any) -> None:
    existing = emulator.backend.console_create_list("Customers FR", "FR")
    with pytest.raises(h.PluginError) as caught:
        stack.up({"customers": contact_list()})
    assert f"ID {existing}" in caught.value.details
    assert f"import_={existing!r}" in caught.value.details
    assert len(emulator.backend.lists()) == 1


def test_bad_credentials_fail_with_advice_and_never_show_the_key(emulator: Any) -> None:
    wrong_key = "WRONG-KEY-5f2c9b"
    config = {
        "avosms:apiId": DEMO_ID,
        "avosms:apiKey": wrong_key,
        "avosms:endpoint": emulator.api_url,
    }
    with start_plugin() as plugin:
        stack = h.Stack(plugin, config=config, secret_keys=["avosms:apiKey"])
        with pytest.raises(h.PluginError) as caught:
            stack.up({"customers": contact_list()})
        assert "ERR_100" in caught.value.details
        assert "avosms:apiKey" in caught.value.details
        assert wrong_key not in caught.value.details
    # Read after close(), which joins the stderr reader: nothing written late is missed.
    assert wrong_key not in plugin.stderr_text()
    assert emulator.backend.lists() == []


def test_missing_credentials_fail_naming_both_ways_to_set_them(emulator: Any) -> None:
    with start_plugin() as plugin:
        stack = h.Stack(plugin, config={"avosms:endpoint": emulator.api_url})
        # Planning needs no credentials ...
        assert stack.preview({"customers": contact_list()}).ops == {"customers": "create"}
        # ... creating does.
        with pytest.raises(h.PluginError) as caught:
            stack.up({"customers": contact_list()})
    for way in ("avosms:apiId", "avosms:apiKey", "AVOSMS_API_ID", "AVOSMS_API_KEY"):
        assert way in caught.value.details
    assert calls(emulator) == 0


def test_credentials_from_the_environment_only(emulator: Any) -> None:
    env = {
        "AVOSMS_API_ID": DEMO_ID,
        "AVOSMS_API_KEY": DEMO_KEY,
        "AVOSMS_ENDPOINT": emulator.api_url,
    }
    with start_plugin(env=env) as plugin:
        stack = h.Stack(plugin, config={})
        stack.up({"customers": contact_list()})
        assert emulator.backend.get_list(stack.id("customers"))["name"] == "Customers FR"
        assert DEMO_KEY not in repr(stack.state)


def test_stack_config_wins_over_the_environment(emulator: Any) -> None:
    env = {"AVOSMS_API_ID": DEMO_ID, "AVOSMS_API_KEY": "stale-env-key"}
    config = {"avosms:apiKey": DEMO_KEY, "avosms:endpoint": emulator.api_url}
    with start_plugin(env=env) as plugin:
        stack = h.Stack(plugin, config=config, secret_keys=["avosms:apiKey"])
        stack.up({"customers": contact_list()})
    assert [lst["name"] for lst in emulator.backend.lists()] == ["Customers FR"]
