"""Choose KHABAR_CHOICE_MARGIN on dev data: from two `eval.run --json` reports of the same gold file, one
where the model always chose the passage (KHABAR_CHOICE_MARGIN=9) and one where code always chose it for
the answer types it answers itself (KHABAR_CHOICE_MARGIN=0), print what each threshold would give.
Decoding is greedy, so a question's answer under threshold m is the second run's when its evidence margin
is at least m and the first run's otherwise.

    KHABAR_CHOICE_MARGIN=9 python -m eval.run --gold eval/gold/dev.jsonl --json   # -> model.json
    KHABAR_CHOICE_MARGIN=0 python -m eval.run --gold eval/gold/dev.jsonl --json   # -> code.json
    python -m eval.choice_margin model.json code.json
"""
from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

GRID = (0.0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 9.0)


def load(path: Path) -> dict[str, dict]:
    return {q["id"]: q for q in json.loads(path.read_text(encoding="utf-8"))["questions"]}


def combine(model: dict[str, dict], code: dict[str, dict], m: float) -> list[dict]:
    out = []
    for qid, a in model.items():
        b = code.get(qid)
        notes = (b or {}).get("notes") or {}
        by_code = b is not None and notes.get("choice_by_code") and notes.get("margin", float("inf")) >= m
        out.append(b if by_code else a)
    return out


def summary(rows: list[dict], language: str | None = None) -> dict:
    rows = [q for q in rows if language is None or q["lang"] == language]
    answerable = [q for q in rows if q["answerable"]]
    plausible = [q for q in rows if q["kind"] == "plausible_unanswerable"]
    return {
        "right": sum(bool(q.get("right")) for q in answerable) / max(len(answerable), 1),
        "false_refusals": sum(q["refused"] for q in answerable),
        "answerable": len(answerable),
        "plausible_refused": sum(q["refused"] for q in plausible),
        "plausible": len(plausible),
        "p50_ms": statistics.median(q["ms"] for q in rows) if rows else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", type=Path, help="report with KHABAR_CHOICE_MARGIN=9 (the model always chooses)")
    p.add_argument("code", type=Path, help="report with KHABAR_CHOICE_MARGIN=0 (code chooses when it can)")
    args = p.parse_args(argv)
    model, code = load(args.model), load(args.code)
    print("| margin ≥ | code chose | right (ar / en) | false refusals | plausible refused | p50 ms (wall) |")
    print("|---:|---:|---|---:|---:|---:|")
    for m in GRID:
        rows = combine(model, code, m)
        chose = sum(1 for q in rows if ((q.get("notes") or {}).get("choice_by_code")))
        s, ar, en = summary(rows), summary(rows, "ar"), summary(rows, "en")
        print(f"| {m:g} | {chose}/{len(rows)} | {s['right']:.3f} ({ar['right']:.3f} / {en['right']:.3f}) | "
              f"{s['false_refusals']}/{s['answerable']} | {s['plausible_refused']}/{s['plausible']} | {s['p50_ms']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
