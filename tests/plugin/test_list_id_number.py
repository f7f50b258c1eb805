"""``list_id=1234``: a list ID typed as a whole number works on every resource that takes one.

The engine hands numbers to the plugin as floats (``1234.0``), so the tests go through the
real plugin as well as the provider's ``check``; a fraction or a boolean is still refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_avosms.contact import Contact, ContactProvider
from pulumi_avosms.contact_list_members import ContactListMembers, ContactListMembersProvider
from pulumi_avosms.lookups import get_contact_list
from tests.support import harness as h

ALICE = "+33612345678"
CONTACT_TYPE = "pulumi-python:dynamic/avosms:Contact"
MEMBERS_TYPE = "pulumi-python:dynamic/avosms:ContactListMembers"


def contact_news(list_id: Any) -> dict[str, Any]:
    return {"list_id": list_id, "phone_number": "+33 6 12 34 56 78"}


def members_news(list_id: Any) -> dict[str, Any]:
    return {"list_id": list_id, "members": [{"phone_number": "+33 6 12 34 56 78"}]}


CHECKS = [(ContactProvider, contact_news), (ContactListMembersProvider, members_news)]


@pytest.mark.parametrize(("provider", "news"), CHECKS)
@pytest.mark.parametrize("typed", [1234, 1234.0])
def test_a_whole_number_list_id_is_checked_into_the_string_id(
    provider: Any, news: Any, typed: Any
) -> None:
    result = provider().check({}, news(typed))
    assert result.failures == []
    assert result.inputs["list_id"] == "1234"


@pytest.mark.parametrize(("provider", "news"), CHECKS)
@pytest.mark.parametrize("typed", [12.5, True, -3, float("nan"), 2.0**60])
def test_a_list_id_that_is_not_a_whole_number_id_is_refused(
    provider: Any, news: Any, typed: Any
) -> None:
    failures = provider().check({}, news(typed)).failures
    assert [f.property for f in failures] == ["list_id"]
    assert failures[0].reason.startswith("list_id ")
    assert "'1234'" in failures[0].reason  # says what an ID looks like


@pytest.fixture
def plugin() -> Iterator[h.PluginProcess]:
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as proc:
        yield proc


def test_contact_and_members_with_a_numeric_list_id_deploy_and_then_plan_nothing(
    plugin: h.PluginProcess, avosms_config: dict[str, str], emulator: Any
) -> None:
    list_id = int(emulator.backend.console_create_list("On-call FR", "FR"))
    resources = {
        **h.program_inputs(lambda: Contact("alice", list_id=list_id, phone_number=ALICE)),
        **h.program_inputs(
            lambda: ContactListMembers(
                "team",
                list_id=list_id,
                members=[{"phone_number": "+33 6 98 76 54 32"}],
                exclusive=False,
            )
        ),
    }
    # The program's int travels as a number, as the engine sends it.
    assert resources["alice"]["inputs"]["list_id"] == list_id
    stack = h.Stack(plugin, config=avosms_config)
    assert stack.up(resources).ops == {"alice": "create", "team": "create"}
    assert stack.outputs("alice")["list_id"] == str(list_id)
    assert stack.outputs("team")["list_id"] == str(list_id)
    contacts = emulator.backend.get_list(str(list_id))["contacts"]
    assert {c["phone_number"] for c in contacts} == {ALICE, "+33698765432"}
    assert set(stack.preview(resources).ops.values()) == {"same"}


def test_lookups_take_the_same_numeric_id(avosms_config: dict[str, str], emulator: Any) -> None:
    list_id = emulator.backend.console_create_list("Newsletter", "FR")

    def program() -> None:
        assert get_contact_list(list_id=int(list_id)).name == "Newsletter"

    h.program_inputs(program, config=avosms_config)
