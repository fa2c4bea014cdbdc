"""Bounded queues: in front of the LLM (one generation at a time, at most `size` waiting), and in
front of retrieval-only requests (extractive answers, /api/search: two at a time, at most `size`
waiting, none longer than `max_wait` seconds).

`admit()` is non-blocking and decides at once (so a REST handler can still answer 503 before a
response starts); the returned ticket then waits its turn when entered and frees its place when
left, from whatever thread (a streamed response may resume on another worker thread). Turns are
handed out first come, first served (FairSlots): no request can be overtaken indefinitely.
"""
from __future__ import annotations

import threading
from collections import deque


class Busy(Exception):
    """The queue is full."""


class FairSlots:
    """A FIFO semaphore: a freed slot goes straight to the longest waiter. Released by any thread."""

    def __init__(self, slots: int) -> None:
        self._free = max(1, slots)
        self._lock = threading.Lock()
        self._waiters: deque[threading.Event] = deque()

    def acquire(self, timeout: float | None = None) -> bool:
        with self._lock:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return True
            granted = threading.Event()
            self._waiters.append(granted)
        if granted.wait(timeout):
            return True
        with self._lock:
            if granted.is_set():  # handed over just as the wait ran out
                return True
            self._waiters.remove(granted)
            return False

    def release(self) -> None:
        with self._lock:
            if self._waiters:
                self._waiters.popleft().set()
            else:
                self._free += 1


class GenerationQueue:
    def __init__(self, size: int, slots: int = 1, max_wait: float | None = None) -> None:
        self.size = max(0, size)
        self.slots = max(1, slots)
        self.max_wait = max_wait  # None: wait as long as it takes (a generation's length is bounded)
        self._admitted = 0  # running + waiting
        self._count_lock = threading.Lock()
        self._turn = FairSlots(self.slots)

    @property
    def admitted(self) -> int:
        return self._admitted

    def admit(self) -> "Ticket":
        with self._count_lock:
            if self._admitted >= self.slots + self.size:
                raise Busy(f"{self._admitted - self.slots} waiting (limit {self.size})")
            self._admitted += 1
        return Ticket(self)

    def _leave(self) -> None:
        with self._count_lock:
            self._admitted -= 1


class Ticket:
    """A place in the queue: `with ticket:` waits for the turn; leaving (or close()) gives it up."""

    def __init__(self, queue: GenerationQueue) -> None:
        self.queue = queue
        self._has_turn = False
        self._closed = False
        self._lock = threading.Lock()

    def __enter__(self) -> "Ticket":
        """Waits for the turn; Busy (and the place given up) if that takes longer than max_wait."""
        if not self.queue._turn.acquire(self.queue.max_wait):
            self.close()
            raise Busy(f"no turn within {self.queue.max_wait:g} s")
        self._has_turn = True
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Idempotent: frees the turn (if held) and the place."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._has_turn:
                self._has_turn = False
                self.queue._turn.release()
            self.queue._leave()


class NoQueue:
    """For a pipeline without an LLM (extractive answers): nothing to wait for, no place taken."""

    def __enter__(self) -> "NoQueue":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def close(self) -> None:
        return None
