"""The benchmark's pure helpers: targets, the table, the `targets met` line, question picking, the
synthetic corpus and the hashing embedder. No timing is asserted anywhere."""
from __future__ import annotations

import math

import pytest

from index.embed import HashingEmbedder
from eval.bench import (Row, Target, format_table, percentile, pick_questions, seed_sentences,
                        synthetic_corpus, target_rows, targets_line)


# ---- targets ----
@pytest.mark.parametrize("op,value,x,ok", [
    ("<", 30, 29.9, True), ("<", 30, 30, False), ("<=", 150, 150, True), ("<=", 150, 150.1, False),
    (">=", 1.5, 1.5, True), (">=", 1.5, 1.49, False), (">", 0, 0.1, True), (">", 0, 0, False),
])
def test_target_check(op, value, x, ok):
    assert Target(op, value).check(x) is ok


def test_target_text_and_bad_operator():
    assert str(Target("<=", 150, " ms")) == "≤ 150 ms"
    assert str(Target(">=", 0.9, "× raw")) == "≥ 0.9× raw"
    assert str(Target("<", 30, " s")) == "< 30 s"
    with pytest.raises(ValueError):
        Target("==", 1)


def test_row_met():
    assert Row("s", "info only", "1").met is None
    assert Row("s", "m", "1", value=1.0, target=Target("<=", 2)).met is True
    assert Row("s", "m", "3", value=3.0, target=Target("<=", 2)).met is False
    assert Row("s", "not measured", "n/a", value=None, target=Target("<=", 2)).met is False
    assert Row("s", "nan", "n/a", value=float("nan"), target=Target("<=", 2)).met is False
    fast_but_wrong = Row("s", "m", "4×", value=4.0, target=Target(">=", 3), also=False, also_text="accuracy ≥ naive")
    assert fast_but_wrong.met is False
    assert fast_but_wrong.target_text == "≥ 3 and accuracy ≥ naive"


# ---- the table and the last line ----
def _rows():
    return [
        Row("ingest", "from scratch", "20.0 s", value=20.0, target=Target("<", 30, " s")),
        Row("retrieval", "p50", "200 ms", "300 ms", value=200.0, target=Target("<=", 150, " ms")),
        Row("retrieval", "p95", "250 ms", "a|b"),
    ]


def test_format_table_columns_and_met_column():
    lines = format_table(_rows()).splitlines()
    assert len(lines) == 2 + 3
    assert [c.strip() for c in lines[0].strip("|").split("|")] == ["section", "metric", "khabar", "baseline",
                                                                     "target", "met"]
    assert set(lines[1]) <= {"|", "-"}
    assert lines[2].split("|")[-2].strip() == "met"
    assert lines[3].split("|")[-2].strip() == "NOT met"
    assert lines[4].split("|")[-2].strip() == "—"
    assert "a\\|b" in lines[4]  # a pipe inside a cell cannot break the table
    assert len({len(line) for line in lines}) == 1  # aligned


def test_targets_line_counts_only_rows_with_targets():
    rows = _rows()
    assert len(target_rows(rows)) == 2
    assert targets_line(rows) == "targets met: 1/2"
    assert targets_line([]) == "targets met: 0/0"
    assert targets_line([Row("a", "b", "c")]) == "targets met: 0/0"


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([5], 95) == 5
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert math.isclose(percentile(range(1, 101), 95), 95.05)


# ---- questions ----
def _gold():
    out = []
    for lang in ("ar", "en"):
        for i in range(10):
            out.append({"id": f"{lang}-{i}", "lang": lang, "question": f"q{i}", "answers": ["x"],
                        "answerable": i < 8, "follows": "x" if i == 3 else None})
    return out


def test_pick_questions_balanced_standalone_answerable():
    picked = pick_questions(_gold(), 6)
    assert [g["lang"] for g in picked].count("ar") == 3 and [g["lang"] for g in picked].count("en") == 3
    assert all(g["answerable"] and g["follows"] is None for g in picked)
    assert len({g["id"] for g in picked}) == 6
    assert pick_questions(_gold(), 6) == picked  # deterministic
    odd = pick_questions(_gold(), 5)
    assert len(odd) == 5 and [g["lang"] for g in odd].count("ar") == 3
    with_unanswerable = pick_questions(_gold(), 40, answerable_only=False)
    assert len(with_unanswerable) == 18  # all standalone questions, no more


# ---- synthetic corpus ----
SENTENCES = [f"جملة رقم {i} عن المحادثات الأمنية في جنيف." for i in range(50)]


def test_synthetic_corpus_is_deterministic(tmp_path):
    a = synthetic_corpus(tmp_path / "a", 7, SENTENCES, seed=3)
    b = synthetic_corpus(tmp_path / "b", 7, SENTENCES, seed=3)
    c = synthetic_corpus(tmp_path / "c", 7, SENTENCES, seed=4)
    assert len(a) == 7 and all(p.suffix == ".txt" for p in a)
    assert [p.read_text() for p in a] == [p.read_text() for p in b]
    assert [p.read_text() for p in a] != [p.read_text() for p in c]
    assert len({p.name for p in a}) == 7


def test_synthetic_articles_use_only_seed_sentences(tmp_path):
    (path,) = synthetic_corpus(tmp_path, 1, SENTENCES, seed=0, min_sentences=12, max_sentences=12)
    title, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    assert title and "\n" not in title
    text = " ".join(body.split())
    for s in SENTENCES:
        text = text.replace(s, "")
    assert text.strip() == ""


def test_synthetic_corpus_ingests(tmp_path, settings):
    """Seed sentences -> articles the real loader/cleaner/chunker accept (hashing embedder, temp Chroma)."""
    from index.ingest import ingest
    from index.store import Store

    sentences = seed_sentences()
    assert len(sentences) > 50
    synthetic_corpus(tmp_path / "syn", 5, sentences, seed=0)
    report = ingest(tmp_path / "syn", Store(settings, name="bench-test"), HashingEmbedder(64), settings,
                    progress=False)
    assert report.articles == 5 and report.chunks >= 5 and not report.skipped


def test_synthetic_corpus_needs_sentences(tmp_path):
    with pytest.raises(ValueError):
        synthetic_corpus(tmp_path, 1, [])


# ---- hashing embedder ----
def test_hashing_embedder():
    e = HashingEmbedder(32)
    v1, v2 = e.embed_documents(["Geneva talks ended", "geneva TALKS ended"])
    assert len(v1) == 32 and math.isclose(sum(x * x for x in v1), 1.0)
    assert v1 == v2  # case-insensitive bag of words
    assert e.embed_queries(["Geneva talks ended"])[0] == v1
    assert e.embed_documents([""])[0][0] == 1.0  # empty text still a unit vector
    assert e.texts_embedded == 3
    assert HashingEmbedder(32).embed_sentences(["x y"]) == e.embed_sentences(["x y"])  # no per-process salt


def test_ingest_working_set_subtracts_the_vectors():
    from eval.bench import SCALE_DIM, ingest_working_set

    assert ingest_working_set({"peak_ingest": 300_000_000, "chunks": 1000}) == 300_000_000 - 1000 * SCALE_DIM * 4
    assert ingest_working_set({"peak_ingest": 300_000_000, "chunks": 1000, "sentences": 5000}) == \
        300_000_000 - 6000 * SCALE_DIM * 4


# ---- fairness (issue 14): every ratio is a median [min-max] over repeats, targets on the median ----
def test_spread_and_its_format():
    from eval.bench import fmt_spread, median_of, spread

    assert spread([1.38, 1.95, 1.5, None, float("nan")]) == (1.5, 1.38, 1.95)
    assert spread([]) is None and median_of([None]) is None
    assert fmt_spread([1.38, 1.95, 1.5, 1.6, 1.7]) == "1.60× [1.38–1.95×]"
    assert fmt_spread([100.4, 120.0, 90.0], " ms", 0) == "100 ms [90–120 ms]"
    assert fmt_spread([]) == "n/a"
    # a target met on one draw but not on the median is not met
    draws = [1.38, 1.95, 1.45, 1.42, 1.6]
    row = Row("retrieval", "speed-up", fmt_spread(draws), value=median_of(draws), target=Target(">=", 1.5))
    assert max(draws) >= 1.5 and row.met is False


def test_bench_scores_answers_with_the_strict_metric():
    from eval.bench import DEFAULT_GOLD, correct, load_gold

    assert DEFAULT_GOLD.name == "dev.jsonl"  # the bench never reads the frozen test split
    item = {"lang": "en", "answer_ar": ["سبع ساعات"], "answer_en": ["seven hours"], "kind": "factoid"}
    assert correct("The talks lasted seven hours [1].", item)
    assert not correct("والتي دامت أكثر من سبع ساعات [1].", item)  # an Arabic quote for an English question
    assert not correct("The talks lasted seven hours.", item, refused=True)
    qs = pick_questions(load_gold(), 30)
    assert len(qs) == 30 and sum(q["lang"] == "ar" for q in qs) == 15


# ---- one home per piece of logic (issue 18) ----
def test_bench_and_load_share_one_percentile_and_one_gold_loader():
    from eval import bench, goldset, load, metrics, run

    assert bench.percentile is metrics.percentile and load.percentile is metrics.percentile
    assert bench.load_gold is goldset.load_gold and run.load_gold is goldset.load_gold
    assert metrics.percentile([1, 2], 50) == 1.5 and metrics.percentile([1, 2], 50, "nearest") == 1
    with pytest.raises(ValueError):
        metrics.percentile([1], 50, "midpoint")


def test_recorder_keeps_every_prompt_the_pipeline_sends():
    from eval.bench_answers import Recorder

    class Inner:
        name, kind = "fake", "local"

        def count_tokens(self, messages):
            return 7

        def stream(self, messages, max_tokens, grammar=None):
            yield "x" if grammar is None else "1"

    rec = Recorder(Inner())
    assert "".join(rec.stream([{"role": "user", "content": "a"}], 5, grammar="root ::= [0-9]")) == "1"
    assert "".join(rec.stream([{"role": "user", "content": "b"}], 5)) == "x"
    assert [m[0]["content"] for _, m in rec.calls] == ["a", "b"]
    assert rec.count_tokens([]) == 7 and rec.name == "fake"
