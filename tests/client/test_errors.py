"""errors.py: the reply -> error mapping, and what errors show (never the API key)."""

from __future__ import annotations

import json
import pickle
import traceback
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from pulumi_avosms.client.reply_errors import ENDPOINT_ERRORS, error_from_reply
from pulumi_avosms.client.retry_policy import parse_retry_after
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
from tests.support.emulator_fixtures import API_ENDPOINTS


def reply(code: str, **fields: object) -> bytes:
    return json.dumps({"status": "x", "code": code, **fields}).encode()


# -- the documented table -------------------------------------------------------------------

DOCUMENTED = [
    ("contact/list/create", "ERR_101", InvalidRequestError, "list name was empty"),
    ("contact/list/create", "ERR_102", InvalidRequestError, "country code was empty"),
    ("contact/list/create", "ERR_103", InvalidRequestError, "no country"),
    ("contact/list/create", "ERR_104", ConflictError, "already exists"),
    ("contact/list/information", "ERR_101", NotFoundError, "no contact list exists"),
    ("contact/list/rename", "ERR_101", InvalidRequestError, "list id was empty"),
    ("contact/list/rename", "ERR_102", InvalidRequestError, "new list name was empty"),
    ("contact/list/rename", "ERR_103", NotFoundError, "no contact list exists"),
    ("contact/list/rename", "ERR_104", ConflictError, "already uses that name"),
    ("contact/add", "ERR_101", InvalidRequestError, "list id was empty"),
    ("contact/add", "ERR_102", InvalidRequestError, "phone number was empty"),
    ("contact/add", "ERR_103", NotFoundError, "no contact list exists"),
    ("contact/add", "ERR_105", ConflictError, "already in the list"),
    ("contact/add", "ERR_106", InvalidRequestError, "badly formatted"),
    ("contact/add", "ERR_107", InvalidRequestError, "country does not match"),
    ("contact/add", "ERR_108", InvalidRequestError, "type of phone number"),
    ("contact/update", "ERR_101", InvalidRequestError, "list id was empty"),
    ("contact/update", "ERR_102", InvalidRequestError, "phone number was empty"),
    ("contact/update", "ERR_103", NotFoundError, "no contact list exists"),
    ("contact/update", "ERR_104", NotFoundError, "no contact with that phone number"),
    ("contact/update", "ERR_105", ConflictError, "already in the list"),
    ("contact/update", "ERR_106", InvalidRequestError, "badly formatted"),
    ("contact/update", "ERR_107", InvalidRequestError, "country does not match"),
    ("contact/update", "ERR_108", InvalidRequestError, "type of phone number"),
    ("contact/delete", "ERR_101", InvalidRequestError, "list id was empty"),
    ("contact/delete", "ERR_102", InvalidRequestError, "phone number was empty"),
    ("contact/delete", "ERR_103", NotFoundError, "no contact list exists"),
    ("contact/delete", "ERR_104", NotFoundError, "no contact with that phone number"),
]


@pytest.mark.parametrize(("endpoint", "code", "cls", "phrase"), DOCUMENTED)
def test_documented_err_1xx_maps_to_its_class_and_message(
    endpoint: str, code: str, cls: type[AvoSMSError], phrase: str
) -> None:
    error = error_from_reply(endpoint, 200, reply(code))
    assert type(error) is cls
    assert error.code == code
    assert error.endpoint == endpoint
    assert error.http_status == 200
    assert phrase in error.message
    assert error.should_retry is False
    assert str(error).startswith(f"[{code}] {endpoint}: ")


def test_table_covers_every_documented_pair() -> None:
    # The test table and the module's table describe the same thing.
    assert {(e, c) for e, c, _, _ in DOCUMENTED} == {
        (e, c) for e, codes in ENDPOINT_ERRORS.items() for c in codes
    }


SOURCE = "of account 'client-a', read from AVOSMS_CLIENT_A_API_ID and AVOSMS_CLIENT_A_API_KEY"


@pytest.mark.parametrize("endpoint", API_ENDPOINTS)
def test_err_100_is_bad_credentials_on_every_endpoint_naming_their_source(endpoint: str) -> None:
    error = error_from_reply(endpoint, 200, reply("ERR_100"), credentials_source=SOURCE)
    assert isinstance(error, AuthenticationError)
    assert error.message == (
        f"AvoSMS did not recognise the API credentials {SOURCE}; check both values"
    )


def test_credentials_of_a_client_made_by_hand_are_the_ones_given_to_it() -> None:
    error = error_from_reply("contact/list", 200, reply("ERR_100"))
    assert isinstance(error, AuthenticationError)
    assert "API credentials given to AvoSMSClient; check both values" in error.message


@pytest.mark.parametrize("code", ["ERR_900", "ERR_901", "ERR_950", "ERR_999"])
def test_err_9xx_is_a_retryable_server_error(code: str) -> None:
    error = error_from_reply("contact/list", 200, reply(code))
    assert isinstance(error, ServerError)
    assert error.code == code
    assert error.should_retry is True
    assert "try again" in error.message


def test_undocumented_err_1xx_is_an_invalid_request_naming_the_code() -> None:
    error = error_from_reply("contact/list/information", 200, reply("ERR_104"))
    assert type(error) is InvalidRequestError
    assert error.code == "ERR_104"
    assert "does not describe" in error.message


def test_err_104_on_add_is_not_read_as_missing_contact() -> None:
    # ERR_104 means "no contact with that number" for update/delete; it cannot mean that
    # for an add, so it is not reported as NotFound there.
    assert type(error_from_reply("contact/add", 200, reply("ERR_104"))) is InvalidRequestError


def test_unknown_non_err_code_lands_in_invalid_request() -> None:
    error = error_from_reply("contact/list", 200, reply("KO"))
    assert type(error) is InvalidRequestError
    assert error.code == "KO"


# -- success and HTTP-level replies -----------------------------------------------------------


@pytest.mark.parametrize("body", [reply("OK"), reply("OK").decode(), {"code": "OK"}, reply("ok")])
def test_ok_reply_is_success_whatever_form_the_body_takes(body: object) -> None:
    assert error_from_reply("contact/list", 200, body) is None


def test_http_429_is_rate_limit_with_retry_after_seconds() -> None:
    error = error_from_reply("contact/list", 429, b"slow down", {"retry-after": "3"})
    assert isinstance(error, RateLimitError)
    assert error.code == "HTTP_429"
    assert error.retry_after == 3.0
    assert error.should_retry is True
    assert "--parallel" in error.message


def test_retry_after_http_date_is_understood() -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    seconds = parse_retry_after(format_datetime(when, usegmt=True))
    assert seconds is not None and 25 <= seconds <= 31


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "inf"])
def test_unusable_retry_after_is_ignored(value: str | None) -> None:
    assert parse_retry_after(value) is None


def test_negative_retry_after_means_no_wait() -> None:
    assert parse_retry_after("-5") == 0.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_http_5xx_with_html_is_a_retryable_server_error(status: int) -> None:
    error = error_from_reply("contact/list", status, b"<html>Bad gateway</html>", {})
    assert isinstance(error, ServerError)
    assert error.code == f"HTTP_{status}"
    assert error.http_status == status


def test_http_503_carries_retry_after() -> None:
    error = error_from_reply("contact/list", 503, b"", {"Retry-After": "7"})
    assert isinstance(error, ServerError)
    assert error.retry_after == 7.0


def test_api_code_wins_over_an_error_http_status() -> None:
    # Which HTTP status accompanies an ERR_ reply is undocumented: the code is the API's word.
    error = error_from_reply("contact/list/create", 400, reply("ERR_104"))
    assert isinstance(error, ConflictError)
    assert error.http_status == 400


@pytest.mark.parametrize("status", [401, 403])
def test_http_401_403_without_code_is_authentication(status: int) -> None:
    error = error_from_reply("contact/list", status, b"", credentials_source=SOURCE)
    assert isinstance(error, AuthenticationError)
    assert SOURCE in error.message


def test_http_404_without_code_points_at_the_endpoint_setting() -> None:
    error = error_from_reply("contact/list", 404, b"<html>not found</html>")
    assert type(error) is InvalidRequestError
    assert "avosms:endpoint" in error.message


def test_redirect_is_unexpected_and_says_to_fix_the_endpoint() -> None:
    error = error_from_reply("contact/list", 301, b"", {"Location": "https://x/"})
    assert isinstance(error, UnexpectedResponseError)
    assert "avosms:endpoint" in error.message


# -- unreadable replies ----------------------------------------------------------------------


def test_html_page_with_200_is_unexpected_retryable_with_short_excerpt() -> None:
    error = error_from_reply("contact/list", 200, b"<html><body>Portal login</body></html>")
    assert isinstance(error, UnexpectedResponseError)
    assert error.should_retry is True
    assert "not valid JSON" in error.message
    assert "Portal login" in error.message


def test_truncated_json_is_unexpected_and_retryable() -> None:
    body = reply("OK", list_contact=[{"list_contact_id": 1}])
    error = error_from_reply("contact/list", 200, body[: len(body) // 2])
    assert isinstance(error, UnexpectedResponseError)
    assert error.should_retry is True


def test_huge_unreadable_body_is_quoted_only_briefly() -> None:
    error = error_from_reply("contact/list", 200, b"x" * 5_000_000)
    assert isinstance(error, UnexpectedResponseError)
    assert len(str(error)) < 600
    assert "5000000 bytes" in error.message


def test_secrets_are_scrubbed_from_a_quoted_reply() -> None:
    body = b"<html>echo: id=demo&key=SECRET-KEY-xyz</html>"
    error = error_from_reply("contact/list", 200, body, secrets=["SECRET-KEY-xyz"])
    assert error is not None
    assert "SECRET-KEY-xyz" not in str(error) + repr(error)
    assert "***" in error.message


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        (b"[1, 2]", "JSON list where an object"),
        (b'"OK"', "JSON str where an object"),
        (b'{"status": "success"}', "no 'code' field"),
        (b'{"code": 0}', "'code' field of type int"),
    ],
)
def test_wrongly_shaped_json_is_unexpected_and_not_retryable(body: bytes, phrase: str) -> None:
    error = error_from_reply("contact/list", 200, body)
    assert isinstance(error, UnexpectedResponseError)
    assert phrase in error.message
    assert error.should_retry is False


def test_deeply_nested_json_does_not_crash_the_mapping() -> None:
    error = error_from_reply("contact/list", 200, b"[" * 100_000 + b"]" * 100_000)
    assert isinstance(error, UnexpectedResponseError)


# -- what an error shows ---------------------------------------------------------------------


def test_str_and_repr_show_code_endpoint_and_fields() -> None:
    error = error_from_reply("contact/list/create", 200, reply("ERR_104"))
    assert error is not None
    assert str(error).startswith("[ERR_104] contact/list/create: a contact list with that name")
    text = repr(error)
    assert text.startswith("ConflictError(")
    for part in ("code='ERR_104'", "endpoint='contact/list/create'", "http_status=200"):
        assert part in text


def test_transport_error_str_has_no_code_prefix_and_repr_shows_request_sent() -> None:
    error = APITimeoutError(None, "no answer", "contact/list", request_sent=False)
    assert str(error) == "contact/list: no answer"
    assert "request_sent=False" in repr(error)
    assert isinstance(error, APIConnectionError)
    assert error.should_retry is True


def test_should_retry_can_be_overridden_per_instance() -> None:
    error = APIConnectionError(None, "tls", should_retry=False)
    assert error.should_retry is False
    assert APIConnectionError.should_retry is True


@pytest.mark.parametrize(
    "error",
    [
        ConflictError("ERR_104", "taken", "contact/list/create", 200),
        RateLimitError("HTTP_429", "slow", "contact/list", 429, retry_after=2.5),
        APITimeoutError(None, "late", "contact/add", None, request_sent=True),
        UnexpectedResponseError(None, "odd", "contact/list", 200, should_retry=True),
    ],
)
def test_errors_survive_pickling_with_every_field(error: AvoSMSError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert copy.__dict__ == error.__dict__
    assert str(copy) == str(error)


def test_replace_makes_a_new_error_and_leaves_the_original_untouched() -> None:
    error = NotFoundError("ERR_103", "no such list", "contact/list/rename", 200)
    derived = error.replace(message="list 42: no such list", attempts=3)
    assert type(derived) is NotFoundError
    assert derived is not error
    assert (derived.code, derived.attempts) == ("ERR_103", 3)
    assert str(derived) == "[ERR_103] contact/list/rename: list 42: no such list"
    assert derived.args == ("ERR_103", "list 42: no such list", "contact/list/rename", 200)
    assert (error.message, error.attempts) == ("no such list", None)


def test_replace_refuses_a_field_the_error_does_not_have() -> None:
    error = ServerError("ERR_901", "down", "contact/list", 200)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        error.replace(colour="red")  # type: ignore[call-arg]


def test_traceback_of_a_mapped_error_is_plain() -> None:
    error = error_from_reply("contact/list", 200, reply("ERR_100"))
    assert error is not None
    try:
        raise error
    except AvoSMSError as caught:
        text = "".join(traceback.format_exception(type(caught), caught, caught.__traceback__))
    assert "[ERR_100] contact/list" in text


def test_the_functions_that_change_an_error_or_queue_a_fault_take_only_named_typed_options() -> (
    None
):
    # A misspelt option (``attempt=3``) must be a TypeError at the call, found by mypy too.
    import inspect

    from pulumi_avosms.client import calls
    from pulumi_avosms.emulator.faults import FaultPlan

    for function in (ServerError.replace, calls._with_note, FaultPlan.add):
        params = inspect.signature(function).parameters.values()
        assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in params), function
        assert all(p.annotation is not inspect.Parameter.empty for p in params if p.name != "self")
