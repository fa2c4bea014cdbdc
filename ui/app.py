"""The web app: REST API (+ an OpenAI-compatible chat endpoint) with the Gradio chat mounted at `/`.

    create_app(settings, pipeline=None) -> FastAPI

With no pipeline given, the models load in a background thread at startup: the page and /health
answer at once (/health says "loading", /api/ask answers 503 "loading" with Retry-After).
"""
from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
import re
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from fastapi import FastAPI, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from index.config import Settings, offline_env
from index.load import SUFFIXES
from index.meta import hit_json, where as filter_where
from qa.answer import Answer, Sources

from .docs import install_docs
from .errors import ApiError, error_body, install as install_errors
from .service import Run, Service

log = logging.getLogger("khabar.api")

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and part headers on top of the file bytes
MAX_JSON_BYTES = 64 * 1024
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
MODEL_ID = "khabar"


# ---- request / response shapes (what /docs shows) ---------------------------------------------
class Message(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str = Field(max_length=20_000)


class AskRequest(BaseModel):
    question: str = Field(description="Arabic or English; answered in the same language")
    history: list[Message] | None = Field(None, max_length=100, description="earlier turns, oldest first")
    k: int | None = Field(None, ge=1, le=50, description="passages to retrieve (default: KHABAR_TOP_K)")
    since: date | None = Field(None, description="only articles published on or after this date (YYYY-MM-DD)")
    until: date | None = Field(None, description="only articles published on or before this date (YYYY-MM-DD)")
    source: str | None = Field(None, max_length=500, description="only these outlets (comma-separated, any case)")


class Published(BaseModel):
    """Where and when the passage's article was published (null when unknown)."""
    published: str | None = Field(None, description="ISO date the article was published")
    source: str | None = Field(None, description="the outlet, e.g. Reuters")
    url: str | None = None
    author: str | None = None
    also: list[dict[str, Any]] = Field(default_factory=list,
                                       description="near-duplicate copies of the article elsewhere (not indexed)")


class CitationOut(Published):
    n: int
    chunk_id: str
    article_id: str
    title: str
    quote: str


class AnswerOut(BaseModel):
    answer: str
    language: Literal["ar", "en"]
    refused: bool
    citations: list[CitationOut]
    timings: dict[str, Any]


class HitOut(Published):
    chunk_id: str
    article_id: str
    title: str
    text: str
    score: float


class ArticleOut(BaseModel):
    article_id: str
    title: str
    source: str
    language: str
    chunks: int
    published: str | None = None
    outlet: str | None = None
    url: str | None = None


class HealthOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: Literal["ok", "loading", "error"]
    chunks: int
    articles: int
    llm: Literal["local", "openai", "none"]
    model_loaded: bool


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, ... are accepted and ignored
    model: str | None = None
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False


ERRORS_ASK = {422: {"model": ErrorOut, "description": "empty_question, question_too_long, invalid_request"},
              503: {"model": ErrorOut, "description": "loading or busy (with Retry-After)"}}


# ---- helpers ----------------------------------------------------------------------------------
def _history(messages: list[Message] | None) -> list[dict] | None:
    return [{"role": m.role, "content": m.content} for m in messages] if messages else None


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


_END = object()


def _next(run: Run):
    return next(run, _END)


async def _events(run: Run):
    """Pipeline events off the worker threads, one at a time; the run (and its queue place) is
    always closed, also when the client goes away."""
    try:
        while True:
            event = await run_in_threadpool(_next, run)
            if event is _END:
                return
            yield event
    finally:
        run.close()


def _where(since: date | None, until: date | None, source: str | None) -> dict | None:
    return filter_where(since.isoformat() if since else None, until.isoformat() if until else None, source)


def sources_text(answer: Answer) -> str:
    if not answer.citations:
        return ""
    lines = [f"[{c.n}] {c.title}{_byline(c)}: \u201c{' '.join(c.quote.split())}\u201d" for c in answer.citations]
    return "\n\nSources:\n" + "\n".join(lines)


def _byline(c) -> str:
    parts = [p for p in (c.source, c.published) if p]
    return f" ({', '.join(parts)})" if parts else ""


def _text_of(content: str | list[dict] | None) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")


def _bearer_ok(authorization: str | None, key: str) -> bool:
    scheme, _, token = (authorization or "").strip().partition(" ")
    supplied = token.strip().encode() if scheme.lower() == "bearer" else b""
    return hmac.compare_digest(supplied, key.encode())  # constant time, also for a missing header


def _limited(request: Request, limit: int) -> Request:
    """The same request, but reading more than `limit` body bytes answers 413 upload_too_large."""
    seen = 0

    async def receive():
        nonlocal seen
        message = await request.receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _too_large(limit)
        return message

    return Request(request.scope, receive)


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "upload_too_large", f"upload is larger than {limit:,} bytes")


def _inside(root: Path, path: Path) -> bool:
    return path == root or path.is_relative_to(root)


# ---- the app ------------------------------------------------------------------------------------
def create_app(settings: Settings, pipeline=None, *, ingest_if_empty: bool = False, web: bool = True) -> FastAPI:
    """REST + OpenAI-compatible API, and (web=True) the Gradio chat at `/`.

    pipeline=None: Pipeline.from_settings(settings) is built in a background thread at startup;
    ingest_if_empty: that thread then indexes settings.articles_dir when the index is empty.
    """
    offline_env()
    service = Service(settings, pipeline)
    started = int(time.time())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if pipeline is None:
            service.start_loading(ingest_if_empty=ingest_if_empty)
        yield

    app = FastAPI(title="Khabar", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Questions about Arabic and English news articles, answered with cited passages. "
                              "Every error is `{\"error\": {\"code\", \"message\"}}` with a stable code.")
    app.state.service = service
    install_errors(app)
    install_docs(app)

    # ---- questions --------------------------------------------------------------------------
    @app.post("/api/ask", response_model=AnswerOut, tags=["questions"], responses=ERRORS_ASK)
    def ask(body: AskRequest):
        """A cited answer in the question's language (refused: "the articles don't say")."""
        return service.ask(body.question, _history(body.history), body.k,
                           _where(body.since, body.until, body.source)).to_dict()

    @app.post("/api/ask/stream", tags=["questions"], responses={
        200: {"content": {"text/event-stream": {}},
              "description": "server-sent events: `sources` (the passages, as soon as retrieval is done), "
                             "`delta` ({\"text\"}: the answer as it is written), then `answer` (the final, "
                             "checked answer: same JSON as /api/ask); `error` if it fails midway"},
        **ERRORS_ASK})
    async def ask_stream(body: AskRequest):
        run = service.run(body.question, _history(body.history), body.k,
                          _where(body.since, body.until, body.source))  # 422 / 503 before streaming

        async def stream():
            sent_sources, deltas = False, 0
            try:
                async for event in _events(run):
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
                log.error("stream failed", exc_info=exc)
                yield sse("error", error_body("internal_error", "internal error (logged on the server)"))

        return StreamingResponse(stream(), media_type="text/event-stream", headers=SSE_HEADERS)

    @app.get("/api/search", response_model=list[HitOut], tags=["questions"], responses=ERRORS_ASK)
    def search(q: str = Query(..., description="question or keywords"),
               k: int | None = Query(None, ge=1, le=50),
               since: date | None = Query(None, description="published on or after (YYYY-MM-DD)"),
               until: date | None = Query(None, description="published on or before (YYYY-MM-DD)"),
               source: str | None = Query(None, max_length=500, description="outlets, comma-separated")):
        """Ranked passages, best first, no generation. `score` is the ranking score: the fused dense +
        BM25 score in 0..1 (the dense cosine when BM25 is off). The filters apply inside the vector query."""
        question = service.check_question(q)
        hits = service.pipeline().search(question, k or settings.top_k, where=_where(since, until, source))
        return [hit_json(h) for h in hits]

    # ---- index --------------------------------------------------------------------------------
    @app.get("/api/articles", response_model=list[ArticleOut], tags=["index"])
    def articles():
        """The indexed articles, with their chunk counts (`source`: the file, relative to the articles root
        when it is inside it)."""
        arts = service.pipeline().store.articles()
        root = settings.articles_dir.resolve()
        for a in arts:
            with contextlib.suppress(ValueError, OSError):
                a["source"] = str(Path(a["source"]).resolve().relative_to(root)) if a.get("source") else ""
        return arts

    @app.post("/api/ingest", tags=["index"], responses={
        400: {"model": ErrorOut, "description": "path_outside_root, no_files, unsupported_file_type, bad_request; "
                                                "for a url: url_not_allowed, invalid_url, robots_disallowed, "
                                                "unsupported_content_type, page_too_large"},
        502: {"model": ErrorOut, "description": "fetch_failed: the URL could not be fetched"},
        401: {"model": ErrorOut, "description": "unauthorized: missing or wrong `Authorization: Bearer <key>`"},
        403: {"model": ErrorOut, "description": "ingest_disabled: KHABAR_API_KEY is not set"},
        404: {"model": ErrorOut, "description": "not_found: no such file or folder in the articles root"},
        413: {"model": ErrorOut, "description": "upload_too_large"},
        415: {"model": ErrorOut, "description": "unsupported_media_type"}},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "path": {"type": "string", "description": "file or folder inside the articles root"},
                "url": {"type": "string", "description": "a web page or an RSS/Atom feed (its entries' pages are "
                                                         "fetched); private addresses are refused"}}}},
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                          "description": ".txt / .md / .html articles"}}}}}}})
    async def ingest(request: Request, authorization: str | None = Header(None, include_in_schema=False)):
        """Index uploaded articles (saved into the articles root), a file/folder already inside it, or a URL
        (a web page or an RSS/Atom feed). Needs `Authorization: Bearer $KHABAR_API_KEY`. Returns the
        ingest report."""
        if not settings.api_key:
            raise ApiError(403, "ingest_disabled", "ingest over HTTP is disabled: set KHABAR_API_KEY to enable it")
        if not _bearer_ok(authorization, settings.api_key):
            raise ApiError(401, "unauthorized", "missing or wrong API key (Authorization: Bearer <key>)",
                           {"WWW-Authenticate": "Bearer"})
        service.pipeline()  # 503 while loading, before reading any body
        root = settings.articles_dir.resolve()
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "multipart/form-data":
            paths = await _save_uploads(request, root)
        elif ctype == "application/json":
            target = await _json_path(request, root)
            if isinstance(target, str):  # {"url": ...}: a web page or an RSS/Atom feed
                return await run_in_threadpool(service.ingest_url, target)
            paths = [target]
        else:
            raise ApiError(415, "unsupported_media_type",
                           "send multipart/form-data files, JSON {\"path\": ...} inside the articles root, "
                           "or JSON {\"url\": ...}")
        return await run_in_threadpool(service.ingest_paths, paths)

    async def _save_uploads(request: Request, root: Path) -> list[Path]:
        limit = settings.max_upload_bytes
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit + FORM_OVERHEAD:
            raise _too_large(limit)
        form = await _limited(request, limit + FORM_OVERHEAD).form(max_files=100, max_fields=20)
        try:
            files = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
            if not files:
                raise ApiError(400, "no_files", "no files in the upload (multipart field `files`)")
            if sum(f.size or 0 for f in files) > limit:
                raise _too_large(limit)
            targets = []
            for f in files:
                name = PurePosixPath((f.filename or "").replace("\\", "/")).name
                if not name or name.startswith(".") or "\x00" in name or Path(name).suffix.lower() not in SUFFIXES:
                    raise ApiError(400, "unsupported_file_type",
                                   f"only {', '.join(sorted(SUFFIXES))} files can be ingested, got {name or 'no name'!r}")
                dest = (root / name).resolve()
                if not _inside(root, dest) or dest.parent != root:
                    raise ApiError(400, "path_outside_root", f"{name!r} would be saved outside the articles root")
                targets.append((f, dest))
            root.mkdir(parents=True, exist_ok=True)
            saved = []
            for f, dest in targets:
                data = await f.read()
                fd, tmp = tempfile.mkstemp(dir=root, prefix=".upload-")
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, dest)
                saved.append(dest)
            return saved
        finally:
            await form.close()

    async def _json_path(request: Request, root: Path) -> Path | str:
        """The checked path, or the URL (a str) of {"url": ...}."""
        raw = await _limited(request, MAX_JSON_BYTES).body()
        try:
            body = json.loads(raw)
        except ValueError:
            raise ApiError(422, "invalid_request", "body is not valid JSON") from None
        url = body.get("url") if isinstance(body, dict) else None
        if url is not None:
            if not isinstance(url, str) or not url.strip() or len(url) > 4000:
                raise ApiError(422, "invalid_request", "url: an http(s) URL of a web page or an RSS/Atom feed")
            return url.strip()
        path = body.get("path") if isinstance(body, dict) else None
        if not isinstance(path, str) or not path.strip() or "\x00" in path:
            raise ApiError(422, "invalid_request", "path: a file or folder inside the articles root is required")
        target = (root / path).resolve()  # an absolute path replaces root; .. and symlinks are resolved
        if not _inside(root, target):
            raise ApiError(400, "path_outside_root", "path must be inside the articles root")
        if not target.exists():
            raise ApiError(404, "not_found", f"no such file or folder in the articles root: {path}")
        return target

    # ---- health ---------------------------------------------------------------------------------
    @app.get("/health", response_model=HealthOut, tags=["service"])
    def health():
        """ok | loading (models still loading) | error; index size; which generator."""
        return service.health()

    # ---- OpenAI-compatible ----------------------------------------------------------------------
    @app.get("/v1/models", tags=["openai"])
    def models():
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": started,
                                            "owned_by": "khabar"}]}

    @app.post("/v1/chat/completions", tags=["openai"], responses=ERRORS_ASK)
    async def chat_completions(body: ChatRequest):
        """OpenAI chat completions: the last user message is the question, earlier user/assistant
        messages the history. The content ends with a "Sources:" list; `citations` carries them as
        JSON. Streaming sends the role at once, then the checked answer (never unchecked text)."""
        turns = [(m.role, _text_of(m.content)) for m in body.messages]
        last = max((i for i, (role, _) in enumerate(turns) if role == "user"), default=None)
        if last is None:
            raise ApiError(422, "invalid_request", "messages: no user message to answer")
        question = turns[last][1]
        history = [{"role": r, "content": c} for r, c in turns[:last] if r in ("user", "assistant") and c]
        run = service.run(question, history or None)
        model = body.model or MODEL_ID
        cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

        def chunk(delta: dict, finish: str | None = None, **extra) -> str:
            data = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
            return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

        if not body.stream:
            answer = None
            async for event in _events(run):
                if isinstance(event, Answer):
                    answer = event
            if answer is None:
                raise RuntimeError("pipeline ended without an answer")
            return {"id": cid, "object": "chat.completion", "created": created, "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant",
                                                         "content": answer.answer + sources_text(answer)},
                                 "finish_reason": "stop"}],
                    "citations": [c.to_dict() for c in answer.citations]}

        async def stream():
            yield chunk({"role": "assistant", "content": ""})
            try:
                async for event in _events(run):
                    if isinstance(event, Answer):
                        content = event.answer + sources_text(event)
                        for piece in _pieces(content):
                            yield chunk({"content": piece})
                        yield chunk({}, "stop", citations=[c.to_dict() for c in event.citations])
            except Exception as exc:
                log.error("chat completion stream failed", exc_info=exc)
                yield f"data: {json.dumps(error_body('internal_error', 'internal error (logged on the server)'))}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers=SSE_HEADERS)

    # ---- unknown API paths: the error shape, not the chat page's 404 --------------------------
    api_routes = list(app.routes)

    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    @app.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def not_found(request: Request, rest: str):
        path = request.url.path
        if any(getattr(r, "path_regex", None) and r.path_regex.match(path) for r in api_routes):
            raise ApiError(405, "method_not_allowed", f"{request.method} is not allowed on {path}")
        raise ApiError(404, "not_found", f"no such endpoint: {path}")

    if web:
        from .web import mount

        mount(app, service)
    return app


def _pieces(text: str, size: int = 24) -> list[str]:
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
