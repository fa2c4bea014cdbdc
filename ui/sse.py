"""Pipeline events off the worker threads, and their framing as server-sent events."""
from __future__ import annotations

import json
from typing import Any, AsyncIterator

from starlette.concurrency import run_in_threadpool

from .service import Run

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_END = object()


def sse(event: str | None, data: Any) -> str:
    """One server-sent event (`event:` line only when named); data is JSON, or a literal string."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return (f"event: {event}\n" if event else "") + f"data: {payload}\n\n"


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
