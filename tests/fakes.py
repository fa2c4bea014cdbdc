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
