"""Gold-set evaluation: `python -m eval.run [--gold PATH] [--endpoint URL] [--llm none] [--out DIR] [--limit N]
[--distractors DIR | --no-distractors] [--index-cache DIR]`.

Runs every gold question through the pipeline (in process, or against a running server with
--endpoint), scores retrieval (beside a random ranking's), answers (`right`, EM, F1, answer-bearing),
refusals by kind, language and latency, overall and per language, writes a markdown report and a JSON
file (with every miss) into --out and prints the summary table. In process it builds a throwaway index
(a temp KHABAR_DATA_DIR) with the seed articles and, as distractors, the XQuAD dev paragraphs. A low score is a result (exit 0); bad arguments, an unreadable gold file, an unreachable
endpoint or missing models are one line on stderr and a non-zero exit.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from index.config import REPO_ROOT

from . import metrics as M
from .args import EXIT_INPUT, EXIT_SETUP, EXIT_USAGE, OneLineParser, positive_int, run_cli  # noqa: F401
from .args import CliError as EvalError
from .goldset import DEFAULT_GOLD, GOLD_KEYS, LANGS, load_gold  # noqa: F401
from .run_clients import K, Client, InProcess, Remote, Reply  # noqa: F401
from .run_report import ROWS, kind_table, markdown, summary_table, write  # noqa: F401
from .run_scoring import RATE_KEYS, by_kind, invariants, score, summarize  # noqa: F401

DEFAULT_DISTRACTORS = REPO_ROOT / "eval" / "data" / "xquad_dev"
DEFAULT_OUT = REPO_ROOT / "eval" / "out"


def evaluate(gold: list[dict], client: Client, limit: int | None = None, progress: bool = True,
             chunk_counts: dict[str, int] | None = None, each: int | None = None) -> dict:
    """Ask every gold question (the first `limit`, or the first `each` of each language), score it, and
    build the report dict."""
    from tqdm import tqdm

    started = time.perf_counter()
    by_id = {g["id"]: g for g in gold}
    todo = gold[:limit] if limit else gold
    if each:
        todo = [g for lang in LANGS for g in [x for x in todo if x["lang"] == lang][:each]]
    replies: dict[str, Reply] = {}
    records: list[dict] = []

    def history_for(item: dict) -> tuple[list[dict] | None, str]:
        parent_id = item["follows"]
        if not parent_id:
            return None, item["question"]
        parent = by_id[parent_id]
        if parent_id not in replies:  # not asked yet (e.g. cut by --limit): ask it, unscored
            h, sq = history_for(parent)
            replies[parent_id] = client.ask(parent["question"], h, sq)
        history = [{"role": "user", "content": parent["question"]},
                   {"role": "assistant", "content": replies[parent_id].answer}]
        # /api/search has no history: search what the pipeline searches without an LLM to condense
        return history, f"{parent['question']} {item['question']}"

    for item in tqdm(todo, desc="eval", unit="q", file=sys.stderr, disable=not progress):
        history, search_query = history_for(item)
        reply = client.ask(item["question"], history, search_query)
        replies[item["id"]] = reply
        records.append(score(item, reply, chunk_counts))
    return {
        "gold": None,
        "mode": client.mode,
        "label": getattr(client, "label", "run"),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "k": K,
        "seconds": round(time.perf_counter() - started, 1),
        "metrics": {"all": summarize(records),
                    **{lang: summarize([r for r in records if r["lang"] == lang]) for lang in LANGS}},
        "by_kind": {"all": by_kind(records),
                    **{lang: by_kind([r for r in records if r["lang"] == lang]) for lang in LANGS}},
        "invariants": invariants(records),
        "misses": [{k: r[k] for k in ("id", "lang", "question", "expected", "got", "reasons", "docs",
                                       "retrieved_articles", "citations", "error")}
                   for r in records if r["reasons"]],
        "questions": records,
    }



# ---- CLI ----------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="python -m eval.run", description="Score Khabar on the gold Q&A set.",
                      error_class=EvalError)
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="gold JSONL (default eval/gold/dev.jsonl)")
    p.add_argument("--endpoint", default=None, help="a running server, e.g. http://127.0.0.1:8000")
    p.add_argument("--llm", choices=["none", "local", "openai"], default=None,
                   help="in process: none = extractive answers without an LLM (default: KHABAR_LLM)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report folder (default eval/out/)")
    p.add_argument("--limit", type=positive_int, default=None, help="only the first N questions")
    p.add_argument("--each", type=positive_int, default=None, help="only the first N questions of each language")
    p.add_argument("--distractors", type=Path, default=DEFAULT_DISTRACTORS,
                   help="XQuAD-format folder whose paragraphs are indexed beside the articles (default eval/data/xquad_dev)")
    p.add_argument("--no-distractors", action="store_true", help="index the seed articles only")
    p.add_argument("--index-cache", type=Path, default=None,
                   help="in process: reuse the temp index built by an earlier run with the same files, index/ "
                        "code, index settings and models, kept in this folder (eval/index_cache.py)")
    return p


def distractor_texts(folder: Path) -> dict[str, str]:
    """pid -> Arabic text of the XQuAD-format paragraphs in folder/paragraphs.jsonl."""
    path = Path(folder) / "paragraphs.jsonl"
    if not path.is_file():
        raise EvalError(f"--distractors: no paragraphs.jsonl in {folder}", EXIT_INPUT)
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[f"xquad-{row['pid']}"] = str(row["text_ar"])
    return out


def build_eval_index(settings, workdir: Path, distractors: Path | None):
    """Settings for a throwaway index in workdir: the seed articles (settings.articles_dir) plus, as
    distractors, every paragraph in `distractors` (written as xquad-<pid>.txt). Never the user's index."""
    from index.load import find_files

    folder = workdir / "articles"
    folder.mkdir(parents=True)
    for f in find_files(Path(settings.articles_dir)):
        (folder / f.name).write_bytes(f.read_bytes())
    if distractors is not None:
        for stem, text in distractor_texts(distractors).items():
            (folder / f"{stem}.txt").write_text(text, encoding="utf-8")
    return settings.model_copy(update={"data_dir": workdir / "data", "articles_dir": folder, "chroma_url": None,
                                       "collection": "eval"})


def chunk_counts(store) -> dict[str, int]:
    """Chunks per article in the index (for the random-ranking baseline)."""
    counts: dict[str, int] = {}
    for cid, _, _ in store.iter_chunks():
        art = M.article_of(cid)
        counts[art] = counts.get(art, 0) + 1
    return counts


def in_process_client(llm: str | None, workdir: Path, distractors: Path | None,
                      index_cache: Path | None = None) -> InProcess:
    from index.config import offline_env
    from qa.config import QASettings as Settings

    offline_env()
    from index.ingest import ingest
    from qa.pipeline import Pipeline

    from . import index_cache as C

    settings = build_eval_index(Settings(), workdir, distractors)
    key = C.cache_key(settings) if index_cache else None
    cached = bool(key) and C.restore(index_cache, key, settings.data_dir)
    pipe = Pipeline.from_settings(settings, llm=llm)
    n_files = len(list(settings.articles_dir.iterdir()))
    if cached:
        print(f"eval.run: {n_files} files: the temp index is a copy of {index_cache / key}", file=sys.stderr)
    else:
        print(f"eval.run: indexing {n_files} files into a temp index "
              f"({'with' if distractors else 'without'} XQuAD distractors)", file=sys.stderr)
        ingest(settings.articles_dir, pipe.store, pipe.embedder, settings, progress=sys.stderr.isatty())
        if key:
            print(f"eval.run: kept a copy in {C.save(index_cache, key, settings.data_dir)}", file=sys.stderr)
    pipe.ask("warm-up")  # first-call costs (lazy model init, BM25 build) stay out of the latencies
    return InProcess(pipe)


def _warn_missing_docs(gold: list[dict], client: Client) -> None:
    if not isinstance(client, InProcess):
        return
    have = {a["article_id"] for a in client.pipeline.store.articles()}
    missing = sorted({d for g in gold for d in g["docs"]} - have)
    if missing:
        print(f"eval.run: warning: {len(missing)} gold article(s) not in the index, e.g. {missing[0]}",
              file=sys.stderr)



def _client(args, distractors: Path | None, workdir_box: list) -> tuple[Client, dict[str, int] | None, str]:
    """The client the arguments ask for, the index's chunk counts (in process) and a line about the index."""
    import tempfile

    if args.endpoint:
        if args.llm or args.index_cache:
            raise EvalError("--llm and --index-cache apply in process only; the server decides with --endpoint")
        client = Remote(args.endpoint)
        client.check()
        return client, None, f"the server's ({args.endpoint}); no distractors added"
    if distractors is not None:
        distractor_texts(distractors)  # fail on a bad folder before loading models
    workdir_box.append(Path(tempfile.mkdtemp(prefix="khabar-eval-")))
    client = in_process_client(args.llm, workdir_box[0], distractors, args.index_cache)
    counts = chunk_counts(client.pipeline.store)
    n_distractors = sum(1 for a in counts if a.startswith("xquad-"))
    return client, counts, (f"temp index: {len(counts) - n_distractors} articles + {n_distractors} XQuAD "
                            f"distractor paragraphs, {sum(counts.values())} chunks")


def _run(argv: list[str] | None) -> int:
    import shutil

    workdir: list[Path] = []
    try:
        args = parser().parse_args(argv)
        gold = load_gold(args.gold)
        client, counts, index = _client(args, None if args.no_distractors else args.distractors, workdir)
        _warn_missing_docs(gold, client)
        report = evaluate(gold, client, args.limit, progress=True, chunk_counts=counts, each=args.each)
        report["gold"] = str(args.gold)
        report["index"] = index
        md, js = write(report, args.out)
    finally:
        for w in workdir:
            shutil.rmtree(w, ignore_errors=True)
    print(summary_table(report))
    print(f"eval.run: wrote {md} and {js}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_cli("eval.run", lambda: _run(argv))


if __name__ == "__main__":
    sys.exit(main())
