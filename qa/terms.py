"""News terms, Arabic -> English: the phrases of diplomatic, military and political news a reader asks
about ("عشاء عمل" -> "working dinner", "ضمانات ملزمة قانونيا" -> "legally binding guarantees").

The one local generator is a 1.5B coding model, and its translations of such phrases are guesses ("At
work" for عشاء عمل, "Military strike" for أسلحة هجومية, "In the name of God" for في غاية الجدية), which
the embedder cannot tell from right ones for a phrase of two or three words. So, as with names
(qa/render.py) and bodies (qa/orgs.py), code knows the common ones: a span that is one term is written by
code; a span the model translates gets its terms on the prompt's Names line, and a translation that
writes every term of a span the terms cover is checked by code, not by the embedder. Kept by hand, like
the bodies list: general news vocabulary, not sentences of any one corpus; a phrase not listed here goes
to the model as before.
"""
from __future__ import annotations

import re
from functools import lru_cache

from index.text import normalize

# as the Arabic press writes them -> English (the first English form is the one code writes; the others
# are accepted in a model translation). Words with several senses in news ("عملية": operation /
# practical, "تقدم": progress / advances) are left out.
_TERMS: dict[str, tuple[str, ...]] = {
    # meetings and talks
    "عشاء عمل": ("working dinner", "work dinner", "business dinner"),
    "غداء عمل": ("working lunch", "business lunch"),
    "مؤتمر صحفي": ("press conference", "news conference"),
    "بيان مشترك": ("joint statement",),
    "محادثات ثنائية": ("bilateral talks",),
    "اجتماع ثنائي": ("bilateral meeting",),
    "الاجتماع الثنائي": ("bilateral meeting",),
    "اجتماع تمهيدي": ("preliminary meeting", "preparatory meeting"),
    "مكالمة هاتفية": ("phone call", "telephone call"),
    "اتصال هاتفي": ("phone call", "telephone call"),
    "مشاورات": ("consultations",),
    "حلفائها": ("its allies",),
    "حلفاء": ("allies",),
    "الحلفاء": ("allies", "the allies"),
    "الحوار الاستراتيجي": ("strategic dialogue",),
    "الاستقرار الاستراتيجي": ("strategic stability",),
    "حوار الاستقرار الاستراتيجي": ("strategic stability dialogue",),
    "التوازن الاستراتيجي": ("strategic stability", "strategic balance"),
    "حوار التوازن الاستراتيجي": ("strategic stability dialogue", "strategic balance dialogue"),
    "البعثة الأمريكية": ("the US mission", "US mission", "American mission"),
    "البعثة الأميركية": ("the US mission", "US mission", "American mission"),
    "البعثة الروسية": ("the Russian mission", "Russian mission"),
    "البعثة الدائمة": ("the permanent mission", "permanent mission"),
    "مقر البعثة الأمريكية": ("the US mission", "US mission headquarters", "US mission"),
    "مقر البعثة الأميركية": ("the US mission", "US mission headquarters", "US mission"),
    "بعثة الولايات المتحدة": ("the US mission", "US mission"),
    "مقر بعثة الولايات المتحدة": ("the US mission", "US mission headquarters", "US mission"),
    "السفارة الأمريكية": ("the US embassy", "US embassy"),
    "السفارة الأميركية": ("the US embassy", "US embassy"),
    "السفارة الروسية": ("the Russian embassy", "Russian embassy"),
    "مجموعات عمل": ("working groups",),
    "مجموعة عمل": ("working group",),
    "مجموعتي عمل": ("two working groups",),
    "خارطة طريق": ("road map", "roadmap"),
    "المسار الدبلوماسي": ("diplomatic track", "diplomatic path"),
    "الحل الدبلوماسي": ("diplomatic solution",),
    "حل دبلوماسي": ("diplomatic solution",),
    # what talks are about
    "ضمانات أمنية": ("security guarantees",),
    "الضمانات الأمنية": ("security guarantees",),
    "ضمانات ملزمة قانونيا": ("legally binding guarantees",),
    "ضمانات قانونية ملزمة": ("legally binding guarantees",),
    "ضمانات ملزمة قانونا": ("legally binding guarantees",),
    "ملزمة قانونا": ("legally binding",),
    "ملزم قانونا": ("legally binding",),
    "ملزمة قانونيا": ("legally binding",),
    "ملزم قانونيا": ("legally binding",),
    "التوسع شرقا": ("eastward expansion", "expansion to the east", "expand east", "expand eastward"),
    "توسع الناتو شرقا": ("NATO's eastward expansion", "NATO expansion to the east"),
    "توسيع الناتو": ("NATO expansion", "NATO enlargement"),
    "الحد من التسلح": ("arms control",),
    "الحد من الأسلحة": ("arms control",),
    "مراقبة الأسلحة": ("arms control",),
    "أسلحة هجومية": ("offensive weapons",),
    "الأسلحة الهجومية": ("offensive weapons",),
    "أسلحة هجومية ضاربة": ("offensive strike weapons",),
    "أسلحة نووية": ("nuclear weapons",),
    "الأسلحة النووية": ("nuclear weapons",),
    "القدرات النووية": ("nuclear capabilities",),
    "الحرب النووية": ("nuclear war",),
    "حرب نووية": ("nuclear war",),
    "الصواريخ متوسطة المدى": ("intermediate-range missiles",),
    "صواريخ متوسطة المدى": ("intermediate-range missiles",),
    "الصواريخ قصيرة المدى": ("short-range missiles",),
    "صواريخ قصيرة المدى": ("short-range missiles",),
    "متوسطة وقصيرة المدى": ("intermediate- and short-range", "medium- and short-range"),
    "قصيرة ومتوسطة المدى": ("short- and intermediate-range", "short- and medium-range"),
    "عدم نشر": ("non-deployment",),
    "الأمن القومي": ("national security",),
    "الأمن الأوروبي": ("European security",),
    "الدفاع الأوروبي": ("European defence", "European defense"),
    "مليارات الدولارات": ("billions of dollars",),
    "ملايين الدولارات": ("millions of dollars",),
    "الحرب الباردة": ("Cold War", "the Cold War"),
    "حرب باردة": ("cold war",),
    "وقف إطلاق النار": ("ceasefire", "cease-fire"),
    "تبادل الأسرى": ("prisoner exchange", "prisoner swap"),
    "تبادل السجناء": ("prisoner exchange", "prisoner swap"),
    "عقوبات اقتصادية": ("economic sanctions",),
    "العقوبات الاقتصادية": ("economic sanctions",),
    "عقوبات": ("sanctions",),
    "العقوبات": ("sanctions", "the sanctions"),
    "المناورات العسكرية": ("military exercises", "military drills"),
    "مناورات عسكرية": ("military exercises", "military drills"),
    "حشد القوات": ("troop buildup", "military buildup", "troop build-up"),
    "حشد عسكري": ("military buildup", "military build-up"),
    "القوة العسكرية": ("military force",),
    "الملاذ الأخير": ("last resort", "a last resort"),
    "كملاذ أخير": ("as a last resort",),
    "قواعد عسكرية": ("military bases",),
    "القواعد العسكرية": ("military bases", "the military bases"),
    "إعادة تسليح": ("rearming", "rearmament"),
    "يعيد تسليح": ("rearming", "is rearming"),
    "تسليح": ("arming",),
    "خفض التصعيد": ("de-escalation", "de-escalate"),
    "تخفيف التوتر": ("easing tension", "ease tensions", "easing tensions"),
    "خفض التوتر": ("reducing tension", "reduce tensions", "reducing tensions"),
    "تخفيف حدة التوتر": ("easing tension", "ease tensions", "easing tensions"),
    "نزع فتيل التوتر": ("defusing tension", "defuse tensions"),
    "التصعيد": ("escalation",),
    "الانفصاليين": ("separatists", "the separatists"),
    "الانفصاليون": ("separatists", "the separatists"),
    "الغرب": ("the West", "West"),
    "الدول الغربية": ("Western countries", "the Western countries"),
    "القواعد الروسية": ("Russian bases", "the Russian bases"),
    "لا يمكن الانتصار": ("cannot be won",),
    "شرق أوكرانيا": ("eastern Ukraine",),
    "أوروبا الشرقية": ("Eastern Europe",),
    "شرق أوروبا": ("Eastern Europe",),
    "دول البلطيق": ("the Baltic states", "Baltic states"),
    "الجمعية العامة": ("the General Assembly", "General Assembly"),
    "الجمعية العامة للأمم المتحدة": ("the UN General Assembly", "UN General Assembly"),
    "ميزانية الدفاع": ("defence budget", "defense budget"),
    "ميزانية الدفاع الأمريكية": ("US defence budget", "US defense budget"),
    "ضم شبه جزيرة القرم": ("the annexation of Crimea", "annexation of Crimea"),
    "شبه جزيرة القرم": ("the Crimean peninsula", "Crimea"),
    "المنظومات الصاروخية": ("missile systems",),
    "منظومات صاروخية": ("missile systems",),
    "القوات الروسية": ("Russian forces", "Russian troops"),
    "القوات الأمريكية": ("US forces", "US troops"),
    "القوات الأميركية": ("US forces", "US troops"),
    "الحدود الأوكرانية": ("the Ukrainian border", "Ukraine's border"),
    "الهجمات الإلكترونية": ("cyber attacks", "cyberattacks"),
    "الهجمات السيبرانية": ("cyber attacks", "cyberattacks"),
    "الأمن السيبراني": ("cybersecurity", "cyber security"),
    "الأمن الإلكتروني": ("cybersecurity", "cyber security"),
    "مشروع قانون": ("bill",),
    "مسودة اتفاقية": ("draft agreement",),
    "مسودة اتفاقيات": ("draft agreements",),
    "مشروعي اتفاقيتين": ("two draft agreements",),
    "المقترحات الروسية": ("the Russian proposals", "Russian proposals", "Russia's proposals"),
    "المقترحات الأمريكية": ("the US proposals", "US proposals"),
    "عضوية الناتو": ("NATO membership",),
    "سياسة الباب المفتوح": ("open-door policy", "open door policy"),
    "خلف أبواب مغلقة": ("behind closed doors",),
    "خلف الأبواب المغلقة": ("behind closed doors",),
    "تطبيع العلاقات": ("normalization of relations", "normalising relations", "normalizing relations",
                       "normalisation of relations"),
    "العلاقات الثنائية": ("bilateral relations",),
    "حوادث عسكرية": ("military incidents",),
    "مجلس الأمن القومي": ("the National Security Council", "National Security Council"),
    "إفادة صحفية": ("press briefing", "news briefing"),
    "مؤتمر صحافي": ("press conference", "news conference"),
    "ندوة صحافية": ("press conference", "news conference"),
    "على هامش": ("on the sidelines of",),
    "اتفاقيات مينسك": ("the Minsk agreements", "Minsk agreements"),
    "تسوية سياسية": ("political settlement",),
    # what was said of them
    "قرارات مسؤولة": ("responsible decisions",),
    "لا صحة له": ("untrue", "not true", "not accurate", "inaccurate", "not correct", "incorrect", "false", "no truth"),
    "لا صحة لها": ("untrue", "not true", "not accurate", "inaccurate", "not correct", "incorrect", "false", "no truth"),
    "لا أساس لها من الصحة": ("baseless", "unfounded", "untrue", "groundless", "no basis"),
    "لا أساس له من الصحة": ("baseless", "unfounded", "untrue", "groundless", "no basis"),
    "لا تزال مستمرة": ("still ongoing", "still under way"),
    "لا تزال جارية": ("still ongoing", "still under way"),
    "ما زالت مستمرة": ("still ongoing", "still under way"),
    "مازالت مستمرة": ("still ongoing", "still under way"),
    "من السابق لأوانه": ("too early", "premature"),
    "في غاية الجدية": ("very seriously", "extremely seriously"),
    "بجدية": ("seriously",),
    "بجدية كبيرة": ("very seriously",),
    "صريحة": ("frank", "candid"),
    "صريحا": ("frank", "candid"),
    "صريح": ("frank", "candid"),
    "موضوعية": ("substantive", "objective"),
    "محددة": ("specific",),
    "بناءة": ("constructive",),
    "مثمرة": ("fruitful", "productive"),
    "إيجابية": ("positive",),
    "مهنية": ("professional",),
    "صعبة": ("difficult", "tough"),
    "صعبا": ("difficult", "tough"),
    "معقدة": ("complex", "complicated"),
    "مفيدة": ("useful",),
    "ودية": ("friendly", "cordial"),
    "متوترة": ("tense",),
    "خط أحمر": ("red line",),
    "خطوط حمراء": ("red lines",),
    "الخطوط الحمراء": ("red lines", "the red lines"),
    "طريق مسدود": ("dead end", "deadlock", "impasse"),
    "كخيار أخير": ("as a last resort", "as a last option"),
    "خيار أخير": ("a last resort", "last resort", "last option"),
    "كملاذ أخير": ("as a last resort",),
    "ملاذ أخير": ("a last resort", "last resort"),
}

TERMS: dict[str, tuple[str, ...]] = {normalize(k): v for k, v in _TERMS.items()}
# terms that say "no": a translation of a text holding one must write one of its forms, or it says the
# opposite ("الأنباء عن … لا صحة لها" -> "The United States has not confirmed that…", gold dev en-104)
NEGATIONS = {normalize(k) for k in ("لا صحة له", "لا صحة لها", "لا أساس لها من الصحة", "لا أساس له من الصحة",
                                    "لا يمكن الانتصار")}
_PREFIXES = ("وال", "بال", "فال", "لل", "ال", "و", "ب", "ل", "ف")
# function words a span may hold around its terms ("في", "من"): not content the terms must cover
_FUNCTION = {normalize(w) for w in "في من على إلى الى عن مع أن ان إن و ثم أو او قد هو هي كان كانت بأنها بأنه بانها بانه انها انه".split()}


def _words(arabic: str) -> list[str]:
    return [w for w in (x.strip(".,،:;\"'()«»!?؟") for x in normalize(arabic).split()) if w]


def _same(word: str, term_word: str, first: bool) -> bool:
    """A text word is a term word, or it with one prefix glued on (the first word only: "والعقوبات")."""
    if word == term_word:
        return True
    return first and any(word == p + term_word or (p.endswith("ال") and term_word.startswith("ال")
                                                  and word == p[:-2] + term_word) for p in _PREFIXES)


@lru_cache(maxsize=1)
def _by_length() -> list[tuple[list[str], str]]:
    return sorted(((k.split(), k) for k in TERMS), key=lambda kv: -len(kv[0]))


@lru_cache(maxsize=4096)
def found(arabic: str) -> tuple[tuple[int, int, str], ...]:
    """The terms of a text, in text order, without overlaps (longest first wins): (first word, end, term
    key). Cached: the checks of one answer ask it of the same span several times."""
    words = _words(arabic)
    out: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for parts, key in _by_length():
        n = len(parts)
        for i in range(len(words) - n + 1):
            if taken & set(range(i, i + n)):
                continue
            if all(_same(words[i + j], parts[j], j == 0) for j in range(n)):
                out.append((i, i + n, key))
                taken |= set(range(i, i + n))
    return tuple(sorted(out))


def glossary(arabic: str, most: int = 6) -> list[tuple[str, str]]:
    """(the words as the text writes them, the English code writes) for each term of a text, in order; at
    most `most` (each costs prompt tokens, and a long clause holds many)."""
    words = [x for x in (w.strip(".,،:;\"'()«»!?؟") for w in arabic.split()) if x]
    if len(words) != len(_words(arabic)):
        return []
    return list(dict.fromkeys((" ".join(words[i:j]), TERMS[key][0]) for i, j, key in found(arabic)))[:most]


@lru_cache(maxsize=1)
def _english_patterns() -> list[tuple[re.Pattern, str, str]]:
    """(the whole-word pattern of an English form, its term key, the form lower-cased)."""
    return [(re.compile(rf"(?<![a-z0-9-]){re.escape(form.lower())}(?![a-z0-9-])"), key, form.lower())
            for key, fs in TERMS.items() for form in fs]


@lru_cache(maxsize=1024)
def named_in_english(text: str) -> tuple[tuple[str, ...], ...]:
    """The terms an English text writes ("ceasefire", "cyber attacks"), each as the Arabic keys that write it
    (الهجمات الإلكترونية or الهجمات السيبرانية): the words an English question shares with an Arabic
    sentence beyond names (qa/evidence.py: lexical)."""
    low = text.lower()
    by_form: dict[str, list[str]] = {}
    for pattern, key, form in _english_patterns():
        if pattern.search(low):
            by_form.setdefault(form, []).append(key)
    return tuple(dict.fromkeys(tuple(dict.fromkeys(keys)) for keys in by_form.values()))


def same_as(key: str) -> tuple[str, ...]:
    """A term's key and every key that shares its first English form ("حوار التوازن الاستراتيجي" and
    "حوار الاستقرار الاستراتيجي" both write "strategic stability dialogue"): the Arabic ways to say it."""
    first = TERMS[key][0].lower()
    return tuple(k for k, v in TERMS.items() if first in (f.lower() for f in v))


def forms(arabic: str) -> list[str]:
    """Every English form of the terms of a text ("Cold War", "the Cold War"): words a translation may write
    that are no names."""
    return [form for _, _, key in found(arabic) for form in TERMS[key]]


def whole(arabic: str) -> str | None:
    """The English of a span that is one term and function words ("في غاية الجدية", "عشاء عمل"), or a list
    of terms joined by "و" and nothing else ("صريحة وموضوعية ومحددة" -> "frank, substantive and specific"),
    else None."""
    hits = _covering(arabic)
    if not hits:
        return None
    words = _words(arabic)
    if len(hits) == 1:
        return TERMS[hits[0][2]][0]
    # a list: each later term has "و" glued on, or a "و" word just before it, and nothing else between
    joined = all(i == j_before and words[i].startswith("و") and words[i] != key.split()[0] or
                 i == j_before + 1 and words[j_before] == "و"
                 for (_, j_before, _), (i, _, key) in zip(hits, hits[1:]))
    if not joined or hits[0][0] != 0 or hits[-1][1] != len(words):
        return None
    english = [TERMS[key][0] for *_, key in hits]
    return ", ".join(english[:-1]) + " and " + english[-1]


def keeps_negations(arabic: str, english: str) -> bool:
    """Every "no" term of the text (NEGATIONS) is in the translation, in one of its English forms."""
    return all(_writes(english, key) for _, _, key in found(arabic) if key in NEGATIONS)


def _writes(english: str, key: str) -> bool:
    text = " " + re.sub(r"[^a-z0-9-]+", " ", english.lower()) + " "
    return any(f" {re.sub(r'[^a-z0-9-]+', ' ', form.lower()).strip()} " in text for form in TERMS[key])


def covers(arabic: str, english: str) -> bool:
    """A translation that writes (one English form of) every term of a span whose every content word is in a
    term: checked by code. False when any content word is outside the terms, or a term's English is missing."""
    hits = _covering(arabic)
    return bool(hits) and all(_writes(english, key) for _, _, key in hits)


def _covering(arabic: str) -> tuple[tuple[int, int, str], ...]:
    """The text's terms when every content word of it is inside one of them (function words aside), else ()."""
    hits = found(arabic)
    inside = {k for i, j, _ in hits for k in range(i, j)}
    if any(w not in _FUNCTION for k, w in enumerate(_words(arabic)) if k not in inside):
        return ()
    return hits
