from pathlib import Path

import pytest

from index.ingest import ingest
from index.store import Store


def _ids(store: Store) -> list[str]:
    return [cid for cid, _, _ in store.iter_chunks()]


def _sentences(store: Store) -> dict[str, list[str]]:
    """chunk_id -> its stored evidence sentences, in order."""
    page = store.sentences.get(include=["documents", "metadatas"])
    rows = sorted(zip(page["ids"], page["documents"], page["metadatas"]),
                  key=lambda r: (r[0].rsplit("#", 1)[0], int(r[0].rsplit("#", 1)[1])))
    out: dict[str, list[str]] = {}
    for sid, doc, meta in rows:
        assert sid.rsplit("#", 1)[0] == meta["chunk_id"]
        out.setdefault(meta["chunk_id"], []).append(doc)
    return out


def _assert_sentences_match_chunks(store: Store) -> None:
    from index.text import evidence_sentences

    chunks = {cid: text for cid, text, _ in store.iter_chunks()}
    assert _sentences(store) == {cid: evidence_sentences(t) for cid, t in chunks.items() if evidence_sentences(t)}


def test_ingest_writes_chunks_with_metadata(indexed: Store):
    chunks = list(indexed.iter_chunks())
    assert len(chunks) == indexed.count() > 5
    for cid, text, meta in chunks:
        art, n = cid.rsplit(":", 1)
        assert meta["article_id"] == art and int(n) == meta["n"]
        assert meta["title"] and meta["source"].endswith(".txt") and meta["language"] == "ar"
        assert 0 <= meta["start"] < meta["end"] and text.strip()


def test_reingest_is_idempotent(settings, articles, indexed, embedder):
    before = sorted(_ids(indexed))
    calls = embedder.texts_embedded
    report = ingest(articles, indexed, embedder, settings, progress=False)
    assert (report.added, report.updated, report.deleted) == (0, 0, 0)
    assert report.unchanged == report.chunks == len(before)
    assert embedder.texts_embedded == calls, "nothing re-embedded"
    assert sorted(_ids(indexed)) == before
    _assert_sentences_match_chunks(indexed)


def test_each_chunk_stores_its_evidence_sentences_with_their_vectors(settings, indexed, embedder):
    _assert_sentences_match_chunks(indexed)
    some = next(iter(indexed.iter_chunks()))[0]
    stored = indexed.sentence_vectors([some])
    assert stored and all(len(v) == embedder.dim for v in stored.values())
    for text, vec in stored.items():  # the vectors answering would compute itself
        assert vec == pytest.approx(embedder.embed_sentences([text])[0], abs=1e-6)


def test_evidence_vectors_off_stores_no_sentences(settings, articles, embedder):
    off = settings.model_copy(update={"evidence_vectors": False})
    store = Store(off)
    first = ingest(articles, store, embedder, off, progress=False)
    assert store.count() > 0 and store.sentences.count() == 0
    report = ingest(articles, store, embedder, settings, progress=False)  # turned back on: filled in
    assert report.updated == first.chunks
    _assert_sentences_match_chunks(store)


def test_changed_article_replaces_only_its_chunks(settings, articles, indexed, embedder):
    target = articles / "003_b556f401f158842d.txt"
    n_before = len([c for c in _ids(indexed) if c.startswith("003_")])
    target.write_text(target.read_text(encoding="utf-8").replace("45 طلباً", "46 طلباً"), encoding="utf-8")
    report = ingest(articles, indexed, embedder, settings, progress=False)
    assert report.updated == 1 and report.added == 0 and report.deleted == 0
    texts = [t for cid, t, _ in indexed.iter_chunks() if cid.startswith("003_")]
    assert len(texts) == n_before and any("46 طلباً" in t for t in texts) and not any("45 طلباً" in t for t in texts)

    # a much shorter article: its surplus chunks are deleted
    target.write_text("عنوان قصير\n\n" + "جملة قصيرة عن المحادثات في جنيف بين الطرفين. " * 5, encoding="utf-8")
    report = ingest(articles, indexed, embedder, settings, progress=False)
    assert report.deleted == n_before - 1
    assert len([c for c in _ids(indexed) if c.startswith("003_")]) == 1
    _assert_sentences_match_chunks(indexed)


def test_removed_article_deleted_only_with_prune(settings, articles, indexed, embedder):
    n_004 = len([c for c in _ids(indexed) if c.startswith("004_")])
    (articles / "004_c0fc1715b878b95d.txt").unlink()
    report = ingest(articles, indexed, embedder, settings, progress=False)
    assert report.deleted == 0 and any(c.startswith("004_") for c in _ids(indexed))
    report = ingest(articles, indexed, embedder, settings, prune=True, progress=False)
    assert report.deleted == n_004
    assert not any(c.startswith("004_") for c in _ids(indexed))
    _assert_sentences_match_chunks(indexed)


def test_bad_files_are_skipped_and_nothing_is_lost(settings, articles, indexed, embedder):
    before = indexed.count()
    (articles / "empty.txt").write_bytes(b"")
    (articles / "blank.md").write_text("  \n\n ", encoding="utf-8")
    (articles / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00" + bytes(range(256)))
    (articles / "latin1.txt").write_bytes("café crème".encode("latin-1"))
    (articles / "ignored.pdf").write_bytes(b"%PDF-1.4")
    report = ingest(articles, indexed, embedder, settings, progress=False)
    reasons = {Path(s.file).name: s.reason for s in report.skipped}
    assert set(reasons) == {"empty.txt", "blank.md", "binary.txt", "latin1.txt"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"] and "UTF-8" in reasons["latin1.txt"]
    assert indexed.count() == before and report.articles == 5


def test_interrupted_ingest_completes_without_duplicates(settings, articles, store, embedder, tmp_path):
    class Exploding:
        name = embedder.name

        def __init__(self):
            self.batches = 0

        def embed_documents(self, texts, titles=None):
            self.batches += 1
            if self.batches > 3:  # chunks, their sentences, then the next batch's chunks
                raise KeyboardInterrupt  # like a kill in the middle of the run
            return embedder.embed_documents(texts, titles)

    many = tmp_path / "many"
    many.mkdir()
    for i in range(40):  # more than one batch of articles
        (many / f"{i:03d}.txt").write_text(f"خبر رقم {i}\n\n" + f"نص الخبر {i} عن المحادثات والضمانات الأمنية. " * 20,
                                           encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        ingest(many, store, Exploding(), settings, progress=False)
    partial = store.count()
    assert 0 < partial
    report = ingest(many, store, embedder, settings, progress=False)
    ids = _ids(store)
    assert len(ids) == len(set(ids)) == report.chunks
    clean_settings = settings.model_copy(update={"data_dir": tmp_path / "clean"})
    clean_store = Store(clean_settings)
    ingest(many, clean_store, embedder, clean_settings, progress=False)
    assert sorted(_ids(clean_store)) == sorted(ids)
    assert _sentences(clean_store) == _sentences(store)
