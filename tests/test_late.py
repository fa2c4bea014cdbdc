"""Late chunking (KHABAR_SENTENCE_VECTORS=late): sentence spans -> token masks -> pooled vectors, and the
ingest path that stores them (fakes; the real model is in test_models.py)."""
import math

import pytest

from index.embed import embed_with_sentences, find_spans, pool_masks, span_masks
from index.ingest import ingest, stored_hash
from index.store import Store
from index.text import evidence_sentences

from .fakes import FakeEmbedder


def test_find_spans_in_order_after_the_prefix():
    text = "title: A | text: One two. Three four. One two."
    spans = find_spans(text, ["One two.", "Three four.", "absent", "One two."], start=17)
    assert spans[0] == (17, 25) and text[slice(*spans[1])] == "Three four."
    assert spans[2] is None
    assert spans[3] == (38, 46), "a repeat is the next occurrence, not the first again"
    assert find_spans("text: text", ["text"], start=6) == [(6, 10)], "never inside the prompt"


def test_span_masks_cover_the_overlapping_tokens_only():
    # <bos> "title:"(0,6) " A |"(6,10) " One"(10,14) " two."(14,19) " Three"(19,25) " four."(25,31) <eos>
    offsets = [(0, 0), (0, 6), (6, 10), (10, 14), (14, 19), (19, 25), (25, 31), (0, 0)]
    masks = span_masks(offsets, [(11, 19), (20, 31), None], length=10)
    assert masks[0] == [0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    assert masks[1] == [0, 0, 0, 0, 0, 1, 1, 0, 0, 0], "special tokens (empty offsets) are never in"
    assert masks[2] is None
    with_prompt = span_masks(offsets, [(20, 31)], length=8, prefix_end=10)[0]
    assert with_prompt == [0, 1, 1, 0, 0, 1, 1, 0]


def test_span_masks_none_past_the_window():
    """A chunk cut at the model's window: a sentence running past its last token is not pooled."""
    offsets = [(0, 0), (0, 5), (5, 10), (0, 0)]
    assert span_masks(offsets, [(0, 10), (5, 14), (12, 20)], length=4) == [[0, 1, 1, 0], None, None]


class _MeanPool:
    """sentence-transformers' Pooling(mean) on the same feature dict."""

    def __call__(self, feats):
        mask = feats["attention_mask"].unsqueeze(-1).to(feats["token_embeddings"].dtype)
        return {**feats, "sentence_embedding": (feats["token_embeddings"] * mask).sum(1) / mask.sum(1)}


class _Normalize:
    def __call__(self, feats):
        import torch

        return {**feats, "sentence_embedding": torch.nn.functional.normalize(feats["sentence_embedding"], dim=1)}


def test_pool_masks_runs_the_tail_modules_once_per_mask():
    torch = pytest.importorskip("torch")
    tokens = torch.tensor([[1.0, 0.0], [0.0, 1.0], [3.0, 0.0], [9.0, 9.0]])  # the last one: padding
    out = pool_masks([_MeanPool(), _Normalize()], tokens, [[1, 0, 1, 0], [0, 1, 0, 0], [1, 1, 0, 0]])
    assert out.shape == (3, 2)
    assert out[0].tolist() == pytest.approx([1.0, 0.0])
    assert out[1].tolist() == pytest.approx([0.0, 1.0])
    assert out[2].tolist() == pytest.approx([1 / math.sqrt(2), 1 / math.sqrt(2)])


class LateFake(FakeEmbedder):
    """embed_late like the real one's contract: chunk vectors as embed_documents; each sentence's vector
    from the chunk's pass (here: the hash of sentence + chunk's first word, so it differs from a separate
    encode), None for sentences containing 'الذي' (as if cut off by the window)."""

    def __init__(self) -> None:
        super().__init__()
        self.late_calls = 0

    def embed_late(self, texts, titles, sentences):
        self.late_calls += 1
        chunk_vecs = self.embed_documents(texts, titles)
        return chunk_vecs, [[None if "الذي" in s else self._vec(s + " " + t.split()[0]) for s in ss]
                            for t, ss in zip(texts, sentences)]


def test_ingest_late_stores_pooled_vectors_and_encodes_only_the_rest(settings, articles):
    late = settings.model_copy(update={"sentence_vectors": "late"})
    emb = LateFake()
    store = Store(late)
    report = ingest(articles, store, emb, late, progress=False)
    assert emb.late_calls > 0 and report.chunks == store.count()
    chunks = {cid: text for cid, text, _ in store.iter_chunks()}
    page = store.sentences.get(include=["documents", "metadatas", "embeddings"])
    assert len(page["ids"]) == sum(len(evidence_sentences(t)) for t in chunks.values())
    fallback = 0
    for doc, meta, vec in zip(page["documents"], page["metadatas"], page["embeddings"]):
        chunk = chunks[meta["chunk_id"]]
        want = emb._vec(doc) if "الذي" in doc else emb._vec(doc + " " + chunk.split()[0])
        assert list(vec) == pytest.approx(want, abs=1e-6)
        fallback += "الذي" in doc
    assert fallback > 0, "the fixture must exercise the fallback"
    # passages once each, plus only the fallback sentences (each distinct one once)
    distinct = {d for d in page["documents"] if "الذي" in d}
    assert emb.texts_embedded == report.chunks + len(distinct)


def test_late_setting_with_an_embedder_without_late_encodes_sentences_separately(settings, articles):
    """The server embedder returns pooled vectors only: every sentence is encoded on its own."""
    late = settings.model_copy(update={"sentence_vectors": "late"})
    emb = FakeEmbedder()
    store = Store(late)
    report = ingest(articles, store, emb, late, progress=False)
    page = store.sentences.get(include=["documents", "embeddings"])
    assert page["ids"]
    for doc, vec in zip(page["documents"], page["embeddings"]):
        assert list(vec) == pytest.approx(emb._vec(doc), abs=1e-6)
    assert emb.texts_embedded == report.chunks + len(set(page["documents"]))
    vecs, sents = embed_with_sentences(emb, ["a b c"], None, [["a b", "c"]])
    assert len(vecs) == 1 and sents == [[None, None]]


def test_switching_the_sentence_vectors_way_re_embeds(settings, articles):
    emb = LateFake()
    store = Store(settings)
    first = ingest(articles, store, emb, settings, progress=False)
    assert emb.late_calls == 0, "separate is the default"
    late = settings.model_copy(update={"sentence_vectors": "late"})
    report = ingest(articles, store, emb, late, progress=False)
    assert report.updated == first.chunks and emb.late_calls > 0
    again = ingest(articles, store, emb, late, progress=False)
    assert again.unchanged == first.chunks


def test_stored_hash_records_the_way():
    from index.chunk import Chunk

    c = Chunk("a:0", "a", 0, "text", 0, 4, "h", "ar")
    assert stored_hash(c, "t", "m") != stored_hash(c, "t", "m", way="late")
    assert stored_hash(c, "t", "m", sentences=False) == stored_hash(c, "t", "m", sentences=False, way="late")


@pytest.fixture(scope="module")
def gemma():
    from index.config import IndexSettings
    from index.embed import load_embedder

    return load_embedder(IndexSettings(embed_threads=1))


def _seed_chunks(n_articles: int = 3):
    from index.chunk import chunk_article, make_splitter
    from index.clean import clean
    from index.config import BUNDLED_ARTICLES
    from index.load import find_files, read_all

    splitter = make_splitter(200, 40)
    out = []
    for item in list(read_all(find_files(BUNDLED_ARTICLES)))[:n_articles]:
        art = clean(item)
        out += [(art.title, c.text) for c in chunk_article(art, splitter)]
    return out


def _cos(a, b):
    import numpy as np

    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    return a @ b.T


LATE_MIN_COSINE = 0.45  # a late sentence vector to the same sentence encoded alone (seed chunks of 3 articles: min 0.54)


@pytest.mark.models
def test_late_chunk_vectors_equal_todays_and_sentences_keep_their_meaning(gemma):
    import numpy as np

    chunks = _seed_chunks()
    titles, texts = [t for t, _ in chunks], [x for _, x in chunks]
    sents = [evidence_sentences(x) for x in texts]
    vecs, late = gemma.embed_late(texts, titles, sents)
    today = gemma.embed_documents(texts, titles)
    assert np.diag(_cos(vecs, today)) == pytest.approx([1.0] * len(texts), abs=1e-4)
    for ss, vs in zip(sents, late):
        assert len(vs) == len(ss) and all(v is not None for v in vs)
        if not ss:
            continue
        alone = np.asarray(gemma.embed_documents(ss))
        sims = _cos(vs, alone)
        print(f"late vs alone: min {np.diag(sims).min():.3f} mean {np.diag(sims).mean():.3f}")
        assert np.diag(sims).min() >= LATE_MIN_COSINE
        assert (sims.argmax(axis=1) == np.arange(len(ss))).all(), "each is closest to its own sentence"


@pytest.mark.models
def test_late_sentences_past_the_window_are_none_and_the_chunk_is_still_todays(gemma):
    title, text = _seed_chunks(1)[0]
    sents = evidence_sentences(text)
    assert len(sents) >= 3
    window = gemma.model.max_seq_length
    first = len(gemma.tokenizer(gemma._doc_text(sents[0], title))["input_ids"])  # prompt + the first sentence
    gemma.model.max_seq_length = first + 2
    try:
        vecs, late = gemma.embed_late([text], [title], [sents])
        today = gemma.embed_documents([text], [title])
    finally:
        gemma.model.max_seq_length = window
    assert float(_cos(vecs[0], today[0])) == pytest.approx(1.0, abs=1e-4)
    assert late[0][0] is not None and late[0][-1] is None
