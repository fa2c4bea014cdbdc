"""Refusing plausible questions the evidence cannot answer, decided by code before any model call.

A question can be on topic (Geneva, the talks, the delegations) and still ask for something the
articles never give: the hotel of the working dinner, the minutes a call lasted, the name of an
interpreter. The 1.5B model then answers with the nearest fact. Three checks, all cross-lingual:

* `missing_detail`: the question asks about a kind of detail (hotel, interpreter, exchange rate, clock
  time, secretary-general...) that no evidence sentence mentions in either language.
* `missing_unit`: "how many minutes / delegates / prisoners" where no number in the evidence counts
  that unit (a number of hours does not answer "how many minutes").
* `echo`: a who-answer that only repeats a person the question already names ("Who was the Secretary
  of State to whom Sherman was deputy?" -> "Sherman") answers nothing; nor does a name whose title
  rules it out: the deputy of the office asked for, or another nationality (qa/titles.py `conflicts`,
  fired as `title_conflict`). An Arabic span that only repeats a clause of the question is replaced by
  what the sentence says beside it, and is `echo` too when the sentence says nothing new
  (qa/span.py `echoes`, `beside_echo`).

`reason(...)` returns the first that fires (with what it found) or None. Measured on the dev sets
only (eval/answers_dev.jsonl, eval/gold/dev.jsonl): see README, "Refusals".
"""
from __future__ import annotations

import re

from index.text import arabic_ratio, normalize

from . import span as S
from .cite import _skeleton_arabic, _skeleton_latin

# kind of detail -> (English question pattern, Arabic question pattern (normalised), evidence pattern
# (normalised text, either language)). A question matching a pattern asks for that detail; evidence
# that never matches the third one cannot give it.
DETAILS: dict[str, tuple[str, str, str]] = {
    "hotel": (r"\bhotels?\b", r"فندق", r"فندق|hotel"),
    "restaurant": (r"\brestaurants?\b", r"مطعم", r"مطعم|restaurant"),
    "interpreter": (r"\b(interpreters?|translators?)\b", r"مترجم", r"مترجم|ترجم|interpret|translat"),
    "journalists": (r"\b(journalists?|reporters?|press corps)\b", r"صحفيين|صحافيين|الصحفيون|مراسلين",
                    r"صحف|صحاف|اعلامي|مراسل|تقرير|بقلم|journalist|reporter|report"),
    "minutes": (r"\bminutes?\b", r"دقيقه|دقايق", r"دقيق|دقايق|minute"),
    "clock": (r"\bwhat (exact )?time\b|\bat what time\b|\bgmt\b|\bo'?clock\b|\bwhat hour\b",
              r"(في )?(اي|أي) ساعه|الساعه كم|توقيت|بتوقيت",
              r"\d{1,2}[:.]\d{2}|الساعه\s+\S+\s+(صباحا|مساء|ظهرا|بتوقيت)|بتوقيت|غرينتش|جرينتش|\bgmt\b|o'?clock|\b[ap]\.?m\b"),
    "exchange_rate": (r"\bexchange rate\b|\broubles?\b|\brubles?\b", r"سعر (ال)?صرف|الروبل|روبل",
                      r"صرف|روبل|rouble|ruble|exchange rate"),
    "ambassador": (r"\bambassadors?\b", r"سفير|سفيره", r"سفير|مندوب|ambassador"),
    # "ما اسم المندوب الروسي الدائم لدى مكتب الأمم المتحدة في جنيف؟": the articles name a mission, not its envoy
    "envoy": (r"\b(envoys?|emissar(y|ies)|permanent representatives?)\b", r"مندوب|مبعوث",
              r"مندوب|مبعوث|سفير|envoy|emissar|ambassador|representative"),
    "secretary_general": (r"\bsecretary[- ]general\b", r"الامين العام|امين عام",
                          r"الامين العام|امين عام|secretary[- ]general"),
    "age": (r"\bhow old\b|\bage of\b|\bwhat age\b", r"كم عمر|ما عمر|عمره|عمرها", r"عمر|عاما من|age|aged|years old"),
    # درجه alone is a degree, a grade or a division ("دوري الدرجه الاولي", "الشركات المدرجه"): only "درجه الحراره"
    "weather": (r"\bweather\b|\btemperature\b", r"طقس|(?<!\S)[وب]?(?:ال)?حراره(?!\S)|درجات? (?:ال)?حراره",
                r"طقس|حرار|weather|temperature"),
    "salary": (r"\bsalary|\bwage", r"راتب|رواتب|اجر", r"راتب|رواتب|اجر|salary|wage"),
}

# units a count can ask for: English question word -> normalised Arabic / English stems of the counted word
UNITS: dict[str, tuple[str, ...]] = {
    "minute": ("دقيق", "دقايق", "minute"),
    "hour": ("ساع", "hour"),
    "day": ("يوم", "ايام", "day"),
    "week": ("اسبوع", "اسابيع", "week"),
    "month": ("شهر", "اشهر", "month"),
    "year": ("سن", "عام", "اعوام", "year"),
    "delegate": ("عضو", "اعضاء", "مندوب", "دبلوماسي", "مسوول", "delegate", "member", "official", "diplomat"),
    "member": ("عضو", "اعضاء", "دول", "دوله", "member", "state", "countr"),
    "journalist": ("صحف", "صحاف", "اعلامي", "مراسل", "journalist", "reporter"),
    "prisoner": ("سجين", "سجناء", "اسير", "اسري", "معتقل", "prisoner", "detainee"),
    "soldier": ("جندي", "جنود", "عسكري", "الف", "soldier", "troop"),
    "troop": ("جندي", "جنود", "عسكري", "قوات", "الف", "soldier", "troop"),
    "person": ("شخص", "اشخاص", "قتيل", "مدني", "نسمه", "مواطن", "الف", "people", "person"),
    "dollar": ("دولار", "مليون", "مليار", "dollar", "million", "billion"),
    "round": ("جول", "round"),
    "country": ("دول", "دوله", "بلد", "countr", "state"),
    "request": ("طلب", "request"),
    "meeting": ("اجتماع", "لقاء", "جول", "meeting"),
}
_EN_UNIT = {"minutes": "minute", "hours": "hour", "days": "day", "weeks": "week", "months": "month", "years": "year",
            "delegates": "delegate", "members": "member", "officials": "delegate", "diplomats": "delegate",
            "journalists": "journalist", "reporters": "journalist", "prisoners": "prisoner", "detainees": "prisoner",
            "soldiers": "soldier", "troops": "troop", "people": "person", "persons": "person",
            "civilians": "person", "dollars": "dollar", "rounds": "round", "countries": "country",
            "states": "country", "requests": "request", "meetings": "meeting"}
_AR_UNIT = {"دقيقه": "minute", "دقايق": "minute", "ساعه": "hour", "ساعات": "hour", "يوما": "day", "يوم": "day",
            "ايام": "day", "اسبوعا": "week", "شهرا": "month", "اشهر": "month", "عاما": "year", "سنه": "year",
            "سنوات": "year", "عضوا": "delegate", "اعضاء": "delegate", "مندوبا": "delegate", "صحفيا": "journalist",
            "صحفيين": "journalist", "الصحفيين": "journalist", "سجينا": "prisoner", "سجناء": "prisoner",
            "السجناء": "prisoner", "اسيرا": "prisoner", "جنديا": "soldier", "جندي": "soldier", "الجنود": "soldier",
            "جنود": "soldier", "شخصا": "person", "شخص": "person", "دولارا": "dollar", "دولار": "dollar",
            "جوله": "round", "جولات": "round", "دوله": "country", "دول": "country", "طلبا": "request",
            "اجتماعا": "meeting"}


def question_detail(question: str, language: str) -> str | None:
    q = question.lower() if language == "en" else normalize(question)
    for kind, (en, ar, _) in DETAILS.items():
        if re.search(en if language == "en" else ar, q):
            return kind
    return None


def missing_detail(question: str, language: str, texts: list[str]) -> str | None:
    """The kind of detail the question asks about when no text mentions it, else None."""
    kind = question_detail(question, language)
    if kind is None:
        return None
    pattern = DETAILS[kind][2]
    return None if any(re.search(pattern, normalize(t)) for t in texts) else kind


def question_unit(question: str, language: str) -> str | None:
    """What a count question counts ("how many minutes" -> minute), when it is a known unit."""
    if language == "en":
        m = re.search(r"\bhow (?:many|long)\s+(?:\w+\s+)?(\w+)", question.lower())
        if m and m.group(1) in _EN_UNIT:
            return _EN_UNIT[m.group(1)]
        m = re.search(r"\bhow many (\w+)", question.lower())
        return _EN_UNIT.get(m.group(1)) if m else None
    m = re.search(r"(?:^|\s)(?:كم|عدد)\s+(?:عدد\s+)?(\S+)", normalize(question))  # "كم عدد الجنود"
    return _AR_UNIT.get(m.group(1)) if m else None


def counted(sentence: str) -> list[str]:
    """The number candidates of a sentence with the words right after them (what they count)."""
    found = []
    for c in S.candidates(sentence, "count"):
        i = sentence.find(c)
        tail = sentence[i + len(c):i + len(c) + 40] if i >= 0 else ""
        found.append(normalize(c + " " + " ".join(tail.split()[:2])))
    return found


def missing_unit(question: str, language: str, sentences: list[str]) -> str | None:
    """The unit a count question asks for when no number in the (Arabic) texts counts it."""
    unit = question_unit(question, language)
    if unit is None:
        return None
    arabic = [s for s in sentences if arabic_ratio(s) >= 0.5]
    if len(arabic) < len(sentences):  # English evidence: the candidate rules are Arabic, no judgement
        return None
    stems = UNITS[unit]
    for c in (c for s in arabic for c in counted(s)):
        words = c.split()
        if any(w.startswith(st) or w.startswith("ال" + st) or st in w for w in words for st in stems):
            return None
    return unit


def _arabic_skeletons(word: str) -> set[str]:
    """An Arabic word's skeleton, and the skeleton without a glued و / ب / ل / ف when that still has three
    consonants: "لمجلس" is "مجلس" with "to" in front ("بايدن" is not "ايدن")."""
    w = normalize(word)
    rest = _skeleton_arabic(w[1:]) if w[:1] in ("و", "ب", "ل", "ف") and len(w) >= 4 else ""
    return {_skeleton_arabic(w)} | ({rest} if len(rest) >= 3 else set())


def echo(answer_span: str, question: str, qtype: str = "who") -> bool:
    """An answer whose every name word already appears in the question (by skeleton, across scripts): it
    repeats the question instead of answering it ("NATO" for "Which NATO summit…?"). A who-answer also
    when its family name does, or all its words but one when it has four or more."""
    names = [w for w in S.words(answer_span) if w not in S._TITLE and w not in S._NOT_NAME and len(w) > 2]
    if not names:
        return False
    q_sk = {_skeleton_latin(w) for w in re.findall(r"[A-Za-z]+", question)}
    q_sk |= {_skeleton_arabic(w) for w in re.findall(r"[\u0600-\u06ff]+", question)}
    q_sk -= {""}
    said = [bool(_arabic_skeletons(w) & q_sk) if re.search(r"[\u0600-\u06ff]", w) else _skeleton_latin(w) in q_sk
            for w in names]
    # a name's family name alone is the same person: "سيرغى ريابكوف" for "Who … alongside Ryabkov?"; and a
    # long who-answer that is the question's own words but one ("منظمة الأمن والتعاون في أوروبا ومقرها فيينا"
    # for "من ترأس الوفد الأوكراني في محادثات فيينا مع منظمة الأمن والتعاون في أوروبا؟") names no one new
    return all(said) or (qtype == "who" and 1 < len(names) <= 3 and said[-1]) or \
        (qtype == "who" and len(names) >= 4 and sum(said) >= len(names) - 1)


def reason(question: str, language: str, qtype: str, texts: list[str]) -> dict | None:
    """Why the retrieved passages (texts) cannot answer this question ({"reason": ..., ...}), or None."""
    if (kind := missing_detail(question, language, texts)) is not None:
        return {"reason": "detail_missing", "detail": kind}
    if qtype == "count" and (unit := missing_unit(question, language, texts)) is not None:
        return {"reason": "unit_missing", "unit": unit}
    return None


def main(argv: list[str] | None = None) -> int:
    """`python -m qa.refuse GOLD.jsonl ...`: what the code-only refusals (threshold, missing names, missing
    details and units) do on dev questions (follow-ups left out), per kind, on the index in
    KHABAR_DATA_DIR (the seed articles, ingested first when it is empty). Dev files only: never a test split."""
    import argparse
    import json
    from collections import Counter

    from index.config import offline_env

    offline_env()
    from index.ingest import ingest

    from .config import QASettings
    from .pipeline import Pipeline

    p = argparse.ArgumentParser(prog="python -m qa.refuse")
    p.add_argument("files", nargs="+")
    args = p.parse_args(argv)
    settings = QASettings()
    pipe = Pipeline.from_settings(settings, llm="none")
    if pipe.store.count() == 0:
        ingest(settings.articles_dir, pipe.store, pipe.embedder, settings, progress=False)
    counts: Counter = Counter()
    for path in args.files:
        for line in open(path, encoding="utf-8"):
            item = json.loads(line)
            if item.get("follows"):
                continue
            hits, best = pipe.retriever.search(item["question"], settings.top_k)
            why = pipe.refusal(item["question"], item["lang"], hits, best)
            kind = item.get("kind") or ("answerable" if item["answerable"] else "plausible_unanswerable")
            counts[(item["answerable"], kind, bool(why))] += 1
            if bool(why) == item["answerable"]:
                print(f"{'false refusal' if item['answerable'] else 'not refused'}: {item['id']} {why} {item['question']}")
    for answerable in (True, False):
        rows = {k: v for k, v in counts.items() if k[0] == answerable}
        n = sum(rows.values())
        refused = sum(v for k, v in rows.items() if k[2])
        print(f"{'answerable' if answerable else 'unanswerable'}: refused {refused}/{n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
