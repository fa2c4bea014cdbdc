"""KHABAR_EMBED_URL: the OpenAI-compatible embedding client (fast, a fake server over httpx's mock
transport and a port nobody listens on), and for real against llama.cpp's server serving EmbeddingGemma
converted to GGUF by llama.cpp's own converter (models)."""
from __future__ import annotations

import json
import math

import httpx
import pytest

from index.embed import GEMMA_PROMPTS, EmbedServerError, HashingEmbedder, ServerEmbedder, load_embedder
from tests.servers import free_port, stop, wait_http

HASH = HashingEmbedder(dim=16)


def fake_server(fail_first: int = 0, status: int = 503):
    """Vectors = 3 x the hashing embedder's (unnormalised, as llama.cpp's server sends them);
    the first `fail_first` requests get `status`."""
    seen: list[list[str]] = []
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= fail_first:
            return httpx.Response(status, json={"error": {"message": "warming up"}}, headers={"retry-after": "0"})
        body = json.loads(request.content)
        assert request.url.path == "/v1/embeddings" and body["model"] == "m" and body["encoding_format"] == "float"
        seen.append(body["input"])
        data = [{"object": "embedding", "index": i, "embedding": [3 * x for x in HASH._vec(t)]}
                for i, t in enumerate(body["input"])][::-1]  # out of order: the client sorts by index
        return httpx.Response(200, json={"object": "list", "data": data, "model": "m",
                                         "usage": {"prompt_tokens": 1, "total_tokens": 1}})

    return handler, seen, calls


def client_for(handler, **kw) -> ServerEmbedder:
    return ServerEmbedder("http://embed.test/v1", "m", batch_size=kw.pop("batch_size", 3),
                          http_client=httpx.Client(transport=httpx.MockTransport(handler)), **kw)


def test_prompts_batches_and_normalised_vectors():
    handler, seen, _ = fake_server()
    emb = client_for(handler)
    docs = ["نص أول", "second text", "third", "fourth", "fifth"]
    vecs = emb.embed_documents(docs, ["عنوان", None, "T", None, None])
    assert [len(b) for b in seen] == [3, 2], "batches of batch_size"
    assert seen[0][0] == "title: عنوان | text: نص أول" and seen[0][1] == "title: none | text: second text"
    assert all(abs(math.sqrt(sum(x * x for x in v)) - 1) < 1e-5 for v in vecs)
    assert vecs[1] == pytest.approx(HASH._vec("title: none | text: second text"), abs=1e-6)

    seen.clear()
    q = emb.embed_queries(["who?", "who?"])
    assert seen == [[GEMMA_PROMPTS["query"] + "who?"]] and q[0] == q[1]
    emb.embed_queries(["who?"])
    assert len(seen) == 1, "a repeated question is cached"
    emb.embed_sentences(["a sentence."])
    assert seen[-1] == ["title: none | text: a sentence."]


def test_retries_with_backoff_then_succeeds():
    handler, seen, calls = fake_server(fail_first=2)
    emb = client_for(handler, retries=2)
    assert len(emb.embed_documents(["x"])) == 1
    assert calls["n"] == 3 and emb.requests == 1


def test_a_server_that_keeps_failing_is_a_clear_error():
    handler, _, calls = fake_server(fail_first=99, status=500)
    with pytest.raises(EmbedServerError, match="answered 500"):
        client_for(handler, retries=1).embed_documents(["x"])
    assert calls["n"] == 2


def test_a_hung_server_costs_a_question_one_retry_not_minutes():
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        raise httpx.ReadTimeout("no answer", request=request)

    emb = client_for(handler, retries=2)
    with pytest.raises(EmbedServerError, match="not answering"):
        emb.embed_queries(["who?"])
    assert calls["n"] == 2, "questions: one retry"
    calls["n"] = 0
    with pytest.raises(EmbedServerError):
        emb.embed_documents(["passage"])
    assert calls["n"] == 3, "ingest: the configured retries"


def test_a_server_that_is_down_is_a_clear_error():
    emb = ServerEmbedder(f"http://127.0.0.1:{free_port()}/v1", "m", retries=0, timeout=5)
    with pytest.raises(EmbedServerError, match="not answering") as err:
        emb.embed_queries(["who?"])
    assert err.value.code == "embedder_unavailable"


def test_settings_pick_the_server_embedder_with_the_model_folder_prompts(settings, tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config_sentence_transformers.json").write_text(json.dumps(
        {"prompts": {"query": "Q: ", "document": "title: none | D: ", "STS": "x"}}))
    s = settings.model_copy(update={"embed_url": "http://127.0.0.1:9/v1", "embed_model": folder,
                                    "embed_server_model": "gemma-gguf"})
    emb = load_embedder(s)
    assert isinstance(emb, ServerEmbedder) and emb.name == "gemma-gguf:server"
    assert (emb.query_prompt, emb.doc_prompt) == ("Q: ", "title: none | D: ")
    emb = load_embedder(s.model_copy(update={"embed_query_prompt": "query: ", "embed_model": tmp_path / "none"}))
    assert (emb.query_prompt, emb.doc_prompt) == ("query: ", GEMMA_PROMPTS["document"])


def test_api_and_cli_say_the_embedding_server_is_down(settings, indexed, monkeypatch, capsys):
    from fastapi.testclient import TestClient

    from qa.pipeline import Pipeline
    from ui.app import create_app
    from ui.cli import main

    down = ServerEmbedder(f"http://127.0.0.1:{free_port()}/v1", "m", retries=0, timeout=5)
    client = TestClient(create_app(settings, Pipeline(settings, indexed, down, None), web=False),
                        raise_server_exceptions=False)
    r = client.post("/api/ask", json={"question": "Who led the talks?"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "embedder_unavailable", r.text
    assert r.headers["retry-after"] and "Traceback" not in r.text
    r = client.get("/api/search", params={"q": "Geneva"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "embedder_unavailable"
    r = client.post("/api/ask/stream", json={"question": "Who led the talks?"})
    assert "embedder_unavailable" in r.text

    monkeypatch.setenv("KHABAR_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("KHABAR_EMBED_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("KHABAR_LLM", "none")
    assert main(["search", "Geneva"]) == 4
    err = capsys.readouterr().err
    assert "embedder_unavailable" in err and "not answering" in err and "Traceback" not in err


# ---- against llama.cpp's server with EmbeddingGemma as GGUF (f32), on loopback ------------------------
def start_embed_server(gguf, port: int, threads: int = 2):
    """`python -m llama_cpp.server --embedding true`: one batch holds a whole passage (non-causal model)."""
    import os
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1", "--port", str(port),
         "--model_alias", "khabar-embed", "--embedding", "true", "--n_ctx", "2048", "--n_batch", "2048",
         "--n_ubatch", "2048", "--n_threads", str(threads), "--n_threads_batch", str(threads)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"})


@pytest.fixture(scope="module")
def embed_server(real_settings):
    from index.embed_gguf import convert

    gguf = convert(real_settings, "f32")  # cached in the models folder after the first run
    port = free_port()
    proc = start_embed_server(gguf, port, real_settings.embed_threads)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_http(f"{url}/models", lambda r: r.status_code == 200, 120, "llama_cpp.server --embedding", proc)
        yield url
    finally:
        stop(proc)


@pytest.mark.models
def test_server_vectors_match_in_process_and_an_index_built_through_it_answers_the_same(
        embed_server, real_settings, tmp_path):
    """Same texts, same prompts: cosine >= 0.999 against the fp32 model in process (bf16 in process is
    printed too: it differs from fp32 by its own rounding). Then the seed articles are indexed through
    the server and in process (fp32), and dev questions get the same extractive answers and passages."""
    import time

    import numpy as np

    from index.config import BUNDLED_ARTICLES, REPO_ROOT
    from index.embed import SentenceTransformerEmbedder
    from index.ingest import ingest
    from index.store import Store
    from qa.pipeline import Pipeline

    s = real_settings
    dev = [json.loads(line) for line in (REPO_ROOT / "eval" / "gold" / "dev.jsonl").read_text().splitlines() if line]
    questions = [g["question"] for g in dev if g.get("follows") is None][:16]
    passages = [p.read_text()[:1200] for p in sorted(BUNDLED_ARTICLES.glob("*.txt"))[:8]]
    server = ServerEmbedder.from_settings(s.model_copy(update={"embed_url": embed_server,
                                                                "embed_server_model": "khabar-embed"}))
    local = {d: SentenceTransformerEmbedder(s.embed_model_path, d, s.embed_threads, s.embed_batch_size)
             for d in ("fp32", "bf16")}
    cos, secs = {}, {}
    for name, emb in (("server", server), *local.items()):
        t = time.perf_counter()
        vecs = np.array(emb.embed_queries(questions) + emb.embed_documents(passages, ["عنوان"] * len(passages)))
        secs[name] = time.perf_counter() - t
        cos[name] = vecs
    worst = {d: float((cos["server"] * cos[d]).sum(1).min()) for d in local}
    print(f"\ncosine server vs in process, min over {len(questions)} questions + {len(passages)} passages: "
          f"fp32 {worst['fp32']:.6f}, bf16 {worst['bf16']:.6f}; encode s: "
          + ", ".join(f"{k} {v:.1f}" for k, v in secs.items()))
    assert worst["fp32"] >= 0.999

    answers = {}
    for name, emb in (("server", server), ("fp32", local["fp32"])):
        ss = s.model_copy(update={"data_dir": tmp_path / name, "llm": "none"})
        store = Store(ss)
        ingest(BUNDLED_ARTICLES, store, emb, ss, progress=False)
        pipe = Pipeline(ss, store, emb, None)
        answers[name] = [pipe.ask(q) for q in questions]
        assert store.count() > 0
    same_text = sum(a.answer == b.answer for a, b in zip(answers["server"], answers["fp32"]))
    same_cited = sum([c.chunk_id for c in a.citations] == [c.chunk_id for c in b.citations]
                     for a, b in zip(answers["server"], answers["fp32"]))
    print(f"extractive answers through the server-built index vs in process (fp32): same text {same_text}/"
          f"{len(questions)}, same citations {same_cited}/{len(questions)}; server requests {server.requests}")
    assert same_text >= len(questions) - 1 and same_cited >= len(questions) - 1
