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
from typing import Iterable, Sequence

from . import metrics as M

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
