"""One API call: attempts with retries, and the settling of a write whose outcome is unknown.

:class:`CallRunner` sends an attempt through the transport, maps the reply to an error
(:mod:`.reply_errors`) or parses it (:mod:`.replies`), and applies the retry policy. A write
that may have been applied is never resent blindly: its :class:`Reconciliation` looks first.
Errors are never edited: the one finally raised is a new error with the call's context.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from .. import _messages as msg
from .._text import scrub
from ..errors import APIError, UnexpectedResponseError
from .endpoints import READ_ENDPOINTS
from .replies import MalformedReply, ReplyTooComplex, decode_reply
from .reply_errors import error_from_reply
from .retry_policy import RetryPolicy
from .transport import Transport

__all__ = ["NOT_IN_PLACE", "CallRunner", "Reconciliation", "ReplyReading"]

logger = logging.getLogger("pulumi_avosms.client")

_T = TypeVar("_T")


class _NotInPlace:
    """Sentinel type: a reconciliation check found nothing (``None`` is a valid result)."""


#: What a reconciliation check returns when the write is not (yet) in place.
NOT_IN_PLACE = _NotInPlace()


@dataclass(frozen=True)
class Reconciliation:
    """How one write is settled when an attempt's outcome is unknown.

    ``check(deadline)`` looks whether the change is in place and returns the call's result,
    or :data:`NOT_IN_PLACE`; it runs before a resend. ``conflict_codes`` on a resend may be our
    own earlier attempt: success if ``conflict_means_done``, else ``check`` decides.
    """

    check: Callable[[float], object] | None = None
    conflict_codes: frozenset[str] = field(default_factory=frozenset)
    conflict_means_done: bool = False


_NO_RECONCILIATION = Reconciliation()


@dataclass(frozen=True)
class ReplyReading:
    """How a call's reply is read when it is not like the others: at most ``max_bytes``
    (``None``: the transport's limit), decoded by ``decode`` (bytes -> JSON value, raising
    ``ValueError`` for what is not JSON and :class:`ReplyTooComplex`)."""

    max_bytes: int | None = None
    decode: Callable[[bytes], object] = decode_reply


_ORDINARY_READING = ReplyReading()


def _echoes(body: bytes, secrets: tuple[str, ...]) -> bool:
    """Whether ``body`` holds one of ``secrets`` in any spelling or case."""
    text = body.decode("utf-8", "replace")
    return scrub(text, secrets) != text


def _with_note(error: APIError, note: str, *, outcome_unknown: bool | None = None) -> APIError:
    """A new error like ``error`` whose message ends with ``note`` (and, if given, that
    ``outcome_unknown``)."""
    return error.replace(message=f"{error.message}; {note}", outcome_unknown=outcome_unknown)


class CallRunner:
    """Runs API calls through ``transport`` under ``policy``; thread-safe.

    ``sleep``, ``monotonic`` and ``random`` replace ``time.sleep``, ``time.monotonic`` and
    ``random.random`` (tests).
    """

    def __init__(
        self,
        transport: Transport,
        policy: RetryPolicy,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = random.random,
    ) -> None:
        self.transport = transport
        self.policy = policy
        self._sleep = sleep
        self._monotonic = monotonic
        self._random = random

    def run(
        self,
        endpoint: str,
        params: Mapping[str, str],
        parse: Callable[[Mapping[str, Any]], _T],
        *,
        deadline: float | None = None,
        reconciliation: Reconciliation = _NO_RECONCILIATION,
        reading: ReplyReading | None = None,
    ) -> _T:
        """The call's parsed result after at most the policy's attempts, or its last error.

        ``deadline`` (a ``monotonic`` time) is a hard bound on the whole call, every attempt,
        wait and reconciliation check included. By default it is the policy's budget from
        now, except that the first attempt always gets its own full bound (so a budget of 0
        still makes one attempt).
        """
        read = endpoint in READ_ENDPOINTS
        started = self._monotonic()
        first_bound: float | None = deadline
        if deadline is None:
            deadline = started + self.policy.max_retry_time
        rec = reconciliation
        uncertain = False  # some earlier attempt may have been applied
        attempt = 0
        while True:
            attempt += 1
            try:
                bound = first_bound if attempt == 1 else deadline
                return self.request_once(endpoint, params, parse, attempt, bound, reading)
            except APIError as exc:
                error = exc
            # Decisions are made outside the except block so that nothing raised below gets
            # a requests exception (which may hold the request body) as its __context__.

            if uncertain and error.code in rec.conflict_codes:
                if rec.conflict_means_done:
                    logger.debug("%s: %s after an unknown outcome: done", endpoint, error.code)
                    return cast(_T, None)
                if rec.check is not None:
                    try:
                        found = rec.check(deadline)
                    except APIError as check_error:
                        # The honest answer is that we could not tell: say so.
                        raise _with_note(
                            check_error, msg.check_failed(endpoint), outcome_unknown=True
                        ) from None
                    if found is not NOT_IN_PLACE:
                        logger.debug("%s: reconciled after %s", endpoint, error.code)
                        return cast(_T, found)
                raise self._final(error, attempt, started) from None

            retryable, maybe_applied = self.policy.classify(error, read)
            uncertain = uncertain or maybe_applied
            remaining = deadline - self._monotonic()
            if error.retry_after is not None and error.retry_after > remaining:
                # Waiting out part of it would only spend the budget on a resend that AvoSMS
                # said it would refuse.
                error = _with_note(error, msg.wait_exceeds_budget(error.retry_after))
                retryable = False
            if not retryable or attempt > self.policy.max_retries or remaining <= 0:
                if uncertain and rec.check is not None:
                    found = self._check_quietly(endpoint, rec, deadline)
                    if found is not NOT_IN_PLACE:
                        return cast(_T, found)
                if uncertain:  # only writes are ever uncertain
                    error = _with_note(error, msg.OUTCOME_UNKNOWN, outcome_unknown=True)
                raise self._final(error, attempt, started) from None

            delay = self.policy.backoff(attempt, error.retry_after, remaining, self._random())
            logger.debug(
                "%s attempt %d failed (%s); retrying in %.2f s",
                endpoint,
                attempt,
                error.code,
                delay,
            )
            self._sleep(delay)
            if uncertain and rec.check is not None:
                found = self._check_quietly(endpoint, rec, deadline)
                if found is not NOT_IN_PLACE:
                    return cast(_T, found)
            if self._monotonic() >= deadline:
                # The budget is a hard bound: no resend starts after it, and the error the
                # user sees is the last real one, not "no time left".
                if uncertain:
                    error = _with_note(error, msg.OUTCOME_UNKNOWN, outcome_unknown=True)
                raise self._final(error, attempt, started) from None

    def _check_quietly(self, endpoint: str, rec: Reconciliation, deadline: float) -> object:
        # Before a resend, a failed check is not fatal: the resend itself is safe (names are
        # unique, so a duplicate create gets ERR_104, which is checked again).
        assert rec.check is not None
        try:
            return rec.check(deadline)
        except APIError as exc:
            logger.debug("%s: reconciliation check failed (%s)", endpoint, exc.code)
            return NOT_IN_PLACE

    def _final(self, error: APIError, attempts: int, started: float) -> APIError:
        """The error to raise: ``error`` with the attempts made (a new error)."""
        if attempts > 1:
            elapsed = self._monotonic() - started
            return error.replace(
                message=f"{error.message} ({msg.gave_up(attempts, elapsed)})", attempts=attempts
            )
        return error.replace(attempts=attempts)

    def request_once(
        self,
        endpoint: str,
        params: Mapping[str, str],
        parse: Callable[[Mapping[str, Any]], _T],
        attempt: int = 1,
        deadline: float | None = None,
        reading: ReplyReading | None = None,
    ) -> _T:
        """One HTTP request (ended by ``deadline``); the parsed result, or an APIError."""
        reading = reading or _ORDINARY_READING
        try:
            reply = self.transport.post_form(
                endpoint, params, deadline, max_reply_bytes=reading.max_bytes
            )
        except APIError as exc:
            logger.debug("%s attempt %d: %s", endpoint, attempt, type(exc).__name__)
            raise
        payload: object = reply.body
        try:
            payload = reading.decode(reply.body)
        except ReplyTooComplex as exc:
            raise UnexpectedResponseError(
                None,
                msg.reply_too_complex(exc.limit),
                endpoint,
                reply.status,
                should_retry=False,
            ) from None
        except (ValueError, RecursionError):
            pass
        if isinstance(payload, str):
            payload = reply.body  # a bare JSON string: let error_from_reply describe the raw reply
        error = error_from_reply(
            endpoint,
            reply.status,
            payload,
            reply.headers,
            secrets=self.transport.secrets,
            url=self.transport.url(endpoint),
            credentials_source=self.transport.credentials_source,
        )
        logger.debug(
            "%s attempt %d: HTTP %d %s",
            endpoint,
            attempt,
            reply.status,
            "OK" if error is None else (error.code or type(error).__name__),
        )
        if error is not None:
            raise error
        assert isinstance(payload, dict)
        secrets = self.transport.secrets
        try:
            return parse(payload)
        except MalformedReply as exc:
            problem = str(exc)
            if scrub(problem, secrets) != problem or _echoes(reply.body, secrets):
                # A quoted value is cut to 40 characters, which could cut a key past the
                # scrub: quote nothing of a reply that holds the key.
                problem = "it is not the documented shape (it holds the API key: nothing quoted)"
        except Exception as exc:
            problem = f"its content could not be read ({type(exc).__name__})"
        raise UnexpectedResponseError(
            None, msg.malformed_success(problem), endpoint, reply.status, should_retry=False
        ) from None
