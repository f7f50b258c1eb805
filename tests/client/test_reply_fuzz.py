"""Whatever shape a reply has, the client raises nothing but the package's own errors."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import requests
from hypothesis import given
from hypothesis import strategies as st
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from pulumi_avosms.client import AvoSMSClient
from pulumi_avosms.errors import AvoSMSError, UnexpectedResponseError
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY


class _OneReply(BaseAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.body = b""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = requests.Response()
        response.status_code = 200
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        response.raw = io.BytesIO(self.body)
        response.request = request
        return response

    def close(self) -> None:
        pass


_ADAPTER = _OneReply()
_SESSION = requests.Session()
_SESSION.mount("https://fake.test/", _ADAPTER)
_CLIENT = AvoSMSClient(DEMO_ID, DEMO_KEY, "https://fake.test/v1", session=_SESSION, max_retries=0)

# Odd numbers and digits a PHP service (or a hostile one) could send.
_odd_text = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["\u00b2", "\u2461", "\u0663", "1" * 5000, "1e3", " 7 ", "3.0", "-1", "0x10"]),
)
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    _odd_text,
)
_json = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_list_fields = st.fixed_dictionaries(
    {},
    optional={
        "list_contact_id": _json,
        "list_contact_name": _json,
        "list_contact_country_code": _json,
        "list_contact_country_name": _json,
        "nb_contact_list": _json,
        "list_contact_creation_date": _json,
    },
)
_contact = st.one_of(
    _json,
    st.fixed_dictionaries(
        {},
        optional={
            "contact_telephone_number": _json,
            "contact_email": _json,
            "contact_birthday": _json,
            "contact_name": _json,
        },
    ),
)
_replies = st.one_of(
    _json,
    st.builds(
        lambda fields, items: {"code": "OK", **fields, "list_contact": items},
        _list_fields,
        st.one_of(_json, st.lists(st.one_of(_list_fields, _contact), max_size=3)),
    ),
)


def _call_each_endpoint(reply: Any) -> None:
    _ADAPTER.body = json.dumps(reply).encode()
    calls = (
        lambda: _CLIENT.list_lists(),
        lambda: _CLIENT.get_list("7"),
        lambda: _CLIENT.find_list_by_name("A"),
        lambda: _CLIENT.create_list("A", "FR"),
        lambda: _CLIENT.rename_list("7", "B"),
    )
    for call in calls:
        with contextlib.suppress(AvoSMSError):
            call()


@given(_replies)
def test_no_reply_shape_raises_anything_but_the_packages_errors(reply: Any) -> None:
    _call_each_endpoint(reply)


def test_a_count_in_unicode_or_thousands_of_digits_is_a_malformed_reply() -> None:
    for count in ("\u00b2", "\u2461", "1" * 5000, 10**400):
        body = json.dumps({"code": "OK", "list_contact": []}).replace(
            "}", f', "nb_contact_list": {json.dumps(count) if isinstance(count, str) else count}}}'
        )
        body = body.replace(
            '"list_contact": []',
            '"list_contact_name": "A", "list_contact_country_code": "FR", "list_contact": []',
        )
        _ADAPTER.body = body.encode()
        try:
            _CLIENT.get_list("7")
        except UnexpectedResponseError as error:
            assert "nb_contact_list" in error.message
        else:
            raise AssertionError(f"count {str(count)[:10]!r} was accepted")


def test_a_malformed_reply_that_echoes_the_key_in_another_case_quotes_none_of_it() -> None:
    value = "x" * 30 + DEMO_KEY.upper()  # describe() would cut it inside the key
    item = {"list_contact_id": 7, "list_contact_name": "A", "list_contact_country_code": "FR"}
    reply = {"code": "OK", "list_contact": [{**item, "nb_contact_list": value}]}
    _ADAPTER.body = json.dumps(reply).encode()
    try:
        _CLIENT.list_lists()
    except UnexpectedResponseError as error:
        text = str(error).lower()
        assert DEMO_KEY.lower()[:8] not in text
        assert "nothing quoted" in text
    else:
        raise AssertionError("a malformed reply was accepted")
