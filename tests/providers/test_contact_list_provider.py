"""ContactListProvider's methods called directly against the emulator (no plugin, no engine).

The engine-contract tests in test_contact_list_engine.py drive the same code through the
real plugin; these pin each method's behaviour with precise failures.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from pulumi_avosms import ContactListError, ContactListProvider
from pulumi_avosms.config import ConfigurationError


def make_provider(config: dict[str, str]) -> ContactListProvider:
    provider = ContactListProvider()
    provider.configure(ConfigureRequest(Config(config, "test")))
    return provider


@pytest.fixture
def provider(avosms_config: dict[str, str]) -> ContactListProvider:
    return make_provider(avosms_config)


def failures_of(provider: ContactListProvider, news: dict[str, Any], olds: Any = None) -> dict:
    result = provider.check(olds or {}, news)
    return {f.property: f.reason for f in result.failures}


# -- check -------------------------------------------------------------------------------


def test_check_normalises_country_case_and_trims_name(provider: ContactListProvider) -> None:
    result = provider.check({}, {"name": "  Customers FR ", "country_code": "fr"})
    assert result.failures == []
    assert result.inputs == {"name": "Customers FR", "country_code": "FR"}


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("FRA", "'FRA' is alpha-3; use 'FR'"),
        ("fra", "'fra' is alpha-3; use 'FR'"),
        ("France", "'France' is a country name; use 'FR'"),
        ("250", "'250' is a numeric code; use 'FR'"),
        ("XX", "'XX' is not an ISO 3166-1 alpha-2 country code"),
        ("uk", "use 'GB'"),
        ("", "must not be empty"),
        (33, "must be a two-letter ISO 3166-1 alpha-2 country code such as 'FR', got a number 33"),
    ],
)
def test_check_rejects_bad_country_with_a_suggestion(
    provider: ContactListProvider, country: Any, expected: str
) -> None:
    failures = failures_of(provider, {"name": "Customers", "country_code": country})
    assert set(failures) == {"country_code"}
    assert expected in failures["country_code"]
    assert failures["country_code"].startswith("country_code ")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("   ", "name must not be empty"),
        ("", "name must not be empty"),
        ("Bad\nName", "control character U+000A"),
        ("Nul\x00", "control character U+0000"),
        (["a"], "name must be a string, got an array"),
        (12, "name must be a string, got a number"),
    ],
)
def test_check_rejects_bad_name(provider: ContactListProvider, name: Any, expected: str) -> None:
    failures = failures_of(provider, {"name": name, "country_code": "FR"})
    assert set(failures) == {"name"}
    assert expected in failures["name"]


def test_check_reports_missing_properties_by_name(provider: ContactListProvider) -> None:
    failures = failures_of(provider, {})
    assert failures == {"name": "name is required", "country_code": "country_code is required"}


@pytest.mark.parametrize("unknown", [Unknown(), UNKNOWN], ids=["object", "sentinel"])
def test_check_passes_unknown_values_through_during_preview(
    provider: ContactListProvider, unknown: Any
) -> None:
    result = provider.check({}, {"name": unknown, "country_code": unknown})
    assert result.failures == []
    assert result.inputs == {"name": unknown, "country_code": unknown}


def test_check_refuses_country_change_that_keeps_the_name(provider: ContactListProvider) -> None:
    olds = {"name": "Customers", "country_code": "FR"}
    failures = failures_of(provider, {"name": "customers", "country_code": "BE"}, olds)
    assert set(failures) == {"country_code"}
    assert "from FR to BE" in failures["country_code"]
    assert "cannot delete" in failures["country_code"]
    # With a new name as well, the replacement can work.
    assert failures_of(provider, {"name": "Customers BE", "country_code": "BE"}, olds) == {}


def test_check_normalises_the_import_id(provider: ContactListProvider) -> None:
    result = provider.check({}, {"name": "A", "country_code": "FR", "import_id": 42})
    assert result.failures == []
    assert result.inputs["import_id"] == "42"
    failures = failures_of(provider, {"name": "A", "country_code": "FR", "import_id": "4 2"})
    assert "not an AvoSMS list ID" in failures["import_id"]


# -- diff --------------------------------------------------------------------------------

STATE = {
    "list_id": "7",
    "name": "Customers",
    "country_code": "FR",
    "country_name": "France",
    "contact_count": 3,
    "created_at": "2026-11-25 10:00:00",
    "__provider": "old-blob",
}


def test_diff_of_unchanged_inputs_is_no_change(provider: ContactListProvider) -> None:
    news = {"name": "Customers", "country_code": "FR", "__provider": "new-blob"}
    result = provider.diff("7", STATE, news)
    assert result.changes is False
    assert result.replaces == []


def test_diff_ignores_the_import_id(provider: ContactListProvider) -> None:
    news = {"name": "Customers", "country_code": "FR", "import_id": "7"}
    assert provider.diff("7", STATE, news).changes is False


def test_diff_of_a_rename_is_an_update_in_place(provider: ContactListProvider) -> None:
    result = provider.diff("7", STATE, {"name": "Clients", "country_code": "FR"})
    assert result.changes is True
    assert result.replaces == []


def test_diff_of_a_country_change_is_a_replacement(provider: ContactListProvider) -> None:
    result = provider.diff("7", STATE, {"name": "Clients BE", "country_code": "BE"})
    assert result.changes is True
    assert result.replaces == ["country_code"]


@pytest.mark.parametrize("unknown", [Unknown(), UNKNOWN], ids=["object", "sentinel"])
def test_diff_with_unknown_inputs_is_a_change(provider: ContactListProvider, unknown: Any) -> None:
    result = provider.diff("7", STATE, {"name": unknown, "country_code": "FR"})
    assert result.changes is True
    assert result.replaces == []
    result = provider.diff("7", STATE, {"name": "Customers", "country_code": unknown})
    assert result.replaces == ["country_code"]


# -- create / read / update / delete ---------------------------------------------------


def test_create_returns_every_output(provider: ContactListProvider, emulator: Any) -> None:
    result = provider.create({"name": "Customers FR", "country_code": "FR"})
    live = emulator.backend.get_list(result.id)
    assert live is not None and live["name"] == "Customers FR"
    assert result.outs == {
        "list_id": result.id,
        "name": "Customers FR",
        "country_code": "FR",
        "country_name": live["country_name"],
        "contact_count": 0,
        "created_at": live["created_at"],
    }


def test_create_with_a_taken_name_says_how_to_adopt(
    provider: ContactListProvider, emulator: Any
) -> None:
    existing = emulator.backend.console_create_list("Customers FR", "FR")
    with pytest.raises(ContactListError) as caught:
        provider.create({"name": "Customers FR", "country_code": "FR"})
    message = str(caught.value)
    assert f"ID {existing}" in message
    assert f"import_={existing!r}" in message
    assert len(emulator.backend.lists()) == 1


def test_read_reports_the_live_list(provider: ContactListProvider, emulator: Any) -> None:
    list_id = provider.create({"name": "Customers", "country_code": "FR"}).id
    emulator.backend.console_rename_list(list_id, "Customers (edited)")
    emulator.backend.console_add_contact(list_id, "+33612345678")
    result = provider.read(list_id, {"name": "Customers", "country_code": "FR"})
    assert result.id == list_id
    assert result.outs is not None
    assert result.outs["name"] == "Customers (edited)"
    assert result.outs["contact_count"] == 1
    assert result.inputs == {"name": "Customers (edited)", "country_code": "FR"}


def test_contact_list_deleted_out_of_band_reads_as_gone(
    provider: ContactListProvider, emulator: Any
) -> None:
    list_id = provider.create({"name": "Customers", "country_code": "FR"}).id
    emulator.backend.console_delete_list(list_id)
    result = provider.read(list_id, {})
    assert result.id == ""
    assert result.outs == {}


def test_read_fails_loudly_on_a_server_error(avosms_config: dict[str, str], emulator: Any) -> None:
    # A small retry budget: the test is about the failure, not the backoff.
    provider = make_provider({**avosms_config, "avosms:maxRetries": "1"})
    list_id = provider.create({"name": "Customers", "country_code": "FR"}).id
    emulator.faults.add("err9xx", count=100, code="ERR_901")
    with pytest.raises(ContactListError, match=f"Could not refresh contact list {list_id}"):
        provider.read(list_id, {})


def test_update_renames_in_place(provider: ContactListProvider, emulator: Any) -> None:
    created = provider.create({"name": "Customers", "country_code": "FR"})
    result = provider.update(
        created.id, created.outs or {}, {"name": "Clients", "country_code": "FR"}
    )
    assert result.outs is not None and result.outs["name"] == "Clients"
    assert result.outs["list_id"] == created.id
    assert emulator.backend.get_list(created.id)["name"] == "Clients"


def test_update_to_a_taken_name_fails_and_keeps_the_old_name(
    provider: ContactListProvider, emulator: Any
) -> None:
    emulator.backend.console_create_list("Taken", "FR")
    created = provider.create({"name": "Customers", "country_code": "FR"})
    with pytest.raises(ContactListError, match="already uses that name"):
        provider.update(created.id, created.outs or {}, {"name": "Taken", "country_code": "FR"})
    assert emulator.backend.get_list(created.id)["name"] == "Customers"


def test_delete_leaves_the_list_and_warns(
    provider: ContactListProvider, emulator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    created = provider.create({"name": "Customers", "country_code": "FR"})
    provider.delete(created.id, created.outs or {})
    err = capsys.readouterr().err
    assert f"contact list {created.id}" in err
    assert "still exists" in err
    assert emulator.backend.get_list(created.id) is not None


# -- adoption ----------------------------------------------------------------------------


def test_create_with_import_id_adopts_the_matching_list(
    provider: ContactListProvider, emulator: Any
) -> None:
    existing = emulator.backend.console_create_list("Legacy", "BE")
    result = provider.create({"name": "Legacy", "country_code": "BE", "import_id": existing})
    assert result.id == existing
    assert result.outs is not None and result.outs["name"] == "Legacy"
    assert len(emulator.backend.lists()) == 1


def test_import_of_a_mismatching_list_shows_both_values(
    provider: ContactListProvider, emulator: Any
) -> None:
    existing = emulator.backend.console_create_list("Legacy", "BE")
    with pytest.raises(ContactListError) as caught:
        provider.create({"name": "Legacy list", "country_code": "FR", "import_id": existing})
    message = str(caught.value)
    assert "program: 'Legacy list'" in message and "AvoSMS: 'Legacy'" in message
    assert "program: 'FR'" in message and "AvoSMS: 'BE'" in message
    assert len(emulator.backend.lists()) == 1


def test_import_of_an_unknown_id_says_so(provider: ContactListProvider) -> None:
    with pytest.raises(ContactListError, match="no such list"):
        provider.create({"name": "Legacy", "country_code": "BE", "import_id": "999999"})


# -- credentials -------------------------------------------------------------------------


def test_missing_credentials_name_both_ways_to_set_them(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AVOSMS_API_ID", raising=False)
    monkeypatch.delenv("AVOSMS_API_KEY", raising=False)
    provider = make_provider({"avosms:endpoint": emulator.api_url})
    # check and diff need no credentials
    assert provider.check({}, {"name": "A", "country_code": "FR"}).failures == []
    assert provider.diff("7", STATE, {"name": "Renamed", "country_code": "FR"}).changes is True
    with pytest.raises(ConfigurationError) as caught:
        provider.create({"name": "A", "country_code": "FR"})
    message = str(caught.value)
    for way in ("avosms:apiId", "avosms:apiKey", "AVOSMS_API_ID", "AVOSMS_API_KEY", "--secret"):
        assert way in message
    assert emulator.backend.lists() == []


def test_credentials_from_the_environment_only(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY

    monkeypatch.setenv("AVOSMS_API_ID", DEMO_ID)
    monkeypatch.setenv("AVOSMS_API_KEY", DEMO_KEY)
    monkeypatch.setenv("AVOSMS_ENDPOINT", emulator.api_url)
    provider = make_provider({})
    created = provider.create({"name": "From env", "country_code": "FR"})
    assert emulator.backend.get_list(created.id)["name"] == "From env"


def test_bad_credentials_fail_with_advice_and_without_the_key(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = make_provider(
        {
            "avosms:apiId": "demo@avosms.local",
            "avosms:apiKey": "WRONG-KEY-0123456789",
            "avosms:endpoint": emulator.api_url,
        }
    )
    with pytest.raises(ContactListError) as caught:
        provider.create({"name": "A", "country_code": "FR"})
    assert "avosms:apiKey" in str(caught.value)
    assert "WRONG-KEY-0123456789" not in str(caught.value)
    assert caught.value.api_error is not None
    assert "WRONG-KEY-0123456789" not in repr(caught.value.api_error)


# -- review follow-ups ---------------------------------------------------------------------


def test_a_country_change_with_import_still_in_the_program_says_to_remove_it(
    provider: ContactListProvider,
) -> None:
    """The replacement's create would adopt the imported list again instead of creating."""
    olds = {"name": "Legacy", "country_code": "FR", "import_id": "7"}
    news = {"name": "Legacy DE", "country_code": "DE", "import_id": "7"}
    failures = failures_of(provider, news, olds)
    assert set(failures) == {"import_id"}
    assert "Remove import_" in failures["import_id"]
    # Without import_, the same change is a plain replacement.
    assert failures_of(provider, {"name": "Legacy DE", "country_code": "DE"}, olds) == {}


def test_a_rename_that_already_landed_is_done_not_a_conflict(
    provider: ContactListProvider, emulator: Any
) -> None:
    """A rename whose read-back failed left the state on the old name; the next up renames
    to the name the list already has, which AvoSMS refuses as taken."""
    created = provider.create({"name": "Customers", "country_code": "FR"})
    emulator.backend.console_rename_list(created.id, "Clients")
    result = provider.update(
        created.id, created.outs or {}, {"name": "Clients", "country_code": "FR"}
    )
    assert result.outs is not None and result.outs["name"] == "Clients"


def test_a_case_only_rename_refused_by_avosms_says_how_to_do_it(
    provider: ContactListProvider, emulator: Any
) -> None:
    created = provider.create({"name": "customers", "country_code": "FR"})
    with pytest.raises(ContactListError) as caught:
        provider.update(created.id, created.outs or {}, {"name": "Customers", "country_code": "FR"})
    assert "only by case" in str(caught.value) and "two steps" in str(caught.value)
    assert emulator.backend.get_list(created.id)["name"] == "customers"


@pytest.mark.parametrize(
    "news",
    [
        {"name": "A", "country_code": "KEY-IN-INPUT-0123"},
        {"name": "list KEY-IN-INPUT-0123", "country_code": "FR"},
        {"name": "A", "country_code": "FR", "import_id": "KEY-IN-INPUT-0123"},
    ],
)
def test_a_pasted_api_key_is_refused_without_ever_being_quoted(
    emulator: Any, news: dict[str, Any]
) -> None:
    provider = make_provider(
        {
            "avosms:apiId": "x@example.com",
            "avosms:apiKey": "KEY-IN-INPUT-0123",
            "avosms:endpoint": emulator.api_url,
        }
    )
    result = provider.check({}, news)
    assert result.failures, news
    for failure in result.failures:
        assert "KEY-IN-INPUT-0123" not in failure.reason
    leaking = [f.property for f in result.failures if "API key" in f.reason]
    assert leaking == [prop for prop, value in news.items() if "KEY-IN-INPUT" in value]
