"""Arabic-aware text helpers: normalisation for matching, sentence splitting, language detection.

Normalisation is only ever used for matching (BM25, dedup, eval); displayed text stays original.
"""
from __future__ import annotations

import re
import unicodedata

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC_CHAR = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_CHAR = re.compile("[A-Za-z]")
_TOKEN = re.compile(r"\w+", re.UNICODE)

# sentence ends: . ! ? ؟ … and line breaks (where a sentence is cut; index/clean.py's LINE_ENDS_SENTENCE
# asks whether a line ends like one)
SENTENCE_END = re.compile(r"(?<=[.!?؟…])[\"”»')\]]*\s+|\n+")


def normalize(text: str) -> str:
    """Lower-case, strip diacritics and tatweel, unify alef / ya / ta marbuta forms and digits."""
    text = unicodedata.normalize("NFKC", text)
    text = _DIACRITICS.sub("", text).replace(_TATWEEL, "")
    return text.translate(_ALEF).translate(_DIGITS).lower()


# the article "ال" with what is glued before it, stripped from normalised words for matching
ARTICLE_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
NAME_PREFIXES = ("وال", "بال", "فال", "لل", "ال")  # for names: without "كال", which begins كاليفورنيا


def strip_prefix(word: str, prefixes: tuple[str, ...] = ARTICLE_PREFIXES, keep: int = 3) -> str:
    """The word without its first matching prefix, if at least `keep` letters remain."""
    for p in prefixes:
        if word.startswith(p) and len(word) - len(p) >= keep:
            return word[len(p):]
    return word


def tokens(text: str) -> list[str]:
    """Normalised word tokens with a light Arabic prefix strip (no stemmer: names must survive)."""
    return [strip_prefix(tok) for tok in _TOKEN.findall(normalize(text))]


def split_sentences(text: str) -> list[str]:
    """Split on sentence ends (. ! ? ؟ …, line breaks); keeps each sentence's own characters."""
    return [s.strip() for s in SENTENCE_END.split(text) if s and s.strip()]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in text, as split_sentences cuts them."""
    spans, pos = [], 0
    for m in SENTENCE_END.finditer(text):
        if text[pos:m.start()].strip():
            spans.append(_strip_span(text, pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        spans.append(_strip_span(text, pos, len(text)))
    return spans


EVIDENCE_MIN_WORDS = 4


def evidence_sentences(text: str, min_words: int = EVIDENCE_MIN_WORDS) -> list[str]:
    """The sentences of a chunk that can serve as evidence: in order, long enough, no repeats.
    Ingest embeds exactly these, so answering finds their vectors stored."""
    out: list[str] = []
    for a, b in sentence_spans(text):
        s = text[a:b]
        if len(s.split()) >= min_words and s not in out:
            out.append(s)
    return out


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def arabic_ratio(text: str) -> float:
    ar = len(_ARABIC_CHAR.findall(text))
    lat = len(_LATIN_CHAR.findall(text))
    return ar / (ar + lat) if ar + lat else 0.0


_PERSIAN_URDU = re.compile("[پچژگکیۀےٹڈڑں]")


def detect_language(text: str) -> str:
    """'ar' or 'en': the answer language. Anything that is neither is answered in English.

    Mostly Latin letters: English. Arabic script: Arabic, unless it has letters Arabic does not use
    (پ چ ژ گ ک ی ے …); only then is langdetect (seeded, ~13 ms) asked, and fa / ur / ps makes it
    Persian or Urdu (answered in English). langdetect alone calls short Arabic questions fa / ur.
    """
    if arabic_ratio(text) < 0.5:
        return "en"
    if not _PERSIAN_URDU.search(text):
        return "ar"  # same answer as below without langdetect (~13 ms a call): only these letters make it fa/ur
    lang = _langdetect(text)
    if lang in ("fa", "ur", "ps") and _PERSIAN_URDU.search(text):
        return "en"  # really Persian / Urdu: not a language we answer in
    return "ar"


def _langdetect(text: str) -> str:
    try:
        from langdetect import DetectorFactory, detect

        DetectorFactory.seed = 0
        return detect(text)
    except Exception:  # langdetect raises on text without features
        return "unknown"


_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)(?:\s*(ألف|آلاف|الف|الاف|مليون|ملايين|مليار|مليارات|thousand|million|billion)\b)?",
                     re.IGNORECASE)
_SCALE = {"ألف": 1e3, "آلاف": 1e3, "الف": 1e3, "الاف": 1e3, "thousand": 1e3, "مليون": 1e6, "ملايين": 1e6,
          "million": 1e6, "مليار": 1e9, "مليارات": 1e9, "billion": 1e9}


def numbers(text: str) -> set[str]:
    """Values of the numbers in text, so that "15,000", "15 ألف" and "15 thousand" compare equal
    (Arabic-Indic digits mapped to Western)."""
    out = set()
    for m in _NUMBER.finditer(text.translate(_DIGITS).replace("٫", ".").replace("٬", ",")):
        raw = m.group(1)
        if re.fullmatch(r"\d{1,3}(,\d{3})+", raw):
            value = float(raw.replace(",", ""))
        else:
            try:
                value = float(raw.replace(",", "."))
            except ValueError:
                continue
        value *= _SCALE.get((m.group(2) or "").lower(), 1)
        out.add(str(int(value)) if value == int(value) else f"{value:g}")
    return out
