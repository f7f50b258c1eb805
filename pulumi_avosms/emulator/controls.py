"""The emulator's controls: storage plus the transport state a test steers or inspects.

:class:`EmulatorControls` is what the ``/_emulator/`` routes act on (moto's control plane
is likewise just another service): the backend (data), the fault plan, the traffic
counters, the bounded request log and the latency. :meth:`EmulatorControls.reset` resets
all of it; ``backend.reset()`` resets the data only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, overload

from .backend import EmulatorBackend
from .faults import FaultPlan, check_seconds

__all__ = ["MAX_LOGGED_REQUESTS", "EmulatorControls", "RequestLog", "RequestRecord", "Stats"]

#: Requests the log keeps (the oldest are dropped first), so a long run cannot fill memory.
MAX_LOGGED_REQUESTS = 10_000


@dataclass
class RequestRecord:
    """One request received under ``/v1/`` (admin calls are not recorded).

    ``form`` is the full parsed body — including ``id`` and ``key``: the log exists to let
    tests prove that credentials travel in the body only (never in ``query``/``headers``).
    Over HTTP (``GET /_emulator/requests``) the value of ``key`` is replaced by ``***``.
    ``fault`` is the kind of fault that affected the call, if any.
    """

    endpoint: str
    method: str
    path: str
    query: str
    form: dict[str, str]
    headers: dict[str, str]
    fault: str | None = None


class RequestLog:
    """The last :data:`MAX_LOGGED_REQUESTS` API requests, oldest first (thread-safe).

    Reads like a list: ``len(log)``, ``log[-1]``, iteration (over a copy), ``bool(log)``.
    """

    def __init__(self, limit: int = MAX_LOGGED_REQUESTS) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        """Log one request, dropping the oldest ones beyond the limit."""
        with self._lock:
            self._records.append(record)
            excess = len(self._records) - self.limit
            if excess > 0:
                del self._records[:excess]

    def clear(self) -> None:
        """Forget every logged request."""
        with self._lock:
            self._records.clear()

    def snapshot(self) -> list[RequestRecord]:
        """A copy of the logged requests, oldest first."""
        with self._lock:
            return list(self._records)

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.snapshot())

    @overload
    def __getitem__(self, index: int) -> RequestRecord: ...
    @overload
    def __getitem__(self, index: slice) -> list[RequestRecord]: ...
    def __getitem__(self, index: int | slice) -> RequestRecord | list[RequestRecord]:
        with self._lock:
            return self._records[index]


class Stats:
    """Thread-safe counters of API traffic; admin calls are not counted.

    ``connections`` counts every TCP connection accepted (admin ones included): with
    keep-alive, a client making 5 calls through one session opens 1 connection.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self._calls: dict[str, int] = {}
            self._bytes_in: dict[str, int] = {}
            self._bytes_out: dict[str, int] = {}
            self._connections = 0
            self._total_calls = 0
            self._in_flight = 0
            self._max_in_flight = 0

    def count_call(self, endpoint: str, body_bytes: int) -> None:
        """One API call to ``endpoint`` whose body had ``body_bytes`` bytes."""
        with self._lock:
            self._calls[endpoint] = self._calls.get(endpoint, 0) + 1
            self._bytes_in[endpoint] = self._bytes_in.get(endpoint, 0) + body_bytes
            self._total_calls += 1

    def call_started(self) -> None:
        """An API call is being served (from its request read to its reply sent)."""
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def call_finished(self) -> None:
        """An API call was answered (or dropped)."""
        with self._lock:
            self._in_flight = max(self._in_flight - 1, 0)

    def count_out(self, endpoint: str, body_bytes: int) -> None:
        """A reply body of ``body_bytes`` bytes sent for ``endpoint``."""
        with self._lock:
            self._bytes_out[endpoint] = self._bytes_out.get(endpoint, 0) + body_bytes

    def count_connection(self) -> None:
        """One TCP connection accepted."""
        with self._lock:
            self._connections += 1

    @property
    def total_calls(self) -> int:
        """API calls received since the last reset."""
        with self._lock:
            return self._total_calls

    @property
    def connections(self) -> int:
        """TCP connections accepted since the last reset."""
        with self._lock:
            return self._connections

    def calls(self, endpoint: str) -> int:
        """API calls received for one endpoint since the last reset."""
        with self._lock:
            return self._calls.get(endpoint, 0)

    def snapshot(self) -> dict[str, Any]:
        """Plain-dict copy: {"calls", "bytes_in", "bytes_out", "connections", "total_calls",
        "max_in_flight"} (the most API calls served at once since the last reset)."""
        with self._lock:
            return {
                "calls": dict(self._calls),
                "bytes_in": dict(self._bytes_in),
                "bytes_out": dict(self._bytes_out),
                "connections": self._connections,
                "total_calls": self._total_calls,
                "max_in_flight": self._max_in_flight,
            }


class EmulatorControls:
    """Everything the admin routes and tests act on; owned by one :class:`EmulatorServer`.

    ``abort`` is set, then replaced, on every :meth:`reset` (and set by the server's stop):
    a call still waiting (latency, delay fault) when the test that made it is over is
    dropped, instead of acting on the next test's state.
    """

    def __init__(self, backend: EmulatorBackend, latency: float = 0.0) -> None:
        self.backend = backend
        self.faults = FaultPlan()
        self.stats = Stats()
        self.request_log = RequestLog()
        self._latency = check_seconds(latency, "latency")
        self.abort = threading.Event()

    @property
    def latency(self) -> float:
        """Seconds waited before every API call (finite, >= 0)."""
        return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._latency = check_seconds(seconds, "latency")

    def wait(self, abort: threading.Event, seconds: float) -> bool:
        """Wait ``seconds`` (the latency, a delay fault) unless ``abort`` is set first.

        True when aborted; never sleeps for ``seconds <= 0``. The one place a call waits, so
        a test can see the waits asked for without timing them.
        """
        if seconds <= 0:
            return abort.is_set()
        return abort.wait(seconds)

    def reset(self) -> None:
        """Forget data, faults, counters, the request log and latency; drop waiting calls."""
        previous, self.abort = self.abort, threading.Event()
        previous.set()
        self.backend.reset()
        self.faults.clear()
        self.stats.reset()
        self.request_log.clear()
        self._latency = 0.0
