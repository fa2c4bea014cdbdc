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
    dense = Retriever(indexed, embedder, dense_weight=1.0, sentence_weight=0.0)
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


def test_a_chunk_whose_one_sentence_answers_is_brought_up(settings, articles):
    """Chunk-level cosine blurs a single matching sentence in a long chunk; the stored sentence
    vectors find it."""
    from index.embed import HashingEmbedder
    from index.ingest import ingest
    from index.store import Store

    embedder = HashingEmbedder(1024)  # wide enough that these few words don't collide
    indexed = Store(settings, name="zebra")

    filler = " ".join(f"{w}one {w}two {w}three {w}four {w}five." for w in ["red", "blue", "green", "pink", "gold", "gray"])
    (articles / "long.txt").write_text("Long report\n\nThe zebra festival opened in Oslo yesterday. " + filler,
                                       encoding="utf-8")
    (articles / "short.txt").write_text("Short note\n\nZebra festival tickets, zebra festival prices, unrelated.",
                                        encoding="utf-8")
    ingest(articles, indexed, embedder, settings, progress=False)
    q = "The zebra festival opened in Oslo yesterday"
    chunk_only = Retriever(indexed, embedder, 1.0, 1.0, sentence_weight=0.0).search(q, 3)[0]
    with_sentences = Retriever(indexed, embedder, 1.0, 1.0).search(q, 3)[0]
    assert chunk_only[0].article_id == "short"
    assert with_sentences[0].article_id == "long"
    assert with_sentences[0].metadata["sentence"] > 0.99


def test_without_stored_sentences_retrieval_is_chunk_level(indexed, embedder):
    q = "How many requests did Russia send about cyber attacks"
    before = [h.chunk_id for h in Retriever(indexed, embedder, 1.0, 1.0, sentence_weight=0.0).search(q, 5)[0]]
    indexed.sentences.delete(ids=indexed.sentences.get(include=[])["ids"])
    after = [h.chunk_id for h in Retriever(indexed, embedder, 1.0, 1.0).search(q, 5)[0]]
    assert after == before
