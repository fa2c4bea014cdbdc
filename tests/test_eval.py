"""eval.run and eval.xquad in process, with the fake embedder and a real Chroma in tmp."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from eval import run as R
from eval import xquad as X

GOLD = [
    {"id": "t-001", "lang": "ar", "question": "كم ساعة استمرت المفاوضات الروسية الأمريكية حول الضمانات الأمنية في جنيف؟",
     "answers": ["سبع ساعات", "seven hours"], "docs": ["001_e812f4507972c678"], "answerable": True, "follows": None},
    # a follow-up whose alias is in no article: always a miss
    {"id": "t-002", "lang": "ar", "question": "ومن أعلن ذلك؟", "answers": ["zzz-not-in-any-article"],
     "docs": ["001_e812f4507972c678"], "answerable": True, "follows": "t-001"},
    {"id": "t-003", "lang": "en", "question": "How many minutes did the Putin-Biden phone call last?",
     "answers": [], "docs": [], "answerable": False, "follows": None},
]


def _write_gold(path: Path, items=GOLD) -> Path:
    path.write_text("\n".join(json.dumps(g, ensure_ascii=False) for g in items) + "\n", encoding="utf-8")
    return path


def _check_rates(block: dict, required=("hit@1", "hit@5", "mrr", "right", "em", "f1", "answer_bearing",
                                          "language_match", "refusal_recall", "false_refusals")) -> None:
    for key in R.RATE_KEYS:
        value = block[key]
        assert value is None or (isinstance(value, float) and 0.0 <= value <= 1.0), (key, value)
    for key in required:
        assert isinstance(block[key], float), key


class Recording:
    """Wraps InProcess to see the histories the eval sends."""

    def __init__(self, inner):
        self.inner, self.mode, self.label, self.calls = inner, inner.mode, inner.label, []

    def ask(self, question, history, search_query):
        self.calls.append((question, history))
        return self.inner.ask(question, history, search_query)


def test_evaluate_in_process(make_pipeline, tmp_path):
    gold = R.load_gold(_write_gold(tmp_path / "gold.jsonl"))
    client = Recording(R.InProcess(make_pipeline()))
    report = R.evaluate(gold, client, progress=False)

    assert set(report["metrics"]) == {"all", "ar", "en"}
    for block in report["metrics"].values():
        assert {key for key, _, _ in R.ROWS} <= set(block)
    _check_rates(report["metrics"]["all"])
    _check_rates(report["metrics"]["ar"], required=("hit@1", "hit@5", "mrr", "right", "f1", "answer_bearing"))
    assert report["metrics"]["ar"]["refusal_recall"] is None  # no unanswerable Arabic question here
    assert report["metrics"]["all"]["questions"] == 3
    assert report["metrics"]["all"]["answerable"] == 2
    assert report["metrics"]["en"]["answerable"] == 0 and report["metrics"]["en"]["hit@1"] is None
    assert report["metrics"]["all"]["latency_p95_ms"] >= report["metrics"]["all"]["latency_p50_ms"] > 0
    # the first answer text comes no later than the whole answer
    assert all(0 < q["first_ms"] <= q["ms"] for q in report["questions"])

    # the follow-up got the first question and its answer as history
    q2, history = client.calls[1]
    assert q2 == GOLD[1]["question"]
    assert history[0] == {"role": "user", "content": GOLD[0]["question"]}
    assert history[1]["role"] == "assistant" and history[1]["content"] == report["questions"][0]["got"]

    misses = {m["id"]: m for m in report["misses"]}
    assert "t-002" in misses
    miss = misses["t-002"]
    assert {"id", "question", "expected", "got"} <= set(miss)
    assert miss["expected"] == ["zzz-not-in-any-article"]
    assert set(miss["reasons"]) & {"wrong_answer", "false_refusal"}

    rec = report["questions"][0]
    assert rec["retrieved"] and all(":" in c for c in rec["retrieved"])
    assert rec["hit@5"] == 1.0  # the only article that says "seven hours" is retrieved

    # citation validity is an invariant, not a score: every cited chunk is one retrieval returned
    assert report["invariants"]["answers_with_citations"] >= 1 and report["invariants"]["invalid_citations"] == []
    # the lenient figure stays, renamed; an Arabic extractive quote containing the reference is `right`
    assert rec["answer_bearing"] and rec["right"] and rec["f1"] < 0.5
    assert report["metrics"]["all"]["refusal_recall_plausible"] is not None  # t-003 is plausible unanswerable
    assert report["metrics"]["all"]["refusal_recall_offtopic"] is None  # no off-topic question here
    assert set(report["by_kind"]["all"]) == {"factoid", "followup", "plausible_unanswerable"}

    table = R.summary_table(report)
    assert table.startswith("| metric | all | ar | en |") and "retrieval hit@1" in table
    md, js = R.write(report, tmp_path / "out")
    assert "t-002" in md.read_text(encoding="utf-8")
    assert json.loads(js.read_text(encoding="utf-8"))["misses"]


def test_english_question_answered_with_an_arabic_quote_is_not_right():
    item = {"id": "e", "lang": "en", "question": "How long did the talks last?", "answers": ["سبع ساعات", "seven hours"],
            "docs": ["001_e812f4507972c678"], "answerable": True, "follows": None, "kind": "factoid",
            "answer_ar": ["سبع ساعات"], "answer_en": ["seven hours", "7 hours"]}
    quote = R.Reply("والتي دامت أكثر من سبع ساعات في جنيف اليوم [1].", "en", False,
                    [{"chunk_id": "001_e812f4507972c678:0", "quote": "دامت أكثر من سبع ساعات"}],
                    ["001_e812f4507972c678:0"], 5.0)
    rec = R.score(item, quote)
    assert rec["answer_bearing"] and not rec["right"] and "wrong_answer" in rec["reasons"]
    english = R.Reply("The talks lasted more than seven hours [1].", "en", False, quote.citations, quote.retrieved, 5.0)
    assert R.score(item, english)["right"]
    # the random baseline: 1 gold chunk of 4 in the index
    rec = R.score(item, english, {"001_e812f4507972c678": 1, "x": 3})
    assert rec["random_hit@1"] == pytest.approx(0.25) and rec["random_hit@5"] == 1.0


def test_eval_index_has_the_distractors(settings, articles, embedder, tmp_path):
    from index.ingest import ingest
    from index.store import Store

    d = tmp_path / "xq"
    d.mkdir()
    (d / "paragraphs.jsonl").write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PARAGRAPHS) + "\n",
                                        encoding="utf-8")
    s = R.build_eval_index(settings, tmp_path / "work", d)
    assert s.data_dir == tmp_path / "work" / "data" and s.data_dir != settings.data_dir
    store = Store(s)
    ingest(s.articles_dir, store, embedder, s, progress=False)
    counts = R.chunk_counts(store)
    assert {"xquad-0-0", "xquad-1-1", "001_e812f4507972c678"} <= set(counts)
    assert len(counts) == 5 + len(PARAGRAPHS)
    with pytest.raises(R.EvalError):
        R.distractor_texts(tmp_path / "nowhere")


def test_limit_asks_an_unscored_parent(make_pipeline):
    gold = [GOLD[1], GOLD[0]]  # the follow-up comes first
    client = Recording(R.InProcess(make_pipeline()))
    report = R.evaluate(gold + [GOLD[2]], client, limit=1, progress=False)
    assert [c[0] for c in client.calls] == [GOLD[0]["question"], GOLD[1]["question"]]
    assert report["metrics"]["all"]["questions"] == 1


def test_remote_client_with_mock_server(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(R.time, "sleep", lambda s: None)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/health":  # loading once, then ready
            loading = sum(r.url.path == "/health" for r in seen) == 1
            return httpx.Response(200, json={"status": "loading" if loading else "ok"})
        if request.url.path == "/api/search":
            return httpx.Response(200, json=[{"chunk_id": "a:0", "article_id": "a"}, {"chunk_id": "b:1", "article_id": "b"}])
        body = json.loads(request.content)
        if body["question"] == "bad":
            return httpx.Response(400, json={"error": {"code": "question_too_long", "message": "too long"}})
        return httpx.Response(200, json={"answer": "Sherman [1].", "language": "en", "refused": False,
                                         "citations": [{"n": 1, "chunk_id": "b:1", "article_id": "b", "title": "t",
                                                        "quote": "Wendy Sherman led."}], "timings": {}})

    client = R.Remote("http://khabar.test/")
    client.http = httpx.Client(transport=httpx.MockTransport(handler))
    client.check()
    assert [r.url.path for r in seen] == ["/health", "/health", "/api/search"]
    assert "waiting for" in capsys.readouterr().err
    reply = client.ask("Who?", [{"role": "user", "content": "x"}], "x Who?")
    assert reply.retrieved == ["a:0", "b:1"] and reply.citations[0]["chunk_id"] == "b:1" and reply.error is None
    ask = [r for r in seen if r.url.path == "/api/ask"][0]
    assert json.loads(ask.content) == {"question": "Who?", "history": [{"role": "user", "content": "x"}]}
    assert [r for r in seen if r.url.path == "/api/search"][-1].url.params["q"] == "x Who?"
    bad = client.ask("bad", None, "bad")
    assert bad.error == "HTTP 400: question_too_long: too long"


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert R.main(["--limit", "0"]) == 2
    assert R.main(["--gold", str(tmp_path / "missing.jsonl")]) == 3
    (tmp_path / "bad.jsonl").write_text('{"id": "x"}\n')
    assert R.main(["--gold", str(tmp_path / "bad.jsonl")]) == 3
    gold = _write_gold(tmp_path / "gold.jsonl")
    assert R.main(["--gold", str(gold), "--endpoint", "http://127.0.0.1:9"]) == 3  # nothing listens on 9
    assert R.main(["--gold", str(gold), "--endpoint", "ftp://x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 5 and all(line.startswith("eval.run: error: ") for line in err)
    assert "Traceback" not in "".join(err)


# ---- xquad ---------------------------------------------------------------------------------
PARAGRAPHS = [
    {"pid": "0-0", "title": "Geneva", "text_ar": "عقدت المحادثات في جنيف بين روسيا والولايات المتحدة واستمرت سبع ساعات كاملة في مقر البعثة الأمريكية وسط اهتمام كبير من الصحافة الدولية والدبلوماسيين.", "text_en": "..."},
    {"pid": "0-1", "title": "Geneva", "text_ar": "ترأس الوفد الروسي نائب وزير الخارجية سيرغي ريابكوف بينما ترأست ويندي شيرمان الوفد الأمريكي في هذه الجولة من المفاوضات الأمنية الطويلة والصعبة.", "text_en": "..."},
    {"pid": "1-0", "title": "Oxygen", "text_ar": "الأكسجين عنصر كيميائي رمزه O وعدده الذري ثمانية وهو من أكثر العناصر وفرة في القشرة الأرضية وفي الغلاف الجوي للأرض ويتنفسه الإنسان والحيوان.", "text_en": "..."},
    {"pid": "1-1", "title": "Oxygen", "text_ar": "اكتشف العالم كارل شيله الأكسجين في القرن الثامن عشر قبل أن ينشر جوزيف بريستلي نتائجه عن الغاز نفسه الذي سماه لافوازييه لاحقا بهذا الاسم المعروف.", "text_en": "..."},
]
QUESTIONS = [
    {"qid": "q1", "pid": "0-0", "question_en": "How long did the talks in Geneva last?", "question_ar": "كم ساعة استمرت المحادثات في جنيف؟", "answers_en": ["seven hours"], "answers_ar": ["سبع ساعات"]},
    {"qid": "q2", "pid": "0-1", "question_en": "Who led the Russian delegation?", "question_ar": "من ترأس الوفد الروسي؟", "answers_en": ["Ryabkov"], "answers_ar": ["ريابكوف"]},
    {"qid": "q3", "pid": "0-1", "question_en": "Who led the American delegation?", "question_ar": "من ترأست الوفد الأمريكي؟", "answers_en": ["Sherman"], "answers_ar": ["شيرمان"]},
    {"qid": "q4", "pid": "1-0", "question_en": "What is the atomic number of oxygen?", "question_ar": "ما العدد الذري للأكسجين؟", "answers_en": ["eight"], "answers_ar": ["ثمانية"]},
    {"qid": "q5", "pid": "1-1", "question_en": "Who discovered oxygen?", "question_ar": "من اكتشف الأكسجين؟", "answers_en": ["Scheele"], "answers_ar": ["كارل شيله"]},
    {"qid": "q6", "pid": "1-1", "question_en": "Who named the gas oxygen?", "question_ar": "من سمى الغاز لاحقا؟", "answers_en": ["Lavoisier"], "answers_ar": ["لافوازييه"]},
]


@pytest.fixture
def xquad_dir(tmp_path: Path) -> Path:
    d = tmp_path / "xq"
    d.mkdir()
    for name, rows in (("paragraphs.jsonl", PARAGRAPHS), ("questions.jsonl", QUESTIONS)):
        (d / name).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return d


def test_xquad_benchmark_with_fake_embedder(xquad_dir, settings, embedder):
    result = X.benchmark(xquad_dir, embedder, settings)
    assert set(result) >= {"khabar", "dense", "bm25", "seconds"}
    for system in X.SYSTEMS:
        assert set(result[system]) == {"en_ar", "ar_ar"}
        for direction in ("en_ar", "ar_ar"):
            scores = result[system][direction]
            assert set(scores) == {"R@1", "R@5", "MRR"}
            assert all(0.0 <= v <= 1.0 for v in scores.values())
            assert scores["R@1"] <= scores["MRR"] <= scores["R@5"] or scores["R@5"] == 0.0
    # 4 paragraphs: dense and khabar rank all of them, so the gold one is always in the top 5
    assert result["dense"]["ar_ar"]["R@5"] == 1.0 and result["khabar"]["ar_ar"]["R@5"] == 1.0
    # Arabic questions share words with their paragraph: BM25 finds most of them first
    assert result["bm25"]["ar_ar"]["R@1"] >= 0.5
    meta = result["meta"]
    assert meta["questions"] == 6 and meta["paragraphs"] == 4 and meta["chunks"] >= 4
    assert meta["queries"] == {"en_ar": 6, "ar_ar": 6}
    assert meta["dense_weight"] == settings.dense_weight
    assert isinstance(result["seconds"], float)
    assert "| khabar |" in X.table(result) and "sentence vectors separate," in X.table(result)
    assert "sentence vectors separate cut to 256-d," in X.table({**result, "meta": {**meta, "sentence_dim": 256}})


def test_xquad_limit_keeps_whole_articles(xquad_dir, settings, embedder):
    result = X.benchmark(xquad_dir, embedder, settings, limit=1, dense_weight=1.0)
    assert result["meta"]["questions"] == 1
    assert result["meta"]["paragraphs"] == 2  # both Geneva paragraphs, no Oxygen ones
    assert result["meta"]["dense_weight"] == 1.0


def test_xquad_injected_dense_encoders(xquad_dir, settings, embedder):
    calls = []

    def docs(texts):
        calls.append(("docs", len(texts)))
        return embedder.embed_documents(texts)

    def queries(texts):
        calls.append(("queries", len(texts)))
        return embedder.embed_queries(texts)

    X.benchmark(xquad_dir, embedder, settings, encoders=(docs, queries))
    assert calls == [("docs", 4), ("queries", 6), ("queries", 6)]


def test_xquad_cli_errors(tmp_path, capsys):
    assert X.main(["--data", str(tmp_path / "nope")]) == 3
    assert X.main(["--dense-weight", "2"]) == 2
    assert X.main(["--limit", "x"]) == 2
    (tmp_path / "paragraphs.jsonl").write_text('{"pid": "1"}\n')
    (tmp_path / "questions.jsonl").write_text("")
    assert X.main(["--data", str(tmp_path)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4 and all(line.startswith("eval.xquad: error: ") for line in err)


# ---- xquad --answers -----------------------------------------------------------------------
def test_xquad_answer_split_holds_out_the_last_articles():
    paragraphs = [{"pid": f"{a}-{n}", "text_ar": "x"} for a in range(24) for n in range(2)]
    questions = [{"pid": f"{a}-0", "question_en": "q", "question_ar": "س"} for a in range(24)]
    indexed, answerable, unanswerable, articles, held = X.answer_split(paragraphs, questions, "dev", None)
    assert articles == list(range(12)) and held == [9, 10, 11]
    assert {X.article_number(p["pid"]) for p in indexed} == set(range(9))
    assert len(answerable) == 9 and len(unanswerable) == 3
    _, _, _, articles, held = X.answer_split(paragraphs, questions, "test", 2)
    assert articles == [12, 13] and held == [13]
    assert X.answer_split(paragraphs, questions, "test", 1)[4] == []  # one article: nothing to hold out


def test_xquad_answers_with_fake_pipeline(xquad_dir, settings, embedder, tmp_path):
    from index.store import Store
    from qa.pipeline import Pipeline

    made = []

    def make(s):
        made.append(s)
        return Pipeline(s, Store(s, name=X.COLLECTION), embedder, None)

    details = tmp_path / "details.jsonl"
    result = X.answers_benchmark(xquad_dir, settings, make, split="dev", details=details)
    assert made[0].data_dir != settings.data_dir  # a throwaway index, never the configured one
    assert result["meta"]["held_out_articles"] == [1] and result["meta"]["paragraphs"] == 2
    for lang in ("en", "ar"):
        assert set(result[lang]) == {"right", "em", "f1", "n"} and result[lang]["n"] == 3
        assert all(0.0 <= result[lang][k] <= 1.0 for k in ("right", "em", "f1"))
    # extractive answers are Arabic sentences: never `right` for an English question
    assert result["en"]["right"] == 0.0
    assert result["ar"]["right"] > 0.0 and result["ar"]["em"] == 0.0
    assert 0.0 <= result["refused_unanswerable"] <= 1.0 and result["meta"]["unanswerable_asked"] == 6
    assert "| en | 3 |" in X.answers_table(result)
    # one line per question asked, its scores agreeing with the totals
    rows = [json.loads(line) for line in details.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3 + 3 + 6
    for lang in ("en", "ar"):
        scored = [r["right"] for r in rows if r["lang"] == lang and r["answerable"]]
        assert sum(scored) / len(scored) == pytest.approx(result[lang]["right"])
    assert all("notes" in r and r["got"] for r in rows)


def test_xquad_score_answer_uses_the_question_language():
    q = {"answers_en": ["308"], "answers_ar": ["308"]}
    assert X.score_answer("لم يتخل الفريق سوى عن 308 نقطة", False, "ar", q)["right"]
    assert not X.score_answer("لم يتخل الفريق سوى عن 308 نقطة", False, "en", q)["right"]
    assert X.score_answer("308 points", False, "en", q) == {"right": True, "em": 0.0, "f1": pytest.approx(2 / 3)}
    assert X.score_answer("308", True, "en", q) == {"right": False, "em": 0.0, "f1": 0.0}


def test_each_takes_the_first_questions_of_each_language(make_pipeline):
    client = Recording(R.InProcess(make_pipeline()))
    report = R.evaluate(GOLD, client, each=1, progress=False)
    assert [r["id"] for r in report["questions"]] == ["t-001", "t-003"]


def test_the_report_names_a_sentence_vector_cut(make_pipeline):
    assert R.InProcess(make_pipeline()).mode == "in-process, llm=none"
    assert R.InProcess(make_pipeline(sentence_dim=256)).mode == "in-process, llm=none, sentence vectors cut to 256-d"


def test_index_cache_is_keyed_on_what_ingest_reads_and_restores_an_equal_index(settings, articles, embedder,
                                                                                 tmp_path):
    from eval import index_cache as C
    from index.ingest import ingest
    from index.store import Store

    s = R.build_eval_index(settings, tmp_path / "work", None)
    key = C.cache_key(s)
    # the same inputs in another folder: the same key; a changed article, or a changed setting: another
    again = R.build_eval_index(settings, tmp_path / "again", None)
    assert C.cache_key(again) == key
    first = sorted(again.articles_dir.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nسطر جديد", encoding="utf-8")
    assert C.cache_key(again) != key
    assert C.cache_key(s.model_copy(update={"chunk_words": s.chunk_words + 1})) != key
    assert C.cache_key(s.model_copy(update={"top_k": s.top_k + 1})) == key  # answering only: the same index

    cache = tmp_path / "cache"
    assert not C.restore(cache, key, tmp_path / "nothing")
    store = Store(s)
    ingest(s.articles_dir, store, embedder, s, progress=False)
    C.save(cache, key, s.data_dir)
    copy = s.model_copy(update={"data_dir": tmp_path / "copy"})
    assert C.restore(cache, key, copy.data_dir)
    restored = Store(copy)
    assert R.chunk_counts(restored) == R.chunk_counts(store) and restored.count() == store.count() > 0
    vector = embedder.embed_queries(["محادثات جنيف"])[0]
    assert [h.chunk_id for h in restored.query(vector, 5)] == [h.chunk_id for h in store.query(vector, 5)]
