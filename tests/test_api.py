"""REST, SSE and OpenAI-compatible API on a real Pipeline (fake embedder, scripted LLM, real Chroma)."""
from __future__ import annotations

import json
import threading
import time

import pytest
from fastapi.testclient import TestClient

from tests.fakes import ScriptedLLM

AR_Q = "من ترأس الوفد الأمريكي في المحادثات الأمنية مع روسيا في جنيف؟"
EN_Q = "Who led the US delegation at the Geneva security talks with Russia?"
# copied from passage [1] of what the fake embedder retrieves for AR_Q: the answer is a run of its words
AR_REPLY = "قالت وزارة الخارجية الأمريكية [1]."
ANSWER_KEYS = {"answer", "language", "refused", "citations", "timings"}
CITATION_KEYS = {"n", "chunk_id", "article_id", "title", "quote", "published", "source", "url", "author", "also"}
LEAKS = ("Traceback", 'File "', "RuntimeError", "secret-detail")


def make_client(make_pipeline, llm=None, web=False, **overrides) -> TestClient:
    from ui.app import create_app

    pipe = make_pipeline(llm if llm is not None else ScriptedLLM(AR_REPLY), **overrides)
    return TestClient(create_app(pipe.settings, pipe, web=web), raise_server_exceptions=False)


@pytest.fixture
def client(make_pipeline) -> TestClient:
    return make_client(make_pipeline)


def parse_sse(text: str) -> list[tuple[str, object]]:
    events = []
    for block in text.strip().split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        payload = "\n".join(data)
        events.append((name, payload if payload == "[DONE]" else json.loads(payload)))
    return events


def assert_error(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body
    for leak in LEAKS:
        assert leak not in resp.text
    return body


def body_answer(client) -> str:
    return client.post("/api/ask", json={"question": AR_Q}).json()["answer"]


def assert_answer_shape(body: dict) -> None:
    assert set(body) == ANSWER_KEYS
    assert body["language"] in ("ar", "en")
    assert isinstance(body["refused"], bool) and isinstance(body["timings"], dict)
    for i, c in enumerate(body["citations"], 1):
        assert set(c) == CITATION_KEYS and c["n"] == i and c["quote"] and c["title"]


# ---- shapes ------------------------------------------------------------------------------------
def test_health(client):
    body = client.get("/health").json()
    assert body == {"status": "ok", "chunks": body["chunks"], "articles": 5, "llm": "local", "model_loaded": True}
    assert body["chunks"] > 5


def test_health_without_llm(make_pipeline):
    from ui.app import create_app

    pipe = make_pipeline(None)
    assert TestClient(create_app(pipe.settings, pipe, web=False)).get("/health").json()["llm"] == "none"


def test_ask_arabic_cites_retrieved_passage(client, make_pipeline):
    resp = client.post("/api/ask", json={"question": AR_Q})
    assert resp.status_code == 200
    body = resp.json()
    assert_answer_shape(body)
    assert body["language"] == "ar" and not body["refused"]
    assert "[1]" in body["answer"] and body["citations"]
    retrieved = {h.chunk_id for h in make_pipeline(None).search(AR_Q)}
    assert {c["chunk_id"] for c in body["citations"]} <= retrieved


def test_ask_with_history_and_k(client):
    resp = client.post("/api/ask", json={"question": "وما منصبها؟", "k": 3,
                                         "history": [{"role": "user", "content": AR_Q},
                                                     {"role": "assistant", "content": "ويندي شيرمان [1]."}]})
    assert resp.status_code == 200
    assert_answer_shape(resp.json())


def test_ask_refuses_when_nothing_is_close(make_pipeline):
    client = make_client(make_pipeline, refusal_threshold=0.99)
    body = client.post("/api/ask", json={"question": "What is the recipe for apple pie?"}).json()
    assert_answer_shape(body)
    assert body["refused"] and body["citations"] == [] and body["language"] == "en"


def test_stream_event_order(client):
    resp = client.post("/api/ask/stream", json={"question": AR_Q})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(resp.text)
    names = [n for n, _ in events]
    assert names[0] == "sources" and names[-1] == "answer"
    assert set(names[1:-1]) == {"delta"} and len(names) >= 3
    sources, answer = events[0][1], events[-1][1]
    assert set(sources) == {"language", "passages"} and sources["language"] == "ar"
    assert all(set(p) == CITATION_KEYS for p in sources["passages"])
    assert "".join(d["text"] for n, d in events if n == "delta") + " [1]." == AR_REPLY == answer["answer"]
    assert_answer_shape(answer)
    assert {c["chunk_id"] for c in answer["citations"]} <= {p["chunk_id"] for p in sources["passages"]}


def test_stream_refusal_keeps_event_order(make_pipeline):
    client = make_client(make_pipeline, refusal_threshold=0.99)
    events = parse_sse(client.post("/api/ask/stream", json={"question": "ما وصفة فطيرة التفاح؟"}).text)
    assert [n for n, _ in events] == ["sources", "delta", "answer"]
    assert events[0][1] == {"language": "ar", "passages": []}
    assert events[2][1]["refused"] and events[1][1]["text"] == events[2][1]["answer"]


def test_stream_extractive_sends_the_answer_as_one_delta(make_pipeline):
    from ui.app import create_app

    pipe = make_pipeline(None)
    client = TestClient(create_app(pipe.settings, pipe, web=False))
    events = parse_sse(client.post("/api/ask/stream", json={"question": AR_Q}).text)
    assert [n for n, _ in events] == ["sources", "delta", "answer"]
    assert events[1][1]["text"] == events[2][1]["answer"] and events[2][1]["citations"]


def test_search(client):
    resp = client.get("/api/search", params={"q": "ويندي شيرمان", "k": 3})
    assert resp.status_code == 200
    hits = resp.json()
    assert len(hits) == 3
    for h in hits:
        assert set(h) == {"chunk_id", "article_id", "title", "text", "score", "published", "source", "url", "author",
                          "also"}
        assert h["chunk_id"].startswith(h["article_id"] + ":")
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert any("شيرمان" in h["text"] or "شيرمان" in h["text"].replace("ى", "ي") for h in hits)


def test_articles(client):
    arts = client.get("/api/articles").json()
    assert len(arts) == 5
    assert set(arts[0]) == {"article_id", "title", "source", "language", "chunks", "published", "outlet", "url"}
    assert all(a["chunks"] >= 1 and a["title"] for a in arts)
    assert {a["source"] for a in arts} == {a["article_id"] + ".txt" for a in arts}  # no server paths


def test_docs_and_openapi(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/ask", "/api/ask/stream", "/api/search", "/api/articles", "/api/ingest", "/health",
                 "/v1/chat/completions", "/v1/models"):
        assert path in paths


def test_chat_page_is_mounted_at_root(make_pipeline):
    client = make_client(make_pipeline, web=True)
    resp = client.get("/")
    assert resp.status_code == 200 and "text/html" in resp.headers["content-type"]
    assert client.get("/health").json()["status"] == "ok"  # the API still wins over the mount
    assert client.get("/docs").status_code == 200


# ---- OpenAI-compatible -----------------------------------------------------------------------------
def test_openai_models(client):
    body = client.get("/v1/models").json()
    assert body["object"] == "list" and body["data"][0]["id"] == "khabar"


def test_openai_chat_completion(client):
    resp = client.post("/v1/chat/completions", json={
        "model": "khabar", "temperature": 0.2,
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": AR_Q}]})
    assert resp.status_code == 200
    body = resp.json()
    assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
    assert body["model"] == "khabar" and isinstance(body["created"], int)
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    content = choice["message"]["content"]
    assert content.startswith(body_answer(client)) and "\n\nSources:\n[1] " in content
    assert body["citations"] and set(body["citations"][0]) == CITATION_KEYS
    assert body["citations"][0]["title"] in content


def test_openai_stream_matches_non_stream(client):
    req = {"messages": [{"role": "user", "content": [{"type": "text", "text": AR_Q}]}]}
    full = client.post("/v1/chat/completions", json=req).json()
    resp = client.post("/v1/chat/completions", json={**req, "stream": True})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(resp.text)
    assert events[-1] == ("message", "[DONE]")
    chunks = [d for _, d in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" and c["id"] == chunks[0]["id"] for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"] == full["citations"]
    pieces = [c["choices"][0]["delta"]["content"] for c in chunks[1:-1]]
    assert len(pieces) > 2 and all(pieces)  # streamed in pieces that join back to the whole content
    assert "".join(pieces) == full["choices"][0]["message"]["content"]


def test_openai_history_is_used(client, make_pipeline):
    resp = client.post("/v1/chat/completions", json={"messages": [
        {"role": "user", "content": AR_Q}, {"role": "assistant", "content": "ويندي شيرمان."},
        {"role": "user", "content": "وما منصبها؟"}]})
    assert resp.status_code == 200
    llm = client.app.state.service.pipeline().llm
    assert any(AR_Q in m["content"] for prompt in llm.prompts for m in prompt)  # condensed with the history


def test_openai_errors(client):
    assert_error(client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": " "}]}),
                 422, "empty_question")
    assert_error(client.post("/v1/chat/completions", json={"messages": [{"role": "system", "content": "hi"}]}),
                 422, "invalid_request")
    assert_error(client.post("/v1/chat/completions", json={"messages": []}), 422, "invalid_request")


# ---- errors --------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_question_errors(client, path):
    assert_error(client.post(path, json={"question": ""}), 422, "empty_question")
    assert_error(client.post(path, json={"question": " \n\t "}), 422, "empty_question")
    assert_error(client.post(path, json={"question": "x" * 2001}), 422, "question_too_long")
    assert_error(client.post(path, json={}), 422, "invalid_request")
    assert_error(client.post(path, json={"question": 42}), 422, "invalid_request")
    assert_error(client.post(path, json={"question": "hi", "k": 0}), 422, "invalid_request")
    assert_error(client.post(path, json={"question": "hi", "history": [{"role": "robot", "content": "x"}]}),
                 422, "invalid_request")
    assert_error(client.post(path, content=b"{not json", headers={"content-type": "application/json"}),
                 422, "invalid_request")


def test_search_errors(client):
    assert_error(client.get("/api/search", params={"q": "  "}), 422, "empty_question")
    assert_error(client.get("/api/search"), 422, "invalid_request")
    assert_error(client.get("/api/search", params={"q": "x", "k": 51}), 422, "invalid_request")


def test_unknown_routes_use_the_error_shape(client):
    assert_error(client.get("/api/nope"), 404, "not_found")
    assert_error(client.get("/api/ask"), 405, "method_not_allowed")
    assert_error(client.post("/v1/embeddings", json={}), 404, "not_found")


def test_unexpected_error_is_500_without_traceback(make_pipeline, monkeypatch):
    client = make_client(make_pipeline)
    pipe = client.app.state.service.pipeline()

    def boom(*a, **k):
        raise RuntimeError("secret-detail /home/user/khabar/qa/pipeline.py")

    monkeypatch.setattr(pipe, "search", boom)
    monkeypatch.setattr(pipe.retriever, "search", boom)
    for resp in (client.get("/api/search", params={"q": "جنيف"}), client.post("/api/ask", json={"question": AR_Q}),
                 client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": AR_Q}]})):
        assert_error(resp, 500, "internal_error")
    # midway through a stream the status is already 200: an `error` event, still no traceback
    resp = client.post("/api/ask/stream", json={"question": AR_Q})
    events = parse_sse(resp.text)
    assert events[-1] == ("error", {"error": {"code": "internal_error", "message": events[-1][1]["error"]["message"]}})
    for leak in LEAKS:
        assert leak not in resp.text
    assert client.app.state.service.queue.admitted == 0  # failed runs give their place back


# ---- ingest ----------------------------------------------------------------------------------------
ARTICLE = "Zebra festival in Khabarville\n\nThe annual zebra festival in Khabarville drew 12,000 visitors on Sunday.\n"


def test_ingest_disabled_without_key(client):
    assert_error(client.post("/api/ingest", json={"path": "."}), 403, "ingest_disabled")


def test_ingest_auth(make_pipeline, monkeypatch):
    import hmac

    import ui.api_ingest

    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(ui.api_ingest.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    client = make_client(make_pipeline, api_key="s3cret-key")
    assert_error(client.post("/api/ingest", json={"path": "."}), 401, "unauthorized")
    for auth in ("Bearer wrong", "s3cret-key", "Basic s3cret-key", "Bearer "):
        resp = client.post("/api/ingest", json={"path": "."}, headers={"Authorization": auth})
        assert_error(resp, 401, "unauthorized")
    assert len(calls) == 5
    resp = client.post("/api/ingest", json={"path": "."}, headers={"Authorization": "Bearer s3cret-key"})
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert set(report) >= {"articles", "chunks", "added", "updated", "deleted", "unchanged", "skipped", "seconds"}
    assert report["articles"] == 5 and report["added"] == 0 and report["unchanged"] == report["chunks"]


def test_ingest_path_must_stay_inside_root(make_pipeline, tmp_path):
    client = make_client(make_pipeline, api_key="k")
    auth = {"Authorization": "Bearer k"}
    (tmp_path / "outside.txt").write_text(ARTICLE)
    for path in ("../outside.txt", "../../etc/passwd", str(tmp_path / "outside.txt"), "/etc/passwd", "sub/../../x"):
        assert_error(client.post("/api/ingest", json={"path": path}, headers=auth), 400, "path_outside_root")
    settings = client.app.state.service.settings
    (settings.articles_dir / "link.txt").symlink_to(tmp_path / "outside.txt")
    assert_error(client.post("/api/ingest", json={"path": "link.txt"}, headers=auth), 400, "path_outside_root")
    assert_error(client.post("/api/ingest", json={"path": "missing.txt"}, headers=auth), 404, "not_found")
    assert_error(client.post("/api/ingest", json={"nope": 1}, headers=auth), 422, "invalid_request")
    assert_error(client.post("/api/ingest", content=b"x", headers={**auth, "content-type": "text/plain"}),
                 415, "unsupported_media_type")


def test_ingest_json_path_inside_root(make_pipeline):
    client = make_client(make_pipeline, api_key="k")
    root = client.app.state.service.settings.articles_dir
    (root / "new").mkdir()
    (root / "new" / "zebra.txt").write_text(ARTICLE)
    resp = client.post("/api/ingest", json={"path": "new/zebra.txt"}, headers={"Authorization": "Bearer k"})
    assert resp.status_code == 200 and resp.json()["added"] == 1
    assert any(a["article_id"] == "zebra" for a in client.get("/api/articles").json())


def test_ingest_upload(make_pipeline):
    client = make_client(make_pipeline, api_key="k")
    root = client.app.state.service.settings.articles_dir
    files = [("files", ("zebra.txt", ARTICLE.encode(), "text/plain")),
             ("files", ("../../evil.md", b"# Evil\n\nThe evil article text is here today.\n", "text/markdown"))]
    resp = client.post("/api/ingest", files=files, headers={"Authorization": "Bearer k"})
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["articles"] == 2 and report["added"] >= 2 and report["skipped"] == []
    assert (root / "zebra.txt").read_text() == ARTICLE
    assert (root / "evil.md").exists() and not (root.parent.parent / "evil.md").exists()  # saved by base name
    hits = client.get("/api/search", params={"q": "zebra festival Khabarville", "k": 1}).json()
    assert hits[0]["article_id"] == "zebra"


def test_ingest_upload_errors(make_pipeline):
    client = make_client(make_pipeline, api_key="k", max_upload_bytes=1000)
    auth = {"Authorization": "Bearer k"}
    big = [("files", ("big.txt", b"word " * 400, "text/plain"))]
    assert_error(client.post("/api/ingest", files=big, headers=auth), 413, "upload_too_large")
    huge = [("files", ("huge.txt", b"word " * 40_000, "text/plain"))]  # beyond the form slack: cut while reading
    assert_error(client.post("/api/ingest", files=huge, headers=auth), 413, "upload_too_large")
    exe = [("files", ("run.sh", b"echo hi", "text/plain"))]
    assert_error(client.post("/api/ingest", files=exe, headers=auth), 400, "unsupported_file_type")
    assert_error(client.post("/api/ingest", data={"x": "1"}, files=[("other", ("", b"", "text/plain"))], headers=auth),
                 400, "no_files")
    root = client.app.state.service.settings.articles_dir
    assert not (root / "big.txt").exists() and not (root / "run.sh").exists()
    # an oversized body is refused from its Content-Length before anything (the key included) is looked at;
    # a wrong key with a body of allowed size is refused before the body is read
    assert_error(client.post("/api/ingest", files=huge, headers={"Authorization": "Bearer x"}), 413, "upload_too_large")
    assert_error(client.post("/api/ingest", files=big, headers={"Authorization": "Bearer x"}), 401, "unauthorized")


# ---- loading and the queue -------------------------------------------------------------------------
def test_loading_state(make_pipeline, settings, monkeypatch):
    from qa.pipeline import Pipeline
    from ui.app import create_app

    release = threading.Event()
    built = make_pipeline(ScriptedLLM(AR_REPLY))

    def slow_build(cls, s, llm=None):
        assert release.wait(10)
        return built

    monkeypatch.setattr(Pipeline, "from_settings", classmethod(slow_build))
    with TestClient(create_app(settings, web=True)) as client:
        health = client.get("/health").json()
        assert health["status"] == "loading" and health["model_loaded"] is False
        assert client.get("/").status_code == 200  # the page answers while models load
        for resp in (client.post("/api/ask", json={"question": AR_Q}),
                     client.post("/api/ask/stream", json={"question": AR_Q}),
                     client.get("/api/search", params={"q": "جنيف"})):
            assert_error(resp, 503, "loading")
            assert int(resp.headers["Retry-After"]) > 0
        release.set()
        deadline = time.time() + 10
        while client.get("/health").json()["status"] != "ok":
            assert time.time() < deadline
            time.sleep(0.05)
        assert client.post("/api/ask", json={"question": AR_Q}).status_code == 200


def test_failed_load_is_reported(settings, monkeypatch):
    from qa.pipeline import Pipeline
    from ui.app import create_app

    def broken(cls, s, llm=None):
        raise FileNotFoundError("LLM weights not found at /models/x.gguf (run ./setup.sh)")

    monkeypatch.setattr(Pipeline, "from_settings", classmethod(broken))
    with TestClient(create_app(settings, web=False)) as client:
        deadline = time.time() + 10
        while (health := client.get("/health").json())["status"] == "loading":
            assert time.time() < deadline
            time.sleep(0.05)
        assert health["status"] == "error" and "setup.sh" in health["error"]
        assert_error(client.post("/api/ask", json={"question": AR_Q}), 503, "unavailable")


class BlockingLLM(ScriptedLLM):
    """Streams its first piece, then waits until released."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.started = threading.Event()
        self.release = threading.Event()
        self.active = 0
        self.max_active = 0

    def stream(self, messages, max_tokens, grammar=None):
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            for i, piece in enumerate(super().stream(messages, max_tokens, grammar)):
                yield piece
                if i == 0:
                    self.started.set()
                    assert self.release.wait(20)
        finally:
            self.active -= 1


def test_queue_full_answers_503_busy(make_pipeline):
    llm = BlockingLLM(AR_REPLY)
    client = make_client(make_pipeline, llm=llm, queue_size=1)
    queue = client.app.state.service.queue
    results: dict[str, object] = {}

    def call(name, path="/api/ask"):
        results[name] = client.post(path, json={"question": AR_Q})

    first = threading.Thread(target=call, args=("first",))
    second = threading.Thread(target=call, args=("second", "/api/ask/stream"))
    third = threading.Thread(target=call, args=("third",))
    try:
        first.start()
        assert llm.started.wait(10), "the first question never reached the LLM"
        second.start()
        deadline = time.time() + 10
        while queue.admitted < 2:  # the second is waiting its turn
            assert time.time() < deadline, "the second question was not queued"
            time.sleep(0.02)
        third.start()
        third.join(10)
        assert not third.is_alive(), "a question beyond the queue waited instead of being refused"
        resp = results["third"]
        assert_error(resp, 503, "busy")
        assert int(resp.headers["Retry-After"]) > 0
        assert_error(client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": AR_Q}]}),
                     503, "busy")
    finally:
        llm.release.set()
        first.join(20)
        second.join(20)
    assert results["first"].status_code == 200 and results["second"].status_code == 200
    assert parse_sse(results["second"].text)[-1][0] == "answer"
    assert llm.max_active == 1  # one generation at a time
    assert queue.admitted == 0
    assert client.post("/api/ask", json={"question": AR_Q}).status_code == 200


def test_queue_ticket_is_freed_when_a_stream_is_dropped(make_pipeline):
    from ui.service import Service

    pipe = make_pipeline(ScriptedLLM(AR_REPLY), queue_size=0)
    service = Service(pipe.settings, pipe)
    run = service.run(AR_Q)
    next(run)  # holding the turn
    with pytest.raises(Exception) as busy:
        service.run(AR_Q)
    assert getattr(busy.value, "code", None) == "busy"
    run.close()
    unstarted = service.run(AR_Q)  # admitted, never iterated
    unstarted.close()
    assert service.queue.admitted == 0
    assert service.ask(AR_Q).citations


# ---- the chat page's HTML ---------------------------------------------------------------------------
def test_chat_html_escapes_article_text_and_sets_direction():
    from qa.answer import Answer, Citation, Sources
    from ui.web import render_answer, render_sources, render_user

    evil = 'A <img src=x onerror="alert(1)"> and <script>alert(2)</script>\n\nsecond "para"'
    cite = Citation(1, "a:0", "a", "<b>Title</b>", evil)
    html_out = render_answer(Answer("Wendy Sherman led it [1].", "en", False, [cite]))
    html_out += render_sources(Sources("ar", [cite]), draft="<i>draft</i>") + render_user("<svg onload=alert(3)>")
    for bad in ("<img", "<script", "<b>", "<i>", "<svg"):
        assert bad not in html_out
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html_out and "&lt;b&gt;Title&lt;/b&gt;" in html_out
    assert "\n" not in html_out  # one line: Markdown never splits it into paragraphs
    assert '<details class="kh-cite"><summary dir="auto"><span class="kh-n">[1]</span>' in html_out
    assert 'class="kh-cites" dir="ltr"' in html_out and 'class="kh-cites" dir="rtl"' in html_out
    assert html_out.count('dir="auto"') >= 6


def test_chat_turn_streams_sources_then_answer(make_pipeline):
    from ui.service import Service
    from ui.web import respond

    pipe = make_pipeline(ScriptedLLM(AR_REPLY))
    steps = list(respond(Service(pipe.settings, pipe), AR_Q, [], []))
    contents = [chat[-1]["content"] for _, chat, _ in steps]
    assert "kh-status" in contents[0]  # searching…
    first_sources = next(i for i, c in enumerate(contents) if "kh-cites" in c)
    assert "kh-draft" not in contents[first_sources]  # passages shown before any answer text
    assert any("kh-draft" in c for c in contents[first_sources + 1:-1])
    final_box, final_chat, history = steps[-1]
    assert final_box == "" and [m["role"] for m in final_chat] == ["user", "assistant"]
    assert "المصادر" in final_chat[-1]["content"] and "<details" in final_chat[-1]["content"]
    assert history[0] == {"role": "user", "content": AR_Q} and history[1]["role"] == "assistant"


def test_chat_turn_while_loading_says_so(settings):
    from ui.service import Service
    from ui.web import respond

    *_, (box, chat, history) = respond(Service(settings), "Who led the US delegation?", [], [])
    assert box == "Who led the US delegation?" and "still loading" in chat[-1]["content"] and history == []


# ---- the real models --------------------------------------------------------------------------------
@pytest.mark.models
def test_real_pipeline_english_question(real_pipeline):
    from ui.app import create_app

    client = TestClient(create_app(real_pipeline.settings, real_pipeline, web=False))
    question = "Who headed the Russian delegation at the Geneva security talks with the US?"
    resp = client.post("/api/ask", json={"question": question})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert_answer_shape(body)
    assert body["language"] == "en" and not body["refused"], body
    assert body["citations"], body
    retrieved = {h.chunk_id for h in real_pipeline.search(question)}
    assert all(c["chunk_id"] in retrieved for c in body["citations"])


def test_docs_are_served_without_a_cdn(make_pipeline):
    from fastapi.testclient import TestClient

    from ui.app import create_app

    pipe = make_pipeline()
    with TestClient(create_app(pipe.settings, pipeline=pipe, web=False)) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assert "cdn." not in page.text and "/docs-static/swagger-ui-bundle.js" in page.text
        assert client.get("/docs-static/swagger-ui-bundle.js").status_code == 200
        assert client.get("/openapi.json").json()["paths"]["/api/ask"]
