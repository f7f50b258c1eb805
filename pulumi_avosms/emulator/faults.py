"""Fault plans: what the next N API calls do wrong.

``server.faults.add(kind, count=1, endpoint=None, **opts)`` queues a fault that affects the
next ``count`` API calls (only those to ``endpoint`` when given, e.g.
``"contact/list/create"``; a name that is not an API endpoint is refused with ValueError,
so a typo cannot make a fault that never fires). Faults are consumed in the order they
were added; each call consumes at most one fault, under a lock, so two concurrent calls
never share a single fault. A call takes its fault after the ``latency`` wait, just before
it is processed (a call aborted during that wait leaves the fault queued). Admin
(``/_emulator/``) calls are never faulted.

The kinds (:data:`FAULT_KINDS`), what a client sees with each and whether the change is
applied are documented once, in ``docs/emulator.md``. ``truncated`` models a reply lost on
the way back from a request AvoSMS did process, so the change IS applied (the nastier case
for a client: it must reconcile, not blindly retry).
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from .api import ROUTES as API_ROUTES

__all__ = ["FAULT_KINDS", "Fault", "FaultPlan", "check_seconds"]

#: Every supported fault kind, with the options each accepts.
FAULT_KINDS: dict[str, frozenset[str]] = {
    "err9xx": frozenset({"code"}),
    "http429": frozenset({"retry_after"}),
    "http500": frozenset(),
    "http502": frozenset(),
    "http503": frozenset({"retry_after"}),
    "html": frozenset(),
    "truncated": frozenset(),
    "delay": frozenset({"seconds"}),
    "drop_before": frozenset(),
    "drop_after": frozenset(),
}

#: HTTP status of each "http*" kind.
HTTP_STATUS: dict[str, int] = {"http429": 429, "http500": 500, "http502": 502, "http503": 503}


def check_seconds(value: object, what: str) -> float:
    """``value`` as a finite number of seconds >= 0, or ValueError naming ``what``."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number of seconds, not {value!r}")
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number of seconds, not {value!r}") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{what} must be a finite number of seconds >= 0, not {value!r}")
    return seconds


@dataclass
class Fault:
    """One queued fault; ``remaining`` calls are still to be affected."""

    kind: str
    remaining: int
    endpoint: str | None = None
    opts: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str:
        """The ERR_9xx code of an ``err9xx`` fault."""
        return str(self.opts.get("code", "ERR_901"))

    @property
    def retry_after(self) -> float | str | None:
        """Retry-After value of an http429/http503 fault (seconds, or a verbatim string)."""
        value = self.opts.get("retry_after")
        return value if value is None or isinstance(value, str) else float(value)

    @property
    def seconds(self) -> float:
        """Delay of a ``delay`` fault."""
        return float(self.opts.get("seconds", 1.0))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (admin route GET /_emulator/faults)."""
        return {
            "kind": self.kind,
            "remaining": self.remaining,
            "endpoint": self.endpoint,
            **self.opts,
        }


class FaultPlan:
    """Thread-safe queue of :class:`Fault` consumed by API calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        kind: str,
        count: int = 1,
        endpoint: str | None = None,
        *,
        code: str | None = None,
        retry_after: float | str | None = None,
        seconds: float | None = None,
    ) -> Fault:
        """Make the next ``count`` API calls (to ``endpoint`` only, when given) fail as ``kind``.

        Options: ``code`` for err9xx (``"ERR_9xx"``, default ``"ERR_901"``); ``retry_after``
        for http429/http503 (seconds as float → ``Retry-After: 0.5`` — fractional values are
        non-standard but keep tests fast — or a str sent verbatim, e.g. an HTTP date);
        ``seconds`` for delay. Raises ValueError on an unknown kind or option, and on an
        ``endpoint`` that is not an API endpoint (a typo would otherwise never fire).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {sorted(FAULT_KINDS)}")
        given = {"code": code, "retry_after": retry_after, "seconds": seconds}
        opts: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
        unknown = set(opts) - FAULT_KINDS[kind]
        if unknown:
            raise ValueError(f"fault {kind!r} takes no option(s) {sorted(unknown)}")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("count must be a positive integer")
        if kind == "err9xx":
            code = str(opts.setdefault("code", "ERR_901"))
            if not re.fullmatch(r"ERR_9\d\d", code):
                raise ValueError(f"err9xx code must look like ERR_9xx, not {code!r}")
        if kind == "delay":
            opts["seconds"] = check_seconds(opts.get("seconds", 1.0), "delay seconds")
        retry_after = opts.get("retry_after")
        if isinstance(retry_after, str):
            # Sent verbatim as a header value: CR/LF would inject headers or split the reply.
            if not retry_after.isprintable() or not retry_after.isascii():
                raise ValueError("retry_after text must be printable ASCII (no CR, LF)")
        elif retry_after is not None:
            opts["retry_after"] = check_seconds(retry_after, "retry_after")
        if endpoint is not None:
            if not isinstance(endpoint, str) or endpoint.strip("/") not in API_ROUTES:
                raise ValueError(
                    f"unknown endpoint {endpoint!r}; valid endpoints: {sorted(API_ROUTES)}"
                )
            endpoint = endpoint.strip("/")
        fault = Fault(kind=kind, remaining=count, endpoint=endpoint, opts=dict(opts))
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, endpoint: str) -> Fault | None:
        """Consume one call's worth of the first fault matching ``endpoint`` (atomic)."""
        with self._lock:
            for fault in self._faults:
                if fault.endpoint is None or fault.endpoint == endpoint:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[Fault]:
        """Faults not yet used up (copies are not made: do not mutate)."""
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)
