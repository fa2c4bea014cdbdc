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

Modules: bench_report (rows, targets, table, formats), bench_data (questions, synthetic corpus, RSS),
bench_ingest, bench_retrieval, bench_answers (+ bench_naive, the LlamaIndex baseline), bench_scale.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from index.config import offline_env
from index.joined import way_name
from qa.config import QASettings as Settings

offline_env()  # before torch / llama_cpp / chromadb are imported anywhere below

from . import bench_answers, bench_ingest, bench_load, bench_retrieval, bench_scale  # noqa: E402
from .bench_answers import ANSWER_QUESTIONS  # noqa: E402
from .bench_data import (DEFAULT_GOLD, correct, load_gold, peak_rss_bytes, pick_questions,  # noqa: E402,F401
                         seed_sentences, synthetic_corpus)
from .bench_report import (REPEATS, Row, Target, fmt_mb, fmt_spread, format_table, load_text,  # noqa: E402,F401
                           median_of, percentile, spread, target_rows, targets_line)
from .bench_scale import (SCALE_DIM, SCALE_FULL, SCALE_NOTE, SCALE_QUICK, ingest_working_set,  # noqa: E402,F401
                          keyword_scale, scale_worker)

SECTIONS = ("ingest", "retrieval", "answers", "scale")
EXTRA_SECTIONS = ("load", "vectors")  # opt-in (eval/bench_load.py): minutes of load, 10^5 chunks


@dataclass
class Bench:
    """What the sections share: settings, the rows and notes they add, and the models and indexes that
    are loaded once (the LLM and the embedder never run at the same time)."""

    settings: Settings
    quick: bool
    rows: list[Row] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    embedder: object = None
    llm: object = None  # qa.llm.LlamaCppLLM
    client: object = None  # the Chroma client of the temp data dir
    store: object = None  # the seed corpus, indexed by the pipeline
    naive: object = None  # (VectorStoreIndex, HuggingFaceEmbedding)
    embed_load_s: float = 0.0
    real_s_per_chunk: float | None = None
    reset_kv: bool = False
    questions: int | None = None
    answers: dict | None = None

    def add(self, *rows: Row) -> None:
        self.rows += rows
        for r in rows:
            print(f"  {r.section:9} {r.metric}: {r.khabar}" + (f" | baseline {r.baseline}" if r.baseline else ""),
                  flush=True)


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
        f"{settings.evidence_words} words, evidence vectors at ingest: {settings.evidence_vectors} "
        f"({way_name(settings.sentence_vectors)}{f', cut to {settings.sentence_dim}-d' if settings.sentence_dim else ''}), "
        f"ingest batches of 16 articles",
        f"scale: {', '.join(f'{n:,}' for n in sizes)} synthetic articles (seed 0); {SCALE_NOTE} "
        f"({SCALE_DIM}-d signed crc32 bag of words)",
    ]


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help=f"{ANSWER_QUESTIONS} answer questions, 20 queries x {REPEATS} rounds, scale 100 and 1,000")
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help=f"comma list of {', '.join(SECTIONS)}; opt-in: {', '.join(EXTRA_SECTIONS)}")
    ap.add_argument("--vectors", default="10000,100000", help="chunk counts of the vectors section")
    ap.add_argument("--vectors-server", action="store_true", help="the vectors section on a `chroma run` server")
    ap.add_argument("--vectors-sentences", type=int, default=5, help="evidence sentence vectors per chunk (vectors)")
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
    return ap


def _sections(ap: argparse.ArgumentParser, args) -> set[str]:
    """The sections to run: those asked for and those they build on."""
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    unknown = only - set(SECTIONS) - set(EXTRA_SECTIONS)
    if unknown:
        ap.error(f"unknown sections: {sorted(unknown)}")
    need = set(only)
    if "answers" in need:
        need |= {"ingest", "retrieval"}  # the answers reuse the seed index and the naive index
    if "retrieval" in need:
        need.add("ingest")
    return need


def run(args, need: set[str], sizes: Sequence[int], tmp: Path) -> list[str]:
    """Runs the sections in a temp data dir; returns the lines of the report."""
    started = time.perf_counter()
    over = {k: v for k, v in {"embed_threads": args.embed_threads, "llm_threads": args.llm_threads,
                              "embed_batch_size": args.batch_size, "embed_dtype": args.dtype}.items()
            if v is not None}
    settings = Settings(data_dir=tmp / "data", chroma_url=None, **over)
    header = settings_header(settings, args.quick, sizes)
    print("\n".join(header), flush=True)
    bench = Bench(settings, args.quick, reset_kv=args.reset_kv, questions=args.questions)
    if "ingest" in need:
        bench_ingest.run(bench)
    if "retrieval" in need:
        bench_retrieval.run(bench)
    if "answers" in need:
        bench_answers.run(bench)
    if "scale" in need:
        bench_scale.run(bench, sizes, tmp)
    if "vectors" in need:
        bench_load.run_vector_rows(bench, [int(x) for x in args.vectors.split(",")], args.vectors_server,
                                   args.vectors_sentences)
    if "load" in need:
        bench_load.run_load_rows(bench)
    wall = time.perf_counter() - started
    return ["", *header, "", format_table(bench.rows), "", *bench.info,
            f"main process peak RSS {fmt_mb(peak_rss_bytes())}; {load_text()} at end; wall time {wall:,.0f} s",
            targets_line(bench.rows)]


def main(argv: Sequence[str] | None = None) -> int:
    ap = parser()
    args = ap.parse_args(argv)
    if args.keyword_scale:
        with tempfile.TemporaryDirectory(prefix="khabar-kw-") as tmp:
            print(json.dumps(keyword_scale(args.keyword_scale, Path(tmp))))
        return 0
    if args.scale_worker:
        scale_worker(args.scale_worker, args.worker_data, args.worker_out)
        return 0
    need = _sections(ap, args)
    sizes = tuple(int(x) for x in args.scale.split(",")) if args.scale else (SCALE_QUICK if args.quick else SCALE_FULL)
    with tempfile.TemporaryDirectory(prefix="khabar-bench-") as tmp:
        report = run(args, need, sizes, Path(tmp))
    print("\n".join(report), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(report).lstrip() + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
