"""The indexing settings (env vars KHABAR_*): where things live, embedding, chunking, fetching.

Settings are layered like the code: IndexSettings here, qa/config.py QASettings adds retrieval and
generation, ui/config.py Settings adds serving. Each layer reads its own class; an entry point builds
the one it needs (the CLI and the server ui.config.Settings, eval qa.config.QASettings) and passes it
down. Every field is documented in the README's configuration table (tests/test_docs.py checks)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .models import EMBEDDER, default_models_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_ARTICLES = REPO_ROOT / "data" / "articles"


def offline_env() -> None:
    """Nothing may download at run time: set the switches before the libraries are imported."""
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
        "TOKENIZERS_PARALLELISM": "false",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "TRANSFORMERS_VERBOSITY": "error",
        "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
        "OMP_WAIT_POLICY": "PASSIVE",  # llama.cpp's OpenMP threads must not spin on the shared cores
    }.items():
        os.environ.setdefault(key, value)


class IndexSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KHABAR_", extra="ignore")

    # where things live
    data_dir: Path = Field(default_factory=lambda: Path.home() / ".local" / "share" / "khabar")
    articles_dir: Path = BUNDLED_ARTICLES
    models_dir: Path = Field(default_factory=default_models_dir)
    chroma_url: str | None = None  # http://host:port -> Chroma server instead of the embedded store
    collection: str = "khabar"

    # embeddings
    embed_model: Path | None = None  # a sentence-transformers folder; default: EmbeddingGemma in models_dir
    embed_dtype: Literal["bf16", "fp32"] = "bf16"
    embed_batch_size: int = 8
    embed_threads: int = 2
    embed_query_tokens: int = 256  # a question is cut to this many tokens before it is embedded (cost bound)
    embed_url: str | None = None  # an OpenAI-compatible /v1/embeddings server instead of the model in process
    embed_server_model: str = "khabar-embed"  # the model name sent to KHABAR_EMBED_URL
    embed_api_key: str = "not-needed"
    embed_query_prompt: str | None = None  # prefix of questions; default: the model folder's (EmbeddingGemma's)
    embed_document_prompt: str | None = None  # prefix of passages ("title: none" is filled with the title)

    # chunking (words)
    chunk_words: int = 200
    chunk_overlap_words: int = 40
    evidence_vectors: bool = True  # embed chunks' sentences at ingest: answers skip ~2 s of encoding
    # late: sentence vectors pooled from the chunk's own pass (in process); pooled: only sentences encoded,
    # a chunk's vector is the mean of its sentences'; joined: only sentences encoded, a chunk's vector made by
    # running the model's last layers over its sentences' middle-layer token states (index/joined.py)
    sentence_vectors: Literal["late", "separate", "pooled", "joined"] = "separate"
    # keep only the first N dimensions of each stored sentence vector, re-normalised (Matryoshka: EmbeddingGemma
    # was trained so its 768-d vectors cut to 512, 256 or 128 still embed). Sentences are most of a store's
    # vectors (5 per chunk): 256 cuts a Chroma server's memory at 10^5 chunks by ~1 GB. None: keep them whole
    sentence_dim: int | None = Field(None, ge=8)

    # web pages and feeds (index/fetch.py, index/feeds.py)
    allow_private_urls: bool = False  # true: fetch private / loopback / link-local addresses too (tests)
    fetch_timeout: float = 15.0  # seconds, connect and each read
    fetch_max_bytes: int = 5_000_000  # a page or feed larger than this is refused
    feed_max_entries: int = 50  # entries of one feed fetched per run
    user_agent: str = "Khabar/0.1 (news question-answering bot; respects robots.txt)"
    dedup_threshold: float = 0.8  # estimated Jaccard of word 3-grams above which an article is a near-duplicate (1 = off)

    @property
    def embed_model_path(self) -> Path:
        return self.embed_model or self.models_dir / EMBEDDER.name / "model_download"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"
