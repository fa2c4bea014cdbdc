"""Hand-written fakes: a deterministic embedder and a scripted LLM."""
from __future__ import annotations

from typing import Iterator

from index.embed import HashingEmbedder
from qa.llm import GrammarUnsupported

DIM = 64


class FakeEmbedder(HashingEmbedder):
    """Hashed bag of normalised words: same words -> same direction. Deterministic, no model."""

    def __init__(self) -> None:
        super().__init__(dim=DIM)
        self.name = "fake-embedder"


class GlossaryEmbedder(FakeEmbedder):
    """Cross-lingual through a small glossary: each Arabic word is hashed as its English, so a text and a
    faithful translation of it share words, and a translation that says something else shares none."""

    cross_lingual = True
    WORDS = {"العملية": "process", "زالت": "still", "جارية": "under way", "تقييم": "assess", "النتائج": "results",
             "لأوانه": "early"}

    def _vec(self, text: str) -> list[float]:
        return super()._vec(" ".join(self.WORDS.get(w.strip("،."), w) for w in text.split()))


class ScriptedLLM:
    """Replies with the scripted answers in order (the last one repeats); records every prompt. Takes no
    grammar (GrammarUnsupported), so the pipeline asks it for free text and parses or snaps the reply."""

    name = "scripted"
    kind = "local"

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies) or ["I don't know."]
        self.prompts: list[list[dict]] = []

    def count_tokens(self, messages: list[dict]) -> int:
        return sum(len(m["content"].split()) for m in messages)

    def stream(self, messages: list[dict], max_tokens: int, grammar: str | None = None) -> Iterator[str]:
        if grammar is not None:
            raise GrammarUnsupported("scripted replies")
        self.prompts.append(messages)
        reply = self.replies[min(len(self.prompts) - 1, len(self.replies) - 1)]
        for i in range(0, len(reply), 7):
            yield reply[i:i + 7]
