"""Fair admission: FIFO turns (FairSlots), and the retrieval queue in front of extractive answers and
/api/search (2 running, KHABAR_SEARCH_QUEUE_SIZE waiting, a bounded wait, then 503 + Retry-After)."""
from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient

from ui.queue import Busy, FairSlots, GenerationQueue


def test_turns_go_first_come_first_served():
    slots = FairSlots(1)
    assert slots.acquire()
    order: list[int] = []

    def waiter(i: int) -> None:
        assert slots.acquire(5)
        order.append(i)
        slots.release()

    threads = []
    for i in range(6):
        t = threading.Thread(target=waiter, args=(i,))
        t.start()
        threads.append(t)
        time.sleep(0.05)  # queued in this order
    slots.release()
    for t in threads:
        t.join(5)
    assert order == list(range(6))


def test_a_wait_past_max_wait_is_busy_and_gives_the_place_back():
    q = GenerationQueue(size=1, slots=1, max_wait=0.2)
    first = q.admit()
    first.__enter__()
    second = q.admit()
    t = time.perf_counter()
    try:
        second.__enter__()
        raise AssertionError("no turn was free")
    except Busy:
        pass
    assert 0.15 < time.perf_counter() - t < 2
    assert q.admitted == 1, "the timed-out request left the queue"
    first.close()
    with q.admit():
        assert q.admitted == 1


def test_extractive_answers_and_search_are_admitted_and_bounded(make_pipeline):
    from ui.app import create_app

    pipe = make_pipeline(None, search_queue_size=1)
    app = create_app(pipe.settings, pipe, web=False)
    client = TestClient(app, raise_server_exceptions=False)
    service = app.state.service
    assert client.post("/api/ask", json={"question": "Geneva talks"}).status_code == 200
    assert client.get("/api/search", params={"q": "Geneva"}).status_code == 200
    # both turns taken and the one waiting place filled: the next request is told to retry
    held = [service.search_queue.admit() for _ in range(2)]
    for h in held:
        h.__enter__()
    waiting = service.search_queue.admit()
    for r in (client.post("/api/ask", json={"question": "Geneva talks"}), client.get("/api/search", params={"q": "x"})):
        assert r.status_code == 503 and r.json()["error"]["code"] == "busy" and r.headers["retry-after"]
    waiting.close()
    for h in held:
        h.close()
    assert client.post("/api/ask", json={"question": "Geneva talks"}).status_code == 200
    assert service.search_queue.admitted == 0
