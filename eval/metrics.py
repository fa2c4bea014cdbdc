"""Pure metric functions for the gold-set eval and the XQuAD benchmark.

Conventions:
* a rate over an empty population is ``None`` (rendered "n/a"), never a made-up 0 or 1;
* text matching is done on ``match_text`` = index.text.normalize (diacritics, tatweel, alef / ya /
  ta marbuta forms, digits, lower case) with whitespace collapsed; displayed text is never changed;
* retrieval ranks are 1-based; ``retrieved`` lists are ranked best first and may repeat an id
  (several chunks of one article): only the first occurrence counts.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Iterable, Sequence

from index.text import normalize, tokens

_SPACE = re.compile(r"\s+")
_CITATION_MARK = re.compile(r"\s*\[\d+\]")
_EN_ARTICLES = {"a", "an", "the"}


# ---- text ---------------------------------------------------------------------------------
def match_text(text: str) -> str:
    """Normalised form used for every substring test: normalize() plus collapsed whitespace."""
    return _SPACE.sub(" ", normalize(text or "")).strip()


def strip_citations(text: str) -> str:
    """'Sherman led it [1].' -> 'Sherman led it.' (markers must not count as answer tokens)."""
    return _CITATION_MARK.sub("", text or "")


def alias_match(answer: str, aliases: Iterable[str]) -> bool:
    """Some alias occurs in the answer as a substring after normalisation (empty aliases never match)."""
    a = match_text(answer)
    return any((m := match_text(alias)) and m in a for alias in aliases)


def answer_tokens(text: str) -> list[str]:
    """Tokens for F1: index.text.tokens (normalised, light Arabic prefix strip) minus a / an / the."""
    return [t for t in tokens(text or "") if t not in _EN_ARTICLES]


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD-style bag-of-tokens F1 between two strings; 0.0 when either has no tokens."""
    pred, ref = answer_tokens(prediction), answer_tokens(reference)
    if not pred or not ref:
        return 0.0
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def best_f1(prediction: str, aliases: Iterable[str]) -> float:
    """Token F1 against the best-matching alias (0.0 with no aliases)."""
    return max((token_f1(prediction, a) for a in aliases), default=0.0)


# ---- retrieval ----------------------------------------------------------------------------
def article_of(chunk_id: str) -> str:
    """'<article_id>:<n>' -> '<article_id>' (an id without ':n' is returned unchanged)."""
    head, sep, tail = chunk_id.rpartition(":")
    return head if sep and tail.isdigit() else chunk_id


def dedupe(items: Iterable[str]) -> list[str]:
    """Order-preserving unique items."""
    return list(dict.fromkeys(items))


def rank_of(retrieved: Sequence[str], gold: Iterable[str]) -> int | None:
    """1-based rank of the first relevant item among the unique retrieved ids, or None."""
    relevant = set(gold)
    for i, item in enumerate(dedupe(retrieved), 1):
        if item in relevant:
            return i
    return None


def hit_at_k(retrieved: Sequence[str], gold: Iterable[str], k: int) -> float:
    """1.0 if a relevant id is among the first k unique retrieved ids, else 0.0."""
    r = rank_of(retrieved, gold)
    return 1.0 if r is not None and r <= k else 0.0


def reciprocal_rank(retrieved: Sequence[str], gold: Iterable[str], k: int | None = None) -> float:
    """1 / rank of the first relevant id (0.0 when none, or when it is below rank k)."""
    r = rank_of(retrieved, gold)
    if r is None or (k is not None and r > k):
        return 0.0
    return 1.0 / r


def mrr(rankings: Sequence[tuple[Sequence[str], Iterable[str]]], k: int | None = None) -> float | None:
    """Mean reciprocal rank over (retrieved, gold) pairs; None for no pairs."""
    return mean([reciprocal_rank(r, g, k) for r, g in rankings])


# ---- answers ------------------------------------------------------------------------------
def citation_valid(cited: Iterable[str], retrieved: Iterable[str]) -> bool:
    """Every cited chunk id is one retrieval returned (vacuously true with no citations)."""
    return set(cited) <= set(retrieved)


def citation_supported(quotes: Iterable[str], aliases: Iterable[str]) -> bool:
    """Some cited quote contains a gold alias after normalisation."""
    aliases = list(aliases)
    return any(alias_match(q, aliases) for q in quotes)


def refusal_precision(refused: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    """Of the refusals, the share on unanswerable questions; None when nothing was refused."""
    pairs = list(zip(refused, answerable, strict=True))
    n_refused = sum(1 for r, _ in pairs if r)
    if n_refused == 0:
        return None
    return sum(1 for r, a in pairs if r and not a) / n_refused


def refusal_recall(refused: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    """Of the unanswerable questions, the share refused; None when there are none."""
    pairs = list(zip(refused, answerable, strict=True))
    n_unanswerable = sum(1 for _, a in pairs if not a)
    if n_unanswerable == 0:
        return None
    return sum(1 for r, a in pairs if r and not a) / n_unanswerable


def false_refusal_rate(refused: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    """Of the answerable questions, the share refused; None when there are none."""
    pairs = list(zip(refused, answerable, strict=True))
    n_answerable = sum(1 for _, a in pairs if a)
    if n_answerable == 0:
        return None
    return sum(1 for r, a in pairs if r and a) / n_answerable


# ---- aggregation --------------------------------------------------------------------------
def mean(values: Iterable[float | bool]) -> float | None:
    """Arithmetic mean (bools count as 0/1); None for no values."""
    vals = [float(v) for v in values]
    return sum(vals) / len(vals) if vals else None


def percentile(values: Iterable[float], p: float) -> float | None:
    """p-th percentile (0..100) with linear interpolation between order statistics (numpy's
    default); None for no values."""
    vals = sorted(float(v) for v in values)
    if not vals:
        return None
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be in [0, 100], got {p}")
    pos = (len(vals) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)
