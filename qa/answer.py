"""The Answer shape shared by the CLI, REST and eval."""
from __future__ import annotations

from dataclasses import dataclass, field

from .trace import Trace


@dataclass
class Citation:
    n: int
    chunk_id: str
    article_id: str
    title: str
    quote: str  # original text of the cited sentence(s), never normalised
    published: str | None = None  # ISO date the article was published
    source: str | None = None  # the outlet ("Reuters")
    url: str | None = None
    author: str | None = None
    also: list[dict] = field(default_factory=list)  # near-duplicate copies elsewhere: [{published, source, url, ...}]

    def to_dict(self) -> dict:
        return {"n": self.n, "chunk_id": self.chunk_id, "article_id": self.article_id, "title": self.title,
                "quote": self.quote, "published": self.published, "source": self.source, "url": self.url,
                "author": self.author, "also": self.also}


@dataclass
class Answer:
    answer: str
    language: str  # "ar" | "en"
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    trace: Trace = field(default_factory=Trace)  # timings and diagnostics (only the timings are serialised)
    retrieved: list[str] = field(default_factory=list)  # chunk ids retrieval returned (not serialised)
    gloss: str | None = None  # English gloss of the cited Arabic, machine translated (serialised when set)
    machine_translation: bool = False  # the answer text or its gloss was translated by the model

    @property
    def timings(self) -> dict:
        return self.trace.timings.to_dict()

    @property
    def notes(self) -> dict:
        """The checks that fired and the model's raw text (not serialised)."""
        return self.trace.notes()

    def to_dict(self) -> dict:
        out = {"answer": self.answer, "language": self.language, "refused": self.refused,
               "citations": [c.to_dict() for c in self.citations], "timings": self.timings}
        if self.gloss:
            out["gloss"] = self.gloss
        if self.machine_translation:
            out["machine_translation"] = True
        return out


@dataclass
class Sources:
    """Streamed first, as soon as retrieval is done: the passages the answer may cite."""
    language: str
    passages: list[Citation]

    def to_dict(self) -> dict:
        return {"language": self.language, "passages": [p.to_dict() for p in self.passages]}


REFUSALS = {
    "en": "The articles don't say.",
    "ar": "لا تذكر المقالات ذلك.",
}


class QuestionError(ValueError):
    """A question that can't be asked; code is stable for clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
