"""Hand-written fakes: a deterministic embedder and a scripted LLM."""
from __future__ import annotations

import hashlib
import math
from typing import Iterator, Sequence

from index.text import tokens

DIM = 64


class FakeEmbedder:
    """Hashed bag of normalised words: same words -> same direction. Deterministic, no model."""

    name = "fake-embedder"

    def __init__(self) -> None:
        self.calls = 0
        self.texts_embedded = 0

    def _vec(self, text: str) -> list[float]:
        v = [0.0] * DIM
        for tok in tokens(text):
            h = int(hashlib.md5(tok.encode()).hexdigest(), 16)
            v[h % DIM] += 1.0 if (h >> 8) % 2 else -1.0
        n = math.sqrt(sum(x * x for x in v))
        if n == 0:
            v[0], n = 1.0, 1.0
        return [x / n for x in v]

    def embed_documents(self, texts: Sequence[str], titles: Sequence[str] | None = None) -> list[list[float]]:
        self.calls += 1
        self.texts_embedded += len(texts)
        return [self._vec(t) for t in texts]

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_sentences(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]


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
