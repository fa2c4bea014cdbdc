"""Pipeline events off the worker threads, and their framing as server-sent events (FastAPI's own
SSE encoder, `fastapi.sse.format_sse_event`, and its `EventSourceResponse`)."""
from __future__ import annotations

import json
from typing import Any, AsyncIterator

from fastapi.sse import EventSourceResponse, format_sse_event
from starlette.concurrency import run_in_threadpool

from .service import Run

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_END = object()


def sse(event: str | None, data: Any) -> bytes:
    """One server-sent event (`event:` line only when named); data is JSON, or a literal string."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return format_sse_event(data_str=payload, event=event)


def sse_response(stream) -> EventSourceResponse:
    return EventSourceResponse(stream, headers=SSE_HEADERS)


def _next(run: Run):
    return next(run, _END)


async def events(run: Run) -> AsyncIterator[Any]:
    """The run's events, one at a time from a worker thread; the run (and its queue place) is always
    closed, also when the client goes away."""
    try:
        while True:
            event = await run_in_threadpool(_next, run)
            if event is _END:
                return
            yield event
    finally:
        run.close()


async def prefetched(run: Run) -> AsyncIterator[Any]:
    """A retrieval-only run's events, all computed in one worker-thread call: its queue turn is held
    only while it computes, no worker thread is held while the client reads, and a 503 (busy) or an
    embedding-server error is raised before anything is streamed, as a plain HTTP error."""
    try:
        items = await run_in_threadpool(list, run)
    finally:
        run.close()

    async def replay() -> AsyncIterator[Any]:
        for item in items:
            yield item

    return replay()


async def answer_events(run: Run) -> AsyncIterator[Any]:
    """An extractive run prefetched (one turn, a 503 before streaming), an LLM run event by event."""
    return await prefetched(run) if run.extractive else events(run)

