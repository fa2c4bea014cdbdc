"""Bench section `retrieval`: per-query p50 / p95 of qa.retrieve.Retriever (dense + BM25 fusion, query
embedding not cached) against a naive LlamaIndex VectorStoreIndex(...).as_retriever() at
similarity_top_k=2 (its default) and 3, on the same model folder in the same dtype. The three are timed
interleaved per query (rotating order) in REPEATS rounds; every ratio is the median [min-max] of the
rounds' ratios and targets test the median."""
from __future__ import annotations

import time
from typing import Callable

from .bench_data import load_gold, pick_questions
from .bench_report import (REPEATS, Row, Target, fmt_ms, fmt_spread, load_text, median_of, percentile,
                           ratio)


def run(b) -> None:
    """Adds the retrieval rows to the Bench `b` (which has run the ingest section); leaves b.naive."""
    from qa.retrieve import Retriever

    from .bench_naive import naive_index

    s = b.settings
    print("retrieval: pipeline Retriever vs naive VectorStoreIndex.as_retriever()", flush=True)
    b.info.append(f"retrieval: {load_text()} at start")
    qs = [g["question"] for g in pick_questions(load_gold(), 20 if b.quick else 40, answerable_only=False)]
    retriever = Retriever.from_settings(b.store, b.embedder, s)
    retriever.search("warm-up query", s.top_k)  # builds BM25 once, like the first request of a server
    t = time.perf_counter()
    index, embed = naive_index(s, b.client, s.articles_dir, s.embed_threads)
    build_s = time.perf_counter() - t
    b.naive = (index, embed)
    systems: dict[str, Callable[[str], object]] = {"ours": lambda q: retriever.search(q, s.top_k)}
    for k in (2, 3):
        nret = index.as_retriever(similarity_top_k=k)
        nret.retrieve("warm-up query")
        systems[f"naive{k}"] = nret.retrieve
    rounds = _rounds(b, systems, qs)
    cached = _cached(retriever, qs, s.top_k)
    _rows(b, rounds, cached, len(qs))
    b.info.append(f"naive index: {b.client.get_collection('bench_naive').count()} nodes (default SentenceSplitter), "
                  f"built in {build_s:.1f} s with HuggingFaceEmbedding in {s.embed_dtype} (the pipeline's dtype)")


def _rounds(b, systems: dict[str, Callable[[str], object]], qs: list[str]) -> list[dict[str, list[float]]]:
    """Interleaved: each query goes to every system back to back (rotating order), so a change of machine
    load hits all of them; REPEATS rounds of per-query milliseconds."""
    names = list(systems)
    rounds: list[dict[str, list[float]]] = []
    for rnd in range(REPEATS):
        times: dict[str, list[float]] = {n: [] for n in names}
        for qi, q in enumerate(qs):
            shift = (qi + rnd) % len(names)
            for name in names[shift:] + names[:shift]:
                if name == "ours":
                    b.embedder._cache.clear()  # every query embedded for real, as the naive side does
                t = time.perf_counter()
                systems[name](q)
                times[name].append((time.perf_counter() - t) * 1000)
        rounds.append(times)
    return rounds


def _cached(retriever, qs: list[str], k: int) -> list[float]:
    """Per-query milliseconds of the same questions again, answered by the query-embedding cache."""
    for q in qs:  # the rounds emptied the query-embedding cache: fill it once
        retriever.search(q, k)
    cached = []
    for q in qs:
        t = time.perf_counter()
        retriever.search(q, k)
        cached.append((time.perf_counter() - t) * 1000)
    return cached


def _rows(b, rounds: list[dict[str, list[float]]], cached: list[float], n_questions: int) -> None:
    names = list(rounds[0])
    p50 = {n: [percentile(r[n], 50) for r in rounds] for n in names}
    p95 = {n: [percentile(r[n], 95) for r in rounds] for n in names}
    speed = {k: [ratio(n, o) for n, o in zip(p50[f"naive{k}"], p50["ours"])] for k in (2, 3)}
    b.add(
        Row("retrieval", f"query p50 ({n_questions} gold dev questions, ar+en, k={b.settings.top_k}, embedding not "
                         f"cached; median [min–max] of {REPEATS} interleaved rounds)",
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
