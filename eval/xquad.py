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


# ---- answers --------------------------------------------------------------------------------
SPLITS = {"dev": range(0, 12), "test": range(12, 24), "all": range(0, 10**6)}
ANSWER_LANGS = {"en": ("question_en", "answers_en"), "ar": ("question_ar", "answers_ar")}


def article_number(pid: str) -> int:
    head = str(pid).split("-", 1)[0]
    return int(head) if head.isdigit() else -1


def answer_split(paragraphs: list[dict], questions: list[dict], split: str, limit: int | None):
    """(indexed paragraphs, answerable questions, held-out questions, articles, held-out articles):
    the split's articles (the first `limit`), of which the last quarter (at least one when there are
    two or more) are held out of the index."""
    articles = sorted({article_number(p["pid"]) for p in paragraphs if article_number(p["pid"]) in SPLITS[split]})
    if limit:
        articles = articles[:limit]
    held = set(articles[len(articles) - max(1, len(articles) // 4):]) if len(articles) >= 2 else set()
    indexed = [p for p in paragraphs if article_number(p["pid"]) in set(articles) - held]
    known = {str(p["pid"]) for p in indexed}
    answerable = [q for q in questions if str(q["pid"]) in known]
    unanswerable = [q for q in questions if article_number(q["pid"]) in held]
    return indexed, answerable, unanswerable, articles, sorted(held)


def score_answer(answer: str, refused: bool, lang: str, q: dict) -> dict:
    own = [str(a) for a in q.get(f"answers_{lang}") or []]
    other = [str(a) for a in q.get("answers_ar" if lang == "en" else "answers_en") or []]
    refs = M.references_for(lang, *((own, other) if lang == "ar" else (other, own)))
    answered = not refused
    return {"right": M.is_right(answer, refused, lang, refs),
            "em": M.exact_match(answer, refs) if answered else 0.0,
            "f1": M.best_f1(answer, refs) if answered else 0.0}


def answers_benchmark(data_dir: Path, settings: Settings, make_pipeline, split: str = "test",
                      limit: int | None = None, progress: bool = False) -> dict:
    """Answer XQuAD questions with the pipeline. `make_pipeline(settings)` builds it on the given
    (temp) settings; the paragraphs are ingested into its store."""
    from tqdm import tqdm

    from index.ingest import ingest

    started = time.perf_counter()
    paragraphs, questions = load(data_dir)
    indexed, answerable, unanswerable, articles, held = answer_split(paragraphs, questions, split, limit)
    if not indexed:
        raise XquadError(f"no paragraphs of the {split} split in {data_dir}")
    scores = {lang: {"right": [], "em": [], "f1": [], "refused": []} for lang in ANSWER_LANGS}
    refused_unanswerable: list[bool] = []
    examples = []
    with tempfile.TemporaryDirectory(prefix="khabar-xquad-answers-") as tmp:
        folder = Path(tmp) / "paragraphs"
        folder.mkdir()
        stems = _file_ids([str(p["pid"]) for p in indexed])
        for p in indexed:
            (folder / f"{stems[str(p['pid'])]}.txt").write_text(str(p["text_ar"]), encoding="utf-8")
        local = settings.model_copy(update={"data_dir": Path(tmp) / "data", "chroma_url": None,
                                            "collection": COLLECTION, "articles_dir": folder})
        pipe = make_pipeline(local)
        ingest(folder, pipe.store, pipe.embedder, local, progress=progress)
        jobs = [(q, lang, True) for q in answerable for lang in ANSWER_LANGS] + \
               [(q, lang, False) for q in unanswerable for lang in ANSWER_LANGS]
        for q, lang, has_answer in tqdm(jobs, desc="xquad answers", unit="q", file=sys.stderr, disable=not progress):
            text = str(q.get(ANSWER_LANGS[lang][0]) or "").strip()
            if not text:
                continue
            ans = pipe.ask(text)
            if not has_answer:
                refused_unanswerable.append(ans.refused)
                continue
            s = score_answer(ans.answer, ans.refused, lang, q)
            for key, value in s.items():
                scores[lang][key].append(float(value))
            scores[lang]["refused"].append(float(ans.refused))
            if len(examples) < 6:
                examples.append({"lang": lang, "question": text, "expected": q.get(ANSWER_LANGS[lang][1]),
                                 "got": ans.answer, **s})
        chunks = pipe.store.count()
        del pipe
    out: dict = {lang: {"right": M.mean(v["right"]), "em": M.mean(v["em"]), "f1": M.mean(v["f1"]),
                        "n": len(v["right"])} for lang, v in scores.items()}
    out = _round(out)
    out["refused_unanswerable"] = _round(M.mean(refused_unanswerable))
    out["false_refusals"] = _round(M.mean([r for v in scores.values() for r in v["refused"]]))
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["meta"] = {"data": str(data_dir), "split": split, "articles": articles, "held_out_articles": held,
                   "paragraphs": len(indexed), "chunks": chunks, "answerable_questions": len(answerable),
                   "held_out_questions": len(unanswerable), "unanswerable_asked": len(refused_unanswerable),
                   "refusal_threshold": settings.refusal_threshold, "examples": examples}
    return out


def answers_table(result: dict) -> str:
    meta = result.get("meta", {})
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
    lines = [f"XQuAD answers ({meta.get('data', '')}, split {meta.get('split')}): articles {meta.get('articles')}, "
             f"held out {meta.get('held_out_articles')}; {meta.get('paragraphs')} paragraphs indexed; "
             f"{result['seconds']} s", "",
             "| question language | n | right | EM | F1 |", "|---|---:|---:|---:|---:|"]
    for lang in ANSWER_LANGS:
        r = result[lang]
        lines.append(f"| {lang} | {r['n']} | {fmt(r['right'])} | {fmt(r['em'])} | {fmt(r['f1'])} |")
    lines += ["", f"refused, questions of held-out articles: {fmt(result['refused_unanswerable'])} "
                  f"({meta.get('unanswerable_asked')} asked); refused, answerable: {fmt(result['false_refusals'])}"]
    return "\n".join(lines)


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
    p.add_argument("--answers", action="store_true",
                   help="answer the questions through the pipeline and score right / EM / F1 and refusals")
    p.add_argument("--split", choices=list(SPLITS), default="test",
                   help="with --answers: articles 0-11 (dev), 12-23 (test, default) or all")
    p.add_argument("--llm", choices=["none", "local", "openai"], default=None,
                   help="with --answers: none = extractive answers (default: KHABAR_LLM)")
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
        if args.dense_weight is not None:
            settings = settings.model_copy(update={"dense_weight": args.dense_weight})
        if args.answers:
            from qa.pipeline import Pipeline

            result = answers_benchmark(args.data, settings, lambda s: Pipeline.from_settings(s, llm=args.llm),
                                       args.split, args.limit, progress=sys.stderr.isatty())
            result["seconds"] = round(time.perf_counter() - started, 1)
            print(answers_table(result))
            if args.json:
                print(json.dumps({k: result[k] for k in ("en", "ar", "refused_unanswerable", "false_refusals",
                                                         "seconds")}, ensure_ascii=False))
            return 0
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
