"""One settings object for every entry point (CLI, server, eval): env vars KHABAR_*."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .models import EMBEDDER, LLM, default_models_dir

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


class Settings(BaseSettings):
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

    # retrieval
    top_k: int = 5
    dense_weight: float = 0.8  # Arabic questions: dense_weight * dense + (1 - dense_weight) * bm25 (min-max scaled)
    dense_weight_en: float = 1.0  # other questions: BM25 can't match English words to Arabic text
    sentence_weight: float = 1.0  # best stored sentence's cosine, next to the chunk's (0 = chunk only)
    refusal_threshold: float = 0.24  # best dense cosine below this: refuse without the LLM; from eval.calibrate (dev)
    evidence_sentences: int = 3
    evidence_words: int = 110  # prompt budget: Arabic costs ~2.2 LLM tokens a word
    evidence_vectors: bool = True  # embed chunks' sentences at ingest: answers skip ~2 s of encoding

    # generation
    llm: Literal["local", "openai", "none"] = "local"
    llm_path: Path | None = None  # GGUF; default: the bundled Qwen2.5-Coder-1.5B-Instruct Q4_K_M in models_dir
    llm_url: str | None = None  # any OpenAI-compatible server; implies llm=openai
    llm_model: str = "qwen2.5-coder-1.5b-instruct"  # the name sent to an OpenAI-compatible server (KHABAR_LLM_URL)
    llm_api_key: str = "not-needed"
    llm_threads: int = 2
    llm_ctx: int = 4096
    max_answer_tokens: int = 160

    # serving
    host: str = "127.0.0.1"
    port: int = 8000
    api_key: str | None = None  # enables POST /api/ingest
    max_question_chars: int = 2000
    max_upload_bytes: int = 5_000_000
    queue_size: int = 4  # requests waiting for the LLM beyond the one generating
    search_queue_size: int = 48  # retrieval-only requests (extractive, /api/search) waiting beyond the 2 running
    max_body_bytes: int = 262_144  # any request body except /api/ingest (which has max_upload_bytes)
    max_context_chars: int = 160  # of each earlier message, what reaches retrieval and the LLM (gold questions: <= 150)
    max_context_messages: int = 8  # earlier messages that reach the pipeline (the newest)
    allowed_hosts: str = ""  # comma-separated Host names served besides loopback and the bound address; * = any
    cors_origins: str = ""  # comma-separated origins allowed cross-origin access; none by default

    # web pages and feeds (index/fetch.py, index/feeds.py)
    allow_private_urls: bool = False  # true: fetch private / loopback / link-local addresses too (tests)
    fetch_timeout: float = 15.0  # seconds, connect and each read
    fetch_max_bytes: int = 5_000_000  # a page or feed larger than this is refused
    feed_max_entries: int = 50  # entries of one feed fetched per run
    user_agent: str = "Khabar/0.1 (news question-answering bot; respects robots.txt)"
    dedup_threshold: float = 0.8  # estimated Jaccard of word 3-grams above which an article is a near-duplicate (1 = off)

    @property
    def llm_mode(self) -> str:
        if self.llm == "none":
            return "none"
        return "openai" if (self.llm_url or self.llm == "openai") else "local"

    @property
    def allowed_host_list(self) -> list[str]:
        return [h.strip() for h in self.allowed_hosts.split(",") if h.strip()]

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def embed_model_path(self) -> Path:
        return self.embed_model or self.models_dir / EMBEDDER.name / "model_download"

    @property
    def llm_model_path(self) -> Path:
        return self.llm_path or self.models_dir / LLM.name

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"
