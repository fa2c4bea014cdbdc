"""Hostile clients against the real HTTP port (uvicorn on loopback), Gradio's own routes included.

Each test names what an attacker tried (issue 13) and asserts that nothing was read or written."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import httpx
import pytest

from tests.fakes import ScriptedLLM
from tests.servers import in_process_server

CANARY = "zq-canary-7c1e"  # in the server's environment: must never come back in a response
SECRET_KEY = "k3y-secret-0123456789"
AR_Q = "من ترأس الوفد الروسي؟"


@pytest.fixture
def server(make_pipeline, monkeypatch, tmp_path):
    """The full app (REST + Gradio) on a real port, an API key set, a canary in the environment."""
    from ui.app import create_app

    monkeypatch.setenv("KHABAR_CANARY", CANARY)
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    pipe = make_pipeline(ScriptedLLM("1", "ترأس الوفد الروسي سيرجي ريابكوف [1]."), api_key=SECRET_KEY,
                         allowed_hosts="")
    app = create_app(pipe.settings, pipe, web=True)
    with in_process_server(app) as url:
        yield url, app, pipe


def _gradio_dependencies(app) -> list[dict]:
    """Gradio's event handlers (fn_index = position) with their inputs and triggers, from the mounted Blocks."""
    mounted = next(r.app for r in app.routes if hasattr(getattr(r, "app", None), "get_blocks"))
    return mounted.get_blocks().config["dependencies"]


def _files_left(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "gradio").rglob("*") if p.is_file()] if (tmp_path / "gradio").exists() else []


def _targets(pipe) -> list[str]:
    s = pipe.settings
    chroma = next(iter(sorted(s.chroma_dir.rglob("*.sqlite3"))), s.chroma_dir)
    model = next(iter(sorted(s.models_dir.rglob("*"))), s.models_dir) if s.models_dir.exists() else s.models_dir
    return ["/proc/self/environ", "/etc/passwd", str(chroma), str(model)]


def _file_message(path: str) -> list[dict]:
    return [{"role": "user", "content": [{"type": "file", "file": {
        "path": path, "url": None, "meta": {"_type": "gradio.FileData"}}}]}]


def _read_queue(client: httpx.Client, session: str, timeout: float = 20.0) -> str:
    out = []
    deadline = time.time() + timeout
    with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}, timeout=timeout) as r:
        if r.status_code != 200:
            return f"status {r.status_code}: {r.read().decode(errors='replace')}"
        for line in r.iter_lines():
            out.append(line)
            if '"close_stream"' in line or time.time() > deadline:
                break
    return "\n".join(out)


def test_finding_1_a_file_message_in_the_chat_reads_no_file(server, tmp_path):
    """The reproduction of finding 1: a client-made file message in every input of every chat function."""
    url, app, pipe = server
    deps = _gradio_dependencies(app)
    assert deps, "the chat has event handlers"
    leaked = []
    with httpx.Client(base_url=url) as client:
        for target in _targets(pipe):
            for fn_index, dep in enumerate(deps):
                n_inputs = len(dep.get("inputs", []))
                session = f"s{fn_index}-{abs(hash(target)) % 10_000}"
                # the file as a bare FileData dict in the first (text) input, as a chat message in the others
                file_data = {"path": target, "meta": {"_type": "gradio.FileData"}}
                data = [file_data] + [_file_message(target)] * max(n_inputs - 1, 0) if n_inputs else [file_data]
                trigger = (dep.get("targets") or [[None]])[0][0]
                resp = client.post("/gradio_api/queue/join", json={
                    "data": data, "fn_index": fn_index, "trigger_id": trigger, "session_hash": session})
                assert resp.status_code == 422, resp.text  # refused before Gradio sees it
                text = _read_queue(client, session) if resp.status_code == 200 else resp.text
                assert CANARY not in text and "root:x:0:0" not in text
                for word in text.replace('"', " ").replace("\\", " ").split():
                    if "file=" in word or word.startswith("/gradio_api/file"):
                        leaked.append(word)
            for path in (f"/gradio_api/file={target}", f"/file={target}", f"/gradio_api/file/{target}"):
                resp = client.get(path)
                assert resp.status_code in (403, 404, 422), (path, resp.status_code)
                assert CANARY not in resp.text and "root:x:0:0" not in resp.text
        for link in leaked:
            resp = client.get(link if link.startswith("/") else "/" + link.split("/", 3)[-1])
            assert resp.status_code in (403, 404, 422) and CANARY not in resp.text, link
    assert _files_left(tmp_path) == [], "nothing was copied into Gradio's cache"


def test_gradio_call_run_and_api_routes_are_closed(server, tmp_path):
    url, app, pipe = server
    with httpx.Client(base_url=url) as client:
        for name in ("_respond", "predict", "respond", "lambda", "_tick"):
            for route in (f"/gradio_api/call/{name}", f"/gradio_api/run/{name}", f"/gradio_api/api/{name}",
                          f"/gradio_api/call/v2/{name}", f"/gradio_api/run/{name}/"):
                resp = client.post(route, json={"data": ["hi", _file_message("/proc/self/environ"), None]})
                assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found", (route, resp.text)
        for path in ("/gradio_api/info", "/config", "/gradio_api/openapi.json", "/monitoring", "/gradio_api/runs",
                     "/gradio_api/upload_progress", "/gradio_api/vibe-code", "/gradio_api/mcp/sse",
                     "/gradio_api/proxy=http://127.0.0.1/", "/gradio_api/startup-events", "/login_check"):
            assert client.get(path).status_code == 404, path
    assert _files_left(tmp_path) == []


@pytest.mark.parametrize("path", ["/gradio_api/process_recording", "/gradio_api/component_server",
                                  "/gradio_api/component_server/", "/gradio_api/upload", "/api/ask",
                                  "/v1/chat/completions", "/api/ask/stream", "/gradio_api/queue/join"])
def test_a_60_mb_body_is_refused_early_and_leaves_no_file(server, tmp_path, path):
    url, _, pipe = server
    root = pipe.settings.articles_dir
    before = sorted(p.name for p in root.iterdir())
    body = b"x" * 60_000_000
    with httpx.Client(base_url=url, timeout=30) as client:
        t0 = time.perf_counter()
        resp = client.post(path, content=body, headers={"content-type": "application/octet-stream"})
        assert resp.status_code == 413 and resp.json()["error"]["code"] == "body_too_large", resp.text[:200]

        def chunks():  # no Content-Length: cut while reading
            for _ in range(60):
                yield b"y" * 1_000_000

        closed = path.startswith("/gradio_api/") and path != "/gradio_api/queue/join"
        try:
            resp = client.post(path, content=chunks(), headers={"content-type": "application/json"})
            # a closed Gradio route answers 404 before reading anything; an open route 413 once past the limit
            assert resp.status_code == (404 if closed else 413), resp.text[:200]
        except httpx.HTTPError:
            pass  # the server answered 413 and closed while the client was still sending
        assert time.perf_counter() - t0 < 20
    assert _files_left(tmp_path) == []
    assert sorted(p.name for p in root.iterdir()) == before


def test_body_limit_is_enforced_while_reading_not_after(server):
    url, _, _ = server
    sent = 0

    def body():
        nonlocal sent
        for _ in range(200):
            sent += 100_000
            yield b'{"question": "' + b"a" * 100_000

    with httpx.Client(base_url=url, timeout=30) as client:
        try:
            resp = client.post("/api/ask", content=body(), headers={"content-type": "application/json"})
            assert resp.status_code == 413
        except httpx.HTTPError:
            pass
    assert sent < 20_000_000, f"the server kept reading: {sent:,} bytes sent"


def test_host_allow_list_and_no_cors(server):
    url, _, _ = server
    with httpx.Client(base_url=url) as client:
        for host in ("evil.example", "127.0.0.1.evil.example", "attacker:8765"):
            resp = client.get("/health", headers={"host": host})
            assert resp.status_code == 400 and resp.json()["error"]["code"] == "invalid_host", host
            assert client.get("/", headers={"host": host}).status_code == 400
        for host in ("127.0.0.1", "localhost:8000", "[::1]:8000", "LOCALHOST"):
            assert client.get("/health", headers={"host": host}).status_code == 200, host
        for path in ("/health", "/", "/api/articles"):
            resp = client.get(path, headers={"origin": "http://evil.example"})
            assert not any(k.lower().startswith("access-control-allow") for k in resp.headers), (path, resp.headers)
        resp = client.post("/gradio_api/queue/join", json={}, headers={"origin": "http://evil.example"})
        assert not any(k.lower().startswith("access-control-allow") for k in resp.headers)


def test_cors_origins_when_configured(make_pipeline):
    from fastapi.testclient import TestClient

    from ui.app import create_app

    pipe = make_pipeline(None, cors_origins="https://news.example")
    client = TestClient(create_app(pipe.settings, pipe, web=False))
    ok = client.get("/health", headers={"origin": "https://news.example"})
    assert ok.headers.get("access-control-allow-origin") == "https://news.example"
    no = client.get("/health", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in no.headers


def test_default_settings_refuse_a_foreign_host():
    from ui.guard import GuardConfig

    cfg = GuardConfig.build("127.0.0.1", [], [], 1000)
    assert cfg.host_ok("127.0.0.1:8000") and cfg.host_ok("localhost") and cfg.host_ok("[::1]:80")
    assert not cfg.host_ok("testserver") and not cfg.host_ok("evil.example") and not cfg.host_ok("")
    assert GuardConfig.build("0.0.0.0", ["news.example"], [], 1).host_ok("news.example:443")
    assert GuardConfig.build("192.168.1.5", [], [], 1).host_ok("192.168.1.5:8000")


def test_a_long_history_reaches_the_models_cut(server):
    """Finding 3: a 20,000-character history message (the limit per message) is cut before it reaches
    the embedder, so it costs what a short one does (timed with the real models by
    `python -m eval.bench_history`, not here)."""
    url, _, pipe = server
    seen: list[int] = []
    for name in ("embed_queries", "embed_documents"):
        real = getattr(pipe.embedder, name)

        def recording(texts, *args, _real=real, **kw):
            seen.extend(len(t) for t in texts)
            return _real(texts, *args, **kw)

        setattr(pipe.embedder, name, recording)
    history = [{"role": "user", "content": "جنيف " * 4000}, {"role": "assistant", "content": "x " * 10_000}]
    with httpx.Client(base_url=url, timeout=60) as client:
        resp = client.post("/api/ask", json={"question": AR_Q, "history": history})
        assert resp.status_code == 200, resp.text[:300]
        v1 = client.post("/v1/chat/completions", json={"messages": [
            {"role": "user", "content": "جنيف " * 4000}, {"role": "assistant", "content": "ok"},
            {"role": "user", "content": AR_Q}]})
        assert v1.status_code == 200
    assert seen, "the question was embedded"
    limit = pipe.settings.max_context_chars + pipe.settings.max_question_chars + 10
    assert max(seen) <= limit, f"{max(seen)} characters reached the embedder"
    prompts = " ".join(m["content"] for p in pipe.llm.prompts for m in p)
    assert "جنيف " * 200 not in prompts, "the long message never reaches the LLM either"


def test_the_history_reaching_the_pipeline_is_bounded(make_pipeline):
    from ui.service import Service

    pipe = make_pipeline(None)
    service = Service(pipe.settings, pipe)
    history = [{"role": "user", "content": f"q{i} " + "w " * 20_000} for i in range(50)]
    kept = service.context(history)
    assert len(kept) == pipe.settings.max_context_messages
    assert all(len(m["content"]) <= pipe.settings.max_context_chars for m in kept)
    assert kept[-1]["content"].startswith("q49")
    assert service.context([{"role": "user", "content": "\ud800"}, "junk", {"content": 5}]) is None


@pytest.mark.parametrize("case", [
    ("POST", "/api/ingest", {"json": {"path": "a" * 300}}, 400, "invalid_path"),
    ("POST", "/api/ingest", {"json": {"path": "/".join(["b" * 200] * 30)}}, 400, "invalid_path"),
    ("POST", "/api/ingest", {"content": b'{"path": "\\ud800"}', "headers": {"content-type": "application/json"}},
     400, "invalid_path"),
    ("POST", "/api/ask", {"content": b'{"question": "\\ud800 who?"}', "headers": {"content-type": "application/json"}},
     422, "invalid_request"),
    ("POST", "/api/ask/stream", {"content": b'{"question": "\\ud800"}', "headers": {"content-type": "application/json"}},
     422, "invalid_request"),
    ("POST", "/v1/chat/completions", {"content": b'{"messages": [{"role": "user", "content": "\\udfff"}]}',
                                      "headers": {"content-type": "application/json"}}, 422, "invalid_request"),
    ("POST", "/v1/chat/completions", {"json": {"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}},
     422, "invalid_request"),
    ("POST", "/v1/chat/completions", {"json": {"messages": [{"role": "user", "content": [{"type": "text", "text": None}]}]}},
     422, "empty_question"),
    ("POST", "/v1/chat/completions", {"json": {"messages": [{"role": "user", "content": "x" * 30_000}]}},
     422, "invalid_request"),
])
def test_finding_5_bad_inputs_are_4xx_with_a_stable_code(server, case):
    method, path, kwargs, status, code = case
    url, _, _ = server
    headers = {"Authorization": f"Bearer {SECRET_KEY}", **kwargs.pop("headers", {})}
    with httpx.Client(base_url=url, timeout=30) as client:
        resp = client.request(method, path, headers=headers, **kwargs)
    assert resp.status_code == status and resp.json()["error"]["code"] == code, resp.text[:300]


def test_an_upload_with_a_300_character_name_is_400_and_leaves_nothing(server):
    url, _, pipe = server
    root = pipe.settings.articles_dir
    before = sorted(p.name for p in root.iterdir())
    with httpx.Client(base_url=url, timeout=30) as client:
        for name in ("a" * 300 + ".txt", "ب" * 200 + ".txt", "\udcff.txt".encode("utf-8", "surrogateescape").decode(
                "utf-8", "replace")):
            resp = client.post("/api/ingest", headers={"Authorization": f"Bearer {SECRET_KEY}"},
                               files=[("files", (name, b"Zebra festival news. " * 10, "text/plain"))])
            assert resp.status_code in (200, 400), resp.text[:300]
            if len(name.encode()) > 255:
                assert resp.json()["error"]["code"] == "invalid_file_name"
    left = sorted(p.name for p in root.iterdir())
    assert not [n for n in left if n.startswith(".upload-")], left
    assert set(before) <= set(left)


def test_websockets_are_refused(server):
    url, _, _ = server
    import socket

    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(b"GET /gradio_api/queue/data HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        reply = s.recv(200)
    assert b" 101 " not in reply.split(b"\r\n")[0]


def test_responses_never_carry_the_api_key_or_environment(server):
    url, _, _ = server
    with httpx.Client(base_url=url, timeout=30) as client:
        bodies = [client.get(p).text for p in ("/", "/health", "/openapi.json", "/api/articles", "/docs")]
    assert not any(SECRET_KEY in b or CANARY in b for b in bodies)
    assert os.environ.get("KHABAR_CANARY") == CANARY  # the canary really was in the environment


def test_openapi_lists_every_route_with_its_error_shape(server):
    url, _, _ = server
    spec = httpx.get(f"{url}/openapi.json").json()
    assert set(spec["paths"]) >= {"/api/ask", "/api/ask/stream", "/api/search", "/api/articles", "/api/ingest",
                                  "/health", "/v1/models", "/v1/chat/completions"}
    assert json.dumps(spec).count("body_too_large") >= 3


def test_a_lone_surrogate_is_an_invalid_question_wherever_it_comes_from(make_pipeline):
    from qa.answer import QuestionError
    from ui.service import Service

    pipe = make_pipeline(None)
    with pytest.raises(QuestionError) as exc:
        Service(pipe.settings, pipe).check_question("who \ud800?")
    assert exc.value.code == "invalid_question"


def test_queue_join_takes_only_text_for_a_known_function(server, tmp_path):
    url, app, _ = server
    n = len(_gradio_dependencies(app))
    ok = {"data": ["من ترأس الوفد؟", None, None], "fn_index": 0, "trigger_id": 9, "session_hash": "abc123"}
    bad = [
        {**ok, "data": [{"path": "/dev/zero", "meta": {"_type": "gradio.FileData"}}, None, None]},
        {**ok, "data": [["nested"], None, None]},
        {**ok, "data": ["x" * 3000, None, None]},  # longer than a question may be
        {**ok, "fn_index": n}, {**ok, "fn_index": -1}, {**ok, "fn_index": "0"}, {**ok, "fn_index": True},
        {**ok, "session_hash": "../../x"}, {**ok, "event_data": {"path": "/etc/passwd"}},
        [ok], "text",
    ]
    with httpx.Client(base_url=url, timeout=30) as client:
        for body in bad:
            resp = client.post("/gradio_api/queue/join", json=body)
            assert resp.status_code == 422 and resp.json()["error"]["code"] == "invalid_request", (body, resp.text)
        resp = client.post("/gradio_api/queue/join", content=b"{not json", headers={"content-type": "application/json"})
        assert resp.status_code == 422
        assert client.post("/gradio_api/queue/join", json=ok).status_code == 200
    assert _files_left(tmp_path) == []


def test_host_header_must_be_one_well_formed_allowed_name(server):
    url, _, _ = server
    import socket

    host, port = url.removeprefix("http://").split(":")
    for value in ("localhost:evil.com", "127.0.0.1:80@evil.com", "[::1]evil.com", "[::1].evil.com", "[localhost]",
                  "localhost:", "localhost.", "127.0.0.1 evil", ""):
        resp = httpx.get(f"{url}/health", headers={"host": value})
        assert resp.status_code == 400, (value, resp.status_code)
    with socket.create_connection((host, int(port)), timeout=5) as s:  # two Host headers
        s.sendall(b"GET /health HTTP/1.1\r\nHost: evil.com\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        reply = s.recv(300)
    assert b" 400 " in reply.split(b"\r\n")[0], reply[:100]


def test_forwarded_headers_do_not_reach_the_app(server):
    url, _, _ = server
    page = httpx.get(f"{url}/", headers={"x-forwarded-host": "evil.example", "forwarded": "host=evil.example",
                                         "x-forwarded-proto": "https"})
    assert page.status_code == 200 and "evil.example" not in page.text


def test_the_chat_keeps_a_bounded_conversation(make_pipeline):
    from ui.service import Service
    from ui.web import CHAT_MESSAGES, respond

    pipe = make_pipeline(None)
    service = Service(pipe.settings, pipe)
    chat, history = [], []
    for _ in range(30):
        *_, (_, chat, history) = respond(service, "من ترأس الوفد الروسي؟", chat, history)
    assert len(chat) <= CHAT_MESSAGES + 2 and len(history) <= 10
    *_, (_, chat2, _) = respond(service, "x" * 5000, chat, history)  # too long: an error, nothing of it kept
    assert "x" * 100 not in str(chat2)
