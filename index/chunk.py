"""Chunk a cleaned article with llama-index's SentenceSplitter, configured for Arabic.

Sizes are counted in words. Sentence ends: . ! ? ؟ … and line breaks; clause ends ، ؛ , ; are the
finer level the splitter falls back to for over-long sentences; it never cuts inside a word.
Each chunk keeps its exact original text and its character offsets in the cleaned article.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from llama_index.core.node_parser import SentenceSplitter

from .clean import CleanArticle
from .text import SENTENCE_END, detect_language

CLAUSE_REGEX = r"[^،؛,;]+[،؛,;]?\s*"


def _keep_split(pattern: re.Pattern[str]):
    """A splitter that keeps every character (the pieces join back to the input)."""

    def split(text: str) -> list[str]:
        pieces, pos = [], 0
        for m in pattern.finditer(text):
            if m.end() > pos:
                pieces.append(text[pos:m.end()])
                pos = m.end()
        if pos < len(text):
            pieces.append(text[pos:])
        return [p for p in pieces if p]

    return split


def word_count(text: str) -> int:
    return len(text.split())


@dataclass
class Chunk:
    chunk_id: str  # "<article_id>:<n>"
    article_id: str
    n: int
    text: str  # original text, exactly cleaned_text[start:end]
    start: int
    end: int
    content_hash: str
    language: str


def make_splitter(chunk_words: int, overlap_words: int) -> SentenceSplitter:
    return SentenceSplitter(
        chunk_size=chunk_words,
        chunk_overlap=overlap_words,
        separator=" ",
        paragraph_separator="\n\n\n\n",  # paragraphs end sentences (SENTENCE_END), so overlap is sentence-level
        chunking_tokenizer_fn=_keep_split(SENTENCE_END),
        secondary_chunking_regex=CLAUSE_REGEX,
        tokenizer=str.split,
    )


def _locate(text: str, piece: str, lo: int) -> tuple[int, int]:
    """Offsets of piece in text at or after lo (whitespace-tolerant)."""
    at = text.find(piece, lo)
    if at < 0:
        at = text.find(piece)
    if at >= 0:
        return at, at + len(piece)
    words = piece.split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.compile(pattern).search(text, lo) or re.compile(pattern).search(text)
    if not m:
        raise ValueError("chunk text not found in article")
    return m.start(), m.end()


def chunk_article(article: CleanArticle, splitter: SentenceSplitter) -> list[Chunk]:
    chunks: list[Chunk] = []
    lo = 0
    for piece in splitter.split_text(article.text):
        piece = piece.strip()
        if not piece:
            continue
        start, end = _locate(article.text, piece, lo)
        lo = start + 1
        text = article.text[start:end]
        n = len(chunks)
        chunks.append(Chunk(
            chunk_id=f"{article.article_id}:{n}", article_id=article.article_id, n=n, text=text,
            start=start, end=end, content_hash=hashlib.sha1(text.encode()).hexdigest()[:16],
            language=detect_language(text),
        ))
    return chunks
