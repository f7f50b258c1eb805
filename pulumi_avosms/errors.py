"""Every exception the package raises, in one family: ``except AvoSMSError`` catches them all.

* :class:`AvoSMSError` is the base. Any error that comes from an AvoSMS call keeps that call's
  error reachable as ``api_error``, with its ``code`` (``"ERR_104"``, ``"HTTP_429"``, or
  ``None`` for transport failures) and ``endpoint`` (``"contact/list/create"``).
* :class:`APIError` and its subclasses: what the AvoSMS client raises for one call.
* :class:`ConfigurationError`, :class:`ValidationError` (with :class:`InvalidContactError`
  and :class:`MembersCSVError`), :class:`ContactListError`, :class:`ContactError`,
  :class:`ContactListMembersError`: settings, inputs, and one resource's operation.
* :class:`PicklingRefusedError`: an object holding the API key refused to be pickled.
* :class:`ContactListLookupError`: ``get_contact_list`` found no list, or several.

Errors are never edited once raised: :meth:`APIError.replace` makes a new one. This module holds
only the classes; the reply -> error mapping is ``pulumi_avosms.client.reply_errors`` and its
texts are in ``pulumi_avosms._messages``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from ._text import safe_text

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "AvoSMSError",
    "ConfigurationError",
    "ConflictError",
    "ContactError",
    "ContactListError",
    "ContactListLookupError",
    "ContactListMembersError",
    "InvalidContactError",
    "InvalidRequestError",
    "MembersCSVError",
    "NotFoundError",
    "PicklingRefusedError",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
]

_E = TypeVar("_E", bound="APIError")
#: How much of a file's path a message shows.
_SHOWN_PATH = 240


class AvoSMSError(Exception):
    """Base class of every error the package raises; ``str()`` is the message for the user.

    ``api_error`` is the AvoSMS call's error behind this one (given, or the ``__cause__``),
    and ``code`` / ``endpoint`` are that error's (``None`` when no call was involved).
    """

    def __init__(self, message: str, *, api_error: APIError | None = None) -> None:
        super().__init__(message)
        self.message = message
        self._api_error = api_error

    @property
    def api_error(self) -> APIError | None:
        """The AvoSMS call's error behind this one, if any."""
        given = self.__dict__.get("_api_error")
        if given is not None:
            return given
        cause = self.__cause__
        return cause if isinstance(cause, APIError) else None

    @property
    def code(self) -> str | None:
        """The AvoSMS code of the call behind this error (``"ERR_104"``), if any."""
        error = self.api_error
        return error.code if error is not None else None

    @property
    def endpoint(self) -> str | None:
        """The AvoSMS endpoint of the call behind this error (``"contact/add"``), if any."""
        error = self.api_error
        return error.endpoint if error is not None else None

    def __str__(self) -> str:
        return self.message


class APIError(AvoSMSError):
    """One AvoSMS call failed: the base of what the client raises.

    ``code`` is the API error code (``"ERR_104"``), ``"HTTP_<status>"`` for HTTP-level failures,
    or ``None`` for transport failures and unreadable replies. ``should_retry`` says whether the
    failure is transient (a class default that an instance may override); the client applies
    its own, endpoint-aware rules on top of it. ``attempts`` and ``outcome_unknown`` are set
    by the client's retry loop on the error it finally raises.
    """

    should_retry: bool = False
    # Plain attributes here (not the base's properties): an API error is its own source.
    code: str | None = None
    endpoint: str | None = None

    def __init__(
        self,
        code: str | None,
        message: str,
        endpoint: str | None = None,
        http_status: int | None = None,
        *,
        should_retry: bool | None = None,
        retry_after: float | None = None,
        attempts: int | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        # args holds only these four plain values (never request parameters), which keeps the
        # exception picklable: Exception.__reduce__ rebuilds it as cls(*args) + __dict__.
        Exception.__init__(self, code, message, endpoint, http_status)
        self.message = message
        self._api_error = None
        self.code = code
        self.endpoint = endpoint
        self.http_status = http_status
        if should_retry is not None:
            self.should_retry = should_retry
        #: Seconds the server asked us to wait (``Retry-After``), when it said so.
        self.retry_after = retry_after
        #: How many attempts the client made before giving up.
        self.attempts = attempts
        #: True when a write failed but may still have been applied.
        self.outcome_unknown = outcome_unknown

    @property
    def api_error(self) -> APIError:
        """This error itself: it is the call's error."""
        return self

    def replace(
        self: _E,
        *,
        message: str | None = None,
        attempts: int | None = None,
        outcome_unknown: bool | None = None,
    ) -> _E:
        """A new error like this one with the fields given changed (``None``: unchanged)."""
        clone = copy.copy(self)
        if message is not None:
            clone.message = message
        if attempts is not None:
            clone.attempts = attempts
        if outcome_unknown is not None:
            clone.outcome_unknown = outcome_unknown
        clone.args = (clone.code, clone.message, clone.endpoint, clone.http_status)
        return clone

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


class AuthenticationError(APIError):
    """AvoSMS did not recognise the API credentials (``ERR_100``, or HTTP 401/403)."""


class NotFoundError(APIError):
    """The contact list or contact named in the request does not exist."""


class ConflictError(APIError):
    """The name is already used by another list, or the number is already in the list."""


class InvalidRequestError(APIError):
    """AvoSMS rejected the input (any other ``ERR_1xx``); unknown codes land here too."""


class ServerError(APIError):
    """AvoSMS failed internally (``ERR_9xx``) or answered HTTP 5xx; transient."""

    should_retry = True


class RateLimitError(APIError):
    """AvoSMS (or a proxy) answered HTTP 429; ``retry_after`` is the wait it asked for."""

    should_retry = True


class APIConnectionError(APIError):
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
        attempts: int | None = None,
        outcome_unknown: bool = False,
        request_sent: bool = True,
    ) -> None:
        super().__init__(
            code,
            message,
            endpoint,
            http_status,
            should_retry=should_retry,
            retry_after=retry_after,
            attempts=attempts,
            outcome_unknown=outcome_unknown,
        )
        self.request_sent = request_sent

    def _extra_repr_fields(self) -> list[str]:
        return [*super()._extra_repr_fields(), f"request_sent={self.request_sent!r}"]


class APITimeoutError(APIConnectionError):
    """No answer in time: connect timeout (``request_sent=False``) or read timeout (``True``)."""


class UnexpectedResponseError(APIError):
    """The reply was not what the documentation describes: not JSON, cut off, or missing fields.

    ``should_retry`` is ``True`` on instances for non-JSON / truncated replies (often a proxy
    hiccup) and ``False`` for well-formed JSON with the wrong shape (retrying will not help).
    """


class MalformedReply(AvoSMSError):
    """A success reply whose shape is not the documented one (internal to the client).

    The client turns it into an :class:`UnexpectedResponseError` naming the call.
    """


class ReplyTooComplex(MalformedReply):
    """A reply holds more JSON values than may be parsed (``limit``); it was not parsed
    (internal to the client, like :class:`MalformedReply`)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} values")
        self.limit = limit


class ConfigurationError(AvoSMSError):
    """The provider's settings are missing or malformed; the message says how to fix them."""


class ValidationError(AvoSMSError, ValueError):
    """A property value is unusable; ``str()`` is the reason shown next to the property."""


class InvalidContactError(ValidationError):
    """Some of a contact's inputs are unusable; ``reasons`` holds one sentence per property."""

    def __init__(self, reasons: Mapping[str, str]) -> None:
        super().__init__("; ".join(reasons.values()))
        self.reasons = dict(reasons)

    def __reduce__(self) -> Any:
        # ``args`` holds the joined message, not the reasons: rebuild from the reasons.
        return (InvalidContactError, (self.reasons,))


class MembersCSVError(ValidationError):
    """A members CSV file cannot be used; the message names the file, the line and the field.

    ``path``, ``line`` (1-based, the header is line 1; ``None`` for the file as a whole) and
    ``field`` (a member field name, or ``None``) say where.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str,
        line: int | None = None,
        field: str | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        # The path is the program's text: shown made safe (scrubbed of ``secrets``).
        shown = safe_text(path, secrets, _SHOWN_PATH)
        where = shown if line is None else f"{shown}, line {line}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.field = field

    def __reduce__(self) -> Any:
        # Keyword-only arguments are not in ``args``: rebuild explicitly so it pickles.
        return (_rebuild_members_csv_error, (str(self), self.path, self.line, self.field))


def _rebuild_members_csv_error(
    message: str, path: str, line: int | None, field: str | None
) -> MembersCSVError:
    error = MembersCSVError.__new__(MembersCSVError)
    ValidationError.__init__(error, message)
    error.path, error.line, error.field = path, line, field
    return error


class PicklingRefusedError(AvoSMSError, TypeError):
    """An object holding the API key (the client, its transport) refused to be pickled.

    A ``TypeError`` too, as pickling expects of an object that cannot be pickled.
    """


class ContactListError(AvoSMSError):
    """An operation on one contact list failed; the message says which list, why and what to do.

    The AvoSMS error it comes from is ``api_error`` (with its ``code`` and ``endpoint``).
    """


class ContactListLookupError(AvoSMSError, LookupError):
    """``get_contact_list`` found no list, or a name matching several; the message says which.

    ``name`` / ``list_id`` are what was looked for; ``matches`` the IDs of the lists a name
    matched (empty when none did).
    """

    def __init__(
        self,
        message: str,
        *,
        name: str | None = None,
        list_id: str | None = None,
        matches: tuple[str, ...] = (),
        api_error: APIError | None = None,
    ) -> None:
        super().__init__(message, api_error=api_error)
        self.name = name
        self.list_id = list_id
        self.matches = tuple(matches)

    def __reduce__(self) -> Any:
        # Keyword-only arguments are not in ``args``: rebuild explicitly so it pickles.
        return (_rebuild_lookup_error, (self.message, self.name, self.list_id, self.matches))


def _rebuild_lookup_error(
    message: str, name: str | None, list_id: str | None, matches: tuple[str, ...]
) -> ContactListLookupError:
    return ContactListLookupError(message, name=name, list_id=list_id, matches=matches)


class ContactError(AvoSMSError):
    """An operation on one contact failed; the message says which contact, why and what to do.

    ``list_id`` and ``phone_number`` (E.164) name the contact. The AvoSMS error it comes from
    is ``api_error`` (with its ``code`` and ``endpoint``).
    """

    def __init__(
        self,
        message: str,
        *,
        list_id: str | None = None,
        phone_number: str | None = None,
        api_error: APIError | None = None,
    ) -> None:
        super().__init__(message, api_error=api_error)
        self.list_id = list_id
        self.phone_number = phone_number

    def __reduce__(self) -> Any:
        # Keyword-only arguments are not in ``args``: rebuild explicitly so it pickles.
        return (
            _rebuild_contact_error,
            (self.message, self.list_id, self.phone_number, self.__dict__.get("_api_error")),
        )


def _rebuild_contact_error(
    message: str,
    list_id: str | None,
    phone_number: str | None,
    api_error: APIError | None = None,
) -> ContactError:
    return ContactError(message, list_id=list_id, phone_number=phone_number, api_error=api_error)


class ContactListMembersError(AvoSMSError):
    """A ContactListMembers step failed; the message says which numbers, why, what to do.

    ``failures`` maps each failed E.164 number to its reason.
    """

    def __init__(
        self,
        message: str,
        *,
        list_id: str | None = None,
        failures: dict[str, str] | None = None,
        api_error: APIError | None = None,
    ) -> None:
        super().__init__(message, api_error=api_error)
        self.list_id = list_id
        self.failures = dict(failures or {})

    def __reduce__(self) -> Any:
        # Keyword-only arguments are not in ``args``: rebuild explicitly so it pickles.
        return (
            _rebuild_members_error,
            (self.message, self.list_id, self.failures, self.__dict__.get("_api_error")),
        )


def _rebuild_members_error(
    message: str,
    list_id: str | None,
    failures: dict[str, str],
    api_error: APIError | None = None,
) -> ContactListMembersError:
    return ContactListMembersError(message, list_id=list_id, failures=failures, api_error=api_error)
