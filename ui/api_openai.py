"""OpenAI-compatible chat: POST /v1/chat/completions (stream or not) and GET /v1/models."""
from __future__ import annotations

import logging
import re
import time
import uuid

from fastapi import APIRouter

from qa.answer import Answer

from .errors import ApiError, error_body
from .schemas import ERRORS_ASK, ChatCompletionOut, ChatRequest, ContentPart, ModelsOut
from .service import Service
from .sse import answer_events, prefetched, sse, sse_response

log = logging.getLogger("khabar.api")

MODEL_ID = "khabar"


def sources_text(answer: Answer) -> str:
    if not answer.citations:
        return ""
    lines = [f"[{c.n}] {c.title}{_byline(c)}: \u201c{' '.join(c.quote.split())}\u201d" for c in answer.citations]
    return "\n\nSources:\n" + "\n".join(lines)


def _byline(c) -> str:
    parts = [p for p in (c.source, c.published) if p]
    return f" ({', '.join(parts)})" if parts else ""


def text_of(content: str | list[ContentPart] | None) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(p.text or "" for p in content if p.type == "text")


def pieces(text: str, size: int = 24) -> list[str]:
    """Split text into small chunks at word ends (chat.completion.chunk deltas); they join back to text."""
    out, cur = [], ""
    for token in re.findall(r"\s*\S+\s*|\s+", text):
        cur += token
        if len(cur) >= size:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


def question_and_history(body: ChatRequest) -> tuple[str, list[dict] | None]:
    turns = [(m.role, text_of(m.content)) for m in body.messages]
    last = max((i for i, (role, _) in enumerate(turns) if role == "user"), default=None)
    if last is None:
        raise ApiError(422, "invalid_request", "messages: no user message to answer")
    history = [{"role": r, "content": c} for r, c in turns[:last] if r in ("user", "assistant") and c]
    return turns[last][1], history or None


def router(service: Service, started: int) -> APIRouter:
    r = APIRouter(tags=["openai"])

    @r.get("/v1/models", response_model=ModelsOut)
    def models():
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": started,
                                            "owned_by": "khabar"}]}

    @r.post("/v1/chat/completions", response_model=ChatCompletionOut, responses=ERRORS_ASK)
    async def chat_completions(body: ChatRequest):
        """OpenAI chat completions: the last user message is the question, earlier user/assistant
        messages the history. The content ends with a "Sources:" list; `citations` carries them as
        JSON. Streaming sends the role at once, then the checked answer (never unchecked text)."""
        question, history = question_and_history(body)
        run = service.run(question, history)
        model = body.model or MODEL_ID
        cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

        def chunk(delta: dict, finish: str | None = None, **extra) -> str:
            return sse(None, {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                              "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra})

        if not body.stream:  # the whole answer in one worker-thread call (a 503 stays a plain HTTP error)
            answer = None
            async for event in await prefetched(run):
                if isinstance(event, Answer):
                    answer = event
            if answer is None:
                raise RuntimeError("pipeline ended without an answer")
            return {"id": cid, "object": "chat.completion", "created": created, "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant",
                                                         "content": answer.answer + sources_text(answer)},
                                 "finish_reason": "stop"}],
                    "citations": [c.to_dict() for c in answer.citations]}

        source = await answer_events(run)

        async def stream():
            yield chunk({"role": "assistant", "content": ""})
            try:
                async for event in source:
                    if isinstance(event, Answer):
                        for piece in pieces(event.answer + sources_text(event)):
                            yield chunk({"content": piece})
                        yield chunk({}, "stop", citations=[c.to_dict() for c in event.citations])
            except Exception as exc:
                log.error("chat completion stream failed", exc_info=exc)
                yield sse(None, error_body("internal_error", "internal error (logged on the server)"))
            yield sse(None, "[DONE]")

        return sse_response(stream())

    return r
