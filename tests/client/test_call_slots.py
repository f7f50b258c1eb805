"""CallSlots: a bound on calls in flight, freed slots handed over in order of arrival."""

from __future__ import annotations

import threading

from pulumi_avosms.client.call_slots import CallSlots


def test_slots_are_handed_to_waiters_in_the_order_they_came() -> None:
    slots = CallSlots(1)
    assert slots.acquire()
    order: list[int] = []
    queued = threading.Semaphore(0)

    def wait(i: int) -> None:
        queued.release()
        assert slots.acquire(timeout=10)
        order.append(i)
        slots.release()

    threads = []
    for i in range(5):
        thread = threading.Thread(target=wait, args=(i,))
        thread.start()
        queued.acquire()
        # Queued once the slot's lock holds it: wait until the waiter list has grown.
        while len(slots._waiters) < i + 1:
            threading.Event().wait(0.001)
        threads.append(thread)
    # The holder frees its slot then asks again at once: it goes behind the five waiters.
    slots.release()
    assert slots.acquire(timeout=10)
    order.append(99)
    slots.release()
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3, 4, 99]


def test_a_wait_past_its_timeout_takes_no_slot_and_leaves_the_queue() -> None:
    slots = CallSlots(2)
    assert slots.acquire() and slots.acquire()
    assert not slots.acquire(timeout=0.01)
    assert not slots._waiters
    slots.release()
    assert slots.acquire(timeout=0)
    assert not slots.acquire(timeout=0)
