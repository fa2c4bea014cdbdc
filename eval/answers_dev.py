"""Quick strict scorer for answer work (issue 15), on the small DEV set eval/answers_dev.jsonl.

`right`: not refused, the answer is in the question's language (an English answer holds no Arabic
letters at all; citations are separate), and one alias occurs in it as whole tokens. Unanswerable
questions count as right when refused. Not the gold eval (eval/run.py): a dev loop, never a test set.

    KHABAR_DATA_DIR=$(mktemp -d) nice -n 10 python -m eval.answers_dev [--only ID,ID] [--lang en] [--out FILE]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

from index.text import arabic_ratio, detect_language, tokens

from .metrics import strip_citations

DEV = Path(__file__).with_name("answers_dev.jsonl")


def contains(answer: str, alias: str) -> bool:
    a, b = tokens(answer), tokens(alias)
    return bool(b) and any(a[i:i + len(b)] == b for i in range(len(a) - len(b) + 1))


def judge(item: dict, out: dict) -> str:
    """'right' or the cause of a miss."""
    text = strip_citations(out["answer"])
    if not item["answerable"]:
        return "right" if out["refused"] else "answered_unanswerable"
    if out["refused"]:
        return "false_refusal"
    if item["lang"] == "en" and arabic_ratio(text) > 0:
        return "not_english"
    if item["lang"] == "ar" and detect_language(text) != "ar":
        return "not_arabic"
    if any(contains(text, a) for a in item["answers"]):
        return "right"
    return "wrong_fact"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.answers_dev")
    p.add_argument("--only", default="", help="comma-separated ids (or id prefixes)")
    p.add_argument("--lang", choices=["ar", "en"], default=None)
    p.add_argument("--llm", choices=["none", "local", "openai"], default=None)
    p.add_argument("--out", type=Path, default=None, help="write per-question JSON lines here")
    args = p.parse_args(argv)

    from index.config import offline_env
    from qa.config import QASettings as Settings

    offline_env()
    from index.ingest import ingest
    from qa.pipeline import Pipeline

    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.only:
        keys = args.only.split(",")
        items = [i for i in items if any(i["id"].startswith(k) for k in keys)]
    if args.lang:
        items = [i for i in items if i["lang"] == args.lang]
    settings = Settings()
    pipe = Pipeline.from_settings(settings, llm=args.llm)
    if pipe.store.count() == 0:
        ingest(settings.articles_dir, pipe.store, pipe.embedder, settings, progress=False)
    pipe.ask("warm-up")
    rows = []
    for item in items:
        ans = pipe.ask(item["question"])
        out = ans.to_dict()
        verdict = judge(item, out)
        rows.append({**item, "verdict": verdict, "answer": out["answer"], "refused": out["refused"],
                     "quotes": [c["quote"] for c in out["citations"]], "total_ms": out["timings"].get("total_ms"),
                     "first_token_ms": out["timings"].get("first_token_ms"),
                     "notes": {k: v for k, v in ans.notes.items() if k != "raw"}, "raw": ans.notes.get("raw")})
        mark = "+" if verdict == "right" else "-"
        print(f"{mark} {item['id']} {verdict:22} {out['timings'].get('total_ms')}ms | {out['answer'][:150]}", flush=True)
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(summary(rows))
    return 0


def summary(rows: list[dict]) -> str:
    lines = []
    for lang in ("ar", "en"):
        ok = [r for r in rows if r["lang"] == lang and r["answerable"]]
        if ok:
            lines.append(f"{lang}: right {sum(r['verdict'] == 'right' for r in ok)}/{len(ok)}"
                         f" = {sum(r['verdict'] == 'right' for r in ok) / len(ok):.2f}")
    un = [r for r in rows if not r["answerable"]]
    if un:
        lines.append(f"unanswerable refused {sum(r['refused'] for r in un)}/{len(un)}")
    en = [r for r in rows if r["lang"] == "en" and not r["refused"]]
    if en:
        lines.append(f"English answers with no Arabic: {sum(arabic_ratio(strip_citations(r['answer'])) == 0 for r in en)}/{len(en)}")
    total = [r["total_ms"] for r in rows if r["total_ms"] is not None and not r["refused"]]
    first = [r["first_token_ms"] for r in rows if r.get("first_token_ms")]
    if total:
        lines.append(f"p50 total (answered) {statistics.median(total) / 1000:.1f}s;"
                     f" p50 first token {statistics.median(first) / 1000 if first else float('nan'):.1f}s")
    causes = Counter(r["verdict"] for r in rows if r["verdict"] != "right")
    lines.append("misses: " + ", ".join(f"{k} {v}" for k, v in causes.most_common()))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
