"""Errors raised by the AvoSMS client, and the one place that maps a reply to its error.

Every error carries the API ``code`` (``"ERR_104"``, ``"HTTP_429"``, or ``None`` for transport
problems), the ``endpoint`` it came from and the HTTP status, plus a ``message`` that says what
happened and what to do about it. The meaning of an ``ERR_1xx`` number depends on the endpoint
(see ``../shared/avosms-api.md``); :data:`ENDPOINT_ERRORS` is that table.

Nothing here ever sees the request parameters, so the API key cannot end up in an error's text:
errors are built from the reply only. The one exception is a raw reply excerpt quoted in
:class:`UnexpectedResponseError`; :func:`error_from_reply` scrubs any ``secrets`` it is given
from it (the client passes its key) in case a proxy or error page echoes the request back.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone

__all__ = [
    "ENDPOINT_ERRORS",
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "AvoSMSError",
    "ConflictError",
    "InvalidRequestError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
    "error_from_reply",
    "parse_retry_after",
    "scrub",
]


class AvoSMSError(Exception):
    """Base class of every error the AvoSMS client raises.

    ``code`` is the API error code (``"ERR_104"``), ``"HTTP_<status>"`` for HTTP-level failures,
    or ``None`` for transport failures and unreadable replies. ``should_retry`` says whether the
    failure is transient (a class default that an instance may override); the client applies
    its own, endpoint-aware rules on top of it.
    """

    should_retry: bool = False

    def __init__(
        self,
        code: str | None,
        message: str,
        endpoint: str | None = None,
        http_status: int | None = None,
        *,
        should_retry: bool | None = None,
        retry_after: float | None = None,
    ) -> None:
        # args holds only these four plain values (never request parameters), which keeps the
        # exception picklable: Exception.__reduce__ rebuilds it as cls(*args) + __dict__.
        super().__init__(code, message, endpoint, http_status)
        self.code = code
        self.message = message
        self.endpoint = endpoint
        self.http_status = http_status
        if should_retry is not None:
            self.should_retry = should_retry
        #: Seconds the server asked us to wait (``Retry-After``), when it said so.
        self.retry_after = retry_after
        #: How many attempts the client made before giving up (set by the client).
        self.attempts: int | None = None
        #: True when a write failed but may still have been applied (set by the client).
        self.outcome_unknown = False

    def __str__(self) -> str:
        prefix = f"[{self.code}] " if self.code else ""
        where = f"{self.endpoint}: " if self.endpoint else ""
        return f"{prefix}{where}{self.message}"

    def __repr__(self) -> str:
        fields = [
            f"code={self.code!r}",
            f"endpoint={self.endpoint!r}",
            f"http_status={self.http_status!r}",
            f"should_retry={self.should_retry!r}",
        ]
        fields.extend(self._extra_repr_fields())
        fields.append(f"message={self.message!r}")
        return f"{type(self).__name__}({', '.join(fields)})"

    def _extra_repr_fields(self) -> list[str]:
        return [f"retry_after={self.retry_after!r}"] if self.retry_after is not None else []

    def with_context(self, context: str) -> AvoSMSError:
        """Return a copy of this error whose message starts with ``context`` (same class/code).

        For callers that want to say which list or property failed without losing the code.
        """
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.message = f"{context}: {self.message}"
        clone.args = (self.code, clone.message, self.endpoint, self.http_status)
        return clone


class AuthenticationError(AvoSMSError):
    """AvoSMS did not recognise the API credentials (``ERR_100``, or HTTP 401/403)."""


class NotFoundError(AvoSMSError):
    """The contact list or contact named in the request does not exist."""


class ConflictError(AvoSMSError):
    """The name is already used by another list, or the number is already in the list."""


class InvalidRequestError(AvoSMSError):
    """AvoSMS rejected the input (any other ``ERR_1xx``); unknown codes land here too."""


class ServerError(AvoSMSError):
    """AvoSMS failed internally (``ERR_9xx``) or answered HTTP 5xx; transient."""

    should_retry = True


class RateLimitError(AvoSMSError):
    """AvoSMS (or a proxy) answered HTTP 429; ``retry_after`` is the wait it asked for."""

    should_retry = True


class APIConnectionError(AvoSMSError):
    """The request could not be completed at the transport level.

    ``request_sent`` is ``False`` only when the request surely never reached AvoSMS (the
    connection could not be opened), so resending it is always safe. ``True`` means the request
    may have been received and applied.
    """

    should_retry = True

    def __init__(
        self,
        code: str | None,
        message: str,
        endpoint: str | None = None,
        http_status: int | None = None,
        *,
        should_retry: bool | None = None,
        retry_after: float | None = None,
        request_sent: bool = True,
    ) -> None:
        super().__init__(
            code,
            message,
            endpoint,
            http_status,
            should_retry=should_retry,
            retry_after=retry_after,
        )
        self.request_sent = request_sent

    def _extra_repr_fields(self) -> list[str]:
        return [*super()._extra_repr_fields(), f"request_sent={self.request_sent!r}"]


class APITimeoutError(APIConnectionError):
    """No answer in time: connect timeout (``request_sent=False``) or read timeout (``True``)."""


class UnexpectedResponseError(AvoSMSError):
    """The reply was not what the documentation describes: not JSON, cut off, or missing fields.

    ``should_retry`` is ``True`` on instances for non-JSON / truncated replies (often a proxy
    hiccup) and ``False`` for well-formed JSON with the wrong shape (retrying will not help).
    """


# --------------------------------------------------------------------------------------------
# The per-endpoint table of ERR_1xx meanings (from the reference page).

_CREDENTIALS = (
    "AvoSMS did not recognise the API credentials; check avosms:apiId / avosms:apiKey "
    "(or AVOSMS_API_ID / AVOSMS_API_KEY)"
)
_LIST_ID_EMPTY = (
    "the contact list id was empty; a list id is required (this is a bug in the caller, "
    "please report it)"
)
_PHONE_EMPTY = "the phone number was empty; give the contact a phone number"
_NO_LIST = (
    "no contact list exists with that id in this AvoSMS account; it may have been deleted in "
    "the AvoSMS console or belong to another account; run `pulumi refresh` or check the id"
)
_NO_CONTACT = (
    "no contact with that phone number is in the list; it may have been removed in the AvoSMS "
    "console; run `pulumi refresh`"
)
_CONTACT_EXISTS = (
    "that phone number is already in the list (a number can appear only once per list); "
    "import the existing contact or remove the duplicate"
)
_BAD_PHONE = (
    "AvoSMS says the phone number is badly formatted; use the international format, "
    "e.g. +33612345678"
)
_WRONG_COUNTRY = (
    "the phone number's country does not match the list's country; put the contact in a "
    "list of its own country"
)
_NUMBER_TYPE = (
    "AvoSMS does not accept this type of phone number (for example premium-rate, toll-free "
    "or other numbers that cannot receive SMS) in contact lists; use a number that can "
    "receive SMS, usually a mobile"
)

_CONTACT_TABLE: dict[str, tuple[type[AvoSMSError], str]] = {
    "ERR_101": (InvalidRequestError, _LIST_ID_EMPTY),
    "ERR_102": (InvalidRequestError, _PHONE_EMPTY),
    "ERR_103": (NotFoundError, _NO_LIST),
    "ERR_104": (NotFoundError, _NO_CONTACT),
    "ERR_105": (ConflictError, _CONTACT_EXISTS),
    "ERR_106": (InvalidRequestError, _BAD_PHONE),
    "ERR_107": (InvalidRequestError, _WRONG_COUNTRY),
    "ERR_108": (InvalidRequestError, _NUMBER_TYPE),
}

#: endpoint -> {code: (error class, message)}. ERR_100 and ERR_9xx are the same everywhere and
#: handled in :func:`error_from_reply`.
ENDPOINT_ERRORS: dict[str, dict[str, tuple[type[AvoSMSError], str]]] = {
    "contact/list/create": {
        "ERR_101": (
            InvalidRequestError,
            "the list name was empty; give the contact list a non-empty name",
        ),
        "ERR_102": (
            InvalidRequestError,
            "the country code was empty; set the list's country to an ISO 3166-1 alpha-2 "
            "code such as FR",
        ),
        "ERR_103": (
            InvalidRequestError,
            "AvoSMS knows no country with that ISO 3166-1 alpha-2 code; use a two-letter code "
            "such as FR, BE or CH",
        ),
        "ERR_104": (
            ConflictError,
            "a contact list with that name already exists in this AvoSMS account (names must "
            "be unique); choose another name, or import the existing list",
        ),
    },
    "contact/list/information": {
        "ERR_101": (NotFoundError, _NO_LIST),
    },
    "contact/list": {},
    "contact/list/rename": {
        "ERR_101": (InvalidRequestError, _LIST_ID_EMPTY),
        "ERR_102": (
            InvalidRequestError,
            "the new list name was empty; give the contact list a non-empty name",
        ),
        "ERR_103": (NotFoundError, _NO_LIST),
        "ERR_104": (
            ConflictError,
            "another contact list in this AvoSMS account already uses that name (names must be "
            "unique); choose a different name",
        ),
    },
    # The add page lists only the add-relevant codes of the shared family; ERR_104 ("no contact
    # with that number") cannot apply to an add, so it is left out and would land in the
    # "undocumented code" branch below.
    "contact/add": {k: v for k, v in _CONTACT_TABLE.items() if k != "ERR_104"},
    "contact/update": dict(_CONTACT_TABLE),
    "contact/delete": {
        k: v for k, v in _CONTACT_TABLE.items() if k in ("ERR_101", "ERR_102", "ERR_103", "ERR_104")
    },
}

_ERR_CODE = re.compile(r"^ERR_(\d+)$")
_EXCERPT_CHARS = 160


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every non-empty secret in ``text`` by ``***``.

    A proxy or error page that echoes the request shows the key as it travelled: form-encoded
    (``+`` for space, ``%2B``...) or JSON-escaped (``\\/``), so those spellings go too.
    """
    for secret in secrets:
        if not secret:
            continue
        spellings = {
            secret,
            urllib.parse.quote_plus(secret),
            urllib.parse.quote(secret, safe=""),
            json.dumps(secret)[1:-1],
            json.dumps(secret)[1:-1].replace("/", "\\/"),
        }
        for spelling in sorted(spellings, key=len, reverse=True):
            text = text.replace(spelling, "***")
    return text


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    # requests hands over a case-insensitive dict, but callers may pass a plain one.
    if not headers:
        return None
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, val in headers.items():
        if key.lower() == lowered:
            return val
    return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date), else ``None``."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def _excerpt(body: bytes | str, secrets: Iterable[str]) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = scrub(text, secrets)
    short = text[:_EXCERPT_CHARS]
    # repr() escapes control characters so a binary or HTML body stays one readable line.
    return repr(short) + ("…" if len(text) > _EXCERPT_CHARS else "")


def _decode(body: object) -> tuple[bool, object]:
    """``(True, value)`` when ``body`` is (or parses as) JSON, else ``(False, body)``."""
    if isinstance(body, (bytes, bytearray, str)):
        raw = bytes(body) if isinstance(body, bytearray) else body
        try:
            return True, json.loads(raw)
        except (ValueError, RecursionError):
            return False, raw
    return True, body


def _for_code(code: str, endpoint: str, http_status: int, retry_after: float | None) -> AvoSMSError:
    if code == "ERR_100":
        return AuthenticationError(code, _CREDENTIALS, endpoint, http_status)
    match = _ERR_CODE.match(code)
    if match and match.group(1).startswith("9"):
        return ServerError(
            code,
            f"AvoSMS reported an internal error ({code}) on its side; this is usually "
            "temporary, so try again later, and contact AvoSMS support if it persists",
            endpoint,
            http_status,
            retry_after=retry_after,
        )
    entry = ENDPOINT_ERRORS.get(endpoint, {}).get(code)
    if entry is not None:
        cls, message = entry
        return cls(code, message, endpoint, http_status)
    return InvalidRequestError(
        code,
        f"AvoSMS rejected the request with {code}, a code its documentation does not describe "
        f"for {endpoint}; check the inputs, and report this if they look right",
        endpoint,
        http_status,
    )


def error_from_reply(
    endpoint: str,
    http_status: int,
    body: object,
    headers: Mapping[str, str] | None = None,
    *,
    secrets: Iterable[str] = (),
) -> AvoSMSError | None:
    """Map one AvoSMS reply to the error it means, or ``None`` when it is a success.

    ``body`` is the raw reply (``bytes``/``str``, parsed here) or an already-parsed JSON value.
    A success is HTTP 2xx with a JSON object whose ``code`` is ``"OK"``. Otherwise:

    * HTTP 429 -> :class:`RateLimitError` (``retry_after`` from ``Retry-After``);
    * a JSON ``code`` of ``ERR_xxx`` -> its meaning for ``endpoint`` (the API's own word wins
      over the HTTP status, which AvoSMS does not document);
    * HTTP 5xx -> :class:`ServerError`; 401/403 -> :class:`AuthenticationError`; other
      non-2xx -> :class:`InvalidRequestError`;
    * anything unreadable -> :class:`UnexpectedResponseError`.

    ``secrets`` are scrubbed from any reply excerpt quoted in a message.
    """
    secrets = tuple(secrets)
    retry_after = parse_retry_after(_header(headers, "Retry-After"))
    http_code = f"HTTP_{http_status}"

    if http_status == 429:
        wait = f" (it asked to wait {retry_after:g} s)" if retry_after is not None else ""
        return RateLimitError(
            http_code,
            f"AvoSMS is rate-limiting this account{wait}; wait and try again, or run Pulumi "
            "with lower parallelism (--parallel)",
            endpoint,
            http_status,
            retry_after=retry_after,
        )

    is_json, payload = _decode(body)
    code: object = None
    if is_json and isinstance(payload, dict):
        code = payload.get("code")
        if isinstance(code, str):
            code = code.strip().upper()
            if code.startswith("ERR_"):
                return _for_code(code, endpoint, http_status, retry_after)

    if 500 <= http_status <= 599:
        return ServerError(
            http_code,
            f"AvoSMS answered HTTP {http_status}, a failure on its side or on the way; this is "
            "usually temporary, so try again later",
            endpoint,
            http_status,
            retry_after=retry_after,
        )
    if http_status in (401, 403):
        return AuthenticationError(http_code, _CREDENTIALS, endpoint, http_status)
    if 300 <= http_status <= 399:
        return UnexpectedResponseError(
            http_code,
            f"AvoSMS answered with a redirect (HTTP {http_status}); requests to the API must "
            "not be redirected, so set avosms:endpoint to the final API URL",
            endpoint,
            http_status,
        )
    if not 200 <= http_status <= 299:
        hint = " (check avosms:endpoint)" if http_status == 404 else ""
        return InvalidRequestError(
            http_code,
            f"AvoSMS answered HTTP {http_status} without an error code{hint}",
            endpoint,
            http_status,
        )

    if not is_json:
        assert isinstance(payload, (bytes, str))
        size = len(payload)
        return UnexpectedResponseError(
            None,
            f"AvoSMS answered HTTP {http_status} with a reply that is not valid JSON (cut off, "
            f"or an HTML page from a proxy; {size} bytes, starting {_excerpt(payload, secrets)}); "
            "this is usually temporary, so try again",
            endpoint,
            http_status,
            should_retry=True,
        )
    if not isinstance(payload, dict):
        return UnexpectedResponseError(
            None,
            f"AvoSMS answered with JSON {type(payload).__name__} where an object was expected; "
            "the API may have changed, please report this",
            endpoint,
            http_status,
        )
    if code == "OK":
        return None
    if code is None:
        what = "no 'code' field"
    elif isinstance(code, str):
        shown = scrub(_short_code(code), secrets)
        return InvalidRequestError(
            shown,
            f"AvoSMS answered with the undocumented code {shown!r}; check the "
            "inputs, and report this if they look right",
            endpoint,
            http_status,
        )
    else:
        what = f"a 'code' field of type {type(code).__name__}"
    return UnexpectedResponseError(
        None,
        f'AvoSMS answered with {what} (expected "OK" or an ERR_ code); the API may have '
        "changed, please report this",
        endpoint,
        http_status,
    )


def _short_code(code: str) -> str:
    return code if len(code) <= 32 else code[:32] + "…"
