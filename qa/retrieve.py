"""Retrieval: dense chunks and dense sentences (Chroma, query prompt) fused with Arabic-normalised BM25.

Three signals per candidate chunk, each min-max scaled over the candidates:
* dense: the chunk's cosine to the question;
* sentence: the best cosine of one of its evidence sentences (stored at ingest) to the question. A
  question usually asks about one sentence, and a 200-word chunk's vector blurs it: on XQuAD dev this
  lifts R@1 from 0.922 to 0.951 (en→ar) and from 0.924 to 0.956 (ar→ar, with BM25);
* bm25: Arabic-normalised BM25 (index/keywords.py: SQLite FTS5, kept in step with the store's change
  log, so every replica sharing a Chroma server ranks on what any of them wrote).
score = w * (dense + s * sentence) / (1 + s) + (1 - w) * bm25, with s = sentence_weight and w =
dense_weight. w depends on the question's language: BM25 helps Arabic questions but cannot match
English words to Arabic text (en→ar BM25 alone: R@1 0.093), so English questions default to w = 1.
Without stored sentence vectors the sentence term drops out. The dense cosine of the best chunk is
kept apart: it is what the refusal threshold is calibrated on.
"""
from __future__ import annotations

from index.embed import Embedder
from index.keywords import KeywordIndex
from index.store import Hit, Store
from index.text import detect_language

from .config import QASettings
from .params import PARAMS


class Retriever:
    def __init__(self, store: Store, embedder: Embedder, dense_weight: float = 0.8,
                 dense_weight_en: float = 1.0, sentence_weight: float = 1.0) -> None:
        self.store = store
        self.embedder = embedder
        self.dense_weight = dense_weight
        self.dense_weight_en = dense_weight_en
        self.sentence_weight = sentence_weight
        self._keywords: KeywordIndex | None = None

    @classmethod
    def from_settings(cls, store: Store, embedder: Embedder, settings: QASettings) -> "Retriever":
        """The retriever the product uses: the pipeline, the benchmark and XQuAD all build it here."""
        return cls(store, embedder, settings.dense_weight, settings.dense_weight_en, settings.sentence_weight)

    def keywords(self) -> KeywordIndex:
        """The keyword index, caught up with every write to the store (by any process)."""
        if self._keywords is None:
            self._keywords = KeywordIndex(self.store)
        self._keywords.refresh()
        return self._keywords

    def search(self, question: str, k: int, where: dict | None = None) -> tuple[list[Hit], float]:
        """Top k fused hits and the best dense cosine (for refusal). where (index.meta.where: since / until /
        source) filters inside the Chroma queries; BM25 keeps only the chunks that match it."""
        vec = self.embedder.embed_queries([question])[0]
        dense = self.store.query(vec, max(k, PARAMS.candidates), where=where)
        best_dense = dense[0].score if dense else 0.0
        w = self.dense_weight if detect_language(question) == "ar" else self.dense_weight_en
        sentence = self.store.sentence_scores(vec, PARAMS.sentence_candidates, where=where) if self.sentence_weight > 0 and dense else {}
        if (w >= 1.0 and not sentence) or not dense:
            return dense[:k], best_dense
        hits = {h.chunk_id: h for h in dense}
        bm_scores: dict[str, float] = {}
        candidates = list(hits) + [cid for cid in sentence if cid not in hits]
        if w < 1.0:
            kw = self.keywords()
            if where is None:
                top = kw.top(question, PARAMS.candidates)
                bm_scores = dict(top)
                bm_scores.update(kw.scores(question, [cid for cid in candidates if cid not in bm_scores]))
            else:  # the keyword index has no metadata: BM25 keeps only the chunks that match where
                allowed = self.store.ids(where)
                bm_scores = {cid: s for cid, s in kw.scores(question).items() if cid in allowed}
                top = sorted(bm_scores.items(), key=lambda x: -x[1])[:PARAMS.candidates]
            seen = set(candidates)
            candidates += [cid for cid, _ in top if cid not in seen]
        missing = _cosine_missing(dense)  # not in the dense top: below its worst
        d = _minmax({cid: hits[cid].score if cid in hits else missing for cid in candidates})
        floor = min(sentence.values(), default=0.0) - PARAMS.below_worst
        sv = _minmax({cid: sentence.get(cid, floor) for cid in candidates}) if sentence else {}
        sw = self.sentence_weight if sentence else 0.0
        b = _minmax({cid: bm_scores.get(cid, 0.0) for cid in candidates}) if w < 1.0 else {}

        def score(cid: str) -> float:
            mixed = (d[cid] + sw * sv.get(cid, 0.0)) / (1 + sw)
            return w * mixed + (1 - w) * b.get(cid, 0.0)

        top = sorted(candidates, key=lambda cid: -score(cid))[:k]
        for h in self.store.get([cid for cid in top if cid not in hits]):  # texts only for what is shown
            h.score = missing
            hits[h.chunk_id] = h
        out = []
        for cid in top:
            h = hits.get(cid)
            if h is None:  # deleted by a concurrent ingest since the query
                continue
            h.metadata = {**h.metadata, "dense": h.score, "sentence": sentence.get(cid)}
            h.score = score(cid)  # the score the list is ranked by
            out.append(h)
        return out, best_dense


def _cosine_missing(dense: list[Hit]) -> float:
    return dense[-1].score - PARAMS.below_worst if dense else 0.0


def _minmax(scores: dict[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi - lo < 1e-9:
        return {k: 1.0 if hi > 0 else 0.0 for k in scores}
    return {k: (v - lo) / (hi - lo) for k, v in scores.items()}
