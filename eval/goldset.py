"""The gold set's shape and its dev/test split (eval/gold/dev.jsonl, eval/gold/test.jsonl).

Each item: `id, lang, question, answers, docs, answerable, follows` (as eval/gold.jsonl) plus
`answer_ar`, `answer_en` (short reference answers; each entry is a string or a list of strings that
must all be present: "Ryabkov and Sherman" is ["ريابكوف", "شيرمان"]) and `kind`.

Split rule (fixed before any tuning): a question goes with its follow-up chain's first question (its
root). Roots are grouped by (language, kind of the root) and, within a group, sorted by sha256 of the
root id; they then alternate dev, test, dev, ... So each language and kind is split about 50/50, and
the assignment depends on nothing but the ids.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterable, Sequence

from index.config import REPO_ROOT

from . import metrics as M
from .args import EXIT_INPUT, CliError

DEFAULT_GOLD = REPO_ROOT / "eval" / "gold" / "dev.jsonl"  # never the frozen test split by default
LANGS = ("ar", "en")
GOLD_KEYS = {"id", "lang", "question", "answers", "docs", "answerable", "follows"}
KINDS = ("factoid", "yesno", "multi", "followup", "plausible_unanswerable", "offtopic")
UNANSWERABLE_KINDS = ("plausible_unanswerable", "offtopic")


def root_of(item: dict, by_id: dict[str, dict]) -> str:
    """The id of the first question of item's follow-up chain (item itself when it follows nothing)."""
    seen = set()
    while item.get("follows") and item["follows"] in by_id and item["id"] not in seen:
        seen.add(item["id"])
        item = by_id[item["follows"]]
    return item["id"]


def _digest(root_id: str) -> str:
    return hashlib.sha256(root_id.encode("utf-8")).hexdigest()


def assign_splits(items: Sequence[dict]) -> dict[str, str]:
    """id -> 'dev' | 'test' for every item, by the split rule above."""
    by_id = {i["id"]: i for i in items}
    roots = {i["id"]: root_of(i, by_id) for i in items}
    strata: dict[tuple[str, str], list[str]] = {}
    for rid in dict.fromkeys(roots.values()):
        strata.setdefault((by_id[rid]["lang"], kind_of(by_id[rid])), []).append(rid)
    side = {}
    for rids in strata.values():
        for n, rid in enumerate(sorted(rids, key=_digest)):
            side[rid] = "dev" if n % 2 == 0 else "test"
    return {iid: side[rid] for iid, rid in roots.items()}


def kind_of(item: dict) -> str:
    """The stored kind, or one derived for older gold files without it."""
    if item.get("kind"):
        return item["kind"]
    if not item.get("answerable", True):
        return "plausible_unanswerable"
    return "followup" if item.get("follows") else "factoid"


def alternatives(refs: Iterable) -> list[list[str]]:
    """Reference entries as lists of parts: "x" -> ["x"], ["x", "y"] -> ["x", "y"]."""
    return [[r] if isinstance(r, str) else [str(p) for p in r] for r in refs or [] if r]


def flat(refs: Iterable) -> list[str]:
    """Every string in a reference list, parts included."""
    return M.dedupe(p for alt in alternatives(refs) for p in alt)


def references(item: dict) -> list[list[str]]:
    """The reference alternatives for the question's own language (plus the other language's purely
    numeric ones: digits count for both). Older gold files without answer_ar / answer_en fall back to
    the aliases written in that script."""
    lang = item["lang"]
    if "answer_ar" in item or "answer_en" in item:
        own = alternatives(item.get(f"answer_{lang}"))
        other = alternatives(item.get("answer_en" if lang == "ar" else "answer_ar"))
    else:
        aliases = [a for a in item.get("answers", []) if isinstance(a, str)]
        is_ar = lambda a: M._ARABIC_LETTER.search(M.match_text(a)) is not None  # noqa: E731
        own = [[a] for a in aliases if is_ar(a) == (lang == "ar")]
        other = [[a] for a in aliases if is_ar(a) != (lang == "ar")]
    out = own + [alt for alt in other if all(M.is_numeric(p) for p in alt) and alt not in own]
    return out


def is_right(answer: str, refused: bool, item: dict) -> bool:
    """metrics.is_right over the item's reference alternatives: some alternative with every part present."""
    if refused:
        return False
    yesno = kind_of(item) == "yesno"
    for alt in references(item):
        if all(M.is_right(answer, False, item["lang"], [part], yesno=yesno) for part in alt):
            return True
    return False


def reference_strings(item: dict) -> list[str]:
    """The references as strings, for EM and F1 (parts joined by a space)."""
    return [" ".join(alt) for alt in references(item)]


def check_split(dev: Sequence[dict], test: Sequence[dict]) -> list[str]:
    """Ids that the split rule puts in the other file (empty when dev and test are consistent)."""
    side = assign_splits([*dev, *test])
    return [i["id"] for i in dev if side[i["id"]] != "dev"] + [i["id"] for i in test if side[i["id"]] != "test"]


# ---- reading a gold file --------------------------------------------------------------------
def _gold_item(path: Path, n: int, line: str, seen: set[str]) -> dict:
    """One line of a gold file, checked; CliError (exit 3) naming the line otherwise."""
    def fail(message: str) -> CliError:
        return CliError(f"{path}:{n}: {message}", EXIT_INPUT)

    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise fail(f"not JSON ({exc.msg})") from None
    if not isinstance(item, dict) or not GOLD_KEYS <= set(item):
        missing = sorted(GOLD_KEYS - set(item)) if isinstance(item, dict) else sorted(GOLD_KEYS)
        raise fail(f"missing keys {missing}")
    if item["lang"] not in LANGS:
        raise fail(f"lang must be one of {list(LANGS)}, got {item['lang']!r}")
    if not isinstance(item["question"], str) or not item["question"].strip():
        raise fail("empty question")
    if not isinstance(item["answers"], list) or not isinstance(item["docs"], list):
        raise fail("answers and docs must be lists")
    if item["id"] in seen:
        raise fail(f"duplicate id {item['id']!r}")
    seen.add(item["id"])
    return item


def load_gold(path: Path = DEFAULT_GOLD) -> list[dict]:
    """The items of a gold JSONL file, validated (keys, language, ids, follow-up targets)."""
    path = Path(path)
    if not path.is_file():
        raise CliError(f"gold file not found: {path}", EXIT_INPUT)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read gold file {path}: {exc}", EXIT_INPUT) from None
    seen: set[str] = set()
    items = [_gold_item(path, n, line, seen) for n, line in enumerate(lines, 1) if line.strip()]
    for item in items:
        if item["follows"] is not None and item["follows"] not in seen:
            raise CliError(f"{path}: {item['id']} follows unknown id {item['follows']!r}", EXIT_INPUT)
    if not items:
        raise CliError(f"gold file is empty: {path}", EXIT_INPUT)
    return items
