"""Gold-set evaluation: `python -m eval.run [--gold PATH] [--endpoint URL] [--llm none] [--out DIR] [--limit N]
[--distractors DIR | --no-distractors]`.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from index.config import REPO_ROOT

from . import goldset as G
from . import metrics as M
from .args import positive_int

DEFAULT_GOLD = REPO_ROOT / "eval" / "gold" / "dev.jsonl"
DEFAULT_DISTRACTORS = REPO_ROOT / "eval" / "data" / "xquad_dev"
DEFAULT_OUT = REPO_ROOT / "eval" / "out"
LANGS = ("ar", "en")
K = 5  # hit@5 and the k asked of /api/search
GOLD_KEYS = {"id", "lang", "question", "answers", "docs", "answerable", "follows"}
EXIT_USAGE, EXIT_INPUT, EXIT_SETUP = 2, 3, 4


class EvalError(Exception):
    """A one-line, user-facing failure (bad arguments, unreadable input, unreachable endpoint)."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


# ---- gold ---------------------------------------------------------------------------------
def load_gold(path: Path) -> list[dict]:
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"gold file not found: {path}", EXIT_INPUT)
    items: list[dict] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"cannot read gold file {path}: {exc}", EXIT_INPUT) from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{path}:{n}: not JSON ({exc.msg})", EXIT_INPUT) from None
        if not isinstance(item, dict) or not GOLD_KEYS <= set(item):
            missing = sorted(GOLD_KEYS - set(item)) if isinstance(item, dict) else sorted(GOLD_KEYS)
            raise EvalError(f"{path}:{n}: missing keys {missing}", EXIT_INPUT)
        if item["lang"] not in LANGS:
            raise EvalError(f"{path}:{n}: lang must be one of {list(LANGS)}, got {item['lang']!r}", EXIT_INPUT)
        if not isinstance(item["question"], str) or not item["question"].strip():
            raise EvalError(f"{path}:{n}: empty question", EXIT_INPUT)
        if not isinstance(item["answers"], list) or not isinstance(item["docs"], list):
            raise EvalError(f"{path}:{n}: answers and docs must be lists", EXIT_INPUT)
        if item["id"] in seen:
            raise EvalError(f"{path}:{n}: duplicate id {item['id']!r}", EXIT_INPUT)
        seen.add(item["id"])
        items.append(item)
    for item in items:
        if item["follows"] is not None and item["follows"] not in seen:
            raise EvalError(f"{path}: {item['id']} follows unknown id {item['follows']!r}", EXIT_INPUT)
    if not items:
        raise EvalError(f"gold file is empty: {path}", EXIT_INPUT)
    return items


# ---- clients ------------------------------------------------------------------------------
@dataclass
class Reply:
    answer: str
    language: str | None  # as the pipeline / server declared it
    refused: bool
    citations: list[dict]
    retrieved: list[str]  # chunk ids retrieval returned, best first
    ms: float  # wall time of the ask
    notes: dict = field(default_factory=dict)
    error: str | None = None


class Client(Protocol):
    mode: str
    label: str

    def ask(self, question: str, history: list[dict] | None, search_query: str) -> Reply: ...


class InProcess:
    """The pipeline in this process: retrieval comes from Answer.retrieved."""

    def __init__(self, pipeline) -> None:
        self.pipeline = pipeline
        llm = "none" if pipeline.llm is None else pipeline.settings.llm_mode
        self.mode = f"in-process, llm={llm}"
        self.label = f"llm-{llm}"

    def ask(self, question: str, history: list[dict] | None, search_query: str) -> Reply:
        from qa.answer import QuestionError

        t0 = time.perf_counter()
        try:
            ans = self.pipeline.ask(question, history=history)
        except QuestionError as exc:
            return Reply("", None, False, [], [], _ms(t0), error=f"{exc.code}: {exc.message}")
        except Exception as exc:  # one broken question is a result, not the end of the run
            return Reply("", None, False, [], [], _ms(t0), error=f"{type(exc).__name__}: {exc}"[:300])
        ms = _ms(t0)
        d = ans.to_dict()
        return Reply(d["answer"], d["language"], bool(d["refused"]), d["citations"], list(ans.retrieved), ms,
                     dict(ans.notes))


class Remote:
    """A running Khabar server: POST /api/ask for the answer, GET /api/search for retrieval (unless the
    ask response carries `retrieved` itself)."""

    RETRY_STATUS = {429, 503}

    def __init__(self, endpoint: str, timeout: float = 600.0) -> None:
        import httpx

        if not endpoint.startswith(("http://", "https://")):
            raise EvalError(f"--endpoint must look like http://host:port, got {endpoint!r}")
        self.endpoint = endpoint.rstrip("/")
        self.mode = f"endpoint {self.endpoint}"
        self.label = "endpoint"
        self.http = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0))

    def check(self, wait_s: float = 900.0) -> None:
        """Fail fast (one line) when the server is not there; wait while it is still loading models."""
        deadline = time.monotonic() + wait_s
        said = False
        while True:
            resp = self._request("GET", "/health")
            data = _json(resp)
            if resp.status_code == 200 and isinstance(data, dict) and data.get("status") == "loading":
                if time.monotonic() > deadline:
                    raise EvalError(f"{self.endpoint} is still loading after {wait_s:.0f} s", EXIT_INPUT)
                if not said:
                    print(f"eval.run: waiting for {self.endpoint} to load its models", file=sys.stderr)
                    said = True
                time.sleep(3.0)
                continue
            break
        resp = self._request("GET", "/api/search", params={"q": "test", "k": 1})
        if resp.status_code == 404:
            raise EvalError(f"{self.endpoint}/api/search: 404 (is this a Khabar server?)", EXIT_INPUT)

    def _request(self, method: str, path: str, **kw):
        import httpx

        for attempt in range(4):
            try:
                resp = self.http.request(method, self.endpoint + path, **kw)
            except httpx.TransportError as exc:
                raise EvalError(f"cannot reach {self.endpoint}: {type(exc).__name__}: {exc or 'no response'}",
                                EXIT_INPUT) from None
            if resp.status_code not in self.RETRY_STATUS or attempt == 3:
                return resp
            try:
                wait = min(30.0, float(resp.headers.get("retry-after", "")))
            except ValueError:
                wait = 2.0 * (attempt + 1)
            time.sleep(wait)
        return resp

    def search(self, query: str, k: int = K) -> list[str]:
        resp = self._request("GET", "/api/search", params={"q": query, "k": k})
        if resp.status_code != 200:
            return []
        return _hit_ids(_json(resp))

    def ask(self, question: str, history: list[dict] | None, search_query: str) -> Reply:
        t0 = time.perf_counter()
        resp = self._request("POST", "/api/ask", json={"question": question, "history": history or []})
        ms = _ms(t0)
        if resp.status_code == 404:
            raise EvalError(f"{self.endpoint}/api/ask: 404 (is this a Khabar server?)", EXIT_INPUT)
        data = _json(resp)
        if resp.status_code != 200 or not isinstance(data, dict) or "answer" not in data:
            return Reply("", None, False, [], self.search(search_query), ms,
                         error=f"HTTP {resp.status_code}: {_error_text(data, resp.text)}")
        retrieved = data.get("retrieved")
        if not isinstance(retrieved, list):
            retrieved = self.search(search_query)
        return Reply(str(data.get("answer", "")), data.get("language"), bool(data.get("refused")),
                     [c for c in data.get("citations") or [] if isinstance(c, dict)], [str(r) for r in retrieved],
                     ms)


def _json(resp):
    try:
        return resp.json()
    except ValueError:
        return None


def _error_text(data, text: str) -> str:
    """The server's {"error": {"code", "message"}} (or FastAPI's {"detail"}) as one short line."""
    err = data.get("error") or data.get("detail") if isinstance(data, dict) else None
    if isinstance(err, dict):
        err = f"{err.get('code', '')}: {err.get('message', '')}".strip(": ")
    return " ".join(str(err or text).split())[:200]


def _hit_ids(data) -> list[str]:
    if isinstance(data, dict):
        data = next((data[k] for k in ("hits", "results", "passages") if isinstance(data.get(k), list)), [])
    if not isinstance(data, list):
        return []
    return [str(h.get("chunk_id") or h.get("id")) for h in data if isinstance(h, dict) and (h.get("chunk_id") or h.get("id"))]


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


# ---- scoring ------------------------------------------------------------------------------
def score(item: dict, reply: Reply, chunk_counts: dict[str, int] | None = None) -> dict:
    """One question's record: what was expected, what came back, and every check. `chunk_counts`
    (chunks per article in the index) gives the random-ranking baseline of hit@1 / hit@5."""
    from index.text import detect_language

    aliases = item["answers"]
    answerable = bool(item["answerable"])
    kind = G.kind_of(item)
    body = M.strip_citations(reply.answer).strip()
    detected = detect_language(body) if body else None
    retrieved_articles = M.dedupe(M.article_of(c) for c in reply.retrieved)
    cited = [c.get("chunk_id", "") for c in reply.citations]
    quotes = [c.get("quote", "") for c in reply.citations]
    answered = not reply.refused and reply.error is None
    refs = G.reference_strings(item)
    rec = {
        "id": item["id"], "lang": item["lang"], "kind": kind, "question": item["question"],
        "follows": item["follows"], "answerable": answerable,
        "expected": (refs or aliases) if answerable else "(refusal)", "docs": item["docs"],
        "got": reply.answer, "refused": reply.refused, "language": detected, "declared_language": reply.language,
        "retrieved": reply.retrieved, "retrieved_articles": retrieved_articles,
        "citations": cited, "ms": reply.ms, "error": reply.error, "notes": reply.notes,
    }
    if answerable:
        rank = M.rank_of(retrieved_articles, item["docs"])
        rec.update({"rank": rank, "hit@1": M.hit_at_k(retrieved_articles, item["docs"], 1),
                    "hit@5": M.hit_at_k(retrieved_articles, item["docs"], K),
                    "rr": M.reciprocal_rank(retrieved_articles, item["docs"]),
                    "right": answered and G.is_right(body, False, item),
                    "em": M.exact_match(body, refs) if answered else 0.0,
                    "f1": M.best_f1(body, refs) if answered else 0.0,
                    "answer_bearing": answered and M.alias_match(body, aliases)})
        if chunk_counts:
            total = sum(chunk_counts.values())
            gold_chunks = sum(chunk_counts.get(d, 0) for d in item["docs"])
            rec["random_hit@1"] = M.random_hit_at_k(total, gold_chunks, 1)
            rec["random_hit@5"] = M.random_hit_at_k(total, gold_chunks, K)
        if cited:
            rec["citation_supported"] = M.citation_supported(quotes, aliases)
    if cited:
        rec["citation_valid"] = M.citation_valid(cited, reply.retrieved)
    rec["language_match"] = detected == item["lang"]
    reasons = []
    if reply.error:
        reasons.append("error")
    if answerable:
        if reply.refused:
            reasons.append("false_refusal")
        elif not rec["right"] and not reply.error:
            reasons.append("wrong_answer")
        if not rec["hit@5"]:
            reasons.append("retrieval_miss")
        if cited and not rec["citation_supported"]:
            reasons.append("unsupported_citation")
    elif answered:
        reasons.append("answered_unanswerable")
    if cited and not rec["citation_valid"]:
        reasons.append("invalid_citation")
    if not rec["language_match"] and not reply.error and not reply.refused:
        reasons.append("language_mismatch")
    rec["reasons"] = reasons
    return rec


RATE_KEYS = ("right", "em", "f1", "answer_bearing", "hit@1", "hit@5", "mrr", "random_hit@1", "random_hit@5",
             "citation_support", "language_match", "refusal_precision", "refusal_recall",
             "refusal_recall_offtopic", "refusal_precision_offtopic", "refusal_recall_plausible",
             "refusal_precision_plausible", "false_refusals")


def summarize(records: list[dict]) -> dict:
    ans = [r for r in records if r["answerable"]]
    refused = [r["refused"] for r in records]
    answerable = [r["answerable"] for r in records]
    kinds = [r["kind"] for r in records]
    off = M.refusal_by_kind(refused, kinds, answerable, "offtopic")
    plausible = M.refusal_by_kind(refused, kinds, answerable, "plausible_unanswerable")
    return {
        "questions": len(records),
        "answerable": len(ans),
        "unanswerable": len(records) - len(ans),
        "right": M.mean(r["right"] for r in ans),
        "em": M.mean(r["em"] for r in ans),
        "f1": M.mean(r["f1"] for r in ans),
        "answer_bearing": M.mean(r["answer_bearing"] for r in ans),
        "hit@1": M.mean(r["hit@1"] for r in ans),
        "hit@5": M.mean(r["hit@5"] for r in ans),
        "mrr": M.mean(r["rr"] for r in ans),
        "random_hit@1": M.mean(r["random_hit@1"] for r in ans if "random_hit@1" in r),
        "random_hit@5": M.mean(r["random_hit@5"] for r in ans if "random_hit@5" in r),
        "citation_support": M.mean(r["citation_supported"] for r in ans if "citation_supported" in r),
        "language_match": M.mean(r["language_match"] for r in records if not r["refused"] and not r["error"]),
        "refusal_precision": M.refusal_precision(refused, answerable),
        "refusal_recall": M.refusal_recall(refused, answerable),
        "refusal_recall_offtopic": off["recall"], "refusal_precision_offtopic": off["precision"],
        "offtopic": off["n"],
        "refusal_recall_plausible": plausible["recall"], "refusal_precision_plausible": plausible["precision"],
        "plausible_unanswerable": plausible["n"],
        "false_refusals": M.false_refusal_rate(refused, answerable),
        "false_refusal_count": sum(1 for r in ans if r["refused"]),
        "errors": sum(1 for r in records if r["error"]),
        "latency_p50_ms": M.percentile([r["ms"] for r in records], 50),
        "latency_p95_ms": M.percentile([r["ms"] for r in records], 95),
    }


def by_kind(records: list[dict]) -> dict:
    """Per kind: n, right / EM / F1 for answerable kinds, refusal rate for all."""
    out = {}
    for kind in G.KINDS:
        rows = [r for r in records if r["kind"] == kind]
        if not rows:
            continue
        out[kind] = {"n": len(rows), "refused": M.mean(r["refused"] for r in rows)}
        if rows[0]["answerable"]:
            out[kind].update({"right": M.mean(r["right"] for r in rows), "em": M.mean(r["em"] for r in rows),
                              "f1": M.mean(r["f1"] for r in rows)})
    return out


def invariants(records: list[dict]) -> dict:
    """Checks that must always hold (tested, not headline numbers): every cited chunk was retrieved."""
    cited = [r for r in records if "citation_valid" in r]
    return {"answers_with_citations": len(cited),
            "invalid_citations": [r["id"] for r in cited if not r["citation_valid"]]}


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


# ---- rendering ----------------------------------------------------------------------------
ROWS = [
    ("questions", "questions", "n"), ("answerable", "answerable", "n"),
    ("plausible_unanswerable", "plausible unanswerable", "n"), ("offtopic", "off-topic", "n"),
    ("right", "right (headline)", "r"), ("em", "exact match", "r"), ("f1", "token F1", "r"),
    ("answer_bearing", "answer-bearing (lenient, old 'accuracy')", "r"),
    ("hit@1", "retrieval hit@1", "r"), ("random_hit@1", "  random ranking hit@1", "r"),
    ("hit@5", "retrieval hit@5", "r"), ("random_hit@5", "  random ranking hit@5", "r"), ("mrr", "retrieval MRR", "r"),
    ("citation_support", "citation support", "r"), ("language_match", "language match (answers)", "r"),
    ("refusal_precision", "refusal precision (all unanswerable)", "r"),
    ("refusal_recall", "refusal recall (all unanswerable)", "r"),
    ("refusal_recall_offtopic", "refusal recall, off-topic", "r"),
    ("refusal_precision_offtopic", "refusal precision, off-topic", "r"),
    ("refusal_recall_plausible", "refusal recall, plausible", "r"),
    ("refusal_precision_plausible", "refusal precision, plausible", "r"),
    ("false_refusals", "false refusals (rate)", "r"),
    ("false_refusal_count", "false refusals (count)", "n"), ("errors", "errors", "n"),
    ("latency_p50_ms", "latency p50 (ms)", "ms"), ("latency_p95_ms", "latency p95 (ms)", "ms"),
]


def _fmt(value, kind: str) -> str:
    if value is None:
        return "n/a"
    if kind == "r":
        return f"{value:.3f}"
    if kind == "ms":
        return f"{value:.0f}"
    return str(value)


def summary_table(report: dict) -> str:
    cols = ["all", *LANGS]
    lines = ["| metric | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for key, label, kind in ROWS:
        lines.append(f"| {label} | " + " | ".join(_fmt(report["metrics"][c][key], kind) for c in cols) + " |")
    return "\n".join(lines)


def kind_table(report: dict) -> str:
    kinds = report.get("by_kind", {}).get("all", {})
    lines = ["| kind | n | right | EM | F1 | refused |", "|---|---:|---:|---:|---:|---:|"]
    for kind, v in kinds.items():
        lines.append(f"| {kind} | {v['n']} | {_fmt(v.get('right'), 'r')} | {_fmt(v.get('em'), 'r')} "
                     f"| {_fmt(v.get('f1'), 'r')} | {_fmt(v['refused'], 'r')} |")
    return "\n".join(lines)


def _cell(text) -> str:
    if isinstance(text, list):
        text = " / ".join(map(str, text))
    return " ".join(str(text or "").split()).replace("|", "\\|")


def markdown(report: dict) -> str:
    out = [f"# Khabar eval: {report.get('gold') or 'gold set'}", "",
           f"- mode: {report['mode']}", f"- when: {report['when']}",
           f"- questions: {report['metrics']['all']['questions']} (k = {report['k']})",
           f"- wall time: {report['seconds']} s", f"- index: {report.get('index', 'n/a')}",
           f"- invariants: {report['invariants']['answers_with_citations']} answers with citations, "
           f"{len(report['invariants']['invalid_citations'])} citing a chunk retrieval did not return",
           "", "## Summary", "", summary_table(report), "", "## By kind", "", kind_table(report), "",
           f"## Misses ({len(report['misses'])})", ""]
    if report["misses"]:
        out += ["| id | reasons | question | expected | got | retrieved articles |", "|---|---|---|---|---|---|"]
        for m in report["misses"]:
            got = m["got"] if not m["error"] else f"ERROR {m['error']}"
            out.append(f"| {m['id']} | {', '.join(m['reasons'])} | {_cell(m['question'])} | {_cell(m['expected'])} "
                       f"| {_cell(got)} | {_cell(m['retrieved_articles'])} |")
    else:
        out.append("none")
    return "\n".join(out) + "\n"


def write(report: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"eval-{time.strftime('%Y%m%d-%H%M%S')}-{report['label']}"
    md, js = out_dir / f"{stem}.md", out_dir / f"{stem}.json"
    md.write_text(markdown(report), encoding="utf-8")
    js.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return md, js


# ---- CLI ----------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise EvalError(message)



def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m eval.run", description="Score Khabar on the gold Q&A set.")
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


def in_process_client(llm: str | None, workdir: Path, distractors: Path | None) -> InProcess:
    from index.config import Settings, offline_env

    offline_env()
    from index.ingest import ingest
    from qa.pipeline import Pipeline

    settings = build_eval_index(Settings(), workdir, distractors)
    pipe = Pipeline.from_settings(settings, llm=llm)
    print(f"eval.run: indexing {len(list(settings.articles_dir.iterdir()))} files into a temp index "
          f"({'with' if distractors else 'without'} XQuAD distractors)", file=sys.stderr)
    ingest(settings.articles_dir, pipe.store, pipe.embedder, settings, progress=sys.stderr.isatty())
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


def main(argv: list[str] | None = None) -> int:
    import shutil
    import tempfile

    workdir = None
    try:
        args = parser().parse_args(argv)
        gold = load_gold(args.gold)
        distractors = None if args.no_distractors else args.distractors
        counts = None
        if args.endpoint:
            if args.llm:
                raise EvalError("--llm applies in process only; the server decides with --endpoint")
            client: Client = Remote(args.endpoint)
            client.check()
            index = f"the server's ({args.endpoint}); no distractors added"
        else:
            if distractors is not None:
                distractor_texts(distractors)  # fail on a bad folder before loading models
            workdir = Path(tempfile.mkdtemp(prefix="khabar-eval-"))
            client = in_process_client(args.llm, workdir, distractors)
            counts = chunk_counts(client.pipeline.store)
            n_distractors = sum(1 for a in counts if a.startswith("xquad-"))
            index = (f"temp index: {len(counts) - n_distractors} articles + {n_distractors} XQuAD distractor "
                     f"paragraphs, {sum(counts.values())} chunks")
        _warn_missing_docs(gold, client)
        report = evaluate(gold, client, args.limit, progress=True, chunk_counts=counts, each=args.each)
        report["gold"] = str(args.gold)
        report["index"] = index
        md, js = write(report, args.out)
    except EvalError as exc:
        print(f"eval.run: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("eval.run: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # models missing, unreadable index, ...: one line, no traceback
        from index.models import ModelError

        code = EXIT_SETUP if isinstance(exc, (ModelError, FileNotFoundError)) else 1
        print(f"eval.run: error: {type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
        return code
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(summary_table(report))
    print(f"eval.run: wrote {md} and {js}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
