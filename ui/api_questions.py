"""Questions: /api/ask, /api/ask/stream (server-sent events) and /api/search."""
from __future__ import annotations

import logging
from datetime import date

from fastapi import APIRouter, Query

from index.embed import EmbedServerError
from index.meta import hit_json, where as filter_where
from qa.answer import Answer, Sources

from .errors import ApiError, error_body
from .schemas import ERRORS_ASK, AnswerOut, AskRequest, HitOut
from .service import Service
from .sse import answer_events, sse, sse_response

log = logging.getLogger("khabar.api")

STREAM_DOC = {200: {"content": {"text/event-stream": {}},
                    "description": "server-sent events: `sources` (the passages, as soon as retrieval is done), "
                                   "`delta` ({\"text\"}: the answer as it is written), then `answer` (the final, "
                                   "checked answer: same JSON as /api/ask); `error` if it fails midway"}}


def _where(since: date | None, until: date | None, source: str | None) -> dict | None:
    return filter_where(since.isoformat() if since else None, until.isoformat() if until else None, source)


def _history(body: AskRequest) -> list[dict] | None:
    return [{"role": m.role, "content": m.content} for m in body.history] if body.history else None


async def _stream(source):
    sent_sources, deltas = False, 0
    try:
        async for event in source:
            if isinstance(event, Sources):
                sent_sources = True
                yield sse("sources", event.to_dict())
            elif isinstance(event, str):
                deltas += 1
                yield sse("delta", {"text": event})
            elif isinstance(event, Answer):
                if not sent_sources:  # refused before any passage: still the same event order
                    yield sse("sources", {"language": event.language, "passages": []})
                if not deltas:  # extractive or refused: the text arrives in one piece
                    yield sse("delta", {"text": event.answer})
                yield sse("answer", event.to_dict())
    except Exception as exc:
        if isinstance(exc, ApiError):  # busy: no turn within the retrieval queue's wait
            yield sse("error", error_body(exc.code, exc.message))
            return
        if isinstance(exc, EmbedServerError):
            log.error("stream failed: %s", exc)
            yield sse("error", error_body(exc.code, "the embedding server is not answering, try again shortly"))
            return
        log.error("stream failed", exc_info=exc)
        yield sse("error", error_body("internal_error", "internal error (logged on the server)"))


def router(service: Service) -> APIRouter:
    r = APIRouter(tags=["questions"])

    @r.post("/api/ask", response_model=AnswerOut, responses=ERRORS_ASK)
    def ask(body: AskRequest):
        """A cited answer in the question's language (refused: "the articles don't say")."""
        return service.ask(body.question, _history(body), body.k, _where(body.since, body.until, body.source)).to_dict()

    @r.post("/api/ask/stream", responses={**STREAM_DOC, **ERRORS_ASK})
    async def ask_stream(body: AskRequest):
        run = service.run(body.question, _history(body), body.k,
                          _where(body.since, body.until, body.source))  # 422 / 503 before streaming
        # extractive: one short turn, computed before the response starts (50 waiting streams would
        # otherwise hold every worker thread while the running ones need one per event)
        source = await answer_events(run)
        return sse_response(_stream(source))

    @r.get("/api/search", response_model=list[HitOut], responses=ERRORS_ASK)
    def search(q: str = Query(..., max_length=4000, description="question or keywords"),
               k: int | None = Query(None, ge=1, le=50),
               since: date | None = Query(None, description="published on or after (YYYY-MM-DD)"),
               until: date | None = Query(None, description="published on or before (YYYY-MM-DD)"),
               source: str | None = Query(None, max_length=500, description="outlets, comma-separated")):
        """Ranked passages, best first, no generation. `score` is the ranking score: the fused dense +
        BM25 score in 0..1 (the dense cosine when BM25 is off). The filters apply inside the vector query."""
        question = service.check_question(q)
        hits = service.search(question, k or service.settings.top_k, where=_where(since, until, source))
        return [hit_json(h) for h in hits]

    return r
