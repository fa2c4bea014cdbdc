"""Derive the refusal threshold (and, with --weights, the retrieval fusion weights) from dev data only:

    python -m eval.calibrate [--gold eval/gold/dev.jsonl] [--xquad DIR | --no-xquad] [--weights]
                             [--max-false-refusals 0.02] [--json]

Refusal threshold. Retrieval refuses without the LLM when the best dense cosine of a question is below
`refusal_threshold`. Calibration collects that cosine for
* every question of the gold dev split, asked against the seed articles plus the XQuAD distractor
  paragraphs (the index eval.run builds), follow-ups searched as "previous question + question";
* the questions (en and ar) of XQuAD dev articles 0-11, asked against the paragraphs of articles 0-8:
  questions of articles 0-8 are answerable, those of the held-out articles 9-11 are not;
and picks the highest threshold that refuses at most --max-false-refusals (default 2%) of the
answerable dev questions, rounded down to 0.01. It prints that value, where it came from, and what it
does on each dev population (refusal recall per kind, false refusals), next to the current setting.

--weights also sweeps the fusion weights on the XQuAD dev index (R@1 over the distinct paragraphs of
the top 20 chunks): dense_weight (Arabic questions) and dense_weight_en (English questions) in 0.6-1.0,
sentence_weight in 0, 0.5, 1, 2; the setting with the best mean R@1 (en and ar) is chosen when it beats
the current one by at least MIN_GAIN (0.01, about 5 of the 500 dev queries), else the current one stays.

The test split (eval/gold/test.jsonl, XQuAD articles 12-23) is never read: a --gold file with the
frozen test set's content is refused.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import tempfile
import time
from pathlib import Path

from index.config import REPO_ROOT
from qa.config import QASettings as Settings

from . import goldset as G
from . import metrics as M
from . import run as R
from . import xquad as X

DEFAULT_GOLD = REPO_ROOT / "eval" / "gold" / "dev.jsonl"
TEST_GOLD = REPO_ROOT / "eval" / "gold" / "test.jsonl"
DENSE_WEIGHTS = (0.6, 0.7, 0.8, 0.9, 1.0)
SENTENCE_WEIGHTS = (0.0, 0.5, 1.0, 2.0)
MIN_GAIN = 0.01  # mean R@1 a new weight setting must gain over the current one (about 5 of 500 dev queries)


class CalibrationError(Exception):
    pass


# ---- the choice (pure) --------------------------------------------------------------------
def choose_threshold(rows: list[dict], max_false_refusals: float) -> float:
    """The highest threshold t (rounded down to 0.01) with share(answerable rows with score < t)
    <= max_false_refusals. rows: {"score", "answerable"}."""
    answerable = sorted(r["score"] for r in rows if r["answerable"])
    if not answerable:
        raise CalibrationError("no answerable dev questions to calibrate on")
    allowed = math.floor(max_false_refusals * len(answerable))  # questions we may refuse
    # refusing `allowed` questions: t just above the allowed-th lowest score, at most the next one
    ceiling = answerable[allowed] if allowed < len(answerable) else answerable[-1] + 0.01
    # refusal is `score < t`: t == ceiling still keeps the question at `ceiling`
    return max(0.0, math.floor(round(ceiling * 100, 6)) / 100)


def effect(rows: list[dict], threshold: float) -> dict:
    """What a threshold does on each population: refusal share per kind / source."""
    out: dict = {}
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(f"{r['source']}:{r['kind']}", []).append(r)
    for name, rs in sorted(groups.items()):
        out[name] = {"n": len(rs), "refused": round(sum(r["score"] < threshold for r in rs) / len(rs), 3),
                     "min": round(min(r["score"] for r in rs), 3), "max": round(max(r["score"] for r in rs), 3)}
    ans = [r for r in rows if r["answerable"]]
    out["false_refusals"] = round(sum(r["score"] < threshold for r in ans) / len(ans), 4) if ans else None
    return out


# ---- collection (models) ------------------------------------------------------------------
class MemoEmbedder:
    """Caches query vectors: a weight sweep asks the same questions many times."""

    def __init__(self, inner) -> None:
        self.inner, self.cache = inner, {}

    def embed_queries(self, texts):
        missing = [t for t in texts if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, self.inner.embed_queries(missing)))
        return [self.cache[t] for t in texts]

    def __getattr__(self, name):
        return getattr(self.inner, name)


def gold_rows(gold: list[dict], retriever, k: int) -> list[dict]:
    by_id = {g["id"]: g for g in gold}
    rows = []
    for item in gold:
        query = item["question"]
        if item.get("follows") in by_id:
            query = f"{by_id[item['follows']]['question']} {query}"
        _, best = retriever.search(query, k)
        rows.append({"source": "gold-dev", "kind": G.kind_of(item), "lang": item["lang"], "id": item["id"],
                     "answerable": bool(item["answerable"]), "score": float(best)})
    return rows


def xquad_rows(answerable: list[dict], held: list[dict], retriever, k: int) -> list[dict]:
    rows = []
    for qs, ok in ((answerable, True), (held, False)):
        for q in qs:
            for lang, (field, _) in X.ANSWER_LANGS.items():
                text = str(q.get(field) or "").strip()
                if text:
                    _, best = retriever.search(text, k)
                    rows.append({"source": "xquad-dev", "kind": "answerable" if ok else "held_out_article",
                                 "lang": lang, "answerable": ok, "score": float(best)})
    return rows


def sweep_weights(questions: list[dict], store, embedder, current: Settings) -> dict:
    """R@1 on XQuAD dev for each (sentence_weight, dense weight) per question language."""
    from qa.retrieve import Retriever

    results: dict = {"ar": {}, "en": {}}
    for s in SENTENCE_WEIGHTS:
        for w in DENSE_WEIGHTS:
            r = Retriever(store, embedder, dense_weight=w, dense_weight_en=w, sentence_weight=s)
            for lang, (field, _) in X.ANSWER_LANGS.items():
                hits = []
                for q in questions:
                    text = str(q.get(field) or "").strip()
                    if text:
                        ranking = M.dedupe(h.article_id for h in r.search(text, X.KHABAR_CHUNKS)[0])
                        hits.append(M.hit_at_k(ranking, [str(q["pid"])], 1))
                results[lang][f"{s}/{w}"] = round(M.mean(hits) or 0.0, 4)

    return choose_weights(results, (current.sentence_weight, current.dense_weight, current.dense_weight_en))


def choose_weights(results: dict, now: tuple[float, float, float], min_gain: float = MIN_GAIN) -> dict:
    """results: {"ar"|"en": {"<sentence_weight>/<dense weight>": R@1}}; now: the current (sentence_weight,
    dense_weight, dense_weight_en). The best mean R@1 setting wins only by a margin of min_gain."""
    def mean_r1(sw: float, w_ar: float, w_en: float) -> float:
        return (results["ar"][f"{sw}/{w_ar}"] + results["en"][f"{sw}/{w_en}"]) / 2

    grid = [(sw, wa, we) for sw in SENTENCE_WEIGHTS for wa in DENSE_WEIGHTS for we in DENSE_WEIGHTS
            if f"{sw}/{wa}" in results["ar"] and f"{sw}/{we}" in results["en"]]
    best = max(grid, key=lambda g: mean_r1(*g))
    current_r1 = mean_r1(*now) if now in grid else None
    keep = current_r1 is not None and mean_r1(*best) - current_r1 < min_gain
    names = ("sentence_weight", "dense_weight", "dense_weight_en")
    return {"R@1": results, "best": dict(zip(names, best)), "best_mean_R@1": round(mean_r1(*best), 4),
            "current_mean_R@1": None if current_r1 is None else round(current_r1, 4), "min_gain": min_gain,
            "chosen": dict(zip(names, now if keep else best))}


def calibrate(gold_path: Path, xquad: Path | None, max_false_refusals: float, weights: bool,
              progress: bool = False) -> dict:
    from index.config import offline_env

    offline_env()
    from index.embed import load_embedder
    from index.ingest import ingest
    from index.store import Store
    from qa.retrieve import Retriever

    started = time.perf_counter()
    data = Path(gold_path).read_bytes()
    if TEST_GOLD.is_file() and hashlib.sha256(data).digest() == hashlib.sha256(TEST_GOLD.read_bytes()).digest():
        raise CalibrationError(f"{gold_path} is the frozen test set: calibration reads dev data only")
    gold = R.load_gold(gold_path)
    settings = Settings()
    embedder = MemoEmbedder(load_embedder(settings))
    rows: list[dict] = []
    out: dict = {"gold": str(gold_path), "xquad": str(xquad) if xquad else None}
    with tempfile.TemporaryDirectory(prefix="khabar-calibrate-") as tmp:
        s_gold = R.build_eval_index(settings, Path(tmp) / "gold", xquad)
        store = Store(s_gold)
        ingest(s_gold.articles_dir, store, embedder, s_gold, progress=progress)
        rows += gold_rows(gold, Retriever.from_settings(store, embedder, s_gold), settings.top_k)
        if xquad is not None:
            paragraphs, questions = X.load(xquad)
            indexed, answerable, held, articles, held_articles = X.answer_split(paragraphs, questions, "dev", None)
            folder = Path(tmp) / "xquad"
            folder.mkdir()
            for p in indexed:
                (folder / f"{p['pid']}.txt").write_text(str(p["text_ar"]), encoding="utf-8")
            s_x = settings.model_copy(update={"data_dir": Path(tmp) / "xdata", "chroma_url": None,
                                              "collection": "calibrate", "articles_dir": folder})
            xstore = Store(s_x, name="calibrate")
            ingest(folder, xstore, embedder, s_x, progress=progress)
            rows += xquad_rows(answerable, held, Retriever.from_settings(xstore, embedder, s_x), settings.top_k)
            out["xquad_articles"] = {"indexed": sorted(set(articles) - set(held_articles)), "held_out": held_articles}
            if weights:
                out["weights"] = sweep_weights(answerable, xstore, embedder, settings)
    threshold = choose_threshold(rows, max_false_refusals)
    out.update({"refusal_threshold": threshold, "current_refusal_threshold": settings.refusal_threshold,
                "rule": f"highest threshold (0.01 grid) refusing <= {max_false_refusals:.0%} of answerable dev questions",
                "populations": len(rows), "effect": effect(rows, threshold),
                "effect_current": effect(rows, settings.refusal_threshold),
                "seconds": round(time.perf_counter() - started, 1)})
    return out


def report(result: dict) -> str:
    lines = [f"refusal_threshold = {result['refusal_threshold']:.2f}  "
             f"(KHABAR_REFUSAL_THRESHOLD; current setting {result['current_refusal_threshold']})",
             f"  from: {result['rule']}; best dense cosine of {result['populations']} dev questions:",
             f"  {result['gold']} against the seed articles + XQuAD distractors"
             + (f", and XQuAD dev articles {result['xquad_articles']['indexed']} indexed, "
                f"{result['xquad_articles']['held_out']} held out" if result.get("xquad_articles") else ""),
             "", "| population | n | min | max | refused (chosen) | refused (current) |", "|---|---:|---:|---:|---:|---:|"]
    for name, v in result["effect"].items():
        if isinstance(v, dict):
            cur = result["effect_current"][name]["refused"]
            lines.append(f"| {name} | {v['n']} | {v['min']:.3f} | {v['max']:.3f} | {v['refused']:.3f} | {cur:.3f} |")
    lines.append(f"| false refusals (answerable) | | | | {result['effect']['false_refusals']} "
                 f"| {result['effect_current']['false_refusals']} |")
    if "weights" in result:
        c = result["weights"]["chosen"]
        w = result["weights"]
        lines += ["", f"fusion weights from XQuAD dev R@1: sentence_weight = {c['sentence_weight']}, "
                      f"dense_weight = {c['dense_weight']}, dense_weight_en = {c['dense_weight_en']} "
                      f"(best {w['best']} mean R@1 {w['best_mean_R@1']}, current {w['current_mean_R@1']}, "
                      f"a change needs +{w['min_gain']})",
                  "  R@1 by sentence_weight/dense_weight: "
                  + json.dumps(result["weights"]["R@1"], ensure_ascii=False)]
    lines.append(f"\n{result['seconds']} s")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__.split("\n\n")[0])
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="dev gold JSONL (default eval/gold/dev.jsonl)")
    p.add_argument("--xquad", type=Path, default=R.DEFAULT_DISTRACTORS,
                   help="XQuAD-format folder: distractors for the gold index and the dev articles 0-11")
    p.add_argument("--no-xquad", action="store_true", help="gold dev only, no distractors")
    p.add_argument("--max-false-refusals", type=float, default=0.02)
    p.add_argument("--weights", action="store_true", help="also sweep the fusion weights on XQuAD dev")
    p.add_argument("--json", action="store_true", help="last stdout line: the result as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not 0.0 <= args.max_false_refusals < 1.0:
        print("eval.calibrate: error: --max-false-refusals must be in [0, 1)", file=sys.stderr)
        return 2
    try:
        result = calibrate(args.gold, None if args.no_xquad else args.xquad, args.max_false_refusals, args.weights,
                           progress=sys.stderr.isatty())
    except (CalibrationError, R.EvalError, X.XquadError) as exc:
        print(f"eval.calibrate: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, CalibrationError) else getattr(exc, "code", 3)
    print(report(result))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
