"""Hostile and odd input: whatever a program or AvoSMS sends, the provider answers clearly.

* ``check`` (no network) is property-tested with hypothesis: any text, any type, unknowns.
  It never raises; it accepts and normalises, or fails naming the property.
* What reaches AvoSMS is exactly what the user wrote: names with ``&``, ``=``, ``+``, ``%`` or
  unicode survive form encoding unchanged, and cannot inject a parameter.
* Malformed replies (missing fields, wrong types, unknown codes, huge bodies) from a stub
  standing in for AvoSMS fail the step through the plugin with a clear message, never with a
  bare ``KeyError``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pycountry
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from pulumi_avosms import ContactList, ContactListProvider, ContactProvider
from pulumi_avosms._model import ContactInfo
from pulumi_avosms.client import AvoSMSClient
from pulumi_avosms.emulator import EmulatorServer
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY

# -- strategies -------------------------------------------------------------------------------

#: Characters people do not expect: controls (NUL, CR, LF, DEL, NEL), form-encoding syntax,
#: combining marks, zero-width and bidi characters, line/paragraph separators, emoji.
ODD_CHARACTERS = [
    "\x00", "\r", "\n", "\r\n", "\t", "\x7f", "\x85", "&", "=", "+", "%", "%20", "?", "#",
    ";", "/", "\\", "'", '"', "<", ">", "\u0301", "\u200b", "\u200e", "\u202e", "\ufeff",
    "\u2028", "\u2029", "\u00a0", "\u3000", "🙂", "👩‍👩‍👧", "名", " ",
]  # fmt: skip
#: Lone surrogates are valid in a Python str but are not text (they cannot be UTF-8 encoded).
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"])

#: Pieces of text, some longer than one character ("\r\n", "%20", a family emoji).
any_text = st.lists(
    st.one_of(st.characters(), SURROGATES, st.sampled_from(ODD_CHARACTERS)), max_size=40
).map("".join)
#: Long texts (up to 10,000 characters) built cheaply from a repeated piece.
long_text = st.builds(
    lambda piece, n: (piece * n)[:10_000], any_text.filter(bool), st.integers(1, 10_000)
)
#: Numbers as the engine can send them: protobuf carries doubles, so integers beyond 2**53
#: never arrive (see test_huge_integers_do_not_crash_check for what happens if they do).
numbers = st.one_of(st.integers(-(2**53), 2**53), st.floats(allow_nan=True, allow_infinity=True))
scalars = st.one_of(st.none(), st.booleans(), numbers, any_text)
unknowns = st.sampled_from([Unknown(), UNKNOWN])
structures = st.recursive(
    st.one_of(scalars, unknowns),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
#: Anything a property may hold, weighted towards strings and country-code-like strings.
any_value = st.one_of(
    any_text,
    long_text,
    st.sampled_from(["FR", "fr", " be ", "UK", "FRA", "250", "France", "XX", "", "  "]),
    scalars,
    unknowns,
    structures,
)


#: Input dicts: each property may be absent, or hold anything; strange extra keys too.
def inputs_of(props: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={**{prop: any_value for prop in props}, "unexpected": any_value},
    )


HYPOTHESIS = settings(
    max_examples=300,
    deadline=None,  # the first pycountry lookup loads its database
    suppress_health_check=[HealthCheck.too_slow],
)

LIST_PROPS = ["name", "country_code", "import_id"]
CONTACT_PROPS = [
    "list_id", "phone_number", "civility", "first_name", "last_name", "email", "birthday",
    "other", "import_id",
]  # fmt: skip


def _unknown(value: Any) -> bool:
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def assert_failures_name_their_property(failures: list[Any], props: list[str]) -> None:
    for failure in failures:
        assert failure.property in props, failure
        # import_id is set with the import_ resource option: that is the name users know.
        lead = "import_" if failure.property == "import_id" else failure.property
        assert failure.reason.startswith(lead), failure
        assert failure.reason.strip() != lead, failure  # and says something about it


def assert_clean_text(value: str) -> None:
    assert value == value.strip()
    assert not any(unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") for char in value)
    # Format characters (invisible, bidi) are refused; a joiner inside an emoji is kept.
    assert all(char == "\u200d" for char in value if unicodedata.category(char) == "Cf"), ascii(
        value
    )


# -- check: ContactList -------------------------------------------------------------------------


@HYPOTHESIS
@given(news=inputs_of(LIST_PROPS), olds=inputs_of(LIST_PROPS))
@example(news={"name": "a" * 10_000, "country_code": "fr"}, olds={})
@example(news={"name": "x\x00y", "country_code": "FR\n"}, olds={})
@example(news={"name": "\ud800", "country_code": "\udfff"}, olds={})
@example(news={"name": None, "country_code": 33}, olds={})
@example(news={"name": ["a"], "country_code": {"code": "FR"}, "import_id": 1.5}, olds={})
@example(news={"name": Unknown(), "country_code": UNKNOWN, "import_id": UNKNOWN}, olds={})
# Found in CI once: an empty country in state read as a country change, and the refusal
# for import_id began with "country_code".
@example(
    news={"name": "FR", "import_id": "FR", "country_code": "FR", "unexpected": None},
    olds={"name": None, "import_id": "", "country_code": "", "unexpected": None},
)
@example(news={"name": "Same", "country_code": "BE"}, olds={"name": "same", "country_code": 7})
def test_contact_list_check_never_raises(news: dict[str, Any], olds: dict[str, Any]) -> None:
    result = ContactListProvider().check(olds, news)
    failed = {failure.property for failure in result.failures}
    assert_failures_name_their_property(result.failures, LIST_PROPS)
    if not result.failures:
        # Everything required was given, and the checked inputs are the user's, normalised.
        assert set(result.inputs) >= {"name", "country_code"}
    assert "unexpected" not in result.inputs  # unknown keys are not carried into the state
    name = result.inputs.get("name")
    if name is not None and not _unknown(name):
        assert "name" not in failed
        assert isinstance(name, str) and name
        assert_clean_text(name)
        assert name == news["name"].strip()  # trimmed, otherwise exactly what was written
    code = result.inputs.get("country_code")
    if code is not None and not _unknown(code):
        assert isinstance(code, str) and len(code) == 2 and code.isupper() and code.isascii()
        assert pycountry.countries.get(alpha_2=code) is not None
    for prop in ("name", "country_code"):
        if prop in news and _unknown(news[prop]):
            assert _unknown(result.inputs[prop])  # passed through during preview
        elif prop not in result.inputs:
            assert prop in failed  # a missing or bad value is a failure, never silently dropped


@HYPOTHESIS
@given(news=inputs_of(CONTACT_PROPS))
@example(news={"list_id": "7", "phone_number": "+33612345678", "email": "a@b\r\nBcc: x@y"})
@example(news={"list_id": 7.0, "phone_number": 33612345678, "birthday": "1990-02-30"})
@example(news={"list_id": "7", "phone_number": "+33612345678", "import_id": "7/\ud800"})
@example(news={"list_id": UNKNOWN, "phone_number": "+33612345678", "other": "é" * 10_000})
def test_contact_check_never_raises(news: dict[str, Any]) -> None:
    result = ContactProvider().check({}, news)
    assert_failures_name_their_property(result.failures, CONTACT_PROPS)
    assert "unexpected" not in result.inputs
    failed = {failure.property for failure in result.failures}
    for prop in ("list_id", "phone_number"):
        if prop in news and _unknown(news[prop]):
            assert _unknown(result.inputs[prop])  # passed through during preview
        elif prop not in result.inputs:
            assert prop in failed  # a missing or bad value is a failure, never silently dropped
    number = result.inputs.get("phone_number")
    if isinstance(number, str) and not _unknown(number):
        assert re.fullmatch(r"\+[1-9]\d{6,14}", number), number  # E.164
    for prop in ("civility", "first_name", "last_name", "other", "email"):
        value = result.inputs.get(prop)
        if isinstance(value, str) and not _unknown(value):
            assert_clean_text(value)


def test_huge_integers_do_not_crash_check() -> None:
    result = ContactListProvider().check({}, {"name": 10**5000, "country_code": "FR"})
    assert [failure.property for failure in result.failures] == ["name"]


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


class _StubHandler(BaseHTTPRequestHandler):
    """Answers every POST with the reply scripted for its endpoint (see :class:`StubAvoSMS`)."""

    protocol_version = "HTTP/1.1"
    server: _StubServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        endpoint = self.path.split("/v1/", 1)[-1]
        status, content_type, body = self.server.replies.get(
            endpoint, (404, "text/html", b"<h1>Not Found</h1>")
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _StubServer(ThreadingHTTPServer):
    daemon_threads = True
    replies: dict[str, tuple[int, str, bytes]]


class StubAvoSMS:
    """A tiny HTTP server that answers what a test scripts, however wrong."""

    def __init__(self) -> None:
        self.server = _StubServer(("127.0.0.1", 0), _StubHandler)
        self.server.replies = {}
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def script(self, endpoint: str, body: Any, status: int = 200) -> None:
        if isinstance(body, bytes):
            self.server.replies[endpoint] = (status, "text/html", body)
        else:
            self.server.replies[endpoint] = (status, "application/json", json.dumps(body).encode())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


GOOD_INFO = {
    "code": "OK",
    "list_contact_name": "Customers FR",
    "list_contact_country_name": "France",
    "list_contact_country_code": "FR",
    "nb_contact_list": 0,
    "list_contact_creation_date": "2024-01-02 03:04:05",
    "list_contact": [],
}


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


EP_CREATE = "contact/list/create"
EP_INFO = "contact/list/information"
EP_LIST = "contact/list"
EP_RENAME = "contact/list/rename"


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


def test_ci_runs_hypothesis_derandomised() -> None:
    """Under CI=true the suite draws the same examples on every run (tests/conftest.py)."""
    probe = (
        "import tests.conftest; from hypothesis import settings; "
        "print(settings.default.derandomize, settings.default.database)"
    )
    env = {**os.environ, "CI": "true"}
    env.pop("HYPOTHESIS_PROFILE", None)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    assert done.stdout.split() == ["True", "None"]
    assert HYPOTHESIS.derandomize == settings.default.derandomize
