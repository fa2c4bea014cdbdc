from qa.bm25 import BM25
from qa.retrieve import Retriever


def test_bm25_matches_across_arabic_spelling_variants():
    docs = ["اجتمع الوفدان في جنيف يوم الإثنين", "أوكرانيا وجورجيا والناتو", "الطقس مشمس في القاهرة"]
    bm = BM25(docs)
    assert bm.top("اوكرانيا", 1)[0][0] == 1  # أ/ا
    assert bm.top("والاثنين في جنيف", 1)[0][0] == 0  # prefix و + ال, إ/ا
    assert bm.top("لا يوجد", 3) == []


def test_dense_only_when_weight_is_one(indexed, embedder):
    q = "كم طلبا أرسلت روسيا إلى واشنطن للتحقيق في الهجمات الإلكترونية"
    dense = Retriever(indexed, embedder, dense_weight=1.0)
    hits, best = dense.search(q, 3)
    assert [h.chunk_id for h in hits] == [h.chunk_id for h in dense.dense(q, 3)]
    assert best == hits[0].score


def test_fusion_brings_the_lexical_match_up(indexed, embedder):
    q = "45 طلبا الهجمات الإلكترونية لافروف"
    fused, _ = Retriever(indexed, embedder, dense_weight=0.5).search(q, 3)
    assert fused[0].article_id == "003_b556f401f158842d"
    assert all("dense" in h.metadata for h in fused)
    assert [h.score for h in fused] == sorted((h.score for h in fused), reverse=True)


def test_bm25_index_follows_writes(indexed, embedder, settings, articles):
    from index.ingest import ingest

    r = Retriever(indexed, embedder)
    assert not r.bm25_search("زلزال", 3)
    (articles / "new.txt").write_text("زلزال قوي\n\n" + "ضرب زلزال قوي المنطقة صباح اليوم وفق مصادر رسمية. " * 5,
                                      encoding="utf-8")
    ingest(articles, indexed, embedder, settings, progress=False)
    assert r.bm25_search("زلزال", 3)[0].article_id == "new"


def test_english_questions_use_their_own_weight(indexed, embedder):
    q_en = "45 requests cyber attacks Lavrov"
    dense_only = [h.chunk_id for h in Retriever(indexed, embedder, 1.0, 1.0).search(q_en, 5)[0]]
    en_dense = [h.chunk_id for h in Retriever(indexed, embedder, 0.0, 1.0).search(q_en, 5)[0]]
    assert en_dense == dense_only  # the Arabic weight (0.0: BM25 only) is not used for English
    q_ar = "45 طلبا الهجمات الإلكترونية لافروف"
    bm25_only = [h.chunk_id for h in Retriever(indexed, embedder, 0.0, 1.0).search(q_ar, 5)[0]]
    assert bm25_only[0] == Retriever(indexed, embedder).bm25_search(q_ar, 1)[0].chunk_id
