"""HTTP client for the AvoSMS contact API (``../shared/avosms-api.md``).

One :class:`AvoSMSClient` per set of credentials: one ``requests.Session`` (a connection pool
sized for the provider's concurrent calls), explicit connect/read timeouts, bounded retries
with full-jitter backoff, reconciliation of writes whose outcome is unknown, and a small
single-flight cache of the account's listing.

The API key travels only in the form-encoded POST body. It is never logged, never put in an
exception, and never shown by ``repr()``; the client refuses to be pickled so it cannot end up
in Pulumi state by accident.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NoReturn, TypeVar, cast

import requests
import urllib3.exceptions
import urllib3.response
from requests.adapters import HTTPAdapter

from ._model import ContactInfo, ContactListDetail, ContactListInfo
from .errors import (
    APIConnectionError,
    APITimeoutError,
    AvoSMSError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
    error_from_reply,
    scrub,
)

__all__ = [
    "DEFAULT_ENDPOINT",
    "AvoSMSClient",
    "ContactInfo",
    "ContactListDetail",
    "ContactListInfo",
]

logger = logging.getLogger("pulumi_avosms.client")

DEFAULT_ENDPOINT = "https://api.avosms.com/v1"

EP_CREATE = "contact/list/create"
EP_INFO = "contact/list/information"
EP_LIST = "contact/list"
EP_RENAME = "contact/list/rename"
EP_ADD = "contact/add"
EP_UPDATE = "contact/update"
EP_DELETE = "contact/delete"
#: Endpoints that change nothing: any failure may simply be retried.
READ_ENDPOINTS = frozenset({EP_INFO, EP_LIST})

_USER_AGENT = "pulumi-avosms/0.1 (+python-requests)"
_T = TypeVar("_T")


class _Missing:
    """Sentinel type: a reconciliation check found nothing (``None`` is a valid result)."""


_MISSING = _Missing()


# --------------------------------------------------------------------------------------------
# Reply parsing. The JSON types of ids and counts are undocumented, so both numbers and
# numeric strings are accepted; anything else raises _Malformed, which the client turns into
# an UnexpectedResponseError naming the field (never a KeyError/TypeError).


class _Malformed(Exception):
    """A success reply whose shape is not the documented one."""


def _require(obj: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in obj:
        raise _Malformed(f"{where} has no '{name}' field")
    return obj[name]


def _as_id(value: Any, field: str) -> str:
    if isinstance(value, bool):  # bool is an int subclass; True is no id
        raise _Malformed(f"'{field}' is a boolean, expected an id")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise _Malformed(f"'{field}' is {_describe(value)}, expected an id (number or string)")


def _as_count(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise _Malformed(f"'{field}' is a boolean, expected a count")
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    elif isinstance(value, str) and value.strip().endswith(".0") and value.strip()[:-2].isdigit():
        number = int(value.strip()[:-2])  # "3.0": a count serialised through a float
    if number is None or number < 0:
        raise _Malformed(f"'{field}' is {_describe(value)}, expected a count (number or string)")
    return number


def _as_text(value: Any, field: str, *, required: bool = False) -> str:
    if value is None and not required:
        return ""  # PHP APIs send null for unset optional fields
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # e.g. a phone number or postcode serialised as a JSON number
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    raise _Malformed(f"'{field}' is {_describe(value)}, expected a string")


def _as_datetime(value: Any) -> datetime | None:
    """Parse ``YYYY-MM-DD HH:MM:SS``; anything missing or odd gives ``None``.

    The creation time is informational only, so an unusual value must not fail a read. The
    time zone is undocumented, so the result is naive (as AvoSMS gives it).
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    kind = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), f"a {type(value).__name__}"
    )
    return kind


def _as_items(value: Any, field: str) -> list[Any]:
    # Empty collections may come back as null or be omitted, and PHP's json_encode turns an
    # array with non-sequential keys into an object {"0": {...}, "3": {...}}: accept all three.
    if value is None or value is False or value == "":
        return []  # PHP's usual spellings of "nothing"
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    raise _Malformed(f"'{field}' is {_describe(value)}, expected an array")


def _info_fields(obj: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {
        "name": _as_text(
            _require(obj, "list_contact_name", where), "list_contact_name", required=True
        ),
        # A country code is case-insensitive; normalise so callers can compare with "FR".
        "country_code": _as_text(
            _require(obj, "list_contact_country_code", where),
            "list_contact_country_code",
            required=True,
        )
        .strip()
        .upper(),
        # Informational (its language is undocumented): tolerate it missing.
        "country_name": _as_text(obj.get("list_contact_country_name"), "list_contact_country_name"),
        "contact_count": _as_count(_require(obj, "nb_contact_list", where), "nb_contact_list"),
        "created_at": _as_datetime(obj.get("list_contact_creation_date")),
    }


def _parse_contact(obj: Any, where: str) -> ContactInfo:
    if not isinstance(obj, dict):
        raise _Malformed(f"{where} is {_describe(obj)}, expected an object")
    phone = _as_text(
        _require(obj, "contact_telephone_number", where), "contact_telephone_number", required=True
    )
    if not phone.strip():
        raise _Malformed(f"{where} has an empty 'contact_telephone_number'")
    return ContactInfo(
        phone_number=phone,
        civility=_as_text(obj.get("contact_civility"), "contact_civility"),
        last_name=_as_text(obj.get("contact_name"), "contact_name"),
        first_name=_as_text(obj.get("contact_first_name"), "contact_first_name"),
        email=_as_text(obj.get("contact_email"), "contact_email"),
        birthday=_as_text(obj.get("contact_birthday"), "contact_birthday"),
        other=_as_text(obj.get("contact_other"), "contact_other"),
    )


def _parse_create(reply: Mapping[str, Any]) -> str:
    return _as_id(_require(reply, "list_contact_id", "the reply"), "list_contact_id")


def _parse_listing(reply: Mapping[str, Any]) -> list[ContactListInfo]:
    # An account without lists may omit the array altogether (undocumented): read as empty.
    items = _as_items(reply.get("list_contact"), "list_contact")
    result = []
    for index, item in enumerate(items):
        where = f"list_contact[{index}]"
        if not isinstance(item, dict):
            raise _Malformed(f"{where} is {_describe(item)}, expected an object")
        list_id = _as_id(_require(item, "list_contact_id", where), "list_contact_id")
        result.append(ContactListInfo(list_id=list_id, **_info_fields(item, where)))
    return result


def _parse_detail(list_id: str, reply: Mapping[str, Any]) -> ContactListDetail:
    contacts = tuple(
        _parse_contact(item, f"list_contact[{index}]")
        for index, item in enumerate(_as_items(reply.get("list_contact"), "list_contact"))
    )
    if reply.get("nb_contact_list") in (None, ""):
        # The count is informational and the contacts are right here: tolerate its absence.
        reply = {**reply, "nb_contact_list": len(contacts)}
    fields = _info_fields(reply, "the reply")
    return ContactListDetail(list_id=list_id, contacts=contacts, **fields)


def _ignore_reply(_: Mapping[str, Any]) -> None:
    return None


def _same_number(returned: str, wanted: str, region: str) -> bool:
    """Whether AvoSMS's spelling of a number (maybe national, spaced) is ``wanted`` (E.164)."""
    # Imported here: phonenumbers is only needed on this rare path (reconciling an add).
    from .contact_validation import tolerant_phone_number

    return returned == wanted or tolerant_phone_number(returned, region) == wanted


def _match_name(lists: Sequence[ContactListInfo], name: str) -> list[ContactListInfo]:
    """Lists named ``name``: exact matches if any, else the unique case/space-insensitive one.

    Whether AvoSMS compares names case-insensitively (or trims them) is undocumented, so a
    lookup falls back to a loose match, but only when it is unambiguous.
    """
    exact = [item for item in lists if item.name == name]
    if exact:
        return exact
    folded = name.strip().casefold()
    loose = [item for item in lists if item.name.strip().casefold() == folded]
    return loose if len(loose) == 1 else []


# --------------------------------------------------------------------------------------------
# Transport errors


def _walk(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it wraps (args, MaxRetryError.reason, cause, context)."""
    seen: set[int] = set()
    stack = [exc]
    found = []
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        found.append(item)
        reason = getattr(item, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
        stack.extend(arg for arg in item.args if isinstance(arg, BaseException))
        if item.__cause__ is not None:
            stack.append(item.__cause__)
        if item.__context__ is not None:
            stack.append(item.__context__)
    return found


def _is_connect_failure(exc: BaseException) -> bool:
    # NewConnectionError (and its NameResolutionError subclass) means the TCP connection was
    # never established, so the request surely did not reach AvoSMS.
    return any(
        isinstance(e, (urllib3.exceptions.NewConnectionError, ConnectionRefusedError))
        for e in _walk(exc)
    )


def _is_read_timeout(exc: BaseException) -> bool:
    return any(
        isinstance(e, (urllib3.exceptions.ReadTimeoutError, requests.exceptions.ReadTimeout))
        for e in _walk(exc)
    )


def _reason(exc: BaseException, secrets: tuple[str, ...]) -> str:
    """A short cause for a transport failure, e.g. ``ConnectionRefusedError: [Errno 111] ...``.

    Only the wrapped socket/urllib3 cause is quoted, never the requests exception itself:
    that one may describe the request (whose body holds the key and the contact's data).
    """
    causes = [e for e in _walk(exc) if not isinstance(e, requests.exceptions.RequestException)]
    if not causes:
        return type(exc).__name__
    inner = causes[-1]
    text = scrub(f"{type(inner).__name__}: {inner}", secrets)
    return text if len(text) <= 240 else text[:240] + "…"


# --------------------------------------------------------------------------------------------
# The read cache


class _Flight:
    """One read request in flight that concurrent callers of the same key wait on."""

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None


class _SharedReads:
    """Replies of read endpoints, shared: single-flight per key, reused for ``max_age``.

    Keys are the account listing and each list's ``information``. Any write through the
    client drops everything (the generation moves on), and a reply whose request started
    before a write is never stored, since it may not show that write.
    """

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._generation = 0
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._flights: dict[Hashable, _Flight] = {}

    def get(self, key: Hashable, max_age: float, fetch: Callable[[], _T]) -> _T:
        """``fetch()``'s result, from the cache when at most ``max_age`` seconds old.

        ``max_age <= 0`` always fetches (and stores the reply for others).
        """
        if max_age <= 0:
            with self._lock:
                generation = self._generation
            started = self._monotonic()
            value = fetch()
            self._store(key, generation, started, value)
            return value
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None and self._monotonic() - cached[0] <= max_age:
                return cast(_T, cached[1])
            flight = self._flights.get(key)
            # Join only a request started since the last write; an older one may miss it.
            leader = flight is None or flight.generation != self._generation
            if leader:
                flight = _Flight(self._generation)
                self._flights[key] = flight
        assert flight is not None
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                # A copy: one exception object raised in several threads would have its
                # traceback and context rewritten by each of them.
                error = flight.error
                raise (copy.copy(error) if isinstance(error, AvoSMSError) else error) from None
            return cast(_T, flight.result)
        try:
            started = self._monotonic()
            flight.result = fetch()
            self._store(key, flight.generation, started, flight.result)
            return cast(_T, flight.result)
        except BaseException as exc:  # followers must see whatever ended the request
            flight.error = exc
            raise
        finally:
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.done.set()

    def invalidate(self) -> None:
        """Forget every cached reply; requests already in flight will not be stored."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def _store(self, key: Hashable, generation: int, started: float, value: Any) -> None:
        with self._lock:
            if generation == self._generation:
                self._entries[key] = (started, value)


_LISTING_KEY = "contact/list"


# --------------------------------------------------------------------------------------------


class AvoSMSClient:
    """Client of the AvoSMS contact API: one method per endpoint.

    Thread-safe: the provider calls one client from several threads at once. Every method
    raises an :class:`~pulumi_avosms.errors.AvoSMSError` subclass on failure.

    Retries: at most ``max_retries`` resends and ``max_retry_time`` seconds of retrying per
    call (worst case is that budget plus one attempt's timeouts), with exponential backoff and
    full jitter, or the server's ``Retry-After`` capped by the remaining budget. Retried: ERR_9xx,
    HTTP 429 and 5xx, connections that surely never carried the request, and for reads any
    transport failure or unreadable (non-JSON, cut-off) reply. ERR_1xx is never retried.
    A write whose outcome is unknown (read timeout, connection lost after sending, 5xx,
    ERR_9xx, unreadable reply) is never resent blindly: it is reconciled first (create looks
    the name up, rename reads the list back) and a conflict code on the resend is checked
    (create/rename) or taken as proof that the earlier attempt landed (add: ERR_105, delete:
    ERR_104). So a retry never duplicates a list.

    ``listing_ttl`` is the staleness the provider accepts for listing reads it makes through
    :meth:`list_lists` / :meth:`find_list_by_name` (pass it as ``max_age``); reconciliation
    always reads fresh.

    Test hooks: ``_sleep``, ``_monotonic`` and ``_random`` replace ``time.sleep``,
    ``time.monotonic`` and ``random.random``.
    """

    def __init__(
        self,
        api_id: str,
        api_key: str,
        endpoint: str = DEFAULT_ENDPOINT,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_retries: int = 4,
        max_retry_time: float = 60.0,
        listing_ttl: float = 2.0,
        session: requests.Session | None = None,
        pool_size: int = 32,
        backoff_base: float = 0.5,
        backoff_max: float = 10.0,
        max_reply_bytes: int = 64 * 1024 * 1024,
        _sleep: Callable[[float], None] = time.sleep,
        _monotonic: Callable[[], float] = time.monotonic,
        _random: Callable[[], float] = random.random,
    ) -> None:
        if not endpoint or not endpoint.strip():
            raise ValueError("endpoint must be a URL such as https://api.avosms.com/v1")
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.api_id = api_id
        self.__api_key = api_key  # name-mangled and never formatted anywhere
        self.endpoint = endpoint.strip().rstrip("/")
        self.connect_timeout = float(connect_timeout)
        self.read_timeout = float(read_timeout)
        self.max_retries = int(max_retries)
        self.max_retry_time = float(max_retry_time)
        self.listing_ttl = float(listing_ttl)
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self.max_reply_bytes = int(max_reply_bytes)
        self._sleep = _sleep
        self._monotonic = _monotonic
        self._random = _random
        self._secrets = (api_key,)

        self._owns_session = session is None
        if session is None:
            session = requests.Session()
            # Retries are ours (they know which calls are safe to resend), so urllib3 makes
            # none; the pool holds enough connections for the provider's worker threads
            # (Pulumi's default parallelism drives several at once) without reconnecting.
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(8, pool_size), max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            session.headers["User-Agent"] = _USER_AGENT
            session.headers["Accept"] = "application/json"
        self._session = session

        self._reads = _SharedReads(self._monotonic)

    # -- housekeeping -------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"AvoSMSClient(endpoint={self.endpoint!r}, api_id={self.api_id!r})"

    def __reduce__(self) -> NoReturn:
        # Pickling would copy the API key into wherever the pickle goes (e.g. Pulumi state
        # via a dynamic provider's serialised closure): refuse loudly instead.
        raise TypeError(
            "AvoSMSClient holds API credentials and cannot be pickled; create it inside the "
            "provider's methods instead"
        )

    def __enter__(self) -> AvoSMSClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Release pooled connections (only when the client created its session)."""
        if self._owns_session:
            self._session.close()

    # -- contact lists ------------------------------------------------------------------------

    def create_list(self, name: str, country_code: str) -> str:
        """Create a contact list and return its id (``contact/list/create``).

        When an attempt's outcome is unknown (timeout, dropped connection, HTTP 5xx, an
        unreadable reply), the account's lists are looked up before resending, and a later
        ERR_104 ("name taken") is checked the same way, so the list is never created twice
        and its id is not lost. Only a list our attempt could have made is taken as ours (the
        exact name and country, no contacts); any other list with the name was there before,
        and the call fails with :class:`ConflictError`. Remaining ambiguity: an empty list
        with exactly this name and country that existed before is taken as ours, which is
        what adopting it would do anyway.
        """

        def verify(deadline: float) -> object:
            found = self._lookup_created(name, country_code, deadline)
            return found.list_id if found is not None else _MISSING

        params = {"listContactName": name, "listContactCountryCode": country_code}
        return self._execute(
            EP_CREATE,
            params,
            _parse_create,
            verify=verify,
            conflict_codes=frozenset({"ERR_104"}),
        )

    def get_list(self, list_id: str | int, max_age: float = 0.0) -> ContactListDetail:
        """One contact list with its contacts (``contact/list/information``).

        With ``max_age > 0``, as for :meth:`list_lists`: a reply at most that old is reused
        and concurrent callers for the same list share one request (the refresh of many
        contacts of one list costs one call). Writes through this client drop it.
        """
        key = str(list_id)
        return self._reads.get(("information", key), max_age, lambda: self._get_list(key, None))

    def list_lists(self, max_age: float = 0.0) -> list[ContactListInfo]:
        """All contact lists of the account (``contact/list``).

        With ``max_age > 0`` a listing fetched at most ``max_age`` seconds ago is reused, and
        concurrent callers share the one request in flight. Writes made through this client
        drop the cached listing.
        """
        return list(self._reads.get(_LISTING_KEY, max_age, lambda: tuple(self._fetch_lists(None))))

    def find_list_by_name(self, name: str, max_age: float = 0.0) -> ContactListInfo | None:
        """The list named ``name`` (exact match first, else a unique case-insensitive one)."""
        matches = _match_name(self.list_lists(max_age=max_age), name)
        return matches[0] if matches else None

    def invalidate_listing(self) -> None:
        """Forget cached replies (the listing and lists' information); a request already in
        flight will not be cached."""
        self._reads.invalidate()

    def rename_list(self, list_id: str | int, name: str) -> None:
        """Rename a contact list (``contact/list/rename``).

        After an attempt with unknown outcome the list is read back; if it already has the new
        name the rename is done, and a later ERR_104 is checked the same way.
        """
        list_id = str(list_id)

        def verify(deadline: float) -> object:
            return None if self._get_list(list_id, deadline).name == name else _MISSING

        params = {"listContactId": list_id, "listContactName": name}
        self._execute(
            EP_RENAME,
            params,
            _ignore_reply,
            verify=verify,
            conflict_codes=frozenset({"ERR_104"}),
        )

    # -- contacts -----------------------------------------------------------------------------

    def add_contact(self, list_id: str | int, contact: ContactInfo) -> None:
        """Add a contact to a list (``contact/add``); empty optional fields are not sent.

        After an attempt with unknown outcome, the list is read back: the contact counts as
        added only if it is there with the fields sent. A contact with that number but other
        fields was there before (someone else's), so ERR_105 is then a real conflict.
        """
        params = _contact_params(list_id, contact)
        phone_number = contact.phone_number
        sent = contact.fields()

        def verify(deadline: float) -> object:
            detail = self._get_list(str(list_id), deadline)
            for contact in detail.contacts:
                if _same_number(contact.phone_number, phone_number, detail.country_code):
                    live = {field: getattr(contact, field) for field in sent}
                    same = all(live[field] == value for field, value in sent.items() if value)
                    return None if same else _MISSING
            return _MISSING

        params = {k: v for k, v in params.items() if v != "" or k in _CONTACT_KEYS}
        self._execute(
            EP_ADD,
            params,
            _ignore_reply,
            verify=verify,
            conflict_codes=frozenset({"ERR_105"}),
        )

    def update_contact(self, list_id: str | int, contact: ContactInfo) -> None:
        """Edit a contact found by its number (``contact/update``); every field is sent.

        AvoSMS clears omitted fields, so all of them are always sent; that also makes the call
        idempotent, so it is simply resent after an unknown outcome.
        """
        params = _contact_params(list_id, contact)
        self._execute(EP_UPDATE, params, _ignore_reply)

    def delete_contact(self, list_id: str | int, phone_number: str) -> None:
        """Remove a contact from a list (``contact/delete``).

        ERR_104 ("no such contact") after an attempt with unknown outcome means our earlier
        attempt landed, and counts as success.
        """
        params = {"listContactId": str(list_id), "contactTelephoneNumber": phone_number}
        self._execute(
            EP_DELETE,
            params,
            _ignore_reply,
            conflict_codes=frozenset({"ERR_104"}),
            conflict_means_done=True,
        )

    # -- internals: reads used by reconciliation -----------------------------------------------

    def _get_list(self, list_id: str, deadline: float | None) -> ContactListDetail:
        return self._execute(
            EP_INFO,
            {"listContactId": list_id},
            lambda reply: _parse_detail(list_id, reply),
            deadline=deadline,
        )

    def _fetch_lists(self, deadline: float | None) -> list[ContactListInfo]:
        return self._execute(EP_LIST, {}, _parse_listing, deadline=deadline)

    def _lookup_created(
        self, name: str, country_code: str, deadline: float
    ) -> ContactListInfo | None:
        # Always a fresh listing: a cached one may predate our lost attempt.
        lists = self._reads.get(_LISTING_KEY, 0.0, lambda: tuple(self._fetch_lists(deadline)))
        wanted = country_code.strip().upper()
        # Only a list our attempt could have made: the exact name and country, and no contacts
        # yet. Anything else was there before (our attempt then failed on the name) and must
        # not be taken over: the caller reports the name as taken, with how to adopt it.
        for candidate in lists:
            if (
                candidate.name == name
                and candidate.country_code == wanted
                and candidate.contact_count == 0
            ):
                return candidate
        return None

    # -- internals: one call with retries ---------------------------------------------------------

    def _execute(
        self,
        endpoint: str,
        params: Mapping[str, str],
        parse: Callable[[Mapping[str, Any]], _T],
        **options: Any,
    ) -> _T:
        """:meth:`_call` — and after any write, whatever its outcome, drop the cached reads:
        they may no longer show the account as it is."""
        if endpoint in READ_ENDPOINTS:
            return self._call(endpoint, params, parse, **options)
        try:
            return self._call(endpoint, params, parse, **options)
        finally:
            self.invalidate_listing()

    def _call(
        self,
        endpoint: str,
        params: Mapping[str, str],
        parse: Callable[[Mapping[str, Any]], _T],
        *,
        deadline: float | None = None,
        verify: Callable[[float], object] | None = None,
        conflict_codes: frozenset[str] = frozenset(),
        conflict_means_done: bool = False,
    ) -> _T:
        """Run one API call with retries; ``parse`` turns the success reply into the result.

        For writes: ``verify(deadline)`` checks whether the intended change is already in
        place (returning its result, or ``_MISSING``); it runs before resending after an
        attempt whose outcome is unknown. ``conflict_codes`` after such an attempt may mean
        our own earlier attempt landed: success if ``conflict_means_done``, else ``verify``
        decides.
        """
        read = endpoint in READ_ENDPOINTS
        started = self._monotonic()
        if deadline is None:
            deadline = started + self.max_retry_time
        uncertain = False  # some earlier attempt may have been applied
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(endpoint, params, parse, attempt)
            except AvoSMSError as exc:
                error = exc
            # Decisions are made outside the except block so that nothing raised below gets
            # a requests exception (which may hold the request body) as its __context__.

            if uncertain and error.code in conflict_codes:
                if conflict_means_done:
                    logger.debug("%s: %s after an unknown outcome: done", endpoint, error.code)
                    return cast(_T, None)
                if verify is not None:
                    try:
                        found = verify(deadline)
                    except AvoSMSError as check_error:
                        # The honest answer is that we could not tell: say so.
                        check_error.outcome_unknown = True
                        check_error.message += (
                            f"; checking whether the earlier {endpoint} attempt was applied "
                            "failed, so it may or may not have been"
                        )
                        raise check_error from None
                    if found is not _MISSING:
                        logger.debug("%s: reconciled after %s", endpoint, error.code)
                        return cast(_T, found)
                raise self._give_up(error, attempt, started) from None

            retryable, maybe_applied = self._classify(error, read)
            uncertain = uncertain or maybe_applied
            remaining = deadline - self._monotonic()
            if error.retry_after is not None and error.retry_after > remaining:
                # Waiting out part of it would only spend the budget on a resend that AvoSMS
                # said it would refuse.
                error.message += (
                    f"; AvoSMS asked to wait {error.retry_after:g} s, longer than the "
                    "retry budget left (avosms:retryTimeout)"
                )
                retryable = False
            if not retryable or attempt > self.max_retries or remaining <= 0:
                if uncertain and verify is not None:
                    found = self._try_verify(endpoint, verify, deadline)
                    if found is not _MISSING:
                        return cast(_T, found)
                if uncertain:  # only writes are ever uncertain
                    error.outcome_unknown = True
                    error.message += "; the change may or may not have been applied"
                raise self._give_up(error, attempt, started) from None

            delay = self._backoff(attempt, error.retry_after, remaining)
            logger.debug(
                "%s attempt %d failed (%s); retrying in %.2f s",
                endpoint,
                attempt,
                error.code,
                delay,
            )
            self._sleep(delay)
            if uncertain and verify is not None:
                found = self._try_verify(endpoint, verify, deadline)
                if found is not _MISSING:
                    return cast(_T, found)

    def _try_verify(
        self, endpoint: str, verify: Callable[[float], object], deadline: float
    ) -> object:
        # Before a resend, a failed check is not fatal: the resend itself is safe (names are
        # unique, so a duplicate create gets ERR_104, which is checked again).
        try:
            return verify(deadline)
        except AvoSMSError as exc:
            logger.debug("%s: reconciliation check failed (%s)", endpoint, exc.code)
            return _MISSING

    @staticmethod
    def _classify(error: AvoSMSError, read: bool) -> tuple[bool, bool]:
        """``(retry it?, may the request have been applied?)`` for one failed attempt."""
        if isinstance(error, RateLimitError):
            return True, False  # rejected before processing
        if isinstance(error, ServerError):
            if error.code is not None and error.code.startswith("ERR_9"):
                # AvoSMS itself answered that processing failed: nothing was applied, and a
                # conflict on the resend is a real one (not our own attempt).
                return True, False
            # An HTTP 5xx may come from a proxy after AvoSMS did apply the write.
            return True, not read
        if isinstance(error, APIConnectionError):
            if not error.should_retry:  # TLS failure, invalid URL: resending will not help
                return False, False
            if not error.request_sent:
                return True, False
            return True, not read
        if isinstance(error, UnexpectedResponseError):
            # should_retry: unreadable (non-JSON, cut off) rather than wrongly shaped. A write
            # that got any such reply may well have been applied, so it is never resent
            # blindly: the caller's reconciliation runs first (or the conflict code a resend
            # gets is interpreted), exactly as after a dropped connection.
            return error.should_retry, not read
        return False, False  # ERR_1xx and other rejections: resending gives the same answer

    def _backoff(self, attempt: int, retry_after: float | None, remaining: float) -> float:
        if retry_after is not None:
            delay = retry_after
        else:
            # Full jitter: spreads the retries of the provider's concurrent calls apart.
            ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
            delay = self._random() * ceiling
        if math.isnan(delay):
            delay = 0.0
        return max(0.0, min(delay, remaining))

    def _give_up(self, error: AvoSMSError, attempts: int, started: float) -> AvoSMSError:
        error.attempts = attempts
        if attempts > 1:
            elapsed = self._monotonic() - started
            error.message += f" (gave up after {attempts} attempts in {elapsed:.1f} s)"
            error.args = (error.code, error.message, error.endpoint, error.http_status)
        return error

    def _attempt(
        self,
        endpoint: str,
        params: Mapping[str, str],
        parse: Callable[[Mapping[str, Any]], _T],
        attempt: int,
    ) -> _T:
        """One HTTP request; returns the parsed result or raises an AvoSMSError."""
        status, headers, body = self._post(endpoint, params, attempt)
        payload: object = body
        with contextlib.suppress(ValueError, RecursionError):
            payload = json.loads(body)
        if isinstance(payload, str):
            payload = body  # a bare JSON string: let error_from_reply describe the raw reply
        error = error_from_reply(endpoint, status, payload, headers, secrets=self._secrets)
        logger.debug(
            "%s attempt %d: HTTP %d %s",
            endpoint,
            attempt,
            status,
            "OK" if error is None else (error.code or type(error).__name__),
        )
        if error is not None:
            raise error
        assert isinstance(payload, dict)
        try:
            return parse(payload)
        except _Malformed as exc:
            raise UnexpectedResponseError(
                None,
                f"AvoSMS answered successfully but {exc}; the API may have changed, please "
                "report this",
                endpoint,
                status,
                should_retry=False,
            ) from None

    def _post(
        self, endpoint: str, params: Mapping[str, str], attempt: int
    ) -> tuple[int, Mapping[str, str], bytes]:
        error: AvoSMSError | None = None
        response: requests.Response | None = None
        try:
            response = self._send(endpoint, params)
        except requests.exceptions.RequestException as exc:
            error = self._transport_error(endpoint, exc)
        if error is not None:
            logger.debug("%s attempt %d: %s", endpoint, attempt, type(error).__name__)
            raise error from None
        assert response is not None
        with response:
            body, error = self._read_body(endpoint, response)
        status, headers = response.status_code, response.headers
        # The response holds the request, whose body holds the key: keep it out of the frame
        # locals that a traceback formatter (Sentry, pytest -l, rich) would print.
        del response
        if error is not None:
            raise error from None
        return status, headers, body

    def _send(self, endpoint: str, params: Mapping[str, str]) -> requests.Response:
        # Credentials go in the form body only: URLs end up in proxy and server logs. The form
        # is built here, never held by a frame that an AvoSMSError's traceback goes through.
        return self._session.post(
            f"{self.endpoint}/{endpoint}",
            data={"id": self.api_id, "key": self.__api_key, **params},
            timeout=(self.connect_timeout, self.read_timeout),
            allow_redirects=False,  # a redirected POST becomes a GET without its body
            stream=True,  # so a huge reply can be cut off instead of filling memory
        )

    def _read_body(
        self, endpoint: str, response: requests.Response
    ) -> tuple[bytes, AvoSMSError | None]:
        status = response.status_code
        limit = self.max_reply_bytes
        too_big = UnexpectedResponseError(
            None,
            f"AvoSMS sent a reply larger than {limit} bytes; it was not read (the API may have "
            "changed or a proxy misbehaves), please report this",
            endpoint,
            status,
            should_retry=False,
        )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            return b"", too_big
        chunks: list[bytes] = []
        size = 0
        # The read timeout bounds each socket read; a reply trickling in a byte at a time
        # would never trip it, so the whole body gets the same bound.
        body_deadline = self._monotonic() + self.read_timeout
        try:
            for chunk in self._chunks(response):
                size += len(chunk)
                if size > limit:
                    return b"", too_big
                chunks.append(chunk)
                if self._monotonic() > body_deadline:
                    return b"", APITimeoutError(
                        None,
                        f"AvoSMS took more than {self.read_timeout:g} s to send its reply "
                        "(read timeout); raise avosms:timeout if this persists",
                        endpoint,
                        status,
                        request_sent=True,
                    )
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
            if _is_read_timeout(exc):
                return b"", APITimeoutError(
                    None,
                    f"AvoSMS stopped sending its reply for {self.read_timeout:g} s (read "
                    "timeout); raise avosms:timeout if this persists",
                    endpoint,
                    status,
                    request_sent=True,
                )
            return b"", UnexpectedResponseError(
                None,
                f"AvoSMS's reply (HTTP {status}) was cut off after {size} bytes "
                f"({_reason(exc, self._secrets)}); this is usually temporary, so try again",
                endpoint,
                status,
                should_retry=True,
            )
        return b"".join(chunks), None

    @staticmethod
    def _chunks(response: requests.Response) -> Iterator[bytes]:
        # read1 returns what one socket read gives, so the caller's deadline is checked as
        # the bytes come; iter_content would block until a whole chunk (64 KiB) or the end.
        raw = response.raw
        if not isinstance(raw, urllib3.response.HTTPResponse):  # e.g. a test double
            yield from response.iter_content(chunk_size=64 * 1024)
            return
        while True:
            chunk = raw.read1(64 * 1024, decode_content=True)
            if not chunk:
                return
            yield chunk

    def _transport_error(self, endpoint: str, exc: BaseException) -> APIConnectionError:
        reason = _reason(exc, self._secrets)
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return APITimeoutError(
                None,
                f"could not connect to AvoSMS within {self.connect_timeout:g} s; check the "
                "network and avosms:endpoint",
                endpoint,
                request_sent=False,
            )
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return APITimeoutError(
                None,
                f"AvoSMS did not answer within {self.read_timeout:g} s (read timeout); raise "
                "avosms:timeout if this persists",
                endpoint,
                request_sent=True,
            )
        if isinstance(exc, requests.exceptions.SSLError):
            return APIConnectionError(
                None,
                f"the TLS connection to AvoSMS failed ({reason}); check avosms:endpoint and the "
                "system's CA certificates",
                endpoint,
                request_sent=False,
                should_retry=False,
            )
        if isinstance(
            exc,
            (
                requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema,
                requests.exceptions.URLRequired,
            ),
        ):
            return APIConnectionError(
                None,
                f"the API endpoint URL is not usable ({reason}); set avosms:endpoint to a URL "
                "such as https://api.avosms.com/v1",
                endpoint,
                request_sent=False,
                should_retry=False,
            )
        if isinstance(exc, requests.exceptions.ConnectionError) and _is_connect_failure(exc):
            return APIConnectionError(
                None,
                f"could not connect to AvoSMS ({reason}); check the network and avosms:endpoint",
                endpoint,
                request_sent=False,
            )
        return APIConnectionError(
            None,
            f"the connection to AvoSMS broke before its reply arrived ({reason})",
            endpoint,
            request_sent=True,
        )


_CONTACT_KEYS = frozenset({"listContactId", "contactTelephoneNumber"})


def _contact_params(list_id: str | int, contact: ContactInfo) -> dict[str, str]:
    return {
        "listContactId": str(list_id),
        "contactTelephoneNumber": contact.phone_number,
        "contactCivility": contact.civility,
        "contactName": contact.last_name,  # AvoSMS's "name" is the family name
        "contactFirstName": contact.first_name,
        "contactEmail": contact.email,
        "contactBirthday": contact.birthday,
        "contactOther": contact.other,
    }
