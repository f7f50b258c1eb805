"""The opt-in by which a create removes the contacts a list holds and the program does not
declare: the program and the state name it ``remove_undeclared_on_create``, as the docs do,
and anything but a boolean is refused at preview."""

from __future__ import annotations

from pulumi_avosms import ContactListMembers
from pulumi_avosms.contact_list_members import ContactListMembersProvider
from tests.support import harness as h

NEWS = {"list_id": "7", "members": []}


def test_the_program_sends_the_opt_in_under_its_documented_name() -> None:
    registered = h.program_inputs(
        lambda: ContactListMembers("m", list_id="7", members=[], remove_undeclared_on_create=True)
    )["m"]["inputs"]
    assert registered["remove_undeclared_on_create"] is True
    checked = ContactListMembersProvider().check({}, {**NEWS, **registered}).inputs
    assert checked["remove_undeclared_on_create"] is True


def test_a_non_boolean_opt_in_is_refused_naming_it() -> None:
    news = {**NEWS, "remove_undeclared_on_create": "yes"}
    failures = ContactListMembersProvider().check({}, news).failures
    assert [(f.property, f.reason) for f in failures] == [
        (
            "remove_undeclared_on_create",
            "remove_undeclared_on_create must be True or False, got a string 'yes'",
        )
    ]
