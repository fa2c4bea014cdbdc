"""Request and response shapes of the REST and OpenAI-compatible API (what /docs shows).

Every string a client sends has a length bound here; the body as a whole is bounded by ui/guard.py.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MESSAGE_CHARS = 20_000  # one history message / one /v1 content part
HISTORY_MESSAGES = 100
QUESTION_CHARS = 20_000  # the schema's bound; KHABAR_MAX_QUESTION_CHARS (2,000) is checked after it


class Message(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str = Field(max_length=MESSAGE_CHARS)


class AskRequest(BaseModel):
    question: str = Field(max_length=QUESTION_CHARS,
                          description="Arabic or English; answered in the same language "
                                      "(longer than KHABAR_MAX_QUESTION_CHARS: 422 question_too_long)")
    history: list[Message] | None = Field(None, max_length=HISTORY_MESSAGES,
                                          description="earlier turns, oldest first")
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


class SourcesOut(BaseModel):
    language: Literal["ar", "en"]
    passages: list[CitationOut]


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


class IngestOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    articles: int
    chunks: int
    added: int
    updated: int
    deleted: int
    unchanged: int
    skipped: list[dict[str, str]]
    seconds: float


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


class ContentPart(BaseModel):
    """One part of an OpenAI content list: text parts are read, other types (images, ...) are ignored."""
    model_config = ConfigDict(extra="allow")
    type: str = Field(max_length=64)
    text: str | None = Field(None, max_length=MESSAGE_CHARS)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str = Field(max_length=64)
    content: (Annotated[str, Field(max_length=MESSAGE_CHARS)] | Annotated[list[ContentPart], Field(max_length=50)]
              | None) = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, ... are accepted and ignored
    model: str | None = Field(None, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False


class ModelOut(BaseModel):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class ModelsOut(BaseModel):
    object: Literal["list"]
    data: list[ModelOut]


class ChatChoiceMessage(BaseModel):
    role: Literal["assistant"]
    content: str


class ChatChoice(BaseModel):
    index: int
    message: ChatChoiceMessage
    finish_reason: str


class ChatCompletionOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[ChatChoice]
    citations: list[CitationOut]


def _errors(**codes: str) -> dict:
    return {int(status.removeprefix("s")): {"model": ErrorOut, "description": text} for status, text in codes.items()}


ERRORS_COMMON = _errors(s400="invalid_host (Host not allowed)", s404="not_found",
                        s413="body_too_large (KHABAR_MAX_BODY_BYTES)")
ERRORS_ASK = {**ERRORS_COMMON, **_errors(
    s422="empty_question, question_too_long, invalid_question, invalid_request",
    s503="loading, busy (with Retry-After), unavailable, embedder_unavailable (with Retry-After)")}
