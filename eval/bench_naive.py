"""The naive LlamaIndex baseline of the benchmark: a VectorStoreIndex with default settings on Chroma, and
a thin llama-index CustomLLM around the same llama_cpp.Llama the pipeline uses (llama-index-llms-llama-cpp is
not installed). Imported only when the bench runs the retrieval or answers section (it imports llama_index)."""
from __future__ import annotations

import json
from pathlib import Path

from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.llms import (ChatMessage, ChatResponse, CompletionResponse, CustomLLM, LLMMetadata,
                                   MessageRole)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback

from qa.config import QASettings as Settings


def as_dicts(messages) -> list[dict]:
    return [{"role": m.role.value, "content": m.content or ""} for m in messages]


class LlamaCppCustomLLM(CustomLLM):
    """Chat goes through the GGUF's own chat template, like the pipeline's; greedy; every prompt it is sent
    is kept in `_seen` (so the bench counts every LLM call's tokens)."""

    num_output: int = 256
    window: int = 4096
    _llama = PrivateAttr()
    _seen = PrivateAttr(default_factory=list)

    def __init__(self, llama, **kw) -> None:
        super().__init__(**kw)
        self._llama = llama
        self._seen = []

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=self.window, num_output=self.num_output, is_chat_model=True,
                           model_name="llama_cpp")

    def _args(self) -> dict:
        return {"temperature": 0.0, "top_k": 1, "max_tokens": self.num_output}

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kw) -> CompletionResponse:
        self._seen.append([{"role": "user", "content": prompt}])
        out = self._llama.create_completion(prompt, **self._args())
        return CompletionResponse(text=out["choices"][0]["text"])

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kw):
        self._seen.append([{"role": "user", "content": prompt}])
        text = ""
        for part in self._llama.create_completion(prompt, stream=True, **self._args()):
            delta = part["choices"][0]["text"]
            text += delta
            yield CompletionResponse(text=text, delta=delta)

    @llm_chat_callback()
    def chat(self, messages, **kw) -> ChatResponse:
        self._seen.append(as_dicts(messages))
        out = self._llama.create_chat_completion(messages=as_dicts(messages), **self._args())
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT,
                                                content=out["choices"][0]["message"]["content"] or ""))

    @llm_chat_callback()
    def stream_chat(self, messages, **kw):
        self._seen.append(as_dicts(messages))

        def gen():
            text = ""
            for part in self._llama.create_chat_completion(messages=as_dicts(messages), stream=True,
                                                           **self._args()):
                delta = part["choices"][0]["delta"].get("content") or ""
                text += delta
                yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=delta)

        return gen()


def naive_llm(llama, max_tokens: int, context_window: int) -> LlamaCppCustomLLM:
    return LlamaCppCustomLLM(llama, num_output=max_tokens, window=context_window)


def naive_index(settings: Settings, client, articles_dir: Path, embed_threads: int):
    """VectorStoreIndex over SimpleDirectoryReader documents, default SentenceSplitter, Chroma, and
    HuggingFaceEmbedding on the same model folder (with the model's own query/document prompts)."""
    import torch
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    cfg = json.loads((settings.embed_model_path / "config_sentence_transformers.json").read_text())
    prompts = cfg.get("prompts", {})
    embed = HuggingFaceEmbedding(model_name=str(settings.embed_model_path), device="cpu",
                                 query_instruction=prompts.get("query"), text_instruction=prompts.get("document"),
                                 local_files_only=True)
    if settings.embed_dtype == "bf16":  # the same dtype as the pipeline's embedder, or the race is not fair
        embed._model = embed._model.to(torch.bfloat16)
    torch.set_num_threads(embed_threads)
    docs = SimpleDirectoryReader(str(articles_dir)).load_data()
    collection = client.get_or_create_collection("bench_naive", embedding_function=None,
                                                 metadata={"hnsw:space": "cosine"})
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    index = VectorStoreIndex.from_documents(docs, storage_context=storage, embed_model=embed)
    return index, embed


def naive_prompt_pair() -> tuple[list[dict], list[dict]]:
    from llama_index.core.prompts.chat_prompts import CHAT_TEXT_QA_PROMPT

    def render(ctx: str, q: str) -> list[dict]:
        return [{"role": m.role.value, "content": m.content or ""}
                for m in CHAT_TEXT_QA_PROMPT.format_messages(context_str=ctx, query_str=q)]

    return render("Alpha went north.", "Who?"), render("ذهب بيتا جنوبا.", "ماذا؟")
