from index.keywords import Fts
from qa.retrieve import Retriever


def dense_search(r: Retriever, question: str, k: int):
    """The dense ranking alone (what search() fuses)."""
    return r.store.query(r.embedder.embed_queries([question])[0], k)


def bm25_search(r: Retriever, question: str, k: int):
    """The keyword ranking alone, as hits."""
    top = dict(r.keywords().top(question, k))
    hits = r.store.get(list(top))
    for h in hits:
        h.score = top[h.chunk_id]
    return hits


def test_bm25_matches_across_arabic_spelling_variants():
    docs = ["اجتمع الوفدان في جنيف يوم الإثنين", "أوكرانيا وجورجيا والناتو", "الطقس مشمس في القاهرة"]
    bm = Fts.from_texts(["a", "b", "c"], docs)
    assert bm.top("اوكرانيا", 1)[0][0] == "b"  # أ/ا
    assert bm.top("والاثنين في جنيف", 1)[0][0] == "a"  # prefix و + ال, إ/ا
    assert bm.top("لا يوجد", 3) == []
    assert bm.top("", 3) == [] and bm.top('"; DROP TABLE fts; --', 3) == []
    assert set(bm.scores("في", ["a", "b"])) == {"a"}  # only matching ids, only those asked for
    bm.replace(["a", "c"], {"c": "زلزال في جنيف"})  # a deleted, c rewritten
    assert [cid for cid, _ in bm.top("جنيف", 3)] == ["c"] and len(bm) == 2


def test_dense_only_when_weight_is_one(indexed, embedder):
    q = "كم طلبا أرسلت روسيا إلى واشنطن للتحقيق في الهجمات الإلكترونية"
    dense = Retriever(indexed, embedder, dense_weight=1.0, sentence_weight=0.0)
    hits, best = dense.search(q, 3)
    assert [h.chunk_id for h in hits] == [h.chunk_id for h in dense_search(dense, q, 3)]
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
    assert not bm25_search(r, "زلزال", 3)
    (articles / "new.txt").write_text("زلزال قوي\n\n" + "ضرب زلزال قوي المنطقة صباح اليوم وفق مصادر رسمية. " * 5,
                                      encoding="utf-8")
    ingest(articles, indexed, embedder, settings, progress=False)
    assert bm25_search(r, "زلزال", 3)[0].article_id == "new"


def test_english_questions_use_their_own_weight(indexed, embedder):
    q_en = "45 requests cyber attacks Lavrov"
    dense_only = [h.chunk_id for h in Retriever(indexed, embedder, 1.0, 1.0).search(q_en, 5)[0]]
    en_dense = [h.chunk_id for h in Retriever(indexed, embedder, 0.0, 1.0).search(q_en, 5)[0]]
    assert en_dense == dense_only  # the Arabic weight (0.0: BM25 only) is not used for English
    q_ar = "45 طلبا الهجمات الإلكترونية لافروف"
    bm25_only = [h.chunk_id for h in Retriever(indexed, embedder, 0.0, 1.0).search(q_ar, 5)[0]]
    assert bm25_only[0] == bm25_search(Retriever(indexed, embedder), q_ar, 1)[0].chunk_id


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


def _replica(settings, tmp_path, name, client, embedder):
    """Another process's view of the same Chroma: its own keyword index file."""
    from index.store import Store

    return Retriever(Store(settings.model_copy(update={"data_dir": tmp_path / name}), client=client), embedder)


def test_keyword_index_follows_another_writers_changes(indexed, embedder, settings, articles, tmp_path):
    """A write by another process, even one that keeps the chunk count, reaches this one's keyword
    index through the change log, without a rebuild."""
    from index.ingest import ingest

    reader = _replica(settings, tmp_path, "b", indexed.client, embedder)
    writer = _replica(settings, tmp_path, "a", indexed.client, embedder)
    assert reader.store.keywords_path != writer.store.keywords_path
    assert not bm25_search(reader, "زلزال", 3)
    kw = reader.keywords()
    rebuilds, count = kw.rebuilds, indexed.count()
    target = articles / "003_b556f401f158842d.txt"
    title, body = target.read_text(encoding="utf-8").split("\n", 1)
    target.write_text(title + "\n" + body.replace("الهجمات", "زلزال", 1), encoding="utf-8")
    ingest(articles, writer.store, embedder, settings, progress=False)
    assert indexed.count() == count, "same number of chunks: the old (version, count) key missed this"
    assert bm25_search(reader, "زلزال", 3)[0].article_id == "003_b556f401f158842d"
    assert kw.rebuilds == rebuilds, "caught up from the log, no full scan"
    target.unlink()
    ingest(articles, writer.store, embedder, settings, prune=True, progress=False)
    assert not bm25_search(reader, "زلزال", 3)
    assert len(reader.keywords()) == indexed.count()


def test_keyword_index_persists_and_rebuilds_when_out_of_step(indexed, embedder, settings):
    r = Retriever(indexed, embedder)
    q = "45 طلبا الهجمات الإلكترونية"
    first = [h.chunk_id for h in bm25_search(r, q, 3)]
    assert r.keywords().rebuilds == 1
    again = Retriever(indexed, embedder)  # a restarted replica: the file is there and caught up
    assert [h.chunk_id for h in bm25_search(again, q, 3)] == first and again.keywords().rebuilds == 0
    # a writer that died between its write and its log entry: the count check catches it
    node_id = first[0]
    indexed.collection.delete(ids=[node_id])
    indexed.log_change(["unrelated"])
    assert node_id not in [h.chunk_id for h in bm25_search(again, q, 3)]
    assert again.keywords().rebuilds == 1


def test_a_rebuild_writes_page_by_page_and_keeps_one_row_per_chunk(indexed, monkeypatch, tmp_path):
    """The full scan does not hold the corpus's texts: rows are written while the scan goes on, and a chunk
    the paged scan yields twice (a concurrent write shifts the pages) still gets one row."""
    import index.keywords
    from index.keywords import KeywordIndex

    monkeypatch.setattr(index.keywords, "REBUILD_PAGE", 3)
    chunks = list(indexed.iter_chunks())
    assert len(chunks) > 7
    kw = KeywordIndex(indexed, tmp_path / "kw.sqlite3")
    seen_rows = []

    def scan():
        for i, row in enumerate(chunks + chunks[:2]):  # the first two again, as a shifted page would
            if i == 7:
                seen_rows.append(len(kw))  # same connection: the open transaction's rows
            yield row

    monkeypatch.setattr(indexed, "iter_chunks", scan)
    kw.rebuild()
    assert seen_rows[0] >= 6, "rows written before the scan ended"
    assert len(kw) == len(chunks) == indexed.count()


def test_leaving_out_words_in_half_the_chunks_changes_no_ranking(indexed, embedder, monkeypatch):
    """FTS5 gives a word in half the chunks or more an idf of ~0: a large index leaves it out of the
    MATCH (fewer rows to score) and ranks the same."""
    import index.keywords
    from index.keywords import match_expression

    kw = Retriever(indexed, embedder).keywords()
    assert not kw.common("في")  # a small index scores every word
    monkeypatch.setattr(index.keywords, "COMMON_MIN_ROWS", 0)
    for q in ["كم طلبا أرسلت روسيا إلى واشنطن للتحقيق في الهجمات الإلكترونية", "من ترأس الوفد الروسي في محادثات جنيف",
              "ماذا قال بوتين لبايدن عن أوكرانيا"]:
        assert kw.common(q), "the seeds share some of these words"
        full = kw.db.execute("SELECT c.cid, -bm25(fts) FROM fts JOIN chunks c ON c.id = fts.rowid WHERE fts MATCH ? "
                             "ORDER BY bm25(fts) LIMIT 10", (match_expression(q),)).fetchall()
        got = kw.top(q, 10)
        assert [c for c, _ in got] == [c for c, s in full if s > 1e-3][:10]
        assert all(abs(dict(full)[c] - s) < 1e-3 for c, s in got)


def test_common_words_follow_writes_by_another_connection(tmp_path, monkeypatch):
    import index.keywords

    monkeypatch.setattr(index.keywords, "COMMON_MIN_ROWS", 0)
    path = tmp_path / "kw.sqlite3"
    mine, other = Fts(path), Fts(path)  # e.g. two replicas on one host sharing the file
    mine.replace(["a", "b", "c"], {"a": "جنيف روسيا", "b": "جنيف", "c": "القاهرة"})
    assert mine.common("جنيف روسيا") == {"جنيف"}  # 2 of 3
    other.replace(["d", "e"], {"d": "روسيا", "e": "روسيا"})  # 5 rows: جنيف 2, روسيا 3
    assert mine.common("جنيف روسيا") == {"روسيا"}
    mine.replace(["d", "e"], {})
    assert mine.common("جنيف روسيا") == {"جنيف"}


def test_a_busy_keyword_file_does_not_fail_the_search(indexed, embedder, monkeypatch):
    """Another process holding the shared file's write lock (a long rebuild): search goes on with the
    rows as they are, and catches up once the lock is gone."""
    import sqlite3

    import index.keywords

    monkeypatch.setattr(index.keywords, "LOCK_TIMEOUT_S", 0.2)
    r = Retriever(indexed, embedder)
    q = "45 طلبا الهجمات الإلكترونية"
    before = [h.chunk_id for h in bm25_search(r, q, 3)]
    indexed.log_change([before[0]])  # something to apply
    other = sqlite3.connect(str(indexed.keywords_path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert [h.chunk_id for h in bm25_search(r, q, 3)] == before
    finally:
        other.execute("ROLLBACK")
        other.close()
    r.keywords()
    assert r.keywords().db.execute("SELECT count(*) FROM applied").fetchone()[0] >= 1
