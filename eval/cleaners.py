"""Old HTML cleaner vs the extractor (trafilatura + Khabar's rules), on news-site fixtures and the seeds.

    python -m eval.cleaners [--json]

Fixtures: tests/fixtures/news/NAME.html with NAME.json {"body": [the article's paragraphs], "title",
"optional": [lines counted neither way, e.g. a standfirst], "published", "source", "author", "url"}.
* body lost: expected paragraphs that are not in the output (whole, after whitespace / Arabic
  normalisation);
* boilerplate left: output paragraphs that are no part of the article body (nor its title).
The seed articles are .txt files (they keep the old cleaner): here each is also wrapped in a bare HTML
page (one <p> a line, its title in <title>) and sent through both HTML paths, scored against the
old cleaner's output of the .txt and the boilerplate phrases tests/test_clean.py checks.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

from index.clean import clean, clean_text
from index.config import BUNDLED_ARTICLES, REPO_ROOT
from index.extract import clean_html
from index.load import RawArticle, load_folder
from index.text import normalize

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "news"
SEED_BOILERPLATE = ["مجلس التحرير", "أوراق اعتماده", "نقابة الصحفيين", "اشترك الآن", "Reuters.com",
                    "LEAVE A REPLY", "Please enter", "تلغرام", "https://", "reading icon", "دقائق القراءة",
                    "اقرأ أيضاً", "انظر ايضاً", "أفكارك وتعليقاتك", "(تستمر)", "معاييرنا", "جنيف-سانا", "جنيف-وكالات",
                    "القادري"]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", normalize(text)).strip()


def score(text: str, title: str, body: list[str], optional: list[str] = ()) -> dict:
    """optional: lines that are neither (a standfirst, a "source:" line): not counted either way."""
    out = _norm(text)
    whole = " \n ".join(_norm(b) for b in [*body, *optional])
    lost = [b for b in body if _norm(b) not in out and _norm(b) != _norm(title)]
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    left = [p for p in paragraphs if _norm(p) not in whole and _norm(p) != _norm(title)]
    return {"body": len(body), "lost": len(lost), "left": len(left), "lost_lines": lost, "left_lines": left}


def old_html(page: str, name: str):
    return clean_text(RawArticle(name, Path(f"{name}.html"), page, "html"))


def new_html(page: str, name: str):
    return clean_html(page, name, f"{name}.html") or old_html(page, name)


def fixtures() -> list[dict]:
    rows = []
    for page_path in sorted(FIXTURES.glob("*.html")):
        expected = json.loads(page_path.with_suffix(".json").read_text(encoding="utf-8"))
        page = page_path.read_text(encoding="utf-8")
        row = {"name": page_path.stem}
        for label, fn in (("old", old_html), ("new", new_html)):
            art = fn(page, page_path.stem)
            row[label] = score(art.text, art.title, expected["body"], expected.get("optional", []))
            row[label]["title_ok"] = _norm(art.title) == _norm(expected["title"])
            if label == "new":
                row["meta"] = art.meta.to_dict()
                row["meta_ok"] = {k: row["meta"].get(k) == expected.get(k) for k in ("published", "source", "author", "url")}
        rows.append(row)
    return rows


def seeds() -> list[dict]:
    arts, _ = load_folder(BUNDLED_ARTICLES)
    rows = []
    for raw in arts:
        reference = clean(raw)  # the .txt through the old cleaner: what the tests call clean
        body = [p for p in reference.text.split("\n\n") if p.strip()]
        lines = "".join(f"<p>{html.escape(ln)}</p>\n" for ln in raw.text.splitlines() if ln.strip())
        page = f"<html><head><title>{html.escape(reference.title)}</title></head><body>\n{lines}</body></html>"
        row = {"name": raw.article_id}
        for label, fn in (("old", old_html), ("new", new_html)):
            art = fn(page, raw.article_id)
            row[label] = score(art.text, art.title, body)
            row[label]["boilerplate"] = [b for b in SEED_BOILERPLATE if b in art.text]
        rows.append(row)
    return rows


def table(rows: list[dict], seed: bool = False) -> str:
    head = "| page | body lines | old: body lost | old: boilerplate left | new: body lost | new: boilerplate left |"
    lines = [head, "|---|---|---|---|---|---|"]
    tot = [0, 0, 0, 0, 0]
    for r in rows:
        vals = [r["old"]["body"], r["old"]["lost"], r["old"]["left"], r["new"]["lost"], r["new"]["left"]]
        if seed:
            vals[2] = len(r["old"]["boilerplate"])
            vals[4] = len(r["new"]["boilerplate"])
        tot = [a + b for a, b in zip(tot, vals)]
        lines.append(f"| {r['name']} | " + " | ".join(map(str, vals)) + " |")
    lines.append("| **all** | " + " | ".join(f"**{v}**" for v in tot) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.cleaners", description=__doc__.split("\n")[0])
    p.add_argument("--json", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true", help="print the lost and leftover lines")
    args = p.parse_args(argv)
    fx, sd = fixtures(), seeds()
    if args.json:
        print(json.dumps({"fixtures": fx, "seeds": sd}, ensure_ascii=False, indent=1))
        return 0
    print(f"News-site fixtures ({FIXTURES.relative_to(REPO_ROOT)}):\n")
    print(table(fx))
    print("\ntitle (old / new) and the metadata the extractor found (published / source / author / url as expected):")
    for r in fx:
        ok = r["meta_ok"]
        titles = f"title {'ok' if r['old']['title_ok'] else 'wrong'} / {'ok' if r['new']['title_ok'] else 'wrong'}; "
        print(f"  {r['name']}: {titles}" + ", ".join(f"{k} {'ok' if v else 'MISSED ' + repr(r['meta'].get(k))}"
                                                    for k, v in ok.items()))
    print("\nSeed articles as bare HTML (body = the old cleaner's paragraphs of the .txt; boilerplate = the "
          "phrases tests/test_clean.py forbids):\n")
    print(table(sd, seed=True))
    if args.verbose:
        for r in fx + sd:
            for label in ("old", "new"):
                for line in r[label]["lost_lines"]:
                    print(f"{r['name']} {label} LOST: {line[:100]}")
                for line in r[label]["left_lines"]:
                    print(f"{r['name']} {label} LEFT: {line[:100]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
