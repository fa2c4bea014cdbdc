"""The question-answering settings: the indexing ones (index/config.py) plus retrieval and generation."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from index.config import IndexSettings
from index.models import LLM


class QASettings(IndexSettings):
    # retrieval
    top_k: int = 5
    dense_weight: float = 0.8  # Arabic questions: dense_weight * dense + (1 - dense_weight) * bm25 (min-max scaled)
    dense_weight_en: float = 1.0  # other questions: BM25 can't match English words to Arabic text
    sentence_weight: float = 1.0  # best stored sentence's cosine, next to the chunk's (0 = chunk only)
    refusal_threshold: float = 0.24  # best dense cosine below this: refuse without the LLM; from eval.calibrate (dev)
    evidence_sentences: int = 3
    evidence_words: int = 110  # prompt budget: Arabic costs ~2.2 LLM tokens a word
    max_question_chars: int = 2000  # longer questions are refused (qa/pipeline.py: clean_question)

    # generation
    llm: Literal["local", "openai", "none"] = "local"
    llm_path: Path | None = None  # GGUF; default: the bundled Qwen2.5-Coder-1.5B-Instruct Q4_K_M in models_dir
    llm_url: str | None = None  # any OpenAI-compatible server; implies llm=openai
    llm_model: str = "qwen2.5-coder-1.5b-instruct"  # the name sent to an OpenAI-compatible server (KHABAR_LLM_URL)
    llm_api_key: str = "not-needed"
    llm_threads: int = 2
    llm_ctx: int = 4096
    # a question code answers itself (yes/no, when, how many, where, who) skips the model's passage choice
    # when the best evidence sentence leads the second by at least this score margin; code takes passage 1.
    # Saves the choice prompt (~350 tokens, ~4 s on 2 cores). 9 = always ask the model. 0, from dev data
    # only (python -m eval.choice_margin, eval/reports/choice-margin-dev-2c5f6b7.md): no dev figure got worse
    # at any margin, right 0.505 -> 0.515, false refusals 10 -> 7 of 97, answer p50 4.8 s -> 0.3 s
    choice_margin: float = 0.0
    max_answer_tokens: int = 160  # a free-form answer's cap (eval's baselines); span answers: qa/params.py

    @property
    def llm_mode(self) -> str:
        if self.llm == "none":
            return "none"
        return "openai" if (self.llm_url or self.llm == "openai") else "local"

    @property
    def llm_model_path(self) -> Path:
        return self.llm_path or self.models_dir / LLM.name
