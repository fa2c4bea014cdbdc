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


# Greedy decoding as in process (LlamaCppLLM): llama.cpp's server defaults to top_k 40 and a 1.1 repeat
# penalty, which changes answers. cache_prompt asks llama.cpp's C++ server to keep the prompt's KV cache
# (llama-cpp-python's server always reuses the longest common prefix with its previous prompt).
# Servers that do not know a field ignore it (vLLM, Ollama); one that rejects it gets the request again
# without these extras.
SAMPLING_EXTRAS = {"top_k": 1, "repeat_penalty": 1.0, "seed": 0, "cache_prompt": True}


def parse_structured_choice(text: str, k: int) -> int:
    """A choice reply: a bare digit (grammar), {"passage": n} (JSON schema) or free text."""
    import json

    try:
        value = json.loads(text or "")
        if isinstance(value, dict):
            value = value.get("passage")
        if isinstance(value, int) and not isinstance(value, bool):
            return value if 0 <= value <= k else 0
    except ValueError:
        pass
    return parse_choice(text, k)


class OpenAILikeLLM:
    """Any OpenAI-compatible server (llama.cpp's, vLLM, Ollama) through the `openai` client.

    The passage choice asks for structured output, in the first form the server accepts: a GBNF
    grammar `[0-k]` (llama.cpp servers), else a JSON schema {"passage": 0..k} (vLLM, Ollama, OpenAI),
    else free text; every reply goes through a robust parse (a server that silently ignores the
    grammar still answers with a number)."""

    CHOICE_FORMATS = ("grammar", "json_schema", "text")

    def __init__(self, url: str, model: str, api_key: str = "not-needed", max_tokens: int = 160,
                 timeout: float = 120.0, http_client=None) -> None:
        import openai

        self.client = openai.OpenAI(base_url=url, api_key=api_key or "not-needed", timeout=timeout, max_retries=1,
                                    http_client=http_client)
        self.model = model
        self.max_tokens = max_tokens
        self.name = f"{model}@{url}"
        self.extras: dict = dict(SAMPLING_EXTRAS)
        self.choice_format = "grammar"

    def count_tokens(self, messages: list[dict]) -> int:
        return approx_tokens(messages)

    def _create(self, **kwargs):
        import openai

        own = kwargs.pop("extra_body", {})
        try:
            return self.client.chat.completions.create(model=self.model, temperature=0.0,
                                                       extra_body={**self.extras, **own}, **kwargs)
        except openai.BadRequestError:  # 400 / 422 on a field it does not know: once more without the extras
            if not self.extras:
                raise
            self.extras = {}
            return self.client.chat.completions.create(model=self.model, temperature=0.0, extra_body=own, **kwargs)

    def choose(self, messages: list[dict], k: int) -> int:
        import openai

        k = min(k, 9)
        while True:
            fmt = self.choice_format
            extra: dict = {}
            if fmt == "grammar":
                extra = {"extra_body": {"grammar": f"root ::= [0-{k}]"}}
            elif fmt == "json_schema":
                schema = {"type": "object", "properties": {"passage": {"type": "integer", "enum": list(range(k + 1))}},
                          "required": ["passage"], "additionalProperties": False}
                extra = {"response_format": {"type": "json_schema",
                                             "json_schema": {"name": "choice", "schema": schema, "strict": True}}}
            try:
                out = self._create(messages=messages, max_tokens=2 if fmt == "grammar" else 12, **extra)
            except openai.BadRequestError:
                if fmt == "text":
                    raise
                self.choice_format = self.CHOICE_FORMATS[self.CHOICE_FORMATS.index(fmt) + 1]
                self.extras = dict(SAMPLING_EXTRAS)  # the format was refused, maybe not the extras
                continue
            return parse_structured_choice(out.choices[0].message.content or "", k)

    def grammar_complete(self, messages: list[dict], grammar: str, max_tokens: int) -> str | None:
        """The reply under a GBNF grammar (llama.cpp servers take `grammar`), or None when this server
        refused grammars for the choice step (the caller then asks for free text and snaps it)."""
        import openai

        if self.choice_format != "grammar":
            return None
        try:
            out = self._create(messages=messages, max_tokens=max_tokens, extra_body={"grammar": grammar})
        except openai.BadRequestError:
            return None
        return out.choices[0].message.content or ""

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        for part in self._create(messages=messages, max_tokens=max_tokens, stream=True, stop=STOP):
            delta = part.choices[0].delta.content if part.choices else None
            if delta:
                yield delta
