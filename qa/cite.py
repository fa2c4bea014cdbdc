"""Citations are owned by code, not by the model.

The model's answer is split into sentences. Each sentence keeps the passage numbers it wrote only
when they are among the passages given and really support it; otherwise it gets the evidence
sentence that supports it best (character n-grams within a language, the multilingual embedder
across languages), or it is dropped as unsupported. Numbers in a sentence must occur in its cited
evidence, else that sentence falls back to the evidence sentence itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.text import arabic_ratio, normalize, numbers, split_sentences

from .evidence import Evidence, cosine

MARKER = re.compile(r"\s*\[(\d{1,2})\]")
ANY_BRACKET = re.compile(r"\s*\[[^\]]{0,12}\]")
DECLINE = re.compile(r"(i don'?t know|i do not know|not (mentioned|stated|specified)|do(es)? not (say|mention|specify)|"
                     r"no information|لا أعرف|لا اعرف|لا أعلم|لا تذكر|لا يذكر|لم تذكر|لم يذكر|لا توجد معلومات)", re.I)
JUNK = re.compile(r"^\s*(assistant|answer|الإجابة|الجواب)\s*:\s*", re.I)
MIN_SUPPORT = 0.45
NAME_MATCH = 0.7

# consonant skeletons, to check that a name in an English answer is one the Arabic evidence gives
# (the 1.5B model transliterates freely: بروكسل -> "Broomfield", جنيف -> "Genoa")
_AR_SKELETON = str.maketrans({"ب": "b", "پ": "b", "ت": "t", "ث": "t", "ج": "j", "خ": "k", "د": "d", "ذ": "z", "ر": "r",
                              "ز": "z", "س": "s", "ش": "s", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "j", "ف": "f",
                              "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ڤ": "f"})
_AR_DROP = re.compile(r"[^a-z]")
_LATIN_PAIRS = (("sh", "s"), ("ch", "s"), ("th", "t"), ("kh", "k"), ("ph", "f"), ("ck", "k"), ("x", "ks"))
_LATIN_MAP = str.maketrans({"p": "b", "v": "f", "g": "j", "c": "k", "q": "k"})
_NOT_NAMES = set("""a an the he she it they we i in on at of to by for from with and or but as after before during
this that these those his her its their there here when where what who which how why according while although
january february march april may june july august september october november december monday tuesday
wednesday thursday friday saturday sunday mr mrs ms dr
american americans russian russians ukrainian european europeans western soviet swiss british french
german chinese nato us usa""".split())  # demonyms: the evidence often names the country instead


def _skeleton_latin(word: str) -> str:
    w = word.lower()
    for a, b in _LATIN_PAIRS:
        w = w.replace(a, b)
    w = re.sub(r"[aeiouyhw'’-]", "", w.translate(_LATIN_MAP))
    return re.sub(r"(.)\1+", r"\1", w)


def _skeleton_arabic(word: str) -> str:
    w = normalize(word)
    for p in ("وال", "بال", "فال", "لل", "ال"):
        if w.startswith(p) and len(w) - len(p) >= 3:
            w = w[len(p):]
            break
    return re.sub(r"(.)\1+", r"\1", _AR_DROP.sub("", w.translate(_AR_SKELETON)))


def unknown_names(sentence: str, evidence: str, question: str = "") -> list[str]:
    """Capitalised words of an English sentence that match neither the question nor any word of the
    (Arabic) evidence by consonant skeleton."""
    from difflib import SequenceMatcher

    known_latin = {w.lower() for w in re.findall(r"[A-Za-z]+", question + " " + evidence)}
    skeletons = {_skeleton_arabic(w) for w in re.findall(r"[\u0600-\u06ff]+", evidence)} - {""}
    out = []
    for name in re.findall(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b", sentence):
        if name.lower() in _NOT_NAMES or name.lower() in known_latin:
            continue
        sk = _skeleton_latin(name)
        if len(sk) < 2:
            continue
        if not any(SequenceMatcher(None, sk, a).ratio() >= NAME_MATCH for a in skeletons):
            out.append(name)
    return out


@dataclass
class Checked:
    sentences: list[tuple[str, Evidence]] = field(default_factory=list)
    declined: bool = False
    notes: dict = field(default_factory=dict)


def _bump(notes: dict, key: str) -> None:
    notes[key] = notes.get(key, 0) + 1


def ngram_support(sentence: str, evidence: str, n: int = 3) -> float:
    """Share of the sentence's character n-grams found in the evidence (normalised text)."""
    a, b = normalize(sentence).replace(" ", ""), normalize(evidence).replace(" ", "")
    grams = {a[i:i + n] for i in range(len(a) - n + 1)}
    if not grams:
        return 0.0
    return sum(g in b for g in grams) / len(grams)


def split_answer(raw: str) -> list[tuple[str, list[int]]]:
    """(sentence text without markers, passage numbers it cites); markers after a full stop belong
    to the sentence before it."""
    text = JUNK.sub("", raw.strip()).strip()
    out: list[tuple[str, list[int]]] = []
    for sent in split_sentences(text):
        lead = re.match(r"(\s*\[\d{1,2}\])+", sent)
        if lead and out:  # "First fact. [2] Second fact" -> [2] closes the first sentence
            out[-1][1].extend(int(m) for m in MARKER.findall(lead.group()))
            sent = sent[lead.end():]
        nums = [int(m) for m in MARKER.findall(sent)]
        body = ANY_BRACKET.sub("", sent).strip()
        if not re.search(r"\w", body):
            if out:
                out[-1][1].extend(nums)
            continue
        out.append((body, nums))
    return out


def check(raw: str, evidence: list[Evidence], language: str, embed=None, question: str = "") -> Checked:
    result = Checked()
    by_n = {e.n: e for e in evidence}
    parts = split_answer(raw)
    if not parts or (DECLINE.search(raw) and len(parts) <= 2 and not any(by_n.get(n) for _, ns in parts for n in ns)):
        result.declined = True
        return result
    vecs = embed([s for s, _ in parts]) if (embed and language != "ar") else [None] * len(parts)
    for (sentence, nums), vec in zip(parts, vecs):
        if DECLINE.search(sentence):
            continue
        def support(e: Evidence) -> float:
            lex = ngram_support(sentence, e.text)
            if vec is not None and e.vector is not None:
                return max(lex, cosine(vec, e.vector))
            return lex
        valid = [by_n[n] for n in nums if n in by_n]
        if len(valid) < len(nums):
            _bump(result.notes, "invalid_citation_dropped")
        best = max(evidence, key=support)
        cited = max(valid, key=support) if valid else None
        if cited is None or support(cited) + 0.05 < support(best):
            if cited is not None:
                _bump(result.notes, "citation_reassigned")
            elif not nums:
                _bump(result.notes, "citation_attached")
            cited = best
        if support(cited) < MIN_SUPPORT:
            _bump(result.notes, "unsupported_dropped")
            continue
        extra = numbers(sentence) - numbers(cited.text) - numbers(question)
        if extra:
            _bump(result.notes, "number_fallback")
            sentence = cited.text
        elif language == "en" and arabic_ratio(cited.text) > 0.5 and unknown_names(sentence, cited.text, question):
            _bump(result.notes, "name_fallback")
            sentence = cited.text
        result.sentences.append((sentence, cited))
    return result
