"""Hostile and odd input: whatever a program or AvoSMS sends, the provider answers clearly.

* ``check`` through the plugin answers odd values with failures naming the property (the
  provider-level property tests are in tests/providers/test_check_properties.py).
* What reaches AvoSMS is exactly what the user wrote: names with ``&``, ``=``, ``+``, ``%`` or
  unicode survive form encoding unchanged, and cannot inject a parameter.
* Malformed replies (missing fields, wrong types, unknown codes, huge bodies) from a stub
  standing in for AvoSMS fail the step through the plugin with a clear message, never with a
  bare ``KeyError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_avosms import ContactList
from pulumi_avosms._model import ContactInfo
from pulumi_avosms.client import AvoSMSClient
from pulumi_avosms.emulator import EmulatorServer
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY
from tests.support.stub_avosms import EP_CREATE, EP_INFO, EP_LIST, EP_RENAME, GOOD_INFO, StubAvoSMS

# -- check through the plugin -----------------------------------------------------------------


@pytest.fixture(scope="module")
def plugin() -> Iterator[h.PluginProcess]:
    """One plugin for checks: Check makes no API call, so no configuration matters."""
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        plugin.configure({"avosms:endpoint": "http://127.0.0.1:9/v1"})
        yield plugin


_BASE: dict[str, Any] = {}


def _registered(name: Any, country_code: Any = "FR") -> dict[str, Any]:
    """A ContactList registration carrying these raw values (as another SDK could send)."""
    if not _BASE:
        entry = h.program_inputs(lambda: ContactList("odd", name="x", country_code="FR"))
        _BASE.update(entry["odd"]["inputs"])
    return {**_BASE, "name": name, "country_code": country_code}


@pytest.mark.parametrize(
    ("name", "country_code", "failed"),
    [
        ("nul\x00byte", "FR", ["name"]),
        ("two\r\nlines", "FR", ["name"]),
        ("\t", "FR", ["name"]),
        ("ok", "F\x00", ["country_code"]),
        (42, 33, ["name", "country_code"]),
        (["a", "b"], {"iso": "FR"}, ["name", "country_code"]),
        ("é" * 10_000, "fr", []),
        ("A&B=C+D%20E", " fr ", []),
        # Invisible and direction-changing characters: lists that look alike must not coexist.
        ("Customers\u200bFR", "FR", ["name"]),
        ("Customers \u202eRF", "FR", ["name"]),
        ("Cus\u00adtomers", "FR", ["name"]),
        ("\u200b\u2060\ufeff", "FR", ["name"]),
        ("Family \U0001f469\u200d\U0001f467", "FR", []),
    ],
)
def test_check_through_the_plugin_answers_odd_values_with_failures(
    plugin: h.PluginProcess, name: Any, country_code: Any, failed: list[str]
) -> None:
    urn_ = h.urn(h.CONTACT_LIST_TYPE, "odd")
    checked, failures = plugin.check(urn_, {}, _registered(name, country_code))
    assert [prop for prop, _ in failures] == failed
    for prop, reason in failures:
        assert reason.startswith(prop)
    if not failed:
        assert checked["name"] == name.strip()
        assert checked["country_code"] == "FR"
    assert plugin.alive


def test_unknown_inputs_pass_check_during_preview(plugin: h.PluginProcess) -> None:
    """During a first preview an input may be another resource's future output."""
    urn_ = h.urn(h.CONTACT_LIST_TYPE, "odd")
    inputs = {**_registered("x"), "name": h.UNKNOWN, "country_code": " fr "}
    checked, failures = plugin.check(urn_, {}, inputs)
    assert failures == []
    assert checked["name"] == h.UNKNOWN and checked["country_code"] == "FR"


# -- what reaches AvoSMS is what the user wrote -----------------------------------------------

#: Names that break naive form encoding, or that try to smuggle parameters in.
ROUND_TRIP_NAMES = [
    "A&B=C+D%20E",
    "x&key=evil",
    "x&id=attacker@example.com&key=evil&listContactCountryCode=US",
    "100% + 50% = 150%",
    "名前 ✓",
    "e\u0301 ≠ \u00e9 🙂",  # combining and precomposed: no Unicode normalisation on the way
    "semi;colon|pipe<tag>'quote\"",
    "%00%0d%0a not a control",
]
CREATE_PARAMS = {"id", "key", "listContactName", "listContactCountryCode"}
RENAME_PARAMS = {"id", "key", "listContactId", "listContactName"}


def _assert_sent_exactly(record: Any, params: set[str], **expected: str) -> None:
    assert set(record.form) == params, record.form  # no parameter added by the value
    assert record.form["id"] == DEMO_ID and record.form["key"] == DEMO_KEY
    for name, value in expected.items():
        assert record.form[name] == value, (ascii(record.form[name]), ascii(value))
    assert record.query == ""


def test_client_sends_names_exactly_and_nothing_else(emulator: EmulatorServer) -> None:
    with AvoSMSClient(DEMO_ID, DEMO_KEY, emulator.api_url) as client:
        for name in ROUND_TRIP_NAMES:
            list_id = client.create_list(name, "FR")
            _assert_sent_exactly(
                emulator.request_log[-1],
                CREATE_PARAMS,
                listContactName=name,
                listContactCountryCode="FR",
            )
            assert emulator.backend.get_list(list_id)["name"] == name
            assert client.get_list(list_id).name == name
            renamed = name + " & more=1"
            client.rename_list(list_id, renamed)
            _assert_sent_exactly(
                emulator.request_log[-1],
                RENAME_PARAMS,
                listContactId=list_id,
                listContactName=renamed,
            )
            assert emulator.backend.get_list(list_id)["name"] == renamed
    assert len(emulator.backend.lists()) == len(ROUND_TRIP_NAMES)


def test_names_survive_the_whole_plugin_path_unchanged(
    emulator: EmulatorServer, avosms_config: dict[str, str]
) -> None:
    """Program -> engine -> plugin -> provider -> form body -> AvoSMS -> outputs, exactly."""
    resources = {
        f"list-{i}": h.program_inputs(
            lambda i=i, name=name: ContactList(f"list-{i}", name=name, country_code="FR")
        )[f"list-{i}"]
        for i, name in enumerate(ROUND_TRIP_NAMES)
    }
    with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
        stack = h.Stack(plugin, config=avosms_config, secret_keys=["avosms:apiKey"])
        stack.up(resources)
        creates = [r for r in emulator.request_log if r.endpoint == "contact/list/create"]
        assert [r.form["listContactName"] for r in creates] == ROUND_TRIP_NAMES
        for record in creates:
            _assert_sent_exactly(record, CREATE_PARAMS, listContactCountryCode="FR")
        for i, name in enumerate(ROUND_TRIP_NAMES):
            outputs = stack.outputs(f"list-{i}")
            assert outputs["name"] == name
            assert emulator.backend.get_list(outputs["list_id"])["name"] == name

        # A rename through Update travels the same way, and cannot retarget another list.
        other = stack.id("list-0")
        hostile = f"y&listContactId={other}&key=evil"
        entry = h.program_inputs(lambda: ContactList("list-1", name=hostile, country_code="FR"))
        stack.up({**resources, "list-1": entry["list-1"]})
        rename = [r for r in emulator.request_log if r.endpoint == "contact/list/rename"][-1]
        list_id = stack.id("list-1")
        _assert_sent_exactly(rename, RENAME_PARAMS, listContactId=list_id, listContactName=hostile)
        assert emulator.backend.get_list(list_id)["name"] == hostile
        assert emulator.backend.get_list(other)["name"] == ROUND_TRIP_NAMES[0]


# -- malformed replies through the plugin ------------------------------------------------------


@pytest.fixture(scope="module")
def stub_plugin() -> Iterator[tuple[StubAvoSMS, h.PluginProcess]]:
    stub = StubAvoSMS()
    config = {
        "avosms:apiId": DEMO_ID,
        "avosms:apiKey": DEMO_KEY,
        "avosms:endpoint": stub.api_url,
        "avosms:maxRetries": "0",  # one attempt: these replies are wrong every time
        "avosms:timeout": "5",
    }
    try:
        with h.PluginProcess(unset_prefixes=["AVOSMS_"]) as plugin:
            plugin.configure(config, ["avosms:apiKey"])
            yield stub, plugin
    finally:
        stub.close()


def _run_step(plugin: h.PluginProcess, step: str) -> None:
    entry = h.program_inputs(
        lambda: ContactList("customers", name="Customers FR", country_code="FR")
    )["customers"]
    inputs = entry["inputs"]
    urn_ = h.urn(h.CONTACT_LIST_TYPE, "customers")
    outputs = {**inputs, "list_id": "7", "country_name": "France", "contact_count": 0}
    if step == "create":
        plugin.create(urn_, inputs)
    elif step == "refresh":
        plugin.read("7", urn_, outputs, inputs)
    elif step == "rename":
        plugin.update("7", urn_, outputs, {**inputs, "name": "Clients FR"}, inputs)
    else:  # import
        plugin.create(urn_, {**inputs, "import_id": "7"})


HUGE = 5 * 1024 * 1024


def bad(step: str, endpoint: str, reply: Any, expected: str, status: int = 200) -> Any:
    """One malformed-reply case: ``step`` meets ``reply`` at ``endpoint``; ``expected`` is the
    part of the message that explains it."""
    return pytest.param(step, endpoint, reply, status, expected, id=f"{step}-{expected[:30]}")


MALFORMED = [
    bad("create", EP_CREATE, {"code": "OK"}, "no 'list_contact_id' field"),
    bad("create", EP_CREATE, {"code": "OK", "list_contact_id": {}}, "expected an id"),
    bad("create", EP_CREATE, {"code": "ERR_199"}, "ERR_199"),
    bad("create", EP_CREATE, {"code": 104}, "'code' field of type int"),
    bad("refresh", EP_INFO, {"code": "OK"}, "no 'list_contact_name' field"),
    bad("refresh", EP_INFO, {**GOOD_INFO, "list_contact_name": ["x"]}, "is an array"),
    bad("refresh", EP_INFO, {**GOOD_INFO, "nb_contact_list": "many"}, "'nb_contact_list' is"),
    bad("refresh", EP_INFO, {**GOOD_INFO, "list_contact": [{}]}, "'contact_telephone_number'"),
    bad("refresh", EP_INFO, {**GOOD_INFO, "list_contact": "none"}, "'list_contact' is a str"),
    bad("refresh", EP_INFO, [GOOD_INFO], "JSON list where an object was expected"),
    bad("refresh", EP_INFO, "OK", "JSON str where an object was expected"),
    bad("refresh", EP_INFO, b"", "0 bytes"),
    bad("refresh", EP_INFO, b"<" * HUGE, f"{HUGE} bytes"),
    bad("refresh", EP_INFO, {"code": "NOPE"}, "undocumented code 'NOPE'"),
    bad("refresh", EP_INFO, b"<h1>Not Found</h1>", "HTTP 404 without an error code", 404),
    bad("rename", EP_RENAME, {"code": "ERR_1999"}, "ERR_1999"),
    bad("rename", EP_RENAME, None, "JSON NoneType"),
    bad("import", EP_INFO, {**GOOD_INFO, "list_contact_country_code": None}, "is null"),
    bad("import", EP_INFO, {"code": "OK", "list_contact_name": "x"}, "no 'list_contact_country"),
]


@pytest.mark.parametrize(("step", "endpoint", "reply", "status", "expected"), MALFORMED)
def test_malformed_replies_fail_the_step_with_a_clear_message(
    stub_plugin: tuple[StubAvoSMS, h.PluginProcess],
    step: str,
    endpoint: str,
    reply: Any,
    status: int,
    expected: str,
) -> None:
    stub, plugin = stub_plugin
    stub.server.replies.clear()
    stub.script(endpoint, reply, status)
    if step == "refresh":
        # A refresh may read the list alone or from the account listing: both answer wrong.
        stub.script(EP_LIST, reply, status)
    elif endpoint != EP_INFO:
        # Reads made after a write (reading the list back, reconciling) find the list as it is.
        stub.script(EP_INFO, GOOD_INFO)
        stub.script(EP_LIST, {"code": "OK", "list_contact": []})
    with pytest.raises(h.PluginError) as caught:
        _run_step(plugin, step)
    error = caught.value
    assert error.raised("ContactListError"), error.details
    for crash in ("KeyError", "TypeError", "AttributeError", "IndexError", "JSONDecodeError"):
        assert crash not in error.details, error.details
    message = error.exception_message
    assert expected in message, message
    assert (EP_LIST if step == "refresh" else endpoint) in message, message
    # A huge reply is described, not quoted: the message stays readable.
    assert len(message) < 2_000, len(message)
    assert plugin.alive


def test_contact_fields_travel_exactly_and_inject_nothing(emulator: EmulatorServer) -> None:
    """A Contact's free-text fields go through the same form encoding: what the user wrote,
    and no parameter (``key``, ``listContactId``...) can be slipped in through a value."""
    list_id = emulator.backend.console_create_list("On-call", "FR")
    other = "x&key=evil&listContactId=999&contactTelephoneNumber=%2B33698765432"
    with AvoSMSClient(DEMO_ID, DEMO_KEY, emulator.api_url) as client:
        client.add_contact(
            list_id,
            ContactInfo(
                "+33612345678", first_name="Zoë & Co = 100% +1", last_name="名前", other=other
            ),
        )
    record = emulator.request_log[-1]
    assert record.endpoint == "contact/add"
    _assert_sent_exactly(
        record,
        {
            "id",
            "key",
            "listContactId",
            "contactTelephoneNumber",
            "contactFirstName",
            "contactName",
            "contactOther",
        },
        listContactId=list_id,
        contactTelephoneNumber="+33612345678",
        contactFirstName="Zoë & Co = 100% +1",
        contactName="名前",
        contactOther=other,
    )
    (contact,) = emulator.backend.get_list(list_id)["contacts"]
    assert (contact["first_name"], contact["last_name"], contact["other"]) == (
        "Zoë & Co = 100% +1",
        "名前",
        other,
    )
