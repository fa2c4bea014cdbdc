"""The question-answering pipeline: language -> (condense) -> retrieve -> refuse or select evidence ->
answer (qa/generate.py with a model, else extractive) -> number the citations. One instance per process,
models loaded once."""
from __future__ import annotations

import re
import time
from collections import Counter
from typing import Iterator

from index.embed import Embedder
from index.meta import public
from index.store import Hit, Store
from index.text import detect_language

from . import gazetteer, prompt, refuse
from .answer import REFUSALS, Answer, Citation, QuestionError, Sources
from .config import QASettings
from .evidence import Evidence, select_evidence
from .generate import Generator, margin
from .llm import LLM, build_llm, text
from .params import PARAMS
from .parts import combine, split_question
from .retrieve import Retriever
from .support import asks, mentioned, missing_entities, question_type
from .trace import Outcome, Trace

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
    def __init__(self, settings: QASettings, store: Store, embedder: Embedder, llm: LLM | None) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.llm = llm
        self.retriever = Retriever.from_settings(store, embedder, settings)
        self.generator = Generator(llm, embedder, settings.choice_margin) if llm is not None else None

    @classmethod
    def from_settings(cls, settings: QASettings, llm: str | None = None) -> "Pipeline":
        """The models the settings name (llm overrides KHABAR_LLM); the embedder is verified and loaded first."""
        from index.embed import load_embedder

        embedder = load_embedder(settings)
        return cls(settings, Store(settings), embedder, build_llm(settings, llm))

    # ---- steps ---------------------------------------------------------------------------
    def condense(self, question: str, history: list[dict] | None) -> str:
        """A follow-up becomes a standalone question before retrieval."""
        previous = _last_user(history)
        if not previous:
            return question
        if self.llm is not None:
            out = text(self.llm, prompt.condense_messages(question, history or []), PARAMS.condense_tokens).strip()
            out = out.split("\n")[0].strip().strip('"“”')
            short = len(out) <= PARAMS.condense_max_ratio * len(question) + PARAMS.condense_slack
            if out and short and detect_language(out) == detect_language(question):
                return out
        return f"{previous} {question}"  # retrieval still sees what "it" / "he" refers to

    def search(self, question: str, k: int | None = None, where: dict | None = None) -> list[Hit]:
        """where: index.meta.where(since, until, source), applied inside the vector query."""
        return self.retriever.search(question, k or self.settings.top_k, where=where)[0]

    def refusal(self, question: str, language: str, hits: list[Hit], best: float,
                said: str | None = None) -> tuple[str, list[str]] | None:
        """Why to refuse before the model, if at all: (reason, names the passages lack). said: what the
        asker wrote (question and previous question); a name only the model's rewrite of a follow-up
        brought in is not the asker's, and no reason to refuse."""
        if not hits or best < self.settings.refusal_threshold:
            return "below_threshold", []
        # the outlet and the title name things too ("according to Reuters")
        texts = [" ".join([h.text, h.title or "", str((h.metadata or {}).get("outlet") or "")]) for h in hits]
        missing = missing_entities(question, language, texts)
        if said is not None:
            missing = [e for e in missing if e.lower() in said.lower()]
        if missing:  # the byline or another paragraph of a retrieved article may name it ("(رويترز)")
            article_texts = self._article_texts(hits)
            missing = [e for e in missing if not mentioned(e, article_texts)]
        if missing:  # the question names someone / somewhere no retrieved article mentions
            return "entity_missing", missing
        why = refuse.reason(question, language, question_type(question, language), [h.text for h in hits])
        if why:  # a detail (hotel, minutes, interpreter) or a unit no retrieved text gives
            return why["reason"], [why.get("detail") or why.get("unit")]
        return None

    def evidence(self, search_query: str, hits: list[Hit]) -> list[Evidence]:
        qvec = self.embedder.embed_queries([search_query])[0]
        return select_evidence(search_query, qvec, hits, self._sentence_vectors(hits),
                               self.settings.evidence_sentences, self.settings.evidence_words)

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
        trace = Trace()
        standalone = self.condense(question, history)
        trace.timings.condense_ms = _ms(t0)
        trace.standalone = standalone if standalone != question else None
        # retrieval also sees the previous question: the 1.5B model's rewrite sometimes drops the topic
        previous = _last_user(history)
        search_query = f"{previous} {standalone}" if previous and previous not in standalone else standalone
        hits, best = self.retriever.search(search_query, k or self.settings.top_k, where=where)
        trace.timings.retrieve_ms = _ms(t0) - trace.timings.condense_ms
        trace.best_dense = round(best, 4)
        retrieved = [h.chunk_id for h in hits]
        refused = self.refusal(standalone, language, hits, best, said=f"{previous} {question}")
        if refused:
            trace.reason, trace.missing = refused
            yield Sources(language, [])
            trace.timings.total_ms = _ms(t0)
            yield Answer(REFUSALS[language], language, True, [], trace, retrieved)
            return
        yield self._sources(language, hits)
        evidence = self.evidence(search_query, hits)
        if len(evidence) > 1:
            trace.margin = round(margin(evidence), 4)
        trace.timings.evidence_ms = _ms(t0) - trace.timings.condense_ms - trace.timings.retrieve_ms
        if self.generator is None or not llm:
            trace.outcome = _extractive(evidence)
        else:
            t_gen = time.perf_counter()
            # a follow-up's own words say what it asks ("وفي أي يوم…?"); the rewrite may not keep them
            trace.qtype = question_type(question, language)
            if trace.qtype == "other" and not asks(question, language):  # "And the second one?"
                trace.qtype = question_type(standalone, language)
            trace.outcome, cost = self._generate(standalone, language, hits, evidence, trace.qtype)
            lacks = self._passage_lacks(trace.outcome, standalone, language, hits, said=f"{previous} {question}")
            if lacks:  # the answer comes from a passage about something else ("in Brussels" <- Geneva's)
                trace.missing = lacks
                trace.outcome = Outcome.of(None, None, "entity_not_in_passage").after(trace.outcome)
            trace.timings.prompt_tokens, trace.timings.choose_ms = cost["prompt_tokens"], cost["choose_ms"]
            if trace.outcome.text:
                trace.timings.first_token_ms = _ms(t0)
                yield trace.outcome.text
                trace.timings.generate_ms = _ms(t_gen)
        trace.timings.total_ms = _ms(t0)
        yield _final(language, trace, retrieved, {h.chunk_id: h.metadata for h in hits})

    # ---- internals -----------------------------------------------------------------------
    def _article_texts(self, hits: list[Hit], articles: int = 3) -> list[str]:
        """Every chunk of the first few retrieved articles."""
        ids = list(dict.fromkeys(h.article_id for h in hits))[:articles]
        return [text for a in ids for _, text, _ in self.store.article_chunks(a)]

    def _passage_lacks(self, out: Outcome, question: str, language: str, hits: list[Hit], said: str) -> list[str]:
        """Places the asker named (CLDR countries, cities and continents, qa/gazetteer.py) that the answer's
        own passage (its text, title and outlet) does not name, nor their adjective (روسيا ~ الروسي), nor (a
        city) its country's: such an answer is about another place ("in Brussels" answered from the Geneva
        delegation's passage). Places only: their Arabic names are known, where a skeleton match of any
        capitalised word ("Championship") would withdraw right answers. Two-part questions are left out
        (each part names its own places)."""
        if not out.text or out.evidence is None or len(split_question(question, language)) > 1:
            return []
        hit = next((h for h in hits if h.chunk_id == out.evidence.chunk_id), None)
        if hit is None:
            return []
        text = " ".join([hit.text, hit.title or "", str((hit.metadata or {}).get("outlet") or "")])
        asked = [p for p in gazetteer.named(question, language, with_regions=True)
                 if p in gazetteer.named(said, language, with_regions=True) or p.lower() in said.lower()]
        # a capital speaks for its country ("Washington and Moscow agreed…"): the country named will do
        lacks = [p for p in asked if not gazetteer.mentions(text, p)
                 and not ((country := gazetteer.country_of(p)) and gazetteer.mentions(text, country))]
        # a region is the setting, often told in another paragraph of the same article ("bases in Central
        # Asia"): the article must name it somewhere
        regions = [p for p in lacks if p in gazetteer.regions().values()]
        if regions:
            article = self._article_texts([hit], articles=1)
            lacks = [p for p in lacks if p not in regions or not any(gazetteer.mentions(t, p) for t in article)]
        return lacks

    def _generate(self, question: str, language: str, hits: list[Hit], evidence: list[Evidence],
                  qtype: str) -> tuple[Outcome, dict[str, int]]:
        """The model's answer; a two-part question (qa/parts.py) gets each part answered from its own
        evidence sentences."""
        parts = split_question(question, language)
        if len(parts) == 1:
            return self.generator.answer(question, language, evidence, qtype, hits)
        outcomes, cost = [], Counter()
        for part in parts:
            out, c = self.generator.answer(part, language, self.evidence(part, hits), question_type(part, language), hits)
            outcomes.append(out)
            cost.update(c)
        return combine(outcomes), dict(cost)

    def _embed_sentences(self, texts: list[str]) -> list[list[float]]:
        fn = getattr(self.embedder, "embed_sentences", None) or self.embedder.embed_documents
        return fn(texts)

    def _sentence_vectors(self, hits: list[Hit]):
        """Evidence sentences' vectors: the ones stored at ingest, encoding only what is missing (an index
        built with KHABAR_EVIDENCE_VECTORS=false, or interrupted between a chunk's sentences and itself)."""
        stored = self.store.sentence_vectors([h.chunk_id for h in hits])

        def vectors(texts: list[str]) -> list[list[float]]:
            missing = [t for t in texts if t not in stored]
            fresh = dict(zip(missing, map(self.store.cut, self._embed_sentences(missing)))) if missing else {}
            return [stored[t] if t in stored else fresh[t] for t in texts]

        return vectors


def _extractive(evidence: list[Evidence]) -> Outcome:
    """Without a model: the best evidence sentence, with the next one when it is short."""
    best = evidence[:1]
    if best and len(best[0].text.split()) < PARAMS.short_sentence_words and len(evidence) > 1:
        best = evidence[:2]
    return Outcome([(e.text, e) for e in best], Counter(extractive=1))


def _final(language: str, trace: Trace, retrieved: list[str], meta: dict[str, dict]) -> Answer:
    """The answer text with its citation markers, numbered in order of first use."""
    out = trace.outcome
    if not out.sentences:
        return Answer(REFUSALS[language], language, True, [], trace, retrieved)
    numbering: dict[str, int] = {}
    citations: list[Citation] = []
    parts = []
    for sentence, ev in out.sentences:
        key = f"{ev.chunk_id}\x00{ev.text}"
        if key not in numbering:
            numbering[key] = len(citations) + 1
            citations.append(Citation(numbering[key], ev.chunk_id, ev.article_id, ev.title, ev.text,
                                      **public(meta.get(ev.chunk_id, {}))))
        sentence = sentence.rstrip()
        end = sentence[-1] if sentence and sentence[-1] in ".!?؟" else ""
        body = sentence[:-1].rstrip() if end else sentence
        parts.append(f"{body} [{numbering[key]}]{end or '.'}")
    return Answer(" ".join(parts), language, False, citations, trace, retrieved, gloss=out.model.gloss,
                  machine_translation=out.machine_translation)


def _last_user(history: list[dict] | None) -> str:
    users = [m.get("content", "") for m in (history or []) if isinstance(m, dict) and m.get("role") == "user"]
    return next((u.strip() for u in reversed(users) if isinstance(u, str) and u.strip()), "")


def _ms(t0: float) -> int:
    return int((time.perf_counter() - t0) * 1000)
