"""Near-duplicate articles (wire stories republished by many outlets): MinHash over word 3-grams of the
normalised text, with datasketch's LSH index. An article whose estimated Jaccard similarity to one
already indexed is at least KHABAR_DEDUP_THRESHOLD is not indexed again: the indexed copy remembers
its source (outlet, URL, date) in its `also` list, so retrieval returns the paragraph once.

The index is built lazily from the stored chunks the first time a new article arrives, so re-running an
unchanged feed costs nothing here.
"""
from __future__ import annotations

from collections import defaultdict

from .text import tokens

NUM_PERM = 128
SHINGLE = 3


def minhash(texts: list[str]):
    from datasketch import MinHash

    words = [w for t in texts for w in tokens(t)]
    if len(words) >= SHINGLE:
        shingles = {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    else:
        shingles = set(words)
    m = MinHash(num_perm=NUM_PERM)
    m.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    return m


class Deduper:
    def __init__(self, store, threshold: float) -> None:
        self.store = store
        self.threshold = threshold
        self._lsh = None
        self._sigs: dict[str, object] = {}

    @property
    def enabled(self) -> bool:
        return 0 < self.threshold < 1

    def _build(self) -> None:
        from datasketch import MinHashLSH

        self._lsh = MinHashLSH(threshold=self.threshold, num_perm=NUM_PERM)
        texts: dict[str, list[str]] = defaultdict(list)
        for _, doc, meta in self.store.iter_chunks():
            texts[meta.get("article_id", "")].append(doc)
        for article_id, docs in texts.items():
            self.add(article_id, minhash(docs))

    def add(self, article_id: str, sig) -> None:
        if article_id in self._sigs:
            self._lsh.remove(article_id)
        self._lsh.insert(article_id, sig)
        self._sigs[article_id] = sig

    def check(self, article_id: str, texts: list[str]) -> tuple[str | None, float]:
        """(the indexed article this one nearly duplicates, similarity), or (None, 0) after adding it."""
        if self._lsh is None:
            self._build()
        sig = minhash(texts)
        best, best_sim = None, 0.0
        for other in self._lsh.query(sig):
            if other == article_id:
                continue
            sim = sig.jaccard(self._sigs[other])
            if sim > best_sim:
                best, best_sim = other, sim
        if best is not None and best_sim >= self.threshold:
            return best, best_sim
        self.add(article_id, sig)
        return None, 0.0
