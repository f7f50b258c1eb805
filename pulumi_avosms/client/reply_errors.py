"""The one place that maps an AvoSMS reply to the error it means (texts: ``_messages``).

Nothing here sees the request parameters, so the API key cannot end up in an error from them;
every text quoted from the reply goes through :func:`~pulumi_avosms._text.safe_text` (scrubbed
of the ``secrets`` in any case, bounded, control and bidi characters escaped) in case a proxy
or error page echoes the request back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from .. import _messages as msg
from .._text import MAX_QUOTED, safe_text
from ..errors import (
    APIError,
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)
from . import endpoints as ep
from .retry_policy import parse_retry_after

__all__ = ["ENDPOINT_ERRORS", "error_from_reply"]

_CONTACT_TABLE: dict[str, tuple[type[APIError], str]] = {
    "ERR_101": (InvalidRequestError, msg.LIST_ID_EMPTY),
    "ERR_102": (InvalidRequestError, msg.PHONE_EMPTY),
    "ERR_103": (NotFoundError, msg.NO_LIST),
    "ERR_104": (NotFoundError, msg.NO_CONTACT),
    "ERR_105": (ConflictError, msg.CONTACT_EXISTS),
    "ERR_106": (InvalidRequestError, msg.BAD_PHONE),
    "ERR_107": (InvalidRequestError, msg.WRONG_COUNTRY),
    "ERR_108": (InvalidRequestError, msg.NUMBER_TYPE),
}

#: endpoint -> {code: (error class, message)}. ERR_100 and ERR_9xx are the same everywhere and
#: handled in :func:`error_from_reply`.
ENDPOINT_ERRORS: dict[str, dict[str, tuple[type[APIError], str]]] = {
    ep.CREATE_LIST: {
        "ERR_101": (InvalidRequestError, msg.LIST_NAME_EMPTY),
        "ERR_102": (InvalidRequestError, msg.COUNTRY_EMPTY),
        "ERR_103": (InvalidRequestError, msg.NO_COUNTRY),
        "ERR_104": (ConflictError, msg.LIST_NAME_TAKEN),
    },
    ep.LIST_INFORMATION: {"ERR_101": (NotFoundError, msg.NO_LIST)},
    ep.LIST_LISTS: {},
    ep.RENAME_LIST: {
        "ERR_101": (InvalidRequestError, msg.LIST_ID_EMPTY),
        "ERR_102": (InvalidRequestError, msg.NEW_NAME_EMPTY),
        "ERR_103": (NotFoundError, msg.NO_LIST),
        "ERR_104": (ConflictError, msg.NEW_NAME_TAKEN),
    },
    # The add page lists only the add-relevant codes of the shared family; ERR_104 ("no contact
    # with that number") cannot apply to an add, so it lands in the "undocumented code" branch.
    ep.ADD_CONTACT: {k: v for k, v in _CONTACT_TABLE.items() if k != "ERR_104"},
    ep.UPDATE_CONTACT: dict(_CONTACT_TABLE),
    ep.DELETE_CONTACT: {
        k: v for k, v in _CONTACT_TABLE.items() if k in ("ERR_101", "ERR_102", "ERR_103", "ERR_104")
    },
}

# A documented code is short; a longer one is no code we know, quoted (safely) as such.
_ERR_CODE = re.compile(r"ERR_([0-9]{1,6})", re.ASCII)


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


def _excerpt(body: bytes | str, secrets: Iterable[str]) -> str:
    text = body[: MAX_QUOTED * 4].decode("utf-8", "replace") if isinstance(body, bytes) else body
    return repr(safe_text(text, secrets, MAX_QUOTED))


def _decode(body: object) -> tuple[bool, object]:
    """``(True, value)`` when ``body`` is (or parses as) JSON, else ``(False, body)``."""
    if isinstance(body, (bytes, bytearray, str)):
        raw = bytes(body) if isinstance(body, bytearray) else body
        try:
            return True, json.loads(raw)
        except (ValueError, RecursionError):
            return False, raw
    return True, body


def _for_code(
    code: str,
    endpoint: str,
    http_status: int,
    retry_after: float | None,
    secrets: tuple[str, ...],
    credentials_source: str,
) -> APIError:
    if code == "ERR_100":
        return AuthenticationError(
            code, msg.credentials_rejected(credentials_source), endpoint, http_status
        )
    match = _ERR_CODE.fullmatch(code)
    if match is None:  # ERR_ followed by anything but a few digits: quoted safely
        code = safe_text(code, secrets, 32)
    elif match.group(1).startswith("9"):
        return ServerError(
            code, msg.internal_error(code), endpoint, http_status, retry_after=retry_after
        )
    entry = ENDPOINT_ERRORS.get(endpoint, {}).get(code) if match else None
    if entry is not None:
        cls, message = entry
        return cls(code, message, endpoint, http_status)
    return InvalidRequestError(code, msg.undocumented_code(code, endpoint), endpoint, http_status)


def error_from_reply(
    endpoint: str,
    http_status: int,
    body: object,
    headers: Mapping[str, str] | None = None,
    *,
    secrets: Iterable[str] = (),
    url: str | None = None,
    credentials_source: str = msg.GIVEN_CREDENTIALS,
) -> APIError | None:
    """Map one AvoSMS reply to the error it means, or ``None`` when it is a success.

    ``body`` is the raw reply (``bytes``/``str``, parsed here) or an already-parsed JSON value;
    ``url`` is where the request went (named in HTTP-level errors; never holds the key);
    ``credentials_source`` whose credentials were sent, named if AvoSMS rejects them.
    A success is HTTP 2xx with a JSON object whose ``code`` is ``"OK"``. Otherwise:

    * HTTP 429 -> :class:`RateLimitError` (``retry_after`` from ``Retry-After``);
    * a JSON ``code`` of ``ERR_xxx`` -> its meaning for ``endpoint`` (the API's own word wins
      over the HTTP status, which AvoSMS does not document);
    * HTTP 5xx -> :class:`ServerError`; 401/403 -> :class:`AuthenticationError`; other
      non-2xx -> :class:`InvalidRequestError`;
    * anything unreadable -> :class:`UnexpectedResponseError`.
    """
    secrets = tuple(secrets)
    where = url or endpoint
    retry_after = parse_retry_after(_header(headers, "Retry-After"))
    http_code = f"HTTP_{http_status}"

    if http_status == 429:
        return RateLimitError(
            http_code, msg.rate_limited(where), endpoint, http_status, retry_after=retry_after
        )

    is_json, payload = _decode(body)
    code: object = None
    if is_json and isinstance(payload, dict):
        code = payload.get("code")
        if isinstance(code, str):
            code = code.strip().upper()
            if code.startswith("ERR_"):
                return _for_code(
                    code, endpoint, http_status, retry_after, secrets, credentials_source
                )

    if 500 <= http_status <= 599:
        return ServerError(
            http_code,
            msg.http_server_error(http_status, where),
            endpoint,
            http_status,
            retry_after=retry_after,
        )
    if http_status in (401, 403):
        return AuthenticationError(
            http_code, msg.credentials_rejected(credentials_source), endpoint, http_status
        )
    if 300 <= http_status <= 399:
        return UnexpectedResponseError(
            http_code, msg.redirected(http_status, where), endpoint, http_status
        )
    if not 200 <= http_status <= 299:
        return InvalidRequestError(
            http_code, msg.http_status_without_code(http_status, where), endpoint, http_status
        )

    if not is_json:
        assert isinstance(payload, (bytes, str))
        return UnexpectedResponseError(
            None,
            msg.not_json(http_status, len(payload), _excerpt(payload, secrets)),
            endpoint,
            http_status,
            should_retry=True,
        )
    if not isinstance(payload, dict):
        return UnexpectedResponseError(
            None, msg.not_an_object(type(payload).__name__), endpoint, http_status
        )
    if code == "OK":
        return None
    if isinstance(code, str):
        shown = safe_text(code, secrets, 32)
        return InvalidRequestError(shown, msg.unknown_code(repr(shown)), endpoint, http_status)
    what = "no 'code' field" if code is None else f"a 'code' field of type {type(code).__name__}"
    return UnexpectedResponseError(None, msg.bad_code_field(what), endpoint, http_status)
