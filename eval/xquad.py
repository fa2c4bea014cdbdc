"""Cross-lingual paragraph-retrieval benchmark on XQuAD-format data:
`python -m eval.xquad [--data DIR] [--limit N] [--json] [--dense-weight W]`.

DIR holds `paragraphs.jsonl` ({"pid", "title", "text_ar", ...}) and `questions.jsonl`
({"qid", "pid", "question_en", "question_ar", ...}); default eval/data/xquad_dev.

The Arabic paragraphs are indexed with Khabar's own ingest pipeline (each paragraph written as
`<pid>.txt`, so article id = pid) into a throwaway Chroma collection in a temp data dir; every question
is then asked in English (en->ar) and in Arabic (ar->ar). Three systems, measured in the same run:

* khabar: qa.retrieve.Retriever(...).search(): chunk and sentence dense scores + BM25, fused;
* dense:  the same sentence-transformers model, encode_document on the raw paragraph text and
          encode_query on the question, cosine (numpy); no title, no chunking, no fusion;
* bm25:   index.keywords.Fts (FTS5 BM25 over Arabic-normalised tokens) over the raw paragraphs.

Metrics are at paragraph level: R@1, R@5 (the gold paragraph among the first 1 / 5 distinct
paragraphs) and MRR over the first 10 distinct paragraphs. Khabar's ranking is its top 20 chunks
reduced to distinct paragraphs (search(q, 20)[:5] == search(q, 5): the fusion always looks at 20
candidates). Tune --dense-weight on this dev split only.

With `--answers` it measures answers instead (`python -m eval.xquad --answers [--split test|dev|all]
[--llm none|local|openai] [--limit N] [--json]`): the Arabic paragraphs of the split's articles are
indexed, except the last quarter of the articles, which are held out; every question of an indexed
article is asked through the full pipeline in English and in Arabic and scored with eval.metrics
(`right`, EM, token F1 against answers_en / answers_ar); every question of a held-out article is asked
too and should be refused (`refused_unanswerable`). Articles are numbered by the pid prefix
("<article>-<paragraph>"): dev = 0-11 (tune here), test = 12-23 (report here). `--limit N` keeps the
first N articles of the split.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from index.joined import way_name
from qa.config import QASettings as Settings

from . import metrics as M
from .args import EXIT_INPUT, EXIT_SETUP, EXIT_USAGE, OneLineParser, positive_int, run_cli  # noqa: F401
from .xquad_answers import (ANSWER_LANGS, COLLECTION, SPLITS, answer_split, answers_benchmark,  # noqa: F401
                            answers_table, fmt3, rounded, score_answer)
from .xquad_data import DEFAULT_DATA, XquadError, article_number, load, select, write_paragraphs  # noqa: F401

SYSTEMS = ("khabar", "dense", "bm25")
DIRECTIONS = {"en_ar": "question_en", "ar_ar": "question_ar"}
MRR_DEPTH = 10
KHABAR_CHUNKS = 20

Encode = Callable[[Sequence[str]], "object"]


# ---- systems ------------------------------------------------------------------------------
def dense_encoders(embedder, batch_size: int = 8) -> tuple[Encode, Encode]:
    """(encode documents, encode queries) for the plain-dense baseline: the embedder's own
    sentence-transformers model (encode_document / encode_query, no title) when it has one, else the
    embedder's embed_documents (no titles) / embed_queries (fakes in tests)."""
    model = getattr(embedder, "model", None)
    if model is not None and hasattr(model, "encode_document") and hasattr(model, "encode_query"):
        kw = dict(batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        lock = getattr(embedder, "_lock", None)

        def run(fn, texts):
            if lock is None:
                return fn(list(texts), **kw)
            with lock:
                return fn(list(texts), **kw)

        return (lambda texts: run(model.encode_document, texts)), (lambda texts: run(model.encode_query, texts))
    return (lambda texts: embedder.embed_documents(list(texts), None)), (lambda texts: embedder.embed_queries(list(texts)))


def _unit(matrix):
    import numpy as np

    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1.0, norms)



def _scores(result: dict[str, list[float]]) -> dict:
    return {"R@1": M.mean(result["r1"]), "R@5": M.mean(result["r5"]), "MRR": M.mean(result["rr"])}



def _record(results: dict, system: str, direction: str, ranking: list[str], target: str) -> None:
    r = results[system][direction]
    r["r1"].append(M.hit_at_k(ranking, [target], 1))
    r["r5"].append(M.hit_at_k(ranking, [target], 5))
    r["rr"].append(M.reciprocal_rank(ranking, [target], MRR_DEPTH))


def _baselines(results: dict, pids: list[str], texts: list[str], queries: dict[str, list[str]], gold: list[str],
               encoders: tuple[Encode, Encode]) -> None:
    """Plain dense and plain BM25 over the raw paragraphs."""
    import numpy as np

    from index.keywords import Fts

    encode_docs, encode_queries = encoders
    doc_matrix = _unit(encode_docs(texts))
    bm25 = Fts.from_texts(pids, texts)
    for direction, qs in queries.items():
        live = [i for i, q in enumerate(qs) if q.strip()]
        q_matrix = _unit(encode_queries([qs[i] for i in live])) if live else None
        for row, i in enumerate(live):
            sims = doc_matrix @ q_matrix[row]
            order = np.argsort(-sims, kind="stable")[:MRR_DEPTH]
            _record(results, "dense", direction, [pids[j] for j in order], gold[i])
            _record(results, "bm25", direction, [pid for pid, _ in bm25.top(qs[i], MRR_DEPTH)], gold[i])


def _khabar(results: dict, paragraphs: list[dict], queries: dict[str, list[str]], gold: list[str], embedder,
            settings: Settings, progress: bool) -> tuple[int, object]:
    """Khabar's ingest pipeline into a throwaway collection, then its Retriever; (chunks, ingest report)."""
    from tqdm import tqdm

    from index.ingest import ingest
    from index.store import Store
    from qa.retrieve import Retriever

    with tempfile.TemporaryDirectory(prefix="khabar-xquad-") as tmp:
        folder = Path(tmp) / "paragraphs"
        pid_of = {stem: pid for pid, stem in write_paragraphs(folder, paragraphs).items()}
        settings = settings.model_copy(update={"data_dir": Path(tmp) / "data", "chroma_url": None,
                                               "collection": COLLECTION, "articles_dir": folder})
        store = Store(settings, name=COLLECTION)
        report = ingest(folder, store, embedder, settings, progress=progress)
        retriever = Retriever.from_settings(store, embedder, settings)
        jobs = [(d, i) for d, qs in queries.items() for i, q in enumerate(qs) if q.strip()]
        for direction, i in tqdm(jobs, desc="xquad", unit="q", file=sys.stderr, disable=not progress):
            hits, _ = retriever.search(queries[direction][i], KHABAR_CHUNKS)
            ranking = M.dedupe(pid_of.get(h.article_id, h.article_id) for h in hits)[:MRR_DEPTH]
            _record(results, "khabar", direction, ranking, gold[i])
        chunks = store.count()
        del retriever, store
    return chunks, report


def benchmark(data_dir: Path, embedder, settings: Settings | None = None, limit: int | None = None,
              dense_weight: float | None = None, progress: bool = False,
              encoders: tuple[Encode, Encode] | None = None) -> dict:
    """Run the three systems on DIR. `embedder` is Khabar's (real or fake); `encoders` overrides the
    plain-dense baseline's (documents, queries) encoders, default dense_encoders(embedder)."""
    started = time.perf_counter()
    base = settings or Settings()
    weight = base.dense_weight if dense_weight is None else dense_weight
    paragraphs, questions = select(*load(data_dir), limit)
    pids = [str(p["pid"]) for p in paragraphs]
    queries = {d: [str(q.get(field) or "") for q in questions] for d, field in DIRECTIONS.items()}
    gold = [str(q["pid"]) for q in questions]
    results = {s: {d: {"r1": [], "r5": [], "rr": []} for d in DIRECTIONS} for s in SYSTEMS}
    _baselines(results, pids, [str(p["text_ar"]) for p in paragraphs], queries, gold,
               encoders or dense_encoders(embedder, base.embed_batch_size))
    chunks, report = _khabar(results, paragraphs, queries, gold, embedder,
                             base.model_copy(update={"dense_weight": weight}), progress)
    out = rounded({s: {d: _scores(results[s][d]) for d in DIRECTIONS} for s in SYSTEMS})
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["meta"] = {"data": str(data_dir), "questions": len(questions), "paragraphs": len(paragraphs),
                   "chunks": chunks, "ingest_seconds": round(report.seconds, 1),
                   "skipped_paragraphs": [s.file for s in report.skipped],
                   "dense_weight": weight, "sentence_weight": base.sentence_weight, "mrr_depth": MRR_DEPTH,
                   "sentence_vectors": way_name(base.sentence_vectors), "sentence_dim": base.sentence_dim,
                   "queries": {d: len(results["khabar"][d]["r1"]) for d in DIRECTIONS}}
    return out


# ---- output -------------------------------------------------------------------------------
def table(result: dict) -> str:
    meta = result.get("meta", {})
    lines = [f"XQuAD ({meta.get('data', '')}): {meta.get('questions')} questions x 2 directions, "
             f"{meta.get('paragraphs')} Arabic paragraphs ({meta.get('chunks')} chunks), "
             f"khabar dense_weight={meta.get('dense_weight')}, sentence_weight={meta.get('sentence_weight')}, "
             f"sentence vectors {meta.get('sentence_vectors')}"
             + (f" cut to {meta['sentence_dim']}-d" if meta.get("sentence_dim") else "") + f", {result['seconds']} s",
             "",
             "| system | en→ar R@1 | en→ar R@5 | en→ar MRR | ar→ar R@1 | ar→ar R@5 | ar→ar MRR |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for s in SYSTEMS:
        cells = [fmt3(result[s][d][m]) for d in DIRECTIONS for m in ("R@1", "R@5", "MRR")]
        lines.append(f"| {s} | " + " | ".join(cells) + " |")
    if meta.get("skipped_paragraphs"):
        lines.append(f"\nwarning: {len(meta['skipped_paragraphs'])} paragraph(s) skipped by ingest")
    return "\n".join(lines)



def _weight(value: str) -> float:
    try:
        w = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= w <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {w}")
    return w


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="python -m eval.xquad", description="Cross-lingual paragraph retrieval on XQuAD-format data.",
                      error_class=XquadError)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with paragraphs.jsonl and questions.jsonl")
    p.add_argument("--limit", type=positive_int, default=None, help="only the first N questions")
    p.add_argument("--json", action="store_true", help="last stdout line: the scores as one JSON object")
    p.add_argument("--dense-weight", type=_weight, default=None,
                   help="khabar's fusion weight (default KHABAR_DENSE_WEIGHT / settings.dense_weight)")
    p.add_argument("--answers", action="store_true",
                   help="answer the questions through the pipeline and score right / EM / F1 and refusals")
    p.add_argument("--split", choices=list(SPLITS), default="test",
                   help="with --answers: articles 0-11 (dev), 12-23 (test, default) or all")
    p.add_argument("--llm", choices=["none", "local", "openai"], default=None,
                   help="with --answers: none = extractive answers (default: KHABAR_LLM)")
    p.add_argument("--details", type=Path, default=None,
                   help="with --answers: write one JSON line per question (answer, scores, notes) to this file")
    return p



def _run(argv: list[str] | None, started: float) -> int:
    args = parser().parse_args(argv)
    load(args.data)  # fail on bad data before loading the model
    from index.config import offline_env

    offline_env()
    settings = Settings()
    if args.dense_weight is not None:
        settings = settings.model_copy(update={"dense_weight": args.dense_weight})
    if args.answers:
        from qa.pipeline import Pipeline

        result = answers_benchmark(args.data, settings, lambda s: Pipeline.from_settings(s, llm=args.llm),
                                   args.split, args.limit, progress=sys.stderr.isatty(), details=args.details)
        result["seconds"] = round(time.perf_counter() - started, 1)
        print(answers_table(result))
        if args.json:
            print(json.dumps({k: result[k] for k in ("en", "ar", "refused_unanswerable", "false_refusals",
                                                     "seconds")}, ensure_ascii=False))
        return 0
    from index.embed import load_embedder

    result = benchmark(args.data, load_embedder(settings), settings, args.limit, args.dense_weight,
                       progress=sys.stderr.isatty())
    result["seconds"] = round(time.perf_counter() - started, 1)  # the whole run, model load included
    print(table(result))
    if args.json:
        print(json.dumps({k: result[k] for k in (*SYSTEMS, "seconds")}, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    return run_cli("eval.xquad", lambda: _run(argv, started))


if __name__ == "__main__":
    sys.exit(main())
