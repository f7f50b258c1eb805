"""When a failed attempt is retried, how long to wait, and the time budget of one call.

Pure decisions, no I/O: :class:`RetryPolicy` classifies a failed attempt, computes the
backoff (full jitter, or the server's ``Retry-After`` capped by the budget left), and holds
the budget. The loop that applies them is :mod:`pulumi_avosms.client.calls`.
"""

from __future__ import annotations

import email.utils
import math
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import (
    APIConnectionError,
    APIError,
    ConfigurationError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)

__all__ = ["RetryPolicy", "parse_retry_after"]


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date), else ``None``."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > 64:  # no real Retry-After is longer; parse nothing huge
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long one API call may be retried.

    At most ``max_retries`` resends and ``max_retry_time`` seconds for the whole call (every
    attempt, wait and check included), with exponential backoff from ``backoff_base`` up to
    ``backoff_max`` seconds and full jitter.
    """

    # No defaults here: the client's constructor holds them (one place), and passes each.
    max_retries: int
    max_retry_time: float
    backoff_base: float
    backoff_max: float

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ConfigurationError("max_retries must be >= 0")

    @staticmethod
    def classify(error: APIError, read: bool) -> tuple[bool, bool]:
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

    def backoff(
        self, attempt: int, retry_after: float | None, remaining: float, random: float
    ) -> float:
        """Seconds to wait before attempt ``attempt + 1``; ``random`` is uniform in [0, 1)."""
        if retry_after is not None:
            delay = retry_after
        else:
            # Full jitter: spreads the retries of the provider's concurrent calls apart.
            ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
            delay = random * ceiling
        if math.isnan(delay):
            delay = 0.0
        return max(0.0, min(delay, remaining))
