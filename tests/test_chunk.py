import re

from index.chunk import chunk_article, make_splitter
from index.clean import CleanArticle, clean
from index.config import BUNDLED_ARTICLES
from index.load import load_folder


def _article(text: str) -> CleanArticle:
    return CleanArticle(article_id="a", title="t", text=text, source="a.txt", language="ar")


SENTENCES = [f"قال المتحدث في اليوم رقم {i} إن المحادثات مستمرة بين الوفدين؟" if i % 3 == 0 else
             f"وأضاف المسؤول في الجلسة {i} أن الأطراف ناقشت الضمانات الأمنية، والتدريبات العسكرية." for i in range(60)]


def _check_chunks(art: CleanArticle, chunks, limit: int) -> None:
    assert chunks
    for c in chunks:
        assert c.text.strip(), "empty chunk"
        assert art.text[c.start:c.end] == c.text, "offsets must point at the original text"
        assert c.start == 0 or art.text[c.start - 1].isspace(), f"cut mid-word at start: {c.text[:20]!r}"
        assert c.end == len(art.text) or art.text[c.end].isspace() or not art.text[c.end].isalnum(), "cut mid-word at end"
        assert len(c.text.split()) <= limit
    assert [c.chunk_id for c in chunks] == [f"a:{i}" for i in range(len(chunks))]


def test_arabic_chunks_are_whole_words_sized_and_overlapping():
    art = _article(" ".join(SENTENCES))
    chunks = chunk_article(art, make_splitter(100, 25))
    _check_chunks(art, chunks, 100)
    assert len(chunks) >= 4
    overlaps = [a.end - b.start for a, b in zip(chunks, chunks[1:])]
    assert all(o > 0 for o in overlaps), "consecutive chunks share sentences"
    # overlap is whole sentences: the next chunk starts at a sentence start
    for b in chunks[1:]:
        assert re.match(r"(قال|وأضاف)", b.text)


def test_arabic_question_mark_ends_sentences():
    text = "هل انتهت المحادثات؟ نعم انتهت بعد سبع ساعات. " * 40
    art = _article(text.strip())
    chunks = chunk_article(art, make_splitter(50, 10))
    _check_chunks(art, chunks, 50)
    assert all(c.text.endswith(("؟", ".")) for c in chunks)


def test_long_sentence_splits_at_arabic_commas_then_words():
    clause = "وناقش الطرفان مسائل كثيرة تتعلق بالأمن الأوروبي والتسلح"
    art = _article("، ".join([clause] * 60) + ".")
    chunks = chunk_article(art, make_splitter(80, 10))
    _check_chunks(art, chunks, 80)
    assert len(chunks) >= 5


def test_seed_corpus_chunk_sizes():
    arts, _ = load_folder(BUNDLED_ARTICLES)
    sizes = []
    for raw in arts:
        art = clean(raw)
        chunks = chunk_article(art, make_splitter(200, 40))
        _check_chunks(CleanArticle("a", art.title, art.text, "", "ar"), [c.__class__(**{**c.__dict__, "chunk_id": f"a:{i}"}) for i, c in enumerate(chunks)], 200)
        sizes += [len(c.text.split()) for c in chunks]
    assert 120 <= sum(sizes) / len(sizes) <= 250
