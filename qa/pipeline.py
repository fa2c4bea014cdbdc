"""The question-answering pipeline: language -> (condense) -> retrieve -> refuse or
select evidence -> generate -> check citations. One instance per process, models loaded once."""
from __future__ import annotations

import re
import time
from typing import Iterator

from index.config import Settings
from index.embed import Embedder
from index.meta import public
from index.store import Hit, Store
from index.text import arabic_ratio, detect_language, tokens

from . import prompt, refuse, render, span
from .answer import REFUSALS, Answer, Citation, QuestionError, Sources
from .cite import Checked
from .evidence import Evidence, cosine, select
from .llm import LLM
from .retrieve import Retriever
from .support import missing_entities, negated, question_type

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_question(question: object, max_chars: int) -> str:
    if not isinstance(question, str):
        raise QuestionError("invalid_question", "question must be a string")
    q = CONTROL.sub(" ", question).strip()
    if not q:
        raise QuestionError("empty_question", "question is empty")
    if len(q) > max_chars:
        raise QuestionError("question_too_long", f"question is longer than {max_chars} characters")
    return q


class Pipeline:
    def __init__(self, settings: Settings, store: Store, embedder: Embedder, llm: LLM | None) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.llm = llm
        self.retriever = Retriever.from_settings(store, embedder, settings)

    @classmethod
    def from_settings(cls, settings: Settings, llm: str | None = None) -> "Pipeline":
        from index.embed import load_embedder

        embedder = load_embedder(settings)
        mode = llm or settings.llm_mode
        generator: LLM | None = None
        if mode == "local":
            from .llm import load_local_llm

            generator = load_local_llm(settings)
        elif mode == "openai":
            from .llm import OpenAILikeLLM

            if not settings.llm_url:
                raise ValueError("KHABAR_LLM=openai needs KHABAR_LLM_URL")
            generator = OpenAILikeLLM(settings.llm_url, settings.llm_model, settings.llm_api_key,
                                      settings.max_answer_tokens)
        return cls(settings, Store(settings), embedder, generator)

    # ---- steps ---------------------------------------------------------------------------
    def condense(self, question: str, history: list[dict] | None) -> str:
        """A follow-up becomes a standalone question before retrieval."""
        previous = _last_user(history)
        if not previous:
            return question
        if self.llm is not None:
            out = "".join(self.llm.stream(prompt.condense_messages(question, history or []), 60)).strip()
            out = out.split("\n")[0].strip().strip('"“”')
            if out and len(out) <= 3 * len(question) + 80 and detect_language(out) == detect_language(question):
                return out
        return f"{previous} {question}"  # retrieval still sees what "it" / "he" refers to

    def search(self, question: str, k: int | None = None, where: dict | None = None) -> list[Hit]:
        """where: index.meta.where(since, until, source), applied inside the vector query."""
        return self.retriever.search(question, k or self.settings.top_k, where=where)[0]

    def _sources(self, language: str, hits: list[Hit]) -> Sources:
        return Sources(language, [Citation(i, h.chunk_id, h.article_id, h.title, h.text, **public(h.metadata))
                                  for i, h in enumerate(hits, 1)])

    # ---- public API ----------------------------------------------------------------------
    def ask(self, question: str, history: list[dict] | None = None, k: int | None = None,
            where: dict | None = None) -> Answer:
        answer = None
        for event in self.stream(question, history, k, where=where):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(self, question: str, history: list[dict] | None = None, k: int | None = None,
               llm: bool = True, where: dict | None = None) -> Iterator[Sources | str | Answer]:
        """Yields Sources (as soon as retrieval is done), then text deltas, then the final Answer.
        where: only passages that match it (index.meta.where: since / until / source)."""
        t0 = time.perf_counter()
        question = clean_question(question, self.settings.max_question_chars)
        language = detect_language(question)
        timings: dict = {}
        standalone = self.condense(question, history)
        timings["condense_ms"] = _ms(t0)
        # retrieval also sees the previous question: the 1.5B model's rewrite sometimes drops the topic
        previous = _last_user(history)
        search_query = f"{previous} {standalone}" if previous and previous not in standalone else standalone
        hits, best = self.retriever.search(search_query, k or self.settings.top_k, where=where)
        timings["retrieve_ms"] = _ms(t0) - timings["condense_ms"]
        retrieved = [h.chunk_id for h in hits]
        if not hits or best < self.settings.refusal_threshold:
            yield Sources(language, [])
            timings["total_ms"] = _ms(t0)
            yield Answer(REFUSALS[language], language, True, [], timings, retrieved,
                         {"best_dense": round(best, 4), "reason": "below_threshold"})
            return
        missing = missing_entities(standalone, language, [h.text for h in hits])
        if missing:  # the question names someone / somewhere no retrieved text mentions
            yield Sources(language, [])
            timings["total_ms"] = _ms(t0)
            yield Answer(REFUSALS[language], language, True, [], timings, retrieved,
                         {"best_dense": round(best, 4), "reason": "entity_missing", "missing": missing})
            return
        why = refuse.reason(standalone, language, question_type(standalone, language), [h.text for h in hits])
        if why:  # the question asks for a detail (hotel, minutes, interpreter) no retrieved text gives
            yield Sources(language, [])
            timings["total_ms"] = _ms(t0)
            yield Answer(REFUSALS[language], language, True, [], timings, retrieved, {"best_dense": round(best, 4), **why})
            return
        yield self._sources(language, hits)
        qvec = self.embedder.embed_queries([search_query])[0]
        evidence = select(search_query, qvec, hits, self._sentence_vectors(hits), self.settings.evidence_sentences,
                          self.settings.evidence_words)
        timings["evidence_ms"] = _ms(t0) - timings["condense_ms"] - timings["retrieve_ms"]
        notes: dict = {"best_dense": round(best, 4)}
        if self.llm is None or not llm:
            checked = self._extractive(evidence)
        else:
            checked = yield from self._generate(standalone, language, evidence, timings, notes, t0)
        timings["total_ms"] = _ms(t0)
        notes.update({k2: v + notes.get(k2, 0) for k2, v in checked.notes.items() if isinstance(v, int)})
        yield self._final(language, checked, timings, retrieved, notes, {h.chunk_id: h.metadata for h in hits})

    # ---- internals -----------------------------------------------------------------------
    def _embed_sentences(self, texts: list[str]) -> list[list[float]]:
        fn = getattr(self.embedder, "embed_sentences", None) or self.embedder.embed_documents
        return fn(texts)

    def _sentence_vectors(self, hits: list[Hit]):
        """Evidence sentences' vectors: the ones stored at ingest, encoding only what is missing (an index
        built with KHABAR_EVIDENCE_VECTORS=false, or interrupted between a chunk's sentences and itself)."""
        stored = self.store.sentence_vectors([h.chunk_id for h in hits])

        def vectors(texts: list[str]) -> list[list[float]]:
            missing = [t for t in texts if t not in stored]
            fresh = dict(zip(missing, self._embed_sentences(missing))) if missing else {}
            return [stored[t] if t in stored else fresh[t] for t in texts]

        return vectors

    def _extractive(self, evidence: list[Evidence]) -> Checked:
        best = evidence[:1]
        if best and len(best[0].text.split()) < 12 and len(evidence) > 1:
            best = evidence[:2]
        return Checked(sentences=[(e.text, e) for e in best], notes={"extractive": 1})

    def _generate(self, question: str, language: str, evidence: list[Evidence], timings: dict, notes: dict,
                  t0: float):
        """Span first: the model picks the passage that answers (0 = none, grammar-constrained), then
        copies the answer from it (grammar built from that sentence); code renders it in the question's
        language. Yes/no, and "when" / "how many" with one candidate, need no second call."""
        assert self.llm is not None
        t_gen = time.perf_counter()
        qtype = question_type(question, language)
        notes["qtype"] = qtype
        choose = prompt.choose_messages(question, evidence)
        timings["prompt_tokens"] = self.llm.count_tokens(choose)
        n = self.llm.choose(choose, len(evidence))
        timings["choose_ms"] = _ms(t_gen)
        ev = next((e for e in evidence if e.n == n), None)
        if ev is None:
            notes["llm_declined"] = 1
            return Checked(declined=True)
        if qtype == "yesno":
            notes["yesno_by_code"] = 1
            text = {"en": ("No", "Yes"), "ar": ("لا", "نعم")}[language][0 if negated(ev.text) else 1]
        else:
            answer_span, ev = self._span(question, evidence, ev, qtype, notes)
            if not answer_span:
                return Checked(declined=True)
            notes["span"] = answer_span
            text = answer_span if language == "ar" else self._english(answer_span, ev, question, qtype, notes)
        if language == "en":
            text = render.frame(text, qtype)
        timings["first_token_ms"] = _ms(t0)
        yield text
        timings["generate_ms"] = _ms(t_gen)
        return Checked(sentences=[(text, ev)])

    def _span(self, question: str, evidence: list[Evidence], ev: Evidence, qtype: str,
              notes: dict) -> tuple[str | None, Evidence]:
        """The answer span and the evidence sentence it comes from."""
        assert self.llm is not None
        language = detect_language(question)
        messages = prompt.span_messages(question, evidence, ev.n, language)
        if qtype in ("when", "count"):
            options = span.candidates(ev.text, qtype)
            if not options:  # the chosen sentence has no date / number: its neighbour in the same chunk may
                near = [e for e in evidence if e.chunk_id == ev.chunk_id and span.candidates(e.text, qtype)]
                if near:
                    notes["type_from_neighbour"] = 1
                    ev, options = near[0], span.candidates(near[0].text, qtype)
                elif arabic_ratio(ev.text) < 0.5:
                    options = []  # English evidence: the candidate rules are Arabic, let the model copy
                else:
                    notes["type_missing"] = 1  # a "when" / "how many" sentence without a date / number
                    return None, ev
        if qtype == "when" and options:
            options = span.fit(options, question, language)  # a weekday for "which day of the week"
        if qtype in ("when", "count") and options:
            if len(options) == 1:
                notes["span_by_code"] = 1
                return options[0], ev
            messages = prompt.span_messages(question, evidence, ev.n, language)
            reply = span.constrained(self.llm, messages, span.choice_grammar(options), 24)
            if reply is None:
                free = "".join(self.llm.stream(messages, 24))
                reply = max(options, key=lambda o: len(set(tokens(o)) & set(tokens(free))))
            return (reply.strip() if reply.strip() in options else options[0]), ev
        if qtype == "where" and (spots := span.places(ev.text)):
            # several places in one sentence (NATO in Brussels, then the OSCE in Vienna): the one whose
            # neighbouring words are closest to the question (multilingual embedder) answers
            ws = span.words(ev.text)
            # a place the question names ("Besides Ukraine, which country...") is not its answer
            spots = [i for i in spots if not refuse.echo(ws[i], question)] or spots
            if len(spots) == 1:
                notes["span_by_code"] = 1
                return ws[spots[0]], ev
            notes["place_by_context"] = 1
            qvec = self.embedder.embed_queries([question])[0]
            vecs = self.embedder.embed_documents(span.windows(ev.text, spots))
            best = max(zip(spots, vecs), key=lambda x: cosine(qvec, x[1]))[0]
            return ws[best], ev
        if qtype == "who" and not span.people(ev.text):
            # the chosen sentence names no one ("وأكد وزير الخارجية الروسي أن..."): another evidence
            # sentence whose name carries the question's title answers
            for e in evidence:
                ns = [n for n in span.people(e.text) if not refuse.echo(" ".join(span.words(e.text)[n[0]:n[1]]), question)]
                if e is not ev and ns and max(span.title_scores(e.text, ns, question, language)) > 0:
                    notes["who_from_neighbour"] = 1
                    ev = e
                    break
        if qtype == "who" and (names := span.people(ev.text)):
            # names next to a title (نائب وزير الدفاع ألكسندر فومين): the question's other words decide
            ws = span.words(ev.text)
            names = [(a, b) for a, b in names if not refuse.echo(" ".join(ws[a:b]), question)]
            if not names:  # the only names are the question's own: "to whom Sherman was deputy" -> not Sherman
                notes["echo"] = 1
                return None, ev
            if len(names) > 1:  # the question's title words first: "deputy defence minister" -> فومين
                titled = span.by_title(ev.text, names, question, language)
                if len(titled) < len(names):
                    notes["person_by_title"] = 1
                names = titled
            if len(names) == 1:
                notes["span_by_code"] = 1
            else:
                notes["person_by_context"] = 1
                qvec = self.embedder.embed_queries([question])[0]
                # two views of each name's context: 3 words before its title + title + name, and a
                # window of 5 words before / 2 after; their cosines add (dev set: either alone was worse)
                near = [" ".join(ws[max(0, span.title_start(ws, a) - 3):b]) for a, b in names]
                wide = [" ".join(ws[max(0, a - 5):b + 2]) for a, b in names]
                vecs = self.embedder.embed_documents(near + wide)
                score = [cosine(qvec, vecs[i]) + cosine(qvec, vecs[i + len(names)]) for i in range(len(names))]
                names = [names[max(range(len(names)), key=score.__getitem__)]]
            a, b = names[0]
            return " ".join(ws[a:b]), ev
        if language == "en":  # copy under a grammar built from the sentence (measured best for English)
            reply = span.constrained(self.llm, messages, span.span_grammar(ev.text), 40)
            if reply is not None:
                got = span.complete_words(reply, ev.text)
                if not span.informative(got) or (qtype == "who" and refuse.echo(got, question)):
                    notes["uninformative_span"] = 1
                    return None, ev
                return got, ev
        # an Arabic question (or a backend without grammars): the model answers freely, copying; code
        # snaps that to a run of words of the chosen sentence, or of another evidence sentence when it
        # matches clearly better
        free = span.first_sentence(self.llm.stream(messages, 60))
        notes["raw"] = free
        scored = [(span.best_span(free, e.text), e) for e in [ev] + [e for e in evidence if e is not ev]]
        # a span that says nothing ("كل") or only repeats the question's own name is no candidate
        scored = [x for x in scored if x[0][0] and span.informative(x[0][0])
                  and not (qtype == "who" and refuse.echo(x[0][0], question))] or [((None, 0.0), ev)]
        (best, f1), where = max(scored, key=lambda x: x[0][1] - (0 if x[1] is ev else 0.1))
        if best is None or f1 < 0.5:
            notes["unsupported_dropped"] = 1
            return None, ev
        if where is not ev:
            notes["citation_reassigned"] = 1
        return best, where

    def _english(self, arabic: str, ev: Evidence, question: str, qtype: str, notes: dict) -> str:
        """An English rendering of an Arabic span: by code (dates, numbers), else a checked model
        translation; failing that, a checked machine-translated gloss of the whole cited sentence."""
        if not re.search(r"[\u0600-\u06ff]", arabic):
            return arabic
        english = render.by_code(arabic)
        if english:
            notes["rendered_by_code"] = 1
            return english
        if qtype == "who" and (name := render.name_part(arabic)):
            english = self._translate(name)  # "Wendy Sherman", not a garbled title before it
            if render.checked(english, name, question) and render.has_name(english):
                notes["machine_translation"] = True
                return english
        english = self._translate(arabic)
        notes["translation"] = english
        if render.checked(english, arabic, question) and (qtype != "who" or render.has_name(english)):
            notes["machine_translation"] = True
            return english
        notes["span_translation_failed"] = 1
        source = render.clause(ev.text, arabic)
        gloss = self._translate(source)
        notes["machine_translation"] = True
        if render.checked(gloss, source, question):
            notes["gloss"] = gloss
            return f"The article says (machine translation): {gloss}"
        notes["gloss_failed"] = 1
        return "The cited Arabic passage answers this; no checked English translation of it is available"

    def _translate(self, arabic: str) -> str:
        assert self.llm is not None
        messages = render.translate_messages(arabic)
        budget = 3 * len(arabic.split()) + 8
        reply = span.constrained(self.llm, messages, render.LATIN_GRAMMAR, budget)
        if reply is None:
            reply = "".join(self.llm.stream(messages, budget))
        return render.clean(reply)

    def _final(self, language: str, checked: Checked, timings: dict, retrieved: list[str], notes: dict,
               meta: dict[str, dict] | None = None) -> Answer:
        if checked.declined or not checked.sentences:
            return Answer(REFUSALS[language], language, True, [], timings, retrieved, notes)
        extra = {"gloss": notes.get("gloss"), "machine_translation": bool(notes.get("machine_translation"))}
        numbering: dict[str, int] = {}
        citations: list[Citation] = []
        parts = []
        for sentence, ev in checked.sentences:
            key = f"{ev.chunk_id}\x00{ev.text}"
            if key not in numbering:
                numbering[key] = len(citations) + 1
                citations.append(Citation(numbering[key], ev.chunk_id, ev.article_id, ev.title, ev.text,
                                          **public((meta or {}).get(ev.chunk_id, {}))))
            sentence = sentence.rstrip()
            end = sentence[-1] if sentence and sentence[-1] in ".!?؟" else ""
            body = sentence[:-1].rstrip() if end else sentence
            parts.append(f"{body} [{numbering[key]}]{end or '.'}")
        return Answer(" ".join(parts), language, False, citations, timings, retrieved, notes, **extra)


def _last_user(history: list[dict] | None) -> str:
    users = [m.get("content", "") for m in (history or []) if isinstance(m, dict) and m.get("role") == "user"]
    return next((u.strip() for u in reversed(users) if isinstance(u, str) and u.strip()), "")


def _ms(t0: float) -> int:
    return int((time.perf_counter() - t0) * 1000)
