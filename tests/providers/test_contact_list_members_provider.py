"""ContactListMembersProvider's methods called directly against the emulator."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown

from pulumi_avosms import _members_apply
from pulumi_avosms._members_plan import fingerprint, prints
from pulumi_avosms._members_rules import CLEAR_PROPERTY
from pulumi_avosms._members_state import members_of
from pulumi_avosms.config import ConfigurationError, settings_from_config
from pulumi_avosms.contact_list_members import (
    ContactListMembersError,
    ContactListMembersProvider,
)

ALICE, BOB, CHLOE = "+33612345678", "+33698765432", "+33781223344"


def make_provider(config: dict[str, str]) -> ContactListMembersProvider:
    provider = ContactListMembersProvider()
    provider.configure(ConfigureRequest(Config(config, "test")))
    return provider


@pytest.fixture
def provider(avosms_config: dict[str, str]) -> ContactListMembersProvider:
    return make_provider(avosms_config)


@pytest.fixture
def list_id(emulator: Any) -> str:
    return str(emulator.backend.console_create_list("On-call FR", "FR"))


def checked(provider: ContactListMembersProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, news)
    assert not result.failures, [(f.property, f.reason) for f in result.failures]
    return dict(result.inputs)


def live(emulator: Any, list_id: str) -> dict[str, dict[str, str]]:
    return {c["phone_number"]: c for c in emulator.backend.get_list(list_id)["contacts"]}


def calls(emulator: Any) -> dict[str, int]:
    return dict(emulator.stats.snapshot()["calls"])


# -- check -----------------------------------------------------------------------------


def test_check_normalises_members_into_a_map_keyed_by_e164(
    provider: ContactListMembersProvider, emulator: Any
) -> None:
    inputs = checked(
        provider,
        {
            "list_id": "7",
            "members": [
                {"phone_number": "+33 6 12 34 56 78", "first_name": " Alice ", "email": "a@EX.com"},
                {"phone_number": "+33 6 98 76 54 32", "birthday": "17/05/1990"},
            ],
        },
    )
    assert inputs == {
        "list_id": "7",
        "exclusive": True,
        # One string a member: its set fields as compact JSON, keys sorted.
        "members": {
            ALICE: '{"email":"a@ex.com","first_name":"Alice"}',
            BOB: '{"birthday":"1990-05-17"}',
        },
    }
    assert members_of(inputs) == {
        ALICE: {"first_name": "Alice", "email": "a@ex.com"},
        BOB: {"birthday": "1990-05-17"},
    }
    assert emulator.stats.snapshot()["total_calls"] == 0


def test_check_names_the_position_and_number_of_a_bad_member(
    provider: ContactListMembersProvider,
) -> None:
    result = provider.check(
        {},
        {
            "list_id": "7",
            "members": [
                {"phone_number": ALICE},
                {"phone_number": "+33 6 98 76 54 32", "email": "not-an-email", "birthday": "x"},
                {"first_name": "Nobody"},
                {"phone_number": BOB, "nickname": "b"},
            ],
        },
    )
    reasons = [f.reason for f in result.failures]
    assert all(f.property == "members" for f in result.failures)
    # The Contact's rules and messages (contact_validation.normalize_contact): every bad field.
    assert reasons[0].startswith("members[1] (+33 6 98 76 54 32) email ")
    assert "; birthday " in reasons[0]
    assert reasons[1] == "members[2] phone_number is required"
    assert reasons[2].startswith("members[3] (+33698765432) has unknown field(s) nickname")


def test_check_lists_the_first_twenty_bad_members_and_counts_the_rest(
    provider: ContactListMembersProvider,
) -> None:
    members = [{"phone_number": f"06 12 34 56 {n:02d}"} for n in range(25)]
    result = provider.check({}, {"list_id": "7", "members": members})
    reasons = [f.reason for f in result.failures]
    assert len(reasons) == 21
    assert reasons[0].startswith("members[0] (06 12 34 56 00) phone_number ")
    assert reasons[-1] == "... and 5 more invalid member(s)"


def test_check_refuses_two_entries_for_one_number_naming_both(
    provider: ContactListMembersProvider,
) -> None:
    result = provider.check(
        {},
        {
            "list_id": "7",
            "members": [{"phone_number": "+33 6 12 34 56 78"}, {"phone_number": ALICE}],
        },
    )
    assert [f.reason for f in result.failures] == [
        f"members[0] and members[1] are the same number {ALICE}; declare each number once"
    ]


def test_check_passes_unknown_members_and_refuses_a_non_boolean_exclusive(
    provider: ContactListMembersProvider,
) -> None:
    members = [{"phone_number": Unknown()}]
    result = provider.check({}, {"list_id": Unknown(), "members": members, "exclusive": "yes"})
    assert result.inputs["members"] is members
    assert [f.property for f in result.failures] == ["exclusive"]


def test_check_refuses_the_api_key_inside_a_member(emulator: Any) -> None:
    provider = make_provider(
        {
            "avosms:apiId": "x@y.z",
            "avosms:apiKey": "k3y-long-enough",
            "avosms:endpoint": emulator.api_url,
        }
    )
    result = provider.check(
        {}, {"list_id": "7", "members": [{"phone_number": ALICE, "other": "k3y-long-enough"}]}
    )
    assert [f.property for f in result.failures] == ["members[0].other"]


def test_check_refuses_an_import_id_of_another_list(provider: ContactListMembersProvider) -> None:
    result = provider.check({}, {"list_id": "7", "members": [], "import_id": "8"})
    assert [f.property for f in result.failures] == ["import_id"]
    assert "import_ names list 8 but list_id is '7'" in result.failures[0].reason


def test_check_refuses_a_new_list_while_import_is_still_in_the_program(
    provider: ContactListMembersProvider,
) -> None:
    # The replacement's create would adopt the list named by import_ instead of moving there.
    olds = {"list_id": "7", "members": {}, "import_id": "7"}
    result = provider.check(olds, {"list_id": "8", "members": [], "import_id": "8"})
    assert [f.property for f in result.failures] == ["import_id"]
    assert "list_id changes from 7 to 8" in result.failures[0].reason


# -- create / read / update / delete ---------------------------------------------------


def test_create_reads_once_then_adds_only_what_is_missing(
    provider: ContactListMembersProvider, emulator: Any, list_id: str
) -> None:
    emulator.backend.console_add_contact(list_id, ALICE, first_name="Alice")
    inputs = checked(
        provider,
        {
            "list_id": list_id,
            "members": [{"phone_number": ALICE, "first_name": "Alice"}, {"phone_number": BOB}],
        },
    )
    result = provider.create(inputs)
    assert result.id == list_id
    assert calls(emulator) == {"contact/list/information": 1, "contact/add": 1}
    assert set(live(emulator, list_id)) == {ALICE, BOB}
    assert result.outs["member_count"] == 2 and result.outs["contact_count"] == 2


def test_an_exclusive_create_refuses_a_list_holding_others_unless_opted_in(
    provider: ContactListMembersProvider,
    emulator: Any,
    list_id: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator.backend.console_add_contact(list_id, CHLOE)
    additive = checked(
        provider, {"list_id": list_id, "members": [{"phone_number": ALICE}], "exclusive": False}
    )
    assert provider.create(additive).outs["contact_count"] == 2
    assert set(live(emulator, list_id)) == {ALICE, CHLOE}
    # Exclusive, with nothing that could have shown the removal: refused, nothing written.
    for members in ([{"phone_number": ALICE}], []):
        exclusive = checked(provider, {"list_id": list_id, "members": members})
        writes = emulator.stats.snapshot()["total_calls"]
        with pytest.raises(ContactListMembersError) as caught:
            provider.create(exclusive)
        assert emulator.stats.snapshot()["total_calls"] - writes == 1  # the one read
        assert set(live(emulator, list_id)) == {ALICE, CHLOE}
        message = str(caught.value)
        assert "already holds" in message and CHLOE in message
        assert f'import_="{list_id}"' in message and "remove_undeclared_on_create=True" in message
    # The explicit opt-in removes them, saying so before the calls.
    capsys.readouterr()
    opted = checked(
        provider,
        {"list_id": list_id, "members": [{"phone_number": ALICE}], CLEAR_PROPERTY: True},
    )
    outs = provider.create(opted).outs
    assert set(live(emulator, list_id)) == {ALICE}
    assert outs["contact_count"] == 1
    warning = capsys.readouterr().err
    assert "removing 1 contact(s)" in warning and CHLOE in warning


def test_the_opt_in_must_be_a_boolean(provider: ContactListMembersProvider, list_id: str) -> None:
    result = provider.check({}, {"list_id": list_id, "members": [], CLEAR_PROPERTY: "yes"})
    assert [f.property for f in result.failures] == [CLEAR_PROPERTY]
    assert "must be True or False" in result.failures[0].reason


def test_read_exclusive_shows_every_contact_additive_only_declared(
    provider: ContactListMembersProvider, emulator: Any, list_id: str
) -> None:
    inputs = checked(provider, {"list_id": list_id, "members": [{"phone_number": ALICE}]})
    outs = provider.create(inputs).outs
    emulator.backend.console_add_contact(list_id, BOB, first_name="Bob")
    before = emulator.stats.snapshot()["total_calls"]
    read = provider.read(list_id, outs)
    assert emulator.stats.snapshot()["total_calls"] - before == 1
    assert read.inputs is not None
    assert read.inputs["members"] == {ALICE: "", BOB: '{"first_name":"Bob"}'}
    assert read.outs["members"] == prints(members_of(read.inputs))
    read = provider.read(list_id, {**outs, "exclusive": False})
    # The declared numbers did not drift: the inputs in state stand (none are sent back).
    assert read.inputs is None
    assert read.outs["members"] == {ALICE: fingerprint({})}
    assert read.outs["contact_count"] == 2


def test_read_of_a_deleted_list_is_gone(
    provider: ContactListMembersProvider, emulator: Any, list_id: str
) -> None:
    emulator.backend.console_delete_list(list_id)
    read = provider.read(list_id, {"list_id": list_id, "members": {}})
    assert read.id == "" and read.outs == {}


def test_update_calls_only_for_changed_numbers_sending_every_field(
    provider: ContactListMembersProvider, emulator: Any, list_id: str
) -> None:
    olds = provider.create(
        checked(
            provider,
            {
                "list_id": list_id,
                "members": [
                    {"phone_number": ALICE, "first_name": "Alice", "email": "a@ex.com"},
                    {"phone_number": BOB},
                ],
            },
        )
    ).outs
    news = checked(
        provider,
        {
            "list_id": list_id,
            "members": [{"phone_number": ALICE, "first_name": "Alicia"}, {"phone_number": CHLOE}],
        },
    )
    before = calls(emulator)
    outs = provider.update(list_id, olds, news).outs
    after = calls(emulator)
    made = {
        k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)
    }
    assert made == {"contact/update": 1, "contact/add": 1, "contact/delete": 1}
    update = [r for r in emulator.request_log if r.endpoint == "contact/update"][-1]
    assert update.form["contactEmail"] == "" and update.form["contactFirstName"] == "Alicia"
    assert live(emulator, list_id)[ALICE]["email"] == ""
    assert outs["members"] == prints({ALICE: {"first_name": "Alicia"}, CHLOE: {}})


def test_update_adds_back_a_member_removed_in_the_console(
    provider: ContactListMembersProvider, emulator: Any, list_id: str
) -> None:
    olds = provider.create(
        checked(provider, {"list_id": list_id, "members": [{"phone_number": ALICE}]})
    ).outs
    emulator.backend.console_remove_contact(list_id, ALICE)
    news = checked(
        provider, {"list_id": list_id, "members": [{"phone_number": ALICE, "other": "x"}]}
    )
    provider.update(list_id, olds, news)
    assert live(emulator, list_id)[ALICE]["other"] == "x"


def test_delete_removes_declared_members_and_a_gone_list_is_fine(
    provider: ContactListMembersProvider, emulator: Any, list_id: str
) -> None:
    emulator.backend.console_add_contact(list_id, CHLOE)
    outs = provider.create(
        checked(
            provider, {"list_id": list_id, "members": [{"phone_number": ALICE}], "exclusive": False}
        )
    ).outs
    provider.delete(list_id, outs)
    assert set(live(emulator, list_id)) == {CHLOE}
    emulator.backend.console_delete_list(list_id)
    provider.delete(list_id, outs)


# -- failures and progress -------------------------------------------------------------


def test_a_partial_failure_lists_each_failed_number_and_keeps_the_rest(
    provider: ContactListMembersProvider, emulator: Any, list_id: str
) -> None:
    members = [{"phone_number": ALICE}, {"phone_number": "+44 7400 123456"}, {"phone_number": BOB}]
    with pytest.raises(ContactListMembersError) as caught:
        provider.create(checked(provider, {"list_id": list_id, "members": members}))
    assert set(caught.value.failures) == {"+447400123456"}
    assert "1 of 3 call(s) failed" in str(caught.value)
    assert "+447400123456: add: [ERR_107]" in str(caught.value)
    # A failed create leaves no state: what it added is taken back, and said so.
    assert set(live(emulator, list_id)) == set()
    assert "2 contact(s) this step had added were removed again" in str(caught.value)
    assert ALICE in str(caught.value) and BOB in str(caught.value)
    assert pickle.loads(pickle.dumps(caught.value)).failures == caught.value.failures


def test_many_failures_show_the_first_twenty_and_count_the_rest(
    provider: ContactListMembersProvider, list_id: str
) -> None:
    members = [{"phone_number": f"+44 7400 {n:06d}"} for n in range(100000, 100025)]
    with pytest.raises(ContactListMembersError) as caught:
        provider.create(checked(provider, {"list_id": list_id, "members": members}))
    assert len(caught.value.failures) == 25
    assert str(caught.value).count(": add: ") == 20
    assert "... and 5 more" in str(caught.value)


def test_a_long_step_prints_progress_on_stderr(
    provider: ContactListMembersProvider,
    list_id: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_members_apply, "PROGRESS_MIN_CALLS", 3)
    members = [{"phone_number": n} for n in (ALICE, BOB, CHLOE)]
    provider.create(checked(provider, {"list_id": list_id, "members": members}))
    assert capsys.readouterr().err.splitlines()[-1] == f"contact list {list_id}: 3/3 contacts added"


def test_max_concurrency_setting_is_a_positive_whole_number() -> None:
    assert settings_from_config({}, {}).max_concurrency == 8
    assert settings_from_config({"avosms:maxConcurrency": "16"}, {}).max_concurrency == 16
    assert settings_from_config({}, {"AVOSMS_MAX_CONCURRENCY": "2"}).max_concurrency == 2
    for bad in ("0", "2.5", "many"):
        with pytest.raises(ConfigurationError, match="avosms:maxConcurrency"):
            settings_from_config({"avosms:maxConcurrency": bad}, {})


# -- adoption --------------------------------------------------------------------------


def test_import_takes_the_list_over_unchanged_or_shows_the_differences(
    provider: ContactListMembersProvider, emulator: Any, list_id: str
) -> None:
    emulator.backend.console_add_contact(list_id, ALICE, first_name="Alice")
    emulator.backend.console_add_contact(list_id, BOB)
    wrong = checked(
        provider,
        {"list_id": list_id, "members": [{"phone_number": ALICE}], "import_id": list_id},
    )
    with pytest.raises(ContactListMembersError) as caught:
        provider.create(wrong)
    message = str(caught.value)
    assert "for 1 number(s)" in message
    assert f"{ALICE}: first_name program '' AvoSMS 'Alice'" in message
    # A contact not declared is no difference: adoption leaves it alone, not in the state.
    assert BOB not in message
    only_alice = checked(
        provider,
        {
            "list_id": list_id,
            "members": [{"phone_number": ALICE, "first_name": "Alice"}],
            "import_id": list_id,
        },
    )
    adopted = provider.create(only_alice).outs
    assert adopted["members"] == prints({ALICE: {"first_name": "Alice"}})
    assert adopted["undeclared"] == []
    assert set(live(emulator, list_id)) == {ALICE, BOB}
    right = checked(
        provider,
        {
            "list_id": list_id,
            "members": [{"phone_number": ALICE, "first_name": "Alice"}, {"phone_number": BOB}],
            "import_id": list_id,
        },
    )
    outs = provider.create(right).outs
    assert outs["members"] == prints({ALICE: {"first_name": "Alice"}, BOB: {}})
    assert not any(
        r.endpoint.startswith("contact/") and r.endpoint != "contact/list/information"
        for r in emulator.request_log
    )


# -- diff ------------------------------------------------------------------------------


def test_diff_replaces_only_for_a_new_list_and_ignores_the_import_id(
    provider: ContactListMembersProvider,
) -> None:
    olds = {"list_id": "7", "members": {ALICE: {"first_name": "Alice"}}, "exclusive": True}
    same = {**olds, "import_id": "7", "__provider": "x"}
    assert provider.diff("7", olds, same).changes is False
    edited = {**olds, "members": {ALICE: {"first_name": "Alicia"}}}
    result = provider.diff("7", olds, edited)
    assert result.changes is True and result.replaces == []
    assert provider.diff("7", olds, {**olds, "exclusive": False}).replaces == []
    assert provider.diff("7", olds, {**olds, "list_id": "8"}).replaces == ["list_id"]
    # Known only at `up` (a ContactList being renamed): an update at preview; the diff at
    # `up` sees whether the list moved.
    unknown = provider.diff("7", olds, {**olds, "list_id": Unknown()})
    assert unknown.changes is True and unknown.replaces == []


def test_turning_exclusive_on_removes_the_undeclared_only_after_a_refresh_listed_them(
    provider: ContactListMembersProvider,
    emulator: Any,
    list_id: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator.backend.console_add_contact(list_id, CHLOE)
    additive = {"list_id": list_id, "members": [{"phone_number": ALICE}], "exclusive": False}
    olds = provider.create(checked(provider, additive)).outs
    before = calls(emulator)
    outs = provider.update(list_id, olds, checked(provider, {**additive, "exclusive": True})).outs
    after = calls(emulator)
    made = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
    assert made == {"contact/list/information": 1}
    assert set(live(emulator, list_id)) == {ALICE, CHLOE}
    assert (outs["member_count"], outs["contact_count"]) == (1, 2)
    note = capsys.readouterr().err
    assert CHLOE in note and "next `pulumi refresh`" in note
    # The refresh puts CHLOE in the state (so a preview lists her removal) ...
    read = provider.read(list_id, outs)
    assert read.inputs is not None and set(read.inputs["members"]) == {ALICE, CHLOE}
    assert read.outs["undeclared"] == [CHLOE]
    # ... and the up after it, still exclusive, removes her.
    news = checked(provider, {**additive, "exclusive": True})
    assert provider.diff(list_id, read.outs, news).changes is True
    provider.update(list_id, read.outs, news)
    assert set(live(emulator, list_id)) == {ALICE}


def test_an_update_adding_a_number_already_in_the_list_updates_it_and_counts_right(
    provider: ContactListMembersProvider, emulator: Any, list_id: str
) -> None:
    olds = provider.create(
        checked(provider, {"list_id": list_id, "members": [{"phone_number": ALICE}]})
    ).outs
    emulator.backend.console_add_contact(list_id, BOB, first_name="Bobby")
    news = checked(
        provider,
        {
            "list_id": list_id,
            "members": [{"phone_number": ALICE}, {"phone_number": BOB, "first_name": "Bob"}],
        },
    )
    outs = provider.update(list_id, olds, news).outs
    assert live(emulator, list_id)[BOB]["first_name"] == "Bob"
    assert (outs["member_count"], outs["contact_count"]) == (2, 2)


def test_an_update_of_a_list_deleted_in_the_console_says_so_once(
    provider: ContactListMembersProvider, emulator: Any, list_id: str
) -> None:
    olds = provider.create(
        checked(provider, {"list_id": list_id, "members": [{"phone_number": ALICE}]})
    ).outs
    emulator.backend.console_delete_list(list_id)
    news = checked(
        provider,
        {"list_id": list_id, "members": [{"phone_number": n} for n in (ALICE, BOB, CHLOE)]},
    )
    with pytest.raises(ContactListMembersError) as caught:
        provider.update(list_id, olds, news)
    assert "the list no longer exists in the AvoSMS account" in str(caught.value)
    assert set(caught.value.failures) == {BOB, CHLOE}
