"""``pulumi_avosms.testing``: a user's program under mocks runs the providers' real rules.

Each program runs through ``tests.support.harness.program_inputs`` (its own context, so the
Pulumi runtime settings of one test never leak into another) with ``AvoSMSMocks.new_resource``
answering the engine and the mocks' config as the program's config, as ``set_mocks`` with
``AvoSMSMocks`` does in a user's test (docs/testing.md runs that form).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest

from pulumi_avosms import (
    Contact,
    ContactList,
    ContactListLookupError,
    ContactListMembers,
    ContactListMembersProvider,
    ContactListProvider,
    ContactProvider,
    ValidationError,
    _runtime,
    get_contact_list,
    get_contact_list_output,
    get_contact_lists,
)
from pulumi_avosms.testing import AvoSMSMocks
from tests.support import harness as h

ALICE = {"phone_number": "+33 6 12 34 56 78", "first_name": "Alice"}
BRUNO = {"phone_number": "+33 6 98 76 54 32", "first_name": "Bruno"}


@pytest.fixture
def mocks() -> Iterator[AvoSMSMocks]:
    with AvoSMSMocks() as mocks:
        yield mocks


def run(
    mocks: AvoSMSMocks, program: Callable[[], dict[str, Any]], *, preview: bool = False
) -> dict[str, Any]:
    """Run ``program`` under the mocks; the values of the Outputs it returns, once resolved
    (an Output still unknown at the end, as in a preview, is left out)."""
    seen: dict[str, Any] = {}

    def body() -> None:
        for key, output in program().items():
            pulumi.Output.from_input(output).apply(lambda v, k=key: seen.__setitem__(k, v))

    h.program_inputs(body, preview=preview, config=mocks.config, new_resource=mocks.new_resource)
    return seen


def failure_reason(provider: Any, inputs: dict[str, Any]) -> str:
    """The reason the provider's own check gives (what `pulumi preview` prints)."""
    (failure,) = provider().check({}, inputs).failures
    return str(failure.reason)


# -- outputs from the emulator ---------------------------------------------------------------


def test_a_list_gets_the_outputs_the_provider_returns(mocks: AvoSMSMocks) -> None:
    def program() -> dict[str, Any]:
        lst = ContactList("customers", name="Customers FR", country_code="fr")
        return {
            "id": lst.id,
            "list_id": lst.list_id,
            "country_code": lst.country_code,
            "country_name": lst.country_name,
            "contact_count": lst.contact_count,
            "created_at": lst.created_at,
        }

    seen = run(mocks, program)
    (live,) = mocks.backend.lists()
    assert seen["id"] == seen["list_id"] == live["list_id"]
    assert (seen["country_code"], seen["country_name"]) == ("FR", "France")
    assert seen["contact_count"] == 0
    assert seen["created_at"] == live["created_at"]


def test_members_are_added_and_counted(mocks: AvoSMSMocks) -> None:
    def program() -> dict[str, Any]:
        lst = ContactList("oncall", name="On-call", country_code="FR")
        members = ContactListMembers("team", list_id=lst.list_id, members=[ALICE, BRUNO])
        return {
            "list_id": lst.list_id,
            "members": members.members,
            "member_count": members.member_count,
            "contact_count": members.contact_count,
            "exclusive": members.exclusive,
        }

    seen = run(mocks, program)
    assert sorted(seen["members"]) == ["+33612345678", "+33698765432"]
    assert all(isinstance(v, str) and v for v in seen["members"].values())
    assert (seen["member_count"], seen["contact_count"], seen["exclusive"]) == (2, 2, True)
    contacts = mocks.backend.get_list(seen["list_id"])["contacts"]
    assert sorted(c["first_name"] for c in contacts) == ["Alice", "Bruno"]


def test_each_list_gets_its_own_id_and_a_taken_name_fails_as_up_would(
    mocks: AvoSMSMocks,
) -> None:
    seen = run(
        mocks,
        lambda: {
            "a": ContactList("a", name="A", country_code="FR").list_id,
            "b": ContactList("b", name="B", country_code="BE").list_id,
        },
    )
    assert seen["a"] != seen["b"]
    with pytest.raises(Exception, match="already"):
        run(mocks, lambda: {"again": ContactList("again", name="A", country_code="FR").id})


def test_a_contact_is_added_to_its_list(mocks: AvoSMSMocks) -> None:
    list_id = mocks.backend.console_create_list("Newsletter", "FR")
    seen = run(
        mocks,
        lambda: {
            "number": Contact("alice", list_id=list_id, phone_number="+33612345678").phone_number
        },
    )
    assert seen["number"] == "+33612345678"
    assert [c["phone_number"] for c in mocks.backend.get_list(list_id)["contacts"]] == [
        "+33612345678"
    ]


# -- the providers' check rules --------------------------------------------------------------


def test_a_bad_country_fails_with_the_reason_preview_gives(mocks: AvoSMSMocks) -> None:
    reason = failure_reason(ContactListProvider, {"name": "X", "country_code": "XX"})
    with pytest.raises(ValidationError) as caught:
        run(mocks, lambda: {"id": ContactList("bad", name="X", country_code="XX").id})
    assert str(caught.value) == (
        "pulumi-python:dynamic/avosms:ContactList resource 'bad': property country_code "
        f"has a problem: {reason}"
    )
    assert mocks.backend.lists() == []


def test_a_number_without_country_code_fails(mocks: AvoSMSMocks) -> None:
    reason = failure_reason(ContactProvider, {"list_id": "1", "phone_number": "0612345678"})
    with pytest.raises(ValidationError, match="property phone_number has a problem") as caught:
        run(mocks, lambda: {"id": Contact("c", list_id="1", phone_number="0612345678").id})
    assert str(caught.value).endswith(reason)


def test_a_bad_member_fails_naming_it(mocks: AvoSMSMocks) -> None:
    bad = [ALICE, {"phone_number": "+33 6 12", "first_name": "Short"}]
    reason = failure_reason(ContactListMembersProvider, {"list_id": "1", "members": bad})
    with pytest.raises(ValidationError) as caught:
        run(mocks, lambda: {"id": ContactListMembers("m", list_id="1", members=bad).id})
    assert str(caught.value).endswith(f"property members has a problem: {reason}")
    assert "members[1]" in reason


def test_a_preview_checks_but_creates_nothing(mocks: AvoSMSMocks) -> None:
    def program() -> dict[str, Any]:
        lst = ContactList("l", name="L", country_code="fr")
        members = ContactListMembers("m", list_id=lst.list_id, members=[ALICE])
        return {"country": lst.country_code, "id": lst.list_id, "count": members.member_count}

    assert run(mocks, program, preview=True) == {"country": "FR"}  # the others are unknown
    assert mocks.backend.lists() == []
    with pytest.raises(ValidationError, match="country_code"):
        run(mocks, lambda: {"id": ContactList("x", name="X", country_code="XX").id}, preview=True)


# -- reads: .get(), import_, lookups ---------------------------------------------------------


def test_get_reads_the_list_and_a_missing_one_fails(mocks: AvoSMSMocks) -> None:
    list_id = mocks.backend.console_create_list("Elsewhere", "BE")
    seen = run(mocks, lambda: {"name": ContactList.get("ref", list_id).name})
    assert seen == {"name": "Elsewhere"}
    with pytest.raises(ValidationError, match="'999' does not exist"):
        run(mocks, lambda: {"name": ContactList.get("gone", "999").name})


def test_import_adopts_the_seeded_list(mocks: AvoSMSMocks) -> None:
    list_id = mocks.backend.console_create_list("Newsletter", "FR")
    opts = pulumi.ResourceOptions(import_=list_id)
    seen = run(
        mocks,
        lambda: {"id": ContactList("n", name="Newsletter", country_code="FR", opts=opts).id},
    )
    assert seen == {"id": list_id}
    assert len(mocks.backend.lists()) == 1


def test_lookups_read_the_same_emulator_without_credentials(
    mocks: AvoSMSMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whatever the developer's shell holds, the mocks' config wins: nothing leaves the machine.
    monkeypatch.setenv("AVOSMS_ENDPOINT", "https://api.avosms.com/v1")
    monkeypatch.delenv("AVOSMS_API_ID", raising=False)
    monkeypatch.delenv("AVOSMS_API_KEY", raising=False)
    list_id = mocks.backend.console_create_list("Newsletter", "FR")

    def program() -> dict[str, Any]:
        found = get_contact_list(name="newsletter")
        contact = Contact("alice", list_id=found.list_id, phone_number="+33612345678")
        return {
            "by_name": found.list_id,
            "by_output": get_contact_list_output(list_id=contact.list_id).name,
            "all": [info.name for info in get_contact_lists()],
        }

    assert run(mocks, program) == {
        "by_name": list_id,
        "by_output": "Newsletter",
        "all": ["Newsletter"],
    }
    with pytest.raises(ContactListLookupError, match="No contact list named 'Other'"):
        run(mocks, lambda: {"x": get_contact_list(name="Other").list_id})


def test_named_accounts_keep_their_lists_apart(mocks: AvoSMSMocks) -> None:
    with AvoSMSMocks(accounts=["eu"]) as eu_mocks:
        seeded = eu_mocks.backend.console_create_list("Seeded", "DE", eu_mocks.account_id("eu"))
        seen = run(
            eu_mocks,
            lambda: {
                "eu": ContactList("eu", name="Same", country_code="FR", account="eu").list_id,
                "default": ContactList("d", name="Same", country_code="FR").list_id,
                "looked_up": get_contact_list(name="Seeded", account="eu").list_id,
            },
        )
        assert seen["looked_up"] == seeded
        in_eu = [x["list_id"] for x in eu_mocks.backend.lists(eu_mocks.account_id("eu"))]
        assert sorted(in_eu) == sorted([seeded, seen["eu"]])
        assert seen["default"] not in in_eu
    # Without the account declared, check refuses it as preview would.
    with pytest.raises(ValidationError, match="property account has a problem"):
        run(mocks, lambda: {"id": ContactList("x", name="X", country_code="FR", account="eu").id})


# -- the rest of the program, and the mocks' life cycle --------------------------------------


def test_resources_of_other_packages_echo_their_inputs(mocks: AvoSMSMocks) -> None:
    class Other(pulumi.CustomResource):
        value: pulumi.Output[str]

        def __init__(self, name: str) -> None:
            super().__init__("other:index:Thing", name, {"value": "kept"})

    assert run(mocks, lambda: {"value": Other("thing").value, "id": Other("t2").id}) == {
        "value": "kept",
        "id": "t2_id",
    }


def test_close_stops_the_emulator_and_its_clients() -> None:
    mocks = AvoSMSMocks()
    run(mocks, lambda: {"id": ContactList("l", name="L", country_code="FR").id})
    assert any(s.endpoint == mocks.emulator.api_url for s in _runtime._clients)
    mocks.close()
    assert not any(s.endpoint == mocks.emulator.api_url for s in _runtime._clients)
    with pytest.raises(Exception):  # noqa: B017 - any refusal: the emulator is gone
        run(mocks, lambda: {"id": ContactList("m", name="M", country_code="FR").id})


def test_the_module_is_reachable_from_the_package() -> None:
    import pulumi_avosms

    assert pulumi_avosms.testing.AvoSMSMocks is AvoSMSMocks
    assert "testing" in dir(pulumi_avosms)
