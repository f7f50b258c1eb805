"""A provider error reaches the user as one message, through the real plugin.

With pulumi >= 3.260 the plugin shows ``traceback.format_exc()``: one short traceback, no
chain ("The above exception was the direct cause..."), the message once. Older plugins show
gRPC's prefix and the message alone. One case per provider: a name or number already taken.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_avosms import ContactList
from pulumi_avosms.contact import Contact
from pulumi_avosms.contact_list_members import ContactListMembers
from tests.support import harness as h

ALICE = "+33612345678"


@pytest.fixture
def stack(avosms_config: dict[str, str]) -> Iterator[h.Stack]:
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        yield h.Stack(plugin, config=avosms_config)


def assert_reads_once(error: h.PluginError, type_name: str, phrase: str) -> None:
    """``error`` as the user sees it: ``phrase`` in the message, said once, in few lines."""
    details, message = error.details, error.exception_message
    assert phrase in message, details
    assert details.count(phrase) == 1, details
    assert error.raised(type_name), details
    assert error.tracebacks == 1, details
    assert "direct cause" not in details and "During handling" not in details, details
    # The frames: the plugin's two and the provider's one, each a line or two.
    frames = len(details.splitlines()) - len(message.splitlines())
    assert frames <= 9, details


def test_a_list_name_already_taken_reads_once(stack: h.Stack, emulator: Any) -> None:
    existing = emulator.backend.console_create_list("Customers FR", "FR")
    entry = h.program_inputs(
        lambda: ContactList("customers", name="Customers FR", country_code="FR")
    )["customers"]
    with pytest.raises(h.PluginError) as caught:
        stack.up({"customers": entry})
    assert_reads_once(caught.value, "ContactListError", f"import_={existing!r}")


def test_a_number_already_in_the_list_reads_once(stack: h.Stack, emulator: Any) -> None:
    list_id = str(emulator.backend.console_create_list("On-call FR", "FR"))
    emulator.backend.console_add_contact(list_id, ALICE)
    entry = h.program_inputs(lambda: Contact("alice", list_id=list_id, phone_number=ALICE))["alice"]
    with pytest.raises(h.PluginError) as caught:
        stack.up({"alice": entry})
    assert_reads_once(caught.value, "ContactError", f"import_='{list_id}/{ALICE}'")


def test_members_of_a_list_that_is_gone_read_once(stack: h.Stack) -> None:
    entry = h.program_inputs(
        lambda: ContactListMembers("m", list_id="999999", members=[{"phone_number": ALICE}])
    )["m"]
    with pytest.raises(h.PluginError) as caught:
        stack.up({"m": entry})
    assert_reads_once(caught.value, "ContactListMembersError", "no such list")
