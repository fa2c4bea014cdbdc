"""Embedders behind one small interface. The real one is a sentence-transformers model on disk."""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol, Sequence

Vector = list[float]


class Embedder(Protocol):
    name: str

    def embed_documents(self, texts: Sequence[str], titles: Sequence[str] | None = None) -> list[Vector]: ...

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]: ...

    def embed_sentences(self, texts: Sequence[str]) -> list[Vector]:
        """Same vectors as embed_documents(texts) without titles (ingest stores those), maybe cached."""
        ...


class HashingEmbedder:
    """Deterministic and model-free: a signed crc32 hash of each normalised word into `dim` dimensions,
    L2-normalised. Same words, same direction. The tests' fake embedder, and the benchmark's scale rows
    (so their ingest time is the pipeline's and the store's own)."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"
        self.calls = 0
        self.texts_embedded = 0
        self.sentences_embedded = 0

    def _vec(self, text: str) -> Vector:
        import math
        import zlib

        from .text import tokens

        v = [0.0] * self.dim
        for tok in tokens(text):
            h = zlib.crc32(tok.encode())
            v[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        n = math.sqrt(sum(x * x for x in v))
        if n == 0:
            v[0], n = 1.0, 1.0
        return [x / n for x in v]

    def embed_documents(self, texts: Sequence[str], titles: Sequence[str] | None = None) -> list[Vector]:
        self.calls += 1
        self.texts_embedded += len(texts)
        return [self._vec(t) for t in texts]

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        return [self._vec(t) for t in texts]

    def embed_sentences(self, texts: Sequence[str]) -> list[Vector]:
        self.sentences_embedded += len(texts)
        return [self._vec(t) for t in texts]


def load_embedder(settings) -> "SentenceTransformerEmbedder":
    """The configured sentence-transformers model; the bundled one is sha256-checked before loading."""
    from .models import EMBEDDER, verify

    if settings.embed_model is None:
        verify(EMBEDDER, settings.models_dir)
    return SentenceTransformerEmbedder(settings.embed_model_path, settings.embed_dtype, settings.embed_threads,
                                       settings.embed_batch_size, settings.embed_query_tokens)


def embedder_name(path, dtype: str) -> str:
    """What a stored chunk's hash records of the model (index/ingest.py: stored_hash)."""
    return f"{Path(path).name}:{dtype}"


class LazyEmbedder:
    """load_embedder(settings) on the first encode: re-running an unchanged feed loads no model."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.name = embedder_name(settings.embed_model_path, settings.embed_dtype)
        self._model = None

    def _get(self):
        if self._model is None:
            self._model = load_embedder(self.settings)
        return self._model

    def embed_documents(self, texts, titles=None):
        return self._get().embed_documents(texts, titles)

    def embed_queries(self, texts):
        return self._get().embed_queries(texts)

    def embed_sentences(self, texts):
        return self._get().embed_sentences(texts)


class SentenceTransformerEmbedder:
    """EmbeddingGemma (or any sentence-transformers folder), CPU, with the model's own prompts.

    Documents are encoded as `title: <title> | text: <chunk>` (EmbeddingGemma's document prompt with
    the article title filled in), queries with the model's query prompt.
    """

    def __init__(self, path: Path, dtype: str = "bf16", threads: int = 2, batch_size: int = 8,
                 max_query_tokens: int = 256) -> None:
        from .config import offline_env

        offline_env()
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        torch.set_num_threads(max(1, threads))
        if not Path(path).is_dir():
            raise FileNotFoundError(f"embedding model not found at {path} (run ./setup.sh)")
        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        if dtype == "bf16":
            self.model = self.model.to(torch.bfloat16)
        self.name = embedder_name(path, dtype)
        self.batch_size = batch_size
        prompts = getattr(self.model, "prompts", {}) or {}
        self.query_prompt = prompts.get("query", "")
        self.doc_prompt = prompts.get("document", "")
        self.max_query_tokens = max_query_tokens
        self._lock = threading.Lock()  # torch on 2 cores: one encode at a time beats interleaving
        self._cache: OrderedDict[str, Vector] = OrderedDict()

    def _doc_text(self, text: str, title: str | None) -> str:
        if title and "title: none" in self.doc_prompt:
            return self.doc_prompt.replace("title: none", f"title: {title}") + text
        return self.doc_prompt + text

    def _encode(self, texts: list[str]) -> list[Vector]:
        with self._lock:
            vecs = self.model.encode(texts, prompt="", batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return vecs.astype("float32").tolist()

    def embed_documents(self, texts: Sequence[str], titles: Sequence[str] | None = None) -> list[Vector]:
        titles = titles or [None] * len(texts)
        return self._encode([self._doc_text(t, ti) for t, ti in zip(texts, titles)])

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        return self._cached([self.query_prompt + self._cut_query(t) for t in texts])

    def _cut_query(self, text: str) -> str:
        """At most max_query_tokens tokens: a question's cost is bounded by tokens, not characters (2,000
        digits are ~2,000 tokens and took 6 s to encode; 256 tokens cover any real question)."""
        tok = getattr(self.model, "tokenizer", None)
        if tok is None or len(text) <= self.max_query_tokens:
            return text
        ids = tok(text, add_special_tokens=False, truncation=True, max_length=self.max_query_tokens)["input_ids"]
        return tok.decode(ids, skip_special_tokens=True) if len(ids) >= self.max_query_tokens else text

    def embed_sentences(self, texts: Sequence[str]) -> list[Vector]:
        """Evidence sentences at question time: cached, since the same ones come back often."""
        return self._cached([self._doc_text(t, None) for t in texts])

    def _cached(self, texts: list[str]) -> list[Vector]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for t, v in zip(missing, self._encode(missing)):
                self._cache[t] = v
                if len(self._cache) > 20_000:
                    self._cache.popitem(last=False)
        return [self._cache[t] for t in texts]
