"""A wall-clock deadline for one HTTP attempt: connect, status line, headers and body.

Socket timeouts bound each read, not the reply: a server trickling its status line, or
sending ``100 Continue`` without end, would hold a call for ever. :class:`DeadlineAdapter`
tells each connection which attempt it serves; when the attempt's :class:`AttemptDeadline`
passes, a timer shuts the connection's socket down, which ends whatever read is blocked.
"""

from __future__ import annotations

import contextlib
import socket
import threading
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
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> AttemptDeadline:
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.finish()

    def finish(self) -> None:
        """Disarm (idempotent); call it before the connection goes back to the pool."""
        self._timer.cancel()
        _current.deadline = None
        with self._lock:
            # A timer firing from now on must not shut a connection back in the pool.
            self._finished = True
            self._connections.clear()

    def watch(self, connection: Any) -> None:
        """Shut ``connection`` down if the deadline passes while the attempt uses it."""
        with self._lock:
            self._connections.append(connection)
            expired = self.expired
        if expired:
            _shut(connection)

    def _expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)


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
