"""HTTP transport: one ``requests.Session``, form POSTs, bounded replies, transport errors.

:class:`Transport` sends one request and returns the raw reply, or raises an
``APIConnectionError`` (or ``APITimeoutError``) that says whether the request may have been
sent. It never retries: that is the call loop's job, which knows which calls are safe to
resend.

The API key travels only in the form-encoded POST body; it is held here (name-mangled) and
never formatted, and no exception raised here quotes the request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import urlencode

import requests
import requests.adapters
import urllib3.exceptions
import urllib3.response
import urllib3.util

from .. import _messages as msg
from .._text import safe_text
from ..config import is_loopback_host, quotable_endpoint
from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ConfigurationError,
    PicklingRefusedError,
    UnexpectedResponseError,
)
from .attempt_deadline import AttemptDeadline, DeadlineAdapter
from .call_slots import CallSlots

__all__ = ["RawReply", "Transport"]

logger = logging.getLogger("pulumi_avosms.client")

_USER_AGENT = "pulumi-avosms/0.1 (+python-requests)"
_CHUNK = 64 * 1024
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class _Route:
    """How the requests to one endpoint are sent: a prepared request without its body, the
    session's adapter for the URL, and the ``send`` settings (proxies, verify, cert)."""

    request: requests.PreparedRequest
    adapter: requests.adapters.BaseAdapter
    settings: dict[str, Any]


@dataclass(frozen=True)
class RawReply:
    """An HTTP reply as received: status, headers and the whole (bounded) body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


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
    return safe_text(f"{type(inner).__name__}: {inner}", secrets, 240)


def _sends_to_loopback(base_url: str, secrets: tuple[str, ...]) -> bool:
    """Whether requests will connect to this machine, read by the parser requests sends with.

    The settings already refused plain http to anything else; this checks it again with the
    parser that decides where the request really goes, so the two can never disagree.
    """
    parts = urllib3.util.parse_url(base_url)
    loopback = parts.host is not None and is_loopback_host(parts.host)
    if (parts.scheme == "http" and not loopback) or parts.auth:
        shown = quotable_endpoint(base_url)
        raise ConfigurationError(
            safe_text(
                f"the API endpoint {shown!r} would send the API key in clear or to another "
                "host than it names; use https://, or http:// only for this machine",
                secrets,
                1000,
            )
        )
    return loopback


class Transport:
    """Sends form POSTs to ``base_url`` with the account's credentials; thread-safe.

    ``connect_timeout`` bounds opening a connection; ``read_timeout`` bounds each silence and
    the whole reply; replies over ``max_reply_bytes`` are cut off unread. ``pool_size``
    connections are kept for concurrent calls, and at most ``max_in_flight`` calls are in
    flight at once (None: no bound), the others waiting their turn in order of arrival.
    ``session`` (tests) replaces the session.
    ``credentials_source`` says whose credentials these are (names only), for the error
    AvoSMS's refusal of them becomes.
    """

    def __init__(
        self,
        base_url: str,
        api_id: str,
        api_key: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_reply_bytes: int,
        pool_size: int,
        max_in_flight: int | None = None,
        session: requests.Session | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        credentials_source: str = msg.GIVEN_CREDENTIALS,
    ) -> None:
        self.base_url = base_url
        loopback = _sends_to_loopback(base_url, (api_key,))
        self.api_id = api_id
        self.__api_key = api_key  # name-mangled and never formatted anywhere
        self.secrets = (api_key,)
        self.credentials_source = credentials_source
        self.connect_timeout = float(connect_timeout)
        self.read_timeout = float(read_timeout)
        self.max_reply_bytes = int(max_reply_bytes)
        self._monotonic = monotonic
        self._owns_session = session is None
        if session is None:
            session = requests.Session()
            # Retries are ours (they know which calls are safe to resend), so urllib3 makes
            # none; the pool holds enough connections for the provider's concurrent calls.
            adapter = DeadlineAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            session.headers["User-Agent"] = _USER_AGENT
            session.headers["Accept"] = "application/json"
            # No proxy for this machine: HTTP_PROXY would receive a plain-http key in clear and
            # cannot reach the embedded emulator. Remote https may go through the environment's
            # proxy (HTTPS_PROXY), and NO_PROXY is respected for it (requests reads both).
            session.trust_env = not loopback
        self._session = session
        self._routes: dict[str, _Route] = {}
        self._slots = CallSlots(max_in_flight) if max_in_flight else None

    def __reduce__(self) -> NoReturn:
        raise PicklingRefusedError(
            "the AvoSMS transport holds API credentials and cannot be pickled"
        )

    def url(self, endpoint: str) -> str:
        """Where requests to ``endpoint`` go (no credentials in it)."""
        return f"{self.base_url}/{endpoint}"

    def close(self) -> None:
        """Release pooled connections (only when the transport created its session)."""
        if self._owns_session:
            self._session.close()

    def attempt_seconds(self) -> float:
        """The wall-clock bound of one attempt: connecting, then the whole reply."""
        return self.connect_timeout + self.read_timeout

    def post_form(
        self,
        endpoint: str,
        params: Mapping[str, str],
        deadline: float | None = None,
        *,
        max_reply_bytes: int | None = None,
    ) -> RawReply:
        """POST ``params`` and the credentials to ``endpoint``; the reply, read in full.

        The attempt ends by :meth:`attempt_seconds` and by ``deadline`` (a ``monotonic``
        time, the call's hard bound), whichever comes first, once a call slot is free.
        ``max_reply_bytes`` replaces the transport's reply limit for this call.
        """
        slots = self._slots
        if slots is None:
            return self._attempt(endpoint, params, deadline, max_reply_bytes)
        # The wait for a slot is part of the call's budget, not of the attempt's bound.
        if not slots.acquire(None if deadline is None else deadline - self._monotonic()):
            url = self.url(endpoint)
            raise APITimeoutError(None, msg.budget_spent(url), endpoint, request_sent=False)
        try:
            return self._attempt(endpoint, params, deadline, max_reply_bytes)
        finally:
            slots.release()

    def _attempt(
        self,
        endpoint: str,
        params: Mapping[str, str],
        deadline: float | None,
        max_reply_bytes: int | None,
    ) -> RawReply:
        seconds = self.attempt_seconds()
        if deadline is not None:
            seconds = min(seconds, deadline - self._monotonic())
        url = self.url(endpoint)
        if seconds <= 0:
            raise APITimeoutError(None, msg.budget_spent(url), endpoint, request_sent=False)
        error: APIError | None = None
        response: requests.Response | None = None
        body = b""
        status: int = 0
        headers: Mapping[str, str] = {}
        with AttemptDeadline(seconds) as clock:
            try:
                response = self._open_response(endpoint, params)
            except requests.exceptions.RequestException as exc:
                error = self._transport_error(endpoint, exc)
            if response is not None:
                try:
                    limit = self.max_reply_bytes if max_reply_bytes is None else max_reply_bytes
                    body, error = self._read_bounded_body(endpoint, response, limit)
                    status, headers = response.status_code, response.headers
                    clock.finish()  # before the connection goes back to the pool
                finally:
                    response.close()
                # The response holds the request, whose body holds the key: keep it out of
                # the frame locals that a traceback formatter (Sentry, pytest -l) would print.
                del response
        if clock.expired:
            # Whatever the shut-down socket made of the reply, it is not the reply.
            error = APITimeoutError(
                None, msg.reply_too_slow(seconds, url), endpoint, status or None, request_sent=True
            )
        if error is not None:
            # Raised outside the except block: no requests exception (which may hold the
            # request body) becomes its __context__.
            raise error from None
        return RawReply(status, headers, body)

    def _open_response(self, endpoint: str, params: Mapping[str, str]) -> requests.Response:
        # Credentials go in the form body only: URLs end up in proxy and server logs. The form
        # is built here, never held by a frame that an APIError's traceback goes through.
        route = self._routes.get(endpoint)
        if route is None:
            route = self._routes[endpoint] = self._route(endpoint)
        form = {"id": self.api_id, "key": self.__api_key, **params}
        request = route.request.copy()
        request.prepare_body(urlencode(form).encode("ascii"), None)
        return route.adapter.send(
            request,
            stream=True,  # so a huge reply can be cut off instead of filling memory
            timeout=(self.connect_timeout, self.read_timeout),
            **route.settings,
        )

    def _route(self, endpoint: str) -> _Route:
        """What ``Session.post`` would work out for every call to ``endpoint``, worked out once.

        The URL, the session's headers, proxies and CA bundle (from the environment when
        ``trust_env``) are the same for every call, and ``Session.request`` recomputing them
        (with cookies and hooks, unused here) cost about 0.2 ms of CPU a call, which a step
        of thousands of calls pays on the plugin's one core. Redirects are not followed (a
        redirected POST becomes a GET without its body), and no cookie is kept.
        """
        url = self.url(endpoint)
        request = self._session.prepare_request(
            requests.Request("POST", url, headers={"Content-Type": _FORM})
        )
        merged = self._session.merge_environment_settings(url, {}, True, None, None)
        settings = {key: merged[key] for key in ("proxies", "verify", "cert")}
        return _Route(request, self._session.get_adapter(url), settings)

    def _read_bounded_body(
        self, endpoint: str, response: requests.Response, limit: int
    ) -> tuple[bytes, APIError | None]:
        status = response.status_code
        url = self.url(endpoint)
        too_big = UnexpectedResponseError(
            None, msg.reply_too_large(limit), endpoint, status, should_retry=False
        )
        declared = response.headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit() and int(declared[:20]) > limit:
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
                        msg.reply_too_slow(self.read_timeout, url),
                        endpoint,
                        status,
                        request_sent=True,
                    )
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
            if _is_read_timeout(exc):
                return b"", APITimeoutError(
                    None,
                    msg.reply_stalled(self.read_timeout, url),
                    endpoint,
                    status,
                    request_sent=True,
                )
            reason = _reason(exc, self.secrets)
            return b"", UnexpectedResponseError(
                None,
                msg.reply_cut_off(status, size, reason),
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
            yield from response.iter_content(chunk_size=_CHUNK)
            return
        while True:
            chunk = raw.read1(_CHUNK, decode_content=True)
            if not chunk:
                return
            yield chunk

    def _transport_error(self, endpoint: str, exc: BaseException) -> APIConnectionError:
        reason = _reason(exc, self.secrets)
        url = self.url(endpoint)
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return APITimeoutError(
                None, msg.connect_timeout(self.connect_timeout, url), endpoint, request_sent=False
            )
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return APITimeoutError(
                None, msg.read_timeout(self.read_timeout, url), endpoint, request_sent=True
            )
        if isinstance(exc, requests.exceptions.SSLError):
            return APIConnectionError(
                None,
                msg.tls_failed(url, reason),
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
                msg.unusable_url(url, reason),
                endpoint,
                request_sent=False,
                should_retry=False,
            )
        if isinstance(exc, requests.exceptions.ConnectionError) and _is_connect_failure(exc):
            return APIConnectionError(
                None, msg.connect_failed(url, reason), endpoint, request_sent=False
            )
        return APIConnectionError(
            None, msg.connection_broke(url, reason), endpoint, request_sent=True
        )
