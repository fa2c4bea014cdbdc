"""Bench section `scale`: synthetic corpora (seed sentences shuffled into new articles, fixed seed) of
100 / 1,000 / 10,000 articles: ingest s/chunk, query p50, keyword index build and a replica's start, raw
peak RSS; each size in a fresh subprocess (`--scale-worker`) so its peak RSS is its own. The rows use a
hashing embedder to isolate store/ingest overhead. Also `--keyword-scale N`: the keyword index alone."""
from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

from index.config import REPO_ROOT
from qa.config import QASettings as Settings
from index.embed import HashingEmbedder

from .bench_data import (load_gold, peak_rss_bytes, pick_questions, reset_peak_rss, rss_bytes, seed_sentences,
                         synthetic_corpus)
from .bench_report import Row, Target, fmt_mb, fmt_ms, fmt_x, load_text, percentile, ratio

SCALE_FULL = (100, 1_000, 10_000)
SCALE_QUICK = (100, 1_000)
SCALE_DIM = 768  # the real model's width, so Chroma does the same work per vector
SCALE_NOTE = "scale rows use a hashing embedder to isolate store/ingest overhead"


def run(b, sizes: Sequence[int], workdir: Path) -> None:
    """Adds the scale rows to the Bench `b`: one worker process per corpus size."""
    print(f"scale: {', '.join(f'{n:,}' for n in sizes)} synthetic articles ({SCALE_NOTE})", flush=True)
    b.info.append(f"scale: {load_text()} at start")
    sentences = seed_sentences(b.settings.articles_dir)
    results = []
    for n in sizes:
        corpus = workdir / f"syn{n}"
        synthetic_corpus(corpus, n, sentences, seed=0)
        out = workdir / f"scale{n}.json"
        cmd = [sys.executable, "-m", "eval.bench", "--scale-worker", str(corpus), "--worker-out", str(out),
               "--worker-data", str(workdir / f"data{n}")]
        proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            b.info.append(f"scale {n}: worker failed: {proc.stderr.strip().splitlines()[-1:]}")
            results.append((n, None))
            continue
        results.append((n, json.loads(out.read_text())))
    for n, r in results:
        b.add(*size_rows(n, r, b.real_s_per_chunk))
    ok = [(n, r) for n, r in results if r]
    if len(ok) >= 2:
        _memory_rows(b, ok[0], ok[-1])


def size_rows(n: int, r: dict | None, real_s_per_chunk: float | None) -> list[Row]:
    if r is None:
        return [Row("scale", f"{n:,} articles", "failed")]
    return [
        Row("scale", f"{n:,} articles: ingest s/chunk ({r['chunks']:,} chunks, {r['ingest_s']:.0f} s)",
            f"{r['s_per_chunk'] * 1000:.1f} ms/chunk",
            "real model ≈ " + (f"{real_s_per_chunk * 1000:,.0f} ms/chunk" if real_s_per_chunk else "n/a")),
        Row("scale", f"{n:,} articles: fused query p50 (first query {fmt_ms(r['first_query_ms'])})",
            fmt_ms(r["query_p50_ms"]), f"p95 {fmt_ms(r['query_p95_ms'])}"),
        Row("scale", f"{n:,} articles: keyword index (FTS5) built from a full scan / a second retriever "
                     f"on the same files (open store, load index, first query; models aside, Chroma warm)",
            fmt_ms(r.get("keyword_build_ms")), f"start {fmt_ms(r.get('replica_start_ms'))}, "
            f"file {r.get('keyword_file_mb', 0):.0f} MB"),
        Row("scale", f"{n:,} articles: peak RSS ingest / after queries",
            f"{fmt_mb(r['peak_ingest'])} / {fmt_mb(r['peak_query'])}",
            f"RSS after 1st batch {fmt_mb(r['rss_first_batch'])}, at end {fmt_mb(r['rss_end'])}"),
    ]


def _memory_rows(b, small: tuple[int, dict], large: tuple[int, dict]) -> None:
    (n0, r0), (n1, r1) = small, large
    own0, own1 = ingest_working_set(r0), ingest_working_set(r1)
    b.add(Row("scale", f"raw peak RSS while ingesting, {n1:,} vs {n0:,} articles",
              f"{fmt_x(ratio(r1['peak_ingest'], r0['peak_ingest']))} "
              f"({fmt_mb(r0['peak_ingest'])} → {fmt_mb(r1['peak_ingest'])})", "",
              value=ratio(r1["peak_ingest"], r0["peak_ingest"]), target=Target("<=", 1.25, "×")),
          Row("scale", f"peak RSS − stored vectors, {n1:,} vs {n0:,} articles (what ingest itself holds)",
              f"{fmt_x(ratio(own1, own0))} ({fmt_mb(own0)} → {fmt_mb(own1)})"))
    b.info.append(f"memory: the embedded Chroma keeps every vector in its in-process HNSW index "
                  f"((chunks + evidence sentences) × {SCALE_DIM} × 4 B = "
                  f"{fmt_mb(stored_vectors(r1) * SCALE_DIM * 4)} at {n1:,} articles: "
                  f"{r1['chunks']:,} + {r1.get('sentences', 0):,}); the flatness row subtracts that payload so it "
                  f"measures what ingest itself holds (batches of 16 articles). The keyword index is an FTS5 file "
                  f"built once, then kept in step with the store's change log.")


def ingest_working_set(result: dict) -> float:
    """Peak ingest RSS minus the raw size of the vectors the embedded store keeps in memory (chunks and
    their evidence sentences)."""
    return result["peak_ingest"] - stored_vectors(result) * SCALE_DIM * 4


def stored_vectors(result: dict) -> int:
    return result["chunks"] + result.get("sentences", 0)


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

