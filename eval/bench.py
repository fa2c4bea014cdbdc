"""Performance benchmark: `python -m eval.bench [--quick]`.

Prints the settings used (threads, dtype, batch size, machine load), then one table in which every
figure was measured in this run, each row with its target and a met / NOT met column, and a last line
`targets met: M/N`. Targets are reported, never asserted: a miss is a result (exit 0).

Sections
* ingest    - pipeline passages/s vs a raw sentence-transformers `encode` of the same chunk texts; the
              seed corpus (data/articles) indexed from scratch, embedding-model load included.
* retrieval - per-query p50 / p95 of qa.retrieve.Retriever (dense + BM25 fusion, query embedding not
              cached) vs a naive LlamaIndex VectorStoreIndex(...).as_retriever() on Chroma with
              HuggingFaceEmbedding on the same model folder in the same dtype, at similarity_top_k=2 (its
              default) and 3. The three are timed interleaved per query (rotating order), in REPEATS rounds;
              every ratio is the median [min-max] of the rounds' ratios and targets test the median.
* answers   - time to first token and whole answer of the pipeline vs a raw llama-cpp call with the
              pipeline's own final prompt and vs a naive LlamaIndex as_query_engine() (default
              SentenceSplitter, default prompts, similarity_top_k=2 and 3, the same llama_cpp.Llama behind a
              thin CustomLLM), interleaved per question, on >= 30 gold dev questions; correctness is
              eval.goldset.is_right (the strict `right`); prompt tokens count every LLM call of an answer on
              both sides. Ratios: median [min-max] over REPEATS blocks of consecutive questions.
* scale     - synthetic corpora (seed sentences shuffled into new articles, fixed seed) of 100 / 1,000 /
              10,000 articles: ingest s/chunk, query p50, peak RSS; each size in a fresh subprocess so
              its peak RSS is its own. Scale rows use a hashing embedder to isolate store/ingest overhead.

Models are loaded once and shared by every row; the LLM and the embedder never run at the same time.
Nothing touches the user's index: everything is written under a temporary directory.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from index.config import BUNDLED_ARTICLES, REPO_ROOT, Settings, offline_env
from index.embed import HashingEmbedder

offline_env()  # before torch / llama_cpp / chromadb are imported anywhere below

DEFAULT_GOLD = REPO_ROOT / "eval" / "gold" / "dev.jsonl"  # never the frozen test split
REPEATS = 5  # rounds (or blocks) behind every ratio: median [min-max]
ANSWER_QUESTIONS = 30
SCALE_FULL = (100, 1_000, 10_000)
SCALE_QUICK = (100, 1_000)
SCALE_DIM = 768  # the real model's width, so Chroma does the same work per vector
SCALE_NOTE = "scale rows use a hashing embedder to isolate store/ingest overhead"


# ---- targets and the table ---------------------------------------------------------------------
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
_SHOW = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


@dataclass(frozen=True)
class Target:
    op: str  # one of < <= > >=
    value: float
    unit: str = ""

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"unknown target operator {self.op!r}")

    def check(self, x: float) -> bool:
        return _OPS[self.op](x, self.value)

    def __str__(self) -> str:
        v = f"{self.value:g}"
        return f"{_SHOW[self.op]} {v}{self.unit}"


@dataclass
class Row:
    section: str
    metric: str
    khabar: str  # what is shown
    baseline: str = ""
    value: float | None = None  # what the target tests (None with a target = not measured = not met)
    target: Target | None = None
    also: bool = True  # a second condition of the target (e.g. accuracy at least as good)
    also_text: str = ""  # how the second condition is written in the target column

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.value is None or (isinstance(self.value, float) and math.isnan(self.value)):
            return False
        return self.target.check(self.value) and self.also

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "—"
        return str(self.target) + (f" and {self.also_text}" if self.also_text else "")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def format_table(rows: Sequence[Row]) -> str:
    """A markdown table: section | metric | khabar | baseline | target | met."""
    head = ["section", "metric", "khabar", "baseline", "target", "met"]
    body = [[r.section, r.metric, r.khabar, r.baseline or "—", r.target_text,
             {True: "met", False: "NOT met", None: "—"}[r.met]] for r in rows]
    widths = [max(len(_cell(x)) for x in col) for col in zip(head, *body)]
    lines = ["| " + " | ".join(_cell(h).ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(_cell(c).ljust(w) for c, w in zip(row, widths)) + " |" for row in body]
    return "\n".join(lines)


def target_rows(rows: Iterable[Row]) -> list[Row]:
    return [r for r in rows if r.target is not None]


def targets_line(rows: Iterable[Row]) -> str:
    rows = target_rows(rows)
    return f"targets met: {sum(1 for r in rows if r.met)}/{len(rows)}"


# ---- small number helpers ----------------------------------------------------------------------
def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear-interpolation percentile (numpy's default); None for no values."""
    vals = sorted(float(v) for v in values)
    if not vals:
        return None
    pos = (len(vals) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def fmt_ms(ms: float | None) -> str:
    return "n/a" if ms is None else f"{ms:,.0f} ms"


def fmt_s(s: float | None) -> str:
    return "n/a" if s is None else f"{s:,.1f} s"


def fmt_x(x: float | None) -> str:
    return "n/a" if x is None or math.isnan(x) else f"{x:.2f}×"


def fmt_mb(b: float | None) -> str:
    return "n/a" if b is None else f"{b / 2**20:,.0f} MB"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def spread(values: Iterable[float | None]) -> tuple[float, float, float] | None:
    """(median, min, max) of the values that are not None; None when there are none."""
    vals = [float(v) for v in values if v is not None and not math.isnan(v)]
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals)


def fmt_spread(values: Iterable[float | None], unit: str = "×", digits: int = 2) -> str:
    """'1.52× [1.38–1.95×]': the median, then the range, over repeats."""
    sp = spread(values)
    if sp is None:
        return "n/a"
    med, lo, hi = sp
    return f"{med:.{digits}f}{unit} [{lo:.{digits}f}–{hi:.{digits}f}{unit}]"


def median_of(values: Iterable[float | None]) -> float | None:
    sp = spread(values)
    return None if sp is None else sp[0]


def correct(answer: str, item: dict, refused: bool = False) -> bool:
    """The strict `right` of eval.metrics (whole tokens, the question's language) for a gold item."""
    from eval.goldset import is_right

    return is_right(answer or "", refused, item)


# ---- questions ---------------------------------------------------------------------------------
def load_gold(path: Path = DEFAULT_GOLD) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def pick_questions(gold: Sequence[dict], n: int, answerable_only: bool = True) -> list[dict]:
    """n standalone questions, half Arabic half English, spread evenly over each language's list."""
    out: list[dict] = []
    langs = ("ar", "en")
    for i, lang in enumerate(langs):
        pool = [g for g in gold if g["lang"] == lang and g.get("follows") is None
                and (g.get("answerable", True) or not answerable_only)]
        want = min(len(pool), n // len(langs) + (1 if i < n % len(langs) else 0))
        if want:
            step = len(pool) / want
            out += [pool[int(j * step)] for j in range(want)]
    return out


# ---- synthetic corpus and the hashing embedder --------------------------------------------------
def seed_sentences(articles_dir: Path = BUNDLED_ARTICLES) -> list[str]:
    """The cleaned seed articles' sentences (>= 5 words), in file order."""
    from index.clean import clean
    from index.load import load_folder
    from index.text import split_sentences

    raws, _ = load_folder(articles_dir)
    out: list[str] = []
    for raw in raws:
        out += [s for s in split_sentences(clean(raw).text) if len(s.split()) >= 5]
    return out


def synthetic_corpus(out_dir: Path, n_articles: int, sentences: Sequence[str], seed: int = 0,
                     min_sentences: int = 10, max_sentences: int = 30) -> list[Path]:
    """n_articles .txt files in out_dir: a title line, then paragraphs of seed sentences shuffled.
    Deterministic for a given (sentences, seed)."""
    if not sentences:
        raise ValueError("no seed sentences")
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n_articles):
        picked = [sentences[rng.randrange(len(sentences))] for _ in range(rng.randint(min_sentences, max_sentences))]
        title = " ".join(picked[0].split()[:8]).rstrip(".،,:؛!?؟")
        paras, j = [], 0
        while j < len(picked):
            k = rng.randint(3, 5)
            paras.append(" ".join(picked[j:j + k]))
            j += k
        path = out_dir / f"syn_{seed}_{i:06d}.txt"
        path.write_text(f"{title} {i}\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


# ---- process facts -----------------------------------------------------------------------------
def _status_kb(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_bytes() -> int | None:
    kb = _status_kb("VmRSS")
    return None if kb is None else kb * 1024


def peak_rss_bytes() -> int | None:
    kb = _status_kb("VmHWM")
    if kb is None:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb * 1024


def reset_peak_rss() -> bool:
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def load_text() -> str:
    try:
        one, five, _ = os.getloadavg()
        return f"load average {one:.2f} (1 min) / {five:.2f} (5 min) on {os.cpu_count()} CPUs"
    except OSError:
        return "load average n/a"


# ---- the naive LlamaIndex baselines ------------------------------------------------------------
def naive_llm(llama, max_tokens: int, context_window: int):
    """A thin llama-index CustomLLM around the same llama_cpp.Llama (llama-index-llms-llama-cpp is not
    installed). Chat goes through the GGUF's own chat template, like the pipeline's."""
    from llama_index.core.bridge.pydantic import PrivateAttr
    from llama_index.core.llms import (ChatMessage, ChatResponse, CompletionResponse, CustomLLM,
                                       LLMMetadata, MessageRole)
    from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback

    def as_dicts(messages) -> list[dict]:
        return [{"role": m.role.value, "content": m.content or ""} for m in messages]

    class LlamaCppCustomLLM(CustomLLM):
        num_output: int = max_tokens
        window: int = context_window
        _llama = PrivateAttr()
        _seen = PrivateAttr(default_factory=list)

        def __init__(self, **kw) -> None:
            super().__init__(**kw)
            self._llama = llama
            self._seen = []

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(context_window=self.window, num_output=self.num_output, is_chat_model=True,
                               model_name="llama_cpp")

        def _args(self) -> dict:
            return {"temperature": 0.0, "top_k": 1, "max_tokens": self.num_output}

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kw) -> CompletionResponse:
            self._seen.append([{"role": "user", "content": prompt}])
            out = self._llama.create_completion(prompt, **self._args())
            return CompletionResponse(text=out["choices"][0]["text"])

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kw):
            self._seen.append([{"role": "user", "content": prompt}])
            text = ""
            for part in self._llama.create_completion(prompt, stream=True, **self._args()):
                delta = part["choices"][0]["text"]
                text += delta
                yield CompletionResponse(text=text, delta=delta)

        @llm_chat_callback()
        def chat(self, messages, **kw) -> ChatResponse:
            self._seen.append(as_dicts(messages))
            out = self._llama.create_chat_completion(messages=as_dicts(messages), **self._args())
            return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT,
                                                    content=out["choices"][0]["message"]["content"] or ""))

        @llm_chat_callback()
        def stream_chat(self, messages, **kw):
            self._seen.append(as_dicts(messages))

            def gen():
                text = ""
                for part in self._llama.create_chat_completion(messages=as_dicts(messages), stream=True,
                                                               **self._args()):
                    delta = part["choices"][0]["delta"].get("content") or ""
                    text += delta
                    yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=delta)

            return gen()

    return LlamaCppCustomLLM()


def naive_index(settings: Settings, client, articles_dir: Path, embed_threads: int):
    """VectorStoreIndex over SimpleDirectoryReader documents, default SentenceSplitter, Chroma, and
    HuggingFaceEmbedding on the same model folder (with the model's own query/document prompts)."""
    import torch
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    cfg = json.loads((settings.embed_model_path / "config_sentence_transformers.json").read_text())
    prompts = cfg.get("prompts", {})
    embed = HuggingFaceEmbedding(model_name=str(settings.embed_model_path), device="cpu",
                                 query_instruction=prompts.get("query"), text_instruction=prompts.get("document"),
                                 local_files_only=True)
    if settings.embed_dtype == "bf16":  # the same dtype as the pipeline's embedder, or the race is not fair
        embed._model = embed._model.to(torch.bfloat16)
    torch.set_num_threads(embed_threads)
    docs = SimpleDirectoryReader(str(articles_dir)).load_data()
    collection = client.get_or_create_collection("bench_naive", embedding_function=None,
                                                 metadata={"hnsw:space": "cosine"})
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    index = VectorStoreIndex.from_documents(docs, storage_context=storage, embed_model=embed)
    return index, embed


# ---- measurements ------------------------------------------------------------------------------
@dataclass
class Bench:
    settings: Settings
    quick: bool
    rows: list[Row] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    embedder: object = None
    llm: object = None  # qa.llm.LlamaCppLLM
    store: object = None  # the seed corpus, indexed by the pipeline
    naive: object = None  # (VectorStoreIndex, HuggingFaceEmbedding)
    embed_load_s: float = 0.0
    real_s_per_chunk: float | None = None
    reset_kv: bool = False
    questions: int | None = None

    def add(self, *rows: Row) -> None:
        self.rows += rows
        for r in rows:
            print(f"  {r.section:9} {r.metric}: {r.khabar}" + (f" | baseline {r.baseline}" if r.baseline else ""),
                  flush=True)

    # ---- ingest ----
    def load_embedder(self) -> None:
        from index.embed import load_embedder

        s = self.settings
        t = time.perf_counter()
        self.embedder = load_embedder(s)
        self.embed_load_s = time.perf_counter() - t

    def bench_ingest(self) -> None:
        from index.ingest import ingest
        from index.store import Store, make_client

        s = self.settings
        print("ingest: embedding model load + seed corpus from scratch", flush=True)
        self.info.append(f"ingest: {load_text()} at start")
        self.load_embedder()
        client = make_client(s)
        self.client = client
        self.store = Store(s, name="bench_seed", client=client)
        rep = ingest(s.articles_dir, self.store, self.embedder, s, progress=False)
        scratch = self.embed_load_s + rep.seconds
        n = rep.chunks
        self.add(Row("ingest", f"seed corpus from scratch ({rep.articles} articles, {n} chunks), model load incl.",
                     f"{fmt_s(scratch)} (load {self.embed_load_s:.1f} s + ingest {rep.seconds:.1f} s)",
                     value=scratch, target=Target("<", 30, " s")))
        texts = [self.embedder._doc_text(doc, meta.get("title")) for _, doc, meta in self.store.iter_chunks()]
        # back-to-back runs in rotating order; the ratio within each round, then the median: the machine is
        # shared and its load drifts, so two best-ofs taken minutes apart are not comparable
        pairs: list[dict] = []
        spent = [0.0]
        inner = self.embedder.embed_documents

        def timed_embed(texts_, titles=None):
            t0 = time.perf_counter()
            try:
                return inner(texts_, titles)
            finally:
                spent[0] += time.perf_counter() - t0

        passages_only = s.model_copy(update={"evidence_vectors": False})
        orders = [("raw", "pipe", "full"), ("full", "pipe", "raw"), ("pipe", "raw", "full")]
        for rep_i in range(REPEATS):
            pair: dict = {}
            for which in orders[rep_i % len(orders)]:
                if which == "raw":
                    t = time.perf_counter()
                    self.embedder.model.encode(texts, prompt="", batch_size=s.embed_batch_size,
                                               normalize_embeddings=True, convert_to_numpy=True,
                                               show_progress_bar=False)
                    pair["raw"] = time.perf_counter() - t
                    continue
                warm = Store(s, name=f"bench_warm{rep_i}", client=client)
                spent[0] = 0.0
                self.embedder.embed_documents = timed_embed
                try:
                    rep_w = ingest(s.articles_dir, warm, self.embedder, passages_only if which == "pipe" else s,
                                   progress=False)
                    pair[which] = rep_w.seconds
                finally:
                    del self.embedder.embed_documents  # back to the class method
                if which == "pipe":
                    pair["encode"] = spent[0]
                else:
                    pair["sentences"] = warm.sentences.count()
                warm.drop()
            pairs.append(pair)
        ratios = [p["raw"] / p["pipe"] for p in pairs]
        med = statistics.median(ratios)
        pipe_s = statistics.median(p["pipe"] for p in pairs)
        full_s = statistics.median(p["full"] for p in pairs)
        raw_s = statistics.median(p["raw"] for p in pairs)
        outside = statistics.median(p["pipe"] - p["encode"] for p in pairs)
        self.real_s_per_chunk = pipe_s / n
        self.add(
            Row("ingest", "pipeline passages/s vs raw sentence-transformers encode (same chunks, warm, passages only; "
                          f"median [min–max] of {REPEATS} back-to-back rounds)",
                f"{n / pipe_s:.2f}/s ({fmt_spread(ratios)} raw)", f"{n / raw_s:.2f}/s", value=med,
                target=Target(">=", 0.9, "× raw")),
            Row("ingest", "pipeline time outside encode (load, clean, chunk, Chroma writes), median",
                f"{outside:.2f} s of {pipe_s:.1f} s ({100 * outside / pipe_s:.0f}%)"),
            Row("ingest", f"default ingest: passages + their {pairs[0]['sentences']} evidence sentences embedded "
                          "(KHABAR_EVIDENCE_VECTORS), warm, median",
                f"{fmt_s(full_s)} ({full_s / pipe_s:.2f}× passages only)", f"passages only {fmt_s(pipe_s)}"),
        )

    # ---- retrieval ----
    def bench_retrieval(self) -> None:
        from qa.retrieve import Retriever

        s = self.settings
        print("retrieval: pipeline Retriever vs naive VectorStoreIndex.as_retriever()", flush=True)
        self.info.append(f"retrieval: {load_text()} at start")
        gold = load_gold()
        qs = [g["question"] for g in pick_questions(gold, 20 if self.quick else 40, answerable_only=False)]
        retriever = Retriever.from_settings(self.store, self.embedder, s)
        retriever.search("warm-up query", s.top_k)  # builds BM25 once, like the first request of a server
        t = time.perf_counter()
        index, embed = naive_index(s, self.client, s.articles_dir, s.embed_threads)
        build_s = time.perf_counter() - t
        self.naive = (index, embed)
        systems: dict[str, Callable[[str], object]] = {"ours": lambda q: retriever.search(q, s.top_k)}
        for k in (2, 3):
            nret = index.as_retriever(similarity_top_k=k)
            nret.retrieve("warm-up query")
            systems[f"naive{k}"] = nret.retrieve
        # interleaved: each query goes to the three systems back to back (rotating order), so a change of
        # machine load hits all of them; REPEATS rounds, a ratio per round, then median [min-max]
        names = list(systems)
        rounds: list[dict[str, list[float]]] = []
        for rnd in range(REPEATS):
            times: dict[str, list[float]] = {n: [] for n in names}
            for qi, q in enumerate(qs):
                shift = (qi + rnd) % len(names)
                for name in names[shift:] + names[:shift]:
                    if name == "ours":
                        self.embedder._cache.clear()  # every query embedded for real, as the naive side does
                    t = time.perf_counter()
                    systems[name](q)
                    times[name].append((time.perf_counter() - t) * 1000)
            rounds.append(times)
        for q in qs:  # the rounds emptied the query-embedding cache: fill it once
            retriever.search(q, s.top_k)
        cached = []
        for q in qs:  # the same questions again: the query-embedding cache answers
            t = time.perf_counter()
            retriever.search(q, s.top_k)
            cached.append((time.perf_counter() - t) * 1000)
        p50 = {n: [percentile(r[n], 50) for r in rounds] for n in names}
        p95 = {n: [percentile(r[n], 95) for r in rounds] for n in names}
        speed = {k: [ratio(n, o) for n, o in zip(p50[f"naive{k}"], p50["ours"])] for k in (2, 3)}
        self.add(
            Row("retrieval", f"query p50 ({len(qs)} gold dev questions, ar+en, k={s.top_k}, embedding not cached; "
                             f"median [min–max] of {REPEATS} interleaved rounds)",
                fmt_spread(p50["ours"], " ms", 0), f"naive k=2 {fmt_spread(p50['naive2'], ' ms', 0)}",
                value=median_of(p50["ours"]), target=Target("<=", 150, " ms")),
            Row("retrieval", "query p95", fmt_spread(p95["ours"], " ms", 0),
                f"naive k=2 {fmt_spread(p95['naive2'], ' ms', 0)}; k=3 {fmt_spread(p95['naive3'], ' ms', 0)}"),
            Row("retrieval", "p50 speed-up vs naive as_retriever(similarity_top_k=2) (its default)",
                fmt_spread(speed[2]), f"naive k=2 p50 {fmt_spread(p50['naive2'], ' ms', 0)}",
                value=median_of(speed[2]), target=Target(">=", 1.5, "×")),
            Row("retrieval", "p50 speed-up vs naive as_retriever(similarity_top_k=3)",
                fmt_spread(speed[3]), f"naive k=3 p50 {fmt_spread(p50['naive3'], ' ms', 0)}",
                value=median_of(speed[3]), target=Target(">=", 1.5, "×")),
            Row("retrieval", "query p50, repeated question (query-embedding cache hit)",
                fmt_ms(percentile(cached, 50)), "no cache: " + fmt_ms(median_of(p50["naive2"]))),
        )
        self.info.append(f"naive index: {self.client.get_collection('bench_naive').count()} nodes (default SentenceSplitter), "
                         f"built in {build_s:.1f} s with HuggingFaceEmbedding in {s.embed_dtype} (the pipeline's dtype)")

    # ---- answers ----
    def load_llm(self) -> float:
        from qa.llm import load_local_llm

        t = time.perf_counter()
        self.llm = load_local_llm(self.settings)
        return time.perf_counter() - t

    def bench_answers(self) -> None:
        from qa.llm import STOP
        from qa.pipeline import Pipeline

        s = self.settings
        print("answers: pipeline vs raw llama-cpp (same prompt) vs naive as_query_engine()", flush=True)
        self.info.append(f"answers: {load_text()} at start")
        load_s = self.load_llm()
        self.info.append(f"LLM load {load_s:.1f} s; embedding model load {self.embed_load_s:.1f} s")
        questions = pick_questions(load_gold(), self.questions or ANSWER_QUESTIONS)
        llama = self.llm.llm
        rec = _Recorder(self.llm)
        pipe = Pipeline(s, self.store, self.embedder, rec)

        index, _ = self.naive
        wrapper = naive_llm(llama, s.max_answer_tokens, s.llm_ctx)
        engines = {k: index.as_query_engine(llm=wrapper, similarity_top_k=k, streaming=True) for k in (2, 3)}
        # One shared Llama, four systems: each call starts from that system's own steady state, i.e. the
        # KV cache holds its fixed prompt prefix (what llama.cpp keeps between two requests of one server),
        # never another system's prompt. The calls for a question run back to back (rotating order) so they
        # see the same machine load.
        prefixes = {"ours": fixed_prefix(llama, pipeline_prompt_pair()),
                    "naive2": fixed_prefix(llama, naive_prompt_pair())}
        prefixes["raw"] = prefixes["ours"]
        prefixes["naive3"] = prefixes["naive2"]

        def prime(system: str) -> None:
            llama.reset()
            if not self.reset_kv and prefixes[system]:
                llama.eval(prefixes[system])

        self.embedder._cache.clear()
        res: dict[str, list[dict]] = {"ours": [], "raw": [], "naive2": [], "naive3": []}
        names = ["ours", "raw", "naive2", "naive3"]
        matched = {n: 0 for n in names}
        for qi, g in enumerate(questions):
            order = names[qi % 4:] + names[:qi % 4]
            if order.index("raw") < order.index("ours"):  # raw replays the pipeline's prompt: after it
                order.remove("raw")
                order.insert(order.index("ours") + 1, "raw")
            for system in order:
                prime(system)
                if system == "ours":
                    res["ours"].append(self._ask_pipeline(pipe, rec, g))
                elif system == "raw":
                    res["raw"].append(self._ask_raw(llama, res["ours"][-1], STOP))
                else:
                    res[system].append(self._ask_naive(engines[int(system[-1])], wrapper, g, system))
                matched[system] += prefix_reused(llama, prefixes[system])
        self.info.append(
            "KV cache reset before each call (--reset-kv)" if self.reset_kv else
            f"KV cache primed before each call with that system's fixed prompt prefix (pipeline and raw "
            f"{len(prefixes['ours'])} tokens, naive {len(prefixes['naive2'])} tokens); the real prompt started with "
            f"it in {'/'.join(str(matched[n]) for n in names)} of {len(questions)} calls ({'/'.join(names)})")
        ours, naive2, naive3 = res["ours"], res["naive2"], res["naive3"]
        raw = [x for x in res["raw"] if x["whole"] is not None]

        def p50(xs, key):
            return percentile([x[key] for x in xs if x.get(key) is not None], 50)

        def block_ratios(other: list[dict], key: str) -> list[float | None]:
            """REPEATS blocks of consecutive questions: p50(other) / p50(ours) in each."""
            n_q = len(ours)
            bounds = [round(i * n_q / REPEATS) for i in range(REPEATS + 1)]
            return [ratio(p50(other[a:b], key), p50(ours[a:b], key)) for a, b in zip(bounds, bounds[1:]) if b > a]

        acc = {name: sum(x["ok"] for x in xs) for name, xs in res.items()}
        n = len(questions)
        nl = len([g for g in questions if g["lang"] == "ar"])
        label = f"{n} gold dev questions ({nl} ar, {n - nl} en)"
        tok = [o["tokens"] for o in ours if o["tokens"]]
        ntok = {k: [x["tokens"] for x in xs if x["tokens"]] for k, xs in (("naive2", naive2), ("naive3", naive3))}
        others = "raw llama-cpp {raw}; naive k=2 {n2}; k=3 {n3}"
        self.add(
            Row("answers", f"time to first token p50 ({label})", fmt_s(p50(ours, "first")),
                others.format(raw=fmt_s(p50(raw, "first")), n2=fmt_s(p50(naive2, "first")), n3=fmt_s(p50(naive3, "first"))),
                value=p50(ours, "first"), target=Target("<=", 5, " s")),
            Row("answers", "whole answer p50", fmt_s(p50(ours, "whole")),
                others.format(raw=fmt_s(p50(raw, "whole")), n2=fmt_s(p50(naive2, "whole")), n3=fmt_s(p50(naive3, "whole"))),
                value=p50(ours, "whole"), target=Target("<=", 12, " s")),
            Row("answers", "whole answer p95", fmt_s(percentile([o["whole"] for o in ours], 95)),
                others.format(raw=fmt_s(percentile([x["whole"] for x in raw], 95)),
                              n2=fmt_s(percentile([x["whole"] for x in naive2], 95)),
                              n3=fmt_s(percentile([x["whole"] for x in naive3], 95)))),
            Row("answers", "right (strict: whole tokens, question's language)", f"{acc['ours']}/{n}",
                others.format(raw=f"{acc['raw']}/{len(raw)}", n2=f"{acc['naive2']}/{n}", n3=f"{acc['naive3']}/{n}")),
        )
        for k, xs in ((2, naive2), (3, naive3)):
            whole = block_ratios(xs, "whole")
            self.add(Row("answers", f"speed-up vs naive as_query_engine(similarity_top_k={k}) (whole answer p50; "
                                    f"median [min–max] of {len(whole)} question blocks)",
                         fmt_spread(whole), f"first token {fmt_spread(block_ratios(xs, 'first'))}",
                         value=median_of(whole), target=Target(">=", 3, "×"),
                         also=acc["ours"] >= acc[f"naive{k}"], also_text=f"right ≥ naive k={k}"))
        self.add(Row("answers", "prompt tokens per answer, every LLM call counted (max; p50)",
                     f"{max(tok) if tok else 'n/a'}; {percentile(tok, 50) or 0:.0f} "
                     f"({max((o['calls'] for o in ours), default=0)} calls max)",
                     f"naive k=2 p50 {percentile(ntok['naive2'], 50) or 0:.0f}, k=3 p50 "
                     f"{percentile(ntok['naive3'], 50) or 0:.0f} ({max((x['calls'] for x in naive2 + naive3), default=0)} "
                     f"calls max)", value=max(tok) if tok else None, target=Target("<=", 400)))
        steps = {k: percentile([o["timings"].get(k) for o in ours if o["timings"].get(k) is not None], 50)
                 for k in ("retrieve_ms", "evidence_ms", "choose_ms")}
        self.add(Row("answers", "pipeline before first token, p50: retrieve / evidence / choose step",
                     " / ".join(fmt_ms(v) for v in steps.values())))
        errs = [x["err"] for x in naive2 + naive3 if x["err"]]
        if errs:
            self.info.append(f"naive errors ({len(errs)}): {errs[0]}")
        self.answers = res

    def _ask_pipeline(self, pipe, rec, g: dict) -> dict:
        from qa.answer import Answer
        from qa.prompt import ANSWER

        rec.calls.clear()
        t, first, answer = time.perf_counter(), None, None
        for ev in pipe.stream(g["question"]):
            if isinstance(ev, str) and first is None and ev.strip():
                first = time.perf_counter() - t
            elif isinstance(ev, Answer):
                answer = ev
        whole = time.perf_counter() - t
        final = next((m for kind, m in reversed(rec.calls) if kind == "stream"), None)
        choose = next((m for kind, m in rec.calls if kind == "choose"), None)
        if final is None and choose is not None:  # declined at step 1: raw gets the step-2 prompt for [1]
            final = choose + [{"role": "assistant", "content": "1"},
                              {"role": "user", "content": ANSWER[g["lang"]].format(n=1)}]
        tokens = [self.llm.count_tokens(m) for _, m in rec.calls]  # every call: choose, answer, any retry
        out = {"q": g, "first": first if first is not None else whole, "whole": whole,
               "ok": correct(answer.answer, g, answer.refused), "refused": answer.refused, "prompt": final,
               "tokens": sum(tokens) if tokens else None, "calls": len(tokens), "timings": answer.timings}
        print(f"    khabar {g['id']}: first {out['first']:.1f} s, whole {whole:.1f} s, "
              f"{'ok' if out['ok'] else 'miss'}: {answer.answer[:80]!r}", flush=True)
        return out

    def _ask_raw(self, llama, o: dict, stop) -> dict:
        """The raw llama-cpp call on the pipeline's final prompt for the same question."""
        if o["prompt"] is None:  # refused before the LLM: nothing to compare
            return {"first": None, "whole": None, "ok": False}
        t, first, text = time.perf_counter(), None, ""
        for part in llama.create_chat_completion(messages=o["prompt"], temperature=0.0, top_k=1,
                                                 max_tokens=self.settings.max_answer_tokens, stream=True, stop=stop):
            delta = part["choices"][0]["delta"].get("content")
            if delta:
                if first is None and delta.strip():
                    first = time.perf_counter() - t
                text += delta
        whole = time.perf_counter() - t
        return {"first": first if first is not None else whole, "whole": whole, "ok": correct(text, o["q"])}

    def _ask_naive(self, engine, wrapper, g: dict, label: str = "naive") -> dict:
        wrapper._seen.clear()
        t, first, text, err = time.perf_counter(), None, "", ""
        try:
            resp = engine.query(g["question"])
            for delta in resp.response_gen:
                if first is None and delta.strip():
                    first = time.perf_counter() - t
                text += delta
        except Exception as exc:  # e.g. a prompt longer than the context window
            err = f"{type(exc).__name__}: {exc}"[:120]
        whole = time.perf_counter() - t
        tokens = [self.llm.count_tokens(m) for m in wrapper._seen]
        out = {"first": first if first is not None else whole, "whole": whole, "ok": correct(text, g),
               "tokens": sum(tokens) if tokens else None, "calls": len(tokens), "err": err}
        print(f"    {label:6} {g['id']}: first {out['first']:.1f} s, whole {whole:.1f} s, "
              f"{'ok' if out['ok'] else 'miss'}{' ' + err if err else ''}: {text[:80]!r}", flush=True)
        return out

    # ---- scale ----
    def bench_scale(self, sizes: Sequence[int], workdir: Path) -> None:
        print(f"scale: {', '.join(f'{n:,}' for n in sizes)} synthetic articles ({SCALE_NOTE})", flush=True)
        self.info.append(f"scale: {load_text()} at start")
        sentences = seed_sentences(self.settings.articles_dir)
        results = []
        for n in sizes:
            corpus = workdir / f"syn{n}"
            synthetic_corpus(corpus, n, sentences, seed=0)
            out = workdir / f"scale{n}.json"
            cmd = [sys.executable, "-m", "eval.bench", "--scale-worker", str(corpus), "--worker-out", str(out),
                   "--worker-data", str(workdir / f"data{n}")]
            proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
            if proc.returncode != 0:
                self.info.append(f"scale {n}: worker failed: {proc.stderr.strip().splitlines()[-1:]}")
                results.append((n, None))
                continue
            results.append((n, json.loads(out.read_text())))
        for n, r in results:
            if r is None:
                self.add(Row("scale", f"{n:,} articles", "failed"))
                continue
            self.add(
                Row("scale", f"{n:,} articles: ingest s/chunk ({r['chunks']:,} chunks, {r['ingest_s']:.0f} s)",
                    f"{r['s_per_chunk'] * 1000:.1f} ms/chunk",
                    "real model ≈ " + (f"{self.real_s_per_chunk * 1000:,.0f} ms/chunk"
                                       if self.real_s_per_chunk else "n/a")),
                Row("scale", f"{n:,} articles: fused query p50 (first query {fmt_ms(r['first_query_ms'])})",
                    fmt_ms(r["query_p50_ms"]), f"p95 {fmt_ms(r['query_p95_ms'])}"),
                Row("scale", f"{n:,} articles: keyword index (FTS5) built from a full scan / a second retriever "
                             f"on the same files (open store, load index, first query; models aside, Chroma warm)",
                    fmt_ms(r.get("keyword_build_ms")), f"start {fmt_ms(r.get('replica_start_ms'))}, "
                    f"file {r.get('keyword_file_mb', 0):.0f} MB"),
                Row("scale", f"{n:,} articles: peak RSS ingest / after queries",
                    f"{fmt_mb(r['peak_ingest'])} / {fmt_mb(r['peak_query'])}",
                    f"RSS after 1st batch {fmt_mb(r['rss_first_batch'])}, at end {fmt_mb(r['rss_end'])}"),
            )
        ok = [(n, r) for n, r in results if r]
        if len(ok) >= 2:
            (n0, r0), (n1, r1) = ok[0], ok[-1]
            own0, own1 = ingest_working_set(r0), ingest_working_set(r1)
            self.add(Row("scale", f"raw peak RSS while ingesting, {n1:,} vs {n0:,} articles",
                         f"{fmt_x(ratio(r1['peak_ingest'], r0['peak_ingest']))} "
                         f"({fmt_mb(r0['peak_ingest'])} → {fmt_mb(r1['peak_ingest'])})", "",
                         value=ratio(r1["peak_ingest"], r0["peak_ingest"]), target=Target("<=", 1.25, "×")),
                     Row("scale", f"peak RSS − stored vectors, {n1:,} vs {n0:,} articles (what ingest itself holds)",
                         f"{fmt_x(ratio(own1, own0))} ({fmt_mb(own0)} → {fmt_mb(own1)})"))
            self.info.append(f"memory: the embedded Chroma keeps every vector in its in-process HNSW index "
                             f"((chunks + evidence sentences) × {SCALE_DIM} × 4 B = "
                             f"{fmt_mb(stored_vectors(r1) * SCALE_DIM * 4)} at {n1:,} articles: "
                             f"{r1['chunks']:,} + {r1.get('sentences', 0):,}); the flatness row subtracts that payload so it measures what ingest "
                             f"itself holds (batches of 16 articles). The keyword index is an FTS5 file built once, then kept in step "
                             f"with the store's change log.")


def ingest_working_set(result: dict) -> float:
    """Peak ingest RSS minus the raw size of the vectors the embedded store keeps in memory (chunks and
    their evidence sentences)."""
    return result["peak_ingest"] - stored_vectors(result) * SCALE_DIM * 4


def stored_vectors(result: dict) -> int:
    return result["chunks"] + result.get("sentences", 0)


def chatml(messages: Sequence[dict]) -> str:
    """The Qwen2.5 GGUF chat template (ChatML), as llama-cpp-python renders it for a completion."""
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages) + "<|im_start|>assistant\n"


def common_prefix(a: Sequence, b: Sequence) -> list:
    out = []
    for x, y in zip(a, b):
        if x != y:
            break
        out.append(x)
    return out


def pipeline_prompt_pair() -> tuple[list[dict], list[dict]]:
    """Two pipeline prompts with nothing in common but the template: their shared prefix is what a
    server's KV cache keeps from one question to the next."""
    from qa.evidence import Evidence
    from qa.prompt import choose_messages

    return (choose_messages("Who?", [Evidence(1, "a:0", "a", "t", "Alpha went north.", 0.0)]),
            choose_messages("ماذا؟", [Evidence(1, "b:0", "b", "u", "ذهب بيتا جنوبا.", 0.0)]))


def naive_prompt_pair() -> tuple[list[dict], list[dict]]:
    from llama_index.core.prompts.chat_prompts import CHAT_TEXT_QA_PROMPT

    def render(ctx: str, q: str) -> list[dict]:
        return [{"role": m.role.value, "content": m.content or ""}
                for m in CHAT_TEXT_QA_PROMPT.format_messages(context_str=ctx, query_str=q)]

    return render("Alpha went north.", "Who?"), render("ذهب بيتا جنوبا.", "ماذا؟")


def fixed_prefix(llama, pair: tuple[list[dict], list[dict]]) -> list[int]:
    a, b = (llama.tokenize(chatml(m).encode(), add_bos=False, special=True) for m in pair)
    return common_prefix(a, b)


def prefix_reused(llama, prefix: list[int]) -> bool:
    """After a call, the KV cache starts with the primed prefix: llama.cpp could reuse it."""
    return bool(prefix) and list(llama.input_ids[:len(prefix)]) == list(prefix)


class _Recorder:
    """Delegates to the real LLM and records every prompt the pipeline sends (for the raw baseline)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.calls: list[tuple[str, list[dict]]] = []

    def count_tokens(self, messages):
        return self.inner.count_tokens(messages)

    def choose(self, messages, k):
        self.calls.append(("choose", messages))
        return self.inner.choose(messages, k)

    def stream(self, messages, max_tokens):
        self.calls.append(("stream", messages))
        return self.inner.stream(messages, max_tokens)


# ---- the scale worker (a fresh process per corpus size, so peak RSS is its own) -----------------
def scale_worker(corpus: Path, data_dir: Path, out: Path) -> None:
    from index.ingest import ingest
    from index.store import Store
    from qa.retrieve import Retriever

    settings = Settings(data_dir=data_dir)
    store = Store(settings, name="bench_scale")
    emb = HashingEmbedder(SCALE_DIM)
    samples: list[int] = []
    inner = emb.embed_documents

    def embed_documents(texts, titles=None):  # one call per batch of 16 articles: sample RSS
        vecs = inner(texts, titles)
        samples.append(rss_bytes() or 0)
        return vecs

    emb.embed_documents = embed_documents  # type: ignore[method-assign]
    reset_peak_rss()
    rep = ingest(corpus, store, emb, settings, progress=False)
    peak_ingest = peak_rss_bytes()
    rss_end = rss_bytes()
    qs = [g["question"] for g in pick_questions(load_gold(), 20, answerable_only=False)]
    retriever = Retriever.from_settings(store, emb, settings)
    t = time.perf_counter()
    retriever.keywords()  # no keyword index file yet: the one full scan
    keyword_build = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    retriever.search(qs[0], settings.top_k)
    first = (time.perf_counter() - t) * 1000
    # a replica starting on this index (models aside): open the store, load the keyword index, first query
    t = time.perf_counter()
    replica = Retriever.from_settings(Store(settings, name="bench_scale"), emb, settings)
    replica.search(qs[1], settings.top_k)
    replica_start = (time.perf_counter() - t) * 1000
    assert replica.keywords().rebuilds == 0, "the keyword index file was rebuilt, not loaded"
    times = []
    for q in qs:
        t = time.perf_counter()
        retriever.search(q, settings.top_k)
        times.append((time.perf_counter() - t) * 1000)
    out.write_text(json.dumps({
        "articles": rep.articles, "chunks": rep.chunks, "sentences": store.sentences.count(), "ingest_s": rep.seconds,
        "s_per_chunk": rep.seconds / max(1, rep.chunks), "first_query_ms": first,
        "keyword_build_ms": keyword_build, "replica_start_ms": replica_start,
        "keyword_file_mb": store.keywords_path.stat().st_size / 1e6,
        "query_p50_ms": percentile(times, 50), "query_p95_ms": percentile(times, 95),
        "peak_ingest": peak_ingest, "peak_query": peak_rss_bytes(), "rss_end": rss_end,
        "rss_first_batch": samples[0] if samples else None,
    }))


def keyword_scale(n_chunks: int, workdir: Path, batch: int = 64) -> dict:
    """The keyword index alone at n_chunks synthetic ~200-word chunks of seed sentences (a small
    vocabulary: every common word matches most chunks, the worst case for BM25 ranking): full build,
    reopen (a replica's start), an incremental write of `batch` chunks, and the retriever's two queries
    per question (top 20, then the scores of 60 other candidates), p50 / p95 over 20 Arabic gold questions."""
    from index.keywords import Fts

    rng = random.Random(0)
    sentences = seed_sentences()
    texts = {}
    for i in range(n_chunks):
        words: list[str] = []
        while len(words) < 200:
            words += sentences[rng.randrange(len(sentences))].split()
        texts[f"syn{i}:0"] = " ".join(words[:200])
    path = workdir / "keywords.sqlite3"
    path.unlink(missing_ok=True)
    reset_peak_rss()
    t = time.perf_counter()
    fts = Fts(path)
    fts.replace(list(texts), texts)
    build = time.perf_counter() - t
    fts.close()
    t = time.perf_counter()
    fts = Fts(path)
    n = len(fts)
    # Arabic questions: English ones skip the keyword signal (KHABAR_DENSE_WEIGHT_EN = 1)
    qs = [g["question"] for g in pick_questions(load_gold(), 40, answerable_only=False) if g["lang"] == "ar"][:20]
    fts.top(qs[0], 20)
    reopen = (time.perf_counter() - t) * 1000
    ids = list(texts)
    t = time.perf_counter()
    fts.replace(ids[:batch], {cid: texts[cid] + " تحديث" for cid in ids[:batch]})
    write = (time.perf_counter() - t) * 1000
    times = []
    for q in qs:
        t = time.perf_counter()
        top = fts.top(q, 20)
        fts.scores(q, [ids[rng.randrange(n)] for _ in range(60)])
        times.append((time.perf_counter() - t) * 1000)
        assert top, q
    return {"chunks": n, "build_s": build, "file_mb": path.stat().st_size / 1e6, "reopen_first_query_ms": reopen,
            "write_ms": write, "batch": batch, "query_p50_ms": percentile(times, 50),
            "query_p95_ms": percentile(times, 95), "peak_rss": peak_rss_bytes()}


# ---- entry point -------------------------------------------------------------------------------
SECTIONS = ("ingest", "retrieval", "answers", "scale")


def settings_header(settings: Settings, quick: bool, sizes: Sequence[int]) -> list[str]:
    import torch

    return [
        f"khabar bench ({'quick' if quick else 'full'}) - {time.strftime('%Y-%m-%d %H:%M:%S')}",
        f"machine: {os.cpu_count()} CPUs; {load_text()} at start (while it computes, this bench itself adds ~2)",
        f"embedder: {settings.embed_model_path.name} dtype={settings.embed_dtype} batch={settings.embed_batch_size} "
        f"torch threads={settings.embed_threads} (torch.get_num_threads()={torch.get_num_threads()})",
        f"llm: {settings.llm_model_path.name} n_threads={settings.llm_threads} n_threads_batch={settings.llm_threads} "
        f"n_batch=512 n_ctx={settings.llm_ctx} max_tokens={settings.max_answer_tokens} greedy; "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}",
        f"pipeline: chunk {settings.chunk_words}/{settings.chunk_overlap_words} words, top_k={settings.top_k}, "
        f"dense_weight={settings.dense_weight} (ar) / {settings.dense_weight_en} (en), evidence {settings.evidence_sentences} sentences / "
        f"{settings.evidence_words} words, evidence vectors at ingest: {settings.evidence_vectors}, ingest batches of 16 articles",
        f"scale: {', '.join(f'{n:,}' for n in sizes)} synthetic articles (seed 0); {SCALE_NOTE} "
        f"({SCALE_DIM}-d signed crc32 bag of words)",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help=f"{ANSWER_QUESTIONS} answer questions, 20 queries x {REPEATS} rounds, scale 100 and 1,000")
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"comma list of {', '.join(SECTIONS)}")
    ap.add_argument("--scale", default=None, help="comma list of corpus sizes (overrides the default)")
    ap.add_argument("--embed-threads", type=int)
    ap.add_argument("--llm-threads", type=int)
    ap.add_argument("--batch-size", type=int)
    ap.add_argument("--dtype", choices=("bf16", "fp32"))
    ap.add_argument("--reset-kv", action="store_true", help="no KV-cache prefix reuse between questions")
    ap.add_argument("--questions", type=int, help=f"gold dev questions for the answers section (default {ANSWER_QUESTIONS})")
    ap.add_argument("--out", type=Path, help="also write the report to this file")
    ap.add_argument("--keyword-scale", type=int, metavar="N",
                    help="only the keyword index (FTS5) at N synthetic chunks: build, reopen, write, query; JSON")
    ap.add_argument("--scale-worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--worker-data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.keyword_scale:
        with tempfile.TemporaryDirectory(prefix="khabar-kw-") as tmp:
            print(json.dumps(keyword_scale(args.keyword_scale, Path(tmp))))
        return 0
    if args.scale_worker:
        scale_worker(args.scale_worker, args.worker_data, args.worker_out)
        return 0

    only = {x.strip() for x in args.only.split(",") if x.strip()}
    unknown = only - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections: {sorted(unknown)}")
    need = set(only)
    if "answers" in need:
        need |= {"ingest", "retrieval"}  # the answers reuse the seed index and the naive index
    if "retrieval" in need:
        need.add("ingest")
    sizes = tuple(int(x) for x in args.scale.split(",")) if args.scale else (SCALE_QUICK if args.quick else SCALE_FULL)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="khabar-bench-") as tmp:
        over = {k: v for k, v in {"embed_threads": args.embed_threads, "llm_threads": args.llm_threads,
                                  "embed_batch_size": args.batch_size, "embed_dtype": args.dtype}.items()
                if v is not None}
        settings = Settings(data_dir=Path(tmp) / "data", chroma_url=None, **over)
        header = settings_header(settings, args.quick, sizes)
        print("\n".join(header), flush=True)
        bench = Bench(settings, args.quick, reset_kv=args.reset_kv, questions=args.questions)
        if "ingest" in need:
            bench.bench_ingest()
        if "retrieval" in need:
            bench.bench_retrieval()
        if "answers" in need:
            bench.bench_answers()
        if "scale" in need:
            bench.bench_scale(sizes, Path(tmp))
        wall = time.perf_counter() - started
        report = ["", *header, "", format_table(bench.rows), "", *bench.info,
                  f"main process peak RSS {fmt_mb(peak_rss_bytes())}; {load_text()} at end; wall time {wall:,.0f} s",
                  targets_line(bench.rows)]
        print("\n".join(report), flush=True)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text("\n".join(report).lstrip() + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
