"""The gold set (eval/gold/dev.jsonl, test.jsonl): its shape, its mix, its split rule, and every Arabic
reference answer present in an article the question cites."""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter

import pytest

from eval import goldset as G
from eval import metrics as M
from eval import run as R
from index.config import BUNDLED_ARTICLES, REPO_ROOT

GOLD_DIR = REPO_ROOT / "eval" / "gold"
KEYS = {"id", "lang", "question", "answers", "docs", "answerable", "follows", "kind", "answer_ar", "answer_en"}
# one-word references that would match almost any answer about these talks
GENERIC = {"two", "three", "ten", "nine", "half", "russia", "ukraine", "july", "yes", "no", "difficult", "complex",
           "professional", "ideas", "dinner", "responsibility", "reduction", "billions", "seriously", "serious",
           "روسيا", "أوكرانيا", "اوكرانيا", "الولايات المتحدة", "نعم", "لا", "جنيف", "الناتو"}


def _load(name: str) -> list[dict]:
    return [json.loads(line) for line in (GOLD_DIR / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def dev() -> list[dict]:
    return _load("dev.jsonl")


@pytest.fixture(scope="module")
def test() -> list[dict]:
    return _load("test.jsonl")


@pytest.fixture(scope="module")
def articles() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in BUNDLED_ARTICLES.glob("*.txt")}


def test_files_load_and_have_the_keys(dev, test):
    for name in ("dev.jsonl", "test.jsonl"):
        assert R.load_gold(GOLD_DIR / name)  # the eval accepts them
    items = dev + test
    assert len({i["id"] for i in items}) == len(items)
    for i in items:
        assert set(i) == KEYS, i["id"]
        assert i["kind"] in G.KINDS, i["id"]
        assert re.fullmatch(r"(ar|en)-\d{3}", i["id"]) and i["id"].startswith(i["lang"])
        assert (M._ARABIC_LETTER.search(M.match_text(i["question"])) is not None) == (i["lang"] == "ar"), i["id"]
        assert i["answerable"] == (i["kind"] not in G.UNANSWERABLE_KINDS), i["id"]
        if i["answerable"]:
            assert i["answer_ar"] and i["answer_en"] and i["docs"] and i["answers"], i["id"]
        else:
            assert not (i["answer_ar"] or i["answer_en"] or i["docs"] or i["answers"]), i["id"]
        assert (i["kind"] == "followup") == bool(i["follows"]), i["id"]


@pytest.mark.parametrize("name", ["probes.jsonl", "fresh.jsonl", "heldout.jsonl", "unseen.jsonl"])
def test_the_extra_question_sets_load_and_have_the_keys(name):
    """The probes and the helper-written fresh and held-out sets: the eval accepts them, and each item has
    the gold set's keys, a language that matches its script, and answers exactly when it is answerable."""
    items = _load(name)
    assert R.load_gold(GOLD_DIR / name) and len({i["id"] for i in items}) == len(items)
    for i in items:
        assert set(i) == KEYS and i["kind"] in G.KINDS, i["id"]
        assert (M._ARABIC_LETTER.search(M.match_text(i["question"])) is not None) == (i["lang"] == "ar"), i["id"]
        assert i["answerable"] == (i["kind"] not in G.UNANSWERABLE_KINDS), i["id"]
        assert bool(i["answer_ar"] and i["answer_en"] and i["docs"]) == i["answerable"], i["id"]
        assert i["answers"] == i["answer_ar"] + i["answer_en"], i["id"]


def test_follow_ups_stay_in_their_file_after_their_question(dev, test):
    for items in (dev, test):
        pos = {i["id"]: n for n, i in enumerate(items)}
        for n, i in enumerate(items):
            if i["follows"]:
                assert pos.get(i["follows"], n) < n, i["id"]


def test_the_mix_the_issue_asks_for(dev, test):
    items = dev + test
    kinds = Counter(i["kind"] for i in items)
    langs = Counter(i["lang"] for i in items)
    assert len(items) >= 240 and abs(langs["ar"] - langs["en"]) <= 4
    assert kinds["plausible_unanswerable"] >= 40 and kinds["multi"] >= 30 and kinds["followup"] >= 30
    assert kinds["offtopic"] >= 10
    yesno = [i for i in items if i["kind"] == "yesno"]
    no = [i for i in yesno if i["answer_en"] == ["no"]]
    assert len(yesno) >= 30 and abs(2 * len(no) - len(yesno)) <= 4
    # numbers and dates in both languages
    for lang in ("ar", "en"):
        numeric = [i for i in items if i["lang"] == lang and any(re.search(r"\d", p) for p in G.flat(i[f"answer_{lang}"]))]
        assert len(numeric) >= 15, lang
    assert all(Counter(i["kind"] for i in part)[k] >= 5 for part in (dev, test) for k in G.KINDS)


def test_no_generic_one_word_references(dev, test):
    for i in dev + test:
        if i["kind"] == "yesno":
            assert G.flat(i["answer_ar"]) in (["نعم"], ["لا", "كلا"]) and i["answer_en"] in (["yes"], ["no"])
            continue
        for alt in G.alternatives(i["answer_ar"]) + G.alternatives(i["answer_en"]):
            if len(alt) == 1:  # a part of a multi-part answer may be short: all parts must be there
                assert M.match_text(alt[0]) not in GENERIC, (i["id"], alt)


def test_every_arabic_reference_is_in_a_cited_article(dev, test, articles):
    for i in dev + test:
        if not i["answerable"] or i["kind"] == "yesno":
            continue
        assert set(i["docs"]) <= set(articles), i["id"]
        cited = [articles[d] for d in i["docs"]]
        for alt in G.alternatives(i["answer_ar"]):
            for part in alt:
                assert any(M.token_match(text, part, negation=False) for text in cited), (i["id"], part)


def test_split_rule_and_frozen_test_set(dev, test):
    assert G.check_split(dev, test) == []
    readme = (REPO_ROOT / "eval" / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((GOLD_DIR / "test.jsonl").read_bytes()).hexdigest()
    assert f"`{digest}`" in readme, "eval/gold/test.jsonl changed: that is a new test set (update eval/README.md)"


def test_split_rule_is_stratified_and_stable():
    items = [{"id": f"ar-{n:03d}", "lang": "ar", "kind": "factoid", "follows": None} for n in range(10)]
    items.append({"id": "ar-010", "lang": "ar", "kind": "followup", "follows": "ar-003"})
    side = G.assign_splits(items)
    assert side["ar-010"] == side["ar-003"]  # a follow-up goes with its question
    assert Counter(side[f"ar-{n:03d}"] for n in range(10)) == {"dev": 5, "test": 5}
    assert G.assign_splits(list(reversed(items))) == side  # order does not matter
