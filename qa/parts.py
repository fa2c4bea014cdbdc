"""Two-part questions ("How many requests did Russia send, and how many got answers?", "في أي عام ضمت
روسيا القرم، وفي أي عام انتهت الحرب؟"): each part is answered on its own (its own evidence sentences,
its own answer type) and the answer gives both, each with its citation. Split only where a second
question word follows "and" / "، و", so "the Brussels meeting and the Vienna talks" stays one question.
"""
from __future__ import annotations

import re
from collections import Counter

from .trace import Outcome

_EN_WH = r"(?:(?:in|on|at|for|by|from|to|of) )?(?:which|what|who|whom|whose|how|when|where|why|roughly|about|approximately)\b"
_EN_SPLIT = re.compile(rf"\s*,?\s+and\s+(?={_EN_WH})", re.I)
_AR_WH = r"(?:(?:عن|في|فى|إلى|الى|على|من) )?(?:كم|من|متى|أين|اين|ما|ماذا|لماذا|كيف|أي|اي)(?=\s)"
_AR_SPLIT = re.compile(rf"\s*[،,]\s*و(?={_AR_WH})")
# a source clause both parts share; narrower than qa/support.py _LEAD, whose "in / as / by" would take
# "In which year did Russia seize Crimea, " for a source
_EN_LEAD = re.compile(r"^(according to|per|based on)\b[^,?]{0,60},\s*", re.I)
_AR_LEAD = re.compile(r"^(وفقا|وفقاً|بحسب|حسب|طبقا|طبقاً)\b[^،,؟]{0,60}[،,]\s*")
MIN_WORDS = 3


def split_question(question: str, language: str) -> list[str]:
    """[question], or its two parts, each a question of its own (a leading "According to X," is
    given to both)."""
    q = question.strip()
    pieces = (_EN_SPLIT if language == "en" else _AR_SPLIT).split(q, maxsplit=1)
    if len(pieces) != 2 or any(len(p.split()) < MIN_WORDS for p in pieces):
        return [question]
    first, second = (p.strip().rstrip("?؟").strip() for p in pieces)
    lead = (_EN_LEAD if language == "en" else _AR_LEAD).match(first)
    mark = "?" if language == "en" else "؟"
    if language == "en":
        second = second[:1].upper() + second[1:]
    if lead:
        second = lead.group(0) + (second[:1].lower() + second[1:] if language == "en" else second)
    return [first + mark, second + mark]


def combine(outcomes: list[Outcome]) -> Outcome:
    """The parts' answers in order, each sentence with its own evidence; a part the model could not
    answer, or whose answer repeats an earlier part's, is left out (and counted), so what is said is
    still checked."""
    out = Outcome(fired=Counter(two_part=1))
    answered = 0
    for part in outcomes:
        said = {(t, e.chunk_id, e.text) for t, e in out.sentences}  # each part selects its own Evidence objects
        repeated = bool(part.sentences) and all((t, e.chunk_id, e.text) in said for t, e in part.sentences)
        if repeated:  # both parts picked the same words of the same sentence: one of them is no answer
            out.fired["two_part_repeated"] += 1
        else:
            out.sentences += part.sentences
            answered += bool(part.sentences)
        out.fired += part.fired
        out.machine_translation = out.machine_translation or (part.machine_translation and not repeated)
        out.model = out.model if out.model.span else part.model
    if 0 < answered < len(outcomes):
        out.fired["two_part_partial"] += 1
    return out
