"""AvoSMSClient: endpoints, error mapping, retries, reconciliation, cache, secrecy, threads.

Most tests talk to the emulator (``emulator`` fixture, port 0). Replies the emulator cannot
produce (wrong JSON types, missing fields, huge bodies, odd transport errors) come from a
scripted ``requests`` adapter instead.
"""

from __future__ import annotations

import io
import logging
import pickle
import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
import requests
import urllib3.exceptions
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from pulumi_avosms.client import (
    AvoSMSClient,
    ContactInfo,
    ContactListDetail,
    ContactListInfo,
)
from pulumi_avosms.emulator import EmulatorServer
from pulumi_avosms.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    AvoSMSError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY

FR_MOBILE = "+33612345678"
FR_MOBILE_2 = "+33698765432"
BE_MOBILE = "+32470123456"
FR_LANDLINE = "+33142685300"  # fixed line: the emulator refuses it with ERR_108
MAX_RETRIES = 3


class FakeClock:
    """Injectable clock: ``sleep`` records the wait and advances ``monotonic`` instantly."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.on_sleep: Callable[[float], object] | None = None

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep(seconds)

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> Iterator[Callable[..., AvoSMSClient]]:
    """Factory of clients using the fake clock; all are closed after the test."""
    made: list[AvoSMSClient] = []

    def make(endpoint: str, **kwargs: Any) -> AvoSMSClient:
        kwargs.setdefault("max_retries", MAX_RETRIES)
        kwargs.setdefault("max_retry_time", 30.0)
        kwargs.setdefault("connect_timeout", 2.0)
        kwargs.setdefault("read_timeout", 5.0)
        api_id = kwargs.pop("api_id", DEMO_ID)
        api_key = kwargs.pop("api_key", DEMO_KEY)
        client = AvoSMSClient(
            api_id,
            api_key,
            endpoint,
            _sleep=clock.sleep,
            _monotonic=clock.monotonic,
            **kwargs,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(emulator: EmulatorServer, make_client: Callable[..., AvoSMSClient]) -> AvoSMSClient:
    return make_client(emulator.api_url)


def calls(server: EmulatorServer, endpoint: str) -> int:
    return int(server.stats.snapshot()["calls"].get(endpoint, 0))


# ============================================================================================
# Every endpoint, happy path, against the emulator


def test_create_list_returns_the_new_id_as_a_string(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    list_id = client.create_list("Customers", "FR")
    assert isinstance(list_id, str)
    [stored] = emulator.backend.lists()
    assert str(stored["list_id"]) == list_id
    assert stored["name"] == "Customers"
    assert stored["country_code"] == "FR"


def test_get_list_returns_typed_detail_with_contacts(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    list_id = emulator.backend.console_create_list("Team", "FR")
    emulator.backend.console_add_contact(
        list_id, FR_MOBILE, civility="M", last_name="Martin", first_name="Paul", email="p@x.fr"
    )
    detail = client.get_list(list_id)
    assert isinstance(detail, ContactListDetail)
    assert detail.list_id == str(list_id)
    assert detail.name == "Team"
    assert detail.country_code == "FR"
    assert detail.country_name
    assert detail.contact_count == 1  # a JSON number on this endpoint
    assert isinstance(detail.created_at, datetime)
    assert detail.contacts == (
        ContactInfo(
            phone_number=FR_MOBILE,
            civility="M",
            last_name="Martin",
            first_name="Paul",
            email="p@x.fr",
            birthday="",
            other="",
        ),
    )


def test_get_list_accepts_an_int_id(client: AvoSMSClient, emulator: EmulatorServer) -> None:
    list_id = emulator.backend.console_create_list("Team", "FR")
    assert client.get_list(int(list_id)).name == "Team"


def test_list_lists_parses_ids_and_counts_sent_as_strings(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    first = emulator.backend.console_create_list("A", "FR")
    second = emulator.backend.console_create_list("B", "BE")
    emulator.backend.console_add_contact(first, FR_MOBILE)
    lists = client.list_lists()
    assert [(x.list_id, x.name, x.country_code, x.contact_count) for x in lists] == [
        (str(first), "A", "FR", 1),
        (str(second), "B", "BE", 0),
    ]
    assert all(isinstance(x, ContactListInfo) and x.created_at for x in lists)


def test_list_lists_of_an_empty_account_is_empty(client: AvoSMSClient) -> None:
    assert client.list_lists() == []


def test_find_list_by_name_prefers_exact_then_unique_case_insensitive(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    list_id = emulator.backend.console_create_list("Newsletter", "FR")
    found = client.find_list_by_name("Newsletter")
    assert found is not None and found.list_id == str(list_id)
    loose = client.find_list_by_name("NEWSLETTER")
    assert loose is not None and loose.list_id == str(list_id)
    assert client.find_list_by_name("Other") is None


def test_find_list_by_name_with_case_variants_takes_the_exact_one_or_none(
    scripted: Any,
) -> None:
    # The emulator keeps names unique ignoring case; AvoSMS may not (undocumented).
    variants = [
        {**LISTING_ITEM, "list_contact_id": 1, "list_contact_name": "newsletter"},
        {**LISTING_ITEM, "list_contact_id": 2, "list_contact_name": "Newsletter"},
    ]
    client, _ = scripted(*[ok(list_contact=variants)] * 3)
    exact = client.find_list_by_name("Newsletter")
    assert exact is not None and exact.list_id == "2"
    assert client.find_list_by_name("NEWSLETTER") is None  # two loose matches: ambiguous


def test_rename_list_changes_the_name(client: AvoSMSClient, emulator: EmulatorServer) -> None:
    list_id = emulator.backend.console_create_list("Old", "FR")
    client.rename_list(list_id, "New")
    stored = emulator.backend.get_list(list_id)
    assert stored is not None and stored["name"] == "New"


def test_add_update_delete_contact_round_trip(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    list_id = client.create_list("Club", "FR")
    client.add_contact(
        list_id, ContactInfo(FR_MOBILE, first_name="Ana", last_name="Lopez", other="vip")
    )
    [contact] = client.get_list(list_id).contacts
    assert (contact.first_name, contact.last_name, contact.other) == ("Ana", "Lopez", "vip")

    client.update_contact(list_id, ContactInfo(FR_MOBILE, first_name="Anna", email="anna@x.fr"))
    [contact] = client.get_list(list_id).contacts
    # Every field is sent on update, so the omitted last_name/other are cleared as documented.
    assert (contact.first_name, contact.last_name, contact.email, contact.other) == (
        "Anna",
        "",
        "anna@x.fr",
        "",
    )
    update_form = next(r.form for r in emulator.request_log if r.endpoint == "contact/update")
    assert {"contactCivility", "contactName", "contactBirthday", "contactOther"} <= set(update_form)

    client.delete_contact(list_id, FR_MOBILE)
    assert client.get_list(list_id).contacts == ()


# ============================================================================================
# Every documented error code, through the client (one call each: ERR_1xx is never retried)


def _err_cases(
    fr_list: str, be_list: str
) -> list[tuple[str, Callable[[AvoSMSClient], object], type[AvoSMSError], str, str]]:
    inv, nf, conf = InvalidRequestError, NotFoundError, ConflictError
    C = ContactInfo
    fr, be, mob, mob2 = fr_list, be_list, FR_MOBILE, FR_MOBILE_2
    return [
        ("ERR_101", lambda c: c.create_list("", "FR"), inv, "list name", "create"),
        ("ERR_102", lambda c: c.create_list("X", ""), inv, "country code", "create"),
        ("ERR_103", lambda c: c.create_list("X", "ZZ"), inv, "no country", "create"),
        ("ERR_104", lambda c: c.create_list("Taken", "FR"), conf, "already", "create"),
        ("ERR_101", lambda c: c.get_list("999"), nf, "no contact list", "information"),
        ("ERR_101", lambda c: c.rename_list("", "Y"), inv, "list id", "rename"),
        ("ERR_102", lambda c: c.rename_list(fr, ""), inv, "name", "rename"),
        ("ERR_103", lambda c: c.rename_list("999", "Y"), nf, "no contact list", "rename"),
        ("ERR_104", lambda c: c.rename_list(fr, "Other"), conf, "already", "rename"),
        ("ERR_101", lambda c: c.add_contact("", C(mob)), inv, "list id", "add"),
        ("ERR_102", lambda c: c.add_contact(fr, C("")), inv, "phone", "add"),
        ("ERR_103", lambda c: c.add_contact("999", C(mob)), nf, "no contact list", "add"),
        ("ERR_105", lambda c: c.add_contact(fr, C(mob)), conf, "already", "add"),
        ("ERR_106", lambda c: c.add_contact(fr, C("abc")), inv, "formatted", "add"),
        ("ERR_107", lambda c: c.add_contact(fr, C(BE_MOBILE)), inv, "country", "add"),
        ("ERR_108", lambda c: c.add_contact(fr, C(FR_LANDLINE)), inv, "type", "add"),
        ("ERR_101", lambda c: c.update_contact("", C(mob)), inv, "list id", "update"),
        ("ERR_102", lambda c: c.update_contact(fr, C("")), inv, "phone", "update"),
        (
            "ERR_103",
            lambda c: c.update_contact("999", C(mob)),
            nf,
            "no contact list",
            "update",
        ),
        ("ERR_104", lambda c: c.update_contact(fr, C(mob2)), nf, "no contact", "update"),
        ("ERR_106", lambda c: c.update_contact(fr, C("abc")), inv, "formatted", "update"),
        ("ERR_107", lambda c: c.update_contact(be, C(mob)), inv, "country", "update"),
        (
            "ERR_108",
            lambda c: c.update_contact(fr, C(FR_LANDLINE)),
            inv,
            "type",
            "update",
        ),
        ("ERR_101", lambda c: c.delete_contact("", mob), inv, "list id", "delete"),
        ("ERR_102", lambda c: c.delete_contact(fr, ""), inv, "phone", "delete"),
        ("ERR_103", lambda c: c.delete_contact("999", mob), nf, "no contact list", "delete"),
        ("ERR_104", lambda c: c.delete_contact(fr, mob2), nf, "no contact", "delete"),
    ]


_ENDPOINT_OF = {
    "create": "contact/list/create",
    "information": "contact/list/information",
    "rename": "contact/list/rename",
    "add": "contact/add",
    "update": "contact/update",
    "delete": "contact/delete",
}


def test_every_documented_error_code_raises_its_class_once_without_retry(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    backend = emulator.backend
    fr_list = backend.console_create_list("Taken", "FR")
    backend.console_create_list("Other", "FR")
    be_list = backend.console_create_list("Belgium", "BE")
    backend.console_add_contact(fr_list, FR_MOBILE)
    seen = set()
    for code, call, cls, phrase, short in _err_cases(str(fr_list), str(be_list)):
        endpoint = _ENDPOINT_OF[short]
        before = emulator.stats.snapshot()["total_calls"]
        with pytest.raises(cls) as caught:
            call(client)
        error = caught.value
        assert type(error) is cls, (code, endpoint)
        assert error.code == code, (code, endpoint)
        assert error.endpoint == endpoint
        assert phrase in error.message, (code, endpoint, error.message)
        assert str(error).startswith(f"[{code}] {endpoint}: ")
        # Exactly one API call: ERR_1xx is never retried (nor reconciled).
        assert emulator.stats.snapshot()["total_calls"] - before == 1, (code, endpoint)
        assert emulator.request_log[-1].endpoint == endpoint
        seen.add((endpoint, code))
    assert len(seen) == 27


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.create_list("X", "FR"),
        lambda c: c.get_list("1"),
        lambda c: c.list_lists(),
        lambda c: c.rename_list("1", "Y"),
        lambda c: c.add_contact("1", ContactInfo(FR_MOBILE)),
        lambda c: c.update_contact("1", ContactInfo(FR_MOBILE)),
        lambda c: c.delete_contact("1", FR_MOBILE),
    ],
    ids=["create", "information", "list", "rename", "add", "update", "delete"],
)
def test_wrong_key_is_authentication_error_naming_the_settings(
    emulator: EmulatorServer,
    make_client: Callable[..., AvoSMSClient],
    call: Callable[[AvoSMSClient], object],
) -> None:
    source = "read from avosms:apiId and AVOSMS_API_KEY"
    client = make_client(emulator.api_url, api_key="wrong-key", credentials_source=source)
    with pytest.raises(AuthenticationError) as caught:
        call(client)
    assert caught.value.code == "ERR_100"
    assert f"API credentials {source}; check both values" in caught.value.message
    assert emulator.stats.snapshot()["total_calls"] == 1


# ============================================================================================
# Retryable faults on reads: once (recovers) and persistently (gives up with the right class)

READ_FAULTS = [
    ("err9xx", ServerError),
    ("http429", RateLimitError),
    ("http500", ServerError),
    ("http502", ServerError),
    ("http503", ServerError),
    ("html", UnexpectedResponseError),
    ("truncated", UnexpectedResponseError),
    ("drop_before", APIConnectionError),
    ("drop_after", APIConnectionError),
]


@pytest.mark.parametrize("kind", [k for k, _ in READ_FAULTS])
def test_read_recovers_from_one_transient_fault(
    client: AvoSMSClient, emulator: EmulatorServer, clock: FakeClock, kind: str
) -> None:
    emulator.backend.console_create_list("A", "FR")
    emulator.faults.add(kind, count=1, endpoint="contact/list")
    assert [x.name for x in client.list_lists()] == ["A"]
    assert calls(emulator, "contact/list") == 2
    assert len(clock.sleeps) == 1


@pytest.mark.parametrize(("kind", "cls"), READ_FAULTS)
def test_read_gives_up_after_max_retries_with_the_fault_class(
    client: AvoSMSClient,
    emulator: EmulatorServer,
    clock: FakeClock,
    kind: str,
    cls: type[AvoSMSError],
) -> None:
    emulator.faults.add(kind, count=50, endpoint="contact/list/information")
    list_id = emulator.backend.console_create_list("A", "FR")
    with pytest.raises(cls) as caught:
        client.get_list(list_id)
    assert calls(emulator, "contact/list/information") == MAX_RETRIES + 1
    assert caught.value.attempts == MAX_RETRIES + 1
    assert f"gave up after {MAX_RETRIES + 1} attempts" in str(caught.value)
    assert sum(clock.sleeps) <= 30.0


def test_backoff_is_exponential_with_full_jitter(
    emulator: EmulatorServer, make_client: Callable[..., AvoSMSClient], clock: FakeClock
) -> None:
    client = make_client(
        emulator.api_url, backoff_base=1.0, backoff_max=3.0, max_retries=4, _random=lambda: 0.5
    )
    emulator.faults.add("http500", count=50)
    with pytest.raises(ServerError):
        client.list_lists()
    # random() * min(max, base * 2**n): 0.5 * [1, 2, 3 (capped), 3]
    assert clock.sleeps == [0.5, 1.0, 1.5, 1.5]


def test_retry_time_budget_bounds_total_time_before_max_retries(
    emulator: EmulatorServer, make_client: Callable[..., AvoSMSClient], clock: FakeClock
) -> None:
    client = make_client(emulator.api_url, max_retries=10, max_retry_time=5.0)
    emulator.faults.add("http429", count=50, retry_after=2.0)
    start = clock.now
    with pytest.raises(RateLimitError) as caught:
        client.list_lists()
    # After two waits only 1 s is left: a third wait of 2 s cannot fit, so it gives up then.
    assert clock.sleeps == [2.0, 2.0]
    assert clock.now - start == pytest.approx(4.0)
    assert calls(emulator, "contact/list") == 3
    assert "longer than the retry budget" in caught.value.message


def test_retry_after_is_honoured(
    client: AvoSMSClient, emulator: EmulatorServer, clock: FakeClock
) -> None:
    emulator.faults.add("http429", count=1, retry_after=1.5)
    emulator.faults.add("http503", count=1, retry_after=0.25)
    assert client.list_lists() == []
    assert clock.sleeps == [1.5, 0.25]


def test_retry_after_beyond_the_budget_gives_up_at_once(
    emulator: EmulatorServer, make_client: Callable[..., AvoSMSClient], clock: FakeClock
) -> None:
    """Waiting part of a 120 s Retry-After would spend the budget on a refused resend."""
    client = make_client(emulator.api_url, max_retry_time=1.0)
    emulator.faults.add("http429", count=1, retry_after=120)
    with pytest.raises(RateLimitError) as caught:
        client.list_lists()
    assert clock.sleeps == []
    assert calls(emulator, "contact/list") == 1
    assert caught.value.retry_after == 120
    assert "asked to wait 120 s" in caught.value.message
    assert caught.value.message.count("120 s") == 1  # the wait is said once
    assert emulator.api_url in caught.value.message  # and where the call went


def test_a_connection_failure_names_the_url_and_never_the_key(
    make_client: Callable[..., AvoSMSClient],
) -> None:
    with EmulatorServer(port=0) as dead:
        url = dead.api_url
    client = make_client(url, max_retries=0)
    with pytest.raises(APIConnectionError) as caught:
        client.list_lists()
    assert f"{url}/contact/list" in str(caught.value)
    assert DEMO_KEY not in str(caught.value)


def test_a_persistent_fault_is_retried_with_waits_capped_by_backoff_max(
    emulator: EmulatorServer, make_client: Callable[..., AvoSMSClient], clock: FakeClock
) -> None:
    client = make_client(emulator.api_url, max_retries=3, backoff_base=0.01, backoff_max=0.02)
    emulator.faults.add("err9xx", count=50, code="ERR_950")
    with pytest.raises(ServerError) as caught:
        client.list_lists()
    assert len(clock.sleeps) == 3 and all(0 <= wait <= 0.02 for wait in clock.sleeps)
    assert sum(clock.sleeps) <= 3 * 0.02
    assert caught.value.code == "ERR_950"
    assert calls(emulator, "contact/list") == 4


def test_connection_refused_is_retried_and_reported_as_not_sent(
    make_client: Callable[..., AvoSMSClient], clock: FakeClock
) -> None:
    # A port nothing listens on: bind one, note it, close it.
    with EmulatorServer(port=0) as dead:
        url = dead.api_url
    client = make_client(url)
    with pytest.raises(APIConnectionError) as caught:
        client.create_list("X", "FR")
    assert caught.value.request_sent is False
    assert caught.value.attempts == MAX_RETRIES + 1
    assert "could not connect" in caught.value.message
    assert "avosms:endpoint" in caught.value.message


# ============================================================================================
# Writes whose outcome is unknown: reconciled, never duplicated


@pytest.mark.parametrize(
    ("kind", "create_calls"),
    [
        ("err9xx", 2),  # not applied: lookup finds nothing, resend
        ("http429", 2),  # rejected before processing: resend (no lookup needed)
        ("http500", 2),
        ("http502", 2),
        ("http503", 2),
        ("html", 2),  # not applied; unknown to the client, so looked up first
        ("drop_before", 2),
        ("truncated", 1),  # applied: the lookup finds it, no resend
        ("drop_after", 1),  # applied: the lookup finds it, no resend
    ],
)
def test_create_after_one_fault_makes_exactly_one_list(
    client: AvoSMSClient, emulator: EmulatorServer, kind: str, create_calls: int
) -> None:
    emulator.faults.add(kind, count=1, endpoint="contact/list/create")
    list_id = client.create_list("Once", "FR")
    [stored] = emulator.backend.lists()
    assert str(stored["list_id"]) == list_id
    assert calls(emulator, "contact/list/create") == create_calls


# drop_after and truncated apply each create: those succeed (see the tests above).
@pytest.mark.parametrize(
    ("kind", "cls"), [k for k in READ_FAULTS if k[0] not in ("drop_after", "truncated")]
)
def test_create_gives_up_on_persistent_fault_without_duplicates(
    client: AvoSMSClient, emulator: EmulatorServer, kind: str, cls: type[AvoSMSError]
) -> None:
    emulator.faults.add(kind, count=50, endpoint="contact/list/create")
    with pytest.raises(cls) as caught:
        client.create_list("Once", "FR")
    assert calls(emulator, "contact/list/create") == MAX_RETRIES + 1
    assert caught.value.attempts == MAX_RETRIES + 1
    assert emulator.backend.lists() == []


def test_create_persistently_dropped_after_applying_returns_the_one_list(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    emulator.faults.add("drop_after", count=50, endpoint="contact/list/create")
    list_id = client.create_list("Once", "FR")
    [stored] = emulator.backend.lists()
    assert str(stored["list_id"]) == list_id
    assert calls(emulator, "contact/list/create") == 1


def test_create_conflict_after_unknown_outcome_is_reconciled_by_lookup(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    # The first create lands but its reply is lost; the lookup before the resend fails too,
    # so the resend answers ERR_104 (our own list): looked up again, that is success.
    emulator.faults.add("drop_after", count=1, endpoint="contact/list/create")
    emulator.faults.add("http500", count=MAX_RETRIES + 1, endpoint="contact/list")
    list_id = client.create_list("Once", "FR")
    [stored] = emulator.backend.lists()
    assert str(stored["list_id"]) == list_id
    assert calls(emulator, "contact/list/create") == 2


def test_create_conflict_after_unknown_outcome_with_another_country_is_a_conflict(
    client: AvoSMSClient, emulator: EmulatorServer, clock: FakeClock
) -> None:
    # Our attempt never landed; meanwhile someone made "Once" in BE. Not ours: ConflictError.
    emulator.faults.add("drop_before", count=1, endpoint="contact/list/create")
    clock.on_sleep = lambda _: (
        None if emulator.backend.lists() else emulator.backend.console_create_list("Once", "BE")
    )
    with pytest.raises(ConflictError):
        client.create_list("Once", "FR")
    assert len(emulator.backend.lists()) == 1


def test_create_conflict_without_unknown_outcome_is_not_looked_up(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    emulator.backend.console_create_list("Once", "FR")
    with pytest.raises(ConflictError):
        client.create_list("Once", "FR")
    assert calls(emulator, "contact/list") == 0


def _own_emulator() -> EmulatorServer:
    return EmulatorServer(port=0, accounts={DEMO_ID: DEMO_KEY}).start()


def test_create_whose_slow_attempt_lands_during_backoff_is_not_duplicated(
    make_client: Callable[..., AvoSMSClient], clock: FakeClock
) -> None:
    # Own server: stop() wakes a delayed call, so nothing leaks into the next test.
    with _own_emulator() as server:
        server.faults.add("delay", count=1, endpoint="contact/list/create", seconds=0.6)
        client = make_client(server.api_url, read_timeout=0.2)
        landed = threading.Event()
        create = server.backend.api_create_list

        def create_and_tell(account: str, name: str, country_code: str) -> int:
            list_id = create(account, name, country_code)
            landed.set()
            return list_id

        server.backend.api_create_list = create_and_tell  # type: ignore[method-assign]
        # The backoff wait lasts until the slow attempt has landed.
        clock.on_sleep = lambda _: landed.wait(5)
        list_id = client.create_list("Once", "FR")
        [stored] = server.backend.lists()
        assert str(stored["list_id"]) == list_id
        assert calls(server, "contact/list/create") == 1


def test_create_whose_slow_attempt_lands_after_the_resend_is_not_duplicated(
    make_client: Callable[..., AvoSMSClient],
) -> None:
    with _own_emulator() as server:
        server.faults.add("delay", count=1, endpoint="contact/list/create", seconds=30)
        client = make_client(server.api_url, read_timeout=0.2)
        list_id = client.create_list("Once", "FR")
        [stored] = server.backend.lists()
        assert str(stored["list_id"]) == list_id
        assert calls(server, "contact/list/create") == 2
    # stop() dropped the slow call before it was processed; had it run, it would get ERR_104.


def test_rename_after_drop_after_reads_back_instead_of_resending(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    list_id = emulator.backend.console_create_list("Old", "FR")
    emulator.faults.add("drop_after", count=1, endpoint="contact/list/rename")
    client.rename_list(list_id, "New")
    assert emulator.backend.get_list(list_id)["name"] == "New"  # type: ignore[index]
    assert calls(emulator, "contact/list/rename") == 1
    assert calls(emulator, "contact/list/information") == 1


def test_rename_after_drop_before_is_resent(client: AvoSMSClient, emulator: EmulatorServer) -> None:
    list_id = emulator.backend.console_create_list("Old", "FR")
    emulator.faults.add("drop_before", count=1, endpoint="contact/list/rename")
    client.rename_list(list_id, "New")
    assert emulator.backend.get_list(list_id)["name"] == "New"  # type: ignore[index]
    assert calls(emulator, "contact/list/rename") == 2


def test_rename_conflict_after_unknown_outcome_checks_the_list(
    client: AvoSMSClient, emulator: EmulatorServer, clock: FakeClock
) -> None:
    # Our rename never landed and another list took the name meanwhile: a real conflict.
    list_id = emulator.backend.console_create_list("Old", "FR")
    emulator.faults.add("drop_before", count=1, endpoint="contact/list/rename")
    clock.on_sleep = lambda _: (
        None
        if len(emulator.backend.lists()) > 1
        else emulator.backend.console_create_list("New", "FR")
    )
    with pytest.raises(ConflictError):
        client.rename_list(list_id, "New")
    assert calls(emulator, "contact/list/rename") == 2
    assert calls(emulator, "contact/list/information") == 2  # before the resend, after ERR_104


@pytest.mark.parametrize("kind", ["drop_after", "truncated", "http500", "err9xx"])
def test_add_contact_after_a_failed_attempt_adds_it_exactly_once(
    client: AvoSMSClient, emulator: EmulatorServer, kind: str
) -> None:
    list_id = emulator.backend.console_create_list("L", "FR")
    emulator.faults.add(kind, count=1, endpoint="contact/add")
    created = client.add_contact(list_id, ContactInfo(FR_MOBILE, first_name="Ana"))
    contacts = emulator.backend.get_list(list_id)["contacts"]  # type: ignore[index]
    assert [c["phone_number"] for c in contacts] == [FR_MOBILE]
    # Where the first attempt landed, the read-back found the contact as sent and nothing
    # was sent again; where it did not, it was sent once more.
    landed = kind in ("drop_after", "truncated")
    assert calls(emulator, "contact/add") == (1 if landed else 2)
    # Only an answer says this call added it; a contact found in place may have been there.
    assert created is (not landed)


def test_add_contact_found_in_place_after_an_unknown_outcome_is_not_claimed_as_added(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    """The contact was there before, with the fields sent (added by hand): the lost attempt's
    resend gets ERR_105 and the list shows it as sent, which cannot say who added it."""
    list_id = emulator.backend.console_create_list("L", "FR")
    emulator.backend.console_add_contact(list_id, FR_MOBILE, first_name="Ana")
    emulator.faults.add("http503", count=1, endpoint="contact/add")
    assert client.add_contact(list_id, ContactInfo(FR_MOBILE, first_name="Ana")) is False
    assert client.add_contact(list_id, ContactInfo(FR_MOBILE_2, first_name="Bo")) is True


def test_add_contact_after_unknown_outcome_does_not_take_over_someone_elses_contact(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    """The number was already in the list with other fields: ERR_105 is a real conflict."""
    list_id = emulator.backend.console_create_list("L", "FR")
    emulator.backend.console_add_contact(list_id, FR_MOBILE, first_name="Bob")
    emulator.faults.add("drop_before", count=1, endpoint="contact/add")
    emulator.faults.add("http502", count=1, endpoint="contact/add")
    with pytest.raises(ConflictError):
        client.add_contact(list_id, ContactInfo(FR_MOBILE, first_name="Ana"))
    contacts = emulator.backend.get_list(list_id)["contacts"]  # type: ignore[index]
    assert [c["first_name"] for c in contacts] == ["Bob"]


@pytest.mark.parametrize("existing", ["customers", "Customers"])
def test_create_after_unknown_outcome_does_not_take_over_a_list_that_was_there(
    client: AvoSMSClient, emulator: EmulatorServer, existing: str
) -> None:
    """A list with the name (or a case variant) and contacts was there before: our create
    failed on the name, and the client must say so rather than return that list."""
    other = emulator.backend.console_create_list(existing, "FR")
    emulator.backend.console_add_contact(other, FR_MOBILE)
    emulator.faults.add("http502", count=1, endpoint="contact/list/create")
    with pytest.raises(ConflictError):
        client.create_list("Customers", "FR")
    assert [lst["list_id"] for lst in emulator.backend.lists()] == [other]


def test_err_9xx_on_a_write_is_an_answer_not_an_unknown_outcome(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    """AvoSMS said its processing failed: the resend's ERR_104 is a real conflict, and no
    listing is read to reconcile."""
    emulator.backend.console_create_list("Customers", "FR")
    emulator.faults.add("err9xx", count=1, endpoint="contact/list/create")
    with pytest.raises(ConflictError):
        client.create_list("Customers", "FR")
    assert calls(emulator, "contact/list") == 0


@pytest.mark.parametrize("kind", ["drop_after", "truncated", "drop_before"])
def test_delete_contact_after_unknown_outcome_treats_err_104_as_success(
    client: AvoSMSClient, emulator: EmulatorServer, kind: str
) -> None:
    list_id = emulator.backend.console_create_list("L", "FR")
    emulator.backend.console_add_contact(list_id, FR_MOBILE)
    emulator.faults.add(kind, count=1, endpoint="contact/delete")
    client.delete_contact(list_id, FR_MOBILE)
    assert emulator.backend.get_list(list_id)["contacts"] == []  # type: ignore[index]
    assert calls(emulator, "contact/delete") == 2


@pytest.mark.parametrize("kind", ["drop_after", "truncated", "http502"])
def test_update_contact_is_simply_resent_after_unknown_outcome(
    client: AvoSMSClient, emulator: EmulatorServer, kind: str
) -> None:
    list_id = emulator.backend.console_create_list("L", "FR")
    emulator.backend.console_add_contact(list_id, FR_MOBILE, first_name="Old")
    emulator.faults.add(kind, count=1, endpoint="contact/update")
    client.update_contact(list_id, ContactInfo(FR_MOBILE, first_name="New"))
    [contact] = emulator.backend.get_list(list_id)["contacts"]  # type: ignore[index]
    assert contact["first_name"] == "New"
    assert calls(emulator, "contact/update") == 2


def test_add_contact_err_105_on_first_attempt_is_a_conflict(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    list_id = emulator.backend.console_create_list("L", "FR")
    emulator.backend.console_add_contact(list_id, FR_MOBILE)
    with pytest.raises(ConflictError):
        client.add_contact(list_id, ContactInfo(FR_MOBILE))


def test_write_giving_up_after_unreadable_replies_says_outcome_unknown(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    list_id = emulator.backend.console_create_list("L", "FR")
    emulator.faults.add("html", count=50, endpoint="contact/add")
    with pytest.raises(UnexpectedResponseError) as caught:
        client.add_contact(list_id, ContactInfo(FR_MOBILE))
    assert "may or may not have been applied" in caught.value.message
    assert caught.value.outcome_unknown is True


# ============================================================================================
# Credentials and secrecy


def test_credentials_travel_only_in_the_form_body(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    list_id = client.create_list("L", "FR")
    client.get_list(list_id)
    client.list_lists()
    for record in emulator.request_log:
        assert record.method == "POST"
        assert record.query == ""
        assert record.form["id"] == DEMO_ID
        assert record.form["key"] == DEMO_KEY
        assert DEMO_KEY not in record.path
        assert all(DEMO_KEY not in value for value in record.headers.values())
        assert record.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert record.path.startswith("/v1/contact/")


SECRET = "SECRET-KEY-xyz"


def _all_text(error: BaseException) -> str:
    chain = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    # What Sentry, rich or `pytest -l` print: every frame's local variables.
    with_locals = "".join(
        traceback.TracebackException.from_exception(error, capture_locals=True).format()
    )
    parts = [str(error), repr(error), chain, with_locals, repr(error.args)]
    context = error.__context__
    while context is not None:  # even a suppressed context must not hold the key
        parts.append(repr(context))
        request = getattr(context, "request", None)
        parts.append(repr(getattr(request, "body", None)))
        context = context.__context__
    return "\n".join(parts)


def test_the_key_never_appears_in_errors_tracebacks_reprs_or_logs(
    make_client: Callable[..., AvoSMSClient], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with EmulatorServer(port=0, accounts={"ops@example.com": SECRET}).start() as server:
        good = make_client(server.api_url, api_id="ops@example.com", api_key=SECRET)
        bad = make_client(server.api_url, api_id="ops@example.com", api_key=SECRET + "-wrong")
        assert SECRET not in repr(good) + str(good)
        list_id = good.create_list("L", "FR")
        scenarios: list[Callable[[], object]] = [
            lambda: bad.list_lists(),
            lambda: good.get_list("999"),
            lambda: good.add_contact(list_id, ContactInfo("not a number")),
        ]
        faults = ["err9xx", "http429", "http500", "html", "truncated", "drop_before"]
        for kind in faults:

            def faulty(kind: str = kind) -> object:
                server.faults.add(kind, count=50)
                return good.list_lists()

            scenarios.append(faulty)
        for scenario in scenarios:
            server.faults.clear()
            with pytest.raises(AvoSMSError) as caught:
                scenario()
            assert SECRET not in _all_text(caught.value)
            pickled = pickle.dumps(caught.value)
            assert SECRET.encode() not in pickled
        server.faults.clear()
        server.faults.add("delay", count=1, seconds=30)
        slow = make_client(
            server.api_url,
            api_id="ops@example.com",
            api_key=SECRET,
            read_timeout=0.1,
            max_retries=0,
        )
        with pytest.raises(APITimeoutError) as caught:
            slow.list_lists()
        assert SECRET not in _all_text(caught.value)
    assert caplog.records, "the client logs each call at debug level"
    assert SECRET not in caplog.text


def test_requests_exception_holding_the_body_is_not_chained(
    make_client: Callable[..., AvoSMSClient],
) -> None:
    # A requests exception carries the PreparedRequest, whose body holds the key.
    adapter = ScriptedAdapter([_raise_with_request(requests.exceptions.ConnectionError)])
    client = make_client(
        "https://fake.test/v1", api_key=SECRET, max_retries=0, session=_session(adapter)
    )
    with pytest.raises(APIConnectionError) as caught:
        client.list_lists()
    error = caught.value
    assert error.__cause__ is None and error.__context__ is None
    assert SECRET not in _all_text(error)


def test_client_repr_hides_the_key_and_pickling_is_refused() -> None:
    client = AvoSMSClient(DEMO_ID, SECRET, "http://127.0.0.1:9/v1")
    assert SECRET not in repr(client)
    assert DEMO_ID in repr(client)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client)
    client.close()


# ============================================================================================
# Parsing, with a scripted requests adapter


class ScriptedAdapter(BaseAdapter):
    """A transport adapter that plays back replies (status, body, headers) or raises."""

    def __init__(self, replies: list[Any]) -> None:
        super().__init__()
        self.replies = list(replies)
        self.sent: list[requests.PreparedRequest] = []
        self.kwargs: list[dict[str, Any]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append(request)
        self.kwargs.append(kwargs)
        item = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if callable(item):
            item = item(request)
        if isinstance(item, BaseException):
            raise item
        status, body, headers = item if len(item) == 3 else (*item, {})
        response = requests.Response()
        response.status_code = status
        response.raw = io.BytesIO(body if isinstance(body, bytes) else body.encode())
        response.headers = CaseInsensitiveDict(headers)
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def _session(adapter: ScriptedAdapter) -> requests.Session:
    session = requests.Session()
    session.mount("https://fake.test/", adapter)
    return session


def _raise_with_request(cls: type[requests.RequestException]) -> Callable[[Any], BaseException]:
    def make(request: requests.PreparedRequest) -> BaseException:
        return cls(f"failed sending {request.body!r}", request=request)

    return make


@pytest.fixture
def scripted(
    make_client: Callable[..., AvoSMSClient],
) -> Callable[..., tuple[AvoSMSClient, ScriptedAdapter]]:
    def make(*replies: Any, **kwargs: Any) -> tuple[AvoSMSClient, ScriptedAdapter]:
        adapter = ScriptedAdapter(list(replies))
        return make_client("https://fake.test/v1", session=_session(adapter), **kwargs), adapter

    return make


def ok(**fields: Any) -> tuple[int, bytes]:
    import json

    return 200, json.dumps({"code": "OK", **fields}).encode()


LISTING_ITEM = {
    "list_contact_id": 7,
    "list_contact_name": "A",
    "list_contact_country_name": "France",
    "list_contact_country_code": "fr",
    "nb_contact_list": "12",
    "list_contact_creation_date": "2024-03-01 10:20:30",
}


def test_numbers_as_strings_and_strings_as_numbers_are_parsed(scripted: Any) -> None:
    client, _ = scripted(
        ok(list_contact_id="42"),
        ok(list_contact_id=43),
        ok(
            list_contact=[
                LISTING_ITEM,
                {**LISTING_ITEM, "list_contact_id": "8", "nb_contact_list": 3},
            ]
        ),
    )
    assert client.create_list("A", "FR") == "42"
    assert client.create_list("B", "FR") == "43"
    first, second = client.list_lists()
    assert (first.list_id, first.contact_count, first.country_code) == ("7", 12, "FR")
    assert (second.list_id, second.contact_count) == ("8", 3)
    assert first.created_at == datetime(2024, 3, 1, 10, 20, 30)


def test_contact_fields_sent_as_numbers_or_null_are_read_as_text(scripted: Any) -> None:
    detail = {
        "list_contact_name": "A",
        "list_contact_country_code": "FR",
        "nb_contact_list": 1,
        "list_contact": [
            {"contact_telephone_number": 33612345678, "contact_name": None, "contact_other": 5}
        ],
    }
    client, _ = scripted(ok(**detail))
    result = client.get_list("1")
    assert result.country_name == ""
    assert result.created_at is None
    assert result.contacts[0].phone_number == "33612345678"
    assert result.contacts[0].last_name == ""
    assert result.contacts[0].other == "5"


@pytest.mark.parametrize("value", [None, "", "0000-00-00 00:00:00", "yesterday", 12345])
def test_odd_creation_times_become_none(scripted: Any, value: Any) -> None:
    client, _ = scripted(ok(list_contact=[{**LISTING_ITEM, "list_contact_creation_date": value}]))
    assert client.list_lists()[0].created_at is None


def test_php_style_object_and_null_arrays_are_accepted(scripted: Any) -> None:
    client, _ = scripted(
        ok(list_contact={"0": LISTING_ITEM, "3": {**LISTING_ITEM, "list_contact_id": 9}}),
        ok(list_contact=None),
        ok(),
    )
    assert [x.list_id for x in client.list_lists()] == ["7", "9"]
    assert client.list_lists() == []
    assert client.list_lists() == []


@pytest.mark.parametrize(
    ("item", "phrase"),
    [
        ({k: v for k, v in LISTING_ITEM.items() if k != "list_contact_id"}, "no 'list_contact_id'"),
        (
            {k: v for k, v in LISTING_ITEM.items() if k != "list_contact_name"},
            "no 'list_contact_name'",
        ),
        ({**LISTING_ITEM, "nb_contact_list": "many"}, "'nb_contact_list' is a string"),
        ({**LISTING_ITEM, "nb_contact_list": -1}, "'nb_contact_list' is a number -1"),
        ({**LISTING_ITEM, "list_contact_id": True}, "'list_contact_id' is a boolean"),
        ({**LISTING_ITEM, "list_contact_id": {"x": 1}}, "'list_contact_id' is an object"),
        ({**LISTING_ITEM, "list_contact_name": ["A"]}, "'list_contact_name' is an array"),
        ("not an object", "list_contact[0] is a string"),
    ],
)
def test_malformed_listing_is_unexpected_response_naming_the_field(
    scripted: Any, item: Any, phrase: str
) -> None:
    client, adapter = scripted(ok(list_contact=[item]))
    with pytest.raises(UnexpectedResponseError) as caught:
        client.list_lists()
    assert phrase in caught.value.message
    assert "API may have changed" in caught.value.message
    assert len(adapter.sent) == 1  # well-formed JSON of the wrong shape: retrying won't help


def test_malformed_list_array_is_unexpected(scripted: Any) -> None:
    client, _ = scripted(ok(list_contact="nope"))
    with pytest.raises(UnexpectedResponseError, match="'list_contact' is a string"):
        client.list_lists()


def test_information_without_contact_phone_is_unexpected(scripted: Any) -> None:
    client, _ = scripted(
        ok(
            list_contact_name="A",
            list_contact_country_code="FR",
            nb_contact_list=1,
            list_contact=[{"contact_name": "x"}],
        )
    )
    with pytest.raises(UnexpectedResponseError, match="no 'contact_telephone_number'"):
        client.get_list("1")


def test_create_success_without_id_is_reconciled_by_lookup(scripted: Any) -> None:
    just_made = {**LISTING_ITEM, "list_contact_name": "A", "nb_contact_list": "0"}
    client, adapter = scripted(ok(), ok(list_contact=[just_made]))
    assert client.create_list("A", "FR") == "7"
    assert [r.url.rsplit("/v1/", 1)[1] for r in adapter.sent] == [
        "contact/list/create",
        "contact/list",
    ]


def test_create_success_without_id_and_not_found_is_unexpected(scripted: Any) -> None:
    client, _ = scripted(ok(), ok(list_contact=[]))
    with pytest.raises(UnexpectedResponseError, match="no 'list_contact_id'"):
        client.create_list("A", "FR")


def test_huge_reply_is_refused_with_a_clear_message(scripted: Any) -> None:
    client, _ = scripted(
        (200, b'{"code": "OK", "pad": "' + b"x" * 5000 + b'"}'), max_reply_bytes=1000
    )
    with pytest.raises(UnexpectedResponseError, match="larger than 1000 bytes"):
        client.list_lists()


def test_huge_declared_length_is_refused_before_reading(scripted: Any) -> None:
    client, _ = scripted((200, b"{}", {"Content-Length": "999999999999"}))
    with pytest.raises(UnexpectedResponseError, match="larger than"):
        client.list_lists()


def test_cut_off_body_is_retried_on_reads(scripted: Any) -> None:
    def cut(_: Any) -> BaseException:
        return requests.exceptions.ChunkedEncodingError(
            urllib3.exceptions.ProtocolError("Connection broken: IncompleteRead")
        )

    class CutResponseAdapter(ScriptedAdapter):
        calls = 0

        def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            response = super().send(request, **kwargs)
            CutResponseAdapter.calls += 1
            if CutResponseAdapter.calls == 1:
                error = cut(None)

                def broken(*_: Any, **__: Any) -> Iterator[bytes]:
                    yield b'{"co'
                    raise error

                response.iter_content = broken  # type: ignore[method-assign]
            return response

    adapter = CutResponseAdapter([ok(list_contact=[])])
    client = AvoSMSClient(
        DEMO_ID, DEMO_KEY, "https://fake.test/v1", session=_session(adapter), _sleep=lambda _: None
    )
    assert client.list_lists() == []
    assert len(adapter.sent) == 2


def test_timeouts_are_explicit_and_requests_are_form_posts(scripted: Any) -> None:
    client, adapter = scripted(ok(list_contact=[]), connect_timeout=1.5, read_timeout=7.0)
    client.list_lists()
    assert adapter.kwargs[0]["timeout"] == (1.5, 7.0)
    request = adapter.sent[0]
    assert request.method == "POST"
    assert request.url == "https://fake.test/v1/contact/list"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_a_redirect_is_not_followed(scripted: Any) -> None:
    """A redirected POST would become a GET without its body (and its credentials)."""
    client, adapter = scripted((302, b"", {"Location": "https://elsewhere.test/v1/contact/list"}))
    with pytest.raises(UnexpectedResponseError) as caught:
        client.list_lists()
    assert caught.value.http_status == 302
    assert [r.url for r in adapter.sent] == ["https://fake.test/v1/contact/list"]


def test_read_timeout_on_a_read_is_retried(scripted: Any) -> None:
    client, adapter = scripted(
        _raise_with_request(requests.exceptions.ReadTimeout), ok(list_contact=[])
    )
    assert client.list_lists() == []
    assert len(adapter.sent) == 2


def test_connect_timeout_is_not_sent_and_retried_for_writes(scripted: Any) -> None:
    client, adapter = scripted(
        _raise_with_request(requests.exceptions.ConnectTimeout), ok(list_contact_id=5)
    )
    assert client.create_list("A", "FR") == "5"
    # Surely not sent: resent directly, no lookup.
    assert [r.url.rsplit("/v1/", 1)[1] for r in adapter.sent] == ["contact/list/create"] * 2


def test_ssl_failure_is_not_retried(scripted: Any) -> None:
    client, adapter = scripted(_raise_with_request(requests.exceptions.SSLError))
    with pytest.raises(APIConnectionError, match="TLS") as caught:
        client.list_lists()
    assert caught.value.should_retry is False
    assert len(adapter.sent) == 1


# ============================================================================================
# Listing cache


def test_listing_cache_serves_within_max_age_and_drops_on_write(
    client: AvoSMSClient, emulator: EmulatorServer, clock: FakeClock
) -> None:
    emulator.backend.console_create_list("A", "FR")
    assert len(client.list_lists(max_age=10)) == 1
    assert len(client.list_lists(max_age=10)) == 1
    assert client.find_list_by_name("A", max_age=10) is not None
    assert calls(emulator, "contact/list") == 1
    clock.now += 11
    client.list_lists(max_age=10)
    assert calls(emulator, "contact/list") == 2
    client.create_list("B", "FR")  # a write through this client drops the cache
    assert [x.name for x in client.list_lists(max_age=10)] == ["A", "B"]
    assert calls(emulator, "contact/list") == 3
    client.drop_cached_reads()
    client.list_lists(max_age=10)
    assert calls(emulator, "contact/list") == 4
    client.list_lists()  # max_age 0: always fresh
    assert calls(emulator, "contact/list") == 5


def test_concurrent_cached_listings_share_one_request(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    emulator.backend.console_create_list("A", "FR")
    emulator.latency = 0.2  # keeps the first request in flight while the others arrive
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: client.list_lists(max_age=30), range(10)))
    assert all([x.name for x in r] == ["A"] for r in results)
    assert calls(emulator, "contact/list") == 1


def test_listing_in_flight_during_a_write_is_not_cached(scripted: Any) -> None:
    started = threading.Event()
    release = threading.Event()

    def slow_listing(_: Any) -> tuple[int, bytes]:
        started.set()
        release.wait(5)
        return ok(list_contact=[])

    client, adapter = scripted(slow_listing, ok(), ok(list_contact=[LISTING_ITEM]))
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(client.list_lists, 60)
        assert started.wait(5)
        client.rename_list("7", "A")  # finishes while the listing is in flight
        release.set()
        assert future.result() == []
    # The stale listing was not stored: this call goes to the API.
    assert [x.list_id for x in client.list_lists(max_age=60)] == ["7"]
    assert len(adapter.sent) == 3


def test_failed_shared_listing_raises_in_every_waiting_caller(
    client: AvoSMSClient, emulator: EmulatorServer
) -> None:
    emulator.latency = 0.2
    emulator.faults.add("err9xx", count=50, endpoint="contact/list")
    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = [pool.submit(client.list_lists, 30) for _ in range(5)]
        errors = [f.exception() for f in futures]
    assert all(isinstance(e, ServerError) for e in errors)
    assert calls(emulator, "contact/list") == MAX_RETRIES + 1


# ============================================================================================
# Threads


def test_twenty_threads_share_one_client(client: AvoSMSClient, emulator: EmulatorServer) -> None:
    # A few transient failures on the way must not duplicate anything either.
    emulator.faults.add("err9xx", count=3, endpoint="contact/list/create")
    emulator.faults.add("drop_after", count=2, endpoint="contact/list/create")
    emulator.faults.add("http503", count=3, endpoint="contact/add")

    def work(index: int) -> str:
        list_id = client.create_list(f"list-{index}", "FR")
        client.add_contact(list_id, ContactInfo(f"+336{index:08d}", first_name=str(index)))
        client.list_lists(max_age=1)
        detail = client.get_list(list_id)
        assert detail.name == f"list-{index}"
        assert [c.first_name for c in detail.contacts] == [str(index)]
        return list_id

    with ThreadPoolExecutor(max_workers=20) as pool:
        ids = list(pool.map(work, range(20)))
    assert len(set(ids)) == 20
    stored = emulator.backend.lists()
    assert sorted(str(x["list_id"]) for x in stored) == sorted(ids)
    # One session, its pool kept alive: at most one connection per thread (plus one for each
    # connection the two drop_after faults cut), never one per call.
    snapshot = emulator.stats.snapshot()
    assert snapshot["connections"] <= 20 + 2 < snapshot["total_calls"]


def test_calls_start_no_thread_of_their_own(
    client: AvoSMSClient, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every attempt has a wall-clock deadline; one watchdog thread keeps them all, rather than
    # a timer thread started for each call of a step that makes thousands.
    list_id = client.create_list("threads", "FR")
    started: list[str] = []
    real_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        # The emulator serves each connection on a thread: that is the server's, not ours.
        target = getattr(thread, "_target", None)
        if getattr(target, "__module__", "") != "socketserver":
            started.append(thread.name)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    for index in range(20):
        client.add_contact(list_id, ContactInfo(f"+336{index:08d}"))
    assert calls(emulator, "contact/add") == 20
    assert started == []


def test_a_short_attempt_ends_at_its_deadline_while_a_longer_one_runs() -> None:
    import socket
    from types import SimpleNamespace

    from pulumi_avosms.client.attempt_deadline import AttemptDeadline

    ours, server_side = socket.socketpair()
    ours.settimeout(10)  # hang guard only: the deadline below is 0.05 s
    try:
        with AttemptDeadline(60) as longer, AttemptDeadline(0.05) as short:
            short.watch(SimpleNamespace(sock=ours))
            # Blocked as a read of a stalled reply is, until the deadline shuts the socket.
            assert ours.recv(1) == b""
        assert short.expired and not longer.expired
    finally:
        ours.close()
        server_side.close()


def test_a_reply_trickling_in_is_bounded_by_the_read_timeout_as_a_whole() -> None:
    """Each byte arrives well within the read timeout, the whole reply never does."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    sent: list[bytes] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            conn.sendall(b"Content-Length: 1000\r\n\r\n")
            for _ in range(1000):
                if stop.wait(0.02):
                    return
                try:
                    conn.sendall(b" ")
                except OSError:
                    return
                sent.append(b" ")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    client = AvoSMSClient(
        DEMO_ID, DEMO_KEY, f"http://127.0.0.1:{port}/v1", read_timeout=0.3, max_retries=0
    )
    try:
        with pytest.raises(APITimeoutError, match=r"took more than 0\.3 s"):
            client.list_lists()
        sent_when_refused = len(sent)
    finally:
        stop.set()
        client.close()
        listener.close()
        thread.join(5)
    # The client hung up before the body was complete: it did not wait for all 1000 bytes.
    assert sent_when_refused < 1000


@pytest.mark.parametrize("empty", [None, False, "", [], {}])
def test_php_spellings_of_an_empty_listing_read_as_no_lists(scripted: Any, empty: Any) -> None:
    client, _ = scripted(ok(list_contact=empty))
    assert client.list_lists() == []


@pytest.mark.parametrize("count", [None, ""])
def test_information_without_a_count_counts_its_contacts(scripted: Any, count: Any) -> None:
    contact = {"contact_telephone_number": "+33612345678"}
    detail = {**LISTING_ITEM, "nb_contact_list": count, "list_contact": [contact, contact]}
    client, _ = scripted(ok(**detail))
    assert client.get_list("7").contact_count == 2


def test_a_count_serialised_through_a_float_is_read(scripted: Any) -> None:
    client, _ = scripted(ok(list_contact=[{**LISTING_ITEM, "nb_contact_list": "3.0"}]))
    assert client.list_lists()[0].contact_count == 3


@pytest.mark.parametrize(("pool_size", "discarded"), [(2, True), (8, False)])
def test_pool_size_is_how_many_connections_concurrent_calls_keep(
    emulator: EmulatorServer, caplog: pytest.LogCaptureFixture, pool_size: int, discarded: bool
) -> None:
    # 8 calls at once, each held 0.3 s by the server: a pool of 2 must drop 6 connections.
    emulator.faults.add("delay", count=8, seconds=0.3)
    client = AvoSMSClient(DEMO_ID, DEMO_KEY, emulator.api_url, pool_size=pool_size)
    logs = caplog.at_level(logging.WARNING, logger="urllib3.connectionpool")
    with client, logs, ThreadPoolExecutor(8) as pool:
        assert list(pool.map(lambda _: client.list_lists(), range(8))) == [[]] * 8
    assert any("pool is full" in r.getMessage() for r in caplog.records) is discarded
