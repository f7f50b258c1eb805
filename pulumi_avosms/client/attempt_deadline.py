"""A wall-clock deadline for one HTTP attempt: connect, status line, headers and body.

Socket timeouts bound each read, not the reply: a server trickling its status line, or
sending ``100 Continue`` without end, would hold a call for ever. :class:`DeadlineAdapter`
tells each connection which attempt it serves; when the attempt's :class:`AttemptDeadline`
passes, the process's one watchdog thread shuts the connection's socket down, which ends
whatever read is blocked.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from typing import Any

import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["AttemptDeadline", "DeadlineAdapter"]

_current = threading.local()


class AttemptDeadline:
    """Armed for ``seconds`` around one attempt (a context manager); ``expired`` tells."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, seconds)
        self.expired = False
        self._finished = False
        self._lock = threading.Lock()
        self._connections: list[Any] = []

    def __enter__(self) -> AttemptDeadline:
        _current.deadline = self
        _WATCHDOG.arm(time.monotonic() + self.seconds, self)
        return self

    def __exit__(self, *_: object) -> None:
        self.finish()

    @property
    def finished(self) -> bool:
        """Whether :meth:`finish` was called (the watchdog then forgets it)."""
        return self._finished

    def finish(self) -> None:
        """Disarm (idempotent); call it before the connection goes back to the pool."""
        _current.deadline = None
        with self._lock:
            # The watchdog expiring it from now on must not shut a connection back in the pool.
            self._finished = True
            self._connections.clear()

    def watch(self, connection: Any) -> None:
        """Shut ``connection`` down if the deadline passes while the attempt uses it."""
        with self._lock:
            self._connections.append(connection)
            expired = self.expired
        if expired:
            _shut(connection)

    def expire(self) -> None:
        """The deadline passed: shut down the connections the attempt uses (unless finished)."""
        with self._lock:
            if self._finished:
                return
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)


class _Watchdog:
    """One daemon thread that expires attempts at their deadlines, earliest first.

    A ``threading.Timer`` per attempt would start and stop a thread for every API call.
    Finished attempts are dropped lazily: when they reach the top, or when they make up
    most of the heap.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, AttemptDeadline]] = []
        self._order = itertools.count()  # ties: no comparison of AttemptDeadline objects
        self._compact_at = 256
        self._thread: threading.Thread | None = None

    def arm(self, at: float, deadline: AttemptDeadline) -> None:
        """Expire ``deadline`` at ``at`` (a ``time.monotonic`` time) unless it finishes first."""
        entry = (at, next(self._order), deadline)
        with self._cond:
            if len(self._heap) >= self._compact_at:
                self._heap = [e for e in self._heap if not e[2].finished]
                heapq.heapify(self._heap)
                self._compact_at = max(256, 2 * len(self._heap))
            heapq.heappush(self._heap, entry)
            if self._heap[0] is entry:
                self._cond.notify()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="avosms-attempt-deadlines", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                due = self._next_due()
            due.expire()

    def _next_due(self) -> AttemptDeadline:
        # Called with the lock held; waits until the earliest unfinished deadline passes.
        while True:
            heap = self._heap
            while heap and heap[0][2].finished:
                heapq.heappop(heap)
            if not heap:
                self._cond.wait()
                continue
            wait = heap[0][0] - time.monotonic()
            if wait <= 0:
                return heapq.heappop(heap)[2]
            self._cond.wait(wait)


_WATCHDOG = _Watchdog()


def _shut(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    # The plain socket's shutdown, even under TLS: it wakes the blocked reader without
    # touching the TLS object that thread is using.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watch(connection: Any) -> None:
    deadline: AttemptDeadline | None = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.watch(connection)


class _WatchedHTTPPool(HTTPConnectionPool):
    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        _watch(conn)
        return super()._make_request(conn, *args, **kwargs)


class _WatchedHTTPSPool(HTTPSConnectionPool):
    def _validate_conn(self, conn: Any) -> None:
        _watch(conn)  # TLS connects (and handshakes) here, before _make_request
        super()._validate_conn(conn)

    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        _watch(conn)
        return super()._make_request(conn, *args, **kwargs)


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections obey the current :class:`AttemptDeadline`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> urllib3.PoolManager:
        manager = super().proxy_manager_for(proxy, **kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager
