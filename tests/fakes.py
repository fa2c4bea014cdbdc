"""Hand-written fakes: a deterministic embedder and a scripted LLM."""
from __future__ import annotations

from typing import Iterator

from index.embed import HashingEmbedder

DIM = 64


class FakeEmbedder(HashingEmbedder):
    """Hashed bag of normalised words: same words -> same direction. Deterministic, no model."""

    def __init__(self) -> None:
        super().__init__(dim=DIM)
        self.name = "fake-embedder"


class ScriptedLLM:
    """Replies with the scripted answers in order (the last one repeats); records every prompt."""

    name = "scripted"

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies) or ["I don't know."]
        self.prompts: list[list[dict]] = []

    def count_tokens(self, messages: list[dict]) -> int:
        return sum(len(m["content"].split()) for m in messages)

    def choose(self, messages: list[dict], k: int) -> int:
        """Consumes one scripted reply: its first number is the chosen passage."""
        import re

        self.prompts.append(messages)
        reply = self.replies[min(len(self.prompts) - 1, len(self.replies) - 1)]
        m = re.search(r"\d+", reply)
        return int(m.group()) if m and int(m.group()) <= k else 0

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        self.prompts.append(messages)
        reply = self.replies[min(len(self.prompts) - 1, len(self.replies) - 1)]
        for i in range(0, len(reply), 7):
            yield reply[i:i + 7]
