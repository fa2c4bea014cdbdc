"""eval.run's output: the summary table, the per-kind table, the markdown report and the JSON file."""
from __future__ import annotations

import json
import time
from pathlib import Path

from .goldset import LANGS

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
    ("first_token_p50_ms", "first answer text p50 (ms)", "ms"),
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
