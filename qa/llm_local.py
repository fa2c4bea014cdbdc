"""The local backend: a GGUF through llama-cpp-python, in this process."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

from .llm import STOP, chatml


class LlamaCppLLM:
    """Qwen2.5 GGUF through llama-cpp-python: loaded once, kept warm, one generation at a time.

    llama.cpp reuses the KV cache of the longest common prefix with the previous prompt, so the
    fixed system prompt is only processed once.
    """

    kind = "local"

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
        return len(self.llm.tokenize(chatml(messages).encode(), add_bos=False, special=True)) + 3

    def stream(self, messages: list[dict], max_tokens: int, grammar: str | None = None) -> Iterator[str]:
        if grammar is not None:  # a constrained reply is short and read whole: one call, one piece
            yield self._constrained(messages, max_tokens, grammar)
            return
        with self.lock:
            for part in self.llm.create_chat_completion(messages=messages, temperature=0.0, top_k=1,
                                                        max_tokens=max_tokens, stream=True, stop=STOP):
                delta = part["choices"][0]["delta"].get("content")
                if delta:
                    yield delta

    def _constrained(self, messages: list[dict], max_tokens: int, grammar: str) -> str:
        from llama_cpp import LlamaGrammar

        compiled = LlamaGrammar.from_string(grammar, verbose=False)
        with self.lock:
            out = self.llm.create_chat_completion(messages=messages, temperature=0.0, top_k=1, max_tokens=max_tokens,
                                                  grammar=compiled)
        return out["choices"][0]["message"]["content"] or ""


def load_local_llm(settings) -> LlamaCppLLM:
    """The configured GGUF; the bundled one is sha256-checked before loading."""
    from index.models import LLM as LLM_SPEC, verify

    if settings.llm_path is None:
        verify(LLM_SPEC, settings.models_dir)
    return LlamaCppLLM(settings.llm_model_path, settings.llm_ctx, settings.llm_threads)
