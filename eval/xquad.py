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
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from index.config import REPO_ROOT, Settings

from . import metrics as M
from .args import positive_int

DEFAULT_DATA = REPO_ROOT / "eval" / "data" / "xquad_dev"
SYSTEMS = ("khabar", "dense", "bm25")
DIRECTIONS = {"en_ar": "question_en", "ar_ar": "question_ar"}
MRR_DEPTH = 10
KHABAR_CHUNKS = 20
COLLECTION = "xquad"
EXIT_USAGE, EXIT_INPUT, EXIT_SETUP = 2, 3, 4
_SAFE_ID = re.compile(r"^[\w-][\w.-]*$")

Encode = Callable[[Sequence[str]], "object"]


class XquadError(Exception):
    def __init__(self, message: str, code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.code = code


# ---- data ---------------------------------------------------------------------------------
def _jsonl(path: Path, required: set[str]) -> list[dict]:
    if not path.is_file():
        raise XquadError(f"not found: {path}")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise XquadError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not required <= set(row):
            raise XquadError(f"{path}:{n}: needs keys {sorted(required)}")
        rows.append(row)
    if not rows:
        raise XquadError(f"{path} is empty")
    return rows


def load(data_dir: Path) -> tuple[list[dict], list[dict]]:
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise XquadError(f"--data is not a folder: {data_dir}")
    paragraphs = _jsonl(data_dir / "paragraphs.jsonl", {"pid", "text_ar"})
    questions = _jsonl(data_dir / "questions.jsonl", {"pid", "question_en", "question_ar"})
    pids = [str(p["pid"]) for p in paragraphs]
    if len(set(pids)) != len(pids):
        raise XquadError(f"{data_dir / 'paragraphs.jsonl'}: duplicate pid")
    return paragraphs, questions


def _article(p: dict) -> str:
    """The article a paragraph belongs to: its title, else the '<article>-<para>' pid prefix."""
    return str(p.get("title") or str(p["pid"]).rsplit("-", 1)[0])


def select(paragraphs: list[dict], questions: list[dict], limit: int | None) -> tuple[list[dict], list[dict]]:
    """The first `limit` questions, and the paragraphs they need plus all paragraphs of the same
    articles (so the distractors within an article stay). Questions without a paragraph are dropped."""
    known = {str(p["pid"]) for p in paragraphs}
    questions = [q for q in questions if str(q["pid"]) in known]
    if limit:
        questions = questions[:limit]
        need = {str(q["pid"]) for q in questions}
        articles = {_article(p) for p in paragraphs if str(p["pid"]) in need}
        paragraphs = [p for p in paragraphs if _article(p) in articles]
    return paragraphs, questions


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


def _file_ids(pids: list[str]) -> dict[str, str]:
    """article id (file stem) for each pid: the pid itself when it is a safe file name."""
    out, used = {}, set()
    for i, pid in enumerate(pids):
        stem = pid if _SAFE_ID.match(pid) and pid.lower() not in used else f"p{i:06d}"
        used.add(stem.lower())
        out[pid] = stem
    return out


def _scores(result: dict[str, list[float]]) -> dict:
    return {"R@1": M.mean(result["r1"]), "R@5": M.mean(result["r5"]), "MRR": M.mean(result["rr"])}


def _round(d):
    if isinstance(d, dict):
        return {k: _round(v) for k, v in d.items()}
    return round(d, 4) if isinstance(d, float) else d


def benchmark(data_dir: Path, embedder, settings: Settings | None = None, limit: int | None = None,
              dense_weight: float | None = None, progress: bool = False,
              encoders: tuple[Encode, Encode] | None = None) -> dict:
    """Run the three systems on DIR. `embedder` is Khabar's (real or fake); `encoders` overrides the
    plain-dense baseline's (documents, queries) encoders, default dense_encoders(embedder)."""
    import numpy as np
    from tqdm import tqdm

    from index.ingest import ingest
    from index.store import Store
    from index.keywords import Fts
    from qa.retrieve import Retriever

    started = time.perf_counter()
    base = settings or Settings()
    weight = base.dense_weight if dense_weight is None else dense_weight
    paragraphs, questions = select(*load(data_dir), limit)
    pids = [str(p["pid"]) for p in paragraphs]
    texts = [str(p["text_ar"]) for p in paragraphs]
    stem_of = _file_ids(pids)
    pid_of = {stem: pid for pid, stem in stem_of.items()}
    queries = {d: [str(q.get(field) or "") for q in questions] for d, field in DIRECTIONS.items()}
    gold = [str(q["pid"]) for q in questions]
    results = {s: {d: {"r1": [], "r5": [], "rr": []} for d in DIRECTIONS} for s in SYSTEMS}

    def record(system: str, direction: str, ranking: list[str], target: str) -> None:
        r = results[system][direction]
        r["r1"].append(M.hit_at_k(ranking, [target], 1))
        r["r5"].append(M.hit_at_k(ranking, [target], 5))
        r["rr"].append(M.reciprocal_rank(ranking, [target], MRR_DEPTH))

    # baselines on the raw paragraphs
    encode_docs, encode_queries = encoders or dense_encoders(embedder, base.embed_batch_size)
    doc_matrix = _unit(encode_docs(texts))
    bm25 = Fts.from_texts(pids, texts)
    for direction, qs in queries.items():
        live = [i for i, q in enumerate(qs) if q.strip()]
        q_matrix = _unit(encode_queries([qs[i] for i in live])) if live else None
        for row, i in enumerate(live):
            sims = doc_matrix @ q_matrix[row]
            order = np.argsort(-sims, kind="stable")[:MRR_DEPTH]
            record("dense", direction, [pids[j] for j in order], gold[i])
            record("bm25", direction, [pid for pid, _ in bm25.top(qs[i], MRR_DEPTH)], gold[i])

    # khabar: the same ingest pipeline into a throwaway collection
    with tempfile.TemporaryDirectory(prefix="khabar-xquad-") as tmp:
        folder = Path(tmp) / "paragraphs"
        folder.mkdir()
        for pid, text in zip(pids, texts):
            (folder / f"{stem_of[pid]}.txt").write_text(text, encoding="utf-8")
        settings = base.model_copy(update={"data_dir": Path(tmp) / "data", "chroma_url": None,
                                           "collection": COLLECTION, "articles_dir": folder,
                                           "dense_weight": weight})
        store = Store(settings, name=COLLECTION)
        report = ingest(folder, store, embedder, settings, progress=progress)
        retriever = Retriever.from_settings(store, embedder, settings)
        jobs = [(d, i) for d, qs in queries.items() for i, q in enumerate(qs) if q.strip()]
        for direction, i in tqdm(jobs, desc="xquad", unit="q", file=sys.stderr, disable=not progress):
            hits, _ = retriever.search(queries[direction][i], KHABAR_CHUNKS)
            ranking = M.dedupe(pid_of.get(h.article_id, h.article_id) for h in hits)[:MRR_DEPTH]
            record("khabar", direction, ranking, gold[i])
        chunks = store.count()
        del retriever, store

    out = {s: {d: _scores(results[s][d]) for d in DIRECTIONS} for s in SYSTEMS}
    out = _round(out)
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["meta"] = {"data": str(data_dir), "questions": len(questions), "paragraphs": len(paragraphs),
                   "chunks": chunks, "ingest_seconds": round(report.seconds, 1),
                   "skipped_paragraphs": [s.file for s in report.skipped],
                   "dense_weight": weight, "sentence_weight": base.sentence_weight, "mrr_depth": MRR_DEPTH,
                   "queries": {d: len(results["khabar"][d]["r1"]) for d in DIRECTIONS}}
    return out


# ---- output -------------------------------------------------------------------------------
def table(result: dict) -> str:
    meta = result.get("meta", {})
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
    lines = [f"XQuAD ({meta.get('data', '')}): {meta.get('questions')} questions x 2 directions, "
             f"{meta.get('paragraphs')} Arabic paragraphs ({meta.get('chunks')} chunks), "
             f"khabar dense_weight={meta.get('dense_weight')}, sentence_weight={meta.get('sentence_weight')}, "
             f"{result['seconds']} s",
             "",
             "| system | en→ar R@1 | en→ar R@5 | en→ar MRR | ar→ar R@1 | ar→ar R@5 | ar→ar MRR |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for s in SYSTEMS:
        cells = [fmt(result[s][d][m]) for d in DIRECTIONS for m in ("R@1", "R@5", "MRR")]
        lines.append(f"| {s} | " + " | ".join(cells) + " |")
    if meta.get("skipped_paragraphs"):
        lines.append(f"\nwarning: {len(meta['skipped_paragraphs'])} paragraph(s) skipped by ingest")
    return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise XquadError(message, EXIT_USAGE)



def _weight(value: str) -> float:
    try:
        w = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= w <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {w}")
    return w


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m eval.xquad", description="Cross-lingual paragraph retrieval on XQuAD-format data.")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with paragraphs.jsonl and questions.jsonl")
    p.add_argument("--limit", type=positive_int, default=None, help="only the first N questions")
    p.add_argument("--json", action="store_true", help="last stdout line: the scores as one JSON object")
    p.add_argument("--dense-weight", type=_weight, default=None,
                   help="khabar's fusion weight (default KHABAR_DENSE_WEIGHT / settings.dense_weight)")
    return p


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    try:
        args = parser().parse_args(argv)
        load(args.data)  # fail on bad data before loading the model
        from index.config import offline_env

        offline_env()
        from index.embed import SentenceTransformerEmbedder
        from index.models import EMBEDDER, verify

        settings = Settings()
        if settings.embed_model is None:
            verify(EMBEDDER, settings.models_dir)
        embedder = SentenceTransformerEmbedder(settings.embed_model_path, settings.embed_dtype,
                                               settings.embed_threads, settings.embed_batch_size)
        result = benchmark(args.data, embedder, settings, args.limit, args.dense_weight,
                           progress=sys.stderr.isatty())
    except XquadError as exc:
        print(f"eval.xquad: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("eval.xquad: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from index.models import ModelError

        code = EXIT_SETUP if isinstance(exc, (ModelError, FileNotFoundError)) else 1
        print(f"eval.xquad: error: {type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
        return code
    result["seconds"] = round(time.perf_counter() - started, 1)  # the whole run, model load included
    print(table(result))
    if args.json:
        print(json.dumps({k: result[k] for k in (*SYSTEMS, "seconds")}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
