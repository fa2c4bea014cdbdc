"""KHABAR_SENTENCE_DIM: stored sentence vectors keep their first N dimensions, re-normalised, in a collection
of their own; questions meet them on the same prefix. Fake embedder (64-d), real Chroma in a temp dir."""
import math

import pytest

from index.embed import truncate
from index.ingest import ingest, stored_hash
from index.store import Store
from index.text import evidence_sentences
from qa.evidence import cosine
from qa.pipeline import Pipeline
from qa.retrieve import Retriever

from .fakes import FakeEmbedder

DIM = 16
Q_AR = "كم طلبا أرسلت روسيا إلى واشنطن للتحقيق في الهجمات الإلكترونية؟"


def _cut(settings, dim=DIM):
    return settings.model_copy(update={"sentence_dim": dim})


def test_truncate_keeps_a_normalised_prefix():
    v = [3.0, 4.0, 12.0]
    assert truncate(v, 2) == pytest.approx([0.6, 0.8])
    assert truncate(v, None) == v and truncate(v, 3) == v and truncate(v, 8) == v
    assert math.isclose(sum(x * x for x in truncate([0.1] * 64, 16)), 1.0)


def test_cosine_meets_a_cut_vector_on_the_common_prefix():
    emb = FakeEmbedder()
    q, s = emb._vec("روسيا واشنطن طلبا"), emb._vec("أرسلت روسيا 45 طلبا إلى واشنطن")
    assert cosine(q, truncate(s, DIM)) == pytest.approx(cosine(truncate(q, DIM), truncate(s, DIM)))
    assert cosine(q, s) == pytest.approx(sum(a * b for a, b in zip(q, s)))  # same lengths: as before


def test_sentences_are_stored_cut_and_chunks_whole(settings, articles):
    s = _cut(settings)
    emb = FakeEmbedder()
    store = Store(s)
    report = ingest(articles, store, emb, s, progress=False)
    assert store.sentences.name == f"{s.collection}-sentences-d{DIM}"
    page = store.sentences.get(include=["documents", "embeddings"])
    assert len(page["ids"]) > report.chunks > 0
    for doc, vec in zip(page["documents"], page["embeddings"]):
        assert len(vec) == DIM
        assert list(vec) == pytest.approx(truncate(emb._vec(doc), DIM), abs=1e-6)
    chunks = store.collection.get(include=["embeddings"])["embeddings"]
    assert all(len(v) == emb.dim for v in chunks)


def test_the_fused_search_and_the_answer_use_the_cut_sentences(settings, articles):
    s = _cut(settings)
    emb = FakeEmbedder()
    store = Store(s)
    ingest(articles, store, emb, s, progress=False)
    sentence = next(x for _, doc, _ in store.iter_chunks() for x in evidence_sentences(doc) if "45" in x)
    best = store.sentence_scores(emb.embed_queries([sentence])[0], 5)
    top = max(best, key=best.get)
    assert best[top] == pytest.approx(1.0, abs=1e-5), "the sentence itself, met on the prefix"
    hits, _ = Retriever.from_settings(store, emb, s).search(sentence, s.top_k)
    assert hits[0].metadata["sentence"] == pytest.approx(1.0, abs=1e-5)
    a = Pipeline(s, store, emb, None).ask(Q_AR)
    assert not a.refused and "45 طلباً" in a.answer
    assert emb.sentences_embedded == 0, "the stored cut vectors served the evidence step"


def test_switching_the_dimension_re_embeds_into_its_own_collection(settings, articles):
    emb = FakeEmbedder()
    first = ingest(articles, Store(settings), emb, settings, progress=False)
    whole = Store(settings).sentences.count()
    report = ingest(articles, Store(_cut(settings)), emb, _cut(settings), progress=False)
    assert report.updated == first.chunks
    assert Store(_cut(settings)).sentences.count() == whole
    assert Store(settings).sentences.count() == whole, "the whole vectors are left as they were"
    again = ingest(articles, Store(_cut(settings)), emb, _cut(settings), progress=False)
    assert again.unchanged == first.chunks


def test_stored_hash_records_the_dimension():
    from index.chunk import Chunk

    c = Chunk("a:0", "a", 0, "text", 0, 4, "h", "ar")
    assert stored_hash(c, "t", "m", dim=256) != stored_hash(c, "t", "m") != stored_hash(c, "t", "m", dim=128)
    assert stored_hash(c, "t", "m", dim=None) == stored_hash(c, "t", "m")
    assert stored_hash(c, "t", "m", sentences=False, dim=256) == stored_hash(c, "t", "m", sentences=False)
