"""ContactProvider's methods called directly against the emulator (no plugin, no engine).

The engine-contract tests in test_contact_engine.py drive the same code through the real
plugin; these pin each method's behaviour, and the validators', with precise failures.
"""

from __future__ import annotations

import pickle
import re
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from pulumi_avosms.client import ContactInfo, ContactListDetail
from pulumi_avosms.client.replies import tolerant_birthday, tolerant_phone_number
from pulumi_avosms.contact import ContactError, ContactProvider
from pulumi_avosms.contact_validation import (
    normalize_birthday,
    normalize_email,
    normalize_phone_number,
    parse_contact_id,
)
from pulumi_avosms.validation import ValidationError

MOBILE_FR = "+33612345678"
MOBILE_FR_2 = "+33698765432"
MOBILE_GB = "+447400123456"
FIXED_FR = "+33144556677"
FIELDS = ("civility", "first_name", "last_name", "email", "birthday", "other")


def make_provider(config: dict[str, str]) -> ContactProvider:
    provider = ContactProvider()
    provider.configure(ConfigureRequest(Config(config, "test")))
    return provider


@pytest.fixture
def provider(avosms_config: dict[str, str]) -> ContactProvider:
    return make_provider(avosms_config)


@pytest.fixture
def list_id(emulator: Any) -> str:
    return str(emulator.backend.console_create_list("On-call FR", "FR"))


def failures_of(provider: ContactProvider, news: dict[str, Any]) -> dict[str, str]:
    result = provider.check({}, news)
    return {f.property: f.reason for f in result.failures}


def checked(provider: ContactProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, news)
    assert result.failures == []
    return result.inputs


def live_contacts(emulator: Any, list_id: str) -> list[dict[str, str]]:
    return emulator.backend.get_list(list_id)["contacts"]  # type: ignore[no-any-return]


# -- validators ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["+33 6 12 34 56 78", "+33612345678", " +33 (0)6 12-34-56-78 ", "tel:+33-6-12-34-56-78"],
)
def test_phone_numbers_normalise_to_e164(raw: str) -> None:
    assert normalize_phone_number(raw) == MOBILE_FR


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 12 34 56 78", "no country calling code; write it in international +CC form"),
        ("0033612345678", "starts with 00, the international dialling prefix"),
        ("00 33 6 12 34 56 78", "write the number with + instead: '+33 6 12 34 56 78'"),
        ("+999 612345678", "unknown country calling code"),
        ("+33 1 23", "not a valid phone number for FR (France)"),
        ("hello", "is not a phone number"),
        ("+33 6 12 34 56 78 90 12 34 56 78 90", "too long"),
        ("+33 6 12 34 56 78 ext. 12", "has an extension (12)"),
        ("", "must not be empty"),
        (33612345678, "must be a string in international form"),
    ],
)
def test_bad_phone_numbers_are_explained(raw: Any, expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalize_phone_number(raw)
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alice@example.com", "alice@example.com"),
        ("  Alice.Martin+sms@Example.COM ", "Alice.Martin+sms@example.com"),
        ("o'brien@mail.example.co.uk", "o'brien@mail.example.co.uk"),
        ("x@xn--bcher-kva.example", "x@xn--bcher-kva.example"),
        (None, ""),
        ("", ""),
    ],
)
def test_emails_keep_the_local_part_and_lowercase_the_domain(raw: Any, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "alice",
        "alice@",
        "@example.com",
        "alice@example",
        "alice@@example.com",
        "alice@exa mple.com",
        "al ice@example.com",
        ".alice@example.com",
        "alice..m@example.com",
        "alice@-example.com",
        "alice@example.c",
        "alice@bücher.de",
        '"quoted"@example.com',
        "a" * 65 + "@example.com",
    ],
)
def test_bad_emails_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalize_email(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1990-05-17", "1990-05-17"),
        ("17/05/1990", "1990-05-17"),
        ("7/5/1990", "1990-05-07"),
        ("03/04/1990", "1990-04-03"),  # French order, never US
        ("2000-02-29", "2000-02-29"),
        (None, ""),
        ("  ", ""),
    ],
)
def test_birthdays_normalise_to_iso(raw: Any, expected: str) -> None:
    assert normalize_birthday(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1990-02-30", "no such day"),
        ("31/02/1990", "no such day"),
        ("1990-13-01", "no such day"),
        ("17.05.1990", "write it as YYYY-MM-DD"),
        ("19900517", "write it as YYYY-MM-DD"),  # fromisoformat would take it: refused first
        ("1990-W20-1", "write it as YYYY-MM-DD"),
        ("May 17 1990", "write it as YYYY-MM-DD"),
        (19900517, "must be a string"),
    ],
)
def test_bad_birthdays_are_refused(raw: Any, expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        normalize_birthday(raw)


def test_tolerant_readers_accept_what_avosms_may_return() -> None:
    assert tolerant_phone_number("06 12 34 56 78", "FR") == MOBILE_FR
    assert tolerant_phone_number("0033612345678", "FR") == MOBILE_FR
    assert tolerant_phone_number("612345678", "FR") == MOBILE_FR
    assert tolerant_phone_number("", "FR") is None
    assert tolerant_phone_number("garbage", "FR") is None
    assert tolerant_birthday("0000-00-00") == ""
    assert tolerant_birthday("17/05/1990") == "1990-05-17"
    assert tolerant_birthday("someday") == "someday"


def test_contact_ids_parse_with_any_international_number() -> None:
    assert parse_contact_id("7/+33 6 12 34 56 78") == ("7", MOBILE_FR)
    for bad in ("7", "7/06 12 34 56 78", " /+33612345678", 7):
        with pytest.raises(ValidationError):
            parse_contact_id(bad)


# -- check ---------------------------------------------------------------------------------


def test_check_normalises_every_input(provider: ContactProvider) -> None:
    inputs = checked(
        provider,
        {
            "list_id": 7,
            "phone_number": " +33 6 12 34 56 78 ",
            "civility": " Mme ",
            "first_name": "Alice ",
            "last_name": " Martin",
            "email": "Alice@Example.COM",
            "birthday": "17/05/1990",
            "other": "pager duty",
            "__provider": "blob",
        },
    )
    assert inputs == {
        "list_id": "7",
        "phone_number": MOBILE_FR,
        "civility": "Mme",
        "first_name": "Alice",
        "last_name": "Martin",
        "email": "Alice@example.com",
        "birthday": "1990-05-17",
        "other": "pager duty",
    }


def test_check_stores_absent_optionals_as_empty_strings(provider: ContactProvider) -> None:
    inputs = checked(provider, {"list_id": "7", "phone_number": MOBILE_FR, "email": None})
    assert inputs == {"list_id": "7", "phone_number": MOBILE_FR, **dict.fromkeys(FIELDS, "")}


def test_check_names_phone_number_for_a_national_number(provider: ContactProvider) -> None:
    failures = failures_of(provider, {"list_id": "7", "phone_number": "06 12 34 56 78"})
    assert set(failures) == {"phone_number"}
    assert failures["phone_number"].startswith("phone_number ")
    assert "+CC" in failures["phone_number"]


def test_check_names_phone_number_for_an_invalid_number(provider: ContactProvider) -> None:
    failures = failures_of(provider, {"list_id": "7", "phone_number": "+33 1 23"})
    assert set(failures) == {"phone_number"}
    assert "not a valid phone number" in failures["phone_number"]


def test_check_reports_every_bad_property_by_name(provider: ContactProvider) -> None:
    failures = failures_of(
        provider,
        {
            "list_id": "7 7",
            "phone_number": "+33612345678",
            "first_name": "Al\nice",
            "email": "alice@",
            "birthday": "31/02/1990",
            "civility": 3,
        },
    )
    assert set(failures) == {"list_id", "first_name", "email", "birthday", "civility"}
    assert "control character U+000A" in failures["first_name"]
    assert "civility must be a string" in failures["civility"]


def test_check_reports_missing_required_properties(provider: ContactProvider) -> None:
    assert failures_of(provider, {}) == {
        "list_id": "list_id is required",
        "phone_number": "phone_number is required",
    }


def test_check_passes_unknown_values_through(provider: ContactProvider) -> None:
    inputs = checked(provider, {"list_id": UNKNOWN, "phone_number": UNKNOWN, "email": UNKNOWN})
    assert inputs["list_id"] == UNKNOWN
    assert inputs["phone_number"] == UNKNOWN
    assert inputs["email"] == UNKNOWN
    assert inputs["birthday"] == ""


def test_check_passes_the_plugins_unknown_objects_through(provider: ContactProvider) -> None:
    # Inside the plugin, Check and Diff see `pulumi.output.Unknown` objects, not the string.
    inputs = checked(provider, {"list_id": Unknown(), "phone_number": MOBILE_FR})
    assert isinstance(inputs["list_id"], Unknown)
    result = provider.diff(f"7/{MOBILE_FR}", STATE, {**NEWS, "list_id": Unknown()})
    assert result.changes is True


def test_check_normalises_the_import_id(provider: ContactProvider) -> None:
    inputs = checked(
        provider,
        {"list_id": "7", "phone_number": MOBILE_FR, "import_id": "7/+33 6 12 34 56 78"},
    )
    assert inputs["import_id"] == f"7/{MOBILE_FR}"
    # With an unknown list (first preview), only the number can be compared.
    inputs = checked(
        provider,
        {"list_id": UNKNOWN, "phone_number": MOBILE_FR, "import_id": f"7/{MOBILE_FR}"},
    )
    assert inputs["import_id"] == f"7/{MOBILE_FR}"


def test_check_refuses_an_import_id_of_another_contact(provider: ContactProvider) -> None:
    failures = failures_of(
        provider, {"list_id": "8", "phone_number": MOBILE_FR, "import_id": f"7/{MOBILE_FR_2}"}
    )
    assert set(failures) == {"import_id"}
    assert "list 7 but list_id is '8'" in failures["import_id"]
    assert f"number {MOBILE_FR_2} but phone_number is '{MOBILE_FR}'" in failures["import_id"]
    failures = failures_of(provider, {"list_id": "7", "phone_number": MOBILE_FR, "import_id": "7"})
    assert "import_ must be '<list id>/<phone number>'" in failures["import_id"]


# -- diff ----------------------------------------------------------------------------------

STATE = {
    "list_id": "7",
    "phone_number": MOBILE_FR,
    "civility": "",
    "first_name": "Alice",
    "last_name": "Martin",
    "email": "alice@example.com",
    "birthday": "",
    "other": "",
    "__provider": "old-blob",
}
NEWS = {k: v for k, v in STATE.items() if k != "__provider"}


def test_diff_of_unchanged_inputs_is_no_change(provider: ContactProvider) -> None:
    result = provider.diff(f"7/{MOBILE_FR}", STATE, {**NEWS, "__provider": "new-blob"})
    assert result.changes is False
    assert result.replaces == []


def test_diff_ignores_the_import_id(provider: ContactProvider) -> None:
    result = provider.diff(f"7/{MOBILE_FR}", STATE, {**NEWS, "import_id": f"7/{MOBILE_FR}"})
    assert result.changes is False


def test_diff_treats_a_missing_optional_in_state_as_empty(provider: ContactProvider) -> None:
    olds = {k: v for k, v in STATE.items() if k not in ("birthday", "other")}
    assert provider.diff(f"7/{MOBILE_FR}", olds, NEWS).changes is False


def test_diff_of_a_field_is_an_update_in_place(provider: ContactProvider) -> None:
    result = provider.diff(f"7/{MOBILE_FR}", STATE, {**NEWS, "first_name": "Alicia"})
    assert result.changes is True
    assert result.replaces == []


def test_diff_with_the_list_unknown_at_preview_is_an_update_not_a_replacement(
    provider: ContactProvider,
) -> None:
    """At preview, a ContactList being updated has every output unknown (the plugin cannot
    preview); its contacts must not all show as replaced for a mere list rename. The diff
    of `pulumi up` sees the real list_id and replaces only if the list changed."""
    for unknown in (UNKNOWN, Unknown()):
        result = provider.diff(f"7/{MOBILE_FR}", STATE, {**NEWS, "list_id": unknown})
        assert (result.changes, result.replaces) == (True, [])


@pytest.mark.parametrize(("prop", "value"), [("phone_number", MOBILE_FR_2), ("list_id", "8")])
def test_diff_of_number_or_list_is_a_replacement(
    provider: ContactProvider, prop: str, value: str
) -> None:
    result = provider.diff(f"7/{MOBILE_FR}", STATE, {**NEWS, prop: value})
    assert result.changes is True
    assert result.replaces == [prop]
    assert result.delete_before_replace is False


def test_diff_with_an_unknown_field_is_a_change(provider: ContactProvider) -> None:
    result = provider.diff(f"7/{MOBILE_FR}", STATE, {**NEWS, "email": UNKNOWN})
    assert result.changes is True
    assert result.replaces == []


# -- create --------------------------------------------------------------------------------


def test_create_adds_the_contact_and_returns_the_inputs(
    provider: ContactProvider, emulator: Any, list_id: str
) -> None:
    inputs = checked(
        provider,
        {
            "list_id": list_id,
            "phone_number": "+33 6 12 34 56 78",
            "first_name": "Alice",
            "last_name": "Martin",
            "email": "alice@Example.com",
            "birthday": "17/05/1990",
        },
    )
    result = provider.create(inputs)
    assert result.id == f"{list_id}/{MOBILE_FR}"
    assert result.outs == inputs
    assert live_contacts(emulator, list_id) == [
        {
            "phone_number": MOBILE_FR,
            "civility": "",
            "last_name": "Martin",
            "first_name": "Alice",
            "email": "alice@example.com",
            "birthday": "1990-05-17",
            "other": "",
        }
    ]
    # One call: no read-back of the whole list.
    assert emulator.stats.snapshot()["calls"] == {"contact/add": 1}


def test_create_of_a_number_already_in_the_list_says_how_to_adopt(
    provider: ContactProvider, emulator: Any, list_id: str
) -> None:
    emulator.backend.console_add_contact(list_id, MOBILE_FR, first_name="Bob")
    with pytest.raises(ContactError) as caught:
        provider.create(checked(provider, {"list_id": list_id, "phone_number": MOBILE_FR}))
    message = str(caught.value)
    assert "already in the list" in message
    assert f"import_='{list_id}/{MOBILE_FR}'" in message
    assert "ERR_105" in message
    assert caught.value.list_id == list_id and caught.value.phone_number == MOBILE_FR
    assert caught.value.__cause__ is not None
    assert live_contacts(emulator, list_id)[0]["first_name"] == "Bob"


def test_create_of_a_number_of_another_country_names_both_countries(
    provider: ContactProvider, emulator: Any, list_id: str
) -> None:
    with pytest.raises(ContactError) as caught:
        provider.create(checked(provider, {"list_id": list_id, "phone_number": MOBILE_GB}))
    message = str(caught.value)
    assert "GB (United Kingdom)" in message
    assert "FR (France)" in message
    assert "ERR_107" in message
    assert live_contacts(emulator, list_id) == []


def test_create_of_a_refused_number_type_says_which_type(
    provider: ContactProvider, list_id: str
) -> None:
    with pytest.raises(ContactError) as caught:
        provider.create(checked(provider, {"list_id": list_id, "phone_number": FIXED_FR}))
    assert "does not accept this type of number (fixed line)" in str(caught.value)
    assert "ERR_108" in str(caught.value)


def test_create_in_a_missing_list_says_so(provider: ContactProvider, emulator: Any) -> None:
    with pytest.raises(ContactError) as caught:
        provider.create(checked(provider, {"list_id": "999", "phone_number": MOBILE_FR}))
    assert "contact list 999 does not exist" in str(caught.value)


# -- read ----------------------------------------------------------------------------------


def test_read_reports_console_edits_and_mirrors_them_as_inputs(
    provider: ContactProvider, emulator: Any, list_id: str
) -> None:
    inputs = checked(
        provider, {"list_id": list_id, "phone_number": MOBILE_FR, "first_name": "Alice"}
    )
    created = provider.create(inputs)
    emulator.backend.console_add_contact(list_id, MOBILE_FR_2, first_name="Other", email="o@x.io")
    emulator.backend.console_update_contact(
        list_id, MOBILE_FR, first_name="Alicia", email="alicia@example.com"
    )
    result = provider.read(created.id, created.outs or {})
    assert result.id == created.id
    expected = {**inputs, "first_name": "Alicia", "email": "alicia@example.com"}
    assert result.outs == expected
    assert result.inputs == expected
    # Only this contact: nothing of the other contact of the list leaks into state.
    assert "Other" not in repr(result.outs) and MOBILE_FR_2 not in repr(result.outs)


def test_read_of_an_unchanged_contact_diffs_clean(provider: ContactProvider, list_id: str) -> None:
    inputs = checked(
        provider,
        {
            "list_id": list_id,
            "phone_number": MOBILE_FR,
            "email": "Alice@EXAMPLE.com",
            "birthday": "17/05/1990",
        },
    )
    created = provider.create(inputs)
    result = provider.read(created.id, created.outs or {})
    assert result.outs == inputs
    assert provider.diff(created.id, result.outs or {}, inputs).changes is False


def test_read_matches_a_number_avosms_returns_in_national_format(
    provider: ContactProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    detail = ContactListDetail(
        list_id="7",
        name="On-call",
        country_code="FR",
        country_name="France",
        contact_count=2,
        created_at=None,
        contacts=(
            ContactInfo("06 98 76 54 32", "", "", "Zoe", "", "", ""),
            ContactInfo("06 12 34 56 78", "M.", "Martin", "Alice", "", "0000-00-00", ""),
        ),
    )

    class FakeClient:
        read_cache_ttl = 2.0

        def get_list(self, list_id: str, max_age: float = 0.0) -> ContactListDetail:
            assert list_id == "7"
            return detail

    monkeypatch.setattr(provider, "_client", lambda account=None: FakeClient())
    result = provider.read(f"7/{MOBILE_FR}", {})
    assert result.id == f"7/{MOBILE_FR}"
    assert result.outs == {
        "list_id": "7",
        "phone_number": MOBILE_FR,
        "civility": "M.",
        "first_name": "Alice",
        "last_name": "Martin",
        "email": "",
        "birthday": "",
        "other": "",
    }


def test_contact_removed_in_the_console_reads_as_gone(
    provider: ContactProvider, emulator: Any, list_id: str
) -> None:
    created = provider.create(checked(provider, {"list_id": list_id, "phone_number": MOBILE_FR}))
    emulator.backend.console_remove_contact(list_id, MOBILE_FR)
    result = provider.read(created.id, created.outs or {})
    assert result.id == ""
    assert result.outs == {}


def test_contact_of_a_deleted_list_reads_as_gone(
    provider: ContactProvider, emulator: Any, list_id: str
) -> None:
    created = provider.create(checked(provider, {"list_id": list_id, "phone_number": MOBILE_FR}))
    emulator.backend.console_delete_list(list_id)
    result = provider.read(created.id, {})
    assert result.id == ""
    assert result.outs == {}


def test_read_fails_loudly_on_a_server_error(
    avosms_config: dict[str, str], emulator: Any, list_id: str
) -> None:
    provider = make_provider({**avosms_config, "avosms:maxRetries": "0"})
    created = provider.create(checked(provider, {"list_id": list_id, "phone_number": MOBILE_FR}))
    emulator.faults.add("err9xx", count=100, code="ERR_901")
    with pytest.raises(ContactError, match=re.escape(f"Could not refresh contact {MOBILE_FR}")):
        provider.read(created.id, {})


def test_read_of_a_malformed_id_explains_the_format(provider: ContactProvider) -> None:
    with pytest.raises(ContactError, match=re.escape("'<list id>/<E.164 number>'")):
        provider.read("7", {})


# -- update --------------------------------------------------------------------------------


def test_update_sends_every_field(provider: ContactProvider, emulator: Any, list_id: str) -> None:
    inputs = checked(
        provider,
        {
            "list_id": list_id,
            "phone_number": MOBILE_FR,
            "first_name": "Alice",
            "last_name": "Martin",
            "email": "alice@example.com",
        },
    )
    created = provider.create(inputs)
    news = {**inputs, "first_name": "Alicia", "email": ""}
    result = provider.update(created.id, created.outs or {}, news)
    assert result.outs == news
    form = [r.form for r in emulator.request_log if r.endpoint == "contact/update"][-1]
    assert {k: v for k, v in form.items() if k.startswith("contact")} == {
        "contactTelephoneNumber": MOBILE_FR,
        "contactCivility": "",
        "contactName": "Martin",
        "contactFirstName": "Alicia",
        "contactEmail": "",
        "contactBirthday": "",
        "contactOther": "",
    }
    live = live_contacts(emulator, list_id)[0]
    assert live["first_name"] == "Alicia" and live["last_name"] == "Martin"
    assert live["email"] == ""


def test_update_of_a_contact_removed_in_the_console_says_to_refresh(
    provider: ContactProvider, emulator: Any, list_id: str
) -> None:
    inputs = checked(provider, {"list_id": list_id, "phone_number": MOBILE_FR})
    created = provider.create(inputs)
    emulator.backend.console_remove_contact(list_id, MOBILE_FR)
    with pytest.raises(ContactError, match="pulumi refresh"):
        provider.update(created.id, created.outs or {}, {**inputs, "first_name": "A"})
    assert live_contacts(emulator, list_id) == []


def test_update_refuses_a_number_change(provider: ContactProvider, list_id: str) -> None:
    inputs = checked(provider, {"list_id": list_id, "phone_number": MOBILE_FR})
    created = provider.create(inputs)
    with pytest.raises(ContactError, match="cannot change in place"):
        provider.update(created.id, created.outs or {}, {**inputs, "phone_number": MOBILE_FR_2})


# -- delete --------------------------------------------------------------------------------


def test_delete_removes_the_contact(provider: ContactProvider, emulator: Any, list_id: str) -> None:
    created = provider.create(checked(provider, {"list_id": list_id, "phone_number": MOBILE_FR}))
    emulator.backend.console_add_contact(list_id, MOBILE_FR_2)
    provider.delete(created.id, created.outs or {})
    assert [c["phone_number"] for c in live_contacts(emulator, list_id)] == [MOBILE_FR_2]


def test_delete_of_a_contact_already_gone_succeeds(
    provider: ContactProvider, emulator: Any, list_id: str
) -> None:
    created = provider.create(checked(provider, {"list_id": list_id, "phone_number": MOBILE_FR}))
    emulator.backend.console_remove_contact(list_id, MOBILE_FR)
    provider.delete(created.id, created.outs or {})
    emulator.backend.console_delete_list(list_id)
    provider.delete(created.id, created.outs or {})


def test_delete_fails_loudly_on_a_server_error(
    avosms_config: dict[str, str], emulator: Any, list_id: str
) -> None:
    provider = make_provider({**avosms_config, "avosms:maxRetries": "0"})
    created = provider.create(checked(provider, {"list_id": list_id, "phone_number": MOBILE_FR}))
    emulator.faults.add("err9xx", count=100, code="ERR_901")
    with pytest.raises(ContactError, match=re.escape(f"Could not remove {MOBILE_FR}")):
        provider.delete(created.id, created.outs or {})


# -- adoption ------------------------------------------------------------------------------


def test_create_with_import_id_adopts_the_matching_contact(
    provider: ContactProvider, emulator: Any, list_id: str
) -> None:
    emulator.backend.console_add_contact(
        list_id, "06 12 34 56 78", first_name="Alice", email="alice@example.com"
    )
    inputs = checked(
        provider,
        {
            "list_id": list_id,
            "phone_number": MOBILE_FR,
            "first_name": "Alice",
            "email": "alice@example.com",
            "import_id": f"{list_id}/+33 6 12 34 56 78",
        },
    )
    result = provider.create(inputs)
    assert result.id == f"{list_id}/{MOBILE_FR}"
    assert result.outs == {k: v for k, v in inputs.items() if k != "import_id"}
    assert "contact/add" not in emulator.stats.snapshot()["calls"]


def test_import_of_a_mismatching_contact_shows_both_values(
    provider: ContactProvider, emulator: Any, list_id: str
) -> None:
    emulator.backend.console_add_contact(list_id, MOBILE_FR, first_name="Alice")
    inputs = checked(
        provider,
        {
            "list_id": list_id,
            "phone_number": MOBILE_FR,
            "first_name": "Alicia",
            "import_id": f"{list_id}/{MOBILE_FR}",
        },
    )
    with pytest.raises(ContactError) as caught:
        provider.create(inputs)
    message = str(caught.value)
    assert "program: 'Alicia'" in message and "AvoSMS: 'Alice'" in message
    assert live_contacts(emulator, list_id)[0]["first_name"] == "Alice"


def test_import_of_an_unknown_contact_says_so(provider: ContactProvider, list_id: str) -> None:
    inputs = checked(
        provider,
        {"list_id": list_id, "phone_number": MOBILE_FR, "import_id": f"{list_id}/{MOBILE_FR}"},
    )
    with pytest.raises(ContactError) as caught:
        provider.create(inputs)
    message = str(caught.value)
    assert f"contact list {list_id} has no contact with the number {MOBILE_FR}" in message
    assert "remove import_ from the program" in message
    missing_list = {**inputs, "list_id": "999", "import_id": f"999/{MOBILE_FR}"}
    with pytest.raises(ContactError, match="there is no contact list 999"):
        provider.create(missing_list)


# -- odds and ends -------------------------------------------------------------------------


def test_contact_error_pickles_with_its_context() -> None:
    err = ContactError("boom", list_id="7", phone_number=MOBILE_FR)
    copy = pickle.loads(pickle.dumps(err))
    assert (str(copy), copy.list_id, copy.phone_number) == ("boom", "7", MOBILE_FR)


def test_provider_pickles_without_settings(avosms_config: dict[str, str]) -> None:
    provider = make_provider(avosms_config)
    assert provider.__getstate__() == {}
    assert ContactProvider.serialize_as_secret_always is False
    assert "demo" not in repr(pickle.dumps(provider))


def test_moving_an_adopted_contact_with_import_still_there_says_to_remove_it(
    provider: ContactProvider,
) -> None:
    olds = {"list_id": "7", "phone_number": MOBILE_FR, "import_id": f"7/{MOBILE_FR}"}
    news = {"list_id": "7", "phone_number": MOBILE_FR_2, "import_id": f"7/{MOBILE_FR}"}
    failures = {f.property: f.reason for f in provider.check(olds, news).failures}
    assert set(failures) == {"import_id"}
    assert "Remove import_" in failures["import_id"]
