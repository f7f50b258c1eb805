"""The client's shared read cache: replies of read endpoints, single-flight per key."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from ..errors import AvoSMSError

__all__ = ["SharedReads"]

_T = TypeVar("_T")


class _Flight:
    """One read request in flight that concurrent callers of the same key wait on."""

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None


class SharedReads:
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

    def drop_all(self) -> None:
        """Forget every cached reply; requests already in flight will not be stored."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def _store(self, key: Hashable, generation: int, started: float, value: Any) -> None:
        with self._lock:
            if generation == self._generation:
                self._entries[key] = (started, value)
