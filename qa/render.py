"""English renderings of an Arabic answer span.

Dates, years and weekdays are rendered by code. Anything else is translated by the model under a
grammar that only allows Latin letters, digits and punctuation (so no Arabic can reach an English
answer), then checked like an answer: its numbers must be the span's, its capitalised names must
match a word of the span (or the question) by consonant skeleton.
"""
from __future__ import annotations

import re

from index.text import normalize, numbers

from difflib import SequenceMatcher

from . import gazetteer, orgs, terms
from .cite import _NOT_NAMES, _skeleton_arabic, _skeleton_latin, unknown_names

_MONTHS = {
    "يناير": "January", "فبراير": "February", "مارس": "March", "ابريل": "April", "مايو": "May", "ماي": "May",
    "يونيو": "June", "يوليو": "July", "اغسطس": "August", "سبتمبر": "September", "اكتوبر": "October",
    "نوفمبر": "November", "ديسمبر": "December", "كانون الثاني": "January", "شباط": "February",
    "اذار": "March", "نيسان": "April", "ايار": "May", "حزيران": "June", "تموز": "July", "اب": "August",
    "ايلول": "September", "تشرين الاول": "October", "تشرين الثاني": "November", "كانون الاول": "December",
}
_WEEKDAYS = {"الاثنين": "Monday", "الثلاثاء": "Tuesday", "الاربعاء": "Wednesday", "الخميس": "Thursday",
             "الجمعه": "Friday", "السبت": "Saturday", "الاحد": "Sunday"}
_FILLER = {"عام", "سنه", "العام", "من", "يوم", "و", "في"}
_SCALE = {"الف": "thousand", "الاف": "thousand", "الالاف": "thousand", "مليون": "million", "ملايين": "million",
          "الملايين": "million", "مليار": "billion", "مليارات": "billion"}
_UNITS = {"دولار": "dollars", "ساعات": "hours", "ساعه": "hours", "شخص": "people", "طلبا": "requests",
          "طلبات": "requests", "يوما": "days", "ايام": "days", "اشهر": "months", "سنوات": "years",
          "الامتار": "metres", "امتار": "metres", "مترا": "metres", "جولات": "rounds", "مسارات": "tracks",
          # common counted nouns of any news (normalised: ة -> ه, tanween dropped)
          "نقطه": "points", "نقاط": "points", "ثانيه": "seconds", "ثوان": "seconds", "ثواني": "seconds",
          "دقيقه": "minutes", "دقايق": "minutes", "مره": "times", "مرات": "times", "يارده": "yards",
          "ياردات": "yards", "شركه": "companies", "شركات": "companies", "دوله": "countries", "دول": "countries",
          "كيلومترا": "kilometres", "كيلومترات": "kilometres", "اسبوعا": "weeks", "اسابيع": "weeks",
          "شهرا": "months", "عاما": "years", "قتيلا": "dead", "جنديا": "soldiers",
          "جندي": "soldiers", "لاعبا": "players", "لاعبين": "players", "نسمه": "inhabitants", "يورو": "euros",
          "دولارا": "dollars", "طالبا": "students", "طلاب": "students", "بالميه": "percent",
          "الميه": "percent", "بالمايه": "percent", "المايه": "percent"}
_NUMBER_WORDS = {"ثلاث": "three", "ثلاثه": "three", "اربع": "four", "اربعه": "four", "خمس": "five", "خمسه": "five",
                 "ست": "six", "سته": "six", "سبع": "seven", "سبعه": "seven", "ثماني": "eight", "ثمانيه": "eight",
                 "تسع": "nine", "تسعه": "nine", "عشر": "ten", "عشره": "ten", "عشرات": "tens of",
                 "ميات": "hundreds of", "اثنين": "two", "اثنان": "two", "اثنتين": "two", "اثنتان": "two"}
# qualifiers stay with their number ("more than seven hours"); a following من / عن / على is theirs
_FRACTIONS = {"نصف": "half", "ثلث": "a third", "ربع": "a quarter"}
_QUALIFIERS = {"اكثر": "more than", "ازيد": "more than", "يزيد": "more than", "اقل": "less than", "نحو": "about",
               "حوالي": "about", "حوالى": "about", "قرابه": "nearly", "زهاء": "about", "يقارب": "nearly", "ما": ""}
# names code can render: places and bodies these news articles keep naming (normalised Arabic)
NAMES = {"جنيف": "Geneva", "بروكسل": "Brussels", "فيينا": "Vienna", "موسكو": "Moscow", "واشنطن": "Washington",
         "اوروبا": "Europe", "اوكرانيا": "Ukraine", "روسيا": "Russia", "جورجيا": "Georgia", "مدريد": "Madrid",
         "بوخارست": "Bucharest", "لندن": "London", "باريس": "Paris", "برلين": "Berlin", "كييف": "Kyiv",
         "القرم": "Crimea", "الناتو": "NATO", "الكرملين": "the Kremlin", "سويسرا": "Switzerland",
         "الولايات المتحده": "the United States", "البيت الابيض": "the White House", "الصين": "China",
         "منظمه الامن والتعاون في اوروبا": "the OSCE", "حلف شمال الاطلسي": "NATO", "الامم المتحده": "the United Nations",
         "اسيا الوسطي": "Central Asia", "بريطانيا": "Britain", "فرنسا": "France", "المانيا": "Germany"}
# titles these articles keep using, rendered by code (the model's guesses were wrong: "Deputy Prime Minister")
_PHRASES = {normalize(k): v for k, v in {
    "مساعد الرئيس الروسي": "aide to the Russian president", "المتحدث باسم الكرملين": "Kremlin spokesman",
    "المتحدث باسم الرئاسة الروسية": "Kremlin spokesman", "نائب وزير الخارجية": "deputy foreign minister",
    "نائب وزير الخارجية الروسي": "Russian deputy foreign minister", "نائب وزير الدفاع": "deputy defence minister",
    "وزير الخارجية الروسي": "Russian foreign minister", "نائبة وزيرة الخارجية": "deputy secretary of state",
    "نائبة وزير الخارجية الأمريكي": "US deputy secretary of state", "الناطقة باسم البيت الأبيض": "White House press secretary",
    "الرئيس الأمريكي": "the US president", "الرئيس الروسي": "the Russian president",
}.items()}
_TITLES = set("""deputy secretary state minister ministry foreign defence defense president vice prime spokesman
spokeswoman spokesperson department assistant aide adviser advisor ambassador chancellor general permanent mission
office head chief senior official affairs security council house national""".split())

_SCALE_WORDS = {"hundred": ("ميات", "مايه", "ميه"), "thousand": ("الف", "الاف"), "million": ("مليون", "ملايين"),
                "billion": ("مليار",), "dozen": ("عشرات", "دزينه")}
_PERIOD = {"نهايه": "the end of", "بدايه": "the beginning of", "منتصف": "mid-", "مطلع": "early"}

LATIN_GRAMMAR = r"""root ::= [A-Za-z0-9"'$%(] [A-Za-z0-9 ,.;:'"$%()/&-]*"""


_HOURS = {"الواحده": "1", "الثانيه": "2", "الثالثه": "3", "الرابعه": "4", "الخامسه": "5", "السادسه": "6",
          "السابعه": "7", "الثامنه": "8", "التاسعه": "9", "العاشره": "10", "الحاديه عشره": "11", "الثانيه عشره": "12"}
_DAYPART = {"صباحا": "a.m.", "فجرا": "a.m.", "مساء": "p.m.", "ليلا": "p.m.", "ظهرا": "p.m."}
_ZONES = {"جرينتش": "GMT", "غرينتش": "GMT", "موسكو": "Moscow time", "جنيف": "Geneva time"}


def _clock(text: str) -> str | None:
    """'قرابه الثامنه صباحا بتوقيت جرينتش' -> 'about 8 a.m. GMT' (normalised Arabic in)."""
    hours = "|".join(sorted(_HOURS, key=len, reverse=True))
    m = re.fullmatch(rf"(?:(قرابه|نحو|حوالي|حوالى)\s+)?(?:الساعه\s+)?({hours}|\d{{1,2}}[:：]\d{{2}})"
                     rf"(?:\s+(صباحا|مساء|ظهرا|فجرا|ليلا))?(?:\s+بتوقيت\s+(\S+))?", text.strip())
    if not m or (m.group(2) in _HOURS and not m.group(3)):
        return None
    if m.group(4) and m.group(4) not in _ZONES:
        return None
    out = [_QUALIFIERS[m.group(1)]] if m.group(1) else []
    out.append(_HOURS.get(m.group(2), m.group(2)))
    out += [_DAYPART[m.group(3)]] if m.group(3) else []
    out += [_ZONES[m.group(4)]] if m.group(4) else []
    return " ".join(out)


# people Arabic news about Russia, Ukraine, the US and Europe keep naming, spelled as English news does
# (the model's transliterations were "Aoshakov" for أوشاكوف); keys are normalised Arabic
_PEOPLE_FORMS = {
    "بوتين": "Putin", "فلاديمير": "Vladimir", "بايدن": "Biden", "جو": "Joe", "لافروف": "Lavrov",
    "سيرغي": "Sergei", "سيرجي": "Sergei", "سيرجيه": "Sergei", "ريابكوف": "Ryabkov", "بيسكوف": "Peskov",
    "دميتري": "Dmitry", "ديمتري": "Dmitry", "دميتريي": "Dmitry", "اوشاكوف": "Ushakov", "يوري": "Yuri",
    "شيرمان": "Sherman", "ويندي": "Wendy", "ساكي": "Psaki", "جين": "Jen", "بلينكن": "Blinken", "انتوني": "Antony",
    "زيلينسكي": "Zelensky", "فولوديمير": "Volodymyr", "ستولتنبرغ": "Stoltenberg", "ستولتنبيرغ": "Stoltenberg",
    "ينس": "Jens", "ماكرون": "Macron", "ايمانويل": "Emmanuel", "شولتس": "Scholz", "شولتز": "Scholz",
    "اولاف": "Olaf", "ميركل": "Merkel", "غوتيريش": "Guterres", "جوتيريش": "Guterres", "فومين": "Fomin",
    "الكسندر": "Alexander", "شويغو": "Shoigu", "شويجو": "Shoigu", "ترامب": "Trump", "اردوغان": "Erdogan",
    "لوكاشينكو": "Lukashenko", "بارميلين": "Parmelin", "جاي": "Guy", "سوليفان": "Sullivan", "جيك": "Jake",
    "نولاند": "Nuland", "فيكتوريا": "Victoria", "زاخاروفا": "Zakharova", "ماريا": "Maria", "ميدفيديف": "Medvedev",
    "نافالني": "Navalny", "اليكسي": "Alexei", "بوريل": "Borrell", "جوزيب": "Josep", "كوليبا": "Kuleba",
    "دميترو": "Dmytro", "غروشكو": "Grushko", "الكسندر غروشكو": "Alexander Grushko", "انطونيو": "Antonio",
}
PEOPLE = {normalize(k): v for k, v in _PEOPLE_FORMS.items()}


def person_by_code(span: str) -> str | None:
    """'يوري أوشاكوف' -> 'Yuri Ushakov' when every word of the name (after its title) is a known name. A span
    that names another known person before it ("الوفد الروسي نائب وزير الخارجية الروسي سيرجي ريابكوف ونائب
    وزير الدفاع ألكسندر فومين") is not that one person (unseen3 en-u03 got "Alexander Fomin", the question's
    own name)."""
    ws = span.split()
    name = name_part(span)
    if name is not None and any(known(w) for w in ws[:len(ws) - len(name.split())]):
        return None
    return _person((name or span).split())


def known(word: str) -> str | None:
    """The PEOPLE key of a word that is a known person's name ("ويوري" too), else None."""
    w = normalize(word).strip(".,،:;\"'()")
    w = w[1:] if w[:1] == "و" and w[1:] in PEOPLE else w
    return w if w in PEOPLE else None


def _person(words: list[str]) -> str | None:
    """The English name when every word is a known name ("ويوري" too), else None."""
    keys = [known(w) for w in words]
    if not keys or None in keys:
        return None
    return " ".join(PEOPLE[k] for k in keys)


def name_by_code(span: str) -> str | None:
    """A person, place, body or title code knows how English news writes: 'يوري أوشاكوف' -> 'Yuri Ushakov',
    'فيينا' -> 'Vienna', 'نائب وزير الخارجية' -> 'deputy foreign minister'; None otherwise."""
    if (person := person_by_code(span)) is not None:
        return person
    return _place_or_title(span)


def _place_or_title(span: str) -> str | None:
    """A place, body or title code knows (the names tables, the CLDR gazetteer, the bodies list); None."""
    name = re.sub(r"^في\s+", "", normalize(span).replace("/", " / ").strip())
    for form in (name, name[1:] if name[:1] in "وب" else name):
        if form in NAMES:
            return NAMES[form]
        if form in _PHRASES:
            return _PHRASES[form]
    if (place := gazetteer.english(name)) is not None:
        return place
    return orgs.english(span)


def glossary(arabic: str, most: int = 6) -> list[tuple[str, str]]:
    """The names and titles of an Arabic text that code can write in English (people by every word, places,
    bodies, titles), as (the words as the text writes them, English), longest first: given to the model
    with the text it translates, so that أوكرانيا comes out "Ukraine", not "North Korea". A lone first name
    of under 4 letters ("جو" is also "air") is left out."""
    words = [w.strip(".,،:;\"'()«»") for w in arabic.split()]
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        for n in (6, 5, 4, 3, 2, 1):
            piece = " ".join(words[i:i + n])
            if i + n > len(words) or not re.search(r"[\u0621-\u064a]", piece) or normalize(words[i]) == "في":
                continue
            person = _person(words[i:i + n])  # every word a known name: no title folded in
            if person and n == 1 and len(normalize(piece)) < 4:
                continue
            if (english := person or _place_or_title(piece)) is not None:
                out.append((piece, english))
                i += n
                break
        else:
            i += 1
    return list(dict.fromkeys(out))[:most]


def by_code(span: str) -> str | None:
    """'17 كانون الأول/ديسمبر' -> '17 December'; '300 مليون دولار' -> '300 million dollars'; 'فيينا' ->
    'Vienna'; None when the span holds words code can't render."""
    if (known := name_by_code(span)) is not None:
        return known
    text = normalize(span).replace("/", " / ")
    if (clock := _clock(text)) is not None:
        return clock
    if years := re.fullmatch(r"(?:من\s+)?(\d{4})\s*(?:الي|حتي|-|–)\s*(?:عام\s+)?(\d{4})", text):
        return f"from {years.group(1)} to {years.group(2)}"  # "1870 إلى 1939" (normalised: الي)
    if part := re.fullmatch(r"(\d+|\S+)\s+(?:منها|منهم|منهما|منهن)", text):  # "تسع منها" -> "nine of them"
        number = part.group(1)
        number = number if number.isdigit() else _NUMBER_WORDS.get(number)
        return f"{number} of them" if number else None
    for ar, en in sorted(_MONTHS.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"(?<!\S){ar}(?!\S)", f"@{en}", text)
    out: list[str] = []
    month_seen = False
    toks = text.split()
    lead = ""
    while len(toks) > 1 and toks[0] in _QUALIFIERS:  # "اكثر من سبع ساعات" -> "more than seven hours"
        lead = _QUALIFIERS[toks.pop(0)] or lead
        if toks[0] in ("من", "عن", "علي"):
            toks.pop(0)
    for tok in toks:
        if tok.startswith("@"):
            if not month_seen:
                out.append(tok[1:])
            month_seen = True
        elif tok == "/":
            continue
        elif re.fullmatch(r"\d+(?:[.,]\d+)*", tok):
            out.append(tok)
        elif m := re.fullmatch(r"(\d+)(?:[.,٫](\d{1,2}))?[٪%]", tok):  # "56,2٪" -> "56.2%"
            out.append(m.group(1) + (f".{m.group(2)}" if m.group(2) else "") + "%")
        elif tok in _WEEKDAYS or ("ال" + tok) in _WEEKDAYS:
            out.append(_WEEKDAYS.get(tok) or _WEEKDAYS["ال" + tok])
        elif tok in _SCALE:  # "عشرات الآلاف" -> "tens of thousands"
            out.append(_SCALE[tok] + ("s" if out and out[-1].endswith(" of") else ""))
        elif tok in _UNITS:
            out.append(_UNITS[tok])
        elif (tok in _NUMBER_WORDS or tok.startswith("ال") and tok[2:] in _NUMBER_WORDS) and not out:
            out.append(_NUMBER_WORDS.get(tok) or _NUMBER_WORDS[tok[2:]])  # "الثلاثة" after its noun: "three"
        elif tok in _PERIOD:
            out.append(_PERIOD[tok])
        elif tok in ("الماضي",):
            out.append("last")
        elif (fraction := _FRACTIONS.get(re.sub(r"^ال|(?:ها|هم|هما|ه)$", "", tok))) and len(tok) <= 6:
            out.append(fraction)  # "نصفها تقريباً" -> "about half"
        elif tok in ("تقريبا",):
            lead = lead or "about"
        elif tok in _FILLER:
            continue
        elif out and out[-1].endswith("%"):  # "2,8٪ بروتستانت": the share is the answer
            break
        else:
            return None
    if not out or not any(re.search(r"\d", o) or o in _WEEKDAYS.values() or o in _MONTHS.values()
                          or o in _NUMBER_WORDS.values() or o in _FRACTIONS.values() for o in out):
        return None
    if "last" in out:  # "يونيو الماضي" -> "last June"
        out.remove("last")
        out.insert(0, "last")
    if lead:
        out.insert(0, lead)
    return re.sub(r"mid- ", "mid-", " ".join(out))


def checked(english: str, arabic: str, question: str) -> bool:
    """The same checks as an answer: English only, the span's numbers, names the span gives."""
    english = english.strip()
    if not re.search(r"[A-Za-z]", english) or re.search(r"[\u0600-\u06ff]", english):
        return False
    if numbers(english) - numbers(arabic):
        return False
    if not terms.keeps_negations(arabic, english):  # "لا صحة لها" rendered without its "not true"
        return False
    if numbers(arabic) - numbers(english) - numbers(question):
        return False
    plain = normalize(arabic)
    for word, arabic_forms in _SCALE_WORDS.items():  # "Thousands" for مئات الأمتار is a wrong number too
        if re.search(rf"\b{word}", english, re.I) and not any(f in plain for f in arabic_forms):
            return False
    # a month or weekday the Arabic does not name is a mistranslation (نوفوستي -> "November")
    named = {v for k, v in list(_MONTHS.items()) + list(_WEEKDAYS.items())
             if re.search(rf"(?<![\u0600-\u06ff])[وب]?{k}(?![\u0600-\u06ff])", plain)}
    said = {w for w in list(_MONTHS.values()) + list(_WEEKDAYS.values()) if re.search(rf"\b{w}\b", english, re.I)}
    if said - named - {w for w in said if re.search(rf"\b{w}\b", question, re.I)}:
        return False
    # a country or city (CLDR) is named only where the Arabic names it ("North Korea" for أوكرانيا passed the
    # skeleton test below: كرن ~ kr)
    if any(not gazetteer.mentions(arabic, place) for place in gazetteer.named(english, "en")):
        return False
    # a person code knows is named only where the Arabic gives one of its forms ("Peskov" for أوشاكوف), first word too
    asked = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
    for name in re.findall(r"\b[A-Z][a-z]+\b", english):
        if name in _KNOWN_FORMS and name.lower() not in asked and not any(f in plain for f in _KNOWN_FORMS[name]):
            return False
    # a capital that only starts the sentence is no name; titles (Deputy Secretary of State) are no names;
    # nor are the words of a name code found in the Arabic (glossary), written short or long ("NATO", "the
    # North Atlantic Treaty Organization")
    body = english[:1].lower() + english[1:]
    for phrase in _glossed(arabic):
        body = re.sub(rf"(?<![A-Za-z-]){phrase}(?![A-Za-z-])", " ", body)
    body = " ".join(w for w in body.split() if w.strip(".,;:'\"()").lower() not in _TITLES)
    if unknown_names(body, arabic, question):
        return False
    # stricter than the answer guard: each name's skeleton must be (nearly) one the Arabic gives
    skeletons = {_skeleton_arabic(w) for w in re.findall(r"[\u0600-\u06ff]+", arabic)} - {""}
    for name in re.findall(r"\b[A-Z][a-z]+\b", body):
        sk = _skeleton_latin(name)
        if name.lower() in asked or name.lower() in _NOT_NAMES or len(sk) < 2 or name in _KNOWN_FORMS or \
                name in NAMES.values():
            continue
        if not any(sk == a or SequenceMatcher(None, sk, a).ratio() >= 0.8 for a in skeletons):
            return False
    return True


# the long English names of bodies and places code renders short, which a translation may write out
_OSCE = "Organi[sz]ation for Security and Co-?operation in Europe"
_LONG_FORMS = {"NATO": ["North Atlantic Treaty Organi[sz]ation", "North Atlantic Alliance", "North Atlantic Treaty"],
               "the United States": ["United States of America", "United States"], "the OSCE": [_OSCE],
               "the United Nations": ["United Nations"], "Britain": ["United Kingdom", "Great Britain"]}


def _glossed(arabic: str) -> list[str]:
    """Patterns of the names code finds in the Arabic (glossary) as English writes them, short and long,
    longest first: whole names only ("North" alone is no part of NATO)."""
    out: list[str] = []
    for _, english in glossary(arabic, most=50):
        out += _LONG_FORMS.get(english, []) + [re.escape(english.removeprefix("the "))]
    out += [re.escape(form.removeprefix("the ")) for form in terms.forms(arabic)]  # "Cold War", "General Assembly"
    return sorted(set(out), key=len, reverse=True)


# each capitalised word of a person's name code renders -> the normalised Arabic forms that give it (people
# only: a place or body also comes from an adjective or a metonym, "الروسية" -> "Russia", "واشنطن" -> "the US")
_KNOWN_FORMS: dict[str, set[str]] = {}
for _ar, _en in PEOPLE.items():
    for _w in re.findall(r"\b[A-Z][a-z]+\b", _en):
        _KNOWN_FORMS.setdefault(_w, set()).add(normalize(_ar))


def has_name(english: str) -> bool:
    """An answer to "who" names someone: a capitalised word that is not a title ("Ill" is no answer). The
    first word's capital counts only in a short run of capitalised words ("Sergei Lavrov", "Lavrov"), not
    at the start of a clause ("Ready to conduct talks" names no one)."""
    ws = re.findall(r"[A-Za-z]+", english)
    bare = len(ws) <= 3 and all(w[:1].isupper() for w in ws)
    return any(w[:1].isupper() and w.lower() not in _TITLES and w.lower() not in _NOT_NAMES and len(w) > 3
               for i, w in enumerate(ws) if i > 0 or bare)


_AR_TITLE_WORDS = {normalize(w) for w in """نائب نائبة وزير وزيرة الوزير الخارجية الدفاع الرئيس رئيس الرئاسة المتحدث
الناطق الناطقة باسم البيت الأبيض مساعد مساعدة مستشار الأمريكي الأميركي الروسي الروسية الأمريكية السويسري
الأوكراني الأمين العام السفير الكرملين""".split()}


_COUNT_STOP = ("did|do|does|were|was|are|is|have|has|had|will|would|can|could|must|should|in|of|about|on|at|for|to|"
               "from|with|that|which|who|according|the|a|an|and|or|than")
_HOW_MANY = re.compile(rf"\bhow many ((?:[a-z][a-z-]* ){{0,2}}?[a-z][a-z-]*?)(?= (?:{_COUNT_STOP})\b|[?,]|$)", re.I)


def counted(english: str, question: str) -> str:
    """A bare number answering "how many X…?" names what it counts: "three" -> "three pivotal
    directions" (the question's own words); a number that already has its unit is left alone."""
    m = _HOW_MANY.search(question.strip())
    qualifier_words = {w for q in _QUALIFIERS.values() for w in q.split()}  # "more than", "about", ...
    bare = all(re.fullmatch(r"[\d.,]+", w) or w in _NUMBER_WORDS.values() or w in qualifier_words
               for w in english.split())
    if not m or not bare or not english or re.search(rf"^(?:{_COUNT_STOP})\b", m.group(1), re.I):
        return english
    return f"{english} {m.group(1)}"


def name_part(span: str) -> str | None:
    """'نائبة وزيرة الخارجية ويندي شيرمان' -> 'ويندي شيرمان': the words after the last title word."""
    ws = span.split()
    last = max((i for i, w in enumerate(ws) if normalize(w) in _AR_TITLE_WORDS), default=-1)
    rest = ws[last + 1:]
    return " ".join(rest) if 0 < len(rest) < len(ws) and len(rest) <= 4 else None


def clause(sentence: str, span: str, max_words: int = 30) -> str:
    """The part of the sentence around the span (commas and colons cut it), for a short gloss."""
    parts = re.split(r"(?<=[،؛:,;])\s+", sentence)
    for i, part in enumerate(parts):
        if span in part:
            text = part
            if len(text.split()) < 8 and i > 0:  # "في بروكسل،": the clause before says what happens there
                text = parts[i - 1] + " " + text
            return " ".join(text.split()[:max_words]).strip(" ،,؛;:")
    return " ".join(sentence.split()[:max_words])


# fixed examples (a constant prefix): names are transliterated the way English news spells them
_EXAMPLES = [("نائب وزير الخارجية الروسي سيرغي ريابكوف", "Russian Deputy Foreign Minister Sergei Ryabkov"),
             ("الرئيس الأمريكي جو بايدن", "US President Joe Biden"),
             ("المتحدث باسم الكرملين دميتري بيسكوف", "Kremlin spokesman Dmitry Peskov")]


def translate_messages(arabic: str) -> list[dict]:
    """Few-shot translation; a text with names code knows (glossary) gets them on a Names line. The fixed
    part (system prompt and examples) is as before: a text without such names is asked exactly as it was
    (an example with a Names line, or one more clause example, changed the small model's phrase glosses,
    for the worse as often as not, on the gold dev set)."""
    messages = [{"role": "system", "content": "You translate Arabic news text into English. Keep every name and "
                                              "number; spell names as English news does."}]
    for ar, en in _EXAMPLES:
        messages += [{"role": "user", "content": f"Translate into English:\n{ar}"}, {"role": "assistant", "content": en}]
    names = "; ".join(f"{ar} = {en}" for ar, en in glossary(arabic) + terms.glossary(arabic))
    request = f"Translate into English:\n{arabic}" + (f"\nNames (write them so): {names}" if names else "")
    return messages + [{"role": "user", "content": request}]


# a run of 1-3 words said twice in a row, as the small model's translations stutter ("medium-range medium-range")
_STUTTER = re.compile(r"\b((?:[\w'-]+\s+){0,2}[\w'-]+)(?:\s+\1\b)+", re.IGNORECASE)


def clean(english: str) -> str:
    text = re.sub(r"\s+", " ", english).strip().strip('"').strip()
    return _STUTTER.sub(r"\1", text)


_LOWER_FIRST = {"the", "a", "an", "there", "it", "they", "he", "she", "his", "her", "its", "their", "about", "more",
                "you", "we", "our", "your", "this", "that", "these", "those", "all", "some", "both", "no", "not",
                "after", "before", "during", "since", "in", "on", "at", "by", "with", "for", "to", "completely",
                "nearly", "less", "last", "over", "under", "almost", "only", "any", "each", "every",
                "hundreds", "tens", "thousands", "seven", "three", "four", "five", "six", "eight", "nine", "ten", "two"}


def frame(text: str, qtype: str, translated: bool = False) -> str:
    """A bare span ("Vienna", "No") becomes a short English sentence, so it reads (and detects) as English:
    "According to the article, Vienna". A span the model translated says so: "According to the article
    (machine translation), ...". Glosses and notes are sentences already."""
    if text.startswith(("The article says", "The cited")):
        return text
    if qtype == "yesno":
        return f"{text}, according to the article"
    ws = text.split()
    first = ws[0] if ws else ""
    name_like = (qtype in ("who", "where") or first in NAMES.values() or first in PEOPLE.values()
                 or first.isupper() or (len(ws) > 1 and ws[1][:1].isupper()))
    if first.lower() in _LOWER_FIRST or re.fullmatch(r"[A-Z][a-z]+ed", first) or (translated and not name_like):
        text = text[:1].lower() + text[1:]  # "Sent 45 requests" reads "..., sent 45 requests"
    return f"According to the article{' (machine translation)' if translated else ''}, {text}"
