"""KHABAR_SENTENCE_VECTORS=pooled: only sentences are encoded (each distinct one once) and a chunk's vector
is the mean of its sentences' vectors; a chunk without enough evidence sentences is encoded itself. Fake
embedder, real Chroma in a temp dir."""
import math

import pytest

import index.embed as E
from index.embed import mean_vector, pool_weight, pooled_vectors, pools
from index.ingest import ingest, stored_hash
from index.store import Store
from index.text import evidence_sentences

from .fakes import FakeEmbedder

SHORT = "نعم. لا شيء. ربما غدا.\n" * 12  # sentences of 1-3 words: no evidence sentence at all


class Counting(FakeEmbedder):
    """Records every text given to embed_documents (with its title)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str | None]] = []

    def embed_documents(self, texts, titles=None):
        self.seen += list(zip(texts, titles or [None] * len(texts)))
        return super().embed_documents(texts, titles)


def _pooled(settings):
    return settings.model_copy(update={"sentence_vectors": "pooled"})


def _want(emb, text: str) -> list[float]:
    sents = evidence_sentences(text)
    return mean_vector([emb._vec(s) for s in sents], [pool_weight(s, E.POOL_WEIGHT) for s in sents])


def _chunks(store):
    got = store.collection.get(include=["documents", "embeddings"])
    return dict(zip(got["ids"], zip(got["documents"], got["embeddings"])))


def test_mean_vector_is_the_normalised_weighted_mean():
    v = mean_vector([[1.0, 0.0], [0.0, 1.0]], [3.0, 1.0])
    assert v == pytest.approx([3 / math.sqrt(10), 1 / math.sqrt(10)])
    assert mean_vector([[0.6, 0.8], [0.6, 0.8]], [1.0, 1.0]) == pytest.approx([0.6, 0.8])
    assert pool_weight("one two three", "words") == 3.0 and pool_weight("one two three", "mean") == 1.0


def test_pools_needs_sentences_holding_half_the_words():
    text = "one two three four five six seven eight"
    assert not pools(text, [])
    assert pools(text, ["one two three four"])
    assert not pools(text + " nine", ["one two three four"])


@pytest.mark.parametrize("weight", ["mean", "words"])
def test_pooled_chunk_vectors_are_the_mean_of_their_sentences(settings, articles, monkeypatch, weight):
    monkeypatch.setattr(E, "POOL_WEIGHT", weight)
    s = _pooled(settings)
    emb = Counting()
    store = Store(s)
    report = ingest(articles, store, emb, s, progress=False)
    chunks = _chunks(store)
    assert len(chunks) == report.chunks > 0
    pooled = 0
    for doc, vec in chunks.values():
        if pools(doc, evidence_sentences(doc)):
            assert list(vec) == pytest.approx(_want(emb, doc), abs=1e-5)
            assert list(vec) != pytest.approx(emb._vec(doc), abs=1e-3), "not the chunk's own encoding"
            pooled += 1
    assert pooled == len(chunks), "every seed chunk has evidence sentences"
    # the sentence vectors stored are the sentences' own encodings, as `separate` stores them
    page = store.sentences.get(include=["documents", "embeddings"])
    assert len(page["ids"]) == sum(len(evidence_sentences(d)) for d, _ in chunks.values())
    for doc, vec in zip(page["documents"], page["embeddings"]):
        assert list(vec) == pytest.approx(emb._vec(doc), abs=1e-6)


def test_each_distinct_sentence_is_encoded_once_and_no_chunk_is(settings, articles):
    s = _pooled(settings)
    emb = Counting()
    store = Store(s)
    ingest(articles, store, emb, s, progress=False)
    texts = [t for t, _ in emb.seen]
    assert len(texts) == len(set(texts)), "a sentence was encoded twice"
    chunks = {d for d, _ in _chunks(store).values()}
    assert not chunks & set(texts), "a chunk was encoded"
    distinct = {x for d in chunks for x in evidence_sentences(d)}
    assert set(texts) == distinct
    # the chunks overlap, so pooled encodes fewer texts than there are (chunk, sentence) pairs
    assert len(texts) < sum(len(evidence_sentences(d)) for d in chunks)
    assert all(title is None for _, title in emb.seen), "sentences are encoded without a title, as separate does"


def test_a_chunk_without_evidence_sentences_is_encoded_itself(settings, articles):
    (articles / "900_short.md").write_text("# قائمة قصيرة\n\n" + SHORT, encoding="utf-8")
    s = _pooled(settings)
    emb = Counting()
    store = Store(s)
    ingest(articles, store, emb, s, progress=False)
    short = {cid: (doc, vec) for cid, (doc, vec) in _chunks(store).items() if cid.startswith("900_short")}
    assert short, "the short article was indexed"
    for doc, vec in short.values():
        assert evidence_sentences(doc) == []
        assert (doc, "قائمة قصيرة") in emb.seen, "encoded with its title"
        assert list(vec) == pytest.approx(emb._vec(doc), abs=1e-6)


def test_pooled_vectors_falls_back_per_chunk_and_shares_sentences():
    emb = Counting()
    a, b, c = "alpha beta gamma delta.", "epsilon zeta eta theta.", "iota kappa lambda mu."
    texts = [f"{a} {b}", f"{b} {c}", "x. y.", f"{c} " + "w. " * 20]  # the last: 4 of 24 words in evidence
    sents = [evidence_sentences(t) for t in texts]
    vecs, sent_vecs = pooled_vectors(emb, texts, ["T"] * 4, sents)
    assert [t for t, _ in emb.seen] == [a, b, c, "x. y.", texts[3]], "b and c once each; the last two encoded"
    assert vecs[0] == pytest.approx(mean_vector([emb._vec(a), emb._vec(b)], [1, 1]), abs=1e-6)
    assert vecs[2] == pytest.approx(emb._vec("x. y."), abs=1e-6)
    assert sent_vecs[1] == [emb._vec(b), emb._vec(c)] and sent_vecs[2] == []


def test_switching_to_pooled_and_back_re_embeds(settings, articles):
    emb = Counting()
    store = Store(settings)
    first = ingest(articles, store, emb, settings, progress=False)
    encoded = _chunks(store)
    report = ingest(articles, store, emb, _pooled(settings), progress=False)
    assert report.updated == first.chunks
    assert all(list(v) != pytest.approx(list(encoded[cid][1]), abs=1e-3) for cid, (_, v) in _chunks(store).items())
    again = ingest(articles, store, emb, _pooled(settings), progress=False)
    assert again.unchanged == first.chunks
    back = ingest(articles, store, emb, settings, progress=False)
    assert back.updated == first.chunks
    assert all(list(v) == pytest.approx(list(encoded[cid][1]), abs=1e-6) for cid, (_, v) in _chunks(store).items())


def test_stored_hash_records_pooled_and_its_weighting(monkeypatch):
    from index.chunk import Chunk

    c = Chunk("a:0", "a", 0, "text", 0, 4, "h", "ar")
    pooled = stored_hash(c, "t", "m", way="pooled")
    assert len({stored_hash(c, "t", "m"), stored_hash(c, "t", "m", way="late"), pooled}) == 3
    monkeypatch.setattr(E, "POOL_WEIGHT", "mean" if E.POOL_WEIGHT == "words" else "words")
    assert stored_hash(c, "t", "m", way="pooled") != pooled
    assert stored_hash(c, "t", "m", sentences=False, way="pooled") == stored_hash(c, "t", "m", sentences=False)


def test_pooled_without_sentence_vectors_encodes_chunks(settings, articles):
    """KHABAR_EVIDENCE_VECTORS=false stores no sentences: the chunks are encoded, whatever the way."""
    s = settings.model_copy(update={"sentence_vectors": "pooled", "evidence_vectors": False})
    emb = Counting()
    store = Store(s)
    report = ingest(articles, store, emb, s, progress=False)
    assert len(emb.seen) == report.chunks and store.sentences.count() == 0


def test_pooled_through_the_server_embedder(settings, articles):
    """KHABAR_EMBED_URL: the server gives the sentence vectors; pooling is done here."""
    from .test_embed_server import HASH, client_for, fake_server

    handler, seen, _ = fake_server()
    emb = client_for(handler, batch_size=8)
    s = _pooled(settings)
    store = Store(s)
    report = ingest(articles, store, emb, s, progress=False)
    sent = [t for batch in seen for t in batch]
    assert len(sent) == len(set(sent)) and all(t.startswith("title: none | text: ") for t in sent)
    chunks = _chunks(store)
    assert len(chunks) == report.chunks
    for doc, vec in chunks.values():
        ss = evidence_sentences(doc)
        want = mean_vector([HASH._vec("title: none | text: " + x) for x in ss], [pool_weight(x, E.POOL_WEIGHT) for x in ss])
        assert list(vec) == pytest.approx(want, abs=1e-5)
