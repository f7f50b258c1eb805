"""The AvoSMS emulator, driven through raw HTTP the way any client would see it."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from pulumi_avosms.emulator import ApiError, EmulatorBackend, EmulatorServer
from pulumi_avosms.emulator.__main__ import _cmd_serve, build_parser
from pulumi_avosms.emulator.__main__ import main as cli_main
from pulumi_avosms.emulator.controls import RequestRecord
from tests.support.emulator_fixtures import API_ENDPOINTS, DEMO_ID, DEMO_KEY

# The `emulator` fixture comes from conftest.py (which imports tests.support.emulator_fixtures).
from tests.support.projects import first_line

AUTH = {"id": DEMO_ID, "key": DEMO_KEY}
FR_MOBILE = "+33612345678"
FR_MOBILE_2 = "+33698765432"


def call(
    server: EmulatorServer,
    endpoint: str,
    session: requests.Session | None = None,
    auth: dict[str, str] | None = None,
    timeout: float = 5.0,
    **params: str,
) -> requests.Response:
    """POST a form to ``/v1/<endpoint>`` with the demo credentials."""
    poster = session or requests
    data = {**(AUTH if auth is None else auth), **params}
    return poster.post(f"{server.api_url}/{endpoint}", data=data, timeout=timeout)


def call_in_background(
    server: EmulatorServer, endpoint: str, **params: str
) -> tuple[threading.Thread, list[object]]:
    """Start ``call(server, endpoint)`` in a thread and return once the emulator has it.

    The thread appends the reply, or the ``requests`` error, to the returned list.
    """
    outcome: list[object] = []

    def client() -> None:
        try:
            outcome.append(call(server, endpoint, timeout=30, **params))
        except requests.RequestException as error:
            outcome.append(error)

    arrived = threading.Event()
    log = server.request_log

    def append(record: RequestRecord) -> None:
        type(log).append(log, record)
        arrived.set()

    log.append = append  # type: ignore[method-assign]
    try:
        thread = threading.Thread(target=client)
        thread.start()
        assert arrived.wait(5), "the call never reached the emulator"
    finally:
        del log.append  # back to the class's method
    return thread, outcome


def record_waits(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The seconds each API call of ``server`` asks to wait (latency, delay), in order."""
    waits: list[float] = []
    wait = server.controls.wait

    def recording(abort: threading.Event, seconds: float) -> bool:
        waits.append(seconds)
        return wait(abort, seconds)

    monkeypatch.setattr(server.controls, "wait", recording)
    return waits


def code_of(response: requests.Response) -> str:
    assert response.status_code == 200, response.text
    return str(response.json()["code"])


def create_list(server: EmulatorServer, name: str = "Customers", country: str = "FR") -> str:
    reply = call(
        server, "contact/list/create", listContactName=name, listContactCountryCode=country
    ).json()
    assert reply["code"] == "OK", reply
    return str(reply["list_contact_id"])


def raw_post(server: EmulatorServer, endpoint: str, body: str) -> dict[str, Any]:
    """POST a hand-written form body (to control blank and missing values exactly)."""
    response = requests.post(
        f"{server.api_url}/{endpoint}",
        data=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def admin(server: EmulatorServer, method: str, route: str, payload: Any = None) -> Any:
    if payload is None and method != "GET":
        payload = {}  # admin writes must be JSON, even without parameters
    response = requests.request(method, f"{server.url}/_emulator/{route}", json=payload, timeout=5)
    return response.status_code, response.json()


# --------------------------------------------------------------------------- lists


def test_create_list_then_information_reports_it(emulator: EmulatorServer) -> None:
    reply = call(
        emulator, "contact/list/create", listContactName="Customers", listContactCountryCode="FR"
    ).json()
    assert reply == {"status": "success", "code": "OK", "list_contact_id": 1}

    info = call(emulator, "contact/list/information", listContactId="1").json()
    assert info["code"] == "OK"
    assert info["list_contact_name"] == "Customers"
    assert info["list_contact_country_code"] == "FR"
    assert info["list_contact_country_name"] == "France"
    assert info["nb_contact_list"] == 0  # a number here
    assert info["list_contact"] == []
    time.strptime(info["list_contact_creation_date"], "%Y-%m-%d %H:%M:%S")


def test_list_ids_are_increasing_integers(emulator: EmulatorServer) -> None:
    ids = [int(create_list(emulator, f"L{i}")) for i in range(3)]
    assert ids == [1, 2, 3]
    emulator.backend.console_delete_list("3")
    assert create_list(emulator, "L3") == "4"  # ids are never reused


def test_listing_reports_ids_and_counts_as_strings(emulator: EmulatorServer) -> None:
    first = create_list(emulator, "Customers", "FR")
    create_list(emulator, "Kunden", "DE")
    emulator.backend.console_add_contact(first, FR_MOBILE)

    reply = call(emulator, "contact/list").json()
    assert reply["code"] == "OK"
    assert reply["status"] == "success"
    rows = reply["list_contact"]
    assert [r["list_contact_name"] for r in rows] == ["Customers", "Kunden"]
    assert rows[0]["list_contact_id"] == "1"
    assert rows[0]["nb_contact_list"] == "1"
    assert rows[1]["list_contact_country_name"] == "Germany"
    assert set(rows[0]) == {
        "list_contact_id",
        "list_contact_name",
        "list_contact_country_name",
        "list_contact_country_code",
        "nb_contact_list",
        "list_contact_creation_date",
    }


def test_listing_of_an_empty_account_is_an_empty_array(emulator: EmulatorServer) -> None:
    assert call(emulator, "contact/list").json() == {
        "status": "success",
        "code": "OK",
        "list_contact": [],
    }


@pytest.mark.parametrize("endpoint", API_ENDPOINTS)
@pytest.mark.parametrize(
    "auth",
    [
        {"id": DEMO_ID, "key": "wrong"},
        {"id": "someone@else", "key": DEMO_KEY},
        {"id": DEMO_ID},
        {},
        {"id": "", "key": ""},
        {"id": DEMO_ID.upper(), "key": DEMO_KEY},
    ],
    ids=["wrong-key", "unknown-id", "no-key", "nothing", "blank", "id-case"],
)
def test_every_endpoint_refuses_bad_credentials_with_err_100(
    emulator: EmulatorServer, endpoint: str, auth: dict[str, str]
) -> None:
    response = call(emulator, endpoint, auth=auth, listContactId="1")
    assert response.status_code == 200
    assert response.json() == {"status": "error", "code": "ERR_100"}


def test_credentials_in_the_query_string_are_not_read(emulator: EmulatorServer) -> None:
    response = requests.post(
        f"{emulator.api_url}/contact/list", params=AUTH, data={"x": "1"}, timeout=5
    )
    assert response.json()["code"] == "ERR_100"


def test_a_json_body_is_not_a_form(emulator: EmulatorServer) -> None:
    response = requests.post(f"{emulator.api_url}/contact/list", json=AUTH, timeout=5)
    assert response.json()["code"] == "ERR_100"


@pytest.mark.parametrize(
    ("name", "country", "code"),
    [
        ("", "FR", "ERR_101"),
        ("   ", "FR", "ERR_101"),
        ("Customers", "", "ERR_102"),
        ("Customers", "ZZ", "ERR_103"),
        ("Customers", "FRA", "ERR_103"),
        ("Customers", "fr", "ERR_103"),  # conservative: upper case only
        ("Customers", " FR", "ERR_103"),
    ],
)
def test_create_refuses_bad_input(
    emulator: EmulatorServer, name: str, country: str, code: str
) -> None:
    reply = call(
        emulator, "contact/list/create", listContactName=name, listContactCountryCode=country
    )
    assert code_of(reply) == code
    assert emulator.backend.lists() == []


def test_blank_values_are_kept_not_dropped(emulator: EmulatorServer) -> None:
    auth = f"id={DEMO_ID}&key={DEMO_KEY}"
    reply = raw_post(
        emulator, "contact/list/create", f"{auth}&listContactName=&listContactCountryCode=FR"
    )
    assert reply["code"] == "ERR_101"
    reply = raw_post(
        emulator, "contact/list/create", f"{auth}&listContactName=X&listContactCountryCode="
    )
    assert reply["code"] == "ERR_102"
    assert emulator.request_log[0].form["listContactName"] == ""
    assert emulator.request_log[1].form["listContactCountryCode"] == ""


def test_missing_parameters_count_as_empty(emulator: EmulatorServer) -> None:
    assert code_of(call(emulator, "contact/list/create")) == "ERR_101"
    assert code_of(call(emulator, "contact/list/create", listContactName="X")) == "ERR_102"


def test_names_are_unique_case_insensitively(emulator: EmulatorServer) -> None:
    create_list(emulator, "Customers")
    for taken in ("Customers", "customers", "CUSTOMERS", " Customers "):
        reply = call(
            emulator, "contact/list/create", listContactName=taken, listContactCountryCode="DE"
        )
        assert code_of(reply) == "ERR_104", taken
    assert len(emulator.backend.lists()) == 1


def test_names_of_any_length_and_script_are_accepted(emulator: EmulatorServer) -> None:
    long_name = "Clientèle 東京 " + "x" * 1000
    list_id = create_list(emulator, long_name)
    info = call(emulator, "contact/list/information", listContactId=list_id).json()
    assert info["list_contact_name"] == long_name


@pytest.mark.parametrize("list_id", ["", "999", "abc", "01", " 1", "1.0", "-1"])
def test_information_on_an_unknown_list_is_err_101(emulator: EmulatorServer, list_id: str) -> None:
    create_list(emulator)
    assert code_of(call(emulator, "contact/list/information", listContactId=list_id)) == "ERR_101"


def test_accounts_do_not_see_each_others_lists(tmp_path: Path) -> None:
    accounts = {"a@x.test": "ka", "b@x.test": "kb"}
    with EmulatorServer(accounts=accounts) as server:
        alice = {"id": "a@x.test", "key": "ka"}
        bob = {"id": "b@x.test", "key": "kb"}
        reply = call(
            server,
            "contact/list/create",
            auth=alice,
            listContactName="Same",
            listContactCountryCode="FR",
        ).json()
        assert reply["code"] == "OK"
        # Names are unique per account: Bob may use the same one.
        reply = call(
            server,
            "contact/list/create",
            auth=bob,
            listContactName="Same",
            listContactCountryCode="FR",
        ).json()
        assert reply["code"] == "OK"
        assert code_of(call(server, "contact/list/information", auth=bob, listContactId="1")) == (
            "ERR_101"
        )
        assert len(call(server, "contact/list", auth=bob).json()["list_contact"]) == 1
        assert code_of(call(server, "contact/list", auth=AUTH)) == "ERR_100"


def test_rename_changes_the_name(emulator: EmulatorServer) -> None:
    list_id = create_list(emulator, "Customers")
    reply = call(emulator, "contact/list/rename", listContactId=list_id, listContactName="Clients")
    assert reply.json() == {"status": "success", "code": "OK"}
    assert emulator.backend.get_list(list_id)["name"] == "Clients"  # type: ignore[index]


@pytest.mark.parametrize("new_name", ["customers", "Customers", " CUSTOMERS "])
def test_rename_to_its_own_name_or_a_case_variant_of_it_is_err_104(
    emulator: EmulatorServer, new_name: str
) -> None:
    # Undocumented; conservative: a list's own current name is "not available" too.
    list_id = create_list(emulator, "customers")
    reply = call(emulator, "contact/list/rename", listContactId=list_id, listContactName=new_name)
    assert code_of(reply) == "ERR_104"
    assert emulator.backend.get_list(list_id)["name"] == "customers"  # type: ignore[index]


def test_a_resent_rename_that_already_landed_is_err_104(emulator: EmulatorServer) -> None:
    list_id = create_list(emulator, "Old")
    emulator.faults.add("drop_after", endpoint="contact/list/rename")
    with pytest.raises(requests.ConnectionError):
        call(emulator, "contact/list/rename", listContactId=list_id, listContactName="New")
    reply = call(emulator, "contact/list/rename", listContactId=list_id, listContactName="New")
    assert code_of(reply) == "ERR_104"
    assert emulator.backend.get_list(list_id)["name"] == "New"  # type: ignore[index]


def test_console_rename_to_its_own_name_is_refused_too(emulator: EmulatorServer) -> None:
    list_id = emulator.backend.console_create_list("Customers", "FR")
    with pytest.raises(ApiError) as raised:
        emulator.backend.console_rename_list(list_id, "CUSTOMERS")
    assert raised.value.code == "ERR_104"
    assert admin(emulator, "POST", f"lists/{list_id}/rename", {"name": "Customers"}) == (
        409,
        {"error": "list name 'Customers' not available", "code": "ERR_104"},
    )
    assert emulator.backend.get_list(list_id)["name"] == "Customers"  # type: ignore[index]


@pytest.mark.parametrize(
    ("list_id", "name", "code"),
    [
        ("", "New", "ERR_101"),
        ("1", "", "ERR_102"),
        ("", "", "ERR_101"),
        ("999", "New", "ERR_103"),
        ("x", "New", "ERR_103"),
        ("1", "taken", "ERR_104"),
    ],
)
def test_rename_refuses_bad_input(
    emulator: EmulatorServer, list_id: str, name: str, code: str
) -> None:
    create_list(emulator, "Customers")
    create_list(emulator, "Taken")
    reply = call(emulator, "contact/list/rename", listContactId=list_id, listContactName=name)
    assert code_of(reply) == code
    assert [lst["name"] for lst in emulator.backend.lists()] == ["Customers", "Taken"]


# --------------------------------------------------------------------------- contacts


def test_add_contact_stores_e164_and_every_field(emulator: EmulatorServer) -> None:
    list_id = create_list(emulator)
    reply = call(
        emulator,
        "contact/add",
        listContactId=list_id,
        contactTelephoneNumber="06 12 34 56 78",
        contactCivility="Mme",
        contactName="Martin",
        contactFirstName="Anne",
        contactEmail="anne@example.com",
        contactBirthday="1980-02-03",
        contactOther="VIP",
    )
    assert reply.json() == {"status": "success", "code": "OK"}
    info = call(emulator, "contact/list/information", listContactId=list_id).json()
    assert info["nb_contact_list"] == 1
    assert info["list_contact"] == [
        {
            "contact_civility": "Mme",
            "contact_name": "Martin",
            "contact_first_name": "Anne",
            "contact_telephone_number": FR_MOBILE,
            "contact_email": "anne@example.com",
            "contact_birthday": "1980-02-03",
            "contact_other": "VIP",
        }
    ]


def test_add_contact_with_only_the_number_leaves_fields_empty(emulator: EmulatorServer) -> None:
    list_id = create_list(emulator)
    assert (
        code_of(
            call(emulator, "contact/add", listContactId=list_id, contactTelephoneNumber=FR_MOBILE)
        )
        == "OK"
    )
    contact = emulator.backend.get_list(list_id)["contacts"][0]  # type: ignore[index]
    assert contact == {
        "phone_number": FR_MOBILE,
        "civility": "",
        "last_name": "",
        "first_name": "",
        "email": "",
        "birthday": "",
        "other": "",
    }


@pytest.mark.parametrize(
    ("list_id", "phone", "code"),
    [
        ("", FR_MOBILE, "ERR_101"),
        ("1", "", "ERR_102"),
        ("1", "  ", "ERR_102"),
        ("999", FR_MOBILE, "ERR_103"),
        ("1", "0612345678", "ERR_105"),  # same number as the existing +33612345678
        ("1", FR_MOBILE, "ERR_105"),
        ("1", "hello", "ERR_106"),
        ("1", "0612", "ERR_106"),
        ("1", "+4915123456789", "ERR_107"),  # a German mobile in a French list
        ("1", "0800 123 456", "ERR_108"),  # toll-free
        ("1", "0899 123 456", "ERR_108"),  # premium rate
        ("1", "01 23 45 67 89", "ERR_108"),  # fixed line: cannot receive SMS
    ],
)
def test_add_contact_refuses_bad_input(
    emulator: EmulatorServer, list_id: str, phone: str, code: str
) -> None:
    create_list(emulator)
    emulator.backend.console_add_contact("1", FR_MOBILE, first_name="Kept")
    reply = call(emulator, "contact/add", listContactId=list_id, contactTelephoneNumber=phone)
    assert code_of(reply) == code
    assert emulator.backend.get_list("1")["contacts"] == [  # type: ignore[index]
        {**_empty_contact(FR_MOBILE), "first_name": "Kept"}
    ]


def test_us_numbers_are_accepted_in_a_us_list_but_canadian_ones_are_not(
    emulator: EmulatorServer,
) -> None:
    list_id = create_list(emulator, "US", "US")
    us = call(
        emulator, "contact/add", listContactId=list_id, contactTelephoneNumber="(202) 555-0123"
    )
    assert code_of(us) == "OK"
    ca = call(
        emulator, "contact/add", listContactId=list_id, contactTelephoneNumber="+1 416 555 0123"
    )
    assert code_of(ca) == "ERR_107"


def _empty_contact(phone: str) -> dict[str, str]:
    return {
        "phone_number": phone,
        "civility": "",
        "last_name": "",
        "first_name": "",
        "email": "",
        "birthday": "",
        "other": "",
    }


def test_update_clears_the_fields_it_is_not_sent(emulator: EmulatorServer) -> None:
    list_id = create_list(emulator)
    emulator.backend.console_add_contact(
        list_id,
        FR_MOBILE,
        civility="M",
        last_name="Durand",
        first_name="Paul",
        email="p@x.fr",
        birthday="1970-01-01",
        other="note",
    )
    reply = call(
        emulator,
        "contact/update",
        listContactId=list_id,
        contactTelephoneNumber="06 12 34 56 78",
        contactFirstName="Pierre",
    )
    assert reply.json() == {"status": "success", "code": "OK"}
    assert emulator.backend.get_list(list_id)["contacts"] == [  # type: ignore[index]
        {**_empty_contact(FR_MOBILE), "first_name": "Pierre"}
    ]


@pytest.mark.parametrize(
    ("list_id", "phone", "code"),
    [
        ("", FR_MOBILE, "ERR_101"),
        ("1", "", "ERR_102"),
        ("999", FR_MOBILE, "ERR_103"),
        ("1", FR_MOBILE_2, "ERR_104"),
        ("1", "not a number", "ERR_106"),
        ("1", "+4915123456789", "ERR_107"),
        ("1", "0800 123 456", "ERR_108"),
    ],
)
def test_update_refuses_bad_input(
    emulator: EmulatorServer, list_id: str, phone: str, code: str
) -> None:
    create_list(emulator)
    emulator.backend.console_add_contact("1", FR_MOBILE, first_name="Kept")
    reply = call(
        emulator,
        "contact/update",
        listContactId=list_id,
        contactTelephoneNumber=phone,
        contactFirstName="Changed",
    )
    assert code_of(reply) == code
    assert emulator.backend.get_list("1")["contacts"][0]["first_name"] == "Kept"  # type: ignore[index]


def test_delete_removes_the_contact(emulator: EmulatorServer) -> None:
    list_id = create_list(emulator)
    emulator.backend.console_add_contact(list_id, FR_MOBILE)
    emulator.backend.console_add_contact(list_id, FR_MOBILE_2)
    reply = call(
        emulator, "contact/delete", listContactId=list_id, contactTelephoneNumber="0612345678"
    )
    assert reply.json() == {"status": "success", "code": "OK"}
    contacts = emulator.backend.get_list(list_id)["contacts"]  # type: ignore[index]
    assert [c["phone_number"] for c in contacts] == [FR_MOBILE_2]


@pytest.mark.parametrize(
    ("list_id", "phone", "code"),
    [
        ("", FR_MOBILE, "ERR_101"),
        ("1", "", "ERR_102"),
        ("999", FR_MOBILE, "ERR_103"),
        ("1", FR_MOBILE_2, "ERR_104"),
        ("1", "garbage", "ERR_104"),  # delete documents no 106/107/108
        ("1", "+4915123456789", "ERR_104"),
    ],
)
def test_delete_refuses_bad_input(
    emulator: EmulatorServer, list_id: str, phone: str, code: str
) -> None:
    create_list(emulator)
    emulator.backend.console_add_contact("1", FR_MOBILE)
    reply = call(emulator, "contact/delete", listContactId=list_id, contactTelephoneNumber=phone)
    assert code_of(reply) == code
    assert len(emulator.backend.get_list("1")["contacts"]) == 1  # type: ignore[index]


# --------------------------------------------------------------------------- HTTP surface


def test_unknown_path_is_a_json_404(emulator: EmulatorServer) -> None:
    for url in (f"{emulator.api_url}/contact/nope", f"{emulator.url}/elsewhere"):
        response = requests.post(url, data=AUTH, timeout=5)
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/json"
        assert response.json()["status"] == "error"


def test_an_api_call_without_v1_gets_a_404_saying_where_the_api_is(
    emulator: EmulatorServer,
) -> None:
    # The base URL pasted as avosms:endpoint, /v1 left out: the call lands on /contact/list.
    response = requests.post(f"{emulator.url}/contact/list", data=AUTH, timeout=5)
    assert response.status_code == 404
    error = response.json()["error"]
    assert "POST /v1/contact/list" in error and "avosms:endpoint" in error
    # Any other path: where the API and the controls are; the path itself is not echoed.
    response = requests.post(f"{emulator.url}/x%1b[31mred", data=AUTH, timeout=5)
    assert response.status_code == 404
    error = response.json()["error"]
    assert "/v1/" in error and "/_emulator/" in error and "red" not in error


def test_get_on_an_api_path_is_a_405(emulator: EmulatorServer) -> None:
    response = requests.get(f"{emulator.api_url}/contact/list", params=AUTH, timeout=5)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.json()["status"] == "error"


# --------------------------------------------------------------------------- concurrency


def test_fifty_parallel_creates_with_distinct_names_make_fifty_lists(
    emulator: EmulatorServer,
) -> None:
    def create(i: int) -> str:
        return code_of(
            call(
                emulator,
                "contact/list/create",
                listContactName=f"L{i}",
                listContactCountryCode="FR",
            )
        )

    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(create, range(50)))
    assert codes == ["OK"] * 50
    lists = emulator.backend.lists()
    assert len({lst["list_id"] for lst in lists}) == 50
    assert sorted(int(lst["list_id"]) for lst in lists) == list(range(1, 51))


def test_fifty_parallel_creates_with_the_same_name_make_one_list(
    emulator: EmulatorServer,
) -> None:
    def create(i: int) -> str:
        name = "Customers" if i % 2 else "CUSTOMERS"
        return code_of(
            call(emulator, "contact/list/create", listContactName=name, listContactCountryCode="FR")
        )

    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(create, range(50)))
    assert codes.count("OK") == 1
    assert codes.count("ERR_104") == 49
    assert len(emulator.backend.lists()) == 1


# --------------------------------------------------------------------------- faults


def test_err9xx_fault_answers_the_code_without_applying(emulator: EmulatorServer) -> None:
    emulator.faults.add("err9xx", code="ERR_942")
    reply = call(emulator, "contact/list/create", listContactName="A", listContactCountryCode="FR")
    assert reply.status_code == 200
    assert reply.json() == {"status": "error", "code": "ERR_942"}
    assert emulator.backend.lists() == []
    assert code_of(call(emulator, "contact/list")) == "OK"  # used up


@pytest.mark.parametrize(
    ("kind", "status", "retry_after", "header"),
    [
        ("http429", 429, 2.0, "2"),
        ("http429", 429, 0.25, "0.25"),
        ("http429", 429, None, None),
        ("http503", 503, 1.0, "1"),
        ("http503", 503, None, None),
        ("http500", 500, None, None),
        ("http502", 502, None, None),
    ],
)
def test_http_status_faults_answer_an_html_error_without_applying(
    emulator: EmulatorServer, kind: str, status: int, retry_after: float | None, header: str | None
) -> None:
    opts: dict[str, Any] = {} if kind in ("http500", "http502") else {"retry_after": retry_after}
    emulator.faults.add(kind, **opts)
    reply = call(emulator, "contact/list/create", listContactName="A", listContactCountryCode="FR")
    assert reply.status_code == status
    assert reply.headers["Content-Type"].startswith("text/html")
    assert reply.headers.get("Retry-After") == header
    assert emulator.backend.lists() == []


def test_retry_after_may_be_an_http_date(emulator: EmulatorServer) -> None:
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    emulator.faults.add("http429", retry_after=date)
    assert call(emulator, "contact/list").headers["Retry-After"] == date


def test_html_fault_is_a_200_html_page_without_applying(emulator: EmulatorServer) -> None:
    emulator.faults.add("html")
    reply = call(emulator, "contact/list/create", listContactName="A", listContactCountryCode="FR")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert reply.text.lstrip().startswith("<html")
    with pytest.raises(ValueError):
        reply.json()
    assert emulator.backend.lists() == []


def test_truncated_fault_cuts_the_json_but_applies_the_change(emulator: EmulatorServer) -> None:
    emulator.faults.add("truncated")
    reply = call(emulator, "contact/list/create", listContactName="A", listContactCountryCode="FR")
    assert reply.status_code == 200
    assert int(reply.headers["Content-Length"]) == len(reply.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(reply.content)
    assert (
        reply.content
        == json.dumps({"status": "success", "code": "OK", "list_contact_id": 1}).encode()[
            : len(reply.content)
        ]
    )
    assert [lst["name"] for lst in emulator.backend.lists()] == ["A"]


def test_drop_before_closes_the_connection_without_applying(emulator: EmulatorServer) -> None:
    emulator.faults.add("drop_before")
    with pytest.raises(requests.ConnectionError):
        call(emulator, "contact/list/create", listContactName="A", listContactCountryCode="FR")
    assert emulator.backend.lists() == []


def test_drop_after_applies_the_change_and_loses_the_reply(emulator: EmulatorServer) -> None:
    emulator.faults.add("drop_after")
    with pytest.raises(requests.ConnectionError):
        call(emulator, "contact/list/create", listContactName="A", listContactCountryCode="FR")
    assert [lst["name"] for lst in emulator.backend.lists()] == ["A"]


def test_delay_fault_answers_normally_after_the_delay(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits = record_waits(emulator, monkeypatch)
    emulator.faults.add("delay", seconds=0.3)
    reply = call(emulator, "contact/list/create", listContactName="A", listContactCountryCode="FR")
    assert waits == [0.0, 0.3]  # no latency, then the delay, before the reply
    assert code_of(reply) == "OK"


def test_delay_fault_exceeds_a_client_read_timeout(emulator: EmulatorServer) -> None:
    emulator.faults.add("delay", seconds=1.0)
    with pytest.raises(requests.ReadTimeout):
        call(emulator, "contact/list", timeout=0.2)


def test_stop_interrupts_a_delayed_call() -> None:
    server = EmulatorServer().start()
    server.faults.add("delay", seconds=60)
    thread, outcome = call_in_background(server, "contact/list")
    server.stop()
    thread.join(5)  # the delay is 60 s: only an interrupted call ends in time
    assert not thread.is_alive()
    assert isinstance(outcome[0], requests.ConnectionError)


def test_reset_drops_a_call_still_waiting_instead_of_applying_it(
    emulator: EmulatorServer,
) -> None:
    emulator.faults.add("delay", seconds=60)
    thread, outcome = call_in_background(
        emulator, "contact/list/create", listContactName="Late", listContactCountryCode="FR"
    )
    emulator.reset()
    thread.join(5)
    assert isinstance(outcome[0], requests.ConnectionError)
    assert emulator.backend.lists() == []


def test_faults_for_one_endpoint_spare_the_others(emulator: EmulatorServer) -> None:
    emulator.faults.add("err9xx", count=2, endpoint="contact/list/create", code="ERR_903")
    assert code_of(call(emulator, "contact/list")) == "OK"
    codes = [
        code_of(
            call(
                emulator,
                "contact/list/create",
                listContactName=f"L{i}",
                listContactCountryCode="FR",
            )
        )
        for i in range(3)
    ]
    assert codes == ["ERR_903", "ERR_903", "OK"]
    assert [r.fault for r in emulator.request_log] == [None, "err9xx", "err9xx", None]


def test_one_fault_is_consumed_by_exactly_one_of_many_parallel_calls(
    emulator: EmulatorServer,
) -> None:
    emulator.faults.add("err9xx")
    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(lambda _: code_of(call(emulator, "contact/list")), range(20)))
    assert codes.count("ERR_901") == 1
    assert codes.count("OK") == 19


def test_faults_clear_and_unknown_kinds_are_refused(emulator: EmulatorServer) -> None:
    emulator.faults.add("http500", count=5)
    emulator.faults.clear()
    assert code_of(call(emulator, "contact/list")) == "OK"
    with pytest.raises(ValueError):
        emulator.faults.add("meteor")
    with pytest.raises(ValueError):
        emulator.faults.add("err9xx", code="ERR_101")
    with pytest.raises(ValueError):
        emulator.faults.add("html", seconds=3)


@pytest.mark.parametrize(
    "endpoint", ["contact/lists/create", "v1/contact/list", "/v1/contact/add", "", "Contact/add"]
)
def test_a_fault_for_an_endpoint_that_does_not_exist_is_refused(
    emulator: EmulatorServer, endpoint: str
) -> None:
    with pytest.raises(ValueError, match=r"valid endpoints: .*'contact/list/create'"):
        emulator.faults.add("http500", endpoint=endpoint)
    status, reply = admin(emulator, "POST", "faults", {"kind": "http500", "endpoint": endpoint})
    assert status == 400
    assert "valid endpoints" in reply["error"] and "contact/list/rename" in reply["error"]
    assert len(emulator.faults) == 0


def test_a_fault_endpoint_may_have_surrounding_slashes(emulator: EmulatorServer) -> None:
    assert emulator.faults.add("http500", endpoint="/contact/list/").endpoint == "contact/list"
    assert admin(emulator, "POST", "faults", {"kind": "http500", "endpoint": 7})[0] == 400


def test_a_call_aborted_during_the_latency_wait_leaves_its_fault_queued() -> None:
    server = EmulatorServer(latency=60).start()
    server.faults.add("err9xx")
    thread, outcome = call_in_background(server, "contact/list")
    server.stop()
    thread.join(5)
    assert isinstance(outcome[0], requests.ConnectionError)
    assert [f.kind for f in server.faults.pending()] == ["err9xx"]
    assert server.request_log[0].fault is None


def test_latency_is_waited_on_every_api_call(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits = record_waits(emulator, monkeypatch)
    emulator.latency = 0.2
    call(emulator, "contact/list")
    call(emulator, "contact/list/create", listContactName="A", listContactCountryCode="FR")
    assert waits == [0.2, 0.2]


# --------------------------------------------------------------------------- counters, log


def test_a_session_reuses_one_connection_for_five_calls(emulator: EmulatorServer) -> None:
    with requests.Session() as session:
        for i in range(4):
            code_of(
                call(
                    emulator,
                    "contact/list/create",
                    session,
                    listContactName=f"L{i}",
                    listContactCountryCode="FR",
                )
            )
        code_of(call(emulator, "contact/list", session))
    stats = emulator.stats.snapshot()
    assert stats["connections"] == 1
    assert stats["total_calls"] == 5
    assert stats["calls"] == {"contact/list/create": 4, "contact/list": 1}


def test_counters_measure_bytes_in_and_out_per_endpoint(emulator: EmulatorServer) -> None:
    reply = call(emulator, "contact/list")
    sent = reply.request.body
    assert isinstance(sent, str)
    stats = emulator.stats.snapshot()
    assert stats["bytes_in"] == {"contact/list": len(sent.encode())}
    assert stats["bytes_out"] == {"contact/list": len(reply.content)}


def test_admin_calls_are_not_counted_logged_or_faulted(emulator: EmulatorServer) -> None:
    emulator.faults.add("http500", count=10)
    assert admin(emulator, "GET", "lists") == (200, {"lists": []})
    assert admin(emulator, "GET", "stats")[1]["total_calls"] == 0
    assert len(emulator.request_log) == 0
    assert len(emulator.faults) == 1


def test_request_log_shows_credentials_travel_in_the_body_only(emulator: EmulatorServer) -> None:
    call(emulator, "contact/list/information", listContactId="7")
    (record,) = emulator.request_log
    assert record.endpoint == "contact/list/information"
    assert record.method == "POST"
    assert record.path == "/v1/contact/list/information"
    assert record.form == {"id": DEMO_ID, "key": DEMO_KEY, "listContactId": "7"}
    assert record.query == ""
    assert DEMO_KEY not in json.dumps(record.headers)


def test_admin_request_log_hides_the_api_key(emulator: EmulatorServer) -> None:
    call(emulator, "contact/list/information", listContactId="7")
    requests.post(f"{emulator.api_url}/contact/list?id=x&key={DEMO_KEY}&a=1", timeout=5)
    response = requests.get(f"{emulator.url}/_emulator/requests", timeout=5)
    assert response.status_code == 200
    assert DEMO_KEY not in response.text
    first, second = response.json()["requests"]
    assert first["form"] == {"id": DEMO_ID, "key": "***", "listContactId": "7"}
    assert second["query"] == "id=x&key=***&a=1"
    # The in-process log is not redacted (tests prove where the key travelled with it).
    assert emulator.request_log[0].form["key"] == DEMO_KEY
    assert emulator.request_log[1].query == f"id=x&key={DEMO_KEY}&a=1"


def test_reset_forgets_data_faults_counters_log_and_ids(emulator: EmulatorServer) -> None:
    create_list(emulator, "A")
    create_list(emulator, "B")
    emulator.faults.add("http500")
    emulator.reset()
    assert emulator.backend.lists() == []
    assert len(emulator.faults) == 0
    assert len(emulator.request_log) == 0
    assert emulator.stats.snapshot()["total_calls"] == 0
    assert create_list(emulator, "C") == "1"


def test_backend_reset_forgets_the_data_only(emulator: EmulatorServer) -> None:
    create_list(emulator, "A")
    emulator.faults.add("http500")
    emulator.latency = 0.001
    emulator.backend.reset()
    assert emulator.backend.lists() == []
    assert len(emulator.faults) == 1
    assert len(emulator.request_log) == 1
    assert emulator.stats.snapshot()["total_calls"] == 1
    assert emulator.latency == 0.001


def test_the_request_log_keeps_the_newest_requests_up_to_its_limit(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(emulator.request_log, "limit", 3)
    for name in ("A", "B", "C", "D", "E"):
        create_list(emulator, name)
    assert len(emulator.request_log) == 3
    assert [r.form["listContactName"] for r in emulator.request_log] == ["C", "D", "E"]


# --------------------------------------------------------------------------- admin routes


def test_admin_routes_mirror_the_backend(emulator: EmulatorServer) -> None:
    assert admin(emulator, "POST", "lists", {"name": "Customers", "country_code": "FR"}) == (
        201,
        {"list_id": "1"},
    )
    assert admin(emulator, "POST", "lists", {"name": "customers", "country_code": "FR"})[0] == 409
    assert admin(emulator, "POST", "lists/1/rename", {"name": "Clients"})[0] == 200
    assert admin(
        emulator, "POST", "lists/1/contacts", {"phone_number": "0612345678", "first_name": "A"}
    ) == (201, {"phone_number": FR_MOBILE})
    assert (
        admin(emulator, "POST", "lists/1/contacts/%2B33612345678/update", {"email": "a@b.c"})[0]
        == 200
    )
    status, found = admin(emulator, "GET", "lists/1")
    assert status == 200
    assert found["name"] == "Clients"
    # The console edit kept the fields it was not given.
    assert found["contacts"] == [{**_empty_contact(FR_MOBILE), "first_name": "A", "email": "a@b.c"}]
    assert admin(emulator, "POST", "lists/1/contacts/%2B33612345678/remove")[0] == 200
    assert admin(emulator, "POST", "lists/1/contacts/%2B33612345678/remove")[0] == 404
    assert admin(emulator, "POST", "lists/1/delete")[0] == 200
    assert admin(emulator, "GET", "lists/1")[0] == 404
    assert admin(emulator, "DELETE", "lists/1")[0] == 404
    assert admin(emulator, "POST", "lists/1/contacts", {"phone_number": "x"})[0] == 404
    assert admin(emulator, "GET", "nothing-here")[0] == 404
    assert admin(emulator, "PUT", "lists")[0] == 405


def test_admin_faults_latency_stats_requests_and_reset(emulator: EmulatorServer) -> None:
    status, fault = admin(
        emulator, "POST", "faults", {"kind": "http503", "count": 2, "retry_after": 1}
    )
    assert status == 201
    assert fault == {"kind": "http503", "remaining": 2, "endpoint": None, "retry_after": 1.0}
    assert admin(emulator, "POST", "faults", {"kind": "bogus"})[0] == 400
    assert len(admin(emulator, "GET", "faults")[1]["faults"]) == 1
    assert call(emulator, "contact/list").status_code == 503
    assert admin(emulator, "DELETE", "faults")[0] == 200
    assert call(emulator, "contact/list").status_code == 200

    assert admin(emulator, "POST", "latency", {"seconds": 0.01}) == (200, {"seconds": 0.01})
    assert emulator.latency == 0.01
    assert admin(emulator, "GET", "stats")[1]["calls"] == {"contact/list": 2}
    requests_seen = admin(emulator, "GET", "requests")[1]["requests"]
    assert [r["endpoint"] for r in requests_seen] == ["contact/list", "contact/list"]
    assert requests_seen[0]["form"]["id"] == DEMO_ID

    create_list(emulator)
    assert admin(emulator, "POST", "reset") == (200, {"ok": True})
    assert emulator.backend.lists() == []


# --------------------------------------------------------------------------- state, CLI


@pytest.mark.parametrize("read", ["lists", "get_list", "api_list_information"])
def test_a_list_and_its_contacts_are_read_from_one_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read: str
) -> None:
    state = str(tmp_path / "state.db")
    backend = EmulatorBackend(state)
    offline = sqlite3.connect(state, timeout=0.05, isolation_level=None)  # like the CLI
    try:
        list_id = backend.console_create_list("Customers", "FR")
        backend.console_add_contact(list_id, FR_MOBILE)
        read_contacts = backend._contacts

        def contacts_after_an_offline_write(db: sqlite3.Connection, lid: int) -> Any:
            # Between the read of the list and that of its contacts, another process
            # tries to empty the list: it must wait, or not be seen.
            with contextlib.suppress(sqlite3.OperationalError):
                offline.execute("DELETE FROM contacts")
            return read_contacts(db, lid)

        monkeypatch.setattr(backend, "_contacts", contacts_after_an_offline_write)
        if read == "lists":
            (found,) = backend.lists()
        elif read == "get_list":
            found = backend.get_list(list_id)
        else:
            found = backend.api_list_information(DEMO_ID, list_id)
        assert found["contact_count"] == 1
        assert [c["phone_number"] for c in found["contacts"]] == [FR_MOBILE]
    finally:
        offline.close()
        backend.close()


def test_state_survives_a_restart_on_the_same_file(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    with EmulatorServer(state_path=state) as first:
        list_id = create_list(first, "Persistent", "BE")
        call(first, "contact/add", listContactId=list_id, contactTelephoneNumber="+32470123456")
    with EmulatorServer(state_path=state) as second:
        info = call(second, "contact/list/information", listContactId=list_id).json()
        assert info["list_contact_name"] == "Persistent"
        assert info["nb_contact_list"] == 1
        assert create_list(second, "Next") == "2"  # the id sequence survives too


@pytest.fixture
def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env


def test_cli_prints_its_url_then_serves_until_terminated(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pulumi_avosms.emulator",
            "--port",
            "0",
            "--account",
            "ops@example.com:s3cr:et",
            "--state",
            str(tmp_path / "s.db"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env,
    )
    try:
        assert process.stdout is not None
        url = first_line(process).strip()
        assert url.startswith("http://127.0.0.1:")
        reply = requests.post(
            f"{url}/v1/contact/list/create",
            data={
                "id": "ops@example.com",
                "key": "s3cr:et",
                "listContactName": "CLI",
                "listContactCountryCode": "FR",
            },
            timeout=5,
        )
        assert reply.json()["code"] == "OK"
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "s3cr:et" not in out  # a key other than the demo one is never printed


def test_serve_is_the_default_command_and_options_go_before_or_after_it() -> None:
    parser = build_parser()
    bare = parser.parse_args(["--port", "0", "--account", "a@b.c:k:1"])
    assert (bare.func, bare.port, bare.host, bare.account) == (
        _cmd_serve,
        0,
        "127.0.0.1",
        [("a@b.c", "k:1")],
    )
    before = parser.parse_args(["--port", "0", "serve", "--latency", "0.5"])
    assert (before.func, before.port, before.latency, before.state) == (_cmd_serve, 0, 0.5, None)
    assert parser.parse_args([]).port == 8765


def test_offline_subcommands_edit_a_state_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = str(tmp_path / "state.db")
    assert cli_main(["create-list", "--state", state, "Customers", "FR"]) == 0
    assert capsys.readouterr().out == "1\n"
    assert (
        cli_main(
            [
                "add-contact",
                "--state",
                state,
                "1",
                "06 12 34 56 78",
                "--first-name",
                "Ann",
                "--last-name",
                "Lee",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out == f"{FR_MOBILE}\n"
    assert cli_main(["rename-list", "--state", state, "1", "Clients"]) == 0
    assert cli_main(["lists", "--state", state]) == 0
    assert capsys.readouterr().out == "ID\tNAME\tCOUNTRY\tCONTACTS\n1\tClients\tFR\t1\n"

    backend = EmulatorBackend(state)
    contact = backend.get_list("1")["contacts"][0]  # type: ignore[index]
    backend.close()
    assert (contact["first_name"], contact["last_name"]) == ("Ann", "Lee")

    assert cli_main(["rename-list", "--state", state, "9", "X"]) == 1
    assert "ERR_103" in capsys.readouterr().err
    assert cli_main(["delete-list", "--state", state, "1"]) == 0
    assert cli_main(["lists", "--state", state]) == 0
    assert capsys.readouterr().out == "ID\tNAME\tCOUNTRY\tCONTACTS\n"


def test_create_list_makes_the_state_directory_on_a_fresh_clone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = str(tmp_path / ".avosms" / "emulator.sqlite3")
    assert cli_main(["create-list", "--state", state, "Customers", "FR"]) == 0
    assert capsys.readouterr().out == "1\n"


@pytest.mark.parametrize(
    "command",
    [
        ["lists"],
        ["rename-list", "1", "X"],
        ["delete-list", "1"],
        ["add-contact", "1", "+33612345678"],
    ],
)
def test_a_mistyped_state_file_is_an_error_not_an_empty_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    missing = str(tmp_path / "typo.sqlite3")
    assert cli_main([command[0], "--state", missing, *command[1:]]) == 1
    assert "no state file at" in capsys.readouterr().err
    assert not Path(missing).exists()


def test_a_state_file_that_is_not_sqlite_gives_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database\n" * 100)
    assert cli_main(["lists", "--state", str(bogus)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("avosms-emulator: cannot use the state file")
    assert "Traceback" not in err


def test_offline_edits_are_seen_by_a_running_server(tmp_path: Path) -> None:
    state = str(tmp_path / "state.db")
    with EmulatorServer(state_path=state) as server:
        list_id = create_list(server, "Customers")
        assert cli_main(["rename-list", "--state", state, list_id, "Renamed"]) == 0
        info = call(server, "contact/list/information", listContactId=list_id).json()
        assert info["list_contact_name"] == "Renamed"


@pytest.fixture
def private_server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


def test_server_reports_its_urls_and_port(private_server: EmulatorServer) -> None:
    assert private_server.port > 0
    assert private_server.url == f"http://127.0.0.1:{private_server.port}"
    assert private_server.api_url == private_server.url + "/v1"


def test_stop_lets_a_request_being_served_finish_before_closing_the_backend() -> None:
    server = EmulatorServer().start()
    entered = threading.Event()
    list_lists = server.backend.api_list_lists

    def slow_listing(account: str) -> list[dict[str, Any]]:
        entered.set()
        time.sleep(0.5)
        return list_lists(account)

    server.backend.api_list_lists = slow_listing  # type: ignore[method-assign]
    outcome: list[object] = []

    def client() -> None:
        try:
            outcome.append(call(server, "contact/list", timeout=30))
        except requests.RequestException as error:
            outcome.append(error)

    thread = threading.Thread(target=client)
    thread.start()
    assert entered.wait(5)
    server.stop()
    thread.join(5)
    (reply,) = outcome
    assert isinstance(reply, requests.Response)
    assert code_of(reply) == "OK"
    # Served before the backend was closed; later requests cannot reach it.
    with pytest.raises(requests.ConnectionError):
        call(server, "contact/list", timeout=2)


def test_stop_waits_for_a_stuck_request_only_a_bounded_time() -> None:
    server = EmulatorServer().start()
    server.STOP_GRACE = 0.3
    entered, release = threading.Event(), threading.Event()
    serving: list[threading.Thread] = []

    def stuck_listing(account: str) -> list[dict[str, Any]]:
        serving.append(threading.current_thread())
        entered.set()
        release.wait(10)
        return []

    server.backend.api_list_lists = stuck_listing  # type: ignore[method-assign]
    thread = threading.Thread(target=_quiet_call, args=(server,))
    thread.start()
    try:
        assert entered.wait(5)
        server.stop()
        # stop() gave up on the request: it is still being served, never released.
        assert not release.is_set() and serving[0].is_alive()
    finally:
        release.set()
        thread.join(5)


def _quiet_call(server: EmulatorServer) -> None:
    with contextlib.suppress(requests.RequestException):
        call(server, "contact/list", timeout=10)


def test_wait_idle_returns_once_a_delayed_call_has_landed(emulator: EmulatorServer) -> None:
    emulator.faults.add("delay", count=1, endpoint="contact/list/create", seconds=0.3)
    thread, outcome = call_in_background(
        emulator, "contact/list/create", listContactName="Slow", listContactCountryCode="FR"
    )
    assert emulator.backend.lists() == []  # still held by the delay
    assert emulator.wait_idle(10)
    assert [lst["name"] for lst in emulator.backend.lists()] == ["Slow"]
    thread.join(5)
    assert code_of(outcome[0]) == "OK"  # type: ignore[arg-type]
