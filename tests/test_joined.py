"""KHABAR_SENTENCE_VECTORS=joined: sentences encoded once, a chunk's vector made by running the model's last
layers over its sentences' middle-layer token states (index/joined.py). The token bookkeeping and the
fallbacks with fakes; the layer split with the real model."""
import pytest

from index import joined
from index.embed import joined_or_separate, pooled_vectors
from index.ingest import ingest, stored_hash
from index.store import Store
from index.text import evidence_sentences

from .fakes import FakeEmbedder
from .test_late import _cos, _seed_chunks, gemma  # noqa: F401  (gemma: the real model, a fixture)

# EmbeddingGemma's tokenizer on "title: A | text: لم يتخلى" (offsets as it reports them): the text's first
# token "▁لم" starts on the prompt's last space
PROMPT = "title: A | text: "
OFFSETS = [(0, 0), (0, 5), (5, 6), (6, 8), (8, 10), (10, 15), (15, 16), (16, 19), (19, 22), (22, 23), (0, 0)]
ALONE = [(0, 0), (0, 5), (5, 6), (6, 8), (8, 10), (10, 15), (15, 16), (16, 17), (0, 0)]  # the prompt alone


def test_content_tokens_start_on_the_prompts_last_space():
    assert joined.content_tokens(OFFSETS, len(PROMPT)) == [7, 8, 9], "▁لم is the text's, special tokens are not"


def test_prompt_tokens_keep_the_start_token_and_drop_the_trailing_space_and_end():
    assert joined.prompt_tokens(ALONE, PROMPT) == [0, 1, 2, 3, 4, 5, 6]


def test_joined_with_an_embedder_that_cannot_join_encodes_as_separate():
    emb = FakeEmbedder()
    texts = ["alpha beta gamma delta. epsilon zeta eta theta.", "x. y."]
    sents = [evidence_sentences(t) for t in texts]
    vecs, sent_vecs = joined_or_separate(emb, texts, ["T", "T"], sents)
    assert vecs == emb.embed_documents(texts, ["T", "T"]), "the chunks' own encodes, with their titles"
    assert sent_vecs == [[None, None], []], "ingest encodes the sentences on their own"


def test_ingest_joined_through_a_server_stores_what_separate_stores(settings, articles):
    """FakeEmbedder cannot split a model (like a server): joined stores separate's vectors."""
    stores = {}
    for way in ("separate", "joined"):
        s = settings.model_copy(update={"sentence_vectors": way, "collection": f"c_{way}"})
        stores[way] = Store(s)
        ingest(articles, stores[way], FakeEmbedder(), s, progress=False)
    got = [stores[w].collection.get(include=["embeddings"]) for w in ("separate", "joined")]
    a, b = ({i: list(v) for i, v in zip(g["ids"], g["embeddings"])} for g in got)
    assert a == b and a
    sents = [stores[w].sentences.get(include=["documents", "embeddings"]) for w in ("separate", "joined")]
    assert sorted(sents[0]["documents"]) == sorted(sents[1]["documents"]) and sents[0]["documents"]


def test_ingest_joined_stores_sentences_and_records_the_way(settings, articles):
    s = settings.model_copy(update={"sentence_vectors": "joined"})
    store = Store(s)
    report = ingest(articles, store, FakeEmbedder(), s, progress=False)
    assert report.chunks > 0 and store.sentences.count() > 0
    pooled = settings.model_copy(update={"sentence_vectors": "pooled"})
    again = ingest(articles, store, FakeEmbedder(), pooled, progress=False)
    assert again.updated == report.chunks, "switching joined -> pooled re-embeds"


def test_stored_hash_records_joined_and_its_layer(monkeypatch):
    from index.chunk import Chunk

    c = Chunk("a:0", "a", 0, "text", 0, 4, "h", "ar")
    ways = {stored_hash(c, "t", "m", way=w) for w in ("separate", "late", "pooled", "joined")}
    assert len(ways) == 4
    before = stored_hash(c, "t", "m", way="joined")
    monkeypatch.setattr(joined, "JOIN_LAYER", joined.JOIN_LAYER + 1)
    assert stored_hash(c, "t", "m", way="joined") != before


def _evidence_chunks(n_articles: int = 2):
    """Seed chunks reduced to their evidence sentences (joined has only those tokens)."""
    out = []
    for title, text in _seed_chunks(n_articles):
        sents = evidence_sentences(text)
        if sents:
            out.append((title, " ".join(sents), sents))
    return out


def _joined(gemma, chunks, layer):
    return joined.joined_vectors(gemma.model, gemma.tokenizer, lambda t: gemma._doc_text("", t),
                                 [t for t, _, _ in chunks], [s for _, _, s in chunks], [True] * len(chunks),
                                 layer=layer)


@pytest.mark.models
def test_joined_at_layer_zero_is_the_chunks_own_encode(gemma):
    """Joining before the first layer rebuilds the chunk's own tokens: every token kept, in place."""
    import numpy as np

    chunks = _evidence_chunks()
    vecs, _ = _joined(gemma, chunks, 0)
    own = gemma.embed_documents([x for _, x, _ in chunks], [t for t, _, _ in chunks])
    sims = np.diag(_cos(vecs, own))
    print(f"layer 0 joined vs own: min {sims.min():.4f}")
    assert sims.min() >= 0.995


@pytest.mark.models
def test_joined_sentences_are_separate_ones_and_chunks_beat_the_mean(gemma):
    import numpy as np

    chunks = _evidence_chunks()
    texts, titles, sents = [x for _, x, _ in chunks], [t for t, _, _ in chunks], [s for _, _, s in chunks]
    vecs, sent_vecs = gemma.embed_joined(texts, titles, sents)
    flat = [s for ss in sents for s in ss]
    sims = np.diag(_cos([v for vs in sent_vecs for v in vs], gemma.embed_documents(flat)))
    assert sims.min() >= 0.995, "sentence vectors are the sentences' own encodings (bf16 batches aside)"
    own = gemma.embed_documents(texts, titles)
    mean, _ = pooled_vectors(gemma, texts, titles, sents)
    j, m = np.diag(_cos(vecs, own)), np.diag(_cos(mean, own))
    print(f"joined vs own: mean {j.mean():.3f} min {j.min():.3f}; pooled mean {m.mean():.3f}")
    assert (j > m).all(), "closer to the chunk's own encode than the mean of its sentences"
