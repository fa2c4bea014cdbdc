"""Generators behind one small interface: local llama.cpp (default) or any OpenAI-compatible server."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator, Protocol

STOP = ["<|im_end|>", "<|endoftext|>", "\nQuestion:", "\nPassages:"]


class LLM(Protocol):
    name: str

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]: ...

    def choose(self, messages: list[dict], k: int) -> int:
        """A number in 0..k (the passage that answers; 0 = none)."""
        ...

    def count_tokens(self, messages: list[dict]) -> int: ...


def parse_choice(text: str, k: int) -> int:
    """First number in a free-text reply, clamped to 0..k (servers without grammars)."""
    import re

    m = re.search(r"\d+", text or "")
    n = int(m.group()) if m else 0
    return n if 0 <= n <= k else 0


def approx_tokens(messages: list[dict]) -> int:
    """Without a tokenizer: ~2.2 tokens per Arabic word, ~1.3 per English word, + template overhead."""
    from index.text import arabic_ratio

    total = 0
    for m in messages:
        words = len(m["content"].split())
        total += int(words * (1.3 + 0.9 * arabic_ratio(m["content"]))) + 5
    return total


class LlamaCppLLM:
    """Qwen2.5 GGUF through llama-cpp-python: loaded once, kept warm, one generation at a time.

    llama.cpp reuses the KV cache of the longest common prefix with the previous prompt, so the
    fixed system prompt is only processed once.
    """

    def __init__(self, path: Path, n_ctx: int = 4096, threads: int = 2) -> None:
        from index.config import offline_env

        offline_env()  # OMP_WAIT_POLICY must be set before llama_cpp is imported
        from llama_cpp import Llama

        if not Path(path).is_file():
            raise FileNotFoundError(f"LLM weights not found at {path} (run ./setup.sh)")
        # setup.sh builds llama.cpp for portable AVX2: a -march=native build on an AMX CPU repacks the
        # Q4_K weights for AMX and segfaults in the first decode (ggml-org/llama.cpp#20824)
        self.llm = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                         n_batch=512, seed=0, verbose=False)
        self.name = Path(path).name
        self.lock = threading.Lock()

    def count_tokens(self, messages: list[dict]) -> int:
        text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        return len(self.llm.tokenize(text.encode(), add_bos=False, special=True)) + 3

    def choose(self, messages: list[dict], k: int) -> int:
        from llama_cpp import LlamaGrammar

        grammar = LlamaGrammar.from_string(f"root ::= [0-{min(k, 9)}]", verbose=False)
        with self.lock:
            out = self.llm.create_chat_completion(messages=messages, temperature=0.0, top_k=1, max_tokens=2,
                                                  grammar=grammar)
        return parse_choice(out["choices"][0]["message"]["content"], k)

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        with self.lock:
            for part in self.llm.create_chat_completion(messages=messages, temperature=0.0, top_k=1,
                                                        max_tokens=max_tokens, stream=True, stop=STOP):
                delta = part["choices"][0]["delta"].get("content")
                if delta:
                    yield delta


def load_local_llm(settings) -> LlamaCppLLM:
    """The configured GGUF; the bundled one is sha256-checked before loading."""
    from index.models import LLM as LLM_SPEC, verify

    if settings.llm_path is None:
        verify(LLM_SPEC, settings.models_dir)
    return LlamaCppLLM(settings.llm_model_path, settings.llm_ctx, settings.llm_threads)


class OpenAILikeLLM:
    """Any OpenAI-compatible server (vLLM, Ollama, llama.cpp server) via llama-index's OpenAILike."""

    def __init__(self, url: str, model: str, api_key: str = "not-needed", max_tokens: int = 160) -> None:
        from llama_index.llms.openai_like import OpenAILike

        self.client = OpenAILike(model=model, api_base=url, api_key=api_key, is_chat_model=True,
                                 temperature=0.0, max_tokens=max_tokens, timeout=120, max_retries=1)
        self.name = f"{model}@{url}"

    def count_tokens(self, messages: list[dict]) -> int:
        return approx_tokens(messages)

    def choose(self, messages: list[dict], k: int) -> int:
        return parse_choice("".join(self.stream(messages, 4)), k)

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        from llama_index.core.llms import ChatMessage

        self.client.max_tokens = max_tokens
        for part in self.client.stream_chat([ChatMessage(role=m["role"], content=m["content"]) for m in messages]):
            if part.delta:
                yield part.delta
