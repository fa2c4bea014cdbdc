"""Organisations the news keeps naming (alliances, international bodies, news agencies), Arabic -> English.

A question that asks "which organisation / agency / alliance" ("أي منظمة / وكالة") is answered by code
with the body its cited sentence names, never one the question itself names, the way qa/gazetteer.py
answers "which city". The list is kept by hand: the CLDR has places, not organisations. A body not listed
here goes to the model as before.
"""
from __future__ import annotations

import re
from functools import lru_cache

from index.text import normalize

from .support import NOT_AUX

# as the Arabic press writes them -> English
BODIES = {
    "حلف شمال الأطلسي": "NATO", "حلف الناتو": "NATO", "الناتو": "NATO",
    "منظمة الأمن والتعاون في أوروبا": "the OSCE", "الاتحاد الأوروبي": "the European Union",
    "الأمم المتحدة": "the United Nations", "مجلس الأمن الدولي": "the UN Security Council", "مجلس الأمن": "the Security Council",
    "الوكالة الدولية للطاقة الذرية": "the IAEA", "منظمة الصحة العالمية": "the WHO", "الصليب الأحمر": "the Red Cross",
    "جامعة الدول العربية": "the Arab League", "الاتحاد الأفريقي": "the African Union", "الاتحاد الإفريقي": "the African Union",
    "منظمة التجارة العالمية": "the WTO", "صندوق النقد الدولي": "the IMF", "البنك الدولي": "the World Bank",
    "مجموعة السبع": "the G7", "مجموعة العشرين": "the G20", "أوبك": "OPEC", "المفوضية الأوروبية": "the European Commission",
    "البرلمان الأوروبي": "the European Parliament", "الكرملين": "the Kremlin", "البيت الأبيض": "the White House",
    "البنتاغون": "the Pentagon", "وزارة الخارجية الأمريكية": "the US State Department",
    "رويترز": "Reuters", "فرانس برس": "AFP", "أسوشيتد برس": "the Associated Press", "تاس": "TASS",
    "ريا نوفوستي": "RIA Novosti", "نوفوستي": "RIA Novosti", "إنترفاكس": "Interfax", "انترفاكس": "Interfax",
    "بلومبرغ": "Bloomberg", "الجزيرة": "Al Jazeera", "بي بي سي": "the BBC", "سي إن إن": "CNN",
}
_ASK_EN = re.compile(rf"\b(which|what) (?:{NOT_AUX}\w+ ){{0,2}}?"
                     r"(organi[sz]ations?|agency|agencies|alliance|bloc|body|bodies|"
                     r"institution|outlet|newspaper|broadcaster)\b")
_ASK_AR = re.compile(r"(أي|اي|ما|ما هي|ماهي|وما) (ال)?(منظمة|منظمه|وكالة|وكاله|حلف|هيئة|هيئه|مؤسسة|مؤسسه|"
                     r"صحيفة|صحيفه|قناة|قناه)")
_GLUED = ("و", "ب", "ل", "ف", "وب", "ول")


@lru_cache(maxsize=1)
def _table() -> list[tuple[list[str], str, str]]:
    """(normalised words, Arabic as written, English), longest first."""
    rows = [(normalize(ar).split(), ar, en) for ar, en in BODIES.items()]
    return sorted(rows, key=lambda r: -len(r[0]))


def asked(question: str, language: str) -> bool:
    """The question asks which organisation, agency or alliance."""
    return bool(_ASK_EN.search(question.lower()) if language == "en" else _ASK_AR.search(question))


def _same(word: str, key: str) -> bool:
    """A sentence word is the key word, maybe with a glued و / ب / ل (لل for ال)."""
    if word == key:
        return True
    if key.startswith("ال") and word == "لل" + key[2:]:
        return True
    return any(word == g + key for g in _GLUED)


def named(ws: list[str]) -> list[tuple[int, int, str, str]]:
    """The bodies a sentence's words name: (first word, end, Arabic, English), in sentence order."""
    norm = [normalize(w).strip("\"'“”«»()،,.:؛") for w in ws]
    taken: set[int] = set()
    out = []
    for key, ar, en in _table():
        n = len(key)
        for i in range(len(norm) - n + 1):
            if any(j in taken for j in range(i, i + n)):
                continue
            if _same(norm[i], key[0]) and norm[i + 1:i + n] == key[1:]:
                out.append((i, i + n, ar, en))
                taken.update(range(i, i + n))
    return sorted(out)


def english(arabic: str) -> str | None:
    """'منظمة الأمن والتعاون في أوروبا' -> 'the OSCE'; None for a body not listed."""
    found = named(arabic.split())
    return found[0][3] if len(found) == 1 and found[0][1] - found[0][0] == len(arabic.split()) else None


def echoed(body: tuple[int, int, str, str], question: str) -> bool:
    """The question names this body itself (in either language)."""
    q = normalize(question)
    english_name = body[3].removeprefix("the ").lower()
    return any(" ".join(k) in q for k, _, en in _table() if en == body[3]) or \
        bool(re.search(rf"\b{re.escape(english_name)}\b", question.lower()))
