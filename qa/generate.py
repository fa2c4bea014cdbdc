"""The answer with the model, span first (issue 15): the model picks the passage that answers (0 =
none, grammar-constrained), then the answer is a run of words of that sentence, found by code where it
can (yes/no, dates, numbers, places, names next to a title) and copied by the model otherwise; an
English question gets it rendered in English by code or by a checked translation. Every step returns an
Outcome (qa/trace.py): the answer's sentence and what fired on the way."""
from __future__ import annotations

import datetime
import functools
import re
import time
from collections import Counter
from collections.abc import Iterator

from index.embed import Embedder
from index.store import Hit
from index.text import arabic_ratio, detect_language, evidence_sentences, normalize

from . import gazetteer, grammar, orgs, prompt, refuse, render, span, terms, titles
from .choose import choose_passage, constrained, pick_option
from .evidence import Evidence, cosine, instruction_like
from .llm import LLM, count_tokens, text
from .params import PARAMS
from .support import asks_lead, asks_name, clauses, conditional, frame, mentioned, negated, opposite, question_entities, says_lead
from .trace import Outcome

YES_NO = {"en": ("No", "Yes"), "ar": ("لا", "نعم")}
# answer types whose span code finds (or picks among options it lists): with a decisive evidence ranking
# the passage choice can be code's too (QASettings.choice_margin)
CODE_TYPES = ("yesno", "when", "count", "where", "who")
GLOSS_FAILED = "The cited Arabic passage answers this; no checked English translation of it is available"


class Generator:
    def __init__(self, llm: LLM, embedder: Embedder, choice_margin: float) -> None:
        self.llm = llm
        self.embedder = embedder
        self.choice_margin = choice_margin

    def answer(self, question: str, language: str, evidence: list[Evidence],
               qtype: str, hits: list[Hit] | None = None) -> tuple[Outcome, dict[str, int]]:
        """The outcome, and what the passage choice cost (prompt_tokens, choose_ms since this call).
        qtype: what the question asks for (qa/support.py: question_type); hits: the retrieved passages
        (their sentences beyond the evidence give a weekday its date)."""
        t_gen = time.perf_counter()
        by_code = qtype in CODE_TYPES and evidence and margin(evidence) >= self.choice_margin
        if by_code:  # no choice prompt is sent
            n, timings = evidence[0].n, {"prompt_tokens": 0}
        else:
            messages = prompt.choose_messages(question, evidence)
            timings = {"prompt_tokens": count_tokens(self.llm, messages)}
            n = choose_passage(self.llm, messages, len(evidence))
        timings["choose_ms"] = _ms(t_gen)
        ev = next((e for e in evidence if e.n == n), None)
        before = Outcome.of(None, None, "choice_by_code") if by_code else Outcome.of(None, None, choice=str(n))
        if ev is None:
            return Outcome.of(None, None, "llm_declined").after(before), timings
        return self._answer(question, language, evidence, ev, qtype, hits or []).after(before), timings

    def _answer(self, question: str, language: str, evidence: list[Evidence], ev: Evidence, qtype: str,
                hits: list[Hit] | None = None) -> Outcome:
        """The answer from the chosen evidence sentence ev."""
        if qtype == "yesno":
            if margin(evidence) < PARAMS.yesno_min_margin:
                # no sentence stands out from the next: none states the claim, and the polarity rule would
                # answer "Yes" by default (gold dev en-033, en-056)
                return Outcome.of(None, ev, "yesno_undecided")
            if any(not mentioned(e, [ev.text]) for e in claimed_people(question, language)):
                # a name the question gives that the deciding sentence does not ("Was the press secretary
                # Karine Jean-Pierre?" against "الناطقة باسم البيت الأبيض جين ساكي"): it states no claim about it
                return Outcome.of(None, ev, "yesno_name_absent")
            if role_conflict(question, language, ev.text):
                # "Was Wendy Sherman the head of the Russian delegation?" against "… فيما ترأس الوفد الأمريكي
                # … ويندي شيرمان": the sentence binds her to another delegation, and states no such claim
                return Outcome.of(None, ev, "yesno_role_conflict")
            # polarity: "does Russia deny…?" answered by "ونفت روسيا…" is a yes
            said, fired = self.clause(question, language, ev)
            out = Outcome.of(YES_NO[language][0 if opposite(said, question) else 1], ev, fired)
        else:
            found = self.span(question, evidence, ev, qtype, hits or [])
            if not found.text:
                return found
            found.model.span = found.text
            if span.plural(question, qtype, language):
                found = self.second(question, language, evidence, found, qtype, hits or [])
            if language == "ar":
                return _joined(found, qtype, " و")
            outs = [self.english(t, e, question, qtype) for t, e in found.sentences]
            out = outs[0].after(found)
            out.sentences = [s for o in outs for s in o.sentences]
            if all(o.fired["rendered_by_code"] for o in outs):  # a checked rendering each, no notice
                out.sentences = _joined(Outcome(out.sentences), qtype, " and ").sentences
            out.machine_translation = any(o.machine_translation for o in outs)
            for o in outs[1:]:
                out.fired += o.fired
        if language == "en":
            out.sentences = [(render.frame(t, qtype, out.machine_translation), e) for t, e in out.sentences]
        return out

    def clause(self, question: str, language: str, ev: Evidence) -> tuple[str, str]:
        """What an English yes/no question's polarity is read from: the clause of the Arabic sentence
        nearest the question (the embedder's cosine), when the sentence negates something and has several
        clauses ("لا توجد خطط لمهاجمة أوكرانيا … ويتم تنفيذ جميع تدابير التدريب داخل أراضينا" answers "does
        all training take place inside Russia?" with its last clause: a yes). A clause that only frames
        the report ("وكان بايدن أكد في خطاب أمام الجمعية العامة") is no answer to what was said. Arabic questions keep the
        whole sentence: their rule reads the words after each negation (qa/support.py: opposite)."""
        # "وكان بايدن أكد في خطاب…" frames the claim; "يعتمد على ما إذا كان هناك تقدم" supposes it (unseen3 en-08)
        parts = [c for c in clauses(ev.text) if not frame(c) and not conditional(c)]
        if language == "ar" or arabic_ratio(ev.text) < 0.5 or len(parts) < 2 or not negated(ev.text):
            return ev.text, "yesno_by_code"
        encode = getattr(self.embedder, "embed_sentences", None) or self.embedder.embed_documents
        q = self.embedder.embed_queries([question])[0]
        best = max(zip(parts, encode(parts)), key=lambda x: cosine(q, x[1]))[0]
        return best, "yesno_by_clause"

    def second(self, question: str, language: str, evidence: list[Evidence], found: Outcome, qtype: str,
               hits: list[Hit] = ()) -> Outcome:
        """A question that asks for two ("في أي يومين…", "which dates…", "من المسؤولان…", "ما الدولتان…"): the
        first answer, and the next distinct one of the same type (a date of the grain asked for, a name or a
        place the question does not give), from the same sentence, else from the next evidence sentence that
        has one, else (a date) from the next sentence of a retrieved passage that has one."""
        have = normalize(found.text)
        looked = chosen_first(found.evidence, evidence)
        if qtype == "when":
            looked += [e for e in article_sentences(found.evidence, list(hits), any_article=True)
                       if e.text not in {x.text for x in looked}]
        for e in looked:
            if qtype == "when":
                options = span.fit(span.candidates(e.text, "when"), question, language, strict=True)
                options = span.by_named_place(options, e.text, question, language, two=True)
            elif qtype == "where":  # "ما الدولتان…؟": the sentence's other place, "في" or named by the CLDR
                ws = span.words(e.text)
                bodies = orgs.named(ws)  # "في حلف الناتو" is a body
                options = [span.place_text(ws, i) for i in sorted(set(span.places(e.text) + span.named_places(e.text)))
                           if not refuse.echo(ws[i], question) and not any(a <= i < b for a, b, *_ in bodies)]
            else:
                options = [_words(e.text, n) for n in candidates(question, e.text, language)]
            for o in options:
                if normalize(o) not in have and have not in normalize(o):
                    pair = [found.sentences[0], (o, e)]
                    if qtype == "where" and e.text == found.evidence.text and e.text.find(o) < e.text.find(found.text):
                        pair.reverse()  # "أوكرانيا أو جورجيا": the places in the sentence's order
                    return Outcome(pair + found.sentences[1:], found.fired + Counter(plural_second=1), found.model)
        return found

    # ---- step 2: the span ----------------------------------------------------------------------
    def span(self, question: str, evidence: list[Evidence], ev: Evidence, qtype: str,
             hits: list[Hit] | None = None) -> Outcome:
        """The answer span, with the evidence sentence it comes from."""
        language = detect_language(question)
        before = Outcome()
        if qtype in ("when", "count"):
            # "what share…?": only a percentage or a fraction, not "45 requests" (dev en-092)
            listed = "share" if qtype == "count" and span.asks_share(question, language) else qtype
            if listed == "count" and span.asks_duration(question, language) and \
                    (timed := self.duration(question, language, ev, evidence)) is not None:
                return timed
            if listed == "count" and (two := self.dual(question, language, ev, evidence)) is not None:
                return two
            ev, options, before = typed_candidates(evidence, ev, listed, question, language)
            if listed == "count" and options is None and not span.asks_any_count(question, language):
                # "كم مجموعة عمل…؟" and the chosen sentence (and its chunk) has no number at all: another
                # evidence sentence, of any article, that names two of the noun asked with a dual ("مجموعتي
                # عمل"); else refuse (type_missing), as before. Not a number from there: "more than seven hours"
                # of the January talks answered "how many hours did the September meeting last?" (unseen
                # en-u08), and an XQuAD paragraph's "8000 جندي" Russian soldiers in Crimea (gold dev ar-115).
                # Nor a word that stands for anything counted: "twice" in another article is another event's
                near = [e for e in evidence if e.score >= ev.score - PARAMS.other_article_count_margin]
                if (two := self.dual(question, language, ev, near, same_article=False)) is not None:
                    return two.after(Outcome.of(None, None, "count_from_other_article"))
            if qtype == "when" and options and (dated := weekday_date(ev, options, question, language, hits or [])):
                ev, options, before = *dated, Outcome.of(None, None, "date_of_weekday")
            elif qtype == "when" and options and (dated := month_date(ev, options, question, language, hits or [])):
                ev, options, before = *dated, Outcome.of(None, None, "date_of_month")
            elif qtype == "when" and options and (dated := relative_date(ev, options, question, language)):
                ev, options, before = *dated, Outcome.of(None, None, "date_from_dateline")
            if qtype == "when" and options and (placed := self.date_of_place(question, language, ev, options, evidence)):
                ev, options, fired = placed
                before = before.after(Outcome.of(None, None, fired))
            if qtype == "when" and options and (termed := date_of_term(question, language, ev, evidence, hits or [])):
                ev, options = termed
                before = before.after(Outcome.of(None, None, "date_of_term"))
            if qtype == "when" and options != [] and span.asked_grain(question, language) == "time" and \
                    not span.fit(options or [], question, language, strict=True):
                # "at what time…?": only a clock time answers, from the same article; none: refuse
                if (timed := clock_time(ev, question, language, hits or [])) is None:
                    return Outcome.of(None, ev, "time_missing").after(before)
                ev, options, before = *timed, Outcome.of(None, None, "time_from_article")
            if options is None and span.plural(question, qtype, language):
                # "في أي يومين…": the two may sit in other articles' sentences; the first evidence
                # sentence with a date of the grain asked for gives the first, else the first sentence of
                # a retrieved passage that has one ("مساء أمس الخميس" for the call)
                looked = [(e, "type_from_evidence") for e in evidence] + \
                    [(e, "type_from_passage") for e in article_sentences(ev, hits or [], any_article=True)]
                ev, options, before = next(((e, found, Outcome.of(None, None, fired)) for e, fired in looked
                                            if (found := span.fit(span.candidates(e.text, qtype), question, language,
                                                                  strict=True))), (ev, None, before))
            if options is None:
                return before
            told = [o for o in options if not span.in_dateline(o, ev.text)] if qtype == "when" else options
            if told and len(told) < len(options):
                # the dateline's "31 ديسمبر 2021" is when the story was filed; "مساء أمس الخميس" is the call's
                options, before = told, before.after(Outcome.of(None, None, "dateline_dropped"))
            if options and qtype == "when":
                options = span.fit(options, question, language)  # a weekday for "which day of the week"
            kept = [o for o in options if not span.restates(o, question)]
            if options and not kept and qtype == "when":
                # "متى فاز الفريق بالبطولة قبل عام 2000؟" is not answered by "2000": the question's own date
                return Outcome.of(None, ev, "echo").after(before)
            options = kept or options
            if qtype == "when" and options and span.asks_future(question, language):
                # "when will the next summit be?" is not answered by "يونيو الماضي" nor "مساء أمس الخميس"
                options = [o for o in options if not span.past(o, ev.text)]
                if not options:
                    return Outcome.of(None, ev, "past_for_future").after(before)
            if listed == "count" and options and (moved := self.count_elsewhere(ev, options, evidence, question, language)):
                ev, options = moved
                before = before.after(Outcome.of(None, None, "count_from_neighbour"))
            if listed == "count" and options and (part := self.partitive(question, language, ev, options, hits or [])):
                ev, options = part
                before = before.after(Outcome.of(None, None, "partitive_by_clause"))
            if listed == "count" and options and (other := self.duals_of_other(ev, options, question, language)):
                # "كم عدد الصواريخ…؟" is not answered by "مشروعي اتفاقيتين": that dual counts agreements
                options = [o for o in options if o not in other]
                if not options:
                    return Outcome.of(None, ev, "dual_of_other").after(before)
            if listed == "count" and options and (scale := span.asked_scale(question, language)):
                # "Exactly how many billions of dollars…?" is not answered by "300 مليون دولار"
                options = [o for o in options if span.of_scale(o, scale)]
                if not options:
                    return Outcome.of(None, ev, "scale_missing").after(before)
            if listed == "share" and len(options) > 1 and (named := self.share_of(options, ev.text, question, language)):
                options, before = named, before.after(Outcome.of(None, None, "share_by_noun"))
            if qtype == "count" and len(options) > 1 and (named := self.counted(options, question, language)):
                options, before = named, before.after(Outcome.of(None, None, "count_by_noun"))
            if qtype == "count" and options and span.other_year(question, ev.text):
                # "How many … since the 2015 ceasefire?" is not answered by the "15 ألف" of a sentence told of
                # 2014: its number counts from another year (unseen3 en-u05, plausible)
                return Outcome.of(None, ev, "count_of_other_year").after(before)
            if listed == "count" and language == "ar" and options and len(span.counts_other(options, question)) == len(options):
                # "كم عدد الهجمات…؟" is not answered by "45 طلباً": the sentence counts requests, not attacks
                return Outcome.of(None, ev, "count_of_other").after(before)
            two = span.plural(question, qtype, language)
            if len(options) > 1 and (placed := span.by_named_place(options, ev.text, question, language, two)) != options:
                options = placed[:1] if two else placed  # two asked for: the first here, second() the next
                before = before.after(Outcome.of(None, None, "option_by_place"))
            if options:
                if len(options) == 1:
                    return Outcome.of(options[0], ev, "span_by_code").after(before)
                messages = prompt.span_messages(question, evidence, ev.n, language)
                return Outcome.of(pick_option(self.llm, messages, options, PARAMS.option_tokens), ev).after(before)
        if qtype == "who" and not unechoed(ev.text, question):
            # the chosen sentence names no one ("وأكد وزير الخارجية الروسي أن..."): another evidence sentence
            # whose name carries the question's title answers. When it names only the question's own people
            # ("Which Putin aide briefed…?" against "أجرى الرئيسان … بوتين … وبايدن مكالمة"), the name's title
            # must hold every title word the question asks for ("aide" ~ مساعد): "الناطقة باسم البيت الأبيض جين
            # ساكي" is not the White House NSC's unnamed "متحدث" (unseen ar-u04, plausible)
            head = titles.head_keys(question, language) if span.people(ev.text) else None
            for e in evidence:
                ns = candidates(question, e.text, language)
                if e is ev or not ns or max(titles.title_scores(e.text, ns, question, language)) <= 0:
                    continue
                if head is not None and not (head and any(head <= set(t) for t in titles.name_titles(e.text, ns))):
                    continue
                if asks_lead(question, language) and not says_lead(e.text):
                    # "Who led the US delegation at the September talks?" is not answered by "الرئيس الأمريكي
                    # جو بايدن" of a sentence that says no one heads anything (unseen4 en-u02, plausible)
                    continue
                ev, before = e, Outcome.of(None, None, "who_from_neighbour")
                break
        if qtype == "who" and asks_name(question, language) and arabic_ratio(ev.text) >= 0.5 and \
                not names_someone(ev.text, question):
            # "What is the name of the State Department spokesperson who…?" against "قالت وزارة الخارجية
            # الأمريكية…": no one is named, so the articles do not give the name (unseen3 en-u02, plausible)
            return Outcome.of(None, ev, "name_missing").after(before)
        for asks, find, name in ((span.asks_besides, span.besides, "besides"), (span.asks_why, span.reason, "reason"),
                                 (span.asks_description, span.description, "description"),
                                 (span.asks_distance, span.distance, "distance"), (span.asks_form, span.form, "form"),
                                 (span.asks_event, span.event_name, "event"), (span.asks_only, span.only, "only")):
            if qtype == "other" and asks(question, language) and \
                    (found := self.phrase(question, language, ev, evidence, hits or [], find, name)) is not None:
                return found.after(before)
        if qtype == "other" and (noun := span.asked_kind(question, language)) and \
                (found := self.kind(noun, language, ev, evidence)) is not None:
            return found.after(before)
        if qtype == "other" and (noun := span.asked_specific(question, language)):
            # "Which specific sanctions would Washington impose?" against "بفرض عقوبات إذا غزت روسيا": the
            # noun with what qualifies it, else the articles do not say which (not the model's nearest clause)
            found = self.kind(noun, language, ev, evidence)
            return (found or Outcome.of(None, ev, "specifics_missing")).after(before)
        if qtype == "other" and titles.asks_title(question, language):
            # "What is his role?" (rewritten "What is Yuri Ushakov's role?"): the title next to the name
            for e in chosen_first(ev, evidence):
                if (office := titles.title_of(e.text, question)) is not None:
                    return Outcome.of(office, e, "title_by_code" if e is ev else "title_from_neighbour").after(before)
        by_code = self.place(question, ev, evidence) if qtype == "where" else \
            self.person(question, ev, language) if qtype == "who" else \
            self.body(question, ev, evidence) if qtype == "other" and orgs.asked(question, language) else None
        if by_code is not None:
            return by_code.after(before)
        copied = self.copy(question, evidence, ev, language, qtype)
        if qtype == "where" and copied.text and span.asks_country(question, language) and not other_place(copied.text, question):
            # "في أي مدينة ستجري المحادثات…؟" is not answered by a clause that names no city but the question's
            # own جنيف (held-out ar-03, once the side موسكو was no answer)
            return Outcome.of(None, copied.evidence or ev, "place_missing").after(before)
        if qtype == "other" and copied.text and names_only(copied.text):
            # "What did Deputy Defence Minister Alexander Fomin tell reporters…?" is not answered by "نائب وزير
            # الخارجية الروسي سيرغي ريابكوف ونائب وزير الدفاع ألكسندر فومين": names and titles say nothing
            # (unseen3 en-u03, plausible)
            return Outcome.of(None, copied.evidence or ev, "names_only").after(before)
        if qtype == "other" and copied.text and span.asks_value(question, language) and not span.amount(copied.text):
            # "ما قيمة العقوبات…؟" is not answered by "الإدارة الأمريكية بفرض عقوبات…": no amount, no value
            return Outcome.of(None, ev, "value_missing").after(before)
        if qtype == "other" and copied.text and span.asks_total(question, language) and span.amount(copied.text) and \
                span.allotted(copied.text, copied.evidence.text):
            # "What was the total value of the spending bill?" is not answered by "300" of "سيوفر 300 مليون
            # دولار لجهود دعم القوات الأوكرانية": that is the share for one purpose, the total is not given
            return Outcome.of(None, copied.evidence, "total_missing").after(before)
        if qtype == "other" and copied.text and span.asks_outcome(question, language) and span.foretold(copied.text):
            # "ما النتيجة التي خرج بها اجتماع بروكسل؟" is not answered by "ستعقد في بروكسل…": the articles
            # preview the meeting, and say nothing of its outcome
            return Outcome.of(None, copied.evidence or ev, "outcome_not_yet").after(before)
        return copied.after(before)

    def date_of_place(self, question: str, language: str, ev: Evidence, options: list[str],
                      evidence: list[Evidence]) -> tuple[Evidence, list[str] | None, str] | None:
        """Dates of the chosen sentence told of another place than the question's (span.of_asked_place)
        are no answer: the rest of them (fired `date_not_of_place`), else the first other evidence sentence
        with a date whose clause names the question's place (`date_of_place`), else none (refuse,
        `date_of_other_place`). None: every date stands."""
        kept = span.of_asked_place(options, ev.text, question, language)
        if kept == options:
            return None
        if kept:
            return ev, kept, "date_not_of_place"
        asked = set(span.asked_places(question, language))
        # "متى تنعقد قمة الناتو في مدريد؟": a date of another sentence answers only when told of Madrid, not
        # of another NATO meeting (unseen3 ar-u07 got Brussels' "12 يناير", refused later only by chance)
        events = span.event_places(question, language)
        for e in chosen_first(ev, evidence)[1:]:
            found = span.of_asked_place(span.candidates(e.text, "when"), e.text, question, language)
            if found and (any(span.place_of(o, e.text) & (events or asked) for o in found)
                          or not events and span.by_named_place(found, e.text, question, language) != found):
                return e, found, "date_of_place"
        return ev, None, "date_of_other_place"

    def partitive(self, question: str, language: str, ev: Evidence, options: list[str],
                  hits: list[Hit]) -> tuple[Evidence, list[str]] | None:
        """A count and a part of it ("وقام بأربع اعتراضات، تم إرجاع اثنين منها للهدف"; "أرسلت 45 طلباً …"
        then "تلقينا إجابات عن تسع منها"): the part answers when its clause says more of the question's
        other words (span.other_words) than the count's clause does ("… التي سجل بها نورمان أهدافاً" -> the
        part; "how many requests did Russia send to Washington" -> the count). The part is looked for in
        the chosen sentence after the count, else in the next sentence of its passage. A question that asks
        for a part ("how many of the requests…") takes it without comparing. None: no change."""
        totals = [o for o in options if not span.partitive(o)]
        if not totals or not (others := span.other_words(question, language)):
            return None
        total = totals[0]
        parts = [(ev, o) for o in options if span.partitive(o) and ev.text.find(o) > ev.text.find(total)]
        if not parts:
            sentences = [e for e in article_sentences(ev, hits) if e.chunk_id == ev.chunk_id]
            at = next((i for i, e in enumerate(sentences) if e.text == ev.text), None)
            nxt = sentences[at + 1] if at is not None and at + 1 < len(sentences) else None
            parts = [(nxt, o) for o in span.candidates(nxt.text, "count") if span.partitive(o)] if nxt else []
        if not parts:
            return None
        e, part = parts[0]
        if span.asks_part(question, language):
            return e, [part]
        clauses = span.sentence_clause(total, ev.text), span.sentence_clause(part, e.text)

        def says(word: str, clause: str) -> bool:
            return span.says_word(word, clause) if language == "ar" else self.word_at(word, language, clause) is not None

        only_total, only_part = ({w for w in others if says(w, c) and not says(w, d)} for c, d in (clauses, clauses[::-1]))
        return (e, [part]) if len(only_part) > len(only_total) else None

    def word_at(self, word: str, language: str, sentence: str) -> int | None:
        """Where the sentence says the question's word: an Arabic word with the same stem, or, for an
        English word, the Arabic word the embedder finds clearly closest (PARAMS.word_match_min and
        word_match_margin). None: not said there."""
        raw = span.raw_words(sentence)
        if language == "ar":
            return next((i for i, r in enumerate(raw) if span.stem(r) == span.stem(word)), None)
        return self.clear_best(word, [r.strip(span._EDGE) for r in raw])

    def clear_best(self, word: str, texts: list[str]) -> int | None:
        """The index of the text the embedder finds closest to an English word, when it is clearly the
        closest (cosine ≥ PARAMS.word_match_min, ahead of the next by word_match_margin); else None."""
        if not texts:
            return None
        q = self.embedder.embed_queries([word])[0]
        ranked = sorted(((cosine(q, v), i) for i, v in enumerate(self.embedder.embed_documents(texts))), reverse=True)
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        if ranked[0][0] >= PARAMS.word_match_min and ranked[0][0] - second >= PARAMS.word_match_margin:
            return ranked[0][1]
        return None

    def kind(self, noun: str, language: str, ev: Evidence, evidence: list[Evidence]) -> Outcome | None:
        """"What kind of guarantees…?" -> the noun and the words that qualify it where the sentence says it
        ("ضمانات ملزمة قانونًا"); from the chosen sentence, else the next evidence
        sentence that says the noun with a qualifier. None: the model copies."""
        for e in chosen_first(ev, evidence):
            at = self.word_at(noun, language, e.text)
            if at is not None and (got := span.modifiers(e.text, at)) is not None:
                # with its noun: "الصواريخ المتوسطة والقصيرة المدى" translates as "medium and short-range
                # missiles", the qualifier alone as "short-term average"
                return Outcome.of(f"{span.bare_noun(span.raw_words(e.text)[at])} {got}", e,
                                  "kind_by_code" if e is ev else "kind_from_neighbour")
        return None

    def counted(self, options: list[str], question: str, language: str) -> list[str]:
        """The number options whose counted word is what the question counts ("How many points…?",
        "كم نقطة…؟": "308 نقطة", not "24 اعتراضاً"). Arabic: the same stem. English: the embedder's cosine of
        the question's counted words to each option's counted word, kept only when it is clearly the best
        (PARAMS.word_match_min, word_match_margin). [] when nothing decides: the model picks."""
        if language == "ar":
            return span.counted_as_asked(options, question)
        noun = span.counted_noun_en(question)
        known = [(o, u) for o in options if (u := span.counted_word(o))]
        if not noun or not known:
            return []
        best = self.clear_best(noun, [u for _, u in known])
        return [] if best is None else [known[best][0]]

    def share_of(self, options: list[str], sentence: str, question: str, language: str) -> list[str]:
        """Of several shares ("56,2٪ من الكاثوليك و … 2,8٪ من البروتستانت"), the one whose word (span.share_word)
        is a word of the question ("What percentage … was Protestant?"): Arabic by stem or consonants,
        English by the embedder's clear best. [] when none or several are named: nothing decides."""
        of = {o: w for o in options if (w := span.share_word(o, sentence))}
        if len(of) < 2:
            return []
        words = list(of.values())
        named = set()
        for q in span.other_words(question, language):
            if language == "ar":
                named |= {w for w in words if span.says_word(q, w)}
            elif (best := self.clear_best(q, words)) is not None:
                named.add(words[best])
        kept = [o for o, w in of.items() if w in named]
        return kept if len(kept) == 1 else []

    def count_elsewhere(self, ev: Evidence, options: list[str], evidence: list[Evidence], question: str,
                        language: str) -> tuple[Evidence, list[str]] | None:
        """A "how many X…?" whose X no number of the chosen sentence counts, when another evidence sentence
        has a number that does ("كم عرقلة سجل كوتشلي؟": not "أربع تمريرات" of the chosen sentence but "118
        عرقلة" of the next): that sentence and its numbers. A chosen sentence that says the counted word at
        all ("العرقلات (118)") keeps the choice (`word_at`). Arabic: the first other evidence sentence with a
        number counting a word of that stem; English: the sentence whose counted word the embedder finds
        clearly closest to the question's (as `counted` decides). None: stay."""
        noun = span.counted_noun_ar(question) if language == "ar" else span.counted_noun_en(question)
        if not noun:
            return None
        others = [(e, found) for e in evidence if e is not ev and arabic_ratio(e.text) >= 0.5
                  and (found := span.candidates(e.text, "count"))]
        if not others or self.word_at(noun, language, ev.text) is not None:
            return None  # the chosen sentence says what is counted ("العرقلات (118)"): its numbers decide
        if language == "ar":
            return next(((e, kept) for e, found in others if (kept := span.counting_asked(found, noun))), None)
        known = [(e, o, u) for e, found in [(ev, options)] + others for o in found if (u := span.counted_word(o))]
        if all(e is ev for e, _, _ in known):
            return None
        best = self.clear_best(noun, [u for _, _, u in known])
        if best is None or known[best][0] is ev:
            return None
        return known[best][0], [known[best][1]]

    def duals_of_other(self, ev: Evidence, options: list[str], question: str, language: str) -> list[str]:
        """The count options with no number, only a dual ("مشروعي اتفاقيتين"), that name two of something
        other than what the question counts: Arabic by consonants (`span.counts_noun`), English when the
        Arabic word the embedder finds clearly closest to the counted noun is not in the option. A question
        without a counted noun ("how much…?") keeps them."""
        duals = [o for o in options if span.dual_words(o)]
        noun = span.counted_noun_ar(question) if language == "ar" else span.counted_noun_en(question)
        if not duals or not noun:
            return []
        if language == "ar":
            return [o for o in duals if not span.counts_noun(o, noun)]
        if (at := self.word_at(noun, language, ev.text)) is None:
            return []  # the embedder is not sure where the sentence says it: nothing decides
        said = span.raw_words(ev.text)[at].strip(span._EDGE)
        return [o for o in duals if said not in span.words(o)]

    def duration(self, question: str, language: str, ev: Evidence, evidence: list[Evidence]) -> Outcome | None:
        """"How much time…?", "كم من الوقت…؟": only a length of time answers ("17 ثانية", "3:08"), not the
        sentence's other numbers ("49 المدافع"). From the chosen sentence, else the first evidence sentence of
        the same article that has one; none: the articles don't say (duration_missing). None: English
        evidence, whose numbers the Arabic rules don't read (the usual way)."""
        if arabic_ratio(ev.text) < 0.5:
            return None
        for e in chosen_first(ev, evidence, same_article=True):
            if options := span.durations(e.text):
                break
        else:
            return Outcome.of(None, ev, "duration_missing")
        fired = "duration_by_code" if e is ev else "duration_from_neighbour"
        if len(options) == 1:
            return Outcome.of(options[0], e, fired)
        messages = prompt.span_messages(question, evidence, e.n, language)
        return Outcome.of(pick_option(self.llm, messages, options, PARAMS.option_tokens), e, fired)

    def dual(self, question: str, language: str, ev: Evidence, evidence: list[Evidence] = (),
             same_article: bool = True) -> Outcome | None:
        """"How many teams…?" answered by a dual: "يقود فريقين مختلفين" says two teams without a number.
        Only when no number counts what is asked. Arabic: the dual of the noun after كم (`span.dual_of`), as
        written; English: the Arabic word the embedder finds clearly closest to the counted noun, when it
        is a dual ("two teams"; "how many times" reads "مرة" by code: "twice"). From the chosen sentence,
        else the next evidence sentence of the same article ("كم مرة فاز بولونيا بالكأس؟": "مرتين" sits beside
        the chosen one) before any of them counts it with a number. None: numbers decide."""
        if arabic_ratio(ev.text) < 0.5:
            return None
        noun = span.counted_noun_ar(question) if language == "ar" else span.counted_noun_en(question)
        if not noun:
            return None
        # "how many times": the embedder matches "times" to no Arabic word (cosine 0.16 to "مرتين", below
        # "في"), so its Arabic noun is given, and the Arabic rule reads the sentence
        arabic = noun if language == "ar" else ("مرة" if noun.lower() == "times" else None)
        for e in [x for x in chosen_first(ev, evidence, same_article) if arabic_ratio(x.text) >= 0.5]:
            options = span.candidates(e.text, "count")
            fired = "dual_count" if e is ev else "dual_from_neighbour"
            if arabic:
                if span.counting_asked(options, arabic):
                    return None  # a number counts it: the usual way (count_elsewhere moves there)
                if (word := span.dual_of(e.text, arabic)) is not None:
                    if language == "ar":
                        return Outcome.of(span.with_construct_noun(e.text, word), e, fired)
                    return Outcome.of("twice", e, fired, "rendered_by_code")
                continue
            raw = span.raw_words(e.text)
            # the embedder is asked only when the sentence has a word shaped like a dual at all; a noun of
            # several words that matches no word clearly is looked for by its head ("joint working groups":
            # "groups" ~ "مجموعتي", cosine 0.52 against 0.36 for the next word; the whole noun is 0.27)
            if not any(span.two_of(w) for w in raw) or (at := next(
                    (i for n in dict.fromkeys([noun, noun.split()[-1]]) if (i := self.word_at(n, language, e.text)) is not None),
                    None)) is None:
                continue
            word = raw[at]
            if any(span.counted_word(o) == word.strip(span._EDGE) for o in options):
                return None  # a number counts the word the noun matches
            if span.two_of(word) is not None:
                return Outcome.of(f"two {noun}", e, fired, "rendered_by_code")
        return None

    def place(self, question: str, ev: Evidence, evidence: list[Evidence] = ()) -> Outcome | None:
        """Several places in one sentence (NATO in Brussels, then the OSCE in Vienna): the one whose
        neighbouring words are closest to the question (multilingual embedder) answers. A place the
        question names ("where after the Geneva talks?" -> not Geneva) is not its answer: when the chosen
        sentence's only places are the question's, the next evidence sentence that has another answers."""
        fired = "span_by_code"
        # "which country / city…?": a country or city the CLDR names answers wherever it stands in the sentence,
        # when no place after "في" does
        language = detect_language(question)
        by_name = span.asks_country(question, language)
        if not span.places(ev.text) and not (by_name and span.named_places(ev.text)):
            return None  # no place in the chosen sentence: the model copies ("London's agenda")
        kind = span.asked_place_kind(question, language)

        def kind_of(word: str) -> str | None:
            # the CLDR knows a country from a city; Singapore is both, and a name it lacks is neither
            if (name := gazetteer.english(word)) is None:
                return None
            return "country" if (of := gazetteer.country_of(name)) is None else "both" if of == name else "city"

        def wrong_kind(word: str, venue: bool) -> bool:
            # "في أي مدينة…؟" is not answered by روسيا. A city may answer "which country's plans…?" ("طموح لندن"
            # speaks for Britain), so a country question only prefers a country (below); but a city where
            # something happens ("في بروكسل") is no country that does it: "أي دولة كانت تتولى رئاسة منظمة
            # الأمن والتعاون…؟" is not answered by بروكسل
            return (kind == "city" and kind_of(word) == "country") or (kind == "country" and venue
                                                                       and kind_of(word) not in ("country", "both"))
        asked_days = days_named(question)
        no_country_venue = False  # a place after "في" that is no country: a which-country question's refusal
        for e in chosen_first(ev, evidence):
            ws = span.words(e.text)
            bodies = orgs.named(ws)  # "أوروبا" inside "منظمة الأمن والتعاون في أوروبا" is no place answer
            dated = in_dated_clause(e.text, asked_days)
            venues = span.places(e.text)
            if kind == "country" and not no_country_venue:  # gazetteer lookups for which-country questions only
                no_country_venue = any(kind_of(ws[i]) not in ("country", "both") for i in venues)

            def answers(found: list[int]) -> list[int]:
                return [i for i in found if not refuse.echo(ws[i], question) and not any(a <= i < b for a, b, *_ in bodies)
                        and not wrong_kind(ws[i], i in venues) and (dated is None or i in dated) and not span.party(ws, i)]
            spots = answers(venues) or (answers(span.named_places(e.text)) if by_name else [])
            if kind == "country" and (countries := [i for i in spots if kind_of(ws[i]) in ("country", "both")]):
                spots = countries
            if spots:
                fired = "span_by_code" if e is ev else "place_from_neighbour"
                ev = e
                break
        else:
            if kind == "country" and no_country_venue:
                return Outcome.of(None, ev, "country_missing")  # only cities where things happen: the model
            return None                                          # would copy one of them
        if len(spots) == 1:
            return Outcome.of(span.place_text(ws, spots[0]), ev, fired)
        asked = [b for b in bodies if orgs.echoed(b, question)]
        if asked:  # "Where is the OSCE headquartered?": the place next to the body the question names
            def gap(i: int) -> int:
                return min(a - i if i < a else i - b + 1 for a, b, *_ in asked)
            ranked = sorted(spots, key=gap)
            if len(ranked) == 1 or gap(ranked[0]) < gap(ranked[1]):
                return Outcome.of(span.place_text(ws, ranked[0]), ev, "place_by_body")
        qvec = self.embedder.embed_queries([question])[0]
        vecs = self.embedder.embed_documents(span.windows(ev.text, spots))
        best = max(zip(spots, vecs), key=lambda x: cosine(qvec, x[1]))[0]
        return Outcome.of(span.place_text(ws, best), ev, "place_by_context")

    def phrase(self, question: str, language: str, ev: Evidence, evidence: list[Evidence], hits: list[Hit],
               find, name: str) -> Outcome | None:
        """A phrase that code finds after its marker: "why…?" -> the words after a purpose or cause marker
        ("بهدف", "لأن", "لتجنب", then "مشيراً إلى أن": span.reason); "how did X describe Y?" -> the words
        after "وصف … بأنها" (span.description). From the chosen sentence, else the sentence after it in its
        passage (a claim, then "وأشارا إلى أنه … لتجنب اندلاع صراع"), else, for an Arabic question,
        another evidence sentence of the same article that shares a word with it; "how far…?" -> the words
        after "على بعد" (span.distance), also from any evidence sentence. None: the model copies."""
        def looked_at() -> Iterator[Evidence]:  # lazily: the chosen sentence usually answers
            yield ev
            sents = list(article_sentences(ev, hits))
            yield from [b for a, b in zip(sents, sents[1:]) if a.text == ev.text and b.chunk_id == ev.chunk_id][:1]
            said = set(span.content(question))
            yield from (x for x in evidence if x is not ev and x.article_id == ev.article_id and language == "ar"
                        and said & set(span.content(x.text)))
            if name == "distance":  # "على بعد" is rare and specific: any evidence sentence that has it
                yield from (x for x in evidence if x is not ev)

        for e in looked_at():
            if (text := find(e.text, question)) is not None:
                return Outcome.of(text, e, f"{name}_by_code" if e is ev else f"{name}_from_neighbour")
        return None

    def body(self, question: str, ev: Evidence, evidence: list[Evidence]) -> Outcome | None:
        """"Which organisation / agency…?": the body the chosen sentence names (qa/orgs.py), never one the
        question names; with several, the one whose neighbouring words are closest to the question; with
        none, the next evidence sentence that names one. None: the model copies."""
        for e in chosen_first(ev, evidence):
            found = [b for b in orgs.named(span.words(e.text)) if not orgs.echoed(b, question)]
            if found:
                break
        else:
            return None
        fired = "body_by_code" if e is ev else "body_from_neighbour"
        if len(found) > 1:
            qvec = self.embedder.embed_queries([question])[0]
            vecs = self.embedder.embed_documents(span.windows(e.text, [b[0] for b in found]))
            found = [max(zip(found, vecs), key=lambda x: cosine(qvec, x[1]))[0]]
            fired = "body_by_context"
        a, b = found[0][:2]
        return Outcome.of(" ".join(span.words(e.text)[a:b]), e, fired)

    def person(self, question: str, ev: Evidence, language: str) -> Outcome | None:
        """Names next to a title (نائب وزير الدفاع ألكسندر فومين): the question's title words decide, then
        its other words. A name the question gives is not its answer ("to whom Sherman was deputy"), nor
        is a name whose title rules it out (the deputy of the office asked for: qa/titles.py)."""
        names = span.people(ev.text)
        if not names:
            return None
        ws = span.words(ev.text)
        if not unechoed(ev.text, question):
            return Outcome.of(None, ev, "echo")
        names = candidates(question, ev.text, language)
        if not names:
            return Outcome.of(None, ev, "title_conflict")
        fired = "span_by_code"
        if len(names) > 1:
            titled = titles.by_title(ev.text, names, question, language)
            fired = "person_by_title" if len(titled) < len(names) else fired
            names = titled
        if len(names) > 1:
            fired = "person_by_context"
            qvec = self.embedder.embed_queries([question])[0]
            # two views of each name's context: 3 words before its title + title + name, and a
            # window of 5 words before / 2 after; their cosines add (dev set: either alone was worse)
            near = [" ".join(ws[max(0, span.title_start(ws, a) - 3):b]) for a, b in names]
            wide = [" ".join(ws[max(0, a - 5):b + 2]) for a, b in names]
            vecs = self.embedder.embed_documents(near + wide)
            score = [cosine(qvec, vecs[i]) + cosine(qvec, vecs[i + len(names)]) for i in range(len(names))]
            names = [names[max(range(len(names)), key=score.__getitem__)]]
        a, b = names[0]
        return Outcome.of(" ".join(ws[a:b]), ev, fired)

    def copy(self, question: str, evidence: list[Evidence], ev: Evidence, language: str, qtype: str = "other") -> Outcome:
        """The model copies the answer: an English question under a grammar built from the sentence
        (measured best for English); an Arabic one (or a backend without grammars) freely, and code snaps
        that to a run of words of the chosen sentence, or of another evidence sentence that matches clearly
        better."""
        messages = prompt.span_messages(question, evidence, ev.n, language)
        if language == "en":
            reply = constrained(self.llm, messages, grammar.span_grammar(ev.text), PARAMS.span_tokens)
            if reply is not None:
                got = grammar.complete_words(reply, ev.text)
                if (main := span.main_clause(ev.text, got, question)) is not None:
                    return Outcome.of(main, ev, "condition_echo")  # "if Russia invades" answers no "if"-question
                if not span.informative(got) or span.restates(got, question) or \
                        refuse.echo(got, question, qtype):
                    return Outcome.of(None, ev, "uninformative_span")
                if not span.fits_type(got, qtype):
                    return Outcome.of(None, ev, "type_missing")
                return Outcome.of(got, ev)
        free = span.first_sentence(self.llm.stream(messages, PARAMS.free_span_tokens))
        looked, reply, tailed = chosen_first(ev, evidence), free, []
        if (tail := span.copula_tail(free, question)) is not None and \
                any(grammar.best_span(tail, e.text)[1] >= PARAMS.snap_min_f1 for e in looked):
            reply, tailed = tail, ["copula_tail"]  # "… هو افرنجي.": the answer after the restated question
        scored = [(grammar.best_span(reply, e.text), e) for e in looked]
        # a span that says nothing ("كل") or only repeats the question's own name is no candidate
        scored = [x for x in scored if x[0][0] and span.informative(x[0][0]) and not span.restates(x[0][0], question)
                  and not (qtype == "who" and refuse.echo(x[0][0], question))
                  and span.fits_type(x[0][0], qtype)] or [((None, 0.0), ev)]
        (best, f1), where = max(scored, key=lambda x: x[0][1] - (0 if x[1] is ev else PARAMS.other_sentence_margin))
        if best is None or f1 < PARAMS.snap_min_f1:
            return Outcome.of(None, ev, "unsupported_dropped", reply=free)
        if (main := span.main_clause(where.text, best, question)) is not None:
            return Outcome.of(main, where, "condition_echo", reply=free)
        if span.echoes(best, question):
            # the model copied a clause of the question ("if its demands are not met" for "what will
            # Russia do if its demands are not met?"): the answer is what the sentence says next to it
            got = span.beside_echo(where.text, best, question)
            if got is None or not span.informative(got) or not span.fits_type(got, qtype):
                return Outcome.of(None, where, "echo", reply=free)
            return Outcome.of(got, where, "beside_echo", reply=free)
        return Outcome.of(best, where, *tailed, *(["citation_reassigned"] if where is not ev else []), reply=free)

    # ---- English ---------------------------------------------------------------------------
    def english(self, arabic: str, ev: Evidence, question: str, qtype: str) -> Outcome:
        """An English rendering of an Arabic span: by code (dates, numbers), else a checked model
        translation; failing that, a checked machine-translated gloss of the whole cited sentence."""
        if not re.search(r"[\u0600-\u06ff]", arabic):
            return Outcome.of(arabic, ev)
        english = render.by_code(arabic)
        if english and qtype == "count" and (named := render.counted(english, question)) != english:
            return Outcome.of(named, ev, "rendered_by_code", "count_noun")  # "three" -> "three pivotal directions"
        if english:
            return Outcome.of(english, ev, "rendered_by_code")
        if qtype != "who" and (term := terms.whole(arabic)) is not None:  # "عشاء عمل" -> "working dinner"; no one's name
            return Outcome.of(term, ev, "rendered_by_code", "term")
        if (event := span.event_english(arabic)) is not None:  # "قمة بوخارست" -> "the Bucharest summit"
            return Outcome.of(event, ev, "rendered_by_code")
        if qtype == "who" and (name := render.name_part(arabic)):
            english = self.translate(name)  # "Wendy Sherman", not a garbled title before it
            if render.checked(english, name, question) and render.has_name(english):
                return _translated(Outcome.of(english, ev))
        english = self.translate(arabic)
        fired = []
        if render.checked(english, arabic, question) and (qtype != "who" or render.has_name(english)):
            if terms.covers(arabic, english) or self.faithful(english, arabic):
                return _translated(Outcome.of(english, ev, translation=english))
            fired.append("translation_unfaithful")
        source = render.clause(ev.text, arabic)
        gloss = self.translate(source)
        if qtype == "who" and not render.has_name(gloss):
            # a gloss that names no one answers no "who" (unseen4 en-u06, plausible: "Who was appointed to head
            # the working group…?" got "The first means the minimum security in the future…")
            return Outcome.of(None, ev, "span_translation_failed", "who_unnamed", *fired, translation=english)
        if render.checked(gloss, source, question) and (terms.covers(source, gloss) or self.faithful(gloss, source)):
            out = Outcome.of(f"The article says (machine translation): {gloss}", ev, "span_translation_failed",
                             *fired, translation=english, gloss=gloss)
        else:
            out = Outcome.of(GLOSS_FAILED, ev, "span_translation_failed", "gloss_failed", *fired, translation=english)
        return _translated(out)

    def faithful(self, english: str, arabic: str) -> bool:
        """Whether the embedder finds a model translation close to its Arabic (PARAMS.faithful_min): checks
        the content words the name and number checks do not see ("expressed concern" for "لا صحة لها").
        An embedder that is not cross-lingual (the tests' hashing one) cannot tell: no check."""
        if not getattr(self.embedder, "cross_lingual", False):
            return True
        a, e = self.embedder.embed_documents([arabic, english])
        return cosine(a, e) >= PARAMS.faithful_min

    def translate(self, arabic: str) -> str:
        messages = render.translate_messages(arabic)
        budget = 3 * len(arabic.split()) + 8
        reply = constrained(self.llm, messages, render.LATIN_GRAMMAR, budget)
        if reply is None:
            reply = text(self.llm, messages, budget)
        return render.clean(reply)


_SPEECH = ("say|said|tell|told|claim|claimed|announce|announced|state|stated|confirm|confirmed|report|reported|"
           "describe|described|warn|warned|insist|insisted|suggest|suggested")


def claim(question: str) -> str:
    """A yes/no question without who says it ("According to Reuters, does Russia deny…" -> "does Russia
    deny…"; "Did Peskov say it was…" -> "Did say it was…"; "هل قال ريابكوف إن…" -> "هل إن…"): the source is
    often named in another sentence than the claim."""
    q = re.sub(r"(?i)\b(?:according to|as reported by)\s+[^,?]+,?\s*", " ", question)
    q = re.sub(rf"\b([Dd]id|[Dd]oes|[Dd]o|[Hh]as|[Hh]ave|[Hh]ad)\s+(?:[A-Z][\w'’.-]*\s+){{1,3}}(?=(?:{_SPEECH})\b)", r"\1 ", q)
    q = re.sub(r"(?:^|(?<=\s))(?:بحسب|حسب|وفقا\s+ل|وفقاً\s+ل|نقلا\s+عن|نقلاً\s+عن)\s*\S+(?:\s+\S+)?\s*(?:[،,]|(?=[؟?]?$))\s*", " ", q)
    q = re.sub(r"(هل\s+)(?:قال|قالت|أكد|أكدت|ذكر|ذكرت|أعلن|أعلنت|وصف|وصفت)\s+(?:\S+\s+){1,2}?(?=(?:إن|أن|ان)\b|\S*\s)", r"\1", q, count=1)
    return q.strip()


def claimed_people(question: str, language: str) -> list[str]:
    """The people a yes/no question's claim names (not who reports it, `claim`): English capitalised
    names that are no place, demonym or body code knows ("Was the press secretary Karine Jean-Pierre?"
    -> Karine, Jean-Pierre; "Geneva", "Russian", "White House" are none); Arabic, the names of people
    code knows ("هل كان ستولتنبرغ…" -> ستولتنبرغ)."""
    said = claim(question)
    if language == "ar":
        ws = [normalize(w) for w in re.findall(r"[\u0621-\u064a]+", said)]
        return [w for w in (x[1:] if x[:1] == "و" and x[1:] in render.PEOPLE else x for x in ws) if w in render.PEOPLE]
    return [e for e in question_entities(said, language)
            if not any(k.startswith(re.sub(r"(?:'s|ish|ian|ean|ese|an|i)$", "", e.lower())[:5]) for k in _place_words())]


@functools.lru_cache(maxsize=1)
def _place_words() -> tuple[str, ...]:
    """The words of the English names of the places and bodies code knows, lower-cased."""
    return tuple(" ".join([*gazetteer.places().values(), *render.NAMES.values(), *orgs.BODIES.values()]).lower().split())


def margin(evidence: list[Evidence]) -> float:
    """How far the best evidence sentence leads the next one that says something else (evidence is in score
    order); none: no rival. A sentence that holds the best one's words in a row, or whose words the best
    one holds, restates it (news repeats its lead in the body: "لم يتم إحراز تقدم في قضية … توسيع الناتو"
    and "وأضاف ريابكوف أنه لم يتم إحراز تقدم في قضية … توسيع الناتو وقال…"), so it is no rival."""
    rivals = [e for e in evidence[1:] if not restates(e.text, evidence[0].text)] if evidence else []
    return evidence[0].score - rivals[0].score if rivals else float("inf")


def restates(a: str, b: str) -> bool:
    """Whether one sentence's words (normalised) occur in a row in the other (MIN_RESTATED words or more)."""
    wa, wb = (" ".join(re.findall(r"\w+", normalize(t))) for t in (a, b))
    short, long_ = sorted((wa, wb), key=len)
    return len(short.split()) >= MIN_RESTATED and f" {short} " in f" {long_} "


MIN_RESTATED = 5


def typed_candidates(evidence: list[Evidence], ev: Evidence, qtype: str, question: str = "",
                     language: str = "ar") -> tuple[Evidence, list[str] | None, Outcome]:
    """The dates ("when") or numbers ("how many") that can answer, and the sentence they are in: the
    chosen one, else its neighbour in the same chunk (one with a date of the grain the question asks
    for, "what date" -> a day and month, before one with a weekday only). None: a sentence without any
    (refuse); []: English evidence, whose dates the Arabic rules don't see (the model copies)."""
    options = span.candidates(ev.text, qtype)
    # "on what date" / "at what hour" answered by a sentence with a weekday only: a neighbour that has
    # the grain asked for answers instead
    wrong_grain = qtype == "when" and bool(options) and span.asks_grain(question, language) and \
        not span.fit(options, question, language, strict=True)
    if options and not wrong_grain:
        return ev, options, Outcome()
    near = [(e, found) for e in evidence if e.chunk_id == ev.chunk_id and e is not ev
            and (found := span.candidates(e.text, qtype))]
    if qtype == "when":
        near.sort(key=lambda x: not span.fit(x[1], question, language, strict=True))
    if wrong_grain:
        near = [x for x in near if span.fit(x[1], question, language, strict=True)]
        if not near:
            return ev, options, Outcome()
    if near:
        return *near[0], Outcome.of(None, None, "type_from_neighbour")
    if arabic_ratio(ev.text) < 0.5:
        return ev, [], Outcome()
    if qtype == "when" and not span.asks_grain(question, language) and (told := span.relative_times(ev.text, question)):
        return ev, told, Outcome.of(None, None, "relative_time")  # a plain "when": "before the talks began"
    return ev, None, Outcome.of(None, ev, "type_missing")


def date_of_term(question: str, language: str, ev: Evidence, evidence: list[Evidence],
                 hits: list[Hit]) -> tuple[Evidence, list[str]] | None:
    """A when-question that names a news term (qa/terms.py: "when did a ceasefire end the fighting?" ->
    وقف إطلاق النار) that the chosen sentence does not say: the dates of the first other sentence that says
    it and more of the question (its terms; an Arabic question's words too) than the chosen one does
    (evidence in score order, then the retrieved passages of the chosen sentence's article), which is
    then cited ("ضمت روسيا القرم … في عام 2014" does not date the ceasefire; "انتهت الحرب العظمى بوقف
    إطلاق النار في عام 2015" does: unseen4 en-08). None: no term, the chosen sentence says them all, or no
    other sentence with a date says one."""
    asked = terms.named_in_english(question) if language == "en" else tuple(terms.same_as(k) for *_, k in terms.found(question))
    said = {k for *_, k in terms.found(ev.text)}
    missing = [keys for keys in asked if not said & set(keys)]
    if not missing:
        return None
    grain = span.asks_grain(question, language)  # "at what hour": a sentence with a date only does not answer
    asked_words = set(span.content(question)) if language == "ar" else set()

    def says(text: str) -> int:  # the question's terms, and an Arabic question's words, the sentence says
        keys = {k for *_, k in terms.found(text)}
        return sum(bool(keys & set(g)) for g in asked) + len(asked_words & set(span.content(text)))
    for e in chosen_first(ev, evidence)[1:] + list(article_sentences(ev, hits)):
        keys = {k for *_, k in terms.found(e.text)}
        if e.text != ev.text and any(keys & set(g) for g in missing) and (found := span.candidates(e.text, "when")) \
                and (not grain or span.fit(found, question, language, strict=True)) and says(e.text) > says(ev.text):
            return e, found
    return None


WEEKDAY_DATE_GAP = 40  # characters from a weekday to the date that names it ("الإثنين 10 كانون الثاني")


def weekday_date(ev: Evidence, options: list[str], question: str, language: str,
                 hits: list[Hit]) -> tuple[Evidence, list[str]] | None:
    """"On what date…?" answered by a weekday only ("يوم الإثنين"), and no evidence sentence has the date:
    a sentence of a retrieved passage of the same article that gives that weekday its date ("اليوم
    الإثنين 10 كانون الثاني/ يناير") answers, with that date, and is the one cited. None when the question
    asks no date, an option already is one, or no such sentence puts a date right after the same weekday."""
    if span.asked_grain(question, language) != "date" or span.fit(options, question, language, strict=True):
        return None
    days = {normalize(m.group(0)).removeprefix("ال") for o in options if (m := re.search(span.WEEKDAY, o))}
    for e in article_sentences(ev, hits):
        if e.text == ev.text:
            continue
        for m in re.finditer(span.WEEKDAY, e.text):
            if normalize(m.group(0)).removeprefix("ال") not in days:
                continue
            after = e.text[m.end():m.end() + WEEKDAY_DATE_GAP]
            dated = [d for d in span.fit(span.candidates(e.text, "when"), question, language, strict=True) if d in after]
            if dated:
                return e, dated[:1]
    return None


_MONTH_NUMBER = {name: i for i, name in enumerate(("January", "February", "March", "April", "May", "June", "July",
                                                   "August", "September", "October", "November", "December"), 1)}
_WEEKDAY_NUMBER = {name: i for i, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                                     "Saturday", "Sunday"))}
_DATELINE_DAY = re.compile(rf"(?<!\d)(\d{{1,2}})\s*(?:من\s+)?({span._MONTH})\S*\s*(\d{{4}})")
_RELATIVE_DAY = re.compile(rf"(?<![\u0600-\u06ff])([أا]مس|اليوم|غدا?ً?)\s+(?:يوم\s+)?({span.WEEKDAY})")


def _dateline_day(sentence: str) -> re.Match | None:
    """The day, month (as written) and year of the bracketed dateline a sentence opens with."""
    return _DATELINE_DAY.search(m.group(1)) if (m := span._DATELINE.match(sentence)) else None


def dateline_date(sentence: str) -> datetime.date | None:
    """The day a story was filed, from the bracketed dateline its first sentence opens with ("( … / سبوتنيك -
    31 ديسمبر 2021ء)")."""
    d = _dateline_day(sentence)
    month = _month(d.group(2)) if d else None
    try:
        return datetime.date(int(d.group(3)), _MONTH_NUMBER[month], int(d.group(1))) if month else None
    except ValueError:
        return None


def relative_date(ev: Evidence, options: list[str], question: str, language: str) -> tuple[Evidence, list[str]] | None:
    """"On what date…?" (or a bare "when") answered by "مساء أمس الخميس" in a sentence whose dateline gives the
    day the story was filed ("سبوتنيك - 31 ديسمبر 2021"): yesterday was 30 December 2021, and the answer
    says so ("الخميس 30 ديسمبر 2021", "Thursday 30 December 2021"), only when that day is the weekday the
    sentence names (a check of the arithmetic and of the dateline). Both are in the cited sentence. None
    when the question asks another grain, an option already is a day, or the sentence has no such pair."""
    options = [o for o in options if not span.in_dateline(o, ev.text)]  # the filing date is no answer
    if span._grain(question, language) != "date" or span.fit(options, question, language, strict=True) or \
            span.asks_future(question, language):  # yesterday answers nothing about what is to come
        return None
    filed = dateline_date(ev.text)
    if filed is None:
        return None
    days = {normalize(m.group(0)).removeprefix("ال") for o in options if (m := re.search(span.WEEKDAY, o))}
    for m in _RELATIVE_DAY.finditer(ev.text):
        named = normalize(m.group(2))
        english = render._WEEKDAYS.get(named if named.startswith("ال") else "ال" + named)
        if named.removeprefix("ال") not in days or english is None:
            continue
        word = normalize(m.group(1))
        day = filed + datetime.timedelta(days=-1 if word.endswith("مس") else 0 if word == "اليوم" else 1)
        if day.weekday() != _WEEKDAY_NUMBER[english]:
            return None  # the dateline and the weekday disagree: no date is told
        # the month as the dateline writes it ("ديسمبر"), else its first Arabic name (normalised)
        month = _dateline_day(ev.text).group(2) if day.month == filed.month \
            else next(ar for ar, en in render._MONTHS.items() if en == list(_MONTH_NUMBER)[day.month - 1])
        return ev, [f"{m.group(2)} {day.day} {month} {day.year}"]
    return None


def _month(text: str) -> str | None:
    m = re.search(span._MONTH, text)
    return render._MONTHS.get(re.sub(r"\s+", " ", normalize(m.group(0)))) if m else None


_EN_MONTHS = "|".join(dict.fromkeys(render._MONTHS.values()))
_EN_DAY = re.compile(rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:and|&)\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_EN_MONTHS})\b"
                     rf"|\b({_EN_MONTHS})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s+(?:and|&)\s+(\d{{1,2}})(?:st|nd|rd|th)?\b)?")  # "may 12 people" names no day


def days_named(text: str) -> set[str]:
    """The days of a month a text names, as "12 January": "12 يناير", "12 كانون الثاني", "January 12th",
    "12 January"."""
    found = [(tuple(re.findall(r"\d+", m.group(0))), _month(m.group(0))) for m in span._DAY_MONTH.finditer(text)]
    found += [((m.group(1), m.group(2)), m.group(3)) if m.group(3) else ((m.group(5), m.group(6)), m.group(4))
              for m in _EN_DAY.finditer(text)]
    return {f"{int(day)} {month}" for pair, month in found if month for day in pair if day}


def in_dated_clause(sentence: str, days: set[str]) -> set[int] | None:
    """The word positions (span.words) of the sentence's clauses that name one of the days a question
    names: "في أي مدينة … لقاء روسيا والناتو في 12 يناير؟" is not answered by موسكو of "… محادثات في 12
    يناير، وأن اجتماعًا أوسع، بما في ذلك في موسكو": the place of that day is in its clause. None: the
    sentence names none of the days (or its clauses can't be mapped to its words), and every place stands."""
    if not days:
        return None
    out: set[int] = set()
    at = 0
    for part in span._clauses(sentence):
        n = len(span.words(part))
        if days_named(part) & days:
            out.update(range(at, at + n))
        at += n
    if at != len(span.words(sentence)) or not out:
        return None
    return out


def _joined(found: Outcome, qtype: str, conjunction: str) -> Outcome:
    """Two places from one cited sentence read as one answer ("أوكرانيا وجورجيا", "Ukraine and Georgia"): the
    second of "ما الدولتان…؟" is no sentence of its own. Places from different sentences, and two dates or
    people, keep a sentence and a citation each."""
    if qtype != "where" or len(found.sentences) != 2 or found.sentences[0][1].text != found.sentences[1][1].text:
        return found
    (a, e), (b, _) = found.sentences
    found.sentences = [(f"{a}{conjunction}{b}", e)]
    return found


def month_date(ev: Evidence, options: list[str], question: str, language: str,
               hits: list[Hit]) -> tuple[Evidence, list[str]] | None:
    """"On what date…?" or a bare "when…?" answered by a month only ("يونيو الماضي"): a sentence of a
    retrieved passage of the same article that gives a day of that month ("جنيف - 16 يونيو 2021", a photo's
    caption) answers with that date, and is the one cited. None when the question asks another grain (a
    year, a weekday), an option already is a day, or no other sentence of the article dates a day of the
    same month."""
    if span._grain(question, language) != "date" or span.fit(options, question, language, strict=True):
        return None
    months = {m for o in options if (m := _month(o))}
    if not months:
        return None
    for e in article_sentences(ev, hits):
        if e.text == ev.text:
            continue
        dated = [d for d in span.fit(span.candidates(e.text, "when"), question, language, strict=True) if _month(d) in months]
        if dated:
            return e, dated[:1]
    return None


def clock_time(ev: Evidence, question: str, language: str, hits: list[Hit]) -> tuple[Evidence, list[str]] | None:
    """"At what time…?" answered by a sentence without a clock time: the first sentence of a retrieved
    passage of the same article (the chosen passage first) that has one ("قرابة الثامنة صباحاً بتوقيت
    جرينتش") answers, and is the one cited; None when none has."""
    return next(((e, times) for e in article_sentences(ev, hits)
                 if (times := span.fit(span.candidates(e.text, "when"), question, language, strict=True))), None)


def article_sentences(ev: Evidence, hits: list[Hit], any_article: bool = False) -> Iterator[Evidence]:
    """The sentences of the retrieved passages of ev's article (ev's own passage first; with any_article,
    of every retrieved passage, in rank order), each citable in ev's place; a sentence that reads as an
    instruction is left out."""
    same = hits if any_article else \
        sorted((h for h in hits if h.article_id == ev.article_id), key=lambda h: h.chunk_id != ev.chunk_id)
    for h in same:
        for s in evidence_sentences(h.text):
            if not instruction_like(s):
                yield Evidence(ev.n, h.chunk_id, h.article_id, h.title, s, ev.score)


def chosen_first(ev: Evidence, evidence: list[Evidence], same_article: bool = False) -> list[Evidence]:
    """Where an answer is looked for: the chosen sentence, then the other evidence sentences in score order
    (with same_article, only those of the chosen sentence's article)."""
    return [ev] + [x for x in evidence if x is not ev and (not same_article or x.article_id == ev.article_id)]


def unechoed(sentence: str, question: str) -> list[tuple[int, int]]:
    """The sentence's names next to a title (span.people) that the question does not give."""
    return [n for n in span.people(sentence) if not refuse.echo(_words(sentence, n), question)]


def candidates(question: str, sentence: str, language: str) -> list[tuple[int, int]]:
    """The sentence's names that can answer a who-question: not one the question gives, nor one whose
    title conflicts with the office the question asks for."""
    head = titles.head_keys(question, language)
    names = unechoed(sentence, question)
    seats = titles.seats(question, language)
    names = [n for n, t in zip(names, titles.name_titles(sentence, names))
             if not titles.conflicts(t, head) and not titles.seat_conflict(t, seats)]
    # a nationality the question names rules out a name whose clause names only others ("Who led the
    # Ukrainian delegation?" is not answered by "ترأس الوفد الأمريكي … ويندي شيرمان")
    asked = titles.nationalities(question, language)
    if not asked:
        return names
    return [n for n, own in zip(names, titles.clause_nationalities(sentence, names)) if not own or own & asked]


def role_conflict(question: str, language: str, sentence: str) -> bool:
    """A yes/no question gives a person a nationality's role ("Was Sherman the head of the Russian
    delegation?") and the sentence's clause that names that person names only other nationalities."""
    asked = titles.nationalities(question, language)
    if not asked:
        return False
    ws = span.words(sentence)
    named = [n for n in span.people(sentence) if titles.names_person(ws[n[0]:n[1]], question)]
    owns = titles.clause_nationalities(sentence, named)
    return bool(owns) and all(own and not own & asked for own in owns)


_GROUP = {"الوفد", "وفد", "الوفدين", "الوفدان", "برئاسة"}  # "الوفد الروسي نائب وزير الخارجية …": who, not what


def names_only(text: str) -> bool:
    """A span that only names people by their titles (and و between them, and the delegation they lead)."""
    ws = span.words(text)
    named = {i for a, b in span.people(text) for i in range(a, b)}
    return bool(named) and all(i in named or span.title_word(w) or render.known(w) or w == "و" or w in _GROUP
                               for i, w in enumerate(ws))


def other_place(text: str, question: str) -> bool:
    """The text names a place the question does not (after "في", or a country or city the CLDR names)."""
    ws = span.words(text)
    return any(not refuse.echo(ws[i], question) for i in {*span.places(text), *span.named_places(text)})


def names_someone(sentence: str, question: str) -> bool:
    """The sentence names a person the question does not: next to a title (span.people), or one render
    knows by name ("وقال بيسكوف…")."""
    return bool(unechoed(sentence, question)) or \
        any(render.known(w) and not refuse.echo(w, question) for w in span.words(sentence))


def _words(sentence: str, name: tuple[int, int]) -> str:
    return " ".join(span.words(sentence)[name[0]:name[1]])


def _translated(out: Outcome) -> Outcome:
    out.machine_translation = True
    return out


def _ms(t0: float) -> int:
    return int((time.perf_counter() - t0) * 1000)
