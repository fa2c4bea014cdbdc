"""What a question asks for, and whether the evidence can support an answer to it (decided by code).

* `question_type`: who / where / when / how many / yes-no / other, from the question's own words.
* `question_entities`: the people, organisations and places a question names — English capitalised
  words (demonyms included: "French" must find فرنسا or الفرنسي), Arabic words after a title (الرئيس
  الفرنسي ماكرون) or after "موقف / رد / تعليق".
* `missing_entities`: those that no retrieved text mentions, compared by consonant skeleton across
  scripts (Zelensky ~ زيلينسكي). A question about someone the articles never mention is refused
  instead of answered with someone else's words.
* `negated` / `opposite`: a yes/no question answered by "لا توجد خطط" is a "no"; a negation the question
  and the sentence share with the same next word ("ضمانات عدم توسيع الناتو") is their topic, not a polarity.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from index.text import arabic_ratio, normalize, strip_prefix, tokens

from . import gazetteer
from .cite import _skeleton_arabic, _skeleton_latin
from .span import ADJECTIVES, content

# ---- question type ---------------------------------------------------------------------------
# "Which Russian minister…?", "أي مسؤول…؟": a person asked for by role (up to three words between, none a verb)
_ROLES_EN = ("minister|ministers|official|officials|spokesman|spokeswoman|spokesperson|diplomat|diplomats|president|"
             "leader|leaders|journalist|journalists|reporter|reporters|photographer|envoy|ambassador|secretary|"
             "negotiator|aide|adviser|advisor|chancellor|commander|senator|deputy|delegate|politician|analyst|"
             "correspondent|author|editor")
# a word between "which / what" and the noun asked for that is not an auxiliary ("What did the minister say?")
NOT_AUX = r"(?!did |does |do |is |are |was |were |has |have |had |will |would |can |could )"
_PERSON_EN = (rf"^(which|what) (?:{NOT_AUX}[\w’'-]+ ){{0,3}}?(?:{_ROLES_EN})\b"
              r"(?! (role|roles|position|title|post|job|statement|visit|residence|office|figures|report|data|account)\b)")
_PERSON_AR = (r"(^|\s)(أي|اي) (وزير|وزيرة|مسؤول|مسؤولة|متحدث|متحدثة|ناطق|ناطقة|دبلوماسي|رئيس|زعيم|صحفي|صحفية|"
              r"مصور|سفير|مبعوث|مستشار|نائب|نائبة)(\s|$)")
_TYPES_EN = [  # English, and the question words of French (answered in English too)
    ("yesno", r"^(is|are|was|were|did|does|do|will|has|have|had|can|could)\b"),
    ("who", r"^qui\b"),
    ("count", r"\bcombien\b"),
    ("when", r"^quand\b"),
    ("where", r"^o[uù]\b"),
    ("count", r"\bhow (many|much|long|old)\b|\bwhat (number|amount|percentage|percent|proportion|share)\b"),
    ("when", r"\bwhen\b|\bwhat (exact )?(date|day|year|time|month)s?\b|\bwhich (date|day|year|month)s?\b|\bon what\b.*\bdate\b|"
             r"\bin what year\b"),
    ("where", r"\bwhere\b|\b(which|what) " + ADJECTIVES + r"(city|cities|capitals?|country|countries|place|venue|towns?)\b"),
    ("who", r"^who\b|\bwho (is|was|led|headed)\b|\bwhat is the name of\b|\bwhose\b|" + _PERSON_EN),
]
_TYPES_AR = [
    ("yesno", r"^هل\b"),
    # "من سجل أعلى عدد من الاستحواذات؟" asks who, though it says عدد; "من بين…، كم…؟" and "من أين" do not
    ("who", r"^و?من\s(?!(بين|أين|اين|أي|اي|متى|خلال)\s)(?!.*(^|\s)كم\s)"),
    ("count", r"(^|\s)(كم|ما عدد|عدد)\s"),
    ("when", r"(^|\s)(متى)(\s|$)|في (اي|أي) (عام|سنه|سنة|يوم|تاريخ|شهر|ساعه|ساعة)|ما تاريخ"),
    ("where", r"(^|\s)(اين|أين)(\s|$)|في (اي|أي) (مدينه|مدينة|عاصمه|عاصمة|دوله|دولة|مكان|بلد)|"
              r"(^|\s)(ما|وما|أي|اي) (هي |هما )?(ال)?(مدينه|مدينة|عاصمه|عاصمة|دوله|دولة|بلد|دولتان|دولتين)(\s|$)"),
    ("who", r"^(من|ومن)\s|(^|\s)(ما اسم|ما هو اسم)\s|" + _PERSON_AR),
]


# "What is the name of the State Department spokesperson…?", "ما اسم المتحدث باسم…؟": a person's name asked for
# by a role (not "the name of the river"); matched on the lowered / normalised question
_NAME_EN = re.compile(rf"\bnames? of (?:the |a |an |this |that )?(?:[\w’'-]+ ){{0,3}}?(?:{_ROLES_EN})\b|"
                      r"\bwhat (?:is|was) (?:his|her) name\b")
_NAME_AR = re.compile(r"(?:^|\s)(?:ما|وما) (?:هو )?اسم (?:\S+ ){0,2}?(?:ال)?(?:وزير|وزيره|مسؤول|مسؤوله|متحدث|متحدثه|"
                      r"ناطق|ناطقه|دبلوماسي|رئيس|رييس|زعيم|صحفي|صحفيه|مصور|سفير|مبعوث|مستشار|نايب|نايبه|مساعد)(?:\s|$)")


def asks_name(question: str, language: str) -> bool:
    """The question asks for the name of someone it names by role."""
    return bool(_NAME_EN.search(question.lower()) if language == "en" else _NAME_AR.search(normalize(question)))


# "who led / headed / chaired …?" and the words with which a sentence says who heads something
# normalised (qa: index.text.normalize): ترأس -> تراس, برئاسة -> برياسه, "على رأس" -> "علي راس"
_LEAD_WORDS = "تراس|يتراس|تراست|تتراس|يراس|تراسه|يقود|قاد|قادت|تقود|برياسه|بقياده|رييس الوفد|رييسه الوفد|رياسه الوفد|علي راس"
_ASKS_LEAD = {"en": re.compile(r"\b(?:led|leads|headed|heads|chaired|chairs)\b", re.I),
              "ar": re.compile(rf"(?:^|\s)(?:{_LEAD_WORDS})(?:\s|$)")}
_LEADS = re.compile(rf"(?:^|\s)(?:و|ف)?(?:{_LEAD_WORDS}|تراسها|يراسه|يراسها)(?:\s|$)")


def asks_lead(question: str, language: str) -> bool:
    """"Who led the US delegation…?", "من ترأس الوفد…؟": the answer is whoever a sentence says heads it."""
    return bool(_ASKS_LEAD["en" if language == "en" else "ar"].search(question if language == "en" else normalize(question)))


def says_lead(sentence: str) -> bool:
    """The sentence says who heads something ("برئاسة سيرغي ريابكوف", "ويرأس الوفد الروسي…")."""
    return bool(_LEADS.search(normalize(sentence)))


# a leading source or setting clause ("According to Peskov, …", "In his UN speech, …"); not one that holds
# the question word ("In which city is the OSCE, which …, based?", unseen4 en-03)
_LEAD = re.compile(r"^(according to|per|in|as|based on|by)\b(?![^,?]{0,60}\b(?:which|what|who|whom|whose|when|where|how|why)\b)"
                   r"[^,?]{0,60},\s*|^(وفقا|وفقاً|بحسب|حسب|طبقا|طبقاً|استنادا|استناداً)\b[^،,؟]{0,60}[،,]\s*")


def question_type(question: str, language: str) -> str:
    """"According to Peskov, was a call planned?" is a yes/no question: a leading source clause is skipped."""
    q = question.strip().lower() if language == "en" else question.strip()
    q = _LEAD.sub("", q)
    for name, pattern in (_TYPES_EN if language == "en" else _TYPES_AR):
        if re.search(pattern, q):
            return name
    return "other"


_OPENS_EN = re.compile(r"^(and|but|so)?\s*(what|why|how|which|who|whom|whose|when|where|is|are|was|were|did|does|do)\b")
_OPENS_AR = re.compile(r"^[وف]?(ما|ماذا|لماذا|لما|كيف|متى|أين|اين|من|كم|هل|أي|اي|بماذا|لمن|عما|ممن)(\s|$)")


def asks(question: str, language: str) -> bool:
    """The question opens with its own question word ("وكيف قالت…؟", "And why…?"), so its type is its own
    even when that is "other"; "And the second one?" borrows the type of its standalone rewrite."""
    q = question.strip().lower() if language == "en" else question.strip()
    return bool((_OPENS_EN if language == "en" else _OPENS_AR).search(_LEAD.sub("", q)))


# ---- entities --------------------------------------------------------------------------------
_EN_SKIP = set("""a an the he she it they we i in on at of to by for from with and or but as after before during
this that these those his her its their there here when where what who whom whose which how why according while
is are was were did does do will has have had can could would should besides beside apart other
january february march april may june july august september october november december monday tuesday
wednesday thursday friday saturday sunday mr mrs ms dr president minister foreign deputy secretary
chancellor spokesman spokeswoman prime ambassador united states nations union kingdom white house security
council general assembly state department ministry
strategic stability dialogue cold war central eastern western northern southern east west north south summit
agreement agreements treaty talks negotiations conference committee organization organisation agency news press
office government army forces navy air defence defense national international federal republic democratic
european supreme court parliament senate congress""".split())
_DEMONYM = re.compile(r"(ish|ian|ean|ese|an|i)$")
_AR_TITLES = {normalize(w) for w in """الرئيس رئيس رئيسة الرئيسة وزير وزيرة الوزير المستشار المستشارة الأمين الملك ملك
الأمير أمير السفير سفير المتحدث الناطق الناطقة زعيم الزعيم قائد القائد نائب مساعد مستشار""".split()}
_AR_STANCE = {normalize(w) for w in "موقف رد فعل تعليق".split()}
# who said it: "ماذا قال ستولتنبرغ…" relies on the speaker as "What did Stoltenberg say…" does on its capital
_AR_SPEECH = {normalize(w) for w in """قال قالت قاله قالته صرح صرحت أعلن أعلنت أكد أكدت ذكر ذكرت أوضح أوضحت
وصف وصفت""".split()}
_AR_STOP = {normalize(w) for w in """في على عن من إلى الى مع بعد قبل حول بشأن خلال ما ماذا هل كيف متى أين اين لماذا
و أو ثم الذي التي الذين هو هي كان كانت قال قالت علق علقت يقول تقول إن أن""".split()}
# words that complete a title ("وزير الدفاع الأمريكي لويد أوستن", "الأمين العام"): no name themselves, and
# the name comes after them
_AR_OF_TITLE = {normalize(w) for w in """الخارجية الدفاع العام الوزراء العامة الحكومة الدولة الأمريكي الأميركي
الروسي الروسية الأمريكية الأميركية السابق السابقة الأول الأولى""".split()}
_AR_NAME_WINDOW = 6  # words after a title, speech verb or stance word where its name may stand
_TRAILING_POSSESSIVE = re.compile(r"['’]s$")


_ROMAN = re.compile(r"[IVXLCDM]{2,}")


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """Webster's Second (the english-words package, web2): proper nouns in it are capitalised."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2"], lower=False, alpha=True))


def common_word(word: str) -> bool:
    """A capitalised word that the dictionary has only as a common word ("Championship", "Anthem",
    "Manager"): an Arabic text translates it, so its skeleton is no test of whether the text names it.
    A name the dictionary capitalises ("Allen", "Vienna", "Geneva") or lacks ("Zelensky") is no common word."""
    d = _dictionary()
    return word.lower() in d and word not in d and word.capitalize() not in d


def question_entities(question: str, language: str) -> list[str]:
    """Names the question relies on (each a word or a hyphenated pair)."""
    if language == "en":
        out = []
        dashes = re.sub(r"[\u2010-\u2015\u2212/]", " ", question)  # "US–Russia", "Putin–Biden": two names
        plain = unicodedata.normalize("NFKD", dashes).encode("ascii", "ignore").decode()  # Genève -> Geneve
        words = re.findall(r"[A-Za-z][A-Za-z'’-]*", plain)
        for i, w in enumerate(words):
            w = _TRAILING_POSSESSIVE.sub("", w)
            if i == 0 or not w[:1].isupper() or w.lower() in _EN_SKIP:  # a first word's capital is no name
                continue
            if w.isupper() and len(w) <= 5:  # NATO, OSCE, US: acronyms have no Arabic skeleton
                continue
            if _ROMAN.fullmatch(w) or common_word(w):  # "Super Bowl XXXIII", "the AFC Championship Game"
                continue
            out.append(w)
        return out
    words = re.findall(r"[\u0621-\u065f\u0670-\u06d3]+|[A-Za-z]+", question)
    out = [w for w in words if re.fullmatch(r"[A-Za-z]+", w) and len(w) > 2 and not w.isupper()]
    norm = [normalize(w) for w in words]
    for i, w in enumerate(norm):
        if w in _AR_TITLES or w in _AR_STANCE or w in _AR_SPEECH:
            taken = 0
            for j in range(i + 1, min(i + 1 + _AR_NAME_WINDOW, len(words))):
                if norm[j] in _AR_STOP or taken == 3:
                    break
                if norm[j] in _AR_TITLES or norm[j] in _AR_OF_TITLE:
                    continue
                out.append(words[j])
                taken += 1
    return list(dict.fromkeys(out))


@lru_cache(maxsize=64)
def _text_skeletons(text: str) -> frozenset[str]:
    arabic = {_skeleton_arabic(w) for w in re.findall(r"[\u0600-\u06ff]+", text)}
    latin = {_skeleton_latin(w) for w in re.findall(r"[A-Za-z]+", text)}
    return frozenset((arabic | latin) - {""})


@lru_cache(maxsize=64)
def _pair_skeletons(text: str) -> frozenset[str]:
    """Two neighbouring Arabic words' skeletons as one: an English name written as one word is often two
    in Arabic ("Superbowl" ~ سوبر بول). Compared for equality only, with skeletons of five letters or more
    (two short words' skeletons make up a short name by chance)."""
    sk = [_skeleton_arabic(w) for w in re.findall(r"[\u0600-\u06ff]+", text)]
    return frozenset(a + b for a, b in zip(sk, sk[1:]) if a and b)


def _forms(part: str) -> set[str]:
    """The skeletons a question's name may have in a text: its own; an English one without a demonym's
    ending (Spanish ~ إسبانيا, Ukrainian ~ أوكرانيا) or a plural's s (Grammys ~ غرامي)."""
    forms = {_skeleton(part)}
    if re.search(r"[A-Za-z]", part) and len(part) > 5:
        forms.add(_skeleton(_DEMONYM.sub("", part)))
    if re.fullmatch(r"[A-Z][a-z]{3,}s", part) and len(bare := _skeleton(part[:-1])) >= 3:
        forms.add(bare)
    return forms


def _skeleton(word: str) -> str:
    return _skeleton_latin(word) if re.search(r"[A-Za-z]", word) else _skeleton_arabic(word)


def _close(a: str, b: str) -> bool:
    a, b = a.replace("z", "s"), b.replace("z", "s")  # رويترز ~ Reuters
    if a == b:
        return True
    if min(len(a), len(b)) >= 2 and abs(len(a) - len(b)) == 1 and max(a, b, key=len)[1:] == min(a, b, key=len) \
            and len(min(a, b, key=len)) >= 2 and max(a, b, key=len)[0] == "b":
        return True  # Psaki ~ ساكي: a silent first letter the Arabic drops
    return min(len(a), len(b)) >= 4 and SequenceMatcher(None, a, b).ratio() >= 0.8


# English demonyms -> the CLDR country whose Arabic name gives the Arabic adjective (تركيا -> التركي): a
# skeleton cut from "Polish" (bl) is too short to judge, and "Turkish" (trk) matches unrelated words
_DEMONYMS = {"Polish": "Poland", "Turkish": "Türkiye", "Chinese": "China", "French": "France", "German": "Germany",
             "Japanese": "Japan", "Italian": "Italy", "Spanish": "Spain", "Iranian": "Iran", "Israeli": "Israel",
             "Indian": "India", "Georgian": "Georgia", "Ukrainian": "Ukraine", "Russian": "Russia",
             "Swiss": "Switzerland", "Canadian": "Canada", "Syrian": "Syria", "Egyptian": "Egypt"}


def mentioned(entity: str, texts: list[str]) -> bool:
    """Some text names the entity: the same word, or a word with the same consonant skeleton; a demonym,
    its country or the country's adjective (qa/gazetteer.py)."""
    if entity in _DEMONYMS:
        return any(gazetteer.mentions(t, _DEMONYMS[entity]) for t in texts)
    parts = [p for p in re.split(r"[-\s]+", entity) if p]
    for text in texts:
        low = normalize(text)
        if normalize(entity) in low:
            return True
        skeletons = _text_skeletons(text)
        for p in parts:
            forms = _forms(p)
            if any(len(sk) < 2 for sk in forms):
                return True  # too short to judge: never a reason to refuse
            if not re.search(r"[A-Za-z]", p) and len(_skeleton(p)) <= 2:
                # a two-consonant Arabic skeleton (الصين: ṣn) matches half the words of a text: the
                # word itself must occur
                stems = [t[:-1] if t.endswith("ا") and len(t) > 3 else t for t in tokens(p)]  # سويسرا ~ السويسري
                if any(w.startswith(st) for st in stems if len(st) >= 3 for w in tokens(text)):
                    return True
                continue
            if any(_close(sk, s) for sk in forms for s in skeletons):
                return True
            if re.search(r"[A-Za-z]", p) and {f for f in forms if len(f) >= 5} & _pair_skeletons(text):
                return True
    return False


def missing_entities(question: str, language: str, texts: list[str]) -> list[str]:
    return [e for e in question_entities(question, language) if not mentioned(e, texts)]


# ---- yes / no --------------------------------------------------------------------------------
# a negation word, with a glued و / ف / ب ("ولم يتم", "بعدم توسيع") and after a quote or bracket ("“لم تتوصلا")
_NEGATION = re.compile(r"(^|[\s\"“”«»(\[:،,-])[وفب]?(لا|لم|لن|ليس|ليست|ليسوا|غير|دون|بدون|نفى|نفت|ينفي|تنفي|عدم)(?=[\s\"“”«».,،:)]|$)|"
                       r"\b(no|not|never|none|cannot|deny|denied|denies|n't)\b|n't\b")


# "لا يزال" / "لا تزال" is "still", not a negation
_STILL = {normalize(w) for w in "يزال تزال يزالون تزالان زال زالت".split()}


# a negation that is the content of a guarantee, demand or issue ("ضمانات بعدم توسيع الناتو", "قضية عدم
# توسيع الحلف", "guarantees that NATO will not expand"): the topic, not a polarity (matched on normalize()d text)
_TOPIC_AR = re.compile(r"(?:^|\s)(?:ال)?(?:ضمانات|ضمانه|ضمان|تعهد|تعهدات|التزام|التزامات|مطلب|مطالب|قضيه|مساله|ملف|مبدا)\s*$")
_TOPIC_EN = re.compile(r"\b(?:guarantees?|assurances?|demands?|promises?|pledges?|commitments?|proposals?|requests?|"
                       r"issue|question|principle)\s+(?:that|of)\s+(?:[\w']+\s+){0,4}$")


def negated(sentence: str) -> bool:
    return bool(_negations(sentence))


def _negations(text: str) -> dict[tuple[str, str], str]:
    """Each negation word with the word after it, and the four words after it: {("لم", "يتم"): "يتم
    إحراز تقدم في", ("عدم", "توسيع"): "توسيع الناتو"}."""
    text = normalize(text)
    out = {}
    for m in _NEGATION.finditer(text):
        word = (m.group(2) or m.group(3) or "n't").lower()
        after = [w.lower() for w in re.findall(r"[\w']+", text[m.end():])[:4]]
        if word == "لا" and after and after[0] in _STILL:
            continue
        if _TOPIC_AR.search(text[:m.start() + 1]) or _TOPIC_EN.search(text[:m.start()].lower()):
            continue  # "ضمانات بعدم توسيع الناتو", "guarantees that NATO will not expand": what is asked about
        out[(word, after[0] if after else "")] = " ".join(after)
    return out


# where an Arabic sentence divides into clauses: punctuation, and a و that opens a verb or a particle
# ("ويتم تنفيذ…", "وليس هناك…", "وأن سيناريو…"); a و-noun split too only makes a clause shorter
_CLAUSE = re.compile(r"[،,؛;:“”\"«»]|\s(?=و(?:[يتنأإ]\S|(?:لا|لم|لن|ليس|ليست|قد|كان|كانت|هناك)(?=\s)))")


def clauses(sentence: str) -> list[str]:
    """The sentence's clauses of two words or more, in order (the whole sentence when it has one)."""
    parts = [p.strip() for p in _CLAUSE.split(sentence)]
    parts = [p for p in parts if len(p.split()) >= 2]
    return parts or [sentence]


# verbs that report speech: a clause of one of them with nothing said after its أن / إن ("وكان بايدن أكد
# في خطاب أمام الجمعية العامة") is the report's frame, not a claim
_SAYING = {normalize(w) for w in """قال قالت يقول تقول قالوا أكد أكدت يؤكد تؤكد مؤكدا مؤكداً أعلن أعلنت يعلن تعلن
أشار أشارت يشير تشير أوضح أوضحت صرح صرحت ذكر ذكرت أضاف أضافت تابع تابعت شدد شددت يشدد مشددا مشدداً أفاد أفادت
اعتبر اعتبرت رأى رأت""".split()}
_THAT = re.compile(r"(?<![\w])(?:أن|إن|ان|أنه|إنه|أنها|إنها|انه|انها)(?![\w])")


_IF = re.compile(r"(?:^|\s)(?:[وف]?اذا|[وف]?لو)(?=\s|$)|\b(?:if|whether|unless)\b", re.I)


def conditional(clause: str) -> bool:
    """A clause that asks whether or supposes ("يعتمد على ما إذا كان هناك تقدم", "if there is progress"):
    it asserts nothing, so it gives a yes/no no polarity."""
    return bool(_IF.search(normalize(clause)))


def frame(clause: str) -> bool:
    """A clause that only reports who spoke: a saying verb, and under two words after its last أن / إن."""
    words = [strip_prefix(w, ("و", "ف")) for w in _words(clause)]
    if not any(w in _SAYING for w in words):
        return False
    said = _THAT.split(clause)
    return len(said) == 1 or len(said[-1].split()) < 2


def opposite(sentence: str, question: str) -> bool:
    """The sentence's polarity differs from the question's ("does Russia deny…?" + "ونفت روسيا…" agree).
    Both Arabic: a negation the two share with the same next word is their common ground, not a polarity
    ("هل تم إحراز تقدم في ضمانات عدم توسيع الناتو؟" + "لم يتم إحراز تقدم في ضمانات بعدم توسيع الناتو" is a
    "no"), and a negation of the sentence counts only where its next words are the question's ("…غير محدد"
    in another clause does not negate "وجود خطط"). Across languages: any negation on either side."""
    s, q = _negations(sentence), _negations(question)
    both_arabic = arabic_ratio(sentence) > 0.5 and arabic_ratio(question) > 0.5
    if both_arabic:
        asked = set(content(question))
        shared = s.keys() & q.keys()
        s = {k for k, after in s.items() if k not in shared and asked & set(content(after))}
        q = {k for k in q if k not in shared}
    return (bool(s) != bool(q)) != contrary(sentence, question, both_arabic)


# predicates that deny each other: "هل توقفت الاشتباكات؟" answered by "واستمرت الاشتباكات" is a "no", and
# so is "was it possible to assess the results?" by "من السابق لأوانه تقييم النتائج". Each concept: its
# Arabic word forms (a glued و / ف is taken off) and an English pattern.
_CONCEPTS = {
    "stop": ("توقف توقفت يتوقف تتوقف توقفوا انتهى انتهت ينتهي تنتهي", r"stop(ped|s)?|ceased?|ended|halted?"),
    "continue": ("استمر استمرت يستمر تستمر مستمر مستمرة متواصل متواصلة تواصل تواصلت يتواصل تتواصل يزال تزال زال زالت",
                 r"continu(e|ed|es|ing)|persist(ed|s)?|still|ongoing"),
    "possible": ("يمكن يمكنه يمكنها ممكن ممكنا الممكن بالإمكان", r"possible"),
    "early": ("لأوانه مبكر مبكرا المبكر", r"too early|premature"),
    "succeed": ("نجح نجحت ينجح تنجح نجاح", r"succe(ed|eded|eds|ss|ssful)"),
    "fail": ("فشل فشلت يفشل تفشل فشلها إخفاق", r"fail(ed|s|ure)?"),
    "accept": ("وافق وافقت يوافق توافق موافقة قبلت تقبل يقبل مستعد مستعدة مستعدون مستعدين استعداد استعدادها استعداده",
               r"accept(ed|s)?|agree(d|s)?|approv(e|ed|es)|willing|ready to|prepared to"),
    "reject": ("رفض رفضت يرفض ترفض رفضها رفضه", r"reject(ed|s)?|refus(e|ed|es)|turned down"),
    "rise": ("ارتفع ارتفعت يرتفع ترتفع ارتفاع زاد زادت يزيد تزيد زيادة", r"r(ise|ose|isen|ising)|increas(e|ed|es)|gr(ow|ew|own)"),
    "fall": ("انخفض انخفضت ينخفض تنخفض انخفاض تراجع تراجعت يتراجع تتراجع تقلص تقلصت",
             r"f(all|ell|allen)|decreas(e|ed|es)|drop(ped|s)?|declin(e|ed|es)"),
}
_CONTRARY = [("stop", "continue"), ("possible", "early"), ("succeed", "fail"), ("accept", "reject"), ("rise", "fall")]
_CONCEPT_AR = {name: {normalize(w) for w in ar.split()} for name, (ar, _) in _CONCEPTS.items()}
_CONCEPT_EN = {name: re.compile(rf"\b(?:{en})\b") for name, (_, en) in _CONCEPTS.items()}


def _words(text: str) -> list[str]:
    """The normalised words of text (what _concepts' positions index)."""
    return re.findall(r"[\w']+", normalize(text))


def _concepts(text: str) -> dict[str, list[int]]:
    """concept -> the positions of its words in text (an index into _words(text); -1 for an English match)."""
    out: dict[str, list[int]] = {}
    for i, w in enumerate(_words(text)):
        bare = strip_prefix(w, ("و", "ف"))
        future = bare[1:] if bare[:2] in ("سي", "ست") and len(bare) > 4 else bare  # "ستستمر" -> "تستمر"
        for name, forms in _CONCEPT_AR.items():
            if w in forms or bare in forms or future in forms:
                out.setdefault(name, []).append(i)
    lower = text.lower()
    for name, pattern in _CONCEPT_EN.items():
        if pattern.search(lower):
            out.setdefault(name, []).append(-1)
    return out


def contrary(sentence: str, question: str, both_arabic: bool = False) -> bool:
    """The sentence asserts the contrary of the question's predicate (and not the predicate itself). Both
    Arabic, a word of the sentence counts only with the question's words within two words of it: "انتهت
    الحرب ..., لكن الاشتباكات القاتلة استمرت" answers "هل توقفت الاشتباكات القاتلة؟" with a no."""
    q, s = _concepts(question), _concepts(sentence)
    if both_arabic:
        words = _words(sentence)
        asked = set(content(question))
        s = {name: at for name, at in s.items()
             if any(asked & set(content(" ".join(words[max(0, i - 2):i + 3]))) for i in at)}
    return any(x in q and y in s and x not in s for a, b in _CONTRARY for x, y in ((a, b), (b, a)))
