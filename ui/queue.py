"""A bounded queue in front of the LLM: one generation at a time, at most `size` waiting.

`admit()` is non-blocking and decides at once (so a REST handler can still answer 503 before a
response starts); the returned ticket then waits its turn when entered and frees its place when
left, from whatever thread (a streamed response may resume on another worker thread).
"""
from __future__ import annotations

import threading


class Busy(Exception):
    """The queue is full."""


class GenerationQueue:
    def __init__(self, size: int) -> None:
        self.size = max(0, size)
        self._admitted = 0  # generating + waiting
        self._count_lock = threading.Lock()
        self._turn = threading.Semaphore(1)  # a semaphore, not a Lock: released by any thread

    @property
    def admitted(self) -> int:
        return self._admitted

    def admit(self) -> "Ticket":
        with self._count_lock:
            if self._admitted >= 1 + self.size:
                raise Busy(f"{self._admitted - 1} waiting (limit {self.size})")
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
        self.queue._turn.acquire()
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
