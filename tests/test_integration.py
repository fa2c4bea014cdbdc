"""Integration with the real models (marked `models`) and a real Chroma server on loopback."""
from __future__ import annotations


import pytest

from tests.servers import chroma_server

from index.config import BUNDLED_ARTICLES
from ui.config import Settings

RETRIEVAL = [
    ("من ترأس الوفد الروسي في محادثات جنيف؟", {"000_61330ebac7948799", "001_e812f4507972c678"}),
    ("كم طلبا أرسلت روسيا إلى واشنطن للتحقيق في الهجمات الإلكترونية؟", {"003_b556f401f158842d"}),
    ("كيف وصف أوشاكوف المكالمة الهاتفية بين بوتين وبايدن؟", {"004_c0fc1715b878b95d"}),
    ("How long did the security talks in Geneva last?", {"001_e812f4507972c678"}),
    ("How many people have died in the conflict in eastern Ukraine?", {"002_8f7b2033fd4e924f"}),
    ("What did Biden tell Putin about deploying offensive weapons in Ukraine?", {"004_c0fc1715b878b95d"}),
]


@pytest.mark.models
@pytest.mark.parametrize("question,articles", RETRIEVAL)
def test_real_retrieval_finds_the_article_in_top_3(real_pipeline, question, articles):
    hits = real_pipeline.search(question, 3)
    assert {h.article_id for h in hits} & articles, [h.chunk_id for h in hits]


ANSWERS = [
    ("كم طلبا أرسلت روسيا إلى واشنطن للتحقيق في الهجمات الإلكترونية؟", "ar", ["45"]),
    ("من ترأس الوفد الروسي في محادثات جنيف؟", "ar", ["ريابكوف"]),
    ("How long did the security talks in Geneva last?", "en", ["seven hours", "7 hours"]),
    ("How many people have died in the conflict in eastern Ukraine?", "en", ["15,000", "15 000", "15000", "15 thousand"]),
]


@pytest.mark.models
@pytest.mark.parametrize("question,lang,aliases", ANSWERS)
def test_real_answers_are_grounded_in_the_question_language(real_pipeline, question, lang, aliases):
    a = real_pipeline.ask(question)
    assert not a.refused and a.language == lang
    assert any(x.lower() in a.answer.lower() for x in aliases), a.answer
    assert a.citations and all(c.chunk_id in a.retrieved for c in a.citations)
    assert all(c.quote and c.quote in real_pipeline.store.get([c.chunk_id])[0].text for c in a.citations)
    if lang == "en":
        assert a.citations[0].quote.strip()[0] >= "\u0600", "an English answer cites the Arabic passage"
    assert a.timings["prompt_tokens"] <= 450


@pytest.mark.models
def test_real_unanswerable_question_is_refused(real_pipeline):
    a = real_pipeline.ask("Who won the 2022 football World Cup?")
    assert a.refused and a.citations == [] and a.answer == "The articles don't say."


def test_ingest_and_search_against_a_real_chroma_server(tmp_path, embedder):
    with chroma_server(tmp_path / "server") as url:
        from index.ingest import ingest
        from index.store import Store
        from qa.retrieve import Retriever

        settings = Settings(data_dir=tmp_path / "unused", chroma_url=url)
        store = Store(settings)
        report = ingest(BUNDLED_ARTICLES, store, embedder, settings, progress=False)
        assert report.added == store.count() > 0
        assert not (tmp_path / "unused" / "chroma").exists(), "nothing written to the embedded store"
        again = ingest(BUNDLED_ARTICLES, Store(settings), embedder, settings, progress=False)
        assert again.added == 0 and again.unchanged == report.chunks
        hits, _ = Retriever(store, embedder).search("كم طلبا أرسلت روسيا للتحقيق في الهجمات الإلكترونية", 3)
        assert hits[0].article_id == "003_b556f401f158842d"
