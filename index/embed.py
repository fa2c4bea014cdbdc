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

    cross_lingual = False  # an Arabic text and its English share no words: their cosine says nothing

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


def load_embedder(settings) -> "Embedder":
    """The configured embedder: an OpenAI-compatible server when KHABAR_EMBED_URL is set, else the
    sentence-transformers model in process (the bundled one is sha256-checked before loading)."""
    if settings.embed_url:
        return ServerEmbedder.from_settings(settings)
    from .models import EMBEDDER, verify

    if settings.embed_model is None:
        verify(EMBEDDER, settings.models_dir)
    return SentenceTransformerEmbedder(settings.embed_model_path, settings.embed_dtype, settings.embed_threads,
                                       settings.embed_batch_size, settings.embed_query_tokens)


def embedder_name(path, dtype: str) -> str:
    """What a stored chunk's hash records of the model (index/ingest.py: stored_hash)."""
    return f"{Path(path).name}:{dtype}"


def configured_name(settings) -> str:
    """The name load_embedder(settings) will have, without loading anything."""
    if settings.embed_url:
        return f"{settings.embed_server_model}:server"
    return embedder_name(settings.embed_model_path, settings.embed_dtype)


class LazyEmbedder:
    """load_embedder(settings) on the first encode: re-running an unchanged feed loads no model."""

    cross_lingual = True  # the configured model is a multilingual one (EmbeddingGemma)

    def __init__(self, settings) -> None:
        self.settings = settings
        self.name = configured_name(settings)
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

    def embed_late(self, texts, titles, sentences):
        return embed_with_sentences(self._get(), texts, titles, sentences)

    def embed_joined(self, texts, titles, sentences):
        return joined_or_separate(self._get(), texts, titles, sentences)


def encoded_apart(embedder, texts: Sequence[str], titles: Sequence[str] | None,
                  sentences: Sequence[Sequence[str]]) -> tuple[list[Vector], list[list[None]]]:
    """The chunks encoded, and None for every sentence: ingest encodes those on their own (`separate`)."""
    return embedder.embed_documents(texts, titles), [[None] * len(s) for s in sentences]


def embed_with_sentences(embedder, texts: Sequence[str], titles: Sequence[str] | None,
                         sentences: Sequence[Sequence[str]]) -> tuple[list[Vector], list[list[Vector | None]]]:
    """Chunk vectors, and each chunk's sentences' vectors taken from the same pass (late chunking) when the
    embedder can (the in-process model); None for every sentence it could not (a server returns pooled
    vectors only): ingest encodes those separately."""
    fn = getattr(embedder, "embed_late", None)
    if fn is not None:
        return fn(texts, titles, sentences)
    return encoded_apart(embedder, texts, titles, sentences)


POOL_WEIGHT = "mean"  # pooled: a sentence's weight in its chunk's vector, "mean" (1 each) or "words"; mean won on XQuAD dev (eval/reports/pooled.md)
POOL_MIN_COVER = 0.5  # pooled: a chunk whose evidence sentences hold less of its words than this is encoded itself


def pool_weight(sentence: str, how: str) -> float:
    return float(len(sentence.split())) if how == "words" else 1.0


def pools(text: str, sentences: Sequence[str]) -> bool:
    """Whether a chunk's vector can be pooled from these sentences: there are some, and they hold at least
    POOL_MIN_COVER of its words (sentences under 4 words are no evidence: a chunk of short lines, a list
    or a table, is encoded itself)."""
    words = len(text.split())
    return bool(sentences) and sum(len(s.split()) for s in sentences) >= POOL_MIN_COVER * words


def truncate(vector: Vector, dim: int | None) -> Vector:
    """The first `dim` dimensions, L2-normalised (KHABAR_SENTENCE_DIM; a Matryoshka-trained model's prefix
    still embeds). None, or a dim the vector does not exceed: the vector as it is."""
    if dim is None or len(vector) <= dim:
        return list(vector)
    head = [float(x) for x in vector[:dim]]
    n = sum(x * x for x in head) ** 0.5 or 1.0
    return [x / n for x in head]


def mean_vector(vectors: Sequence[Vector], weights: Sequence[float]) -> Vector:
    """The weighted mean of unit vectors, L2-normalised (float64 inside)."""
    import numpy as np

    v = np.asarray(weights, dtype=np.float64) @ np.asarray(vectors, dtype=np.float64)
    n = np.linalg.norm(v)
    return (v / (n or 1.0)).astype(np.float32).tolist()


def pooled_vectors(embedder, texts: Sequence[str], titles: Sequence[str] | None,
                   sentences: Sequence[Sequence[str]]) -> tuple[list[Vector], list[list[Vector]]]:
    """KHABAR_SENTENCE_VECTORS=pooled: chunk vectors made from sentence vectors instead of encoding the
    chunks. Every distinct sentence of the batch is encoded once, exactly as `separate` encodes it
    (embed_documents without a title; overlapping chunks share sentences), and a chunk's vector is the
    POOL_WEIGHT-weighted mean of its sentences' vectors, renormalised. A chunk that pools() refuses is
    encoded itself, with its title. Any embedder will do (a server's vectors are pooled here).
    Returns the chunk vectors and each chunk's sentences' vectors."""
    titles = list(titles) if titles else [None] * len(texts)
    unique = list(dict.fromkeys(s for ss in sentences for s in ss))
    vecs = dict(zip(unique, embedder.embed_documents(unique))) if unique else {}
    own = [i for i, (t, ss) in enumerate(zip(texts, sentences)) if not pools(t, ss)]
    encoded = dict(zip(own, embedder.embed_documents([texts[i] for i in own], [titles[i] for i in own]))) if own else {}
    how = POOL_WEIGHT
    chunk_vecs = [encoded[i] if i in encoded else
                  mean_vector([vecs[s] for s in ss], [pool_weight(s, how) for s in ss])
                  for i, ss in enumerate(sentences)]
    return chunk_vecs, [[vecs[s] for s in ss] for ss in sentences]


def joined_or_separate(embedder, texts: Sequence[str], titles: Sequence[str] | None,
                       sentences: Sequence[Sequence[str]]) -> tuple[list[Vector], list[list[Vector | None]]]:
    """KHABAR_SENTENCE_VECTORS=joined (index/joined.py) where the embedder can split its model at a layer
    (the in-process EmbeddingGemma). Where it cannot (a server returns finished vectors only) the chunks
    are encoded and every sentence vector is None, so ingest encodes the sentences on their own, as
    `separate` does: joined never costs retrieval quality. Returns chunk vectors and sentence vectors."""
    fn = getattr(embedder, "embed_joined", None)
    if fn is not None:
        return fn(texts, titles, sentences)
    return encoded_apart(embedder, texts, titles, sentences)


def find_spans(text: str, sentences: Sequence[str], start: int = 0) -> list[tuple[int, int] | None]:
    """Character spans of the sentences in text, searched in order from `start` (after the prompt prefix);
    None for one that is not there."""
    spans: list[tuple[int, int] | None] = []
    lo = start
    for s in sentences:
        at = text.find(s, lo) if s else -1
        if at < 0 and s:
            at = text.find(s, start)
        spans.append((at, at + len(s)) if at >= 0 else None)
        if at >= 0:
            lo = at + len(s)
    return spans


def span_masks(offsets: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int] | None], length: int,
               prefix_end: int = 0) -> list[list[int] | None]:
    """One 0/1 mask over `length` token positions per character span: the tokens whose characters overlap
    it (special tokens have empty offsets and are never in), plus the prompt's tokens (ending at or before
    prefix_end) when prefix_end > 0. None for a missing span, or one running past the last token (the
    chunk was cut at the model's window)."""
    real = [(a, b) for a, b in offsets if b > a]
    last = max((b for _, b in real), default=0)
    out: list[list[int] | None] = []
    for span in spans:
        if span is None or span[1] > last:
            out.append(None)
            continue
        a, b = span
        mask = [1 if y > x and x < b and y > a else 0 for x, y in offsets]
        if not any(mask):
            out.append(None)
            continue
        if prefix_end > 0:
            mask = [1 if m or (y > x and y <= prefix_end) else 0 for m, (x, y) in zip(mask, offsets)]
        out.append(mask + [0] * (length - len(offsets)))
    return out


def pool_masks(modules, token_embeddings, masks: list[list[int]]):
    """The model's own modules after the transformer (Pooling, Dense, Dense, Normalize for EmbeddingGemma)
    run on one text's token embeddings once per mask: the mean of each span's tokens, projected like the
    whole text's. A (len(masks), dim) tensor."""
    import torch

    with torch.inference_mode():
        feats = {"token_embeddings": token_embeddings.unsqueeze(0).expand(len(masks), -1, -1),
                 "attention_mask": torch.tensor(masks, dtype=torch.int64)}
        for module in modules:
            feats = module(feats)
    return feats["sentence_embedding"]


LATE_GROUP = 64  # texts per late encode: their token embeddings are held until their sentences are pooled
LATE_PREFIX = False  # pool a sentence's tokens with the prompt's (`title: ... | text: `) tokens: measured worse


class Prompted:
    """What the in-process and the server embedder share: the model's prompts applied here (a server
    gets the prompted text), questions cut to a token budget, and a cache for questions and sentences."""

    cross_lingual = True  # a text and its translation are near: a multilingual model (EmbeddingGemma)

    query_prompt = ""
    doc_prompt = ""
    max_query_tokens = 256
    tokenizer = None  # a `tokenizers.Tokenizer` or a transformers tokenizer, for _cut_query

    def _encode(self, texts: list[str], question_time: bool = False) -> list[Vector]:
        raise NotImplementedError

    def _doc_text(self, text: str, title: str | None) -> str:
        if title and "title: none" in self.doc_prompt:
            return self.doc_prompt.replace("title: none", f"title: {title}") + text
        return self.doc_prompt + text

    def embed_documents(self, texts: Sequence[str], titles: Sequence[str] | None = None) -> list[Vector]:
        titles = titles or [None] * len(texts)
        return self._encode([self._doc_text(t, ti) for t, ti in zip(texts, titles)])

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        return self._cached([self.query_prompt + self._cut_query(t) for t in texts])

    def _cut_query(self, text: str) -> str:
        """At most max_query_tokens tokens: a question's cost is bounded by tokens, not characters (2,000
        digits are ~2,000 tokens and took 6 s to encode; 256 tokens cover any real question)."""
        tok = self.tokenizer
        if tok is None or len(text) <= self.max_query_tokens:
            return text
        if hasattr(tok, "encode_batch"):  # tokenizers.Tokenizer (the server embedder: no transformers needed)
            ids = tok.encode(text, add_special_tokens=False).ids
            return tok.decode(ids[:self.max_query_tokens]) if len(ids) >= self.max_query_tokens else text
        ids = tok(text, add_special_tokens=False, truncation=True, max_length=self.max_query_tokens)["input_ids"]
        return tok.decode(ids, skip_special_tokens=True) if len(ids) >= self.max_query_tokens else text

    def embed_sentences(self, texts: Sequence[str]) -> list[Vector]:
        """Evidence sentences at question time: cached, since the same ones come back often."""
        return self._cached([self._doc_text(t, None) for t in texts])

    def _cached(self, texts: list[str]) -> list[Vector]:
        cache = self.__dict__.setdefault("_cache", OrderedDict())
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if missing:
            for t, v in zip(missing, self._encode(missing, question_time=True)):
                cache[t] = v
                if len(cache) > 20_000:
                    cache.popitem(last=False)
        return [cache[t] for t in texts]


class SentenceTransformerEmbedder(Prompted):
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
        self.tokenizer = getattr(self.model, "tokenizer", None)
        self._lock = threading.Lock()  # torch on 2 cores: one encode at a time beats interleaving
        self._cache: OrderedDict[str, Vector] = OrderedDict()

    def _encode(self, texts: list[str], question_time: bool = False) -> list[Vector]:
        with self._lock:
            vecs = self.model.encode(texts, prompt="", batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return vecs.astype("float32").tolist()

    def embed_late(self, texts: Sequence[str], titles: Sequence[str] | None,
                   sentences: Sequence[Sequence[str]]) -> tuple[list[Vector], list[list[Vector | None]]]:
        """Late chunking: each chunk is encoded once; its vector is the usual pool of all its tokens (the
        same as embed_documents), and each of its sentences' vectors the pool of that sentence's tokens
        (found by the tokenizer's offsets) through the same modules. None for a sentence not found in the
        chunk or cut off by the model's window."""
        import torch

        titles = titles or [None] * len(texts)
        full = [self._doc_text(t, ti) for t, ti in zip(texts, titles)]
        tail = list(self.model)[1:]
        chunk_vecs: list[Vector] = []
        sent_vecs: list[list[Vector | None]] = []
        for i in range(0, len(full), LATE_GROUP):
            group = full[i:i + LATE_GROUP]
            with self._lock:
                outs = self.model.encode(group, prompt="", batch_size=self.batch_size, output_value=None,
                                         convert_to_numpy=False, show_progress_bar=False)
                pooled = torch.stack([o["sentence_embedding"] for o in outs])
                chunk_vecs += torch.nn.functional.normalize(pooled, p=2, dim=1).float().numpy().tolist()
                for text, raw, sents, out in zip(group, texts[i:i + LATE_GROUP], sentences[i:i + LATE_GROUP], outs):
                    sent_vecs.append(self._late_sentences(text, len(text) - len(raw), list(sents), out, tail))
        return chunk_vecs, sent_vecs

    def embed_joined(self, texts: Sequence[str], titles: Sequence[str] | None,
                     sentences: Sequence[Sequence[str]]) -> tuple[list[Vector], list[list[Vector]]]:
        """KHABAR_SENTENCE_VECTORS=joined: each distinct sentence encoded once, as `separate` does, and each
        chunk's vector joined from its sentences' token states at a middle layer (index/joined.py). A chunk
        that pools() refuses, or that cannot be joined, is encoded itself, with its title."""
        from . import joined

        titles = list(titles) if titles else [None] * len(texts)
        if not joined.joinable(self.model):
            return encoded_apart(self, texts, titles, sentences)
        join = [pools(t, ss) for t, ss in zip(texts, sentences)]
        with self._lock:
            chunk_vecs, vecs = joined.joined_vectors(self.model, self.tokenizer, lambda ti: self._doc_text("", ti),
                                                     titles, sentences, join, self.batch_size)
        own = [i for i, v in enumerate(chunk_vecs) if v is None]
        if own:
            for i, v in zip(own, self.embed_documents([texts[i] for i in own], [titles[i] for i in own])):
                chunk_vecs[i] = v
        return chunk_vecs, [[vecs[s] for s in ss] for ss in sentences]

    def _late_sentences(self, text: str, prefix: int, sents: list[str], out: dict, tail) -> list[Vector | None]:
        if not sents:
            return []
        enc = self.tokenizer(text, return_offsets_mapping=True, truncation=True, max_length=self.model.max_seq_length)
        n = int(out["attention_mask"].sum())
        if enc["input_ids"] != out["input_ids"][:n].tolist():  # not the tokens the model saw: encode separately
            return [None] * len(sents)
        masks = span_masks(enc["offset_mapping"], find_spans(text, sents, prefix), len(out["attention_mask"]),
                           prefix if LATE_PREFIX else 0)
        found = [m for m in masks if m is not None]
        vecs = iter(pool_masks(tail, out["token_embeddings"], found).float().numpy().tolist()) if found else iter(())
        return [next(vecs) if m is not None else None for m in masks]


# EmbeddingGemma's own prompts (config_sentence_transformers.json), for a server embedder without the folder
GEMMA_PROMPTS = {"query": "task: search result | query: ", "document": "title: none | text: "}
RETRIES = 4  # per request, with exponential backoff and jitter (0.5 s, 1 s, 2 s, 4 s; Retry-After honoured)
QUESTION_TIMEOUT, QUESTION_RETRIES = 10.0, 1  # a question's vectors: a hung server costs ~20 s, not minutes


class EmbedServerError(RuntimeError):
    """The embedding server is down or keeps failing: HTTP 503 `embedder_unavailable`, a one-line CLI error."""

    code = "embedder_unavailable"
    status = 503


class ServerEmbedder(Prompted):
    """Any OpenAI-compatible `/v1/embeddings` (llama.cpp's server, Infinity, TEI, vLLM, Ollama).

    The prompts are applied here, so the server gets exactly the text the in-process model would encode;
    vectors are L2-normalised here (llama.cpp's server returns them unnormalised). Texts go in batches
    of `batch_size` per request; the OpenAI client retries connection errors, 408/429 and 5xx with
    backoff, and after that the failure is an EmbedServerError.
    """

    def __init__(self, url: str, model: str, api_key: str = "not-needed", batch_size: int = 8,
                 query_prompt: str = GEMMA_PROMPTS["query"], doc_prompt: str = GEMMA_PROMPTS["document"],
                 max_query_tokens: int = 256, tokenizer=None, timeout: float = 120.0, retries: int = RETRIES,
                 http_client=None) -> None:
        from openai import OpenAI

        self.url = url.rstrip("/")
        self.model = model
        self.name = f"{model}:server"
        self.batch_size = max(1, batch_size)
        self.query_prompt, self.doc_prompt = query_prompt, doc_prompt
        self.max_query_tokens = max_query_tokens
        self.tokenizer = tokenizer
        self.requests = 0
        self.timeout = timeout
        self.client = OpenAI(base_url=self.url, api_key=api_key or "not-needed", timeout=timeout,
                             max_retries=retries, http_client=http_client)

    @classmethod
    def from_settings(cls, settings) -> "ServerEmbedder":
        """Prompts and the question tokenizer come from the model folder when it is there (the bundled
        EmbeddingGemma), else EmbeddingGemma's prompts and a character budget; KHABAR_EMBED_*_PROMPT win."""
        import json

        folder = Path(settings.embed_model_path)
        prompts = dict(GEMMA_PROMPTS)
        config = folder / "config_sentence_transformers.json"
        if config.is_file():
            prompts.update({k: v for k, v in (json.loads(config.read_text()).get("prompts") or {}).items()
                            if k in prompts})
        tokenizer = None
        if (folder / "tokenizer.json").is_file():
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        query = settings.embed_query_prompt if settings.embed_query_prompt is not None else prompts["query"]
        doc = settings.embed_document_prompt if settings.embed_document_prompt is not None else prompts["document"]
        return cls(settings.embed_url, settings.embed_server_model, settings.embed_api_key,
                   settings.embed_batch_size, query, doc, settings.embed_query_tokens, tokenizer)

    def _encode(self, texts: list[str], question_time: bool = False) -> list[Vector]:
        """question_time (questions, evidence sentences while answering): a short timeout and one retry;
        ingest batches get the long timeout and RETRIES."""
        client = (self.client.with_options(timeout=min(self.timeout, QUESTION_TIMEOUT), max_retries=QUESTION_RETRIES)
                  if question_time else self.client)
        out: list[Vector] = []
        for i in range(0, len(texts), self.batch_size):
            out.extend(self._request(client, texts[i:i + self.batch_size]))
        return out

    def _request(self, client, batch: list[str]) -> list[Vector]:
        import numpy as np
        import openai

        try:
            reply = client.embeddings.create(input=batch, model=self.model, encoding_format="float")
        except openai.APIStatusError as exc:
            raise EmbedServerError(f"the embedding server at {self.url} answered {exc.status_code}: "
                                   f"{str(exc.message)[:200]}") from None
        except openai.APIError as exc:  # connection refused, timeout, broken reply
            raise EmbedServerError(f"the embedding server at {self.url} is not answering ({type(exc).__name__}); "
                                   f"start it, or unset KHABAR_EMBED_URL to embed in process") from None
        self.requests += 1
        data = sorted(reply.data, key=lambda d: d.index)
        if len(data) != len(batch):
            raise EmbedServerError(f"the embedding server at {self.url} returned {len(data)} vectors for {len(batch)} texts")
        vecs = np.asarray([d.embedding for d in data], dtype="float32")
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return (vecs / np.where(norms == 0, 1, norms)).tolist()
