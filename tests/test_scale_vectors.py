"""eval.scale_vectors (the 10^5-chunk fused search with synthetic vectors) at a tiny size, and the bench
rows it feeds (eval/bench_load.py)."""
from __future__ import annotations

from pathlib import Path

from eval.bench_load import growth_rows, vector_rows
from eval.scale_vectors import RandomEmbedder, run


def test_random_embedder_is_deterministic_unit_768():
    e = RandomEmbedder()
    a, b = e.embed_queries(["x", "x"])
    assert a == b and len(a) == 768 and abs(sum(v * v for v in a) - 1) < 1e-4
    assert e.embed_queries(["y"])[0] != a


def test_tiny_run_measures_every_figure(tmp_path: Path):
    (r,) = run([120], server=False, per_chunk=2, workdir=tmp_path)
    assert r["chunks"] == 120 and r["sentences"] == 240
    for key in ("chunks_per_s", "ar_p50_ms", "ar_p95_ms", "en_p50_ms", "keyword_build_s", "replica_start_s",
                "replica_first_query_ms", "peak_rss_mb"):
        assert r[key] > 0, key
    assert r["ar_p50_ms"] <= r["ar_p95_ms"]
    rows = vector_rows(r)
    assert [row.met for row in rows if row.target] and all(row.khabar for row in rows)
    big = {**r, "size": 1200, "ar_p50_ms": r["ar_p50_ms"] * 20, "replica_start_s": r["replica_start_s"] * 1.1,
           "peak_rss_mb": r["peak_rss_mb"] * 2}
    p50, start, rss = growth_rows(r, big)
    assert p50.met is False and start.met and rss.met, "sub-linear means under 10x for 10x the chunks"


def test_a_run_with_cut_sentence_vectors_stores_them_cut(tmp_path: Path, monkeypatch):
    """KHABAR_SENTENCE_DIM reaches the worker: its store holds the sentence vectors cut, the chunks whole."""
    from index.store import Store
    from qa.config import QASettings

    monkeypatch.setenv("KHABAR_SENTENCE_DIM", "32")
    (r,) = run([40], server=False, per_chunk=2, workdir=tmp_path)
    assert r["sentence_dim"] == 32 and r["sentences"] == 80
    assert "cut to 32-d" in vector_rows(r)[0].metric
    store = Store(QASettings(data_dir=tmp_path / "data40"), name="vec")
    assert {len(v) for v in store.sentences.get(include=["embeddings"])["embeddings"]} == {32}
    assert {len(v) for v in store.collection.get(include=["embeddings"])["embeddings"]} == {768}
