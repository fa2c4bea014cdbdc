"""Span-first answering: the answer is a contiguous run of words of one evidence sentence.

For an English question the model copies the span under a llama.cpp grammar built from the sentence
(it can only copy). For an Arabic question it answers freely (copying, as it does well in Arabic) and
code snaps the reply to the sentence's best-matching run of words: either way nothing outside the
sentence reaches the answer. Backends without grammars always take the snapping path. For "when" and
"how many" questions code lists the candidate dates and numbers: with one candidate there is no model
call at all, with several a grammar allows only them. For "where", places are words after "في" and
the question's other words decide between them (see pipeline).
"""
from __future__ import annotations

import functools
import itertools
import re

from index.text import normalize, numbers, strip_prefix, tokens

from . import gazetteer

_EDGE = "\"'“”«»()[]{}،,.;؛:!?؟…–—-"

_MONTH = (r"(?:يناير|فبراير|مارس|[أا]بريل|مايو|ماي|يونيو|يوليو|[أا]غسطس|سبتمبر|[أا]كتوبر|نوفمبر|ديسمبر|"
          r"كانون\s+ال[أا]ول|كانون\s+الثاني|شباط|[آا]ذار|نيسان|[أا]يار|حزيران|تموز|[آا]ب|[أا]يلول|"
          r"تشرين\s+ال[أا]ول|تشرين\s+الثاني)")
WEEKDAY = r"(?:ال[إا]ثنين|الثلاثاء|ال[أا]ربعاء|الخميس|الجمعة|السبت|ال[أا]حد)"
_HOUR = (r"(?:الواحدة|الثانية|الثالثة|الرابعة|الخامسة|السادسة|السابعة|الثامنة|التاسعة|العاشرة|الحادية\s+عشرة|"
         r"الثانية\s+عشرة)")
# a clock time: "قرابة الثامنة صباحاً بتوقيت جرينتش", "الساعة 14:30"
_TIME = (rf"(?:(?:قرابة|نحو|حوالي|حوالى)\s+)?(?:الساعة\s+)?(?:{_HOUR}|\d{{1,2}}[:：]\d{{2}})"
         rf"(?:\s+(?:صباحا|مساء|ظهرا|فجرا|ليلا)\u064b?)(?:\s+بتوقيت\s+[\u0621-\u064a]+)?"
         rf"|(?:الساعة\s+)?\d{{1,2}}[:：]\d{{2}}(?:\s+بتوقيت\s+[\u0621-\u064a]+)?")
_DATE = re.compile(
    rf"{_TIME}|\d{{1,2}}(?:\s*و\s*\d{{1,2}})?\s*(?:من\s+)?{_MONTH}(?:\s*/\s*{_MONTH})?(?:\s+(?:عام\s+)?\d{{4}})?"
    rf"|{_MONTH}(?:\s+(?:عام\s+)?\d{{4}})"
    rf"|(?:عام|سنة|العام)\s+\d{{4}}"
    rf"|(?<!\d)(?:1[89]|20)\d{{2}}(?!\d)"
    rf"|(?:يوم\s+)?{WEEKDAY}"
    rf"|(?:نهاية|بداية|منتصف|مطلع)\s+{_MONTH}|{_MONTH}\s+الماضي")
_NUMBER_WORD = (r"(?:واحد|اثنين|اثنان|اثنتين|ثلاث|ثلاثة|[أا]ربع|[أا]ربعة|خمس|خمسة|ست|ستة|سبع|سبعة|ثماني|ثمانية|تسع|تسعة|"
                r"عشر|عشرة|عشرات|مئات|[آا]لاف|ملايين|مليارات|نحو\s+\d+)")
_DEFINITE_NUMBER = r"(?:ثلاثة|[أا]ربعة|خمسة|ستة|سبعة|ثمانية|تسعة|عشرة)"
# a qualifier belongs to the number: "أكثر من سبع ساعات" is not "سبع ساعات"
_QUALIFIER = (r"(?:(?:[أا]كثر|[أا]قل|[أا]زيد|ما\s+يزيد)\s+(?:من|عن|على)|نحو|حوالي|حوالى|قرابة|زهاء|ما\s+يقارب|"
              r"ما\s+لا\s+يقل\s+عن|[أا]قل\s+من)\s+")
_COUNT = re.compile(
    # a count in brackets after its noun: "قاد الفريق في العرقلات (118)"
    rf"(?<![\u0600-\u06ff])[\u0600-\u06ff]{{3,}}\s*\(\d+(?:[.,]\d+)*\)"
    rf"|(?:(?<![\u0600-\u06ff]){_QUALIFIER})?\d+(?:[.,]\d+)*(?:\s*[٪%])?(?:\s*(?:[أا]لف|[آا]لاف|مليون|ملايين|مليار|مليارات))?(?:\s+[\u0600-\u06ff]+)?"
    rf"|(?<![\u0600-\u06ff])(?:[وف]?ب|[وف])?(?:{_QUALIFIER})?{_NUMBER_WORD}(?![\u0600-\u06ff])(?:\s+(?:من\s+)?[\u0600-\u06ff]+)?"
    rf"|(?<![\u0600-\u06ff])(?:مجموعتي|مجموعتين|جولتين|اتفاقيتين|مشروعي)\s+[\u0600-\u06ff]+"
    # a definite number after its noun: "الاتجاهات المحورية والضرورية الثلاثة"
    rf"|(?<![\u0600-\u06ff])ال{_DEFINITE_NUMBER}(?![\u0600-\u06ff])")


_PLACE_STOP = set("""مقر ختام إطار اطار أعقاب اعقاب حال وقت سياق ظل شكل ذروة غياب حين حد ضوء مواجهة عام نهاية بداية مطلع
منتصف يوم كل أي اي هذا هذه ذلك تلك قضية قضايا مجال مجالات مسألة مؤتمر ندوة بيان خطاب كلمة حديث تصريح تصريحات
جولة الجولة أثناء اثناء أعقابها ختامها هذه غضون قمة صورة الصورة صور فيديو تقرير""".split())


_HEADQUARTERS = re.compile(r"و?مقر[ّ]?(?:ه|ها|هم|هما)")  # "منظمة الأمن والتعاون في أوروبا ومقرها فيينا"
_INSIDE = ("داخل", "خارج")  # "داخل أراضينا", "خارج البلاد": the preposition is part of the answer


_MARKS = re.compile(r"[\u064b-\u065f\u0670]")


def _bare(word: str) -> str:
    """A word without its short-vowel marks and shadda ("مقرّ" -> "مقر"); letters stay as written."""
    return _MARKS.sub("", word)


def places(sentence: str) -> list[int]:
    """Word positions that can answer "where": a word after "في" that is not a digit, a common noun
    from the list above, or a word with the article (أوروبا, فيينا, بروكسل — not الوقت); or a word after
    "داخل" / "خارج" (place_text keeps that preposition: "داخل أراضينا"), or after "ومقرها" (its seat)."""
    ws = [_bare(w) for w in words(sentence)]  # "مقرّ" is "مقر"
    out = []
    for i in range(1, len(ws)):
        w = ws[i]
        if w == "مقر" and ws[i - 1] == "في" and i + 1 < len(ws) and ws[i + 1] not in _NOT_NAME:
            out.append(i)  # "في مقر بعثة الولايات المتحدة": the seat named after it (place_text)
            continue
        if (ws[i - 1] in _INSIDE or _HEADQUARTERS.fullmatch(ws[i - 1])) and w not in _PLACE_STOP and \
                re.fullmatch(r"[\u0600-\u06ff]{3,}", w):
            out.append(i)
            continue
        if ws[i - 1] != "في":
            continue
        if w in ("العاصمة", "مدينة", "المدينة") and i + 1 < len(ws):  # في العاصمة الإسبانية مدريد -> مدريد
            j = i + 1 + (ws[i + 1].startswith("ال") and i + 2 < len(ws))
            w, i = ws[j], j
        if w in _PLACE_STOP or w.startswith("ال") or not re.fullmatch(r"[\u0600-\u06ff]{3,}", w):
            continue
        out.append(i)
    return out


# up to two words between "which" and the place noun ("which Central Asian country"), none of them a verb or
# an article ("what did the city council decide" asks no place)
ADJECTIVES = r"(?:(?!(?:is|was|are|were|did|does|do|has|have|had|will|would|can|could|the|a|an|of)\b)[a-z]+ ){0,2}"
_ASKS_COUNTRY = {"en": re.compile(r"\b(?:which|what) " + ADJECTIVES + r"(?:country|country's|countries|nation|nation's|city|"
                                 r"city's|capital|capital's)\b", re.I),
                 "ar": re.compile(r"(?:^|\s)(?:أي|اي|ما|وما) (?:هي |هما )?(?:ال)?(?:دولة|دوله|بلد|مدينة|مدينه|عاصمة|عاصمه|"
                                  r"دولتان|دولتين)(?:\s|$)")}


def asks_country(question: str, language: str) -> bool:
    """"Which country's plans…?", "في أي مدينة…؟": the answer is a country or a city by name."""
    return bool(_ASKS_COUNTRY["en" if language == "en" else "ar"].search(question))


def asked_place_kind(question: str, language: str) -> str | None:
    """"country" for "which country / nation…?", "أي دولة / بلد…؟"; "city" for "which city / capital /
    town…?", "في أي مدينة / عاصمة…؟"; None for any other question."""
    m = _ASKS_COUNTRY["en" if language == "en" else "ar"].search(question) or \
        (_ASKS_TOWN.search(question) if language == "en" else None)
    if m is None:
        return None
    said = normalize(m.group(0).lower())
    return "city" if re.search(r"city|capital|town|مدين|عاصم", said) else "country"


_ASKS_TOWN = re.compile(r"\b(?:which|what) " + ADJECTIVES + r"towns?\b", re.I)


def named_places(sentence: str) -> list[int]:
    """Word positions of countries and cities the CLDR names (qa/gazetteer.py), wherever they stand: "طموح
    لندن" answers "which country's ambitions…?" though no "في" comes before it."""
    return [i for i, w in enumerate(words(sentence)) if gazetteer.english(w) is not None]


def party(ws: list[str], i: int) -> bool:
    """A place named as a side ("المحادثات بين موسكو وواشنطن", "between Moscow and Washington"): after
    "بين", or joined by "و" / "and" to a side within three words; who talks, not where."""
    if i and ws[i - 1].lower() in ("بين", "between"):
        return True
    joined = i >= 2 and (ws[i][:1] == "و" or ws[i - 1].lower() == "and")
    return joined and any(w.lower() in ("بين", "between") for w in ws[max(0, i - 4):i - 1])


# a common noun that a place's name follows: "في شارع كونفيكتورسكا" is the street, not "شارع"
_PLACE_NOUNS = set("""شارع ساحة ميدان حي منطقة جزيرة جزر نهر جبل بحيرة قصر فندق مطار جامعة ملعب مقاطعة ولاية محافظة
إقليم قرية بلدة ضاحية شبه فيلا منتجع""".split())
# a European name's own article or particle, written as a word of its own: "فيلا لا جرانج" (Villa La Grange)
_NAME_PARTICLES = set("لا لو لي دي دو دا ديل دير فون فان سان سانت".split())


def place_text(ws: list[str], i: int) -> str:
    """The answer for the place at word i: the word, with "داخل" / "خارج" before it kept, and the name
    after a common place noun ("شارع كونفيكتورسكا")."""
    if _bare(ws[i]) == "مقر":  # "مقر بعثة الولايات المتحدة", up to a preposition
        tail = list(itertools.takewhile(lambda w: w not in _NOT_NAME and not w.isdigit(), ws[i + 1:i + 5]))
        return " ".join([ws[i], *tail])
    if ws[i] in _PLACE_NOUNS and i + 2 < len(ws) and ws[i + 1] in _NAME_PARTICLES and \
            ws[i + 2] not in _NOT_NAME and re.fullmatch(r"[\u0600-\u06ff]{3,}", ws[i + 2]) and \
            not (ws[i + 1] == "لا" and ws[i + 2][0] in "يت"):  # "قصر لا يبعد": a negated verb, no name
        return f"{ws[i]} {ws[i + 1]} {ws[i + 2]}"
    if ws[i] in _PLACE_NOUNS and i + 1 < len(ws) and ws[i + 1] not in _NOT_NAME and \
            re.fullmatch(r"[\u0600-\u06ff]{3,}", ws[i + 1]):
        return f"{ws[i]} {ws[i + 1]}"
    if i > 0 and ws[i - 1] in _INSIDE:
        return f"{ws[i - 1]} {ws[i]}"
    # a named place's glued و / ب / ل is no part of it ("أوكرانيا أو جورجيا" is fine, "وجورجيا" is "جورجيا")
    if ws[i][:1] in "وبل" and gazetteer.english(ws[i][1:]) is not None:
        return ws[i][1:]
    return ws[i]


_TITLE = set("""نائب نائبة وزير وزيرة الوزير الخارجية الدفاع الرئيس رئيس الرئيسان الرئاسة المتحدث الناطق الناطقة باسم الكرملين
مساعد مساعدة مستشار الأمريكي الأميركي الأمريكية الروسي الروسية السويسري الأوكراني الأمين العام السفير البيت
الأبيض مسؤول كبير بالإدارة وزارة تصوير""".split())  # "تصوير: أنطون فاجانوف": a photo credit names its photographer
_NATIONAL = set("الأمريكي الأميركي الأمريكية الأميركية الروسي الروسية السويسري الأوكراني".split())
_NOT_NAME = set("""في على عن من إلى الى مع بعد قبل حول بشأن خلال أن إن أنه انه الذي التي كان قد و ثم أو لدى فيما بينما
حيث كما قال قالت وقال وقالت أكد وأكد أعلن وأعلن كل كلا جميع بعض أحد احد خلف أمام وراء بين ضد عبر نحو
راض راضية راضيا راضون راضين مستعد مستعدة مستعدون قلق قلقة يرى ترى يعتقد تعتقد يريد تريد يرفض ترفض يؤكد تؤكد
يدعو تدعو يأمل تأمل يسعى تسعى""".split())  # what a body or an office does or is after its title: "الكرملين راض عن…"


# given names written with a leading "ال" (normalised), which no article makes: "الكسندر فومين"
_AL_NAMES = {normalize(w) for w in """الكسندر ألكسندر الكساندر اليكسندر الكسندرا ألكسندرا الكسي أليكسي اليكسي اليكسي ألكسي
اليكسيس البرت ألبرت الفريد ألفريد الان آلان اليزابيث إليزابيث الينا ألينا اليكس أليكس الكس الدو ألدو الفونسو ألفونسو
الكسيس""".split()}


def people(sentence: str) -> list[tuple[int, int]]:
    """(start, end) word ranges of names next to a title — after it (نائب وزير الدفاع ألكسندر فومين) or
    before it across a comma (يوري أوشاكوف، مساعد الرئيس): the candidates for "who"."""
    raw = [w for w in sentence.split() if w.strip(_EDGE)]
    ws = [w.strip(_EDGE) for w in raw]
    ends = [bool(re.search(r"[،,؛;:.]$", r)) for r in raw]  # a clause ends after this word
    bare = [w[1:] if w[:1] in "وف" and w[1:] in _TITLE else w for w in ws]

    def name_word(k: int) -> bool:
        return (bare[k] not in _TITLE and ws[k] not in _NOT_NAME
                and (not ws[k].startswith("ال") or normalize(ws[k]) in _AL_NAMES)
                and bool(re.fullmatch(r"[\u0600-\u06ff]{2,}", ws[k])))

    out: list[tuple[int, int]] = []
    i = 0
    while i < len(ws):
        if bare[i] not in _TITLE:
            i += 1
            continue
        j = i
        while j < len(ws) and bare[j] in _TITLE and not (j > i and ends[j - 1]):
            j += 1
        if all(bare[x] in _NATIONAL for x in range(i, j)):  # "المفاوضات الروسية الأمريكية خلف": no title
            i = j
            continue
        if i >= 2 and ends[i - 1] and name_word(i - 1) and not ends[i - 2] and name_word(i - 2):
            out.append((i - 2, i))  # "يوري أوشاكوف، مساعد الرئيس"
        k = j
        while k < len(ws) and k - j < 3 and name_word(k) and not (k > j and ends[k - 1]):
            k += 1
        if k > j and not (j > i and ends[j - 1] and bare[j - 1] != "تصوير"):  # "تصوير: أنطون فاجانوف"
            out.append((j, k))
        i = max(k, j, i + 1)
    return list(dict.fromkeys(out))


def title_word(word: str) -> bool:
    """A word of a title ("نائب", "ونائب", "الخارجية")."""
    return word in _TITLE or (word[:1] in "وف" and word[1:] in _TITLE)


def title_start(ws: list[str], a: int) -> int:
    """Where the run of title words before position a starts (its context: 3 words before it, the
    title, the name — measured better than a symmetric window for who-questions on the dev set)."""
    i = a
    while i > 0 and title_word(ws[i - 1]):
        i -= 1
    return i


def windows(sentence: str, positions: list[int], width: int = 6) -> list[str]:
    """The words around each position: what the question's other words are compared with."""
    ws = words(sentence)
    return [" ".join(ws[max(0, i - width):i + width + 1]) for i in positions]


def words(sentence: str) -> list[str]:
    """The sentence's words with punctuation stripped from their edges (empty ones dropped)."""
    out = []
    for w in sentence.split():
        w = w.strip(_EDGE)
        if w:
            out.append(w)
    return out


# a share: a percentage, or a fraction ("نصفها تقريباً", "نحو ثلث السكان")
_FRACTION = r"(?:ال)?(?:نصف|ثلث|ربع)(?:ها|هم|ه|هما)?(?![\u0600-\u06ff])"
_SHARE = re.compile(rf"(?:(?:نحو|حوالي|حوالى|قرابة|زهاء)\s+)?(?<![\u0600-\u06ff]){_FRACTION}(?:\s+تقريب[اًا]+)?"
                    rf"|\d+(?:[.,٫]\d+)?\s*(?:[٪%]|(?:في\s+ال|بال)(?:مئة|مائة))")
_ASKS_SHARE = {"en": re.compile(r"\bwhat (?:percentage|percent|share|proportion|fraction|portion)\b|\bhow much of\b"),
               "ar": re.compile(r"(?:^|\s)[وف]?(?:ما|كم)\s+(?:(?:هي|كانت|كان|تبلغ|بلغت)\s+)?(?:نسبة|النسبة|حصة)(?:\s|$)")}


def share_word(option: str, sentence: str) -> str | None:
    """The word a share is of: the word after it, past من ("2,8٪ من البروتستانت" -> "البروتستانت"), or for a
    share in brackets the word before them ("18.189 بروتستانت (2,4٪)" -> "بروتستانت")."""
    at = sentence.find(option)
    if at < 0:
        return None
    if sentence[:at].rstrip().endswith("("):
        before = re.findall(r"[\u0621-\u064a]{2,}", sentence[:at])
        return before[-1] if before else None
    after = re.findall(r"[\u0621-\u064a]+", sentence[at + len(option):][:60])
    after = after[1:] if after[:1] == ["من"] else after
    return after[0] if after and len(after[0]) >= 3 else None


def asks_share(question: str, language: str) -> bool:
    """"What share / percentage of…?", "ما نسبة…؟": only a percentage or a fraction answers."""
    return _asks(_ASKS_SHARE, question, language)


# a time told by an event: "قبيل بدء المفاوضات صباح اليوم", "بعد انتهاء الاجتماع", "خلال الحرب"
_RELATIVE = re.compile(
    r"(?<![\u0600-\u06ff])(?:قبيل|قبل|بعد|عقب|[إا]ثر|خلال|[أا]ثناء|في\s+[أا]عقاب|في\s+ختام|في\s+نهاية|في\s+بداية|مع\s+بدء)"
    r"\s+(?:(?:بدء|بداية|انطلاق|انتهاء|نهاية|ختام|اختتام|انعقاد|وصول)\s+)?ال[\u0621-\u064a]{2,}"
    r"(?:\s+(?:صباح|مساء|ظهر|ليل)\s+(?:اليوم|[أا]مس|الغد))?"
    # the eve of an event: "عشية المحادثات", "عشية حلول رأس السنة الجديدة"
    r"|(?<![\u0600-\u06ff])عشية\s+(?:حلول\s+)?(?:[\u0621-\u064a]+\s+)?ال[\u0621-\u064a]{2,}")


def relative_times(sentence: str, question: str = "") -> list[str]:
    """Times a sentence tells by an event, for a "when" it gives no date for: "قبيل بدء المفاوضات صباح
    اليوم" (Ryabkov spoke then). An event the question asks the time of is no answer to it ("خلال
    الاتصال" for "متى جرى الاتصال…؟")."""
    asked = {stem(w) for w in words(question)}

    def event(told: str) -> str:  # "في أعقاب المحادثات" -> "المحادثات"
        return next((w for w in words(told) if w.startswith("ال")), words(told)[-1])

    return list(dict.fromkeys(m.group() for m in _RELATIVE.finditer(sentence) if stem(event(m.group())) not in asked))


def candidates(sentence: str, qtype: str) -> list[str]:
    """Dates for "when", numbers with their counted word for "how many", percentages and fractions for
    "share"; [] for other types."""
    if qtype == "share":
        return list(dict.fromkeys(m.group().strip(_EDGE + " ") for m in _SHARE.finditer(sentence)))
    if qtype == "when":
        found = [m.group().strip() for m in _DATE.finditer(sentence)]
    elif qtype == "count":  # a year ("عام 2014", "في 2014") or a day of a date ("17 كانون الأول") counts nothing
        dates = [d.span() for d in _DATE.finditer(sentence) if not d.group().strip().isdigit()]
        found = [m.group() if m.group().endswith(")") else _without_function_tail(_unglued(m.group().strip(_EDGE + " ")))
                 for m in _COUNT.finditer(sentence)
                 if not _is_year(sentence, m) and not any(a <= m.start() < b for a, b in dates)]
    else:
        return []
    # a bare year inside a longer date is not a second candidate
    found = [f for f in found if f and not any(f != g and f in g for g in found)]
    return list(dict.fromkeys(found))


def _unglued(option: str) -> str:
    """A number word without the و / ف / ب glued to it: "وأربعة اعتراضات", "بأربع اعتراضات" -> "أربعة
    اعتراضات", "أربع اعتراضات"."""
    glued = re.match(rf"(?:[وف]?ب|[وف])(?={_NUMBER_WORD}(?![\u0600-\u06ff]))", option)
    return option[glued.end():] if glued else option


def counted_word(option: str) -> str | None:
    """The word a number option counts: its last word when that is an Arabic word and not the number
    itself ("308 نقطة" -> "نقطة", "أربعة اختيارات" -> "اختيارات"; "الثلاثة", "20" -> None), or the noun
    before a count in brackets ("العرقلات (118)" -> "العرقلات")."""
    if bracketed := re.fullmatch(r"([\u0600-\u06ff]+)\s*\(\d+(?:[.,]\d+)*\)", option.strip()):
        return bracketed.group(1)
    ws = words(option)
    last = ws[-1] if len(ws) > 1 else ""
    if not re.fullmatch(r"[\u0621-\u064a\u064b-\u065f]{2,}", last) or re.fullmatch(_NUMBER_WORD, last) \
            or re.fullmatch(r"(?:[أا]لف|[آا]لاف|مليون|ملايين|مليار|مليارات)", last) or normalize(last) in _FUNCTION_NORM:
        return None
    return last


_PARTITIVE = re.compile(r"\s(?:منها|منهم|منهما|منهن)$")


def partitive(option: str) -> bool:
    """A count of a part of what a count before it counted: "اثنين منها", "تسع منها"."""
    return bool(_PARTITIVE.search(option))


_ASKS_PART = {"en": re.compile(r"\bhow many of (?:the|its|their|these|those|them|[a-z]+['’]s)\b"),  # "of Russia's requests"
              "ar": re.compile(r"(?:^|\s)[وف]?كم\s+(?:عدد\s+)?(?:منها|منهم|منهما|منهن)(?:\s|$)")}


_ASKS_VALUE = {"en": re.compile(r"\bwhat (?:was|is|were|are|will be) the (?:total |overall |exact |estimated )?"
                                r"(?:value|worth|cost|price|sum)\b|\bhow much (?:is|was|were|are|did|does|do|will)\b.*\b(?:worth|cost)\b",
                                re.I),
               "ar": re.compile(r"(?:^|\s)[وف]?(?:ما|كم) (?:هي |هو )?(?:ال)?(?:قيمة|قيمه|تكلفة|تكلفه|كلفة|كلفه|مبلغ|ثمن|سعر)(?:\s|$)")}


def asks_value(question: str, language: str) -> bool:
    """"ما قيمة العقوبات…؟", "What was the total value of the bill?": an amount answers, not a clause."""
    return _asks(_ASKS_VALUE, question, language)


def amount(text: str) -> bool:
    """Whether a span states an amount: a digit or a number word."""
    return bool(re.search(r"\d", text) or candidates(text, "count"))


_ASKS_TOTAL = {"en": re.compile(r"\b(?:total|overall|in all|altogether|entire|whole)\b", re.I),
               "ar": re.compile(r"اجمالي|اجماليه|(?:^|\s)(?:ال)?(?:مجموع|كلي|كليه)(?=[\s؟?]|$)")}  # not مجموعه, a group
# an amount allotted to one purpose: "سيوفر 300 مليون دولار لجهود دعم القوات…", "يتضمن 300 مليون دولار"
_AMOUNT_WORDS = {normalize(w) for w in "مليون ملايين مليار مليارات الف آلاف ألف دولار دولارا الدولارات يورو".split()}
_INCLUDES = re.compile(r"(?:^|\s)(?:[وف]?(?:يتضمن|تتضمن|يشمل|تشمل|منها|منه|بينها)|من\s+بين)(?:\s+\S+){0,4}\s*$")


_SCALES = {"billion": ("مليار", "مليارات", "المليارات"), "million": ("مليون", "ملايين", "الملايين"),
           "thousand": ("الف", "الاف", "الالاف", "الوف")}
_ASKS_SCALE = {"en": re.compile(r"\bhow many (billion|million|thousand)s?\b", re.I),
               "ar": re.compile(r"(?:^|\s)كم\s+(?:عدد\s+)?(?:ال)?(مليار|مليارات|مليون|ملايين|الف|الاف)(?=\s|$)")}


def asked_scale(question: str, language: str) -> str | None:
    """"Exactly how many billions of dollars…?", "كم مليار دولار…؟": the scale the number must be of."""
    m = _search_normalized(_ASKS_SCALE, question, language)
    if not m:
        return None
    word = m.group(1).lower()
    return word if language == "en" else next(k for k, forms in _SCALES.items() if word in forms or "ال" + word in forms)


def of_scale(option: str, scale: str) -> bool:
    """Whether a number option counts that scale ("3 مليارات دولار"; "300 مليون دولار" counts millions, and
    "مليارات الدولارات" no number of them)."""
    scales = [w for w in option.split() if normalize(w) in _SCALES[scale]]
    rest = " ".join(w for w in option.split() if w not in scales)  # "مليارات" is in _NUMBER_WORD: no count of itself
    counts = re.search(r"\d", rest) or re.search(rf"(?<![\u0600-\u06ff]){_NUMBER_WORD}(?![\u0600-\u06ff])", rest)
    return bool(counts) and bool(scales)


def asks_total(question: str, language: str) -> bool:
    """"What was the total value of the bill?", "ما القيمة الإجمالية…؟": the whole, not a share of it."""
    return _search_normalized(_ASKS_TOTAL, question, language) is not None


def allotted(option: str, sentence: str) -> bool:
    """An amount the sentence gives to one purpose or part ("… سيوفر 300 مليون دولار لجهود دعم القوات
    الأوكرانية", "يتضمن 300 مليون دولار"): a share of the whole, no total."""
    i = sentence.find(option)
    if i < 0:
        return False
    after = [normalize(w).strip(_EDGE) for w in sentence[i + len(option):].split()]
    while after and after[0] in _AMOUNT_WORDS:
        after.pop(0)
    purpose = bool(after) and after[0][:1] == "ل" and after[0] not in ("لكن", "لم", "لا", "لن", "لقد") and len(after[0]) > 3
    return purpose or bool(_INCLUDES.search(normalize(sentence[:i])))


# "كم X من Y…؟": a number of the Ys
_PART_OF = re.compile(r"(?:^|\s)[وف]?كم\s+(?:عدد\s+)?(?!من\s)([\u0621-\u064a\u064b-\u065f]+)\s+من\s+([\u0621-\u064a]+)")


def asks_part(question: str, language: str) -> bool:
    """"How many of the requests were answered?", "وعن كم منها تلقت إجابات؟", "على كم طلباً من الطلبات…؟": a part
    is asked for; also "على كم طلب من طلبات التحقيق…؟", whose whole has no ال but the counted word's root."""
    if _asks(_ASKS_PART, question, language):
        return True
    return language == "ar" and any(whole.startswith("ال") or _consonants(counted) == _consonants(whole)
                                    for counted, whole in _PART_OF.findall(question))


_EN_STOP = set("""according about after also and are been before being both but can could did does for from had has
have how into many much more most than that the their them then there these they this those was were what when where
which while who whom why will with would""".split())


_NOUN_MODIFIER = re.compile(r"\s+(?:about|of|on|for|from|regarding|concerning|against)\s+((?:(?:the|a|an|its|their)\s+)?[A-Za-z'-]+)",
                            re.I)


def other_words(question: str, language: str) -> list[str]:
    """The question's words besides what it counts and asks with ("كم عدد الاعتراضات التي سجل بها نورمان
    أهدافاً؟" -> سجل, نورمان, اهدافا; "how many requests got answers?" -> got, answers)."""
    if language == "ar":
        noun = counted_noun_ar(question) or ""
        return [w for w in words(question) if len(w) >= 3 and normalize(w) not in _FUNCTION_NORM
                and normalize(w) not in ("عدد", "وكم", "فكم") and not (noun and stem(w) == stem(noun))]
    m = _HOW_MANY.search(question)
    counted = set(m.group(1).lower().split()) if m else set()
    # what names the counted thing ("requests about cyberattacks") is not what tells a part from the whole
    if m and (named := _NOUN_MODIFIER.match(question, m.end())):
        counted |= set(named.group(1).lower().split())
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", question)
            if w.lower() not in _EN_STOP and w.lower() not in counted]


def sentence_clause(option: str, sentence: str) -> str:
    """The clause of a sentence an option is in (commas and full stops cut it)."""
    return next((p for p in _clauses(sentence, full_stop=True) if option in p), sentence)


def says_word(word: str, clause: str) -> bool:
    """An Arabic clause says an Arabic word: the same stem or the same consonants ("أهدافاً", "للهدف")."""
    root = _consonants(word)
    return any(stem(w) == stem(word) or (len(root) >= 2 and _consonants(w) == root) for w in words(clause))


def stem(word: str) -> str:
    """A light stem for matching a counted noun with the question's words: normalised, without its
    glued article or preposition, its plural or feminine ending or tanween alif ("الاعتراضات",
    "اعتراضاً" -> "اعتراض"; "نقطة" -> "نقط")."""
    w = strip_prefix(normalize(word.strip(_EDGE)))
    for suffix in ("ات", "ون", "ين", "ا", "ه"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[:-len(suffix)]
    return w


_HOW_MANY = re.compile(r"\bhow (?:many|much)\s+((?:[a-z][a-z'-]*\s+){0,2}?[a-z][a-z'-]*)"
                       r"(?=\s+(?:did|does|do|were|was|are|is|have|has|had|will|would|can|could|in|of|about|on|at|for|from|to|that|who)\b|\s*\?)",
                       re.I)


def counted_noun_en(question: str) -> str | None:
    """What an English "how many…?" counts: its words up to the verb or a preposition ("How many points
    did…" -> "points"; "How many Panthers defense players were…" -> "Panthers defense players")."""
    m = _HOW_MANY.search(question)
    return m.group(1) if m else None


def counted_noun_ar(question: str) -> str | None:
    """What an Arabic "كم…؟" counts: the word after كم, past عدد, من and كان ("كم عرقلة سجل…" -> "عرقلة", "كم
    عدد الأخطاء…" -> "الأخطاء", "كم من كرة…" -> "كرة", "كم كان عدد الثواني…" -> "الثواني")."""
    ws = words(question)
    for i, w in enumerate(ws):
        if normalize(w) in ("كم", "وكم", "فكم"):
            rest = [x for x in ws[i + 1:i + 5] if normalize(x) not in ("عدد", "من", "كان", "كانت")]
            return rest[0] if rest else None
    return None


# counted words that stand for whatever is counted: "أربع مرات" answers "كم عدد الأخطاء…؟", "عشرات الآلاف"
# answers "كم عدد القوات…؟", "14 شخصاً" answers "كم عدد القتلى…؟"
_ANY_COUNTED = {normalize(w) for w in """مرة مرات مره مرتين مرتان ألف آلاف الآلاف ألوف مئات عشرات شخص شخصا شخصاً أشخاص
فرد أفراد نسمة واحد واحدة""".split()}


def asks_any_count(question: str, language: str) -> bool:
    """"كم مرة…؟", "how many times…?": the counted word stands for anything counted, and tells no event."""
    if language == "en":
        return (noun := counted_noun_en(question)) is not None and noun.lower() in ("times", "people", "persons")
    return (noun := counted_noun_ar(question)) is not None and normalize(noun) in _ANY_COUNTED


def counts_other(options: list[str], question: str) -> list[str]:
    """The options of an Arabic "كم عدد X…؟" that count another noun: "45 طلباً" does not say how many
    attacks ("كم عدد الهجمات…؟"). Only with عدد, which names the noun counted; an option whose counted word
    stands for anything (`_ANY_COUNTED`), shares its root with a word of the question ("اختيارات" and
    "اختيروا"), a part ("تسع منها"), a bare number, or a length of time asked as one ("كم عدد السنوات" and
    "عشرة أعوام") is no other noun's count."""
    ws = words(question)
    noun = counted_noun_ar(question)
    if "عدد" not in {normalize(w) for w in ws} or not noun:
        return []
    timed = bool(_TIME_UNIT.fullmatch(normalize(noun)))
    roots = {r for w in ws if len(r := _consonants(w)) >= 3}

    def other(o: str) -> bool:
        c = counted_word(o)
        if c is None or partitive(o) or strip_prefix(normalize(c)) in _ANY_COUNTED or _consonants(c) in roots:
            return False  # "كم عدد لاعبي الفريق الذين اختيروا؟": "أربعة اختيارات" counts what was picked
        if dual_words(o):
            return not counts_noun(o, noun)
        return not counting_asked([o], question) and not (timed and _TIME_UNIT.fullmatch(normalize(c)))
    return [o for o in options if other(o)]


def counting_asked(options: list[str], asked_text: str) -> list[str]:
    """The number options whose counted word an Arabic text names: a question ("كم نقطة تخلى عنها الدفاع؟":
    "308 نقطة", not "أربعة اختيارات") or just its counted noun (`counted_noun_ar`), by stem, or by
    consonants for the counted noun."""
    asked = {stem(w) for w in words(asked_text)} - {""}
    # the counted noun's plural may be broken ("كم عدد الثواني" counts "17 ثانية"): its consonants match
    noun = counted_noun_ar(asked_text) if len(words(asked_text)) > 1 else asked_text
    root = _consonants(noun) if noun else ""
    return [o for o in options if (c := counted_word(o))
            and (stem(c) in asked or (len(root) >= 2 and _consonants(c) == root))]


def counted_as_asked(options: list[str], question: str) -> list[str]:
    """counting_asked, or [] when all options are: then it does not choose."""
    kept = counting_asked(options, question)
    return kept if len(kept) < len(options) else []


# lengths of time: a number counting one of these (normalised, "ال" allowed), or a clock reading
_TIME_UNIT = re.compile(r"(?:ال)?(?:ثانيه|ثواني|ثوان|ثانيتين|دقيقه|دقايق|دقيقتين|ساعه|ساعات|ساعتين|يوم|يوما|ايام|يومين|"
                        r"اسبوع|اسبوعا|اسابيع|اسبوعين|شهر|شهرا|اشهر|شهور|شهرين|سنه|سنوات|سنين|سنتين|عام|عاما|اعوام|عامين)")
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_DURATION_AR = {"الوقت", "وقت", "المده", "مده", "الفتره", "فتره", "دام", "استمر", "استمرت"}
_DURATION_EN = re.compile(r"\bhow much time\b|\bhow long\b(?=.*\b(?:last|lasted|lasts|take|took|takes|remain|remained|"
                          r"remaining|left|ago|wait|waited|stay|stayed|serve|served|operation|operate|operated|open|exist|existed|"
                          r"rule|ruled|reign|reigned|office|power)\b)")


def asks_duration(question: str, language: str) -> bool:
    """A how-many that asks for a length of time without naming its unit: "كم من الوقت كان متبقياً…؟",
    "كم دام…؟", "How much time remained…?", "How long did the talks last?"."""
    if language == "en":
        return bool(_DURATION_EN.search(question.lower()))
    noun = counted_noun_ar(question)
    return noun is not None and normalize(noun) in _DURATION_AR


# a span of years: "من 1870 إلى 1939", "1870-1939" (the years as written, without the من)
YEAR_RANGE = re.compile(r"(?<!\d)(1\d{3}|20\d{2})\s*(?:إلى|الى|حتى|-|–)\s*(?:عام\s+)?(1\d{3}|20\d{2})(?!\d)")


def durations(sentence: str) -> list[str]:
    """The sentence's lengths of time: a number counting a time unit ("17 ثانية", "سبع ساعات"), a clock
    reading ("3:08"), or a span of years ("كم دام…؟" answered by "من 1870 إلى 1939": "1870 إلى 1939")."""
    timed = [o for o in candidates(sentence, "count") if (c := counted_word(o)) and _TIME_UNIT.fullmatch(normalize(c))]
    spans = [m.group(0) for m in YEAR_RANGE.finditer(sentence) if int(m.group(1)) < int(m.group(2))]
    return timed + [d for d in candidates(sentence, "when") if _CLOCK.fullmatch(d)] + spans


def dual_singular(word: str) -> str | None:
    """The noun an Arabic dual names two of, normalised and without its article ("فريقين" -> "فريق",
    "مرتين" -> "مره", "جامعتان" -> "جامعه"); None for a word without a dual ending. "ين" is also the
    ending of a sound masculine plural, so a word in the plural's usual shapes is left out: a participle
    ("المسؤولين", "متظاهرين"), an agent noun ("لاعبين"), a relative adjective ("الأمريكيين")."""
    w = strip_prefix(normalize(word.strip(_EDGE)))
    if not re.fullmatch(r"[\u0621-\u064a]+", w):
        return None
    for end in ("تين", "تان"):  # feminine: its plural ends in "ات", so the ending is the dual's
        if w.endswith(end) and len(w) - len(end) >= 2:
            return w[:-len(end)] + "ه"
    if w.endswith("ان") and len(w) >= 5:
        return w[:-2]
    if w.endswith("ين") and len(w) >= 5 and not w.startswith("م") and not w.endswith("يين") and w[1] != "ا":
        return w[:-2]
    return None


def two_of(word: str) -> str | None:
    """What a dual names two of, in either state: `dual_singular`, or a feminine construct dual that has
    lost its ن before the noun it is joined to ("مجموعتي عمل", two working groups -> "مجموعه")."""
    if (one := dual_singular(word)) is not None:
        return one
    w = strip_prefix(normalize(word.strip(_EDGE)))
    return dual_singular(w + "ن") if w.endswith("تي") and len(w) >= 5 else None


def with_construct_noun(sentence: str, word: str) -> str:
    """A construct dual with the noun it is joined to ("مجموعتي" -> "مجموعتي عمل"); any other word as it is."""
    ws = words(sentence)
    at = ws.index(word) if word in ws else len(ws)
    return word if dual_singular(word) is not None or at + 1 >= len(ws) else f"{word} {ws[at + 1]}"


def _consonants(word: str) -> str:
    """A word's stem without its long vowels and ta marbuta: a singular and its broken plural share it
    ("فريق", "الفرق" -> "فرق"; "ثانية", "الثواني" -> "ثن"; "مرة", "مرات" -> "مر": a short word keeps the
    "ات" that stem() leaves on it)."""
    w = stem(word)
    return re.sub("[اويه]", "", w[:-2] if w.endswith("ات") and len(w) > 3 else w)


def dual_words(option: str) -> list[str]:
    """The dual words of a count option that has no number ("مشروعي اتفاقيتين": two drafts of two
    agreements); [] for an option a digit or a number word counts."""
    ws = words(option)
    if re.search(r"\d", option) or any(re.fullmatch(_NUMBER_WORD, w) for w in ws):
        return []
    return [w for w in ws if _singulars(w)]


def _singulars(word: str) -> set[str]:
    """What a dual word may name two of: "اتفاقيتين" -> اتفاقيه; a construct dual ("مشروعي اتفاقيتين", two
    drafts of…) without its ي, which dual_singular's participle rule would refuse ("مشروعين")."""
    w = strip_prefix(normalize(word.strip(_EDGE)))
    out = {dual_singular(w)}
    if w.endswith("ي") and len(w) >= 4:
        out |= {dual_singular(w + "ن"), w[:-1]}
    return out - {None}


def counts_noun(option: str, noun: str) -> bool:
    """A number-less dual option counts the noun a "كم…؟" asks for: one of its duals names two of it (by
    consonants, so a broken plural matches: "الصواريخ" ~ "صاروخين")."""
    root = _consonants(noun)
    return any(_consonants(one) == root or stem(one) == stem(noun) for w in dual_words(option) for one in _singulars(w))


def dual_of(sentence: str, noun: str) -> str | None:
    """The sentence's word that names two of what an Arabic "كم…؟" counts (`counted_noun_ar`): "كم عدد الفرق…؟"
    -> "فريقين", "كم مرة…؟" -> "مرتين". A word the question itself writes is its plural ("كم عدد اللاعبين"
    and "لاعبين"), not a dual. None: no such word."""
    asked, root = strip_prefix(normalize(noun.strip(_EDGE))), _consonants(noun)
    if len(root) < 2:
        return None
    return next((w for w in words(sentence) if (one := two_of(w)) and _consonants(one) == root
                 and strip_prefix(normalize(w)) != asked), None)


def _without_function_tail(option: str) -> str:
    """A number option without a function word its pattern took for the counted word ("38 وهو" -> "38",
    "374 من" -> "374"; "56,2٪ من" -> "56,2٪")."""
    ws = option.split()
    last = normalize(ws[-1]) if len(ws) > 1 else ""
    bare = last[1:] if last[:1] in "وف" and len(last) > 2 else last
    if last and (last in _FUNCTION_NORM or bare in _FUNCTION_NORM):
        return " ".join(ws[:-1])
    return option


_YEAR_BEFORE = re.compile(r"(?:عام|العام|سنة|السنة|منذ|في|مطلع|نهاية|بداية)\s*$")


def _is_year(sentence: str, m: re.Match) -> bool:
    """A number match that is a year: 1800-2099 alone, or after عام / في / منذ ("عام 2014")."""
    text = m.group().strip(_EDGE + " ")
    if bracketed := re.search(r"\((\d+)\)$", m.group()):  # "البورصة (1991)"
        return bool(_YEAR.fullmatch(bracketed.group(1)))
    head = re.match(r"\d+", text)
    if not head or not _YEAR.fullmatch(head.group()):
        return False
    return text == head.group() or bool(_YEAR_BEFORE.search(sentence[:m.start()]))


# words that say nothing on their own: a span made only of these ("كل", "ذلك") is no answer
_FUNCTION = set("""كل كلا كافة جميع بعض غير أي اي هذا هذه ذلك تلك هؤلاء الذي التي الذين اللذان اللتان ما ماذا من في على
عن إلى الى مع و أو او ثم قد لقد كان كانت يكون أن إن أنه انه أنها انها لا لم لن هو هي هم هما نحن كما حيث أيضا ايضا بين عند
بعد قبل خلال حول لدى منذ إذ اذ إذا اذا بل لكن ولكن أما اما فقط نفسه ذاته وقال قال قالت وقالت وأكد أكد""".split())


@functools.lru_cache(maxsize=1)
def _known_places() -> dict[str, list[str]]:
    """The places and bodies code renders (render.NAMES), English -> their Arabic forms."""
    from .render import NAMES  # not at the top: render imports orgs, which imports support, which imports span

    known: dict[str, list[str]] = {}
    for ar, en in NAMES.items():
        known.setdefault(en, []).append(ar)
    return known


def _says(text: str, arabic: str) -> bool:
    """An Arabic text says a name as a word of its own ("وبروكسل"; "القرم؟": punctuation ends a word too)."""
    return bool(re.search(rf"(?<!\w)[وبل]?{arabic}(?!\w)", normalize(text)))


def asked_places(question: str, language: str) -> list[str]:
    """The places and bodies a question names, in English: CLDR places and those render.NAMES knows
    ("the Russia–NATO meeting in Brussels" -> Brussels, Russia, NATO)."""
    known = _known_places()
    if language == "en":
        return [p for p in [*gazetteer.named(question, "en"), *known]
                if re.search(rf"(?<![A-Za-z]){re.escape(p.removeprefix('the '))}(?![A-Za-z])", question)]
    return [*gazetteer.named(question, "ar"), *(en for en, forms in known.items() if any(_says(question, ar) for ar in forms))]


def _names_place(text: str, place: str) -> bool:
    return gazetteer.mentions(text, place) or any(_says(text, ar) for ar in _known_places().get(place, []))


def _clauses(sentence: str, full_stop: bool = False) -> list[str]:
    """The sentence cut at commas and semicolons (and full stops)."""
    return re.split(r"\s*[،؛;,.]\s*" if full_stop else r"\s*[،؛;,]\s*", sentence)


def by_named_place(options: list[str], sentence: str, question: str, language: str, two: bool = False) -> list[str]:
    """Several dates or numbers in one sentence, each in its own clause ("… في جنيف في 9 و10 كانون
    الثاني، ومحادثات … في بروكسل في 12 كانون الثاني، ومحادثات في فيينا … 13 كانون الثاني"): those whose
    clause names most of the places and bodies the question names ("the OSCE talks in Vienna" -> 13
    January). What every clause names (روسيا), or none, tells nothing; then all the options stay. A
    question that asks for two (`two`) keeps every option whose clause names one ("in Brussels and … in
    Vienna")."""
    if len(options) < 2:
        return options
    asked = asked_places(question, language)
    parts = _clauses(sentence)
    where = {o: next((p for p in parts if o in p), sentence) for o in options}
    said = {o: {p for p in asked if _names_place(where[o], p)} for o in options}
    telling = set().union(*said.values()) - set.intersection(*said.values())
    score = {o: len(said[o] & telling) for o in options}
    best = max(score.values())
    kept = [o for o in options if best and (score[o] == best or two and score[o])]
    return kept if 0 < len(kept) < len(options) else options


def _places_in(text: str) -> set[str]:
    """The places and bodies an Arabic text names (CLDR places by lookup, render.NAMES)."""
    return set(gazetteer.named(text, "ar")) | {en for en, forms in _known_places().items()
                                                if any(_says(text, ar) for ar in forms)}


def place_of(option: str, sentence: str) -> set[str]:
    """The places an option of a sentence is told of: those its clause names as where (`located`), else
    those of the nearest clause before it that names one ("وكانت شيرمان التقت بريابكوف في جنيف، حيث ناقشا … اليوم الإثنين 10
    كانون الثاني" -> Geneva); set() when none does."""
    parts = _clauses(sentence)
    at = next((i for i, p in enumerate(parts) if option in p), None)
    for p in ([] if at is None else reversed(parts[:at + 1])):
        if found := _places_in(located(p)):
            return found
    return set()


_AT = {normalize(w) for w in ("في", "فى", "الى", "إلى", "داخل", "خارج", "قرب", "بالقرب")}


def located(clause: str) -> str:
    """The words of a clause that say where: the three words after "في" / "إلى" / "داخل"…, and a word with
    "ب" glued on ("بجنيف"), without it ("بتوقيت جرينتش" is a clock's zone, no place). Who acts or talks is
    not where ("قالت الولايات المتحدة وروسيا في بيان مشترك، الخميس": no place; "محادثات بين روسيا والولايات
    المتحدة": the sides)."""
    ws = words(clause)
    out = []
    for i, w in enumerate(ws):
        plain = normalize(w)
        if i and normalize(ws[i - 1]).removeprefix("و") in _AT:
            out.append(" ".join(ws[i:i + 3]))
        elif (plain[:1] == "ب" and len(plain) > 3 or plain[:2] == "وب" and len(plain) > 4) and "توقيت" not in plain:
            out.append(" ".join([w[w.index("ب") + 1:]] + ws[i + 1:i + 3]))
    return " ، ".join(out)


def of_asked_place(options: list[str], sentence: str, question: str, language: str) -> list[str]:
    """The options not told of another place: an option whose clause (or the clause before it) names
    places, none of them the question's, while another clause of the sentence names the question's place,
    is that other place's date ("When is the meeting in Brussels?" against "… في جنيف، حيث ناقشا … 10
    كانون الثاني، ومن المقرر أن ينطلق اجتماع … في بروكسل": 10 January is Geneva's). A sentence that does
    not name the question's place keeps every option."""
    asked = set(asked_places(question, language))
    if not asked or not options:
        return options
    named_here = {p for p in asked if _names_place(sentence, p)}
    parts = _clauses(sentence)
    kept = []
    for o in options:
        told = place_of(o, sentence)
        own = {p for p in asked if any(_names_place(c, p) for c in parts if o in c)}
        elsewhere = named_here - own
        if told and not (told & asked) and not own and elsewhere:
            continue
        if (event := event_place(o, sentence)) and not (event & asked) and (named_here & event_places(question, language)):
            continue  # "قمة بوخارست في عام 2008" for "متى تنعقد قمة الناتو في مدريد؟": Bucharest's year
        kept.append(o)
    return kept


# an event a place names, told with its date right after it: "قمة بوخارست في عام 2008", "مؤتمر ميونيخ في فبراير"
_EVENTS = {normalize(w) for w in "قمة مؤتمر اجتماع لقاء محادثات مفاوضات اتفاق اتفاقية معاهدة إعلان منتدى".split()}


def _event_word(word: str) -> bool:
    return normalize(word).removeprefix("و").removeprefix("ال") in _EVENTS


_EVENTS_EN = re.compile(r"\b(?:summit|conference|meeting|talks|negotiations|agreement|treaty|forum)\b", re.I)


def event_places(question: str, language: str) -> set[str]:
    """The cities and countries a question names next to an event ("قمة الناتو في مدريد", "the Madrid summit",
    "the summit in Madrid"; not NATO of "the NATO summit"): in Arabic the word after the event's noun or
    after a "في" within three words of it, in English within 25 characters either side."""
    if language == "en":
        near = [question[max(0, m.start() - 25):m.end() + 25] for m in _EVENTS_EN.finditer(question)]
        return {p for t in near for p in gazetteer.named(t, "en")}
    ws = [w.strip(_EDGE) for w in question.split()]
    spots = [j for i, w in enumerate(ws) if _event_word(w)
             for j in [i + 1] + [k + 1 for k in range(i + 1, i + 4) if k < len(ws) and ws[k] == "في"]]
    return {p for j in spots if j < len(ws) for p in gazetteer.named(ws[j], "ar")}


def event_place(option: str, sentence: str) -> set[str]:
    """The place of the event an option dates when the words just before it are that event and its place
    ("قمة بوخارست [في] عام 2008" -> Bucharest), else set(). A clause can tell two events, the date of one
    next to it: the clause rule (of_asked_place) does not part them."""
    at = sentence.find(option)
    ws = [normalize(w.strip(_EDGE)) for w in sentence[:at].split()][-3:] if at > 0 else []
    if ws and ws[-1] == "في":
        ws = ws[:-1]
    if len(ws) < 2 or not _event_word(ws[-2]):
        return set()
    return _places_in(ws[-1])


_YEAR = re.compile(r"(?<!\d)(?:1[6-9]|20)\d\d(?!\d)")


def other_year(question: str, sentence: str) -> bool:
    """The question counts within a year the sentence does not name, and the sentence names another ("How
    many were killed since the 2015 ceasefire?" against "ضمت روسيا القرم في عام 2014 … مقتل 15 ألف شخص"):
    its number is told of another time."""
    asked = set(_YEAR.findall(normalize(question)))
    told = set(_YEAR.findall(normalize(_DATELINE.sub("", sentence))))  # not the year the story was filed
    return bool(asked) and bool(told) and not (asked & told)


def restates(text: str, question: str) -> bool:
    """A short span whose numbers are all the question's own ("300" for "Besides $300 million for
    Ukraine, what else…?"): it repeats the question instead of answering it."""
    got, digits = numbers(text), set(re.findall(r"\d+", text))
    said = set(re.findall(r"\d+", question))
    return bool(got) and (got <= numbers(question) or digits <= said) and len(words(text)) <= 3


def content(text: str) -> list[str]:
    """The normalised tokens of text that carry meaning (a number, or three letters or more and no function word), with
    a glued و / ف and ل / ب / ك (+ ال) taken off so "لأوكرانيا" and "أوكرانيا" compare equal."""
    out = []
    for t in tokens(text):
        if (len(t) >= 3 and t not in _FUNCTION_NORM) or any(c.isdigit() for c in t):
            for leads in (("و", "ف"), ("ل", "ب", "ك"), ("ال",)):
                t = strip_prefix(t, leads)
            out.append(t)
    return out


_COPULA = re.compile(r"^(.+?)\s+(?:هو|هي|هم|هما)\s+(.+)$")


def copula_tail(reply: str, question: str) -> str | None:
    """The small model's habit of restating an Arabic question before its answer: "الاسم القلعة النورمانية
    هو افرنجي." for "ما هو اسم القلعة النورمانية؟". The answer is what follows the first هو / هي / هم / هما,
    when what precedes it is mostly (60 %) the question's own words. None: no such reply."""
    m = _COPULA.match(reply.strip().rstrip(".!؟?"))
    if not m:
        return None
    head, tail = m.groups()
    got, said = content(head), set(content(question))
    if not got or sum(t in said for t in got) < 0.6 * len(got) or not informative(tail):
        return None
    return tail


def echoes(text: str, question: str) -> bool:
    """A span whose every content word is the question's own ("لم تتم تلبية مطالبها الدفاعية" for
    "ماذا تقول روسيا إنها ستفعل إذا لم تتم تلبية مطالبها الدفاعية؟"): a clause of the question that the
    sentence repeats, not the answer it adds."""
    got, said = content(text), set(content(question))
    return bool(got) and all(t in said for t in got)


def novel_runs(sentence: str, question: str) -> list[tuple[int, int]]:
    """(start, end) runs of the sentence's words between the words the question has, each holding a
    content word: where the sentence says what the question does not."""
    said = set(content(question))
    runs, start = [], None
    ws = words(sentence)
    for i, w in enumerate(ws + [None]):
        asked = w is None or any(t in said for t in content(w))
        if asked and start is not None:
            a, b = start, i
            while a < b and not content(ws[a]):
                a += 1
            while b > a and not content(ws[b - 1]):
                b -= 1
            if a < b:
                runs.append((a, b))
            start = None
        elif not asked and start is None:
            start = i
    return runs


_CONDITIONAL = {"إذا", "اذا", "لو", "وإذا", "واذا", "ولو", "حال", "حالة", "وحال"}  # not "إن": mostly "that"
_CLAUSE_OPENERS = {"لكن", "لكنه", "لكنها", "لكنهم", "ولكن", "بينما", "فيما", "حيث"}
_MAIN_CLAUSE_WORDS = 10
_ASKS_IF = re.compile(r"\b(?:if|in case|in the event|should (?:russia|it|they|he|she))\b", re.I)


def main_clause(sentence: str, got: str, question: str) -> str | None:
    """An English "what will X do if Y?" answered by the sentence's condition ("إذا غزت روسيا أوكرانيا"):
    the question's own "if"-clause, not its answer. The sentence's words before the condition answer
    ("وعدت الإدارة الأمريكية بفرض عقوبات"), else the words after it ("إذا … فإن واشنطن ستفرض عقوبات").
    None when the question asks no "if", the span is no condition, or nothing is left."""
    ws, g = words(sentence), words(got)
    first = g[1] if g[:1] == ["في"] and len(g) > 1 else g[0] if g else None  # "في حال …"
    if first not in _CONDITIONAL or not _ASKS_IF.search(question):
        return None
    at = next((i for i in range(len(ws) - len(g) + 1) if ws[i:i + len(g)] == g), None)
    if at is None:
        return None
    start = at
    while start > 0 and at - start < _MAIN_CLAUSE_WORDS and ws[start - 1] not in _CLAUSE_OPENERS:
        start -= 1  # back to the clause's opener: "… لكنها تقول إنها ستتخذ عملا عسكريا غير محدد إذا …"
    before, after = " ".join(ws[start:at]), " ".join(ws[at + len(g):])
    return before if informative(before) else after if informative(after) else None


def beside_echo(sentence: str, echoed: str, question: str) -> str | None:
    """The run of new words (novel_runs) nearest to where the sentence repeats the question (echoed, a
    run of its words), the one before it on a tie: "ستتخذ عملا عسكريا غير محدد" before "إذا لم تتم تلبية
    مطالبها الدفاعية"."""
    ws, e = words(sentence), echoed.split()
    at = next((i for i in range(len(ws) - len(e) + 1) if ws[i:i + len(e)] == e), None)
    runs = novel_runs(sentence, question)
    if at is None or not runs:
        return None
    end = at + len(e)
    a, b = min(runs, key=lambda r: (at - r[1] if r[1] <= at else r[0] - end if r[0] >= end else 0, r[0] > at))
    return " ".join(ws[a:b])


_FUNCTION_NORM = {normalize(w) for w in _FUNCTION}


def informative(text: str) -> bool:
    """A span that says something: at least one word of three letters or more that is not a function
    word ("كل" alone, left after a snapped reply lost its name, is not an answer)."""
    return any(len(w) >= 3 and w not in _FUNCTION and (w[:1] not in "وف" or w[1:] not in _FUNCTION)
               for w in words(text))


_ASKS = {  # what grain of date / time a "when" question asks for
    "weekday": (r"days? of the week|which days?\b(?! of)|what days?\b(?! of)",
                r"[اأ]يام ال[اأ]سبوع|(اي|أي) يوم(?! من (شهر|عام))"),
    "time": (r"\bwhat (exact )?time\b|\bat what time\b|\bwhat hour\b|\bgmt\b", r"(اي|أي) ساعة|(اي|أي) ساعه|توقيت"),
    "year": (r"\b(what|which) year\b|\bin what year\b", r"(اي|أي) (عام|سنة|سنه)"),
    "date": (r"\b(what|which) dates?\b|\bon what date\b|\bwhen\b", r"(اي|أي) تاريخ|ما تاريخ|متى"),
}
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d{2}(?!\d)")
_DAY_MONTH = re.compile(rf"\d{{1,2}}(?:\s*و\s*\d{{1,2}})?\s*(?:من\s+)?{_MONTH}")


# a question that asks for two answers of one type: "On which dates were the Brussels meeting and the
# Vienna talks scheduled?", "في أي يومين جرت المكالمة وانطلقت المحادثات؟", "من المسؤولان اللذان…؟"
_PLURAL = {
    "where": (r"\b(which|what) (two )?(countries|cities|capitals)\b",
              r"(^|\s)(ما|وما|أي|اي) (هي |هما )?(ال)?(دولتان|دولتين|مدينتان|مدينتين|عاصمتان|عاصمتين|دول|بلدان|مدن)(\s|$)"),
    "when": (r"\b(which|what) (two )?(dates|days|years|months)\b",
             r"(أي|اي) (يومين|تاريخين|عامين|سنتين|شهرين)|(ما|ماهما) (التاريخان|اليومان)"),
    "who": (r"^(who|which) (were|are) the two\b|^which two\b|^(which|what) (officials|ministers|diplomats|"
            r"journalists|leaders|negotiators|spokesmen|envoys)\b",
            r"^و?من (هما |هم )?(المسؤولان|المسؤولين|الوزيران|الوزيرين|المتحدثان|الرئيسان|الدبلوماسيان|الشخصان)"),
}


def plural(question: str, qtype: str, language: str) -> bool:
    """The question asks for two of what its type names (two dates, two people)."""
    if qtype not in _PLURAL:
        return False
    en, ar = _PLURAL[qtype]
    return bool(re.search(en, question.strip().lower()) if language == "en" else re.search(ar, question.strip()))


def _grain(question: str, language: str, plain_when: bool = True) -> str | None:
    """The grain of date / time the question asks for (a key of _ASKS), or None; plain_when=False:
    a bare "when" / "متى" names none."""
    q = question.lower() if language == "en" else question
    if not plain_when:
        q = re.sub(r"\bwhen\b" if language == "en" else r"متى", " ", q)
    return next((k for k, (en, ar) in _ASKS.items() if re.search(en if language == "en" else ar, q)), None)


def asked_grain(question: str, language: str) -> str | None:
    """The grain the question names ("what date" -> "date", "في أي ساعة" -> "time", "which day of the
    week" -> "weekday"); None for a bare "when" / "متى"."""
    return _grain(question, language, plain_when=False)


_FUTURE = {"en": re.compile(r"\b(?:will|shall|next|upcoming|forthcoming|future)\b", re.I),
           # "متى ستعقد…", and an event's verb in the present: "متى تنعقد قمة مدريد؟" (unseen3 ar-u07), "متى تبدأ…"
           "ar": re.compile(r"(?:^|\s)(?:ال)?(?:مقبل|مقبله|قادم|قادمه)(?=\s|[؟?]|$)|(?:^|\s)سوف\s|^\s*و?متي\s+س[يتن]\S{2,}|"
                            r"^\s*و?متي\s+[يت](?:نعقد|عقد|بدا|جري|نطلق|قام|ستانف|ختتم|لتقي|جتمع)(?=\s|[؟?]|$)")}
_PAST = re.compile(r"(?:^|\s)(?:ال)?(?:ماضي|ماضيه|سابق|سابقه)(?=\s|$)|(?:^|\s)[وب]?امس(?=\s|$)")


# "what was the outcome of…?", "ما النتيجة التي خرج بها…؟": what an event that has taken place produced
_ASKS_OUTCOME = {"en": re.compile(r"\b(?:outcomes?|results?|resulted|conclusions?|concluded|achieved|yielded|produced)\b|"
                                  r"\bwhat (?:did|was) .{0,60}\b(?:agree|agreed|decide|decided)\b", re.I),
                 "ar": re.compile(r"نتيج|نتايج|اسفر|حصيل|(?:^|\s)خرج(?:ت)?\s+ب|توصل|تمخض")}
# a clause that tells of an event still to come: "ستعقد في بروكسل…", "من المقرر أن…" (normalised)
_FORETOLD = re.compile(r"^(?:\S+\s+){0,2}(?:و?س(?:يعقد|تعقد|يجري|تجري|يلتقي|تلتقي|يجتمع|تجتمع|يتم|تتم|يبدا|تبدا|تبحث|يبحث|"
                       r"يناقش|تناقش|تشمل|يشمل|تستمر|يستمر|تكون|يكون)|و?سوف|(?:و?من\s+)?(?:المقرر|المرتقب|المتوقع|المرجح))(?=\s|$)")


def asks_outcome(question: str, language: str) -> bool:
    """A question about what a past event produced ("What was the outcome of the Brussels meeting?")."""
    return _search_normalized(_ASKS_OUTCOME, question, language) is not None


def foretold(text: str) -> bool:
    """An Arabic span that opens on an event still to come ("ستعقد في بروكسل مضيفاً أن…"): it previews the
    event and says nothing of its outcome."""
    return bool(_FORETOLD.search(normalize(text)))


def asks_future(question: str, language: str) -> bool:
    """A "when" about what is still to come: "When will the next summit take place?", "متى ستعقد القمة
    المقبلة؟"."""
    return _search_normalized(_FUTURE, question, language) is not None


def past(option: str, sentence: str = "") -> bool:
    """A date the text itself marks as gone by: "يونيو الماضي", "مساء أمس", or the two words before it in
    its sentence ("مساء أمس الخميس" for "الخميس")."""
    at = sentence.find(option)
    before = " ".join(sentence[:at].split()[-2:]) if at > 0 else ""
    return bool(_PAST.search(normalize(option)) or _PAST.search(normalize(before)))


_DATELINE = re.compile(r"^\s*\(([^()]{0,120})\)")


def in_dateline(option: str, sentence: str) -> bool:
    """A date inside the bracketed dateline a sentence opens with ("( أردو بوینت نتورك ۔ / سبوتنيك - 31
    ديسمبر 2021ء) أجرى الرئيسان…"): the day the story was filed, not the day of what it tells."""
    m = _DATELINE.match(sentence)
    return bool(m) and option in m.group(1)


def asks_grain(question: str, language: str) -> bool:
    """The question names the grain it wants, not only "when" / "متى"."""
    return asked_grain(question, language) is not None


def fit(options: list[str], question: str, language: str, strict: bool = False) -> list[str]:
    """The date / time candidates of the grain the question asks for: a weekday for "which day of the
    week", a clock time for "at what time", a year for "what year", and for "what date" / "when" a day
    with its month before a month alone (the day is part of the date). All of them when none fits
    (strict: none; a question that asks for no grain keeps all)."""
    asked = _grain(question, language)
    tests = {"weekday": lambda o: re.search(WEEKDAY, o), "time": lambda o: re.fullmatch(_TIME, o),
             "year": lambda o: _YEAR.search(o), "date": lambda o: _DAY_MONTH.search(o)}
    if asked is None:
        return options
    kept = [o for o in options if tests[asked](o)]
    if strict:
        return kept
    if asked != "time":  # a clock time answers "when" only when asked for
        kept = kept or [o for o in options if not re.fullmatch(_TIME, o)]
    return kept or options


def first_sentence(parts, min_chars: int = 4) -> str:
    """Reads a streamed reply only up to the end of its first sentence (or line): a short answer is
    all the snapping step uses, and every token not generated saves time on 2 cores."""
    out = ""
    for part in parts:
        out += part
        m = re.search(r"[.!?؟](?=\s)|\n", out[min_chars:])  # "17.5" is no sentence end
        if m and len(out.strip()) >= min_chars:
            close = getattr(parts, "close", None)
            if close:
                close()  # stops the generation (llama.cpp releases the model lock)
            return out[:min_chars + m.start()].strip()
    return out.strip()


# an English span copied for a "how many / how long" or a "when" question must carry a number or a
# time: "PWNED" copied from an instruction-like sentence, or any other word, is no answer of that type
_EN_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
                        r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
                        r"eighty|ninety|hundreds?|thousands?|millions?|billions?|dozens?|half|several|few|an? "
                        r"(hour|day|week|month|year|minute))\b", re.I)
_EN_TIME = re.compile(r"\d|\b(january|february|march|april|may|june|july|august|september|october|november|"
                      r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
                      r"tomorrow|tonight|morning|afternoon|evening|night|noon|midnight|week|month|year)s?\b", re.I)


# words of a time that are no date of their own ("مساء أمس الخميس")
_TIME_WORDS = {normalize(w) for w in "مساء صباح ظهر ليلة ليل فجر أمس امس اليوم غدا غداً يوم الماضي المقبل القادم".split()}


def only_time(text: str) -> bool:
    """An Arabic span that is a date or a time and nothing else ("الإثنين 10 كانون الثاني/ يناير", "مساء
    أمس الخميس"): no answer to who or where."""
    found = candidates(text, "when")
    if not found:
        return False
    rest = text
    for f in sorted(found, key=len, reverse=True):
        rest = rest.replace(f, " ")
    return not [w for w in words(rest) if normalize(w) not in _TIME_WORDS and informative(w)]


def fits_type(text: str, qtype: str) -> bool:
    """Whether a span can answer a question of this type. Arabic spans of the listed types (when, how
    many) are listed by code and need no check; a who / where answer is no date."""
    if re.search(r"[\u0600-\u06ff]", text):
        return not (qtype in ("who", "where") and only_time(text))
    if qtype == "count":
        return bool(_EN_NUMBER.search(text))
    if qtype == "when":
        return bool(_EN_TIME.search(text))
    if qtype == "who":  # "23–16" names no one (XQuAD dev: "Who did the Broncos beat…?")
        return bool(re.search(r"[A-Za-z]{2,}", text))
    return True


# ---- "why…?" -----------------------------------------------------------------------------------
_WHY = {"en": re.compile(r"\bwhy\b|\bfor what (?:purpose|reason)\b|\bwhat for\b|"
                         r"\bwhat (?:is|was|are|were) the (?:purpose|aim|goal|reason)s? (?:of|for|behind)\b"),
        "ar": re.compile(r"(?:^|\s)[وف]?لماذا(?:\s|$)|(?:^|\s)[وف]?(?:لأي|لاي) (?:غرض|سبب|هدف)|"
                         r"(?:^|\s)ما (?:سبب|الهدف|هدف|الغرض|الغاية|السبب)\s")}
# normalised word runs after which a sentence gives a purpose or a cause ("بهدف تخفيف حدة التوتر"), and
# weaker ones that often give the reason a speaker adds ("مشيراً إلى أن العملية ما زالت جارية")
_BECAUSE = [m.split() for m in ("بهدف", "من اجل", "بغيه", "سعيا الي", "لان", "لانه", "لانها", "لانهم", "لانهما",
                                "بسبب", "نظرا الي", "نظرا ل", "حيث ان", "اذ ان", "كي", "لكي", "حتي لا", "لكيلا")]
_ADDS = [m.split() for m in ("مشيرا الي ان", "مشيره الي ان", "مشيرين الي ان", "مشيرا الي انه", "مشيره الي انه",
                             "موضحا ان", "موضحه ان", "معتبرا ان", "معتبره ان")]
# a purpose glued to "ل": ل + a verbal noun ("لتجنب", "لإجراء", "لاستعادة", "لمواجهة") or a common short one
_PURPOSE_NOUNS = set("وضع منع دعم حل ردع فتح بحث كسر حمايه بناء خفض رفع تحقيق".split())
_END = "،,.;؛:!?؟\"“”«»()"


def _search(patterns: dict[str, re.Pattern], question: str, language: str) -> re.Match | None:
    """The question's language's pattern searched in it (an English question lower-cased)."""
    q = question.strip().lower() if language == "en" else question.strip()
    return patterns["en" if language == "en" else "ar"].search(q)


def _asks(patterns: dict[str, re.Pattern], question: str, language: str) -> bool:
    return _search(patterns, question, language) is not None


def _search_normalized(patterns: dict[str, re.Pattern], question: str, language: str) -> re.Match | None:
    """The question's language's pattern searched in it, an Arabic question normalised (ة -> ه, أ -> ا)
    for the patterns written that way."""
    return patterns[language].search(question if language == "en" else normalize(question))


_BESIDES = {"en": re.compile(r"^(?:according to [^,]{1,60},\s*)?(?:besides|apart from|aside from|in addition to|other than)\b"
                            r"(?P<named>[^,?]{1,80}),\s*(?:what|which|who)\b.*\belse\b"),
            "ar": re.compile(r"^(?:[إا]لى جانب|بال[إا]ضافة [إا]لى|[إا]ضافة [إا]لى|عدا|بخلاف)\s(?P<named>[^،,؟]{1,80})[،,]\s*"
                            r"(?:ما|ماذا|من|[أا]ي)\s")}


def asks_besides(question: str, language: str) -> bool:
    """"Besides $300 million for Ukraine, what else does the bill provide money for?" / "إلى جانب …، ماذا…؟":
    the answer is what the sentence adds to what the question already names."""
    return _asks(_BESIDES, question, language)


def besides(sentence: str, question: str, max_words: int = 8) -> str | None:
    """What a sentence coordinates with the part the question names: the "و" conjunct (a definite noun,
    a number or a number word) after the first word of that part (its number, for an English
    question: "300 مليون دولار لجهود دعم القوات الأوكرانية ومليارات الدولارات للدفاع الأوروبي" ->
    "مليارات الدولارات للدفاع الأوروبي"), up to the next comma or max_words; None without one."""
    raw = sentence.split()
    named = _BESIDES["en"].search(question.strip().lower()) or _BESIDES["ar"].search(question.strip())
    said = set(content(named.group("named") if named else question))
    first = next((i for i, w in enumerate(raw) if any(t in said for t in content(w))), None)
    if first is None:
        return None
    for j in range(first + 1, len(raw)):
        w = raw[j].strip(_EDGE)
        if re.match(rf"و(?:ال[\u0600-\u06ff]{{2,}}|\d|{_NUMBER_WORD}(?![\u0600-\u06ff]))", w):
            out = [w[1:]]
            for x in raw[j + 1:j + max_words]:
                if re.match(r"و(?:ال|\d)", x.strip(_EDGE)) or not x.strip(_EDGE):
                    break
                out.append(x.strip(_EDGE))
                if re.search(r"[،,.;؛:]$", x):
                    break
            return " ".join(out)
        if re.search(r"[.;؛]$", raw[j]):
            return None
    return None


def asks_why(question: str, language: str) -> bool:
    return _asks(_WHY, question, language)


def _glued_purpose(raw: str) -> bool:
    w = re.sub("[\u064b-\u065f]", "", raw.strip(_EDGE))
    w = w[1:] if w.startswith("ول") else w
    if not w.startswith("ل") or w.startswith("لل"):
        return False
    rest = w[1:]
    plain = _plain(rest)
    return ((rest.startswith("ت") and len(rest) >= 4) or (rest.startswith(("إ", "است")) and len(rest) >= 4)
            or (rest.startswith("م") and rest.endswith("ة") and len(rest) >= 5) or plain in _PURPOSE_NOUNS)


def reasons(sentence: str, max_words: int = 12) -> list[tuple[str, bool]]:
    """Each (words, strong) that follows a purpose or cause marker in the sentence, up to the end of its
    clause: "لتجنب اندلاع صراع" -> "تجنب اندلاع صراع" (strong); "مشيراً إلى أن العملية ما زالت جارية" ->
    "العملية ما زالت جارية" (weak: a reason the speaker adds)."""
    raw = raw_words(sentence)
    plain = [_plain(r) for r in raw]
    out = []
    for i in range(len(raw)):
        start, strong = None, True
        if (marker := _marker_at(raw, plain, i, _BECAUSE + _ADDS)) is not None:
            start, strong = i + len(marker), marker in _BECAUSE
        if start is None and _glued_purpose(raw[i]):
            start = i  # the word itself, without its "ل"
        if start is None or start >= len(raw):
            continue
        text = _clause_from(raw, start, max_words, unglue=start == i)
        if text:
            out.append((text, strong))
    return out


def _marker_at(raw: list[str], plain: list[str], i: int, markers: list[list[str]]) -> list[str] | None:
    """The first marker (a run of normalised words) that starts at word i, a glued "و" allowed ("وبهدف",
    "وعلى بعد"), and whose last word does not end its clause; None."""
    for marker in markers:
        at = plain[i:i + len(marker)]
        if at and at[0].startswith("و") and at[0] != marker[0]:
            at = [at[0][1:]] + at[1:]
        if at == marker and not raw[i + len(marker) - 1].endswith(tuple(_END)):
            return marker
    return None


def _clause_from(raw: list[str], start: int, max_words: int, unglue: bool = False) -> str:
    """The words from raw[start] to the end of their clause (a punctuation mark or quote), at most
    max_words, edges stripped; unglue: the first word loses its "ل" ("لتجنب" -> "تجنب")."""
    got = []
    for j in range(start, min(len(raw), start + max_words)):
        if j > start and raw[j][:1] in _END:
            break
        got.append(raw[j].strip(_EDGE))
        if raw[j].endswith(tuple(_END)):
            break
    if unglue and got:
        got[0] = re.sub(r"^و?ل", "", got[0])
    return " ".join(g for g in got if g)


def reason(sentence: str, question: str) -> str | None:
    """The purpose or cause the sentence gives (reasons), a strong marker's first; not one the question
    states itself ("لتبادل السجناء" for "why was there no deal on a prisoner exchange?")."""
    found = [(t, strong) for t, strong in reasons(sentence) if informative(t) and not echoes(t, question)]
    return next((t for t, strong in found if strong), found[0][0]) if found else None


def _plain(raw: str) -> str:
    """A word as the marker lists spell it: normalised, its edge punctuation stripped."""
    return normalize(raw.strip(_EDGE))


# ---- "how did X describe Y?" -------------------------------------------------------------------
_DESCRIBE = {"en": re.compile(r"\b(?:how (?:did|does|do|has|have|had|was|were|is|are)|(?:in|with) what (?:terms|words)|"
                              r"what (?:terms|words|adjectives))\b.*\b(?:describ|characteri[sz])"),
             # "كيف وصف…", "بأي عبارات وصف…" (unseen3 ar-04), "ما الكلمات التي وصف بها…"
             "ar": re.compile(r"(?:^|\s)[وف]?(?:كيف|بماذا|بم|ب[أا]ي\s+\S+|ما\s+(?:ال)?\S+\s+(?:التي|الذي))\s+"
                              r"(?:وصف|وصفت|وصفا|وصفوا|يصف|تصف|يصفون)|"
                              # "بأي أوصاف تحدث ريابكوف عن…؟", "ما الأوصاف التي أطلقها…؟" (unseen5 ar-03)
                              r"(?:^|\s)[وف]?(?:ب[أا]ي|ما)\s+(?:ال)?[أا]وصاف(?:\s|$)")}
_DESCRIBED = re.compile(r"^و?(?:وصف|وصفت|وصفا|وصفوا|يصف|تصف|يصفون|واصفا|واصفه|واصفين)(?:ه|ها|هم|هما)?$")
_AS = {"بانه", "بانها", "بانهما", "بانهم", "بان", "ب"}  # "ب": "ووصف ريابكوف الاجتماع بـ “المذهل…”"
_BE = {"كان", "كانت", "كانا", "كانوا", "يكون", "تكون", "ستكون", "سيكون"}


def asks_description(question: str, language: str) -> bool:
    return _asks(_DESCRIBE, question, language)


def description(sentence: str, question: str = "", max_words: int = 8) -> str | None:
    """What the sentence describes something as: "ووصف أوشاكوف المكالمة بأنها كانت صريحة وموضوعية ومحددة"
    -> "صريحة وموضوعية ومحددة" (the words after "بأنه / بأنها", or a "بـ" standing alone before a quote, that
    follows a form of وصف, up to the end of the clause); None without one."""
    raw = raw_words(sentence)
    plain = [_plain(r) for r in raw]
    for i, w in enumerate(plain):
        if not _DESCRIBED.match(w):
            continue
        j = next((j for j in range(i + 1, min(len(plain), i + 12)) if plain[j] in _AS), None)
        if j is None:
            continue
        start = j + 1 + (j + 1 < len(plain) and plain[j + 1] in _BE)
        text = _clause_from(raw, start, max_words)
        if text and informative(text) and not echoes(text, question):
            return text
    return None


# ---- "what kind of X?" -------------------------------------------------------------------------
_KIND = {"en": re.compile(r"\b(?:what|which)\s+(?:kinds?|types?|sorts?|forms?)\s+of\s+([a-z][a-z-]*)"),
         "ar": re.compile(r"(?:^|\s)[وف]?(?:أي|اي|ما)\s+(?:نوع|أنواع|انواع|نمط|شكل)\s+(?:من\s+)?([\u0621-\u064a]{3,})")}
_STOP_MODIFIER = {"بان", "ان", "التي", "الذي", "الذين", "حيث", "كما", "بين", "الي", "علي", "عن", "من", "في", "مع",
                  "بعد", "قبل", "خلال", "حول", "لدي", "عند", "او", "ثم", "لكن"}


_SPECIFIC = {"en": re.compile(r"\b(?:what|which)\s+(?:specific|particular|exact|precise)\s+([a-z][a-z-]*)", re.I),
             "ar": re.compile(r"(?:^|\s)[وف]?(?:ما|ماهي|ما\s+هي|ما\s+هو|اي)\s+((?:ال)?[\u0621-\u064a]{3,})\s+"
                              r"(?:المحدده|المحدد|بالتحديد|تحديدا|بعينها|بعينه)(?=\s|$)")}


def asked_specific(question: str, language: str) -> str | None:
    """The noun a "which specific X…?" question asks to be told apart ("Which specific sanctions…" ->
    "sanctions", "ما العقوبات المحددة…" -> "العقوبات"): the sentence must qualify it, or the articles do not
    say which. None for any other question."""
    m = _search_normalized(_SPECIFIC, question, language)
    return m.group(1) if m else None


def asked_kind(question: str, language: str) -> str | None:
    """The noun a "what kind of X?" question asks about ("What kind of guarantees…" -> "guarantees",
    "أي نوع من الضمانات…" -> "الضمانات"); None for any other question."""
    m = _search(_KIND, question, language)
    return m.group(1) if m else None


def bare_noun(word: str) -> str:
    """A noun without its glued conjunction or preposition, the article restored ("للصواريخ" ->
    "الصواريخ", "وبالضمانات" -> "الضمانات", "وضمانات" -> "ضمانات")."""
    w = word.strip(_EDGE)
    w = w[1:] if w[:1] in "وف" and len(w) > 4 else w
    if w.startswith("لل") and len(w) > 4:
        return "ال" + w[2:]
    return w[1:] if w.startswith(("بال", "كال")) else w


def raw_words(sentence: str) -> list[str]:
    """The sentence's words as written (edge punctuation kept), empty ones dropped: the positions
    modifiers() counts in."""
    return [r for r in sentence.split() if r.strip(_EDGE)]


def modifiers(sentence: str, at: int, max_words: int = 4) -> str | None:
    """The words that qualify the noun at word position `at`: after a definite noun, the adjectives with
    the article ("للصواريخ المتوسطة والقصيرة المدى" -> "المتوسطة والقصيرة المدى"); after an indefinite one,
    the words up to a function word or the end of the clause ("ضمانات ملزمة قانونًا بأن…" -> "ملزمة قانونًا").
    None when nothing qualifies it."""
    raw = raw_words(sentence)
    if at >= len(raw) - 1 or raw[at].endswith(tuple(_END)):
        return None
    definite = normalize(raw[at].strip(_EDGE)).lstrip("وف").startswith(("ال", "لل", "بال", "كال"))
    got = []
    for r in raw[at + 1:at + 1 + max_words]:
        w = normalize(r.strip(_EDGE))
        bare = w[1:] if w[:1] in "وف" and len(w) > 3 else w
        if definite and not bare.startswith("ال"):
            break
        if not definite and (w in _STOP_MODIFIER or bare in _STOP_MODIFIER or w in _FUNCTION_NORM
                             or any(c.isdigit() for c in w)):
            break
        if not definite and bare.startswith("ال"):  # "متوسطة وقصيرة المدى": an adjective's own noun ends it
            if got and w.startswith("ال"):
                got.append(r.strip(_EDGE))
            break
        got.append(r.strip(_EDGE))
        if r.endswith(tuple(_END)):
            break
    return " ".join(got) if got and informative(" ".join(got)) else None


# ---- "how far…?" -------------------------------------------------------------------------------
_FAR = {"en": re.compile(r"\bhow far\b|\bwhat (?:is the )?distance\b|\bhow (?:close|near)\b"),
        "ar": re.compile(r"(?:^|\s)[وف]?(?:كم (?:يبعد|تبعد|كيلومترا|مترا)|ما (?:هي )?المسافة|على (?:أي|اي) (?:بعد|مسافة))")}
_AT_DISTANCE = [m.split() for m in ("علي بعد", "علي مسافه", "يبعد", "تبعد", "يبعدان", "تبعدان")]
_DISTANCE_STOP = {"فقط", "من", "عن"}


def asks_distance(question: str, language: str) -> bool:
    return _asks(_FAR, question, language)


def distance(sentence: str, question: str = "", max_words: int = 5) -> str | None:
    """How far the sentence puts something: the words after "على بعد" / "على مسافة" / "يبعد", up to "فقط",
    "من" / "عن" or the end of the clause ("على بعد مئات الأمتار فقط من مقرّ البعثة" -> "مئات الأمتار")."""
    return _after_marker(sentence, _AT_DISTANCE, _DISTANCE_STOP, question, max_words)


def _after_marker(sentence: str, markers: list[list[str]], stops: set[str], question: str, max_words: int) -> str | None:
    """The words after the first marker, up to a stop word or the end of the clause; one the question
    does not echo."""
    raw = raw_words(sentence)
    plain = [_plain(r) for r in raw]
    for i in range(len(raw)):
        if (marker := _marker_at(raw, plain, i, markers)) is None:
            continue
        got = []
        for r in raw[i + len(marker):i + len(marker) + max_words]:
            if _plain(r) in stops:
                break
            got.append(r.strip(_EDGE))
            if r.endswith(tuple(_END)):
                break
        text = " ".join(g for g in got if g)
        if text and informative(text) and not echoes(text, question):
            return text
    return None


# "What form did the preliminary meeting take?", "What kind of preliminary meeting…?", "بأي شكل عُقد الاجتماع…؟":
# the words after "على شكل" / "في شكل" / "على هيئة" (in the form of), up to a preposition or the clause's end
_FORM = {"en": re.compile(r"\b(?:what|which) (?:form|shape|format)\b|\bin what (?:form|format|shape)\b|"
                          r"\bwhat (?:kind|sort|type) of (?:[a-z-]+ ){0,2}?(?:meeting|gathering|session|event)s?\b", re.I),
         "ar": re.compile(r"(?:^|\s)(?:بأي|باي|على أي|على اي|في أي|في اي|ما|وما) (?:هو |هي )?"
                          r"(?:شكل|الشكل|هيئة|هيئه|صورة|صوره)(?:\s|$)|(?:أي|اي) نوع من (?:ال)?(?:اجتماع|لقاء)")}
_IN_FORM = [normalize(m).split() for m in ("على شكل", "في شكل", "على هيئة", "في هيئة", "على صورة", "في صورة")]
_FORM_STOP = {"في", "من", "مع", "بين", "الي", "علي", "عن", "حيث", "بعد", "قبل"}


def asks_form(question: str, language: str) -> bool:
    return _asks(_FORM, question, language)


def form(sentence: str, question: str = "", max_words: int = 4) -> str | None:
    """What form the sentence says something took: the words after "على شكل" / "على هيئة" / "في صورة", up to
    a preposition or the end of the clause ("اجتماعا تمهيديا … على شكل عشاء عمل في جنيف" -> "عشاء عمل")."""
    return _after_marker(sentence, _IN_FORM, _FORM_STOP, question, max_words)


# ---- "which summit…?" ---------------------------------------------------------------------------
# a summit, conference or forum is named by its city ("قمة بوخارست", "مؤتمر ميونيخ"): "Which 2008 NATO summit's
# decision…?", "في أي قمة…؟" ask for that city, not for the clause the model finds nearest
_ASKS_EVENT = {"en": re.compile(r"\b(?:which|what)\s+(?:\d{4}\s+)?(?:(?!(?:did|does|do|was|were|is|are|has|have|had|will|"
                                r"would|can|could|the|a|an)\b)[a-z][\w.-]*\s+){0,2}(?:summit|conference|forum)\b"
                                r"(?!\s+(?:date|day|year|month|time|venue|city)\b)"),
               "ar": re.compile(r"(?:^|\s)(?:[وف]?(?:أي|اي)|في (?:أي|اي)|ما|وما) (?:هي |هو )?(?:ال)?(?:قمة|قمه|مؤتمر|منتدى|منتدي)(?=\s|$)")}
_EVENT_EN = {normalize(ar): en for ar, en in (("قمة", "summit"), ("مؤتمر", "conference"), ("منتدى", "forum"))}
_NAMED_EVENTS = set(_EVENT_EN)


def asks_event(question: str, language: str) -> bool:
    return _asks(_ASKS_EVENT, question, language)


def event_name(sentence: str, question: str = "") -> str | None:
    """The summit, conference or forum the sentence names by a city or country the question does not
    give ("قرار قمة بوخارست (قمة الناتو) لعام 2008" -> "قمة بوخارست"); with several, the one a year the
    question gives follows within four words. None: no event is named by a place."""
    raw = raw_words(sentence)
    plain = [_plain(r) for r in raw]
    found = []
    for i in range(len(raw) - 1):
        word = plain[i].removeprefix("و").removeprefix("ب").removeprefix("ل").removeprefix("ال")
        if word not in _NAMED_EVENTS or raw[i].endswith(tuple(_END)):
            continue
        place = raw[i + 1].strip(_EDGE)
        english = gazetteer.named(place, "ar")
        if english and not echoes(place, question) and not any(re.search(rf"\b{re.escape(e)}\b", question) for e in english):
            found.append((i, f"{raw[i].strip(_EDGE)} {place}"))
    years = re.findall(r"\b(1[89]\d\d|20\d\d)\b", question)
    dated = [t for i, t in found if any(y in " ".join(plain[i + 2:i + 6]) for y in years)]
    return (dated or [t for _, t in found] or [None])[0]


def event_english(arabic: str) -> str | None:
    """The English of a span that is an event and the place that names it ("قمة بوخارست" -> "the Bucharest
    summit"), else None."""
    ws = [_plain(w) for w in arabic.split()]
    if len(ws) != 2 or (noun := ws[0].removeprefix("ال")) not in _EVENT_EN:
        return None
    place = gazetteer.named(ws[1], "ar")
    return f"the {place[0]} {_EVENT_EN[noun]}" if place else None


# ---- "only as what?" ------------------------------------------------------------------------------
# "لن تلجأ إلى القوة العسكرية إلا "كخيار أخير"": what a "لن / لا … إلا" exception allows is what a question
# with "only" or "under what condition" asks for
_ASKS_ONLY = {"en": re.compile(r"\bonly (?:as|in|if|when|under|for|with|on)\b[^?]*\bwhat\b|\b(?:as|in|if|when|under|for|with|on) "
                               r"what\b[^?]*\bonly\b|\bunder what (?:conditions?|circumstances?)\b"),
              "ar": re.compile(r"(?:^|\s)(?:في|تحت|ب)\s?(?:أي|اي|ايه|أية|أيه) (?:ظروف|ظرف|حال|حاله|حالة|شرط|شروط|صفة|صفه)(?=[\s؟?]|$)|"
                               r"(?:^|\s)(?:إلا|الا) (?:في|ب|ك)?(?:ماذا|ما)(?=[\s؟?]|$)")}
_EXCEPT = [["الا"]]
_EXCEPT_STOP = {"حيث", "بعد", "قبل", "مشددا", "مضيفا", "مؤكدا"}


def asks_only(question: str, language: str) -> bool:
    return _asks(_ASKS_ONLY, question, language)


def only(sentence: str, question: str = "", max_words: int = 5) -> str | None:
    """What a "لن / لا / ما … إلا" exception allows: the words after "إلا" up to the end of the clause
    ("لن تلجأ إلى القوة العسكرية إلا "كخيار أخير"" -> "كخيار أخير"); None without a negation before it."""
    at = [i for i, w in enumerate(raw_words(sentence)) if _plain(w) == "الا"]
    negated_before = any(_plain(w) in ("لن", "لا", "لم", "ما", "ليس", "ليست") for w in raw_words(sentence)[:at[0]]) if at else False
    return _after_marker(sentence, _EXCEPT, _EXCEPT_STOP, question, max_words) if negated_before else None
