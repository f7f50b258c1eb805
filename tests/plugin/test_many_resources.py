"""A program can declare thousands of resources (Pulumi's serialiser would overflow the stack).

See :mod:`pulumi_avosms._serialize` for the upstream defect and the work-around.
"""

from __future__ import annotations

import base64
import pickle

from pulumi_avosms import Contact, ContactList
from pulumi_avosms.contact_list_members import ContactListMembers, ContactListMembersProvider
from tests.support import harness as h
from tests.support.state_fixtures import load

EACH = 5_000


def program() -> None:
    for i in range(EACH):
        ContactList(f"list-{i}", name=f"List {i}", country_code="FR")
        Contact(f"contact-{i}", list_id=str(i + 1), phone_number=f"+3361{i:07d}")
        ContactListMembers(f"members-{i}", list_id=str(i + 1), members=[])


def test_five_thousand_of_each_kind_register_with_the_released_provider_bytes() -> None:
    stock = pickle._Pickler
    before = {name: vars(stock).get(name) for name in ("_batch_setitems", "save_dict")}

    registered = h.program_inputs(program)

    assert len(registered) == 3 * EACH
    released = {
        urn.rsplit("::", 1)[1]: resource["inputs"]["__provider"]
        for urn, resource in load("0.1.0")["resources"].items()
    }
    lists = {r["inputs"]["__provider"] for n, r in registered.items() if n.startswith("list-")}
    contacts = {
        r["inputs"]["__provider"] for n, r in registered.items() if n.startswith("contact-")
    }
    members = {r["inputs"]["__provider"] for n, r in registered.items() if n.startswith("members-")}
    assert lists == {released["oncall"]}
    assert contacts == {released["alice"]}
    # No release wrote ContactListMembers yet: one value, its provider class by reference.
    (reference,) = members
    pickled = base64.b64decode(reference)
    assert type(pickle.loads(pickled)) is ContactListMembersProvider
    assert b"pulumi_avosms.contact_list_members" in pickled and len(pickled) < 100
    # pickle is left as it was found: the next program (or dill user) pays nothing.
    assert {name: vars(stock).get(name) for name in before} == before
