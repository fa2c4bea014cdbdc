"""`python -m eval.names [--data DIR]`: how the cross-script name check (qa/support.py:
missing_entities) treats XQuAD questions, asked of their own article and of another.

Every XQuAD question is answerable from its own article, so a name the check finds missing there is a
false reason to refuse; asked of the next article (in id order), a name found missing is a reason to refuse
a question that article cannot answer. Both languages; no model is loaded."""
from __future__ import annotations

import sys
from pathlib import Path

from qa.support import missing_entities

from .args import OneLineParser, run_cli
from .xquad_data import DEFAULT_DATA, article_number, load


def counts(paragraphs: list[dict], questions: list[dict]) -> dict[str, int]:
    texts: dict[int, list[str]] = {}
    for p in paragraphs:
        texts.setdefault(article_number(p["pid"]), []).append(p["text_ar"])
    order = sorted(texts)
    out = {"asked": 0, "missing_own": 0, "missing_other": 0}
    for q in questions:
        own = article_number(q["pid"])
        other = order[(order.index(own) + 1) % len(order)]
        for lang in ("en", "ar"):
            asked = q[f"question_{lang}"]
            out["asked"] += 1
            out["missing_own"] += bool(missing_entities(asked, lang, texts[own]))
            out["missing_other"] += bool(missing_entities(asked, lang, texts[other]))
    return out


def main(argv: list[str] | None = None) -> int:
    return run_cli("eval.names", lambda: _run(argv))


def _run(argv: list[str] | None) -> int:
    ap = OneLineParser(prog="python -m eval.names", description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args(argv)
    c = counts(*load(args.data))
    print(f"questions asked (both languages): {c['asked']}")
    print(f"a name missing from the question's own article (false refusals): {c['missing_own']}")
    print(f"a name missing from another article (refusals it enables): {c['missing_other']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
