"""Titles next to names (نائب وزير الدفاع ألكسندر فومين): which name a who-question's title words point
to, and which names its title rules out. A question whose head asks for an office ("Who was the US
Secretary of State to whom Sherman was deputy?", "ما اسم وزير الدفاع الروسي الذي...") is not answered
by a deputy or an aide of that office, nor by a holder of another nationality: with only such names
at hand the articles do not say (issue 15: plausible questions the articles cannot answer)."""
from __future__ import annotations

import re

from index.text import normalize

from .span import _EDGE, _NATIONAL, _TITLE, raw_words, title_start, words

# English title words -> the keys of their Arabic forms (see _title_key); nationality words weigh less
_EN_TITLE_KEYS = {"defence": ["دفاع"], "defense": ["دفاع"], "foreign": ["خارجيه"], "deputy": ["نايب", "نايبه"],
                  "minister": ["وزير", "وزيره"], "secretary": ["وزير", "وزيره", "امين"], "spokesman": ["متحدث", "ناطق"],
                  "spokeswoman": ["متحدثه", "ناطقه"], "spokesperson": ["متحدث", "ناطق", "ناطقه"],
                  "kremlin": ["كرملين", "رئاسه"], "aide": ["مساعد"], "assistant": ["مساعد", "مساعده"],
                  "adviser": ["مستشار"], "advisor": ["مستشار"], "president": ["رئيس"], "presidential": ["رئاسه"],
                  "russian": ["روسي", "روسيه"], "russia": ["روسي", "روسيه"], "american": ["امريكي", "اميركي"],
                  "us": ["امريكي", "اميركي", "امريكيه"], "ukrainian": ["اوكراني"], "swiss": ["سويسري"],
                  "house": ["بيت"], "white": ["ابيض"], "press": ["ناطقه"], "general": ["عام"],
                  "ambassador": ["سفير"], "state": ["خارجيه"], "switzerland": ["سويسري"],
                  "ukraine": ["اوكراني"], "america": ["امريكي"],
                  "journalist": ["صحفي"], "journalists": ["صحفي"], "reporter": ["مراسل"], "reporters": ["مراسل"],
                  "correspondent": ["مراسل"], "photographer": ["مصور"], "editor": ["محرر"],
                  "french": ["فرنسي"], "france": ["فرنسي"], "german": ["الماني"], "germany": ["الماني"],
                  "british": ["بريطاني"], "britain": ["بريطاني"], "uk": ["بريطاني"], "chinese": ["صيني"],
                  "china": ["صيني"], "turkish": ["تركي"], "turkey": ["تركي"], "polish": ["بولندي"],
                  "poland": ["بولندي"]}
_NATIONALITY = {"روسي", "روسيه", "امريكي", "اميركي", "امريكيه", "اوكراني", "سويسري", "فرنسي", "الماني", "بريطاني",
                "صيني", "تركي", "بولندي"}


_MASCULINE = {"نايبه": "نايب", "وزيره": "وزير", "مساعده": "مساعد", "ناطقه": "ناطق", "متحدثه": "متحدث",
              "امريكيه": "امريكي", "اميركي": "امريكي", "اميركيه": "امريكي", "روسيه": "روسي"}


def _title_key(word: str) -> str:
    """A title word's key: normalised, without و / ف / ال, feminine forms as masculine (نائبة -> نايب)."""
    w = normalize(word)
    if w[:1] in "وف" and len(w) > 3 and (w[1:] in _BARE_TITLES or w[1:3] == "ال"):
        w = w[1:]
    w = w[2:] if w.startswith("ال") and len(w) > 4 else w
    return _MASCULINE.get(w, w)


_BARE_TITLES = {normalize(w) for w in _TITLE}
_EN_TITLE_KEYS = {en: [_title_key(k) for k in ks] for en, ks in _EN_TITLE_KEYS.items()}
_NATIONALITY = {_title_key(k) for k in _NATIONALITY}
_TITLE_KEYS = {_title_key(w) for w in _TITLE}


def title_scores(sentence: str, names: list[tuple[int, int]], question: str, language: str) -> list[float]:
    """How well each name's title matches the question's title words: shared title words, each weighted
    by how few names share it, nationality words a quarter ("رئيس سويسرا" matches الرئيس السويسري)."""
    if language == "en":
        q = {k for w in re.findall(r"[a-z]+", question.lower()) for k in _EN_TITLE_KEYS.get(w, [])}
    else:
        keys = {_title_key(w) for w in question.split()}
        keys |= {k[:-1] + "ي" for k in keys if k.endswith("ا") and len(k) > 3}  # سويسرا -> سويسري
        q = keys & (_TITLE_KEYS | _NATIONALITY)
    titles = [set(t) for t in name_titles(sentence, names)]
    scores = []
    for t in titles:
        score = 0.0
        for k in q & t:
            share = sum(k in other for other in titles)
            score += (0.25 if k in _NATIONALITY else 1.0) / share
        scores.append(score)
    return scores


def by_title(sentence: str, names: list[tuple[int, int]], question: str, language: str) -> list[tuple[int, int]]:
    """The names whose title best matches the question's ("deputy defence minister" -> the name after
    نائب وزير الدفاع, not the one after نائب وزير الخارجية). All the tied best (all when none matches)."""
    scores = title_scores(sentence, names, question, language)
    top = max(scores, default=0.0)
    if top <= 0:
        return names
    return [n for n, s in zip(names, scores) if s == top]


_DEPUTY = {"نايب", "مساعد", "مستشار"}  # "deputy / aide / adviser of" the office after it
# the press: a journalist asked for is not an official ("Which Reuters journalists wrote the report?")
_PRESS = {_title_key(w) for w in "صحفي صحفيه صحفيون صحفيين مراسل مراسله مراسلون مراسلين مصور محرر".split()}
_OFFICES = {"وزير", "رئيس", "امين", "سفير"}
_EN_OPENER = re.compile(r"^\s*(?:and\s+)?(?:who\s+(?:is|was|were|are)\s+|which\s+|what\s+(?:is\s+|was\s+)?the\s+name\s+of\s+)",
                        re.I)
_AR_OPENER = re.compile(r"^\s*و?(?:(?:من|ما)\s+(?:هو|هي|اسم)|من)\s+")


def head_keys(question: str, language: str) -> set[str]:
    """The title keys of the office a who-question asks for: the run of title words right after its
    question word ("Who was [the US Secretary of State] to whom...", "ما اسم [وزير الدفاع الروسي] الذي...").
    Empty when the question has no such head ("Who led the delegation?", "من ترأس الوفد؟")."""
    m = (_EN_OPENER if language == "en" else _AR_OPENER).match(question)
    if not m:
        return set()
    keys: set[str] = set()
    for w in question[m.end():].split():
        if language == "en":
            named = w[:1].isupper()
            w = re.sub(r"[^a-z]", "", re.sub(r"'s$|’s$", "", w.lower().rstrip("?,.")))
            if w in ("the", "of", "a"):
                continue
            if w not in _EN_TITLE_KEYS:
                if named:  # an outlet or a place before the title: "Which Reuters journalists…"
                    continue
                break
            keys.update(_EN_TITLE_KEYS[w])
        else:
            k = _title_key(w.strip("؟?،,."))
            if k not in _TITLE_KEYS and k not in _NATIONALITY and k not in _PRESS:
                break
            keys.add(k)
    return keys


def title_after(ws: list[str], b: int, limit: int) -> list[str]:
    """The run of title words right after a name ending at word b, at most `limit` words."""
    after = []
    for w in ws[b:b + limit]:
        if w not in _TITLE and not (w[:1] in "وف" and w[1:] in _TITLE):
            break
        after.append(w)
    return after


def name_titles(sentence: str, names: list[tuple[int, int]]) -> list[list[str]]:
    """Each name's title keys in order: the title words before it, or after it across a comma."""
    ws = words(sentence)
    titles = []
    for a, b in names:
        before = ws[title_start(ws, a):a]
        after = [] if before else title_after(ws, b, 5)  # "يوري أوشاكوف، مساعد الرئيس الروسي"
        titles.append([_title_key(w) for w in before + after])
    return titles


# the people a nationality can say whose they are: "the Ukrainian delegation", "الوفد الأوكراني", "Russian officials"
_EN_ROLES = re.compile(r"\b(?:delegations?|sides?|teams?|negotiators?|officials?|diplomats?|presidents?|ministers?|"
                       r"spokes(?:man|woman|person)|envoys?|ambassadors?|leaders?|government|counterparts?)\b")
_AR_ROLES = {normalize(w) for w in """وفد الوفد وفدا جانب الجانب فريق الفريق مفاوض المفاوض المفاوضين مسؤول المسؤول
مسؤولين المسؤولين دبلوماسي الدبلوماسي رئيس الرئيس وزير الوزير وزيرة نائب نائبة متحدث المتحدث مبعوث المبعوث سفير
السفير زعيم الزعيم حكومة الحكومة نظير نظيره""".split()}


def nationalities(question: str, language: str) -> set[str]:
    """The nationality keys a question gives a person or a group of people: next to a role word ("Who led
    the Ukrainian delegation?" -> اوكراني; "Russia's negotiators" -> روسي; "من ترأس الوفد الأمريكي" ->
    امريكي). A nationality of anything else ("the Russian proposals") gives none."""
    keys: set[str] = set()
    if language == "en":
        ws = re.findall(r"[A-Za-z]+", re.sub(r"['’]s\b", "", question))
        for i, w in enumerate(ws):
            if w == "us" or not any(_EN_ROLES.fullmatch(x.lower()) for x in ws[i + 1:i + 4]):  # "us": no nation
                continue
            keys |= set(_EN_TITLE_KEYS.get(w.lower(), [])) & _NATIONALITY
        return keys
    ws = [w.strip("؟?،,.") for w in question.split()]
    for i, w in enumerate(ws):
        k = _title_key(w)
        if k in _NATIONALITY and any(normalize(x) in _AR_ROLES or _title_key(x) in _TITLE_KEYS
                                     for x in ws[max(0, i - 3):i]):
            keys.add(k)
    return keys


_CLAUSE_OPENERS = {"فيما", "بينما"}


def clause_nationalities(sentence: str, names: list[tuple[int, int]]) -> list[set[str]]:
    """For each name, the nationality keys of its clause up to it: back to a comma or a "فيما / بينما",
    across other names joined by و ("ويرأس الوفد الروسي … سيرجي ريابكوف ونائب وزير الدفاع ألكسندر فومين،
    فيما ترأس الوفد الأمريكي نائبة وزيرة الخارجية ويندي شيرمان": Fomin's is روسي, Sherman's امريكي)."""
    raw = raw_words(sentence)  # the positions words() counts in, punctuation kept
    out = []
    for a, _ in names:
        keys: set[str] = set()
        for w in reversed(raw[:a]):
            if re.search(r"[،,؛;:.]$", w) or w in _CLAUSE_OPENERS:
                break
            keys |= {_title_key(w.strip(_EDGE))} & _NATIONALITY
        out.append(keys)
    return out


# the seats of power a title or a question names: "المتحدث باسم الكرملين" speaks for the Kremlin, not the White House
_SEAT_KEYS = {"كرملين": "kremlin", "ابيض": "white_house"}
_SEATS_ASKED = {"en": {"kremlin": re.compile(r"\bKremlin\b", re.I), "white_house": re.compile(r"\bWhite House\b", re.I)},
                "ar": {"kremlin": re.compile(r"الكرملين"), "white_house": re.compile(r"البيت\s+الابيض")}}


def seats(question: str, language: str) -> set[str]:
    """The seats of power a question names ("…the White House's National Security Council spokesman")."""
    text = question if language == "en" else normalize(question)
    return {seat for seat, pattern in _SEATS_ASKED[language].items() if pattern.search(text)}


def seat_conflict(title: list[str], asked: set[str]) -> bool:
    """A name whose title names another seat of power than the question's ("المتحدث باسم الكرملين
    دميتري بيسكوف" for a White House spokesman) is not the one asked for."""
    mine = {_SEAT_KEYS[k] for k in title if k in _SEAT_KEYS}
    return bool(asked and mine and not mine & asked)


def conflicts(title: list[str], head: set[str]) -> bool:
    """Whether a name with this title cannot be the holder of the office the question's head asks for:
    it is the deputy (aide, adviser) of that office, or its nationality is not the head's."""
    if not head:
        return False
    if head & _PRESS and not set(title) & _PRESS and set(title) - _NATIONALITY:
        return True  # an official's title where a journalist is asked for
    deputy_of = {title[i + 1] for i, k in enumerate(title[:-1]) if k in _DEPUTY}
    if deputy_of & head & _OFFICES and not head & _DEPUTY:
        return True
    mine, asked = set(title) & _NATIONALITY, head & _NATIONALITY
    return bool(mine and asked and not mine & asked)


# "What is his role?", "What is Yuri Ushakov's position?", "ما منصب شيرمان؟", "وما وظيفتها؟": a person's title
_ASKS_TITLE_EN = re.compile(r"\b(?:his|her|their|[\w’'.-]+['’]s)\s+(?:official\s+|exact\s+)?(?:role|position|title|post|job)\b"
                            r"|\bthe\s+(?:official\s+)?(?:position|title|post|job)\s+of\b"
                            r"|\bwhat\s+(?:position|post|title|office)\s+(?:does|did|do|is|was)\b", re.I)
_ASKS_TITLE_AR = re.compile(r"(?:^|\s)[وف]?(?:(?:ما|ماذا)\s+(?:هو\s+|هي\s+|كان\s+|كانت\s+)?)?"
                            r"(?:منصب|منصبه|منصبها|وظيفة|وظيفته|وظيفتها)(?=\s|[؟?]|$)")


def asks_title(question: str, language: str) -> bool:
    """Whether the question asks for a person's office ("What is his role?" after its rewrite: "What is
    Yuri Ushakov's role?"; "منصب شيرمان؟")."""
    return bool((_ASKS_TITLE_EN if language == "en" else _ASKS_TITLE_AR).search(question))


def names_person(name: list[str], question: str) -> bool:
    """The question names this person: one of the name's words, by its normalised form (Arabic) or its
    consonant skeleton (an English question: "Ushakov" ~ أوشاكوف)."""
    from .cite import _skeleton_arabic, _skeleton_latin
    from .support import _close

    said = {normalize(w) for w in re.findall(r"[\u0621-\u064a]+", question)}
    latin = [_skeleton_latin(re.sub(r"['’]s$", "", w)) for w in re.findall(r"[A-Z][A-Za-z’'-]+", question)]
    for w in name:
        if normalize(w) in said:
            return True
        sk = _skeleton_arabic(w)
        if len(sk) >= 3 and any(len(x) >= 3 and _close(sk, x) for x in latin):
            return True
    return False


def title_of(sentence: str, question: str) -> str | None:
    """The office of the person the question names, as this sentence gives it next to the name: the
    title words before it ("ترأست نائبة وزير الخارجية الأمريكي ويندى شيرمان" -> "نائبة وزير الخارجية الأمريكي")
    or after it across a comma ("يوري أوشاكوف، مساعد الرئيس الروسي" -> "مساعد الرئيس الروسي"). None when the
    sentence gives no title for a name the question names."""
    from .span import people

    ws = words(sentence)
    for a, b in people(sentence):
        if not names_person(ws[a:b], question):
            continue
        start = title_start(ws, a)
        while start < a and ws[start] in _NATIONAL:  # "الوفد [الأمريكي] نائبة وزير…": the delegation's
            start += 1
        if start < a:
            first = ws[start][1:] if ws[start][:1] in "وف" and ws[start] not in _TITLE else ws[start]
            return " ".join([first] + ws[start + 1:a])  # "ونائب وزير الدفاع" -> "نائب وزير الدفاع"
        after = title_after(ws, b, 6)
        if after:
            return " ".join(after)
    return None
