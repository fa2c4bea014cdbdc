"""Load: eval/load.py against a server on loopback.

Fast tests run the tool against an in-process uvicorn (fake embedder, slow scripted LLM, a small
queue). Tests marked `models` start `khabar serve` in a subprocess on a free port (temp data dir,
the bundled articles) and hammer it: extractive (KHABAR_LLM=none) with 50 clients x 200 requests,
then briefly with the local LLM. The only failures allowed are 503 with Retry-After; the server must
still answer /health afterwards, give its queue places back, and not grow by more than 300 MB.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from eval.load import QUESTIONS, UsageError, check_loopback, percentile, run_load
from index.config import BUNDLED_ARTICLES, REPO_ROOT
from tests.fakes import ScriptedLLM
from tests.servers import free_port, in_process_server, stop

MAX_RSS_GROWTH_MB = 300


# ---- the tool itself ----------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:1", "http://[::1]:8000/",
                                 "http://127.3.4.5:9"])
def test_loopback_urls_are_accepted(url):
    assert check_loopback(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://example.com:8000", "http://10.0.0.5:8000", "http://0.0.0.0:8000",
                                 "http://192.168.1.1", "https://8.8.8.8", "http://127.0.0.1.nip.io:8000",
                                 "ftp://127.0.0.1", "127.0.0.1:8000", "http://127.0.0.1:8000/api/ask"])
def test_other_hosts_are_refused(url):
    with pytest.raises(UsageError):
        check_loopback(url)


def test_cli_refuses_a_remote_host_without_sending_anything():
    proc = subprocess.run([sys.executable, "-m", "eval.load", "--url", "http://203.0.113.7:80", "--requests", "1"],
                          capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert proc.returncode == 2 and "refusing" in proc.stderr and "Traceback" not in proc.stderr


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert tuple(percentile(values, p, "nearest") for p in (50, 95, 100)) == (50, 95, 100)
    assert percentile([7.0], 95, "nearest") == 7.0
    assert percentile([1.0, 2.0], 50, "nearest") == 1.0 and percentile([1.0, 2.0], 50) == 1.5


class SlowLLM(ScriptedLLM):
    """Holds the generation turn for a while, so that concurrent clients fill the queue."""

    def stream(self, messages, max_tokens, grammar=None):
        time.sleep(0.05)
        yield from super().stream(messages, max_tokens, grammar)


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream", "/v1/chat/completions"])
def test_load_tool_against_an_in_process_server(make_pipeline, path):
    from ui.app import create_app

    pipe = make_pipeline(SlowLLM("1", "ترأس الوفد الروسي سيرجي ريابكوف [1]."), queue_size=2)
    app = create_app(pipe.settings, pipe, web=False)
    with in_process_server(app) as url:
        report = asyncio.run(run_load(url, clients=12, requests=60, path=path, timeout=60, request_timeout=30,
                                      pid=os.getpid()))
        assert report.total == 60 and report.unfinished == 0
        assert report.ok + report.busy_503 == 60 and report.ok > 0 and report.busy_503 > 0
        assert report.busy_503_with_retry_after == report.busy_503
        assert report.passed and report.server_alive_after
        assert report.latency_ms["p50"] <= report.latency_ms["p95"] <= report.latency_ms["p99"] <= report.latency_ms["max"]
        assert report.rss_before_mb and report.rss_after_mb
        assert app.state.service.queue.admitted == 0, "every queue place was given back"


def test_load_tool_counts_timeouts_and_the_total_deadline(make_pipeline):
    from ui.app import create_app

    class Stuck(ScriptedLLM):
        def stream(self, messages, max_tokens, grammar=None):
            time.sleep(0.3)
            yield from super().stream(messages, max_tokens, grammar)

    pipe = make_pipeline(Stuck("1", "x [1]"), queue_size=50)
    with in_process_server(create_app(pipe.settings, pipe, web=False)) as url:
        report = asyncio.run(run_load(url, clients=2, requests=30, timeout=1.0, request_timeout=0.2))
    assert report.errors >= 1 and report.error_kinds.get("timeout", 0) >= 1
    assert report.unfinished > 0 and report.total + report.unfinished == 30
    assert not report.passed


# ---- the real server in a subprocess (models) ---------------------------------------------------
@pytest.fixture(scope="module")
def serve_dirs(tmp_path_factory):
    """One data dir for the module: the first server indexes the bundled articles, the next reuses it."""
    tmp = tmp_path_factory.mktemp("load")
    shutil.copytree(BUNDLED_ARTICLES, tmp / "articles")
    return tmp


@contextmanager
def khabar_serve(dirs: Path, llm: str, **env_extra: str):
    port = free_port()
    env = {**os.environ, "KHABAR_DATA_DIR": str(dirs / "data"), "KHABAR_ARTICLES_DIR": str(dirs / "articles"),
           "KHABAR_LLM": llm, "PYTHONPATH": str(REPO_ROOT), **env_extra}
    for key in ("KHABAR_HOST", "KHABAR_CHROMA_URL", "KHABAR_API_KEY", "KHABAR_LLM_URL"):
        env.pop(key, None)
    log_path = dirs / f"serve-{llm}-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--port", str(port)], cwd=REPO_ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 300
        while True:
            if proc.poll() is not None:
                pytest.fail(f"khabar serve exited {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                health = httpx.get(url + "/health", timeout=2, trust_env=False).json()
                if health["status"] == "ok":
                    break
                assert health["status"] == "loading", health
            except httpx.HTTPError:
                pass
            assert time.time() < deadline, "the server never became ready"
            time.sleep(0.5)
        yield proc, url
        assert proc.poll() is None, f"the server died:\n{log_path.read_text()[-3000:]}"
    finally:
        stop(proc)


def load_cli(url: str, pid: int, *args: str, timeout: float = 300) -> dict:
    proc = subprocess.run([sys.executable, "-m", "eval.load", "--url", url, "--pid", str(pid), "--json", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"\nLOAD {json.dumps(report, ensure_ascii=False)}")
    assert proc.returncode == (0 if report["passed"] else 1)
    return report


def assert_only_ok_or_busy(report: dict, requests: int) -> None:
    assert report["total"] == requests and report["unfinished"] == 0, report
    assert report["other_5xx"] == 0 and report["errors"] == 0 and report["other_status"] == 0, report
    assert report["busy_503"] == report["busy_503_with_retry_after"], "a 503 without Retry-After"
    assert report["ok"] + report["busy_503"] == requests and report["ok"] > 0
    assert report["passed"] and report["server_alive_after"]


def warm_up(url: str) -> None:
    with httpx.Client(trust_env=False, timeout=300) as client:
        for q in QUESTIONS:
            assert client.post(url + "/api/ask", json={"question": q}).status_code == 200


def still_serving(url: str) -> None:
    """Alive, and every queue place was given back: sequential questions are all answered."""
    with httpx.Client(trust_env=False, timeout=300) as client:
        assert client.get(url + "/health").json()["status"] == "ok"
        for q in QUESTIONS[:2]:
            resp = client.post(url + "/api/ask", json={"question": q})
            assert resp.status_code == 200 and resp.json()["answer"], resp.text


@pytest.mark.models
def test_load_extractive_50_clients(serve_dirs):
    with khabar_serve(serve_dirs, "none") as (proc, url):
        warm_up(url)
        report = load_cli(url, proc.pid, "--clients", "50", "--requests", "200", "--path", "/api/ask",
                          "--timeout", "180")
        assert_only_ok_or_busy(report, 200)
        assert report["rss_growth_mb"] is not None and report["rss_growth_mb"] < MAX_RSS_GROWTH_MB
        for path in ("/api/ask/stream", "/v1/chat/completions"):
            other = load_cli(url, proc.pid, "--clients", "50", "--requests", "100", "--path", path, "--timeout", "180")
            assert_only_ok_or_busy(other, 100)
        still_serving(url)
        rss_end = other["rss_after_mb"]
        assert rss_end - report["rss_before_mb"] < MAX_RSS_GROWTH_MB


@pytest.mark.models
def test_load_with_the_local_llm(serve_dirs):
    """Short on purpose: 4 clients, 6 requests, a queue of 2 (3 admitted at once: 1 generating + 2 waiting)."""
    with khabar_serve(serve_dirs, "local", KHABAR_QUEUE_SIZE="2") as (proc, url):
        report = load_cli(url, proc.pid, "--clients", "4", "--requests", "6", "--path", "/api/ask",
                          "--timeout", "400", "--request-timeout", "300", timeout=450)
        assert_only_ok_or_busy(report, 6)
        assert report["busy_503"] >= 1, "4 clients on 1 + 2 places: at least one is told to retry"
        assert httpx.get(url + "/health", timeout=10, trust_env=False).json()["status"] == "ok"
