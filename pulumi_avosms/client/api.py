"""The public client: one method per AvoSMS endpoint, one named reconciliation per write.

Each write says, in a function of its own below the class, how it is settled when an
attempt's outcome is unknown: ``create_list`` looks the name up, ``rename_list`` reads the
list back, ``add_contact`` looks for the contact, ``update_contact`` is idempotent and
``delete_contact`` takes "no such contact" on a resend as done.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

import requests

from .. import _messages as msg
from .._limits import MAX_INFORMATION_BYTES
from .._model import CONTACT_FIELDS, ContactInfo, ContactListDetail, ContactListInfo
from ..errors import ConfigurationError, PicklingRefusedError
from . import endpoints as ep
from .calls import NOT_IN_PLACE, CallRunner, Reconciliation, ReplyReading
from .read_cache import SharedReads
from .replies import (
    MAX_REPLY_BYTES,
    decode_information,
    match_name,
    parse_created_id,
    parse_detail,
    parse_listing,
    same_number,
)
from .retry_policy import RetryPolicy
from .transport import Transport

__all__ = ["AvoSMSClient"]

_T = TypeVar("_T")
_LISTING_KEY = ep.LIST_LISTS
#: Sent by contact/add even when empty (AvoSMS then names what is missing).
_ALWAYS = frozenset({"listContactId", "contactTelephoneNumber"})


class AvoSMSClient:
    """Client of the AvoSMS contact API: one method per endpoint; thread-safe.

    Every method raises an :class:`~pulumi_avosms.errors.APIError` subclass on failure.
    Retries follow :class:`~.retry_policy.RetryPolicy` (``max_retries`` resends within
    ``max_retry_time`` seconds per call). A write whose outcome is unknown is never resent
    blindly: its reconciliation runs first, so a retry never duplicates a list.

    ``read_cache_ttl`` is the staleness the provider accepts for the reads it makes through
    :meth:`list_lists`, :meth:`find_list_by_name` and :meth:`get_list` (pass it as
    ``max_age``); reconciliation always reads fresh. ``pool_size`` is how many connections
    are kept for concurrent calls; ``max_in_flight`` bounds the calls in flight at once,
    across every thread using the client (None: no bound). A reply is read up to
    ``max_reply_bytes``, a list's contacts (``information``) up to ``max_information_bytes``.
    ``credentials_source`` says whose credentials these are and where they were read from
    (names only, e.g. ``"read from avosms:apiId and avosms:apiKey"``); an
    :class:`~pulumi_avosms.errors.AuthenticationError` names it.

    Test hooks: ``session`` replaces the ``requests.Session``; ``_sleep``, ``_monotonic`` and
    ``_random`` replace ``time.sleep``, ``time.monotonic`` and ``random.random``.
    """

    def __init__(
        self,
        api_id: str,
        api_key: str,
        endpoint: str = ep.DEFAULT_ENDPOINT,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_retries: int = 4,
        max_retry_time: float = 60.0,
        read_cache_ttl: float = 2.0,
        session: requests.Session | None = None,
        pool_size: int = 32,
        max_in_flight: int | None = None,
        backoff_base: float = 0.5,
        backoff_max: float = 10.0,
        max_reply_bytes: int = MAX_REPLY_BYTES,
        max_information_bytes: int = MAX_INFORMATION_BYTES,
        credentials_source: str = msg.GIVEN_CREDENTIALS,
        _sleep: Callable[[float], None] = time.sleep,
        _monotonic: Callable[[], float] = time.monotonic,
        _random: Callable[[], float] = random.random,
    ) -> None:
        if not endpoint or not endpoint.strip():
            raise ConfigurationError(f"endpoint must be a URL such as {ep.DEFAULT_ENDPOINT}")
        if pool_size < 1:
            raise ConfigurationError("pool_size must be >= 1")
        self.api_id = api_id
        self.endpoint = endpoint.strip().rstrip("/")
        self.read_cache_ttl = float(read_cache_ttl)
        self.policy = RetryPolicy(
            max_retries=int(max_retries),
            max_retry_time=float(max_retry_time),
            backoff_base=float(backoff_base),
            backoff_max=float(backoff_max),
        )
        self._transport = Transport(
            self.endpoint,
            api_id,
            api_key,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_reply_bytes=max_reply_bytes,
            pool_size=pool_size,
            max_in_flight=max_in_flight,
            session=session,
            monotonic=_monotonic,
            credentials_source=credentials_source,
        )
        # After the transport's own check (user info, plain http), which quotes the URL
        # scrubbed: a key elsewhere in the URL would be in every error that quotes it.
        ep.refuse_key_in_endpoint(self.endpoint, "endpoint", [("api_key", api_key)])
        self._calls = CallRunner(
            self._transport, self.policy, sleep=_sleep, monotonic=_monotonic, random=_random
        )
        self._reads = SharedReads(_monotonic)
        # A list's contacts: up to the engine-derived limit, each contact read as it is parsed.
        self._information_reading = ReplyReading(max_information_bytes, decode_information)

    @property
    def connect_timeout(self) -> float:
        return self._transport.connect_timeout

    @property
    def read_timeout(self) -> float:
        return self._transport.read_timeout

    @property
    def max_retries(self) -> int:
        return self.policy.max_retries

    @property
    def max_retry_time(self) -> float:
        return self.policy.max_retry_time

    # -- housekeeping -------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"AvoSMSClient(endpoint={self.endpoint!r}, api_id={self.api_id!r})"

    def __reduce__(self) -> NoReturn:
        # Pickling would copy the API key into wherever the pickle goes (e.g. Pulumi state
        # via a dynamic provider's serialised closure): refuse loudly instead.
        raise PicklingRefusedError(
            "AvoSMSClient holds API credentials and cannot be pickled; create it inside the "
            "provider's methods instead"
        )

    def __enter__(self) -> AvoSMSClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Release pooled connections (only when the client created its session)."""
        self._transport.close()

    # -- reads ----------------------------------------------------------------------------------

    def get_list(self, list_id: str | int, max_age: float = 0.0) -> ContactListDetail:
        """One contact list with its contacts (``contact/list/information``).

        With ``max_age > 0`` a reply at most that old is reused and concurrent callers for the
        same list share one request. Writes through this client drop it.
        """
        key = str(list_id)
        return self._reads.get(("information", key), max_age, lambda: self._read_list(key))

    def list_lists(self, max_age: float = 0.0) -> list[ContactListInfo]:
        """All contact lists of the account (``contact/list``); ``max_age`` as for get_list."""
        return list(self._reads.get(_LISTING_KEY, max_age, lambda: tuple(self._read_lists())))

    def find_list_by_name(self, name: str, max_age: float = 0.0) -> ContactListInfo | None:
        """The list named ``name`` (exact match first, else a unique case-insensitive one)."""
        matches = match_name(self.list_lists(max_age=max_age), name)
        return matches[0] if matches else None

    def drop_cached_reads(self) -> None:
        """Forget every cached read (listing and lists' information); reads in flight are
        not stored."""
        self._reads.drop_all()

    # -- writes ---------------------------------------------------------------------------------

    def create_list(self, name: str, country_code: str) -> str:
        """Create a contact list and return its id (``contact/list/create``).

        Settled by :func:`_created_list_check` (the name looked up before any resend, and on
        ERR_104), so the list is never created twice and its id is not lost.
        """
        params = {"listContactName": name, "listContactCountryCode": country_code}
        return self._write(
            ep.CREATE_LIST,
            params,
            parse_created_id,
            Reconciliation(
                check=lambda deadline: _created_list_check(self, name, country_code, deadline),
                conflict_codes=frozenset({"ERR_104"}),
            ),
        )

    def rename_list(self, list_id: str | int, name: str) -> None:
        """Rename a contact list (``contact/list/rename``), settled by reading it back."""
        key = str(list_id)
        params = {"listContactId": key, "listContactName": name}
        self._write(
            ep.RENAME_LIST,
            params,
            _ignore_reply,
            Reconciliation(
                check=lambda deadline: _renamed_list_check(self, key, name, deadline),
                conflict_codes=frozenset({"ERR_104"}),
            ),
        )

    def add_contact(self, list_id: str | int, contact: ContactInfo) -> bool:
        """Add a contact to a list (``contact/add``); empty optional fields are not sent.

        True when AvoSMS answered that this call added it. After an attempt whose outcome is
        unknown, settled by :func:`_added_contact_check`: the contact counts as added only if
        it is there with the fields sent (else ERR_105 is a real conflict), and the answer is
        False, as it may have been there before the call (added by hand with those fields).
        """
        key = str(list_id)
        params = {k: v for k, v in _contact_params(key, contact).items() if v != "" or k in _ALWAYS}
        return self._write(
            ep.ADD_CONTACT,
            params,
            _added,
            Reconciliation(
                check=lambda deadline: _added_contact_check(self, key, contact, deadline),
                conflict_codes=frozenset({"ERR_105"}),
            ),
        )

    def update_contact(self, list_id: str | int, contact: ContactInfo) -> None:
        """Edit a contact found by its number (``contact/update``); every field is sent.

        AvoSMS clears omitted fields, so all of them are always sent; that also makes the call
        idempotent, so it is simply resent after an unknown outcome.
        """
        self._write(ep.UPDATE_CONTACT, _contact_params(str(list_id), contact), _ignore_reply)

    def delete_contact(self, list_id: str | int, phone_number: str) -> None:
        """Remove a contact from a list (``contact/delete``).

        ERR_104 ("no such contact") after an attempt with unknown outcome means our earlier
        attempt landed, and counts as success.
        """
        params = {"listContactId": str(list_id), "contactTelephoneNumber": phone_number}
        self._write(
            ep.DELETE_CONTACT,
            params,
            _ignore_reply,
            Reconciliation(conflict_codes=frozenset({"ERR_104"}), conflict_means_done=True),
        )

    # -- internals ------------------------------------------------------------------------------

    def _write(
        self,
        endpoint: str,
        params: Mapping[str, str],
        parse: Callable[[Mapping[str, Any]], _T],
        reconciliation: Reconciliation | None = None,
    ) -> _T:
        """Run a write; whatever its outcome, drop the cached reads (they may be stale)."""
        try:
            if reconciliation is None:
                return self._calls.run(endpoint, params, parse)
            return self._calls.run(endpoint, params, parse, reconciliation=reconciliation)
        finally:
            self._reads.drop_all()

    def _read_list(self, list_id: str, deadline: float | None = None) -> ContactListDetail:
        return self._calls.run(
            ep.LIST_INFORMATION,
            {"listContactId": list_id},
            lambda reply: parse_detail(list_id, reply),
            deadline=deadline,
            reading=self._information_reading,
        )

    def _read_lists(self, deadline: float | None = None) -> list[ContactListInfo]:
        return self._calls.run(ep.LIST_LISTS, {}, parse_listing, deadline=deadline)

    def _fresh_listing(self, deadline: float) -> tuple[ContactListInfo, ...]:
        # Always fresh, and stored for others: a cached one may predate our lost attempt.
        return self._reads.get(_LISTING_KEY, 0.0, lambda: tuple(self._read_lists(deadline)))


# -- the reconciliation of each write -----------------------------------------------------------


def _created_list_check(
    client: AvoSMSClient, name: str, country_code: str, deadline: float
) -> object:
    """The id of the list our create made, or NOT_IN_PLACE.

    Only a list our attempt could have made counts: the exact name and country, and no
    contacts yet. Anything else was there before (our attempt then failed on the name) and
    must not be taken over: the caller reports the name as taken, with how to adopt it.
    Remaining ambiguity: an empty list with this name and country that existed before is
    taken as ours, which is what adopting it would do anyway.
    """
    wanted = country_code.strip().upper()
    for candidate in client._fresh_listing(deadline):
        if (
            candidate.name == name
            and candidate.country_code == wanted
            and candidate.contact_count == 0
        ):
            return candidate.list_id
    return NOT_IN_PLACE


def _renamed_list_check(client: AvoSMSClient, list_id: str, name: str, deadline: float) -> object:
    """None when the list already has the new name, else NOT_IN_PLACE."""
    return None if client._read_list(list_id, deadline).name == name else NOT_IN_PLACE


def _added_contact_check(
    client: AvoSMSClient, list_id: str, contact: ContactInfo, deadline: float
) -> object:
    """False (in place, but maybe not by this call) when the contact is in the list with every
    field sent, else NOT_IN_PLACE.

    A contact with that number but other fields was there before (someone else's).
    """
    detail = client._read_list(list_id, deadline)
    sent = {name: value for name, value in contact.fields().items() if value}
    for live in detail.contacts:
        if same_number(live.phone_number, contact.phone_number, detail.country_code):
            fields = live.fields()
            same = all(fields[name] == value for name, value in sent.items())
            return False if same else NOT_IN_PLACE
    return NOT_IN_PLACE


def _ignore_reply(_: Mapping[str, Any]) -> None:
    return None


def _added(_: Mapping[str, Any]) -> bool:
    # contact/add answered OK: this call added the contact.
    return True


def _contact_params(list_id: str, contact: ContactInfo) -> dict[str, str]:
    """The form of ``contact/add`` and ``contact/update``: every field, by its AvoSMS name."""
    fields = contact.fields()
    params = {"listContactId": list_id, "contactTelephoneNumber": contact.phone_number}
    params.update({ep.CONTACT_FIELD_NAMES[name][0]: fields[name] for name in CONTACT_FIELDS})
    return params
