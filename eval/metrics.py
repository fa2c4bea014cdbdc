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
    """Some alias occurs in the answer as a substring after normalisation (empty aliases never match).

    Lenient on purpose (the figure is reported as `answer_bearing`, not as accuracy): "20**19**"
    contains "9" and "ne**two**rk" contains "two". The headline answer metric is `right`."""
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
    """Token F1 against the best-matching reference (0.0 with no references)."""
    return max((token_f1(strip_citations(prediction), a) for a in aliases), default=0.0)


# ---- strict answer metrics ----------------------------------------------------------------
# Arabic clitics that may stand before a reference token: conjunctions و ف, prepositions ب ل ك, the
# article ال and their combinations. لل is ل + ال (the alef drops), so "للناتو" matches "الناتو".
_CLITICS = ("", "و", "ف", "ب", "ل", "ك", "ال", "وال", "فال", "بال", "كال", "لل", "وب", "ول", "وك", "فب",
            "فل", "فك", "وبال", "وكال", "فبال", "ولل", "فلل")
_LAM_CLITICS = ("لل", "ولل", "فلل")
_WORD = re.compile(r"\w+", re.UNICODE)
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_LATIN_LETTER = re.compile("[a-z]")
# a negation right before the matched reference ("not Russia", "ليس بوتين") undoes the match
NEGATIONS = frozenset({"not", "never", "no", "isn", "wasn", "aren", "weren", "لا", "ليس", "ليست", "غير", "لم", "لن"})
YES_NO_WINDOW = 3  # a yes/no answer must say yes or no within its first tokens


def words(text: str) -> list[str]:
    """Normalised word tokens (index.text.normalize, then \\w+ runs); no prefix stripping."""
    return _WORD.findall(normalize(text or ""))


def _token_matches(answer_tok: str, ref_tok: str) -> bool:
    """answer_tok is ref_tok, or an Arabic clitic + ref_tok (clitics only before an Arabic word or a
    number: "و2014" is "2014", but "2019" is not "9")."""
    if answer_tok == ref_tok:
        return True
    if not (_ARABIC_LETTER.match(ref_tok) or ref_tok[:1].isdigit()):
        return False
    if answer_tok.endswith(ref_tok) and answer_tok[: -len(ref_tok)] in _CLITICS:
        return True
    # لل = ل + ال: "للناتو" is "الناتو" after the preposition
    return (ref_tok.startswith("ال") and len(ref_tok) > 3 and answer_tok.endswith(ref_tok[2:])
            and answer_tok[: len(answer_tok) - len(ref_tok) + 2] in _LAM_CLITICS)


def token_match(answer: str, reference: str, negation: bool = True) -> bool:
    """The reference occurs in the answer as whole tokens, in order. Arabic clitics (و ف ب ل ك ال and
    combinations) may stand before any reference token; nothing may stand after it. With `negation`,
    a match whose preceding token is a negation word that the reference does not contain does not
    count ("not Russia" is not "Russia")."""
    a, r = words(answer), words(reference)
    if not r or not a:
        return False
    for i in range(len(a) - len(r) + 1):
        if all(_token_matches(a[i + j], r[j]) for j in range(len(r))):
            if negation and i > 0 and a[i - 1] in NEGATIONS and a[i - 1] not in r:
                continue
            return True
    return False


def is_numeric(text: str) -> bool:
    """Only digits and separators (and no letters): language-neutral ("45", "15,000", "2014")."""
    t = match_text(text)
    return bool(t) and any(c.isdigit() for c in t) and not _ARABIC_LETTER.search(t) and not _LATIN_LETTER.search(t)


def answer_language_ok(answer: str, lang: str) -> bool:
    """The answer body is written in `lang` (detect_language); a body with no letters (only a number)
    counts for both languages."""
    from index.text import detect_language

    body = strip_citations(answer).strip()
    if not body:
        return False
    if not _ARABIC_LETTER.search(match_text(body)) and not _LATIN_LETTER.search(match_text(body)):
        return any(c.isdigit() for c in body)
    return detect_language(body) == lang


def references_for(lang: str, answer_ar: Sequence[str], answer_en: Sequence[str]) -> list[str]:
    """The references a `lang` answer is scored against: that language's, plus the other language's
    purely numeric ones (digits count for both languages)."""
    own, other = (answer_ar, answer_en) if lang == "ar" else (answer_en, answer_ar)
    return dedupe([*own, *(r for r in other if is_numeric(r))])


def is_right(answer: str, refused: bool, lang: str, references: Sequence[str], yesno: bool = False) -> bool:
    """The headline answer metric: not refused, written in the question's language, and containing a
    reference (in that language, or a number) as whole tokens. For a yes/no question the reference
    ("no" / "لا") must come within the answer's first YES_NO_WINDOW tokens, so a quoted sentence that
    happens to contain "لا" somewhere is not a "no"."""
    if refused or not references:
        return False
    body = strip_citations(answer)
    if not answer_language_ok(body, lang):
        return False
    if yesno:
        head = " ".join(words(body)[:YES_NO_WINDOW])
        return any(token_match(head, r, negation=False) for r in references)
    return any(token_match(body, r) for r in references)


def squad_normalize(text: str) -> str:
    """SQuAD's normalize_answer plus Arabic normalisation: index.text.normalize (diacritics, tatweel,
    alef / ya / ta marbuta forms, digits, lower case), punctuation removed, English articles a / an /
    the removed, whitespace collapsed."""
    return " ".join(t for t in words(strip_citations(text)) if t not in _EN_ARTICLES)


def exact_match(prediction: str, references: Iterable[str]) -> float:
    """1.0 when the normalised prediction equals some normalised reference (SQuAD EM), else 0.0."""
    p = squad_normalize(prediction)
    return 1.0 if p and any(p == squad_normalize(r) for r in references) else 0.0


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


def random_hit_at_k(n_items: int, n_relevant: int, k: int) -> float | None:
    """Expected hit@k of a uniformly random ranking of n_items with n_relevant relevant ones:
    1 - C(n - g, k) / C(n, k). For the gold eval the items are chunks (retrieval returns k chunks and a
    hit is a chunk of a gold article). None when there is nothing to rank."""
    if n_items <= 0:
        return None
    g = max(0, min(n_relevant, n_items))
    k = max(0, min(k, n_items))
    return 1.0 - math.comb(n_items - g, k) / math.comb(n_items, k)


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


def refusal_by_kind(refused: Sequence[bool], kinds: Sequence[str], answerable: Sequence[bool],
                    kind: str) -> dict:
    """Refusal of one kind of unanswerable question, against the answerable ones:
    recall = share of `kind` questions refused; precision = of the refusals on `kind` or answerable
    questions, the share on `kind` (None when there is no such refusal); n = `kind` questions."""
    rows = list(zip(refused, kinds, answerable, strict=True))
    of_kind = [r for r, k, a in rows if k == kind and not a]
    wrong = sum(1 for r, _, a in rows if r and a)
    hits = sum(of_kind)
    return {"n": len(of_kind), "recall": hits / len(of_kind) if of_kind else None,
            "precision": hits / (hits + wrong) if hits + wrong else None}


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


def percentile(values: Iterable[float], p: float, method: str = "linear") -> float | None:
    """p-th percentile (0..100); None for no values. method "linear": linear interpolation between order
    statistics (numpy's default; the eval and the bench); "nearest": the nearest-rank value, always one of
    the values (the load test's latencies)."""
    vals = sorted(float(v) for v in values)
    if not vals:
        return None
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be in [0, 100], got {p}")
    if method == "nearest":
        return vals[min(max(1, math.ceil(p / 100 * len(vals))), len(vals)) - 1]
    if method != "linear":
        raise ValueError(f"unknown percentile method {method!r}")
    pos = (len(vals) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)
