"""Bench section `ingest`: the seed corpus indexed from scratch (embedding-model load included), then the
pipeline's passages/s against a raw sentence-transformers `encode` of the same chunk texts, and the ingest
with the sentence signal each way (KHABAR_SENTENCE_VECTORS late / separate / pooled / joined) against the passage-only
ingest, in back-to-back rounds in rotating order (a ratio per round, then median [min-max])."""
from __future__ import annotations

import statistics
import time

from .bench_report import REPEATS, Row, Target, fmt_s, fmt_spread, load_text


def load_embedder(b) -> None:
    from index.embed import load_embedder as load

    t = time.perf_counter()
    b.embedder = load(b.settings)
    b.embed_load_s = time.perf_counter() - t


def run(b) -> None:
    """Adds the ingest rows to the Bench `b`; leaves b.embedder, b.client and b.store (the seed corpus)."""
    from index.ingest import ingest
    from index.store import Store, make_client

    s = b.settings
    print("ingest: embedding model load + seed corpus from scratch", flush=True)
    b.info.append(f"ingest: {load_text()} at start")
    load_embedder(b)
    b.client = make_client(s)
    b.store = Store(s, name="bench_seed", client=b.client)
    rep = ingest(s.articles_dir, b.store, b.embedder, s, progress=False)
    scratch = b.embed_load_s + rep.seconds
    n = rep.chunks
    b.add(Row("ingest", f"seed corpus from scratch ({rep.articles} articles, {n} chunks), model load incl.",
              f"{fmt_s(scratch)} (load {b.embed_load_s:.1f} s + ingest {rep.seconds:.1f} s)",
              value=scratch, target=Target("<", 30, " s")))
    texts = [b.embedder._doc_text(doc, meta.get("title")) for _, doc, meta in b.store.iter_chunks()]
    pairs = _rounds(b, texts)
    ratios = [p["raw"] / p["pipe"] for p in pairs]
    pipe_s = statistics.median(p["pipe"] for p in pairs)
    raw_s = statistics.median(p["raw"] for p in pairs)
    outside = statistics.median(p["pipe"] - p["encode"] for p in pairs)
    b.real_s_per_chunk = pipe_s / n
    b.add(
        Row("ingest", "pipeline passages/s vs raw sentence-transformers encode (same chunks, warm, passages only; "
                      f"median [min–max] of {REPEATS} back-to-back rounds)",
            f"{n / pipe_s:.2f}/s ({fmt_spread(ratios)} raw)", f"{n / raw_s:.2f}/s", value=statistics.median(ratios),
            target=Target(">=", 0.9, "× raw")),
        Row("ingest", "pipeline time outside encode (load, clean, chunk, Chroma writes), median",
            f"{outside:.2f} s of {pipe_s:.1f} s ({100 * outside / pipe_s:.0f}%)"),
    )
    for way in sorted(WAYS, key=lambda w: w != s.sentence_vectors):  # the configured way first, with the target
        full = [p[way] / p["pipe"] for p in pairs]
        configured = way == s.sentence_vectors
        b.add(Row("ingest", f"ingest with the sentence signal: passages + their {pairs[0]['sentences']} evidence "
                            f"sentences, KHABAR_SENTENCE_VECTORS={way} ({WAYS[way]}"
                            f"{', configured' if configured else ''}), warm, median",
                  f"{fmt_s(statistics.median(p[way] for p in pairs))} ({fmt_spread(full)} passages only)",
                  f"passages only {fmt_s(pipe_s)}", value=statistics.median(full) if configured else None,
                  target=Target("<=", 1.2, "× passages only") if configured else None))


WAYS = {"late": "pooled from each chunk's own encode", "separate": "each sentence encoded again",
        "pooled": "only sentences encoded, chunk vector = their mean",
        "joined": "only sentences encoded, chunk vector = the last layers run over their joined token states"}


def _rounds(b, texts: list[str]) -> list[dict]:
    """REPEATS rounds of: raw encode of the chunk texts, the pipeline with passages only (`pipe`, with the
    time spent in encode), and the pipeline with its evidence sentences each way (`late`, `separate`,
    `pooled`, `joined`); the order rotates (each round starts one item later; with 6 items and 5 rounds
    no item takes the same position twice). The machine is shared and its load drifts, so two best-ofs taken minutes apart are not
    comparable; a ratio within each round is."""
    from index.ingest import ingest
    from index.store import Store

    s = b.settings
    spent = [0.0]
    inner = b.embedder.embed_documents

    def timed_embed(texts_, titles=None):
        t0 = time.perf_counter()
        try:
            return inner(texts_, titles)
        finally:
            spent[0] += time.perf_counter() - t0

    passages_only = s.model_copy(update={"evidence_vectors": False})
    ways = {w: s.model_copy(update={"evidence_vectors": True, "sentence_vectors": w}) for w in WAYS}
    items = ("raw", "pipe", "late", "separate", "pooled", "joined")
    step = 2 if len(items) % 2 else 1  # a step coprime with the count: each order holds every item once
    orders = [tuple(items[(i + k * step) % len(items)] for k in range(len(items))) for i in range(len(items))]
    pairs: list[dict] = []
    for rep_i in range(REPEATS):
        pair: dict = {}
        for which in orders[rep_i % len(orders)]:
            if which == "raw":
                t = time.perf_counter()
                b.embedder.model.encode(texts, prompt="", batch_size=s.embed_batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=False)
                pair["raw"] = time.perf_counter() - t
                continue
            warm = Store(s, name=f"bench_warm{rep_i}", client=b.client)
            spent[0] = 0.0
            b.embedder.embed_documents = timed_embed
            try:
                pair[which] = ingest(s.articles_dir, warm, b.embedder, passages_only if which == "pipe" else ways[which],
                                     progress=False).seconds
            finally:
                del b.embedder.embed_documents  # back to the class method
            if which == "pipe":
                pair["encode"] = spent[0]
            else:
                pair["sentences"] = warm.sentences.count()
            warm.drop()
        pairs.append(pair)
    return pairs
