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
from index.text import detect_language

from . import prompt
from .answer import REFUSALS, Answer, Citation, QuestionError, Sources
from .cite import Checked, check
from .evidence import Evidence, select
from .llm import LLM
from .retrieve import Retriever

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
        """Two steps: the model picks the passage that answers (0 = none, grammar-constrained), then
        answers from it. Code then checks the language, the citation and the numbers."""
        assert self.llm is not None
        t_gen = time.perf_counter()
        choose = prompt.choose_messages(question, evidence)
        timings["prompt_tokens"] = self.llm.count_tokens(choose)
        n = self.llm.choose(choose, len(evidence))
        timings["choose_ms"] = _ms(t_gen)
        if n == 0:
            notes["llm_declined"] = 1
            return Checked(declined=True)
        raw = ""
        for delta in self.llm.stream(prompt.answer_messages(question, language, evidence, n),
                                     self.settings.max_answer_tokens):
            if "first_token_ms" not in timings:
                timings["first_token_ms"] = _ms(t0)
            raw += delta
            yield delta
        body = re.sub(r"\[\d+\]", "", raw)
        if re.search(r"\w", body) and detect_language(body) != language:
            notes["regenerated"] = 1
            raw = "".join(self.llm.stream(prompt.answer_messages(question, language, evidence, n, stronger=True),
                                          self.settings.max_answer_tokens))
        timings["generate_ms"] = _ms(t_gen)
        if not re.search(r"\[\d+\]", raw):
            raw = _cite_all(raw, n)
        embed = self._embed_sentences if language != "ar" else None
        checked = check(raw, evidence, language, embed, question)
        if checked.declined:
            notes["llm_declined"] = 1
        elif not checked.sentences:
            checked = self._extractive(evidence)
            notes["fallback_extractive"] = 1
        notes["raw"] = raw
        return checked

    def _final(self, language: str, checked: Checked, timings: dict, retrieved: list[str], notes: dict,
               meta: dict[str, dict] | None = None) -> Answer:
        if checked.declined or not checked.sentences:
            return Answer(REFUSALS[language], language, True, [], timings, retrieved, notes)
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
        return Answer(" ".join(parts), language, False, citations, timings, retrieved, notes)


def _last_user(history: list[dict] | None) -> str:
    users = [m.get("content", "") for m in (history or []) if isinstance(m, dict) and m.get("role") == "user"]
    return next((u.strip() for u in reversed(users) if isinstance(u, str) and u.strip()), "")


def _cite_all(raw: str, n: int) -> str:
    """Step 2 answers from passage n: its sentences cite n unless the model wrote numbers itself."""
    from index.text import split_sentences

    return " ".join(f"{sent} [{n}]" for sent in split_sentences(raw.strip()))


def _ms(t0: float) -> int:
    return int((time.perf_counter() - t0) * 1000)
