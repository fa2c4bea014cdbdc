"""The LLM interface and the one place that builds a backend from settings.

A backend needs only `stream(messages, max_tokens, grammar=None)`: text deltas of a greedy reply, under
a GBNF grammar when one is given (a backend that can't constrain raises GrammarUnsupported). It may also
have `count_tokens(messages)` when it has the model's tokenizer. `kind` is what /health reports.
How the answer is asked for (pick a passage, then copy a span) lives in qa/choose.py, not here.

Add a backend: a module with a class like qa/llm_local.py's, and one entry in BACKENDS below.
"""
from __future__ import annotations

from typing import Callable, Iterator, Protocol

# the chat template of Qwen2.5 (ChatML): where generation stops, and how a prompt is rendered
STOP = ["<|im_end|>", "<|endoftext|>", "\nQuestion:", "\nPassages:"]


class GrammarUnsupported(Exception):
    """This backend (or the server behind it) can't constrain a reply with a grammar."""


class LLM(Protocol):
    name: str
    kind: str  # "local" | "openai": what /health reports

    def stream(self, messages: list[dict], max_tokens: int, grammar: str | None = None) -> Iterator[str]:
        """Text deltas of the greedy reply; with a GBNF grammar, only text the grammar allows (or
        GrammarUnsupported before any text)."""
        ...


def chatml(messages: list[dict], generation_prompt: bool = False) -> str:
    """The messages as Qwen2.5's chat template renders them (for token counts and cache checks)."""
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return text + ("<|im_start|>assistant\n" if generation_prompt else "")


def approx_tokens(messages: list[dict]) -> int:
    """Without a tokenizer: ~2.2 tokens per Arabic word, ~1.3 per English word, + template overhead."""
    from index.text import arabic_ratio

    total = 0
    for m in messages:
        words = len(m["content"].split())
        total += int(words * (1.3 + 0.9 * arabic_ratio(m["content"]))) + 5
    return total


def count_tokens(llm: LLM, messages: list[dict]) -> int:
    """The backend's own count where it has a tokenizer, else the estimate above."""
    counter = getattr(llm, "count_tokens", None)
    return counter(messages) if counter is not None else approx_tokens(messages)


def text(llm: LLM, messages: list[dict], max_tokens: int, grammar: str | None = None) -> str:
    """The whole reply as one string."""
    return "".join(llm.stream(messages, max_tokens, grammar))


def _local(settings) -> LLM:
    from .llm_local import load_local_llm

    return load_local_llm(settings)


def _openai(settings) -> LLM:
    from .llm_openai import OpenAILikeLLM

    if not settings.llm_url:
        raise ValueError("KHABAR_LLM=openai needs KHABAR_LLM_URL")
    return OpenAILikeLLM(settings.llm_url, settings.llm_model, settings.llm_api_key)


# KHABAR_LLM (settings.llm_mode) -> builder; "none" answers extractively, without a model
BACKENDS: dict[str, Callable[..., LLM | None]] = {"local": _local, "openai": _openai, "none": lambda settings: None}


def build_llm(settings, mode: str | None = None) -> LLM | None:
    """The configured backend (mode overrides KHABAR_LLM: "local", "openai" or "none")."""
    return BACKENDS[mode or settings.llm_mode](settings)
