"""What the client does after a failed attempt: how long it waits, whether it resends, and
whether a write that failed for good says its outcome is unknown.

A fake transport (a ``requests`` adapter) plays AvoSMS, one scripted answer per request; the
client's ``_sleep`` hook records each wait instead of sleeping.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from pulumi_avosms.client import AvoSMSClient
from pulumi_avosms.errors import APIError, ConfigurationError

Answer = Callable[[requests.PreparedRequest], requests.Response]
OK_LISTS = {"code": "OK", "list_contact": []}


def reply(status: int, body: Any = OK_LISTS, **headers: str) -> Answer:
    def answer(request: requests.PreparedRequest) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(
            {
                "Content-Type": "application/json",
                **{k.replace("_", "-"): v for k, v in headers.items()},
            }
        )
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        response.raw = io.BytesIO(raw)
        response.request = request
        return response

    return answer


def fails(exc: Exception) -> Answer:
    def answer(request: requests.PreparedRequest) -> requests.Response:
        raise exc

    return answer


class Scripted(BaseAdapter):
    """Answers the n-th request with the n-th answer (the last one repeats)."""

    def __init__(self, answers: list[Answer]) -> None:
        super().__init__()
        self.answers = answers
        self.sent = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        answer = self.answers[min(self.sent, len(self.answers) - 1)]
        self.sent += 1
        return answer(request)

    def close(self) -> None:
        pass


def client_for(
    adapter: Scripted, waits: list[float], *, max_retries: int = 2, **options: Any
) -> AvoSMSClient:
    session = requests.Session()
    session.mount("https://fake.test/", adapter)
    return AvoSMSClient(
        "me@example.com",
        "Key-0123456789",
        "https://fake.test/v1",
        session=session,
        max_retries=max_retries,
        _sleep=waits.append,
        _random=lambda: 0.5,
        **options,
    )


# -- Retry-After ---------------------------------------------------------------------------


def http_date(seconds_ahead: float, zone: timezone) -> str:
    when = datetime.now(timezone.utc) + timedelta(seconds=seconds_ahead)
    return format_datetime(when.astimezone(zone))


@pytest.mark.parametrize(
    "zone",
    [
        timezone.utc,
        timezone(timedelta(hours=2)),
        timezone(timedelta(hours=-5)),
        timezone(timedelta(hours=5, minutes=30)),
    ],
    ids=["+0000", "+0200", "-0500", "+0530"],
)
def test_a_retry_after_date_in_any_zone_is_waited_out(zone: timezone) -> None:
    waits: list[float] = []
    adapter = Scripted([reply(429, Retry_After=http_date(30, zone)), reply(200)])
    assert client_for(adapter, waits).list_lists() == []
    assert adapter.sent == 2
    assert len(waits) == 1 and 25 <= waits[0] <= 31


def test_a_retry_after_date_in_zone_minus_0000_is_read_as_utc() -> None:
    # RFC 5322: "-0000" is UTC with no claim about the local zone.
    waits: list[float] = []
    value = http_date(30, timezone.utc).replace("+0000", "-0000")
    assert value.endswith("-0000")
    adapter = Scripted([reply(429, Retry_After=value), reply(200)])
    assert client_for(adapter, waits).list_lists() == []
    assert len(waits) == 1 and 25 <= waits[0] <= 31


def test_a_retry_after_date_in_the_past_means_resend_at_once() -> None:
    waits: list[float] = []
    adapter = Scripted([reply(503, Retry_After=http_date(-600, timezone.utc)), reply(200)])
    assert client_for(adapter, waits).list_lists() == []
    assert waits == [0.0]


@pytest.mark.parametrize(("length", "honoured"), [(64, True), (65, False)])
def test_a_retry_after_longer_than_64_characters_is_ignored(length: int, honoured: bool) -> None:
    # No real Retry-After is that long; an ignored one leaves the client's own backoff
    # (0.5 s at the first resend, times the jitter of 0.5).
    waits: list[float] = []
    value = "30".rjust(length, "0")
    adapter = Scripted([reply(429, Retry_After=value), reply(200)])
    client_for(adapter, waits).list_lists()
    assert waits == ([30.0] if honoured else [0.25])


@pytest.mark.parametrize(
    "value",
    [
        "soon",
        "Mon, 01 Jan 99999 00:00:00 GMT",  # a year out of range
        "Mon, 01 Jan 2026 00:00:00 +99999999999999999999",  # an offset beyond any int
        "1 Jan 10000000000000000000 0:0:0",
        "nan",
        "inf",
    ],
)
def test_an_unreadable_retry_after_leaves_the_clients_own_backoff(value: str) -> None:
    waits: list[float] = []
    adapter = Scripted([reply(429, Retry_After=value), reply(200)])
    assert client_for(adapter, waits).list_lists() == []
    assert waits == [0.25]


def test_a_retry_after_beyond_the_budget_fails_at_once_and_says_so() -> None:
    waits: list[float] = []
    adapter = Scripted([reply(429, Retry_After="120"), reply(200)])
    with pytest.raises(APIError) as caught:
        client_for(adapter, waits, max_retry_time=60).list_lists()
    assert adapter.sent == 1 and waits == []
    assert "120" in str(caught.value)


def test_backoff_doubles_from_the_base_up_to_its_cap() -> None:
    waits: list[float] = []
    adapter = Scripted([reply(502, b"<html>bad gateway</html>")] * 6 + [reply(200)])
    client = client_for(adapter, waits, max_retries=6, backoff_base=1.0, backoff_max=5.0)
    assert client.list_lists() == []
    # Full jitter with a random draw of 0.5: half of 1, 2, 4, then the cap of 5.
    assert waits == [0.5, 1.0, 2.0, 2.5, 2.5, 2.5]


# -- which failures leave a write's outcome unknown --------------------------------------------


def outcome_of_a_failed_delete(answer: Answer, *, max_retries: int = 0) -> tuple[APIError, int]:
    """The error of a contact deletion that fails with ``answer`` every time, and how many
    requests it sent."""
    adapter = Scripted([answer])
    with pytest.raises(APIError) as caught:
        client_for(adapter, [], max_retries=max_retries).delete_contact("7", "+33612345678")
    return caught.value, adapter.sent


@pytest.mark.parametrize(
    ("answer", "unknown"),
    [
        (reply(429, b"slow down", Retry_After="1"), False),  # refused before processing
        (reply(200, {"code": "ERR_900"}), False),  # AvoSMS says processing failed
        (reply(502, b"<html>bad gateway</html>"), True),  # a proxy's 5xx, no code
        (reply(500, {"code": "OK?"}), True),  # a 5xx whose body is no AvoSMS code
        (fails(requests.exceptions.SSLError("certificate verify failed")), False),
        (fails(requests.exceptions.ConnectTimeout("connect timed out")), False),
        (fails(requests.exceptions.ReadTimeout("read timed out")), True),
        (fails(requests.exceptions.ConnectionError("connection reset by peer")), True),
        (reply(200, b"<html>cut off"), True),  # unreadable: may well have been applied
        (reply(200, {"code": "ERR_101"}), False),  # a rejection: nothing was applied
    ],
    ids=[
        "429",
        "ERR_900",
        "502-html",
        "500-no-code",
        "tls",
        "connect-timeout",
        "read-timeout",
        "connection-reset",
        "not-json",
        "ERR_101",
    ],
)
def test_a_failed_write_says_its_outcome_is_unknown_only_when_it_may_have_been_applied(
    answer: Answer, unknown: bool
) -> None:
    error, _ = outcome_of_a_failed_delete(answer)
    assert error.outcome_unknown is unknown


def test_a_tls_failure_is_not_resent() -> None:
    error, sent = outcome_of_a_failed_delete(
        fails(requests.exceptions.SSLError("certificate verify failed")), max_retries=3
    )
    assert sent == 1
    assert error.outcome_unknown is False


@pytest.mark.parametrize(
    "answer",
    [
        reply(429, b"slow down", Retry_After="0"),
        reply(200, {"code": "ERR_900"}),
        reply(502, b"<html>bad gateway</html>"),
        fails(requests.exceptions.ConnectTimeout("connect timed out")),
    ],
    ids=["429", "ERR_900", "502", "connect-timeout"],
)
def test_a_transient_failure_is_resent_up_to_max_retries(answer: Answer) -> None:
    _, sent = outcome_of_a_failed_delete(answer, max_retries=2)
    assert sent == 3


def test_a_read_that_fails_for_good_never_claims_an_unknown_outcome() -> None:
    adapter = Scripted([reply(502, b"<html>bad gateway</html>")])
    with pytest.raises(APIError) as caught:
        client_for(adapter, [], max_retries=1).list_lists()
    assert adapter.sent == 2
    assert caught.value.outcome_unknown is False


def test_a_negative_max_retries_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="max_retries must be >= 0"):
        client_for(Scripted([reply(200)]), [], max_retries=-1)
