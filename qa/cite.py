"""Names in an English answer checked against the Arabic evidence it cites, by consonant skeleton.

The 1.5B model transliterates freely (بروكسل -> "Broomfield", جنيف -> "Genoa"): a capitalised word of an
English rendering must match the question or some word of the cited Arabic, else the rendering is not
used (qa/render.py, qa/support.py).
"""
from __future__ import annotations

import re

from index.text import NAME_PREFIXES, normalize, strip_prefix

from .params import PARAMS

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
    # تش writes the English "ch" (كوتشلي ~ Kuechly), which the Latin skeleton reads as "s"
    w = strip_prefix(normalize(word), NAME_PREFIXES).replace("تش", "ش")
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
        if not any(SequenceMatcher(None, sk, a).ratio() >= PARAMS.name_match for a in skeletons):
            out.append(name)
    return out
