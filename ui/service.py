"""What the REST API and the chat page share: the pipeline (loaded once, possibly in the background),
the generation queue, health, and ingest into the articles root."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from qa.answer import Answer, QuestionError, Sources
from qa.pipeline import Pipeline, clean_question

from .config import Settings
from .errors import ApiError, busy_error, loading_error
from .queue import Busy, GenerationQueue, NoQueue, Ticket

log = logging.getLogger("khabar.service")

SEARCH_SLOTS = 2
SEARCH_MAX_WAIT = 6.0  # seconds a retrieval-only request may wait for its turn before a 503


class Run:
    """Pipeline events for one question, holding a queue ticket: waits for its turn on the first
    next(), frees it when exhausted or closed. close() is safe from any thread, even unstarted."""

    def __init__(self, pipeline: Pipeline, ticket: Ticket | NoQueue, question: str, history: list[dict] | None,
                 k: int | None, where: dict | None = None) -> None:
        self._ticket = ticket
        self.extractive = pipeline.llm is None  # retrieval only: short, computed in one go (ui/sse.py)
        self._gen = self._events(pipeline, question, history, k, where)

    def _events(self, pipeline, question, history, k, where=None) -> Iterator[Sources | str | Answer]:
        with self._ticket:
            yield from pipeline.stream(question, history, k, where=where)

    def __iter__(self) -> "Run":
        return self

    def __next__(self) -> Sources | str | Answer:
        try:
            return next(self._gen)
        except Busy:  # no turn within the queue's max_wait
            raise busy_error() from None

    def close(self) -> None:
        try:
            self._gen.close()
        finally:
            self._ticket.close()

    def __del__(self) -> None:
        self._ticket.close()


class Service:
    def __init__(self, settings: Settings, pipeline: Pipeline | None = None) -> None:
        self.settings = settings
        self.queue = GenerationQueue(settings.queue_size)
        # retrieval-only requests (extractive answers, /api/search): 2 at a time (2 cores), first come first
        # served, a bounded wait; beyond it 503 + Retry-After rather than a long wait
        self.search_queue = GenerationQueue(settings.search_queue_size, slots=SEARCH_SLOTS, max_wait=SEARCH_MAX_WAIT)
        self._pipeline = pipeline
        self.status = "ok" if pipeline is not None else "loading"
        self.error: str | None = None
        self.ingest_lock = threading.Lock()
        self._articles_cache: tuple[tuple, int] | None = None
        self._loader: threading.Thread | None = None

    # ---- loading ------------------------------------------------------------------------
    def start_loading(self, ingest_if_empty: bool = False,
                      build: Callable[[Settings], Pipeline] | None = None) -> threading.Thread | None:
        """Build the pipeline in a background thread (no-op when one was given or is loading)."""
        if self._pipeline is not None or self._loader is not None:
            return self._loader
        self._loader = threading.Thread(target=self._load, args=(ingest_if_empty, build), name="khabar-load",
                                        daemon=True)
        self._loader.start()
        return self._loader

    def _load(self, ingest_if_empty: bool, build: Callable[[Settings], Pipeline] | None) -> None:
        t0 = time.perf_counter()
        try:
            pipe = (build or Pipeline.from_settings)(self.settings)
            self.resume_ingest(pipe)
            if ingest_if_empty and pipe.store.count() == 0:
                self.ingest_bundled(pipe)
        except Exception as exc:  # reported by /health and the page; the process keeps serving
            log.error("loading the pipeline failed", exc_info=exc)
            self.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            self.status = "error"
            return
        self._pipeline = pipe
        self.status = "ok"
        log.info("pipeline ready in %.1fs", time.perf_counter() - t0)

    def resume_ingest(self, pipe: Pipeline) -> dict | None:
        """An ingest that a crash interrupted is finished before anything is answered."""
        from index.ingest import resume

        with self.ingest_lock:
            report = resume(pipe.store, pipe.embedder, self.settings)
        if report is not None:
            print(f"khabar: finished an interrupted ingest ({report.articles} articles, "
                  f"{report.deleted} leftover chunks removed)", flush=True)
        return report.to_dict() if report else None

    def ingest_bundled(self, pipe: Pipeline) -> dict | None:
        from index.ingest import ingest

        root = self.settings.articles_dir
        if not root.exists():
            log.warning("articles folder %s does not exist: nothing to ingest", root)
            return None
        print(f"khabar: index is empty, ingesting {root} ...", flush=True)
        with self.ingest_lock:
            report = ingest(root, pipe.store, pipe.embedder, self.settings, progress=False)
        print(f"khabar: ingested {report.articles} articles, {report.chunks} chunks "
              f"({report.seconds:.1f}s)", flush=True)
        return report.to_dict()

    def pipeline(self) -> Pipeline:
        if self._pipeline is not None:
            return self._pipeline
        if self.status == "error":
            raise ApiError(503, "unavailable", f"the models failed to load: {self.error}")
        raise loading_error()

    # ---- questions ------------------------------------------------------------------------
    def check_question(self, question: object) -> str:
        if isinstance(question, str) and not utf8_ok(question):
            raise QuestionError("invalid_question", "question is not valid Unicode (it has a lone surrogate)")
        return clean_question(question, self.settings.max_question_chars)

    def context(self, history: list[dict] | None) -> list[dict] | None:
        """What of the history reaches the pipeline: the newest KHABAR_MAX_CONTEXT_MESSAGES messages, each
        cut to KHABAR_MAX_CONTEXT_CHARS, so a long history costs no more than a short one."""
        s = self.settings
        kept = [m for m in history or [] if isinstance(m, dict) and isinstance(m.get("content"), str)
                and utf8_ok(m["content"])][-s.max_context_messages:] if s.max_context_messages > 0 else []
        return [{"role": m.get("role"), "content": _cut(m["content"], s.max_context_chars)} for m in kept] or None

    def admit(self, queue: GenerationQueue | None = None) -> Ticket:
        try:
            return (queue or self.queue).admit()
        except Busy:
            raise busy_error() from None

    def search(self, question: str, k: int, where: dict | None = None) -> list:
        """Ranked passages (no generation), through the retrieval queue."""
        pipe = self.pipeline()
        try:
            with self.admit(self.search_queue):
                return pipe.search(question, k, where=where)
        except Busy:
            raise busy_error() from None

    def run(self, question: str, history: list[dict] | None = None, k: int | None = None,
            where: dict | None = None) -> Run:
        """Validated question -> events; raises QuestionError (422), loading (503), busy (503)
        before anything is generated."""
        question = self.check_question(question)
        pipe = self.pipeline()
        # the LLM queue guards generation; extractive answers take a turn in the retrieval queue
        queue = self.queue if pipe.llm is not None else self.search_queue
        return Run(pipe, self.admit(queue), question, self.context(history), k, where)

    def ask(self, question: str, history: list[dict] | None = None, k: int | None = None,
            where: dict | None = None) -> Answer:
        run = self.run(question, history, k, where)
        answer = None
        try:
            for event in run:
                if isinstance(event, Answer):
                    answer = event
        finally:
            run.close()
        if answer is None:  # the pipeline always ends with an Answer
            raise RuntimeError("pipeline ended without an answer")
        return answer

    # ---- health ---------------------------------------------------------------------------
    def llm_mode(self) -> str:
        pipe = self._pipeline
        if pipe is None:
            return self.settings.llm_mode
        if pipe.llm is None:
            return "none"
        return pipe.llm.kind

    def health(self) -> dict:
        chunks = articles = 0
        pipe = self._pipeline
        if pipe is not None:
            try:
                chunks = pipe.store.count()
                # another replica's writes don't bump this store's version: the count is also refreshed every 5 s
                key = (id(pipe.store), pipe.store.version, chunks, int(time.monotonic() // 5))
                if self._articles_cache is None or self._articles_cache[0] != key:
                    self._articles_cache = (key, len(pipe.store.articles()))
                articles = self._articles_cache[1]
            except Exception as exc:
                log.error("health: the store did not answer", exc_info=exc)
                out = {"status": "error", "chunks": 0, "articles": 0, "llm": self.llm_mode(),
                       "model_loaded": True, "error": "the index did not answer"}
                return out
        out = {"status": self.status, "chunks": chunks, "articles": articles, "llm": self.llm_mode(),
               "model_loaded": pipe is not None}
        if self.status == "error" and self.error:
            out["error"] = self.error
        return out

    # ---- ingest ---------------------------------------------------------------------------
    def ingest_url(self, url: str) -> dict:
        """Index a web page or an RSS/Atom feed (index/feeds.py); FetchError -> its 4xx / 502 code."""
        from index.feeds import ingest_url
        from index.fetch import FetchError

        pipe = self.pipeline()
        try:
            with self.ingest_lock:
                return ingest_url(url, pipe.store, pipe.embedder, self.settings).to_dict()
        except FetchError as exc:
            raise ApiError(exc.status, exc.code, exc.message) from None

    def ingest_paths(self, paths: list[Path]) -> dict:
        """Ingest files / folders (already checked to be inside the articles root); one report."""
        from index.ingest import IngestReport, ingest

        pipe = self.pipeline()
        total = IngestReport()
        t0 = time.perf_counter()
        with self.ingest_lock:
            for path in paths:
                total.merge(ingest(path, pipe.store, pipe.embedder, self.settings, progress=False))
        total.seconds = time.perf_counter() - t0
        report = total.to_dict()
        root = str(self.settings.articles_dir.resolve())
        for s in report["skipped"]:  # paths relative to the articles root: no server layout in answers
            s["file"] = s["file"].removeprefix(root).lstrip("/") or s["file"]
        return report


def utf8_ok(text: str) -> bool:
    """False for text with a lone surrogate ("\\ud800"): it names no file and no model can read it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a word boundary when there is one."""
    text = " ".join(text.split()[: limit + 1])
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut.rsplit(" ", 1)[0] if " " in cut else cut


__all__ = ["Service", "Run", "QuestionError"]
