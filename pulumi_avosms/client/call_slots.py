"""The calls in flight to one account: at most a number at once, served in arrival order.

Every step a plugin runs at once (the engine sends up to 4) shares its account's client, so
``avosms:maxConcurrency`` bounds the account's calls in flight, not each step's: two
ContactListMembers steps at 64 make 64 calls at once, not 128.
"""

from __future__ import annotations

import threading
from collections import deque

__all__ = ["CallSlots"]


class CallSlots:
    """A semaphore of ``size`` slots that hands a freed slot to the longest waiter.

    First come, first served, so steps sharing the slots all make progress: a thread that
    frees a slot and asks again at once queues behind those already waiting
    (``threading.Semaphore`` lets it take the slot back).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._free = size
        self._waiters: deque[threading.Lock] = deque()

    def acquire(self, timeout: float | None = None) -> bool:
        """Take a slot, waiting at most ``timeout`` seconds (None: as long as it takes);
        whether one was taken."""
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                return True
            waiter = threading.Lock()
            waiter.acquire()
            self._waiters.append(waiter)
        if waiter.acquire(timeout=-1 if timeout is None else max(timeout, 0.0)):
            return True  # release() handed its slot over
        with self._lock:
            try:
                self._waiters.remove(waiter)
            except ValueError:
                return True  # handed over between the timeout and the lock
        return False

    def release(self) -> None:
        """Free a slot: the longest waiter gets it, if any."""
        with self._lock:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._free += 1
