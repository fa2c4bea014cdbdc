"""The server backend: any OpenAI-compatible server (llama.cpp's, vLLM, Ollama) through the `openai` client."""
from __future__ import annotations

import re
from typing import Iterator

from .llm import STOP, GrammarUnsupported

# Greedy decoding as in process (LlamaCppLLM): llama.cpp's server defaults to top_k 40 and a 1.1 repeat
# penalty, which changes answers. cache_prompt asks llama.cpp's C++ server to keep the prompt's KV cache
# (llama-cpp-python's server always reuses the longest common prefix with its previous prompt).
# Servers that do not know a field ignore it (vLLM, Ollama); one that rejects it gets the request again
# without these extras.
SAMPLING_EXTRAS = {"top_k": 1, "repeat_penalty": 1.0, "seed": 0, "cache_prompt": True}
DIGIT_RANGE = re.compile(r"root ::= \[0-(\d)\]")  # the passage choice's grammar (qa/choose.py)
JSON_REPLY_TOKENS = 12  # {"passage": 3} takes ~7 tokens


class OpenAILikeLLM:
    """A grammar goes to the server in the first form it accepts: GBNF in the `grammar` field (llama.cpp
    servers), else, for a digit range [0-k], a JSON schema {"passage": 0..k} (vLLM, Ollama, OpenAI),
    else GrammarUnsupported. A server that refuses a form is not asked in it again. A server that
    silently ignores the grammar answers with free text: the callers parse it robustly."""

    kind = "openai"
    GRAMMAR_FORMATS = ("grammar", "json_schema", "text")

    def __init__(self, url: str, model: str, api_key: str = "not-needed", timeout: float = 120.0,
                 http_client=None) -> None:
        import openai

        self.client = openai.OpenAI(base_url=url, api_key=api_key or "not-needed", timeout=timeout, max_retries=1,
                                    http_client=http_client)
        self.model = model
        self.name = f"{model}@{url}"
        self.extras: dict = dict(SAMPLING_EXTRAS)
        self.grammar_format = "grammar"

    def stream(self, messages: list[dict], max_tokens: int, grammar: str | None = None) -> Iterator[str]:
        if grammar is not None:  # a constrained reply is short and read whole: one request, one piece
            yield self._constrained(messages, max_tokens, grammar)
            return
        reply = self._create(messages=messages, max_tokens=max_tokens, stream=True, stop=STOP)
        try:
            for part in reply:
                delta = part.choices[0].delta.content if part.choices else None
                if delta:
                    yield delta
        finally:
            # a reader that stops early (qa/span.py first_sentence) closes the connection, so the server
            # stops generating (llama.cpp's server checks for a disconnect per token) instead of finishing
            # the reply while the next request waits for its model lock
            reply.close()

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

    def _constrained(self, messages: list[dict], max_tokens: int, grammar: str) -> str:
        import openai

        while True:
            fmt = self.grammar_format
            request = _grammar_request(fmt, grammar, max_tokens)
            if request is None:
                raise GrammarUnsupported(f"{self.name} takes no grammar of this kind")
            try:
                out = self._create(messages=messages, **request)
            except openai.BadRequestError:
                self.grammar_format = self.GRAMMAR_FORMATS[self.GRAMMAR_FORMATS.index(fmt) + 1]
                self.extras = dict(SAMPLING_EXTRAS)  # the format was refused, maybe not the extras
                continue
            return out.choices[0].message.content or ""


def _grammar_request(fmt: str, grammar: str, max_tokens: int) -> dict | None:
    """The request fields that carry a grammar in one format; None when the format can't express it."""
    if fmt == "grammar":
        return {"max_tokens": max_tokens, "extra_body": {"grammar": grammar}}
    digits = DIGIT_RANGE.fullmatch(grammar.strip())
    if fmt != "json_schema" or digits is None:
        return None
    k = int(digits.group(1))
    schema = {"type": "object", "properties": {"passage": {"type": "integer", "enum": list(range(k + 1))}},
              "required": ["passage"], "additionalProperties": False}
    return {"max_tokens": max(max_tokens, JSON_REPLY_TOKENS),
            "response_format": {"type": "json_schema", "json_schema": {"name": "choice", "schema": schema,
                                                                      "strict": True}}}
